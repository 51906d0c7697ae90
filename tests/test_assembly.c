/* The lean assembly (solver/assemble.c) against PetscFE's (DMPlexTSComputeIFunctionFEM /
   IJacobianFEM) on the same mesh: residual and Jacobian at a random state agree to 1e-12
   relative, for every diffusivity law, in 2-D and 3-D, with D at the vertices or at Gauss points,
   P1 with a lumped or consistent mass and P2, with a uniform surface flux or Butler–Volmer at a
   set potential (whose surface blocks join the cells'), on any number of
   ranks (one rank writes the CSR directly, several go through MatSetValuesCOO on the solver's own
   matrix or MatSetValuesLocal on any other).
   The Kirchhoff quadrature (flux from the vertex values of Φ = ∫D dθ) has no PetscFE twin: with a
   constant D it must equal the vertex rule; with the Ni-rich law, at a state whose Φ is an affine
   function of x, its stiffness residual must vanish at every interior vertex (P1 is exact for
   affine Φ), while the vertex rule's does not. */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"

static PetscErrorCode Build(DM dm, const char assembly[], const char quadrature[], Solver *s, Physics *phys)
{
  PetscBool kinetic;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-solver_assembly", assembly));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_quadrature", quadrature));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, phys));
  PetscCall(PhysicsSetFromOptions(*phys));
  PetscCall(SolverCreate(dm, *phys, s));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-phys_ocp_law", &kinetic));
  if (kinetic) PetscCall(SolverSetPotentiostatic(*s, 3.8)); /* Butler–Volmer: the surface's Jacobian blocks join the cells' */
  else PetscCall(SolverSetFlux(*s, 2e-3));
  PetscFunctionReturn(0);
}

/* solver/cells.c's table of dm's cells against DMPlex, cell by cell: the affine map (DMPlexComputeCellGeometryAffineFEM,
   1e-12 relative) and the dofs (DMPlexGetClosureIndices, exactly) */
