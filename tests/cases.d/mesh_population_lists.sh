# Populations without an image (issue 18): discs drawn from a lognormal size distribution
# (spot mesh --population N, -mesh_population_count) and particles listed by hand
# (spot mesh --population-file F, -mesh_population_file); mesh/population.c.
pl_dir=$TMPROOT/population_lists
export pl_dir

# pl_refuses MESSAGE COMMAND...: exit status 1, stderr exactly "spot: error: MESSAGE" (under
# mpirun: exactly one such line), and nothing new in $pl_dir/refused
pl_refuses() {
  local want="spot: error: $1" err rc before
  shift
  mkdir -p "$pl_dir/refused" && cd "$pl_dir" || return 1
  printf 'x_um,y_um,radius_um\n0,0,1\n3,0.5,1\n1.5,0.2,0.6\n' >overlap.csv
  printf 'x_um,y_um,radius_um\n0,0,1\n2.05,0,1\n' >close.csv
  before=$(ls -A "$pl_dir/refused")
  err=$(timeout 60 "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 1 ] || [ "$(grep -c '^spot: error: ' <<<"$err")" -ne 1 ] || [ "$(grep '^spot: error: ' <<<"$err")" != "$want" ] || { [ "$1" != mpirun ] && [ "$err" != "$want" ]; }; then
    printf 'command: %s\nexit status %s (wanted 1)\nstderr:\n%s\nwanted:\n%s\n' "$*" "$rc" "$err" "$want"
    return 1
  fi
  [ "$before" = "$(ls -A "$pl_dir/refused")" ] || { echo "files left: $(ls -A "$pl_dir/refused")"; return 1; }
}
export -f pl_refuses
pl_refuses=(bash -c 'pl_refuses "$@"' pl_refuses)

# 20 discs: the same seed gives the same files, another seed another population; the table has a
# row per particle in the mesh's order (centroids top to bottom), radii drawn, gaps kept, areas
# those of the discs; the msh file has particle_<k>, surface_<k> and the unions
case_ mesh_population_lists_drawn 180 bash -c '
  d=$pl_dir/drawn && mkdir -p "$d" || exit 1
  for name in a b; do
    out=$("$SPOT" mesh --population 20 --radius-median 1um --radius-spread 0.3 --seed 7 --cell-size 0.25 -o "$d/$name.msh") || { echo "$out"; exit 1; }
  done
  echo "$out"
  grep -q "^population: 20 discs drawn (seed 7): radius median 1 um, spread 0.3 (ln r normal, truncated at 3 sigma); placed in a [0-9.]* um square (packing fraction 0.4), at least 0.1 um apart$" <<<"$out" || { echo "wrong report"; exit 1; }
  grep -qx "table: $d/b_particles.csv" <<<"$out" || { echo "no table line"; exit 1; }
  cmp "$d/a.msh" "$d/b.msh" && cmp "$d/a_particles.csv" "$d/b_particles.csv" || { echo "seed 7 twice: different files"; exit 1; }
  "$SPOT" mesh --population 20 --radius-median 1um --radius-spread 0.3 --seed 8 --cell-size 0.25 -o "$d/c.msh" >/dev/null || exit 1
  ! cmp -s "$d/a_particles.csv" "$d/c_particles.csv" || { echo "seeds 7 and 8 drew the same"; exit 1; }
  [ -z "$(ls -A "$d" | grep -v "^[abc]\(\.msh\|_particles\.csv\)$")" ] || { echo "files left: $(ls -A "$d")"; exit 1; }
  [ "$(grep -c "^2 [0-9]* \"particle_[0-9]*\"$" "$d/a.msh")" = 20 ] && [ "$(grep -c "^1 [0-9]* \"surface_[0-9]*\"$" "$d/a.msh")" = 20 ] && grep -q "^2 [0-9]* \"particle\"$" "$d/a.msh" && grep -q "^1 [0-9]* \"surface\"$" "$d/a.msh" || { echo "groups missing"; grep -A50 PhysicalNames "$d/a.msh" | head -50; exit 1; }
  /usr/bin/python3 - "$d/a_particles.csv" <<"PY"
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0].keys())[:13] == "particle,area_um2,perimeter_um,equivalent_diameter_um,centroid_x_um,centroid_y_um,row_min,col_min,row_max,col_max,pixels,touches_border,split".split(","), rows[0].keys()
assert [int(r["particle"]) for r in rows] == list(range(1, 21)), rows
ys = [float(r["centroid_y_um"]) for r in rows]
assert ys == sorted(ys), ys
worst = 1e9
for i, p in enumerate(rows):
    r = float(p["semi_axis_a_um"])
    assert float(p["semi_axis_b_um"]) == r and math.isnan(float(p["row_min"])) and math.isnan(float(p["pixels"])), p
    assert abs(float(p["area_um2"]) / (math.pi * r * r) - 1) < 0.01, (p, math.pi * r * r)
    for q in rows[i + 1:]:
        gap = math.dist((float(p["centroid_x_um"]), float(p["centroid_y_um"])), (float(q["centroid_x_um"]), float(q["centroid_y_um"]))) - r - float(q["semi_axis_a_um"])
        worst = min(worst, gap)
