/* solver: discretisation, time integration and the protocol engine.

   θ is discretised with Lagrange P1 or P2 elements on the DMPlex (-solver_degree). With P1
   the time derivative uses a lumped (row-sum) mass matrix by default, which keeps θ within
   its bounds at sharp fronts (-solver_mass_lumping false for the consistent mass). Time
   integration is PETSc TS (BDF2 with adaptive steps by default, their error the largest at any
   dof so that fronts are seen, -solver_error_control; -ts_type arkimex etc. work),
   with an exact Jacobian; Newton with LU on one rank, GMRES + BoomerAMG on several. Step
   ends on mean θ are located with TSEvent; durations are hit exactly.

   The protocol is a list of steps read from input/'s step table (InputStepGetString & co.: the
   document's <protocol>, cycles, gitt and pitt expanded, any length), each value overridable by
   an option -proto_<i>_<key> (and a protocol may be given by options alone):
     -proto_nsteps N; for step i: -proto_i_type cc|cv|rest, -proto_i_name, -proto_i_cycle;
     cc: -proto_i_direction charge|discharge and -proto_i_c_rate | _current | _current_density;
     cv: -proto_i_voltage; cut-offs: -proto_i_duration, _theta_below, _theta_above,
     _voltage_above, _voltage_below, _current_below (C-rate, A or A/m²), _capacity (Ah, or
     a fraction of the capacity with no unit), _dvdt_below (V/s).
   The initial state is uniform: -init_theta, or -init_voltage (θ0 = U⁻¹(V)). */
#ifndef SPOT_SOLVER_H
#define SPOT_SOLVER_H

#include <petscts.h>
#include "mesh/mesh.h"
#include "physics/physics.h"

#define FARADAY 96485.33212 /* C/mol */

typedef struct _p_Solver     *Solver;
typedef struct _p_Protocol   *Protocol;
typedef struct _p_Simulation *Simulation;

#define SOLVER_MAX_MONITORS 8

typedef enum {
  STEP_CC,
  STEP_CV,
  STEP_REST
} StepType;

/* What the particle's surface does */
typedef enum {
  MODE_FLUX,            /* a given uniform flux (uniform kinetics, and rests) */
  MODE_GALVANOSTATIC,   /* Butler–Volmer at the potential that carries the set current */
  MODE_POTENTIOSTATIC   /* Butler–Volmer at a set potential */
} SurfaceMode;
extern const char *const StepTypes[];

typedef enum {
  END_NONE,
  END_DURATION,
  END_THETA,
  END_THETA_LIMIT,
  END_VOLTAGE,
  END_CURRENT,
  END_CAPACITY,
  END_DVDT
} StepEnd;
extern const char *const StepEnds[];

/* What a step does, resolved against the mesh and material. Rates are signed: > 0 charges
   (delithiates). A cut-off that is not set is NaN. */
typedef struct {
  PetscInt  index, cycle;
  StepType  type;
  char      name[64];
  PetscBool butler_volmer;       /* a cc step under Butler–Volmer kinetics (galvanostatic) */
  PetscReal c_rate;              /* cc: 1/h; mean θ changes by c_rate·f_cap per hour */
  PetscReal current_density;     /* cc: A/m² of active surface */
  PetscReal current;             /* cc: A, or NaN in 2-D without a thickness */
  PetscReal theta_rate;          /* cc: d(mean θ)/dt = −theta_rate, 1/s */
  PetscReal flux;                /* cc: N/c_max on the active surface, µm/s */
  PetscReal voltage;             /* cv: the electrode potential held, V */
  /* cut-offs: the step ends at the first */
  PetscReal duration;            /* s (PETSC_MAX_REAL: none) */
  PetscReal theta_below, theta_above;     /* mean θ */
  PetscReal voltage_above, voltage_below; /* cell voltage, V */
  PetscReal current_below;       /* |mean current density|, A/m² */
  PetscReal capacity;            /* |change of mean θ| in the step */
  PetscReal dvdt_below;          /* |dV/dt|, V/s */
} StepSpec;

