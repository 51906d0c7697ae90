/* What spot run, spot compare and spot fit do first: load the input document named by the first
   argument and settle the output directory (default SUBDIR beside the document, or OPTION). */
#include "app/app.h"
#include "input/input.h"

PetscErrorCode AppLoadDocument(MPI_Comm comm, int argc, char **argv, const char usage[], const char subdir[], const char option[], char outdir[], size_t len)
{
  const char *docdir;
  char        where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_USER_INPUT, "%s", usage);
  PetscCall(InputLoadXML(comm, argv[0]));
  PetscCall(InputGetDocumentDirectory(&docdir));
  PetscCall(PetscSNPrintf(outdir, len, "%s/%s", docdir, subdir));
  PetscCall(PetscOptionsGetString(NULL, NULL, option, outdir, len, NULL));
  PetscCall(InputOptionWhere(option, where, sizeof(where)));
  PetscCall(InputCheckWritableDirectory(comm, outdir, where));
  PetscFunctionReturn(0);
}
