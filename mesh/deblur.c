/* The outline of a particle seen through a microscope's blur (rank 0 only): -mesh_image_psf_sigma.

   An optical frame is the particle's coverage χ (1 on it, 0 off) blurred by the point-spread
   function, a Gaussian of standard deviation σ, and integrated over camera pixels:
     s(x) = b + (a − b) (G_σ * χ)(x),
   a the particle's plateau, b the background (after -mesh_image_invert the particle is the bright
   one). Otsu's threshold lies nearer the background than the plateau when the background fills
   most of the frame, so its outline lies outside the particle: a blurred disc of radius 1 µm
   (σ 0.2 µm, 65 nm pixels, 2 % noise) comes out 4 to 6 % too large, and smaller particles worse.
   The level halfway, (a + b)/2, crosses a blurred straight edge where the edge is; on a convex
   edge of curvature κ the half-level contour lies inside it, by about σ²κ/2, more for a
   particle only a few σ across. So (ImageOutlineDeblur):
   1. a and b by least squares of s ≈ b + (a − b) (G * χ_X) over the pixels within 3σ + 1 of the
      current outline X, on both sides (first X: Otsu's outline); pixels of other particles
      (brighter than the level, not connected to this one) are left out;
   2. C, the contour of s at a level t (marching squares, then each point moved along the
      normal onto level t of the cubic interpolant of s: the straight interpolation of marching
      squares misses by a few hundredths of a pixel where the blurred profile bends, -1 % of the
      area of a particle 5 sigma across);
   3. the outline X = C + d n (n the outward normal of C) whose blurred coverage has its half
      level on C: at every point c_i of C, (G * χ_X)(c_i) = 1/2, solved by
        d_i ← d_i − S[((G * χ_X)(c_i) − 1/2) / r_i],
      r_i the change of (G * χ_X)(c_i) when X moves out uniformly, S a Gaussian smoothing along
      C over sigma: a straight edge does not move, a disc moves out by exactly the lag of its
      half level, and detail finer than σ, which the blur erased (noise, mostly), stays as
      traced instead of being amplified; at most DEBLUR_INNER steps;
   4. t is the root of (a + b)/2 − t, a and b fitted as in 1 for the X that t gives (secant
      steps from Otsu's fit, each at most a fifth of a − b, within 40 to 60 % of it): the plain
      iteration t ← (a + b)/2 runs away on a particle a few sigma across, where a larger outline
      fits a dimmer plateau and so a lower level;
   5. X moved along its normals by the offset that fits the band's pixels best (least squares,
      a and b fitted for each offset): the contour gives the shape, the pixels the size. On a
      particle 5 sigma across this halves the scatter of the area over noise (towards the
      Cramér–Rao bound, about 0.7 % at 2 % noise).
   G * χ_X is exact for a polygon X: in polar coordinates about x,
     (G * χ_X)(x) = (1/2π) ∮_∂X (1 − exp(−ρ²/2σ²)) dφ,
   and along a segment from a to b (relative to x) ρ² dφ = (a × b) dt, so each segment adds
     (a × b)/(2π) ∫_0^1 (1 − exp(−ρ(t)²/2σ²)) / ρ(t)² dt,
   a smooth integrand (two-point Gauss–Legendre on pieces shorter than σ/2), or its angle
   Δφ/(2π) when it is farther than 7σ from x.
   σ is the blur of the image the contour is traced on: the PSF's, the denoising Gaussian's
   (-mesh_image_sigma, its discrete variance) and the camera pixel's (a box, variance 1/12 px²),
   added in variance.
   Neighbours (spot mesh --all): their blur reaches a particle's edge and band. Given their outlines
   (others), the model of steps 1 and 5 is s = b + (a − b) (G * (χ_X + χ_others)), and step 3 puts
   (G * χ_X)(c_i) at 1/2 − (G * χ_others)(c_i): the half level there is partly theirs.
   Refused: a particle touching the image border (its blur is cut), one whose level contrast is
   not positive, and one too small for the blur: its half-level contour less than 3.5 σ (PSF)
   across, or no level found at which 4 holds (a smaller, brighter particle and a larger,
   dimmer one blur alike).
   Measured on synthetic frames (tests/tools/blurred_frame.py; docs/mesh.md has the table): the
   area within 0.6 % for discs of radius 0.5 to 3 µm and an ellipse, σ 0.1 to 0.3 µm, pixels of
   50 to 100 nm, bright or dark, 2 % noise (Otsu: +1 to +27 %); within 0.1 % without noise. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <math.h>

#define DEBLUR_LEVELS 12            /* secant steps on the level */
#define DEBLUR_LEVEL_TOLERANCE 1e-4 /* of the contrast */
#define DEBLUR_INNER 20             /* outline iterations per level (more would chase noise finer than sigma) */
#define DEBLUR_TOLERANCE 1e-3       /* |(G * χ_X)(c_i) − 1/2|, smoothed over sigma, at convergence */
#define DEBLUR_MAX_POINTS 2000      /* outline points (the spacing grows beyond) */
#define DEBLUR_MIN_DIAMETER 3.5     /* PSF sigmas across the half-level contour, at least */

