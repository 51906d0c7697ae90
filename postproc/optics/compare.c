/* spot compare: a run beside an operando optical movie of the same particle.

   The chain (DESIGN.md §6), for an image stack with timestamps and a run:
   1. Frames. Frame f has intensity I_f(u) at optical pixel u. The reference frame (before the
      current flows) gives I_ref; the differential contrast is C_f = I_f / I_ref − 1. A slow
      global drift of the illumination multiplies every pixel by the same 1 + δ_f: the background
      (pixels far from the particle) measures it, and C_f ← (1 + C_f)/(1 + δ_f) − 1 removes it.
   2. Particle. The reference frame is segmented as spot mesh does (Otsu, largest region):
      no particle there is an input error.
   3. Registration: mesh x = A u + b. Given (<registration method="given">), or found: the
      reference frame is modelled as a + c P(G*χ)(u; A, b), the simulated particle χ blurred by
      the PSF and integrated over the camera pixels (compare_optics.c), and the rigid
      transform (translation, rotation) minimising the squared residual is found by Nelder–Mead
      from the particles' centroids and principal axes, to 1e-3 px. The fit also gives the
      background ratio β = a/(a + c). A poor final match (R² below <min_match>) or an exhausted
      iteration budget is "did not converge". With <free_scale> the transform is a similarity
      (ln scale a fourth parameter); either way the scale that fits best and its standard error
      are measured (ScaleProfile) and a scale off 1 is a warning naming the pixel size that fits.
   4. Simulation seen by the camera: per frame time (TSInterpolate between steps), θ on a fine
      grid of the mesh frame, Δχ = (θ0 − θ)χ blurred by the PSF and integrated over the camera
      pixels: the simulated contrast k m_j = k P(G*Δχ)_j / (β + (1 − β) P(G*χ)_j).
   5. Calibration: k and an offset c0 minimise Σ_f (C̄_f − k m̄_f − c0)² over the particle means
      (pixels whose centre maps inside the particle) of every frame but the reference; k may be
      given. The offset absorbs the reference frame's own noise, which shifts the contrast of
      every later frame alike (with a single noisy reference, a fit through the origin would
      turn that shift into a bias of k); the simulated series carry it too. The centre and
      periphery series get their own offsets the same way (mean difference over the frames):
      their reference pixels are fewer, so their shifts larger, and a shift of the centre would
      otherwise read as a lag.
   6. Regions and profiles from the run's definitions (Observer): pixels whose centre is at a
      distance ≥ (1 − r_c) d_max from the surface (centre) or ≤ w (periphery band); line profiles
      through the centroid in the given directions, bilinear in the pixels.
   7. Metrics over the frames of the comparison window: RMSE and Pearson correlation of the
      centre and periphery series, RMSE of the particle means and pixel by pixel, and onset
      times: when a series first reaches the onset fraction of its final value (linear between
      frames); the centre's delay is its onset minus the periphery's.
   8. A population (the run's mesh has N > 1 particles): one registration for the frame from all
      particles; each window pixel belongs to the particle the run's particle index puts under
      it; each particle gets its own regions (the run's fractions of its own largest depth), k,
      offsets, RMSE and onsets (CompareParticleResult), and the misfit is their RMS.
   The misfit spot fit minimises is the RMSE of the centre and periphery series together
   (<misfit>series</misfit>), or pixel by pixel over the particle (<misfit>maps</misfit>).

   Options -compare_<section>_<name> come from the <compare> document (input/compare.xsd). Data
   live on rank 0 while they are read and registered; afterwards every rank holds the window
   of contrast, so a fit's groups can evaluate their runs anywhere. */
#include "postproc/optics/opticsimpl.h"
#include "input/input.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define COMPARE_MAX_DIRECTIONS 4
#define COMPARE_MAX_FIGURE_TIMES 6
#define COMPARE_MAX_TIMESTAMPS_BYTES (64 << 20) /* a timestamps table larger than this is not one */

typedef enum {
  MISFIT_SERIES,
  MISFIT_MAPS
} MisfitKind;

struct _p_Comparison {
  MPI_Comm    comm;
  PetscMPIInt rank;
  /* the experiment */
  char       stack_path[PETSC_MAX_PATH_LEN], times_path[PETSC_MAX_PATH_LEN];
  PetscInt   first;         /* number of the first file of a series */
  PetscReal  pixel_size;    /* µm per optical pixel */
  PetscReal  current_start; /* the experiment's timestamp of the run's t = 0, s */
  PetscInt   reference;     /* reference frame, 0-based */
  PetscBool  invert, drift_correction;
  MeshStack  stack; /* rank 0 */
  PetscInt   nframes, rows, cols;
  PetscReal *t_exp, *t_sim; /* s */
  PetscReal  window_t[2];   /* simulated times compared, s */
  PetscReal  t_planned;     /* end of the protocol, s (PETSC_MAX_REAL if open-ended) */
  /* registration */
  PetscBool    given, rotation, free_scale;
  PetscInt     max_iterations, iterations;
  PetscReal    min_match, match;
  OpticalFrame frame;
  PetscReal    centroid_px[2], rotation_deg, scale;
  PetscReal    scale_best, scale_sigma; /* the scale that fits best and its standard error (nan: not measured) */
  PetscBool    scale_off;               /* scale_best differs from 1 by more than its uncertainty */
  PetscInt     mask_pixels;
  PetscReal    mask_centroid_px[2], mask_area, mask_threshold;
  /* a population's particles, each moved on its own after the frame's transform (auto registration) */
  PetscReal  shift_max;      /* px; 0: not refined */
  PetscBool  shift_max_set, refine;
  PetscReal *p_shift;        /* [2 np] px (col, row) of the optical frame, every rank */
  PetscReal *p_match;        /* [np] R² of each particle's window at its place */
  PetscReal *p_moved;        /* [2 np] the same shifts in the mesh frame, µm; NULL when none is refined */
  PetscBool  p_shift_bound;  /* some particle's best place lies at shift_max */
  /* optics */
  PetscReal psf_sigma; /* µm, nominal */
  PetscBool k_given;
  PetscReal k;
  PetscReal beta; /* background / particle intensity at the nominal σ */
  /* regions, profiles, metrics, figures */
  PetscReal  centre_threshold, periphery_width, d_max;
  PetscReal  onset_fraction;
  MisfitKind misfit;
  PetscReal  directions[COMPARE_MAX_DIRECTIONS];
  PetscInt   ndirections;
  PetscReal  figure_times[COMPARE_MAX_FIGURE_TIMES];
  PetscInt   nfigure_times;
  /* the particle in the mesh frame */
  MeshInfo   info;
  PetscInt   nfacets;
  PetscReal *facets;
  RasterGrid fine;
  PetscBool  set_up;
  /* the window of the optical frame around the particle (every rank after set-up) */
  PetscInt       r0, c0, wr, wc, nwin;
  PetscReal     *reference_window; /* [nwin] */
  PetscReal     *contrast;         /* [nframes * nwin] */
  PetscReal     *drift;            /* [nframes] */
  unsigned char *inside, *centre, *periphery, *background, *valid; /* [nwin] */
  PetscInt       n_inside, n_centre, n_periphery, n_background;
  /* a population of np particles, each compared on its own (np = 1: the union regions above are
     the particle's); per window pixel its particle (0..np−1, −1 outside), per particle its pixels */
  PetscInt   np;
  PetscInt  *label;                              /* [nwin] */
  PetscInt  *pn_inside, *pn_centre, *pn_periphery; /* [np] */
  PetscReal *p_area, *p_centroid, *p_dmax;       /* [np] µm², [2 np] µm, [np] µm */
  /* line profiles through the centroid: s (µm from the centroid) and the optical position (µm) */
  PetscInt   nprofile[COMPARE_MAX_DIRECTIONS];
  PetscReal *profile_s[COMPARE_MAX_DIRECTIONS], *profile_u[COMPARE_MAX_DIRECTIONS];
  PetscLogDouble seconds_read, seconds_register;
};

struct _p_CompareSim {
  Comparison       cmp;
  MPI_Comm         comm;
  PetscMPIInt      rank;
  Solver           solver;
  Raster           raster;
  const PetscReal *coverage; /* fine χ, every rank */
  PetscInt         nfine;
  PetscReal        theta0;
  PetscInt         next;       /* next frame to capture */
  PetscBool        started;
  PetscBool       *have;       /* [nframes] */
  PetscReal       *fine;       /* [nframes * nfine] (θ0 − θ) χ, rank 0 */
  PetscReal       *mean_theta; /* [nframes] FE mean θ */
  PetscReal        t_end;
  Vec              snapshot;
  PetscReal       *img; /* rank 0 work */
  /* the last evaluation (rank 0) */
  PetscReal *model;  /* [nframes * nwin] simulated contrast, k applied */
  PetscReal *series; /* [nframes * NSERIES] */
  PetscBool *used;   /* [nframes] */
  /* per particle: [nframes * np * 6] region means (experiment, model per unit k) of the inside,
     centre and periphery, and the results [np] (every rank after an evaluation) */
  PetscReal             *pseries;
  CompareParticleResult *presult;
};

enum {
  S_EXP_MEAN,
  S_SIM_MEAN,
  S_EXP_CENTRE,
  S_SIM_CENTRE,
  S_EXP_PERIPHERY,
  S_SIM_PERIPHERY,
  S_SIM_DELITH, /* the camera-weighted particle-mean delithiation the calibration uses */
  NSERIES
};

static const char *SeriesNames[NSERIES] = {"exp_mean_contrast", "sim_mean_contrast", "exp_centre_contrast", "sim_centre_contrast", "exp_periphery_contrast", "sim_periphery_contrast", "sim_seen_delithiation"};

/* ================================================================ options ================ */

