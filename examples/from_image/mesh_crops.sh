#!/usr/bin/env bash
# Mesh the two NMC811 crops, and the particle of crop A once more from the full slice picked
# with --seed; then the same crop as a 3-D platelet. Writes into out/ here.
#   bash examples/from_image/mesh_crops.sh [path/to/spot]
#   (default: the checkout's bin/spot, else spot on PATH, as in an installed copy of the examples)
set -euo pipefail
spot=${1:-}
[ -n "$spot" ] && [[ "$spot" != /* ]] && [[ "$spot" == */* ]] && spot="$PWD/$spot"   # a relative path, before the cd
cd "$(dirname "$0")"
[ -n "$spot" ] || { [ -x ../../bin/spot ] && spot=../../bin/spot || spot=$(command -v spot); } || { echo "mesh_crops.sh: no spot: build it (make) or give its path" >&2; exit 1; }
images=../../data/images
mkdir -p out
# pixel size: ASSUMED 12 nm per pixel (the source gives none)
"$spot" mesh "$images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png" --pixel-size 12nm -o out/cropA.msh
"$spot" mesh "$images/nmc811_single_particle_cropB_rows446-602_cols561-717.png" --pixel-size 12nm -o out/cropB.msh
# crop A starts at row 354, column 1530 of the slice: its particle holds slice pixel (450, 1616)
"$spot" mesh "$images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif" --pixel-size 12nm --seed 450,1616 -o out/sliceA.msh
# a platelet 300 nm thick for 3-D runs (tetrahedra; coarser cells keep it small)
"$spot" mesh "$images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png" --pixel-size 12nm --extrude 300nm --cell-size 60nm -o out/cropA_platelet.msh
