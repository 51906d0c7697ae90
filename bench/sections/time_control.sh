#!/usr/bin/env bash
# Time-error control (issue 22, item 1): does the achieved error follow the requested tolerance?
# The C/3 example (examples/c3_charge: 1 h C/3 charge of a 2.2 x 1.6 um ellipse, steep smooth
# Ni-rich D(theta) with alpha 2.7, then a 30 min rest), theta probed at the centre at the
# example's 19 output times. For each -solver_rtol from 1e-2 to 1e-6 (atol = rtol/10), with the
# default control (proportional: the largest step error at any dof, the tolerance tightened below
# 1e-4) and the one before (classic: PETSc's RMS norm, the tolerance as given): the largest
# |theta - theta_ref| over the 19 times, steps, CPU time (user + system, GNU time). The reference
# is the same mesh and discretisation with the largest step error at any dof below rtol 1e-8 (P1)
# or 1e-7 (P2) and steps of at most 2 s; its own error is estimated by a second reference with
# steps of at most 1 s. P1 (Kirchhoff flux, lumped mass) on a 7.5 k-vertex mesh and P2 (consistent
# mass) on a 746-vertex one (2.9 k unknowns: P2's steps cost 5x P1's, and its reference at 1e-8
# on the example's mesh took over half an hour). About 30 min in all on a loaded machine (P1 20, P2 11).
# Environment: TC_RTOLS (default "1e-2 1e-3 1e-4 1e-5 1e-6"), TC_VARIANTS (default "P1 P2").
set -u
W="$WORK/time_control"
mkdir -p "$W"
RTOLS=${TC_RTOLS:-"1e-2 1e-3 1e-4 1e-5 1e-6"}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
XML=examples/c3_charge/charge.xml
echo "## Time-error control: achieved error against the tolerance"
echo
echo "The C/3 example (\`examples/c3_charge\`: 1 h C/3 charge of a 2.2 x 1.6 um ellipse, smooth Ni-rich D(theta), alpha 2.7,"
echo "then 30 min rest), theta at the centre at the example's 19 output times; error: the largest |theta - theta_ref| over"
echo "them. The front reaches the centre at about 2650 s and theta there falls by 0.1 in 30 s, so a time error of 0.1 s in"
echo "its arrival is an error of about 4e-4 in theta. P1: 7.5 k vertices (cells 0.028 um, 0.0125 um at the surface); P2: 746"
echo "vertices (0.1 and 0.04 um). Reference: the same mesh and discretisation at rtol 1e-8 (P1) or 1e-7 (P2), the largest"
echo "error at any dof, steps of at most 2 s; its own error (ref. error below): its difference from a second reference with"
echo "steps of at most 1 s. atol = rtol/10 in every run. proportional: spot's default control"
echo "(the largest step error at any dof; below rtol 1e-4 the tolerances TS gets are tightened by sqrt(rtol/1e-4));"
echo "classic: the control before issue 22 (PETSc's RMS norm over all dofs, the tolerances as given;"
echo "\`-solver_error_control classic\`). CPU: user + system seconds of the whole command, one process."
echo

# mesh: variant -> mesh options (spot meshes the ellipse with Gmsh; the file is reused)
run() { # name variant control rtol [extra options...] -> prints "steps rejected cpu err"
  local name=$1 variant=$2 control=$3 rtol=$4 out
  shift 4
  out="$W/$variant/$name"
  rm -rf "$out"
  mkdir -p "$out"
  local deg=1
  [ "$variant" = P2 ] && deg=2
  /usr/bin/time -f '%U %S' -o "$out/time" "$SPOT" run "$W/$variant/charge.xml" -out_directory "$out" -out_fields false \
    -out_progress false -out_checkpoints false -out_probes 0,0 -solver_degree $deg -solver_error_control "$control" \
    -solver_rtol "$rtol" -solver_atol "$(awk -v r="$rtol" 'BEGIN {print r / 10}')" "$@" > "$out/log" 2>&1 || { echo "- - - failed"; return; }
  local steps rej cpu err
  read -r steps rej < <(sed -n 's/^done in [0-9.e+]* s wall: \([0-9]*\) time steps (\([0-9]*\) rejected).*/\1 \2/p' "$out/log")
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$out/time")
  err="-"
  [ -s "$W/$variant/ref/probes.csv" ] && [ "$name" != ref ] && err=$(awk -f bench/peers/probe_error.awk "$W/$variant/ref/probes.csv" "$out/probes.csv" | awk '{print $1}')
  echo "$steps $rej $cpu $err"
}

