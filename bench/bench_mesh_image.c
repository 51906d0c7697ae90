/* Benchmark: a 2048 x 2048 micrograph of one particle to a finished mesh, with the time of each
   stage (read, segment, outline, mesh, preview). The image is made here: a lobed particle
   (about 1500 px across) with a blurred edge on a textured background, with a vignette and
   noise, written as an 8-bit PNG.

     bench_mesh_image [-dir DIR] [-repeat N] [-size PIXELS] [PETSc and -mesh_ options]
   Prints one Markdown table row per run and the best total; the report of the last run. */
#include "mesh/mesh.h"
#include <petsctime.h>
#include <math.h>

static unsigned long long state = 2024;
static double             Normal(void)
{
  double u[2];
  for (int k = 0; k < 2; ++k) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    u[k]  = ((state >> 11) + 0.5) / 9007199254740992.0;
  }
  return sqrt(-2 * log(u[0])) * cos(2 * PETSC_PI * u[1]);
}

static PetscErrorCode MakeImage(const char path[], PetscInt n)
{
  unsigned char *v;
  const double   cx = 0.52 * n, cy = 0.47 * n, R = 0.36 * n, blur = 2.0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1((size_t)n * n, &v));
  for (PetscInt r = 0; r < n; ++r)
    for (PetscInt c = 0; c < n; ++c) {
      const double x = c + 0.5, y = r + 0.5, dx = x - cx, dy = y - cy, t = atan2(dy, dx);
      const double radius = R * (1 + 0.07 * sin(5 * t + 0.3) + 0.04 * cos(3 * t) + 0.02 * sin(11 * t));
      const double sd     = sqrt(dx * dx + dy * dy) - radius; /* about the distance to the edge, px */
      const double inside = 0.5 * erfc(sd / (blur * sqrt(2.0)));
      const double bg     = 0.22 + 0.05 * sin(2 * PETSC_PI * x / 41) * sin(2 * PETSC_PI * y / 53);
      const double fg     = 0.72 + 0.04 * sin(2 * PETSC_PI * x / 29) * cos(2 * PETSC_PI * y / 37);
      const double vx = (x - n / 2.0) / (n / 2.0), vy = (y - n / 2.0) / (n / 2.0);
      const double g       = (bg + (fg - bg) * inside) * (1 - 0.12 * (vx * vx + vy * vy)) + 0.03 * Normal();
      v[(size_t)r * n + c] = (unsigned char)lround(255 * PetscMin(1, PetscMax(0, g)));
    }
  PetscCall(MeshPNGWrite(path, n, n, 1, v));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char            dir[PETSC_MAX_PATH_LEN] = "/tmp", image[PETSC_MAX_PATH_LEN], msh[PETSC_MAX_PATH_LEN], preview[PETSC_MAX_PATH_LEN];
  PetscInt        repeat = 3, n = 2048;
  MeshImageReport rep;
  PetscReal       best = PETSC_MAX_REAL, best_mesh = PETSC_MAX_REAL;
  PetscLogDouble  t0, t1;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-dir", dir, sizeof(dir), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-repeat", &repeat, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-size", &n, NULL));
  PetscCall(PetscSNPrintf(image, sizeof(image), "%s/bench_particle_%" PetscInt_FMT ".png", dir, n));
  PetscCall(PetscSNPrintf(msh, sizeof(msh), "%s/bench_particle.msh", dir));
  PetscCall(PetscSNPrintf(preview, sizeof(preview), "%s/bench_particle_preview.png", dir));
  PetscCall(PetscTime(&t0));
  PetscCall(MakeImage(image, n));
  PetscCall(PetscTime(&t1));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_image_file", image));
  PetscCall(PetscOptionsSetValue(NULL, "-mesh_image_pixel_size", "0.012"));

  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "Image: %" PetscInt_FMT " x %" PetscInt_FMT " 8-bit PNG, made in %.2f s (not timed below). Times in seconds; \"to mesh\" is read + segment + outline + mesh, the preview is extra.\n\n", n, n, (double)(t1 - t0)));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| run | read | segment | outline | mesh | to mesh | preview | total | triangles |\n|---|---|---|---|---|---|---|---|---|\n"));
  for (PetscInt k = 0; k < repeat; ++k) {
    PetscReal to_mesh, total;
    PetscCall(PetscTime(&t0));
    PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, preview, &rep));
    PetscCall(PetscTime(&t1));
    to_mesh   = rep.seconds[0] + rep.seconds[1] + rep.seconds[2] + rep.seconds[3];
    total     = (PetscReal)(t1 - t0);
    best      = PetscMin(best, total);
    best_mesh = PetscMin(best_mesh, to_mesh);
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %" PetscInt_FMT " | %.3f | %.3f | %.3f | %.3f | **%.3f** | %.3f | %.3f | %" PetscInt_FMT " |\n", k + 1, (double)rep.seconds[0], (double)rep.seconds[1], (double)rep.seconds[2], (double)rep.seconds[3], (double)to_mesh, (double)rep.seconds[4], (double)total, rep.num_cells));
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\nBest image-to-mesh time: **%.2f s** (target: under 2 s); best with the preview: %.2f s.\n\n", (double)best_mesh, (double)best));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "Report of the last run:\n\n```\n"));
  PetscCall(MeshImageReportView(&rep, msh, preview, PETSC_VIEWER_STDOUT_WORLD));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "```\n"));
  PetscCall(PetscFinalize());
  return 0;
}
