/* The cells of a DM as a table (SolverCellsGet): each local cell's dofs and vertex coordinates.

   DMPlex gives a cell's dofs and coordinates through its closure (DMPlexVecGetClosure,
   DMPlexGetClosureIndices, DMPlexComputeCellGeometryAffineFEM), and at 10^5 cells the closures
   cost more than the work done with them: spot's set-up walked the cells that way seven times
   (the lean assembly, the lumped mass, the particles, each region's weights), about 0.6 s a walk
   at 450 k cells. The table is made with one walk and kept on the DM (composed), remade when the
   DM's local section (or its size) or its coordinate vector is another one.

   Dofs: the closure's points in order, each point's dofs from the local section (a scalar field:
   P1 has one dof per vertex, P2 one per vertex and edge, so no point needs its dofs permuted), as
   DMPlexGetClosureIndices gives them. Vertices: the closure's vertices in order, so that the affine
   map of a simplex, x = v0 + J (ξ + 1) on the reference simplex of [-1, 1]^d, is the one
   DMPlexComputeCellGeometryAffineFEM gives (v0 the first vertex, the columns of J half the edges
   to vertices 1, 2 of a triangle and 2, 1, 3 of a tetrahedron); tests/test_assembly.c checks both
   against DMPlex on every cell. */
#include "solver/solverimpl.h"
#include <petscdmplex.h>

#define SOLVER_CELLS_KEY "spot_solver_cells"

static PetscErrorCode CellsDestroy(void *ctx)
{
  SolverCells *t = (SolverCells *)ctx;

  PetscFunctionBeginUser;
  PetscCall(PetscFree3(t->idx, t->vertex, t->coords));
  PetscCall(PetscFree(t));
  PetscFunctionReturn(0);
}

