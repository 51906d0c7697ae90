#!/usr/bin/env python3
"""Hostile .msh files for tests/cases.d/mesh_file.sh: each breaks one rule of the format or of
a mesh spot can use (mesh/msh_check.c says which). Most start from a small good mesh written
here (a 3 x 3 um square in 18 triangles, or a unit cube in 6 tetrahedra) with one change; the
good meshes go to good/. (Files of more than 1 MB, cut files, FIFOs and devices are made by the
test itself.)
The results are committed; run this again after changing it:
    python3 tests/inputs/msh/make_hostile.py
"""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hostile")


class Mesh:
    """Nodes {tag: (x, y, z)}, blocks [(dim, entity, type, [(tag, [nodes])])], entities per
    dimension [(tag, [physical tags])], physical names [(dim, tag, name)]"""

    def __init__(self, dim):
        self.dim = dim
        self.nodes = {}
        self.blocks = []
        self.entities = {0: [], 1: [], 2: [], 3: []}
        self.names = []

    def element_count(self):
        return sum(len(b[3]) for b in self.blocks)


def square():
    """[0, 3]^2 in 3 x 3 squares of two counter-clockwise triangles; node (i, j) has tag 1 + i + 4 j"""
    m = Mesh(2)
    for j in range(4):
        for i in range(4):
            m.nodes[1 + i + 4 * j] = (float(i), float(j), 0.0)
    lines, tris = [], []
    t = 1
    for k in range(3):  # bottom, right, top, left
        for a, b in [(1 + k, 2 + k), (4 + 4 * k, 8 + 4 * k), (16 - k, 15 - k), (13 - 4 * k, 9 - 4 * k)]:
            lines.append((a, b))
    lines.sort()
    lines = [(t + n, list(ab)) for n, ab in enumerate(lines)]
    t += len(lines)
    for j in range(3):
        for i in range(3):
            a = 1 + i + 4 * j
            b, d, e = a + 1, a + 4, a + 5
            tris.append((t, [a, b, e]))
            tris.append((t + 1, [a, e, d]))
            t += 2
    m.entities[1] = [(1, [1])]
    m.entities[2] = [(1, [2])]
    m.names = [(1, 1, "surface"), (2, 2, "particle")]
    m.blocks = [[1, 1, 1, lines], [2, 1, 2, tris]]
    return m


def orient(m, t):
    """6 x the signed volume of tetrahedron t of mesh m"""
    p = [m.nodes[v] for v in t]
    u = [p[1][k] - p[0][k] for k in range(3)]
    v = [p[2][k] - p[0][k] for k in range(3)]
    w = [p[3][k] - p[0][k] for k in range(3)]
    return u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) + u[2] * (v[0] * w[1] - v[1] * w[0])


def cube():
    """[0, 1]^3 in 6 right-handed tetrahedra around the diagonal from node 1 to node 8"""
    m = Mesh(3)
    for z in range(2):
        for y in range(2):
            for x in range(2):
                m.nodes[1 + x + 2 * y + 4 * z] = (float(x), float(y), float(z))

    tets = []
    for path in [(1, 2, 4), (1, 2, 6), (1, 3, 4), (1, 3, 7), (1, 5, 6), (1, 5, 7)]:
        t = [path[0], path[1], path[2], 8]
        if orient(m, t) < 0:
            t[1], t[2] = t[2], t[1]
        tets.append(t)
    faces = []
    for t in tets:
        for k in range(4):
            f = [v for n, v in enumerate(t) if n != k]
            for axis in range(3):
                c = [m.nodes[v][axis] for v in f]
                if c[0] == c[1] == c[2]:
                    faces.append(f)
    m.entities[2] = [(1, [1])]
    m.entities[3] = [(1, [2])]
    m.names = [(2, 1, "surface"), (3, 2, "particle")]
    m.blocks = [[2, 1, 2, [(1 + n, f) for n, f in enumerate(faces)]], [3, 1, 4, [(13 + n, t) for n, t in enumerate(tets)]]]
    return m


def num(x):
    return repr(float(x)) if not isinstance(x, str) else x


