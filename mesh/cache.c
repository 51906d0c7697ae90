/* The mesh cache: meshes of built-in shapes kept in a directory the user names, so that a run
   of an unchanged shape reads its mesh instead of making it again (-mesh_cache_dir DIR).

   Meshing even a small disc costs a run about 0.5 s of CPU and 50 MB, a third of it only
   loading Gmsh's libraries (mesh/gmsh_dl.c), against a fraction of that for reading the file:
   a series of short runs on one shape (an α sweep, a test suite, a benchmark) pays it each time.
   spot writes nothing outside its output directory unless asked, so the cache is opt-in.

   Key: MeshShapeDescribe (mesh/gmsh.c) writes what determines the mesh as text (the shape, its
   lengths, the cell sizes and boundary layer, -mesh_refine, -mesh_structured, the z stretch of
   the out-of-plane factor, the Gmsh version spot is built against) after MESH_CACHE_FORMAT; its
   64-bit FNV-1a hash (mixed) names the entry, DIR/shape-<16 hex digits>.msh.
   - Hit: the entry is copied into the run's directory (the run keeps it as mesh.msh, as for a
     mesh spot makes) and the copy goes through the same check as any mesh file
     (MeshCheckMshFile) before PETSc reads it. An entry that cannot be read or fails the check is
     ignored with a warning, and the shape is meshed again and stored in its place.
   - Miss: the shape is meshed as without a cache, then copied into the cache under a temporary
     name and renamed (files/files.h): a concurrent run or an interrupt leaves a complete entry or
     none, never half of one. A failed store is a warning; the run goes on with its mesh.
   DIR must exist and be writable (a probe file is made and removed), or the run stops at once
   with one line. Nothing ever deletes entries: remove DIR's files to empty it.

   Bump MESH_CACHE_FORMAT whenever ShapeMesh (mesh/gmsh.c) would make another mesh of the same
   description (an option given to Gmsh, how the groups are named). */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MESH_CACHE_FORMAT 1

/* 64-bit FNV-1a of a text, its bits then mixed (MurmurHash3's finaliser) so that texts that differ
   in one character get names that differ throughout */
