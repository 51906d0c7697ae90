#!/usr/bin/env bash
# D(theta) from the real GITT records in data/gitt/ with spot gitt (see README.md).
#   bash examples/gitt_analysis/run.sh [SPOT]     SPOT: the spot binary (default bin/spot)
set -euo pipefail
cd "$(dirname "$0")/../.."
spot=${1:-${SPOT:-bin/spot}}
out=examples/gitt_analysis

# 1. the 18650 charge record: 600 s pulses at C/10, 2-6 h rests
"$spot" gitt data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv \
  --length 1.7um --capacity 2.6Ah --theta-start 1 -o "$out/out"

# 2. the 2C pulse record: positive current = discharge, 300 s rests that do not relax
#    (without --allow-unrelaxed spot gitt stops and names the first such rest)
"$spot" gitt data/gitt/fullcell_2C_pulse_relaxation_Tran_cell43_PyBaMM_PR3293.csv \
  --time-column time_s --current-column I_A --voltage-column Ecell_V --discharge-positive \
  --length 1.7um --capacity 4.6Ah --theta-start 0.05 --allow-unrelaxed -o "$out/out_2c"

# 3. the round trip: a GITT measurement simulated on an NMC811 particle with spot's own solver,
#    analysed the same way, against the D the run used (roundtrip.csv, roundtrip.png)
"$spot" gitt --simulate examples/gitt_analysis/simulated.xml -o "$out/out_simulated"

# 4. the same on a disc with constant D, a linear OCP and short pulses (tau D/L^2 = 0.01), where
#    Weppner-Huggins should hold up to the disc's curvature
"$spot" gitt --simulate tests/inputs/gitt_disc_constant.xml -o "$out/out_simulated_disc"
