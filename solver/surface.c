/* The active surface: quadrature on its facets, and everything the boundary condition needs.

   Each surface facet F (owned: one support cell K) carries a Stroud rule mapped onto it, the
   closure dofs of K and the values of K's basis functions at the rule's points (so P1 and P2,
   2-D and 3-D alike), with weights w_q summing to |F|. Then, with q(θ, V) the outward flux
   N/c_max (µm/s):
     residual   F_a += Σ_F Σ_q w_q φ_a(x_q) q(θ_q, V)
     Jacobian   J_ab += Σ_F Σ_q w_q φ_a φ_b ∂q/∂θ                     (Butler–Volmer only)
     current    I = ∮ i ds = Σ_F Σ_q w_q i(θ_q, V)                   (A/m² · µm^(d−1))
   A galvanostatic step with Butler–Volmer kinetics fixes V by ∮ i ds = i_set |∂Ω| at every
   residual evaluation (monotone in V; Newton with bisection safeguard), so V is implicit in
   θ and the current is exact: with the same rule in residual and current, Σ_a F_a equals the
   set flux exactly and the inventory is conserved to round-off. For the Jacobian of that
   step, dV/dθ_b = −(∂I/∂θ_b)/(∂I/∂V), a rank-one term u vᵀ with u_a = ∂F_a/∂V. */
#include "solver/solverimpl.h"
#include <petscsf.h>
#include <petscbt.h>

/* The potential of facet k's particle */
#define FACET_V(sf, k, V) ((sf)->pot ? (sf)->pot[(sf)->particle[k]] : (V))

struct _p_Surface {
  PetscInt   nfacets, ncl, nq, dim;
  PetscInt  *idx;     /* [nfacets][ncl] local dof indices of the support cell's closure */
  PetscReal *phi;     /* [nfacets][nq][ncl] basis values at the facet's quadrature points */
  PetscReal *w;       /* [nfacets][nq] weights, Σ_q = |F| */
  PetscReal *theta;   /* [nfacets][nq] θ at the points, for the last SurfaceSetState */
  PetscInt  *cell;    /* [nfacets] the support cell (a local point) */
  PetscInt  *particle; /* [nfacets] its particle, 0..N−1 */
  PetscReal *scale;   /* [nfacets] the particle's i0 factor */
  /* contact resistances (SurfaceSetResistances): particle k at its own potential φ_k with
     A_k (V − φ_k) / R_k = I_k(φ_k); NULL without */
  PetscInt   n;
  PetscReal *pot;      /* [n] φ_k at the V of the last SurfacePrepare, V */
  PetscReal *g;        /* [n] A_k / R_k, (A/m²)·µm^(d−1) per V; +inf for R_k = 0 */
  PetscReal *Ik, *dIk; /* [n] ∮_k s_k i ds and its derivative in φ_k at φ_k */
  PetscReal *cfac;     /* [n] c_k = g_k / (g_k + dI_k/dφ) = dφ_k/dV */
  PetscReal  V_prepared;
  PetscReal *work;     /* [2n] */
  PetscReal  area;    /* global |∂Ω_active| */
};

