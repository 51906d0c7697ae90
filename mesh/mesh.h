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

   A particle can also be meshed from its image (spot mesh, or <mesh><image> in spot run):
     -mesh_image_file F -mesh_image_pixel_size p (µm per pixel) [-mesh_image_invert]
     [-mesh_image_sigma px] [-mesh_image_threshold otsu|grey] [-mesh_image_open_radius px]
     [-mesh_image_close_radius px] [-mesh_image_smoothing px] [-mesh_image_seed row,col]
     [-mesh_image_page n] [-mesh_image_extrude thickness]

   The image frame, used by every file that refers to pixels: origin at the top-left corner of
   the top-left pixel; x (µm) grows along the columns, to the right; y (µm) grows along the
   rows, downwards; pixel (row r, col c) covers [c p, (c+1) p] × [r p, (r+1) p], p the pixel
   size. A mesh made from an image has these coordinates (z in [0, thickness] when extruded),
   so a field on it is drawn back onto pixel (r, c) by sampling it at ((c+½) p, (r+½) p). */
#ifndef SPOT_MESH_H
#define SPOT_MESH_H

#include <petscdmplex.h>

#define MESH_SURFACE_LABEL "surface"
#define MESH_GENERATED_NAME "mesh.part.msh" /* a mesh spot made, until the run that uses it succeeds */

typedef struct {
  PetscInt  dim;
  PetscInt  num_cells, num_vertices, num_surface_faces; /* global counts */
  PetscReal volume;                                     /* |Ω|: µm² (2-D) or µm³ (3-D) */
  PetscReal surface;                                    /* |∂Ω_active|: µm (2-D) or µm² (3-D) */
  PetscReal boundary;                                   /* all of ∂Ω, including no-flux faces */
  PetscReal centroid[3];                                /* µm */
  PetscReal lower[3], upper[3];                         /* bounding box, µm */
  PetscReal equivalent_diameter;                        /* µm: disc or sphere of the same |Ω| */
  PetscReal h_min, h_max;                               /* smallest and largest cell diameter, µm */
  PetscReal min_angle;                                  /* smallest interior angle of a cell face, degrees */
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
PetscErrorCode MeshRasterDestroy(MeshRaster *image);
/* 8-bit grey (channels 1) or RGB (3) PNG, row 0 at the top, data[(r * cols + c) * channels + k] */
PetscErrorCode MeshPNGWrite(const char path[], PetscInt rows, PetscInt cols, PetscInt channels, const unsigned char data[]);

/* What meshing an image found and made (every rank gets a copy) */
typedef struct {
  char      file[PETSC_MAX_PATH_LEN]; /* the image */
  PetscInt  rows, cols, page;
  PetscReal pixel_size;                                    /* µm */
  PetscReal threshold;                                     /* grey level used, as displayed (0 black, 1 white) */
  PetscBool otsu;                                          /* threshold found by Otsu's method */
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
  PetscReal min_angle;                                     /* smallest angle of a triangle (3-D: of a tetrahedron face), degrees */
  PetscReal seconds[5];                                    /* read, segment, outline, mesh, preview */
} MeshImageReport;

/* Mesh the particle of the image given by the -mesh_image_ options: writes the msh file
   (msh 4.1; skipped when msh is NULL) and the preview PNG (skipped when preview is NULL).
   Collective: rank 0 works, every rank gets the report or the same error. */
PetscErrorCode MeshFromImage(MPI_Comm comm, const char msh[], const char preview[], MeshImageReport *report);
PetscErrorCode MeshImageReportView(const MeshImageReport *report, const char msh[], const char preview[], PetscViewer viewer);

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
   given); under "<path>.part" until MeshStackWriterClose(keep = PETSC_TRUE) renames it */
PetscErrorCode MeshStackWriterOpen(const char path[], PetscInt rows, PetscInt cols, PetscInt bits, MeshStackWriter *writer);
PetscErrorCode MeshStackWriterAdd(MeshStackWriter writer, const PetscReal values[], const char description[]);
PetscErrorCode MeshStackWriterClose(MeshStackWriter *writer, PetscBool keep);
/* The particle of a grey image as spot mesh segments it (Gaussian sigma px, Otsu, largest region
   brighter than the threshold, or darker with invert; holes filled): mask[r * cols + c] = 1 on it */
PetscErrorCode MeshImageParticleMask(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal sigma, PetscBool invert, unsigned char mask[], PetscReal *threshold, PetscInt *pixels);

#endif
