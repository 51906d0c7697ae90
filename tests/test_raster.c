/* Rasterising a solution onto pixels (postproc/run/raster.c) and the PNG maps of spot run (maps.c).

     test_raster exact     a linear field (P1) and a quadratic field (P2) are reproduced at the
                           pixel centres to 1e-12; the mask covers the mesh's area within 0.5 %,
                           the coverage sums to it within 0.05 %; an image mesh's raster falls
                           on the image's own pixels
     test_raster regions   during the small charge, the centre/periphery/mean θ of the pixels
                           agree with the Observer's FE integrals within 1 % of the delithiation
                           θ0 − θ (of at least 0.01), and the region areas within 2 %
     test_raster distance  the surface tree's distances equal the brute-force ones exactly
     test_raster maps      spot run's maps: files, one colour scale, the TIFF pages hold the
                           raster values, the PNG shows the colour of the centre value
   Run them under mpirun -n 2 too: the values are the same. */
#include "testing.h"
#include "postproc/run/run.h"
#include <math.h>

static char tmpdir[PETSC_MAX_PATH_LEN];

static PetscErrorCode SimFromXML(const char xml[], const char work[], Simulation *sim)
{
  static PetscBool loaded = PETSC_FALSE; /* an input's options are inserted once per process */

  PetscFunctionBeginUser;
  if (!loaded) PetscCall(InputLoadXML(PETSC_COMM_WORLD, xml));
  loaded = PETSC_TRUE;
  PetscCall(InputCheckWritableDirectory(PETSC_COMM_WORLD, work, "test directory"));
  PetscCall(SimulationCreate(PETSC_COMM_WORLD, work, NULL, sim));
  PetscFunctionReturn(0);
}

static PetscErrorCode Linear(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  u[0] = 0.3 + 0.2 * x[0] - 0.15 * x[1];
  return 0;
}

static PetscErrorCode Quadratic(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  u[0] = 0.5 + 0.2 * x[0] * x[0] - 0.1 * x[0] * x[1] + 0.3 * x[1];
  return 0;
}

static PetscErrorCode TestExact(PetscInt degree)
{
  Simulation      sim;
  Solver          s;
  DM              dm;
  Vec             theta;
  const MeshInfo *info;
  RasterGrid      grid;
  Raster          r;
  PetscReal      *img = NULL;
  PetscMPIInt     rank;
  char            work[PETSC_MAX_PATH_LEN], deg[8];
  PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {degree == 1 ? Linear : Quadratic};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(deg, sizeof(deg), "%" PetscInt_FMT, degree));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_degree", deg));
  if (degree == 2) PetscCall(PetscOptionsSetValue(NULL, "-solver_mass_lumping", "false"));
  PetscCall(PetscSNPrintf(work, sizeof(work), "%s/exact", tmpdir));
  PetscCall(SimFromXML("tests/inputs/small.xml", work, &sim));
  PetscCall(SimulationGetSolver(sim, &s));
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(SolverGetSolution(s, &theta));
  PetscCall(SolverGetMeshInfo(s, &info));
  PetscCall(DMProjectFunction(dm, 0, funcs, NULL, INSERT_ALL_VALUES, theta));

  for (PetscInt ss = 1; ss <= 3; ss += 2) {
    const unsigned char *mask;
    const PetscReal     *cov;
    PetscInt             inside = 0, checked = 0;
    PetscReal            worst = 0, covsum = 0;
    PetscCall(RasterGridAround(info, 0.013, 0.03, PETSC_FALSE, ss, &grid));
    PetscCall(RasterCreate(dm, &grid, &r));
    if (rank == 0) PetscCall(PetscMalloc1(grid.rows * grid.cols, &img));
    PetscCall(RasterEvaluate(r, theta, img));
    PetscCall(RasterGetMask(r, &mask, &cov));
    for (PetscInt i = 0; i < grid.rows * grid.cols; ++i) {
      const PetscReal x[2] = {grid.origin[0] + (i % grid.cols + 0.5) * grid.pixel_size, grid.origin[1] + (i / grid.cols + 0.5) * grid.pixel_size};
      PetscScalar     exact;
      inside += mask[i];
      covsum += cov[i];
      if (rank || !mask[i] || (ss > 1 && cov[i] < 1)) continue; /* supersampled: pixels wholly inside */
      if (ss > 1 && degree == 2) continue;                      /* the mean of a quadratic is not its centre value */
      funcs[0](2, 0, x, 1, &exact, NULL);
      worst = PetscMax(worst, PetscAbsReal(img[i] - PetscRealPart(exact)));
      ++checked;
    }
    if (rank == 0 && !(ss > 1 && degree == 2)) CHECK(checked > 1000 && worst < 1e-12, "P%" PetscInt_FMT " supersample %" PetscInt_FMT ": %" PetscInt_FMT " pixels checked, largest error %.3e", degree, ss, checked, (double)worst);
    CHECK_CLOSE(inside * grid.pixel_size * grid.pixel_size, info->volume, 5e-3, "area of the masked pixels");
    if (ss == 3) CHECK_CLOSE(covsum * grid.pixel_size * grid.pixel_size, info->volume, 5e-4, "coverage summed over the pixels");
    PetscCall(RasterDestroy(&r));
    PetscCall(PetscFree(img));
  }
  PetscCall(SimulationDestroy(&sim));
  PetscCall(PetscOptionsClearValue(NULL, "-solver_degree"));
  PetscCall(PetscOptionsClearValue(NULL, "-solver_mass_lumping"));
  PetscFunctionReturn(0);
}

