/* Point probes: θ at given points, on every rank.

   Each point's cell is found by the affine maps of solver/cells.c's table (DMLocatePoints, which
   works through each cell's closure for every point, took 0.2 s a point at 450 k cells; it is
   kept for meshes without a table); the rank whose cell holds it then
   keeps that cell's closure dofs and the basis values at the point, so an evaluation is a short
   dot product (P1 or P2) and one reduction shares the values. A point outside the particle is
   reported, not guessed. */
#include "postproc/run/runimpl.h"
#include "input/input.h"
#include <petscsf.h>

struct _p_Probe {
  DM         dm;
  PetscInt   n, dim, nb;
  PetscReal *points;
  PetscInt  *idx; /* [n][nb] local dofs of the cell holding point i on this rank, or idx[i nb] = -1 */
  PetscReal *phi; /* [n][nb] basis values at the point */
};

/* found[i] tells whether point i lies in the mesh (may be NULL: then every point must) */
PetscErrorCode ProbeCreate(DM dm, PetscInt n, const PetscReal points[], PetscBool found[], Probe *out)
{
  Probe        p;
  MPI_Comm     comm;
  PetscFE      fe;
  PetscSection section;
  PetscReal   *ref;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscNew(&p));
  p->dm = dm;
  p->n  = n;
  PetscCall(DMGetCoordinateDim(dm, &p->dim));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &p->nb));
  PetscCall(DMGetLocalSection(dm, &section));
  PetscCall(PetscMalloc3(n * p->dim + 1, &p->points, n * p->nb + 1, &p->idx, n * p->nb + 1, &p->phi));
  PetscCall(PetscMalloc1(p->dim, &ref));
  PetscCall(PetscArraycpy(p->points, points, n * p->dim));
  { /* every point located at once on this rank's cells. REMOVE: the leaves are the points found,
       by index (with NONE, 3.18 keeps the first numFound entries, not the found ones) */
    Vec                xv;
    PetscSF            sf = NULL;
    const PetscInt    *leaf;
    const PetscSFNode *where;
    PetscSFNode       *located = NULL;
    const SolverCells *cells;
    PetscInt           nleaves, *here;
    PetscCall(PetscMalloc1(n + 1, &here));
    for (PetscInt i = 0; i < n; ++i) p->idx[i * p->nb] = -1;
    PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, p->dim, n * p->dim, p->points, &xv));
    PetscCall(SolverCellsGet(dm, &cells));
    if (cells && cells->dim == p->dim) { /* the table's affine maps, cell by cell: DMLocatePoints computes each
                                             cell's geometry through its closure, for every point */
      PetscCall(PetscMalloc1(n + 1, &located));
      for (PetscInt i = 0; i < n; ++i) {
        const PetscReal *x = &p->points[i * p->dim];
        located[i].rank  = -1;
        located[i].index = -1;
        for (PetscInt k = 0; k < cells->ncells; ++k) {
          PetscReal v0[3], J[9], invJ[9], detJ, sum = 0, least = PETSC_MAX_REAL;
          SolverCellAffine(cells, k, v0, J, invJ, &detJ);
          for (PetscInt a = 0; a < p->dim; ++a) { /* ξ_a + 1 = (invJ (x − v0))_a: inside when all ≥ 0 and their sum ≤ 2 */
            PetscReal l = 0;
            for (PetscInt b = 0; b < p->dim; ++b) l += invJ[a * p->dim + b] * (x[b] - v0[b]);
            sum += l;
            least = PetscMin(least, l);
          }
          if (least >= -1e-10 && sum <= 2 + 1e-10) {
            located[i].index = cells->cStart + k;
            located[i].rank  = 0;
            break;
          }
        }
      }
      nleaves = n;
      leaf    = NULL;
      where   = located;
    } else {
      PetscCall(DMLocatePoints(dm, xv, DM_POINTLOCATION_REMOVE, &sf));
      PetscCall(PetscSFGetGraph(sf, NULL, &nleaves, &leaf, &where));
    }
    for (PetscInt i = 0; i < n; ++i) here[i] = 0;
    for (PetscInt k = 0; k < nleaves; ++k) {
      const PetscInt i = leaf ? leaf[k] : k, cell = where[k].index;
      PetscInt       nidx, *ix = NULL;
      PetscTabulation T;
      if (i < 0 || i >= n || cell < 0 || here[i]) continue;
      here[i] = 1; /* reference coordinates by the simplex's affine map, then the basis there */
      PetscCall(MeshCellToReference(dm, cell, 1, &p->points[i * p->dim], ref));
      PetscCall(PetscFECreateTabulation(fe, 1, 1, ref, 0, &T));
      PetscCall(DMPlexGetClosureIndices(dm, section, section, cell, PETSC_TRUE, &nidx, &ix, NULL, NULL));
      PetscCheck(nidx == p->nb, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has %" PetscInt_FMT " dofs, expected %" PetscInt_FMT, cell, nidx, p->nb);
      for (PetscInt b = 0; b < p->nb; ++b) {
        p->idx[i * p->nb + b] = ix[b];
        p->phi[i * p->nb + b] = T->T[0][b];
      }
      PetscCall(DMPlexRestoreClosureIndices(dm, section, section, cell, PETSC_TRUE, &nidx, &ix, NULL, NULL));
      PetscCall(PetscTabulationDestroy(&T));
    }
    PetscCall(PetscSFDestroy(&sf));
    PetscCall(PetscFree(located));
    PetscCall(VecDestroy(&xv));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, here, (PetscMPIInt)n, MPIU_INT, MPI_SUM, comm));
    for (PetscInt i = 0; i < n; ++i) {
      if (found) found[i] = here[i] > 0 ? PETSC_TRUE : PETSC_FALSE;
      else PetscCheck(here[i] > 0, comm, PETSC_ERR_USER_INPUT, "probe point %" PetscInt_FMT " at (%g, %g) um lies outside the particle", i + 1, (double)points[i * p->dim], (double)points[i * p->dim + 1]);
    }
    PetscCall(PetscFree(here));
  }
  PetscCall(PetscFree(ref));
  *out = p;
  PetscFunctionReturn(0);
}

