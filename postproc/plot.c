/* plot: a small raster plotting library (see postproc/postproc.h): canvas, bitmap font, axes, series, PNG.

   Coordinates: pixel (col, row) from the top-left corner; a pixel's centre is at +0.5.
   Anti-aliasing: a shape covers a pixel by clamp(r + 1/2 − d, 0, 1), d the distance from the
   pixel centre to the shape's edge (or axis), r its half width; the colour is blended by that
   coverage. The font is 5 columns × 9 rows (rows 0–6 above the baseline, 7–8 descenders),
   drawn scaled by an integer factor; characters advance by 6 columns. */
#include "postproc/postproc.h"
#include "input/input.h"
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>

#define PLOT_MAX_AXES 16
#define PLOT_MAX_TEXTS 16
#define GLYPH_W 5
#define GLYPH_H 9
#define GLYPH_ADVANCE 6

/* ---------------------------------------------------------------- font */
typedef struct {
  unsigned    code;
  const char *rows[GLYPH_H]; /* '#' = ink; missing rows are blank */
} Glyph;

static const Glyph glyphs[] = {
    {' ', {".....", ".....", ".....", ".....", ".....", ".....", "....."}},
    {'!', {"..#..", "..#..", "..#..", "..#..", "..#..", ".....", "..#.."}},
    {'"', {".#.#.", ".#.#.", ".....", ".....", ".....", ".....", "....."}},
    {'#', {".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."}},
    {'$', {"..#..", ".####", "#.#..", ".###.", "..#.#", "####.", "..#.."}},
    {'%', {"##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"}},
    {'&', {".##..", "#..#.", "#.#..", ".#...", "#.#.#", "#..#.", ".##.#"}},
    {'\'', {"..#..", "..#..", ".....", ".....", ".....", ".....", "....."}},
    {'(', {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."}},
    {')', {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."}},
    {'*', {".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."}},
    {'+', {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."}},
    {',', {".....", ".....", ".....", ".....", ".....", "..#..", "..#..", ".#..."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", "....."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".....", "..#.."}},
    {'/', {"....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."}},
    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {':', {".....", ".....", "..#..", ".....", ".....", "..#..", "....."}},
    {';', {".....", ".....", "..#..", ".....", ".....", "..#..", "..#..", ".#..."}},
    {'<', {"...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."}},
    {'=', {".....", ".....", "#####", ".....", "#####", ".....", "....."}},
    {'>', {".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."}},
    {'?', {".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."}},
    {'@', {".###.", "#...#", "#.###", "#.#.#", "#.###", "#....", ".###."}},
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'B', {"####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."}},
    {'C', {".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."}},
    {'D', {"####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'G', {".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'I', {".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'J', {"..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'L', {"#....", "#....", "#....", "#....", "#....", "#....", "#####"}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N', {"#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"}},
    {'O', {".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'Q', {".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'S', {".####", "#....", "#....", ".###.", "....#", "....#", "####."}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'U', {"#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."}},
    {'V', {"#...#", "#...#", "#...#", ".#.#.", ".#.#.", ".#.#.", "..#.."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'Z', {"#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"}},
    {'[', {".###.", ".#...", ".#...", ".#...", ".#...", ".#...", ".###."}},
    {'\\', {"#....", "#....", ".#...", "..#..", "...#.", "....#", "....#"}},
    {']', {".###.", "...#.", "...#.", "...#.", "...#.", "...#.", ".###."}},
    {'^', {"..#..", ".#.#.", "#...#", ".....", ".....", ".....", "....."}},
    {'_', {".....", ".....", ".....", ".....", ".....", ".....", ".....", "#####"}},
    {'`', {".#...", "..#..", ".....", ".....", ".....", ".....", "....."}},
    {'a', {".....", ".....", ".###.", "....#", ".####", "#...#", ".####"}},
    {'b', {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "####."}},
    {'c', {".....", ".....", ".###.", "#....", "#....", "#...#", ".###."}},
    {'d', {"....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####"}},
    {'e', {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."}},
    {'f', {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."}},
    {'g', {".....", ".....", ".####", "#...#", "#...#", ".####", "....#", "#...#", ".###."}},
    {'h', {"#....", "#....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'i', {"..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###."}},
    {'j', {"...#.", ".....", "..##.", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."}},
    {'k', {"#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."}},
    {'l', {".##..", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'m', {".....", ".....", "##.#.", "#.#.#", "#.#.#", "#.#.#", "#.#.#"}},
    {'n', {".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#"}},
    {'o', {".....", ".....", ".###.", "#...#", "#...#", "#...#", ".###."}},
    {'p', {".....", ".....", "####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'q', {".....", ".....", ".####", "#...#", "#...#", ".####", "....#", "....#", "....#"}},
    {'r', {".....", ".....", "#.##.", "##..#", "#....", "#....", "#...."}},
    {'s', {".....", ".....", ".####", "#....", ".###.", "....#", "####."}},
    {'t', {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."}},
    {'u', {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"}},
    {'v', {".....", ".....", "#...#", "#...#", "#...#", ".#.#.", "..#.."}},
    {'w', {".....", ".....", "#...#", "#...#", "#.#.#", "#.#.#", ".#.#."}},
    {'x', {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"}},
    {'y', {".....", ".....", "#...#", "#...#", "#...#", ".####", "....#", "#...#", ".###."}},
    {'z', {".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"}},
    {'{', {"...#.", "..#..", "..#..", ".#...", "..#..", "..#..", "...#."}},
    {'|', {"..#..", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'}', {".#...", "..#..", "..#..", "...#.", "..#..", "..#..", ".#..."}},
    {'~', {".....", ".....", ".#...", "#.#.#", "...#.", ".....", "....."}},
    {0x00B0, {".##..", "#..#.", ".##..", ".....", ".....", ".....", "....."}},                   /* ° */
    {0x00B2, {".##..", "#..#.", "..#..", ".#...", "####.", ".....", "....."}},                   /* ² */
    {0x00B3, {"###..", "...#.", ".##..", "...#.", "###..", ".....", "....."}},                   /* ³ */
    {0x00B5, {".....", ".....", "#...#", "#...#", "#...#", "##..#", "#.##.", "#....", "#...."}}, /* µ */
    {0x03BC, {".....", ".....", "#...#", "#...#", "#...#", "##..#", "#.##.", "#....", "#...."}}, /* μ */
    {0x00B7, {".....", ".....", ".....", "..#..", ".....", ".....", "....."}},                   /* · */
    {0x00D7, {".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "....."}},                   /* × */
    {0x0394, {"..#..", "..#..", ".#.#.", ".#.#.", "#...#", "#...#", "#####"}},                   /* Δ */
    {0x03B1, {".....", ".....", ".##.#", "#..#.", "#..#.", "#..#.", ".##.#"}},                   /* α */
    {0x03B8, {".##..", "#..#.", "#..#.", "####.", "#..#.", "#..#.", ".##.."}},                   /* θ */
    {0x03C4, {".....", ".....", "#####", "..#..", "..#..", "..#.#", "...#."}},                   /* τ */
    {0x2212, {".....", ".....", ".....", "#####", ".....", ".....", "....."}},                   /* − */
    {0x221A, {"..###", "..#..", "..#..", "..#..", "#.#..", ".##..", "..#.."}},                   /* √ */
};

static const Glyph *GlyphFind(unsigned code)
{
  for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); ++i)
    if (glyphs[i].code == code) return &glyphs[i];
  return GlyphFind('?');
}

/* Next UTF-8 code point of *s (advances *s); malformed bytes read as '?' */
static unsigned NextCodePoint(const char **s)
{
  const unsigned char *p = (const unsigned char *)*s;
  unsigned             c = p[0], n = 0, code;

  if (c < 0x80) {
    *s += 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0)
    n = 1, code = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    n = 2, code = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    n = 3, code = c & 0x07;
  else {
    *s += 1;
    return '?';
  }
  for (unsigned k = 1; k <= n; ++k) {
    if ((p[k] & 0xC0) != 0x80) {
      *s += k;
      return '?';
    }
    code = (code << 6) | (p[k] & 0x3F);
  }
  *s += n + 1;
  return code;
}

static PetscInt TextLength(const char text[])
{
  PetscInt n = 0;
  for (const char *s = text; *s;) {
    (void)NextCodePoint(&s);
    ++n;
  }
  return n;
}

PetscErrorCode PlotTextSize(const char text[], PetscInt scale, PetscInt *width, PetscInt *height)
{
  const PetscInt n = text ? TextLength(text) : 0;

  PetscFunctionBeginUser;
  if (width) *width = n ? (n * GLYPH_ADVANCE - 1) * scale : 0;
  if (height) *height = GLYPH_H * scale;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- objects */
typedef struct {
  PetscInt   n;
  PetscReal *x, *y;
  PlotColor  color;
  PetscReal  width, marker_size;
  PlotMarker marker;
  char      *label;
} Series;

struct _p_PlotAxes {
  PlotFigure         fig;
  PetscReal          box[4]; /* x0, y0, x1, y1: fractions of the figure, from the top-left */
  char              *title, *xlabel, *ylabel;
  PetscBool          log[2], fixed[2];
  PetscReal          lim[4];  /* xmin, xmax, ymin, ymax (data units) */
  PetscInt           rect[4]; /* plot area in pixels: col0, row0, col1, row1 (after rendering) */
  PetscBool          rendered;
  PlotLegendPosition legend;
  PetscInt           nseries, cap;
  Series            *series;
};

typedef struct {
  PetscReal x, y;
  char     *text;
  PlotColor color;
} FigureText;

struct _p_PlotFigure {
  MPI_Comm       comm;
  PostprocFiles  files; /* where its PNG goes; NULL: published at once */
  PetscInt       width, height, scale;
  unsigned char *rgb;
  PetscInt       clip[4]; /* drawing limited to cols [clip0, clip2), rows [clip1, clip3) */
  PetscInt       naxes, ntexts;
  PlotAxes       axes[PLOT_MAX_AXES];
  FigureText     texts[PLOT_MAX_TEXTS];
};

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
  PetscCall(PetscMalloc1(3 * width * height, &f->rgb));
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
    PetscCall(PetscFree(ax->series));
    PetscCall(PetscFree(ax->title));
    PetscCall(PetscFree(ax->xlabel));
    PetscCall(PetscFree(ax->ylabel));
    PetscCall(PetscFree(ax));
  }
  for (PetscInt t = 0; t < f->ntexts; ++t)
    PetscCall(PetscFree(f->texts[t].text));
  PetscCall(PetscFree(f->rgb));
  PetscCall(PetscFree(f));
  *fig = NULL;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- raster primitives */
static void SetClip(PlotFigure f, PetscInt c0, PetscInt r0, PetscInt c1, PetscInt r1)
{
  f->clip[0] = PetscMax(0, c0);
  f->clip[1] = PetscMax(0, r0);
  f->clip[2] = PetscMin(f->width, c1);
  f->clip[3] = PetscMin(f->height, r1);
}

static void Blend(PlotFigure f, PetscInt col, PetscInt row, PlotColor c, PetscReal alpha)
{
  unsigned char *p;

  if (col < f->clip[0] || col >= f->clip[2] || row < f->clip[1] || row >= f->clip[3] || alpha <= 0) return;
  if (alpha > 1) alpha = 1;
  p    = &f->rgb[3 * (row * f->width + col)];
  p[0] = (unsigned char)(p[0] + alpha * (c.r - p[0]) + 0.5); /* stays in [0, 255]: a convex combination */
  p[1] = (unsigned char)(p[1] + alpha * (c.g - p[1]) + 0.5);
  p[2] = (unsigned char)(p[2] + alpha * (c.b - p[2]) + 0.5);
}

static void FillRect(PlotFigure f, PetscInt c0, PetscInt r0, PetscInt c1, PetscInt r1, PlotColor c)
{
  for (PetscInt r = r0; r < r1; ++r)
    for (PetscInt q = c0; q < c1; ++q)
      Blend(f, q, r, c, 1);
}

static PetscReal Coverage(PetscReal half_width, PetscReal distance)
{
  const PetscReal v = half_width + 0.5 - distance;
  return v < 0 ? 0 : (v > 1 ? 1 : v);
}

/* Thick anti-aliased segment between pixel-space points */
static void DrawSegment(PlotFigure f, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PetscReal width, PlotColor c)
{
  const PetscReal hw = 0.5 * width, dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  PetscInt        c0 = (PetscInt)PetscFloorReal(PetscMin(x0, x1) - hw - 1), c1 = (PetscInt)PetscCeilReal(PetscMax(x0, x1) + hw + 1);
  PetscInt        r0 = (PetscInt)PetscFloorReal(PetscMin(y0, y1) - hw - 1), r1 = (PetscInt)PetscCeilReal(PetscMax(y0, y1) + hw + 1);

  c0 = PetscMax(c0, f->clip[0]);
  r0 = PetscMax(r0, f->clip[1]);
  c1 = PetscMin(c1, f->clip[2]);
  r1 = PetscMin(r1, f->clip[3]);
  for (PetscInt r = r0; r < r1; ++r) {
    for (PetscInt q = c0; q < c1; ++q) {
      const PetscReal px = q + 0.5, py = r + 0.5;
      PetscReal       s = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0, ex, ey;
      s                 = s < 0 ? 0 : (s > 1 ? 1 : s);
      ex                = px - (x0 + s * dx);
      ey                = py - (y0 + s * dy);
      Blend(f, q, r, c, Coverage(hw, PetscSqrtReal(ex * ex + ey * ey)));
    }
  }
}

static void DrawMarker(PlotFigure f, PetscReal x, PetscReal y, PlotMarker m, PetscReal size, PlotColor c)
{
  const PetscReal r    = 0.5 * size;
  const PetscReal ring = PetscMax(1.5, size / 6);
  const PetscInt  c0 = (PetscInt)PetscFloorReal(x - r - 2), c1 = (PetscInt)PetscCeilReal(x + r + 2);
  const PetscInt  r0 = (PetscInt)PetscFloorReal(y - r - 2), r1 = (PetscInt)PetscCeilReal(y + r + 2);

  if (m == PLOT_MARKER_NONE || size <= 0) return;
  if (m == PLOT_MARKER_CROSS) {
    const PetscReal h = r * 0.75;
    DrawSegment(f, x - h, y - h, x + h, y + h, ring, c);
    DrawSegment(f, x - h, y + h, x + h, y - h, ring, c);
    return;
  }
  for (PetscInt row = r0; row < r1; ++row) {
    for (PetscInt col = c0; col < c1; ++col) {
      const PetscReal dx = col + 0.5 - x, dy = row + 0.5 - y, d = PetscSqrtReal(dx * dx + dy * dy);
      PetscReal       a = 0;
      switch (m) {
      case PLOT_MARKER_CIRCLE:
        a = Coverage(r, d);
        break;
      case PLOT_MARKER_OPEN_CIRCLE:
        a = Coverage(0.5 * ring, PetscAbsReal(d - (r - 0.5 * ring)));
        break;
      case PLOT_MARKER_SQUARE:
        a = Coverage(r * 0.85, PetscAbsReal(dx)) * Coverage(r * 0.85, PetscAbsReal(dy));
        break;
      default:
        break;
      }
      Blend(f, col, row, c, a);
    }
  }
}

/* Text with its top-left corner at (col, row); rotated: reading upwards, (col, row) the top-left
   of the rotated box */
static void DrawText(PlotFigure f, PetscInt col, PetscInt row, const char text[], PetscInt scale, PlotColor c, PetscBool rotated)
{
  PetscInt width, k = 0;

  (void)PlotTextSize(text, scale, &width, NULL);
  for (const char *s = text; *s; ++k) {
    const Glyph *g = GlyphFind(NextCodePoint(&s));
    for (PetscInt gy = 0; gy < GLYPH_H; ++gy) {
      if (!g->rows[gy]) continue;
      for (PetscInt gx = 0; gx < GLYPH_W && g->rows[gy][gx]; ++gx) {
        if (g->rows[gy][gx] != '#') continue;
        for (PetscInt sy = 0; sy < scale; ++sy)
          for (PetscInt sx = 0; sx < scale; ++sx) {
            const PetscInt u = (k * GLYPH_ADVANCE + gx) * scale + sx, v = gy * scale + sy; /* along, across the text */
            if (rotated)
              Blend(f, col + v, row + width - 1 - u, c, 1);
            else
              Blend(f, col + u, row + v, c, 1);
          }
      }
    }
  }
}

/* ---------------------------------------------------------------- ticks and axes */
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

/* Label of a linear tick: as many decimals as the tick step needs */
static void FormatLinear(PetscReal v, PetscReal step, char buf[], size_t len)
{
  const PetscReal a = PetscMax(PetscAbsReal(v), step);
  if (a >= 1e6 || a < 1e-4)
    snprintf(buf, len, "%.3g", (double)v);
  else {
    int decimals = (int)PetscCeilReal(-PetscLog10Real(step) - 1e-9);
    if (decimals < 0) decimals = 0;
    if (PetscAbsReal(step * PetscPowReal(10, decimals) - round(step * PetscPowReal(10, decimals))) > 1e-6) ++decimals; /* 2.5, 0.25 */
    snprintf(buf, len, "%.*f", decimals, (double)v);
  }
}

static void FormatLog(PetscReal v, char buf[], size_t len)
{
  const PetscReal e = PetscFloorReal(PetscLog10Real(v) + 1e-9), m = v / PetscPowReal(10, e);
  const int       mi = (int)round(m);
  if (e >= -3 && e <= 3)
    snprintf(buf, len, "%g", (double)v);
  else if (mi == 1)
    snprintf(buf, len, "1e%d", (int)e);
  else
    snprintf(buf, len, "%de%d", mi, (int)e);
}

/* Ticks of one axis: values, labels, and minor ticks (log axes) */
typedef struct {
  PetscInt  n, nminor;
  PetscReal value[PLOT_MAX_TICKS], minor[4 * PLOT_MAX_TICKS];
  char      label[PLOT_MAX_TICKS][32];
} Ticks;

static PetscErrorCode AxisTicks(PetscReal lo, PetscReal hi, PetscBool logscale, PetscInt max_ticks, Ticks *t)
{
  PetscFunctionBeginUser;
  t->n = t->nminor = 0;
  if (logscale) {
    const PetscReal e0 = PetscCeilReal(PetscLog10Real(lo) - 1e-9), e1 = PetscFloorReal(PetscLog10Real(hi) + 1e-9);
    const PetscInt  every = (PetscInt)PetscMax(1, PetscCeilReal((e1 - e0 + 1) / max_ticks));
    for (PetscReal e = PetscFloorReal(PetscLog10Real(lo)); e <= e1 && t->nminor < 4 * PLOT_MAX_TICKS - 9; e += 1)
      for (PetscInt m = 2; m <= 9; ++m) {
        const PetscReal v = m * PetscPowReal(10, e);
        if (v >= lo && v <= hi) t->minor[t->nminor++] = v;
      }
    for (PetscReal e = e0; e <= e1 && t->n < PLOT_MAX_TICKS; e += every)
      t->value[t->n++] = PetscPowReal(10, e);
    if (t->n < 2) { /* less than a decade: 1, 2, 5 × 10^k */
      t->n = 0;
      for (PetscReal e = PetscFloorReal(PetscLog10Real(lo)); e <= e1 + 1 && t->n < PLOT_MAX_TICKS - 3; e += 1) {
        const PetscReal m[3] = {1, 2, 5};
        for (PetscInt k = 0; k < 3; ++k) {
          const PetscReal v = m[k] * PetscPowReal(10, e);
          if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) t->value[t->n++] = v;
        }
      }
    }
    if (t->n < 2) { /* a narrow range: linear ticks on the log axis */
      PetscCall(PlotNiceTicks(lo, hi, max_ticks, &t->n, t->value));
      for (PetscInt i = 0; i < t->n; ++i)
        FormatLinear(t->value[i], t->n > 1 ? t->value[1] - t->value[0] : hi - lo, t->label[i], sizeof(t->label[i]));
      t->nminor = 0;
    } else
      for (PetscInt i = 0; i < t->n; ++i)
        FormatLog(t->value[i], t->label[i], sizeof(t->label[i]));
  } else {
    PetscCall(PlotNiceTicks(lo, hi, max_ticks, &t->n, t->value));
    for (PetscInt i = 0; i < t->n; ++i)
      FormatLinear(t->value[i], t->n > 1 ? t->value[1] - t->value[0] : hi - lo, t->label[i], sizeof(t->label[i]));
  }
  PetscFunctionReturn(0);
}

static PetscBool Usable(PlotAxes ax, PetscInt d, PetscReal v)
{
  return (PetscIsNormalReal(v) || v == 0) && (!ax->log[d] || v > 0) ? PETSC_TRUE : PETSC_FALSE;
}

/* Limits from the data (padded by 4 % of the span, in log space on log axes) unless fixed */
static void AutoLimits(PlotAxes ax, PetscInt d)
{
  PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;

  if (ax->fixed[d]) return;
  for (PetscInt s = 0; s < ax->nseries; ++s)
    for (PetscInt i = 0; i < ax->series[s].n; ++i) {
      const PetscReal v = d ? ax->series[s].y[i] : ax->series[s].x[i];
      if (!Usable(ax, 0, ax->series[s].x[i]) || !Usable(ax, 1, ax->series[s].y[i])) continue;
      lo = PetscMin(lo, v);
      hi = PetscMax(hi, v);
    }
  if (lo > hi) { /* no data */
    lo = ax->log[d] ? 1 : 0;
    hi = ax->log[d] ? 10 : 1;
  }
  if (ax->log[d]) {
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

PetscErrorCode PlotAxesDataToPixel(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row)
{
  const PetscInt *r = ax->rect;
  PetscReal       u0, u1, v0, v1;

  PetscFunctionBeginUser;
  PetscCheck(ax->rendered, ax->fig->comm, PETSC_ERR_ARG_WRONGSTATE, "render the figure before mapping data to pixels");
  u0   = Scaled(ax, 0, ax->lim[0]);
  u1   = Scaled(ax, 0, ax->lim[1]);
  v0   = Scaled(ax, 1, ax->lim[2]);
  v1   = Scaled(ax, 1, ax->lim[3]);
  *col = r[0] + (Scaled(ax, 0, x) - u0) / (u1 - u0) * (r[2] - r[0]);
  *row = r[3] - (Scaled(ax, 1, y) - v0) / (v1 - v0) * (r[3] - r[1]);
  PetscFunctionReturn(0);
}

PetscErrorCode PlotAxesGetLimits(PlotAxes ax, PetscReal *xmin, PetscReal *xmax, PetscReal *ymin, PetscReal *ymax)
{
  PetscFunctionBeginUser;
  PetscCheck(ax->rendered || (ax->fixed[0] && ax->fixed[1]), ax->fig->comm, PETSC_ERR_ARG_WRONGSTATE, "render the figure before asking for its limits");
  if (xmin) *xmin = ax->lim[0];
  if (xmax) *xmax = ax->lim[1];
  if (ymin) *ymin = ax->lim[2];
  if (ymax) *ymax = ax->lim[3];
  PetscFunctionReturn(0);
}

static PetscErrorCode DrawLegend(PlotAxes ax)
{
  PlotFigure      f = ax->fig;
  const PetscInt  s = f->scale, pad = 3 * s, sample = 8 * GLYPH_ADVANCE * s / 2, line_h = (GLYPH_H + 3) * s;
  PetscInt        n = 0, wmax = 0, w, h, c0, r0;
  const PetscInt *r = ax->rect;

  PetscFunctionBeginUser;
  if (ax->legend == PLOT_LEGEND_NONE) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < ax->nseries; ++i) {
    if (!ax->series[i].label) continue;
    PetscCall(PlotTextSize(ax->series[i].label, s, &w, NULL));
    wmax = PetscMax(wmax, w);
    ++n;
  }
  if (!n) PetscFunctionReturn(0);
  w  = pad + sample + pad + wmax + pad;
  h  = pad + n * line_h;
  c0 = (ax->legend == PLOT_LEGEND_UPPER_LEFT || ax->legend == PLOT_LEGEND_LOWER_LEFT) ? r[0] + 2 * pad : r[2] - 2 * pad - w;
  r0 = (ax->legend == PLOT_LEGEND_UPPER_LEFT || ax->legend == PLOT_LEGEND_UPPER_RIGHT) ? r[1] + 2 * pad : r[3] - 2 * pad - h;
  FillRect(f, c0, r0, c0 + w, r0 + h, PlotColorRGB(255, 255, 255));
  FillRect(f, c0, r0, c0 + w, r0 + 1, PlotColorRGB(150, 150, 150));
  FillRect(f, c0, r0 + h - 1, c0 + w, r0 + h, PlotColorRGB(150, 150, 150));
  FillRect(f, c0, r0, c0 + 1, r0 + h, PlotColorRGB(150, 150, 150));
  FillRect(f, c0 + w - 1, r0, c0 + w, r0 + h, PlotColorRGB(150, 150, 150));
  n = 0;
  for (PetscInt i = 0; i < ax->nseries; ++i) {
    const Series   *se = &ax->series[i];
    const PetscReal yc = r0 + pad + n * line_h + 0.5 * GLYPH_H * s - 0.5 * s;
    if (!se->label) continue;
    if (se->width > 0) DrawSegment(f, c0 + pad, yc, c0 + pad + sample, yc, se->width, se->color);
    DrawMarker(f, c0 + pad + 0.5 * sample, yc, se->marker, se->marker_size, se->color);
    DrawText(f, c0 + 2 * pad + sample, r0 + pad + n * line_h, se->label, s, PlotColorRGB(0, 0, 0), PETSC_FALSE);
    ++n;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode RenderAxes(PlotAxes ax)
{
  PlotFigure      f = ax->fig;
  const PetscInt  s = f->scale, tick = 4 * s, gap = 3 * s, text_h = GLYPH_H * s;
  const PlotColor black = PlotColorRGB(0, 0, 0), grid = PlotColorRGB(228, 228, 228), minor = PlotColorRGB(242, 242, 242);
  PetscInt        box[4], *r = ax->rect, ylab_w = 0, w;
  Ticks           tx, ty;

  PetscFunctionBeginUser;
  box[0] = (PetscInt)(ax->box[0] * f->width);
  box[1] = (PetscInt)(ax->box[1] * f->height);
  box[2] = (PetscInt)(ax->box[2] * f->width);
  box[3] = (PetscInt)(ax->box[3] * f->height);
  AutoLimits(ax, 0);
  AutoLimits(ax, 1);
  PetscCall(AxisTicks(ax->lim[0], ax->lim[1], ax->log[0], PetscMax(3, (box[2] - box[0]) / (12 * GLYPH_ADVANCE * s)), &tx));
  PetscCall(AxisTicks(ax->lim[2], ax->lim[3], ax->log[1], PetscMax(3, (box[3] - box[1]) / (4 * text_h)), &ty));
  for (PetscInt i = 0; i < ty.n; ++i) {
    PetscCall(PlotTextSize(ty.label[i], s, &w, NULL));
    ylab_w = PetscMax(ylab_w, w);
  }
  /* plot area: room for the y label, the tick labels and ticks (left), the x tick labels and the x
     label (bottom), the title (top) and half an x tick label (right) */
  r[0] = box[0] + gap + (ax->ylabel[0] ? text_h + 2 * gap : 0) + ylab_w + gap + tick;
  r[1] = box[1] + gap + (ax->title[0] ? text_h + 2 * gap : 0);
  r[2] = box[2] - 4 * GLYPH_ADVANCE * s;
  r[3] = box[3] - gap - (ax->xlabel[0] ? text_h + 2 * gap : 0) - text_h - gap - tick;
  PetscCheck(r[2] - r[0] >= 16 && r[3] - r[1] >= 16, f->comm, PETSC_ERR_ARG_OUTOFRANGE, "axes too small for their labels; make the figure larger or the font smaller");
  ax->rendered = PETSC_TRUE;

  SetClip(f, r[0], r[1], r[2] + 1, r[3] + 1);
  for (PetscInt i = 0; i < tx.nminor; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, tx.minor[i], ax->lim[2], &c, &y));
    FillRect(f, (PetscInt)c, r[1], (PetscInt)c + 1, r[3], minor);
  }
  for (PetscInt i = 0; i < ty.nminor; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, ax->lim[0], ty.minor[i], &c, &y));
    FillRect(f, r[0], (PetscInt)y, r[2], (PetscInt)y + 1, minor);
  }
  for (PetscInt i = 0; i < tx.n; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, tx.value[i], ax->lim[2], &c, &y));
    FillRect(f, (PetscInt)c, r[1], (PetscInt)c + 1, r[3], grid);
  }
  for (PetscInt i = 0; i < ty.n; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, ax->lim[0], ty.value[i], &c, &y));
    FillRect(f, r[0], (PetscInt)y, r[2], (PetscInt)y + 1, grid);
  }

  /* series, clipped to the plot area */
  for (PetscInt k = 0; k < ax->nseries; ++k) {
    const Series *se        = &ax->series[k];
    PetscBool     have_prev = PETSC_FALSE;
    PetscReal     pc = 0, pr = 0;
    for (PetscInt i = 0; i < se->n && se->width > 0; ++i) {
      PetscReal c, y;
      if (!Usable(ax, 0, se->x[i]) || !Usable(ax, 1, se->y[i])) {
        have_prev = PETSC_FALSE;
        continue;
      }
      PetscCall(PlotAxesDataToPixel(ax, se->x[i], se->y[i], &c, &y));
      if (have_prev) DrawSegment(f, pc, pr, c, y, se->width, se->color);
      pc        = c;
      pr        = y;
      have_prev = PETSC_TRUE;
    }
    for (PetscInt i = 0; i < se->n && se->marker != PLOT_MARKER_NONE; ++i) {
      PetscReal c, y;
      if (!Usable(ax, 0, se->x[i]) || !Usable(ax, 1, se->y[i])) continue;
      PetscCall(PlotAxesDataToPixel(ax, se->x[i], se->y[i], &c, &y));
      DrawMarker(f, c, y, se->marker, se->marker_size, se->color);
    }
  }
  PetscCall(DrawLegend(ax));

  /* frame, ticks, labels */
  SetClip(f, 0, 0, f->width, f->height);
  FillRect(f, r[0], r[1], r[2] + 1, r[1] + 1, black);
  FillRect(f, r[0], r[3], r[2] + 1, r[3] + 1, black);
  FillRect(f, r[0], r[1], r[0] + 1, r[3] + 1, black);
  FillRect(f, r[2], r[1], r[2] + 1, r[3] + 1, black);
  for (PetscInt i = 0; i < tx.n; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, tx.value[i], ax->lim[2], &c, &y));
    FillRect(f, (PetscInt)c, r[3], (PetscInt)c + 1, r[3] + tick, black);
    PetscCall(PlotTextSize(tx.label[i], s, &w, NULL));
    DrawText(f, (PetscInt)c - w / 2, r[3] + tick + gap, tx.label[i], s, black, PETSC_FALSE);
  }
  for (PetscInt i = 0; i < tx.nminor; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, tx.minor[i], ax->lim[2], &c, &y));
    FillRect(f, (PetscInt)c, r[3], (PetscInt)c + 1, r[3] + tick / 2, black);
  }
  for (PetscInt i = 0; i < ty.n; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, ax->lim[0], ty.value[i], &c, &y));
    FillRect(f, r[0] - tick, (PetscInt)y, r[0], (PetscInt)y + 1, black);
    PetscCall(PlotTextSize(ty.label[i], s, &w, NULL));
    DrawText(f, r[0] - tick - gap - w, (PetscInt)y - (7 * s) / 2, ty.label[i], s, black, PETSC_FALSE);
  }
  for (PetscInt i = 0; i < ty.nminor; ++i) {
    PetscReal c, y;
    PetscCall(PlotAxesDataToPixel(ax, ax->lim[0], ty.minor[i], &c, &y));
    FillRect(f, r[0] - tick / 2, (PetscInt)y, r[0], (PetscInt)y + 1, black);
  }
  if (ax->title[0]) {
    PetscCall(PlotTextSize(ax->title, s, &w, NULL));
    DrawText(f, (r[0] + r[2]) / 2 - w / 2, box[1] + gap, ax->title, s, black, PETSC_FALSE);
  }
  if (ax->xlabel[0]) {
    PetscCall(PlotTextSize(ax->xlabel, s, &w, NULL));
    DrawText(f, (r[0] + r[2]) / 2 - w / 2, r[3] + tick + gap + text_h + 2 * gap, ax->xlabel, s, black, PETSC_FALSE);
  }
  if (ax->ylabel[0]) {
    PetscCall(PlotTextSize(ax->ylabel, s, &w, NULL));
    DrawText(f, box[0] + gap, (r[1] + r[3]) / 2 - w / 2, ax->ylabel, s, black, PETSC_TRUE);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PlotFigureRender(PlotFigure fig)
{
  PetscFunctionBeginUser;
  memset(fig->rgb, 255, (size_t)(3 * fig->width * fig->height));
  SetClip(fig, 0, 0, fig->width, fig->height);
  for (PetscInt a = 0; a < fig->naxes; ++a)
    PetscCall(RenderAxes(fig->axes[a]));
  SetClip(fig, 0, 0, fig->width, fig->height);
  for (PetscInt t = 0; t < fig->ntexts; ++t)
    DrawText(fig, (PetscInt)(fig->texts[t].x * fig->width), (PetscInt)(fig->texts[t].y * fig->height), fig->texts[t].text, fig->scale, fig->texts[t].color, PETSC_FALSE);
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

/* An 8-bit RGB image into a file of the set (rank 0): libpng writes to the checked stream */
PetscErrorCode PlotWritePNG(PostprocFiles files, const char path[], PetscInt width, PetscInt height, const unsigned char rgb[])
{
  FileOut   f;
  FILE     *fp;
  png_image image;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, "figure", &f));
  PetscCall(FileOutGetStream(f, &fp));
  PetscCall(PetscMemzero(&image, sizeof(image)));
  image.version = PNG_IMAGE_VERSION;
  image.width   = (png_uint_32)width;
  image.height  = (png_uint_32)height;
  image.format  = PNG_FORMAT_RGB;
  errno         = 0;
  if (!png_image_write_to_stdio(&image, fp, 0, rgb, 0, NULL)) {
    const int e = errno;
    PetscCall(PetscInfo(NULL, "libpng could not write %s: %s\n", path, image.message));
    png_image_free(&image);
    PetscCall(FileOutSetFailed(f, e));
  }
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

typedef struct {
  PlotFigure  fig;
  const char *path;
  PetscErrorCode (*draw)(PlotFigure, void *);
  void *ctx;
} CanvasJob;

static PetscErrorCode WriteCanvasOnRankZero(PostprocFiles files, void *ctx)
{
  CanvasJob *job = (CanvasJob *)ctx;

  PetscFunctionBeginUser;
  PetscCall(job->draw(job->fig, job->ctx));
  PetscCall(PlotWritePNG(files, job->path, job->fig->width, job->fig->height, job->fig->rgb));
  PetscFunctionReturn(0);
}

/* Rank 0 draws and writes path: into the figure's set, or published at once; collective */
PetscErrorCode PlotFigureWriteCanvas(PlotFigure fig, const char path[], PetscErrorCode (*draw)(PlotFigure, void *), void *ctx)
{
  CanvasJob job = {fig, path, draw, ctx};

  PetscFunctionBeginUser;
  PetscCall(PostprocWrite(fig->comm, fig->files, WriteCanvasOnRankZero, &job));
  PetscFunctionReturn(0);
}

static PetscErrorCode RenderOnly(PlotFigure fig, void *ctx)
{
  PetscFunctionBeginUser;
  (void)ctx;
  PetscCall(PlotFigureRender(fig));
  PetscFunctionReturn(0);
}

/* Rank 0 renders and writes path; collective */
PetscErrorCode PlotFigureWritePNG(PlotFigure fig, const char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PlotFigureWriteCanvas(fig, path, RenderOnly, NULL));
  PetscFunctionReturn(0);
}
