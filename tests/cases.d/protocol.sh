# Electrochemistry and protocols (issue 4): Butler-Volmer kinetics against closed forms, CV
# holds, cut-offs located by events, GITT and cycles, checkpoint/restart exactness, ranks.
IN=tests/inputs
export IN

# col FILE NAME: the column number of NAME in the header of FILE
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# step_ends FILE: the last row of every protocol step: t, step, V, I, mean, centre, periphery theta
step_ends() { awk -F, 'NR > 1 { if ($2 != p && NR > 2) print prev; p = $2; prev = $0 } END { print prev }' "$1" | cut -d, -f1,2,5,7,10,12,13; }
# ends_agree A B TOL LABEL: two step_ends listings agree to TOL relative (values below 1e-3 on 1e-3)
ends_agree() {
  paste -d, "$1" "$2" | awk -F, -v tol="$3" -v label="$4" '{ for (j = 1; j <= 7; ++j) { a = $j; b = $(j + 7); e = a - b; e = e < 0 ? -e : e; s = a < 0 ? -a : a; s = s < 1e-3 ? 1e-3 : s; if (e / s > m) m = e / s } }
    END { printf "%s: step ends agree to %.2e relative\n", label, m; exit m < tol ? 0 : 1 }'
}
export -f col step_ends ends_agree

# Very fast diffusion: V(t) = U(mean theta) + (2RT/F) asinh(i/(2 i0(mean theta))) for beta = 1/2,
# to 1e-6 V in the whole cc step; then the CV hold relaxes theta to U^-1(3.85 V) = 0.4 with a
# current that decays monotonically (to 2e-6 of its start: the time tolerance; the late current,
# 1e-5 of the start, is a small difference, and a rise of 1.3e-6 appeared when the flux's round-off
# changed) to the cut-off (1e-7 A/m2, located to 1e-6 relative).
bv_fast() {
  local d="$TMPROOT/bv_fast" f
  "$SPOT" run $IN/bv_fast.xml -out_directory "$d" > "$d.log" 2>&1 || { cat "$d.log"; return 1; }
  f="$d/timeseries.csv"
  awk -F, -v V=$(col $f voltage_V) -v I=$(col $f current_density_A_per_m2) -v M=$(col $f mean_theta) -v S=$(col $f step_type) '
    NR > 1 && $S == "cc" {
      f = 96485.33212 / (8.314462618 * 298.15); th = $M; x = $I / (2 * 2 * sqrt(th * (1 - th)))
      e = $V - (3.8 - 0.5 * (th - 0.5) + 2 / f * log(x + sqrt(x * x + 1))); if (e < 0) e = -e; if (e > m) m = e; n++ }
    NR > 1 && $S == "cv" { a = $I < 0 ? -$I : $I; if (!seen) first = a; if (seen && a > prev + 2e-6 * first) up++; prev = a; seen = 1; last_i = a; last_th = $M }
    END {
      printf "cc rows %d: max |V - analytic| = %.3e V\n", n, m
      printf "cv: |i| from %.6e to %.6e A/m2 (increases by more than 2e-6 of the first: %d), final mean theta %.8f\n", first, last_i, up, last_th
      ok = n > 10 && m < 1e-6 && up == 0 && (last_i - 1e-7 < 1e-13 && 1e-7 - last_i < 1e-13) && (last_th - 0.4 < 1e-6 && 0.4 - last_th < 1e-6)
      exit ok ? 0 : 1 }' "$f"
}
export -f bv_fast
case_ bv_fast_diffusion_analytic 120 bv_fast