PetscErrorCode SurfaceCreate(Solver s, Surface *out)
{
  Surface          sf;
  PetscFE          fe;
  PetscQuadrature  fq;
  const PetscReal *fx, *fw;
  PetscSection     section;
  DMLabel          label;
  PetscSF          psf;
  DM               cdm;
  Vec              coords;
  IS               facetIS = NULL;
  const PetscInt  *facets  = NULL, *leaves;
  PetscInt         pStart, pEnd, nfacets = 0, nleaves, Nq, dim, Nb, k = 0;
  PetscReal       *phys, *ref, local;
  PetscBT          ghost; /* points another rank owns */

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&sf));
  PetscCall(DMGetDimension(s->dm, &dim));
  sf->dim = dim;
  PetscCall(DMGetField(s->dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &Nb));
  sf->ncl = Nb;
  PetscCall(PetscDTStroudConicalQuadrature(dim - 1, 1, s->degree + 2, -1.0, 1.0, &fq));
  PetscCall(PetscQuadratureGetData(fq, NULL, NULL, &Nq, &fx, &fw));
  sf->nq = Nq;
  PetscCall(DMGetLocalSection(s->dm, &section));
  PetscCall(DMGetLabel(s->dm, MESH_SURFACE_LABEL, &label));
  PetscCall(DMGetPointSF(s->dm, &psf));
  PetscCall(DMGetCoordinatesLocal(s->dm, &coords));
  PetscCall(DMGetCoordinateDM(s->dm, &cdm));
  PetscCall(DMPlexGetChart(s->dm, &pStart, &pEnd));
  PetscCall(PetscBTCreate(pEnd - pStart, &ghost));
  PetscCall(PetscSFGetGraph(psf, NULL, &nleaves, &leaves, NULL));
  for (PetscInt i = 0; i < nleaves && leaves; ++i)
    PetscCall(PetscBTSet(ghost, leaves[i] - pStart));
  if (label) PetscCall(DMLabelGetStratumIS(label, 1, &facetIS));
  if (facetIS) {
    PetscCall(ISGetLocalSize(facetIS, &nfacets));
    PetscCall(ISGetIndices(facetIS, &facets));
  }
  for (PetscInt pass = 0; pass < 2; ++pass) { /* count, then fill */
    k = 0;
    for (PetscInt i = 0; i < nfacets; ++i) {
      const PetscInt  f = facets[i];
      PetscInt        nsupp, nx, n, height, *ix = NULL;
      const PetscInt *supp;
      PetscScalar    *x = NULL;
      PetscReal       area, wsum = 0;
      PetscTabulation T;
      PetscCall(DMPlexGetPointHeight(s->dm, f, &height));
      if (height != 1) continue;
      PetscCall(DMPlexGetSupportSize(s->dm, f, &nsupp));
      if (nsupp != 1 || PetscBTLookup(ghost, f - pStart)) continue;
      if (pass == 0) {
        ++k;
        continue;
      }
      PetscCall(DMPlexGetSupport(s->dm, f, &supp));
      sf->cell[k] = supp[0];
      PetscCall(DMPlexComputeCellGeometryFVM(s->dm, f, &area, NULL, NULL));
      PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, f, &nx, &x));
      for (PetscInt q = 0; q < Nq; ++q) /* x = v0 + Σ_j (ξ_j + 1)/2 (v_j − v0) */
        for (PetscInt d = 0; d < dim; ++d) {
          PetscReal p = PetscRealPart(x[d]);
          for (PetscInt j = 0; j < dim - 1; ++j) p += 0.5 * (fx[q * (dim - 1) + j] + 1) * PetscRealPart(x[(j + 1) * dim + d] - x[d]);
          phys[q * dim + d] = p;
        }
      PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, f, &nx, &x));
      PetscCall(MeshCellToReference(s->dm, supp[0], Nq, phys, ref));
      PetscCall(PetscFECreateTabulation(fe, 1, Nq, ref, 0, &T));
      PetscCall(DMPlexGetClosureIndices(s->dm, section, section, supp[0], PETSC_TRUE, &n, &ix, NULL, NULL));
      PetscCheck(n == Nb, PETSC_COMM_SELF, PETSC_ERR_PLIB, "closure of cell %" PetscInt_FMT " has %" PetscInt_FMT " dofs, expected %" PetscInt_FMT, supp[0], n, Nb);
      for (PetscInt b = 0; b < Nb; ++b) sf->idx[k * Nb + b] = ix[b];
      PetscCall(DMPlexRestoreClosureIndices(s->dm, section, section, supp[0], PETSC_TRUE, &n, &ix, NULL, NULL));
      for (PetscInt q = 0; q < Nq; ++q) wsum += fw[q];
      for (PetscInt q = 0; q < Nq; ++q) {
        sf->w[k * Nq + q] = fw[q] / wsum * area;
        for (PetscInt b = 0; b < Nb; ++b) sf->phi[(k * Nq + q) * Nb + b] = T->T[0][q * Nb + b];
      }
      PetscCall(PetscTabulationDestroy(&T));
      ++k;
    }
    if (pass == 0) {
      sf->nfacets = k;
      PetscCall(PetscMalloc4(k * Nb + 1, &sf->idx, k * Nq * Nb + 1, &sf->phi, k * Nq + 1, &sf->w, k * Nq + 1, &sf->theta));
      PetscCall(PetscMalloc3(k + 1, &sf->cell, k + 1, &sf->particle, k + 1, &sf->scale));
      for (PetscInt i = 0; i < k; ++i) {
        sf->particle[i] = 0;
        sf->scale[i]    = 1;
      }
      PetscCall(PetscMalloc1(Nq * dim, &phys));
      PetscCall(PetscMalloc1(Nq * dim, &ref));
    }
  }
  if (facetIS) {
    PetscCall(ISRestoreIndices(facetIS, &facets));
    PetscCall(ISDestroy(&facetIS));
  }
  PetscCall(PetscBTDestroy(&ghost));
  local = 0;
  for (PetscInt i = 0; i < sf->nfacets * Nq; ++i) local += sf->w[i];
  PetscCall(MPIU_Allreduce(&local, &sf->area, 1, MPIU_REAL, MPIU_SUM, s->comm));
  PetscCall(PetscFree(phys));
  PetscCall(PetscFree(ref));
  PetscCall(PetscQuadratureDestroy(&fq));
  *out = sf;
  PetscFunctionReturn(0);
}

