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

PetscErrorCode ImageDistanceSquared(PetscInt rows, PetscInt cols, const unsigned char mask[], unsigned char feature, PetscReal d[])
{
  PetscFunctionBeginUser;
  PetscCall(DistanceTransform(rows, cols, mask, feature, d));
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

/* The holes inside box of one particle, given either as mask (1 = particle) or as the pixels of
   region equal to k: background not 4-connected to the outside of the box becomes particle */
static PetscErrorCode FillHolesOf(PetscInt rows, PetscInt cols, unsigned char mask[], int region[], int k, const PetscInt box[4], PetscInt *filled)
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
    for (int e = 0; e < 4; ++e) {
      const PetscInt ii = nb[e][0], jj = nb[e][1], r = box[0] - 1 + ii, c = box[2] - 1 + jj;
      PetscInt       q;
      if (ii < 0 || ii >= h || jj < 0 || jj >= w) continue;
      q = ii * w + jj;
      if (outside[q]) continue;
      if (r >= 0 && r < rows && c >= 0 && c < cols && (mask ? mask[(size_t)r * cols + c] != 0 : region[(size_t)r * cols + c] == k)) continue;
      outside[q]   = 1;
      stack[top++] = q;
    }
  }
  for (PetscInt r = box[0]; r <= box[1]; ++r)
    for (PetscInt c = box[2]; c <= box[3]; ++c) {
      const size_t i = (size_t)r * cols + c;
      if ((mask ? !mask[i] : region[i] != k) && !outside[(r - box[0] + 1) * w + (c - box[2] + 1)]) {
        if (mask) mask[i] = 1;
        else region[i] = k;
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

/* Steps 1 to 3: seg->smooth (denoised, inverted if asked), seg->threshold, seg->low/high and the
   foreground seg->mask after opening and closing */
static PetscErrorCode SegmentForeground(const MeshRaster *img, const ImageSpec *spec, ImageSegmentation *seg)
{
  const PetscInt rows = img->rows, cols = img->cols;
  const size_t   n  = (size_t)rows * cols;
  PetscReal      lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, *work;

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
  PetscFunctionReturn(0);
}

PetscErrorCode ImageSegment(const MeshRaster *img, const ImageSpec *spec, ImageSegmentation *seg)
{
  const PetscInt rows = img->rows, cols = img->cols;
  const size_t   n = (size_t)rows * cols;
  PetscReal      lo, hi;
  int           *label;
  PetscInt       ncomp = 0, *count = NULL, which = 0;
  const char    *brighter = spec->invert ? "darker" : "brighter";

  PetscFunctionBeginUser;
  PetscCall(SegmentForeground(img, spec, seg));
  lo = seg->low;
  hi = seg->high;
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
  PetscCall(FillHolesOf(rows, cols, seg->mask, NULL, 0, seg->box, &seg->filled));
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

/* ---------------------------------------------------------------- every particle -------- */
/* spot mesh --all (mesh/meshimpl.h ImageSegmentAll): every particle of a field of view.

   1. The foreground as for one particle (steps 1 to 3 above); or, for a label image, the pixels
      of nonzero grey value, each value its own particles (no threshold, no denoising).
   2. Regions: 8-connected pixels of the foreground (of one value, for labels).
   3. Holes, region by region from the largest: pixels of the region's bounding box not
      4-connected to the box's outside through pixels outside the region become the region's;
      a region inside another's hole is absorbed. (Background enclosed by several touching
      regions, a pore between particles, stays background.)
   4. Touching particles are split (not for labels, nor with keep_touching) by a watershed of
      the Euclidean distance to the background, flooded from the highest distance down: a pixel
      joins the region of its processed neighbours (between two particles, the one nearest in
      the power distance of their inscribed discs, which parts two overlapping discs at their
      neck); where two regions meet
      at level L, the one with the lower peak P stays a particle of its own only if its dynamics
      P - L is at least the split depth h (pixels) and it has 16 pixels, else it merges into the
      other; pieces that end smaller than the minimum area rejoin the piece they share most
      sides with. So a particle is one marker unless a neck at least h narrower than
      its inscribed disc separates it from another: the h-maxima of the distance transform are
      the markers, without over-segmenting the noise of a digital outline (dynamics below a
      pixel). Ties of the distance are flooded in pixel order.
   5. Each particle is measured (pixels, box, centroid, border) and kept, or left out as too
      small (below the minimum area, 16 pixels or 10 nm across) or for touching the border. */
#define PARTICLE_MIN_PIXELS MIN_PIXELS

/* 8-connected regions of equal nonzero key: region[i] = 0 where key is 0, else 1..*nregions */
static PetscErrorCode LabelEqual(PetscInt rows, PetscInt cols, const int key[], int region[], PetscInt *nregions)
{
  const size_t n = (size_t)rows * cols;
  PetscInt    *stack, nr = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n, &stack));
  for (size_t i = 0; i < n; ++i) region[i] = 0;
  for (size_t i = 0; i < n; ++i) {
    PetscInt top = 0;
    if (!key[i] || region[i]) continue;
    region[i]    = (int)++nr;
    stack[top++] = (PetscInt)i;
    while (top) {
      const PetscInt p = stack[--top], r = p / cols, c = p % cols;
      for (PetscInt dr = -1; dr <= 1; ++dr)
        for (PetscInt dc = -1; dc <= 1; ++dc) {
          const PetscInt rr = r + dr, cc = c + dc;
          size_t         q;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          q = (size_t)rr * cols + cc;
          if (key[q] == key[i] && !region[q]) {
            region[q]    = (int)nr;
            stack[top++] = (PetscInt)q;
          }
        }
    }
  }
  PetscCall(PetscFree(stack));
  *nregions = nr;
  PetscFunctionReturn(0);
}

static PetscInt Root(int parent[], PetscInt p)
{
  while (parent[p] != p) p = parent[p] = parent[parent[p]];
  return p;
}

/* Step 4: region[] (1..nregions) becomes piece[] (1..*npieces); split[r] = pieces of region r */
static PetscErrorCode SplitTouching(PetscInt rows, PetscInt cols, const int region[], PetscInt nregions, PetscReal depth, PetscInt min_pixels, int piece[], PetscInt *npieces, PetscInt split[])
{
  const size_t   n = (size_t)rows * cols;
  unsigned char *fg;
  PetscReal     *d, *key;
  PetscInt      *order, nfg = 0, np = 0;
  int           *parent, *size;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n, &fg, n, &d));
  for (size_t i = 0; i < n; ++i) fg[i] = region[i] ? 1 : 0;
  PetscCall(DistanceTransform(rows, cols, fg, 0, d)); /* squared distance to the nearest background pixel */
  for (size_t i = 0; i < n; ++i) nfg += fg[i];
  PetscCall(PetscMalloc2(nfg, &order, nfg, &key));
  nfg = 0;
  for (size_t i = 0; i < n; ++i)
    if (fg[i]) {
      order[nfg] = nfg;
      key[nfg++] = -d[i]; /* highest first */
    }
  PetscCall(PetscSortRealWithPermutation(nfg, key, order)); /* a permutation of the foreground pixels */
  { /* to pixel indices */
    PetscInt *pixel;
    PetscCall(PetscMalloc1(nfg, &pixel));
    nfg = 0;
    for (size_t i = 0; i < n; ++i)
      if (fg[i]) pixel[nfg++] = (PetscInt)i;
    for (PetscInt j = 0; j < nfg; ++j) order[j] = pixel[order[j]];
    PetscCall(PetscFree(pixel));
  }
  for (size_t i = 0; i < n; ++i) d[i] = PetscSqrtReal(d[i]);
  PetscCall(PetscMalloc2(n, &parent, n, &size));
  for (size_t i = 0; i < n; ++i) parent[i] = -1;
  for (PetscInt j = 0; j < nfg; ++j) {
    const PetscInt p = order[j], r = p / cols, c = p % cols;
    PetscInt       roots[8], nroots = 0, winner = -1;
    for (PetscInt dr = -1; dr <= 1; ++dr)
      for (PetscInt dc = -1; dc <= 1; ++dc) {
        const PetscInt rr = r + dr, cc = c + dc;
        PetscInt       q, root, seen = 0;
        if ((!dr && !dc) || rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
        q = rr * cols + cc;
        if (parent[q] < 0 || region[q] != region[p]) continue;
        root = Root(parent, q);
        for (PetscInt k = 0; k < nroots; ++k) seen |= roots[k] == root;
        if (!seen) roots[nroots++] = root;
      }
    for (PetscInt k = 0; k < nroots; ++k) /* the highest peak (its root is its first pixel: d[root] is the peak) */
      if (winner < 0 || d[roots[k]] > d[winner] || (d[roots[k]] == d[winner] && roots[k] < winner)) winner = roots[k];
    if (winner < 0) {
      parent[p] = (int)p;
      size[p]   = 1;
      continue;
    }
    for (PetscInt k = 0; k < nroots; ++k) {
      const PetscInt other = roots[k];
      if (other == winner) continue;
      if (d[other] - d[p] < depth || size[other] < min_pixels) { /* not a particle of its own: merge */
        parent[other] = (int)winner;
        size[winner] += size[other];
        roots[k]      = winner;
      }
    }
    { /* between particles, the nearest in the power distance |x - c|^2 - R^2 of their inscribed discs
         (centre c, radius R: the peak): two overlapping discs part on the line through their
         intersections, the neck, and not where one flood reaches first */
      PetscReal best = PETSC_MAX_REAL;
      for (PetscInt k = 0; k < nroots; ++k) {
        const PetscInt  q = roots[k], qr = q / cols, qc = q % cols;
        const PetscReal power = (PetscReal)(r - qr) * (r - qr) + (PetscReal)(c - qc) * (c - qc) - d[q] * d[q];
        if (power < best) best = power, winner = q;
      }
    }
    parent[p] = (int)winner;
    size[winner]++;
  }
  /* pieces: the roots, numbered in pixel order; split[region] counts them */
  for (PetscInt r = 0; r <= nregions; ++r) split[r] = 0;
  for (size_t i = 0; i < n; ++i) piece[i] = 0;
  for (size_t i = 0; i < n; ++i)
    if (fg[i] && Root(parent, (PetscInt)i) == (PetscInt)i) {
      piece[i] = (int)++np;
      split[region[i]]++;
    }
  for (size_t i = 0; i < n; ++i)
    if (fg[i]) piece[i] = piece[Root(parent, (PetscInt)i)];
  *npieces = np;
  PetscCall(PetscFree2(parent, size));
  PetscCall(PetscFree2(order, key));
  PetscCall(PetscFree2(fg, d));
  PetscFunctionReturn(0);
}

