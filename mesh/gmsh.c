/* Gmsh adapter: the only file that calls the Gmsh C API for shapes and file checks.

   Gmsh reports failures through an int *ierr and its logger; GmshCall turns them into PETSc
   errors carrying Gmsh's last message. Gmsh runs on rank 0 only: results (a .msh file, or
   a verdict on one) are shared with the other ranks by the caller.

   Built-in shapes are meshed with a size field: h_s on the active surface, growing linearly
   to h over a boundary layer of width w (fronts start at the surface), then optimised. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <math.h>
#include <string.h>

static PetscBool gmsh_started = PETSC_FALSE;

static PetscErrorCode GmshFinalizeAtExit(void)
{
  int ierr = 0;

  PetscFunctionBeginUser;
  if (gmsh_started) gmshFinalize(&ierr);
  gmsh_started = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Gmsh's last logged error, for messages */
void GmshLastError(char buf[], size_t len)
{
  char *msg  = NULL;
  int   ierr = 0;

  gmshLoggerGetLastError(&msg, &ierr);
  snprintf(buf, len, "%s", (msg && msg[0]) ? msg : "unknown Gmsh error");
  if (msg) gmshFree(msg);
}

/* Start Gmsh once per process (quiet unless -mesh_gmsh_verbose) and clear its model */
PetscErrorCode GmshStart(void)
{
  PetscBool verbose = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_gmsh_verbose", &verbose, NULL));
  if (!gmsh_started) {
    GmshCall(gmshInitialize(0, NULL, 0, GIERR));
    gmsh_started = PETSC_TRUE;
    PetscCall(PetscRegisterFinalize(GmshFinalizeAtExit));
    GmshCall(gmshLoggerStart(GIERR));
  }
  GmshCall(gmshOptionSetNumber("General.Terminal", verbose ? 1 : 0, GIERR));
  GmshCall(gmshOptionSetNumber("General.Verbosity", verbose ? 5 : 1, GIERR));
  GmshCall(gmshClear(GIERR));
  PetscFunctionReturn(0);
}

typedef enum {
  SHAPE_DISC,
  SHAPE_ELLIPSE,
  SHAPE_RECTANGLE,
  SHAPE_SPHERE,
  SHAPE_ELLIPSOID,
  SHAPE_BOX,
  SHAPE_PLATELET
} ShapeType;
static const char *const ShapeTypes[] = {"disc", "ellipse", "rectangle", "sphere", "ellipsoid", "box", "platelet", "ShapeType", "SHAPE_", NULL};

typedef struct {
  ShapeType type;
  PetscInt  dim;
  PetscReal radius, semi_axes[3], sides[3], corner_radius, thickness, center[3];
  PetscReal cell_size, boundary_cell_size, boundary_layer;
  PetscReal equivalent_diameter;
  PetscBool structured; /* transfinite (structured) mesh of a rectangle or box, for verification */
  PetscInt  refine;     /* uniform refinements after meshing */
} ShapeSpec;

static PetscErrorCode RequireLength(const char name[], PetscReal v)
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(v > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be a positive length, got %g um", where, name + 1, (double)v);
  PetscFunctionReturn(0);
}