/* (G_sigma * χ_X)(x, y) for the closed counter-clockwise polygon xy[2n] */
static PetscReal BlurredCoverage(PetscInt n, const PetscReal xy[], PetscReal sigma, PetscReal x, PetscReal y)
{
  static const PetscReal node[2] = {0.21132486540518713, 0.78867513459481287};
  const PetscReal        s2 = 2 * sigma * sigma, far2 = 49 * sigma * sigma;
  PetscReal              sum = 0;

  for (PetscInt i = 0; i < n; ++i) {
    const PetscInt  j  = i + 1 == n ? 0 : i + 1;
    const PetscReal ax = xy[2 * i] - x, ay = xy[2 * i + 1] - y, bx = xy[2 * j] - x, by = xy[2 * j + 1] - y;
    const PetscReal ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey, cross = ax * by - ay * bx;
    PetscReal       t = len2 > 0 ? -(ax * ex + ay * ey) / len2 : 0, dx, dy, integral = 0;
    PetscInt        m;

    t  = PetscMin(1, PetscMax(0, t));
    dx = ax + t * ex;
    dy = ay + t * ey;
    if (dx * dx + dy * dy > far2) {
      sum += PetscAtan2Real(cross, ax * bx + ay * by);
      continue;
    }
    m = (PetscInt)PetscCeilReal(PetscSqrtReal(len2) / (0.5 * sigma));
    m = PetscMax(1, m);
    for (PetscInt k = 0; k < m; ++k)
      for (int q = 0; q < 2; ++q) {
        const PetscReal tt = (k + node[q]) / m, px = ax + tt * ex, py = ay + tt * ey, r2 = px * px + py * py;
        integral += r2 > 1e-8 * s2 ? -expm1(-r2 / s2) / r2 : (1 - 0.5 * r2 / s2) / s2;
      }
    sum += cross * integral / (2 * m);
  }
  return sum / (2 * PETSC_PI);
}

/* G_sigma * χ of the other particles (polygons, pixel units) at (x, y): their blur that reaches this one */
static PetscReal OthersCoverage(PetscInt nothers, const ImagePolygon others[], PetscReal sigma, PetscReal x, PetscReal y)
{
  PetscReal sum = 0;
  for (PetscInt k = 0; k < nothers; ++k) sum += BlurredCoverage(others[k].n, others[k].xy, sigma, x, y);
  return sum;
}

/* Outward unit normals of a counter-clockwise polygon (central differences) */
static void OutwardNormals(PetscInt n, const PetscReal xy[], PetscReal nrm[])
{
  for (PetscInt i = 0; i < n; ++i) {
    const PetscInt  a = (i + n - 1) % n, b = (i + 1) % n;
    const PetscReal tx = xy[2 * b] - xy[2 * a], ty = xy[2 * b + 1] - xy[2 * a + 1], l = PetscSqrtReal(tx * tx + ty * ty);
    nrm[2 * i]     = l > 0 ? ty / l : 0;
    nrm[2 * i + 1] = l > 0 ? -tx / l : 0;
  }
}

/* The variance (pixels²) of the denoising kernel of ImageGaussianBlur */
static PetscReal DenoiseVariance(PetscReal sigma)
{
  PetscInt  K;
  PetscReal sum = 0, var = 0;

  if (sigma < 0.05) return 0;
  K = (PetscInt)PetscCeilReal(3 * sigma);
  for (PetscInt k = -K; k <= K; ++k) {
    const PetscReal w = PetscExpReal(-0.5 * k * k / (sigma * sigma));
    sum += w;
    var += w * k * k;
  }
  return var / sum;
}

