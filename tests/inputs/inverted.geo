// A mesh whose triangles run clockwise (tests/cases.d/bad_input.sh): a 1 um square with the
// physical groups spot needs, its mesh reversed after meshing.
//   gmsh -2 tests/inputs/inverted.geo -format msh41 -o tests/inputs/inverted.msh
SetFactory("OpenCASCADE");
Rectangle(1) = {0, 0, 0, 1, 1};
Physical Curve("surface", 1) = Boundary{ Surface{1}; };
Physical Surface("particle", 2) = {1};
Mesh.MeshSizeMax = 0.25;
ReverseMesh Surface{1};
