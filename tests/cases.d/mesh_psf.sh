# spot mesh --psf-sigma (-mesh_image_psf_sigma, XML <image><psf_sigma>): the outline of a particle in
# an optical frame blurred by a Gaussian PSF, at the deblurred edge (mesh/deblur.c). Frames from
# tests/tools/blurred_frame.py (exact coverage, Gaussian PSF, camera pixels, 2 % noise, seed 1):
# the area meshed must be within 1 % of the particle's, where Otsu's outline of the same frame is
# more than 1 % off (so the comparison can fail).
psf_dir="$TMPROOT/psf"
export psf_dir

# psf_area_check NAME A B ANGLE SIGMA PIXEL [invert]: the deblurred area within 1 %, Otsu's not
psf_area_check() {
  local name=$1 a=$2 b=$3 angle=$4 sigma=$5 pixel=$6 invert=${7:-} flag="" truth otsu out new
  mkdir -p "$psf_dir/$name" || return 1
  truth=$(/usr/bin/python3 tests/tools/blurred_frame.py "$psf_dir/$name.pgm" "$a" "$b" "$angle" "$sigma" "$pixel" 0.02 "$invert" 1) || return 1
  [ "$invert" = invert ] && flag=--invert
  otsu=$("$SPOT" mesh "$psf_dir/$name.pgm" --pixel-size "${pixel}um" $flag --cell-size 0.1 -o "$psf_dir/$name/otsu.msh" | sed -n 's/^particle: area \([^ ]*\) um^2.*/\1/p')
  out=$("$SPOT" mesh "$psf_dir/$name.pgm" --pixel-size "${pixel}um" $flag --psf-sigma "${sigma}um" --cell-size 0.1 -o "$psf_dir/$name/psf.msh") || { echo "$out"; return 1; }
  echo "$out"
  new=$(sed -n 's/^particle: area \([^ ]*\) um^2.*/\1/p' <<<"$out")
  grep -q "^outline at the deblurred edge (PSF sigma $sigma um): half-level [0-9.]* between background [0-9.]* and particle [0-9.]* fitted through the blur, moved out [0-9.e-]* um on average for the curvature (half-level contour [0-9.]* um^2)$" <<<"$out" || { echo "report line missing"; return 1; }
  grep -q "threshold [0-9.]* (half-level)" <<<"$out" || { echo "the image line does not say half-level"; return 1; }
  echo "true area $truth um^2: Otsu $otsu, deblurred $new"
  awk -v t="$truth" -v o="$otsu" -v n="$new" 'BEGIN {
    eo = (o - t) / t; en = (n - t) / t
    printf "area error: Otsu %+.2f %%, deblurred %+.2f %%\n", 100 * eo, 100 * en
    exit !(o != "" && n != "" && (en < 0 ? -en : en) <= 0.01 && (eo < 0 ? -eo : eo) > 0.01) }'
}
export -f psf_area_check

case_ mesh_psf_disc 60 psf_area_check disc 1 1 0 0.2 0.065
case_ mesh_psf_ellipse_invert 60 psf_area_check ellipse 1.5 0.8 30 0.3 0.1 invert
case_ mesh_psf_small_disc 60 psf_area_check small 0.5 0.5 0 0.1 0.065

# spot run meshes the frame the same way from <image><psf_sigma>; the DMPlex has that area
case_ mesh_psf_xml_run 120 bash -c '
  mkdir -p "$psf_dir/xml" && /usr/bin/python3 tests/tools/blurred_frame.py "$psf_dir/xml/frame.pgm" 1 1 0 0.2 0.065 >/dev/null || exit 1
  cat > "$psf_dir/xml/run.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<spot version="1">
  <mesh>
    <image file="frame.pgm"><pixel_size unit="nm">65</pixel_size><psf_sigma unit="nm">200</psf_sigma></image>
    <cell_size unit="um">0.1</cell_size>
  </mesh>
  <material><c_max unit="mol/m3">49000</c_max><diffusivity law="ni_rich_smooth"/></material>
  <initial><theta>0.97</theta></initial>
  <protocol><cc direction="charge"><c_rate unit="C">1</c_rate><duration unit="s">5</duration></cc></protocol>
  <output><times unit="s">0 5</times></output>
</spot>
XML
  out=$("$SPOT" run "$psf_dir/xml/run.xml" -out_directory "$psf_dir/xml/out") || { echo "$out"; exit 1; }
  echo "$out"
  grep -q "^outline at the deblurred edge (PSF sigma 0.2 um)" <<<"$out" || { echo "no deblurred outline"; exit 1; }
  area=$(sed -n "s/^mesh: 2-D, .* area \([^ ]*\) um^2, active perimeter.*/\1/p" <<<"$out")
  awk -v a="$area" "BEGIN { e = (a - 3.14159265) / 3.14159265; print \"DMPlex area error\", e; exit !(a != \"\" && e < 0.01 && e > -0.01) }"'

