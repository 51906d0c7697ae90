/* Lean assembly for P1 and P2 simplices: the same discretisation as the PetscFE path, without
   its generic machinery. With the vertex quadrature of solver.c (λ_qb = δ_qb), D and D' are
   evaluated once per vertex and shared by its cells.

   Per cell K (set up once): the local indices of its dofs in closure order, the physical basis
   gradients G_a = J⁻ᵀ ∇̂φ_a (P1: constant on K; P2: J⁻¹ is kept and G_a formed at each
   quadrature point), |K|, and the element's quadrature (λ_qa = φ_a(x̂_q), weights w_q
   normalised to sum 1), taken from the PetscFE itself, so results agree with
   DMPlexTSComputeIFunctionFEM to round-off.

     F_a  = Σ_K |K| Σ_q w_q D(θ_q) (G_a·K∇θ),                  θ_q = Σ_b λ_qb θ_b, ∇θ = Σ_b θ_b G_b
     J_ab = Σ_K |K| [ D̄ (G_a·K G_b) + (G_a·K∇θ) Σ_q w_q D'(θ_q) λ_qb ],   D̄ = Σ_q w_q D(θ_q)
   (surface terms and a lumped mass are added by the caller; D here is D_app = α D_GITT). P2 has G_a
   varying with x̂_q, so its sums over q run per point. Without lumping (P2, or P1 on request) the
   consistent mass M_ab = |K| Σ_q w_q φ_a φ_b, the same on every cell up to |K|, is added here
   (with the element's own quadrature, as PetscFE does; a consistent P1 mass has Gauss points):
     F_a += Σ_b M_ab θ_t,b,   J_ab += shift M_ab.
   D and D' at the quadrature
   points are computed once per state: the Jacobian at the state of the last residual reuses
   them (SNES evaluates F(u) then J(u)). The surface's Jacobian blocks come in from the caller
   and go in with the cells' ones: on one rank straight into the CSR values, on several through
   one MatSetValuesCOO on the matrix of LeanAssemblyCreateMatrix.

   Kirchhoff quadrature (-solver_quadrature kirchhoff): D∇θ = ∇Φ(θ) with Φ = α∫_1^θ D_GITT
   (physics/diffusivity.c), and Φ is interpolated in P1 from its vertex values:
     F_a  = Σ_K |K| G_a·K ∇Φ_h,   ∇Φ_h = Σ_b Φ(θ_b) G_b
     J_ab = Σ_K |K| (G_a·K G_b) Φ'(θ_b)
   Along an edge the flux is then the mean of D over the two vertices' θ interval rather than the
   mean of D at the two vertices; the two agree for a slowly varying D, but across a front where
   D changes a hundredfold within a cell the first keeps the front's speed and the second does not.
   It goes with either mass: lumped, or consistent (the element then has Gauss points, exact for
   M; they serve only the mass, since Φ lives at the vertices). With the lumped mass it is written
   along the edges, F_a = Σ_edges c_ab (Φ_a − Φ_b), with conductances c_ab ≥ 0 (SetUpConductances:
   P1's cotangent weights in 2-D, the Voronoi dual's in 3-D, negative sums cut), so that θ stays
   within its bounds; with the consistent mass the Galerkin form above is kept. */
#include "solver/solverimpl.h"
#include <petscsf.h>
#include <string.h>

#define MAXB 10 /* basis functions of a cell: up to P2 tetrahedra */
#define MAXQ 27 /* quadrature points: up to P2's rule on tetrahedra */

struct _p_LeanAssembly {
  PetscInt     dim, ncells, nq, nv; /* nv: dofs per cell (the vertices for P1) */
  PetscInt    *idx;  /* [ncells][nv] local dof indices */
  PetscReal   *grad; /* [ncells][nv][dim] (P1), or [ncells][dim][dim] J⁻¹ (P2) */
  PetscReal   *vol;  /* [ncells] */
  PetscReal    lambda[MAXQ][MAXB], w[MAXQ];
  PetscBool    quadratic;           /* P2: gradients vary within a cell, grad holds J⁻¹ */
  PetscReal    dphi[MAXQ][MAXB][3]; /* reference gradients ∇̂φ_b(x̂_q) (P2) */
  PetscBool    consistent;          /* the consistent mass is assembled here (no lumping) */
  PetscReal    mass[MAXB][MAXB];    /* Σ_q w_q φ_a φ_b: the element mass over |K| */
  PetscReal   *D, *dD;      /* [ncells][nq] at the cached state */
  PetscInt    *pos;         /* [nblocks][nv][nv] positions in the CSR values of a sequential matrix, or NULL */
  Mat          pos_mat;     /* the matrix pos refers to */
  PetscInt     nextra;      /* extra blocks (the surface's facets): their cells' dofs, values from the caller */
  PetscInt    *extra_idx;   /* [nextra][nv] */
  PetscScalar *coo;         /* [ncells + nextra][nv][nv] values for MatSetValuesCOO (several ranks) */
  Mat          coo_mat;     /* the matrix preallocated for them by LeanAssemblyCreateMatrix */
  PetscBool    vertex_rule; /* quadrature points at the vertices: D per vertex */
  PetscReal   *Dv, *dDv;    /* [local dofs] D and D' per vertex (vertex rule), or Φ and Φ' (Kirchhoff) */
  PetscReal   *kirchhoff;   /* the table of Φ_GITT (physics/diffusivity.c), or NULL */
  PetscScalar *cache_u;     /* the local θ the cached D, D' belong to */
  PetscInt     cache_n;
  PetscBool    cache_valid;
  PetscReal   *alpha_cell;  /* [ncells] the particle's α factor of each cell, or NULL (all 1) */
  PetscReal   *alpha_dof;   /* [local dofs] the same per dof (a dof lies in one particle) */
  PetscReal   *cond;        /* [ncells][edges] the Kirchhoff flux's share of each edge's conductance (um), or NULL */
  PetscInt     edges, clipped;  /* edges of the mesh, and those whose dual face was negative */
  PetscReal    clipped_share;   /* their conductance over the total of the positive ones */
};

