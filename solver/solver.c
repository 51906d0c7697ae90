/* Discretisation and time integration.

   Semi-discrete system, with w_i = ∫φ_i and M_L = diag(w) (P1, lumped) or M (consistent):
     F(θ, θ_t) = M θ_t + A(θ) + b = 0,   A_i = ∫∇φ_i·D_app(θ)K∇θ,  b_i = ∮_surface φ_i N/c_max
   J = shift·M + ∂A/∂θ. The FEM assembly (DMPlexTSComputeIFunctionFEM) supplies A + b (and
   M θ_t for the consistent mass); the lumped term is added here as a vector. Since
   Σ_i A_i = 0 for every θ, Σ_i F_i is affine in θ, so each exact Newton step conserves
   the lithium inventory to round-off whatever the SNES tolerance.

   With P1 and a lumped mass the assembly is solver/assemble.c's lean loop (-solver_assembly
   lean, the default) rather than PetscFE's generic one (plexfem): the same discretisation.
   Options: -solver_degree 1|2, -solver_mass_lumping (true for P1), -solver_rtol (1e-4) and
   -solver_atol (1e-5) for the adaptive error control, -solver_dt_initial (0.01 s),
   -solver_dt_max (no limit). Linear solver: LU on one rank up to 4000 unknowns, GMRES + ILU(1)
   above, GMRES + BoomerAMG on several ranks (Krylov tolerance 1e-6: Newton's last steps are so
   small that the inventory stays at round-off). Any -ts_, -snes_, -ksp_, -pc_ option overrides
   the defaults. */
#include "solver/solverimpl.h"
#include "input/input.h"
#include <string.h>

