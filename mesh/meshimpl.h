/* Private to mesh/: the Gmsh adapter shared by the shape, file and image meshers.

   Gmsh reports failures through an int *ierr and its logger; GmshCall turns them into PETSc
   errors carrying Gmsh's last message:  GmshCall(tag = gmshModelOccAddDisk(..., GIERR)); */
#ifndef SPOT_MESHIMPL_H
#define SPOT_MESHIMPL_H

#include "mesh/mesh.h"
#include <gmshc.h>
#include <stdio.h>

void           GmshLastError(char buf[], size_t len);
PetscErrorCode GmshStart(void);
PetscErrorCode MeshZStretch(PetscReal *stretch);
PetscErrorCode MeshUnstretchNodes(double zc, double stretch);

#define GmshCall(call) \
  do { \
    int gmsh_ierr_ = 0; \
    call; \
    if (gmsh_ierr_) { \
      char gmsh_msg_[1024]; \
      GmshLastError(gmsh_msg_, sizeof(gmsh_msg_)); \
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "Gmsh failed in %s: %s", #call, gmsh_msg_); \
    } \
  } while (0)
#define GIERR &gmsh_ierr_

/* The first error (code and message) of work done on rank 0, kept so that every rank can fail with
   it: PetscPushErrorHandler(MeshCaptureError, &captured) (mesh/gmsh.c) */
typedef struct {
  PetscErrorCode code;
  char           message[1024];
} MeshCaptured;
PetscErrorCode MeshCaptureError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx);

/* Collective check that a .msh file is usable (mesh/gmsh.c) */
PetscErrorCode MeshCheckFile(MPI_Comm comm, const char path[], const char where[]);
/* MeshLoad, naming where the path came from in its messages */
PetscErrorCode MeshLoadFrom(MPI_Comm comm, const char path[], const char where[], DM *dm);
/* The mesh cache (mesh/cache.c): -mesh_cache_dir, checked (collective; *set false without it);
   the shape of the -mesh_shape_ options meshed into path through it (collective; *hit: read from
   the cache's entry, whose path is entry, and checked as a mesh file already) */
PetscErrorCode MeshCacheGetDirectory(MPI_Comm comm, char dir[], size_t len, PetscBool *set);
PetscErrorCode MeshShapeWriteCached(MPI_Comm comm, const char dir[], const char path[], PetscBool *hit, char entry[], size_t len);
/* What determines the mesh of the -mesh_shape_ options, as text (mesh/gmsh.c) */
PetscErrorCode MeshShapeDescribe(char text[], size_t len);
/* Collective: Gmsh splits every cell of in into 2^dim, n times, and writes out (may be in) */
PetscErrorCode MeshRefineFile(MPI_Comm comm, const char in[], PetscInt n, const char out[]);

/* Mesh the particle of the image given by the -mesh_image_ options into path, a .msh file,
   with the preview particle_preview.png beside it, and print the report (mesh/image_mesh.c).
   Collective: rank 0 works, every rank learns the outcome. */
PetscErrorCode MeshImageWrite(MPI_Comm comm, const char path[]);

/* ---- The image pipeline (rank 0): mesh/segment.c, mesh/outline.c, mesh/image_mesh.c ----
   Pixel units below: the image frame of mesh.h with the pixel as unit. */

/* The -mesh_image_ options, checked (every rank reads them; errors are collective) */
typedef struct {
  char      file[PETSC_MAX_PATH_LEN];
  PetscInt  page;                      /* TIFF page, 0-based */
  PetscReal pixel_size;                /* µm per pixel */
  PetscBool invert;                    /* dark particle on a bright background */
  PetscReal sigma;                     /* Gaussian denoising, pixels */
  PetscReal threshold;                 /* grey value as displayed in [0, 1], or -1 for Otsu */
  PetscInt  open_radius, close_radius; /* pixels */
  PetscReal smoothing;                 /* outline smoothing, pixels */
  PetscBool has_seed;
  PetscInt  seed[2];                                       /* row, col */
  PetscReal extrude;                                       /* platelet thickness, µm; 0: 2-D */
  PetscReal psf_sigma;                                     /* µm: the image is blurred by a Gaussian PSF of this std (mesh/deblur.c); 0: not said */
  PetscBool crop;                                          /* deblur.c works in a crop around one particle of a field (--all) */
  PetscReal cell_size, boundary_cell_size, boundary_layer; /* µm; 0: default from the particle */
  /* every particle of the image (-mesh_image_particles all; mesh/segment.c ImageSegmentAll) */
  PetscBool all;
  PetscBool labels;        /* the image holds labels: each nonzero grey value is a particle */
  PetscBool keep_border;   /* mesh particles touching the image border too */
  PetscBool keep_touching; /* no watershed split of touching particles */
  PetscReal min_area;      /* µm²: smaller particles are left out */
  PetscReal split_depth;   /* pixels: h of the h-maxima of the distance transform (watershed markers) */
  PetscInt  max_particles;
} ImageSpec;

