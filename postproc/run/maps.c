/* PNG maps of θ (or the delithiation 1 − θ) for spot run, on the pixel grid of the image frame.

   Options (-out_ prefix):
     -out_maps true|false            write maps (default false)
     -out_map_times t1,t2,... (s)    when (default: -out_times; without those, the start and the
                                     end of every protocol step, like the field snapshots)
     -out_map_quantity theta|delithiation
     -out_map_pixel_size p (µm)      default: the -mesh_image_pixel_size of a mesh made from an
                                     image (the map pixels are then the image's pixels), else
                                     about 300 pixels across the particle
     -out_map_range lo,hi            the colour scale (default: the range of all maps)
     -out_map_supersample s          sample points per pixel side (odd, default 3): θ is averaged
                                     over the points inside the particle; the mask is the centre
   θ between time steps comes from the integrator's interpolation (TSInterpolate), so no step is
   shortened for a map. The maps are kept on rank 0 and written by MapsFinish with one colour
   scale: <q>_map_<i>_t<t>s.png (the map, centroid-relative axes with y up as displayed, and a
   colour bar), <q>_maps.tif (32-bit float, NaN outside the particle: the raw values for ImageJ
   and friends) and <q>_maps.csv (time, file, min, mean, max of each map). */
#include "postproc/run/run.h"
#include "postproc/figures/figures.h"
#include "input/input.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAPS_MAX_TIMES 4096

struct _p_Maps {
  Solver      solver;
  MPI_Comm    comm;
  PetscMPIInt rank;
  PetscBool   enabled, delithiation, range_set, finished;
  char        dir[PETSC_MAX_PATH_LEN];
  Raster      raster;
  RasterGrid  grid;
  PetscReal   centroid[2];
  PetscReal  *times;
  PetscInt    ntimes, next;
  PetscReal   range[2];
  Vec         snapshot;
  PetscInt    nmaps, cap;
  PetscReal  *map_t;
  PetscReal **maps; /* rank 0 */
  PostprocFiles files;    /* the outputs of MapsFinish, all or nothing */
  PetscInt      nwritten; /* published, for MapsDiscard */
  char (*written)[PETSC_MAX_PATH_LEN];
  PetscBool formats[PLOT_FORMAT_COUNT]; /* -out_figure_formats */
};

static const char *QuantityName(Maps m)
{
  return m->delithiation ? "delithiation" : "theta";
}

