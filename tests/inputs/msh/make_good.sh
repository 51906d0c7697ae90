#!/usr/bin/env bash
# Good meshes for tests/cases.d/mesh_file.sh, in every encoding spot reads: msh 4.1 and 2.2,
# ASCII and binary, 2-D and 3-D. Needs the gmsh command; the results are committed.
#   bash tests/inputs/msh/make_good.sh
set -eu
cd "$(dirname "$0")"
P=../../../bench/problems
for fmt in msh41 msh22; do
  for enc in ascii binary; do
    bin=$([ $enc = binary ] && echo -bin || true)
    gmsh -2 $P/rounded_square.geo -setnumber h 0.2 -format $fmt $bin -o good/square_${fmt}_$enc.msh -v 1 >/dev/null
    gmsh -2 holed.geo -format $fmt $bin -o good/holed_${fmt}_$enc.msh -v 1 >/dev/null
    gmsh -3 ball.geo -format $fmt $bin -o good/ball_${fmt}_$enc.msh -v 1 >/dev/null
  done
done
gmsh -3 ball.geo -format msh41 -save_all -o good/ball_save_all.msh -v 1 >/dev/null   # elements without groups too
