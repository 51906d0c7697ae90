/* spot gitt RECORD.csv: D(θ) from a GITT record by Weppner–Huggins (postproc/gitt/gitt.h).
   spot gitt --simulate INPUT.xml: the same analysis of a GITT run of spot itself, against the D
   the run used (postproc/gitt/gitt.h).

   The arguments become -gitt_ options (the options database is the single source; a PETSc
   option given as well wins), the record is read by input/ (rank 0 reads, all ranks get it),
   every rank analyses it and rank 0 writes diffusivity.csv, pulses.csv and gitt.png. */
#include "app/app.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include "postproc/gitt/gitt.h"
#include "solver/solver.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char gitt_help[] =
    "usage: [mpirun -n N] spot gitt RECORD.csv (--length L | --mesh PARTICLE.msh) [arguments] [PETSc options]\n"
    "       [mpirun -n N] spot gitt --simulate INPUT.xml [-o OUTDIR] [analysis arguments] [PETSc options]\n"
    "\n"
    "Finds the current pulses and the rests between them in a GITT record (a CSV with '#' comment lines,\n"
    "a header row and numeric rows: time, current, voltage), and per pulse computes the relaxed-voltage\n"
    "change dE_s, the transient change dE_t from the linear part of E against sqrt(t) (IR step excluded),\n"
    "the pulse time tau, theta by coulomb counting, and D = 4/(pi tau) (L dE_s/dE_t)^2. Writes to OUTDIR:\n"
    "  diffusivity.csv  theta,D_cm2_per_s: read by spot run as <diffusivity law=\"table\" file=\"...\"/>\n"
    "  pulses.csv       one row per pulse with every intermediate value and flags\n"
    "  gitt.png         D(theta), and E against sqrt(t) with the fitted lines for a few pulses\n"
    "All of them appear together once all are complete; after a failure (a full disk too), none does.\n"
    "\n"
    "Record:\n"
    "  --time-column NAME      default: time_s, time or t      --time-unit s|min|h      (default from the name, else s)\n"
    "  --current-column NAME   default: current_A, current, I  --current-unit A|mA      (default from the name, else A)\n"
    "  --voltage-column NAME   default: voltage_V, voltage, V, E, Ecell_V   --voltage-unit V|mV\n"
    "  --charge-positive       positive current charges (delithiates the cathode; the default)\n"
    "  --discharge-positive    positive current discharges\n"
    "Analysis:\n"
    "  --length L              diffusion length, e.g. 1.2um (|Omega|/|dOmega| in 2-D, V/A in 3-D)\n"
    "  --mesh PARTICLE.msh     take L from a mesh instead\n"
    "  --theta-start X         theta before the first pulse (default 1 for a net charge, 0 for a net discharge)\n"
    "  --capacity C            capacity for coulomb counting, e.g. 2.6Ah (default: the charge of all pulses)\n"
    "  --current-threshold F   a pulse ends where |I| falls below F times the pulse current (0.05)\n"
    "  --edges previous|midpoint  a pulse starts at the last rest sample before it and ends at its own last sample\n"
    "                          (previous: cyclers log the end of every step; the default), or midway between samples\n"
    "  --fit-window A,B        the sqrt(t) fit uses A*tau <= t - t_start <= B*tau (0.1,1)\n"
    "  --max-drift R           a rest has relaxed when |dE/dt| at its end is at most R mV/h (10)\n"
    "  --allow-unrelaxed       flag pulses beside unrelaxed rests instead of stopping\n"
    "  --max-ratio R           flag pulses with tau D/L^2 above R (0.1)\n"
    "Output:\n"
    "  -o, --output OUTDIR     output directory (default gitt_out)\n"
    "\n"
    "Self-consistency (--simulate INPUT.xml): runs the <gitt> protocol of a spot input with spot's own solver\n"
    "(on its mesh, with its D(theta), OCP and kinetics), analyses the simulated record the same way with\n"
    "L = |Omega|/|dOmega| (2-D) or V/A (3-D) of the mesh, theta_start = the initial mean theta and the capacity\n"
    "of the whole particle, and compares each pulse's D with the true one, alpha D_GITT at the pulse's mean theta.\n"
    "The input needs <ocp>; unrelaxed rests are flagged rather than fatal. Writes to OUTDIR (default: the\n"
    "input's <output><directory>, else gitt_out/ beside it):\n"
    "  record.csv       the simulated record (t_s, current_A, voltage_V, ...), which spot gitt reads\n"
    "  pulses.csv, diffusivity.csv, gitt.png   the analysis, as above\n"
    "  roundtrip.csv    per pulse: theta, D_true, D_analysed, their ratio, the apparent alpha = D_true/D_analysed,\n"
    "                   the short-time curvature estimate of the ratio, and flags where the analysis' assumptions\n"
    "                   break down (long pulse, unrelaxed rest, E(theta) nonlinear, D varies over the pulse)\n"
    "  roundtrip.png    D_true(theta) with the analysed points, and the apparent alpha per pulse\n"
    "  mesh.msh         the mesh, when spot made it\n"
    "\n"
    "Each argument is also an option: --length 1.2um is -gitt_length 1.2um, -o DIR is -gitt_output_directory DIR.\n"
    "example: spot gitt data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv --length 5um --capacity 2.6Ah -o out\n";

