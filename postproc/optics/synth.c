/* spot synth: a run made into an optical-like image stack, to test the comparison end to end.

   At each frame time t (every -synth_frame_interval from 0 to the end of the protocol, or the
   list -synth_frame_times; θ between time steps from TSInterpolate) the camera pixel j records
     I_j = (1 + d t) [ I0 (P(G*χ)_j + k P(G*((θ0 − θ)χ))_j) + I_bg (1 − P(G*χ)_j) ] + n_j,
   the optics of compare_optics.c: the particle (coverage χ, fine grid of the mesh frame)
   with intensity I0 (1 + k (θ0 − θ)) on a flat background I_bg, blurred by a Gaussian PSF of
   standard deviation σ, integrated over camera pixels of size p placed by a rigid transform
   (the particle's centroid at the middle of the frame plus a shift, rotated by an angle; a
   population's particles may each be moved on their own too, -synth_particle_shift); d is a
   slow global drift (fraction per hour), n_j Gaussian noise of standard deviation noise × I0.
   Pixels far from the particle are pure background. The stack is a multi-page TIFF, 16-bit
   (intensities in [0, 1] scaled to 65535) or 32-bit float, one page per frame, and the
   timestamps a CSV "frame,t_s" (t_s = t + -synth_time_offset), as microscopes write them.

   The truth (shift, rotation, where the centroid lies, the transform) is returned in the report
   and printed, so that tests can check what spot compare and spot fit recover.

   Every -synth_ option is checked before the run (which may be long): each value in its range,
   the frame times (increasing, from t = 0, within the protocol when its end is known, at most
   SYNTH_MAX_FRAMES), the timestamps they give (finite and still increasing once written), the
   drift (the illumination stays positive), a 16-bit page's full scale, the frame size and the
   particle inside the frame. The stack and the timestamps are published together when the run
   is done (PostprocFiles): a failure leaves neither. */
#include "postproc/optics/opticsimpl.h"
#include "input/input.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SYNTH_MAX_FRAMES 100000
#define SYNTH_MAX_PIXELS 16777216 /* per frame: 4096 x 4096 */

