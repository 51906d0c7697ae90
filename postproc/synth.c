/* spot synth: a run made into an optical-like image stack, to test the comparison end to end.

   At each frame time t (every -synth_frame_interval from 0 to the end of the protocol, or the
   list -synth_frame_times; θ between time steps from TSInterpolate) the camera pixel j records
     I_j = (1 + d t) [ I0 (P(G*χ)_j + k P(G*((θ0 − θ)χ))_j) + I_bg (1 − P(G*χ)_j) ] + n_j,
   the optics of postproc/compare_optics.c: the particle (coverage χ, fine grid of the mesh frame)
   with intensity I0 (1 + k (θ0 − θ)) on a flat background I_bg, blurred by a Gaussian PSF of
   standard deviation σ, integrated over camera pixels of size p placed by a rigid transform
   (the particle's centroid at the middle of the frame plus a shift, rotated by an angle); d is a
   slow global drift (fraction per hour), n_j Gaussian noise of standard deviation noise × I0.
   Pixels far from the particle are pure background. The stack is a multi-page TIFF, 16-bit
   (intensities in [0, 1] scaled to 65535) or 32-bit float, one page per frame, and the
   timestamps a CSV "frame,t_s" (t_s = t + -synth_time_offset), as microscopes write them.

   The truth (shift, rotation, where the centroid lies, the transform) is returned in the report
   and printed, so that tests can check what spot compare and spot fit recover. */
#include "postproc/postproc.h"
#include "input/input.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SYNTH_MAX_FRAMES 100000

typedef struct {
  SynthReport       rep;
  MPI_Comm          comm;
  PetscMPIInt       rank;
  char              output[PETSC_MAX_PATH_LEN], timestamps[PETSC_MAX_PATH_LEN];
  PetscReal        *times;   /* simulation times of the frames */
  PetscInt          nframes, next, written;
  PetscReal         time_offset;
  PetscInt          seed;
  RasterGrid        fine;
  Raster            raster;
  const PetscReal  *coverage;
  OpticalProjection P;
  PetscReal        *pc;      /* P(G*χ) over the window */
  PetscReal        *delta, *blurred, *pn, *img, *page; /* rank 0 work */
  MeshStackWriter   writer;
  Vec               snapshot;
  Solver            solver;
  unsigned long long rng;
  PetscBool          have_spare;
  double             spare;
} Synth;

