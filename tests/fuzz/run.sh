#!/usr/bin/env bash
# Runs spot's fuzz targets (make fuzz; tests/fuzz/README.md), one after the other, niced:
#   bash tests/fuzz/run.sh TARGET...           fuzz each for FUZZ_SECONDS (default 60) on
#                                              tests/fuzz/corpus/<target>/; new inputs go to
#                                              $FUZZ_BUILD/corpus/<target>/, reproducers of
#                                              findings to $FUZZ_BUILD/findings/<target>/
#   bash tests/fuzz/run.sh --merge TARGET...   minimise tests/fuzz/corpus/<target>/ (libFuzzer's
#                                              -merge=1) and add what the runs found that reaches
#                                              new edges (not with FUZZ_MERGE_FOUND=0); kept seeds
#                                              keep their names
# Prints one line per target; exit status 1 if any target found something (a crash, a
# sanitizer report, a time-out, memory exhaustion, or the harness's own verdict).
# Environment: FUZZ_BUILD (build-fuzz), FUZZ_SECONDS (60), FUZZ_TIMEOUT (25 s an input),
# FUZZ_RSS_MB (2560), FUZZ_NICE (10), FUZZ_FLAGS (more libFuzzer flags, e.g. -fork=1
# -ignore_crashes=1 to go on after a finding, or -detect_leaks=1).
set -u
cd "$(dirname "$0")/../.."
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-60}
per_input=${FUZZ_TIMEOUT:-25}
rss=${FUZZ_RSS_MB:-2560}
nice_level=${FUZZ_NICE:-10}
# Open MPI refuses root without these; leaks are not findings (PETSc and Open MPI keep memory
# for the life of the process, and an error return leaves what it allocated, as spot exits)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_abort=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

merge=0
if [ "${1:-}" = --merge ]; then
  merge=1
  shift
fi
[ $# -gt 0 ] || set -- xml table image mesh
status=0

for t in "$@"; do
  fuzzer=$build/fuzz_$t seeds=tests/fuzz/corpus/$t
  if [ ! -x "$fuzzer" ]; then
    echo "fuzz $t: no fuzzer $fuzzer (make fuzz-build)"
    status=1
    continue
  fi
  mkdir -p "$build/corpus/$t" "$build/findings/$t" "$build/logs" "$seeds"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log=$build/logs/$t.log

  if [ $merge = 1 ]; then
    new=$(mktemp -d "$build/merge-$t.XXXXXX")
    declare -A old_name=()
    for f in "$seeds"/*; do
      [ -f "$f" ] && old_name[$(sha1sum <"$f" | cut -c1-40)]=$(basename "$f")
    done
    # the seeds that add features (edges and their hit counts), then the inputs the runs found
    # that reach new edges only: counts alone would add hundreds of files
    if nice -n "$nice_level" "$fuzzer" -merge=1 -timeout="$per_input" -rss_limit_mb="$rss" -artifact_prefix="$build/findings/$t/" "$new" "$seeds" >"$log" 2>&1 &&
      { [ "${FUZZ_MERGE_FOUND:-1}" = 0 ] || nice -n "$nice_level" "$fuzzer" -merge=1 -use_counters=0 -timeout="$per_input" -rss_limit_mb="$rss" -artifact_prefix="$build/findings/$t/" "$new" "$build/corpus/$t" >>"$log" 2>&1; }; then
      before=$(ls "$seeds" | wc -l)
      rm -f "$seeds"/*
      for f in "$new"/*; do
        h=$(basename "$f")
        mv "$f" "$seeds/${old_name[$h]:-$h}"
      done
      echo "fuzz $t: corpus merged: $before files before, $(ls "$seeds" | wc -l) now ($(du -sh "$seeds" | cut -f1))"
    else
      echo "fuzz $t: merge failed, corpus left as it was (log $log)"
      status=1
    fi
    rm -rf "$new"
    unset old_name
    continue
  fi

  before=$(LC_ALL=C ls "$build/findings/$t")
  start=$(date +%s)
  # libFuzzer stops itself after max_total_time; the outer limit is for a process that cannot
  # (an input stuck where the per-input alarm cannot end it)
  timeout -k 10 $((seconds + 2 * per_input + 120)) nice -n "$nice_level" "$fuzzer" \
    -max_total_time="$seconds" -timeout="$per_input" -rss_limit_mb="$rss" -print_final_stats=1 \
    -artifact_prefix="$build/findings/$t/" "${dict[@]}" ${FUZZ_FLAGS:-} "$build/corpus/$t" "$seeds" >"$log" 2>&1
  rc=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  [ -z "$runs" ] && runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  summary="${elapsed} s, ${runs:-?} runs, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  # with -fork=1 -ignore_crashes=1 (FUZZ_FLAGS) libFuzzer ends with status 0 after findings: its new artifacts say
  found=$(LC_ALL=C comm -13 <(echo "$before") <(LC_ALL=C ls "$build/findings/$t") | sed "s|^|$build/findings/$t/|" | tr '\n' ' ')
  if [ $rc -eq 0 ] && [ -n "$found" ]; then
    status=1
    echo "fuzz $t: $summary: FOUND (going on after each): ${found% }; log $log"
  elif [ $rc -eq 0 ]; then
    echo "fuzz $t: $summary: no finding"
  else
    status=1
    reason=$(grep -m1 -oE 'FINDING.*|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [^(]*|runtime error: .*' "$log")
    reason=${reason:0:240}
    [ $rc -eq 124 ] && reason="the fuzzer did not stop by itself (killed after $elapsed s)"
    repro=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //')
    echo "fuzz $t: $summary: FOUND ${reason:-exit status $rc}; reproducer ${repro:-none}; log $log"
  fi
done
exit $status
