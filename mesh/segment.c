/* Segmentation of one particle in a grey image (rank 0 only).

   Steps, on the grey image as displayed (inverted first with -mesh_image_invert, so that the
   particle is always the bright part):
   1. Gaussian denoising, standard deviation sigma pixels, separable, edges replicated.
   2. Threshold t: Otsu's (maximum between-class variance of a 1024-bin histogram of the smoothed
      image), or a given grey value. Foreground: smoothed > t.
   3. Morphological opening then closing with discs of the given radii (pixels (i, j) with
      i² + j² <= r²), done exactly through squared Euclidean distance transforms; pixels outside
      the image count neither as foreground nor as background.
   4. Connected components (8-connected foreground); the largest is kept, or the one containing
      the seed (row, col). A seed in a dark hole of a particle selects that particle.
   5. Hole filling: background not 4-connected to the outside of the image is particle (a dark
      crack inside a particle is part of it).
   The result is the particle mask and the smoothed image, from which mesh/outline.c traces
   the outline at sub-pixel accuracy. */
#include "mesh/meshimpl.h"
#include <math.h>

#define HISTOGRAM_BINS 1024
#define EDT_FAR 1e20
#define MIN_PIXELS 16

/* out = in convolved with a Gaussian of standard deviation sigma (pixels); in == out is allowed */
PetscErrorCode ImageGaussianBlur(PetscInt rows, PetscInt cols, const PetscReal in[], PetscReal sigma, PetscReal out[])
{
  PetscInt   K;
  PetscReal *w, *tmp, *line;

  PetscFunctionBeginUser;
  if (sigma < 0.05) {
    if (out != in) PetscCall(PetscArraycpy(out, in, (size_t)rows * cols));
    PetscFunctionReturn(0);
  }
  K = (PetscInt)PetscCeilReal(3 * sigma);
  PetscCall(PetscMalloc1(2 * K + 1, &w));
  {
    PetscReal sum = 0;
    for (PetscInt k = -K; k <= K; ++k)
      sum += (w[k + K] = PetscExpReal(-0.5 * k * k / (sigma * sigma)));
    for (PetscInt k = 0; k <= 2 * K; ++k)
      w[k] /= sum;
  }
  PetscCall(PetscMalloc2((size_t)rows * cols, &tmp, cols + 2 * K, &line));
  /* along rows: a padded copy of each row, edges replicated */
  for (PetscInt r = 0; r < rows; ++r) {
    const PetscReal *src = in + (size_t)r * cols;
    PetscReal       *dst = tmp + (size_t)r * cols;
    for (PetscInt c = -K; c < cols + K; ++c)
      line[c + K] = src[c < 0 ? 0 : (c >= cols ? cols - 1 : c)];
    for (PetscInt c = 0; c < cols; ++c) {
      PetscReal s = 0;
      for (PetscInt k = 0; k <= 2 * K; ++k)
        s += w[k] * line[c + k];
      dst[c] = s;
    }
  }
  /* along columns: whole rows at a time, for the cache */
  for (PetscInt r = 0; r < rows; ++r) {
    PetscReal *dst = out + (size_t)r * cols;
    for (PetscInt c = 0; c < cols; ++c)
      dst[c] = 0;
    for (PetscInt k = -K; k <= K; ++k) {
      const PetscInt   rr  = r + k < 0 ? 0 : (r + k >= rows ? rows - 1 : r + k);
      const PetscReal *src = tmp + (size_t)rr * cols, wk = w[k + K];
      for (PetscInt c = 0; c < cols; ++c)
        dst[c] += wk * src[c];
    }
  }
  PetscCall(PetscFree2(tmp, line));
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* Otsu's threshold of values in [lo, hi]: the bin edge of largest between-class variance */
static PetscErrorCode OtsuThreshold(size_t n, const PetscReal v[], PetscReal lo, PetscReal hi, PetscReal *t)
{
  size_t   *hist;
  PetscReal scale = HISTOGRAM_BINS / (hi - lo), sum = 0, best = -1, w0 = 0, s0 = 0;
  PetscInt  kbest = HISTOGRAM_BINS / 2;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(HISTOGRAM_BINS, &hist));
  for (size_t i = 0; i < n; ++i) {
    PetscInt b = (PetscInt)((v[i] - lo) * scale);
    hist[b < 0 ? 0 : (b >= HISTOGRAM_BINS ? HISTOGRAM_BINS - 1 : b)]++;
  }
  for (PetscInt b = 0; b < HISTOGRAM_BINS; ++b) sum += (b + 0.5) * hist[b];
  for (PetscInt b = 0; b < HISTOGRAM_BINS - 1; ++b) { /* class 0: bins 0..b */
    PetscReal w1, m0, m1, between;
    w0 += hist[b];
    s0 += (b + 0.5) * hist[b];
    w1 = (PetscReal)n - w0;
    if (w0 == 0 || w1 == 0) continue;
    m0      = s0 / w0;
    m1      = (sum - s0) / w1;
    between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best  = between;
      kbest = b;
    }
  }
  *t = lo + (kbest + 1) / scale;
  PetscCall(PetscFree(hist));
  PetscFunctionReturn(0);
}

