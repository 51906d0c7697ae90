/* The particle's outline at sub-pixel accuracy (rank 0 only).

   Frame (the image frame, the same in every spot file that refers to pixels): origin at the
   top-left corner of the top-left pixel, x along the columns (to the right), y along the rows
   (downwards); pixel (row r, col c) covers [c, c+1] x [r, r+1] in pixel units, its centre is
   (c + 1/2, r + 1/2). Multiplying by the pixel size gives micrometres. Outlines are returned
   counter-clockwise in (x, y), i.e. with positive signed area Σ (x_i y_{i+1} − x_{i+1} y_i) / 2
   (on screen, where y points down, that looks clockwise).

   Tracing: marching squares on the smoothed image at the threshold level t, with the nodes at
   pixel centres and crossings placed by linear interpolation along cell edges. To follow the
   particle mask exactly (after morphology and hole filling), node values are clamped: particle
   pixels to max(g, t + δ), others to min(g, t − δ). Saddle cells join the diagonal particle
   pixels (8-connected particle, 4-connected background), so the outline is one closed curve.
   Nodes outside the image take 2t − g(nearest pixel) (capped below t), which puts the outline
   of a particle cut by the image edge on that edge.

   Smoothing: the outline is resampled every half pixel, convolved along its arc length with a
   Gaussian (σ_s pixels) using "twicing", x ← 2 G*x − G*G*x: high frequencies (pixel noise)
   are removed while the σ² shrinkage of plain smoothing cancels, so convex corners and the area
   are kept. It is then resampled at the spacing the mesher asks for. */
#include "mesh/meshimpl.h"
#include <math.h>

#define CLAMP_DELTA 1e-9

PetscErrorCode ImagePolygonDestroy(ImagePolygon *p)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(p->xy));
  p->n = 0;
  PetscFunctionReturn(0);
}

