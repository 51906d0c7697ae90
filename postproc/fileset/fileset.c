/* The files of one command, all or nothing (PostprocFiles, see fileset.h), and what every writer
   of postproc shares: PostprocWrite (rank 0 writes a few files of a set), CompareOnRankZero
   (rank 0 works, every rank fails alike) and the capture of PETSc errors. */
#include "postproc/fileset/fileset.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------- errors ---------------- */
PetscErrorCode PostprocCaptureErrors(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PostprocCaptured *e = (PostprocCaptured *)ctx;
  if (p == PETSC_ERROR_INITIAL && !e->message[0]) {
    e->code = n;
    snprintf(e->message, sizeof(e->message), "%s", mess ? mess : "error");
  }
  return n;
}

/* fn(ctx) on rank 0 with its errors captured; then every rank fails with its message, or none.
   User errors, failed writes and solvers that did not converge keep their one line; anything
   else is an internal error and says so. */
PetscErrorCode CompareOnRankZero(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx)
{
  PetscMPIInt rank;
  PetscBool   failed        = PETSC_FALSE;
  char        message[1100] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    PostprocCaptured captured = {0, ""};
    PetscErrorCode   ierr;
    PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &captured));
    ierr = fn(ctx);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      failed = PETSC_TRUE;
      if (captured.code == PETSC_ERR_USER_INPUT || captured.code == PETSC_ERR_NOT_CONVERGED || captured.code == PETSC_ERR_FILE_WRITE)
        PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "internal error (code %d): %s", (int)captured.code, captured.message));
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- output files ---------- */
/* Rank 0 runs write(files, ctx), which opens, writes and completes files of the set; with files
   NULL, a set of their own, published at once. Collective on comm. */
typedef struct {
  PostprocFiles files;
  PetscErrorCode (*write)(PostprocFiles, void *);
  void *ctx;
} WriteJobCtx;

