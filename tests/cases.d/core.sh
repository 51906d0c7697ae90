# Input, physics and solver of spot run (issue 2)
case_ unit_units 60 "$TESTS/test_units"
case_ unit_diffusivity 60 "$TESTS/test_diffusivity"
case_ verify_mms_2d_p1 300 "$TESTS/test_mms" -dim 2 -degree 1 -levels 4 -coarse 0.25
case_ verify_mms_2d_p2 300 "$TESTS/test_mms" -dim 2 -degree 2 -levels 4 -coarse 0.25
case_ verify_mms_3d_p1 300 "$TESTS/test_mms" -dim 3 -degree 1 -levels 3 -coarse 0.5
case_ verify_mms_3d_p2 400 "$TESTS/test_mms" -dim 3 -degree 2 -levels 3 -coarse 0.5
exact_linear() { # with constant D, a field linear in space is reproduced to round-off (assembly, boundary terms)
  for dim in 2 3; do for p in 1 2; do
    "$TESTS/test_mms" -dim $dim -degree $p -levels 2 -coarse 0.5 -phys_mms_kind 2 -phys_diffusivity_law constant -phys_diffusivity_value 0.5 -solver_rtol 1e-10 -solver_atol 1e-12 > "$TMPROOT/exact_linear.log" 2>&1
    awk -v d=$dim -v p=$p '/L2 error/ {e = $(NF-2); sub(",", "", e); if (e + 0 > 1e-10) {print d "-D P" p ": error " e " on a linear field"; bad = 1}} END {exit bad}' "$TMPROOT/exact_linear.log" || return 1
  done; done
}
export -f exact_linear
case_ verify_exact_linear 300 exact_linear
case_ verify_jacobian 300 "$TESTS/test_jacobian"
# Where D varies little from vertex to vertex (theta0 = 0.62, away from the Ni-rich step) the
# Kirchhoff flux and the vertex rule (order 2 by the manufactured solutions above) must agree far
# inside the discretisation error (5e-4 between h = 0.1 and 0.05 at these probes)
kirchhoff_smooth() {
  local d="$TMPROOT/kirchhoff_smooth" q
  for q in kirchhoff vertex; do
    "$SPOT" run tests/inputs/small.xml -init_theta 0.62 -mesh_cell_size 0.05 -mesh_boundary_cell_size 0.05 -solver_quadrature $q \
      -solver_rtol 1e-8 -solver_atol 1e-9 -out_probes 0,0,0.6,0,0.3,0.3 -out_times 5min,10min -out_fields false -out_directory "$d/$q" > "$d.$q.log" 2>&1 || { tail -3 "$d.$q.log"; return 1; }
  done
  paste -d, "$d/kirchhoff/probes.csv" "$d/vertex/probes.csv" | awk -F, 'NR > 1 {n++; for (i = 2; i <= 4; i++) {x = $i - $(i + 4); if (x < 0) x = -x; if (x > 1e-6) {print "probe " i - 1 " at t = " $1 ": kirchhoff " $i ", vertex " $(i + 4); bad = 1}}} END {if (n != 2) {print n " rows"; bad = 1}; exit bad}'
}
export -f kirchhoff_smooth
case_ verify_kirchhoff_smooth 120 kirchhoff_smooth
# A consistent mass (P2's, or P1's without lumping) oscillates next to a delithiation front thinner
# than the cells and lifts theta above theta0 = 0.98 (by about 0.07 here, on cells of 40 nm at the
# surface). That is the discretisation's error, not a saturated surface: the charge runs to its
# duration, the final checks report the overshoot with a warning, and the inventory stays exact.
# P1 with its lumped mass cannot overshoot. (Until 2026-11 any theta above 1 ended a charge as if
# the surface had saturated.)
p2_overshoot() {
  local d="$TMPROOT/p2_overshoot" p run
  for run in "p1 -solver_degree 1" "p2 -solver_degree 2" "p1c -solver_mass_lumping false"; do # name, options
    set -- $run
    p=$1 && shift
    "$SPOT" run tests/inputs/small.xml "$@" -init_theta 0.98 -out_fields false -out_directory "$d/$p" > "$d.$p.log" 2>&1 || { tail -3 "$d.$p.log"; return 1; }
  done
  for p in p2 p1c; do
    grep -q "^step 1/2 cc charge *ended by its duration at t = 10 min" "$d.$p.log" || { echo "$p: the charge did not run to its duration"; grep "^step\|^warning" "$d.$p.log"; return 1; }
    awk -v p=$p '/^checks:/ {over = $14 + 0; inv = $5 + 0} /^warning: theta rose .*\(a consistent mass does/ {w = 1}
      END {if (!(over > 0.01 && over < 0.2 && w && inv < 1e-12)) {print p ": overshoot " over ", warning " w + 0 ", inventory " inv; exit 1}}' "$d.$p.log" || return 1
  done
  awk '/^checks:/ {over = $14 + 0; n++} /^warning/ {w = 1} END {if (n != 1 || over > 1e-12 || w) {print "P1: overshoot " over ", warning " w + 0; exit 1}}' "$d.p1.log"
}
export -f p2_overshoot
case_ verify_p2_overshoot 120 p2_overshoot
# 3-D on spot's default meshes: a C/3 charge with a front thinner than the cells (the steep Ni-rich
# D) never lifts theta above theta0, on a platelet with a slow out-of-plane direction (meshed in
# that metric) and on a sphere; P1's Galerkin stiffness (-solver_quadrature vertex) rose 2.4e-3
# above it on the same platelet, and the assembly test shows its positive couplings
overshoot_3d() {
  local d="$TMPROOT/overshoot_3d" run name
  for run in "platelet" "sphere -mesh_shape_type sphere -mesh_shape_radius 1 -phys_out_of_plane_factor 1"; do
    set -- $run
    name=$1 && shift
    "$SPOT" run tests/inputs/platelet_c3.xml "$@" -proto_0_duration 30min -out_fields false -out_directory "$d/$name" > "$d.$name.log" 2>&1 || { tail -3 "$d.$name.log"; return 1; }
    grep -q "^discretisation: P1, lumped mass, .*Voronoi conductances" "$d.$name.log" || { echo "$name: not the Voronoi scheme"; grep "^discret" "$d.$name.log"; return 1; }
    awk -v n=$name '/^checks:/ {over = $14 + 0; inv = $5 + 0; c++} /^warning/ {w = 1}
      END {if (c != 1 || over > 1e-9 || inv > 1e-12 || w) {print n ": overshoot " over ", inventory " inv ", warning " w + 0; exit 1}}' "$d.$name.log" || return 1
    awk -F, -v n=$name 'NR > 1 {m = $15} END {if (!(m < 0.85)) {print n ": min theta " m ": no front formed, the test is vacuous"; exit 1}}' "$d/$name/timeseries.csv" || return 1
  done
}
export -f overshoot_3d
case_ verify_overshoot_3d 180 overshoot_3d
# A charge too fast for the particle empties its surface: the step stops when theta reaches 0
# there (the other direction, a discharge filling the surface to 1, is in test_protocol)
charge_saturation() {
  local d="$TMPROOT/charge_saturation"
  sed 's|<c_rate unit="C">1</c_rate>|<c_rate unit="C">20</c_rate>|' tests/inputs/small.xml > "$d.xml"
  "$SPOT" run "$d.xml" -init_theta 0.3 -out_fields false -out_directory "$d" > "$d.log" 2>&1 || { tail -3 "$d.log"; return 1; }
  grep -q "^warning: step 1 (cc charge) stopped at t = .* because theta reached 0 or 1 somewhere" "$d.log" || { grep "^step\|^warning" "$d.log"; return 1; }
  awk -F, 'NR > 1 && $2 == 1 {m = $15} END {if (!(m < 1e-6)) {print "min theta at the end of the charge: " m; exit 1}}' "$d/timeseries.csv"
}
export -f charge_saturation
case_ verify_charge_saturation 60 charge_saturation
case_ verify_disc_analytic 300 "$TESTS/test_disc"
# 3-D: the Voronoi-dual P1 scheme against the sphere's series, second order
case_ verify_sphere_analytic 300 "$TESTS/test_disc" -shape sphere
case_ verify_conservation_2d 300 "$TESTS/test_protocol" -dim 2
case_ verify_conservation_3d 300 "$TESTS/test_protocol" -dim 3

