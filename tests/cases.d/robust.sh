# spot run against what goes wrong around it (issue 17): options checked before any work, an
# output directory another run holds, planted symlinks, a full disk, interrupts with an exact
# restart, and repeatable parallel runs. Each failure: exit 1, exactly one line, no file left.
IN=tests/inputs
export IN

# --- every option checked before any work: the exact line, exit 1, nothing written
case_ options_misspelt 30 spot_bad misspelt "option -phys_alpah: spot has no option -phys_alpah (did you mean -phys_alpha?)" run $IN/small.xml -phys_alpah 3
case_ options_misspelt_step 30 spot_bad misspelt_step "option -proto_1_durtion: spot has no option -proto_1_durtion (did you mean -proto_1_duration?)" run $IN/small.xml -proto_1_durtion 5min
case_ options_misspelt_petsc 30 spot_bad misspelt_petsc "option -ts_monitr: neither spot nor PETSc has an option -ts_monitr (did you mean -ts_monitor?)" run $IN/small.xml -ts_monitr
case_ options_other_command 30 spot_bad other_command "option -synth_k: -synth_k is not an option of spot run (it is one of spot synth)" run $IN/small.xml -synth_k 0.5
case_ options_law_parameter 60 spot_bad law_parameter "option -phys_diffusivity_value: the diffusivity law 'ni_rich_smooth' has no parameter value" run $IN/small.xml -phys_diffusivity_value 1e-13cm2/s
case_ options_shape_parameter 60 spot_bad shape_parameter "option -mesh_shape_radius does not apply to this spot run: the shape 'ellipse' has no parameter radius" run $IN/small.xml -mesh_shape_radius 1um
case_ options_not_integer 30 spot_bad not_integer "option -solver_degree: -solver_degree expects a whole number, got 'two'" run $IN/small.xml -solver_degree two
case_ options_not_integer_refine 30 spot_bad not_integer_refine "option -mesh_refine: -mesh_refine expects a whole number, got 'lots'" run $IN/small.xml -mesh_refine lots
case_ options_not_choice 30 spot_bad not_choice "option -mesh_shape_type: -mesh_shape_type is one of disc/ellipse/rectangle/sphere/ellipsoid/box/platelet, got 'hexagon'" run $IN/small.xml -mesh_shape_type hexagon
case_ options_not_bool 30 spot_bad not_bool "option -out_fields: -out_fields expects true or false, got 'maybe'" run $IN/small.xml -out_fields maybe
case_ options_infinite_rate 30 spot_bad infinite_rate "option -proto_0_c_rate: expected a finite number for -proto_0_c_rate, got 'inf'" run $IN/small.xml -proto_0_c_rate inf
case_ options_nan_alpha 30 spot_bad nan_alpha "option -phys_alpha: expected a finite number for -phys_alpha, got 'nan'" run $IN/small.xml -phys_alpha nan
case_ options_atol_named 60 spot_bad atol_named "option -solver_atol: atol (the absolute time-error tolerance, in theta) must lie in (0, 1), got -1." run $IN/small.xml -solver_atol -1
case_ options_ts_type 60 spot_bad ts_type "a PETSc option is wrong: Unknown TS type: foo (-help lists the types)" run $IN/small.xml -ts_type foo
case_ options_petsc_value 60 spot_bad petsc_value "a PETSc option is wrong: Input string abc has no integer value (do not include . in it)" run $IN/small.xml -ts_max_steps abc
case_ options_extra_input 30 spot_bad extra_input "one input file at a time: 'tests/inputs/bv_small.xml' follows 'tests/inputs/small.xml' (usage: spot run INPUT.xml [PETSc options] (the input file comes first))" run $IN/small.xml $IN/bv_small.xml
case_ options_schema_missing 30 expect_error "no compiled-in schema nothere.xsd (spot schema prints spot.xsd or compare.xsd)" "$SPOT" schema nothere.xsd

