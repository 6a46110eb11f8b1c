#!/usr/bin/env bash
# Lists every C function in src/ and provider/ (or the files given) longer
# than MAX lines (default 80), counted from the opening "{" to the closing
# "}" at column 0 (the repo's clang-format style). Exits 1 if any.
set -uo pipefail
cd "$(dirname "$0")/.."
MAX=${MAX:-80}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=($(ls src/*/*.c provider/*/*.c 2>/dev/null))
awk -v max="$MAX" '
  FNR == 1 { name = ""; start = 0 }
  /^[A-Za-z_].*\(/ && !/;[[:space:]]*$/ {
    s = $0; sub(/\(.*/, "", s); n = split(s, w, /[ *]+/); name = w[n]
  }
  /^\{/ && name != "" { start = FNR }
  /^\}/ && start {
    len = FNR - start + 1
    if (len > max) { printf "%s:%d: %s is %d lines (max %d)\n", FILENAME, start, name, len, max; bad = 1 }
    start = 0; name = ""
  }
  END { exit bad }
' "${files[@]}"
