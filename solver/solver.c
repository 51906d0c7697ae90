/* Discretisation and time integration.

   Semi-discrete system, with w_i = ∫φ_i and M_L = diag(w) (P1, lumped) or M (consistent):
     F(θ, θ_t) = M θ_t + A(θ) + b = 0,   A_i = ∫∇φ_i·D_app(θ)K∇θ,  b_i = ∮_surface φ_i N/c_max
   J = shift·M + ∂A/∂θ. The FEM assembly (DMPlexTSComputeIFunctionFEM) supplies A + b (and
   M θ_t for the consistent mass); the lumped term is added here as a vector. Since
   Σ_i A_i = 0 for every θ, Σ_i F_i is affine in θ, so each Newton step conserves the lithium
   inventory to round-off whatever the SNES tolerance; in given-flux steps a small correction of
   each update (ConserveUpdate) makes that hold however loosely the Krylov solver converged, and
   Newton stops when its update is small against the step's error tolerance (NewtonConverged).

   The assembly is solver/assemble.c's lean loop (-solver_assembly lean, the default) rather than
   PetscFE's generic one (plexfem): the same discretisation, P1 or P2, lumped or consistent mass.
   Options: -solver_degree 1|2, -solver_quadrature kirchhoff|vertex|gauss (P1: the flux from the
   vertex values of the Kirchhoff potential Φ(θ) = ∫D dθ, the default with the lean assembly (see
   solver/assemble.c); D(θ) from the vertex values, the default otherwise with a lumped mass; or
   D at Gauss points, the default otherwise with a consistent one), -solver_mass_lumping (true
   for P1), -solver_rtol (1e-4) and -solver_atol (1e-5) for the adaptive error control and
   -solver_error_control proportional|classic (see ErrorControl below), -solver_dt_initial
   (0.01 s), -solver_dt_max (no limit). Linear solver: LU on one rank up to 4000 unknowns with
   Butler–Volmer kinetics, 400 with a uniform flux, GMRES + ILU(1) above; on up to 8 ranks GMRES + block Jacobi with the same choice per block, on more
   GMRES + BoomerAMG (Krylov tolerance 1e-4). -solver_newton_tol (0.05): the Newton iterate's
   estimated error, as a fraction of the step's error tolerance, at which Newton stops. Any -ts_,
   -snes_, -ksp_, -pc_ option overrides the defaults. */
#include "solver/solverimpl.h"
#include "input/input.h"
#include <math.h>
#include <string.h>

static PetscErrorCode Constants(Solver s, const PetscScalar **c)
{
  PetscDS ds;

  PetscFunctionBeginUser;
  PetscCall(DMGetDS(s->dm, &ds));
  PetscCall(PetscDSGetConstants(ds, NULL, c));
  PetscFunctionReturn(0);
}

