# Guards of the mesh layer: absurd sizes refused before any work (the image by its header, the
# mesh by an estimate of its cells), images without a particle refused, every write checked
# (a full disk is one line and leaves nothing), every argument checked before the work starts.
#
# guard_refuses DIR MESSAGE COMMAND...: COMMAND exits with status 1 (not a signal, not a time-out:
# each is run under `timeout 60`) and prints exactly the one line "spot: error: MESSAGE"; DIR, the
# output folder, holds afterwards what it held before, and no *.part file.
guard_refuses() {
  local dir=$1 want="spot: error: $2" before after err rc
  shift 2
  mkdir -p "$dir"
  before=$(ls -A "$dir")
  err=$(timeout 60 "$@" 2>&1 >/dev/null)
  rc=$?
  after=$(ls -A "$dir")
  if [ "$rc" -ne 1 ] || [ "$err" != "$want" ]; then
    printf 'command: %s\nexit status %s (wanted 1)\nstderr:\n%s\nwanted:\n%s\n' "$*" "$rc" "$err" "$want"
    return 1
  fi
  if [ "$before" != "$after" ] || [ -n "$(find "$dir" -name '*.part*')" ]; then
    printf 'command: %s\nleft in %s:\n%s\n' "$*" "$dir" "$(ls -lA "$dir")"
    return 1
  fi
}
export -f guard_refuses
# guard_refuses_mpi MESSAGE COMMAND...: under mpirun, exit status 1 and exactly one line
# "spot: error: MESSAGE" (Open MPI may add its own lines)
guard_refuses_mpi() {
  local want="spot: error: $1" err rc
  shift
  err=$(timeout 60 "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" -ne 1 ] || [ "$(grep -c '^spot: error: ' <<<"$err")" -ne 1 ] || [ "$(grep '^spot: error: ' <<<"$err")" != "$want" ]; then
    printf 'command: %s\nexit status %s (wanted 1)\nstderr:\n%s\nwanted:\n%s\n' "$*" "$rc" "$err" "$want"
    return 1
  fi
}
export -f guard_refuses_mpi
guard=(bash -c 'guard_refuses "$@"' guard_refuses) # timeout runs programs, not functions
G=$TMPROOT/guard
mkdir -p "$G/out"
export G guard_crop=data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png

# ---- the statistic, the estimates and the Gmsh guard (tests/test_mesh_image.c) ----
case_ mesh_guard_contrast_and_estimates 300 "$TESTS/test_mesh_image" guard
# Gmsh grows its arrays until memory runs out: 1 GB of address space makes that quick and harmless
case_ mesh_guard_gmsh_exception 60 bash -c 'ulimit -v 1000000 && "$TESTS/test_mesh_image" gmsh_guard'