PetscErrorCode SurfaceDestroy(Surface *sf)
{
  PetscFunctionBeginUser;
  if (!*sf) PetscFunctionReturn(0);
  PetscCall(PetscFree4((*sf)->idx, (*sf)->phi, (*sf)->w, (*sf)->theta));
  PetscCall(PetscFree3((*sf)->cell, (*sf)->particle, (*sf)->scale));
  PetscCall(PetscFree6((*sf)->pot, (*sf)->g, (*sf)->Ik, (*sf)->dIk, (*sf)->cfac, (*sf)->work));
  PetscCall(PetscFree(*sf));
  PetscFunctionReturn(0);
}

PetscErrorCode SurfaceGetArea(Surface sf, PetscReal *area)
{
  PetscFunctionBeginUser;
  *area = sf->area;
  PetscFunctionReturn(0);
}

/* θ at every quadrature point of the facets, from the local vector locU */
PetscErrorCode SurfaceSetState(Surface sf, Vec locU)
{
  const PetscScalar *u;
  const PetscInt     Nb = sf->ncl, Nq = sf->nq;

  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(locU, &u));
  for (PetscInt k = 0; k < sf->nfacets; ++k)
    for (PetscInt q = 0; q < Nq; ++q) {
      const PetscReal *phi = &sf->phi[(k * Nq + q) * Nb];
      PetscReal        th  = 0;
      for (PetscInt b = 0; b < Nb; ++b) th += phi[b] * PetscRealPart(u[sf->idx[k * Nb + b]]);
      sf->theta[k * Nq + q] = th;
    }
  PetscCall(VecRestoreArrayRead(locU, &u));
  PetscFunctionReturn(0);
}

/* Global ∮ i ds and ∮ ∂i/∂V ds at potential V for the current state (collective) */
PetscErrorCode SurfaceCurrent(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V, PetscReal *Itot, PetscReal *dIdV)
{
  PetscReal local[2] = {0, 0}, global[2];

  PetscFunctionBeginUser;
  if (sf->pot) { /* each particle behind its contact: I = Σ I_k(φ_k(V)), dI/dV = Σ c_k I_k' */
    PetscCall(SurfacePrepare(sf, comm, c, V));
    global[0] = global[1] = 0;
    for (PetscInt k = 0; k < sf->n; ++k) {
      global[0] += sf->Ik[k];
      global[1] += sf->cfac[k] * sf->dIk[k];
    }
    *Itot = global[0];
    if (dIdV) *dIdV = global[1];
    PetscFunctionReturn(0);
  }
  for (PetscInt j = 0; j < sf->nfacets * sf->nq; ++j) {
    PetscReal i, didV;
    const PetscReal sc = sf->scale[j / sf->nq];
    PhysButlerVolmer(sf->theta[j], V, c, &i, NULL, &didV);
    local[0] += sf->w[j] * sc * i;
    local[1] += sf->w[j] * sc * didV;
  }
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, comm));
  *Itot = global[0];
  if (dIdV) *dIdV = global[1];
  PetscFunctionReturn(0);
}

/* Global surface means of θ and of U(θ) (rest voltage) for the current state */
PetscErrorCode SurfaceMeans(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal *theta, PetscReal *U)
{
  PetscReal local[2] = {0, 0}, global[2];

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < sf->nfacets * sf->nq; ++j) {
    PetscReal u = 0, du;
    if (PetscRealPart(c[PHYS_OCP]) >= 0) PhysLaw(sf->theta[j], &c[(PetscInt)PetscRealPart(c[PHYS_OCP])], &u, &du);
    local[0] += sf->w[j] * sf->theta[j];
    local[1] += sf->w[j] * u;
  }
  PetscCall(MPIU_Allreduce(local, global, 2, MPIU_REAL, MPIU_SUM, comm));
  if (theta) *theta = global[0] / sf->area;
  if (U) *U = global[1] / sf->area;
  PetscFunctionReturn(0);
}

