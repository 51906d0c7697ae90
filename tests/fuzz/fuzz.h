/* spot's fuzz harnesses: what every target shares (tests/fuzz/fuzz_common.c).

   A target (tests/fuzz/fuzz_<name>.c) defines libFuzzer's two entry points. LLVMFuzzerInitialize
   calls FuzzInitialize once (MPI and PETSc, spot's error handler, PETSc's own error printing
   captured instead of printed, a private temporary folder); LLVMFuzzerTestOneInput calls
   FuzzBegin (a fresh options database and error state; the bytes written to a file in that
   folder), hands the file to the public reader and judges the outcome with FuzzOutcome and the
   target's own checks. Built two ways (tests/fuzz/fuzz.mk): with clang, libFuzzer and the
   sanitizers (make fuzz), and with gcc and tests/fuzz/replay_main.c, which replays files given
   on the command line (make check).

   The verdict on a reader's error return, as spot's main (app/spot.c) and its error handler
   (input/checks.c) would treat it: the refusal is clean when the handler kept a one-line user
   message, that is when the error that started it was PETSC_ERR_USER_INPUT,
   PETSC_ERR_NOT_CONVERGED or PETSC_ERR_FILE_WRITE, or PETSC_ERR_ARG_UNKNOWN_TYPE, or came from a
   PetscOptions* function (a PETSc option of the wrong kind). Any other code (PETSC_ERR_FILE_READ,
   PETSC_ERR_FILE_OPEN, PETSC_ERR_MEM, PETSC_ERR_LIB, PETSC_ERR_PLIB, PETSC_ERR_ARG_*, ...) leaves
   no message, and spot would print PETSc's traceback instead of one line: a finding. So is a
   message that is empty or spans several lines, and a traceback PETSc printed for an error the
   reader raised and then handled itself (spot's handler prints it when the error is raised).
   FUZZ_IGNORE=multiline,traceback,printed lets these kinds pass, to fuzz past a known finding. */
#ifndef SPOT_FUZZ_H
#define SPOT_FUZZ_H

#include <petscsys.h>
#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry points, which each target defines */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The replay driver's name of the input being run, for reports (NULL under libFuzzer) */
extern const char *fuzz_current_input;

/* Once per process; target names the harness in reports */
int FuzzInitialize(const char target[]);
/* Before each input: the options database emptied, spot's user error forgotten, the captured
   PETSc output dropped, and data written to the file name (e.g. "input.msh") in the private
   folder, whose path is returned */
void FuzzBegin(const char name[], const uint8_t *data, size_t size, char path[], size_t len);
/* The outcome of call: 0 (accepted) or a clean refusal, as above; anything else is reported
   and aborts. Afterwards the error handler on top of PETSc's stack must still be spot's (a
   reader that left its own there would swallow the next error). Returns ierr. */
PetscErrorCode FuzzOutcome(PetscErrorCode ierr, const char call[]);
/* Report a finding (printf format) with PETSc's captured output, and abort */
void FuzzFinding(const char format[], ...) PETSC_ATTRIBUTE_FORMAT(1, 2);

#endif
