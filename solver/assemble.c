/* Lean assembly for P1 and P2 simplices: the same discretisation as the PetscFE path, without
   its generic machinery. With the vertex quadrature of solver.c (λ_qb = δ_qb), D and D' are
   evaluated once per vertex and shared by its cells.

   Per cell K (set up once): the local indices of its dofs in closure order, the physical basis
   gradients G_a = J⁻ᵀ ∇̂φ_a (P1: constant on K; P2: J⁻¹ is kept and G_a formed at each
   quadrature point), |K|, and the element's quadrature (λ_qa = φ_a(x̂_q), weights w_q
   normalised to sum 1), taken from the PetscFE itself, so results agree with
   DMPlexTSComputeIFunctionFEM to round-off.

     F_a  = Σ_K |K| Σ_q w_q D(θ_q) (G_a·K∇θ),                  θ_q = Σ_b λ_qb θ_b, ∇θ = Σ_b θ_b G_b
     J_ab = Σ_K |K| [ D̄ (G_a·K G_b) + (G_a·K∇θ) Σ_q w_q D'(θ_q) λ_qb ],   D̄ = Σ_q w_q D(θ_q)
   (surface terms and a lumped mass are added by the caller; D here is D_app = α D_GITT). P2 has G_a
   varying with x̂_q, so its sums over q run per point. Without lumping (P2, or P1 on request) the
   consistent mass M_ab = |K| Σ_q w_q φ_a φ_b, the same on every cell up to |K|, is added here
   (with the element's own quadrature, as PetscFE does; a consistent P1 mass has Gauss points):
     F_a += Σ_b M_ab θ_t,b,   J_ab += shift M_ab.
   D and D' at the quadrature
   points are computed once per state: the Jacobian at the state of the last residual reuses
   them (SNES evaluates F(u) then J(u)). The surface's Jacobian blocks come in from the caller
   and go in with the cells' ones: on one rank straight into the CSR values, on several through
   one MatSetValuesCOO on the matrix of LeanAssemblyCreateMatrix.

   Kirchhoff quadrature (-solver_quadrature kirchhoff): D∇θ = ∇Φ(θ) with Φ = α∫_1^θ D_GITT
   (physics/diffusivity.c), and Φ is interpolated in P1 from its vertex values:
     F_a  = Σ_K |K| G_a·K ∇Φ_h,   ∇Φ_h = Σ_b Φ(θ_b) G_b
     J_ab = Σ_K |K| (G_a·K G_b) Φ'(θ_b)
   Along an edge the flux is then the mean of D over the two vertices' θ interval rather than the
   mean of D at the two vertices; the two agree for a slowly varying D, but across a front where
   D changes a hundredfold within a cell the first keeps the front's speed and the second does not.
   It goes with either mass: lumped, or consistent (the element then has Gauss points, exact for
   M; they serve only the mass, since Φ lives at the vertices). */
#include "solver/solverimpl.h"
#include <petscsf.h>
#include <string.h>

#define MAXB 10 /* basis functions of a cell: up to P2 tetrahedra */
#define MAXQ 27 /* quadrature points: up to P2's rule on tetrahedra */