/* Where the run is, passed to monitors */
typedef enum {
  SOLVER_EVENT_INITIAL,  /* before the first step */
  SOLVER_EVENT_TIMESTEP, /* after each accepted time step */
  SOLVER_EVENT_STEP_END  /* after a protocol step ended */
} SolverEvent;

typedef struct {
  const StepSpec *step;
  PetscInt        nsteps;
  PetscReal       t, dt;           /* s */
  PetscReal       t_step_start;    /* s */
  PetscInt        ts_steps;        /* accepted time steps so far */
  StepEnd         ended;           /* for SOLVER_EVENT_STEP_END */
  PetscReal       mean_theta;
  PetscReal       inventory_error; /* (∫θ − expected)/∫θ0 */
  PetscReal       progress;        /* fraction of the protocol done, estimated */
  PetscReal       voltage;         /* electrode potential vs Li/Li+, V (NaN without an OCP) */
  PetscReal       cell_voltage;    /* V + I R_s, V */
  PetscReal       current_density; /* mean over the active surface, A/m², > 0 charge */
  PetscReal       current;         /* A, or NaN in 2-D without a thickness */
  PetscReal       c_rate;          /* the current as a C-rate, 1/h */
  PetscReal       capacity_step;   /* change of mean θ since the step began (> 0: delithiated) */
} SolverState;

typedef PetscErrorCode (*SolverMonitorFn)(Solver, SolverEvent, const SolverState *, Vec theta, void *ctx);

PetscErrorCode SolverCreate(DM dm, Physics phys, Solver *s);
PetscErrorCode SolverDestroy(Solver *s);
PetscErrorCode SolverAddMonitor(Solver s, SolverMonitorFn fn, void *ctx);
PetscErrorCode SolverGetDM(Solver s, DM *dm);
/* Every local cell of a simplex mesh as a table, made once per DM and kept on it (solver/cells.c):
   its local dofs (Nb, closure order, as DMPlexGetClosureIndices) and its vertices (closure order)
   with their coordinates. NULL for a mesh embedded in a higher dimension. */
typedef struct {
  PetscInt         dim, nv, Nb;   /* nv = dim + 1 vertices, Nb dofs per cell */
  PetscInt         cStart, ncells;
  PetscInt        *idx;           /* [ncells * Nb] local dof indices */
  PetscInt        *vertex;        /* [ncells * nv] vertex numbers (point - vStart) */
  PetscReal       *coords;        /* [vertices * dim] µm */
  PetscSection     section;       /* the local section the dofs are of (and its storage size), */
  PetscInt         storage;
  Vec              coordinates;   /* and the coordinates (identities, not held) */
} SolverCells;
PetscErrorCode SolverCellsGet(DM dm, const SolverCells **cells);
/* The affine map x = v0 + J (ξ + 1) of cell cStart + k, as DMPlexComputeCellGeometryAffineFEM */
void SolverCellAffine(const SolverCells *cells, PetscInt k, PetscReal v0[], PetscReal J[], PetscReal invJ[], PetscReal *detJ);
PetscErrorCode SolverGetTS(Solver s, TS *ts);
PetscErrorCode SolverGetSolution(Solver s, Vec *theta);
PetscErrorCode SolverGetPhysics(Solver s, Physics *phys);
PetscErrorCode SolverGetMeshInfo(Solver s, const MeshInfo **info);
PetscErrorCode SolverGetVolumeWeights(Solver s, Vec *w);
/* X[d] (global vectors, created; X[d] = NULL for d >= dim) = coordinate d of every dof (P1, P2) */
PetscErrorCode SolverDofCoordinates(Solver s, Vec X[3]);
PetscErrorCode SolverGetDegree(Solver s, PetscInt *degree, PetscBool *lumped);
PetscErrorCode SolverUsesLeanAssembly(Solver s, PetscBool *lean);
PetscErrorCode SolverMeanTheta(Solver s, Vec theta, PetscReal *mean);
PetscErrorCode SolverSetInitialUniform(Solver s, PetscReal theta0);

