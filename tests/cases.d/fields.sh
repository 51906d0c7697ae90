# fields.xmf + fields.h5 as ParaView and Python open them (issue 20): small runs of a 2-D ellipse
# and a 3-D sphere, P1 and P2, with output times 0, 5, 10 and 15 min (tests/inputs/small.xml: a
# 10 min 1C charge, then a 5 min rest) and three probes each. tests/tools/fields_check.py reads
# each with meshio's TimeSeriesReader and checks the times, the volume means of theta against
# timeseries.csv, theta at the probes against probes.csv, theta stored once with its units, and
# the XDMF 3 rules; the 2-D P1 run also on 2 ranks, whose files must be the same. Where pvpython
# is installed (Debian's paraview), tests/tools/fields_paraview.py opens them with ParaView's
# default reader, its other XDMF3 reader and the legacy XDMF reader.
fields_times=0,300,600,900
export fields_times

# fields_run NAME RANKS ARGS...: spot run of tests/inputs/small.xml into $TMPROOT/fields/NAME
fields_run() {
  local name=$1 ranks=$2 d="$TMPROOT/fields/$1" log
  shift 2
  rm -rf "$d" && mkdir -p "$TMPROOT/fields" || return 1
  if [ "$ranks" -gt 1 ]; then log=$($MPIRUN "$ranks" "$SPOT" run tests/inputs/small.xml -out_directory "$d" "$@" 2>&1)
  else log=$("$SPOT" run tests/inputs/small.xml -out_directory "$d" "$@" 2>&1); fi || { echo "$log"; return 1; }
}
export -f fields_run

# fields_open NAME [OTHER]: the checks of the run NAME (against the run OTHER on other ranks)
fields_open() {
  local d="$TMPROOT/fields"
  /usr/bin/python3 tests/tools/fields_check.py "$d/$1" "$fields_times" ${2:+"$d/$2"} || return 1
  if command -v pvpython > /dev/null; then
    timeout 120 pvpython --force-offscreen-rendering tests/tools/fields_paraview.py "$d/$1" "$fields_times" 2>&1 | grep -v '^$'
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "ParaView's readers: see above"; return 1; }
  else
    echo "pvpython is not installed: ParaView's readers not checked"
  fi
}
export -f fields_open

probes_2d=(-out_probes 0,0,0.5,0.2,0.77,0.1)
probes_3d=(-mesh_shape_type sphere -mesh_shape_radius 1 -mesh_cell_size 0.35 -mesh_boundary_cell_size 0.25 -out_probes 0,0,0,0.5,0.3,0.2,0.8,0,0.1)
case_ fields_xdmf_2d_p1_ranks 240 bash -c 'fields_run 2d_p1 1 "$@" && fields_run 2d_p1_2ranks 2 "$@" && fields_open 2d_p1 2d_p1_2ranks && fields_open 2d_p1_2ranks' _ "${probes_2d[@]}"
case_ fields_xdmf_2d_p2 180 bash -c 'fields_run 2d_p2 1 "$@" && fields_open 2d_p2' _ "${probes_2d[@]}" -solver_degree 2
case_ fields_xdmf_3d_p1 180 bash -c 'fields_run 3d_p1 1 "$@" && fields_open 3d_p1' _ "${probes_3d[@]}"
case_ fields_xdmf_3d_p2 240 bash -c 'fields_run 3d_p2 1 "$@" && fields_open 3d_p2' _ "${probes_3d[@]}" -solver_degree 2