for variant in ${TC_VARIANTS:-P1 P2}; do
  mkdir -p "$W/$variant"
  if [ "$variant" = P1 ]; then mesh="-mesh_cell_size 0.028 -mesh_boundary_cell_size 0.0125" refrtol=1e-8; else mesh="-mesh_cell_size 0.1 -mesh_boundary_cell_size 0.04" refrtol=1e-7; fi
  dtref=2
  # the mesh once (a 1 s run writes it), then every run reads it
  "$SPOT" run "$XML" $mesh -out_directory "$W/$variant/mesh" -out_fields false -out_progress false -out_checkpoints false \
    -proto_nsteps 1 -proto_0_duration 1s > "$W/$variant/mesh.log" 2>&1 && cp "$W/$variant/mesh/mesh.msh" "$W/$variant/mesh.msh" ||
    { echo "(meshing failed for $variant: $(tail -1 "$W/$variant/mesh.log"))"; continue; }
  sed "/<mesh>/,/<\/mesh>/c\  <mesh><file>$W/$variant/mesh.msh</file></mesh>" "$XML" > "$W/$variant/charge.xml"
  echo "running $variant references" >&2
  run ref "$variant" classic $refrtol -ts_adapt_wnormtype infinity -solver_dt_max $dtref > "$W/$variant/ref.txt"
  run ref_half "$variant" classic $refrtol -ts_adapt_wnormtype infinity -solver_dt_max "$(awk -v d=$dtref 'BEGIN {print d / 2}')" > /dev/null
  referr=$(awk -f bench/peers/probe_error.awk "$W/$variant/ref/probes.csv" "$W/$variant/ref_half/probes.csv" | awk '{print $1}')
  read -r rsteps rrej rcpu rerr < "$W/$variant/ref.txt"
  dofs=$(sed -n 's/^mesh: 2-D, \([0-9]*\) cells, \([0-9]*\) vertices.*/\1 \2/p' "$W/$variant/ref/log" | awk -v d="$variant" '{print (d == "P2") ? $1 + 2 * $2 - 1 : $2}')
  echo "### $variant ($dofs unknowns; reference: rtol $refrtol, $rsteps steps, $rcpu s CPU, ref. error $referr)"
  echo
  echo "| rtol | proportional: error | error / rtol | steps (rejected) | CPU s | classic: error | error / rtol | steps (rejected) | CPU s |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for r in $RTOLS; do
    echo "running $variant rtol $r" >&2
    read -r ps pr pc pe < <(run "p$r" "$variant" proportional "$r")
    read -r cs cr cc ce < <(run "c$r" "$variant" classic "$r")
    awk -v r="$r" -v ps="$ps" -v pr="$pr" -v pc="$pc" -v pe="$pe" -v cs="$cs" -v cr="$cr" -v cc="$cc" -v ce="$ce" 'BEGIN {
      printf "| %s | %.2e | %.2f | %s (%s) | %s | %.2e | %.2f | %s (%s) | %s |\n", r, pe, pe / r, ps, pr, pc, ce, ce / r, cs, cr, cc }'
  done
  echo
done
echo "The error per step that TS holds below the tolerance accumulates, in the smooth phases (the rest, the evening-out"
echo "behind the front), to about rtol^(2/3) with BDF2, and at a front's passage to about rtol; the proportional control"
echo "measures the largest error at any dof, so that the few dofs a front crosses count, and tightens the tolerance below"
echo "1e-4, so that the smooth phases' error also goes as rtol (solver/solver.c, ErrorControl)."
echo
