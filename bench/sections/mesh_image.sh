#!/usr/bin/env bash
# Image to mesh (issue 3): a 2048 x 2048 micrograph to a finished mesh, stage by stage, and the
# real NMC811 crops through `spot mesh`. Prints a Markdown section; figures, not pass/fail.
set -u
echo "## Image to mesh (spot mesh)"
echo
echo "A synthetic 2048 x 2048 8-bit PNG of one lobed particle (~1500 px across; blurred edge, textured"
echo "background, vignette, noise) is read, segmented (Gaussian sigma 1 px, Otsu), outlined (marching"
echo "squares, smoothing) and meshed with Gmsh at the default sizes (equivalent diameter / 50 inside, / 125"
echo "at the boundary). One process; the time of each stage is the one spot reports."
echo
if [ ! -x "$BENCH/bench_mesh_image" ]; then
  echo "(bench_mesh_image not built)"
  exit 0
fi
mkdir -p "$WORK/mesh_image"
"$BENCH/bench_mesh_image" -dir "$WORK/mesh_image" -repeat 3
echo
echo "The real crops (data/images, pixel size 0.012 um assumed), \`spot mesh\` end to end (wall time of the command):"
echo
echo "| image | pixels | triangles | area (um^2) | smallest angle | wall time (s) |"
echo "|---|---|---|---|---|---|"
for img in data/images/nmc811_single_particle_crop*.png; do
  name=$(basename "$img" .png)
  t0=$(date +%s.%N)
  out=$("$SPOT" mesh "$img" --pixel-size 0.012 -o "$WORK/mesh_image/$name.msh" 2>&1)
  t1=$(date +%s.%N)
  px=$(sed -n 's/^image: .*, \([0-9]* x [0-9]*\) pixels.*/\1/p' <<<"$out")
  tri=$(sed -n 's/^mesh: .*, \([0-9]*\) triangles.*/\1/p' <<<"$out")
  area=$(sed -n 's/^particle: area \([0-9.e+-]*\) .*/\1/p' <<<"$out")
  angle=$(sed -n 's/.*smallest angle \([0-9.]*\) deg.*/\1/p' <<<"$out")
  printf '| %s | %s | %s | %s | %s deg | %.2f |\n' "${name%%_rows*}" "$px" "$tri" "$area" "$angle" "$(echo "$t1 - $t0" | bc -l)"
done
