// A 3-D particle for the mesh-file tests (tests/inputs/msh/make_good.sh): a ball of radius
// 1 um, its boundary the physical surface "surface", coarse.
SetFactory("OpenCASCADE");
Sphere(1) = {0, 0, 0, 1};
Physical Surface("surface", 1) = Boundary{ Volume{1}; };
Physical Volume("particle", 2) = {1};
Mesh.MeshSizeMax = 0.45;