/* xorshift64* and Box–Muller: reproducible normal numbers */
static double Uniform(Synth *s)
{
  s->rng ^= s->rng >> 12;
  s->rng ^= s->rng << 25;
  s->rng ^= s->rng >> 27;
  return (((s->rng * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

static double Normal(Synth *s)
{
  double u, v;
  if (s->have_spare) {
    s->have_spare = PETSC_FALSE;
    return s->spare;
  }
  u             = Uniform(s);
  v             = Uniform(s);
  s->spare      = sqrt(-2 * log(u)) * sin(2 * PETSC_PI * v);
  s->have_spare = PETSC_TRUE;
  return sqrt(-2 * log(u)) * cos(2 * PETSC_PI * v);
}

static PetscErrorCode GetReal(const char name[], UnitKind kind, PetscReal *v, PetscReal lo, PetscReal hi, const char what[])
{
  char      where[PETSC_MAX_PATH_LEN];
  PetscBool set;

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, kind, v, &set));
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(*v >= lo && *v <= hi, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be between %.6g and %.6g, got %.6g", where, what, (double)lo, (double)hi, (double)*v);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOptions(Synth *s)
{
  SynthReport *r = &s->rep;
  char         where[PETSC_MAX_PATH_LEN];
  PetscBool    set;
  PetscInt     n;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(s->output, "movie.tif", sizeof(s->output)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-synth_output", s->output, sizeof(s->output), NULL));
  {
    size_t len = strlen(s->output);
    if (len > 4 && (!strcmp(s->output + len - 4, ".tif"))) len -= 4;
    else if (len > 5 && !strcmp(s->output + len - 5, ".tiff")) len -= 5;
    PetscCall(PetscSNPrintf(s->timestamps, sizeof(s->timestamps), "%.*s_timestamps.csv", (int)len, s->output));
  }
  PetscCall(PetscOptionsGetString(NULL, NULL, "-synth_timestamps", s->timestamps, sizeof(s->timestamps), NULL));
  r->pixel_size = 0.1;
  PetscCall(GetReal("-synth_pixel_size", UNIT_LENGTH, &r->pixel_size, 1e-4, 100, "the pixel size (um)"));
  PetscCheck(r->pixel_size > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -synth_pixel_size: the pixel size must be positive");
  r->psf_sigma = 0.3;
  PetscCall(GetReal("-synth_psf_sigma", UNIT_LENGTH, &r->psf_sigma, 0, 50, "psf_sigma (um)"));
  r->k = 0.6;
  PetscCall(GetReal("-synth_k", UNIT_NONE, &r->k, -10, 10, "the contrast factor k"));
  r->intensity = 0.35;
  PetscCall(GetReal("-synth_intensity", UNIT_NONE, &r->intensity, 1e-6, 1e6, "the particle intensity I0"));
  r->background = 0.15;
  PetscCall(GetReal("-synth_background", UNIT_NONE, &r->background, 0, 1e6, "the background intensity"));
  r->noise = 0.02;
  PetscCall(GetReal("-synth_noise", UNIT_NONE, &r->noise, 0, 10, "the noise (standard deviation over I0)"));
  r->drift = 0;
  PetscCall(GetReal("-synth_drift", UNIT_NONE, &r->drift, -10, 10, "the drift (fraction per hour)"));
  r->rotation_deg = 0;
  PetscCall(GetReal("-synth_rotation", UNIT_NONE, &r->rotation_deg, -360, 360, "the rotation (degrees)"));
  n = 2;
  PetscCall(InputGetQuantityArray("-synth_shift", UNIT_NONE, r->shift, &n, &set));
  PetscCall(InputOptionWhere("-synth_shift", where, sizeof(where)));
  PetscCheck(!set || n == 2, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the shift needs two numbers, columns and rows (px), got %" PetscInt_FMT, where, n);
  if (!set) r->shift[0] = r->shift[1] = 0;
  r->bits = 16;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-synth_bits", &r->bits, NULL));
  PetscCall(InputOptionWhere("-synth_bits", where, sizeof(where)));
  PetscCheck(r->bits == 16 || r->bits == 32, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: bits must be 16 (integer) or 32 (float), got %" PetscInt_FMT, where, r->bits);
  s->seed = 1;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-synth_seed", &s->seed, NULL));
  s->rng = 0x9E3779B97F4A7C15ULL ^ (unsigned long long)(s->seed * 2654435761ULL + 1);
  PetscCall(InputGetQuantity("-synth_time_offset", UNIT_TIME, &s->time_offset, NULL));
  {
    PetscInt size[2] = {0, 0};
    n                = 2;
    PetscCall(PetscOptionsGetIntArray(NULL, NULL, "-synth_size", size, &n, &set));
    PetscCall(InputOptionWhere("-synth_size", where, sizeof(where)));
    PetscCheck(!set || (n == 2 && size[0] >= 8 && size[1] >= 8 && size[0] <= 16384 && size[1] <= 16384), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: size needs rows,cols, each 8 to 16384", where);
    r->rows = set ? size[0] : 0;
    r->cols = set ? size[1] : 0;
  }
  PetscFunctionReturn(0);
}

/* Frame times: the list, or every interval from 0 to the end of the protocol */
static PetscErrorCode FrameTimes(Synth *s, Simulation sim)
{
  Protocol        protocol;
  const StepSpec *steps;
  PetscInt        n;
  PetscReal       end = 0, interval = 30;
  PetscBool       set;
  char            where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(SYNTH_MAX_FRAMES, &s->times));
  s->nframes = SYNTH_MAX_FRAMES;
  PetscCall(InputGetQuantityArray("-synth_frame_times", UNIT_TIME, s->times, &s->nframes, &set));
  PetscCall(InputOptionWhere("-synth_frame_times", where, sizeof(where)));
  if (set) {
    for (PetscInt i = 1; i < s->nframes; ++i) PetscCheck(s->times[i] > s->times[i - 1], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: frame times must increase, but %.6g s follows %.6g s", where, (double)s->times[i], (double)s->times[i - 1]);
    PetscCheck(s->nframes >= 2, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a movie needs at least 2 frames", where);
    PetscFunctionReturn(0);
  }
  PetscCall(SimulationGetProtocol(sim, &protocol));
  PetscCall(ProtocolGetSteps(protocol, &n, &steps));
  for (PetscInt i = 0; i < n; ++i) end = (steps[i].duration < PETSC_MAX_REAL && end < PETSC_MAX_REAL) ? end + steps[i].duration : PETSC_MAX_REAL;
  PetscCheck(end < PETSC_MAX_REAL, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "the protocol has a step without a duration, so frames every interval have no end: give the frame times (--frame-times, -synth_frame_times)");
  PetscCall(InputGetQuantity("-synth_frame_interval", UNIT_TIME, &interval, NULL));
  PetscCall(InputOptionWhere("-synth_frame_interval", where, sizeof(where)));
  PetscCheck(interval > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the frame interval must be a positive time, got %.6g s", where, (double)interval);
  s->nframes = 0;
  for (PetscReal t = 0; t <= end * (1 + 1e-12) && s->nframes < SYNTH_MAX_FRAMES; t = ++s->nframes * interval) s->times[s->nframes] = t;
  PetscCheck(s->nframes >= 2, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a frame every %.6g s gives fewer than 2 frames in the %.6g s protocol", where, (double)interval, (double)end);
  PetscFunctionReturn(0);
}

typedef struct {
  Synth    *s;
  PetscReal t;
} PageCtx;

/* The camera frame at time t from the fine (θ0 − θ)χ in s->delta (rank 0) */
static PetscErrorCode WritePage(void *ctx)
{
  PageCtx          *pcx = (PageCtx *)ctx;
  Synth            *s   = pcx->s;
  SynthReport      *r   = &s->rep;
  const PetscReal   gain = 1 + r->drift * pcx->t / 3600, sd = r->noise * r->intensity;
  const PetscInt    npix = r->rows * r->cols;
  char              desc[256];

  PetscFunctionBeginUser;
  PetscCall(OpticalBlur(s->fine.rows, s->fine.cols, r->psf_sigma / s->fine.pixel_size, s->delta, s->blurred));
  PetscCall(OpticalProjectionApply(&s->P, s->blurred, s->pn));
  for (PetscInt i = 0; i < npix; ++i) s->page[i] = gain * r->background;
  for (PetscInt rr = 0; rr < s->P.rows; ++rr)
    for (PetscInt cc = 0; cc < s->P.cols; ++cc) {
      const PetscInt j = rr * s->P.cols + cc;
      s->page[(s->P.r0 + rr) * r->cols + s->P.c0 + cc] = gain * (r->intensity * (s->pc[j] + r->k * s->pn[j]) + r->background * (1 - s->pc[j]));
    }
  if (sd > 0)
    for (PetscInt i = 0; i < npix; ++i) s->page[i] += sd * Normal(s);
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "spot synth frame %" PetscInt_FMT ": t = %.10g s (run time %.10g s); pixel %.6g um", s->written, (double)(pcx->t + s->time_offset), (double)pcx->t, (double)r->pixel_size));
  PetscCall(MeshStackWriterAdd(s->writer, s->page, desc));
  ++s->written;
  PetscFunctionReturn(0);
}

static PetscErrorCode Frame(Synth *s, PetscReal t, Vec theta)
{
  PageCtx ctx = {s, t};

  PetscFunctionBeginUser;
  PetscCall(RasterEvaluate(s->raster, theta, s->img));
  if (s->rank == 0) {
    const PetscInt n = s->fine.rows * s->fine.cols;
    for (PetscInt i = 0; i < n; ++i) s->delta[i] = s->coverage[i] > 0 && !PetscIsNanReal(s->img[i]) ? (s->rep.theta0 - s->img[i]) * s->coverage[i] : 0;
  }
  PetscCall(CompareOnRankZero(s->comm, WritePage, &ctx));
  s->rep.t_last = t;
  if (s->next == 1) s->rep.t_first = t;
  PetscFunctionReturn(0);
}

static PetscErrorCode SynthMonitor(Solver solver, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Synth          *s   = (Synth *)ctx;
  const PetscReal eps = 1e-9 * PetscMax(1, PetscAbsReal(st->t));
  TS              ts;

  PetscFunctionBeginUser;
  if (e == SOLVER_EVENT_INITIAL) {
    s->rep.theta0 = st->mean_theta;
    PetscCheck(s->times[0] >= st->t - eps, s->comm, PETSC_ERR_USER_INPUT, "frame time %.6g s lies before the start of the run (%.6g s)", (double)s->times[0], (double)st->t);
    while (s->next < s->nframes && s->times[s->next] <= st->t + eps) {
      ++s->next;
      PetscCall(Frame(s, s->times[s->next - 1], theta));
    }
  } else if (e == SOLVER_EVENT_TIMESTEP) {
    PetscCall(SolverGetTS(solver, &ts));
    while (s->next < s->nframes && s->times[s->next] <= st->t + eps) {
      const PetscReal tf = s->times[s->next++];
      if (PetscAbsReal(tf - st->t) <= eps) PetscCall(Frame(s, tf, theta));
      else {
        PetscCall(TSInterpolate(ts, tf, s->snapshot));
        PetscCall(Frame(s, tf, s->snapshot));
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode OpenWriter(void *ctx)
{
  Synth *s = (Synth *)ctx;

  PetscFunctionBeginUser;
  PetscCall(MeshStackWriterOpen(s->output, s->rep.rows, s->rep.cols, s->rep.bits, &s->writer));
  PetscFunctionReturn(0);
}

static PetscErrorCode FinishFiles(void *ctx)
{
  Synth *s = (Synth *)ctx;
  char   part[PETSC_MAX_PATH_LEN + 8];
  FILE  *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(part, sizeof(part), "%s.part", s->timestamps));
  fp = fopen(part, "w");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot write timestamps '%s'", s->timestamps);
  fprintf(fp, "# spot synth: %s; pixel %.6g um, psf_sigma %.6g um, k %.6g, noise %.6g, drift %.6g per h, shift (%.6g, %.6g) px, rotation %.6g deg\n", s->output, (double)s->rep.pixel_size, (double)s->rep.psf_sigma, (double)s->rep.k, (double)s->rep.noise, (double)s->rep.drift, (double)s->rep.shift[0], (double)s->rep.shift[1], (double)s->rep.rotation_deg);
  fprintf(fp, "frame,t_s\n");
  for (PetscInt i = 0; i < s->written; ++i) fprintf(fp, "%d,%.10g\n", (int)i, (double)(s->times[i] + s->time_offset));
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot write timestamps '%s'", s->timestamps);
  PetscCall(MeshStackWriterClose(&s->writer, PETSC_TRUE));
  PetscCheck(!rename(part, s->timestamps), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot rename '%s' to '%s'", part, s->timestamps);
  PetscFunctionReturn(0);
}

static PetscErrorCode SynthDestroy(Synth *s)
{
  PetscFunctionBeginUser;
  if (s->writer) PetscCall(MeshStackWriterClose(&s->writer, PETSC_FALSE));
  PetscCall(PetscFree(s->times));
  PetscCall(RasterDestroy(&s->raster));
  if (s->P.offsets) PetscCall(OpticalProjectionDestroy(&s->P));
  PetscCall(PetscFree(s->pc));
  PetscCall(PetscFree5(s->delta, s->blurred, s->pn, s->img, s->page));
  PetscCall(VecDestroy(&s->snapshot));
  PetscFunctionReturn(0);
}

PetscErrorCode SynthRun(MPI_Comm comm, const char workdir[], PetscViewer viewer, SynthReport *report)
{
  Synth           s;
  Simulation      sim;
  DM              dm;
  const MeshInfo *info;
  SynthReport    *r = &s.rep;
  PetscErrorCode  ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&s, sizeof(s)));
  s.comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &s.rank));
  PetscCall(ReadOptions(&s));
  PetscCall(SimulationCreate(comm, workdir, viewer, &sim));
  PetscCall(SimulationGetSolver(sim, &s.solver));
  PetscCall(SolverGetDM(s.solver, &dm));
  PetscCall(SolverGetMeshInfo(s.solver, &info));
  PetscCheck(info->dim == 2, comm, PETSC_ERR_USER_INPUT, "spot synth needs a 2-D run (the imaged cross-section); this mesh is 3-D");
  PetscCall(FrameTimes(&s, sim));

  /* geometry: the particle's centroid in the middle of the frame, shifted, rotated */
  PetscCall(OpticalFineGrid(info, r->pixel_size, r->psf_sigma, &s.fine));
  if (!r->rows) {
    const PetscReal ex = info->upper[0] - info->lower[0], ey = info->upper[1] - info->lower[1], m = 4 * r->psf_sigma + 4 * r->pixel_size;
    const PetscReal e  = r->rotation_deg != 0 ? PetscMax(ex, ey) : 0;
    r->cols            = 2 * (PetscInt)PetscCeilReal(0.5 * (1.6 * PetscMax(ex, e) + 2 * m) / r->pixel_size + PetscAbsReal(r->shift[0]));
    r->rows            = 2 * (PetscInt)PetscCeilReal(0.5 * (1.6 * PetscMax(ey, e) + 2 * m) / r->pixel_size + PetscAbsReal(r->shift[1]));
  }
  {
    const PetscReal u[2] = {(0.5 * r->cols + r->shift[0]) * r->pixel_size, (0.5 * r->rows + r->shift[1]) * r->pixel_size};
    PetscCall(OpticalFrameRigid(r->pixel_size, r->rotation_deg, u, info->centroid, &r->frame));
    r->centroid_px[0] = u[0] / r->pixel_size - 0.5;
    r->centroid_px[1] = u[1] / r->pixel_size - 0.5;
  }
  {
    PetscInt r0, c0, wr, wc;
    PetscCall(OpticalWindow(&s.fine, &r->frame, r->rows, r->cols, 2, &r0, &c0, &wr, &wc));
    PetscCheck(wr > 0 && wc > 0, comm, PETSC_ERR_USER_INPUT, "the shifted particle lies outside the %" PetscInt_FMT " x %" PetscInt_FMT " frame; reduce the shift or enlarge the size", r->rows, r->cols);
    PetscCall(OpticalProjectionCreate(&s.fine, &r->frame, r0, c0, wr, wc, 3, &s.P));
  }
  PetscCall(RasterCreate(dm, &s.fine, &s.raster));
  PetscCall(RasterGetMask(s.raster, NULL, &s.coverage));
  {
    const PetscInt nfine = s.fine.rows * s.fine.cols, nwin = s.P.rows * s.P.cols;
    PetscReal     *g;
    PetscCall(PetscMalloc1(nwin, &s.pc));
    PetscCall(PetscMalloc1(nfine, &g));
    PetscCall(OpticalBlur(s.fine.rows, s.fine.cols, r->psf_sigma / s.fine.pixel_size, s.coverage, g));
    PetscCall(OpticalProjectionApply(&s.P, g, s.pc));
    PetscCall(PetscFree(g));
    if (s.rank == 0) PetscCall(PetscMalloc5(nfine, &s.delta, nfine, &s.blurred, nwin, &s.pn, nfine, &s.img, (size_t)r->rows * r->cols, &s.page));
  }
  {
    Vec theta;
    PetscCall(SolverGetSolution(s.solver, &theta));
    PetscCall(VecDuplicate(theta, &s.snapshot));
  }
  PetscCall(CompareOnRankZero(comm, OpenWriter, &s));
  PetscCall(SolverAddMonitor(s.solver, SynthMonitor, &s));
  ierr = SimulationRun(sim);
  if (!ierr) ierr = CompareOnRankZero(comm, FinishFiles, &s);
  if (ierr && s.rank == 0) { /* no partial movie */
    char part[PETSC_MAX_PATH_LEN + 8];
    PetscCall(PetscSNPrintf(part, sizeof(part), "%s.part", s.timestamps));
    remove(part);
  }
  PetscCall(SynthDestroy(&s));
  PetscCall(SimulationDestroy(&sim));
  if (s.rank == 0) { /* the mesh spot made for the run is not part of the movie */
    char generated[PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, workdir));
    remove(generated);
  }
  PetscCall(ierr);
  r->frames = s.written;
  PetscCallMPI(MPI_Bcast(&r->frames, 1, MPIU_INT, 0, comm));
  if (viewer) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: %" PetscInt_FMT " frames of %" PetscInt_FMT " x %" PetscInt_FMT " pixels (%.6g um, %" PetscInt_FMT "-bit), run time %.6g to %.6g s, in %s; timestamps in %s\n", r->frames, r->rows, r->cols, (double)r->pixel_size, r->bits, (double)r->t_first, (double)r->t_last, s.output, s.timestamps));
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: optics: I0 %.6g, background %.6g, k %.6g, theta0 %.6g, psf_sigma %.6g um, noise %.6g, drift %.6g per h\n", (double)r->intensity, (double)r->background, (double)r->k, (double)r->theta0, (double)r->psf_sigma, (double)r->noise, (double)r->drift));
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: truth: the particle's centroid at optical pixel (col %.3f, row %.3f) (shift %.6g, %.6g px), rotation %.6g deg; mesh x = A u + b, A = [%.6g %.6g; %.6g %.6g], b = (%.6g, %.6g) um\n", (double)r->centroid_px[0], (double)r->centroid_px[1], (double)r->shift[0], (double)r->shift[1], (double)r->rotation_deg, (double)r->frame.A[0], (double)r->frame.A[1], (double)r->frame.A[2], (double)r->frame.A[3], (double)r->frame.b[0], (double)r->frame.b[1]));
  }
  if (report) *report = *r;
  PetscFunctionReturn(0);
}