def ascii41(m, header=None, names=None, entities_text=None, nodes_header=None):
    out = ["$MeshFormat", header or "4.1 0 8", "$EndMeshFormat"]
    nm = m.names if names is None else names
    if nm is not None:
        out += ["$PhysicalNames", str(len(nm))] + ['%d %d "%s"' % n for n in nm] + ["$EndPhysicalNames"]
    out.append("$Entities")
    if entities_text is not None:
        out += entities_text
    else:
        out.append(" ".join(str(len(m.entities[d])) for d in range(4)))
        for d in range(4):
            for tag, phys in m.entities[d]:
                box = "0 0 0" if d == 0 else "0 0 0 3 3 3"
                line = "%d %s %d%s" % (tag, box, len(phys), "".join(" %d" % p for p in phys))
                out.append(line + (" 0" if d else ""))
    out.append("$EndEntities")
    tags = sorted(m.nodes)
    out += ["$Nodes", nodes_header or "1 %d %d %d" % (len(tags), tags[0], tags[-1]), "%d 1 0 %d" % (m.dim, len(tags))]
    out += [str(t) for t in tags]
    out += [" ".join(num(c) for c in m.nodes[t]) for t in tags]
    out.append("$EndNodes")
    etags = [e[0] for b in m.blocks for e in b[3]]
    out += ["$Elements", "%d %d %d %d" % (len(m.blocks), len(etags), min(etags), max(etags))]
    for dim, entity, etype, elements in m.blocks:
        out.append("%d %d %d %d" % (dim, entity, etype, len(elements)))
        out += [" ".join(str(v) for v in [tag] + nodes) for tag, nodes in elements]
    out.append("$EndElements")
    return "\n".join(out) + "\n"


def ascii22(m):
    out = ["$MeshFormat", "2.2 0 8", "$EndMeshFormat", "$PhysicalNames", str(len(m.names))]
    out += ['%d %d "%s"' % n for n in m.names] + ["$EndPhysicalNames"]
    tags = sorted(m.nodes)
    out += ["$Nodes", str(len(tags))] + ["%d %s" % (t, " ".join(num(c) for c in m.nodes[t])) for t in tags] + ["$EndNodes"]
    out += ["$Elements", str(m.element_count())]
    for dim, entity, etype, elements in m.blocks:
        phys = dict(m.entities[dim])[entity]
        for tag, nodes in elements:
            out.append("%d %d 2 %d %d %s" % (tag, etype, phys[0] if phys else 0, entity, " ".join(map(str, nodes))))
    out.append("$EndElements")
    return "\n".join(out) + "\n"


def binary41(m, one=1, node_count=None, patch=None):
    """msh 4.1 binary with size_t of 8 bytes; patch(section, bytes) may change a section's data"""
    q = lambda v: struct.pack("<Q", v)
    i = lambda v: struct.pack("<i", v)
    d = lambda v: struct.pack("<d", v)
    out = b"$MeshFormat\n4.1 1 8\n" + i(one) + b"\n$EndMeshFormat\n"
    out += b"$PhysicalNames\n%d\n" % len(m.names) + b"".join(b'%d %d "%s"\n' % (a, t, n.encode()) for a, t, n in m.names) + b"$EndPhysicalNames\n"
    ent = b"".join(q(len(m.entities[k])) for k in range(4))
    for k in range(4):
        for tag, phys in m.entities[k]:
            ent += i(tag) + b"".join(d(0) for _ in range(3 if k == 0 else 6)) + q(len(phys)) + b"".join(i(p) for p in phys)
            if k:
                ent += q(0)
    tags = sorted(m.nodes)
    nodes = q(1) + q(node_count if node_count is not None else len(tags)) + q(tags[0]) + q(tags[-1])
    nodes += i(m.dim) + i(1) + i(0) + q(len(tags)) + b"".join(q(t) for t in tags)
    nodes += b"".join(d(c) for t in tags for c in m.nodes[t])
    etags = [e[0] for b in m.blocks for e in b[3]]
    els = q(len(m.blocks)) + q(len(etags)) + q(min(etags)) + q(max(etags))
    for dim, entity, etype, elements in m.blocks:
        els += i(dim) + i(entity) + i(etype) + q(len(elements))
        els += b"".join(q(tag) + b"".join(q(v) for v in nodes_) for tag, nodes_ in elements)
    sections = {"Entities": ent, "Nodes": nodes, "Elements": els}
    if patch:
        sections = patch(sections)
    for name in ["Entities", "Nodes", "Elements"]:
        out += b"$%s\n" % name.encode() + sections[name] + b"\n$End%s\n" % name.encode()
    return out