static PetscErrorCode WriteJob(void *ctx)
{
  WriteJobCtx *job = (WriteJobCtx *)ctx;

  PetscFunctionBeginUser;
  PetscCall(job->write(job->files, job->ctx));
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocWrite(MPI_Comm comm, PostprocFiles files, PetscErrorCode (*write)(PostprocFiles, void *), void *ctx)
{
  WriteJobCtx    job = {files, write, ctx};
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (files) {
    PetscCall(CompareOnRankZero(comm, WriteJob, &job));
    PetscFunctionReturn(0);
  }
  PetscCall(PostprocFilesCreate(comm, &job.files));
  ierr = CompareOnRankZero(comm, WriteJob, &job);
  if (!ierr) ierr = PostprocFilesPublish(job.files);
  PetscCall(PostprocFilesDestroy(&job.files)); /* removes the temporaries after a failure */
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* A command's outputs, all or nothing (see fileset.h). Rank 0 holds the state. */
#define POSTPROC_FILES_HELD 200 /* temporaries kept at once (files/ registers 256 for interrupts) */

typedef struct {
  FileOut   f;
  PetscBool complete;
  char      path[PETSC_MAX_PATH_LEN], what[32];
} HeldFile;

typedef struct {
  char path[PETSC_MAX_PATH_LEN];
} NamedFile;

struct _p_PostprocFiles {
  MPI_Comm    comm;
  PetscMPIInt rank;
  HeldFile    held[POSTPROC_FILES_HELD]; /* written or being written, not yet published, in order */
  PetscInt    nheld;
  NamedFile  *early; /* published before the others: more than POSTPROC_FILES_HELD files */
  PetscInt    nearly, capearly;
};

/* "cannot write 'x': ..." of files/ as "cannot write <what> 'x': ..." */
static PetscErrorCode Reword(const char message[], const char what[], char out[], size_t len)
{
  static const char prefix[] = "cannot write '";
  const size_t      n        = sizeof(prefix) - 1;

  PetscFunctionBeginUser;
  if (what && what[0] && !strncmp(message, prefix, n))
    PetscCall(PetscSNPrintf(out, len, "cannot write %s '%s", what, message + n));
  else
    PetscCall(PetscStrncpy(out, message, len));
  PetscFunctionReturn(0);
}

/* Raise a captured error again: a failed write in the words of the file's kind */
static PetscErrorCode Reraise(PetscErrorCode ierr, const PostprocCaptured *cap, const char what[])
{
  char message[sizeof(cap->message) + 64];

  PetscFunctionBeginUser;
  if (!ierr) PetscFunctionReturn(0);
  PetscCall(Reword(cap->message, what, message, sizeof(message)));
  SETERRQ(PETSC_COMM_SELF, cap->code ? cap->code : ierr, "%s", message);
}

PetscErrorCode PostprocFilesCreate(MPI_Comm comm, PostprocFiles *files)
{
  PostprocFiles s;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  s->comm = comm;
  PetscCallMPI(MPI_Comm_rank(comm, &s->rank));
  *files = s;
  PetscFunctionReturn(0);
}

static PetscErrorCode Remember(NamedFile **list, PetscInt *n, PetscInt *cap, const char path[])
{
  PetscFunctionBeginUser;
  if (*n == *cap) {
    NamedFile *more;
    *cap = *cap ? 2 * *cap : 8;
    PetscCall(PetscMalloc1(*cap, &more));
    if (*n) PetscCall(PetscArraycpy(more, *list, *n));
    PetscCall(PetscFree(*list));
    *list = more;
  }
  PetscCall(PetscStrncpy((*list)[*n].path, path, PETSC_MAX_PATH_LEN));
  ++*n;
  PetscFunctionReturn(0);
}

static PetscBool Named(PostprocFiles s, const char path[])
{
  for (PetscInt i = 0; i < s->nheld; ++i)
    if (!strcmp(s->held[i].path, path)) return PETSC_TRUE;
  for (PetscInt i = 0; i < s->nearly; ++i)
    if (!strcmp(s->early[i].path, path)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Publish the oldest complete file before its time, to make room */
static PetscErrorCode PublishEarly(PostprocFiles s)
{
  PetscInt         k   = 0;
  PostprocCaptured cap = {0, ""};
  PetscErrorCode   ierr;
  HeldFile         h;

  PetscFunctionBeginUser;
  while (k < s->nheld && !s->held[k].complete)
    ++k;
  PetscCheck(k < s->nheld, PETSC_COMM_SELF, PETSC_ERR_PLIB, "more than %d output files open at once", POSTPROC_FILES_HELD);
  h = s->held[k];
  for (PetscInt i = k; i + 1 < s->nheld; ++i)
    s->held[i] = s->held[i + 1];
  --s->nheld;
  PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
  ierr = FileOutPublish(&h.f);
  PetscCall(PetscPopErrorHandler());
  PetscCall(Reraise(ierr, &cap, h.what));
  PetscCall(Remember(&s->early, &s->nearly, &s->capearly, h.path));
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocFilesOpen(PostprocFiles s, const char path[], const char what[], FileOut *f)
{
  PostprocCaptured cap = {0, ""};
  PetscErrorCode   ierr;
  HeldFile        *h;

  PetscFunctionBeginUser;
  *f = NULL;
  PetscCheck(s->rank == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "output files are written on rank 0");
  PetscCheck(!Named(s, path), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "two outputs of this command would both be '%s'; give them different names", path);
  if (s->nheld == POSTPROC_FILES_HELD) PetscCall(PublishEarly(s));
  h = &s->held[s->nheld];
  PetscCall(PetscMemzero(h, sizeof(*h)));
  PetscCall(PetscStrncpy(h->path, path, sizeof(h->path)));
  PetscCall(PetscStrncpy(h->what, what ? what : "", sizeof(h->what)));
  PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
  ierr = FileOutCreate(path, &h->f);
  PetscCall(PetscPopErrorHandler());
  PetscCall(Reraise(ierr, &cap, what));
  ++s->nheld;
  *f = h->f;
  PetscFunctionReturn(0);
}

static PetscErrorCode Held(PostprocFiles s, FileOut f, HeldFile **h)
{
  PetscFunctionBeginUser;
  *h = NULL;
  for (PetscInt i = 0; i < s->nheld; ++i)
    if (s->held[i].f == f) *h = &s->held[i];
  PetscCheck(*h, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "not a file of this set");
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocFilesComplete(PostprocFiles s, FileOut f)
{
  HeldFile *h;
  PetscBool failed;
  char      message[PETSC_MAX_PATH_LEN + 256], reworded[PETSC_MAX_PATH_LEN + 320];

  PetscFunctionBeginUser;
  PetscCall(Held(s, f, &h));
  PetscCall(FileOutClose(f)); /* flushed, synced and closed: no descriptor stays open */
  PetscCall(FileOutFailed(f, &failed, message, sizeof(message)));
  PetscCall(Reword(message, h->what, reworded, sizeof(reworded)));
  PetscCheck(!failed, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", reworded);
  h->complete = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* A complete file made elsewhere moves into the temporary of a new file of the set: an interrupt
   removes it from then on, and it is published with the others */
PetscErrorCode PostprocFilesAdopt(PostprocFiles s, const char made[], const char path[], char temporary[], size_t len)
{
  FileOut     f;
  const char *tmp;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(s, path, NULL, &f));
  PetscCall(FileOutGetPath(f, NULL, &tmp));
  if (rename(made, tmp)) PetscCall(FileOutSetFailed(f, errno));
  PetscCall(PostprocFilesComplete(s, f));
  PetscCall(PetscStrncpy(temporary, tmp, len));
  PetscFunctionReturn(0);
}

typedef struct {
  PostprocFiles files;
  const char   *dir;
  char          mesh[PETSC_MAX_PATH_LEN];
} MeshJob;

/* The mesh spot makes in dir, removed by an interrupt until it is adopted or removed */
PetscErrorCode PostprocMeshRemoveOnSignal(const char dir[], PetscBool remove)
{
  char      generated[PETSC_MAX_PATH_LEN];
  PetscBool made;

  PetscFunctionBeginUser;
  PetscCall(PostprocMeshGenerated(&made));
  if (remove && !made) PetscFunctionReturn(0); /* a mesh file of the user's is never removed */
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, dir));
  PetscCall(FileRemoveOnSignal(generated, remove));
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_TABLE_NAME, dir));
  PetscCall(FileRemoveOnSignal(generated, remove));
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocMeshRemove(const char dir[])
{
  char path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/" MESH_GENERATED_NAME, dir));
  (void)remove(path);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/" MESH_GENERATED_TABLE_NAME, dir));
  (void)remove(path);
  PetscFunctionReturn(0);
}

/* Did spot make the command's mesh (a shape or an image meshed, or a given mesh refined)? Not a
   mesh file of the user's, which may even have the generated name */
PetscErrorCode PostprocMeshGenerated(PetscBool *generated)
{
  PetscBool file;
  PetscInt  refine = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_file", &file));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_refine", &refine, NULL));
  *generated = !file || refine > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

static PetscErrorCode AdoptMesh(void *ctx)
{
  MeshJob *job = (MeshJob *)ctx;
  char     generated[PETSC_MAX_PATH_LEN], kept[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, job->dir));
  PetscCall(PetscSNPrintf(kept, sizeof(kept), "%s/mesh.msh", job->dir));
  if (!access(generated, F_OK)) PetscCall(PostprocFilesAdopt(job->files, generated, kept, job->mesh, sizeof(job->mesh)));
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_TABLE_NAME, job->dir));
  PetscCall(PetscSNPrintf(kept, sizeof(kept), "%s/" MESH_KEPT_TABLE_NAME, job->dir));
  if (!access(generated, F_OK)) {
    char temporary[PETSC_MAX_PATH_LEN];
    PetscCall(PostprocFilesAdopt(job->files, generated, kept, temporary, sizeof(temporary)));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocFilesAdoptMesh(PostprocFiles files, const char dir[], char mesh[], size_t len)
{
  MeshJob job;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&job, sizeof(job)));
  job.files = files;
  job.dir   = dir;
  PetscCall(CompareOnRankZero(files->comm, AdoptMesh, &job));
  PetscCallMPI(MPI_Bcast(job.mesh, sizeof(job.mesh), MPI_CHAR, 0, files->comm));
  if (mesh) PetscCall(PetscStrncpy(mesh, job.mesh, len));
  PetscFunctionReturn(0);
}

