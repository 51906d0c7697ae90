/* Image panels in plot figures: maps, kymographs and colour bars painted into axes.

   The axes are laid out by plot.c as usual (frame, ticks, labels); then each panel gets
   an image with one pixel per figure unit of its plot area, coloured from the panel's sampler at
   the data point under the pixel's centre, so that the map is an image in the PDF/SVG too.
   Panels that show space keep square pixels: their limits are widened once so that one data unit
   spans as many figure units across as up. A colour-bar panel is plot.c's colour-bar axes with a
   ramp image. Colours: a perceptually ordered dark-blue → green →
   yellow ramp (in the manner of viridis); no data is light grey. */
#include "postproc/figures/figures.h"
#include <math.h>

static const unsigned char ramp[9][3] = {
  {68,  1,   84 },
  {71,  44,  122},
  {59,  81,  139},
  {44,  113, 142},
  {33,  145, 140},
  {39,  173, 129},
  {92,  200, 99 },
  {170, 220, 50 },
  {253, 231, 37 },
};

void MapsColor(PetscReal v, PetscReal lo, PetscReal hi, unsigned char rgb[3])
{
  PetscReal s;
  PetscInt  k;

  if (PetscIsNanReal(v) || PetscIsInfReal(v)) {
    rgb[0] = rgb[1] = rgb[2] = 232;
    return;
  }
  s = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  s = PetscMax(0, PetscMin(1, s)) * 8;
  k = PetscMin(7, (PetscInt)s);
  s -= k;
  for (int c = 0; c < 3; ++c) rgb[c] = (unsigned char)(ramp[k][c] + s * (ramp[k + 1][c] - ramp[k][c]) + 0.5);
}

typedef struct {
  PetscInt   n;
  MapsPanel *panels;
} DrawJob;

/* Rank 0, the figure laid out: square data pixels where asked, then each panel's image, one
   image pixel per figure unit of its plot area (nearest: the data's own pixels stay sharp); a
   colour bar is a ramp of 256 values, smoothed */
static PetscErrorCode DrawPanels(PlotFigure fig, void *ctx)
{
  DrawJob       *job      = (DrawJob *)ctx;
  const PetscInt n        = job->n;
  MapsPanel     *panels   = job->panels;
  PetscBool      adjusted = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; ++i) { /* square data pixels */
    PetscReal lim[4], rect[4], sx, sy;
    if (!panels[i].equal_aspect) continue;
    PetscCall(PlotAxesGetLimits(panels[i].ax, &lim[0], &lim[1], &lim[2], &lim[3]));
    PetscCall(PlotAxesGetPlotArea(panels[i].ax, rect));
    sx = (rect[2] - rect[0]) / (lim[1] - lim[0]);
    sy = (rect[3] - rect[1]) / (lim[3] - lim[2]);
    if (PetscAbsReal(sx / sy - 1) < 1e-3) continue;
    if (sx > sy) {
      const PetscReal half = 0.5 * (rect[2] - rect[0]) / sy, mid = 0.5 * (lim[0] + lim[1]);
      PetscCall(PlotAxesSetXLimits(panels[i].ax, mid - half, mid + half));
    } else {
      const PetscReal half = 0.5 * (rect[3] - rect[1]) / sx, mid = 0.5 * (lim[2] + lim[3]);
      PetscCall(PlotAxesSetYLimits(panels[i].ax, mid - half, mid + half));
    }
    adjusted = PETSC_TRUE;
  }
  if (adjusted) PetscCall(PlotFigureLayout(fig));
  for (PetscInt i = 0; i < n; ++i) {
    const MapsPanel *p = &panels[i];
    PetscReal        lim[4], rect[4];
    PetscInt         cols, rows;
    unsigned char   *rgb;
    PetscCall(PlotAxesGetLimits(p->ax, &lim[0], &lim[1], &lim[2], &lim[3]));
    if (p->colorbar) {
      rows = 256;
      PetscCall(PetscMalloc1(3 * rows, &rgb));
      for (PetscInt r = 0; r < rows; ++r) MapsColor(p->hi - (r + 0.5) / rows * (p->hi - p->lo), p->lo, p->hi, &rgb[3 * r]);
      PetscCall(PlotAxesAddImage(p->ax, 1, rows, rgb, lim[0], lim[1], p->lo, p->hi, PLOT_IMAGE_BILINEAR));
      PetscCall(PetscFree(rgb));
      continue;
    }
    PetscCall(PlotAxesGetPlotArea(p->ax, rect));
    cols = PetscMax(1, (PetscInt)PetscCeilReal(rect[2] - rect[0]));
    rows = PetscMax(1, (PetscInt)PetscCeilReal(rect[3] - rect[1]));
    PetscCall(PetscMalloc1(3 * cols * rows, &rgb));
    for (PetscInt row = 0; row < rows; ++row)
      for (PetscInt col = 0; col < cols; ++col) {
        const PetscReal x = lim[0] + (col + 0.5) / cols * (lim[1] - lim[0]);
        const PetscReal y = lim[3] - (row + 0.5) / rows * (lim[3] - lim[2]);
        MapsColor(p->sample(p->ctx, x, y), p->lo, p->hi, &rgb[3 * (row * cols + col)]);
      }
    PetscCall(PlotAxesAddImage(p->ax, cols, rows, rgb, lim[0], lim[1], lim[2], lim[3], PLOT_IMAGE_NEAREST));
    PetscCall(PetscFree(rgb));
  }
  PetscFunctionReturn(0);
}

/* Collective on the figure's communicator (comm, kept for the callers, is that one) */
PetscErrorCode MapsFigureWrite(MPI_Comm comm, PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[])
{
  DrawJob job = {n, panels};

  PetscFunctionBeginUser;
  (void)comm;
  for (PetscInt i = 0; i < n; ++i)
    if (panels[i].colorbar) PetscCall(PlotAxesSetColorBar(panels[i].ax, panels[i].lo, panels[i].hi));
  PetscCall(PlotFigureWriteCanvas(fig, path, DrawPanels, &job));
  PetscFunctionReturn(0);
}