typedef struct {
  const char *argument, *option, *value; /* value: fixed value of a flag, NULL if the argument takes one */
} ArgumentMap;

static const ArgumentMap arguments[] = {
    {"--time-column", "-gitt_time_column", NULL},
    {"--current-column", "-gitt_current_column", NULL},
    {"--voltage-column", "-gitt_voltage_column", NULL},
    {"--time-unit", "-gitt_time_unit", NULL},
    {"--current-unit", "-gitt_current_unit", NULL},
    {"--voltage-unit", "-gitt_voltage_unit", NULL},
    {"--charge-positive", "-gitt_positive", "charge"},
    {"--discharge-positive", "-gitt_positive", "discharge"},
    {"--theta-start", "-gitt_theta_start", NULL},
    {"--capacity", "-gitt_capacity", NULL},
    {"--length", "-gitt_length", NULL},
    {"--mesh", "-gitt_mesh", NULL},
    {"--current-threshold", "-gitt_current_threshold", NULL},
    {"--fit-window", "-gitt_fit_window", NULL},
    {"--edges", "-gitt_edges", NULL},
    {"--max-drift", "-gitt_max_drift", NULL},
    {"--allow-unrelaxed", "-gitt_allow_unrelaxed", "true"},
    {"--max-ratio", "-gitt_max_ratio", NULL},
    {"--output", "-gitt_output_directory", NULL},
    {"--simulate", "-gitt_simulate", NULL},
    {"-o", "-gitt_output_directory", NULL},
};

/* argv[0] is the record, if it is not an argument; --name value / --name=value / -o value become
   options; other single-dash words are PETSc options (with their value, if one follows) */