/* Rank 0: remove what the set made (published in this round or before its time too) */
static PetscErrorCode RemoveAll(PostprocFiles s, const NamedFile done[], PetscInt ndone)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ndone; ++i)
    unlink(done[i].path);
  for (PetscInt i = 0; i < s->nheld; ++i)
    PetscCall(FileOutDiscard(&s->held[i].f));
  for (PetscInt i = 0; i < s->nearly; ++i)
    unlink(s->early[i].path);
  s->nheld = s->nearly = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode PublishOnRankZero(PostprocFiles s, char message[], size_t len, PetscBool *failed)
{
  NamedFile *done;
  PetscInt   ndone = 0;

  PetscFunctionBeginUser;
  *failed = PETSC_FALSE;
  /* everything complete, and no directory in the way: found before anything is renamed */
  for (PetscInt i = 0; i < s->nheld && !*failed; ++i) {
    char text[PETSC_MAX_PATH_LEN + 256];
    PetscCheck(s->held[i].complete, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "'%s' is not complete", s->held[i].path);
    PetscCall(FileOutFailed(s->held[i].f, failed, text, sizeof(text)));
    if (*failed) PetscCall(Reword(text, s->held[i].what, message, len));
  }
  for (PetscInt i = 0; i < s->nheld && !*failed; ++i) {
    const char *path = s->held[i].path, *what = s->held[i].what;
    struct stat st;
    if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
      *failed = PETSC_TRUE;
      PetscCall(PetscSNPrintf(message, len, "cannot write %s%s'%s': a directory of that name is in the way", what, what[0] ? " " : "", path));
    }
  }
  PetscCall(PetscMalloc1(s->nheld + 1, &done));
  while (!*failed && s->nheld) { /* in order; each flushed, synced, closed and renamed */
    PostprocCaptured cap = {0, ""};
    PetscErrorCode   ierr;
    HeldFile         h = s->held[0];
    for (PetscInt i = 0; i + 1 < s->nheld; ++i)
      s->held[i] = s->held[i + 1];
    --s->nheld;
    PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
    ierr = FileOutPublish(&h.f); /* removes its temporary if it fails */
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      *failed = PETSC_TRUE;
      PetscCall(Reword(cap.message, h.what, message, len));
    } else
      PetscCall(PetscStrncpy(done[ndone++].path, h.path, PETSC_MAX_PATH_LEN));
  }
  if (*failed)
    PetscCall(RemoveAll(s, done, ndone));
  else
    s->nearly = 0;
  PetscCall(PetscFree(done));
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocFilesPublish(PostprocFiles s)
{
  PetscBool failed        = PETSC_FALSE;
  char      message[1100] = "";

  PetscFunctionBeginUser;
  if (s->rank == 0) {
    PostprocCaptured cap = {0, ""};
    PetscErrorCode   ierr;
    PetscCall(PetscPushErrorHandler(PostprocCaptureErrors, &cap));
    ierr = PublishOnRankZero(s, message, sizeof(message), &failed);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(RemoveAll(s, NULL, 0));
      failed = PETSC_TRUE;
      PetscCall(PetscSNPrintf(message, sizeof(message), "internal error (code %d): %s", (int)cap.code, cap.message));
    }
  }
  PetscCall(InputCollectiveError(s->comm, failed, message));
  PetscFunctionReturn(0);
}

PetscErrorCode PostprocFilesDestroy(PostprocFiles *files)
{
  PostprocFiles s = *files;

  PetscFunctionBeginUser;
  if (!s) PetscFunctionReturn(0);
  if (s->rank == 0) PetscCall(RemoveAll(s, NULL, 0));
  PetscCall(PetscFree(s->early));
  PetscCall(PetscFree(s));
  *files = NULL;
  PetscFunctionReturn(0);
}