static PetscErrorCode Where(const char option[], char where[])
{
  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(option, where, PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOptions(Comparison c)
{
  char      where[PETSC_MAX_PATH_LEN], text[64];
  PetscBool set;
  PetscInt  n;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_experiment_stack_file", c->stack_path, sizeof(c->stack_path), &set));
  PetscCheck(set && c->stack_path[0], c->comm, PETSC_ERR_USER_INPUT, "no image stack given: set <experiment><stack file=\"movie.tif\"/> in the <compare> document (or -compare_experiment_stack_file)");
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-compare_experiment_stack_first", &c->first, NULL));
  PetscCall(Where("-compare_experiment_stack_first", where));
  PetscCheck(c->first >= 0, c->comm, PETSC_ERR_USER_INPUT, "%s: the first file number of a series must be >= 0, got %" PetscInt_FMT, where, c->first);
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_experiment_timestamps_file", c->times_path, sizeof(c->times_path), &set));
  PetscCheck(set && c->times_path[0], c->comm, PETSC_ERR_USER_INPUT, "no timestamps given: set <experiment><timestamps file=\"times.csv\"/> in the <compare> document (or -compare_experiment_timestamps_file): one time per frame");

  PetscCall(InputGetQuantity("-compare_experiment_pixel_size", UNIT_LENGTH, &c->pixel_size, &set));
  PetscCall(Where("-compare_experiment_pixel_size", where));
  PetscCheck(set, c->comm, PETSC_ERR_USER_INPUT, "no optical pixel size given: set <experiment><pixel_size unit=\"um\"> in the <compare> document (or -compare_experiment_pixel_size)");
  PetscCheck(c->pixel_size > 0, c->comm, PETSC_ERR_USER_INPUT, "%s: the pixel size must be a positive length, got %.6g um", where, (double)c->pixel_size);
  PetscCall(InputGetQuantity("-compare_experiment_current_start", UNIT_TIME, &c->current_start, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-compare_experiment_reference_frame", &c->reference, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-compare_experiment_invert", &c->invert, NULL));
  c->drift_correction = PETSC_TRUE;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_experiment_drift_correction", text, sizeof(text), &set));
  if (set) {
    PetscCall(Where("-compare_experiment_drift_correction", where));
    PetscCheck(!strcmp(text, "background") || !strcmp(text, "none"), c->comm, PETSC_ERR_USER_INPUT, "%s: drift_correction must be background or none, got '%s'", where, text);
    c->drift_correction = !strcmp(text, "background") ? PETSC_TRUE : PETSC_FALSE;
  }

  /* registration */
  PetscCall(PetscStrncpy(text, "auto", sizeof(text)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_registration_method", text, sizeof(text), NULL));
  PetscCall(Where("-compare_registration_method", where));
  PetscCheck(!strcmp(text, "auto") || !strcmp(text, "given"), c->comm, PETSC_ERR_USER_INPUT, "%s: registration method must be auto or given, got '%s'", where, text);
  c->given    = !strcmp(text, "given") ? PETSC_TRUE : PETSC_FALSE;
  c->rotation = PETSC_TRUE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-compare_registration_rotation", &c->rotation, NULL));
  c->free_scale = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-compare_registration_free_scale", &c->free_scale, NULL));
  PetscCall(Where("-compare_registration_free_scale", where));
  PetscCheck(!(c->given && c->free_scale), c->comm, PETSC_ERR_USER_INPUT, "%s: free_scale applies to a registration spot finds (method=\"auto\"); a given one has its scale in <matrix>", where);
  c->shift_max = 3;
  PetscCall(InputGetQuantity("-compare_registration_particle_shift_max", UNIT_NONE, &c->shift_max, &c->shift_max_set));
  PetscCall(Where("-compare_registration_particle_shift_max", where));
  PetscCheck(c->shift_max >= 0 && c->shift_max <= 20, c->comm, PETSC_ERR_USER_INPUT, "%s: particle_shift_max (how far each particle of a population may lie off its place, optical pixels) must be from 0 (not refined) to 20, got %.6g", where, (double)c->shift_max);
  PetscCheck(!(c->given && c->shift_max_set), c->comm, PETSC_ERR_USER_INPUT, "%s: particle_shift_max refines a registration spot finds (method=\"auto\"); a given one places every particle as given", where);
  c->max_iterations = 500;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-compare_registration_max_iterations", &c->max_iterations, NULL));
  PetscCall(Where("-compare_registration_max_iterations", where));
  PetscCheck(c->max_iterations >= 1, c->comm, PETSC_ERR_USER_INPUT, "%s: max_iterations must be at least 1, got %" PetscInt_FMT, where, c->max_iterations);
  c->min_match = 0.8;
  PetscCall(InputGetQuantity("-compare_registration_min_match", UNIT_NONE, &c->min_match, NULL));
  PetscCall(Where("-compare_registration_min_match", where));
  PetscCheck(c->min_match >= 0 && c->min_match < 1, c->comm, PETSC_ERR_USER_INPUT, "%s: min_match (the R^2 of the registered reference frame) must be in [0, 1), got %.6g", where, (double)c->min_match);
  c->frame.pixel_size = c->pixel_size;
  c->frame.A[0] = c->frame.A[3] = 1;
  if (c->given) {
    PetscReal offset[2];
    n = 4;
    PetscCall(InputGetQuantityArray("-compare_registration_matrix", UNIT_NONE, c->frame.A, &n, &set));
    PetscCall(Where("-compare_registration_matrix", where));
    PetscCheck(!set || n == 4, c->comm, PETSC_ERR_USER_INPUT, "%s: the registration matrix needs 4 numbers (a11 a12 a21 a22), got %" PetscInt_FMT, where, n);
    if (!set) c->frame.A[0] = c->frame.A[3] = 1, c->frame.A[1] = c->frame.A[2] = 0;
    PetscCheck(PetscAbsReal(c->frame.A[0] * c->frame.A[3] - c->frame.A[1] * c->frame.A[2]) > 1e-12, c->comm, PETSC_ERR_USER_INPUT, "%s: the registration matrix is singular", where);
    n = 2;
    PetscCall(InputGetQuantityArray("-compare_registration_offset", UNIT_LENGTH, offset, &n, &set));
    PetscCall(Where("-compare_registration_offset", where));
    PetscCheck(set, c->comm, PETSC_ERR_USER_INPUT, "a given registration needs its offset: <registration method=\"given\"><offset unit=\"um\">bx by</offset> (mesh x = A u + b, u in um of the optical frame), or -compare_registration_offset");
    PetscCheck(n == 2, c->comm, PETSC_ERR_USER_INPUT, "%s: the registration offset needs 2 lengths, got %" PetscInt_FMT, where, n);
    c->frame.b[0] = offset[0];
    c->frame.b[1] = offset[1];
  }

  /* optics */
  PetscCall(InputGetQuantity("-compare_optics_psf_sigma", UNIT_LENGTH, &c->psf_sigma, NULL));
  PetscCall(Where("-compare_optics_psf_sigma", where));
  PetscCheck(c->psf_sigma >= 0 && c->psf_sigma < 50, c->comm, PETSC_ERR_USER_INPUT, "%s: psf_sigma must be a length from 0 to 50 um, got %.6g um", where, (double)c->psf_sigma);
  PetscCall(InputGetQuantity("-compare_optics_contrast_factor", UNIT_NONE, &c->k, &c->k_given));
  PetscCall(Where("-compare_optics_contrast_factor", where));
  PetscCheck(!c->k_given || c->k != 0, c->comm, PETSC_ERR_USER_INPUT, "%s: a contrast factor k of 0 shows nothing; leave it out to calibrate k", where);
  PetscCheck(!c->k_given || PetscAbsReal(c->k) <= 100, c->comm, PETSC_ERR_USER_INPUT, "%s: a contrast factor k of %.6g is not a contrast per unit delithiation (|k| <= 100; operando particles show about 0.6)", where, (double)c->k);

  /* regions: the run's definitions, overridden here for both the run and the pixels */
  {
    PetscReal v;
    PetscCall(InputGetQuantity("-compare_regions_centre_fraction", UNIT_NONE, &v, &set));
    if (set) {
      char value[64];
      PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", (double)v));
      PetscCall(PetscOptionsSetValue(NULL, "-out_centre_fraction", value));
    }
    PetscCall(InputGetQuantity("-compare_regions_periphery_width", UNIT_LENGTH, &v, &set));
    if (set) {
      char value[64];
      PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", (double)v));
      PetscCall(PetscOptionsSetValue(NULL, "-out_periphery_width", value));
    }
  }
  c->ndirections = COMPARE_MAX_DIRECTIONS;
  PetscCall(InputGetQuantityArray("-compare_profiles_directions_deg", UNIT_NONE, c->directions, &c->ndirections, &set));
  if (!set) {
    c->ndirections   = 2;
    c->directions[0] = 0;
    c->directions[1] = 90;
  }
  c->onset_fraction = 0.2;
  PetscCall(InputGetQuantity("-compare_metrics_onset_fraction", UNIT_NONE, &c->onset_fraction, NULL));
  PetscCall(Where("-compare_metrics_onset_fraction", where));
  PetscCheck(c->onset_fraction > 0 && c->onset_fraction < 1, c->comm, PETSC_ERR_USER_INPUT, "%s: onset_fraction must be in (0, 1), got %.6g", where, (double)c->onset_fraction);
  PetscCall(PetscStrncpy(text, "series", sizeof(text)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_metrics_misfit", text, sizeof(text), NULL));
  PetscCall(Where("-compare_metrics_misfit", where));
  PetscCheck(!strcmp(text, "series") || !strcmp(text, "maps"), c->comm, PETSC_ERR_USER_INPUT, "%s: misfit must be series (centre and periphery) or maps (pixel by pixel), got '%s'", where, text);
  c->misfit      = !strcmp(text, "maps") ? MISFIT_MAPS : MISFIT_SERIES;
  c->window_t[0] = -PETSC_MAX_REAL;
  c->window_t[1] = PETSC_MAX_REAL;
  n              = 2;
  PetscCall(InputGetQuantityArray("-compare_metrics_window", UNIT_TIME, c->window_t, &n, &set));
  PetscCall(Where("-compare_metrics_window", where));
  PetscCheck(!set || (n == 2 && c->window_t[1] > c->window_t[0]), c->comm, PETSC_ERR_USER_INPUT, "%s: the comparison window needs two increasing times (start end), in the run's time", where);
  c->nfigure_times = COMPARE_MAX_FIGURE_TIMES;
  PetscCall(InputGetQuantityArray("-compare_figures_times", UNIT_TIME, c->figure_times, &c->nfigure_times, &set));
  if (!set) c->nfigure_times = 0;
  PetscFunctionReturn(0);
}

/* ================================================================ create ================= */

typedef struct {
  Comparison c;
} OpenCtx;

static PetscErrorCode OpenStack(void *ctx)
{
  Comparison c = (Comparison)ctx;

  PetscFunctionBeginUser;
  PetscCall(MeshStackOpen(c->stack_path, c->first, &c->stack));
  PetscCall(MeshStackGetInfo(c->stack, &c->nframes, NULL));
  PetscFunctionReturn(0);
}

/* The time column: named, or the first of t_s, time_s, t, time, timestamp, timestamp_s; its unit
   from <timestamps unit=...>, else from the name (_s, _ms, _min, _h), else seconds */
static PetscErrorCode TimestampColumn(Comparison c, const InputTable *t, PetscInt *col, PetscReal *factor)
{
  char        name[128], unit[32] = "";
  PetscBool   set, uset;
  const char *known[] = {"t_s", "time_s", "t", "time", "timestamp", "timestamp_s", "t_min", "time_min", "t_ms", "time_ms", "t_h", "time_h", NULL};

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_experiment_timestamps_column", name, sizeof(name), &set));
  if (set) PetscCall(InputTableColumn(t, c->times_path, name, col));
  else if (t->ncols == 1) *col = 0;
  else {
    *col = -1;
    for (PetscInt k = 0; known[k] && *col < 0; ++k)
      for (PetscInt j = 0; j < t->ncols; ++j)
        if (!strcmp(t->names[j], known[k])) {
          *col = j;
          break;
        }
    if (*col < 0) {
      char list[512] = "";
      for (PetscInt j = 0; j < t->ncols; ++j) PetscCall(PetscSNPrintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", j ? ", " : "", t->names[j]));
      SETERRQ(c->comm, PETSC_ERR_USER_INPUT, "timestamps '%s': which column holds the times? name it t_s or give <timestamps column=\"...\"> (columns: %s)", c->times_path, list);
    }
  }
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_experiment_timestamps_unit", unit, sizeof(unit), &uset));
  if (!uset) {
    const char *nm = t->names[*col], *us = strrchr(nm, '_');
    if (us && (!strcmp(us, "_ms") || !strcmp(us, "_min") || !strcmp(us, "_h") || !strcmp(us, "_s"))) PetscCall(PetscStrncpy(unit, us + 1, sizeof(unit)));
    else PetscCall(PetscStrncpy(unit, "s", sizeof(unit)));
  }
  {
    PetscBool ok;
    PetscCall(UnitToInternal(unit, UNIT_TIME, 1.0, factor, &ok));
    if (!ok) {
      char where[PETSC_MAX_PATH_LEN];
      PetscCall(Where("-compare_experiment_timestamps_unit", where));
      SETERRQ(c->comm, PETSC_ERR_USER_INPUT, "%s: unknown unit '%s' for the timestamps, expected a unit of time such as s or min", where, unit);
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonCreate(MPI_Comm comm, Comparison *out)
{
  Comparison c;
  InputTable t;
  PetscInt   col;
  PetscReal  factor;
  char       where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&c));
  c->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &c->rank));
  *out = c;
  PetscCall(ReadOptions(c));
  /* regular files of sane size before a reader opens them (a FIFO would hang it); a numbered
     series ("f_%03d.png") is checked frame by frame by its reader */
  if (!strchr(c->stack_path, '%')) PetscCall(InputCheckFile(comm, c->stack_path, "image stack", 0));
  PetscCall(InputCheckFile(comm, c->times_path, "timestamps", COMPARE_MAX_TIMESTAMPS_BYTES));
  PetscCall(CompareOnRankZero(comm, OpenStack, c));
  PetscCallMPI(MPI_Bcast(&c->nframes, 1, MPIU_INT, 0, comm));

  PetscCall(InputTableRead(comm, c->times_path, &t));
  PetscCall(TimestampColumn(c, &t, &col, &factor));
  if (t.nrows != c->nframes) {
    char msg[1024];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "image stack '%s' has %" PetscInt_FMT " frame%s but timestamps '%s' has %" PetscInt_FMT " row%s: give one timestamp per frame", c->stack_path, c->nframes, c->nframes == 1 ? "" : "s", c->times_path, t.nrows, t.nrows == 1 ? "" : "s"));
    PetscCall(InputTableDestroy(&t));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }
  PetscCall(PetscMalloc2(c->nframes, &c->t_exp, c->nframes, &c->t_sim));
  for (PetscInt i = 0; i < c->nframes; ++i) {
    c->t_exp[i] = t.values[i * t.ncols + col] * factor;
    c->t_sim[i] = c->t_exp[i] - c->current_start;
    if (PetscIsInfOrNanReal(c->t_exp[i]) || PetscIsInfOrNanReal(c->t_sim[i])) {
      char msg[1024];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s:%" PetscInt_FMT ": timestamp %.6g s of frame %" PetscInt_FMT " is not a finite time", c->times_path, t.lines[i], (double)t.values[i * t.ncols + col], i));
      PetscCall(InputTableDestroy(&t));
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
    }
    if (i && !(c->t_exp[i] > c->t_exp[i - 1])) {
      char msg[1024];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s:%" PetscInt_FMT ": timestamps must increase, but %.6g s follows %.6g s (line %" PetscInt_FMT ")", c->times_path, t.lines[i], (double)c->t_exp[i], (double)c->t_exp[i - 1], t.lines[i - 1]));
      PetscCall(InputTableDestroy(&t));
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
    }
  }
  PetscCall(InputTableDestroy(&t));
  PetscCheck(c->nframes >= 2, comm, PETSC_ERR_USER_INPUT, "image stack '%s' has only 1 frame: a comparison needs the reference frame and at least one more", c->stack_path);
  PetscCall(Where("-compare_experiment_reference_frame", where));
  PetscCheck(c->reference >= 0 && c->reference < c->nframes, comm, PETSC_ERR_USER_INPUT, "%s: reference frame %" PetscInt_FMT " is out of range: image stack '%s' has %" PetscInt_FMT " frames (counted from 0)", where, c->reference, c->stack_path, c->nframes);
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonGetRegistration(Comparison c, OpticalFrame *frame, PetscReal centroid_px[2], PetscReal *rotation_deg, PetscReal *match)
{
  PetscFunctionBeginUser;
  if (frame) *frame = c->frame;
  if (centroid_px) centroid_px[0] = c->centroid_px[0], centroid_px[1] = c->centroid_px[1];
  if (rotation_deg) *rotation_deg = c->rotation_deg;
  if (match) *match = c->match;
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonGetParticles(Comparison c, PetscInt *n, const PetscReal **area, const PetscReal **centroid)
{
  PetscFunctionBeginUser;
  if (n) *n = c->np;
  if (area) *area = c->p_area;
  if (centroid) *centroid = c->p_centroid;
  PetscFunctionReturn(0);
}

PetscErrorCode CompareSimGetParticleResults(CompareSim sim, const CompareParticleResult **results)
{
  PetscFunctionBeginUser;
  *results = sim->presult;
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonGetMisfitLabel(Comparison c, const char **label)
{
  PetscFunctionBeginUser;
  *label = c->misfit == MISFIT_MAPS ? "misfit: pixel RMSE over the particle (contrast, 1)" : "misfit: RMS of the centre and periphery RMSE (contrast, 1)";
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonGetPSFSigma(Comparison c, PetscReal *sigma)
{
  PetscFunctionBeginUser;
  *sigma = c->psf_sigma;
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonDestroy(Comparison *pc)
{
  Comparison c = *pc;

  PetscFunctionBeginUser;
  if (!c) PetscFunctionReturn(0);
  PetscCall(MeshStackClose(&c->stack));
  PetscCall(PetscFree2(c->t_exp, c->t_sim));
  PetscCall(PetscFree(c->facets));
  PetscCall(PetscFree3(c->reference_window, c->contrast, c->drift));
  PetscCall(PetscFree5(c->inside, c->centre, c->periphery, c->background, c->valid));
  PetscCall(PetscFree(c->label));
  PetscCall(PetscFree6(c->pn_inside, c->pn_centre, c->pn_periphery, c->p_area, c->p_centroid, c->p_dmax));
  PetscCall(PetscFree2(c->p_shift, c->p_match));
  PetscCall(PetscFree(c->p_moved));
  for (PetscInt d = 0; d < COMPARE_MAX_DIRECTIONS; ++d) PetscCall(PetscFree2(c->profile_s[d], c->profile_u[d]));
  PetscCall(PetscFree(c));
  *pc = NULL;
  PetscFunctionReturn(0);
}

/* ================================================================ set-up ================= */

typedef struct {
  PetscErrorCode code;
  char           message[1024];
} Captured;

static PetscErrorCode CaptureError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  Captured *e = (Captured *)ctx;
  if (p == PETSC_ERROR_INITIAL && !e->message[0]) {
    e->code = n;
    snprintf(e->message, sizeof(e->message), "%s", mess ? mess : "error");
  }
  return n;
}

/* weighted second moments: centroid, principal-axis angle (rad, image frame) and axis ratio */
typedef struct {
  double w, x, y, xx, yy, xy;
} MomentSum;

static void MomentAdd(MomentSum *m, double w, double x, double y)
{
  m->w += w;
  m->x += w * x;
  m->y += w * y;
  m->xx += w * x * x;
  m->yy += w * y * y;
  m->xy += w * x * y;
}

static void MomentResult(const MomentSum *m, double c[2], double *angle, double *ratio)
{
  const double cx = m->x / m->w, cy = m->y / m->w;
  const double mxx = m->xx / m->w - cx * cx, myy = m->yy / m->w - cy * cy, mxy = m->xy / m->w - cx * cy;
  const double h = 0.5 * (mxx + myy), d = sqrt(0.25 * (mxx - myy) * (mxx - myy) + mxy * mxy);
  c[0]   = cx;
  c[1]   = cy;
  *angle = 0.5 * atan2(2 * mxy, mxx - myy);
  *ratio = (h - d) > 0 ? sqrt((h + d) / (h - d)) : 1e9;
}

typedef struct {
  Comparison       c;
  const PetscReal *ref;  /* full reference frame */
  const PetscReal *gchi; /* G*χ on the fine grid (nominal σ) */
  PetscInt         r0, c0, wr, wc;
  PetscInt         nparams;   /* 2 + rot + scl: col, row of the centroid (px), [rotation (deg)], [ln scale] */
  PetscBool        rot, scl;
  PetscReal        phi_fixed; /* deg */
  PetscReal        ls_fixed;  /* ln scale when it is not a parameter */
  PetscReal        a, slope;  /* the last linear fit ref ≈ a + slope P(G*χ) */
  PetscInt         evaluations;
  /* one particle of a population moved on its own: q = its shift (col, row px) from the frame
     base, within bound px; the other particles' P(G*χ) over the window, in place, is rest */
  const OpticalFrame *base;
  const PetscReal    *rest;
  PetscReal           bound;
} Registration;

static PetscErrorCode RegistrationFrame(Registration *g, const PetscReal q[], OpticalFrame *f)
{
  const Comparison c    = g->c;
  const PetscReal  u[2] = {(q[0] + 0.5) * c->pixel_size, (q[1] + 0.5) * c->pixel_size};
  const PetscReal  phi  = g->rot ? q[2] : g->phi_fixed, ls = g->scl ? q[g->rot ? 3 : 2] : g->ls_fixed;

  PetscFunctionBeginUser;
  if (g->base) { /* the particle seen at u + q shows what lies at x = A u + b in place: b − A q p_o */
    PetscReal dx[2];
    OpticalFrameShiftToMesh(g->base, q, dx);
    *f = *g->base;
    f->b[0] -= dx[0];
    f->b[1] -= dx[1];
  } else PetscCall(OpticalFrameSimilarity(c->pixel_size, phi, PetscExpReal(ls), u, c->info.centroid, f));
  PetscFunctionReturn(0);
}

/* ref ≈ a + slope P(G*χ) over the window, least squares; f = 1 − R² */
static PetscErrorCode RegistrationFit(Registration *g, const OpticalFrame *frame, PetscReal *f)
{
  const Comparison  c = g->c;
  OpticalProjection P;
  PetscReal        *pc;
  double            n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;

  PetscFunctionBeginUser;
  PetscCall(OpticalProjectionCreate(&c->fine, frame, g->r0, g->c0, g->wr, g->wc, 3, &P));
  PetscCall(PetscMalloc1(g->wr * g->wc, &pc));
  PetscCall(OpticalProjectionApply(&P, g->gchi, pc));
  if (g->rest)
    for (PetscInt j = 0; j < g->wr * g->wc; ++j) pc[j] += g->rest[j];
  for (PetscInt r = 0; r < g->wr; ++r)
    for (PetscInt q = 0; q < g->wc; ++q) {
      const double x = pc[r * g->wc + q], y = g->ref[(g->r0 + r) * c->cols + g->c0 + q];
      n += 1;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
  {
    const double vxx = sxx - sx * sx / n, vxy = sxy - sx * sy / n, vyy = syy - sy * sy / n;
    g->slope = vxx > 1e-300 ? vxy / vxx : 0;
    g->a     = (sy - g->slope * sx) / n;
    *f       = vyy > 1e-300 ? PetscMax(0, (vyy - g->slope * vxy) / vyy) : 1;
  }
  ++g->evaluations;
  PetscCall(PetscFree(pc));
  PetscCall(OpticalProjectionDestroy(&P));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegistrationObjective(Registration *g, const PetscReal q[], PetscReal *f)
{
  OpticalFrame frame;

  PetscFunctionBeginUser;
  if (g->base && PetscSqrtReal(q[0] * q[0] + q[1] * q[1]) > g->bound) { /* beyond the bound: worse than any match (f <= 1) */
    *f = 1 + PetscSqrtReal(q[0] * q[0] + q[1] * q[1]) - g->bound;
    PetscFunctionReturn(0);
  }
  PetscCall(RegistrationFrame(g, q, &frame));
  PetscCall(RegistrationFit(g, &frame, f));
  PetscFunctionReturn(0);
}

/* Nelder–Mead on n <= 4 parameters; converged when every vertex is within tol[d] of the best
   in every parameter; spread: the largest distance in units of tol */
static PetscErrorCode NelderMead(Registration *g, PetscInt n, PetscReal x[], const PetscReal step[], const PetscReal tol[], PetscInt maxit, PetscReal *fbest, PetscInt *its, PetscBool *converged, PetscReal *spread)
{
  PetscReal v[5][4], f[5] = {0, 0, 0, 0, 0}, xo[4], xr[4], xe[4], xc[4], fr, fe, fc;
  PetscInt  it;

  PetscFunctionBeginUser;
  *converged = PETSC_FALSE;
  for (PetscInt i = 0; i <= n; ++i) {
    for (PetscInt d = 0; d < n; ++d) v[i][d] = x[d] + (i == d + 1 ? step[d] : 0);
    PetscCall(RegistrationObjective(g, v[i], &f[i]));
  }
  for (it = 0; it < maxit; ++it) {
    for (PetscInt i = 1; i <= n; ++i) /* sort by value */
      for (PetscInt j = i; j > 0 && f[j] < f[j - 1]; --j) {
        PetscReal t = f[j];
        f[j]        = f[j - 1];
        f[j - 1]    = t;
        for (PetscInt d = 0; d < n; ++d) {
          t           = v[j][d];
          v[j][d]     = v[j - 1][d];
          v[j - 1][d] = t;
        }
      }
    *spread = 0;
    for (PetscInt i = 1; i <= n; ++i)
      for (PetscInt d = 0; d < n; ++d) *spread = PetscMax(*spread, PetscAbsReal(v[i][d] - v[0][d]) / tol[d]);
    if (*spread <= 1) {
      *converged = PETSC_TRUE;
      break;
    }
    for (PetscInt d = 0; d < n; ++d) {
      xo[d] = 0;
      for (PetscInt i = 0; i < n; ++i) xo[d] += v[i][d] / n;
      xr[d] = 2 * xo[d] - v[n][d];
    }
    PetscCall(RegistrationObjective(g, xr, &fr));
    if (fr < f[0]) {
      for (PetscInt d = 0; d < n; ++d) xe[d] = 3 * xo[d] - 2 * v[n][d];
      PetscCall(RegistrationObjective(g, xe, &fe));
      if (fe < fr) {
        for (PetscInt d = 0; d < n; ++d) v[n][d] = xe[d];
        f[n] = fe;
      } else {
        for (PetscInt d = 0; d < n; ++d) v[n][d] = xr[d];
        f[n] = fr;
      }
    } else if (fr < f[n - 1]) {
      for (PetscInt d = 0; d < n; ++d) v[n][d] = xr[d];
      f[n] = fr;
    } else {
      const PetscBool outside = fr < f[n] ? PETSC_TRUE : PETSC_FALSE;
      for (PetscInt d = 0; d < n; ++d) xc[d] = outside ? xo[d] + 0.5 * (xr[d] - xo[d]) : xo[d] + 0.5 * (v[n][d] - xo[d]);
      PetscCall(RegistrationObjective(g, xc, &fc));
      if (fc < PetscMin(fr, f[n])) {
        for (PetscInt d = 0; d < n; ++d) v[n][d] = xc[d];
        f[n] = fc;
      } else { /* shrink towards the best */
        for (PetscInt i = 1; i <= n; ++i) {
          for (PetscInt d = 0; d < n; ++d) v[i][d] = v[0][d] + 0.5 * (v[i][d] - v[0][d]);
          PetscCall(RegistrationObjective(g, v[i], &f[i]));
        }
      }
    }
  }
  {
    PetscInt best = 0;
    for (PetscInt i = 1; i <= n; ++i)
      if (f[i] < f[best]) best = i;
    for (PetscInt d = 0; d < n; ++d) x[d] = v[best][d];
    *fbest = f[best];
  }
  *its = it;
  PetscFunctionReturn(0);
}

typedef struct {
  Comparison       c;
  const PetscReal *coverage; /* fine χ */
  PetscReal       *gchi;     /* fine G*χ at the nominal σ */
  const PetscReal *flabel;   /* fine particle index (a population), NaN outside */
  PetscBool        failed;
} SetUpCtx;

/* The reference frame's particle: uniform frames and frames where nothing stands out are errors */
static PetscErrorCode FindOpticalParticle(Comparison c, const PetscReal *ref, unsigned char *mask)
{
  PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
  const size_t n = (size_t)c->rows * c->cols;

  PetscFunctionBeginUser;
  for (size_t i = 0; i < n; ++i) {
    lo = PetscMin(lo, ref[i]);
    hi = PetscMax(hi, ref[i]);
  }
  PetscCheck(hi - lo > 1e-9 * PetscMax(1, PetscAbsReal(hi)), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "no particle in the optical frames: reference frame %" PetscInt_FMT " of image stack '%s' is uniform (grey value %.4g everywhere)", c->reference, c->stack_path, (double)lo);
  {
    Captured       cap = {0, ""};
    PetscErrorCode ierr;
    char           name[PETSC_MAX_PATH_LEN + 64];
    PetscCall(PetscSNPrintf(name, sizeof(name), "%s", c->stack_path));
    PetscCall(PetscPushErrorHandler(CaptureError, &cap));
    ierr = MeshImageParticleMask(c->rows, c->cols, ref, name, 1.0, c->invert, mask, &c->mask_threshold, &c->mask_pixels);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      const char *why = strstr(cap.message, "has no particle: ");
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "no particle in the optical frames: reference frame %" PetscInt_FMT " of image stack '%s' has none: %s", c->reference, c->stack_path, why ? why + strlen("has no particle: ") : cap.message);
    }
  }
  { /* does it stand out of the noise? raw intensities inside and outside */
    double sin = 0, sout = 0, qout = 0, nin = 0, nout = 0;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i]) sin += ref[i], nin += 1;
      else sout += ref[i], qout += ref[i] * ref[i], nout += 1;
    }
    if (nout > 1 && nin > 0) {
      const double mout = sout / nout, sd = sqrt(PetscMax(0, qout / nout - mout * mout)), sep = PetscAbsReal(sin / nin - mout);
      PetscCheck(sd < 1e-12 * PetscMax(1, PetscAbsReal(mout)) || sep >= 3 * sd, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "no particle in the optical frames: the %s region of reference frame %" PetscInt_FMT " of image stack '%s' differs from the background by only %.2g noise standard deviations (at least 3 needed)", c->invert ? "darkest" : "brightest", c->reference, c->stack_path, sep / sd);
    }
  }
  {
    double sr = 0, sc = 0;
    for (size_t i = 0; i < n; ++i)
      if (mask[i]) sr += (double)(i / c->cols), sc += (double)(i % c->cols);
    c->mask_centroid_px[0] = sc / c->mask_pixels;
    c->mask_centroid_px[1] = sr / c->mask_pixels;
    c->mask_area           = c->mask_pixels * c->pixel_size * c->pixel_size;
  }
  PetscFunctionReturn(0);
}

/* The scale that fits the reference frame best, with the other parameters of the registration q
   held: a parabola of f = 1 − R² in ln s through three points 1 % apart, re-centred until its
   vertex lies between them. Its standard error treats the pixels' residuals as independent
   (camera noise is): with n pixels and p fitted numbers, SSR = f SST, s² = SSR_min / (n − p), and
   var(ln s) = s² / (SST c2) = f_min / ((n − p) c2), c2 the curvature of f. nan when the profile
   has no minimum. */
static PetscErrorCode ScaleProfile(const Registration *g, const PetscReal q[], PetscReal *scale, PetscReal *sigma)
{
  Registration    h  = *g;
  const PetscReal dl = 0.01;
  PetscReal       ls = g->scl ? q[g->rot ? 3 : 2] : g->ls_fixed, fv[3], c2 = 0, b = 0, fmin = NAN;
  PetscBool       found = PETSC_FALSE;

  PetscFunctionBeginUser;
  *scale = *sigma = NAN;
  h.scl     = PETSC_FALSE; /* q's layout without the scale: col, row, [rotation] */
  h.nparams = 2 + (g->rot ? 1 : 0);
  for (PetscInt it = 0; it < 8 && !found; ++it) {
    PetscReal d;
    for (PetscInt k = -1; k <= 1; ++k) {
      h.ls_fixed = ls + k * dl;
      PetscCall(RegistrationObjective(&h, q, &fv[k + 1]));
    }
    c2 = (fv[0] + fv[2] - 2 * fv[1]) / (2 * dl * dl);
    b  = (fv[2] - fv[0]) / (2 * dl);
    if (!(c2 > 0)) PetscFunctionReturn(0);
    d = -b / (2 * c2);
    if (PetscAbsReal(d) <= dl) {
      ls += d;
      fmin  = PetscMax(fv[1] - b * b / (4 * c2), 0);
      found = PETSC_TRUE;
    } else ls += PetscMax(-5 * dl, PetscMin(5 * dl, d));
  }
  if (!found) PetscFunctionReturn(0);
  {
    const PetscReal n = (PetscReal)g->wr * g->wc, p = g->nparams + 2 + (g->scl ? 0 : 1);
    *scale = PetscExpReal(ls);
    *sigma = n > p ? *scale * PetscSqrtReal(fmin / ((n - p) * c2)) : NAN;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Register(SetUpCtx *s, const PetscReal *ref, const unsigned char *mask)
{
  Comparison   c = s->c;
  Registration g;
  PetscReal    f, rmesh = 0;
  OpticalFrame frame;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(PetscMemzero(&g, sizeof(g)));
  g.c    = c;
  g.ref  = ref;
  g.gchi = s->gchi;
  if (c->given) {
    frame = c->frame;
    PetscCall(OpticalWindow(&c->fine, &frame, c->rows, c->cols, 4, &g.r0, &g.c0, &g.wr, &g.wc));
    PetscCheck(g.wr > 2 && g.wc > 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "the given registration puts the simulated particle outside the optical frame (%" PetscInt_FMT " x %" PetscInt_FMT " pixels); check <registration><offset> and <matrix>", c->rows, c->cols);
    PetscCall(RegistrationFit(&g, &frame, &f));
    c->iterations = 0;
  } else {
    MomentSum mo = {0}, mm = {0};
    double    co[2], cm[2], ao, am, ro, rm;
    PetscReal q[4] = {0, 0, 0, 0}, step[4], tol[4], spread = 0, starts[4], best = PETSC_MAX_REAL;
    PetscInt  nstarts = 1, its = 0;
    PetscBool converged;
    for (PetscInt i = 0; i < c->rows * c->cols; ++i)
      if (mask[i]) MomentAdd(&mo, 1, (double)(i % c->cols), (double)(i / c->cols));
    for (PetscInt i = 0; i < c->fine.rows * c->fine.cols; ++i)
      if (s->coverage[i] > 0) MomentAdd(&mm, s->coverage[i], c->fine.origin[0] + (i % c->fine.cols + 0.5) * c->fine.pixel_size, c->fine.origin[1] + (i / c->fine.cols + 0.5) * c->fine.pixel_size);
    MomentResult(&mo, co, &ao, &ro);
    MomentResult(&mm, cm, &am, &rm);
    rmesh      = PetscSqrtReal(c->info.volume / PETSC_PI) / c->pixel_size; /* px */
    g.rot      = c->rotation;
    g.scl      = c->free_scale;
    g.nparams  = 2 + (g.rot ? 1 : 0) + (g.scl ? 1 : 0);
    g.phi_fixed = 0;
    g.ls_fixed  = 0;
    starts[0]  = 0;
    if (c->rotation && rm > 1.05 && ro > 1.05) {
      starts[0] = (ao - am) * 180 / PETSC_PI;
      starts[1] = starts[0] + 180;
      nstarts   = 2;
    }
    q[0] = co[0];
    q[1] = co[1];
    { /* the window, from the first guess (at scale 1: a few per cent of scale moves the edge by
         less than the window's margin) */
      PetscReal q0[4] = {co[0], co[1], g.rot ? starts[0] : 0, 0};
      PetscCall(RegistrationFrame(&g, q0, &frame));
      PetscCall(OpticalWindow(&c->fine, &frame, c->rows, c->cols, 6, &g.r0, &g.c0, &g.wr, &g.wc));
    }
    for (PetscInt k = 0; k < nstarts; ++k) {
      PetscReal qk[4] = {co[0], co[1], starts[k], 0}, fk;
      PetscCall(RegistrationObjective(&g, qk, &fk));
      if (fk < best) best = fk, q[2] = starts[k];
    }
    step[0] = step[1] = 0.7;
    tol[0] = tol[1] = 1e-3;
    if (g.rot) step[2] = 4, tol[2] = 1e-3 / PetscMax(rmesh, 1) * 180 / PETSC_PI;
    if (g.scl) { /* ln scale: steps of 3 %, to what moves the outline by 1e-3 px */
      const PetscInt il = g.rot ? 3 : 2;
      q[il]             = 0;
      step[il]          = 0.03;
      tol[il]           = 1e-3 / PetscMax(rmesh, 1);
    }
    PetscCall(NelderMead(&g, g.nparams, q, step, tol, c->max_iterations, &f, &its, &converged, &spread));
    c->iterations = its;
    PetscCheck(converged, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "registration did not converge in %" PetscInt_FMT " iterations (the simplex still spans %.3g px); raise <registration><max_iterations> or give the transform (<registration method=\"given\">)", its, (double)(spread * 1e-3));
    {
      const PetscReal moved = PetscSqrtReal(PetscSqr(q[0] - co[0]) + PetscSqr(q[1] - co[1]));
      PetscCheck(moved <= PetscMax(3, 0.5 * rmesh), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "registration did not converge: the simulated particle drifted %.3g px away from the optical particle's centroid (col %.2f, row %.2f); check <experiment><pixel_size> (%.6g um) or give the transform (<registration method=\"given\">)", (double)moved, (double)co[0], (double)co[1], (double)c->pixel_size);
    }
    PetscCall(ScaleProfile(&g, q, &c->scale_best, &c->scale_sigma));
    PetscCall(RegistrationFrame(&g, q, &frame));
    PetscCall(RegistrationFit(&g, &frame, &f));
  }
  c->match = 1 - f;
  c->frame = frame;
  if (!c->given)
    PetscCheck(c->match >= c->min_match, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "registration did not converge: the best alignment matches the optical particle poorly (R^2 %.3f < <min_match> %.3g; optical particle %.3g um^2, simulated %.3g um^2); check <experiment><pixel_size> (%.6g um) or give the transform (<registration method=\"given\">)", (double)c->match, (double)c->min_match, (double)c->mask_area, (double)c->info.volume, (double)c->pixel_size);
  c->beta = (g.a + g.slope) != 0 ? g.a / (g.a + g.slope) : 0;
  {
    PetscReal u[2];
    PetscCall(OpticalFrameToOptical(&frame, c->info.centroid, u));
    c->centroid_px[0] = u[0] / c->pixel_size - 0.5;
    c->centroid_px[1] = u[1] / c->pixel_size - 0.5;
    PetscCall(OpticalFrameRotation(&frame, &c->rotation_deg, &c->scale));
  }
  if (c->given) c->scale_best = c->scale_sigma = NAN;
  c->scale_off = !PetscIsNanReal(c->scale_best) && PetscAbsReal(c->scale_best - 1) > PetscMax(3 * (PetscIsNanReal(c->scale_sigma) ? 0 : c->scale_sigma), 0.002) ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscTime(&t1));
  c->seconds_register = t1 - t0;
  PetscFunctionReturn(0);
}

/* A population's particles, each moved on its own from the frame's transform: the shift (optical
   px) at which the particle's blurred outline, with the other particles in place, matches the
   reference frame best over a window around it (Nelder–Mead within shift_max px; one pass, so a
   neighbour's blur that reaches into the window is taken where the frame puts it) */
static PetscErrorCode RefineParticles(SetUpCtx *s, const PetscReal *ref)
{
  Comparison      c     = s->c;
  const PetscInt  nfine = c->fine.rows * c->fine.cols;
  const PetscInt  m     = (PetscInt)PetscCeilReal(3 * c->psf_sigma / c->pixel_size + c->shift_max + 2); /* the window's margin, px */
  PetscReal      *chi, *gk, *others;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(nfine, &chi, nfine, &gk, nfine, &others));
  c->p_shift_bound = PETSC_FALSE;
  for (PetscInt k = 0; k < c->np; ++k) {
    Registration      g;
    OpticalProjection P;
    PetscReal         lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL};
    PetscReal         q[2] = {0, 0}, step[2] = {0.5, 0.5}, tol[2] = {1e-3, 1e-3}, f, spread, *rest;
    PetscInt          its, r1, c1;
    PetscBool         converged;
    for (PetscInt i = 0; i < nfine; ++i) {
      const PetscBool mine = !PetscIsNanReal(s->flabel[i]) && (PetscInt)PetscFloorReal(s->flabel[i] + 0.5) == k ? PETSC_TRUE : PETSC_FALSE;
      chi[i]               = mine ? s->coverage[i] : 0;
      if (chi[i] > 0) {
        const PetscReal x[2] = {c->fine.origin[0] + (i % c->fine.cols + 0.5) * c->fine.pixel_size, c->fine.origin[1] + (i / c->fine.cols + 0.5) * c->fine.pixel_size};
        PetscReal       u[2];
        PetscCall(OpticalFrameToOptical(&c->frame, x, u));
        for (PetscInt d = 0; d < 2; ++d) {
          lo[d] = PetscMin(lo[d], u[d] / c->pixel_size - 0.5);
          hi[d] = PetscMax(hi[d], u[d] / c->pixel_size - 0.5);
        }
      }
    }
    PetscCheck(lo[0] <= hi[0], PETSC_COMM_SELF, PETSC_ERR_PLIB, "particle %" PetscInt_FMT " covers no fine pixel", k + 1);
    PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, c->psf_sigma / c->fine.pixel_size, chi, gk));
    for (PetscInt i = 0; i < nfine; ++i) others[i] = s->gchi[i] - gk[i];
    PetscCall(PetscMemzero(&g, sizeof(g)));
    g.c       = c;
    g.ref     = ref;
    g.gchi    = gk;
    g.nparams = 2;
    g.base    = &c->frame;
    g.bound   = c->shift_max;
    g.c0      = PetscMax(0, (PetscInt)PetscFloorReal(lo[0]) - m);
    g.r0      = PetscMax(0, (PetscInt)PetscFloorReal(lo[1]) - m);
    c1        = PetscMin(c->cols - 1, (PetscInt)PetscCeilReal(hi[0]) + m);
    r1        = PetscMin(c->rows - 1, (PetscInt)PetscCeilReal(hi[1]) + m);
    g.wc      = c1 - g.c0 + 1;
    g.wr      = r1 - g.r0 + 1;
    PetscCheck(g.wc > 2 && g.wr > 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "particle %" PetscInt_FMT " lies outside the optical frame once registered; check <experiment><pixel_size> (%.6g um)", k + 1, (double)c->pixel_size);
    PetscCall(PetscMalloc1(g.wr * g.wc, &rest));
    PetscCall(OpticalProjectionCreate(&c->fine, &c->frame, g.r0, g.c0, g.wr, g.wc, 3, &P));
    PetscCall(OpticalProjectionApply(&P, others, rest));
    PetscCall(OpticalProjectionDestroy(&P));
    g.rest = rest;
    PetscCall(NelderMead(&g, 2, q, step, tol, c->max_iterations, &f, &its, &converged, &spread));
    PetscCall(PetscFree(rest));
    PetscCheck(converged, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "registration of particle %" PetscInt_FMT " on its own did not converge in %" PetscInt_FMT " iterations (the simplex still spans %.3g px); raise <registration><max_iterations> or set <particle_shift_max> to 0", k + 1, its, (double)(spread * 1e-3));
    c->p_shift[2 * k]     = q[0];
    c->p_shift[2 * k + 1] = q[1];
    c->p_match[k]         = 1 - f;
    if (PetscSqrtReal(q[0] * q[0] + q[1] * q[1]) > 0.98 * c->shift_max) c->p_shift_bound = PETSC_TRUE;
  }
  PetscCall(PetscFree3(chi, gk, others));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterOnRankZero(void *ctx)
{
  SetUpCtx      *s = (SetUpCtx *)ctx;
  Comparison     c = s->c;
  PetscReal     *ref;
  unsigned char *mask;

  PetscFunctionBeginUser;
  PetscCall(MeshStackRead(c->stack, c->reference, &c->rows, &c->cols, &ref));
  PetscCall(PetscMalloc1((size_t)c->rows * c->cols, &mask));
  PetscCall(FindOpticalParticle(c, ref, mask));
  if (c->np > 1) { /* every particle of the field: pixels beyond the middle between the background and
                      the largest particle's mean */
    const size_t n = (size_t)c->rows * c->cols;
    double       sin = 0, sout = 0, nin = 0, nout = 0, thr, sr = 0, sc = 0;
    for (size_t i = 0; i < n; ++i) {
      if (mask[i]) sin += ref[i], nin += 1;
      else sout += ref[i], nout += 1;
    }
    thr            = 0.5 * (sin / PetscMax(nin, 1) + sout / PetscMax(nout, 1));
    c->mask_pixels = 0;
    for (size_t i = 0; i < n; ++i) {
      mask[i] = c->invert ? (ref[i] < thr) : (ref[i] > thr);
      if (mask[i]) ++c->mask_pixels, sr += (double)(i / c->cols), sc += (double)(i % c->cols);
    }
    c->mask_centroid_px[0] = sc / PetscMax(c->mask_pixels, 1);
    c->mask_centroid_px[1] = sr / PetscMax(c->mask_pixels, 1);
    c->mask_area           = c->mask_pixels * c->pixel_size * c->pixel_size;
  }
  PetscCall(Register(s, ref, mask));
  if (c->refine) PetscCall(RefineParticles(s, ref));
  PetscCall(PetscFree(mask));
  PetscCall(PetscFree(ref));
  PetscFunctionReturn(0);
}

/* Read every frame: the contrast in the window, corrected for the drift of the background */
static PetscErrorCode ReadFramesOnRankZero(void *ctx)
{
  SetUpCtx      *s = (SetUpCtx *)ctx;
  Comparison     c = s->c;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  for (PetscInt f = 0; f < c->nframes; ++f) {
    PetscReal *v, drift = 0;
    PetscInt   rows, cols, nb = 0;
    PetscCall(MeshStackRead(c->stack, f, &rows, &cols, &v));
    if (f == c->reference)
      for (PetscInt r = 0; r < c->wr; ++r)
        for (PetscInt q = 0; q < c->wc; ++q) c->reference_window[r * c->wc + q] = v[(c->r0 + r) * c->cols + c->c0 + q];
    for (PetscInt r = 0; r < c->wr; ++r)
      for (PetscInt q = 0; q < c->wc; ++q) c->contrast[(size_t)f * c->nwin + r * c->wc + q] = v[(c->r0 + r) * c->cols + c->c0 + q];
    PetscCall(PetscFree(v));
    (void)nb;
    (void)drift;
  }
  /* contrast against the reference, then the drift */
  {
    PetscReal scale = 0;
    for (PetscInt j = 0; j < c->nwin; ++j) scale = PetscMax(scale, PetscAbsReal(c->reference_window[j]));
    for (PetscInt j = 0; j < c->nwin; ++j) c->valid[j] = PetscAbsReal(c->reference_window[j]) > 1e-9 * scale ? 1 : 0;
  }
  for (PetscInt f = 0; f < c->nframes; ++f) {
    PetscReal *C = &c->contrast[(size_t)f * c->nwin], d = 0;
    PetscInt   nb = 0;
    for (PetscInt j = 0; j < c->nwin; ++j) C[j] = c->valid[j] ? C[j] / c->reference_window[j] - 1 : NAN;
    for (PetscInt j = 0; j < c->nwin; ++j)
      if (c->background[j] && c->valid[j]) d += C[j], ++nb;
    d = nb ? d / nb : 0;
    c->drift[f] = (c->drift_correction && nb >= 8) ? d : 0;
    if (c->drift[f] != 0)
      for (PetscInt j = 0; j < c->nwin; ++j) C[j] = (1 + C[j]) / (1 + c->drift[f]) - 1;
  }
  PetscCall(PetscTime(&t1));
  c->seconds_read = t1 - t0;
  PetscFunctionReturn(0);
}

/* Samples of the line through the centroid in direction psi (deg, image frame: 0 along +x, 90
   down), inside the particle, every half optical pixel */
static PetscErrorCode SetUpProfiles(Comparison c)
{
  const PetscReal h = 0.5 * c->pixel_size, L = PetscMax(c->info.upper[0] - c->info.lower[0], c->info.upper[1] - c->info.lower[1]);
  const PetscInt  N = (PetscInt)PetscCeilReal(L / h);

  PetscFunctionBeginUser;
  for (PetscInt d = 0; d < c->ndirections; ++d) {
    const PetscReal psi = c->directions[d] * PETSC_PI / 180, e[2] = {PetscCosReal(psi), PetscSinReal(psi)};
    PetscInt        n   = 0;
    PetscCall(PetscFree2(c->profile_s[d], c->profile_u[d]));
    PetscCall(PetscMalloc2(2 * N + 1, &c->profile_s[d], 2 * (2 * N + 1), &c->profile_u[d]));
    for (PetscInt k = -N; k <= N; ++k) {
      const PetscReal x[2] = {c->info.centroid[0] + k * h * e[0], c->info.centroid[1] + k * h * e[1]};
      if (!OpticalInside(c->nfacets, c->facets, x)) continue;
      c->profile_s[d][n] = k * h;
      PetscCall(OpticalFrameToOptical(&c->frame, x, &c->profile_u[d][2 * n]));
      ++n;
    }
    c->nprofile[d] = n;
  }
  PetscFunctionReturn(0);
}

/* Bilinear in a window array at the profile samples */
static PetscErrorCode ProfileSample(const Comparison c, PetscInt d, const PetscReal window[], PetscReal out[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < c->nprofile[d]; ++i) {
    const PetscReal fx = c->profile_u[d][2 * i] / c->pixel_size - 0.5 - c->c0, fy = c->profile_u[d][2 * i + 1] / c->pixel_size - 0.5 - c->r0;
    const PetscInt  ix = (PetscInt)PetscFloorReal(fx), iy = (PetscInt)PetscFloorReal(fy);
    PetscReal       s = 0, w = 0;
    for (PetscInt a = 0; a < 2; ++a)
      for (PetscInt b = 0; b < 2; ++b) {
        const PetscInt  qx = ix + b, qy = iy + a;
        const PetscReal wk = (b ? fx - ix : 1 - (fx - ix)) * (a ? fy - iy : 1 - (fy - iy));
        if (qx < 0 || qy < 0 || qx >= c->wc || qy >= c->wr || PetscIsNanReal(window[qy * c->wc + qx])) continue;
        s += wk * window[qy * c->wc + qx];
        w += wk;
      }
    out[i] = w > 0 ? s / w : NAN;
  }
  PetscFunctionReturn(0);
}

typedef struct {
  OpticalFrame frame;
  PetscReal    match, beta, centroid_px[2], rotation_deg, scale, scale_best, scale_sigma, mask_centroid_px[2], mask_area, mask_threshold, seconds_register;
  PetscInt     iterations, mask_pixels, rows, cols;
  PetscBool    scale_off;
} RegistrationResult;

/* The run's particle index (0..np−1, a constant on each particle's cells) rasterised onto the fine
   grid: every rank gets it, NaN where no sample point is inside (collective) */
static PetscErrorCode ParticleIndexImage(Comparison c, Solver s, Raster raster, PetscReal flabel[])
{
  const SolverParticles *particles;
  Vec                    index;
  PetscScalar           *a;
  PetscInt               nown;

  PetscFunctionBeginUser;
  PetscCall(SolverGetParticles(s, &particles));
  PetscCall(SolverGetSolution(s, &index));
  PetscCall(VecDuplicate(index, &index));
  PetscCall(VecGetLocalSize(index, &nown));
  PetscCheck(nown == particles->nown, c->comm, PETSC_ERR_PLIB, "particle dofs %" PetscInt_FMT " vs %" PetscInt_FMT, nown, particles->nown);
  PetscCall(VecGetArray(index, &a));
  for (PetscInt i = 0; i < nown; ++i) a[i] = particles->dof[i];
  PetscCall(VecRestoreArray(index, &a));
  PetscCall(RasterEvaluate(raster, index, flabel));
  PetscCall(VecDestroy(&index));
  PetscCallMPI(MPI_Bcast(flabel, (PetscMPIInt)(c->fine.rows * c->fine.cols), MPIU_REAL, 0, c->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonSetUp(Comparison c, Simulation sim, PetscReal sigma_max, PetscViewer viewer)
{
  Solver             s;
  Protocol           protocol;
  DM                 dm;
  Observer           obs;
  Raster             raster;
  SetUpCtx           ctx;
  RegistrationResult rr;
  const MeshInfo    *info;
  PetscReal         *pc;
  PetscInt           nfine;
  SurfaceTree        tree;
  PetscReal         *flabel = NULL; /* [nfine] particle index on the fine grid (np > 1) */

  PetscFunctionBeginUser;
  PetscCall(SimulationGetSolver(sim, &s));
  PetscCall(SimulationGetProtocol(sim, &protocol));
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(SolverGetMeshInfo(s, &info));
  c->info = *info;
  PetscCheck(info->dim == 2, c->comm, PETSC_ERR_USER_INPUT, "spot compare needs a 2-D simulation of the imaged cross-section; this mesh is 3-D");
  { /* a population: every particle on its own */
    const SolverParticles *particles;
    PetscCall(SolverGetParticles(s, &particles));
    c->np = particles->n;
    PetscCall(PetscCalloc6(c->np, &c->pn_inside, c->np, &c->pn_centre, c->np, &c->pn_periphery, c->np, &c->p_area, 2 * c->np, &c->p_centroid, c->np, &c->p_dmax));
  }
  { /* the protocol's planned end */
    PetscInt        n;
    const StepSpec *steps;
    PetscCall(ProtocolGetSteps(protocol, &n, &steps));
    c->t_planned = 0;
    for (PetscInt i = 0; i < n; ++i) c->t_planned = steps[i].duration < PETSC_MAX_REAL && c->t_planned < PETSC_MAX_REAL ? c->t_planned + steps[i].duration : PETSC_MAX_REAL;
  }
  { /* the particle must show in the optical frame as more than a speck */
    const PetscReal extent = PetscMax(info->upper[0] - info->lower[0], info->upper[1] - info->lower[1]);
    char            where[PETSC_MAX_PATH_LEN];
    PetscCall(Where("-compare_experiment_pixel_size", where));
    PetscCheck(extent >= 3 * c->pixel_size, c->comm, PETSC_ERR_USER_INPUT, "%s: the simulated particle (%.3g x %.3g um) spans only %.3g optical pixels of %.6g um; a comparison needs it at least 3 pixels across", where, (double)(info->upper[0] - info->lower[0]), (double)(info->upper[1] - info->lower[1]), (double)(extent / c->pixel_size), (double)c->pixel_size);
  }
  PetscCall(MeshBoundaryFacets(dm, &c->nfacets, &c->facets));
  PetscCall(ObserverCreate(s, &obs));
  PetscCall(ObserverGetRegions(obs, &c->d_max, &c->centre_threshold, &c->periphery_width, NULL, NULL));
  PetscCall(ObserverDestroy(&obs));
  { /* a population's particles are refined each on its own after the frame's transform */
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(Where("-compare_registration_particle_shift_max", where));
    PetscCheck(!(c->shift_max_set && c->np == 1 && c->shift_max > 0), c->comm, PETSC_ERR_USER_INPUT, "%s: particle_shift_max moves each particle of a population on its own, and the run's mesh has one particle", where);
    c->refine = c->np > 1 && !c->given && c->shift_max > 0 ? PETSC_TRUE : PETSC_FALSE;
    PetscCall(PetscCalloc2(2 * c->np, &c->p_shift, c->np, &c->p_match));
  }
  PetscCall(OpticalFineGrid(info, c->pixel_size, PetscMax(c->psf_sigma, sigma_max), c->refine ? c->shift_max * c->pixel_size : 0, &c->fine));
  PetscCall(RasterCreate(dm, &c->fine, &raster));
  nfine = c->fine.rows * c->fine.cols;
  PetscCall(PetscMemzero(&ctx, sizeof(ctx)));
  ctx.c = c;
  PetscCall(RasterGetMask(raster, NULL, &ctx.coverage));
  PetscCall(PetscMalloc1(nfine, &ctx.gchi));
  PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, c->psf_sigma / c->fine.pixel_size, ctx.coverage, ctx.gchi));
  PetscCall(PostprocSurfaceTreeCreate(2, c->nfacets, c->facets, &tree));
  if (c->np > 1) { /* which particle each fine pixel shows: the particle index, a constant on each
                      particle's cells, rasterised; then each particle's largest distance to its
                      surface (inside a particle the nearest facet is its own) */
    PetscCall(PetscMalloc1(nfine, &flabel));
    PetscCall(ParticleIndexImage(c, s, raster, flabel));
    for (PetscInt i = 0; i < nfine; ++i) {
      const PetscReal x[2] = {c->fine.origin[0] + (i % c->fine.cols + 0.5) * c->fine.pixel_size, c->fine.origin[1] + (i / c->fine.cols + 0.5) * c->fine.pixel_size};
      PetscInt        k;
      PetscReal       d;
      if (PetscIsNanReal(flabel[i]) || !(ctx.coverage[i] > 0.999)) continue;
      k = (PetscInt)PetscFloorReal(flabel[i] + 0.5);
      if (k < 0 || k >= c->np) continue;
      PetscCall(PostprocSurfaceTreeDistance(tree, x, &d));
      c->p_dmax[k] = PetscMax(c->p_dmax[k], d);
      c->p_area[k] += PetscSqr(c->fine.pixel_size);
      c->p_centroid[2 * k] += x[0] * PetscSqr(c->fine.pixel_size);
      c->p_centroid[2 * k + 1] += x[1] * PetscSqr(c->fine.pixel_size);
    }
    {
      const SolverParticles *particles;
      PetscCall(SolverGetParticles(s, &particles));
      for (PetscInt k = 0; k < c->np; ++k) {
        PetscCheck(c->p_area[k] > 0, c->comm, PETSC_ERR_USER_INPUT, "particle %" PetscInt_FMT " of the run covers no pixel of the comparison's fine grid (%.3g um): it is too small for the optical pixels (%.6g um)", k + 1, (double)c->fine.pixel_size, (double)c->pixel_size);
        c->p_centroid[2 * k] /= c->p_area[k];
        c->p_centroid[2 * k + 1] /= c->p_area[k];
        c->p_area[k] = particles->volume[k];
      }
    }
  } else {
    c->p_area[0]     = info->volume;
    c->p_centroid[0] = info->centroid[0];
    c->p_centroid[1] = info->centroid[1];
    c->p_dmax[0]     = c->d_max;
  }
  ctx.flabel = flabel;

  /* rank 0: the reference frame, its particle and the registration (and each particle's own place) */
  PetscCall(CompareOnRankZero(c->comm, RegisterOnRankZero, &ctx));
  if (c->rank == 0) {
    rr.frame            = c->frame;
    rr.match            = c->match;
    rr.beta             = c->beta;
    rr.centroid_px[0]   = c->centroid_px[0];
    rr.centroid_px[1]   = c->centroid_px[1];
    rr.rotation_deg     = c->rotation_deg;
    rr.scale            = c->scale;
    rr.scale_best       = c->scale_best;
    rr.scale_sigma      = c->scale_sigma;
    rr.scale_off        = c->scale_off;
    rr.mask_centroid_px[0] = c->mask_centroid_px[0];
    rr.mask_centroid_px[1] = c->mask_centroid_px[1];
    rr.mask_area        = c->mask_area;
    rr.mask_threshold   = c->mask_threshold;
    rr.seconds_register = c->seconds_register;
    rr.iterations       = c->iterations;
    rr.mask_pixels      = c->mask_pixels;
    rr.rows             = c->rows;
    rr.cols             = c->cols;
  }
  PetscCallMPI(MPI_Bcast(&rr, sizeof(rr), MPI_BYTE, 0, c->comm));
  c->frame               = rr.frame;
  c->match               = rr.match;
  c->beta                = rr.beta;
  c->centroid_px[0]      = rr.centroid_px[0];
  c->centroid_px[1]      = rr.centroid_px[1];
  c->rotation_deg        = rr.rotation_deg;
  c->scale               = rr.scale;
  c->scale_best          = rr.scale_best;
  c->scale_sigma         = rr.scale_sigma;
  c->scale_off           = rr.scale_off;
  c->mask_centroid_px[0] = rr.mask_centroid_px[0];
  c->mask_centroid_px[1] = rr.mask_centroid_px[1];
  c->mask_area           = rr.mask_area;
  c->mask_threshold      = rr.mask_threshold;
  c->seconds_register    = rr.seconds_register;
  c->iterations          = rr.iterations;
  c->mask_pixels         = rr.mask_pixels;
  c->rows                = rr.rows;
  c->cols                = rr.cols;
  if (c->refine) {
    PetscInt moved = 0;
    PetscCallMPI(MPI_Bcast(c->p_shift, (PetscMPIInt)(2 * c->np), MPIU_REAL, 0, c->comm));
    PetscCallMPI(MPI_Bcast(c->p_match, (PetscMPIInt)c->np, MPIU_REAL, 0, c->comm));
    PetscCallMPI(MPI_Bcast(&c->p_shift_bound, 1, MPIU_BOOL, 0, c->comm));
    for (PetscInt k = 0; k < 2 * c->np; ++k) moved += c->p_shift[k] != 0;
    if (moved) { /* the fine grid seen with every particle at its own place: px of the optical frame
                    → µm of the mesh frame, Δx = A Δu */
      PetscCall(PetscMalloc1(2 * c->np, &c->p_moved));
      for (PetscInt k = 0; k < c->np; ++k) OpticalFrameShiftToMesh(&c->frame, &c->p_shift[2 * k], &c->p_moved[2 * k]);
      PetscCall(RasterDestroy(&raster));
      PetscCall(RasterCreateMoved(dm, &c->fine, c->p_moved, &raster));
      PetscCall(RasterGetMask(raster, NULL, &ctx.coverage));
      PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, c->psf_sigma / c->fine.pixel_size, ctx.coverage, ctx.gchi));
      PetscCall(ParticleIndexImage(c, s, raster, flabel));
    }
  }

  /* every rank: the window and its pixels' classes */
  PetscCall(OpticalWindow(&c->fine, &c->frame, c->rows, c->cols, 6, &c->r0, &c->c0, &c->wr, &c->wc));
  c->nwin = c->wr * c->wc;
  PetscCall(PetscMalloc3(c->nwin, &c->reference_window, (size_t)c->nframes * c->nwin, &c->contrast, c->nframes, &c->drift));
  PetscCall(PetscMalloc5(c->nwin, &c->inside, c->nwin, &c->centre, c->nwin, &c->periphery, c->nwin, &c->background, c->nwin, &c->valid));
  PetscCall(PetscMalloc1(c->nwin, &pc));
  {
    OpticalProjection P;
    PetscCall(OpticalProjectionCreate(&c->fine, &c->frame, c->r0, c->c0, c->wr, c->wc, 3, &P));
    PetscCall(OpticalProjectionApply(&P, ctx.gchi, pc));
    PetscCall(OpticalProjectionDestroy(&P));
  }
  c->n_inside = c->n_centre = c->n_periphery = c->n_background = 0;
  PetscCall(PetscMalloc1(c->nwin, &c->label));
  for (PetscInt r = 0; r < c->wr; ++r)
    for (PetscInt q = 0; q < c->wc; ++q) {
      const PetscInt  j    = r * c->wc + q;
      const PetscReal u[2] = {(c->c0 + q + 0.5) * c->pixel_size, (c->r0 + r + 0.5) * c->pixel_size};
      PetscReal       x[2], d = -1;
      PetscCall(OpticalFrameToMesh(&c->frame, u, x));
      if (c->np > 1) { /* the particle of the fine pixel under x, and x where that particle lies in the mesh */
        const PetscInt  fc = (PetscInt)PetscFloorReal((x[0] - c->fine.origin[0]) / c->fine.pixel_size), fr = (PetscInt)PetscFloorReal((x[1] - c->fine.origin[1]) / c->fine.pixel_size);
        const PetscReal l  = fc >= 0 && fr >= 0 && fc < c->fine.cols && fr < c->fine.rows ? flabel[fr * c->fine.cols + fc] : NAN;
        c->label[j]        = PetscIsNanReal(l) ? -1 : (PetscInt)PetscFloorReal(l + 0.5);
        if (c->label[j] >= c->np) c->label[j] = -1;
        if (c->label[j] >= 0 && c->p_moved) x[0] -= c->p_moved[2 * c->label[j]], x[1] -= c->p_moved[2 * c->label[j] + 1];
        c->inside[j] = c->label[j] >= 0 && OpticalInside(c->nfacets, c->facets, x) ? 1 : 0;
        if (!c->inside[j]) c->label[j] = -1;
      } else {
        c->inside[j] = OpticalInside(c->nfacets, c->facets, x) ? 1 : 0;
        c->label[j]  = c->inside[j] ? 0 : -1;
      }
      if (c->inside[j]) PetscCall(PostprocSurfaceTreeDistance(tree, x, &d));
      if (c->np > 1 && c->inside[j]) { /* each particle's own regions: the run's fractions of its own d_max */
        const PetscReal dk = c->p_dmax[c->label[j]];
        c->centre[j]       = d >= (c->centre_threshold / c->d_max) * dk ? 1 : 0;
        c->periphery[j]    = d <= (c->periphery_width / c->d_max) * dk ? 1 : 0;
      } else {
        c->centre[j]    = c->inside[j] && d >= c->centre_threshold ? 1 : 0;
        c->periphery[j] = c->inside[j] && d <= c->periphery_width ? 1 : 0;
      }
      c->background[j] = pc[j] < 1e-9 ? 1 : 0; /* beyond the reach of the (truncated) PSF */
    }
  PetscCall(PostprocSurfaceTreeDestroy(&tree));
  PetscCall(PetscFree(pc));
  PetscCall(PetscFree(flabel));

  /* rank 0: every frame */
  PetscCall(CompareOnRankZero(c->comm, ReadFramesOnRankZero, &ctx));
  PetscCallMPI(MPI_Bcast(c->reference_window, (PetscMPIInt)c->nwin, MPIU_REAL, 0, c->comm));
  PetscCallMPI(MPI_Bcast(c->contrast, (PetscMPIInt)((size_t)c->nframes * c->nwin), MPIU_REAL, 0, c->comm));
  PetscCallMPI(MPI_Bcast(c->drift, (PetscMPIInt)c->nframes, MPIU_REAL, 0, c->comm));
  PetscCallMPI(MPI_Bcast(c->valid, (PetscMPIInt)c->nwin, MPI_UNSIGNED_CHAR, 0, c->comm));
  PetscCallMPI(MPI_Bcast(&c->seconds_read, 1, MPI_DOUBLE, 0, c->comm));
  for (PetscInt j = 0; j < c->nwin; ++j) {
    if (!c->valid[j]) c->inside[j] = c->centre[j] = c->periphery[j] = c->background[j] = 0, c->label[j] = -1;
    c->n_inside += c->inside[j];
    c->n_centre += c->centre[j];
    c->n_periphery += c->periphery[j];
    c->n_background += c->background[j];
    if (c->label[j] >= 0) {
      c->pn_inside[c->label[j]] += c->inside[j];
      c->pn_centre[c->label[j]] += c->centre[j];
      c->pn_periphery[c->label[j]] += c->periphery[j];
    }
  }
  for (PetscInt k = 0; k < c->np; ++k)
    PetscCheck(c->pn_centre[k] > 0 && c->pn_periphery[k] > 0, c->comm, PETSC_ERR_USER_INPUT, "the optical pixels (%.6g um) are too coarse for the regions of particle %" PetscInt_FMT " (%.3g um^2): %" PetscInt_FMT " pixels in its centre region, %" PetscInt_FMT " in its periphery band; raise <regions><centre_fraction> or <periphery_width>, or leave the particle out of the mesh", (double)c->pixel_size, k + 1, (double)c->p_area[k], c->pn_centre[k], c->pn_periphery[k]);
  PetscCheck(c->n_centre > 0 && c->n_periphery > 0, c->comm, PETSC_ERR_USER_INPUT, "the optical pixels (%.6g um) are too coarse for the regions: %" PetscInt_FMT " pixels in the centre region, %" PetscInt_FMT " in the periphery band; raise <regions><centre_fraction> or <periphery_width>", (double)c->pixel_size, c->n_centre, c->n_periphery);
  PetscCall(SetUpProfiles(c));
  PetscCall(PetscFree(ctx.gchi));
  PetscCall(RasterDestroy(&raster));
  c->set_up = PETSC_TRUE;
  if (viewer) PetscCall(ComparisonView(c, viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonView(Comparison c, PetscViewer viewer)
{
  PetscReal window_end = c->t_sim[c->nframes - 1];

  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "experiment: %s, %" PetscInt_FMT " frames of %" PetscInt_FMT " x %" PetscInt_FMT " pixels (%.6g um), t = %.6g to %.6g s (run time %.6g to %.6g s), reference frame %" PetscInt_FMT "\n", c->stack_path, c->nframes, c->rows, c->cols, (double)c->pixel_size, (double)c->t_exp[0], (double)c->t_exp[c->nframes - 1], (double)c->t_sim[0], (double)window_end, c->reference));
  PetscCall(PetscViewerASCIIPrintf(viewer, "optical particle: %" PetscInt_FMT " pixels (%.4g um^2; simulated %.4g um^2), centroid (col %.2f, row %.2f)\n", c->mask_pixels, (double)c->mask_area, (double)c->info.volume, (double)c->mask_centroid_px[0], (double)c->mask_centroid_px[1]));
  if (c->given) PetscCall(PetscViewerASCIIPrintf(viewer, "registration: given"));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "registration: found in %" PetscInt_FMT " iterations (%.2g s)", c->iterations, (double)c->seconds_register));
  PetscCall(PetscViewerASCIIPrintf(viewer, "; the particle's centroid at optical pixel (col %.3f, row %.3f), rotation %.3f deg, scale %.4g; match R^2 %.4f; background/particle intensity %.4g\n", (double)c->centroid_px[0], (double)c->centroid_px[1], (double)c->rotation_deg, (double)c->scale, (double)c->match, (double)c->beta));
  if (!c->given) {
    if (PetscIsNanReal(c->scale_best)) PetscCall(PetscViewerASCIIPrintf(viewer, "  scale: %s; the best-fitting scale could not be measured (the match does not change with it)\n", c->free_scale ? "free" : "fixed at 1"));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "  scale: %s; the best fit %.5f +- %.2g (standard error)\n", c->free_scale ? "free" : "fixed at 1", (double)c->scale_best, (double)c->scale_sigma));
  }
  if (c->scale_off) {
    const PetscReal area = PetscSqr(c->scale_best) - 1;
    PetscCall(PetscViewerASCIIPrintf(viewer, "WARNING: the mesh and the movie disagree in size: the particle fits best at scale %.4f +- %.2g, not 1. Either the pixel size is %.5g um, not %.5g um (<experiment><pixel_size>), or the mesh's particle is %.2g %% %s in area than the movie's%s%s\n", (double)c->scale_best, (double)c->scale_sigma, (double)(c->scale_best * c->pixel_size), (double)c->pixel_size, (double)(100 * PetscAbsReal(area)), area > 0 ? "larger" : "smaller", area > 0 ? " (an outline taken from a blurred optical frame is too large: mesh it with its PSF, spot mesh --psf-sigma)" : "", c->free_scale ? "; the registration took the scale" : "; <registration><free_scale>true</free_scale> lets the registration take the scale"));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "  mesh x = A u + b: A = [%.6g %.6g; %.6g %.6g], b = (%.6g, %.6g) um (u: optical image frame, um)\n", (double)c->frame.A[0], (double)c->frame.A[1], (double)c->frame.A[2], (double)c->frame.A[3], (double)c->frame.b[0], (double)c->frame.b[1]));
  if (c->np > 1) PetscCall(PetscViewerASCIIPrintf(viewer, "population: %" PetscInt_FMT " particles, each compared on its own (its own k, centre and periphery: the run's fractions of its own largest depth), one registration for the frame%s\n", c->np, c->refine ? ", then each particle placed on its own" : ""));
  if (c->refine) {
    PetscInt  far = 0, bound = -1;
    PetscReal lo = PETSC_MAX_REAL, hi = 0, mlo = PETSC_MAX_REAL, mhi = -PETSC_MAX_REAL;
    for (PetscInt k = 0; k < c->np; ++k) {
      const PetscReal d = PetscSqrtReal(PetscSqr(c->p_shift[2 * k]) + PetscSqr(c->p_shift[2 * k + 1]));
      if (d > hi) hi = d, far = k;
      lo  = PetscMin(lo, d);
      mlo = PetscMin(mlo, c->p_match[k]);
      mhi = PetscMax(mhi, c->p_match[k]);
      if (d > 0.98 * c->shift_max && bound < 0) bound = k;
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "  each particle's own place (within %.3g px of the frame's transform): shifts %.3f to %.3f px, the largest particle %" PetscInt_FMT "'s (col %+.3f, row %+.3f); R^2 of their windows %.4f to %.4f (compare_particles.csv)\n", (double)c->shift_max, (double)lo, (double)hi, far + 1, (double)c->p_shift[2 * far], (double)c->p_shift[2 * far + 1], (double)mlo, (double)mhi));
    if (bound >= 0) PetscCall(PetscViewerASCIIPrintf(viewer, "WARNING: particle %" PetscInt_FMT " fits best at the bound, %.3g px from where the frame's transform puts it (<registration><particle_shift_max>): the mesh and the movie disagree on where it lies; check the particle's outline or raise the bound\n", bound + 1, (double)c->shift_max));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "window: rows %" PetscInt_FMT "-%" PetscInt_FMT ", cols %" PetscInt_FMT "-%" PetscInt_FMT "; %" PetscInt_FMT " pixels inside the particle, %" PetscInt_FMT " in the centre region, %" PetscInt_FMT " in the periphery band, %" PetscInt_FMT " of background; frames read in %.2g s\n", c->r0, c->r0 + c->wr - 1, c->c0, c->c0 + c->wc - 1, c->n_inside, c->n_centre, c->n_periphery, c->n_background, (double)c->seconds_read));
  PetscFunctionReturn(0);
}