static PetscErrorCode CellsAgree(DM dm, const char label[])
{
  const SolverCells *t;
  PetscSection       section;
  PetscInt           cStart, cEnd, dim, bad_map = 0, bad_dofs = 0;

  PetscFunctionBeginUser;
  PetscCall(SolverCellsGet(dm, &t));
  CHECK(t != NULL, "%s: no cell table", label);
  if (!t) PetscFunctionReturn(0);
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMGetLocalSection(dm, &section));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  CHECK(t->cStart == cStart && t->ncells == cEnd - cStart, "%s: the table has cells %" PetscInt_FMT "+%" PetscInt_FMT ", the DM %" PetscInt_FMT "-%" PetscInt_FMT, label, t->cStart, t->ncells, cStart, cEnd);
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscReal v0[3], J[9], invJ[9], detJ, w0[3], K[9], invK[9], detK, scale = 0, err = 0;
    PetscInt  n, *ix = NULL;
    PetscCall(DMPlexComputeCellGeometryAffineFEM(dm, c, v0, J, invJ, &detJ));
    SolverCellAffine(t, c - cStart, w0, K, invK, &detK);
    for (PetscInt i = 0; i < dim * dim; ++i) scale = PetscMax(scale, PetscAbsReal(J[i]));
    for (PetscInt i = 0; i < dim; ++i) err = PetscMax(err, PetscAbsReal(v0[i] - w0[i]) / PetscMax(1, PetscAbsReal(v0[i])));
    for (PetscInt i = 0; i < dim * dim; ++i) err = PetscMax(err, PetscAbsReal(J[i] - K[i]) / scale + PetscAbsReal(invJ[i] - invK[i]) * scale);
    err = PetscMax(err, PetscAbsReal(detJ - detK) / PetscAbsReal(detJ));
    if (err > 1e-12) ++bad_map;
    PetscCall(DMPlexGetClosureIndices(dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
    if (n != t->Nb) ++bad_dofs;
    else
      for (PetscInt b = 0; b < n; ++b)
        if (ix[b] != t->idx[(c - cStart) * t->Nb + b]) {
          ++bad_dofs;
          break;
        }
    PetscCall(DMPlexRestoreClosureIndices(dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
  }
  CHECK(bad_map == 0 && bad_dofs == 0, "%s: the cell table differs from DMPlex on %" PetscInt_FMT " cells' affine maps and %" PetscInt_FMT " cells' dofs of %" PetscInt_FMT, label, bad_map, bad_dofs, cEnd - cStart);
  PetscFunctionReturn(0);
}

/* the lean assembly with quadrature lean_q against PetscFE's with fe_q */
static PetscErrorCode Compare(const char msh[], const char *law[], const char lean_q[], const char fe_q[], const char label[])
{
  Solver      lean, fe;
  Physics     p1, p2;
  TS          ts_lean, ts_fe;
  Vec         u, u_t, F1, F2, u2, u_t2;
  Mat         J1, J2;
  PetscRandom rnd;
  PetscReal   nF, dF, nJ, dJ;
  DM          dm1, dm2, mesh, clone;

  PetscFunctionBeginUser;
  for (int i = 0; law[i]; i += 2) PetscCall(PetscOptionsSetValue(NULL, law[i], law[i + 1]));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &mesh));
  PetscCall(DMClone(mesh, &clone)); /* the same distributed mesh, its own fields */
  PetscCall(Build(mesh, "lean", lean_q, &lean, &p1));
  PetscCall(Build(clone, "plexfem", fe_q, &fe, &p2));
  PetscCall(CellsAgree(mesh, label));
  PetscCall(DMDestroy(&mesh));
  PetscCall(DMDestroy(&clone));
  { /* else the comparison would be PetscFE's with itself */
    PetscBool lean_lean, fe_lean;
    PetscCall(SolverUsesLeanAssembly(lean, &lean_lean));
    PetscCall(SolverUsesLeanAssembly(fe, &fe_lean));
    CHECK(lean_lean && !fe_lean, "%s: the solvers use the lean assembly %d and %d, expected 1 and 0", label, (int)lean_lean, (int)fe_lean);
  }
  PetscCall(SolverGetTS(lean, &ts_lean));
  PetscCall(SolverGetTS(fe, &ts_fe));
  PetscCall(SolverGetDM(lean, &dm1));
  PetscCall(SolverGetDM(fe, &dm2));
  PetscCall(SolverGetSolution(lean, &u));
  PetscCall(SolverGetSolution(fe, &u2));
  PetscCall(VecDuplicate(u, &u_t));
  PetscCall(VecDuplicate(u2, &u_t2));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, 0.35, 0.98));
  PetscCall(VecSetRandom(u, rnd));
  PetscCall(PetscRandomSetInterval(rnd, -1e-3, 1e-3));
  PetscCall(VecSetRandom(u_t, rnd));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecCopy(u, u2)); /* same distributed mesh: same layout */
  PetscCall(VecCopy(u_t, u_t2));
  PetscCall(VecDuplicate(u, &F1));
  PetscCall(VecDuplicate(u2, &F2));
  PetscCall(DMCreateMatrix(dm1, &J1));
  PetscCall(DMCreateMatrix(dm2, &J2));
  PetscCall(TSComputeIFunction(ts_lean, 0.0, u, u_t, F1, PETSC_FALSE));
  PetscCall(TSComputeIFunction(ts_fe, 0.0, u2, u_t2, F2, PETSC_FALSE));
  PetscCall(TSComputeIJacobian(ts_lean, 0.0, u, u_t, 37.0, J1, J1, PETSC_FALSE));
  PetscCall(TSComputeIJacobian(ts_fe, 0.0, u2, u_t2, 37.0, J2, J2, PETSC_FALSE));
  PetscCall(VecNorm(F2, NORM_2, &nF));
  PetscCall(VecAXPY(F1, -1.0, F2));
  PetscCall(VecNorm(F1, NORM_2, &dF));
  PetscCall(MatNorm(J2, NORM_FROBENIUS, &nJ));
  PetscCall(MatAXPY(J1, -1.0, J2, DIFFERENT_NONZERO_PATTERN));
  PetscCall(MatNorm(J1, NORM_FROBENIUS, &dJ));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-20s residual %.2e, Jacobian %.2e (relative differences)\n", label, (double)(dF / nF), (double)(dJ / nJ)));
  CHECK(dF <= 1e-12 * nF, "%s: lean and PetscFE residuals differ by %.3e relative", label, (double)(dF / nF));
  CHECK(dJ <= 1e-12 * nJ, "%s: lean and PetscFE Jacobians differ by %.3e relative", label, (double)(dJ / nJ));
  CHECK(nF > 0 && nJ > 0, "%s: zero residual or Jacobian, the comparison is vacuous", label);
  { /* the solver's own matrix (preallocated from the cells: CSR on one rank, COO on several) */
    Mat Jown;
    PetscCall(TSGetIJacobian(ts_lean, &Jown, NULL, NULL, NULL));
    PetscCall(TSComputeIJacobian(ts_lean, 0.0, u, u_t, 37.0, Jown, Jown, PETSC_FALSE));
    PetscCall(MatAXPY(Jown, -1.0, J2, DIFFERENT_NONZERO_PATTERN));
    PetscCall(MatNorm(Jown, NORM_FROBENIUS, &dJ));
    CHECK(dJ <= 1e-12 * nJ, "%s: the solver's own Jacobian matrix differs from PetscFE's by %.3e relative", label, (double)(dJ / nJ));
  }
  PetscCall(VecDestroy(&u_t));
  PetscCall(VecDestroy(&u_t2));
  PetscCall(VecDestroy(&F1));
  PetscCall(VecDestroy(&F2));
  PetscCall(MatDestroy(&J1));
  PetscCall(MatDestroy(&J2));
  PetscCall(SolverDestroy(&lean));
  PetscCall(SolverDestroy(&fe));
  PetscCall(PhysicsDestroy(&p1));
  PetscCall(PhysicsDestroy(&p2));
  PetscFunctionReturn(0);
}

