/* Image panels in plot figures: maps, kymographs and colour bars painted into axes.

   The axes are rendered by postproc/plot.c as usual (frame, ticks, labels); then every canvas
   pixel inside a panel's plot area is coloured from the panel's sampler at the data point under
   the pixel's centre. Panels that show space keep square pixels: their limits are widened once
   so that one data unit spans as many canvas pixels across as up. A colour-bar panel paints its
   y range and blanks its meaningless x ticks. Colours: a perceptually ordered dark-blue → green →
   yellow ramp (in the manner of viridis); no data is light grey. */
#include "postproc/postproc.h"
#include "input/input.h"
#include <math.h>
#include <stdio.h>

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
  PetscErrorCode code;
  char           message[1024];
} DrawCaptured;

static PetscErrorCode DrawCapture(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  DrawCaptured *e = (DrawCaptured *)ctx;
  if (p == PETSC_ERROR_INITIAL && !e->message[0]) {
    e->code = n;
    snprintf(e->message, sizeof(e->message), "%s", mess ? mess : "error");
  }
  return n;
}

/* The plot area of an axes in canvas pixels, after rendering */
static PetscErrorCode PanelRect(PlotAxes ax, PetscReal lim[4], PetscReal rect[4])
{
  PetscFunctionBeginUser;
  PetscCall(PlotAxesGetLimits(ax, &lim[0], &lim[1], &lim[2], &lim[3]));
  PetscCall(PlotAxesDataToPixel(ax, lim[0], lim[3], &rect[0], &rect[1]));
  PetscCall(PlotAxesDataToPixel(ax, lim[1], lim[2], &rect[2], &rect[3]));
  PetscFunctionReturn(0);
}

static PetscErrorCode DrawOnRankZero(PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[])
{
  PetscInt             width, height;
  const unsigned char *rgb_const;
  unsigned char       *rgb;
  PetscBool            adjusted = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PlotFigureRender(fig));
  for (PetscInt i = 0; i < n; ++i) { /* square data pixels */
    PetscReal lim[4], rect[4], sx, sy;
    if (!panels[i].equal_aspect) continue;
    PetscCall(PanelRect(panels[i].ax, lim, rect));
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
  if (adjusted) PetscCall(PlotFigureRender(fig));
  PetscCall(PlotFigureGetImage(fig, &width, &height, &rgb_const));
  rgb = (unsigned char *)rgb_const; /* paint on the rendered canvas */
  for (PetscInt i = 0; i < n; ++i) {
    const MapsPanel *p = &panels[i];
    PetscReal        lim[4], rect[4];
    PetscInt         c0, c1, r0, r1;
    PetscCall(PanelRect(p->ax, lim, rect));
    c0 = (PetscInt)rect[0] + 1;
    r0 = (PetscInt)rect[1] + 1;
    c1 = (PetscInt)rect[2];
    r1 = (PetscInt)rect[3];
    for (PetscInt row = PetscMax(r0, 0); row < PetscMin(r1, height); ++row)
      for (PetscInt col = PetscMax(c0, 0); col < PetscMin(c1, width); ++col) {
        const PetscReal x = lim[0] + (col + 0.5 - rect[0]) / (rect[2] - rect[0]) * (lim[1] - lim[0]);
        const PetscReal y = lim[3] - (row + 0.5 - rect[1]) / (rect[3] - rect[1]) * (lim[3] - lim[2]);
        const PetscReal v = p->colorbar ? y : p->sample(p->ctx, x, y);
        MapsColor(v, p->lo, p->hi, &rgb[3 * (row * width + col)]);
      }
    if (p->colorbar) { /* blank the x ticks and their labels below the bar */
      const PetscInt b0 = (PetscInt)(p->box[0] * width), b1 = (PetscInt)(p->box[2] * width), b3 = (PetscInt)(p->box[3] * height);
      for (PetscInt row = (PetscInt)rect[3] + 1; row < PetscMin(b3, height); ++row)
        for (PetscInt col = PetscMax(b0, 0); col < PetscMin(b1, width); ++col) rgb[3 * (row * width + col)] = rgb[3 * (row * width + col) + 1] = rgb[3 * (row * width + col) + 2] = 255;
    }
  }
  PetscCall(MeshPNGWrite(path, height, width, 3, rgb));
  PetscFunctionReturn(0);
}

/* fn(ctx) on rank 0 with its errors captured; then every rank fails with its message, or none */
PetscErrorCode CompareOnRankZero(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx)
{
  PetscMPIInt rank;
  PetscBool   failed        = PETSC_FALSE;
  char        message[1100] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    DrawCaptured   captured = {0, ""};
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(DrawCapture, &captured));
    ierr = fn(ctx);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      failed = PETSC_TRUE;
      if (captured.code == PETSC_ERR_USER_INPUT || captured.code == PETSC_ERR_NOT_CONVERGED) PetscCall(PetscStrncpy(message, captured.message, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "internal error (code %d): %s", (int)captured.code, captured.message));
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscFunctionReturn(0);
}

typedef struct {
  PlotFigure  fig;
  PetscInt    n;
  MapsPanel  *panels;
  const char *path;
} DrawJob;

static PetscErrorCode DrawJobRun(void *ctx)
{
  DrawJob       *job      = (DrawJob *)ctx;
  DrawCaptured   captured = {0, ""};
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(DrawCapture, &captured));
  ierr = DrawOnRankZero(job->fig, job->n, job->panels, job->path);
  PetscCall(PetscPopErrorHandler());
  if (ierr && captured.code == PETSC_ERR_USER_INPUT) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s", captured.message);
  PetscCheck(!ierr, PETSC_COMM_SELF, captured.code, "cannot draw figure '%s': %s", job->path, captured.message);
  PetscFunctionReturn(0);
}

/* Collective on comm, the figure's communicator */
PetscErrorCode MapsFigureWrite(MPI_Comm comm, PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[])
{
  DrawJob job = {fig, n, panels, path};

  PetscFunctionBeginUser;
  PetscCall(CompareOnRankZero(comm, DrawJobRun, &job));
  PetscFunctionReturn(0);
}