/* Squared Euclidean distance transform of one line (Felzenszwalb & Huttenlocher): d[q] = min_p (q-p)² + f[p] */
static void DistanceLine(PetscInt n, const PetscReal f[], PetscReal d[], PetscInt v[], PetscReal z[])
{
  PetscInt k = 0;

  v[0] = 0;
  z[0] = -HUGE_VAL;
  z[1] = HUGE_VAL;
  for (PetscInt q = 1; q < n; ++q) {
    PetscReal s = ((f[q] + (PetscReal)q * q) - (f[v[k]] + (PetscReal)v[k] * v[k])) / (2.0 * (q - v[k]));
    while (s <= z[k]) { /* z[0] = -inf stops this */
      --k;
      s = ((f[q] + (PetscReal)q * q) - (f[v[k]] + (PetscReal)v[k] * v[k])) / (2.0 * (q - v[k]));
    }
    ++k;
    v[k]     = q;
    z[k]     = s;
    z[k + 1] = HUGE_VAL;
  }
  k = 0;
  for (PetscInt q = 0; q < n; ++q) {
    while (z[k + 1] < q)
      ++k;
    d[q] = (PetscReal)(q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/* d = squared distance from each pixel to the nearest pixel whose mask value equals feature */
static PetscErrorCode DistanceTransform(PetscInt rows, PetscInt cols, const unsigned char mask[], unsigned char feature, PetscReal d[])
{
  const PetscInt n = PetscMax(rows, cols);
  PetscReal     *f, *g, *z;
  PetscInt      *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(n, &f, n, &g, n + 1, &z, n, &v));
  for (PetscInt c = 0; c < cols; ++c) { /* down each column */
    for (PetscInt r = 0; r < rows; ++r)
      f[r] = mask[(size_t)r * cols + c] == feature ? 0 : EDT_FAR;
    DistanceLine(rows, f, g, v, z);
    for (PetscInt r = 0; r < rows; ++r)
      d[(size_t)r * cols + c] = g[r];
  }
  for (PetscInt r = 0; r < rows; ++r) { /* then along each row */
    PetscReal *row = d + (size_t)r * cols;
    PetscCall(PetscArraycpy(f, row, cols));
    DistanceLine(cols, f, row, v, z);
  }
  PetscCall(PetscFree4(f, g, z, v));
  PetscFunctionReturn(0);
}

/* Erode (erode = true) or dilate the mask by a disc of radius r pixels, in place */
static PetscErrorCode Morph(PetscInt rows, PetscInt cols, unsigned char mask[], PetscInt r, PetscBool erode, PetscReal work[])
{
  const size_t    n  = (size_t)rows * cols;
  const PetscReal r2 = (PetscReal)r * r;

  PetscFunctionBeginUser;
  PetscCall(DistanceTransform(rows, cols, mask, erode ? 0 : 1, work));
  for (size_t i = 0; i < n; ++i)
    mask[i] = erode ? (work[i] > r2) : (work[i] <= r2);
  PetscFunctionReturn(0);
}

/* 8-connected components of the mask: label[i] = 0 background, 1..ncomp; count[k] pixels each */
static PetscErrorCode Label(PetscInt rows, PetscInt cols, const unsigned char mask[], int label[], PetscInt *ncomp, PetscInt **count)
{
  const size_t n = (size_t)rows * cols;
  PetscInt    *stack, cap = 64, nc = 0, *cnt;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &stack));
  PetscCall(PetscMalloc1(cap, &cnt));
  for (size_t i = 0; i < n; ++i)
    label[i] = 0;
  for (size_t i = 0; i < n; ++i) {
    PetscInt top = 0, size = 0;
    if (!mask[i] || label[i]) continue;
    if (nc + 1 >= cap) {
      PetscInt *more;
      PetscCall(PetscMalloc1(2 * cap, &more));
      PetscCall(PetscArraycpy(more, cnt, cap));
      PetscCall(PetscFree(cnt));
      cnt = more;
      cap *= 2;
    }
    ++nc;
    label[i]     = (int)nc;
    stack[top++] = (PetscInt)i;
    while (top) {
      const PetscInt p = stack[--top], r = p / cols, c = p % cols;
      ++size;
      for (PetscInt dr = -1; dr <= 1; ++dr)
        for (PetscInt dc = -1; dc <= 1; ++dc) {
          const PetscInt rr = r + dr, cc = c + dc;
          size_t         q;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          q = (size_t)rr * cols + cc;
          if (mask[q] && !label[q]) {
            label[q]     = (int)nc;
            stack[top++] = (PetscInt)q;
          }
        }
    }
    cnt[nc] = size;
  }
  cnt[0] = 0;
  PetscCall(PetscFree(stack));
  *ncomp = nc;
  *count = cnt;
  PetscFunctionReturn(0);
}

