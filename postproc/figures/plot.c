/* plot: figures drawn with cairo (see figures.h): axes, ticks, series, images, legends,
   written as PNG and, on request (-out_figure_formats), as PDF and SVG from the same drawing.

   Coordinates: the figure is width × height units; one unit is one pixel of the PNG and 0.75 pt
   of the PDF/SVG page (so a 800 × 500 figure is an A5-sized page). Text is DejaVu Sans through
   cairo's text API (UTF-8: θ, µ, ², Å, ⁻¹⁴ all have glyphs). Nothing is drawn until the figure is
   laid out (PlotFigureLayout: limits, ticks and plot areas from the text sizes) and then drawn
   onto a cairo surface, once per output format. */
#include "postproc/figures/figures.h"
#include "input/input.h"
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_MAX_AXES 16
#define PLOT_MAX_TEXTS 16
#define PLOT_MAX_VLINES 256
#define PLOT_FONT "DejaVu Sans"
#define PLOT_PT_PER_UNIT 0.75

/* ---------------------------------------------------------------- objects */
typedef struct {
  PetscInt   n;
  PetscReal *x, *y;
  PlotColor  color;
  PetscReal  width, marker_size;
  PlotMarker marker;
  char      *label;
} Series;

typedef struct {
  PetscReal x, width;
  PlotColor color;
  PetscBool dashed;
} VLine;

typedef struct {
  cairo_surface_t *surface;
  PetscReal        x0, x1, y0, y1; /* data units covered by the image; row 0 at y1 */
  PlotImageFilter  filter;
} Image;

/* Ticks of one axis: values, labels, and minor ticks (log axes) */
typedef struct {
  PetscInt  n, nminor;
  PetscReal value[PLOT_MAX_TICKS], minor[4 * PLOT_MAX_TICKS];
  char      label[PLOT_MAX_TICKS][48];
  char      factor[48]; /* "×10⁻¹⁴": the labels are multiples of it; "" for none */
} Ticks;

struct _p_PlotAxes {
  PlotFigure         fig;
  PetscReal          box[4]; /* x0, y0, x1, y1: fractions of the figure, from the top-left */
  char              *title, *xlabel, *ylabel;
  PetscBool          log[2], fixed[2], colorbar;
  PetscReal          lim[4];  /* xmin, xmax, ymin, ymax (data units) */
  PetscReal          rect[4]; /* plot area in figure units: left, top, right, bottom (after layout) */
  PetscBool          laid_out;
  PlotLegendPosition legend;
  PlotAxes           sharex; /* takes its x limits from this one and shows no x tick labels */
  PetscInt           nseries, cap, nvlines, nimages;
  Series            *series;
  VLine             *vlines;
  Image              images[4];
  Ticks              tx, ty;
};

typedef struct {
  PetscReal x, y;
  char     *text;
  PlotColor color;
} FigureText;

struct _p_PlotFigure {
  MPI_Comm       comm;
  PostprocFiles  files; /* where its files go; NULL: published at once */
  PetscInt       width, height, scale;
  PetscBool      formats[PLOT_FORMAT_COUNT];
  unsigned char *rgb; /* the last PlotFigureRender, RGB rows from the top */
  PetscInt       naxes, ntexts;
  PlotAxes       axes[PLOT_MAX_AXES];
  FigureText     texts[PLOT_MAX_TEXTS];
};

static const char *const format_names[PLOT_FORMAT_COUNT] = {"png", "pdf", "svg"};

PlotColor PlotColorRGB(unsigned char r, unsigned char g, unsigned char b)
{
  PlotColor c;
  c.r = r;
  c.g = g;
  c.b = b;
  return c;
}

PlotColor PlotColorCycle(PetscInt i)
{
  static const unsigned char palette[8][3] = {
      {0, 90, 180},
      {220, 90, 10},
      {0, 145, 70},
      {175, 30, 125},
      {110, 110, 110},
      {150, 95, 20},
      {0, 160, 175},
      {205, 30, 35},
  };
  const PetscInt k = ((i % 8) + 8) % 8;
  return PlotColorRGB(palette[k][0], palette[k][1], palette[k][2]);
}

