/* postproc: what a run reports, computed from the solver's state.

   Observables of θ (all dimensionless):
     mean        (1/|Ω|) ∫Ω θ
     centroid    θ at the particle's centroid (or at its deepest point, if the centroid lies
                 outside a non-convex particle)
     centre      mean over the centre region  {x : d(x) ≥ (1 − r_c) d_max}
     periphery   mean over the periphery band {x : d(x) ≤ w}
     surface     (1/|∂Ω|) ∮ θ over the active surface
     min, max    over the degrees of freedom
   with d(x) the distance to the active surface and d_max its largest value. Defaults:
   r_c = 0.3 (-out_centre_fraction), w = 0.25 d_max (-out_periphery_width, a length).
   Region means are linear functionals w·θ whose weights are integrated once by quadrature.

   Outputs of a run in -out_directory (default "out"): timeseries.csv (one row per accepted
   time step), fields.h5 + fields.xmf (θ at -out_times, for ParaView), probes.csv (θ at the
   points of -out_probes x1,y1[,z1],x2,... at -out_times), a progress line on
   the terminal and one log line per protocol step. Files are written under a temporary
   name and renamed when complete; OutputDiscard removes them after a failure. */
#ifndef SPOT_POSTPROC_H
#define SPOT_POSTPROC_H

#include "solver/solver.h"

typedef struct {
  PetscReal mean, centroid, centre, periphery, surface, min, max;
} Observables;

typedef struct _p_Observer *Observer;
typedef struct _p_Output   *Output;
typedef struct _p_Probe    *Probe;

/* θ at points (µm), evaluated with the element's own interpolation; values on every rank */
PetscErrorCode ProbeCreate(DM dm, PetscInt n, const PetscReal points[], PetscBool found[], Probe *probe);
PetscErrorCode ProbeEvaluate(Probe probe, Vec theta, PetscReal values[]);
PetscErrorCode ProbeGetPoints(Probe probe, PetscInt *n, PetscInt *dim, const PetscReal **points);
PetscErrorCode ProbeDestroy(Probe *probe);

PetscErrorCode ObserverCreate(Solver s, Observer *obs);
PetscErrorCode ObserverCompute(Observer obs, Vec theta, Observables *o);
PetscErrorCode ObserverView(Observer obs, PetscViewer viewer);
PetscErrorCode ObserverGetRegions(Observer obs, PetscReal *d_max, PetscReal *centre_threshold, PetscReal *periphery_width, PetscReal *centre_measure, PetscReal *periphery_measure);
PetscErrorCode ObserverDestroy(Observer *obs);
PetscErrorCode PostprocDistanceToSurface(PetscInt dim, PetscInt nfacets, const PetscReal facets[], const PetscReal x[], PetscReal *d);

PetscErrorCode OutputCreate(Solver s, const char directory[], const char input_name[], Output *out);
PetscErrorCode OutputMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode OutputFinish(Output out);
PetscErrorCode OutputDiscard(Output out);
PetscErrorCode OutputDestroy(Output *out);

#endif