# ---- absurd sizes: one line naming the option, at once ----
case_ mesh_guard_pixel_size_huge 30 "${guard[@]}" "$G/out" "argument --pixel-size: a pixel of 1e+30 um is too large: the smallest particle spot meshes (16 pixels) would be 4e+30 um across, larger than any real particle (at most 1000 um = 1 mm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)" "$SPOT" mesh "$guard_crop" --pixel-size 1e30 -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_nan 30 "${guard[@]}" "$G/out" "argument --pixel-size: expected a finite number for -mesh_image_pixel_size, got 'nan'" "$SPOT" mesh "$guard_crop" --pixel-size nan -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_inf 30 "${guard[@]}" "$G/out" "argument --pixel-size: expected a finite number for -mesh_image_pixel_size, got 'inf'" "$SPOT" mesh "$guard_crop" --pixel-size inf -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_minus_inf 30 "${guard[@]}" "$G/out" "argument --pixel-size: expected a finite number for -mesh_image_pixel_size, got '-inf'" "$SPOT" mesh "$guard_crop" --pixel-size -inf -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_metres 30 "${guard[@]}" "$G/out" "argument --pixel-size: a pixel of 1.2e-08 um is finer than any microscope resolves (at least 1e-05 um = 0.01 nm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)" "$SPOT" mesh "$guard_crop" --pixel-size 1.2e-8 -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_image_too_small 30 "${guard[@]}" "$G/out" "argument --pixel-size: at 5e-05 um per pixel, image '$guard_crop' (192 x 166 pixels) spans 0.0096 um, less than any real particle (at least 0.01 um = 10 nm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)" "$SPOT" mesh "$guard_crop" --pixel-size 0.00005 -o "$G/out/p.msh"
case_ mesh_guard_pixel_size_particle_too_large 30 "${guard[@]}" "$G/out" "argument --pixel-size: at 10 um per pixel the particle of image '$guard_crop' is 1215.47 um across, larger than any real particle (at most 1000 um = 1 mm); check the pixel size" "$SPOT" mesh "$guard_crop" --pixel-size 10 -o "$G/out/p.msh"
case_ mesh_guard_extrude_huge 30 "${guard[@]}" "$G/out" "argument --extrude: the platelet thickness of 1e+09 um is larger than any real particle (at most 1000 um = 1 mm)" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --extrude 1e9 -o "$G/out/p.msh"
case_ mesh_guard_extrude_nan 30 "${guard[@]}" "$G/out" "argument --extrude: expected a finite number for -mesh_image_extrude, got 'nan'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --extrude nan -o "$G/out/p.msh"
case_ mesh_guard_cell_size_below_lattice 30 "${guard[@]}" "$G/out" "argument --cell-size: the cell size of 1e-05 um is smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --cell-size 1e-5 -o "$G/out/p.msh"
case_ mesh_guard_boundary_cells_below_lattice 30 "${guard[@]}" "$G/out" "argument --cell-size: the boundary cells of 0.0002 um it implies (the cell size / 2.5) would be smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing; give a larger cell size, or -mesh_boundary_cell_size" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --cell-size 0.0005 -o "$G/out/p.msh"
case_ mesh_guard_image_cells 30 "${guard[@]}" "$G/out" "argument --cell-size: the mesh of the particle of image '$guard_crop' (area 1.67 um^2; cells 0.0005 um, 0.0005 um at the surface) would have about 1.6e+07 cells, more than -mesh_max_cells allows (10000000); use coarser cells, or raise -mesh_max_cells" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --cell-size 0.0005 --boundary-cell-size 0.0005 -o "$G/out/p.msh"
case_ mesh_guard_extruded_cells 30 "${guard[@]}" "$G/out" "argument --extrude: the mesh of the particle of image '$guard_crop' (a platelet of 1.67 um^2 by the thickness; cells 0.0292 um, 0.0117 um at the surface) would have about 1.9e+05 cells, more than -mesh_max_cells allows (100000); use coarser cells, or raise -mesh_max_cells" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --extrude 300nm -o "$G/out/p.msh" -mesh_max_cells 1e5
# a <cell_size> of 1e-5 um in an input file, and a sphere with cells of radius / 300, for spot run
case_ mesh_guard_xml_cell_size 30 bash -c 'sed "s#<cell_size unit=\"um\">0.1</cell_size>#<cell_size unit=\"um\">1e-5</cell_size>#" tests/inputs/small.xml > "$G/cell.xml" &&
  guard_refuses "$G/run_cell" "$G/cell.xml:8 (<cell_size>): the cell size of 1e-05 um is smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing" "$SPOT" run "$G/cell.xml" -out_directory "$G/run_cell"'
case_ mesh_guard_sphere_cells 30 "${guard[@]}" "$G/run_sphere" "option -mesh_cell_size: the mesh of the sphere (volume 4.19 um^3; cells 0.00333 um, 0.00133 um at the surface) would have about 2.8e+09 cells, more than -mesh_max_cells allows (10000000); use coarser cells, or raise -mesh_max_cells" "$SPOT" run tests/inputs/small.xml -mesh_shape_type sphere -mesh_shape_radius 1 -mesh_cell_size 0.00333 -mesh_boundary_cell_size 0.00133 -out_directory "$G/run_sphere"
case_ mesh_guard_sphere_radius_huge 30 "${guard[@]}" "$G/run_sphere" "option -mesh_shape_radius: mesh_shape_radius of 1e+30 um is larger than any real particle (at most 1000 um = 1 mm)" "$SPOT" run tests/inputs/small.xml -mesh_shape_type sphere -mesh_shape_radius 1e30 -out_directory "$G/run_sphere"
# a 20000 x 20000 PNG (400 MB of pixels in a 1.7 MB file) is refused by its header, within 2 GB of
# address space (decoding it took 3.5 GB) and in a few seconds
case_ mesh_guard_image_pixels 60 bash -c '"$TESTS/test_mesh_image" image huge "$G/huge.png" && ulimit -v 2000000 &&
  guard_refuses "$G/out" "image '\''$G/huge.png'\'' has 20000 x 20000 = 4e+08 pixels, more than -mesh_image_max_pixels allows (100000000); crop it around the particle, or raise -mesh_image_max_pixels" "$SPOT" mesh "$G/huge.png" --pixel-size 12nm -o "$G/out/p.msh"'
