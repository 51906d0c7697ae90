/* A population of particles made without an image: drawn from a size distribution, or listed
   by hand. One msh 4.1 file (groups particle_<k>, surface_<k>, and the unions "particle" and
   "surface", as spot mesh --all writes) and the table <stem>_particles.csv of their geometry.

   Drawn (-mesh_population_count N): N discs of radius r, ln r ~ N(ln r_median, σ²) truncated at
   ±3σ, drawn by splitmix64 + Box–Muller from -mesh_population_seed (every platform, every rank
   count draws the same), then placed by random sequential placement (largest first, uniform
   centres, at most POP_TRIES tries each) in a square box of side L = sqrt(Σ π r² / φ), φ the
   packing fraction, each disc inside the box and at least the gap g from every other.

   Listed (-mesh_population_file F): a CSV table, one row per particle, columns x_um, y_um and
   either radius_um (discs) or semi_axis_a_um, semi_axis_b_um and optionally angle_deg
   (ellipses, angle from the x axis towards the y axis). No two may overlap or touch (or come
   closer than -mesh_population_gap when given).

   Particles are numbered by centroid, top to bottom then left to right (y grows down, the image
   frame of mesh.h). Cell sizes follow each particle (a built-in disc's defaults: equivalent
   diameter / 30 inside, / 2.5 at the surface, graded over 0.15 diameter) unless -mesh_cell_size,
   -mesh_boundary_cell_size, -mesh_boundary_layer are given; Gmsh gets them from a size callback
   that knows which particle each entity is. The cell count is estimated before anything is
   placed or meshed and refused above -mesh_max_cells. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

#define POP_MAX_COUNT 1000000 /* -mesh_population_count at most */
#define POP_TRIES     10000   /* random positions tried for one disc before giving up */
#define POP_POLYGON   256     /* points of an ellipse's outline in the distance between ellipses */

typedef struct {
  PetscReal x, y;  /* centre, µm */
  PetscReal a, b;  /* semi-axes, µm (a = b = r for a disc) */
  PetscReal angle; /* degrees, from x towards y */
  PetscInt  line;  /* line of the listed table; 0 when drawn */
  PetscReal h, h_s, w;
} PopParticle;

typedef struct {
  PetscBool    drawn;
  char         file[PETSC_MAX_PATH_LEN];
  PetscInt     n;
  PopParticle *p; /* in mesh order (by centroid) */
  PetscReal    median, spread, gap, fraction, box, seed;
  PetscBool    sizes_given;
  PetscReal    estimate;
} PopSpec;

/* ---------------------------------------------------------------- the generator ---------- */
static uint64_t SplitMix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

static double Uniform(uint64_t *state) /* in (0, 1) */
{
  return ((double)(SplitMix64(state) >> 11) + 0.5) * 0x1.0p-53;
}

static double Normal(uint64_t *state) /* Box–Muller, one value per pair */
{
  const double u1 = Uniform(state), u2 = Uniform(state);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * PETSC_PI * u2);
}

/* ---------------------------------------------------------------- options ---------------- */
/* A number option (no unit): finite, in [lo, hi]; whole when asked */
static PetscErrorCode GetNumber(const char name[], PetscReal lo, PetscReal hi, PetscBool whole, const char what[], PetscReal *value, PetscBool *set)
{
  char      text[256], where[PETSC_MAX_PATH_LEN], *end;
  PetscReal v;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), set));
  if (!*set) PetscFunctionReturn(0);
  v = strtod(text, &end);
  while (*end == ' ') ++end;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(end != text && !*end && v >= lo && v <= hi && (!whole || v == PetscFloorReal(v)), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: %s must be a %s from %.15g to %.15g, got '%s'", where, what, whole ? "whole number" : "number", (double)lo, (double)hi, text);
  *value = v;
  PetscFunctionReturn(0);
}

static PetscReal EllipsePerimeter(PetscReal a, PetscReal b)
{
  const PetscReal q = PetscSqr((a - b) / (a + b));
  return PETSC_PI * (a + b) * (1 + 3 * q / (10 + PetscSqrtReal(4 - 3 * q)));
}