static PetscErrorCode ParseArguments(MPI_Comm comm, int argc, char **argv)
{
  PetscBool sign_given = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (int i = argc >= 1 && argv[0][0] != '-' ? 1 : 0; i < argc; ++i) {
    const ArgumentMap *map = NULL;
    char               name[128], where[160];
    const char        *value = NULL, *eq;
    if (argv[i][0] != '-') SETERRQ(comm, PETSC_ERR_USER_INPUT, "unexpected argument '%s' (the record comes first; spot gitt --help lists the arguments)", argv[i]);
    if (argv[i][1] != '-' && strcmp(argv[i], "-o")) { /* a PETSc option */
      if (i + 1 < argc && argv[i + 1][0] != '-') ++i;
      continue;
    }
    eq = strchr(argv[i], '=');
    PetscCall(PetscStrncpy(name, argv[i], eq ? PetscMin((size_t)(eq - argv[i]) + 1, sizeof(name)) : sizeof(name)));
    for (size_t k = 0; k < sizeof(arguments) / sizeof(arguments[0]); ++k)
      if (!strcmp(name, arguments[k].argument)) map = &arguments[k];
    PetscCheck(map, comm, PETSC_ERR_USER_INPUT, "unknown argument %s (spot gitt --help lists the arguments)", name);
    PetscCall(PetscSNPrintf(where, sizeof(where), "argument %s", name));
    if (map->value) {
      PetscCheck(!eq, comm, PETSC_ERR_USER_INPUT, "argument %s takes no value", name);
      if (!strcmp(map->option, "-gitt_positive")) {
        PetscCheck(!sign_given, comm, PETSC_ERR_USER_INPUT, "give one of --charge-positive and --discharge-positive");
        sign_given = PETSC_TRUE;
      }
      value = map->value;
    } else if (eq)
      value = eq + 1;
    else {
      PetscCheck(i + 1 < argc, comm, PETSC_ERR_USER_INPUT, "argument %s needs a value (spot gitt --help)", name);
      value = argv[++i];
    }
    PetscCheck(value[0], comm, PETSC_ERR_USER_INPUT, "argument %s needs a value (spot gitt --help)", name);
    PetscCall(InputSetOption(map->option, value, where));
  }
  PetscFunctionReturn(0);
}

/* The column of option (if given) or the first of the usual names; its unit from the option, the
   name's suffix ("time_min" → min) or the default */
