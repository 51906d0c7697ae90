# The paper's qualitative findings stay true (issue 21; examples/gallery/ has the full runs): fast
# variants of the gallery's inputs on coarse meshes. Each case says which change makes it fail.
GALLERY=examples/gallery
COARSE="-mesh_cell_size 0.2um -mesh_boundary_cell_size 0.08um -mesh_boundary_layer 0.3um"
QUIETRUN="-out_progress false -out_fields false -out_checkpoints false"
export GALLERY COARSE QUIETRUN

# gallery_charge DIR OPTIONS...: the gallery's C/3 charge (charge step only) on the coarse mesh, or
# on the mesh options of $MESH
gallery_charge() {
  local d=$1; shift
  # shellcheck disable=SC2086
  "$SPOT" run $GALLERY/c3_charge.xml -out_directory "$d" ${MESH:-$COARSE} $QUIETRUN -proto_nsteps 1 "$@" > "$d.log" 2>&1 || { tail -3 "$d.log"; return 1; }
}
export -f gallery_charge

# gallery_peak_gap DIR: the largest centre-region minus periphery-band theta of a run
gallery_peak_gap() {
  /usr/bin/python3 -c '
import sys, numpy as np
t = np.genfromtxt(sys.argv[1] + "/timeseries.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
print("%.4f" % (t["centre_mean_theta"] - t["periphery_mean_theta"]).max())' "$1"
}
export -f gallery_peak_gap

# The centre lags: 20 min into a C/3 charge from 0.97 the centroid has hardly moved while the
# periphery band has lost > 0.1. Fails with a fast D near theta 1 (e.g. -phys_alpha 1e4: the
# particle delithiates uniformly) or with the flux not on the boundary.
gallery_centre_lags() {
  local d="$TMPROOT/gallery_lag"
  rm -rf "$d" && mkdir -p "$d"
  gallery_charge "$d/a" -proto_0_duration 20min || return 1
  tail -1 "$d/a/timeseries.csv" | awk -F, -v cols="$(head -1 "$d/a/timeseries.csv")" '
    BEGIN { n = split(cols, c, ","); for (j = 1; j <= n; ++j) k[c[j]] = j }
    { ce = $k["centroid_theta"]; pe = $k["periphery_mean_theta"]
      printf "after 20 min: centroid %.4f, periphery band %.4f\n", ce, pe
      exit !(ce > 0.96 && ce - pe > 0.1) }'
}
export -f gallery_centre_lags
case_ gallery_centre_lags 30 gallery_centre_lags

# The core-shell gap shrinks with alpha (1 > 5 > 100), with the particle's size (half the size: a
# smaller gap) and grows with the rate (1C > C/3), each over a charge of 0.3 in mean theta. Fails if
# the diffusivity ignored alpha or the mesh's size (e.g. a flux not scaled by |dOmega|/|Omega|), or if the
# uniform flux did not follow the C-rate.
gallery_gap_trends() {
  local d="$TMPROOT/gallery_gap"
  rm -rf "$d" && mkdir -p "$d"
  gallery_charge "$d/a1" -proto_0_duration 54min -phys_alpha 1 || return 1
  gallery_charge "$d/a5" -proto_0_duration 54min -phys_alpha 5 || return 1
  gallery_charge "$d/a100" -proto_0_duration 54min -phys_alpha 100 || return 1
  MESH="-mesh_shape_semi_axes 0.55,0.4 -mesh_cell_size 0.1um -mesh_boundary_cell_size 0.04um -mesh_boundary_layer 0.15um" \
    gallery_charge "$d/half" -proto_0_duration 54min || return 1
  gallery_charge "$d/base" -proto_0_duration 54min || return 1
  gallery_charge "$d/1C" -proto_0_duration 18min -proto_0_c_rate 1 || return 1
  local a1 a5 a100 half base fast
  a1=$(gallery_peak_gap "$d/a1") a5=$(gallery_peak_gap "$d/a5") a100=$(gallery_peak_gap "$d/a100")
  half=$(gallery_peak_gap "$d/half") base=$(gallery_peak_gap "$d/base") fast=$(gallery_peak_gap "$d/1C")
  echo "peak gap: alpha 1 $a1, 5 $a5, 100 $a100; 1.1x0.8 um $half, 2.2x1.6 um $base; C/3 $base, 1C $fast"
  awk -v a1="$a1" -v a5="$a5" -v a100="$a100" -v h="$half" -v b="$base" -v f="$fast" \
    'BEGIN { exit !(a1 > a5 + 0.05 && a5 > a100 + 0.05 && b > h + 0.03 && f > b + 0.05) }'
}
export -f gallery_gap_trends
case_ gallery_gap_trends 60 gallery_gap_trends

# A 1C discharge to 3.0 V with the halfcell_rehm_kuhn set ends with a Li-rich rim (surface near 1)
# around a Li-poor centre, and a CV hold at 3.0 V recovers more than 0.05 of mean theta. Fails if
# the OCP table did not reach 3.0 V near theta 1 (the Chen 2020 table stops at 3.52 V: a cut-off
# reached only by a saturating surface changes the numbers), or with -phys_alpha 1e4 (no rim, no
# recovery).
gallery_cv_recovers() {
  local d="$TMPROOT/gallery_cv"
  rm -rf "$d" && mkdir -p "$d"
  # shellcheck disable=SC2086
  "$SPOT" run $GALLERY/cccv_halfcell.xml -out_directory "$d/a" $COARSE $QUIETRUN -out_profiles_every_step false \
    > "$d/a.log" 2>&1 || { tail -3 "$d/a.log"; return 1; }
  /usr/bin/python3 - "$d/a" <<'PY'
import sys, numpy as np
t = np.genfromtxt(sys.argv[1] + "/timeseries.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
cc, cv = t[t["step"] == 3], t[t["step"] == 4]
rim, core = cc["surface_mean_theta"][-1], cc["centre_mean_theta"][-1]
recovered = cv["mean_theta"][-1] - cc["mean_theta"][-1]
print(f"end of 1C: surface {rim:.3f}, centre {core:.3f}, V {cc['voltage_V'][-1]:.3f}; CV recovers {recovered:.3f}")
assert abs(cc["voltage_V"][-1] - 3.0) < 1e-3
assert rim > 0.97 and rim - core > 0.2, (rim, core)
assert recovered > 0.05, recovered
PY
}
export -f gallery_cv_recovers
case_ gallery_cv_recovers 60 gallery_cv_recovers

# With a constant D the centroid's theta falls on a straight line once the diffusion profile is
# established (30-60 min of C/3 at 1e-12 cm2/s): within 3 % of its fall; with the Ni-rich D(theta) it
# deviates by more than 10 %. Fails if D were evaluated at a fixed theta (both linear) or the
# constant law depended on theta.
gallery_constant_D_linear() {
  local d="$TMPROOT/gallery_lin"
  rm -rf "$d" && mkdir -p "$d"
  gallery_charge "$d/c" -phys_alpha 1 -phys_diffusivity_law constant -phys_diffusivity_value 1e-12cm2/s || return 1
  gallery_charge "$d/v" || return 1
  /usr/bin/python3 - "$d" <<'PY'
import sys, numpy as np
def deviation(run):
    t = np.genfromtxt(f"{sys.argv[1]}/{run}/timeseries.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    m = t["t_s"] / 60
    k = (m >= 30) & (m <= 60)
    y = t["centroid_theta"][k]
    return np.abs(y - np.polyval(np.polyfit(m[k], y, 1), m[k])).max() / (y.max() - y.min())
c, v = deviation("c"), deviation("v")
print(f"centroid's largest deviation from a line over 30-60 min, over its fall: constant D {c:.4f}, D(theta) {v:.4f}")
assert c < 0.03 and v > 0.1, (c, v)
PY
}
export -f gallery_constant_D_linear
case_ gallery_constant_D_linear 30 gallery_constant_D_linear
