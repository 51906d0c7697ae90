// A disc whose boundary group is named "boundary", not "surface": spot must refuse it.
SetFactory("OpenCASCADE");
Disk(1) = {0, 0, 0, 1.0};
Physical Curve("boundary") = {1};
Physical Surface("particle") = {1};
Mesh.MeshSizeMax = 0.3;
Mesh.MshFileVersion = 4.1;
