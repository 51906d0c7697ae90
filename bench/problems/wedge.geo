// One eighth of the benchmark particle (rounded_square.geo), for the reference solution: the
// solution of the problem is symmetric under the square's eight symmetries, so on the wedge
//   { (x, y) in the particle : y <= x <= 0.8 }
// with no flux through the symmetry lines x = 0.8 and y = x it is the same function, at an
// eighth of the cost. Only the particle's own boundary (the bottom side and half a corner arc)
// is the physical curve "surface"; spot puts no flux on the symmetry lines, and the flux it
// sets, |Omega| (C/3600 s) / |dOmega_surface|, is the full particle's (both areas scale by 1/8).
// Both probes lie on the wedge's boundary: the centroid (0.8, 0.8) is its apex, (0.8, 0.05) on
// the line x = 0.8.
//   gmsh -2 wedge.geo -setnumber h 0.003125 -format msh41 -o wedge.msh
SetFactory("OpenCASCADE");
DefineConstant[ h = 0.0125 ];
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
Mesh.MeshSizeMin = h;
Mesh.MeshSizeMax = h;
Mesh.MeshSizeFromPoints = 0;
Mesh.MeshSizeFromCurvature = 0;
Mesh.MeshSizeExtendFromBoundary = 1;
Mesh.Algorithm = 6;
Mesh.Optimize = 1;
Mesh.Smoothing = 5;
General.NumThreads = 1;
