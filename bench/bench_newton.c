/* Benchmark (issue 7, item 4): the parts of one Newton iteration of spot's solver, timed
   separately over many repetitions, on the benchmark problem of bench/problems/ (or any mesh):
     residual   TSComputeIFunction  (spot's IFunction: FE assembly of F = M θ_t + A(θ) + b, on
                a state changed by 1e-13 each time, so that D(θ) or Φ(θ) is evaluated as in a run)
     Jacobian   TSComputeIJacobian  (J = shift M + ∂A/∂θ)
     factor     KSPSetUp after a new Jacobian (numeric LU on one rank; AMG set-up on several)
     solve      KSPSolve (triangular solves; Krylov iterations on several ranks)
   One Newton iteration = the sum. The state is a realistic mid-charge field: a delithiated
   shell (θ ≈ 0.6) around a lithiated core (θ = 0.98) with a sharp front between them, so
   D(θ) varies over two decades across the mesh; θ_t is a plausible rate and shift = 1.5/dt
   (BDF2, dt = 10 s).

   Also measured: a STREAM-like triad a = b + s c (best of several passes over arrays much
   larger than the caches), for a memory-bandwidth bound on assembly; and the peak resident set
   (getrusage) after everything but the triad, with the resident set right after start-up, so
   memory per unknown can be stated both ways.

     bench_newton -mesh_file M.msh [-solver_degree 1|2] [-repeat N] [-stream_mb MB] [-dir DIR]
   plus any spot option (-phys_alpha ...; defaults: ni_rich_smooth law, alpha 2). Prints
   "key value" lines (one per figure) for bench/sections/newton.sh to parse. */
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"
#include "input/input.h"
#include <petsctime.h>
#include <sys/resource.h>

/* A rounded-square norm about the centroid: the front follows the particle's shape */
typedef struct {
  PetscReal cx, cy, radius, width;
} FrontCtx;

static PetscErrorCode FrontState(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  const FrontCtx *f  = (const FrontCtx *)ctx;
  const PetscReal dx = x[0] - f->cx, dy = x[1] - f->cy;
  const PetscReal rho = PetscPowReal(dx * dx * dx * dx + dy * dy * dy * dy, 0.25);
  u[0]                = 0.60 + 0.38 / (1 + PetscExpReal((rho - f->radius) / f->width));
  return 0;
}

static PetscLogDouble PeakRSSkB(void)
{
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return (PetscLogDouble)r.ru_maxrss; /* kB on Linux */
}

/* Best-of-passes triad bandwidth (GB/s, STREAM's count: 3 x 8 bytes per element) on each rank;
   the sum over ranks is returned (ranks run their triads at the same time) */
/* U = f at every dof, from the solver's dof coordinates (DMProjectFunction would leave PETSc's
   geometry cache on the DM, as much memory as the mesh, which a run does not hold) */
