#!/usr/bin/env bash
# The population of examples/population/population.xml charged and discharged at 1C and C/10
# (interface-limited particles, alpha 100), the 1C charge again with alpha 2.7 (slow diffusion
# inside the particles), then the figures. Everything goes to out/. About 25 minutes on 2 cores.
#   bash run.sh [SPOT] [RANKS]
set -eu
cd "$(dirname "$0")"
SPOT=${1:-../../bin/spot}
RANKS=${2:-2}
run() { # name, document, options
  local name=$1 doc=$2 && shift 2
  echo "== $name"
  mpirun -n "$RANKS" "$SPOT" run "$doc" -out_directory "out/$name" -proto_0_name "$name" "$@" | grep -E "^(particles|step|done)"
}
CHARGE_1C="-proto_0_c_rate 1 -out_times 0,2min,4min,6min,8min,10min,12min,15min,20min,24min"
CHARGE_C10="-proto_0_c_rate 0.1 -out_times 0,20min,40min,60min,80min,100min,120min,150min,200min,240min"
# discharges from 4.0 V (theta 0.50) back to a mean theta of 0.85, or 3.0 V
DISCHARGE="-init_voltage 4.0 -proto_0_direction discharge -proto_0_theta_below 0.01 -proto_0_theta_above 0.85 -proto_0_voltage_above 5 -proto_0_voltage_below 3.0"
mkdir -p out
run charge_1C population.xml $CHARGE_1C -out_maps true
run charge_C10 population.xml $CHARGE_C10
run discharge_1C population.xml $DISCHARGE -proto_0_c_rate 1 -out_times 0,2min,4min,6min,8min,10min,12min,15min,20min
run discharge_C10 population.xml $DISCHARGE -proto_0_c_rate 0.1 -out_times 0,20min,40min,60min,80min,100min,120min,150min,200min
run charge_1C_alpha2.7 population.xml $CHARGE_1C -phys_alpha 2.7 -out_maps true
/usr/bin/python3 ../../postproc/population_figures.py out/charge_1C out/charge_C10 out/discharge_1C out/discharge_C10 \
  --label "1C charge" --label "C/10 charge" --label "1C discharge" --label "C/10 discharge" -o out/population.png
/usr/bin/python3 ../../postproc/population_figures.py out/charge_1C out/charge_1C_alpha2.7 \
  --label "1C charge, α 100" --label "1C charge, α 2.7" -o out/population_alpha.png
