/* gitt_roundtrip: spot gitt --simulate, the Weppner–Huggins analysis checked against spot's own
   solver, where the true D is known.

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
#ifndef SPOT_GITT_ROUNDTRIP_H
#define SPOT_GITT_ROUNDTRIP_H

#include "postproc/gitt.h"
#include "solver/solver.h"

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
/* Outputs (rank 0 writes under a temporary name, then renames): the simulated record as a CSV
   that `spot gitt` reads, the comparison (one row per pulse) and its figure */
PetscErrorCode GittRoundTripWriteRecord(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWrite(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWritePlot(GittRoundTrip rt, const char path[]);

#endif