/* The stiffness part of the Jacobian (the lumped mass is diagonal) at a random state: how many
   off-diagonal entries are positive (beyond round-off), which would let θ leave its bounds */
static PetscErrorCode PositiveCouplings(const char msh[], const char *law[], const char quadrature[], PetscInt *positive, PetscInt *couplings)
{
  Solver      s;
  Physics     phys;
  TS          ts;
  DM          mesh;
  Vec         u, u_t;
  Mat         J;
  PetscInt    rStart, rEnd, counts[2] = {0, 0};
  PetscRandom rnd;
  PetscReal   scale = 0;

  PetscFunctionBeginUser;
  for (const char **o = law; *o; o += 2) PetscCall(PetscOptionsSetValue(NULL, o[0], o[1]));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &mesh));
  PetscCall(Build(mesh, "lean", quadrature, &s, &phys));
  PetscCall(DMDestroy(&mesh));
  PetscCall(SolverGetTS(s, &ts));
  PetscCall(SolverGetSolution(s, &u));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, 0.5, 0.99));
  PetscCall(VecSetRandom(u, rnd));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDuplicate(u, &u_t));
  PetscCall(VecZeroEntries(u_t));
  PetscCall(TSGetIJacobian(ts, &J, NULL, NULL, NULL)); /* the solver's own */
  PetscCall(TSComputeIJacobian(ts, 0.0, u, u_t, 0.0, J, J, PETSC_FALSE));
  PetscCall(MatGetOwnershipRange(J, &rStart, &rEnd));
  for (int pass = 0; pass < 2; ++pass)
    for (PetscInt r = rStart; r < rEnd; ++r) {
      const PetscInt    *col;
      const PetscScalar *v;
      PetscInt           nz;
      PetscCall(MatGetRow(J, r, &nz, &col, &v));
      for (PetscInt t = 0; t < nz; ++t) {
        if (pass == 0 && col[t] == r) scale = PetscMax(scale, PetscAbsScalar(v[t]));
        if (pass == 1 && col[t] != r) {
          counts[1]++;
          if (PetscRealPart(v[t]) > 1e-12 * scale) counts[0]++;
        }
      }
      PetscCall(MatRestoreRow(J, r, &nz, &col, &v));
    }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPIU_INT, MPI_SUM, PETSC_COMM_WORLD));
  *positive  = counts[0];
  *couplings = counts[1];
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "3-D %-9s  %" PetscInt_FMT " of %" PetscInt_FMT " off-diagonal couplings positive\n", quadrature, counts[0], counts[1]));
  for (const char **o = law; *o; o += 2) PetscCall(PetscOptionsClearValue(NULL, o[0]));
  PetscCall(VecDestroy(&u_t));
  PetscCall(SolverDestroy(&s));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

