# Maximum probe error of a run against the reference:  awk -f probe_error.awk REF.csv RUN.csv
# Both files: a header line (lines starting with # are skipped), then t_s, theta_1, theta_2, ...
# Prints the largest |theta - theta_ref| over every probe and every reference time, and where
# it occurs ("err t probe"); "inf" when the run lacks a reference time (e.g. it stopped early).
# With -v exclude=T:P the entry of probe P at time T is left out (the front's arrival at the
# centroid, -v exclude=2400:1, converges far slower than the rest: bench/problems/README.md);
# a comma-separated list (-v exclude=2400:1,120:2) leaves out each.
BEGIN { FS = ","; nref = 0; worst = -1; nx = split(exclude, xs, ","); for (i = 1; i <= nx; i++) skip[xs[i]] = 1 }
/^#/ { next }
FNR == 1 || !(FILENAME in seen) { seen[FILENAME] = 1; next } # the header: first line that is not a comment
FNR == NR { nref++; rt[nref] = $1; for (i = 2; i <= NF; i++) ref[nref, i] = $i; nc = NF; next }
{ for (k = 1; k <= nref; k++) if (!(k in hit) && ($1 - rt[k])^2 <= (1e-6 * (1 + rt[k]))^2) {
    hit[k] = 1
    for (i = 2; i <= nc; i++) { if ((rt[k] ":" (i - 1)) in skip) continue; d = $i - ref[k, i]; if (d < 0) d = -d; if ($i != $i + 0 || d > worst) { worst = d; wt = rt[k]; wp = i - 1 } }
  } }
END {
  for (k = 1; k <= nref; k++) if (!(k in hit)) { print "inf", rt[k], 0; exit }
  printf "%.3e %g %d\n", worst, wt, wp
}