/* ================================================================ the simulated movie ===== */

PetscErrorCode CompareSimCreate(Comparison c, Solver s, CompareSim *out)
{
  CompareSim sim;
  DM         dm;
  Vec        theta;

  PetscFunctionBeginUser;
  PetscCheck(c->set_up, c->comm, PETSC_ERR_ARG_WRONGSTATE, "call ComparisonSetUp first");
  PetscCall(PetscNew(&sim));
  sim->cmp    = c;
  sim->solver = s;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &sim->comm));
  PetscCallMPI(MPI_Comm_rank(sim->comm, &sim->rank));
  PetscCall(RasterCreateMoved(dm, &c->fine, c->p_moved, &sim->raster));
  PetscCall(RasterGetMask(sim->raster, NULL, &sim->coverage));
  sim->nfine = c->fine.rows * c->fine.cols;
  PetscCall(PetscCalloc2(c->nframes, &sim->have, c->nframes, &sim->mean_theta));
  PetscCall(PetscCalloc2((size_t)c->nframes * c->np * 6, &sim->pseries, c->np, &sim->presult));
  if (sim->rank == 0) {
    PetscCall(PetscCalloc1((size_t)c->nframes * sim->nfine, &sim->fine));
    PetscCall(PetscMalloc1(sim->nfine, &sim->img));
  }
  PetscCall(SolverGetSolution(s, &theta));
  PetscCall(VecDuplicate(theta, &sim->snapshot));
  *out = sim;
  PetscFunctionReturn(0);
}