/* Seed in the background: the particle whose hole holds it, or 0 when its dark region reaches the border */
static PetscErrorCode EnclosingComponent(PetscInt rows, PetscInt cols, const int label[], PetscInt seed, PetscInt ncomp, const PetscInt count[], PetscInt *which)
{
  const size_t   n = (size_t)rows * cols;
  unsigned char *seen;
  PetscInt      *stack, top = 0, box[4] = {rows, -1, cols, -1}, (*cbox)[4];
  PetscBool      open = PETSC_FALSE, *adjacent;

  PetscFunctionBeginUser;
  *which = 0;
  PetscCall(PetscCalloc1(n, &seen));
  PetscCall(PetscMalloc1(n, &stack));
  PetscCall(PetscCalloc1(ncomp + 1, &adjacent));
  stack[top++] = seed;
  seen[seed]   = 1;
  while (top) { /* 4-connected background flood */
    const PetscInt p = stack[--top], r = p / cols, c = p % cols;
    const PetscInt nb[4][2] = {
        {r - 1, c},
        {r + 1, c},
        {r, c - 1},
        {r, c + 1}};
    box[0] = PetscMin(box[0], r);
    box[1] = PetscMax(box[1], r);
    box[2] = PetscMin(box[2], c);
    box[3] = PetscMax(box[3], c);
    if (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) open = PETSC_TRUE;
    for (int k = 0; k < 4; ++k) {
      const PetscInt rr = nb[k][0], cc = nb[k][1];
      size_t         q;
      if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
      q = (size_t)rr * cols + cc;
      if (label[q])
        adjacent[label[q]] = PETSC_TRUE;
      else if (!seen[q]) {
        seen[q]      = 1;
        stack[top++] = (PetscInt)q;
      }
    }
    for (PetscInt dr = -1; dr <= 1; dr += 2) /* diagonal neighbours touch particles too */
      for (PetscInt dc = -1; dc <= 1; dc += 2) {
        const PetscInt rr = r + dr, cc = c + dc;
        if (rr >= 0 && rr < rows && cc >= 0 && cc < cols && label[(size_t)rr * cols + cc]) adjacent[label[(size_t)rr * cols + cc]] = PETSC_TRUE;
      }
  }
  if (!open) { /* the enclosing particle is the adjacent one whose bounding box holds the region's */
    PetscCall(PetscMalloc1(ncomp + 1, &cbox));
    for (PetscInt k = 0; k <= ncomp; ++k) {
      cbox[k][0] = rows;
      cbox[k][1] = -1;
      cbox[k][2] = cols;
      cbox[k][3] = -1;
    }
    for (size_t i = 0; i < n; ++i) {
      const int      k = label[i];
      const PetscInt r = (PetscInt)(i / cols), c = (PetscInt)(i % cols);
      if (!k || !adjacent[k]) continue;
      cbox[k][0] = PetscMin(cbox[k][0], r);
      cbox[k][1] = PetscMax(cbox[k][1], r);
      cbox[k][2] = PetscMin(cbox[k][2], c);
      cbox[k][3] = PetscMax(cbox[k][3], c);
    }
    for (PetscInt k = 1; k <= ncomp; ++k)
      if (adjacent[k] && cbox[k][0] < box[0] && cbox[k][1] > box[1] && cbox[k][2] < box[2] && cbox[k][3] > box[3] && (!*which || count[k] > count[*which])) *which = k;
    PetscCall(PetscFree(cbox));
  }
  PetscCall(PetscFree(adjacent));
  PetscCall(PetscFree(stack));
  PetscCall(PetscFree(seen));
  PetscFunctionReturn(0);
}

