/* Collective checks and one-line user errors.

   User mistakes are raised with PETSC_ERR_USER_INPUT and a message that names the file, line
   or option; a run that cannot continue (PETSC_ERR_NOT_CONVERGED) and a write that failed
   (PETSC_ERR_FILE_WRITE, files/files.h) are reported the same way. The error handler below keeps the first such message and stays silent, so the
   driver can print exactly one line; any other error gets PETSc's usual traceback. Checks
   that only one rank can make (files read on rank 0) go through InputCollectiveError so
   that every rank fails together instead of hanging. */
#include "input/input.h"
#include "files/files.h"
#include <limits.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <time.h>

static char user_error[2048] = "";

static PetscErrorCode SpotErrorHandler(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) FileNoteFailure(PETSC_TRUE); /* the folders this command made go at exit */
  if ((n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_NOT_CONVERGED || n == PETSC_ERR_FILE_WRITE) && p == PETSC_ERROR_INITIAL) {
    if (!user_error[0]) snprintf(user_error, sizeof(user_error), "%s", mess ? mess : "invalid input");
    return n;
  }
  /* PETSc's own options: a type that does not exist (-ts_type foo), a value of the wrong kind */
  if (p == PETSC_ERROR_INITIAL && (n == PETSC_ERR_ARG_UNKNOWN_TYPE || (func && !strncmp(func, "PetscOptions", 12)))) {
    if (!user_error[0]) snprintf(user_error, sizeof(user_error), "a PETSc option is wrong: %s%s", mess ? mess : "invalid value", n == PETSC_ERR_ARG_UNKNOWN_TYPE ? " (-help lists the types)" : "");
    return n;
  }
  /* a factorisation package asked for (-pc_factor_mat_solver_type) that cannot factor this matrix
     here (spot's defaults never ask for one it lacks) */
  if (p == PETSC_ERROR_INITIAL && n == PETSC_ERR_MISSING_FACTOR) {
    if (!user_error[0]) snprintf(user_error, sizeof(user_error), "a PETSc option is wrong: %s (the solver package asked for cannot factor this matrix here: choose another -pc_factor_mat_solver_type, or drop it)", mess ? mess : "no factorisation");
    return n;
  }
  if (user_error[0]) return n; /* unwinding a user error: stay quiet */
  return PetscTraceBackErrorHandler(comm, line, func, file, n, p, mess, ctx);
}

PetscErrorCode InputPushErrorHandler(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(SpotErrorHandler, NULL));
  PetscFunctionReturn(0);
}

void InputClearUserError(void)
{
  user_error[0] = 0;
  FileNoteFailure(PETSC_FALSE);
}

PetscErrorCode InputLastUserError(const char **message)
{
  PetscFunctionBeginUser;
  *message = user_error[0] ? user_error : NULL;
  PetscFunctionReturn(0);
}

/* Every rank learns whether any rank failed; all raise the message of the lowest failing rank */
PetscErrorCode InputCollectiveError(MPI_Comm comm, PetscBool failed_here, const char message[])
{
  PetscMPIInt rank, size, mine, first;
  char        text[1024];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  mine = failed_here ? rank : size;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(0);
  if (rank == first) PetscCall(PetscStrncpy(text, message ? message : "invalid input", sizeof(text)));
  PetscCallMPI(MPI_Bcast(text, sizeof(text), MPI_CHAR, first, comm));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", text);
}

/* Size in words a reader understands: "12.5 MB" */
static void HumanBytes(double bytes, char buf[], size_t len)
{
  const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
  int         u       = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  snprintf(buf, len, u ? "%.3g %s" : "%.0f %s", bytes, units[u]);
}

/* A file about to be read: named, a regular file (a directory, FIFO or device would hang or feed
   a reader without end), openable, and at most max_bytes long (0: no limit) */
