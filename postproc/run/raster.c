/* Raster: θ of a run sampled on a pixel grid of the mesh's image frame.

   Grid: rows × cols pixels of size p (µm); pixel (r, c) covers [ox + c p, ox + (c+1) p] ×
   [oy + r p, oy + (r+1) p], so with the origin (ox, oy) = (0, 0) pixel (r, c) is centred at
   ((c+½)p, (r+½)p) as in mesh.h. With a supersampling s (odd), each pixel holds s × s sample
   points at ((c + (j+½)/s) p, (r + (i+½)/s) p); the middle one is the pixel centre.

   Each rank visits its own cells (no search: the sample points inside a cell's bounding box are
   tested against its barycentric coordinates) and keeps the points that lie in them; a point on
   an edge shared by two ranks belongs to the lower rank. θ at a point is the finite-element
   interpolant (P1 or P2, the tabulated basis of the cell) at its reference coordinates, which
   are computed once. RasterEvaluate sums the points of every pixel on each rank and reduces the
   image onto rank 0:
     image = mean of θ over the pixel's sample points inside the particle (NaN if none),
     coverage = fraction of the pixel's sample points inside the particle,
     mask = 1 where the pixel centre lies inside the particle.
   3-D meshes are sampled in the plane z = grid.z. */
#include "postproc/run/run.h"
#include <petscdmplex.h>
#include <math.h>

struct _p_Raster {
  DM             dm;
  MPI_Comm       comm;
  PetscMPIInt    rank, size;
  RasterGrid     grid;
  PetscInt       dim, Nb;
  PetscInt       npts;            /* sample points owned here */
  PetscInt      *pt_pixel;        /* [npts] pixel of each point */
  PetscInt       ncells;          /* cells holding points */
  PetscInt      *cells, *offsets; /* [ncells], [ncells + 1]: points offsets[k].. of cells[k] */
  PetscReal     *basis;           /* [npts * Nb] */
  PetscInt      *count;           /* [rows * cols] sample points inside, every rank */
  unsigned char *mask;            /* [rows * cols] every rank */
  PetscReal     *coverage;        /* [rows * cols] every rank */
  PetscReal     *sum;             /* work */
  PetscReal     *distance;        /* [rows * cols] distance of the pixel centre to the active surface, -1 outside; after RasterComputeDistance */
};

PetscErrorCode RasterGridAround(const MeshInfo *info, PetscReal pixel_size, PetscReal margin, PetscBool snap, PetscInt supersample, RasterGrid *grid)
{
  PetscReal lo[2], hi[2];

  PetscFunctionBeginUser;
  PetscCheck(pixel_size > 0, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "pixel size must be positive, got %.6g", (double)pixel_size);
  PetscCall(PetscMemzero(grid, sizeof(*grid)));
  for (PetscInt d = 0; d < 2; ++d) {
    lo[d] = info->lower[d] - margin;
    hi[d] = info->upper[d] + margin;
    if (snap) { /* pixel edges on multiples of the pixel size: the pixels of the source image */
      lo[d] = pixel_size * PetscFloorReal(lo[d] / pixel_size + 1e-9);
      hi[d] = pixel_size * PetscCeilReal(hi[d] / pixel_size - 1e-9);
    }
  }
  grid->pixel_size  = pixel_size;
  grid->origin[0]   = lo[0];
  grid->origin[1]   = lo[1];
  grid->cols        = PetscMax(1, (PetscInt)PetscCeilReal((hi[0] - lo[0]) / pixel_size - 1e-9));
  grid->rows        = PetscMax(1, (PetscInt)PetscCeilReal((hi[1] - lo[1]) / pixel_size - 1e-9));
  grid->z           = info->dim == 3 ? 0.5 * (info->lower[2] + info->upper[2]) : 0;
  grid->supersample = supersample;
  PetscCheck((double)grid->rows * grid->cols <= 1.6e7, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "a raster of %" PetscInt_FMT " x %" PetscInt_FMT " pixels of %.6g um is too large; choose a larger pixel size", grid->rows, grid->cols, (double)pixel_size);
  PetscFunctionReturn(0);
}

typedef struct {
  PetscInt  id; /* global sample point: pixel * s² + i * s + j */
  PetscInt  cell;
  PetscReal xi[3];
} Candidate;

PetscErrorCode RasterCreate(DM dm, const RasterGrid *grid, Raster *out)
{
  PetscFunctionBeginUser;
  PetscCall(RasterCreateMoved(dm, grid, NULL, out));
  PetscFunctionReturn(0);
}