/* Cell sizes of each particle, their lower limit, and the estimate against -mesh_max_cells */
static PetscErrorCode PopSizes(PopSpec *s, const char source[])
{
  PetscReal h = 0, h_s = 0, w = 0, total = 0, area = 0;
  PetscBool hset, hsset, wset;
  char      where[PETSC_MAX_PATH_LEN], what[512];

  PetscFunctionBeginUser;
  PetscCall(MeshGetLength("-mesh_cell_size", "the cell size", &h, &hset));
  PetscCall(MeshGetLength("-mesh_boundary_cell_size", "the boundary cell size", &h_s, &hsset));
  PetscCall(MeshGetLength("-mesh_boundary_layer", "the boundary layer", &w, &wset));
  s->sizes_given = hset || hsset || wset ? PETSC_TRUE : PETSC_FALSE;
  for (PetscInt k = 0; k < s->n; ++k) {
    PopParticle    *q = &s->p[k];
    const PetscReal measure = PETSC_PI * q->a * q->b, d = PetscSqrtReal(4 * measure / PETSC_PI);
    PetscReal       cells;
    q->h   = hset ? h : d / 30;
    q->h_s = hsset ? h_s : q->h / 2.5;
    q->w   = wset ? w : 0.15 * d;
    PetscCheck(q->h >= MESH_LATTICE_SPACING && q->h_s >= MESH_LATTICE_SPACING, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the cells of a %.3g um particle (%.3g um, %.3g um at the surface) would be smaller than a lattice spacing (%.6g um = 0.3 nm), where a continuum model means nothing; give a larger -mesh_cell_size and -mesh_boundary_cell_size", source, (double)d, (double)q->h, (double)q->h_s, (double)MESH_LATTICE_SPACING);
    PetscCall(MeshEstimateCells(2, measure, EllipsePerimeter(q->a, q->b), 0, q->h, q->h_s, q->w, &cells));
    total += cells;
    area += measure;
  }
  s->estimate = total;
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s", source));
  if (hset || hsset || wset) PetscCall(InputOptionWhere(hset ? "-mesh_cell_size" : hsset ? "-mesh_boundary_cell_size" : "-mesh_boundary_layer", where, sizeof(where)));
  PetscCall(PetscSNPrintf(what, sizeof(what), "the meshes of the %" PetscInt_FMT " particles (area %.3g um^2 in all; %s)", s->n, (double)area, hset ? "cells as given" : "cells of each particle's equivalent diameter / 30"));
  PetscCall(MeshCheckCellCount(total, where, what));
  PetscFunctionReturn(0);
}

/* Draw the radii (before anything else: the estimate is checked before placing) */
static PetscErrorCode PopDrawRadii(PopSpec *s, uint64_t *state)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < s->n; ++k) {
    double z;
    do z = Normal(state);
    while (PetscAbsReal(z) > 3); /* truncated at 3 σ: no particle from the far tail */
    s->p[k].a = s->p[k].b = s->median * exp(s->spread * z);
  }
  PetscFunctionReturn(0);
}

static int CompareRadiusDescending(const void *x, const void *y)
{
  const PopParticle *a = (const PopParticle *)x, *b = (const PopParticle *)y;
  return a->a > b->a ? -1 : a->a < b->a ? 1 : 0;
}

/* Random sequential placement of the discs in the box, largest first; a uniform grid of cells
   2 r_max + g wide holds the placed ones, so a try looks at 9 cells */