/* The edges (a, b) of a triangle and of a tetrahedron, in closure order */
static const PetscInt EdgeEnds[2][6][2] = {
  {{0, 1}, {0, 2}, {1, 2}, {0, 0}, {0, 0}, {0, 0}},
  {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}
};

static inline void Sub3(const PetscReal a[], const PetscReal b[], PetscReal c[])
{
  for (PetscInt d = 0; d < 3; ++d) c[d] = a[d] - b[d];
}
static inline PetscReal Dot3(const PetscReal a[], const PetscReal b[])
{
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
static inline void Cross3(const PetscReal a[], const PetscReal b[], PetscReal c[])
{
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Circumcentre of the triangle (x0, x1, x2) in space: x0 + λ1 a + λ2 b with a, b its edges from x0 */
static void TriangleCircumcentre(const PetscReal x0[], const PetscReal x1[], const PetscReal x2[], PetscReal c[])
{
  PetscReal a[3], b[3];
  Sub3(x1, x0, a);
  Sub3(x2, x0, b);
  const PetscReal aa = Dot3(a, a), bb = Dot3(b, b), ab = Dot3(a, b), det = aa * bb - ab * ab;
  const PetscReal l1 = 0.5 * (aa * bb - ab * bb) / det, l2 = 0.5 * (aa * bb - ab * aa) / det;
  for (PetscInt d = 0; d < 3; ++d) c[d] = x0[d] + l1 * a[d] + l2 * b[d];
}

/* Circumcentre of the tetrahedron x[4]: |c - x0|² = |c - xb|², a 3×3 system solved by Cramer's rule */
static void TetrahedronCircumcentre(const PetscReal x[4][3], PetscReal c[])
{
  PetscReal e[3][3], r[3], n[3][3];
  for (PetscInt b = 0; b < 3; ++b) {
    Sub3(x[b + 1], x[0], e[b]);
    r[b] = 0.5 * Dot3(e[b], e[b]);
  }
  Cross3(e[1], e[2], n[0]);
  Cross3(e[2], e[0], n[1]);
  Cross3(e[0], e[1], n[2]);
  const PetscReal det = Dot3(e[0], n[0]);
  for (PetscInt d = 0; d < 3; ++d) c[d] = x[0][d] + (r[0] * n[0][d] + r[1] * n[1][d] + r[2] * n[2][d]) / det;
}

/* The share of tetrahedron x[4] in the conductance |σ_ab| / |x_b - x_a| of each edge: σ_ab is the
   edge's face of the circumcentric (Voronoi) dual, whose part in the cell is the quadrilateral
   from the edge's midpoint through the circumcentre of one face at the edge, the cell's
   circumcentre and that of the other face; signed (negative when the circumcentre lies beyond
   the edge's faces, in a cell that is not well-centred). Summed over the cells at an edge it is
   the area of the Voronoi facet between the two vertices, which a Delaunay mesh keeps positive. */
static void TetrahedronConductances(const PetscReal x[4][3], PetscReal cond[6])
{
  PetscReal cc[3];

  TetrahedronCircumcentre(x, cc);
  for (PetscInt e = 0; e < 6; ++e) {
    const PetscInt a = EdgeEnds[1][e][0], b = EdgeEnds[1][e][1];
    PetscInt       k = -1, l = -1;
    PetscReal      ek[3], el[3], edge[3], n[3], fk[3], fl[3], m[3], p[3], q[3], r[3], s1[3], s2[3];
    for (PetscInt v = 0; v < 4; ++v)
      if (v != a && v != b) {
        if (k < 0) k = v;
        else l = v;
      }
    Sub3(x[k], x[a], ek);
    Sub3(x[l], x[a], el);
    Sub3(x[b], x[a], edge);
    Cross3(ek, el, n);
    if (Dot3(n, edge) < 0) { /* order k, l to turn positively about the edge */
      const PetscInt t = k;
      k = l;
      l = t;
    }
    TriangleCircumcentre(x[a], x[b], x[k], fk);
    TriangleCircumcentre(x[a], x[b], x[l], fl);
    for (PetscInt d = 0; d < 3; ++d) m[d] = 0.5 * (x[a][d] + x[b][d]);
    Sub3(fk, m, p);
    Sub3(cc, m, q);
    Sub3(fl, m, r);
    Cross3(p, q, s1);
    Cross3(q, r, s2);
    for (PetscInt d = 0; d < 3; ++d) n[d] = 0.5 * (s1[d] + s2[d]); /* the quadrilateral's area vector */
    cond[e] = Dot3(n, edge) / Dot3(edge, edge);
  }
}

/* The Kirchhoff flux's conductances, per cell and edge. Triangles: -|K| G_a·G_b, half the
   cotangent of the angle facing the edge, which is the circumcentric dual's share too (P1's own
   stiffness). Tetrahedra: the circumcentric dual's shares (TetrahedronConductances), in the
   coordinates where K = diag(1, 1, ε) is isotropic (z/√ε), times √ε: P1's stiffness would keep
   positive off-diagonal entries on any unstructured tetrahedral mesh (a fifth of the edges of a
   Gmsh mesh), which lift θ past its bounds next to a front; the dual's conductances are positive
   on Delaunay meshes. An edge whose conductance, summed over all its cells on all ranks, is
   negative (a mesh that is not Delaunay there) is cut: its shares are set to zero, so that the
   flux between any two vertices runs from the higher Φ to the lower. */
static PetscErrorCode SetUpConductances(LeanAssembly a, DM dm, PetscReal eps)
{
  const PetscInt         nv = a->nv, ne = a->dim == 2 ? 3 : 6, nb = a->ncells * ne;
  const PetscReal        zscale = a->dim == 3 ? 1 / PetscSqrtReal(eps) : 1;
  ISLocalToGlobalMapping ltog;
  PetscInt              *ci, *cj, nloc, n, N, rStart, rEnd;
  const PetscInt        *gidx;
  PetscScalar           *vals;
  Vec                    coords, g;
  DM                     cdm;
  Mat                    C, *sub;
  IS                     rows, cols;
  MPI_Comm               comm;
  PetscReal              stats[4] = {0, 0, 0, 0}, gstats[4];
  PetscInt               cStart;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscMalloc1(nb + 1, &a->cond));
  PetscCall(DMGetLocalToGlobalMapping(dm, &ltog));
  PetscCall(ISLocalToGlobalMappingGetSize(ltog, &nloc));
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCall(DMGetCoordinateDM(dm, &cdm));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, NULL));
  for (PetscInt k = 0; k < a->ncells; ++k) {
    PetscReal *c = &a->cond[k * ne];
    if (a->dim == 2) {
      const PetscReal *G = &a->grad[k * nv * 2];
      for (PetscInt e = 0; e < ne; ++e) {
        const PetscInt i = EdgeEnds[0][e][0], j = EdgeEnds[0][e][1];
        c[e] = -a->vol[k] * (G[i * 2] * G[j * 2] + G[i * 2 + 1] * G[j * 2 + 1]);
      }
    } else {
      PetscScalar *xc = NULL;
      PetscInt     nx;
      PetscReal    x[4][3];
      PetscCall(DMPlexVecGetClosure(cdm, NULL, coords, cStart + k, &nx, &xc));
      PetscCheck(nx == 12, comm, PETSC_ERR_PLIB, "a tetrahedron with %" PetscInt_FMT " coordinates", nx);
      for (PetscInt v = 0; v < 4; ++v)
        for (PetscInt d = 0; d < 3; ++d) x[v][d] = PetscRealPart(xc[v * 3 + d]) * (d == 2 ? zscale : 1);
      PetscCall(DMPlexVecRestoreClosure(cdm, NULL, coords, cStart + k, &nx, &xc));
      TetrahedronConductances(x, c);
      for (PetscInt e = 0; e < ne; ++e) c[e] /= zscale; /* back to the physical volume: √ε */
    }
  }
  /* sum each edge over its cells on every rank: a matrix with both (a, b) and (b, a) */
  PetscCall(DMGetGlobalVector(dm, &g));
  PetscCall(VecGetLocalSize(g, &n));
  PetscCall(VecGetSize(g, &N));
  PetscCall(DMRestoreGlobalVector(dm, &g));
  PetscCall(MatCreate(comm, &C));
  PetscCall(MatSetSizes(C, n, n, N, N));
  PetscCall(MatSetType(C, MATAIJ));
  PetscCall(MatSetLocalToGlobalMapping(C, ltog, ltog));
  PetscCall(PetscMalloc3(2 * nb + 1, &ci, 2 * nb + 1, &cj, 2 * nb + 1, &vals));
  for (PetscInt k = 0; k < a->ncells; ++k)
    for (PetscInt e = 0; e < ne; ++e) {
      const PetscInt *ix = &a->idx[k * nv], i = ix[EdgeEnds[a->dim - 2][e][0]], j = ix[EdgeEnds[a->dim - 2][e][1]], p = 2 * (k * ne + e);
      ci[p]     = i;
      cj[p]     = j;
      ci[p + 1] = j;
      cj[p + 1] = i;
      vals[p] = vals[p + 1] = a->cond[k * ne + e];
    }
  PetscCall(MatSetPreallocationCOOLocal(C, (PetscCount)2 * nb, ci, cj));
  PetscCall(MatSetValuesCOO(C, vals, ADD_VALUES));
  PetscCall(PetscFree3(ci, cj, vals));
  /* the sums for the rows of this rank's local dofs (ghosts included) */
  PetscCall(ISLocalToGlobalMappingGetIndices(ltog, &gidx));
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nloc, gidx, PETSC_COPY_VALUES, &rows));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, N, 0, 1, &cols));
  PetscCall(MatCreateSubMatrices(C, 1, &rows, &cols, MAT_INITIAL_MATRIX, &sub));
  for (PetscInt k = 0; k < a->ncells; ++k)
    for (PetscInt e = 0; e < ne; ++e) {
      const PetscInt *ix = &a->idx[k * nv], i = ix[EdgeEnds[a->dim - 2][e][0]], j = gidx[ix[EdgeEnds[a->dim - 2][e][1]]];
      PetscScalar     sum;
      PetscCall(MatGetValues(sub[0], 1, &i, 1, &j, &sum));
      if (PetscRealPart(sum) < 0) a->cond[k * ne + e] = 0;
    }
  PetscCall(ISLocalToGlobalMappingRestoreIndices(ltog, &gidx));
  PetscCall(MatDestroySubMatrices(1, &sub));
  PetscCall(ISDestroy(&rows));
  PetscCall(ISDestroy(&cols));
  /* each edge counted once, by the owner of its first row: edges, cut ones, their conductance, the positive total */
  PetscCall(MatGetOwnershipRange(C, &rStart, &rEnd));
  for (PetscInt r = rStart; r < rEnd; ++r) {
    const PetscInt    *col;
    const PetscScalar *v;
    PetscInt           ncol;
    PetscCall(MatGetRow(C, r, &ncol, &col, &v));
    for (PetscInt t = 0; t < ncol; ++t) {
      const PetscReal w = PetscRealPart(v[t]);
      if (col[t] <= r) continue;
      stats[0] += 1;
      if (w < 0) {
        stats[1] += 1;
        stats[2] -= w;
      } else stats[3] += w;
    }
    PetscCall(MatRestoreRow(C, r, &ncol, &col, &v));
  }
  PetscCall(MatDestroy(&C));
  PetscCall(MPIU_Allreduce(stats, gstats, 4, MPIU_REAL, MPIU_SUM, comm));
  a->edges         = (PetscInt)gstats[0];
  a->clipped       = (PetscInt)gstats[1];
  a->clipped_share = gstats[3] > 0 ? gstats[2] / gstats[3] : 0;
  PetscFunctionReturn(0);
}

