/* Numeric CSV tables: '#' lines are comments (provenance headers are kept in the files),
   the first other line names the columns, every later line holds one number per column.
   Read on rank 0 and broadcast; a bad table fails on every rank with the same message. */
#include "input/input.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define TABLE_MAX_COLS 32

static PetscErrorCode SplitCSV(char line[], char *fields[], PetscInt *n)
{
  char    *p = line;
  PetscInt k = 0;

  PetscFunctionBeginUser;
  while (k < TABLE_MAX_COLS) {
    char *end;
    while (*p == ' ' || *p == '\t') ++p;
    fields[k++] = p;
    end         = strchr(p, ',');
    if (!end) break;
    *end = 0;
    p    = end + 1;
  }
  for (PetscInt i = 0; i < k; ++i) { /* trim trailing blanks and CR/LF */
    size_t len = strlen(fields[i]);
    while (len && (fields[i][len - 1] == ' ' || fields[i][len - 1] == '\t' || fields[i][len - 1] == '\r' || fields[i][len - 1] == '\n')) fields[i][--len] = 0;
  }
  *n = k;
  PetscFunctionReturn(0);
}

/* Parse on this rank; on failure fill message and return with ok = false */
static PetscErrorCode ParseTable(const char path[], InputTable *t, PetscBool *ok, char message[], size_t len)
{
  FILE     *fp = fopen(path, "r");
  char      line[8192], *fields[TABLE_MAX_COLS];
  PetscInt  lineno = 0, cap = 0, n;
  PetscBool header = PETSC_FALSE;

  PetscFunctionBeginUser;
  *ok = PETSC_FALSE;
  if (!fp) {
    PetscCall(PetscSNPrintf(message, len, "cannot read table '%s': %s", path, strerror(errno)));
    PetscFunctionReturn(0);
  }
  while (fgets(line, sizeof(line), fp)) {
    char *s = line;
    ++lineno;
    while (*s == ' ' || *s == '\t') ++s;
    if (*s == '#' || *s == '\n' || *s == '\r' || !*s) continue;
    PetscCall(SplitCSV(s, fields, &n));
    if (!header) {
      t->ncols = n;
      PetscCall(PetscMalloc1(n, &t->names));
      for (PetscInt j = 0; j < n; ++j) PetscCall(PetscStrallocpy(fields[j], &t->names[j]));
      header = PETSC_TRUE;
      continue;
    }
    if (n != t->ncols) {
      PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": expected %" PetscInt_FMT " comma-separated values, found %" PetscInt_FMT, path, lineno, t->ncols, n));
      fclose(fp);
      PetscFunctionReturn(0);
    }
    if ((t->nrows + 1) * t->ncols > cap) {
      PetscReal *more;
      PetscInt  *more_lines;
      cap = PetscMax(2 * cap, 64 * t->ncols);
      PetscCall(PetscMalloc1(cap, &more));
      PetscCall(PetscMalloc1(cap / t->ncols + 1, &more_lines));
      if (t->nrows) PetscCall(PetscArraycpy(more, t->values, t->nrows * t->ncols));
      if (t->nrows) PetscCall(PetscArraycpy(more_lines, t->lines, t->nrows));
      PetscCall(PetscFree(t->values));
      PetscCall(PetscFree(t->lines));
      t->values = more;
      t->lines  = more_lines;
    }
    t->lines[t->nrows] = lineno;
    for (PetscInt j = 0; j < n; ++j) {
      char *end;
      t->values[t->nrows * t->ncols + j] = strtod(fields[j], &end);
      if (end == fields[j] || *end) {
        PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": column '%s' holds '%s', expected a number", path, lineno, t->names[j], fields[j]));
        fclose(fp);
        PetscFunctionReturn(0);
      }
    }
    ++t->nrows;
  }
  fclose(fp);
  if (!header || !t->nrows) {
    PetscCall(PetscSNPrintf(message, len, "%s: no data rows (expected a header line and numeric rows)", path));
    PetscFunctionReturn(0);
  }
  *ok = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode InputTableRead(MPI_Comm comm, const char path[], InputTable *t)
{
  PetscMPIInt rank;
  PetscBool   ok = PETSC_TRUE;
  char        message[1024] = "";
  PetscInt    sizes[2];

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(t, sizeof(*t)));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) PetscCall(ParseTable(path, t, &ok, message, sizeof(message)));
  PetscCall(InputCollectiveError(comm, !ok, message));
  sizes[0] = t->nrows;
  sizes[1] = t->ncols;
  PetscCallMPI(MPI_Bcast(sizes, 2, MPIU_INT, 0, comm));
  if (rank) {
    t->nrows = sizes[0];
    t->ncols = sizes[1];
    PetscCall(PetscMalloc1(t->nrows * t->ncols, &t->values));
    PetscCall(PetscMalloc1(t->nrows, &t->lines));
    PetscCall(PetscCalloc1(t->ncols, &t->names));
  }
  PetscCallMPI(MPI_Bcast(t->values, (PetscMPIInt)(t->nrows * t->ncols), MPIU_REAL, 0, comm));
  PetscCallMPI(MPI_Bcast(t->lines, (PetscMPIInt)t->nrows, MPIU_INT, 0, comm));
  for (PetscInt j = 0; j < t->ncols; ++j) {
    char name[256] = "";
    if (!rank) PetscCall(PetscStrncpy(name, t->names[j], sizeof(name)));
    PetscCallMPI(MPI_Bcast(name, sizeof(name), MPI_CHAR, 0, comm));
    if (rank) PetscCall(PetscStrallocpy(name, &t->names[j]));
  }
  PetscFunctionReturn(0);
}

/* Column by header name, or by 0-based index written as a number */
PetscErrorCode InputTableColumn(const InputTable *t, const char path[], const char name[], PetscInt *column)
{
  char list[1024] = "";

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < t->ncols; ++j) {
    if (!strcmp(t->names[j], name)) {
      *column = j;
      PetscFunctionReturn(0);
    }
    PetscCall(PetscStrlcat(list, j ? ", " : "", sizeof(list)));
    PetscCall(PetscStrlcat(list, t->names[j], sizeof(list)));
  }
  SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: no column named '%s' (columns: %s)", path, name, list);
}

PetscErrorCode InputTableDestroy(InputTable *t)
{
  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < t->ncols; ++j) PetscCall(PetscFree(t->names[j]));
  PetscCall(PetscFree(t->names));
  PetscCall(PetscFree(t->values));
  PetscCall(PetscFree(t->lines));
  t->nrows = t->ncols = 0;
  PetscFunctionReturn(0);
}
