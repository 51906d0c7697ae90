# Bad input to spot run: exit status 1, exactly one line "spot: error: MESSAGE" on stderr (checked
# in full), nothing on stdout after the error, and no file left in the output directory.
IN=tests/inputs

# spot_bad NAME "MESSAGE" ARGS...: run spot with ARGS, writing to a fresh directory (when NAME
# starts with "own_", ARGS or the input choose the directory themselves)
spot_bad() {
  local name=$1 expected="spot: error: $2" out="$TMPROOT/bad_$1" err rc
  shift 2
  rm -rf "$out"
  if [[ $name == own_* ]]; then
    err=$("$SPOT" "$@" 2>&1 >/dev/null)
  else
    err=$("$SPOT" "$@" -out_directory "$out" 2>&1 >/dev/null)
  fi
  rc=$?
  if [ $rc -ne 1 ]; then echo "exit status $rc, expected 1"; echo "$err"; return 1; fi
  if [ "$err" != "$expected" ]; then printf 'expected: %s\ngot:      %s\n' "$expected" "$err"; return 1; fi
  if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then echo "files left in $out: $(ls -A "$out")"; return 1; fi
}
export -f spot_bad
export IN

case_ bad_missing_file 30 spot_bad missing_file "cannot read input file 'tests/inputs/nothere.xml': No such file or directory" run $IN/nothere.xml
case_ bad_directory 30 spot_bad directory "cannot read input file 'tests/inputs': is a directory" run $IN
case_ bad_no_input 30 spot_bad no_input "usage: spot run INPUT.xml [PETSc options] (the input file comes first)" run
case_ bad_malformed_xml 30 spot_bad malformed "tests/inputs/bad_malformed.xml:8: expected '>'" run $IN/bad_malformed.xml
case_ bad_schema 30 spot_bad schema "tests/inputs/bad_element.xml:13: Element 'alph': This element is not expected. Expected is one of ( ocp, exchange_current, transfer_coefficient, series_resistance, kinetics, alpha, capacity_factor, out_of_plane_factor, temperature, diffusivity )." run $IN/bad_element.xml
case_ bad_unit_xml 30 spot_bad unit_xml "tests/inputs/bad_unit.xml:25: Element 'duration', attribute 'unit': [facet 'enumeration'] The value 'fortnight' is not an element of the set {'s', 'ms', 'min', 'h'}." run $IN/bad_unit.xml
case_ bad_unit_option 30 spot_bad unit_option "option -proto_0_c_rate: unknown unit 'fortnights' for -proto_0_c_rate, expected a unit of C-rate such as 1/h" run $IN/small.xml -proto_0_c_rate 2fortnights
case_ bad_alpha_xml 30 spot_bad alpha_xml "tests/inputs/bad_alpha.xml:13: Element 'alpha': [facet 'minExclusive'] The value '-2.7' must be greater than '0'." run $IN/bad_alpha.xml
case_ bad_alpha_option 30 spot_bad alpha_option "option -phys_alpha: alpha (the diffusivity scale factor) must be positive, got -1." run $IN/small.xml -phys_alpha -1
case_ bad_D_zero_xml 30 spot_bad D_zero_xml "tests/inputs/bad_d_zero.xml:14: Element 'value': [facet 'minExclusive'] The value '0' must be greater than '0'." run $IN/bad_d_zero.xml
case_ bad_D_zero_option 30 spot_bad D_zero_option "option -phys_diffusivity_value: a diffusivity value D must be positive, got 0." run $IN/small.xml -phys_diffusivity_law constant -phys_diffusivity_value 0
case_ bad_unknown_law 30 spot_bad unknown_law "option -phys_diffusivity_law: unknown diffusivity law 'magic' (known: constant, exponential, logistic, ni_rich_smooth, table)" run $IN/small.xml -phys_diffusivity_law magic
case_ bad_table_nonmonotone 30 spot_bad table_nonmonotone "tests/inputs/nonmonotone.csv:6: column 'theta' must be strictly monotone, but 0.8 follows 0.9 (line 5)" run $IN/bad_table.xml
case_ bad_table_missing 30 spot_bad table_missing "cannot read diffusivity table 'tests/inputs/missing.csv': No such file or directory" run $IN/bad_table_missing.xml
case_ bad_mesh_no_surface 30 spot_bad mesh_no_surface "tests/inputs/bad_no_surface.xml:5 (<file>): mesh 'tests/inputs/no_surface.msh' has no physical group \"surface\" of dimension 1 (its boundary groups: boundary); name the particle's boundary \"surface\" in Gmsh" run $IN/bad_no_surface.xml
case_ bad_mesh_truncated 30 spot_bad mesh_truncated "tests/inputs/bad_truncated_mesh.xml:5 (<file>): tests/inputs/truncated.msh:4: \$Nodes before \$Entities: a msh 4.1 file defines its entities (\$Entities) before \$Nodes" run $IN/bad_truncated_mesh.xml
case_ bad_outdir_xml 30 spot_bad own_outdir_xml "tests/inputs/bad_outdir.xml:29 (<directory>): output directory '/proc/spot-cannot-write-here' is not writable: No such file or directory" run $IN/bad_outdir.xml
bad_outdir_file() { touch "$TMPROOT/a_file"; spot_bad own_outdir_option "option -out_directory: output directory '$TMPROOT/a_file/out' is not writable: Not a directory" run $IN/small.xml -out_directory "$TMPROOT/a_file/out"; }
export -f bad_outdir_file
case_ bad_outdir_option 30 bash -c bad_outdir_file
case_ bad_never_ends 30 spot_bad never_ends "tests/inputs/bad_never_ends.xml:24 (step): step 2 (rest) can never end: a rest keeps the mean theta constant, so it needs a duration or dvdt_below" run $IN/bad_never_ends.xml
case_ bad_no_initial 30 spot_bad no_initial "no initial state: give <initial><theta> (the uniform starting Li site fraction), <initial><voltage> or <initial><checkpoint>, or -init_theta" run $IN/bad_no_initial.xml
case_ bad_current_2d 30 spot_bad current_2d "tests/inputs/bad_current_2d.xml:21 (<current>): a current in A needs the particle's thickness in 2-D (<mesh><thickness> or -mesh_thickness); or give c_rate or current_density" run $IN/bad_current_2d.xml
case_ bad_degree 30 spot_bad degree "option -solver_degree: degree must be 1 or 2, got 3" run $IN/small.xml -solver_degree 3
case_ bad_lumping_p2 30 spot_bad lumping_p2 "option -solver_mass_lumping: mass lumping needs P1 elements (P2 row sums vanish at the vertices); set degree 1 or mass_lumping false" run $IN/small.xml -solver_degree 2 -solver_mass_lumping
case_ bad_quadrature 30 spot_bad quadrature "option -solver_quadrature: -solver_quadrature is one of kirchhoff/vertex/gauss, got 'simpson'" run $IN/small.xml -solver_quadrature simpson
case_ bad_figure_format 30 spot_bad figure_format "option -out_figure_formats: -out_figure_formats is a comma-separated list of png,pdf,svg, got 'jpg' in 'pdf,jpg'" run $IN/small.xml -out_maps true -out_figure_formats pdf,jpg
case_ bad_kirchhoff_p2 30 spot_bad kirchhoff_p2 "option -solver_quadrature: the kirchhoff quadrature needs P1 elements (degree 1)" run $IN/small.xml -solver_quadrature kirchhoff -solver_degree 2
case_ bad_vertex_consistent 30 spot_bad vertex_consistent "option -solver_quadrature: the vertex quadrature lumps the mass (its points are the vertices); with mass_lumping false use kirchhoff or gauss" run $IN/small.xml -solver_quadrature vertex -solver_mass_lumping false
case_ bad_kirchhoff_plexfem 30 spot_bad kirchhoff_plexfem "option -solver_assembly: the kirchhoff quadrature needs the lean assembly, not plexfem" run $IN/small.xml -solver_quadrature kirchhoff -solver_assembly plexfem
case_ bad_newton_tol 30 spot_bad newton_tol "option -solver_newton_tol: newton_tol must lie in (0, 1) (a fraction of the time-error tolerance), got 2." run $IN/small.xml -solver_newton_tol 2

