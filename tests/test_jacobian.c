/* Jacobian Taylor test: ‖F(u + h δu) − F(u) − h J(u) δu‖ must fall as h², for every diffusivity
   law (tables included), in 2-D and 3-D, with P1 (lumped mass) and P2, at a smooth non-uniform
   state. Two checks:
   - PETSc's DMTSCheckJacobian (h from 1 to 1e-6, δu random in [0, 1]) for the smooth laws:
     it returns the observed order, asserted 2 ± 0.1, and the residual must not look linear;
   - our own, with δu random in [−0.05, 0.05] and h from 1 to 1e-3, so θ stays inside the
     tables (beyond their ends D is clamped and has a kink): order 2 ± 0.1 for every law (a
     Jacobian missing its D' term scores about 1.2).
   The Kirchhoff quadrature (lean P1 only, no manufactured solutions) gets the second check at a
   random state in [0.4, 0.95] with a surface flux, for the smooth law and a table. */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"

/* Order of ‖F(u + h δ, u_t + shift h δ) − F(u, u_t) − h J δ‖ over h = 1 … 1e-3 */
static PetscErrorCode TaylorOrder(TS ts, Vec u, Vec u_t, PetscReal shift, PetscReal *order)
{
  Vec         du, uh, uh_t, F, Fh, Jdu;
  Mat         J;
  DM          dm;
  PetscRandom rnd;
  PetscReal   logh[4], loge[4], intercept;

  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(DMCreateMatrix(dm, &J));
  PetscCall(VecDuplicate(u, &du));
  PetscCall(VecDuplicate(u, &uh));
  PetscCall(VecDuplicate(u, &uh_t));
  PetscCall(VecDuplicate(u, &F));
  PetscCall(VecDuplicate(u, &Fh));
  PetscCall(VecDuplicate(u, &Jdu));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, -0.05, 0.05));
  PetscCall(VecSetRandom(du, rnd));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(TSComputeIFunction(ts, 0.2, u, u_t, F, PETSC_FALSE));
  PetscCall(TSComputeIJacobian(ts, 0.2, u, u_t, shift, J, J, PETSC_FALSE));
  PetscCall(MatMult(J, du, Jdu));
  for (int i = 0; i < 4; ++i) {
    const PetscReal h = PetscPowReal(10.0, -i);
    PetscReal       e;
    PetscCall(VecWAXPY(uh, h, du, u));
    PetscCall(VecWAXPY(uh_t, h * shift, du, u_t));
    PetscCall(TSComputeIFunction(ts, 0.2, uh, uh_t, Fh, PETSC_FALSE));
    PetscCall(VecAXPBYPCZ(Fh, -1.0, -h, 1.0, F, Jdu));
    PetscCall(VecNorm(Fh, NORM_2, &e));
    logh[i] = PetscLog10Real(h);
    loge[i] = PetscLog10Real(e);
  }
  PetscCall(PetscLinearRegression(4, logh, loge, order, &intercept));
  PetscCall(VecDestroy(&du));
  PetscCall(VecDestroy(&uh));
  PetscCall(VecDestroy(&uh_t));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&Fh));
  PetscCall(VecDestroy(&Jdu));
  PetscCall(MatDestroy(&J));
  PetscFunctionReturn(0);
}

/* the test particle (an ellipse or ellipsoid) and a clean diffusivity law slate */
static PetscErrorCode MeshOptions(PetscInt dim)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsClearValue(NULL, "-phys_diffusivity_file"));
  PetscCall(PetscOptionsClearValue(NULL, "-phys_diffusivity_theta_c"));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_shape_type", dim == 2 ? "ellipse" : "ellipsoid"));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_shape_semi_axes", dim == 2 ? "1,0.7" : "1,0.7,0.5"));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_cell_size", dim == 2 ? "0.2" : "0.35"));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_boundary_cell_size", dim == 2 ? "0.1" : "0.25"));
  PetscFunctionReturn(0);
}

