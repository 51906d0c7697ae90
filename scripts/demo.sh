#!/usr/bin/env bash
# make demo: the C/3 charge of a 2 um Ni-rich NMC platelet (examples/c3_charge) on two ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
out=examples/c3_charge/out
ranks=$(( $(nproc) >= 2 ? 2 : 1 ))
echo "spot demo: C/3 charge (1 h) and rest (30 min) of a 2.2 x 1.6 um Ni-rich NMC particle, alpha = 2.7, on $ranks ranks"
start=$(date +%s)
mpirun --oversubscribe --quiet -n "$ranks" "$BIN/spot" run examples/c3_charge/charge.xml -out_directory "$out"
echo
echo "demo finished in $(( $(date +%s) - start )) s. Outputs:"
echo "  $out/timeseries.csv   time series (columns with units); e.g. centre vs periphery:"
awk -F, 'NR == 1 {for (i = 1; i <= NF; ++i) c[$i] = i; next}
         {t = $c["t_s"]; if (t >= next_t - 1e-9) {printf "      t = %5.1f min   centre %.4f   periphery %.4f   mean %.4f\n", t / 60, $c["centre_mean_theta"], $c["periphery_mean_theta"], $c["mean_theta"]; next_t += 900}}' "$out/timeseries.csv"
echo "  $out/fields.xmf       theta over the particle at 19 times: open it in ParaView"
echo "  $out/mesh.msh         the mesh spot made (Gmsh format)"
