#!/usr/bin/env bash
# tools/package.sh BIN VERSION [OUTDIR]      (make package)
#
# Builds the release package the way the Terraform registry names it:
#   OUTDIR/terraform-provider-lambdavpc_VERSION_linux_amd64.zip
#       terraform-provider-lambdavpc_vVERSION   the provider (0755), alone
#   OUTDIR/terraform-provider-lambdavpc_VERSION_SHA256SUMS
#       "<sha256 hex>  <zip name>" (sha256sum format, as registries publish)
#   OUTDIR/package/                              the zip's contents, unpacked
#                                               (dev_overrides, bench)
# OUTDIR defaults to build.
#
# The binary must need no shared library but glibc's (the Makefile links
# everything else statically): the target machine has glibc and nothing
# else can be assumed. A binary that needs another library is refused,
# unless PACKAGE_FOR_THIS_HOST=1: then the package is only for this machine
# (the sanitizer build, which links libasan and the shared gRPC stack, is
# installed into a test mirror that way) and says so on stderr.
#
# The zip is reproducible for a given binary: files in name order, no
# directory entries (PROTOCOL: a directory entry changes the h1 hash of the
# zip against its unpacked form), fixed timestamps, no extra attributes.
set -euo pipefail

BIN=${1:?usage: tools/package.sh BIN VERSION [OUTDIR]}
VERSION=${2:?usage: tools/package.sh BIN VERSION [OUTDIR]}
OUT=${3:-build}
NAME=terraform-provider-lambdavpc
[ -x "$BIN" ] || { echo "package: $BIN is not an executable file" >&2; exit 1; }
echo "$VERSION" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$' \
  || { echo "package: '$VERSION' is not a semantic version" >&2; exit 1; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
ZIP=${NAME}_${VERSION}_linux_amd64.zip
SUMS=${NAME}_${VERSION}_SHA256SUMS
STAGE=$OUT/package
EXE=${NAME}_v${VERSION}

# glibc's own shared objects: the target machine has these, nothing else.
glibc_sonames() {
  if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -L libc6 >/dev/null 2>&1; then
    dpkg-query -L libc6 | sed -n 's|.*/\([^/]*\.so[.0-9]*\)$|\1|p'
  fi
  # The vDSO and the loader by their ldd names, plus a fallback list.
  printf '%s\n' linux-vdso.so.1 ld-linux-x86-64.so.2 libc.so.6 libm.so.6 libpthread.so.0 \
    libdl.so.2 librt.so.1 libresolv.so.2 libutil.so.1 libanl.so.1 libmvec.so.1
}
GLIBC=$(glibc_sonames | sort -u)
NEEDED=$(objdump -p "$BIN" | awk '$1 == "NEEDED" { print $2 }')
[ -n "$NEEDED" ] || { echo "package: $BIN is not a dynamically linked executable" >&2; exit 1; }
other=$(grep -vxF "$GLIBC" <<<"$NEEDED" || true)
if [ -n "$other" ]; then
  if [ "${PACKAGE_FOR_THIS_HOST:-}" != 1 ]; then
    echo "package: $BIN needs libraries that are not glibc's:" $other >&2
    exit 1
  fi
  echo "package: for this machine only ($BIN needs libraries that are not glibc's)" >&2
fi
if objdump -p "$BIN" | grep -Eq '^ *(RPATH|RUNPATH) '; then
  echo "package: $BIN has an RPATH/RUNPATH: a search path outside glibc's is not wanted" >&2
  exit 1
fi

rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$BIN" "$STAGE/$EXE"
chmod 0755 "$STAGE/$EXE"

# Highest GLIBC_x.y symbol version the binary needs.
need=$(objdump -T "$STAGE/$EXE" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)

# Reproducible zip: fixed time stamps, sorted names, no directory entries.
find "$STAGE" -exec touch -h -d '1980-01-02 00:00:00 UTC' {} +
rm -f "$OUT/$ZIP" "$OUT/$SUMS"
(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -q -X -D "$OUT/$ZIP.tmp" -@)
mv "$OUT/$ZIP.tmp" "$OUT/$ZIP"
(cd "$OUT" && sha256sum "$ZIP" >"$SUMS.tmp" && mv "$SUMS.tmp" "$SUMS")

size=$(du -k "$OUT/$ZIP" | cut -f1)
echo "package: $OUT/$ZIP ($((size / 1024)) MiB, needs ${need:-GLIBC_?} or newer)"
echo "package: $OUT/$SUMS"
