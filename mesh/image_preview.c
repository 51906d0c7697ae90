/* Preview of an image mesh: the image with the mesh edges (thin, faint cyan), the outline (bold red) and the
   centroid (yellow cross) drawn over it, so a person can check the result at a glance.

   The grey image is contrast-stretched (0.5 and 99.5 percentiles to black and white) and, if
   small, enlarged k times (nearest pixel, k so that the longer side is about 900 pixels, at most
   8) so that sub-pixel outlines can be judged against the pixels. Preview pixel (R, C) covers
   image pixel units [C/k, (C+1)/k] × [R/k, (R+1)/k], the image frame of mesh/mesh.h. Lines are
   anti-aliased by their distance to each preview pixel's centre. */
#include "mesh/meshimpl.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Mesh edges thin and faint, so that the image and the outline (bold) stay readable even where
   the mesh is much finer than the preview's pixels */
#define MESH_EDGE_WIDTH 0.6
#define MESH_EDGE_ALPHA 0.3

/* layer = max(layer, coverage of a line of the given width from (x0, y0) to (x1, y1)), preview pixels */
static void DrawSegment(float layer[], PetscInt H, PetscInt W, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PetscReal width)
{
  const PetscReal reach = 0.5 * width + 0.5, dx = x1 - x0, dy = y1 - y0, l2 = dx * dx + dy * dy;
  const PetscInt  c0 = PetscMax(0, (PetscInt)PetscFloorReal(PetscMin(x0, x1) - reach)), c1 = PetscMin(W - 1, (PetscInt)PetscCeilReal(PetscMax(x0, x1) + reach));
  const PetscInt  r0 = PetscMax(0, (PetscInt)PetscFloorReal(PetscMin(y0, y1) - reach)), r1 = PetscMin(H - 1, (PetscInt)PetscCeilReal(PetscMax(y0, y1) + reach));

  for (PetscInt R = r0; R <= r1; ++R)
    for (PetscInt C = c0; C <= c1; ++C) {
      const PetscReal px = C + 0.5, py = R + 0.5;
      PetscReal       t = l2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / l2 : 0, d, cov;
      t                 = PetscMin(1, PetscMax(0, t));
      d                 = PetscSqrtReal(PetscSqr(px - x0 - t * dx) + PetscSqr(py - y0 - t * dy));
      cov               = PetscMin(1, reach - d);
      if (cov > layer[R * W + C]) layer[R * W + C] = (float)cov;
    }
}

static inline unsigned char Blend(unsigned char base, PetscReal colour, PetscReal alpha)
{
  return (unsigned char)PetscMin(255, PetscMax(0, (1 - alpha) * base + alpha * colour + 0.5));
}

