/* Manufactured solution with a nonlinear D(θ) through the production solver path (mesh from
   Gmsh, uniform refinement, lumped P1 or consistent P2, BDF with tight error control):
     θ* = 0.55 + 0.25 sin(kx+0.3) cos(ky−0.2) [cos(kz+0.1)] (1 − r t),  D = 0.5 exp(2(θ − 0.5)) µm²/s
   on a structured mesh of the unit square or cube (halved exactly by each refinement), with the
   matching source and surface flux. The L2 error at
   t = 0.1 s must fall at rate degree+1 (±0.2) under refinement.
   Options: -dim 2|3, -degree 1|2, -levels N (refinements), -coarse h (µm). */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"

static PetscErrorCode Level(PetscInt dim, PetscInt degree, PetscInt refine, PetscReal coarse, PetscReal *error, PetscReal *h)
{
  DM         dm;
  Physics    phys;
  Solver     solver;
  Protocol   protocol;
  Vec        theta;
  char       buf[64];
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";
  PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {PhysicsManufacturedSolution};
  void          *ctxs[1];
  const MeshInfo *info;

  PetscFunctionBeginUser;
  PetscCall(InputSetOption("-mesh_shape_type", dim == 2 ? "rectangle" : "box", NULL));
  PetscCall(InputSetOption("-mesh_shape_sides", dim == 2 ? "1,1" : "1,1,1", NULL));
  PetscCall(InputSetOption("-mesh_shape_center", dim == 2 ? "0.5,0.5" : "0.5,0.5,0.5", NULL));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%g", (double)coarse));
  PetscCall(InputSetOption("-mesh_cell_size", buf, NULL));
  PetscCall(InputSetOption("-mesh_boundary_cell_size", buf, NULL));
  PetscCall(InputSetOption("-mesh_structured", dim == 2 ? "true" : "false", NULL)); /* extruded 3-D boxes refine badly */
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%" PetscInt_FMT, refine));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_refine", buf));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%" PetscInt_FMT, degree));
  PetscCall(InputSetOption("-solver_degree", buf, NULL));
  PetscCall(InputSetOption("-solver_rtol", dim == 2 ? "1e-9" : "1e-5", NULL)); /* the command line wins; */
  PetscCall(InputSetOption("-solver_atol", dim == 2 ? "1e-11" : "1e-7", NULL)); /* the time error stays far below the space error */
  PetscCall(InputSetOption("-solver_error_control", "classic", NULL)); /* the control these tolerances were set for (RMS, as given): the proportional one would take ~10x the steps for a time error already negligible */
  PetscCall(InputSetOption("-solver_dt_initial", "1e-4", NULL));
  PetscCall(InputSetOption("-phys_diffusivity_law", "exponential", NULL));
  PetscCall(InputSetOption("-phys_diffusivity_D_ref", "0.5", NULL));
  PetscCall(InputSetOption("-phys_diffusivity_rate", "2", NULL));
  PetscCall(InputSetOption("-phys_diffusivity_theta_ref", "0.5", NULL));
  PetscCall(InputSetOption("-proto_nsteps", "1", NULL));
  PetscCall(InputSetOption("-proto_0_type", "rest", NULL));
  PetscCall(InputSetOption("-proto_0_duration", "0.1", NULL));

  PetscCall(MeshCreateFromOptions(PETSC_COMM_WORLD, tmp, &dm));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  {
    PetscReal k = dim == 2 ? 2.0 : 1.0, r = 1.0; /* 3-D meshes are coarser: a smoother solution reaches the asymptotic rate */
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-mms_wavenumber", &k, NULL));
    PetscCall(PetscOptionsGetReal(NULL, NULL, "-mms_rate", &r, NULL));
    PetscCall(PhysicsSetManufactured(phys, k, r));
  }
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverGetDM(solver, &dm));
  PetscCall(SolverGetSolution(solver, &theta));
  ctxs[0] = phys;
  PetscCall(DMProjectFunction(dm, 0.0, funcs, ctxs, INSERT_ALL_VALUES, theta));
  PetscCall(ProtocolCreateFromOptions(solver, &protocol));
  PetscCall(SolverRunProtocol(solver, protocol));
  {
    TS        ts;
    PetscReal t;
    PetscCall(SolverGetTS(solver, &ts));
    PetscCall(TSGetTime(ts, &t));
    PetscCall(DMComputeL2Diff(dm, t, funcs, ctxs, theta, error));
  }
  PetscCall(SolverGetMeshInfo(solver, &info));
  *h = info->h_max;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  mesh: %" PetscInt_FMT " cells, volume %.6f, active surface %.6f, whole boundary %.6f, smallest angle %.1f deg\n", info->num_cells, (double)info->volume, (double)info->surface, (double)info->boundary, (double)info->min_angle));
  PetscCall(ProtocolDestroy(&protocol));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt  dim = 2, degree = 1, levels = 4;
  PetscReal coarse = 0.25, err[8], h[8], rate = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-dim", &dim, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-degree", &degree, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-levels", &levels, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-coarse", &coarse, NULL));
  for (PetscInt l = 0; l < levels; ++l) {
    PetscCall(Level(dim, degree, l, coarse, &err[l], &h[l]));
    if (l) rate = PetscLog2Real(err[l - 1] / err[l]);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%" PetscInt_FMT "-D P%" PetscInt_FMT " level %" PetscInt_FMT ": h %.4f, L2 error %.4e, rate %.3f\n", dim, degree, l, (double)h[l], (double)err[l], l ? (double)rate : 0.0));
  }
  CHECK(PetscAbsReal(rate - (degree + 1)) <= 0.2, "%" PetscInt_FMT "-D P%" PetscInt_FMT ": L2 convergence rate %.3f, expected %" PetscInt_FMT " +- 0.2", dim, degree, (double)rate, degree + 1);
  CHECK(err[levels - 1] < err[0], "the error did not decrease");
  PetscCall(PetscFinalize());
  return test_failures;
}