static PetscErrorCode Check(PetscInt dim, PetscInt degree, const char *law[], const char label[], PetscBool smooth)
{
  DM         dm;
  Physics    phys;
  Solver     solver;
  TS         ts;
  PetscDS    ds;
  Vec        u, u_t;
  PetscReal  rate, order;
  PetscBool  linear = PETSC_FALSE;
  char       buf[16];
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";

  PetscFunctionBeginUser;
  PetscCall(MeshOptions(dim));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%" PetscInt_FMT, degree));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_degree", buf));
  PetscCall(PetscOptionsSetValue(NULL, "-phys_alpha", "2.7"));
  PetscCall(PetscOptionsSetValue(NULL, "-phys_out_of_plane_factor", "0.3"));
  for (int i = 0; law[i]; i += 2) PetscCall(PetscOptionsSetValue(NULL, law[i], law[i + 1]));
  PetscCall(MeshCreateFromOptions(PETSC_COMM_WORLD, tmp, &dm));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  PetscCall(PhysicsSetManufactured(phys, 1.7, 1.0));
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverGetDM(solver, &dm));
  PetscCall(SolverGetTS(solver, &ts));
  PetscCall(SolverSetFlux(solver, 3e-3));
  PetscCall(DMGetDS(dm, &ds));
  PetscCall(PetscDSSetExactSolution(ds, 0, PhysicsManufacturedSolution, phys));
  PetscCall(DMCreateGlobalVector(dm, &u));
  PetscCall(VecDuplicate(u, &u_t));
  PetscCall(TSSetTimeStep(ts, 0.05));
  if (smooth) {
    PetscCall(DMTSCheckJacobian(ts, dm, 0.2, u, u_t, -1.0, &linear, &rate));
    CHECK(!linear, "%s %" PetscInt_FMT "-D P%" PetscInt_FMT ": the residual looks linear, the test is vacuous", label, dim, degree);
    CHECK(PetscAbsReal(rate - 2) <= 0.1, "%s %" PetscInt_FMT "-D P%" PetscInt_FMT ": DMTSCheckJacobian order %.3f, expected 2", label, dim, degree, (double)rate);
  } else PetscCall(DMComputeExactSolution(dm, 0.2, u, u_t)); /* the same smooth state */
  PetscCall(TaylorOrder(ts, u, u_t, 20.0, &order));
  if (smooth) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-22s %" PetscInt_FMT "-D P%" PetscInt_FMT ": Taylor order %.3f, DMTSCheckJacobian %.3f\n", label, dim, degree, (double)order, (double)rate));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-22s %" PetscInt_FMT "-D P%" PetscInt_FMT ": Taylor order %.3f\n", label, dim, degree, (double)order));
  CHECK(PetscAbsReal(order - 2) <= 0.1, "%s %" PetscInt_FMT "-D P%" PetscInt_FMT ": Taylor order %.3f, expected 2", label, dim, degree, (double)order);
  PetscCall(VecDestroy(&u));
  PetscCall(VecDestroy(&u_t));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckKirchhoff(PetscInt dim, const char *law[], const char label[])
{
  DM          dm;
  Physics     phys;
  Solver      solver;
  TS          ts;
  Vec         u, u_t;
  PetscRandom rnd;
  PetscReal   order;
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";

  PetscFunctionBeginUser;
  PetscCall(MeshOptions(dim));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_degree", "1"));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_quadrature", "kirchhoff"));
  for (int i = 0; law[i]; i += 2) PetscCall(PetscOptionsSetValue(NULL, law[i], law[i + 1]));
  PetscCall(MeshCreateFromOptions(PETSC_COMM_WORLD, tmp, &dm));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverGetTS(solver, &ts));
  PetscCall(SolverSetFlux(solver, 3e-3));
  PetscCall(SolverGetSolution(solver, &u));
  PetscCall(VecDuplicate(u, &u_t));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(PetscRandomSetInterval(rnd, 0.4, 0.95));
  PetscCall(VecSetRandom(u, rnd));
  PetscCall(PetscRandomSetInterval(rnd, -1e-3, 1e-3));
  PetscCall(VecSetRandom(u_t, rnd));
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(TSSetTimeStep(ts, 0.05));
  PetscCall(TaylorOrder(ts, u, u_t, 20.0, &order));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-22s %" PetscInt_FMT "-D P1 Kirchhoff: Taylor order %.3f\n", label, dim, (double)order));
  CHECK(PetscAbsReal(order - 2) <= 0.1, "%s %" PetscInt_FMT "-D P1 Kirchhoff: Taylor order %.3f, expected 2", label, dim, (double)order);
  PetscCall(PetscOptionsSetValue(NULL, "-solver_quadrature", "vertex"));
  PetscCall(VecDestroy(&u_t));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  const char *exponential[] = {"-phys_diffusivity_law", "exponential", "-phys_diffusivity_D_ref", "0.3", "-phys_diffusivity_rate", "-6", NULL};
  const char *logistic[]    = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_diffusivity_D_lithiated", "0.01", "-phys_diffusivity_theta_c", "0.6", "-phys_diffusivity_width", "0.08", NULL};
  const char *table[]       = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nmc811_LGM50_diffusivity_ORegan2022_fit.csv", NULL};
  const char *measured[]    = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nco_diffusivity_Ecker2015_GITT.csv", NULL};
  const char **laws[]       = {exponential, logistic, table, measured};
  const char  *names[]      = {"exponential", "logistic", "table O'Regan 2022", "table Ecker 2015"};
  PetscInt     dims[] = {2, 3}, degrees[] = {1, 2};

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  for (int l = 0; l < 4; ++l)
    for (int d = 0; d < 2; ++d)
      for (int p = 0; p < 2; ++p) {
        if (dims[d] == 3 && l > 1 && degrees[p] == 2) continue; /* keep the run short */
        PetscCall(Check(dims[d], degrees[p], laws[l], names[l], l < 2 ? PETSC_TRUE : PETSC_FALSE));
      }
  PetscCall(CheckKirchhoff(2, logistic, names[1]));
  PetscCall(CheckKirchhoff(3, logistic, names[1]));
  PetscCall(CheckKirchhoff(2, measured, names[3]));
  PetscCall(PetscFinalize());
  return test_failures;
}