PetscErrorCode ImageSpecFromOptions(ImageSpec *spec);

typedef struct {
  PetscInt       rows, cols;
  PetscReal     *smooth;        /* denoised grey, inverted if asked: the particle is bright */
  unsigned char *mask;          /* 1 on the particle, holes filled */
  PetscReal      threshold;     /* level of smooth that separates particle from background */
  PetscReal      low, high;     /* range of smooth */
  PetscInt       pixels;        /* particle pixels (holes included) */
  PetscInt       filled;        /* of which hole pixels */
  PetscInt       num_regions;   /* connected regions above the threshold */
  PetscInt       border_pixels; /* particle pixels on the image border */
  PetscInt       box[4];        /* rows box[0]..box[1], cols box[2]..box[3] of the particle */
} ImageSegmentation;

/* Every particle of an image (spec->all): what ImageSegmentAll found, the left-out ones too */
typedef enum {
  PARTICLE_KEPT,
  PARTICLE_SMALL,  /* smaller than the minimum area */
  PARTICLE_BORDER, /* touches the image border */
  PARTICLE_NONE    /* absorbed into a particle whose hole held it, or split away */
} ImageParticleFate;

typedef struct {
  PetscInt          pixels;      /* holes included */
  PetscInt          box[4];      /* rows box[0]..box[1], cols box[2]..box[3] */
  PetscReal         centroid[2]; /* of the pixels, pixel units of the image frame (x, y) */
  PetscBool         border;      /* has a pixel on the image border */
  PetscBool         split;       /* came out of a watershed split of touching particles */
  ImageParticleFate fate;
  PetscInt          number; /* 1..N in the mesh (kept ones, by centroid: rows, then columns); 0 */
} ImageParticle;

typedef struct {
  PetscInt       rows, cols;
  PetscReal     *smooth;    /* as in ImageSegmentation; for a label image 1 on particles, 0 off */
  PetscReal      threshold; /* level of smooth between particle and background */
  PetscReal      low, high;
  int           *label;     /* label[r * cols + c]: 0 background, else 1 + index into particle[] */
  PetscInt       nparticles;
  ImageParticle *particle;
  PetscInt       num_regions;        /* connected regions (before splitting; after hole filling) */
  PetscInt       num_split_regions;  /* of which the watershed split */
  PetscInt       num_split_pieces;   /* the particles they became */
  PetscInt       num_kept, num_small, num_border;
} ImageParticles;

PetscErrorCode ImageSegmentAll(const MeshRaster *image, const ImageSpec *spec, ImageParticles *all);
PetscErrorCode ImageParticlesDestroy(ImageParticles *all);
/* The mask and smoothed grey of particle k's window (its box grown by 2 pixels, within the image)
   as an ImageSegmentation of that window, ready for ImageOutlineTrace: the pixels of other
   particles are mirrored about the threshold t and scaled, g -> t - (1/keep - 1)|g - t|, so that
   between a pixel of k and one of another particle of equal brightness the outline crosses at
   keep of the way (keep = 1/2: touching outlines meet halfway; 1/4: they stay half a pixel
   apart). origin: the window's top-left pixel (row, col) */
PetscErrorCode ImageParticleWindow(const ImageParticles *all, PetscInt k, PetscReal keep, ImageSegmentation *seg, PetscInt origin[2]);

/* Squared Euclidean distance (pixels²) from each pixel to the nearest pixel whose mask value is feature */
PetscErrorCode ImageDistanceSquared(PetscInt rows, PetscInt cols, const unsigned char mask[], unsigned char feature, PetscReal d[]);
PetscErrorCode ImageGaussianBlur(PetscInt rows, PetscInt cols, const PetscReal in[], PetscReal sigma, PetscReal out[]);
PetscErrorCode ImageSegment(const MeshRaster *image, const ImageSpec *spec, ImageSegmentation *seg);
/* A frame in memory (grey values, read only) as an image to segment: Otsu (threshold −1),
   smoothing 1, the given pixel size (µm), denoising sigma (px) and polarity */
