/* postproc/gitt: D(θ) from a galvanostatic intermittent titration (GITT) record, by Weppner–Huggins.

   Input: samples (t, I, V) in memory, t strictly increasing (s), I in A with positive =
   charge (delithiation of the cathode: θ falls), V in V. A file, a simulation or a test
   can supply them (GittSetRecord); the analysis does not read files.

   Pulse finder. The current is median-filtered over 3 samples (isolated spikes and dropouts
   vanish); I_p = max |I_filtered|, and the record must rise above 20 times its noise (σ from
   the median step between samples). A pulse starts where |I_f| > min(max(0.2, 2f), 0.95) I_p
   (so pulses down to a fifth of the largest are found) and extends, on both sides, over the samples with
   |I_f| > f I_p of the same sign (f = -gitt_current_threshold, default 0.05), so ramps and CV
   tails belong to it. Edges (-gitt_edges): "previous" (default; cyclers log a sample at the
   end of every step, so the step changes right after it): the pulse runs from the last sample
   of the rest before it to its own last sample, and sample i carries its current over
   (t_i−1, t_i]; "midpoint": the edges lie midway between the samples on either side of them,
   and each sample carries its share of time. Either way τ = t_end − t_start and Q = Σ I_i w_i
   with Σ w_i = τ.
   The samples between two pulses are a rest. θ by coulomb counting over the pulses only
   (the rests carry no current):  θ = θ_start − Q_before / C,  θ_pulse = mid-pulse value; a θ
   beyond [−0.25, 1.25] is an error (the capacity or θ_start is wrong), within it a warning.

   Per pulse k (the rest before it ends at E_s(k−1), the rest after it at E_s(k)):
     relaxed voltage E_s   least-squares line through the last -gitt_relax_window (10 %) of the
                           rest, evaluated at its end; its slope is the drift dE/dt
     ΔE_s = E_s(k) − E_s(k−1)
     √t fit                E(t) = E_0 + m √(t − t_start) over t − t_start ∈ [a τ, b τ]
                           (-gitt_fit_window a,b, default 0.1,1): the linear part, so the
                           instantaneous IR step (E_0 − E_s(k−1)) is excluded
     ΔE_t = m √τ
     D = 4/(π τ) · L² · (ΔE_s/ΔE_t)²        valid for τ ≪ L²/D; reported: τ D / L²
   with L the diffusion length (|Ω|/|∂Ω| in 2-D, V/A in 3-D; µm), so D is in µm²/s.

   A rest must have relaxed: its end drift |dE/dt|, less twice its standard error (noise alone
   does not fail a rest), must not exceed -gitt_max_drift (mV/h, default 10); otherwise the
   analysis stops with a message naming the rest, unless -gitt_allow_unrelaxed, which only
   flags the pulses beside it. A rest before the first
   pulse with fewer than 3 samples is taken as the relaxed initial state.

   The D(θ) table holds the pulses that give a D (no GITT_FLAG_EXCLUDED bit), sorted by θ,
   pulses at the same θ merged (geometric mean of D). Under MPI every rank analyses the same
   record (errors are raised on every rank); rank 0 writes the files.

   Options (-gitt_ prefix; the app maps `spot gitt --name` arguments to them):
     -gitt_length L (µm, units allowed)   -gitt_theta_start θ0   -gitt_capacity C (A·s, or 2.6Ah)
     -gitt_current_threshold f   -gitt_edges previous|midpoint   -gitt_fit_window a,b   -gitt_relax_window r   -gitt_max_drift mV/h
     -gitt_allow_unrelaxed   -gitt_max_ratio (τD/L² above it is flagged, 0.1)
     -gitt_min_r2 (√t fit quality below it is flagged, 0.98)   -gitt_current_tolerance (0.05)

   Files: gitt.c (the analysis and its tables), gitt_plot.c (its figure), gitt_roundtrip.c (spot
   gitt --simulate, below). Arrows: gitt/ uses figures/ and fileset/ (and the solver, for the
   round trip); app/ uses gitt/. */
#ifndef SPOT_POSTPROC_GITT_H
#define SPOT_POSTPROC_GITT_H

#include "solver/solver.h"
#include "postproc/fileset/fileset.h"
#include <petscsys.h>
#include <petscviewer.h>

