#!/usr/bin/env bash
# A 3-D problem with FEniCS beside it, at equal error (issue 22, item 3). The platelet of
# tests/inputs/platelet_c3.xml: a 2.0 x 1.4 x 0.4 um elliptic prism, out-of-plane factor
# eps = 0.1 (D diag(1, 1, eps)), alpha 2.7, the steep ni_rich_smooth D(theta), a C/3 uniform-flux
# charge from theta0 = 0.97 through its side wall (top and bottom: no flux) for 45 min.
# Measured: theta at the centroid (0, 0, 0.2) um at 1200, 1800, 2400 and 2700 s, the time the
# centroid crosses theta = 0.9 (the front's arrival, about 41 min; linear interpolation between
# steps), and the largest rise of theta above theta0 anywhere (overshoot). Reference: spot P1
# on the finest mesh at rtol 1e-5; its error is estimated by its difference from the next mesh.
# Meshes: spot's own platelet meshes (made in the metric of eps, docs/numerics.md), written once
# (mesh.msh of a 1 s run) and given to every code (msh 4.1 to spot, msh 2.2 to FEniCS).
# CPU: user + system of the whole command (GNU time), one process, single-threaded BLAS.
# Time: about 27 min of CPU with the meshes cached, 6.5 more to make them (the reference 7.6, FEniCS
# on m07 11.5 of it; 2026-12-06, on a machine loaded by other work, it took 44 min of wall time).
# Environment: P3_SPOT_RUNS, P3_PEER_RUNS (variant:mesh:rtol, variant:mesh:dt), P3_KEEP=1 (add them to the last
#   session's runs), P3_TABLES_ONLY=1 (no runs: the tables again), P3_ARRIVAL_LEVELS, P3_THETA_LEVELS,
#   P3_REFERENCE=1 recompute the reference even when cached in $WORK/platelet3d, P3_SKIP_PEERS=1.
set -u
W="$WORK/platelet3d"
M="$W/meshes"
PEERS=bench/peers
mkdir -p "$W/runs" "$M"
NOTES="$W/notes.txt"
RUNS="$W/runs.tsv"
ONLY=${P3_TABLES_ONLY:-0} # 1: print the tables again from the last session's runs (no run)
KEEP=${P3_KEEP:-$ONLY}      # 1: add the runs of P3_SPOT_RUNS and P3_PEER_RUNS to the last session's
if [ "$KEEP" != 1 ]; then
  : > "$NOTES"
  printf 'code\tvariant\tmesh\tunknowns\tparam\tsteps\tnewton\tcpu_s\tloop_s\terr_theta\terr_arrival_s\tarrival_s\tovershoot\n' > "$RUNS"
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
XML=tests/inputs/platelet_c3.xml
TIMES="1200 1800 2400 2700"
TIMEF="$W/time.txt"
timed() { /usr/bin/time -f '%e %U %S' -o "$TIMEF" "$@"; }
cpu_of() { awk '{print $2 + $3}' "$TIMEF"; }
note() { echo "$*" >> "$NOTES"; }

# meshes: name -> cell size and boundary cell size (um); "d" is spot's default (d/12, d/30)
MESHES=${P3_MESHES:-"d:-:- m07:0.07:0.028 m05:0.05:0.02"}
REF_MESH=m05 PREV_MESH=m07 REF_RTOL=1e-5
SPOT_RUNS=${P3_SPOT_RUNS:-"P1:d:1e-4 P1:m07:1e-4 Galerkin:d:1e-4 Galerkin:m07:1e-4"}
PEER_RUNS=${P3_PEER_RUNS:-"P1:d:30 P1-vertex:d:30 P1:m07:60"}

