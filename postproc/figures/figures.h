/* postproc/figures: figures for readers of papers, drawn with cairo (plot.c), and image panels
   painted from a sampler (panels.c): maps, kymographs, colour bars.

   A figure is a white page of width × height units (one unit = one pixel of the PNG, 0.75 pt of
   the PDF/SVG) holding axes (panels). Each axes has a frame, 4 to 8 "nice" ticks (1, 2, 2.5, 5 ×
   10^k on linear scales, decades 10ⁿ on log scales) labelled with as many digits as neighbours
   need to differ, a title, axis labels (the y label rotated), and series: lines (any width),
   markers (filled or open circles, squares, crosses) or both, with a legend placed where it
   hides the least data (the position given is a preference). Text is DejaVu Sans, UTF-8 (θ, µ,
   ², Å). Limits are taken from the data unless set. Non-finite points, and points ≤ 0 on a log
   axis, are skipped and break a line. Axes may also hold images (data-space rectangles of RGB
   pixels, e.g. maps), vertical marker lines (step boundaries), a colour-bar style, and share the
   x axis of another axes (stacked panels against time: one set of x tick labels, at the bottom
   panel, which is the one shared).

   Output: PNG always; PDF and SVG as well with -out_figure_formats png,pdf,svg (a comma-separated
   list; an unknown name is a one-line input error). The PDF/SVG of fig.png is fig.pdf/fig.svg,
   the same drawing with images embedded. Files are written through PostprocFiles: under a
   temporary name, every write checked, published only when all are complete (a full disk or an
   unwritable folder is one line naming the file, and no file is left).

   Collective objects: every rank calls the same functions with the same data; rank 0 draws
   and writes, and a failure to write fails on every rank (InputCollectiveError).

     PlotFigure fig; PlotAxes ax;
     PlotFigureCreate(comm, 800, 500, &fig);
     PlotFigureAddAxes(fig, 0, 0, 1, 1, &ax);          // fractions of the figure: x0, y0, x1, y1 from top-left
     PlotAxesSetLabels(ax, "title", "θ", "D (cm²/s)");
     PlotAxesSetLog(ax, PETSC_FALSE, PETSC_TRUE);
     PlotAxesAddSeries(ax, n, x, y, PlotColorCycle(0), 2.0, PLOT_MARKER_CIRCLE, 6.0, "GITT");
     PlotFigureWritePNG(fig, "out/d.png");             // and out/d.pdf, out/d.svg on request
     PlotFigureDestroy(&fig);

   Stacked panels sharing time, with step boundaries:
     PlotFigureAddAxes(fig, 0, 0.00, 1, 0.36, &top);  PlotFigureAddAxes(fig, 0, 0.36, 1, 1, &bottom);
     PlotAxesShareX(top, bottom);                      // top: bottom's x limits, no x tick labels
     for each step end t_k: PlotAxesAddVLine(top, t_k, grey, 1, PETSC_TRUE), same on bottom

   Arrows: figures/ writes through fileset/ and is used by run/, optics/, gitt/ and the tests; it
   knows nothing of runs, meshes or solvers. */
#ifndef SPOT_POSTPROC_FIGURES_H
#define SPOT_POSTPROC_FIGURES_H

#include "postproc/fileset/fileset.h"
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

typedef enum {
  PLOT_IMAGE_NEAREST, /* pixels stay square blocks: maps of data on a grid */
  PLOT_IMAGE_BILINEAR /* smooth: photographs, colour ramps */
} PlotImageFilter;

typedef enum {
  PLOT_FORMAT_PNG,
  PLOT_FORMAT_PDF,
  PLOT_FORMAT_SVG,
  PLOT_FORMAT_COUNT
} PlotFormat;

#define PLOT_MAX_TICKS 32

PlotColor PlotColorCycle(PetscInt i); /* a palette of 8 distinguishable colours, repeating */
PlotColor PlotColorRGB(unsigned char r, unsigned char g, unsigned char b);

/* -out_figure_formats: formats[k] for each PlotFormat (PNG always true); collective check */
PetscErrorCode PlotFormatsFromOptions(MPI_Comm comm, PetscBool formats[PLOT_FORMAT_COUNT]);
/* fig.png → fig.pdf / fig.svg */
PetscErrorCode PlotFormatPath(const char png_path[], PlotFormat format, char path[], size_t len);

PetscErrorCode PlotFigureCreate(MPI_Comm comm, PetscInt width, PetscInt height, PlotFigure *fig);
PetscErrorCode PlotFigureSetFontScale(PlotFigure fig, PetscInt scale); /* text size 5 + 5.5·scale units; default from the size */
PetscErrorCode PlotFigureAddAxes(PlotFigure fig, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PlotAxes *ax);
PetscErrorCode PlotFigureAddText(PlotFigure fig, PetscReal x, PetscReal y, const char text[], PlotColor color); /* x, y: fractions, top-left of the text */
/* Limits, ticks and plot areas from the data and the text sizes (done by Render and Write;
   call it to ask PlotAxesDataToPixel & co. before drawing) */
