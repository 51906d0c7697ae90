/* HDF5 files written and read by one rank (see files.h).

   PETSc's HDF5 viewer opens every file through MPI-IO, even on PETSC_COMM_SELF; Open MPI's MPI-IO
   then leaves "<file>-<job>-<pid>.lock" files beside it and prints its own lines when a write
   fails (a full disk). And HDF5 1.10 cannot recover from a failed write to disk: the file stays
   half-open and the library crashes when MPI_Finalize shuts it down. So a file spot writes is
   built in memory (HDF5's core driver, no backing store) and its image is written by
   FileH5Close through a FileOut, whose writes are checked: a full disk is then one clean
   error. Files are read with the POSIX driver. Every call is checked and HDF5's own error
   stack stays silent. */
#include "files/files.h"
#include <hdf5.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

struct _p_FileH5 {
  hid_t file;
  char  path[PETSC_MAX_PATH_LEN]; /* the name a reader sees, for messages */
  FileOut out;                    /* written files: the temporary it lives in */
};

static PetscErrorCode Failed(FileH5 h, const char what[])
{
  char message[PETSC_MAX_PATH_LEN + 256];

  PetscFunctionBeginUser;
  if (h->out) {
    PetscCall(FileOutSetFailed(h->out, errno));
    PetscCall(FileWriteFailure(h->path, errno == ENOSPC || errno == EDQUOT ? errno : 0, message, sizeof(message)));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s", message);
  }
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "'%s' is not a readable spot HDF5 file (%s)", h->path, what);
}

#define CHECK_H5(h, call, what) \
  do { \
    if ((call) < 0) PetscCall(Failed(h, what)); \
  } while (0)