print("smallest gap", worst)
assert worst >= 0.1 - 1e-3, worst
PY'

# 200 discs: ln r has the median and spread asked for (the sample's, within 20 %)
case_ mesh_population_lists_lognormal 180 bash -c '
  d=$pl_dir/lognormal && mkdir -p "$d" || exit 1
  out=$("$SPOT" mesh --population 200 --radius-median 2um --radius-spread 0.5 --seed 3 --cell-size 0.6 -o "$d/p.msh") || { echo "$out"; exit 1; }
  /usr/bin/python3 - "$d/p_particles.csv" <<"PY"
import csv, math, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 200, len(rows)
ln = [math.log(float(r["semi_axis_a_um"])) for r in rows]
median, sigma = math.exp(statistics.median(ln)), statistics.stdev(ln)
print("median radius %.4g um, sigma of ln r %.4g" % (median, sigma))
assert abs(median / 2 - 1) < 0.2 and abs(sigma / 0.5 - 1) < 0.2, (median, sigma)
assert max(abs(l - math.log(2)) for l in ln) <= 3 * 0.5 + 1e-9  # truncated at 3 sigma
PY'

# spot run on a drawn population: one current collector, 20 particles
case_ mesh_population_lists_run 180 bash -c '
  d=$pl_dir/run && mkdir -p "$d" || exit 1
  "$SPOT" mesh --population 20 --radius-median 1um --radius-spread 0.3 --seed 7 --cell-size 0.25 -o "$d/pop.msh" >/dev/null || exit 1
  out=$("$SPOT" run tests/inputs/population/discs4_bv.xml -mesh_file "$d/pop.msh" -proto_0_duration 60s -out_fields false -out_directory "$d/D" 2>&1) || { echo "$out"; exit 1; }
  grep -q "^particles: 20 on one current collector" <<<"$out" || { echo "$out"; exit 1; }
  [ "$(grep -c "" "$d/D/particles.csv")" -gt 20 ] || { echo "particles.csv too short"; exit 1; }'

# A document with <mesh><population>; the command line changes the count. The mesh and its table
# are kept in the output directory like a shape'"'"'s mesh
case_ mesh_population_lists_document 180 bash -c '
  d=$pl_dir/document && mkdir -p "$d" || exit 1
  sed -e "s#<file>discs4.msh</file>#<population><count>6</count><radius_median unit=\"um\">1</radius_median><radius_spread>0.2</radius_spread><seed>4</seed></population><cell_size unit=\"um\">0.3</cell_size>#" -e "s#\.\./\.\./\.\./data#$PWD/data#" tests/inputs/population/discs4_bv.xml >"$d/pop.xml" || exit 1
  out=$("$SPOT" run "$d/pop.xml" -mesh_population_count 8 -proto_0_duration 30s -out_fields false -out_directory "$d/R" 2>&1) || { echo "$out"; exit 1; }
  echo "$out"
  grep -q "^population: 8 discs drawn (seed 4)" <<<"$out" && grep -q "^particles: 8 on one current collector" <<<"$out" || exit 1
  [ -s "$d/R/mesh.msh" ] && [ "$(grep -c "" "$d/R/mesh_particles.csv")" = 9 ] && [ ! -e "$d/R/mesh.part.msh" ] || { ls "$d/R"; exit 1; }'

# Three discs listed out of order: numbered by centroid (top to bottom, then left to right),
# areas within 1 % of pi r^2, the line of each in the table; and two ellipses (pi a b)
case_ mesh_population_lists_listed 120 bash -c '
  d=$pl_dir/listed && mkdir -p "$d" && cd "$d" || exit 1
  printf "# three discs\nx_um,y_um,radius_um\n5,4,1.5\n1,0.5,0.4\n-2,4,0.8\n" >three.csv
  out=$("$SPOT" mesh --population-file three.csv -o three.msh) || { echo "$out"; exit 1; }
  echo "$out"
  grep -qx "population: 3 particles listed in three.csv (3 discs, 0 ellipses)" <<<"$out" || exit 1
  printf "x_um,y_um,semi_axis_a_um,semi_axis_b_um,angle_deg\n0,0,2,1,30\n5,0,1,0.5,-45\n" >ellipses.csv
  "$SPOT" mesh --population-file ellipses.csv --cell-size 0.1 -o ellipses.msh >/dev/null || exit 1
  /usr/bin/python3 - <<"PY"