PetscErrorCode ImageFrameSpec(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal pixel_size, PetscReal sigma, PetscBool invert, MeshRaster *image, ImageSpec *spec);
PetscErrorCode ImageSegmentationDestroy(ImageSegmentation *seg);

/* A closed polygon, n points (x, y) without repeating the first; counter-clockwise in (x, y) */
typedef struct {
  PetscInt   n;
  PetscReal *xy;
  PetscInt   loops; /* loops marching squares found (1 for a well-formed mask) */
} ImagePolygon;

PetscErrorCode ImageOutlineTrace(const ImageSegmentation *seg, ImagePolygon *poly);
PetscErrorCode ImagePolygonResample(const ImagePolygon *in, PetscReal spacing, PetscInt minimum, ImagePolygon *out);
PetscErrorCode ImagePolygonSmooth(ImagePolygon *poly, PetscReal sigma);
PetscErrorCode ImagePolygonReverse(ImagePolygon *poly);
PetscErrorCode ImagePolygonSelfIntersects(const ImagePolygon *poly, PetscBool *crosses);
PetscErrorCode ImagePolygonDestroy(ImagePolygon *poly);
PetscErrorCode ImagePolygonMeasure(const ImagePolygon *poly, PetscReal *area, PetscReal *perimeter, PetscReal centroid[2]);
/* Do two closed polygons cross, touch, or does one hold the other? */
PetscErrorCode ImagePolygonsMeet(const ImagePolygon *a, const ImagePolygon *b, PetscBool *meet);

/* The outline at the deblurred edge of a particle in an image blurred by a Gaussian PSF of
   spec->psf_sigma (mesh/deblur.c explains the method). In: seg, the particle found by
   ImageSegment (Otsu's or a given threshold); out: seg at the half level, outline (pixel units,
   counter-clockwise) and what was done. Values of smooth (the particle bright), pixels. */
typedef struct {
  PetscReal sigma;              /* blur of the traced image (PSF, denoising, pixel), pixels */
  PetscReal background, plateau; /* fitted levels of the smoothed image near the edge */
  PetscReal level;              /* halfway between them: the contour traced */
  PetscReal area_half, area;    /* of the half-level contour and of the outline, pixels² */
  PetscReal shift;              /* mean outward move from the one to the other, pixels */
  PetscReal offset;             /* of which the last least-squares fit of the size moved it, pixels */
  PetscInt  levels, iterations; /* level fits; outline iterations of the last */
  PetscReal residual;           /* largest |(G * χ)(c) − 1/2| left on the half-level contour */
} ImageDeblur;
/* others (nothers polygons, pixel units of image): the outlines of the particles near, whose blur
   reaches this one's edge and band; they are modelled with the same levels (NULL, 0: none) */
PetscErrorCode ImageOutlineDeblur(const MeshRaster *image, const ImageSpec *spec, ImageSegmentation *seg, PetscInt nothers, const ImagePolygon others[], ImagePolygon *outline, ImageDeblur *info);

/* The image (contrast-stretched, enlarged to about 900 pixels if small) with the mesh edges
   (triangles, µm) and the outline (µm) drawn over it, as PNG (mesh/image_preview.c) */
PetscErrorCode ImagePreviewWrite(const MeshRaster *image, const ImagePolygon *outline, PetscInt ntri, const PetscReal tri[], const PetscReal centroid[2], PetscReal pixel_size, const char path[]);

/* The image with every particle (ImageParticles) coloured: kept ones by their outline (µm) in a
   colour of their own, the mesh edges, and their number; left-out ones shaded (blue: border;
   magenta: too small) (mesh/image_preview.c) */
PetscErrorCode ImagePreviewWriteParticles(const MeshRaster *image, const ImageParticles *all, const ImagePolygon outline[], PetscInt ntri, const PetscReal tri[], PetscReal pixel_size, const char path[]);

/* Collective: rank 0 checks a Gmsh file (msh 2.2 or 4.1) as PETSc's reader will read it and as
   spot will use it, before PETSc sees it; every rank fails with one message naming where (the
   option or XML line that gave the path), the file and the line, or none does (mesh/msh_check.c) */
PetscErrorCode MeshCheckMshFile(MPI_Comm comm, const char path[], const char where[]);

#endif
