/* The lean P1 assembly (solver/assemble.c) against PetscFE's (DMPlexTSComputeIFunctionFEM /
   IJacobianFEM) on the same mesh: residual and Jacobian at a random state agree to 1e-12
   relative, for every diffusivity law, in 2-D and 3-D, with D at the vertices or at Gauss points, with a surface flux, on any number of
   ranks (one rank writes the CSR directly, several go through MatSetValuesCOO on the solver's own
   matrix or MatSetValuesLocal on any other). */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"

static PetscErrorCode Build(DM dm, const char assembly[], Solver *s, Physics *phys)
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-solver_assembly", assembly));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, phys));
  PetscCall(PhysicsSetFromOptions(*phys));
  PetscCall(SolverCreate(dm, *phys, s));
  PetscCall(SolverSetFlux(*s, 2e-3));
  PetscFunctionReturn(0);
}

static PetscErrorCode Compare(const char msh[], const char *law[], const char label[])
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
  PetscCall(Build(mesh, "lean", &lean, &p1));
  PetscCall(Build(clone, "plexfem", &fe, &p2));
  PetscCall(DMDestroy(&mesh));
  PetscCall(DMDestroy(&clone));
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

int main(int argc, char **argv)
{
  const char *logistic[] = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_alpha", "2.7", NULL};
  const char *table[]    = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nco_diffusivity_Ecker2015_GITT.csv", NULL};
  const char *expo[]     = {"-phys_diffusivity_law", "exponential", "-phys_diffusivity_D_ref", "0.3", "-phys_diffusivity_rate", "-6", "-phys_out_of_plane_factor", "0.25", NULL};
  char        msh2[PETSC_MAX_PATH_LEN], msh3[PETSC_MAX_PATH_LEN];
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscSNPrintf(msh2, sizeof(msh2), "%s/assembly_2d.msh", tmp));
  PetscCall(PetscSNPrintf(msh3, sizeof(msh3), "%s/assembly_3d.msh", tmp));
  PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type ellipse -mesh_shape_semi_axes 1,0.6 -mesh_cell_size 0.1 -mesh_boundary_cell_size 0.05"));
  PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh2));
  PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type platelet -mesh_shape_semi_axes 1,0.6 -mesh_shape_thickness 0.3 -mesh_cell_size 0.15 -mesh_boundary_cell_size 0.1"));
  PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh3));
  PetscCall(Compare(msh2, logistic, "2-D ni_rich_smooth"));
  PetscCall(Compare(msh2, table, "2-D Ecker table"));
  PetscCall(Compare(msh2, expo, "2-D exponential"));
  PetscCall(Compare(msh3, logistic, "3-D ni_rich_smooth"));
  PetscCall(Compare(msh3, expo, "3-D exponential, eps"));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_quadrature", "gauss")); /* D at Gauss points: the lean loop's general path */
  PetscCall(Compare(msh2, logistic, "2-D Gauss, logistic"));
  PetscCall(Compare(msh3, expo, "3-D Gauss, eps"));
  PetscCall(PetscFinalize());
  return test_failures;
}