static PetscErrorCode GetLengths(const char name[], PetscInt want, PetscReal v[], PetscBool required)
{
  PetscInt  n = 3;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantityArray(name, UNIT_LENGTH, v, &n, &set));
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(set || !required, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: this shape needs %s (%" PetscInt_FMT " lengths)", where, name + 1, want);
  if (!set) PetscFunctionReturn(0);
  PetscCheck(n == want, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s needs %" PetscInt_FMT " values, got %" PetscInt_FMT, where, name + 1, want, n);
  for (PetscInt i = 0; i < n; ++i) PetscCall(RequireLength(name, v[i]));
  PetscFunctionReturn(0);
}

static PetscErrorCode ShapeFromOptions(ShapeSpec *s)
{
  PetscInt  type = 0, n = 3;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(PetscOptionsGetEList(NULL, NULL, "-mesh_shape_type", ShapeTypes, 7, &type, &set));
  s->type = (ShapeType)type;
  s->dim  = (s->type <= SHAPE_RECTANGLE) ? 2 : 3;
  switch (s->type) {
  case SHAPE_DISC:
  case SHAPE_SPHERE:
    PetscCall(InputGetQuantity("-mesh_shape_radius", UNIT_LENGTH, &s->radius, &set));
    PetscCall(InputOptionWhere("-mesh_shape_radius", where, sizeof(where)));
    PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a %s needs a radius", where, ShapeTypes[s->type]);
    PetscCall(RequireLength("-mesh_shape_radius", s->radius));
    s->semi_axes[0] = s->semi_axes[1] = s->semi_axes[2] = s->radius;
    break;
  case SHAPE_ELLIPSE:
    PetscCall(GetLengths("-mesh_shape_semi_axes", 2, s->semi_axes, PETSC_TRUE));
    break;
  case SHAPE_ELLIPSOID:
    PetscCall(GetLengths("-mesh_shape_semi_axes", 3, s->semi_axes, PETSC_TRUE));
    break;
  case SHAPE_RECTANGLE:
    PetscCall(GetLengths("-mesh_shape_sides", 2, s->sides, PETSC_TRUE));
    break;
  case SHAPE_BOX:
    PetscCall(GetLengths("-mesh_shape_sides", 3, s->sides, PETSC_TRUE));
    break;
  case SHAPE_PLATELET:
    PetscCall(GetLengths("-mesh_shape_semi_axes", 2, s->semi_axes, PETSC_TRUE));
    PetscCall(InputGetQuantity("-mesh_shape_thickness", UNIT_LENGTH, &s->thickness, &set));
    PetscCall(InputOptionWhere("-mesh_shape_thickness", where, sizeof(where)));
    PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a platelet needs a thickness", where);
    PetscCall(RequireLength("-mesh_shape_thickness", s->thickness));
    break;
  default:
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -mesh_shape_type: unknown shape");
  }
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_structured", &s->structured, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_refine", &s->refine, NULL));
  PetscCheck(!s->structured || s->type == SHAPE_RECTANGLE || s->type == SHAPE_BOX, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -mesh_structured: only rectangles and boxes have structured meshes");
  PetscCall(InputGetQuantity("-mesh_shape_corner_radius", UNIT_LENGTH, &s->corner_radius, &set));
  if (set) {
    PetscCall(InputOptionWhere("-mesh_shape_corner_radius", where, sizeof(where)));
    PetscCheck(s->type == SHAPE_RECTANGLE, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: corner_radius applies to rectangles only", where);
    PetscCheck(s->corner_radius >= 0 && 2 * s->corner_radius < PetscMin(s->sides[0], s->sides[1]), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: corner_radius must be below half the shorter side (%g um)", where, (double)(0.5 * PetscMin(s->sides[0], s->sides[1])));
  }
  PetscCall(InputGetQuantityArray("-mesh_shape_center", UNIT_LENGTH, s->center, &n, &set));
  if (set) {
    PetscCall(InputOptionWhere("-mesh_shape_center", where, sizeof(where)));
    PetscCheck(n == s->dim, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: center needs %" PetscInt_FMT " coordinates, got %" PetscInt_FMT, where, s->dim, n);
  }
  { /* equivalent diameter sets the default cell sizes */
    PetscReal measure;
    switch (s->type) {
    case SHAPE_DISC:
    case SHAPE_ELLIPSE:
      measure = PETSC_PI * s->semi_axes[0] * s->semi_axes[1];
      break;
    case SHAPE_RECTANGLE:
      measure = s->sides[0] * s->sides[1] - (4 - PETSC_PI) * s->corner_radius * s->corner_radius;
      break;
    case SHAPE_SPHERE:
    case SHAPE_ELLIPSOID:
      measure = 4.0 / 3.0 * PETSC_PI * s->semi_axes[0] * s->semi_axes[1] * s->semi_axes[2];
      break;
    case SHAPE_BOX:
      measure = s->sides[0] * s->sides[1] * s->sides[2];
      break;
    default: /* platelet: in-plane size matters */
      measure = PETSC_PI * s->semi_axes[0] * s->semi_axes[1];
    }
    s->equivalent_diameter = (s->dim == 2 || s->type == SHAPE_PLATELET) ? PetscSqrtReal(4 * measure / PETSC_PI) : PetscPowReal(6 * measure / PETSC_PI, 1.0 / 3.0);
  }
  s->cell_size = s->equivalent_diameter / (s->dim == 2 ? 30 : 12);
  PetscCall(InputGetQuantity("-mesh_cell_size", UNIT_LENGTH, &s->cell_size, &set));
  if (set) PetscCall(RequireLength("-mesh_cell_size", s->cell_size));
  s->boundary_cell_size = s->cell_size / 2.5;
  PetscCall(InputGetQuantity("-mesh_boundary_cell_size", UNIT_LENGTH, &s->boundary_cell_size, &set));
  if (set) PetscCall(RequireLength("-mesh_boundary_cell_size", s->boundary_cell_size));
  s->boundary_layer = 0.15 * s->equivalent_diameter;
  PetscCall(InputGetQuantity("-mesh_boundary_layer", UNIT_LENGTH, &s->boundary_layer, &set));
  if (set) PetscCall(RequireLength("-mesh_boundary_layer", s->boundary_layer));
  {
    PetscReal smallest = s->equivalent_diameter;
    if (s->type == SHAPE_PLATELET) smallest = PetscMax(s->thickness, smallest / 20);
    PetscCheck(s->boundary_cell_size > smallest / 2000, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "-mesh_boundary_cell_size %g um would give more than 2000 cells across a %g um particle; use a coarser size", (double)s->boundary_cell_size, (double)s->equivalent_diameter);
  }
  PetscFunctionReturn(0);
}

/* Mesh size field: h_s on the active boundary curves/surfaces, h beyond the boundary layer */
static PetscErrorCode AddBoundaryField(const ShapeSpec *s, int *active, size_t nactive)
{
  int    dist, thresh;
  double tags[256];

  PetscFunctionBeginUser;
  PetscCheck(nactive <= 256, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many boundary entities");
  for (size_t i = 0; i < nactive; ++i) tags[i] = active[i];
  GmshCall(dist = gmshModelMeshFieldAdd("Distance", -1, GIERR));
  GmshCall(gmshModelMeshFieldSetNumbers(dist, s->dim == 2 ? "CurvesList" : "SurfacesList", tags, nactive, GIERR));
  { /* Gmsh 4.8 calls the sampling NumPointsPerCurve, later versions Sampling */
    int gmsh_ierr_ = 0;
    gmshModelMeshFieldSetNumber(dist, "NumPointsPerCurve", 200, GIERR);
    if (gmsh_ierr_) GmshCall(gmshModelMeshFieldSetNumber(dist, "Sampling", 200, GIERR));
  }
  GmshCall(thresh = gmshModelMeshFieldAdd("Threshold", -1, GIERR));
  GmshCall(gmshModelMeshFieldSetNumber(thresh, "InField", dist, GIERR));
  GmshCall(gmshModelMeshFieldSetNumber(thresh, "SizeMin", s->boundary_cell_size, GIERR));
  GmshCall(gmshModelMeshFieldSetNumber(thresh, "SizeMax", s->cell_size, GIERR));
  GmshCall(gmshModelMeshFieldSetNumber(thresh, "DistMin", 0.0, GIERR));
  GmshCall(gmshModelMeshFieldSetNumber(thresh, "DistMax", s->boundary_layer, GIERR));
  GmshCall(gmshModelMeshFieldSetAsBackgroundMesh(thresh, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeExtendFromBoundary", 0, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromPoints", 0, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromCurvature", 0, GIERR));
  PetscFunctionReturn(0);
}

/* Build the CAD model of the shape, label it, mesh it and write path (msh 4.1). Rank 0 only. */
static PetscErrorCode ShapeMesh(const ShapeSpec *s, const char path[])
{
  int     *dimtags = NULL, *bnd = NULL, active[256], top = -1, bottom = -1, body;
  size_t   ndimtags = 0, nbnd = 0, nactive = 0;
  const double *c = s->center;

  PetscFunctionBeginUser;
  PetscCall(GmshStart());
  GmshCall(gmshModelAdd("particle", GIERR));
  switch (s->type) {
  case SHAPE_DISC:
  case SHAPE_ELLIPSE:
  case SHAPE_PLATELET: {
    /* OpenCASCADE wants rx >= ry: build the ellipse lying along x, then turn it */
    const PetscBool turn = s->semi_axes[1] > s->semi_axes[0] ? PETSC_TRUE : PETSC_FALSE;
    int             dt[2];
    GmshCall(body = gmshModelOccAddDisk(c[0], c[1], 0, PetscMax(s->semi_axes[0], s->semi_axes[1]), PetscMin(s->semi_axes[0], s->semi_axes[1]), -1, GIERR));
    dt[0] = 2;
    dt[1] = body;
    if (turn) GmshCall(gmshModelOccRotate(dt, 2, c[0], c[1], 0, 0, 0, 1, PETSC_PI / 2, GIERR));
    if (s->type == SHAPE_PLATELET) {
      int   *out = NULL;
      size_t nout = 0;
      GmshCall(gmshModelOccExtrude(dt, 2, 0, 0, s->thickness, &out, &nout, NULL, 0, NULL, 0, 0, GIERR));
      /* out: (2, top), (3, volume), (2, side)... */
      bottom = body;
      top    = out[1];
      body   = out[3];
      gmshFree(out);
    }
  } break;
  case SHAPE_RECTANGLE:
    GmshCall(body = gmshModelOccAddRectangle(c[0] - s->sides[0] / 2, c[1] - s->sides[1] / 2, 0, s->sides[0], s->sides[1], -1, s->corner_radius, GIERR));
    break;
  case SHAPE_SPHERE:
  case SHAPE_ELLIPSOID: {
    int dt[2];
    GmshCall(body = gmshModelOccAddSphere(c[0], c[1], c[2], 1.0, -1, -PETSC_PI / 2, PETSC_PI / 2, 2 * PETSC_PI, GIERR));
    dt[0] = 3;
    dt[1] = body;
    GmshCall(gmshModelOccDilate(dt, 2, c[0], c[1], c[2], s->semi_axes[0], s->semi_axes[1], s->semi_axes[2], GIERR));
  } break;
  case SHAPE_BOX:
    if (s->structured) { /* a structured square extruded in layers: faces stay conforming */
      int    dt[2], *out = NULL, layers = (int)PetscMax(1, PetscCeilReal(s->sides[2] / s->cell_size - 1e-9));
      size_t nout = 0;
      GmshCall(dt[1] = gmshModelOccAddRectangle(c[0] - s->sides[0] / 2, c[1] - s->sides[1] / 2, c[2] - s->sides[2] / 2, s->sides[0], s->sides[1], -1, 0, GIERR));
      dt[0] = 2;
      GmshCall(gmshModelOccExtrude(dt, 2, 0, 0, s->sides[2], &out, &nout, &layers, 1, NULL, 0, 0, GIERR));
      body = out[3];
      gmshFree(out);
    } else GmshCall(body = gmshModelOccAddBox(c[0] - s->sides[0] / 2, c[1] - s->sides[1] / 2, c[2] - s->sides[2] / 2, s->sides[0], s->sides[1], s->sides[2], -1, GIERR));
    break;
  default:
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "unknown shape");
  }
  GmshCall(gmshModelOccSynchronize(GIERR));

  { /* boundary of the body: active faces are all but the basal faces of a platelet */
    int dt[2] = {s->dim, body};
    GmshCall(gmshModelGetBoundary(dt, 2, &bnd, &nbnd, 0, 0, 0, GIERR));
    for (size_t i = 0; i < nbnd / 2; ++i) {
      const int tag = bnd[2 * i + 1];
      if (tag == top || tag == bottom) continue;
      PetscCheck(nactive < 256, PETSC_COMM_SELF, PETSC_ERR_SUP, "too many boundary entities");
      active[nactive++] = tag;
    }
    gmshFree(bnd);
  }
  {
    int g;
    GmshCall(g = gmshModelAddPhysicalGroup(s->dim - 1, active, nactive, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(s->dim - 1, g, MESH_SURFACE_LABEL, GIERR));
    if (s->type == SHAPE_PLATELET) {
      GmshCall(g = gmshModelAddPhysicalGroup(2, &top, 1, -1, GIERR));
      GmshCall(gmshModelSetPhysicalName(2, g, "top", GIERR));
      GmshCall(g = gmshModelAddPhysicalGroup(2, &bottom, 1, -1, GIERR));
      GmshCall(gmshModelSetPhysicalName(2, g, "bottom", GIERR));
    }
    GmshCall(g = gmshModelAddPhysicalGroup(s->dim, &body, 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(s->dim, g, "particle", GIERR));
  }
  if (s->structured) { /* uniform transfinite mesh: cell_size everywhere */
    PetscCheck(s->corner_radius == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "option -mesh_structured: a structured mesh needs square corners (corner_radius 0)");
    GmshCall(gmshOptionSetNumber("Mesh.MeshSizeMin", s->cell_size, GIERR));
    GmshCall(gmshOptionSetNumber("Mesh.MeshSizeMax", s->cell_size, GIERR));
    if (s->dim == 2) GmshCall(gmshModelMeshSetTransfiniteAutomatic(NULL, 0, 2.35, 0, GIERR));
    else { /* only the base square: the extrusion layers do the rest */
      int base[2] = {2, 0};
      int *faces = NULL;
      size_t nfaces = 0;
      GmshCall(gmshModelGetEntities(&faces, &nfaces, 2, GIERR));
      for (size_t i = 0; i < nfaces / 2; ++i) {
        double xmin, ymin, zmin, xmax, ymax, zmax;
        GmshCall(gmshModelGetBoundingBox(2, faces[2 * i + 1], &xmin, &ymin, &zmin, &xmax, &ymax, &zmax, GIERR));
        if (zmax - zmin < 1e-12 && PetscAbsReal(zmin - (c[2] - s->sides[2] / 2)) < 1e-12) base[1] = faces[2 * i + 1];
      }
      gmshFree(faces);
      GmshCall(gmshModelMeshSetTransfiniteAutomatic(base, 2, 2.35, 0, GIERR));
    }
  } else PetscCall(AddBoundaryField(s, active, nactive));
  GmshCall(gmshOptionSetNumber("Mesh.Algorithm", 6, GIERR)); /* Frontal-Delaunay: well-shaped triangles */
  GmshCall(gmshOptionSetNumber("Mesh.Algorithm3D", 1, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Optimize", 1, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Smoothing", 5, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, GIERR));
  GmshCall(gmshModelMeshGenerate(s->dim, GIERR));
  for (PetscInt r = 0; r < s->refine; ++r) GmshCall(gmshModelMeshRefine(GIERR)); /* new boundary nodes on the curve */
  GmshCall(gmshModelGetEntities(&dimtags, &ndimtags, -1, GIERR));
  gmshFree(dimtags);
  GmshCall(gmshWrite(path, GIERR));
  PetscFunctionReturn(0);
}

/* Keeps the first error message while meshing on rank 0, so it can be shared with all ranks */
static PetscErrorCode CaptureError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  char *buf = (char *)ctx;
  if (p == PETSC_ERROR_INITIAL && !buf[0]) snprintf(buf, 512, "%s", mess ? mess : "error");
  return n;
}

/* Mesh the shape given by the -mesh_shape_ options into path (rank 0 meshes, all ranks agree) */
PetscErrorCode MeshShapeWrite(MPI_Comm comm, const char path[])
{
  ShapeSpec      spec;
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  char           tmp[PETSC_MAX_PATH_LEN], message[1024] = "", text[512] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ShapeFromOptions(&spec));
  if (rank == 0) {
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.part.msh", path));
    PetscCall(PetscPushErrorHandler(CaptureError, text));
    ierr = ShapeMesh(&spec, tmp);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "meshing the %s failed (%s); try other -mesh_cell_size / -mesh_boundary_cell_size", ShapeTypes[spec.type], text));
      remove(tmp);
    } else if (rename(tmp, path)) {
      ierr = 1;
      PetscCall(PetscSNPrintf(message, sizeof(message), "cannot rename %s to %s", tmp, path));
    }
  }
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}

/* Rank 0: open a .msh file with Gmsh and check what spot needs from it */
static PetscErrorCode InspectFile(const char path[], PetscBool *ok, char message[], size_t len)
{
  int   *groups = NULL, dim, *types = NULL, has_surface = 0, gmsh_ierr_ = 0;
  size_t ngroups = 0, ntypes = 0;
  char   names[512] = "", text[512] = "";

  PetscFunctionBeginUser;
  *ok = PETSC_FALSE;
  { /* Gmsh is loaded here on first use (mesh/gmsh_dl.c): if it is missing, say so in one line */
    PetscErrorCode started;
    PetscCall(PetscPushErrorHandler(CaptureError, text));
    started = GmshStart();
    PetscCall(PetscPopErrorHandler());
    if (started) {
      PetscCall(PetscSNPrintf(message, len, "cannot check mesh '%s': %s", path, text));
      PetscFunctionReturn(0);
    }
  }
  gmshOpen(path, GIERR);
  if (gmsh_ierr_) {
    char msg[1024];
    GmshLastError(msg, sizeof(msg));
    PetscCall(PetscSNPrintf(message, len, "cannot read mesh '%s': %s", path, msg));
    PetscFunctionReturn(0);
  }
  GmshCall(dim = gmshModelGetDimension(GIERR));
  if (dim != 2 && dim != 3) {
    PetscCall(PetscSNPrintf(message, len, "mesh '%s' has dimension %d, expected a 2-D (triangles) or 3-D (tetrahedra) mesh", path, dim));
    PetscFunctionReturn(0);
  }
  GmshCall(gmshModelMeshGetElementTypes(&types, &ntypes, dim, -1, GIERR));
  for (size_t i = 0; i < ntypes; ++i) {
    if (types[i] != (dim == 2 ? 2 : 4)) { /* 2: 3-node triangle, 4: 4-node tetrahedron */
      PetscCall(PetscSNPrintf(message, len, "mesh '%s' holds Gmsh element type %d; spot needs first-order %s", path, types[i], dim == 2 ? "triangles (type 2)" : "tetrahedra (type 4)"));
      gmshFree(types);
      PetscFunctionReturn(0);
    }
  }
  gmshFree(types);
  if (!ntypes) {
    PetscCall(PetscSNPrintf(message, len, "mesh '%s' has no %d-D elements", path, dim));
    PetscFunctionReturn(0);
  }
  GmshCall(gmshModelGetPhysicalGroups(&groups, &ngroups, dim - 1, GIERR));
  for (size_t i = 0; i < ngroups / 2; ++i) {
    char *name = NULL;
    GmshCall(gmshModelGetPhysicalName(groups[2 * i], groups[2 * i + 1], &name, GIERR));
    if (name && !strcmp(name, MESH_SURFACE_LABEL)) has_surface = 1;
    if (name && strlen(names) + strlen(name) + 4 < sizeof(names)) {
      if (names[0]) strcat(names, ", ");
      strcat(names, name[0] ? name : "(unnamed)");
    }
    if (name) gmshFree(name);
  }
  gmshFree(groups);
  if (!has_surface) {
    PetscCall(PetscSNPrintf(message, len, "mesh '%s' has no physical group \"" MESH_SURFACE_LABEL "\" of dimension %d (its boundary groups: %s); name the particle's boundary \"" MESH_SURFACE_LABEL "\" in Gmsh", path, dim - 1, names[0] ? names : "none"));
    PetscFunctionReturn(0);
  }
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* Collective: every rank learns whether the file is a usable mesh. The message starts with
   where, when given (the XML line or option that named the file). */
PetscErrorCode MeshCheckFile(MPI_Comm comm, const char path[], const char where[])
{
  PetscMPIInt rank;
  PetscBool   ok = PETSC_TRUE;
  char        message[1024] = "", what[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "%s%smesh file", where ? where : "", where ? ": " : ""));
  PetscCall(InputCheckReadable(comm, path, what));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    char text[1024] = "";
    PetscCall(InspectFile(path, &ok, text, sizeof(text)));
    GmshCall(gmshClear(GIERR)); /* the run reads the file through DMPlex: free Gmsh's copy (0.27 kB per vertex) */
    PetscCall(PetscSNPrintf(message, sizeof(message), "%s%s%s", where ? where : "", where ? ": " : "", text));
  }
  PetscCall(InputCollectiveError(comm, !ok, message));
  PetscFunctionReturn(0);
}

/* Rank 0 refines with Gmsh; every rank learns the outcome */
PetscErrorCode MeshRefineFile(MPI_Comm comm, const char in[], PetscInt n, const char out[])
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  char           tmp[PETSC_MAX_PATH_LEN], message[1024] = "", text[512] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.part.msh", out));
    PetscCall(PetscPushErrorHandler(CaptureError, text));
    ierr = GmshStart();
    if (!ierr) {
      int gmsh_ierr_ = 0;
      gmshOpen(in, GIERR);
      for (PetscInt r = 0; r < n && !gmsh_ierr_; ++r) gmshModelMeshRefine(GIERR);
      if (!gmsh_ierr_) gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, GIERR);
      if (!gmsh_ierr_) gmshWrite(tmp, GIERR);
      if (gmsh_ierr_) {
        GmshLastError(text, sizeof(text));
        ierr = PETSC_ERR_LIB;
      }
    }
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "refining the mesh %s failed (%s)", in, text));
      remove(tmp);
    } else if (rename(tmp, out)) {
      ierr = 1;
      PetscCall(PetscSNPrintf(message, sizeof(message), "cannot rename %s to %s", tmp, out));
    }
  }
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}