echo "## A 3-D platelet: spot and FEniCS at equal error"
echo
echo "The problem (\`tests/inputs/platelet_c3.xml\`): a 2.0 x 1.4 x 0.4 um elliptic platelet, out-of-plane factor eps = 0.1"
echo "(D(theta) diag(1, 1, eps)), alpha = 2.7, the steep smooth Ni-rich D(theta) (a hundredfold across theta 0.97 to 0.8),"
echo "C/3 uniform-flux charge from theta0 = 0.97 through the side wall (top and bottom: no flux), 45 min. Measured: theta at the"
echo "centroid (0, 0, 0.2) um at t = $(echo $TIMES | sed 's/ /, /g') s (error: the largest |theta - theta_ref| of the four), the time at which"
echo "the centroid crosses theta = 0.9 (the front's arrival; linear interpolation between time steps), and the largest rise"
echo "of theta above theta0 anywhere in the particle (overshoot; a charge should never raise theta). Meshes: spot's platelet"
echo "meshes (Gmsh, in the metric of eps: docs/numerics.md \"3-D without overshoot\"), made once and given to every code:"
echo

# ---- meshes ----
# spot's set-up of the centre and periphery regions (postproc/observer.c: distances to the surface at 512
# points in each cell the regions' edges cross) costs more than the solve on the finer meshes; runs
# whose timing is not compared (making a mesh, the reference) shrink it (the centre and the periphery
# both the whole particle: only the cells at the surface straddle an edge); the timed runs keep the defaults
CHEAP_REGIONS="-out_centre_fraction 1 -out_periphery_width 10um"
PF="$W/platelet_file.xml" # the same input with the mesh from a file
sed 's|<shape type="platelet">.*</shape>|<file>given-by-mesh_file</file>|' "$XML" > "$PF"
echo "| mesh | cell size um | at the surface um | vertices | tetrahedra |"
echo "|---|---|---|---|---|"
declare -A NV
for m in $MESHES; do
  IFS=: read -r name h hb <<< "$m"
  f="$M/mesh_$name.msh"
  if [ ! -s "${f%.msh}_v22.msh" ] || [ "$f" -ot "$XML" ]; then
    opts=""
    [ "$h" != - ] && opts="-mesh_cell_size ${h}um -mesh_boundary_cell_size ${hb}um"
    rm -rf "$M/make_$name"
    "$SPOT" run "$XML" $opts -proto_0_duration 1s -out_fields false -out_progress false -out_checkpoints false $CHEAP_REGIONS \
      -out_directory "$M/make_$name" > "$M/make_$name.log" 2>&1 && cp "$M/make_$name/mesh.msh" "$f" &&
      gmsh "$f" -save -format msh22 -o "${f%.msh}_v22.msh" -v 1 > /dev/null 2>&1 || echo "(making mesh $name failed: $(tail -1 "$M/make_$name.log"))"
  fi
  read -r cells verts < <(sed -n 's/^mesh: 3-D, \([0-9]*\) cells, \([0-9]*\) vertices.*/\1 \2/p' "$M/make_$name.log")
  NV[$name]=$verts
  [ "$h" = - ] && h="0.139 (d/12)" hb="0.056"
  echo "| $name | $h | $hb | $verts | $cells |"
done
echo