/* Global ∮ i0(θ) ds: the scale of the current near equilibrium */
static PetscErrorCode SurfaceExchange(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal *I0)
{
  PetscReal local = 0;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < sf->nfacets * sf->nq; ++j) {
    PetscReal i0, di0;
    PhysExchange(sf->theta[j], c, &i0, &di0);
    local += sf->w[j] * sf->scale[j / sf->nq] * i0;
  }
  PetscCall(MPIU_Allreduce(&local, I0, 1, MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(0);
}

/* V with ∮ i(θ, V) ds = i_set |∂Ω| (found is false when none exists: a saturated surface). I(V) is monotone and grows exponentially away from
   equilibrium; Newton on h(V) = asinh(I/I0) − asinh(I_set/I0), which is nearly linear in V
   (I0 = ∮ i0 ds), converges from anywhere in a few steps; a bracket guards it. */
PetscErrorCode SurfaceSolvePotential(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal i_set, PetscReal *V, PetscBool *found)
{
  const PetscReal target = i_set * sf->area;
  PetscReal       lo = -PETSC_MAX_REAL, hi = PETSC_MAX_REAL, v = *V, Itot, dI, I0, h0;
  PetscInt        it;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  PetscCall(SurfaceExchange(sf, comm, c, &I0));
  if (!(I0 > 0)) PetscFunctionReturn(0); /* no reaction anywhere (a saturated surface) */
  h0 = PetscAsinhReal(target / I0);
  for (it = 0; it < 100; ++it) {
    PetscReal g, h, dh, step;
    PetscCall(SurfaceCurrent(sf, comm, c, v, &Itot, &dI));
    g = Itot - target;
    if (PetscAbsReal(g) <= 1e-13 * (PetscAbsReal(target) + I0)) break;
    if (g > 0) hi = PetscMin(hi, v);
    else lo = PetscMax(lo, v);
    h    = PetscAsinhReal(Itot / I0) - h0;
    dh   = dI / PetscSqrtReal(I0 * I0 + Itot * Itot);
    step = h / dh;
    if (!(dh > 0) || !PetscIsNormalReal(step)) step = (g > 0 ? 0.1 : -0.1);
    step = PetscMax(PetscMin(step, 1.0), -1.0);
    v -= step;
    if (v <= lo || v >= hi) v = (lo > -PETSC_MAX_REAL && hi < PETSC_MAX_REAL) ? 0.5 * (lo + hi) : v;
    if (hi - lo < 1e-14) break;
  }
  if (it == 100) PetscFunctionReturn(0);
  *V     = v;
  *found = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* locF += ∮ φ_a q ds; q = flux (uniform) or the Butler–Volmer flux at V */
PetscErrorCode SurfaceResidual(Surface sf, const PetscScalar c[], PetscBool butler_volmer, PetscReal V, PetscReal flux, Vec locF)
{
  PetscScalar    *f;
  const PetscInt  Nb = sf->ncl, Nq = sf->nq;
  const PetscReal qs = PetscRealPart(c[PHYS_Q_SCALE]);

  PetscFunctionBeginUser;
  PetscCall(VecGetArray(locF, &f));
  for (PetscInt k = 0; k < sf->nfacets; ++k)
    for (PetscInt q = 0; q < Nq; ++q) {
      const PetscReal *phi = &sf->phi[(k * Nq + q) * Nb];
      PetscReal        flx = flux;
      if (butler_volmer) {
        PetscReal i;
        PhysButlerVolmer(sf->theta[k * Nq + q], FACET_V(sf, k, V), c, &i, NULL, NULL);
        flx = qs * sf->scale[k] * i;
      }
      for (PetscInt b = 0; b < Nb; ++b) f[sf->idx[k * Nb + b]] += sf->w[k * Nq + q] * phi[b] * flx;
    }
  PetscCall(VecRestoreArray(locF, &f));
  PetscFunctionReturn(0);
}

/* The facets' support-cell dofs: [nfacets][ncl] local indices */
PetscErrorCode SurfaceGetClosures(Surface sf, PetscInt *nfacets, PetscInt *ncl, const PetscInt *idx[])
{
  PetscFunctionBeginUser;
  *nfacets = sf->nfacets;
  *ncl     = sf->ncl;
  *idx     = sf->idx;
  PetscFunctionReturn(0);
}

/* vals[k][a][b] = ∮_{F_k} φ_a φ_b ∂q/∂θ ds at V (Butler–Volmer), one block per facet */
PetscErrorCode SurfaceJacobianValues(Surface sf, const PetscScalar c[], PetscReal V, PetscScalar vals[])
{
  const PetscInt  Nb = sf->ncl, Nq = sf->nq;
  const PetscReal qs = PetscRealPart(c[PHYS_Q_SCALE]);

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < sf->nfacets; ++k) {
    PetscScalar *v = &vals[k * Nb * Nb];
    for (PetscInt e = 0; e < Nb * Nb; ++e)
      v[e] = 0;
    for (PetscInt q = 0; q < Nq; ++q) {
      const PetscReal *phi = &sf->phi[(k * Nq + q) * Nb];
      PetscReal        i, didt;
      PhysButlerVolmer(sf->theta[k * Nq + q], FACET_V(sf, k, V), c, &i, &didt, NULL);
      for (PetscInt a = 0; a < Nb; ++a)
        for (PetscInt b = 0; b < Nb; ++b)
          v[a * Nb + b] += sf->w[k * Nq + q] * phi[a] * phi[b] * qs * sf->scale[k] * didt;
    }
  }
  PetscFunctionReturn(0);
}

/* J += the same blocks through MatSetValuesLocal; before MatAssembly */
PetscErrorCode SurfaceJacobian(Surface sf, const PetscScalar c[], PetscReal V, Mat J)
{
  const PetscInt Nb = sf->ncl;
  PetscScalar   *vals;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(sf->nfacets * Nb * Nb + 1, &vals));
  PetscCall(SurfaceJacobianValues(sf, c, V, vals));
  for (PetscInt k = 0; k < sf->nfacets; ++k)
    PetscCall(MatSetValuesLocal(J, Nb, &sf->idx[k * Nb], Nb, &sf->idx[k * Nb], &vals[k * Nb * Nb], ADD_VALUES));
  PetscCall(PetscFree(vals));
  PetscFunctionReturn(0);
}

