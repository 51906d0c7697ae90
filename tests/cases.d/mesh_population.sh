# Every particle of a field of view: spot mesh --all (issue 18, part 1). Synthetic images from
# tests/tools/population_images.py (the docstring there lists what they hold).
pop_dir=$TMPROOT/population
export pop_dir
pop_make_images() { mkdir -p "$pop_dir" && [ -s "$pop_dir/discs.pgm" ] || /usr/bin/python3 tests/tools/population_images.py "$pop_dir"; }
export -f pop_make_images

# pop_refuses MESSAGE COMMAND...: exit status 1, stderr exactly "spot: error: MESSAGE" (under
# mpirun: exactly one such line), and nothing new in $pop_dir/refused
pop_refuses() {
  local want="spot: error: $1" err rc before
  shift
  pop_make_images || return 1
  mkdir -p "$pop_dir/refused"
  before=$(ls -A "$pop_dir/refused")
  err=$(timeout 60 "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 1 ] || [ "$(grep -c '^spot: error: ' <<<"$err")" -ne 1 ] || [ "$(grep '^spot: error: ' <<<"$err")" != "$want" ] || { [ "$1" != mpirun ] && [ "$err" != "$want" ]; }; then
    printf 'command: %s\nexit status %s (wanted 1)\nstderr:\n%s\nwanted:\n%s\n' "$*" "$rc" "$err" "$want"
    return 1
  fi
  [ "$before" = "$(ls -A "$pop_dir/refused")" ] || { echo "files left: $(ls -A "$pop_dir/refused")"; return 1; }
}
export -f pop_refuses
pop_refuses=(bash -c 'pop_refuses "$@"' pop_refuses)

# Five discs: one cut by the border, two overlapping (split at their neck), a speck too small.
# Counts, areas (pi r^2, or the disc cut at the radical line for the split pair), the table, the
# groups of the msh file, and the particle numbering of groups and table (same centroids).
case_ mesh_population_discs 120 bash -c '
  pop_make_images || exit 1
  out=$("$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --cell-size 0.1 -o "$pop_dir/discs.msh") || { echo "$out"; exit 1; }
  echo "$out"
  grep -qx "particles: 6 found in 5 regions (1 touching region split by the watershed into 2); 4 kept, 1 left out at the image border, 1 left out as smaller than 0.04 um^2 (16 pixels)" <<<"$out" || { echo "wrong counts"; exit 1; }
  grep -q "^mesh: $pop_dir/discs.msh, 4 particles, 2-D" <<<"$out" && grep -qx "table: $pop_dir/discs_particles.csv" <<<"$out" || { echo "report lacks mesh or table"; exit 1; }
  [ -s "$pop_dir/discs_preview.png" ] || { echo "no preview"; exit 1; }
  [ -z "$(ls "$pop_dir" | grep part$)" ] && [ -z "$(ls "$pop_dir" | grep "\.part")" ] || { echo "temporary files left"; exit 1; }
  /usr/bin/python3 - "$pop_dir" <<"PY"
import csv, math, sys
import meshio, numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/discs_particles.csv")))
assert list(rows[0].keys()) == "particle,area_um2,perimeter_um,equivalent_diameter_um,centroid_x_um,centroid_y_um,row_min,col_min,row_max,col_max,pixels,touches_border,split".split(","), rows[0].keys()
assert [int(r["particle"]) for r in rows] == [1, 2, 3, 4], rows
p = 0.05
def cut(r1, r2, dist):  # area of disc 1 on its side of the radical line of two overlapping discs
    a = (dist * dist + r1 * r1 - r2 * r2) / (2 * dist)
    return math.pi * r1 * r1 - (r1 * r1 * math.acos(a / r1) - a * math.sqrt(r1 * r1 - a * a))
want = [(math.pi * 400, 3.0, 2.5, 0), (math.pi * 625, 10.0, 2.5, 0), (cut(22, 18, 37), 4.0, 7.0, 1), (cut(18, 22, 37), 5.85, 7.0, 1)]
for r, (area_px, x, y, split) in zip(rows, want):
    area = float(r["area_um2"])
    assert abs(area / (area_px * p * p) - 1) < 0.02, (r, area_px * p * p)
    assert abs(float(r["centroid_x_um"]) - x) < 0.1 and abs(float(r["centroid_y_um"]) - y) < 0.1, r
    assert int(r["split"]) == split and int(r["touches_border"]) == 0, r
    assert abs(float(r["equivalent_diameter_um"]) - math.sqrt(4 * area / math.pi)) < 1e-5, r
m = meshio.read(f"{d}/discs.msh")
names = set(m.field_data)
assert names == {"surface", "particle"} | {f"{g}_{k}" for g in ("particle", "surface") for k in range(1, 5)}, names
assert all(m.field_data[f"particle_{k}"][1] == 2 and m.field_data[f"surface_{k}"][1] == 1 for k in range(1, 5))
# the physical groups of each surface entity, from $Entities (meshio keeps only the first)
text = open(f"{d}/discs.msh").read().split("$Entities\n")[1].split("$EndEntities")[0].split("\n")
npts, ncur, nsur, nvol = map(int, text[0].split())
groups = {}
for line in text[1 + npts + ncur:1 + npts + ncur + nsur]:
    w = line.split()
    groups[int(w[0])] = {int(t) for t in w[8:8 + int(w[7])]}
tri = np.vstack([c.data for c in m.cells if c.type == "triangle"])
ent = np.concatenate([m.cell_data["gmsh:geometrical"][i] for i, c in enumerate(m.cells) if c.type == "triangle"])
used = set()
for k in range(1, 5):
    mine = [e for e, g in groups.items() if m.field_data[f"particle_{k}"][0] in g]
    assert len(mine) == 1 and m.field_data["particle"][0] in groups[mine[0]], (k, groups)
    t = tri[ent == mine[0]]
    x = m.points[t][:, :, :2]
    a = 0.5 * np.abs((x[:, 1, 0] - x[:, 0, 0]) * (x[:, 2, 1] - x[:, 0, 1]) - (x[:, 2, 0] - x[:, 0, 0]) * (x[:, 1, 1] - x[:, 0, 1]))
    c = (a[:, None] * x.mean(axis=1)).sum(axis=0) / a.sum()
    r = rows[k - 1]
    assert abs(a.sum() - float(r["area_um2"])) < 1e-6 * a.sum(), (k, a.sum(), r)
    assert abs(c[0] - float(r["centroid_x_um"])) < 1e-6 and abs(c[1] - float(r["centroid_y_um"])) < 1e-6, (k, c, r)
    nodes = set(t.ravel())
    assert not nodes & used, f"particle {k} shares nodes"
    used |= nodes
print("table and groups agree")
PY'

# spot run on the mesh of four particles, on 1 and 2 ranks: the same mean theta
pop_run() {
  local ranks=$1 dir=$pop_dir/run_np$1 out
  [ -s "$pop_dir/discs.msh" ] || "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --cell-size 0.1 -o "$pop_dir/discs.msh" >/dev/null || return 1
  out=$($MPIRUN "$ranks" "$SPOT" run bench/problems/rounded_square.xml -mesh_file "$pop_dir/discs.msh" -proto_0_duration 60s -out_times 60s -out_probes 3,2.5 -out_directory "$dir" 2>&1) || { echo "$out"; return 1; }
  echo "$out"
  grep -q "^mesh: 2-D, .* area 14.3" <<<"$out" && grep -q "ended by its duration at t = 60 s (60 s): mean theta 0.97167" <<<"$out" && [ -s "$dir/timeseries.csv" ]
}
export -f pop_run
case_ mesh_population_run 120 bash -c 'pop_make_images && pop_run 1'
case_ mesh_population_run_np2 120 bash -c 'pop_make_images && pop_run 2'

# --keep-border meshes the cut disc too; --keep-touching keeps the overlapping pair as one
case_ mesh_population_keep 120 bash -c '
  pop_make_images || exit 1
  out=$("$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --keep-border --cell-size 0.15 -o "$pop_dir/keep/border.msh") || { echo "$out"; exit 1; }
  grep -qx "particles: 6 found in 5 regions (1 touching region split by the watershed into 2); 5 kept, 0 left out at the image border, 1 left out as smaller than 0.04 um^2 (16 pixels)" <<<"$out" || { echo "$out"; exit 1; }
  [ "$(sed -n 6p "$pop_dir/keep/border_particles.csv" | cut -d, -f12)" = 1 ] || { echo "the border particle is not marked"; cat "$pop_dir/keep/border_particles.csv"; exit 1; }
  out=$("$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --keep-touching --min-area 4px --cell-size 0.15 -o "$pop_dir/keep/touching.msh") || { echo "$out"; exit 1; }
  grep -qx "particles: 5 found in 5 regions; 3 kept, 1 left out at the image border, 1 left out as smaller than 0.01 um^2 (4 pixels)" <<<"$out" || { echo "$out"; exit 1; }'

# A label image: each value a particle, touching labels meshed apart (half a pixel between them)
case_ mesh_population_labels 120 bash -c '
  pop_make_images || exit 1
  out=$("$SPOT" mesh "$pop_dir/labels.pgm" --pixel-size 0.05 --all --labels --cell-size 0.1 -o "$pop_dir/labels.msh") || { echo "$out"; exit 1; }
  echo "$out"
  grep -qx "particles: 4 found in 4 regions; 3 kept, 1 left out at the image border, 0 left out as smaller than 0.04 um^2 (16 pixels)" <<<"$out" || exit 1
  /usr/bin/python3 - "$pop_dir" <<"PY"
import csv, sys, math
rows = list(csv.DictReader(open(f"{sys.argv[1]}/labels_particles.csv")))
assert len(rows) == 3, rows
assert abs(float(rows[0]["area_um2"]) / (math.pi * 25 * 25 * 0.0025) - 1) < 0.02, rows[0]
for r in rows[1:]:  # 40 x 40 pixel squares, corners rounded, a quarter pixel off the shared side
    assert abs(float(r["area_um2"]) / 4.0 - 1) < 0.02 and int(r["pixels"]) == 1600, r
assert float(rows[1]["centroid_x_um"]) < float(rows[2]["centroid_x_um"])
PY
  out=$("$SPOT" run bench/problems/rounded_square.xml -mesh_file "$pop_dir/labels.msh" -proto_0_duration 30s -out_times 30s -out_probes 2,2 -out_directory "$pop_dir/labels_run" 2>&1) || { echo "$out"; exit 1; }'

# Refused, in one line, before anything is written
case_ mesh_population_noise 60 "${pop_refuses[@]}" "argument IMAGE: '$pop_dir/noise.pgm' shows no particles: the 13 regions brighter than Otsu's threshold 0.5004 do not stand out from their surroundings (edge contrast 1.22: their outlines are only 1.22 times as steep as the image around them; a particle's is at least 2.2 times as steep); for dark particles use --invert (-mesh_image_invert); otherwise try a --threshold (-mesh_image_threshold) or a larger --sigma (-mesh_image_sigma) for a noisy image" "$SPOT" mesh "$pop_dir/noise.pgm" --pixel-size 0.05 --all -o "$pop_dir/refused/a.msh"
case_ mesh_population_zero_labels 60 "${pop_refuses[@]}" "label image '$pop_dir/zero.pgm' has no particle: every pixel is 0 (background)" "$SPOT" mesh "$pop_dir/zero.pgm" --pixel-size 0.05 --all --labels -o "$pop_dir/refused/a.msh"
case_ mesh_population_all_left_out 60 "${pop_refuses[@]}" "argument IMAGE: image '$pop_dir/discs.pgm' has no particle to mesh: of the 5 found, 5 are smaller than the minimum area 10 um^2 (4000 pixels; --min-area) and 0 touch the image border (--keep-border meshes them)" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --min-area 10um2 -o "$pop_dir/refused/a.msh"
case_ mesh_population_max_particles 60 "${pop_refuses[@]}" "argument --max-particles: image '$pop_dir/discs.pgm' has 4 particles to mesh, more than -mesh_image_max_particles allows (2); raise it, or leave out the small ones with a larger --min-area" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --max-particles 2 -o "$pop_dir/refused/a.msh"
case_ mesh_population_max_cells 60 "${pop_refuses[@]}" "the meshes of the 4 particles of image '$pop_dir/discs.pgm' (area 14.3 um^2 in all; cells of each particle's equivalent diameter / 50) would have about 3.6e+04 cells, more than -mesh_max_cells allows (1000); use coarser cells, or raise -mesh_max_cells" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all -mesh_max_cells 1000 -o "$pop_dir/refused/a.msh"
case_ mesh_population_seed 60 "${pop_refuses[@]}" "argument --seed: a seed picks one particle, and --all (-mesh_image_particles all) meshes every particle; give one or the other" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --seed 50,60 -o "$pop_dir/refused/a.msh"
case_ mesh_population_labels_alone 60 "${pop_refuses[@]}" "argument --labels: only for every particle of the image: add --all (-mesh_image_particles all)" "$SPOT" mesh "$pop_dir/labels.pgm" --pixel-size 0.05 --labels -o "$pop_dir/refused/a.msh"
case_ mesh_population_min_area_alone 60 "${pop_refuses[@]}" "argument --min-area: only for every particle of the image: add --all (-mesh_image_particles all)" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --min-area 1um2 -o "$pop_dir/refused/a.msh"
case_ mesh_population_min_area_unit 60 "${pop_refuses[@]}" "argument --min-area: the minimum area must be an area from 0 to 1e6 um^2, in um2 (the default unit), nm2 or px (pixels), e.g. 0.05um2 or 16px, got '3 acres'" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --min-area "3 acres" -o "$pop_dir/refused/a.msh"
case_ mesh_population_labels_threshold 60 "${pop_refuses[@]}" "argument --threshold: does not apply to a label image (--labels, -mesh_image_labels): its values are particles, not grey levels, and touching labels stay apart" "$SPOT" mesh "$pop_dir/labels.pgm" --pixel-size 0.05 --all --labels --threshold 0.5 -o "$pop_dir/refused/a.msh"
case_ mesh_population_particles_value 60 "${pop_refuses[@]}" "option -mesh_image_particles: -mesh_image_particles is one of one/all, got 'many'" "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 -mesh_image_particles many -o "$pop_dir/refused/a.msh"
case_ mesh_population_error_np2 60 "${pop_refuses[@]}" "argument --max-particles: image '$pop_dir/discs.pgm' has 4 particles to mesh, more than -mesh_image_max_particles allows (2); raise it, or leave out the small ones with a larger --min-area" $MPIRUN 2 "$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --max-particles 2 -o "$pop_dir/refused/a.msh"

# The real field of view (data/images, X-ray slice of an NMC811 electrode; pixel size assumed
# 0.05 um): particles of at least 1 um^2, coarse cells to keep the test short (about 10 s)
case_ mesh_population_xray 120 bash -c '
  out=$("$SPOT" mesh data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif --pixel-size 0.05 --all --min-area 1um2 --cell-size 0.5 -o "$TMPROOT/population_xray/slice.msh") || { echo "$out"; exit 1; }
  echo "$out"
  grep -qx "particles: 246 found in 207 regions (16 touching regions split by the watershed into 55); 78 kept, 1 left out at the image border, 167 left out as smaller than 1 um^2 (400 pixels)" <<<"$out" || exit 1
  [ "$(wc -l < "$TMPROOT/population_xray/slice_particles.csv")" = 79 ] && [ "$(grep -c "^2 [0-9]* \"particle_" "$TMPROOT/population_xray/slice.msh")" = 78 ]'

# --extrude: each particle a platelet (groups top, bottom, surface_<k>, particle_<k> of dimension 3)
case_ mesh_population_extrude 120 bash -c '
  pop_make_images || exit 1
  out=$("$SPOT" mesh "$pop_dir/discs.pgm" --pixel-size 0.05 --all --extrude 0.5 --cell-size 0.2 -o "$pop_dir/extrude/p.msh") || { echo "$out"; exit 1; }
  echo "$out"
  grep -q "^mesh: $pop_dir/extrude/p.msh, 4 particles, 3-D platelets 0.5 um thick" <<<"$out" || exit 1
  for g in "2 [0-9]* \"surface\"" "2 [0-9]* \"top\"" "2 [0-9]* \"bottom\"" "3 [0-9]* \"particle\"" "3 [0-9]* \"particle_4\"" "2 [0-9]* \"surface_4\""; do
    grep -q "^$g$" "$pop_dir/extrude/p.msh" || { echo "no group $g"; exit 1; }
  done
  out=$("$SPOT" run bench/problems/rounded_square.xml -mesh_file "$pop_dir/extrude/p.msh" -proto_0_duration 30s -out_times 30s -out_probes 3,2.5,0.25 -out_directory "$pop_dir/extrude/run" 2>&1) || { echo "$out"; exit 1; }'

# <mesh><image> in spot run with every particle: the table goes beside the mesh as mesh_particles.csv
case_ mesh_population_run_image 120 bash -c '
  out=$("$SPOT" run examples/from_image/charge.xml -out_directory "$TMPROOT/population_run_image" -proto_0_duration 1min -proto_1_duration 20s -out_times 0,1min -mesh_image_particles all -mesh_image_min_area 0.5um2 2>&1) || { echo "$out"; exit 1; }
  grep -qx "particles: 6 found in 6 regions; 1 kept, 0 left out at the image border, 5 left out as smaller than 0.5 um^2 (3472 pixels)" <<<"$out" && [ -s "$TMPROOT/population_run_image/mesh_particles.csv" ] && [ -s "$TMPROOT/population_run_image/mesh.msh" ]'

# Particles meshed apart stay apart at any cell size: coarse boundary cells are chords that cut
# across a neighbour's outline at a neck, so where two particles' boundary meshes meet both are
# meshed again with finer cells near the other (spot run checks the whole boundary on loading).
# pop_apart MESH RANKS: spot run loads MESH on RANKS ranks and runs a second of charge
pop_apart() {
  local out
  out=$($MPIRUN "$2" "$SPOT" run tests/inputs/population/discs16_autocatalytic.xml -mesh_file "$1" -proto_0_duration 1s -out_fields false -out_directory "$1.run$2" 2>&1) || { echo "$out"; return 1; }
  grep -q "^checks: " <<<"$out" || { echo "$out"; return 1; }
}
export -f pop_apart
# the synthetic neck: a disc in a bite of a larger one (touching labels), 2-D and platelets
case_ mesh_population_apart_neck 240 bash -c '
  pop_make_images || exit 1
  for c in 1 2; do
    out=$("$SPOT" mesh "$pop_dir/neck.pgm" --pixel-size 0.05 --all --labels --cell-size ${c}um -o "$pop_dir/apart/neck_$c.msh") || { echo "$out"; exit 1; }
    grep -qx "particles: 2 found in 2 regions; 2 kept, 0 left out at the image border, 0 left out as smaller than 0.04 um^2 (16 pixels)" <<<"$out" || { echo "$out"; exit 1; }
    pop_apart "$pop_dir/apart/neck_$c.msh" 1 && pop_apart "$pop_dir/apart/neck_$c.msh" 2 || { echo "cell size $c um"; exit 1; }
  done
  out=$("$SPOT" mesh "$pop_dir/neck.pgm" --pixel-size 0.05 --all --labels --extrude 0.5 --cell-size 1um -o "$pop_dir/apart/neck_3d.msh") || { echo "$out"; exit 1; }
  pop_apart "$pop_dir/apart/neck_3d.msh" 1'
# the X-ray slice at coarse cells (it met at 0.5 um with particles of 1 um^2 and 2 um^2; at 1 um
# with 1 um^2 the outlines met before Gmsh ran); make check runs the first combination, make
# check-slow all four
for ac in "1 0.5" "1 1" "2 0.5" "2 1"; do
  a=${ac% *} c=${ac#* } kind=slow_case_
  [ "$ac" = "1 0.5" ] && kind=case_
  {
    $kind mesh_population_apart_xray_${a}um2_${c}um 240 bash -c '
      msh=$TMPROOT/population_apart/slice_$1_$2.msh
      out=$("$SPOT" mesh data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif --pixel-size 0.05um --all --min-area $1um2 --cell-size $2um -o "$msh") || { echo "$out"; exit 1; }
      pop_apart "$msh" 1 && pop_apart "$msh" 2' apart "$a" "$c"
  }
done
