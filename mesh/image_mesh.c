/* A particle's image to a Gmsh mesh: read, segment, outline, mesh, preview, report.

   Frame: the image frame of mesh/mesh.h. Origin at the top-left corner of the top-left pixel,
   x (µm) to the right along the columns, y (µm) down along the rows, pixel (r, c) covering
   [c p, (c+1) p] × [r p, (r+1) p]. The mesh has exactly these coordinates; an extruded
   platelet spans z in [0, thickness] (the image is its bottom face, "bottom" at z = 0).

   Geometry: the smoothed outline (mesh/outline.c) becomes a closed loop of Catmull-Rom splines
   (built-in Gmsh kernel, about 100 points each) through points about h_s / 2 apart (between
   0.5 and 3 pixels).
   Sizes, as for the built-in shapes (mesh/gmsh.c): h = equivalent diameter / 50 inside,
   h_s = h / 2.5 on the boundary, growing linearly over a layer w = 0.15 × equivalent
   diameter (a Distance field from the spline: Threshold on it). For platelets z is meant to be
   ignored (FieldZ = 0), but Gmsh 4.8 ignores FieldZ: the distance is measured in 3-D from the
   bottom outline, so the side walls are refined only near z = 0 and the top face not at all
   (measured: 672 top triangles of mean edge 0.076 um where 0.01 um was asked). The cell
   estimate follows what Gmsh does (mesh/gmsh.c, MeshEstimateCells with T > 0).
   Frontal-Delaunay triangles (Delaunay tetrahedra), optimised; msh 4.1 with physical groups
   "surface" (boundary curve, or side walls of a platelet), "top", "bottom" (platelet faces)
   and "particle".

   Checked before any work: every option (finite, in range), the image's header (format, page,
   pixel count against -mesh_image_max_pixels, its extent at the pixel size) and both outputs
   (not a directory, a temporary can be made beside them). Checked before Gmsh runs: the
   particle stands out of the image (MeshImageEdgeContrast), its size is a particle's, and the
   cell count estimated from its area, perimeter and the size field is below -mesh_max_cells.
   Every particle (-mesh_image_particles all): each meshed on its own, then their boundary meshes
   tested pairwise, and those that cross or touch meshed again, finer near each other
   (ParticleMeshes), so that spot run's check of the whole boundary (mesh/msh_check.c) passes.
   The mesh is written through files/files.h and read back (MeshGmshWrite), then the preview;
   the mesh is published last, and if that fails the preview goes too: both or neither.

   Rank 0 does everything; errors there are captured and shared (InputCollectiveError), the
   report is broadcast. The reported area, perimeter and centroid are those of the mesh itself
   (its triangles and boundary edges), so they equal what spot run sees in the DMPlex. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <petsctime.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PIXELS_OPTION 50
#define SMALLEST_PARTICLE_PIXELS 16 /* mesh/segment.c's MIN_PIXELS: 4 pixels across */
#define LARGEST_PIXEL (MESH_LARGEST_PARTICLE / 4) /* µm: a 4-pixel particle would exceed the largest */
#define SMALLEST_PIXEL 1e-5 /* µm = 0.01 nm, finer than any microscope resolves */