/* For the galvanostatic Jacobian: locU_V[a] = ∂F_a/∂V = ∮ φ_a qs ∂i/∂V, locI_theta[b] = ∂I/∂θ_b
   = ∮ φ_b ∂i/∂θ, and the global ∂I/∂V */
PetscErrorCode SurfaceCouplings(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V, Vec locF_V, Vec locI_theta, PetscReal *dIdV)
{
  PetscScalar    *fv, *it;
  const PetscInt  Nb = sf->ncl, Nq = sf->nq;
  const PetscReal qs = PetscRealPart(c[PHYS_Q_SCALE]);
  PetscReal       local = 0;

  PetscFunctionBeginUser;
  PetscCall(VecZeroEntries(locF_V));
  PetscCall(VecZeroEntries(locI_theta));
  PetscCall(VecGetArray(locF_V, &fv));
  PetscCall(VecGetArray(locI_theta, &it));
  for (PetscInt k = 0; k < sf->nfacets; ++k)
    for (PetscInt q = 0; q < Nq; ++q) {
      const PetscReal *phi = &sf->phi[(k * Nq + q) * Nb];
      const PetscReal  w   = sf->w[k * Nq + q] * sf->scale[k];
      PetscReal        i, didt, didv;
      PhysButlerVolmer(sf->theta[k * Nq + q], FACET_V(sf, k, V), c, &i, &didt, &didv);
      local += w * didv;
      for (PetscInt b = 0; b < Nb; ++b) {
        fv[sf->idx[k * Nb + b]] += w * phi[b] * qs * didv;
        it[sf->idx[k * Nb + b]] += w * phi[b] * didt;
      }
    }
  PetscCall(VecRestoreArray(locF_V, &fv));
  PetscCall(VecRestoreArray(locI_theta, &it));
  PetscCall(MPIU_Allreduce(&local, dIdV, 1, MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(0);
}

/* Each facet's particle (from its support cell) and that particle's i0 factor */
PetscErrorCode SurfaceSetParticles(Surface sf, Solver s)
{
  PetscInt cStart, cEnd;
  PetscReal *local;

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  PetscCall(PetscCalloc1(s->particles.n, &local));
  for (PetscInt k = 0; k < sf->nfacets; ++k) {
    sf->particle[k] = s->particles.cell[sf->cell[k] - cStart];
    sf->scale[k]    = s->particles.i0_scale[sf->particle[k]];
    for (PetscInt q = 0; q < sf->nq; ++q) local[sf->particle[k]] += sf->w[k * sf->nq + q];
  }
  PetscCall(MPIU_Allreduce(local, s->particles.area, s->particles.n, MPIU_REAL, MPIU_SUM, s->comm));
  PetscCall(PetscFree(local));
  for (PetscInt k = 0; k < s->particles.n; ++k)
    PetscCheck(s->particles.area[k] > 0, s->comm, PETSC_ERR_USER_INPUT, "particle %" PetscInt_FMT " of the mesh has no face in the group '%s': lithium cannot enter or leave it; every particle of a population needs an active surface", k + 1, MESH_SURFACE_LABEL);
  PetscFunctionReturn(0);
}

/* Per particle k (sums[3k..3k+2], every rank): ∮_k i ds (A/m² · µm^(d−1); at V with Butler–Volmer,
   0 otherwise), ∮_k θ ds and ∮_k U(θ) ds, for the state of the last SurfaceSetState (collective) */
PetscErrorCode SurfaceParticleSums(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscBool butler_volmer, PetscReal V, PetscInt n, PetscReal sums[])
{
  PetscReal *local;
  const PetscBool has_ocp = PetscRealPart(c[PHYS_OCP]) >= 0 ? PETSC_TRUE : PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(3 * n, &local));
  for (PetscInt k = 0; k < sf->nfacets; ++k) {
    PetscReal *to = &local[3 * sf->particle[k]];
    for (PetscInt q = 0; q < sf->nq; ++q) {
      const PetscReal th = sf->theta[k * sf->nq + q], w = sf->w[k * sf->nq + q];
      PetscReal       i = 0, u = 0, du;
      if (butler_volmer) PhysButlerVolmer(th, FACET_V(sf, k, V), c, &i, NULL, NULL);
      if (has_ocp) PhysLaw(th, &c[(PetscInt)PetscRealPart(c[PHYS_OCP])], &u, &du);
      to[0] += w * sf->scale[k] * i;
      to[1] += w * th;
      to[2] += w * u;
    }
  }
  PetscCall(MPIU_Allreduce(local, sums, 3 * n, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(PetscFree(local));
  PetscFunctionReturn(0);
}

/* Contact resistances R_k (Ω·m² of the particle's active surface; 0: none) and active areas A_k */
PetscErrorCode SurfaceSetResistances(Surface sf, PetscInt n, const PetscReal R[], const PetscReal A[])
{
  PetscFunctionBeginUser;
  sf->n = n;
  PetscCall(PetscMalloc6(n, &sf->pot, n, &sf->g, n, &sf->Ik, n, &sf->dIk, n, &sf->cfac, 2 * n, &sf->work));
  for (PetscInt k = 0; k < n; ++k) {
    sf->g[k]   = R[k] > 0 ? A[k] / R[k] : PETSC_INFINITY;
    sf->pot[k] = 0;
  }
  sf->V_prepared = NAN;
  PetscFunctionReturn(0);
}

/* Σ_k over the facets of each particle of s_k i and s_k ∂i/∂φ at φ_k (work[2k], work[2k+1]), every rank */
static PetscErrorCode ParticleCurrents(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal out[])
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 2 * sf->n; ++k) sf->work[k] = 0;
  for (PetscInt f = 0; f < sf->nfacets; ++f) {
    const PetscInt k = sf->particle[f];
    for (PetscInt q = 0; q < sf->nq; ++q) {
      const PetscReal w = sf->w[f * sf->nq + q] * sf->scale[f];
      PetscReal       i, didv;
      PhysButlerVolmer(sf->theta[f * sf->nq + q], sf->pot[k], c, &i, NULL, &didv);
      sf->work[2 * k] += w * i;
      sf->work[2 * k + 1] += w * didv;
    }
  }
  PetscCall(MPIU_Allreduce(sf->work, out, 2 * sf->n, MPIU_REAL, MPIU_SUM, comm));
  PetscFunctionReturn(0);
}

/* With contact resistances: every particle's potential φ_k at electrode potential V, from
   h_k(φ) = g_k (V − φ) − I_k(φ) = 0 (strictly decreasing in φ: one root), by Newton on all
   particles at once (one reduction of 2N numbers per iteration), each guarded by its bracket.
   Also I_k, dI_k/dφ and c_k = dφ_k/dV there. Nothing to do without resistances. Collective. */
PetscErrorCode SurfacePrepare(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V)
{
  PetscReal *lo, *hi, *sums;
  PetscBool  done = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (!sf->pot) PetscFunctionReturn(0);
  PetscCall(PetscMalloc3(sf->n, &lo, sf->n, &hi, 2 * sf->n, &sums));
  for (PetscInt k = 0; k < sf->n; ++k) {
    lo[k] = -PETSC_MAX_REAL;
    hi[k] = PETSC_MAX_REAL;
    if (!(sf->V_prepared == sf->V_prepared)) sf->pot[k] = V; /* first call: start at V */
    else sf->pot[k] += V - sf->V_prepared;                   /* the last solution, shifted */
    if (!(sf->g[k] < PETSC_INFINITY) || PetscIsInfOrNanReal(sf->pot[k])) sf->pot[k] = V; /* a trial state's NaN does not stick */
  }
  for (PetscInt it = 0; it < 100 && !done; ++it) {
    PetscCall(ParticleCurrents(sf, comm, c, sums));
    done = PETSC_TRUE;
    for (PetscInt k = 0; k < sf->n; ++k) {
      const PetscReal Icur = sums[2 * k], dI = sums[2 * k + 1];
      PetscReal       h, dh, step;
      sf->Ik[k]  = Icur;
      sf->dIk[k] = dI;
      if (!(sf->g[k] < PETSC_INFINITY)) continue; /* no resistance: φ_k = V */
      h  = sf->g[k] * (V - sf->pot[k]) - Icur;
      dh = -sf->g[k] - dI;
      if (PetscAbsReal(h) <= 1e-13 * (PetscAbsReal(Icur) + sf->g[k] * PetscAbsReal(V - sf->pot[k])) + 1e-300) continue;
      if (h > 0) lo[k] = PetscMax(lo[k], sf->pot[k]);
      else hi[k] = PetscMin(hi[k], sf->pot[k]);
      step = -h / dh;
      if (!PetscIsNormalReal(step)) step = h > 0 ? 0.01 : -0.01;
      step = PetscMax(PetscMin(step, 0.1), -0.1);
      if (PetscAbsReal(step) < 1e-14 * (1 + PetscAbsReal(sf->pot[k]))) continue;
      sf->pot[k] += step;
      if (sf->pot[k] <= lo[k] || sf->pot[k] >= hi[k]) sf->pot[k] = 0.5 * (lo[k] + hi[k]);
      done = PETSC_FALSE;
    }
  }
  if (!done) { /* the currents at the last potentials */
    PetscCall(ParticleCurrents(sf, comm, c, sums));
    for (PetscInt k = 0; k < sf->n; ++k) {
      sf->Ik[k]  = sums[2 * k];
      sf->dIk[k] = sums[2 * k + 1];
    }
  }
  {
    PetscBool finite = PETSC_TRUE;
    for (PetscInt k = 0; k < sf->n; ++k) {
      sf->cfac[k] = sf->g[k] < PETSC_INFINITY ? sf->g[k] / (sf->g[k] + sf->dIk[k]) : 1;
      finite      = finite && !PetscIsInfOrNanReal(sf->pot[k]) ? PETSC_TRUE : PETSC_FALSE;
    }
    sf->V_prepared = finite ? V : NAN; /* the next call starts afresh from V */
  }
  PetscCall(PetscFree3(lo, hi, sums));
  PetscFunctionReturn(0);
}

/* With contact resistances, at the last SurfacePrepare: c_k, dI_k/dφ_k, g_k = A_k/R_k and φ_k
   (all NULL without) */
PetscErrorCode SurfaceGetParticleCouplings(Surface sf, const PetscReal **cfac, const PetscReal **dIk, const PetscReal **g, const PetscReal **phi)
{
  PetscFunctionBeginUser;
  if (cfac) *cfac = sf->pot ? sf->cfac : NULL;
  if (dIk) *dIk = sf->pot ? sf->dIk : NULL;
  if (g) *g = sf->pot ? sf->g : NULL;
  if (phi) *phi = sf->pot;
  PetscFunctionReturn(0);
}

PetscBool SurfaceHasResistances(Surface sf)
{
  return sf->pot ? PETSC_TRUE : PETSC_FALSE;
}
