/* Line profiles of θ over time (profiles.csv): the paper's kymographs.

   A profile is a straight line sampled at -out_profiles_points equally spaced points: either a
   chord through the particle's centroid at an angle in the x-y plane (-out_profiles_directions_deg,
   counter-clockwise from +x, as in compare documents), running from boundary to boundary, or the
   segment between two end points (-out_profiles_lines x0,y0,x1,y1,... in µm, the mesh frame;
   x0,y0,z0,x1,y1,z1 in 3-D). A chord's ends are where the line crosses the boundary facets
   nearest the centroid on either side, found exactly (segment or triangle intersections, reduced
   over ranks); every sample point of a line must lie inside the particle, or it is an input error.
   θ at the points is evaluated by a Probe (one dot product per point). */
#include "postproc/run/runimpl.h"
#include "postproc/figures/figures.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include <petscsf.h>
#include <stdio.h>

#define MAX_PROFILES 32

struct _p_Profiles {
  MPI_Comm   comm;
  PetscInt   dim, nlines, npoints;
  PetscReal  ends[MAX_PROFILES][2][3]; /* µm */
  PetscReal  angle[MAX_PROFILES];      /* degrees, or NaN for a line between end points */
  PetscBool  every_step;
  Probe      probe;
  PetscReal *values; /* [nlines][npoints] */
  /* rank 0: every written time for the kymographs ([ntimes][nlines][npoints]), at most
     PROFILES_MAX_TIMES (past that, every other time is dropped) */
  PetscReal *history, *times;
  PetscInt   ntimes, stride, seen;
};

#define PROFILES_MAX_TIMES 2000

/* The parameters t (along x = c + t u) where the line crosses the boundary facets of this rank:
   the largest below 0 and the smallest above 0 */
