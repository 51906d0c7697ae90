/* compare: a run beside an operando optical movie of the same particle (DESIGN.md §6).

   Raster (postproc/raster.c)   θ of a run sampled on a pixel grid of the mesh's image frame, in
                                parallel (each rank its own cells; the image is reduced on rank 0).
   Maps (postproc/maps*.c)      PNG maps of θ or 1 − θ for spot run, with a colour bar, at the
                                output times; also the drawing of image panels in figures.
   Optics (postproc/compare_optics.c)  what a microscope makes of θ: a fine raster of the particle
                                blurred by a Gaussian point-spread function, integrated over the
                                camera pixels of a (registered, possibly rotated) optical frame.
   Synth (postproc/synth.c)     spot synth: a run turned into an optical-like image stack.
   Comparison (postproc/compare*.c)  spot compare: the differential contrast of a stack, registered
                                to the simulation, calibrated, and compared by regions, line
                                profiles and onset times; CSV and figures.
   Fit (postproc/fit.c)         spot fit: the diffusivity scale α (and optionally the PSF σ) that
                                minimises the comparison's misfit, candidates on sub-communicators.

   Frames (mesh.h): the mesh frame is the image frame of the SEM image the mesh came from (µm,
   y down). The optical frame of a movie is its own image frame: u = ((c + ½) p_o, (r + ½) p_o) µm
   for pixel (r, c), p_o its pixel size. A registration maps it into the mesh frame:
   x = A u + b. */
#ifndef SPOT_COMPARE_H
#define SPOT_COMPARE_H

#include "postproc/postproc.h"
#include "postproc/plot.h"

/* ---------------------------------------------------------------- Raster ---------------- */
typedef struct {
  PetscInt  rows, cols;
  PetscReal pixel_size;  /* µm */
  PetscReal origin[2];   /* µm: the top-left corner of pixel (0, 0) in the mesh frame */
  PetscReal z;           /* 3-D meshes: the plane sampled, µm */
  PetscInt  supersample; /* odd s: θ and the coverage use s × s points per pixel (1: the centre) */
} RasterGrid;

typedef struct {
  PetscReal mean, centre, periphery;             /* means over the masked pixels / the regions */
  PetscInt  pixels, centre_pixels, periphery_pixels;
} RasterRegions;

typedef struct _p_Raster *Raster;

/* A grid around the particle's bounding box (info->lower/upper) plus margin (µm); snap puts the
   pixel edges on multiples of the pixel size (the pixels of the source image) */
PetscErrorCode RasterGridAround(const MeshInfo *info, PetscReal pixel_size, PetscReal margin, PetscBool snap, PetscInt supersample, RasterGrid *grid);
PetscErrorCode RasterCreate(DM dm, const RasterGrid *grid, Raster *raster);                       /* collective */
PetscErrorCode RasterGetGrid(Raster raster, const RasterGrid **grid);
PetscErrorCode RasterGetMask(Raster raster, const unsigned char **mask, const PetscReal **coverage); /* every rank */
PetscErrorCode RasterEvaluate(Raster raster, Vec theta, PetscReal image[]);                        /* collective; image on rank 0, NaN where no sample point is inside */
PetscErrorCode RasterComputeDistance(Raster raster);                                                /* collective */
PetscErrorCode RasterGetDistance(Raster raster, const PetscReal **distance);                       /* pixel centre to the active surface, -1 outside */
PetscErrorCode RasterRegionMeans(Raster raster, PetscReal centre_threshold, PetscReal periphery_width, const PetscReal image[], RasterRegions *means);
PetscErrorCode RasterDestroy(Raster *raster);

/* ---------------------------------------------------------------- Maps ------------------ */
/* spot run's PNG maps (-out_maps true): at -out_map_times (default -out_times, else each step's
   end), θ (-out_map_quantity theta) or the delithiation 1 − θ (delithiation) on the image grid:
   pixel size -out_map_pixel_size, else the -mesh_image_pixel_size of an image mesh, else about
   300 pixels across the particle. One colour scale for all maps (-out_map_range lo,hi, else the
   range of all maps). Writes <quantity>_map_<i>_t<t>s.png, <quantity>_maps.tif (32-bit float,
   NaN outside the particle, one page per time) and <quantity>_maps.csv, in MapsFinish. */
typedef struct _p_Maps *Maps;

PetscErrorCode MapsCreate(Solver s, const char directory[], Maps *maps);
PetscErrorCode MapsMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode MapsFinish(Maps maps);
PetscErrorCode MapsDiscard(Maps maps);
PetscErrorCode MapsDestroy(Maps *maps);