static PetscErrorCode CaptureFrame(CompareSim sim, PetscInt f, Vec theta)
{
  PetscFunctionBeginUser;
  PetscCall(RasterEvaluate(sim->raster, theta, sim->img));
  PetscCall(SolverMeanTheta(sim->solver, theta, &sim->mean_theta[f]));
  if (sim->rank == 0) {
    PetscReal *d = &sim->fine[(size_t)f * sim->nfine];
    for (PetscInt i = 0; i < sim->nfine; ++i) d[i] = sim->coverage[i] > 0 && !PetscIsNanReal(sim->img[i]) ? (sim->theta0 - sim->img[i]) * sim->coverage[i] : 0;
  }
  sim->have[f] = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode CompareSimMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  CompareSim       sim = (CompareSim)ctx;
  const Comparison c   = sim->cmp;
  const PetscReal  eps = 1e-9 * PetscMax(1, PetscAbsReal(st->t));
  TS               ts;

  PetscFunctionBeginUser;
  if (e == SOLVER_EVENT_INITIAL) {
    sim->theta0  = st->mean_theta;
    sim->started = PETSC_TRUE;
    while (sim->next < c->nframes && c->t_sim[sim->next] <= st->t + eps) PetscCall(CaptureFrame(sim, sim->next++, theta));
  } else if (e == SOLVER_EVENT_TIMESTEP) {
    PetscCall(SolverGetTS(s, &ts));
    while (sim->next < c->nframes && c->t_sim[sim->next] <= st->t + eps) {
      const PetscReal tf = c->t_sim[sim->next];
      if (PetscAbsReal(tf - st->t) <= eps) PetscCall(CaptureFrame(sim, sim->next++, theta));
      else {
        PetscCall(TSInterpolate(ts, tf, sim->snapshot));
        PetscCall(CaptureFrame(sim, sim->next++, sim->snapshot));
      }
    }
  }
  sim->t_end = st->t;
  PetscFunctionReturn(0);
}

