/* recon_testutil.h - the scripted in-process transport and fake clock the
 * recon step tests share (the failure modes moto cannot produce). */
#ifndef RECON_TESTUTIL_H
#define RECON_TESTUTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "aws/aws_client.h"
#include "base/base_arena.h"
#include "recon/recon_exec.h"

/* ---- scripted transport: first matching rule answers; rules with a count
 * are used that many times, then skipped. ---- */
struct rule {
	const char *method, *match;   /* match: substring of url or body */
	int times;                    /* < 0: forever */
	int status;
	const char *error_type;       /* Lambda x-amzn-ErrorType header */
	const char *body;
	int hits;
};

struct script {
	pthread_mutex_t mu;
	struct rule *rules;
	size_t n;
	unsigned unmatched;
};

struct fclock { uint64_t now; unsigned sleeps; };

/* A scripted run: the rules, a fake clock, a client, and the network part of
 * a bundle (net_state); function tests add ready_for_function. */
struct run_env {
	struct script sc;
	struct fclock fc;
	recon_clock clk;
	recon_options opts;
	recon_desired d;
	recon_state s;
	recon_subnet sub;
	recon_failure fail;
	recon_plan p;
	base_arena *a;
	aws_client *c;
};

#define EC2_OK(op) "<" op "Response><return>true</return></" op "Response>"
#define EC2_ERR(code, msg) "<Response><Errors><Error><Code>" code "</Code><Message>" msg \
	"</Message></Error></Errors><RequestID>req-1</RequestID></Response>"
/* The shared reads of a destroy (endpoint settle, sg.delete endpoint) with no shared object. */
#define NO_VPCES "<DescribeVpcEndpointsResponse><vpcEndpointSet/></DescribeVpcEndpointsResponse>"
#define NO_SGS "<DescribeSecurityGroupsResponse><securityGroupInfo/></DescribeSecurityGroupsResponse>"
#define NO_SHARED_RULES \
	{ "POST", "Action=DescribeVpcEndpoints", -1, 200, NULL, NO_VPCES, 0 }, \
	{ "POST", "Action=DescribeSecurityGroups", -1, 200, NULL, NO_SGS, 0 }
#define NO_ENIS "<DescribeNetworkInterfacesResponse><networkInterfaceSet/></DescribeNetworkInterfacesResponse>"
#define ONE_ENI "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>" \
	"<networkInterfaceId>eni-1</networkInterfaceId><interfaceType>lambda</interfaceType>" \
	"<description>AWS Lambda VPC ENI-app-1</description><status>in-use</status>" \
	"<subnetId>subnet-a</subnetId></item></networkInterfaceSet></DescribeNetworkInterfacesResponse>"
#define FN_CFG(state, lus) "{\"FunctionName\":\"app\",\"FunctionArn\":\"arn:aws:lambda:us-east-1:1:function:app\"," \
	"\"Role\":\"arn:aws:iam::1:role/r\",\"State\":\"" state "\",\"LastUpdateStatus\":\"" lus "\"}"
/* A GetFunction reply (the create / update waits poll with it). */
#define FN_GET(state, lus) "{\"Configuration\":" FN_CFG(state, lus) ",\"Tags\":{\"lambdavpc:function\":\"app\"}}"
#define FN_GET_OK { "GET", "/2015-03-31/functions/app", -1, 200, NULL, FN_GET("Active", "Successful"), 0 }

/* Hits of the rules whose match is exactly match. */
int hits(const struct script *s, const char *match);
/* False when the client cannot be made (the test stops: T_ASSERT it). */
bool run_env_init(struct run_env *x, struct rule *rules, size_t n);
void run_env_dispose(struct run_env *x);
/* d and s ready for a function create (role, route table, SGs exist). */
void ready_for_function(recon_desired *d, recon_state *s, recon_subnet *sub);
/* The plan of x must be exactly these step kinds (printed when not). */
void expect_kinds(struct run_env *x, const recon_step_kind *kinds, size_t n);

#endif