# Slow diffusion, fast kinetics, CV hold on a disc of radius R = 1 um: the current decays like
# exp(-j01^2 D t / R^2), the slowest mode of the disc; the measured rate between 600 s and 1200 s
# agrees to 1 % (tight time tolerances: the late current is a small difference).
bv_disc_cv() {
  local d="$TMPROOT/bv_disc_cv" f
  "$SPOT" run $IN/bv_disc_cv.xml -out_directory "$d" -solver_rtol 1e-7 -solver_atol 1e-9 > "$d.log" 2>&1 || { cat "$d.log"; return 1; }
  f="$d/timeseries.csv"
  awk -F, -v I=$(col $f current_density_A_per_m2) 'NR > 1 { t = $1; i = $I < 0 ? -$I : $I
      if (t >= 600 && !a) { a = 1; t1 = t; i1 = i } if (t >= 1200 && !b) { b = 1; t2 = t; i2 = i } }
    END { lam = log(i1 / i2) / (t2 - t1); th = 1e-15 * 2.404826^2 / 1e-12
      printf "decay rate %.6e 1/s, disc series %.6e 1/s, ratio %.5f\n", lam, th, lam / th
      exit (a && b && lam / th > 0.99 && lam / th < 1.01) ? 0 : 1 }' "$f"
}
export -f bv_disc_cv
case_ bv_cv_disc_decay 180 bv_disc_cv

# A CC-CV protocol with the real OCP table: each step ends at its cut-off within the event
# tolerance (V to 1e-6 V, the CV current to 1e-6 relative), the galvanostatic current is the set
# one and the inventory is conserved (1e-12) in cc and rest steps, the CV current integral
# matches the inventory change to the time accuracy (1e-2).
bv_cccv() {
  local d="$TMPROOT/bv_cccv" f log
  "$SPOT" run $IN/bv_small.xml -out_directory "$d" > "$d.log" 2>&1 || { cat "$d.log"; return 1; }
  f="$d/timeseries.csv"
  log=$(cat "$d.log")
  grep -q "^step 1/5 1C charge      ended by its voltage cut-off" <<<"$log" || { echo "step 1: $(grep '^step 1/' <<<"$log")"; return 1; }
  grep -q "^step 3/5 2C discharge   ended by its voltage cut-off" <<<"$log" || { echo "step 3: $(grep '^step 3/' <<<"$log")"; return 1; }
  grep -q "^step 4/5 CV 3.6 V       ended by its current cut-off" <<<"$log" || { echo "step 4: $(grep '^step 4/' <<<"$log")"; return 1; }
  awk -F, -v V=$(col $f cell_voltage_V) -v I=$(col $f current_density_A_per_m2) -v R=$(col $f c_rate_1_per_h) -v K=$(col $f step) -v E=$(col $f inventory_error) -v S=$(col $f step_type) '
    function abs(x) { return x < 0 ? -x : x }
    NR > 1 { if (NR > 2 && $K != k) { end[k] = v; endi[k] = i } k = $K; v = $V; i = $I
      if ($S == "cc" && abs($R) > 0 && abs(abs($R) - (k == 1 ? 1 : 2)) > 1e-8 * (k == 1 ? 1 : 2)) bad++
      if ($S != "cv" && abs($E) > me) me = abs($E); if ($S == "cv" && abs($E) > mc) mc = abs($E) }
    END { end[k] = v; endi[k] = i
      printf "V at the end of step 1: %.9f (4.2), step 3: %.9f (3.6); |i| at the end of the CV: %.9e A/m2\n", end[1], end[3], abs(endi[4])
      printf "c-rate off the set one in %d rows; inventory error %.2e (cc, rest), %.2e (cv)\n", bad, me, mc
      exit (abs(end[1] - 4.2) < 1e-6 && abs(end[3] - 3.6) < 1e-6 && bad == 0 && me < 1e-12 && mc < 1e-2) ? 0 : 1 }' "$f" || return 1
  # the CV cut-off: C/20 of the 1C current density of the cc step
  awk -F, -v I=$(col $f current_density_A_per_m2) -v K=$(col $f step) 'NR > 1 && $K == 1 { c1 = $I } NR > 1 && $K == 4 { i = $I < 0 ? -$I : $I }
    END { r = i / (0.05 * c1); printf "CV end current / (C/20) = %.9f\n", r; exit (r > 1 - 1e-6 && r < 1 + 1e-6) ? 0 : 1 }' "$f"
}
export -f bv_cccv
case_ bv_cccv_cutoffs 120 bv_cccv

