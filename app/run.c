/* spot run INPUT.xml: read, mesh, set up the physics and the solver, run the protocol, write. */
#include "app/app.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"
#include "postproc/run/run.h"
#include <stdio.h>
#include <unistd.h>
#include <signal.h>
#include <string.h>
#include "files/files.h"

static const char run_help[] = "usage: [mpirun -n N] spot run INPUT.xml [PETSc options]\n"
                               "\n"
                               "Solves dtheta/dt = div(alpha D_GITT(theta) grad theta) in the particle of <mesh> through the\n"
                               "steps of <protocol>, and writes to <output><directory> (default: out/ beside INPUT.xml):\n"
                               "  timeseries.csv       one row per time step: t, step, C-rate, mean/centroid/centre/periphery/\n"
                               "                       surface/min/max theta, lithium-inventory error\n"
                               "  fields.h5, fields.xmf  theta at <output><times> (open fields.xmf in ParaView, or with meshio)\n"
                               "  mesh.msh             the mesh, when spot meshed <mesh><shape> or <mesh><image>, or refined it\n"
                               "  particle_preview.png the traced outline and mesh over the image, for <mesh><image>\n"
                               "  theta_map_*.png      with -out_maps true: maps of theta on the image's pixel grid at\n"
                               "                       -out_map_times (default <output><times>), one colour scale; also\n"
                               "                       theta_maps.tif (32-bit float pages) and theta_maps.csv\n"
                               "                       (-out_map_quantity delithiation for 1 - theta, -out_map_pixel_size,\n"
                               "                       -out_map_range lo,hi)\n"
                               "  -out_figure_formats png,pdf,svg  figures also as PDF and/or SVG (name.pdf, name.svg)\n"
                               "\n"
                               "Every input value is also an option, and options on the command line win:\n"
                               "  -phys_alpha 3.0  -phys_diffusivity_law constant -phys_diffusivity_value 1e-13cm2/s\n"
                               "  -proto_0_c_rate 1  -proto_0_duration 30min  -mesh_cell_size 50nm  -solver_degree 2\n"
                               "  -out_directory DIR  -out_times 0,10,20min  -init_theta 0.95\n"
                               "PETSc's own options work too: -ts_monitor -snes_monitor -log_view -dm_view -ts_type arkimex.\n"
                               "`spot schema` prints the XML schema; docs/input.md describes every element.\n";

/* Appends one shell word to cmd, quoted when it holds anything a shell would read: the command
   in the message below is pasted as it is */
static PetscErrorCode AppendShellWord(char cmd[], size_t len, const char word[])
{
  size_t n = strlen(cmd), plain = strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.,:/@%");

  PetscFunctionBeginUser;
  if (n + 1 < len) cmd[n++] = ' ';
  if (word[0] && !word[plain]) {
    for (const char *c = word; *c && n + 1 < len; ++c) cmd[n++] = *c;
  } else {
    if (n + 1 < len) cmd[n++] = '\'';
    for (const char *c = word; *c && n + 4 < len; ++c) {
      if (*c == '\'') {
        memcpy(cmd + n, "'\\''", 4);
        n += 4;
      } else cmd[n++] = *c;
    }
    if (n + 1 < len) cmd[n++] = '\'';
  }
  cmd[n < len ? n : len - 1] = 0;
  PetscFunctionReturn(0);
}

/* Whether argv[i] is the value of the option before it (PETSc's rule: a word that is not an
   option name, or a negative number) */
