/* spot mesh IMAGE: placeholder until the image pipeline (issue 3) lands. */
#include "app/app.h"

PetscErrorCode SpotMesh(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  PetscFunctionBeginUser;
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "spot mesh is not available yet");
}
