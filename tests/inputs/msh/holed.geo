// A 2-D particle with a hole for the mesh-file tests (tests/inputs/msh/make_good.sh): the
// boundary has two loops (the outer counter-clockwise, the hole's clockwise); both are
// "surface", and the hole's edge also "pore".
SetFactory("OpenCASCADE");
Disk(1) = {0, 0, 0, 1};
Disk(2) = {0.3, 0.1, 0, 0.3};
BooleanDifference(3) = { Surface{1}; Delete; }{ Surface{2}; Delete; };
Physical Curve("surface", 1) = Boundary{ Surface{3}; };
Physical Curve("pore", 3) = Curve In BoundingBox{-0.01, -0.21, -1, 0.61, 0.41, 1};
Physical Surface("particle", 2) = {3};
Physical Point("corner", 4) = {PointsOf{ Surface{3}; }};
Mesh.MeshSizeMax = 0.2;