/* area (signed), perimeter and centroid of a closed polygon */
PetscErrorCode ImagePolygonMeasure(const ImagePolygon *p, PetscReal *area, PetscReal *perimeter, PetscReal centroid[2])
{
  PetscReal a = 0, l = 0, cx = 0, cy = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < p->n; ++i) {
    const PetscInt  j  = (i + 1) % p->n;
    const PetscReal x0 = p->xy[2 * i], y0 = p->xy[2 * i + 1], x1 = p->xy[2 * j], y1 = p->xy[2 * j + 1];
    const PetscReal cr = x0 * y1 - x1 * y0;
    a += cr;
    cx += (x0 + x1) * cr;
    cy += (y0 + y1) * cr;
    l += PetscSqrtReal((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
  }
  if (area) *area = a / 2;
  if (perimeter) *perimeter = l;
  if (centroid) {
    centroid[0] = a != 0 ? cx / (3 * a) : 0;
    centroid[1] = a != 0 ? cy / (3 * a) : 0;
  }
  PetscFunctionReturn(0);
}

/* Marching squares around the particle mask; see the header comment */
PetscErrorCode ImageOutlineTrace(const ImageSegmentation *seg, ImagePolygon *poly)
{
  const PetscInt  rows = seg->rows, cols = seg->cols, I0 = seg->box[0] - 1, J0 = seg->box[2] - 1;
  const PetscInt  nI = seg->box[1] - seg->box[0] + 3, nJ = seg->box[3] - seg->box[2] + 3;
  const PetscReal t     = seg->threshold;
  const size_t    nodes = (size_t)nI * nJ;
  /* segments of each case, as (from, to) edges; edges 0 top, 1 right, 2 bottom, 3 left */
  static const int table[16][4] = {
      {-1, -1, -1, -1},
      {3, 0, -1, -1},
      {0, 1, -1, -1},
      {3, 1, -1, -1},
      {1, 2, -1, -1},
      {1, 0, 3, 2},
      {0, 2, -1, -1},
      {3, 2, -1, -1},
      {2, 3, -1, -1},
      {2, 0, -1, -1},
      {0, 3, 2, 1},
      {2, 1, -1, -1},
      {1, 3, -1, -1},
      {1, 0, -1, -1},
      {0, 3, -1, -1},
      {-1, -1, -1, -1}};
  PetscReal *g, best_area = 0, *best = NULL;
  PetscInt  *next, *pts = NULL, npts = 0, cap = 0;
  PetscInt   nloops = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(poly, sizeof(*poly)));
  PetscCall(PetscMalloc2(nodes, &g, 2 * nodes, &next));
  for (PetscInt i = 0; i < nI; ++i)
    for (PetscInt j = 0; j < nJ; ++j) {
      const PetscInt r = I0 + i, c = J0 + j;
      const PetscInt rc = r < 0 ? 0 : (r >= rows ? rows - 1 : r), cc = c < 0 ? 0 : (c >= cols ? cols - 1 : c);
      const size_t   at = (size_t)rc * cols + cc;
      PetscReal      v  = seg->mask[at] ? PetscMax(seg->smooth[at], t + CLAMP_DELTA) : PetscMin(seg->smooth[at], t - CLAMP_DELTA);
      if (rc != r || cc != c) v = PetscMin(2 * t - v, t - CLAMP_DELTA);
      g[(size_t)i * nJ + j] = v;
    }
  for (size_t e = 0; e < 2 * nodes; ++e)
    next[e] = -1;
  for (PetscInt i = 0; i < nI - 1; ++i)
    for (PetscInt j = 0; j < nJ - 1; ++j) {
      const size_t a  = (size_t)i * nJ + j;
      const int    cs = (g[a] > t) | (g[a + 1] > t) << 1 | (g[a + nJ + 1] > t) << 2 | (g[a + nJ] > t) << 3;
      /* edge ids: horizontal (i, j)-(i, j+1) is i*nJ + j; vertical (i, j)-(i+1, j) is nodes + i*nJ + j */
      const PetscInt edge[4] = {(PetscInt)a, (PetscInt)(nodes + a + 1), (PetscInt)(a + nJ), (PetscInt)(nodes + a)};
      for (int s = 0; s < 4 && table[cs][s] >= 0; s += 2)
        next[edge[table[cs][s]]] = edge[table[cs][s + 1]];
    }
  /* follow the loops; keep the one of largest area (there is one unless the mask is odd) */
  for (size_t first = 0; first < 2 * nodes; ++first) {
    PetscInt  e = (PetscInt)first, count = 0;
    PetscReal area = 0, *xy;
    if (next[first] < 0) continue;
    ++nloops;
    while (next[e] >= 0) { /* collect the edges of this loop */
      const PetscInt f = next[e];
      if (count == cap) {
        PetscInt *more;
        cap = cap ? 2 * cap : 4096;
        PetscCall(PetscMalloc1(cap, &more));
        if (count) PetscCall(PetscArraycpy(more, pts, count));
        PetscCall(PetscFree(pts));
        pts = more;
      }
      pts[count++] = e;
      next[e]      = -2;
      e            = f;
    }
    PetscCall(PetscMalloc1(2 * count, &xy));
    for (PetscInt k = 0; k < count; ++k) { /* the crossing on each edge */
      const PetscInt  id       = pts[k];
      const PetscBool vertical = id >= (PetscInt)nodes ? PETSC_TRUE : PETSC_FALSE;
      const PetscInt  a = vertical ? id - (PetscInt)nodes : id, i = a / nJ, j = a % nJ;
      const PetscInt  b = vertical ? a + nJ : a + 1;
      const PetscReal s = (t - g[a]) / (g[b] - g[a]);
      xy[2 * k]         = J0 + j + 0.5 + (vertical ? 0 : s);
      xy[2 * k + 1]     = I0 + i + 0.5 + (vertical ? s : 0);
    }
    for (PetscInt k = 0; k < count; ++k) { /* signed area, about the first point for round-off */
      const PetscInt l = (k + 1) % count;
      area += (xy[2 * k] - xy[0]) * (xy[2 * l + 1] - xy[1]) - (xy[2 * l] - xy[0]) * (xy[2 * k + 1] - xy[1]);
    }
    if (PetscAbsReal(area) > PetscAbsReal(best_area)) {
      PetscCall(PetscFree(best));
      best      = xy;
      best_area = area;
      npts      = count;
    } else
      PetscCall(PetscFree(xy));
  }
  PetscCall(PetscFree(pts));
  PetscCall(PetscFree2(g, next));
  PetscCheck(npts >= 4, PETSC_COMM_SELF, PETSC_ERR_PLIB, "marching squares found no outline around the particle");
  poly->xy    = best;
  poly->n     = npts;
  poly->loops = nloops;
  if (best_area < 0) PetscCall(ImagePolygonReverse(poly)); /* counter-clockwise in (x, y) */
  PetscFunctionReturn(0);
}