/* locF += the surface term of the current mode at the state locU (and, galvanostatic: V) */
static PetscErrorCode SurfaceTerm(Solver s, Vec locU, Vec locF)
{
  const PetscScalar *c;

  PetscFunctionBeginUser;
  if (!s->surface) PetscFunctionReturn(0);
  PetscCall(Constants(s, &c));
  PetscCall(SurfaceSetState(s->surface, locU));
  switch (s->mode) {
  case MODE_FLUX:
    if (s->flux != 0) PetscCall(SurfaceResidual(s->surface, c, PETSC_FALSE, 0, s->flux, locF));
    break;
  case MODE_GALVANOSTATIC: {
    PetscBool found;
    PetscCall(SurfaceSolvePotential(s->surface, s->comm, c, s->i_set, &s->V, &found));
    if (!found) { /* a trial state no potential can carry the current from: a smaller step */
      SNES snes;
      PetscCall(TSGetSNES(s->ts, &snes));
      PetscCall(SNESSetFunctionDomainError(snes));
    }
    PetscCall(SurfacePrepare(s->surface, s->comm, c, s->V)); /* the particles' potentials behind their contacts */
    PetscCall(SurfaceResidual(s->surface, c, PETSC_TRUE, s->V, 0, locF));
  } break;
  case MODE_POTENTIOSTATIC:
    PetscCall(SurfacePrepare(s->surface, s->comm, c, s->V));
    PetscCall(SurfaceResidual(s->surface, c, PETSC_TRUE, s->V, 0, locF));
    break;
  default:
    SETERRQ(s->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown surface mode %d", (int)s->mode);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode IFunction(TS ts, PetscReal t, Vec U, Vec U_t, Vec F, void *ctx)
{
  Solver s = (Solver)ctx;
  Vec    locU, locU_t, locF;

  PetscFunctionBeginUser;
  PetscCall(DMGetLocalVector(s->dm, &locU));
  PetscCall(DMGetLocalVector(s->dm, &locU_t));
  PetscCall(DMGetLocalVector(s->dm, &locF));
  PetscCall(DMGlobalToLocal(s->dm, U, INSERT_VALUES, locU));
  PetscCall(VecZeroEntries(locF));
  if (s->lean) { /* θ_t: a lumped mass enters below, a consistent one in the assembly */
    const PetscScalar *constants;
    PetscCall(Constants(s, &constants));
    if (!s->lumped) PetscCall(DMGlobalToLocal(s->dm, U_t, INSERT_VALUES, locU_t));
    PetscCall(LeanAssemblyResidual(s->lean, constants, locU, s->lumped ? NULL : locU_t, locF));
  } else {
    PetscCall(DMGlobalToLocal(s->dm, U_t, INSERT_VALUES, locU_t));
    PetscCall(DMPlexTSComputeIFunctionFEM(s->dm, t, locU, locU_t, locF, NULL));
  }
  PetscCall(SurfaceTerm(s, locU, locF));
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

/* The galvanostatic Jacobian J + u vᵀ, applied without forming it */
/* With contact resistances, particle k's potential moves by
     dφ_k = c_k (dV − β_k / g_k),   β_k = ∂I_k/∂θ · x,   c_k = g_k / (g_k + I_k'),  g_k = A_k / R_k,
   and a galvanostatic step keeps Σ_k I_k fixed: dV = −Σ_k c_k β_k / Σ_k c_k I_k' (a potentiostatic
   one: dV = 0); then y += u dφ_(particle of each dof). Without resistances c_k = 1, dφ_k = dV: the
   rank-one term u vᵀ x, v = −(∂I/∂θ)/(∂I/∂V). One reduction of N numbers per product. */
static PetscErrorCode ShellMult(Mat A, Vec x, Vec y)
{
  Solver      s;
  PetscScalar vx;

  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(A, &s));
  PetscCall(MatMult(s->J, x, y));
  if (!s->particles.resistive) {
    PetscCall(VecDot(s->coupling_v, x, &vx));
    PetscCall(VecAXPY(y, vx, s->coupling_u));
    PetscFunctionReturn(0);
  }
  {
    const SolverParticles *p = &s->particles;
    const PetscReal       *cfac, *dIk, *g;
    const PetscScalar     *v, *xa, *u;
    PetscScalar           *ya;
    PetscReal             *beta = s->particle_work, num = 0, den = 0, dV = 0;
    PetscCall(SurfaceGetParticleCouplings(s->surface, &cfac, &dIk, &g, NULL));
    for (PetscInt k = 0; k < p->n; ++k) beta[k] = 0;
    PetscCall(VecGetArrayRead(s->coupling_v, &v));
    PetscCall(VecGetArrayRead(x, &xa));
    for (PetscInt i = 0; i < p->nown; ++i) beta[p->dof[i]] += PetscRealPart(v[i] * xa[i]);
    PetscCall(VecRestoreArrayRead(x, &xa));
    PetscCall(VecRestoreArrayRead(s->coupling_v, &v));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, beta, p->n, MPIU_REAL, MPIU_SUM, s->comm));
    if (s->mode == MODE_GALVANOSTATIC) {
      for (PetscInt k = 0; k < p->n; ++k) {
        num += cfac[k] * beta[k];
        den += cfac[k] * dIk[k];
      }
      dV = -num / den;
    }
    for (PetscInt k = 0; k < p->n; ++k) beta[k] = cfac[k] * (dV - (g[k] < PETSC_INFINITY ? beta[k] / g[k] : 0)); /* now dφ_k */
    PetscCall(VecGetArrayRead(s->coupling_u, &u));
    PetscCall(VecGetArray(y, &ya));
    for (PetscInt i = 0; i < p->nown; ++i) ya[i] += u[i] * beta[p->dof[i]];
    PetscCall(VecRestoreArray(y, &ya));
    PetscCall(VecRestoreArrayRead(s->coupling_u, &u));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode IJacobian(TS ts, PetscReal t, Vec U, Vec U_t, PetscReal shift, Mat J, Mat P, void *ctx)
{
  Solver             s = (Solver)ctx;
  Vec                locU, locU_t;
  const PetscBool    kinetic = s->surface && s->mode != MODE_FLUX ? PETSC_TRUE : PETSC_FALSE;
  const PetscScalar *c;

  PetscFunctionBeginUser;
  s->shift = shift;
  PetscCall(Constants(s, &c));
  PetscCall(DMGetLocalVector(s->dm, &locU));
  PetscCall(DMGetLocalVector(s->dm, &locU_t));
  PetscCall(DMGlobalToLocal(s->dm, U, INSERT_VALUES, locU));
  if (!s->lean) PetscCall(DMGlobalToLocal(s->dm, U_t, INSERT_VALUES, locU_t));
  if (kinetic) { /* ∂(Butler–Volmer flux)/∂θ at fixed V */
    PetscCall(SurfaceSetState(s->surface, locU));
    if (s->mode == MODE_GALVANOSTATIC) {
      PetscBool found;
      PetscCall(SurfaceSolvePotential(s->surface, s->comm, c, s->i_set, &s->V, &found));
    }
    PetscCall(SurfacePrepare(s->surface, s->comm, c, s->V));
  }
  if (s->lean) { /* cells and surface blocks in one pass */
    if (kinetic) PetscCall(SurfaceJacobianValues(s->surface, c, s->V, s->surface_jac));
    PetscCall(LeanAssemblyJacobian(s->lean, c, locU, shift, kinetic ? s->surface_jac : NULL, P));
  } else {
    PetscCall(DMPlexTSComputeIJacobianFEM(s->dm, t, locU, locU_t, shift, P, P, NULL));
    if (kinetic) {
      PetscCall(SurfaceJacobian(s->surface, c, s->V, P));
      PetscCall(MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY));
      PetscCall(MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY));
    }
  }
  if (kinetic) {
    if (s->mode == MODE_GALVANOSTATIC || s->particles.resistive) { /* V = V(θ): dV/dθ = −(∂I/∂θ)/(∂I/∂V); or see ShellMult */
      PetscReal dIdV;
      PetscCall(SurfaceCouplings(s->surface, s->comm, c, s->V, s->loc_u, s->loc_v, &dIdV));
      PetscCall(VecZeroEntries(s->coupling_u));
      PetscCall(VecZeroEntries(s->coupling_v));
      PetscCall(DMLocalToGlobal(s->dm, s->loc_u, ADD_VALUES, s->coupling_u));
      PetscCall(DMLocalToGlobal(s->dm, s->loc_v, ADD_VALUES, s->coupling_v));
      if (!s->particles.resistive) PetscCall(VecScale(s->coupling_v, -1.0 / dIdV));
    }
  }
  PetscCall(DMRestoreLocalVector(s->dm, &locU));
  PetscCall(DMRestoreLocalVector(s->dm, &locU_t));
  if (s->lumped) { /* J += shift M_L */
    PetscCall(VecCopy(s->mass, s->work));
    PetscCall(VecScale(s->work, shift));
    PetscCall(MatDiagonalSet(P, s->work, ADD_VALUES));
  }
  if (J != P) {
    PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

/* w_i = ∫Ω φ_i dx = M 1, cell by cell with the element's quadrature and the affine map of each
   simplex (exact: the quadrature integrates φ exactly); P1 with the vertex rule gives |K|/(d+1) */
static PetscErrorCode VolumeWeights(DM dm, Vec w)
{
  PetscFE          fe;
  PetscQuadrature  quad;
  PetscTabulation  T;
  const PetscReal *qw;
  PetscReal       *elem;
  PetscInt         Nq, Nb, cStart, cEnd;
  Vec              loc;
  const SolverCells *cells;
  PetscScalar       *l = NULL;

  PetscFunctionBeginUser;
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &Nq, NULL, &qw));
  PetscCall(PetscFEGetCellTabulation(fe, 0, &T));
  Nb = T->Nb;
  PetscCall(PetscMalloc1(Nb, &elem));
  PetscCall(DMGetLocalVector(dm, &loc));
  PetscCall(VecZeroEntries(loc));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(SolverCellsGet(dm, &cells));
  if (cells && cells->Nb != Nb) cells = NULL;
  if (cells) PetscCall(VecGetArray(loc, &l));
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscReal v0[3], J[9], invJ[9], detJ;
    if (cells) SolverCellAffine(cells, c - cStart, v0, J, NULL, &detJ); /* the table: no closure per cell */
    else PetscCall(DMPlexComputeCellGeometryAffineFEM(dm, c, v0, J, invJ, &detJ));
    for (PetscInt b = 0; b < Nb; ++b) {
      elem[b] = 0;
      for (PetscInt q = 0; q < Nq; ++q)
        elem[b] += qw[q] * PetscAbsReal(detJ) * T->T[0][q * Nb + b];
    }
    if (cells)
      for (PetscInt b = 0; b < Nb; ++b) l[cells->idx[(c - cStart) * cells->Nb + b]] += elem[b];
    else PetscCall(DMPlexVecSetClosure(dm, NULL, loc, c, elem, ADD_VALUES));
  }
  if (cells) PetscCall(VecRestoreArray(loc, &l));
  PetscCall(VecZeroEntries(w));
  PetscCall(DMLocalToGlobal(dm, loc, ADD_VALUES, w));
  PetscCall(DMRestoreLocalVector(dm, &loc));
  PetscCall(PetscFree(elem));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpDiscretisation(Solver s)
{
  PetscFE       fe;
  PetscDS       ds;
  DMLabel       surface;
  PetscWeakForm wf;
  PhysKernels   k;
  PetscBool     mms;
  PetscInt      dim, bd, id = 1, nc;
  const PetscScalar *constants;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(s->dm, &dim));
  /* P2: a quadrature exact to degree 5 (PETSc uses qorder + 1 points per edge: 9 in a triangle).
     P1: the vertex (trapezoidal) rule, so D(θ) is taken at the vertices (one evaluation per
     vertex in the lean assembly) and the mass matrix is the lumped one; both second order.
     Without lumping, P1 keeps PetscFE's Gauss points (exact for the mass). The Kirchhoff flux
     keeps either element (its mass, PetscFE's tabulation); only the lean loop replaces D∇θ by
     ∇Φ_h. Boundary terms keep Gauss points. */
  PetscCall(PetscFECreateLagrange(PETSC_COMM_SELF, dim, 1, PETSC_TRUE, s->degree, s->degree, &fe));
  if (s->degree == 1 && s->vertex_quadrature) {
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
  PetscCall(PhysicsIsManufactured(s->phys, &mms));
  if (mms) { /* runs assemble the surface in solver/surface.c; manufactured solutions here */
    PetscCall(DMGetLabel(s->dm, MESH_SURFACE_LABEL, &surface));
    PetscCall(DMAddBoundary(s->dm, DM_BC_NATURAL, "surface_flux", surface, 1, &id, 0, 0, NULL, NULL, NULL, NULL, &bd));
    PetscCall(PetscDSGetBoundary(ds, bd, &wf, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    PetscCall(PetscWeakFormSetIndexBdResidual(wf, surface, id, 0, 0, 0, k.bd_f0, 0, NULL));
  }
  PetscCall(PhysicsGetConstants(s->phys, &nc, &constants));
  PetscCall(PetscDSSetConstants(ds, nc, (PetscScalar *)constants));

  PetscCall(DMCreateGlobalVector(s->dm, &s->theta));
  PetscCall(PetscObjectSetName((PetscObject)s->theta, "theta"));
  PetscCall(VecDuplicate(s->theta, &s->weights));
  PetscCall(VecDuplicate(s->theta, &s->work));
  PetscCall(VolumeWeights(s->dm, s->weights));
  if (s->lumped) {
    PetscReal wmin;
    PetscCall(VecMin(s->weights, NULL, &wmin));
    PetscCheck(wmin > 0, s->comm, PETSC_ERR_USER_INPUT, "mass lumping needs positive row sums, but one is %g; use -solver_mass_lumping false", (double)wmin);
    PetscCall(VecDuplicate(s->theta, &s->mass));
    PetscCall(VecCopy(s->weights, s->mass));
  }
  PetscFunctionReturn(0);
}

/* Newton's stopping test, tied to the time-error control. A step is accepted when its local error,
   weighted by tol_i = atol + rtol |θ_i| (TSErrorWeightedNorm: TS's tolerances, and TS's norm, the
   largest by default or the RMS with -solver_error_control classic), is below 1; solving the step's equations far more
   finely than that only costs iterations. With the Newton step δ_k in that norm and its
   contraction ρ = |δ_k| / |δ_k-1|, the error left in the iterate is about |δ_k| ρ / (1 - ρ) (|δ_k|
   after the first iteration); Newton stops once that is at most newton_tol (default 0.05: the
   iterate's error is a twentieth of what the step's error test allows). A step the line search
   shortened (λ < 1) says nothing about convergence, so it never ends the iteration; its full
   length λ⁻¹|δ_k| is what the next contraction is measured against. PETSc's residual tests
   (relative 1e-9) and its divergence tests still apply, and alone decide in Butler–Volmer steps
   (galvanostatic and CV): there the watched quantities, the voltage and the current, are steep
   functions of the surface θ (the voltage near a saturated surface, the current near equilibrium
   a small difference), so Newton errors far below θ's tolerance still move them and the cut-off
   events (measured on the CC/CV example: 90 rejected steps instead of 51). The inventory does not
   depend on where Newton stops: every Newton step conserves it (see the header). */
static PetscErrorCode NewtonConverged(SNES snes, PetscInt it, PetscReal xnorm, PetscReal ynorm, PetscReal fnorm, SNESConvergedReason *reason, void *ctx)
{
  Solver         s = (Solver)ctx;
  Vec            x, dx;
  SNESLineSearch ls;
  PetscReal      update, update_a, update_r, left, lambda = 1;

  PetscFunctionBeginUser;
  PetscCall(SNESConvergedDefault(snes, it, xnorm, ynorm, fnorm, reason, NULL));
  if (*reason != SNES_CONVERGED_ITERATING || it == 0 || s->mode != MODE_FLUX) PetscFunctionReturn(0);
  PetscCall(SNESGetSolution(snes, &x));
  PetscCall(SNESGetSolutionUpdate(snes, &dx)); /* the step taken: λ times Newton's */
  PetscCall(SNESGetLineSearch(snes, &ls));
  PetscCall(SNESLineSearchGetLambda(ls, &lambda));
  PetscCall(VecWAXPY(s->work, -1.0, dx, x)); /* the previous iterate */
  PetscCall(TSErrorWeightedNorm(s->ts, x, s->work, s->err_norm, &update, &update_a, &update_r));
  if (lambda > 0 && lambda < 1) { /* shortened: not a measure of convergence */
    s->newton_update = update / lambda;
    PetscFunctionReturn(0);
  }
  left = update;
  if (it > 1 && update < s->newton_update) { /* contracting: the rest of the geometric series */
    const PetscReal rho = update / s->newton_update;
    left                = update * rho / (1 - rho);
  }
  s->newton_update = update;
  if (left <= s->newton_tol) *reason = SNES_CONVERGED_SNORM_RELATIVE;
  PetscFunctionReturn(0);
}

/* Each Newton update keeps the inventory exact, however loosely the Krylov solver converged. The sum
   of the residual is affine in θ with gradient shift·w (Σ_i A_i = 0; 1ᵀM = wᵀ; the surface term is
   a constant flux, or a current held fixed), so the update θ − Y conserves it exactly when
   Σ F(θ) = shift wᵀY. The Krylov residual r = J Y − F breaks that by Σ r. Adding c sign(w_i) |Y_i|
   to each component, c = (Σ F − shift wᵀY) / (shift Σ |w_i| |Y_i|), restores it: c is of the size of
   Σ r against the update, far below the Krylov tolerance, and vertices that Newton does not move
   (the quiet core) stay untouched. Only in steps with a given flux (uniform kinetics, rests), where
   Newton and the Krylov solver stop early. Butler–Volmer steps converge Newton fully, so their last
   update is already tiny; there the assembled operator's column sums match shift·w only to about
   1e-6 of the update (V(θ) is linearised), and the correction slowed Newton (the CC/CV example:
   1564 Newton iterations instead of 1316). Not for manufactured solutions (no surface). */
static PetscErrorCode ConserveUpdate(SNESLineSearch ls, Vec X, Vec Y, PetscBool *changed, void *ctx)
{
  Solver             s = (Solver)ctx;
  SNES               snes;
  Vec                F;
  PetscScalar        sumF, *y;
  const PetscScalar *w;
  PetscReal          dot[2] = {0, 0}, c;
  PetscInt           n;

  PetscFunctionBeginUser;
  *changed = PETSC_FALSE;
  if (!s->surface || s->mode != MODE_FLUX || s->shift <= 0) PetscFunctionReturn(0);
  PetscCall(SNESLineSearchGetSNES(ls, &snes));
  PetscCall(SNESGetFunction(snes, &F, NULL, NULL));
  PetscCall(VecSum(F, &sumF));
  PetscCall(VecGetLocalSize(Y, &n));
  PetscCall(VecGetArray(Y, &y));
  PetscCall(VecGetArrayRead(s->weights, &w));
  for (PetscInt i = 0; i < n; i++) {
    dot[0] += PetscRealPart(w[i] * y[i]);
    dot[1] += PetscAbsScalar(w[i]) * PetscAbsScalar(y[i]);
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, dot, 2, MPIU_REAL, MPIU_SUM, s->comm));
  if (dot[1] > 0) {
    c = (PetscRealPart(sumF) - s->shift * dot[0]) / (s->shift * dot[1]);
    for (PetscInt i = 0; i < n; i++) y[i] += (PetscRealPart(w[i]) < 0 ? -c : c) * PetscAbsScalar(y[i]); /* P2 in 3-D: w < 0 at vertices */
    *changed = PETSC_TRUE;
  }
  PetscCall(VecRestoreArrayRead(s->weights, &w));
  PetscCall(VecRestoreArray(Y, &y));
  PetscFunctionReturn(0);
}

/* The time-error control. TS accepts a step when its estimated local error e_i (BDF2: the
   difference from the extrapolated predictor), weighted by tol_i = atol + rtol |θ_i|, has a norm
   below 1. With PETSc's norm, an RMS over all dofs, the few dofs a front is crossing weigh little
   against the quiet rest of the particle (the more so the finer the mesh): ahead of a front θ
   does not move, the estimate sees nothing, the steps grow and the front's arrival at a point is
   stepped over (examples/c3_charge on 7.5 k vertices: θ at the centre 3.3e-3 off at rtol 1e-4,
   still 7.5e-4 at 1e-5, and 2.0e-2 at 1e-3 against 9.1e-3 at 1e-2). So by default (-solver_error_control
   proportional) the norm is the largest over the dofs (TS's NORM_INFINITY, a global max: the
   same on every rank), which sees a front wherever it is and rejects the step in which it reaches
   a quiet region. With an error per step held below tol, BDF2's error made in the smooth phases
   (rests, the evening-out behind a front) accumulates to about tol^(2/3) (the step h goes as
   tol^(1/3), the global error as h^2), while the error at a front's passage goes as tol; measured
   on the C/3 example the two cross at rtol ~ 1e-4. Below RTOL_KNEE the tolerances TS gets are
   therefore tightened by sqrt(rtol/RTOL_KNEE), at most tenfold (the error per step then goes as
   tol^(3/2), the accumulated one as tol: the tolerance transformation RADAU5 makes for the same
   reason), so that the achieved error follows the requested one from 1e-2 to 1e-6 (bench/RESULTS.md,
   time-error control: within 0.2 to 2.3 rtol for P1 and P2). -solver_error_control classic is the control before: PETSc's RMS norm, the
   tolerances as given. -ts_adapt_wnormtype still chooses the norm. */
#define RTOL_KNEE 1e-4
static PetscErrorCode ErrorControl(Solver s, PetscReal rtol, PetscReal atol)
{
  char        control[32] = "proportional", where[PETSC_MAX_PATH_LEN], name[PETSC_MAX_PATH_LEN];
  const char *prefix;
  PetscBool   set;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-solver_error_control", control, sizeof(control), NULL));
  PetscCall(InputOptionWhere("-solver_error_control", where, sizeof(where)));
  PetscCheck(!strcmp(control, "proportional") || !strcmp(control, "classic"), s->comm, PETSC_ERR_USER_INPUT, "%s: error_control must be proportional or classic, got '%s'", where, control);
  s->proportional = !strcmp(control, "proportional") ? PETSC_TRUE : PETSC_FALSE;
  s->rtol_step    = rtol;
  s->atol_step    = atol;
  if (!s->proportional) PetscFunctionReturn(0);
  if (rtol < RTOL_KNEE) { /* at most tenfold: below 1e-6 (where a time error of rtol is far below any space error) the cost would grow as rtol^(-1/2) */
    const PetscReal g = PetscSqrtReal(PetscMax(rtol, 1e-2 * RTOL_KNEE) / RTOL_KNEE);
    s->rtol_step      = g * rtol;
    s->atol_step      = g * atol;
  }
  /* the largest error at any dof, unless a norm is asked for (TSAdapt has no setter for it) */
  PetscCall(TSGetOptionsPrefix(s->ts, &prefix));
  PetscCall(PetscSNPrintf(name, sizeof(name), "-%sts_adapt_wnormtype", prefix ? prefix : ""));
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, name, "infinity"));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUpTS(Solver s)
{
  TSAdapt     adapt;
  SNES        snes;
  KSP         ksp;
  PC          pc;
  PetscMPIInt size;
  Kinetics    kin;
  PetscInt    direct_max;
  PetscReal   rtol = 1e-4, atol = 1e-5;
  char        where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_size(s->comm, &size));
  PetscCall(InputGetQuantity("-solver_rtol", UNIT_NONE, &rtol, NULL));
  PetscCall(InputGetQuantity("-solver_atol", UNIT_NONE, &atol, NULL));
  PetscCall(InputOptionWhere("-solver_rtol", where, sizeof(where)));
  PetscCheck(rtol > 0 && rtol < 1, s->comm, PETSC_ERR_USER_INPUT, "%s: rtol (the relative time-error tolerance) must lie in (0, 1), got %g", where, (double)rtol);
  PetscCall(InputOptionWhere("-solver_atol", where, sizeof(where)));
  PetscCheck(atol > 0 && atol < 1, s->comm, PETSC_ERR_USER_INPUT, "%s: atol (the absolute time-error tolerance, in theta) must lie in (0, 1), got %g", where, (double)atol);

  PetscCall(TSCreate(s->comm, &s->ts));
  PetscCall(TSSetApplicationContext(s->ts, s));
  PetscCall(TSSetDM(s->ts, s->dm));
  PetscCall(TSSetIFunction(s->ts, NULL, IFunction, s));
  if (s->lean) { /* the pattern from the cells' vertex lists; the surface's blocks lie inside it */
    PetscInt        nf = 0, ncl = 0;
    const PetscInt *fidx = NULL;
    if (s->surface) PetscCall(SurfaceGetClosures(s->surface, &nf, &ncl, &fidx));
    PetscCall(LeanAssemblyCreateMatrix(s->lean, s->dm, nf, fidx, &s->J));
    PetscCall(PetscMalloc1(nf * ncl * ncl + 1, &s->surface_jac));
  } else
    PetscCall(DMCreateMatrix(s->dm, &s->J));
  PetscCall(TSSetIJacobian(s->ts, s->J, s->J, IJacobian, s));
  { /* the galvanostatic operator J + u vᵀ */
    PetscInt n, N;
    PetscCall(VecGetLocalSize(s->theta, &n));
    PetscCall(VecGetSize(s->theta, &N));
    PetscCall(MatCreateShell(s->comm, n, n, N, N, s, &s->Jshell));
    PetscCall(MatShellSetOperation(s->Jshell, MATOP_MULT, (void (*)(void))ShellMult));
    PetscCall(VecDuplicate(s->theta, &s->coupling_u));
    PetscCall(VecDuplicate(s->theta, &s->coupling_v));
    PetscCall(DMCreateLocalVector(s->dm, &s->loc_u));
    PetscCall(DMCreateLocalVector(s->dm, &s->loc_v));
  }
  PetscCall(TSSetType(s->ts, TSBDF));
  PetscCall(TSBDFSetOrder(s->ts, 2));
  PetscCall(TSSetExactFinalTime(s->ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetMaxSteps(s->ts, PETSC_MAX_INT));
  PetscCall(TSSetMaxSNESFailures(s->ts, -1)); /* a failed Newton solve shrinks the step */
  PetscCall(ErrorControl(s, rtol, atol));
  PetscCall(TSSetTolerances(s->ts, s->atol_step, NULL, s->rtol_step, NULL));
  PetscCall(TSSetTimeStep(s->ts, s->dt_initial));
  PetscCall(TSGetAdapt(s->ts, &adapt));
  PetscCall(TSAdaptSetType(adapt, TSADAPTBASIC));
  PetscCall(TSAdaptSetStepLimits(adapt, 1e-12, s->dt_max));
  PetscCall(TSSetFunctionDomainError(s->ts, NULL));

  PetscCall(TSGetSNES(s->ts, &snes));
  PetscCall(SNESSetTolerances(snes, 1e-20, 1e-9, 1e-12, 25, PETSC_DEFAULT));
  PetscCall(SNESSetConvergenceTest(snes, NewtonConverged, s, NULL));
  {
    SNESLineSearch ls;
    PetscCall(SNESGetLineSearch(snes, &ls));
    PetscCall(SNESLineSearchSetPreCheck(ls, ConserveUpdate, s));
  }
  PetscCall(SNESGetKSP(snes, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PhysicsGetKinetics(s->phys, &kin));
  /* Direct below direct_max unknowns: with Butler–Volmer kinetics up to 4000 (a saturating
     surface makes those systems hard for ILU: the CC-CV example's CV hold fails with it), with
     a uniform flux only for tiny meshes, since a fresh LU every Newton iteration cost 60 % of
     the time loop at 1.3 k unknowns, 3x the ILU(1)'s; an LU also grows as n^1.5 */
  direct_max = kin == KINETICS_BUTLER_VOLMER ? 4000 : 400;
  if (size == 1) {
    PetscInt n;
    PetscCall(VecGetSize(s->theta, &n));
    if (n <= direct_max) { /* GMRES around the LU applies the rank-one term of galvanostatic steps */
      PetscCall(KSPSetType(ksp, kin == KINETICS_BUTLER_VOLMER ? KSPGMRES : KSPPREONLY));
      PetscCall(KSPSetTolerances(ksp, 1e-10, 1e-30, PETSC_DEFAULT, 100));
      PetscCall(PCSetType(pc, PCLU));
    } else {
      PetscCall(KSPSetType(ksp, KSPGMRES));
      PetscCall(KSPSetTolerances(ksp, 1e-4, 1e-30, PETSC_DEFAULT, 1000));
      PetscCall(PCSetType(pc, PCILU));
      PetscCall(PCFactorSetLevels(pc, 1));
      PetscCall(PCFactorSetMatOrderingType(pc, MATORDERINGRCM));
    }
  } else if (size <= 8) { /* a few ranks: block Jacobi with the one-rank choice per block (LU or
                             ILU(1)); BoomerAMG's set-up costs more than its fewer iterations save
                             until the blocks get many (measured: bench/RESULTS.md, scaling) */
    PetscInt  n;
    PetscBool set;
    PetscCall(VecGetLocalSize(s->theta, &n));
    PetscCall(KSPSetType(ksp, KSPGMRES));
    PetscCall(KSPSetTolerances(ksp, 1e-4, 1e-30, PETSC_DEFAULT, 1000));
    PetscCall(PCSetType(pc, PCBJACOBI));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-sub_pc_type", &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, "-sub_pc_type", n <= direct_max ? "lu" : "ilu"));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-sub_pc_factor_levels", &set));
    if (!set && n > direct_max) PetscCall(PetscOptionsSetValue(NULL, "-sub_pc_factor_levels", "1"));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-sub_pc_factor_mat_ordering_type", &set));
    if (!set && n > direct_max) PetscCall(PetscOptionsSetValue(NULL, "-sub_pc_factor_mat_ordering_type", "rcm"));
  } else { /* many ranks: algebraic multigrid keeps the iterations flat */
    PetscCall(KSPSetType(ksp, KSPGMRES));
    PetscCall(KSPSetTolerances(ksp, 1e-4, 1e-30, PETSC_DEFAULT, 1000));
#if defined(PETSC_HAVE_HYPRE)
    PetscCall(PCSetType(pc, PCHYPRE));
    PetscCall(PCHYPRESetType(pc, "boomeramg"));
#else
    PetscCall(PCSetType(pc, PCGAMG));
#endif
  }
  PetscCall(TSSetFromOptions(s->ts));
  { /* the norm TSAdapt measures the step error in (it has no getter): Newton's test uses it too */
    const char *prefix;
    PetscCall(TSGetOptionsPrefix(s->ts, &prefix));
    s->err_norm = NORM_2; /* PETSc's default (classic) */
    PetscCall(PetscOptionsGetEnum(NULL, prefix, "-ts_adapt_wnormtype", NormTypes, (PetscEnum *)&s->err_norm, NULL));
  }
  PetscFunctionReturn(0);
}

