#!/bin/sh
# tools/mirror.sh ZIP|BIN VERSION
#
# Installs the provider the way users install it: the release zip
# (tools/package.sh; given a binary, it is packaged first) in a filesystem
# mirror, packed layout (docs/installation.md):
#   build/mirror/registry.terraform.io/lambdavpc/lambdavpc/
#       terraform-provider-lambdavpc_VERSION_linux_amd64.zip
# and a CLI configuration build/terraformrc that takes lambdavpc from that
# mirror, hashicorp/aws from the machine's preinstalled mirror (if any), and
# never contacts a registry for either. Then:
#   export TF_CLI_CONFIG_FILE=$PWD/build/terraformrc CHECKPOINT_DISABLE=1
#   terraform init
# `terraform init` unzips the package into .terraform/providers/.
# Every rebuild changes the h1 hash: run `terraform init -upgrade` afterwards.
# Env: MIRROR_OUT (default build) chooses where mirror/, terraformrc and (for
# a binary) the package go.
set -eu

SRC=${1:?usage: tools/mirror.sh ZIP|BIN VERSION}
VERSION=${2:?usage: tools/mirror.sh ZIP|BIN VERSION}
OUT=${MIRROR_OUT:-build}
ZIPNAME=terraform-provider-lambdavpc_${VERSION}_linux_amd64.zip

mkdir -p "$OUT"
OUT_ABS=$(cd "$OUT" && pwd)
case "$SRC" in
  *.zip) ZIP=$SRC ;;
  *)
    bash "$(dirname "$0")/package.sh" "$SRC" "$VERSION" "$OUT_ABS"
    ZIP=$OUT_ABS/$ZIPNAME ;;
esac
[ -f "$ZIP" ] || { echo "mirror: $ZIP is not a file" >&2; exit 1; }
[ "$(basename "$ZIP")" = "$ZIPNAME" ] || { echo "mirror: $ZIP is not named $ZIPNAME" >&2; exit 1; }

MIRROR="$OUT_ABS/mirror"
DIR="$MIRROR/registry.terraform.io/lambdavpc/lambdavpc"
# Only this version, packed: older builds (or an unpacked layout) would
# offer Terraform a second candidate.
rm -rf "$DIR"
mkdir -p "$DIR"
cp "$ZIP" "$DIR/$ZIPNAME.tmp"
mv "$DIR/$ZIPNAME.tmp" "$DIR/$ZIPNAME"

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

echo "mirror: $DIR/$ZIPNAME"
echo "mirror: CLI config $RC${AWS_MIRROR:+ (hashicorp/aws from $AWS_MIRROR)}"
