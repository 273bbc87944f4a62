# Helpers shared by the end-to-end tests of the ogrh command (tests/cli.sh, tests/plan.sh).
# Source it after setting T (a scratch folder); it keeps the counts in pass and fail.
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect CODE CMD... : runs CMD, checks the exit code; output in $T/out, $T/err
expect() {
  local want=$1; shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got (want $want): $*"; cat "$T/err" >&2; fi
}
has() { if grep -q -- "$2" "$T/$1"; then ok; else bad "$1 lacks '$2'"; cat "$T/$1" >&2; fi; }
lacks() { if grep -q -- "$2" "$T/$1"; then bad "$1 has '$2'"; cat "$T/$1" >&2; else ok; fi; }
# Plain output: no trailing spaces, no escape codes when stdout is not a terminal.
clean() {
  if grep -q ' $' "$T/out"; then bad "trailing spaces in: $*"; else ok; fi
  if grep -q $'\033' "$T/out"; then bad "escape codes in: $*"; else ok; fi
}
# The output is one JSON document (python3 reads it).
json_ok() {
  if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null; then ok
  else bad "not JSON: $*"; head -c 300 "$T/out" >&2; fi
}
# json_is EXPR WANT: a Python expression on the JSON output (named j) prints WANT.
json_is() {
  local got
  got=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$T/out" "$1" 2>&1)
  if [ "$got" = "$2" ]; then ok; else bad "JSON $1 is '$got', not '$2'"; fi
}
# unchanged FILE SUM: the file still has the md5 sum SUM.
unchanged() { if [ "$(md5sum < "$1")" = "$2" ]; then ok; else bad "$1 changed: ${3:-}"; fi; }
