# spot gitt: D(theta) from GITT records (issue 6, analysis part)
#   C tests: Weppner-Huggins on exact slab/disc records, the pulse finder, the real records, plots.
#   Command line: the real record end to end, 1 vs 2 ranks, L from a mesh, every error message.
case_ gitt_unit_wh 120 "$TESTS/test_gitt_wh"
case_ gitt_unit_pulses 60 "$TESTS/test_gitt_pulses"
case_ gitt_unit_record 120 "$TESTS/test_gitt_record"
case_ gitt_unit_plot 60 "$TESTS/test_gitt_plot"

GITT_VTC5A=data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv
GITT_POINTS=data/gitt/vtc5a_fullcell_GITT_20C_charge_relaxed_OCV_points_TUMFTM.csv
GITT_TRAN=data/gitt/fullcell_2C_pulse_relaxation_Tran_cell43_PyBaMM_PR3293.csv
export GITT_VTC5A GITT_POINTS GITT_TRAN

# gitt_fail MESSAGE: print MESSAGE and fail
gitt_fail() {
  echo "$*"
  return 1
}


# gitt_png_size FILE: "WIDTH HEIGHT" from the PNG header, or nothing if FILE is not a PNG
gitt_png_size() {
  [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ] || return 1
  od -An -tu1 -j16 -N8 "$1" | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8}'
}

# The 18650 record end to end: the summary, the three files, the relaxed voltages against the authors'
gitt_cli_record() {
  local out="$TMPROOT/gitt_cli_record" log
  log=$("$SPOT" gitt "$GITT_VTC5A" --length 5um --capacity 2.6Ah --theta-start 1 -o "$out") || gitt_fail "spot gitt failed: $log" || return 1
  grep -qx "  pulses: 60 found (pulse current 0.2583 A), 59 used for D(theta)" <<<"$log" || gitt_fail "summary: $log" || return 1
  grep -qx "  excluded, current not constant: pulse 60" <<<"$log" || gitt_fail "the CC-CV pulse 60 should be excluded: $log" || return 1
  local d="$out/diffusivity.csv" p="$out/pulses.csv"
  head -1 "$d" | grep -q "^# Made by spot gitt on " || gitt_fail "$d does not start with its provenance" || return 1
  grep -qx "# Source: $GITT_VTC5A: columns time_s \[s\], current_A \[A, positive = charge\], voltage_V \[V\]" "$d" || gitt_fail "$d: no source line" || return 1
  grep -qx "# L = 5 um (argument --length); theta_start = 1 (argument --theta-start); capacity = 2.6 Ah (argument --capacity)" "$d" || gitt_fail "$d: no parameter line" || return 1
  [ "$(grep -v '^#' "$d" | head -1)" = "theta,D_cm2_per_s" ] || gitt_fail "$d: header is not theta,D_cm2_per_s" || return 1
  [ "$(grep -v '^#' "$d" | tail -n +2 | wc -l)" -eq 59 ] || gitt_fail "$d: expected 59 rows" || return 1
  grep -v '^#' "$d" | tail -n +2 | awk -F, 'NR > 1 && !($1 > prev) {bad = 1} $2 <= 0 {bad = 1} {prev = $1} END {exit bad}' ||
    gitt_fail "$d: theta not strictly increasing or D not positive" || return 1
  [ "$(grep -v '^#' "$p" | tail -n +2 | wc -l)" -eq 60 ] || gitt_fail "$p: expected 60 rows" || return 1
  # relaxed voltage after each pulse (column 13) against the authors' relaxed-OCV points (column 2): within 2 mV
  paste -d, <(grep -v '^#' "$p" | tail -n +2 | cut -d, -f13) <(grep -v '^#' "$GITT_POINTS" | tail -n +2 | cut -d, -f2) |
    awk -F, '{d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d; n++} END {printf "max |dV| = %.3f mV over %d points\n", 1e3 * m, n; exit !(n == 60 && m <= 2e-3 && m > 0)}' ||
    gitt_fail "relaxed voltages differ from the authors' by more than 2 mV" || return 1
  [ "$(gitt_png_size "$out/gitt.png")" = "1600 840" ] || gitt_fail "$out/gitt.png is not a 1600 x 840 PNG" || return 1
  ! ls "$out" | grep -q '\.part' || gitt_fail "temporary files left in $out: $(ls "$out")" || return 1
}

