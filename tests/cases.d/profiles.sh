# Line profiles (<output><profiles>, profiles.csv): chords through the centroid end on the boundary,
# the profile agrees with a probe at the same point, a symmetric particle gives a symmetric
# profile, ranks agree, and lines that leave the particle are input errors.
IN=tests/inputs
export IN

profiles_chords() {
  local d="$TMPROOT/profiles"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/small.xml -out_directory "$d/a" -out_profiles_directions_deg 0,90 \
    -out_profiles_lines -0.5,0,0.5,0.2 -out_probes 0,0 > "$d/a.log" 2>&1 || { tail -3 "$d/a.log"; return 1; }
  /usr/bin/python3 - "$d/a" <<'PY' || return 1
import sys, meshio, numpy as np
import matplotlib.tri as mtri
d = sys.argv[1]
# the fields as a user reads them (meshio): vertices, triangles and theta at each output time
with meshio.xdmf.TimeSeriesReader(d + "/fields.xmf") as reader:
    points, cells = reader.read_points_cells()
    xy, tri = points[:, :2], cells[0].data
    theta = {}
    for k in range(reader.num_steps):
        t, point_data, _ = reader.read_data(k)
        theta[round(float(t), 6)] = point_data["theta"]
triangulation = mtri.Triangulation(xy[:, 0], xy[:, 1], tri)
names = open(d + "/profiles.csv").readline().strip().split(",")
assert names == ["t_s", "profile", "angle_deg", "point", "distance_um", "x_um", "y_um", "theta"], names
p = np.genfromtxt(d + "/profiles.csv", delimiter=",", skip_header=1)
probe = np.genfromtxt(d + "/probes.csv", delimiter=",", skip_header=1)
times = np.unique(p[:, 0])
assert np.allclose(times, probe[:, 0]), (times, probe[:, 0])      # the output times, like the probes
assert len(p) == len(times) * 3 * 101, len(p)
for t in times:
    one, two, seg = (p[(p[:, 0] == t) & (p[:, 1] == k)] for k in (1, 2, 3))
    # chords end on the polygonal ellipse (vertices on x^2/0.64 + y^2/0.3025 = 1, edges 0.04 um)
    assert abs(one[0, 5] + 0.8) < 2e-3 and abs(one[-1, 5] - 0.8) < 2e-3, one[[0, -1], 5]
    assert abs(two[0, 6] + 0.55) < 2e-3 and abs(two[-1, 6] - 0.55) < 2e-3, two[[0, -1], 6]
    assert np.allclose(np.diff(one[:, 4]), one[-1, 4] / 100), "points not evenly spaced"
    # the middle of the 90-degree chord is the centroid (the 0-degree chord's, 0.3 nm off it): the
    # probe there reads the same value
    pr = probe[probe[:, 0] == t, 1][0]
    assert abs(two[50, 7] - pr) < 1e-7 and abs(one[50, 7] - pr) < 1e-5, (one[50, 7], two[50, 7], pr)
    # P1: the profile is the fields' linear interpolant along the line
    field = mtri.LinearTriInterpolator(triangulation, theta[round(float(t), 6)])
    for line in (one, two, seg):
        expected = np.ma.filled(field(line[:, 5], line[:, 6]), np.nan)
        inside = ~np.isnan(expected)  # matplotlib may miss a chord's end, a hair inside the boundary
        assert inside[1:-1].all(), np.nonzero(~inside)
        assert np.abs(line[inside, 7] - expected[inside]).max() < 1e-7, np.abs(line[inside, 7] - expected[inside]).max()
    assert np.allclose(seg[[0, -1], 5:7], [[-0.5, 0], [0.5, 0.2]]), seg[[0, -1], 5:7]
last = p[p[:, 0] == times[-1]]
one = last[last[:, 1] == 1]
# after 10 min at 1C the surface has emptied while the centre has not: a real profile, not a constant
assert one[50, 7] - one[0, 7] > 0.2, (one[0, 7], one[50, 7])
assert one[0, 7] < one[25, 7] < one[50, 7], one[[0, 25, 50], 7]
PY
  # the same on 2 ranks
  $MPIRUN 2 "$SPOT" run $IN/small.xml -out_directory "$d/b" -out_fields false -out_profiles_directions_deg 0,90 \
    -out_profiles_lines -0.5,0,0.5,0.2 -out_probes 0,0 > "$d/b.log" 2>&1 || { tail -3 "$d/b.log"; return 1; }
  "$TOOLS/csvdiff" "$d/a/profiles.csv" "$d/b/profiles.csv" 1e-5 theta=1e-6 || { echo "2 ranks differ"; return 1; }
}
export -f profiles_chords
case_ profiles_chords 120 profiles_chords

profiles_document_and_every_step() {
  local d="$TMPROOT/profiles_doc"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/profiles/ellipse_profiles.xml -out_directory "$d/a" > "$d/a.log" 2>&1 || { tail -3 "$d/a.log"; return 1; }
  grep -q "^profile 3: between end points, (-0.5, 0) to (0.5, 0.2) um, 1.02 um, 41 points$" "$d/a.log" || { grep profile "$d/a.log"; return 1; }
  [ "$(tail -n +2 "$d/a/profiles.csv" | wc -l)" -eq $((3 * 3 * 41)) ] || { echo "rows: $(wc -l < "$d/a/profiles.csv")"; return 1; }
  # every time step: one block of rows per row of timeseries.csv
  "$SPOT" run $IN/profiles/ellipse_profiles.xml -out_directory "$d/b" -out_profiles_every_step true > "$d/b.log" 2>&1 || { tail -3 "$d/b.log"; return 1; }
  local rows steps
  rows=$(tail -n +2 "$d/b/timeseries.csv" | wc -l)
  steps=$(tail -n +2 "$d/b/profiles.csv" | cut -d, -f1 | sort -u | wc -l)
  [ "$rows" -gt 10 ] && [ "$steps" -eq "$rows" ] || { echo "$steps profile times for $rows time series rows"; return 1; }
}
export -f profiles_document_and_every_step
case_ profiles_document_and_every_step 120 profiles_document_and_every_step

case_ profiles_bad_line 30 spot_bad profiles_line "option -out_profiles_lines: line 1 leaves the particle: its point (-1., 0.) um (its start) lies outside; give end points whose segment lies inside" run $IN/small.xml -out_profiles_lines -1,0,1,0
case_ profiles_bad_count 30 spot_bad profiles_count "option -out_profiles_lines: a line needs its two end points, 4 coordinates in all (um), got 3 numbers" run $IN/small.xml -out_profiles_lines 0,0,0.1
case_ profiles_no_lines 30 spot_bad profiles_no_lines "option -out_profiles_points: profiles need lines: directions through the centroid (<profiles><directions_deg>, -out_profiles_directions_deg) or end points (<profiles><lines unit=\"um\">, -out_profiles_lines)" run $IN/small.xml -out_profiles_points 5
case_ profiles_bad_points 30 spot_bad profiles_points "option -out_profiles_points: a profile takes 2 to 100000 points, got 1" run $IN/small.xml -out_profiles_directions_deg 0 -out_profiles_points 1
case_ profiles_population_chord 60 spot_bad profiles_population "option -out_profiles_directions_deg: lines through the centroid need one particle, but the mesh has 4: give each line's end points (<profiles><lines unit=\"um\">x0 y0 x1 y1 ...</lines>, -out_profiles_lines)" run $IN/population/discs4_bv.xml -out_profiles_directions_deg 0