struct _p_LeanAssembly {
  PetscInt     dim, ncells, nq, nv; /* nv: dofs per cell (the vertices for P1) */
  PetscInt    *idx;  /* [ncells][nv] local dof indices */
  PetscReal   *grad; /* [ncells][nv][dim] (P1), or [ncells][dim][dim] J⁻¹ (P2) */
  PetscReal   *vol;  /* [ncells] */
  PetscReal    lambda[MAXQ][MAXB], w[MAXQ];
  PetscBool    quadratic;           /* P2: gradients vary within a cell, grad holds J⁻¹ */
  PetscReal    dphi[MAXQ][MAXB][3]; /* reference gradients ∇̂φ_b(x̂_q) (P2) */
  PetscBool    consistent;          /* the consistent mass is assembled here (no lumping) */
  PetscReal    mass[MAXB][MAXB];    /* Σ_q w_q φ_a φ_b: the element mass over |K| */
  PetscReal   *D, *dD;      /* [ncells][nq] at the cached state */
  PetscInt    *pos;         /* [nblocks][nv][nv] positions in the CSR values of a sequential matrix, or NULL */
  Mat          pos_mat;     /* the matrix pos refers to */
  PetscInt     nextra;      /* extra blocks (the surface's facets): their cells' dofs, values from the caller */
  PetscInt    *extra_idx;   /* [nextra][nv] */
  PetscScalar *coo;         /* [ncells + nextra][nv][nv] values for MatSetValuesCOO (several ranks) */
  Mat          coo_mat;     /* the matrix preallocated for them by LeanAssemblyCreateMatrix */
  PetscBool    vertex_rule; /* quadrature points at the vertices: D per vertex */
  PetscReal   *Dv, *dDv;    /* [local dofs] D and D' per vertex (vertex rule), or Φ and Φ' (Kirchhoff) */
  PetscReal   *kirchhoff;   /* the table of Φ_GITT (physics/diffusivity.c), or NULL */
  PetscScalar *cache_u;     /* the local θ the cached D, D' belong to */
  PetscInt     cache_n;
  PetscBool    cache_valid;
  PetscReal   *alpha_cell;  /* [ncells] the particle's α factor of each cell, or NULL (all 1) */
  PetscReal   *alpha_dof;   /* [local dofs] the same per dof (a dof lies in one particle) */
};

