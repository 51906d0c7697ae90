/* Fuzz target: CSV tables (input/table.c), as spot reads a material law's table, a GITT record
   or an operando movie's time stamps: InputTableRead, then a column looked up by name.

   Findings: a crash or sanitizer report, an error that is not a clean one-line refusal
   (tests/fuzz/fuzz.h), and a table accepted without what InputTableRead promises (a header of
   1 to 31 named columns, at least one row, the line of each row in the file, increasing). */
#include "tests/fuzz/fuzz.h"
#include "input/input.h"
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  return FuzzInitialize("fuzz_table");
}

static PetscErrorCode FuzzTable(const char path[])
{
  InputTable     t;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  ierr = FuzzOutcome(InputTableRead(PETSC_COMM_SELF, path, &t), "InputTableRead");
  if (!ierr) {
    PetscInt column = -1;
    if (t.ncols < 1 || t.ncols > 31 || t.nrows < 1) FuzzFinding("InputTableRead accepted a table of %d rows and %d columns", (int)t.nrows, (int)t.ncols);
    for (PetscInt j = 0; j < t.ncols; ++j)
      if (!t.names[j]) FuzzFinding("InputTableRead accepted a table whose column %d has no name", (int)j);
    for (PetscInt i = 0; i < t.nrows; ++i)
      if (t.lines[i] < 1 || (i && t.lines[i] <= t.lines[i - 1])) FuzzFinding("InputTableRead gave row %d the line %d", (int)i, (int)t.lines[i]);
    {
      volatile PetscReal last = t.values[t.nrows * t.ncols - 1]; /* every value is there (the sanitizer checks) */
      (void)last;
    }
    ierr = FuzzOutcome(InputTableColumn(&t, path, t.names[t.ncols - 1], &column), "InputTableColumn");
    if (!ierr && (column < 0 || column >= t.ncols || strcmp(t.names[column], t.names[t.ncols - 1]))) FuzzFinding("InputTableColumn found column %d for '%s'", (int)column, t.names[t.ncols - 1]);
  }
  /* A refused table is given back half filled (the reader does not free it): free it here, or
     a long run would grow without end */
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[PETSC_MAX_PATH_LEN];

  FuzzBegin("table.csv", data, size, path, sizeof(path));
  if (FuzzTable(path)) FuzzFinding("the harness's own calls failed");
  return 0;
}
