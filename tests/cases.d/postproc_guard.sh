# The outputs of spot synth, compare, fit, gitt and run's maps under hostile conditions: a full
# disk (a small tmpfs as the output directory: root only, otherwise skipped with a note), a link
# planted at an output's name, a directory in the way, an interrupt, the checks spot synth makes
# before its run, and inputs that crashed, hung or were taken silently. Every failure: exit 1,
# exactly one line "spot: error: ...", on 1 and 2 ranks, and no file left behind (not even a
# temporary, nor an output the same command had completed: a command's outputs are all or
# nothing).
GUARD_RUN=tests/inputs/compare/run.xml
GUARD_CMP=tests/inputs/compare/compare.xml
GUARD_FIT=tests/inputs/compare/fit.xml
GUARD_GITT=tests/inputs/gitt_disc_constant.xml
GUARD_VTC5A=data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv
export GUARD_RUN GUARD_CMP GUARD_FIT GUARD_GITT GUARD_VTC5A

guard_fail() {
  echo "$*"
  return 1
}

# guard_empty DIR: nothing in DIR (no output, no temporary)
guard_empty() {
  local left
  left=$(ls -A "$1" 2>/dev/null)
  [ -z "$left" ] || guard_fail "files left in $1: $left"
}

# guard_mesh_input XML MESH OUT: XML with its <mesh> replaced by <mesh><file>MESH</file></mesh>
guard_mesh_input() {
  awk -v m="$2" '/<mesh>/ {print "  <mesh><file>" m "</file></mesh>"; skip = 1; next} /<\/mesh>/ {skip = 0; next} !skip' "$1" >"$3"
}

# The shared inputs, made once: a noise-free 32-bit movie of the comparison run with its
# timestamps, the run's mesh and the GITT disc's, and copies of the inputs that load those meshes
# (so that an output directory holds nothing but the command's own outputs)
guard_fixture() {
  local d="$TMPROOT/guard_fixture"
  [ -f "$d/ready" ] && return 0
  mkdir -p "$d"
  "$SPOT" run "$GUARD_RUN" -out_directory "$d/run" -out_fields false >"$d/run.log" 2>&1 || { cat "$d/run.log"; return 1; }
  "$SPOT" gitt --simulate "$GUARD_GITT" -o "$d/gitt" >"$d/gitt.log" 2>&1 || { cat "$d/gitt.log"; return 1; }
  guard_mesh_input "$GUARD_RUN" "$d/run/mesh.msh" "$d/run.xml"
  guard_mesh_input "$GUARD_GITT" "$d/gitt/mesh.msh" "$d/gitt.xml"
  sed "s|<simulation file=\"run.xml\"/>|<simulation file=\"$d/run.xml\"/>|" "$GUARD_CMP" >"$d/compare.xml"
  sed "s|<compare file=\"compare.xml\"/>|<compare file=\"$d/compare.xml\"/>|" "$GUARD_FIT" >"$d/fit.xml"
  "$SPOT" synth "$d/run.xml" -o "$d/movie.tif" --noise 0 --bits 32 >"$d/synth.log" 2>&1 || { cat "$d/synth.log"; return 1; }
  touch "$d/ready"
}

# guard_compare OUTDIR [options]: spot compare of the fixture's movie (an option given replaces the
# fixture's: spot refuses an option given twice)
guard_compare() {
  local out=$1 d="$TMPROOT/guard_fixture" base=() o
  shift
  for o in "-compare_experiment_stack_file $d/movie.tif" "-compare_experiment_timestamps_file $d/movie_timestamps.csv" "-compare_output_directory $out"; do
    case " $* " in *" ${o%% *} "*) ;; *) base+=("${o%% *}" "${o#* }") ;; esac
  done
  "$SPOT" compare "$d/compare.xml" "${base[@]}" "$@"
}

# guard_expect_full COMMAND...: exit 1 and exactly one line
#   spot: error: cannot write [<kind> ]'<file>': the disk is full (No space left on device)
guard_expect_full() {
  local err rc
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  [ $rc -eq 1 ] || guard_fail "command: $*
expected exit 1 with a full disk, got $rc: $err" || return 1
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && grep -Eq "^spot: error: cannot write ([a-z ]+ )?'[^']+': the disk is full \(No space left on device\)$" <<<"$err" ||
    guard_fail "command: $*
expected one line 'spot: error: cannot write ...: the disk is full (No space left on device)', got: $err" || return 1
}

