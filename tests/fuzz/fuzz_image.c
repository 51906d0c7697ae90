/* Fuzz target: images (mesh/image_io.c: PNG through libpng, TIFF through libtiff, PGM/PPM) and
   image stacks (mesh/image_stack.c: multi-page TIFF movies, 8/16-bit or 32-bit float), as spot
   mesh, spot run's <mesh><image> and spot compare/fit read them:
   - MeshRasterReadHeader then MeshRasterRead of page 0 (spot mesh checks the header first), and
     of the last page of a multi-page TIFF;
   - MeshStackOpen, then MeshStackRead of its first frames in order and of its last frame.
   The stack must have as many frames as MeshRasterRead found pages.

   Findings: a crash or sanitizer report (the sanitizer's allocation limit included: a header
   must be checked before memory is allocated for its size), an error that is not a clean
   one-line refusal (tests/fuzz/fuzz.h), and an image accepted with values MeshRasterRead does
   not promise (a size other than the header's, a grey value outside [0, 1]). */
#include "tests/fuzz/fuzz.h"
#include "mesh/mesh.h"

#define FUZZ_MAX_FRAMES 4 /* frames read in order; then the last one */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  return FuzzInitialize("fuzz_image");
}

static PetscErrorCode ReadPage(const char path[], PetscInt page, PetscInt *pages)
{
  MeshRaster head, img;

  PetscFunctionBeginUser;
  if (FuzzOutcome(MeshRasterReadHeader(path, page, &head), "MeshRasterReadHeader")) PetscFunctionReturn(0);
  if (head.rows < 1 || head.cols < 1 || head.grey) FuzzFinding("MeshRasterReadHeader accepted page %d as %d x %d pixels (grey %p)", (int)page, (int)head.rows, (int)head.cols, (void *)head.grey);
  if (FuzzOutcome(MeshRasterRead(path, page, &img), "MeshRasterRead")) PetscFunctionReturn(0);
  if (img.rows != head.rows || img.cols != head.cols || img.pages != head.pages) FuzzFinding("page %d: MeshRasterRead read %d x %d pixels (%d pages), its header %d x %d (%d pages)", (int)page, (int)img.rows, (int)img.cols, (int)img.pages, (int)head.rows, (int)head.cols, (int)head.pages);
  for (size_t i = 0, n = (size_t)img.rows * (size_t)img.cols; i < n; ++i)
    if (!(img.grey[i] >= 0 && img.grey[i] <= 1)) FuzzFinding("page %d: MeshRasterRead gave pixel %zu the grey value %g, outside [0, 1]", (int)page, i, (double)img.grey[i]);
  *pages = img.pages;
  PetscCall(MeshRasterDestroy(&img));
  PetscFunctionReturn(0);
}

/* pages: what MeshRasterRead counted in the file (0: it did not read it), which a stack of one
   file must have as frames */
static PetscErrorCode ReadStack(const char path[], PetscInt pages)
{
  MeshStack stack;
  PetscInt  frames = 0;

  PetscFunctionBeginUser;
  if (FuzzOutcome(MeshStackOpen(path, 0, &stack), "MeshStackOpen")) PetscFunctionReturn(0);
  (void)FuzzOutcome(MeshStackGetInfo(stack, &frames, NULL), "MeshStackGetInfo");
  if (frames < 1) FuzzFinding("MeshStackOpen accepted a stack of %d frames", (int)frames);
  if (pages > 0 && frames != pages) FuzzFinding("MeshStackOpen found %d frames in a file of %d pages (MeshRasterRead)", (int)frames, (int)pages);
  for (PetscInt f = 0; f < frames; ++f) {
    PetscInt   rows = 0, cols = 0;
    PetscReal *values = NULL;
    if (f == FUZZ_MAX_FRAMES) f = PetscMax(f, frames - 1);
    if (FuzzOutcome(MeshStackRead(stack, f, &rows, &cols, &values), "MeshStackRead")) break;
    if (rows < 1 || cols < 1 || !values) FuzzFinding("MeshStackRead accepted frame %d as %d x %d pixels", (int)f, (int)rows, (int)cols);
    {
      volatile PetscReal last = values[(size_t)rows * (size_t)cols - 1]; /* the sanitizer checks the size */
      (void)last;
    }
    PetscCall(PetscFree(values));
  }
  (void)FuzzOutcome(MeshStackClose(&stack), "MeshStackClose");
  PetscFunctionReturn(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char     path[PETSC_MAX_PATH_LEN];
  PetscInt pages = 0;

  FuzzBegin("image", data, size, path, sizeof(path)); /* no extension: the readers go by content */
  if (ReadPage(path, 0, &pages) || (pages > 1 && ReadPage(path, pages - 1, &pages)) || ReadStack(path, pages)) FuzzFinding("the harness's own calls failed");
  return 0;
}
