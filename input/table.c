/* Numeric CSV tables: '#' lines are comments (provenance headers are kept in the files),
   the first other line names the columns, every later line holds one number per column.
   Read on rank 0 and broadcast; a bad table fails on every rank with the same message. */
#include "input/input.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#define TABLE_MAX_COLS  32
#define TABLE_MAX_LINE  65536
#define TABLE_MAX_BYTES ((size_t)256 << 20) /* a table larger than this is not a table of a material law or a record */

/* A field for a message: at most 40 characters, bytes that are not printable as \xNN */
static void Printable(const char in[], char out[], size_t len)
{
  size_t k = 0;
  for (const unsigned char *c = (const unsigned char *)in; *c && k + 5 < len; ++c) {
    if (c - (const unsigned char *)in >= 40) {
      k += (size_t)snprintf(out + k, len - k, "...");
      break;
    }
    if (*c >= 0x20 && *c < 0x7f) out[k++] = (char)*c;
    else k += (size_t)snprintf(out + k, len - k, "\\x%02x", *c);
  }
  out[k < len ? k : len - 1] = 0;
}

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
  char     *line = NULL, *fields[TABLE_MAX_COLS];
  size_t    cap_line = 0;
  ssize_t   n_read;
  PetscInt  lineno = 0, cap = 0, n;
  PetscBool header = PETSC_FALSE;

  PetscFunctionBeginUser;
  *ok = PETSC_FALSE;
  if (!fp) {
    PetscCall(PetscSNPrintf(message, len, "cannot read table '%s': %s", path, strerror(errno)));
    PetscFunctionReturn(0);
  }
  while ((n_read = getline(&line, &cap_line, fp)) >= 0) {
    char *s = line;
    ++lineno;
    if (lineno == 1 && n_read >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) { /* a UTF-8 byte-order mark (Excel writes one) */
      memmove(line, line + 3, (size_t)n_read - 2);
      n_read -= 3;
    }
    if (n_read > TABLE_MAX_LINE) {
      PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": the line is %zd characters long, more than the %d a table's line may have", path, lineno, n_read, TABLE_MAX_LINE));
      break;
    }
    for (ssize_t k = 0; k < n_read && !message[0]; ++k) {
      const unsigned char c = (unsigned char)line[k];
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": holds the byte 0x%02x, which no text table has (is it a binary file?)", path, lineno, c));
    }
    if (message[0]) break;
    while (*s == ' ' || *s == '\t') ++s;
    if (*s == '#' || *s == '\n' || *s == '\r' || !*s) continue;
    PetscCall(SplitCSV(s, fields, &n));
    if (!header) {
      if (n >= TABLE_MAX_COLS) {
        PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": more than %d columns; a table has a few", path, lineno, TABLE_MAX_COLS - 1));
        break;
      }
      t->ncols = n;
      PetscCall(PetscMalloc1(n, &t->names));
      for (PetscInt j = 0; j < n; ++j) PetscCall(PetscStrallocpy(fields[j], &t->names[j]));
      header = PETSC_TRUE;
      continue;
    }
    if (n != t->ncols || n >= TABLE_MAX_COLS) {
      PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": expected %" PetscInt_FMT " comma-separated values, found %" PetscInt_FMT, path, lineno, t->ncols, n));
      break;
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
      if (end == fields[j] || *end) { /* nan and inf are numbers here (spot writes nan where a value is undefined); readers that need finite values check */
        char shown[256], col[256];
        Printable(fields[j], shown, sizeof(shown));
        Printable(t->names[j], col, sizeof(col));
        PetscCall(PetscSNPrintf(message, len, "%s:%" PetscInt_FMT ": column '%s' holds '%s', expected a number", path, lineno, col, shown));
        break;
      }
    }
    if (message[0]) break;
    ++t->nrows;
  }
  free(line);
  fclose(fp);
  if (message[0]) PetscFunctionReturn(0);
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
  PetscCall(InputCheckFile(comm, path, "table", TABLE_MAX_BYTES));
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