def binary22(m, block_count=None):
    i = lambda v: struct.pack("<i", v)
    d = lambda v: struct.pack("<d", v)
    out = b"$MeshFormat\n2.2 1 8\n" + i(1) + b"\n$EndMeshFormat\n"
    out += b"$PhysicalNames\n%d\n" % len(m.names) + b"".join(b'%d %d "%s"\n' % (a, t, n.encode()) for a, t, n in m.names) + b"$EndPhysicalNames\n"
    tags = sorted(m.nodes)
    out += b"$Nodes\n%d\n" % len(tags) + b"".join(i(t) + b"".join(d(c) for c in m.nodes[t]) for t in tags) + b"\n$EndNodes\n"
    out += b"$Elements\n%d\n" % m.element_count()
    for dim, entity, etype, elements in m.blocks:
        phys = dict(m.entities[dim])[entity]
        out += i(etype) + i(block_count if block_count is not None else len(elements)) + i(2)
        out += b"".join(i(tag) + i(phys[0]) + i(entity) + b"".join(i(v) for v in nodes) for tag, nodes in elements)
    out += b"\n$EndElements\n"
    return out


def replace(text, old, new, count=1):
    assert old in text, old
    return text.replace(old, new, count)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    os.makedirs(OUT, exist_ok=True)
    sq, cb = square(), cube()
    base = ascii41(sq)
    write("../good/grid_square.msh", base)
    write("../good/grid_square_crlf.msh", base.replace("\n", "\r\n"))
    write("../good/grid_square_comments.msh", replace(base, "$Entities", "$Comments\nmade by make_hostile.py\n$EndComments\n$Entities") + "$NodeData\n1\n\"not read\"\n$EndNodeData\n")
    write("../good/grid_cube.msh", ascii41(cb))
    write("../good/grid_square_22.msh", ascii22(sq))
    write("../good/grid_square_41_binary.msh", binary41(sq))
    write("../good/grid_square_22_binary.msh", binary22(sq))
    write("../good/grid_cube_41_binary.msh", binary41(cb))
    write("../good/grid_square_41_bigendian.msh", big_endian_41(sq))  # as a big-endian machine writes it

    # --- the file as a whole
    write("empty.msh", "")
    write("junk.msh", "This is not a mesh.\nNeither is this line.\n")
    rnd = random.Random(7)
    write("binary_garbage.msh", bytes([0x89, 0x50, 0x4E, 0x47]) + bytes(rnd.randrange(256) for _ in range(2000)))
    write("version3.msh", replace(base, "4.1 0 8", "3.0 0 8"))
    write("version40.msh", replace(base, "4.1 0 8", "4 0 8"))
    write("nodes_first.msh", base[base.index("$Nodes"):])
    write("unclosed_comments.msh", replace(base, "$Nodes", "$Comments\nmade by hand\n$Nodes"))
    write("unknown_section.msh", replace(base, "$Nodes", "$Parametrizations\n0 0\n$EndParametrizations\n$Nodes"))
    write("unclosed_section.msh", base + "$NodeData\n1\n\"theta\"\n")
    write("periodic.msh", base + "$Periodic\n0\n$EndPeriodic\n")
    write("names_late.msh", replace(replace(base, '$PhysicalNames\n2\n1 1 "surface"\n2 2 "particle"\n$EndPhysicalNames\n', ""), "$EndEntities\n", '$EndEntities\n$PhysicalNames\n2\n1 1 "surface"\n2 2 "particle"\n$EndPhysicalNames\n'))
    write("missing_end.msh", replace(base, "$EndNodes", "$EndNode"))
    write("nul_byte.msh", replace(base, "0.0 0.0 0.0", "0.0 0.0\0 0.0"))
    write("truncated_nodes.msh", base[: base.index("2.0 1.0 0.0")])

    # --- counts
    write("wrong_node_count.msh", replace(base, "1 16 1 16", "1 17 1 17"))
    write("wrong_block_count.msh", replace(base, "2 1 0 16", "2 1 0 20"))
    write("wrong_element_count.msh", replace(base, "2 30 1 30", "2 29 1 30"))
    write("huge_count.msh", replace(base, "1 16 1 16", "1 2000000000 1 16"))
    write("huge_count_64.msh", replace(base, "1 16 1 16", "1 99999999999 1 16"))
    s22 = ascii22(sq)
    write("negative_count_22.msh", replace(s22, "$Nodes\n16", "$Nodes\n-5"))
    write("many_tags_22.msh", replace(s22, "13 2 2 2 1 1 2 6", "13 2 5000 2 1 1 2 6"))

    # --- numbers
    write("nan_coordinate.msh", replace(base, "1.0 1.0 0.0", "nan 1.0 0.0"))
    write("inf_coordinate.msh", replace(base, "1.0 1.0 0.0", "1.0 1e999 0.0"))
    write("bad_number.msh", replace(base, "1.0 1.0 0.0", "1.0 1.0x 0.0"))
    write("huge_coordinate.msh", replace(base, "1.0 1.0 0.0", "1.0 1e200 0.0"))
    write("int_overflow.msh", replace(base, "1 16 1 16\n2 1 0 16\n1\n", "1 16 1 16\n2 1 0 16\n99999999999999999999\n"))

    # --- references
    write("undefined_node.msh", replace(base, "13 1 2 6\n", "13 1 2 99\n"))
    write("unknown_entity.msh", replace(base, "2 1 0 16", "2 7 0 16"))
    write("unknown_element_entity.msh", replace(base, "1 1 1 12", "1 5 1 12"))
    write("bad_entity_dim.msh", replace(base, "2 1 0 16", "7 1 0 16"))
    write("duplicate_node_tag.msh", replace(base, "\n6\n", "\n5\n"))
    sparse = Mesh(2)
    sparse.__dict__.update(square().__dict__)
    sparse.nodes[2000000000] = sparse.nodes.pop(16)
    sparse.blocks = [[d, e, t, [(g, [2000000000 if v == 16 else v for v in ns]) for g, ns in els]] for d, e, t, els in sparse.blocks]
    write("sparse_tags.msh", ascii41(sparse))

    # --- element types and dimensions
    write("unknown_type.msh", replace(base, "1 1 1 12", "1 1 200 12"))
    write("type_dimension.msh", replace(base, "1 1 1 12", "1 1 2 12"))
    lines_only = square()
    lines_only.blocks = lines_only.blocks[:1]
    write("lines_only.msh", ascii41(lines_only))
    no_elements = ascii41(sq)
    no_elements = no_elements[: no_elements.index("$Elements")] + "$Elements\n0 0 0 0\n$EndElements\n"
    write("no_elements.msh", no_elements)
    line3 = square()  # second-order boundary lines under first-order triangles: a midpoint node each
    mids = []
    for tag, (a, b) in line3.blocks[0][3]:
        n = 100 + tag
        line3.nodes[n] = tuple((p + q) / 2 for p, q in zip(line3.nodes[a], line3.nodes[b]))
        mids.append((tag, [a, b, n]))
    line3.blocks[0] = [1, 1, 8, mids]
    write("second_order_boundary.msh", ascii41(line3))

    # --- physical names
    write("long_name.msh", replace(base, '1 1 "surface"', '1 1 "%s"' % ("s" * 200)))
    write("name_spacing.msh", replace(base, '1 1 "surface"', '1 1  "surface"'))
    write("name_colon.msh", replace(base, '2 2 "particle"', '2 2 "part:icle"'))
    write("name_depth.msh", replace(base, '2 2 "particle"', '2 2 "depth"'))
    write("name_twice.msh", replace(base, '2\n1 1 "surface"', '3\n1 1 "surface"\n1 1 "boundary"'))
    write("empty_surface.msh", replace(base, "1 0 0 0 3 3 3 1 1 0", "1 0 0 0 3 3 3 1 3 0"))
    write("many_physicals.msh", replace(base, "1 0 0 0 3 3 3 1 1 0", "1 0 0 0 3 3 3 20 1" + "".join(" %d" % (10 + k) for k in range(19)) + " 0"))
    write("parametric.msh", replace(base, "2 1 0 16", "2 1 1 16"))
    write("z_off_plane.msh", replace(base, "1.0 1.0 0.0", "1.0 1.0 0.5"))

    # --- the mesh as a mesh (2-D)
    m = square()
    m.nodes[7] = (1.5, 0.0, 0.0)  # node (2, 1) onto the bottom side: a flat triangle
    write("degenerate.msh", ascii41(m))
    write("repeated_node.msh", replace(base, "13 1 2 6\n", "13 1 2 2\n"))
    m = square()
    m.nodes[6] = (2.6, 1.3, 0.0)  # node (1, 1) pulled across its neighbours
    write("folded.msh", ascii41(m))
    m = square()
    m.nodes[17] = (0.5, 0.3, 0.0)  # a triangle on the inner side of the boundary edge 1-2
    m.blocks[1][3].append((31, [1, 2, 17]))
    write("overlapping.msh", ascii41(m))
    m = square()
    m.nodes.update({17: (0.5, 0.5, 0.0), 18: (2.5, 0.5, 0.0), 19: (0.5, 2.5, 0.0)})  # a loose triangle on top
    m.blocks[1][3].append((31, [17, 18, 19]))
    write("covered_twice.msh", ascii41(m))
    m = square()
    m.nodes[17] = (1.5, 1.5, 0.0)  # a third triangle on the edge 6-7
    m.blocks[1][3].append((31, [6, 7, 17]))
    write("non_manifold.msh", ascii41(m))
    m = square()
    m.blocks[1][3].append((31, [1, 2, 6]))
    write("duplicate_cell.msh", ascii41(m))
    m = square()
    m.blocks[1][3].append((31, [1, 6, 2]))
    write("duplicate_reversed.msh", ascii41(m))
    m = square()
    m.blocks[0][3].append((31, [6, 7]))
    write("surface_inside.msh", ascii41(m))
    m = square()
    m.blocks[0][3].append((31, [1, 7]))
    write("line_not_edge.msh", ascii41(m))
    m = square()
    m.nodes[17] = (5.0, 5.0, 0.0)
    m.entities[0] = [(1, [])]
    m.blocks.insert(0, [0, 1, 15, [(31, [17])]])
    write("loose_point.msh", ascii41(m))
    cross = Mesh(2)  # two triangles whose sides cross
    cross.nodes = {1: (0.0, 0.0, 0.0), 2: (2.0, 0.0, 0.0), 3: (0.0, 2.0, 0.0), 4: (1.0, -1.0, 0.0), 5: (3.0, 1.0, 0.0), 6: (1.0, 1.5, 0.0)}
    cross.entities = {0: [], 1: [(1, [1])], 2: [(1, [2])], 3: []}
    cross.names = [(1, 1, "surface"), (2, 2, "particle")]
    cross.blocks = [[1, 1, 1, [(1, [1, 2]), (2, [2, 3]), (3, [3, 1]), (4, [4, 5]), (5, [5, 6]), (6, [6, 4])]], [2, 1, 2, [(7, [1, 2, 3]), (8, [4, 5, 6])]]]
    write("self_crossing.msh", ascii41(cross))
    bow = Mesh(2)  # two triangles touching at a corner
    bow.nodes = {1: (0.0, 0.0, 0.0), 2: (1.0, 0.0, 0.0), 3: (1.0, 1.0, 0.0), 4: (2.0, 1.0, 0.0), 5: (2.0, 2.0, 0.0)}
    bow.entities = {0: [], 1: [(1, [1])], 2: [(1, [2])], 3: []}
    bow.names = [(1, 1, "surface"), (2, 2, "particle")]
    bow.blocks = [[1, 1, 1, [(1, [1, 2]), (2, [2, 3]), (3, [3, 1]), (4, [3, 4]), (5, [4, 5]), (6, [5, 3])]], [2, 1, 2, [(7, [1, 2, 3]), (8, [3, 4, 5])]]]
    write("touching.msh", ascii41(bow))

    # --- 3-D
    m = cube()
    m.blocks[1][3][2] = (15, [m.blocks[1][3][2][1][k] for k in (0, 2, 1, 3)])  # one tetrahedron turned inside out
    write("folded_3d.msh", ascii41(m))
    m = cube()
    m.nodes[3] = (0.5, 0.5, 0.0)  # node 3 onto the bottom face's diagonal 1-4: a flat tetrahedron
    write("degenerate_3d.msh", ascii41(m))
    m = cube()
    t = m.blocks[1][3][0][1]
    m.nodes[9] = (0.3, 0.3, 0.1)  # a third tetrahedron on an inner face of the first
    inner = [v for v in t if v != 4] if 4 in t else [v for v in t if v != 6]  # the face away from the cube's side x = 1
    extra = inner + [9]
    if orient(m, extra) < 0:
        extra[0], extra[1] = extra[1], extra[0]
    m.blocks[1][3].append((19, extra))
    write("non_manifold_3d.msh", ascii41(m))
    two = cube()  # a second cube, shifted by half its side: the boundaries intersect
    shift = {v + 8: (x + 0.5, y + 0.5, z + 0.5) for v, (x, y, z) in two.nodes.items()}
    two.nodes.update(shift)
    faces, tets = two.blocks[0][3], two.blocks[1][3]
    two.blocks[0][3] = faces + [(100 + g, [v + 8 for v in f]) for g, f in faces]
    two.blocks[1][3] = tets + [(200 + g, [v + 8 for v in t]) for g, t in tets]
    write("intersecting_3d.msh", ascii41(two))
    nested = cube()  # a small cube inside the big one, apart from it: no faces meet, but cells overlap
    small = {v + 8: (0.4 + 0.2 * x, 0.4 + 0.2 * y, 0.4 + 0.2 * z) for v, (x, y, z) in nested.nodes.items()}
    nested.nodes.update(small)
    faces, tets = nested.blocks[0][3], nested.blocks[1][3]
    nested.blocks[0][3] = faces + [(100 + g, [v + 8 for v in f]) for g, f in faces]
    nested.blocks[1][3] = tets + [(200 + g, [v + 8 for v in t]) for g, t in tets]
    write("nested_3d.msh", ascii41(nested))

    # --- binary
    write("binary_endian.msh", binary41(sq, one=7))
    write("binary_huge_count.msh", binary41(sq, node_count=1 << 40))

    def undefined(sections):
        els = bytearray(sections["Elements"])
        k = els.index(struct.pack("<Q", 13) + struct.pack("<Q", 1))  # element 13, first node
        els[k + 8 : k + 16] = struct.pack("<Q", 99)
        sections["Elements"] = bytes(els)
        return sections

    write("binary_undefined_node.msh", binary41(sq, patch=undefined))

    def entity(sections):
        nodes = bytearray(sections["Nodes"])
        nodes[32 + 4 : 32 + 8] = struct.pack("<i", 7)  # the block's entity tag
        sections["Nodes"] = bytes(nodes)
        return sections

    write("binary_unknown_entity.msh", binary41(sq, patch=entity))
    write("binary22_block_overrun.msh", binary22(sq, block_count=40))
    b = binary41(sq)
    write("binary_truncated.msh", b[: b.index(b"$EndNodes") - 100])