static PetscErrorCode SetState(Solver s, PetscErrorCode (*f)(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *), void *ctx, Vec U)
{
  Vec                X[3];
  const PetscScalar *x[3] = {NULL, NULL, NULL};
  PetscScalar       *u;
  PetscInt           n, dim;

  PetscFunctionBeginUser;
  PetscCall(SolverDofCoordinates(s, X));
  for (dim = 0; dim < 3 && X[dim]; ++dim) PetscCall(VecGetArrayRead(X[dim], &x[dim]));
  PetscCall(VecGetLocalSize(U, &n));
  PetscCall(VecGetArray(U, &u));
  for (PetscInt i = 0; i < n; ++i) {
    PetscReal p[3] = {0, 0, 0};
    for (PetscInt d = 0; d < dim; ++d) p[d] = PetscRealPart(x[d][i]);
    PetscCall(f(dim, 0.0, p, 1, &u[i], ctx));
  }
  PetscCall(VecRestoreArray(U, &u));
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCall(VecRestoreArrayRead(X[d], &x[d]));
    PetscCall(VecDestroy(&X[d]));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Triad(MPI_Comm comm, PetscInt megabytes, PetscReal *gbs)
{
  const size_t n = (size_t)megabytes * 1024 * 1024 / (3 * sizeof(double));
  double      *a, *b, *c, best = PETSC_MAX_REAL, sink = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(n, &a, n, &b, n, &c));
  for (size_t i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = 1.0 + 1e-9 * (double)i;
    c[i] = 2.0;
  }
  for (int pass = 0; pass < 8; ++pass) {
    PetscLogDouble t0, t1;
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    for (size_t i = 0; i < n; ++i) a[i] = b[i] + 0.5 * c[i];
    PetscCall(PetscTime(&t1));
    best = PetscMin(best, t1 - t0);
    sink += a[n / 2 + pass];
  }
  if (sink == 42.4242) PetscCall(PetscPrintf(PETSC_COMM_SELF, " ")); /* keep the loop */
  *gbs = 3.0 * sizeof(double) * (double)n / best / 1e9;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, gbs, 1, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(PetscFree3(a, b, c));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  MPI_Comm        comm;
  DM              dm;
  Physics         phys;
  Solver          solver;
  TS              ts;
  SNES            snes;
  KSP             ksp;
  Mat             J, P;
  Vec             U, U_t, F, dU;
  const MeshInfo *info;
  FrontCtx        front;
  PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {FrontState};
  void           *ctxs[1] = {&front};
  char            dir[PETSC_MAX_PATH_LEN] = "/tmp";
  PetscInt        repeat = 50, stream_mb = 384, degree = 1, ndof, its;
  PetscReal       shift = 1.5 / 10.0, gbs, tF = PETSC_MAX_REAL, tJ = PETSC_MAX_REAL, tFac = PETSC_MAX_REAL, tSol = PETSC_MAX_REAL;
  PetscReal       sF = 0, sJ = 0, sFac = 0, sSol = 0;
  PetscLogDouble  rss0, rss1, rss0_max, rss1_max, t0, t1;
  PetscMPIInt     size;
  MatInfo         minfo;
  PetscLogStage   stage;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  comm = PETSC_COMM_WORLD;
  rss0 = PeakRSSkB();
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-dir", dir, sizeof(dir), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-stream_mb", &stream_mb, NULL));
  {
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-phys_diffusivity_law", &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, "-phys_diffusivity_law", "ni_rich_smooth"));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-phys_alpha", &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, "-phys_alpha", "2.0"));
  }
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-solver_degree", &degree, NULL));

  PetscCall(MeshCreateFromOptions(comm, dir, &dm));
  PetscCall(PhysicsCreate(comm, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverGetDM(solver, &dm));
  PetscCall(SolverGetTS(solver, &ts));
  PetscCall(SolverGetMeshInfo(solver, &info));
  PetscCall(SolverSetFlux(solver, info->volume / info->surface * 0.5 / 3600.0)); /* C/2 */

  /* the state: a front at 60 % of the half-width, 0.02 um wide */
  front.cx     = info->centroid[0];
  front.cy     = info->centroid[1];
  front.radius = 0.3 * (info->upper[0] - info->lower[0]);
  front.width  = 0.02;
  PetscCall(SolverGetSolution(solver, &U));
  PetscCall(SetState(solver, funcs[0], ctxs[0], U));
  PetscCall(VecDuplicate(U, &U_t));
  PetscCall(VecDuplicate(U, &F));
  PetscCall(VecDuplicate(U, &dU));
  PetscCall(VecCopy(U, U_t)); /* θ_t = 1e-3 (θ - 0.98) 1/s: falling where delithiated */
  PetscCall(VecShift(U_t, -0.98));
  PetscCall(VecScale(U_t, 1e-3));
  PetscCall(VecGetSize(U, &ndof));

  PetscCall(TSGetSNES(ts, &snes));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(TSGetIJacobian(ts, &J, &P, NULL, NULL));
  PetscCall(KSPSetOperators(ksp, J, P));

  /* warm-up: first assembly, symbolic factorisation */
  PetscCall(TSComputeIFunction(ts, 600.0, U, U_t, F, PETSC_FALSE));
  PetscCall(TSComputeIJacobian(ts, 600.0, U, U_t, shift, J, P, PETSC_FALSE));
  PetscCall(KSPSetUp(ksp));
  PetscCall(KSPSolve(ksp, F, dU));

  /* the timed repetitions in a stage of their own: -log_view then gives their messages and
     reductions (bench/sections/scaling.sh divides by the repetitions) */
  PetscCall(PetscLogStageRegister("Newton its", &stage));
  PetscCall(PetscLogStagePush(stage));
  for (PetscInt r = 0; r < repeat; ++r) {
    /* a state the assembly has not seen, as in every Newton iteration: the lean assembly keeps
       D(θ) (or Φ(θ)) of the last state and would skip their evaluation */
    PetscCall(VecShift(U, r % 2 ? -1e-13 : 1e-13));
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    PetscCall(TSComputeIFunction(ts, 600.0, U, U_t, F, PETSC_FALSE));
    PetscCall(PetscTime(&t1));
    tF = PetscMin(tF, t1 - t0);
    sF += t1 - t0;
  }
  for (PetscInt r = 0; r < repeat; ++r) {
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    PetscCall(TSComputeIJacobian(ts, 600.0, U, U_t, shift, J, P, PETSC_FALSE));
    PetscCall(PetscTime(&t1));
    tJ = PetscMin(tJ, t1 - t0);
    sJ += t1 - t0;
    PetscCall(KSPSetOperators(ksp, J, P)); /* a new matrix state: KSPSetUp factors again */
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    PetscCall(KSPSetUp(ksp));
    PetscCall(PetscTime(&t1));
    tFac = PetscMin(tFac, t1 - t0);
    sFac += t1 - t0;
    PetscCallMPI(MPI_Barrier(comm));
    PetscCall(PetscTime(&t0));
    PetscCall(KSPSolve(ksp, F, dU));
    PetscCall(PetscTime(&t1));
    tSol = PetscMin(tSol, t1 - t0);
    sSol += t1 - t0;
  }
  PetscCall(PetscLogStagePop());
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(MatGetInfo(P, MAT_GLOBAL_SUM, &minfo));
  rss1 = PeakRSSkB();
  PetscCallMPI(MPI_Allreduce(&rss0, &rss0_max, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(&rss1, &rss1_max, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &rss0, 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &rss1, 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscCall(Triad(comm, stream_mb, &gbs));

  {
    const char *pc_type;
    PC          pc;
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCGetType(pc, &pc_type));
    PetscCall(PetscPrintf(comm, "ranks %d\n", size));
    PetscCall(PetscPrintf(comm, "degree %" PetscInt_FMT "\n", degree));
    PetscCall(PetscPrintf(comm, "cells %" PetscInt_FMT "\n", info->num_cells));
    PetscCall(PetscPrintf(comm, "vertices %" PetscInt_FMT "\n", info->num_vertices));
    PetscCall(PetscPrintf(comm, "unknowns %" PetscInt_FMT "\n", ndof));
    PetscCall(PetscPrintf(comm, "nonzeros %.0f\n", (double)minfo.nz_used));
    PetscCall(PetscPrintf(comm, "repeat %" PetscInt_FMT "\n", repeat));
    PetscCall(PetscPrintf(comm, "pc %s\n", pc_type));
    PetscCall(PetscPrintf(comm, "ksp_its %" PetscInt_FMT "\n", its));
    /* best and mean over the repetitions, seconds */
    PetscCall(PetscPrintf(comm, "residual_s %.6e %.6e\n", (double)tF, (double)(sF / repeat)));
    PetscCall(PetscPrintf(comm, "jacobian_s %.6e %.6e\n", (double)tJ, (double)(sJ / repeat)));
    PetscCall(PetscPrintf(comm, "factor_s %.6e %.6e\n", (double)tFac, (double)(sFac / repeat)));
    PetscCall(PetscPrintf(comm, "solve_s %.6e %.6e\n", (double)tSol, (double)(sSol / repeat)));
    PetscCall(PetscPrintf(comm, "newton_s %.6e %.6e\n", (double)(tF + tJ + tFac + tSol), (double)((sF + sJ + sFac + sSol) / repeat)));
    PetscCall(PetscPrintf(comm, "rss_start_kB %.0f\n", (double)rss0));
    PetscCall(PetscPrintf(comm, "rss_peak_kB %.0f\n", (double)rss1));
    PetscCall(PetscPrintf(comm, "rss_peak_max_rank_kB %.0f\n", (double)rss1_max));
    PetscCall(PetscPrintf(comm, "triad_GBs %.3f\n", (double)gbs));
  }
  PetscCall(VecDestroy(&U_t));
  PetscCall(VecDestroy(&F));
  PetscCall(VecDestroy(&dU));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscCall(PetscFinalize());
  return 0;
}
