#!/usr/bin/env bash
# The CC/CV cycle of cccv.xml (see README.md), then what it shows: the Li-rich rim and the
# Li-poor core at the end of the 1C discharge, and the capacity the CV hold recovers.
#   bash examples/cccv_cycle/run.sh [SPOT]     SPOT: the spot binary (default bin/spot)
set -euo pipefail
cd "$(dirname "$0")/../.."
spot=${1:-${SPOT:-bin/spot}}
"$spot" run examples/cccv_cycle/cccv.xml -out_progress false
awk -F, '
  NR == 1 { for (j = 1; j <= NF; ++j) c[$j] = j; next }
  { k = $c["step"]; if (NR > 2 && k != prev) { end_m[prev] = m; end_c[prev] = ce; end_p[prev] = pe; end_s[prev] = su; start_m[k] = m }
    if (NR == 2) start_m[k] = $c["mean_theta"]
    prev = k; m = $c["mean_theta"]; ce = $c["centre_mean_theta"]; pe = $c["periphery_mean_theta"]; su = $c["surface_mean_theta"] }
  END { end_m[prev] = m
    cc = end_m[3] - start_m[3]; cv = end_m[4] - start_m[4]
    printf "\nend of the 1C discharge: surface theta %.3f, periphery band %.3f, centre %.3f: a Li-rich rim around a Li-poor core\n", end_s[3], end_p[3], end_c[3]
    printf "capacity (fraction of the sites): 1C discharge %.4f; the CV hold at 3.0 V recovers %.4f more (%.0f %% of the CC capacity)\n", cc, cv, 100 * cv / cc }' \
  examples/cccv_cycle/out/timeseries.csv