# 1 and 2 ranks write the same numbers and the same figure
gitt_cli_mpi() {
  local one="$TMPROOT/gitt_mpi_1" two="$TMPROOT/gitt_mpi_2"
  "$SPOT" gitt "$GITT_VTC5A" --length 2um -o "$one" >/dev/null || return 1
  $MPIRUN 2 "$SPOT" gitt "$GITT_VTC5A" --length 2um -o "$two" >/dev/null || return 1
  for f in diffusivity.csv pulses.csv; do
    diff <(grep -v '^#' "$one/$f") <(grep -v '^#' "$two/$f") || gitt_fail "$f differs between 1 and 2 ranks" || return 1
  done
  cmp "$one/gitt.png" "$two/gitt.png" || gitt_fail "gitt.png differs between 1 and 2 ranks" || return 1
  # an error under 2 ranks is one line, and the run ends
  local err
  err=$($MPIRUN 2 "$SPOT" gitt "$GITT_VTC5A" --length 0um -o "$two" 2>&1 >/dev/null) && gitt_fail "expected a failure" && return 1
  [ "$(grep -c '^spot: error: ' <<<"$err")" -eq 1 ] || gitt_fail "expected one error line: $err" || return 1
  grep -qx "spot: error: argument --length: the diffusion length L must be positive, got 0 um" <<<"$err" || gitt_fail "wrong message: $err" || return 1
}

# L from a mesh: a 2 x 2 um square (|Omega|/|dOmega| = 4/8 = 0.5 um) gives the table of --length 0.5um
gitt_cli_mesh() {
  local dir="$TMPROOT/gitt_mesh" log
  mkdir -p "$dir"
  printf '%s\n' '$MeshFormat' '2.2 0 8' '$EndMeshFormat' '$PhysicalNames' 2 '1 1 "surface"' '2 2 "particle"' '$EndPhysicalNames' \
    '$Nodes' 5 '1 0 0 0' '2 2 0 0' '3 2 2 0' '4 0 2 0' '5 1 1 0' '$EndNodes' '$Elements' 8 \
    '1 1 2 1 1 1 2' '2 1 2 1 1 2 3' '3 1 2 1 1 3 4' '4 1 2 1 1 4 1' \
    '5 2 2 2 2 1 2 5' '6 2 2 2 2 2 3 5' '7 2 2 2 2 3 4 5' '8 2 2 2 2 4 1 5' '$EndElements' >"$dir/square.msh"
  log=$("$SPOT" gitt "$GITT_VTC5A" --mesh "$dir/square.msh" -o "$dir/mesh") || gitt_fail "spot gitt --mesh failed: $log" || return 1
  grep -q "  L = 0.5 um (mesh $dir/square.msh: |Omega|/|dOmega| = 4 um2 / 8 um)" <<<"$log" || gitt_fail "L from the mesh: $log" || return 1
  grep -q "^# L = 0.5 um (mesh $dir/square.msh: " "$dir/mesh/diffusivity.csv" || gitt_fail "no mesh provenance in diffusivity.csv" || return 1
  "$SPOT" gitt "$GITT_VTC5A" --length=500nm -o "$dir/length" >/dev/null || return 1
  diff <(grep -v '^#' "$dir/mesh/diffusivity.csv") <(grep -v '^#' "$dir/length/diffusivity.csv") || gitt_fail "--mesh and --length 500nm differ" || return 1
}

