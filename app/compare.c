/* spot compare COMPARE.xml: a run beside an operando optical movie (postproc/optics/compare.c). */
#include "app/app.h"
#include "input/input.h"
#include "postproc/optics/optics.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char compare_help[] = "usage: [mpirun -n N] spot compare COMPARE.xml [PETSc options]\n"
                                   "\n"
                                   "Puts the run of <simulation file=\"run.xml\"/> beside the optical movie of <experiment>: the\n"
                                   "differential contrast (I - I_ref)/I_ref of every frame, corrected for illumination drift;\n"
                                   "the particle found in the reference frame and registered to the mesh (rigid or, with\n"
                                   "<registration><free_scale>, similarity transform found by matching the blurred particle, or\n"
                                   "given; the best-fitting scale is always reported); the simulation seen through the same optics\n"
                                   "(Gaussian PSF, camera pixels) with the contrast factor k calibrated on the particle mean;\n"
                                   "the same centre region, periphery band and line profiles in both. Writes to <output>\n"
                                   "<directory> (default compare/ beside COMPARE.xml):\n"
                                   "  compare_series.csv    per frame: times, drift, mean/centre/periphery contrast, both\n"
                                   "  compare_metrics.csv   k, RMSE and correlation of the series, onset times and the centre's delay,\n"
                                   "                        the registration\n"
                                   "  compare_profiles.csv  line profiles through the centroid, every frame, both\n"
                                   "  compare_maps.png      contrast maps side by side at <figures><times>, one colour scale\n"
                                   "  compare_series.png    centre and periphery against time\n"
                                   "  compare_kymographs.png  line profiles against time, experiment and simulation\n"
                                   "  compare_particles.csv (a population) every particle compared on its own: k, misfit, delays;\n"
                                   "                        compare_particles_series.csv its centre and periphery series\n"
                                   "  mesh.msh              the mesh, when spot made it\n"
                                   "All of them appear together once all are complete; after a failure (a full disk too), none does.\n"
                                   "Every value of the document is also an option (-compare_experiment_pixel_size 65nm, ...), and\n"
                                   "the run's too (-phys_alpha 3). `spot schema compare.xsd` prints the schema.\n";

/* The directory of the results: <output><directory>, else compare/ beside the document */
PetscErrorCode SpotCompare(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  char           outdir[PETSC_MAX_PATH_LEN], simfile[PETSC_MAX_PATH_LEN];
  PetscBool      set, made;
  CompareResult  res;
  PetscErrorCode ierr;
  PetscMPIInt    rank;
  AppOutputLock  lock;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", compare_help));
    PetscFunctionReturn(0);
  }
  PetscCall(AppLoadDocument(comm, argc, argv, "usage: spot compare COMPARE.xml [PETSc options] (the input file comes first)", "compare", "-compare_output_directory", outdir, sizeof(outdir)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_simulation_file", simfile, sizeof(simfile), &set));
  PetscCheck(set && simfile[0], comm, PETSC_ERR_USER_INPUT, "%s: the document names no run: add <simulation file=\"run.xml\"/> (a spot run input)", argv[0]);
  PetscCall(InputLoadXML(comm, simfile));
  PetscCall(InputCheckOptions(comm, "compare"));
  PetscCall(AppLockOutputDirectory(comm, "-compare_output_directory", outdir, &lock));
  PetscCall(PostprocMeshGenerated(&made));
  ierr = CompareRun(comm, outdir, PETSC_VIEWER_STDOUT_(comm), &res);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (ierr && made && rank == 0) PetscCall(PostprocMeshRemove(outdir)); /* a mesh made for a run that failed is not kept */
  PetscCall(AppUnlockOutputDirectory(&lock, ierr ? PETSC_TRUE : PETSC_FALSE));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