static PetscErrorCode PopPlace(PopSpec *s, uint64_t *state, const char where[])
{
  PetscReal area = 0, rmax = 0, cell, L;
  PetscInt  m, *head, *next;

  PetscFunctionBeginUser;
  qsort(s->p, (size_t)s->n, sizeof(PopParticle), CompareRadiusDescending); /* ties keep no order: equal radii are interchangeable */
  for (PetscInt k = 0; k < s->n; ++k) {
    area += PETSC_PI * s->p[k].a * s->p[k].a;
    rmax = PetscMax(rmax, s->p[k].a);
  }
  L      = PetscSqrtReal(area / s->fraction);
  s->box = L;
  PetscCheck(L > 2 * rmax, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the box for a packing fraction %.3g (%.4g um wide) is narrower than the largest disc (%.4g um across); lower -mesh_population_fraction or the spread", where, (double)s->fraction, (double)L, (double)(2 * rmax));
  cell = 2 * rmax + s->gap;
  m    = (PetscInt)PetscMax(1, PetscFloorReal(L / cell));
  PetscCheck((PetscReal)m * m <= 4.0 * s->n + 16, PETSC_COMM_SELF, PETSC_ERR_PLIB, "placement grid of %" PetscInt_FMT "^2 cells", m);
  cell = L / m; /* at least 2 r_max + g */
  PetscCall(PetscMalloc2(m * m, &head, s->n, &next));
  for (PetscInt i = 0; i < m * m; ++i) head[i] = -1;
  for (PetscInt k = 0; k < s->n; ++k) {
    PopParticle *q = &s->p[k];
    PetscInt     t;
    for (t = 0; t < POP_TRIES; ++t) {
      const PetscReal x = q->a + (L - 2 * q->a) * Uniform(state), y = q->a + (L - 2 * q->a) * Uniform(state);
      const PetscInt  ci = PetscMin(m - 1, (PetscInt)(x / cell)), cj = PetscMin(m - 1, (PetscInt)(y / cell));
      PetscBool       free_ = PETSC_TRUE;
      for (PetscInt i = PetscMax(0, ci - 1); i <= PetscMin(m - 1, ci + 1) && free_; ++i)
        for (PetscInt j = PetscMax(0, cj - 1); j <= PetscMin(m - 1, cj + 1) && free_; ++j)
          for (PetscInt o = head[j * m + i]; o >= 0 && free_; o = next[o]) {
            const PetscReal reach = q->a + s->p[o].a + s->gap;
            if (PetscSqr(x - s->p[o].x) + PetscSqr(y - s->p[o].y) < reach * reach) free_ = PETSC_FALSE;
          }
      if (free_) {
        q->x                = x;
        q->y                = y;
        next[k]             = head[cj * m + ci];
        head[cj * m + ci]   = k;
        break;
      }
    }
    if (t == POP_TRIES) {
      PetscCall(PetscFree2(head, next));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: cannot place %" PetscInt_FMT " discs %.4g um apart in a %.4g um square (packing fraction %.3g): disc %" PetscInt_FMT " of %" PetscInt_FMT " (largest first, radius %.4g um) found no room in %d tries; lower -mesh_population_fraction or -mesh_population_gap", where, s->n, (double)s->gap, (double)L, (double)s->fraction, k + 1, s->n, (double)q->a, POP_TRIES);
    }
  }
  PetscCall(PetscFree2(head, next));
  PetscFunctionReturn(0);
}

/* An ellipse's outline as a polygon (counter-clockwise in x, y) */
static void Outline(const PopParticle *q, PetscInt n, PetscReal xy[])
{
  const PetscReal c = cos(q->angle * PETSC_PI / 180), s = sin(q->angle * PETSC_PI / 180);
  for (PetscInt i = 0; i < n; ++i) {
    const PetscReal t = 2 * PETSC_PI * i / n, u = q->a * cos(t), v = q->b * sin(t);
    xy[2 * i]     = q->x + c * u - s * v;
    xy[2 * i + 1] = q->y + s * u + c * v;
  }
}

static PetscBool Inside(const PopParticle *q, PetscReal x, PetscReal y)
{
  const PetscReal c = cos(q->angle * PETSC_PI / 180), s = sin(q->angle * PETSC_PI / 180), dx = x - q->x, dy = y - q->y;
  const PetscReal u = (c * dx + s * dy) / q->a, v = (-s * dx + c * dy) / q->b;
  return u * u + v * v <= 1 ? PETSC_TRUE : PETSC_FALSE;
}

static PetscReal PointSegment(PetscReal px, PetscReal py, const PetscReal a[], const PetscReal b[])
{
  const PetscReal dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
  PetscReal       t  = l2 > 0 ? ((px - a[0]) * dx + (py - a[1]) * dy) / l2 : 0;
  t                  = PetscMax(0, PetscMin(1, t));
  return PetscSqrtReal(PetscSqr(px - a[0] - t * dx) + PetscSqr(py - a[1] - t * dy));
}

/* Distance between the outlines of two particles, negative when they overlap: exact for two
   discs, from outlines of POP_POLYGON points otherwise (within a.1e-4 of the size) */
static PetscReal Separation(const PopParticle *p, const PopParticle *q)
{
  PetscReal xp[2 * POP_POLYGON], xq[2 * POP_POLYGON], best = PETSC_MAX_REAL;
  const PetscReal centres = PetscSqrtReal(PetscSqr(p->x - q->x) + PetscSqr(p->y - q->y));

  if (p->a == p->b && q->a == q->b) return centres - p->a - q->a;
  Outline(p, POP_POLYGON, xp);
  Outline(q, POP_POLYGON, xq);
  if (Inside(q, p->x, p->y) || Inside(p, q->x, q->y)) return -1;
  for (PetscInt i = 0; i < POP_POLYGON; ++i)
    if (Inside(q, xp[2 * i], xp[2 * i + 1]) || Inside(p, xq[2 * i], xq[2 * i + 1])) return -1;
  for (PetscInt i = 0; i < POP_POLYGON; ++i)
    for (PetscInt j = 0; j < POP_POLYGON; ++j) {
      const PetscInt jn = (j + 1) % POP_POLYGON;
      best = PetscMin(best, PointSegment(xp[2 * i], xp[2 * i + 1], &xq[2 * j], &xq[2 * jn]));
      best = PetscMin(best, PointSegment(xq[2 * i], xq[2 * i + 1], &xp[2 * j], &xp[2 * jn]));
    }
  return best;
}

static int CompareLeft(const void *x, const void *y)
{
  const PopParticle *a = (const PopParticle *)x, *b = (const PopParticle *)y;
  const PetscReal    la = a->x - PetscMax(a->a, a->b), lb = b->x - PetscMax(b->a, b->b);
  return la < lb ? -1 : la > lb ? 1 : (a->line < b->line ? -1 : a->line > b->line);
}

/* No two listed particles overlap, touch, or come closer than the gap: sweep along x */
static PetscErrorCode PopCheckApart(PopSpec *s, const char where[])
{
  PetscFunctionBeginUser;
  qsort(s->p, (size_t)s->n, sizeof(PopParticle), CompareLeft);
  for (PetscInt i = 0; i < s->n; ++i) {
    const PopParticle *p     = &s->p[i];
    const PetscReal    right = p->x + PetscMax(p->a, p->b);
    for (PetscInt j = i + 1; j < s->n && s->p[j].x - PetscMax(s->p[j].a, s->p[j].b) <= right + s->gap; ++j) {
      const PopParticle *q = &s->p[j], *first = p->line < q->line ? p : q, *second = p->line < q->line ? q : p;
      PetscReal          d;
      if (PetscAbsReal(p->y - q->y) > PetscMax(p->a, p->b) + PetscMax(q->a, q->b) + s->gap) continue;
      d = Separation(p, q);
      PetscCheck(d > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' lines %" PetscInt_FMT " and %" PetscInt_FMT ": the particles %s (centres (%.6g, %.6g) and (%.6g, %.6g) um); particles of a population must be apart", where, s->file, first->line, second->line, d < 0 ? "overlap" : "touch", (double)first->x, (double)first->y, (double)second->x, (double)second->y);
      if (d < s->gap) {
        char gap_where[PETSC_MAX_PATH_LEN];
        PetscCall(InputOptionWhere("-mesh_population_gap", gap_where, sizeof(gap_where)));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' lines %" PetscInt_FMT " and %" PetscInt_FMT ": the particles are %.4g um apart, less than the gap asked for (%.4g um)", gap_where, s->file, first->line, second->line, (double)d, (double)s->gap);
      }
    }
  }
  PetscFunctionReturn(0);
}

static int CompareCentroid(const void *x, const void *y)
{
  const PopParticle *a = (const PopParticle *)x, *b = (const PopParticle *)y;
  const PetscReal    tol = 1e-9 * (PetscAbsReal(a->y) + PetscAbsReal(b->y) + 1);
  if (a->y < b->y - tol) return -1;
  if (a->y > b->y + tol) return 1;
  return a->x < b->x ? -1 : a->x > b->x ? 1 : 0;
}

/* The listed table: rows checked one by one, with their line */
static PetscErrorCode PopReadList(MPI_Comm comm, PopSpec *s, const char where[])
{
  InputTable     t;
  PetscInt       cx = -1, cy = -1, cr = -1, ca = -1, cb = -1, cang = -1;
  const char    *known[] = {"x_um", "y_um", "radius_um", "semi_axis_a_um", "semi_axis_b_um", "angle_deg"};
  PetscInt      *col[]   = {&cx, &cy, &cr, &ca, &cb, &cang};
  char           path[PETSC_MAX_PATH_LEN];
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s", s->file));
  PetscCall(InputCheckFile(comm, path, where, 0));
  PetscCall(InputTableRead(comm, path, &t));
  for (PetscInt j = 0; j < t.ncols; ++j) {
    PetscBool ok = PETSC_FALSE;
    for (int m = 0; m < 6; ++m)
      if (!strcmp(t.names[j], known[m])) {
        ok      = PETSC_TRUE;
        *col[m] = j;
      }
    if (!ok) {
      char name[64];
      PetscCall(PetscSNPrintf(name, sizeof(name), "%s", t.names[j]));
      PetscCall(InputTableDestroy(&t));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' has a column '%s'; a population table has the columns x_um, y_um and radius_um (discs), or x_um, y_um, semi_axis_a_um, semi_axis_b_um and angle_deg (ellipses)", where, path, name);
    }
  }
  ierr = 0;
  if (cx < 0 || cy < 0 || (cr < 0) == (ca < 0 || cb < 0) || ((ca >= 0) != (cb >= 0)) || (cang >= 0 && cr >= 0)) ierr = PETSC_ERR_USER_INPUT;
  if (!ierr && t.nrows == 0) ierr = PETSC_ERR_ARG_SIZ;
  if (ierr) {
    PetscCall(InputTableDestroy(&t));
    PetscCheck(ierr != PETSC_ERR_USER_INPUT, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' needs the columns x_um, y_um and radius_um (discs), or x_um, y_um, semi_axis_a_um, semi_axis_b_um and optionally angle_deg (ellipses)", where, path);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' lists no particle (a header and no rows)", where, path);
  }
  if (t.nrows > POP_MAX_COUNT) {
    const PetscInt n = t.nrows;
    PetscCall(InputTableDestroy(&t));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' lists %" PetscInt_FMT " particles, more than a population may have (%d)", where, path, n, POP_MAX_COUNT);
  }
  s->n = t.nrows;
  PetscCall(PetscCalloc1(s->n, &s->p));
  for (PetscInt r = 0; r < t.nrows; ++r) {
    const PetscReal *row = &t.values[r * t.ncols];
    PopParticle     *q   = &s->p[r];
    char             message[512] = "";
    q->x     = row[cx];
    q->y     = row[cy];
    q->a     = cr >= 0 ? row[cr] : row[ca];
    q->b     = cr >= 0 ? row[cr] : row[cb];
    q->angle = cang >= 0 ? row[cang] : 0;
    q->line  = t.lines[r];
    if (!(PetscAbsReal(q->x) <= MESH_FARTHEST_CENTER && PetscAbsReal(q->y) <= MESH_FARTHEST_CENTER)) PetscCall(PetscSNPrintf(message, sizeof(message), "the centre (%g, %g) um must be finite and within 1e6 um (1 m) of the origin", (double)q->x, (double)q->y));
    else if (!(PetscAbsReal(q->angle) <= 360)) PetscCall(PetscSNPrintf(message, sizeof(message), "angle_deg must be from -360 to 360, got %g", (double)q->angle));
    else
      for (int m = 0; m < 2 && !message[0]; ++m) {
        const PetscReal v    = m ? q->b : q->a;
        const char     *name = cr >= 0 ? "radius_um" : m ? "semi_axis_b_um" : "semi_axis_a_um";
        if (!(v >= MESH_SMALLEST_PARTICLE && v <= MESH_LARGEST_PARTICLE)) PetscCall(PetscSNPrintf(message, sizeof(message), "%s must be a length from 0.01 um (10 nm) to 1000 um (1 mm), got %g", name, (double)v));
      }
    if (message[0]) {
      PetscCall(InputTableDestroy(&t));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: '%s' line %" PetscInt_FMT ": %s", where, path, q->line, message);
    }
  }
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

/* The -mesh_population_ options, checked; the particles drawn and placed, or read and checked.
   Every rank does the same (the draws are reproducible), so errors are collective. */
static PetscErrorCode PopSpecFromOptions(MPI_Comm comm, PopSpec *s)
{
  PetscBool count_set, file_set, set;
  PetscReal count = 0;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_population_file", s->file, sizeof(s->file), &file_set));
  PetscCall(GetNumber("-mesh_population_count", 1, POP_MAX_COUNT, PETSC_TRUE, "the particle count", &count, &count_set));
  PetscCheck(count_set != file_set, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s", count_set ? "option -mesh_population_file: give a population drawn (-mesh_population_count) or listed (-mesh_population_file), not both" : "a population needs -mesh_population_count N or -mesh_population_file F");
  s->drawn = count_set;
  if (s->drawn) {
    uint64_t state;
    PetscCall(InputOptionWhere("-mesh_population_count", where, sizeof(where)));
    PetscCall(MeshGetLength("-mesh_population_radius_median", "the median radius", &s->median, &set));
    PetscCheck(set, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: a drawn population needs its median radius (-mesh_population_radius_median, e.g. 1um)", where);
    {
      char w[PETSC_MAX_PATH_LEN];
      PetscCall(InputOptionWhere("-mesh_population_radius_median", w, sizeof(w)));
      PetscCheck(s->median >= MESH_SMALLEST_PARTICLE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the median radius of %.6g um is smaller than any real particle (at least 0.01 um = 10 nm)", w, (double)s->median);
    }
    PetscCall(GetNumber("-mesh_population_radius_spread", 0, 1.5, PETSC_FALSE, "the spread sigma of ln r", &s->spread, &set));
    s->seed = 1;
    PetscCall(GetNumber("-mesh_population_seed", 0, 9007199254740992.0, PETSC_TRUE, "the seed", &s->seed, &set));
    s->gap = 0.1 * s->median;
    PetscCall(MeshGetLength("-mesh_population_gap", "the gap between particles", &s->gap, &set));
    s->fraction = 0.4;
    PetscCall(GetNumber("-mesh_population_fraction", 0.001, 0.7, PETSC_FALSE, "the packing fraction", &s->fraction, &set));
    s->n = (PetscInt)count;
    PetscCall(PetscCalloc1(s->n, &s->p));
    state = (uint64_t)s->seed;
    PetscCall(PopDrawRadii(s, &state));
    PetscCall(PopSizes(s, where)); /* before placing: a count too large is refused at once */
    {
      char w[PETSC_MAX_PATH_LEN];
      PetscCall(InputOptionWhere(set ? "-mesh_population_fraction" : "-mesh_population_count", w, sizeof(w)));
      PetscCall(PopPlace(s, &state, w));
    }
  } else {
    const char *others[] = {"-mesh_population_radius_median", "-mesh_population_radius_spread", "-mesh_population_seed", "-mesh_population_fraction"};
    PetscCall(InputOptionWhere("-mesh_population_file", where, sizeof(where)));
    PetscCheck(s->file[0], PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: needs a file name", where);
    for (size_t k = 0; k < sizeof(others) / sizeof(others[0]); ++k) {
      char w[PETSC_MAX_PATH_LEN];
      PetscCall(PetscOptionsHasName(NULL, NULL, others[k], &set));
      PetscCall(InputOptionWhere(others[k], w, sizeof(w)));
      PetscCheck(!set, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: only for a drawn population (-mesh_population_count); a listed one has its sizes and places in '%s'", w, s->file);
    }
    s->gap = 0;
    PetscCall(MeshGetLength("-mesh_population_gap", "the gap between particles", &s->gap, &set));
    PetscCall(PopReadList(comm, s, where));
    PetscCall(PopCheckApart(s, where));
    PetscCall(PopSizes(s, where));
  }
  qsort(s->p, (size_t)s->n, sizeof(PopParticle), CompareCentroid); /* the mesh's order */
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- meshing ---------------- */
typedef struct {
  const PopSpec *spec;
  PetscInt      *of[3]; /* of[dim][tag]: the particle of a Gmsh entity, or -1 */
  PetscInt       max[3];
} SizeContext;

/* Size at (x, y) in entity (dim, tag): h_s on the outline growing linearly to h at depth w */
static double PopSize(int dim, int tag, double x, double y, double z, void *data)
{
  const SizeContext *ctx = (const SizeContext *)data;
  const PopParticle *q;
  PetscReal          depth, c, s, u, v, rho;
  PetscInt           k;

  if (dim < 0 || dim > 2 || tag < 0 || tag > ctx->max[dim] || (k = ctx->of[dim][tag]) < 0) return 1e22; /* not ours: no constraint */
  q = &ctx->spec->p[k];
  if (dim < 2) return q->h_s;
  c     = cos(q->angle * PETSC_PI / 180);
  s     = sin(q->angle * PETSC_PI / 180);
  u     = (c * (x - q->x) + s * (y - q->y)) / q->a;
  v     = (-s * (x - q->x) + c * (y - q->y)) / q->b;
  rho   = PetscSqrtReal(u * u + v * v);
  depth = PetscMax(0, 1 - rho) * PetscMin(q->a, q->b); /* exact for a disc, a lower bound of the distance for an ellipse */
  return depth >= q->w ? q->h : q->h_s + (q->h - q->h_s) * depth / q->w;
}

typedef struct {
  PetscReal area, perimeter, centroid[2];
  PetscInt  cells;
} PopMeasure;

/* Build, mesh and write the model; measure each particle on the mesh. Rank 0 only. */
static PetscErrorCode PopMesh(const PopSpec *s, FileOut f, PopMeasure *m, MeshPopulationReport *r)
{
  int        *surf, *curve, g;
  SizeContext ctx;
  size_t     *ntags = NULL, nn = 0, ncoord = 0, nparam = 0;
  double     *coord = NULL, *param = NULL;
  PetscInt   *index = NULL;
  size_t      maxtag = 0;

  PetscFunctionBeginUser;
  PetscCall(GmshStart());
  GmshCall(gmshModelAdd("population", GIERR));
  PetscCall(PetscMalloc2(s->n, &surf, s->n, &curve));
  for (PetscInt k = 0; k < s->n; ++k) {
    const PopParticle *q    = &s->p[k];
    const PetscBool    turn = q->b > q->a ? PETSC_TRUE : PETSC_FALSE; /* OpenCASCADE wants rx >= ry */
    const PetscReal    turn_by = q->angle * PETSC_PI / 180 + (turn ? PETSC_PI / 2 : 0);
    int                dt[2];
    GmshCall(surf[k] = gmshModelOccAddDisk(q->x, q->y, 0, PetscMax(q->a, q->b), PetscMin(q->a, q->b), -1, GIERR));
    dt[0] = 2;
    dt[1] = surf[k];
    if (q->a != q->b && turn_by != 0) GmshCall(gmshModelOccRotate(dt, 2, q->x, q->y, 0, 0, 0, 1, turn_by, GIERR));
  }
  GmshCall(gmshModelOccSynchronize(GIERR));
  ctx.spec = s;
  for (int d = 0; d < 3; ++d) {
    int   *dimtags = NULL;
    size_t nd      = 0;
    GmshCall(gmshModelGetEntities(&dimtags, &nd, d, GIERR));
    ctx.max[d] = 0;
    for (size_t i = 0; i < nd / 2; ++i) ctx.max[d] = PetscMax(ctx.max[d], dimtags[2 * i + 1]);
    gmshFree(dimtags);
    PetscCall(PetscMalloc1(ctx.max[d] + 1, &ctx.of[d]));
    for (PetscInt i = 0; i <= ctx.max[d]; ++i) ctx.of[d][i] = -1;
  }
  for (PetscInt k = 0; k < s->n; ++k) { /* the outline and its point(s) of each disc */
    int    dt[2] = {2, surf[k]}, *bnd = NULL;
    size_t nb    = 0;
    PetscCheck(surf[k] <= ctx.max[2], PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh lost a disc");
    ctx.of[2][surf[k]] = k;
    GmshCall(gmshModelGetBoundary(dt, 2, &bnd, &nb, 0, 0, 0, GIERR));
    PetscCheck(nb == 2 && bnd[1] >= 0 && bnd[1] <= ctx.max[1], PETSC_COMM_SELF, PETSC_ERR_LIB, "a disc of Gmsh has %zu outlines", nb / 2);
    curve[k]            = bnd[1];
    ctx.of[1][curve[k]] = k;
    gmshFree(bnd);
    GmshCall(gmshModelGetBoundary(dt, 2, &bnd, &nb, 0, 0, 1, GIERR));
    for (size_t i = 0; i < nb / 2; ++i)
      if (bnd[2 * i] == 0 && bnd[2 * i + 1] >= 0 && bnd[2 * i + 1] <= ctx.max[0]) ctx.of[0][bnd[2 * i + 1]] = k;
    gmshFree(bnd);
  }
  GmshCall(g = gmshModelAddPhysicalGroup(1, curve, (size_t)s->n, -1, GIERR));
  GmshCall(gmshModelSetPhysicalName(1, g, MESH_SURFACE_LABEL, GIERR));
  GmshCall(g = gmshModelAddPhysicalGroup(2, surf, (size_t)s->n, -1, GIERR));
  GmshCall(gmshModelSetPhysicalName(2, g, "particle", GIERR));
  for (PetscInt k = 0; k < s->n; ++k) {
    char name[64];
    PetscCall(PetscSNPrintf(name, sizeof(name), "particle_%" PetscInt_FMT, k + 1));
    GmshCall(g = gmshModelAddPhysicalGroup(2, &surf[k], 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(2, g, name, GIERR));
    PetscCall(PetscSNPrintf(name, sizeof(name), "surface_%" PetscInt_FMT, k + 1));
    GmshCall(g = gmshModelAddPhysicalGroup(1, &curve[k], 1, -1, GIERR));
    GmshCall(gmshModelSetPhysicalName(1, g, name, GIERR));
  }
  GmshCall(gmshModelMeshSetSizeCallback(PopSize, &ctx, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeExtendFromBoundary", 0, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromPoints", 0, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.MeshSizeFromCurvature", 0, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Algorithm", 6, GIERR));
  GmshCall(gmshOptionSetNumber("Mesh.Smoothing", 5, GIERR));
  GmshCall(gmshModelMeshGenerate(2, GIERR));
  GmshCall(gmshModelMeshRemoveSizeCallback(GIERR));
  for (int d = 0; d < 3; ++d) PetscCall(PetscFree(ctx.of[d]));

  /* measures on the mesh */
  GmshCall(gmshModelMeshGetNodes(&ntags, &nn, &coord, &ncoord, &param, &nparam, -1, -1, 0, 0, GIERR));
  for (size_t i = 0; i < nn; ++i) maxtag = PetscMax(maxtag, ntags[i]);
  PetscCall(PetscMalloc1(maxtag + 1, &index));
  for (size_t i = 0; i <= maxtag; ++i) index[i] = -1;
  for (size_t i = 0; i < nn; ++i) index[ntags[i]] = (PetscInt)i;
  r->num_vertices = (PetscInt)nn;
  r->num_cells    = 0;
  r->min_angle    = 180;
  for (PetscInt k = 0; k < s->n; ++k) {
    size_t *etags = NULL, ne = 0, *en = NULL, nen = 0;
    PetscMemzero(&m[k], sizeof(m[k]));
    GmshCall(gmshModelMeshGetElementsByType(2, &etags, &ne, &en, &nen, surf[k], 0, 1, GIERR));
    for (size_t e = 0; e < ne; ++e) {
      const double *x[3];
      double        area, len[3];
      for (int v = 0; v < 3; ++v) {
        const PetscInt at = en[3 * e + v] <= maxtag ? index[en[3 * e + v]] : -1;
        PetscCheck(at >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh returned an element with an unknown node");
        x[v] = &coord[3 * at];
      }
      area = 0.5 * PetscAbsReal((x[1][0] - x[0][0]) * (x[2][1] - x[0][1]) - (x[2][0] - x[0][0]) * (x[1][1] - x[0][1]));
      m[k].area += area;
      m[k].centroid[0] += area * (x[0][0] + x[1][0] + x[2][0]) / 3;
      m[k].centroid[1] += area * (x[0][1] + x[1][1] + x[2][1]) / 3;
      for (int v = 0; v < 3; ++v) len[v] = PetscSqrtReal(PetscSqr(x[(v + 1) % 3][0] - x[(v + 2) % 3][0]) + PetscSqr(x[(v + 1) % 3][1] - x[(v + 2) % 3][1]));
      for (int v = 0; v < 3; ++v) { /* the angle opposite side v */
        const double b = len[(v + 1) % 3], c = len[(v + 2) % 3], cosine = (b * b + c * c - len[v] * len[v]) / (2 * b * c);
        r->min_angle = PetscMin(r->min_angle, acos(PetscMax(-1, PetscMin(1, cosine))) * 180 / PETSC_PI);
      }
    }
    m[k].cells = (PetscInt)ne;
    r->num_cells += (PetscInt)ne;
    if (m[k].area > 0) {
      m[k].centroid[0] /= m[k].area;
      m[k].centroid[1] /= m[k].area;
    }
    gmshFree(etags);
    gmshFree(en);
    GmshCall(gmshModelMeshGetElementsByType(1, &etags, &ne, &en, &nen, curve[k], 0, 1, GIERR));
    for (size_t e = 0; e < ne; ++e) {
      const PetscInt a = index[en[2 * e]], b = index[en[2 * e + 1]];
      PetscCheck(a >= 0 && b >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh returned an element with an unknown node");
      m[k].perimeter += PetscSqrtReal(PetscSqr(coord[3 * a] - coord[3 * b]) + PetscSqr(coord[3 * a + 1] - coord[3 * b + 1]));
    }
    gmshFree(etags);
    gmshFree(en);
  }
  PetscCall(PetscFree(index));
  gmshFree(ntags);
  gmshFree(coord);
  if (param) gmshFree(param);
  PetscCall(PetscFree2(surf, curve));
  PetscCall(MeshGmshWrite(f));
  GmshCall(gmshClear(GIERR));
  PetscFunctionReturn(0);
}

static PetscErrorCode PopTableWrite(const PopSpec *s, const PopMeasure m[], FileOut f)
{
  PetscFunctionBeginUser;
  PetscCall(FileOutPrintf(f, "particle,area_um2,perimeter_um,equivalent_diameter_um,centroid_x_um,centroid_y_um,row_min,col_min,row_max,col_max,pixels,touches_border,split,semi_axis_a_um,semi_axis_b_um,angle_deg,input_line,cells\n"));
  for (PetscInt k = 0; k < s->n; ++k) {
    const PopParticle *q = &s->p[k];
    PetscCall(FileOutPrintf(f, "%" PetscInt_FMT ",%.8g,%.8g,%.8g,%.8g,%.8g,nan,nan,nan,nan,nan,0,0,%.8g,%.8g,%.8g,", k + 1, (double)m[k].area, (double)m[k].perimeter, (double)PetscSqrtReal(4 * m[k].area / PETSC_PI), (double)m[k].centroid[0], (double)m[k].centroid[1], (double)q->a, (double)q->b, (double)q->angle));
    if (q->line) PetscCall(FileOutPrintf(f, "%" PetscInt_FMT ",%" PetscInt_FMT "\n", q->line, m[k].cells));
    else PetscCall(FileOutPrintf(f, "nan,%" PetscInt_FMT "\n", m[k].cells));
  }
  PetscCall(FileOutClose(f));
  PetscFunctionReturn(0);
}

static PetscErrorCode PopWrite(const PopSpec *s, const char msh[], const char table[], MeshPopulationReport *r, FileOut *fm, FileOut *ft)
{
  PopMeasure *m;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(s->n, &m));
  PetscCall(FileOutCreateSuffixed(msh, ".msh", fm));
  PetscCall(FileOutCreate(table, ft));
  PetscCall(PopMesh(s, *fm, m, r));
  PetscCall(PopTableWrite(s, m, *ft));
  r->area = r->perimeter = r->centroid[0] = r->centroid[1] = 0;
  r->d_min = PETSC_MAX_REAL;
  r->d_max = 0;
  for (PetscInt k = 0; k < s->n; ++k) {
    const PetscReal d = PetscSqrtReal(4 * m[k].area / PETSC_PI);
    r->area += m[k].area;
    r->perimeter += m[k].perimeter;
    r->centroid[0] += m[k].area * m[k].centroid[0];
    r->centroid[1] += m[k].area * m[k].centroid[1];
    r->d_min = PetscMin(r->d_min, d);
    r->d_max = PetscMax(r->d_max, d);
  }
  if (r->area > 0) {
    r->centroid[0] /= r->area;
    r->centroid[1] /= r->area;
  }
  PetscCall(PetscFree(m));
  PetscCall(FileOutPublish(fm));
  PetscCall(FileOutPublish(ft));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshPopulationTableBeside(const char msh[], char table[], size_t len)
{
  size_t n = strlen(msh);

  PetscFunctionBeginUser;
  if (n > 4 && !strcmp(msh + n - 4, ".msh")) n -= 4;
  PetscCall(PetscSNPrintf(table, len, "%.*s_particles.csv", (int)n, msh));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshPopulationCreate(MPI_Comm comm, const char msh[], const char table[], MeshPopulationReport *report)
{
  PopSpec        spec;
  PetscMPIInt    rank;
  PetscErrorCode ierr = 0;
  char           message[1024] = "";
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(report, sizeof(*report)));
  PetscCall(PetscTime(&t0));
  PetscCall(PopSpecFromOptions(comm, &spec)); /* every rank: the same checks, the same draws, the same message */
  PetscCall(PetscTime(&t1));
  report->seconds[0]      = (PetscReal)(t1 - t0);
  report->drawn           = spec.drawn;
  report->num_particles   = spec.n;
  report->radius_median   = spec.median;
  report->radius_spread   = spec.spread;
  report->seed            = spec.seed;
  report->gap             = spec.gap;
  report->fraction        = spec.fraction;
  report->box             = spec.box;
  report->estimated_cells = spec.estimate;
  report->cell_size = report->boundary_cell_size = PETSC_MAX_REAL;
  for (PetscInt k = 0; k < spec.n; ++k) {
    report->cell_size          = PetscMin(report->cell_size, spec.p[k].h);
    report->boundary_cell_size = PetscMin(report->boundary_cell_size, spec.p[k].h_s);
    if (spec.p[k].a != spec.p[k].b) report->num_ellipses++;
  }
  PetscCall(PetscStrncpy(report->file, spec.file, sizeof(report->file)));
  PetscCall(PetscStrncpy(report->table, table, sizeof(report->table)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    MeshCaptured captured = {0, ""};
    FileOut  fm = NULL, ft = NULL;
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = PopWrite(&spec, msh, table, report, &fm, &ft);
    PetscCall(PetscPopErrorHandler());
    PetscCall(FileOutDiscard(&fm));
    PetscCall(FileOutDiscard(&ft));
    if (ierr) {
      if (captured.code == PETSC_ERR_FILE_WRITE || captured.code == PETSC_ERR_USER_INPUT) PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "meshing the population of %" PetscInt_FMT " particles failed (%s); try other -mesh_cell_size / -mesh_boundary_cell_size", spec.n, captured.message));
    }
  }
  PetscCall(PetscFree(spec.p));
  PetscCall(InputCollectiveError(comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscCall(PetscTime(&t0));
  report->seconds[1] = (PetscReal)(t0 - t1);
  PetscCallMPI(MPI_Bcast(report, (int)sizeof(*report), MPI_BYTE, 0, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshPopulationReportView(const MeshPopulationReport *r, const char msh[], PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (r->drawn)
    PetscCall(PetscViewerASCIIPrintf(viewer, "population: %" PetscInt_FMT " discs drawn (seed %.0f): radius median %.4g um, spread %.3g (ln r normal, truncated at 3 sigma); placed in a %.4g um square (packing fraction %.3g), at least %.4g um apart\n", r->num_particles, (double)r->seed, (double)r->radius_median, (double)r->radius_spread, (double)r->box, (double)r->fraction, (double)r->gap));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "population: %" PetscInt_FMT " particles listed in %s (%" PetscInt_FMT " discs, %" PetscInt_FMT " ellipses)\n", r->num_particles, r->file, r->num_particles - r->num_ellipses, r->num_ellipses));
  PetscCall(PetscViewerASCIIPrintf(viewer, "particles: area %.6g um^2, perimeter %.6g um in all; equivalent diameters %.4g to %.4g um; centroid of all (%.5g, %.5g) um\n", (double)r->area, (double)r->perimeter, (double)r->d_min, (double)r->d_max, (double)r->centroid[0], (double)r->centroid[1]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "mesh: %s, %" PetscInt_FMT " particle%s, 2-D, %" PetscInt_FMT " triangles (estimated %.3g), %" PetscInt_FMT " nodes, smallest cells %.3g um (%.3g um at the surface), smallest angle %.1f deg\n", msh, r->num_particles, r->num_particles == 1 ? "" : "s", r->num_cells, (double)r->estimated_cells, r->num_vertices, (double)r->cell_size, (double)r->boundary_cell_size, (double)r->min_angle));
  PetscCall(PetscViewerASCIIPrintf(viewer, "table: %s\n", r->table));
  PetscCall(PetscViewerASCIIPrintf(viewer, "time: place %.3f s, mesh %.3f s\n", (double)r->seconds[0], (double)r->seconds[1]));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshParticleTablePath(const char path[], char table[], size_t len)
{
  const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
  const char *name  = strcmp(base, MESH_GENERATED_NAME) ? MESH_KEPT_TABLE_NAME : MESH_GENERATED_TABLE_NAME;

  PetscFunctionBeginUser;
  if (slash) PetscCall(PetscSNPrintf(table, len, "%.*s/%s", (int)(slash - path), path, name));
  else PetscCall(PetscStrncpy(table, name, len));
  PetscFunctionReturn(0);
}

/* spot run with -mesh_population_*: the mesh into path, the table beside it (MeshParticleTablePath) */
PetscErrorCode MeshPopulationWrite(MPI_Comm comm, const char path[])
{
  MeshPopulationReport report;
  char                 table[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(MeshParticleTablePath(path, table, sizeof(table)));
  PetscCall(MeshPopulationCreate(comm, path, table, &report));
  PetscCall(MeshPopulationReportView(&report, path, PETSC_VIEWER_STDOUT_(comm)));
  PetscFunctionReturn(0);
}