PetscErrorCode FileH5Create(FileOut out, FileH5 *h)
{
  const char *path, *tmp;

  PetscFunctionBeginUser;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  PetscCall(PetscNew(h));
  PetscCall(FileOutGetPath(out, &path, &tmp));
  PetscCall(PetscStrncpy((*h)->path, path, sizeof((*h)->path)));
  (*h)->out  = out;
  {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
    H5Pset_fapl_core(fapl, 1 << 20, 0); /* in memory, grown 1 MB at a time, never written by HDF5 */
    (*h)->file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
  }
  if ((*h)->file < 0) {
    FileH5 bad = *h;
    *h         = NULL;
    PetscCall(Failed(bad, "create"));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode FileH5Open(const char path[], FileH5 *h)
{
  PetscFunctionBeginUser;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  PetscCall(PetscNew(h));
  PetscCall(PetscStrncpy((*h)->path, path, sizeof((*h)->path)));
  (*h)->file = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
  if ((*h)->file < 0) {
    char path_copy[PETSC_MAX_PATH_LEN];
    PetscCall(PetscStrncpy(path_copy, path, sizeof(path_copy)));
    PetscCall(PetscFree(*h));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "'%s' is not an HDF5 file", path_copy);
  }
  PetscFunctionReturn(0);
}

/* Close; a written file's image goes to its FileOut (checked), to be published by the caller */
PetscErrorCode FileH5Close(FileH5 *h)
{
  FileH5         f    = *h;
  void          *image = NULL;
  ssize_t        size  = 0;
  PetscErrorCode ierr  = 0;

  PetscFunctionBeginUser;
  if (!f) PetscFunctionReturn(0);
  *h = NULL;
  if (f->file >= 0) {
    if (f->out) {
      size = H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0 ? -1 : H5Fget_file_image(f->file, NULL, 0);
      if (size > 0 && !(image = malloc((size_t)size))) size = -1;
      if (size > 0 && H5Fget_file_image(f->file, image, (size_t)size) != size) size = -1;
    }
    if (H5Fclose(f->file) < 0 || size < 0) ierr = PETSC_ERR_LIB;
    f->file = -1;
    if (!ierr && f->out) ierr = FileOutWrite(f->out, image, (size_t)size);
    if (!ierr && f->out) ierr = FileOutCheck(f->out);
    free(image);
  }
  if (ierr == PETSC_ERR_LIB) {
    char path[PETSC_MAX_PATH_LEN];
    PetscCall(PetscStrncpy(path, f->path, sizeof(path)));
    PetscCall(PetscFree(f));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 could not complete '%s' in memory", path);
  }
  PetscCall(PetscFree(f));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* A file written in memory has nothing to flush; kept for the callers' sake */
PetscErrorCode FileH5Flush(FileH5 h)
{
  PetscFunctionBeginUser;
  CHECK_H5(h, H5Fflush(h->file, H5F_SCOPE_GLOBAL), "flush");
  PetscFunctionReturn(0);
}

/* The group of path "/a/b/name" (created when writing), for the dataset "name" */
static PetscErrorCode Parent(FileH5 h, const char path[], PetscBool create, hid_t *group, const char **name)
{
  char  buf[256];
  char *slash;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(buf, path, sizeof(buf)));
  slash = strrchr(buf, '/');
  *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  if (!slash || slash == buf) {
    *group = H5Gopen2(h->file, "/", H5P_DEFAULT);
    CHECK_H5(h, *group, "the root group");
    PetscFunctionReturn(0);
  }
  *slash = 0;
  if (create) { /* each level in turn */
    for (char *p = buf + 1; ; ++p) {
      const char c = *p;
      if (c == '/' || c == 0) {
        *p = 0;
        if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) {
          hid_t g = H5Gcreate2(h->file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
          CHECK_H5(h, g, "a group");
          H5Gclose(g);
        }
        *p = c;
      }
      if (!c) break;
    }
  }
  *group = H5Gopen2(h->file, buf, H5P_DEFAULT);
  CHECK_H5(h, *group, "a group");
  PetscFunctionReturn(0);
}

static PetscErrorCode SetUnits(FileH5 h, hid_t object, const char units[])
{
  hid_t type, space, attr;

  PetscFunctionBeginUser;
  if (!units) PetscFunctionReturn(0);
  type = H5Tcopy(H5T_C_S1);
  CHECK_H5(h, type, "a string type");
  CHECK_H5(h, H5Tset_size(type, strlen(units) + 1), "a string type");
  space = H5Screate(H5S_SCALAR);
  attr  = H5Acreate2(object, "units", type, space, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, attr, "the units");
  CHECK_H5(h, H5Awrite(attr, type, units), "the units");
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  PetscFunctionReturn(0);
}

/* A dataset of rank 1 or 2 (dims[0] x dims[1]) of reals or ints */
static PetscErrorCode Write(FileH5 h, const char path[], PetscInt rank, const PetscInt dims[], hid_t memtype, hid_t filetype, const void *data, const char units[])
{
  hid_t       group, space, set;
  hsize_t     d[2];
  const char *name;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < rank; ++k) d[k] = (hsize_t)dims[k];
  PetscCall(Parent(h, path, PETSC_TRUE, &group, &name));
  space = H5Screate_simple((int)rank, d, NULL);
  CHECK_H5(h, space, "a dataspace");
  set = H5Dcreate2(group, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, set, path);
  CHECK_H5(h, H5Dwrite(set, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path);
  PetscCall(SetUnits(h, set, units));
  H5Dclose(set);
  H5Sclose(space);
  H5Gclose(group);
  PetscFunctionReturn(0);
}

PetscErrorCode FileH5WriteReals(FileH5 h, const char path[], PetscInt rank, const PetscInt dims[], const PetscReal data[], const char units[])
{
  PetscFunctionBeginUser;
  PetscCall(Write(h, path, rank, dims, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data, units));
  PetscFunctionReturn(0);
}

PetscErrorCode FileH5WriteInts(FileH5 h, const char path[], PetscInt rank, const PetscInt dims[], const PetscInt data[], const char units[])
{
  PetscFunctionBeginUser;
  PetscCall(Write(h, path, rank, dims, sizeof(PetscInt) == 8 ? H5T_NATIVE_INT64 : H5T_NATIVE_INT32, sizeof(PetscInt) == 8 ? H5T_STD_I64LE : H5T_STD_I32LE, data, units));
  PetscFunctionReturn(0);
}

/* Row `row` of the extendible dataset path (rows x n reals), created at row 0 */
PetscErrorCode FileH5WriteRow(FileH5 h, const char path[], PetscInt row, PetscInt n, const PetscReal data[], const char units[])
{
  hid_t       group, set, space, mem;
  hsize_t     dims[2] = {(hsize_t)row + 1, (hsize_t)n}, start[2] = {(hsize_t)row, 0}, count[2] = {1, (hsize_t)n};
  const char *name;

  PetscFunctionBeginUser;
  PetscCall(Parent(h, path, PETSC_TRUE, &group, &name));
  if (row == 0) {
    hsize_t max[2] = {H5S_UNLIMITED, (hsize_t)n}, chunk[2] = {1, (hsize_t)n};
    hid_t   plist  = H5Pcreate(H5P_DATASET_CREATE);
    CHECK_H5(h, H5Pset_chunk(plist, 2, chunk), path);
    space = H5Screate_simple(2, dims, max);
    set   = H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
    CHECK_H5(h, set, path);
    PetscCall(SetUnits(h, set, units));
    H5Pclose(plist);
    H5Sclose(space);
  } else {
    set = H5Dopen2(group, name, H5P_DEFAULT);
    CHECK_H5(h, set, path);
    CHECK_H5(h, H5Dset_extent(set, dims), path);
  }
  space = H5Dget_space(set);
  CHECK_H5(h, H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL), path);
  mem = H5Screate_simple(2, count, NULL);
  CHECK_H5(h, H5Dwrite(set, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, data), path);
  H5Sclose(mem);
  H5Sclose(space);
  H5Dclose(set);
  H5Gclose(group);
  PetscFunctionReturn(0);
}