# Documents: what a schema admits but spot must not (INF, NaN), text beyond 1 MB, and PETSc
# options that would write, read or run files outside the output directory
document_cases() {
  local d="$TMPROOT/documents"
  rm -rf "$d" && mkdir -p "$d"
  sed 's|<diffusivity law="ni_rich_smooth"/>|<diffusivity law="ni_rich_smooth"><value unit="cm2/s">1e-13</value></diffusivity>|' $IN/small.xml > "$d/law.xml"
  spot_bad doc_law_parameter "$d/law.xml:14 (<value>): the diffusivity law 'ni_rich_smooth' has no parameter value" run "$d/law.xml" || return 1
  spot_bad ocp_parameter "option -phys_ocp_value: this run has no open-circuit potential law (-phys_ocp_law), so -phys_ocp_value does not apply" run $IN/small.xml -phys_ocp_value 3.7V || return 1
  sed 's|<alpha>2.7</alpha>|<alpha>INF</alpha>|' $IN/small.xml > "$d/inf.xml"
  spot_bad doc_inf "$d/inf.xml:13 (<alpha>): expected a finite number for -phys_alpha, got 'INF'" run "$d/inf.xml" || return 1
  sed 's|<duration unit="min">10</duration>|<duration unit="min">NaN</duration>|' $IN/small.xml > "$d/nan.xml"
  spot_bad doc_nan "$d/nan.xml:22 (<duration>): expected a finite number for -proto_0_duration, got 'NaN min'" run "$d/nan.xml" || return 1
  local opts
  for opts in "-ts_monitor ascii:/tmp/spot-pwned" "-log_view :/tmp/spot-pwned" "-dm_view hdf5:../x.h5"; do
    sed "s|</output>|</output><solver><petsc_options>$opts</petsc_options></solver>|" $IN/small.xml > "$d/viewer.xml"
    spot_bad doc_viewer "$d/viewer.xml:31 (<petsc_options>): '$opts' names a file for PETSc to write, which a document may not do (spot writes only into its output directory); give it on the command line" run "$d/viewer.xml" || return 1
  done
  [ ! -e /tmp/spot-pwned ] || { echo "a document wrote /tmp/spot-pwned"; return 1; }
  sed "s|</output>|</output><solver><petsc_options>-options_file /etc/passwd</petsc_options></solver>|" $IN/small.xml > "$d/optfile.xml"
  spot_bad doc_options_file "$d/optfile.xml:31 (<petsc_options>): -options_file reads, runs or writes files outside spot's control, which a document may not ask for; give it on the command line" run "$d/optfile.xml" || return 1
  { sed -n '1,/<times/p' $IN/small.xml | sed '$d'; printf '    <times unit="s">'; seq -s ' ' 1 200000 | tr -d '\n'; printf '</times>\n'; sed -n '/<\/times>/,$p' $IN/small.xml | sed 1d; } > "$d/long.xml"
  spot_bad doc_long_text "$d/long.xml:29 (<times>): its text is 1288894 characters long, more than the 1048576 spot reads in one element" run "$d/long.xml"
}
export -f document_cases
case_ options_documents 120 document_cases

# Files that are not regular files: a FIFO or a device would hang a reader
special_files() {
  local d="$TMPROOT/special"
  rm -rf "$d" && mkdir -p "$d" && mkfifo "$d/fifo.xml"
  spot_bad fifo_input "cannot read input file '$d/fifo.xml': not a regular file (a FIFO)" run "$d/fifo.xml" || return 1
  spot_bad dev_input "cannot read input file '/dev/zero': not a regular file (a device)" run /dev/zero
}
export -f special_files
case_ files_fifo_device 60 special_files