# The 2C pulse record: short rests stop the analysis; --allow-unrelaxed flags them instead
gitt_cli_unrelaxed() {
  local log
  expect_error "$GITT_TRAN: the rest after pulse 1 (t = 190.068 to 490.158 s, 300.1 s) has not relaxed: the voltage still drifts by 20.8 +- 9.1 mV/h at its end (limit 10 mV/h, -gitt_max_drift); make the rests longer, or accept it with -gitt_allow_unrelaxed" \
    "$SPOT" gitt "$GITT_TRAN" --discharge-positive --length 5um -o "$TMPROOT/gitt_tran" || return 1
  log=$("$SPOT" gitt "$GITT_TRAN" --discharge-positive --length 5um --allow-unrelaxed --theta-start 0.1 --capacity 4.6Ah -o "$TMPROOT/gitt_tran") || gitt_fail "$log" || return 1
  grep -qx "  pulses: 14 found (pulse current 8.999 A), 13 used for D(theta)" <<<"$log" || gitt_fail "summary: $log" || return 1
  grep -qx "  excluded, no rest: pulse 14" <<<"$log" || gitt_fail "the pulse cut by the end of the record should be excluded: $log" || return 1
  grep -q "  flagged, unrelaxed rest: pulses 1, 2, 3" <<<"$log" || gitt_fail "unrelaxed rests should be flagged: $log" || return 1
}