/* Fill the holes of mask (1 = particle) inside its bounding box: background not 4-connected to the outside */
static PetscErrorCode FillHoles(PetscInt rows, PetscInt cols, unsigned char mask[], const PetscInt box[4], PetscInt *filled)
{
  const PetscInt h = box[1] - box[0] + 3, w = box[3] - box[2] + 3; /* a ring of outside around the box */
  unsigned char *outside;
  PetscInt      *stack, top = 0;

  PetscFunctionBeginUser;
  *filled = 0;
  PetscCall(PetscCalloc1((size_t)h * w, &outside));
  PetscCall(PetscMalloc1((size_t)h * w, &stack));
  outside[0]   = 1;
  stack[top++] = 0;
  while (top) {
    const PetscInt p = stack[--top], i = p / w, j = p % w;
    const PetscInt nb[4][2] = {
        {i - 1, j},
        {i + 1, j},
        {i, j - 1},
        {i, j + 1}};
    for (int k = 0; k < 4; ++k) {
      const PetscInt ii = nb[k][0], jj = nb[k][1], r = box[0] - 1 + ii, c = box[2] - 1 + jj;
      PetscInt       q;
      if (ii < 0 || ii >= h || jj < 0 || jj >= w) continue;
      q = ii * w + jj;
      if (outside[q]) continue;
      if (r >= 0 && r < rows && c >= 0 && c < cols && mask[(size_t)r * cols + c]) continue;
      outside[q]   = 1;
      stack[top++] = q;
    }
  }
  for (PetscInt r = box[0]; r <= box[1]; ++r)
    for (PetscInt c = box[2]; c <= box[3]; ++c) {
      const size_t i = (size_t)r * cols + c;
      if (!mask[i] && !outside[(r - box[0] + 1) * w + (c - box[2] + 1)]) {
        mask[i] = 1;
        ++*filled;
      }
    }
  PetscCall(PetscFree(stack));
  PetscCall(PetscFree(outside));
  PetscFunctionReturn(0);
}

PetscErrorCode ImageSegmentationDestroy(ImageSegmentation *seg)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(seg->smooth));
  PetscCall(PetscFree(seg->mask));
  PetscFunctionReturn(0);
}

