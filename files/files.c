/* Checked writes under unique temporary names, interrupts, and the output-directory lock
   (see files.h). POSIX only: open(2) with O_EXCL | O_NOFOLLOW, rename(2), flock(2), sigaction(2). */
#include "files/files.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define REGISTRY_SLOTS 256
#define LOW_SPACE      (1 << 20) /* bytes: a write that failed with less free space than this met a full disk */

/* ---- temporary files an interrupt must remove ---- */
static char                  registry[REGISTRY_SLOTS][PETSC_MAX_PATH_LEN];
static volatile sig_atomic_t registry_used[REGISTRY_SLOTS];

static int Register(const char path[])
{
  for (int i = 0; i < REGISTRY_SLOTS; ++i) {
    if (registry_used[i]) continue;
    snprintf(registry[i], sizeof(registry[i]), "%s", path);
    registry_used[i] = 1;
    return i;
  }
  return -1; /* not registered: an interrupt would leave it, nothing worse */
}

static void Unregister(int slot)
{
  if (slot >= 0 && slot < REGISTRY_SLOTS) registry_used[slot] = 0;
}

/* ---- inputs, and the files this process published (never inputs of it) ---- */
typedef struct {
  dev_t dev;
  ino_t ino;
  int   ours;     /* published by this process */
  char  what[48]; /* "image", "input file", ... */
  char *name;     /* as the command named it */
} Known;
/* malloc, not PetscMalloc: the registry lives until the process ends, after PetscFinalize */
static Known *known = NULL;
static size_t nknown = 0, known_cap = 0;

static Known *KnownFind(dev_t dev, ino_t ino)
{
  for (size_t i = 0; i < nknown; ++i)
    if (known[i].dev == dev && known[i].ino == ino) return &known[i];
  return NULL;
}

static void KnownAdd(const struct stat *st, int ours, const char name[], const char what[])
{
  Known *k = KnownFind(st->st_dev, st->st_ino);
  if (k) {
    if (ours && !k->ours) k->ours = 1; /* this process replaced it (an inode number used again) */
    return;
  }
  if (nknown == known_cap) {
    size_t cap  = known_cap ? 2 * known_cap : 16;
    Known *more = (Known *)realloc(known, cap * sizeof(Known));
    if (!more) return; /* not registered: no worse than before the registry */
    known     = more;
    known_cap = cap;
  }
  k       = &known[nknown];
  k->dev  = st->st_dev;
  k->ino  = st->st_ino;
  k->ours = ours;
  snprintf(k->what, sizeof(k->what), "%s", what ? what : "file");
  k->name = name ? strdup(name) : NULL;
  ++nknown;
}

PetscErrorCode FileRegisterInput(const char path[], const char what[])
{
  struct stat st;

  PetscFunctionBeginUser;
  if (!path || !path[0]) PetscFunctionReturn(0);
  if (!stat(path, &st)) KnownAdd(&st, 0, path, what); /* the file read */
  if (!lstat(path, &st) && S_ISLNK(st.st_mode)) KnownAdd(&st, 0, path, what); /* the name it was read by */
  PetscFunctionReturn(0);
}

