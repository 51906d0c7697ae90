/* A run assembled from the options: what spot run, spot synth and spot fit share.

   Order: the material and the initial state first (no mesh needed, so bad values fail before
   any file is written), then the mesh, the solver and the protocol. Summaries go to viewer
   (NULL: quiet, as for the many runs of a fit). */
#include "solver/solverimpl.h"
#include "input/input.h"

PetscErrorCode SimulationCreate(MPI_Comm comm, const char workdir[], PetscViewer viewer, Simulation *out)
{
  Simulation sim;
  DM         dm;
  PetscBool  set;
  char       where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&sim));
  sim->comm = comm;
  PetscCall(PhysicsCreate(comm, &sim->phys));
  PetscCall(PhysicsSetFromOptions(sim->phys));
  PetscCall(InputGetQuantity("-init_theta", UNIT_NONE, &sim->theta0, &set));
  if (!set) { /* the θ in equilibrium with a voltage */
    PetscReal V;
    PetscCall(InputGetQuantity("-init_voltage", UNIT_POTENTIAL, &V, &set));
    if (set) {
      PetscCall(InputOptionWhere("-init_voltage", where, sizeof(where)));
      PetscCall(PhysicsInvertOCP(sim->phys, V, where, &sim->theta0));
    }
  }
  PetscCall(PetscOptionsHasName(NULL, NULL, "-init_checkpoint_file", &sim->from_checkpoint));
  PetscCheck(set || sim->from_checkpoint, comm, PETSC_ERR_USER_INPUT, "no initial state: give <initial><theta> (the uniform starting Li site fraction), <initial><voltage> or <initial><checkpoint>, or -init_theta");
  PetscCall(InputOptionWhere("-init_theta", where, sizeof(where)));
  PetscCheck(sim->from_checkpoint || (sim->theta0 >= 0 && sim->theta0 <= 1), comm, PETSC_ERR_USER_INPUT, "%s: the initial theta must be in [0, 1], got %g", where, (double)sim->theta0);

  {
    static PetscLogStage stage = -1;
    if (stage < 0) PetscCall(PetscLogStageRegister("Mesh", &stage));
    PetscCall(PetscLogStagePush(stage));
    PetscCall(MeshCreateFromOptions(comm, workdir, &dm));
    PetscCall(PetscLogStagePop());
  }
  PetscCall(MeshGetInfo(dm, &sim->info));
  if (viewer) PetscCall(MeshInfoView(&sim->info, viewer));
  if (viewer) PetscCall(PhysicsView(sim->phys, viewer));
  PetscCall(SolverCreate(dm, sim->phys, &sim->solver));
  PetscCall(DMDestroy(&dm));
  if (viewer) PetscCall(SolverView(sim->solver, viewer));
  if (viewer) PetscCall(SolverParticlesView(sim->solver, viewer));
  if (!sim->from_checkpoint) PetscCall(SolverSetInitialUniform(sim->solver, sim->theta0));
  PetscCall(ProtocolCreateFromOptions(sim->solver, &sim->protocol));
  sim->fresh = PETSC_TRUE;
  if (sim->from_checkpoint) {
    char path[PETSC_MAX_PATH_LEN];
    PetscCall(PetscOptionsGetString(NULL, NULL, "-init_checkpoint_file", path, sizeof(path), NULL));
    PetscCall(InputOptionWhere("-init_checkpoint_file", where, sizeof(where)));
    PetscCall(SolverLoadCheckpoint(sim->solver, sim->protocol, path, where, &sim->first_step, &sim->fresh));
    if (viewer) PetscCall(PetscViewerASCIIPrintf(viewer, "initial state: the checkpoint %s, %s step %" PetscInt_FMT "\n", path, sim->fresh ? "a new protocol from" : "resuming at", sim->first_step + 1));
  }
  if (viewer) PetscCall(ProtocolView(sim->protocol, viewer));
  *out = sim;
  PetscFunctionReturn(0);
}

PetscErrorCode SimulationGetSolver(Simulation sim, Solver *s)
{
  PetscFunctionBeginUser;
  *s = sim->solver;
  PetscFunctionReturn(0);
}

PetscErrorCode SimulationGetProtocol(Simulation sim, Protocol *p)
{
  PetscFunctionBeginUser;
  *p = sim->protocol;
  PetscFunctionReturn(0);
}

PetscErrorCode SimulationRun(Simulation sim)
{
  PetscFunctionBeginUser;
  PetscCall(SolverRunProtocolFrom(sim->solver, sim->protocol, sim->first_step, sim->fresh));
  PetscFunctionReturn(0);
}

PetscErrorCode SimulationDestroy(Simulation *sim)
{
  PetscFunctionBeginUser;
  if (!*sim) PetscFunctionReturn(0);
  PetscCall(ProtocolDestroy(&(*sim)->protocol));
  PetscCall(SolverDestroy(&(*sim)->solver));
  PetscCall(PhysicsDestroy(&(*sim)->phys));
  PetscCall(PetscFree(*sim));
  PetscFunctionReturn(0);
}