# Bad input: each message exactly
gitt_cli_errors() {
  local dir="$TMPROOT/gitt_errors" out="$TMPROOT/gitt_errors/out"
  mkdir -p "$dir"
  expect_error "usage: spot gitt RECORD.csv (--length L | --mesh PARTICLE.msh) [arguments] (the record comes first; spot gitt --help)" "$SPOT" gitt --length 1um || return 1
  expect_error "cannot read GITT record '$dir/none.csv': No such file or directory" "$SPOT" gitt "$dir/none.csv" --length 1um -o "$out" || return 1
  expect_error "unknown argument --lenght (spot gitt --help lists the arguments)" "$SPOT" gitt "$GITT_VTC5A" --lenght 1um || return 1
  expect_error "unexpected argument 'extra.csv' (the record comes first; spot gitt --help lists the arguments)" "$SPOT" gitt "$GITT_VTC5A" extra.csv --length 1um || return 1
  expect_error "argument --length needs a value (spot gitt --help)" "$SPOT" gitt "$GITT_VTC5A" --length || return 1
  expect_error "give one of --charge-positive and --discharge-positive" "$SPOT" gitt "$GITT_VTC5A" --length 1um --charge-positive --discharge-positive || return 1
  expect_error "no diffusion length L: give --length (e.g. 1.2um) or --mesh particle.msh" "$SPOT" gitt "$GITT_VTC5A" -o "$out" || return 1
  expect_error "give either --length or --mesh, not both" "$SPOT" gitt "$GITT_VTC5A" --length 1um --mesh p.msh || return 1
  expect_error "argument --length: the diffusion length L must be positive, got -1 um" "$SPOT" gitt "$GITT_VTC5A" --length -1um -o "$out" || return 1
  expect_error "argument --length: the diffusion length L must be positive, got 0 um" "$SPOT" gitt "$GITT_VTC5A" --length 0 -o "$out" || return 1
  expect_error "argument --length: unknown unit 'kg' for -gitt_length, expected a unit of length such as um" "$SPOT" gitt "$GITT_VTC5A" --length 5kg -o "$out" || return 1
  expect_error "$GITT_VTC5A: no column named 'amps' (columns: time_s, current_A, voltage_V, charge_Ah)" "$SPOT" gitt "$GITT_VTC5A" --length 1um --current-column amps -o "$out" || return 1
  expect_error "argument --time-unit: 'parsec' is not a unit of time for column 'time_s'" "$SPOT" gitt "$GITT_VTC5A" --length 1um --time-unit parsec -o "$out" || return 1
  expect_error "argument --edges: expected previous or midpoint, got 'middle'" "$SPOT" gitt "$GITT_VTC5A" --length 1um --edges middle -o "$out" || return 1
  expect_error "argument --theta-start: the initial theta must be in [0, 1], got 1.2" "$SPOT" gitt "$GITT_VTC5A" --length 1um --theta-start 1.2 -o "$out" || return 1

  # small records: no time column, time going back, no current, a single pulse
  printf '# no time column\nzeit,current_A,voltage_V\n0,0,3\n1,1,3.1\n' >"$dir/notime.csv"
  expect_error "$dir/notime.csv: no time column (columns: zeit, current_A, voltage_V); name it with --time-column NAME" "$SPOT" gitt "$dir/notime.csv" --length 1um -o "$out" || return 1
  printf '# time goes back\ntime_s,current_A,voltage_V\n0,0,3\n10,1,3.1\n20,1,3.2\n15,0,3.1\n30,0,3.1\n' >"$dir/back.csv"
  expect_error "$dir/back.csv:6: time must increase strictly, but 15 s follows 20 s (line 5)" "$SPOT" gitt "$dir/back.csv" --length 1um -o "$out" || return 1
  printf '# no current\ntime_s,current_A,voltage_V\n0,0,3\n10,0,3\n20,0,3\n30,0,3\n' >"$dir/flat.csv"
  expect_error "no current pulses in $dir/flat.csv: the current is zero throughout" "$SPOT" gitt "$dir/flat.csv" --length 1um -o "$out" || return 1
  awk 'BEGIN {print "# one pulse"; print "t,I_mA,E"
              for (t = 0; t <= 200; t += 10) { i = (t > 50 && t <= 100) ? 100 : 0
                e = (t <= 50) ? 3.0 : (t <= 100 ? 3.05 + 0.001 * sqrt(t - 50) : 3.01); print t "," i "," e } }' >"$dir/single.csv"
  expect_error "$dir/single.csv: only 1 of 1 pulse(s) gave a diffusivity; a D(theta) table needs at least 2" \
    "$SPOT" gitt "$dir/single.csv" --length 1um -o "$dir/single" || return 1
  [ -z "$(ls -A "$dir/single")" ] || gitt_fail "single pulse: a failed analysis leaves no file, found: $(ls -A "$dir/single")" || return 1
  # a rest of two samples between the pulses is too short to tell whether it relaxed
  awk 'BEGIN { print "# a rest of two samples"; print "time_s,current_A,voltage_V"
              for (t = 0; t <= 200; t += 10) { i = ((t >= 30 && t <= 50) || (t >= 80 && t <= 100)) ? 1 : 0
                e = (t < 30) ? 3 : (t <= 50 ? 3.1 : (t < 80 ? 3.02 : (t <= 100 ? 3.12 : 3.04))); print t "," i "," e } }' >"$dir/short_rest.csv"
  expect_error "$dir/short_rest.csv: the rest after pulse 1 (t = 50 to 70 s) has only 2 sample(s), too short to relax; make the rests longer, or accept it with -gitt_allow_unrelaxed" \
    "$SPOT" gitt "$dir/short_rest.csv" --length 1um -o "$out" || return 1
  # the excluded pulses are named with their reason: a second pulse cut short by the end of the record has no rest after it
  awk 'BEGIN {print "# one pulse and one cut short"; print "t,I_mA,E"
              for (t = 0; t <= 230; t += 10) { i = ((t > 50 && t <= 100) || t > 200) ? 100 : 0
                e = (t <= 50) ? 3.0 : (t <= 100 ? 3.05 + 0.001 * sqrt(t - 50) : (t <= 200 ? 3.01 : 3.06)); print t "," i "," e } }' >"$dir/cut.csv"
  expect_error "$dir/cut.csv: only 1 of 2 pulse(s) gave a diffusivity; a D(theta) table needs at least 2 (excluded: no rest: pulse 2)" \
    "$SPOT" gitt "$dir/cut.csv" --length 1um -o "$dir/cut" || return 1
  # columns and their units found from the names
  awk 'BEGIN {print "# two pulses"; print "t,I_mA,E"
              for (t = 0; t <= 300; t += 10) { i = ((t > 50 && t <= 100) || (t > 150 && t <= 200)) ? 100 : 0
                e = (t <= 50) ? 3.0 : (t <= 100 ? 3.05 + 0.001 * sqrt(t - 50) : (t <= 150 ? 3.01 : (t <= 200 ? 3.06 + 0.001 * sqrt(t - 150) : 3.02))); print t "," i "," e } }' >"$dir/two.csv"
  "$SPOT" gitt "$dir/two.csv" --length 1um -o "$dir/two" >/dev/null || gitt_fail "two pulses: spot gitt failed" || return 1
  grep -q "columns t \[s\], I_mA \[mA, positive = charge\], E \[V\]" "$dir/two/pulses.csv" || gitt_fail "columns and units from the names: $(grep Source "$dir/two/pulses.csv")" || return 1
}