# --- a second run into the directory of a live run refuses, naming it, and harms nothing
two_runs() {
  local d="$TMPROOT/two_runs" pid err rc
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/gitt500.xml -out_directory "$d/out" > "$d/first.log" 2>&1 &
  pid=$!
  for i in $(seq 100); do [ -e "$d/out/.spot.lock" ] && break; sleep 0.1; done
  err=$("$SPOT" run $IN/small.xml -out_directory "$d/out" 2>&1 >/dev/null)
  rc=$?
  wait $pid || { echo "the first run failed:"; tail -3 "$d/first.log"; return 1; }
  [ $rc -eq 1 ] || { echo "second run: exit $rc"; return 1; }
  [[ "$err" =~ ^"spot: error: option -out_directory: the output directory '$d/out' is in use by another spot run (pid "[0-9]+" on ".*", since ".*"); wait for it to finish, or choose another directory"$ ]] || { echo "second run said: $err"; return 1; }
  [ "$(ls -A "$d/out" | sort | tr '\n' ' ')" = "checkpoint.h5 mesh.msh summary.png timeseries.csv " ] || { echo "files: $(ls -A "$d/out")"; return 1; }
  [ "$(wc -l < "$d/out/timeseries.csv")" -eq 11002 ] || { echo "the first run's series has $(wc -l < "$d/out/timeseries.csv") lines"; return 1; }
}
export -f two_runs
case_ files_two_runs_one_directory 120 two_runs

# --- links planted in the output directory: never followed
planted_links() {
  local d="$TMPROOT/planted"
  rm -rf "$d" && mkdir -p "$d/out"
  echo "precious" > "$d/target"
  for f in timeseries.csv fields.h5 fields.xmf checkpoint.h5 mesh.msh; do ln -s "$d/target" "$d/out/$f"; done
  "$SPOT" run $IN/small.xml -out_directory "$d/out" > "$d/run.log" 2>&1 || { tail -3 "$d/run.log"; return 1; }
  [ "$(cat "$d/target")" = "precious" ] || { echo "the link's target was overwritten"; return 1; }
  for f in timeseries.csv fields.h5 fields.xmf checkpoint.h5 mesh.msh; do [ -f "$d/out/$f" ] && [ ! -L "$d/out/$f" ] || { echo "$f is still a link"; return 1; }; done
  rm -rf "$d/out" && mkdir -p "$d/out" && ln -s "$d/target" "$d/out/.spot.lock"
  spot_bad own_planted_lock "cannot lock the output directory '$d/out': $d/out/.spot.lock is a symbolic link (spot does not follow it)" run $IN/small.xml -out_directory "$d/out" && [ "$(cat "$d/target")" = "precious" ]
}
export -f planted_links
case_ files_planted_links 60 planted_links

