#!/usr/bin/python3
"""The issue-7 benchmark problem in legacy FEniCS (Debian's python3-dolfin, 2019.2), for the
work-precision comparison with spot. Same physics as spot (see bench/problems/README.md):

    d(theta)/dt = div(D(theta) grad theta) in the particle,  -D grad(theta).n = q on its boundary,
    D(theta) = alpha D_lith 10^(decades / (1 + exp((theta - theta_c)/width))),
    q = |Omega| (C/3600 s) / |dOmega|, |Omega| and |dOmega| measured on this mesh,

in um and s (D in um^2/s). Discretisation: Lagrange P1 or P2 with the consistent mass matrix
and Gauss quadrature exact to degree 2 (P1) or 5 (P2, like spot's); or, for P1 with --vertex,
spot's P1 discretisation: the vertex (trapezoidal) rule for every cell integral, so D(theta) is
averaged from the vertices and the mass matrix is the lumped one. A fixed time step, BDF2 (the first step
backward Euler) with the linear extrapolation 2 theta^n - theta^(n-1) as Newton's first guess;
Newton with the exact Jacobian from UFL's derivative() (a plain loop of assemble(F),
assemble(J) into reused tensors and an LUSolver), to max|delta theta| <= --newton-tol;
dolfin's default LU (PETSc's; MUMPS when present) for the linear solves.

The mesh is a Gmsh msh 2.2 file (triangles; the boundary is the whole of dOmega), read here
directly (no dolfin-convert needed).

    /usr/bin/python3 diffusion_fenics.py MESH.msh --order 1 --dt 30 --out probes.csv

Writes the probe CSV (t_s, theta at probe 1, theta at probe 2) and prints one summary line:
    peer fenics order P dofs N cells M dt DT steps S newton K loop_s T
"""
import argparse
import math
import sys
import time

import dolfin as df


def read_msh22(path):
    """Vertices (x, y) and triangles (0-based) of a Gmsh msh 2.2 ASCII file."""
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    nodes, tris = {}, []
    while i < len(lines):
        s = lines[i].strip()
        if s == "$MeshFormat":
            if not lines[i + 1].startswith("2."):
                sys.exit(f"{path}: not a msh 2.2 file (convert with: gmsh IN.msh -save -format msh22 -o OUT.msh)")
        elif s == "$Nodes":
            n = int(lines[i + 1])
            for k in range(n):
                w = lines[i + 2 + k].split()
                nodes[int(w[0])] = (float(w[1]), float(w[2]))
            i += n + 1
        elif s == "$Elements":
            n = int(lines[i + 1])
            for k in range(n):
                w = lines[i + 2 + k].split()
                if w[1] == "2":  # 3-node triangle: id type ntags tags... nodes
                    nt = int(w[2])
                    tris.append([int(v) for v in w[3 + nt:6 + nt]])
            i += n + 1
        i += 1
    ids = sorted(nodes)
    index = {v: k for k, v in enumerate(ids)}
    return [nodes[v] for v in ids], [[index[v] for v in t] for t in tris]


def make_mesh(path):
    verts, tris = read_msh22(path)
    mesh = df.Mesh()
    ed = df.MeshEditor()
    ed.open(mesh, "triangle", 2, 2)
    ed.init_vertices(len(verts))
    for k, (x, y) in enumerate(verts):
        ed.add_vertex(k, [x, y])
    ed.init_cells(len(tris))
    for k, t in enumerate(tris):
        ed.add_cell(k, t)
    ed.close()
    mesh.order()
    return mesh