typedef struct _p_Gitt *Gitt;

/* Flags of a pulse; the EXCLUDED ones keep it out of the D(θ) table */
typedef enum {
  GITT_FLAG_LONG_PULSE = 1,  /* τ D / L² > -gitt_max_ratio: the √t law may not hold */
  GITT_FLAG_POOR_FIT   = 2,  /* R² of the √t fit < -gitt_min_r2 */
  GITT_FLAG_UNRELAXED  = 4,  /* a rest beside it had not relaxed (-gitt_allow_unrelaxed) */
  GITT_FLAG_NO_REST    = 8,  /* no rest before or after it (record starts or ends in it): excluded */
  GITT_FLAG_CURRENT    = 16, /* current not constant (over 10 % of samples off the median by more than -gitt_current_tolerance): excluded */
  GITT_FLAG_FEW_POINTS = 32, /* fewer than 3 samples in the fit window: excluded */
  GITT_FLAG_SIGN       = 64  /* ΔE_s and ΔE_t zero or of opposite signs: excluded */
} GittFlag;
#define GITT_FLAG_EXCLUDED (GITT_FLAG_NO_REST | GITT_FLAG_CURRENT | GITT_FLAG_FEW_POINTS | GITT_FLAG_SIGN)

typedef struct {
  PetscInt  first, last;               /* its samples (current on), 0-based */
  PetscInt  rest_first, rest_last;     /* samples of the rest after it; rest_last < rest_first if none */
  PetscReal t_start, t_end, tau;       /* s */
  PetscReal current;                   /* mean current Q/τ, A (positive = charge) */
  PetscReal charge;                    /* Q, A·s */
  PetscReal theta_before, theta_after; /* coulomb counting */
  PetscReal theta;                     /* mid-pulse θ: where its D goes in the table */
  PetscReal rest_before, rest_after;   /* durations of the rests around it, s */
  PetscReal relaxed_voltage_before;    /* E_s at the end of the rest before, V */
  PetscReal relaxed_voltage_after;     /* E_s at the end of the rest after, V */
  PetscReal drift_before, drift_after; /* dE/dt at the ends of those rests, V/s */
  PetscReal relaxed_change;            /* ΔE_s, V */
  PetscReal sqrt_slope;                /* m = dE/d√t, V/√s */
  PetscReal sqrt_intercept;            /* E_0: the √t line at the pulse start, V */
  PetscReal ir_step;                   /* E_0 − E_s(before), V */
  PetscReal fit_start, fit_end;        /* fit window, s after t_start */
  PetscInt  fit_points;
  PetscReal fit_r2;
  PetscReal transient_change; /* ΔE_t = m √τ, V */
  PetscReal D;                /* µm²/s (NaN if none) */
  PetscReal tau_D_over_L2;
  PetscInt  flags; /* GittFlag bits */
} GittPulse;

PetscErrorCode GittCreate(MPI_Comm comm, Gitt *gitt);
PetscErrorCode GittDestroy(Gitt *gitt);

/* The record (copied). source names it in messages and provenance (a file path, "simulated
   record"); lines[i] is the file line of sample i for messages, or NULL. Checks that there are
   samples, that t increases strictly and that all values are finite. */
PetscErrorCode GittSetRecord(Gitt gitt, const char source[], PetscInt n, const PetscReal t[], const PetscReal current[], const PetscReal voltage[], const PetscInt lines[]);
/* Free-text description of the columns for the output headers (optional) */
PetscErrorCode GittSetRecordDescription(Gitt gitt, const char description[]);

/* Parameters. what names where the value came from ("argument --length", "mesh p.msh"), for
   messages and the output headers; NULL for the option's own name. */
PetscErrorCode GittSetLength(Gitt gitt, PetscReal length, const char what[]);
PetscErrorCode GittSetThetaStart(Gitt gitt, PetscReal theta_start, const char what[]);
PetscErrorCode GittSetCapacity(Gitt gitt, PetscReal capacity, const char what[]);
PetscErrorCode GittSetFromOptions(Gitt gitt);

/* Find the pulses only (boundaries, τ, charge); GittAnalyse calls it when needed */
PetscErrorCode GittFindPulses(Gitt gitt);
PetscErrorCode GittAnalyse(Gitt gitt);