PetscErrorCode LeanAssemblyCreate(Solver s, LeanAssembly *out)
{
  LeanAssembly     a;
  PetscFE          fe;
  PetscQuadrature  quad;
  PetscTabulation  T;
  const PetscReal *qw;
  PetscSection     section;
  PetscInt         cStart, cEnd, Nb, Nq, dim;
  PetscReal        wsum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&a));
  PetscCall(DMGetDimension(s->dm, &dim));
  PetscCall(DMGetField(s->dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &Nq, NULL, &qw));
  PetscCall(PetscFEGetCellTabulation(fe, 1, &T));
  Nb = T->Nb;
  PetscCheck(Nb <= MAXB && Nq <= MAXQ, s->comm, PETSC_ERR_SUP, "the lean assembly is for P1 and P2 simplices (%" PetscInt_FMT " basis functions, %" PetscInt_FMT " quadrature points)", Nb, Nq);
  a->dim        = dim;
  a->nq         = Nq;
  a->nv         = Nb;
  a->quadratic  = Nb > dim + 1 ? PETSC_TRUE : PETSC_FALSE;
  a->consistent = s->lumped ? PETSC_FALSE : PETSC_TRUE;
  for (PetscInt q = 0; q < Nq; ++q) wsum += qw[q];
  a->vertex_rule = Nq == Nb ? PETSC_TRUE : PETSC_FALSE;
  if (s->kirchhoff) PetscCall(PhysicsKirchhoffTable(s->phys, &a->kirchhoff));
  for (PetscInt q = 0; q < Nq; ++q) {
    a->w[q] = qw[q] / wsum;
    for (PetscInt b = 0; b < Nb; ++b) {
      a->lambda[q][b] = T->T[0][q * Nb + b];
      if (PetscAbsReal(a->lambda[q][b] - (q == b ? 1.0 : 0.0)) > 1e-12) a->vertex_rule = PETSC_FALSE;
      for (PetscInt e = 0; e < dim; ++e) a->dphi[q][b][e] = T->T[1][(q * Nb + b) * dim + e];
    }
  }
  for (PetscInt i = 0; i < Nb; ++i)
    for (PetscInt j = 0; j < Nb; ++j) {
      a->mass[i][j] = 0;
      for (PetscInt q = 0; q < Nq; ++q) a->mass[i][j] += a->w[q] * a->lambda[q][i] * a->lambda[q][j];
    }
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  a->ncells = cEnd - cStart;
  { /* D and D' per quadrature point are kept per cell only for Gauss rules: the vertex rule reads them, and the
       Kirchhoff flux Φ and Φ', per vertex */
    const PetscInt nDq = a->vertex_rule || a->kirchhoff ? 1 : a->ncells * Nq;
    PetscCall(PetscMalloc5(a->ncells * Nb, &a->idx, a->ncells * (a->quadratic ? dim : Nb) * dim, &a->grad, a->ncells, &a->vol, nDq, &a->D, nDq, &a->dD));
  }
  PetscCall(DMGetLocalSection(s->dm, &section));
  for (PetscInt c = cStart; c < cEnd; ++c) {
    const PetscInt k = c - cStart;
    PetscReal      v0[3], J[9], invJ[9], detJ;
    PetscInt       n, *ix = NULL;
    PetscCall(DMPlexComputeCellGeometryAffineFEM(s->dm, c, v0, J, invJ, &detJ));
    PetscCall(DMPlexGetClosureIndices(s->dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
    PetscCheck(n == Nb, s->comm, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has %" PetscInt_FMT " dofs, expected %" PetscInt_FMT, c, n, Nb);
    for (PetscInt b = 0; b < Nb; ++b) {
      a->idx[k * Nb + b] = ix[b];
      if (!a->quadratic)
        for (PetscInt d = 0; d < dim; ++d) { /* ∇φ_b = J⁻ᵀ ∇̂φ_b: (invJ)_{e d} ∂̂_e φ */
          PetscReal g = 0;
          for (PetscInt e = 0; e < dim; ++e) g += invJ[e * dim + d] * a->dphi[0][b][e];
          a->grad[(k * Nb + b) * dim + d] = g;
        }
    }
    if (a->quadratic) PetscCall(PetscArraycpy(&a->grad[k * dim * dim], invJ, dim * dim));
    PetscCall(DMPlexRestoreClosureIndices(s->dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
    a->vol[k] = PetscAbsReal(detJ) * (dim == 2 ? 2.0 : 4.0 / 3.0); /* the reference simplex in [-1,1]^d has volume 2 or 4/3 */
  }
  *out = a;
  PetscFunctionReturn(0);
}

PetscErrorCode LeanAssemblyDestroy(LeanAssembly *a)
{
  PetscFunctionBeginUser;
  if (!*a) PetscFunctionReturn(0);
  PetscCall(PetscFree5((*a)->idx, (*a)->grad, (*a)->vol, (*a)->D, (*a)->dD));
  PetscCall(PetscFree((*a)->pos));
  PetscCall(PetscFree((*a)->extra_idx));
  PetscCall(PetscFree((*a)->coo));
  PetscCall(PetscFree((*a)->cache_u));
  PetscCall(PetscFree2((*a)->Dv, (*a)->dDv));
  PetscCall(PetscFree((*a)->kirchhoff));
  PetscCall(PetscFree((*a)->alpha_cell));
  PetscCall(PetscFree((*a)->alpha_dof));
  PetscCall(PetscFree(*a));
  PetscFunctionReturn(0);
}

/* D_app and its derivative at every quadrature point for the local state u, skipped when the
   cache holds the same values (compared, not tracked: SNES copies states between vectors) */
static PetscErrorCode Evaluate(LeanAssembly a, const PetscScalar constants[], Vec locU, const PetscScalar *u)
{
  const PetscReal alpha = PetscRealPart(constants[PHYS_ALPHA]);
  const PetscInt  nv = a->nv, nq = a->nq;
  PetscInt        n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(locU, &n));
  if (n != a->cache_n) {
    PetscCall(PetscFree(a->cache_u));
    PetscCall(PetscMalloc1(n, &a->cache_u));
    PetscCall(PetscFree2(a->Dv, a->dDv));
    PetscCall(PetscMalloc2(n, &a->Dv, n, &a->dDv));
    a->cache_n     = n;
    a->cache_valid = PETSC_FALSE;
  }
  if (a->cache_valid && !memcmp(a->cache_u, u, (size_t)n * sizeof(PetscScalar))) PetscFunctionReturn(0);
  PetscCall(PetscArraycpy(a->cache_u, u, n));
  if (a->kirchhoff) { /* Φ and Φ' per vertex */
    for (PetscInt i = 0; i < n; ++i) {
      PetscReal Phi, dPhi;
      PhysKirchhoff(PetscRealPart(u[i]), &constants[PHYS_LAW], a->kirchhoff, &Phi, &dPhi);
      const PetscReal f = a->alpha_dof ? alpha * a->alpha_dof[i] : alpha;
      a->Dv[i]          = f * Phi;
      a->dDv[i]         = f * dPhi;
    }
    a->cache_valid = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  if (a->vertex_rule) { /* once per vertex, then copied to the cells' quadrature points */
    for (PetscInt i = 0; i < n; ++i) {
      PetscReal D, dD;
      PhysDiffusivity(PetscRealPart(u[i]), &constants[PHYS_LAW], &D, &dD);
      const PetscReal f = a->alpha_dof ? alpha * a->alpha_dof[i] : alpha;
      a->Dv[i]          = f * D;
      a->dDv[i]         = f * dD;
    }
    a->cache_valid = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt *ix = &a->idx[k * nv];
    const PetscReal f  = a->alpha_cell ? alpha * a->alpha_cell[k] : alpha;
    for (PetscInt q = 0; q < nq; ++q) {
      PetscReal th = 0, D, dD;
      for (PetscInt b = 0; b < nv; ++b) th += a->lambda[q][b] * PetscRealPart(u[ix[b]]);
      PhysDiffusivity(th, &constants[PHYS_LAW], &D, &dD);
      a->D[k * nq + q]  = f * D;
      a->dD[k * nq + q] = f * dD;
    }
  }
  a->cache_valid = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* The particles' α factors, per cell and per local dof (nothing to do when all are 1) */
PetscErrorCode LeanAssemblySetParticles(LeanAssembly a, const SolverParticles *p, PetscInt nlocal)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(a->alpha_cell));
  PetscCall(PetscFree(a->alpha_dof));
  a->cache_valid = PETSC_FALSE;
  if (p->uniform_alpha) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(a->ncells + 1, &a->alpha_cell));
  PetscCall(PetscMalloc1(nlocal + 1, &a->alpha_dof));
  for (PetscInt k = 0; k < a->ncells; ++k) a->alpha_cell[k] = p->alpha[p->cell[k]];
  for (PetscInt i = 0; i < nlocal; ++i) a->alpha_dof[i] = p->alpha[p->local_dof[i]];
  PetscFunctionReturn(0);
}

void LeanAssemblyInvalidate(LeanAssembly a)
{
  a->cache_valid = PETSC_FALSE;
}

/* P2, at quadrature point q of cell k: the physical gradients G_b = J⁻ᵀ ∇̂φ_b and K∇θ */
static inline void PointGradients(LeanAssembly a, PetscInt k, PetscInt q, const PetscScalar u[], PetscReal eps, PetscReal G[][3], PetscReal Kgradu[3])
{
  const PetscInt   dim = a->dim;
  const PetscReal *invJ = &a->grad[k * dim * dim];
  const PetscInt  *ix   = &a->idx[k * a->nv];

  Kgradu[0] = Kgradu[1] = Kgradu[2] = 0;
  for (PetscInt b = 0; b < a->nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) {
      PetscReal g = 0;
      for (PetscInt e = 0; e < dim; ++e) g += invJ[e * dim + d] * a->dphi[q][b][e];
      G[b][d] = g;
      Kgradu[d] += PetscRealPart(u[ix[b]]) * g;
    }
  if (dim == 3) Kgradu[2] *= eps;
}

/* P2: f += the stiffness residual of cell k, point by point */
static inline void CellResidualQuadratic(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar f[])
{
  const PetscInt  nv = a->nv, dim = a->dim;
  const PetscInt *ix = &a->idx[k * nv];

  for (PetscInt q = 0; q < a->nq; ++q) {
    PetscReal       G[MAXB][3], gradu[3];
    const PetscReal c = a->vol[k] * a->w[q] * a->D[k * a->nq + q];
    PointGradients(a, k, q, u, eps, G, gradu);
    for (PetscInt b = 0; b < nv; ++b) {
      PetscReal gk = 0;
      for (PetscInt d = 0; d < dim; ++d) gk += G[b][d] * gradu[d];
      f[ix[b]] += c * gk;
    }
  }
}

/* locF += stiffness residual at the local state locU, and with a consistent mass M θ_t (locU_t;
   NULL with a lumped mass, which the caller adds) */
PetscErrorCode LeanAssemblyResidual(LeanAssembly a, const PetscScalar constants[], Vec locU, Vec locU_t, Vec locF)
{
  const PetscScalar *u, *u_t = NULL;
  PetscScalar       *f;
  const PetscInt     nv = a->nv, nq = a->nq, dim = a->dim;
  const PetscReal    eps = PetscRealPart(constants[PHYS_EPS]);

  PetscFunctionBeginUser;
  PetscCheck(!a->consistent == !locU_t, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "the consistent mass needs theta_t, the lumped one none");
  PetscCall(VecGetArrayRead(locU, &u));
  if (locU_t) PetscCall(VecGetArrayRead(locU_t, &u_t));
  PetscCall(Evaluate(a, constants, locU, u));
  PetscCall(VecGetArray(locF, &f));
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt  *ix = &a->idx[k * nv];
    const PetscReal *G;
    PetscReal        gradu[3] = {0, 0, 0}, Dbar = 0;
    if (u_t)
      for (PetscInt i = 0; i < nv; ++i) {
        PetscReal m = 0;
        for (PetscInt j = 0; j < nv; ++j) m += a->mass[i][j] * PetscRealPart(u_t[ix[j]]);
        f[ix[i]] += a->vol[k] * m;
      }
    if (a->quadratic) {
      CellResidualQuadratic(a, k, u, eps, f);
      continue;
    }
    G = &a->grad[k * nv * dim];
    if (a->kirchhoff) { /* K∇Φ_h */
      for (PetscInt b = 0; b < nv; ++b)
        for (PetscInt d = 0; d < dim; ++d) gradu[d] += a->Dv[ix[b]] * G[b * dim + d];
    } else
      for (PetscInt b = 0; b < nv; ++b)
        for (PetscInt d = 0; d < dim; ++d) gradu[d] += PetscRealPart(u[ix[b]]) * G[b * dim + d];
    if (dim == 3) gradu[2] *= eps; /* K∇θ */
    if (a->kirchhoff) Dbar = 1;
    else if (a->vertex_rule)
      for (PetscInt q = 0; q < nq; ++q) Dbar += a->w[q] * a->Dv[ix[q]];
    else
      for (PetscInt q = 0; q < nq; ++q) Dbar += a->w[q] * a->D[k * nq + q];
    Dbar *= a->vol[k];
    for (PetscInt b = 0; b < nv; ++b) {
      PetscReal gk = 0;
      for (PetscInt d = 0; d < dim; ++d) gk += G[b * dim + d] * gradu[d];
      f[ix[b]] += Dbar * gk;
    }
  }
  PetscCall(VecRestoreArray(locF, &f));
  PetscCall(VecRestoreArrayRead(locU, &u));
  if (locU_t) PetscCall(VecRestoreArrayRead(locU_t, &u_t));
  PetscFunctionReturn(0);
}

/* On one rank the cell blocks are added straight into the CSR values: pos[k][i][j] is the
   position of entry (idx_i, idx_j) of cell k, found once for the matrix's fixed pattern */
static PetscErrorCode FindPositions(LeanAssembly a, Mat J)
{
  const PetscInt *ia, *ja;
  PetscInt        n, nv = a->nv;
  PetscBool       done;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(a->pos));
  PetscCall(MatGetRowIJ(J, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "no row access to the Jacobian");
  PetscCall(PetscMalloc1((a->ncells + a->nextra) * nv * nv, &a->pos));
  for (PetscInt k = 0; k < a->ncells + a->nextra; ++k)
    for (PetscInt i = 0; i < nv; ++i) {
      const PetscInt *ix  = k < a->ncells ? &a->idx[k * nv] : &a->extra_idx[(k - a->ncells) * nv];
      const PetscInt  row = ix[i];
      for (PetscInt j = 0; j < nv; ++j) {
        const PetscInt col = ix[j];
        PetscInt       lo = ia[row], hi = ia[row + 1] - 1, p = -1;
        while (lo <= hi) { /* columns of a row are sorted */
          const PetscInt mid = (lo + hi) / 2;
          if (ja[mid] == col) {
            p = mid;
            break;
          }
          if (ja[mid] < col) lo = mid + 1;
          else hi = mid - 1;
        }
        PetscCheck(p >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "entry (%" PetscInt_FMT ", %" PetscInt_FMT ") missing from the Jacobian pattern", row, col);
        a->pos[(k * nv + i) * nv + j] = p;
      }
    }
  PetscCall(MatRestoreRowIJ(J, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  a->pos_mat = J;
  PetscFunctionReturn(0);
}

/* The Jacobian's matrix, preallocated from the cells' (and the extra blocks') dof lists alone,
   without DMPlex's generic adjacency search: on one rank a CSR pattern built here, on several
   a COO pattern, so that each Jacobian is one MatSetValuesCOO (which also sends the rows of
   ghost vertices to their owners). The extra blocks must lie inside cells' patterns. */
PetscErrorCode LeanAssemblyCreateMatrix(LeanAssembly a, DM dm, PetscInt nextra, const PetscInt extra_idx[], Mat *J)
{
  const PetscInt         nv = a->nv, nb = a->ncells + nextra;
  ISLocalToGlobalMapping ltog;
  PetscMPIInt            size;
  PetscInt               n, N, nloc;
  Vec                    g;
  MPI_Comm               comm;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscFree(a->extra_idx));
  PetscCall(PetscMalloc1(nextra * nv + 1, &a->extra_idx));
  PetscCall(PetscArraycpy(a->extra_idx, extra_idx, nextra * nv));
  a->nextra = nextra;
  PetscCall(DMGetGlobalVector(dm, &g));
  PetscCall(VecGetLocalSize(g, &n));
  PetscCall(VecGetSize(g, &N));
  PetscCall(DMRestoreGlobalVector(dm, &g));
  PetscCall(DMGetLocalToGlobalMapping(dm, &ltog));
  PetscCall(ISLocalToGlobalMappingGetSize(ltog, &nloc));
  PetscCall(MatCreate(comm, J));
  PetscCall(MatSetSizes(*J, n, n, N, N));
  PetscCall(MatSetType(*J, size == 1 ? MATSEQAIJ : MATMPIAIJ));
  PetscCall(MatSetLocalToGlobalMapping(*J, ltog, ltog));
  if (size == 1) { /* rows: the union of the cells' vertex lists, sorted */
    PetscInt *cnt, *ia, *ja, *fill;
    PetscCheck(nloc == N, comm, PETSC_ERR_PLIB, "one rank with %" PetscInt_FMT " local and %" PetscInt_FMT " global dofs", nloc, N);
    PetscCall(PetscCalloc1(N + 1, &cnt));
    for (PetscInt k = 0; k < a->ncells; ++k)
      for (PetscInt i = 0; i < nv; ++i)
        cnt[a->idx[k * nv + i] + 1] += nv;
    for (PetscInt r = 0; r < N; ++r)
      cnt[r + 1] += cnt[r];
    PetscCall(PetscMalloc2(cnt[N], &ja, N, &fill));
    for (PetscInt r = 0; r < N; ++r)
      fill[r] = cnt[r];
    for (PetscInt k = 0; k < a->ncells; ++k)
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j)
          ja[fill[a->idx[k * nv + i]]++] = a->idx[k * nv + j];
    PetscCall(PetscMalloc1(N + 1, &ia));
    ia[0] = 0;
    for (PetscInt r = 0; r < N; ++r) { /* sort and compact each row in place */
      PetscInt m = cnt[r + 1] - cnt[r];
      PetscCall(PetscSortRemoveDupsInt(&m, &ja[cnt[r]]));
      PetscCall(PetscArraymove(&ja[ia[r]], &ja[cnt[r]], m));
      ia[r + 1] = ia[r] + m;
    }
    PetscCall(MatSeqAIJSetPreallocationCSR(*J, ia, ja, NULL));
    PetscCall(PetscFree(ia));
    PetscCall(PetscFree2(ja, fill));
    PetscCall(PetscFree(cnt));
  } else {
    PetscInt *ci, *cj;
    PetscCall(PetscMalloc2(nb * nv * nv, &ci, nb * nv * nv, &cj));
    for (PetscInt k = 0; k < nb; ++k) {
      const PetscInt *ix = k < a->ncells ? &a->idx[k * nv] : &a->extra_idx[(k - a->ncells) * nv];
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j) {
          ci[(k * nv + i) * nv + j] = ix[i];
          cj[(k * nv + i) * nv + j] = ix[j];
        }
    }
    PetscCall(MatSetPreallocationCOOLocal(*J, (PetscCount)nb * nv * nv, ci, cj));
    PetscCall(PetscFree2(ci, cj));
    PetscCall(PetscFree(a->coo));
    PetscCall(PetscMalloc1(nb * nv * nv, &a->coo));
    a->coo_mat = *J;
  }
  PetscCall(MatSetOption(*J, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* The stiffness block of cell k: v[i][j] = ∂F_i/∂θ_j (D at the quadrature points) */
static inline void CellJacobian(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar v[])
{
  const PetscInt   nv = a->nv, nq = a->nq, dim = a->dim;
  const PetscInt  *ix = &a->idx[k * nv];
  const PetscReal *G  = &a->grad[k * nv * dim];
  PetscReal        gradu[3] = {0, 0, 0}, Dbar = 0, dDl[MAXB] = {0}, Kgrad[MAXB][3];

  for (PetscInt b = 0; b < nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) gradu[d] += PetscRealPart(u[ix[b]]) * G[b * dim + d];
  if (dim == 3) gradu[2] *= eps;
  for (PetscInt q = 0; q < nq; ++q) {
    const PetscReal Dq = a->vertex_rule ? a->Dv[ix[q]] : a->D[k * nq + q], dDq = a->vertex_rule ? a->dDv[ix[q]] : a->dD[k * nq + q];
    Dbar += a->w[q] * Dq;
    for (PetscInt b = 0; b < nv; ++b) dDl[b] += a->w[q] * dDq * a->lambda[q][b];
  }
  for (PetscInt b = 0; b < nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) Kgrad[b][d] = G[b * dim + d] * (d == 2 ? eps : 1.0);
  for (PetscInt i = 0; i < nv; ++i) {
    PetscReal gi = 0;
    for (PetscInt d = 0; d < dim; ++d) gi += G[i * dim + d] * gradu[d];
    for (PetscInt j = 0; j < nv; ++j) {
      PetscReal gg = 0;
      for (PetscInt d = 0; d < dim; ++d) gg += G[i * dim + d] * Kgrad[j][d];
      v[i * nv + j] = a->vol[k] * (Dbar * gg + gi * dDl[j]);
    }
  }
}

/* P2: v[i][j] = Σ_q |K| w_q [D_q (G_i·K G_j) + D'_q φ_j (G_i·K∇θ)] at the points' own gradients */
static inline void CellJacobianQuadratic(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar v[])
{
  const PetscInt nv = a->nv, nq = a->nq, dim = a->dim;

  for (PetscInt e = 0; e < nv * nv; ++e) v[e] = 0;
  for (PetscInt q = 0; q < nq; ++q) {
    PetscReal       G[MAXB][3], gradu[3];
    const PetscReal c = a->vol[k] * a->w[q], Dq = a->D[k * nq + q], dDq = a->dD[k * nq + q];
    PointGradients(a, k, q, u, eps, G, gradu);
    for (PetscInt i = 0; i < nv; ++i) {
      PetscReal gi = 0;
      for (PetscInt d = 0; d < dim; ++d) gi += G[i][d] * gradu[d];
      for (PetscInt j = 0; j < nv; ++j) {
        PetscReal gg = 0;
        for (PetscInt d = 0; d < dim; ++d) gg += G[i][d] * G[j][d] * (d == 2 ? eps : 1.0);
        v[i * nv + j] += c * (Dq * gg + dDq * a->lambda[q][j] * gi);
      }
    }
  }
}

/* The same with the Kirchhoff quadrature: v[i][j] = |K| (G_i·K G_j) Φ'(θ_j) */
static inline void CellJacobianKirchhoff(LeanAssembly a, PetscInt k, PetscReal eps, PetscScalar v[])
{
  const PetscInt   nv = a->nv, dim = a->dim;
  const PetscInt  *ix = &a->idx[k * nv];
  const PetscReal *G  = &a->grad[k * nv * dim];

  for (PetscInt i = 0; i < nv; ++i)
    for (PetscInt j = 0; j < nv; ++j) {
      PetscReal gg = 0;
      for (PetscInt d = 0; d < dim; ++d) gg += G[i * dim + d] * G[j * dim + d] * (d == 2 ? eps : 1.0);
      v[i * nv + j] = a->vol[k] * gg * a->dDv[ix[j]];
    }
}

/* J (assembled from zero) = ∂(stiffness)/∂θ at U, plus shift M with a consistent mass, plus the
   extra blocks' values extra ([nextra][nv][nv], or NULL for none); the caller adds a lumped mass
   afterwards. Any AIJ
   matrix with the pattern works: one rank writes the CSR values directly, several use
   MatSetValuesCOO on the matrix of LeanAssemblyCreateMatrix (MatSetValuesLocal on others). */
PetscErrorCode LeanAssemblyJacobian(LeanAssembly a, const PetscScalar constants[], Vec locU, PetscReal shift, const PetscScalar extra[], Mat J)
{
  const PetscScalar *u;
  const PetscInt     nv = a->nv;
  const PetscReal    eps = PetscRealPart(constants[PHYS_EPS]);
  PetscScalar        vals[MAXB * MAXB];
  PetscScalar       *csr = NULL;
  PetscBool          seq, coo = J == a->coo_mat ? PETSC_TRUE : PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)J, MATSEQAIJ, &seq));
  if (seq && a->pos_mat != J) PetscCall(FindPositions(a, J));
  if (!coo) PetscCall(MatZeroEntries(J));
  if (seq) PetscCall(MatSeqAIJGetArray(J, &csr));
  PetscCall(VecGetArrayRead(locU, &u));
  PetscCall(Evaluate(a, constants, locU, u));
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt *ix = &a->idx[k * nv];
    PetscScalar    *v  = coo ? &a->coo[k * nv * nv] : vals;
    if (a->kirchhoff) CellJacobianKirchhoff(a, k, eps, v);
    else if (a->quadratic) CellJacobianQuadratic(a, k, u, eps, v);
    else CellJacobian(a, k, u, eps, v);
    if (a->consistent)
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j) v[i * nv + j] += shift * a->vol[k] * a->mass[i][j];
    if (seq) {
      const PetscInt *p = &a->pos[k * nv * nv];
      for (PetscInt e = 0; e < nv * nv; ++e)
        csr[p[e]] += vals[e];
    } else if (!coo)
      PetscCall(MatSetValuesLocal(J, nv, ix, nv, ix, vals, ADD_VALUES));
  }
  PetscCall(VecRestoreArrayRead(locU, &u));
  if (seq) {
    if (extra) {
      const PetscInt *p = &a->pos[a->ncells * nv * nv];
      for (PetscInt e = 0; e < a->nextra * nv * nv; ++e)
        csr[p[e]] += extra[e];
    }
    PetscCall(MatSeqAIJRestoreArray(J, &csr));
  } else if (coo) {
    PetscScalar *tail = &a->coo[a->ncells * nv * nv];
    for (PetscInt e = 0; e < a->nextra * nv * nv; ++e)
      tail[e] = extra ? extra[e] : 0;
    PetscCall(MatSetValuesCOO(J, a->coo, INSERT_VALUES));
    PetscFunctionReturn(0); /* assembled */
  } else if (extra)
    for (PetscInt k = 0; k < a->nextra; ++k)
      PetscCall(MatSetValuesLocal(J, nv, &a->extra_idx[k * nv], nv, &a->extra_idx[k * nv], &extra[k * nv * nv], ADD_VALUES));
  PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}
