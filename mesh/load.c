/* DMPlex from a checked .msh file: check, read, normalise the "surface" label, distribute.

   PETSc's Gmsh reader trusts its input, so rank 0 first checks the file with spot's own reader
   (mesh/msh_check.c: format, counts, tags, element types, the "surface" group, and the mesh as a
   mesh), on every rank count, and a bad file fails on every rank with one message. Then PETSc
   reads it (physical names become labels), the faces of the "surface" group are gathered into
   label "surface" = 1 on the serial mesh, and the mesh is distributed (PTScotch by default;
   -petscpartitioner_type overrides).
   Uniform refinement (-mesh_refine n) is done by Gmsh before loading, not by DMRefine: PETSc
   3.18 assembles boundary terms wrongly on refined tetrahedra whose faces are not in their
   reference orientation (found by the linear manufactured solution of tests/test_mms.c), and
   Gmsh puts the new boundary nodes of a built-in shape on its true curve. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <petscsf.h>
#include <petscbt.h>
#include <string.h>

/* All faces of any value of the "surface" label get value 1 in a fresh "surface" label */
static PetscErrorCode NormaliseSurfaceLabel(DM dm)
{
  DMLabel         old, fresh;
  IS              values;
  const PetscInt *vals;
  PetscInt        nvals, dim, fStart, fEnd;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMGetLabel(dm, MESH_SURFACE_LABEL, &old));
  PetscCall(DMLabelCreate(PETSC_COMM_SELF, MESH_SURFACE_LABEL, &fresh));
  if (old) {
    PetscCall(DMLabelGetValueIS(old, &values));
    PetscCall(ISGetLocalSize(values, &nvals));
    PetscCall(ISGetIndices(values, &vals));
    for (PetscInt v = 0; v < nvals; ++v) {
      IS              points;
      const PetscInt *p;
      PetscInt        np;
      PetscCall(DMLabelGetStratumIS(old, vals[v], &points));
      if (!points) continue;
      PetscCall(ISGetLocalSize(points, &np));
      PetscCall(ISGetIndices(points, &p));
      for (PetscInt i = 0; i < np; ++i)
        if (p[i] >= fStart && p[i] < fEnd) PetscCall(DMLabelSetValue(fresh, p[i], 1));
      PetscCall(ISRestoreIndices(points, &p));
      PetscCall(ISDestroy(&points));
    }
    PetscCall(ISRestoreIndices(values, &vals));
    PetscCall(ISDestroy(&values));
    PetscCall(DMRemoveLabel(dm, MESH_SURFACE_LABEL, NULL));
  }
  PetscCall(DMAddLabel(dm, fresh));
  PetscCall(DMLabelDestroy(&fresh));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshLoad(MPI_Comm comm, const char path[], DM *dm)
{
  PetscFunctionBeginUser;
  PetscCall(MeshLoadFrom(comm, path, NULL, dm));
  PetscFunctionReturn(0);
}

/* Is dm what spot needs: triangles (2-D) or tetrahedra (3-D) with straight sides, and a
   "surface" group of faces? (MeshCheckMshFile asks the same of the file; this is a second line.) */