static PetscErrorCode ChordParameters(DM dm, const PetscReal c[], const PetscReal u[], PetscReal *t_minus, PetscReal *t_plus)
{
  DM           cdm;
  PetscSF      sf;
  Vec          coords;
  PetscSection csection;
  PetscInt     dim, fStart, fEnd, pStart, pEnd, *cells_here, *cells_all;

  PetscFunctionBeginUser;
  *t_minus = PETSC_MIN_REAL;
  *t_plus  = PETSC_MAX_REAL;
  PetscCall(DMGetDimension(dm, &dim));
  /* a boundary facet has one cell on all ranks together: facets between ranks have one here */
  PetscCall(DMPlexGetChart(dm, &pStart, &pEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(PetscCalloc2(pEnd - pStart, &cells_here, pEnd - pStart, &cells_all));
  for (PetscInt f = fStart; f < fEnd; ++f) PetscCall(DMPlexGetSupportSize(dm, f, &cells_here[f - pStart]));
  PetscCall(PetscArraycpy(cells_all, cells_here, pEnd - pStart));
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(PetscSFReduceBegin(sf, MPIU_INT, cells_here, cells_all, MPI_SUM));
  PetscCall(PetscSFReduceEnd(sf, MPIU_INT, cells_here, cells_all, MPI_SUM));
  PetscCall(PetscSFBcastBegin(sf, MPIU_INT, cells_all, cells_all, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(sf, MPIU_INT, cells_all, cells_all, MPI_REPLACE));
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMGetLocalSection(cdm, &csection));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  for (PetscInt f = fStart; f < fEnd; ++f) {
    PetscInt     n;
    PetscScalar *x = NULL;
    PetscReal    t = 0;
    PetscBool    hit = PETSC_FALSE;
    if (cells_all[f - pStart] != 1) continue;
    PetscCall(DMPlexVecGetClosure(cdm, csection, coords, f, &n, &x));
    if (dim == 2) { /* c + t u = a + s (b - a), s in [0, 1] */
      const PetscReal ax = PetscRealPart(x[0]), ay = PetscRealPart(x[1]), ex = PetscRealPart(x[2]) - ax, ey = PetscRealPart(x[3]) - ay;
      const PetscReal den = u[0] * ey - u[1] * ex, wx = ax - c[0], wy = ay - c[1];
      if (PetscAbsReal(den) > 1e-14 * (PetscAbsReal(ex) + PetscAbsReal(ey))) {
        const PetscReal s = (wx * u[1] - wy * u[0]) / den;
        t   = (wx * ey - wy * ex) / den;
        hit = s >= -1e-12 && s <= 1 + 1e-12 ? PETSC_TRUE : PETSC_FALSE;
      }
    } else { /* c + t u = a + s e1 + r e2, s, r >= 0, s + r <= 1 (Möller–Trumbore) */
      PetscReal a[3], e1[3], e2[3], p[3], q[3], w[3], det, s, r;
      for (PetscInt d = 0; d < 3; ++d) {
        a[d]  = PetscRealPart(x[d]);
        e1[d] = PetscRealPart(x[3 + d]) - a[d];
        e2[d] = PetscRealPart(x[6 + d]) - a[d];
        w[d]  = c[d] - a[d];
      }
      p[0] = u[1] * e2[2] - u[2] * e2[1];
      p[1] = u[2] * e2[0] - u[0] * e2[2];
      p[2] = u[0] * e2[1] - u[1] * e2[0];
      det  = e1[0] * p[0] + e1[1] * p[1] + e1[2] * p[2];
      if (PetscAbsReal(det) > 1e-300) {
        s    = (w[0] * p[0] + w[1] * p[1] + w[2] * p[2]) / det;
        q[0] = w[1] * e1[2] - w[2] * e1[1];
        q[1] = w[2] * e1[0] - w[0] * e1[2];
        q[2] = w[0] * e1[1] - w[1] * e1[0];
        r    = (u[0] * q[0] + u[1] * q[1] + u[2] * q[2]) / det;
        t    = (e2[0] * q[0] + e2[1] * q[1] + e2[2] * q[2]) / det;
        hit  = s >= -1e-12 && r >= -1e-12 && s + r <= 1 + 1e-12 ? PETSC_TRUE : PETSC_FALSE;
      }
    }
    PetscCall(DMPlexVecRestoreClosure(cdm, csection, coords, f, &n, &x));
    if (!hit) continue;
    if (t < 0) *t_minus = PetscMax(*t_minus, t);
    else if (t > 0) *t_plus = PetscMin(*t_plus, t);
  }
  PetscCall(PetscFree2(cells_here, cells_all));
  PetscFunctionReturn(0);
}

/* The length of line l (µm) */
static PetscReal LineLength(Profiles p, PetscInt l)
{
  PetscReal length = 0;
  for (PetscInt d = 0; d < 3; ++d) length += PetscSqr(p->ends[l][1][d] - p->ends[l][0][d]);
  return PetscSqrtReal(length);
}

PetscErrorCode ProfilesCreate(Solver s, Profiles *out)
{
  Profiles               p;
  DM                     dm;
  const MeshInfo        *info;
  const SolverParticles *particles;
  PetscReal              directions[MAX_PROFILES], lines[6 * MAX_PROFILES], *points;
  PetscInt               ndir = MAX_PROFILES, nlin = 6 * MAX_PROFILES, npoints = 101;
  PetscBool              dir_set, lin_set, every_set, points_set, *found;
  char                   where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  *out = NULL;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(InputGetQuantityArray("-out_profiles_directions_deg", UNIT_NONE, directions, &ndir, &dir_set));
  PetscCall(InputGetQuantityArray("-out_profiles_lines", UNIT_LENGTH, lines, &nlin, &lin_set));
  PetscCall(PetscNew(&p));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &p->comm));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-out_profiles_points", &npoints, &points_set));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_profiles_every_step", &p->every_step, &every_set));
  if (!dir_set && !lin_set) {
    PetscCall(InputOptionWhere(points_set ? "-out_profiles_points" : "-out_profiles_every_step", where, sizeof(where)));
    PetscCheck(!points_set && !every_set, p->comm, PETSC_ERR_USER_INPUT, "%s: profiles need lines: directions through the centroid (<profiles><directions_deg>, -out_profiles_directions_deg) or end points (<profiles><lines unit=\"um\">, -out_profiles_lines)", where);
    PetscCall(PetscFree(p));
    PetscFunctionReturn(0);
  }
  PetscCall(DMGetDimension(dm, &p->dim));
  PetscCall(InputOptionWhere("-out_profiles_points", where, sizeof(where)));
  PetscCheck(npoints >= 2 && npoints <= 100000, p->comm, PETSC_ERR_USER_INPUT, "%s: a profile takes 2 to 100000 points, got %" PetscInt_FMT, where, npoints);
  p->npoints = npoints;
  if (dir_set) {
    PetscCall(InputOptionWhere("-out_profiles_directions_deg", where, sizeof(where)));
    PetscCall(SolverGetParticles(s, &particles));
    PetscCheck(particles->n == 1, p->comm, PETSC_ERR_USER_INPUT, "%s: lines through the centroid need one particle, but the mesh has %" PetscInt_FMT ": give each line's end points (<profiles><lines unit=\"um\">x0 y0 x1 y1 ...</lines>, -out_profiles_lines)", where, particles->n);
    PetscCheck(ndir >= 1, p->comm, PETSC_ERR_USER_INPUT, "%s: give at least one angle in degrees", where);
  }
  if (lin_set) {
    PetscCall(InputOptionWhere("-out_profiles_lines", where, sizeof(where)));
    PetscCheck(nlin > 0 && nlin % (2 * p->dim) == 0, p->comm, PETSC_ERR_USER_INPUT, "%s: a line needs its two end points, %" PetscInt_FMT " coordinates in all (um), got %" PetscInt_FMT " numbers", where, 2 * p->dim, nlin);
  }
  PetscCheck((dir_set ? ndir : 0) + (lin_set ? nlin / (2 * p->dim) : 0) <= MAX_PROFILES, p->comm, PETSC_ERR_USER_INPUT, "at most %d profiles, got %" PetscInt_FMT, MAX_PROFILES, (dir_set ? ndir : 0) + (lin_set ? nlin / (2 * p->dim) : 0));
  PetscCall(SolverGetMeshInfo(s, &info));
  for (PetscInt i = 0; dir_set && i < ndir; ++i) { /* chords through the centroid */
    const PetscReal phi = directions[i] * PETSC_PI / 180;
    PetscReal       u[3] = {PetscCosReal(phi), PetscSinReal(phi), 0}, c[3] = {info->centroid[0], info->centroid[1], p->dim == 3 ? info->centroid[2] : 0}, tm, tp;
    PetscCall(InputOptionWhere("-out_profiles_directions_deg", where, sizeof(where)));
    PetscCheck(PetscIsNormalReal(directions[i]) || directions[i] == 0, p->comm, PETSC_ERR_USER_INPUT, "%s: angle %" PetscInt_FMT " must be a finite number of degrees", where, i + 1);
    PetscCall(ChordParameters(dm, c, u, &tm, &tp));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &tm, 1, MPIU_REAL, MPIU_MAX, p->comm));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &tp, 1, MPIU_REAL, MPIU_MIN, p->comm));
    PetscCheck(tm > PETSC_MIN_REAL && tp < PETSC_MAX_REAL, p->comm, PETSC_ERR_USER_INPUT, "%s: the line at %g degrees through the centroid (%g, %g) um meets no boundary on one side", where, (double)directions[i], (double)c[0], (double)c[1]);
    tm *= 1 - 1e-9; /* a hair inside, so that the end points are found in their cells */
    tp *= 1 - 1e-9;
    for (PetscInt d = 0; d < 3; ++d) {
      p->ends[p->nlines][0][d] = c[d] + tm * u[d];
      p->ends[p->nlines][1][d] = c[d] + tp * u[d];
    }
    p->angle[p->nlines++] = directions[i];
  }
  for (PetscInt i = 0; lin_set && i < nlin / (2 * p->dim); ++i) {
    for (PetscInt e = 0; e < 2; ++e)
      for (PetscInt d = 0; d < 3; ++d) p->ends[p->nlines][e][d] = d < p->dim ? lines[(2 * i + e) * p->dim + d] : 0;
    p->angle[p->nlines++] = NAN;
  }
  PetscCall(PetscMalloc1(p->nlines * p->npoints * p->dim, &points));
  PetscCall(PetscMalloc1(p->nlines * p->npoints, &found));
  PetscCall(PetscMalloc1(p->nlines * p->npoints, &p->values));
  for (PetscInt l = 0; l < p->nlines; ++l)
    for (PetscInt k = 0; k < p->npoints; ++k)
      for (PetscInt d = 0; d < p->dim; ++d) points[(l * p->npoints + k) * p->dim + d] = p->ends[l][0][d] + (p->ends[l][1][d] - p->ends[l][0][d]) * k / (p->npoints - 1);
  PetscCall(ProbeCreate(dm, p->nlines * p->npoints, points, found, &p->probe));
  for (PetscInt l = 0; l < p->nlines; ++l)
    for (PetscInt k = 0; k < p->npoints; ++k) {
      const PetscReal *x = &points[(l * p->npoints + k) * p->dim];
      if (found[l * p->npoints + k]) continue;
      if (PetscIsNanReal(p->angle[l])) {
        PetscCall(InputOptionWhere("-out_profiles_lines", where, sizeof(where)));
        char at[96];
        if (p->dim == 2) PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g)", (double)x[0], (double)x[1]));
        else PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g, %g)", (double)x[0], (double)x[1], (double)x[2]));
        SETERRQ(p->comm, PETSC_ERR_USER_INPUT, "%s: line %" PetscInt_FMT " leaves the particle: its point %s um%s lies outside; give end points whose segment lies inside", where, l + 1 - (dir_set ? ndir : 0), at, k == 0 ? " (its start)" : k == p->npoints - 1 ? " (its end)" : "");
      }
      PetscCall(InputOptionWhere("-out_profiles_directions_deg", where, sizeof(where)));
      SETERRQ(p->comm, PETSC_ERR_USER_INPUT, "%s: the chord at %g degrees through the centroid (%g, %g) um leaves the particle at (%g, %g) um (a concave outline, or the centroid lies outside): give the line's end points instead", where, (double)p->angle[l], (double)info->centroid[0], (double)info->centroid[1], (double)x[0], (double)x[1]);
    }
  PetscCall(PetscFree(found));
  PetscCall(PetscFree(points));
  *out = p;
  PetscFunctionReturn(0);
}