PetscErrorCode LeanAssemblyCreate(Solver s, LeanAssembly *out)
{
  LeanAssembly     a;
  PetscFE          fe;
  PetscQuadrature  quad;
  PetscTabulation  T;
  const PetscReal *qw;
  PetscSection     section;
  const SolverCells *cells;
  PetscInt         cStart, cEnd, Nb, Nq, dim;
  PetscReal        wsum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&a));
  PetscCall(DMGetDimension(s->dm, &dim));
  PetscCall(DMGetField(s->dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetQuadrature(fe, &quad));
  PetscCall(PetscQuadratureGetData(quad, NULL, NULL, &Nq, NULL, &qw));
  PetscCall(PetscFEGetCellTabulation(fe, 1, &T));
  Nb = T->Nb;
  PetscCheck(Nb <= MAXB && Nq <= MAXQ, s->comm, PETSC_ERR_SUP, "the lean assembly is for P1 and P2 simplices (%" PetscInt_FMT " basis functions, %" PetscInt_FMT " quadrature points)", Nb, Nq);
  a->dim        = dim;
  a->nq         = Nq;
  a->nv         = Nb;
  a->quadratic  = Nb > dim + 1 ? PETSC_TRUE : PETSC_FALSE;
  a->consistent = s->lumped ? PETSC_FALSE : PETSC_TRUE;
  for (PetscInt q = 0; q < Nq; ++q) wsum += qw[q];
  a->vertex_rule = Nq == Nb ? PETSC_TRUE : PETSC_FALSE;
  if (s->kirchhoff) PetscCall(PhysicsKirchhoffTable(s->phys, &a->kirchhoff));
  for (PetscInt q = 0; q < Nq; ++q) {
    a->w[q] = qw[q] / wsum;
    for (PetscInt b = 0; b < Nb; ++b) {
      a->lambda[q][b] = T->T[0][q * Nb + b];
      if (PetscAbsReal(a->lambda[q][b] - (q == b ? 1.0 : 0.0)) > 1e-12) a->vertex_rule = PETSC_FALSE;
      for (PetscInt e = 0; e < dim; ++e) a->dphi[q][b][e] = T->T[1][(q * Nb + b) * dim + e];
    }
  }
  for (PetscInt i = 0; i < Nb; ++i)
    for (PetscInt j = 0; j < Nb; ++j) {
      a->mass[i][j] = 0;
      for (PetscInt q = 0; q < Nq; ++q) a->mass[i][j] += a->w[q] * a->lambda[q][i] * a->lambda[q][j];
    }
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  a->ncells = cEnd - cStart;
  { /* D and D' per quadrature point are kept per cell only for Gauss rules: the vertex rule reads them, and the
       Kirchhoff flux Φ and Φ', per vertex */
    const PetscInt nDq = a->vertex_rule || a->kirchhoff ? 1 : a->ncells * Nq;
    PetscCall(PetscMalloc5(a->ncells * Nb, &a->idx, a->ncells * (a->quadratic ? dim : Nb) * dim, &a->grad, a->ncells, &a->vol, nDq, &a->D, nDq, &a->dD));
  }
  PetscCall(DMGetLocalSection(s->dm, &section));
  PetscCall(SolverCellsGet(s->dm, &cells));
  for (PetscInt c = cStart; c < cEnd; ++c) {
    const PetscInt k = c - cStart;
    PetscReal      v0[3], J[9], invJ[9], detJ;
    PetscInt       n, *ix = NULL;
    if (cells) { /* the table: no closure per cell */
      SolverCellAffine(cells, k, v0, J, invJ, &detJ);
      n  = cells->Nb;
      ix = &cells->idx[k * cells->Nb];
    } else {
      PetscCall(DMPlexComputeCellGeometryAffineFEM(s->dm, c, v0, J, invJ, &detJ));
      PetscCall(DMPlexGetClosureIndices(s->dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
    }
    PetscCheck(n == Nb, s->comm, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " has %" PetscInt_FMT " dofs, expected %" PetscInt_FMT, c, n, Nb);
    for (PetscInt b = 0; b < Nb; ++b) {
      a->idx[k * Nb + b] = ix[b];
      if (!a->quadratic)
        for (PetscInt d = 0; d < dim; ++d) { /* ∇φ_b = J⁻ᵀ ∇̂φ_b: (invJ)_{e d} ∂̂_e φ */
          PetscReal g = 0;
          for (PetscInt e = 0; e < dim; ++e) g += invJ[e * dim + d] * a->dphi[0][b][e];
          a->grad[(k * Nb + b) * dim + d] = g;
        }
    }
    if (a->quadratic) PetscCall(PetscArraycpy(&a->grad[k * dim * dim], invJ, dim * dim));
    if (!cells) PetscCall(DMPlexRestoreClosureIndices(s->dm, section, section, c, PETSC_TRUE, &n, &ix, NULL, NULL));
    a->vol[k] = PetscAbsReal(detJ) * (dim == 2 ? 2.0 : 4.0 / 3.0); /* the reference simplex in [-1,1]^d has volume 2 or 4/3 */
  }
  if (a->kirchhoff && !a->consistent) { /* along edges with a lumped mass (in 2-D the conductances are P1's own stiffness) */
    PetscInt           nc;
    const PetscScalar *constants;
    PetscCall(PhysicsGetConstants(s->phys, &nc, &constants));
    PetscCall(SetUpConductances(a, s->dm, PetscRealPart(constants[PHYS_EPS])));
  }
  *out = a;
  PetscFunctionReturn(0);
}

PetscErrorCode LeanAssemblyDestroy(LeanAssembly *a)
{
  PetscFunctionBeginUser;
  if (!*a) PetscFunctionReturn(0);
  PetscCall(PetscFree5((*a)->idx, (*a)->grad, (*a)->vol, (*a)->D, (*a)->dD));
  PetscCall(PetscFree((*a)->pos));
  PetscCall(PetscFree((*a)->extra_idx));
  PetscCall(PetscFree((*a)->coo));
  PetscCall(PetscFree((*a)->cache_u));
  PetscCall(PetscFree2((*a)->Dv, (*a)->dDv));
  PetscCall(PetscFree((*a)->kirchhoff));
  PetscCall(PetscFree((*a)->alpha_cell));
  PetscCall(PetscFree((*a)->alpha_dof));
  PetscCall(PetscFree((*a)->cond));
  PetscCall(PetscFree(*a));
  PetscFunctionReturn(0);
}

/* D_app and its derivative at every quadrature point for the local state u, skipped when the
   cache holds the same values (compared, not tracked: SNES copies states between vectors) */
static PetscErrorCode Evaluate(LeanAssembly a, const PetscScalar constants[], Vec locU, const PetscScalar *u)
{
  const PetscReal alpha = PetscRealPart(constants[PHYS_ALPHA]);
  const PetscInt  nv = a->nv, nq = a->nq;
  PetscInt        n;

  PetscFunctionBeginUser;
  PetscCall(VecGetLocalSize(locU, &n));
  if (n != a->cache_n) {
    PetscCall(PetscFree(a->cache_u));
    PetscCall(PetscMalloc1(n, &a->cache_u));
    PetscCall(PetscFree2(a->Dv, a->dDv));
    PetscCall(PetscMalloc2(n, &a->Dv, n, &a->dDv));
    a->cache_n     = n;
    a->cache_valid = PETSC_FALSE;
  }
  if (a->cache_valid && !memcmp(a->cache_u, u, (size_t)n * sizeof(PetscScalar))) PetscFunctionReturn(0);
  PetscCall(PetscArraycpy(a->cache_u, u, n));
  if (a->kirchhoff) { /* Φ and Φ' per vertex */
    for (PetscInt i = 0; i < n; ++i) {
      PetscReal Phi, dPhi;
      PhysKirchhoff(PetscRealPart(u[i]), &constants[PHYS_LAW], a->kirchhoff, &Phi, &dPhi);
      const PetscReal f = a->alpha_dof ? alpha * a->alpha_dof[i] : alpha;
      a->Dv[i]          = f * Phi;
      a->dDv[i]         = f * dPhi;
    }
    a->cache_valid = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  if (a->vertex_rule) { /* once per vertex, then copied to the cells' quadrature points */
    for (PetscInt i = 0; i < n; ++i) {
      PetscReal D, dD;
      PhysDiffusivity(PetscRealPart(u[i]), &constants[PHYS_LAW], &D, &dD);
      const PetscReal f = a->alpha_dof ? alpha * a->alpha_dof[i] : alpha;
      a->Dv[i]          = f * D;
      a->dDv[i]         = f * dD;
    }
    a->cache_valid = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt *ix = &a->idx[k * nv];
    const PetscReal f  = a->alpha_cell ? alpha * a->alpha_cell[k] : alpha;
    for (PetscInt q = 0; q < nq; ++q) {
      PetscReal th = 0, D, dD;
      for (PetscInt b = 0; b < nv; ++b) th += a->lambda[q][b] * PetscRealPart(u[ix[b]]);
      PhysDiffusivity(th, &constants[PHYS_LAW], &D, &dD);
      a->D[k * nq + q]  = f * D;
      a->dD[k * nq + q] = f * dD;
    }
  }
  a->cache_valid = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* The particles' α factors, per cell and per local dof (nothing to do when all are 1) */
PetscErrorCode LeanAssemblySetParticles(LeanAssembly a, const SolverParticles *p, PetscInt nlocal)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(a->alpha_cell));
  PetscCall(PetscFree(a->alpha_dof));
  a->cache_valid = PETSC_FALSE;
  if (p->uniform_alpha) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(a->ncells + 1, &a->alpha_cell));
  PetscCall(PetscMalloc1(nlocal + 1, &a->alpha_dof));
  for (PetscInt k = 0; k < a->ncells; ++k) a->alpha_cell[k] = p->alpha[p->cell[k]];
  for (PetscInt i = 0; i < nlocal; ++i) a->alpha_dof[i] = p->alpha[p->local_dof[i]];
  PetscFunctionReturn(0);
}

/* The Kirchhoff flux's edges: how many, how many were cut, and their conductance over the total */
PetscErrorCode LeanAssemblyGetEdgeCuts(LeanAssembly a, PetscInt *edges, PetscInt *cut, PetscReal *share)
{
  PetscFunctionBeginUser;
  *edges = a->cond ? a->edges : 0;
  *cut   = a->cond ? a->clipped : 0;
  *share = a->cond ? a->clipped_share : 0;
  PetscFunctionReturn(0);
}

void LeanAssemblyInvalidate(LeanAssembly a)
{
  a->cache_valid = PETSC_FALSE;
}

/* P2, at quadrature point q of cell k: the physical gradients G_b = J⁻ᵀ ∇̂φ_b and K∇θ */
static inline void PointGradients(LeanAssembly a, PetscInt k, PetscInt q, const PetscScalar u[], PetscReal eps, PetscReal G[][3], PetscReal Kgradu[3])
{
  const PetscInt   dim = a->dim;
  const PetscReal *invJ = &a->grad[k * dim * dim];
  const PetscInt  *ix   = &a->idx[k * a->nv];

  Kgradu[0] = Kgradu[1] = Kgradu[2] = 0;
  for (PetscInt b = 0; b < a->nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) {
      PetscReal g = 0;
      for (PetscInt e = 0; e < dim; ++e) g += invJ[e * dim + d] * a->dphi[q][b][e];
      G[b][d] = g;
      Kgradu[d] += PetscRealPart(u[ix[b]]) * g;
    }
  if (dim == 3) Kgradu[2] *= eps;
}

/* P2: f += the stiffness residual of cell k, point by point */
static inline void CellResidualQuadratic(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar f[])
{
  const PetscInt  nv = a->nv, dim = a->dim;
  const PetscInt *ix = &a->idx[k * nv];

  for (PetscInt q = 0; q < a->nq; ++q) {
    PetscReal       G[MAXB][3], gradu[3];
    const PetscReal c = a->vol[k] * a->w[q] * a->D[k * a->nq + q];
    PointGradients(a, k, q, u, eps, G, gradu);
    for (PetscInt b = 0; b < nv; ++b) {
      PetscReal gk = 0;
      for (PetscInt d = 0; d < dim; ++d) gk += G[b][d] * gradu[d];
      f[ix[b]] += c * gk;
    }
  }
}

/* locF += stiffness residual at the local state locU, and with a consistent mass M θ_t (locU_t;
   NULL with a lumped mass, which the caller adds) */
PetscErrorCode LeanAssemblyResidual(LeanAssembly a, const PetscScalar constants[], Vec locU, Vec locU_t, Vec locF)
{
  const PetscScalar *u, *u_t = NULL;
  PetscScalar       *f;
  const PetscInt     nv = a->nv, nq = a->nq, dim = a->dim;
  const PetscReal    eps = PetscRealPart(constants[PHYS_EPS]);

  PetscFunctionBeginUser;
  PetscCheck(!a->consistent == !locU_t, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "the consistent mass needs theta_t, the lumped one none");
  PetscCall(VecGetArrayRead(locU, &u));
  if (locU_t) PetscCall(VecGetArrayRead(locU_t, &u_t));
  PetscCall(Evaluate(a, constants, locU, u));
  PetscCall(VecGetArray(locF, &f));
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt  *ix = &a->idx[k * nv];
    const PetscReal *G;
    PetscReal        gradu[3] = {0, 0, 0}, Dbar = 0;
    if (u_t)
      for (PetscInt i = 0; i < nv; ++i) {
        PetscReal m = 0;
        for (PetscInt j = 0; j < nv; ++j) m += a->mass[i][j] * PetscRealPart(u_t[ix[j]]);
        f[ix[i]] += a->vol[k] * m;
      }
    if (a->quadratic) {
      CellResidualQuadratic(a, k, u, eps, f);
      continue;
    }
    if (a->cond) { /* Kirchhoff, lumped: along each edge, its conductance times the difference of Φ */
      const PetscReal *c = &a->cond[k * (dim == 2 ? 3 : 6)];
      for (PetscInt e = 0; e < (dim == 2 ? 3 : 6); ++e) {
        const PetscInt  i = ix[EdgeEnds[dim - 2][e][0]], j = ix[EdgeEnds[dim - 2][e][1]];
        const PetscReal flux = c[e] * (a->Dv[i] - a->Dv[j]);
        f[i] += flux;
        f[j] -= flux;
      }
      continue;
    }
    G = &a->grad[k * nv * dim];
    if (a->kirchhoff) { /* K∇Φ_h (with a consistent mass) */
      for (PetscInt b = 0; b < nv; ++b)
        for (PetscInt d = 0; d < dim; ++d) gradu[d] += a->Dv[ix[b]] * G[b * dim + d];
    } else
      for (PetscInt b = 0; b < nv; ++b)
        for (PetscInt d = 0; d < dim; ++d) gradu[d] += PetscRealPart(u[ix[b]]) * G[b * dim + d];
    if (dim == 3) gradu[2] *= eps; /* K∇θ */
    if (a->kirchhoff) Dbar = 1;
    else if (a->vertex_rule)
      for (PetscInt q = 0; q < nq; ++q) Dbar += a->w[q] * a->Dv[ix[q]];
    else
      for (PetscInt q = 0; q < nq; ++q) Dbar += a->w[q] * a->D[k * nq + q];
    Dbar *= a->vol[k];
    for (PetscInt b = 0; b < nv; ++b) {
      PetscReal gk = 0;
      for (PetscInt d = 0; d < dim; ++d) gk += G[b * dim + d] * gradu[d];
      f[ix[b]] += Dbar * gk;
    }
  }
  PetscCall(VecRestoreArray(locF, &f));
  PetscCall(VecRestoreArrayRead(locU, &u));
  if (locU_t) PetscCall(VecRestoreArrayRead(locU_t, &u_t));
  PetscFunctionReturn(0);
}