/* Results: pulses (valid until GittDestroy), the D(θ) table (θ ascending, D in µm²/s) */
PetscErrorCode GittGetPulses(Gitt gitt, PetscInt *npulses, const GittPulse **pulses);
PetscErrorCode GittGetDiffusivity(Gitt gitt, PetscInt *n, const PetscReal **theta, const PetscReal **D);
PetscErrorCode GittGetRecord(Gitt gitt, PetscInt *n, const PetscReal **t, const PetscReal **current, const PetscReal **voltage);
PetscErrorCode GittGetComm(Gitt gitt, MPI_Comm *comm);
PetscErrorCode GittGetSource(Gitt gitt, const char **source);
PetscErrorCode GittGetParameters(Gitt gitt, PetscReal *length, PetscReal *theta_start, PetscReal *capacity);
/* The √t fit window (fractions a, b of τ) and the τD/L² above which a pulse is flagged */
PetscErrorCode GittGetSettings(Gitt gitt, PetscReal fit_window[2], PetscReal *max_ratio);
PetscErrorCode GittView(Gitt gitt, PetscViewer viewer);
PetscErrorCode GittFlagsToString(PetscInt flags, char text[], size_t len);

/* Outputs (rank 0 writes; failures fail on every rank): the D(θ) CSV that `spot run` reads
   (<diffusivity law="table" file="..."/>), the per-pulse CSV with every intermediate value, and
   a PNG of D(θ) and of the √t fits of a few pulses. Each is published when written, or, after
   GittSetOutputFiles, kept in that set to be published with the command's other outputs.
   GittCheckTable: the error GittWriteDiffusivity would raise (fewer than 2 pulses gave a D),
   naming the excluded pulses and why, so that a command can fail before writing anything. */
PetscErrorCode GittSetOutputFiles(Gitt gitt, PostprocFiles files);
PetscErrorCode GittGetOutputFiles(Gitt gitt, PostprocFiles *files);
PetscErrorCode GittCheckTable(Gitt gitt);
PetscErrorCode GittWriteDiffusivity(Gitt gitt, const char path[]);
PetscErrorCode GittWritePulses(Gitt gitt, const char path[]);
PetscErrorCode GittWritePlot(Gitt gitt, const char path[]);

/* The round trip (gitt_roundtrip.c): spot gitt --simulate, the Weppner–Huggins analysis checked
   against spot's own solver, where the true D is known.

   A monitor on the solver records the run as a GITT record: t (s), I = i A (A; in 2-D A is the
   active outline times the thickness, or times 1 µm when the input has none, so I is then "per
   µm of thickness"), the cell voltage (V), and per pulse (a cc step) the mean θ before and after,
   and the lowest and highest θ anywhere in the particle while it runs. The record goes to a Gitt
   with the particle's own parameters:
     L           = |Ω|/|∂Ω| (2-D) or V/A (3-D) of the mesh the run used,
     θ_start     = the initial mean θ of the run,
     capacity    = F c_max |Ω| (the whole particle, θ from 1 to 0, in the units of I·t),
   and after GittAnalyse every analysed pulse is compared with the truth:
     D_true      = α D_GITT(θ) of the input (PhysicsDiffusivity) at the pulse's mean θ (mid-pulse),
     ratio       = D_analysed / D_true,    apparent α = D_true / D_analysed
                   (the factor an FE model of this particle needs on a D(θ) measured this way).
   Expected ratio: Weppner–Huggins solves a semi-infinite planar solid. At short times a curved
   surface (mean curvature κ̄, summed over the principal directions) adds a term linear in t to
   the surface concentration: Δθ_s = (2 N'/√(πD)) √t (1 + κ̄ √(πDt)/4 + ...), N' = N/c_max. The
   √t fit over [a τ, b τ] then has a slope larger by 1 + κ̄ √(πDτ) (√a + √b)/4, so
     D_analysed / D_true ≈ 1 / (1 + κ̄ √(π D τ) (√a + √b)/4)²,
   about 0.94 for a disc at τD/L² = 0.01 and 0.88 at 0.05. κ̄ = 2π/|∂Ω| in 2-D when the whole
   outline is active (exact for any closed outline: the turning of its tangent); in 3-D that of a
   sphere with the same V/A, κ̄ = 2/(3L), an estimate; NaN when part of the boundary has no flux.

   Where the assumptions break down, a pulse is flagged (GittRoundTripFlag). */

