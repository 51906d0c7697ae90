# Populations of particles on one current collector (issue 18): tests/inputs/population/
POP=tests/inputs/population
export POP
PYTHON=/usr/bin/python3
export PYTHON
# Four identical discs (copies of one mesh) with a constant i0: they stay identical to round-off,
# carry a quarter of the current each and together the set current; 1, 2 and 4 ranks agree
pop_identical() {
  local d="$TMPROOT/pop_identical" n
  for n in 1 2 4; do
    $MPIRUN $n "$SPOT" run $POP/discs4_bv.xml -out_directory "$d/$n" >"$d.$n.log" 2>&1 || { tail -3 "$d.$n.log"; return 1; }
    $PYTHON tests/population/check.py identical "$d/$n" || { echo "$n ranks"; return 1; }
  done
  grep -q "^particles: 4 on one current collector, areas 3.121 to 3.121 um^2; alpha factor 1 to 1, i0 factor 1 to 1" "$d.1.log" || { grep "^particles" "$d.1.log"; return 1; }
  for n in 2 4; do
    "$TOOLS/csvdiff" "$d/1/particles.csv" "$d/$n/particles.csv" 1e-8 current_share=1 overpotential_V=1e-3 || { echo "particles.csv: 1 and $n ranks differ"; return 1; }
    "$TOOLS/csvdiff" "$d/1/population.csv" "$d/$n/population.csv" 1e-8 variance_of_particle_mean_theta=1 std_of_particle_mean_theta=1 || { echo "population.csv: 1 and $n ranks differ"; return 1; }
  done
}
export -f pop_identical
case_ population_identical 300 pop_identical
# Electro-autocatalysis (Park et al. 2021): with i0 rising as theta falls, a fast charge splits the
# population into reacted and unreacted particles (bimodal, std of particle mean theta ~0.2), while
# the same population charged slowly, or discharged fast, stays uniform (std < 1e-3, < 5e-3); the
# variance grows by more than four orders of magnitude from slow to fast charge. The synthetic (003)
# peak (a linear c from 14.5 to 14.2 angstrom) starts as one Gaussian at Bragg's angle for
# c(0.9) = 14.23 angstrom and ends split in two after the fast charge, single after the slow one
pop_split() {
  local d="$TMPROOT/pop_split" run name
  for run in "fast -proto_0_c_rate 1" "slow -proto_0_c_rate 0.1" "discharge -init_theta 0.3 -proto_0_direction discharge -proto_0_theta_below 0.01 -proto_0_theta_above 0.7"; do
    set -- $run
    name=$1 && shift
    "$SPOT" run $POP/discs16_autocatalytic.xml -particles_i0_spread 0.05 -out_fields false "$@" -out_directory "$d/$name" \
      -out_diffraction_c_lithiated 14.2angstrom -out_diffraction_c_delithiated 14.5angstrom >"$d.$name.log" 2>&1 || { tail -3 "$d.$name.log"; return 1; }
  done
  $PYTHON tests/population/check.py spread "$d/fast" 0.1 0.3 || return 1
  $PYTHON tests/population/check.py peak "$d/fast" 14.23 0.05 || return 1
  $PYTHON tests/population/check.py peaks "$d/fast" 2 || return 1
  $PYTHON tests/population/check.py peaks "$d/slow" 1 || return 1
  $PYTHON tests/population/check.py bimodal "$d/fast" || return 1
  $PYTHON tests/population/check.py spread "$d/slow" 0 1e-3 || return 1
  $PYTHON tests/population/check.py spread "$d/discharge" 0 5e-3 || return 1
  # the fast charge's reacted fraction (mean theta below 0.5) at the end is about half
  awk -F, 'END {if ($8 < 0.3 || $8 > 0.7) {print "reacted fraction " $8; exit 1}}' "$d/fast/population.csv"
}
export -f pop_split
case_ population_split 300 pop_split
# At open circuit the particles of a split population trade lithium through the collector until
# they share one potential (a linear OCP: one theta): the spread vanishes, the inventory stays
pop_rest() {
  local d="$TMPROOT/pop_rest"
  "$SPOT" run $POP/discs16_autocatalytic.xml -particles_i0_spread 0.05 -out_fields false -proto_nsteps 2 -proto_1_type rest -proto_1_duration 10h -out_directory "$d" >"$d.log" 2>&1 || { tail -3 "$d.log"; return 1; }
  $PYTHON tests/population/check.py relaxed "$d" 1e-9
}
export -f pop_rest
case_ population_rest 120 pop_rest
# Lithium is conserved particle by particle: with time steps of at most 2 s and outputs every 2 s
# the change of each particle's inventory matches its integrated current to the trapezoid's error
pop_conserved() {
  local d="$TMPROOT/pop_conserved"
  "$SPOT" run $POP/discs16_autocatalytic.xml -particles_i0_spread 0.3 -init_theta 0.3 -proto_0_direction discharge -proto_0_theta_below 0.01 -proto_0_theta_above 0.4 \
    -solver_dt_max 2 -out_times $(seq -s, 0 2 400) -out_fields false -out_directory "$d" >"$d.log" 2>&1 || { tail -3 "$d.log"; return 1; }
  $PYTHON tests/population/check.py conserved "$d" 2e-5 49000
}
export -f pop_conserved
case_ population_conserved 120 pop_conserved
# Factors per particle: a table sets them by particle id; seeded spreads draw the same population on
# any rank count and another with another seed; a particle with twice the i0 takes a larger share
pop_factors() {
  local d="$TMPROOT/pop_factors" n
  mkdir -p "$d"
  printf '# factors\nparticle,alpha,i0_scale\n2,2,4\n3,0.5,1\n' >"$d/table.csv"
  "$SPOT" run $POP/discs4_bv.xml -particles_table "$d/table.csv" -out_fields false -out_directory "$d/table" >"$d/table.log" 2>&1 || { tail -3 "$d/table.log"; return 1; }
  awk -F, '$1 == 1200 {a[$2] = $11; s[$2] = $12; sh[$2] = $8} END {
    if (a[1] != 1 || a[2] != 2 || a[3] != 0.5 || a[4] != 1 || s[2] != 4 || s[1] != 1) {print "factors not applied"; exit 1}
    if (!(sh[2] > sh[1] && sh[1] > 0)) {print "particle 2 (i0 x4) takes " sh[2] ", particle 1 " sh[1]; exit 1}}' "$d/table/particles.csv" || return 1
  for n in 1 2; do
    $MPIRUN $n "$SPOT" run $POP/discs16_autocatalytic.xml -particles_alpha_spread 0.5 -particles_i0_spread 0.2 -particles_seed 7 -proto_0_duration 60s -out_fields false -out_directory "$d/seed7_$n" >"$d/seed7_$n.log" 2>&1 || { tail -3 "$d/seed7_$n.log"; return 1; }
  done
  "$SPOT" run $POP/discs16_autocatalytic.xml -particles_alpha_spread 0.5 -particles_i0_spread 0.2 -particles_seed 8 -proto_0_duration 60s -out_fields false -out_directory "$d/seed8" >"$d/seed8.log" 2>&1 || { tail -3 "$d/seed8.log"; return 1; }
  cmp -s <(cut -d, -f11,12 "$d/seed7_1/particles.csv") <(cut -d, -f11,12 "$d/seed7_2/particles.csv") || { echo "seed 7 draws differently on 2 ranks"; return 1; }
  cmp -s <(cut -d, -f11,12 "$d/seed7_1/particles.csv") <(cut -d, -f11,12 "$d/seed8/particles.csv") && { echo "seeds 7 and 8 draw the same"; return 1; }
  # 16 draws of ln(alpha) ~ N(0, 0.5^2): their mean within 3 sigma/4 of 0, their std within [0.25, 0.8]
  awk -F, '$1 == 0 {x = log($11); s += x; q += x * x; n++} END {m = s / n; sd = sqrt(q / n - m * m); if (m > 0.375 || m < -0.375 || sd < 0.25 || sd > 0.8) {print "ln alpha: mean " m ", std " sd; exit 1}}' "$d/seed7_1/particles.csv"
}
export -f pop_factors
case_ population_factors 300 pop_factors
# Bad factors: one line each, naming the file and line or the option
pop_refused() {
  local d="$TMPROOT/pop_refused" out
  mkdir -p "$d"
  check() { # expected message, then the options
    local want=$1 && shift
    out=$("$SPOT" run $POP/discs4_bv.xml -out_directory "$d/out" "$@" 2>&1 >/dev/null)
    [ $? -eq 1 ] || { echo "exit status not 1 for $*"; return 1; }
    [ "$out" = "spot: error: $want" ] || { printf 'for %s\n got: %s\nwant: spot: error: %s\n' "$*" "$out" "$want"; return 1; }
    [ ! -e "$d/out" ] || { echo "$d/out left behind"; return 1; }
  }
  printf 'particle,alpha\n5,2\n' >"$d/five.csv"
  printf 'particle,alpha\n1,2\n1,3\n' >"$d/twice.csv"
  printf 'particle,alpha,size\n1,2,3\n' >"$d/column.csv"
  printf 'particle,i0_scale\n1,0\n' >"$d/zero.csv"
  printf 'particle\n1\n' >"$d/nothing.csv"
  check "$d/five.csv:2: particle 5 does not exist: the mesh has particles 1 to 4" -particles_table "$d/five.csv" || return 1
  check "$d/twice.csv:3: particle 1 is listed twice" -particles_table "$d/twice.csv" || return 1
  check "$d/column.csv: unknown column 'size'; a particle table has the columns particle, alpha, i0_scale, contact_resistance_ohm_m2" -particles_table "$d/column.csv" || return 1
  check "$d/zero.csv:2: i0_scale of particle 1 must be a positive number, got 0" -particles_table "$d/zero.csv" || return 1
  check "$d/nothing.csv: no column alpha, i0_scale or contact_resistance_ohm_m2: the table sets nothing" -particles_table "$d/nothing.csv" || return 1
  printf 'particle,contact_resistance_ohm_m2\n1,-1\n' >"$d/negative.csv"
  check "$d/negative.csv:2: contact_resistance_ohm_m2 of particle 1 must be a number >= 0, got -1" -particles_table "$d/negative.csv" || return 1
  check "option -particles_contact_resistance: a contact resistance must be a finite number >= 0 (ohm.m2), got -2." -particles_contact_resistance -2ohm.m2 || return 1
  check "option -particles_alpha_spread: the spread of ln(alpha) over the particles must lie in [0, 3.], got 5." -particles_alpha_spread 5 || return 1
  check "option -particles_seed: the seed must be a whole number in [0, 4294967295], got 1.5" -particles_i0_spread 0.1 -particles_seed 1.5 || return 1
  check "option -solver_assembly: particles with their own alpha need the lean assembly, not plexfem" -particles_alpha_spread 0.1 -solver_assembly plexfem || return 1
  check "option -out_histogram_bins: the histogram of particle mean theta takes 1 to 1000 bins, got 0" -out_histogram_bins 0 || return 1
}
export -f pop_refused
case_ population_refused 120 pop_refused
# A contact resistance: the particle behind it sits at phi = V - R i (its own potential), takes a
# smaller share of the current, and the others make up for it so that the total stays the set
# current; the Newton solves use the exact Jacobian (the same answer as PETSc's finite-difference
# operator, in no more Newton iterations), in cc and in cv steps, on 1 and 2 ranks. Under the
# classic time-error control: with the default one (the largest step error at any dof) the step
# sizes of the 1- and 2-rank runs drift apart from round-off (the LU and GMRES Newton solves differ
# by ~1e-9; the step controller grows that to 0.3 s by t = 1170 s), and the runs then agree only to
# the time tolerance (1.2e-4 relative in a current), not to the 1e-7 checked here.
pop_contact() {
  local d="$TMPROOT/pop_contact" n
  local CLASSIC="-solver_error_control classic"
  mkdir -p "$d"
  printf 'particle,contact_resistance_ohm_m2\n2,0.5\n4,0.1\n' >"$d/R.csv"
  for n in 1 2; do
    $MPIRUN $n "$SPOT" run $POP/discs4_bv.xml -particles_table "$d/R.csv" -out_fields false -proto_nsteps 2 -proto_1_type cv -proto_1_voltage 3.9V -proto_1_duration 10min \
      -out_times 600,1200,1500,1800 $CLASSIC -out_directory "$d/$n" >"$d/$n.log" 2>&1 || { tail -3 "$d/$n.log"; return 1; }
  done
  "$SPOT" run $POP/discs4_bv.xml -particles_table "$d/R.csv" -out_fields false -proto_nsteps 2 -proto_1_type cv -proto_1_voltage 3.9V -proto_1_duration 10min \
    -out_times 600,1200,1500,1800 -snes_mf_operator $CLASSIC -out_directory "$d/fd" >"$d/fd.log" 2>&1 || { tail -3 "$d/fd.log"; return 1; }
  "$TOOLS/csvdiff" "$d/1/particles.csv" "$d/2/particles.csv" 1e-7 current_share=1 overpotential_V=1e-2 current_density_A_per_m2=1e-2 || { echo "1 and 2 ranks differ"; return 1; }
  "$TOOLS/csvdiff" "$d/1/particles.csv" "$d/fd/particles.csv" 1e-5 current_share=1 overpotential_V=1e-2 current_density_A_per_m2=1e-2 || { echo "exact and finite-difference Jacobians differ"; return 1; }
  awk '/^done in/ {print $11}' "$d/1.log" "$d/fd.log" | { read exact; read fd; [ "$exact" -le "$fd" ] || { echo "$exact Newton iterations with the exact Jacobian, $fd with finite differences"; exit 1; }; } || return 1
  # phi = V - R i for every particle; shares: particle 2 (0.5 ohm.m2) < 4 (0.1) < 1 = 3 (none); they sum to 1
  awk -F, 'NR > 1 {t = $1; k = $2; i[t, k] = $7; phi[t, k] = $9; R[t, k] = $13; sh[t, k] = $8; ts[t] = 1}
    END {for (t in ts) {V = ""; for (k = 1; k <= 4; k++) if (R[t, k] == 0) V = phi[t, k];
           for (k = 1; k <= 4; k++) {e = phi[t, k] - (V - R[t, k] * i[t, k]); if (e > 1e-9 || e < -1e-9) {print "t " t ": particle " k " at " phi[t, k] " V, not V - R i"; exit 1}}
           if (t + 0 <= 1200 && !(sh[t, 2] < sh[t, 4] && sh[t, 4] < sh[t, 1] && sh[t, 1] == sh[t, 3])) {print "t " t ": shares " sh[t, 1] " " sh[t, 2] " " sh[t, 3] " " sh[t, 4]; exit 1}
           s = sh[t, 1] + sh[t, 2] + sh[t, 3] + sh[t, 4]; if (s > 1 + 1e-8 || s < 1 - 1e-8) {printf "t %s: shares sum to %.15g\n", t, s; exit 1}}}' "$d/1/particles.csv" || return 1
  $PYTHON - "$d/1" <<'PY' || return 1
import sys, numpy as np
d = sys.argv[1]
names = open(d + "/timeseries.csv").readline().strip().split(",")
ts = np.genfromtxt(d + "/timeseries.csv", delimiter=",", skip_header=1)
pn = open(d + "/particles.csv").readline().strip().split(",")
p = np.genfromtxt(d + "/particles.csv", delimiter=",", skip_header=1)
for t in (600.0, 1200.0):
    rows = p[p[:, 0] == t]
    I = (rows[:, pn.index("current_density_A_per_m2")] * rows[:, pn.index("active_perimeter_um")]).sum() / rows[:, pn.index("active_perimeter_um")].sum()
    i_set = ts[np.argmin(np.abs(ts[:, 0] - t)), names.index("current_density_A_per_m2")]
    if abs(I - i_set) > 1e-9 * i_set:
        sys.exit(f"t = {t}: the particles carry {I:.12g} A/m^2, the set current is {i_set:.12g}")
PY
}
export -f pop_contact
case_ population_contact 300 pop_contact
# A document's <particles> and <output> population settings are the options of the command line
pop_document() {
  local d="$TMPROOT/pop_document"
  "$SPOT" run $POP/discs16_document.xml -out_directory "$d/doc" >"$d.doc.log" 2>&1 || { tail -3 "$d.doc.log"; return 1; }
  "$SPOT" run $POP/discs16_autocatalytic.xml -out_fields false -out_reacted_theta 0.6 -out_histogram_bins 10 -out_diffraction_c_lithiated 14.2angstrom \
    -out_diffraction_c_delithiated 14.5angstrom -out_diffraction_fwhm 0.04 -particles_i0_spread 0.05 -particles_seed 3 -particles_contact_resistance 10ohm.cm2 \
    -out_directory "$d/cli" >"$d.cli.log" 2>&1 || { tail -3 "$d.cli.log"; return 1; }
  local f
  for f in particles.csv population.csv diffraction.csv; do cmp -s "$d/doc/$f" "$d/cli/$f" || { echo "$f differs between the document and the command line"; return 1; }; done
  grep -q "^particles: 16 on one current collector, .*; contact resistance 0.001 to 0.001 ohm.m2" "$d.doc.log" || { grep "^particles" "$d.doc.log"; return 1; }
  head -1 "$d/doc/population.csv" | grep -q "reacted_fraction_theta_below_0.6,.*,particles_theta_0.9_1$" || { head -1 "$d/doc/population.csv"; return 1; }
}
export -f pop_document
case_ population_document 120 pop_document
# A particle that saturates (diffusion 1000 times slower: its surface fills on discharge) stops
# reacting, the others carry the current, and the step ends at its voltage cut-off, not when that
# one particle's theta reaches 1
pop_saturation() {
  local d="$TMPROOT/pop_saturation"
  mkdir -p "$d"
  printf 'particle,alpha\n1,0.001\n' >"$d/slow.csv"
  "$SPOT" run $POP/discs4_bv.xml -particles_table "$d/slow.csv" -init_theta 0.6 -proto_0_direction discharge -proto_0_duration 30min -proto_0_voltage_below 3.0V \
    -out_times 0,10min -out_fields false -out_directory "$d/out" >"$d.log" 2>&1 || { tail -3 "$d.log"; return 1; }
  grep -q "^step 1/1 .* ended by its voltage cut-off at t = 16" "$d.log" || { grep "^step" "$d.log"; return 1; }
  awk -F, '$1 == 600 {s[$2] = $8} END {if (!(s[1] < 0.1 && s[2] > 0.3 && s[3] > 0.3 && s[4] > 0.3)) {print "shares at 10 min: " s[1] " " s[2] " " s[3] " " s[4]; exit 1}}' "$d/out/particles.csv"
}
export -f pop_saturation
case_ population_saturation 120 pop_saturation
# Meshes that are no population: two particles sharing nodes (disc 1 split into groups particle_1
# and particle_5), a particle without active surface (disc 4's boundary not in 'surface')
pop_bad_meshes() {
  local d="$TMPROOT/pop_bad_meshes" out
  mkdir -p "$d"
  $PYTHON - "$POP/discs4.msh" "$d" <<'PY' || return 1
import sys
src, d = sys.argv[1], sys.argv[2]
lines = open(src).read().split("\n")
names = lines.index("$PhysicalNames")
shared, nosurf = list(lines), list(lines)
shared[names + 1] = str(int(lines[names + 1]) + 1)
shared.insert(names + 2, '2 6 "particle_5"')
e0 = shared.index("$Elements") + 2
tri = [i for i in range(e0, len(shared)) if shared[i].split()[1:2] == ["2"] and shared[i].split()[3] == "2"]
for i in tri[: len(tri) // 2]:  # half of disc 1's triangles into particle_5
    w = shared[i].split(); w[3] = w[4] = "6"; shared[i] = " ".join(w)
open(d + "/shared.msh", "w").write("\n".join(shared))
e0 = nosurf.index("$Elements") + 2
segs = [i for i in range(e0, len(nosurf)) if nosurf[i].split()[1:2] == ["1"]]
nseg = len(segs) // 4
keep = [l for i, l in enumerate(nosurf) if i not in set(segs[3 * nseg:])]
k0 = keep.index("$Elements")
keep[k0 + 1] = str(int(keep[k0 + 1]) - (len(segs) - 3 * nseg))
open(d + "/nosurface.msh", "w").write("\n".join(keep))
PY
  out=$("$SPOT" run $POP/discs4_bv.xml -mesh_file "$d/shared.msh" -out_directory "$d/o1" 2>&1 >/dev/null)
  [ "$out" = "spot: error: particles 1 and 5 of the mesh share nodes: the particles of a population must be separate pieces of mesh, with a gap between them (or one particle: merge their groups)" ] || { echo "shared: $out"; return 1; }
  out=$("$SPOT" run $POP/discs4_bv.xml -mesh_file "$d/nosurface.msh" -out_directory "$d/o2" 2>&1 >/dev/null)
  [ "$out" = "spot: error: particle 4 of the mesh has no face in the group 'surface': lithium cannot enter or leave it; every particle of a population needs an active surface" ] || { echo "no surface: $out"; return 1; }
  [ ! -e "$d/o1" ] && [ ! -e "$d/o2" ] || { echo "output folders left"; return 1; }
}
export -f pop_bad_meshes
case_ population_bad_meshes 120 pop_bad_meshes
# The (003) peak has unit area at every output time, also when the instrument's width is far below
# the output's spacing (each value is the profile's mean over its bin)
pop_peak_area() {
  local d="$TMPROOT/pop_peak_area" fwhm
  for fwhm in 0.002 0.05 0.5; do
    "$SPOT" run $POP/discs4_bv.xml -out_fields false -out_diffraction_c_lithiated 14.2angstrom -out_diffraction_c_delithiated 14.5angstrom \
      -out_diffraction_fwhm $fwhm -out_diffraction_points 50 -out_directory "$d/$fwhm" >"$d.$fwhm.log" 2>&1 || { tail -3 "$d.$fwhm.log"; return 1; }
    awk -F, -v f=$fwhm 'NR > 1 {a[$1] += $3; if (NR == 2) x0 = $2; if (NR == 3) h = $2 - x0} END {for (t in a) if (a[t] * h > 1 + 1e-6 || a[t] * h < 1 - 1e-6) {print "FWHM " f ", t = " t " s: area " a[t] * h; exit 1}}' "$d/$fwhm/diffraction.csv" || return 1
  done
}
export -f pop_peak_area
case_ population_peak_area 120 pop_peak_area
# A msh 2.2 element whose elementary tag is another group's physical tag: PETSc's reader would put it
# in both groups (particle 1's triangles into particle_2), so the mesh is refused before PETSc reads it
pop_tag_collision() {
  local d="$TMPROOT/pop_tag_collision" out
  mkdir -p "$d"
  awk 'BEGIN {e = 0} /^\$Elements/ {e = 1; print; next} /^\$EndElements/ {e = 0} e && NF > 5 && $2 == 2 && $4 == 2 {$5 = 3} {print}' $POP/discs4.msh >"$d/collide.msh"
  out=$("$SPOT" run $POP/discs4_bv.xml -mesh_file "$d/collide.msh" -out_directory "$d/o" 2>&1 >/dev/null)
  [[ "$out" == "spot: error: option -mesh_file: $d/collide.msh:"*": element "*" (msh 2.2) has the tag 3 of the group 'particle_2' among its other tags but is not in that group; PETSc's reader would put it there too: give it another elementary tag, or save the mesh as msh 4.1" ]] || { echo "$out"; return 1; }
}
export -f pop_tag_collision
case_ population_tag_collision 60 pop_tag_collision