# guard_full SIZE BODY: BODY DIR with a tmpfs of SIZE mounted at DIR (unmounted afterwards); skipped
# with a note when that cannot be done
guard_full() {
  local size=$1 body=$2 dir rc
  dir=$(mktemp -d "$TMPROOT/guard_full.XXXXXX")
  if [ "$(id -u)" != 0 ]; then
    echo "note: not root, so no tmpfs: the disk-full case $body is skipped"
    return 0
  fi
  if ! mount -t tmpfs -o size="$size" tmpfs "$dir" 2>/dev/null; then
    echo "note: cannot mount a tmpfs at $dir: the disk-full case $body is skipped"
    return 0
  fi
  "$body" "$dir"
  rc=$?
  umount "$dir" || rc=1
  rmdir "$dir"
  return $rc
}

# ---- a full disk ----
# synth: the stack fails (the timestamps are never published without it), on 1 and 2 ranks
guard_full_synth_body() {
  local full=$1 d="$TMPROOT/guard_fixture" n
  for n in 1 2; do
    expect_error "cannot write image stack '$full/m.tif': the disk is full (No space left on device)" \
      $MPIRUN $n "$SPOT" synth "$d/run.xml" -o "$full/m.tif" --noise 0 --bits 32 || return 1
    guard_empty "$full" || return 1
  done
}

guard_full_compare_body() {
  local full=$1 n
  for n in 1 2; do
    guard_expect_full $MPIRUN $n "$SPOT" compare "$TMPROOT/guard_fixture/compare.xml" -compare_experiment_stack_file "$TMPROOT/guard_fixture/movie.tif" \
      -compare_experiment_timestamps_file "$TMPROOT/guard_fixture/movie_timestamps.csv" -compare_output_directory "$full" || return 1
    guard_empty "$full" || return 1
  done
}

guard_full_fit_body() {
  local full=$1 d="$TMPROOT/guard_fixture" n
  for n in 1 2; do
    guard_expect_full $MPIRUN $n "$SPOT" fit "$d/fit.xml" -compare_experiment_stack_file "$d/movie.tif" -compare_experiment_timestamps_file "$d/movie_timestamps.csv" \
      -fit_output_directory "$full" -fit_max_runs 6 -fit_alpha_tolerance 0.5 || return 1
    guard_empty "$full" || return 1
  done
}

guard_full_gitt_body() {
  local full=$1 d="$TMPROOT/guard_fixture" n
  for n in 1 2; do
    guard_expect_full $MPIRUN $n "$SPOT" gitt "$GUARD_VTC5A" --length 5um -o "$full" || return 1
    guard_empty "$full" || return 1
    guard_expect_full $MPIRUN $n "$SPOT" gitt --simulate "$d/gitt.xml" -o "$full" || return 1
    guard_empty "$full" || return 1
    guard_expect_full $MPIRUN $n "$SPOT" gitt "$GUARD_VTC5A" --length 5um -o "$full/new/out" || return 1
    guard_empty "$full" || return 1 # the folders it made too
  done
}