gitt_cli_help() {
  local text
  text=$("$SPOT" gitt --help) || return 1
  grep -q "^usage: \[mpirun -n N\] spot gitt RECORD.csv (--length L | --mesh PARTICLE.msh)" <<<"$text" || gitt_fail "help: $text" || return 1
  grep -q "^       \[mpirun -n N\] spot gitt --simulate INPUT.xml \[-o OUTDIR\]" <<<"$text" || gitt_fail "help has no --simulate: $text" || return 1
}

# ---- spot gitt --simulate: the analysis against spot's own runs, where the true D is known ----
GITT_SIM_CONST=tests/inputs/gitt_disc_constant.xml
GITT_SIM_NI=tests/inputs/gitt_disc_ni_rich.xml
export GITT_SIM_CONST GITT_SIM_NI

# gitt_rows FILE: the data rows of a CSV (no comments, no header)
gitt_rows() {
  grep -v '^#' "$1" | tail -n +2
}

# Constant D on a disc, tau D/L^2 = 0.01: analysed D within 10 % of the true D, and within 2 % of
# the short-time curvature estimate (0.944), no flags; the record it writes gives the same D when
# analysed from the file
gitt_sim_constant() {
  local out="$TMPROOT/gitt_sim_constant" log args
  log=$("$SPOT" gitt --simulate "$GITT_SIM_CONST" -o "$out") || gitt_fail "spot gitt --simulate failed: $log" || return 1
  grep -qx "  pulses: 4 found (pulse current .*), 4 used for D(theta)" <<<"$log" || gitt_fail "summary: $log" || return 1
  grep -q "^  4 of 4 pulses unflagged: analysed/true " <<<"$log" || gitt_fail "table summary: $log" || return 1
  for f in record.csv pulses.csv diffusivity.csv gitt.png roundtrip.csv roundtrip.png mesh.msh; do
    [ -s "$out/$f" ] || gitt_fail "no $out/$f" || return 1
  done
  [ "$(grep -v '^#' "$out/roundtrip.csv" | head -1)" = "pulse,theta,theta_analysed,theta_low,theta_high,tau_s,tau_D_over_L2,D_true_cm2_per_s,D_analysed_cm2_per_s,ratio,apparent_alpha,expected_ratio,D_variation,nonlinearity,rest_offset,flags,notes" ] ||
    gitt_fail "roundtrip.csv header: $(grep -v '^#' "$out/roundtrip.csv" | head -1)" || return 1
  # columns: 2 theta, 3 theta analysed, 7 tau D/L^2, 8 D_true, 10 ratio, 11 apparent alpha, 12 expected, 16 flags
  gitt_rows "$out/roundtrip.csv" | awk -F, '
    { n++; d = $10 - 1; if (d < 0) d = -d; e = $10 / $12 - 1; if (e < 0) e = -e; t = $2 - $3; if (t < 0) t = -t
      printf "pulse %d: theta %.4f, tau D/L^2 %.4f, analysed/true %.4f (expected %.4f), apparent alpha %.4f, flags %d\n", $1, $2, $7, $10, $12, $11, $16
      if (d > 0.10 || e > 0.02 || $16 != 0 || t > 1e-6 || $8 != 1e-12 || $7 < 0.009 || $7 > 0.011) bad = 1 }
    END { exit !(n == 4 && !bad) }' || gitt_fail "constant D: analysed D not within 10 % of the true D (or 2 % of the curvature estimate), or flagged" || return 1
  [ "$(gitt_png_size "$out/roundtrip.png")" = "1600 760" ] || gitt_fail "$out/roundtrip.png is not a 1600 x 760 PNG" || return 1
  ! ls "$out" | grep -q '\.part' || gitt_fail "temporary files left in $out: $(ls "$out")" || return 1
  # the simulated record, analysed as a file with the arguments its header gives
  args=$(grep '^#   spot gitt THIS.csv ' "$out/record.csv" | sed 's/^#   spot gitt THIS.csv //')
  [ -n "$args" ] || gitt_fail "record.csv does not say how to analyse it" || return 1
  # shellcheck disable=SC2086
  "$SPOT" gitt "$out/record.csv" $args -o "$out/again" >/dev/null || gitt_fail "spot gitt record.csv $args failed" || return 1
  paste -d, <(gitt_rows "$out/pulses.csv" | cut -d, -f9,26) <(gitt_rows "$out/again/pulses.csv" | cut -d, -f9,26) |
    awk -F, '{ a = $2 / $4 - 1; if (a < 0) a = -a; b = $1 - $3; if (b < 0) b = -b; if (a > 1e-6 || b > 1e-8) bad = 1; n++ } END { exit !(n == 4 && !bad) }' ||
    gitt_fail "the record file analysed again gives other theta or D" || return 1
}

