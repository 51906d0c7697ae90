# The command line and what it names, refused in one line before any work (issue: hostile-input
# suite): options files (read by PetscInitialize, so checked before it), the top level, options
# given twice or unknown to spot and PETSc, arguments of other commands, and what documents may not
# ask of PETSc. The hostile suite checks the contract for these; here the exact messages.
IN=tests/inputs
export IN

args_options_files() {
  local d="$TMPROOT/args_options_files"
  rm -rf "$d" && mkdir -p "$d" && mkfifo "$d/fifo.opts"
  printf -- '-ts_max_steps 3\nhello world\n' > "$d/syntax.opts"
  printf -- '-ts_max_steps 3 -ts_monitor\n' > "$d/two.opts"
  printf -- '-ts_max_steps 3\n\0' > "$d/nul.opts"
  printf -- '# comment\n-phys_alpah 3\n' > "$d/typo.opts"
  printf 'hello world\n' > "$d/scalar.yaml"
  printf 'phys_alpah: 3\n' > "$d/typo.yaml"
  printf -- '# a good one\n-phys_alpha 3 # inline comment\n-proto_0_duration 1s\n' > "$d/good.opts"
  printf 'proto_0_duration: 1s\nphys_alpha: 3\n' > "$d/good.yaml"
  spot_bad of_missing "option -options_file: cannot read options file '$d/nothere.opts': No such file or directory" run $IN/small.xml -options_file "$d/nothere.opts" || return 1
  spot_bad of_fifo "option -options_file: cannot read options file '$d/fifo.opts': not a regular file (a FIFO)" run $IN/small.xml -options_file "$d/fifo.opts" || return 1
  spot_bad of_device "option -options_file: cannot read options file '/dev/zero': not a regular file (a device)" run $IN/small.xml -options_file /dev/zero || return 1
  spot_bad of_no_name "option -options_file needs a file name" run $IN/small.xml -options_file || return 1
  spot_bad of_nul "option -options_file: options file '$d/nul.opts' is not text: a NUL byte at offset 16 (line 2)" run $IN/small.xml -options_file "$d/nul.opts" || return 1
  spot_bad of_syntax "option -options_file: $d/syntax.opts:2: expected an option (-name or -name value), 'alias -new -old' or a '#' comment, got 'hello world'" run $IN/small.xml -options_file "$d/syntax.opts" || return 1
  spot_bad of_two "option -options_file: $d/two.opts:1: one option per line (-name or -name value), got '-ts_max_steps 3 -ts_monitor'" run $IN/small.xml -options_file "$d/two.opts" || return 1
  spot_bad of_typo "option -phys_alpah: spot has no option -phys_alpah (did you mean -phys_alpha?)" run $IN/small.xml -options_file "$d/typo.opts" || return 1
  spot_bad of_yaml_scalar "option -options_file_yaml: '$d/scalar.yaml' is not YAML that PETSc reads as options (a mapping of option names to values): Unsupported YAML node type: expected mapping" run $IN/small.xml -options_file_yaml "$d/scalar.yaml" || return 1
  spot_bad of_yaml_typo "option -phys_alpah: spot has no option -phys_alpah (did you mean -phys_alpha?)" run $IN/small.xml -options_file_yaml "$d/typo.yaml" || return 1
  # good files still work, and the command line still wins over them
  "$SPOT" run $IN/small.xml -options_file "$d/good.opts" -out_directory "$d/a" > "$d/a.log" 2>&1 || { cat "$d/a.log"; return 1; }
  grep -q "alpha 3\.," "$d/a.log" || { echo "the options file's alpha was not used:"; cat "$d/a.log"; return 1; }
  "$SPOT" run $IN/small.xml -options_file_yaml "$d/good.yaml" -phys_alpha 2 -out_directory "$d/b" > "$d/b.log" 2>&1 || { cat "$d/b.log"; return 1; }
  grep -q "alpha 2\.," "$d/b.log" || { echo "the command line's alpha did not win over the YAML file's:"; cat "$d/b.log"; return 1; }
}
export -f args_options_files
case_ args_options_files 120 args_options_files