/* Image panels in plot figures: an axes whose plot area is painted from a sampler (data x, y →
   value, NaN for none) with one colour scale; a colour-bar panel paints lo..hi upwards and hides
   its x ticks. MapsFigureWrite renders on rank 0, paints, writes the PNG; collective.
   CompareOnRankZero runs fn(ctx) on rank 0 only, with its errors captured, and then fails on
   every rank with the same one-line message if it failed. */
typedef PetscReal (*MapsSampler)(void *ctx, PetscReal x, PetscReal y);
typedef struct {
  PlotAxes    ax;
  PetscReal   box[4]; /* the axes box given to PlotFigureAddAxes */
  MapsSampler sample;
  void       *ctx;
  PetscReal   lo, hi;
  PetscBool   equal_aspect, colorbar;
} MapsPanel;

void           MapsColor(PetscReal v, PetscReal lo, PetscReal hi, unsigned char rgb[3]);
PetscErrorCode CompareOnRankZero(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx);
PetscErrorCode MapsFigureWrite(MPI_Comm comm, PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[]); /* comm: the figure's */

/* ---------------------------------------------------------------- Optics ---------------- */
typedef struct {
  PetscReal pixel_size; /* µm per optical pixel */
  PetscReal A[4], b[2]; /* mesh x = A u + b (A row-major), u the optical image frame, µm */
} OpticalFrame;

/* The camera pixels of a window (rows r0.., cols c0..) of an optical frame as weighted sums of a
   fine mesh-frame grid: each pixel averages sub × sub points, each bilinear in the fine grid
   (zero outside it). */
typedef struct {
  PetscInt   r0, c0, rows, cols;
  PetscInt  *offsets, *index;
  PetscReal *weight;
} OpticalProjection;

PetscErrorCode OpticalFrameRigid(PetscReal pixel_size, PetscReal rotation_deg, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *frame);
PetscErrorCode OpticalFrameToOptical(const OpticalFrame *frame, const PetscReal x[2], PetscReal u[2]);
PetscErrorCode OpticalFrameToMesh(const OpticalFrame *frame, const PetscReal u[2], PetscReal x[2]);
PetscErrorCode OpticalFrameRotation(const OpticalFrame *frame, PetscReal *rotation_deg, PetscReal *scale);
/* The window of an optical frame (rows x cols) seen by a fine grid, plus margin pixels, clipped */
PetscErrorCode OpticalWindow(const RasterGrid *fine, const OpticalFrame *frame, PetscInt rows, PetscInt cols, PetscInt margin, PetscInt *r0, PetscInt *c0, PetscInt *wr, PetscInt *wc);
PetscErrorCode OpticalProjectionCreate(const RasterGrid *fine, const OpticalFrame *frame, PetscInt r0, PetscInt c0, PetscInt rows, PetscInt cols, PetscInt sub, OpticalProjection *P);
PetscErrorCode OpticalProjectionApply(const OpticalProjection *P, const PetscReal fine[], PetscReal out[]);
PetscErrorCode OpticalProjectionDestroy(OpticalProjection *P);
/* Gaussian blur of standard deviation sigma (pixels), zero outside the image; in == out allowed */
PetscErrorCode OpticalBlur(PetscInt rows, PetscInt cols, PetscReal sigma, const PetscReal in[], PetscReal out[]);
/* The fine grid for an optical pixel size and the largest PSF σ: pixels of p_o/3 (coarser for
   very large particles) over the particle plus 4σ + 2 p_o; supersampling 3 */
PetscErrorCode OpticalFineGrid(const MeshInfo *info, PetscReal optical_pixel, PetscReal sigma_max, RasterGrid *fine);
/* Is x inside the polygon of 2-D boundary facets (segments, nfacets × 4 numbers)? crossing number */
PetscBool OpticalInside(PetscInt nfacets, const PetscReal facets[], const PetscReal x[2]);

/* ---------------------------------------------------------------- Synth ----------------- */
typedef struct {
  PetscInt     frames, rows, cols, bits;
  PetscReal    pixel_size, psf_sigma, k, noise, drift, intensity, background, theta0;
  PetscReal    rotation_deg, shift[2];  /* px (col, row) */
  PetscReal    centroid_px[2];          /* where the particle's centroid lies: (col, row), pixel-centre units */
  OpticalFrame frame;
  PetscReal    t_first, t_last;         /* simulation times of the first and last frame, s */
} SynthReport;