/* ---------------------------------------------------------------- options --------------- */
/* A number in [lo, hi] (whole if integer); what names it in messages: "%s: <what> must be ..." */
static PetscErrorCode GetNumber(const char name[], PetscReal lo, PetscReal hi, PetscBool integer, const char what[], const char unit[], PetscReal *value, PetscBool *set)
{
  char      text[256], where[PETSC_MAX_PATH_LEN], *end;
  PetscBool flg;
  PetscReal v;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  v = strtod(text, &end);
  while (*end == ' ')
    ++end;
  PetscCheck(end != text && !*end && v >= lo && v <= hi && (!integer || v == PetscFloorReal(v)), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be %s between %d and %d%s, got '%s'", where, what, integer ? "a whole number" : "a number", (int)lo, (int)hi, unit, text);
  *value = v;
  PetscFunctionReturn(0);
}

/* The pixel size (µm per pixel): finite, between SMALLEST_PIXEL and LARGEST_PIXEL */
static PetscErrorCode GetPixelSize(PetscReal *value, PetscBool *set)
{
  char where[PETSC_MAX_PATH_LEN], text[256];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity("-mesh_image_pixel_size", UNIT_LENGTH, value, set));
  if (!*set) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere("-mesh_image_pixel_size", where, sizeof(where)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_image_pixel_size", text, sizeof(text), NULL));
  PetscCheck(*value > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the pixel size must be a positive length, got '%s'", where, text); /* NaN too */
  PetscCheck(!PetscIsInfReal(*value), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the pixel size must be a finite length, got '%s'", where, text);
  PetscCheck(*value <= LARGEST_PIXEL, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a pixel of %.6g um is too large: the smallest particle spot meshes (%d pixels) would be %.6g um across, larger than any real particle (at most %.6g um = 1 mm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)", where, (double)*value, SMALLEST_PARTICLE_PIXELS, (double)(4 * *value), (double)MESH_LARGEST_PARTICLE);
  PetscCheck(*value >= SMALLEST_PIXEL, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a pixel of %.6g um is finer than any microscope resolves (at least %.6g um = 0.01 nm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)", where, (double)*value, (double)SMALLEST_PIXEL);
  PetscFunctionReturn(0);
}

/* An area (µm² by default; um2, um^2, nm2, nm^2, px for pixels of size pixel µm): finite, >= 0 */
static PetscErrorCode GetArea(const char name[], PetscReal pixel, PetscReal *value, PetscBool *set)
{
  static const struct {
    const char *unit;
    PetscReal   factor; /* µm² per unit; 0: a pixel */
  } units[] = {
      {"", 1},      {"um2", 1},      {"um^2", 1},      {"\xc2\xb5m2", 1}, {"\xc2\xb5m^2", 1}, {"um\xc2\xb2", 1}, {"\xc2\xb5m\xc2\xb2", 1},
      {"nm2", 1e-6}, {"nm^2", 1e-6}, {"nm\xc2\xb2", 1e-6}, {"px", 0}, {"pixel", 0}, {"pixels", 0},
  };
  char       text[256], where[PETSC_MAX_PATH_LEN], *end;
  PetscReal  v, factor = -1;
  PetscBool  flg;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  v = strtod(text, &end);
  while (*end == ' ') ++end;
  for (size_t u = 0; u < sizeof(units) / sizeof(units[0]) && end != text; ++u)
    if (!strcmp(end, units[u].unit)) factor = units[u].factor > 0 ? units[u].factor : pixel * pixel;
  PetscCheck(end != text && factor >= 0 && v >= 0 && v * factor <= MESH_LARGEST_PARTICLE * MESH_LARGEST_PARTICLE, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the minimum area must be an area from 0 to 1e6 um^2, in um2 (the default unit), nm2 or px (pixels), e.g. 0.05um2 or 16px, got '%s'", where, text); /* NaN and inf fail too */
  *value = v * factor;
  PetscFunctionReturn(0);
}

/* The options of spot mesh --all, and the combinations that make no sense */
static PetscErrorCode ParticlesFromOptions(ImageSpec *s)
{
  char      text[256], where[PETSC_MAX_PATH_LEN];
  PetscBool set, set_labels = PETSC_FALSE, set_border = PETSC_FALSE, set_touching = PETSC_FALSE, set_area = PETSC_FALSE, set_depth = PETSC_FALSE, set_max = PETSC_FALSE;
  PetscReal v;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_image_particles", text, sizeof(text), &set));
  if (set) {
    PetscBool one, all;
    PetscCall(PetscStrcasecmp(text, "one", &one));
    PetscCall(PetscStrcasecmp(text, "all", &all));
    PetscCall(InputOptionWhere("-mesh_image_particles", where, sizeof(where)));
    PetscCheck(one || all, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: particles must be \"one\" (the largest, or the one at the seed) or \"all\", got '%s'", where, text);
    s->all = all;
  }
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_image_labels", &s->labels, &set_labels));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_image_keep_border", &s->keep_border, &set_border));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_image_keep_touching", &s->keep_touching, &set_touching));
  s->min_area = MESH_IMAGE_MIN_AREA_PIXELS * s->pixel_size * s->pixel_size;
  PetscCall(GetArea("-mesh_image_min_area", s->pixel_size, &s->min_area, &set_area));
  s->split_depth = MESH_IMAGE_SPLIT_DEPTH_DEFAULT;
  PetscCall(GetNumber("-mesh_image_split_depth", 0, MAX_PIXELS_OPTION, PETSC_FALSE, "the split depth", " pixels", &s->split_depth, &set_depth));
  v = MESH_IMAGE_MAX_PARTICLES_DEFAULT;
  PetscCall(GetNumber("-mesh_image_max_particles", 1, 1e7, PETSC_TRUE, "the largest particle count", "", &v, &set_max));
  s->max_particles = (PetscInt)v;
  if (!s->all) { /* these only mean something for every particle */
    const char *names[] = {"-mesh_image_labels", "-mesh_image_keep_border", "-mesh_image_keep_touching", "-mesh_image_min_area", "-mesh_image_split_depth", "-mesh_image_max_particles"};
    const PetscBool given[] = {set_labels, set_border, set_touching, set_area, set_depth, set_max};
    for (int k = 0; k < 6; ++k) {
      PetscCall(InputOptionWhere(names[k], where, sizeof(where)));
      PetscCheck(!given[k], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: only for every particle of the image: add --all (-mesh_image_particles all)", where);
    }
    PetscFunctionReturn(0);
  }
  if (s->has_seed) {
    PetscCall(InputOptionWhere("-mesh_image_seed", where, sizeof(where)));
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a seed picks one particle, and --all (-mesh_image_particles all) meshes every particle; give one or the other", where);
  }
  if (s->labels) { /* a label image is not thresholded */
    const char *names[] = {"-mesh_image_threshold", "-mesh_image_invert", "-mesh_image_sigma", "-mesh_image_open_radius", "-mesh_image_close_radius", "-mesh_image_keep_touching", "-mesh_image_split_depth"};
    for (int k = 0; k < 7; ++k) {
      PetscCall(PetscOptionsHasName(NULL, NULL, names[k], &set));
      PetscCall(InputOptionWhere(names[k], where, sizeof(where)));
      PetscCheck(!set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: does not apply to a label image (--labels, -mesh_image_labels): its values are particles, not grey levels, and touching labels stay apart", where);
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ImageSpecFromOptions(ImageSpec *s)
{
  PetscBool set;
  PetscReal v;
  char      where[PETSC_MAX_PATH_LEN], text[256];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_image_file", s->file, sizeof(s->file), &set));
  PetscCheck(set && s->file[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "no image given: set -mesh_image_file (XML: <mesh><image file=...>)");

  PetscCall(GetPixelSize(&s->pixel_size, &set));
  PetscCall(InputOptionWhere("-mesh_image_pixel_size", where, sizeof(where)));
  PetscCheck(set, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the pixel size of image '%s' is required (micrometres per pixel; spot mesh --pixel-size, XML <pixel_size>)", where, s->file);

  PetscCall(PetscOptionsGetBool(NULL, NULL, "-mesh_image_invert", &s->invert, NULL));
  s->sigma = 1.0;
  PetscCall(GetNumber("-mesh_image_sigma", 0, MAX_PIXELS_OPTION, PETSC_FALSE, "sigma", " pixels", &s->sigma, NULL));
  s->smoothing = 1.0;
  PetscCall(GetNumber("-mesh_image_smoothing", 0, MAX_PIXELS_OPTION, PETSC_FALSE, "the outline smoothing", " pixels", &s->smoothing, NULL));
  v = 0;
  PetscCall(GetNumber("-mesh_image_open_radius", 0, MAX_PIXELS_OPTION, PETSC_TRUE, "the opening radius", " pixels", &v, NULL));
  s->open_radius = (PetscInt)v;
  v              = 0;
  PetscCall(GetNumber("-mesh_image_close_radius", 0, MAX_PIXELS_OPTION, PETSC_TRUE, "the closing radius", " pixels", &v, NULL));
  s->close_radius = (PetscInt)v;
  v               = 0;
  PetscCall(GetNumber("-mesh_image_page", 0, 1e6, PETSC_TRUE, "the page", " (pages count from 0)", &v, NULL));
  s->page = (PetscInt)v;

  s->threshold = -1;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_image_threshold", text, sizeof(text), &set));
  if (set) {
    PetscBool otsu;
    PetscCall(PetscStrcasecmp(text, "otsu", &otsu));
    if (!otsu) {
      char *end;
      s->threshold = strtod(text, &end);
      PetscCall(InputOptionWhere("-mesh_image_threshold", where, sizeof(where)));
      PetscCheck(end != text && !*end && s->threshold >= 0 && s->threshold <= 1, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the threshold must be \"otsu\" or a grey value between 0 (black) and 1 (white), got '%s'", where, text);
    }
  }

  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_image_seed", text, sizeof(text), &set));
  if (set) {
    char *p = text, *end;
    long  rc[2];
    int   ok = 1;
    for (int k = 0; k < 2 && ok; ++k) {
      while (*p == ' ' || (k == 1 && (*p == ',' || *p == 'x')))
        ++p;
      rc[k] = strtol(p, &end, 10);
      ok    = end != p && rc[k] >= 0 && rc[k] <= 1000000000;
      p     = end;
    }
    while (*p == ' ')
      ++p;
    PetscCall(InputOptionWhere("-mesh_image_seed", where, sizeof(where)));
    PetscCheck(ok && !*p, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the seed must be a pixel ROW,COL (two whole numbers from 0), got '%s'", where, text);
    s->has_seed = PETSC_TRUE;
    s->seed[0]  = (PetscInt)rc[0];
    s->seed[1]  = (PetscInt)rc[1];
  }
  PetscCall(ParticlesFromOptions(s));
  PetscCall(MeshGetLength("-mesh_image_psf_sigma", "the PSF sigma", &s->psf_sigma, &set));
  if (set) { /* the outline goes at the deblurred edge (mesh/deblur.c): its own level, one particle */
    PetscBool given;
    PetscCall(InputOptionWhere("-mesh_image_psf_sigma", where, sizeof(where)));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_image_threshold", &given));
    PetscCheck(!given, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: with a PSF the outline lies at the level halfway between the particle and the background, fitted through the blur; give the PSF sigma or a --threshold (-mesh_image_threshold), not both", where);
    PetscCheck(!s->labels, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a label image has no blur to undo; give the PSF sigma for a grey frame, or --labels, not both", where);
  }
  PetscCall(MeshGetLength("-mesh_image_extrude", "the platelet thickness", &s->extrude, &set));
  PetscCall(MeshGetLength("-mesh_cell_size", "the cell size", &s->cell_size, &set));
  PetscCall(MeshGetLength("-mesh_boundary_cell_size", "the boundary cell size", &s->boundary_cell_size, &set));
  PetscCall(MeshGetLength("-mesh_boundary_layer", "the boundary layer", &s->boundary_layer, &set));
  { /* the limits themselves, so that a bad one is named before the work */
    PetscReal limit;
    PetscCall(MeshGetMaxCells(&limit));
    PetscCall(MeshGetMaxPixels(&limit));
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- Gmsh ------------------ */
static PetscReal Dist2(const double *a, const double *b)
{
  return PetscSqrtReal((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* Smallest angle (degrees) of triangle a, b, c in 3-D */
static PetscReal MinAngle(const double *a, const double *b, const double *c)
{
  const PetscReal la = Dist2(b, c), lb = Dist2(a, c), lc = Dist2(a, b);
  PetscReal       A = PetscAcosReal(PetscMax(-1, PetscMin(1, (lb * lb + lc * lc - la * la) / (2 * lb * lc))));
  PetscReal       B = PetscAcosReal(PetscMax(-1, PetscMin(1, (la * la + lc * lc - lb * lb) / (2 * la * lc))));
  return PetscMin(A, PetscMin(B, PETSC_PI - A - B)) * 180 / PETSC_PI;
}

typedef struct {
  PetscInt   ntri;
  PetscReal *tri; /* 6 coordinates (µm) per triangle of the 2-D mesh or the bottom face, for the preview */
} ImageMeshEdges;

/* The 1-D mesh of the outline curves, in order, must be a simple polygon */
static PetscErrorCode CheckBoundaryMesh(const int curves[], PetscInt npieces, const MeshImageReport *rep, const char file[])
{
  ImagePolygon poly = {0, NULL, 1};
  PetscInt     cap  = 0;
  PetscBool    crosses;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < npieces; ++k) {
    size_t   *tags = NULL, ntags = 0, ncoord = 0, nparam = 0;
    double   *coord = NULL, *param = NULL;
    PetscInt *perm;
    GmshCall(gmshModelMeshGetNodes(&tags, &ntags, &coord, &ncoord, &param, &nparam, 1, curves[k], 1, 1, GIERR));
    PetscCheck(nparam == ntags && ntags >= 2, PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh returned %zu nodes and %zu parameters on curve %d", ntags, nparam, curves[k]);
    PetscCall(PetscMalloc1(ntags, &perm));
    for (size_t i = 0; i < ntags; ++i)
      perm[i] = (PetscInt)i;
    PetscCall(PetscSortRealWithPermutation((PetscInt)ntags, param, perm));
    if (poly.n + (PetscInt)ntags > cap) {
      PetscReal *more;
      cap = 2 * (poly.n + (PetscInt)ntags);
      PetscCall(PetscMalloc1(2 * cap, &more));
      if (poly.n) PetscCall(PetscArraycpy(more, poly.xy, 2 * poly.n));
      PetscCall(PetscFree(poly.xy));
      poly.xy = more;
    }
    for (size_t i = 0; i + 1 < ntags; ++i) { /* the last node starts the next curve */
      poly.xy[2 * poly.n]     = coord[3 * perm[i]];
      poly.xy[2 * poly.n + 1] = coord[3 * perm[i] + 1];
      ++poly.n;
    }
    PetscCall(PetscFree(perm));
    gmshFree(tags);
    gmshFree(coord);
    gmshFree(param);
  }
  PetscCall(ImagePolygonSelfIntersects(&poly, &crosses));
  PetscCall(ImagePolygonDestroy(&poly));
  PetscCheck(!crosses, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the outline of the particle in image '%s' has a notch or neck narrower than the boundary cell size %g um, and its boundary mesh crosses itself; use a smaller -mesh_boundary_cell_size, or smooth the outline (-mesh_image_close_radius, -mesh_image_sigma)", file, (double)rep->boundary_cell_size);
  PetscFunctionReturn(0);
}

/* Where a particle's outline passes near another particle's (every particle, -mesh_image_particles
   all): points of the other outlines (µm), and the cell size within dist_min of them; the size
   grows from there at half the distance, up to the cell size */
typedef struct {
  PetscInt   n;
  PetscReal *xy;
  PetscReal  size, dist_min;
} ImageNeck;

/* Mesh the outline (µm, counter-clockwise), measure the mesh into rep and write it into f (when
   given); neck (or NULL): finer cells near other particles */
static PetscErrorCode OutlineMesh(const ImageSpec *s, const ImagePolygon *outline, const ImageNeck *neck, FileOut f, MeshImageReport *rep, ImageMeshEdges *edges)
{
  const PetscInt dim = s->extrude > 0 ? 3 : 2;
  /* the closed outline is cut into open splines of about 100 points: the built-in kernel
     cannot extrude a periodic curve, and the distance field samples each curve evenly */
  const PetscInt npieces = PetscMax(4, (outline->n + 99) / 100);
  int           *ptags, *curves, *sides, loop, surf, vol = -1, top = -1, g;
  size_t        *ntags = NULL, nn = 0;
  double        *coord = NULL, *param = NULL;
  size_t         ncoord = 0, nparam = 0;
  size_t         maxtag = 0;
  PetscInt      *index;
  PetscBool     *used; /* nodes of the cells: Gmsh also keeps one at each spline control point */
  /* the neck's points, free points of the model for a Distance field; Gmsh 4.8 measures it in
     3-D (FieldZ ignored), so for a platelet they are repeated up its side, at most dist_min apart */
  PetscReal      zs        = 1; /* a platelet is meshed stretched in z by zs, the diffusivity's metric (MeshZStretch) */
  PetscInt       nlevels, nneck;
  double        *neck_tags = NULL;

  PetscFunctionBeginUser;
  if (dim == 3) PetscCall(MeshZStretch(&zs));
  nlevels = neck && dim == 3 ? PetscMin(64, 1 + (PetscInt)PetscCeilReal(s->extrude * zs / neck->dist_min)) : 1;
  nneck   = neck ? neck->n * nlevels : 0;
  PetscCall(GmshStart());
  GmshCall(gmshModelAdd("particle", GIERR));
  PetscCall(PetscMalloc3(outline->n + 1, &ptags, npieces, &curves, npieces, &sides));
  if (nneck) PetscCall(PetscMalloc1(nneck, &neck_tags));
  for (PetscInt l = 0; l < nlevels && neck; ++l)
    for (PetscInt i = 0; i < neck->n; ++i) {
      const double z = nlevels > 1 ? s->extrude * zs * l / (nlevels - 1) : 0;
      int          tag;
      GmshCall(tag = gmshModelGeoAddPoint(neck->xy[2 * i], neck->xy[2 * i + 1], z, rep->cell_size, -1, GIERR));
      neck_tags[l * neck->n + i] = tag;
    }
  for (PetscInt i = 0; i < outline->n; ++i)
    GmshCall(ptags[i] = gmshModelGeoAddPoint(outline->xy[2 * i], outline->xy[2 * i + 1], 0, rep->boundary_cell_size, -1, GIERR));
  ptags[outline->n] = ptags[0]; /* closed */
  for (PetscInt k = 0; k < npieces; ++k) {
    const PetscInt first = k * outline->n / npieces, last = (k + 1) * outline->n / npieces;
    GmshCall(curves[k] = gmshModelGeoAddSpline(&ptags[first], (size_t)(last - first + 1), -1, GIERR));
  }
  GmshCall(loop = gmshModelGeoAddCurveLoop(curves, (size_t)npieces, -1, 0, GIERR));
  GmshCall(surf = gmshModelGeoAddPlaneSurface(&loop, 1, -1, GIERR));
  if (dim == 3) {
    int    dt[2] = {2, surf}, *out = NULL;
    size_t nout = 0;
    GmshCall(gmshModelGeoExtrude(dt, 2, 0, 0, s->extrude * zs, &out, &nout, NULL, 0, NULL, 0, 0, GIERR));
    /* out: (2, top), (3, volume), then (2, side wall) for each boundary curve */
    PetscCheck(nout == (size_t)(4 + 2 * npieces) && out[2] == 3, PETSC_COMM_SELF, PETSC_ERR_LIB, "unexpected result of the Gmsh extrusion");
    top = out[1];
    vol = out[3];
    for (PetscInt k = 0; k < npieces; ++k)
      sides[k] = out[5 + 2 * k];
    gmshFree(out);
  }
  GmshCall(gmshModelGeoSynchronize(GIERR));

  if (dim == 2) {
    GmshCall(g = gmshModelAddPhysicalGroup(1, curves, (size_t)npieces, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(1, g, MESH_SURFACE_LABEL, GIERR));
    GmshCall(g = gmshModelAddPhysicalGroup(2, &surf, 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(2, g, "particle", GIERR));
  } else {
    GmshCall(g = gmshModelAddPhysicalGroup(2, sides, (size_t)npieces, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(2, g, MESH_SURFACE_LABEL, GIERR));
    GmshCall(g = gmshModelAddPhysicalGroup(2, &top, 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(2, g, "top", GIERR));
    GmshCall(g = gmshModelAddPhysicalGroup(2, &surf, 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(2, g, "bottom", GIERR));
    GmshCall(g = gmshModelAddPhysicalGroup(3, &vol, 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(3, g, "particle", GIERR));
  }

  { /* size field: h_s at the outline, h beyond the boundary layer; in-plane distance for platelets */
    int     dist, thresh;
    double *list;
    PetscCall(PetscMalloc1(npieces, &list));
    for (PetscInt k = 0; k < npieces; ++k)
      list[k] = curves[k];
    GmshCall(dist = gmshModelMeshFieldAdd("Distance", -1, GIERR));
    GmshCall(gmshModelMeshFieldSetNumbers(dist, "CurvesList", list, (size_t)npieces, GIERR));
    PetscCall(PetscFree(list));
    {
      const double samples    = PetscMax(50, 4.0 * rep->outline_perimeter / npieces / rep->boundary_cell_size);
      int          gmsh_ierr_ = 0; /* Gmsh 4.8 calls the sampling NumPointsPerCurve, later versions Sampling */
      gmshModelMeshFieldSetNumber(dist, "NumPointsPerCurve", samples, GIERR);
      if (gmsh_ierr_) GmshCall(gmshModelMeshFieldSetNumber(dist, "Sampling", samples, GIERR));
    }
    if (dim == 3) { /* meant: distance in the plane, the bottom outline seen from z = 0 (Gmsh 4.8 ignores it, see the top) */
      int zero;
      GmshCall(zero = gmshModelMeshFieldAdd("MathEval", -1, GIERR));
      GmshCall(gmshModelMeshFieldSetString(zero, "F", "0", GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(dist, "FieldZ", zero, GIERR));
    }
    GmshCall(thresh = gmshModelMeshFieldAdd("Threshold", -1, GIERR));
    GmshCall(gmshModelMeshFieldSetNumber(thresh, "InField", dist, GIERR));
    GmshCall(gmshModelMeshFieldSetNumber(thresh, "SizeMin", rep->boundary_cell_size, GIERR));
    GmshCall(gmshModelMeshFieldSetNumber(thresh, "SizeMax", rep->cell_size, GIERR));
    GmshCall(gmshModelMeshFieldSetNumber(thresh, "DistMin", 0.0, GIERR));
    GmshCall(gmshModelMeshFieldSetNumber(thresh, "DistMax", rep->boundary_layer, GIERR));
    if (nneck) { /* the smaller of the two sizes: neck->size within dist_min of the neck, growing at 1/2 */
      int    dneck, tneck, fmin;
      double both[2];
      GmshCall(dneck = gmshModelMeshFieldAdd("Distance", -1, GIERR));
      GmshCall(gmshModelMeshFieldSetNumbers(dneck, "PointsList", neck_tags, (size_t)nneck, GIERR));
      GmshCall(tneck = gmshModelMeshFieldAdd("Threshold", -1, GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(tneck, "InField", dneck, GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(tneck, "SizeMin", neck->size, GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(tneck, "SizeMax", rep->cell_size, GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(tneck, "DistMin", neck->dist_min, GIERR));
      GmshCall(gmshModelMeshFieldSetNumber(tneck, "DistMax", neck->dist_min + 2 * PetscMax(0, rep->cell_size - neck->size), GIERR));
      GmshCall(fmin = gmshModelMeshFieldAdd("Min", -1, GIERR));
      both[0] = thresh;
      both[1] = tneck;
      GmshCall(gmshModelMeshFieldSetNumbers(fmin, "FieldsList", both, 2, GIERR));
      thresh = fmin;
    }
    GmshCall(gmshModelMeshFieldSetAsBackgroundMesh(thresh, GIERR));
    GmshCall(gmshOptionSetNumber("Mesh.MeshSizeExtendFromBoundary", 0, GIERR));
    GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromPoints", 0, GIERR));
    GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromCurvature", 0, GIERR));
  }
  GmshCall(gmshOptionSetNumber("Mesh.Algorithm", 6, GIERR)); /* Frontal-Delaunay: well-shaped triangles */
  GmshCall(gmshOptionSetNumber("Mesh.Algorithm3D", 1, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Optimize", 1, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Smoothing", 5, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MshFileVersion", 4.1, GIERR));
  /* Gmsh meshes faces inside an OpenMP loop, where its errors abort the program: check the
     boundary it made before going on, so that a bad outline is an error, not a crash */
  GmshCall(gmshModelMeshGenerate(1, GIERR));
  PetscCall(CheckBoundaryMesh(curves, npieces, rep, s->file));
  GmshCall(gmshModelMeshGenerate((int)dim, GIERR));
  if (zs != 1) PetscCall(MeshUnstretchNodes(0, zs));

  /* measure the mesh: nodes by tag, then triangles (bottom face), boundary edges, tetrahedra */
  {
    size_t *tags = NULL, ntag = 0;
    GmshCall(gmshModelMeshGetNodes(&tags, &ntag, &coord, &ncoord, &param, &nparam, -1, -1, 0, 0, GIERR));
    for (size_t i = 0; i < ntag; ++i)
      maxtag = PetscMax(maxtag, tags[i]);
    PetscCall(PetscMalloc1(maxtag + 1, &index));
    PetscCall(PetscCalloc1(ntag, &used));
    for (size_t i = 0; i <= maxtag; ++i)
      index[i] = -1;
    for (size_t i = 0; i < ntag; ++i)
      index[tags[i]] = (PetscInt)i;
    gmshFree(tags);
    if (param) gmshFree(param);
  }
  {
    size_t   *etags = NULL, ne = 0;
    PetscReal area = 0, cx = 0, cy = 0, minangle = 180, length = 0;
    GmshCall(gmshModelMeshGetElementsByType(2, &etags, &ne, &ntags, &nn, surf, 0, 1, GIERR));
    edges->ntri = (PetscInt)(nn / 3);
    PetscCall(PetscMalloc1(6 * edges->ntri + 1, &edges->tri));
    for (size_t e = 0; e < nn / 3; ++e) {
      const double   *a = &coord[3 * index[ntags[3 * e]]], *b = &coord[3 * index[ntags[3 * e + 1]]], *c = &coord[3 * index[ntags[3 * e + 2]]];
      const PetscReal sa = 0.5 * ((b[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (b[1] - a[1])), A = PetscAbsReal(sa);
      area += A;
      if (dim == 2)
        for (int k = 0; k < 3; ++k) used[index[ntags[3 * e + k]]] = PETSC_TRUE;
      cx += A * (a[0] + b[0] + c[0]) / 3;
      cy += A * (a[1] + b[1] + c[1]) / 3;
      if (dim == 2) minangle = PetscMin(minangle, MinAngle(a, b, c));
      for (int k = 0; k < 2; ++k) {
        edges->tri[6 * e + k]     = a[k];
        edges->tri[6 * e + 2 + k] = b[k];
        edges->tri[6 * e + 4 + k] = c[k];
      }
    }
    gmshFree(etags);
    gmshFree(ntags);
    for (PetscInt k = 0; k < npieces; ++k) {
      GmshCall(gmshModelMeshGetElementsByType(1, &etags, &ne, &ntags, &nn, curves[k], 0, 1, GIERR));
      for (size_t e = 0; e < nn / 2; ++e)
        length += Dist2(&coord[3 * index[ntags[2 * e]]], &coord[3 * index[ntags[2 * e + 1]]]);
      gmshFree(etags);
      gmshFree(ntags);
    }
    rep->area                = area;
    rep->perimeter           = length;
    rep->centroid[0]         = cx / area;
    rep->centroid[1]         = cy / area;
    rep->equivalent_diameter = PetscSqrtReal(4 * area / PETSC_PI);
    rep->num_cells           = edges->ntri;
    if (dim == 3) {
      PetscReal volume = 0;
      GmshCall(gmshModelMeshGetElementsByType(4, &etags, &ne, &ntags, &nn, vol, 0, 1, GIERR));
      for (size_t e = 0; e < nn / 4; ++e) {
        const double *x[4];
        PetscReal     d[3][3];
        for (int k = 0; k < 4; ++k) {
          x[k]                          = &coord[3 * index[ntags[4 * e + k]]];
          used[index[ntags[4 * e + k]]] = PETSC_TRUE;
        }
        for (int k = 0; k < 3; ++k)
          for (int j = 0; j < 3; ++j)
            d[k][j] = x[k + 1][j] - x[0][j];
        volume += PetscAbsReal(d[0][0] * (d[1][1] * d[2][2] - d[1][2] * d[2][1]) - d[0][1] * (d[1][0] * d[2][2] - d[1][2] * d[2][0]) + d[0][2] * (d[1][0] * d[2][1] - d[1][1] * d[2][0])) / 6;
        for (int k = 0; k < 4; ++k)
          minangle = PetscMin(minangle, MinAngle(x[(k + 1) % 4], x[(k + 2) % 4], x[(k + 3) % 4]));
      }
      rep->num_cells = (PetscInt)(nn / 4);
      rep->volume    = volume;
      rep->thickness = s->extrude;
      gmshFree(etags);
      gmshFree(ntags);
    }
    rep->min_angle = minangle;
  }
  rep->num_vertices = 0;
  for (size_t i = 0; i < ncoord / 3; ++i) rep->num_vertices += used[i] ? 1 : 0;
  PetscCall(PetscFree(used));
  PetscCall(PetscFree(index));
  PetscCall(PetscFree3(ptags, curves, sides));
  PetscCall(PetscFree(neck_tags));
  gmshFree(coord);
  if (f) PetscCall(MeshGmshWrite(f));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- every particle: meshes */
/* Each particle is meshed in a Gmsh model of its own (OutlineMesh: its own size field, from its
   own equivalent diameter), its mesh taken out (PieceMeshExtract), and all of them gathered
   into one model of discrete entities (PiecesWrite): per particle k a surface (a volume for a
   platelet) and its boundary curves (side walls, top, bottom), with its own nodes, so distinct
   particles never share a node. Groups: particle_<k> and surface_<k>, and the unions
   "particle", "surface" ("top", "bottom") that a one-particle mesh has. */
typedef struct {
  char    name[32];
  int     dim, type, per; /* Gmsh element type, nodes per element */
  size_t  n, cap;         /* elements */
  size_t *conn;           /* n * per indices into the particle's nodes */
} PieceGroup;

typedef struct PieceMesh {
  size_t     nnodes;
  double    *xyz;
  PetscInt   ngroups;
  PieceGroup group[4];
} PieceMesh;

static PetscErrorCode PieceMeshDestroy(PieceMesh *m)
{
  PetscFunctionBeginUser;
  for (PetscInt g = 0; g < m->ngroups; ++g) PetscCall(PetscFree(m->group[g].conn));
  PetscCall(PetscFree(m->xyz));
  PetscCall(PetscMemzero(m, sizeof(*m)));
  PetscFunctionReturn(0);
}

/* The current Gmsh model's elements of each physical group, and the nodes they use */
static PetscErrorCode PieceMeshExtract(PieceMesh *m)
{
  size_t   *tags = NULL, ntag = 0, ncoord = 0, nparam = 0, maxtag = 0, ngroups = 0;
  double   *coord = NULL, *param = NULL;
  int      *groups = NULL;
  PetscInt *index, *renumber;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(m, sizeof(*m)));
  GmshCall(gmshModelMeshGetNodes(&tags, &ntag, &coord, &ncoord, &param, &nparam, -1, -1, 0, 0, GIERR));
  for (size_t i = 0; i < ntag; ++i) maxtag = PetscMax(maxtag, tags[i]);
  PetscCall(PetscMalloc2(maxtag + 1, &index, ntag + 1, &renumber));
  for (size_t i = 0; i <= maxtag; ++i) index[i] = -1;
  for (size_t i = 0; i < ntag; ++i) {
    index[tags[i]] = (PetscInt)i;
    renumber[i]    = -1;
  }
  GmshCall(gmshModelGetPhysicalGroups(&groups, &ngroups, -1, GIERR));
  PetscCheck(ngroups / 2 <= 4, PETSC_COMM_SELF, PETSC_ERR_PLIB, "a particle's model has %zu physical groups", ngroups / 2);
  for (size_t g = 0; g < ngroups / 2; ++g) {
    PieceGroup *G = &m->group[m->ngroups++];
    char       *name = NULL;
    int        *ents = NULL;
    size_t      nents = 0;
    G->dim  = groups[2 * g];
    G->type = G->dim == 1 ? 1 : (G->dim == 2 ? 2 : 4); /* 2-node line, 3-node triangle, 4-node tetrahedron */
    G->per  = G->dim + 1;
    GmshCall(gmshModelGetPhysicalName(G->dim, groups[2 * g + 1], &name, GIERR));
    PetscCall(PetscStrncpy(G->name, name ? name : "", sizeof(G->name)));
    if (name) gmshFree(name);
    GmshCall(gmshModelGetEntitiesForPhysicalGroup(G->dim, groups[2 * g + 1], &ents, &nents, GIERR));
    for (size_t e = 0; e < nents; ++e) {
      size_t *etags = NULL, ne = 0, *ntags = NULL, nn = 0;
      GmshCall(gmshModelMeshGetElementsByType(G->type, &etags, &ne, &ntags, &nn, ents[e], 0, 1, GIERR));
      if (G->n * G->per + nn > G->cap) {
        size_t *more;
        G->cap = 2 * (G->n * G->per + nn);
        PetscCall(PetscMalloc1(G->cap, &more));
        if (G->n) PetscCall(PetscArraycpy(more, G->conn, G->n * G->per));
        PetscCall(PetscFree(G->conn));
        G->conn = more;
      }
      for (size_t i = 0; i < nn; ++i) {
        const PetscInt at = ntags[i] <= maxtag ? index[ntags[i]] : -1;
        PetscCheck(at >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh returned an element with an unknown node %zu", ntags[i]);
        if (renumber[at] < 0) renumber[at] = (PetscInt)m->nnodes++;
        G->conn[G->n * G->per + i] = (size_t)renumber[at];
      }
      G->n += nn / G->per;
      gmshFree(etags);
      gmshFree(ntags);
    }
    if (ents) gmshFree(ents);
  }
  gmshFree(groups);
  PetscCall(PetscMalloc1(3 * m->nnodes + 1, &m->xyz));
  for (size_t i = 0; i < ntag; ++i)
    if (renumber[i] >= 0)
      for (int d = 0; d < 3; ++d) m->xyz[3 * renumber[i] + d] = coord[3 * i + d];
  PetscCall(PetscFree2(index, renumber));
  gmshFree(tags);
  gmshFree(coord);
  if (param) gmshFree(param);
  PetscFunctionReturn(0);
}

/* One Gmsh model of the n particles' meshes (in their order), written into f */
static PetscErrorCode PiecesWrite(PetscInt n, const PieceMesh m[], FileOut f)
{
  const PetscInt ng = m[0].ngroups;
  int           *ent, next[4] = {0, 0, 0, 0}, top = 0, surface = -1, g_top = 0;
  size_t         node0 = 0, elem0 = 0;

  PetscFunctionBeginUser;
  for (PetscInt g = 0; g < ng; ++g) {
    if (m[0].group[g].dim > top) top = m[0].group[g].dim, g_top = (int)g;
    if (!strcmp(m[0].group[g].name, MESH_SURFACE_LABEL)) surface = (int)g;
  }
  PetscCheck(surface >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "a particle's mesh has no group \"" MESH_SURFACE_LABEL "\"");
  PetscCall(GmshStart());
  GmshCall(gmshModelAdd("particles", GIERR));
  PetscCall(PetscMalloc1(n * ng, &ent));
  for (PetscInt k = 0; k < n; ++k) {
    size_t *tags;
    PetscCheck(m[k].ngroups == ng, PETSC_COMM_SELF, PETSC_ERR_PLIB, "particles with different groups");
    for (PetscInt g = 0; g < ng; ++g) {
      const PetscInt gg = (g_top + g) % ng; /* the particle's body first: its entity holds the nodes */
      ent[k * ng + gg] = ++next[m[k].group[gg].dim];
      GmshCall(gmshModelAddDiscreteEntity(m[k].group[gg].dim, ent[k * ng + gg], NULL, 0, GIERR));
      if (gg == g_top) {
        PetscCall(PetscMalloc1(m[k].nnodes + 1, &tags));
        for (size_t i = 0; i < m[k].nnodes; ++i) tags[i] = node0 + 1 + i;
        GmshCall(gmshModelMeshAddNodes(top, ent[k * ng + gg], tags, m[k].nnodes, m[k].xyz, 3 * m[k].nnodes, NULL, 0, GIERR));
        PetscCall(PetscFree(tags));
      }
    }
    for (PetscInt g = 0; g < ng; ++g) {
      const PieceGroup *G = &m[k].group[g];
      size_t           *etags, *conn;
      PetscCall(PetscMalloc2(G->n + 1, &etags, G->n * G->per + 1, &conn));
      for (size_t e = 0; e < G->n; ++e) etags[e] = elem0 + 1 + e;
      for (size_t i = 0; i < G->n * G->per; ++i) conn[i] = node0 + 1 + G->conn[i];
      GmshCall(gmshModelMeshAddElementsByType(ent[k * ng + g], G->type, etags, G->n, conn, G->n * G->per, GIERR));
      elem0 += G->n;
      PetscCall(PetscFree2(etags, conn));
    }
    node0 += m[k].nnodes;
  }
  { /* the unions, then the groups of each particle */
    int *list, tag;
    PetscCall(PetscMalloc1(n, &list));
    for (PetscInt g = 0; g < ng; ++g) {
      for (PetscInt k = 0; k < n; ++k) list[k] = ent[k * ng + g];
      GmshCall(tag = gmshModelAddPhysicalGroup(m[0].group[g].dim, list, (size_t)n, -1, GIERR));
      GmshCall(gmshModelSetPhysicalName(m[0].group[g].dim, tag, m[0].group[g].name, GIERR));
    }
    PetscCall(PetscFree(list));
    for (PetscInt k = 0; k < n; ++k) {
      char name[64];
      PetscCall(PetscSNPrintf(name, sizeof(name), "particle_%" PetscInt_FMT, k + 1));
      GmshCall(tag = gmshModelAddPhysicalGroup(top, &ent[k * ng + g_top], 1, -1, GIERR));
      GmshCall(gmshModelSetPhysicalName(top, tag, name, GIERR));
      PetscCall(PetscSNPrintf(name, sizeof(name), "surface_%" PetscInt_FMT, k + 1));
      GmshCall(tag = gmshModelAddPhysicalGroup(top - 1, &ent[k * ng + surface], 1, -1, GIERR));
      GmshCall(gmshModelSetPhysicalName(top - 1, tag, name, GIERR));
    }
  }
  PetscCall(PetscFree(ent));
  PetscCall(MeshGmshWrite(f));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- every particle: apart -- */
/* spot run refuses a mesh whose boundary crosses or touches itself (mesh/msh_check.c), and the
   particles' meshes are made apart: each boundary edge a chord of its particle's outline, up to
   a boundary cell long, which at a neck half a pixel wide can cut across the neighbour's. So the
   boundary edges of different particles are tested in pairs, those near each other found on a
   grid as in msh_check.c; in 3-D the edges of the side-wall triangles, in the image plane (the
   walls are vertical: walls apart in the plane are apart). */
typedef struct {
  PetscInt  piece;
  PetscReal x[4]; /* (x0, y0, x1, y1), µm */
} PieceEdge;

typedef struct {
  uint64_t cell;
  PetscInt item;
} PieceGridEntry;

static int ComparePieceGridEntry(const void *x, const void *y)
{
  const PieceGridEntry *a = (const PieceGridEntry *)x, *b = (const PieceGridEntry *)y;
  if (a->cell != b->cell) return (a->cell > b->cell) - (a->cell < b->cell);
  return (a->item > b->item) - (a->item < b->item);
}

static PetscReal PointSegmentDistance(const PetscReal *p, const PetscReal *a, const PetscReal *b)
{
  const PetscReal u[2] = {b[0] - a[0], b[1] - a[1]}, uu = u[0] * u[0] + u[1] * u[1];
  PetscReal       t    = uu > 0 ? ((p[0] - a[0]) * u[0] + (p[1] - a[1]) * u[1]) / uu : 0;
  t                    = PetscMax(0, PetscMin(1, t));
  return PetscSqrtReal(PetscSqr(p[0] - a[0] - t * u[0]) + PetscSqr(p[1] - a[1] - t * u[1]));
}

/* Do segments ab and cd cross, or come within tol of each other? */
static PetscBool SegmentsNear(const PetscReal *a, const PetscReal *b, const PetscReal *c, const PetscReal *d, PetscReal tol)
{
  const PetscReal o1 = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]), o2 = (b[0] - a[0]) * (d[1] - a[1]) - (b[1] - a[1]) * (d[0] - a[0]);
  const PetscReal o3 = (d[0] - c[0]) * (a[1] - c[1]) - (d[1] - c[1]) * (a[0] - c[0]), o4 = (d[0] - c[0]) * (b[1] - c[1]) - (d[1] - c[1]) * (b[0] - c[0]);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return PETSC_TRUE;
  /* otherwise the closest points include an end */
  return PetscMin(PetscMin(PointSegmentDistance(a, c, d), PointSegmentDistance(b, c, d)), PetscMin(PointSegmentDistance(c, a, b), PointSegmentDistance(d, a, b))) <= tol ? PETSC_TRUE : PETSC_FALSE;
}

static int ComparePair(const void *x, const void *y)
{
  const PetscInt *a = (const PetscInt *)x, *b = (const PetscInt *)y;
  if (a[0] != b[0]) return (a[0] > b[0]) - (a[0] < b[0]);
  return (a[1] > b[1]) - (a[1] < b[1]);
}

/* The pairs (a < b) of particles whose boundary edges cross or come within tol (µm), each once,
   in *pairs (2 * *npairs, PetscFree it); at[2 * i]: a place (µm) where pair i meets */
static PetscErrorCode PiecesConflicts(PetscInt n, const PieceMesh m[], PetscReal tol, PetscInt *npairs, PetscInt **pairs, PetscReal **at)
{
  PetscInt        nedges = 0, cap = 0, npair = 0;
  PieceEdge      *edge;
  PieceGridEntry *grid;
  PetscReal       glo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, ghi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL}, h = 0;
  PetscInt64      total;
  PetscInt       *pair = NULL;
  PetscReal      *where = NULL;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; ++k)
    for (PetscInt g = 0; g < m[k].ngroups; ++g)
      if (!strcmp(m[k].group[g].name, MESH_SURFACE_LABEL)) nedges += (PetscInt)m[k].group[g].n * (m[k].group[g].per == 2 ? 1 : 3);
  PetscCall(PetscMalloc1(nedges + 1, &edge));
  nedges = 0;
  for (PetscInt k = 0; k < n; ++k)
    for (PetscInt g = 0; g < m[k].ngroups; ++g) {
      const PieceGroup *G = &m[k].group[g];
      if (strcmp(G->name, MESH_SURFACE_LABEL)) continue;
      for (size_t e = 0; e < G->n; ++e)
        for (int i = 0; i < (G->per == 2 ? 1 : 3); ++i) {
          const double *p = &m[k].xyz[3 * G->conn[G->per * e + i]], *q = &m[k].xyz[3 * G->conn[G->per * e + (i + 1) % G->per]];
          PieceEdge    *E = &edge[nedges++];
          E->piece        = k;
          E->x[0]         = p[0];
          E->x[1]         = p[1];
          E->x[2]         = q[0];
          E->x[3]         = q[1];
          for (int d = 0; d < 2; ++d) {
            glo[d] = PetscMin(glo[d], PetscMin(p[d], q[d]) - tol);
            ghi[d] = PetscMax(ghi[d], PetscMax(p[d], q[d]) + tol);
          }
          h += (PetscMax(PetscAbsReal(p[0] - q[0]), PetscAbsReal(p[1] - q[1])) + 2 * tol);
        }
    }
  *npairs = 0;
  *pairs  = NULL;
  *at     = NULL;
  if (nedges < 2) {
    PetscCall(PetscFree(edge));
    PetscFunctionReturn(0);
  }
  h /= nedges; /* grid cells about an edge long; larger if edges of very different lengths would fill too many */
  for (int d = 0; d < 2; ++d) h = PetscMax(h, (ghi[d] - glo[d]) / 1048576.0);
  if (!(h > 0)) h = 1;
  for (;;) {
    total = 0;
    for (PetscInt i = 0; i < nedges; ++i) {
      const PetscReal *x = edge[i].x;
      total += ((PetscInt64)((PetscMax(x[0], x[2]) + tol - glo[0]) / h) - (PetscInt64)((PetscMin(x[0], x[2]) - tol - glo[0]) / h) + 1) * ((PetscInt64)((PetscMax(x[1], x[3]) + tol - glo[1]) / h) - (PetscInt64)((PetscMin(x[1], x[3]) - tol - glo[1]) / h) + 1);
    }
    if (total <= 16 * (PetscInt64)nedges + 1024) break;
    h *= 2;
  }
  PetscCall(PetscMalloc1(total, &grid));
  total = 0;
  for (PetscInt i = 0; i < nedges; ++i) {
    const PetscReal *x  = edge[i].x;
    const PetscInt64 a0 = (PetscInt64)((PetscMin(x[0], x[2]) - tol - glo[0]) / h), b0 = (PetscInt64)((PetscMax(x[0], x[2]) + tol - glo[0]) / h);
    const PetscInt64 a1 = (PetscInt64)((PetscMin(x[1], x[3]) - tol - glo[1]) / h), b1 = (PetscInt64)((PetscMax(x[1], x[3]) + tol - glo[1]) / h);
    for (PetscInt64 u = a0; u <= b0; ++u)
      for (PetscInt64 v = a1; v <= b1; ++v) {
        grid[total].cell   = (uint64_t)u << 32 | (uint64_t)v;
        grid[total++].item = i;
      }
  }
  qsort(grid, (size_t)total, sizeof(*grid), ComparePieceGridEntry);
  for (PetscInt64 g = 0, k; g < total; g = k) {
    for (k = g + 1; k < total && grid[k].cell == grid[g].cell; ++k) {}
    for (PetscInt64 p = g; p < k; ++p)
      for (PetscInt64 q = p + 1; q < k; ++q) {
        const PieceEdge *E = &edge[grid[p].item], *F = &edge[grid[q].item];
        PetscReal        low[2];
        PetscBool        overlap = PETSC_TRUE;
        if (E->piece == F->piece) continue; /* a particle's own boundary: CheckBoundaryMesh */
        for (int d = 0; d < 2; ++d) {
          low[d] = PetscMax(PetscMin(E->x[d], E->x[d + 2]), PetscMin(F->x[d], F->x[d + 2])) - tol;
          if (low[d] > PetscMin(PetscMax(E->x[d], E->x[d + 2]), PetscMax(F->x[d], F->x[d + 2])) + tol) overlap = PETSC_FALSE;
        }
        /* each pair once: in the grid cell of the lower corner of the (widened) boxes' overlap */
        if (!overlap || ((uint64_t)(PetscInt64)((low[0] - glo[0]) / h) << 32 | (uint64_t)(PetscInt64)((low[1] - glo[1]) / h)) != grid[g].cell) continue;
        if (!SegmentsNear(&E->x[0], &E->x[2], &F->x[0], &F->x[2], tol)) continue;
        if (npair == cap) {
          PetscInt  *more;
          PetscReal *wmore;
          cap = 2 * cap + 16;
          PetscCall(PetscMalloc2(2 * cap, &more, 2 * cap, &wmore));
          if (npair) PetscCall(PetscArraycpy(more, pair, 2 * npair));
          if (npair) PetscCall(PetscArraycpy(wmore, where, 2 * npair));
          PetscCall(PetscFree2(pair, where));
          pair  = more;
          where = wmore;
        }
        pair[2 * npair]      = PetscMin(E->piece, F->piece);
        pair[2 * npair + 1]  = PetscMax(E->piece, F->piece);
        where[2 * npair]     = 0.5 * (E->x[0] + E->x[2]);
        where[2 * npair + 1] = 0.5 * (E->x[1] + E->x[3]);
        ++npair;
      }
  }
  PetscCall(PetscFree(grid));
  PetscCall(PetscFree(edge));
  if (npair) { /* each pair of particles once, at one of its places */
    PetscInt *order, *upair, nu = 0;
    PetscReal *uat;
    PetscCall(PetscMalloc1(npair, &order));
    for (PetscInt i = 0; i < npair; ++i) order[i] = i;
    { /* sort the indices by pair, keeping the order of places within a pair */
      PetscInt *key;
      PetscCall(PetscMalloc1(3 * npair, &key));
      for (PetscInt i = 0; i < npair; ++i) key[3 * i] = pair[2 * i], key[3 * i + 1] = pair[2 * i + 1], key[3 * i + 2] = i;
      qsort(key, (size_t)npair, 3 * sizeof(PetscInt), ComparePair);
      for (PetscInt i = 0; i < npair; ++i) order[i] = key[3 * i + 2];
      PetscCall(PetscFree(key));
    }
    PetscCall(PetscMalloc1(2 * npair, &upair));
    PetscCall(PetscMalloc1(2 * npair, &uat));
    for (PetscInt i = 0; i < npair; ++i) {
      const PetscInt o = order[i];
      if (nu && upair[2 * nu - 2] == pair[2 * o] && upair[2 * nu - 1] == pair[2 * o + 1]) continue;
      upair[2 * nu] = pair[2 * o], upair[2 * nu + 1] = pair[2 * o + 1];
      uat[2 * nu] = where[2 * o], uat[2 * nu + 1] = where[2 * o + 1];
      ++nu;
    }
    PetscCall(PetscFree(order));
    PetscCall(PetscFree2(pair, where));
    *npairs = nu;
    *pairs  = upair;
    *at     = uat;
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- the pipeline ---------- */
typedef struct {
  MeshRaster        raster;
  ImageSegmentation seg;
  ImagePolygon      trace, fine, outline;
  ImageMeshEdges    edges;
  FileOut           mesh; /* the mesh's temporary, until both files are complete */
  /* every particle (spec->all) */
  ImageParticles   all;
  PetscInt         nkept;
  PetscInt        *which;   /* which[j]: the index in all.particle of particle j + 1 */
  ImagePolygon    *outline_of; /* [j]: µm */
  PetscReal       *keep;    /* [j]: how far its outline goes towards a touching particle's pixels (ImageParticleWindow) */
  MeshImageReport *part;    /* [j]: sizes, measures */
  PetscInt        *stage;   /* [j]: 0 as asked; 1 outline points half a pixel apart; 2 also kept further off its neighbours, smoothed less */
  PetscInt        *level;   /* [j]: how often its boundary cells were refined near its neighbours */
  ImageMeshEdges  *tri_of;  /* [j]: its triangles, for the preview */
  struct PieceMesh *piece;  /* [j]: its mesh */
  ImagePolygon    *deblurred; /* [j]: with a PSF, its outline at the deblurred edge (image pixels), made once */
  FileOut          table;
} ImageWork;

static PetscErrorCode ImageWorkDestroy(ImageWork *w)
{
  PetscFunctionBeginUser;
  PetscCall(MeshRasterDestroy(&w->raster));
  PetscCall(ImageSegmentationDestroy(&w->seg));
  PetscCall(ImagePolygonDestroy(&w->trace));
  PetscCall(ImagePolygonDestroy(&w->fine));
  PetscCall(ImagePolygonDestroy(&w->outline));
  PetscCall(PetscFree(w->edges.tri));
  PetscCall(FileOutDiscard(&w->mesh));
  PetscCall(FileOutDiscard(&w->table));
  for (PetscInt j = 0; j < w->nkept; ++j) {
    if (w->outline_of) PetscCall(ImagePolygonDestroy(&w->outline_of[j]));
    if (w->piece) PetscCall(PieceMeshDestroy(&w->piece[j]));
    if (w->tri_of) PetscCall(PetscFree(w->tri_of[j].tri));
    if (w->deblurred) PetscCall(ImagePolygonDestroy(&w->deblurred[j]));
  }
  PetscCall(PetscFree(w->tri_of));
  PetscCall(PetscFree(w->deblurred));
  PetscCall(PetscFree2(w->stage, w->level));
  PetscCall(PetscFree(w->outline_of));
  PetscCall(PetscFree(w->piece));
  PetscCall(PetscFree3(w->which, w->keep, w->part));
  PetscCall(ImageParticlesDestroy(&w->all));
  PetscFunctionReturn(0);
}

static PetscErrorCode Elapsed(PetscLogDouble *t0, PetscReal *seconds)
{
  PetscLogDouble t;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t));
  *seconds = (PetscReal)(t - *t0);
  *t0      = t;
  PetscFunctionReturn(0);
}

/* An output can be written: not a directory, and a temporary can be made beside it (then removed) */
static PetscErrorCode CheckOutput(const char path[])
{
  struct stat st;
  FileOut     f;

  PetscFunctionBeginUser;
  PetscCheck(lstat(path, &st) || !S_ISDIR(st.st_mode), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write '%s': a directory of that name is in the way", path);
  PetscCall(FileOutCreate(path, &f));
  PetscCall(FileOutDiscard(&f));
  PetscFunctionReturn(0);
}

/* Rank 0, before any work: the image's header (format, page, pixel count), its extent at the
   pixel size, and the outputs */
static PetscErrorCode ImagePreflight(const ImageSpec *s, const char msh[], const char preview[])
{
  MeshRaster head;
  char       where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(MeshRasterReadHeader(s->file, s->page, &head));
  PetscCall(InputOptionWhere("-mesh_image_pixel_size", where, sizeof(where)));
  {
    const PetscReal extent = PetscMax(head.rows, head.cols) * s->pixel_size;
    PetscCheck(extent >= MESH_SMALLEST_PARTICLE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at %.6g um per pixel, image '%s' (%" PetscInt_FMT " x %" PetscInt_FMT " pixels) spans %.6g um, less than any real particle (at least %.6g um = 10 nm); the pixel size is in micrometres per pixel (e.g. 0.012 or 12nm)", where, (double)s->pixel_size, s->file, head.rows, head.cols, (double)extent, (double)MESH_SMALLEST_PARTICLE);
  }
  if (s->psf_sigma > 0) { /* a blur that fills the frame is a slip of unit */
    const PetscReal psf = s->psf_sigma / s->pixel_size, most = PetscMin(head.rows, head.cols) / 8.0;
    PetscCall(InputOptionWhere("-mesh_image_psf_sigma", where, sizeof(where)));
    PetscCheck(psf <= most, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: a PSF of sigma %.6g um is %.4g pixels of %.6g um, more than an eighth of image '%s' (%" PetscInt_FMT " x %" PetscInt_FMT " pixels): the blur would fill the frame; the PSF sigma is a length (e.g. 0.2um or 200nm)", where, (double)s->psf_sigma, (double)psf, (double)s->pixel_size, s->file, head.rows, head.cols);
  }
  if (msh && preview) PetscCheck(strcmp(msh, preview), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the mesh and the preview would both be written to '%s'; give them different names", msh);
  if (msh) PetscCall(CheckOutput(msh));
  if (preview) PetscCall(CheckOutput(preview));
  PetscFunctionReturn(0);
}

/* Rank 0: does the particle stand out of its image? (mesh/segment.c explains the statistic) */
static PetscErrorCode CheckContrast(const ImageSpec *s, const ImageSegmentation *seg, MeshImageReport *rep)
{
  char        where[PETSC_MAX_PATH_LEN], threshold[64];
  const char *brighter = s->invert ? "darker" : "brighter";
  const char *hint     = s->invert ? "for a bright particle drop --invert (-mesh_image_invert)" : "for a dark particle use --invert (-mesh_image_invert)";

  PetscReal   needed;

  PetscFunctionBeginUser;
  PetscCall(MeshImageEdgeContrast(seg->rows, seg->cols, seg->smooth, seg->mask, s->sigma, &rep->edge_contrast, &needed));
  PetscCall(InputOptionWhere("-mesh_image_file", where, sizeof(where)));
  PetscCall(PetscSNPrintf(threshold, sizeof(threshold), "%s %.4g", rep->otsu ? "Otsu's threshold" : "the threshold", (double)rep->threshold));
  PetscCheck(rep->edge_contrast > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' shows no particle: the region %s than %s fills the image (%" PetscInt_FMT " pixels) and nothing surrounds it; %s", where, s->file, brighter, threshold, seg->pixels, hint);
  PetscCheck(rep->edge_contrast >= needed, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' shows no particle: the region %s than %s (%" PetscInt_FMT " pixels) does not stand out from its surroundings (edge contrast %.2f: its outline is only %.2f times as steep as the image around it; a particle's is at least %.2g times as steep); %s; otherwise try a --threshold (-mesh_image_threshold) between the particle's grey and the background's, or a larger --sigma (-mesh_image_sigma) for a noisy image", where, s->file, brighter, threshold, seg->pixels, (double)rep->edge_contrast, (double)rep->edge_contrast, (double)needed, hint);
  PetscFunctionReturn(0);
}

/* Rank 0: the particle's size and the cells (before Gmsh): a particle's size, cells no smaller
   than a lattice spacing, and the estimated count within -mesh_max_cells */
static PetscErrorCode CheckSizes(const ImageSpec *s, PetscReal d_eq, PetscInt refine, PetscBool check_count, MeshImageReport *rep)
{
  char            where[PETSC_MAX_PATH_LEN], what[PETSC_MAX_PATH_LEN + 256];
  const PetscInt  dim = s->extrude > 0 ? 3 : 2;
  const PetscReal A = rep->outline_area, P = rep->outline_perimeter;
  PetscReal       cells;

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere("-mesh_image_pixel_size", where, sizeof(where)));
  PetscCheck(d_eq <= MESH_LARGEST_PARTICLE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at %.6g um per pixel the particle of image '%s' is %.6g um across, larger than any real particle (at most %.6g um = 1 mm); check the pixel size", where, (double)s->pixel_size, s->file, (double)d_eq, (double)MESH_LARGEST_PARTICLE);
  PetscCheck(d_eq >= MESH_SMALLEST_PARTICLE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at %.6g um per pixel the particle of image '%s' is %.6g um across, smaller than any real particle (at least %.6g um = 10 nm); check the pixel size", where, (double)s->pixel_size, s->file, (double)d_eq, (double)MESH_SMALLEST_PARTICLE);
  if (s->cell_size > 0 && !(s->boundary_cell_size > 0)) { /* a given cell size, below which the default boundary cells fall */
    PetscCall(InputOptionWhere("-mesh_cell_size", where, sizeof(where)));
    PetscCheck(rep->boundary_cell_size >= MESH_LATTICE_SPACING, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the boundary cells of %.3g um it implies (the cell size / 2.5) would be smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing; give a larger cell size, or -mesh_boundary_cell_size", where, (double)rep->boundary_cell_size);
    PetscCall(InputOptionWhere("-mesh_image_pixel_size", where, sizeof(where)));
  }
  PetscCheck(rep->cell_size >= MESH_LATTICE_SPACING && rep->boundary_cell_size >= MESH_LATTICE_SPACING, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at %.6g um per pixel the particle of image '%s' is %.6g um across, and its default cells (%.3g um, %.3g um at the surface) would be smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing; check the pixel size, or give a larger -mesh_cell_size and -mesh_boundary_cell_size", where, (double)s->pixel_size, s->file, (double)d_eq, (double)rep->cell_size, (double)rep->boundary_cell_size);
  /* 3-D: Gmsh 4.8 measures the Distance field from the bottom outline in 3-D (FieldZ does not
     flatten it), so the graded part is a quarter cylinder along that outline */
  PetscCall(MeshEstimateCells(dim, dim == 2 ? A : A * s->extrude, P, dim == 2 ? 0 : s->extrude, rep->cell_size, rep->boundary_cell_size, rep->boundary_layer, &cells));
  if (dim == 3) { /* meshed stretched in z (MeshZStretch): that many more cells */
    PetscReal zs;
    PetscCall(MeshZStretch(&zs));
    cells *= zs;
  }
  cells *= PetscPowReal(2.0, (PetscReal)(dim * refine)); /* -mesh_refine splits each cell into 2^dim */
  rep->estimated_cells = cells;
  if (!check_count) PetscFunctionReturn(0); /* every particle: the caller checks the sum */
  {
    PetscBool set;
    where[0] = 0;
    for (const char *const *o = (const char *const[]){"-mesh_cell_size", "-mesh_boundary_cell_size", "-mesh_boundary_layer", "-mesh_image_extrude", NULL}; *o; ++o) {
      PetscCall(PetscOptionsHasName(NULL, NULL, *o, &set));
      if (set) {
        PetscCall(InputOptionWhere(*o, where, sizeof(where)));
        break;
      }
    }
  }
  PetscCall(PetscSNPrintf(what, sizeof(what), "the mesh of the particle of image '%s' (%s%.3g um^2%s; cells %.3g um, %.3g um at the surface%s)", s->file, dim == 3 ? "a platelet of " : "area ", (double)A, dim == 3 ? " by the thickness" : "", (double)rep->cell_size, (double)rep->boundary_cell_size, refine ? ", refined" : ""));
  PetscCall(MeshCheckCellCount(cells, where, what));
  PetscFunctionReturn(0);
}

/* The traced outline (pixels) smoothed and resampled at spacing (pixels) for Gmsh, into outline;
   fine: a work polygon. If it would cross itself: less smoothing, then none and dense points */
static PetscErrorCode OutlineSmooth(const ImageSpec *s, const ImagePolygon *trace, PetscReal spacing, ImagePolygon *fine, ImagePolygon *outline, const char what[])
{
  PetscReal sigma = s->smoothing;

  PetscFunctionBeginUser;
  PetscCall(ImagePolygonDestroy(fine));
  PetscCall(ImagePolygonResample(trace, 0.5, 16, fine));
  for (int attempt = 0; attempt < 3; ++attempt) {
    PetscBool crosses;
    PetscCall(ImagePolygonDestroy(outline));
    PetscCall(ImagePolygonResample(fine, 0.5, 16, outline));
    PetscCall(ImagePolygonSmooth(outline, sigma));
    {
      ImagePolygon coarse;
      PetscCall(ImagePolygonResample(outline, spacing, 16, &coarse));
      PetscCall(ImagePolygonDestroy(outline));
      *outline = coarse;
    }
    PetscCall(ImagePolygonSelfIntersects(outline, &crosses));
    if (!crosses) break;
    PetscCheck(attempt < 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the outline of %s in image '%s' crosses itself (a neck about a pixel wide?); try a larger -mesh_image_sigma or -mesh_image_open_radius", what, s->file);
    sigma = attempt == 0 ? sigma / 2 : 0;
    if (attempt == 1) spacing = 0.5;
  }
  PetscFunctionReturn(0);
}

/* Rank 0: the whole pipeline; refine: the refinements spot run will make of the mesh (for the estimate) */
static PetscErrorCode ImageRun(const ImageSpec *s, const char msh[], const char preview[], PetscInt refine, ImageWork *w, MeshImageReport *rep)
{
  const PetscReal p = s->pixel_size;
  PetscLogDouble  t0;
  PetscReal       area_px, d_eq, spacing;

  PetscFunctionBeginUser;
  PetscCall(ImagePreflight(s, msh, preview));
  PetscCall(PetscTime(&t0));
  PetscCall(MeshRasterRead(s->file, s->page, &w->raster));
  PetscCall(PetscStrncpy(rep->file, s->file, sizeof(rep->file)));
  rep->rows       = w->raster.rows;
  rep->cols       = w->raster.cols;
  rep->page       = s->page;
  rep->pixel_size = p;
  PetscCall(Elapsed(&t0, &rep->seconds[0]));

  PetscCall(ImageSegment(&w->raster, s, &w->seg));
  rep->threshold       = s->invert ? 1 - w->seg.threshold : w->seg.threshold;
  rep->otsu            = s->threshold < 0 ? PETSC_TRUE : PETSC_FALSE;
  rep->particle_pixels = w->seg.pixels;
  rep->holes_filled    = w->seg.filled;
  rep->num_regions     = w->seg.num_regions;
  rep->border_pixels   = w->seg.border_pixels;
  PetscCall(CheckContrast(s, &w->seg, rep));
  if (s->psf_sigma > 0) { /* the half-level contour, moved out to the deblurred edge */
    ImageDeblur info;
    PetscCall(ImageOutlineDeblur(&w->raster, s, &w->seg, 0, NULL, &w->trace, &info));
    rep->psf_sigma       = s->psf_sigma;
    rep->threshold       = s->invert ? 1 - info.level : info.level;
    rep->otsu            = PETSC_FALSE;
    rep->psf_background  = s->invert ? 1 - info.background : info.background;
    rep->psf_plateau     = s->invert ? 1 - info.plateau : info.plateau;
    rep->psf_shift       = info.shift * p;
    rep->psf_half_area   = info.area_half * p * p;
    rep->particle_pixels = w->seg.pixels;
    rep->holes_filled    = w->seg.filled;
    rep->num_regions     = w->seg.num_regions;
    rep->border_pixels   = w->seg.border_pixels;
  }
  if (w->seg.border_pixels) PetscCall(PetscPrintf(PETSC_COMM_SELF, "warning: the particle in image '%s' touches the image border (%" PetscInt_FMT " pixels); its outline follows the image edge there, which is probably not the particle's edge\n", s->file, w->seg.border_pixels));
  PetscCall(Elapsed(&t0, &rep->seconds[1]));

  /* outline: trace (done above at the deblurred edge), smooth on a half-pixel spacing, resample for Gmsh, then µm */
  if (!(s->psf_sigma > 0)) PetscCall(ImageOutlineTrace(&w->seg, &w->trace));
  PetscCall(ImagePolygonMeasure(&w->trace, &area_px, NULL, NULL));
  d_eq                    = PetscSqrtReal(4 * area_px / PETSC_PI) * p;
  rep->cell_size          = s->cell_size > 0 ? s->cell_size : d_eq / 50;
  rep->boundary_cell_size = s->boundary_cell_size > 0 ? s->boundary_cell_size : rep->cell_size / 2.5;
  rep->boundary_layer     = s->boundary_layer > 0 ? s->boundary_layer : 0.15 * d_eq;
  spacing                 = PetscMin(3.0, PetscMax(0.5, 0.5 * rep->boundary_cell_size / p)); /* pixels */
  PetscCall(OutlineSmooth(s, &w->trace, spacing, &w->fine, &w->outline, "the particle"));
  for (PetscInt i = 0; i < 2 * w->outline.n; ++i)
    w->outline.xy[i] *= p;
  rep->outline_points = w->outline.n;
  PetscCall(ImagePolygonMeasure(&w->outline, &rep->outline_area, &rep->outline_perimeter, rep->centroid));
  rep->area                = rep->outline_area;
  rep->perimeter           = rep->outline_perimeter;
  rep->equivalent_diameter = PetscSqrtReal(4 * rep->area / PETSC_PI);
  rep->dim                 = s->extrude > 0 ? 3 : 2;
  PetscCall(CheckSizes(s, d_eq, refine, PETSC_TRUE, rep));
  PetscCall(Elapsed(&t0, &rep->seconds[2]));

  if (msh) { /* the mesh, written and read back, not yet in place */
    PetscCall(FileOutCreateSuffixed(msh, ".msh", &w->mesh));
    PetscCall(OutlineMesh(s, &w->outline, NULL, w->mesh, rep, &w->edges));
  }
  PetscCall(Elapsed(&t0, &rep->seconds[3]));
  if (preview) PetscCall(ImagePreviewWrite(&w->raster, &w->outline, w->edges.ntri, w->edges.tri, rep->centroid, p, preview));
  if (msh) { /* both files or neither */
    PetscErrorCode ierr = FileOutPublish(&w->mesh);
    if (ierr && preview) unlink(preview);
    PetscCall(ierr);
  }
  PetscCall(Elapsed(&t0, &rep->seconds[4]));
  PetscFunctionReturn(0);
}


/* ---------------------------------------------------------------- every particle -------- */
/* Rank 0: do the particles kept stand out of the image? (their union, as for one particle) */
static PetscErrorCode CheckContrastAll(const ImageSpec *s, ImageWork *w, MeshImageReport *rep)
{
  const ImageParticles *all = &w->all;
  const size_t          n   = (size_t)all->rows * all->cols;
  unsigned char        *mask;
  PetscReal             needed;
  char                  where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (s->labels) {
    rep->edge_contrast = PETSC_INFINITY;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(n, &mask));
  for (size_t i = 0; i < n; ++i) mask[i] = all->label[i] && all->particle[all->label[i] - 1].fate == PARTICLE_KEPT;
  PetscCall(MeshImageEdgeContrast(all->rows, all->cols, all->smooth, mask, s->sigma, &rep->edge_contrast, &needed));
  PetscCall(PetscFree(mask));
  PetscCall(InputOptionWhere("-mesh_image_file", where, sizeof(where)));
  PetscCheck(rep->edge_contrast > 0 && rep->edge_contrast >= needed, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' shows no particles: the %" PetscInt_FMT " regions %s than %s %.4g do not stand out from their surroundings (edge contrast %.2f: their outlines are only %.2f times as steep as the image around them; a particle's is at least %.2g times as steep); for %s particles %s --invert (-mesh_image_invert); otherwise try a --threshold (-mesh_image_threshold) or a larger --sigma (-mesh_image_sigma) for a noisy image", where, s->file, all->num_kept, s->invert ? "darker" : "brighter", rep->otsu ? "Otsu's threshold" : "the threshold", (double)rep->threshold, (double)rep->edge_contrast, (double)rep->edge_contrast, (double)needed, s->invert ? "bright" : "dark", s->invert ? "drop" : "use");
  PetscFunctionReturn(0);
}

/* Rank 0, a PSF given: the outline of particle j + 1 at its deblurred edge (mesh/deblur.c), image
   pixels, into out. It is found in a crop of the image around the particle (its box and 4 PSF
   sigmas and 4 pixels more: the blur and the band the levels are fitted on), starting from the
   particle's own pixels as --all found them (the threshold may join it to a neighbour); deblur.c
   segments the crop again at each level it tries, from the particle's brightest pixel, and leaves
   the other particles' pixels in the band out of the levels' fit. near (or NULL): every kept
   particle's outline from a first pass; those that reach the crop enter the model with their blur.
   Its mean outward move from the half-level contour (µm) into w->part[j].psf_shift */
static PetscErrorCode ParticleDeblurred(const ImageSpec *s, ImageWork *w, PetscInt j, const ImagePolygon near[], ImagePolygon *out)
{
  const ImageParticles *all = &w->all;
  const PetscInt        k = w->which[j], m = (PetscInt)PetscCeilReal(4 * s->psf_sigma / s->pixel_size + 4);
  const ImageParticle  *q  = &all->particle[k];
  const PetscInt        r0 = PetscMax(0, q->box[0] - m), r1 = PetscMin(all->rows - 1, q->box[1] + m);
  const PetscInt        c0 = PetscMax(0, q->box[2] - m), c1 = PetscMin(all->cols - 1, q->box[3] + m);
  MeshRaster            crop = w->raster;
  ImageSpec             one  = *s;
  ImageSegmentation     seg;
  ImageDeblur           info;
  ImagePolygon         *others  = NULL;
  PetscInt              nothers = 0;
  char                  what[128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "particle %" PetscInt_FMT " (centroid at pixel row %.0f, col %.0f)", j + 1, (double)(q->centroid[1] - 0.5), (double)(q->centroid[0] - 0.5)));
  if (near) { /* the neighbours whose box reaches the crop, in the crop's pixels */
    PetscCall(PetscCalloc1(w->nkept, &others));
    for (PetscInt i = 0; i < w->nkept; ++i) {
      const PetscInt *b = w->all.particle[w->which[i]].box;
      if (i == j || b[0] > r1 || b[1] < r0 || b[2] > c1 || b[3] < c0) continue;
      others[nothers].n = near[i].n;
      PetscCall(PetscMalloc1(2 * near[i].n, &others[nothers].xy));
      for (PetscInt v = 0; v < near[i].n; ++v) {
        others[nothers].xy[2 * v]     = near[i].xy[2 * v] - c0;
        others[nothers].xy[2 * v + 1] = near[i].xy[2 * v + 1] - r0;
      }
      ++nothers;
    }
  }
  PetscCall(PetscMemzero(&seg, sizeof(seg)));
  crop.rows = seg.rows = r1 - r0 + 1;
  crop.cols = seg.cols = c1 - c0 + 1;
  seg.threshold = all->threshold;
  seg.low       = all->low;
  seg.high      = all->high;
  seg.box[0] = seg.box[2] = PETSC_MAX_INT;
  seg.box[1] = seg.box[3] = -1;
  PetscCall(PetscMalloc1((size_t)crop.rows * crop.cols, &crop.grey));
  PetscCall(PetscMalloc1((size_t)crop.rows * crop.cols, &seg.smooth)); /* ImageSegmentationDestroy frees them: deblur.c replaces seg at each level */
  PetscCall(PetscMalloc1((size_t)crop.rows * crop.cols, &seg.mask));
  for (PetscInt r = r0; r <= r1; ++r)
    for (PetscInt c = c0; c <= c1; ++c) {
      const size_t i = (size_t)r * all->cols + c, l = (size_t)(r - r0) * crop.cols + (c - c0);
      crop.grey[l]   = w->raster.grey[i];
      seg.smooth[l]  = all->smooth[i];
      seg.mask[l]    = all->label[i] == k + 1;
      if (!seg.mask[l]) continue;
      ++seg.pixels;
      if (r == 0 || c == 0 || r == all->rows - 1 || c == all->cols - 1) ++seg.border_pixels;
      seg.box[0] = PetscMin(seg.box[0], r - r0), seg.box[1] = PetscMax(seg.box[1], r - r0);
      seg.box[2] = PetscMin(seg.box[2], c - c0), seg.box[3] = PetscMax(seg.box[3], c - c0);
    }
  PetscCheck(seg.pixels > 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%s has no pixel", what);
  seg.num_regions = 1;
  one.all         = PETSC_FALSE;
  one.crop        = PETSC_TRUE;
  PetscCall(PetscSNPrintf(one.file, sizeof(one.file), "%s, particle %" PetscInt_FMT " at pixel row %.0f, col %.0f", s->file, j + 1, (double)(q->centroid[1] - 0.5), (double)(q->centroid[0] - 0.5))); /* deblur.c's messages name "image '<file>, particle j at ...'" */
  PetscCall(ImageOutlineDeblur(&crop, &one, &seg, nothers, others, out, &info));
  PetscCall(ImageSegmentationDestroy(&seg));
  PetscCall(PetscFree(crop.grey));
  for (PetscInt i = 0; i < nothers; ++i) PetscCall(ImagePolygonDestroy(&others[i]));
  PetscCall(PetscFree(others));
  for (PetscInt i = 0; i < out->n; ++i) {
    out->xy[2 * i] += c0;
    out->xy[2 * i + 1] += r0;
  }
  w->part[j].psf_sigma = s->psf_sigma;
  w->part[j].psf_shift = info.shift * s->pixel_size;
  PetscFunctionReturn(0);
}

/* Rank 0: the outline of particle j + 1 (µm) into w->outline_of[j], its sizes into w->part[j] */
static PetscErrorCode ParticleOutline(const ImageSpec *s, PetscInt refine, ImageWork *w, PetscInt j)
{
  const PetscInt   k = w->which[j];
  const PetscReal  p = s->pixel_size;
  MeshImageReport *r = &w->part[j];
  ImageSegmentation seg;
  ImagePolygon     trace = {0, NULL, 0}, fine = {0, NULL, 0};
  PetscInt         origin[2];
  PetscReal        area_px, d_eq, spacing;
  char             what[128];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(what, sizeof(what), "particle %" PetscInt_FMT " (centroid at pixel row %.0f, col %.0f)", j + 1, (double)(w->all.particle[k].centroid[1] - 0.5), (double)(w->all.particle[k].centroid[0] - 0.5)));
  if (s->psf_sigma > 0) { /* at the deblurred edge (found before), smoothed as each stage asks */
    trace.n = w->deblurred[j].n;
    PetscCall(PetscMalloc1(2 * trace.n, &trace.xy));
    PetscCall(PetscArraycpy(trace.xy, w->deblurred[j].xy, 2 * trace.n));
  } else {
    PetscCall(ImageParticleWindow(&w->all, k, w->keep[j], &seg, origin));
    PetscCall(ImageOutlineTrace(&seg, &trace));
    PetscCall(ImageSegmentationDestroy(&seg));
    for (PetscInt i = 0; i < trace.n; ++i) {
      trace.xy[2 * i] += origin[1];
      trace.xy[2 * i + 1] += origin[0];
    }
  }
  PetscCall(ImagePolygonMeasure(&trace, &area_px, NULL, NULL));
  d_eq                  = PetscSqrtReal(4 * area_px / PETSC_PI) * p;
  r->pixel_size         = p;
  r->cell_size          = s->cell_size > 0 ? s->cell_size : d_eq / 50;
  r->boundary_cell_size = s->boundary_cell_size > 0 ? s->boundary_cell_size : r->cell_size / 2.5;
  r->boundary_layer     = s->boundary_layer > 0 ? s->boundary_layer : 0.15 * d_eq;
  spacing               = w->stage[j] >= 1 ? 0.5 : PetscMin(3.0, PetscMax(0.5, 0.5 * r->boundary_cell_size / p));
  PetscCall(ImagePolygonDestroy(&w->outline_of[j]));
  {
    ImageSpec less = *s; /* a particle whose outline met another's is smoothed less */
    less.smoothing = w->stage[j] >= 2 ? 0.5 * s->smoothing : s->smoothing;
    PetscCall(OutlineSmooth(&less, &trace, spacing, &fine, &w->outline_of[j], what));
  }
  PetscCall(ImagePolygonDestroy(&trace));
  PetscCall(ImagePolygonDestroy(&fine));
  for (PetscInt i = 0; i < 2 * w->outline_of[j].n; ++i) w->outline_of[j].xy[i] *= p;
  r->outline_points = w->outline_of[j].n;
  PetscCall(ImagePolygonMeasure(&w->outline_of[j], &r->outline_area, &r->outline_perimeter, r->centroid));
  r->area                = r->outline_area;
  r->perimeter           = r->outline_perimeter;
  r->equivalent_diameter = PetscSqrtReal(4 * r->area / PETSC_PI);
  r->dim                 = s->extrude > 0 ? 3 : 2;
  PetscCall(CheckSizes(s, d_eq, refine, PETSC_FALSE, r));
  PetscFunctionReturn(0);
}

/* Rank 0: outlines of every particle kept, apart from one another. redo[j]: (re)make outline j at
   its stage (then cleared; remade[j] set, if given). Outlines that meet go up a stage: points half a pixel apart (chords
   of points up to 3 pixels apart cut the corners of a neck), then further apart and smoothed less */
static PetscErrorCode ParticleOutlines(const ImageSpec *s, PetscInt refine, ImageWork *w, PetscBool redo[], PetscBool remade[])
{
  const PetscInt n = w->nkept;

  PetscFunctionBeginUser;
  for (;;) {
    PetscInt a_meet = -1, b_meet = -1;
    for (PetscInt j = 0; j < n; ++j)
      if (redo[j]) {
        w->keep[j] = w->stage[j] >= 2 ? 0.125 : 0.25; /* touching particles: half a pixel between their outlines, or 3/4 */
        PetscCall(ParticleOutline(s, refine, w, j));
        redo[j] = PETSC_FALSE;
        if (remade) remade[j] = PETSC_TRUE;
      }
    for (PetscInt a = 0; a < n; ++a) /* pairs whose boxes are within 2 pixels must not meet */
      for (PetscInt b = a + 1; b < n; ++b) {
        const PetscInt *A = w->all.particle[w->which[a]].box, *B = w->all.particle[w->which[b]].box;
        PetscBool       meet;
        if (A[0] > B[1] + 2 || B[0] > A[1] + 2 || A[2] > B[3] + 2 || B[2] > A[3] + 2) continue;
        PetscCall(ImagePolygonsMeet(&w->outline_of[a], &w->outline_of[b], &meet));
        if (meet) {
          PetscCall(PetscInfo(NULL, "outlines of particles %" PetscInt_FMT " (rows %" PetscInt_FMT "-%" PetscInt_FMT ", cols %" PetscInt_FMT "-%" PetscInt_FMT "%s, stage %" PetscInt_FMT ") and %" PetscInt_FMT " (rows %" PetscInt_FMT "-%" PetscInt_FMT ", cols %" PetscInt_FMT "-%" PetscInt_FMT "%s, stage %" PetscInt_FMT ") meet\n", a + 1, A[0], A[1], A[2], A[3], w->all.particle[w->which[a]].split ? ", split" : "", w->stage[a], b + 1, B[0], B[1], B[2], B[3], w->all.particle[w->which[b]].split ? ", split" : "", w->stage[b]));
          if (w->stage[a] >= 2 && w->stage[b] >= 2) {
            if (a_meet < 0) a_meet = a, b_meet = b;
            continue;
          }
          for (PetscInt k = 0; k < 2; ++k) {
            const PetscInt j = k ? b : a;
            if (!redo[j] && w->stage[j] < 2) ++w->stage[j], redo[j] = PETSC_TRUE;
          }
        }
      }
    PetscCheck(a_meet < 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the outlines of particles %" PetscInt_FMT " and %" PetscInt_FMT " of image '%s' meet, even %.2g pixels apart where they touch and smoothed less; try a smaller -mesh_image_smoothing, --keep-touching (-mesh_image_keep_touching) or a larger --min-area", a_meet + 1, b_meet + 1, s->file, (double)(1 - w->keep[a_meet] - w->keep[b_meet]));
    {
      PetscBool more = PETSC_FALSE;
      for (PetscInt j = 0; j < n; ++j) more = more || redo[j];
      if (!more) break;
    }
  }
  PetscFunctionReturn(0);
}

/* Rank 0: the neck of particle j: the outlines (points at most half a pixel apart) of the
   particles its mesh met (pairs), where they come within reach of its own; cells of a pixel
   there, halved at each further level */
static PetscErrorCode ParticleNeck(const ImageSpec *s, ImageWork *w, PetscInt j, PetscInt npairs, const PetscInt pairs[], ImageNeck *neck)
{
  const PetscReal        p = s->pixel_size;
  const MeshImageReport *r = &w->part[j];
  const ImagePolygon    *own = &w->outline_of[j];
  PetscReal              reach;
  PetscInt               cap = 0;

  PetscFunctionBeginUser;
  neck->n        = 0;
  neck->xy       = NULL;
  neck->size     = PetscMax(MESH_LATTICE_SPACING, PetscMin(0.5 * r->boundary_cell_size, p) / PetscPowReal(2.0, (PetscReal)(w->level[j] - 1)));
  neck->dist_min = 2 * p;
  reach          = neck->dist_min + 2 * PetscMax(0, r->cell_size - neck->size);
  for (PetscInt i = 0; i < npairs; ++i) {
    const PetscInt      k     = pairs[2 * i] == j ? pairs[2 * i + 1] : (pairs[2 * i + 1] == j ? pairs[2 * i] : -1);
    const ImagePolygon *other = k >= 0 ? &w->outline_of[k] : NULL;
    if (!other) continue;
    for (PetscInt e = 0; e < other->n; ++e) {
      const PetscReal *a = &other->xy[2 * e], *b = &other->xy[2 * ((e + 1) % other->n)];
      const PetscInt   m = PetscMax(1, (PetscInt)PetscCeilReal(PetscSqrtReal(PetscSqr(b[0] - a[0]) + PetscSqr(b[1] - a[1])) / (0.5 * p)));
      for (PetscInt t = 0; t < m; ++t) {
        const PetscReal x[2] = {a[0] + (b[0] - a[0]) * t / m, a[1] + (b[1] - a[1]) * t / m};
        PetscReal       d2   = PETSC_MAX_REAL;
        for (PetscInt q = 0; q < own->n; ++q) d2 = PetscMin(d2, PetscSqr(x[0] - own->xy[2 * q]) + PetscSqr(x[1] - own->xy[2 * q + 1]));
        if (d2 > PetscSqr(reach + 3 * p)) continue; /* own points are at most 3 pixels apart */
        if (neck->n == cap) {
          PetscReal *more;
          cap = 2 * cap + 64;
          PetscCall(PetscMalloc1(2 * cap, &more));
          if (neck->n) PetscCall(PetscArraycpy(more, neck->xy, 2 * neck->n));
          PetscCall(PetscFree(neck->xy));
          neck->xy = more;
        }
        neck->xy[2 * neck->n]     = x[0];
        neck->xy[2 * neck->n + 1] = x[1];
        ++neck->n;
      }
    }
  }
  PetscFunctionReturn(0);
}

#define APART_ROUNDS 3 /* refinements near the neighbours before giving up: cells of 1, 1/2, 1/4 pixel */

/* Rank 0: the mesh of each particle (w->piece, w->tri_of), apart from every other: where two
   particles' boundary meshes cross or touch, both are meshed again with finer boundary cells near
   the other (ParticleNeck), and their outlines, if coarse, made of points half a pixel apart */
static PetscErrorCode ParticleMeshes(const ImageSpec *s, PetscInt refine, ImageWork *w)
{
  const PetscInt  n   = w->nkept;
  const PetscReal tol = 0.01 * s->pixel_size; /* closer than this counts as touching */
  PetscBool      *remesh, *redo;
  PetscInt        nall = 0, cap = 0, *all = NULL, nremeshed = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(n, &w->piece));
  PetscCall(PetscCalloc1(n, &w->tri_of));
  PetscCall(PetscMalloc2(n, &remesh, n, &redo));
  for (PetscInt j = 0; j < n; ++j) remesh[j] = PETSC_TRUE, redo[j] = PETSC_FALSE;
  for (PetscInt round = 0;; ++round) {
    PetscInt  npairs, *pairs;
    PetscReal *at;
    for (PetscInt j = 0; j < n; ++j) {
      ImageNeck neck = {0, NULL, 0, 0};
      if (!remesh[j]) continue;
      if (w->level[j]) PetscCall(ParticleNeck(s, w, j, nall, all, &neck));
      PetscCall(PetscFree(w->tri_of[j].tri));
      w->tri_of[j].ntri = 0;
      PetscCall(OutlineMesh(s, &w->outline_of[j], neck.n ? &neck : NULL, NULL, &w->part[j], &w->tri_of[j]));
      PetscCall(PetscFree(neck.xy));
      PetscCall(PieceMeshDestroy(&w->piece[j]));
      PetscCall(PieceMeshExtract(&w->piece[j]));
      remesh[j] = PETSC_FALSE;
      if (round) ++nremeshed;
    }
    PetscCall(PiecesConflicts(n, w->piece, tol, &npairs, &pairs, &at));
    if (!npairs) break;
    for (PetscInt i = 0; i < npairs; ++i) PetscCall(PetscInfo(NULL, "round %" PetscInt_FMT ": the meshes of particles %" PetscInt_FMT " and %" PetscInt_FMT " meet near (%g, %g) um\n", round, pairs[2 * i] + 1, pairs[2 * i + 1] + 1, (double)at[2 * i], (double)at[2 * i + 1]));
    if (round >= APART_ROUNDS) {
      const PetscInt  a = pairs[0], b = pairs[1];
      const PetscReal x = at[0], y = at[1];
      const PetscReal h = PetscMax(MESH_LATTICE_SPACING, PetscMin(0.5 * PetscMin(w->part[a].boundary_cell_size, w->part[b].boundary_cell_size), s->pixel_size) / PetscPowReal(2.0, APART_ROUNDS - 1));
      PetscCall(PetscFree(pairs));
      PetscCall(PetscFree(at));
      PetscCall(PetscFree(all));
      PetscCall(PetscFree2(remesh, redo));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the meshes of particles %" PetscInt_FMT " and %" PetscInt_FMT " of image '%s' cross or touch near (%.4g, %.4g) um, even with boundary cells of %.2g um where they are close; try a smaller -mesh_image_smoothing, --keep-touching (-mesh_image_keep_touching) or a larger --min-area", a + 1, b + 1, s->file, (double)x, (double)y, (double)h);
    }
    for (PetscInt i = 0; i < npairs; ++i) {
      PetscBool known = PETSC_FALSE;
      for (PetscInt q = 0; q < nall && !known; ++q) known = all[2 * q] == pairs[2 * i] && all[2 * q + 1] == pairs[2 * i + 1];
      if (!known) {
        if (nall == cap) {
          PetscInt *more;
          cap = 2 * cap + 16;
          PetscCall(PetscMalloc1(2 * cap, &more));
          if (nall) PetscCall(PetscArraycpy(more, all, 2 * nall));
          PetscCall(PetscFree(all));
          all = more;
        }
        all[2 * nall]     = pairs[2 * i];
        all[2 * nall + 1] = pairs[2 * i + 1];
        ++nall;
      }
      for (PetscInt k = 0; k < 2; ++k) {
        const PetscInt j = pairs[2 * i + k];
        if (remesh[j]) continue;
        remesh[j] = PETSC_TRUE;
        ++w->level[j];
        if (w->stage[j] == 0) w->stage[j] = 1, redo[j] = PETSC_TRUE;
      }
    }
    PetscCall(PetscFree(pairs));
    PetscCall(PetscFree(at));
    PetscCall(ParticleOutlines(s, refine, w, redo, remesh)); /* outlines made finer, and any they then meet */
  }
  if (nall) PetscCall(PetscInfo(NULL, "%" PetscInt_FMT " pairs of particles met; %" PetscInt_FMT " meshes made again with finer cells near their neighbours\n", nall, nremeshed));
  PetscCall(PetscFree(all));
  PetscCall(PetscFree2(remesh, redo));
  PetscFunctionReturn(0);
}

/* The geometry table: one row per particle meshed, in their order */
static PetscErrorCode WriteParticleTable(const ImageSpec *s, ImageWork *w, FileOut f)
{
  PetscFunctionBeginUser;
  PetscCall(FileOutPrintf(f, "particle,area_um2,perimeter_um,equivalent_diameter_um,centroid_x_um,centroid_y_um,row_min,col_min,row_max,col_max,pixels,touches_border,split\n"));
  for (PetscInt j = 0; j < w->nkept; ++j) {
    const ImageParticle   *q = &w->all.particle[w->which[j]];
    const MeshImageReport *r = &w->part[j];
    PetscCall(FileOutPrintf(f, "%" PetscInt_FMT ",%.8g,%.8g,%.8g,%.8g,%.8g,%" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT ",%d,%d\n", j + 1, (double)r->area, (double)r->perimeter, (double)r->equivalent_diameter, (double)r->centroid[0], (double)r->centroid[1], q->box[0], q->box[2], q->box[1], q->box[3], q->pixels, q->border ? 1 : 0, q->split ? 1 : 0));
  }
  PetscCall(FileOutClose(f));
  PetscCall(FileOutCheck(f));
  PetscFunctionReturn(0);
}

/* Rank 0: every particle of the image: segment, outline, mesh each, gather, table, preview */
static PetscErrorCode ImageRunAll(const ImageSpec *s, const char msh[], const char preview[], const char table[], PetscInt refine, ImageWork *w, MeshImageReport *rep)
{
  const PetscReal p = s->pixel_size;
  PetscLogDouble  t0;
  PetscInt        n;

  PetscFunctionBeginUser;
  PetscCall(ImagePreflight(s, msh, preview));
  if (table) {
    PetscCheck((!msh || strcmp(table, msh)) && (!preview || strcmp(table, preview)), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the particle table would overwrite '%s'; give the mesh another name", table);
    PetscCall(CheckOutput(table));
  }
  PetscCall(PetscTime(&t0));
  PetscCall(MeshRasterRead(s->file, s->page, &w->raster));
  PetscCall(PetscStrncpy(rep->file, s->file, sizeof(rep->file)));
  rep->rows       = w->raster.rows;
  rep->cols       = w->raster.cols;
  rep->page       = s->page;
  rep->pixel_size = p;
  rep->all        = PETSC_TRUE;
  rep->min_area   = s->min_area;
  PetscCall(Elapsed(&t0, &rep->seconds[0]));

  PetscCall(ImageSegmentAll(&w->raster, s, &w->all));
  rep->threshold         = s->labels ? 0 : (s->invert ? 1 - w->all.threshold : w->all.threshold);
  rep->otsu              = !s->labels && s->threshold < 0 ? PETSC_TRUE : PETSC_FALSE;
  rep->num_regions       = w->all.num_regions;
  rep->num_found         = 0;
  for (PetscInt k = 0; k < w->all.nparticles; ++k) rep->num_found += w->all.particle[k].fate != PARTICLE_NONE;
  rep->num_particles     = w->all.num_kept;
  rep->num_border        = w->all.num_border;
  rep->num_small         = w->all.num_small;
  rep->num_split_regions = w->all.num_split_regions;
  rep->num_split_pieces  = w->all.num_split_pieces;
  n                      = w->all.num_kept;
  {
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-mesh_image_file", where, sizeof(where)));
    PetscCheck(n > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: image '%s' has no particle to mesh: of the %" PetscInt_FMT " found, %" PetscInt_FMT " %s smaller than the minimum area %.4g um^2 (%.4g pixels; --min-area) and %" PetscInt_FMT " touch%s the image border (--keep-border meshes them)", where, s->file, rep->num_found, rep->num_small, rep->num_small == 1 ? "is" : "are", (double)s->min_area, (double)(s->min_area / (p * p)), rep->num_border, rep->num_border == 1 ? "es" : "");
    PetscCall(InputOptionWhere("-mesh_image_max_particles", where, sizeof(where)));
    PetscCheck(n <= s->max_particles, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%simage '%s' has %" PetscInt_FMT " particles to mesh, more than -mesh_image_max_particles allows (%" PetscInt_FMT "); raise it, or leave out the small ones with a larger --min-area", where[0] ? where : "", where[0] ? ": " : "", s->file, n, s->max_particles);
  }
  PetscCall(CheckContrastAll(s, w, rep));
  PetscCall(Elapsed(&t0, &rep->seconds[1]));

  /* outlines, in the particles' order */
  w->nkept = n;
  PetscCall(PetscMalloc3(n, &w->which, n, &w->keep, n, &w->part));
  PetscCall(PetscCalloc2(n, &w->stage, n, &w->level));
  PetscCall(PetscCalloc1(n, &w->outline_of));
  if (s->psf_sigma > 0) PetscCall(PetscCalloc1(n, &w->deblurred));
  PetscCall(PetscMemzero(w->part, n * sizeof(*w->part)));
  for (PetscInt k = 0; k < w->all.nparticles; ++k)
    if (w->all.particle[k].fate == PARTICLE_KEPT) w->which[w->all.particle[k].number - 1] = k;
  if (s->psf_sigma > 0) { /* each particle at its deblurred edge: alone, then with its neighbours' blur from that first pass */
    ImagePolygon *first;
    PetscCall(PetscCalloc1(n, &first));
    for (PetscInt j = 0; j < n; ++j) PetscCall(ParticleDeblurred(s, w, j, NULL, &first[j]));
    for (PetscInt j = 0; j < n; ++j) PetscCall(ParticleDeblurred(s, w, j, first, &w->deblurred[j]));
    for (PetscInt j = 0; j < n; ++j) PetscCall(ImagePolygonDestroy(&first[j]));
    PetscCall(PetscFree(first));
  }
  {
    PetscBool *redo;
    PetscCall(PetscMalloc1(n, &redo));
    for (PetscInt j = 0; j < n; ++j) redo[j] = PETSC_TRUE;
    PetscCall(ParticleOutlines(s, refine, w, redo, NULL));
    PetscCall(PetscFree(redo));
  }
  { /* the cells of all of them, against -mesh_max_cells, before Gmsh runs */
    PetscReal cells = 0, area = 0;
    char      where[PETSC_MAX_PATH_LEN] = "", what[PETSC_MAX_PATH_LEN + 256];
    PetscBool set;
    for (PetscInt j = 0; j < n; ++j) {
      cells += w->part[j].estimated_cells;
      area += w->part[j].outline_area;
    }
    rep->estimated_cells = cells;
    for (const char *const *o = (const char *const[]){"-mesh_cell_size", "-mesh_boundary_cell_size", "-mesh_boundary_layer", "-mesh_image_extrude", NULL}; *o; ++o) {
      PetscCall(PetscOptionsHasName(NULL, NULL, *o, &set));
      if (set) {
        PetscCall(InputOptionWhere(*o, where, sizeof(where)));
        break;
      }
    }
    PetscCall(PetscSNPrintf(what, sizeof(what), "the meshes of the %" PetscInt_FMT " particles of image '%s' (area %.3g um^2 in all%s; cells %s)", n, s->file, (double)area, s->extrude > 0 ? ", extruded" : "", s->cell_size > 0 ? "as given" : "of each particle's equivalent diameter / 50"));
    PetscCall(MeshCheckCellCount(cells, where, what));
  }
  PetscCall(Elapsed(&t0, &rep->seconds[2]));

  rep->dim       = s->extrude > 0 ? 3 : 2;
  rep->min_angle = 180;
  rep->d_min     = PETSC_MAX_REAL;
  if (msh) { /* each particle on its own, apart from the others, then one model of them all */
    PetscCall(ParticleMeshes(s, refine, w));
    for (PetscInt j = 0; j < n; ++j) w->edges.ntri += w->tri_of[j].ntri; /* the preview's triangles */
    PetscCall(PetscMalloc1(6 * w->edges.ntri + 1, &w->edges.tri));
    for (PetscInt j = 0, at = 0; j < n; at += w->tri_of[j].ntri, ++j)
      if (w->tri_of[j].ntri) PetscCall(PetscArraycpy(w->edges.tri + 6 * at, w->tri_of[j].tri, 6 * w->tri_of[j].ntri));
    PetscCall(FileOutCreateSuffixed(msh, ".msh", &w->mesh));
    PetscCall(PiecesWrite(n, w->piece, w->mesh));
  }
  for (PetscInt j = 0; j < n; ++j) { /* totals: of the meshes (of the outlines without) */
    const MeshImageReport *r = &w->part[j];
    rep->area += r->area;
    rep->perimeter += r->perimeter;
    rep->centroid[0] += r->area * r->centroid[0];
    rep->centroid[1] += r->area * r->centroid[1];
    rep->num_cells += r->num_cells;
    rep->num_vertices += r->num_vertices;
    rep->volume += r->volume;
    rep->outline_points += r->outline_points;
    rep->outline_area += r->outline_area;
    rep->outline_perimeter += r->outline_perimeter;
    if (msh) rep->min_angle = PetscMin(rep->min_angle, r->min_angle);
    rep->d_min = PetscMin(rep->d_min, r->equivalent_diameter);
    rep->d_max = PetscMax(rep->d_max, r->equivalent_diameter);
    rep->cell_size          = j ? PetscMin(rep->cell_size, r->cell_size) : r->cell_size;
    rep->boundary_cell_size = j ? PetscMin(rep->boundary_cell_size, r->boundary_cell_size) : r->boundary_cell_size;
    rep->boundary_layer     = j ? PetscMin(rep->boundary_layer, r->boundary_layer) : r->boundary_layer;
    rep->psf_shift += r->psf_shift / n;
  }
  rep->psf_sigma = s->psf_sigma;
  rep->centroid[0] /= rep->area;
  rep->centroid[1] /= rep->area;
  rep->equivalent_diameter = PetscSqrtReal(4 * rep->area / PETSC_PI);
  rep->thickness           = s->extrude;
  for (PetscInt j = 0; j < n; ++j) rep->particle_pixels += w->all.particle[w->which[j]].pixels;
  if (table) {
    PetscCall(FileOutCreate(table, &w->table));
    PetscCall(WriteParticleTable(s, w, w->table));
    PetscCall(PetscStrncpy(rep->table, table, sizeof(rep->table)));
  }
  PetscCall(Elapsed(&t0, &rep->seconds[3]));
  if (preview) {
    ImagePolygon *outlines;
    PetscCall(PetscMalloc1(n, &outlines));
    for (PetscInt j = 0; j < n; ++j) outlines[j] = w->outline_of[j];
    PetscCall(ImagePreviewWriteParticles(&w->raster, &w->all, outlines, w->edges.ntri, w->edges.tri, p, preview));
    PetscCall(PetscFree(outlines));
  }
  { /* the three files, or none */
    PetscErrorCode ierr = 0;
    if (table) ierr = FileOutPublish(&w->table);
    if (!ierr && msh) {
      ierr = FileOutPublish(&w->mesh);
      if (ierr && table) unlink(table);
    }
    if (ierr && preview) unlink(preview);
    PetscCall(ierr);
  }
  PetscCall(Elapsed(&t0, &rep->seconds[4]));
  PetscFunctionReturn(0);
}

static PetscErrorCode ImageMesh(MPI_Comm comm, const char msh[], const char preview[], const char table[], PetscInt refine, MeshImageReport *report)
{
  ImageSpec      spec;
  PetscMPIInt    rank;
  PetscErrorCode ierr          = 0;
  char           message[1024] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscMemzero(report, sizeof(*report)));
  PetscCall(ImageSpecFromOptions(&spec));
  if (rank == 0) {
    ImageWork     work;
    MeshCaptured captured = {0, ""};
    PetscCall(PetscMemzero(&work, sizeof(work)));
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = spec.all ? ImageRunAll(&spec, msh, preview, table, refine, &work, report) : ImageRun(&spec, msh, preview, refine, &work, report);
    PetscCall(PetscPopErrorHandler());
    PetscCall(ImageWorkDestroy(&work));
    if (ierr) {
      if (captured.code == PETSC_ERR_USER_INPUT || captured.code == PETSC_ERR_FILE_WRITE)
        PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else if (captured.code == PETSC_ERR_LIB)
        PetscCall(PetscSNPrintf(message, sizeof(message), "meshing the particle of image '%s' failed (%s); try other -mesh_cell_size / -mesh_boundary_cell_size or a smoother outline (-mesh_image_sigma, -mesh_image_smoothing)", spec.file, captured.message));
      else
        PetscCall(PetscSNPrintf(message, sizeof(message), "meshing the particle of image '%s' failed: %s", spec.file, captured.message[0] ? captured.message : "internal error"));
    }
  }
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscCallMPI(MPI_Bcast(report, sizeof(*report), MPI_BYTE, 0, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshFromImageTable(MPI_Comm comm, const char msh[], const char preview[], const char table[], MeshImageReport *report)
{
  PetscFunctionBeginUser;
  PetscCall(ImageMesh(comm, msh, preview, table, 0, report));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshFromImage(MPI_Comm comm, const char msh[], const char preview[], MeshImageReport *report)
{
  char table[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (msh) PetscCall(MeshPopulationTableBeside(msh, table, sizeof(table)));
  PetscCall(ImageMesh(comm, msh, preview, msh ? table : NULL, 0, report));
  PetscFunctionReturn(0);
}

/* The report of spot mesh --all */
static PetscErrorCode ReportViewAll(const MeshImageReport *r, const char msh[], const char preview[], PetscViewer viewer)
{
  const PetscReal p = r->pixel_size;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "image: %s, %" PetscInt_FMT " x %" PetscInt_FMT " pixels (rows x columns)", r->file, r->rows, r->cols));
  if (r->page) PetscCall(PetscViewerASCIIPrintf(viewer, ", page %" PetscInt_FMT, r->page));
  if (r->otsu || r->threshold > 0) PetscCall(PetscViewerASCIIPrintf(viewer, ", pixel %.4g um; threshold %.4g%s, edge contrast %.3g\n", (double)p, (double)r->threshold, r->otsu ? " (Otsu)" : "", (double)r->edge_contrast));
  else PetscCall(PetscViewerASCIIPrintf(viewer, ", pixel %.4g um; labels\n", (double)p));
  PetscCall(PetscViewerASCIIPrintf(viewer, "particles: %" PetscInt_FMT " found in %" PetscInt_FMT " region%s", r->num_found, r->num_regions, r->num_regions == 1 ? "" : "s"));
  if (r->num_split_regions) PetscCall(PetscViewerASCIIPrintf(viewer, " (%" PetscInt_FMT " touching region%s split by the watershed into %" PetscInt_FMT ")", r->num_split_regions, r->num_split_regions == 1 ? "" : "s", r->num_split_pieces));
  PetscCall(PetscViewerASCIIPrintf(viewer, "; %" PetscInt_FMT " kept, %" PetscInt_FMT " left out at the image border, %" PetscInt_FMT " left out as smaller than %.4g um^2 (%.4g pixels)\n", r->num_particles, r->num_border, r->num_small, (double)r->min_area, (double)(r->min_area / (p * p))));
  PetscCall(PetscViewerASCIIPrintf(viewer, "kept: area %.6g um^2, perimeter %.6g um in all; equivalent diameters %.4g to %.4g um; centroid of all (%.5g, %.5g) um\n", (double)r->area, (double)r->perimeter, (double)r->d_min, (double)r->d_max, (double)r->centroid[0], (double)r->centroid[1]));
  if (r->psf_sigma > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "outlines at the deblurred edge (PSF sigma %.4g um): each particle's own half level between its background and plateau, fitted through the blur, then moved out %.3g um on average for the curvature\n", (double)r->psf_sigma, (double)r->psf_shift));
  if (msh) {
    if (r->dim == 3)
      PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s, %" PetscInt_FMT " particle%s, 3-D platelets %.4g um thick (volume %.5g um^3), %" PetscInt_FMT " tetrahedra, %" PetscInt_FMT " nodes", msh, r->num_particles, r->num_particles == 1 ? "" : "s", (double)r->thickness, (double)r->volume, r->num_cells, r->num_vertices));
    else
      PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s, %" PetscInt_FMT " particle%s, 2-D, %" PetscInt_FMT " triangles, %" PetscInt_FMT " nodes", msh, r->num_particles, r->num_particles == 1 ? "" : "s", r->num_cells, r->num_vertices));
    PetscCall(PetscViewerASCIIPrintf(viewer, ", smallest cells %.3g um (%.3g um at the surface), smallest angle %.1f deg\n", (double)r->cell_size, (double)r->boundary_cell_size, (double)r->min_angle));
  }
  if (r->table[0]) PetscCall(PetscViewerASCIIPrintf(viewer, "table: %s\n", r->table));
  if (preview) PetscCall(PetscViewerASCIIPrintf(viewer, "preview: %s\n", preview));
  PetscCall(PetscViewerASCIIPrintf(viewer, "time: read %.3f s, segment %.3f s, outline %.3f s, mesh %.3f s, preview %.3f s\n", (double)r->seconds[0], (double)r->seconds[1], (double)r->seconds[2], (double)r->seconds[3], (double)r->seconds[4]));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshImageReportView(const MeshImageReport *r, const char msh[], const char preview[], PetscViewer viewer)
{
  const PetscReal p = r->pixel_size;

  PetscFunctionBeginUser;
  if (r->all) {
    PetscCall(ReportViewAll(r, msh, preview, viewer));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "image: %s, %" PetscInt_FMT " x %" PetscInt_FMT " pixels (rows x columns)", r->file, r->rows, r->cols));
  if (r->page) PetscCall(PetscViewerASCIIPrintf(viewer, ", page %" PetscInt_FMT, r->page));
  PetscCall(PetscViewerASCIIPrintf(viewer, ", pixel %.4g um; threshold %.4g%s, edge contrast %.3g; particle %" PetscInt_FMT " pixels (1 of %" PetscInt_FMT " region%s", (double)p, (double)r->threshold, r->otsu ? " (Otsu)" : (r->psf_sigma > 0 ? " (half-level)" : ""), (double)r->edge_contrast, r->particle_pixels, r->num_regions, r->num_regions == 1 ? "" : "s"));
  if (r->holes_filled) PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " hole pixels filled", r->holes_filled));
  PetscCall(PetscViewerASCIIPrintf(viewer, ")%s\n", r->border_pixels ? ", touching the image border" : ""));
  if (r->psf_sigma > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "outline at the deblurred edge (PSF sigma %.4g um): half-level %.4g between background %.4g and particle %.4g fitted through the blur, moved out %.3g um on average for the curvature (half-level contour %.6g um^2)\n", (double)r->psf_sigma, (double)r->threshold, (double)r->psf_background, (double)r->psf_plateau, (double)r->psf_shift, (double)r->psf_half_area));
  PetscCall(PetscViewerASCIIPrintf(viewer, "particle: area %.6g um^2, perimeter %.6g um, equivalent diameter %.5g um, centroid (%.5g, %.5g) um = pixel (row %.1f, col %.1f)\n", (double)r->area, (double)r->perimeter, (double)r->equivalent_diameter, (double)r->centroid[0], (double)r->centroid[1], (double)(r->centroid[1] / p - 0.5), (double)(r->centroid[0] / p - 0.5)));
  if (msh) {
    if (r->dim == 3)
      PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s, 3-D platelet %.4g um thick (volume %.5g um^3), %" PetscInt_FMT " tetrahedra, %" PetscInt_FMT " nodes", msh, (double)r->thickness, (double)r->volume, r->num_cells, r->num_vertices));
    else
      PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s, 2-D, %" PetscInt_FMT " triangles, %" PetscInt_FMT " nodes", msh, r->num_cells, r->num_vertices));
    PetscCall(PetscViewerASCIIPrintf(viewer, ", cell size %.3g um (%.3g um at the surface, over %.3g um), smallest angle %.1f deg\n", (double)r->cell_size, (double)r->boundary_cell_size, (double)r->boundary_layer, (double)r->min_angle));
  }
  if (preview) PetscCall(PetscViewerASCIIPrintf(viewer, "preview: %s\n", preview));
  PetscCall(PetscViewerASCIIPrintf(viewer, "time: read %.3f s, segment %.3f s, outline %.3f s, mesh %.3f s, preview %.3f s\n", (double)r->seconds[0], (double)r->seconds[1], (double)r->seconds[2], (double)r->seconds[3], (double)r->seconds[4]));
  PetscFunctionReturn(0);
}

/* spot run with <mesh><image>: mesh into path, preview beside it, report on stdout */
PetscErrorCode MeshImageWrite(MPI_Comm comm, const char path[])
{
  MeshImageReport report;
  char            preview[PETSC_MAX_PATH_LEN], table[PETSC_MAX_PATH_LEN];
  const char     *slash = strrchr(path, '/');
  PetscInt        refine = 0;

  PetscFunctionBeginUser;
  if (slash)
    PetscCall(PetscSNPrintf(preview, sizeof(preview), "%.*s/particle_preview.png", (int)(slash - path), path));
  else
    PetscCall(PetscStrncpy(preview, "particle_preview.png", sizeof(preview)));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_refine", &refine, NULL)); /* mesh/load.c refines the mesh after: part of the estimate */
  PetscCall(MeshParticleTablePath(path, table, sizeof(table)));
  PetscCall(ImageMesh(comm, path, preview, table, PetscMax(0, PetscMin(refine, 6)), &report));
  PetscCall(MeshImageReportView(&report, path, preview, PETSC_VIEWER_STDOUT_(comm)));
  PetscFunctionReturn(0);
}
