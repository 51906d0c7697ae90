/* spot's check of Gmsh files (mesh/msh_check.c), in C.

     test_msh_check load FILE...  each file loads through MeshLoad (the check, then PETSc's reader,
                                  then distribution): cells, vertices and "surface" faces > 0
     test_msh_check check FILE... each file passes the check alone (not loaded); -verbose prints
                                  the time of each (with -gmsh, and of the Gmsh-API check)
     test_msh_check speed         structured meshes of -cells cells (default 200 000), 2-D and
                                  3-D, written in msh 4.1 and 2.2, ASCII and binary: each passes
                                  the check in under -seconds_per_million (default 3) s a million
                                  cells; -verbose prints the times (and with -gmsh those of the
                                  Gmsh-API check it replaces, and of PETSc's reader); -keep
                                  keeps the files
     test_msh_check fuzz FILE...  each file cut at every byte (every -step bytes for files over
                                  16 kB) and changed at random -mutations times (digits, bytes,
                                  lines): the check fails with one line, or passes and then
                                  PETSc reads the file and spot gets what it needs; a crash or
                                  any other error fails the test
   Run under mpirun -n 2 too (load: the check's verdict and the mesh reach every rank). */
#include "testing.h"
#include "mesh/meshimpl.h"
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

static char tmpdir[PETSC_MAX_PATH_LEN];

/* ------------------------------------------------------------------------------------------
   Structured meshes: the unit square in n x n squares of two triangles, or the unit cube in
   k^3 cubes of six tetrahedra (Kuhn's), with the boundary faces in "surface" */

typedef struct {
  PetscInt dim, nnodes, ncells, nfaces;
  double  *xyz;
  int     *cells, *faces; /* node indices from 0; dim + 1 and dim per element */
} Grid;

static PetscErrorCode GridCreate(PetscInt dim, PetscInt cells, Grid *g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(g, sizeof(*g)));
  g->dim = dim;
  if (dim == 2) {
    const PetscInt n = (PetscInt)ceil(sqrt(cells / 2.0)), m = n + 1;
    g->nnodes = m * m;
    g->ncells = 2 * n * n;
    g->nfaces = 4 * n;
    PetscCall(PetscMalloc3(3 * g->nnodes, &g->xyz, 3 * g->ncells, &g->cells, 2 * g->nfaces, &g->faces));
    for (PetscInt j = 0; j < m; ++j)
      for (PetscInt i = 0; i < m; ++i) {
        g->xyz[3 * (j * m + i)]     = (double)i / n;
        g->xyz[3 * (j * m + i) + 1] = (double)j / n;
        g->xyz[3 * (j * m + i) + 2] = 0;
      }
    for (PetscInt j = 0, c = 0; j < n; ++j)
      for (PetscInt i = 0; i < n; ++i) {
        const int a = (int)(j * m + i), b = a + 1, d = a + (int)m, e = d + 1;
        const int t[6] = {a, b, e, a, e, d};
        for (int k = 0; k < 6; ++k) g->cells[3 * c + k] = t[k];
        c += 2;
      }
    for (PetscInt i = 0, f = 0; i < n; ++i) {
      const int s[8] = {(int)i, (int)i + 1, (int)(n * m + i), (int)(n * m + i + 1), (int)(i * m), (int)((i + 1) * m), (int)(i * m + n), (int)((i + 1) * m + n)};
      for (int k = 0; k < 8; ++k) g->faces[2 * f + k] = s[k];
      f += 4;
    }
  } else {
    const PetscInt k = (PetscInt)ceil(cbrt(cells / 6.0)), m = k + 1;
    static const int perm[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}, {1, 0, 2}}; /* even, then odd */
    PetscInt nf = 0;
    g->nnodes = m * m * m;
    g->ncells = 6 * k * k * k;
    g->nfaces = 12 * k * k;
    PetscCall(PetscMalloc3(3 * g->nnodes, &g->xyz, 4 * g->ncells, &g->cells, 3 * g->nfaces, &g->faces));
    for (PetscInt z = 0; z < m; ++z)
      for (PetscInt y = 0; y < m; ++y)
        for (PetscInt x = 0; x < m; ++x) {
          double *p = &g->xyz[3 * ((z * m + y) * m + x)];
          p[0]      = (double)x / k;
          p[1]      = (double)y / k;
          p[2]      = (double)z / k;
        }
    for (PetscInt z = 0, c = 0; z < k; ++z)
      for (PetscInt y = 0; y < k; ++y)
        for (PetscInt x = 0; x < k; ++x)
          for (int t = 0; t < 6; ++t, ++c) { /* v, v + e_a, v + e_a + e_b, v + (1, 1, 1) */
            PetscInt p[3] = {x, y, z};
            int      v[4];
            v[0] = (int)((p[2] * m + p[1]) * m + p[0]);
            for (int s = 0; s < 3; ++s) {
              ++p[perm[t][s]];
              v[s + 1] = (int)((p[2] * m + p[1]) * m + p[0]);
            }
            if (t >= 3) { /* an odd permutation turns the tetrahedron left-handed */
              const int w = v[1];
              v[1]        = v[2];
              v[2]        = w;
            }
            for (int s = 0; s < 4; ++s) g->cells[4 * c + s] = v[s];
            for (int s = 0; s < 4; ++s) { /* faces on the cube's boundary */
              int q[3], n = 0;
              for (int r = 0; r < 4; ++r)
                if (r != s) q[n++] = v[r];
              for (int d = 0; d < 3; ++d) {
                const double c0 = g->xyz[3 * q[0] + d];
                if ((c0 == 0 || c0 == 1) && g->xyz[3 * q[1] + d] == c0 && g->xyz[3 * q[2] + d] == c0) {
                  for (int r = 0; r < 3; ++r) g->faces[3 * nf + r] = q[r];
                  ++nf;
                }
              }
            }
          }
    PetscCheck(nf == g->nfaces, PETSC_COMM_SELF, PETSC_ERR_PLIB, "%" PetscInt_FMT " boundary faces, expected %" PetscInt_FMT, nf, g->nfaces);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode GridDestroy(Grid *g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(g->xyz, g->cells, g->faces));
  PetscFunctionReturn(0);
}

