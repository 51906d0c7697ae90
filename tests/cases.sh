# The test cases, run by tests/run.sh: each file in tests/cases.d/ calls
#   case_ NAME TIMEOUT_SECONDS COMMAND...

# expect_error MESSAGE COMMAND...: COMMAND exits with 1 and prints exactly "spot: error: MESSAGE"
expect_error() {
  local expected="spot: error: $1" err rc
  shift
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [ $rc -ne 1 ] || [ "$err" != "$expected" ]; then
    printf 'command: %s\nexpected (exit 1): %s\ngot (exit %s):      %s\n' "$*" "$expected" "$rc" "$err"
    return 1
  fi
}
export -f expect_error

for f in tests/cases.d/*.sh; do source "$f"; done
