#!/usr/bin/env bash
# spot's test runner: every case in tests/cases.sh, quiet on success, failures with their
# output, and one summary line "N passed, N failed". Exit status 0 only if none failed.
#   bash tests/run.sh [PATTERN]    run only the cases whose name contains PATTERN
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} BIN=${BIN:-bin}
export SPOT="$PWD/$BIN/spot" TOOLS="$PWD/$BUILD/tools" TESTS="$PWD/$BUILD/tests"
export TMPROOT="$PWD/$BUILD/test-tmp"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none PMIX_MCA_gds=hash
export MPIRUN="mpirun --oversubscribe --quiet -n"
rm -rf "$TMPROOT" && mkdir -p "$TMPROOT"
pattern=${1:-}
passed=0 failed=0 failures=()
start=$(date +%s)

# case_ NAME TIMEOUT_SECONDS COMMAND...: passes when COMMAND (a program, or a function exported
# with export -f) exits 0 within the time limit
case_() {
  local name=$1 limit=$2; shift 2
  [[ -n "$pattern" && "$name" != *"$pattern"* ]] && return 0
  local log="$TMPROOT/$name.log" t0=$(date +%s)
  if timeout "$limit" bash -c '"$@"' case_ "$@" >"$log" 2>&1; then   # bash -c: commands may be exported functions
    passed=$((passed + 1))
    [ -n "${VERBOSE:-}" ] && echo "ok   $name ($(( $(date +%s) - t0 )) s)"
  else
    local rc=$?
    failed=$((failed + 1)); failures+=("$name")
    echo "FAIL $name (exit $rc$([ $rc -eq 124 ] && echo ", timed out after ${limit} s"))"
    tail -n 25 "$log" | sed 's/^/     /'
  fi
  return 0
}

# slow_case_ NAME TIMEOUT_SECONDS COMMAND...: a case of make check-slow (SPOT_CHECK_SLOW=1) only:
# more combinations of a sweep whose first ones make check runs, kept out of its 20 minutes
slow=0
slow_case_() {
  if [ -z "${SPOT_CHECK_SLOW:-}" ]; then
    [[ -n "$pattern" && "$1" != *"$pattern"* ]] || slow=$((slow + 1))
    return 0
  fi
  case_ "$@"
}

source tests/cases.sh

[ "$slow" -gt 0 ] && echo "($slow slow case(s) left to make check-slow)"
echo "$passed passed, $failed failed"
[ -n "${VERBOSE:-}" ] && echo "($(( $(date +%s) - start )) s)"
[ "$failed" -eq 0 ]
