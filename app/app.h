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

/* Load the document argv[0] (usage: the message when there is none) and name the output
   directory: subdir beside the document, or the option */
PetscErrorCode AppLoadDocument(MPI_Comm comm, int argc, char **argv, const char usage[], const char subdir[], const char option[], char outdir[], size_t len);
/* Once every input is checked: create the output directory, prove it writable and lock it
   against a second run (which then refuses with one line); unlock when done (only rank 0 holds it) */
typedef struct _p_AppOutputLock *AppOutputLock;
PetscErrorCode AppLockOutputDirectory(MPI_Comm comm, const char option[], const char outdir[], AppOutputLock *lock);
PetscErrorCode AppUnlockOutputDirectory(AppOutputLock *lock, PetscBool failed); /* failed: remove the folders made for it, if empty */

#endif