# Capacity, mean-theta and dV/dt cut-offs; a cycle repeated 3 times; a GITT macro of 4 pulses
bv_cycle() {
  local d="$TMPROOT/bv_cycle" f log n
  "$SPOT" run $IN/bv_cycle.xml -out_directory "$d" > "$d.log" 2>&1 || { cat "$d.log"; return 1; }
  f="$d/timeseries.csv"
  log=$(cat "$d.log")
  awk -F, -v M=$(col $f mean_theta) -v K=$(col $f step) -v V=$(col $f cell_voltage_V) '
    function abs(x) { return x < 0 ? -x : x }
    NR == 2 { m0 = $M } NR > 2 && $K != k { endm[k] = m } NR > 1 { k = $K; m = $M }
    END { printf "step 1 passed %.12f (0.1); step 2 ended at mean theta %.12f (0.6)\n", m0 - endm[1], endm[2]
      exit (abs(m0 - endm[1] - 0.1) < 1e-9 && abs(endm[2] - 0.6) < 1e-9) ? 0 : 1 }' "$f" || return 1
  grep -q "^step 3/17 to dV/dt       ended by its dV/dt cut-off" <<<"$log" || { echo "step 3: $(grep '^step 3/' <<<"$log")"; return 1; }
  n=$(grep -c "^step [0-9]*/17 cycled charge  ended by its duration" <<<"$log")
  [ "$n" -eq 3 ] || { echo "cycled charges: $n, expected 3"; return 1; }
  [ "$(awk -F, -v C=$(col $f cycle) 'NR > 1 { print $C }' "$f" | sort -u | tr '\n' ' ')" = "0 1 2 3 " ] || { echo "cycle column: $(awk -F, -v C=$(col $f cycle) 'NR > 1 { print $C }' "$f" | sort -u | tr '\n' ' ')"; return 1; }
  n=$(grep -c "^step [0-9]*/17 gitt pulse [1-4] *ended by its duration" <<<"$log")
  [ "$n" -eq 4 ] || { echo "gitt pulses: $n, expected 4"; return 1; }
  n=$(grep -c "^step [0-9]*/17 gitt rest [1-4] *ended by its duration" <<<"$log")
  [ "$n" -eq 4 ] || { echo "gitt rests: $n, expected 4"; return 1; }
  # the record has exactly 4 current pulses: count the rest -> current transitions after step 9
  n=$(awk -F, -v K=$(col $f step) -v I=$(col $f current_density_A_per_m2) 'NR > 1 && $K >= 10 { on = ($I != 0); if (on && !was) p++; was = on } END { print p }' "$f")
  [ "$n" -eq 4 ] || { echo "current pulses in the record: $n, expected 4"; return 1; }
}
export -f bv_cycle
case_ bv_cutoffs_cycles_gitt 120 bv_cycle

