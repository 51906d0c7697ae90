/* mesh: the particle's geometry as a distributed DMPlex.

   Sources: a Gmsh .msh file (msh 2.2 or 4.1, 2-D triangles or 3-D tetrahedra) whose active
   boundary is the physical group "surface", or a built-in shape meshed with the Gmsh API
   (disc, ellipse, rectangle with rounded corners; sphere, ellipsoid, box, platelet).
   Coordinates are in µm. The DM carries the label "surface" (value 1) on the faces through
   which lithium leaves or enters; other boundary faces (the basal "top"/"bottom" of a
   platelet) have no flux.

   Options (-mesh_ prefix; lengths accept units, e.g. -mesh_cell_size 50nm):
     -mesh_file particle.msh | -mesh_shape_type disc|ellipse|rectangle|sphere|ellipsoid|box|platelet
     -mesh_shape_radius, -mesh_shape_semi_axes a,b[,c], -mesh_shape_sides lx,ly[,lz],
     -mesh_shape_corner_radius, -mesh_shape_thickness, -mesh_shape_center x,y[,z]
     -mesh_cell_size h, -mesh_boundary_cell_size h_s, -mesh_boundary_layer w,
     -mesh_refine n (uniform refinement by Gmsh: each cell split into 2^dim),
     -mesh_structured (uniform transfinite mesh of a rectangle or box, for verification)
     -mesh_cache_dir DIR (opt-in: a shape's mesh is kept in DIR and read back by later runs of
     the same shape, sizes and Gmsh; mesh/cache.c)

   A particle can also be meshed from its image (spot mesh, or <mesh><image> in spot run):
     -mesh_image_file F -mesh_image_pixel_size p (µm per pixel) [-mesh_image_invert]
     [-mesh_image_sigma px] [-mesh_image_threshold otsu|grey] [-mesh_image_open_radius px]
     [-mesh_image_close_radius px] [-mesh_image_smoothing px] [-mesh_image_seed row,col]
     [-mesh_image_page n] [-mesh_image_extrude thickness] [-mesh_image_max_pixels n]
     [-mesh_image_psf_sigma length (the image is blurred by a Gaussian PSF: outline at the deblurred edge)]
   Every particle of a field of view (spot mesh --all; mesh/segment.c ImageSegmentAll):
     -mesh_image_particles one|all [-mesh_image_labels] [-mesh_image_min_area A (um2, nm2 or px)]
     [-mesh_image_keep_border] [-mesh_image_keep_touching] [-mesh_image_split_depth px]
     [-mesh_image_max_particles n (default 10000)]
   gives one mesh with the groups particle_<k> and surface_<k> per particle (k = 1..N by
   centroid: rows, then columns), the unions "particle" and "surface", and a table
   <stem>_particles.csv of their geometry beside the mesh.

   Limits, checked before any work (mesh/gmsh.c): a generated mesh (shape or image, 2-D or
   extruded) is estimated from its geometry and size field before Gmsh runs and refused above
   -mesh_max_cells (default 10 000 000); an image is refused by its header above
   -mesh_image_max_pixels (default 100 000 000). Lengths must be finite; a particle is at most
   MESH_LARGEST_PARTICLE across, a cell at least MESH_LATTICE_SPACING.

   The image frame, used by every file that refers to pixels: origin at the top-left corner of
   the top-left pixel; x (µm) grows along the columns, to the right; y (µm) grows along the
   rows, downwards; pixel (row r, col c) covers [c p, (c+1) p] × [r p, (r+1) p], p the pixel
   size. A mesh made from an image has these coordinates (z in [0, thickness] when extruded),
   so a field on it is drawn back onto pixel (r, c) by sampling it at ((c+½) p, (r+½) p). */
#ifndef SPOT_MESH_H
#define SPOT_MESH_H

#include <petscdmplex.h>
#include "files/files.h"

#define MESH_SURFACE_LABEL "surface"
#define MESH_PARTICLE_LABEL "particle index" /* value k = 1..N on the cells of particle k (mesh/load.c) */
#define MESH_GENERATED_NAME "mesh.part.msh" /* a mesh spot made, until the run that uses it succeeds */
#define MESH_GENERATED_TABLE_NAME "mesh_particles.part.csv" /* its table of particles (populations), with it */
#define MESH_KEPT_TABLE_NAME "mesh_particles.csv"          /* the table's name once the run succeeded */
/* The table of particles beside a mesh path of spot run: MESH_GENERATED_TABLE_NAME beside
   MESH_GENERATED_NAME (kept or removed with it), MESH_KEPT_TABLE_NAME beside any other */