# Under MPI the same single line, and the job ends (no rank waits for another)
bad_mpi() {
  local err
  err=$($MPIRUN 2 "$SPOT" run tests/inputs/bad_table.xml -out_directory "$TMPROOT/bad_mpi" 2>&1 >/dev/null) && { echo "expected a failure"; return 1; }
  [ "$err" = "spot: error: tests/inputs/nonmonotone.csv:6: column 'theta' must be strictly monotone, but 0.8 follows 0.9 (line 5)" ] || { echo "got: $err"; return 1; }
  err=$($MPIRUN 4 "$SPOT" run tests/inputs/bad_no_surface.xml -out_directory "$TMPROOT/bad_mpi" 2>&1 >/dev/null) && { echo "expected a failure"; return 1; }
  [ "$(grep -c '^spot: error: ' <<<"$err")" -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] || { echo "expected one line, got: $err"; return 1; }
}
export -f bad_mpi
case_ bad_input_mpi 120 bash -c bad_mpi
case_ bad_probe_outside 60 spot_bad probe_outside "option -out_probes: probe 2 at (0.9, 0.) um lies outside the particle" run $IN/small.xml -out_probes 0,0,0.9,0
# meshes PETSc can read but spot cannot use: spot's own check (mesh/msh_check.c) names the reason
case_ bad_mesh_second_order 30 spot_bad mesh_second_order "option -mesh_file: mesh 'tests/inputs/second_order.msh' holds Gmsh element type 9; spot needs first-order triangles (type 2)" run bench/problems/rounded_square.xml -mesh_file tests/inputs/second_order.msh
case_ bad_inverted_plexfem 30 spot_bad inverted_plexfem "option -solver_assembly: PetscFE's assembly needs positively oriented cells, but 162 of the mesh's 162 are inverted (clockwise or left-handed); reorient them (Gmsh: ReverseMesh) or use the lean assembly" run bench/problems/rounded_square.xml -mesh_file tests/inputs/inverted.msh -solver_assembly plexfem
case_ bad_mesh_quads 30 spot_bad mesh_quads "option -mesh_file: mesh 'tests/inputs/quads.msh' holds Gmsh element type 3; spot needs first-order triangles (type 2)" run bench/problems/rounded_square.xml -mesh_file tests/inputs/quads.msh