static PetscErrorCode SuitsSpot(DM dm, PetscBool *ok)
{
  DM       cdm;
  DMLabel  surface;
  PetscInt dim, cStart, cEnd, nf;

  PetscFunctionBeginUser;
  *ok = PETSC_FALSE;
  PetscCall(DMGetDimension(dm, &dim));
  if (dim != 2 && dim != 3) PetscFunctionReturn(0);
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  if (cEnd <= cStart) PetscFunctionReturn(0);
  for (PetscInt c = cStart; c < cEnd; ++c) {
    DMPolytopeType ct;
    PetscCall(DMPlexGetCellType(dm, c, &ct));
    if (ct != (dim == 2 ? DM_POLYTOPE_TRIANGLE : DM_POLYTOPE_TETRAHEDRON)) PetscFunctionReturn(0);
  }
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMGetNumFields(cdm, &nf));
  if (nf > 0) { /* a high-order file gives the coordinates a higher-degree space */
    PetscObject  disc;
    PetscClassId id;
    PetscCall(DMGetField(cdm, 0, NULL, &disc));
    PetscCall(PetscObjectGetClassId(disc, &id));
    if (id == PETSCFE_CLASSID) {
      PetscSpace space;
      PetscInt   degree;
      PetscCall(PetscFEGetBasisSpace((PetscFE)disc, &space));
      PetscCall(PetscSpaceGetDegree(space, &degree, NULL));
      if (degree > 1) PetscFunctionReturn(0);
    }
  }
  PetscCall(NormaliseSurfaceLabel(dm)); /* the faces of the group, value 1 */
  PetscCall(DMGetLabel(dm, MESH_SURFACE_LABEL, &surface));
  if (surface) {
    PetscInt nfaces;
    PetscCall(DMLabelGetStratumSize(surface, 1, &nfaces));
    *ok = nfaces > 0 ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* Label MESH_PARTICLE_LABEL: value k = 1..N on the cells of particle k. From the groups
   particle_<k> of the file when it has them (spot mesh --all, populations), else from the mesh's
   connected pieces, numbered by their centroids (top to bottom, then left to right: the image
   frame's order, y growing down the rows). The per-particle groups themselves are removed: a
   population of a thousand would give two thousand labels to distribute. Serial: on the rank
   that holds the mesh before distribution; *message non-empty on a mesh that cannot be split so. */
static PetscErrorCode SetParticleLabel(DM dm, const char path[], char message[], size_t len)
{
  PetscInt  cStart, cEnd, nlabels, nparticles = 0, *piece, npieces = 0;
  DMLabel   particle;
  PetscBool from_groups = PETSC_FALSE;

  PetscFunctionBeginUser;
  message[0] = 0;
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(PetscMalloc1(cEnd - cStart + 1, &piece));
  for (PetscInt c = cStart; c < cEnd; ++c) piece[c - cStart] = 0;
  PetscCall(DMGetNumLabels(dm, &nlabels));
  for (PetscInt l = nlabels - 1; l >= 0; --l) { /* the groups particle_<k>; surface_<k> are not needed */
    const char *name;
    char       *end;
    long        k;
    DMLabel     label;
    PetscCall(DMGetLabelName(dm, l, &name));
    if (!strncmp(name, "surface_", 8) && strtol(name + 8, &end, 10) > 0 && !*end) {
      PetscCall(DMRemoveLabel(dm, name, NULL));
      continue;
    }
    if (strncmp(name, "particle_", 9)) continue;
    k = strtol(name + 9, &end, 10);
    if (k <= 0 || *end) continue;
    from_groups = PETSC_TRUE;
    nparticles  = PetscMax(nparticles, (PetscInt)k);
    PetscCall(DMGetLabel(dm, name, &label));
    { /* the label's points, stratum by stratum: O(its points), not O(cells), per group */
      IS              values;
      const PetscInt *vals;
      PetscInt        nvals;
      PetscCall(DMLabelGetValueIS(label, &values));
      PetscCall(ISGetLocalSize(values, &nvals));
      PetscCall(ISGetIndices(values, &vals));
      for (PetscInt iv = 0; iv < nvals; ++iv) {
        IS              points;
        const PetscInt *pts;
        PetscInt        npts;
        PetscCall(DMLabelGetStratumIS(label, vals[iv], &points));
        if (!points) continue;
        PetscCall(ISGetLocalSize(points, &npts));
        PetscCall(ISGetIndices(points, &pts));
        for (PetscInt j = 0; j < npts; ++j) {
          const PetscInt c = pts[j];
          if (c < cStart || c >= cEnd) continue;
          if (piece[c - cStart] && piece[c - cStart] != (PetscInt)k && !message[0]) PetscCall(PetscSNPrintf(message, len, "mesh '%s': a cell belongs to particle_%ld and to particle_%" PetscInt_FMT "; each cell belongs to one particle", path, k, piece[c - cStart]));
          piece[c - cStart] = (PetscInt)k;
        }
        PetscCall(ISRestoreIndices(points, &pts));
        PetscCall(ISDestroy(&points));
      }
      PetscCall(ISRestoreIndices(values, &vals));
      PetscCall(ISDestroy(&values));
    }
    PetscCall(DMRemoveLabel(dm, name, NULL));
  }
  if (from_groups) {
    PetscBool *seen;
    PetscCall(PetscCalloc1(nparticles + 1, &seen));
    for (PetscInt c = cStart; c < cEnd && !message[0]; ++c) {
      if (!piece[c - cStart]) PetscCall(PetscSNPrintf(message, len, "mesh '%s' has groups particle_<k>, but some cells are in none of them; each cell belongs to one particle", path));
      else seen[piece[c - cStart]] = PETSC_TRUE;
    }
    for (PetscInt k = 1; k <= nparticles && !message[0]; ++k)
      if (!seen[k]) PetscCall(PetscSNPrintf(message, len, "mesh '%s' has a group particle_%" PetscInt_FMT " but no particle_%" PetscInt_FMT "; particles are numbered 1, 2, ... without gaps", path, nparticles, k));
    PetscCall(PetscFree(seen));
  } else if (cEnd > cStart) { /* connected pieces: cells joined through their faces (union-find) */
    PetscInt  *parent, *root_of, *order;
    PetscReal *centroid, *mass;
    PetscInt   dim;
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(PetscMalloc1(cEnd - cStart, &parent));
    for (PetscInt c = 0; c < cEnd - cStart; ++c) parent[c] = c;
    for (PetscInt c = cStart; c < cEnd; ++c) {
      const PetscInt *cone;
      PetscInt        ncone;
      PetscCall(DMPlexGetConeSize(dm, c, &ncone));
      PetscCall(DMPlexGetCone(dm, c, &cone));
      for (PetscInt f = 0; f < ncone; ++f) {
        const PetscInt *supp;
        PetscInt        nsupp;
        PetscCall(DMPlexGetSupportSize(dm, cone[f], &nsupp));
        PetscCall(DMPlexGetSupport(dm, cone[f], &supp));
        for (PetscInt j = 0; j < nsupp; ++j) {
          PetscInt a = c - cStart, b = supp[j] - cStart;
          while (parent[a] != a) a = parent[a] = parent[parent[a]];
          while (parent[b] != b) b = parent[b] = parent[parent[b]];
          if (a != b) parent[PetscMax(a, b)] = PetscMin(a, b);
        }
      }
    }
    PetscCall(PetscMalloc4(cEnd - cStart, &root_of, cEnd - cStart, &order, 2 * (cEnd - cStart), &centroid, cEnd - cStart, &mass));
    for (PetscInt c = 0; c < cEnd - cStart; ++c) root_of[c] = -1;
    for (PetscInt c = 0; c < cEnd - cStart; ++c) {
      PetscInt  r = c, p;
      PetscReal vol, x[3];
      while (parent[r] != r) r = parent[r];
      if (root_of[r] < 0) {
        root_of[r]                 = npieces;
        centroid[2 * npieces]      = 0;
        centroid[2 * npieces + 1]  = 0;
        mass[npieces]              = 0;
        ++npieces;
      }
      p = root_of[r];
      PetscCall(DMPlexComputeCellGeometryFVM(dm, c + cStart, &vol, x, NULL));
      mass[p] += PetscAbsReal(vol);
      centroid[2 * p] += PetscAbsReal(vol) * x[0];
      centroid[2 * p + 1] += PetscAbsReal(vol) * x[1];
      piece[c] = p; /* for now: the piece, numbered by first cell */
    }
    for (PetscInt p = 0; p < npieces; ++p) {
      order[p] = p;
      centroid[2 * p] /= mass[p];
      centroid[2 * p + 1] /= mass[p];
    }
    for (PetscInt i = 1; i < npieces; ++i) /* by centroid y, then x (insertion: pieces are few) */
      for (PetscInt j = i; j > 0; --j) {
        const PetscInt a = order[j - 1], b = order[j];
        const PetscReal ya = centroid[2 * a + 1], yb = centroid[2 * b + 1], xa = centroid[2 * a], xb = centroid[2 * b];
        const PetscReal tol = 1e-9 * (PetscAbsReal(ya) + PetscAbsReal(yb) + 1);
        if (ya > yb + tol || (PetscAbsReal(ya - yb) <= tol && xa > xb)) {
          order[j - 1] = b;
          order[j]     = a;
        } else break;
      }
    for (PetscInt p = 0; p < npieces; ++p) root_of[order[p]] = p + 1; /* piece → particle number */
    for (PetscInt c = 0; c < cEnd - cStart; ++c) piece[c] = root_of[piece[c]];
    nparticles = npieces;
    PetscCall(PetscFree4(root_of, order, centroid, mass));
    PetscCall(PetscFree(parent));
    (void)dim;
  }
  PetscCall(DMCreateLabel(dm, MESH_PARTICLE_LABEL));
  PetscCall(DMGetLabel(dm, MESH_PARTICLE_LABEL, &particle));
  for (PetscInt c = cStart; c < cEnd && !message[0]; ++c) PetscCall(DMLabelSetValue(particle, c, piece[c - cStart]));
  PetscCall(PetscFree(piece));
  PetscCall(PetscInfo(dm, "%" PetscInt_FMT " particle(s), from %s\n", nparticles, from_groups ? "the groups particle_<k>" : "the connected pieces"));
  PetscFunctionReturn(0);
}

/* MeshLoadFrom; checked: MeshCheckMshFile passed the file already (a mesh cache entry) */
static PetscErrorCode LoadFrom(MPI_Comm comm, const char path[], const char where[], PetscBool checked, DM *dm)
{
  DM               dist = NULL;
  PetscPartitioner part;
  PetscBool        has, ok = PETSC_TRUE;
  PetscMPIInt      rank;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-dm_plex_gmsh_use_regions", &has));
  if (!has) PetscCall(PetscOptionsSetValue(NULL, "-dm_plex_gmsh_use_regions", "true"));
  *dm = NULL;
  if (!checked) PetscCall(MeshCheckMshFile(comm, path, where)); /* before PETSc's reader sees the file */
  PetscCall(DMPlexCreateFromFile(comm, path, "spot", PETSC_TRUE, dm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) PetscCall(SuitsSpot(*dm, &ok)); /* the serial mesh lives on rank 0 */
  {
    char message[1024] = "";
    if (!ok) PetscCall(PetscSNPrintf(message, sizeof(message), "%s%smesh '%s' passed spot's checks, but PETSc read it as something other than triangles or tetrahedra with a \"" MESH_SURFACE_LABEL "\" group (a bug in the checks: please report it with the file)", where ? where : "", where ? ": " : "", path));
    PetscCall(InputCollectiveError(comm, !ok, message));
  }
  PetscCall(PetscObjectSetName((PetscObject)*dm, "particle"));
  PetscCall(NormaliseSurfaceLabel(*dm));
  {
    char message[PETSC_MAX_PATH_LEN + 256] = "";
    if (rank == 0) PetscCall(SetParticleLabel(*dm, path, message, sizeof(message)));
    else PetscCall(DMCreateLabel(*dm, MESH_PARTICLE_LABEL)); /* empty until the distribution fills it */
    PetscCall(InputCollectiveError(comm, message[0] ? PETSC_TRUE : PETSC_FALSE, message));
  }
  PetscCall(DMPlexGetPartitioner(*dm, &part));
#if defined(PETSC_HAVE_PTSCOTCH)
  PetscCall(PetscPartitionerSetType(part, PETSCPARTITIONERPTSCOTCH));
#endif
  PetscCall(PetscPartitionerSetFromOptions(part));
  PetscCall(DMPlexDistribute(*dm, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(dm));
    *dm = dist;
  }
  {
    MeshInfo info;
    char     where[PETSC_MAX_PATH_LEN];
    PetscCall(MeshGetInfo(*dm, &info));
    PetscCall(InputOptionWhere("-mesh_file", where, sizeof(where)));
    PetscCheck(info.num_surface_faces > 0, comm, PETSC_ERR_USER_INPUT, "%s: mesh '%s' has an empty \"" MESH_SURFACE_LABEL "\" group", where, path);
    PetscCheck(info.volume > 0, comm, PETSC_ERR_USER_INPUT, "%s: mesh '%s' has zero volume", where, path);
  }
  PetscCall(DMSetFromOptions(*dm));
  PetscCall(DMViewFromOptions(*dm, NULL, "-dm_view"));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshLoadFrom(MPI_Comm comm, const char path[], const char where[], DM *dm)
{
  PetscFunctionBeginUser;
  PetscCall(LoadFrom(comm, path, where, PETSC_FALSE, dm));
  PetscFunctionReturn(0);
}

#define MESH_CACHE_KEY "spot_mesh_cache" /* composed on the DM: "H<entry>" read from the cache, "S<entry>" stored in it */

/* What the mesh cache did for dm, for MeshGetInfo */
static PetscErrorCode SetCacheOutcome(DM dm, PetscBool hit, const char entry[])
{
  PetscContainer container;
  char          *text;
  size_t         len;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(entry, &len));
  PetscCall(PetscMalloc1(len + 2, &text));
  text[0] = hit ? 'H' : 'S';
  PetscCall(PetscStrcpy(text + 1, entry));
  PetscCall(PetscContainerCreate(PETSC_COMM_SELF, &container));
  PetscCall(PetscContainerSetPointer(container, text));
  PetscCall(PetscContainerSetUserDestroy(container, PetscContainerUserDestroyDefault));
  PetscCall(PetscObjectCompose((PetscObject)dm, MESH_CACHE_KEY, (PetscObject)container));
  PetscCall(PetscContainerDestroy(&container));
  PetscFunctionReturn(0);
}

/* -mesh_file, or a built-in shape, an image or a population meshed into workdir/MESH_GENERATED_NAME; refined
   by Gmsh. The caller keeps (renames) or removes the generated file. */
PetscErrorCode MeshCreateFromOptions(MPI_Comm comm, const char workdir[], DM *dm)
{
  char      path[PETSC_MAX_PATH_LEN], where[PETSC_MAX_PATH_LEN], cache[PETSC_MAX_PATH_LEN], entry[PETSC_MAX_PATH_LEN] = "";
  PetscBool file, shape, image, drawn, listed, population, cached, hit = PETSC_FALSE;
  PetscInt  refine = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_file", path, sizeof(path), &file));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_shape_type", &shape));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_image_file", &image));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_population_count", &drawn));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_population_file", &listed));
  population = drawn || listed ? PETSC_TRUE : PETSC_FALSE;
  PetscCheck(file || shape || image || population, comm, PETSC_ERR_USER_INPUT, "no mesh given: set <mesh><file>, <mesh><shape type=...> or <mesh><image file=...> in the input, or -mesh_file / -mesh_shape_type / -mesh_image_file / -mesh_population_count / -mesh_population_file");
  PetscCheck((PetscInt)file + (PetscInt)shape + (PetscInt)image + (PetscInt)population == 1, comm, PETSC_ERR_USER_INPUT, "give one mesh source: -mesh_file, -mesh_shape_type, -mesh_image_file or a population (-mesh_population_count or -mesh_population_file)");
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_refine", &refine, NULL));
  PetscCall(InputOptionWhere("-mesh_refine", where, sizeof(where)));
  PetscCheck(refine >= 0 && refine <= 6, comm, PETSC_ERR_USER_INPUT, "%s: refine must be between 0 and 6, got %" PetscInt_FMT, where, refine);
  PetscCall(MeshCacheGetDirectory(comm, cache, sizeof(cache), &cached)); /* checked whatever the source: a bad directory is named at once */
  if (!file) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/" MESH_GENERATED_NAME, workdir));
    if (shape && cached) PetscCall(MeshShapeWriteCached(comm, cache, path, &hit, entry, sizeof(entry)));
    else if (shape) PetscCall(MeshShapeWrite(comm, path)); /* refined with the shape's geometry */
    else {
      if (population) PetscCall(MeshPopulationWrite(comm, path));
      else PetscCall(MeshImageWrite(comm, path));
      if (refine) PetscCall(MeshRefineFile(comm, path, refine, path));
    }
  } else if (refine) { /* the refined copy is the mesh of the run: keep it beside the results */
    char refined[PETSC_MAX_PATH_LEN], from[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-mesh_file", from, sizeof(from)));
    PetscCall(MeshCheckMshFile(comm, path, from)); /* before Gmsh reads it */
    PetscCall(PetscSNPrintf(refined, sizeof(refined), "%s/" MESH_GENERATED_NAME, workdir));
    PetscCall(MeshRefineFile(comm, path, refine, refined));
    PetscCall(PetscStrncpy(path, refined, sizeof(path)));
  }
  if (file && !refine) {
    char from[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-mesh_file", from, sizeof(from)));
    PetscCall(MeshLoadFrom(comm, path, from, dm));
  } else PetscCall(LoadFrom(comm, path, NULL, hit, dm));
  if (entry[0]) PetscCall(SetCacheOutcome(*dm, hit, entry));
  PetscFunctionReturn(0);
}

/* Is point p owned by this rank (not a leaf of the point SF)? */
static PetscErrorCode IsOwned(PetscSF sf, PetscInt p, PetscBool *owned)
{
  const PetscInt *leaves;
  PetscInt        nleaves, lo = 0, hi;

  PetscFunctionBeginUser;
  *owned = PETSC_TRUE;
  PetscCall(PetscSFGetGraph(sf, NULL, &nleaves, &leaves, NULL));
  if (nleaves <= 0) PetscFunctionReturn(0);
  if (!leaves) { /* contiguous leaves 0..nleaves-1 */
    *owned = p >= nleaves ? PETSC_TRUE : PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  hi = nleaves - 1; /* leaves of a DMPlex point SF are sorted */
  while (lo <= hi) {
    const PetscInt mid = (lo + hi) / 2;
    if (leaves[mid] == p) {
      *owned = PETSC_FALSE;
      break;
    }
    if (leaves[mid] < p) lo = mid + 1;
    else hi = mid - 1;
  }
  PetscFunctionReturn(0);
}

static PetscReal Distance(const PetscScalar *a, const PetscScalar *b, PetscInt dim)
{
  PetscReal s = 0;
  for (PetscInt d = 0; d < dim; ++d) s += PetscSqr(PetscRealPart(a[d] - b[d]));
  return PetscSqrtReal(s);
}

/* Smallest angle (degrees) at the corners of triangle (a, b, c) */
static PetscReal TriangleMinAngle(const PetscScalar *a, const PetscScalar *b, const PetscScalar *c, PetscInt dim)
{
  const PetscReal la = Distance(b, c, dim), lb = Distance(a, c, dim), lc = Distance(a, b, dim);
  PetscReal       ang[3], m;
  ang[0] = PetscAcosReal(PetscMax(-1, PetscMin(1, (lb * lb + lc * lc - la * la) / (2 * lb * lc))));
  ang[1] = PetscAcosReal(PetscMax(-1, PetscMin(1, (la * la + lc * lc - lb * lb) / (2 * la * lc))));
  ang[2] = PETSC_PI - ang[0] - ang[1];
  m      = PetscMin(ang[0], PetscMin(ang[1], ang[2]));
  return m * 180.0 / PETSC_PI;
}

/* The vertices of point p (any order, at most 4) through the cones: the closure's orientation
   bookkeeping (a label lookup per point) cost more than the work done with it here */
static PetscErrorCode PointVertices(DM dm, PetscInt p, PetscInt vStart, PetscInt vEnd, PetscInt *nv, PetscInt v[4])
{
  PetscInt stack[64], top = 0;

  PetscFunctionBeginUser;
  *nv          = 0;
  stack[top++] = p;
  while (top) {
    const PetscInt  q = stack[--top];
    const PetscInt *cone;
    PetscInt        size, seen = 0;
    if (q >= vStart && q < vEnd) {
      for (PetscInt i = 0; i < *nv; ++i) seen = seen || v[i] == q;
      if (!seen) {
        PetscCheck(*nv < 4, PETSC_COMM_SELF, PETSC_ERR_PLIB, "point %" PetscInt_FMT " has more than 4 vertices", p);
        v[(*nv)++] = q;
      }
      continue;
    }
    PetscCall(DMPlexGetConeSize(dm, q, &size));
    PetscCall(DMPlexGetCone(dm, q, &cone));
    PetscCheck(top + size <= 64, PETSC_COMM_SELF, PETSC_ERR_PLIB, "point %" PetscInt_FMT " is not a simplex", p);
    for (PetscInt i = 0; i < size; ++i) stack[top++] = cone[i];
  }
  PetscFunctionReturn(0);
}

PetscErrorCode MeshGetInfo(DM dm, MeshInfo *info)
{
  MPI_Comm     comm;
  PetscSF      sf;
  DMLabel      surface;
  Vec          coords;
  DM           cdm;
  PetscInt     cStart, cEnd, vStart, vEnd, fStart, fEnd, dim;
  PetscReal    local[7] = {0}, global[7], ext[3] = {PETSC_MAX_REAL, 0, 180}, gext[3];
  PetscInt     counts[3] = {0}, gcounts[3];
  PetscSection csection;
  const PetscScalar *xa;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscMemzero(info, sizeof(*info)));
  PetscCall(DMGetDimension(dm, &dim));
  info->dim = dim;
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateDM(dm, &cdm));

  PetscCall(DMGetLocalSection(cdm, &csection));
  PetscCall(VecGetArrayRead(coords, &xa));
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscReal   vol, centroid[3] = {0, 0, 0};
    PetscScalar x[12];
    PetscInt    nx, vert[4], nvert;
    PetscBool   owned;
    PetscCall(IsOwned(sf, c, &owned));
    if (!owned) continue;
    ++counts[0];
    PetscCall(PointVertices(dm, c, vStart, vEnd, &nvert, vert));
    for (PetscInt k = 0; k < nvert; ++k) {
      PetscInt off;
      PetscCall(PetscSectionGetOffset(csection, vert[k], &off));
      for (PetscInt d = 0; d < dim; ++d) x[k * dim + d] = xa[off + d];
    }
    nx = nvert * dim;
    { /* volume and centroid of the simplex, diameter (longest edge) and smallest angle */
      const PetscInt nv   = nx / dim;
      PetscReal      diam = 0, e[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
      for (PetscInt k = 1; k < nv && k <= 3; ++k)
        for (PetscInt d = 0; d < dim; ++d)
          e[k - 1][d] = PetscRealPart(x[k * dim + d] - x[d]);
      vol = dim == 2 ? 0.5 * PetscAbsReal(e[0][0] * e[1][1] - e[0][1] * e[1][0])
                     : PetscAbsReal(e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) - e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) + e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0])) / 6;
      for (PetscInt k = 0; k < nv; ++k)
        for (PetscInt d = 0; d < dim; ++d)
          centroid[d] += PetscRealPart(x[k * dim + d]) / nv;
      local[0] += vol;
      for (PetscInt d = 0; d < dim; ++d)
        local[3 + d] += vol * centroid[d];
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = i + 1; j < nv; ++j) diam = PetscMax(diam, Distance(&x[i * dim], &x[j * dim], dim));
      ext[0] = PetscMin(ext[0], diam);
      ext[1] = PetscMax(ext[1], diam);
      if (nv == 3) ext[2] = PetscMin(ext[2], TriangleMinAngle(&x[0], &x[dim], &x[2 * dim], dim));
      if (nv == 4 && dim == 3)
        for (PetscInt k = 0; k < 4; ++k) ext[2] = PetscMin(ext[2], TriangleMinAngle(&x[((k + 1) % 4) * 3], &x[((k + 2) % 4) * 3], &x[((k + 3) % 4) * 3], 3));
    }
  }
  PetscCall(VecRestoreArrayRead(coords, &xa));
  for (PetscInt v = vStart; v < vEnd; ++v) {
    PetscBool owned;
    PetscCall(IsOwned(sf, v, &owned));
    if (owned) ++counts[1];
  }
  PetscCall(DMGetLabel(dm, MESH_SURFACE_LABEL, &surface));
  { /* a face of the boundary has one cell and is not shared with another rank */
    const PetscInt *degree;
    PetscInt        nroots;
    PetscBT         active; /* the surface's faces, from its stratum (DMLabelGetValue per face is a search) */
    PetscCall(PetscBTCreate(fEnd - fStart, &active));
    if (surface) {
      IS              is;
      const PetscInt *pts;
      PetscInt        npts;
      PetscCall(DMLabelGetStratumIS(surface, 1, &is));
      if (is) {
        PetscCall(ISGetLocalSize(is, &npts));
        PetscCall(ISGetIndices(is, &pts));
        for (PetscInt i = 0; i < npts; ++i)
          if (pts[i] >= fStart && pts[i] < fEnd) PetscCall(PetscBTSet(active, pts[i] - fStart));
        PetscCall(ISRestoreIndices(is, &pts));
        PetscCall(ISDestroy(&is));
      }
    }
    PetscCall(PetscSFGetGraph(sf, &nroots, NULL, NULL, NULL));
    degree = NULL;
    if (nroots >= 0) {
      PetscCall(PetscSFComputeDegreeBegin(sf, &degree));
      PetscCall(PetscSFComputeDegreeEnd(sf, &degree));
    }
    for (PetscInt f = fStart; f < fEnd; ++f) {
      PetscInt  s = -1, nsupp;
      PetscReal area;
      PetscBool owned, shared;
      if (PetscBTLookup(active, f - fStart)) s = 1;
      PetscCall(DMPlexGetSupportSize(dm, f, &nsupp));
      PetscCall(IsOwned(sf, f, &owned));
      shared = (!owned || (degree && degree[f] > 0)) ? PETSC_TRUE : PETSC_FALSE;
      if (!owned) continue;
      if (s != 1 && (nsupp != 1 || shared)) continue;
      PetscCall(DMPlexComputeCellGeometryFVM(dm, f, &area, NULL, NULL));
      if (s == 1) {
        local[1] += area;
        ++counts[2];
      }
      if (nsupp == 1 && !shared) local[2] += area;
    }
    PetscCall(PetscBTDestroy(&active));
  }
  PetscCall(MPIU_Allreduce(local, global, 7, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(MPIU_Allreduce(counts, gcounts, 3, MPIU_INT, MPIU_SUM, comm));
  ext[1] = -ext[1];
  PetscCall(MPIU_Allreduce(ext, gext, 3, MPIU_REAL, MPIU_MIN, comm));
  info->volume            = global[0];
  info->surface           = global[1];
  info->boundary          = global[2];
  info->num_cells         = gcounts[0];
  info->num_vertices      = gcounts[1];
  info->num_surface_faces = gcounts[2];
  { /* particles: the largest value of the particle label (1 for a mesh without one) */
    DMLabel  particle;
    PetscInt kmax = 1;
    PetscCall(DMGetLabel(dm, MESH_PARTICLE_LABEL, &particle));
    if (particle) { /* its values, not a lookup per cell (DMLabelGetValue is O(values) per point) */
      IS              values;
      const PetscInt *vals;
      PetscInt        nvals;
      PetscCall(DMLabelGetValueIS(particle, &values));
      PetscCall(ISGetLocalSize(values, &nvals));
      PetscCall(ISGetIndices(values, &vals));
      for (PetscInt i = 0; i < nvals; ++i) kmax = PetscMax(kmax, vals[i]);
      PetscCall(ISRestoreIndices(values, &vals));
      PetscCall(ISDestroy(&values));
    }
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &kmax, 1, MPIU_INT, MPI_MAX, comm));
    info->num_particles = kmax;
  }
  for (PetscInt d = 0; d < dim; ++d) info->centroid[d] = global[0] > 0 ? global[3 + d] / global[0] : 0;
  info->h_min     = gext[0];
  info->h_max     = -gext[1];
  info->min_angle = gext[2];
  {
    PetscReal lo[3], hi[3];
    PetscCall(DMGetBoundingBox(dm, lo, hi));
    for (PetscInt d = 0; d < dim; ++d) {
      info->lower[d] = lo[d];
      info->upper[d] = hi[d];
    }
  }
  for (PetscInt d = 0; d < dim; ++d) /* round-off of a centred shape prints as 0 */
    if (PetscAbsReal(info->centroid[d]) < 1e-12 * (info->upper[0] - info->lower[0])) info->centroid[d] = 0;
  info->equivalent_diameter = dim == 2 ? PetscSqrtReal(4 * info->volume / PETSC_PI) : PetscPowReal(6 * info->volume / PETSC_PI, 1.0 / 3.0);
  {
    PetscContainer container = NULL;
    const char    *text      = NULL;
    PetscCall(PetscObjectQuery((PetscObject)dm, MESH_CACHE_KEY, (PetscObject *)&container));
    if (container) PetscCall(PetscContainerGetPointer(container, (void **)&text));
    if (text && text[0]) {
      info->cache_hit = text[0] == 'H' ? PETSC_TRUE : PETSC_FALSE;
      PetscCall(PetscStrncpy(info->cache, text + 1, sizeof(info->cache)));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode MeshInfoView(const MeshInfo *m, PetscViewer viewer)
{
  const char *vol = m->dim == 2 ? "area" : "volume", *sur = m->dim == 2 ? "perimeter" : "surface";
  const char *vu = m->dim == 2 ? "um^2" : "um^3", *su = m->dim == 2 ? "um" : "um^2";

  PetscFunctionBeginUser;
  if (m->cache[0]) PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s %s\n", m->cache_hit ? "from the cache" : "made by Gmsh and stored in the cache as", m->cache));
  PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %" PetscInt_FMT "-D, %" PetscInt_FMT " cells, %" PetscInt_FMT " vertices, %s %.6g %s, active %s %.6g %s, equivalent diameter %.4g um\n", m->dim, m->num_cells, m->num_vertices, vol, (double)m->volume, vu, sur, (double)m->surface, su, (double)m->equivalent_diameter));
  if (m->dim == 2) PetscCall(PetscViewerASCIIPrintf(viewer, "      cell size %.3g to %.3g um, smallest angle %.1f deg, centroid (%.4g, %.4g) um\n", (double)m->h_min, (double)m->h_max, (double)m->min_angle, (double)m->centroid[0], (double)m->centroid[1]));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "      cell size %.3g to %.3g um, smallest angle %.1f deg, centroid (%.4g, %.4g, %.4g) um\n", (double)m->h_min, (double)m->h_max, (double)m->min_angle, (double)m->centroid[0], (double)m->centroid[1], (double)m->centroid[2]));
  PetscFunctionReturn(0);
}