import csv, math
rows = list(csv.DictReader(open("three_particles.csv")))
want = [(1, 0.5, 0.4, 4), (-2, 4, 0.8, 5), (5, 4, 1.5, 3)]  # x, y, r, line
assert len(rows) == 3, rows
for row, (x, y, r, line) in zip(rows, want):
    area = float(row["area_um2"])
    print(row["particle"], area / (math.pi * r * r))
    assert abs(area / (math.pi * r * r) - 1) < 0.01, (row, r)
    assert abs(float(row["centroid_x_um"]) - x) < 1e-3 * r and abs(float(row["centroid_y_um"]) - y) < 1e-3 * r, row
    assert int(row["input_line"]) == line and float(row["semi_axis_a_um"]) == r, row
rows = list(csv.DictReader(open("ellipses_particles.csv")))
for row, (a, b) in zip(rows, [(2, 1), (1, 0.5)]):
    assert abs(float(row["area_um2"]) / (math.pi * a * b) - 1) < 0.01, row
PY'

# Refused, in one line, before anything is written
case_ mesh_population_lists_overlap 60 "${pl_refuses[@]}" "argument --population-file: 'overlap.csv' lines 2 and 4: the particles overlap (centres (0, 0) and (1.5, 0.2) um); particles of a population must be apart" "$SPOT" mesh --population-file overlap.csv -o refused/a.msh
case_ mesh_population_lists_gap 60 "${pl_refuses[@]}" "argument --gap: 'close.csv' lines 2 and 3: the particles are 0.05 um apart, less than the gap asked for (0.1 um)" "$SPOT" mesh --population-file close.csv --gap 0.1um -o refused/a.msh
case_ mesh_population_lists_spread 60 "${pl_refuses[@]}" "argument --radius-spread: the spread sigma of ln r must be a number from 0 to 1.5, got '2'" "$SPOT" mesh --population 20 --radius-median 1um --radius-spread 2 -o refused/a.msh
case_ mesh_population_lists_packing 60 "${pl_refuses[@]}" "argument --fraction: cannot place 20 discs 0.1 um apart in a 9.543 um square (packing fraction 0.69): disc 14 of 20 (largest first, radius 1 um) found no room in 10000 tries; lower -mesh_population_fraction or -mesh_population_gap" "$SPOT" mesh --population 20 --radius-median 1um --fraction 0.69 -o refused/a.msh
case_ mesh_population_lists_count0 60 "${pl_refuses[@]}" "argument --population: the particle count must be a whole number from 1 to 1000000, got '0'" "$SPOT" mesh --population 0 --radius-median 1um -o refused/a.msh
case_ mesh_population_lists_huge 60 "${pl_refuses[@]}" "argument --population: the meshes of the 100000 particles (area 3.14e+05 um^2 in all; cells of each particle's equivalent diameter / 30) would have about 3.2e+08 cells, more than -mesh_max_cells allows (10000000); use coarser cells, or raise -mesh_max_cells" "$SPOT" mesh --population 100000 --radius-median 1um -o refused/a.msh
case_ mesh_population_lists_median 60 "${pl_refuses[@]}" "argument --population: a drawn population needs its median radius (-mesh_population_radius_median, e.g. 1um)" "$SPOT" mesh --population 20 -o refused/a.msh
case_ mesh_population_lists_image_option 60 "${pl_refuses[@]}" "argument --pixel-size: only for a mesh made from an image; a population (--population, --population-file) has none" "$SPOT" mesh --population 20 --radius-median 1um --pixel-size 1 -o refused/a.msh
case_ mesh_population_lists_drawn_option 60 "${pl_refuses[@]}" "argument --radius-median: only for a drawn population (-mesh_population_count); a listed one has its sizes and places in 'overlap.csv'" "$SPOT" mesh --population-file overlap.csv --radius-median 1um -o refused/a.msh
case_ mesh_population_lists_column 60 "${pl_refuses[@]}" "argument --population-file: 'nocol.csv' needs the columns x_um, y_um and radius_um (discs), or x_um, y_um, semi_axis_a_um, semi_axis_b_um and optionally angle_deg (ellipses)" bash -c 'printf "x_um,y_um\n0,0\n" >nocol.csv && "$SPOT" mesh --population-file nocol.csv -o refused/a.msh'
case_ mesh_population_lists_np2 60 "${pl_refuses[@]}" "argument --population-file: 'overlap.csv' lines 2 and 4: the particles overlap (centres (0, 0) and (1.5, 0.2) um); particles of a population must be apart" $MPIRUN 2 "$SPOT" mesh --population-file overlap.csv -o refused/a.msh
case_ mesh_population_lists_two_sources 60 "${pl_refuses[@]}" "give one mesh source: -mesh_file, -mesh_shape_type, -mesh_image_file or a population (-mesh_population_count or -mesh_population_file)" "$SPOT" run "$PWD/tests/inputs/population/discs4_bv.xml" -mesh_population_count 3 -mesh_population_radius_median 1um -out_directory refused/run