def big_endian_41(m):
    """msh 4.1 binary as a big-endian machine writes it"""
    q = lambda v: struct.pack(">Q", v)
    i = lambda v: struct.pack(">i", v)
    d = lambda v: struct.pack(">d", v)
    out = b"$MeshFormat\n4.1 1 8\n" + i(1) + b"\n$EndMeshFormat\n"
    out += b"$PhysicalNames\n%d\n" % len(m.names) + b"".join(b'%d %d "%s"\n' % (a, t, n.encode()) for a, t, n in m.names) + b"$EndPhysicalNames\n"
    ent = b"".join(q(len(m.entities[k])) for k in range(4))
    for k in range(4):
        for tag, phys in m.entities[k]:
            ent += i(tag) + b"".join(d(0) for _ in range(3 if k == 0 else 6)) + q(len(phys)) + b"".join(i(p) for p in phys) + (q(0) if k else b"")
    tags = sorted(m.nodes)
    nodes = q(1) + q(len(tags)) + q(tags[0]) + q(tags[-1]) + i(m.dim) + i(1) + i(0) + q(len(tags))
    nodes += b"".join(q(t) for t in tags) + b"".join(d(c) for t in tags for c in m.nodes[t])
    etags = [e[0] for b in m.blocks for e in b[3]]
    els = q(len(m.blocks)) + q(len(etags)) + q(min(etags)) + q(max(etags))
    for dim, entity, etype, elements in m.blocks:
        els += i(dim) + i(entity) + i(etype) + q(len(elements)) + b"".join(q(tag) + b"".join(q(v) for v in ns) for tag, ns in elements)
    for name, data in [("Entities", ent), ("Nodes", nodes), ("Elements", els)]:
        out += b"$%s\n" % name.encode() + data + b"\n$End%s\n" % name.encode()
    return out


if __name__ == "__main__":
    main()
