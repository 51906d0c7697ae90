/* postproc/optics: a run beside an operando optical movie of the same particle (DESIGN.md §6).

   Optics (compare_optics.c)    what a microscope makes of θ: a fine raster of the particle
                                blurred by a Gaussian point-spread function, integrated over the
                                camera pixels of a (registered, possibly rotated) optical frame.
   Synth (synth.c)              spot synth: a run turned into an optical-like image stack.
   Comparison (compare.c)       spot compare: the differential contrast of a stack, registered
                                to the simulation, calibrated, and compared by regions, line
                                profiles and onset times; CSV and figures.
   Fit (fit.c)                  spot fit: the diffusivity scale α (and optionally the PSF σ) that
                                minimises the comparison's misfit, candidates on sub-communicators.

   Frames (mesh.h): the mesh frame is the image frame of the SEM image the mesh came from (µm,
   y down). The optical frame of a movie is its own image frame: u = ((c + ½) p_o, (r + ½) p_o) µm
   for pixel (r, c), p_o its pixel size. A registration maps it into the mesh frame:
   x = A u + b.

   This header holds what app/ calls (the three commands and their reports); the optics and the
   comparison that fit.c drives are in opticsimpl.h.
   Arrows: optics/ uses run/ (the raster of θ, the observer's regions, the distance to the
   surface, TIFF stacks), figures/ and fileset/; nothing in postproc/ uses optics/. */
#ifndef SPOT_POSTPROC_OPTICS_H
#define SPOT_POSTPROC_OPTICS_H

#include "postproc/run/run.h"

/* ---------------------------------------------------------------- Optics ---------------- */
typedef struct {
  PetscReal pixel_size; /* µm per optical pixel */
  PetscReal A[4], b[2]; /* mesh x = A u + b (A row-major), u the optical image frame, µm */
} OpticalFrame;

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
   particle_shift (a population: col,row px for each particle, in the run's order), rotation (deg, 0), size (rows,cols; default: the particle and 60 % more), bits (16 or 32),
   seed (1). Every option is checked before the run: ranges, frame times within the protocol
   (at most 100 000 frames), timestamps finite and increasing as written, the illumination
   positive under the drift, a 16-bit page unsaturated, the frame at most 4096 x 4096 pixels with
   the particle inside. The stack and the timestamps appear together, or neither. Collective. */
PetscErrorCode SynthRun(MPI_Comm comm, const char workdir[], PetscViewer viewer, SynthReport *report);

/* ---------------------------------------------------------------- Comparison ------------ */
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
  PetscReal samples;                        /* independent residuals the misfit averages: 2 per frame (series; fewer when they are correlated in time), one per PSF area per frame (maps) */
  PetscReal onset_exp[2], onset_sim[2];     /* centre, periphery: time (s) to reach the onset fraction of the final value */
  PetscReal delay_exp, delay_sim;           /* centre onset − periphery onset, s */
} CompareResult;

/* spot compare: the whole chain for the options database, outputs in directory, all or nothing
   with the mesh spot made for it (collective) */
PetscErrorCode CompareRun(MPI_Comm comm, const char directory[], PetscViewer viewer, CompareResult *result);

/* ---------------------------------------------------------------- Fit ------------------- */
typedef struct {
  PetscReal alpha, misfit, k, psf_sigma;
  PetscReal alpha_interval[2]; /* 95 % interval from the misfit's curvature and the residual noise; nan if the misfit is flat */
  PetscReal sigma_ln_alpha;    /* standard error of ln α */
  PetscInt  runs, rounds, groups, ranks_per_run;
  PetscReal wall;          /* s */
  PetscBool at_edge;       /* the best α lies at the edge of the search range */
  PetscReal centroid_px[2], rotation_deg;
} FitReport;

/* spot fit: α by bracketing and golden-section (or parallel multi-section) search on log α;
   options -fit_... (see input/compare.xsd); collective */
PetscErrorCode FitRun(MPI_Comm comm, const char directory[], PetscViewer viewer, FitReport *report);

#endif
