#!/bin/sh
# tools/mirror.sh BIN VERSION
#
# Installs the built provider the way users install it: an unpacked
# filesystem mirror (PROTOCOL.md 4.2/4.3)
#   build/mirror/registry.terraform.io/lambdavpc/lambdavpc/VERSION/linux_amd64/
#       terraform-provider-lambdavpc_vVERSION        (mode 0755, a copy)
# and a CLI configuration build/terraformrc (4.5) that takes lambdavpc from
# that mirror, hashicorp/aws from the machine's preinstalled mirror (if any),
# and never contacts a registry for either. Then:
#   export TF_CLI_CONFIG_FILE=$PWD/build/terraformrc CHECKPOINT_DISABLE=1
#   terraform init
# Every rebuild changes the h1 hash: run `terraform init -upgrade` afterwards.
# Env: MIRROR_OUT (default build) chooses where mirror/ and terraformrc go.
set -eu

BIN=${1:?usage: tools/mirror.sh BIN VERSION}
VERSION=${2:?usage: tools/mirror.sh BIN VERSION}
OUT=${MIRROR_OUT:-build}
[ -x "$BIN" ] || { echo "mirror: $BIN is not an executable file" >&2; exit 1; }

mkdir -p "$OUT"
OUT_ABS=$(cd "$OUT" && pwd)
MIRROR="$OUT_ABS/mirror"
PKG="$MIRROR/registry.terraform.io/lambdavpc/lambdavpc/$VERSION/linux_amd64"

# The package directory holds exactly one file (anything else would change
# the h1 hash users and tests compute).
rm -rf "$PKG"
mkdir -p "$PKG"
cp "$BIN" "$PKG/terraform-provider-lambdavpc_v$VERSION.tmp"
chmod 0755 "$PKG/terraform-provider-lambdavpc_v$VERSION.tmp"
mv "$PKG/terraform-provider-lambdavpc_v$VERSION.tmp" "$PKG/terraform-provider-lambdavpc_v$VERSION"

# The preinstalled hashicorp/aws mirror: TF_AWS_MIRROR overrides the search.
AWS_MIRROR=${TF_AWS_MIRROR:-}
if [ -z "$AWS_MIRROR" ]; then
  if [ -d /opt/tf-plugins/registry.terraform.io/hashicorp/aws ]; then
    AWS_MIRROR=/opt/tf-plugins
  else
    d=$(find / -path /proc -prune -o -path '*registry.terraform.io/hashicorp/aws' -print -prune 2>/dev/null | head -n 1)
    [ -n "$d" ] && AWS_MIRROR=${d%/registry.terraform.io/hashicorp/aws}
  fi
fi

RC="$OUT_ABS/terraformrc"
{
  echo "# Written by tools/mirror.sh: use with"
  echo "#   export TF_CLI_CONFIG_FILE=$RC CHECKPOINT_DISABLE=1"
  echo "provider_installation {"
  echo "  filesystem_mirror {"
  echo "    path    = \"$MIRROR\""
  echo "    include = [\"registry.terraform.io/lambdavpc/*\"]"
  echo "  }"
  if [ -n "$AWS_MIRROR" ]; then
    echo "  filesystem_mirror {"
    echo "    path    = \"$AWS_MIRROR\""
    echo "    include = [\"registry.terraform.io/hashicorp/aws\"]"
    echo "  }"
  fi
  echo "  direct {"
  echo "    exclude = [\"registry.terraform.io/lambdavpc/*\", \"registry.terraform.io/hashicorp/aws\"]"
  echo "  }"
  echo "}"
} > "$RC.tmp"
mv "$RC.tmp" "$RC"

echo "mirror: $PKG/terraform-provider-lambdavpc_v$VERSION"
echo "mirror: CLI config $RC${AWS_MIRROR:+ (hashicorp/aws from $AWS_MIRROR)}"