static uint64_t HashText(const char text[])
{
  uint64_t h = 14695981039346656037ULL;
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    h ^= *c;
    h *= 1099511628211ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/* -mesh_cache_dir: an existing directory this process can write into (checked with a probe file,
   since root passes every access() test). Collective. */
PetscErrorCode MeshCacheGetDirectory(MPI_Comm comm, char dir[], size_t len, PetscBool *set)
{
  PetscMPIInt rank;
  PetscBool   failed = PETSC_FALSE;
  char        message[1024] = "", where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  dir[0] = 0;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_cache_dir", dir, len, set));
  if (!*set) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere("-mesh_cache_dir", where, sizeof(where)));
  PetscCheck(dir[0], comm, PETSC_ERR_USER_INPUT, "%s: the mesh cache needs a directory name", where);
  PetscCheck(strlen(dir) + 64 < len, comm, PETSC_ERR_USER_INPUT, "%s: the mesh cache directory name '%.64s...' is too long", where, dir);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    struct stat st;
    failed = PETSC_TRUE;
    if (stat(dir, &st)) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: mesh cache directory '%s': %s (spot makes no cache directory: create it first)", where, dir, strerror(errno)));
    else if (!S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: mesh cache directory '%s' is not a directory", where, dir));
    else {
      int err;
      PetscCall(FileDirectoryWritable(dir, &err));
      if (err) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: mesh cache directory '%s' is not writable: %s", where, dir, strerror(err)));
      else failed = PETSC_FALSE;
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscFunctionReturn(0);
}

/* Rank 0: copy the regular file from into to (published whole, or not at all). A failure to read
   from is not an error: *why says what it was (empty when from was copied); a failure to write to is. */
static PetscErrorCode CopyFile(const char from[], const char to[], FileOut *f, char why[], size_t len)
{
  static char buffer[1 << 16];
  struct stat st;
  FILE       *in;
  size_t      n;
  int         fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

  PetscFunctionBeginUser;
  why[0] = 0;
  if (fd < 0) {
    PetscCall(PetscSNPrintf(why, len, "%s", strerror(errno)));
    PetscFunctionReturn(0);
  }
  if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(in = fdopen(fd, "rb"))) {
    PetscCall(PetscSNPrintf(why, len, "not a regular file"));
    close(fd);
    PetscFunctionReturn(0);
  }
  {
    PetscErrorCode ierr = FileOutCreate(to, f);
    if (ierr) fclose(in);
    PetscCall(ierr);
  }
  while ((n = fread(buffer, 1, sizeof(buffer), in)) > 0)
    if (FileOutWrite(*f, buffer, n)) break;
  if (ferror(in)) PetscCall(PetscSNPrintf(why, len, "a read error"));
  fclose(in);
  if (why[0]) PetscCall(FileOutDiscard(f));
  else PetscCall(FileOutPublish(f));
  PetscFunctionReturn(0);
}

/* Rank 0: CopyFile with errors caught: *code and message say what failed to be written */
static PetscErrorCode CopyFileCaught(const char from[], const char to[], char why[], size_t len, PetscErrorCode *code, char message[], size_t mlen)
{
  MeshCaptured captured = {0, ""};
  FileOut      f        = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
  *code = CopyFile(from, to, &f, why, len);
  PetscCall(PetscPopErrorHandler());
  PetscCall(FileOutDiscard(&f));
  message[0] = 0;
  if (*code) PetscCall(PetscStrncpy(message, captured.message, mlen));
  PetscFunctionReturn(0);
}

/* Mesh the -mesh_shape_ shape into path through the cache in dir. Collective; *hit: path is the
   cache's entry (checked as a mesh file already); entry: its path */
PetscErrorCode MeshShapeWriteCached(MPI_Comm comm, const char dir[], const char path[], PetscBool *hit, char entry[], size_t len)
{
  char        text[2048], key[2100], why[1024] = "", message[1024] = "";
  PetscMPIInt rank;
  int         found = 0; /* 0: no entry, 1: copied, 2: unusable */

  PetscFunctionBeginUser;
  *hit = PETSC_FALSE;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(MeshShapeDescribe(text, sizeof(text))); /* the options checked, as MeshShapeWrite checks them */
  PetscCall(PetscSNPrintf(key, sizeof(key), "spot mesh cache %d\n%s", MESH_CACHE_FORMAT, text));
  PetscCall(PetscSNPrintf(entry, len, "%s/shape-%016llx.msh", dir, (unsigned long long)HashText(key)));
  PetscCall(PetscInfo(NULL, "mesh cache entry %s for\n%s", entry, key));
  if (rank == 0) {
    struct stat    st;
    PetscErrorCode code = 0;
    if (!lstat(entry, &st)) {
      PetscCall(CopyFileCaught(entry, path, why, sizeof(why), &code, message, sizeof(message)));
      found = why[0] ? 2 : 1;
    }
    if (code) found = -1; /* the run's own directory failed: an error */
  }
  PetscCallMPI(MPI_Bcast(&found, 1, MPI_INT, 0, comm));
  PetscCall(InputCollectiveError(comm, found < 0 ? PETSC_TRUE : PETSC_FALSE, message));
  if (found == 1) { /* the copy must pass the checks of any mesh file */
    PetscErrorCode ierr;
    MeshCaptured   captured = {0, ""};
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = MeshCheckMshFile(comm, path, NULL);
    PetscCall(PetscPopErrorHandler());
    if (ierr) { /* the message names the copy, which goes: name the entry, whose bytes they are */
      const char *at = strstr(captured.message, path);
      found          = 2;
      if (at) PetscCall(PetscSNPrintf(why, sizeof(why), "%.*s%s%s", (int)(at - captured.message), captured.message, entry, at + strlen(path)));
      else PetscCall(PetscStrncpy(why, captured.message, sizeof(why)));
      if (rank == 0) remove(path);
    } else *hit = PETSC_TRUE;
  }
  if (found == 2) PetscCall(PetscPrintf(comm, "warning: -mesh_cache_dir: the entry '%s' is unusable (%s); the shape is meshed again and the entry replaced\n", entry, rank == 0 ? why : ""));
  if (*hit) PetscFunctionReturn(0);
  PetscCall(MeshShapeWrite(comm, path));
  if (rank == 0) { /* store: a complete entry or none */
    PetscErrorCode code = 0;
    PetscCall(CopyFileCaught(path, entry, why, sizeof(why), &code, message, sizeof(message)));
    if (code || why[0]) PetscCall(PetscPrintf(PETSC_COMM_SELF, "warning: -mesh_cache_dir: the mesh was not stored in the cache: %s\n", code ? message : why));
  }
  PetscFunctionReturn(0);
}
