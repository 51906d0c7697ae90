# The mesh cache (mesh/cache.c, -mesh_cache_dir): a built-in shape's mesh is stored on the first
# run and read back by the next run of the same shape, which then gives the same outputs byte for
# byte without loading Gmsh; any change of what makes the mesh is a new entry; a corrupt entry is
# re-made with a warning; a cache directory that is missing, not a directory or not writable is one
# line, exit status 1, and no output directory.
export MC=$TMPROOT/mesh_cache MC_INPUT=examples/c3_charge/charge.xml

# mc_run DIR [ARGS...]: spot run of the C/3 example (the 1 h charge cut to 10 min) into $MC/DIR,
# its stdout in $MC/DIR.log
mc_run() {
  local dir=$1
  shift
  "$SPOT" run "$MC_INPUT" -out_directory "$MC/$dir" -proto_0_duration 10min -proto_1_duration 5min -out_times 0,10min "$@" >"$MC/$dir.log" 2>&1 || { echo "spot run into $dir failed:"; cat "$MC/$dir.log"; return 1; }
}
export -f mc_run

# mc_same A B: the runs A and B wrote the same time series and mesh, byte for byte
mc_same() {
  cmp "$MC/$1/timeseries.csv" "$MC/$2/timeseries.csv" && cmp "$MC/$1/mesh.msh" "$MC/$2/mesh.msh" || { echo "runs $1 and $2 differ"; return 1; }
}
export -f mc_same

mesh_cache_hit() {
  local c=$MC/hit/cache entry
  rm -rf "$MC/hit" && mkdir -p "$c"
  mc_run hit/plain || return 1
  mc_run hit/cold -mesh_cache_dir "$c" || return 1
  entry=$(ls "$c")
  [ "$(ls -A "$c" | wc -l)" = 1 ] && [[ "$entry" == shape-????????????????.msh ]] || { echo "the cache holds: $(ls -A "$c")"; return 1; }
  grep -qxF "mesh: made by Gmsh and stored in the cache as $c/$entry" "$MC/hit/cold.log" || { echo "cold run:"; cat "$MC/hit/cold.log"; return 1; }
  cmp "$c/$entry" "$MC/hit/cold/mesh.msh" || return 1
  # the warm run reads the entry, and never opens Gmsh's library (the dynamic loader's log)
  LD_DEBUG=files LD_DEBUG_OUTPUT="$MC/hit/ld" mc_run hit/warm -mesh_cache_dir "$c" || return 1
  grep -qxF "mesh: from the cache $c/$entry" "$MC/hit/warm.log" || { echo "warm run:"; cat "$MC/hit/warm.log"; return 1; }
  ls "$MC"/hit/ld.* >/dev/null || { echo "LD_DEBUG_OUTPUT wrote no log"; return 1; }
  ! grep -l 'libgmsh' "$MC"/hit/ld.* || { echo "the warm run loaded Gmsh"; return 1; }
  mc_same hit/plain hit/cold && mc_same hit/cold hit/warm || return 1
  [ "$(ls -A "$c" | wc -l)" = 1 ] || { echo "the warm run changed the cache: $(ls -A "$c")"; return 1; }
  # 2 ranks: rank 0 reads the entry, every rank gets the mesh; the same outputs as without the cache
  "$SPOT" run "$MC_INPUT" -out_directory "$MC/hit/plain2" -proto_0_duration 10min -proto_1_duration 5min -out_times 0,10min >/dev/null 2>&1 || return 1
  $MPIRUN 2 "$SPOT" run "$MC_INPUT" -out_directory "$MC/hit/mpi_plain" -proto_0_duration 10min -proto_1_duration 5min -out_times 0,10min >/dev/null 2>&1 || return 1
  $MPIRUN 2 "$SPOT" run "$MC_INPUT" -out_directory "$MC/hit/mpi_warm" -proto_0_duration 10min -proto_1_duration 5min -out_times 0,10min -mesh_cache_dir "$c" >"$MC/hit/mpi_warm.log" 2>&1 || { cat "$MC/hit/mpi_warm.log"; return 1; }
  [ "$(grep -cxF "mesh: from the cache $c/$entry" "$MC/hit/mpi_warm.log")" = 1 ] || { cat "$MC/hit/mpi_warm.log"; return 1; }
  mc_same hit/mpi_plain hit/mpi_warm
}
export -f mesh_cache_hit
case_ mesh_cache_hit 120 mesh_cache_hit