/* Two particles may not touch only through a corner, crossing: in a block of 2 x 2 pixels
   [A B; B A] both are 8-connected through the same corner, and their outlines (each joining
   its own diagonal pixels there) would cross. The upper right pixel goes to the particle of its
   left neighbour, until no such block is left. */
static PetscErrorCode UncrossDiagonals(PetscInt rows, PetscInt cols, int label[])
{
  PetscBool changed = PETSC_TRUE;

  PetscFunctionBeginUser;
  for (int pass = 0; pass < 100 && changed; ++pass) {
    changed = PETSC_FALSE;
    for (PetscInt r = 0; r + 1 < rows; ++r)
      for (PetscInt c = 0; c + 1 < cols; ++c) {
        int *a = &label[(size_t)r * cols + c], *b = a + cols;
        if (a[0] && a[1] && a[0] != a[1] && a[0] == b[1] && a[1] == b[0]) {
          a[1]    = a[0];
          changed = PETSC_TRUE;
        }
      }
  }
  PetscFunctionReturn(0);
}

/* Pieces of a split region smaller than min_pixels rejoin the piece of the same region they share
   most pixel sides with (a fragment of an outline's corner is not a particle) */
static PetscErrorCode RejoinSmallPieces(PetscInt rows, PetscInt cols, const int region[], int piece[], PetscInt npieces, PetscInt min_pixels)
{
  const size_t n = (size_t)rows * cols;
  PetscInt    *size, *box, *order, *key, *contact;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc5(npieces + 1, &size, 4 * (npieces + 1), &box, npieces, &order, npieces, &key, npieces + 1, &contact));
  for (PetscInt k = 0; k <= npieces; ++k) box[4 * k] = rows, box[4 * k + 1] = -1, box[4 * k + 2] = cols, box[4 * k + 3] = -1;
  for (size_t i = 0; i < n; ++i) {
    const int      k = piece[i];
    const PetscInt r = (PetscInt)(i / cols), c = (PetscInt)(i % cols);
    if (!k) continue;
    size[k]++;
    box[4 * k] = PetscMin(box[4 * k], r), box[4 * k + 1] = PetscMax(box[4 * k + 1], r);
    box[4 * k + 2] = PetscMin(box[4 * k + 2], c), box[4 * k + 3] = PetscMax(box[4 * k + 3], c);
  }
  for (PetscInt k = 0; k < npieces; ++k) order[k] = k + 1, key[k] = size[k + 1];
  PetscCall(PetscSortIntWithArray(npieces, key, order)); /* smallest first */
  for (PetscInt j = 0; j < npieces; ++j) {
    const PetscInt k = order[j];
    PetscInt       best = 0;
    if (!size[k] || size[k] >= min_pixels) continue;
    for (PetscInt r = box[4 * k]; r <= box[4 * k + 1]; ++r)
      for (PetscInt c = box[4 * k + 2]; c <= box[4 * k + 3]; ++c) {
        const size_t   i       = (size_t)r * cols + c;
        const PetscInt nb[4][2] = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
        if (piece[i] != k) continue;
        for (int e = 0; e < 4; ++e) {
          const PetscInt rr = nb[e][0], cc = nb[e][1];
          int            l;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          l = piece[(size_t)rr * cols + cc];
          if (l && l != k && region[(size_t)rr * cols + cc] == region[i]) contact[l]++;
        }
      }
    for (PetscInt l = 1; l <= npieces; ++l)
      if (contact[l]) {
        if (!best || contact[l] > contact[best]) best = l;
        contact[l] = 0;
      }
    if (!best) continue; /* alone: its region's only piece */
    for (PetscInt r = box[4 * k]; r <= box[4 * k + 1]; ++r)
      for (PetscInt c = box[4 * k + 2]; c <= box[4 * k + 3]; ++c)
        if (piece[(size_t)r * cols + c] == k) piece[(size_t)r * cols + c] = (int)best;
    size[best] += size[k];
    size[k] = 0;
    box[4 * best] = PetscMin(box[4 * best], box[4 * k]), box[4 * best + 1] = PetscMax(box[4 * best + 1], box[4 * k + 1]);
    box[4 * best + 2] = PetscMin(box[4 * best + 2], box[4 * k + 2]), box[4 * best + 3] = PetscMax(box[4 * best + 3], box[4 * k + 3]);
  }
  PetscCall(PetscFree5(size, box, order, key, contact));
  PetscFunctionReturn(0);
}

