#!/usr/bin/env bash
# Source-tree checks behind `make depcheck symcheck lint headercheck format-check testmap
# funclen statecheck`.
# Each prints what is wrong and exits non-zero if anything is.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
bad=0
declare -A DIR=( [base]=src/base [cty]=src/cty [plugin]=src/plugin [tf6]=src/tf6 [aws]=src/aws
                 [recon]=provider/recon [prov]=provider/prov [secure_function]=provider/secure_function )
declare -A PREFIX=( [base]=base_ [cty]=cty_ [plugin]=plugin_ [tf6]=tf6_ [aws]=aws_
                    [recon]=recon_ [prov]=prov_ [secure_function]=sf_ )
# Project modules each module may include (STYLE.md section 10). secure_function may
# also include prov/prov.h: the configured provider (aws client, default tags) is
# what the resource runs with, and tf6 hands it over as an opaque pointer.
declare -A ALLOW=( [base]="base" [cty]="cty base" [plugin]="plugin base" [tf6]="tf6 plugin cty base"
                   [aws]="aws base" [recon]="recon aws base" [prov]="prov tf6 cty aws base"
                   [secure_function]="secure_function prov tf6 cty aws recon base" )

depcheck() {
  local m f inc mod
  for m in "${!DIR[@]}"; do
    for f in "${DIR[$m]}"/*.[ch]; do
      [ -e "$f" ] || continue
      while read -r inc; do
        mod=${inc%%/*}
        case " ${ALLOW[$m]} " in *" $mod "*) ;; *) echo "depcheck: $f includes \"$inc\" ($m may use: ${ALLOW[$m]})"; bad=1;; esac
        if [ "$mod" = tf6 ] && [ "$m" != tf6 ]; then
          case "$inc" in tf6/tf6_provider.h|tf6/tf6_schema.h) ;; *) echo "depcheck: $f includes $inc (only tf6_provider.h/tf6_schema.h)"; bad=1;; esac
        fi
        case "$inc" in *_int.h) [ "$mod" = "$m" ] || { echo "depcheck: $f includes another module's $inc"; bad=1; } ;; esac
      done < <(sed -n 's/^#include "\([a-z_0-9]*\/[^"]*\)".*/\1/p' "$f")
      # third-party headers (STYLE.md C8)
      while read -r inc; do
        local ok=1
        case "$inc" in
          grpc/*) [[ $f == src/plugin/* ]] || ok=0 ;;
          protobuf-c/*) [[ $f == src/plugin/* || $f == src/tf6/* ]] || ok=0 ;;
          msgpack.h|msgpack/*) [[ $f == src/cty/cty_msgpack.c ]] || ok=0 ;;
          jansson.h) [[ $f == src/cty/cty_json.c || $f == src/aws/aws_json.c || $f == provider/prov/prov_schema.c ]] || ok=0 ;;
          curl/*) [[ $f == src/aws/aws_http.c ]] || ok=0 ;;
          libxml/*) ok=0 ;; # XML is read by src/aws/aws_xml.c itself
          openssl/*) [[ $f == src/aws/aws_crypto.c || $f == src/aws/aws_tls.c || $f == src/plugin/plugin_tls.c ]] || ok=0 ;;
        esac
        [ $ok = 1 ] || { echo "depcheck: $f includes <$inc> (not allowed there, STYLE C8)"; bad=1; }
      done < <(sed -n 's/^#include <\([^>]*\)>.*/\1/p' "$f")
      case "$f" in *.pb-c.h) ;; esac
      if grep -q '\.pb-c\.h"' "$f"; then
        grep -q 'tfplugin6\.pb-c\.h"' "$f" && [[ $f != src/tf6/* ]] && { echo "depcheck: $f includes tfplugin6 protobuf outside src/tf6"; bad=1; }
        grep -E -q '(grpc_controller|grpc_stdio|grpc_broker|health)\.pb-c\.h"' "$f" && [[ $f != src/plugin/* ]] && { echo "depcheck: $f includes go-plugin protobuf outside src/plugin"; bad=1; }
      fi
    done
  done
}

symcheck() {
  local m o s
  for m in "${!DIR[@]}"; do
    for o in "$B/obj/${DIR[$m]}"/*.o; do
      [ -e "$o" ] || continue
      while read -r s; do
        case "$s" in ${PREFIX[$m]}*|${PREFIX[$m]^^}*) ;; *) echo "symcheck: $o exports $s (want prefix ${PREFIX[$m]})"; bad=1;; esac
      done < <(nm -g --defined-only "$o" | awk '{print $3}')
    done
  done
}

lint() {
  local hits
  hits=$(grep -n -E '(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|free|strdup|strcpy|strcat|sprintf|vsprintf|atoi|atol|gets)\(' \
         $(ls src/*/*.c provider/*.c provider/*/*.c 2>/dev/null | grep -v '^src/base/') | grep -v -E '^\S+:\s*(\*|/\*)')
  if [ -n "$hits" ]; then echo "lint: banned calls outside src/base (STYLE C6):"; echo "$hits"; bad=1; fi
  hits=$(grep -n -E '^\s*static\s+__thread|_Thread_local' src/*/*.c provider/*/*.c 2>/dev/null | grep -v '^src/base/')
  if [ -n "$hits" ]; then echo "lint: thread-local state (STYLE C5/C12):"; echo "$hits"; bad=1; fi
  if command -v cppcheck >/dev/null; then
    cppcheck -q --error-exitcode=1 --enable=warning --inline-suppr --std=c11 -D_GNU_SOURCE \
      -Isrc -Iprovider --suppress=missingIncludeSystem src provider 2>&1 || bad=1
  fi
}

