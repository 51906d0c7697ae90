/* The plotting library behind spot gitt's figure (postproc/figures/figures.h): nice ticks, text metrics
   and UTF-8 glyphs (cairo, DejaVu Sans), the data-to-pixel map on linear and log axes, lines, markers and gaps drawn
   where they belong, the PNG read back pixel for pixel, and an unwritable path; panels stacked on
   a shared x axis with a vertical line, written as PNG, PDF and SVG; an unknown format. */
#include "testing.h"
#include "postproc/figures/figures.h"
#include <math.h>
#include <png.h>

static const unsigned char *Pixel(const unsigned char *rgb, PetscInt width, PetscReal col, PetscReal row)
{
  return &rgb[3 * ((PetscInt)row * width + (PetscInt)col)];
}

static PetscBool Is(const unsigned char *p, PlotColor c)
{
  return p[0] == c.r && p[1] == c.g && p[2] == c.b ? PETSC_TRUE : PETSC_FALSE;
}

/* Number of non-white pixels of a text drawn alone on a small figure, and a checksum of them */
static PetscErrorCode TextInk(const char text[], PetscInt *ink, unsigned long *sum)
{
  PlotFigure           fig;
  const unsigned char *rgb;
  PetscInt             w, h;

  PetscFunctionBeginUser;
  PetscCall(PlotFigureCreate(PETSC_COMM_WORLD, 64, 32, &fig));
  PetscCall(PlotFigureSetFontScale(fig, 1));
  PetscCall(PlotFigureAddText(fig, 0.1, 0.1, text, PlotColorRGB(0, 0, 0)));
  PetscCall(PlotFigureRender(fig));
  PetscCall(PlotFigureGetImage(fig, &w, &h, &rgb));
  *ink = 0;
  *sum = 0;
  for (PetscInt i = 0; i < w * h; ++i)
    if (rgb[3 * i] != 255) {
      ++*ink;
      *sum += (unsigned long)(i * 2654435761u);
    }
  PetscCall(PlotFigureDestroy(&fig));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PlotFigure           fig;
  PlotAxes             lin, lg;
  PetscReal            ticks[PLOT_MAX_TICKS], c, r, c2, r2;
  PetscInt             n, w, h, ink[3];
  unsigned long        sum[3];
  const unsigned char *rgb;
  const PlotColor      red = PlotColorRGB(220, 0, 0), blue = PlotColorRGB(0, 0, 200);
  char                 path[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());

  /* ticks */
  PetscCall(PlotNiceTicks(0, 1, 6, &n, ticks));
  CHECK(n == 6, "ticks of [0, 1]: %" PetscInt_FMT ", expected 6", n);
  for (PetscInt i = 0; i < PetscMin(n, 6); ++i)
    CHECK_CLOSE(ticks[i], 0.2 * i, 1e-12, "ticks of [0, 1]");
  PetscCall(PlotNiceTicks(-3.7, 12, 8, &n, ticks));
  CHECK(n == 6 && ticks[0] == -2.5 && ticks[1] == 0 && ticks[5] == 10, "ticks of [-3.7, 12]: %" PetscInt_FMT " from %g to %g", n, (double)ticks[0], (double)ticks[n - 1]);
  PetscCall(PlotNiceTicks(0.9913, 0.9917, 5, &n, ticks));
  CHECK(n == 5 && PetscAbsReal(ticks[0] - 0.9913) < 1e-12 && PetscAbsReal(ticks[4] - 0.9917) < 1e-12, "ticks of [0.9913, 0.9917]: %" PetscInt_FMT " from %.6g to %.6g", n, (double)ticks[0], (double)ticks[n - 1]);

  /* text: widths grow with the text, UTF-8 glyphs are not '?' */
  PetscCall(PlotTextSize("θ (µm²)", 2, &w, &h));
  {
    PetscInt w1, h1;
    PetscCall(PlotTextSize("θ", 2, &w1, &h1));
    CHECK(w1 > 4 && w > 5 * w1 && w < 10 * w1 && h == h1 && h >= 16 && h <= 24, "size of 'θ (µm²)' at scale 2: %" PetscInt_FMT " x %" PetscInt_FMT " (θ alone: %" PetscInt_FMT ")", w, h, w1);
  }
  PetscCall(TextInk("θ", &ink[0], &sum[0]));
  PetscCall(TextInk("?", &ink[1], &sum[1]));
  PetscCall(TextInk("√", &ink[2], &sum[2]));
  CHECK(ink[0] > 5 && ink[2] > 5, "glyphs drawn: θ %" PetscInt_FMT " and √ %" PetscInt_FMT " pixels", ink[0], ink[2]);
  CHECK(sum[0] != sum[1] && sum[2] != sum[1] && sum[0] != sum[2], "θ, √ and ? should be different glyphs");

  /* a figure with a linear and a log panel */
  PetscCall(PlotFigureCreate(PETSC_COMM_WORLD, 640, 320, &fig));
  PetscCall(PlotFigureAddAxes(fig, 0, 0, 0.5, 1, &lin));
  PetscCall(PlotFigureAddAxes(fig, 0.5, 0, 1, 1, &lg));
  PetscCall(PlotAxesSetLabels(lin, "linear", "x", "y"));
  PetscCall(PlotAxesSetLabels(lg, "log", "θ", "D (cm²/s)"));
  PetscCall(PlotAxesSetXLimits(lin, 0, 10));
  PetscCall(PlotAxesSetYLimits(lin, 0, 10));
  {
    const PetscReal lx[5] = {0, 2, NAN, 8, 10}, ly[5] = {5, 5, 5, 5, 5}, mx[1] = {2}, my[1] = {8};
    PetscCall(PlotAxesAddSeries(lin, 5, lx, ly, red, 3, PLOT_MARKER_NONE, 0, "line"));
    PetscCall(PlotAxesAddSeries(lin, 1, mx, my, blue, 0, PLOT_MARKER_CIRCLE, 12, "point"));
    PetscCall(PlotAxesSetLegend(lin, PLOT_LEGEND_LOWER_RIGHT));
  }
  PetscCall(PlotAxesSetLog(lg, PETSC_FALSE, PETSC_TRUE));
  {
    const PetscReal x[4] = {0.5, 0.6, 0.7, 0.8}, y[4] = {1e-12, 1e-11, -1, 1e-10}; /* -1: not on a log axis */
    PetscCall(PlotAxesAddSeries(lg, 4, x, y, blue, 2, PLOT_MARKER_SQUARE, 6, NULL));
  }
  PetscCall(PlotFigureRender(fig));
  PetscCall(PlotFigureGetImage(fig, &w, &h, &rgb));
  PetscCall(PlotAxesDataToPixel(lin, 5, 5, &c, &r));
  CHECK(!Is(Pixel(rgb, w, c, r), red), "the line has a gap at the NaN point (x = 5)");
  PetscCall(PlotAxesDataToPixel(lin, 1, 5, &c, &r));
  CHECK(Is(Pixel(rgb, w, c, r), red), "the line y = 5 is red at x = 1");
  PetscCall(PlotAxesDataToPixel(lin, 9, 5, &c, &r));
  CHECK(Is(Pixel(rgb, w, c, r), red), "the line y = 5 is red at x = 9");
  PetscCall(PlotAxesDataToPixel(lin, 1, 5.8, &c, &r));
  CHECK(!Is(Pixel(rgb, w, c, r), red), "the line is 3 pixels wide, not wider");
  PetscCall(PlotAxesDataToPixel(lin, 2, 8, &c, &r));
  CHECK(Is(Pixel(rgb, w, c, r), blue), "the marker at (2, 8) is blue");
  PetscCall(PlotAxesDataToPixel(lin, 0, 0, &c, &r));
  PetscCall(PlotAxesDataToPixel(lin, 10, 10, &c2, &r2));
  CHECK(c >= 0 && c2 <= w / 2 && r2 >= 0 && r <= h && c2 - c > 200 && r - r2 > 180, "the linear panel spans pixels (%g, %g) to (%g, %g)", (double)c, (double)r, (double)c2, (double)r2);
  {
    PetscReal ylo, yhi, rlo, rmid, rhi;
    PetscCall(PlotAxesGetLimits(lg, NULL, NULL, &ylo, &yhi));
    CHECK(ylo < 1e-12 && ylo > 5e-13 && yhi > 1e-10 && yhi < 2e-10, "log limits from the data: %g to %g", (double)ylo, (double)yhi);
    PetscCall(PlotAxesDataToPixel(lg, 0.5, 1e-12, &c, &rlo));
    PetscCall(PlotAxesDataToPixel(lg, 0.5, 1e-11, &c, &rmid));
    PetscCall(PlotAxesDataToPixel(lg, 0.5, 1e-10, &c, &rhi));
    CHECK_CLOSE(rmid - rhi, rlo - rmid, 1e-9, "decades equally spaced on a log axis");
    PetscCall(PlotAxesDataToPixel(lg, 0.55, sqrt(1e-12 * 1e-11), &c, &r));
    CHECK(Is(Pixel(rgb, w, c, r), blue), "the log-panel line passes through the geometric mean of its ends");
  }

  /* the PNG is the image */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/plot_test.png", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp"));
  PetscCall(PlotFigureWritePNG(fig, path));
  {
    png_image image;
    png_bytep buffer;
    PetscCall(PetscMemzero(&image, sizeof(image)));
    image.version = PNG_IMAGE_VERSION;
    CHECK(png_image_begin_read_from_file(&image, path), "cannot read back %s", path);
    image.format = PNG_FORMAT_RGB;
    CHECK(image.width == 640 && image.height == 320, "PNG is %u x %u, expected 640 x 320", (unsigned)image.width, (unsigned)image.height);
    PetscCall(PetscMalloc1(PNG_IMAGE_SIZE(image), &buffer));
    CHECK(png_image_finish_read(&image, NULL, buffer, 0, NULL), "cannot decode %s", path);
    PetscCall(PlotFigureGetImage(fig, &w, &h, &rgb));
    CHECK(!memcmp(buffer, rgb, (size_t)(3 * w * h)), "the PNG differs from the rendered image");
    PetscCall(PetscFree(buffer));
  }
  CHECK_USER_ERROR(PlotFigureWritePNG(fig, "/nonexistent-dir/plot.png"), "cannot write figure '/nonexistent-dir/plot.png'");
  PetscCall(PlotFigureDestroy(&fig));

  /* two panels stacked on a shared time axis with step boundaries, written as PNG, PDF and SVG */
  PetscCall(PetscOptionsSetValue(NULL, "-out_figure_formats", "png,pdf,svg"));
  PetscCall(PlotFigureCreate(PETSC_COMM_WORLD, 600, 500, &fig));
  PetscCall(PlotFigureAddAxes(fig, 0, 0, 1, 0.45, &lin));
  PetscCall(PlotFigureAddAxes(fig, 0, 0.45, 1, 1, &lg));
  PetscCall(PlotAxesShareX(lin, lg));
  PetscCall(PlotAxesSetLabels(lin, "stacked", "", "V (V)"));
  PetscCall(PlotAxesSetLabels(lg, "", "t (h)", "θ"));
  {
    const PetscReal t[3] = {0, 1, 2}, v[3] = {3.7, 4.1, 4.0}, th[3] = {0.97, 0.6, 0.6}, late[2] = {2.5, 3}, mid[2] = {0.7, 0.7};
    PetscReal       cl, cg, rr, lo, hi;
    PetscCall(PlotAxesAddSeries(lin, 3, t, v, red, 2, PLOT_MARKER_NONE, 0, NULL));
    PetscCall(PlotAxesAddSeries(lg, 3, t, th, blue, 2, PLOT_MARKER_NONE, 0, NULL));
    PetscCall(PlotAxesAddSeries(lg, 2, late, mid, blue, 2, PLOT_MARKER_NONE, 0, NULL));
    PetscCall(PlotAxesAddVLine(lin, 1, PlotColorRGB(0, 150, 0), 3, PETSC_FALSE));
    PetscCall(PlotFigureRender(fig));
    PetscCall(PlotFigureGetImage(fig, &w, &h, &rgb));
    PetscCall(PlotAxesGetLimits(lin, &lo, &hi, NULL, NULL));
    CHECK(lo < 0 && hi > 3, "the upper panel shares the x limits of the lower one, data of both: %g to %g", (double)lo, (double)hi);
    PetscCall(PlotAxesDataToPixel(lin, 1, 3.8, &cl, &rr));
    PetscCall(PlotAxesDataToPixel(lg, 1, 0.8, &cg, &r));
    CHECK_CLOSE(cl, cg, 1e-9, "shared x axes line up");
    CHECK(Is(Pixel(rgb, w, cl, rr), PlotColorRGB(0, 150, 0)), "the vertical line at t = 1 is drawn across the upper panel");
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/plot_stacked.png", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp"));
  PetscCall(PlotFigureWritePNG(fig, path));
  {
    const char *ext[3] = {"png", "pdf", "svg"}, *magic[3] = {"\x89PNG", "%PDF", "<?xml"};
    for (int k = 0; k < 3; ++k) {
      char  name[PETSC_MAX_PATH_LEN], head[8] = "";
      FILE *fp;
      PetscCall(PetscSNPrintf(name, sizeof(name), "%s/plot_stacked.%s", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp", ext[k]));
      fp = fopen(name, "rb");
      CHECK(fp, "no %s", name);
      if (fp) {
        CHECK(fread(head, 1, strlen(magic[k]), fp) == strlen(magic[k]) && !strncmp(head, magic[k], strlen(magic[k])), "%s does not start as a %s file", name, ext[k]);
        fclose(fp);
      }
    }
  }
  /* a failed write leaves none of the three */
  CHECK_USER_ERROR(PlotFigureWritePNG(fig, "/nonexistent-dir/stacked.png"), "cannot write figure '/nonexistent-dir/stacked.png'");
  PetscCall(PlotFigureDestroy(&fig));
  PetscCall(PetscOptionsSetValue(NULL, "-out_figure_formats", "png,jpg"));
  CHECK_USER_ERROR(PlotFigureCreate(PETSC_COMM_WORLD, 100, 100, &fig), "option -out_figure_formats: unknown figure format 'jpg'");
  PetscCall(PetscOptionsClearValue(NULL, "-out_figure_formats"));
  PetscCall(PetscFinalize());
  return test_failures;
}