# 1, 2 and 4 ranks. Solved tightly (Newton to a 1e-9 residual reduction, Krylov to 1e-10), every
# column of timeseries.csv agrees to 1e-8 relative: the parallel discretisation is the serial one (the
# inventory error, a round-off quantity, is compared on the scale of 1). With the default solver
# tolerances the ranks' Krylov iterations differ, Newton stops at 5 % of the step's error tolerance,
# and the columns agree to 1e-5 relative (the step sizes differ most).
mpi_agree() {
  local d="$TMPROOT/mpi_agree" n
  for n in 1 2 4; do
    $MPIRUN $n "$SPOT" run tests/inputs/small.xml -out_directory "$d/tight$n" -out_fields false -solver_newton_tol 1e-9 -ksp_rtol 1e-10 > "$d.$n.log" 2>&1 || { cat "$d.$n.log"; return 1; }
    $MPIRUN $n "$SPOT" run tests/inputs/small.xml -out_directory "$d/$n" -out_fields false > "$d.$n.log" 2>&1 || { cat "$d.$n.log"; return 1; }
  done
  for n in 2 4; do
    "$TOOLS/csvdiff" "$d/tight1/timeseries.csv" "$d/tight$n/timeseries.csv" 1e-8 inventory_error=1 || { echo "tight solves, 1 and $n ranks"; return 1; }
    "$TOOLS/csvdiff" "$d/1/timeseries.csv" "$d/$n/timeseries.csv" 1e-5 inventory_error=1 || { echo "default solves, 1 and $n ranks"; return 1; }
  done
  [ "$(wc -l < "$d/1/timeseries.csv")" -gt 20 ] || { echo "too few rows"; return 1; }
}
export -f mpi_agree
case_ mpi_agree_1_2_4 600 mpi_agree