PetscErrorCode FileH5SetAttribute(FileH5 h, const char name[], PetscReal value)
{
  hid_t space = H5Screate(H5S_SCALAR), attr;

  PetscFunctionBeginUser;
  attr = H5Acreate_by_name(h->file, "/", name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, attr, name);
  CHECK_H5(h, H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), name);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

/* A string attribute name = text of the dataset or group at path (which must exist) */
PetscErrorCode FileH5SetText(FileH5 h, const char path[], const char name[], const char text[])
{
  hid_t type, space, attr;

  PetscFunctionBeginUser;
  type = H5Tcopy(H5T_C_S1);
  CHECK_H5(h, type, "a string type");
  CHECK_H5(h, H5Tset_size(type, strlen(text) + 1), "a string type");
  space = H5Screate(H5S_SCALAR);
  attr  = H5Acreate_by_name(h->file, path, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, attr, name);
  CHECK_H5(h, H5Awrite(attr, type, text), name);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  PetscFunctionReturn(0);
}

/* A real attribute name = value of the dataset or group at path (which must exist) */
PetscErrorCode FileH5SetRealOf(FileH5 h, const char path[], const char name[], PetscReal value)
{
  hid_t  space = H5Screate(H5S_SCALAR), attr;
  double v     = (double)value;

  PetscFunctionBeginUser;
  attr = H5Acreate_by_name(h->file, path, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, attr, name);
  CHECK_H5(h, H5Awrite(attr, H5T_NATIVE_DOUBLE, &v), name);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

/* An attribute of "/" as a real, whatever its stored numeric type */
PetscErrorCode FileH5GetAttribute(FileH5 h, const char name[], PetscReal *value, PetscBool *has)
{
  hid_t  attr;
  double v;

  PetscFunctionBeginUser;
  *has = H5Aexists_by_name(h->file, "/", name, H5P_DEFAULT) > 0 ? PETSC_TRUE : PETSC_FALSE;
  if (!*has) PetscFunctionReturn(0);
  attr = H5Aopen_by_name(h->file, "/", name, H5P_DEFAULT, H5P_DEFAULT);
  CHECK_H5(h, attr, name);
  {
    hid_t space = H5Aget_space(attr);
    CHECK_H5(h, space, name);
    if (H5Sget_simple_extent_npoints(space) != 1) {
      H5Sclose(space);
      H5Aclose(attr);
      PetscCall(Failed(h, name));
    }
    H5Sclose(space);
  }
  CHECK_H5(h, H5Aread(attr, H5T_NATIVE_DOUBLE, &v), name);
  H5Aclose(attr);
  *value = (PetscReal)v;
  PetscFunctionReturn(0);
}

/* The real dataset at path, which must hold exactly n values */
PetscErrorCode FileH5ReadReals(FileH5 h, const char path[], PetscInt n, PetscReal data[])
{
  hid_t    set, space;
  hssize_t count;

  PetscFunctionBeginUser;
  if (H5Lexists(h->file, path, H5P_DEFAULT) <= 0) PetscCall(Failed(h, path));
  set = H5Dopen2(h->file, path, H5P_DEFAULT);
  CHECK_H5(h, set, path);
  space = H5Dget_space(set);
  count = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  if (count != (hssize_t)n) {
    H5Dclose(set);
    PetscCall(Failed(h, path));
  }
  CHECK_H5(h, H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), path);
  H5Dclose(set);
  PetscFunctionReturn(0);
}