/* A mesh whose image frame is that of an image: pixel edges land on multiples of the pixel size */
static PetscErrorCode TestSnap(void)
{
  MeshInfo   info;
  RasterGrid g;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&info, sizeof(info)));
  info.dim      = 2;
  info.lower[0] = 1.2345;
  info.lower[1] = 0.777;
  info.upper[0] = 3.01;
  info.upper[1] = 2.5;
  PetscCall(RasterGridAround(&info, 0.012, 0.024, PETSC_TRUE, 1, &g));
  CHECK(PetscAbsReal(g.origin[0] / 0.012 - round(g.origin[0] / 0.012)) < 1e-9 && PetscAbsReal(g.origin[1] / 0.012 - round(g.origin[1] / 0.012)) < 1e-9, "snapped origin (%g, %g) is not on the pixel lattice", (double)g.origin[0], (double)g.origin[1]);
  CHECK(g.origin[0] <= 1.2345 - 0.024 && g.origin[0] + g.cols * 0.012 >= 3.01 + 0.024 && g.origin[1] + g.rows * 0.012 >= 2.5 + 0.024, "snapped grid does not cover the particle and margin");
  PetscFunctionReturn(0);
}

typedef struct {
  Observer  obs;
  Raster    raster;
  PetscReal theta0, centre_thr, periphery_w;
  PetscInt  checks;
  PetscReal worst_centre, worst_periphery, worst_mean;
  PetscReal *img;
} RegionCtx;

