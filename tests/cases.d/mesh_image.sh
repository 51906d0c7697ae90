# Meshing a particle from its image: spot mesh and <mesh><image> (issue 3)
#   C tests (tests/test_mesh_image.c): readers, accuracy on synthetic micrographs, particle
#   selection, the real NMC811 crops, DMPlex agreement, bad input, the XML section.
case_ mesh_image_readers 60 "$TESTS/test_mesh_image" readers
case_ mesh_image_outline 30 "$TESTS/test_mesh_image" outline
case_ mesh_image_synthetic 120 "$TESTS/test_mesh_image" synthetic
case_ mesh_image_select 120 "$TESTS/test_mesh_image" select
case_ mesh_image_real 120 "$TESTS/test_mesh_image" real
case_ mesh_image_dmplex 120 "$TESTS/test_mesh_image" dmplex
case_ mesh_image_dmplex_np2 120 $MPIRUN 2 "$TESTS/test_mesh_image" dmplex
case_ mesh_image_errors 60 "$TESTS/test_mesh_image" errors
case_ mesh_image_psf 30 "$TESTS/test_mesh_image" psf
case_ mesh_image_xml 120 "$TESTS/test_mesh_image" xml
case_ mesh_image_xml_np2 120 $MPIRUN 2 "$TESTS/test_mesh_image" xml

# The command line. mesh_image_expect_error MESSAGE COMMAND...: COMMAND exits with status 1 and
# its stderr is exactly one line "spot: error: MESSAGE" (under mpirun: exactly one such line).
mesh_image_expect_error() {
  local want="spot: error: $1" err rc lines
  shift
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  lines=$(grep -c '^spot: error: ' <<<"$err")
  if [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] || [ "$(grep '^spot: error: ' <<<"$err")" != "$want" ] || { [ "$1" != mpirun ] && [ "$err" != "$want" ]; }; then
    printf 'command: %s\nexit status %s\nstderr:\n%s\nwanted:\n%s\n' "$*" "$rc" "$err" "$want"
    return 1
  fi
}
export -f mesh_image_expect_error
mesh_image_crop=data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png
export mesh_image_crop
mesh_image_expect=(bash -c 'mesh_image_expect_error "$@"' mesh_image_expect_error) # timeout runs programs, not functions

case_ mesh_image_cli_usage 30 "${mesh_image_expect[@]}" "usage: spot mesh IMAGE --pixel-size P [-o particle.msh] (PETSc options go after the image; see spot mesh --help)" "$SPOT" mesh
case_ mesh_image_cli_no_pixel_size 30 "${mesh_image_expect[@]}" "spot mesh: --pixel-size P is required (micrometres per pixel of '$mesh_image_crop', e.g. --pixel-size 0.012 or --pixel-size 12nm)" "$SPOT" mesh "$mesh_image_crop"
case_ mesh_image_cli_pixel_size_zero 30 "${mesh_image_expect[@]}" "argument --pixel-size: the pixel size must be a positive length, got '0'" "$SPOT" mesh "$mesh_image_crop" --pixel-size 0
case_ mesh_image_cli_pixel_size_negative 30 "${mesh_image_expect[@]}" "argument --pixel-size: the pixel size must be a positive length, got '-12nm'" "$SPOT" mesh "$mesh_image_crop" --pixel-size -12nm
case_ mesh_image_cli_missing 30 "${mesh_image_expect[@]}" "cannot read image '$TMPROOT/no_such_image.png': No such file or directory" "$SPOT" mesh "$TMPROOT/no_such_image.png" --pixel-size 0.012
case_ mesh_image_cli_unsupported 30 "${mesh_image_expect[@]}" "image 'data/images/PROVENANCE.md' is an unknown kind of file: unsupported format (spot reads PNG, TIFF and PGM images)" "$SPOT" mesh data/images/PROVENANCE.md --pixel-size 0.012
case_ mesh_image_cli_truncated 30 bash -c 'head -c 6000 "$mesh_image_crop" > "$TMPROOT/cut.png" && mesh_image_expect_error "cannot read PNG image '\''$TMPROOT/cut.png'\'': the file is truncated or corrupt (libpng: Read Error)" "$SPOT" mesh "$TMPROOT/cut.png" --pixel-size 0.012'
case_ mesh_image_cli_no_particle 30 bash -c 'printf "P2\n4 3\n255\n100 100 100 100\n100 100 100 100\n100 100 100 100\n" > "$TMPROOT/flat.pgm" && mesh_image_expect_error "image '\''$TMPROOT/flat.pgm'\'' has no particle: it is uniform (grey value 0.3922 everywhere)" "$SPOT" mesh "$TMPROOT/flat.pgm" --pixel-size 0.012'
case_ mesh_image_cli_seed_outside_particle 30 "${mesh_image_expect[@]}" "seed (row 5, col 5) is not inside any particle of image '$mesh_image_crop': the smoothed grey value there is 0.4997, not brighter than the threshold 0.5328" "$SPOT" mesh "$mesh_image_crop" --pixel-size 0.012 --seed 5,5
case_ mesh_image_cli_seed_outside_image 30 "${mesh_image_expect[@]}" "seed (row 500, col 20) is outside image '$mesh_image_crop' (192 rows x 166 columns)" "$SPOT" mesh "$mesh_image_crop" --pixel-size 0.012 --seed 500,20
case_ mesh_image_cli_page 30 "${mesh_image_expect[@]}" "PNG image '$mesh_image_crop' has 1 page; page 1 does not exist (pages count from 0)" "$SPOT" mesh "$mesh_image_crop" --pixel-size 0.012 --page 1
case_ mesh_image_cli_unknown_argument 30 "${mesh_image_expect[@]}" "spot mesh: unknown argument '--sigm' (spot mesh --help lists them)" "$SPOT" mesh "$mesh_image_crop" --pixel-size 0.012 --sigm 2
case_ mesh_image_cli_error_np2 60 "${mesh_image_expect[@]}" "seed (row 5, col 5) is not inside any particle of image '$mesh_image_crop': the smoothed grey value there is 0.4997, not brighter than the threshold 0.5328" $MPIRUN 2 "$SPOT" mesh "$mesh_image_crop" --pixel-size 0.012 --seed 5,5
case_ mesh_image_cli_help 30 bash -c '"$SPOT" mesh --help | grep -q "^usage: \[mpirun -n N\] spot mesh IMAGE --pixel-size P"'

