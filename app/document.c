/* What spot run, spot compare and spot fit do first: load the input document named by the first
   argument and settle the output directory (default SUBDIR beside the document, or OPTION); and,
   once every input is checked, create that directory and lock it for the run. */
#include "app/app.h"
#include "input/input.h"
#include "files/files.h"

PetscErrorCode AppLoadDocument(MPI_Comm comm, int argc, char **argv, const char usage[], const char subdir[], const char option[], char outdir[], size_t len)
{
  const char *docdir;

  PetscFunctionBeginUser;
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_USER_INPUT, "%s", usage);
  PetscCheck(argc < 2 || argv[1][0] == '-', comm, PETSC_ERR_USER_INPUT, "one input file at a time: '%s' follows '%s' (%s)", argv[1], argv[0], usage);
  PetscCall(InputLoadXML(comm, argv[0]));
  PetscCall(InputGetDocumentDirectory(&docdir));
  PetscCall(PetscSNPrintf(outdir, len, "%s/%s", docdir, subdir));
  PetscCall(PetscOptionsGetString(NULL, NULL, option, outdir, len, NULL));
  PetscFunctionReturn(0);
}

struct _p_AppOutputLock {
  FileLock lock; /* rank 0's */
};

PetscErrorCode AppLockOutputDirectory(MPI_Comm comm, const char option[], const char outdir[], AppOutputLock *out)
{
  char        where[PETSC_MAX_PATH_LEN], holder[256] = "", message[PETSC_MAX_PATH_LEN + 512] = "";
  PetscMPIInt rank;
  PetscBool   busy = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(option, where, sizeof(where)));
  PetscCall(InputCheckWritableDirectory(comm, outdir, where));
  PetscCall(PetscNew(out));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PetscCall(FileLockDirectory(outdir, &(*out)->lock, holder, sizeof(holder)));
    busy = (*out)->lock ? PETSC_FALSE : PETSC_TRUE;
    if (busy) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: the output directory '%s' is in use by another spot run (%s); wait for it to finish, or choose another directory", where, outdir, holder[0] ? holder : "its holder is unknown"));
  }
  if (busy) PetscCall(PetscFree(*out));
  PetscCall(InputCollectiveError(comm, busy, message));
  PetscFunctionReturn(0);
}

PetscErrorCode AppUnlockOutputDirectory(AppOutputLock *out)
{
  PetscFunctionBeginUser;
  if (!*out) PetscFunctionReturn(0);
  PetscCall(FileUnlockDirectory(&(*out)->lock));
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(0);
}
