#!/usr/bin/env bash
# spot compare on a large movie (300 frames of 512 x 512 pixels) and spot fit on 1, 2 and 8 ranks:
# wall times, number of candidate runs and rounds, the recovered alpha.
set -u
dir="$WORK/compare"
inputs=tests/inputs/compare
mkdir -p "$dir"
echo "## spot compare and spot fit (issue 5)"
echo
echo "The run: the 2.2 x 1.6 um ellipse of \`tests/inputs/compare/run.xml\` (1C charge 10 min, rest 5 min, smooth Ni-rich D(theta))."
echo

# wall SECONDS of a command (its output in LOG)
timed() {
  local log=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" >"$log" 2>&1 || { echo "failed: $*" >&2; tail -5 "$log" >&2; echo nan; return; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}'
}

echo "### A 300-frame 512 x 512 movie"
echo
echo "spot synth at alpha 3 (65 nm pixels, PSF 0.3 um, 2 % noise, 16-bit), then spot compare against the run at alpha 2.7. The compare time includes the run, the registration, reading every frame and all figures."
echo
echo "| step | ranks | wall s | notes |"
echo "|---|---|---|---|"
t=$(timed "$dir/synth.log" "$SPOT" synth "$inputs/run.xml" -o "$dir/big.tif" --size 512,512 --frame-interval 3.01 --pixel-size 65nm -phys_alpha 3)
echo "| spot synth | 1 | $t | $(sed -n 's/^synth: \([0-9]* frames of [0-9]* x [0-9]* pixels\).*/\1/p' "$dir/synth.log"), $(du -m "$dir/big.tif" 2>/dev/null | cut -f1) MB |"
for n in 1 2; do
  t=$(timed "$dir/compare$n.log" $MPIRUN $n "$SPOT" compare "$inputs/compare.xml" -compare_experiment_stack_file "$dir/big.tif" \
    -compare_experiment_timestamps_file "$dir/big_timestamps.csv" -compare_experiment_pixel_size 65nm -compare_output_directory "$dir/compare$n")
  echo "| spot compare | $n | $t | frames read in $(sed -n 's/.*frames read in \([0-9.]*\) s.*/\1/p' "$dir/compare$n.log") s; registration $(sed -n 's/^registration: found in .*(\([0-9.]*\) s).*/\1/p' "$dir/compare$n.log") s; misfit $(sed -n 's/.*misfit \([0-9.e-]*\)$/\1/p' "$dir/compare$n.log") |"
done
echo

echo "### spot fit: alpha back from a movie at alpha 3"
echo
echo "The movie of the round-trip test (31 frames, 0.1 um pixels, PSF 0.3 um, 2 % noise, shifted 3.4 px); alpha searched in [1, 10] to 2 %. Candidates run concurrently on groups of ranks (MPI sub-communicators)."
echo
"$SPOT" synth "$inputs/run.xml" -o "$dir/small.tif" --psf-sigma 0.3um --noise 0.02 --shift 3.4,0 -phys_alpha 3 >"$dir/small.log" 2>&1
echo "| ranks | groups x ranks per run | candidate runs | rounds | wall s | alpha | k |"
echo "|---|---|---|---|---|---|---|"
for spec in "1 1" "2 1" "8 2"; do
  set -- $spec
  t=$(timed "$dir/fit$1.log" $MPIRUN $1 "$SPOT" fit "$inputs/fit.xml" -compare_experiment_stack_file "$dir/small.tif" \
    -compare_experiment_timestamps_file "$dir/small_timestamps.csv" -fit_parallel_ranks_per_run $2 -fit_output_directory "$dir/fit$1")
  sed -n 's/^fit: alpha = \([0-9.]*\) (.*misfit [0-9.e-]*, k = \([0-9.]*\),.* after \([0-9]*\) runs in \([0-9]*\) rounds on \([0-9]*\) groups\{0,1\} of \([0-9]*\) ranks\{0,1\}.*/\1 \2 \3 \4 \5 \6/p' "$dir/fit$1.log" |
    while read -r alpha k runs rounds groups rpr; do
      echo "| $1 | $groups x $rpr | $runs | $rounds | $t | $alpha | $k |"
    done
done
echo
echo "On a machine with fewer cores than ranks the groups share cores (mpirun --oversubscribe), so the 8-rank fit shows the parallel search's bookkeeping (more candidates per round, fewer rounds), not a speed-up."

echo "### Fitting the PSF sigma too"
echo
echo "The same movie and search on 2 ranks, alpha alone and alpha with <psf_sigma><range> 0.1-0.5 um (a golden-section search on sigma for every candidate run; sigma only changes the optics, applied to the rasterised run, which is not repeated). CPU: user + system time of the whole job."
echo
echo "| fit | CPU s | wall s | candidate runs | alpha | psf_sigma um |"
echo "|---|---|---|---|---|---|"
for what in alpha sigma; do
  extra=()
  [ "$what" = sigma ] && extra=(-fit_psf_sigma_range 0.1um,0.5um)
  /usr/bin/time -f "%U %S %e" -o "$dir/time_$what" $MPIRUN 2 "$SPOT" fit "$inputs/fit.xml" -compare_experiment_stack_file "$dir/small.tif" \
    -compare_experiment_timestamps_file "$dir/small_timestamps.csv" -fit_output_directory "$dir/fit_$what" "${extra[@]}" >"$dir/fit_$what.log" 2>&1
  read -r u s e <"$dir/time_$what"
  line=$(grep '^fit: alpha =' "$dir/fit_$what.log")
  echo "| $what | $(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.1f", u + s}') | $e | $(sed -n 's/.* after \([0-9]*\) runs.*/\1/p' <<<"$line") | $(sed -n 's/^fit: alpha = \([0-9.]*\) .*/\1/p' <<<"$line") | $(sed -n 's/.*psf_sigma \([0-9.]*\) um.*/\1/p' <<<"$line") |"
done
echo
