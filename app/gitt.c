/* spot gitt RECORD.csv: placeholder until the GITT analysis (issue 6) lands. */
#include "app/app.h"

PetscErrorCode SpotGitt(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  PetscFunctionBeginUser;
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "spot gitt is not available yet");
}
