#!/usr/bin/python3
"""Population meshes for tests: copies of one Gmsh disc, translated, in one msh 2.2 file with the
groups particle_<k> (triangles of copy k) and surface (every boundary segment). Copies of one mesh
make the particles identical to the last bit, so identical particles must stay identical. Each
element's elementary tag is its physical tag: PETSc's msh 2.2 reader takes every tag of an element
for a physical one, so an elementary tag equal to another group's tag would put the element in it.
   /usr/bin/python3 make_meshes.py   (needs gmsh on PATH; writes the .msh files beside it)
   /usr/bin/python3 make_meshes.py COPIES RADIUS_UM CELL_UM OUT.msh   (a square grid of copies, for bench/)"""
import os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def disc(radius, h):
    with tempfile.TemporaryDirectory() as d:
        geo, msh = os.path.join(d, "d.geo"), os.path.join(d, "d.msh")
        with open(geo, "w") as f:
            f.write(f'SetFactory("OpenCASCADE");\nDisk(1) = {{0, 0, 0, {radius}}};\n'
                    f'MeshSize{{:}} = {h};\nPhysical Curve("surface") = {{1}};\nPhysical Surface("particle") = {{1}};\n')
        subprocess.run(["gmsh", "-2", "-format", "msh22", "-o", msh, geo], check=True, stdout=subprocess.DEVNULL)
        lines = open(msh).read().split("\n")
    i = lines.index("$Nodes")
    n = int(lines[i + 1])
    nodes = [tuple(float(v) for v in lines[i + 2 + k].split()[1:3]) for k in range(n)]
    i = lines.index("$Elements")
    m = int(lines[i + 1])
    segs, tris = [], []
    for k in range(m):
        w = [int(v) for v in lines[i + 2 + k].split()]
        ntags = w[2]
        conn = [v - 1 for v in w[3 + ntags:]]
        (segs if w[1] == 1 else tris if w[1] == 2 else []).append(conn)
    return nodes, segs, tris


def write(path, nodes, segs, tris, centres, comment):
    nn = len(nodes)
    with open(path, "w") as f:
        f.write("$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Comments\n" + comment + "\n$EndComments\n")
        f.write("$PhysicalNames\n%d\n1 1 \"surface\"\n" % (len(centres) + 1))
        for k in range(len(centres)):
            f.write('2 %d "particle_%d"\n' % (k + 2, k + 1))
        f.write("$EndPhysicalNames\n$Nodes\n%d\n" % (nn * len(centres)))
        for k, (cx, cy) in enumerate(centres):
            for j, (x, y) in enumerate(nodes):
                f.write("%d %.17g %.17g 0\n" % (k * nn + j + 1, x + cx, y + cy))
        f.write("$EndNodes\n$Elements\n%d\n" % ((len(segs) + len(tris)) * len(centres)))
        e = 1
        for k in range(len(centres)):
            for s in segs:
                f.write("%d 1 2 1 1 %s\n" % (e, " ".join(str(k * nn + v + 1) for v in s)))
                e += 1
        for k in range(len(centres)):
            for t in tris:
                f.write("%d 2 2 %d %d %s\n" % (e, k + 2, k + 2, " ".join(str(k * nn + v + 1) for v in t)))
                e += 1
        f.write("$EndElements\n")


if __name__ == "__main__" and len(sys.argv) == 5:
    n, r, h = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    nodes, segs, tris = disc(r, h)
    side = int(-(-n ** 0.5 // 1))  # ceil(sqrt(n))
    write(sys.argv[4], nodes, segs, tris, [(3 * r * (k % side), 3 * r * (k // side)) for k in range(n)],
          f"{n} copies of one disc of radius {r} um (cells {h} um); made by make_meshes.py")
elif __name__ == "__main__":
    nodes, segs, tris = disc(1.0, 0.2)
    write(os.path.join(HERE, "discs4.msh"), nodes, segs, tris, [(0, 0), (3, 0), (0, 3), (3, 3)],
          "four copies of one disc of radius 1 um (cells 0.2 um), 3 um apart; made by make_meshes.py")
    nodes, segs, tris = disc(0.5, 0.12)
    write(os.path.join(HERE, "discs16.msh"), nodes, segs, tris, [(1.5 * c, 1.5 * r) for r in range(4) for c in range(4)],
          "sixteen copies of one disc of radius 0.5 um (cells 0.12 um), 1.5 um apart; made by make_meshes.py")