# spot run's maps (the run's own timeseries.csv and checkpoint are written by postproc/run/output.c
# and solver/ before the maps, and are not the maps' to remove): no map, stack or table is left
guard_full_maps_body() {
  local full=$1 n left
  for n in 1 2; do
    guard_expect_full $MPIRUN $n "$SPOT" run "$TMPROOT/guard_fixture/run.xml" -out_directory "$full" -out_fields false \
      -out_maps true -out_map_times 0,5min,10min || return 1
    left=$(ls -A "$full" | grep -E 'theta_map|\.part') && guard_fail "maps left in $full: $left" && return 1
    rm -f "$full"/*
  done
  return 0
}

# figures also as PDF and SVG (-out_figure_formats): the same one line, and none of the three left
guard_full_vector_body() {
  local full=$1 left
  guard_expect_full "$SPOT" run "$TMPROOT/guard_fixture/run.xml" -out_directory "$full/run" -out_fields false \
    -out_maps true -out_map_times 0,5min,10min -out_figure_formats png,pdf,svg || return 1
  left=$(ls -A "$full/run" | grep -E 'theta_map|\.part') && guard_fail "maps left in $full/run: $left" && return 1
  rm -rf "$full/run"
  guard_expect_full "$SPOT" compare "$TMPROOT/guard_fixture/compare.xml" -compare_experiment_stack_file "$TMPROOT/guard_fixture/movie.tif" \
    -compare_experiment_timestamps_file "$TMPROOT/guard_fixture/movie_timestamps.csv" -compare_output_directory "$full" -out_figure_formats svg,pdf || return 1
  guard_empty "$full" || return 1
}

guard_full_synth() { guard_fixture && guard_full 300k guard_full_synth_body; }
guard_full_vector() { guard_fixture && guard_full 300k guard_full_vector_body; }
guard_full_compare() { guard_fixture && guard_full 100k guard_full_compare_body; }
guard_full_fit() { guard_fixture && guard_full 100k guard_full_fit_body; }
guard_full_gitt() { guard_fixture && guard_full 64k guard_full_gitt_body; }
guard_full_maps() { guard_fixture && guard_full 300k guard_full_maps_body; }

# ---- a link planted at an output's name: the link is replaced, its target untouched ----
guard_links() {
  local d="$TMPROOT/guard_links" f="$TMPROOT/guard_fixture" name
  guard_fixture || return 1
  rm -rf "$d" && mkdir -p "$d/synth" "$d/compare" "$d/gitt"
  echo "precious" >"$d/target"
  ln -s "$d/target" "$d/synth/m.tif"
  ln -s "$d/target" "$d/synth/m_timestamps.csv"
  "$SPOT" synth "$f/run.xml" -o "$d/synth/m.tif" --noise 0 >/dev/null 2>&1 || guard_fail "synth over planted links failed" || return 1
  for name in compare_metrics.csv compare_maps.png mesh.msh; do ln -s "$d/target" "$d/compare/$name"; done
  $MPIRUN 2 "$SPOT" compare "$f/compare.xml" -compare_experiment_stack_file "$f/movie.tif" -compare_experiment_timestamps_file "$f/movie_timestamps.csv" \
    -compare_output_directory "$d/compare" >/dev/null 2>&1 || guard_fail "compare over planted links failed" || return 1
  ln -s "$d/target" "$d/gitt/diffusivity.csv"
  "$SPOT" gitt "$GUARD_VTC5A" --length 5um -o "$d/gitt" >/dev/null 2>&1 || guard_fail "gitt over a planted link failed" || return 1
  [ "$(cat "$d/target")" = "precious" ] || guard_fail "the target of a planted link was modified" || return 1
  for name in synth/m.tif synth/m_timestamps.csv compare/compare_metrics.csv compare/compare_maps.png gitt/diffusivity.csv; do
    [ -f "$d/$name" ] && [ ! -L "$d/$name" ] || guard_fail "$d/$name is not the output, a regular file" || return 1
  done
  grep -q "^misfit," "$d/compare/compare_metrics.csv" && grep -q "^theta,D_cm2_per_s" "$d/gitt/diffusivity.csv" && grep -q "^frame,t_s" "$d/synth/m_timestamps.csv" ||
    guard_fail "the outputs written over the links are not complete" || return 1
  # compare had no mesh to adopt (it loads the fixture's), so its planted mesh.msh link stays as it was
  [ -L "$d/compare/mesh.msh" ] || guard_fail "compare replaced a mesh.msh it did not make" || return 1
  ! ls -A "$d"/* | grep -q '\.part' || guard_fail "temporaries left: $(ls -A "$d"/*)" || return 1
}

# ---- all or nothing: a directory in the way of the last output fails the command before any
# output appears, on 1 and 2 ranks ----
guard_in_the_way() {
  local d="$TMPROOT/guard_in_the_way" n
  guard_fixture || return 1
  for n in 1 2; do
    rm -rf "$d" && mkdir -p "$d/compare/compare_kymographs.png" "$d/gitt/diffusivity.csv"
    expect_error "cannot write figure '$d/compare/compare_kymographs.png': a directory of that name is in the way" \
      $MPIRUN $n "$SPOT" compare "$TMPROOT/guard_fixture/compare.xml" -compare_experiment_stack_file "$TMPROOT/guard_fixture/movie.tif" \
      -compare_experiment_timestamps_file "$TMPROOT/guard_fixture/movie_timestamps.csv" -compare_output_directory "$d/compare" || return 1
    [ "$(ls -A "$d/compare")" = "compare_kymographs.png" ] || guard_fail "compare left: $(ls -A "$d/compare")" || return 1
    expect_error "cannot write '$d/gitt/diffusivity.csv': a directory of that name is in the way" \
      $MPIRUN $n "$SPOT" gitt "$GUARD_VTC5A" --length 5um -o "$d/gitt" || return 1
    [ "$(ls -A "$d/gitt")" = "diffusivity.csv" ] || guard_fail "gitt left: $(ls -A "$d/gitt")" || return 1
  done
}

# ---- an interrupt while synth writes its stack: the partial stack is removed ----
guard_interrupt() {
  local d="$TMPROOT/guard_interrupt" pid rc err
  guard_fixture || return 1
  rm -rf "$d" && mkdir -p "$d/out"
  "$SPOT" synth "$TMPROOT/guard_fixture/run.xml" -o "$d/out/m.tif" --frame-interval 0.1 --bits 32 >/dev/null 2>"$d/err" &
  pid=$!
  for _ in $(seq 100); do # until the stack is being written
    ls -A "$d/out" | grep -q '\.part' && break
    sleep 0.1
  done
  ls -A "$d/out" | grep -q '\.part' || guard_fail "synth never started its stack: $(ls -A "$d/out")" || { kill $pid; return 1; }
  kill -TERM $pid
  wait $pid
  rc=$?
  err=$(cat "$d/err")
  [ $rc -eq 1 ] && [ "$err" = "spot: error: terminated (SIGTERM); unfinished files removed" ] || guard_fail "interrupted synth: exit $rc, $err" || return 1
  guard_empty "$d/out" || return 1
}

# ---- an interrupt while compare runs: the mesh it made (and adopted as an output) is removed ----
guard_interrupt_compare() {
  local d="$TMPROOT/guard_interrupt_compare" f="$TMPROOT/guard_fixture" pid rc err
  guard_fixture || return 1
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" compare "$GUARD_CMP" -compare_experiment_stack_file "$f/movie.tif" -compare_experiment_timestamps_file "$f/movie_timestamps.csv" \
    -compare_output_directory "$d/out" -ts_adapt_dt_max 0.2 >/dev/null 2>"$d/err" &
  pid=$!
  for _ in $(seq 200); do # until the run is under way with its mesh
    ls -A "$d/out" 2>/dev/null | grep -q '^mesh\.msh\..*\.part$' && break
    sleep 0.05
  done
  ls -A "$d/out" | grep -q '^mesh\.msh\..*\.part$' || guard_fail "compare never adopted its mesh: $(ls -A "$d/out")" || { kill $pid; return 1; }
  kill -INT $pid
  wait $pid
  rc=$?
  err=$(cat "$d/err")
  [ $rc -eq 1 ] && [ "$err" = "spot: error: interrupted (SIGINT); unfinished files removed" ] || guard_fail "interrupted compare: exit $rc, $err" || return 1
  guard_empty "$d/out" || return 1
}

# ---- spot synth: every -synth_ option checked before the run ----
guard_synth_checks() {
  local d="$TMPROOT/guard_synth" R="$TMPROOT/guard_fixture/run.xml" o
  guard_fixture || return 1
  rm -rf "$d" && mkdir -p "$d"
  o="$d/m.tif"
  synth() { "$SPOT" synth "$R" -o "$o" "$@"; }
  expect_error "argument --time-offset: expected a finite number for -synth_time_offset, got 'nan'" synth --time-offset nan || return 1
  expect_error "argument --time-offset: with a time offset of 1e+20 s the timestamps of frames 0 and 1 (run times 0 and 30 s) would both read 1e+20 s; give an offset nearer the run's times" \
    synth --time-offset 1e20 || return 1
  expect_error "argument --frame-interval: a frame every 1e-06 s makes 9e+08 frames of the 900 s protocol; spot synth makes at most 100000: raise the interval" \
    synth --frame-interval 1e-6 || return 1
  expect_error "argument --frame-interval: the frame interval must be a positive time, got 0 s" synth --frame-interval 0 || return 1
  expect_error "argument --frame-times: give the frame times or the frame interval, not both" synth --frame-interval 30 --frame-times 0,30 || return 1
  expect_error "argument --frame-times: frame time 2000 s lies after the end of the protocol (900 s)" synth --frame-times 0,30,2000 || return 1
  expect_error "argument --frame-times: frame times are run times from t = 0, got -30 s" synth --frame-times -30,0,30 || return 1
  expect_error "argument --frame-times: frame times must increase, but 30 s follows 60 s" synth --frame-times 0,60,30 || return 1
  expect_error "argument --frame-times: a movie needs at least 2 frames" synth --frame-times 60 || return 1
  expect_error "argument --drift: a drift of -10 per hour turns the illumination off (1 + drift t <= 0.01) by the last frame at 900 s" synth --drift -10 || return 1
  expect_error "argument --intensity: an intensity of 1.5 reaches the full scale 1 of a 16-bit page, where every pixel would saturate; lower it, or write 32-bit float pages (--bits 32)" \
    synth --intensity 1.5 || return 1
  expect_error "argument --intensity: an intensity of 0.9, brightened to 1.125 by the drift, reaches the full scale 1 of a 16-bit page, where every pixel would saturate; lower it, or write 32-bit float pages (--bits 32)" \
    synth --intensity 0.9 --drift 1 || return 1
  expect_error "argument --size: the particle does not fit in the 8 x 8 frame: shifted by (0, 0) px and rotated by 0 deg it spans columns -7.0 to 15.0 and rows -4.0 to 12.0; enlarge the size or reduce the shift" \
    synth --size 8,8 || return 1
  expect_error "argument --size: a frame of 16384 x 16384 pixels is more than the 16 megapixels (4096 x 4096) spot synth makes" synth --size 16384,16384 || return 1
  expect_error "argument --pixel-size: a frame around this 2.2 x 1.6 um particle in pixels of 0.0001 um, shifted by (0, 0) px, would be 49608 x 59204 pixels, more than the 16 megapixels (4096 x 4096) spot synth makes; raise the pixel size, reduce the shift or give the size" \
    synth --pixel-size 1e-4um || return 1
  expect_error "argument --shift: a frame around this 2.2 x 1.6 um particle in pixels of 0.1 um, shifted by (1e+09, 0) px, would be 58 x 2e+09 pixels, more than the 16 megapixels (4096 x 4096) spot synth makes; raise the pixel size, reduce the shift or give the size" \
    synth --shift 1e9,0 || return 1
  expect_error "argument --timestamps: the timestamps need a file of their own, not the stack '$o'" synth --timestamps "$o" || return 1
  expect_error "argument --timestamps: output directory '/proc/spot' is not writable: No such file or directory" synth --timestamps /proc/spot/t.csv || return 1
  expect_error "argument --frame-times: frame time 30 s lies after the end of the protocol (2 s)" synth --frame-times 0,30 -proto_0_duration 1s -proto_1_duration 1s || return 1
  # under mpirun: the same one line
  expect_error "argument --frame-times: frame time 2000 s lies after the end of the protocol (900 s)" $MPIRUN 2 "$SPOT" synth "$R" -o "$o" --frame-times 0,30,2000 || return 1
  guard_empty "$d" || return 1
  # the timestamps keep their precision: an offset of a Unix time and frames 0.5 s apart
  synth --frame-times 0,0.5,1 --time-offset 1700000000 >/dev/null || guard_fail "synth with a Unix-time offset failed" || return 1
  [ "$(grep -v '^#' "$d/m_timestamps.csv" | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" = "1700000000 1700000000.5 1700000001 " ] ||
    guard_fail "timestamps: $(cat "$d/m_timestamps.csv")" || return 1
}

# ---- spot compare, fit: inputs that crashed, hung or were taken silently ----
guard_compare_inputs() {
  local d="$TMPROOT/guard_compare" f="$TMPROOT/guard_fixture" M T
  guard_fixture || return 1
  rm -rf "$d" && mkdir -p "$d/adir"
  M="$f/movie.tif" T="$f/movie_timestamps.csv"
  mkfifo "$d/fifo"
  run() { guard_compare "$d/out" "$@"; }
  # a directory or a FIFO where a file is expected (a FIFO hung the reader)
  expect_error "cannot read timestamps '$d/adir': is a directory" run -compare_experiment_timestamps_file "$d/adir" || return 1
  expect_error "cannot read timestamps '$d/fifo': not a regular file (a FIFO)" run -compare_experiment_timestamps_file "$d/fifo" || return 1
  expect_error "cannot read image stack '$d/fifo': not a regular file (a FIFO)" run -compare_experiment_stack_file "$d/fifo" || return 1
  expect_error "cannot read image stack '$d/adir': is a directory" run -compare_experiment_stack_file "$d/adir" || return 1
  # timestamps that are no times
  awk -F, 'NR == 5 {$2 = "nan"} 1' OFS=, "$T" >"$d/nan.csv"
  expect_error "$d/nan.csv:5: timestamp nan s of frame 2 is not a finite time" run -compare_experiment_timestamps_file "$d/nan.csv" || return 1
  awk -F, 'NR == 3 {$2 = "inf"} 1' OFS=, "$T" >"$d/inf.csv"
  expect_error "$d/inf.csv:3: timestamp inf s of frame 0 is not a finite time" run -compare_experiment_timestamps_file "$d/inf.csv" || return 1
  : >"$d/empty.csv"
  expect_error "$d/empty.csv: no data rows (expected a header line and numeric rows)" run -compare_experiment_timestamps_file "$d/empty.csv" || return 1
  # an optical pixel larger than the particle (a segmentation fault in the registration)
  expect_error "option -compare_experiment_pixel_size: the simulated particle (2.2 x 1.6 um) spans only 2.2e-06 optical pixels of 1e+06 um; a comparison needs it at least 3 pixels across" \
    run -compare_experiment_pixel_size 1e6um || return 1
  # every frame before the run (a k calibrated on round-off, then an internal error in the figures)
  expect_error "cannot calibrate the contrast factor k: the simulated particle does not delithiate during the compared frames (run time -1e+09 to -9.99999e+08 s); check <experiment><current_start> or give <optics><contrast_factor>" \
    run -compare_experiment_current_start 1e9 || return 1
  expect_error "only 0 frames of the stack fall within the simulated run (run time 0 to 900 s; frames at run times 0 to 900 s); check <experiment><current_start> and <metrics><window>" \
    run -compare_metrics_window 1e9,2e9 || return 1
  expect_error "option -compare_optics_contrast_factor: a contrast factor k of 1e+300 is not a contrast per unit delithiation (|k| <= 100; operando particles show about 0.6)" \
    run -compare_optics_contrast_factor 1e300 || return 1
  # the same under mpirun
  expect_error "cannot read timestamps '$d/fifo': not a regular file (a FIFO)" \
    $MPIRUN 2 "$SPOT" compare "$f/compare.xml" -compare_experiment_stack_file "$M" -compare_experiment_timestamps_file "$d/fifo" -compare_output_directory "$d/out" || return 1
  guard_empty "$d/out" || return 1
  # spot fit: absurd ranges, and a run count beyond what the search can hold (an internal error)
  fit() { "$SPOT" fit "$f/fit.xml" -compare_experiment_stack_file "$M" -compare_experiment_timestamps_file "$T" -fit_output_directory "$d/fit" "$@"; }
  expect_error "option -fit_max_runs: max_runs must be between 5 (the first grid of alpha) and 255, got 1000" fit -fit_max_runs 1000 || return 1
  expect_error "option -fit_max_runs: max_runs must be between 5 (the first grid of alpha) and 255, got 0" fit -fit_max_runs 0 || return 1
  expect_error "option -fit_alpha_range: the alpha range 1e-300 to 1e+300 reaches beyond 0.0001 to 10000: alpha scales D_GITT, and a run that far from it does not describe the particle" \
    fit -fit_alpha_range 1e-300,1e300 || return 1
  expect_error "option -fit_psf_sigma_range: psf_sigma must stay below 50 um (as <optics><psf_sigma>), got up to 1e+06 um" fit -fit_psf_sigma_range 0,1e6um || return 1
  guard_empty "$d/fit" || return 1
}

# ---- spot gitt: inputs that hung or were taken silently ----
guard_gitt_inputs() {
  local d="$TMPROOT/guard_gitt" out
  rm -rf "$d" && mkdir -p "$d/adir"
  out="$d/new/out" # folders spot makes, and removes again when it fails
  mkfifo "$d/fifo"
  expect_error "cannot read GITT record '$d/fifo': not a regular file (a FIFO)" "$SPOT" gitt "$d/fifo" --length 1um -o "$out" || return 1
  expect_error "cannot read GITT record '$d/adir': is a directory" "$SPOT" gitt "$d/adir" --length 1um -o "$out" || return 1
  expect_error "cannot read mesh '$d/fifo': not a regular file (a FIFO)" "$SPOT" gitt "$GUARD_VTC5A" --mesh "$d/fifo" -o "$out" || return 1
  printf 'time_s,current_A,voltage_V\n' >"$d/header.csv"
  expect_error "$d/header.csv: no data rows (expected a header line and numeric rows)" "$SPOT" gitt "$d/header.csv" --length 1um -o "$out" || return 1
  awk -F, 'NR == 50 {$3 = "nan"} 1' OFS=, "$GUARD_VTC5A" >"$d/nan.csv"
  expect_error "$d/nan.csv:50: time, current and voltage must be finite numbers, got 400 s, 0.258318 A, nan V" "$SPOT" gitt "$d/nan.csv" --length 1um -o "$out" || return 1
  # absurd values: a capacity far below the charge passed, a length in metres
  expect_error "$GUARD_VTC5A: theta by coulomb counting would run from -2.581e+30 to 1, more than 0.25 outside [0, 1]: the pulses pass 2.581 Ah of net charge against a capacity of 1e-30 Ah (argument --capacity) from theta_start 1 (default); check the capacity and theta_start" \
    "$SPOT" gitt "$GUARD_VTC5A" --length 1um --capacity 1e-30Ah -o "$out" || return 1
  expect_error "argument --length: a diffusion length of 1e+06 um is not that of a particle or an electrode (at most 10000 um = 1 cm); check its unit" \
    "$SPOT" gitt "$GUARD_VTC5A" --length 1m -o "$out" || return 1
  expect_error "$GUARD_VTC5A: theta by coulomb counting would run from -2.581e+30 to 1, more than 0.25 outside [0, 1]: the pulses pass 2.581 Ah of net charge against a capacity of 1e-30 Ah (argument --capacity) from theta_start 1 (default); check the capacity and theta_start" \
    $MPIRUN 2 "$SPOT" gitt "$GUARD_VTC5A" --length 1um --capacity 1e-30Ah -o "$out" || return 1
  [ ! -e "$d/new" ] || guard_fail "spot gitt left the folders it made: $(find "$d/new")" || return 1
  # -o at the record's folder, where an output has the record's name: refused before the analysis
  mkdir -p "$d/rec" && cp "$GUARD_VTC5A" "$d/rec/pulses.csv"
  expect_error "argument -o: '$d/rec/pulses.csv' would overwrite the GITT record '$d/rec/pulses.csv' that spot reads; give the output another name" \
    "$SPOT" gitt "$d/rec/pulses.csv" --length 5um -o "$d/rec" || return 1
  cmp -s "$GUARD_VTC5A" "$d/rec/pulses.csv" && [ "$(ls -A "$d/rec")" = pulses.csv ] || guard_fail "spot gitt changed the record's folder: $(ls -A "$d/rec")" || return 1
  # the largest current threshold found no pulse at all ("only 0 of 0 pulses gave a diffusivity")
  "$SPOT" gitt "$GUARD_VTC5A" --length 5um --current-threshold 0.5 -o "$d/half" >"$d/half.log" 2>&1 || guard_fail "--current-threshold 0.5: $(cat "$d/half.log")" || return 1
  grep -q "^  pulses: 60 found" "$d/half.log" || guard_fail "--current-threshold 0.5: $(grep pulses "$d/half.log")" || return 1
}

export -f guard_fail guard_empty guard_mesh_input guard_fixture guard_compare guard_expect_full guard_full
export -f guard_full_synth_body guard_full_compare_body guard_full_fit_body guard_full_gitt_body guard_full_maps_body guard_full_vector_body
export -f guard_full_synth guard_full_compare guard_full_fit guard_full_gitt guard_full_maps guard_full_vector
export -f guard_links guard_in_the_way guard_interrupt guard_interrupt_compare guard_synth_checks guard_compare_inputs guard_gitt_inputs
case_ guard_full_synth 180 bash -c guard_full_synth
case_ guard_full_compare 180 bash -c guard_full_compare
case_ guard_full_fit 240 bash -c guard_full_fit
case_ guard_full_gitt 180 bash -c guard_full_gitt
case_ guard_full_maps 180 bash -c guard_full_maps
case_ guard_full_vector 180 bash -c guard_full_vector
case_ guard_links 180 bash -c guard_links
case_ guard_in_the_way 180 bash -c guard_in_the_way
case_ guard_interrupt 120 bash -c guard_interrupt
case_ guard_interrupt_compare 120 bash -c guard_interrupt_compare
case_ guard_synth_checks 240 bash -c guard_synth_checks
case_ guard_compare_inputs 240 bash -c guard_compare_inputs
case_ guard_gitt_inputs 120 bash -c guard_gitt_inputs