PetscErrorCode ImagePreviewWrite(const MeshRaster *img, const ImagePolygon *outline, PetscInt ntri, const PetscReal tri[], const PetscReal centroid[2], PetscReal p, const char path[])
{
  const PetscInt  longer = PetscMax(img->rows, img->cols), k = PetscMax(1, PetscMin(8, 900 / longer));
  const PetscInt  H = img->rows * k, W = img->cols * k;
  const PetscReal s  = k / p; /* µm to preview pixels */
  const size_t    n  = (size_t)img->rows * img->cols;
  PetscReal       lo = 0, hi = 1;
  float          *mesh, *line;
  unsigned char  *rgb;

  PetscFunctionBeginUser;
  { /* contrast stretch between the 0.5 and 99.5 percentiles */
    size_t hist[1024] = {0}, acc = 0;
    for (size_t i = 0; i < n; ++i)
      hist[PetscMin(1023, (PetscInt)(img->grey[i] * 1024))]++;
    for (PetscInt b = 0; b < 1024; ++b) {
      if (acc <= n / 200 && acc + hist[b] > n / 200) lo = b / 1024.0;
      if (acc <= n - n / 200 && acc + hist[b] >= n - n / 200) hi = (b + 1) / 1024.0;
      acc += hist[b];
    }
    if (hi <= lo) {
      lo = 0;
      hi = 1;
    }
  }
  PetscCall(PetscCalloc2((size_t)H * W, &mesh, (size_t)H * W, &line));
  PetscCall(PetscMalloc1((size_t)H * W * 3, &rgb));
  for (PetscInt e = 0; e < ntri; ++e)
    for (int a = 0; a < 3; ++a) {
      const PetscReal *u = &tri[6 * e + 2 * a], *v = &tri[6 * e + 2 * ((a + 1) % 3)];
      DrawSegment(mesh, H, W, u[0] * s, u[1] * s, v[0] * s, v[1] * s, MESH_EDGE_WIDTH);
    }
  for (PetscInt i = 0; i < outline->n; ++i) {
    const PetscReal *u = &outline->xy[2 * i], *v = &outline->xy[2 * ((i + 1) % outline->n)];
    DrawSegment(line, H, W, u[0] * s, u[1] * s, v[0] * s, v[1] * s, k > 1 ? 3.0 : 2.0);
  }
  for (PetscInt R = 0; R < H; ++R)
    for (PetscInt C = 0; C < W; ++C) {
      const size_t    at = (size_t)R * W + C;
      const PetscReal g  = (img->grey[(size_t)(R / k) * img->cols + C / k] - lo) / (hi - lo);
      unsigned char   v  = (unsigned char)(255 * PetscMin(1, PetscMax(0, g)) + 0.5);
      unsigned char  *o  = &rgb[3 * at];
      o[0]               = Blend(v, 120, MESH_EDGE_ALPHA * mesh[at]);
      o[1]               = Blend(v, 220, MESH_EDGE_ALPHA * mesh[at]);
      o[2]               = Blend(v, 255, MESH_EDGE_ALPHA * mesh[at]);
      o[0]               = Blend(o[0], 235, line[at]);
      o[1]               = Blend(o[1], 30, line[at]);
      o[2]               = Blend(o[2], 20, line[at]);
    }
  { /* centroid: a yellow cross */
    const PetscReal cx = centroid[0] * s, cy = centroid[1] * s, arm = 3.0 + 2 * k;
    PetscCall(PetscArrayzero(line, (size_t)H * W));
    DrawSegment(line, H, W, cx - arm, cy, cx + arm, cy, 1.5);
    DrawSegment(line, H, W, cx, cy - arm, cx, cy + arm, 1.5);
    for (size_t at = 0; at < (size_t)H * W; ++at) {
      if (line[at] <= 0) continue;
      rgb[3 * at]     = Blend(rgb[3 * at], 255, line[at]);
      rgb[3 * at + 1] = Blend(rgb[3 * at + 1], 230, line[at]);
      rgb[3 * at + 2] = Blend(rgb[3 * at + 2], 0, line[at]);
    }
  }
  PetscCall(PetscFree2(mesh, line));
  {
    PetscErrorCode ierr = MeshPNGWrite(path, H, W, 3, rgb);
    PetscCall(PetscFree(rgb));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- every particle -------- */
/* spot mesh --all: each particle meshed gets a colour of its own (hues a golden angle apart): its
   pixels faintly tinted, its outline drawn, its number written at its centroid (white digits on
   black, a 3 x 5 pixel font scaled up); the mesh edges are drawn faintly in white. Particles
   left out are shaded: blue where they touch the image border, magenta where too small. */
static const unsigned short digit_font[10] = {/* 3 x 5 bits per digit, row by row from the top */
                                              075557, 026227, 071747, 071717, 055711, 074717, 074757, 071111, 075757, 075717};

static void Hue(PetscReal h, PetscReal rgb[3])
{
  const PetscReal x = 6 * (h - PetscFloorReal(h));
  const int       i = (int)x % 6;
  const PetscReal f = x - PetscFloorReal(x), v = 1, s = 0.85, pp = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  const PetscReal table[6][3] = {{v, t, pp}, {q, v, pp}, {pp, v, t}, {pp, q, v}, {t, pp, v}, {v, pp, q}};
  for (int k = 0; k < 3; ++k) rgb[k] = 255 * table[i][k];
}

/* The number n written centred at (x, y) (preview pixels), glyph pixels `scale` wide */
static void DrawNumber(unsigned char rgb[], PetscInt H, PetscInt W, PetscReal x, PetscReal y, PetscInt n, PetscInt scale)
{
  char     text[24];
  PetscInt len, x0, y0;

  snprintf(text, sizeof(text), "%" PetscInt_FMT, n);
  len = (PetscInt)strlen(text);
  x0  = (PetscInt)PetscFloorReal(x - 0.5 * (4 * len - 1) * scale);
  y0  = (PetscInt)PetscFloorReal(y - 2.5 * scale);
  for (int pass = 0; pass < 2; ++pass) /* a black halo, then the white digits */
    for (PetscInt d = 0; d < len; ++d) {
      const unsigned short g = digit_font[text[d] - '0'];
      for (int row = 0; row < 5; ++row)
        for (int col = 0; col < 3; ++col) {
          if (!(g >> (3 * (4 - row) + (2 - col)) & 1)) continue;
          for (PetscInt R = y0 + row * scale - (pass ? 0 : 1); R < y0 + (row + 1) * scale + (pass ? 0 : 1); ++R)
            for (PetscInt C = x0 + (4 * d + col) * scale - (pass ? 0 : 1); C < x0 + (4 * d + col + 1) * scale + (pass ? 0 : 1); ++C) {
              if (R < 0 || R >= H || C < 0 || C >= W) continue;
              for (int k = 0; k < 3; ++k) rgb[3 * ((size_t)R * W + C) + k] = pass ? 255 : 0;
            }
        }
    }
}

PetscErrorCode ImagePreviewWriteParticles(const MeshRaster *img, const ImageParticles *all, const ImagePolygon outline[], PetscInt ntri, const PetscReal tri[], PetscReal p, const char path[])
{
  const PetscInt  longer = PetscMax(img->rows, img->cols), k = PetscMax(1, PetscMin(8, 900 / longer));
  const PetscInt  H = img->rows * k, W = img->cols * k;
  const PetscReal s = k / p;
  const size_t    n = (size_t)img->rows * img->cols;
  PetscReal       lo = 0, hi = 1, (*colour)[3];
  float          *mesh, *line;
  unsigned char  *rgb;
  PetscInt        nkept = all->num_kept;

  PetscFunctionBeginUser;
  { /* contrast stretch between the 0.5 and 99.5 percentiles */
    size_t hist[1024] = {0}, acc = 0;
    for (size_t i = 0; i < n; ++i) hist[PetscMin(1023, PetscMax(0, (PetscInt)(img->grey[i] * 1024)))]++;
    for (PetscInt b = 0; b < 1024; ++b) {
      if (acc <= n / 200 && acc + hist[b] > n / 200) lo = b / 1024.0;
      if (acc <= n - n / 200 && acc + hist[b] >= n - n / 200) hi = (b + 1) / 1024.0;
      acc += hist[b];
    }
    if (hi <= lo) lo = 0, hi = 1;
  }
  PetscCall(PetscMalloc1(nkept + 1, &colour));
  for (PetscInt j = 0; j < nkept; ++j) Hue(0.13 + 0.618033988749895 * j, colour[j]);
  PetscCall(PetscCalloc2((size_t)H * W, &mesh, (size_t)H * W, &line));
  PetscCall(PetscMalloc1((size_t)H * W * 3, &rgb));
  for (PetscInt e = 0; e < ntri; ++e)
    for (int a = 0; a < 3; ++a) {
      const PetscReal *u = &tri[6 * e + 2 * a], *v = &tri[6 * e + 2 * ((a + 1) % 3)];
      DrawSegment(mesh, H, W, u[0] * s, u[1] * s, v[0] * s, v[1] * s, MESH_EDGE_WIDTH);
    }
  for (PetscInt R = 0; R < H; ++R)
    for (PetscInt C = 0; C < W; ++C) {
      const size_t    at = (size_t)R * W + C, pix = (size_t)(R / k) * img->cols + C / k;
      const PetscReal g  = (img->grey[pix] - lo) / (hi - lo);
      const int       l  = all->label[pix];
      unsigned char   v  = (unsigned char)(255 * PetscMin(1, PetscMax(0, g)) + 0.5);
      unsigned char  *o  = &rgb[3 * at];
      PetscReal       tint[3] = {0, 0, 0}, alpha = 0;
      if (l) {
        const ImageParticle *q = &all->particle[l - 1];
        if (q->fate == PARTICLE_KEPT) {
          for (int c = 0; c < 3; ++c) tint[c] = colour[q->number - 1][c];
          alpha = 0.18;
        } else if (q->fate == PARTICLE_BORDER) {
          tint[0] = 40, tint[1] = 90, tint[2] = 255, alpha = 0.5;
        } else if (q->fate == PARTICLE_SMALL) {
          tint[0] = 255, tint[1] = 0, tint[2] = 200, alpha = 0.6;
        }
      }
      for (int c = 0; c < 3; ++c) o[c] = Blend(Blend(v, tint[c], alpha), 255, 0.8 * MESH_EDGE_ALPHA * mesh[at]);
    }
  for (PetscInt j = 0; j < nkept; ++j) { /* outlines, each in its colour */
    PetscCall(PetscArrayzero(line, (size_t)H * W));
    for (PetscInt i = 0; i < outline[j].n; ++i) {
      const PetscReal *u = &outline[j].xy[2 * i], *v = &outline[j].xy[2 * ((i + 1) % outline[j].n)];
      DrawSegment(line, H, W, u[0] * s, u[1] * s, v[0] * s, v[1] * s, k > 1 ? 3.0 : 2.0);
    }
    for (size_t at = 0; at < (size_t)H * W; ++at)
      if (line[at] > 0)
        for (int c = 0; c < 3; ++c) rgb[3 * at + c] = Blend(rgb[3 * at + c], colour[j][c], line[at]);
  }
  for (PetscInt i = 0; i < all->nparticles; ++i) { /* numbers */
    const ImageParticle *q = &all->particle[i];
    if (q->fate == PARTICLE_KEPT) DrawNumber(rgb, H, W, q->centroid[0] * k, q->centroid[1] * k, q->number, PetscMax(2, k));
  }
  PetscCall(PetscFree2(mesh, line));
  PetscCall(PetscFree(colour));
  {
    PetscErrorCode ierr = MeshPNGWrite(path, H, W, 3, rgb);
    PetscCall(PetscFree(rgb));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}
