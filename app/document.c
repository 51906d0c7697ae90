/* What spot run, spot compare and spot fit do first: load the input document named by the first
   argument and settle the output directory (default SUBDIR beside the document, or OPTION); and,
   once every input is checked, create that directory and lock it for the run. */
#include "app/app.h"
#include "input/input.h"
#include "files/files.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  FileLock lock;                        /* rank 0's */
  char     dir[PETSC_MAX_PATH_LEN];     /* the output directory */
  char     created[PETSC_MAX_PATH_LEN]; /* the topmost folder spot made for it ("" if none) */
};

/* The topmost folder of dir that does not exist yet ("" if dir exists) */
static void FirstMissing(const char dir[], char missing[], size_t len)
{
  char        path[PETSC_MAX_PATH_LEN];
  struct stat st;

  missing[0] = 0;
  snprintf(path, sizeof(path), "%s", dir);
  while (path[0] && stat(path, &st)) {
    char *slash;
    snprintf(missing, len, "%s", path);
    slash = strrchr(path, '/');
    if (!slash || slash == path) break;
    *slash = 0;
  }
}

PetscErrorCode AppLockOutputDirectory(MPI_Comm comm, const char option[], const char outdir[], AppOutputLock *out)
{
  char        where[PETSC_MAX_PATH_LEN], holder[256] = "", message[PETSC_MAX_PATH_LEN + 512] = "";
  PetscMPIInt rank;
  PetscBool   busy = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(option, where, sizeof(where)));
  PetscCall(PetscNew(out));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) FirstMissing(outdir, (*out)->created, sizeof((*out)->created));
  PetscCall(PetscStrncpy((*out)->dir, outdir, sizeof((*out)->dir)));
  {
    PetscErrorCode ierr = InputCheckWritableDirectory(comm, outdir, where);
    if (ierr) PetscCall(PetscFree(*out));
    PetscCall(ierr);
  }
  if (rank == 0) {
    PetscCall(FileLockDirectory(outdir, &(*out)->lock, holder, sizeof(holder)));
    busy = (*out)->lock ? PETSC_FALSE : PETSC_TRUE;
    if (busy) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: the output directory '%s' is in use by another spot run (%s); wait for it to finish, or choose another directory", where, outdir, holder[0] ? holder : "its holder is unknown"));
  }
  if (busy) PetscCall(PetscFree(*out));
  PetscCall(InputCollectiveError(comm, busy, message));
  PetscFunctionReturn(0);
}

PetscErrorCode AppUnlockOutputDirectory(AppOutputLock *out, PetscBool failed)
{
  PetscFunctionBeginUser;
  if (!*out) PetscFunctionReturn(0);
  PetscCall(FileUnlockDirectory(&(*out)->lock));
  if (failed && (*out)->created[0]) { /* the folders spot made for a run that failed go, if empty */
    char   path[PETSC_MAX_PATH_LEN];
    size_t top = strlen((*out)->created);
    PetscCall(PetscStrncpy(path, (*out)->dir, sizeof(path)));
    while (strlen(path) >= top && !rmdir(path)) {
      char *slash = strrchr(path, '/');
      if (!slash || strlen(path) == top) break;
      *slash = 0;
    }
  }
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(0);
}
