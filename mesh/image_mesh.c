/* Image to mesh: placeholder until the image pipeline (issue 3) lands. */
#include "mesh/meshimpl.h"

PetscErrorCode MeshImageWrite(MPI_Comm comm, const char path[])
{
  PetscFunctionBeginUser;
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "meshing from an image is not available yet: mesh the image with Gmsh and give <mesh><file>");
}
