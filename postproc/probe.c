/* Point probes: θ at given points, on every rank.

   One DMInterpolation context per point (probes are few): the rank whose cell holds the point
   evaluates the finite-element field there (P1 or P2), and a reduction shares the value. A
   point outside the particle is reported, not guessed. */
#include "postproc/postproc.h"
#include "input/input.h"

struct _p_Probe {
  DM                   dm;
  PetscInt             n, dim;
  PetscReal           *points;
  DMInterpolationInfo *ctx;
};

/* found[i] tells whether point i lies in the mesh (may be NULL: then every point must) */
PetscErrorCode ProbeCreate(DM dm, PetscInt n, const PetscReal points[], PetscBool found[], Probe *out)
{
  Probe    p;
  MPI_Comm comm;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscNew(&p));
  p->dm = dm;
  p->n  = n;
  PetscCall(DMGetCoordinateDim(dm, &p->dim));
  PetscCall(PetscMalloc2(n * p->dim, &p->points, n, &p->ctx));
  PetscCall(PetscArraycpy(p->points, points, n * p->dim));
  for (PetscInt i = 0; i < n; ++i) {
    PetscInt here, total;
    PetscCall(DMInterpolationCreate(comm, &p->ctx[i]));
    PetscCall(DMInterpolationSetDim(p->ctx[i], p->dim));
    PetscCall(DMInterpolationSetDof(p->ctx[i], 1));
    PetscCall(DMInterpolationAddPoints(p->ctx[i], 1, &p->points[i * p->dim]));
    PetscCall(DMInterpolationSetUp(p->ctx[i], dm, PETSC_TRUE, PETSC_TRUE));
    here = (p->ctx[i]->n > 0 && p->ctx[i]->cells[0] >= 0) ? 1 : 0; /* an outside point is kept with cell -1 */
    PetscCall(MPIU_Allreduce(&here, &total, 1, MPIU_INT, MPI_SUM, comm));
    if (found) found[i] = total > 0 ? PETSC_TRUE : PETSC_FALSE;
    else PetscCheck(total > 0, comm, PETSC_ERR_USER_INPUT, "probe point %" PetscInt_FMT " at (%g, %g) um lies outside the particle", i + 1, (double)points[i * p->dim], (double)points[i * p->dim + 1]);
  }
  *out = p;
  PetscFunctionReturn(0);
}

/* values[i] = θ(point i) on every rank (NaN for a point outside the mesh) */
PetscErrorCode ProbeEvaluate(Probe p, Vec theta, PetscReal values[])
{
  Vec       loc;
  PetscReal *sums;
  MPI_Comm  comm;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)p->dm, &comm));
  PetscCall(PetscCalloc1(2 * p->n, &sums));
  PetscCall(DMGetLocalVector(p->dm, &loc));
  PetscCall(DMGlobalToLocal(p->dm, theta, INSERT_VALUES, loc));
  for (PetscInt i = 0; i < p->n; ++i) {
    Vec v;
    PetscCall(DMInterpolationGetVector(p->ctx[i], &v));
    PetscCall(DMInterpolationEvaluate(p->ctx[i], p->dm, loc, v));
    if (p->ctx[i]->n > 0 && p->ctx[i]->cells[0] >= 0) { /* this rank holds the point */
      const PetscScalar *a;
      PetscCall(VecGetArrayRead(v, &a));
      sums[2 * i]     = PetscRealPart(a[0]);
      sums[2 * i + 1] = 1;
      PetscCall(VecRestoreArrayRead(v, &a));
    }
    PetscCall(DMInterpolationRestoreVector(p->ctx[i], &v));
  }
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
  for (PetscInt i = 0; i < (*p)->n; ++i) PetscCall(DMInterpolationDestroy(&(*p)->ctx[i]));
  PetscCall(PetscFree2((*p)->points, (*p)->ctx));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
