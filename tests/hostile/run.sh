#!/usr/bin/env bash
# spot's hostile-input suite: generates the cases (tests/hostile/generate.py) into $BUILD/hostile
# and runs them two at a time (tests/hostile/runner.py), checking spot's contract for bad input:
#   - exit status exactly 1: no signal, no hang (15 s per case, 30-45 s for the few that run a
#     simulation first or use two ranks), at most 4 GiB of address space per process (prlimit)
#   - stderr exactly one line, starting "spot: error: " (stdout may hold the report before it)
#   - nothing new, changed or removed in the case's work/ (its files and working directory: every
#     entry, dot files and *.part included), nothing left in /tmp (a private tmpfs), nothing
#     written to the case's escape/ (where hostile inputs aim) or $HOME, the repository or the
#     shared fixtures; /etc/passwd never shows up in the output (XXE)
# Each case runs in a mount namespace of its own (unshare -m, as root), which also holds the
# read-only and the full file systems some cases write to; without root those cases are skipped.
# Cases that break the contract today are listed in expected_failures below: the suite passes while
# exactly those fail, says how many remain, and fails if another case breaks or if one of them
# starts passing (then delete its line).
#   bash tests/hostile/run.sh [PATTERN]    only the cases whose name contains PATTERN
# Environment: SPOT (default bin/spot), BUILD (build), HOSTILE_JOBS (2), VERBOSE=1 also prints the
# expected failures, HOSTILE_KEEP=1 reuses the generated cases as the last run left them (to rerun
# a few while debugging; a leftover of that run is then no longer new). Details: $BUILD/hostile/report.txt.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
SPOT=${SPOT:-$REPO/${BIN:-bin}/spot}
case $SPOT in /*) ;; *) SPOT=$REPO/$SPOT ;; esac
HOSTILE=$BUILD/hostile
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none PMIX_MCA_gds=hash
# shared memory only: probing the network transports (UCX, OFI) costs every spot 0.2 s of waiting,
# which is most of a case; what spot does with bad input does not depend on the transport
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi

# ---------------------------------------------------------------------------------------------
# Cases that break the contract today: NAME -> why (one line each). Delete a line when its fix lands.
declare -A expected_failures=(
  # -options_file is read by PetscInitialize, before spot checks anything (app/spot.c main)
  [run_options.options_file_missing]="PETSc's own 12-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.missing]="PETSc's own 12-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.directory]="PETSc's own 12-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.symlink_loop]="PETSc's own 12-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.dev_urandom]="PETSc's own 13-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.garbage]="PETSc's own 13-line error: -options_file is read by PetscInitialize before spot's checks"
  [run_options_file.fifo]="hangs in PetscInitialize opening the FIFO given to -options_file"
  [run_options_file.dev_zero]="PetscInitialize reads /dev/zero as an options file until it crashes (SIGSEGV) or the time limit"
  [run_options_file.sparse_300MB]="a 300 MB options file of NUL bytes is read whole by PetscInitialize and taken as empty: the run goes ahead"
  # PETSc errors that reach the terminal as PETSc prints them
  [run_options.pc_factor_unavailable]="PETSc's 25-line error for an unavailable -pc_factor_mat_solver_type (not turned into one line; solver set-up)"
  # libxml2 messages are copied with their inner newline (input/xml.c CollectXMLError trims only the end)
  [run_xml.bytes_nul_after_root]="a NUL byte and a second root element after </spot> are ignored: the document runs (input/xml.c)"
  [run_xml.version_2]="<spot version=\"2\"> is run by a version-1 spot without a word (input/xml.c)"
  # <petsc_options> in a document that write outside the output directory (input/xml.c CheckDocumentOption)
  [run_xml.petsc_options_ts_monitor_binary]="document option '-ts_monitor binary' writes ./binaryoutput(.info) into the working directory; the run succeeds"
  [run_xml.petsc_options_mat_view_binary]="document option '-mat_view binary' writes ./binaryoutput(.info) into the working directory; the run succeeds"
  [run_xml.petsc_options_ts_monitor_solution_vtk]="document option '-ts_monitor_solution_vtk sol-%03d.vtu' writes sol-*.vtu into the working directory"
  [run_xml.petsc_options_ts_trajectory_visualization]="document options -ts_save_trajectory -ts_trajectory_type visualization write ./Visualization-data/"
  [mpi.petsc_options_escape]="2 ranks: document option '-ts_monitor binary' writes ./binaryoutput(.info) into the working directory"
  [run_xml.petsc_options_unknown_petsc]="a misspelt PETSc option in <petsc_options> (-ts_monitr) is ignored, while the command line refuses it"
  [run_xml.petsc_options_dm_refine_12]="document option -dm_refine 12 is obeyed: no answer within the time limit (no bound on the refined mesh)"
  # numbers
  [run_xml.leaf_duration_huge]="a 400-digit duration overflows to inf and passes the finiteness check: the run goes ahead (input/units.c/options.c)"
  [run_options.out_times_negative]="-out_times -5 is accepted (the schema refuses negative output times in a document)"
  # command-line arguments accepted that should be refused (input/options.c, app/*.c)
  [run_options.double_dash_unknown]="spot run ignores an unknown argument --frobnicate"
  [run_options.option_name_only_dash]="spot run ignores a lone '-' argument"
  [run_options.unknown_prefix]="spot run ignores an option neither spot nor PETSc knows when its prefix is not spot's (-zzz_top)"
  [run_options.option_100kB_name]="spot run ignores a 100 kB option name"
  [run_options.twice_spot]="the same option twice (-phys_alpha 3 -phys_alpha 4): the last wins silently"
  [run_options.twice_petsc]="the same PETSc option twice (-ts_max_steps 5 -ts_max_steps 6): the last wins silently"
  [mesh_options.twice]="spot mesh: --pixel-size given twice, the last wins silently"
  [gitt_options.twice]="spot gitt: --length given twice, the last wins silently"
  [synth_options.twice]="spot synth: --noise given twice, the last wins silently"
  [gitt_options.other_command_option]="spot gitt accepts -phys_alpha (an option of spot run) and ignores it"
  [fit_options.other_command]="spot fit ignores --pixel-size (an argument of spot mesh and synth)"
  [toplevel.schema_two]="spot schema spot.xsd compare.xsd: the second name is ignored"
  [toplevel.schema_option]="spot schema -bogus_option 1: the unknown option is ignored"
  [toplevel.version_extra]="spot version extra: the extra argument is ignored"
  [toplevel.version_option]="spot version -bogus_option 1: the unknown option is ignored"
  [toplevel.no_command]="spot without a command prints the 15-line usage to stderr (app/spot.c main)"
  [toplevel.dash_only]="spot - prints the 15-line usage to stderr (app/spot.c main)"
  [toplevel.unknown_flag]="spot --bogus prints the 15-line usage to stderr (app/spot.c main)"
  [file_checkpoint.in_document_and_theta]="-init_checkpoint_file together with -init_theta: two initial states, one silently ignored"
)
# Files that every case starting Gmsh leaves in $HOME: not counted per case, but a full run fails
# when no case leaves them any more (then clear these two lines)
export HOSTILE_HOME_EXPECTED=".fltk"
export HOSTILE_HOME_REASON="Gmsh's FLTK makes ~/.fltk/fltk.org/ whenever spot meshes a shape or an image (mesh/gmsh.c: gmshInitialize)"
# ---------------------------------------------------------------------------------------------

[ -x "$SPOT" ] || { echo "hostile: no spot binary at $SPOT (make first)"; exit 1; }
if [ -z "${HOSTILE_KEEP:-}" ] || [ ! -d "$HOSTILE/cases" ]; then
  /usr/bin/python3 tests/hostile/generate.py "$HOSTILE" --repo "$REPO" --spot "$SPOT" >/dev/null || { echo "hostile: generate.py failed"; exit 1; }
fi
for n in "${!expected_failures[@]}"; do printf '%s\t%s\n' "$n" "${expected_failures[$n]}"; done >"$HOSTILE/expected.tsv"
exec /usr/bin/python3 tests/hostile/runner.py "$HOSTILE" "$SPOT" "$REPO" "$HOSTILE/expected.tsv" "${1:-}"
