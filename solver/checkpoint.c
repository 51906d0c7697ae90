/* Checkpoints: placeholder until restart lands. */
#include "solver/solverimpl.h"

PetscErrorCode SolverCheckpoint(Solver s, PetscInt next_step, PetscReal t, PetscBool step_end)
{
  PetscFunctionBeginUser;
  if (!s->checkpointer) PetscFunctionReturn(0);
  PetscFunctionReturn(0);
}