PetscErrorCode CompareSimDestroy(CompareSim *ps)
{
  CompareSim sim = *ps;

  PetscFunctionBeginUser;
  if (!sim) PetscFunctionReturn(0);
  PetscCall(RasterDestroy(&sim->raster));
  PetscCall(PetscFree2(sim->have, sim->mean_theta));
  PetscCall(PetscFree(sim->fine));
  PetscCall(PetscFree(sim->img));
  PetscCall(PetscFree3(sim->model, sim->series, sim->used));
  PetscCall(PetscFree2(sim->pseries, sim->presult));
  PetscCall(VecDestroy(&sim->snapshot));
  PetscCall(PetscFree(sim));
  *ps = NULL;
  PetscFunctionReturn(0);
}

/* ================================================================ evaluation ============= */

/* When values (over used frames) first reach fraction × the last value, linear between frames */
static PetscReal OnsetTime(PetscInt n, const PetscReal t[], const PetscReal v[], PetscReal fraction)
{
  const PetscReal target = fraction * v[n - 1];
  if (n < 2 || !(PetscAbsReal(v[n - 1]) > 0)) return NAN;
  for (PetscInt i = 0; i < n; ++i) {
    const PetscBool reached = v[n - 1] > 0 ? (v[i] >= target ? PETSC_TRUE : PETSC_FALSE) : (v[i] <= target ? PETSC_TRUE : PETSC_FALSE);
    if (!reached) continue;
    if (i == 0 || v[i] == v[i - 1]) return t[i];
    return t[i - 1] + (target - v[i - 1]) / (v[i] - v[i - 1]) * (t[i] - t[i - 1]);
  }
  return NAN;
}