# Each change of what makes the mesh misses: a new entry, stored; the same change again hits it
mesh_cache_misses() {
  local c=$MC/miss/cache n=0 i=0 change
  rm -rf "$MC/miss" && mkdir -p "$c"
  local changes=(
    ""
    "-mesh_shape_semi_axes 1.1,0.81"
    "-mesh_shape_semi_axes 0.8,1.1"
    "-mesh_shape_center 0.1,0"
    "-mesh_cell_size 0.071"
    "-mesh_boundary_cell_size 0.026"
    "-mesh_boundary_layer 0.31"
    "-mesh_refine 1"
    "-mesh_shape_type disc -mesh_shape_radius 1"
    "-mesh_shape_type rectangle -mesh_shape_sides 2,1.5"
    "-mesh_shape_type rectangle -mesh_shape_sides 2,1.5 -mesh_shape_corner_radius 0.2"
    "-mesh_shape_type sphere -mesh_shape_radius 1 -mesh_cell_size 0.4 -mesh_boundary_cell_size 0.25"
    "-mesh_shape_type sphere -mesh_shape_radius 1 -mesh_cell_size 0.4 -mesh_boundary_cell_size 0.25 -phys_out_of_plane_factor 0.25"
    "-mesh_shape_type platelet -mesh_shape_semi_axes 1,0.8 -mesh_shape_thickness 0.3 -mesh_cell_size 0.3 -mesh_boundary_cell_size 0.2"
    "-mesh_shape_type platelet -mesh_shape_semi_axes 1,0.8 -mesh_shape_thickness 0.35 -mesh_cell_size 0.3 -mesh_boundary_cell_size 0.2"
  )
  for change in "${changes[@]}"; do
    i=$((i + 1))
    # shellcheck disable=SC2086
    mc_run miss/$i -mesh_cache_dir "$c" $change || return 1
    n=$((n + 1))
    [ "$(ls -A "$c" | wc -l)" = $n ] || { echo "after '$change': $(ls -A "$c" | wc -l) entries, wanted $n"; return 1; }
    grep -q "^mesh: made by Gmsh and stored in the cache as $c/shape-" "$MC/miss/$i.log" || { echo "'$change' did not miss:"; cat "$MC/miss/$i.log"; return 1; }
  done
  # the same values in other words (a unit, the XML's own value on the command line) hit
  mc_run miss/again -mesh_cache_dir "$c" -mesh_cell_size 0.0710um || return 1
  grep -q "^mesh: from the cache " "$MC/miss/again.log" || { echo "-mesh_cell_size 0.0710um missed:"; cat "$MC/miss/again.log"; return 1; }
  mc_same miss/5 miss/again
}
export -f mesh_cache_misses
case_ mesh_cache_misses 300 mesh_cache_misses