/* Kirchhoff: at θ with Φ(θ_i) = Φ(0.9) + g·x_i (Φ affine in x, θ from 0.55 to 0.98 over the
   ellipse) and no surface flux, the stiffness residual vanishes at interior vertices; returns
   max |F_i| over interior vertices relative to max |F_i| over all */
static PetscErrorCode AffinePotential(const char msh[], const char quadrature[], PetscReal *interior)
{
  Solver             s;
  Physics            phys;
  TS                 ts;
  DM                 mesh;
  Vec                u, u_t, F, X[3];
  PetscReal         *table, Phi_lo, Phi_hi, dummy, fmax_in = 0, fmax = 0, lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {PETSC_MIN_REAL, PETSC_MIN_REAL};
  const PetscScalar *c, *x, *y, *f;
  PetscScalar       *th;
  PetscInt           n, nc;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-phys_diffusivity_law", "ni_rich_smooth"));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &mesh));
  PetscCall(Build(mesh, "lean", quadrature, &s, &phys));
  PetscCall(DMDestroy(&mesh));
  PetscCall(SolverSetFlux(s, 0));
  PetscCall(SolverGetTS(s, &ts));
  PetscCall(SolverGetSolution(s, &u));
  PetscCall(SolverDofCoordinates(s, X));
  PetscCall(PhysicsGetConstants(phys, &nc, &c));
  PetscCall(PhysicsKirchhoffTable(phys, &table));
  PhysKirchhoff(0.55, &c[PHYS_LAW], table, &Phi_lo, &dummy);
  PhysKirchhoff(0.98, &c[PHYS_LAW], table, &Phi_hi, &dummy);
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetArrayRead(X[0], &x));
  PetscCall(VecGetArrayRead(X[1], &y));
  for (PetscInt i = 0; i < n; ++i) {
    lo[0] = PetscMin(lo[0], PetscRealPart(x[i]));
    hi[0] = PetscMax(hi[0], PetscRealPart(x[i]));
    lo[1] = PetscMin(lo[1], PetscRealPart(y[i]));
    hi[1] = PetscMax(hi[1], PetscRealPart(y[i]));
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lo, 2, MPIU_REAL, MPIU_MIN, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, hi, 2, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCall(VecGetArray(u, &th));
  for (PetscInt i = 0; i < n; ++i) { /* invert Φ by bisection: Φ(θ) = Φ_lo + (Φ_hi − Φ_lo)(x − x_lo)/(x_hi − x_lo) */
    const PetscReal target = Phi_lo + (Phi_hi - Phi_lo) * (PetscRealPart(x[i]) - lo[0]) / (hi[0] - lo[0]);
    PetscReal       a = 0.5, b = 1.0;
    for (int it = 0; it < 60; ++it) {
      PetscReal m = 0.5 * (a + b), Pm;
      PhysKirchhoff(m, &c[PHYS_LAW], table, &Pm, &dummy);
      if (Pm < target) a = m;
      else b = m;
    }
    th[i] = 0.5 * (a + b);
  }
  PetscCall(VecRestoreArray(u, &th));
  PetscCall(VecDuplicate(u, &u_t));
  PetscCall(VecDuplicate(u, &F));
  PetscCall(VecZeroEntries(u_t));
  PetscCall(TSComputeIFunction(ts, 0.0, u, u_t, F, PETSC_FALSE));
  PetscCall(VecGetArrayRead(F, &f));
  for (PetscInt i = 0; i < n; ++i) { /* interior: strictly inside the ellipse (boundary vertices lie on it) */
    const PetscReal ex = (PetscRealPart(x[i]) - 0.5 * (lo[0] + hi[0])) / (0.5 * (hi[0] - lo[0])), ey = (PetscRealPart(y[i]) - 0.5 * (lo[1] + hi[1])) / (0.5 * (hi[1] - lo[1]));
    fmax = PetscMax(fmax, PetscAbsScalar(f[i]));
    if (ex * ex + ey * ey < 1 - 1e-6) fmax_in = PetscMax(fmax_in, PetscAbsScalar(f[i]));
  }
  PetscCall(VecRestoreArrayRead(F, &f));
  PetscCall(VecRestoreArrayRead(X[0], &x));
  PetscCall(VecRestoreArrayRead(X[1], &y));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &fmax, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &fmax_in, 1, MPIU_REAL, MPIU_MAX, PETSC_COMM_WORLD));
  CHECK(fmax > 0, "%s: zero residual, the test is vacuous", quadrature);
  *interior = fmax_in / fmax;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "affine Phi, %-9s  interior residual / boundary residual %.2e\n", quadrature, (double)*interior));
  for (int d = 0; d < 3; ++d) PetscCall(VecDestroy(&X[d]));
  PetscCall(PetscFree(table));
  PetscCall(VecDestroy(&u_t));
  PetscCall(VecDestroy(&F));
  PetscCall(SolverDestroy(&s));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const char *logistic[] = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_alpha", "2.7", NULL};
  const char *table[]    = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nco_diffusivity_Ecker2015_GITT.csv", NULL};
  const char *expo[]     = {"-phys_diffusivity_law", "exponential", "-phys_diffusivity_D_ref", "0.3", "-phys_diffusivity_rate", "-6", "-phys_out_of_plane_factor", "0.25", NULL};
  const char *constant[] = {"-phys_diffusivity_law", "constant", "-phys_diffusivity_value", "0.3", "-phys_alpha", "1.5", NULL};
  char        msh2[PETSC_MAX_PATH_LEN], msh3[PETSC_MAX_PATH_LEN], msh3e[PETSC_MAX_PATH_LEN];
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscSNPrintf(msh2, sizeof(msh2), "%s/assembly_2d.msh", tmp));
  PetscCall(PetscSNPrintf(msh3, sizeof(msh3), "%s/assembly_3d.msh", tmp));
  PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type ellipse -mesh_shape_semi_axes 1,0.6 -mesh_cell_size 0.1 -mesh_boundary_cell_size 0.05"));
  PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh2));
  PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type platelet -mesh_shape_semi_axes 1,0.6 -mesh_shape_thickness 0.3 -mesh_cell_size 0.15 -mesh_boundary_cell_size 0.1"));
  PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh3));
  PetscCall(PetscSNPrintf(msh3e, sizeof(msh3e), "%s/assembly_3d_eps.msh", tmp)); /* made in the metric of ε = 0.25 */
  PetscCall(PetscOptionsSetValue(NULL, "-phys_out_of_plane_factor", "0.25"));
  PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh3e));
  PetscCall(PetscOptionsClearValue(NULL, "-phys_out_of_plane_factor"));
  PetscCall(Compare(msh2, logistic, "vertex", "vertex", "2-D ni_rich_smooth"));
  PetscCall(Compare(msh2, table, "vertex", "vertex", "2-D Ecker table"));
  PetscCall(Compare(msh2, expo, "vertex", "vertex", "2-D exponential"));
  PetscCall(Compare(msh3, logistic, "vertex", "vertex", "3-D ni_rich_smooth"));
  PetscCall(Compare(msh3, expo, "vertex", "vertex", "3-D exponential, eps"));
  /* D at Gauss points: the lean loop's general path */
  PetscCall(Compare(msh2, logistic, "gauss", "gauss", "2-D Gauss, logistic"));
  PetscCall(Compare(msh3, expo, "gauss", "gauss", "3-D Gauss, eps"));
  /* Kirchhoff with a constant D: Φ = D (θ − 1), the vertex rule's discretisation; with a
     consistent mass, Gauss points' (exact for the mass and, D constant, the flux) */
  PetscCall(Compare(msh2, constant, "kirchhoff", "vertex", "2-D Kirchhoff, D const"));
  { /* 3-D, lumped: the Kirchhoff flux runs along edges with the Voronoi dual's conductances, which
       couple vertices only negatively (an M-matrix: θ stays within its bounds), where P1's stiffness
       has positive couplings on the same Gmsh mesh; also with ε = 0.25 on a mesh made in that metric */
    PetscInt positive, couplings;
    PetscCall(PositiveCouplings(msh3, logistic, "kirchhoff", &positive, &couplings));
    CHECK(positive == 0, "3-D Kirchhoff flux: %" PetscInt_FMT " of %" PetscInt_FMT " couplings positive, expected none", positive, couplings);
    PetscCall(PositiveCouplings(msh3, logistic, "vertex", &positive, &couplings));
    CHECK(positive > couplings / 20, "3-D vertex rule: only %" PetscInt_FMT " of %" PetscInt_FMT " couplings positive; the mesh does not test what it should", positive, couplings);
    PetscCall(PositiveCouplings(msh3e, expo, "kirchhoff", &positive, &couplings));
    CHECK(positive == 0, "3-D Kirchhoff flux, eps: %" PetscInt_FMT " of %" PetscInt_FMT " couplings positive, expected none", positive, couplings);
  }
  PetscCall(PetscOptionsSetValue(NULL, "-solver_mass_lumping", "false"));
  PetscCall(Compare(msh2, constant, "kirchhoff", "gauss", "2-D Kirchhoff, consistent"));
  PetscCall(Compare(msh3, constant, "kirchhoff", "gauss", "3-D Kirchhoff, consistent"));
  PetscCall(PetscOptionsClearValue(NULL, "-solver_mass_lumping"));
  {
    PetscReal kirchhoff, vertex;
    PetscCall(PetscOptionsClearValue(NULL, "-phys_out_of_plane_factor"));
    PetscCall(AffinePotential(msh2, "kirchhoff", &kirchhoff));
    PetscCall(AffinePotential(msh2, "vertex", &vertex));
    CHECK(kirchhoff < 1e-10, "Kirchhoff: interior residual %.3e of the boundary's at an affine Phi, expected round-off", (double)kirchhoff);
    CHECK(vertex > 1e-3, "vertex rule: interior residual only %.3e of the boundary's at an affine Phi; the state does not test what it should", (double)vertex);
    PetscCall(PetscOptionsSetValue(NULL, "-solver_mass_lumping", "false")); /* the flux is Kirchhoff's with a consistent mass too */
    PetscCall(AffinePotential(msh2, "kirchhoff", &kirchhoff));
    PetscCall(PetscOptionsClearValue(NULL, "-solver_mass_lumping"));
    CHECK(kirchhoff < 1e-10, "Kirchhoff, consistent mass: interior residual %.3e of the boundary's at an affine Phi, expected round-off", (double)kirchhoff);
  }
  { /* the consistent mass (its θ_t and shift terms), and P2, whose gradients vary within a cell */
    const char *p1_consistent[] = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_alpha", "2.7", "-solver_mass_lumping", "false", NULL};
    const char *p2_logistic[]   = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_alpha", "2.7", "-solver_degree", "2", NULL};
    const char *p2_table[]      = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nco_diffusivity_Ecker2015_GITT.csv", NULL};
    const char *p2_expo[]       = {"-phys_diffusivity_law", "exponential", "-phys_diffusivity_D_ref", "0.3", "-phys_diffusivity_rate", "-6", "-phys_out_of_plane_factor", "0.25", NULL};
    PetscCall(Compare(msh2, p1_consistent, "gauss", "gauss", "2-D P1, consistent"));
    PetscCall(PetscOptionsClearValue(NULL, "-solver_mass_lumping"));
    PetscCall(Compare(msh2, p2_logistic, "gauss", "gauss", "2-D P2, logistic"));
    PetscCall(Compare(msh2, p2_table, "gauss", "gauss", "2-D P2, Ecker table"));
    PetscCall(Compare(msh3, p2_expo, "gauss", "gauss", "3-D P2, eps"));
  }
  { /* a CV hold (Butler–Volmer at a set potential), P2 and P1 */
    const char *bv[] = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_ocp_law", "nernst", "-phys_ocp_value", "3.8", "-phys_exchange_current_law", "power", "-phys_exchange_current_value", "5", "-phys_exchange_current_a", "0.5", "-phys_exchange_current_b", "0.5", "-phys_out_of_plane_factor", "1", NULL};
    PetscCall(Compare(msh2, bv, "gauss", "gauss", "2-D P2, CV hold"));
    PetscCall(Compare(msh3, bv, "gauss", "gauss", "3-D P2, CV hold"));
    PetscCall(PetscOptionsSetValue(NULL, "-solver_degree", "1"));
    PetscCall(Compare(msh2, bv, "vertex", "vertex", "2-D P1, CV hold"));
  }
  PetscCall(PetscFinalize());
  return test_failures;
}
