/* postproc/run: what a run reports, computed from the solver's state, and the files it writes.

   Observables of θ (all dimensionless):
     mean        (1/|Ω|) ∫Ω θ
     centroid    θ at the particle's centroid (or at its deepest point, if the centroid lies
                 outside a non-convex particle)
     centre      mean over the centre region  {x : d(x) ≥ (1 − r_c) d_max}
     periphery   mean over the periphery band {x : d(x) ≤ w}
     surface     (1/|∂Ω|) ∮ θ over the active surface
     min, max    over the degrees of freedom
     surface_min the least θ over the degrees of freedom on the active surface (∮ φ_i > 0)
   with d(x) the distance to the active surface and d_max its largest value. Defaults:
   r_c = 0.3 (-out_centre_fraction), w = 0.25 d_max (-out_periphery_width, a length).
   Region means are linear functionals w·θ whose weights are integrated once by quadrature.

   Outputs of a run in -out_directory (default "out"): timeseries.csv (one row per accepted
   time step), fields.h5 + fields.xmf (θ at -out_times, XDMF 3 for ParaView and meshio),
   probes.csv (θ at the points of -out_probes x1,y1[,z1],x2,... at -out_times), profiles.csv,
   summary.png, the maps (-out_maps), a progress line on the terminal and one log line per
   protocol step. Files are written under a temporary name and renamed when complete;
   OutputDiscard removes them after a failure.

   Also here, because both run/ and optics/ sample θ this way: the raster of θ on a pixel grid of
   the mesh's image frame (raster.c: in parallel, each rank its own cells, the image reduced on
   rank 0) and the distance to the active surface (observer.c).

   Files: output.c (the files above), observer.c, probe.c, profile.c (line profiles and their
   kymograph), summary.c, diffraction.c, raster.c, maps.c (PNG/TIFF maps of θ, and TIFF stacks as
   files of a set). Declarations used only inside run/ are in runimpl.h.
   Arrows: run/ uses figures/ and fileset/; optics/ and app/ use run/. */
#ifndef SPOT_POSTPROC_RUN_H
#define SPOT_POSTPROC_RUN_H

#include "solver/solver.h"
#include "postproc/fileset/fileset.h"

typedef struct {
  PetscReal mean, centroid, centre, periphery, surface, min, max, surface_min;
} Observables;

typedef struct _p_Observer *Observer;
typedef struct _p_Output   *Output;

PetscErrorCode ObserverCreate(Solver s, Observer *obs);
PetscErrorCode ObserverCompute(Observer obs, Vec theta, Observables *o);
PetscErrorCode ObserverView(Observer obs, PetscViewer viewer);
PetscErrorCode ObserverGetRegions(Observer obs, PetscReal *d_max, PetscReal *centre_threshold, PetscReal *periphery_width, PetscReal *centre_measure, PetscReal *periphery_measure);
PetscErrorCode ObserverDestroy(Observer *obs);
/* Per particle k of a population (arrays of N, every rank; regions relative to the particle's own
   d_max): mean, centre, periphery and surface means of θ. One reduction of 4N numbers. */
PetscErrorCode ObserverComputeParticles(Observer obs, Vec theta, PetscReal mean[], PetscReal centre[], PetscReal periphery[], PetscReal surface[]);
PetscErrorCode ObserverGetParticleVolumes(Observer obs, const PetscReal **volume);

/* Distance (µm) from x to the nearest of the facets of the active surface (segments in 2-D,
   triangles in 3-D) */
PetscErrorCode PostprocDistanceToSurface(PetscInt dim, PetscInt nfacets, const PetscReal facets[], const PetscReal x[], PetscReal *d);
/* The same distance for many points: a bounding-volume tree of the facets (copied) */
typedef struct _p_SurfaceTree *SurfaceTree;
PetscErrorCode                 PostprocSurfaceTreeCreate(PetscInt dim, PetscInt nfacets, const PetscReal facets[], SurfaceTree *tree);
PetscErrorCode                 PostprocSurfaceTreeDistance(SurfaceTree tree, const PetscReal x[], PetscReal *d);
PetscErrorCode                 PostprocSurfaceTreeDestroy(SurfaceTree *tree);

PetscErrorCode OutputCreate(Solver s, const char directory[], const char input_name[], Output *out);
PetscErrorCode OutputMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode OutputFinish(Output out);
PetscErrorCode OutputDiscard(Output out);
PetscErrorCode OutputDestroy(Output *out);