PetscErrorCode MapsCreate(Solver s, const char directory[], Maps *out)
{
  Maps            m;
  DM              dm;
  const MeshInfo *info;
  PetscBool       set, image;
  PetscReal       p = 0, range[2];
  PetscInt        n;
  char            where[PETSC_MAX_PATH_LEN], quantity[32] = "theta";

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&m));
  m->solver = s;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &m->comm));
  PetscCallMPI(MPI_Comm_rank(m->comm, &m->rank));
  PetscCall(PetscStrncpy(m->dir, directory, sizeof(m->dir)));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_maps", &m->enabled, NULL));
  PetscCall(PlotFormatsFromOptions(m->comm, m->formats)); /* read even without maps: spot run's only figures */
  *out = m;
  if (!m->enabled) PetscFunctionReturn(0);

  PetscCall(PetscOptionsGetString(NULL, NULL, "-out_map_quantity", quantity, sizeof(quantity), NULL));
  PetscCall(InputOptionWhere("-out_map_quantity", where, sizeof(where)));
  PetscCheck(!strcmp(quantity, "theta") || !strcmp(quantity, "delithiation"), m->comm, PETSC_ERR_USER_INPUT, "%s: map quantity must be theta or delithiation (1 - theta), got '%s'", where, quantity);
  m->delithiation = !strcmp(quantity, "delithiation") ? PETSC_TRUE : PETSC_FALSE;

  PetscCall(SolverGetMeshInfo(s, &info));
  m->centroid[0] = info->centroid[0];
  m->centroid[1] = info->centroid[1];
  PetscCall(InputGetQuantity("-out_map_pixel_size", UNIT_LENGTH, &p, &set));
  PetscCall(InputOptionWhere("-out_map_pixel_size", where, sizeof(where)));
  PetscCheck(!set || p > 0, m->comm, PETSC_ERR_USER_INPUT, "%s: the map pixel size must be a positive length, got %.6g um", where, (double)p);
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_image_file", &image));
  if (!set && image) PetscCall(InputGetQuantity("-mesh_image_pixel_size", UNIT_LENGTH, &p, &set));
  if (!set) p = PetscMax(info->upper[0] - info->lower[0], info->upper[1] - info->lower[1]) / 300;
  {
    PetscInt s_ = 3;
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-out_map_supersample", &s_, NULL));
    PetscCall(InputOptionWhere("-out_map_supersample", where, sizeof(where)));
    PetscCheck(s_ >= 1 && s_ <= 9 && s_ % 2 == 1, m->comm, PETSC_ERR_USER_INPUT, "%s: supersample must be an odd number from 1 to 9, got %" PetscInt_FMT, where, s_);
    PetscCall(RasterGridAround(info, p, 2 * p, image ? PETSC_TRUE : PETSC_FALSE, s_, &m->grid));
  }
  PetscCall(RasterCreate(dm, &m->grid, &m->raster));

  n = 2;
  PetscCall(InputGetQuantityArray("-out_map_range", UNIT_NONE, range, &n, &set));
  if (set) {
    PetscCall(InputOptionWhere("-out_map_range", where, sizeof(where)));
    PetscCheck(n == 2 && range[1] > range[0], m->comm, PETSC_ERR_USER_INPUT, "%s: the colour range needs two increasing numbers lo,hi", where);
    m->range[0]  = range[0];
    m->range[1]  = range[1];
    m->range_set = PETSC_TRUE;
  }
  PetscCall(PetscMalloc1(MAPS_MAX_TIMES, &m->times));
  m->ntimes = MAPS_MAX_TIMES;
  PetscCall(InputGetQuantityArray("-out_map_times", UNIT_TIME, m->times, &m->ntimes, &set));
  PetscCall(InputOptionWhere("-out_map_times", where, sizeof(where)));
  if (!set) {
    m->ntimes = MAPS_MAX_TIMES;
    PetscCall(InputGetQuantityArray("-out_times", UNIT_TIME, m->times, &m->ntimes, &set));
    PetscCall(InputOptionWhere("-out_times", where, sizeof(where)));
  }
  for (PetscInt i = 1; i < m->ntimes; ++i) PetscCheck(m->times[i] > m->times[i - 1], m->comm, PETSC_ERR_USER_INPUT, "%s: map times must increase, but %.6g s follows %.6g s", where, (double)m->times[i], (double)m->times[i - 1]);
  {
    Vec theta;
    PetscCall(SolverGetSolution(s, &theta));
    PetscCall(VecDuplicate(theta, &m->snapshot));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Capture(Maps m, PetscReal t, Vec theta)
{
  const PetscInt npix = m->grid.rows * m->grid.cols;
  PetscReal     *img  = NULL;

  PetscFunctionBeginUser;
  if (m->rank == 0) PetscCall(PetscMalloc1(npix, &img));
  PetscCall(RasterEvaluate(m->raster, theta, img));
  if (m->nmaps == m->cap) {
    PetscReal  *t2;
    PetscReal **m2;
    m->cap = m->cap ? 2 * m->cap : 16;
    PetscCall(PetscMalloc2(m->cap, &t2, m->cap, &m2));
    if (m->nmaps) {
      PetscCall(PetscArraycpy(t2, m->map_t, m->nmaps));
      PetscCall(PetscArraycpy(m2, m->maps, m->nmaps));
    }
    PetscCall(PetscFree2(m->map_t, m->maps));
    m->map_t = t2;
    m->maps  = m2;
  }
  if (img && m->delithiation)
    for (PetscInt i = 0; i < npix; ++i) img[i] = 1 - img[i];
  m->map_t[m->nmaps] = t;
  m->maps[m->nmaps]  = img;
  ++m->nmaps;
  PetscFunctionReturn(0);
}

PetscErrorCode MapsMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Maps m = (Maps)ctx;
  TS   ts;

  PetscFunctionBeginUser;
  if (!m->enabled) PetscFunctionReturn(0);
  switch (e) {
  case SOLVER_EVENT_INITIAL:
    if (m->ntimes == 0) PetscCall(Capture(m, st->t, theta));
    else if (m->times[0] <= st->t * (1 + 1e-12)) {
      PetscCall(Capture(m, st->t, theta));
      while (m->next < m->ntimes && m->times[m->next] <= st->t * (1 + 1e-12)) ++m->next;
    }
    break;
  case SOLVER_EVENT_TIMESTEP:
    PetscCall(SolverGetTS(s, &ts));
    while (m->next < m->ntimes && m->times[m->next] <= st->t * (1 + 1e-12)) {
      const PetscReal tout = m->times[m->next++];
      if (PetscAbsReal(tout - st->t) <= 1e-12 * PetscMax(1, PetscAbsReal(st->t))) PetscCall(Capture(m, st->t, theta));
      else {
        PetscCall(TSInterpolate(ts, tout, m->snapshot));
        PetscCall(Capture(m, tout, m->snapshot));
      }
    }
    break;
  case SOLVER_EVENT_STEP_END:
    if (m->ntimes == 0) PetscCall(Capture(m, st->t, theta));
    break;
  default:
    SETERRQ(m->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown solver event %d", (int)e);
  }
  PetscFunctionReturn(0);
}

/* ---- writing ---- */
typedef struct {
  Maps             m;
  const PetscReal *img;
} MapSampleCtx;

/* data (x − x_c, y_c − y) → the map value at that pixel (NaN outside the particle) */
static PetscReal MapSample(void *ctx, PetscReal xd, PetscReal yd)
{
  const MapSampleCtx *c = (const MapSampleCtx *)ctx;
  const RasterGrid   *g = &c->m->grid;
  const PetscReal     x = c->m->centroid[0] + xd, y = c->m->centroid[1] - yd;
  const PetscInt      col = (PetscInt)PetscFloorReal((x - g->origin[0]) / g->pixel_size), row = (PetscInt)PetscFloorReal((y - g->origin[1]) / g->pixel_size);
  const unsigned char *mask;
  if (col < 0 || row < 0 || col >= g->cols || row >= g->rows) return NAN;
  RasterGetMask(c->m->raster, &mask, NULL);
  return mask[row * g->cols + col] ? c->img[row * g->cols + col] : NAN;
}

static void FormatTime(PetscReal t, char buf[], size_t len)
{
  if (PetscAbsReal(t) < 120) snprintf(buf, len, "%.4g s", (double)t);
  else if (PetscAbsReal(t) < 7200) snprintf(buf, len, "%.4g min", (double)(t / 60));
  else snprintf(buf, len, "%.4g h", (double)(t / 3600));
}

/* <dir>/<quantity>_map_<k>_t<t>s.png, t without trailing zeros */
static PetscErrorCode MapFileName(Maps m, PetscInt k, char path[], size_t len)
{
  PetscFunctionBeginUser;
  if (snprintf(path, len, "%s/%s_map_%03d_t%.6gs.png", m->dir, QuantityName(m), (int)k, (double)m->map_t[k]) >= (int)len) path[len - 1] = 0;
  PetscFunctionReturn(0);
}

/* ---- image stacks: mesh/'s TIFF writer inside a file of the set ----
   The set's temporary T is "<path>.<tag>.part"; the writer is given X = "<path>.<tag>" and
   keeps its own work under "X.part" or "X.<tag2>.part" (its temporaries, removed by an
   interrupt either way) until it renames the finished stack to X; X is then renamed over T, which
   the set publishes with the command's other files. */
struct _p_PostprocStack {
  PostprocFiles   files;
  FileOut         f;
  MeshStackWriter w;
  PetscInt        pages;
  char            path[PETSC_MAX_PATH_LEN], temporary[PETSC_MAX_PATH_LEN], written[PETSC_MAX_PATH_LEN];
};

/* Replace every from in text by to */
static PetscErrorCode Substitute(char text[], size_t len, const char from[], const char to[])
{
  char       *out, *at;
  const char *rest = text;
  size_t      n = strlen(from), used = 0;

  PetscFunctionBeginUser;
  if (!n || !strstr(text, from)) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(len, &out));
  out[0] = 0;
  while ((at = strstr(rest, from)) && used + (size_t)(at - rest) + strlen(to) + 1 < len) {
    PetscCall(PetscSNPrintf(out + used, len - used, "%.*s%s", (int)(at - rest), rest, to));
    used += strlen(out + used);
    rest = at + n;
  }
  PetscCall(PetscStrlcat(out, rest, len));
  PetscCall(PetscStrncpy(text, out, len));
  PetscCall(PetscFree(out));
  PetscFunctionReturn(0);
}

