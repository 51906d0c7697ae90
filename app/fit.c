/* spot fit FIT.xml: the diffusivity scale α (and optionally the PSF σ) that makes a run match an
   optical movie (postproc/optics/fit.c). */
#include "app/app.h"
#include "input/input.h"
#include "postproc/optics/optics.h"
#include <stdio.h>
#include <string.h>

static const char fit_help[] = "usage: [mpirun -n N] spot fit FIT.xml [PETSc options]\n"
                               "\n"
                               "Finds the alpha (D_app = alpha D_GITT) whose run matches the optical movie of the <compare>\n"
                               "document named by <compare file=\"compare.xml\"/> best: the misfit of spot compare (RMSE of the\n"
                               "centre and periphery contrast series, k calibrated for each run) is minimised over ln(alpha)\n"
                               "by a grid, bracketing and golden-section search within <alpha><range> to <alpha><tolerance>\n"
                               "(default 2 %). Optionally the PSF sigma too (<psf_sigma><range>). Candidate runs execute\n"
                               "concurrently on groups of <parallel><ranks_per_run> ranks: mpirun -n 8 spot fit runs four\n"
                               "candidates on two ranks each. Writes to <output><directory> (default fit/ beside FIT.xml):\n"
                               "  fit_misfit.csv, fit_misfit.png  every candidate: alpha, misfit, k, ...\n"
                               "  fit_particles.csv               per particle: alpha and its 95 % interval, k, misfit, delays\n"
                               "  fit_particles.png               (a population) alpha against the particle's size;\n"
                               "                                  <alpha><per_particle>true</per_particle>: one alpha per particle\n"
                               "  compare_*.csv, compare_*.png    the comparison at the fitted alpha\n"
                               "  mesh.msh                        the mesh every candidate used\n"
                               "All of them appear together once all are complete; after a failure (a full disk too), none does.\n";

PetscErrorCode SpotFit(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  char        outdir[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN];
  PetscBool   set;
  FitReport   rep;
  AppOutputLock  lock;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", fit_help));
    PetscFunctionReturn(0);
  }
  PetscCall(AppLoadDocument(comm, argc, argv, "usage: spot fit FIT.xml [PETSc options] (the input file comes first)", "fit", "-fit_output_directory", outdir, sizeof(outdir)));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-fit_compare_file", file, sizeof(file), &set));
  PetscCheck(set && file[0], comm, PETSC_ERR_USER_INPUT, "%s: the document names no comparison: add <compare file=\"compare.xml\"/>", argv[0]);
  PetscCall(InputLoadXML(comm, file));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-compare_simulation_file", file, sizeof(file), &set));
  PetscCheck(set && file[0], comm, PETSC_ERR_USER_INPUT, "the <compare> document names no run: add <simulation file=\"run.xml\"/> (a spot run input)");
  PetscCall(InputLoadXML(comm, file));
  PetscCall(InputCheckOptions(comm, "fit"));
  PetscCall(AppLockOutputDirectory(comm, "-fit_output_directory", outdir, &lock));
  ierr = FitRun(comm, outdir, PETSC_VIEWER_STDOUT_(comm), &rep);
  PetscCall(AppUnlockOutputDirectory(&lock, ierr ? PETSC_TRUE : PETSC_FALSE));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