# the top level: one line, pointing at the usage; the usage itself on stdout when asked for
args_toplevel() {
  local see="(usage: spot <command> [arguments] [PETSc options]; spot help lists the commands)"
  expect_error "no command given $see" "$SPOT" || return 1
  expect_error "argument '-' before the command $see" "$SPOT" - || return 1
  expect_error "unknown option '--bogus' $see" "$SPOT" --bogus || return 1
  expect_error "option '-phys_alpha' before the command $see" "$SPOT" -phys_alpha 3 run x.xml || return 1
  expect_error "spot schema takes one schema name (spot.xsd or compare.xsd) and no options, got 'compare.xsd' after it" "$SPOT" schema spot.xsd compare.xsd || return 1
  expect_error "spot schema takes one schema name (spot.xsd or compare.xsd) and no options, got '-bogus_option'" "$SPOT" schema -bogus_option 1 || return 1
  expect_error "spot version takes no arguments or options, got 'extra'" "$SPOT" version extra || return 1
  "$SPOT" help 2>/dev/null | grep -q "^usage: \[mpirun -n N\] spot <command>" || { echo "spot help prints no usage on stdout"; return 1; }
  "$SPOT" --help 2>/dev/null | grep -q "^usage: \[mpirun -n N\] spot <command>" || { echo "spot --help prints no usage on stdout"; return 1; }
  [ "$("$SPOT" version 2>&1 | cut -d' ' -f1)" = spot ] || { echo "spot version says: $("$SPOT" version 2>&1)"; return 1; }
}
export -f args_toplevel
case_ args_toplevel 60 args_toplevel

# options: twice, unknown to everyone, of another command, arguments spot run does not take
case_ args_twice_spot 30 spot_bad twice "option -phys_alpha is given twice on the command line (the last would silently win); give it once" run $IN/small.xml -phys_alpha 3 -phys_alpha 4
case_ args_twice_petsc 30 spot_bad twice_petsc "option -TS_MAX_STEPS is given twice on the command line (the last would silently win); give it once" run $IN/small.xml -ts_max_steps 5 -TS_MAX_STEPS 6
case_ args_twice_mesh 30 expect_error "argument --pixel-size is given twice; give it once" "$SPOT" mesh p.png --pixel-size 0.01 --pixel-size 0.02
case_ args_twice_output 30 expect_error "argument --output is given twice; give it once" "$SPOT" gitt r.csv --length 1um -o a --output b
case_ args_unknown_prefix 30 spot_bad unknown_prefix "option -zzz_top: neither spot nor PETSc has an option -zzz_top" run $IN/small.xml -zzz_top 1
case_ args_long_name 30 spot_bad long_name "option -aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: neither spot nor PETSc has an option -aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..." run $IN/small.xml -$(printf 'a%.0s' $(seq 1000)) 1
case_ args_double_dash 30 spot_bad double_dash "spot run has no argument --frobnicate: it takes its document and PETSc options (-name value; spot run --help)" run $IN/small.xml --frobnicate
case_ args_lone_dash 30 spot_bad lone_dash "a lone '-' is not an option: spot run takes its document and options -name [value] (spot run --help)" run $IN/small.xml -
case_ args_run_o 30 spot_bad run_o "spot run has no argument -o: its output directory is -out_directory DIR" run $IN/small.xml -o x
case_ args_fit_pixel_size 30 expect_error "spot fit has no argument --pixel-size: it takes its document and PETSc options (-name value; spot fit --help)" "$SPOT" fit $IN/compare/fit.xml --pixel-size 1
case_ args_gitt_record_simulation_option 30 expect_error "option -phys_alpha: spot gitt RECORD.csv analyses a record and simulates nothing, so only its -gitt_ options apply (-phys_alpha is for spot run, synth, compare, fit and gitt --simulate)" "$SPOT" gitt data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv --length 1um -o "$TMPROOT/gitt_never" -phys_alpha 3
case_ args_dm_refine 30 spot_bad dm_refine "option -dm_refine: -dm_refine refines the mesh behind spot's back (nothing bounds its size); use spot's -mesh_refine N (<mesh><refine> in a document)" run $IN/small.xml -dm_refine 2
case_ args_solver_package 30 spot_bad solver_package "option -pc_factor_mat_solver_type: this PETSc has no solver package 'nope' for -pc_factor_mat_solver_type (it has petsc, mumps, superlu, superlu_dist, umfpack, cholmod, klu, spqr, scalapack, bas)" run $IN/small.xml -pc_type lu -pc_factor_mat_solver_type nope
case_ args_out_times_negative 30 spot_bad out_times_negative "option -out_times: -out_times are times from the start of the run, at least 0, got '0,-5min'" run $IN/small.xml -out_times 0,-5min
case_ args_two_initial_states 30 spot_bad two_initial_states "options -init_checkpoint_file and -init_theta: both give the initial state; give one" run $IN/small.xml -init_checkpoint_file x.h5 -init_theta 0.5

