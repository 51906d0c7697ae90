// The benchmark particle of issue 7: a rounded square of side 1.6 um with corner radius
// 0.2 um, occupying [0, 1.6] x [0, 1.6] um (centroid (0.8, 0.8) by symmetry). Triangles of
// target size h (um), quasi-uniform by default; with hs > 0, size hs at the boundary growing
// linearly to h over a layer of width "layer" (um). Frontal-Delaunay, so the mesh is the same
// on every run with the same Gmsh version:
//   gmsh -2 rounded_square.geo -setnumber h 0.025 -format msh41 -o mesh_h0.025.msh
//   gmsh -2 rounded_square.geo -setnumber h 0.025 -setnumber hs 0.003 -o graded.msh
// The whole boundary is the physical curve "surface" (spot's flux boundary, tag 1); the
// interior is the physical surface "particle" (tag 2).
SetFactory("OpenCASCADE");
DefineConstant[ h = 0.05, hs = 0, layer = 0.15 ];
Rectangle(1) = {0, 0, 0, 1.6, 1.6, 0.2};
Physical Curve("surface", 1) = Boundary{ Surface{1}; };
Physical Surface("particle", 2) = {1};
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
If (hs > 0)
  Field[1] = Distance;
  Field[1].CurvesList = {Boundary{ Surface{1}; }};
  Field[1].NumPointsPerCurve = 400;
  Field[2] = Threshold;
  Field[2].InField = 1;
  Field[2].SizeMin = hs;
  Field[2].SizeMax = h;
  Field[2].DistMin = 0;
  Field[2].DistMax = layer;
  Background Field = 2;
  Mesh.MeshSizeExtendFromBoundary = 0;
Else
  Mesh.MeshSizeMin = h;
  Mesh.MeshSizeMax = h;
  Mesh.MeshSizeExtendFromBoundary = 1;
EndIf
Mesh.Algorithm = 6;
Mesh.Optimize = 1;
Mesh.Smoothing = 5;
General.NumThreads = 1;