static PetscErrorCode PickColumn(const InputTable *t, const char path[], const char what[], const char option[], const char *const names[], const char unit_option[], UnitKind kind, const char unit_default[], PetscInt *column, PetscReal *factor, char unit[], size_t len)
{
  char      name[256], where[PETSC_MAX_PATH_LEN];
  PetscBool set, ok;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, option, name, sizeof(name), &set));
  if (set)
    PetscCall(InputTableColumn(t, path, name, column));
  else {
    char list[1024] = "";
    *column         = -1;
    for (PetscInt k = 0; names[k] && *column < 0; ++k)
      for (PetscInt j = 0; j < t->ncols; ++j)
        if (!strcmp(t->names[j], names[k])) {
          *column = j;
          break;
        }
    for (PetscInt j = 0; j < t->ncols; ++j) {
      PetscCall(PetscStrlcat(list, j ? ", " : "", sizeof(list)));
      PetscCall(PetscStrlcat(list, t->names[j], sizeof(list)));
    }
    PetscCheck(*column >= 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: no %s column (columns: %s); name it with --%s-column NAME", path, what, list, what);
  }
  PetscCall(PetscOptionsGetString(NULL, NULL, unit_option, unit, len, &set));
  if (!set) {
    const char *suffix = strrchr(t->names[*column], '_');
    UnitKind    k;
    PetscCall(PetscStrncpy(unit, unit_default, len));
    if (suffix) {
      PetscCall(UnitParse(suffix + 1, &k, &ok));
      if (ok && k == kind) PetscCall(PetscStrncpy(unit, suffix + 1, len));
    }
  }
  PetscCall(UnitToInternal(unit, kind, 1.0, factor, &ok));
  PetscCall(InputOptionWhere(unit_option, where, sizeof(where)));
  PetscCheck(ok && unit[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: '%s' is not a unit of %s for column '%s'", where, unit, UnitKindNames[kind], t->names[*column]);
  PetscFunctionReturn(0);
}

/* L = |Ω|/|∂Ω| of a mesh (V/A in 3-D), with a description for the output headers */
static PetscErrorCode LengthFromMesh(MPI_Comm comm, const char path[], PetscReal *L, char what[], size_t len)
{
  DM       dm;
  MeshInfo info;

  PetscFunctionBeginUser;
  PetscCall(InputCheckReadable(comm, path, "mesh"));
  PetscCall(MeshLoad(comm, path, &dm));
  PetscCall(MeshGetInfo(dm, &info));
  PetscCall(DMDestroy(&dm));
  PetscCheck(info.surface > 0, comm, PETSC_ERR_USER_INPUT, "mesh '%s' has no active surface", path);
  *L = info.volume / info.surface;
  if (info.dim == 2)
    PetscCall(PetscSNPrintf(what, len, "mesh %s: |Omega|/|dOmega| = %.6g um2 / %.6g um", path, (double)info.volume, (double)info.surface));
  else
    PetscCall(PetscSNPrintf(what, len, "mesh %s: V/A = %.6g um3 / %.6g um2", path, (double)info.volume, (double)info.surface));
  PetscFunctionReturn(0);
}

/* The run, its analysis and their files, all or nothing: record.csv, pulses.csv, gitt.png,
   diffusivity.csv (with 2 pulses or more that gave a D), roundtrip.csv, roundtrip.png and the
   mesh spot made, published together once all are written (the caller removes the mesh after a
   failure) */
static PetscErrorCode WriteSimulation(MPI_Comm comm, GittRoundTrip rt, Gitt gitt, const char outdir[], PetscInt ntable)
{
  char path[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/record.csv", outdir));
  PetscCall(GittRoundTripWriteRecord(rt, path));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/pulses.csv", outdir));
  PetscCall(GittWritePulses(gitt, path));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/gitt.png", outdir));
  PetscCall(GittWritePlot(gitt, path));
  if (ntable >= 2) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diffusivity.csv", outdir));
    PetscCall(GittWriteDiffusivity(gitt, path));
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/roundtrip.csv", outdir));
  PetscCall(GittRoundTripWrite(rt, path));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/roundtrip.png", outdir));
  PetscCall(GittRoundTripWritePlot(rt, path));
  PetscFunctionReturn(0);
}

static PetscErrorCode SimulateWithFiles(MPI_Comm comm, const char input[], const char outdir[], PostprocFiles files)
{
  Simulation    sim;
  Solver        solver;
  GittRoundTrip rt;
  Gitt          gitt;
  PetscInt      ntable;
  PetscBool     made;
  char          source[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCall(PostprocMeshGenerated(&made));
  PetscCall(SimulationCreate(comm, outdir, PETSC_VIEWER_STDOUT_(comm), &sim));
  if (made) PetscCall(PostprocFilesAdoptMesh(files, outdir, NULL, 0)); /* an output of the set from now on */
  PetscCall(SimulationGetSolver(sim, &solver));
  PetscCall(PetscSNPrintf(source, sizeof(source), "simulated record of %s", input));
  PetscCall(GittRoundTripCreate(solver, source, &rt));
  PetscCall(SimulationRun(sim));

  PetscCall(GittCreate(comm, &gitt));
  PetscCall(GittRoundTripSetUp(rt, gitt));
  PetscCall(GittSetFromOptions(gitt));
  PetscCall(GittAnalyse(gitt));
  PetscCall(GittView(gitt, PETSC_VIEWER_STDOUT_(comm)));
  PetscCall(GittRoundTripCompare(rt, gitt));
  PetscCall(GittRoundTripView(rt, PETSC_VIEWER_STDOUT_(comm)));
  PetscCall(GittGetDiffusivity(gitt, &ntable, NULL, NULL));
  PetscCall(GittSetOutputFiles(gitt, files));
  PetscCall(GittRoundTripSetOutputFiles(rt, files));
  PetscCall(WriteSimulation(comm, rt, gitt, outdir, ntable));
  PetscCall(PostprocFilesPublish(files));
  if (ntable < 2) PetscCall(PetscPrintf(comm, "  no diffusivity.csv: %" PetscInt_FMT " pulse(s) gave a D, a table needs 2\n", ntable));
  PetscCall(PetscPrintf(comm, "  wrote %s/: record.csv, pulses.csv, gitt.png,%s roundtrip.csv, roundtrip.png\n", outdir, ntable >= 2 ? " diffusivity.csv," : ""));
  PetscCall(GittDestroy(&gitt));
  PetscCall(GittRoundTripDestroy(&rt));
  PetscCall(SimulationDestroy(&sim));
  PetscFunctionReturn(0);
}

static PetscErrorCode SimulateInDirectory(MPI_Comm comm, const char input[], const char outdir[])
{
  PostprocFiles  files;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesCreate(comm, &files));
  PetscCall(PostprocMeshRemoveOnSignal(outdir, PETSC_TRUE)); /* while it is made */
  ierr = SimulateWithFiles(comm, input, outdir, files);
  PetscCall(PostprocFilesDestroy(&files)); /* after a failure: none of them */
  PetscCall(PostprocMeshRemoveOnSignal(outdir, PETSC_FALSE));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* spot gitt --simulate INPUT.xml: the parameters of the analysis come from the run */
static PetscErrorCode GittSimulate(MPI_Comm comm, const char input[])
{
  static const char *const from_run[] = {"-gitt_length", "-gitt_mesh", "-gitt_capacity", "-gitt_theta_start", "-gitt_positive"};
  char                     outdir[PETSC_MAX_PATH_LEN], where[PETSC_MAX_PATH_LEN], value[256], generated[PETSC_MAX_PATH_LEN + 32];
  const char              *docdir;
  PetscInt                 nsteps = 0;
  PetscBool                found  = PETSC_FALSE, set, has_ocp, made;
  PetscMPIInt              rank;
  PetscErrorCode           ierr;

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(from_run) / sizeof(from_run[0]); ++k) {
    PetscCall(PetscOptionsHasName(NULL, NULL, from_run[k], &set));
    PetscCall(InputOptionWhere(from_run[k], where, sizeof(where)));
    PetscCheck(!set, comm, PETSC_ERR_USER_INPUT, "%s: spot gitt --simulate takes L, theta_start, the capacity and the sign of the current from the run; leave it out", where);
  }
  PetscCall(InputLoadXML(comm, input));
  PetscCall(InputCheckOptions(comm, "gitt"));

  /* a <gitt> protocol (input/ names its pulses "gitt pulse k") */
  PetscCall(InputStepCount(&nsteps));
  for (PetscInt i = 0; i < nsteps && !found; ++i) {
    PetscCall(InputStepGetString(i, "name", value, sizeof(value), &set));
    if (set && !strncmp(value, "gitt pulse", 10)) found = PETSC_TRUE;
  }
  PetscCheck(found, comm, PETSC_ERR_USER_INPUT, "%s: the protocol has no <gitt> step; spot gitt --simulate runs and analyses one, e.g. <gitt direction=\"charge\" pulses=\"10\"> with <c_rate>, <pulse> and <relaxation>", input);
  { /* the analysis reads the voltage: an open-circuit potential is needed (checked before any file is made) */
    Physics phys;
    PetscCall(PhysicsCreate(comm, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    PetscCall(PhysicsHasOCP(phys, &has_ocp));
    PetscCall(PhysicsDestroy(&phys));
    PetscCheck(has_ocp, comm, PETSC_ERR_USER_INPUT, "%s: spot gitt --simulate needs an open-circuit potential (<material><ocp>): the analysis reads the voltage", input);
  }

  PetscCall(InputGetDocumentDirectory(&docdir));
  PetscCall(PetscSNPrintf(outdir, sizeof(outdir), "%s/gitt_out", docdir));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-out_directory", outdir, sizeof(outdir), &set));
  PetscCall(InputOptionWhere(set ? "-out_directory" : "-gitt_output_directory", where, sizeof(where)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_output_directory", outdir, sizeof(outdir), &set));
  if (set) PetscCall(InputOptionWhere("-gitt_output_directory", where, sizeof(where)));
  PetscCall(InputCheckWritableDirectory(comm, outdir, where));
  /* a simulated rest that has not relaxed is a finding to report, not an input error */
  PetscCall(InputSetOption("-gitt_allow_unrelaxed", "true", NULL));

  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, outdir));
  PetscCall(PostprocMeshGenerated(&made));
  ierr = SimulateInDirectory(comm, input, outdir);
  if (ierr && made && rank == 0) PetscCall(PostprocMeshRemove(outdir)); /* a mesh spot made is kept only with the results it gave */
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

PetscErrorCode SpotGitt(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  static const char *const time_names[]    = {"time_s", "time", "t", "t_s", "time_min", "time_h", NULL};
  static const char *const current_names[] = {"current_A", "current", "I", "I_A", "current_mA", "I_mA", NULL};
  static const char *const voltage_names[] = {"voltage_V", "voltage", "V", "E", "Ecell_V", "E_V", "U", "U_V", "voltage_mV", NULL};
  InputTable               table;
  Gitt                     gitt;
  PetscInt                 ct, ci, cv, n;
  PetscReal               *t, *cur, *volt, ft, fi, fv, sign = 1;
  char                     tunit[32], iunit[32], vunit[32], positive[32] = "charge", mesh[PETSC_MAX_PATH_LEN], outdir[PETSC_MAX_PATH_LEN] = "gitt_out", where[PETSC_MAX_PATH_LEN];
  char                     description[1024], path[PETSC_MAX_PATH_LEN + 32];
  PetscBool                has_mesh, has_length;
  const char              *record;
  PostprocFiles            files;
  PetscErrorCode           ierr;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", gitt_help));
    PetscFunctionReturn(0);
  }
  PetscCall(ParseArguments(comm, argc, argv));
  {
    char      input[PETSC_MAX_PATH_LEN];
    PetscBool simulate;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_simulate", input, sizeof(input), &simulate));
    if (simulate) {
      PetscCheck(!(argc >= 1 && argv[0][0] != '-'), comm, PETSC_ERR_USER_INPUT, "give either a record (spot gitt RECORD.csv) or --simulate INPUT.xml, not both");
      PetscCall(GittSimulate(comm, input));
      PetscFunctionReturn(0);
    }
  }
  PetscCheck(argc >= 1 && argv[0][0] != '-', comm, PETSC_ERR_USER_INPUT, "usage: spot gitt RECORD.csv (--length L | --mesh PARTICLE.msh) [arguments] (the record comes first; spot gitt --help)");
  record = argv[0];
  PetscCall(InputCheckOptions(comm, "gitt"));
  PetscCall(InputCheckNoSolverOptions(comm, "gitt RECORD.csv")); /* the analysis of a record solves nothing */

  /* where L comes from, and where the outputs go: checked before the record is read */
  PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_mesh", mesh, sizeof(mesh), &has_mesh));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-gitt_length", &has_length));
  PetscCheck(!(has_mesh && has_length), comm, PETSC_ERR_USER_INPUT, "give either --length or --mesh, not both");
  PetscCheck(has_mesh || has_length, comm, PETSC_ERR_USER_INPUT, "no diffusion length L: give --length (e.g. 1.2um) or --mesh particle.msh");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_output_directory", outdir, sizeof(outdir), NULL));
  PetscCall(InputOptionWhere("-gitt_output_directory", where, sizeof(where)));
  PetscCall(InputCheckWritableDirectory(comm, outdir, where));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_positive", positive, sizeof(positive), NULL));
  PetscCall(InputOptionWhere("-gitt_positive", where, sizeof(where)));
  if (!strcmp(positive, "discharge"))
    sign = -1;
  else
    PetscCheck(!strcmp(positive, "charge"), comm, PETSC_ERR_USER_INPUT, "%s: expected charge or discharge, got '%s'", where, positive);

  /* the record */
  PetscCall(InputCheckReadable(comm, record, "GITT record"));
  PetscCall(InputTableRead(comm, record, &table));
  PetscCall(PickColumn(&table, record, "time", "-gitt_time_column", time_names, "-gitt_time_unit", UNIT_TIME, "s", &ct, &ft, tunit, sizeof(tunit)));
  PetscCall(PickColumn(&table, record, "current", "-gitt_current_column", current_names, "-gitt_current_unit", UNIT_CURRENT, "A", &ci, &fi, iunit, sizeof(iunit)));
  PetscCall(PickColumn(&table, record, "voltage", "-gitt_voltage_column", voltage_names, "-gitt_voltage_unit", UNIT_POTENTIAL, "V", &cv, &fv, vunit, sizeof(vunit)));
  n = table.nrows;
  PetscCall(PetscMalloc3(n, &t, n, &cur, n, &volt));
  for (PetscInt r = 0; r < n; ++r) {
    t[r]    = table.values[r * table.ncols + ct] * ft;
    cur[r]  = table.values[r * table.ncols + ci] * fi * sign;
    volt[r] = table.values[r * table.ncols + cv] * fv;
  }
  PetscCall(PetscSNPrintf(description, sizeof(description), "columns %s [%s], %s [%s, positive = %s], %s [%s]", table.names[ct], tunit, table.names[ci], iunit, positive, table.names[cv], vunit));

  PetscCall(GittCreate(comm, &gitt));
  PetscCall(GittSetRecord(gitt, record, n, t, cur, volt, table.lines));
  PetscCall(GittSetRecordDescription(gitt, description));
  PetscCall(PetscFree3(t, cur, volt));
  PetscCall(InputTableDestroy(&table));
  PetscCall(GittSetFromOptions(gitt));
  if (has_mesh) {
    PetscReal L = 0;
    char      what[PETSC_MAX_PATH_LEN + 128];
    PetscCall(LengthFromMesh(comm, mesh, &L, what, sizeof(what)));
    PetscCall(GittSetLength(gitt, L, what));
  }
  { /* no output may replace the record or the mesh read (-o at the record's folder) */
    static const char *const outputs[] = {"pulses.csv", "gitt.png", "diffusivity.csv"};
    PetscCall(InputOptionWhere("-gitt_output_directory", where, sizeof(where)));
    for (size_t k = 0; k < sizeof(outputs) / sizeof(outputs[0]); ++k) {
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", outdir, outputs[k]));
      PetscCall(InputCheckOutputFile(comm, path, where));
    }
  }
  PetscCall(GittAnalyse(gitt));
  PetscCall(GittView(gitt, PETSC_VIEWER_STDOUT_(comm)));
  PetscCall(GittCheckTable(gitt)); /* no table: fail before any file is made */

  /* pulses.csv, gitt.png and diffusivity.csv, all or nothing */
  PetscCall(PostprocFilesCreate(comm, &files));
  PetscCall(GittSetOutputFiles(gitt, files));
  ierr = PetscSNPrintf(path, sizeof(path), "%s/pulses.csv", outdir);
  if (!ierr) ierr = GittWritePulses(gitt, path);
  if (!ierr) ierr = PetscSNPrintf(path, sizeof(path), "%s/gitt.png", outdir);
  if (!ierr) ierr = GittWritePlot(gitt, path);
  if (!ierr) ierr = PetscSNPrintf(path, sizeof(path), "%s/diffusivity.csv", outdir);
  if (!ierr) ierr = GittWriteDiffusivity(gitt, path);
  if (!ierr) ierr = PostprocFilesPublish(files);
  PetscCall(PostprocFilesDestroy(&files)); /* after a failure: none of them */
  PetscCall(ierr);
  PetscCall(PetscPrintf(comm, "  wrote %s/diffusivity.csv, %s/pulses.csv, %s/gitt.png\n", outdir, outdir, outdir));
  PetscCall(GittDestroy(&gitt));
  PetscFunctionReturn(0);
}
