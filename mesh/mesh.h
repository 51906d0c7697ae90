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
     -mesh_cell_size h, -mesh_boundary_cell_size h_s, -mesh_boundary_layer w, -mesh_refine n,
     -mesh_structured (uniform transfinite mesh of a rectangle or box, for verification) */
#ifndef SPOT_MESH_H
#define SPOT_MESH_H

#include <petscdmplex.h>

#define MESH_SURFACE_LABEL "surface"

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

#endif