case_ mesh_guard_max_pixels_option 30 "${guard[@]}" "$G/out" "image '$guard_crop' has 166 x 192 = 3.19e+04 pixels, more than -mesh_image_max_pixels allows (30000); crop it around the particle, or raise -mesh_image_max_pixels" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$G/out/p.msh" -mesh_image_max_pixels 30000
case_ mesh_guard_max_cells_not_a_number 30 "${guard[@]}" "$G/out" "option -mesh_max_cells: expected a number for -mesh_max_cells, got 'many'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$G/out/p.msh" -mesh_max_cells many
case_ mesh_guard_max_pixels_not_whole 30 "${guard[@]}" "$G/out" "option -mesh_image_max_pixels: the largest pixel count must be a whole number between 1 and 1e15, got '1.5'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$G/out/p.msh" -mesh_image_max_pixels 1.5

# ---- images without a particle (made by tests/test_mesh_image image KIND) ----
# guard_noise KIND MESSAGE-AFTER-THE-FILE-NAME
guard_noise() {
  "$TESTS/test_mesh_image" image "$1" "$G/$1.png" || return 1
  guard_refuses "$G/out" "argument IMAGE: '$G/$1.png' shows no particle: $2" "$SPOT" mesh "$G/$1.png" --pixel-size 12nm -o "$G/out/p.msh"
}
export -f guard_noise
guard_hint="for a dark particle use --invert (-mesh_image_invert); otherwise try a --threshold (-mesh_image_threshold) between the particle's grey and the background's, or a larger --sigma (-mesh_image_sigma) for a noisy image"
case_ mesh_guard_noise 30 bash -c 'guard_noise noise "the region brighter than Otsu'\''s threshold 0.4997 (10802 pixels) does not stand out from its surroundings (edge contrast 1.18: its outline is only 1.18 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'"'
case_ mesh_guard_noise_dark 30 bash -c 'guard_noise noise_dark "the region brighter than Otsu'\''s threshold 0.09981 (25885 pixels) does not stand out from its surroundings (edge contrast 1.19: its outline is only 1.19 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'"'
case_ mesh_guard_noise_bright 30 bash -c 'guard_noise noise_bright "the region brighter than Otsu'\''s threshold 0.8552 (36616 pixels) does not stand out from its surroundings (edge contrast 1.19: its outline is only 1.19 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'"'
case_ mesh_guard_noise_16bit 30 bash -c 'guard_noise noise16 "the region brighter than Otsu'\''s threshold 0.5 (9828 pixels) does not stand out from its surroundings (edge contrast 1.22: its outline is only 1.22 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'"'
case_ mesh_guard_ramp 30 bash -c 'guard_noise ramp "the region brighter than Otsu'\''s threshold 0.4981 (22000 pixels) does not stand out from its surroundings (edge contrast 0.90: its outline is only 0.90 times as steep as the image around it; a particle'\''s is at least 2.4 times as steep); '"$guard_hint"'"'
case_ mesh_guard_ramp_noise 30 bash -c 'guard_noise ramp_noise "the region brighter than Otsu'\''s threshold 0.5003 (21918 pixels) does not stand out from its surroundings (edge contrast 1.23: its outline is only 1.23 times as steep as the image around it; a particle'\''s is at least 2.3 times as steep); '"$guard_hint"'"'
case_ mesh_guard_flat 30 bash -c 'guard_noise flat "the region brighter than Otsu'\''s threshold 0.3941 (24570 pixels) does not stand out from its surroundings (edge contrast 1.20: its outline is only 1.20 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'"'
case_ mesh_guard_dark_without_invert 30 bash -c 'guard_noise dark "the region brighter than Otsu'\''s threshold 0.4954 fills the image (24000 pixels) and nothing surrounds it; for a dark particle use --invert (-mesh_image_invert)"'
case_ mesh_guard_noise_np2 60 bash -c '"$TESTS/test_mesh_image" image noise "$G/noise_np2.png" && guard_refuses_mpi "argument IMAGE: '\''$G/noise_np2.png'\'' shows no particle: the region brighter than Otsu'\''s threshold 0.4997 (10802 pixels) does not stand out from its surroundings (edge contrast 1.18: its outline is only 1.18 times as steep as the image around it; a particle'\''s is at least 2.1 times as steep); '"$guard_hint"'" $MPIRUN 2 "$SPOT" mesh "$G/noise_np2.png" --pixel-size 12nm -o "$G/out/np2.msh" && [ ! -e "$G/out/np2.msh" ]'
# the particles still mesh: the real images of data/images (as examples/from_image/mesh_crops.sh
# meshes them, the 3-D platelet too) and a made one; nothing but the outputs is left
case_ mesh_guard_particles_mesh 180 bash -c '
  d=$G/particles && mkdir -p "$d" && "$TESTS/test_mesh_image" image particle "$G/particle.png" || exit 1
  for a in "$guard_crop" "data/images/nmc811_single_particle_cropB_rows446-602_cols561-717.png" "data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif --seed 450,1616" "$guard_crop --extrude 300nm --cell-size 60nm" "data/images/nrel_nmc-1-cal_labels_slice125.png" "$G/particle.png"; do
    rm -f "$d"/*
    out=$(timeout 120 "$SPOT" mesh $a --pixel-size 12nm -o "$d/p.msh" 2>&1) || { echo "$a: $out"; exit 1; }
    grep -q "edge contrast" <<<"$out" || { echo "$a: no edge contrast in the report: $out"; exit 1; }
    [ "$(ls -A "$d" | tr "\n" " ")" = "p.msh p_preview.png " ] || { echo "$a: left $(ls -A "$d")"; exit 1; }
    tail -n 1 "$d/p.msh" | grep -q "^\$EndElements$" || { echo "$a: mesh not complete"; exit 1; }
  done'

# ---- everything is checked before the work starts ----
case_ mesh_guard_output_is_directory 30 bash -c 'mkdir -p "$G/adir" && guard_refuses "$G/adir" "argument -o: '\''$G/adir'\'' is a directory; give the mesh a file name, e.g. -o $G/adir/particle.msh" "$SPOT" mesh "$G/huge.png" --pixel-size 12nm -o "$G/adir"'
case_ mesh_guard_preview_is_mesh 30 "${guard[@]}" "$G/out" "argument --preview: the preview would overwrite the mesh '$G/out/p.msh'; give it another name" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$G/out/p.msh" --preview "$G/out/p.msh"
case_ mesh_guard_preview_folder_is_file 30 bash -c 'echo text > "$G/file.txt" && guard_refuses "$G/out" "argument --preview: output directory '\''$G/file.txt'\'' is not writable: Not a directory" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$G/out/p.msh" --preview "$G/file.txt/preview.png"'
case_ mesh_guard_page_not_whole 30 "${guard[@]}" "$G/out" "argument --page: the page must be a whole number between 0 and 1000000 (pages count from 0), got '1.5'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --page 1.5 -o "$G/out/p.msh"
case_ mesh_guard_open_not_whole 30 "${guard[@]}" "$G/out" "argument --open: the opening radius must be a whole number between 0 and 50 pixels, got '2.5'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --open 2.5 -o "$G/out/p.msh"
case_ mesh_guard_seed_not_whole 30 "${guard[@]}" "$G/out" "argument --seed: the seed must be a pixel ROW,COL (two whole numbers from 0), got '1.5,2'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --seed 1.5,2 -o "$G/out/p.msh"
case_ mesh_guard_sigma_nan 30 "${guard[@]}" "$G/out" "argument --sigma: expected a finite number for -mesh_image_sigma, got 'nan'" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --sigma nan -o "$G/out/p.msh"
# an option is checked before the image is even opened: the 20000 x 20000 image is not the complaint
case_ mesh_guard_options_before_image 30 "${guard[@]}" "$G/out" "argument --boundary-layer: expected a finite number for -mesh_boundary_layer, got 'inf'" "$SPOT" mesh "$G/huge.png" --pixel-size 12nm --boundary-layer inf -o "$G/out/p.msh"

# ---- a full disk (a 300 kB tmpfs) and a read-only one: root only ----
# guard_on_full_disk NAME SCRIPT: runs SCRIPT (bash) with $F a fresh 300 kB tmpfs, unmounted after
guard_on_full_disk() {
  local F=$TMPROOT/full_$1 rc size=${3:-300k}
  mkdir -p "$F"
  if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size="$size" tmpfs "$F" 2>/dev/null; then
    echo "skipped: mounting a small tmpfs needs root"
    return 0
  fi
  F=$F bash -c "$2"
  rc=$?
  umount "$F"
  return $rc
}
export -f guard_on_full_disk
if [[ -z "$pattern" || "mesh_guard_full_disk" == *"$pattern"* ]] && { [ "$(id -u)" -ne 0 ] || ! command -v mount >/dev/null; }; then
  echo "note: mesh_guard_full_disk_* cases skip their check: mounting a small tmpfs needs root"
fi
# the mesh does not fit: Gmsh reports nothing, the read-back finds it cut short
case_ mesh_guard_full_disk_mesh 60 guard_on_full_disk mesh 'guard_refuses "$F" "cannot write '\''$F/p.msh'\'': the disk is full (No space left on device)" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$F/p.msh"'
# the mesh (~50 kB) fits, the preview (~220 kB) does not: neither is left
case_ mesh_guard_full_disk_preview 60 guard_on_full_disk preview 'guard_refuses "$F" "cannot write '\''$F/p_preview.png'\'': the disk is full (No space left on device)" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --cell-size 0.1 -o "$F/p.msh"' 150k
case_ mesh_guard_full_disk_extruded 60 guard_on_full_disk extruded 'guard_refuses "$F" "cannot write '\''$F/p.msh'\'': the disk is full (No space left on device)" "$SPOT" mesh "$guard_crop" --pixel-size 12nm --extrude 300nm --cell-size 60nm -o "$F/p.msh"'
case_ mesh_guard_full_disk_np2 60 guard_on_full_disk np2 'guard_refuses_mpi "cannot write '\''$F/p.msh'\'': the disk is full (No space left on device)" $MPIRUN 2 "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$F/p.msh" && [ -z "$(ls -A "$F")" ]'
# spot run meshing its image into a full output folder: no mesh.part.msh, no preview, no temporary
case_ mesh_guard_full_disk_run_image 120 guard_on_full_disk run_image 'sed "s#\.\./\.\./data#$PWD/data#; s#<cell_size unit=\"um\">0.05</cell_size>#<cell_size unit=\"um\">0.02</cell_size>#" examples/from_image/charge.xml > "$G/run_image.xml" &&
  guard_refuses "$F/out" "cannot write '\''$F/out/mesh.part.msh'\'': the disk is full (No space left on device)" "$SPOT" run "$G/run_image.xml" -out_directory "$F/out" && [ -z "$(find "$F" -type f)" ]'
# spot run meshing a shape: the sphere's mesh does not fit
case_ mesh_guard_full_disk_run_shape 120 guard_on_full_disk run_shape 'guard_refuses "$F/out" "cannot write '\''$F/out/mesh.part.msh'\'': the disk is full (No space left on device)" "$SPOT" run tests/inputs/small.xml -mesh_shape_type sphere -mesh_shape_radius 1 -mesh_cell_size 0.1 -out_directory "$F/out" && [ -z "$(find "$F" -type f)" ]'
# a multi-page TIFF stack (what spot synth writes) that does not fit
case_ mesh_guard_full_disk_stack 60 guard_on_full_disk stack '"$TESTS/test_mesh_image" stackfull "$F" && [ -z "$(ls -A "$F")" ]'
# a read-only disk is found before any work
case_ mesh_guard_read_only_disk 60 guard_on_full_disk read_only 'mount -o remount,ro "$F" && guard_refuses "$F" "argument -o: output directory '\''$F'\'' is not writable: Read-only file system" "$SPOT" mesh "$guard_crop" --pixel-size 12nm -o "$F/p.msh"'
