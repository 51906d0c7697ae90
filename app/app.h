/* app: the spot subcommands, each reading like the user's workflow. */
#ifndef SPOT_APP_H
#define SPOT_APP_H

#include <petscsys.h>

#define SPOT_VERSION "0.1.0"

/* argc/argv are the arguments after the subcommand name; help is true for --help/-h */
PetscErrorCode SpotRun(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotSchema(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotMesh(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotGitt(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotSynth(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotCompare(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotFit(MPI_Comm comm, int argc, char **argv, PetscBool help);

#endif