/* The pixels the levels are fitted on: those within 3 sigma + 1 of the particle's outline, both
   sides, but not those of other particles (brighter than the level, not connected to this one) */
typedef struct {
  PetscInt   n;
  PetscReal *xy, *v; /* pixel centres (pixel units) and smoothed values */
  PetscReal *o;      /* the other particles' blurred coverage there */
} Band;

static PetscErrorCode BandCollect(const ImageSegmentation *seg, PetscReal sigma, PetscInt nothers, const ImagePolygon others[], Band *band)
{
  const PetscInt  B = (PetscInt)PetscCeilReal(3 * sigma + 2), r0 = PetscMax(0, seg->box[0] - B), r1 = PetscMin(seg->rows - 1, seg->box[1] + B);
  const PetscInt  c0 = PetscMax(0, seg->box[2] - B), c1 = PetscMin(seg->cols - 1, seg->box[3] + B), h = r1 - r0 + 1, w = c1 - c0 + 1;
  const PetscReal reach = (3 * sigma + 1) * (3 * sigma + 1);
  unsigned char  *mask;
  PetscReal      *din, *dout;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3((size_t)h * w, &mask, (size_t)h * w, &din, (size_t)h * w, &dout));
  PetscCall(PetscMalloc3(2 * (size_t)h * w, &band->xy, (size_t)h * w, &band->v, (size_t)h * w, &band->o));
  for (PetscInt r = 0; r < h; ++r)
    for (PetscInt c = 0; c < w; ++c)
      mask[(size_t)r * w + c] = seg->mask[(size_t)(r + r0) * seg->cols + c + c0];
  PetscCall(ImageDistanceSquared(h, w, mask, 0, din));  /* particle pixels: to the background */
  PetscCall(ImageDistanceSquared(h, w, mask, 1, dout)); /* background: to the particle */
  band->n = 0;
  for (PetscInt r = 0; r < h; ++r)
    for (PetscInt c = 0; c < w; ++c) {
      const size_t    k = (size_t)r * w + c;
      const PetscReal v = seg->smooth[(size_t)(r + r0) * seg->cols + c + c0];
      if ((mask[k] ? din[k] : dout[k]) > reach) continue;
      if (!mask[k] && v > seg->threshold) continue; /* another particle */
      band->xy[2 * band->n]     = c + c0 + 0.5;
      band->xy[2 * band->n + 1] = r + r0 + 0.5;
      band->o[band->n]          = OthersCoverage(nothers, others, sigma, c + c0 + 0.5, r + r0 + 0.5);
      band->v[band->n++]        = v;
    }
  PetscCall(PetscFree3(mask, din, dout));
  PetscFunctionReturn(0);
}

static PetscErrorCode BandDestroy(Band *band)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(band->xy, band->v, band->o));
  band->n = 0;
  PetscFunctionReturn(0);
}

/* Least squares of v ≈ lo + (hi − lo) (G * (χ_X + χ_others)) over the band; sse: the sum of squared residuals */
static void BandFit(const Band *band, const ImagePolygon *X, PetscReal sigma, PetscReal *lo, PetscReal *hi, PetscReal *sse)
{
  PetscReal sp = 0, sv = 0, spp = 0, spv = 0, svv = 0, cnt = band->n;

  for (PetscInt j = 0; j < band->n; ++j) {
    const PetscReal p = BlurredCoverage(X->n, X->xy, sigma, band->xy[2 * j], band->xy[2 * j + 1]) + band->o[j], v = band->v[j];
    sp += p;
    sv += v;
    spp += p * p;
    spv += p * v;
    svv += v * v;
  }
  {
    const PetscReal det = cnt * spp - sp * sp, slope = det > 0 ? (cnt * spv - sp * sv) / det : 0;
    *lo = cnt > 0 ? (sv - slope * sp) / cnt : 0;
    *hi = *lo + slope;
    /* Σ (v − lo − slope p)², expanded */
    if (sse) *sse = svv + cnt * *lo * *lo + slope * slope * spp - 2 * *lo * sv - 2 * slope * spv + 2 * *lo * slope * sp;
  }
}

/* Step 1: background lo and plateau hi of seg->smooth near the outline X (pixel units) */
static PetscErrorCode FitLevels(const ImageSegmentation *seg, const ImagePolygon *X, PetscReal sigma, PetscInt nothers, const ImagePolygon others[], PetscReal *lo, PetscReal *hi, PetscInt *used)
{
  Band band;

  PetscFunctionBeginUser;
  PetscCall(BandCollect(seg, sigma, nothers, others, &band));
  BandFit(&band, X, sigma, lo, hi, NULL);
  *used = band.n;
  PetscCall(BandDestroy(&band));
  PetscFunctionReturn(0);
}

