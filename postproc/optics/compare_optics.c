/* Optics: what a camera behind a microscope records of a simulated particle.

   The forward model shared by spot synth and spot compare. On a fine grid of the mesh frame
   (pixels of p_o/3, sample points 3 × 3 per pixel) the run gives the particle coverage χ and θ.
   An intensity field I(x) = I0 (1 + k (θ0 − θ)) χ + I_bg (1 − χ) is blurred by a Gaussian
   point-spread function G_σ and integrated over each camera pixel (3 × 3 points per pixel,
   bilinear in the fine grid), the camera pixel lying wherever the registration x = A u + b puts
   it. Since blur and integration are linear, with P the integration over a camera pixel:
     I_j = I0 [P(G*χ)_j + k P(G*((θ0 − θ)χ))_j] + I_bg [1 − P(G*χ)_j],
   and the differential contrast against the initial state is
     I_j(t)/I_j(0) − 1 = k P(G*Δχ)_j / (β + (1 − β) P(G*χ)_j),   Δ = θ0 − θ, β = I_bg / I0.
   The fine grid extends 4σ + 2 p_o beyond the particle, so nothing blurred is lost at its edge
   (values outside it are zero, as χ is). */
#include "postproc/optics/opticsimpl.h"
#include <math.h>

PetscErrorCode OpticalFrameRigid(PetscReal pixel_size, PetscReal rotation_deg, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *f)
{
  PetscFunctionBeginUser;
  PetscCall(OpticalFrameSimilarity(pixel_size, rotation_deg, 1, u_centroid, x_centroid, f));
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalFrameSimilarity(PetscReal pixel_size, PetscReal rotation_deg, PetscReal scale, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *f)
{
  const PetscReal phi = rotation_deg * PETSC_PI / 180, c = scale * PetscCosReal(phi), s = scale * PetscSinReal(phi);

  PetscFunctionBeginUser;
  /* the optical image shows the particle rotated by phi and shrunk by the scale:
     u = R(phi)(x − x_c) / scale + u_c, so x = scale R(−phi)(u − u_c) + x_c */
  f->pixel_size = pixel_size;
  f->A[0]       = c;
  f->A[1]       = s;
  f->A[2]       = -s;
  f->A[3]       = c;
  f->b[0]       = x_centroid[0] - (f->A[0] * u_centroid[0] + f->A[1] * u_centroid[1]);
  f->b[1]       = x_centroid[1] - (f->A[2] * u_centroid[0] + f->A[3] * u_centroid[1]);
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalFrameToMesh(const OpticalFrame *f, const PetscReal u[2], PetscReal x[2])
{
  PetscFunctionBeginUser;
  x[0] = f->A[0] * u[0] + f->A[1] * u[1] + f->b[0];
  x[1] = f->A[2] * u[0] + f->A[3] * u[1] + f->b[1];
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalFrameToOptical(const OpticalFrame *f, const PetscReal x[2], PetscReal u[2])
{
  const PetscReal det = f->A[0] * f->A[3] - f->A[1] * f->A[2], d0 = x[0] - f->b[0], d1 = x[1] - f->b[1];

  PetscFunctionBeginUser;
  PetscCheck(det != 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "the registration matrix is singular");
  u[0] = (f->A[3] * d0 - f->A[1] * d1) / det;
  u[1] = (-f->A[2] * d0 + f->A[0] * d1) / det;
  PetscFunctionReturn(0);
}

/* For a rotation-and-scale A = s R(−phi): phi (deg, as displayed: clockwise) and s */
PetscErrorCode OpticalFrameRotation(const OpticalFrame *f, PetscReal *rotation_deg, PetscReal *scale)
{
  PetscFunctionBeginUser;
  if (rotation_deg) *rotation_deg = PetscAtan2Real(f->A[1], f->A[0]) * 180 / PETSC_PI;
  if (scale) *scale = PetscSqrtReal(PetscAbsReal(f->A[0] * f->A[3] - f->A[1] * f->A[2]));
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalWindow(const RasterGrid *fine, const OpticalFrame *f, PetscInt rows, PetscInt cols, PetscInt margin, PetscInt *r0, PetscInt *c0, PetscInt *wr, PetscInt *wc)
{
  PetscReal lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL};
  PetscInt  a0, a1, b0, b1;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < 4; ++k) {
    const PetscReal x[2] = {fine->origin[0] + (k & 1 ? fine->cols : 0) * fine->pixel_size, fine->origin[1] + (k & 2 ? fine->rows : 0) * fine->pixel_size};
    PetscReal       u[2];
    PetscCall(OpticalFrameToOptical(f, x, u));
    for (PetscInt d = 0; d < 2; ++d) {
      lo[d] = PetscMin(lo[d], u[d] / f->pixel_size);
      hi[d] = PetscMax(hi[d], u[d] / f->pixel_size);
    }
  }
  if (PetscIsInfOrNanReal(lo[0]) || PetscIsInfOrNanReal(lo[1]) || PetscIsInfOrNanReal(hi[0]) || PetscIsInfOrNanReal(hi[1]) || hi[0] < -margin || hi[1] < -margin || lo[0] > cols + margin || lo[1] > rows + margin) {
    *r0 = *c0 = *wr = *wc = 0; /* nowhere in the frame (or no frame at all: a transform of NaN) */
    PetscFunctionReturn(0);
  }
  for (PetscInt d = 0; d < 2; ++d) { /* within reach of an integer before the cast */
    lo[d] = PetscMax(lo[d], -1.0 - margin);
    hi[d] = PetscMin(hi[d], (d ? rows : cols) + 1.0 + margin);
  }
  a0 = (PetscInt)PetscFloorReal(lo[0]) - margin;
  a1 = (PetscInt)PetscFloorReal(hi[0]) + margin;
  b0 = (PetscInt)PetscFloorReal(lo[1]) - margin;
  b1 = (PetscInt)PetscFloorReal(hi[1]) + margin;
  a0 = PetscMax(a0, 0);
  b0 = PetscMax(b0, 0);
  a1 = PetscMin(a1, cols - 1);
  b1 = PetscMin(b1, rows - 1);
  *c0 = a0;
  *r0 = b0;
  *wc = PetscMax(0, a1 - a0 + 1);
  *wr = PetscMax(0, b1 - b0 + 1);
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalProjectionCreate(const RasterGrid *fine, const OpticalFrame *f, PetscInt r0, PetscInt c0, PetscInt rows, PetscInt cols, PetscInt sub, OpticalProjection *P)
{
  const PetscInt  n = rows * cols, cap = n * sub * sub * 4;
  const PetscReal w_sub = 1.0 / (sub * sub), pf = fine->pixel_size;
  PetscInt        k = 0;

  PetscFunctionBeginUser;
  P->r0   = r0;
  P->c0   = c0;
  P->rows = rows;
  P->cols = cols;
  PetscCall(PetscMalloc3(n + 1, &P->offsets, cap + 1, &P->index, cap + 1, &P->weight));
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      P->offsets[r * cols + c] = k;
      for (PetscInt i = 0; i < sub; ++i)
        for (PetscInt j = 0; j < sub; ++j) {
          const PetscReal u[2] = {(c0 + c + (j + 0.5) / sub) * f->pixel_size, (r0 + r + (i + 0.5) / sub) * f->pixel_size};
          PetscReal       x[2], fx, fy, wx, wy;
          PetscInt        ix, iy;
          x[0] = f->A[0] * u[0] + f->A[1] * u[1] + f->b[0];
          x[1] = f->A[2] * u[0] + f->A[3] * u[1] + f->b[1];
          fx   = (x[0] - fine->origin[0]) / pf - 0.5;
          fy   = (x[1] - fine->origin[1]) / pf - 0.5;
          if (fx < -1 || fy < -1 || fx > fine->cols || fy > fine->rows) continue;
          ix = (PetscInt)PetscFloorReal(fx);
          iy = (PetscInt)PetscFloorReal(fy);
          wx = fx - ix;
          wy = fy - iy;
          for (PetscInt a = 0; a < 2; ++a)
            for (PetscInt b = 0; b < 2; ++b) {
              const PetscInt  qx = ix + b, qy = iy + a;
              const PetscReal w  = (b ? wx : 1 - wx) * (a ? wy : 1 - wy) * w_sub;
              if (qx < 0 || qy < 0 || qx >= fine->cols || qy >= fine->rows || w == 0) continue;
              P->index[k]  = qy * fine->cols + qx;
              P->weight[k] = w;
              ++k;
            }
        }
    }
  P->offsets[n] = k;
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalProjectionApply(const OpticalProjection *P, const PetscReal fine[], PetscReal out[])
{
  const PetscInt n = P->rows * P->cols;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < n; ++j) {
    PetscReal s = 0;
    for (PetscInt k = P->offsets[j]; k < P->offsets[j + 1]; ++k) s += P->weight[k] * fine[P->index[k]];
    out[j] = s;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalProjectionDestroy(OpticalProjection *P)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(P->offsets, P->index, P->weight));
  PetscFunctionReturn(0);
}

/* Separable Gaussian, truncated at 4 sigma and renormalised, zero outside the image */
PetscErrorCode OpticalBlur(PetscInt rows, PetscInt cols, PetscReal sigma, const PetscReal in[], PetscReal out[])
{
  PetscInt   K;
  PetscReal *w, *tmp;

  PetscFunctionBeginUser;
  if (sigma < 0.05) {
    if (out != in) PetscCall(PetscArraycpy(out, in, (size_t)rows * cols));
    PetscFunctionReturn(0);
  }
  K = (PetscInt)PetscCeilReal(4 * sigma);
  PetscCall(PetscMalloc2(2 * K + 1, &w, (size_t)rows * cols, &tmp));
  {
    PetscReal sum = 0;
    for (PetscInt k = -K; k <= K; ++k) sum += (w[k + K] = PetscExpReal(-0.5 * k * k / (sigma * sigma)));
    for (PetscInt k = 0; k <= 2 * K; ++k) w[k] /= sum;
  }
  for (PetscInt r = 0; r < rows; ++r) { /* along the rows */
    const PetscReal *src = in + (size_t)r * cols;
    PetscReal       *dst = tmp + (size_t)r * cols;
    for (PetscInt c = 0; c < cols; ++c) {
      const PetscInt lo = PetscMax(-K, -c), hi = PetscMin(K, cols - 1 - c);
      PetscReal      s  = 0;
      for (PetscInt k = lo; k <= hi; ++k) s += w[k + K] * src[c + k];
      dst[c] = s;
    }
  }
  for (PetscInt r = 0; r < rows; ++r) { /* along the columns, a row at a time */
    PetscReal     *dst = out + (size_t)r * cols;
    const PetscInt lo = PetscMax(-K, -r), hi = PetscMin(K, rows - 1 - r);
    for (PetscInt c = 0; c < cols; ++c) dst[c] = 0;
    for (PetscInt k = lo; k <= hi; ++k) {
      const PetscReal *src = tmp + (size_t)(r + k) * cols, wk = w[k + K];
      for (PetscInt c = 0; c < cols; ++c) dst[c] += wk * src[c];
    }
  }
  PetscCall(PetscFree2(w, tmp));
  PetscFunctionReturn(0);
}

PetscErrorCode OpticalFineGrid(const MeshInfo *info, PetscReal optical_pixel, PetscReal sigma_max, PetscReal moved_max, RasterGrid *fine)
{
  const PetscReal extent = PetscMax(info->upper[0] - info->lower[0], info->upper[1] - info->lower[1]);
  const PetscReal margin = 4 * sigma_max + 2 * optical_pixel + moved_max;
  PetscReal       pf     = optical_pixel / 3;

  PetscFunctionBeginUser;
  pf = PetscMax(pf, (extent + 2 * margin) / 600);
  PetscCall(RasterGridAround(info, pf, margin, PETSC_FALSE, 3, fine));
  PetscFunctionReturn(0);
}

PetscBool OpticalInside(PetscInt nfacets, const PetscReal facets[], const PetscReal x[2])
{
  PetscBool inside = PETSC_FALSE;
  for (PetscInt f = 0; f < nfacets; ++f) {
    const PetscReal *a = &facets[4 * f], *b = a + 2;
    if ((a[1] > x[1]) != (b[1] > x[1])) {
      const PetscReal xc = a[0] + (x[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
      if (x[0] < xc) inside = inside ? PETSC_FALSE : PETSC_TRUE;
    }
  }
  return inside;
}

void OpticalFrameShiftToMesh(const OpticalFrame *frame, const PetscReal shift_px[2], PetscReal dx[2])
{
  const PetscReal du[2] = {shift_px[0] * frame->pixel_size, shift_px[1] * frame->pixel_size};
  dx[0]                 = frame->A[0] * du[0] + frame->A[1] * du[1];
  dx[1]                 = frame->A[2] * du[0] + frame->A[3] * du[1];
}