/* ---------------------------------------------------------------- Raster ---------------- */
typedef struct {
  PetscInt  rows, cols;
  PetscReal pixel_size;  /* µm */
  PetscReal origin[2];   /* µm: the top-left corner of pixel (0, 0) in the mesh frame */
  PetscReal z;           /* 3-D meshes: the plane sampled, µm */
  PetscInt  supersample; /* odd s: θ and the coverage use s × s points per pixel (1: the centre) */
} RasterGrid;

typedef struct {
  PetscReal mean, centre, periphery;             /* means over the masked pixels / the regions */
  PetscInt  pixels, centre_pixels, periphery_pixels;
} RasterRegions;

typedef struct _p_Raster *Raster;

/* A grid around the particle's bounding box (info->lower/upper) plus margin (µm); snap puts the
   pixel edges on multiples of the pixel size (the pixels of the source image) */
PetscErrorCode RasterGridAround(const MeshInfo *info, PetscReal pixel_size, PetscReal margin, PetscBool snap, PetscInt supersample, RasterGrid *grid);
PetscErrorCode RasterCreate(DM dm, const RasterGrid *grid, Raster *raster);                       /* collective */
/* The same with each particle k = 1..N of a population moved by (shift[2k-2], shift[2k-1]) µm in
   the grid's plane (a field whose particles lie a little off the mesh's places); where moved
   particles overlap, a point shows one of them */
PetscErrorCode RasterCreateMoved(DM dm, const RasterGrid *grid, const PetscReal shift[], Raster *raster);
PetscErrorCode RasterGetGrid(Raster raster, const RasterGrid **grid);
PetscErrorCode RasterGetMask(Raster raster, const unsigned char **mask, const PetscReal **coverage); /* every rank */
PetscErrorCode RasterEvaluate(Raster raster, Vec theta, PetscReal image[]);                        /* collective; image on rank 0, NaN where no sample point is inside */
PetscErrorCode RasterComputeDistance(Raster raster);                                                /* collective */
PetscErrorCode RasterGetDistance(Raster raster, const PetscReal **distance);                       /* pixel centre to the active surface, -1 outside */
PetscErrorCode RasterRegionMeans(Raster raster, PetscReal centre_threshold, PetscReal periphery_width, const PetscReal image[], RasterRegions *means);
PetscErrorCode RasterDestroy(Raster *raster);

/* ---------------------------------------------------------------- Maps ------------------ */
/* spot run's PNG maps (-out_maps true): at -out_map_times (default -out_times, else each step's
   end), θ (-out_map_quantity theta) or the delithiation 1 − θ (delithiation) on the image grid:
   pixel size -out_map_pixel_size, else the -mesh_image_pixel_size of an image mesh, else about
   300 pixels across the particle. One colour scale for all maps (-out_map_range lo,hi, else the
   range of all maps). Writes <quantity>_map_<i>_t<t>s.png, <quantity>_maps.tif (32-bit float,
   NaN outside the particle, one page per time) and <quantity>_maps.csv, in MapsFinish, all or
   nothing (PostprocFiles); MapsDiscard removes them again after a later failure of the run. */
typedef struct _p_Maps *Maps;

PetscErrorCode MapsCreate(Solver s, const char directory[], Maps *maps);
PetscErrorCode MapsMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode MapsFinish(Maps maps);
PetscErrorCode MapsDiscard(Maps maps);
PetscErrorCode MapsDestroy(Maps *maps);

/* Multi-page grey TIFF stacks (the writer of mesh/image_stack.c) as files of a set: bits 16
   (values in [0, 1] scaled to 0..65535) or 32 (float, as given). Rank 0. A failed write is one
   line naming the stack ("cannot write image stack 'movie.tif': the disk is full (...)"). */
typedef struct _p_PostprocStack *PostprocStack;
PetscErrorCode                   PostprocStackOpen(PostprocFiles files, const char path[], PetscInt rows, PetscInt cols, PetscInt bits, PostprocStack *stack);
PetscErrorCode                   PostprocStackAdd(PostprocStack stack, const PetscReal values[], const char description[]);
/* keep: the finished stack is a complete file of the set; else it is dropped with its temporary */
PetscErrorCode PostprocStackClose(PostprocStack *stack, PetscBool keep);

#endif
