#!/usr/bin/python3
"""The 3-D platelet problem of bench/sections/platelet3d.sh in legacy FEniCS (Debian's python3-dolfin,
2019.2), for comparison with spot on the same tetrahedral meshes. Same physics as spot
(tests/inputs/platelet_c3.xml):

    d(theta)/dt = div(D(theta) K grad theta) in the particle,  K = diag(1, 1, eps) (out-of-plane factor),
    -D K grad(theta).n = q on the physical group "surface" (the side wall), no flux elsewhere,
    D(theta) = alpha D_lith 10^(decades / (1 + exp((theta - theta_c)/width))) (spot's ni_rich_smooth),
    q = |Omega| (C/3600 s) / |surface|, |Omega| and |surface| measured on this mesh,

in um and s (D in um^2/s). Discretisation: Lagrange P1 with the consistent mass matrix and Gauss
quadrature exact to degree 2 (FEniCS's natural choice); or, with --vertex, the vertex
(trapezoidal) rule for every cell integral: D(theta) averaged from the vertices and the lumped
mass, which is spot's `-solver_quadrature vertex` (P1 Galerkin) discretisation. A fixed time
step, BDF2 (the first step backward Euler) with the linear extrapolation 2 theta^n - theta^(n-1)
as Newton's first guess; Newton with the exact Jacobian from UFL's derivative() (assemble(F),
assemble(J) into reused tensors, dolfin's default LU), to max|delta theta| <= --newton-tol.

The mesh is a Gmsh msh 2.2 ASCII file of tetrahedra with the boundary triangles in physical
groups (spot's mesh.msh converted: gmsh mesh.msh -save -format msh22 -o mesh22.msh).

    /usr/bin/python3 diffusion3d_fenics.py MESH.msh --dt 10 --out run.csv

Writes a CSV of t_s, theta at the centroid (every step) and the largest theta in the particle,
and prints one summary line:
    peer fenics3d P1[ vertex] dofs N cells M dt DT steps S newton K loop_s T overshoot O
"""
import argparse
import math
import sys
import time

import dolfin as df

from diffusion_fenics import bdf2_newton_step  # the same BDF2 step as the 2-D peer


def read_msh22(path):
    """Vertices (x, y, z), tetrahedra (0-based) and tagged boundary triangles of a Gmsh msh 2.2
    ASCII file, and the physical names {name: tag}."""
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    nodes, tets, tris, names = {}, [], [], {}
    while i < len(lines):
        s = lines[i].strip()
        if s == "$MeshFormat":
            if not lines[i + 1].startswith("2."):
                sys.exit(f"{path}: not a msh 2.2 file (convert with: gmsh IN.msh -save -format msh22 -o OUT.msh)")
        elif s == "$PhysicalNames":
            n = int(lines[i + 1])
            for k in range(n):
                w = lines[i + 2 + k].split()
                names[w[2].strip('"')] = int(w[1])
            i += n + 1
        elif s == "$Nodes":
            n = int(lines[i + 1])
            for k in range(n):
                w = lines[i + 2 + k].split()
                nodes[int(w[0])] = (float(w[1]), float(w[2]), float(w[3]))
            i += n + 1
        elif s == "$Elements":
            n = int(lines[i + 1])
            for k in range(n):
                w = lines[i + 2 + k].split()
                nt = int(w[2])
                if w[1] == "4":  # 4-node tetrahedron: id type ntags tags... nodes
                    tets.append([int(v) for v in w[3 + nt:7 + nt]])
                elif w[1] == "2":  # boundary triangle; first tag = physical group
                    tris.append((int(w[3]), [int(v) for v in w[3 + nt:6 + nt]]))
            i += n + 1
        i += 1
    ids = sorted(nodes)
    index = {v: k for k, v in enumerate(ids)}
    return ([nodes[v] for v in ids], [[index[v] for v in t] for t in tets],
            [(tag, [index[v] for v in t]) for tag, t in tris], names)