headercheck() {
  local h
  for h in src/*/*.h provider/*/*.h; do
    case "$h" in *_int.h) continue;; esac
    echo "#include \"${h#*/}\"" | ${CC:-gcc} -std=c11 -pedantic -Wall -Wextra -Werror -D_GNU_SOURCE -Isrc -Iprovider \
      -I"$B/gen" -I"$B/gen/proto" $(pkg-config --cflags grpc libprotobuf-c 2>/dev/null) -x c -fsyntax-only - \
      || { echo "headercheck: $h does not compile alone"; bad=1; }
  done
}

format_check() {
  clang-format --dry-run -Werror src/*/*.[ch] provider/*.c provider/*/*.[ch] tests/harness/*.[ch] 2>&1 | head -50
  clang-format --dry-run -Werror src/*/*.[ch] provider/*.c provider/*/*.[ch] tests/harness/*.[ch] >/dev/null 2>&1 || bad=1
}

testmap() {
  local m f t
  for m in "${!DIR[@]}"; do
    for f in "${DIR[$m]}"/*.c; do
      [ -e "$f" ] || continue
      t="tests/unit/$m/$(basename "$f" .c)_test.c"
      [ -e "$t" ] || echo "testmap: $f has no twin $t (covered end to end only)"
    done
  done
}

# Functions over 80 lines in src/ and provider/ (tools/funclen.sh lists them).
funclen() {
  bash tools/funclen.sh || bad=1
}

# The live recon_state of a running plan is shared by concurrent workers:
# only provider/recon/recon_state.c (its accessors take the lock) touches x->s.
statecheck() {
  local hits
  hits=$(grep -n -E '\bx->s\b|->s->' provider/recon/*.c | grep -v '^provider/recon/recon_state\.c:')
  if [ -n "$hits" ]; then
    echo "statecheck: the live state is accessed outside recon_state.c (use a recon__st_* accessor):"
    echo "$hits"; bad=1
  fi
}

case "${1:-}" in
  depcheck) depcheck ;; symcheck) symcheck ;; lint) lint ;; headercheck) headercheck ;;
  format-check) format_check ;; testmap) testmap ;; funclen) funclen ;; statecheck) statecheck ;;
  *) echo "usage: $0 depcheck|symcheck|lint|headercheck|format-check|testmap|funclen|statecheck" >&2; exit 2 ;;
esac
[ $bad = 0 ] && echo "${1}: ok"
exit $bad