PetscErrorCode RasterCreateMoved(DM dm, const RasterGrid *grid, const PetscReal shift[], Raster *out)
{
  Raster       r;
  PetscInt     cStart, cEnd, cdim, s, npix, nsub, ncand = 0, cap = 0;
  Candidate   *cand = NULL;
  Vec          coords;
  DM           cdm;
  PetscFE      fe;
  PetscMPIInt *owner;
  DMLabel      particle = NULL;
  const PetscReal h = grid->pixel_size / grid->supersample;

  PetscFunctionBeginUser;
  PetscCheck(grid->supersample >= 1 && grid->supersample % 2 == 1 && grid->supersample <= 9, PetscObjectComm((PetscObject)dm), PETSC_ERR_ARG_OUTOFRANGE, "raster supersampling must be odd, 1 to 9, got %" PetscInt_FMT, grid->supersample);
  PetscCheck(grid->rows > 0 && grid->cols > 0 && grid->pixel_size > 0, PetscObjectComm((PetscObject)dm), PETSC_ERR_ARG_OUTOFRANGE, "empty raster grid");
  PetscCall(PetscNew(&r));
  r->dm = dm;
  PetscCall(PetscObjectReference((PetscObject)dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &r->comm));
  PetscCallMPI(MPI_Comm_rank(r->comm, &r->rank));
  PetscCallMPI(MPI_Comm_size(r->comm, &r->size));
  r->grid = *grid;
  s       = grid->supersample;
  npix    = grid->rows * grid->cols;
  nsub    = npix * s * s;
  PetscCall(DMGetDimension(dm, &r->dim));
  PetscCall(DMGetCoordinateDim(dm, &cdim));
  PetscCall(DMGetField(dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &r->Nb));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  if (shift) PetscCall(DMGetLabel(dm, MESH_PARTICLE_LABEL, &particle));
  PetscCheck(!shift || particle, PetscObjectComm((PetscObject)dm), PETSC_ERR_PLIB, "a moved raster needs the mesh's \"" MESH_PARTICLE_LABEL "\" label");

  /* candidates: every sample point inside one of this rank's cells (moved by its particle's shift) */
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscScalar *x = NULL;
    PetscInt     nx, nv;
    PetscReal    lo[3] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[3] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL, -PETSC_MAX_REAL};
    PetscReal    v0[3], invT[9], dx[3] = {0, 0, 0};
    PetscInt     first = ncand;
    PetscInt     I0, I1, J0, J1;
    if (shift) {
      PetscInt k;
      PetscCall(DMLabelGetValue(particle, c, &k));
      PetscCheck(k >= 1, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has no particle index", c);
      dx[0] = shift[2 * (k - 1)];
      dx[1] = shift[2 * (k - 1) + 1];
    }
    PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, c, &nx, &x));
    nv = nx / cdim;
    for (PetscInt v = 0; v < nv; ++v)
      for (PetscInt d = 0; d < cdim; ++d) {
        lo[d] = PetscMin(lo[d], PetscRealPart(x[v * cdim + d]) + dx[d]);
        hi[d] = PetscMax(hi[d], PetscRealPart(x[v * cdim + d]) + dx[d]);
      }
    PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, c, &nx, &x));
    if (cdim == 3 && (grid->z < lo[2] - 1e-12 || grid->z > hi[2] + 1e-12)) continue;
    J0 = (PetscInt)PetscCeilReal((lo[0] - grid->origin[0]) / h - 0.5 - 1e-9);
    J1 = (PetscInt)PetscFloorReal((hi[0] - grid->origin[0]) / h - 0.5 + 1e-9);
    I0 = (PetscInt)PetscCeilReal((lo[1] - grid->origin[1]) / h - 0.5 - 1e-9);
    I1 = (PetscInt)PetscFloorReal((hi[1] - grid->origin[1]) / h - 0.5 + 1e-9);
    J0 = PetscMax(J0, 0);
    I0 = PetscMax(I0, 0);
    J1 = PetscMin(J1, grid->cols * s - 1);
    I1 = PetscMin(I1, grid->rows * s - 1);
    if (J0 > J1 || I0 > I1) continue;
    { /* barycentric coordinates: λ = T⁻¹ (p − v0), T = [v1 − v0, v2 − v0 (, v3 − v0)] */
      PetscScalar *xv = NULL;
      PetscReal    T[9];
      PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, c, &nx, &xv));
      for (PetscInt d = 0; d < r->dim; ++d) v0[d] = PetscRealPart(xv[d]);
      for (PetscInt d = 0; d < r->dim; ++d)
        for (PetscInt k = 0; k < r->dim; ++k) T[d * r->dim + k] = PetscRealPart(xv[(k + 1) * cdim + d]) - v0[d];
      PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, c, &nx, &xv));
      if (r->dim == 2) {
        const PetscReal det = T[0] * T[3] - T[1] * T[2];
        invT[0]             = T[3] / det;
        invT[1]             = -T[1] / det;
        invT[2]             = -T[2] / det;
        invT[3]             = T[0] / det;
      } else {
        const PetscReal det = T[0] * (T[4] * T[8] - T[5] * T[7]) - T[1] * (T[3] * T[8] - T[5] * T[6]) + T[2] * (T[3] * T[7] - T[4] * T[6]);
        invT[0]             = (T[4] * T[8] - T[5] * T[7]) / det;
        invT[1]             = (T[2] * T[7] - T[1] * T[8]) / det;
        invT[2]             = (T[1] * T[5] - T[2] * T[4]) / det;
        invT[3]             = (T[5] * T[6] - T[3] * T[8]) / det;
        invT[4]             = (T[0] * T[8] - T[2] * T[6]) / det;
        invT[5]             = (T[2] * T[3] - T[0] * T[5]) / det;
        invT[6]             = (T[3] * T[7] - T[4] * T[6]) / det;
        invT[7]             = (T[1] * T[6] - T[0] * T[7]) / det;
        invT[8]             = (T[0] * T[4] - T[1] * T[3]) / det;
      }
    }
    for (PetscInt Ir = I0; Ir <= I1; ++Ir)
      for (PetscInt Jc = J0; Jc <= J1; ++Jc) {
        const PetscReal p[3] = {grid->origin[0] + (Jc + 0.5) * h - dx[0], grid->origin[1] + (Ir + 0.5) * h - dx[1], grid->z}; /* in the unmoved cell */
        PetscReal       lam[3], sum = 0, minl = PETSC_MAX_REAL;
        for (PetscInt a = 0; a < r->dim; ++a) {
          lam[a] = 0;
          for (PetscInt b = 0; b < r->dim; ++b) lam[a] += invT[a * r->dim + b] * (p[b] - v0[b]);
          sum += lam[a];
          minl = PetscMin(minl, lam[a]);
        }
        if (minl < -1e-10 || sum > 1 + 1e-10) continue;
        if (ncand == cap) {
          Candidate *more;
          cap = cap ? 2 * cap : 1024;
          PetscCall(PetscMalloc1(cap, &more));
          if (ncand) PetscCall(PetscArraycpy(more, cand, ncand));
          PetscCall(PetscFree(cand));
          cand = more;
        }
        {
          const PetscInt row = Ir / s, col = Jc / s, i = Ir % s, j = Jc % s;
          cand[ncand].id   = (row * grid->cols + col) * s * s + i * s + j;
          cand[ncand].cell = c;
          for (PetscInt a = 0; a < 3; ++a) cand[ncand].xi[a] = p[a]; /* physical for now */
          ++ncand;
        }
      }
    if (ncand > first) { /* reference coordinates of this cell's points */
      PetscReal *phys, *ref;
      PetscCall(PetscMalloc2((ncand - first) * r->dim, &phys, (ncand - first) * r->dim, &ref));
      for (PetscInt k = first; k < ncand; ++k)
        for (PetscInt a = 0; a < r->dim; ++a) phys[(k - first) * r->dim + a] = cand[k].xi[a];
      PetscCall(MeshCellToReference(dm, c, ncand - first, phys, ref));
      for (PetscInt k = first; k < ncand; ++k)
        for (PetscInt a = 0; a < 3; ++a) cand[k].xi[a] = a < r->dim ? ref[(k - first) * r->dim + a] : 0;
      PetscCall(PetscFree2(phys, ref));
    }
  }

  /* each point belongs to the lowest rank that found it, and to its first cell there */
  PetscCall(PetscMalloc1(nsub, &owner));
  for (PetscInt i = 0; i < nsub; ++i) owner[i] = r->size;
  for (PetscInt k = 0; k < ncand; ++k) owner[cand[k].id] = r->rank;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, owner, (PetscMPIInt)nsub, MPI_INT, MPI_MIN, r->comm));
  {
    PetscInt   keep = 0;
    PetscReal *xi;
    for (PetscInt k = 0; k < ncand; ++k) {
      if (owner[cand[k].id] != r->rank) continue;
      owner[cand[k].id] = -1; /* taken: a second cell of this rank skips it */
      cand[keep++]      = cand[k];
    }
    r->npts = keep;
    PetscCall(PetscMalloc1(keep + 1, &r->pt_pixel));
    PetscCall(PetscMalloc1(keep * r->Nb + 1, &r->basis));
    PetscCall(PetscMalloc1(keep * r->dim + 1, &xi));
    r->ncells = 0;
    for (PetscInt k = 0; k < keep; ++k)
      if (!k || cand[k].cell != cand[k - 1].cell) ++r->ncells;
    PetscCall(PetscMalloc2(r->ncells + 1, &r->cells, r->ncells + 1, &r->offsets));
    r->ncells = 0;
    for (PetscInt k = 0; k < keep; ++k) {
      if (!k || cand[k].cell != cand[k - 1].cell) {
        r->cells[r->ncells]   = cand[k].cell;
        r->offsets[r->ncells] = k;
        ++r->ncells;
      }
      r->pt_pixel[k] = cand[k].id / (s * s);
      for (PetscInt a = 0; a < r->dim; ++a) xi[k * r->dim + a] = cand[k].xi[a];
    }
    r->offsets[r->ncells] = keep;
    if (keep) {
      PetscTabulation T;
      PetscCall(PetscFECreateTabulation(fe, 1, keep, xi, 0, &T));
      PetscCall(PetscArraycpy(r->basis, T->T[0], keep * r->Nb));
      PetscCall(PetscTabulationDestroy(&T));
    }
    PetscCall(PetscFree(xi));
  }

  /* counts, coverage and mask, on every rank */
  PetscCall(PetscCalloc1(npix, &r->count));
  PetscCall(PetscMalloc3(npix, &r->mask, npix, &r->coverage, npix, &r->sum));
  for (PetscInt k = 0; k < r->npts; ++k) r->count[r->pt_pixel[k]]++;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, r->count, (PetscMPIInt)npix, MPIU_INT, MPI_SUM, r->comm));
  {
    const PetscInt mid = (s / 2) * s + s / 2;
    for (PetscInt i = 0; i < npix; ++i) {
      r->coverage[i] = (PetscReal)r->count[i] / (s * s);
      r->mask[i]     = 0;
    }
    for (PetscInt k = 0; k < ncand; ++k) /* cand holds this rank's kept points */
      if (k < r->npts && cand[k].id % (s * s) == mid) r->mask[cand[k].id / (s * s)] = 1;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, r->mask, (PetscMPIInt)npix, MPI_UNSIGNED_CHAR, MPI_MAX, r->comm));
  }
  PetscCall(PetscFree(owner));
  PetscCall(PetscFree(cand));
  *out = r;
  PetscFunctionReturn(0);
}