# Where the assumptions break down, the report says so: rests of 300 s (0.12 L^2/D) do not relax
gitt_sim_flags() {
  local out="$TMPROOT/gitt_sim_flags" log
  log=$("$SPOT" gitt --simulate "$GITT_SIM_CONST" -o "$out" -proto_1_duration 300 -proto_3_duration 300 -proto_5_duration 300 -proto_7_duration 300) || gitt_fail "spot gitt --simulate failed: $log" || return 1
  grep -qx "  flagged, unrelaxed rest: pulses 1, 2, 3, 4" <<<"$log" || gitt_fail "the analysis should flag the rests: $log" || return 1
  grep -q "^  no pulse is free of flags" <<<"$log" || gitt_fail "summary: $log" || return 1
  gitt_rows "$out/roundtrip.csv" | awk -F, '{ n++; if (!(int($16 / 2) % 2) || $17 !~ /unrelaxed rest/) bad = 1 } END { exit !(n == 4 && !bad) }' ||
    gitt_fail "every pulse should be flagged unrelaxed in roundtrip.csv" || return 1
}

# The smooth Ni-rich law: within 25 % where D changes slowly over a pulse, and every pulse off by
# more than that is flagged; the same pulses at theta 0.8 are long, flagged and far off
gitt_sim_ni_rich() {
  local out="$TMPROOT/gitt_sim_ni" log
  log=$("$SPOT" gitt --simulate "$GITT_SIM_NI" -o "$out/slow") || gitt_fail "spot gitt --simulate failed: $log" || return 1
  gitt_rows "$out/slow/roundtrip.csv" | awk -F, '
    { n++; d = $10 - 1; if (d < 0) d = -d
      printf "pulse %d: theta %.4f, tau D/L^2 %.4f, D_true %.3e, analysed/true %.4f, apparent alpha %.4f, D variation %.3f, flags %d (%s)\n", $1, $2, $7, $8, $10, $11, $13, $16, $17
      if ($16 == 0) { ok++; if (d > 0.25) bad = 1 } else if ($17 ~ /D varies/) varies++
      if (d > 0.25 && $16 == 0) bad = 1 }
    END { printf "%d unflagged, %d flagged as D varies\n", ok, varies; exit !(n == 10 && ok >= 3 && varies >= 2 && !bad) }' ||
    gitt_fail "Ni-rich law, slow end: unflagged pulses off by more than 25 %, or too few of either kind" || return 1
  log=$("$SPOT" gitt --simulate "$GITT_SIM_NI" -o "$out/fast" -init_theta 0.8) || gitt_fail "spot gitt --simulate -init_theta 0.8 failed: $log" || return 1
  gitt_rows "$out/fast/roundtrip.csv" | awk -F, '
    { n++; d = $10 - 1; if (d < 0) d = -d
      printf "pulse %d: theta %.4f, tau D/L^2 %.3f, analysed/true %.4f, flags %d (%s)\n", $1, $2, $7, $10, $16, $17
      if ($17 !~ /long pulse/ || d < 0.25) bad = 1 }
    END { exit !(n == 10 && !bad) }' || gitt_fail "Ni-rich law, fast end: every pulse should be long, flagged and off by more than 25 %" || return 1
}