/* PetscFE's assembly takes the signed Jacobian determinant: a cell whose vertices run clockwise
   (2-D) or left-handed (3-D) would enter with a negative volume. The lean assembly takes
   |det J|, so only the plexfem path needs positively oriented cells. */
static PetscErrorCode CheckOrientation(Solver s, const char where[])
{
  PetscInt           counts[2] = {0, 0}; /* inverted, all */
  PetscInt           cStart, cEnd;
  const SolverCells *cells;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  PetscCall(SolverCellsGet(s->dm, &cells));
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscReal v0[3], J[9], invJ[9], detJ;
    if (cells) SolverCellAffine(cells, c - cStart, v0, J, NULL, &detJ);
    else PetscCall(DMPlexComputeCellGeometryAffineFEM(s->dm, c, v0, J, invJ, &detJ));
    if (detJ < 0) counts[0]++;
  }
  counts[1] = cEnd - cStart;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, counts, 2, MPIU_INT, MPI_SUM, s->comm));
  PetscCheck(!counts[0], s->comm, PETSC_ERR_USER_INPUT, "%s: PetscFE's assembly needs positively oriented cells, but %" PetscInt_FMT " of the mesh's %" PetscInt_FMT " are inverted (clockwise or left-handed); reorient them (Gmsh: ReverseMesh) or use the lean assembly", where, counts[0], counts[1]);
  PetscFunctionReturn(0);
}

