# summary.png: every run draws V (when there is an OCP), the current and theta against t; a run
# with profiles draws their kymograph; PDF and SVG on request; a failed run leaves none of them.
IN=tests/inputs
export IN

run_figures() {
  local d="$TMPROOT/run_figures"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/bv_small.xml -out_directory "$d/bv" -out_fields false -out_figure_formats png,pdf > "$d/bv.log" 2>&1 || { tail -3 "$d/bv.log"; return 1; }
  "$SPOT" run $IN/small.xml -out_directory "$d/flux" -out_fields false -out_profiles_directions_deg 0 > "$d/flux.log" 2>&1 || { tail -3 "$d/flux.log"; return 1; }
  grep -q "summary.png" "$d/bv.log" || { echo "the outputs line does not name summary.png"; return 1; }
  /usr/bin/python3 - "$d" <<'PY' || return 1
import sys, struct
d = sys.argv[1]
def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])
# with an OCP: three panels (V, i, theta); a uniform flux has no V: two panels, a shorter figure
w_bv, h_bv = png_size(d + "/bv/summary.png")
w_flux, h_flux = png_size(d + "/flux/summary.png")
assert w_bv == w_flux == 900 and h_bv > h_flux, (w_bv, h_bv, w_flux, h_flux)
assert open(d + "/bv/summary.pdf", "rb").read(5) == b"%PDF-"
w, h = png_size(d + "/flux/profiles_kymograph.png")
assert w == 1000 and h > 200, (w, h)
PY
  # a run that fails after its start leaves no figure: a read-only output directory at the end is
  # covered by the full-disk cases; here an interrupted run keeps its figures with its outputs
  [ ! -e "$d/bv/profiles_kymograph.png" ] || { echo "a kymograph without profiles"; return 1; }
}
export -f run_figures
case_ run_figures 120 run_figures

# postproc/spot_outputs.py: a run's outputs as arrays, the way a notebook user loads them
python_outputs() {
  local d="$TMPROOT/python_outputs"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/small.xml -out_directory "$d/run" -out_profiles_directions_deg 0 -out_probes 0,0 > "$d/run.log" 2>&1 || { tail -3 "$d/run.log"; return 1; }
  /usr/bin/python3 - "$d" <<'PY' || return 1
import sys
import numpy as np
sys.path.insert(0, "postproc")
import spot_outputs as so
d = sys.argv[1]
run = so.Run(d + "/run")
ts = run.timeseries()
t, points, cells, theta = run.fields()
assert list(t) == [0, 300, 600, 900], t
tri = cells[0].data
xy = points[:, :2]
area = 0.5 * np.abs(np.cross(xy[tri[:, 1]] - xy[tri[:, 0]], xy[tri[:, 2]] - xy[tri[:, 0]]))
for k, tk in enumerate(t):
    mean = (area * theta[k][tri].mean(axis=1)).sum() / area.sum()   # exact for P1
    row = np.argmin(np.abs(ts["t_s"] - tk))
    assert abs(ts["t_s"][row] - tk) < 1e-9 or tk == 300, (tk, ts["t_s"][row])
    if abs(ts["t_s"][row] - tk) < 1e-9:
        assert abs(mean - ts["mean_theta"][row]) < 1e-9, (tk, mean, ts["mean_theta"][row])
prof, probes = run.profiles(), run.probes()
mid = (prof["t_s"] == 600) & (prof["point"] == 51)
assert abs(prof["theta"][mid][0] - probes["theta_at_x0_y0_um"][probes["t_s"] == 600][0]) < 1e-5
run.plot_summary(d + "/summary_py.png")
assert open(d + "/summary_py.png", "rb").read(4) == b"\x89PNG"
try:
    run.particles()
    raise SystemExit("a single particle has no particles.csv, yet it loaded")
except FileNotFoundError as e:
    assert "particles.csv: no such output" in str(e), e
PY
}
export -f python_outputs
case_ python_outputs 120 python_outputs
