// The benchmark particle of issue 7: a rounded square of side 1.6 um with corner radius
// 0.2 um, occupying [0, 1.6] x [0, 1.6] um (centroid (0.8, 0.8) by symmetry). Triangles of
// target size h (um), quasi-uniform by default. Graded meshes put cells where the two
// front-timing entries of the benchmark need them (bench/problems/README.md): with hn > 0, a
// boundary layer of "band" (um) thickness, in cells hn thick (and h long), where the front
// passes probe 2 early on; with hc > 0, size hc within rc (um) of the centroid, where the
// front's core collapses just before t = 2400 s, growing linearly to h over 10 (h - hc); with
// hs > 0 (and hn > 0), cells of size hs up to the boundary layer's edge (the layer's cells hs
// long), growing linearly to h at "grade" (um) from the surface, so that the front leaves the
// layer onto cells that grow with its depth rather than onto cells of size h at once.
// Frontal-Delaunay, so the mesh is the same on every run with the same Gmsh version:
//   gmsh -2 rounded_square.geo -setnumber h 0.025 -format msh41 -o mesh_h0.025.msh
//   gmsh -2 rounded_square.geo -setnumber h 0.05 -setnumber hn 0.003 -setnumber hc 0.003 -o graded.msh
// The whole boundary is the physical curve "surface" (spot's flux boundary, tag 1); the
// interior is the physical surface "particle" (tag 2).
SetFactory("OpenCASCADE");
DefineConstant[ h = 0.05, hn = 0, band = 0.08, hc = 0, rc = 0.04, hs = 0, grade = 0.3 ];
Rectangle(1) = {0, 0, 0, 1.6, 1.6, 0.2};
Physical Curve("surface", 1) = Boundary{ Surface{1}; };
Physical Surface("particle", 2) = {1};
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
Mesh.MeshSizeMin = (hc > 0) ? hc : h;
Mesh.MeshSizeMax = h;
Mesh.MeshSizeExtendFromBoundary = 1;
If (hc > 0)
  Field[1] = MathEval;
  Field[1].F = "Sqrt((x - 0.8)^2 + (y - 0.8)^2)";
  Field[2] = Threshold;
  Field[2].InField = 1;
  Field[2].SizeMin = hc;
  Field[2].SizeMax = h;
  Field[2].DistMin = rc;
  Field[2].DistMax = rc + 10 * (h - hc);
  Background Field = 2;
  Mesh.MeshSizeExtendFromBoundary = 0;
EndIf
If (hs > 0)
  // size hs up to "band" from the surface, growing to h at "grade"; the boundary layer's cells
  // (hn thick) are then hs long, so that they meet the cells beyond it without obtuse angles
  // (with layer cells h long, 450 edges at the layer's edge had negative conductances)
  Field[4] = Distance;
  Field[4].CurvesList = {Boundary{ Surface{1}; }};
  Field[4].NumPointsPerCurve = 4000;
  Field[5] = Threshold;
  Field[5].InField = 4;
  Field[5].SizeMin = hs;
  Field[5].SizeMax = h;
  Field[5].DistMin = band;
  Field[5].DistMax = grade;
  Field[6] = Min;
  Field[6].FieldsList = {5, (hc > 0) ? 2 : 5};
  Background Field = 6;
  Mesh.MeshSizeMin = (hc > 0) ? hc : hs;
  Mesh.MeshSizeExtendFromBoundary = 0;
EndIf
If (hn > 0)
  Field[3] = BoundaryLayer;
  Field[3].CurvesList = {Boundary{ Surface{1}; }};
  Field[3].Size = hn;
  Field[3].Ratio = 1;
  Field[3].Thickness = band;
  Field[3].SizeFar = h;
  Field[3].Quads = 0;
  BoundaryLayer Field = 3;
EndIf
Mesh.Algorithm = 6;
Mesh.Optimize = 1;
Mesh.Smoothing = 5;
General.NumThreads = 1;