def make_mesh(path):
    verts, tets, tris, names = read_msh22(path)
    if "surface" not in names:
        sys.exit(f"{path}: no physical group \"surface\"")
    mesh = df.Mesh()
    ed = df.MeshEditor()
    ed.open(mesh, "tetrahedron", 3, 3)
    ed.init_vertices(len(verts))
    for k, x in enumerate(verts):
        ed.add_vertex(k, list(x))
    ed.init_cells(len(tets))
    for k, t in enumerate(tets):
        ed.add_cell(k, t)
    ed.close()
    mesh.order()
    # the facets of the "surface" group get marker 1 (dolfin keeps the vertex numbering given above)
    surface = {tuple(sorted(t)) for tag, t in tris if tag == names["surface"]}
    marker = df.MeshFunction("size_t", mesh, 2, 0)
    mesh.init(2, 0)
    fv = mesh.topology()(2, 0)
    found = 0
    for f in range(mesh.num_facets()):
        if tuple(sorted(fv(f))) in surface:
            marker.set_value(f, 1)
            found += 1
    if found != len(surface):
        sys.exit(f"{path}: {len(surface)} \"surface\" triangles, {found} of them facets of the tetrahedra")
    return mesh, marker


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mesh")
    p.add_argument("--vertex", action="store_true", help="vertex quadrature: lumped mass, D from the vertices (spot's -solver_quadrature vertex)")
    p.add_argument("--dt", type=float, default=10.0)
    p.add_argument("--tend", type=float, default=2700.0)
    p.add_argument("--alpha", type=float, default=2.7)
    p.add_argument("--eps", type=float, default=0.1, help="out-of-plane factor: K = diag(1, 1, eps)")
    p.add_argument("--crate", type=float, default=1.0 / 3.0)
    p.add_argument("--theta0", type=float, default=0.97)
    p.add_argument("--newton-tol", type=float, default=1e-8)
    p.add_argument("--out", default="run.csv")
    a = p.parse_args()
    df.set_log_level(df.LogLevel.WARNING)
    df.parameters["form_compiler"]["cpp_optimize"] = True
    df.parameters["form_compiler"]["cpp_optimize_flags"] = "-O2"

    mesh, marker = make_mesh(a.mesh)
    V = df.FunctionSpace(mesh, "P", 1)
    if a.vertex:
        dx = df.dx(scheme="vertex", degree=1, metadata={"representation": "quadrature"})
    else:
        dx = df.dx(metadata={"quadrature_degree": 2})
    ds = df.ds(subdomain_data=marker, metadata={"quadrature_degree": 2})

    volume = df.assemble(df.Constant(1.0) * df.dx(domain=mesh))
    area = df.assemble(df.Constant(1.0) * ds(1, domain=mesh))
    x = df.SpatialCoordinate(mesh)
    centroid = [df.assemble(x[i] * df.dx(domain=mesh)) / volume for i in range(3)]
    q = df.Constant(volume * (a.crate / 3600.0) / area)  # N/c_max, um/s, outward

    D_lith, decades, theta_c, width = 1e-14 / 2.7 * 1e8, 2.3, 0.88, 0.025  # spot's ni_rich_smooth, um^2/s
    K = df.as_matrix(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, a.eps)))

    def D_app(u):
        sigma = 1.0 / (1.0 + df.exp((u - theta_c) / width))
        return a.alpha * D_lith * df.exp(math.log(10.0) * decades * sigma)

    u, u1, u2, du = df.Function(V), df.Function(V), df.Function(V), df.Function(V)
    v = df.TestFunction(V)
    for f in (u, u1, u2):
        f.vector()[:] = a.theta0
    cc = [df.Constant(c) for c in (1.0, -1.0, 0.0)]  # BDF: (c0 u + c1 u1 + c2 u2)/dt
    F = ((cc[0] * u + cc[1] * u1 + cc[2] * u2) / df.Constant(a.dt)) * v * dx \
        + D_app(u) * df.inner(K * df.grad(u), df.grad(v)) * dx + q * v * ds(1)
    J = df.derivative(F, u)
    A, b = df.PETScMatrix(), df.PETScVector()
    lu = df.LUSolver()
    nsteps = round(a.tend / a.dt)
    assert abs(nsteps * a.dt - a.tend) < 1e-9 * a.tend
    pc = df.Point(*centroid)
    newton, overshoot = 0, 0.0
    t0 = time.perf_counter()
    with open(a.out, "w") as out:
        out.write(f"# centroid {centroid[0]:.6g} {centroid[1]:.6g} {centroid[2]:.6g} um, volume {volume:.6g} um^3, surface {area:.6g} um^2\n")
        out.write("t_s,centroid_theta,max_theta\n")
        out.write(f"0,{a.theta0:.12g},{a.theta0:.12g}\n")
        for n in range(1, nsteps + 1):
            newton += bdf2_newton_step(n, u, u1, u2, cc, F, J, A, b, du, lu, a.newton_tol)
            umax = u.vector().max()
            overshoot = max(overshoot, umax - a.theta0)
            out.write(f"{n * a.dt:.12g},{u(pc):.12g},{umax:.12g}\n")
            out.flush()
    loop = time.perf_counter() - t0
    print(f"peer fenics3d P1{' vertex' if a.vertex else ''} dofs {V.dim()} cells {mesh.num_cells()} dt {a.dt:g} steps {nsteps} "
          f"newton {newton} loop_s {loop:.4f} overshoot {overshoot:.3e}")


if __name__ == "__main__":
    main()