# ---- spot runs ----
arrival() { # csv t-column theta-column -> time theta crosses 0.9 downwards (linear interpolation), or "inf"
  awk -F, -v tc="$2" -v qc="$3" '/^#/ || !($1 ~ /^[0-9]/) {next} {t = $tc + 0; q = $qc + 0}
    n++ && q <= 0.9 && q0 > 0.9 {printf "%.3f\n", t0 + (t - t0) * (q0 - 0.9) / (q0 - q); found = 1; exit} {t0 = t; q0 = q} END {if (!found) print "inf"}' "$1"
}
at_times() { # csv t-column theta-column -> theta at $TIMES (space separated, "nan" when missing)
  awk -F, -v tc="$2" -v qc="$3" -v times="$TIMES" 'BEGIN {n = split(times, T, " ")} /^#/ || !($1 ~ /^[0-9]/) {next}
    {for (i = 1; i <= n; i++) if (($tc - T[i])^2 < 1e-6) v[i] = $qc}
    END {for (i = 1; i <= n; i++) printf "%s%s", (i in v) ? v[i] : "nan", i < n ? " " : "\n"}' "$1"
}
run_spot() { # variant mesh rtol [outname [options...]] -> writes $W/runs/spot_*/{log,values}
  local variant=$1 mesh=$2 rtol=$3 out quad=kirchhoff
  [ "$variant" = Galerkin ] && quad=vertex
  out="$W/runs/${4:-spot_${variant}_${mesh}_r$rtol}"
  shift 3
  [ $# -gt 0 ] && shift
  rm -rf "$out"
  timed "$SPOT" run "$PF" -mesh_file "$M/mesh_$mesh.msh" -solver_quadrature $quad -solver_rtol "$rtol" \
    -solver_atol "$(awk -v r="$rtol" 'BEGIN {print r / 10}')" -out_probes 0,0,0.2 -out_times "$(echo $TIMES | tr ' ' ,)" \
    -out_fields false -out_progress false -out_checkpoints false -out_directory "$out" -log_view "$@" > "$out.log" 2>&1 ||
    { note "spot $variant $mesh rtol $rtol failed: $(grep -m1 error "$out.log")"; return 1; }
  local steps newton solve over
  read -r steps newton < <(sed -n 's/^done in [0-9.e+]* s wall: \([0-9]*\) time steps ([0-9]* rejected), \([0-9]*\) Newton.*/\1 \2/p' "$out.log")
  solve=$(awk '$2 == "Solve:" {print $3; exit}' "$out.log")
  over=$(sed -n 's/^checks: .*theta above its initial maximum by at most \([0-9.e+-]*\),.*/\1/p' "$out.log")
  echo "$steps $newton $(cpu_of) $solve $over $(arrival "$out/timeseries.csv" 1 11) $(at_times "$out/probes.csv" 1 2)" > "$out.values"
}

# reference: cached with the meshes it was computed on
REFV="$W/runs/reference.values"
if [ "${P3_REFERENCE:-0}" = 1 ] || [ ! -s "$REFV" ] || [ "$REFV" -ot "$M/mesh_$REF_MESH.msh" ]; then
  echo "running spot's reference ($REF_MESH, rtol $REF_RTOL)" >&2
  run_spot P1 $REF_MESH $REF_RTOL reference $CHEAP_REGIONS || { echo "(the reference failed)"; exit 0; }
fi
[ -s "$W/runs/previous.values" ] && [ "$W/runs/previous.values" -nt "$M/mesh_$PREV_MESH.msh" ] || run_spot P1 $PREV_MESH $REF_RTOL previous
read -r _ _ rcpu _ rover rarr r1 r2 r3 r4 < "$REFV"
read -r _ _ pcpu _ pover parr p1 p2 p3 p4 < "$W/runs/previous.values"
REF_ERR_ARR=$(awk -v a="$rarr" -v b="$parr" 'BEGIN {d = a - b; printf "%.2f", d < 0 ? -d : d}')
REF_ERR_TH=$(awk -v a="$r1 $r2 $r3 $r4" -v b="$p1 $p2 $p3 $p4" 'BEGIN {n = split(a, x, " "); split(b, y, " "); m = 0; for (i = 1; i <= n; i++) {d = x[i] - y[i]; if (d < 0) d = -d; if (d > m) m = d}; printf "%.1e", m}')
echo "Reference: spot P1 (Voronoi-flux scheme, lumped mass) on $REF_MESH (${NV[$REF_MESH]} vertices) at rtol $REF_RTOL, atol rtol/10"
echo "(CPU ${rcpu} s): theta at the centroid $r1, $r2, $r3, $r4 at $(echo $TIMES | sed 's/ /, /g') s; arrival at theta = 0.9 at"
echo "$rarr s; overshoot $rover. Its estimated error: its difference from the same run on $PREV_MESH (${NV[$PREV_MESH]} vertices,"
echo "CPU ${pcpu} s): $REF_ERR_TH in theta, $REF_ERR_ARR s in the arrival (the previous level, so an upper estimate if the"
echo "scheme converges at second order: (0.07/0.05)^2 - 1 = 0.96)."
echo

row() { # code variant mesh unknowns param steps newton cpu loop over arrival theta1..4
  local et ea
  et=$(awk -v a="${12} ${13} ${14} ${15}" -v b="$r1 $r2 $r3 $r4" 'BEGIN {n = split(a, x, " "); split(b, y, " "); m = 0; for (i = 1; i <= n; i++) {if (x[i] != x[i] + 0) {m = "inf"; break}; d = x[i] - y[i]; if (d < 0) d = -d; if (d > m) m = d}; if (m == "inf") print m; else printf "%.2e", m}')
  ea=$(awk -v a="${11}" -v b="$rarr" 'BEGIN {if (a == "inf") print "inf"; else {d = a - b; printf "%.2f", d < 0 ? -d : d}}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "$et" "$ea" "${11}" "${10}" >> "$RUNS"
}
[ "$ONLY" = 1 ] && SPOT_RUNS="" PEER_RUNS=""
echo "running spot" >&2
for r in $SPOT_RUNS; do
  IFS=: read -r v m p <<< "$r"
  run_spot "$v" "$m" "$p" || continue
  read -r steps newton cpu solve over arr t1 t2 t3 t4 < "$W/runs/spot_${v}_${m}_r$p.values"
  row spot "$v" "$m" "${NV[$m]}" "$p" "$steps" "$newton" "$cpu" "$solve" "$over" "$arr" $t1 $t2 $t3 $t4
done
read -r steps newton cpu solve over arr t1 t2 t3 t4 < "$W/runs/previous.values"
[ "$KEEP" = 1 ] || row spot P1 "$PREV_MESH" "${NV[$PREV_MESH]}" "$REF_RTOL" "$steps" "$newton" "$cpu" "$solve" "$over" "$arr" $t1 $t2 $t3 $t4

# ---- FEniCS ----
apt_install() { # packages... (root or sudo -n), as in workprecision.sh
  local sudo=""
  [ "$(id -u)" = 0 ] || { command -v sudo > /dev/null && sudo -n true 2> /dev/null && sudo="sudo -n"; } || return 1
  echo "installing Debian packages: $*" >&2
  note "Installed for this run: $* (apt-get install --no-install-recommends)."
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >&2 ||
    { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "$@" >&2; }
}
HAVE_FENICS=0
if [ "${P3_SKIP_PEERS:-0}" != 1 ] && [ -n "$PEER_RUNS" ]; then
  /usr/bin/python3 -c "import dolfin" 2> /dev/null || apt_install python3-dolfin || true
  /usr/bin/python3 -c "import dolfin" 2> /dev/null && HAVE_FENICS=1 ||
    note "FEniCS skipped: python3-dolfin is not installed and could not be installed here."
fi
if [ $HAVE_FENICS = 1 ]; then
  echo "running fenics" >&2
  for o in "" --vertex; do # JIT-compile the forms once, outside the timings (a user pays it once)
    /usr/bin/python3 $PEERS/diffusion3d_fenics.py "$M/mesh_d_v22.msh" $o --dt 10 --tend 20 --out "$W/runs/jit.csv" > /dev/null 2>&1
  done
  for r in $PEER_RUNS; do
    IFS=: read -r v m dt <<< "$r"
    out="$W/runs/fenics_${v}_${m}_dt$dt"
    timed timeout 1500 /usr/bin/python3 $PEERS/diffusion3d_fenics.py "$M/mesh_${m}_v22.msh" $([ "$v" = P1-vertex ] && echo --vertex) \
      --dt "$dt" --out "$out.csv" > "$out.log" 2>&1
    line=$(grep '^peer ' "$out.log" | tail -1)
    [ -n "$line" ] || { note "FEniCS $v $m dt $dt failed (at t = $(tail -1 "$out.csv" | cut -d, -f1) s): $(tail -1 "$out.log")"; continue; }
    read -r dofs steps newton loop over < <(awk '{for (i = 1; i < NF; i++) {if ($i == "dofs") d = $(i + 1); if ($i == "steps") s = $(i + 1); if ($i == "newton") n = $(i + 1); if ($i == "loop_s") l = $(i + 1); if ($i == "overshoot") o = $(i + 1)}; print d, s, n, l, o}' <<< "$line")
    row fenics "$v" "$m" "$dofs" "$dt" "$steps" "$newton" "$(cpu_of)" "$loop" "$over" "$(arrival "$out.csv" 1 2)" $(at_times "$out.csv" 1 2)
  done
fi

# ---- tables ----
echo "Every run (rtol: spot's -solver_rtol, atol = rtol/10, adaptive BDF2; dt: FEniCS's fixed step in s, BDF2; CPU: the whole"
echo "command; loop: spot's \`Solve\` stage (\`-log_view\`), FEniCS's time loop, wall seconds; error in theta: the largest of the"
echo "four times; error in arrival: |t(0.9) - t_ref(0.9)|):"
echo
echo "| code | variant | mesh | unknowns | rtol or dt | steps | Newton its | CPU s | loop s | error in theta | error in arrival s | arrival s | overshoot |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}' "$RUNS"
echo
echo "Variants: spot P1 = spot's default in 3-D (lumped mass, the Kirchhoff flux along edges with the Voronoi dual's"
echo "conductances in the metric of eps); spot Galerkin = \`-solver_quadrature vertex\` (P1's Galerkin stiffness with D averaged"
echo "from the vertices, lumped mass; what spot did in 3-D before). FEniCS (\`bench/peers/diffusion3d_fenics.py\`, legacy dolfin,"
echo "BDF2 with a fixed step, first step backward Euler, Newton with the exact Jacobian to max|delta theta| <= 1e-8, dolfin's"
echo "default LU): P1 = consistent mass, Gauss quadrature of degree 2 (FEniCS's natural choice); P1-vertex = vertex quadrature"
echo "(lumped mass, D from the vertices): the same discretisation as spot Galerkin."
echo
fastest() { # error column, level, code, variant -> fastest CPU (and loop) reaching the level, or "-"
  awk -F'\t' -v c="$1" -v l="$2" -v co="$3" -v va="$4" 'BEGIN {b = "-"} NR > 1 && $1 == co && $2 == va && $c != "inf" && $c + 0 <= l && (b == "-" || $8 + 0 < b + 0) {b = $8; lp = $9}
    END {if (b == "-") print "-"; else printf "%.1f (%.1f)\n", b, lp}' "$RUNS"
}
table() { # column, levels, name, the reference's estimated error
  echo "| $3 | spot P1 | spot Galerkin | FEniCS P1 | FEniCS P1-vertex |"
  echo "|---|---|---|---|---|"
  for l in $2; do
    mark=""
    awk -v l="$l" -v e="$4" 'BEGIN {exit !(l + 0 < 2 * e)}' && mark=" (below 2x the reference's error)"
    echo "| $l$mark | $(fastest "$1" "$l" spot P1) | $(fastest "$1" "$l" spot Galerkin) | $(fastest "$1" "$l" fenics P1) | $(fastest "$1" "$l" fenics P1-vertex) |"
  done
  echo
}
echo "At equal error: the least CPU seconds (whole command; in brackets the loop, wall) of any run of each code reaching the"
echo "error (\"-\": no run did). Arrival of the front at the centroid (reference's estimated error ${REF_ERR_ARR} s):"
echo
table 11 "${P3_ARRIVAL_LEVELS:-80 60 40 30 20 15 10}" "error in arrival s" "$REF_ERR_ARR"
echo "theta at the centroid at the four times (reference's estimated error ${REF_ERR_TH}):"
echo
table 10 "${P3_THETA_LEVELS:-0.2 0.1 5e-2 2e-2 1e-2 5e-3}" "error in theta" "$REF_ERR_TH"
if [ -s "$NOTES" ]; then
  echo "Notes:"
  echo
  sed 's/^/- /' "$NOTES"
  echo
fi
echo "Versions: dolfin $(/usr/bin/python3 -c 'import dolfin; print(dolfin.__version__)' 2> /dev/null || echo -) (FEniCS, Debian's python3-dolfin). Runs one after the other, one process each."
