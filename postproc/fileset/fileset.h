/* postproc/fileset: the files of one command, all or nothing (spot synth's stack and timestamps,
   spot compare's tables and figures, spot fit's, spot gitt's, the maps of spot run). Rank 0 writes each file
   through files/files.h under a unique temporary beside its name (every write checked, the first
   failure kept); PostprocFilesComplete checks a file as soon as it is written, so a full disk
   stops the command at once. Nothing appears under its own name until PostprocFilesPublish,
   collective, which first checks that every file is complete and that no directory stands in
   the way of any of them, then renames them all (the files adopted too: a mesh spot made for the
   command); if one rename fails, those already renamed are removed again.
   PostprocFilesDestroy removes whatever was not published, so a command that fails, on any
   rank, leaves no file behind. A planted link at a file's name is replaced, never followed.
   A complete file is closed (flushed and synced); at most 32 wait at once: a command that writes
   more (spot run with many maps) publishes its oldest complete files early and still removes
   them if it fails later.
   Messages: "cannot write <what> 'path': the disk is full (No space left on device)", <what> the
   kind of file given to PostprocFilesOpen ("figure", "image stack"; NULL: none).
   Open, Complete and Adopt are called on rank 0 (inside CompareOnRankZero, which makes a failure
   fail on every rank); Create, Publish and Destroy on every rank.
   Also what every writer of postproc shares: PostprocWrite (rank 0 writes a few files of a set),
   CompareOnRankZero (rank 0 works, every rank fails alike) and the capture of PETSc errors.
   Used by figures/, run/, optics/, gitt/ and app/; knows nothing of them. */
#ifndef SPOT_POSTPROC_FILESET_H
#define SPOT_POSTPROC_FILESET_H

#include "files/files.h"
#include <petscsys.h>

typedef struct _p_PostprocFiles *PostprocFiles;

PetscErrorCode PostprocFilesCreate(MPI_Comm comm, PostprocFiles *files);
PetscErrorCode PostprocFilesOpen(PostprocFiles files, const char path[], const char what[], FileOut *f); /* the set owns f */
PetscErrorCode PostprocFilesComplete(PostprocFiles files, FileOut f);
/* A complete file made elsewhere (made) becomes the file of the set for path: it is moved into
   that file's temporary (returned), so that an interrupt removes it and it is published with the
   others. Rank 0. */
PetscErrorCode PostprocFilesAdopt(PostprocFiles files, const char made[], const char path[], char temporary[], size_t len);
/* Collective: the mesh spot made for the command in dir (MESH_GENERATED_NAME), if it is there,
   adopted as dir/mesh.msh (call it only when PostprocMeshGenerated says spot made the mesh);
   mesh: where it is until then ("" when there is none), every rank. Its temporary name does not
   end in .msh: a run that must load the mesh again adopts it after that. */
PetscErrorCode PostprocFilesAdoptMesh(PostprocFiles files, const char dir[], char mesh[], size_t len);
/* Did spot make the command's mesh (MESH_GENERATED_NAME), rather than load the user's? While it
   is made and until it is adopted or removed, an interrupt removes it (every rank: true, after:
   false) */
PetscErrorCode PostprocMeshGenerated(PetscBool *generated);
PetscErrorCode PostprocMeshRemoveOnSignal(const char dir[], PetscBool remove);
/* Remove the mesh spot made in dir and its table of particles (a failed command's; rank 0 only,
   not collective; a missing file is no error) */
PetscErrorCode PostprocMeshRemove(const char dir[]);
PetscErrorCode PostprocFilesPublish(PostprocFiles files);
PetscErrorCode PostprocFilesDestroy(PostprocFiles *files);
/* Rank 0 runs write(files, ctx), which opens, writes and completes files of the set; a failure
   fails on every rank. files NULL: a set of their own, published at once. Collective. */
PetscErrorCode PostprocWrite(MPI_Comm comm, PostprocFiles files, PetscErrorCode (*write)(PostprocFiles, void *), void *ctx);

/* PETSc errors caught instead of printed: PetscPushErrorHandler(PostprocCaptureErrors, &captured) */
typedef struct {
  PetscErrorCode code;
  char           message[1024];
} PostprocCaptured;
PetscErrorCode PostprocCaptureErrors(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx);

/* fn(ctx) on rank 0 only, with its errors captured; then every rank fails with the same one-line
   message if it failed. Collective. */
PetscErrorCode CompareOnRankZero(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx);

#endif