PetscErrorCode RasterGetGrid(Raster r, const RasterGrid **grid)
{
  PetscFunctionBeginUser;
  *grid = &r->grid;
  PetscFunctionReturn(0);
}

PetscErrorCode RasterGetMask(Raster r, const unsigned char **mask, const PetscReal **coverage)
{
  PetscFunctionBeginUser;
  if (mask) *mask = r->mask;
  if (coverage) *coverage = r->coverage;
  PetscFunctionReturn(0);
}

/* Collective: image[rows * cols] on rank 0 (other ranks may pass NULL) */
PetscErrorCode RasterEvaluate(Raster r, Vec theta, PetscReal image[])
{
  Vec            loc;
  const PetscInt npix = r->grid.rows * r->grid.cols;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(r->sum, npix));
  PetscCall(DMGetLocalVector(r->dm, &loc));
  PetscCall(DMGlobalToLocal(r->dm, theta, INSERT_VALUES, loc));
  for (PetscInt k = 0; k < r->ncells; ++k) {
    PetscScalar *vals = NULL;
    PetscInt     n;
    PetscCall(DMPlexVecGetClosure(r->dm, NULL, loc, r->cells[k], &n, &vals));
    for (PetscInt p = r->offsets[k]; p < r->offsets[k + 1]; ++p) {
      const PetscReal *B = &r->basis[p * r->Nb];
      PetscReal        v = 0;
      for (PetscInt b = 0; b < r->Nb; ++b) v += B[b] * PetscRealPart(vals[b]);
      r->sum[r->pt_pixel[p]] += v;
    }
    PetscCall(DMPlexVecRestoreClosure(r->dm, NULL, loc, r->cells[k], &n, &vals));
  }
  PetscCall(DMRestoreLocalVector(r->dm, &loc));
  if (r->rank == 0) {
    PetscCallMPI(MPI_Reduce(MPI_IN_PLACE, r->sum, (PetscMPIInt)npix, MPIU_REAL, MPIU_SUM, 0, r->comm));
    for (PetscInt i = 0; i < npix; ++i) image[i] = r->count[i] ? r->sum[i] / r->count[i] : NAN;
  } else PetscCallMPI(MPI_Reduce(r->sum, NULL, (PetscMPIInt)npix, MPIU_REAL, MPIU_SUM, 0, r->comm));
  PetscFunctionReturn(0);
}