/* ---------------------------------------------------------------- formats */
PetscErrorCode PlotFormatsFromOptions(MPI_Comm comm, PetscBool formats[PLOT_FORMAT_COUNT])
{
  char     *list[PLOT_FORMAT_COUNT + 8];
  PetscInt  n = PLOT_FORMAT_COUNT + 8;
  PetscBool set;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < PLOT_FORMAT_COUNT; ++k) formats[k] = k == PLOT_FORMAT_PNG ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-out_figure_formats", list, &n, &set));
  if (!set) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < n; ++i) {
    PetscInt  k;
    PetscBool known = PETSC_FALSE;
    char      name[64];
    PetscCall(PetscStrncpy(name, list[i], sizeof(name)));
    PetscCall(PetscFree(list[i]));
    for (k = 0; k < PLOT_FORMAT_COUNT && !known; ++k) PetscCall(PetscStrcasecmp(name, format_names[k], &known));
    for (PetscInt j = i + 1; j < n && !known; ++j) PetscCall(PetscFree(list[j]));
    PetscCheck(known, comm, PETSC_ERR_USER_INPUT, "option -out_figure_formats: unknown figure format '%s'; expected a comma-separated list of png, pdf, svg (PNG is always written)", name);
    formats[k - 1] = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFormatPath(const char png_path[], PlotFormat format, char path[], size_t len)
{
  size_t n;

  PetscFunctionBeginUser;
  PetscCall(PetscStrlen(png_path, &n));
  if (n >= 4 && !strcmp(png_path + n - 4, ".png")) n -= 4;
  PetscCheck(n + 5 <= len, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "figure path '%s' too long", png_path);
  PetscCall(PetscSNPrintf(path, len, "%.*s.%s", (int)n, png_path, format_names[format]));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- creation */
PetscErrorCode PlotFigureCreate(MPI_Comm comm, PetscInt width, PetscInt height, PlotFigure *fig)
{
  PlotFigure f;

  PetscFunctionBeginUser;
  PetscCheck(width >= 16 && height >= 16 && width <= 16384 && height <= 16384, comm, PETSC_ERR_ARG_OUTOFRANGE, "figure size %" PetscInt_FMT " x %" PetscInt_FMT " out of range", width, height);
  PetscCall(PetscNew(&f));
  f->comm   = comm;
  f->width  = width;
  f->height = height;
  f->scale  = PetscMax(1, PetscMin(width, height) / 250);
  PetscCall(PlotFormatsFromOptions(comm, f->formats));
  PetscCall(PetscCalloc1(3 * width * height, &f->rgb));
  *fig = f;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureSetFontScale(PlotFigure fig, PetscInt scale)
{
  PetscFunctionBeginUser;
  PetscCheck(scale >= 1 && scale <= 16, fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "font scale %" PetscInt_FMT " out of range [1, 16]", scale);
  fig->scale = scale;
  PetscFunctionReturn(0);
}

/* The font size (em, figure units) of a font scale */
static PetscReal FontSize(PetscInt scale)
{
  return 5.0 + 5.5 * scale;
}

PetscErrorCode PlotFigureAddAxes(PlotFigure fig, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PlotAxes *ax)
{
  PlotAxes a;

  PetscFunctionBeginUser;
  PetscCheck(fig->naxes < PLOT_MAX_AXES, fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "at most %d axes per figure", PLOT_MAX_AXES);
  PetscCheck(0 <= x0 && x0 < x1 && x1 <= 1 && 0 <= y0 && y0 < y1 && y1 <= 1, fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "axes box (%g, %g, %g, %g) is not inside the figure", (double)x0, (double)y0, (double)x1, (double)y1);
  PetscCall(PetscNew(&a));
  a->fig    = fig;
  a->box[0] = x0;
  a->box[1] = y0;
  a->box[2] = x1;
  a->box[3] = y1;
  a->legend = PLOT_LEGEND_UPPER_RIGHT;
  PetscCall(PetscStrallocpy("", &a->title));
  PetscCall(PetscStrallocpy("", &a->xlabel));
  PetscCall(PetscStrallocpy("", &a->ylabel));
  fig->axes[fig->naxes++] = a;
  *ax                     = a;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureAddText(PlotFigure fig, PetscReal x, PetscReal y, const char text[], PlotColor color)
{
  FigureText *t;

  PetscFunctionBeginUser;
  PetscCheck(fig->ntexts < PLOT_MAX_TEXTS, fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "at most %d texts per figure", PLOT_MAX_TEXTS);
  t        = &fig->texts[fig->ntexts++];
  t->x     = x;
  t->y     = y;
  t->color = color;
  PetscCall(PetscStrallocpy(text, &t->text));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetLabels(PlotAxes ax, const char title[], const char xlabel[], const char ylabel[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(ax->title));
  PetscCall(PetscFree(ax->xlabel));
  PetscCall(PetscFree(ax->ylabel));
  PetscCall(PetscStrallocpy(title ? title : "", &ax->title));
  PetscCall(PetscStrallocpy(xlabel ? xlabel : "", &ax->xlabel));
  PetscCall(PetscStrallocpy(ylabel ? ylabel : "", &ax->ylabel));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetLog(PlotAxes ax, PetscBool xlog, PetscBool ylog)
{
  PetscFunctionBeginUser;
  ax->log[0] = xlog;
  ax->log[1] = ylog;
  PetscFunctionReturn(0);
}

static PetscErrorCode SetLimits(PlotAxes ax, PetscInt d, PetscReal lo, PetscReal hi)
{
  PetscFunctionBeginUser;
  PetscCheck(PetscIsNormalReal(hi - lo) && hi > lo, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "axis limits must satisfy min < max, got %g, %g", (double)lo, (double)hi);
  PetscCheck(!ax->log[d] || lo > 0, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "limits of a log axis must be positive, got %g", (double)lo);
  ax->fixed[d]       = PETSC_TRUE;
  ax->lim[2 * d]     = lo;
  ax->lim[2 * d + 1] = hi;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetXLimits(PlotAxes ax, PetscReal xmin, PetscReal xmax)
{
  PetscFunctionBeginUser;
  PetscCall(SetLimits(ax, 0, xmin, xmax));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetYLimits(PlotAxes ax, PetscReal ymin, PetscReal ymax)
{
  PetscFunctionBeginUser;
  PetscCall(SetLimits(ax, 1, ymin, ymax));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetLegend(PlotAxes ax, PlotLegendPosition position)
{
  PetscFunctionBeginUser;
  ax->legend = position;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesSetColorBar(PlotAxes ax, PetscReal lo, PetscReal hi)
{
  PetscFunctionBeginUser;
  ax->colorbar = PETSC_TRUE;
  ax->legend   = PLOT_LEGEND_NONE;
  PetscCall(PlotAxesSetXLimits(ax, 0, 1));
  PetscCall(PlotAxesSetYLimits(ax, lo, hi));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesShareX(PlotAxes ax, PlotAxes with)
{
  PetscFunctionBeginUser;
  PetscCheck(ax->fig == with->fig && ax != with && !with->sharex, ax->fig->comm, PETSC_ERR_ARG_WRONG, "an axes shares the x axis of another axes of its figure that shares none itself");
  ax->sharex = with;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesAddSeries(PlotAxes ax, PetscInt n, const PetscReal x[], const PetscReal y[], PlotColor color, PetscReal width, PlotMarker marker, PetscReal marker_size, const char label[])
{
  Series *s;

  PetscFunctionBeginUser;
  PetscCheck(n >= 0, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "negative number of points");
  if (ax->nseries == ax->cap) {
    Series *more;
    ax->cap = PetscMax(8, 2 * ax->cap);
    PetscCall(PetscCalloc1(ax->cap, &more));
    if (ax->nseries) PetscCall(PetscArraycpy(more, ax->series, ax->nseries));
    PetscCall(PetscFree(ax->series));
    ax->series = more;
  }
  s              = &ax->series[ax->nseries++];
  s->n           = n;
  s->color       = color;
  s->width       = width;
  s->marker      = marker;
  s->marker_size = marker_size;
  PetscCall(PetscMalloc2(n, &s->x, n, &s->y));
  if (n) PetscCall(PetscArraycpy(s->x, x, n));
  if (n) PetscCall(PetscArraycpy(s->y, y, n));
  s->label = NULL;
  if (label && label[0]) PetscCall(PetscStrallocpy(label, &s->label));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesAddVLine(PlotAxes ax, PetscReal x, PlotColor color, PetscReal width, PetscBool dashed)
{
  PetscFunctionBeginUser;
  PetscCheck(ax->nvlines < PLOT_MAX_VLINES, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "at most %d vertical lines per axes", PLOT_MAX_VLINES);
  if (!ax->vlines) PetscCall(PetscMalloc1(PLOT_MAX_VLINES, &ax->vlines));
  ax->vlines[ax->nvlines].x      = x;
  ax->vlines[ax->nvlines].color  = color;
  ax->vlines[ax->nvlines].width  = width;
  ax->vlines[ax->nvlines].dashed = dashed;
  ax->nvlines++;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesAddImage(PlotAxes ax, PetscInt cols, PetscInt rows, const unsigned char rgb[], PetscReal x0, PetscReal x1, PetscReal y0, PetscReal y1, PlotImageFilter filter)
{
  Image         *im;
  unsigned char *data;
  int            stride;

  PetscFunctionBeginUser;
  PetscCheck(ax->nimages < 4, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "at most 4 images per axes");
  PetscCheck(cols > 0 && rows > 0 && cols <= 16384 && rows <= 16384, ax->fig->comm, PETSC_ERR_ARG_OUTOFRANGE, "image of %" PetscInt_FMT " x %" PetscInt_FMT " pixels out of range", cols, rows);
  im          = &ax->images[ax->nimages];
  im->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)cols, (int)rows);
  PetscCheck(cairo_surface_status(im->surface) == CAIRO_STATUS_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_MEM, "cairo cannot make an image of %" PetscInt_FMT " x %" PetscInt_FMT ": %s", cols, rows, cairo_status_to_string(cairo_surface_status(im->surface)));
  ax->nimages++;
  cairo_surface_flush(im->surface);
  data   = cairo_image_surface_get_data(im->surface);
  stride = cairo_image_surface_get_stride(im->surface);
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      const unsigned char *p = &rgb[3 * (r * cols + c)];
      ((uint32_t *)(data + r * stride))[c] = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    }
  cairo_surface_mark_dirty(im->surface);
  im->x0     = x0;
  im->x1     = x1;
  im->y0     = y0;
  im->y1     = y1;
  im->filter = filter;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureDestroy(PlotFigure *fig)
{
  PlotFigure f = *fig;

  PetscFunctionBeginUser;
  if (!f) PetscFunctionReturn(0);
  for (PetscInt a = 0; a < f->naxes; ++a) {
    PlotAxes ax = f->axes[a];
    for (PetscInt s = 0; s < ax->nseries; ++s) {
      PetscCall(PetscFree2(ax->series[s].x, ax->series[s].y));
      PetscCall(PetscFree(ax->series[s].label));
    }
    for (PetscInt i = 0; i < ax->nimages; ++i) cairo_surface_destroy(ax->images[i].surface);
    PetscCall(PetscFree(ax->series));
    PetscCall(PetscFree(ax->vlines));
    PetscCall(PetscFree(ax->title));
    PetscCall(PetscFree(ax->xlabel));
    PetscCall(PetscFree(ax->ylabel));
    PetscCall(PetscFree(ax));
  }
  for (PetscInt t = 0; t < f->ntexts; ++t) PetscCall(PetscFree(f->texts[t].text));
  PetscCall(PetscFree(f->rgb));
  PetscCall(PetscFree(f));
  *fig = NULL;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- text */
static void SetFont(cairo_t *cr, PetscReal size, PetscBool bold)
{
  cairo_select_font_face(cr, PLOT_FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

static PetscReal TextWidth(cairo_t *cr, const char text[])
{
  cairo_text_extents_t e;
  if (!text || !text[0]) return 0;
  cairo_text_extents(cr, text, &e);
  return e.x_advance;
}

/* Text at (x, y) in figure units, aligned by ha (0 left, 0.5 centre, 1 right) and va (0 top,
   0.5 middle, 1 bottom of the font's box); angle: −π/2 reads upwards */
static void ShowText(cairo_t *cr, PetscReal x, PetscReal y, const char text[], PetscReal ha, PetscReal va, PetscReal angle, PlotColor c)
{
  cairo_font_extents_t fe;
  const PetscReal      w = TextWidth(cr, text);

  if (!text || !text[0]) return;
  cairo_font_extents(cr, &fe);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, angle);
  cairo_move_to(cr, -ha * w, fe.ascent - va * (fe.ascent + fe.descent));
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
  cairo_show_text(cr, text);
  cairo_restore(cr);
}

/* A context on a 1 × 1 surface, to measure text */
static PetscErrorCode MeasureContext(cairo_surface_t **s, cairo_t **cr)
{
  PetscFunctionBeginUser;
  *s  = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  *cr = cairo_create(*s);
  PetscCheck(cairo_status(*cr) == CAIRO_STATUS_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_LIB, "cairo: %s", cairo_status_to_string(cairo_status(*cr)));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotTextSize(const char text[], PetscInt scale, PetscInt *width, PetscInt *height)
{
  cairo_surface_t     *s;
  cairo_t             *cr;
  cairo_font_extents_t fe;

  PetscFunctionBeginUser;
  PetscCall(MeasureContext(&s, &cr));
  SetFont(cr, FontSize(scale), PETSC_FALSE);
  cairo_font_extents(cr, &fe);
  if (width) *width = (PetscInt)PetscCeilReal(TextWidth(cr, text));
  if (height) *height = (PetscInt)PetscCeilReal(fe.ascent + fe.descent);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- ticks */
PetscErrorCode PlotNiceTicks(PetscReal lo, PetscReal hi, PetscInt max_ticks, PetscInt *n, PetscReal ticks[])
{
  const PetscReal steps[] = {1, 2, 2.5, 5, 10};
  PetscReal       span = hi - lo, raw, mag, step = 0;

  PetscFunctionBeginUser;
  *n = 0;
  PetscCheck(hi > lo && PetscIsNormalReal(span), PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "tick range [%g, %g] is empty", (double)lo, (double)hi);
  max_ticks = PetscMin(PetscMax(max_ticks, 2), PLOT_MAX_TICKS);
  raw       = span / (max_ticks - 1);
  mag       = PetscPowReal(10.0, PetscFloorReal(PetscLog10Real(raw)));
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); ++i) {
    step = steps[i] * mag;
    if (step >= raw * (1 - 1e-9)) break;
  }
  for (PetscReal k = PetscCeilReal(lo / step - 1e-9); k * step <= hi + 1e-9 * step && *n < PLOT_MAX_TICKS; k += 1) {
    PetscReal v = k * step;
    if (PetscAbsReal(v) < 1e-9 * step) v = 0;
    ticks[(*n)++] = v;
  }
  PetscFunctionReturn(0);
}

/* "⁻¹⁴" for -14 */
static void Superscript(int e, char buf[], size_t len)
{
  static const char *const digit[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  char                     dec[16];
  size_t                   at = 0;

  snprintf(dec, sizeof(dec), "%d", e);
  buf[0] = 0;
  for (const char *s = dec; *s && at + 4 < len; ++s) {
    const char *g = *s == '-' ? "⁻" : digit[*s - '0'];
    at += (size_t)snprintf(buf + at, len - at, "%s", g);
  }
}

/* Labels of linear ticks: as many decimals as the step needs (so neighbours differ); a minus
   sign, not a hyphen; very large or small values as mantissas, with the common factor ×10ⁿ
   written once at the end of the axis (t->factor) */
static void FormatLinear(Ticks *t, PetscReal step)
{
  PetscReal big = 0;
  int       e = 0, decimals;

  for (PetscInt i = 0; i < t->n; ++i) big = PetscMax(big, PetscAbsReal(t->value[i]));
  if (big >= 1e5 || (big > 0 && big < 1e-3)) e = (int)PetscFloorReal(PetscLog10Real(big));
  step /= PetscPowReal(10, e);
  decimals = (int)PetscCeilReal(-PetscLog10Real(step) - 1e-9);
  if (decimals < 0) decimals = 0;
  if (PetscAbsReal(step * PetscPowReal(10, decimals) - round(step * PetscPowReal(10, decimals))) > 1e-6) ++decimals; /* 2.5, 0.25 */
  t->factor[0] = 0;
  if (e) {
    char sup[32];
    Superscript(e, sup, sizeof(sup));
    snprintf(t->factor, sizeof(t->factor), "×10%s", sup);
  }
  for (PetscInt i = 0; i < t->n; ++i) {
    const PetscReal v = t->value[i] / PetscPowReal(10, e);
    char            num[40];
    snprintf(num, sizeof(num), "%.*f", decimals, (double)PetscAbsReal(v));
    snprintf(t->label[i], sizeof(t->label[i]), "%s%s", v < 0 && atof(num) != 0 ? "−" : "", num); /* never "−0.0" */
  }
}

/* A log tick: plain (0.01 to 1000) when every tick of the axis is (plain), else m×10ⁿ */
static void FormatLog(PetscReal v, PetscBool plain, char buf[], size_t len)
{
  const PetscReal e = PetscFloorReal(PetscLog10Real(v) + 1e-9), m = v / PetscPowReal(10, e);
  const int       mi = (int)round(m);
  char            sup[32];

  if (plain) snprintf(buf, len, "%g", (double)v);
  else {
    Superscript((int)e, sup, sizeof(sup));
    if (mi == 1) snprintf(buf, len, "10%s", sup);
    else snprintf(buf, len, "%d×10%s", mi, sup);
  }
}

/* Linear ticks for [lo, hi]: at most max_ticks, at least min(4, max_ticks) and never fewer
   than 2 */
static PetscErrorCode LinearTicks(PetscReal lo, PetscReal hi, PetscInt max_ticks, Ticks *t)
{
  const PetscInt want = PetscMax(2, PetscMin(4, max_ticks));

  PetscFunctionBeginUser;
  t->nminor = 0;
  for (PetscInt m = PetscMax(2, max_ticks); m < PLOT_MAX_TICKS; ++m) {
    PetscCall(PlotNiceTicks(lo, hi, m, &t->n, t->value));
    if (t->n >= want) break;
  }
  if (t->n < 2) { /* a very short axis: its ends */
    t->n        = 2;
    t->value[0] = lo;
    t->value[1] = hi;
  }
  FormatLinear(t, t->value[1] - t->value[0]);
  PetscFunctionReturn(0);
}

static PetscErrorCode AxisTicks(PetscReal lo, PetscReal hi, PetscBool logscale, PetscInt max_ticks, Ticks *t)
{
  PetscFunctionBeginUser;
  max_ticks = PetscMax(2, PetscMin(8, max_ticks));
  t->n = t->nminor = 0;
  if (logscale) {
    const PetscReal e0 = PetscCeilReal(PetscLog10Real(lo) - 1e-9), e1 = PetscFloorReal(PetscLog10Real(hi) + 1e-9);
    const PetscInt  every = (PetscInt)PetscMax(1, PetscCeilReal((e1 - e0 + 1) / max_ticks));
    t->factor[0]          = 0;
    if (every > 1) /* many decades: the unlabelled ones are the minor ticks */
      for (PetscReal e = e0; e <= e1 && t->nminor < 4 * PLOT_MAX_TICKS; e += 1) {
        if (((PetscInt)(e - e0)) % every) t->minor[t->nminor++] = PetscPowReal(10, e);
      }
    else if (e1 - e0 <= 6)
      for (PetscReal e = PetscFloorReal(PetscLog10Real(lo)); e <= e1 && t->nminor < 4 * PLOT_MAX_TICKS - 9; e += 1)
        for (PetscInt m = 2; m <= 9; ++m) {
          const PetscReal v = m * PetscPowReal(10, e);
          if (v >= lo && v <= hi) t->minor[t->nminor++] = v;
        }
    for (PetscReal e = e0; e <= e1 && t->n < PLOT_MAX_TICKS; e += every) t->value[t->n++] = PetscPowReal(10, e);
    if (t->n < 3) { /* about a decade or less: 1, 2, 5 × 10^k */
      t->n = 0;
      for (PetscReal e = PetscFloorReal(PetscLog10Real(lo)); e <= e1 + 1 && t->n < PLOT_MAX_TICKS - 3; e += 1) {
        const PetscReal m[3] = {1, 2, 5};
        for (PetscInt k = 0; k < 3; ++k) {
          const PetscReal v = m[k] * PetscPowReal(10, e);
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t->value[t->n++] = v;
        }
      }
    }
    if (t->n < 3 || t->n > max_ticks + 1) { /* less than a decade or so: linear ticks on the log axis */
      PetscCall(LinearTicks(lo, hi, max_ticks, t));
      t->nminor = 0;
    } else {
      PetscBool plain = PETSC_TRUE;
      for (PetscInt i = 0; i < t->n; ++i) plain = plain && t->value[i] >= 0.00999 && t->value[i] <= 1001 ? PETSC_TRUE : PETSC_FALSE;
      for (PetscInt i = 0; i < t->n; ++i) FormatLog(t->value[i], plain, t->label[i], sizeof(t->label[i]));
    }
  } else PetscCall(LinearTicks(lo, hi, max_ticks, t));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- limits */
static PetscBool Usable(PlotAxes ax, PetscInt d, PetscReal v)
{
  return (PetscIsNormalReal(v) || v == 0) && (!ax->log[d] || v > 0) ? PETSC_TRUE : PETSC_FALSE;
}

static void DataRange(PlotAxes ax, PetscInt d, PetscReal *lo, PetscReal *hi)
{
  for (PetscInt s = 0; s < ax->nseries; ++s)
    for (PetscInt i = 0; i < ax->series[s].n; ++i) {
      const PetscReal v = d ? ax->series[s].y[i] : ax->series[s].x[i];
      if (!Usable(ax, 0, ax->series[s].x[i]) || !Usable(ax, 1, ax->series[s].y[i])) continue;
      *lo = PetscMin(*lo, v);
      *hi = PetscMax(*hi, v);
    }
  if (d == 0)
    for (PetscInt i = 0; i < ax->nvlines; ++i)
      if (Usable(ax, 0, ax->vlines[i].x)) {
        *lo = PetscMin(*lo, ax->vlines[i].x);
        *hi = PetscMax(*hi, ax->vlines[i].x);
      }
}

/* Limits from the data (padded by 4 % of the span, in log space on log axes) unless fixed; the
   x limits of axes that share an x axis come from all of their data */
static void AutoLimits(PlotAxes ax, PetscInt d)
{
  PlotAxes  owner = d == 0 && ax->sharex ? ax->sharex : ax;
  PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;

  if (owner->fixed[d]) {
    ax->lim[2 * d]     = owner->lim[2 * d];
    ax->lim[2 * d + 1] = owner->lim[2 * d + 1];
    return;
  }
  DataRange(owner, d, &lo, &hi);
  if (d == 0)
    for (PetscInt a = 0; a < ax->fig->naxes; ++a)
      if (ax->fig->axes[a]->sharex == owner) DataRange(ax->fig->axes[a], d, &lo, &hi);
  if (lo > hi) { /* no data */
    lo = owner->log[d] ? 1 : 0;
    hi = owner->log[d] ? 10 : 1;
  }
  if (owner->log[d]) {
    PetscReal a = PetscLog10Real(lo), b = PetscLog10Real(hi), pad;
    if (b - a < 1e-12) a -= 0.5, b += 0.5;
    pad = 0.04 * (b - a);
    lo  = PetscPowReal(10, a - pad);
    hi  = PetscPowReal(10, b + pad);
  } else {
    PetscReal pad;
    if (hi - lo <= 1e-12 * PetscMax(PetscAbsReal(lo), PetscAbsReal(hi))) {
      const PetscReal w = lo ? 0.1 * PetscAbsReal(lo) : 1;
      lo -= w;
      hi += w;
    }
    pad = 0.04 * (hi - lo);
    lo -= pad;
    hi += pad;
  }
  ax->lim[2 * d]     = lo;
  ax->lim[2 * d + 1] = hi;
}

static PetscReal Scaled(PlotAxes ax, PetscInt d, PetscReal v)
{
  return ax->log[d] ? PetscLog10Real(v) : v;
}

static void ToFigure(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row)
{
  const PetscReal *r  = ax->rect;
  const PetscReal  u0 = Scaled(ax, 0, ax->lim[0]), u1 = Scaled(ax, 0, ax->lim[1]), v0 = Scaled(ax, 1, ax->lim[2]), v1 = Scaled(ax, 1, ax->lim[3]);
  *col                = r[0] + (Scaled(ax, 0, x) - u0) / (u1 - u0) * (r[2] - r[0]);
  *row                = r[3] - (Scaled(ax, 1, y) - v0) / (v1 - v0) * (r[3] - r[1]);
}

PetscErrorCode PlotAxesDataToPixel(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row)
{
  PetscFunctionBeginUser;
  PetscCheck(ax->laid_out, ax->fig->comm, PETSC_ERR_ARG_WRONGSTATE, "lay the figure out (PlotFigureLayout or PlotFigureRender) before mapping data to pixels");
  ToFigure(ax, x, y, col, row);
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesGetLimits(PlotAxes ax, PetscReal *xmin, PetscReal *xmax, PetscReal *ymin, PetscReal *ymax)
{
  PetscFunctionBeginUser;
  PetscCheck(ax->laid_out || (ax->fixed[0] && ax->fixed[1]), ax->fig->comm, PETSC_ERR_ARG_WRONGSTATE, "lay the figure out before asking for its limits");
  if (xmin) *xmin = ax->lim[0];
  if (xmax) *xmax = ax->lim[1];
  if (ymin) *ymin = ax->lim[2];
  if (ymax) *ymax = ax->lim[3];
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesGetPlotArea(PlotAxes ax, PetscReal rect[4])
{
  PetscFunctionBeginUser;
  PetscCheck(ax->laid_out, ax->fig->comm, PETSC_ERR_ARG_WRONGSTATE, "lay the figure out before asking for its plot areas");
  for (PetscInt i = 0; i < 4; ++i) rect[i] = ax->rect[i];
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- layout */
static PetscReal MaxLabelWidth(cairo_t *cr, const Ticks *t)
{
  PetscReal w = 0;
  for (PetscInt i = 0; i < t->n; ++i) w = PetscMax(w, TextWidth(cr, t->label[i]));
  return w;
}

/* Limits, ticks and the plot area of one axes, from the sizes of its texts */

/* Vertical lines at x[] and horizontal lines at y[] across the plot area r (figure units), stroked */
static void GridLines(cairo_t *cr, PlotAxes ax, const PetscReal r[4], PetscInt nx, const PetscReal x[], PetscInt ny, const PetscReal y[])
{
  for (PetscInt i = 0; i < nx; ++i) {
    PetscReal c, row;
    ToFigure(ax, x[i], ax->lim[2], &c, &row);
    cairo_move_to(cr, c, r[1]);
    cairo_line_to(cr, c, r[3]);
  }
  for (PetscInt i = 0; i < ny; ++i) {
    PetscReal c, row;
    ToFigure(ax, ax->lim[0], y[i], &c, &row);
    cairo_move_to(cr, r[0], row);
    cairo_line_to(cr, r[2], row);
  }
  cairo_stroke(cr);
}

static PetscErrorCode LayoutAxes(PlotAxes ax, cairo_t *cr)
{
  PlotFigure      f  = ax->fig;
  const PetscReal fs = FontSize(f->scale), pad = 0.45 * fs, tick = 0.4 * fs, line = 1.25 * fs;
  const PetscBool xticklabels = !ax->sharex && !ax->colorbar;
  PetscReal       box[4], *r = ax->rect, ylab_w;

  PetscFunctionBeginUser;
  box[0] = ax->box[0] * f->width;
  box[1] = ax->box[1] * f->height;
  box[2] = ax->box[2] * f->width;
  box[3] = ax->box[3] * f->height;
  AutoLimits(ax, 0);
  AutoLimits(ax, 1);
  SetFont(cr, fs, PETSC_FALSE);
  if (ax->colorbar) { /* a bar as wide as a line of text, ticks and labels to its right, title above */
    const PetscReal bar = 1.3 * fs;
    r[1] = box[1] + pad + (ax->title[0] ? line + pad : 0) + 0.5 * fs;
    r[3] = box[3] - pad - 0.5 * fs - (ax->xlabel[0] ? line + pad : 0);
    PetscCall(AxisTicks(ax->lim[2], ax->lim[3], ax->log[1], (PetscInt)((r[3] - r[1]) / (2.2 * fs)) + 1, &ax->ty));
    ylab_w = MaxLabelWidth(cr, &ax->ty);
    if (ax->ty.factor[0]) r[1] += line; /* room for "×10ⁿ" above the bar */
    r[0] = box[0] + 2 * pad;
    if (r[0] + bar + tick + pad + ylab_w + pad + (ax->ylabel[0] ? line : 0) > box[2]) r[0] = PetscMax(box[0] + 2, box[2] - (bar + tick + pad + ylab_w + pad + (ax->ylabel[0] ? line : 0)));
    r[2] = r[0] + bar;
  } else {
    const PetscReal top = box[1] + pad + (ax->title[0] ? line + pad : 0.5 * fs);
    const PetscReal bottom = box[3] - pad - (xticklabels ? (ax->xlabel[0] ? line + pad : 0) + line : 0.5 * fs) - tick;
    PetscCall(AxisTicks(ax->lim[2], ax->lim[3], ax->log[1], (PetscInt)((bottom - top) / (2.2 * fs)) + 1, &ax->ty));
    ylab_w = MaxLabelWidth(cr, &ax->ty);
    r[0]   = box[0] + pad + (ax->ylabel[0] ? line + pad : 0) + ylab_w + pad + tick;
    r[1]   = top + (ax->ty.factor[0] ? line : 0); /* room for "×10ⁿ" above the axis */
    r[3]   = bottom;
    r[2]   = box[2] - 1.5 * fs;
    /* x ticks: as many as fit with a gap of 1.2 em between labels */
    for (PetscInt m = 8; m >= 2; --m) {
      PetscCall(AxisTicks(ax->lim[0], ax->lim[1], ax->log[0], m, &ax->tx));
      if (ax->tx.n * (MaxLabelWidth(cr, &ax->tx) + 1.2 * fs) <= r[2] - r[0]) break;
    }
  }
  PetscCheck(r[2] - r[0] >= 8 && r[3] - r[1] >= 16, f->comm, PETSC_ERR_ARG_OUTOFRANGE, "axes too small for their labels; make the figure larger or the font smaller");
  ax->laid_out = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureLayout(PlotFigure fig)
{
  cairo_surface_t *s;
  cairo_t         *cr;

  PetscFunctionBeginUser;
  PetscCall(MeasureContext(&s, &cr));
  for (PetscInt a = 0; a < fig->naxes; ++a) /* shared x axes first: the others take their limits */
    if (!fig->axes[a]->sharex) PetscCall(LayoutAxes(fig->axes[a], cr));
  for (PetscInt a = 0; a < fig->naxes; ++a)
    if (fig->axes[a]->sharex) {
      PlotAxes ax = fig->axes[a];
      PetscCall(LayoutAxes(ax, cr));
      ax->tx = ax->sharex->tx;
    }
  /* panels stacked on a shared x axis line up: the widest left margin for all */
  for (PetscInt a = 0; a < fig->naxes; ++a) {
    PlotAxes owner = fig->axes[a];
    PetscReal left = owner->rect[0], right = owner->rect[2];
    if (owner->sharex) continue;
    for (PetscInt b = 0; b < fig->naxes; ++b)
      if (fig->axes[b]->sharex == owner) left = PetscMax(left, fig->axes[b]->rect[0]), right = PetscMin(right, fig->axes[b]->rect[2]);
    owner->rect[0] = left;
    owner->rect[2] = right;
    for (PetscInt b = 0; b < fig->naxes; ++b)
      if (fig->axes[b]->sharex == owner) fig->axes[b]->rect[0] = left, fig->axes[b]->rect[2] = right;
  }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- drawing */
static void SetColor(cairo_t *cr, PlotColor c)
{
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

static void Marker(cairo_t *cr, PetscReal x, PetscReal y, PlotMarker m, PetscReal size, PlotColor c)
{
  const PetscReal r = 0.5 * size;

  if (m == PLOT_MARKER_NONE || size <= 0) return;
  SetColor(cr, c);
  cairo_new_path(cr);
  switch (m) {
  case PLOT_MARKER_CIRCLE:
    cairo_arc(cr, x, y, r, 0, 2 * PETSC_PI);
    cairo_fill(cr);
    break;
  case PLOT_MARKER_OPEN_CIRCLE:
    cairo_set_line_width(cr, PetscMax(1.5, size / 6));
    cairo_arc(cr, x, y, r - 0.5 * PetscMax(1.5, size / 6), 0, 2 * PETSC_PI);
    cairo_stroke(cr);
    break;
  case PLOT_MARKER_SQUARE:
    cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r);
    cairo_fill(cr);
    break;
  case PLOT_MARKER_CROSS:
    cairo_set_line_width(cr, PetscMax(1.5, size / 6));
    cairo_move_to(cr, x - 0.75 * r, y - 0.75 * r);
    cairo_line_to(cr, x + 0.75 * r, y + 0.75 * r);
    cairo_move_to(cr, x - 0.75 * r, y + 0.75 * r);
    cairo_line_to(cr, x + 0.75 * r, y - 0.75 * r);
    cairo_stroke(cr);
    break;
  default:
    break;
  }
}

static void SeriesLine(cairo_t *cr, PlotAxes ax, const Series *se)
{
  PetscBool pen = PETSC_FALSE;

  if (se->width <= 0) return;
  cairo_new_path(cr);
  for (PetscInt i = 0; i < se->n; ++i) {
    PetscReal c, r;
    if (!Usable(ax, 0, se->x[i]) || !Usable(ax, 1, se->y[i])) {
      pen = PETSC_FALSE;
      continue;
    }
    ToFigure(ax, se->x[i], se->y[i], &c, &r);
    if (pen) cairo_line_to(cr, c, r);
    else cairo_move_to(cr, c, r);
    pen = PETSC_TRUE;
  }
  SetColor(cr, se->color);
  cairo_set_line_width(cr, se->width);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_stroke(cr);
}

/* How much of the data a legend box would hide: points and samples along lines inside it */
static PetscInt Covered(PlotAxes ax, const PetscReal b[4])
{
  PetscInt hidden = 0;

  for (PetscInt s = 0; s < ax->nseries; ++s) {
    const Series *se   = &ax->series[s];
    PetscBool     prev = PETSC_FALSE;
    PetscReal     pc = 0, pr = 0;
    for (PetscInt i = 0; i < se->n; ++i) {
      PetscReal c, r;
      if (!Usable(ax, 0, se->x[i]) || !Usable(ax, 1, se->y[i])) {
        prev = PETSC_FALSE;
        continue;
      }
      ToFigure(ax, se->x[i], se->y[i], &c, &r);
      if (c >= b[0] && c <= b[2] && r >= b[1] && r <= b[3]) hidden += 4;
      if (prev && se->width > 0) {
        const PetscInt k = (PetscInt)PetscMin(200, PetscSqrtReal(PetscSqr(c - pc) + PetscSqr(r - pr)) / 3);
        for (PetscInt j = 1; j < k; ++j) {
          const PetscReal u = pc + (c - pc) * j / k, v = pr + (r - pr) * j / k;
          if (u >= b[0] && u <= b[2] && v >= b[1] && v <= b[3]) ++hidden;
        }
      }
      pc   = c;
      pr   = r;
      prev = PETSC_TRUE;
    }
  }
  for (PetscInt i = 0; i < ax->nvlines; ++i) {
    PetscReal c, r;
    ToFigure(ax, ax->vlines[i].x, ax->lim[2], &c, &r);
    if (c >= b[0] && c <= b[2]) hidden += 2;
  }
  return hidden;
}

/* The legend in the corner (or edge middle) of the plot area that hides the least data; the
   position asked for wins ties */
static void Legend(cairo_t *cr, PlotAxes ax)
{
  const PetscReal fs = FontSize(ax->fig->scale), pad = 0.4 * fs, sample = 2.2 * fs, line_h = 1.3 * fs, *r = ax->rect;
  PetscReal       wmax = 0, w, h, best[4] = {0, 0, 0, 0};
  PetscInt        n = 0, besthidden = PETSC_MAX_INT;
  /* candidates: x at left/centre/right (0, 0.5, 1), y at top/bottom (0, 1) */
  const PetscReal          spots[6][2] = {{1, 0}, {0, 0}, {1, 1}, {0, 1}, {0.5, 0}, {0.5, 1}};
  const PlotLegendPosition order[4]    = {PLOT_LEGEND_UPPER_RIGHT, PLOT_LEGEND_UPPER_LEFT, PLOT_LEGEND_LOWER_RIGHT, PLOT_LEGEND_LOWER_LEFT};

  if (ax->legend == PLOT_LEGEND_NONE) return;
  SetFont(cr, 0.9 * fs, PETSC_FALSE);
  for (PetscInt i = 0; i < ax->nseries; ++i) {
    if (!ax->series[i].label) continue;
    wmax = PetscMax(wmax, TextWidth(cr, ax->series[i].label));
    ++n;
  }
  if (!n) return;
  w = pad + sample + pad + wmax + pad;
  h = pad + n * line_h;
  for (PetscInt k = -1; k < 6; ++k) {
    PetscReal sx, sy, b[4];
    PetscInt  hidden;
    if (k < 0) { /* the one asked for first */
      PetscInt j = 0;
      while (j < 4 && order[j] != ax->legend) ++j;
      if (j == 4) continue;
      sx = spots[j][0];
      sy = spots[j][1];
    } else {
      sx = spots[k][0];
      sy = spots[k][1];
    }
    b[0]   = r[0] + pad + sx * (r[2] - r[0] - w - 2 * pad);
    b[1]   = r[1] + pad + sy * (r[3] - r[1] - h - 2 * pad);
    b[2]   = b[0] + w;
    b[3]   = b[1] + h;
    hidden = Covered(ax, b);
    if (hidden < besthidden) {
      besthidden = hidden;
      for (PetscInt i = 0; i < 4; ++i) best[i] = b[i];
    }
  }
  cairo_rectangle(cr, best[0], best[1], w, h);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  n = 0;
  for (PetscInt i = 0; i < ax->nseries; ++i) {
    const Series   *se = &ax->series[i];
    const PetscReal yc = best[1] + pad + (n + 0.5) * line_h - 0.5 * pad;
    if (!se->label) continue;
    if (se->width > 0) {
      SetColor(cr, se->color);
      cairo_set_line_width(cr, se->width);
      cairo_move_to(cr, best[0] + pad, yc);
      cairo_line_to(cr, best[0] + pad + sample, yc);
      cairo_stroke(cr);
    }
    Marker(cr, best[0] + pad + 0.5 * sample, yc, se->marker, se->marker_size, se->color);
    ShowText(cr, best[0] + 2 * pad + sample, yc, se->label, 0, 0.5, 0, PlotColorRGB(0, 0, 0));
    ++n;
  }
}

static void DrawAxes(cairo_t *cr, PlotAxes ax)
{
  PlotFigure      f  = ax->fig;
  const PetscReal fs = FontSize(f->scale), pad = 0.45 * fs, tick = 0.4 * fs, line = 1.25 * fs, *r = ax->rect;
  const PlotColor black = PlotColorRGB(0, 0, 0);
  const PetscBool xticklabels = !ax->sharex && !ax->colorbar;
  const Ticks    *tx = &ax->tx, *ty = &ax->ty;
  PetscReal       box[4], ylab_w;

  box[0] = ax->box[0] * f->width;
  box[1] = ax->box[1] * f->height;
  box[2] = ax->box[2] * f->width;
  box[3] = ax->box[3] * f->height;
  SetFont(cr, fs, PETSC_FALSE);
  ylab_w = MaxLabelWidth(cr, ty);

  cairo_save(cr);
  cairo_rectangle(cr, r[0], r[1], r[2] - r[0], r[3] - r[1]);
  cairo_clip(cr);
  /* images, under everything */
  for (PetscInt i = 0; i < ax->nimages; ++i) {
    const Image    *im = &ax->images[i];
    const PetscReal w = cairo_image_surface_get_width(im->surface), h = cairo_image_surface_get_height(im->surface);
    PetscReal       c0, r0, c1, r1;
    cairo_pattern_t *p;
    ToFigure(ax, im->x0, im->y1, &c0, &r0);
    ToFigure(ax, im->x1, im->y0, &c1, &r1);
    cairo_save(cr);
    cairo_translate(cr, c0, r0);
    cairo_scale(cr, (c1 - c0) / w, (r1 - r0) / h);
    cairo_set_source_surface(cr, im->surface, 0, 0);
    p = cairo_get_source(cr);
    cairo_pattern_set_filter(p, im->filter == PLOT_IMAGE_NEAREST ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_BILINEAR);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_PAD);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_fill(cr);
    cairo_restore(cr);
  }
  if (!ax->colorbar && !ax->nimages) { /* grid lines: the minor ticks' lighter */
    cairo_set_line_width(cr, 1);
    cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
    GridLines(cr, ax, r, tx->nminor, tx->minor, ty->nminor, ty->minor);
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    GridLines(cr, ax, r, tx->n, tx->value, ty->n, ty->value);
  }
  for (PetscInt i = 0; i < ax->nvlines; ++i) {
    const VLine    *v = &ax->vlines[i];
    const double    dash[2] = {4, 3};
    PetscReal       c, y;
    if (!Usable(ax, 0, v->x)) continue;
    ToFigure(ax, v->x, ax->lim[2], &c, &y);
    SetColor(cr, v->color);
    cairo_set_line_width(cr, v->width);
    cairo_set_dash(cr, dash, v->dashed ? 2 : 0, 0);
    cairo_move_to(cr, c, r[1]);
    cairo_line_to(cr, c, r[3]);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
  for (PetscInt k = 0; k < ax->nseries; ++k) SeriesLine(cr, ax, &ax->series[k]);
  for (PetscInt k = 0; k < ax->nseries; ++k) {
    const Series *se = &ax->series[k];
    for (PetscInt i = 0; i < se->n && se->marker != PLOT_MARKER_NONE; ++i) {
      PetscReal c, y;
      if (!Usable(ax, 0, se->x[i]) || !Usable(ax, 1, se->y[i])) continue;
      ToFigure(ax, se->x[i], se->y[i], &c, &y);
      Marker(cr, c, y, se->marker, se->marker_size, se->color);
    }
  }
  Legend(cr, ax);
  cairo_restore(cr);

  /* frame, ticks, labels */
  SetFont(cr, fs, PETSC_FALSE);
  SetColor(cr, black);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, r[0], r[1], r[2] - r[0], r[3] - r[1]);
  cairo_stroke(cr);
  if (ty->factor[0]) ShowText(cr, r[0], r[1] - 0.2 * fs, ty->factor, ax->colorbar ? 0 : 0.5, 1, 0, black);
  if (tx->factor[0] && xticklabels) ShowText(cr, r[2], r[3] + tick + 0.3 * pad + line, tx->factor, 1, 0, 0, black);
  if (ax->colorbar) {
    for (PetscInt i = 0; i < ty->n; ++i) {
      PetscReal c, y;
      ToFigure(ax, ax->lim[0], ty->value[i], &c, &y);
      SetColor(cr, black);
      cairo_move_to(cr, r[2], y);
      cairo_line_to(cr, r[2] + tick, y);
      cairo_stroke(cr);
      ShowText(cr, r[2] + tick + pad, y, ty->label[i], 0, 0.5, 0, black);
    }
    if (ax->title[0]) ShowText(cr, PetscMin(0.5 * (r[0] + r[2]), box[2] - 0.5 * TextWidth(cr, ax->title) - 2), box[1] + pad, ax->title, 0.5, 0, 0, black);
    if (ax->ylabel[0]) ShowText(cr, r[2] + tick + pad + ylab_w + pad, 0.5 * (r[1] + r[3]), ax->ylabel, 0.5, 0, -0.5 * PETSC_PI, black);
    return;
  }
  cairo_new_path(cr);
  for (PetscInt i = 0; i < tx->n; ++i) {
    PetscReal c, y;
    ToFigure(ax, tx->value[i], ax->lim[2], &c, &y);
    cairo_move_to(cr, c, r[3]);
    cairo_line_to(cr, c, r[3] + tick);
  }
  for (PetscInt i = 0; i < tx->nminor; ++i) {
    PetscReal c, y;
    ToFigure(ax, tx->minor[i], ax->lim[2], &c, &y);
    cairo_move_to(cr, c, r[3]);
    cairo_line_to(cr, c, r[3] + 0.5 * tick);
  }
  for (PetscInt i = 0; i < ty->n; ++i) {
    PetscReal c, y;
    ToFigure(ax, ax->lim[0], ty->value[i], &c, &y);
    cairo_move_to(cr, r[0] - tick, y);
    cairo_line_to(cr, r[0], y);
  }
  for (PetscInt i = 0; i < ty->nminor; ++i) {
    PetscReal c, y;
    ToFigure(ax, ax->lim[0], ty->minor[i], &c, &y);
    cairo_move_to(cr, r[0] - 0.5 * tick, y);
    cairo_line_to(cr, r[0], y);
  }
  cairo_stroke(cr);
  if (xticklabels)
    for (PetscInt i = 0; i < tx->n; ++i) {
      PetscReal c, y;
      ToFigure(ax, tx->value[i], ax->lim[2], &c, &y);
      ShowText(cr, c, r[3] + tick + 0.3 * pad, tx->label[i], 0.5, 0, 0, black);
    }
  for (PetscInt i = 0; i < ty->n; ++i) {
    PetscReal c, y;
    ToFigure(ax, ax->lim[0], ty->value[i], &c, &y);
    ShowText(cr, r[0] - tick - pad, y, ty->label[i], 1, 0.5, 0, black);
  }
  if (ax->title[0]) {
    SetFont(cr, fs, PETSC_TRUE);
    ShowText(cr, 0.5 * (r[0] + r[2]), box[1] + pad, ax->title, 0.5, 0, 0, black);
    SetFont(cr, fs, PETSC_FALSE);
  }
  if (ax->xlabel[0] && xticklabels) ShowText(cr, 0.5 * (r[0] + r[2]), r[3] + tick + 0.3 * pad + line + pad, ax->xlabel, 0.5, 0, 0, black);
  if (ax->ylabel[0]) ShowText(cr, r[0] - tick - pad - ylab_w - pad, 0.5 * (r[1] + r[3]), ax->ylabel, 0.5, 1, -0.5 * PETSC_PI, black);
}

/* The whole figure onto cr (figure units), laid out already */
static PetscErrorCode Draw(PlotFigure fig, cairo_t *cr)
{
  PetscFunctionBeginUser;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  for (PetscInt a = 0; a < fig->naxes; ++a) DrawAxes(cr, fig->axes[a]);
  SetFont(cr, FontSize(fig->scale), PETSC_FALSE);
  for (PetscInt t = 0; t < fig->ntexts; ++t) ShowText(cr, fig->texts[t].x * fig->width, fig->texts[t].y * fig->height, fig->texts[t].text, 0, 0, 0, fig->texts[t].color);
  PetscCheck(cairo_status(cr) == CAIRO_STATUS_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_LIB, "cairo cannot draw the figure: %s", cairo_status_to_string(cairo_status(cr)));
  PetscFunctionReturn(0);
}

static PetscErrorCode LayoutIfNeeded(PlotFigure fig)
{
  PetscBool all = PETSC_TRUE;

  PetscFunctionBeginUser;
  for (PetscInt a = 0; a < fig->naxes; ++a) all = all && fig->axes[a]->laid_out ? PETSC_TRUE : PETSC_FALSE;
  if (!all) PetscCall(PlotFigureLayout(fig));
  PetscFunctionReturn(0);
}

/* The figure as an image surface (RGB24), drawn */
static PetscErrorCode DrawImage(PlotFigure fig, cairo_surface_t **surface)
{
  cairo_t *cr;

  PetscFunctionBeginUser;
  PetscCall(LayoutIfNeeded(fig));
  *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)fig->width, (int)fig->height);
  cr       = cairo_create(*surface);
  PetscCheck(cairo_status(cr) == CAIRO_STATUS_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_MEM, "cairo cannot make a %" PetscInt_FMT " x %" PetscInt_FMT " image: %s", fig->width, fig->height, cairo_status_to_string(cairo_status(cr)));
  PetscCall(Draw(fig, cr));
  cairo_destroy(cr);
  cairo_surface_flush(*surface);
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureRender(PlotFigure fig)
{
  cairo_surface_t *s;
  unsigned char   *data;
  int              stride;

  PetscFunctionBeginUser;
  PetscCall(PlotFigureLayout(fig));
  PetscCall(DrawImage(fig, &s));
  data   = cairo_image_surface_get_data(s);
  stride = cairo_image_surface_get_stride(s);
  for (PetscInt r = 0; r < fig->height; ++r)
    for (PetscInt c = 0; c < fig->width; ++c) {
      const uint32_t p = ((const uint32_t *)(data + r * stride))[c];
      unsigned char *o = &fig->rgb[3 * (r * fig->width + c)];
      o[0]             = (unsigned char)(p >> 16);
      o[1]             = (unsigned char)(p >> 8);
      o[2]             = (unsigned char)p;
    }
  cairo_surface_destroy(s);
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureGetImage(PlotFigure fig, PetscInt *width, PetscInt *height, const unsigned char **rgb)
{
  PetscFunctionBeginUser;
  if (width) *width = fig->width;
  if (height) *height = fig->height;
  if (rgb) *rgb = fig->rgb;
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureSetOutputFiles(PlotFigure fig, PostprocFiles files)
{
  PetscFunctionBeginUser;
  fig->files = files;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- writing */
/* cairo's stream writer: every write checked by files/ (the first failure sticks) */
static cairo_status_t StreamWrite(void *closure, const unsigned char *data, unsigned int length)
{
  FileOut   f = (FileOut)closure;
  PetscBool failed;

  if (FileOutWrite(f, data, length)) return CAIRO_STATUS_WRITE_ERROR;
  if (FileOutFailed(f, &failed, NULL, 0) || failed) return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

/* After cairo wrote into f: a failure it saw that files/ did not (cairo's own) is recorded, so
   that completing the file raises it in files/ words */
static PetscErrorCode Finished(FileOut f, cairo_status_t status)
{
  PetscBool failed;

  PetscFunctionBeginUser;
  PetscCall(FileOutFailed(f, &failed, NULL, 0));
  if (status != CAIRO_STATUS_SUCCESS && !failed) {
    PetscCall(PetscInfo(NULL, "cairo: %s\n", cairo_status_to_string(status)));
    PetscCall(FileOutSetFailed(f, status == CAIRO_STATUS_NO_MEMORY ? ENOMEM : EIO));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteSurfacePNG(PostprocFiles files, const char path[], cairo_surface_t *s)
{
  FileOut f;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, "figure", &f));
  PetscCall(Finished(f, cairo_surface_write_to_png_stream(s, StreamWrite, f)));
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

/* A vector page (PDF or SVG) of the figure into a file of the set */
static PetscErrorCode WriteVector(PlotFigure fig, PostprocFiles files, const char png_path[], PlotFormat format)
{
  char             path[PETSC_MAX_PATH_LEN];
  FileOut          f;
  cairo_surface_t *s;
  cairo_t         *cr;
  const double     w = fig->width * PLOT_PT_PER_UNIT, h = fig->height * PLOT_PT_PER_UNIT;
  cairo_status_t   status;
  PetscErrorCode   ierr;

  PetscFunctionBeginUser;
  PetscCall(PlotFormatPath(png_path, format, path, sizeof(path)));
  PetscCall(PostprocFilesOpen(files, path, "figure", &f));
  s = format == PLOT_FORMAT_PDF ? cairo_pdf_surface_create_for_stream(StreamWrite, f, w, h) : cairo_svg_surface_create_for_stream(StreamWrite, f, w, h);
  cr = cairo_create(s);
  cairo_scale(cr, PLOT_PT_PER_UNIT, PLOT_PT_PER_UNIT);
  ierr = Draw(fig, cr);
  cairo_destroy(cr);
  cairo_surface_finish(s);
  status = cairo_surface_status(s);
  cairo_surface_destroy(s);
  PetscCall(ierr);
  PetscCall(Finished(f, status));
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

/* An 8-bit RGB image into a file of the set (rank 0) */
PetscErrorCode PlotWritePNG(PostprocFiles files, const char path[], PetscInt width, PetscInt height, const unsigned char rgb[])
{
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)width, (int)height);
  unsigned char   *data;
  int              stride;
  PetscErrorCode   ierr;

  PetscFunctionBeginUser;
  PetscCheck(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, PETSC_COMM_SELF, PETSC_ERR_MEM, "cairo cannot make a %" PetscInt_FMT " x %" PetscInt_FMT " image", width, height);
  cairo_surface_flush(s);
  data   = cairo_image_surface_get_data(s);
  stride = cairo_image_surface_get_stride(s);
  for (PetscInt r = 0; r < height; ++r)
    for (PetscInt c = 0; c < width; ++c) {
      const unsigned char *p = &rgb[3 * (r * width + c)];
      ((uint32_t *)(data + r * stride))[c] = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    }
  cairo_surface_mark_dirty(s);
  ierr = WriteSurfacePNG(files, path, s);
  cairo_surface_destroy(s);
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

typedef struct {
  PlotFigure  fig;
  const char *path;
  PetscErrorCode (*draw)(PlotFigure, void *);
  void *ctx;
} CanvasJob;

static PetscErrorCode WriteOnRankZero(PostprocFiles files, void *ctx)
{
  CanvasJob       *job = (CanvasJob *)ctx;
  PlotFigure       fig = job->fig;
  cairo_surface_t *s;
  PetscErrorCode   ierr;

  PetscFunctionBeginUser;
  PetscCall(PlotFigureLayout(fig));
  if (job->draw) PetscCall(job->draw(fig, job->ctx));
  PetscCall(DrawImage(fig, &s));
  ierr = WriteSurfacePNG(files, job->path, s);
  cairo_surface_destroy(s);
  PetscCall(ierr);
  for (PetscInt k = PLOT_FORMAT_PNG + 1; k < PLOT_FORMAT_COUNT; ++k)
    if (fig->formats[k]) PetscCall(WriteVector(fig, files, job->path, (PlotFormat)k));
  PetscFunctionReturn(0);
}

/* Rank 0 lays out, runs draw (which may add images to the axes), and writes path (and its PDF
   and SVG twins on request): into the figure's set, or published at once; collective */
PetscErrorCode PlotFigureWriteCanvas(PlotFigure fig, const char path[], PetscErrorCode (*draw)(PlotFigure, void *), void *ctx)
{
  CanvasJob job = {fig, path, draw, ctx};

  PetscFunctionBeginUser;
  PetscCall(PostprocWrite(fig->comm, fig->files, WriteOnRankZero, &job));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureWritePNG(PlotFigure fig, const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PlotFigureWriteCanvas(fig, path, NULL, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureGetPaths(PlotFigure fig, const char png_path[], PetscInt *n, char paths[][PETSC_MAX_PATH_LEN])
{
  PetscFunctionBeginUser;
  *n = 0;
  for (PetscInt k = 0; k < PLOT_FORMAT_COUNT; ++k)
    if (k == PLOT_FORMAT_PNG) PetscCall(PetscStrncpy(paths[(*n)++], png_path, PETSC_MAX_PATH_LEN));
    else if (fig->formats[k]) PetscCall(PlotFormatPath(png_path, (PlotFormat)k, paths[(*n)++], PETSC_MAX_PATH_LEN));
  PetscFunctionReturn(0);
}

/* The unit a time axis reads best in for a run of t_end seconds: s up to 2 min, min up to 2 h,
   then h; per_s converts seconds to it */
PetscErrorCode PlotTimeUnit(PetscReal t_end, PetscReal *per_s, const char **unit)
{
  PetscFunctionBeginUser;
  *per_s = 1;
  *unit  = "s";
  if (t_end > 2 * 3600) *per_s = 1.0 / 3600, *unit = "h";
  else if (t_end > 120) *per_s = 1.0 / 60, *unit = "min";
  PetscFunctionReturn(0);
}