# Restart: a run that keeps a checkpoint between every 20-step segment, restarted on 1 rank from
# inside step 1, from the start of step 2 and from later: every later row agrees with the
# uninterrupted run to 1e-10. Restarted on 2 ranks (dofs matched by coordinates), the steps end
# for the same reasons and agree to the time tolerance (5e-4; see bv_mpi_1_2_4).
restart_check() {
  local d="$TMPROOT/restart" full k name t0
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/bv_small.xml -out_directory "$d/full" -out_fields false -out_checkpoint_keep -out_checkpoint_interval 0 -solver_segment_steps 20 > "$d/full.log" 2>&1 || { cat "$d/full.log"; return 1; }
  full="$d/full/timeseries.csv"
  # one checkpoint inside step 1, the one before step 2, one inside step 3
  local inside1 before2 inside3
  inside1=$(grep -m1 "inside step 1$" "$d/full.log" | sed 's/.*checkpoint_\([0-9]*\).*/\1/')
  before2=$(grep -m1 "before step 2$" "$d/full.log" | sed 's/.*checkpoint_\([0-9]*\).*/\1/')
  inside3=$(grep -m1 "inside step 3$" "$d/full.log" | sed 's/.*checkpoint_\([0-9]*\).*/\1/')
  [ -n "$inside1" ] && [ -n "$before2" ] && [ -n "$inside3" ] || { echo "missing checkpoints: $(grep '^checkpoint' "$d/full.log")"; return 1; }
  for k in $inside1 $before2 $inside3; do
    name="r$k"
    "$SPOT" run $IN/bv_small.xml -out_directory "$d/$name" -out_fields false -out_checkpoints false -solver_segment_steps 20 -init_checkpoint_file "$d/full/checkpoint_$k.h5" > "$d/$name.log" 2>&1 || { cat "$d/$name.log"; return 1; }
    grep -m1 "^initial state" "$d/$name.log"
    # rows after the restart's first one, against the same rows of the uninterrupted run
    t0=$(sed -n 3p "$d/$name/timeseries.csv" | cut -d, -f1)
    { head -1 "$full"; awk -F, -v t="$t0" 'f || $1 == t { f = 1; print }' "$full"; } > "$d/$name.expected"
    { head -1 "$full"; tail -n +3 "$d/$name/timeseries.csv"; } > "$d/$name.got"
    [ "$(wc -l < "$d/$name.got")" -gt 10 ] || { echo "$name: too few rows after the restart"; return 1; }
    "$TOOLS/csvdiff" "$d/$name.expected" "$d/$name.got" 1e-10 inventory_error=1 || { echo "restart from checkpoint $k"; return 1; }
  done
  grep -q "resuming at step 1$" "$d/r$inside1.log" && grep -q "resuming at step 2$" "$d/r$before2.log" && grep -q "resuming at step 3$" "$d/r$inside3.log" || { echo "expected restarts inside step 1, at the start of step 2 and inside step 3"; return 1; }
  $MPIRUN 2 "$SPOT" run $IN/bv_small.xml -out_directory "$d/r2" -out_fields false -out_checkpoints false -solver_segment_steps 20 -init_checkpoint_file "$d/full/checkpoint_$inside1.h5" > "$d/r2.log" 2>&1 || { cat "$d/r2.log"; return 1; }
  diff <(grep "^step" "$d/full.log" | sed 's/ at t = .*//') <(grep "^step" "$d/r2.log" | sed 's/ at t = .*//') || { echo "2-rank restart: steps end differently"; return 1; }
  ends_agree <(step_ends "$full") <(step_ends "$d/r2/timeseries.csv") 5e-4 "2-rank restart"
}
export -f restart_check
case_ restart_exact 300 restart_check

# A checkpoint from the end of a run starts another protocol; the same protocol has nothing left
restart_new_protocol() {
  local d="$TMPROOT/restart_new"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/bv_fast.xml -out_directory "$d/a" > "$d/a.log" 2>&1 || { cat "$d/a.log"; return 1; }
  "$SPOT" run $IN/bv_fast.xml -out_directory "$d/b" -init_checkpoint_file "$d/a/checkpoint.h5" -proto_0_duration 5min -proto_0_c_rate 0.5C > "$d/b.log" 2>&1 || { cat "$d/b.log"; return 1; }
  grep -q "^step 1/2 charge .*mean theta 0.35833 (step change -0.04167)" "$d/b.log" || { echo "expected the new charge from theta 0.4: $(grep '^step 1/' "$d/b.log")"; return 1; }
  spot_bad restart_same "option -init_checkpoint_file: the checkpoint $d/a/checkpoint.h5 was written at the end of this protocol; nothing is left to run (give another protocol to continue from it)" run $IN/bv_fast.xml -init_checkpoint_file "$d/a/checkpoint.h5"
}
export -f restart_new_protocol
case_ restart_new_protocol 120 restart_new_protocol

# 1, 2 and 4 ranks agree on a Butler-Volmer CC-CV protocol. Sums in another order move the
# adaptive time steps and event brackets by round-off, and the step sequences then part, so the
# runs agree to the time-integration tolerance, not to round-off: every step ends for the same
# reason, and its end (t, V, I, mean, centre and periphery theta) agrees to 5e-4 relative.
bv_mpi() {
  local d="$TMPROOT/bv_mpi"
  for n in 1 2 4; do
    $MPIRUN $n "$SPOT" run $IN/bv_small.xml -out_directory "$d/$n" -out_fields false -out_checkpoints false > "$d.$n.log" 2>&1 || { cat "$d.$n.log"; return 1; }
    grep "^step" "$d.$n.log" | sed 's/ at t = .*//' > "$d.$n.reasons"
    step_ends "$d/$n/timeseries.csv" > "$d.$n.ends"
  done
  for n in 2 4; do
    cmp -s "$d.1.reasons" "$d.$n.reasons" || { echo "steps end differently on $n ranks:"; diff "$d.1.reasons" "$d.$n.reasons"; return 1; }
    ends_agree "$d.1.ends" "$d.$n.ends" 5e-4 "$n ranks against 1" || return 1
  done
}
export -f bv_mpi
case_ bv_mpi_1_2_4 300 bv_mpi

