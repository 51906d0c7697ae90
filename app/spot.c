/* spot: Single-Particle Operando Transport.

   spot <command> [arguments] [PETSc options]; `spot --help` lists the commands. User mistakes
   end the program with one line "spot: error: ..." and exit status 1; PETSc options (-ts_monitor,
   -log_view, ...) pass through to PETSc, after the command's own arguments. */
#include "app/app.h"
#include "input/input.h"
#include "files/files.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

static const char usage[] = "spot " SPOT_VERSION ": lithium transport in single battery-cathode particles\n"
                            "\n"
                            "usage: [mpirun -n N] spot <command> [arguments] [PETSc options]\n"
                            "\n"
                            "commands:\n"
                            "  run INPUT.xml   solve a protocol on a particle; writes timeseries.csv, fields.h5/.xmf\n"
                            "  mesh IMAGE      mesh the particle of an SEM image (PNG, TIFF, PGM) for run\n"
                            "  gitt RECORD.csv derive D(theta) from a GITT record (Weppner-Huggins)\n"
                            "  synth RUN.xml   film a run as an operando optical microscope would (multi-page TIFF)\n"
                            "  compare CMP.xml compare a run with an optical movie: contrast, regions, profiles, metrics\n"
                            "  fit FIT.xml     find the diffusivity scale alpha that matches an optical movie best\n"
                            "  schema          print the XML schema of the input file\n"
                            "  version         print the version\n"
                            "\n"
                            "`spot <command> --help` describes a command; `-help` after it lists PETSc's options.\n";

typedef struct {
  const char *name;
  PetscErrorCode (*fn)(MPI_Comm, int, char **, PetscBool);
} Command;

static const Command commands[] = {
  {"run",     SpotRun    },
  {"mesh",    SpotMesh   },
  {"gitt",    SpotGitt   },
  {"synth",   SpotSynth  },
  {"compare", SpotCompare},
  {"fit",     SpotFit    },
  {"schema",  SpotSchema },
};

static char session_dir[4096] = "";

/* The singleton's session directory, once Open MPI has removed what it put in it */
static void RemoveSessionDir(void)
{
  if (session_dir[0]) rmdir(session_dir);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  PetscBool      help = PETSC_FALSE;
  const char    *command = NULL, *message;
  int            pargc = 0, cargc = 0, status = 0;
  char         **pargv, **cargv;
  PetscMPIInt    rank, size;

  /* --help and -h belong to spot; everything else also goes to PETSc */
  pargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  cargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  if (!pargv || !cargv) return 1;
  for (int i = 0; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      help = PETSC_TRUE;
      continue;
    }
    if (!strcmp(argv[i], "--version") && !command) {
      command = "version";
      continue;
    }
    pargv[pargc++] = argv[i];
    if (i == 0) continue;
    if (!command && argv[i][0] != '-') command = argv[i];
    else if (command) cargv[cargc++] = argv[i];
  }
  pargv[pargc] = NULL;
  cargv[cargc] = NULL;

  /* Started without mpirun: Open MPI would launch a helper daemon for the singleton (0.1 s of CPU,
     0.2 s of wall time per run); spot never spawns processes, so it does without (the user's
     own setting wins) */
  if (!getenv("OMPI_COMM_WORLD_SIZE")) {
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
    /* Isolated singletons share one session directory (/tmp/ompi.<host>.<uid>/jf.0/1), which the
       first to exit removes: a spot started as another ended failed in MPI_Init ("orte_init
       failed", seen in the hostile-input suite). Each gets a directory of its own, removed at exit */
    if (!getenv("OMPI_MCA_orte_tmpdir_base")) {
      const char *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
      snprintf(session_dir, sizeof(session_dir), "%s/spot-mpi-XXXXXX", tmp);
      if (mkdtemp(session_dir)) setenv("OMPI_MCA_orte_tmpdir_base", session_dir, 1);
      else session_dir[0] = 0;
    }
  }
  /* Such singletons share one session directory (/tmp/ompi.<host>.<uid>/jf.0/1), which the first to
     exit removes; a concurrent run (an alpha sweep) then printed "mca_sharedfp_sm_component_file_query:
     Error, unable to open file for mmap" on opening its HDF5 checkpoint. spot's files use no shared
     file pointers, so that component is not needed */
  setenv("OMPI_MCA_sharedfp", "^sm", 0);
  /* PT-Scotch partitions with several threads by default, and their race makes the partition,
     and so the round-off of every parallel run, differ from one run to the next: with one thread
     two identical runs give identical results */
  setenv("SCOTCH_PTHREAD_NUMBER", "1", 0);
  ierr = PetscInitialize(&pargc, &pargv, NULL, NULL);
  if (ierr) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  ierr = InputPushErrorHandler();
  if (!ierr) ierr = InputRecordCommandLine(cargc, cargv);
  if (!ierr) ierr = FileSignalsSet(FILE_SIGNALS_EXIT); /* an interrupt removes unfinished files */
  if (!command || !strcmp(command, "help")) {
    if (!rank) fputs(usage, help || command ? stdout : stderr);
    status = (help || command) ? 0 : 1;
  } else if (ierr) {
    status = 1;
  } else if (!strcmp(command, "version")) {
    if (!rank) printf("spot %s (PETSc %d.%d.%d)\n", SPOT_VERSION, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR);
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
        if (!message && size > 1) MPI_Abort(PETSC_COMM_WORLD, 1); /* an internal error may not be collective */
      }
    }
  }
  PetscFinalize();
  RemoveSessionDir();
  free(pargv);
  free(cargv);
  return status;
}
