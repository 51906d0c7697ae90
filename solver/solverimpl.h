/* Private to solver/: the Solver and Protocol objects. */
#ifndef SPOT_SOLVERIMPL_H
#define SPOT_SOLVERIMPL_H

#include "solver/solver.h"

typedef struct _p_P1Assembly *P1Assembly;
PetscErrorCode P1AssemblyCreate(Solver s, P1Assembly *a);
PetscErrorCode P1AssemblyDestroy(P1Assembly *a);
PetscErrorCode P1AssemblyResidual(P1Assembly a, const PetscScalar constants[], Vec U, Vec locU, Vec locF);
PetscErrorCode P1AssemblyJacobian(P1Assembly a, const PetscScalar constants[], Vec U, Vec locU, Mat J);
void           P1AssemblyInvalidate(P1Assembly a);

struct _p_Solver {
  MPI_Comm        comm;
  DM              dm;       /* the mesh with the θ field */
  Physics         phys;
  MeshInfo        info;
  TS              ts;
  Vec             theta;    /* the state */
  Vec             weights;  /* w_i = ∫Ω φ_i dx (µm² or µm³): ∫θ = w·θ */
  Vec             mass;     /* lumped mass (= weights, P1), or NULL */
  Vec             work;
  PetscInt        degree;
  PetscBool       lumped;
  P1Assembly      p1;       /* lean P1 assembly, or NULL for PetscFE's */
  PetscReal       dt_initial, dt_max; /* s */
  SolverMonitorFn monitor[SOLVER_MAX_MONITORS];
  void           *monitor_ctx[SOLVER_MAX_MONITORS];
  PetscInt        nmonitors;
  /* run state */
  SolverState     state;
  PetscReal       expected_mean;      /* mean θ that conservation predicts at t_step_start */
  PetscReal       mean_theta0;
  PetscReal       last_monitor_t;
  PetscInt        event_fired;        /* which event ended the step, or -1 */
  PetscInt        rejected, newton, linear; /* cumulative over the protocol */
  PetscReal       progress_done, progress_remaining; /* s, for the progress estimate */
};

struct _p_Simulation {
  MPI_Comm comm;
  Physics  phys;
  Solver   solver;
  Protocol protocol;
  MeshInfo info;
  PetscReal theta0;
};

struct _p_Protocol {
  PetscInt  nsteps;
  StepSpec *steps;
};

PetscErrorCode SolverNotify(Solver s, SolverEvent e);

#endif
