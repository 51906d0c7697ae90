/* Private to solver/: the Solver and Protocol objects. */
#ifndef SPOT_SOLVERIMPL_H
#define SPOT_SOLVERIMPL_H

#include "solver/solver.h"

typedef struct _p_LeanAssembly *LeanAssembly;
PetscErrorCode LeanAssemblyCreate(Solver s, LeanAssembly *a);
PetscErrorCode LeanAssemblyDestroy(LeanAssembly *a);
PetscErrorCode LeanAssemblyResidual(LeanAssembly a, const PetscScalar constants[], Vec locU, Vec locU_t, Vec locF);
PetscErrorCode LeanAssemblyJacobian(LeanAssembly a, const PetscScalar constants[], Vec locU, PetscReal shift, const PetscScalar extra[], Mat J);
PetscErrorCode LeanAssemblyCreateMatrix(LeanAssembly a, DM dm, PetscInt nextra, const PetscInt extra_idx[], Mat *J);
void           LeanAssemblyInvalidate(LeanAssembly a);
PetscErrorCode LeanAssemblyGetEdgeCuts(LeanAssembly a, PetscInt *edges, PetscInt *cut, PetscReal *share);

typedef struct _p_Surface      *Surface;
typedef struct _p_Checkpointer *Checkpointer;
PetscErrorCode SolverCheckpoint(Solver s, Protocol p, PetscInt next_step, PetscReal t, PetscReal done, PetscBool step_end);
PetscErrorCode SolverLoadCheckpoint(Solver s, Protocol p, const char path[], const char where[], PetscInt *first, PetscBool *fresh);
PetscErrorCode SolverCheckpointDestroy(Solver s);
PetscErrorCode SolverCheckpointMark(Solver s, PetscInt k, PetscReal t, PetscReal done);
PetscErrorCode SolverCheckpointInterrupted(Solver s, Protocol p, PetscReal *t);
PetscErrorCode SurfaceCreate(Solver s, Surface *sf);
PetscErrorCode SurfaceDestroy(Surface *sf);
PetscErrorCode SurfaceGetArea(Surface sf, PetscReal *area);
PetscErrorCode SurfaceSetState(Surface sf, Vec locU);
PetscErrorCode SurfaceCurrent(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V, PetscReal *current, PetscReal *dIdV);
PetscErrorCode SurfaceMeans(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal *theta, PetscReal *U);
PetscErrorCode SurfaceSolvePotential(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal i_set, PetscReal *V, PetscBool *found);
PetscErrorCode SurfaceResidual(Surface sf, const PetscScalar c[], PetscBool butler_volmer, PetscReal V, PetscReal flux, Vec locF);
PetscErrorCode SurfaceJacobian(Surface sf, const PetscScalar c[], PetscReal V, Mat J);
PetscErrorCode SurfaceJacobianValues(Surface sf, const PetscScalar c[], PetscReal V, PetscScalar vals[]);
PetscErrorCode SurfaceGetClosures(Surface sf, PetscInt *nfacets, PetscInt *ncl, const PetscInt *idx[]);
PetscErrorCode SurfaceCouplings(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V, Vec locF_V, Vec locI_theta, PetscReal *dIdV);