# Newton stops at 5 % of the step's error tolerance (-solver_newton_tol 0.05), not at a 1e-9 residual
# reduction: at least a fifth fewer Newton iterations, and theta at two probes (centre and near the
# surface, 4 output times) within 1e-6 relative of the tightly solved run's. With a Krylov tolerance
# of 1e-2 (GMRES + ILU instead of the LU this mesh gets) the inventory still holds to round-off
# (below 1e-12: each Newton update is corrected to conserve it), and the probes agree to 1e-5.
# Under the classic time-error control (RMS over the dofs), the one this was measured with: with
# the default, the largest error at any dof, the first Newton update (the predictor's correction,
# about the step's error at the front) is rarely below 5 % of the tolerance there, so nearly
# every step takes a second iteration in both runs (429 and 393 iterations: a saving of 8 %).
newton_tolerance() {
  local d="$TMPROOT/newton_tolerance" r
  local args=(run tests/inputs/small.xml -out_fields false -out_probes 0,0,0.75,0 -solver_error_control classic)
  "$SPOT" "${args[@]}" -out_directory "$d/tight" -solver_newton_tol 1e-9 > "$d.tight.log" 2>&1 || { cat "$d.tight.log"; return 1; }
  "$SPOT" "${args[@]}" -out_directory "$d/default" > "$d.default.log" 2>&1 || { cat "$d.default.log"; return 1; }
  "$SPOT" "${args[@]}" -out_directory "$d/krylov" -ksp_type gmres -pc_type ilu -ksp_rtol 1e-2 > "$d.krylov.log" 2>&1 || { cat "$d.krylov.log"; return 1; }
  its() { sed -n 's/.* \([0-9]*\) Newton and .*/\1/p' "$d.$1.log"; }
  echo "Newton iterations: tight $(its tight), default $(its default), Krylov 1e-2 $(its krylov); $(grep checks "$d.krylov.log")"
  [ "$(its default)" -gt 0 ] && [ $((5 * $(its default))) -le $((4 * $(its tight))) ] || { echo "the default Newton saves less than a fifth"; return 1; }
  grep -q "^checks: largest |inventory error| [0-9.]*e-1[3-9];" "$d.krylov.log" || { echo "Krylov 1e-2: inventory not conserved"; return 1; }
  "$TOOLS/csvdiff" "$d/tight/probes.csv" "$d/default/probes.csv" 1e-6 || { echo "default against tight"; return 1; }
  "$TOOLS/csvdiff" "$d/tight/probes.csv" "$d/krylov/probes.csv" 1e-5 || { echo "Krylov 1e-2 against tight"; return 1; }
}
export -f newton_tolerance
case_ verify_newton_tolerance 120 newton_tolerance