PetscErrorCode SolverCreate(DM dm, Physics phys, Solver *out)
{
  Solver    s;
  PetscBool set, rule_set;
  char      where[PETSC_MAX_PATH_LEN], rule[32] = "kirchhoff", rule_where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &s->comm));
  PetscCall(PetscObjectReference((PetscObject)dm));
  s->dm         = dm;
  s->phys       = phys;
  s->degree     = 1;
  s->dt_initial = 1e-2;
  s->dt_max     = PETSC_MAX_REAL;
  s->newton_tol = 0.05;
  PetscCall(MeshGetInfo(dm, &s->info));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-solver_degree", &s->degree, NULL));
  PetscCall(InputOptionWhere("-solver_degree", where, sizeof(where)));
  PetscCheck(s->degree == 1 || s->degree == 2, s->comm, PETSC_ERR_USER_INPUT, "%s: degree must be 1 or 2, got %" PetscInt_FMT, where, s->degree);
  s->lumped = s->degree == 1 ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-solver_mass_lumping", &s->lumped, &set));
  PetscCall(InputOptionWhere("-solver_mass_lumping", where, sizeof(where)));
  PetscCheck(!(set && s->lumped && s->degree != 1), s->comm, PETSC_ERR_USER_INPUT, "%s: mass lumping needs P1 elements (P2 row sums vanish at the vertices); set degree 1 or mass_lumping false", where);
  { /* P1: the Kirchhoff flux (default with the lean assembly), D(θ) at the vertices, or at Gauss points */
    PetscCall(PetscOptionsGetString(NULL, NULL, "-solver_quadrature", rule, sizeof(rule), &rule_set));
    PetscCall(InputOptionWhere("-solver_quadrature", rule_where, sizeof(rule_where)));
    PetscCheck(!strcmp(rule, "vertex") || !strcmp(rule, "gauss") || !strcmp(rule, "kirchhoff"), s->comm, PETSC_ERR_USER_INPUT, "%s: quadrature must be kirchhoff, vertex or gauss, got '%s'", rule_where, rule);
    /* the vertex rule would lump a consistent mass: without lumping P1 keeps Gauss points, whose mass is exact */
    PetscCheck(!(rule_set && !strcmp(rule, "vertex") && !s->lumped && s->degree == 1), s->comm, PETSC_ERR_USER_INPUT, "%s: the vertex quadrature lumps the mass (its points are the vertices); with mass_lumping false use kirchhoff or gauss", rule_where);
    s->vertex_quadrature = !strcmp(rule, "gauss") || !s->lumped ? PETSC_FALSE : PETSC_TRUE;
    PetscCheck(!(rule_set && !strcmp(rule, "kirchhoff")) || s->degree == 1, s->comm, PETSC_ERR_USER_INPUT, "%s: the kirchhoff quadrature needs P1 elements (degree 1)", rule_where);
  }
  PetscCall(InputGetQuantity("-solver_dt_initial", UNIT_TIME, &s->dt_initial, NULL));
  PetscCall(InputGetQuantity("-solver_dt_max", UNIT_TIME, &s->dt_max, NULL));
  PetscCall(InputOptionWhere("-solver_dt_initial", where, sizeof(where)));
  PetscCheck(s->dt_initial > 0 && s->dt_max > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: time steps must be positive", where);
  PetscCall(InputGetQuantity("-solver_newton_tol", UNIT_NONE, &s->newton_tol, NULL));
  PetscCall(InputOptionWhere("-solver_newton_tol", where, sizeof(where)));
  PetscCheck(s->newton_tol > 0 && s->newton_tol < 1, s->comm, PETSC_ERR_USER_INPUT, "%s: newton_tol must lie in (0, 1) (a fraction of the time-error tolerance), got %g", where, (double)s->newton_tol);
  s->segment_steps = 200;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-solver_segment_steps", &s->segment_steps, NULL));
  PetscCall(InputOptionWhere("-solver_segment_steps", where, sizeof(where)));
  PetscCheck(s->segment_steps >= 1, s->comm, PETSC_ERR_USER_INPUT, "%s: segment_steps must be at least 1, got %" PetscInt_FMT, where, s->segment_steps);
  s->t_restart = NAN;
  PetscCall(SetUpDiscretisation(s));
  PetscCall(SolverParticlesSetUp(s));
  { /* the lean assembly, unless PetscFE's is asked for or needed */
    char      assembly[32] = "lean";
    PetscBool mms;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-solver_assembly", assembly, sizeof(assembly), NULL));
    PetscCall(InputOptionWhere("-solver_assembly", where, sizeof(where)));
    PetscCheck(!strcmp(assembly, "lean") || !strcmp(assembly, "plexfem"), s->comm, PETSC_ERR_USER_INPUT, "%s: assembly must be lean or plexfem, got '%s'", where, assembly);
    PetscCall(PhysicsIsManufactured(phys, &mms));
    { /* the lean loop, and with it the Kirchhoff flux (asked for, or the default) */
      const PetscBool lean = !strcmp(assembly, "lean") && !mms ? PETSC_TRUE : PETSC_FALSE;
      const PetscBool asked = rule_set && !strcmp(rule, "kirchhoff") ? PETSC_TRUE : PETSC_FALSE;
      PetscCheck(!asked || !mms, s->comm, PETSC_ERR_USER_INPUT, "%s: manufactured solutions run on PetscFE's assembly, which has no kirchhoff quadrature; use %s", rule_where, s->lumped ? "vertex or gauss" : "gauss");
      PetscCheck(!asked || lean, s->comm, PETSC_ERR_USER_INPUT, "%s: the kirchhoff quadrature needs the lean assembly, not %s", where, assembly);
      s->kirchhoff = lean && s->degree == 1 && !strcmp(rule, "kirchhoff") ? PETSC_TRUE : PETSC_FALSE;
      PetscCheck(lean || s->particles.uniform_alpha, s->comm, PETSC_ERR_USER_INPUT, "%s: particles with their own alpha need the lean assembly, not %s", where, assembly);
      if (lean) {
        Vec      loc;
        PetscInt nlocal;
        PetscCall(LeanAssemblyCreate(s, &s->lean));
        PetscCall(DMGetLocalVector(s->dm, &loc));
        PetscCall(VecGetLocalSize(loc, &nlocal));
        PetscCall(DMRestoreLocalVector(s->dm, &loc));
        PetscCall(LeanAssemblySetParticles(s->lean, &s->particles, nlocal));
      } else PetscCall(CheckOrientation(s, mms ? "manufactured solution" : where));
    }
    if (!mms) {
      PetscCall(SurfaceCreate(s, &s->surface));
      PetscCall(SurfaceSetParticles(s->surface, s));
      if (s->particles.resistive) PetscCall(SurfaceSetResistances(s->surface, s->particles.n, s->particles.contact_resistance, s->particles.area));
    }
    PetscCall(PetscMalloc1(s->particles.n, &s->particle_work));
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
  PetscCall(LeanAssemblyDestroy(&(*s)->lean));
  PetscCall(SurfaceDestroy(&(*s)->surface));
  PetscCall(SolverParticlesDestroy(*s));
  PetscCall(PetscFree((*s)->particle_work));
  PetscCall(SolverCheckpointDestroy(*s));
  PetscCall(MatDestroy(&(*s)->J));
  PetscCall(PetscFree((*s)->surface_jac));
  PetscCall(MatDestroy(&(*s)->Jshell));
  PetscCall(VecDestroy(&(*s)->coupling_u));
  PetscCall(VecDestroy(&(*s)->coupling_v));
  PetscCall(VecDestroy(&(*s)->loc_u));
  PetscCall(VecDestroy(&(*s)->loc_v));
  PetscCall(VecDestroy(&(*s)->theta));
  PetscCall(VecDestroy(&(*s)->weights));
  PetscCall(VecDestroy(&(*s)->mass));
  PetscCall(VecDestroy(&(*s)->work));
  PetscCall(DMDestroy(&(*s)->dm));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetInterruption(Solver s, PetscInt *signal, PetscReal *t_stop, PetscReal *t_restart)
{
  PetscFunctionBeginUser;
  *signal    = s->interrupted;
  *t_stop    = s->t_interrupted;
  *t_restart = s->t_restart;
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

/* One line on the discretisation: elements, mass, unknowns, the flux; a warning when the
   Kirchhoff flux had to cut many edges (a mesh far from Delaunay in the diffusivity's metric) */
PetscErrorCode SolverView(Solver s, PetscViewer viewer)
{
  PetscInt           unknowns, edges = 0, cut = 0, nc;
  PetscReal          share = 0, eps;
  const PetscScalar *constants;
  char               flux[256];

  PetscFunctionBeginUser;
  PetscCall(VecGetSize(s->theta, &unknowns));
  PetscCall(PhysicsGetConstants(s->phys, &nc, &constants));
  eps = s->info.dim == 3 ? PetscRealPart(constants[PHYS_EPS]) : 1;
  if (s->kirchhoff) PetscCall(LeanAssemblyGetEdgeCuts(s->lean, &edges, &cut, &share));
  if (edges) {
    PetscCall(PetscSNPrintf(flux, sizeof(flux), "flux: the Kirchhoff potential along the %" PetscInt_FMT " edges with their Voronoi conductances%s", edges, cut ? "" : ", all positive"));
    if (cut) {
      size_t len;
      PetscCall(PetscStrlen(flux, &len));
      PetscCall(PetscSNPrintf(flux + len, sizeof(flux) - len, ", %" PetscInt_FMT " negative ones cut (%.2g%% of the conductance)", cut, (double)(100 * share)));
    }
  } else if (s->kirchhoff) PetscCall(PetscSNPrintf(flux, sizeof(flux), "flux: the gradient of the Kirchhoff potential"));
  else PetscCall(PetscSNPrintf(flux, sizeof(flux), "flux: D(theta) at the %s", s->vertex_quadrature ? "vertices" : "quadrature points"));
  PetscCall(PetscViewerASCIIPrintf(viewer, "discretisation: P%" PetscInt_FMT ", %s mass, %" PetscInt_FMT " unknowns; %s\n", s->degree, s->lumped ? "lumped" : "consistent", unknowns, flux));
  if (share > SOLVER_CUT_SHARE_WARN) PetscCall(PetscViewerASCIIPrintf(viewer, "warning: the mesh is far from Delaunay%s: %.2g%% of the edges' conductance was negative and was cut, which keeps theta within its bounds but costs accuracy; %s\n", eps != 1 ? " in the metric of the out-of-plane factor" : "", (double)(100 * share), eps != 1 ? "let spot mesh the particle (it meshes in that metric)" : "use a Delaunay mesh (Gmsh's default), with smaller cells rather than -mesh_refine, whose split tetrahedra are not Delaunay"));
  PetscFunctionReturn(0);
}

/* Is the discretisation one that keeps θ within its bounds (P1, lumped mass, the Kirchhoff flux
   along edges with non-negative conductances)? */
PetscErrorCode SolverMonotoneFlux(Solver s, PetscBool *monotone)
{
  PetscFunctionBeginUser;
  *monotone = s->kirchhoff && s->lumped ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetDegree(Solver s, PetscInt *degree, PetscBool *lumped)
{
  PetscFunctionBeginUser;
  if (degree) *degree = s->degree;
  if (lumped) *lumped = s->lumped;
  PetscFunctionReturn(0);
}

/* whether residuals and Jacobians come from solver/assemble.c's loop rather than PetscFE's */
PetscErrorCode SolverUsesLeanAssembly(Solver s, PetscBool *lean)
{
  PetscFunctionBeginUser;
  *lean = s->lean ? PETSC_TRUE : PETSC_FALSE;
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

static PetscErrorCode SetMode(Solver s, SurfaceMode mode)
{
  PetscFunctionBeginUser;
  s->mode = mode;
  PetscCall(TSSetIJacobian(s->ts, mode == MODE_GALVANOSTATIC || (mode == MODE_POTENTIOSTATIC && s->particles.resistive) ? s->Jshell : s->J, s->J, IJacobian, s));
  PetscFunctionReturn(0);
}

/* A uniform N/c_max (µm/s) on the active surface for the next time steps (0: a rest) */
PetscErrorCode SolverSetFlux(Solver s, PetscReal flux)
{
  PetscFunctionBeginUser;
  s->flux = flux;
  PetscCall(PhysicsSetFlux(s->phys, flux));
  PetscCall(SetMode(s, MODE_FLUX));
  PetscFunctionReturn(0);
}

/* Butler–Volmer with the potential that carries the mean current density i_set (A/m², > 0 charge) */
PetscErrorCode SolverSetGalvanostatic(Solver s, PetscReal i_set)
{
  Kinetics kin;

  PetscFunctionBeginUser;
  PetscCall(PhysicsGetKinetics(s->phys, &kin));
  PetscCheck(kin == KINETICS_BUTLER_VOLMER && s->surface, s->comm, PETSC_ERR_ARG_WRONGSTATE, "galvanostatic Butler-Volmer steps need Butler-Volmer kinetics");
  s->i_set = i_set;
  { /* start the potential from the open-circuit value of the surface */
    const PetscScalar *c;
    Vec                loc;
    PetscReal          th;
    PetscCall(Constants(s, &c));
    PetscCall(DMGetLocalVector(s->dm, &loc));
    PetscCall(DMGlobalToLocal(s->dm, s->theta, INSERT_VALUES, loc));
    PetscCall(SurfaceSetState(s->surface, loc));
    PetscCall(DMRestoreLocalVector(s->dm, &loc));
    PetscCall(SurfaceMeans(s->surface, s->comm, c, &th, NULL));
    PetscCall(PhysicsOCP(s->phys, th, &s->V, NULL));
  }
  PetscCall(SetMode(s, MODE_GALVANOSTATIC));
  PetscFunctionReturn(0);
}

/* Butler–Volmer at the electrode potential V (V vs Li/Li+) */
PetscErrorCode SolverSetPotentiostatic(Solver s, PetscReal V)
{
  Kinetics kin;

  PetscFunctionBeginUser;
  PetscCall(PhysicsGetKinetics(s->phys, &kin));
  PetscCheck(kin == KINETICS_BUTLER_VOLMER && s->surface, s->comm, PETSC_ERR_USER_INPUT, "a cv step needs Butler-Volmer kinetics: give <material><ocp> and <material><exchange_current>");
  s->V = V;
  PetscCall(SetMode(s, MODE_POTENTIOSTATIC));
  PetscFunctionReturn(0);
}

/* The electrochemical state of θ: electrode potential V, mean current density i (A/m², > 0
   charge), surface means of θ and U(θ). Galvanostatic: V solved; potentiostatic: i measured;
   uniform flux: V = U(mean θ_s) + η(i) when the laws exist, NaN otherwise; rest: V = mean U. */
PetscErrorCode SolverElectrochemistry(Solver s, Vec theta, PetscReal *V, PetscReal *i, PetscReal *theta_s, PetscReal *U_s)
{
  const PetscScalar *c;
  Vec                loc;
  PetscReal          th = NAN, U = NAN, v = NAN, cur = 0, area;
  PetscBool          has_ocp;

  PetscFunctionBeginUser;
  if (!s->surface) {
    if (V) *V = NAN;
    if (i) *i = NAN;
    PetscFunctionReturn(0);
  }
  PetscCall(Constants(s, &c));
  PetscCall(PhysicsHasOCP(s->phys, &has_ocp));
  PetscCall(SurfaceGetArea(s->surface, &area));
  PetscCall(DMGetLocalVector(s->dm, &loc));
  PetscCall(DMGlobalToLocal(s->dm, theta, INSERT_VALUES, loc));
  PetscCall(SurfaceSetState(s->surface, loc));
  PetscCall(DMRestoreLocalVector(s->dm, &loc));
  PetscCall(SurfaceMeans(s->surface, s->comm, c, &th, &U));
  switch (s->mode) {
  case MODE_GALVANOSTATIC: {
    PetscBool found;
    v = s->V;
    PetscCall(SurfaceSolvePotential(s->surface, s->comm, c, s->i_set, &v, &found));
    if (!found) v = -PETSC_INFINITY; /* the surface cannot take the current: the voltage collapses */
    cur = s->i_set;
  } break;
  case MODE_POTENTIOSTATIC: {
    PetscReal Itot;
    v = s->V;
    PetscCall(SurfaceCurrent(s->surface, s->comm, c, v, &Itot, NULL));
    cur = Itot / area;
  } break;
  case MODE_FLUX: {
    Kinetics kin;
    PetscReal q_scale = PetscRealPart(c[PHYS_Q_SCALE]);
    cur = s->flux / q_scale;
    PetscCall(PhysicsGetKinetics(s->phys, &kin));
    if (s->flux == 0) v = has_ocp ? U : NAN; /* rest: the surface-averaged U */
    else if (has_ocp) {
      PetscReal Um, eta = 0;
      PetscCall(PhysicsOCP(s->phys, th, &Um, NULL));
      if (PetscRealPart(c[PHYS_I0]) >= 0) PetscCall(PhysicsOverpotential(s->phys, th, cur, &eta));
      v = Um + eta;
    }
  } break;
  default:
    SETERRQ(s->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown surface mode");
  }
  if (V) *V = v;
  if (i) *i = cur;
  if (theta_s) *theta_s = th;
  if (U_s) *U_s = U;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverParticleElectrochemistry(Solver s, Vec theta, PetscReal i[], PetscReal theta_s[], PetscReal U_s[], PetscReal phi[])
{
  const SolverParticles *p = &s->particles;
  const PetscScalar     *c;
  PetscReal              V, cur, *sums;
  Vec                    loc;
  const PetscBool        bv = s->mode != MODE_FLUX ? PETSC_TRUE : PETSC_FALSE;

  PetscFunctionBeginUser;
  if (!s->surface) {
    for (PetscInt k = 0; k < p->n; ++k) i[k] = theta_s[k] = U_s[k] = NAN;
    if (phi)
      for (PetscInt k = 0; k < p->n; ++k) phi[k] = NAN;
    PetscFunctionReturn(0);
  }
  PetscCall(SolverElectrochemistry(s, theta, &V, &cur, NULL, NULL)); /* V of this state; sets the surface's θ */
  PetscCall(Constants(s, &c));
  PetscCall(DMGetLocalVector(s->dm, &loc));
  PetscCall(DMGlobalToLocal(s->dm, theta, INSERT_VALUES, loc));
  PetscCall(SurfaceSetState(s->surface, loc));
  PetscCall(DMRestoreLocalVector(s->dm, &loc));
  if (bv && !PetscIsInfOrNanReal(V)) PetscCall(SurfacePrepare(s->surface, s->comm, c, V));
  if (phi) {
    const PetscReal *ph;
    PetscCall(SurfaceGetParticleCouplings(s->surface, NULL, NULL, NULL, &ph));
    for (PetscInt k = 0; k < p->n; ++k) phi[k] = ph && bv && !PetscIsInfOrNanReal(V) ? ph[k] : V;
  }
  PetscCall(PetscMalloc1(3 * p->n, &sums));
  PetscCall(SurfaceParticleSums(s->surface, s->comm, c, bv && PetscIsInfOrNanReal(V) == 0 ? PETSC_TRUE : PETSC_FALSE, V, p->n, sums));
  for (PetscInt k = 0; k < p->n; ++k) {
    const PetscReal a = p->area[k];
    i[k]       = bv ? (!PetscIsInfOrNanReal(V) ? sums[3 * k] / a : NAN) : cur; /* a uniform flux: the same everywhere */
    theta_s[k] = sums[3 * k + 1] / a;
    U_s[k]     = PetscRealPart(c[PHYS_OCP]) >= 0 ? sums[3 * k + 2] / a : NAN;
  }
  PetscCall(PetscFree(sums));
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