PetscErrorCode ImageParticlesDestroy(ImageParticles *all)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(all->smooth));
  PetscCall(PetscFree(all->label));
  PetscCall(PetscFree(all->particle));
  all->nparticles = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode ImageSegmentAll(const MeshRaster *img, const ImageSpec *spec, ImageParticles *all)
{
  const PetscInt  rows = img->rows, cols = img->cols;
  const size_t    n = (size_t)rows * cols;
  const PetscReal p = spec->pixel_size;
  int            *key, *region;
  PetscInt        nregions = 0, *box, *pixels;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(all, sizeof(*all)));
  all->rows = rows;
  all->cols = cols;
  PetscCall(PetscMalloc2(n, &key, n, &region));
  if (spec->labels) { /* values, not grey levels: any two distinct samples differ by at least 1/65535 */
    PetscCall(PetscMalloc1(n, &all->smooth));
    for (size_t i = 0; i < n; ++i) {
      key[i]         = (int)PetscFloorReal(img->grey[i] * 65535 + 0.5);
      all->smooth[i] = key[i] ? 1 : 0;
    }
    all->threshold = 0.5;
    all->low       = 0;
    all->high      = 1;
  } else {
    ImageSegmentation seg;
    PetscCall(SegmentForeground(img, spec, &seg));
    for (size_t i = 0; i < n; ++i) key[i] = seg.mask[i];
    all->smooth    = seg.smooth;
    all->threshold = seg.threshold;
    all->low       = seg.low;
    all->high      = seg.high;
    PetscCall(PetscFree(seg.mask));
  }
  PetscCall(LabelEqual(rows, cols, key, region, &nregions));
  if (!nregions) {
    PetscCall(PetscFree2(key, region));
    if (spec->labels) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "label image '%s' has no particle: every pixel is 0 (background)", spec->file);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has no particle: no pixel is %s than the threshold %.4g (smoothed grey values %.4g to %.4g)", spec->file, spec->invert ? "darker" : "brighter", (double)(spec->invert ? 1 - all->threshold : all->threshold), (double)(spec->invert ? 1 - all->high : all->low), (double)(spec->invert ? 1 - all->low : all->high));
  }

  /* 3. holes, from the largest region down (a region a larger one absorbed is gone) */
  PetscCall(PetscMalloc2(4 * (nregions + 1), &box, nregions + 1, &pixels));
  for (PetscInt k = 0; k <= nregions; ++k) {
    box[4 * k] = rows, box[4 * k + 1] = -1, box[4 * k + 2] = cols, box[4 * k + 3] = -1;
    pixels[k] = 0;
  }
  for (size_t i = 0; i < n; ++i) {
    const int      k = region[i];
    const PetscInt r = (PetscInt)(i / cols), c = (PetscInt)(i % cols);
    if (!k) continue;
    pixels[k]++;
    box[4 * k]     = PetscMin(box[4 * k], r);
    box[4 * k + 1] = PetscMax(box[4 * k + 1], r);
    box[4 * k + 2] = PetscMin(box[4 * k + 2], c);
    box[4 * k + 3] = PetscMax(box[4 * k + 3], c);
  }
  {
    PetscInt *order, *count;
    PetscCall(PetscMalloc2(nregions, &order, nregions, &count));
    for (PetscInt k = 0; k < nregions; ++k) {
      order[k] = k + 1;
      count[k] = -pixels[k + 1];
    }
    PetscCall(PetscSortIntWithArray(nregions, count, order));
    for (PetscInt j = 0; j < nregions; ++j) {
      const PetscInt k = order[j];
      PetscInt       filled, left = 0;
      for (PetscInt r = box[4 * k]; r <= box[4 * k + 1] && !left; ++r) /* still there? */
        for (PetscInt c = box[4 * k + 2]; c <= box[4 * k + 3] && !left; ++c) left = region[(size_t)r * cols + c] == k;
      if (left) PetscCall(FillHolesOf(rows, cols, NULL, region, (int)k, &box[4 * k], &filled)); /* step 3 for region k: its holes become k */
    }
    PetscCall(PetscFree2(order, count));
  }
  { /* renumber the regions left, in pixel order */
    int     *renumber;
    PetscInt nr = 0;
    PetscCall(PetscCalloc1(nregions + 1, &renumber));
    for (size_t i = 0; i < n; ++i)
      if (region[i] && !renumber[region[i]]) renumber[region[i]] = (int)++nr;
    for (size_t i = 0; i < n; ++i) region[i] = renumber[region[i]];
    nregions = nr;
    PetscCall(PetscFree(renumber));
  }
  all->num_regions = nregions;
  PetscCall(PetscFree2(box, pixels));

  /* 4. split touching particles; the label of a pixel is its particle */
  PetscCall(PetscMalloc1(n, &all->label));
  {
    PetscInt *split, npieces = nregions;
    PetscCall(PetscMalloc1(nregions + 1, &split));
    if (spec->labels || spec->keep_touching) {
      for (size_t i = 0; i < n; ++i) all->label[i] = region[i];
      for (PetscInt r = 0; r <= nregions; ++r) split[r] = 1;
    } else {
      const PetscInt min_pixels = (PetscInt)PetscMax(PARTICLE_MIN_PIXELS, PetscCeilReal(spec->min_area / (p * p)));
      PetscCall(SplitTouching(rows, cols, region, nregions, spec->split_depth, PARTICLE_MIN_PIXELS, all->label, &npieces, split));
      PetscCall(RejoinSmallPieces(rows, cols, region, all->label, npieces, min_pixels));
      { /* the pieces left of each region */
        PetscBool *seen;
        PetscCall(PetscCalloc1(npieces + 1, &seen));
        for (PetscInt r = 0; r <= nregions; ++r) split[r] = 0;
        for (size_t i = 0; i < n; ++i)
          if (all->label[i] && !seen[all->label[i]]) {
            seen[all->label[i]] = PETSC_TRUE;
            split[region[i]]++;
          }
        PetscCall(PetscFree(seen));
      }
    }
    all->nparticles = npieces;
    PetscCall(PetscCalloc1(npieces, &all->particle));
    for (PetscInt r = 1; r <= nregions; ++r)
      if (split[r] > 1) {
        all->num_split_regions++;
        all->num_split_pieces += split[r];
      }
    PetscCall(UncrossDiagonals(rows, cols, all->label));
    for (size_t i = 0; i < n; ++i) /* mark the pieces of split regions */
      if (all->label[i] && split[region[i]] > 1) all->particle[all->label[i] - 1].split = PETSC_TRUE;
    PetscCall(PetscFree(split));
  }
  PetscCall(PetscFree2(key, region));

  /* 5. measure, classify, number */
  for (PetscInt k = 0; k < all->nparticles; ++k) {
    ImageParticle *q = &all->particle[k];
    q->box[0] = rows, q->box[1] = -1, q->box[2] = cols, q->box[3] = -1;
  }
  for (size_t i = 0; i < n; ++i) {
    const PetscInt r = (PetscInt)(i / cols), c = (PetscInt)(i % cols);
    ImageParticle *q;
    if (!all->label[i]) continue;
    q = &all->particle[all->label[i] - 1];
    q->pixels++;
    q->centroid[0] += c + 0.5;
    q->centroid[1] += r + 0.5;
    q->box[0] = PetscMin(q->box[0], r);
    q->box[1] = PetscMax(q->box[1], r);
    q->box[2] = PetscMin(q->box[2], c);
    q->box[3] = PetscMax(q->box[3], c);
    if (r == 0 || c == 0 || r == rows - 1 || c == cols - 1) q->border = PETSC_TRUE;
  }
  {
    PetscInt  *order, nkept = 0;
    PetscReal *y;
    PetscCall(PetscMalloc2(all->nparticles, &order, all->nparticles, &y));
    for (PetscInt k = 0; k < all->nparticles; ++k) {
      ImageParticle  *q    = &all->particle[k];
      const PetscReal area = q->pixels * p * p, d_eq = PetscSqrtReal(4 * area / PETSC_PI);
      if (!q->pixels) {
        q->fate = PARTICLE_NONE;
        continue;
      }
      q->centroid[0] /= q->pixels;
      q->centroid[1] /= q->pixels;
      if (area < spec->min_area || q->pixels < PARTICLE_MIN_PIXELS || d_eq < MESH_SMALLEST_PARTICLE) {
        q->fate = PARTICLE_SMALL;
        all->num_small++;
      } else if (q->border && !spec->keep_border) {
        q->fate = PARTICLE_BORDER;
        all->num_border++;
      } else {
        q->fate       = PARTICLE_KEPT;
        order[nkept]  = nkept;
        y[nkept++]    = q->centroid[1] * (PetscReal)(cols + 1) + q->centroid[0]; /* rows, then columns */
      }
    }
    PetscCall(PetscSortRealWithPermutation(nkept, y, order)); /* order[] indexes y[] and the kept list */
    {
      PetscInt *kept;
      PetscCall(PetscMalloc1(nkept + 1, &kept));
      nkept = 0;
      for (PetscInt k = 0; k < all->nparticles; ++k)
        if (all->particle[k].fate == PARTICLE_KEPT) kept[nkept++] = k;
      for (PetscInt j = 0; j < nkept; ++j) all->particle[kept[order[j]]].number = j + 1;
      PetscCall(PetscFree(kept));
    }
    all->num_kept = nkept;
    PetscCall(PetscFree2(order, y));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ImageParticleWindow(const ImageParticles *all, PetscInt k, PetscReal keep, ImageSegmentation *seg, PetscInt origin[2])
{
  const PetscReal lambda = 1 / keep - 1; /* another particle's pixel at t - lambda |g - t|: the outline crosses at keep of the way to it */
  const ImageParticle *q  = &all->particle[k];
  const PetscInt       r0 = PetscMax(0, q->box[0] - 2), r1 = PetscMin(all->rows - 1, q->box[1] + 2);
  const PetscInt       c0 = PetscMax(0, q->box[2] - 2), c1 = PetscMin(all->cols - 1, q->box[3] + 2);
  const PetscReal      t  = all->threshold;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(seg, sizeof(*seg)));
  seg->rows      = r1 - r0 + 1;
  seg->cols      = c1 - c0 + 1;
  seg->threshold = t;
  seg->low       = all->low;
  seg->high      = all->high;
  seg->pixels    = q->pixels;
  seg->box[0]    = q->box[0] - r0;
  seg->box[1]    = q->box[1] - r0;
  seg->box[2]    = q->box[2] - c0;
  seg->box[3]    = q->box[3] - c0;
  origin[0]      = r0;
  origin[1]      = c0;
  PetscCall(PetscMalloc1((size_t)seg->rows * seg->cols, &seg->smooth));
  PetscCall(PetscMalloc1((size_t)seg->rows * seg->cols, &seg->mask));
  for (PetscInt r = r0; r <= r1; ++r)
    for (PetscInt c = c0; c <= c1; ++c) {
      const size_t    i = (size_t)r * all->cols + c, j = (size_t)(r - r0) * seg->cols + (c - c0);
      const int       l = all->label[i];
      const PetscReal g = all->smooth[i];
      seg->mask[j]      = l == k + 1;
      seg->smooth[j]    = (l && l != k + 1) ? t - lambda * PetscAbsReal(g - t) : g; /* another particle: mirrored (and scaled) */
    }
  PetscFunctionReturn(0);
}