/* A run warns when the Kirchhoff flux cut more than this share of the mesh's conductance */
#define SOLVER_CUT_SHARE_WARN 0.01

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
  PetscBool       vertex_quadrature; /* P1: D(θ) at the vertices, or at Gauss points */
  PetscBool       kirchhoff;         /* P1: the flux from the vertex values of Φ(θ) = ∫D dθ (lean assembly) */
  LeanAssembly    lean;     /* lean assembly (solver/assemble.c), or NULL for PetscFE's */
  Surface         surface;  /* the boundary condition (NULL for manufactured solutions) */
  SurfaceMode     mode;     /* what the surface does in the current step */
  PetscReal       flux;     /* MODE_FLUX: N/c_max, µm/s */
  PetscReal       i_set;    /* MODE_GALVANOSTATIC: mean current density, A/m² (> 0 charge) */
  PetscReal       V;        /* electrode potential vs Li/Li+: set (potentiostatic) or solved (galvanostatic), V */
  Mat             J;        /* the assembled Jacobian (also the preconditioning matrix) */
  PetscScalar    *surface_jac; /* [facets][ncl][ncl] the surface's Jacobian blocks (lean assembly) */
  Mat             Jshell;   /* J + u vᵀ for galvanostatic Butler–Volmer steps */
  Vec             coupling_u, coupling_v, loc_u, loc_v; /* u = ∂F/∂V, v = dV/dθ */
  PetscReal       dt_initial, dt_max; /* s */
  PetscReal       newton_tol;         /* Newton stops once its update is this fraction of the step's error tolerance */
  NormType        err_norm;           /* TSAdapt's norm of the step error: NORM_INFINITY (the default) or NORM_2 (RMS) */
  PetscBool       proportional;       /* -solver_error_control proportional (the default) or classic */
  PetscReal       rtol_step, atol_step; /* the tolerances TS gets: those asked for, tightened below RTOL_KNEE (proportional) */
  PetscReal       newton_update;      /* the last Newton update in the time-error norm */
  PetscReal       shift;              /* ∂θ_t/∂θ of the current step (1/s), from the last Jacobian */
  PetscInt        tiny_steps;         /* consecutive accepted steps too short to make progress */
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
  PetscReal       progress_done_restart;             /* s of protocol done before a restart */
  PetscReal       c_max_cached;                      /* mol/m³ */
  PetscReal       mean_at_step_start;                /* mean θ when the step began */
  PetscReal       i_prev;                            /* mean current density at the last accepted step, A/m² */
  PetscReal       V_prev, t_prev;                    /* cell voltage and time of the last accepted step */
  PetscReal       dt_next;                           /* the time step the integrator proposes next, s */
  PetscInt        current_step;                      /* protocol step being run */
  PetscBool       resume_mid_step;                   /* a restart inside a step */
  Checkpointer    checkpointer;                      /* NULL: no checkpoints */
  PetscInt        segment_steps;                     /* accepted time steps per TSSolve segment */
  PetscInt        interrupted;                       /* the signal that stopped the run, or 0 */
  PetscReal       t_interrupted, t_restart;          /* when it stopped; its checkpoint's time (NAN: none) */
  SolverParticles particles;                         /* solver/population.c */
  PetscReal      *particle_work;                     /* [N] */
};

struct _p_Simulation {
  MPI_Comm comm;
  Physics  phys;
  Solver   solver;
  Protocol protocol;
  MeshInfo info;
  PetscReal theta0;
  PetscBool from_checkpoint;
  PetscInt  first_step;  /* where the protocol starts (a restart) */
  PetscBool fresh;       /* the protocol starts anew */
};

struct _p_Protocol {
  PetscInt  nsteps;
  StepSpec *steps;
};

PetscErrorCode SolverParticlesSetUp(Solver s);
PetscErrorCode SolverParticlesDestroy(Solver s);
PetscErrorCode SurfaceSetParticles(Surface sf, Solver s);
PetscErrorCode SurfaceParticleSums(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscBool butler_volmer, PetscReal V, PetscInt n, PetscReal sums[]);
PetscErrorCode SurfaceSetResistances(Surface sf, PetscInt n, const PetscReal R[], const PetscReal A[]);
PetscErrorCode SurfacePrepare(Surface sf, MPI_Comm comm, const PetscScalar c[], PetscReal V);
PetscErrorCode SurfaceGetParticleCouplings(Surface sf, const PetscReal **cfac, const PetscReal **dIk, const PetscReal **g, const PetscReal **phi);
PetscBool      SurfaceHasResistances(Surface sf);
PetscErrorCode LeanAssemblySetParticles(LeanAssembly a, const SolverParticles *p, PetscInt nlocal);
PetscErrorCode SolverNotify(Solver s, SolverEvent e);
PetscErrorCode SolverRunProtocolFrom(Solver s, Protocol p, PetscInt first, PetscBool fresh);

#endif
