#!/usr/bin/env bash
# spot run on the C/3 example and on finer meshes: wall time, time steps, Newton and linear
# iterations, peak memory (resident set of rank 0's process) and -log_view stage times.
set -u
echo "## spot run: the C/3 example (examples/c3_charge)"
echo
echo "1 h C/3 charge + 30 min rest of a 2.2 x 1.6 um ellipse, smooth Ni-rich D(theta), alpha 2.7, P1 lumped, BDF2 (rtol 1e-4)."
echo
echo "| mesh | ranks | cells | vertices | wall s | time steps (rejected) | Newton its | linear its | peak RSS MB | stage Mesh s | stage Setup s | stage Solve s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
row() {
  local label=$1 ranks=$2; shift 2
  local log="$WORK/run_example.log" mem="$WORK/run_example.mem"
  /usr/bin/time -f "%M" -o "$mem" $MPIRUN "$ranks" "$SPOT" run examples/c3_charge/charge.xml -out_directory "$WORK/run_example" \
    -out_fields false -out_progress false -log_view "$@" > "$log" 2>&1 || { echo "| $label | $ranks | failed |"; tail -5 "$log" >&2; return; }
  local cells verts wall steps rej newton linear stage
  cells=$(sed -n 's/^mesh: 2-D, \([0-9]*\) cells, \([0-9]*\) vertices.*/\1/p' "$log")
  verts=$(sed -n 's/^mesh: 2-D, \([0-9]*\) cells, \([0-9]*\) vertices.*/\2/p' "$log")
  read -r wall steps rej newton linear < <(sed -n 's/^done in \([0-9.e+]*\) s wall: \([0-9]*\) time steps (\([0-9]*\) rejected), \([0-9]*\) Newton and \([0-9]*\) linear iterations/\1 \2 \3 \4 \5/p' "$log")
  stage() { awk -v s="$1:" '$2 == s {print $3; exit}' "$log"; }
  printf "| %s | %s | %s | %s | %.1f | %s (%s) | %s | %s | %.0f | %.2f | %.2f | %.1f |\n" "$label" "$ranks" "$cells" "$verts" "$wall" "$steps" "$rej" "$newton" "$linear" \
    "$(awk '{print $1 / 1024}' "$mem")" "$(stage Mesh)" "$(stage Setup)" "$(stage Solve)"
}
row "example (h 0.07/0.025 um)" 1
row "example (h 0.07/0.025 um)" 2
row "finer (h 0.035/0.0125 um)" 1 -mesh_cell_size 0.035 -mesh_boundary_cell_size 0.0125
row "finer (h 0.035/0.0125 um)" 2 -mesh_cell_size 0.035 -mesh_boundary_cell_size 0.0125
row "example, P2" 1 -solver_degree 2
echo
echo "Wall time includes meshing and output; peak RSS is that of the mpirun process tree's largest member as seen by GNU time (rank 0 when run under mpirun)."
echo "All runs use spot's lean assembly (P2 with a consistent mass); the newton section times each part of a Newton iteration. On 2 ranks the default preconditioner is BoomerAMG, whose set-up makes these small runs slower than on one rank (see the scaling section)."