/* Collective: the distance of every masked pixel centre to the active surface (others -1) */
PetscErrorCode RasterComputeDistance(Raster r)
{
  PetscInt       nfacets;
  PetscReal     *facets;
  SurfaceTree    tree;
  const PetscInt npix = r->grid.rows * r->grid.cols;

  PetscFunctionBeginUser;
  if (r->distance) PetscFunctionReturn(0);
  PetscCall(MeshBoundaryFacets(r->dm, &nfacets, &facets));
  PetscCall(PostprocSurfaceTreeCreate(r->dim, nfacets, facets, &tree));
  PetscCall(PetscCalloc1(npix, &r->distance));
  for (PetscInt i = r->rank; i < npix; i += r->size) {
    if (!r->mask[i]) continue;
    {
      const PetscReal x[3] = {r->grid.origin[0] + (i % r->grid.cols + 0.5) * r->grid.pixel_size, r->grid.origin[1] + (i / r->grid.cols + 0.5) * r->grid.pixel_size, r->grid.z};
      PetscCall(PostprocSurfaceTreeDistance(tree, x, &r->distance[i]));
    }
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, r->distance, (PetscMPIInt)npix, MPIU_REAL, MPIU_SUM, r->comm));
  for (PetscInt i = 0; i < npix; ++i)
    if (!r->mask[i]) r->distance[i] = -1;
  PetscCall(PostprocSurfaceTreeDestroy(&tree));
  PetscCall(PetscFree(facets));
  PetscFunctionReturn(0);
}