static PetscReal Correlation(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  if (n < 2) return NAN;
  for (PetscInt i = 0; i < n; ++i) ma += a[i] / n, mb += b[i] / n;
  for (PetscInt i = 0; i < n; ++i) {
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
    sab += (a[i] - ma) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

static PetscReal RMSE(PetscInt n, const PetscReal a[], const PetscReal b[])
{
  double s = 0;
  if (!n) return NAN;
  for (PetscInt i = 0; i < n; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return sqrt(s / n);
}

/* Independent samples in the centre and periphery residual series (experiment a, c minus model
   b, d; n frames each): 2n, fewer when the residuals are correlated from frame to frame (a
   misfit that drifts rather than scatters): n (1 − ρ)/(1 + ρ) per series, ρ ≥ 0 the lag-one
   autocorrelation of both series' residuals pooled (the usual correction of a variance for
   serial correlation) */
static PetscReal EffectiveSamples(PetscInt n, const PetscReal a[], const PetscReal b[], const PetscReal c[], const PetscReal d[])
{
  double num = 0, den = 0, ma = 0, mc = 0, rho;
  if (n < 3) return 2 * n;
  for (PetscInt i = 0; i < n; ++i) ma += (a[i] - b[i]) / n, mc += (c[i] - d[i]) / n;
  for (PetscInt i = 0; i < n; ++i) {
    const double ra = a[i] - b[i] - ma, rc = c[i] - d[i] - mc;
    den += ra * ra + rc * rc;
    if (i > 0) num += ra * (a[i - 1] - b[i - 1] - ma) + rc * (c[i - 1] - d[i - 1] - mc);
  }
  rho = den > 0 ? PetscMax(0, PetscMin(0.95, num / den)) : 0;
  return 2 * n * (1 - rho) / (1 + rho);
}

typedef struct {
  Comparison     c;
  CompareSim     sim;
  PetscReal      sigma;
  PetscBool      series_only; /* the series and their misfit, not the maps */
  CompareResult *res;
} EvalCtx;

/* Adjoint of a projection: fine += Pᵀ v */
static void ProjectionAddTranspose(const OpticalProjection *P, const PetscReal v[], PetscReal fine[])
{
  for (PetscInt j = 0; j < P->rows * P->cols; ++j)
    if (v[j] != 0)
      for (PetscInt k = P->offsets[j]; k < P->offsets[j + 1]; ++k) fine[P->index[k]] += P->weight[k] * v[j];
}

/* A region's mean of the model per unit k in every frame, m_j = P(G*Δχ)_j / D_j averaged over
   the region's pixels (of one particle, or all: particle −1), from one blurred weight:
   Σ_{j∈R} m_j = ⟨G Pᵀ(1_R / D), Δχ⟩, G symmetric. out[f * stride]; v, work: window and fine
   scratch */
static PetscErrorCode BlurredRegionSeries(const Comparison c, CompareSim sim, const OpticalProjection *P, const PetscReal D[], PetscReal sigma_px, const unsigned char region[], PetscInt particle, PetscInt count, PetscReal v[], PetscReal work[], PetscReal out[], PetscInt stride)
{
  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < c->nwin; ++j) v[j] = region[j] && (particle < 0 || c->label[j] == particle) ? 1 / (D[j] * count) : 0;
  PetscCall(PetscArrayzero(work, sim->nfine));
  ProjectionAddTranspose(P, v, work);
  PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, sigma_px, work, work));
  for (PetscInt f = 0; f < c->nframes; ++f) {
    const PetscReal *d = &sim->fine[(size_t)f * sim->nfine];
    double           s = 0;
    if (!sim->have[f]) {
      out[f * stride] = NAN;
      continue;
    }
    for (PetscInt i = 0; i < sim->nfine; ++i) s += work[i] * d[i];
    out[f * stride] = s;
  }
  if (sim->have[c->reference] && c->t_sim[c->reference] > 0) { /* a reference after the current started */
    const PetscReal sref = out[c->reference * stride];
    for (PetscInt f = 0; f < c->nframes; ++f)
      if (sim->have[f]) out[f * stride] -= sref;
  }
  PetscFunctionReturn(0);
}

/* One frame's window values averaged over the inside, centre and periphery (all particles) */
static void RegionMeans(const Comparison c, const PetscReal values[], PetscReal mean[3])
{
  double s[3] = {0, 0, 0};
  for (PetscInt j = 0; j < c->nwin; ++j) {
    if (c->inside[j]) s[0] += values[j];
    if (c->centre[j]) s[1] += values[j];
    if (c->periphery[j]) s[2] += values[j];
  }
  mean[0] = s[0] / c->n_inside;
  mean[1] = s[1] / c->n_centre;
  mean[2] = s[2] / c->n_periphery;
}

/* One frame's window values averaged over every particle's inside, centre and periphery, into
   columns which, which + 2, which + 4 of its six per particle (0: experiment, 1: model) */
static void ParticleRegionMeans(const Comparison c, const PetscReal values[], PetscInt which, PetscReal ps[])
{
  for (PetscInt k = 0; k < c->np; ++k) ps[6 * k + which] = ps[6 * k + which + 2] = ps[6 * k + which + 4] = 0;
  for (PetscInt j = 0; j < c->nwin; ++j) {
    const PetscInt k = c->label[j];
    if (k < 0) continue;
    if (c->inside[j]) ps[6 * k + which] += values[j] / c->pn_inside[k];
    if (c->centre[j]) ps[6 * k + which + 2] += values[j] / c->pn_centre[k];
    if (c->periphery[j]) ps[6 * k + which + 4] += values[j] / c->pn_periphery[k];
  }
}


static PetscErrorCode EvaluateOnRankZero(void *ctx)
{
  EvalCtx          *e   = (EvalCtx *)ctx;
  const Comparison  c   = e->c;
  CompareSim        sim = e->sim;
  CompareResult    *res = e->res;
  const PetscInt    nwin = c->nwin, nf = c->nframes;
  const PetscBool   maps = !e->series_only || c->misfit == MISFIT_MAPS ? PETSC_TRUE : PETSC_FALSE;
  OpticalProjection P;
  PetscReal        *gchi, *pc, *D, *work, *m = NULL;
  PetscReal        *tu, *col[NSERIES];
  PetscInt          nu = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(res, sizeof(*res)));
  res->psf_sigma = e->sigma;
  if (!sim->model) PetscCall(PetscMalloc3((size_t)nf * nwin, &sim->model, (size_t)nf * NSERIES, &sim->series, nf, &sim->used));
  if (maps) m = sim->model;
  PetscCall(PetscMalloc4(sim->nfine, &gchi, nwin, &pc, nwin, &D, sim->nfine, &work));
  PetscCall(OpticalProjectionCreate(&c->fine, &c->frame, c->r0, c->c0, c->wr, c->wc, 3, &P));
  PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, e->sigma / c->fine.pixel_size, sim->coverage, gchi));
  PetscCall(OpticalProjectionApply(&P, gchi, pc));
  { /* β from the reference frame at this σ: ref ≈ a + slope P(G*χ) */
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, slope, a;
    for (PetscInt j = 0; j < nwin; ++j) {
      if (!c->valid[j]) continue;
      n += 1, sx += pc[j], sy += c->reference_window[j], sxx += pc[j] * pc[j], sxy += pc[j] * c->reference_window[j];
    }
    slope                 = (sxx - sx * sx / n) > 0 ? (sxy - sx * sy / n) / (sxx - sx * sx / n) : 0;
    a                     = (sy - slope * sx) / n;
    res->background_ratio = (a + slope) != 0 ? a / (a + slope) : 0;
  }
  for (PetscInt j = 0; j < nwin; ++j) D[j] = res->background_ratio + (1 - res->background_ratio) * pc[j];

  /* which frames the comparison uses */
  res->complete = PETSC_TRUE;
  for (PetscInt f = 0; f < nf; ++f) {
    const PetscReal t     = c->t_sim[f];
    const PetscBool wants = t >= c->window_t[0] && t <= c->window_t[1] && t <= c->t_planned * (1 + 1e-12) ? PETSC_TRUE : PETSC_FALSE;
    sim->used[f]          = wants && sim->have[f] ? PETSC_TRUE : PETSC_FALSE;
    if (wants && !sim->have[f]) res->complete = PETSC_FALSE;
  }
  {
    PetscInt nused = 0;
    for (PetscInt f = 0; f < nf; ++f)
      nused += sim->used[f] ? 1 : 0;
    PetscCheck(nused >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "only %" PetscInt_FMT " frame%s of the stack fall within the simulated run (run time 0 to %.6g s; frames at run times %.6g to %.6g s); check <experiment><current_start> and <metrics><window>", nused, nused == 1 ? "" : "s", (double)sim->t_end, (double)c->t_sim[0], (double)c->t_sim[nf - 1]);
  }
  /* the experiment's region means per frame */
  for (PetscInt f = 0; f < nf; ++f) {
    PetscReal s[3];
    RegionMeans(c, &c->contrast[(size_t)f * nwin], s);
    sim->series[f * NSERIES + S_EXP_MEAN]      = s[0];
    sim->series[f * NSERIES + S_EXP_CENTRE]    = s[1];
    sim->series[f * NSERIES + S_EXP_PERIPHERY] = s[2];
  }
  /* the model's region means per unit k, m_j = P(G*Δχ)_j / D_j */
  if (maps) { /* every pixel of every simulated frame (the maps are wanted) */
    for (PetscInt f = 0; f < nf; ++f) {
      if (!sim->have[f]) {
        for (PetscInt j = 0; j < nwin; ++j) m[(size_t)f * nwin + j] = NAN;
        continue;
      }
      PetscCall(OpticalBlur(c->fine.rows, c->fine.cols, e->sigma / c->fine.pixel_size, &sim->fine[(size_t)f * sim->nfine], work));
      PetscCall(OpticalProjectionApply(&P, work, &m[(size_t)f * nwin]));
      for (PetscInt j = 0; j < nwin; ++j) m[(size_t)f * nwin + j] /= D[j];
    }
    if (sim->have[c->reference] && c->t_sim[c->reference] > 0) { /* a reference after the current started: contrast against it (first order) */
      for (PetscInt f = 0; f < nf; ++f)
        if (f != c->reference && sim->have[f])
          for (PetscInt j = 0; j < nwin; ++j) m[(size_t)f * nwin + j] -= m[(size_t)c->reference * nwin + j];
      for (PetscInt j = 0; j < nwin; ++j) m[(size_t)c->reference * nwin + j] = 0;
    }
    for (PetscInt f = 0; f < nf; ++f) {
      const PetscReal *M = &m[(size_t)f * nwin];
      PetscReal        s[3];
      RegionMeans(c, M, s);
      sim->series[f * NSERIES + S_SIM_DELITH]    = s[0];
      sim->series[f * NSERIES + S_SIM_CENTRE]    = s[1];
      sim->series[f * NSERIES + S_SIM_PERIPHERY] = s[2];
      ParticleRegionMeans(c, M, 1, &sim->pseries[(size_t)f * c->np * 6]);
    }
  } else { /* the region means only: Σ_{j∈R} m_j = ⟨G Pᵀ(1_R / D), Δχ⟩ (G is symmetric), so three
              blurred weights replace a blur of every frame */
    const unsigned char *region[3] = {c->inside, c->centre, c->periphery};
    const PetscInt       count[3]  = {c->n_inside, c->n_centre, c->n_periphery};
    const PetscInt       which[3]  = {S_SIM_DELITH, S_SIM_CENTRE, S_SIM_PERIPHERY};
    PetscReal           *v;
    PetscCall(PetscMalloc1(nwin, &v));
    for (PetscInt r = 0; r < 3; ++r) PetscCall(BlurredRegionSeries(c, sim, &P, D, e->sigma / c->fine.pixel_size, region[r], -1, count[r], v, work, &sim->series[which[r]], NSERIES));
    for (PetscInt k = 0; k < c->np && c->np > 1; ++k) /* and every particle's: 3 blurred weights each */
      for (PetscInt r = 0; r < 3; ++r) PetscCall(BlurredRegionSeries(c, sim, &P, D, e->sigma / c->fine.pixel_size, region[r], k, r == 0 ? c->pn_inside[k] : r == 1 ? c->pn_centre[k] : c->pn_periphery[k], v, work, &sim->pseries[k * 6 + 2 * r + 1], c->np * 6));
    if (c->np == 1) /* the particle is the union */
      for (PetscInt f = 0; f < nf; ++f) {
        PetscReal *ps = &sim->pseries[(size_t)f * 6];
        ps[1]         = sim->series[f * NSERIES + S_SIM_DELITH];
        ps[3]         = sim->series[f * NSERIES + S_SIM_CENTRE];
        ps[5]         = sim->series[f * NSERIES + S_SIM_PERIPHERY];
      }
    PetscCall(PetscFree(v));
  }
  /* the experiment's region means per particle */
  for (PetscInt f = 0; f < nf; ++f) ParticleRegionMeans(c, &c->contrast[(size_t)f * nwin], 0, &sim->pseries[(size_t)f * c->np * 6]);
  /* calibration: k and an offset c0 minimise Σ (C̄ − k m̄ − c0)² over the used frames but the
     reference frame (whose contrast is 0 by construction). c0 absorbs the reference frame's own
     noise, which offsets every later frame's contrast alike. */
  {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, xlo = PETSC_MAX_REAL, xhi = -PETSC_MAX_REAL;
    for (PetscInt f = 0; f < nf; ++f)
      if (sim->used[f] && f != c->reference) {
        const double x = sim->series[f * NSERIES + S_SIM_DELITH], y = sim->series[f * NSERIES + S_EXP_MEAN];
        n += 1, sx += x, sy += y, sxx += x * x, sxy += x * y;
        xlo = PetscMin(xlo, x), xhi = PetscMax(xhi, x);
      }
    /* a delithiation that does not change (beyond round-off) over the frames calibrates nothing */
    PetscCheck(n >= 2 && sxx - sx * sx / n > 0 && xhi - xlo > 1e-9, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot calibrate the contrast factor k: the simulated particle does not delithiate during the compared frames (run time %.6g to %.6g s); check <experiment><current_start> or give <optics><contrast_factor>", (double)c->t_sim[0], (double)c->t_sim[nf - 1]);
    res->k      = c->k_given ? c->k : (sxy - sx * sy / n) / (sxx - sx * sx / n);
    res->offset = (sy - res->k * sx) / n;
  }
  { /* each region's own offset: the reference frame's noise shifts the contrast of a region in
       every frame alike; fitted as the mean difference over the frames but the reference */
    double   oc = 0, op = 0;
    PetscInt n  = 0;
    for (PetscInt f = 0; f < nf; ++f)
      if (sim->used[f] && f != c->reference) {
        oc += sim->series[f * NSERIES + S_EXP_CENTRE] - res->k * sim->series[f * NSERIES + S_SIM_CENTRE];
        op += sim->series[f * NSERIES + S_EXP_PERIPHERY] - res->k * sim->series[f * NSERIES + S_SIM_PERIPHERY];
        ++n;
      }
    res->offset_centre    = n ? oc / n : 0;
    res->offset_periphery = n ? op / n : 0;
  }
  for (PetscInt f = 0; f < nf; ++f) {
    const PetscBool ref = f == c->reference ? PETSC_TRUE : PETSC_FALSE;
    if (maps)
      for (PetscInt j = 0; j < nwin; ++j) m[(size_t)f * nwin + j] *= res->k;
    sim->series[f * NSERIES + S_SIM_MEAN]      = res->k * sim->series[f * NSERIES + S_SIM_DELITH] + (ref ? 0 : res->offset);
    sim->series[f * NSERIES + S_SIM_CENTRE]    = res->k * sim->series[f * NSERIES + S_SIM_CENTRE] + (ref ? 0 : res->offset_centre);
    sim->series[f * NSERIES + S_SIM_PERIPHERY] = res->k * sim->series[f * NSERIES + S_SIM_PERIPHERY] + (ref ? 0 : res->offset_periphery);
  }

  /* metrics over the used frames */
  PetscCall(PetscMalloc1(nf, &tu));
  for (PetscInt k = 0; k < NSERIES; ++k) PetscCall(PetscMalloc1(nf, &col[k]));
  for (PetscInt f = 0; f < nf; ++f) {
    if (!sim->used[f]) continue;
    tu[nu] = c->t_sim[f];
    for (PetscInt k = 0; k < NSERIES; ++k) col[k][nu] = sim->series[f * NSERIES + k];
    ++nu;
  }
  res->frames_used    = nu;
  res->rmse_mean      = RMSE(nu, col[S_EXP_MEAN], col[S_SIM_MEAN]);
  res->rmse_centre    = RMSE(nu, col[S_EXP_CENTRE], col[S_SIM_CENTRE]);
  res->rmse_periphery = RMSE(nu, col[S_EXP_PERIPHERY], col[S_SIM_PERIPHERY]);
  res->corr_centre    = Correlation(nu, col[S_EXP_CENTRE], col[S_SIM_CENTRE]);
  res->corr_periphery = Correlation(nu, col[S_EXP_PERIPHERY], col[S_SIM_PERIPHERY]);
  res->onset_exp[0]   = nu ? OnsetTime(nu, tu, col[S_EXP_CENTRE], c->onset_fraction) : NAN;
  res->onset_sim[0]   = nu ? OnsetTime(nu, tu, col[S_SIM_CENTRE], c->onset_fraction) : NAN;
  res->onset_exp[1]   = nu ? OnsetTime(nu, tu, col[S_EXP_PERIPHERY], c->onset_fraction) : NAN;
  res->onset_sim[1]   = nu ? OnsetTime(nu, tu, col[S_SIM_PERIPHERY], c->onset_fraction) : NAN;
  res->delay_exp      = res->onset_exp[0] - res->onset_exp[1];
  res->delay_sim      = res->onset_sim[0] - res->onset_sim[1];
  res->rmse_maps = NAN;
  if (maps) {
    double   s = 0;
    PetscInt n = 0;
    for (PetscInt f = 0; f < nf; ++f) {
      if (!sim->used[f]) continue;
      for (PetscInt j = 0; j < nwin; ++j)
        if (c->inside[j]) s += PetscSqr(c->contrast[(size_t)f * nwin + j] - m[(size_t)f * nwin + j] - (f == c->reference ? 0 : res->offset)), ++n;
    }
    res->rmse_maps = n ? sqrt(s / n) : NAN;
  }
  { /* residuals: the centre and periphery series are one sample per frame each; neighbouring
       pixels share the blur, so a map has about one independent sample per PSF area 4πσ² */
    const PetscReal psf_pixels = 4 * PETSC_PI * PetscSqr(e->sigma / c->pixel_size);
    res->samples = c->misfit == MISFIT_MAPS ? nu * PetscMax(1, c->n_inside / PetscMax(1, psf_pixels)) : EffectiveSamples(nu, col[S_EXP_CENTRE], col[S_SIM_CENTRE], col[S_EXP_PERIPHERY], col[S_SIM_PERIPHERY]);
  }
  res->misfit = c->misfit == MISFIT_MAPS ? res->rmse_maps : PetscSqrtReal(0.5 * (PetscSqr(res->rmse_centre) + PetscSqr(res->rmse_periphery)));
  { /* every particle on its own: k and offsets on its own means, as above for the union */
    PetscReal *ec, *sc, *ep, *sp, sum = 0;
    PetscCall(PetscMalloc4(nu, &ec, nu, &sc, nu, &ep, nu, &sp));
    for (PetscInt k = 0; k < c->np; ++k) {
      CompareParticleResult *pr = &sim->presult[k];
      double                 n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, oc = 0, op = 0;
      PetscInt               i = 0;
      for (PetscInt f = 0; f < nf; ++f)
        if (sim->used[f] && f != c->reference) {
          const PetscReal *ps = &sim->pseries[((size_t)f * c->np + k) * 6];
          n += 1, sx += ps[1], sy += ps[0], sxx += ps[1] * ps[1], sxy += ps[1] * ps[0];
        }
      pr->k = c->k_given ? c->k : (sxx - sx * sx / n > 0 ? (sxy - sx * sy / n) / (sxx - sx * sx / n) : NAN);
      for (PetscInt f = 0; f < nf; ++f)
        if (sim->used[f] && f != c->reference) {
          const PetscReal *ps = &sim->pseries[((size_t)f * c->np + k) * 6];
          oc += (ps[2] - pr->k * ps[3]) / n;
          op += (ps[4] - pr->k * ps[5]) / n;
        }
      for (PetscInt f = 0; f < nf; ++f) {
        const PetscReal *ps  = &sim->pseries[((size_t)f * c->np + k) * 6];
        const PetscBool  ref = f == c->reference ? PETSC_TRUE : PETSC_FALSE;
        if (!sim->used[f]) continue;
        ec[i] = ps[2];
        sc[i] = pr->k * ps[3] + (ref ? 0 : oc);
        ep[i] = ps[4];
        sp[i] = pr->k * ps[5] + (ref ? 0 : op);
        ++i;
      }
      pr->rmse_centre    = RMSE(nu, ec, sc);
      pr->rmse_periphery = RMSE(nu, ep, sp);
      pr->misfit         = PetscSqrtReal(0.5 * (PetscSqr(pr->rmse_centre) + PetscSqr(pr->rmse_periphery)));
      pr->delay_exp      = OnsetTime(nu, tu, ec, c->onset_fraction) - OnsetTime(nu, tu, ep, c->onset_fraction);
      pr->delay_sim      = OnsetTime(nu, tu, sc, c->onset_fraction) - OnsetTime(nu, tu, sp, c->onset_fraction);
      pr->samples          = EffectiveSamples(nu, ec, sc, ep, sp);
      pr->offset_centre    = oc;
      pr->offset_periphery = op;
      sum += PetscSqr(pr->misfit);
    }
    PetscCall(PetscFree4(ec, sc, ep, sp));
    if (c->np > 1 && c->misfit == MISFIT_SERIES) { /* a population: every particle with its own k */
      res->misfit  = PetscSqrtReal(sum / c->np);
      res->samples = 0;
      for (PetscInt k = 0; k < c->np; ++k) res->samples += sim->presult[k].samples;
    }
  }
  PetscCheck(nu >= 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "only %" PetscInt_FMT " frame%s of the stack fall within the simulated run (run time 0 to %.6g s; frames at run times %.6g to %.6g s); check <experiment><current_start> and <metrics><window>", nu, nu == 1 ? "" : "s", (double)sim->t_end, (double)c->t_sim[0], (double)c->t_sim[nf - 1]);
  PetscCall(PetscFree(tu));
  for (PetscInt k = 0; k < NSERIES; ++k) PetscCall(PetscFree(col[k]));
  PetscCall(OpticalProjectionDestroy(&P));
  PetscCall(PetscFree4(gchi, pc, D, work));
  PetscFunctionReturn(0);
}