# --- a full disk (a small tmpfs; root only): one line, exit 1, nothing left, on 1 and 2 ranks,
# whichever file meets the full disk first (the space left moves it from the series to the fields
# to the checkpoint and the summary figure)
disk_full() {
  local d="$TMPROOT/disk_full" free n err rc seen="" total
  mkdir -p "$d"
  if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=2m tmpfs "$d" 2>/dev/null; then echo "skipped: needs root to mount a tmpfs"; return 0; fi
  trap 'umount "$d" 2>/dev/null' RETURN
  "$SPOT" run $IN/small_file.xml -out_directory "$d/out" > /dev/null 2>&1 || { echo "the run does not fit in 2 MB"; return 1; }
  total=$(du -sk "$d/out" | cut -f1) # kB of the complete outputs; a disk with a fraction of it free
  for free in $((total / 10)) $((total * 4 / 10)) $((total * 7 / 10)) $((total * 9 / 10)); do
    for n in 1 2; do
      rm -rf "$d"/* && dd if=/dev/zero of="$d/filler" bs=1k count=$((2048 - free)) 2>/dev/null
      err=$($MPIRUN $n "$SPOT" run $IN/small_file.xml -out_directory "$d/out" 2>&1 >/dev/null)
      rc=$?
      [ $rc -eq 1 ] || { echo "$free of $total kB free, $n ranks: exit $rc ($err)"; return 1; }
      [[ "$err" =~ ^"spot: error: cannot write "("figure ")?"'$d/out/"[a-z0-9._]+"': the disk is full (No space left on device)"$ ]] || { echo "$free kB free, $n ranks: $err"; return 1; }
      [ ! -e "$d/out" ] || [ -z "$(ls -A "$d/out")" ] || { echo "$free kB free, $n ranks: left $(ls -A "$d/out")"; return 1; }
      seen="$seen $(sed "s|.*$d/out/\([a-z0-9._]*\)'.*|\1|" <<<"$err")"
    done
  done
  echo "files that met the full disk:$seen"
  [[ "$seen" == *timeseries.csv* ]] && [ "$(tr ' ' '\n' <<<"$seen" | sort -u | grep -c .)" -ge 3 ] || { echo "expected the series and two other files among them"; return 1; }
}
export -f disk_full
case_ files_disk_full 300 disk_full

# --- SIGINT (1 rank) and SIGTERM through mpirun (2 ranks): the run stops with one line, its
# outputs complete up to then (every row as in the uninterrupted run), a checkpoint at the last
# exact restart point, and the restart it names finishes exactly as the uninterrupted run (1e-10)
interrupt_restart() {
  local d="$TMPROOT/interrupt" n sig pid err rc cmd t0
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/gitt500.xml -out_directory "$d/full" -solver_segment_steps 20 > "$d/full.log" 2>&1 || { tail -3 "$d/full.log"; return 1; }
  for n in 1 2; do
    sig=$([ $n -eq 1 ] && echo INT || echo TERM)
    $MPIRUN $n "$SPOT" run $IN/gitt500.xml -out_directory "$d/cut$n" -solver_segment_steps 20 > "$d/cut$n.log" 2> "$d/cut$n.err" &
    pid=$!
    for i in $(seq 300); do grep -q "^step 300/" "$d/cut$n.log" && break; sleep 0.05; done
    kill -$sig $pid
    wait $pid
    rc=$?
    # mpirun's own libevent may warn while it goes down after the signal ("[warn] Epoll MOD(1) on fd
    # 25 failed ..."): that line is Open MPI's, not spot's
    err=$(grep -v '^\[warn\] Epoll ' "$d/cut$n.err")
    [ $rc -ne 0 ] || { echo "$n ranks: the run ended before the signal"; return 1; }
    [ $rc -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] || { echo "$n ranks: exit $rc: $err"; return 1; }
    [[ "$err" =~ ^"spot: error: "(interrupted" (SIGINT)"|terminated" (SIGTERM)")" at t = "[0-9.]+" s: the outputs up to then are complete in $d/cut$n; $d/cut$n/checkpoint.h5 (t = "[0-9.]+" s) continues the run exactly: spot run "(.*)$ ]] || { echo "$n ranks: $err"; return 1; }
    cmd=${BASH_REMATCH[2]}
    [ "$(ls -A "$d/cut$n" | sort | tr '\n' ' ')" = "checkpoint.h5 mesh.msh summary.png timeseries.csv " ] || { echo "$n ranks: files $(ls -A "$d/cut$n")"; return 1; }
    # the interrupted series is the uninterrupted one, cut short
    head -n "$(wc -l < "$d/cut$n/timeseries.csv")" "$d/full/timeseries.csv" > "$d/full$n.head"
    "$TOOLS/csvdiff" "$d/full$n.head" "$d/cut$n/timeseries.csv" $([ $n -eq 1 ] && echo 1e-12 || echo 1e-5) inventory_error=1 || { echo "$n ranks: the interrupted series differs"; return 1; }
    # the command carries the interrupted run's own options (not its output directory)
    [ "$cmd" = "$IN/gitt500.xml -solver_segment_steps 20 -init_checkpoint_file $d/cut$n/checkpoint.h5 -out_directory $d/cut$n/continued" ] || { echo "$n ranks: restart command: $cmd"; return 1; }
    # the restart, exactly as the message says, on 1 rank
    eval "\"$SPOT\" run $cmd" > "$d/cont$n.log" 2>&1 || { echo "$n ranks: the restart failed"; tail -3 "$d/cont$n.log"; return 1; }
    t0=$(sed -n 3p "$d/cut$n/continued/timeseries.csv" | cut -d, -f1)
    { head -1 "$d/full/timeseries.csv"; awk -F, -v t="$t0" 'f || $1 == t { f = 1; print }' "$d/full/timeseries.csv"; } > "$d/expected$n"
    { head -1 "$d/full/timeseries.csv"; tail -n +3 "$d/cut$n/continued/timeseries.csv"; } > "$d/got$n"
    [ "$(wc -l < "$d/got$n")" -gt 100 ] || { echo "$n ranks: too few rows after the restart"; return 1; }
    "$TOOLS/csvdiff" "$d/expected$n" "$d/got$n" $([ $n -eq 1 ] && echo 1e-10 || echo 1e-5) inventory_error=1 || { echo "$n ranks: the restart differs from the uninterrupted run"; return 1; }
  done
}
export -f interrupt_restart
case_ interrupt_and_restart 300 interrupt_restart

# --- identical runs give identical results (PT-Scotch partitions on one thread), on 2 and 4 ranks
repeatable() {
  local d="$TMPROOT/repeatable" n r
  for n in 2 4; do
    for r in a b; do
      $MPIRUN $n "$SPOT" run $IN/small.xml -out_directory "$d/$n$r" -out_fields false > /dev/null 2>&1 || { echo "$n ranks, run $r failed"; return 1; }
    done
    cmp "$d/${n}a/timeseries.csv" "$d/${n}b/timeseries.csv" || { echo "two $n-rank runs differ"; return 1; }
  done
}
export -f repeatable
case_ mpi_repeatable 180 repeatable

# --- damaged checkpoints: one line, no trace
damaged_checkpoints() {
  local d="$TMPROOT/damaged"
  rm -rf "$d" && mkdir -p "$d"
  "$SPOT" run $IN/bv_small.xml -out_directory "$d/a" -out_fields false > "$d/a.log" 2>&1 || { tail -3 "$d/a.log"; return 1; }
  head -c 5000 "$d/a/checkpoint.h5" > "$d/truncated.h5"
  spot_bad truncated_checkpoint "option -init_checkpoint_file: $d/truncated.h5 is not a spot checkpoint, or it is damaged ('$d/truncated.h5' is not an HDF5 file)" run $IN/bv_small.xml -init_checkpoint_file "$d/truncated.h5" -proto_0_duration 1min || return 1
  cp "$d/a/checkpoint.h5" "$d/zeroed.h5" && dd if=/dev/zero of="$d/zeroed.h5" bs=1 seek=3000 count=4000 conv=notrunc 2>/dev/null
  spot_bad zeroed_checkpoint "option -init_checkpoint_file: 219 nodes of this mesh are not in the checkpoint $d/zeroed.h5: restart with the input (mesh, element degree) that wrote it, or the checkpoint is damaged" run $IN/bv_small.xml -init_checkpoint_file "$d/zeroed.h5" -proto_0_duration 1min || return 1
  mkfifo "$d/fifo.h5"
  spot_bad fifo_checkpoint "option -init_checkpoint_file: the checkpoint $d/fifo.h5 is not a regular file (a FIFO)" run $IN/bv_small.xml -init_checkpoint_file "$d/fifo.h5" -proto_0_duration 1min
}
export -f damaged_checkpoints
case_ files_damaged_checkpoints 120 damaged_checkpoints

# spot mesh solves nothing: a PETSc solver option given to it is a mistake, said before any work
case_ options_mesh_petsc 30 spot_bad own_mesh_petsc "option -ts_monitor: spot mesh solves nothing, so no PETSc solver or viewer option applies (they go to spot run, synth, compare, fit and gitt --simulate)" mesh data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png --pixel-size 12nm -o "$TMPROOT/bad_own_mesh_petsc/p.msh" -ts_monitor
case_ options_step_beyond 60 spot_bad step_beyond "option -proto_7_duration does not apply to this spot run: the protocol has 2 steps, numbered from 0" run $IN/small.xml -proto_7_duration 5min
case_ options_step_unused 60 spot_bad step_unused "option -proto_1_voltage does not apply to this spot run: step 1 (numbered from 0) is of a type that does not use it" run $IN/small.xml -proto_1_voltage 3.9V
version_flag() { [ "$("$SPOT" --version)" = "$("$SPOT" version)" ] && "$SPOT" --version | grep -q "^spot [0-9.]* (PETSc 3\.18"; }
export -f version_flag
case_ version_flag 30 version_flag
case_ options_gitt_record_petsc 30 spot_bad own_gitt_petsc "option -ts_monitor: spot gitt RECORD.csv solves nothing, so no PETSc solver or viewer option applies (they go to spot run, synth, compare, fit and gitt --simulate)" gitt data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv --length 5um -o "$TMPROOT/bad_own_gitt_petsc" -ts_monitor
case_ options_synth_unused 120 spot_bad own_synth_unused "option -phys_exchange_current_value: this run has no exchange-current law (-phys_exchange_current_law), so -phys_exchange_current_value does not apply" synth $IN/small.xml -o "$TMPROOT/bad_own_synth_unused/m.tif" -phys_exchange_current_value 2A/m2

# --- an output never replaces an input (the same entry, a hard link or the link it was read by),
# said before any work; the folders a failed command made are gone; a FIFO image does not hang
outputs_not_inputs() {
  local d="$TMPROOT/outputs_not_inputs" img=data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png sum
  rm -rf "$d" && mkdir -p "$d" && cp "$img" "$d/p.png" && ln "$d/p.png" "$d/hard.png" && ln -s p.png "$d/link.png" && cp $IN/small.xml "$d/run.xml"
  sum=$(cat "$d/p.png" "$d/run.xml" | md5sum)
  expect_error "argument -o: '$d/p.png' would overwrite the image '$d/p.png' that spot reads; give the output another name" \
    "$SPOT" mesh "$d/p.png" --pixel-size 12nm -o "$d/p.png" || return 1
  expect_error "argument --preview: '$d/hard.png' would overwrite the image '$d/p.png' that spot reads; give the output another name" \
    "$SPOT" mesh "$d/p.png" --pixel-size 12nm -o "$d/m.msh" --preview "$d/hard.png" || return 1
  expect_error "argument -o: '$d/link.png' would overwrite the image '$d/link.png' that spot reads; give the output another name" \
    "$SPOT" mesh "$d/link.png" --pixel-size 12nm -o "$d/link.png" || return 1
  expect_error "argument --timestamps: '$d/run.xml' would overwrite the input file '$d/run.xml' that spot reads; give the output another name" \
    "$SPOT" synth "$d/run.xml" -o "$d/m.tif" --timestamps "$d/run.xml" || return 1
  [ "$(cat "$d/p.png" "$d/run.xml" | md5sum)" = "$sum" ] || { echo "an input changed"; return 1; }
  # folders made for a command that then failed: none left, however deep
  mkfifo "$d/fifo.png"
  expect_error "cannot read image '$d/fifo.png': not a regular file (a FIFO)" "$SPOT" mesh "$d/fifo.png" --pixel-size 12nm -o "$d/new/a/b/m.msh" || return 1
  [ ! -e "$d/new" ] || { echo "spot mesh left $(find "$d/new")"; return 1; }
  expect_error "argument -o: output directory 'a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/...' is too long: more than 4031 characters (a path has at most 4095, and the files in it need room for their names)" \
    bash -c 'cd "$1" && "$SPOT" mesh p.png --pixel-size 12nm -o "$(printf "a/%.0s" $(seq 2500))m.msh"' _ "$d" || return 1
  expect_error "argument -o: output directory 'new/$(printf 'x%.0s' $(seq 60))...': the name '$(printf 'x%.0s' $(seq 32))...' is 300 characters long, more than the 255 a file name may have" \
    bash -c 'cd "$1" && "$SPOT" mesh p.png --pixel-size 12nm -o "new/$(printf "x%.0s" $(seq 300))/m.msh"' _ "$d" || return 1
  [ ! -e "$d/a" ] && [ ! -e "$d/new" ] || { echo "folders left: $(ls "$d")"; return 1; }
  "$SPOT" run $IN/bad_alpha.xml -out_directory "$d/new/run" >/dev/null 2>&1
  [ $? -eq 1 ] || { echo "spot run of bad_alpha.xml did not fail"; return 1; }
  [ ! -e "$d/new" ] || { echo "spot run left $(find "$d/new")"; return 1; }
}
export -f outputs_not_inputs
case_ files_outputs_not_inputs 120 outputs_not_inputs
