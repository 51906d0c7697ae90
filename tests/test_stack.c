/* Image stacks (mesh/image_stack.c): what spot synth writes and spot compare reads.

     test_stack unit              16-bit and 32-bit float multi-page TIFFs written and read back
                                  (16-bit to 1/65535, float exactly, NaN kept); a numbered PNG
                                  series read back to 1/255; an empty series, a frame of another
                                  size and a missing frame are user errors with their messages;
                                  an unkept writer leaves no file
     test_stack topng IN OUT      a tool for the CLI tests: the pages of the stack IN as a numbered
                                  8-bit PNG series OUT (a printf pattern, e.g. dir/f_%03d.png),
                                  grey values in [0, 1] to 0..255 */
#include "testing.h"
#include "mesh/mesh.h"
#include <math.h>
#include <stdio.h>
#include <unistd.h>

static char tmpdir[PETSC_MAX_PATH_LEN];

static PetscReal Pattern(PetscInt page, PetscInt r, PetscInt c)
{
  return 0.5 + 0.4 * PetscSinReal(0.3 * r + 0.7 * c + page);
}

static PetscErrorCode WriteStack(const char path[], PetscInt pages, PetscInt rows, PetscInt cols, PetscInt bits, PetscBool keep)
{
  MeshStackWriter w;
  PetscReal      *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(rows * cols, &v));
  PetscCall(MeshStackWriterOpen(path, rows, cols, bits, &w));
  for (PetscInt p = 0; p < pages; ++p) {
    for (PetscInt i = 0; i < rows * cols; ++i) v[i] = Pattern(p, i / cols, i % cols);
    if (bits == 32) v[0] = NAN;
    PetscCall(MeshStackWriterAdd(w, v, "test page"));
  }
  PetscCall(MeshStackWriterClose(&w, keep));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckStack(const char path[], PetscInt pages, PetscInt rows, PetscInt cols, PetscReal tol, PetscBool nan_first)
{
  MeshStack  s;
  PetscInt   n, r, c;
  PetscReal *v, worst = 0;

  PetscFunctionBeginUser;
  PetscCall(MeshStackOpen(path, 0, &s));
  PetscCall(MeshStackGetInfo(s, &n, NULL));
  CHECK(n == pages, "%s: %" PetscInt_FMT " frames, expected %" PetscInt_FMT, path, n, pages);
  for (PetscInt p = 0; p < PetscMin(n, pages); ++p) {
    PetscCall(MeshStackRead(s, p, &r, &c, &v));
    CHECK(r == rows && c == cols, "%s frame %" PetscInt_FMT ": %" PetscInt_FMT " x %" PetscInt_FMT, path, p, r, c);
    if (nan_first) CHECK(PetscIsNanReal(v[0]), "%s frame %" PetscInt_FMT ": the NaN pixel was not kept", path, p);
    for (PetscInt i = nan_first ? 1 : 0; i < r * c; ++i) worst = PetscMax(worst, PetscAbsReal(v[i] - Pattern(p, i / c, i % c)));
    PetscCall(PetscFree(v));
  }
  PetscCall(MeshStackRead(s, 1, NULL, NULL, NULL)); /* out of order: seeks back */
  PetscCall(MeshStackClose(&s));
  CHECK(worst <= tol, "%s: largest difference %.3e > %.1e", path, (double)worst, (double)tol);
  PetscFunctionReturn(0);
}