PetscErrorCode FileGetInput(const char path[], const char **what, const char **name)
{
  struct stat st;
  Known      *k;

  PetscFunctionBeginUser;
  *what = NULL;
  if (name) *name = NULL;
  if (!path || !path[0] || lstat(path, &st)) PetscFunctionReturn(0); /* the entry a rename would replace */
  k = KnownFind(st.st_dev, st.st_ino);
  if (!k || k->ours) PetscFunctionReturn(0);
  *what = k->what;
  if (name) *name = k->name ? k->name : path;
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckNotInput(const char path[])
{
  const char *what, *name;

  PetscFunctionBeginUser;
  PetscCall(FileGetInput(path, &what, &name));
  PetscCheck(!what, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write '%s': it would overwrite the %s '%s' that spot reads; give the output another name", path, what, name);
  PetscFunctionReturn(0);
}

/* ---- folders this process made: removed again, if empty, when it fails ---- */
#define MADE_SLOTS 16
typedef struct {
  char           path[PETSC_MAX_PATH_LEN]; /* normalised: no repeated or trailing '/' */
  unsigned short end[PETSC_MAX_PATH_LEN / 2 + 1]; /* the prefixes of path made, shortest first */
  int            n;
} Made;
static Made                  made[MADE_SLOTS];
static volatile sig_atomic_t made_used[MADE_SLOTS];
static volatile sig_atomic_t exit_failed = 0;

/* deepest first; rmdir only removes an empty folder (async-signal-safe: rmdir and plain loops) */
static void RemoveMadeSlot(int slot)
{
  static char buf[PETSC_MAX_PATH_LEN];
  for (int k = made[slot].n - 1; k >= 0; --k) {
    int e = made[slot].end[k];
    for (int i = 0; i < e; ++i) buf[i] = made[slot].path[i];
    buf[e] = 0;
    (void)rmdir(buf);
  }
  made_used[slot] = 0;
}

static void RemoveMade(void)
{
  for (int s = MADE_SLOTS - 1; s >= 0; --s)
    if (made_used[s]) RemoveMadeSlot(s);
}

static void RemoveMadeAtExit(void)
{
  if (exit_failed) RemoveMade();
}

void FileNoteFailure(PetscBool failed)
{
  exit_failed = failed ? 1 : 0;
}

PetscErrorCode FileRemoveMadeDirectories(void)
{
  PetscFunctionBeginUser;
  RemoveMade();
  PetscFunctionReturn(0);
}

PetscErrorCode FileMakeDirectory(const char dir[], int *errnum)
{
  static PetscBool at_exit = PETSC_FALSE;
  char             path[PETSC_MAX_PATH_LEN];
  size_t           n = 0, start = 0;
  int              slot = -1;
  struct stat      st;

  PetscFunctionBeginUser;
  *errnum = 0;
  if (!dir || !dir[0]) {
    *errnum = ENOENT;
    PetscFunctionReturn(0);
  }
  if (strlen(dir) >= sizeof(path)) {
    *errnum = ENAMETOOLONG;
    PetscFunctionReturn(0);
  }
  for (const char *c = dir; *c; ++c)
    if (!(*c == '/' && n && path[n - 1] == '/')) path[n++] = *c;
  while (n > 1 && path[n - 1] == '/') --n;
  path[n] = 0;
  for (size_t i = 0; i <= n; ++i) { /* a component longer than a name may be: before any mkdir */
    if (i < n && path[i] != '/') continue;
    if (i - start > NAME_MAX) {
      *errnum = ENAMETOOLONG;
      PetscFunctionReturn(0);
    }
    start = i + 1;
  }
  if (!at_exit) {
    if (atexit(RemoveMadeAtExit)) PetscCall(PetscInfo(NULL, "cannot register the removal of made folders at exit\n"));
    at_exit = PETSC_TRUE;
  }
  for (int s = 0; s < MADE_SLOTS && slot < 0; ++s)
    if (!made_used[s]) slot = s;
  if (slot >= 0) {
    memcpy(made[slot].path, path, n + 1);
    made[slot].n = 0;
  }
  for (size_t i = 1; i <= n && !*errnum; ++i) { /* mkdir -p */
    if (i < n && path[i] != '/') continue;
    path[i] = 0;
    if (!mkdir(path, 0777)) {
      if (slot >= 0) made[slot].end[made[slot].n++] = (unsigned short)i;
    } else if (errno != EEXIST) *errnum = errno;
    else if (stat(path, &st)) *errnum = errno;
    else if (!S_ISDIR(st.st_mode)) *errnum = ENOTDIR;
    if (i < n) path[i] = '/';
  }
  if (slot >= 0 && made[slot].n) {
    made_used[slot] = 1;
    if (*errnum) RemoveMadeSlot(slot); /* nothing half made is left */
  }
  PetscFunctionReturn(0);
}

/* ---- reasons ---- */
PetscErrorCode FileWriteFailure(const char path[], int errnum, char message[], size_t len)
{
  char           dir[PETSC_MAX_PATH_LEN];
  const char    *slash = strrchr(path, '/');
  struct statvfs vfs;
  PetscBool      full  = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (slash) PetscCall(PetscSNPrintf(dir, sizeof(dir), "%.*s", (int)(slash - path == 0 ? 1 : slash - path), path));
  else PetscCall(PetscStrncpy(dir, ".", sizeof(dir)));
  if (!statvfs(dir, &vfs) && (double)vfs.f_bavail * (double)vfs.f_frsize < LOW_SPACE) full = PETSC_TRUE;
  if (errnum == ENOSPC || (full && (errnum == 0 || errnum == EIO))) PetscCall(PetscSNPrintf(message, len, "cannot write '%s': the disk is full (%s)", path, strerror(ENOSPC)));
  else if (errnum == EDQUOT) PetscCall(PetscSNPrintf(message, len, "cannot write '%s': the disk quota is used up (%s)", path, strerror(errnum)));
  else if (errnum) PetscCall(PetscSNPrintf(message, len, "cannot write '%s': %s", path, strerror(errnum)));
  else PetscCall(PetscSNPrintf(message, len, "cannot write '%s': the write failed", path));
  PetscFunctionReturn(0);
}

/* ---- FileOut ---- */
struct _p_FileOut {
  char  path[PETSC_MAX_PATH_LEN], temporary[PETSC_MAX_PATH_LEN];
  FILE *fp;
  int   slot;
  int   error;  /* errno of the first failure, -1 for a failure without one */
};

static unsigned long Mix(unsigned long h, unsigned long x)
{
  return (h ^ x) * 0x9E3779B97F4A7C15UL + (h >> 17);
}

PetscErrorCode FileOutCreate(const char path[], FileOut *out)
{
  PetscFunctionBeginUser;
  PetscCall(FileOutCreateSuffixed(path, "", out));
  PetscFunctionReturn(0);
}

/* The temporary's name ends in suffix: "<path>.<random>.part<suffix>" */
PetscErrorCode FileOutCreateSuffixed(const char path[], const char suffix[], FileOut *out)
{
  static unsigned long counter = 0;
  static const char    digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  FileOut              f;
  struct timespec      now;
  int                  fd = -1;
  char                 message[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  *out = NULL;
  PetscCheck(path && path[0], PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "no file name to write to");
  PetscCheck(strlen(path) + strlen(suffix) + 16 < PETSC_MAX_PATH_LEN, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write '%.64s...': the path is longer than %d characters", path, PETSC_MAX_PATH_LEN - 16);
  PetscCall(CheckNotInput(path));
  PetscCall(PetscNew(&f));
  f->slot = -1;
  PetscCall(PetscStrncpy(f->path, path, sizeof(f->path)));
  clock_gettime(CLOCK_REALTIME, &now);
  for (int attempt = 0; attempt < 64 && fd < 0; ++attempt) {
    unsigned long h = Mix(Mix(Mix(0x5bd1e995UL, (unsigned long)getpid()), (unsigned long)now.tv_nsec), ++counter);
    char          tag[9];
    for (int k = 0; k < 8; ++k, h /= 36) tag[k] = digits[h % 36];
    tag[8] = 0;
    PetscCall(PetscSNPrintf(f->temporary, sizeof(f->temporary), "%s.%s.part%s", path, tag, suffix));
    fd = open(f->temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    const int e = errno;
    PetscCall(FileWriteFailure(path, e, message, sizeof(message)));
    PetscCall(PetscFree(f));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
  }
  f->slot = Register(f->temporary);
  f->fp   = fdopen(fd, "w");
  if (!f->fp) {
    const int e = errno;
    close(fd);
    unlink(f->temporary);
    Unregister(f->slot);
    PetscCall(FileWriteFailure(path, e, message, sizeof(message)));
    PetscCall(PetscFree(f));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
  }
  *out = f;
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutGetStream(FileOut f, FILE **fp)
{
  PetscFunctionBeginUser;
  *fp = f->fp;
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutGetPath(FileOut f, const char **path, const char **temporary)
{
  PetscFunctionBeginUser;
  if (path) *path = f->path;
  if (temporary) *temporary = f->temporary;
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutSetFailed(FileOut f, int errnum)
{
  PetscFunctionBeginUser;
  if (!f->error) f->error = errnum ? errnum : -1;
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutPrintf(FileOut f, const char fmt[], ...)
{
  va_list args;

  PetscFunctionBeginUser;
  if (f->error || !f->fp) PetscFunctionReturn(0);
  va_start(args, fmt);
  if (vfprintf(f->fp, fmt, args) < 0) PetscCall(FileOutSetFailed(f, errno));
  va_end(args);
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutWrite(FileOut f, const void *data, size_t bytes)
{
  PetscFunctionBeginUser;
  if (f->error || !f->fp || !bytes) PetscFunctionReturn(0);
  if (fwrite(data, 1, bytes, f->fp) != bytes) PetscCall(FileOutSetFailed(f, errno));
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutFlush(FileOut f)
{
  PetscFunctionBeginUser;
  if (f->error || !f->fp) PetscFunctionReturn(0);
  errno = 0;
  if (fflush(f->fp) || ferror(f->fp)) PetscCall(FileOutSetFailed(f, errno));
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutFailed(FileOut f, PetscBool *failed, char message[], size_t len)
{
  PetscFunctionBeginUser;
  if (f->fp && !f->error && ferror(f->fp)) PetscCall(FileOutSetFailed(f, 0));
  *failed = f->error ? PETSC_TRUE : PETSC_FALSE;
  if (message) {
    if (f->error) PetscCall(FileWriteFailure(f->path, f->error > 0 ? f->error : 0, message, len));
    else if (len) message[0] = 0;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutCheck(FileOut f)
{
  PetscBool failed;
  char      message[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  PetscCall(FileOutFailed(f, &failed, message, sizeof(message)));
  PetscCheck(!failed, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
  PetscFunctionReturn(0);
}

PetscErrorCode FileOutDiscard(FileOut *f)
{
  PetscFunctionBeginUser;
  if (!*f) PetscFunctionReturn(0);
  if ((*f)->fp) fclose((*f)->fp);
  unlink((*f)->temporary);
  Unregister((*f)->slot);
  PetscCall(PetscFree(*f));
  PetscFunctionReturn(0);
}

/* Flush, sync and close (each checked; a failure sticks) */
PetscErrorCode FileOutClose(FileOut f)
{
  PetscFunctionBeginUser;
  if (!f->fp) PetscFunctionReturn(0);
  PetscCall(FileOutFlush(f));
  if (!f->error && fsync(fileno(f->fp)) && errno != EINVAL && errno != EROFS) PetscCall(FileOutSetFailed(f, errno));
  errno = 0;
  if (fclose(f->fp) && !f->error) PetscCall(FileOutSetFailed(f, errno));
  f->fp = NULL;
  PetscFunctionReturn(0);
}

/* Close (if still open), then rename into place; on failure nothing is left */
PetscErrorCode FileOutPublish(FileOut *out)
{
  FileOut f = *out;
  char    message[2 * PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  if (!f) PetscFunctionReturn(0);
  PetscCall(FileOutClose(f));
  if (!f->error) { /* an input may have appeared at the path since the FileOut was made */
    const char *what, *name;
    PetscCall(FileGetInput(f->path, &what, &name));
    if (what) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "cannot write '%s': it would overwrite the %s '%s' that spot reads; give the output another name", f->path, what, name));
      PetscCall(FileOutDiscard(out));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
    }
  }
  if (!f->error) {
    struct stat st;
    if (!lstat(f->path, &st) && S_ISDIR(st.st_mode)) f->error = EISDIR;
    else if (rename(f->temporary, f->path)) PetscCall(FileOutSetFailed(f, errno));
    else if (!lstat(f->path, &st)) KnownAdd(&st, 1, NULL, NULL); /* ours: not an input if read back */
  }
  if (f->error) {
    PetscCall(FileWriteFailure(f->path, f->error > 0 ? f->error : 0, message, sizeof(message)));
    if (f->error == EISDIR) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot write '%s': a directory of that name is in the way", f->path));
    PetscCall(FileOutDiscard(out));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
  }
  Unregister(f->slot);
  PetscCall(PetscFree(*out));
  PetscFunctionReturn(0);
}

/* A file made elsewhere that an interrupt must remove too (remove false: no longer) */
PetscErrorCode FileRemoveOnSignal(const char path[], PetscBool remove)
{
  PetscFunctionBeginUser;
  if (remove) {
    if (Register(path) < 0) PetscCall(PetscInfo(NULL, "no room to register %s for removal on a signal\n", path));
  } else
    for (int i = 0; i < REGISTRY_SLOTS; ++i)
      if (registry_used[i] && !strcmp(registry[i], path)) Unregister(i);
  PetscFunctionReturn(0);
}

/* ---- interrupts ---- */
static volatile sig_atomic_t signal_mode     = FILE_SIGNALS_EXIT;
static volatile sig_atomic_t signal_received = 0;
static int                   signal_report   = 1; /* this rank prints the line */

static void RemoveRegistered(void)
{
  for (int i = 0; i < REGISTRY_SLOTS; ++i)
    if (registry_used[i]) unlink(registry[i]);
}

static void OnSignal(int sig)
{
  if (signal_mode == FILE_SIGNALS_DEFER && !signal_received) {
    signal_received = sig;
    return;
  }
  RemoveRegistered();
  RemoveMade(); /* after the files in them */
  if (signal_report) {
    static const char msg_int[]  = "spot: error: interrupted (SIGINT); unfinished files removed\n";
    static const char msg_term[] = "spot: error: terminated (SIGTERM); unfinished files removed\n";
    static const char msg_hup[]  = "spot: error: hung up (SIGHUP); unfinished files removed\n";
    const char       *m          = sig == SIGINT ? msg_int : sig == SIGTERM ? msg_term : msg_hup;
    ssize_t           w          = write(STDERR_FILENO, m, strlen(m));
    (void)w;
  }
  _exit(1);
}

/* Once a signal is noted, PETSc's printing goes nowhere: under mpirun, which stops reading the
   ranks' output when it passes a SIGTERM on, a full pipe would block rank 0 in a write and keep
   it from finishing its files before mpirun's SIGKILL */
static PetscErrorCode (*petsc_vfprintf)(FILE *, const char[], va_list) = NULL;

static PetscErrorCode QuietAfterSignal(FILE *fd, const char format[], va_list args)
{
  if (signal_received) return 0;
  return (*petsc_vfprintf)(fd, format, args);
}

PetscErrorCode FileSignalsSet(FileSignalMode mode)
{
  static PetscBool installed = PETSC_FALSE;
  PetscMPIInt      rank      = 0, init;

  PetscFunctionBeginUser;
  signal_mode = mode;
  if (installed) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Initialized(&init));
  if (init) PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  signal_report = rank == 0;
  {
    struct sigaction sa;
    const int        sigs[] = {SIGINT, SIGTERM, SIGHUP};
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); ++i) PetscCheck(!sigaction(sigs[i], &sa, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the handler of signal %d", sigs[i]);
    sa.sa_handler = SIG_IGN; /* a closed pipe on stdout is reported by the write, not a silent death */
    PetscCheck(!sigaction(SIGPIPE, &sa, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot ignore SIGPIPE");
  }
  petsc_vfprintf = PetscVFPrintf;
  PetscVFPrintf  = QuietAfterSignal;
  installed      = PETSC_TRUE;
  PetscFunctionReturn(0);
}

int FileSignalReceived(void)
{
  return (int)signal_received;
}

/* ---- the output-directory lock ---- */
struct _p_FileLock {
  char path[PETSC_MAX_PATH_LEN];
  int  fd, slot;
};

PetscErrorCode FileLockDirectory(const char dir[], FileLock *out, char holder[], size_t len)
{
  FileLock l;
  char     message[PETSC_MAX_PATH_LEN + 128];

  PetscFunctionBeginUser;
  *out = NULL;
  if (len) holder[0] = 0;
  PetscCall(PetscNew(&l));
  l->slot = -1;
  PetscCall(PetscSNPrintf(l->path, sizeof(l->path), "%s/.spot.lock", dir));
  for (int attempt = 0; attempt < 16; ++attempt) {
    struct stat a, b;
    l->fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (l->fd < 0) {
      const int e = errno;
      PetscCall(FileWriteFailure(l->path, e, message, sizeof(message)));
      if (e == ELOOP) PetscCall(PetscSNPrintf(message, sizeof(message), "cannot lock the output directory '%s': %s is a symbolic link (spot does not follow it)", dir, l->path));
      PetscCall(PetscFree(l));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
    }
    if (flock(l->fd, LOCK_EX | LOCK_NB)) {
      const int e = errno;
      if (e == EWOULDBLOCK) { /* another run holds it: say who */
        ssize_t n = len > 1 ? read(l->fd, holder, len - 1) : 0;
        if (n < 0) n = 0;
        if (len) holder[n] = 0;
        while (n > 0 && (holder[n - 1] == '\n' || holder[n - 1] == ' ')) holder[--n] = 0;
        close(l->fd);
        PetscCall(PetscFree(l));
        PetscFunctionReturn(0);
      }
      close(l->fd);
      PetscCall(PetscFree(l));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot lock the output directory '%s': %s", dir, strerror(e));
    }
    /* the file may have been removed by the run that held it between our open and our lock */
    if (!fstat(l->fd, &a) && !lstat(l->path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
      char      text[256], host[128] = "?";
      time_t    now = time(NULL);
      struct tm tm;
      gethostname(host, sizeof(host) - 1);
      host[sizeof(host) - 1] = 0;
      localtime_r(&now, &tm);
      snprintf(text, sizeof(text), "pid %ld on %s, since ", (long)getpid(), host);
      strftime(text + strlen(text), sizeof(text) - strlen(text), "%Y-%m-%d %H:%M:%S\n", &tm);
      if (ftruncate(l->fd, 0) || write(l->fd, text, strlen(text)) < 0) { /* the lock holds without its note */
      }
      l->slot = Register(l->path);
      *out    = l;
      PetscFunctionReturn(0);
    }
    close(l->fd);
  }
  PetscCall(PetscFree(l));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot lock the output directory '%s': its lock file keeps changing", dir);
}

PetscErrorCode FileUnlockDirectory(FileLock *l)
{
  PetscFunctionBeginUser;
  if (!*l) PetscFunctionReturn(0);
  unlink((*l)->path); /* before the lock goes: a run waiting on this file then sees it is stale */
  close((*l)->fd);
  Unregister((*l)->slot);
  PetscCall(PetscFree(*l));
  PetscFunctionReturn(0);
}

PetscErrorCode FileDirectoryWritable(const char dir[], int *errnum)
{
  char probe[PETSC_MAX_PATH_LEN];
  int  fd;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(probe, sizeof(probe), "%s/.spot-write-test-%d-%ld", dir, (int)getpid(), (long)time(NULL)));
  fd      = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  *errnum = fd < 0 ? errno : 0;
  if (fd >= 0) {
    close(fd);
    unlink(probe);
  }
  PetscFunctionReturn(0);
}
