/* Fuzz target: Gmsh meshes (mesh/msh_check.c, then PETSc's reader through mesh/load.c), as
   spot run reads <mesh><file>: MeshCheckMshFile, spot's own validator, must refuse in one line
   anything PETSc 3.18's reader would choke on or spot could not use; a file it accepts must then
   load (MeshLoad: the check again, DMPlexCreateFromFile, the "surface" label, distribution).

   Findings: a crash or sanitizer report in either, an error of the validator that is not a
   clean one-line refusal (tests/fuzz/fuzz.h), and any error of MeshLoad on a file the validator
   accepted (the validator let through what it exists to stop). PETSc's reader is not built with
   the sanitizers: a fault there shows as a crash, a hang or an error, not always at once. */
#include "tests/fuzz/fuzz.h"
#include "mesh/meshimpl.h"
#include "input/input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  return FuzzInitialize("fuzz_mesh");
}

static PetscErrorCode FuzzMesh(const char path[])
{
  DM             dm = NULL;
  MeshInfo       info;
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (FuzzOutcome(MeshCheckMshFile(PETSC_COMM_SELF, path, NULL), "MeshCheckMshFile")) PetscFunctionReturn(0);
  ierr = MeshLoad(PETSC_COMM_SELF, path, &dm);
  if (ierr) {
    const char *message = NULL, *text = NULL;
    (void)InputLastUserError(&message);
    (void)PetscErrorMessage(ierr, &text, NULL);
    FuzzFinding("MeshCheckMshFile accepted the file, but MeshLoad then failed with PETSc error %d (%s)%s%s", (int)ierr, text ? text : "unknown", message ? ": " : "", message ? message : "");
  }
  if (!FuzzOutcome(MeshGetInfo(dm, &info), "MeshGetInfo") && (!(info.dim == 2 || info.dim == 3) || info.num_cells < 1 || info.num_surface_faces < 1 || !(info.volume > 0) || !(info.h_min > 0))) FuzzFinding("MeshLoad accepted a mesh of dimension %d, %d cells, %d surface faces, volume %g, smallest cell %g", (int)info.dim, (int)info.num_cells, (int)info.num_surface_faces, (double)info.volume, (double)info.h_min);
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char path[PETSC_MAX_PATH_LEN];

  FuzzBegin("input.msh", data, size, path, sizeof(path)); /* .msh: the validator goes by the name */
  if (FuzzMesh(path)) FuzzFinding("the harness's own calls failed");
  return 0;
}
