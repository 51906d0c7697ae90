#!/usr/bin/env bash
# Protocols of any length (issue 17): set-up time and memory against the number of protocol
# steps. The steps live in a table of their own (input/steps.c), not in PETSc's options database
# (512 entries: before, a 50-pulse GITT could not run). A coarse disc cycled through 1 s steps
# (cc, rest) 500 to 50 000 times; the set-up is the "Setup" and "Mesh" stages of -log_view
# (reading the document, expanding the protocol, resolving every step); memory is the peak RSS.
set -u
echo "## Protocol length: set-up and memory per step"
echo
W="$WORK/protocol_length"
mkdir -p "$W"
echo "| steps | set-up s | whole run s (wall) | time steps | peak RSS MB | set-up per added step µs | RSS per added step kB |"
echo "|---|---|---|---|---|---|---|"
first_rss="" first_n="" first_setup=""
for cycles in 500 5000 50000; do
  n=$((2 * cycles + 2))
  sed "s|<gitt direction=\"charge\" pulses=\"500\">|<cycle repeat=\"$cycles\"><cc direction=\"charge\"><c_rate unit=\"C\">0.001</c_rate><duration unit=\"s\">1</duration></cc><rest><duration unit=\"s\">1</duration></rest></cycle><gitt direction=\"charge\" pulses=\"1\">|" tests/inputs/gitt500.xml |
    sed "/<mesh>/,/<\/mesh>/c\  <mesh><file>$PWD/tests/inputs/small_ellipse.msh</file></mesh>" > "$W/cycles$cycles.xml"
  rm -rf "$W/out$cycles"
  /usr/bin/time -f "%e %M" -o "$W/time$cycles.txt" "$SPOT" run "$W/cycles$cycles.xml" -out_directory "$W/out$cycles" -out_checkpoints false -out_fields false -solver_dt_initial 1s -log_view > "$W/log$cycles.txt" 2>&1 || { echo "| $n | failed: $(grep 'spot: error' "$W/log$cycles.txt") |"; continue; }
  setup=$(awk '/^ *[0-9]+: +(Setup|Mesh):/ {s += $3} END {printf "%.3f", s}' "$W/log$cycles.txt")
  read -r wall rss < "$W/time$cycles.txt"
  steps=$(grep -o "[0-9]* time steps" "$W/log$cycles.txt" | cut -d' ' -f1)
  [ -z "$first_rss" ] && first_rss=$rss && first_n=$n && first_setup=$setup
  per="-" per_setup="-"
  [ "$n" -gt "$first_n" ] && per=$(awk -v r="$rss" -v r0="$first_rss" -v n="$n" -v n0="$first_n" 'BEGIN {printf "%.2f", (r - r0) / (n - n0)}')
  [ "$n" -gt "$first_n" ] && per_setup=$(awk -v s="$setup" -v s0="$first_setup" -v n="$n" -v n0="$first_n" 'BEGIN {printf "%.1f", 1e6 * (s - s0) / (n - n0)}')
  awk -v n=$n -v s="$setup" -v w="$wall" -v ts="$steps" -v r="$rss" -v per="$per" -v ps="$per_setup" 'BEGIN {
    printf "| %d | %.3f | %.1f | %d | %.0f | %s | %s |\n", n, s, w, ts, r / 1024, ps, per }'
done
echo
echo "Against the first row: each added step costs a few µs of set-up"
echo "and a fraction of a kB of memory, so a 100 002-step protocol needs tens of MB more than a short one."