PetscErrorCode MeshParticleTablePath(const char mesh_path[], char table[], size_t len);

/* What a particle can be, so that a slip (a unit missed, a pixel size in metres) is named at
   once instead of making Gmsh run out of memory. Lengths in µm. */
#define MESH_LARGEST_PARTICLE  1000.0 /* 1 mm: electrode particles are tens of µm at most */
#define MESH_SMALLEST_PARTICLE 0.01   /* 10 nm: the smallest cathode nanoparticles */
#define MESH_LATTICE_SPACING   3e-4   /* 0.3 nm, about the in-plane lattice parameter of layered
                                         oxides (a = 0.287 nm): no continuum cell is smaller */
#define MESH_FARTHEST_CENTER   1e6    /* 1 m: a particle centred farther from the origin is a slip */
#define MESH_MAX_CELLS_DEFAULT        10000000  /* -mesh_max_cells */
#define MESH_IMAGE_MAX_PIXELS_DEFAULT 100000000 /* -mesh_image_max_pixels */

typedef struct {
  PetscInt  dim;
  PetscInt  num_cells, num_vertices, num_surface_faces; /* global counts */
  PetscInt  num_particles;                              /* N: the cells carry MESH_PARTICLE_LABEL = 1..N */
  PetscReal volume;                                     /* |Ω|: µm² (2-D) or µm³ (3-D) */
  PetscReal surface;                                    /* |∂Ω_active|: µm (2-D) or µm² (3-D) */
  PetscReal boundary;                                   /* all of ∂Ω, including no-flux faces */
  PetscReal centroid[3];                                /* µm */
  PetscReal lower[3], upper[3];                         /* bounding box, µm */
  PetscReal equivalent_diameter;                        /* µm: disc or sphere of the same |Ω| */
  PetscReal h_min, h_max;                               /* smallest and largest cell diameter, µm */
  PetscReal min_angle;                                  /* smallest interior angle of a cell face, degrees */
  char      cache[PETSC_MAX_PATH_LEN];                  /* the mesh cache's entry (-mesh_cache_dir), or "" */
  PetscBool cache_hit;                                  /* the mesh came from it (else it was made and stored) */
} MeshInfo;

PetscErrorCode MeshCreateFromOptions(MPI_Comm comm, const char workdir[], DM *dm);
PetscErrorCode MeshLoad(MPI_Comm comm, const char path[], DM *dm);
PetscErrorCode MeshShapeWrite(MPI_Comm comm, const char path[]);
PetscErrorCode MeshGetInfo(DM dm, MeshInfo *info);
PetscErrorCode MeshInfoView(const MeshInfo *info, PetscViewer viewer);
PetscErrorCode MeshBoundaryFacets(DM dm, PetscInt *nfacets, PetscReal **vertices);
/* Reference coordinates ξ ∈ [-1, 1]^d (PETSc's reference simplex) of n points x inside simplex
   cell c, by its affine map: ξ = J⁻¹ (x − v0) − 1 */
PetscErrorCode MeshCellToReference(DM dm, PetscInt c, PetscInt n, const PetscReal x[], PetscReal ref[]);

/* Images (mesh/image_io.c): PNG (1-16 bit; grey, RGB, palette), TIFF (8/16-bit, any page,
   PhotometricInterpretation honoured) and PGM/PPM, found by content. Not collective: call on
   the rank that needs it. Colour becomes luma 0.299 R + 0.587 G + 0.114 B. */
typedef struct {
  PetscInt   rows, cols;  /* rows go down the image, columns to the right */
  PetscInt   page, pages; /* page read (0-based) and pages in the file */
  PetscInt   bits;        /* bits per sample in the file */
  PetscReal *grey;        /* grey[r * cols + c] in [0, 1] as displayed: 0 black, 1 white */
} MeshRaster;

PetscErrorCode MeshRasterRead(const char path[], PetscInt page, MeshRaster *image);
/* The header only (size, pages, bits; grey stays NULL), with the same checks as MeshRasterRead:
   format, page, and the pixel count against -mesh_image_max_pixels, before any decoding */