static PetscErrorCode Evaluate(Comparison c, CompareSim sim, PetscReal psf_sigma, PetscBool series_only, CompareResult *res)
{
  EvalCtx e = {c, sim, psf_sigma, series_only, res};

  PetscFunctionBeginUser;
  PetscCall(CompareOnRankZero(sim->comm, EvaluateOnRankZero, &e));
  PetscCallMPI(MPI_Bcast(res, sizeof(*res), MPI_BYTE, 0, sim->comm));
  PetscCallMPI(MPI_Bcast(sim->presult, (PetscMPIInt)(c->np * sizeof(CompareParticleResult)), MPI_BYTE, 0, sim->comm));
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonEvaluate(Comparison c, CompareSim sim, PetscReal psf_sigma, CompareResult *res)
{
  PetscFunctionBeginUser;
  PetscCall(Evaluate(c, sim, psf_sigma, PETSC_FALSE, res));
  PetscFunctionReturn(0);
}

PetscErrorCode ComparisonEvaluateMisfit(Comparison c, CompareSim sim, PetscReal psf_sigma, CompareResult *res)
{
  PetscFunctionBeginUser;
  PetscCall(Evaluate(c, sim, psf_sigma, PETSC_TRUE, res));
  PetscFunctionReturn(0);
}

PetscErrorCode CompareResultView(const CompareResult *r, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "calibration: k = %.5g (contrast per unit delithiation), offset %.3g, PSF sigma %.4g um, background/particle %.4g; %" PetscInt_FMT " frames compared%s\n", (double)r->k, (double)r->offset, (double)r->psf_sigma, (double)r->background_ratio, r->frames_used, r->complete ? "" : " (the run ended before the last frames)"));
  PetscCall(PetscViewerASCIIPrintf(viewer, "centre:    RMSE %.4g, correlation %.5f; onset (%s) experiment %.4g s, simulation %.4g s\n", (double)r->rmse_centre, (double)r->corr_centre, "fraction of the final contrast", (double)r->onset_exp[0], (double)r->onset_sim[0]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "periphery: RMSE %.4g, correlation %.5f; onset experiment %.4g s, simulation %.4g s\n", (double)r->rmse_periphery, (double)r->corr_periphery, (double)r->onset_exp[1], (double)r->onset_sim[1]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "the centre lags the periphery by %.4g s in the experiment, %.4g s in the simulation; particle-mean RMSE %.4g, pixel RMSE %.4g; misfit %.6g\n", (double)r->delay_exp, (double)r->delay_sim, (double)r->rmse_mean, (double)r->rmse_maps, (double)r->misfit));
  PetscFunctionReturn(0);
}

/* ================================================================ outputs ================ */

typedef struct {
  Comparison           c;
  CompareSim           sim;
  const CompareResult *res;
  const char          *dir;
} WriteCtx;

static PetscErrorCode OpenTable(PostprocFiles files, const char dir[], const char name[], FileOut *f)
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", dir, name));
  PetscCall(PostprocFilesOpen(files, path, NULL, f));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteTablesOnRankZero(PostprocFiles files, void *ctx)
{
  WriteCtx            *w   = (WriteCtx *)ctx;
  const Comparison     c   = w->c;
  const CompareSim     sim = w->sim;
  const CompareResult *r   = w->res;
  FileOut              f;
  PetscReal           *pe, *ps;

  PetscFunctionBeginUser;
  PetscCall(OpenTable(files, w->dir, "compare_series.csv", &f));
  PetscCall(FileOutPrintf(f, "# spot compare: differential contrast (I - I_ref)/I_ref of '%s' (reference frame %d) and of the simulation seen through the same optics\n", c->stack_path, (int)c->reference));
  PetscCall(FileOutPrintf(f, "# k = %.8g, psf_sigma = %.6g um, background/particle = %.6g; regions: centre d >= %.6g um, periphery d <= %.6g um (d: distance to the surface)\n", (double)r->k, (double)r->psf_sigma, (double)r->background_ratio, (double)c->centre_threshold, (double)c->periphery_width));
  PetscCall(FileOutPrintf(f, "frame,t_exp_s,t_s,used,drift,sim_mean_theta"));
  for (PetscInt k = 0; k < NSERIES; ++k)
    PetscCall(FileOutPrintf(f, ",%s", SeriesNames[k]));
  PetscCall(FileOutPrintf(f, "\n"));
  for (PetscInt fr = 0; fr < c->nframes; ++fr) {
    PetscCall(FileOutPrintf(f, "%d,%.12g,%.12g,%d,%.8g,%.12g", (int)fr, (double)c->t_exp[fr], (double)c->t_sim[fr], sim->used[fr] ? 1 : 0, (double)c->drift[fr], sim->have[fr] ? (double)sim->mean_theta[fr] : NAN));
    for (PetscInt k = 0; k < NSERIES; ++k)
      PetscCall(FileOutPrintf(f, ",%.10g", (double)sim->series[fr * NSERIES + k]));
    PetscCall(FileOutPrintf(f, "\n"));
  }
  PetscCall(PostprocFilesComplete(files, f));

  PetscCall(OpenTable(files, w->dir, "compare_metrics.csv", &f));
  PetscCall(FileOutPrintf(f, "name,value,unit\n"));
  PetscCall(FileOutPrintf(f, "misfit,%.10g,contrast (%s)\n", (double)r->misfit, c->misfit == MISFIT_MAPS ? "pixel RMSE" : "RMSE of the centre and periphery series"));
  PetscCall(FileOutPrintf(f, "k,%.10g,contrast per unit delithiation (%s)\n", (double)r->k, c->k_given ? "given" : "calibrated"));
  PetscCall(FileOutPrintf(f, "offset,%.10g,contrast (particle mean; every frame but the reference: the reference frame's noise)\n", (double)r->offset));
  PetscCall(FileOutPrintf(f, "offset_centre,%.10g,contrast\n", (double)r->offset_centre));
  PetscCall(FileOutPrintf(f, "offset_periphery,%.10g,contrast\n", (double)r->offset_periphery));
  PetscCall(FileOutPrintf(f, "psf_sigma,%.10g,um\n", (double)r->psf_sigma));
  PetscCall(FileOutPrintf(f, "background_ratio,%.10g,1\n", (double)r->background_ratio));
  PetscCall(FileOutPrintf(f, "rmse_centre,%.10g,contrast\n", (double)r->rmse_centre));
  PetscCall(FileOutPrintf(f, "rmse_periphery,%.10g,contrast\n", (double)r->rmse_periphery));
  PetscCall(FileOutPrintf(f, "rmse_mean,%.10g,contrast\n", (double)r->rmse_mean));
  PetscCall(FileOutPrintf(f, "rmse_maps,%.10g,contrast\n", (double)r->rmse_maps));
  PetscCall(FileOutPrintf(f, "correlation_centre,%.10g,1\n", (double)r->corr_centre));
  PetscCall(FileOutPrintf(f, "correlation_periphery,%.10g,1\n", (double)r->corr_periphery));
  PetscCall(FileOutPrintf(f, "onset_fraction,%.10g,1\n", (double)c->onset_fraction));
  PetscCall(FileOutPrintf(f, "onset_centre_exp,%.10g,s\n", (double)r->onset_exp[0]));
  PetscCall(FileOutPrintf(f, "onset_centre_sim,%.10g,s\n", (double)r->onset_sim[0]));
  PetscCall(FileOutPrintf(f, "onset_periphery_exp,%.10g,s\n", (double)r->onset_exp[1]));
  PetscCall(FileOutPrintf(f, "onset_periphery_sim,%.10g,s\n", (double)r->onset_sim[1]));
  PetscCall(FileOutPrintf(f, "centre_delay_exp,%.10g,s\n", (double)r->delay_exp));
  PetscCall(FileOutPrintf(f, "centre_delay_sim,%.10g,s\n", (double)r->delay_sim));
  PetscCall(FileOutPrintf(f, "frames_used,%d,1\n", (int)r->frames_used));
  PetscCall(FileOutPrintf(f, "registration_centroid_col,%.10g,px\n", (double)c->centroid_px[0]));
  PetscCall(FileOutPrintf(f, "registration_centroid_row,%.10g,px\n", (double)c->centroid_px[1]));
  PetscCall(FileOutPrintf(f, "registration_rotation,%.10g,deg\n", (double)c->rotation_deg));
  PetscCall(FileOutPrintf(f, "registration_match,%.10g,R^2\n", (double)c->match));
  PetscCall(FileOutPrintf(f, "registration_scale,%.10g,1\n", (double)c->scale));
  PetscCall(FileOutPrintf(f, "registration_scale_best,%.10g,1\n", (double)c->scale_best));
  PetscCall(FileOutPrintf(f, "registration_scale_standard_error,%.4g,1\n", (double)c->scale_sigma));
  PetscCall(FileOutPrintf(f, "registration_a11,%.12g,1\nregistration_a12,%.12g,1\nregistration_a21,%.12g,1\nregistration_a22,%.12g,1\n", (double)c->frame.A[0], (double)c->frame.A[1], (double)c->frame.A[2], (double)c->frame.A[3]));
  PetscCall(FileOutPrintf(f, "registration_b1,%.12g,um\nregistration_b2,%.12g,um\n", (double)c->frame.b[0], (double)c->frame.b[1]));
  PetscCall(FileOutPrintf(f, "optical_pixel_size,%.10g,um\n", (double)c->pixel_size));
  PetscCall(FileOutPrintf(f, "centre_threshold,%.10g,um\nperiphery_width,%.10g,um\n", (double)c->centre_threshold, (double)c->periphery_width));
  PetscCall(PostprocFilesComplete(files, f));

  PetscCall(OpenTable(files, w->dir, "compare_profiles.csv", &f));
  PetscCall(FileOutPrintf(f, "# line profiles through the particle's centroid; direction in degrees from +x (image columns) towards +y (down the rows); position in um from the centroid\n"));
  PetscCall(FileOutPrintf(f, "direction_deg,frame,t_s,position_um,exp_contrast,sim_contrast\n"));
  {
    PetscInt nmax = 1;
    for (PetscInt d = 0; d < c->ndirections; ++d) nmax = PetscMax(nmax, c->nprofile[d]);
    PetscCall(PetscMalloc2(nmax, &pe, nmax, &ps));
  }
  for (PetscInt d = 0; d < c->ndirections; ++d)
    for (PetscInt fr = 0; fr < c->nframes; ++fr) {
      if (!sim->have[fr]) continue;
      PetscCall(ProfileSample(c, d, &c->contrast[(size_t)fr * c->nwin], pe));
      PetscCall(ProfileSample(c, d, &sim->model[(size_t)fr * c->nwin], ps));
      for (PetscInt i = 0; i < c->nprofile[d]; ++i)
        PetscCall(FileOutPrintf(f, "%.6g,%d,%.10g,%.6g,%.8g,%.8g\n", (double)c->directions[d], (int)fr, (double)c->t_sim[fr], (double)c->profile_s[d][i], (double)pe[i], (double)ps[i]));
    }
  PetscCall(PetscFree2(pe, ps));
  PetscCall(PostprocFilesComplete(files, f));
  if (c->np > 1) { /* every particle on its own */
    PetscCall(OpenTable(files, w->dir, "compare_particles.csv", &f));
    PetscCall(FileOutPrintf(f, "# spot compare: each particle of the population compared on its own (its own k and offsets; centre and periphery relative to its own largest depth); misfit = sqrt((rmse_centre^2 + rmse_periphery^2)/2), contrast units; shift: where the particle lies in the movie from where the frame's transform puts it, optical px (0 when not refined), registration_r2: the match of its own window there\n"));
    PetscCall(FileOutPrintf(f, "particle,area_um2,equivalent_diameter_um,centroid_x_um,centroid_y_um,pixels_inside,pixels_centre,pixels_periphery,k,misfit,rmse_centre,rmse_periphery,centre_delay_experiment_s,centre_delay_simulation_s,shift_col_px,shift_row_px,registration_r2\n"));
    for (PetscInt k = 0; k < c->np; ++k) {
      const CompareParticleResult *pr = &sim->presult[k];
      PetscCall(FileOutPrintf(f, "%d,%.6g,%.6g,%.6g,%.6g,%d,%d,%d,%.8g,%.8g,%.8g,%.8g,%.5g,%.5g,%.4f,%.4f,%.6g\n", (int)(k + 1), (double)c->p_area[k], (double)(2 * PetscSqrtReal(c->p_area[k] / PETSC_PI)), (double)c->p_centroid[2 * k], (double)c->p_centroid[2 * k + 1], (int)c->pn_inside[k], (int)c->pn_centre[k], (int)c->pn_periphery[k], (double)pr->k, (double)pr->misfit, (double)pr->rmse_centre, (double)pr->rmse_periphery, (double)pr->delay_exp, (double)pr->delay_sim, (double)c->p_shift[2 * k], (double)c->p_shift[2 * k + 1], (double)(c->refine ? c->p_match[k] : NAN)));
    }
    PetscCall(PostprocFilesComplete(files, f));
    PetscCall(OpenTable(files, w->dir, "compare_particles_series.csv", &f));
    PetscCall(FileOutPrintf(f, "# spot compare: every particle's differential contrast series (I - I_ref)/I_ref, experiment and simulation (its own k and offsets), in the frames compared\n"));
    PetscCall(FileOutPrintf(f, "frame,t_experiment_s,t_run_s,particle,exp_mean_contrast,exp_centre_contrast,sim_centre_contrast,exp_periphery_contrast,sim_periphery_contrast\n"));
    for (PetscInt fr = 0; fr < c->nframes; ++fr) {
      if (!sim->used[fr]) continue;
      for (PetscInt k = 0; k < c->np; ++k) {
        const PetscReal             *ps  = &sim->pseries[((size_t)fr * c->np + k) * 6];
        const CompareParticleResult *pr  = &sim->presult[k];
        const PetscBool              ref = fr == c->reference ? PETSC_TRUE : PETSC_FALSE;
        PetscCall(FileOutPrintf(f, "%d,%.10g,%.10g,%d,%.10g,%.10g,%.10g,%.10g,%.10g\n", (int)fr, (double)c->t_exp[fr], (double)c->t_sim[fr], (int)(k + 1), (double)ps[0], (double)ps[2], (double)(pr->k * ps[3] + (ref ? 0 : pr->offset_centre)), (double)ps[4], (double)(pr->k * ps[5] + (ref ? 0 : pr->offset_periphery))));
      }
    }
    PetscCall(PostprocFilesComplete(files, f));
  }
  PetscFunctionReturn(0);
}

/* samplers: maps (µm from the particle's optical centroid, y up) and kymographs (t min, s µm) */
typedef struct {
  Comparison       c;
  const PetscReal *window;
} WindowSampleCtx;

static PetscReal WindowSample(void *ctx, PetscReal x, PetscReal y)
{
  const WindowSampleCtx *w = (const WindowSampleCtx *)ctx;
  const Comparison       c = w->c;
  const PetscReal        u = (c->centroid_px[0] + 0.5) * c->pixel_size + x, v = (c->centroid_px[1] + 0.5) * c->pixel_size - y;
  const PetscInt         q = (PetscInt)PetscFloorReal(u / c->pixel_size) - c->c0, r = (PetscInt)PetscFloorReal(v / c->pixel_size) - c->r0;
  if (q < 0 || r < 0 || q >= c->wc || r >= c->wr) return NAN;
  return w->window[r * c->wc + q];
}

typedef struct {
  Comparison c;
  CompareSim sim;
  PetscInt   direction;
  PetscReal *values; /* [nframes * nprofile] */
} KymoCtx;