static PetscErrorCode RegionMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  RegionCtx  *c = (RegionCtx *)ctx;
  Observables o;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(ObserverCompute(c->obs, theta, &o));
  if (e == SOLVER_EVENT_INITIAL) c->theta0 = o.mean;
  PetscCall(RasterEvaluate(c->raster, theta, c->img));
  if (rank == 0 && st->t >= 120) {
    RasterRegions m;
    PetscCall(RasterRegionMeans(c->raster, c->centre_thr, c->periphery_w, c->img, &m));
    /* relative to the delithiation θ0 − θ of the region (the signal the optics sees), at least 0.01 */
    c->worst_centre    = PetscMax(c->worst_centre, PetscAbsReal(m.centre - o.centre) / PetscMax(c->theta0 - o.centre, 0.01));
    c->worst_periphery = PetscMax(c->worst_periphery, PetscAbsReal(m.periphery - o.periphery) / PetscMax(c->theta0 - o.periphery, 0.01));
    c->worst_mean      = PetscMax(c->worst_mean, PetscAbsReal(m.mean - o.mean) / PetscMax(c->theta0 - o.mean, 0.01));
    ++c->checks;
    if (getenv("RASTER_DEBUG")) PetscCall(PetscPrintf(PETSC_COMM_SELF, "t %g centre %g %g periphery %g %g mean %g %g\n", (double)st->t, (double)m.centre, (double)o.centre, (double)m.periphery, (double)o.periphery, (double)m.mean, (double)o.mean));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode TestRegions(void)
{
  Simulation      sim;
  Solver          s;
  DM              dm;
  const MeshInfo *info;
  RasterGrid      grid;
  RegionCtx       c;
  PetscReal       d_max, cm, pm;
  PetscMPIInt     rank;
  char            work[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscMemzero(&c, sizeof(c)));
  PetscCall(PetscSNPrintf(work, sizeof(work), "%s/regions", tmpdir));
  PetscCall(SimFromXML("tests/inputs/small.xml", work, &sim));
  PetscCall(SimulationGetSolver(sim, &s));
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(SolverGetMeshInfo(s, &info));
  PetscCall(ObserverCreate(s, &c.obs));
  PetscCall(ObserverGetRegions(c.obs, &d_max, &c.centre_thr, &c.periphery_w, &cm, &pm));
  PetscCall(RasterGridAround(info, 0.01, 0.02, PETSC_FALSE, 1, &grid));
  PetscCall(RasterCreate(dm, &grid, &c.raster));
  PetscCall(RasterComputeDistance(c.raster));
  if (rank == 0) PetscCall(PetscMalloc1(grid.rows * grid.cols, &c.img));
  { /* region areas from the pixel centres */
    const PetscReal *d;
    PetscInt         nc = 0, np = 0;
    PetscCall(RasterGetDistance(c.raster, &d));
    for (PetscInt i = 0; i < grid.rows * grid.cols; ++i) {
      if (d[i] < 0) continue;
      nc += d[i] >= c.centre_thr;
      np += d[i] <= c.periphery_w;
    }
    CHECK_CLOSE(nc * 1e-4, cm, 2e-2, "centre region area (pixels vs FE)");
    CHECK_CLOSE(np * 1e-4, pm, 2e-2, "periphery band area (pixels vs FE)");
  }
  PetscCall(SolverAddMonitor(s, RegionMonitor, &c));
  PetscCall(SimulationRun(sim));
  if (rank == 0) {
    PetscCall(PetscPrintf(PETSC_COMM_SELF, "regions: %" PetscInt_FMT " steps compared; largest difference pixels vs FE relative to the delithiation: centre %.3e, periphery %.3e, mean %.3e\n", c.checks, (double)c.worst_centre, (double)c.worst_periphery, (double)c.worst_mean));
    CHECK(c.checks > 50, "only %" PetscInt_FMT " steps compared", c.checks);
    CHECK(c.worst_centre < 0.01, "centre: pixels and FE differ by %.3e of the delithiation", (double)c.worst_centre);
    CHECK(c.worst_periphery < 0.01, "periphery: pixels and FE differ by %.3e of the delithiation", (double)c.worst_periphery);
    CHECK(c.worst_mean < 0.01, "mean: pixels and FE differ by %.3e of the delithiation", (double)c.worst_mean);
  }
  PetscCall(PetscFree(c.img));
  PetscCall(RasterDestroy(&c.raster));
  PetscCall(ObserverDestroy(&c.obs));
  PetscCall(SimulationDestroy(&sim));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestMaps(void)
{
  Simulation  sim;
  Solver      s;
  Maps        maps;
  PetscMPIInt rank;
  char        work[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCall(PetscSNPrintf(work, sizeof(work), "%s/maps", tmpdir));
  PetscCall(PetscOptionsSetValue(NULL, "-out_maps", "true"));
  PetscCall(PetscOptionsSetValue(NULL, "-out_map_quantity", "delithiation"));
  PetscCall(PetscOptionsSetValue(NULL, "-out_map_times", "0,300,600,900"));
  PetscCall(SimFromXML("tests/inputs/small.xml", work, &sim));
  PetscCall(SimulationGetSolver(sim, &s));
  PetscCall(MapsCreate(s, work, &maps));
  PetscCall(SolverAddMonitor(s, MapsMonitor, maps));
  PetscCall(SimulationRun(sim));
  PetscCall(MapsFinish(maps));
  if (rank == 0) {
    MeshStack  st;
    PetscInt   frames, rows, cols;
    PetscReal *v;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/delithiation_maps.tif", work));
    PetscCall(MeshStackOpen(path, 0, &st));
    PetscCall(MeshStackGetInfo(st, &frames, NULL));
    CHECK(frames == 4, "maps TIFF has %" PetscInt_FMT " pages, expected 4", frames);
    PetscCall(MeshStackRead(st, 0, &rows, &cols, &v));
    { /* the first map: 1 − θ0 = 0.03 inside, NaN outside */
      PetscInt nan = 0, ok = 0;
      for (PetscInt i = 0; i < rows * cols; ++i) {
        if (PetscIsNanReal(v[i])) ++nan;
        else if (PetscAbsReal(v[i] - 0.03) < 1e-6) ++ok;
      }
      CHECK(nan > 0 && ok + nan == rows * cols, "first map: %" PetscInt_FMT " pixels at 1 - theta0, %" PetscInt_FMT " NaN of %" PetscInt_FMT, ok, nan, rows * cols);
    }
    PetscCall(PetscFree(v));
    PetscCall(MeshStackRead(st, 2, &rows, &cols, &v));
    { /* at 10 min the periphery has delithiated more than the centre */
      const PetscReal centre = v[(rows / 2) * cols + cols / 2];
      PetscReal       edge   = -1;
      for (PetscInt c = 0; c < cols; ++c)
        if (!PetscIsNanReal(v[(rows / 2) * cols + c])) {
          edge = v[(rows / 2) * cols + c];
          break;
        }
      CHECK(edge > centre + 0.1, "map at 10 min: edge %g, centre %g", (double)edge, (double)centre);
    }
    PetscCall(PetscFree(v));
    PetscCall(MeshStackClose(&st));
    for (PetscInt k = 0; k < 4; ++k) {
      MeshRaster png;
      const char *times[] = {"0", "300", "600", "900"};
      PetscCall(PetscSNPrintf(path, sizeof(path), "%s/delithiation_map_%03" PetscInt_FMT "_t%ss.png", work, k, times[k]));
      PetscCall(MeshRasterRead(path, 0, &png));
      CHECK(png.rows == 640 && png.cols == 900, "map PNG %s is %" PetscInt_FMT " x %" PetscInt_FMT, path, png.rows, png.cols);
      PetscCall(MeshRasterDestroy(&png));
    }
  }
  PetscCall(MapsDestroy(&maps));
  PetscCall(SimulationDestroy(&sim));
  PetscCall(PetscOptionsClearValue(NULL, "-out_maps"));
  PetscFunctionReturn(0);
}

/* The surface tree gives exactly the brute-force distance (the same facet tests, minimised over
   the same set) for points inside, on and outside a 2-D and a 3-D particle, the speed is bench/'s business */
static PetscErrorCode TestDistance(void)
{
  const char *shapes[2] = {"-mesh_shape_type ellipse -mesh_shape_semi_axes 1,0.6 -mesh_cell_size 0.05 -mesh_boundary_cell_size 0.02",
                           "-mesh_shape_type platelet -mesh_shape_semi_axes 1,0.6 -mesh_shape_thickness 0.3 -mesh_cell_size 0.15 -mesh_boundary_cell_size 0.08"};

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 2; ++k) {
    DM          dm;
    PetscInt    nfacets, dim = k == 0 ? 2 : 3, nbad = 0, npoints = 4000;
    PetscReal  *facets, worst = 0;
    SurfaceTree tree;
    PetscRandom rnd;
    char        msh[PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(msh, sizeof(msh), "%s/distance_%" PetscInt_FMT "d.msh", tmpdir, dim));
    PetscCall(PetscOptionsInsertString(NULL, shapes[k]));
    PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh));
    PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
    PetscCall(MeshBoundaryFacets(dm, &nfacets, &facets));
    PetscCall(PostprocSurfaceTreeCreate(dim, nfacets, facets, &tree));
    PetscCall(PetscRandomCreate(PETSC_COMM_SELF, &rnd));
    PetscCall(PetscRandomSetInterval(rnd, -1.3, 1.3));
    for (PetscInt i = 0; i < npoints; ++i) {
      PetscReal x[3] = {0, 0, 0}, d_tree, d_all;
      for (PetscInt d = 0; d < dim; ++d)
        PetscCall(PetscRandomGetValueReal(rnd, &x[d]));
      if (i < nfacets) /* also points on the surface: a facet's first vertex */
        for (PetscInt d = 0; d < dim; ++d)
          x[d] = facets[i * dim * dim + d];
      PetscCall(PostprocSurfaceTreeDistance(tree, x, &d_tree));
      PetscCall(PostprocDistanceToSurface(dim, nfacets, facets, x, &d_all));
      if (d_tree != d_all) ++nbad;
      worst = PetscMax(worst, PetscAbsReal(d_tree - d_all));
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%" PetscInt_FMT "-D: %" PetscInt_FMT " facets, %" PetscInt_FMT " points: tree and brute-force distances differ at %" PetscInt_FMT " (largest difference %g um)\n", dim, nfacets, npoints, nbad, (double)worst));
    CHECK(nfacets > 100, "%" PetscInt_FMT "-D: only %" PetscInt_FMT " surface facets, the test is too small", dim, nfacets);
    CHECK(nbad == 0, "%" PetscInt_FMT "-D: the surface tree's distance differs from the brute-force one at %" PetscInt_FMT " of %" PetscInt_FMT " points (largest %g um)", dim, nbad, npoints, (double)worst);
    PetscCall(PetscRandomDestroy(&rnd));
    PetscCall(PostprocSurfaceTreeDestroy(&tree));
    PetscCall(PetscFree(facets));
    PetscCall(DMDestroy(&dm));
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      which[64] = "";
  PetscBool flg;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(TestPart(argc, argv, "raster", which, sizeof(which), tmpdir, sizeof(tmpdir)));
  {
    PetscErrorCode ierr = 0;
    PetscCall(PetscStrcmp(which, "exact", &flg));
    if (flg) {
      ierr = TestExact(1);
      if (!ierr) ierr = TestExact(2);
      if (!ierr) ierr = TestSnap();
    }
    PetscCall(PetscStrcmp(which, "distance", &flg));
    if (flg) ierr = TestDistance();
    PetscCall(PetscStrcmp(which, "regions", &flg));
    if (flg) ierr = TestRegions();
    PetscCall(PetscStrcmp(which, "maps", &flg));
    if (flg) ierr = TestMaps();
    PetscCall(TestEnd(ierr));
  }
  PetscCall(PetscFinalize());
  return test_failures;
}