PetscErrorCode ImageSegment(const MeshRaster *img, const ImageSpec *spec, ImageSegmentation *seg)
{
  const PetscInt rows = img->rows, cols = img->cols;
  const size_t   n  = (size_t)rows * cols;
  PetscReal      lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, *work;
  int           *label;
  PetscInt       ncomp = 0, *count = NULL, which = 0;
  const char    *brighter = spec->invert ? "darker" : "brighter";

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(seg, sizeof(*seg)));
  seg->rows = rows;
  seg->cols = cols;
  PetscCall(PetscMalloc1(n, &seg->smooth));
  PetscCall(PetscMalloc1(n, &seg->mask));
  for (size_t i = 0; i < n; ++i)
    seg->smooth[i] = spec->invert ? 1 - img->grey[i] : img->grey[i];
  PetscCall(ImageGaussianBlur(rows, cols, seg->smooth, spec->sigma, seg->smooth));
  for (size_t i = 0; i < n; ++i) {
    lo = PetscMin(lo, seg->smooth[i]);
    hi = PetscMax(hi, seg->smooth[i]);
  }
  seg->low  = lo;
  seg->high = hi;
  if (spec->threshold < 0) {
    PetscCheck(hi - lo > 1e-6, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has no particle: it is uniform (grey value %.4g everywhere)", spec->file, (double)(spec->invert ? 1 - lo : lo));
    PetscCall(OtsuThreshold(n, seg->smooth, lo, hi, &seg->threshold));
  } else
    seg->threshold = spec->invert ? 1 - spec->threshold : spec->threshold;
  for (size_t i = 0; i < n; ++i)
    seg->mask[i] = seg->smooth[i] > seg->threshold;

  PetscCall(PetscMalloc1(n, &work));
  if (spec->open_radius > 0) {
    PetscCall(Morph(rows, cols, seg->mask, spec->open_radius, PETSC_TRUE, work));
    PetscCall(Morph(rows, cols, seg->mask, spec->open_radius, PETSC_FALSE, work));
  }
  if (spec->close_radius > 0) {
    PetscCall(Morph(rows, cols, seg->mask, spec->close_radius, PETSC_FALSE, work));
    PetscCall(Morph(rows, cols, seg->mask, spec->close_radius, PETSC_TRUE, work));
  }
  PetscCall(PetscFree(work));

  PetscCall(PetscMalloc1(n, &label));
  PetscCall(Label(rows, cols, seg->mask, label, &ncomp, &count));
  seg->num_regions = ncomp;
  if (!ncomp) {
    PetscCall(PetscFree(label));
    PetscCall(PetscFree(count));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has no particle: no pixel is %s than the threshold %.4g (smoothed grey values %.4g to %.4g)%s", spec->file, brighter, (double)(spec->invert ? 1 - seg->threshold : seg->threshold), (double)(spec->invert ? 1 - hi : lo), (double)(spec->invert ? 1 - lo : hi), spec->invert ? "; is the particle dark? drop -mesh_image_invert otherwise" : "; for a dark particle on a bright background use --invert (-mesh_image_invert)");
  }
  if (spec->has_seed) {
    const PetscInt r = spec->seed[0], c = spec->seed[1];
    if (r < 0 || r >= rows || c < 0 || c >= cols) {
      PetscCall(PetscFree(label));
      PetscCall(PetscFree(count));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "seed (row %" PetscInt_FMT ", col %" PetscInt_FMT ") is outside image '%s' (%" PetscInt_FMT " rows x %" PetscInt_FMT " columns)", r, c, spec->file, rows, cols);
    }
    which = label[(size_t)r * cols + c];
    if (!which) PetscCall(EnclosingComponent(rows, cols, label, r * cols + c, ncomp, count, &which));
    if (!which) {
      const PetscReal g = seg->smooth[(size_t)r * cols + c];
      PetscCall(PetscFree(label));
      PetscCall(PetscFree(count));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "seed (row %" PetscInt_FMT ", col %" PetscInt_FMT ") is not inside any particle of image '%s': the smoothed grey value there is %.4g, not %s than the threshold %.4g", r, c, spec->file, (double)(spec->invert ? 1 - g : g), brighter, (double)(spec->invert ? 1 - seg->threshold : seg->threshold));
    }
  } else {
    for (PetscInt k = 1; k <= ncomp; ++k)
      if (!which || count[k] > count[which]) which = k;
  }
  seg->pixels = count[which];
  PetscCall(PetscFree(count));
  if (seg->pixels < MIN_PIXELS) {
    PetscCall(PetscFree(label));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has no particle: the %s region %s than the threshold %.4g has only %" PetscInt_FMT " pixel%s (at least %d needed)", spec->file, spec->has_seed ? "selected" : "largest", brighter, (double)(spec->invert ? 1 - seg->threshold : seg->threshold), seg->pixels, seg->pixels == 1 ? "" : "s", MIN_PIXELS);
  }
  seg->box[0] = rows;
  seg->box[1] = -1;
  seg->box[2] = cols;
  seg->box[3] = -1;
  for (size_t i = 0; i < n; ++i) {
    const PetscInt r = (PetscInt)(i / cols), c = (PetscInt)(i % cols);
    seg->mask[i] = label[i] == which;
    if (!seg->mask[i]) continue;
    seg->box[0] = PetscMin(seg->box[0], r);
    seg->box[1] = PetscMax(seg->box[1], r);
    seg->box[2] = PetscMin(seg->box[2], c);
    seg->box[3] = PetscMax(seg->box[3], c);
  }
  PetscCall(PetscFree(label));
  PetscCall(FillHoles(rows, cols, seg->mask, seg->box, &seg->filled));
  seg->pixels += seg->filled;
  for (PetscInt c = 0; c < cols; ++c)
    seg->border_pixels += seg->mask[c] + seg->mask[(size_t)(rows - 1) * cols + c];
  for (PetscInt r = 1; r < rows - 1; ++r)
    seg->border_pixels += seg->mask[(size_t)r * cols] + seg->mask[(size_t)r * cols + cols - 1];
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- does it stand out? ---- */
/* A particle stands out of its image when its outline is an edge: the grey level changes much
   faster across the outline than anywhere around it. The statistic is

     edge contrast = median |∇s| on the outline / median |∇s| around it

   s the denoised image, the outline the particle's pixels with a 4-neighbour outside it (inside
   the image), "around" the pixels of a window about the particle (its bounding box grown by half
   its size, at least 2K) farther than K = 3 + 2 sigma pixels from the outline (K covers the
   blur of the edge, the optics' and the denoising's); medians, so texture and other particles
   in the window do not sway it.

   Why this and not a contrast-to-noise ratio or the bimodality of the histogram: on a linear
   grey ramp, Otsu's threshold cuts the image in two, the two halves differ by 2 to 4 "noise"
   standard deviations whichever way the noise is measured, and Otsu's between-class variance
   is 3/4 of the total (a uniform histogram); only the edge tells a particle from a ramp.
   Measured (sigma 1 unless said):
     real X-ray slices (data/images: crops A and B, the full slice with and without a seed):
     3.2 to 3.7 (crop A: 2.8 at sigma 0, 5.6 at sigma 4); the NREL label slice: 240;
     synthetic micrographs of the tests (noise 0.03, texture, vignette): 11 to 12;
     a soft-edged particle (logistic edge of 6 px): 3.9; a particle of CNR 3: 4.9; a particle
     on a strong ramp: 2.3;
     Gaussian noise at levels 0.1, 0.5, 0.9 and standard deviations 0.01 to 0.2, uniform noise,
     16-bit noise, a 1-LSB speckle: 1.06 to 1.17 (sigma 0 to 8: 1.0 to 1.2); linear ramps
     (8 and 16 bit, with or without noise), a radial ramp, a vignette with noise, a sine
     texture: 0.9 to 1.3.
   The edge of a level set of noise is as steep as the noise around it (1.0 to 1.4 here, the
   steepest places being likelier to cross the threshold); a particle's is steeper. Threshold
   MESH_IMAGE_MIN_EDGE_CONTRAST = 2: 1.5 times the highest no-particle value, 0.7 times the
   lowest real one at default settings (the cored particle at slice pixel 122,1558: 2.8;
   2.3 at sigma 0).
   A median of few gradients is uncertain: the median of n samples of a Rayleigh distribution
   (the magnitude of a noisy gradient) has a relative standard error 0.72 / sqrt(n), and
   gradients closer than about 2 sigma are correlated. So the contrast needed is
     needed = 2 exp(2 * 0.72 sqrt((1 + 2 sigma) (1/n_outline + 1/n_around))),
   two standard errors of the log-ratio above 2: 2.3 for crop A (377 outline pixels), but 4 to
   9 for noise images of 12 x 12 or 24 x 30 pixels whose blobs have 7 to 40 outline pixels
   (without it, 2 of 18 such images passed, at 2.2 and 2.3).
   A clean edge on a flat background gives infinity; a region whose outline lies only on the
   image border (it fills the image) gives 0. */