# documents: bytes after the root, versions, and what <petsc_options> may not ask of PETSc
args_documents() {
  local d="$TMPROOT/args_documents" opts
  rm -rf "$d" && mkdir -p "$d"
  { cat $IN/small.xml; printf '\0<spot/>'; } > "$d/nul.xml"
  spot_bad doc_nul "$d/nul.xml:$(($(wc -l < $IN/small.xml) + 1)): a NUL byte (at byte $(stat -c %s $IN/small.xml)): the document is not text; an XML document has none" run "$d/nul.xml" || return 1
  { cat $IN/small.xml; printf '<spot/>\n'; } > "$d/second_root.xml"
  spot_bad doc_second_root "$d/second_root.xml:$(($(wc -l < $IN/small.xml) + 1)): Extra content at the end of the document" run "$d/second_root.xml" || return 1
  sed 's/version="1"/version="2"/' $IN/small.xml > "$d/v2.xml"
  spot_bad doc_version "$d/v2.xml:3: <spot version=\"2\">: this spot reads version 1 documents (spot schema prints their schema)" run "$d/v2.xml" || return 1
  sed "s|<duration unit=\"min\">10</duration>|<duration unit=\"min\">$(printf '9%.0s' $(seq 400))</duration>|" $IN/small.xml > "$d/huge.xml"
  spot_bad doc_duration_huge "$d/huge.xml:22 (<duration>): the duration of step 0 is 404 characters long, more than the 255 spot reads ('99999999999999999999...')" run "$d/huge.xml" || return 1
  for opts in "-ts_monitor binary" "-mat_view binary" "-ts_save_trajectory" "-SNES_MONITOR" "-ksp_converged_reason_viewer"; do
    sed "s|</output>|</output><solver><petsc_options>$opts</petsc_options></solver>|" $IN/small.xml > "$d/writes.xml"
    spot_bad doc_writes "$d/writes.xml:31 (<petsc_options>): ${opts%% *} may write files (PETSc's monitors, viewers, logs and dumps write where they are told, some into the working directory), which a document may not ask for; give it on the command line" run "$d/writes.xml" || return 1
  done
  sed "s|</output>|</output><solver><petsc_options>-ts_monitr</petsc_options></solver>|" $IN/small.xml > "$d/typo.xml"
  spot_bad doc_petsc_typo "$d/typo.xml:31 (<petsc_options>): neither spot nor PETSc has an option -ts_monitr (did you mean -ts_monitor?)" run "$d/typo.xml" || return 1
  sed "s|</output>|</output><solver><petsc_options>-dm_refine 12</petsc_options></solver>|" $IN/small.xml > "$d/refine.xml"
  spot_bad doc_dm_refine "$d/refine.xml:31 (<petsc_options>): -dm_refine refines the mesh behind spot's back (nothing bounds its size); use spot's -mesh_refine N (<mesh><refine> in a document)" run "$d/refine.xml" || return 1
  # solver options still work in a document
  sed "s|</output>|</output><solver><petsc_options>-ts_type arkimex -ksp_type gmres</petsc_options></solver>|" $IN/small.xml > "$d/good.xml"
  "$SPOT" run "$d/good.xml" -proto_0_duration 1s -out_directory "$d/good" > "$d/good.log" 2>&1 || { cat "$d/good.log"; return 1; }
}
export -f args_documents
case_ args_documents 120 args_documents
# a factorisation package that cannot factor the matrix here: one line, not PETSc's trace
case_ args_missing_factor 60 spot_bad missing_factor "a PETSc option is wrong: MatSolverType superlu does not support factorization type CHOLESKY for matrix type seqaij (the solver package asked for cannot factor this matrix here: choose another -pc_factor_mat_solver_type, or drop it)" run $IN/small.xml -pc_type cholesky -pc_factor_mat_solver_type superlu -proto_0_duration 10s
