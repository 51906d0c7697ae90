#!/usr/bin/env bash
# spot's benchmarks: every bench/sections/*.sh prints a Markdown section; the whole report, with
# the machine and the versions, goes to bench/RESULTS.md. Figures, not pass/fail: timings never
# enter `make check`.   bash bench/run.sh [PATTERN]
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} BIN=${BIN:-bin}
export SPOT="$PWD/$BIN/spot" BENCH="$PWD/$BUILD/bench" WORK="$PWD/$BUILD/bench-work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none PMIX_MCA_gds=hash
export MPIRUN="mpirun --oversubscribe --quiet -n"
mkdir -p "$WORK"
out=bench/RESULTS.md
tmp=$(mktemp)
start=$(date +%s)
load() { awk '{print $1, $2, $3}' /proc/loadavg; }
{
  echo "# spot benchmark results"
  echo
  echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
  echo "Versions: $("$SPOT" version | head -1), Gmsh $(gmsh --version 2>&1 | tail -1), $(mpirun --version 2>/dev/null | head -1), $(gcc --version | head -1)."
  echo "Load average (1, 5, 15 min) at the start: $(load) (other work on the machine slows wall times; CPU times are given too)."
  echo
  for f in bench/sections/*.sh; do
    [ -e "$f" ] || continue
    [[ -n "${1:-}" && "$f" != *"$1"* ]] && continue
    echo "running $f" >&2
    t0=$(date +%s)
    bash "$f" || echo "(section $f failed)"
    echo
    echo "($(basename "$f" .sh): $(($(date +%s) - t0)) s)"
    echo
  done
  echo "---"
  echo
  echo "Total: $(($(date +%s) - start)) s for \`bash bench/run.sh${1:+ $1}\`; load average at the end: $(load)."
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out"