#define CONTRAST_SAMPLES (1 << 20) /* at most this many gradients are sorted for each median */

static PetscReal GradientAt(PetscInt cols, const PetscReal s[], size_t i)
{
  const PetscReal gx = 0.5 * (s[i + 1] - s[i - 1]), gy = 0.5 * (s[i + cols] - s[i - cols]);
  return PetscSqrtReal(gx * gx + gy * gy);
}

/* Median of v[0..n) (reordered) */
static PetscErrorCode Median(PetscInt n, PetscReal v[], PetscReal *median)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSortReal(n, v));
  *median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  PetscFunctionReturn(0);
}

PetscErrorCode MeshImageEdgeContrast(PetscInt rows, PetscInt cols, const PetscReal s[], const unsigned char mask[], PetscReal sigma, PetscReal *contrast, PetscReal *needed)
{
  const PetscInt K = (PetscInt)PetscCeilReal(3 + 2 * sigma);
  PetscInt       box[4] = {rows, -1, cols, -1}, win[4], h, w, nedge = 0, naround = 0, nout = 0, nin = 0;
  unsigned char *near;
  PetscInt      *count;
  PetscReal     *edge, *around, medge, maround;
  size_t         stride_edge = 1, stride_around = 1;

  PetscFunctionBeginUser;
  *contrast = 0;
  *needed   = MESH_IMAGE_MIN_EDGE_CONTRAST;
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c)
      if (mask[(size_t)r * cols + c]) {
        box[0] = PetscMin(box[0], r);
        box[1] = PetscMax(box[1], r);
        box[2] = PetscMin(box[2], c);
        box[3] = PetscMax(box[3], c);
      }
  if (box[1] < 0) PetscFunctionReturn(0);
  {
    const PetscInt m = PetscMax(2 * K, PetscMax(box[1] - box[0], box[3] - box[2]) / 2);
    win[0] = PetscMax(0, box[0] - m);
    win[1] = PetscMin(rows - 1, box[1] + m);
    win[2] = PetscMax(0, box[2] - m);
    win[3] = PetscMin(cols - 1, box[3] + m);
    h      = win[1] - win[0] + 1;
    w      = win[3] - win[2] + 1;
  }
  /* near[i]: an outline pixel within chessboard distance K; a row pass of running counts, then a column pass */
  PetscCall(PetscCalloc1((size_t)h * w, &near));
  PetscCall(PetscMalloc1(PetscMax(h, w) + 2 * K + 1, &count));
  for (PetscInt i = 0; i < h; ++i) {
    const PetscInt r = win[0] + i;
    for (PetscInt j = 0; j < w; ++j) {
      const PetscInt c = win[2] + j;
      const size_t   p = (size_t)r * cols + c;
      PetscBool      outline;
      if (!mask[p]) {
        ++nout;
        continue;
      }
      ++nin;
      outline = (r > 0 && !mask[p - cols]) || (r < rows - 1 && !mask[p + cols]) || (c > 0 && !mask[p - 1]) || (c < cols - 1 && !mask[p + 1]) ? PETSC_TRUE : PETSC_FALSE;
      near[(size_t)i * w + j] = outline ? 2 : 0; /* 2: an outline pixel, 1 after the passes: near one */
      if (outline && r > 0 && r < rows - 1 && c > 0 && c < cols - 1) ++nedge;
    }
  }
  if (!nedge || !nout) { /* the region has no outline inside the image, or nothing around it */
    PetscCall(PetscFree(count));
    PetscCall(PetscFree(near));
    PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < h; ++i) { /* rows: count[j] = outline pixels in [j - K, j + K] */
    unsigned char *row = near + (size_t)i * w;
    PetscInt       run = 0;
    for (PetscInt j = 0; j < w + K; ++j) {
      if (j < w && row[j] == 2) ++run;
      if (j - 2 * K - 1 >= 0 && row[j - 2 * K - 1] == 2) --run;
      if (j - K >= 0 && j - K < w) count[j - K] = run;
    }
    for (PetscInt j = 0; j < w; ++j) row[j] = (unsigned char)(row[j] == 2 ? 3 : (count[j] ? 1 : 0)); /* 3: outline, 1: near in this row */
  }
  for (PetscInt j = 0; j < w; ++j) { /* columns: near if a row-near pixel lies within K rows */
    PetscInt run = 0;
    for (PetscInt i = 0; i < h + K; ++i) {
      if (i < h && near[(size_t)i * w + j]) ++run;
      if (i - 2 * K - 1 >= 0 && near[(size_t)(i - 2 * K - 1) * w + j]) --run;
      if (i - K >= 0 && i - K < h) count[i - K] = run;
    }
    for (PetscInt i = 0; i < h; ++i)
      if (near[(size_t)i * w + j] != 3) near[(size_t)i * w + j] = count[i] ? 1 : 0;
  }
  naround = 0;
  for (PetscInt i = 0; i < h; ++i)
    for (PetscInt j = 0; j < w; ++j) {
      const PetscInt r = win[0] + i, c = win[2] + j;
      if (!near[(size_t)i * w + j] && r > 0 && r < rows - 1 && c > 0 && c < cols - 1) ++naround;
    }
  if (!naround) { /* the window is all edge: judge the outline against the rest of the window */
    for (PetscInt i = 0; i < h; ++i)
      for (PetscInt j = 0; j < w; ++j)
        if (near[(size_t)i * w + j] == 1) near[(size_t)i * w + j] = 0, ++naround;
  }
  if (!naround) {
    *contrast = PETSC_INFINITY;
    PetscCall(PetscFree(count));
    PetscCall(PetscFree(near));
    PetscFunctionReturn(0);
  }
  while ((size_t)nedge / stride_edge > CONTRAST_SAMPLES) stride_edge *= 2;
  while ((size_t)naround / stride_around > CONTRAST_SAMPLES) stride_around *= 2;
  PetscCall(PetscMalloc2(nedge / stride_edge + 1, &edge, naround / stride_around + 1, &around));
  {
    size_t   ke = 0, ka = 0;
    PetscInt ne = 0, na = 0;
    for (PetscInt i = 0; i < h; ++i)
      for (PetscInt j = 0; j < w; ++j) {
        const PetscInt r = win[0] + i, c = win[2] + j;
        const size_t   p = (size_t)r * cols + c;
        if (r == 0 || r == rows - 1 || c == 0 || c == cols - 1) continue;
        if (near[(size_t)i * w + j] == 3) {
          if (ke++ % stride_edge == 0) edge[ne++] = GradientAt(cols, s, p);
        } else if (!near[(size_t)i * w + j]) {
          if (ka++ % stride_around == 0) around[na++] = GradientAt(cols, s, p);
        }
      }
    nedge   = ne;
    naround = na;
  }
  if (!naround) {
    *contrast = PETSC_INFINITY;
    PetscCall(PetscFree2(edge, around));
    PetscCall(PetscFree(count));
    PetscCall(PetscFree(near));
    PetscFunctionReturn(0);
  }
  PetscCall(Median(nedge, edge, &medge));
  PetscCall(Median(naround, around, &maround));
  *contrast = maround > 0 ? medge / maround : (medge > 0 ? PETSC_INFINITY : 0);
  *needed   = MESH_IMAGE_MIN_EDGE_CONTRAST * PetscExpReal(2 * 0.72 * PetscSqrtReal((1 + 2 * sigma) * (1.0 / nedge + 1.0 / naround)));
  PetscCall(PetscInfo(NULL, "edge contrast %g (needed %g): median gradient %g on %" PetscInt_FMT " outline pixels, %g on %" PetscInt_FMT " pixels around (K = %" PetscInt_FMT " px; %" PetscInt_FMT " particle pixels in the window)\n", (double)*contrast, (double)*needed, (double)medge, nedge, (double)maround, naround, K, nin));
  PetscCall(PetscFree2(edge, around));
  PetscCall(PetscFree(count));
  PetscCall(PetscFree(near));
  PetscFunctionReturn(0);
}