/* spot synth: the run of the options database made into an optical stack. Options -synth_...:
   output (movie.tif), timestamps (default <output>_timestamps.csv), pixel_size (µm, default
   0.1), frame_interval (s, default 30) or frame_times (list), time_offset (the timestamp of the
   run's t = 0, default 0), psf_sigma (µm, 0.3), k (0.6), intensity I0 (0.35), background (0.15),
   noise (standard deviation / I0, 0.02), drift (fraction per hour, 0), shift (col,row px, 0,0),
   rotation (deg, 0), size (rows,cols; default: the particle and 60 % more), bits (16 or 32),
   seed (1). Collective. */
PetscErrorCode SynthRun(MPI_Comm comm, const char workdir[], PetscViewer viewer, SynthReport *report);

/* ---------------------------------------------------------------- Comparison ------------ */
typedef struct _p_Comparison *Comparison;
typedef struct _p_CompareSim *CompareSim;

typedef struct {
  PetscInt  frames_used;                    /* frames in the comparison window with simulated values */
  PetscBool complete;                       /* every frame of the window was simulated */
  PetscReal k;                              /* contrast per unit delithiation (calibrated or given) */
  PetscReal offset;                         /* contrast offset of every frame but the reference (its noise), calibrated */
  PetscReal offset_centre, offset_periphery; /* the same for the centre and periphery series */
  PetscReal psf_sigma;                      /* µm, as used */
  PetscReal background_ratio;               /* β: background over particle intensity of the reference frame */
  PetscReal rmse_mean, rmse_centre, rmse_periphery; /* contrast units */
  PetscReal corr_centre, corr_periphery;    /* Pearson correlation of the series */
  PetscReal rmse_maps;                      /* pixel by pixel over the particle and the frames */
  PetscReal misfit;                         /* what spot fit minimises (-compare_metrics_misfit) */
  PetscReal onset_exp[2], onset_sim[2];     /* centre, periphery: time (s) to reach the onset fraction of the final value */
  PetscReal delay_exp, delay_sim;           /* centre onset − periphery onset, s */
} CompareResult;

/* Read the -compare_ options, open the stack and the timestamps and check them (collective) */
PetscErrorCode ComparisonCreate(MPI_Comm comm, Comparison *cmp);
/* Against the run's particle: register, extract the differential contrast of every frame in the
   particle's window; every rank of the comparison's communicator gets it (collective).
   sigma_max: the largest PSF σ a fit may try (µm), or 0 */
PetscErrorCode ComparisonSetUp(Comparison cmp, Simulation sim, PetscReal sigma_max, PetscViewer viewer);
PetscErrorCode ComparisonView(Comparison cmp, PetscViewer viewer);
PetscErrorCode ComparisonGetRegistration(Comparison cmp, OpticalFrame *frame, PetscReal centroid_px[2], PetscReal *rotation_deg, PetscReal *match);
PetscErrorCode ComparisonGetPSFSigma(Comparison cmp, PetscReal *sigma);
PetscErrorCode ComparisonDestroy(Comparison *cmp);

/* The simulated movie of one run, on the run's communicator (which may be a sub-communicator) */
PetscErrorCode CompareSimCreate(Comparison cmp, Solver s, CompareSim *sim);
PetscErrorCode CompareSimMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode CompareSimDestroy(CompareSim *sim);
/* Calibrate and measure (collective on the run's communicator; every rank gets the result) */
PetscErrorCode ComparisonEvaluate(Comparison cmp, CompareSim sim, PetscReal psf_sigma, CompareResult *result);
/* compare_series.csv, compare_metrics.csv, compare_profiles.csv and the figures (collective) */
PetscErrorCode ComparisonWrite(Comparison cmp, CompareSim sim, const CompareResult *result, const char directory[]);
PetscErrorCode CompareResultView(const CompareResult *result, PetscViewer viewer);

/* spot compare: the whole chain for the options database, outputs in directory (collective) */
PetscErrorCode CompareRun(MPI_Comm comm, const char directory[], PetscViewer viewer, CompareResult *result);

/* ---------------------------------------------------------------- Fit ------------------- */
typedef struct {
  PetscReal alpha, misfit, k, psf_sigma;
  PetscInt  runs, rounds, groups, ranks_per_run;
  PetscReal wall;          /* s */
  PetscBool at_edge;       /* the best α lies at the edge of the search range */
  PetscReal centroid_px[2], rotation_deg;
} FitReport;

/* spot fit: α by bracketing and golden-section (or parallel multi-section) search on log α;
   options -fit_... (see input/compare.xsd); collective */
PetscErrorCode FitRun(MPI_Comm comm, const char directory[], PetscViewer viewer, FitReport *report);

#endif