# Tolerance proportionality (issue 22): the C/3 example's charge on a coarser mesh (746 vertices),
# theta at the centre every 100 s from 2400 to 3000 s, around the front's arrival there (about
# 2650 s, where theta falls by 0.1 in 30 s). Against a run at rtol 1e-6 (itself 1.4e-6 from a run
# at 1e-8 with steps of at most 2 s), rtol 1e-4 and 1e-5 (atol = rtol/10) must each be within
# 4 rtol, and the error must fall by more than 7 from one to the other: exact proportionality
# gives 10, an error per step held to the tolerance 10^(2/3) = 4.6 (measured: 2.3e-4 and 1.9e-5,
# a ratio of 12; the classic control, PETSc's RMS norm, gives 1.7e-3 and 3.3e-4, a ratio of 5.2:
# TOLERANCE_EXTRA="-solver_error_control classic" shows the case fail).
tolerance_proportionality() {
  local d="$TMPROOT/tolerance_proportionality" r
  local args=(run examples/c3_charge/charge.xml -mesh_cell_size 0.1 -mesh_boundary_cell_size 0.04 -out_fields false
    -out_checkpoints false -out_probes 0,0 -proto_nsteps 1 -proto_0_duration 3000s -out_times 0,2400,2500,2600,2700,2800,2900,3000)
  "$SPOT" "${args[@]}" -out_directory "$d/ref" -solver_rtol 1e-6 -solver_atol 1e-7 > "$d.ref.log" 2>&1 || { cat "$d.ref.log"; return 1; }
  for r in 1e-4:1e-5 1e-5:1e-6; do
    "$SPOT" "${args[@]}" -out_directory "$d/${r%:*}" -solver_rtol ${r%:*} -solver_atol ${r#*:} ${TOLERANCE_EXTRA:-} > "$d.${r%:*}.log" 2>&1 || { cat "$d.${r%:*}.log"; return 1; }
  done
  paste -d, "$d/ref/probes.csv" "$d/1e-4/probes.csv" "$d/1e-5/probes.csv" | awk -F, 'NR > 1 {
      a = $4 - $2; b = $6 - $2; if (a < 0) a = -a; if (b < 0) b = -b; if (a > e4) e4 = a; if (b > e5) e5 = b }
    END { printf "centre theta error: %.2e at rtol 1e-4, %.2e at rtol 1e-5 (ratio %.1f)\n", e4, e5, (e5 > 0 ? e4 / e5 : 0)
      exit (e4 < 4e-4 && e5 < 4e-5 && e4 > 7 * e5) ? 0 : 1 }'
}
export -f tolerance_proportionality
case_ verify_tolerance_proportionality 120 tolerance_proportionality