/* The writer failed: its message names its own file; say it of the stack. A size it refuses is
   the input's error; anything else is the stack's failed write (errno, or the disk's state). */
static PetscErrorCode StackFailed(PostprocStack s, const PostprocCaptured *cap, int errnum)
{
  char message[sizeof(cap->message) + 2 * PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(message, cap->message, sizeof(message)));
  PetscCall(Substitute(message, sizeof(message), s->temporary, s->path));
  PetscCall(Substitute(message, sizeof(message), s->written, s->path));
  if (cap->code == PETSC_ERR_USER_INPUT && !strstr(message, "cannot write")) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s", message);
  if (cap->code == PETSC_ERR_FILE_WRITE && !strncmp(message, "cannot write '", 14)) {
    PetscCall(FileOutSetFailed(s->f, errnum));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write image stack '%s", message + 14);
  }
  PetscCall(PetscInfo(NULL, "the TIFF writer failed: %s\n", message));
  PetscCall(FileOutSetFailed(s->f, errnum == ENOSPC || errnum == EDQUOT || errnum == EIO || errnum == EFBIG ? errnum : 0));
  PetscCall(PostprocFilesComplete(s->files, s->f)); /* raises the failure in the set's words */
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write image stack '%s'", s->path);
}

PetscErrorCode PostprocStackOpen(PostprocFiles files, const char path[], PetscInt rows, PetscInt cols, PetscInt bits, PostprocStack *stack)
{
  PostprocStack    s;
  PostprocCaptured cap = {0, ""};
  PetscErrorCode   ierr;
  const char      *temporary;
  size_t           n;
  int              e;

  PetscFunctionBeginUser;
  *stack = NULL;
  PetscCall(PetscNew(&s));
  s->files = files;
  PetscCall(PetscStrncpy(s->path, path, sizeof(s->path)));
  ierr = PostprocFilesOpen(files, path, "image stack", &s->f);
  if (ierr) PetscCall(PetscFree(s));
  PetscCall(ierr);
  PetscCall(FileOutGetPath(s->f, NULL, &temporary));
  PetscCall(PetscStrncpy(s->temporary, temporary, sizeof(s->temporary)));
  n = strlen(temporary);
  PetscCheck(n > 5 && !strcmp(temporary + n - 5, ".part"), PETSC_COMM_SELF, PETSC_ERR_PLIB, "unexpected temporary name '%s'", temporary);
  PetscCall(PetscSNPrintf(s->written, sizeof(s->written), "%.*s", (int)(n - 5), temporary));
  PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
  errno = 0;
  ierr  = MeshStackWriterOpen(s->written, rows, cols, bits, &s->w);
  e     = errno;
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    ierr = StackFailed(s, &cap, e);
    PetscCall(PetscFree(s));
    PetscCall(ierr);
  }
  *stack = s;
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocStackAdd(PostprocStack s, const PetscReal values[], const char description[])
{
  PostprocCaptured cap = {0, ""};
  PetscErrorCode   ierr;
  int              e;

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
  errno = 0;
  ierr  = MeshStackWriterAdd(s->w, values, description);
  e     = errno;
  PetscCall(PetscPopErrorHandler());
  if (ierr) PetscCall(StackFailed(s, &cap, e));
  ++s->pages;
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocStackClose(PostprocStack *stack, PetscBool keep)
{
  PostprocStack    s   = *stack;
  PostprocCaptured cap = {0, ""};
  PetscErrorCode   ierr;
  int              e;

  PetscFunctionBeginUser;
  if (!s) PetscFunctionReturn(0);
  *stack = NULL;
  keep   = keep && s->pages ? PETSC_TRUE : PETSC_FALSE; /* a stack without pages is no file */
  PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
  errno = 0;
  ierr  = MeshStackWriterClose(&s->w, keep); /* keep: the finished stack is renamed to s->written */
  e     = errno;
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    ierr = StackFailed(s, &cap, e);
    unlink(s->written);
  } else if (keep) {
    if (rename(s->written, s->temporary)) { /* the finished stack in the place of the set's file */
      e = errno;
      unlink(s->written);
      PetscCall(FileOutSetFailed(s->f, e));
    }
    ierr = PostprocFilesComplete(s->files, s->f);
  } else
    unlink(s->written);
  PetscCall(PetscFree(s));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* ---- writing the maps ---- */
static PetscErrorCode WriteRaw(void *ctx)
{
  Maps                 m = (Maps)ctx;
  PostprocStack        stack;
  FileOut              f;
  char                 path[PETSC_MAX_PATH_LEN];
  const PetscInt       npix = m->grid.rows * m->grid.cols;
  const unsigned char *mask;
  PetscReal           *page;
  PetscErrorCode       ierr = 0;

  PetscFunctionBeginUser;
  PetscCall(RasterGetMask(m->raster, &mask, NULL));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s_maps.tif", m->dir, QuantityName(m)));
  PetscCall(PostprocStackOpen(m->files, path, m->grid.rows, m->grid.cols, 32, &stack));
  PetscCall(PetscMalloc1(npix, &page));
  for (PetscInt k = 0; k < m->nmaps && !ierr; ++k) {
    char desc[256];
    for (PetscInt i = 0; i < npix; ++i) page[i] = mask[i] ? m->maps[k][i] : NAN;
    PetscCall(PetscSNPrintf(desc, sizeof(desc), "spot %s map at t = %.12g s; pixel %.6g um; top-left pixel corner at (%.6g, %.6g) um of the mesh frame", QuantityName(m), (double)m->map_t[k], (double)m->grid.pixel_size, (double)m->grid.origin[0], (double)m->grid.origin[1]));
    ierr = PostprocStackAdd(stack, page, desc);
  }
  PetscCall(PetscFree(page));
  PetscCall(PostprocStackClose(&stack, ierr ? PETSC_FALSE : PETSC_TRUE));
  PetscCall(ierr);

  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s_maps.csv", m->dir, QuantityName(m)));
  PetscCall(PostprocFilesOpen(m->files, path, NULL, &f));
  PetscCall(FileOutPrintf(f, "# spot %s maps: %" PetscInt_FMT " x %" PetscInt_FMT " pixels of %.6g um, top-left pixel corner at (%.6g, %.6g) um, particle centroid (%.6g, %.6g) um\n", QuantityName(m), m->grid.rows, m->grid.cols, (double)m->grid.pixel_size, (double)m->grid.origin[0], (double)m->grid.origin[1], (double)m->centroid[0], (double)m->centroid[1]));
  PetscCall(FileOutPrintf(f, "index,t_s,file,min_%s,mean_%s,max_%s\n", QuantityName(m), QuantityName(m), QuantityName(m)));
  for (PetscInt k = 0; k < m->nmaps; ++k) {
    PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, sum = 0;
    PetscInt  cnt = 0;
    char      name[PETSC_MAX_PATH_LEN];
    for (PetscInt i = 0; i < npix; ++i)
      if (mask[i] && !PetscIsNanReal(m->maps[k][i])) {
        lo = PetscMin(lo, m->maps[k][i]);
        hi = PetscMax(hi, m->maps[k][i]);
        sum += m->maps[k][i];
        ++cnt;
      }
    PetscCall(MapFileName(m, k, name, sizeof(name)));
    PetscCall(FileOutPrintf(f, "%" PetscInt_FMT ",%.12g,%s,%.10g,%.10g,%.10g\n", k, (double)m->map_t[k], strrchr(name, '/') + 1, (double)lo, (double)(cnt ? sum / cnt : NAN), (double)hi));
  }
  PetscCall(PostprocFilesComplete(m->files, f));
  PetscFunctionReturn(0);
}

/* The published files, for MapsDiscard (rank 0) */
static PetscErrorCode RememberPublished(Maps m)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (m->rank) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(PLOT_FORMAT_COUNT * m->nmaps + 2, &m->written));
  for (PetscInt k = 0; k < m->nmaps; ++k) {
    PetscCall(MapFileName(m, k, path, sizeof(path)));
    PetscCall(PetscStrncpy(m->written[m->nwritten++], path, PETSC_MAX_PATH_LEN));
    for (PetscInt f = PLOT_FORMAT_PNG + 1; f < PLOT_FORMAT_COUNT; ++f)
      if (m->formats[f]) PetscCall(PlotFormatPath(path, (PlotFormat)f, m->written[m->nwritten++], PETSC_MAX_PATH_LEN));
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s_maps.tif", m->dir, QuantityName(m)));
  PetscCall(PetscStrncpy(m->written[m->nwritten++], path, PETSC_MAX_PATH_LEN));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s_maps.csv", m->dir, QuantityName(m)));
  PetscCall(PetscStrncpy(m->written[m->nwritten++], path, PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}

/* Every map into the set: the PNGs, then the TIFF stack and the CSV */
static PetscErrorCode WriteAll(Maps m, const PetscReal range[2])
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < m->nmaps; ++k) {
    PlotFigure      fig;
    MapsPanel       panels[2];
    MapSampleCtx    sctx = {m, m->maps[k]};
    char            path[PETSC_MAX_PATH_LEN], title[128], when[32];
    const PetscReal x0 = m->grid.origin[0] - m->centroid[0], x1 = x0 + m->grid.cols * m->grid.pixel_size;
    const PetscReal y1 = m->centroid[1] - m->grid.origin[1], y0 = y1 - m->grid.rows * m->grid.pixel_size;
    PetscErrorCode  ierr;
    FormatTime(m->map_t[k], when, sizeof(when));
    PetscCall(PetscSNPrintf(title, sizeof(title), "%s at t = %s", m->delithiation ? "delithiation 1 − θ" : "θ", when));
    PetscCall(PlotFigureCreate(m->comm, 900, 640, &fig));
    PetscCall(PlotFigureSetOutputFiles(fig, m->files));
    PetscCall(PlotFigureSetFontScale(fig, 2));
    PetscCall(PetscMemzero(panels, sizeof(panels)));
    panels[0].box[0] = 0.0, panels[0].box[1] = 0.0, panels[0].box[2] = 0.8, panels[0].box[3] = 1.0;
    panels[1].box[0] = 0.8, panels[1].box[1] = 0.0, panels[1].box[2] = 1.0, panels[1].box[3] = 1.0;
    PetscCall(PlotFigureAddAxes(fig, panels[0].box[0], panels[0].box[1], panels[0].box[2], panels[0].box[3], &panels[0].ax));
    PetscCall(PlotAxesSetLabels(panels[0].ax, title, "x − x_c (µm)", "y_c − y (µm, up as displayed)"));
    PetscCall(PlotAxesSetXLimits(panels[0].ax, x0, x1));
    PetscCall(PlotAxesSetYLimits(panels[0].ax, y0, y1));
    panels[0].sample       = MapSample;
    panels[0].ctx          = &sctx;
    panels[0].lo           = range[0];
    panels[0].hi           = range[1];
    panels[0].equal_aspect = PETSC_TRUE;
    PetscCall(PlotFigureAddAxes(fig, panels[1].box[0], panels[1].box[1], panels[1].box[2], panels[1].box[3], &panels[1].ax));
    PetscCall(PlotAxesSetLabels(panels[1].ax, m->delithiation ? "1 − θ" : "θ", "", ""));
    PetscCall(PlotAxesSetXLimits(panels[1].ax, 0, 1));
    PetscCall(PlotAxesSetYLimits(panels[1].ax, range[0], range[1]));
    panels[1].lo       = range[0];
    panels[1].hi       = range[1];
    panels[1].colorbar = PETSC_TRUE;
    PetscCall(MapFileName(m, k, path, sizeof(path)));
    ierr = MapsFigureWrite(m->comm, fig, 2, panels, path);
    PetscCall(PlotFigureDestroy(&fig));
    PetscCall(ierr);
  }
  PetscCall(CompareOnRankZero(m->comm, WriteRaw, m));
  PetscFunctionReturn(0);
}