PetscErrorCode RasterGetDistance(Raster r, const PetscReal **distance)
{
  PetscFunctionBeginUser;
  PetscCheck(r->distance, r->comm, PETSC_ERR_ARG_WRONGSTATE, "call RasterComputeDistance first");
  *distance = r->distance;
  PetscFunctionReturn(0);
}

/* Means over the masked pixels of image: all, the centre region (distance >= centre_threshold)
   and the periphery band (distance <= periphery_width), the Observer's definitions on pixel
   centres. Not collective (use the image on rank 0); needs RasterComputeDistance. */
PetscErrorCode RasterRegionMeans(Raster r, PetscReal centre_threshold, PetscReal periphery_width, const PetscReal image[], RasterRegions *m)
{
  const PetscInt npix = r->grid.rows * r->grid.cols;
  PetscReal      s[3] = {0, 0, 0};
  PetscInt       n[3] = {0, 0, 0};

  PetscFunctionBeginUser;
  PetscCheck(r->distance, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "call RasterComputeDistance first");
  for (PetscInt i = 0; i < npix; ++i) {
    if (!r->mask[i] || PetscIsNanReal(image[i])) continue;
    s[0] += image[i];
    ++n[0];
    if (r->distance[i] >= centre_threshold) {
      s[1] += image[i];
      ++n[1];
    }
    if (r->distance[i] <= periphery_width) {
      s[2] += image[i];
      ++n[2];
    }
  }
  m->mean            = n[0] ? s[0] / n[0] : NAN;
  m->centre          = n[1] ? s[1] / n[1] : NAN;
  m->periphery       = n[2] ? s[2] / n[2] : NAN;
  m->pixels          = n[0];
  m->centre_pixels   = n[1];
  m->periphery_pixels = n[2];
  PetscFunctionReturn(0);
}

PetscErrorCode RasterDestroy(Raster *r)
{
  PetscFunctionBeginUser;
  if (!*r) PetscFunctionReturn(0);
  PetscCall(PetscFree((*r)->pt_pixel));
  PetscCall(PetscFree((*r)->basis));
  PetscCall(PetscFree2((*r)->cells, (*r)->offsets));
  PetscCall(PetscFree((*r)->count));
  PetscCall(PetscFree3((*r)->mask, (*r)->coverage, (*r)->sum));
  PetscCall(PetscFree((*r)->distance));
  PetscCall(DMDestroy(&(*r)->dm));
  PetscCall(PetscFree(*r));
  PetscFunctionReturn(0);
}
