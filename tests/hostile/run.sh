#!/usr/bin/env bash
# spot's hostile-input suite: generates the cases (tests/hostile/generate.py) into $BUILD/hostile
# and runs them two at a time (tests/hostile/runner.py), checking spot's contract for bad input:
#   - exit status exactly 1: no signal, no hang (15 s per case, 30-45 s for the few that run a
#     simulation first or use two ranks), at most 4 GiB of address space per process (prlimit)
#   - stderr exactly one line, starting "spot: error: " (stdout may hold the report before it)
#   - nothing new, changed or removed in the case's work/ (its files and working directory: every
#     entry, dot files and *.part included), nothing left in /tmp (a private tmpfs), nothing
#     written to the case's escape/ (where hostile inputs aim) or $HOME, the repository or the
#     shared fixtures; /etc/passwd never shows up in the output (XXE)
# Each case runs in a mount namespace of its own (unshare -m, as root), which also holds the
# read-only and the full file systems some cases write to; without root those cases are skipped.
# Cases that break the contract today are listed in expected_failures below: the suite passes while
# exactly those fail, says how many remain, and fails if another case breaks or if one of them
# starts passing (then delete its line).
#   bash tests/hostile/run.sh [PATTERN]    only the cases whose name contains PATTERN
# Environment: SPOT (default bin/spot), BUILD (build), HOSTILE_JOBS (2), VERBOSE=1 also prints the
# expected failures, HOSTILE_KEEP=1 reuses the generated cases as the last run left them (to rerun
# a few while debugging; a leftover of that run is then no longer new). Details: $BUILD/hostile/report.txt.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
SPOT=${SPOT:-$REPO/${BIN:-bin}/spot}
case $SPOT in /*) ;; *) SPOT=$REPO/$SPOT ;; esac
HOSTILE=$BUILD/hostile
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none PMIX_MCA_gds=hash
# shared memory only: probing the network transports (UCX, OFI) costs every spot 0.2 s of waiting,
# which is most of a case; what spot does with bad input does not depend on the transport
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi

# ---------------------------------------------------------------------------------------------
# Cases that break the contract today: NAME -> why (one line each). Delete a line when its fix lands.
declare -A expected_failures=(
)
# Files that every case starting Gmsh leaves in $HOME: not counted per case, but a full run fails
# when no case leaves them any more (then clear these two lines)
export HOSTILE_HOME_EXPECTED=""
export HOSTILE_HOME_REASON=""
# ---------------------------------------------------------------------------------------------

[ -x "$SPOT" ] || { echo "hostile: no spot binary at $SPOT (make first)"; exit 1; }
if [ -z "${HOSTILE_KEEP:-}" ] || [ ! -d "$HOSTILE/cases" ]; then
  /usr/bin/python3 tests/hostile/generate.py "$HOSTILE" --repo "$REPO" --spot "$SPOT" >/dev/null || { echo "hostile: generate.py failed"; exit 1; }
fi
for n in "${!expected_failures[@]}"; do printf '%s\t%s\n' "$n" "${expected_failures[$n]}"; done >"$HOSTILE/expected.tsv"
exec /usr/bin/python3 tests/hostile/runner.py "$HOSTILE" "$SPOT" "$REPO" "$HOSTILE/expected.tsv" "${1:-}"
