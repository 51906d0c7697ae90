/* files: how spot writes, so that a reader finds either a complete file or none.

   A FileOut is the file that will appear at its path once it is complete. Until then it is
   written under a unique temporary name in the same folder ("<path>.<random>.part"), created
   exclusively: a file or a link planted at that name is never opened, followed or
   overwritten. Every write is checked, and the first failure sticks (later writes do
   nothing); FileOutPublish flushes and closes the file, checks both, and renames it to its
   path in one step; FileOutDiscard removes it. A library that writes by name (Gmsh, libtiff,
   PETSc's HDF5 viewer) is given the temporary path.

   Temporary files are registered, so that an interrupt (SIGINT, SIGTERM, SIGHUP) removes
   them: with FILE_SIGNALS_EXIT the process then exits at once with one line; with
   FILE_SIGNALS_DEFER the first signal only sets a flag (FileSignalReceived) that a long
   computation polls to stop cleanly, and a second signal exits.

   A run's output directory is locked (an flock on "<dir>/.spot.lock", removed by
   FileUnlockDirectory): a second run into the same directory learns who holds it.

   Not collective: the rank that writes calls these. Failures are PETSc errors of code
   PETSC_ERR_FILE_WRITE whose message is one line naming the file and the cause
   ("cannot write 'out/a.csv': the disk is full (No space left on device)"). */
#ifndef SPOT_FILES_H
#define SPOT_FILES_H

#include <petscsys.h>
#include <stdio.h>

typedef struct _p_FileOut *FileOut;

PetscErrorCode FileOutCreate(const char path[], FileOut *f);
/* the temporary's name ends in suffix (".msh": for a library that picks the format by the name) */
PetscErrorCode FileOutCreateSuffixed(const char path[], const char suffix[], FileOut *f);
PetscErrorCode FileOutGetStream(FileOut f, FILE **fp); /* for fprintf & co.; check with FileOutCheck */
PetscErrorCode FileOutGetPath(FileOut f, const char **path, const char **temporary);
PetscErrorCode FileOutPrintf(FileOut f, const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(2, 3);
PetscErrorCode FileOutWrite(FileOut f, const void *data, size_t bytes);
/* Has any write failed so far? (message: the one line; may be NULL) */
PetscErrorCode FileOutFailed(FileOut f, PetscBool *failed, char message[], size_t len);
/* Record a failure the caller found (a library's write by name returned an error) */
PetscErrorCode FileOutSetFailed(FileOut f, int errnum);
/* Raise the first failure as a PETSc error (PETSC_ERR_FILE_WRITE) */
PetscErrorCode FileOutCheck(FileOut f);
PetscErrorCode FileOutFlush(FileOut f);
PetscErrorCode FileOutClose(FileOut f); /* flush, sync, close: the file is complete (a failure sticks) */
PetscErrorCode FileOutPublish(FileOut *f);
PetscErrorCode FileOutDiscard(FileOut *f);

/* The one-line reason a write to path failed with errnum, the disk's state included */
PetscErrorCode FileWriteFailure(const char path[], int errnum, char message[], size_t len);
/* Can a file be created in the directory dir? A probe file is created exclusively (a link planted
   at its name is not followed) and removed: root passes every permission test, so only trying
   tells. errnum: 0 when it can, else the errno of the attempt. */
PetscErrorCode FileDirectoryWritable(const char dir[], int *errnum);

/* HDF5 files one rank writes or reads (files/h5.c), with HDF5's POSIX driver: no MPI-IO, whose
   lock files and error prints would escape these checks. path names a dataset ("/a/b/theta";
   groups are made as needed); attributes are reals on "/" (FileH5SetAttribute), or reals and
   strings on a dataset or group (FileH5SetRealOf, FileH5SetText); units (may be NULL) become a
   string attribute "units" of the dataset. A written file lives in a FileOut's temporary: close it
   (FileH5Close), then publish the FileOut. */
typedef struct _p_FileH5 *FileH5;
PetscErrorCode FileH5Create(FileOut out, FileH5 *h);
PetscErrorCode FileH5Open(const char path[], FileH5 *h);
PetscErrorCode FileH5Flush(FileH5 h);
PetscErrorCode FileH5Close(FileH5 *h);
PetscErrorCode FileH5WriteReals(FileH5 h, const char path[], PetscInt rank, const PetscInt dims[], const PetscReal data[], const char units[]);
PetscErrorCode FileH5WriteInts(FileH5 h, const char path[], PetscInt rank, const PetscInt dims[], const PetscInt data[], const char units[]);
PetscErrorCode FileH5WriteRow(FileH5 h, const char path[], PetscInt row, PetscInt n, const PetscReal data[], const char units[]);
PetscErrorCode FileH5SetAttribute(FileH5 h, const char name[], PetscReal value);
PetscErrorCode FileH5SetText(FileH5 h, const char path[], const char name[], const char text[]);  /* on a dataset or group */
PetscErrorCode FileH5SetRealOf(FileH5 h, const char path[], const char name[], PetscReal value); /* on a dataset or group */
PetscErrorCode FileH5GetAttribute(FileH5 h, const char name[], PetscReal *value, PetscBool *has);
PetscErrorCode FileH5ReadReals(FileH5 h, const char path[], PetscInt n, PetscReal data[]);

/* Interrupts */
typedef enum {
  FILE_SIGNALS_EXIT,  /* remove the temporary files, print one line, exit (128 + signal) */
  FILE_SIGNALS_DEFER  /* note the signal for FileSignalReceived; a second one exits */
} FileSignalMode;
PetscErrorCode FileSignalsSet(FileSignalMode mode);
/* a file made elsewhere (a finished file kept only if the run succeeds) that an interrupt removes */
PetscErrorCode FileRemoveOnSignal(const char path[], PetscBool remove);
int            FileSignalReceived(void); /* 0, or the signal number */

/* Inputs: files a command reads (registered by their device and inode, as named and, for a
   symbolic link, as followed), which none of its outputs may replace. FileOutCreate and
   FileOutPublish refuse a path that is a registered input ("cannot write 'p.png': it would
   overwrite the image 'p.png' that spot reads"); a command checks its outputs up front with FileGetInput.
   A file this process published is never an input of it (a mesh spot made, then read back). */
PetscErrorCode FileRegisterInput(const char path[], const char what[]);
/* *what is NULL unless path names a registered input; then what it is and the name it was read by */
PetscErrorCode FileGetInput(const char path[], const char **what, const char **name);

/* Folders: FileMakeDirectory is mkdir -p that remembers the folders it made (errnum: 0, or why it
   failed; on failure nothing it made is left). When the command fails (FileNoteFailure, which
   spot's error handler calls) or is interrupted, they are removed at exit, deepest first, each
   only if empty: a failed command leaves no folder behind. FileRemoveMadeDirectories does it now. */
PetscErrorCode FileMakeDirectory(const char dir[], int *errnum);
PetscErrorCode FileRemoveMadeDirectories(void);
void           FileNoteFailure(PetscBool failed);

/* The output directory of a run */
typedef struct _p_FileLock *FileLock;
/* *lock is NULL and holder describes the other run ("pid 1234 on host, since ...") when busy */
PetscErrorCode FileLockDirectory(const char dir[], FileLock *lock, char holder[], size_t len);
PetscErrorCode FileUnlockDirectory(FileLock *lock);

#endif