static PetscReal KymoSample(void *ctx, PetscReal tmin, PetscReal s)
{
  const KymoCtx   *k = (const KymoCtx *)ctx;
  const Comparison c = k->c;
  const PetscInt   d = k->direction, n = c->nprofile[d];
  const PetscReal  t = 60 * tmin, h = 0.5 * c->pixel_size;
  PetscInt         best = -1, i;
  PetscReal        dist = PETSC_MAX_REAL;
  for (PetscInt f = 0; f < c->nframes; ++f) { /* the nearest frame in the comparison */
    if (!k->sim->used[f]) continue;
    if (PetscAbsReal(c->t_sim[f] - t) < dist) dist = PetscAbsReal(c->t_sim[f] - t), best = f;
  }
  if (best < 0 || n == 0) return NAN;
  i = (PetscInt)PetscFloorReal((s - c->profile_s[d][0]) / h + 0.5);
  if (i < 0 || i >= n || PetscAbsReal(c->profile_s[d][i] - s) > h) return NAN;
  return k->values[best * n + i];
}

static PetscErrorCode ColourRange(const Comparison c, const CompareSim sim, PetscInt nf, const PetscInt frames[], PetscReal range[2])
{
  PetscReal *v;
  PetscInt   n = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(2 * nf * c->nwin + 1, &v));
  for (PetscInt k = 0; k < nf; ++k)
    for (PetscInt j = 0; j < c->nwin; ++j) {
      if (!c->inside[j]) continue;
      v[n++] = c->contrast[(size_t)frames[k] * c->nwin + j];
      v[n++] = sim->model[(size_t)frames[k] * c->nwin + j];
    }
  if (n) {
    PetscCall(PetscSortReal(n, v));
    range[0] = PetscMin(0, v[(PetscInt)(0.005 * (n - 1))]);
    range[1] = v[(PetscInt)(0.995 * (n - 1))];
  } else range[0] = 0, range[1] = 1;
  if (!(range[1] > range[0] + 1e-9)) range[1] = range[0] + 1e-3;
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

static void FormatMinutes(PetscReal t, char buf[], size_t len)
{
  snprintf(buf, len, "%.3g min", (double)(t / 60));
}

/* The tables and figures into files (published by the caller with its other outputs) */
PetscErrorCode ComparisonWrite(Comparison c, CompareSim sim, const CompareResult *res, const char dir[], PostprocFiles files)
{
  WriteCtx w = {c, sim, res, dir};
  PetscInt frames[COMPARE_MAX_FIGURE_TIMES], nshow = 0;
  PetscInt nused = 0, first_used = -1, last_used = -1;
  char     path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(files, sim->comm, PETSC_ERR_ARG_NULL, "ComparisonWrite needs the set of output files");
  PetscCall(PostprocWrite(sim->comm, files, WriteTablesOnRankZero, &w));
  if (sim->rank == 0)
    for (PetscInt f = 0; f < c->nframes; ++f)
      if (sim->used[f]) {
        ++nused;
        if (first_used < 0) first_used = f;
        last_used = f;
      }
  PetscCallMPI(MPI_Bcast(&nused, 1, MPIU_INT, 0, sim->comm));
  PetscCallMPI(MPI_Bcast(&first_used, 1, MPIU_INT, 0, sim->comm));
  PetscCallMPI(MPI_Bcast(&last_used, 1, MPIU_INT, 0, sim->comm));
  if (!nused) PetscFunctionReturn(0);
  { /* the frames shown: nearest to the figure times, else four spread over the compared frames */
    PetscReal want[COMPARE_MAX_FIGURE_TIMES];
    PetscInt  nwant = c->nfigure_times;
    if (nwant) PetscCall(PetscArraycpy(want, c->figure_times, nwant));
    else {
      nwant = 4;
      for (PetscInt k = 0; k < 4; ++k) want[k] = c->t_sim[first_used] + (k + 1) / 4.0 * (c->t_sim[last_used] - c->t_sim[first_used]);
    }
    for (PetscInt k = 0; k < nwant; ++k) {
      PetscInt  best = -1;
      PetscReal dist = PETSC_MAX_REAL;
      for (PetscInt f = first_used; f <= last_used; ++f)
        if (PetscAbsReal(c->t_sim[f] - want[k]) < dist) dist = PetscAbsReal(c->t_sim[f] - want[k]), best = f;
      if (best >= 0 && (!nshow || frames[nshow - 1] != best)) frames[nshow++] = best;
    }
  }

  { /* maps side by side, one colour scale */
    PlotFigure      fig;
    MapsPanel       panels[2 * COMPARE_MAX_FIGURE_TIMES + 1];
    WindowSampleCtx sctx[2 * COMPARE_MAX_FIGURE_TIMES];
    PetscReal       range[2] = {0, 1};
    const PetscReal half_w = 0.5 * c->wc * c->pixel_size, half_h = 0.5 * c->wr * c->pixel_size;
    const PetscReal cw = 0.9 / nshow;
    if (sim->rank == 0) PetscCall(ColourRange(c, sim, nshow, frames, range));
    PetscCallMPI(MPI_Bcast(range, 2, MPIU_REAL, 0, sim->comm));
    PetscCall(PlotFigureCreate(sim->comm, 360 * nshow + 170, 760, &fig));
    PetscCall(PlotFigureSetOutputFiles(fig, files));
    PetscCall(PlotFigureSetFontScale(fig, 2));
    PetscCall(PetscMemzero(panels, sizeof(panels)));
    for (PetscInt k = 0; k < nshow; ++k)
      for (PetscInt row = 0; row < 2; ++row) {
        MapsPanel *p = &panels[2 * k + row];
        char       title[96], when[32];
        FormatMinutes(c->t_sim[frames[k]], when, sizeof(when));
        PetscCall(PetscSNPrintf(title, sizeof(title), "%s, t = %s", row ? "simulation" : "experiment", when));
        p->box[0] = k * cw;
        p->box[1] = row ? 0.5 : 0.02;
        p->box[2] = (k + 1) * cw;
        p->box[3] = row ? 0.96 : 0.48;
        PetscCall(PlotFigureAddAxes(fig, p->box[0], p->box[1], p->box[2], p->box[3], &p->ax));
        PetscCall(PlotAxesSetLabels(p->ax, title, "x (µm)", "y (µm)"));
        PetscCall(PlotAxesSetXLimits(p->ax, -half_w, half_w));
        PetscCall(PlotAxesSetYLimits(p->ax, -half_h, half_h));
        sctx[2 * k + row].c      = c;
        sctx[2 * k + row].window = sim->rank == 0 ? (row ? &sim->model[(size_t)frames[k] * c->nwin] : &c->contrast[(size_t)frames[k] * c->nwin]) : NULL;
        p->sample                = WindowSample;
        p->ctx                   = &sctx[2 * k + row];
        p->lo                    = range[0];
        p->hi                    = range[1];
        p->equal_aspect          = PETSC_TRUE;
      }
    {
      MapsPanel *p = &panels[2 * nshow];
      p->box[0] = 0.9, p->box[1] = 0.02, p->box[2] = 1.0, p->box[3] = 0.96;
      PetscCall(PlotFigureAddAxes(fig, p->box[0], p->box[1], p->box[2], p->box[3], &p->ax));
      PetscCall(PlotAxesSetLabels(p->ax, "contrast", "", ""));
      PetscCall(PlotAxesSetXLimits(p->ax, 0, 1));
      PetscCall(PlotAxesSetYLimits(p->ax, range[0], range[1]));
      p->lo = range[0], p->hi = range[1], p->colorbar = PETSC_TRUE;
    }
    PetscCall(PlotFigureAddText(fig, 0.01, 0.975, "differential contrast (I − I_ref)/I_ref; x, y: µm from the particle's centroid (y up, as displayed)", PlotColorRGB(80, 80, 80)));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/compare_maps.png", dir));
    PetscCall(MapsFigureWrite(sim->comm, fig, 2 * nshow + 1, panels, path));
    PetscCall(PlotFigureDestroy(&fig));
  }

  { /* centre and periphery against time */
    PlotFigure fig;
    PlotAxes   ax[2];
    PetscReal *t = NULL, *v[NSERIES];
    PetscInt   n = nused;
    char       title[160];
    PetscCall(PetscMalloc1(n, &t));
    for (PetscInt k = 0; k < NSERIES; ++k) PetscCall(PetscMalloc1(n, &v[k]));
    if (sim->rank == 0) {
      PetscInt i = 0;
      for (PetscInt f = 0; f < c->nframes; ++f) {
        if (!sim->used[f]) continue;
        t[i] = c->t_sim[f] / 60;
        for (PetscInt k = 0; k < NSERIES; ++k) v[k][i] = sim->series[f * NSERIES + k];
        ++i;
      }
    }
    PetscCallMPI(MPI_Bcast(t, (PetscMPIInt)n, MPIU_REAL, 0, sim->comm));
    for (PetscInt k = 0; k < NSERIES; ++k) PetscCallMPI(MPI_Bcast(v[k], (PetscMPIInt)n, MPIU_REAL, 0, sim->comm));
    PetscCall(PlotFigureCreate(sim->comm, 1300, 560, &fig));
    PetscCall(PlotFigureSetOutputFiles(fig, files));
    PetscCall(PlotFigureSetFontScale(fig, 2));
    PetscCall(PlotFigureAddAxes(fig, 0, 0, 0.55, 1, &ax[0]));
    PetscCall(PetscSNPrintf(title, sizeof(title), "centre and periphery (RMSE: centre %.3g, periphery %.3g)", (double)res->rmse_centre, (double)res->rmse_periphery));
    PetscCall(PlotAxesSetLabels(ax[0], title, "t (min)", "differential contrast ΔI/I_ref (1)"));
    PetscCall(PlotAxesAddSeries(ax[0], n, t, v[S_EXP_PERIPHERY], PlotColorCycle(1), 0, PLOT_MARKER_OPEN_CIRCLE, 7, "periphery, experiment"));
    PetscCall(PlotAxesAddSeries(ax[0], n, t, v[S_SIM_PERIPHERY], PlotColorCycle(1), 2.5, PLOT_MARKER_NONE, 0, "periphery, simulation"));
    PetscCall(PlotAxesAddSeries(ax[0], n, t, v[S_EXP_CENTRE], PlotColorCycle(0), 0, PLOT_MARKER_OPEN_CIRCLE, 7, "centre, experiment"));
    PetscCall(PlotAxesAddSeries(ax[0], n, t, v[S_SIM_CENTRE], PlotColorCycle(0), 2.5, PLOT_MARKER_NONE, 0, "centre, simulation"));
    PetscCall(PlotAxesSetLegend(ax[0], PLOT_LEGEND_UPPER_LEFT));
    PetscCall(PlotFigureAddAxes(fig, 0.55, 0, 1, 1, &ax[1]));
    PetscCall(PetscSNPrintf(title, sizeof(title), "particle mean (RMSE %.3g; k = %.3g)", (double)res->rmse_mean, (double)res->k));
    PetscCall(PlotAxesSetLabels(ax[1], title, "t (min)", "differential contrast ΔI/I_ref (1)"));
    PetscCall(PlotAxesAddSeries(ax[1], n, t, v[S_EXP_MEAN], PlotColorCycle(2), 0, PLOT_MARKER_OPEN_CIRCLE, 7, "experiment"));
    PetscCall(PlotAxesAddSeries(ax[1], n, t, v[S_SIM_MEAN], PlotColorCycle(2), 2.5, PLOT_MARKER_NONE, 0, "simulation"));
    PetscCall(PlotAxesSetLegend(ax[1], PLOT_LEGEND_UPPER_LEFT));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/compare_series.png", dir));
    PetscCall(PlotFigureWritePNG(fig, path));
    PetscCall(PlotFigureDestroy(&fig));
    PetscCall(PetscFree(t));
    for (PetscInt k = 0; k < NSERIES; ++k) PetscCall(PetscFree(v[k]));
  }

  { /* kymographs: the line profiles against time, experiment and simulation */
    PlotFigure fig;
    MapsPanel  panels[2 * COMPARE_MAX_DIRECTIONS + 1];
    KymoCtx    kctx[2 * COMPARE_MAX_DIRECTIONS];
    PetscReal  range[2] = {0, 1};
    const PetscInt nd = c->ndirections;
    if (sim->rank == 0) PetscCall(ColourRange(c, sim, 1, &last_used, range));
    PetscCallMPI(MPI_Bcast(range, 2, MPIU_REAL, 0, sim->comm));
    PetscCall(PlotFigureCreate(sim->comm, 1300, 330 * nd + 40, &fig));
    PetscCall(PlotFigureSetOutputFiles(fig, files));
    PetscCall(PlotFigureSetFontScale(fig, 2));
    PetscCall(PetscMemzero(panels, sizeof(panels)));
    PetscCall(PetscMemzero(kctx, sizeof(kctx)));
    for (PetscInt d = 0; d < nd; ++d)
      for (PetscInt e = 0; e < 2; ++e) {
        MapsPanel *p = &panels[2 * d + e];
        KymoCtx   *k = &kctx[2 * d + e];
        char       title[96];
        const PetscInt n = c->nprofile[d];
        p->box[0] = e * 0.43;
        p->box[1] = (PetscReal)d / nd + 0.01;
        p->box[2] = (e + 1) * 0.43;
        p->box[3] = (PetscReal)(d + 1) / nd - 0.01;
        PetscCall(PlotFigureAddAxes(fig, p->box[0], p->box[1], p->box[2], p->box[3], &p->ax));
        PetscCall(PetscSNPrintf(title, sizeof(title), "%s, profile at %.6g deg", e ? "simulation" : "experiment", (double)c->directions[d]));
        PetscCall(PlotAxesSetLabels(p->ax, title, "t (min)", "position (µm)"));
        PetscCall(PlotAxesSetXLimits(p->ax, c->t_sim[first_used] / 60, c->t_sim[last_used] / 60 + (first_used == last_used ? 1 : 0)));
        if (n > 1) PetscCall(PlotAxesSetYLimits(p->ax, c->profile_s[d][0], c->profile_s[d][n - 1]));
        k->c         = c;
        k->sim       = sim;
        k->direction = d;
        if (sim->rank == 0) {
          PetscCall(PetscMalloc1((size_t)c->nframes * n + 1, &k->values));
          for (PetscInt f = 0; f < c->nframes; ++f)
            if (sim->have[f]) PetscCall(ProfileSample(c, d, e ? &sim->model[(size_t)f * c->nwin] : &c->contrast[(size_t)f * c->nwin], &k->values[f * n]));
        }
        p->sample = KymoSample;
        p->ctx    = k;
        p->lo     = range[0];
        p->hi     = range[1];
      }
    {
      MapsPanel *p = &panels[2 * nd];
      p->box[0] = 0.86, p->box[1] = 0.01, p->box[2] = 1.0, p->box[3] = 0.99;
      PetscCall(PlotFigureAddAxes(fig, p->box[0], p->box[1], p->box[2], p->box[3], &p->ax));
      PetscCall(PlotAxesSetLabels(p->ax, "contrast", "", ""));
      PetscCall(PlotAxesSetXLimits(p->ax, 0, 1));
      PetscCall(PlotAxesSetYLimits(p->ax, range[0], range[1]));
      p->lo = range[0], p->hi = range[1], p->colorbar = PETSC_TRUE;
    }
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/compare_kymographs.png", dir));
    PetscCall(MapsFigureWrite(sim->comm, fig, 2 * nd + 1, panels, path));
    PetscCall(PlotFigureDestroy(&fig));
    for (PetscInt k = 0; k < 2 * nd; ++k) PetscCall(PetscFree(kctx[k].values));
  }
  PetscFunctionReturn(0);
}

/* ================================================================ spot compare =========== */

/* The chain with its outputs in files, published by the caller */
static PetscErrorCode CompareInDirectory(MPI_Comm comm, const char dir[], PetscViewer viewer, PostprocFiles files, CompareResult *res)
{
  Comparison     cmp = NULL;
  Simulation     sim = NULL;
  Solver         solver;
  CompareSim     cs = NULL;
  PetscLogDouble t0, t1;
  PetscBool      made;

  PetscFunctionBeginUser;
  PetscCall(ComparisonCreate(comm, &cmp));
  PetscCall(PostprocMeshGenerated(&made));
  PetscCall(SimulationCreate(comm, dir, viewer, &sim));
  if (made) PetscCall(PostprocFilesAdoptMesh(files, dir, NULL, 0)); /* an output of the set from now on */
  PetscCall(ComparisonSetUp(cmp, sim, 0, viewer));
  PetscCall(SimulationGetSolver(sim, &solver));
  PetscCall(CompareSimCreate(cmp, solver, &cs));
  PetscCall(SolverAddMonitor(solver, CompareSimMonitor, cs));
  PetscCall(PetscTime(&t0));
  PetscCall(SimulationRun(sim));
  PetscCall(PetscTime(&t1));
  if (viewer) PetscCall(PetscViewerASCIIPrintf(viewer, "simulation: run to t = %.6g s in %.3g s wall\n", (double)cs->t_end, (double)(t1 - t0)));
  PetscCall(ComparisonEvaluate(cmp, cs, cmp->psf_sigma, res));
  PetscCall(ComparisonWrite(cmp, cs, res, dir, files));
  if (viewer) PetscCall(CompareResultView(res, viewer));
  PetscCall(CompareSimDestroy(&cs));
  PetscCall(SimulationDestroy(&sim));
  PetscCall(ComparisonDestroy(&cmp));
  PetscFunctionReturn(0);
}

/* The tables, the figures and the mesh spot made: all or nothing */
PetscErrorCode CompareRun(MPI_Comm comm, const char dir[], PetscViewer viewer, CompareResult *res)
{
  PostprocFiles  files;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesCreate(comm, &files));
  PetscCall(PostprocMeshRemoveOnSignal(dir, PETSC_TRUE)); /* while it is made */
  ierr = CompareInDirectory(comm, dir, viewer, files, res);
  if (!ierr) ierr = PostprocFilesPublish(files);
  PetscCall(PostprocFilesDestroy(&files)); /* after a failure: none of them */
  PetscCall(PostprocMeshRemoveOnSignal(dir, PETSC_FALSE));
  PetscCall(ierr);
  if (viewer) PetscCall(PetscViewerASCIIPrintf(viewer, "outputs: %s/compare_series.csv, compare_metrics.csv, compare_profiles.csv, compare_maps.png, compare_series.png, compare_kymographs.png\n", dir));
  PetscFunctionReturn(0);
}
