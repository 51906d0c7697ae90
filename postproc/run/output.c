/* Run outputs: timeseries.csv, fields.h5 + fields.xmf, the step log and the progress line.

   timeseries.csv has one row per accepted time step (and the initial state); units are in
   the column names. Snapshots of θ go to fields.h5 at the times of -out_times (interpolated
   within the time step by the integrator, so no step is shortened for output) and at the end
   of every protocol step when no times are given; fields.xmf (XDMF 3) describes them for
   ParaView and meshio (see WriteXDMF).
   Rank 0 writes every file, through files/files.h: under a unique temporary name until
   OutputFinish has completed all of them and renames them (all or nothing); OutputDiscard
   removes them after a failure. fields.h5 is a serial HDF5 file of the nodes, cells and θ
   gathered to rank 0, the same on any number of ranks (see FieldsGatherSetUp; no MPI-IO: its
   lock files and its failures on some ranks only are avoided). A failed write (a full disk) is
   noticed at the next time step on every rank at once and ends the run with one line. The CSV
   is flushed at least every 10 s so a long run can be watched. */
#include "postproc/run/runimpl.h"
#include "input/input.h"
#include "files/files.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* θ beyond its physical bounds by more than this is reported: the elements oscillate */
#define THETA_OSCILLATION 1e-3
#define OSCILLATION_HINT  "the elements oscillate next to a front thinner than the cells (a consistent mass does: P2, or P1 without mass lumping); refine the mesh there or use P1 with mass lumping"
/* ... and for P1 with a lumped mass, which oscillates only through its flux or its time steps */
#define OSCILLATION_HINT_LUMPED    "P1's stiffness couples vertices positively across obtuse angles (the vertex and gauss quadratures do, on tetrahedra above all); use the default kirchhoff quadrature, whose fluxes keep theta within its bounds"
#define OSCILLATION_HINT_MONOTONE  "the Kirchhoff flux keeps theta within its bounds on a Delaunay mesh, so look at the edges cut on the discretisation: line (a mesh far from Delaunay), or tighten -solver_rtol (long BDF2 steps can overshoot too)"

#define MAX_OUTPUT_TIMES 4096

struct _p_Output {
  Solver         solver;
  Observer       obs;
  MPI_Comm       comm;
  PetscMPIInt    rank;
  char           dir[PETSC_MAX_PATH_LEN], input[PETSC_MAX_PATH_LEN];
  char           csv_path[PETSC_MAX_PATH_LEN], h5_path[PETSC_MAX_PATH_LEN], xmf_path[PETSC_MAX_PATH_LEN], probe_path[PETSC_MAX_PATH_LEN];
  FileOut        csv, probe_csv, h5_file, xmf; /* rank 0 */
  Probe          probes;
  PetscInt       nprobes;
  PetscReal     *probe_values;
  FileH5         h5; /* rank 0: fields.h5, in h5_file's temporary */
  /* the nodes gathered to rank 0 for fields.h5 (the vertices; P2 also the edges): this rank's
     owned nodes (their offsets in the local θ vector), and on rank 0 every rank's counts and the
     node of each gathered value (see FieldsGatherSetUp) */
  PetscInt       degree, nown, *own_offset, nvert, nnodes, ncells;
  PetscMPIInt   *counts, *displs;
  PetscInt      *gathered_node;
  PetscReal     *own_values, *all_values;
  PetscReal     *theta_row; /* rank 0: θ in the nodes' order */
  PetscBool      failed; /* rank 0: a write failed (message) */
  char           message[PETSC_MAX_PATH_LEN + 256];
  PetscBool      fields, progress, tty, finished;
  PetscReal     *times;
  PetscInt       ntimes, next_time;
  PetscReal     *snap_times;
  PetscInt       nsnap, snap_cap;
  Vec            snapshot; /* θ at an output time between steps */
  PetscReal      t_prev;
  PetscLogDouble wall_start, last_progress, last_flush;
  PetscReal      theta0_max, theta0_min, overshoot, undershoot, max_inventory_error, max_cv_mismatch, run_min, run_max;
  PetscBool      only_delithiation; /* every step is a cc charge or a rest: the maximum principle bounds θ */
  PetscInt       nrows;
  PetscInt       progress_len;
  /* a population (N > 1): particles.csv and population.csv at the output times */
  PetscInt       nparticles, nbins;
  PetscReal      reacted_theta;
  char           particles_path[PETSC_MAX_PATH_LEN], population_path[PETSC_MAX_PATH_LEN];
  FileOut        particles_csv, population_csv; /* rank 0 */
  Diffraction    diffraction;                   /* the (003) peak at the output times, or NULL */
  char           diffraction_path[PETSC_MAX_PATH_LEN];
  FileOut        diffraction_csv;
  Profiles       profiles; /* θ along lines (profiles.csv), or NULL */
  PetscBool      profiles_every_step;
  char           profiles_path[PETSC_MAX_PATH_LEN];
  FileOut        profiles_csv;
  Summary        summary; /* summary.png: V, i and θ against t */
  PostprocFiles  figures; /* the figures, published with the other outputs */
  char           summary_path[PETSC_MAX_PATH_LEN];
  PetscReal     *pmean, *pcentre, *pperiphery, *psurface, *pcurrent, *ptheta_s, *pU_s, *pphi; /* [N] */
};

/* Run fn(o, ctx) on rank 0 with its errors caught: the first failure is kept in o->message
   (collective checks raise it on every rank) */
static PetscErrorCode OnRank0(Output o, PetscErrorCode (*fn)(Output, void *), void *ctx)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  if (o->rank || o->failed) PetscFunctionReturn(0);
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = (*fn)(o, ctx);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    const char *text;
    char       *specific = NULL;
    o->failed = PETSC_TRUE;
    PetscCall(PetscErrorMessage(ierr, &text, &specific));
    if (ierr == PETSC_ERR_FILE_WRITE && specific && specific[0]) PetscCall(PetscStrncpy(o->message, specific, sizeof(o->message)));
    else PetscCall(FileWriteFailure(o->h5 ? o->h5_path : o->csv_path, 0, o->message, sizeof(o->message)));
  }
  PetscFunctionReturn(0);
}

/* A write failed on rank 0 (or the CSV's stream failed): every rank stops with its line */
static PetscErrorCode CheckWrites(Output o)
{
  PetscFunctionBeginUser;
  if (o->rank == 0 && !o->failed) {
    FileOut   files[6] = {o->csv, o->probe_csv, o->particles_csv, o->population_csv, o->diffraction_csv, o->profiles_csv};
    PetscBool failed;
    for (int k = 0; k < 6 && !o->failed; ++k) {
      if (!files[k]) continue;
      PetscCall(FileOutFailed(files[k], &failed, o->message, sizeof(o->message)));
      o->failed = failed;
    }
  }
  PetscCall(InputCollectiveError(o->comm, o->failed, o->message));
  PetscFunctionReturn(0);
}

/* ---- the fields: θ at the nodes gathered to rank 0 ----

   The nodes are the vertices, and with P2 also the edge midpoints (a P2 edge dof is θ there), so
   that fields.h5 holds every dof and its cells are quadratic (Triangle_6, Tetrahedron_10). The
   file does not depend on the number of ranks, whose partition numbers the vertices: rank 0 orders
   the vertices by their coordinates (x, then y, then z), the edges by their two vertices, and the
   cells by their vertices, each cell's vertices ascending but for a swap of the last two that makes
   its orientation positive (a positive area or volume). */
typedef struct {
  PetscReal x[3];
  PetscInt  g; /* global vertex number */
} VertexKey;
typedef struct {
  PetscInt a, b; /* its vertices (ordered numbers), a < b */
  PetscInt k;    /* its index among the gathered edges */
} EdgeKey;
typedef struct {
  PetscInt v[10]; /* the vertices, then the edge midpoints (P2) */
} CellRow;

static int CompareVertices(const void *p, const void *q)
{
  const VertexKey *a = p, *b = q;
  for (int d = 0; d < 3; ++d)
    if (a->x[d] != b->x[d]) return a->x[d] < b->x[d] ? -1 : 1;
  return a->g < b->g ? -1 : (a->g > b->g); /* two vertices at one point: the partition orders them */
}