# Bad protocol and kinetics input (spot_bad: tests/cases.d/bad_input.sh)
case_ bad_cv_no_voltage 30 spot_bad cv_no_voltage "tests/inputs/bad_cv_no_voltage.xml:38 (step): a cv step needs the voltage to hold (<voltage unit=\"V\">)" run $IN/bad_cv_no_voltage.xml
case_ bad_cutoff_unit_xml 30 spot_bad cutoff_unit_xml "tests/inputs/bad_cutoff_unit.xml:36: Element 'voltage_below', attribute 'unit': [facet 'enumeration'] The value 'A' is not an element of the set {'V', 'mV'}." run $IN/bad_cutoff_unit.xml
case_ bad_cutoff_unit_option 30 spot_bad cutoff_unit_option "option -proto_2_voltage_below: unknown unit 'A' for -proto_2_voltage_below, expected a unit of potential such as V" run $IN/bv_small.xml -proto_2_voltage_below 3.6A
case_ bad_cc_never_ends 30 spot_bad cc_never_ends "tests/inputs/bad_cc_never_ends.xml:34 (step): step 3 (2C discharge) can never end: a discharge moves the mean theta up and the voltage down, so it needs a duration, capacity, theta_above or voltage_below" run $IN/bad_cc_never_ends.xml
case_ bad_voltage_outside_ocp 30 spot_bad voltage_outside_ocp "tests/inputs/bad_voltage_outside_ocp.xml:24 (<voltage>): 4.6 V lies outside the open-circuit potential table tests/inputs/../../data/ocp/nmc811_LGM50_ocp_Chen2020.csv (3.52302 V to 4.4 V over theta 0.248797 to 1.)" run $IN/bad_voltage_outside_ocp.xml
case_ bad_i0_zero_xml 30 spot_bad i0_zero_xml "tests/inputs/bad_i0_zero.xml:18: Element 'value': [facet 'minExclusive'] The value '0' must be greater than '0'." run $IN/bad_i0_zero.xml
case_ bad_i0_negative_option 30 spot_bad i0_negative_option "option -phys_exchange_current_value: the prefactor k0 of the exchange current must be positive, got -1." run $IN/bv_small.xml -phys_exchange_current_value -1
case_ bad_checkpoint_missing 30 spot_bad checkpoint_missing "option -init_checkpoint_file: cannot read the checkpoint tests/inputs/nothere.h5" run $IN/bv_small.xml -init_checkpoint_file $IN/nothere.h5
bad_checkpoint_files() {
  local d="$TMPROOT/bad_ckpt"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/bv_fast.xml -out_directory "$d/a" > "$d/a.log" 2>&1 || { cat "$d/a.log"; return 1; }
  spot_bad checkpoint_other_mesh "option -init_checkpoint_file: the checkpoint $d/a/checkpoint.h5 is of another mesh (2-D, 163 unknowns, volume 1.3789 um^2; this run: 2-D, 400 unknowns, 1.3814 um^2): restart with the input (mesh, element degree) that wrote it" run $IN/bv_small.xml -init_checkpoint_file "$d/a/checkpoint.h5" || return 1
  cp "$d/a/timeseries.csv" "$d/not.h5"
  spot_bad checkpoint_not_hdf5 "option -init_checkpoint_file: $d/not.h5 is not a spot checkpoint (not an HDF5 file)" run $IN/bv_small.xml -init_checkpoint_file "$d/not.h5"
}
export -f bad_checkpoint_files
case_ bad_checkpoint_files 60 bad_checkpoint_files