static PetscErrorCode IsOptionValue(int argc, char **argv, int i, PetscBool *value)
{
  char *end;

  PetscFunctionBeginUser;
  *value = i < argc && argv[i][0] != '-' ? PETSC_TRUE : PETSC_FALSE;
  if (i < argc && argv[i][0] == '-') {
    (void)strtod(argv[i], &end);
    *value = end != argv[i] && !*end ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* The one line that ends a run stopped by SIGINT or SIGTERM, and how to go on: the command that
   continues it repeats the interrupted run's own options (all but its output directory and
   initial state, which the checkpoint replaces) */
static PetscErrorCode InterruptedMessage(Simulation sim, int argc, char **argv, const char outdir[], char message[], size_t len)
{
  Solver    solver;
  PetscInt  sig;
  PetscReal t_stop, t_restart;
  char      cmd[4096] = "spot run", dir[PETSC_MAX_PATH_LEN + 16];

  PetscFunctionBeginUser;
  PetscCall(SimulationGetSolver(sim, &solver));
  PetscCall(SolverGetInterruption(solver, &sig, &t_stop, &t_restart));
  if (PetscIsNanReal(t_restart)) {
    PetscCall(PetscSNPrintf(message, len, "%s at t = %g s: the outputs up to then are complete in %s; no checkpoint was written (checkpoints are off)", sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)", (double)t_stop, outdir));
    PetscFunctionReturn(0);
  }
  PetscCall(AppendShellWord(cmd, sizeof(cmd), argv[0]));
  for (int i = 1; i < argc; ++i) {
    PetscBool dropped = !strcmp(argv[i], "-out_directory") || !strncmp(argv[i], "-init_", 6) ? PETSC_TRUE : PETSC_FALSE, value;

    if (!dropped) PetscCall(AppendShellWord(cmd, sizeof(cmd), argv[i]));
    PetscCall(IsOptionValue(argc, argv, i + 1, &value));
    if (value) {
      if (!dropped) PetscCall(AppendShellWord(cmd, sizeof(cmd), argv[i + 1]));
      ++i;
    }
  }
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/checkpoint.h5", outdir));
  PetscCall(AppendShellWord(cmd, sizeof(cmd), "-init_checkpoint_file"));
  PetscCall(AppendShellWord(cmd, sizeof(cmd), dir));
  PetscCall(PetscSNPrintf(dir, sizeof(dir), "%s/continued", outdir));
  PetscCall(AppendShellWord(cmd, sizeof(cmd), "-out_directory"));
  PetscCall(AppendShellWord(cmd, sizeof(cmd), dir));
  if (strlen(cmd) + 8 >= sizeof(cmd)) PetscCall(PetscSNPrintf(cmd, sizeof(cmd), "spot run with this run's input and options, its -out_directory replaced and -init_checkpoint_file %s/checkpoint.h5", outdir));
  PetscCall(PetscSNPrintf(message, len, "%s at t = %g s: the outputs up to then are complete in %s; %s/checkpoint.h5 (t = %g s) continues the run exactly: %s", sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)", (double)t_stop, outdir, outdir, (double)t_restart, cmd));
  PetscFunctionReturn(0);
}

/* Everything after the output directory is known: any failure leaves no file behind; an
   interrupt (SIGINT, SIGTERM) while the protocol runs ends it cleanly with complete outputs up to
   that time and a checkpoint to continue from */
static PetscErrorCode RunInDirectory(MPI_Comm comm, int argc, char **argv, const char outdir[], char message[], size_t len)
{
  Simulation           sim;
  Solver               solver;
  Output               out  = NULL;
  Maps                 maps = NULL;
  static PetscLogStage stage_setup = -1, stage_solve = -1;
  PetscErrorCode       ierr;
  PetscInt             sig = 0;

  PetscFunctionBeginUser;
  if (stage_setup < 0) PetscCall(PetscLogStageRegister("Setup", &stage_setup));
  if (stage_solve < 0) PetscCall(PetscLogStageRegister("Solve", &stage_solve));
  PetscCall(PetscLogStagePush(stage_setup));
  PetscCall(SimulationCreate(comm, outdir, PETSC_VIEWER_STDOUT_(comm), &sim));
  PetscCall(SimulationGetSolver(sim, &solver));
  PetscCall(SolverSetCheckpointDirectory(solver, outdir));
  PetscCall(MapsCreate(solver, outdir, &maps)); /* PNG maps of θ with -out_maps true (no file yet) */
  ierr = OutputCreate(solver, outdir, argv[0], &out);
  if (!ierr) ierr = InputCheckUnusedOptions(comm, "run"); /* every option is read by now */
  if (!ierr) ierr = SolverAddMonitor(solver, OutputMonitor, out);
  if (!ierr) ierr = SolverAddMonitor(solver, MapsMonitor, maps);
  if (!ierr) ierr = PetscLogStagePop();

  if (!ierr) ierr = PetscLogStagePush(stage_solve);
  if (!ierr) ierr = FileSignalsSet(FILE_SIGNALS_DEFER);
  if (!ierr) ierr = SimulationRun(sim);
  PetscCall(FileSignalsSet(FILE_SIGNALS_EXIT));
  if (!ierr) {
    PetscReal t_stop, t_restart;
    ierr = SolverGetInterruption(solver, &sig, &t_stop, &t_restart);
  }
  if (!ierr) ierr = MapsFinish(maps); /* maps first: MapsDiscard takes them back if the outputs fail */
  if (!ierr) ierr = OutputFinish(out);
  if (ierr) PetscCall(OutputDiscard(out)); /* no half-finished files, and none of a failed run */
  if (ierr) PetscCall(MapsDiscard(maps));
  if (ierr) PetscCall(SolverRemoveCheckpoints(solver));
  PetscCall(ierr);
  PetscCall(PetscLogStagePop());
  message[0] = 0;
  if (sig) PetscCall(InterruptedMessage(sim, argc, argv, outdir, message, len));

  PetscCall(MapsDestroy(&maps));
  PetscCall(OutputDestroy(&out));
  PetscCall(SimulationDestroy(&sim));
  PetscFunctionReturn(0);
}

PetscErrorCode SpotRun(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  PetscErrorCode ierr;
  PetscMPIInt    rank;
  AppOutputLock  lock;
  char           outdir[PETSC_MAX_PATH_LEN], generated[PETSC_MAX_PATH_LEN], kept[PETSC_MAX_PATH_LEN], table[PETSC_MAX_PATH_LEN], kept_table[PETSC_MAX_PATH_LEN], interrupted[4096 + 3 * PETSC_MAX_PATH_LEN] = "";

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", run_help));
    PetscFunctionReturn(0);
  }
  PetscCall(AppLoadDocument(comm, argc, argv, "usage: spot run INPUT.xml [PETSc options] (the input file comes first)", "out", "-out_directory", outdir, sizeof(outdir)));
  PetscCall(InputCheckOptions(comm, "run"));
  PetscCall(AppLockOutputDirectory(comm, "-out_directory", outdir, &lock));

  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, outdir));
  PetscCall(PetscSNPrintf(kept, sizeof(kept), "%s/mesh.msh", outdir));
  PetscCall(PetscSNPrintf(table, sizeof(table), "%s/" MESH_GENERATED_TABLE_NAME, outdir));
  PetscCall(PetscSNPrintf(kept_table, sizeof(kept_table), "%s/" MESH_KEPT_TABLE_NAME, outdir));
  PetscCall(FileRemoveOnSignal(generated, PETSC_TRUE)); /* a mesh spot makes is kept only with results */
  PetscCall(FileRemoveOnSignal(table, PETSC_TRUE));
  ierr = RunInDirectory(comm, argc, argv, outdir, interrupted, sizeof(interrupted));
  if (rank == 0) { /* a mesh spot made (and its table) is kept only with the results it gave (an interrupted run's too) */
    if (ierr) PetscCall(PostprocMeshRemove(outdir));
    else if ((!access(generated, F_OK) && rename(generated, kept)) || (!access(table, F_OK) && rename(table, kept_table))) {
      ierr = PETSC_ERR_FILE_WRITE;
      PetscCall(PostprocMeshRemove(outdir));
    }
  }
  PetscCall(FileRemoveOnSignal(generated, PETSC_FALSE));
  PetscCall(FileRemoveOnSignal(table, PETSC_FALSE));
  PetscCall(AppUnlockOutputDirectory(&lock, ierr ? PETSC_TRUE : PETSC_FALSE));
  PetscCall(ierr);
  PetscCheck(!interrupted[0], comm, PETSC_ERR_USER_INPUT, "%s", interrupted);
  PetscFunctionReturn(0);
}

PetscErrorCode SpotSchema(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  const char *xsd;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "usage: spot schema [spot.xsd | compare.xsd] > file.xsd\nPrints a compiled-in XML schema: spot.xsd for spot run inputs (the default), compare.xsd for spot compare and spot fit.\n"));
    PetscFunctionReturn(0);
  }
  for (int i = 0; i < argc; ++i) /* one schema name at most, and no options (nothing would read them) */
    PetscCheck(argv[i][0] != '-' && i == 0, comm, PETSC_ERR_USER_INPUT, "spot schema takes one schema name (spot.xsd or compare.xsd) and no options, got '%.60s%s'%s", argv[i], strlen(argv[i]) > 60 ? "..." : "", i ? " after it" : "");
  PetscCall(InputSchemaText(argc >= 1 ? argv[0] : "spot.xsd", &xsd));
  PetscCall(PetscPrintf(comm, "%s", xsd));
  PetscFunctionReturn(0);
}