PetscErrorCode MeshRasterReadHeader(const char path[], PetscInt page, MeshRaster *image);
PetscErrorCode MeshRasterDestroy(MeshRaster *image);
/* 8-bit grey (channels 1) or RGB (3) PNG, row 0 at the top, data[(r * cols + c) * channels + k];
   written through files/files.h (a failed write is PETSC_ERR_FILE_WRITE, and no file is left) */
PetscErrorCode MeshPNGWrite(const char path[], PetscInt rows, PetscInt cols, PetscInt channels, const unsigned char data[]);

/* What meshing an image found and made (every rank gets a copy) */
typedef struct {
  char      file[PETSC_MAX_PATH_LEN]; /* the image */
  PetscInt  rows, cols, page;
  PetscReal pixel_size;                                    /* µm */
  PetscReal threshold;                                     /* grey level used, as displayed (0 black, 1 white) */
  PetscBool otsu;                                          /* threshold found by Otsu's method */
  PetscReal edge_contrast;                                 /* how much steeper the outline is than the rest (MeshImageEdgeContrast) */
  PetscReal psf_sigma;                                     /* µm: outline at the deblurred edge (mesh/deblur.c); 0: not asked */
  PetscReal psf_background, psf_plateau;                   /* grey levels fitted through the blur, as displayed */
  PetscReal psf_shift;                                     /* mean outward move of the outline from the half-level contour, µm */
  PetscReal psf_half_area;                                 /* area inside the half-level contour, µm² */
  PetscInt  particle_pixels;                               /* pixels of the particle, filled holes included */
  PetscInt  holes_filled;                                  /* pixels of dark holes made particle */
  PetscInt  num_regions;                                   /* regions above the threshold (the particle is one) */
  PetscInt  border_pixels;                                 /* particle pixels on the image border (> 0: warned) */
  PetscInt  outline_points;                                /* points of the smoothed outline given to Gmsh */
  PetscReal outline_area, outline_perimeter;               /* of that outline, µm², µm */
  PetscInt  dim;                                           /* 2, or 3 for an extruded platelet */
  PetscReal area, perimeter;                               /* of the mesh (its bottom face in 3-D; the outline without a mesh): µm², µm */
  PetscReal equivalent_diameter;                           /* µm, disc of the same area */
  PetscReal centroid[2];                                   /* of the same, µm, image frame */
  PetscReal thickness, volume;                             /* 3-D: µm, µm³ */
  PetscReal cell_size, boundary_cell_size, boundary_layer; /* µm, as used */
  PetscInt  num_cells, num_vertices;                       /* triangles or tetrahedra; mesh nodes */
  PetscReal estimated_cells;                               /* the estimate checked against -mesh_max_cells */
  PetscReal min_angle;                                     /* smallest angle of a triangle (3-D: of a tetrahedron face), degrees */
  PetscReal seconds[5];                                    /* read, segment, outline, mesh, preview */
  /* every particle of the image (-mesh_image_particles all): area, perimeter, cells, nodes and
     the estimate above are totals over the particles meshed, the centroid that of their union */
  PetscBool all;
  PetscInt  num_found;                           /* particles found (after the watershed split) */
  PetscInt  num_particles;                       /* meshed (N), numbered 1..N in the mesh and the table */
  PetscInt  num_border, num_small;               /* left out: touching the image border, too small */
  PetscInt  num_split_regions, num_split_pieces; /* regions the watershed split, and the particles they became */
  PetscReal min_area;                            /* µm², as used */
  PetscReal d_min, d_max;                        /* smallest and largest equivalent diameter meshed, µm */
  char      table[PETSC_MAX_PATH_LEN];           /* the geometry table written, or "" */
} MeshImageReport;

/* Mesh the particle of the image given by the -mesh_image_ options: writes the msh file
   (msh 4.1; skipped when msh is NULL) and the preview PNG (skipped when preview is NULL).
   With -mesh_image_particles all, every particle, and the table of their geometry beside the
   mesh: <msh without .msh>_particles.csv (MeshFromImageTable names it).
   Every option, the image's header and both outputs are checked before any work; both files
   appear, or neither. Collective: rank 0 works, every rank gets the report or the same error. */