# The shipped example (examples/c3_charge): the science and the files.
# - mean theta after the C/3 hour is 0.97 - 1/3 (to 1e-9), and stays there during the rest;
# - the centre lags: 30 min into the charge the centre-region mean is > 0.1 above the periphery band's;
# - the rest evens the particle out: |centre - periphery| < 2e-3 at the end;
# - no theta above its initial value, none below the surface minimum (lumped P1), to 1e-10;
# - fields.xmf is well-formed and fields.h5 holds one theta dataset per output time over all nodes.
example_c3() {
  local d="$TMPROOT/example_c3" log
  log=$($MPIRUN 2 "$SPOT" run examples/c3_charge/charge.xml -out_directory "$d" -out_progress false) || { echo "$log"; return 1; }
  awk -F, 'NR == 1 {for (i = 1; i <= NF; ++i) c[$i] = i; next}
    { t = $c["t_s"]; m = $c["mean_theta"]; ce = $c["centre_mean_theta"]; pe = $c["periphery_mean_theta"] }
    t >= 1800 && !lag_seen { lag = ce - pe; lag_seen = 1 }
    t <= 3600 { if (ce > prev_centre + 1e-12 && NR > 2) rising = 1; prev_centre = ce }
    t == 3600 { end_charge = m }
    END {
      printf "lag at 30 min %.4f, mean after charge %.12f, final mean %.12f, final |centre - periphery| %.2e\n", lag, end_charge, m, (ce > pe ? ce - pe : pe - ce)
      bad = 0
      if (lag < 0.1) { print "the centre does not lag the periphery"; bad = 1 }
      if ((end_charge - (0.97 - 1/3)) ^ 2 > 1e-18 || (m - (0.97 - 1/3)) ^ 2 > 1e-18) { print "mean theta is not 0.97 - 1/3"; bad = 1 }
      if ((ce - pe) ^ 2 > 4e-6) { print "the rest did not even the particle out"; bad = 1 }
      if (rising) { print "the centre theta rose during the charge"; bad = 1 }
      exit bad }' "$d/timeseries.csv" || return 1
  grep -q "^checks: largest |inventory error| [0-9.]*e-1[0-9]; theta above its initial maximum by at most [0-9.]*e-1[0-9], below the surface minimum by at most 0.00e+00" <<<"$log" || { echo "bounds or inventory: $(grep checks <<<"$log")"; return 1; }
  xmllint --noout "$d/fields.xmf" || return 1
  local nv nsnap
  nv=$(grep -o 'Dimensions="[0-9]* 2">fields.h5:/mesh/coordinates' "$d/fields.xmf" | head -1 | grep -o '[0-9][0-9]*' | head -1)
  nsnap=$(grep -c '<Time Value=' "$d/fields.xmf")
  [ "$nsnap" -eq 19 ] || { echo "expected 19 snapshots, found $nsnap"; return 1; }
  [ "$(h5ls "$d/fields.h5/theta" | grep -c "Dataset {$nv}")" -eq "$nsnap" ] || { echo "fields.h5 does not hold $nsnap x $nv values"; h5ls -r "$d/fields.h5" | head -30; return 1; }
  h5ls "$d/fields.h5/mesh/coordinates" | grep -q "Dataset {$nv, 2}" || { echo "the mesh has not $nv nodes"; return 1; }
  [ -z "$(ls "$d" | grep part)" ] || { echo "partial files left: $(ls "$d")"; return 1; }
  [ -f "$d/mesh.msh" ] || { echo "no mesh.msh"; return 1; }
}
export -f example_c3
case_ example_c3_charge 600 example_c3

# Probes: theta at points, equal on 1 and 2 ranks, and equal to the centroid column at the centroid
probes() {
  local d="$TMPROOT/probes"
  "$SPOT" run tests/inputs/small.xml -out_directory "$d/1" -out_probes 0,0,0.75,0 -out_fields false > /dev/null || return 1
  $MPIRUN 2 "$SPOT" run tests/inputs/small.xml -out_directory "$d/2" -out_probes 0,0,0.75,0 -out_fields false > /dev/null || return 1
  "$TOOLS/csvdiff" "$d/1/probes.csv" "$d/2/probes.csv" 1e-8 || return 1
  [ "$(head -1 "$d/1/probes.csv")" = "t_s,theta_at_x0_y0_um,theta_at_x0.75_y0_um" ] || { echo "header: $(head -1 "$d/1/probes.csv")"; return 1; }
  [ "$(wc -l < "$d/1/probes.csv")" -eq 5 ] || { echo "expected 4 output times"; return 1; }
  # at t = 600 s (a step end, so also a row of timeseries.csv) the probe at (0,0) is the centroid value (centroid at ~(0,0))
  local a b
  a=$(awk -F, '$1 == 600 {print $2}' "$d/1/probes.csv")
  b=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; ++i) c[$i] = i; next} $c["t_s"] == 600 {print $c["centroid_theta"]; exit}' "$d/1/timeseries.csv")
  awk -v a="$a" -v b="$b" 'BEGIN {d = a - b; if (d < 0) d = -d; if (d > 1e-6 || a == "") {print "probe " a " vs centroid " b; exit 1}}' || return 1
  # the surface probe is lower than the centre during the charge
  awk -F, '$1 == 300 && !($3 < $2 - 0.1) {print "surface probe not delithiated: " $0; exit 1}' "$d/1/probes.csv"
}
export -f probes
case_ output_probes 120 probes

# The lean P1 assembly equals PetscFE's (residual and Jacobian, every law, 2-D/3-D) on 1, 2 and 4 ranks
case_ verify_lean_assembly 120 "$TESTS/test_assembly"
case_ verify_lean_assembly_mpi 240 bash -c '$MPIRUN 2 "$TESTS/test_assembly" && $MPIRUN 4 "$TESTS/test_assembly"'