static int CompareEdges(const void *p, const void *q)
{
  const EdgeKey *a = p, *b = q;
  if (a->a != b->a) return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : (a->b > b->b);
}

static int CompareCells(const void *p, const void *q)
{
  const CellRow *a = p, *b = q;
  for (int i = 0; i < 4; ++i)
    if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
  return 0;
}

/* Twice the signed area of a triangle, or six times the signed volume of a tetrahedron */
static PetscReal SignedMeasure(const PetscReal *x, PetscInt dim, const PetscInt v[])
{
  PetscReal e[3][3] = {{0}};
  for (PetscInt i = 0; i < dim; ++i)
    for (PetscInt d = 0; d < dim; ++d) e[i][d] = x[v[i + 1] * dim + d] - x[v[0] * dim + d];
  if (dim == 2) return e[0][0] * e[1][1] - e[0][1] * e[1][0];
  return e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) - e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) + e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0]);
}

/* The edges of a Triangle_6 and a Tetrahedron_10 in XDMF's (and VTK's) order of their midpoints */
static const PetscInt TriangleEdges[3][2]    = {{0, 1}, {1, 2}, {2, 0}};
static const PetscInt TetrahedronEdges[6][2] = {{0, 1}, {1, 2}, {2, 0}, {0, 3}, {1, 3}, {2, 3}};

/* Every rank: its owned nodes (their offsets in the local θ vector); rank 0: the nodes' coordinates
   [nnodes][dim] and the cells [ncells][nodes per cell] in the order above, and for each gathered
   value its node */
