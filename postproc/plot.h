/* plot: small, dependency-free figures written as PNG (libpng only).

   A figure is a white RGB canvas holding one or more axes (panels). Each axes has a frame,
   "nice" ticks (1, 2, 5 × 10^k on linear scales, decades on log scales) labelled with a
   built-in 5×7 bitmap font (ASCII plus θ τ √ µ ² ³ α Δ · − ° ×, given as UTF-8), a title,
   axis labels (the y label rotated), and series: lines (anti-aliased, any width), markers
   (filled or open circles, squares, crosses) or both, with an optional legend. Limits are
   taken from the data unless set. Non-finite points, and points ≤ 0 on a log axis, are
   skipped and break a line.

   Collective objects: every rank calls the same functions with the same data; rank 0 draws
   and writes, and a failure to write fails on every rank (InputCollectiveError). Nothing is
   drawn until PlotFigureRender or PlotFigureWritePNG, so series can be added in any order.

     PlotFigure fig; PlotAxes ax;
     PlotFigureCreate(comm, 800, 500, &fig);
     PlotFigureAddAxes(fig, 0, 0, 1, 1, &ax);          // fractions of the figure: x0, y0, x1, y1 from top-left
     PlotAxesSetLabels(ax, "title", "θ", "D (cm²/s)");
     PlotAxesSetLog(ax, PETSC_FALSE, PETSC_TRUE);
     PlotAxesAddSeries(ax, n, x, y, PlotColorCycle(0), 2.0, PLOT_MARKER_CIRCLE, 6.0, "GITT");
     PlotFigureWritePNG(fig, "out/d.png");
     PlotFigureDestroy(&fig); */
#ifndef SPOT_PLOT_H
#define SPOT_PLOT_H

#include <petscsys.h>

typedef struct _p_PlotFigure *PlotFigure;
typedef struct _p_PlotAxes   *PlotAxes; /* owned by its figure */

typedef struct {
  unsigned char r, g, b;
} PlotColor;

typedef enum {
  PLOT_MARKER_NONE,
  PLOT_MARKER_CIRCLE,      /* filled */
  PLOT_MARKER_OPEN_CIRCLE, /* ring */
  PLOT_MARKER_SQUARE,      /* filled */
  PLOT_MARKER_CROSS        /* × */
} PlotMarker;

typedef enum {
  PLOT_LEGEND_NONE,
  PLOT_LEGEND_UPPER_RIGHT,
  PLOT_LEGEND_UPPER_LEFT,
  PLOT_LEGEND_LOWER_RIGHT,
  PLOT_LEGEND_LOWER_LEFT
} PlotLegendPosition;

#define PLOT_MAX_TICKS 32

PlotColor PlotColorCycle(PetscInt i); /* a palette of 8 distinguishable colours, repeating */
PlotColor PlotColorRGB(unsigned char r, unsigned char g, unsigned char b);

PetscErrorCode PlotFigureCreate(MPI_Comm comm, PetscInt width, PetscInt height, PlotFigure *fig);
PetscErrorCode PlotFigureSetFontScale(PlotFigure fig, PetscInt scale); /* font pixel size; default from the height */
PetscErrorCode PlotFigureAddAxes(PlotFigure fig, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PlotAxes *ax);
PetscErrorCode PlotFigureAddText(PlotFigure fig, PetscReal x, PetscReal y, const char text[], PlotColor color); /* x, y: fractions, top-left of the text */
PetscErrorCode PlotFigureRender(PlotFigure fig);                                                                /* draw on this rank (PlotFigureWritePNG does it on rank 0) */
PetscErrorCode PlotFigureGetImage(PlotFigure fig, PetscInt *width, PetscInt *height, const unsigned char **rgb);
PetscErrorCode PlotFigureWritePNG(PlotFigure fig, const char path[]);
PetscErrorCode PlotFigureDestroy(PlotFigure *fig);

PetscErrorCode PlotAxesSetLabels(PlotAxes ax, const char title[], const char xlabel[], const char ylabel[]);
PetscErrorCode PlotAxesSetLog(PlotAxes ax, PetscBool xlog, PetscBool ylog);
PetscErrorCode PlotAxesSetXLimits(PlotAxes ax, PetscReal xmin, PetscReal xmax);
PetscErrorCode PlotAxesSetYLimits(PlotAxes ax, PetscReal ymin, PetscReal ymax);
PetscErrorCode PlotAxesSetLegend(PlotAxes ax, PlotLegendPosition position);
/* width: line width in pixels (0: no line); marker size: diameter in pixels; label: legend text or NULL */
PetscErrorCode PlotAxesAddSeries(PlotAxes ax, PetscInt n, const PetscReal x[], const PetscReal y[], PlotColor color, PetscReal width, PlotMarker marker, PetscReal marker_size, const char label[]);
/* After rendering: the limits in use and the pixel (column, row) of a data point */
PetscErrorCode PlotAxesGetLimits(PlotAxes ax, PetscReal *xmin, PetscReal *xmax, PetscReal *ymin, PetscReal *ymax);
PetscErrorCode PlotAxesDataToPixel(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row);

/* Helpers, also used by the axes */
PetscErrorCode PlotNiceTicks(PetscReal lo, PetscReal hi, PetscInt max_ticks, PetscInt *n, PetscReal ticks[]);
PetscErrorCode PlotTextSize(const char text[], PetscInt scale, PetscInt *width, PetscInt *height);

#endif
