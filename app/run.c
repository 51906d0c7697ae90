/* spot run INPUT.xml: read, mesh, set up the physics and the solver, run the protocol, write. */
#include "app/app.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"
#include "postproc/postproc.h"
#include <stdio.h>
#include <unistd.h>

static const char run_help[] = "usage: [mpirun -n N] spot run INPUT.xml [PETSc options]\n"
                               "\n"
                               "Solves dtheta/dt = div(alpha D_GITT(theta) grad theta) in the particle of <mesh> through the\n"
                               "steps of <protocol>, and writes to <output><directory> (default: out/ beside INPUT.xml):\n"
                               "  timeseries.csv       one row per time step: t, step, C-rate, mean/centroid/centre/periphery/\n"
                               "                       surface/min/max theta, lithium-inventory error\n"
                               "  fields.h5, fields.xmf  theta at <output><times> (open fields.xmf in ParaView)\n"
                               "  mesh.msh             the mesh, when spot meshed <mesh><shape> or <mesh><image>, or refined it\n"
                               "  particle_preview.png the traced outline and mesh over the image, for <mesh><image>\n"
                               "  theta_map_*.png      with -out_maps true: maps of theta on the image's pixel grid at\n"
                               "                       -out_map_times (default <output><times>), one colour scale; also\n"
                               "                       theta_maps.tif (32-bit float pages) and theta_maps.csv\n"
                               "                       (-out_map_quantity delithiation for 1 - theta, -out_map_pixel_size,\n"
                               "                       -out_map_range lo,hi)\n"
                               "\n"
                               "Every input value is also an option, and options on the command line win:\n"
                               "  -phys_alpha 3.0  -phys_diffusivity_law constant -phys_diffusivity_value 1e-13cm2/s\n"
                               "  -proto_0_c_rate 1  -proto_0_duration 30min  -mesh_cell_size 50nm  -solver_degree 2\n"
                               "  -out_directory DIR  -out_times 0,10,20min  -init_theta 0.95\n"
                               "PETSc's own options work too: -ts_monitor -snes_monitor -log_view -dm_view -ts_type arkimex.\n"
                               "`spot schema` prints the XML schema; README.md describes every element.\n";

/* Everything after the output directory is known: any failure leaves no file behind */
static PetscErrorCode RunInDirectory(MPI_Comm comm, const char input[], const char outdir[])
{
  Simulation     sim;
  Solver         solver;
  Output         out;
  Maps           maps;
  static PetscLogStage stage_setup = -1, stage_solve = -1;
  PetscErrorCode       ierr;

  PetscFunctionBeginUser;
  if (stage_setup < 0) PetscCall(PetscLogStageRegister("Setup", &stage_setup));
  if (stage_solve < 0) PetscCall(PetscLogStageRegister("Solve", &stage_solve));
  PetscCall(PetscLogStagePush(stage_setup));
  PetscCall(SimulationCreate(comm, outdir, PETSC_VIEWER_STDOUT_(comm), &sim));
  PetscCall(SimulationGetSolver(sim, &solver));
  PetscCall(SolverSetCheckpointDirectory(solver, outdir));
  PetscCall(OutputCreate(solver, outdir, input, &out));
  PetscCall(SolverAddMonitor(solver, OutputMonitor, out));
  PetscCall(MapsCreate(solver, outdir, &maps)); /* PNG maps of θ with -out_maps true */
  PetscCall(SolverAddMonitor(solver, MapsMonitor, maps));
  PetscCall(PetscLogStagePop());

  PetscCall(PetscLogStagePush(stage_solve));
  ierr = SimulationRun(sim);
  if (!ierr) ierr = OutputFinish(out);
  if (!ierr) ierr = MapsFinish(maps);
  if (ierr) PetscCall(OutputDiscard(out)); /* no half-finished files */
  if (ierr) PetscCall(MapsDiscard(maps));
  PetscCall(ierr);
  PetscCall(PetscLogStagePop());

  PetscCall(MapsDestroy(&maps));
  PetscCall(OutputDestroy(&out));
  PetscCall(SimulationDestroy(&sim));
  PetscFunctionReturn(0);
}

PetscErrorCode SpotRun(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  PetscErrorCode ierr;
  PetscMPIInt    rank;
  char           outdir[PETSC_MAX_PATH_LEN], generated[PETSC_MAX_PATH_LEN], kept[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", run_help));
    PetscFunctionReturn(0);
  }
  PetscCall(AppLoadDocument(comm, argc, argv, "usage: spot run INPUT.xml [PETSc options] (the input file comes first)", "out", "-out_directory", outdir, sizeof(outdir)));

  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, outdir));
  PetscCall(PetscSNPrintf(kept, sizeof(kept), "%s/mesh.msh", outdir));
  ierr = RunInDirectory(comm, argv[0], outdir);
  if (rank == 0) { /* a mesh spot made is kept only with the results it gave */
    if (ierr) remove(generated);
    else if (!access(generated, F_OK)) PetscCheck(!rename(generated, kept), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", generated, kept);
  }
  PetscCall(ierr);
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
  PetscCall(InputSchemaText(argc >= 1 && argv[0][0] != '-' ? argv[0] : "spot.xsd", &xsd));
  PetscCall(PetscPrintf(comm, "%s", xsd));
  PetscFunctionReturn(0);
}