static PetscErrorCode CellsCreate(DM dm, PetscSection section, Vec coordinates, SolverCells **out)
{
  SolverCells       *t;
  PetscSection       csection;
  DM                 cdm;
  const PetscScalar *x;
  PetscInt           cEnd, vStart, vEnd, *closure = NULL, ncl;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&t));
  PetscCall(DMGetDimension(dm, &t->dim));
  t->nv = t->dim + 1;
  PetscCall(DMPlexGetHeightStratum(dm, 0, &t->cStart, &cEnd));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  t->ncells = cEnd - t->cStart;
  t->section = section;
  PetscCall(PetscSectionGetStorageSize(section, &t->storage));
  t->coordinates = coordinates;
  /* the dofs a cell's closure holds: those of its first cell (every cell is the same simplex) */
  t->Nb = 0;
  if (t->ncells) {
    PetscCall(DMPlexGetTransitiveClosure(dm, t->cStart, PETSC_TRUE, &ncl, &closure));
    for (PetscInt i = 0; i < ncl; ++i) {
      PetscInt ndof;
      PetscCall(PetscSectionGetDof(section, closure[2 * i], &ndof));
      t->Nb += ndof;
    }
    PetscCall(DMPlexRestoreTransitiveClosure(dm, t->cStart, PETSC_TRUE, &ncl, &closure));
  }
  PetscCall(PetscMalloc3(t->ncells * t->Nb + 1, &t->idx, t->ncells * t->nv + 1, &t->vertex, (vEnd - vStart) * t->dim + 1, &t->coords));
  /* the coordinates of every vertex, by vertex */
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMGetLocalSection(cdm, &csection));
  PetscCall(VecGetArrayRead(coordinates, &x));
  for (PetscInt v = vStart; v < vEnd; ++v) {
    PetscInt off;
    PetscCall(PetscSectionGetOffset(csection, v, &off));
    for (PetscInt d = 0; d < t->dim; ++d) t->coords[(v - vStart) * t->dim + d] = PetscRealPart(x[off + d]);
  }
  PetscCall(VecRestoreArrayRead(coordinates, &x));
  /* each cell's dofs and vertices, in closure order */
  for (PetscInt k = 0; k < t->ncells; ++k) {
    PetscInt nb = 0, nv = 0;
    closure = NULL;
    PetscCall(DMPlexGetTransitiveClosure(dm, t->cStart + k, PETSC_TRUE, &ncl, &closure));
    for (PetscInt i = 0; i < ncl; ++i) {
      const PetscInt p = closure[2 * i];
      PetscInt       ndof, off;
      PetscCall(PetscSectionGetDof(section, p, &ndof));
      PetscCall(PetscSectionGetOffset(section, p, &off));
      PetscCheck(nb + ndof <= t->Nb, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has more dofs than %" PetscInt_FMT, t->cStart + k, t->Nb);
      for (PetscInt j = 0; j < ndof; ++j) t->idx[k * t->Nb + nb++] = off + j;
      if (p >= vStart && p < vEnd) {
        PetscCheck(nv < t->nv, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " is not a simplex", t->cStart + k);
        t->vertex[k * t->nv + nv++] = p - vStart;
      }
    }
    PetscCall(DMPlexRestoreTransitiveClosure(dm, t->cStart + k, PETSC_TRUE, &ncl, &closure));
    PetscCheck(nb == t->Nb && nv == t->nv, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has %" PetscInt_FMT " dofs and %" PetscInt_FMT " vertices, expected %" PetscInt_FMT " and %" PetscInt_FMT, t->cStart + k, nb, nv, t->Nb, t->nv);
  }
  *out = t;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverCellsGet(DM dm, const SolverCells **cells)
{
  PetscContainer   container;
  SolverCells     *t = NULL;
  PetscSection     section;
  Vec              coordinates;
  PetscInt         dim, cdim, storage;

  PetscFunctionBeginUser;
  *cells = NULL;
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMGetCoordinateDim(dm, &cdim));
  if (cdim != dim) PetscFunctionReturn(0); /* an embedded mesh: DMPlex's own geometry */
  PetscCall(DMGetLocalSection(dm, &section));
  PetscCall(DMGetCoordinatesLocal(dm, &coordinates));
  PetscCall(PetscSectionGetStorageSize(section, &storage));
  PetscCall(PetscObjectQuery((PetscObject)dm, SOLVER_CELLS_KEY, (PetscObject *)&container));
  if (container) PetscCall(PetscContainerGetPointer(container, (void **)&t));
  if (!t || t->section != section || t->storage != storage || t->coordinates != coordinates) {
    PetscCall(CellsCreate(dm, section, coordinates, &t));
    PetscCall(PetscContainerCreate(PETSC_COMM_SELF, &container));
    PetscCall(PetscContainerSetPointer(container, t));
    PetscCall(PetscContainerSetUserDestroy(container, CellsDestroy));
    PetscCall(PetscObjectCompose((PetscObject)dm, SOLVER_CELLS_KEY, (PetscObject)container));
    PetscCall(PetscContainerDestroy(&container)); /* the DM holds it */
  }
  *cells = t;
  PetscFunctionReturn(0);
}

void SolverCellAffine(const SolverCells *t, PetscInt k, PetscReal v0[], PetscReal J[], PetscReal invJ[], PetscReal *detJ)
{
  const PetscInt   dim = t->dim;
  const PetscReal *x0  = &t->coords[t->vertex[k * t->nv] * dim];

  static const PetscInt column[2][3] = {{1, 2, 0}, {2, 1, 3}}; /* the vertex of J's column f: a tetrahedron's closure lists its first face inward */

  for (PetscInt d = 0; d < dim; ++d) v0[d] = x0[d];
  for (PetscInt f = 0; f < dim; ++f) {
    const PetscReal *xf = &t->coords[t->vertex[k * t->nv + column[dim - 2][f]] * dim];
    for (PetscInt d = 0; d < dim; ++d) J[d * dim + f] = 0.5 * (xf[d] - x0[d]);
  }
  if (dim == 2) {
    *detJ = J[0] * J[3] - J[1] * J[2];
    if (invJ) {
      invJ[0] = J[3] / *detJ;
      invJ[1] = -J[1] / *detJ;
      invJ[2] = -J[2] / *detJ;
      invJ[3] = J[0] / *detJ;
    }
  } else {
    *detJ = J[0] * (J[4] * J[8] - J[5] * J[7]) - J[1] * (J[3] * J[8] - J[5] * J[6]) + J[2] * (J[3] * J[7] - J[4] * J[6]);
    if (invJ) {
      invJ[0] = (J[4] * J[8] - J[5] * J[7]) / *detJ;
      invJ[1] = (J[2] * J[7] - J[1] * J[8]) / *detJ;
      invJ[2] = (J[1] * J[5] - J[2] * J[4]) / *detJ;
      invJ[3] = (J[5] * J[6] - J[3] * J[8]) / *detJ;
      invJ[4] = (J[0] * J[8] - J[2] * J[6]) / *detJ;
      invJ[5] = (J[2] * J[3] - J[0] * J[5]) / *detJ;
      invJ[6] = (J[3] * J[7] - J[4] * J[6]) / *detJ;
      invJ[7] = (J[1] * J[6] - J[0] * J[7]) / *detJ;
      invJ[8] = (J[0] * J[4] - J[1] * J[3]) / *detJ;
    }
  }
}