typedef struct _p_GittRoundTrip *GittRoundTrip;

/* Thresholds of the flags */
#define GITT_RT_MAX_D_VARIATION 1.3   /* max/min of D_true over the θ a pulse touches */
#define GITT_RT_MAX_NONLINEARITY 0.1  /* |dE/dθ / (ΔU/Δθ) − 1| over that range */
#define GITT_RT_MAX_REST_OFFSET 0.025 /* |θ_s − mean θ| at the end of a rest, over the pulse's |Δθ| */

typedef enum {
  GITT_RT_LONG_PULSE = 1,  /* τ D_true/L² > -gitt_max_ratio: the pulse is not short against diffusion */
  GITT_RT_UNRELAXED  = 2,  /* a rest beside it had not relaxed: flagged by the analysis, or θ_s at its end off the mean θ */
  GITT_RT_NONLINEAR  = 4,  /* E(θ) not linear over the θ the pulse touches: dU/dθ (plus the overpotential's change) varies */
  GITT_RT_D_VARIES   = 8,  /* D_true varies by more than GITT_RT_MAX_D_VARIATION over the θ the pulse touches */
  GITT_RT_POOR_FIT   = 16, /* the analysis' √t fit is poor */
  GITT_RT_NO_D       = 32  /* the analysis gave no D for it (pulses.csv says why) */
} GittRoundTripFlag;
#define GITT_RT_NUM_FLAGS 6

typedef struct {
  PetscInt  pulse;                 /* 1-based, as in pulses.csv */
  PetscReal theta;                 /* mid-pulse mean θ of the run */
  PetscReal theta_analysed;        /* the analysis' θ by coulomb counting */
  PetscReal theta_low, theta_high; /* lowest and highest θ anywhere during the pulse */
  PetscReal tau, tau_D_over_L2;    /* s; with D_true */
  PetscReal D_true, D_analysed;    /* µm²/s (D_analysed NaN if none) */
  PetscReal ratio, apparent_alpha; /* D_analysed/D_true, D_true/D_analysed */
  PetscReal expected_ratio;        /* the curvature estimate above (NaN if unknown) */
  PetscReal D_variation;           /* max/min of D_true over [theta_low, theta_high] */
  PetscReal nonlinearity;          /* max |dE/dθ / (ΔU/Δθ) − 1| over that range */
  PetscReal rest_offset;           /* largest |θ_s − mean θ| at the end of the rests beside it, / |Δθ| */
  PetscInt  flags;                 /* GittRoundTripFlag bits */
} GittRoundTripPulse;

/* Adds a monitor to the solver; run the simulation afterwards */
PetscErrorCode GittRoundTripCreate(Solver solver, const char source[], GittRoundTrip *rt);
PetscErrorCode GittRoundTripDestroy(GittRoundTrip *rt);
/* After the run: the record, L, θ_start and the capacity to the Gitt (then GittAnalyse) */
PetscErrorCode GittRoundTripSetUp(GittRoundTrip rt, Gitt gitt);
/* After GittAnalyse: the truth per pulse, and the flags */
PetscErrorCode GittRoundTripCompare(GittRoundTrip rt, Gitt gitt);
PetscErrorCode GittRoundTripGetPulses(GittRoundTrip rt, PetscInt *n, const GittRoundTripPulse **pulses);
PetscErrorCode GittRoundTripFlagsToString(PetscInt flags, char text[], size_t len);
PetscErrorCode GittRoundTripView(GittRoundTrip rt, PetscViewer viewer);
/* Outputs (rank 0 writes; failures fail on every rank; into the set of GittRoundTripSetOutputFiles,
   else each published when written): the simulated record as a CSV that `spot gitt` reads, the
   comparison (one row per pulse) and its figure */
PetscErrorCode GittRoundTripSetOutputFiles(GittRoundTrip rt, PostprocFiles files);
PetscErrorCode GittRoundTripWriteRecord(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWrite(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWritePlot(GittRoundTrip rt, const char path[]);

#endif