/* The particles of the mesh (solver/population.c): N disjoint pieces, each dof in one of them */
typedef struct {
  PetscInt   n;                 /* N (1 for a single particle) */
  PetscReal *alpha, *i0_scale;  /* [N] factors of D_app and of i0 per particle */
  PetscReal *contact_resistance; /* [N] Ω·m² of the particle's active surface (0: none) */
  PetscBool  resistive;         /* some particle has a contact resistance */
  PetscReal *volume, *area;     /* [N] µm² or µm³; active surface, µm or µm² */
  PetscBool  uniform_alpha;     /* every alpha factor is 1 */
  PetscInt  *cell;              /* [local cells] particle 0..N−1 */
  PetscInt  *dof;               /* [owned dofs of θ] particle 0..N−1 */
  PetscInt  *local_dof;         /* [dofs of the local (ghosted) vector] particle 0..N−1 */
  PetscInt   nown;
} SolverParticles;
PetscErrorCode SolverGetParticles(Solver s, const SolverParticles **p);
/* Replace the particles' α factors (N numbers, > 0) before a run: a fit's candidates (lean assembly) */
PetscErrorCode SolverSetParticleAlpha(Solver s, const PetscReal alpha[]);
PetscErrorCode SolverParticlesView(Solver s, PetscViewer viewer);
PetscErrorCode SolverView(Solver s, PetscViewer viewer);
PetscErrorCode SolverMonotoneFlux(Solver s, PetscBool *monotone);
/* Per particle k (arrays of N, every rank): mean current density i_k over its active surface
   (A/m², > 0 charge), the surface means of θ and U(θ), and its potential φ_k (V; the electrode's
   without a contact resistance) at the state θ (collective) */
PetscErrorCode SolverParticleElectrochemistry(Solver s, Vec theta, PetscReal i[], PetscReal theta_s[], PetscReal U_s[], PetscReal phi[]);
PetscErrorCode SolverSetFlux(Solver s, PetscReal flux);
PetscErrorCode SolverSetGalvanostatic(Solver s, PetscReal i_set);
PetscErrorCode SolverSetPotentiostatic(Solver s, PetscReal V);
PetscErrorCode SolverElectrochemistry(Solver s, Vec theta, PetscReal *V, PetscReal *i, PetscReal *theta_s, PetscReal *U_s);
PetscErrorCode SolverSetCheckpointDirectory(Solver s, const char dir[]);
PetscErrorCode SolverRemoveCheckpoints(Solver s); /* after a failed run: the checkpoints it wrote */
PetscErrorCode SolverGetStats(Solver s, PetscInt *steps, PetscInt *rejected, PetscInt *newton, PetscInt *linear);
/* A run stopped by SIGINT or SIGTERM (files/files.h defers them while the protocol runs) returns
   early: signal is the signal (0: the run finished), t_stop the time of its last step, t_restart
   the time of the checkpoint it wrote, the last point from which a restart repeats the run
   exactly (NAN: none, with checkpoints off) */
PetscErrorCode SolverGetInterruption(Solver s, PetscInt *signal, PetscReal *t_stop, PetscReal *t_restart);

PetscErrorCode ProtocolCreateFromOptions(Solver s, Protocol *p);
PetscErrorCode ProtocolDestroy(Protocol *p);
PetscErrorCode ProtocolView(Protocol p, PetscViewer viewer);
PetscErrorCode ProtocolGetSteps(Protocol p, PetscInt *n, const StepSpec **steps);
PetscErrorCode SolverRunProtocol(Solver s, Protocol p);

/* A whole run from the options database (filled from the XML by input/): material and initial
   state (-init_theta), mesh (made in workdir when spot meshes it), solver and protocol. Add
   monitors to its solver, then run. Collective on comm, which may be a sub-communicator. */
PetscErrorCode SimulationCreate(MPI_Comm comm, const char workdir[], PetscViewer viewer, Simulation *sim);
PetscErrorCode SimulationGetSolver(Simulation sim, Solver *s);
PetscErrorCode SimulationGetProtocol(Simulation sim, Protocol *p);
PetscErrorCode SimulationRun(Simulation sim);
PetscErrorCode SimulationDestroy(Simulation *sim);

#endif