/* Every rank gets all active surface facets: nfacets × dim vertices × dim coordinates (µm) */
PetscErrorCode MeshCellToReference(DM dm, PetscInt c, PetscInt n, const PetscReal x[], PetscReal ref[])
{
  PetscReal v0[3], J[9], invJ[9], detJ;
  PetscInt  dim;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMPlexComputeCellGeometryAffineFEM(dm, c, v0, J, invJ, &detJ));
  for (PetscInt q = 0; q < n; ++q)
    for (PetscInt a = 0; a < dim; ++a) {
      PetscReal xi = -1;
      for (PetscInt b = 0; b < dim; ++b) xi += invJ[a * dim + b] * (x[q * dim + b] - v0[b]);
      ref[q * dim + a] = xi;
    }
  PetscFunctionReturn(0);
}

PetscErrorCode MeshBoundaryFacets(DM dm, PetscInt *nfacets, PetscReal **vertices)
{
  MPI_Comm     comm;
  PetscSF      sf;
  DMLabel      surface;
  Vec          coords;
  DM           cdm;
  PetscInt     fStart, fEnd, dim, nlocal = 0, per;
  PetscReal   *mine;
  PetscMPIInt  size, *recvcounts, *displs, sendcount;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(DMGetDimension(dm, &dim));
  per = dim * dim;
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMGetLabel(dm, MESH_SURFACE_LABEL, &surface));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(PetscMalloc1((fEnd - fStart) * per + 1, &mine));
  for (PetscInt f = fStart; f < fEnd; ++f) {
    PetscInt     s = -1, nx;
    PetscScalar *x = NULL;
    PetscBool    owned;
    if (surface) PetscCall(DMLabelGetValue(surface, f, &s));
    if (s != 1) continue;
    PetscCall(IsOwned(sf, f, &owned));
    if (!owned) continue;
    PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, f, &nx, &x));
    for (PetscInt i = 0; i < per; ++i) mine[nlocal * per + i] = PetscRealPart(x[i]);
    PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, f, &nx, &x));
    ++nlocal;
  }
  PetscCall(PetscMalloc2(size, &recvcounts, size, &displs));
  sendcount = (PetscMPIInt)(nlocal * per);
  PetscCallMPI(MPI_Allgather(&sendcount, 1, MPI_INT, recvcounts, 1, MPI_INT, comm));
  displs[0] = 0;
  for (PetscMPIInt r = 1; r < size; ++r) displs[r] = displs[r - 1] + recvcounts[r - 1];
  *nfacets = (displs[size - 1] + recvcounts[size - 1]) / per;
  PetscCall(PetscMalloc1(*nfacets * per + 1, vertices));
  PetscCallMPI(MPI_Allgatherv(mine, sendcount, MPIU_REAL, *vertices, recvcounts, displs, MPIU_REAL, comm));
  PetscCall(PetscFree2(recvcounts, displs));
  PetscCall(PetscFree(mine));
  PetscFunctionReturn(0);
}