/* Y = X moved out by delta along nrm, and the levels and residual fitted with it */
static void Moved(const Band *band, const ImagePolygon *X, const PetscReal nrm[], PetscReal delta, PetscReal sigma, ImagePolygon *Y, PetscReal *lo, PetscReal *hi, PetscReal *sse)
{
  for (PetscInt i = 0; i < 2 * X->n; ++i)
    Y->xy[i] = X->xy[i] + delta * nrm[i];
  BandFit(band, Y, sigma, lo, hi, sse);
}

/* Step 5: X moved out by the offset (pixels, along its normals) that, with the levels fitted
   for it, fits the band's pixels best (least squares; golden section within sigma / 2). The
   contour sets the shape, and this the size: on a particle a few sigma across the half-level
   contour's noise, amplified by the plateau-versus-size trade-off, would otherwise give twice
   the scatter of the area that the pixels allow */
static PetscErrorCode FitOffset(const ImageSegmentation *seg, PetscReal sigma, PetscInt nothers, const ImagePolygon others[], ImagePolygon *X, PetscReal *lo, PetscReal *hi, PetscReal *offset)
{
  const PetscReal g = 0.5 * (PetscSqrtReal(5.0) - 1);
  Band            band;
  ImagePolygon    Y;
  PetscReal      *nrm, a = -0.5 * sigma, b = 0.5 * sigma, x1, x2, f1, f2, l, h;

  PetscFunctionBeginUser;
  PetscCall(BandCollect(seg, sigma, nothers, others, &band));
  PetscCall(PetscMalloc1(2 * X->n, &nrm));
  PetscCall(PetscMalloc1(2 * X->n, &Y.xy));
  Y.n     = X->n;
  Y.loops = X->loops;
  OutwardNormals(X->n, X->xy, nrm);
  x1 = b - g * (b - a);
  x2 = a + g * (b - a);
  Moved(&band, X, nrm, x1, sigma, &Y, &l, &h, &f1);
  Moved(&band, X, nrm, x2, sigma, &Y, &l, &h, &f2);
  while (b - a > 1e-3) {
    if (f1 < f2) {
      b  = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      Moved(&band, X, nrm, x1, sigma, &Y, &l, &h, &f1);
    } else {
      a  = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      Moved(&band, X, nrm, x2, sigma, &Y, &l, &h, &f2);
    }
  }
  *offset = 0.5 * (a + b);
  Moved(&band, X, nrm, *offset, sigma, &Y, &l, &h, &f1);
  *lo = l;
  *hi = h;
  for (PetscInt i = 0; i < 2 * X->n; ++i)
    X->xy[i] = Y.xy[i];
  PetscCall(PetscFree(Y.xy));
  PetscCall(PetscFree(nrm));
  PetscCall(BandDestroy(&band));
  PetscFunctionReturn(0);
}

static PetscReal Perimeter(const ImagePolygon *p)
{
  PetscReal l = 0;
  for (PetscInt i = 0; i < p->n; ++i) {
    const PetscInt j = (i + 1) % p->n;
    l += PetscSqrtReal(PetscSqr(p->xy[2 * j] - p->xy[2 * i]) + PetscSqr(p->xy[2 * j + 1] - p->xy[2 * i + 1]));
  }
  return l;
}