PetscErrorCode PlotFigureLayout(PlotFigure fig);
PetscErrorCode PlotFigureRender(PlotFigure fig); /* lay out and draw into an RGB image on this rank */
PetscErrorCode PlotFigureGetImage(PlotFigure fig, PetscInt *width, PetscInt *height, const unsigned char **rgb);
PetscErrorCode PlotFigureWritePNG(PlotFigure fig, const char path[]); /* and its PDF/SVG on request */
/* The figure's files go into files (published with them) instead of being published at once */
PetscErrorCode PlotFigureSetOutputFiles(PlotFigure fig, PostprocFiles files);
/* Rank 0 lays the figure out, runs draw(fig, ctx) (which may change limits and lay out again, or
   add images), and writes path and its twins */
PetscErrorCode PlotFigureWriteCanvas(PlotFigure fig, const char path[], PetscErrorCode (*draw)(PlotFigure, void *), void *ctx);
/* The files a figure written to png_path makes (n ≤ PLOT_FORMAT_COUNT) */
PetscErrorCode PlotFigureGetPaths(PlotFigure fig, const char png_path[], PetscInt *n, char paths[][PETSC_MAX_PATH_LEN]);
/* Rank 0: an 8-bit RGB image (row 0 at the top) into a PNG file of a set */
PetscErrorCode PlotWritePNG(PostprocFiles files, const char path[], PetscInt width, PetscInt height, const unsigned char rgb[]);
PetscErrorCode PlotFigureDestroy(PlotFigure *fig);

PetscErrorCode PlotAxesSetLabels(PlotAxes ax, const char title[], const char xlabel[], const char ylabel[]);
PetscErrorCode PlotAxesSetLog(PlotAxes ax, PetscBool xlog, PetscBool ylog);
PetscErrorCode PlotAxesSetXLimits(PlotAxes ax, PetscReal xmin, PetscReal xmax);
PetscErrorCode PlotAxesSetYLimits(PlotAxes ax, PetscReal ymin, PetscReal ymax);
PetscErrorCode PlotAxesSetLegend(PlotAxes ax, PlotLegendPosition position); /* a preference; NONE: no legend */
/* A colour bar for values lo..hi upwards: a narrow bar, ticks and labels on its right, the title above */
PetscErrorCode PlotAxesSetColorBar(PlotAxes ax, PetscReal lo, PetscReal hi);
/* ax takes the x limits of with (from the data of both, unless set on with) and draws no x tick
   labels nor x label; their plot areas line up */
PetscErrorCode PlotAxesShareX(PlotAxes ax, PlotAxes with);
/* width: line width in figure units (0: no line); marker size: diameter; label: legend text or NULL */
PetscErrorCode PlotAxesAddSeries(PlotAxes ax, PetscInt n, const PetscReal x[], const PetscReal y[], PlotColor color, PetscReal width, PlotMarker marker, PetscReal marker_size, const char label[]);
/* A vertical line across the plot area at x (e.g. a protocol step boundary) */
PetscErrorCode PlotAxesAddVLine(PlotAxes ax, PetscReal x, PlotColor color, PetscReal width, PetscBool dashed);
/* An RGB image (row 0 at the top, copied) covering data x0..x1, y0..y1, under the series */
PetscErrorCode PlotAxesAddImage(PlotAxes ax, PetscInt cols, PetscInt rows, const unsigned char rgb[], PetscReal x0, PetscReal x1, PetscReal y0, PetscReal y1, PlotImageFilter filter);
/* After layout: the limits in use, the figure position (column, row) of a data point, and the
   plot area (left, top, right, bottom) */
PetscErrorCode PlotAxesGetLimits(PlotAxes ax, PetscReal *xmin, PetscReal *xmax, PetscReal *ymin, PetscReal *ymax);
PetscErrorCode PlotAxesDataToPixel(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row);
PetscErrorCode PlotAxesGetPlotArea(PlotAxes ax, PetscReal rect[4]);

/* Helpers, also used by the axes */
PetscErrorCode PlotTimeUnit(PetscReal t_end, PetscReal *per_s, const char **unit); /* s, min or h for a time axis up to t_end s */
PetscErrorCode PlotNiceTicks(PetscReal lo, PetscReal hi, PetscInt max_ticks, PetscInt *n, PetscReal ticks[]);
PetscErrorCode PlotTextSize(const char text[], PetscInt scale, PetscInt *width, PetscInt *height); /* in figure units */

/* Image panels in plot figures: an axes whose plot area is painted from a sampler (data x, y →
   value, NaN for none) with one colour scale; a colour-bar panel paints lo..hi upwards and hides
   its x ticks. MapsFigureWrite lays out on rank 0, adds the panel images, writes the PNG (and
   PDF/SVG on request); collective. MapsColor: the colour of v on the scale lo..hi (a dark-blue →
   green → yellow ramp; NaN: light grey). */
typedef PetscReal (*MapsSampler)(void *ctx, PetscReal x, PetscReal y);
typedef struct {
  PlotAxes    ax;
  PetscReal   box[4]; /* the axes box given to PlotFigureAddAxes */
  MapsSampler sample;
  void       *ctx;
  PetscReal   lo, hi;
  PetscBool   equal_aspect, colorbar;
} MapsPanel;

void           MapsColor(PetscReal v, PetscReal lo, PetscReal hi, unsigned char rgb[3]);
PetscErrorCode MapsFigureWrite(MPI_Comm comm, PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[]); /* comm: the figure's */

#endif
