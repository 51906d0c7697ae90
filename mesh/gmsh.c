/* Gmsh adapter: the only file that calls the Gmsh C API for shapes and file checks.

   Gmsh reports failures through an int *ierr and its logger; GmshCall turns them into PETSc
   errors carrying Gmsh's last message. Gmsh runs on rank 0 only: results (a .msh file, or
   a verdict on one) are shared with the other ranks by the caller.

   Built-in shapes are meshed with a size field: h_s on the active surface, growing linearly
   to h over a boundary layer of width w (fronts start at the surface), then optimised.

   Gmsh is never handed what it cannot mesh: every length is finite and between a lattice
   spacing and the largest particle (mesh.h), and the cell count is estimated from the geometry
   and the size field before Gmsh runs (MeshEstimateCells), refused above -mesh_max_cells.
   Gmsh runs on one thread: an exception thrown inside its OpenMP loops cannot be caught and
   ends the program (mesh/gmsh_dl.c turns it into an error where it can).

   Writes go through files/files.h (MeshGmshWrite): Gmsh writes by name and picks the format
   from the extension, so the exclusive temporary ends in ".msh"; what it wrote is read back,
   since Gmsh does not report every failed write. */
#include <stdlib.h>
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

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

/* Start Gmsh once per process (quiet unless -mesh_gmsh_verbose, one thread) and clear its model */
PetscErrorCode GmshStart(void)
{
  PetscBool verbose = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_gmsh_verbose", &verbose, NULL));
  if (!gmsh_started) {
    /* Gmsh's FLTK keeps preferences in $HOME/.fltk/ and makes that folder when Gmsh starts: spot
       writes nothing outside its outputs, so Gmsh starts with a HOME where nothing can be made */
    const char *home = getenv("HOME");
    char       *saved = NULL;
    if (home) PetscCall(PetscStrallocpy(home, &saved));
    setenv("HOME", "/proc/self/spot-has-no-home-for-gmsh", 1);
    GmshCall(gmshInitialize(0, NULL, 0, GIERR)); /* (a failure ends the command: HOME no longer matters) */
    if (saved) setenv("HOME", saved, 1);
    else unsetenv("HOME");
    PetscCall(PetscFree(saved));
    gmsh_started = PETSC_TRUE;
    PetscCall(PetscRegisterFinalize(GmshFinalizeAtExit));
    GmshCall(gmshLoggerStart(GIERR));
  }
  GmshCall(gmshOptionSetNumber("General.Terminal", verbose ? 1 : 0, GIERR));
  GmshCall(gmshOptionSetNumber("General.Verbosity", verbose ? 5 : 1, GIERR));
  GmshCall(gmshOptionSetNumber("General.NumThreads", 1, GIERR)); /* see mesh/gmsh_dl.c */
  GmshCall(gmshClear(GIERR));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- limits ---------------- */
PetscErrorCode MeshGetLength(const char name[], const char what[], PetscReal *value, PetscBool *set)
{
  char      where[PETSC_MAX_PATH_LEN], text[256];
  PetscBool flg;
  PetscReal v;

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, UNIT_LENGTH, &v, &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), NULL));
  PetscCheck(v > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s must be a positive length, got '%s'", where, what, text); /* NaN too */
  PetscCheck(!PetscIsInfReal(v), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s must be a finite length, got '%s'", where, what, text);
  PetscCheck(v <= MESH_LARGEST_PARTICLE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s of %.6g um is larger than any real particle (at most 1000 um = 1 mm)", where, what, (double)v);
  PetscCheck(v >= MESH_LATTICE_SPACING, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s of %.6g um is smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing", where, what, (double)v);
  *value = v;
  PetscFunctionReturn(0);
}

/* A whole number >= 1 from an option (1e7 and 10000000 alike), or its default */
static PetscErrorCode GetCount(const char name[], const char what[], PetscReal fallback, PetscReal *value)
{
  char      text[256], where[PETSC_MAX_PATH_LEN], *end;
  PetscBool set;
  PetscReal v;

  PetscFunctionBeginUser;
  *value = fallback;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), &set));
  if (!set) PetscFunctionReturn(0);
  v = strtod(text, &end);
  while (*end == ' ') ++end;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(end != text && !*end && v >= 1 && v <= 1e15 && v == PetscFloorReal(v), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s must be a whole number between 1 and 1e15, got '%s'", where, what, text);
  *value = v;
  PetscFunctionReturn(0);
}

PetscErrorCode MeshGetMaxCells(PetscReal *max_cells)
{
  PetscFunctionBeginUser;
  PetscCall(GetCount("-mesh_max_cells", "the largest cell count", MESH_MAX_CELLS_DEFAULT, max_cells));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshGetMaxPixels(PetscReal *max_pixels)
{
  PetscFunctionBeginUser;
  PetscCall(GetCount("-mesh_image_max_pixels", "the largest pixel count", MESH_IMAGE_MAX_PIXELS_DEFAULT, max_pixels));
  PetscFunctionReturn(0);
}

/* Cells Gmsh makes per unit area (volume) at size x: C2 / x^2, C3 / x^3. Equilateral triangles
   of side x would give 4/sqrt(3) = 2.31 and regular tetrahedra 6 sqrt(2) = 8.5. Measured on
   Gmsh 4.8's Frontal-Delaunay triangles and Delaunay tetrahedra with spot's fields: 2.25 to 2.4
   for triangles (discs, ellipses, rounded rectangles, image outlines), 4.6 for uniform and 4.3
   to 6 for graded tetrahedra (spheres, boxes, platelets, extruded images); the constants are
   the upper ends, so estimates run 0.9 to 1.6 times the cells made (tests/cases.d/mesh_guard.sh
   checks a few). A boundary meshed at h_s needs at least B2 S / h_s triangles (a strip one cell
   deep) or B3 S / h_s^2 tetrahedra, which rules when the graded layer is thinner than a
   boundary cell. */
#define CELLS_C2 2.4
#define CELLS_C3 6.0
#define CELLS_B2 2.0
#define CELLS_B3 6.0

/* Cross-section of the part of a platelet of thickness T within distance d of its bottom
   outline: a quarter disc of radius d, cut at height T */
static PetscReal EdgeSection(PetscReal d, PetscReal T)
{
  if (d <= T) return PETSC_PI * d * d / 4;
  return 0.5 * T * PetscSqrtReal(d * d - T * T) + 0.5 * d * d * PetscAsinReal(T / d);
}

PetscErrorCode MeshEstimateCells(PetscInt dim, PetscReal V, PetscReal S, PetscReal T, PetscReal h, PetscReal h_s, PetscReal w, PetscReal *cells)
{
  const PetscInt n     = 64; /* Simpson intervals over the graded layer */
  PetscReal      depth = S > 0 && w > 0 ? w : 0, layer = 0, graded, body, floor;

  PetscFunctionBeginUser;
  /* the graded layer holds at most the body: depth such that its measure is at most V */
  if (T > 0) {
    PetscReal lo = 0, hi = depth;
    for (int it = 0; it < 60 && S * EdgeSection(hi, T) > V; ++it) { /* bisection */
      const PetscReal mid = 0.5 * (lo + hi);
      if (S * EdgeSection(mid, T) > V) hi = mid;
      else lo = mid;
      depth = lo;
    }
    graded = S * EdgeSection(depth, T);
  } else {
    depth  = PetscMin(depth, V / S);
    graded = S * depth;
  }
  for (PetscInt i = 0; i <= n && depth > 0; ++i) { /* ∫_0^depth (measure at distance d) / h(d)^dim dd, h(d) = h_s + (h - h_s) d / w */
    const PetscReal d = depth * i / n, size = h_s + (h - h_s) * d / w, weight = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    const PetscReal rate = T > 0 ? S * d * PetscAsinReal(PetscMin(1, d > 0 ? T / d : 1)) : S; /* d(measure)/dd */
    layer += weight * rate / PetscPowRealInt(size, dim);
  }
  layer *= depth / (3.0 * n);
  body = (dim == 2 ? CELLS_C2 : CELLS_C3) * (layer + PetscMax(0, V - graded) / PetscPowRealInt(h, dim));
  if (T > 0) { /* at least one layer of prisms (3 tetrahedra each) on the bottom face's triangles */
    PetscReal face;
    PetscCall(MeshEstimateCells(2, V / T, S, 0, h, h_s, w, &face));
    floor = 3 * face;
  } else floor = dim == 2 ? CELLS_B2 * S / h_s : CELLS_B3 * S / (h_s * h_s);
  *cells = PetscMax(body, floor);
  PetscFunctionReturn(0);
}

PetscErrorCode MeshCheckCellCount(PetscReal estimate, const char where[], const char what[])
{
  PetscReal max_cells;

  PetscFunctionBeginUser;
  PetscCall(MeshGetMaxCells(&max_cells));
  PetscCall(PetscInfo(NULL, "%s: about %g cells (limit %g)\n", what, (double)estimate, (double)max_cells));
  PetscCheck(estimate <= max_cells, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%s%s would have about %.2g cells, more than -mesh_max_cells allows (%.0f); use coarser cells, or raise -mesh_max_cells", where && where[0] ? where : "", where && where[0] ? ": " : "", what, (double)estimate, (double)max_cells);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- checked writes -------- */
/* One line of fp without its end, or NULL at the end of the file */
static char *NextLine(FILE *fp, char **line, size_t *cap)
{
  ssize_t n = getline(line, cap, fp);
  if (n < 0) return NULL;
  while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r')) (*line)[--n] = 0;
  return *line;
}

/* Is path a complete msh 4.1 ASCII file? Its $Nodes and $Elements sections hold as many blocks
   and lines as their headers say, and $EndElements ends the file. A write cut short by a full
   disk (or a block lost in the middle) breaks one of these. */
static PetscBool MshComplete(const char path[])
{
  int       fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  FILE     *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
  char     *line = NULL, *l;
  size_t    cap = 0;
  PetscBool ok  = PETSC_FALSE;

  if (!fp) {
    if (fd >= 0) close(fd);
    return PETSC_FALSE;
  }
  if (!(l = NextLine(fp, &line, &cap)) || strcmp(l, "$MeshFormat") || !(l = NextLine(fp, &line, &cap)) || strncmp(l, "4.1 0 ", 6)) goto done;
  for (int section = 0; section < 2; ++section) { /* $Nodes, then $Elements */
    const char *start = section ? "$Elements" : "$Nodes", *end = section ? "$EndElements" : "$EndNodes";
    size_t      blocks, total, sum = 0;
    while ((l = NextLine(fp, &line, &cap)) && strcmp(l, start)) {}
    if (!l || !(l = NextLine(fp, &line, &cap)) || sscanf(l, "%zu %zu", &blocks, &total) != 2) goto done;
    for (size_t b = 0; b < blocks; ++b) {
      int    dim, tag, third;
      size_t count;
      if (!(l = NextLine(fp, &line, &cap)) || sscanf(l, "%d %d %d %zu", &dim, &tag, &third, &count) != 4) goto done;
      sum += count;
      for (size_t i = 0; i < (section ? 1 : 2) * count; ++i) /* nodes: tags, then coordinates */
        if (!NextLine(fp, &line, &cap)) goto done;
    }
    if (sum != total || !(l = NextLine(fp, &line, &cap)) || strcmp(l, end)) goto done;
  }
  while ((l = NextLine(fp, &line, &cap)) && !l[0]) {}
  ok = l ? PETSC_FALSE : PETSC_TRUE;
done:
  free(line);
  fclose(fp);
  return ok;
}

PetscErrorCode MeshGmshWrite(FileOut f)
{
  const char *path, *temporary;
  int         error = 0, gmsh_ierr_ = 0;
  size_t      n;

  PetscFunctionBeginUser;
  PetscCall(FileOutGetPath(f, &path, &temporary));
  n = strlen(temporary);
  PetscCheck(n > 4 && !strcmp(temporary + n - 4, ".msh"), PETSC_COMM_SELF, PETSC_ERR_PLIB, "Gmsh picks the format by the name: create the FileOut with FileOutCreateSuffixed(..., \".msh\", ...)");
  GmshCall(gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Binary", 0, GIERR));
  errno = 0;
  gmshWrite(temporary, GIERR); /* into the file FileOutCreate made exclusively */
  if (gmsh_ierr_) error = errno ? errno : -1;
  if (!error && !MshComplete(temporary)) error = -1;
  if (error) {
    char text[512];
    GmshLastError(text, sizeof(text));
    PetscCall(PetscInfo(NULL, "writing %s failed (errno %d; Gmsh: %s)\n", path, error, gmsh_ierr_ ? text : "no error reported"));
    PetscCall(FileOutSetFailed(f, error > 0 ? error : 0));
  }
  PetscCall(FileOutCheck(f));
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
  PetscReal z_stretch;  /* 3-D: 1/√ε, ε the diffusivity's out-of-plane factor: meshed stretched in z by it */
} ShapeSpec;

/* The stretch in z under which the diffusivity diag(1, 1, ε) of a run is isotropic, 1/√ε (1
   without -phys_out_of_plane_factor): 3-D meshes are made stretched by it and put back
   (MeshUnstretchNodes), so that they are Delaunay in the diffusivity's metric, as the 3-D
   Kirchhoff flux needs (solver/assemble.c) */
PetscErrorCode MeshZStretch(PetscReal *stretch)
{
  PetscReal eps = 1;

  PetscFunctionBeginUser;
  *stretch = 1;
  PetscCall(InputGetQuantity("-phys_out_of_plane_factor", UNIT_NONE, &eps, NULL));
  if (eps > 0 && PetscIsNormalReal(eps)) *stretch = 1 / PetscSqrtReal(eps); /* physics checked it */
  PetscFunctionReturn(0);
}

/* One length of a shape (µm): positive, finite, at most the largest particle; at least the
   smallest particle (a size of the particle) or a lattice spacing (a thickness, a corner) */
static PetscErrorCode RequireLength(const char name[], PetscReal v, PetscBool size)
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(v > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be a positive length, got %.6g um", where, name + 1, (double)v);
  PetscCheck(!PetscIsInfReal(v), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be a finite length, got %.6g um", where, name + 1, (double)v);
  PetscCheck(v <= MESH_LARGEST_PARTICLE, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s of %.6g um is larger than any real particle (at most 1000 um = 1 mm)", where, name + 1, (double)v);
  PetscCheck(!size || v >= MESH_SMALLEST_PARTICLE, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s of %.6g um is smaller than any real particle (at least 0.01 um = 10 nm)", where, name + 1, (double)v);
  PetscCheck(v >= MESH_LATTICE_SPACING, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s of %.6g um is smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing", where, name + 1, (double)v);
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
  for (PetscInt i = 0; i < n; ++i) PetscCall(RequireLength(name, v[i], PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* Perimeter of an ellipse (Ramanujan's second formula, 1e-5 relative) and area of an ellipsoid
   (Thomsen's formula, 1 %): the measures of the estimate */
static PetscReal EllipsePerimeter(PetscReal a, PetscReal b)
{
  const PetscReal q = PetscSqr((a - b) / (a + b));
  return PETSC_PI * (a + b) * (1 + 3 * q / (10 + PetscSqrtReal(4 - 3 * q)));
}

static PetscReal EllipsoidArea(PetscReal a, PetscReal b, PetscReal c)
{
  const PetscReal p = 1.6075;
  return 4 * PETSC_PI * PetscPowReal((PetscPowReal(a * b, p) + PetscPowReal(a * c, p) + PetscPowReal(b * c, p)) / 3, 1 / p);
}

static PetscErrorCode ShapeFromOptions(ShapeSpec *s)
{
  PetscInt  type = 0, n = 3;
  PetscBool set, cell_set, boundary_set, layer_set, refine_set;
  char      where[PETSC_MAX_PATH_LEN];
  PetscReal measure, boundary, thickness = 0;

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
    PetscCall(RequireLength("-mesh_shape_radius", s->radius, PETSC_TRUE));
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
    PetscCall(RequireLength("-mesh_shape_thickness", s->thickness, PETSC_FALSE));
    break;
  default:
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -mesh_shape_type: unknown shape");
  }
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_structured", &s->structured, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_refine", &s->refine, &refine_set));
  PetscCall(InputOptionWhere("-mesh_refine", where, sizeof(where)));
  PetscCheck(s->refine >= 0 && s->refine <= 6, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: refine must be between 0 and 6, got %" PetscInt_FMT, where, s->refine);
  PetscCheck(!s->structured || s->type == SHAPE_RECTANGLE || s->type == SHAPE_BOX, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -mesh_structured: only rectangles and boxes have structured meshes");
  PetscCall(InputGetQuantity("-mesh_shape_corner_radius", UNIT_LENGTH, &s->corner_radius, &set));
  if (set) {
    PetscCall(InputOptionWhere("-mesh_shape_corner_radius", where, sizeof(where)));
    PetscCheck(s->type == SHAPE_RECTANGLE, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: corner_radius applies to rectangles only", where);
    PetscCheck(s->corner_radius >= 0 && 2 * s->corner_radius < PetscMin(s->sides[0], s->sides[1]), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: corner_radius must be below half the shorter side (%g um)", where, (double)(0.5 * PetscMin(s->sides[0], s->sides[1])));
    if (s->corner_radius > 0) PetscCall(RequireLength("-mesh_shape_corner_radius", s->corner_radius, PETSC_FALSE));
  }
  PetscCall(InputGetQuantityArray("-mesh_shape_center", UNIT_LENGTH, s->center, &n, &set));
  if (set) {
    PetscCall(InputOptionWhere("-mesh_shape_center", where, sizeof(where)));
    PetscCheck(n == s->dim, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: center needs %" PetscInt_FMT " coordinates, got %" PetscInt_FMT, where, s->dim, n);
    for (PetscInt i = 0; i < n; ++i) PetscCheck(PetscAbsReal(s->center[i]) <= MESH_FARTHEST_CENTER, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a particle centred %.6g um from the origin is a slip (coordinates must be finite and within %.6g um = 1 m)", where, (double)s->center[i], (double)MESH_FARTHEST_CENTER);
  }
  { /* measures: |Ω| and the active boundary |∂Ω| for the estimate; equivalent diameter for the default sizes */
    const PetscReal *a = s->semi_axes, *l = s->sides, r = s->corner_radius;
    switch (s->type) {
    case SHAPE_DISC:
    case SHAPE_ELLIPSE:
      measure  = PETSC_PI * a[0] * a[1];
      boundary = EllipsePerimeter(a[0], a[1]);
      break;
    case SHAPE_RECTANGLE:
      measure  = l[0] * l[1] - (4 - PETSC_PI) * r * r;
      boundary = 2 * (l[0] + l[1]) - (8 - 2 * PETSC_PI) * r;
      break;
    case SHAPE_SPHERE:
    case SHAPE_ELLIPSOID:
      measure  = 4.0 / 3.0 * PETSC_PI * a[0] * a[1] * a[2];
      boundary = EllipsoidArea(a[0], a[1], a[2]);
      break;
    case SHAPE_BOX:
      measure  = l[0] * l[1] * l[2];
      boundary = 2 * (l[0] * l[1] + l[1] * l[2] + l[0] * l[2]);
      break;
    default: /* platelet: in-plane size matters; the side wall is active */
      measure   = PETSC_PI * a[0] * a[1];
      boundary  = EllipsePerimeter(a[0], a[1]);
      thickness = s->thickness;
    }
    s->equivalent_diameter = (s->dim == 2 || s->type == SHAPE_PLATELET) ? PetscSqrtReal(4 * measure / PETSC_PI) : PetscPowReal(6 * measure / PETSC_PI, 1.0 / 3.0);
  }
  s->z_stretch = 1;
  if (s->dim == 3) PetscCall(MeshZStretch(&s->z_stretch));
  s->cell_size = s->equivalent_diameter / (s->dim == 2 ? 30 : 12);
  PetscCall(MeshGetLength("-mesh_cell_size", "the cell size", &s->cell_size, &cell_set));
  s->boundary_cell_size = s->cell_size / 2.5;
  PetscCall(MeshGetLength("-mesh_boundary_cell_size", "the boundary cell size", &s->boundary_cell_size, &boundary_set));
  s->boundary_layer = 0.15 * s->equivalent_diameter;
  PetscCall(MeshGetLength("-mesh_boundary_layer", "the boundary layer", &s->boundary_layer, &layer_set));
  /* given sizes were checked; the defaults follow the particle */
  PetscCheck(s->cell_size >= MESH_LATTICE_SPACING && s->boundary_cell_size >= MESH_LATTICE_SPACING, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "the cells of the %.3g um %s (%.3g um, %.3g um at the surface) would be smaller than a lattice spacing (%.6g um = 0.3 nm), where a continuum model means nothing; give a larger -mesh_cell_size and -mesh_boundary_cell_size", (double)s->equivalent_diameter, ShapeTypes[s->type], (double)s->cell_size, (double)s->boundary_cell_size, (double)MESH_LATTICE_SPACING);
  { /* the cell count, before Gmsh runs */
    const PetscReal factor = PetscPowReal(2.0, (PetscReal)(s->dim * s->refine)); /* each refinement splits a cell into 2^dim */
    const char     *which  = cell_set ? "-mesh_cell_size" : boundary_set ? "-mesh_boundary_cell_size" : layer_set ? "-mesh_boundary_layer" : refine_set && s->refine ? "-mesh_refine" : "-mesh_shape_type";
    PetscReal       cells;
    char            what[256];
    if (s->structured) PetscCall(MeshEstimateCells(s->dim, thickness > 0 ? measure * thickness : measure, 0, 0, s->cell_size, s->cell_size, 0, &cells));
    else if (thickness > 0) { /* platelet: graded from its side wall, at least one layer of prisms (3 tetrahedra each) under the faces */
      PetscReal faces;
      PetscCall(MeshEstimateCells(3, measure * thickness, boundary * thickness, 0, s->cell_size, s->boundary_cell_size, s->boundary_layer, &cells));
      PetscCall(MeshEstimateCells(2, measure, boundary, 0, s->cell_size, s->boundary_cell_size, s->boundary_layer, &faces));
      cells = PetscMax(cells, 3 * faces);
    } else PetscCall(MeshEstimateCells(s->dim, measure, boundary, 0, s->cell_size, s->boundary_cell_size, s->boundary_layer, &cells));
    cells *= factor * s->z_stretch; /* cells of the given size in the stretched body */
    PetscCall(InputOptionWhere(which, where, sizeof(where)));
    PetscCall(PetscSNPrintf(what, sizeof(what), "the mesh of the %s (%s %.3g um^%d; cells %.3g um, %.3g um at the surface%s%s)", ShapeTypes[s->type], s->dim == 2 ? "area" : "volume", (double)(thickness > 0 ? measure * thickness : measure), (int)s->dim, (double)s->cell_size, (double)(s->structured ? s->cell_size : s->boundary_cell_size), s->refine ? ", refined " : "", s->refine ? (s->refine == 1 ? "once" : "repeatedly") : ""));
    if (s->z_stretch != 1) { /* the out-of-plane factor multiplies the cells: say so */
      size_t len;
      PetscCall(PetscStrlen(what, &len));
      PetscCall(PetscSNPrintf(what + len, sizeof(what) - len, ", %.3g times as many to be %.3g times thinner in z for -phys_out_of_plane_factor %.3g", (double)s->z_stretch, (double)(1 / s->z_stretch), (double)(1 / (s->z_stretch * s->z_stretch))));
    }
    PetscCall(MeshCheckCellCount(cells, where, what));
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

/* The nodes of a mesh made stretched in z by `stretch` about height zc, put back: z = zc + (z' - zc)/stretch.
   The cells keep their connectivity, so a mesh Delaunay in the stretched space stays Delaunay in
   the metric diag(1, 1, 1/stretch²) of the diffusivity. */
PetscErrorCode MeshUnstretchNodes(double zc, double stretch)
{
  size_t *tags = NULL, ntags = 0, ncoord = 0, nparam = 0;
  double *coord = NULL, *param = NULL;

  PetscFunctionBeginUser;
  GmshCall(gmshModelMeshGetNodes(&tags, &ntags, &coord, &ncoord, &param, &nparam, -1, -1, 0, 0, GIERR));
  for (size_t i = 0; i < ntags; ++i) {
    double x[3] = {coord[3 * i], coord[3 * i + 1], zc + (coord[3 * i + 2] - zc) / stretch};
    GmshCall(gmshModelMeshSetNode(tags[i], x, 3, NULL, 0, GIERR));
  }
  gmshFree(tags);
  gmshFree(coord);
  gmshFree(param);
  PetscFunctionReturn(0);
}

/* Build the CAD model of the shape, label it, mesh it and write it into f (msh 4.1). Rank 0 only. */
static PetscErrorCode ShapeMesh(const ShapeSpec *s, FileOut f)
{
  int     *dimtags = NULL, *bnd = NULL, active[256], top = -1, bottom = -1, body;
  size_t   ndimtags = 0, nbnd = 0, nactive = 0;
  const double *c  = s->center;
  const double  zs = s->z_stretch; /* the body is built stretched in z by zs about c[2] (a platelet: its base) */

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
      GmshCall(gmshModelOccExtrude(dt, 2, 0, 0, s->thickness * zs, &out, &nout, NULL, 0, NULL, 0, 0, GIERR));
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
    GmshCall(gmshModelOccDilate(dt, 2, c[0], c[1], c[2], s->semi_axes[0], s->semi_axes[1], s->semi_axes[2] * zs, GIERR));
  } break;
  case SHAPE_BOX:
    if (s->structured) { /* a structured square extruded in layers: faces stay conforming */
      int    dt[2], *out = NULL, layers = (int)PetscMax(1, PetscCeilReal(s->sides[2] * zs / s->cell_size - 1e-9));
      size_t nout = 0;
      GmshCall(dt[1] = gmshModelOccAddRectangle(c[0] - s->sides[0] / 2, c[1] - s->sides[1] / 2, c[2] - s->sides[2] * zs / 2, s->sides[0], s->sides[1], -1, 0, GIERR));
      dt[0] = 2;
      GmshCall(gmshModelOccExtrude(dt, 2, 0, 0, s->sides[2] * zs, &out, &nout, &layers, 1, NULL, 0, 0, GIERR));
      body = out[3];
      gmshFree(out);
    } else GmshCall(body = gmshModelOccAddBox(c[0] - s->sides[0] / 2, c[1] - s->sides[1] / 2, c[2] - s->sides[2] * zs / 2, s->sides[0], s->sides[1], s->sides[2] * zs, -1, GIERR));
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
        if (zmax - zmin < 1e-12 && PetscAbsReal(zmin - (c[2] - s->sides[2] * zs / 2)) < 1e-12) base[1] = faces[2 * i + 1];
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
  if (zs != 1) PetscCall(MeshUnstretchNodes(s->type == SHAPE_PLATELET ? 0 : c[2], zs));
  GmshCall(gmshModelGetEntities(&dimtags, &ndimtags, -1, GIERR));
  gmshFree(dimtags);
  PetscCall(MeshGmshWrite(f));
  PetscFunctionReturn(0);
}

/* Keeps the first error (code and message) while meshing on rank 0, so it can be shared with all ranks */
PetscErrorCode MeshCaptureError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  MeshCaptured *c = (MeshCaptured *)ctx;
  if (p == PETSC_ERROR_INITIAL && !c->message[0]) {
    c->code = n;
    snprintf(c->message, sizeof(c->message), "%s", mess ? mess : "error");
  }
  return n;
}

/* Mesh the shape given by the -mesh_shape_ options into path (rank 0 meshes, all ranks agree).
   The options are checked and the cell count estimated on every rank first. */
PetscErrorCode MeshShapeWrite(MPI_Comm comm, const char path[])
{
  ShapeSpec      spec;
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  char           message[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(ShapeFromOptions(&spec));
  if (rank == 0) {
    MeshCaptured captured = {0, ""};
    FileOut  f        = NULL;
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = FileOutCreateSuffixed(path, ".msh", &f);
    if (!ierr) ierr = ShapeMesh(&spec, f);
    if (!ierr) ierr = FileOutPublish(&f);
    PetscCall(PetscPopErrorHandler());
    PetscCall(FileOutDiscard(&f));
    if (ierr) {
      if (captured.code == PETSC_ERR_FILE_WRITE || captured.code == PETSC_ERR_USER_INPUT) PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "meshing the %s failed (%s); try other -mesh_cell_size / -mesh_boundary_cell_size", ShapeTypes[spec.type], captured.message));
    }
  }
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}

/* What determines the mesh MeshShapeWrite makes from the -mesh_shape_ options, as text: every
   value of the checked spec (defaults resolved; reals to 17 digits) and the Gmsh spot is built
   for. The key of the mesh cache (mesh/cache.c). Checks the options as MeshShapeWrite does. */
PetscErrorCode MeshShapeDescribe(char text[], size_t len)
{
  ShapeSpec s;

  PetscFunctionBeginUser;
  PetscCall(ShapeFromOptions(&s));
  PetscCall(PetscSNPrintf(text, len,
                          "gmsh %s\nshape %s\ndim %" PetscInt_FMT "\nradius %.17g\nsemi_axes %.17g %.17g %.17g\nsides %.17g %.17g %.17g\ncorner_radius %.17g\nthickness %.17g\ncenter %.17g %.17g %.17g\n"
                          "cell_size %.17g\nboundary_cell_size %.17g\nboundary_layer %.17g\nstructured %d\nrefine %" PetscInt_FMT "\nz_stretch %.17g\n",
                          GMSH_API_VERSION, ShapeTypes[s.type], s.dim, (double)s.radius, (double)s.semi_axes[0], (double)s.semi_axes[1], (double)s.semi_axes[2], (double)s.sides[0], (double)s.sides[1], (double)s.sides[2], (double)s.corner_radius, (double)s.thickness, (double)s.center[0], (double)s.center[1], (double)s.center[2],
                          (double)s.cell_size, (double)s.boundary_cell_size, (double)s.boundary_layer, (int)s.structured, s.refine, (double)s.z_stretch));
  PetscFunctionReturn(0);
}

/* Rank 0: open a .msh file with Gmsh and check what spot needs from it */
static PetscErrorCode InspectFile(const char path[], PetscBool *ok, char message[], size_t len)
{
  int   *groups = NULL, dim, *types = NULL, has_surface = 0, gmsh_ierr_ = 0;
  size_t ngroups = 0, ntypes = 0;
  char   names[512] = "";

  PetscFunctionBeginUser;
  *ok = PETSC_FALSE;
  { /* Gmsh is loaded here on first use (mesh/gmsh_dl.c): if it is missing, say so in one line */
    PetscErrorCode started;
    MeshCaptured       captured = {0, ""};
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    started = GmshStart();
    PetscCall(PetscPopErrorHandler());
    if (started) {
      PetscCall(PetscSNPrintf(message, len, "cannot check mesh '%s': %s", path, captured.message));
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

/* Cells of the top dimension of Gmsh's current mesh */
static PetscErrorCode CountCells(int *dim, PetscReal *cells)
{
  int   *types = NULL;
  size_t ntypes = 0;

  PetscFunctionBeginUser;
  *cells = 0;
  GmshCall(*dim = gmshModelGetDimension(GIERR));
  GmshCall(gmshModelMeshGetElementTypes(&types, &ntypes, *dim, -1, GIERR));
  for (size_t i = 0; i < ntypes; ++i) {
    size_t *etags = NULL, ne = 0, *ntags = NULL, nn = 0;
    GmshCall(gmshModelMeshGetElementsByType(types[i], &etags, &ne, &ntags, &nn, -1, 0, 1, GIERR));
    *cells += (PetscReal)ne;
    gmshFree(etags);
    gmshFree(ntags);
  }
  gmshFree(types);
  PetscFunctionReturn(0);
}

/* Rank 0: open in, check what n refinements would make against -mesh_max_cells, refine, write out */
static PetscErrorCode RefineFile(const char in[], PetscInt n, const char out[], FileOut *f)
{
  int       dim;
  PetscReal cells;
  char      where[PETSC_MAX_PATH_LEN], what[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(GmshStart());
  {
    int gmsh_ierr_ = 0;
    gmshOpen(in, GIERR);
    if (gmsh_ierr_) {
      char text[512];
      GmshLastError(text, sizeof(text));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "%s", text);
    }
  }
  PetscCall(CountCells(&dim, &cells));
  PetscCall(InputOptionWhere("-mesh_refine", where, sizeof(where)));
  PetscCall(PetscSNPrintf(what, sizeof(what), "mesh '%s' (%.0f cells) refined %" PetscInt_FMT " time%s", in, (double)cells, n, n == 1 ? "" : "s"));
  PetscCall(MeshCheckCellCount(cells * PetscPowReal(2.0, (PetscReal)(dim * n)), where, what));
  for (PetscInt r = 0; r < n; ++r) GmshCall(gmshModelMeshRefine(GIERR));
  PetscCall(FileOutCreateSuffixed(out, ".msh", f));
  PetscCall(MeshGmshWrite(*f));
  PetscCall(FileOutPublish(f));
  PetscFunctionReturn(0);
}

/* Rank 0 refines with Gmsh; every rank learns the outcome */
PetscErrorCode MeshRefineFile(MPI_Comm comm, const char in[], PetscInt n, const char out[])
{
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  char           message[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    MeshCaptured captured = {0, ""};
    FileOut  f        = NULL;
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = RefineFile(in, n, out, &f);
    PetscCall(PetscPopErrorHandler());
    PetscCall(FileOutDiscard(&f));
    if (ierr) {
      if (captured.code == PETSC_ERR_FILE_WRITE || captured.code == PETSC_ERR_USER_INPUT) PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "refining the mesh %s failed (%s)", in, captured.message));
    }
  }
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}