# Bad input for --simulate, each message exactly
gitt_sim_errors() {
  local dir="$TMPROOT/gitt_sim_errors"
  mkdir -p "$dir"
  expect_error "tests/inputs/small.xml: the protocol has no <gitt> step; spot gitt --simulate runs and analyses one, e.g. <gitt direction=\"charge\" pulses=\"10\"> with <c_rate>, <pulse> and <relaxation>" \
    "$SPOT" gitt --simulate tests/inputs/small.xml -o "$dir/out" || return 1
  [ ! -e "$dir/out" ] || gitt_fail "a failed --simulate made $dir/out" || return 1
  grep -v '<ocp\|<exchange_current' "$GITT_SIM_CONST" >"$dir/no_ocp.xml"
  expect_error "$dir/no_ocp.xml: spot gitt --simulate needs an open-circuit potential (<material><ocp>): the analysis reads the voltage" \
    "$SPOT" gitt --simulate "$dir/no_ocp.xml" || return 1
  expect_error "argument --simulate needs a value (spot gitt --help)" "$SPOT" gitt --simulate || return 1
  expect_error "cannot read input file '$dir/none.xml': No such file or directory" "$SPOT" gitt --simulate "$dir/none.xml" || return 1
  expect_error "give either a record (spot gitt RECORD.csv) or --simulate INPUT.xml, not both" "$SPOT" gitt "$GITT_VTC5A" --simulate "$GITT_SIM_CONST" || return 1
  expect_error "argument --length: spot gitt --simulate takes L, theta_start, the capacity and the sign of the current from the run; leave it out" \
    "$SPOT" gitt --simulate "$GITT_SIM_CONST" --length 1um || return 1
  expect_error "argument --capacity: spot gitt --simulate takes L, theta_start, the capacity and the sign of the current from the run; leave it out" \
    "$SPOT" gitt --simulate "$GITT_SIM_CONST" --capacity 1Ah || return 1
  expect_error "argument -o: output directory '/proc/spot' is not writable: No such file or directory" "$SPOT" gitt --simulate "$GITT_SIM_CONST" -o /proc/spot || return 1
}


export -f gitt_fail gitt_png_size gitt_rows gitt_cli_record gitt_cli_mpi gitt_cli_mesh gitt_cli_unrelaxed gitt_cli_errors gitt_cli_help
export -f gitt_sim_constant gitt_sim_flags gitt_sim_ni_rich gitt_sim_errors
case_ gitt_cli_record 120 bash -c gitt_cli_record
case_ gitt_cli_mpi 180 bash -c gitt_cli_mpi
case_ gitt_cli_mesh 120 bash -c gitt_cli_mesh
case_ gitt_cli_unrelaxed 60 bash -c gitt_cli_unrelaxed
case_ gitt_cli_errors 120 bash -c gitt_cli_errors
case_ gitt_cli_help 30 bash -c gitt_cli_help
case_ gitt_sim_constant 90 bash -c gitt_sim_constant
case_ gitt_sim_flags 60 bash -c gitt_sim_flags
case_ gitt_sim_ni_rich 120 bash -c gitt_sim_ni_rich
case_ gitt_sim_errors 60 bash -c gitt_sim_errors