PetscErrorCode MeshFromImage(MPI_Comm comm, const char msh[], const char preview[], MeshImageReport *report);
PetscErrorCode MeshFromImageTable(MPI_Comm comm, const char msh[], const char preview[], const char table[], MeshImageReport *report);
#define MESH_IMAGE_MAX_PARTICLES_DEFAULT 10000 /* -mesh_image_max_particles */
#define MESH_IMAGE_MIN_AREA_PIXELS       16    /* -mesh_image_min_area default, in pixels: 4 x 4, the smallest particle traced */
#define MESH_IMAGE_SPLIT_DEPTH_DEFAULT   2.0   /* -mesh_image_split_depth, pixels */
PetscErrorCode MeshImageReportView(const MeshImageReport *report, const char msh[], const char preview[], PetscViewer viewer);

/* A population made without an image (mesh/population.c): drawn from a lognormal size
   distribution, or listed by hand, written as one msh 4.1 file with the groups particle_<k>,
   surface_<k>, "particle" and "surface" (k = 1..N by centroid: top to bottom, then left to right)
   and a table of their geometry (the columns of spot mesh --all, pixel columns nan):
     -mesh_population_count N -mesh_population_radius_median r [-mesh_population_radius_spread σ
     (ln r ~ N(ln r_median, σ²), σ in [0, 1.5], default 0)] [-mesh_population_seed s (default 1)]
     [-mesh_population_gap g (default 0.1 r_median)] [-mesh_population_fraction φ (default 0.4)]
   or
     -mesh_population_file F (CSV: x_um, y_um, radius_um; or x_um, y_um, semi_axis_a_um,
     semi_axis_b_um[, angle_deg]) [-mesh_population_gap g (default: apart)]
   with the cell sizes of a built-in disc for each particle (or -mesh_cell_size & co. for all). */
typedef struct {
  PetscBool drawn;
  char      file[PETSC_MAX_PATH_LEN]; /* the listed table */
  PetscInt  num_particles, num_ellipses;
  PetscReal radius_median, radius_spread, seed, gap, fraction, box; /* µm, µm: drawn */
  PetscReal area, perimeter, centroid[2];                           /* of the mesh: µm², µm */
  PetscReal d_min, d_max;                                           /* equivalent diameters, µm */
  PetscReal cell_size, boundary_cell_size;                          /* the smallest used, µm */
  PetscInt  num_cells, num_vertices;
  PetscReal estimated_cells, min_angle;
  PetscReal seconds[2]; /* place, mesh */
  char      table[PETSC_MAX_PATH_LEN];
} MeshPopulationReport;

/* Collective: the options checked (and the particles drawn) on every rank, the mesh and the
   table written by rank 0, both or neither */
PetscErrorCode MeshPopulationCreate(MPI_Comm comm, const char msh[], const char table[], MeshPopulationReport *report);
PetscErrorCode MeshPopulationReportView(const MeshPopulationReport *report, const char msh[], PetscViewer viewer);
PetscErrorCode MeshPopulationTableBeside(const char msh[], char table[], size_t len); /* <msh without .msh>_particles.csv */
/* spot run: into path, with mesh_particles.csv beside it, the report on stdout */
PetscErrorCode MeshPopulationWrite(MPI_Comm comm, const char path[]);

/* Image stacks (mesh/image_stack.c): operando movies, one frame per page of a multi-page TIFF or
   a numbered series of images ("frames/f_%03d.png"). Not collective: call on one rank.
   Reading: integer samples in [0, 1] as MeshRasterRead gives them; 32-bit float TIFF samples as
   stored. Frames read in increasing order are fastest; every frame must have the first's size. */
typedef struct _p_MeshStack       *MeshStack;
typedef struct _p_MeshStackWriter *MeshStackWriter;

PetscErrorCode MeshStackOpen(const char path[], PetscInt first, MeshStack *stack); /* first: number of the first file of a series */
PetscErrorCode MeshStackGetInfo(MeshStack stack, PetscInt *frames, PetscBool *series);
PetscErrorCode MeshStackFrameName(MeshStack stack, PetscInt frame, char name[], size_t len);
/* frame (0-based) into a new array *values[rows * cols] (PetscFree it); values NULL: check only */
PetscErrorCode MeshStackRead(MeshStack stack, PetscInt frame, PetscInt *rows, PetscInt *cols, PetscReal **values);
PetscErrorCode MeshStackClose(MeshStack *stack);
/* Writing a multi-page grey TIFF: bits 16 (values in [0, 1] scaled to 0..65535) or 32 (float, as
   given), through files/files.h: under a temporary name until MeshStackWriterClose(keep =
   PETSC_TRUE) publishes it; a failed write is PETSC_ERR_FILE_WRITE and leaves no file */