typedef struct {
  SynthReport       rep;
  MPI_Comm          comm;
  PetscMPIInt       rank;
  char              output[PETSC_MAX_PATH_LEN], timestamps[PETSC_MAX_PATH_LEN];
  PetscReal        *times;   /* simulation times of the frames */
  PetscInt          nframes, next, written;
  PetscBool          times_given; /* -synth_frame_times, else every -synth_frame_interval */
  PetscReal          interval;
  PetscReal         time_offset;
  PetscInt          seed;
  RasterGrid        fine;
  Raster            raster;
  const PetscReal  *coverage;
  OpticalProjection P;
  PetscReal        *pc;      /* P(G*χ) over the window */
  PetscReal        *delta, *blurred, *pn, *img, *page; /* rank 0 work */
  PostprocFiles      files;                             /* the stack and the timestamps, all or nothing */
  PostprocStack      stack;                             /* rank 0 */
  Vec               snapshot;
  PetscReal        *particle_shift; /* -synth_particle_shift: 2 per particle, px (col, row) */
  PetscInt          nparticle_shift;
  PetscReal        *moved;          /* the same in the mesh frame, µm, for the raster */
  Solver            solver;
  PetscViewer        viewer;
  PetscReal          t_end; /* the run's last time */
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
  { /* each particle of a population moved on its own: counted here, checked against the run's
       particles in SynthMovie */
    PetscCall(InputGetQuantityArray("-synth_particle_shift", UNIT_NONE, NULL, &n, &set));
    if (set) {
      PetscCall(PetscMalloc1(n + 1, &s->particle_shift));
      PetscCall(InputGetQuantityArray("-synth_particle_shift", UNIT_NONE, s->particle_shift, &n, NULL));
      PetscCall(InputOptionWhere("-synth_particle_shift", where, sizeof(where)));
      PetscCheck(n > 0 && n % 2 == 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the particle shifts need two numbers per particle, columns and rows (px), got %" PetscInt_FMT " numbers", where, n);
      for (PetscInt i = 0; i < n; ++i)
        PetscCheck(PetscAbsReal(s->particle_shift[i]) <= 100, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: particle %" PetscInt_FMT "'s shift %s %.6g px is not a number from -100 to 100", where, i / 2 + 1, i % 2 ? "in rows" : "in columns", (double)s->particle_shift[i]);
      s->nparticle_shift = n / 2;
    }
  }
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
    PetscCheck(!set || (double)size[0] * size[1] <= SYNTH_MAX_PIXELS, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a frame of %" PetscInt_FMT " x %" PetscInt_FMT " pixels is more than the %d megapixels (4096 x 4096) spot synth makes", where, size[0], size[1], SYNTH_MAX_PIXELS >> 20);
    r->rows = set ? size[0] : 0;
    r->cols = set ? size[1] : 0;
  }
  { /* the stack and the timestamps are two files */
    char ts_where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-synth_timestamps", ts_where, sizeof(ts_where)));
    PetscCheck(strcmp(s->output, s->timestamps), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the timestamps need a file of their own, not the stack '%s'", ts_where, s->output);
  }
  /* the frame times: a list, or every interval (checked against the protocol in FrameTimes) */
  PetscCall(PetscMalloc1(SYNTH_MAX_FRAMES, &s->times));
  s->nframes = SYNTH_MAX_FRAMES;
  PetscCall(InputGetQuantityArray("-synth_frame_times", UNIT_TIME, s->times, &s->nframes, &s->times_given));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-synth_frame_interval", &set));
  PetscCall(InputOptionWhere(s->times_given ? "-synth_frame_times" : "-synth_frame_interval", where, sizeof(where)));
  PetscCheck(!(s->times_given && set), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: give the frame times or the frame interval, not both", where);
  if (s->times_given) {
    PetscCheck(s->times[0] >= 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: frame times are run times from t = 0, got %.6g s", where, (double)s->times[0]);
    for (PetscInt i = 1; i < s->nframes; ++i)
      PetscCheck(s->times[i] > s->times[i - 1], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: frame times must increase, but %.6g s follows %.6g s", where, (double)s->times[i], (double)s->times[i - 1]);
    PetscCheck(s->nframes >= 2, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a movie needs at least 2 frames", where);
  } else {
    s->interval = 30;
    PetscCall(InputGetQuantity("-synth_frame_interval", UNIT_TIME, &s->interval, NULL));
    PetscCheck(s->interval > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the frame interval must be a positive time, got %.6g s", where, (double)s->interval);
  }
  PetscFunctionReturn(0);
}

/* Frame times against the protocol (known before the run): every interval from 0 to its end,
   or the list within it; then what the times make of the timestamps and the illumination */
static PetscErrorCode FrameTimes(Synth *s, Simulation sim)
{
  Protocol        protocol;
  const StepSpec *steps;
  SynthReport    *r = &s->rep;
  PetscInt        n;
  PetscReal       end = 0, last;
  char            where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(SimulationGetProtocol(sim, &protocol));
  PetscCall(ProtocolGetSteps(protocol, &n, &steps));
  for (PetscInt i = 0; i < n; ++i) end = (steps[i].duration < PETSC_MAX_REAL && end < PETSC_MAX_REAL) ? end + steps[i].duration : PETSC_MAX_REAL;
  if (s->times_given) {
    PetscCall(InputOptionWhere("-synth_frame_times", where, sizeof(where)));
    PetscCheck(end == PETSC_MAX_REAL || s->times[s->nframes - 1] <= end * (1 + 1e-12), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: frame time %.6g s lies after the end of the protocol (%.6g s)", where, (double)s->times[s->nframes - 1], (double)end);
  } else {
    PetscReal count;
    PetscCall(InputOptionWhere("-synth_frame_interval", where, sizeof(where)));
    PetscCheck(end < PETSC_MAX_REAL, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "the protocol has a step without a duration, so frames every interval have no end: give the frame times (--frame-times, -synth_frame_times)");
    count = PetscFloorReal(end * (1 + 1e-12) / s->interval) + 1;
    PetscCheck(count <= SYNTH_MAX_FRAMES, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a frame every %.6g s makes %.6g frames of the %.6g s protocol; spot synth makes at most %d: raise the interval", where, (double)s->interval, (double)count, (double)end, SYNTH_MAX_FRAMES);
    s->nframes = (PetscInt)count;
    for (PetscInt i = 0; i < s->nframes; ++i)
      s->times[i] = i * s->interval;
    PetscCheck(s->nframes >= 2, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a frame every %.6g s gives fewer than 2 frames in the %.6g s protocol", where, (double)s->interval, (double)end);
  }
  /* the timestamps as written (t + offset, %.15g): finite, and still increasing */
  PetscCall(InputOptionWhere("-synth_time_offset", where, sizeof(where)));
  for (PetscInt i = 0; i < s->nframes; ++i) {
    char      text[64], prev[64];
    PetscReal now, before;
    PetscCall(PetscSNPrintf(text, sizeof(text), "%.15g", (double)(s->times[i] + s->time_offset)));
    now = strtod(text, NULL);
    PetscCheck(!PetscIsInfOrNanReal(now), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a time offset of %.6g s makes the timestamp of frame %" PetscInt_FMT " (run time %.6g s) %s", where, (double)s->time_offset, i, (double)s->times[i], text);
    if (!i) continue;
    PetscCall(PetscSNPrintf(prev, sizeof(prev), "%.15g", (double)(s->times[i - 1] + s->time_offset)));
    before = strtod(prev, NULL);
    PetscCheck(now > before, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: with a time offset of %.6g s the timestamps of frames %" PetscInt_FMT " and %" PetscInt_FMT " (run times %.6g and %.6g s) would both read %s s; give an offset nearer the run's times", where, (double)s->time_offset, i - 1, i, (double)s->times[i - 1], (double)s->times[i], text);
  }
  /* the illumination 1 + d t stays positive, and a 16-bit page holds the brightest pixel */
  last = s->times[s->nframes - 1];
  PetscCall(InputOptionWhere("-synth_drift", where, sizeof(where)));
  PetscCheck(1 + r->drift * last / 3600 > 0.01, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a drift of %.6g per hour turns the illumination off (1 + drift t <= 0.01) by the last frame at %.6g s", where, (double)r->drift, (double)last);
  if (r->bits == 16) {
    const PetscReal gain = PetscMax(1, 1 + r->drift * last / 3600);
    const char     *name = r->intensity >= r->background ? "-synth_intensity" : "-synth_background";
    PetscCall(InputOptionWhere(name, where, sizeof(where)));
    char brightened[64] = "";
    if (gain > 1) PetscCall(PetscSNPrintf(brightened, sizeof(brightened), ", brightened to %.6g by the drift,", (double)(gain * PetscMax(r->intensity, r->background))));
    PetscCheck(gain * PetscMax(r->intensity, r->background) < 1, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: an intensity of %.6g%s reaches the full scale 1 of a 16-bit page, where every pixel would saturate; lower it, or write 32-bit float pages (--bits 32)", where, (double)PetscMax(r->intensity, r->background), brightened);
  }
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
  PetscCall(PetscSNPrintf(desc, sizeof(desc), "spot synth frame %" PetscInt_FMT ": t = %.15g s (run time %.15g s); pixel %.6g um", s->written, (double)(pcx->t + s->time_offset), (double)pcx->t, (double)r->pixel_size));
  PetscCall(PostprocStackAdd(s->stack, s->page, desc));
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
  s->t_end = st->t;
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

static PetscErrorCode OpenStack(void *ctx)
{
  Synth *s = (Synth *)ctx;

  PetscFunctionBeginUser;
  PetscCall(PostprocStackOpen(s->files, s->output, s->rep.rows, s->rep.cols, s->rep.bits, &s->stack));
  PetscFunctionReturn(0);
}

/* Rank 0: the stack complete, and the timestamps of the frames written */
static PetscErrorCode FinishFiles(void *ctx)
{
  Synth  *s = (Synth *)ctx;
  FileOut f;

  PetscFunctionBeginUser;
  PetscCall(PostprocStackClose(&s->stack, PETSC_TRUE));
  PetscCall(PostprocFilesOpen(s->files, s->timestamps, NULL, &f));
  PetscCall(FileOutPrintf(f, "# spot synth: %s; pixel %.6g um, psf_sigma %.6g um, k %.6g, noise %.6g, drift %.6g per h, shift (%.6g, %.6g) px, rotation %.6g deg\n", s->output, (double)s->rep.pixel_size, (double)s->rep.psf_sigma, (double)s->rep.k, (double)s->rep.noise, (double)s->rep.drift, (double)s->rep.shift[0], (double)s->rep.shift[1], (double)s->rep.rotation_deg));
  PetscCall(FileOutPrintf(f, "frame,t_s\n"));
  for (PetscInt i = 0; i < s->written; ++i)
    PetscCall(FileOutPrintf(f, "%d,%.15g\n", (int)i, (double)(s->times[i] + s->time_offset)));
  PetscCall(PostprocFilesComplete(s->files, f));
  PetscFunctionReturn(0);
}

static PetscErrorCode SynthDestroy(Synth *s)
{
  PetscFunctionBeginUser;
  PetscCall(PostprocStackClose(&s->stack, PETSC_FALSE));
  PetscCall(PostprocFilesDestroy(&s->files)); /* what was not published: nothing is left */
  PetscCall(PetscFree(s->times));
  PetscCall(RasterDestroy(&s->raster));
  if (s->P.offsets) PetscCall(OpticalProjectionDestroy(&s->P));
  PetscCall(PetscFree(s->pc));
  PetscCall(PetscFree5(s->delta, s->blurred, s->pn, s->img, s->page));
  PetscCall(VecDestroy(&s->snapshot));
  PetscCall(PetscFree(s->moved)); /* s->particle_shift: SynthRun, after the report */
  PetscFunctionReturn(0);
}

/* The largest of the particles' own shifts, px */
static PetscReal LargestParticleShift(const Synth *s)
{
  PetscReal m = 0;
  for (PetscInt k = 0; k < s->nparticle_shift; ++k) m = PetscMax(m, PetscSqrtReal(PetscSqr(s->particle_shift[2 * k]) + PetscSqr(s->particle_shift[2 * k + 1])));
  return m;
}

/* Does the particle's outline lie inside the frame? */
static PetscErrorCode CheckInsideFrame(Synth *s, DM dm)
{
  SynthReport *r = &s->rep;
  PetscInt     nfacets;
  PetscReal   *facets, lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL};
  char         where[PETSC_MAX_PATH_LEN];
  PetscBool    size_set;

  PetscFunctionBeginUser;
  PetscCall(MeshBoundaryFacets(dm, &nfacets, &facets));
  for (PetscInt i = 0; i < 2 * nfacets; ++i) {
    PetscReal u[2];
    PetscCall(OpticalFrameToOptical(&r->frame, &facets[2 * i], u));
    for (PetscInt d = 0; d < 2; ++d) {
      lo[d] = PetscMin(lo[d], u[d] / r->pixel_size);
      hi[d] = PetscMax(hi[d], u[d] / r->pixel_size);
    }
  }
  PetscCall(PetscFree(facets));
  { /* the particles' own shifts, at most this far */
    const PetscReal m = LargestParticleShift(s);
    lo[0] -= m, lo[1] -= m, hi[0] += m, hi[1] += m;
  }
  PetscCall(PetscOptionsHasName(NULL, NULL, "-synth_size", &size_set));
  PetscCall(InputOptionWhere(size_set ? "-synth_size" : "-synth_shift", where, sizeof(where)));
  PetscCheck(lo[0] >= 0 && lo[1] >= 0 && hi[0] <= r->cols && hi[1] <= r->rows, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the particle does not fit in the %" PetscInt_FMT " x %" PetscInt_FMT " frame: shifted by (%.6g, %.6g) px and rotated by %.6g deg it spans columns %.1f to %.1f and rows %.1f to %.1f; enlarge the size or reduce the shift", where, r->rows, r->cols, (double)r->shift[0], (double)r->shift[1], (double)r->rotation_deg, (double)lo[0], (double)hi[0], (double)lo[1], (double)hi[1]);
  PetscFunctionReturn(0);
}

/* Geometry, outputs, run: every check before the run; the stack and the timestamps published
   together after it */
static PetscErrorCode SynthMovie(Synth *s, Simulation sim)
{
  const MPI_Comm  comm = s->comm;
  SynthReport    *r    = &s->rep;
  DM              dm;
  const MeshInfo *info;

  PetscFunctionBeginUser;
  PetscCall(SimulationGetSolver(sim, &s->solver));
  PetscCall(SolverGetDM(s->solver, &dm));
  PetscCall(SolverGetMeshInfo(s->solver, &info));
  PetscCheck(info->dim == 2, comm, PETSC_ERR_USER_INPUT, "spot synth needs a 2-D run (the imaged cross-section); this mesh is 3-D");
  PetscCall(FrameTimes(s, sim));
  if (s->particle_shift) {
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-synth_particle_shift", where, sizeof(where)));
    PetscCheck(s->nparticle_shift == info->num_particles, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " particle shift%s given, but the run has %" PetscInt_FMT " particle%s: give columns,rows (px) for each, in the run's particle order", where, s->nparticle_shift, s->nparticle_shift == 1 ? "" : "s", info->num_particles, info->num_particles == 1 ? "" : "s");
  }

  /* geometry: the particle's centroid in the middle of the frame, shifted, rotated */
  PetscCall(OpticalFineGrid(info, r->pixel_size, r->psf_sigma, LargestParticleShift(s) * r->pixel_size, &s->fine));
  if (!r->rows) {
    const PetscReal ex = info->upper[0] - info->lower[0], ey = info->upper[1] - info->lower[1], m = 4 * r->psf_sigma + 4 * r->pixel_size + LargestParticleShift(s) * r->pixel_size;
    const PetscReal e  = r->rotation_deg != 0 ? PetscMax(ex, ey) : 0;
    const PetscReal cols    = 2 * PetscCeilReal(0.5 * (1.6 * PetscMax(ex, e) + 2 * m) / r->pixel_size + PetscAbsReal(r->shift[0]));
    const PetscReal rows    = 2 * PetscCeilReal(0.5 * (1.6 * PetscMax(ey, e) + 2 * m) / r->pixel_size + PetscAbsReal(r->shift[1]));
    const PetscBool shifted = 2 * (PetscAbsReal(r->shift[0]) + PetscAbsReal(r->shift[1])) > (1.6 * PetscMax(ex, ey) + 2 * m) / r->pixel_size ? PETSC_TRUE : PETSC_FALSE;
    char            where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere(shifted ? "-synth_shift" : "-synth_pixel_size", where, sizeof(where)));
    PetscCheck(rows * cols <= SYNTH_MAX_PIXELS, comm, PETSC_ERR_USER_INPUT, "%s: a frame around this %.3g x %.3g um particle in pixels of %.6g um, shifted by (%.6g, %.6g) px, would be %.6g x %.6g pixels, more than the %d megapixels (4096 x 4096) spot synth makes; raise the pixel size, reduce the shift or give the size", where, (double)ex, (double)ey, (double)r->pixel_size, (double)r->shift[0], (double)r->shift[1], (double)rows, (double)cols, SYNTH_MAX_PIXELS >> 20);
    r->cols = (PetscInt)cols;
    r->rows = (PetscInt)rows;
  }
  {
    const PetscReal u[2] = {(0.5 * r->cols + r->shift[0]) * r->pixel_size, (0.5 * r->rows + r->shift[1]) * r->pixel_size};
    PetscCall(OpticalFrameRigid(r->pixel_size, r->rotation_deg, u, info->centroid, &r->frame));
    r->centroid_px[0] = u[0] / r->pixel_size - 0.5;
    r->centroid_px[1] = u[1] / r->pixel_size - 0.5;
  }
  PetscCall(CheckInsideFrame(s, dm));
  {
    PetscInt r0, c0, wr, wc;
    PetscCall(OpticalWindow(&s->fine, &r->frame, r->rows, r->cols, 2, &r0, &c0, &wr, &wc));
    PetscCheck(wr > 0 && wc > 0, comm, PETSC_ERR_USER_INPUT, "the shifted particle lies outside the %" PetscInt_FMT " x %" PetscInt_FMT " frame; reduce the shift or enlarge the size", r->rows, r->cols);
    PetscCall(OpticalProjectionCreate(&s->fine, &r->frame, r0, c0, wr, wc, 3, &s->P));
  }
  if (s->particle_shift) { /* px of the optical frame → µm of the mesh frame: x = A u + b */
    PetscCall(PetscMalloc1(2 * s->nparticle_shift, &s->moved));
    for (PetscInt k = 0; k < s->nparticle_shift; ++k) OpticalFrameShiftToMesh(&r->frame, &s->particle_shift[2 * k], &s->moved[2 * k]);
  }
  PetscCall(RasterCreateMoved(dm, &s->fine, s->moved, &s->raster));
  PetscCall(RasterGetMask(s->raster, NULL, &s->coverage));
  {
    const PetscInt nfine = s->fine.rows * s->fine.cols, nwin = s->P.rows * s->P.cols;
    PetscReal     *g;
    PetscCall(PetscMalloc1(nwin, &s->pc));
    PetscCall(PetscMalloc1(nfine, &g));
    PetscCall(OpticalBlur(s->fine.rows, s->fine.cols, r->psf_sigma / s->fine.pixel_size, s->coverage, g));
    PetscCall(OpticalProjectionApply(&s->P, g, s->pc));
    PetscCall(PetscFree(g));
    if (s->rank == 0) PetscCall(PetscMalloc5(nfine, &s->delta, nfine, &s->blurred, nwin, &s->pn, nfine, &s->img, (size_t)r->rows * r->cols, &s->page));
  }
  {
    Vec theta;
    PetscCall(SolverGetSolution(s->solver, &theta));
    PetscCall(VecDuplicate(theta, &s->snapshot));
  }

  /* the run, the stack written frame by frame */
  PetscCall(CompareOnRankZero(comm, OpenStack, s));
  PetscCall(SolverAddMonitor(s->solver, SynthMonitor, s));
  PetscCall(SimulationRun(sim));
  PetscCheck(s->next >= 2, comm, PETSC_ERR_USER_INPUT, "the run ended at t = %.6g s, after %" PetscInt_FMT " frame%s: a movie needs at least 2 (the next frame time is %.6g s)", (double)s->t_end, s->next, s->next == 1 ? "" : "s", (double)s->times[s->next]);
  if (s->next < s->nframes && s->viewer) PetscCall(PetscViewerASCIIPrintf(s->viewer, "synth: the run ended at t = %.6g s: the %" PetscInt_FMT " frame time%s after it (%.6g to %.6g s) are left out\n", (double)s->t_end, s->nframes - s->next, s->nframes - s->next == 1 ? "" : "s", (double)s->times[s->next], (double)s->times[s->nframes - 1]));
  PetscCall(CompareOnRankZero(comm, FinishFiles, s));
  PetscCall(PostprocFilesPublish(s->files));
  PetscFunctionReturn(0);
}

PetscErrorCode SynthRun(MPI_Comm comm, const char workdir[], PetscViewer viewer, SynthReport *report)
{
  Synth          s;
  Simulation     sim = NULL;
  SynthReport   *r   = &s.rep;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&s, sizeof(s)));
  s.comm   = comm;
  s.viewer = viewer;
  PetscCallMPI(MPI_Comm_rank(comm, &s.rank));
  ierr = ReadOptions(&s);
  if (!ierr) ierr = PostprocFilesCreate(comm, &s.files);
  if (!ierr) ierr = PostprocMeshRemoveOnSignal(workdir, PETSC_TRUE); /* while it is made */
  if (!ierr) ierr = SimulationCreate(comm, workdir, viewer, &sim);
  if (!ierr) ierr = InputCheckUnusedOptions(comm, "synth"); /* the run's options are all read by now */
  if (s.rank == 0) { /* the mesh spot made for the run is loaded, and not part of the movie */
    PetscBool made;
    PetscCall(PostprocMeshGenerated(&made));
    if (made) PetscCall(PostprocMeshRemove(workdir));
  }
  if (!ierr) ierr = SynthMovie(&s, sim);
  PetscCall(SynthDestroy(&s)); /* after a failure: neither the stack nor the timestamps */
  PetscCall(PostprocMeshRemoveOnSignal(workdir, PETSC_FALSE));
  if (sim) PetscCall(SimulationDestroy(&sim));
  if (ierr) PetscCall(PetscFree(s.particle_shift));
  PetscCall(ierr);
  r->frames = s.next;
  if (viewer) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: %" PetscInt_FMT " frames of %" PetscInt_FMT " x %" PetscInt_FMT " pixels (%.6g um, %" PetscInt_FMT "-bit), run time %.6g to %.6g s, in %s; timestamps in %s\n", r->frames, r->rows, r->cols, (double)r->pixel_size, r->bits, (double)r->t_first, (double)r->t_last, s.output, s.timestamps));
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: optics: I0 %.6g, background %.6g, k %.6g, theta0 %.6g, psf_sigma %.6g um, noise %.6g, drift %.6g per h\n", (double)r->intensity, (double)r->background, (double)r->k, (double)r->theta0, (double)r->psf_sigma, (double)r->noise, (double)r->drift));
    if (s.nparticle_shift) {
      PetscCall(PetscViewerASCIIPrintf(viewer, "synth: truth: each particle moved on its own by (col, row) px:"));
      for (PetscInt k = 0; k < s.nparticle_shift; ++k) PetscCall(PetscViewerASCIIPrintf(viewer, " %" PetscInt_FMT ": (%.6g, %.6g)%s", k + 1, (double)s.particle_shift[2 * k], (double)s.particle_shift[2 * k + 1], k + 1 < s.nparticle_shift ? "," : "\n"));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "synth: truth: the particle's centroid at optical pixel (col %.3f, row %.3f) (shift %.6g, %.6g px), rotation %.6g deg; mesh x = A u + b, A = [%.6g %.6g; %.6g %.6g], b = (%.6g, %.6g) um\n", (double)r->centroid_px[0], (double)r->centroid_px[1], (double)r->shift[0], (double)r->shift[1], (double)r->rotation_deg, (double)r->frame.A[0], (double)r->frame.A[1], (double)r->frame.A[2], (double)r->frame.A[3], (double)r->frame.b[0], (double)r->frame.b[1]));
  }
  PetscCall(PetscFree(s.particle_shift));
  if (report) *report = *r;
  PetscFunctionReturn(0);
}