/* out = in (n values around a closed curve) convolved with a Gaussian of std width points */
static PetscErrorCode SmoothAlong(PetscInt n, const PetscReal in[], PetscReal width, PetscReal out[])
{
  const PetscInt K = PetscMin((PetscInt)PetscCeilReal(3 * width), (n - 1) / 2);
  PetscReal     *w, sum = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(2 * K + 1, &w));
  for (PetscInt k = -K; k <= K; ++k)
    sum += (w[k + K] = width > 0 ? PetscExpReal(-0.5 * k * k / (width * width)) : (k == 0));
  for (PetscInt i = 0; i < n; ++i) {
    PetscReal v = 0;
    for (PetscInt k = -K; k <= K; ++k)
      v += w[k + K] * in[((i + k) % n + n) % n];
    out[i] = v / sum;
  }
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Step 3: X = C + d n with (G * χ_X)(c_i) = 1/2 at every point of C, less the other particles'
   blur there (G * χ_others)(c_i) (kept above 0.1: a contour point inside another's blur) */
static PetscErrorCode SolveOutline(const ImagePolygon *C, PetscReal sigma, PetscInt nothers, const ImagePolygon others[], ImagePolygon *X, PetscInt *iterations, PetscReal *residual)
{
  const PetscInt  n     = C->n;
  const PetscReal delta = 0.05 * sigma, least = 0.1 / (PetscSqrtReal(2 * PETSC_PI) * sigma);
  const PetscReal width = sigma / (C->n > 0 ? Perimeter(C) / C->n : 1); /* sigma in points */
  PetscReal      *nrm, *d, *xd, *rate, *step, *smooth, *target;
  PetscReal       worst = 0;
  PetscInt        it;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(2 * n, &nrm, n, &d, 2 * n, &xd, n, &rate));
  PetscCall(PetscMalloc3(n, &step, n, &smooth, n, &target));
  for (PetscInt i = 0; i < n; ++i) target[i] = PetscMax(0.1, 0.5 - OthersCoverage(nothers, others, sigma, C->xy[2 * i], C->xy[2 * i + 1]));
  OutwardNormals(n, C->xy, nrm);
  PetscCall(PetscMalloc1(2 * n, &X->xy));
  X->n     = n;
  X->loops = C->loops;
  for (PetscInt i = 0; i < n; ++i)
    d[i] = 0;
  for (it = 0; it < DEBLUR_INNER; ++it) {
    for (PetscInt i = 0; i < 2 * n; ++i)
      X->xy[i] = C->xy[i] + d[i / 2] * nrm[i];
    if (it < 3 || it % 5 == 0) { /* the response to a uniform move changes little */
      for (PetscInt i = 0; i < 2 * n; ++i)
        xd[i] = X->xy[i] + delta * nrm[i];
      for (PetscInt i = 0; i < n; ++i) {
        const PetscReal x = C->xy[2 * i], y = C->xy[2 * i + 1];
        rate[i] = (BlurredCoverage(n, xd, sigma, x, y) - BlurredCoverage(n, X->xy, sigma, x, y)) / delta;
        rate[i] = PetscMax(rate[i], least);
      }
    }
    for (PetscInt i = 0; i < n; ++i)
      step[i] = (BlurredCoverage(n, X->xy, sigma, C->xy[2 * i], C->xy[2 * i + 1]) - target[i]) / rate[i];
    PetscCall(SmoothAlong(n, step, width, smooth));
    worst = 0;
    for (PetscInt i = 0; i < n; ++i) {
      worst = PetscMax(worst, PetscAbsReal(smooth[i] * rate[i]));
      d[i] -= smooth[i];
    }
    if (worst < DEBLUR_TOLERANCE) break;
  }
  for (PetscInt i = 0; i < 2 * n; ++i)
    X->xy[i] = C->xy[i] + d[i / 2] * nrm[i];
  *iterations = it + 1;
  *residual   = worst;
  PetscCall(PetscFree4(nrm, d, xd, rate));
  PetscCall(PetscFree3(step, smooth, target));
  PetscFunctionReturn(0);
}

