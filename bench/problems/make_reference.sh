#!/usr/bin/env bash
# The reference solution of the issue-7 benchmark (README.md beside this file), by refinement in
# space and time, written to bench/problems/reference_probes.csv with its estimated error.
#
#   bash bench/problems/make_reference.sh [WORKDIR]      (from the repository root; SPOT=bin/spot)
#
# The problem is symmetric under the square's eight symmetries, so it is solved on one eighth of
# the particle (wedge.geo: no flux through the symmetry lines), on meshes halving in size (REF_H,
# um, three or more, coarse to fine), each refined further where the solution needs it: to
# h / REF_SURFACE (default 2) within 80 nm of the surface, where the front passes probe 2 at
# t = 120 s, and to h / REF_APEX (default 16) within 40 nm of the centroid, where the front's
# core collapses just before t = 2400 s (1 for either: no refinement there); with spot's P1 with the Kirchhoff flux
# (REF_QUADRATURE) and tight adaptive BDF2 (rtol REF_RTOL, atol rtol/10); the coarsest mesh is
# solved again with rtol 10 x REF_RTOL to measure the time error. The reference is the finest
# mesh's solution f (no extrapolation: see below), and its estimated error, per probe and output
# time, is the sum of
#   space: with m and c the values on the next two coarser meshes: |f - m| / (2^p - 1), p the
#          order observed at that entry, p = log2(|m - c| / |f - m|), clamped to [1, 2] (1 where
#          the changes are too small to tell), the rest of a geometric series of changes with
#          ratio 2^-p; but |f - m| itself where the two changes differ in sign or do not shrink
#          (no asymptotic regime yet: the front's arrival at the centroid; then a lower bound);
#   time:  |c(10 rtol) - c(rtol)| / 9 (BDF2 with error control: time error about proportional to
#          rtol; measured on the coarsest mesh, the time error hardly depends on the mesh).
# The largest over both probes and 20 times is stated in the file's summary line, with the
# largest except the centroid at t = 2400 s, the entry where the front arrives at the centre and
# the meshes converge slowest (the front is a few nm wide: bench/problems/README.md).
# Cost: about 13 min on one free core with the defaults, most of it on the finest mesh.
set -eu
cd "$(dirname "$0")/../.."
SPOT=${SPOT:-$PWD/${BIN:-bin}/spot}
W=${1:-${BUILD:-build}/bench-work/reference}
H=(${REF_H:-0.0125 0.00625 0.003125})
SURF=${REF_SURFACE:-2}
APEX=${REF_APEX:-16}
RTOL=${REF_RTOL:-1e-6}
QUAD=${REF_QUADRATURE:-kirchhoff}
P=bench/problems
mkdir -p "$W"
N=${#H[@]}
[ $N -ge 3 ] || { echo "REF_H needs three or more mesh sizes, coarse to fine" >&2; exit 1; }

G="s${SURF}a$APEX"
mesh() { echo "$W/wedge_h$1_$G.msh"; }
solve() { # h rtol -> $W/wedge_<quadrature>_h<h>_s<surface>a<apex>_r<rtol>/probes.csv
  local h=$1 r=$2 out="$W/wedge_${QUAD}_h$1_${G}_r$2"
  [ -s "$(mesh "$h")" ] || gmsh -2 "$P/wedge.geo" -setnumber h "$h" -setnumber hs "$(awk -v h="$h" -v f="$SURF" 'BEGIN {print h / f}')" \
    -setnumber hc "$(awk -v h="$h" -v f="$APEX" 'BEGIN {print h / f}')" -format msh41 -o "$(mesh "$h")" -v 1 > /dev/null
  if [ ! -s "$out/probes.csv" ]; then
    echo "reference: wedge h = $h um, rtol = $r" >&2
    "$SPOT" run "$P/rounded_square.xml" -mesh_file "$(mesh "$h")" -solver_quadrature "$QUAD" -solver_rtol "$r" \
      -solver_atol "$(awk -v r="$r" 'BEGIN {print r / 10}')" -out_directory "$out" > "$out.log" 2>&1
    grep '^done' "$out.log" >&2
  fi
}
RTOL10=$(awk -v r="$RTOL" 'BEGIN {print 10 * r}')
for h in "${H[@]}"; do solve "$h" "$RTOL"; done
solve "${H[0]}" "$RTOL10"
verts() { sed -n '/^\$Nodes/{n;p;q}' "$(mesh "$1")" | awk '{print $2}'; }
run() { echo "$W/wedge_${QUAD}_h$1_${G}_r$2/probes.csv"; }
HC=${H[$((N - 3))]} HM=${H[$((N - 2))]} HF=${H[$((N - 1))]}
ALLV=""
for h in "${H[@]}"; do ALLV="$ALLV${ALLV:+, }$(verts "$h")"; done

paste -d, "$(run "$HC" "$RTOL")" "$(run "$HM" "$RTOL")" "$(run "$HF" "$RTOL")" "$(run "${H[0]}" "$RTOL")" "$(run "${H[0]}" "$RTOL10")" |
  awk -F, -v hc="$HC" -v hm="$HM" -v hf="$HF" -v rtol="$RTOL" -v quad="$QUAD" -v surf="$SURF" -v apex="$APEX" -v hs="${H[*]}" -v allv="$ALLV" '
    function abs(x) { return x < 0 ? -x : x }
    NR == 1 { header = $1 "," $2 "," $3; next }
    {
      n++; t[n] = $1
      for (p = 1; p <= 2; p++) {
        c = $(1 + p); m = $(4 + p); f = $(7 + p); t1 = $(10 + p); t10 = $(13 + p)
        dmf = abs(f - m); dcm = abs(m - c)
        if ((f - m) * (m - c) < 0 && dmf > 1e-9) { order = -1; es = dmf }  # the changes alternate: no series to sum
        else if (dmf >= dcm && dmf > 1e-9) { order = -2; es = dmf }          # they do not shrink: a lower bound
        else {
          order = (dmf > 1e-9 && dcm > 1e-9) ? log(dcm / dmf) / log(2) : 1
          if (order < 1) order = 1
          if (order > 2) order = 2
          es = dmf / (2^order - 1)
        }
        et = abs(t10 - t1) / 9
        r[n, p] = f; e[n, p] = es + et; o[n, p] = order
        if (es + et > emax) { emax = es + et; tmax = $1; pmax = p; omax = order }
        if (!(p == 1 && n == 20) && es + et > emax2) { emax2 = es + et; tmax2 = $1; pmax2 = p }
        if (es > esmax) esmax = es
        if (et > etmax) etmax = et
        if (dmf > dfm) { dfm = dmf; tfm = $1; pfm = p }
        if (dcm > dmc) { dmc = dcm; tmc = $1; pmc = p }
      }
    }
    function ord(x) { return x == -1 ? "alt" : (x == -2 ? "none" : sprintf("%.1f", x)) }
    END {
      printf "# Reference solution of the issue-7 benchmark (bench/problems/README.md), made by make_reference.sh:\n"
      printf "# spot P1 (%s quadrature) on one eighth of the particle (wedge.geo), meshes h = %s um, refined to h/%s within 80 nm of the surface\n", quad, hs, surf
      printf "# and to h/%s within 40 nm of the centroid (%s vertices; the whole particle would have 8x as many), BDF2 rtol %s;\n", apex, allv, rtol
      printf "# the values are those of the finest mesh. Largest change between\n"
      printf "# the finest three meshes: %.2e (h %s -> %s; at t = %g s, probe %d), %.2e (%s -> %s; t = %g s, probe %d).\n", dmc, hc, hm, tmc, pmc, dfm, hm, hf, tfm, pfm
      printf "# Largest estimated error: space %.1e, time %.1e. Per entry (t: estimated error of probe 1, probe 2; observed orders; alt: the last two changes alternate in sign, none: they do not shrink, and the estimate, the last change, is a lower bound):\n", esmax, etmax
      for (k = 1; k <= n; k++) printf "#   %g: %.1e %.1e (%s %s)\n", t[k], e[k, 1], e[k, 2], ord(o[k, 1]), ord(o[k, 2])
      printf "# summary: estimated error %s %.1e (at t = %g s, probe %d); %.1e at every other entry than the centroid at t = 2400 s (largest at t = %g s, probe %d)\n", omax < 0 ? "at least" : "at most", emax, tmax, pmax, emax2, tmax2, pmax2
      print header
      for (k = 1; k <= n; k++) printf "%g,%.10f,%.10f\n", t[k], r[k, 1], r[k, 2]
    }' > "$W/reference_probes.csv"
cp "$W/reference_probes.csv" "$P/reference_probes.csv"
sed -n 's/^# summary: //p' "$P/reference_probes.csv" >&2
