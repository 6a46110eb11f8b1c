"""Plans you can trust (issue 9 items 1, 2, 5, 6), with the real terraform
against moto, checked with boto3 and `terraform show -json` of saved plans:

- adding a service and a CIDR keeps the existing endpoint and subnet ids
  known in the plan (a terraform_data depending on them is not replaced),
  and the apply returns them in the same order;
- a default_tags change plans tags_all known (the tag diff), last_modified kept;
- hashicorp/aws aws_vpc turning DNS host names on in the same apply as a new
  function: plan warns (naming private_dns_enabled), apply succeeds; with DNS
  still off the apply fails before anything is created;
- DNS host names turned off out of band: terraform destroy still succeeds and
  leaves nothing;
- a tag added by hand to a subnet: plan and plan -refresh-only name the
  subnet and the tag; with ignore_tags covering it the plan is empty and the
  tag stays;
- plan -generate-config-out after an import {} block: the generated file
  plans cleanly once the code source line the docs name is filled in.

On by default; E2E_RESOURCE=0 skips it (with the reason)."""

import json
import os
import re

import e2e_lib as L
from test_resource import SEED_CIDRS, ResourceTestCase

NEW_CIDR = "12.25.15.96/27"


def unknown_in(after_unknown, attr):
    """True when any part of attr is unknown in a `show -json` after_unknown."""
    def any_true(v):
        if isinstance(v, dict):
            return any(any_true(x) for x in v.values())
        if isinstance(v, list):
            return any(any_true(x) for x in v)
        return v is True
    return any_true(after_unknown.get(attr, False))


def flat(text):
    """Whitespace folded to single spaces (Terraform wraps diagnostics)."""
    return " ".join(text.split())