/* On one rank the cell blocks are added straight into the CSR values: pos[k][i][j] is the
   position of entry (idx_i, idx_j) of cell k, found once for the matrix's fixed pattern */
static PetscErrorCode FindPositions(LeanAssembly a, Mat J)
{
  const PetscInt *ia, *ja;
  PetscInt        n, nv = a->nv;
  PetscBool       done;

  PetscFunctionBeginUser;
  PetscCall(PetscFree(a->pos));
  PetscCall(MatGetRowIJ(J, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "no row access to the Jacobian");
  PetscCall(PetscMalloc1((a->ncells + a->nextra) * nv * nv, &a->pos));
  for (PetscInt k = 0; k < a->ncells + a->nextra; ++k)
    for (PetscInt i = 0; i < nv; ++i) {
      const PetscInt *ix  = k < a->ncells ? &a->idx[k * nv] : &a->extra_idx[(k - a->ncells) * nv];
      const PetscInt  row = ix[i];
      for (PetscInt j = 0; j < nv; ++j) {
        const PetscInt col = ix[j];
        PetscInt       lo = ia[row], hi = ia[row + 1] - 1, p = -1;
        while (lo <= hi) { /* columns of a row are sorted */
          const PetscInt mid = (lo + hi) / 2;
          if (ja[mid] == col) {
            p = mid;
            break;
          }
          if (ja[mid] < col) lo = mid + 1;
          else hi = mid - 1;
        }
        PetscCheck(p >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "entry (%" PetscInt_FMT ", %" PetscInt_FMT ") missing from the Jacobian pattern", row, col);
        a->pos[(k * nv + i) * nv + j] = p;
      }
    }
  PetscCall(MatRestoreRowIJ(J, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  a->pos_mat = J;
  PetscFunctionReturn(0);
}

/* The Jacobian's matrix, preallocated from the cells' (and the extra blocks') dof lists alone,
   without DMPlex's generic adjacency search: on one rank a CSR pattern built here, on several
   a COO pattern, so that each Jacobian is one MatSetValuesCOO (which also sends the rows of
   ghost vertices to their owners). The extra blocks must lie inside cells' patterns. */
PetscErrorCode LeanAssemblyCreateMatrix(LeanAssembly a, DM dm, PetscInt nextra, const PetscInt extra_idx[], Mat *J)
{
  const PetscInt         nv = a->nv, nb = a->ncells + nextra;
  ISLocalToGlobalMapping ltog;
  PetscMPIInt            size;
  PetscInt               n, N, nloc;
  Vec                    g;
  MPI_Comm               comm;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscFree(a->extra_idx));
  PetscCall(PetscMalloc1(nextra * nv + 1, &a->extra_idx));
  PetscCall(PetscArraycpy(a->extra_idx, extra_idx, nextra * nv));
  a->nextra = nextra;
  PetscCall(DMGetGlobalVector(dm, &g));
  PetscCall(VecGetLocalSize(g, &n));
  PetscCall(VecGetSize(g, &N));
  PetscCall(DMRestoreGlobalVector(dm, &g));
  PetscCall(DMGetLocalToGlobalMapping(dm, &ltog));
  PetscCall(ISLocalToGlobalMappingGetSize(ltog, &nloc));
  PetscCall(MatCreate(comm, J));
  PetscCall(MatSetSizes(*J, n, n, N, N));
  PetscCall(MatSetType(*J, size == 1 ? MATSEQAIJ : MATMPIAIJ));
  PetscCall(MatSetLocalToGlobalMapping(*J, ltog, ltog));
  if (size == 1) { /* rows: the union of the cells' vertex lists, sorted */
    PetscInt *cnt, *ia, *ja, *fill;
    PetscCheck(nloc == N, comm, PETSC_ERR_PLIB, "one rank with %" PetscInt_FMT " local and %" PetscInt_FMT " global dofs", nloc, N);
    PetscCall(PetscCalloc1(N + 1, &cnt));
    for (PetscInt k = 0; k < a->ncells; ++k)
      for (PetscInt i = 0; i < nv; ++i)
        cnt[a->idx[k * nv + i] + 1] += nv;
    for (PetscInt r = 0; r < N; ++r)
      cnt[r + 1] += cnt[r];
    PetscCall(PetscMalloc2(cnt[N], &ja, N, &fill));
    for (PetscInt r = 0; r < N; ++r)
      fill[r] = cnt[r];
    for (PetscInt k = 0; k < a->ncells; ++k)
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j)
          ja[fill[a->idx[k * nv + i]]++] = a->idx[k * nv + j];
    PetscCall(PetscMalloc1(N + 1, &ia));
    ia[0] = 0;
    for (PetscInt r = 0; r < N; ++r) { /* sort and compact each row in place */
      PetscInt m = cnt[r + 1] - cnt[r];
      PetscCall(PetscSortRemoveDupsInt(&m, &ja[cnt[r]]));
      PetscCall(PetscArraymove(&ja[ia[r]], &ja[cnt[r]], m));
      ia[r + 1] = ia[r] + m;
    }
    PetscCall(MatSeqAIJSetPreallocationCSR(*J, ia, ja, NULL));
    PetscCall(PetscFree(ia));
    PetscCall(PetscFree2(ja, fill));
    PetscCall(PetscFree(cnt));
  } else {
    PetscInt *ci, *cj;
    PetscCall(PetscMalloc2(nb * nv * nv, &ci, nb * nv * nv, &cj));
    for (PetscInt k = 0; k < nb; ++k) {
      const PetscInt *ix = k < a->ncells ? &a->idx[k * nv] : &a->extra_idx[(k - a->ncells) * nv];
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j) {
          ci[(k * nv + i) * nv + j] = ix[i];
          cj[(k * nv + i) * nv + j] = ix[j];
        }
    }
    PetscCall(MatSetPreallocationCOOLocal(*J, (PetscCount)nb * nv * nv, ci, cj));
    PetscCall(PetscFree2(ci, cj));
    PetscCall(PetscFree(a->coo));
    PetscCall(PetscMalloc1(nb * nv * nv, &a->coo));
    a->coo_mat = *J;
  }
  PetscCall(MatSetOption(*J, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* The stiffness block of cell k: v[i][j] = ∂F_i/∂θ_j (D at the quadrature points) */
static inline void CellJacobian(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar v[])
{
  const PetscInt   nv = a->nv, nq = a->nq, dim = a->dim;
  const PetscInt  *ix = &a->idx[k * nv];
  const PetscReal *G  = &a->grad[k * nv * dim];
  PetscReal        gradu[3] = {0, 0, 0}, Dbar = 0, dDl[MAXB] = {0}, Kgrad[MAXB][3];

  for (PetscInt b = 0; b < nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) gradu[d] += PetscRealPart(u[ix[b]]) * G[b * dim + d];
  if (dim == 3) gradu[2] *= eps;
  for (PetscInt q = 0; q < nq; ++q) {
    const PetscReal Dq = a->vertex_rule ? a->Dv[ix[q]] : a->D[k * nq + q], dDq = a->vertex_rule ? a->dDv[ix[q]] : a->dD[k * nq + q];
    Dbar += a->w[q] * Dq;
    for (PetscInt b = 0; b < nv; ++b) dDl[b] += a->w[q] * dDq * a->lambda[q][b];
  }
  for (PetscInt b = 0; b < nv; ++b)
    for (PetscInt d = 0; d < dim; ++d) Kgrad[b][d] = G[b * dim + d] * (d == 2 ? eps : 1.0);
  for (PetscInt i = 0; i < nv; ++i) {
    PetscReal gi = 0;
    for (PetscInt d = 0; d < dim; ++d) gi += G[i * dim + d] * gradu[d];
    for (PetscInt j = 0; j < nv; ++j) {
      PetscReal gg = 0;
      for (PetscInt d = 0; d < dim; ++d) gg += G[i * dim + d] * Kgrad[j][d];
      v[i * nv + j] = a->vol[k] * (Dbar * gg + gi * dDl[j]);
    }
  }
}

/* P2: v[i][j] = Σ_q |K| w_q [D_q (G_i·K G_j) + D'_q φ_j (G_i·K∇θ)] at the points' own gradients */
static inline void CellJacobianQuadratic(LeanAssembly a, PetscInt k, const PetscScalar u[], PetscReal eps, PetscScalar v[])
{
  const PetscInt nv = a->nv, nq = a->nq, dim = a->dim;

  for (PetscInt e = 0; e < nv * nv; ++e) v[e] = 0;
  for (PetscInt q = 0; q < nq; ++q) {
    PetscReal       G[MAXB][3], gradu[3];
    const PetscReal c = a->vol[k] * a->w[q], Dq = a->D[k * nq + q], dDq = a->dD[k * nq + q];
    PointGradients(a, k, q, u, eps, G, gradu);
    for (PetscInt i = 0; i < nv; ++i) {
      PetscReal gi = 0;
      for (PetscInt d = 0; d < dim; ++d) gi += G[i][d] * gradu[d];
      for (PetscInt j = 0; j < nv; ++j) {
        PetscReal gg = 0;
        for (PetscInt d = 0; d < dim; ++d) gg += G[i][d] * G[j][d] * (d == 2 ? eps : 1.0);
        v[i * nv + j] += c * (Dq * gg + dDq * a->lambda[q][j] * gi);
      }
    }
  }
}

/* The same with the Kirchhoff quadrature and a consistent mass: v[i][j] = |K| (G_i·K G_j) Φ'(θ_j) */
static inline void CellJacobianKirchhoff(LeanAssembly a, PetscInt k, PetscReal eps, PetscScalar v[])
{
  const PetscInt   nv = a->nv, dim = a->dim;
  const PetscInt  *ix = &a->idx[k * nv];
  const PetscReal *G  = &a->grad[k * nv * dim];

  for (PetscInt i = 0; i < nv; ++i)
    for (PetscInt j = 0; j < nv; ++j) {
      PetscReal gg = 0;
      for (PetscInt d = 0; d < dim; ++d) gg += G[i * dim + d] * G[j * dim + d] * (d == 2 ? eps : 1.0);
      v[i * nv + j] = a->vol[k] * gg * a->dDv[ix[j]];
    }
}

/* The same with the Kirchhoff flux along edges (a lumped mass): each edge (a, b) adds c Φ'(θ_a) to (a, a), -c Φ'(θ_b) to (a, b)
   and the same with a and b swapped */
static inline void CellJacobianEdges(LeanAssembly a, PetscInt k, PetscScalar v[])
{
  const PetscInt   nv = a->nv, ne = a->dim == 2 ? 3 : 6;
  const PetscInt  *ix = &a->idx[k * nv];
  const PetscReal *c  = &a->cond[k * ne];

  for (PetscInt e = 0; e < nv * nv; ++e) v[e] = 0;
  for (PetscInt e = 0; e < ne; ++e) {
    const PetscInt  i = EdgeEnds[a->dim - 2][e][0], j = EdgeEnds[a->dim - 2][e][1];
    const PetscReal di = c[e] * a->dDv[ix[i]], dj = c[e] * a->dDv[ix[j]];
    v[i * nv + i] += di;
    v[i * nv + j] -= dj;
    v[j * nv + j] += dj;
    v[j * nv + i] -= di;
  }
}

/* J (assembled from zero) = ∂(stiffness)/∂θ at U, plus shift M with a consistent mass, plus the
   extra blocks' values extra ([nextra][nv][nv], or NULL for none); the caller adds a lumped mass
   afterwards. Any AIJ
   matrix with the pattern works: one rank writes the CSR values directly, several use
   MatSetValuesCOO on the matrix of LeanAssemblyCreateMatrix (MatSetValuesLocal on others). */
PetscErrorCode LeanAssemblyJacobian(LeanAssembly a, const PetscScalar constants[], Vec locU, PetscReal shift, const PetscScalar extra[], Mat J)
{
  const PetscScalar *u;
  const PetscInt     nv = a->nv;
  const PetscReal    eps = PetscRealPart(constants[PHYS_EPS]);
  PetscScalar        vals[MAXB * MAXB];
  PetscScalar       *csr = NULL;
  PetscBool          seq, coo = J == a->coo_mat ? PETSC_TRUE : PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)J, MATSEQAIJ, &seq));
  if (seq && a->pos_mat != J) PetscCall(FindPositions(a, J));
  if (!coo) PetscCall(MatZeroEntries(J));
  if (seq) PetscCall(MatSeqAIJGetArray(J, &csr));
  PetscCall(VecGetArrayRead(locU, &u));
  PetscCall(Evaluate(a, constants, locU, u));
  for (PetscInt k = 0; k < a->ncells; ++k) {
    const PetscInt *ix = &a->idx[k * nv];
    PetscScalar    *v  = coo ? &a->coo[k * nv * nv] : vals;
    if (a->cond) CellJacobianEdges(a, k, v);
    else if (a->kirchhoff) CellJacobianKirchhoff(a, k, eps, v);
    else if (a->quadratic) CellJacobianQuadratic(a, k, u, eps, v);
    else CellJacobian(a, k, u, eps, v);
    if (a->consistent)
      for (PetscInt i = 0; i < nv; ++i)
        for (PetscInt j = 0; j < nv; ++j) v[i * nv + j] += shift * a->vol[k] * a->mass[i][j];
    if (seq) {
      const PetscInt *p = &a->pos[k * nv * nv];
      for (PetscInt e = 0; e < nv * nv; ++e)
        csr[p[e]] += vals[e];
    } else if (!coo)
      PetscCall(MatSetValuesLocal(J, nv, ix, nv, ix, vals, ADD_VALUES));
  }
  PetscCall(VecRestoreArrayRead(locU, &u));
  if (seq) {
    if (extra) {
      const PetscInt *p = &a->pos[a->ncells * nv * nv];
      for (PetscInt e = 0; e < a->nextra * nv * nv; ++e)
        csr[p[e]] += extra[e];
    }
    PetscCall(MatSeqAIJRestoreArray(J, &csr));
  } else if (coo) {
    PetscScalar *tail = &a->coo[a->ncells * nv * nv];
    for (PetscInt e = 0; e < a->nextra * nv * nv; ++e)
      tail[e] = extra ? extra[e] : 0;
    PetscCall(MatSetValuesCOO(J, a->coo, INSERT_VALUES));
    PetscFunctionReturn(0); /* assembled */
  } else if (extra)
    for (PetscInt k = 0; k < a->nextra; ++k)
      PetscCall(MatSetValuesLocal(J, nv, &a->extra_idx[k * nv], nv, &a->extra_idx[k * nv], &extra[k * nv * nv], ADD_VALUES));
  PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}