# Bad values: one line naming the option, exit status 1, nothing written
# psf_refused MESSAGE FRAME ARGS...: spot mesh FRAME --pixel-size 65nm ARGS -o DIR/p.msh fails so
psf_refused() {
  local message=$1 frame=$2 dir
  shift 2
  dir=$(mktemp -d "$psf_dir/refused.XXXX") || return 1
  expect_error "$message" "$SPOT" mesh "$frame" --pixel-size 65nm "$@" -o "$dir/p.msh" || return 1
  [ -z "$(ls -A "$dir")" ] || { echo "left behind: $(ls -A "$dir")"; return 1; }
}
export -f psf_refused
psf_frame() { mkdir -p "$psf_dir" && { [ -s "$psf_dir/refuse.pgm" ] || /usr/bin/python3 tests/tools/blurred_frame.py "$psf_dir/refuse.pgm" 1 1 0 0.2 0.065 >/dev/null; }; }
psf_tiny() { mkdir -p "$psf_dir" && { [ -s "$psf_dir/tiny.pgm" ] || /usr/bin/python3 tests/tools/blurred_frame.py "$psf_dir/tiny.pgm" 0.3 0.3 0 0.3 0.065 >/dev/null; }; }
export -f psf_frame psf_tiny
case_ mesh_psf_refuse_zero 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: the PSF sigma must be a positive length, got '\''0'\''" "$psf_dir/refuse.pgm" --psf-sigma 0'
case_ mesh_psf_refuse_negative 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: the PSF sigma must be a positive length, got '\''-0.2um'\''" "$psf_dir/refuse.pgm" --psf-sigma -0.2um'
case_ mesh_psf_refuse_nan 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: expected a finite number for -mesh_image_psf_sigma, got '\''nan'\''" "$psf_dir/refuse.pgm" --psf-sigma nan'
case_ mesh_psf_refuse_option_nan 30 bash -c 'psf_frame && psf_refused "option -mesh_image_psf_sigma: expected a finite number for -mesh_image_psf_sigma, got '\''nan'\''" "$psf_dir/refuse.pgm" -mesh_image_psf_sigma nan'
case_ mesh_psf_refuse_absurd 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: a PSF of sigma 200 um is 3077 pixels of 0.065 um, more than an eighth of image '\''$psf_dir/refuse.pgm'\'' (82 x 82 pixels): the blur would fill the frame; the PSF sigma is a length (e.g. 0.2um or 200nm)" "$psf_dir/refuse.pgm" --psf-sigma 200'
case_ mesh_psf_refuse_threshold 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: with a PSF the outline lies at the level halfway between the particle and the background, fitted through the blur; give the PSF sigma or a --threshold (-mesh_image_threshold), not both" "$psf_dir/refuse.pgm" --psf-sigma 0.2um --threshold 0.3'
case_ mesh_psf_refuse_labels 30 bash -c 'psf_frame && psf_refused "argument --psf-sigma: a label image has no blur to undo; give the PSF sigma for a grey frame, or --labels, not both" "$psf_dir/refuse.pgm" --psf-sigma 0.2um --all --labels'
case_ mesh_psf_refuse_too_small 30 bash -c 'psf_tiny && psf_refused "argument --psf-sigma: the particle of image '\''$psf_dir/tiny.pgm'\'' is too small for a PSF of sigma 0.3 um: its half-level contour is 0.83 um across, less than 3.5 sigma (1.05 um), and the blur hides where its edge lies (a smaller, brighter particle and a larger, dimmer one look alike); its outline at the deblurred edge cannot be placed" "$psf_dir/tiny.pgm" --psf-sigma 0.3um'