static void Put(FILE *fp, const void *x, size_t n)
{
  (void)!fwrite(x, 1, n, fp);
}

static void PutInt(FILE *fp, int v)
{
  Put(fp, &v, 4);
}

static void PutSize(FILE *fp, uint64_t v)
{
  Put(fp, &v, 8);
}

/* The grid as a .msh file: version 41 or 22, ASCII or binary */
static PetscErrorCode GridWrite(const Grid *g, int version, PetscBool binary, const char path[])
{
  const int dim = (int)g->dim, ctype = dim == 2 ? 2 : 4, ftype = dim == 2 ? 1 : 2;
  FILE     *fp  = fopen(path, "wb");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(fp, "$MeshFormat\n%s %d 8\n", version == 41 ? "4.1" : "2.2", binary ? 1 : 0);
  if (binary) {
    PutInt(fp, 1);
    fprintf(fp, "\n");
  }
  fprintf(fp, "$EndMeshFormat\n$PhysicalNames\n2\n%d 1 \"surface\"\n%d 2 \"particle\"\n$EndPhysicalNames\n", dim - 1, dim);
  if (version == 41) {
    fprintf(fp, "$Entities\n");
    if (binary) { /* one entity for the boundary, one for the inside */
      PutSize(fp, 0);
      PutSize(fp, dim == 2);
      PutSize(fp, 1);
      PutSize(fp, dim == 3);
      for (int e = 0; e < 2; ++e) {
        const double box[6] = {0, 0, 0, 1, 1, dim == 3};
        PutInt(fp, 1);
        Put(fp, box, sizeof(box));
        PutSize(fp, 1);
        PutInt(fp, 1 + e);
        PutSize(fp, 0);
      }
      fprintf(fp, "\n");
    } else fprintf(fp, "0 %d 1 %d\n1 0 0 0 1 1 %d 1 1 0\n1 0 0 0 1 1 %d 1 2 0\n", dim == 2, dim == 3, dim == 3, dim == 3);
    fprintf(fp, "$EndEntities\n$Nodes\n");
    if (binary) {
      PutSize(fp, 1);
      PutSize(fp, (uint64_t)g->nnodes);
      PutSize(fp, 1);
      PutSize(fp, (uint64_t)g->nnodes);
      PutInt(fp, dim);
      PutInt(fp, 1);
      PutInt(fp, 0);
      PutSize(fp, (uint64_t)g->nnodes);
      for (PetscInt i = 0; i < g->nnodes; ++i) PutSize(fp, (uint64_t)i + 1);
      Put(fp, g->xyz, sizeof(double) * 3 * (size_t)g->nnodes);
      fprintf(fp, "\n");
    } else {
      fprintf(fp, "1 %" PetscInt_FMT " 1 %" PetscInt_FMT "\n%d 1 0 %" PetscInt_FMT "\n", g->nnodes, g->nnodes, dim, g->nnodes);
      for (PetscInt i = 0; i < g->nnodes; ++i) fprintf(fp, "%" PetscInt_FMT "\n", i + 1);
      for (PetscInt i = 0; i < g->nnodes; ++i) fprintf(fp, "%.17g %.17g %.17g\n", g->xyz[3 * i], g->xyz[3 * i + 1], g->xyz[3 * i + 2]);
    }
    fprintf(fp, "$EndNodes\n$Elements\n");
    if (binary) {
      PutSize(fp, 2);
      PutSize(fp, (uint64_t)(g->nfaces + g->ncells));
      PutSize(fp, 1);
      PutSize(fp, (uint64_t)(g->nfaces + g->ncells));
      for (int b = 0; b < 2; ++b) {
        const PetscInt n = b ? g->ncells : g->nfaces, nv = b ? dim + 1 : dim, off = b ? g->nfaces : 0;
        const int     *v = b ? g->cells : g->faces;
        PutInt(fp, b ? dim : dim - 1);
        PutInt(fp, 1);
        PutInt(fp, b ? ctype : ftype);
        PutSize(fp, (uint64_t)n);
        for (PetscInt e = 0; e < n; ++e) {
          PutSize(fp, (uint64_t)(off + e + 1));
          for (PetscInt k = 0; k < nv; ++k) PutSize(fp, (uint64_t)v[nv * e + k] + 1);
        }
      }
      fprintf(fp, "\n");
    } else {
      fprintf(fp, "2 %" PetscInt_FMT " 1 %" PetscInt_FMT "\n", g->nfaces + g->ncells, g->nfaces + g->ncells);
      for (int b = 0; b < 2; ++b) {
        const PetscInt n = b ? g->ncells : g->nfaces, nv = b ? dim + 1 : dim, off = b ? g->nfaces : 0;
        const int     *v = b ? g->cells : g->faces;
        fprintf(fp, "%d 1 %d %" PetscInt_FMT "\n", b ? dim : dim - 1, b ? ctype : ftype, n);
        for (PetscInt e = 0; e < n; ++e) {
          fprintf(fp, "%" PetscInt_FMT, off + e + 1);
          for (PetscInt k = 0; k < nv; ++k) fprintf(fp, " %d", v[nv * e + k] + 1);
          fprintf(fp, "\n");
        }
      }
    }
    fprintf(fp, "$EndElements\n");
  } else {
    fprintf(fp, "$Nodes\n%" PetscInt_FMT "\n", g->nnodes);
    for (PetscInt i = 0; i < g->nnodes; ++i) {
      if (binary) {
        PutInt(fp, (int)i + 1);
        Put(fp, &g->xyz[3 * i], 3 * sizeof(double));
      } else fprintf(fp, "%" PetscInt_FMT " %.17g %.17g %.17g\n", i + 1, g->xyz[3 * i], g->xyz[3 * i + 1], g->xyz[3 * i + 2]);
    }
    fprintf(fp, "%s$EndNodes\n$Elements\n%" PetscInt_FMT "\n", binary ? "\n" : "", g->nfaces + g->ncells);
    for (int b = 0; b < 2; ++b) {
      const PetscInt n = b ? g->ncells : g->nfaces, nv = b ? dim + 1 : dim, off = b ? g->nfaces : 0;
      const int     *v = b ? g->cells : g->faces;
      if (binary) {
        PutInt(fp, b ? ctype : ftype);
        PutInt(fp, (int)n);
        PutInt(fp, 2);
      }
      for (PetscInt e = 0; e < n; ++e) {
        if (binary) {
          PutInt(fp, (int)(off + e + 1));
          PutInt(fp, b + 1);
          PutInt(fp, 1);
          for (PetscInt k = 0; k < nv; ++k) PutInt(fp, v[nv * e + k] + 1);
        } else {
          fprintf(fp, "%" PetscInt_FMT " %d 2 %d 1", off + e + 1, b ? ctype : ftype, b + 1);
          for (PetscInt k = 0; k < nv; ++k) fprintf(fp, " %d", v[nv * e + k] + 1);
          fprintf(fp, "\n");
        }
      }
    }
    fprintf(fp, "%s$EndElements\n", binary ? "\n" : "");
  }
  PetscCheck(!ferror(fp) && !fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------ */

static char last_error[2048];

static PetscErrorCode KeepError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  (void)comm, (void)line, (void)func, (void)file, (void)ctx;
  if (p == PETSC_ERROR_INITIAL && !last_error[0]) snprintf(last_error, sizeof(last_error), "%s", mess ? mess : "(no message)");
  return n;
}

/* The check of path: 0 if it passed, else its error (the message in last_error) */
static PetscErrorCode TryCheck(const char path[], PetscErrorCode *ierr)
{
  PetscFunctionBeginUser;
  last_error[0] = 0;
  PetscCall(PetscPushErrorHandler(KeepError, NULL));
  *ierr = MeshCheckMshFile(PETSC_COMM_WORLD, path, NULL);
  PetscCall(PetscPopErrorHandler());
  PetscFunctionReturn(0);
}

static PetscErrorCode TryLoad(const char path[], PetscErrorCode *ierr)
{
  DM dm = NULL;

  PetscFunctionBeginUser;
  last_error[0] = 0;
  PetscCall(PetscPushErrorHandler(KeepError, NULL));
  *ierr = MeshLoad(PETSC_COMM_WORLD, path, &dm);
  if (!*ierr) {
    MeshInfo info;
    *ierr = MeshGetInfo(dm, &info);
    if (!*ierr && !(info.num_cells > 0 && info.num_surface_faces > 0 && info.volume > 0)) {
      snprintf(last_error, sizeof(last_error), "%d cells, %d surface faces, volume %g", (int)info.num_cells, (int)info.num_surface_faces, (double)info.volume);
      *ierr = PETSC_ERR_PLIB;
    }
  }
  PetscCall(PetscPopErrorHandler());
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestLoad(int argc, char **argv)
{
  PetscFunctionBeginUser;
  for (int i = 2; i < argc; ++i) {
    PetscErrorCode ierr;
    if (argv[i][0] == '-') break;
    PetscCall(TryLoad(argv[i], &ierr));
    CHECK(!ierr, "%s does not load: %s", argv[i], last_error);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TestCheck(int argc, char **argv)
{
  PetscBool verbose = PETSC_FALSE, gmsh = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-gmsh", &gmsh, NULL));
  for (int i = 2; i < argc && argv[i][0] != '-'; ++i) {
    PetscErrorCode ierr;
    PetscLogDouble t0, t1, t2 = 0, t3 = 0;
    PetscCall(PetscTime(&t0));
    PetscCall(TryCheck(argv[i], &ierr));
    PetscCall(PetscTime(&t1));
    CHECK(!ierr, "%s fails the check: %s", argv[i], last_error);
    if (gmsh) {
      PetscCall(PetscTime(&t2));
      PetscCall(MeshCheckFile(PETSC_COMM_WORLD, argv[i], NULL));
      PetscCall(PetscTime(&t3));
    }
    if (verbose) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: check %.4f s%s", argv[i], t1 - t0, gmsh ? "" : "\n"));
    if (verbose && gmsh) PetscCall(PetscPrintf(PETSC_COMM_WORLD, ", Gmsh check %.4f s\n", t3 - t2));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TestSpeed(void)
{
  PetscInt  cells = 200000;
  PetscReal per_million = 3;
  PetscBool verbose = PETSC_FALSE, gmsh = PETSC_FALSE, keep = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-keep", &keep, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-cells", &cells, NULL));
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-seconds_per_million", &per_million, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-gmsh", &gmsh, NULL));
  for (PetscInt dim = 2; dim <= 3; ++dim) {
    Grid g;
    PetscCall(GridCreate(dim, cells, &g));
    for (int version = 41; version >= 22; version -= 19)
      for (int binary = 0; binary < 2; ++binary) {
        char           path[PETSC_MAX_PATH_LEN];
        PetscLogDouble t0, t1, t2 = 0, t3 = 0, t_check;
        PetscErrorCode ierr;
        struct stat    st;
        PetscCall(PetscSNPrintf(path, sizeof(path), "%s/grid%" PetscInt_FMT "d_%d_%s.msh", tmpdir, dim, version, binary ? "binary" : "ascii"));
        PetscCall(GridWrite(&g, version, binary ? PETSC_TRUE : PETSC_FALSE, path));
        PetscCall(PetscTime(&t0));
        PetscCall(TryCheck(path, &ierr));
        PetscCall(PetscTime(&t1));
        t_check = t1 - t0;
        CHECK(!ierr, "%s fails the check: %s", path, last_error);
        CHECK(t1 - t0 < per_million * g.ncells / 1e6 + 0.05, "%s: the check took %.3f s for %" PetscInt_FMT " cells, more than %.2f s a million", path, t1 - t0, g.ncells, (double)per_million);
        if (gmsh) { /* the Gmsh-API check it replaces, and PETSc's reader */
          DM dm;
          PetscCall(PetscTime(&t2));
          PetscCall(MeshCheckFile(PETSC_COMM_WORLD, path, NULL));
          PetscCall(PetscTime(&t3));
          t3 -= t2;
          PetscCall(PetscTime(&t2));
          PetscCall(DMPlexCreateFromFile(PETSC_COMM_WORLD, path, "spot", PETSC_TRUE, &dm));
          PetscCall(DMDestroy(&dm));
          PetscCall(PetscTime(&t0));
          t2 = t0 - t2;
        }
        stat(path, &st);
        if (verbose) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%" PetscInt_FMT "-D %8" PetscInt_FMT " cells, msh %s %-6s %7.1f MB: check %.3f s%s", dim, g.ncells, version == 41 ? "4.1" : "2.2", binary ? "binary" : "ascii", st.st_size / 1e6, t_check, gmsh ? "" : "\n"));
        if (verbose && gmsh) PetscCall(PetscPrintf(PETSC_COMM_WORLD, ", Gmsh check %.3f s, PETSc reader %.3f s\n", t3, t2));
        if (!keep) remove(path);
      }
    PetscCall(GridDestroy(&g));
  }
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------ */

static PetscErrorCode ReadWhole(const char path[], unsigned char **buf, size_t *size)
{
  FILE *fp = fopen(path, "rb");
  long  n;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot read %s", path);
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  PetscCall(PetscMalloc1(n + 1, buf));
  *size = fread(*buf, 1, (size_t)n, fp);
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteWhole(const char path[], const unsigned char *buf, size_t size)
{
  FILE *fp = fopen(path, "wb");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  Put(fp, buf, size);
  PetscCheck(!fclose(fp), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write %s", path);
  PetscFunctionReturn(0);
}

/* A changed file: the check passes it and it loads, or the check refuses it in one line */
static PetscErrorCode Judge(const char path[], const char what[], PetscInt *passed)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(TryCheck(path, &ierr));
  if (ierr) {
    CHECK(ierr == PETSC_ERR_USER_INPUT && last_error[0] && !strchr(last_error, '\n'), "%s: the check failed with error %d and message '%s'", what, (int)ierr, last_error);
    PetscFunctionReturn(0);
  }
  ++*passed;
  PetscCall(TryLoad(path, &ierr));
  CHECK(!ierr, "%s passed the check, but then: %s", what, last_error);
  PetscFunctionReturn(0);
}

static PetscErrorCode TestFuzz(int argc, char **argv)
{
  PetscInt  mutations = 1000, step = 7;
  PetscBool verbose   = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-verbose", &verbose, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mutations", &mutations, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-step", &step, NULL));
  srand(12345);
  for (int a = 2; a < argc && argv[a][0] != '-'; ++a) {
    unsigned char *orig, *buf;
    size_t         size = 0, last = 0;
    PetscInt       passed = 0, cuts = 0;
    char           path[PETSC_MAX_PATH_LEN], what[PETSC_MAX_PATH_LEN + 64];
    PetscCall(ReadWhole(argv[a], &orig, &size));
    PetscCall(PetscMalloc1(size + 2, &buf));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/fuzz.msh", tmpdir));
    for (size_t k = 0; k + 12 <= size; ++k) /* the end of $EndElements: any cut before it fails */
      if (!memcmp(orig + k, "$EndElements", 12)) last = k + 12;
    for (size_t cut = 0; cut < size; cut += size > 16384 ? (size_t)step : 1) {
      PetscErrorCode ierr;
      PetscCall(WriteWhole(path, orig, cut));
      PetscCall(PetscSNPrintf(what, sizeof(what), "%s cut to %zu bytes", argv[a], cut));
      ++cuts;
      if (cut >= last) {
        PetscCall(Judge(path, what, &passed));
        continue;
      }
      PetscCall(TryCheck(path, &ierr));
      CHECK(ierr == PETSC_ERR_USER_INPUT && !strchr(last_error, '\n'), "%s: the check %s (%s)", what, ierr ? "failed without a user error" : "passed", last_error);
    }
    for (PetscInt m = 0; m < mutations; ++m) {
      size_t n = size;
      if (!size) break;
      PetscCall(PetscArraycpy(buf, orig, size));
      switch (rand() % 4) {
      case 0: { /* a digit changed: counts, tags, coordinates */
        size_t at = (size_t)rand() % size, k = 0;
        while (k < size && !(buf[(at + k) % size] >= '0' && buf[(at + k) % size] <= '9')) ++k;
        buf[(at + k) % size] = (unsigned char)('0' + rand() % 10);
      } break;
      case 1: /* any byte changed */
        buf[(size_t)rand() % size] = (unsigned char)(rand() % 256);
        break;
      case 2: { /* a byte of the ones that matter for the structure */
        static const char pick[] = "0123456789-. \n$\"";
        buf[(size_t)rand() % size] = (unsigned char)pick[rand() % (int)(sizeof(pick) - 1)];
      } break;
      default: { /* a line removed */
        size_t at = (size_t)rand() % size, b, e;
        for (b = at; b > 0 && buf[b - 1] != '\n'; --b) {}
        for (e = at; e < size && buf[e] != '\n'; ++e) {}
        if (e < size) ++e;
        memmove(buf + b, buf + e, size - e);
        n = size - (e - b);
      }
      }
      PetscCall(WriteWhole(path, buf, n));
      PetscCall(PetscSNPrintf(what, sizeof(what), "%s, change %" PetscInt_FMT, argv[a], m));
      PetscCall(Judge(path, what, &passed));
    }
    if (verbose) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: %" PetscInt_FMT " cuts and %" PetscInt_FMT " changes, of which %" PetscInt_FMT " passed and loaded\n", argv[a], cuts, mutations, passed));
    PetscCall(PetscFree(buf));
    PetscCall(PetscFree(orig));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char which[64];

  PetscCall(PetscInitialize(&argc, &argv, NULL, "spot's check of Gmsh files"));
  PetscCall(TestPart(argc, argv, "msh_check", which, sizeof(which), tmpdir, sizeof(tmpdir)));
  if (!strcmp(which, "load")) PetscCall(TestLoad(argc, argv));
  else if (!strcmp(which, "check")) PetscCall(TestCheck(argc, argv));
  else if (!strcmp(which, "speed")) PetscCall(TestSpeed());
  else if (!strcmp(which, "fuzz")) PetscCall(TestFuzz(argc, argv));
  else SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "usage: test_msh_check load|check|speed|fuzz [FILE...]");
  PetscCall(TestEnd(0));
  PetscCall(PetscFinalize());
  return test_failures ? 1 : 0;
}
