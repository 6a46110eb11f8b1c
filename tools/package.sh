#!/usr/bin/env bash
# tools/package.sh BIN VERSION [OUTDIR]      (make package)
#
# Builds the release package the way the Terraform registry names it:
#   OUTDIR/terraform-provider-lambdavpc_VERSION_linux_amd64.zip
#       terraform-provider-lambdavpc_vVERSION   the provider (0755)
#       lib/<soname>                            every shared library it needs
#                                               except glibc's (0644)
#   OUTDIR/terraform-provider-lambdavpc_VERSION_SHA256SUMS
#       "<sha256 hex>  <zip name>" (sha256sum format, as registries publish)
#   OUTDIR/package/                              the zip's contents, unpacked
#                                               (dev_overrides, bench)
# OUTDIR defaults to build.
#
# Why bundle rather than link statically: OpenSSL stays a shared library
# (the Makefile links everything else statically), and the target machine
# may have no OpenSSL 3 at all. So every shared library but glibc's (today
# libssl and libcrypto) travels as the same Debian .so the build tree uses,
# found through the binary's DT_RPATH $ORIGIN/lib (Makefile BIN_RPATH). A
# DT_RPATH of the executable also applies to the libraries' own
# dependencies, so no library needs patching. Start-up does the same work
# as in the build tree: the same libraries, found at the first place looked.
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
is_glibc() { grep -qxF "$1" <<<"$GLIBC"; }

# "soname path" for every library ELF file $1 needs (transitively), glibc excluded.
deps_of() {
  ldd "$1" | awk '
    /=> not found/ { print "MISSING " $1; next }
    $2 == "=>" && $3 ~ /^\// { print $1, $3 }'
}

LIBS=$(deps_of "$BIN" | sort -u)
if grep -q '^MISSING ' <<<"$LIBS"; then
  echo "package: libraries not found:" >&2
  grep '^MISSING ' <<<"$LIBS" >&2
  exit 1
fi

rm -rf "$STAGE"
mkdir -p "$STAGE/lib"
cp "$BIN" "$STAGE/$EXE"
chmod 0755 "$STAGE/$EXE"
n=0
while read -r soname path; do
  is_glibc "$soname" && continue
  cp -L "$path" "$STAGE/lib/$soname"
  chmod 0644 "$STAGE/lib/$soname"
  n=$((n + 1))
done <<<"$LIBS"

# Self-check: the staged binary must resolve every library but glibc's from
# its own lib/ (a missing copy would silently fall back to the system's).
bad=$(ldd "$STAGE/$EXE" | awk -v lib="$STAGE/lib/" '
  $2 == "=>" && $3 ~ /^\// && index($3, lib) != 1 { print $1 }' | while read -r s; do
  is_glibc "$s" || echo "$s"
done)
[ -z "$bad" ] || { echo "package: not resolved from lib/: $bad" >&2; exit 1; }

# Highest GLIBC_x.y symbol version anything in the package needs.
need=$(cd "$STAGE" && objdump -T "$EXE" lib/* 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -n 1)

# Reproducible zip: fixed time stamps, sorted names, no directory entries.
find "$STAGE" -exec touch -h -d '1980-01-02 00:00:00 UTC' {} +
rm -f "$OUT/$ZIP" "$OUT/$SUMS"
(cd "$STAGE" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -q -X -D "$OUT/$ZIP.tmp" -@)
mv "$OUT/$ZIP.tmp" "$OUT/$ZIP"
(cd "$OUT" && sha256sum "$ZIP" >"$SUMS.tmp" && mv "$SUMS.tmp" "$SUMS")

size=$(du -k "$OUT/$ZIP" | cut -f1)
echo "package: $OUT/$ZIP ($n bundled libraries, $((size / 1024)) MiB, needs ${need:-GLIBC_?} or newer)"
echo "package: $OUT/$SUMS"