def bdf2_newton_step(n, u, u1, u2, cc, F, J, A, b, du, lu, newton_tol):
    """Time step n: backward Euler at n = 1, BDF2 from n = 2 on (the coefficients cc of F switched
    there), from the linear extrapolation 2 u1 - u2; Newton with the exact Jacobian to
    max|delta u| <= newton_tol; then u2, u1 move on. Returns the Newton iterations (also used by
    diffusion3d_fenics.py)."""
    if n == 2:
        for k, c in zip(cc, (1.5, -2.0, 0.5)):
            k.assign(c)
    if n >= 2:
        u.vector()[:] = 2.0 * u1.vector() - u2.vector()
    for its in range(1, 26):
        df.assemble(F, tensor=b)
        df.assemble(J, tensor=A)
        lu.solve(A, du.vector(), b)
        u.vector().axpy(-1.0, du.vector())
        if du.vector().norm("linf") <= newton_tol:
            break
    else:
        sys.exit(f"Newton did not converge at step {n}")
    u2.assign(u1)
    u1.assign(u)
    return its


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mesh")
    p.add_argument("--order", type=int, default=1, choices=(1, 2))
    p.add_argument("--vertex", action="store_true", help="vertex quadrature, spot's P1 (P1 only)")
    p.add_argument("--dt", type=float, default=30.0)
    p.add_argument("--tend", type=float, default=2400.0)
    p.add_argument("--every", type=float, default=120.0)
    p.add_argument("--alpha", type=float, default=2.0)
    p.add_argument("--crate", type=float, default=0.5)
    p.add_argument("--theta0", type=float, default=0.98)
    p.add_argument("--newton-tol", type=float, default=1e-8)
    p.add_argument("--probes", type=float, nargs=4, default=[0.8, 0.8, 0.8, 0.05])
    p.add_argument("--out", default="probes.csv")
    a = p.parse_args()
    if a.vertex and a.order != 1:
        sys.exit("--vertex needs --order 1")
    df.set_log_level(df.LogLevel.WARNING)
    df.parameters["form_compiler"]["cpp_optimize"] = True
    df.parameters["form_compiler"]["cpp_optimize_flags"] = "-O2"

    mesh = make_mesh(a.mesh)
    V = df.FunctionSpace(mesh, "P", a.order)
    if a.vertex:
        dx = df.dx(scheme="vertex", degree=1, metadata={"representation": "quadrature"})
    else:
        dx = df.dx(metadata={"quadrature_degree": 2 if a.order == 1 else 5})
    ds = df.ds(metadata={"quadrature_degree": 2 * a.order})

    area = df.assemble(df.Constant(1.0) * df.dx(domain=mesh))
    perimeter = df.assemble(df.Constant(1.0) * df.ds(domain=mesh))
    q = df.Constant(area * (a.crate / 3600.0) / perimeter)  # N/c_max, um/s, outward

    D_lith, decades, theta_c, width = 1e-14 / 2.7 * 1e8, 2.3, 0.88, 0.025  # smooth Ni-rich law, um^2/s

    def D_app(u):
        sigma = 1.0 / (1.0 + df.exp((u - theta_c) / width))
        return a.alpha * D_lith * df.exp(math.log(10.0) * decades * sigma)

    u, u1, u2, du = df.Function(V), df.Function(V), df.Function(V), df.Function(V)
    v = df.TestFunction(V)
    for f in (u, u1, u2):
        f.vector()[:] = a.theta0
    c0, c1, c2 = 1.0, -1.0, 0.0  # BDF: (c0 u + c1 u1 + c2 u2)/dt
    cc = [df.Constant(c) for c in (c0, c1, c2)]
    F = ((cc[0] * u + cc[1] * u1 + cc[2] * u2) / df.Constant(a.dt)) * v * dx + D_app(u) * df.inner(df.grad(u), df.grad(v)) * dx + q * v * ds
    J = df.derivative(F, u)
    A, b = df.PETScMatrix(), df.PETScVector()
    lu = df.LUSolver()
    nsteps, outevery = round(a.tend / a.dt), round(a.every / a.dt)
    assert abs(nsteps * a.dt - a.tend) < 1e-9 * a.tend and abs(outevery * a.dt - a.every) < 1e-9 * a.every
    pts = [df.Point(a.probes[0], a.probes[1]), df.Point(a.probes[2], a.probes[3])]
    newton = 0
    t0 = time.perf_counter()
    with open(a.out, "w") as out:
        out.write(f"t_s,theta_at_x{a.probes[0]:g}_y{a.probes[1]:g}_um,theta_at_x{a.probes[2]:g}_y{a.probes[3]:g}_um\n")
        for n in range(1, nsteps + 1):
            newton += bdf2_newton_step(n, u, u1, u2, cc, F, J, A, b, du, lu, a.newton_tol)
            if n % outevery == 0:
                out.write(f"{n * a.dt:.12g},{u(pts[0]):.12g},{u(pts[1]):.12g}\n")
    loop = time.perf_counter() - t0
    print(f"peer fenics order {a.order}{' vertex' if a.vertex else ''} dofs {V.dim()} cells {mesh.num_cells()} dt {a.dt:g} steps {nsteps} newton {newton} loop_s {loop:.4f}")


if __name__ == "__main__":
    main()