static PetscErrorCode WritePNG(const char path[], PetscInt rows, PetscInt cols, PetscInt page)
{
  unsigned char *g;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(rows * cols, &g));
  for (PetscInt i = 0; i < rows * cols; ++i) g[i] = (unsigned char)round(255 * Pattern(page, i / cols, i % cols));
  PetscCall(MeshPNGWrite(path, rows, cols, 1, g));
  PetscCall(PetscFree(g));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestUnit(void)
{
  char      path[PETSC_MAX_PATH_LEN], pattern[PETSC_MAX_PATH_LEN], name[PETSC_MAX_PATH_LEN];
  MeshStack s;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/s16.tif", tmpdir));
  PetscCall(WriteStack(path, 5, 17, 23, 16, PETSC_TRUE));
  PetscCall(CheckStack(path, 5, 17, 23, 0.5 / 65535 + 1e-12, PETSC_FALSE));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/s32.tif", tmpdir));
  PetscCall(WriteStack(path, 4, 9, 31, 32, PETSC_TRUE));
  PetscCall(CheckStack(path, 4, 9, 31, 1e-7, PETSC_TRUE));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/dropped.tif", tmpdir));
  PetscCall(WriteStack(path, 2, 8, 8, 16, PETSC_FALSE));
  CHECK(access(path, F_OK) && PetscSNPrintf(name, sizeof(name), "%s.part", path) == 0 && access(name, F_OK), "an unkept stack left a file behind");

  /* a numbered PNG series from 1 */
  PetscCall(PetscSNPrintf(pattern, sizeof(pattern), "%s/series_%%02d.png", tmpdir));
  for (PetscInt p = 0; p < 3; ++p) {
    PetscCall(PetscSNPrintf(name, sizeof(name), pattern, (int)p + 1));
    PetscCall(WritePNG(name, 12, 10, p));
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), pattern, 4));
  (void)remove(name); /* from an earlier run */
  {
    PetscInt   n, r, c;
    PetscReal *v, worst = 0;
    PetscBool  series;
    PetscCall(MeshStackOpen(pattern, 1, &s));
    PetscCall(MeshStackGetInfo(s, &n, &series));
    CHECK(n == 3 && series, "PNG series: %" PetscInt_FMT " frames", n);
    for (PetscInt p = 0; p < n; ++p) {
      PetscCall(MeshStackRead(s, p, &r, &c, &v));
      for (PetscInt i = 0; i < r * c; ++i) worst = PetscMax(worst, PetscAbsReal(v[i] - Pattern(p, i / c, i % c)));
      PetscCall(PetscFree(v));
    }
    PetscCall(MeshStackClose(&s));
    CHECK(worst <= 0.5 / 255 + 1e-9, "PNG series: largest difference %.3e", (double)worst);
  }
  CHECK_USER_ERROR(MeshStackOpen(pattern, 7, &s), "is empty: there is no file");
  /* a frame of another size */
  PetscCall(PetscSNPrintf(name, sizeof(name), pattern, 4));
  PetscCall(WritePNG(name, 11, 10, 0));
  PetscCall(MeshStackOpen(pattern, 1, &s));
  PetscCall(MeshStackRead(s, 0, NULL, NULL, NULL));
  CHECK_USER_ERROR(MeshStackRead(s, 3, NULL, NULL, NULL), "has 11 x 10 pixels, but the first frame read has 12 x 10: every frame must have the same size");
  PetscCall(MeshStackClose(&s));
  PetscFunctionReturn(0);
}

/* The pages of a stack as an 8-bit PNG series */
static PetscErrorCode ToPNG(const char in[], const char pattern[])
{
  MeshStack      s;
  PetscInt       n, r, c;
  PetscReal     *v;
  unsigned char *g;
  char           name[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(MeshStackOpen(in, 0, &s));
  PetscCall(MeshStackGetInfo(s, &n, NULL));
  for (PetscInt p = 0; p < n; ++p) {
    PetscCall(MeshStackRead(s, p, &r, &c, &v));
    PetscCall(PetscMalloc1(r * c, &g));
    for (PetscInt i = 0; i < r * c; ++i) g[i] = (unsigned char)round(255 * PetscMin(1, PetscMax(0, v[i])));
    PetscCall(PetscSNPrintf(name, sizeof(name), pattern, (int)p));
    PetscCall(MeshPNGWrite(name, r, c, 1, g));
    PetscCall(PetscFree(g));
    PetscCall(PetscFree(v));
  }
  PetscCall(MeshStackClose(&s));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscBool      flg;
  PetscErrorCode ierr = 0;
  char           which[64];

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(TestPart(argc, argv, "stack", which, sizeof(which), tmpdir, sizeof(tmpdir)));
  PetscCall(PetscStrcmp(which, "unit", &flg));
  if (flg) ierr = TestUnit();
  PetscCall(PetscStrcmp(which, "topng", &flg));
  if (flg) {
    PetscCheck(argc > 3, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: test_stack topng IN.tif OUT_%%03d.png");
    ierr = ToPNG(argv[2], argv[3]);
  }
  PetscCall(TestEnd(ierr));
  PetscCall(PetscFinalize());
  return test_failures;
}