# spot mesh writes the mesh and the preview and prints the report; the mesh is the one reported
case_ mesh_image_cli_mesh 60 bash -c '
  out=$("$SPOT" mesh "$mesh_image_crop" --pixel-size 12nm -o "$TMPROOT/cli/cropA.msh") || exit 1
  echo "$out"
  [ -s "$TMPROOT/cli/cropA.msh" ] && [ -s "$TMPROOT/cli/cropA_preview.png" ] || { echo "missing outputs"; exit 1; }
  grep -q "^\$MeshFormat" "$TMPROOT/cli/cropA.msh" && grep -q "^4.1 0 8" "$TMPROOT/cli/cropA.msh" || { echo "not msh 4.1"; exit 1; }
  grep -q "^2 [0-9]* \"particle\"" "$TMPROOT/cli/cropA.msh" && grep -q "^1 [0-9]* \"surface\"" "$TMPROOT/cli/cropA.msh" || { echo "physical groups missing"; exit 1; }
  for w in "particle: area" "perimeter" "equivalent diameter" "centroid" "triangles" "smallest angle" "time: read"; do
    grep -q "$w" <<<"$out" || { echo "report lacks: $w"; exit 1; }
  done
  [ -z "$(ls "$TMPROOT/cli" | grep part)" ] || { echo "temporary files left"; exit 1; }'

# examples/from_image: spot run meshes the crop on the fly (2 ranks, a shortened protocol); the
# DMPlex area and perimeter printed by run equal those of the image report
case_ mesh_image_example_run 180 bash -c '
  out=$($MPIRUN 2 "$SPOT" run examples/from_image/charge.xml -out_directory "$TMPROOT/from_image" -proto_0_duration 1min -proto_1_duration 20s -out_times 0,1min) || { echo "$out"; exit 1; }
  echo "$out"
  image_area=$(sed -n "s/^particle: area \([^ ]*\) um^2, perimeter \([^ ]*\) um.*/\1 \2/p" <<<"$out")
  plex_area=$(sed -n "s/^mesh: 2-D, .* area \([^ ]*\) um^2, active perimeter \([^ ]*\) um.*/\1 \2/p" <<<"$out")
  [ -n "$image_area" ] && [ "$image_area" = "$plex_area" ] || { echo "image report (area perimeter) \"$image_area\" differs from DMPlex \"$plex_area\""; exit 1; }
  [ -s "$TMPROOT/from_image/mesh.msh" ] && [ -s "$TMPROOT/from_image/particle_preview.png" ] && [ -s "$TMPROOT/from_image/timeseries.csv" ] || { echo "missing outputs"; exit 1; }'