PetscErrorCode MapsFinish(Maps m)
{
  PetscReal      range[2];
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (!m->enabled || m->finished) PetscFunctionReturn(0);
  if (!m->nmaps) { /* no map time fell within the run */
    m->finished = PETSC_TRUE;
    PetscCall(PetscPrintf(m->comm, "maps: none written: no map time fell within the run (-out_map_times)\n"));
    PetscFunctionReturn(0);
  }
  { /* one colour scale */
    if (m->range_set) {
      range[0] = m->range[0];
      range[1] = m->range[1];
    } else {
      const unsigned char *mask;
      PetscCall(RasterGetMask(m->raster, &mask, NULL));
      range[0] = PETSC_MAX_REAL;
      range[1] = -PETSC_MAX_REAL;
      if (m->rank == 0)
        for (PetscInt k = 0; k < m->nmaps; ++k)
          for (PetscInt i = 0; i < m->grid.rows * m->grid.cols; ++i)
            if (mask[i] && !PetscIsNanReal(m->maps[k][i])) {
              range[0] = PetscMin(range[0], m->maps[k][i]);
              range[1] = PetscMax(range[1], m->maps[k][i]);
            }
      PetscCallMPI(MPI_Bcast(range, 2, MPIU_REAL, 0, m->comm));
      if (range[0] > range[1]) range[0] = 0, range[1] = 1;
      if (range[1] - range[0] < 1e-6) range[0] -= 0.005, range[1] += 0.005;
    }
  }
  PetscCall(PostprocFilesCreate(m->comm, &m->files));
  ierr = WriteAll(m, range);
  if (!ierr) ierr = PostprocFilesPublish(m->files);
  PetscCall(PostprocFilesDestroy(&m->files)); /* after a failure: removes every map */
  PetscCall(ierr);
  PetscCall(RememberPublished(m));
  m->finished = PETSC_TRUE;
  PetscCall(PetscPrintf(m->comm, "maps: %" PetscInt_FMT " %s maps of %" PetscInt_FMT " x %" PetscInt_FMT " pixels of %.4g um (colour scale %.4g to %.4g) in %s\n", m->nmaps, QuantityName(m), m->grid.rows, m->grid.cols, (double)m->grid.pixel_size, (double)range[0], (double)range[1], m->dir));
  PetscFunctionReturn(0);
}

/* After a failure of the run: remove the maps MapsFinish published (nothing, if it did not run) */
PetscErrorCode MapsDiscard(Maps m)
{
  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(0);
  PetscCall(PostprocFilesDestroy(&m->files));
  if (m->rank == 0)
    for (PetscInt i = 0; i < m->nwritten; ++i)
      unlink(m->written[i]);
  m->nwritten = 0;
  m->finished = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode MapsDestroy(Maps *pm)
{
  Maps m = *pm;

  PetscFunctionBeginUser;
  if (!m) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < m->nmaps; ++k) PetscCall(PetscFree(m->maps[k]));
  PetscCall(PetscFree2(m->map_t, m->maps));
  PetscCall(PetscFree(m->times));
  PetscCall(PetscFree(m->written));
  PetscCall(VecDestroy(&m->snapshot));
  PetscCall(RasterDestroy(&m->raster));
  PetscCall(PetscFree(m));
  *pm = NULL;
  PetscFunctionReturn(0);
}
