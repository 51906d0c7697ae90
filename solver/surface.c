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

struct _p_Surface {
  PetscInt   nfacets, ncl, nq, dim;
  PetscInt  *idx;     /* [nfacets][ncl] local dof indices of the support cell's closure */
  PetscReal *phi;     /* [nfacets][nq][ncl] basis values at the facet's quadrature points */
  PetscReal *w;       /* [nfacets][nq] weights, Σ_q = |F| */
  PetscReal *theta;   /* [nfacets][nq] θ at the points, for the last SurfaceSetState */
  PetscInt  *cell;    /* [nfacets] the support cell (a local point) */
  PetscInt  *particle; /* [nfacets] its particle, 0..N−1 */
  PetscReal *scale;   /* [nfacets] the particle's i0 factor */
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
        PhysButlerVolmer(sf->theta[k * Nq + q], V, c, &i, NULL, NULL);
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
      PhysButlerVolmer(sf->theta[k * Nq + q], V, c, &i, &didt, NULL);
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
      PhysButlerVolmer(sf->theta[k * Nq + q], V, c, &i, &didt, &didv);
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
      if (butler_volmer) PhysButlerVolmer(th, V, c, &i, NULL, NULL);
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