static PetscErrorCode FieldsGatherSetUp(Output o, PetscReal **coords, PetscInt **cells)
{
  DM                 dm, cdm;
  PetscSection       section, gsection, csection;
  Vec                lcoords;
  IS                 vnum, cnum;
  const PetscInt    *vn, *cn;
  const PetscScalar *xc;
  PetscInt           dim, vStart, vEnd, eStart = 0, eEnd = 0, cStart, cEnd, nc = 0, corners, nv_own = 0, ne_own = 0, nedge = 0;
  PetscInt          *own_g, *own_edge, *own_cells;
  PetscReal         *own_x;
  PetscMPIInt        size, n, *vcounts = NULL, *vdispls = NULL, *ecounts = NULL, *edispls = NULL, *ccounts = NULL, *cdispls = NULL, *xcounts = NULL, *xdispls = NULL;
  PetscInt          *all_g = NULL, *all_edge = NULL, *all_cells = NULL;
  PetscReal         *all_x = NULL;

  PetscFunctionBeginUser;
  PetscCall(SolverGetDM(o->solver, &dm));
  PetscCall(SolverGetDegree(o->solver, &o->degree, NULL));
  PetscCallMPI(MPI_Comm_size(o->comm, &size));
  PetscCall(DMGetDimension(dm, &dim));
  corners = dim + 1;
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  if (o->degree == 2) PetscCall(DMPlexGetDepthStratum(dm, 1, &eStart, &eEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMGetLocalSection(dm, &section));
  PetscCall(DMGetGlobalSection(dm, &gsection));
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMGetLocalSection(cdm, &csection));
  PetscCall(DMGetCoordinatesLocal(dm, &lcoords));
  PetscCall(DMPlexGetVertexNumbering(dm, &vnum));
  PetscCall(DMPlexGetCellNumbering(dm, &cnum));
  PetscCall(ISGetIndices(vnum, &vn));
  PetscCall(ISGetIndices(cnum, &cn));
  PetscCall(VecGetArrayRead(lcoords, &xc));
  for (PetscInt v = vStart; v < vEnd; ++v) nv_own += vn[v - vStart] >= 0;
  for (PetscInt e = eStart; e < eEnd; ++e) { /* an edge with a dof that this rank owns */
    PetscInt dof, gdof;
    PetscCall(PetscSectionGetDof(section, e, &dof));
    PetscCall(PetscSectionGetDof(gsection, e, &gdof));
    ne_own += dof > 0 && gdof > 0;
  }
  o->nown = nv_own + ne_own;
  PetscCall(PetscMalloc1(o->nown + 1, &o->own_offset));
  PetscCall(PetscMalloc1(o->nown + 1, &o->own_values));
  PetscCall(PetscMalloc1(nv_own + 1, &own_g));
  PetscCall(PetscMalloc1(nv_own * dim + 1, &own_x));
  PetscCall(PetscMalloc1(2 * ne_own + 1, &own_edge));
  for (PetscInt v = vStart, k = 0; v < vEnd; ++v) {
    PetscInt off;
    if (vn[v - vStart] < 0) continue;
    PetscCall(PetscSectionGetOffset(section, v, &o->own_offset[k]));
    PetscCall(PetscSectionGetOffset(csection, v, &off));
    own_g[k] = vn[v - vStart];
    for (PetscInt d = 0; d < dim; ++d) own_x[k * dim + d] = PetscRealPart(xc[off + d]);
    ++k;
  }
  for (PetscInt e = eStart, k = 0; e < eEnd; ++e) {
    const PetscInt *cone;
    PetscInt        dof, gdof;
    PetscCall(PetscSectionGetDof(section, e, &dof));
    PetscCall(PetscSectionGetDof(gsection, e, &gdof));
    if (!(dof > 0 && gdof > 0)) continue;
    PetscCall(PetscSectionGetOffset(section, e, &o->own_offset[nv_own + k]));
    PetscCall(DMPlexGetCone(dm, e, &cone));
    for (PetscInt i = 0; i < 2; ++i) {
      const PetscInt g = vn[cone[i] - vStart];
      own_edge[2 * k + i] = g >= 0 ? g : -(g + 1);
    }
    ++k;
  }
  for (PetscInt c = cStart; c < cEnd; ++c) nc += cn[c - cStart] >= 0;
  PetscCall(PetscMalloc1(nc * corners + 1, &own_cells));
  nc = 0;
  for (PetscInt c = cStart; c < cEnd; ++c) {
    PetscInt *closure = NULL, ncl, m = 0;
    if (cn[c - cStart] < 0) continue;
    PetscCall(DMPlexGetTransitiveClosure(dm, c, PETSC_TRUE, &ncl, &closure));
    for (PetscInt i = 0; i < 2 * ncl; i += 2) {
      const PetscInt p = closure[i];
      if (p < vStart || p >= vEnd || m >= corners) continue;
      own_cells[nc * corners + m++] = vn[p - vStart] >= 0 ? vn[p - vStart] : -(vn[p - vStart] + 1);
    }
    PetscCall(DMPlexRestoreTransitiveClosure(dm, c, PETSC_TRUE, &ncl, &closure));
    ++nc;
  }
  PetscCall(VecRestoreArrayRead(lcoords, &xc));
  PetscCall(ISRestoreIndices(vnum, &vn));
  PetscCall(ISRestoreIndices(cnum, &cn));

  if (o->rank == 0) {
    PetscCall(PetscMalloc1(size, &o->counts));
    PetscCall(PetscMalloc1(size, &o->displs));
    PetscCall(PetscMalloc4(size, &vcounts, size, &vdispls, size, &ecounts, size, &edispls));
    PetscCall(PetscMalloc4(size, &ccounts, size, &cdispls, size, &xcounts, size, &xdispls));
  }
  n = (PetscMPIInt)nv_own;
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, vcounts, 1, MPI_INT, 0, o->comm));
  n = (PetscMPIInt)(2 * ne_own);
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, ecounts, 1, MPI_INT, 0, o->comm));
  n = (PetscMPIInt)(nc * corners);
  PetscCallMPI(MPI_Gather(&n, 1, MPI_INT, ccounts, 1, MPI_INT, 0, o->comm));
  if (o->rank == 0) {
    PetscInt nnodes = 0;
    o->nvert = o->ncells = 0;
    for (PetscMPIInt r = 0; r < size; ++r) {
      vdispls[r]   = (PetscMPIInt)o->nvert;
      edispls[r]   = (PetscMPIInt)(2 * nedge);
      cdispls[r]   = (PetscMPIInt)(o->ncells * corners);
      xcounts[r]   = vcounts[r] * (PetscMPIInt)dim;
      xdispls[r]   = vdispls[r] * (PetscMPIInt)dim;
      o->counts[r] = vcounts[r] + ecounts[r] / 2; /* θ: the rank's vertices, then its edges */
      o->displs[r] = (PetscMPIInt)nnodes;
      nnodes += o->counts[r];
      o->nvert += vcounts[r];
      nedge += ecounts[r] / 2;
      o->ncells += ccounts[r] / corners;
    }
    o->nnodes = nnodes;
    PetscCall(PetscMalloc1(o->nvert + 1, &all_g));
    PetscCall(PetscMalloc1(o->nvert * dim + 1, &all_x));
    PetscCall(PetscMalloc1(2 * nedge + 1, &all_edge));
    PetscCall(PetscMalloc1(o->ncells * corners + 1, &all_cells));
    PetscCall(PetscMalloc1(o->nnodes + 1, &o->all_values));
    PetscCall(PetscMalloc1(o->nnodes + 1, &o->theta_row));
  }
  PetscCallMPI(MPI_Gatherv(own_g, (PetscMPIInt)nv_own, MPIU_INT, all_g, vcounts, vdispls, MPIU_INT, 0, o->comm));
  PetscCallMPI(MPI_Gatherv(own_x, (PetscMPIInt)(nv_own * dim), MPIU_REAL, all_x, xcounts, xdispls, MPIU_REAL, 0, o->comm));
  PetscCallMPI(MPI_Gatherv(own_edge, (PetscMPIInt)(2 * ne_own), MPIU_INT, all_edge, ecounts, edispls, MPIU_INT, 0, o->comm));
  PetscCallMPI(MPI_Gatherv(own_cells, (PetscMPIInt)(nc * corners), MPIU_INT, all_cells, ccounts, cdispls, MPIU_INT, 0, o->comm));
  PetscCall(PetscFree(own_cells));
  PetscCall(PetscFree(own_edge));
  PetscCall(PetscFree(own_x));
  PetscCall(PetscFree(own_g));
  if (o->rank == 0) {
    VertexKey *key;
    EdgeKey   *edges;
    CellRow   *rows;
    PetscInt  *order, *edge_node, npe = o->degree == 2 ? (dim == 2 ? 6 : 10) : corners;
    PetscReal *x;

    /* the vertices by their coordinates: order[global number] is a vertex's place */
    PetscCall(PetscCalloc1(o->nvert + 1, &key));
    for (PetscInt k = 0; k < o->nvert; ++k) {
      key[k].g = all_g[k];
      for (PetscInt d = 0; d < dim; ++d) key[k].x[d] = all_x[k * dim + d];
    }
    qsort(key, (size_t)o->nvert, sizeof(*key), CompareVertices);
    PetscCall(PetscMalloc1(o->nvert + 1, &order));
    PetscCall(PetscMalloc1(o->nnodes * dim + 1, &x));
    for (PetscInt p = 0; p < o->nvert; ++p) {
      order[key[p].g] = p;
      for (PetscInt d = 0; d < dim; ++d) x[p * dim + d] = key[p].x[d];
    }
    /* the edges by their vertices; the midpoint of the p-th is node nvert + p */
    PetscCall(PetscMalloc1(nedge + 1, &edges));
    PetscCall(PetscMalloc1(nedge + 1, &edge_node));
    for (PetscInt j = 0; j < nedge; ++j) {
      const PetscInt a = order[all_edge[2 * j]], b = order[all_edge[2 * j + 1]];
      edges[j].a = PetscMin(a, b);
      edges[j].b = PetscMax(a, b);
      edges[j].k = j;
    }
    qsort(edges, (size_t)nedge, sizeof(*edges), CompareEdges);
    for (PetscInt p = 0; p < nedge; ++p) {
      edge_node[edges[p].k] = o->nvert + p;
      for (PetscInt d = 0; d < dim; ++d) x[(o->nvert + p) * dim + d] = 0.5 * (x[edges[p].a * dim + d] + x[edges[p].b * dim + d]);
    }
    /* the node of each gathered value */
    PetscCall(PetscMalloc1(o->nnodes + 1, &o->gathered_node));
    for (PetscMPIInt r = 0; r < size; ++r) {
      for (PetscInt i = 0; i < vcounts[r]; ++i) o->gathered_node[o->displs[r] + i] = order[all_g[vdispls[r] + i]];
      for (PetscInt j = 0; j < ecounts[r] / 2; ++j) o->gathered_node[o->displs[r] + vcounts[r] + j] = edge_node[edispls[r] / 2 + j];
    }
    /* the cells */
    PetscCall(PetscCalloc1(o->ncells + 1, &rows));
    for (PetscInt c = 0; c < o->ncells; ++c) {
      PetscInt *v = rows[c].v;
      for (PetscInt i = 0; i < corners; ++i) v[i] = order[all_cells[c * corners + i]];
      PetscCall(PetscSortInt(corners, v));
      if (SignedMeasure(x, dim, v) < 0) {
        const PetscInt tmp = v[dim - 1];
        v[dim - 1]         = v[dim];
        v[dim]             = tmp;
      }
      for (PetscInt i = 0; o->degree == 2 && i < npe - corners; ++i) {
        const PetscInt *pair = dim == 2 ? TriangleEdges[i] : TetrahedronEdges[i];
        EdgeKey         want = {PetscMin(v[pair[0]], v[pair[1]]), PetscMax(v[pair[0]], v[pair[1]]), 0};
        EdgeKey        *found = bsearch(&want, edges, (size_t)nedge, sizeof(*edges), CompareEdges);
        PetscCheck(found, PETSC_COMM_SELF, PETSC_ERR_PLIB, "fields.h5: a cell's edge %" PetscInt_FMT "-%" PetscInt_FMT " has no dof", want.a, want.b);
        v[corners + i] = o->nvert + (PetscInt)(found - edges);
      }
    }
    qsort(rows, (size_t)o->ncells, sizeof(*rows), CompareCells);
    PetscCall(PetscMalloc1(o->ncells * npe + 1, cells));
    for (PetscInt c = 0; c < o->ncells; ++c)
      for (PetscInt i = 0; i < npe; ++i) (*cells)[c * npe + i] = rows[c].v[i];
    *coords = x;
    PetscCall(PetscFree(rows));
    PetscCall(PetscFree(edge_node));
    PetscCall(PetscFree(edges));
    PetscCall(PetscFree(order));
    PetscCall(PetscFree(key));
    PetscCall(PetscFree(all_g));
    PetscCall(PetscFree(all_x));
    PetscCall(PetscFree(all_edge));
    PetscCall(PetscFree(all_cells));
    PetscCall(PetscFree4(vcounts, vdispls, ecounts, edispls));
    PetscCall(PetscFree4(ccounts, cdispls, xcounts, xdispls));
  }
  PetscFunctionReturn(0);
}
typedef struct {
  PetscReal *coords; /* rank 0: [nnodes][dim], see FieldsGatherSetUp */
  PetscInt  *cells;  /* rank 0: [ncells][nodes per cell] */
} FieldsGeometry;

/* The XDMF topology of the cells and their number of nodes */
static PetscErrorCode FieldsTopology(Output o, PetscInt dim, const char **topology, PetscInt *npe)
{
  PetscFunctionBeginUser;
  if (o->degree == 2) *topology = dim == 2 ? "Triangle_6" : "Tetrahedron_10";
  else *topology = dim == 2 ? "Triangle" : "Tetrahedron";
  *npe = o->degree == 2 ? (dim == 2 ? 6 : 10) : dim + 1;
  PetscFunctionReturn(0);
}

/* The dataset of snapshot i in fields.h5 */
static PetscErrorCode ThetaPath(PetscInt i, char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "/theta/%06" PetscInt_FMT, i));
  PetscFunctionReturn(0);
}

