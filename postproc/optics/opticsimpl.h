/* postproc/optics, inside: the optics of a microscope (compare_optics.c) and the comparison's
   steps, which synth.c, compare.c and fit.c share. Public: optics.h. */
#ifndef SPOT_POSTPROC_OPTICSIMPL_H
#define SPOT_POSTPROC_OPTICSIMPL_H

#include "postproc/optics/optics.h"
#include "postproc/figures/figures.h"

/* ---------------------------------------------------------------- Optics ---------------- */
/* The camera pixels of a window (rows r0.., cols c0..) of an optical frame as weighted sums of a
   fine mesh-frame grid: each pixel averages sub × sub points, each bilinear in the fine grid
   (zero outside it). */
typedef struct {
  PetscInt   r0, c0, rows, cols;
  PetscInt  *offsets, *index;
  PetscReal *weight;
} OpticalProjection;

PetscErrorCode OpticalFrameRigid(PetscReal pixel_size, PetscReal rotation_deg, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *frame);
/* x = scale R(−phi)(u − u_c) + x_c: a scale above 1 says an optical µm (at the nominal pixel size) is
   more than a µm of the mesh, i.e. the pixels are larger than nominal by that factor */
PetscErrorCode OpticalFrameSimilarity(PetscReal pixel_size, PetscReal rotation_deg, PetscReal scale, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *frame);
PetscErrorCode OpticalFrameToOptical(const OpticalFrame *frame, const PetscReal x[2], PetscReal u[2]);
PetscErrorCode OpticalFrameToMesh(const OpticalFrame *frame, const PetscReal u[2], PetscReal x[2]);
/* A shift of (col, row) optical pixels as a displacement in the mesh frame, µm: A Δu */
void OpticalFrameShiftToMesh(const OpticalFrame *frame, const PetscReal shift_px[2], PetscReal dx[2]);
PetscErrorCode OpticalFrameRotation(const OpticalFrame *frame, PetscReal *rotation_deg, PetscReal *scale);
/* The window of an optical frame (rows x cols) seen by a fine grid, plus margin pixels, clipped */
PetscErrorCode OpticalWindow(const RasterGrid *fine, const OpticalFrame *frame, PetscInt rows, PetscInt cols, PetscInt margin, PetscInt *r0, PetscInt *c0, PetscInt *wr, PetscInt *wc);
PetscErrorCode OpticalProjectionCreate(const RasterGrid *fine, const OpticalFrame *frame, PetscInt r0, PetscInt c0, PetscInt rows, PetscInt cols, PetscInt sub, OpticalProjection *P);
PetscErrorCode OpticalProjectionApply(const OpticalProjection *P, const PetscReal fine[], PetscReal out[]);
PetscErrorCode OpticalProjectionDestroy(OpticalProjection *P);
/* Gaussian blur of standard deviation sigma (pixels), zero outside the image; in == out allowed */
PetscErrorCode OpticalBlur(PetscInt rows, PetscInt cols, PetscReal sigma, const PetscReal in[], PetscReal out[]);
/* The fine grid for an optical pixel size, the largest PSF σ and the farthest a particle of a
   population may be moved on its own (µm): pixels of p_o/3 (coarser for very large particles)
   over the particle plus 4σ + 2 p_o + moved_max; supersampling 3 */
PetscErrorCode OpticalFineGrid(const MeshInfo *info, PetscReal optical_pixel, PetscReal sigma_max, PetscReal moved_max, RasterGrid *fine);
/* Is x inside the polygon of 2-D boundary facets (segments, nfacets × 4 numbers)? crossing number */
PetscBool OpticalInside(PetscInt nfacets, const PetscReal facets[], const PetscReal x[2]);

/* ---------------------------------------------------------------- Comparison ------------ */
typedef struct _p_Comparison *Comparison;
typedef struct _p_CompareSim *CompareSim;

/* Read the -compare_ options, open the stack and the timestamps and check them (collective) */
PetscErrorCode ComparisonCreate(MPI_Comm comm, Comparison *cmp);
/* Against the run's particle: register, extract the differential contrast of every frame in the
   particle's window; every rank of the comparison's communicator gets it (collective).
   sigma_max: the largest PSF σ a fit may try (µm), or 0 */
PetscErrorCode ComparisonSetUp(Comparison cmp, Simulation sim, PetscReal sigma_max, PetscViewer viewer);
PetscErrorCode ComparisonView(Comparison cmp, PetscViewer viewer);
PetscErrorCode ComparisonGetRegistration(Comparison cmp, OpticalFrame *frame, PetscReal centroid_px[2], PetscReal *rotation_deg, PetscReal *match);
PetscErrorCode ComparisonGetPSFSigma(Comparison cmp, PetscReal *sigma);
/* What the misfit is, for an axis label */
PetscErrorCode ComparisonGetMisfitLabel(Comparison cmp, const char **label);
PetscErrorCode ComparisonDestroy(Comparison *cmp);

/* Each particle of a population compared on its own (one for a single particle): its own k and
   offsets calibrated on its mean, the RMSE of its centre and periphery series, its onsets */
typedef struct {
  PetscReal k, misfit, rmse_centre, rmse_periphery, delay_exp, delay_sim, samples;
  PetscReal offset_centre, offset_periphery; /* the series' offsets (contrast) */
} CompareParticleResult;
/* The particles: how many, their areas (µm²) and centroids (µm, mesh frame; 2 per particle) */
PetscErrorCode ComparisonGetParticles(Comparison cmp, PetscInt *n, const PetscReal **area, const PetscReal **centroid);
/* After an evaluation, every rank of the run's communicator: [n] */
PetscErrorCode CompareSimGetParticleResults(CompareSim sim, const CompareParticleResult **results);

/* The simulated movie of one run, on the run's communicator (which may be a sub-communicator) */
PetscErrorCode CompareSimCreate(Comparison cmp, Solver s, CompareSim *sim);
PetscErrorCode CompareSimMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode CompareSimDestroy(CompareSim *sim);
/* Calibrate and measure (collective on the run's communicator; every rank gets the result) */
PetscErrorCode ComparisonEvaluate(Comparison cmp, CompareSim sim, PetscReal psf_sigma, CompareResult *result);
/* The same for the misfit alone (what a fit's candidates need): with the series misfit, the
   region means come from blurred region weights instead of every blurred frame, and the maps
   (result->rmse_maps, the model for ComparisonWrite) are not made */
PetscErrorCode ComparisonEvaluateMisfit(Comparison cmp, CompareSim sim, PetscReal psf_sigma, CompareResult *result);
/* compare_series.csv, compare_metrics.csv, compare_profiles.csv and the figures (collective) */
PetscErrorCode ComparisonWrite(Comparison cmp, CompareSim sim, const CompareResult *result, const char directory[], PostprocFiles files);
PetscErrorCode CompareResultView(const CompareResult *result, PetscViewer viewer);

#endif
