// The benchmark particle (rounded_square.geo) meshed with the square's eight symmetries: the
// mesh of wedge.geo (one eighth, the reference's meshes, with the same size parameters h, hs,
// hc) and its seven images under the rotations and reflections about the centroid (0.8, 0.8).
// Gmsh copies the wedge's mesh onto each image (periodic surfaces), so the discrete problem
// keeps the continuous one's symmetry, and the front's core collapses onto the centroid as it
// does in the reference, not at a point a mesh asymmetry shifts. The nodes the images share
// are merged (Coherence Mesh); the copies whose triangles would run clockwise are reversed
// (ReverseMesh), so every triangle runs counter-clockwise. Gmsh then still writes the copies' periodicity, which PETSc's
// reader would take for a periodic domain: delete the $Periodic section from the file:
//   gmsh bench/problems/mirrored.geo -setnumber h 0.0125 -setnumber hs 0.00625 -setnumber hc 0.00078125 \
//     -save -format msh41 -o raw.msh && sed '/^\$Periodic/,/^\$EndPeriodic/d' raw.msh > mesh_m0.0125.msh
// (-save, not -2: the mesh is made inside this file, before the nodes are merged.)
Include "wedge.geo";
Delete Physicals; // wedge.geo's, set again below for the whole particle
c = 0.8;
// the linear parts R = (a b; cc d) of the seven images: rotations by 90, 180 and 270 degrees, and
// reflections in x = 0.8, y = 0.8 and the two diagonals
R() = {0,-1,1,0,  -1,0,0,-1,  0,1,-1,0,  0,1,1,0,  -1,0,0,1,  1,0,0,-1,  0,-1,-1,0};
all() = {w()};
rotated() = {};
For k In {0:6}
  a = R(4*k); b = R(4*k+1); cc = R(4*k+2); d = R(4*k+3);
  T() = {a, b, 0, c - a*c - b*c,  cc, d, 0, c - cc*c - d*c,  0, 0, 1, 0,  0, 0, 0, 1}; // p -> c + R (p - c)
  s() = Affine{ T() }{ Duplicata{ Surface{w()}; } };
  all() += s();
  Periodic Surface{s()} = {w()} Affine{ T() };
  If (a * d - b * cc > 0)
    rotated() += s();
  EndIf
EndFor
// the particle's boundary: the curves along its four sides and around its four corners (the
// symmetry lines between the images are inside)
out() = Curve In BoundingBox{-e, -e, -e, 1.6 + e, e, e};
out() += Curve In BoundingBox{-e, 1.6 - e, -e, 1.6 + e, 1.6 + e, e};
out() += Curve In BoundingBox{-e, -e, -e, e, 1.6 + e, e};
out() += Curve In BoundingBox{1.6 - e, -e, -e, 1.6 + e, 1.6 + e, e};
For k In {0:3}
  x0 = 1.4 * (k % 2); y0 = 1.4 * Floor(k / 2);
  out() += Curve In BoundingBox{x0 - e, y0 - e, -e, x0 + 0.2 + e, y0 + 0.2 + e, e};
EndFor
Physical Curve("surface", 1) = {out()};
Physical Surface("particle", 2) = {all()};
ReverseMesh Surface{rotated()}; // Gmsh 4.8 copies the mesh onto the rotations' images clockwise (not the reflections')
Mesh 2;
Coherence Mesh;
RenumberMeshNodes;
RenumberMeshElements;