# A corrupt entry (cut short, garbage, a directory in its place) is ignored with a warning and made
# again; the run's outputs are those of a run without the cache
mesh_cache_corrupt() {
  local c=$MC/corrupt/cache entry size
  rm -rf "$MC/corrupt" && mkdir -p "$c"
  mc_run corrupt/cold -mesh_cache_dir "$c" || return 1
  entry=$c/$(ls "$c")
  cp "$entry" "$MC/corrupt/good.msh"
  size=$(stat -c %s "$entry")
  head -c $((size / 2)) "$MC/corrupt/good.msh" >"$entry.tmp" && mv "$entry.tmp" "$entry" # cut short
  mc_run corrupt/cut -mesh_cache_dir "$c" || return 1
  grep -q "^warning: -mesh_cache_dir: the entry '$entry' is unusable (.*); the shape is meshed again and the entry replaced$" "$MC/corrupt/cut.log" || { echo "no warning:"; cat "$MC/corrupt/cut.log"; return 1; }
  grep -qxF "mesh: made by Gmsh and stored in the cache as $entry" "$MC/corrupt/cut.log" || return 1
  cmp "$entry" "$MC/corrupt/good.msh" || { echo "the entry was not made again"; return 1; }
  mc_same corrupt/cold corrupt/cut || return 1
  # a node moved: the file is complete, but its mesh folds (the same check as any mesh file)
  sed '0,/^1.1 0 0$/s//-0.5 0.3 0/' "$MC/corrupt/good.msh" >"$entry"
  cmp -s "$entry" "$MC/corrupt/good.msh" && { echo "the edit changed nothing"; return 1; }
  mc_run corrupt/folded -mesh_cache_dir "$c" || return 1
  grep -q "^warning: -mesh_cache_dir: the entry '$entry' is unusable" "$MC/corrupt/folded.log" || { echo "no warning:"; cat "$MC/corrupt/folded.log"; return 1; }
  mc_same corrupt/cold corrupt/folded || return 1
  head -c 5000 /dev/urandom >"$entry" # garbage
  mc_run corrupt/garbage -mesh_cache_dir "$c" || return 1
  grep -q "^warning: -mesh_cache_dir: the entry '$entry' is unusable" "$MC/corrupt/garbage.log" || return 1
  mc_same corrupt/cold corrupt/garbage || return 1
  rm -f "$entry" && mkdir "$entry" # not a file: re-made, but cannot be stored there: two warnings
  mc_run corrupt/dir -mesh_cache_dir "$c" || return 1
  grep -q "^warning: -mesh_cache_dir: the entry '$entry' is unusable (not a regular file)" "$MC/corrupt/dir.log" || { cat "$MC/corrupt/dir.log"; return 1; }
  grep -q "^warning: -mesh_cache_dir: the mesh was not stored in the cache: " "$MC/corrupt/dir.log" || { cat "$MC/corrupt/dir.log"; return 1; }
  mc_same corrupt/cold corrupt/dir || return 1
  [ -z "$(find "$c" -name '*.part*')" ] || { echo "temporaries left in the cache: $(ls -A "$c")"; return 1; }
}
export -f mesh_cache_corrupt
case_ mesh_cache_corrupt 120 mesh_cache_corrupt

# A bad cache directory: one line, exit 1, no output directory
mesh_cache_bad_dir() {
  local out=$MC/bad/out err
  rm -rf "$MC/bad" && mkdir -p "$MC/bad" && touch "$MC/bad/file"
  expect_error "option -mesh_cache_dir: mesh cache directory '$MC/bad/none': No such file or directory (spot makes no cache directory: create it first)" "$SPOT" run "$MC_INPUT" -out_directory "$out" -mesh_cache_dir "$MC/bad/none" || return 1
  [ ! -e "$out" ] && [ ! -e "$MC/bad/none" ] || { echo "left: $(ls -A "$MC/bad")"; return 1; }
  expect_error "option -mesh_cache_dir: mesh cache directory '$MC/bad/file' is not a directory" "$SPOT" run "$MC_INPUT" -out_directory "$out" -mesh_cache_dir "$MC/bad/file" || return 1
  [ ! -e "$out" ] || return 1
  # not writable (root writes through permissions: a read-only file system, /sys, when it is one)
  if ! touch /sys/.spot-probe 2>/dev/null; then
    err=$("$SPOT" run "$MC_INPUT" -out_directory "$out" -mesh_cache_dir /sys 2>&1 >/dev/null)
    [ $? = 1 ] && [[ "$err" == "spot: error: option -mesh_cache_dir: mesh cache directory '/sys' is not writable: "* ]] && [ "$(wc -l <<<"$err")" = 1 ] || { echo "got: $err"; return 1; }
    [ ! -e "$out" ] || return 1
  else
    rm -f /sys/.spot-probe
  fi
  # 2 ranks: every rank stops with the same line
  err=$($MPIRUN 2 "$SPOT" run "$MC_INPUT" -out_directory "$out" -mesh_cache_dir "$MC/bad/none" 2>&1 >/dev/null)
  [ "$(grep -c '^spot: error: ' <<<"$err")" = 1 ] && grep -qF "mesh cache directory '$MC/bad/none': No such file or directory" <<<"$err" || { echo "2 ranks: $err"; return 1; }
  [ ! -e "$out" ]
}
export -f mesh_cache_bad_dir
case_ mesh_cache_bad_dir 60 mesh_cache_bad_dir
