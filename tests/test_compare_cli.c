/* A stand-in for bin/spot with the commands of issue 5 (synth, compare, fit) and schema, until
   app/spot.c registers them: the same argument split, error handler and one-line
   "spot: error: ..." as app/spot.c. The CLI cases of tests/cases.d/compare.sh run it.
     test_compare_cli synth|compare|fit|schema [arguments] [PETSc options] */
#include "app/app.h"
#include "input/input.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

PetscErrorCode SpotSynth(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotCompare(MPI_Comm comm, int argc, char **argv, PetscBool help);
PetscErrorCode SpotFit(MPI_Comm comm, int argc, char **argv, PetscBool help);

typedef struct {
  const char *name;
  PetscErrorCode (*fn)(MPI_Comm, int, char **, PetscBool);
} Command;

static const Command commands[] = {
  {"synth",   SpotSynth  },
  {"compare", SpotCompare},
  {"fit",     SpotFit    },
  {"run",     SpotRun    },
  {"schema",  SpotSchema },
};

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  PetscBool      help = PETSC_FALSE;
  const char    *command = NULL, *message;
  int            pargc = 0, cargc = 0, status = 0;
  char         **pargv, **cargv;
  PetscMPIInt    rank, size;

  pargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  cargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  if (!pargv || !cargv) return 1;
  for (int i = 0; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      help = PETSC_TRUE;
      continue;
    }
    pargv[pargc++] = argv[i];
    if (i == 0) continue;
    if (!command && argv[i][0] != '-') command = argv[i];
    else if (command) cargv[cargc++] = argv[i];
  }
  pargv[pargc] = NULL;
  cargv[cargc] = NULL;

  ierr = PetscInitialize(&pargc, &pargv, NULL, NULL);
  if (ierr) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  ierr = InputPushErrorHandler();
  if (!command) {
    if (!rank) fputs("usage: test_compare_cli synth|compare|fit|run|schema ...\n", stderr);
    status = 1;
  } else {
    const Command *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); ++i)
      if (!strcmp(command, commands[i].name)) c = &commands[i];
    if (!c) {
      if (!rank) fprintf(stderr, "spot: error: unknown command '%s' (try spot --help)\n", command);
      status = 1;
    } else {
      ierr = c->fn(PETSC_COMM_WORLD, cargc, cargv, help);
      if (ierr) {
        status = 1;
        InputLastUserError(&message);
        if (message && !rank) fprintf(stderr, "spot: error: %s\n", message);
        if (!message && size > 1) MPI_Abort(PETSC_COMM_WORLD, 1);
      }
    }
  }
  PetscFinalize();
  free(pargv);
  free(cargv);
  return status;
}