# End to end: the first frame spot synth films of the fit_alpha particle (a real outline, PSF
# 0.2 um, 65 nm pixels, noise 0.02), meshed with --psf-sigma: its area within 1 % of the run's mesh
# (the truth), where Otsu's is more than 1 % off
case_ mesh_psf_synth 120 bash -c '
  mkdir -p "$psf_dir/synth" && sed "s|\.\./\.\./data|$PWD/data|" examples/fit_alpha/run.xml > "$psf_dir/synth/run.xml" || exit 1
  out=$("$SPOT" synth "$psf_dir/synth/run.xml" -o "$psf_dir/synth/movie.tif" --pixel-size 65nm --psf-sigma 0.2um --noise 0.02 --frame-times 0,1s -proto_0_duration 1s) || { echo "$out"; exit 1; }
  truth=$(sed -n "s/^mesh: 2-D, .* area \([^ ]*\) um^2, active perimeter.*/\1/p" <<<"$out")
  otsu=$("$SPOT" mesh "$psf_dir/synth/movie.tif" --page 0 --pixel-size 65nm --cell-size 0.1 -o "$psf_dir/synth/otsu.msh" | sed -n "s/^particle: area \([^ ]*\) um^2.*/\1/p")
  new=$("$SPOT" mesh "$psf_dir/synth/movie.tif" --page 0 --pixel-size 65nm --psf-sigma 0.2um --cell-size 0.1 -o "$psf_dir/synth/psf.msh" | sed -n "s/^particle: area \([^ ]*\) um^2.*/\1/p")
  awk -v t="$truth" -v o="$otsu" -v n="$new" "BEGIN { eo = (o - t) / t; en = (n - t) / t
    printf \"run mesh %s um^2; area error: Otsu %+.2f %%, deblurred %+.2f %%\n\", t, 100 * eo, 100 * en
    exit !(t != \"\" && o != \"\" && n != \"\" && (en < 0 ? -en : en) <= 0.01 && (eo < 0 ? -eo : eo) > 0.01) }"'

# A field of particles (--all) at their deblurred edges: spot synth films a population (PSF 0.2 um,
# 65 nm pixels, 2 % noise), and every particle's meshed area must be within 1 % of its disc's, where
# Otsu's are more than 3 % off. Two fields: the four discs of the comparison tests (1 to 2 um, gaps
# of 0.9 um and more) and three discs 0.3 um apart (1.5 PSF sigmas), where each one's blur reaches
# its neighbours' edges and enters the fit of the others
psf_all_check() {
  local name=$1 xml=$2 radii=$3 out otsu new
  mkdir -p "$psf_dir/$name" || return 1
  "$SPOT" synth "$xml" -o "$psf_dir/$name/frame.tif" --pixel-size 65nm --psf-sigma 0.2um --noise 0.02 --frame-times 0,1s -proto_0_duration 1s >"$psf_dir/$name/synth.log" 2>&1 || { cat "$psf_dir/$name/synth.log"; return 1; }
  "$SPOT" mesh "$psf_dir/$name/frame.tif" --page 0 --pixel-size 65nm --all -o "$psf_dir/$name/otsu.msh" >/dev/null || return 1
  out=$("$SPOT" mesh "$psf_dir/$name/frame.tif" --page 0 --pixel-size 65nm --all --psf-sigma 0.2um -o "$psf_dir/$name/psf.msh") || { echo "$out"; return 1; }
  echo "$out"
  grep -q "^outlines at the deblurred edge (PSF sigma 0.2 um): each particle's own half level between its background and plateau, fitted through the blur, then moved out [0-9.e-]* um on average for the curvature$" <<<"$out" || { echo "report line missing"; return 1; }
  otsu=$(tail -n +2 "$psf_dir/$name/otsu_particles.csv" | cut -d, -f2 | sort -g | tr '\n' ' ')
  new=$(tail -n +2 "$psf_dir/$name/psf_particles.csv" | cut -d, -f2 | sort -g | tr '\n' ' ')
  awk -v r="$radii" -v o="$otsu" -v n="$new" 'BEGIN {
    k = split(r, R, " "); split(o, O, " "); m = split(n, N, " "); bad = m != k
    for (i = 1; i <= k; ++i) {
      t = 3.14159265 * R[i] * R[i]; eo = (O[i] - t) / t; en = (N[i] - t) / t
      printf "disc of radius %s um (%.4f um^2): Otsu %+.2f %%, deblurred %+.2f %%\n", R[i], t, 100 * eo, 100 * en
      if ((en < 0 ? -en : en) > 0.01 || (eo < 0 ? -eo : eo) < 0.03) bad = 1
    }
    exit bad }'
}
export -f psf_all_check
case_ mesh_psf_all 120 bash -c '
  psf_all_check field tests/inputs/compare/population.xml "0.5 0.7 0.85 1.0" || exit 1
  mkdir -p "$psf_dir/close" && printf "x_um,y_um,radius_um\n1.5,1.5,1.0\n3.8,1.5,1.0\n2.6,3.6,0.8\n" > "$psf_dir/close/discs.csv" &&
    sed "s|<file>population.csv</file>|<file>$psf_dir/close/discs.csv</file>|" tests/inputs/compare/population.xml > "$psf_dir/close/run.xml" || exit 1
  psf_all_check close "$psf_dir/close/run.xml" "0.8 1.0 1.0" || exit 1
  # two discs 0.1 um apart (half a PSF sigma) join at the half level: refused, nothing written
  mkdir -p "$psf_dir/touch/out" && printf "x_um,y_um,radius_um\n1.5,1.5,1.0\n3.6,1.5,1.0\n" > "$psf_dir/touch/discs.csv" &&
    sed "s|<file>population.csv</file>|<file>$psf_dir/touch/discs.csv</file>|" tests/inputs/compare/population.xml > "$psf_dir/touch/run.xml" || exit 1
  "$SPOT" synth "$psf_dir/touch/run.xml" -o "$psf_dir/touch/frame.tif" --pixel-size 65nm --psf-sigma 0.2um --noise 0.02 --frame-times 0,1s -proto_0_duration 1s >/dev/null 2>&1 || exit 1
  psf_refused "argument --psf-sigma: at the level 0.2472, halfway between the particle and the background, the particle of image '\''$psf_dir/touch/frame.tif, particle 1 at pixel row 40, col 51'\'' joins a neighbour there: the gap between them is too narrow for the blur (about a PSF sigma or less), and its edge cannot be placed; mesh the frame without the PSF (the outlines then lie out in the blur)" "$psf_dir/touch/frame.tif" --page 0 --psf-sigma 0.2um --all'