PetscErrorCode ImagePolygonReverse(ImagePolygon *p)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < p->n / 2; ++k)
    for (int d = 0; d < 2; ++d) {
      const PetscReal tmp           = p->xy[2 * k + d];
      p->xy[2 * k + d]              = p->xy[2 * (p->n - 1 - k) + d];
      p->xy[2 * (p->n - 1 - k) + d] = tmp;
    }
  PetscFunctionReturn(0);
}

/* out: m points evenly spaced by arc length along the closed polygon in, m = max(minimum, round(L / spacing)) */
PetscErrorCode ImagePolygonResample(const ImagePolygon *in, PetscReal spacing, PetscInt minimum, ImagePolygon *out)
{
  PetscReal length, step, along = 0;
  PetscInt  m, seg = 0;

  PetscFunctionBeginUser;
  PetscCall(ImagePolygonMeasure(in, NULL, &length, NULL));
  m    = PetscMax(minimum, (PetscInt)PetscFloorReal(length / spacing + 0.5));
  step = length / m;
  PetscCall(PetscMalloc1(2 * m, &out->xy));
  out->n     = m;
  out->loops = in->loops;
  for (PetscInt k = 0; k < m; ++k) {
    const PetscReal target = k * step;
    PetscReal       x0, y0, x1, y1, l;
    for (;;) { /* the segment holding arc length target: [along, along + l] */
      const PetscInt j = (seg + 1) % in->n;
      x0               = in->xy[2 * seg];
      y0               = in->xy[2 * seg + 1];
      x1               = in->xy[2 * j];
      y1               = in->xy[2 * j + 1];
      l                = PetscSqrtReal((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
      if (along + l >= target || seg == in->n - 1) break;
      along += l;
      ++seg;
    }
    {
      const PetscReal s  = l > 0 ? PetscMin(1, PetscMax(0, (target - along) / l)) : 0;
      out->xy[2 * k]     = x0 + s * (x1 - x0);
      out->xy[2 * k + 1] = y0 + s * (y1 - y0);
    }
  }
  PetscFunctionReturn(0);
}

/* Circular convolution of the n points with a normalised Gaussian of std sigma points */
static PetscErrorCode Convolve(PetscInt n, const PetscReal in[], PetscReal sigma, PetscReal out[])
{
  const PetscInt K = PetscMin((PetscInt)PetscCeilReal(3 * sigma), (n - 1) / 2);
  PetscReal     *w, sum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(2 * K + 1, &w));
  for (PetscInt k = -K; k <= K; ++k)
    sum += (w[k + K] = PetscExpReal(-0.5 * k * k / (sigma * sigma)));
  for (PetscInt i = 0; i < n; ++i) {
    PetscReal x = 0, y = 0;
    for (PetscInt k = -K; k <= K; ++k) {
      const PetscInt j = ((i + k) % n + n) % n;
      x += w[k + K] * in[2 * j];
      y += w[k + K] * in[2 * j + 1];
    }
    out[2 * i]     = x / sum;
    out[2 * i + 1] = y / sum;
  }
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Smooth evenly spaced points along the curve, std sigma in the polygon's length units, with
   twicing (2 G*x − G*G*x) so that the curve does not shrink */
PetscErrorCode ImagePolygonSmooth(ImagePolygon *p, PetscReal sigma)
{
  PetscReal length, *once, *twice;
  PetscReal spacing;

  PetscFunctionBeginUser;
  if (sigma <= 0 || p->n < 8) PetscFunctionReturn(0);
  PetscCall(ImagePolygonMeasure(p, NULL, &length, NULL));
  spacing = length / p->n;
  if (sigma < 0.25 * spacing) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(2 * p->n, &once, 2 * p->n, &twice));
  PetscCall(Convolve(p->n, p->xy, sigma / spacing, once));
  PetscCall(Convolve(p->n, once, sigma / spacing, twice));
  for (PetscInt i = 0; i < 2 * p->n; ++i)
    p->xy[i] = 2 * once[i] - twice[i];
  PetscCall(PetscFree2(once, twice));
  PetscFunctionReturn(0);
}

static inline PetscReal Orient(const PetscReal *a, const PetscReal *b, const PetscReal *c)
{
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/* Is r, collinear with p and q, within the segment [p, q]? */
static PetscBool OnSegment(const PetscReal *p, const PetscReal *q, const PetscReal *r)
{
  return r[0] >= PetscMin(p[0], q[0]) && r[0] <= PetscMax(p[0], q[0]) && r[1] >= PetscMin(p[1], q[1]) && r[1] <= PetscMax(p[1], q[1]) ? PETSC_TRUE : PETSC_FALSE;
}

/* Do segments [a, b] and [c, d] cross or touch? */
static PetscBool SegmentsCross(const PetscReal *a, const PetscReal *b, const PetscReal *c, const PetscReal *d)
{
  const PetscReal d1 = Orient(c, d, a), d2 = Orient(c, d, b), d3 = Orient(a, b, c), d4 = Orient(a, b, d);

  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return PETSC_TRUE;
  if ((d1 == 0 && OnSegment(c, d, a)) || (d2 == 0 && OnSegment(c, d, b)) || (d3 == 0 && OnSegment(a, b, c)) || (d4 == 0 && OnSegment(a, b, d))) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Does the closed polygon cross itself? Segments are bucketed on a grid of cells as large as
   the longest segment, so each one is only tested against its neighbours. */
PetscErrorCode ImagePolygonSelfIntersects(const ImagePolygon *p, PetscBool *crosses)
{
  const PetscInt n     = p->n;
  PetscReal      lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL}, h = 0;
  PetscInt       nx, ny, *start, *items, *fill;

  PetscFunctionBeginUser;
  *crosses = PETSC_FALSE;
  for (PetscInt i = 0; i < n; ++i) {
    const PetscInt j = (i + 1) % n;
    for (int d = 0; d < 2; ++d) {
      lo[d] = PetscMin(lo[d], p->xy[2 * i + d]);
      hi[d] = PetscMax(hi[d], p->xy[2 * i + d]);
    }
    h = PetscMax(h, PetscMax(PetscAbsReal(p->xy[2 * j] - p->xy[2 * i]), PetscAbsReal(p->xy[2 * j + 1] - p->xy[2 * i + 1])));
  }
  h  = PetscMax(h, PetscMax(hi[0] - lo[0], hi[1] - lo[1]) / 1024) * 1.001 + 1e-12;
  nx = (PetscInt)((hi[0] - lo[0]) / h) + 1;
  ny = (PetscInt)((hi[1] - lo[1]) / h) + 1;
  PetscCall(PetscCalloc3(nx * ny + 1, &start, 4 * n, &items, nx * ny + 1, &fill));
  for (int pass = 0; pass < 2; ++pass) { /* count, then place: each segment in the cells its box touches */
    for (PetscInt i = 0; i < n; ++i) {
      const PetscInt  j  = (i + 1) % n;
      const PetscReal x0 = PetscMin(p->xy[2 * i], p->xy[2 * j]), x1 = PetscMax(p->xy[2 * i], p->xy[2 * j]);
      const PetscReal y0 = PetscMin(p->xy[2 * i + 1], p->xy[2 * j + 1]), y1 = PetscMax(p->xy[2 * i + 1], p->xy[2 * j + 1]);
      for (PetscInt cy = (PetscInt)((y0 - lo[1]) / h); cy <= (PetscInt)((y1 - lo[1]) / h) && cy < ny; ++cy)
        for (PetscInt cx = (PetscInt)((x0 - lo[0]) / h); cx <= (PetscInt)((x1 - lo[0]) / h) && cx < nx; ++cx) {
          const PetscInt cell = cy * nx + cx;
          if (pass == 0)
            start[cell + 1]++;
          else
            items[start[cell] + fill[cell]++] = i;
        }
    }
    if (pass == 0)
      for (PetscInt c = 0; c < nx * ny; ++c)
        start[c + 1] += start[c];
  }
  for (PetscInt c = 0; c < nx * ny && !*crosses; ++c)
    for (PetscInt a = start[c]; a < start[c + 1] && !*crosses; ++a)
      for (PetscInt b = a + 1; b < start[c + 1]; ++b) {
        const PetscInt i = items[a], j = items[b], gap = PetscAbsInt(i - j);
        if (gap <= 1 || gap == n - 1) continue; /* neighbours share a point */
        if (SegmentsCross(&p->xy[2 * i], &p->xy[2 * ((i + 1) % n)], &p->xy[2 * j], &p->xy[2 * ((j + 1) % n)])) {
          *crosses = PETSC_TRUE;
          break;
        }
      }
  PetscCall(PetscFree3(start, items, fill));
  PetscFunctionReturn(0);
}

/* Is point q inside the closed polygon (even-odd rule)? */
static PetscBool PointInPolygon(const ImagePolygon *p, const PetscReal q[2])
{
  PetscBool in = PETSC_FALSE;

  for (PetscInt i = 0, j = p->n - 1; i < p->n; j = i++) {
    const PetscReal *a = &p->xy[2 * i], *b = &p->xy[2 * j];
    if ((a[1] > q[1]) != (b[1] > q[1]) && q[0] < (b[0] - a[0]) * (q[1] - a[1]) / (b[1] - a[1]) + a[0]) in = in ? PETSC_FALSE : PETSC_TRUE;
  }
  return in;
}

/* Two particles' outlines must keep apart: no segment of one crosses or touches a segment of
   the other, and neither lies inside the other. Segments of a within the bounding box of b are
   tested against every segment of b: outlines of neighbours share a short stretch at most. */
PetscErrorCode ImagePolygonsMeet(const ImagePolygon *a, const ImagePolygon *b, PetscBool *meet)
{
  PetscReal box[4] = {PETSC_MAX_REAL, -PETSC_MAX_REAL, PETSC_MAX_REAL, -PETSC_MAX_REAL};

  PetscFunctionBeginUser;
  *meet = PETSC_FALSE;
  for (PetscInt j = 0; j < b->n; ++j) {
    box[0] = PetscMin(box[0], b->xy[2 * j]);
    box[1] = PetscMax(box[1], b->xy[2 * j]);
    box[2] = PetscMin(box[2], b->xy[2 * j + 1]);
    box[3] = PetscMax(box[3], b->xy[2 * j + 1]);
  }
  for (PetscInt i = 0; i < a->n && !*meet; ++i) {
    const PetscReal *p = &a->xy[2 * i], *q = &a->xy[2 * ((i + 1) % a->n)];
    if (PetscMax(p[0], q[0]) < box[0] || PetscMin(p[0], q[0]) > box[1] || PetscMax(p[1], q[1]) < box[2] || PetscMin(p[1], q[1]) > box[3]) continue;
    for (PetscInt j = 0; j < b->n; ++j)
      if (SegmentsCross(p, q, &b->xy[2 * j], &b->xy[2 * ((j + 1) % b->n)])) {
        *meet = PETSC_TRUE;
        break;
      }
  }
  if (!*meet && a->n && b->n) *meet = PointInPolygon(b, &a->xy[0]) || PointInPolygon(a, &b->xy[0]) ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
