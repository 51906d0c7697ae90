/* Private to mesh/: the Gmsh adapter shared by the shape, file and image meshers.

   Gmsh reports failures through an int *ierr and its logger; GmshCall turns them into PETSc
   errors carrying Gmsh's last message:  GmshCall(tag = gmshModelOccAddDisk(..., GIERR)); */
#ifndef SPOT_MESHIMPL_H
#define SPOT_MESHIMPL_H

#include "mesh/mesh.h"
#include <gmshc.h>
#include <stdio.h>

void           GmshLastError(char buf[], size_t len);
PetscErrorCode GmshStart(void);

#define GmshCall(call) \
  do { \
    int gmsh_ierr_ = 0; \
    call; \
    if (gmsh_ierr_) { \
      char gmsh_msg_[1024]; \
      GmshLastError(gmsh_msg_, sizeof(gmsh_msg_)); \
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh failed in %s: %s", #call, gmsh_msg_); \
    } \
  } while (0)
#define GIERR &gmsh_ierr_

/* Collective check that a .msh file is usable (mesh/gmsh.c) */
PetscErrorCode MeshCheckFile(MPI_Comm comm, const char path[]);

/* Mesh the particle of the image given by the -mesh_image_ options into path, a .msh file
   (mesh/image_mesh.c). Collective: rank 0 works, every rank learns the outcome. */
PetscErrorCode MeshImageWrite(MPI_Comm comm, const char path[]);

#endif