PetscErrorCode ProfilesView(Profiles p, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (!p) PetscFunctionReturn(0);
  for (PetscInt l = 0; l < p->nlines; ++l) {
    const PetscReal length = LineLength(p, l);
    char            kind[64];
    if (PetscIsNanReal(p->angle[l])) PetscCall(PetscSNPrintf(kind, sizeof(kind), "between end points"));
    else PetscCall(PetscSNPrintf(kind, sizeof(kind), "at %g deg through the centroid", (double)p->angle[l]));
    char            from[96], to[96];
    for (PetscInt e = 0; e < 2; ++e) {
      const PetscReal *x = p->ends[l][e];
      if (p->dim == 2) PetscCall(PetscSNPrintf(e ? to : from, sizeof(from), "(%.4g, %.4g)", (double)x[0], (double)x[1]));
      else PetscCall(PetscSNPrintf(e ? to : from, sizeof(from), "(%.4g, %.4g, %.4g)", (double)x[0], (double)x[1], (double)x[2]));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "profile %" PetscInt_FMT ": %s, %s to %s um, %.4g um, %" PetscInt_FMT " points%s\n", l + 1, kind, from, to, (double)length, p->npoints, p->every_step ? ", every time step" : ""));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ProfilesEveryStep(Profiles p, PetscBool *every)
{
  PetscFunctionBeginUser;
  *every = p && p->every_step ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* Collective: θ at every point of every line */
PetscErrorCode ProfilesCompute(Profiles p, Vec theta)
{
  PetscFunctionBeginUser;
  PetscCall(ProbeEvaluate(p->probe, theta, p->values));
  PetscFunctionReturn(0);
}

PetscErrorCode ProfilesWriteHeader(Profiles p, FileOut f)
{
  PetscFunctionBeginUser;
  PetscCall(FileOutPrintf(f, "t_s,profile,angle_deg,point,distance_um,x_um,y_um%s,theta\n", p->dim == 3 ? ",z_um" : ""));
  PetscFunctionReturn(0);
}

/* Rank 0, after ProfilesCompute: one row per line and point. angle: the line's direction in the
   x-y plane (degrees from +x); distance: from the line's start (for a chord, its end at angle +
   180 degrees) */
PetscErrorCode ProfilesWriteRows(Profiles p, PetscReal t, FileOut f)
{
  const PetscInt m = p->nlines * p->npoints;

  PetscFunctionBeginUser;
  if (!p->history) {
    PetscCall(PetscMalloc1((size_t)PROFILES_MAX_TIMES * m, &p->history));
    PetscCall(PetscMalloc1(PROFILES_MAX_TIMES, &p->times));
    p->stride = 1;
  }
  if (p->seen++ % p->stride == 0) {
    if (p->ntimes == PROFILES_MAX_TIMES) { /* keep every other time */
      for (PetscInt i = 0; 2 * i < p->ntimes; ++i) {
        p->times[i] = p->times[2 * i];
        PetscCall(PetscArraycpy(&p->history[(size_t)i * m], &p->history[(size_t)2 * i * m], m));
      }
      p->ntimes = (p->ntimes + 1) / 2;
      p->stride *= 2;
    }
    p->times[p->ntimes] = t;
    PetscCall(PetscArraycpy(&p->history[(size_t)p->ntimes * m], p->values, m));
    p->ntimes++;
  }
  for (PetscInt l = 0; l < p->nlines; ++l) {
    const PetscReal length = LineLength(p, l);
    PetscReal       direction = p->angle[l];
    if (PetscIsNanReal(direction)) direction = PetscAtan2Real(p->ends[l][1][1] - p->ends[l][0][1], p->ends[l][1][0] - p->ends[l][0][0]) * 180 / PETSC_PI;
    for (PetscInt k = 0; k < p->npoints; ++k) {
      const PetscReal a = (PetscReal)k / (p->npoints - 1);
      PetscReal       x[3];
      for (PetscInt d = 0; d < 3; ++d) x[d] = p->ends[l][0][d] + a * (p->ends[l][1][d] - p->ends[l][0][d]);
      PetscCall(FileOutPrintf(f, "%.12g,%" PetscInt_FMT ",%.10g,%" PetscInt_FMT ",%.8g,%.8g,%.8g", (double)t, l + 1, (double)direction, k + 1, (double)(a * length), (double)x[0], (double)x[1]));
      if (p->dim == 3) PetscCall(FileOutPrintf(f, ",%.8g", (double)x[2]));
      PetscCall(FileOutPrintf(f, ",%.12g\n", (double)p->values[l * p->npoints + k]));
    }
  }
  PetscFunctionReturn(0);
}

typedef struct {
  Profiles  p;
  PetscInt  line;
  PetscReal scale; /* time unit per s */
} KymographCtx;

/* θ at (time, distance along the line): the nearest written time, linear between points */
static PetscReal KymographSample(void *ctx, PetscReal x, PetscReal s)
{
  const KymographCtx *k = (const KymographCtx *)ctx;
  const Profiles      p = k->p;
  const PetscReal     t = x / k->scale;
  PetscReal           length, a, w;
  PetscInt            best = 0, i;
  const PetscReal    *v;
  if (!p->ntimes) return NAN;
  for (PetscInt j = 1; j < p->ntimes; ++j)
    if (PetscAbsReal(p->times[j] - t) < PetscAbsReal(p->times[best] - t)) best = j;
  length = LineLength(p, k->line);
  a      = length > 0 ? s / length * (p->npoints - 1) : 0;
  if (a < 0 || a > p->npoints - 1) return NAN;
  i = PetscMin((PetscInt)a, p->npoints - 2);
  w = a - i;
  v = &p->history[((size_t)best * p->nlines + k->line) * p->npoints];
  return (1 - w) * v[i] + w * v[i + 1];
}

/* profiles_kymograph.png: one panel per line, time across, distance along the line up, θ in colour
   (one scale for all); collective, the data are rank 0's */
PetscErrorCode ProfilesWriteFigure(Profiles p, MPI_Comm comm, PostprocFiles files, const char path[])
{
  PlotFigure   fig;
  MapsPanel    panels[MAX_PROFILES + 1];
  KymographCtx kctx[MAX_PROFILES];
  PetscReal    range[2] = {PETSC_MAX_REAL, PETSC_MIN_REAL}, t_end[2] = {0, 0}, scale = 1;
  const char  *unit = "s";
  char         xlabel[32];
  PetscMPIInt  rank;

  PetscFunctionBeginUser;
  if (!p) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && p->ntimes) {
    t_end[0] = p->times[0];
    t_end[1] = p->times[p->ntimes - 1];
    for (size_t i = 0; i < (size_t)p->ntimes * p->nlines * p->npoints; ++i) {
      range[0] = PetscMin(range[0], p->history[i]);
      range[1] = PetscMax(range[1], p->history[i]);
    }
  }
  PetscCallMPI(MPI_Bcast(range, 2, MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(t_end, 2, MPIU_REAL, 0, comm));
  if (!(range[1] > range[0])) range[0] -= 0.005, range[1] += 0.005; /* a uniform particle */
  PetscCall(PlotTimeUnit(t_end[1], &scale, &unit));
  PetscCall(PetscSNPrintf(xlabel, sizeof(xlabel), "time (%s)", unit));
  PetscCall(PlotFigureCreate(comm, 1000, 260 * p->nlines + 60, &fig));
  PetscCall(PlotFigureSetOutputFiles(fig, files));
  PetscCall(PetscMemzero(panels, sizeof(panels)));
  for (PetscInt l = 0; l < p->nlines; ++l) {
    MapsPanel *q = &panels[l];
    char       title[128];
    const PetscReal length = LineLength(p, l);
    q->box[0] = 0;
    q->box[1] = (PetscReal)l / p->nlines;
    q->box[2] = 0.84;
    q->box[3] = (PetscReal)(l + 1) / p->nlines;
    PetscCall(PlotFigureAddAxes(fig, q->box[0], q->box[1], q->box[2], q->box[3], &q->ax));
    if (PetscIsNanReal(p->angle[l])) PetscCall(PetscSNPrintf(title, sizeof(title), "profile %" PetscInt_FMT ": (%.3g, %.3g) to (%.3g, %.3g) um", l + 1, (double)p->ends[l][0][0], (double)p->ends[l][0][1], (double)p->ends[l][1][0], (double)p->ends[l][1][1]));
    else snprintf(title, sizeof(title), "profile %d: chord at %g° through the centroid", (int)(l + 1), (double)p->angle[l]);
    PetscCall(PlotAxesSetLabels(q->ax, title, l == p->nlines - 1 ? xlabel : "", "distance along the line (µm)"));
    PetscCall(PlotAxesSetXLimits(q->ax, t_end[0] * scale, t_end[1] > t_end[0] ? t_end[1] * scale : t_end[0] * scale + 1));
    PetscCall(PlotAxesSetYLimits(q->ax, 0, length));
    kctx[l].p     = p;
    kctx[l].line  = l;
    kctx[l].scale = scale;
    q->sample     = KymographSample;
    q->ctx        = &kctx[l];
    q->lo         = range[0];
    q->hi         = range[1];
  }
  {
    MapsPanel *q = &panels[p->nlines];
    q->box[0] = 0.87, q->box[1] = 0.0, q->box[2] = 1.0, q->box[3] = 1.0;
    PetscCall(PlotFigureAddAxes(fig, q->box[0], q->box[1], q->box[2], q->box[3], &q->ax));
    PetscCall(PlotAxesSetLabels(q->ax, "θ", "", ""));
    PetscCall(PlotAxesSetXLimits(q->ax, 0, 1));
    PetscCall(PlotAxesSetYLimits(q->ax, range[0], range[1]));
    q->lo = range[0], q->hi = range[1], q->colorbar = PETSC_TRUE;
  }
  for (PetscInt l = 0; l + 1 < p->nlines; ++l) PetscCall(PlotAxesShareX(panels[l].ax, panels[p->nlines - 1].ax)); /* aligned, one time axis */
  PetscCall(MapsFigureWrite(comm, fig, p->nlines + 1, panels, path));
  PetscCall(PlotFigureDestroy(&fig));
  PetscFunctionReturn(0);
}

PetscErrorCode ProfilesDestroy(Profiles *p)
{
  PetscFunctionBeginUser;
  if (!*p) PetscFunctionReturn(0);
  PetscCall(PetscFree((*p)->history));
  PetscCall(PetscFree((*p)->times));
  PetscCall(ProbeDestroy(&(*p)->probe));
  PetscCall(PetscFree((*p)->values));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}