class PlansTest(ResourceTestCase):
    # ------------------------------------------------------------ helpers

    def edit(self, wd, old, new, name="main.tf"):
        p = os.path.join(wd.path, name)
        with open(p) as f:
            text = f.read()
        self.assertIn(old, text)
        wd.write(name, text.replace(old, new, 1))

    def saved_plan(self, wd):
        """Plans into a file; returns (plan output, `show -json` of it)."""
        r = self.ok(wd.tf("plan", "-out=tfplan"))
        s = self.ok(wd.tf("show", "-json", "tfplan"))
        return r, json.loads(s.stdout)

    @staticmethod
    def change_of(plan, address):
        for rc in plan.get("resource_changes", []):
            if rc["address"] == address:
                return rc["change"]
        raise AssertionError("no change for %s in the plan" % address)

    def state_values(self, wd, address="lambdavpc_secure_function.app"):
        r = self.ok(wd.tf("show", "-json"))
        for res in json.loads(r.stdout)["values"]["root_module"]["resources"]:
            if res["address"] == address:
                return res["values"]
        raise AssertionError("%s not in the state" % address)

    def basic(self, prefix, **tfvars):
        name = L.unique(prefix)
        vpc_id = L.create_vpc("12.25.15.0/25")
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name, **tfvars)
        return name, vpc_id, wd

    # ------------------------------------------------------------ item 1

    def test_added_service_and_cidr_keep_existing_ids_known(self):
        name, vpc_id, wd = self.basic("e2e-pl-ids", subnet_cidr_blocks=SEED_CIDRS,
                                      endpoint_services=["logs"])
        with open(os.path.join(wd.path, "main.tf"), "a") as f:
            f.write('\nresource "terraform_data" "dep" {\n'
                    '  triggers_replace = [lambdavpc_secure_function.app.subnet_ids[0],\n'
                    '                      lambdavpc_secure_function.app.vpc_endpoint_ids["logs"]]\n}\n')
        self.apply(wd)
        before = self.state_values(wd)

        wd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name,
                    subnet_cidr_blocks=SEED_CIDRS + [NEW_CIDR], endpoint_services=["logs", "sqs"])
        _, plan = self.saved_plan(wd)
        ch = self.change_of(plan, "lambdavpc_secure_function.app")
        self.assertEqual(ch["actions"], ["update"])
        after, unknown = ch["after"], ch["after_unknown"]
        # subnet_ids: the three existing ids known, in the CIDRs' order; the new one unknown
        self.assertEqual(after["subnet_ids"][:3], before["subnet_ids"])
        self.assertEqual(unknown["subnet_ids"], [False, False, False, True])
        self.assertEqual(after["vpc_endpoint_ids"]["logs"], before["vpc_endpoint_ids"]["logs"])
        self.assertEqual(unknown["vpc_endpoint_ids"], {"sqs": True})
        for attr in ("arn", "role_arn", "route_table_id", "code_sha256", "tags_all"):
            self.assertEqual(after[attr], before[attr], attr)
            self.assertFalse(unknown_in(unknown, attr), attr)
        self.assertEqual(self.change_of(plan, "terraform_data.dep")["actions"], ["no-op"])

        self.ok(wd.tf("apply", "-auto-approve", "tfplan"))
        now = self.state_values(wd)
        self.assertEqual(now["subnet_ids"][:3], before["subnet_ids"])
        new_sn = self.ec2.describe_subnets(SubnetIds=[now["subnet_ids"][3]])["Subnets"][0]
        self.assertEqual(new_sn["CidrBlock"], NEW_CIDR)
        self.assertEqual(now["vpc_endpoint_ids"]["logs"], before["vpc_endpoint_ids"]["logs"])
        ep = self.endpoints_by_id([now["vpc_endpoint_ids"]["sqs"]])
        self.assertTrue(list(ep.values())[0]["ServiceName"].endswith(".sqs"))
        self.assertNoChanges(wd)
        self.destroy_and_check_clean(wd, name, now)

    def test_default_tags_change_plans_tags_all(self):
        name, vpc_id, wd = self.basic("e2e-pl-tags", subnet_cidr_blocks=SEED_CIDRS[:1],
                                      endpoint_services=["logs"])
        self.edit(wd, '  endpoints {\n', '  default_tags {\n    tags = { Env = "ux" }\n  }\n\n  endpoints {\n')
        self.apply(wd)
        before = self.state_values(wd)
        self.assertEqual(before["tags_all"], {"Env": "ux", "Team": "payments"})

        self.edit(wd, 'tags = { Env = "ux" }', 'tags = { Env = "prod" }')
        r, plan = self.saved_plan(wd)
        ch = self.change_of(plan, "lambdavpc_secure_function.app")
        self.assertEqual(ch["actions"], ["update"])
        self.assertEqual(ch["after"]["tags_all"], {"Env": "prod", "Team": "payments"})
        for attr in ("tags_all", "last_modified", "version", "qualified_arn", "subnet_ids",
                     "vpc_endpoint_ids"):
            self.assertFalse(unknown_in(ch["after_unknown"], attr), attr)
        self.assertIn('"Env"  = "ux" -> "prod"', r.output)

        self.ok(wd.tf("apply", "-auto-approve", "tfplan"))
        sn = self.ec2.describe_subnets(SubnetIds=before["subnet_ids"])["Subnets"][0]
        self.assertEqual(L.tags_of(sn.get("Tags")).get("Env"), "prod")
        fn_tags = self.lam.list_tags(Resource=before["arn"])["Tags"]
        self.assertEqual(fn_tags.get("Env"), "prod")
        self.assertNoChanges(wd)
        self.destroy_and_check_clean(wd, name, before)

    # ------------------------------------------------------------ item 2

    def aws_vpc_dir(self, name):
        """examples/with-aws-vpc, first applied without the function and with
        DNS host names off; wd.full_text = the example (host names on)."""
        wd = L.Workdir("pl-awsvpc")
        wd.copy_example("with-aws-vpc")
        self.dirs.append(wd)
        wd.set_vars(aws_endpoint=L.moto_url())
        p = os.path.join(wd.path, "main.tf")
        with open(p) as f:
            text = f.read()
        text = text.replace('function_name = "with-aws-vpc"', 'function_name = "%s"' % name, 1)
        self.assertIn('function_name = "%s"' % name, text)
        self.assertIn("enable_dns_hostnames = true", text)
        wd.full_text = text
        # everything from the function on is held back until the second apply
        cut = text.index('resource "lambdavpc_secure_function" "app"')
        wd.write("main.tf", text[:cut].replace("enable_dns_hostnames = true", "enable_dns_hostnames = false", 1))
        self.ok(wd.tf("init"))
        return wd

    def test_vpc_dns_turned_on_in_same_apply_warns_then_applies(self):
        name = L.unique("e2e-pl-dns")
        wd = self.aws_vpc_dir(name)
        self.apply(wd)
        vpc_id = json.loads(self.ok(wd.tf("show", "-json")).stdout)["values"]["root_module"]["resources"]
        vpc_id = [x for x in vpc_id if x["address"] == "aws_vpc.main"][0]["values"]["id"]
        off = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        self.assertFalse(off["EnableDnsHostnames"]["Value"])
        wd.write("main.tf", wd.full_text)  # the function, and DNS host names on
        r = self.ok(wd.tf("plan", "-out=tfplan"))
        out = flat(r.output)
        self.assertIn("Warning: VPC DNS settings do not allow private DNS", out)
        self.assertIn("private_dns_enabled", out)
        self.ok(wd.tf("apply", "-auto-approve", "tfplan"))
        st = self.state_values(wd)
        self.assertEqual(st["vpc_id"], vpc_id)
        on = self.ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
        self.assertTrue(on["EnableDnsHostnames"]["Value"])
        self.lam.get_function(FunctionName=name)
        self.assertNoChanges(wd)
        self.ok(wd.tf("destroy", "-auto-approve"))
        wd.applied = False
        self.assertNothingLeft(name, st)

    def test_vpc_dns_still_off_fails_apply_before_creating(self):
        name = L.unique("e2e-pl-dnsoff")
        vpc_id = L.create_vpc("12.25.15.0/25", dns=False)
        wd = self.workdir("basic", vpc_id=vpc_id, function_name=name, subnet_cidr_blocks=SEED_CIDRS[:1])
        r = self.ok(wd.tf("plan"))
        self.assertIn("Warning: VPC DNS settings do not allow private DNS", flat(r.output))
        self.assertApplyStoppedByDns(wd, name, vpc_id, "apply", "-auto-approve")

    def assertApplyStoppedByDns(self, wd, name, vpc_id, *args):
        """terraform ARGS fails on the VPC's DNS settings, and nothing was
        created: no subnet in the VPC, no role, an empty state."""
        wd.applied = True
        r = wd.tf(*args)
        self.assertIsNone(r.crashed(), str(r))
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("Error: VPC DNS settings do not allow private DNS", flat(r.output))
        left = self.ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
        self.assertEqual(left, [])
        roles = [x["RoleName"] for x in self.iam.list_roles()["Roles"]]
        self.assertNotIn("lambdavpc-" + name, roles)
        self.assertEqual(self.ok(wd.tf("state", "list")).stdout.strip(), "")

    def test_saved_plan_applied_later_checks_the_vpc_again(self):
        """The plan's account checks that passed are handed over to the apply
        walk of the same terraform command only: a saved plan applied by a
        later command checks the VPC again, and DNS host names turned off in
        between stop the apply before anything is created."""
        name, vpc_id, wd = self.basic("e2e-pl-saved", subnet_cidr_blocks=SEED_CIDRS[:1])
        r = self.ok(wd.tf("plan", "-out=tfplan"))
        self.assertNotIn("Warning: VPC DNS settings", flat(r.output))
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
        self.assertApplyStoppedByDns(wd, name, vpc_id, "apply", "-auto-approve", "tfplan")

    def test_destroy_with_dns_turned_off_out_of_band(self):
        name, vpc_id, wd = self.basic("e2e-pl-dnsdrift", subnet_cidr_blocks=SEED_CIDRS[:2])
        self.apply(wd)
        out = wd.outputs()
        self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
        self.destroy_and_check_clean(wd, name, out)
        self.assertNothingLeft(name, out, vpc_id=vpc_id)

    # ------------------------------------------------------------ item 5

    def test_hand_added_subnet_tag_named_then_ignored(self):
        name, vpc_id, wd = self.basic("e2e-pl-drift", subnet_cidr_blocks=SEED_CIDRS[:2])
        self.apply(wd)
        out = wd.outputs()
        sid = out["subnet_ids"][0]
        self.ec2.create_tags(Resources=[sid], Tags=[{"Key": "CreatedBy", "Value": "auto-tagger"}])
        want = "%s (%s): tag CreatedBy added outside Terraform; apply removes it." % (sid, SEED_CIDRS[0])

        r = self.assertChanges(wd, "hand-added tag")
        self.assertIn("Warning: Changed outside Terraform", r.output)
        self.assertIn(want, flat(r.output))
        r = self.ok(wd.tf("plan", "-refresh-only"))
        self.assertIn(want, flat(r.output))

        self.edit(wd, '  endpoints {\n', '  ignore_tags {\n    keys = ["CreatedBy"]\n  }\n\n  endpoints {\n')
        r = self.plan_exitcode(wd)
        self.assertEqual(r.rc, 0, "ignored tag: plan should be empty:\n%s" % r)
        self.assertNotIn("CreatedBy", r.output)
        self.apply(wd)
        sn = self.ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
        self.assertEqual(L.tags_of(sn.get("Tags")).get("CreatedBy"), "auto-tagger")

        # prefixes too: a second hand-made tag under an ignored prefix
        self.ec2.create_tags(Resources=[sid], Tags=[{"Key": "org:cost", "Value": "1"}])
        self.assertChanges(wd, "tag outside ignore_tags")
        self.edit(wd, 'keys = ["CreatedBy"]', 'keys = ["CreatedBy"]\n    key_prefixes = ["org:"]')
        self.assertNoChanges(wd, "both tags ignored")
        self.destroy_and_check_clean(wd, name, out)

    def test_subnet_with_ownership_tag_taken_off_stays_ours(self):
        """Refreshes read the VPC's subnets by the ownership tag; a subnet the
        state knows whose tag was taken off is read by id: it is neither lost
        (a new one for its CIDR would conflict) nor duplicated."""
        name, vpc_id, wd = self.basic("e2e-pl-untag", subnet_cidr_blocks=SEED_CIDRS[:2])
        self.apply(wd)
        out = wd.outputs()
        sid = out["subnet_ids"][0]
        self.ec2.delete_tags(Resources=[sid], Tags=[{"Key": L.OWNER_TAG}])
        self.assertNoChanges(wd, "subnet without its ownership tag")
        self.apply(wd)
        self.assertEqual(sorted(wd.outputs()["subnet_ids"]), sorted(out["subnet_ids"]))
        self.assertEqual(len(self.ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]), 2)
        self.destroy_and_check_clean(wd, name, out)

    # ------------------------------------------------------------ item 6

    def test_generate_config_out_round_trip(self):
        name, vpc_id, wd = self.basic("e2e-pl-gen", subnet_cidr_blocks=SEED_CIDRS[:2])
        self.apply(wd)
        out = wd.outputs()

        gd = L.Workdir("pl-gen")
        self.dirs.append(gd)
        with open(os.path.join(wd.path, "main.tf")) as f:
            text = f.read()
        head = text[:text.index('resource "lambdavpc_secure_function" "app"')]
        gd.write("main.tf", head + 'import {\n  to = lambdavpc_secure_function.app\n  id = "%s"\n}\n' % name)
        gd.set_vars(aws_endpoint=L.moto_url(), vpc_id=vpc_id, function_name=name)
        self.ok(gd.tf("init"))
        r = gd.tf("plan", "-generate-config-out=generated.tf")
        self.assertIsNone(r.crashed(), str(r))
        # written, but not plannable until the code source is filled in (as the docs say)
        self.assertNotEqual(r.rc, 0, str(r))
        self.assertIn("Missing function code", r.output)
        with open(os.path.join(gd.path, "generated.tf")) as f:
            gen = f.read()
        # the line the docs tell the user to fill in
        self.assertRegex(gen, r'(?m)^\s*filename\s*=\s*null')
        gen = re.sub(r'(?m)^(\s*)filename\s*=\s*null.*$', r'\1filename = "lambda.zip"', gen, count=1)
        gd.write("generated.tf", gen)
        L.make_zip(gd.path)
        r = self.ok(gd.tf("plan"))
        self.assertIn("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.", r.output)
        gd.applied = True
        self.ok(gd.tf("apply", "-auto-approve"))
        r = gd.tf("plan", "-detailed-exitcode")
        self.assertEqual(r.rc, 0, str(r))
        wd.applied = False  # gd owns it now
        self.ok(gd.tf("destroy", "-auto-approve"))
        gd.applied = False
        self.assertNothingLeft(name, out)
