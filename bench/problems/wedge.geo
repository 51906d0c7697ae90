// One eighth of the benchmark particle (rounded_square.geo), for the reference solution: the
// solution of the problem is symmetric under the square's eight symmetries, so on the wedge
//   { (x, y) in the particle : y <= x <= 0.8 }
// with no flux through the symmetry lines x = 0.8 and y = x it is the same function, at an
// eighth of the cost. Only the particle's own boundary (the bottom side and half a corner arc)
// is the physical curve "surface"; spot puts no flux on the symmetry lines, and the flux it
// sets, |Omega| (C/3600 s) / |dOmega_surface|, is the full particle's (both areas scale by 1/8).
// Both probes lie on the wedge's boundary: the centroid (0.8, 0.8) is its apex, (0.8, 0.05) on
// the line x = 0.8.
// Triangles of size h (um); with hs > 0, size hs within "band" (um) of the surface, where the
// front passes probe 2 early on; with hc > 0, size hc within rc (um) of the apex, where the
// front's last nm collapse just before t = 2400 s. Sizes grow linearly to h over 10 (h - hs)
// and 10 (h - hc) beyond.
//   gmsh -2 wedge.geo -setnumber h 0.003125 -format msh41 -o wedge.msh
//   gmsh -2 wedge.geo -setnumber h 0.00625 -setnumber hs 0.003125 -setnumber hc 0.00078125 -o graded.msh
SetFactory("OpenCASCADE");
DefineConstant[ h = 0.0125, hs = 0, band = 0.08, hc = 0, rc = 0.04 ];
Rectangle(1) = {0, 0, 0, 1.6, 1.6, 0.2};
Point(101) = {0.8, 0.8, 0};
Point(102) = {0.8, -1, 0};
Point(103) = {-1, -1, 0};
Line(101) = {101, 102};
Line(102) = {102, 103};
Line(103) = {103, 101};
Curve Loop(101) = {101, 102, 103};
Plane Surface(2) = {101};
w() = BooleanIntersection{ Surface{1}; Delete; }{ Surface{2}; Delete; };
e = 1e-6;
bottom() = Curve In BoundingBox{-e, -e, -e, 0.8 + e, e, e};
arc() = Curve In BoundingBox{-e, -e, -e, 0.2 + e, 0.06 + e, e};
Physical Curve("surface", 1) = {bottom(), arc()};
Physical Surface("particle", 2) = {w()};
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
If (hs > 0 || hc > 0)
  hs_ = (hs > 0) ? hs : h;
  hc_ = (hc > 0) ? hc : h;
  Field[1] = Distance;
  Field[1].CurvesList = {bottom(), arc()};
  Field[1].NumPointsPerCurve = 2000;
  Field[2] = Threshold;
  Field[2].InField = 1;
  Field[2].SizeMin = hs_;
  Field[2].SizeMax = h;
  Field[2].DistMin = band;
  Field[2].DistMax = band + 10 * (h - hs_) + 1e-9;
  Field[3] = MathEval;
  Field[3].F = "Sqrt((x - 0.8)^2 + (y - 0.8)^2)";
  Field[4] = Threshold;
  Field[4].InField = 3;
  Field[4].SizeMin = hc_;
  Field[4].SizeMax = h;
  Field[4].DistMin = rc;
  Field[4].DistMax = rc + 10 * (h - hc_) + 1e-9;
  Field[5] = Min;
  Field[5].FieldsList = {2, 4};
  Background Field = 5;
  Mesh.MeshSizeMax = h;
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
