/* What every fuzz target shares: set-up, the input file, the verdict (tests/fuzz/fuzz.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "tests/fuzz/fuzz.h"
#include "input/input.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fuzz_current_input = NULL;

static const char *fuzz_target                  = "fuzz";
static char        fuzz_dir[PETSC_MAX_PATH_LEN] = ""; /* private: inputs in in/, Open MPI's session files in mpi/ */
static char        captured[16384];                   /* PETSc's error output since FuzzBegin */
static size_t      ncaptured = 0;

/* PETSc prints its tracebacks through PetscErrorPrintf: kept here, shown with a finding */
static PetscErrorCode CapturePrintf(const char format[], ...)
{
  va_list ap;
  int     n;

  if (ncaptured + 1 >= sizeof(captured)) return 0;
  va_start(ap, format);
  n = vsnprintf(captured + ncaptured, sizeof(captured) - ncaptured, format, ap);
  va_end(ap);
  if (n > 0) ncaptured = PetscMin(ncaptured + (size_t)n, sizeof(captured) - 1);
  return 0;
}

static int RemoveEntry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st, (void)flag, (void)ftw;
  (void)remove(path); /* best effort */
  return 0;
}

static void RemoveFuzzDir(void)
{
  if (fuzz_dir[0]) nftw(fuzz_dir, RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  fuzz_dir[0] = 0;
}

/* libFuzzer ends its processes with _Exit (a crash, a fork-mode job, the end of a run), past
   atexit: the folders of this target whose process is gone ("spot-<target>-<pid>-XXXXXX") are
   removed when the next one starts */
static void RemoveStaleDirs(const char tmp[], const char target[])
{
  char           prefix[128];
  DIR           *dir = opendir(tmp);
  struct dirent *e;

  if (!dir) return;
  snprintf(prefix, sizeof(prefix), "spot-%s-", target);
  while ((e = readdir(dir))) {
    char *end;
    long  pid;
    char  path[PETSC_MAX_PATH_LEN];
    if (strncmp(e->d_name, prefix, strlen(prefix))) continue;
    pid = strtol(e->d_name + strlen(prefix), &end, 10);
    if (pid <= 0 || *end != '-' || !kill((pid_t)pid, 0) || errno != ESRCH) continue;
    snprintf(path, sizeof(path), "%s/%s", tmp, e->d_name);
    nftw(path, RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
  }
  closedir(dir);
}

void FuzzFinding(const char format[], ...)
{
  va_list ap;

  fprintf(stderr, "\n%s: FINDING%s%s: ", fuzz_target, fuzz_current_input ? " in " : "", fuzz_current_input ? fuzz_current_input : "");
  va_start(ap, format);
  vfprintf(stderr, format, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  if (ncaptured) fprintf(stderr, "%s: PETSc's output for this input:\n%s\n", fuzz_target, captured);
  fflush(stderr);
  RemoveFuzzDir(); /* libFuzzer keeps the input itself */
  abort();
}

int FuzzInitialize(const char target[])
{
  static char    arg0[64], arg1[] = "-no_signal_handler"; /* the sanitizers report crashes, not PETSc */
  static char   *args[] = {arg0, arg1, NULL};
  char         **argv   = args;
  int            argc   = 2;
  char           sub[PETSC_MAX_PATH_LEN + 8];
  const char    *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
  PetscErrorCode ierr;

  fuzz_target = target;
  snprintf(arg0, sizeof(arg0), "%s", target);
  RemoveStaleDirs(tmp, target);
  snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/spot-%s-%ld-XXXXXX", tmp, target, (long)getpid());
  if (!mkdtemp(fuzz_dir)) {
    fprintf(stderr, "%s: cannot make a temporary folder in %s: %s\n", target, tmp, strerror(errno));
    exit(2);
  }
  atexit(RemoveFuzzDir);
  snprintf(sub, sizeof(sub), "%s/in", fuzz_dir);
  if (mkdir(sub, 0700)) FuzzFinding("cannot make %s: %s", sub, strerror(errno));
  /* As app/spot.c: a singleton without Open MPI's helper daemon, with a session folder of its
     own (a fuzzer runs beside other MPI programs) */
  if (!getenv("OMPI_COMM_WORLD_SIZE")) {
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
    snprintf(sub, sizeof(sub), "%s/mpi", fuzz_dir);
    if (!mkdir(sub, 0700)) setenv("OMPI_MCA_orte_tmpdir_base", sub, 0);
  }
  setenv("SCOTCH_PTHREAD_NUMBER", "1", 0);
  ierr = PetscInitialize(&argc, &argv, NULL, NULL);
  if (ierr) {
    fprintf(stderr, "%s: PetscInitialize failed (%d)\n", target, (int)ierr);
    exit(2);
  }
  PetscErrorPrintf = CapturePrintf;
  ierr             = InputPushErrorHandler();
  if (ierr) FuzzFinding("InputPushErrorHandler failed (%d)", (int)ierr);
  return 0;
}

void FuzzBegin(const char name[], const uint8_t *data, size_t size, char path[], size_t len)
{
  size_t done = 0;
  int    fd;

  (void)PetscOptionsClear(NULL); /* the document of the last input set up to 512 options */
  InputClearUserError();
  ncaptured   = 0;
  captured[0] = 0;
  snprintf(path, len, "%s/in/%s", fuzz_dir, name);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) FuzzFinding("harness: cannot write %s: %s", path, strerror(errno));
  while (done < size) {
    const ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) FuzzFinding("harness: cannot write %s: %s", path, strerror(errno));
    done += (size_t)n;
  }
  if (close(fd)) FuzzFinding("harness: cannot write %s: %s", path, strerror(errno));
}

/* Is a kind of finding to be let pass (FUZZ_IGNORE=kind,...: "multiline", "traceback", "printed"),
   to look past a finding already reported? */
static int Ignored(const char kind[])
{
  const char  *list = getenv("FUZZ_IGNORE");
  const size_t n    = strlen(kind);
  for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
    if (strcspn(p, ",") == n && !strncmp(p, kind, n)) return 1;
  return 0;
}

PetscErrorCode FuzzOutcome(PetscErrorCode ierr, const char call[])
{
  const char *message = NULL;

  if (ierr) {
    (void)InputLastUserError(&message);
    if (!message && !Ignored("traceback")) {
      const char *text = NULL;
      (void)PetscErrorMessage(ierr, &text, NULL);
      FuzzFinding("%s failed with PETSc error %d (%s), which spot's error handler does not report as one line: spot would print PETSc's traceback", call, (int)ierr, text ? text : "unknown");
    }
    if (message && (!message[0] || strchr(message, '\n') || strchr(message, '\r')) && !Ignored("multiline")) FuzzFinding("%s refused the input with a message that is not one line: \"%s\"", call, message);
  }
  /* An error the reader handled itself still went through spot's handler when it was raised:
     unless it was a user error, PETSc's traceback was printed (spot's stderr gets it) */
  if (ncaptured && !Ignored("printed")) FuzzFinding("%s %s, but PETSc printed an error traceback on the way (an error other than a user error was raised and handled inside)", call, ierr ? "refused the input cleanly" : "accepted the input");
  /* Is spot's handler still on top? It keeps the first user error's message: raise one */
  InputClearUserError();
  (void)PetscError(PETSC_COMM_SELF, __LINE__, "FuzzOutcome", __FILE__, PETSC_ERR_USER_INPUT, PETSC_ERROR_INITIAL, "fuzz probe");
  (void)InputLastUserError(&message);
  if (!message || strcmp(message, "fuzz probe")) FuzzFinding("after %s, spot's error handler is no longer on top of PETSc's stack (the reader left one of its own pushed)", call);
  InputClearUserError();
  return ierr;
}