PetscErrorCode MeshStackWriterOpen(const char path[], PetscInt rows, PetscInt cols, PetscInt bits, MeshStackWriter *writer);
PetscErrorCode MeshStackWriterAdd(MeshStackWriter writer, const PetscReal values[], const char description[]);
PetscErrorCode MeshStackWriterClose(MeshStackWriter *writer, PetscBool keep);
/* The particle of a grey image as spot mesh segments it (Gaussian sigma px, Otsu, largest region
   brighter than the threshold, or darker with invert; holes filled): mask[r * cols + c] = 1 on it */
PetscErrorCode MeshImageParticleMask(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal sigma, PetscBool invert, unsigned char mask[], PetscReal *threshold, PetscInt *pixels);
/* Does the particle of mask stand out of the (denoised) image? contrast: the median gradient of
   smooth on the particle's outline over its median away from the outline, in the surroundings
   (mesh/segment.c explains it); PETSC_INFINITY for a clean edge on flat surroundings, 0 when the
   particle has no outline inside the image. needed: what a particle shows, at least
   MESH_IMAGE_MIN_EDGE_CONTRAST, more for an outline of few pixels. Not collective. */
PetscErrorCode MeshImageEdgeContrast(PetscInt rows, PetscInt cols, const PetscReal smooth[], const unsigned char mask[], PetscReal sigma, PetscReal *contrast, PetscReal *needed);
#define MESH_IMAGE_MIN_EDGE_CONTRAST 2.0
/* The particle of a grey frame blurred by a Gaussian PSF of std psf_sigma (µm), outlined at its
   deblurred edge as spot mesh --psf-sigma does (mesh/deblur.c): denoised by sigma pixels, found
   by Otsu's threshold (darker with invert), then the half-level contour moved out through the
   blur. xy (PetscFree it; NULL: not wanted): the n outline points, µm in the image frame,
   counter-clockwise; area: its area, µm²; levels: background and particle grey as displayed
   (NULL: not wanted). Errors name -mesh_image_psf_sigma and the frame (name). Not collective. */
PetscErrorCode MeshImageDeblurredOutline(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal pixel_size, PetscReal sigma, PetscBool invert, PetscReal psf_sigma, PetscInt *n, PetscReal **xy, PetscReal *area, PetscReal levels[2]);

/* ---- For the meshers of mesh/ (gmsh.c, image_mesh.c) ---- */
/* A length option (µm, units allowed) of a particle or its cells: finite, at least
   MESH_LATTICE_SPACING, at most MESH_LARGEST_PARTICLE; the message names the option's source */
PetscErrorCode MeshGetLength(const char name[], const char what[], PetscReal *value, PetscBool *set);
/* -mesh_max_cells, -mesh_image_max_pixels (whole numbers >= 1, checked) */
PetscErrorCode MeshGetMaxCells(PetscReal *max_cells);
PetscErrorCode MeshGetMaxPixels(PetscReal *max_pixels);
/* About how many cells Gmsh makes of a body of measure V (area in 2-D, volume in 3-D) with
   cells of size h_s at its active boundary growing linearly to h at distance w (the Threshold
   field spot gives Gmsh). The boundary has measure S (a length in 2-D, an area in 3-D); or,
   when T > 0, the body is a platelet of thickness T and S the length of its bottom outline, the
   field's distance being measured from that curve (an image extruded by mesh/image_mesh.c) */
PetscErrorCode MeshEstimateCells(PetscInt dim, PetscReal V, PetscReal S, PetscReal T, PetscReal h, PetscReal h_s, PetscReal w, PetscReal *cells);
/* Refuse an estimate above -mesh_max_cells; where/what name the mesh ("the sphere") and the
   sizes that made it, for the message */
PetscErrorCode MeshCheckCellCount(PetscReal estimate, const char where[], const char what[]);
/* Gmsh writes its current model as msh 4.1 into f's temporary, checked: Gmsh does not report
   every failed write, so the file is read back (every section complete, as long as its
   headers say). On failure f holds the reason, and PETSC_ERR_FILE_WRITE is raised */
PetscErrorCode MeshGmshWrite(FileOut f);

#endif