/* Rank 0: the temporaries of every output; fields.h5 gets the nodes and cells */
static PetscErrorCode OpenFiles(Output o, void *ctx)
{
  FieldsGeometry *g = (FieldsGeometry *)ctx;

  PetscFunctionBeginUser;
  PetscCall(FileOutCreate(o->csv_path, &o->csv));
  if (o->nprobes) {
    const PetscReal *pts;
    PetscInt         dim;
    PetscCall(FileOutCreate(o->probe_path, &o->probe_csv));
    PetscCall(ProbeGetPoints(o->probes, NULL, &dim, &pts));
    PetscCall(FileOutPrintf(o->probe_csv, "t_s"));
    for (PetscInt i = 0; i < o->nprobes; ++i) {
      PetscCall(FileOutPrintf(o->probe_csv, ",theta_at_x%g_y%g", (double)pts[i * dim], (double)pts[i * dim + 1]));
      if (dim == 3) PetscCall(FileOutPrintf(o->probe_csv, "_z%g", (double)pts[i * dim + 2]));
      PetscCall(FileOutPrintf(o->probe_csv, "_um"));
    }
    PetscCall(FileOutPrintf(o->probe_csv, "\n"));
  }
  if (o->profiles) {
    PetscCall(FileOutCreate(o->profiles_path, &o->profiles_csv));
    PetscCall(ProfilesWriteHeader(o->profiles, o->profiles_csv));
  }
  if (o->diffraction) {
    PetscCall(FileOutCreate(o->diffraction_path, &o->diffraction_csv));
    PetscCall(DiffractionWriteHeader(o->diffraction, o->diffraction_csv));
  }
  if (o->nparticles > 1) {
    PetscCall(FileOutCreate(o->particles_path, &o->particles_csv));
    const MeshInfo *info;
    PetscCall(SolverGetMeshInfo(o->solver, &info));
    PetscCall(FileOutPrintf(o->particles_csv, "t_s,particle,mean_theta,centre_mean_theta,periphery_mean_theta,surface_mean_theta,current_density_A_per_m2,current_share,potential_V,overpotential_V,alpha_factor,i0_factor,contact_resistance_ohm_m2,%s,%s\n", info->dim == 2 ? "area_um2" : "volume_um3", info->dim == 2 ? "active_perimeter_um" : "active_area_um2"));
    PetscCall(FileOutCreate(o->population_path, &o->population_csv));
    PetscCall(FileOutPrintf(o->population_csv, "t_s,particles,mean_theta,variance_of_particle_mean_theta,std_of_particle_mean_theta,min_particle_mean_theta,max_particle_mean_theta,reacted_fraction_theta_below_%g,reacted_volume_fraction_theta_below_%g", (double)o->reacted_theta, (double)o->reacted_theta));
    for (PetscInt b = 0; b < o->nbins; ++b) PetscCall(FileOutPrintf(o->population_csv, ",particles_theta_%.4g_%.4g", (double)b / o->nbins, (double)(b + 1) / o->nbins));
    PetscCall(FileOutPrintf(o->population_csv, "\n"));
  }
  if (o->fields) {
    PetscInt    dim, dims[2];
    DM          dm;
    const char *topology;
    char        text[256];
    PetscCall(SolverGetDM(o->solver, &dm));
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(FieldsTopology(o, dim, &topology, &dims[1]));
    PetscCall(FileOutCreate(o->h5_path, &o->h5_file));
    PetscCall(FileH5Create(o->h5_file, &o->h5));
    PetscCall(FileH5SetText(o->h5, "/", "description", "theta (Li site fraction c/c_max, 1 = lithiated) of a spot run at its output times; open fields.xmf (XDMF 3) in ParaView or with meshio"));
    dims[0] = o->ncells;
    PetscCall(FileH5WriteInts(o->h5, "/mesh/cells", 2, dims, g->cells, NULL));
    PetscCall(PetscSNPrintf(text, sizeof(text), "XDMF %s: the rows of /mesh/coordinates (from 0) of each cell's nodes, vertices first; positively oriented", topology));
    PetscCall(FileH5SetText(o->h5, "/mesh/cells", "description", text));
    dims[0] = o->nnodes;
    dims[1] = dim;
    PetscCall(FileH5WriteReals(o->h5, "/mesh/coordinates", 2, dims, g->coords, "um"));
    PetscCall(FileH5SetText(o->h5, "/mesh/coordinates", "description", o->degree == 2 ? "x, y[, z] of each node: the vertices, then the edge midpoints (P2)" : "x, y[, z] of each node: the vertices (P1)"));
    PetscCall(FileH5Flush(o->h5));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode OutputCreate(Solver s, const char directory[], const char input_name[], Output *out)
{
  Output    o;
  PetscBool set;
  DM        dm;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&o));
  o->solver = s;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &o->comm));
  PetscCallMPI(MPI_Comm_rank(o->comm, &o->rank));
  PetscCall(PetscStrncpy(o->dir, directory, sizeof(o->dir)));
  PetscCall(PetscStrncpy(o->input, input_name ? input_name : "", sizeof(o->input)));
  o->fields            = PETSC_TRUE;
  o->progress          = PETSC_TRUE;
  o->only_delithiation = PETSC_TRUE;
  o->run_min           = PETSC_MAX_REAL;
  o->run_max           = PETSC_MIN_REAL;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_fields", &o->fields, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_progress", &o->progress, NULL));
  o->tty = isatty(fileno(stderr)) ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscMalloc1(MAX_OUTPUT_TIMES, &o->times));
  o->ntimes = MAX_OUTPUT_TIMES;
  PetscCall(InputGetQuantityArray("-out_times", UNIT_TIME, o->times, &o->ntimes, &set));
  for (PetscInt i = 1; i < o->ntimes; ++i) {
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-out_times", where, sizeof(where)));
    PetscCheck(o->times[i] > o->times[i - 1], o->comm, PETSC_ERR_USER_INPUT, "%s: output times must increase, but %g s follows %g s", where, (double)o->times[i], (double)o->times[i - 1]);
  }
  PetscCall(ObserverCreate(s, &o->obs));
  PetscCall(ObserverView(o->obs, PETSC_VIEWER_STDOUT_(o->comm)));
  { /* point probes: x1,y1[,z1],x2,... (µm) */
    PetscReal pts[3 * 64];
    PetscInt  n = 3 * 64, dim;
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(InputGetQuantityArray("-out_probes", UNIT_LENGTH, pts, &n, &set));
    if (set) {
      char where[PETSC_MAX_PATH_LEN];
      PetscCall(InputOptionWhere("-out_probes", where, sizeof(where)));
      PetscCheck(n % dim == 0 && n > 0, o->comm, PETSC_ERR_USER_INPUT, "%s: probes need %" PetscInt_FMT " coordinates each, got %" PetscInt_FMT " numbers", where, dim, n);
      o->nprobes = n / dim;
      PetscCall(PetscMalloc1(o->nprobes, &o->probe_values));
      {
        PetscBool *found;
        PetscCall(PetscMalloc1(o->nprobes, &found));
        PetscCall(ProbeCreate(dm, o->nprobes, pts, found, &o->probes));
        for (PetscInt i = 0; i < o->nprobes; ++i) {
          char at[96];
          if (dim == 2) PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g)", (double)pts[i * dim], (double)pts[i * dim + 1]));
          else PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g, %g)", (double)pts[i * dim], (double)pts[i * dim + 1], (double)pts[i * dim + 2]));
          PetscCheck(found[i], o->comm, PETSC_ERR_USER_INPUT, "%s: probe %" PetscInt_FMT " at %s um lies outside the particle", where, i + 1, at);
        }
        PetscCall(PetscFree(found));
      }
    }
  }

  PetscCall(PetscSNPrintf(o->csv_path, sizeof(o->csv_path), "%s/timeseries.csv", o->dir));
  PetscCall(PetscSNPrintf(o->h5_path, sizeof(o->h5_path), "%s/fields.h5", o->dir));
  PetscCall(PetscSNPrintf(o->xmf_path, sizeof(o->xmf_path), "%s/fields.xmf", o->dir));
  PetscCall(PetscSNPrintf(o->probe_path, sizeof(o->probe_path), "%s/probes.csv", o->dir));
  PetscCall(PetscSNPrintf(o->particles_path, sizeof(o->particles_path), "%s/particles.csv", o->dir));
  PetscCall(PetscSNPrintf(o->population_path, sizeof(o->population_path), "%s/population.csv", o->dir));
  PetscCall(PetscSNPrintf(o->diffraction_path, sizeof(o->diffraction_path), "%s/diffraction.csv", o->dir));
  PetscCall(PetscSNPrintf(o->profiles_path, sizeof(o->profiles_path), "%s/profiles.csv", o->dir));
  PetscCall(ProfilesCreate(s, &o->profiles));
  PetscCall(PetscSNPrintf(o->summary_path, sizeof(o->summary_path), "%s/summary.png", o->dir));
  PetscCall(SummaryCreate(&o->summary));
  PetscCall(PostprocFilesCreate(o->comm, &o->figures));
  PetscCall(ProfilesView(o->profiles, PETSC_VIEWER_STDOUT_(o->comm)));
  PetscCall(ProfilesEveryStep(o->profiles, &o->profiles_every_step));
  PetscCall(DiffractionCreate(s, &o->diffraction));
  PetscCall(DiffractionView(o->diffraction, PETSC_VIEWER_STDOUT_(o->comm)));
  { /* a population */
    const SolverParticles *p;
    char                   where[PETSC_MAX_PATH_LEN];
    PetscBool              bins_set;
    PetscCall(SolverGetParticles(s, &p));
    o->nparticles    = p->n;
    o->nbins         = 20;
    o->reacted_theta = 0.5;
    PetscCall(PetscOptionsGetInt(NULL, NULL, "-out_histogram_bins", &o->nbins, &bins_set));
    PetscCall(InputOptionWhere("-out_histogram_bins", where, sizeof(where)));
    PetscCheck(o->nbins >= 1 && o->nbins <= 1000, o->comm, PETSC_ERR_USER_INPUT, "%s: the histogram of particle mean theta takes 1 to 1000 bins, got %" PetscInt_FMT, where, o->nbins);
    PetscCall(InputGetQuantity("-out_reacted_theta", UNIT_NONE, &o->reacted_theta, NULL));
    PetscCall(InputOptionWhere("-out_reacted_theta", where, sizeof(where)));
    PetscCheck(o->reacted_theta > 0 && o->reacted_theta < 1, o->comm, PETSC_ERR_USER_INPUT, "%s: the mean theta below which a particle counts as reacted must lie in (0, 1), got %g", where, (double)o->reacted_theta);
    PetscCall(PetscMalloc7(p->n, &o->pmean, p->n, &o->pcentre, p->n, &o->pperiphery, p->n, &o->psurface, p->n, &o->pcurrent, p->n, &o->ptheta_s, p->n, &o->pU_s));
    PetscCall(PetscMalloc1(p->n, &o->pphi));
  }
  { /* the files, on rank 0; a failure there fails every rank */
    FieldsGeometry g = {NULL, NULL};
    if (o->fields) PetscCall(FieldsGatherSetUp(o, &g.coords, &g.cells));
    PetscErrorCode ierr;
    PetscCall(OnRank0(o, OpenFiles, &g));
    PetscCall(PetscFree(g.coords));
    PetscCall(PetscFree(g.cells));
    ierr = InputCollectiveError(o->comm, o->failed, o->message);
    if (ierr) PetscCall(OutputDestroy(&o)); /* its temporaries go too */
    PetscCall(ierr);
  }
  PetscCall(SolverGetSolution(s, &o->snapshot));
  PetscCall(VecDuplicate(o->snapshot, &o->snapshot)); /* θ at output times between steps */
  PetscCall(PetscObjectSetName((PetscObject)o->snapshot, "theta"));
  PetscCall(PetscTime(&o->wall_start));
  o->last_flush = o->last_progress = o->wall_start;
  *out          = o;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteHeader(Output o)
{
  PetscFunctionBeginUser;
  if (o->rank || !o->csv) PetscFunctionReturn(0);
  PetscCall(FileOutPrintf(o->csv, "t_s,step,cycle,step_type,voltage_V,cell_voltage_V,current_density_A_per_m2,current_A,c_rate_1_per_h,mean_theta,centroid_theta,centre_mean_theta,periphery_mean_theta,surface_mean_theta,min_theta,max_theta,inventory_error,dt_s\n"));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteRow(Output o, const SolverState *st, const Observables *v)
{
  const StepSpec *step = st->step;
  PetscLogDouble  now;

  PetscFunctionBeginUser;
  ++o->nrows;
  if (o->rank || !o->csv) PetscFunctionReturn(0);
  {
    const PetscReal row[7] = {st->t, st->voltage, st->current_density, v->mean, v->centre, v->periphery, v->surface};
    PetscCall(SummaryAddRow(o->summary, row));
  }
  PetscCall(FileOutPrintf(o->csv, "%.12g,%" PetscInt_FMT ",%" PetscInt_FMT ",%s,%.12g,%.12g,%.10g,%.10g,%.10g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.6e,%.6g\n", (double)st->t, step->index + 1, step->cycle, StepTypes[step->type], (double)st->voltage, (double)st->cell_voltage, (double)st->current_density, (double)st->current, (double)st->c_rate, (double)v->mean, (double)v->centroid, (double)v->centre, (double)v->periphery, (double)v->surface, (double)v->min, (double)v->max, (double)st->inventory_error, (double)st->dt));
  PetscCall(PetscTime(&now));
  if (now - o->last_flush > 10) {
    PetscCall(FileOutFlush(o->csv));
    o->last_flush = now;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteProbes(Output o, PetscReal t, Vec theta)
{
  PetscFunctionBeginUser;
  if (!o->nprobes) PetscFunctionReturn(0);
  PetscCall(ProbeEvaluate(o->probes, theta, o->probe_values));
  if (o->rank || !o->probe_csv) PetscFunctionReturn(0);
  PetscCall(FileOutPrintf(o->probe_csv, "%.12g", (double)t));
  for (PetscInt i = 0; i < o->nprobes; ++i) PetscCall(FileOutPrintf(o->probe_csv, ",%.12g", (double)o->probe_values[i]));
  PetscCall(FileOutPrintf(o->probe_csv, "\n"));
  PetscFunctionReturn(0);
}

/* Rank 0: θ gathered to rank 0 becomes /theta/<snapshot number>, its time the next row of /time */
static PetscErrorCode WriteTheta(Output o, void *ctx)
{
  PetscReal t = *(PetscReal *)ctx;
  char      path[64];

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < o->nnodes; ++k) o->theta_row[o->gathered_node[k]] = o->all_values[k];
  PetscCall(ThetaPath(o->nsnap, path, sizeof(path)));
  PetscCall(FileH5WriteReals(o->h5, path, 1, &o->nnodes, o->theta_row, "1"));
  PetscCall(FileH5SetText(o->h5, path, "description", "theta = c/c_max, the Li site fraction (1 = lithiated), at each node of /mesh/coordinates"));
  PetscCall(FileH5SetRealOf(o->h5, path, "t_s", t));
  PetscCall(FileH5WriteRow(o->h5, "/time", o->nsnap, 1, &t, "s"));
  PetscCall(FileH5Flush(o->h5)); /* a full disk shows now, not at the end */
  PetscFunctionReturn(0);
}

/* Everything written at an output time: the θ snapshot and the probes */
static PetscErrorCode WriteParticleRows(Output o, void *ctx)
{
  const PetscReal        t = *(PetscReal *)ctx;
  const SolverParticles *p;
  const PetscReal       *vol;
  PetscReal              total = 0, vtot = 0, mean = 0, var = 0, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, reacted = 0, reacted_vol = 0;
  PetscInt              *hist;

  PetscFunctionBeginUser;
  PetscCall(SolverGetParticles(o->solver, &p));
  PetscCall(ObserverGetParticleVolumes(o->obs, &vol));
  {
    PetscReal magnitude = 0;
    for (PetscInt k = 0; k < p->n; ++k) {
      total += o->pcurrent[k] * p->area[k];
      magnitude += PetscAbsReal(o->pcurrent[k] * p->area[k]);
    }
    if (!(PetscAbsReal(total) > 1e-9 * magnitude)) total = NAN; /* no net current (a rest): no shares */
  }
  for (PetscInt k = 0; k < p->n; ++k) {
    const PetscReal share = o->pcurrent[k] * p->area[k] / total;
    PetscCall(FileOutPrintf(o->particles_csv, "%.12g,%" PetscInt_FMT ",%.12g,%.12g,%.12g,%.12g,%.10g,%.10g,%.10g,%.8g,%.8g,%.8g,%.6g,%.10g,%.10g\n", (double)t, k + 1, (double)o->pmean[k], (double)o->pcentre[k], (double)o->pperiphery[k], (double)o->psurface[k], (double)o->pcurrent[k], (double)share, (double)o->pphi[k], (double)(o->pphi[k] - o->pU_s[k]), (double)p->alpha[k], (double)p->i0_scale[k], (double)p->contact_resistance[k], (double)vol[k], (double)p->area[k]));
  }
  /* the population: volume-weighted mean and variance of the particle means, counts per bin */
  PetscCall(PetscCalloc1(o->nbins, &hist));
  for (PetscInt k = 0; k < p->n; ++k) {
    const PetscReal m = o->pmean[k];
    vtot += vol[k];
    mean += vol[k] * m;
    lo = PetscMin(lo, m);
    hi = PetscMax(hi, m);
    if (m < o->reacted_theta) {
      reacted += 1;
      reacted_vol += vol[k];
    }
    hist[PetscMax(0, PetscMin(o->nbins - 1, (PetscInt)PetscFloorReal(m * o->nbins + 1e-9)))]++; /* a mean at a bin edge to round-off goes up */
  }
  mean /= vtot;
  for (PetscInt k = 0; k < p->n; ++k) var += vol[k] * PetscSqr(o->pmean[k] - mean);
  var /= vtot;
  PetscCall(FileOutPrintf(o->population_csv, "%.12g,%" PetscInt_FMT ",%.12g,%.8e,%.8e,%.12g,%.12g,%.8g,%.8g", (double)t, p->n, (double)mean, (double)var, (double)PetscSqrtReal(var), (double)lo, (double)hi, (double)(reacted / p->n), (double)(reacted_vol / vtot)));
  for (PetscInt b = 0; b < o->nbins; ++b) PetscCall(FileOutPrintf(o->population_csv, ",%" PetscInt_FMT, hist[b]));
  PetscCall(FileOutPrintf(o->population_csv, "\n"));
  PetscCall(PetscFree(hist));
  PetscFunctionReturn(0);
}

/* particles.csv and population.csv at time t (a population only) */
static PetscErrorCode WriteParticles(Output o, PetscReal t, Vec theta)
{
  PetscFunctionBeginUser;
  if (o->nparticles < 2) PetscFunctionReturn(0);
  PetscCall(ObserverComputeParticles(o->obs, theta, o->pmean, o->pcentre, o->pperiphery, o->psurface));
  PetscCall(SolverParticleElectrochemistry(o->solver, theta, o->pcurrent, o->ptheta_s, o->pU_s, o->pphi));
  PetscCall(OnRank0(o, WriteParticleRows, &t));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteDiffraction(Output o, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(DiffractionWriteRows(o->diffraction, *(PetscReal *)ctx, o->diffraction_csv));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteProfileRows(Output o, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(ProfilesWriteRows(o->profiles, *(PetscReal *)ctx, o->profiles_csv));
  PetscFunctionReturn(0);
}

/* θ along the profiles at time t */
static PetscErrorCode WriteProfiles(Output o, PetscReal t, Vec theta)
{
  PetscFunctionBeginUser;
  if (!o->profiles) PetscFunctionReturn(0);
  PetscCall(ProfilesCompute(o->profiles, theta));
  PetscCall(OnRank0(o, WriteProfileRows, &t));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteSnapshot(Output o, PetscReal t, Vec theta)
{
  DM                 dm;
  Vec                loc;
  const PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(WriteProbes(o, t, theta));
  if (!o->profiles_every_step) PetscCall(WriteProfiles(o, t, theta));
  PetscCall(WriteParticles(o, t, theta));
  if (o->diffraction) {
    PetscCall(DiffractionCompute(o->diffraction, theta));
    PetscCall(OnRank0(o, WriteDiffraction, &t));
  }
  if (!o->fields) PetscFunctionReturn(0);
  PetscCall(SolverGetDM(o->solver, &dm));
  PetscCall(DMGetLocalVector(dm, &loc));
  PetscCall(DMGlobalToLocal(dm, theta, INSERT_VALUES, loc));
  PetscCall(VecGetArrayRead(loc, &a));
  for (PetscInt k = 0; k < o->nown; ++k) o->own_values[k] = PetscRealPart(a[o->own_offset[k]]);
  PetscCall(VecRestoreArrayRead(loc, &a));
  PetscCall(DMRestoreLocalVector(dm, &loc));
  PetscCallMPI(MPI_Gatherv(o->own_values, (PetscMPIInt)o->nown, MPIU_REAL, o->all_values, o->counts, o->displs, MPIU_REAL, 0, o->comm));
  PetscCall(OnRank0(o, WriteTheta, &t));
  if (o->nsnap == o->snap_cap) {
    PetscReal *more;
    o->snap_cap = o->snap_cap ? 2 * o->snap_cap : 64;
    PetscCall(PetscMalloc1(o->snap_cap, &more));
    if (o->nsnap) PetscCall(PetscArraycpy(more, o->snap_times, o->nsnap));
    PetscCall(PetscFree(o->snap_times));
    o->snap_times = more;
  }
  o->snap_times[o->nsnap++] = t;
  PetscFunctionReturn(0);
}

/* Snapshots at every requested time in (t_prev, t], interpolated by the integrator */
static PetscErrorCode WriteDueSnapshots(Output o, PetscReal t, Vec theta)
{
  TS ts;

  PetscFunctionBeginUser;
  PetscCall(SolverGetTS(o->solver, &ts));
  while (o->next_time < o->ntimes && o->times[o->next_time] <= t * (1 + 1e-12)) {
    const PetscReal tout = o->times[o->next_time++];
    if (PetscAbsReal(tout - t) <= 1e-12 * PetscMax(1, PetscAbsReal(t))) PetscCall(WriteSnapshot(o, t, theta));
    else {
      PetscCall(TSInterpolate(ts, tout, o->snapshot));
      PetscCall(WriteSnapshot(o, tout, o->snapshot));
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FormatDuration(PetscReal seconds, char buf[], size_t len)
{
  PetscFunctionBeginUser;
  if (seconds < 120) PetscCall(PetscSNPrintf(buf, len, "%.3g s", (double)seconds));
  else if (seconds < 7200) PetscCall(PetscSNPrintf(buf, len, "%.4g min", (double)(seconds / 60)));
  else PetscCall(PetscSNPrintf(buf, len, "%.4g h", (double)(seconds / 3600)));
  PetscFunctionReturn(0);
}

static PetscErrorCode ShowProgress(Output o, const SolverState *st, PetscBool final)
{
  PetscLogDouble now;
  char           line[256], tbuf[32], eta[32] = "?";

  PetscFunctionBeginUser;
  if (!o->progress || o->rank || FileSignalReceived()) PetscFunctionReturn(0); /* see LogStepEnd */
  PetscCall(PetscTime(&now));
  if (!final && now - o->last_progress < (o->tty ? 0.25 : 30)) PetscFunctionReturn(0);
  o->last_progress = now;
  if (st->progress > 1e-3) PetscCall(FormatDuration((now - o->wall_start) * (1 - st->progress) / st->progress, eta, sizeof(eta)));
  PetscCall(FormatDuration(st->t, tbuf, sizeof(tbuf)));
  PetscCall(PetscSNPrintf(line, sizeof(line), "step %" PetscInt_FMT "/%" PetscInt_FMT " %s, t = %s, mean theta %.4f, V %.4f, %3.0f%% of the protocol, ETA %s", st->step->index + 1, st->nsteps, st->step->name, tbuf, (double)st->mean_theta, (double)st->cell_voltage, (double)(100 * st->progress), final ? "0 s" : eta));
  if (o->tty) {
    fprintf(stderr, "\r%-*s", (int)PetscMax(o->progress_len, (PetscInt)strlen(line)), line);
    o->progress_len = (PetscInt)strlen(line);
    if (final) fprintf(stderr, "\n");
  } else fprintf(stderr, "%s\n", line);
  fflush(stderr);
  PetscFunctionReturn(0);
}

static PetscErrorCode ClearProgress(Output o)
{
  PetscFunctionBeginUser;
  if (o->progress && o->tty && o->rank == 0 && o->progress_len) {
    fprintf(stderr, "\r%*s\r", (int)o->progress_len, "");
    o->progress_len = 0;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LogStepEnd(Output o, const SolverState *st, const Observables *v)
{
  char when[32];
  static const char *const why[] = {"-", "its duration", "its mean-theta cut-off", "theta reaching 0 or 1", "its voltage cut-off", "its current cut-off", "its capacity cut-off", "its dV/dt cut-off"};

  PetscFunctionBeginUser;
  /* once interrupted, nothing more on the terminal until the run has stopped: under mpirun, which
     stops forwarding the output when it passes a SIGTERM on, a full pipe would block rank 0 here */
  if (FileSignalReceived()) PetscFunctionReturn(0);
  PetscCall(ClearProgress(o));
  PetscCall(FormatDuration(st->t, when, sizeof(when)));
  PetscCall(PetscPrintf(o->comm, "step %" PetscInt_FMT "/%" PetscInt_FMT " %-14s ended by %s at t = %s (%.6g s): mean theta %.5f (step change %+.5f), centre %.5f, periphery %.5f, surface %.5f, V %.4f V, I %.4g A/m^2 (C-rate %.3g)\n", st->step->index + 1, st->nsteps, st->step->name, why[st->ended], when, (double)st->t, (double)v->mean, (double)-st->capacity_step, (double)v->centre, (double)v->periphery, (double)v->surface, (double)st->cell_voltage, (double)st->current_density, (double)st->c_rate));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Output      o = (Output)ctx;
  Observables v;
  Physics     phys;

  PetscFunctionBeginUser;
  PetscCall(ObserverCompute(o->obs, theta, &v));
  PetscCall(SolverGetPhysics(s, &phys));
  PetscCall(PhysicsCheckTableRange(phys, v.min, v.max));
  if (st->step->type == STEP_CV) o->max_cv_mismatch = PetscMax(o->max_cv_mismatch, PetscAbsReal(st->inventory_error));
  else o->max_inventory_error = PetscMax(o->max_inventory_error, PetscAbsReal(st->inventory_error));
  if (st->step->type == STEP_CV || st->step->theta_rate < 0) o->only_delithiation = PETSC_FALSE;
  o->run_min = PetscMin(o->run_min, v.min);
  o->run_max = PetscMax(o->run_max, v.max);
  switch (e) {
  case SOLVER_EVENT_INITIAL:
    o->theta0_max = v.max;
    o->theta0_min = v.min;
    PetscCall(WriteHeader(o));
    PetscCall(WriteRow(o, st, &v));
    if (o->profiles_every_step) PetscCall(WriteProfiles(o, st->t, theta));
    if (o->ntimes == 0 || o->times[0] <= st->t) PetscCall(WriteSnapshot(o, st->t, theta));
    while (o->next_time < o->ntimes && o->times[o->next_time] <= st->t * (1 + 1e-12)) o->next_time++; /* a restart starts later */
    break;
  case SOLVER_EVENT_TIMESTEP:
    PetscCall(WriteRow(o, st, &v));
    if (o->profiles_every_step) PetscCall(WriteProfiles(o, st->t, theta));
    PetscCall(WriteDueSnapshots(o, st->t, theta));
    PetscCall(ShowProgress(o, st, PETSC_FALSE));
    /* bounds: nothing above the initial maximum, nothing below the surface minimum (charge) */
    o->overshoot = PetscMax(o->overshoot, v.max - o->theta0_max);
    if (st->step->theta_rate > 0) o->undershoot = PetscMax(o->undershoot, v.surface_min - v.min); /* a charge empties the surface first */
    break;
  case SOLVER_EVENT_STEP_END:
    if (o->ntimes == 0) PetscCall(WriteSnapshot(o, st->t, theta));
    PetscCall(SummaryAddStepEnd(o->summary, st->t));
    PetscCall(LogStepEnd(o, st, &v));
    break;
  default:
    SETERRQ(o->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown solver event %d", (int)e);
  }
  PetscCall(CheckWrites(o)); /* a full disk stops every rank now, with one line */
  PetscFunctionReturn(0);
}

/* fields.xmf (rank 0): XDMF 3, read by ParaView's XDMF readers (the default XDMF3 one and the
   legacy one) and by meshio's TimeSeriesReader. A temporal collection of uniform grids, one per
   snapshot, each with its <Time> (s), the topology and geometry (every grid names the same two
   datasets: meshio takes the mesh from the first) and θ at the nodes, /theta/<i>. Every DataItem is
   a whole HDF5 dataset with its Format, NumberType, Precision and Dimensions (no references, no
   hyperslabs: meshio follows neither, and ParaView's XDMF3 reader wants a Format on each). */
static PetscErrorCode WriteXDMF(Output o, void *ctx)
{
  DM          dm;
  PetscInt    dim, npe;
  const char *topology;
  FileOut     f;

  PetscFunctionBeginUser;
  PetscCall(SolverGetDM(o->solver, &dm));
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(FieldsTopology(o, dim, &topology, &npe));
  PetscCall(FileOutCreate(o->xmf_path, &o->xmf));
  f = o->xmf;
  PetscCall(FileOutPrintf(f, "<?xml version=\"1.0\" ?>\n"));
  PetscCall(FileOutPrintf(f, "<!-- theta (Li site fraction c/c_max, 1 = lithiated) of a spot run, P%" PetscInt_FMT ": coordinates in um, time in s; the data are in fields.h5 -->\n", o->degree));
  PetscCall(FileOutPrintf(f, "<Xdmf Version=\"3.0\">\n <Domain Name=\"spot\">\n"));
  PetscCall(FileOutPrintf(f, "  <Grid Name=\"particle\" GridType=\"Collection\" CollectionType=\"Temporal\">\n"));
  for (PetscInt i = 0; i < o->nsnap; ++i) {
    char path[64];
    PetscCall(ThetaPath(i, path, sizeof(path)));
    PetscCall(FileOutPrintf(f, "   <Grid Name=\"particle\" GridType=\"Uniform\">\n"));
    PetscCall(FileOutPrintf(f, "    <Time Value=\"%.15g\"/>\n", (double)o->snap_times[i]));
    PetscCall(FileOutPrintf(f, "    <Topology TopologyType=\"%s\" NumberOfElements=\"%" PetscInt_FMT "\" NodesPerElement=\"%" PetscInt_FMT "\">\n", topology, o->ncells, npe));
    PetscCall(FileOutPrintf(f, "     <DataItem Format=\"HDF\" NumberType=\"Int\" Precision=\"%d\" Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT "\">fields.h5:/mesh/cells</DataItem>\n", (int)sizeof(PetscInt), o->ncells, npe));
    PetscCall(FileOutPrintf(f, "    </Topology>\n"));
    PetscCall(FileOutPrintf(f, "    <Geometry GeometryType=\"%s\">\n", dim == 2 ? "XY" : "XYZ"));
    PetscCall(FileOutPrintf(f, "     <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT "\">fields.h5:/mesh/coordinates</DataItem>\n", o->nnodes, dim));
    PetscCall(FileOutPrintf(f, "    </Geometry>\n"));
    PetscCall(FileOutPrintf(f, "    <Attribute Name=\"theta\" AttributeType=\"Scalar\" Center=\"Node\">\n"));
    PetscCall(FileOutPrintf(f, "     <DataItem Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"%" PetscInt_FMT "\">fields.h5:%s</DataItem>\n", o->nnodes, path));
    PetscCall(FileOutPrintf(f, "    </Attribute>\n   </Grid>\n"));
  }
  PetscCall(FileOutPrintf(f, "  </Grid>\n </Domain>\n</Xdmf>\n"));
  PetscFunctionReturn(0);
}

/* Rank 0: close fields.h5, write fields.xmf, then rename every file into place (all or nothing:
   nothing is renamed unless every file is complete) */
static PetscErrorCode FinishFiles(Output o, void *ctx)
{
  FileOut *files[8] = {&o->csv, &o->probe_csv, &o->h5_file, &o->xmf, &o->particles_csv, &o->population_csv, &o->diffraction_csv, &o->profiles_csv};

  PetscFunctionBeginUser;
  if (o->h5) PetscCall(FileH5Close(&o->h5));
  if (o->fields) PetscCall(WriteXDMF(o, NULL));
  for (int k = 0; k < 8; ++k)
    if (*files[k]) PetscCall(FileOutClose(*files[k]));
  for (int k = 0; k < 8; ++k)
    if (*files[k]) PetscCall(FileOutPublish(files[k]));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputFinish(Output o)
{
  PetscFunctionBeginUser;
  PetscCall(ClearProgress(o));
  PetscCall(SummaryWrite(o->summary, o->comm, o->figures, o->summary_path)); /* a temporary until published */
  if (o->profiles) {
    char path[PETSC_MAX_PATH_LEN];
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/profiles_kymograph.png", o->dir));
    PetscCall(ProfilesWriteFigure(o->profiles, o->comm, o->figures, path));
  }
  PetscCall(OnRank0(o, FinishFiles, NULL));
  PetscCall(InputCollectiveError(o->comm, o->failed, o->message));
  PetscCall(PostprocFilesPublish(o->figures));
  o->finished = PETSC_TRUE;
  {
    PetscLogDouble now;
    PetscInt       steps, rejected, newton, linear;
    char           buf[128];
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "; cv holds: the current integrated in time (trapezoid) matches the inventory change to %.2e", (double)o->max_cv_mismatch));
    PetscCall(PetscTime(&now));
    PetscCall(SolverGetStats(o->solver, &steps, &rejected, &newton, &linear));
    PetscCall(PetscPrintf(o->comm, "done in %.3g s wall: %" PetscInt_FMT " time steps (%" PetscInt_FMT " rejected), %" PetscInt_FMT " Newton and %" PetscInt_FMT " linear iterations\n", (double)(now - o->wall_start), steps, rejected, newton, linear));
    const char *hint = OSCILLATION_HINT; /* why θ would leave its bounds */
    {
      PetscBool monotone, lumped;
      PetscCall(SolverMonotoneFlux(o->solver, &monotone));
      PetscCall(SolverGetDegree(o->solver, NULL, &lumped));
      if (monotone) hint = OSCILLATION_HINT_MONOTONE;
      else if (lumped) hint = OSCILLATION_HINT_LUMPED;
    }
    if (o->only_delithiation) {
      PetscCall(PetscPrintf(o->comm, "checks: largest |inventory error| %.2e; theta above its initial maximum by at most %.2e, below the surface minimum by at most %.2e\n", (double)o->max_inventory_error, (double)o->overshoot, (double)o->undershoot));
      /* a delithiation cannot raise θ above its initial maximum */
      if (o->overshoot > THETA_OSCILLATION) PetscCall(PetscPrintf(o->comm, "warning: theta rose %.2e above its initial maximum: %s\n", (double)o->overshoot, hint));
    } else {
      PetscCall(PetscPrintf(o->comm, "checks: largest |inventory error| %.2e (cc and rest steps)%s; theta stayed in [%.6f, %.6f]\n", (double)o->max_inventory_error, o->max_cv_mismatch > 0 ? buf : "", (double)o->run_min, (double)o->run_max));
      if (o->run_min < -THETA_OSCILLATION || o->run_max > 1 + THETA_OSCILLATION) PetscCall(PetscPrintf(o->comm, "warning: theta left [0, 1]: %s\n", hint));
    }
    PetscCall(PetscPrintf(o->comm, "outputs: %s (%" PetscInt_FMT " rows)%s%s%s%s%s%s", o->csv_path, o->nrows, o->fields ? ", " : "", o->fields ? o->h5_path : "", o->fields ? " + " : "", o->fields ? o->xmf_path : "", o->nprobes ? ", " : "", o->nprobes ? o->probe_path : ""));
    if (o->nparticles > 1) PetscCall(PetscPrintf(o->comm, ", %s, %s", o->particles_path, o->population_path));
    if (o->diffraction) PetscCall(PetscPrintf(o->comm, ", %s", o->diffraction_path));
    if (o->profiles) PetscCall(PetscPrintf(o->comm, ", %s (and profiles_kymograph.png)", o->profiles_path));
    PetscCall(PetscPrintf(o->comm, ", %s", o->summary_path));
    PetscCall(PetscPrintf(o->comm, "\n"));
  }
  PetscFunctionReturn(0);
}

/* After a failure: close and remove every partial file */
PetscErrorCode OutputDiscard(Output o)
{
  PetscFunctionBeginUser;
  if (!o || o->finished) PetscFunctionReturn(0);
  PetscCall(ClearProgress(o));
  if (o->rank == 0) {
    if (o->h5) { /* closing may fail again on a full disk: the file goes anyway */
      PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
      (void)FileH5Close(&o->h5);
      PetscCall(PetscPopErrorHandler());
    }
    PetscCall(FileOutDiscard(&o->csv));
    PetscCall(FileOutDiscard(&o->probe_csv));
    PetscCall(FileOutDiscard(&o->h5_file));
    PetscCall(FileOutDiscard(&o->xmf));
    PetscCall(FileOutDiscard(&o->particles_csv));
    PetscCall(FileOutDiscard(&o->population_csv));
    PetscCall(FileOutDiscard(&o->diffraction_csv));
    PetscCall(FileOutDiscard(&o->profiles_csv));
  }
  PetscCall(PostprocFilesDestroy(&o->figures)); /* the figures' temporaries */
  o->finished = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode OutputDestroy(Output *o)
{
  PetscFunctionBeginUser;
  if (!*o) PetscFunctionReturn(0);
  PetscCall(OutputDiscard(*o));
  PetscCall(ObserverDestroy(&(*o)->obs));
  PetscCall(ProbeDestroy(&(*o)->probes));
  PetscCall(ProfilesDestroy(&(*o)->profiles));
  PetscCall(SummaryDestroy(&(*o)->summary));
  PetscCall(PostprocFilesDestroy(&(*o)->figures));
  PetscCall(PetscFree((*o)->probe_values));
  PetscCall(VecDestroy(&(*o)->snapshot));
  PetscCall(PetscFree((*o)->theta_row));
  PetscCall(PetscFree((*o)->own_offset));
  PetscCall(PetscFree((*o)->own_values));
  PetscCall(PetscFree((*o)->all_values));
  PetscCall(PetscFree((*o)->gathered_node));
  PetscCall(PetscFree((*o)->counts));
  PetscCall(PetscFree((*o)->displs));
  PetscCall(PetscFree((*o)->times));
  PetscCall(PetscFree((*o)->snap_times));
  PetscCall(PetscFree7((*o)->pmean, (*o)->pcentre, (*o)->pperiphery, (*o)->psurface, (*o)->pcurrent, (*o)->ptheta_s, (*o)->pU_s));
  PetscCall(PetscFree((*o)->pphi));
  PetscCall(DiffractionDestroy(&(*o)->diffraction));
  PetscCall(PetscFree(*o));
  PetscFunctionReturn(0);
}