PetscErrorCode InputCheckFile(MPI_Comm comm, const char path[], const char what[], size_t max_bytes)
{
  PetscMPIInt rank;
  char        message[1024] = "";
  PetscBool   failed = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;
    FILE       *fp;
    failed = PETSC_TRUE;
    errno  = 0;
    if (!path || !path[0]) PetscCall(PetscSNPrintf(message, sizeof(message), "no %s given", what));
    else if (stat(path, &st)) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot read %s '%s': %s", what, path, strerror(errno)));
    else if (S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot read %s '%s': is a directory", what, path));
    else if (!S_ISREG(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot read %s '%s': not a regular file (%s)", what, path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device"));
    else if (max_bytes && (size_t)st.st_size > max_bytes) {
      char size[32], cap[32];
      HumanBytes((double)st.st_size, size, sizeof(size));
      HumanBytes((double)max_bytes, cap, sizeof(cap));
      PetscCall(PetscSNPrintf(message, sizeof(message), "%s '%s' is %s, more than the %s spot reads as a %s", what, path, size, cap, what));
    } else if (!(fp = fopen(path, "r"))) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot read %s '%s': %s", what, path, strerror(errno)));
    else {
      fclose(fp);
      failed = PETSC_FALSE;
      PetscCall(FileRegisterInput(path, what)); /* no output of this command may replace it */
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscFunctionReturn(0);
}

/* A file the command will write must not replace one it reads: "argument -o: 'p.png' would
   overwrite the input image 'p.png'; give the output another name" */
PetscErrorCode InputCheckOutputFile(MPI_Comm comm, const char path[], const char where[])
{
  PetscMPIInt rank;
  char        message[2 * PETSC_MAX_PATH_LEN + 256] = "";
  const char *what = NULL, *name = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && path && path[0]) {
    PetscCall(FileGetInput(path, &what, &name));
    if (what) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: '%s' would overwrite the %s '%s' that spot reads; give the output another name", where, path, what, name));
  }
  PetscCall(InputCollectiveError(comm, what ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}

PetscErrorCode InputCheckInputAndOutputs(MPI_Comm comm, const char input[], const char what[], size_t max_bytes, PetscInt n, const char *const outputs[], const char *const wheres[])
{
  PetscFunctionBeginUser;
  PetscCall(InputCheckFile(comm, input, what, max_bytes));
  for (PetscInt i = 0; i < n; ++i) PetscCall(InputCheckOutputFile(comm, outputs[i], wheres[i]));
  PetscFunctionReturn(0);
}

PetscErrorCode InputCheckReadable(MPI_Comm comm, const char path[], const char what[])
{
  PetscFunctionBeginUser;
  PetscCall(InputCheckFile(comm, path, what, 0));
  PetscFunctionReturn(0);
}

/* Create dir (and parents) if needed and prove it writable by creating and removing a file. A
   path too long, or with a name too long, is refused before any folder is made; the folders made
   are removed again if the command fails (files/files.h FileMakeDirectory). */
PetscErrorCode InputCheckWritableDirectory(MPI_Comm comm, const char dir[], const char where[])
{
  PetscMPIInt rank;
  char        message[1024] = "";
  PetscBool   failed = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    const size_t room = 64; /* for the names of the files in it ("<name>.<random>.part.png") */
    size_t       len  = dir ? strlen(dir) : 0, longest = 0, start = 0, at = 0;
    int          e    = 0;
    for (size_t i = 0; i <= len; ++i) {
      if (i < len && dir[i] != '/') continue;
      if (i - start > longest) {
        longest = i - start;
        at      = start;
      }
      start = i + 1;
    }
    failed = PETSC_TRUE;
    if (len + room >= PATH_MAX) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: output directory '%.64s...' is too long: more than %d characters (a path has at most %d, and the files in it need room for their names)", where, dir, (int)(PATH_MAX - 1 - room), PATH_MAX - 1));
    else if (longest > NAME_MAX) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: output directory '%.64s...': the name '%.32s...' is %zu characters long, more than the %d a file name may have", where, dir, dir + at, longest, NAME_MAX));
    else {
      PetscCall(FileMakeDirectory(dir, &e));
      if (e) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: output directory '%s' is not writable: %s", where, dir, strerror(e)));
    }
    if (!message[0]) {
      int err;
      PetscCall(FileDirectoryWritable(dir, &err));
      if (err) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: output directory '%s' is not writable: %s", where, dir, strerror(err)));
      else failed = PETSC_FALSE;
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscFunctionReturn(0);
}
