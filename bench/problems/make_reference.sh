#!/usr/bin/env bash
# The reference solution of the issue-7 benchmark (README.md beside this file), by refinement in
# space and time, written to bench/problems/reference_probes.csv with its estimated error.
#
#   bash bench/problems/make_reference.sh [WORKDIR]      (from the repository root; SPOT=bin/spot)
#
# The problem is symmetric under the square's eight symmetries, so it is solved on one eighth of
# the particle (wedge.geo: no flux through the symmetry lines), with spot's P1 with the Kirchhoff
# flux (REF_QUADRATURE) and tight adaptive BDF2 (rtol REF_RTOL, atol rtol/10), in two studies of
# meshes halving in size (three or more sizes each, coarse to fine):
#   graded:  REF_H (um), to t = 2400 s, each mesh refined further where the solution needs it: to
#            h / REF_SURFACE (default 2) within 80 nm of the surface, where the front passes probe 2
#            at t = 120 s, and to h / REF_APEX (default 16) within 40 nm of the centroid, where the
#            front's core collapses just before t = 2400 s (1 for either: no refinement there);
#   uniform: REF_EARLY_H (um), finer, with no refinement, only to t = REF_EARLY_T (default 240 s;
#            the solution up to t does not depend on later times), for the early entries: at
#            probe 2 at t = 120 s the graded meshes converge at order 1, uniform ones faster.
# In each study the finest mesh is solved again with rtol 10 x REF_RTOL to measure the time
# error. A study's value of an entry is its finest mesh's solution f (no extrapolation: see below),
# and its estimated error, per probe and output time, is the sum of
#   space: with m and c the values on the next two coarser meshes: |f - m| / (2^p - 1), p the
#          order observed at that entry, p = log2(|m - c| / |f - m|), clamped to [1, 2] (1 where
#          the changes are too small to tell), the rest of a geometric series of changes with
#          ratio 2^-p; but |f - m| itself where the two changes differ in sign or do not shrink
#          (no asymptotic regime yet: the front's arrival at the centroid; then a lower bound);
#   time:  |f(10 rtol) - f(rtol)| / 9 (BDF2 with error control: time error about proportional to
#          rtol). On the finest mesh, because TS's error norm is an RMS over all unknowns, so the
#          few vertices at a front weigh less on finer meshes and their time error grows: at probe
#          2, t = 120 s, rtol 1e-6 was 2x further from rtol 1e-7 on h = 0.0015625 um (6.5e-6)
#          than the coarsest mesh's estimate (3.2e-6).
# The reference takes each entry from the study with the smaller estimated error (the graded one
# beyond REF_EARLY_T); where both studies have the entry and differ by d, its estimate is at least
# d minus the other study's. The largest error over both probes and 20 times is stated in the
# file's summary line, with the largest except the centroid at t = 2400 s, the entry where the
# front arrives at the centre and the meshes converge slowest (the front is a few nm wide:
# bench/problems/README.md). Runs are kept in WORKDIR, named by mesh, tolerance and a hash of the
# spot binary, and not redone.
# Cost: about 31 min on one free core with the defaults: 10 on the graded meshes (8.5 on the
# finest), 21 on the uniform ones (16 on the finest, 600 k vertices).
set -eu
cd "$(dirname "$0")/../.."
SPOT=${SPOT:-$PWD/${BIN:-bin}/spot}
TAG=$(sha1sum < "$SPOT" | cut -c1-8) # runs are kept per spot binary: another build solves again
W=${1:-${BUILD:-build}/bench-work/reference}
H=(${REF_H:-0.0125 0.00625 0.003125})
SURF=${REF_SURFACE:-2}
APEX=${REF_APEX:-16}
EH=(${REF_EARLY_H:-0.003125 0.0015625 0.00078125})
ET=${REF_EARLY_T:-240}
RTOL=${REF_RTOL:-1e-6}
QUAD=${REF_QUADRATURE:-kirchhoff}
P=bench/problems
mkdir -p "$W"
[ ${#H[@]} -ge 3 ] && [ ${#EH[@]} -ge 3 ] || { echo "REF_H and REF_EARLY_H need three or more mesh sizes each, coarse to fine" >&2; exit 1; }

# the problem to t = ET only: its output times up to ET
sed -e "s|<duration unit=\"s\">[^<]*</duration>|<duration unit=\"s\">$ET</duration>|" \
  -e "s|<times unit=\"s\">.*</times>|<times unit=\"s\">$(sed -n 's|.*<times unit="s">\(.*\)</times>.*|\1|p' "$P/rounded_square.xml" |
    tr -s ' ' '\n' | awk -v t="$ET" '$1 + 0 <= t + 0' | paste -sd' ')</times>|" "$P/rounded_square.xml" > "$W/rounded_square_t$ET.xml"

G="s${SURF}a$APEX"
# a study: its refinement ($G or "uniform") and its last time ("" for the whole problem, or ET)
mesh() { echo "$W/wedge_h$1_$2.msh"; }                                           # h refinement
run() { echo "$W/wedge_${QUAD}_h$1_$2${4:+_t$4}_r$3_$TAG/probes.csv"; }         # h refinement rtol [T]
solve() { # h refinement rtol [T]
  local h=$1 m out xml=$P/rounded_square.xml size=(-setnumber h "$1")
  m=$(mesh "$1" "$2") out=$(dirname "$(run "$@")")
  [ -z "${4:-}" ] || xml=$W/rounded_square_t$4.xml
  [ "$2" = uniform ] || size+=(-setnumber hs "$(awk -v h="$h" -v f="$SURF" 'BEGIN {print h / f}')" -setnumber hc "$(awk -v h="$h" -v f="$APEX" 'BEGIN {print h / f}')")
  [ -s "$m" ] || gmsh -2 "$P/wedge.geo" "${size[@]}" -format msh41 -o "$m" -v 1 > /dev/null
  if [ ! -s "$out/probes.csv" ]; then
    echo "reference: wedge h = $h um ($2${4:+, to t = $4 s}), rtol = $3" >&2
    "$SPOT" run "$xml" -mesh_file "$m" -solver_quadrature "$QUAD" -solver_rtol "$3" \
      -solver_atol "$(awk -v r="$3" 'BEGIN {print r / 10}')" -out_directory "$out" > "$out.log" 2>&1
    grep '^done' "$out.log" >&2
  fi
}
verts() { sed -n '/^\$Nodes/{n;p;q}' "$(mesh "$1" "$2")" | awk '{print $2}'; }     # h refinement
RTOL10=$(awk -v r="$RTOL" 'BEGIN {print 10 * r}')
# the runs of a study, and its error estimate: one line per output time, "t", then per probe
# "value error order space-part time-part |f - m| |m - c|"
study() { # refinement T h...
  local g=$1 T=$2 h; shift 2
  for h in "$@"; do solve "$h" "$g" "$RTOL" $T; done
  solve "${@: -1}" "$g" "$RTOL10" $T
  paste -d, "$(run "${@: -3:1}" "$g" "$RTOL" $T)" "$(run "${@: -2:1}" "$g" "$RTOL" $T)" "$(run "${@: -1}" "$g" "$RTOL" $T)" \
    "$(run "${@: -1}" "$g" "$RTOL10" $T)" | awk -F, '
    function abs(x) { return x < 0 ? -x : x }
    NR == 1 { next }
    {
      printf "%s", $1
      for (p = 1; p <= 2; p++) {
        c = $(1 + p); m = $(4 + p); f = $(7 + p); f10 = $(10 + p)
        dmf = abs(f - m); dcm = abs(m - c)
        if ((f - m) * (m - c) < 0 && dmf > 1e-9) { order = -1; es = dmf }  # the changes alternate: no series to sum
        else if (dmf >= dcm && dmf > 1e-9) { order = -2; es = dmf }          # they do not shrink: a lower bound
        else {
          order = (dmf > 1e-9 && dcm > 1e-9) ? log(dcm / dmf) / log(2) : 1
          if (order < 1) order = 1
          if (order > 2) order = 2
          es = dmf / (2^order - 1)
        }
        et = abs(f10 - f) / 9
        printf " %s %.6e %.6g %.6e %.6e %.6e %.6e", f, es + et, order, es, et, dmf, dcm
      }
      printf "\n"
    }'
}
study "$G" "" "${H[@]}" > "$W/graded.txt"
study uniform "$ET" "${EH[@]}" > "$W/uniform.txt"
nv() { local v="" h; for h in "${@:2}"; do v="$v${v:+, }$(verts "$h" "$1")"; done; echo "$v"; }

awk -v rtol="$RTOL" -v quad="$QUAD" -v surf="$SURF" -v apex="$APEX" -v tearly="$ET" -v hs="${H[*]}" -v ehs="${EH[*]}" \
  -v allv="$(nv "$G" "${H[@]}")" -v eallv="$(nv uniform "${EH[@]}")" -v header="$(head -n 1 "$(run "${H[0]}" "$G" "$RTOL")")" '
  BEGIN { name[1] = "graded"; name[2] = "uniform" }
  FNR == 1 { s++ }
  {
    if (s == 1) { n++; t[n] = $1; row[$1 + 0] = n }
    k = row[$1 + 0]
    for (p = 1; p <= 2; p++) {
      j = 2 + 7 * (p - 1)
      d = s == 2 ? $j - r[k, p] : 0; d = d < 0 ? -d : d # the studies differ by d: each is off by at least d minus the other study error
      if (s == 1 || $(j + 1) < e[k, p]) { other = e[k, p]; r[k, p] = $j; e[k, p] = $(j + 1); o[k, p] = $(j + 2); es[k, p] = $(j + 3); et[k, p] = $(j + 4); from[k, p] = s }
      else other = $(j + 1)
      if (d - other > e[k, p]) e[k, p] = d - other
      if ($(j + 5) > dfm[s]) { dfm[s] = $(j + 5); tfm[s] = $1; pfm[s] = p }
      if ($(j + 6) > dmc[s]) { dmc[s] = $(j + 6); tmc[s] = $1; pmc[s] = p }
    }
  }
  function ord(x) { return x == -1 ? "alt" : (x == -2 ? "none" : sprintf("%.1f", x)) }
  END {
    for (s = 1; s <= 2; s++) {
      nh = split(s == 1 ? hs : ehs, h, " ")
      changes[s] = sprintf("%s %.2e (h %s -> %s; at t = %g s, probe %d), %.2e (%s -> %s; t = %g s, probe %d)", name[s], dmc[s], h[nh - 2], h[nh - 1], tmc[s], pmc[s], dfm[s], h[nh - 1], h[nh], tfm[s], pfm[s])
    }
    for (k = 1; k <= n; k++) for (p = 1; p <= 2; p++) {
      if (e[k, p] > emax) { emax = e[k, p]; tmax = t[k]; pmax = p; omax = o[k, p] }
      if (!(p == 1 && k == n) && e[k, p] > emax2) { emax2 = e[k, p]; tmax2 = t[k]; pmax2 = p }
      if (es[k, p] > esmax) esmax = es[k, p]
      if (et[k, p] > etmax) etmax = et[k, p]
    }
    printf "# Reference solution of the issue-7 benchmark (bench/problems/README.md), made by make_reference.sh:\n"
    printf "# spot P1 (%s quadrature) on one eighth of the particle (wedge.geo), BDF2 rtol %s, in two studies (the whole particle would have 8x as many vertices):\n", quad, rtol
    printf "# graded: meshes h = %s um refined to h/%s within 80 nm of the surface and to h/%s within 40 nm of the centroid (%s vertices), to t = 2400 s;\n", hs, surf, apex, allv
    printf "# uniform: meshes h = %s um (%s vertices), to t = %s s. Each entry is the finest mesh'\''s value of the study with\n", ehs, eallv, tearly
    printf "# the smaller estimated error. Largest change between the finest three meshes: %s;\n", changes[1]
    printf "# %s.\n", changes[2]
    printf "# Largest estimated error: space %.1e, time %.1e. Per entry (t: estimated error of probe 1, probe 2; observed orders; alt: the last two changes alternate in sign, none: they do not shrink, and the estimate, the last change, is a lower bound; the studies):\n", esmax, etmax
    for (k = 1; k <= n; k++) printf "#   %g: %.1e %.1e (%s %s; %s %s)\n", t[k], e[k, 1], e[k, 2], ord(o[k, 1]), ord(o[k, 2]), name[from[k, 1]], name[from[k, 2]]
    printf "# summary: estimated error %s %.1e (at t = %g s, probe %d); %.1e at every other entry than the centroid at t = 2400 s (largest at t = %g s, probe %d)\n", omax < 0 ? "at least" : "at most", emax, tmax, pmax, emax2, tmax2, pmax2
    print header
    for (k = 1; k <= n; k++) printf "%g,%.10f,%.10f\n", t[k], r[k, 1], r[k, 2]
  }' "$W/graded.txt" "$W/uniform.txt" > "$W/reference_probes.csv"
cp "$W/reference_probes.csv" "$P/reference_probes.csv"
sed -n 's/^# summary: //p' "$P/reference_probes.csv" >&2