# The shipped CC/CV example: the 1C discharge ends by its voltage cut-off (not by the surface
# saturating: a Newton test that trusted line-search-shortened steps once ended it there), at its
# end the periphery band is > 0.1 richer in Li than the centre, and the CV hold recovers more than
# 10 % of the CC discharge capacity
example_cccv() {
  local out
  out=$(SPOT="$SPOT" bash examples/cccv_cycle/run.sh 2>&1) || { echo "$out" | tail; return 1; }
  grep -q "^step 3/5 1C discharge   ended by its voltage cut-off" <<<"$out" || { echo "step 3: $(grep '^step 3/' <<<"$out")"; return 1; }
  grep -E "^end of the 1C|^capacity" <<<"$out"
  awk '/^end of the 1C discharge/ { gsub(",", ""); p = $11; c = $13; ok1 = (p - c > 0.1) }
       /^capacity/ { gsub("[(%]", ""); r = $(NF - 4); ok2 = (r > 10) }
       END { exit (ok1 && ok2) ? 0 : 1 }' <<<"$out"
}
export -f example_cccv
case_ example_cccv_cycle 180 example_cccv

# Two runs at once without mpirun (an alpha sweep): Open MPI's isolated singletons share a session
# directory, which the first to finish removes. The other, writing its checkpoint later, printed
# "mca_sharedfp_sm_component_file_query: Error, unable to open file for mmap" (until 2026-11).
# The long run must still be going when the short one ends (it writes a checkpoint at each of its
# two step ends), or the test arranged nothing.
concurrent_runs() {
  local d="$TMPROOT/concurrent" pid rc
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/small.xml -mesh_cell_size 0.01 -mesh_boundary_cell_size 0.01 -out_fields false -out_directory "$d/long" > "$d/long.log" 2>&1 &
  pid=$!
  "$SPOT" run $IN/small.xml -out_fields false -out_directory "$d/short" > "$d/short.log" 2>&1 || { cat "$d/short.log"; return 1; }
  kill -0 $pid 2> /dev/null || { echo "the long run ended before the short one: the race was not arranged"; return 1; }
  wait $pid
  rc=$?
  [ $rc -eq 0 ] || { echo "the long run failed ($rc)"; tail -3 "$d/long.log"; return 1; }
  [ -s "$d/long/checkpoint.h5" ] || { echo "no checkpoint from the long run"; return 1; }
  ! grep "mca_\|Error" "$d/long.log" || { echo "the long run reported the above"; return 1; }
}
export -f concurrent_runs
case_ concurrent_runs 120 concurrent_runs

# Protocols of any length (issue 17): PETSc 3.18's options database holds 512 entries, so steps are
# kept in a table of their own. A 500-pulse GITT (1000 steps) runs every step: the step column
# reaches 1000, the last step is the 500th rest, the mean theta falls by exactly 500 pulses x 10 s
# x C/10 (conservation), and a step's value given on the command line wins over the document's
# (pulse 400 made 20 s long moves the final mean by one more pulse).
gitt500() {
  local d="$TMPROOT/gitt500"
  "$SPOT" run $IN/gitt500.xml -out_directory "$d/a" > "$d.a.log" 2>&1 || { tail -5 "$d.a.log"; return 1; }
  grep -q "^protocol: 1000 steps" "$d.a.log" || { echo "protocol not 1000 steps"; head -8 "$d.a.log"; return 1; }
  grep -q "^step 1000/1000 gitt rest 500 " "$d.a.log" || { echo "no 1000th step"; tail -5 "$d.a.log"; return 1; }
  awk -F, -v m=$(col "$d/a/timeseries.csv" mean_theta) 'END { e = $m - (0.95 - 500 * 10 * 0.1 / 3600); if (e < 0) e = -e; if ($2 != 1000 || e > 1e-9) { print "last step " $2 ", final mean " $m; exit 1 } }' "$d/a/timeseries.csv" || return 1
  "$SPOT" run $IN/gitt500.xml -out_directory "$d/b" -proto_798_duration 20s > "$d.b.log" 2>&1 || { tail -5 "$d.b.log"; return 1; }
  grep -q "^step 799/1000 gitt pulse 400 *ended by its duration at t = .* (15980 s)" "$d.b.log" || { echo "pulse 400 not 20 s long"; grep "^step 79[89]/" "$d.b.log"; return 1; }
  awk -F, -v m=$(col "$d/b/timeseries.csv" mean_theta) 'END { e = $m - (0.95 - 501 * 10 * 0.1 / 3600); if (e < 0) e = -e; if (e > 1e-9) { print "final mean " $m; exit 1 } }' "$d/b/timeseries.csv"
}
export -f gitt500
case_ protocol_gitt_500_pulses 300 gitt500