/* values[i] = θ(point i) on every rank (NaN for a point outside the mesh) */
PetscErrorCode ProbeEvaluate(Probe p, Vec theta, PetscReal values[])
{
  Vec                loc;
  PetscReal         *sums;
  const PetscScalar *u;
  MPI_Comm           comm;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)p->dm, &comm));
  PetscCall(PetscCalloc1(2 * p->n, &sums));
  PetscCall(DMGetLocalVector(p->dm, &loc));
  PetscCall(DMGlobalToLocal(p->dm, theta, INSERT_VALUES, loc));
  PetscCall(VecGetArrayRead(loc, &u));
  for (PetscInt i = 0; i < p->n; ++i) {
    if (p->idx[i * p->nb] < 0) continue; /* another rank holds the point, or none */
    for (PetscInt b = 0; b < p->nb; ++b) sums[2 * i] += p->phi[i * p->nb + b] * PetscRealPart(u[p->idx[i * p->nb + b]]);
    sums[2 * i + 1] = 1;
  }
  PetscCall(VecRestoreArrayRead(loc, &u));
  PetscCall(DMRestoreLocalVector(p->dm, &loc));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, (PetscMPIInt)(2 * p->n), MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt i = 0; i < p->n; ++i) values[i] = sums[2 * i + 1] > 0 ? sums[2 * i] / sums[2 * i + 1] : NAN;
  PetscCall(PetscFree(sums));
  PetscFunctionReturn(0);
}

PetscErrorCode ProbeGetPoints(Probe p, PetscInt *n, PetscInt *dim, const PetscReal **points)
{
  PetscFunctionBeginUser;
  if (n) *n = p->n;
  if (dim) *dim = p->dim;
  if (points) *points = p->points;
  PetscFunctionReturn(0);
}

PetscErrorCode ProbeDestroy(Probe *p)
{
  PetscFunctionBeginUser;
  if (!*p) PetscFunctionReturn(0);
  PetscCall(PetscFree3((*p)->points, (*p)->idx, (*p)->phi));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