static PetscErrorCode IFunction(TS ts, PetscReal t, Vec U, Vec U_t, Vec F, void *ctx)
{
  Solver s = (Solver)ctx;
  Vec    locU, locU_t, locF;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(s->dm, &locU));
  PetscCall(DMGetLocalVector(s->dm, &locU_t));
  PetscCall(DMGetLocalVector(s->dm, &locF));
  PetscCall(DMGlobalToLocal(s->dm, U, INSERT_VALUES, locU));
  PetscCall(DMGlobalToLocal(s->dm, U_t, INSERT_VALUES, locU_t));
  PetscCall(VecZeroEntries(locF));
  if (s->p1) {
    PetscDS            ds;
    const PetscScalar *constants;
    PetscCall(DMGetDS(s->dm, &ds));
    PetscCall(PetscDSGetConstants(ds, NULL, &constants));
    PetscCall(P1AssemblyResidual(s->p1, constants, U, locU, locF));
  } else PetscCall(DMPlexTSComputeIFunctionFEM(s->dm, t, locU, locU_t, locF, NULL));
  PetscCall(VecZeroEntries(F));
  PetscCall(DMLocalToGlobal(s->dm, locF, ADD_VALUES, F));
  PetscCall(DMRestoreLocalVector(s->dm, &locU));
  PetscCall(DMRestoreLocalVector(s->dm, &locU_t));
  PetscCall(DMRestoreLocalVector(s->dm, &locF));
  if (s->lumped) { /* F += M_L θ_t */
    PetscCall(VecPointwiseMult(s->work, s->mass, U_t));
    PetscCall(VecAXPY(F, 1.0, s->work));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode IJacobian(TS ts, PetscReal t, Vec U, Vec U_t, PetscReal shift, Mat J, Mat P, void *ctx)
{
  Solver s = (Solver)ctx;
  Vec    locU, locU_t;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(s->dm, &locU));
  PetscCall(DMGetLocalVector(s->dm, &locU_t));
  PetscCall(DMGlobalToLocal(s->dm, U, INSERT_VALUES, locU));
  PetscCall(DMGlobalToLocal(s->dm, U_t, INSERT_VALUES, locU_t));
  if (s->p1) {
    PetscDS            ds;
    const PetscScalar *constants;
    PetscCall(DMGetDS(s->dm, &ds));
    PetscCall(PetscDSGetConstants(ds, NULL, &constants));
    PetscCall(P1AssemblyJacobian(s->p1, constants, U, locU, P));
    if (J != P) {
      PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
      PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
    }
  } else PetscCall(DMPlexTSComputeIJacobianFEM(s->dm, t, locU, locU_t, shift, J, P, NULL));
  PetscCall(DMRestoreLocalVector(s->dm, &locU));
  PetscCall(DMRestoreLocalVector(s->dm, &locU_t));
  if (s->lumped) { /* J += shift M_L */
    PetscCall(VecCopy(s->mass, s->work));
    PetscCall(VecScale(s->work, shift));
    PetscCall(MatDiagonalSet(P, s->work, ADD_VALUES));
    if (J != P) PetscCall(MatDiagonalSet(J, s->work, ADD_VALUES));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpDiscretisation(Solver s)
{
  PetscFE       fe;
  PetscDS       ds;
  DMLabel       surface;
  PetscWeakForm wf;
  PhysKernels   k;
  PetscInt      dim, bd, id = 1, nc;
  const PetscScalar *constants;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(s->dm, &dim));
  /* P2: a quadrature exact to degree 5 (PETSc uses qorder + 1 points per edge: 9 in a triangle).
     P1: the vertex (trapezoidal) rule, so D(θ) is taken at the vertices (one evaluation per
     vertex in the lean assembly) and the mass matrix is the lumped one; both second order.
     Boundary terms keep Gauss points. */
  PetscCall(PetscFECreateLagrange(PETSC_COMM_SELF, dim, 1, PETSC_TRUE, s->degree, s->degree, &fe));
  if (s->degree == 1) {
    PetscQuadrature vq;
    PetscReal      *x, *w;
    PetscCall(PetscMalloc1((dim + 1) * dim, &x)); /* owned and freed separately by the quadrature */
    PetscCall(PetscMalloc1(dim + 1, &w));
    for (PetscInt v = 0; v <= dim; ++v) { /* reference vertices: (-1,...,-1) and -1 + 2 e_k */
      for (PetscInt d = 0; d < dim; ++d) x[v * dim + d] = (v == d + 1) ? 1.0 : -1.0;
      w[v] = (dim == 2 ? 2.0 : 4.0 / 3.0) / (dim + 1);
    }
    PetscCall(PetscQuadratureCreate(PETSC_COMM_SELF, &vq));
    PetscCall(PetscQuadratureSetData(vq, dim, 1, dim + 1, x, w));
    PetscCall(PetscFESetQuadrature(fe, vq));
    PetscCall(PetscQuadratureDestroy(&vq));
  }
  PetscCall(PetscObjectSetName((PetscObject)fe, "theta"));
  PetscCall(DMSetField(s->dm, 0, NULL, (PetscObject)fe));
  PetscCall(PetscFEDestroy(&fe));
  PetscCall(DMCreateDS(s->dm));
  PetscCall(DMGetDS(s->dm, &ds));
  PetscCall(PhysicsGetKernels(s->phys, s->lumped, &k));
  PetscCall(PetscDSSetResidual(ds, 0, k.f0, k.f1));
  PetscCall(PetscDSSetJacobian(ds, 0, 0, k.g0, NULL, k.g2, k.g3));
  PetscCall(DMGetLabel(s->dm, MESH_SURFACE_LABEL, &surface));
  PetscCall(DMAddBoundary(s->dm, DM_BC_NATURAL, "surface_flux", surface, 1, &id, 0, 0, NULL, NULL, NULL, NULL, &bd));
  PetscCall(PetscDSGetBoundary(ds, bd, &wf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(PetscWeakFormSetIndexBdResidual(wf, surface, id, 0, 0, 0, k.bd_f0, 0, NULL));
  if (k.bd_g0) PetscCall(PetscWeakFormSetIndexBdJacobian(wf, surface, id, 0, 0, 0, 0, k.bd_g0, 0, NULL, 0, NULL, 0, NULL));
  PetscCall(PhysicsGetConstants(s->phys, &nc, &constants));
  PetscCall(PetscDSSetConstants(ds, nc, (PetscScalar *)constants));

  PetscCall(DMCreateGlobalVector(s->dm, &s->theta));
  PetscCall(PetscObjectSetName((PetscObject)s->theta, "theta"));
  PetscCall(VecDuplicate(s->theta, &s->weights));
  PetscCall(VecDuplicate(s->theta, &s->work));
  { /* w = M 1 */
    Mat M;
    PetscCall(DMCreateMassMatrix(s->dm, s->dm, &M));
    PetscCall(VecSet(s->work, 1.0));
    PetscCall(MatMult(M, s->work, s->weights));
    PetscCall(MatDestroy(&M));
  }
  if (s->lumped) {
    PetscReal wmin;
    PetscCall(VecMin(s->weights, NULL, &wmin));
    PetscCheck(wmin > 0, s->comm, PETSC_ERR_USER_INPUT, "mass lumping needs positive row sums, but one is %g; use -solver_mass_lumping false", (double)wmin);
    PetscCall(VecDuplicate(s->theta, &s->mass));
    PetscCall(VecCopy(s->weights, s->mass));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpTS(Solver s)
{
  TSAdapt     adapt;
  SNES        snes;
  KSP         ksp;
  PC          pc;
  Mat         J;
  PetscMPIInt size;
  PetscReal   rtol = 1e-4, atol = 1e-5;
  char        where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(s->comm, &size));
  PetscCall(InputGetQuantity("-solver_rtol", UNIT_NONE, &rtol, NULL));
  PetscCall(InputGetQuantity("-solver_atol", UNIT_NONE, &atol, NULL));
  PetscCall(InputOptionWhere("-solver_rtol", where, sizeof(where)));
  PetscCheck(rtol > 0 && atol > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: solver tolerances must be positive (rtol %g, atol %g)", where, (double)rtol, (double)atol);

  PetscCall(TSCreate(s->comm, &s->ts));
  PetscCall(TSSetApplicationContext(s->ts, s));
  PetscCall(TSSetDM(s->ts, s->dm));
  PetscCall(TSSetIFunction(s->ts, NULL, IFunction, s));
  PetscCall(DMCreateMatrix(s->dm, &J));
  PetscCall(TSSetIJacobian(s->ts, J, J, IJacobian, s));
  PetscCall(MatDestroy(&J));
  PetscCall(TSSetType(s->ts, TSBDF));
  PetscCall(TSBDFSetOrder(s->ts, 2));
  PetscCall(TSSetExactFinalTime(s->ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetMaxSteps(s->ts, PETSC_MAX_INT));
  PetscCall(TSSetMaxSNESFailures(s->ts, -1)); /* a failed Newton solve shrinks the step */
  PetscCall(TSSetTolerances(s->ts, atol, NULL, rtol, NULL));
  PetscCall(TSSetTimeStep(s->ts, s->dt_initial));
  PetscCall(TSGetAdapt(s->ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTBASIC));
  PetscCall(TSAdaptSetStepLimits(adapt, 1e-12, s->dt_max));
  PetscCall(TSSetFunctionDomainError(s->ts, NULL));

  PetscCall(TSGetSNES(s->ts, &snes));
  PetscCall(SNESSetTolerances(snes, 1e-20, 1e-9, 1e-12, 25, PETSC_DEFAULT));
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  if (size == 1) {
    PetscInt n;
    PetscCall(VecGetSize(s->theta, &n));
    if (n <= 4000) { /* direct: the fastest and most robust for a particle of typical size */
      PetscCall(KSPSetType(ksp, KSPPREONLY));
      PetscCall(PCSetType(pc, PCLU));
    } else { /* an LU of a 2-D problem grows as n^1.5: ILU(1)-preconditioned GMRES is cheaper */
      PetscCall(KSPSetType(ksp, KSPGMRES));
      PetscCall(KSPSetTolerances(ksp, 1e-6, 1e-30, PETSC_DEFAULT, 1000));
      PetscCall(PCSetType(pc, PCILU));
      PetscCall(PCFactorSetLevels(pc, 1));
      PetscCall(PCFactorSetMatOrderingType(pc, MATORDERINGRCM));
    }
  } else {
    PetscCall(KSPSetType(ksp, KSPGMRES));
    PetscCall(KSPSetTolerances(ksp, 1e-6, 1e-30, PETSC_DEFAULT, 1000));
#if defined(PETSC_HAVE_HYPRE)
    PetscCall(PCSetType(pc, PCHYPRE));
    PetscCall(PCHYPRESetType(pc, "boomeramg"));
#else
    PetscCall(PCSetType(pc, PCGAMG));
#endif
  }
  PetscCall(TSSetFromOptions(s->ts));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverCreate(DM dm, Physics phys, Solver *out)
{
  Solver    s;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &s->comm));
  PetscCall(PetscObjectReference((PetscObject)dm));
  s->dm         = dm;
  s->phys       = phys;
  s->degree     = 1;
  s->dt_initial = 1e-2;
  s->dt_max     = PETSC_MAX_REAL;
  PetscCall(MeshGetInfo(dm, &s->info));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-solver_degree", &s->degree, NULL));
  PetscCall(InputOptionWhere("-solver_degree", where, sizeof(where)));
  PetscCheck(s->degree == 1 || s->degree == 2, s->comm, PETSC_ERR_USER_INPUT, "%s: degree must be 1 or 2, got %" PetscInt_FMT, where, s->degree);
  s->lumped = s->degree == 1 ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-solver_mass_lumping", &s->lumped, &set));
  PetscCall(InputOptionWhere("-solver_mass_lumping", where, sizeof(where)));
  PetscCheck(!(set && s->lumped && s->degree != 1), s->comm, PETSC_ERR_USER_INPUT, "%s: mass lumping needs P1 elements (P2 row sums vanish at the vertices); set degree 1 or mass_lumping false", where);
  PetscCall(InputGetQuantity("-solver_dt_initial", UNIT_TIME, &s->dt_initial, NULL));
  PetscCall(InputGetQuantity("-solver_dt_max", UNIT_TIME, &s->dt_max, NULL));
  PetscCall(InputOptionWhere("-solver_dt_initial", where, sizeof(where)));
  PetscCheck(s->dt_initial > 0 && s->dt_max > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: time steps must be positive", where);
  PetscCall(SetUpDiscretisation(s));
  { /* the lean P1 assembly, unless PetscFE's is asked for or needed */
    char      assembly[32] = "lean";
    PetscBool mms;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-solver_assembly", assembly, sizeof(assembly), NULL));
    PetscCall(InputOptionWhere("-solver_assembly", where, sizeof(where)));
    PetscCheck(!strcmp(assembly, "lean") || !strcmp(assembly, "plexfem"), s->comm, PETSC_ERR_USER_INPUT, "%s: assembly must be lean or plexfem, got '%s'", where, assembly);
    PetscCall(PhysicsIsManufactured(phys, &mms));
    if (!strcmp(assembly, "lean") && s->degree == 1 && s->lumped && !mms) PetscCall(P1AssemblyCreate(s, &s->p1));
  }
  PetscCall(SetUpTS(s));
  s->last_monitor_t = -PETSC_MAX_REAL;
  *out              = s;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverDestroy(Solver *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  PetscCall(TSDestroy(&(*s)->ts));
  PetscCall(P1AssemblyDestroy(&(*s)->p1));
  PetscCall(VecDestroy(&(*s)->theta));
  PetscCall(VecDestroy(&(*s)->weights));
  PetscCall(VecDestroy(&(*s)->mass));
  PetscCall(VecDestroy(&(*s)->work));
  PetscCall(DMDestroy(&(*s)->dm));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}

/* Monitors are called in the order they were added */
PetscErrorCode SolverAddMonitor(Solver s, SolverMonitorFn fn, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCheck(s->nmonitors < SOLVER_MAX_MONITORS, s->comm, PETSC_ERR_ARG_OUTOFRANGE, "at most %d monitors", SOLVER_MAX_MONITORS);
  s->monitor[s->nmonitors]     = fn;
  s->monitor_ctx[s->nmonitors] = ctx;
  ++s->nmonitors;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetDM(Solver s, DM *dm)
{
  PetscFunctionBeginUser;
  *dm = s->dm;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetTS(Solver s, TS *ts)
{
  PetscFunctionBeginUser;
  *ts = s->ts;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetSolution(Solver s, Vec *theta)
{
  PetscFunctionBeginUser;
  *theta = s->theta;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetPhysics(Solver s, Physics *phys)
{
  PetscFunctionBeginUser;
  *phys = s->phys;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetMeshInfo(Solver s, const MeshInfo **info)
{
  PetscFunctionBeginUser;
  *info = &s->info;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetVolumeWeights(Solver s, Vec *w)
{
  PetscFunctionBeginUser;
  *w = s->weights;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetDegree(Solver s, PetscInt *degree, PetscBool *lumped)
{
  PetscFunctionBeginUser;
  if (degree) *degree = s->degree;
  if (lumped) *lumped = s->lumped;
  PetscFunctionReturn(0);
}

/* mean θ = w·θ / Σw */
PetscErrorCode SolverMeanTheta(Solver s, Vec theta, PetscReal *mean)
{
  PetscScalar dot;

  PetscFunctionBeginUser;
  PetscCall(VecDot(s->weights, theta, &dot));
  *mean = PetscRealPart(dot) / s->info.volume;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverSetInitialUniform(Solver s, PetscReal theta0)
{
  PetscFunctionBeginUser;
  PetscCall(VecSet(s->theta, theta0));
  PetscFunctionReturn(0);
}

/* Set N/c_max (µm/s) on the active surface for the next time steps */
PetscErrorCode SolverSetFlux(Solver s, PetscReal flux)
{
  PetscDS            ds;
  PetscInt           nc;
  const PetscScalar *constants;

  PetscFunctionBeginUser;
  PetscCall(PhysicsSetFlux(s->phys, flux));
  if (s->p1) P1AssemblyInvalidate(s->p1);
  PetscCall(PhysicsGetConstants(s->phys, &nc, &constants));
  PetscCall(DMGetDS(s->dm, &ds));
  PetscCall(PetscDSSetConstants(ds, nc, (PetscScalar *)constants));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetStats(Solver s, PetscInt *steps, PetscInt *rejected, PetscInt *newton, PetscInt *linear)
{
  PetscFunctionBeginUser;
  if (steps) *steps = s->state.ts_steps;
  if (rejected) *rejected = s->rejected;
  if (newton) *newton = s->newton;
  if (linear) *linear = s->linear;
  PetscFunctionReturn(0);
}