/* Keys' cubic convolution kernel (a = -1/2): interpolates, exact for quadratics */
static PetscReal Cubic(PetscReal x)
{
  x = PetscAbsReal(x);
  if (x < 1) return (1.5 * x - 2.5) * x * x + 1;
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

/* seg->smooth at (x, y), pixel units of the image frame (pixel centres at half-integers) */
static PetscReal SmoothAt(const ImageSegmentation *seg, PetscReal x, PetscReal y)
{
  const PetscReal u = x - 0.5, v = y - 0.5;
  const PetscInt  c = (PetscInt)PetscFloorReal(u), r = (PetscInt)PetscFloorReal(v);
  PetscReal       sum = 0;

  for (PetscInt i = r - 1; i <= r + 2; ++i) {
    const PetscInt  ii = PetscMin(seg->rows - 1, PetscMax(0, i));
    const PetscReal wy = Cubic(v - i);
    for (PetscInt j = c - 1; j <= c + 2; ++j) {
      const PetscInt jj = PetscMin(seg->cols - 1, PetscMax(0, j));
      sum += wy * Cubic(u - j) * seg->smooth[(size_t)ii * seg->cols + jj];
    }
  }
  return sum;
}

/* Step 2: the contour of seg->smooth at level seg->threshold, every spacing pixels: traced by
   marching squares, whose straight interpolation between pixel centres puts it up to a few
   hundredths of a pixel off where the blurred profile bends (a particle a few sigma across:
   -1 % of its area), then each point moved along the normal onto the level of the cubic
   interpolant (secant steps), and lightly smoothed (pixel noise) */
static PetscErrorCode TraceEven(const ImageSegmentation *seg, PetscReal spacing, ImagePolygon *out)
{
  ImagePolygon    trace;
  PetscReal      *nrm;
  const PetscReal t = seg->threshold;

  PetscFunctionBeginUser;
  PetscCall(ImageOutlineTrace(seg, &trace));
  PetscCall(ImagePolygonResample(&trace, spacing, 16, out));
  PetscCall(ImagePolygonDestroy(&trace));
  PetscCall(PetscMalloc1(2 * out->n, &nrm));
  OutwardNormals(out->n, out->xy, nrm);
  for (PetscInt i = 0; i < out->n; ++i) {
    const PetscReal x = out->xy[2 * i], y = out->xy[2 * i + 1], nx = nrm[2 * i], ny = nrm[2 * i + 1];
    PetscReal       a = -0.25, b = 0.25, fa = SmoothAt(seg, x + a * nx, y + a * ny) - t, fb = SmoothAt(seg, x + b * nx, y + b * ny) - t;
    for (int k = 0; k < 6 && fa != fb; ++k) {
      const PetscReal c = b - fb * (b - a) / (fb - fa);
      if (!(PetscAbsReal(c) <= 1)) break; /* no crossing near: keep the traced point */
      a  = b;
      fa = fb;
      b  = c;
      fb = SmoothAt(seg, x + b * nx, y + b * ny) - t;
      if (PetscAbsReal(b - a) < 1e-4) break;
    }
    if (PetscAbsReal(b) <= 1) {
      out->xy[2 * i]     = x + b * nx;
      out->xy[2 * i + 1] = y + b * ny;
    }
  }
  PetscCall(PetscFree(nrm));
  PetscCall(ImagePolygonSmooth(out, 1.0));
  PetscFunctionReturn(0);
}

/* What one level t gives (steps 2, 3 and 1 again): seg at t, its half-level contour C, the
   outline X, and the levels lo, hi fitted with X */
typedef struct {
  const MeshRaster *img;
  const ImageSpec  *s;
  PetscInt          peak; /* the particle's brightest pixel: its seed at every level */
  PetscReal         sigma, spacing;
  PetscInt          nothers; /* the other particles near, their outlines (pixels of img) */
  const ImagePolygon *others;
  char              where[PETSC_MAX_PATH_LEN];
} Deblurring;

static PetscErrorCode AtLevel(const Deblurring *db, PetscReal t, ImageSegmentation *seg, ImagePolygon *C, ImagePolygon *X, PetscReal *lo, PetscReal *hi, ImageDeblur *info)
{
  const ImageSpec *s    = db->s;
  ImageSpec        half = *s;
  PetscInt         used;

  PetscFunctionBeginUser;
  PetscCheck(seg->smooth[db->peak] > t, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the particle of image '%s' is too small for a PSF of sigma %.4g um: the blur has flattened it below the level %.4g halfway between the particle (%.4g) and the background (%.4g), and its edge cannot be placed", db->where, s->file, (double)s->psf_sigma, (double)(s->invert ? 1 - t : t), (double)(s->invert ? 1 - *hi : *hi), (double)(s->invert ? 1 - *lo : *lo));
  half.threshold = s->invert ? 1 - t : t;
  half.has_seed  = PETSC_TRUE;
  half.seed[0]   = db->peak / seg->cols;
  half.seed[1]   = db->peak % seg->cols;
  PetscCall(ImageSegmentationDestroy(seg));
  PetscCall(ImageSegment(db->img, &half, seg));
  PetscCheck(!seg->border_pixels || !s->crop, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at the level %.4g, halfway between the particle and the background, the particle of image '%s' joins a neighbour there: the gap between them is too narrow for the blur (about a PSF sigma or less), and its edge cannot be placed; mesh the frame without the PSF (the outlines then lie out in the blur)", db->where, (double)(s->invert ? 1 - t : t), s->file);
  PetscCheck(!seg->border_pixels, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: at the level %.4g, halfway between the particle and the background, the particle of image '%s' reaches the image border, where its blurred edge is cut off; the outline at the deblurred edge needs the whole particle and some background around it in the frame", db->where, (double)(s->invert ? 1 - t : t), s->file);
  PetscCall(ImagePolygonDestroy(C));
  PetscCall(TraceEven(seg, db->spacing, C));
  PetscCall(ImagePolygonDestroy(X));
  PetscCall(SolveOutline(C, db->sigma, db->nothers, db->others, X, &info->iterations, &info->residual));
  PetscCall(FitLevels(seg, X, db->sigma, db->nothers, db->others, lo, hi, &used));
  PetscCheck(*hi - *lo > 1e-6 && used > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the particle of image '%s' is not %s than its surroundings at its edge (fitted through the blur: particle %.4g, background %.4g); check --invert (-mesh_image_invert)", db->where, s->file, s->invert ? "darker" : "brighter", (double)(s->invert ? 1 - *hi : *hi), (double)(s->invert ? 1 - *lo : *lo));
  ++info->levels;
  PetscCall(PetscInfo(NULL, "deblurred outline: level %g gives background %g, plateau %g (their mean - level: %g; %d outline iterations, residual %g)\n", (double)t, (double)*lo, (double)*hi, (double)(0.5 * (*lo + *hi) - t), (int)info->iterations, (double)info->residual));
  PetscFunctionReturn(0);
}

PetscErrorCode ImageOutlineDeblur(const MeshRaster *img, const ImageSpec *s, ImageSegmentation *seg, PetscInt nothers, const ImagePolygon others[], ImagePolygon *outline, ImageDeblur *info)
{
  const PetscReal psf = s->psf_sigma / s->pixel_size; /* pixels */
  Deblurring      db;
  PetscReal       perimeter, lo = 0, hi = 0, area_c, area_x, ta, ha, tb, hb, d_half;
  ImagePolygon    X = {0, NULL, 0}, C = {0, NULL, 0};
  PetscInt        used;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(info, sizeof(*info)));
  PetscCall(PetscMemzero(&db, sizeof(db)));
  db.img     = img;
  db.s       = s;
  db.nothers = nothers;
  db.others  = others;
  db.sigma = PetscSqrtReal(psf * psf + DenoiseVariance(s->sigma) + 1.0 / 12);
  PetscCall(InputOptionWhere("-mesh_image_psf_sigma", db.where, sizeof(db.where)));
  info->sigma = db.sigma;
  PetscCheck(!seg->border_pixels, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the particle of image '%s' touches the image border (%" PetscInt_FMT " pixels), where its blurred edge is cut off; the outline at the deblurred edge needs the whole particle and some background around it in the frame", db.where, s->file, seg->border_pixels);
  for (size_t i = 0; i < (size_t)seg->rows * seg->cols; ++i)
    if (seg->mask[i] && (!seg->mask[db.peak] || seg->smooth[i] > seg->smooth[db.peak])) db.peak = (PetscInt)i;

  { /* the first outline: Otsu's (or the given threshold's) */
    ImagePolygon trace;
    PetscCall(ImageOutlineTrace(seg, &trace));
    PetscCall(ImagePolygonMeasure(&trace, NULL, &perimeter, NULL));
    db.spacing = PetscMax(PetscMax(0.5, db.sigma / 3), perimeter / DEBLUR_MAX_POINTS);
    PetscCall(ImagePolygonResample(&trace, db.spacing, 16, &X));
    PetscCall(ImagePolygonDestroy(&trace));
  }
  PetscCall(FitLevels(seg, &X, db.sigma, nothers, others, &lo, &hi, &used));
  /* the level t at which the levels fitted with X(t) put the half level at t: a root of
     h(t) = (lo + hi)/2 − t. The plain iteration t ← (lo + hi)/2 runs away on a particle a few
     sigma across (a larger outline fits a dimmer plateau, which lowers the level further), so
     secant steps, no longer than a fifth of the contrast each */
  ta = 0.5 * (lo + hi);
  PetscCall(AtLevel(&db, ta, seg, &C, &X, &lo, &hi, info));
  ha = 0.5 * (lo + hi) - ta;
  { /* a particle only a few sigma across: a larger, dimmer one blurs alike, nothing decides */
    PetscReal area_half;
    PetscCall(ImagePolygonMeasure(&C, &area_half, NULL, NULL));
    d_half = 2 * PetscSqrtReal(PetscMax(area_half, 0) / PETSC_PI) * s->pixel_size;
    PetscCheck(d_half >= DEBLUR_MIN_DIAMETER * s->psf_sigma, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the particle of image '%s' is too small for a PSF of sigma %.4g um: its half-level contour is %.3g um across, less than %.3g sigma (%.4g um), and the blur hides where its edge lies (a smaller, brighter particle and a larger, dimmer one look alike); its outline at the deblurred edge cannot be placed", db.where, s->file, (double)s->psf_sigma, (double)d_half, (double)DEBLUR_MIN_DIAMETER, (double)(DEBLUR_MIN_DIAMETER * s->psf_sigma));
  }
  tb = ta + ha;
  hb = ha;
  if (PetscAbsReal(ha) > DEBLUR_LEVEL_TOLERANCE * (hi - lo)) {
    PetscCall(AtLevel(&db, tb, seg, &C, &X, &lo, &hi, info));
    hb = 0.5 * (lo + hi) - tb;
    for (PetscInt k = 0; k < DEBLUR_LEVELS && PetscAbsReal(hb) > DEBLUR_LEVEL_TOLERANCE * (hi - lo); ++k) {
      const PetscReal most = 0.2 * (hi - lo);
      PetscReal       tc   = hb != ha ? tb - hb * (tb - ta) / (hb - ha) : tb + hb;
      tc                   = PetscMin(tb + most, PetscMax(tb - most, tc));
      tc                   = PetscMin(lo + 0.6 * (hi - lo), PetscMax(lo + 0.4 * (hi - lo), tc)); /* a level far from halfway: no root */
      ta                   = tb;
      ha                   = hb;
      tb                   = tc;
      PetscCall(AtLevel(&db, tb, seg, &C, &X, &lo, &hi, info));
      hb = 0.5 * (lo + hi) - tb;
    }
  }
  PetscCheck(PetscAbsReal(hb) <= 10 * DEBLUR_LEVEL_TOLERANCE * (hi - lo) && info->residual < 0.01, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s: the particle of image '%s' is too small for a PSF of sigma %.4g um (its half-level contour is %.3g um across): no level halfway between particle and background is consistent with the blur (a smaller, brighter particle and a larger, dimmer one look alike); its outline at the deblurred edge cannot be placed", db.where, s->file, (double)s->psf_sigma, (double)d_half);
  PetscCall(FitOffset(seg, db.sigma, nothers, others, &X, &lo, &hi, &info->offset));
  PetscCall(ImagePolygonMeasure(&C, &area_c, &perimeter, NULL));
  PetscCall(ImagePolygonMeasure(&X, &area_x, NULL, NULL));
  info->background = lo;
  info->plateau    = hi;
  info->level      = tb; /* the contour traced */
  info->area_half  = area_c;
  info->area       = area_x;
  info->shift      = (area_x - area_c) / perimeter; /* mean outward move, pixels */
  PetscCall(ImagePolygonDestroy(&C));
  *outline = X;
  PetscFunctionReturn(0);
}

PetscErrorCode MeshImageDeblurredOutline(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal pixel_size, PetscReal sigma, PetscBool invert, PetscReal psf_sigma, PetscInt *n, PetscReal **xy, PetscReal *area, PetscReal levels[2])
{
  MeshRaster        img;
  ImageSpec         spec;
  ImageSegmentation seg;
  ImagePolygon      outline;
  ImageDeblur       info;

  PetscFunctionBeginUser;
  PetscCall(ImageFrameSpec(rows, cols, grey, name, pixel_size, sigma, invert, &img, &spec));
  spec.psf_sigma = psf_sigma;
  PetscCall(ImageSegment(&img, &spec, &seg));
  PetscCall(ImageOutlineDeblur(&img, &spec, &seg, 0, NULL, &outline, &info));
  PetscCall(ImageSegmentationDestroy(&seg));
  for (PetscInt i = 0; i < 2 * outline.n; ++i)
    outline.xy[i] *= pixel_size;
  if (n) *n = outline.n;
  if (area) *area = info.area * pixel_size * pixel_size;
  if (levels) {
    levels[0] = invert ? 1 - info.background : info.background;
    levels[1] = invert ? 1 - info.plateau : info.plateau;
  }
  if (xy)
    *xy = outline.xy;
  else
    PetscCall(ImagePolygonDestroy(&outline));
  PetscFunctionReturn(0);
}
