/* The image pipeline of spot mesh (issue 3): image readers, segmentation, sub-pixel outline,
   meshing, and bad input. Every image is made here, except the two real crops of data/images.

     test_mesh_image readers     PNG/TIFF/PGM variants read back to the exact grey values
     test_mesh_image outline     self-crossing test, smoothing without shrinking or cutting corners
     test_mesh_image synthetic   disc, ellipse, rounded pentagon (blur, noise, texture, vignette):
                                 area within 0.5 %, perimeter within 1 %, centroid within 0.5 px
     test_mesh_image real        the NMC811 crops: area changes < 1 % for sigma 1 to 2 px; preview
     test_mesh_image select      two particles (largest / --seed), a particle with a dark crack
     test_mesh_image dmplex      the mesh in DMPlex: area, perimeter, centroid = the report (2-D and
                                 extruded 3-D); run it under mpirun -n 2 too
     test_mesh_image errors      bad files and options, with their messages
     test_mesh_image xml         <mesh><image> of an input file through spot run's MeshImageWrite
     test_mesh_image guard       images without a particle (noise at several levels and spreads,
                                 ramps, flat images) refused and their edge contrast below 1.6;
                                 the real images of data/images and the synthetic micrographs
                                 above 2.5; cell estimates against the cells Gmsh makes (shapes,
                                 images, extruded); the limits' options
     test_mesh_image gmsh_guard  a C++ exception thrown inside Gmsh's OpenMP loop (a disc of
                                 radius 1e30 um) becomes an error and spot goes on; run it under
                                 ulimit -v (Gmsh grows its arrays until memory runs out)
     test_mesh_image stackfull DIR   a TIFF stack written into DIR (a small full disk) fails with
                                 one line and leaves no file
     test_mesh_image image KIND PATH [ARGS]   a tool for the CLI tests: writes a test image (see
                                 ToolImage: noise, ramp, flat, dark, huge, particle)
   Files go to $TMPROOT (or /tmp). */
#include "testing.h"
#include "mesh/meshimpl.h"
#include <png.h>
#include <tiffio.h>
#include <math.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

static char tmpdir[PETSC_MAX_PATH_LEN];

/* ---------------------------------------------------------------- small helpers --------- */
static PetscErrorCode TmpPath(const char name[], char path[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, PETSC_MAX_PATH_LEN, "%s/%s", tmpdir, name));
  PetscFunctionReturn(0);
}

/* Start from a clean set of image options, then set name/value pairs (NULL-terminated) */
static PetscErrorCode SetImageOptions(const char *const kv[])
{
  static const char *const names[] = {"-mesh_image_file", "-mesh_image_pixel_size", "-mesh_image_invert", "-mesh_image_sigma", "-mesh_image_threshold", "-mesh_image_open_radius", "-mesh_image_close_radius", "-mesh_image_smoothing", "-mesh_image_seed", "-mesh_image_page", "-mesh_image_extrude", "-mesh_cell_size", "-mesh_boundary_cell_size", "-mesh_boundary_layer", "-mesh_max_cells", "-mesh_image_max_pixels", "-mesh_shape_type", "-mesh_shape_radius", "-mesh_shape_semi_axes", "-mesh_shape_thickness", NULL};

  PetscFunctionBeginUser;
  for (int i = 0; names[i]; ++i)
    PetscCall(PetscOptionsClearValue(NULL, names[i]));
  for (int i = 0; kv[i]; i += 2)
    PetscCall(PetscOptionsSetValue(NULL, kv[i], kv[i + 1]));
  PetscFunctionReturn(0);
}

/* Deterministic standard normal numbers (LCG + Box-Muller) */
static unsigned long long rng_state = 12345;
static double             Uniform(void)
{
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((rng_state >> 11) + 0.5) / 9007199254740992.0;
}
static double Normal(void)
{
  return sqrt(-2 * log(Uniform())) * cos(2 * PETSC_PI * Uniform());
}

/* ---------------------------------------------------------------- image writers --------- */
static PetscErrorCode WritePGM(const char path[], PetscInt rows, PetscInt cols, const double v[], int maxval, PetscBool ascii)
{
  FILE *fp = fopen(path, "wb");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(fp, "P%c\n# made by test_mesh_image\n%d %d\n%d\n", ascii ? '2' : '5', (int)cols, (int)rows, maxval);
  for (PetscInt i = 0; i < rows * cols; ++i) {
    const long s = lround(PetscMin(1, PetscMax(0, v[i])) * maxval);
    if (ascii)
      fprintf(fp, "%ld%c", s, (i + 1) % cols ? ' ' : '\n');
    else if (maxval > 255) {
      fputc((int)(s >> 8), fp);
      fputc((int)(s & 255), fp);
    } else
      fputc((int)s, fp);
  }
  fclose(fp);
  PetscFunctionReturn(0);
}

/* PNG of any libpng colour type (grey, grey+alpha, RGB, RGBA) and depth 8 or 16, from samples in [0, 1] */
static PetscErrorCode WritePNGRaw(const char path[], PetscInt rows, PetscInt cols, int color, int depth, const double samples[])
{
  FILE       *fp  = fopen(path, "wb");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop   info;
  const int   ch = color == PNG_COLOR_TYPE_GRAY ? 1 : (color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : (color == PNG_COLOR_TYPE_RGB ? 3 : 4));
  png_bytep   row;

  PetscFunctionBeginUser;
  PetscCheck(fp && png, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  info = png_create_info_struct(png);
  png_init_io(png, fp);
  png_set_IHDR(png, info, (png_uint_32)cols, (png_uint_32)rows, depth, color, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  PetscCall(PetscMalloc1((size_t)cols * ch * 2, &row));
  for (PetscInt r = 0; r < rows; ++r) {
    for (PetscInt i = 0; i < cols * ch; ++i) {
      const double s = PetscMin(1, PetscMax(0, samples[r * cols * ch + i]));
      if (depth == 16) {
        const unsigned v = (unsigned)lround(s * 65535);
        row[2 * i]       = (png_byte)(v >> 8);
        row[2 * i + 1]   = (png_byte)(v & 255);
      } else
        row[i] = (png_byte)lround(s * 255);
    }
    png_write_row(png, row);
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  fclose(fp);
  PetscCall(PetscFree(row));
  PetscFunctionReturn(0);
}

/* TIFF pages (each rows x cols x spp samples in [0, 1]) with a photometric interpretation; tiled or stripped */
static PetscErrorCode WriteTIFF(const char path[], PetscInt rows, PetscInt cols, int spp, int bits, int photometric, PetscBool tiled, int npages, const double *pages[])
{
  TIFF          *tif = TIFFOpen(path, "w");
  unsigned char *buf;

  PetscFunctionBeginUser;
  PetscCheck(tif, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  PetscCall(PetscMalloc1((size_t)rows * cols * spp * 2 + 16 * 16 * spp * 2, &buf));
  for (int pg = 0; pg < npages; ++pg) {
    const double *v = pages[pg];
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)cols);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)rows);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bits);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)spp);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, (uint16_t)photometric);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, tiled ? COMPRESSION_ADOBE_DEFLATE : COMPRESSION_NONE);
    if (npages > 1) {
      TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
      TIFFSetField(tif, TIFFTAG_PAGENUMBER, (uint16_t)pg, (uint16_t)npages);
    }
    if (tiled) {
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, 16);
      TIFFSetField(tif, TIFFTAG_TILELENGTH, 16);
      for (PetscInt y = 0; y < rows; y += 16)
        for (PetscInt x = 0; x < cols; x += 16) {
          for (PetscInt ty = 0; ty < 16; ++ty)
            for (PetscInt tx = 0; tx < 16; ++tx)
              for (int k = 0; k < spp; ++k) {
                const PetscInt r = PetscMin(rows - 1, y + ty), c = PetscMin(cols - 1, x + tx);
                const double   s  = v[(r * cols + c) * spp + k];
                const size_t   at = ((size_t)ty * 16 + tx) * spp + k;
                if (bits == 16)
                  ((uint16_t *)buf)[at] = (uint16_t)lround(s * 65535);
                else
                  buf[at] = (unsigned char)lround(s * 255);
              }
          TIFFWriteTile(tif, buf, (uint32_t)x, (uint32_t)y, 0, 0);
        }
    } else {
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 8);
      for (PetscInt r = 0; r < rows; ++r) {
        for (PetscInt i = 0; i < cols * spp; ++i) {
          const double s = v[r * cols * spp + i];
          if (bits == 16)
            ((uint16_t *)buf)[i] = (uint16_t)lround(s * 65535);
          else
            buf[i] = (unsigned char)lround(s * 255);
        }
        TIFFWriteScanline(tif, buf, (uint32_t)r, 0);
      }
    }
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

static PetscErrorCode TruncateFile(const char path[], double fraction)
{
  FILE *fp = fopen(path, "rb");
  long  n;

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open %s", path);
  fseek(fp, 0, SEEK_END);
  n = ftell(fp);
  fclose(fp);
  PetscCheck(!truncate(path, (off_t)(n * fraction)), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot truncate %s", path);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- readers --------------- */
static PetscErrorCode CheckRead(const char path[], PetscInt page, PetscInt rows, PetscInt cols, const double expect[], double tol, const char what[])
{
  MeshRaster img;
  double     worst = 0;

  PetscFunctionBeginUser;
  PetscCall(MeshRasterRead(path, page, &img));
  CHECK(img.rows == rows && img.cols == cols, "%s: size %" PetscInt_FMT " x %" PetscInt_FMT ", expected %" PetscInt_FMT " x %" PetscInt_FMT, what, img.rows, img.cols, rows, cols);
  if (img.rows == rows && img.cols == cols)
    for (PetscInt i = 0; i < rows * cols; ++i)
      worst = PetscMax(worst, PetscAbsReal(img.grey[i] - expect[i]));
  CHECK(worst <= tol, "%s: grey values differ by up to %g (tolerance %g)", what, worst, tol);
  PetscCall(MeshRasterDestroy(&img));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestReaders(void)
{
  const PetscInt rows = 37, cols = 53; /* odd sizes: strides and tiles that do not fit */
  double        *grey, *rgb, *rgba, *ga, *luma, *inv, *q8, *q16, *luma8;
  char           path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc5(rows * cols, &grey, 3 * rows * cols, &rgb, 4 * rows * cols, &rgba, 2 * rows * cols, &ga, rows * cols, &luma));
  PetscCall(PetscMalloc4(rows * cols, &inv, rows * cols, &q8, rows * cols, &q16, rows * cols, &luma8));
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) { /* distinct values along rows and columns catch transposes */
      const PetscInt i = r * cols + c;
      grey[i]          = (r * 7 + c * 3) % 256 / 255.0 * 0.9 + 0.05 * c / cols;
      q8[i]            = lround(grey[i] * 255) / 255.0;
      q16[i]           = lround(grey[i] * 65535) / 65535.0;
      inv[i]           = 1 - q16[i];
      rgb[3 * i]       = (double)r / rows;
      rgb[3 * i + 1]   = (double)c / cols;
      rgb[3 * i + 2]   = (double)((r + c) % 5) / 4;
      luma[i]          = 0.299 * lround(rgb[3 * i] * 65535) / 65535 + 0.587 * lround(rgb[3 * i + 1] * 65535) / 65535 + 0.114 * lround(rgb[3 * i + 2] * 65535) / 65535;
      luma8[i]         = 0.299 * lround(rgb[3 * i] * 255) / 255 + 0.587 * lround(rgb[3 * i + 1] * 255) / 255 + 0.114 * lround(rgb[3 * i + 2] * 255) / 255;
      for (int k = 0; k < 3; ++k)
        rgba[4 * i + k] = rgb[3 * i + k];
      rgba[4 * i + 3] = 0.5;
      ga[2 * i]       = grey[i];
      ga[2 * i + 1]   = 0.25;
    }
  PetscCall(TmpPath("read_grey8.png", path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_GRAY, 8, grey));
  PetscCall(CheckRead(path, 0, rows, cols, q8, 1e-12, "PNG 8-bit grey"));
  PetscCall(TmpPath("read_grey16.png", path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_GRAY, 16, grey));
  PetscCall(CheckRead(path, 0, rows, cols, q16, 1e-12, "PNG 16-bit grey"));
  PetscCall(TmpPath("read_grey_alpha.png", path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_GRAY_ALPHA, 8, ga));
  PetscCall(CheckRead(path, 0, rows, cols, q8, 1e-12, "PNG grey + alpha"));
  PetscCall(TmpPath("read_rgb16.png", path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_RGB, 16, rgb));
  PetscCall(CheckRead(path, 0, rows, cols, luma, 1e-12, "PNG 16-bit RGB luma"));
  PetscCall(TmpPath("read_rgba8.png", path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba));
  PetscCall(CheckRead(path, 0, rows, cols, luma8, 1e-12, "PNG 8-bit RGBA luma"));

  PetscCall(TmpPath("read_grey8.tif", path));
  {
    const double *pages[1] = {grey};
    PetscCall(WriteTIFF(path, rows, cols, 1, 8, PHOTOMETRIC_MINISBLACK, PETSC_FALSE, 1, pages));
    PetscCall(CheckRead(path, 0, rows, cols, q8, 1e-12, "TIFF 8-bit BlackIsZero"));
    PetscCall(TmpPath("read_white16.tif", path));
    PetscCall(WriteTIFF(path, rows, cols, 1, 16, PHOTOMETRIC_MINISWHITE, PETSC_FALSE, 1, pages));
    PetscCall(CheckRead(path, 0, rows, cols, inv, 1e-12, "TIFF 16-bit WhiteIsZero (inverted on reading)"));
    PetscCall(TmpPath("read_tiled16.tif", path));
    PetscCall(WriteTIFF(path, rows, cols, 1, 16, PHOTOMETRIC_MINISBLACK, PETSC_TRUE, 1, pages));
    PetscCall(CheckRead(path, 0, rows, cols, q16, 1e-12, "TIFF 16-bit tiled, deflate"));
  }
  {
    const double *pages[1] = {rgb};
    PetscCall(TmpPath("read_rgb16.tif", path));
    PetscCall(WriteTIFF(path, rows, cols, 3, 16, PHOTOMETRIC_RGB, PETSC_FALSE, 1, pages));
    PetscCall(CheckRead(path, 0, rows, cols, luma, 1e-12, "TIFF 16-bit RGB luma"));
  }
  {
    const double *pages[3] = {grey, inv, q8};
    MeshRaster    img;
    PetscCall(TmpPath("read_pages.tif", path));
    PetscCall(WriteTIFF(path, rows, cols, 1, 16, PHOTOMETRIC_MINISBLACK, PETSC_FALSE, 3, pages));
    PetscCall(CheckRead(path, 0, rows, cols, q16, 1e-12, "TIFF page 0 of 3"));
    PetscCall(CheckRead(path, 1, rows, cols, inv, 1e-12, "TIFF page 1 of 3"));
    PetscCall(CheckRead(path, 2, rows, cols, q8, 1e-12, "TIFF page 2 of 3"));
    PetscCall(MeshRasterRead(path, 2, &img));
    CHECK(img.pages == 3 && img.bits == 16, "TIFF pages %" PetscInt_FMT " (expected 3), bits %" PetscInt_FMT " (expected 16)", img.pages, img.bits);
    PetscCall(MeshRasterDestroy(&img));
  }
  PetscCall(TmpPath("read_p5_8.pgm", path));
  PetscCall(WritePGM(path, rows, cols, grey, 255, PETSC_FALSE));
  PetscCall(CheckRead(path, 0, rows, cols, q8, 1e-12, "PGM P5 8-bit"));
  PetscCall(TmpPath("read_p5_16.pgm", path));
  PetscCall(WritePGM(path, rows, cols, grey, 65535, PETSC_FALSE));
  PetscCall(CheckRead(path, 0, rows, cols, q16, 1e-12, "PGM P5 16-bit"));
  PetscCall(TmpPath("read_p2.pgm", path));
  PetscCall(WritePGM(path, rows, cols, grey, 65535, PETSC_TRUE));
  PetscCall(CheckRead(path, 0, rows, cols, q16, 1e-12, "PGM P2 (ASCII)"));
  { /* the real slice: an ImageJ big-endian TIFF */
    MeshRaster img;
    double     mean = 0;
    PetscCall(MeshRasterRead("data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif", 0, &img));
    CHECK(img.rows == 655 && img.cols == 2048 && img.bits == 8, "the NMC811 slice reads as %" PetscInt_FMT " x %" PetscInt_FMT " (%" PetscInt_FMT "-bit), expected 655 x 2048 8-bit", img.rows, img.cols, img.bits);
    for (PetscInt i = 0; i < img.rows * img.cols; ++i)
      mean += img.grey[i];
    mean /= img.rows * img.cols;
    CHECK(mean > 0.1 && mean < 0.9, "the NMC811 slice has mean grey %g", mean);
    /* the crops are plain crops of the slice: crop A is rows 354-546, cols 1530-1696 */
    {
      MeshRaster crop;
      double     worst = 0;
      PetscCall(MeshRasterRead("data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png", 0, &crop));
      CHECK(crop.rows == 192 && crop.cols == 166, "crop A is %" PetscInt_FMT " x %" PetscInt_FMT, crop.rows, crop.cols);
      for (PetscInt r = 0; r < crop.rows; ++r)
        for (PetscInt c = 0; c < crop.cols; ++c)
          worst = PetscMax(worst, PetscAbsReal(crop.grey[r * crop.cols + c] - img.grey[(354 + r) * img.cols + 1530 + c]));
      CHECK(worst < 1e-12, "crop A differs from the slice at rows 354-546, cols 1530-1696 by %g: rows and columns mixed up?", worst);
      PetscCall(MeshRasterDestroy(&crop));
    }
    PetscCall(MeshRasterDestroy(&img));
  }
  PetscCall(PetscFree5(grey, rgb, rgba, ga, luma));
  PetscCall(PetscFree4(inv, q8, q16, luma8));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- synthetic particles --- */
typedef enum {
  SHAPE_DISC,
  SHAPE_ELLIPSE,
  SHAPE_PENTAGON,
  SHAPE_BAR
} Shape;

typedef struct {
  Shape  shape;
  double cx, cy;      /* centre, pixels (x along columns, y along rows) */
  double a, b, angle; /* disc: radius a; ellipse: semi-axes a, b turned by angle; pentagon: circumradius a,
                         corner radius b, turned by angle; bar: from the centre to (a, b), half-width angle */
} Particle;

/* Signed distance (pixels, negative inside) to the particle; exact for disc and pentagon, a
   first-order estimate for the ellipse (used only to decide where to supersample) */
static double SignedDistance(const Particle *p, double x, double y)
{
  const double dx = x - p->cx, dy = y - p->cy, ca = cos(p->angle), sa = sin(p->angle);
  const double u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
  switch (p->shape) {
  case SHAPE_DISC:
    return sqrt(dx * dx + dy * dy) - p->a;
  case SHAPE_BAR: {
    const double ex = p->a - p->cx, ey = p->b - p->cy, t = PetscMin(1, PetscMax(0, (dx * ex + dy * ey) / (ex * ex + ey * ey)));
    return hypot(dx - t * ex, dy - t * ey) - p->angle;
  }
  case SHAPE_ELLIPSE: {
    const double f = sqrt(u * u / (p->a * p->a) + v * v / (p->b * p->b)) - 1;
    const double g = sqrt(u * u / pow(p->a, 4) + v * v / pow(p->b, 4)) + 1e-300;
    return f * (f + 1) / g;
  }
  default: { /* distance to the pentagon of circumradius a, minus the corner radius b */
    double inside = 1, best = 1e300;
    for (int k = 0; k < 5; ++k) {
      const double t0 = 2 * PETSC_PI * k / 5, t1 = 2 * PETSC_PI * (k + 1) / 5;
      const double x0 = p->a * cos(t0), y0 = p->a * sin(t0), x1 = p->a * cos(t1), y1 = p->a * sin(t1);
      const double ex = x1 - x0, ey = y1 - y0, l2 = ex * ex + ey * ey;
      double       t = ((u - x0) * ex + (v - y0) * ey) / l2;
      t              = t < 0 ? 0 : (t > 1 ? 1 : t);
      best           = fmin(best, hypot(u - x0 - t * ex, v - y0 - t * ey));
      if (ex * (v - y0) - ey * (u - x0) < 0) inside = 0;
    }
    return (inside ? -best : best) - p->b;
  }
  }
}

static PetscBool Inside(const Particle *p, double x, double y)
{
  if (p->shape == SHAPE_ELLIPSE) {
    const double dx = x - p->cx, dy = y - p->cy, ca = cos(p->angle), sa = sin(p->angle);
    const double u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
    return u * u / (p->a * p->a) + v * v / (p->b * p->b) <= 1 ? PETSC_TRUE : PETSC_FALSE;
  }
  return SignedDistance(p, x, y) <= 0 ? PETSC_TRUE : PETSC_FALSE;
}

static void Exact(const Particle *p, double *area, double *perimeter)
{
  switch (p->shape) {
  case SHAPE_DISC:
    *area      = PETSC_PI * p->a * p->a;
    *perimeter = 2 * PETSC_PI * p->a;
    break;
  case SHAPE_ELLIPSE: { /* the periodic trapezoid rule converges exponentially */
    const int n = 4096;
    double    l = 0;
    for (int i = 0; i < n; ++i) {
      const double t = 2 * PETSC_PI * i / n;
      l += sqrt(pow(p->a * sin(t), 2) + pow(p->b * cos(t), 2));
    }
    *area      = PETSC_PI * p->a * p->b;
    *perimeter = l * 2 * PETSC_PI / n;
  } break;
  default: { /* Minkowski sum of a regular pentagon and a disc: A0 + P0 r + pi r^2, P0 + 2 pi r */
    const double side = 2 * p->a * sin(PETSC_PI / 5), A0 = 2.5 * p->a * p->a * sin(2 * PETSC_PI / 5), P0 = 5 * side;
    *area      = A0 + P0 * p->b + PETSC_PI * p->b * p->b;
    *perimeter = P0 + 2 * PETSC_PI * p->b;
  }
  }
}

/* Fraction of pixel (r, c) inside the particles (8 x 8 samples near edges); 0 or 1 elsewhere */
static double Coverage(const Particle *parts, int nparts, PetscInt r, PetscInt c)
{
  double cov = 0;
  for (int k = 0; k < nparts; ++k) {
    const double d = SignedDistance(&parts[k], c + 0.5, r + 0.5);
    double       f = 0;
    if (d < -1.5)
      f = 1;
    else if (d <= 1.5) {
      for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 8; ++j)
          f += Inside(&parts[k], c + (j + 0.5) / 8, r + (i + 0.5) / 8);
      f /= 64;
    }
    cov = PetscMax(cov, f);
  }
  return cov;
}

/* Separable Gaussian blur with edges replicated: the optics of the synthetic microscope */
static PetscErrorCode Blur(PetscInt rows, PetscInt cols, double v[], double sigma)
{
  const int K = (int)ceil(3 * sigma);
  double   *w, *tmp;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(2 * K + 1, &w, rows * cols, &tmp));
  {
    double s = 0;
    for (int k = -K; k <= K; ++k)
      s += (w[k + K] = exp(-0.5 * k * k / (sigma * sigma)));
    for (int k = 0; k <= 2 * K; ++k)
      w[k] /= s;
  }
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      double s = 0;
      for (int k = -K; k <= K; ++k)
        s += w[k + K] * v[r * cols + PetscMin(cols - 1, PetscMax(0, c + k))];
      tmp[r * cols + c] = s;
    }
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      double s = 0;
      for (int k = -K; k <= K; ++k)
        s += w[k + K] * tmp[PetscMin(rows - 1, PetscMax(0, r + k)) * cols + c];
      v[r * cols + c] = s;
    }
  PetscCall(PetscFree2(w, tmp));
  PetscFunctionReturn(0);
}

/* A micrograph: bright textured particles on a darker textured background, blurred by the optics
   (Gaussian, 1.5 px), darkened towards the corners (vignette, -12 %) and noisy (noise: standard
   deviation). crack: a dark curved crack, 5 px wide, inside the first particle. Returns grey
   values (not yet quantised; writers clamp them to [0, 1]). */
static PetscErrorCode Micrograph(PetscInt rows, PetscInt cols, const Particle *parts, int nparts, PetscBool crack, double noise, double **image)
{
  double *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(rows * cols, &v));
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      const double x = c + 0.5, y = r + 0.5;
      const double bg  = 0.22 + 0.05 * sin(2 * PETSC_PI * x / 23 + 1.3) * sin(2 * PETSC_PI * y / 31) + 0.03 * cos(2 * PETSC_PI * (x + 2 * y) / 57);
      const double fg  = 0.74 + 0.04 * sin(2 * PETSC_PI * x / 17) * cos(2 * PETSC_PI * y / 13);
      double       cov = Coverage(parts, nparts, r, c);
      if (crack) { /* a dark curved crack well inside the first particle */
        const double u = (x - parts[0].cx) / parts[0].a, w = y - parts[0].cy - 0.15 * parts[0].a * sin(3 * u);
        if (fabs(u) < 0.5 && fabs(w) < 2.5) cov = 0;
      }
      v[r * cols + c] = bg + (fg - bg) * cov;
    }
  PetscCall(Blur(rows, cols, v, 1.5));
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt c = 0; c < cols; ++c) {
      const double dx = (c + 0.5 - cols / 2.0) / (cols / 2.0), dy = (r + 0.5 - rows / 2.0) / (rows / 2.0);
      v[r * cols + c] = v[r * cols + c] * (1 - 0.12 * (dx * dx + dy * dy)) + noise * Normal();
    }
  *image = v;
  PetscFunctionReturn(0);
}

typedef struct {
  const char *name, *format;
  PetscInt    rows, cols;
  Particle    particle;
} SyntheticCase;

static PetscErrorCode TestSynthetic(void)
{
  const double        pixel   = 0.012; /* µm */
  const SyntheticCase cases[] = {
      {"disc", "png8", 380, 420, {SHAPE_DISC, 213.37, 187.81, 120.4, 0, 0}},
      {"ellipse", "tif16", 360, 460, {SHAPE_ELLIPSE, 230.6, 175.2, 150.0, 95.0, 0.5236}},
      {"pentagon", "pgm16", 420, 400, {SHAPE_PENTAGON, 200.3, 210.9, 118.0, 14.0, 0.1745}},
      {"disc_rgb", "png16rgb", 300, 320, {SHAPE_DISC, 150.8, 160.1, 95.3, 0, 0}},
  };

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
    const SyntheticCase *sc = &cases[k];
    double              *v, area, perimeter;
    char                 path[PETSC_MAX_PATH_LEN], msh[PETSC_MAX_PATH_LEN], name[64];
    MeshImageReport      rep;
    PetscCall(Micrograph(sc->rows, sc->cols, &sc->particle, 1, PETSC_FALSE, 0.03, &v));
    PetscCall(PetscSNPrintf(name, sizeof(name), "synthetic_%s.%s", sc->name, sc->format[1] == 'n' ? "png" : (sc->format[0] == 't' ? "tif" : "pgm")));
    PetscCall(TmpPath(name, path));
    if (!strcmp(sc->format, "png8"))
      PetscCall(WritePNGRaw(path, sc->rows, sc->cols, PNG_COLOR_TYPE_GRAY, 8, v));
    else if (!strcmp(sc->format, "tif16")) {
      const double *pages[1] = {v};
      PetscCall(WriteTIFF(path, sc->rows, sc->cols, 1, 16, PHOTOMETRIC_MINISBLACK, PETSC_FALSE, 1, pages));
    } else if (!strcmp(sc->format, "pgm16"))
      PetscCall(WritePGM(path, sc->rows, sc->cols, v, 65535, PETSC_FALSE));
    else { /* colour: a reddish particle on a bluish background, same luma */
      double *rgb;
      PetscCall(PetscMalloc1(3 * sc->rows * sc->cols, &rgb));
      for (PetscInt i = 0; i < sc->rows * sc->cols; ++i) {
        rgb[3 * i]     = PetscMin(1, v[i] * 1.1);
        rgb[3 * i + 1] = v[i];
        rgb[3 * i + 2] = PetscMax(0, (v[i] - 0.299 * rgb[3 * i] - 0.587 * v[i]) / 0.114);
      }
      PetscCall(WritePNGRaw(path, sc->rows, sc->cols, PNG_COLOR_TYPE_RGB, 16, rgb));
      PetscCall(PetscFree(rgb));
    }
    PetscCall(PetscFree(v));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "12nm", "-mesh_image_sigma", "1.5", NULL};
      PetscCall(SetImageOptions(kv));
    }
    PetscCall(PetscSNPrintf(name, sizeof(name), "synthetic_%s.msh", sc->name));
    PetscCall(TmpPath(name, msh));
    PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
    Exact(&sc->particle, &area, &perimeter);
    area *= pixel * pixel;
    perimeter *= pixel;
    {
      const double ea = rep.area / area - 1, ep = rep.perimeter / perimeter - 1;
      const double ec = hypot(rep.centroid[0] - sc->particle.cx * pixel, rep.centroid[1] - sc->particle.cy * pixel) / pixel;
      CHECK(PetscAbsReal(ea) <= 0.005, "%s: area %.6g um^2, exact %.6g (error %.3f %%, limit 0.5 %%)", sc->name, rep.area, area, 100 * ea);
      CHECK(PetscAbsReal(ep) <= 0.01, "%s: perimeter %.6g um, exact %.6g (error %.3f %%, limit 1 %%)", sc->name, rep.perimeter, perimeter, 100 * ep);
      /* the issue asks for half a pixel; a quarter also catches a frame shifted by half a pixel */
      CHECK(ec <= 0.25, "%s: centroid (%.5g, %.5g) um is %.3f px from the exact (%.5g, %.5g) um (limit 0.25 px)", sc->name, rep.centroid[0], rep.centroid[1], ec, sc->particle.cx * pixel, sc->particle.cy * pixel);
      CHECK(rep.min_angle > 20, "%s: smallest angle %.1f deg", sc->name, rep.min_angle);
      CHECK(rep.border_pixels == 0 && rep.holes_filled == 0, "%s: %" PetscInt_FMT " border pixels, %" PetscInt_FMT " hole pixels", sc->name, rep.border_pixels, rep.holes_filled);
      CHECK(PetscAbsReal(rep.equivalent_diameter - PetscSqrtReal(4 * rep.area / PETSC_PI)) < 1e-12, "%s: equivalent diameter", sc->name);
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-9s area %+.3f %%, perimeter %+.3f %%, centroid %.3f px, %" PetscInt_FMT " triangles, smallest angle %.1f deg, threshold %.3f\n", sc->name, 100 * ea, 100 * ep, ec, rep.num_cells, rep.min_angle, rep.threshold));
    }
  }
  PetscFunctionReturn(0);
}

/* Write a micrograph as an 8-bit PNG */
static PetscErrorCode MakeImage(const char name[], PetscInt rows, PetscInt cols, const Particle *parts, int nparts, PetscBool crack, PetscBool invert, char path[])
{
  double *v;

  PetscFunctionBeginUser;
  PetscCall(Micrograph(rows, cols, parts, nparts, crack, 0.03, &v));
  if (invert)
    for (PetscInt i = 0; i < rows * cols; ++i)
      v[i] = 1 - v[i];
  PetscCall(TmpPath(name, path));
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_GRAY, 8, v));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckParticle(const MeshImageReport *rep, const Particle *part, double area_tol, const char what[])
{
  const double pixel = 0.012;
  double       area, perimeter, ea, ec;

  PetscFunctionBeginUser;
  Exact(part, &area, &perimeter);
  area *= pixel * pixel;
  ea = rep->area / area - 1;
  ec = hypot(rep->centroid[0] - part->cx * pixel, rep->centroid[1] - part->cy * pixel) / pixel;
  CHECK(PetscAbsReal(ea) <= area_tol, "%s: area %.6g um^2, expected %.6g (error %.3f %%, limit %.2g %%)", what, rep->area, area, 100 * ea, 100 * area_tol);
  CHECK(ec <= 0.5, "%s: centroid (%.5g, %.5g) um is %.2f px from the expected (%.5g, %.5g) um", what, rep->centroid[0], rep->centroid[1], ec, part->cx * pixel, part->cy * pixel);
  PetscFunctionReturn(0);
}

/* Which particle: largest, by seed (also from a dark hole), a crack filled, a bridge opened, an
   inverted image, a particle cut by the border */
static PetscErrorCode TestSelect(void)
{
  const Particle two[2] = {
      {SHAPE_DISC, 120.3, 130.6, 70.2, 0, 0},
      {SHAPE_ELLIPSE, 300.4, 200.8, 46.0, 33.0, 0.4}};
  MeshImageReport rep;
  char            path[PETSC_MAX_PATH_LEN], msh[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(TmpPath("select.msh", msh));
  PetscCall(MakeImage("two_particles.png", 300, 420, two, 2, PETSC_FALSE, PETSC_FALSE, path));
  {
    const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
    PetscCall(SetImageOptions(kv));
    PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
    PetscCall(CheckParticle(&rep, &two[0], 0.005, "two particles, default: the larger disc"));
    CHECK(rep.num_regions == 2, "two particles: %" PetscInt_FMT " regions found", rep.num_regions);
  }
  {
    const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_seed", "200,300", NULL};
    PetscCall(SetImageOptions(kv));
    PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
    PetscCall(CheckParticle(&rep, &two[1], 0.005, "two particles, seed row 200, col 300: the smaller ellipse"));
  }
  { /* a particle with an internal dark crack: no hole; a seed in the crack selects it */
    const Particle cracked[2] = {
        {SHAPE_DISC, 170.2, 160.7, 105.3, 0, 0},
        {SHAPE_DISC, 330.0, 60.0, 20.0, 0, 0}};
    PetscCall(MakeImage("crack.png", 320, 380, cracked, 2, PETSC_TRUE, PETSC_FALSE, path));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
      PetscCall(CheckParticle(&rep, &cracked[0], 0.005, "cracked disc"));
      CHECK(rep.holes_filled > 100, "cracked disc: only %" PetscInt_FMT " hole pixels filled; the crack should be a hole of about 250", rep.holes_filled);
    }
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_seed", "160,170", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
      PetscCall(CheckParticle(&rep, &cracked[0], 0.005, "cracked disc, seed in the crack"));
    }
    { /* the mesh has no hole: its boundary is one curve as long as the disc's perimeter */
      MeshInfo info;
      DM       dm;
      PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
      PetscCall(MeshGetInfo(dm, &info));
      CHECK_CLOSE(info.boundary, 2 * PETSC_PI * 105.3 * 0.012, 0.01, "cracked disc: the whole boundary of the mesh is the outer circle");
      PetscCall(DMDestroy(&dm));
    }
  }
  { /* two discs joined by a thin bridge: one region, unless opened */
    const Particle bridged[3] = {
        {SHAPE_DISC, 110.0, 120.0, 70.0, 0, 0},
        {SHAPE_DISC, 290.0, 130.0, 60.0, 0, 0},
        {SHAPE_BAR, 175.0, 121.0, 235.0, 128.0, 1.5}};
    PetscCall(MakeImage("bridge.png", 250, 380, bridged, 3, PETSC_FALSE, PETSC_FALSE, path));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep));
      CHECK(rep.area > 1.5 * PETSC_PI * 70 * 70 * 0.012 * 0.012, "bridged discs without opening: area %g um^2 should hold both discs", rep.area);
    }
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_open_radius", "3", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep));
      PetscCall(CheckParticle(&rep, &bridged[0], 0.01, "bridged discs opened with radius 3"));
    }
  }
  { /* dark particle on a bright background */
    const Particle one = {SHAPE_ELLIPSE, 160.5, 140.2, 110.0, 80.0, -0.3};
    PetscCall(MakeImage("dark.png", 290, 330, &one, 1, PETSC_FALSE, PETSC_TRUE, path));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_invert", "true", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep));
      PetscCall(CheckParticle(&rep, &one, 0.005, "dark ellipse with -mesh_image_invert"));
      CHECK(rep.threshold > 0.45 && rep.threshold < 0.6, "dark ellipse: threshold %g should be the displayed grey between particle (~0.3) and background (~0.8)", rep.threshold);
    }
    { /* the same threshold given by value: the same outline */
      MeshImageReport again;
      char            value[32];
      PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", rep.threshold));
      {
        const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_invert", "1", "-mesh_image_threshold", value, NULL};
        PetscCall(SetImageOptions(kv));
        PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &again));
      }
      CHECK_CLOSE(again.area, rep.area, 1e-9, "dark ellipse: Otsu's threshold given as a value");
    }
  }
  { /* a particle cut by the image border is meshed, with a warning */
    const Particle cut = {SHAPE_DISC, 40.0, 100.0, 80.0, 0, 0};
    PetscCall(MakeImage("border.png", 200, 200, &cut, 1, PETSC_FALSE, PETSC_FALSE, path));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
      CHECK(rep.border_pixels > 100, "disc cut by the border: %" PetscInt_FMT " border pixels", rep.border_pixels);
      { /* the outline follows the image edge x = 0: the area is that of the disc segment x >= 0 */
        const double R = 80, d = 40, seg = R * R * acos(d / R) - d * sqrt(R * R - d * d), area = (PETSC_PI * R * R - seg) * 0.012 * 0.012;
        CHECK_CLOSE(rep.area, area, 0.005, "disc cut by the border x = 0");
      }
    }
  }
  PetscFunctionReturn(0);
}

/* The two NMC811 crops: outline stable for sigma in [1, 2] px; the preview is made; crop A
   agrees with the same particle meshed from the full slice with a seed (image frame check) */
static PetscErrorCode TestReal(void)
{
  const char *const crops[2]   = {"data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png", "data/images/nmc811_single_particle_cropB_rows446-602_cols561-717.png"};
  const PetscInt    size[2][2] = {{192, 166}, {156, 156}};
  const char *const sigmas[5]  = {"1", "1.25", "1.5", "1.75", "2"};
  MeshImageReport   rep, first = {0};

  PetscFunctionBeginUser;
  for (int k = 0; k < 2; ++k) {
    double lo = PETSC_MAX_REAL, hi = 0;
    for (int s = 0; s < 5; ++s) {
      const char *kv[] = {"-mesh_image_file", crops[k], "-mesh_image_pixel_size", "0.012", "-mesh_image_sigma", sigmas[s], NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep));
      lo = PetscMin(lo, rep.area);
      hi = PetscMax(hi, rep.area);
      CHECK(rep.border_pixels == 0, "crop %c, sigma %s: the particle touches the border", 'A' + k, sigmas[s]);
    }
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "crop %c: area %.5g to %.5g um^2 for sigma 1 to 2 px (spread %.3f %%)\n", 'A' + k, lo, hi, 100 * (hi / lo - 1)));
    CHECK(hi / lo - 1 < 0.01, "crop %c: area varies by %.3f %% for sigma between 1 and 2 px (limit 1 %%)", 'A' + k, 100 * (hi / lo - 1));
    { /* default settings, with mesh and preview */
      char        msh[PETSC_MAX_PATH_LEN], preview[PETSC_MAX_PATH_LEN], name[64];
      MeshRaster  png;
      const char *kv[] = {"-mesh_image_file", crops[k], "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(name, sizeof(name), "crop%c.msh", 'A' + k));
      PetscCall(TmpPath(name, msh));
      PetscCall(PetscSNPrintf(name, sizeof(name), "crop%c_preview.png", 'A' + k));
      PetscCall(TmpPath(name, preview));
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, preview, &rep));
      PetscCall(MeshImageReportView(&rep, msh, preview, PETSC_VIEWER_STDOUT_WORLD));
      PetscCall(MeshRasterRead(preview, 0, &png));
      { /* enlarged k times, k so that the longer side is about 900 pixels */
        const PetscInt times = 900 / PetscMax(size[k][0], size[k][1]);
        CHECK(png.rows == times * size[k][0] && png.cols == times * size[k][1], "preview of crop %c is %" PetscInt_FMT " x %" PetscInt_FMT ", expected the image enlarged %" PetscInt_FMT " times", 'A' + k, png.rows, png.cols, times);
      }
      PetscCall(MeshRasterDestroy(&png));
      CHECK(rep.min_angle > 25 && rep.num_cells > 1000, "crop %c: %" PetscInt_FMT " triangles, smallest angle %.1f deg", 'A' + k, rep.num_cells, rep.min_angle);
      /* the particle sits in the middle of its crop, 1.1 to 1.5 um across at 12 nm per pixel */
      CHECK(rep.equivalent_diameter > 1.0 && rep.equivalent_diameter < 1.7, "crop %c: equivalent diameter %g um", 'A' + k, rep.equivalent_diameter);
      CHECK(PetscAbsReal(rep.centroid[0] / 0.012 - size[k][1] / 2.0) < 15 && PetscAbsReal(rep.centroid[1] / 0.012 - size[k][0] / 2.0) < 15, "crop %c: centroid at pixel (%g, %g), not near the middle", 'A' + k, rep.centroid[1] / 0.012, rep.centroid[0] / 0.012);
      if (k == 0) first = rep;
    }
  }
  { /* crop A is rows 354.., cols 1530.. of the slice: the same particle, shifted by exactly that */
    char value[32];
    PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", first.threshold));
    {
      const char *kv[] = {"-mesh_image_file", crops[0], "-mesh_image_pixel_size", "0.012", "-mesh_image_threshold", value, NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &first));
    }
    {
      const char *kv[] = {"-mesh_image_file", "data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif", "-mesh_image_pixel_size", "0.012", "-mesh_image_threshold", value, "-mesh_image_seed", "450,1616", NULL};
      PetscCall(SetImageOptions(kv));
      PetscCall(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep));
    }
    CHECK_CLOSE(rep.area, first.area, 1e-6, "crop A vs the same particle in the slice: area");
    CHECK(PetscAbsReal(rep.centroid[0] - first.centroid[0] - 1530 * 0.012) < 1e-6 && PetscAbsReal(rep.centroid[1] - first.centroid[1] - 354 * 0.012) < 1e-6, "crop A vs the slice: centroids (%g, %g) and (%g, %g) um are not 1530 columns and 354 rows apart", first.centroid[0], first.centroid[1], rep.centroid[0], rep.centroid[1]);
  }
  PetscFunctionReturn(0);
}

/* The mesh in DMPlex (any number of ranks): what spot run sees is what the report says */
static PetscErrorCode TestDMPlex(void)
{
  const Particle  one = {SHAPE_ELLIPSE, 150.2, 120.7, 100.0, 70.0, 0.7};
  MeshImageReport rep;
  MeshInfo        info;
  DM              dm;
  PetscMPIInt     rank, size;
  char            path[PETSC_MAX_PATH_LEN], msh[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  if (!rank) PetscCall(MakeImage("dmplex.png", 250, 300, &one, 1, PETSC_FALSE, PETSC_FALSE, path));
  PetscCall(TmpPath("dmplex.png", path));
  PetscCall(TmpPath("dmplex.msh", msh));
  {
    const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
    PetscCall(SetImageOptions(kv));
  }
  PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
  PetscCall(MeshGetInfo(dm, &info));
  CHECK(info.dim == 2, "2-D image mesh loads with dimension %" PetscInt_FMT, info.dim);
  CHECK_CLOSE(info.volume, rep.area, 1e-10, "DMPlex area vs the reported area");
  CHECK_CLOSE(info.surface, rep.perimeter, 1e-10, "DMPlex \"surface\" length vs the reported perimeter");
  /* MeshInfo.boundary counts partition-interface faces on more than one rank (load.c): serial only */
  if (size == 1) CHECK_CLOSE(info.boundary, rep.perimeter, 1e-10, "the whole DMPlex boundary is the \"surface\" group");
  CHECK(PetscAbsReal(info.centroid[0] - rep.centroid[0]) < 1e-9 && PetscAbsReal(info.centroid[1] - rep.centroid[1]) < 1e-9, "DMPlex centroid (%g, %g) vs reported (%g, %g)", info.centroid[0], info.centroid[1], rep.centroid[0], rep.centroid[1]);
  CHECK(info.num_cells == rep.num_cells, "DMPlex has %" PetscInt_FMT " cells, the report %" PetscInt_FMT, info.num_cells, rep.num_cells);
  CHECK(PetscAbsReal(info.min_angle - rep.min_angle) < 1e-6, "smallest angle %g (DMPlex) vs %g (report)", info.min_angle, rep.min_angle);
  CHECK(info.lower[0] > 0 && info.lower[1] > 0 && info.upper[0] < 300 * 0.012 && info.upper[1] < 250 * 0.012, "mesh outside the image frame: (%g, %g) to (%g, %g) um", info.lower[0], info.lower[1], info.upper[0], info.upper[1]);
  PetscCall(DMDestroy(&dm));

  { /* extruded platelet: tetrahedra, side walls "surface", faces "top" and "bottom" */
    const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_extrude", "300nm", "-mesh_cell_size", "0.08", NULL};
    PetscBool   top, bottom;
    PetscCall(SetImageOptions(kv));
    PetscCall(TmpPath("dmplex3d.msh", msh));
    PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
    PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
    PetscCall(MeshGetInfo(dm, &info));
    CHECK(info.dim == 3 && rep.dim == 3, "extruded mesh has dimension %" PetscInt_FMT, info.dim);
    CHECK_CLOSE(info.volume, rep.volume, 1e-10, "DMPlex volume vs the reported volume");
    CHECK_CLOSE(rep.volume, rep.area * 0.3, 1e-3, "platelet volume = basal area x thickness");
    CHECK_CLOSE(info.surface, rep.perimeter * 0.3, 2e-3, "side walls (\"surface\") = perimeter x thickness");
    if (size == 1) CHECK_CLOSE(info.boundary - info.surface, 2 * rep.area, 1e-3, "top + bottom faces = 2 x basal area");
    CHECK(info.num_cells == rep.num_cells, "DMPlex has %" PetscInt_FMT " tetrahedra, the report %" PetscInt_FMT, info.num_cells, rep.num_cells);
    CHECK(PetscAbsReal(info.lower[2]) < 1e-12 && PetscAbsReal(info.upper[2] - 0.3) < 1e-12, "platelet spans z %g to %g, expected 0 to 0.3 um", info.lower[2], info.upper[2]);
    PetscCall(DMHasLabel(dm, "top", &top));
    PetscCall(DMHasLabel(dm, "bottom", &bottom));
    CHECK(top && bottom, "platelet mesh lacks the labels top/bottom (%d, %d)", (int)top, (int)bottom);
    PetscCall(DMDestroy(&dm));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpectImageError(const char *const kv[], const char expected[])
{
  MeshImageReport rep;

  PetscFunctionBeginUser;
  PetscCall(SetImageOptions(kv));
  CHECK_USER_ERROR(MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep), expected);
  PetscFunctionReturn(0);
}

/* Bad input: each error path with its message */
static PetscErrorCode TestErrors(void)
{
  char     png[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN], msg[PETSC_MAX_PATH_LEN + 256];
  double  *v;
  Particle one = {SHAPE_DISC, 60, 50, 30, 0, 0};

  PetscFunctionBeginUser;
  PetscCall(MakeImage("good.png", 100, 120, &one, 1, PETSC_FALSE, PETSC_FALSE, png));

  PetscCall(TmpPath("missing.png", path));
  {
    const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read image '%s': No such file or directory", path));
    PetscCall(ExpectImageError(kv, msg));
  }
  {
    const char *kv[] = {"-mesh_image_file", tmpdir, "-mesh_image_pixel_size", "0.012", NULL};
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read image '%s': it is a directory", tmpdir));
    PetscCall(ExpectImageError(kv, msg));
  }
  { /* truncated files of each format */
    FILE *fp;
    PetscCall(TmpPath("truncated.png", path));
    PetscCall(PetscMalloc1(100 * 120, &v));
    for (int i = 0; i < 100 * 120; ++i)
      v[i] = Uniform(); /* incompressible, so half the file is half the pixels */
    PetscCall(WritePNGRaw(path, 100, 120, PNG_COLOR_TYPE_GRAY, 8, v));
    PetscCall(TruncateFile(path, 0.5));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read PNG image '%s': the file is truncated or corrupt (libpng: Read Error)", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(TmpPath("truncated.tif", path));
    {
      const double *pages[1] = {v};
      PetscCall(WriteTIFF(path, 100, 120, 1, 8, PHOTOMETRIC_MINISBLACK, PETSC_FALSE, 1, pages));
    }
    PetscCall(TruncateFile(path, 0.5));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read TIFF image '%s': the file is truncated or corrupt (libtiff: ", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(TmpPath("truncated.pgm", path));
    PetscCall(WritePGM(path, 100, 120, v, 255, PETSC_FALSE));
    PetscCall(TruncateFile(path, 0.5));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot read PGM image '%s': the file is truncated (", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(TmpPath("empty.png", path));
    fp = fopen(path, "w");
    fclose(fp);
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' is empty: unsupported format (spot reads PNG, TIFF and PGM images)", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(TmpPath("photo.jpg", path));
    fp = fopen(path, "wb");
    fwrite("\xFF\xD8\xFF\xE0\x00\x10JFIF", 1, 10, fp);
    fclose(fp);
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' is a JPEG image: unsupported format (spot reads PNG, TIFF and PGM images)", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(TmpPath("notes.txt", path));
    fp = fopen(path, "w");
    fputs("particle 1: 2 um\n", fp);
    fclose(fp);
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' is an unknown kind of file: unsupported format (spot reads PNG, TIFF and PGM images)", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    { /* 32-bit floating-point TIFF */
      TIFF *tif;
      float row[8] = {0};
      PetscCall(TmpPath("float.tif", path));
      tif = TIFFOpen(path, "w");
      TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 8);
      TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 4);
      TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 32);
      TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
      TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
      TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
      for (int r = 0; r < 4; ++r)
        TIFFWriteScanline(tif, row, r, 0);
      TIFFClose(tif);
      {
        const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "TIFF image '%s' page 0 has 32-bit floating-point samples; spot reads 8- and 16-bit unsigned integer images", path));
        PetscCall(ExpectImageError(kv, msg));
      }
    }
    { /* pages */
      const double *pages[2] = {v, v};
      PetscCall(TmpPath("pages.tif", path));
      PetscCall(WriteTIFF(path, 100, 120, 1, 8, PHOTOMETRIC_MINISBLACK, PETSC_FALSE, 2, pages));
      {
        const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_page", "2", NULL};
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "TIFF image '%s' has 2 pages; page 2 does not exist (pages count from 0)", path));
        PetscCall(ExpectImageError(kv, msg));
      }
      {
        const char *kv[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_page", "1", NULL};
        PetscCall(PetscSNPrintf(msg, sizeof(msg), "PNG image '%s' has 1 page; page 1 does not exist", png));
        PetscCall(ExpectImageError(kv, msg));
      }
    }
    PetscCall(PetscFree(v));
  }
  { /* pixel size */
    const char *kv0[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0", NULL};
    const char *kvn[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "-0.012", NULL};
    const char *kvu[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "12 kg", NULL};
    const char *kvm[] = {"-mesh_image_file", png, NULL};
    PetscCall(ExpectImageError(kv0, "option -mesh_image_pixel_size: the pixel size must be a positive length, got '0'"));
    PetscCall(ExpectImageError(kvn, "option -mesh_image_pixel_size: the pixel size must be a positive length, got '-0.012'"));
    PetscCall(ExpectImageError(kvu, "option -mesh_image_pixel_size: unknown unit 'kg' for -mesh_image_pixel_size, expected a unit of length"));
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "option -mesh_image_pixel_size: the pixel size of image '%s' is required (micrometres per pixel; spot mesh --pixel-size, XML <pixel_size>)", png));
    PetscCall(ExpectImageError(kvm, msg));
  }
  { /* other options */
    const char *kvt[]  = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_threshold", "half", NULL};
    const char *kvt2[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_threshold", "128", NULL};
    const char *kvs[]  = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_sigma", "-1", NULL};
    const char *kvo[]  = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_open_radius", "1.5", NULL};
    const char *kvd[]  = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_seed", "12", NULL};
    const char *kvh[]  = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_cell_size", "0.0001", NULL};
    PetscCall(ExpectImageError(kvt, "option -mesh_image_threshold: the threshold must be \"otsu\" or a grey value between 0 (black) and 1 (white), got 'half'"));
    PetscCall(ExpectImageError(kvt2, "option -mesh_image_threshold: the threshold must be \"otsu\" or a grey value between 0 (black) and 1 (white), got '128'"));
    PetscCall(ExpectImageError(kvs, "option -mesh_image_sigma: sigma must be a number between 0 and 50 pixels, got '-1'"));
    PetscCall(ExpectImageError(kvo, "option -mesh_image_open_radius: the opening radius must be a whole number between 0 and 50 pixels, got '1.5'"));
    PetscCall(ExpectImageError(kvd, "option -mesh_image_seed: the seed must be a pixel ROW,COL (two whole numbers from 0), got '12'"));
    PetscCall(ExpectImageError(kvh, "option -mesh_cell_size: the cell size of 0.0001 um is smaller than a lattice spacing (0.0003 um = 0.3 nm), where a continuum model means nothing"));
  }
  { /* no particle */
    PetscCall(PetscCalloc1(80 * 90, &v));
    for (int i = 0; i < 80 * 90; ++i)
      v[i] = 0.4;
    PetscCall(TmpPath("uniform.png", path));
    PetscCall(WritePNGRaw(path, 80, 90, PNG_COLOR_TYPE_GRAY, 8, v));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' has no particle: it is uniform (grey value 0.4", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_threshold", "0.5", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' has no particle: no pixel is brighter than the threshold 0.5 (smoothed grey values 0.4 to 0.4); for a dark particle on a bright background use --invert (-mesh_image_invert)", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    v[40 * 90 + 45] = v[40 * 90 + 46] = v[41 * 90 + 45] = 1; /* a speck of 3 pixels */
    PetscCall(TmpPath("speck.png", path));
    PetscCall(WritePNGRaw(path, 80, 90, PNG_COLOR_TYPE_GRAY, 8, v));
    {
      const char *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_sigma", "0", NULL};
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "image '%s' has no particle: the largest region brighter than the threshold", path));
      PetscCall(ExpectImageError(kv, msg));
    }
    PetscCall(PetscFree(v));
  }
  { /* seeds */
    const char *kvo[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_seed", "5,5", NULL};
    const char *kvx[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", "-mesh_image_seed", "50,120", NULL};
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "seed (row 5, col 5) is not inside any particle of image '%s': the smoothed grey value there is", png));
    PetscCall(ExpectImageError(kvo, msg));
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "seed (row 50, col 120) is outside image '%s' (100 rows x 120 columns)", png));
    PetscCall(ExpectImageError(kvx, msg));
  }
  { /* an unwritable mesh path fails cleanly and leaves nothing behind */
    MeshImageReport rep;
    const char     *kv[] = {"-mesh_image_file", png, "-mesh_image_pixel_size", "0.012", NULL};
    PetscCall(SetImageOptions(kv));
    PetscCall(TmpPath("no/such/dir/out.msh", path));
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "cannot write '%s': No such file or directory", path));
    CHECK_USER_ERROR(MeshFromImage(PETSC_COMM_WORLD, path, NULL, &rep), msg);
  }
  PetscFunctionReturn(0);
}

/* Outline tools: the self-crossing test (collinear runs are not crossings), smoothing that
   neither shrinks a disc nor eats the corners of a square */
static PetscErrorCode MakePolygon(PetscInt n, const double xy[], ImagePolygon *p)
{
  PetscFunctionBeginUser;
  p->n     = n;
  p->loops = 1;
  PetscCall(PetscMalloc1(2 * n, &p->xy));
  for (PetscInt i = 0; i < 2 * n; ++i)
    p->xy[i] = xy[i];
  PetscFunctionReturn(0);
}

static PetscErrorCode TestOutline(void)
{
  const double square[] = {0, 0, 10, 0, 10, 10, 0, 10}, eight[] = {0, 0, 10, 10, 10, 0, 0, 10};
  const double runs[]  = {0, 0, 2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 10, 5, 10, 10, 5, 10, 0, 10, 0, 5}; /* collinear points on each side */
  const double pinch[] = {0, 0, 10, 0, 5, 5, 10, 10, 0, 10, 5, 5};                                 /* touches itself at (5, 5) */
  ImagePolygon p, q;
  PetscBool    crosses;
  PetscReal    area, area0, perimeter;

  PetscFunctionBeginUser;
  PetscCall(MakePolygon(4, square, &p));
  PetscCall(ImagePolygonSelfIntersects(&p, &crosses));
  CHECK(!crosses, "a square does not cross itself");
  PetscCall(ImagePolygonDestroy(&p));
  PetscCall(MakePolygon(11, runs, &p));
  PetscCall(ImagePolygonSelfIntersects(&p, &crosses));
  CHECK(!crosses, "a square with collinear points along its sides does not cross itself");
  PetscCall(ImagePolygonDestroy(&p));
  PetscCall(MakePolygon(4, eight, &p));
  PetscCall(ImagePolygonSelfIntersects(&p, &crosses));
  CHECK(crosses, "a figure eight crosses itself");
  PetscCall(ImagePolygonDestroy(&p));
  PetscCall(MakePolygon(6, pinch, &p));
  PetscCall(ImagePolygonSelfIntersects(&p, &crosses));
  CHECK(crosses, "a polygon touching itself at a vertex counts as crossing");
  PetscCall(ImagePolygonDestroy(&p));

  { /* a disc of radius 20 px, smoothed with sigma 2 px: plain Gaussian smoothing would lose ~1 % of the area */
    double xy[2 * 720];
    for (int i = 0; i < 720; ++i) {
      xy[2 * i]     = 50 + 20 * cos(2 * PETSC_PI * i / 720);
      xy[2 * i + 1] = 40 + 20 * sin(2 * PETSC_PI * i / 720);
    }
    PetscCall(MakePolygon(720, xy, &p));
    PetscCall(ImagePolygonMeasure(&p, &area0, NULL, NULL));
    PetscCall(ImagePolygonSmooth(&p, 2.0));
    PetscCall(ImagePolygonMeasure(&p, &area, NULL, NULL));
    CHECK(PetscAbsReal(area / area0 - 1) < 2e-4, "smoothing a disc changed its area by %.4f %%", 100 * (area / area0 - 1));
    CHECK(area0 > 0, "counter-clockwise polygon has a positive area");
    PetscCall(ImagePolygonDestroy(&p));
  }
  { /* a 40 px square resampled every half pixel and smoothed with sigma 1 px: corners stay within 0.6 px */
    const double sq[] = {0, 0, 40, 0, 40, 40, 0, 40};
    PetscCall(MakePolygon(4, sq, &q));
    PetscCall(ImagePolygonResample(&q, 0.5, 16, &p));
    PetscCall(ImagePolygonMeasure(&p, &area0, &perimeter, NULL));
    CHECK(p.n == 320 && PetscAbsReal(perimeter - 160) < 1e-9 && PetscAbsReal(area0 - 1600) < 1e-9, "resampling a square: %" PetscInt_FMT " points, perimeter %g, area %g", p.n, perimeter, area0);
    PetscCall(ImagePolygonSmooth(&p, 1.0));
    PetscCall(ImagePolygonMeasure(&p, &area, NULL, NULL));
    {
      double nearest = 1e300; /* the smoothed point closest to the corner (40, 40) */
      for (PetscInt i = 0; i < p.n; ++i)
        nearest = PetscMin(nearest, hypot(p.xy[2 * i] - 40, p.xy[2 * i + 1] - 40));
      CHECK(nearest < 0.6, "smoothing cut the corner of a square by %.2f px", nearest);
    }
    CHECK(PetscAbsReal(area / 1600 - 1) < 1e-3, "smoothing a square changed its area by %.3f %%", 100 * (area / 1600 - 1));
    PetscCall(ImagePolygonDestroy(&p));
    PetscCall(ImagePolygonDestroy(&q));
  }
  PetscFunctionReturn(0);
}

/* <mesh><image> in an input file: every field reaches the pipeline (units, a path relative to the
   document, seed, invert, extrude), spot run's MeshImageWrite makes the mesh and the preview, and
   a bad value names the file and line */
static PetscErrorCode WriteDocument(const char path[], const char image_xml[])
{
  FILE *fp = fopen(path, "w");

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(fp, "<?xml version=\"1.0\"?>\n<spot version=\"1\">\n  <mesh>\n%s  </mesh>\n", image_xml);
  fprintf(fp, "  <material><diffusivity law=\"ni_rich_smooth\"/></material>\n  <protocol><rest><duration unit=\"s\">1</duration></rest></protocol>\n</spot>\n");
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscErrorCode TestXML(void)
{
  const Particle two[2] = {
      {SHAPE_DISC, 120.3, 130.6, 70.2, 0, 0},
      {SHAPE_ELLIPSE, 300.4, 200.8, 46.0, 33.0, 0.4}};
  MeshInfo    info;
  DM          dm;
  PetscMPIInt rank;
  char        doc[PETSC_MAX_PATH_LEN], msh[PETSC_MAX_PATH_LEN], preview[PETSC_MAX_PATH_LEN], path[PETSC_MAX_PATH_LEN];
  const char *none[] = {NULL};

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (!rank) { /* a dark-on-bright image with two particles; the document names it relative to itself */
    PetscCall(MakeImage("xml_two.png", 300, 420, two, 2, PETSC_FALSE, PETSC_TRUE, path));
    PetscCall(TmpPath("xml.xml", doc));
    PetscCall(WriteDocument(doc, "    <image file=\"xml_two.png\">\n      <pixel_size unit=\"nm\">12</pixel_size>\n      <invert>true</invert>\n      <sigma>1.5</sigma>\n      <threshold>otsu</threshold>\n"
                                 "      <open_radius>1</open_radius>\n      <close_radius>1</close_radius>\n      <smoothing>1</smoothing>\n      <seed>200, 300</seed>\n      <page>0</page>\n    </image>\n    <cell_size unit=\"nm\">40</cell_size>\n"));
  }
  PetscCall(SetImageOptions(none));
  PetscCall(TmpPath("xml.xml", doc));
  PetscCall(InputLoadXML(PETSC_COMM_WORLD, doc));
  PetscCall(TmpPath("xml_out", path));
  PetscCall(InputCheckWritableDirectory(PETSC_COMM_WORLD, path, "test"));
  PetscCall(TmpPath("xml_out/mesh.msh", msh));
  PetscCall(TmpPath("xml_out/particle_preview.png", preview));
  PetscCall(MeshImageWrite(PETSC_COMM_WORLD, msh));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
  PetscCall(MeshGetInfo(dm, &info));
  {
    double area, perimeter, ec;
    Exact(&two[1], &area, &perimeter);
    area *= 0.012 * 0.012;
    ec = hypot(info.centroid[0] - two[1].cx * 0.012, info.centroid[1] - two[1].cy * 0.012) / 0.012;
    CHECK(PetscAbsReal(info.volume / area - 1) < 0.01 && ec < 0.5, "XML <image>: the seeded dark ellipse should be meshed: area %g um^2 (expected %g), centroid %.2f px off", info.volume, area, ec);
    CHECK(info.h_max < 0.05, "XML <cell_size unit=\"nm\">40</cell_size>: largest cell %g um", info.h_max);
  }
  PetscCall(DMDestroy(&dm));
  if (!rank) {
    MeshRaster png;
    PetscCall(MeshRasterRead(preview, 0, &png));
    CHECK(png.rows == 2 * 300 && png.cols == 2 * 420, "preview beside mesh.msh: %" PetscInt_FMT " x %" PetscInt_FMT, png.rows, png.cols);
    PetscCall(MeshRasterDestroy(&png));
  }

  /* a platelet from the document */
  if (!rank) PetscCall(WriteDocument(doc, "    <image file=\"xml_two.png\">\n      <pixel_size unit=\"um\">0.012</pixel_size>\n      <invert>1</invert>\n      <extrude unit=\"nm\">250</extrude>\n    </image>\n    <cell_size unit=\"um\">0.1</cell_size>\n"));
  PetscCall(SetImageOptions(none));
  PetscCall(InputLoadXML(PETSC_COMM_WORLD, doc));
  PetscCall(MeshImageWrite(PETSC_COMM_WORLD, msh));
  PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
  PetscCall(MeshGetInfo(dm, &info));
  CHECK(info.dim == 3 && PetscAbsReal(info.upper[2] - 0.25) < 1e-12, "XML <extrude unit=\"nm\">250</extrude>: dimension %" PetscInt_FMT ", top at z = %g um", info.dim, info.upper[2]);
  PetscCall(DMDestroy(&dm));

  /* a bad value: the message names the document and the line */
  if (!rank) PetscCall(WriteDocument(doc, "    <image file=\"xml_two.png\">\n      <pixel_size unit=\"um\">0.012</pixel_size>\n      <sigma>80</sigma>\n    </image>\n"));
  PetscCall(SetImageOptions(none));
  PetscCall(InputLoadXML(PETSC_COMM_WORLD, doc));
  CHECK_USER_ERROR(MeshImageWrite(PETSC_COMM_WORLD, msh), "xml.xml:6 (<sigma>): sigma must be a number between 0 and 50 pixels, got '80'");
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- guards ---------------- */
/* Grey images with no particle, and particles, made here: kind and a parameter */
typedef enum {
  IMG_NOISE,    /* Gaussian noise: level a, standard deviation b */
  IMG_UNIFORM,  /* uniform noise in [0, 1] */
  IMG_RAMP,     /* a linear ramp from a to b along the columns (+ noise c) */
  IMG_DIAGONAL, /* a ramp from a to b along the diagonal */
  IMG_RADIAL,   /* bright centre a fading to b at the corners */
  IMG_VIGNETTE, /* level a darkened towards the corners, noise b */
  IMG_SINE,     /* a smooth texture about a, amplitude b */
  IMG_LSB,      /* flat at a, each pixel one 8-bit step up or not */
  IMG_DARK,     /* a dark disc on a bright background (a particle, not bright) */
  IMG_PARTICLE  /* a bright disc of radius a px, step b, on noise c */
} ImageKind;

static PetscErrorCode MakeGuardImage(ImageKind kind, PetscInt rows, PetscInt cols, double a, double b, double c, int depth, const char path[])
{
  double *v;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(rows * cols, &v));
  for (PetscInt r = 0; r < rows; ++r)
    for (PetscInt k = 0; k < cols; ++k) {
      const double x = (k + 0.5) / cols, y = (r + 0.5) / rows, rr = hypot(x - 0.5, y - 0.5);
      double       g = 0;
      switch (kind) {
      case IMG_NOISE:
        g = a + b * Normal();
        break;
      case IMG_UNIFORM:
        g = Uniform();
        break;
      case IMG_RAMP:
        g = a + (b - a) * x + c * Normal();
        break;
      case IMG_DIAGONAL:
        g = a + (b - a) * (x + y) / 2;
        break;
      case IMG_RADIAL:
        g = a + (b - a) * rr / sqrt(0.5);
        break;
      case IMG_VIGNETTE:
        g = a * (1 - 1.2 * rr * rr) + b * Normal();
        break;
      case IMG_SINE:
        g = a + b * sin(k / 9.0) * sin(r / 13.0);
        break;
      case IMG_LSB:
        g = a + (Uniform() < 0.5 ? 1.0 / 255 : 0);
        break;
      case IMG_DARK:
        g = (rr * cols < 0.3 * cols ? 0.25 : 0.8) + 0.02 * Normal();
        break;
      case IMG_PARTICLE:
        g = 0.3 + (hypot(k + 0.5 - cols / 2.0, r + 0.5 - rows / 2.0) < a ? b : 0) + c * Normal();
        break;
      }
      v[r * cols + k] = g;
    }
  PetscCall(WritePNGRaw(path, rows, cols, PNG_COLOR_TYPE_GRAY, depth, v));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* The edge contrast of an image, and whether spot refuses it ("shows no particle") */
static PetscErrorCode ImageContrast(const char path[], const char sigma[], PetscBool invert, const char seed[], PetscReal *contrast, PetscBool *refused, char message[], size_t len)
{
  MeshImageReport rep;
  PetscErrorCode  ierr;
  const char     *msg;
  const char     *kv[] = {"-mesh_image_file", path, "-mesh_image_pixel_size", "0.012", "-mesh_image_sigma", sigma, invert ? "-mesh_image_invert" : NULL, "1", NULL};
  ImageSpec       spec;
  MeshRaster      img;
  ImageSegmentation seg;
  PetscReal       needed;

  PetscFunctionBeginUser;
  PetscCall(SetImageOptions(kv));
  if (seed) PetscCall(PetscOptionsSetValue(NULL, "-mesh_image_seed", seed));
  InputClearUserError();
  ierr = MeshFromImage(PETSC_COMM_WORLD, NULL, NULL, &rep);
  PetscCall(InputLastUserError(&msg));
  *refused = ierr ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscStrncpy(message, msg ? msg : "", len));
  InputClearUserError();
  /* the statistic itself, whether refused or not */
  PetscCall(ImageSpecFromOptions(&spec));
  PetscCall(MeshRasterRead(path, 0, &img));
  PetscCall(ImageSegment(&img, &spec, &seg));
  PetscCall(MeshImageEdgeContrast(seg.rows, seg.cols, seg.smooth, seg.mask, spec.sigma, contrast, &needed));
  PetscCall(ImageSegmentationDestroy(&seg));
  PetscCall(MeshRasterDestroy(&img));
  PetscFunctionReturn(0);
}

static PetscErrorCode TestGuard(void)
{
  char      path[PETSC_MAX_PATH_LEN], message[2048], expect[PETSC_MAX_PATH_LEN + 128];
  PetscReal contrast, worst_noise = 0, worst_real = PETSC_MAX_REAL;
  PetscBool refused;

  PetscFunctionBeginUser;
  { /* no particle: noise at three levels and three spreads, 8 and 16 bit; ramps; flat images */
    const struct {
      const char *name;
      ImageKind   kind;
      double      a, b, c;
      int         depth;
    } none[] = {
        {"noise_l0.1_s0.01", IMG_NOISE, 0.1, 0.01, 0, 8},  {"noise_l0.1_s0.05", IMG_NOISE, 0.1, 0.05, 0, 8}, {"noise_l0.1_s0.2", IMG_NOISE, 0.1, 0.2, 0, 8},
        {"noise_l0.5_s0.01", IMG_NOISE, 0.5, 0.01, 0, 8},  {"noise_l0.5_s0.05", IMG_NOISE, 0.5, 0.05, 0, 8}, {"noise_l0.5_s0.2", IMG_NOISE, 0.5, 0.2, 0, 8},
        {"noise_l0.9_s0.01", IMG_NOISE, 0.9, 0.01, 0, 8},  {"noise_l0.9_s0.05", IMG_NOISE, 0.9, 0.05, 0, 8}, {"noise_l0.9_s0.2", IMG_NOISE, 0.9, 0.2, 0, 8},
        {"noise16", IMG_NOISE, 0.5, 0.002, 0, 16},         {"uniform", IMG_UNIFORM, 0, 0, 0, 8},              {"ramp", IMG_RAMP, 0, 1, 0, 8},
        {"ramp_noise", IMG_RAMP, 0.3, 0.7, 0.03, 8},       {"ramp_weak16", IMG_RAMP, 0.5, 0.51, 0, 16},       {"diagonal", IMG_DIAGONAL, 0.2, 0.8, 0, 8},
        {"radial", IMG_RADIAL, 0.8, 0.2, 0, 8},            {"vignette", IMG_VIGNETTE, 0.5, 0.02, 0, 8},       {"sine", IMG_SINE, 0.5, 0.2, 0, 8},
        {"flat_dark", IMG_LSB, 0.02, 0, 0, 8},             {"flat_mid", IMG_LSB, 100 / 255.0, 0, 0, 8},       {"flat_bright", IMG_LSB, 0.97, 0, 0, 8},
    };
    const char *sigmas[] = {"0", "1", "3"};
    for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); ++i) {
      char name[128];
      PetscCall(PetscSNPrintf(name, sizeof(name), "guard_%s.png", none[i].name));
      PetscCall(TmpPath(name, path));
      PetscCall(MakeGuardImage(none[i].kind, 200, 220, none[i].a, none[i].b, none[i].c, none[i].depth, path));
      for (int k = 0; k < 3; ++k) {
        PetscCall(ImageContrast(path, sigmas[k], PETSC_FALSE, NULL, &contrast, &refused, message, sizeof(message)));
        PetscCall(PetscSNPrintf(expect, sizeof(expect), "option -mesh_image_file: '%s' shows no particle: the region brighter than Otsu's threshold ", path));
        CHECK(refused && strstr(message, expect) == message && strstr(message, "does not stand out from its surroundings (edge contrast "), "%s, sigma %s: not refused as no particle (contrast %g): '%s'", none[i].name, sigmas[k], (double)contrast, message);
        CHECK(contrast < 1.6, "%s, sigma %s: edge contrast %g of an image without a particle, expected below 1.6", none[i].name, sigmas[k], (double)contrast);
        worst_noise = PetscMax(worst_noise, contrast);
      }
    }
  }
  { /* a dark particle without --invert: the bright background fills the image */
    PetscCall(TmpPath("guard_dark.png", path));
    PetscCall(MakeGuardImage(IMG_DARK, 150, 160, 0, 0, 0, 8, path));
    PetscCall(ImageContrast(path, "1", PETSC_FALSE, NULL, &contrast, &refused, message, sizeof(message)));
    PetscCall(PetscSNPrintf(expect, sizeof(expect), "option -mesh_image_file: '%s' shows no particle: the region brighter than Otsu's threshold 0.4948 fills the image (24000 pixels) and nothing surrounds it; for a dark particle use --invert (-mesh_image_invert)", path));
    CHECK(refused && !strcmp(message, expect), "dark particle without --invert: '%s'", message);
    PetscCall(ImageContrast(path, "1", PETSC_TRUE, NULL, &contrast, &refused, message, sizeof(message)));
    CHECK(!refused && contrast > 2.5, "dark particle with --invert: refused (%s) or contrast %g", message, (double)contrast);
  }
  { /* particles: the real images at sigma 0 to 2, the test micrographs, a weak and a small particle in noise */
    const char *const real[] = {"data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png", "data/images/nmc811_single_particle_cropB_rows446-602_cols561-717.png", "data/images/nrel_nmc-1-cal_labels_slice125.png", "data/images/nmc811_xray_nanoholotomo_slice_example_xy_YijinLiuLab.tif"};
    const char *const seeds[] = {NULL, "450,1616", "122,1558"};
    const char *const sigmas[] = {"1", "2", "0"};
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 3; ++k)
        for (int j = 0; j < (i == 3 ? 3 : 1); ++j) {
          PetscCall(ImageContrast(real[i], sigmas[k], PETSC_FALSE, seeds[j], &contrast, &refused, message, sizeof(message)));
          CHECK(!refused && contrast >= (k == 2 ? 2.3 : 2.5), "%s, sigma %s, seed %s: refused (%s) or edge contrast %g below %g", real[i], sigmas[k], seeds[j] ? seeds[j] : "none", message, (double)contrast, k == 2 ? 2.3 : 2.5);
          if (k < 2) worst_real = PetscMin(worst_real, contrast);
        }
    {
      const Particle one = {SHAPE_ELLIPSE, 150.2, 120.7, 100.0, 70.0, 0.7};
      PetscCall(MakeImage("guard_micrograph.png", 250, 300, &one, 1, PETSC_FALSE, PETSC_FALSE, path));
      PetscCall(ImageContrast(path, "1", PETSC_FALSE, NULL, &contrast, &refused, message, sizeof(message)));
      CHECK(!refused && contrast > 8, "synthetic micrograph: refused (%s) or edge contrast %g", message, (double)contrast);
    }
    PetscCall(TmpPath("guard_weak.png", path)); /* contrast-to-noise 3: step 0.06, noise 0.02 */
    PetscCall(MakeGuardImage(IMG_PARTICLE, 200, 200, 50, 0.06, 0.02, 8, path));
    PetscCall(ImageContrast(path, "1", PETSC_FALSE, NULL, &contrast, &refused, message, sizeof(message)));
    CHECK(!refused && contrast > 2.5, "weak particle (CNR 3): refused (%s) or edge contrast %g", message, (double)contrast);
    PetscCall(TmpPath("guard_small.png", path)); /* 12 px across */
    PetscCall(MakeGuardImage(IMG_PARTICLE, 200, 200, 6, 0.4, 0.03, 8, path));
    PetscCall(ImageContrast(path, "1", PETSC_FALSE, NULL, &contrast, &refused, message, sizeof(message)));
    CHECK(!refused && contrast > 5, "small particle: refused (%s) or edge contrast %g", message, (double)contrast);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "edge contrast: highest without a particle %.3f, lowest real image (sigma 1, 2) %.3f\n", (double)worst_noise, (double)worst_real));

  { /* cell estimates against what Gmsh makes: shapes (2-D, 3-D, platelet), an image and an extruded image */
    const struct {
      const char *kv[13];
      double      lo, hi;
    } shapes[] = {
        {{"-mesh_shape_type", "disc", "-mesh_shape_radius", "1", "-mesh_cell_size", "0.02", NULL}, 0.9, 1.4},
        {{"-mesh_shape_type", "ellipse", "-mesh_shape_semi_axes", "2,0.5", NULL}, 0.9, 1.4},
        {{"-mesh_shape_type", "sphere", "-mesh_shape_radius", "1", "-mesh_cell_size", "0.2", "-mesh_boundary_cell_size", "0.05", NULL}, 0.8, 1.7},
        {{"-mesh_shape_type", "platelet", "-mesh_shape_semi_axes", "1,0.8", "-mesh_shape_thickness", "0.3", NULL}, 0.8, 1.7},
    };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); ++i) {
      char      msh[PETSC_MAX_PATH_LEN];
      PetscReal estimate = 0;
      DM        dm;
      MeshInfo  info;
      PetscCall(SetImageOptions(shapes[i].kv));
      PetscCall(TmpPath("guard_shape.msh", msh));
      PetscCall(MeshShapeWrite(PETSC_COMM_WORLD, msh));
      PetscCall(MeshLoad(PETSC_COMM_WORLD, msh, &dm));
      PetscCall(MeshGetInfo(dm, &info));
      PetscCall(DMDestroy(&dm));
      { /* the estimate, as MeshShapeWrite made it: from the same measures */
        const char *type = shapes[i].kv[1];
        if (!strcmp(type, "disc")) PetscCall(MeshEstimateCells(2, PETSC_PI, 2 * PETSC_PI, 0, 0.02, 0.008, 0.3, &estimate));
        else if (!strcmp(type, "ellipse")) PetscCall(MeshEstimateCells(2, PETSC_PI, 8.5811, 0, 2.0 / 30, 2.0 / 75, 0.3, &estimate));
        else if (!strcmp(type, "sphere")) PetscCall(MeshEstimateCells(3, 4 * PETSC_PI / 3, 4 * PETSC_PI, 0, 0.2, 0.05, 0.3, &estimate));
        else {
          PetscReal faces;
          PetscCall(MeshEstimateCells(3, 0.8 * PETSC_PI * 0.3, 5.6723 * 0.3, 0, 2 * sqrt(0.8) / 12, 2 * sqrt(0.8) / 30, 0.3 * sqrt(0.8), &estimate));
          PetscCall(MeshEstimateCells(2, 0.8 * PETSC_PI, 5.6723, 0, 2 * sqrt(0.8) / 12, 2 * sqrt(0.8) / 30, 0.3 * sqrt(0.8), &faces));
          estimate = PetscMax(estimate, 3 * faces);
        }
      }
      CHECK(estimate >= shapes[i].lo * info.num_cells && estimate <= shapes[i].hi * info.num_cells, "%s: estimated %g cells, Gmsh made %" PetscInt_FMT " (ratio %.2f, expected %.1f to %.1f)", shapes[i].kv[1], (double)estimate, info.num_cells, (double)(estimate / info.num_cells), shapes[i].lo, shapes[i].hi);
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "estimate %-9s %8.0f cells, made %8" PetscInt_FMT " (%.2f)\n", shapes[i].kv[1], (double)estimate, info.num_cells, (double)(estimate / info.num_cells)));
    }
    {
      const char *const crop     = "data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png";
      const char *const extra[3] = {NULL, "300nm", "30nm"};
      for (int k = 0; k < 3; ++k) {
        const char     *kv[] = {"-mesh_image_file", crop, "-mesh_image_pixel_size", "0.012", extra[k] ? "-mesh_image_extrude" : NULL, extra[k], "-mesh_cell_size", "0.06", NULL};
        MeshImageReport rep;
        char            msh[PETSC_MAX_PATH_LEN];
        PetscCall(SetImageOptions(kv));
        if (!extra[k]) PetscCall(PetscOptionsClearValue(NULL, "-mesh_cell_size"));
        PetscCall(TmpPath("guard_image.msh", msh));
        PetscCall(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep));
        CHECK(rep.estimated_cells >= 0.85 * rep.num_cells && rep.estimated_cells <= 1.6 * rep.num_cells, "crop A%s%s: estimated %g cells, Gmsh made %" PetscInt_FMT " (ratio %.2f, expected 0.85 to 1.6)", extra[k] ? " extruded " : "", extra[k] ? extra[k] : "", (double)rep.estimated_cells, rep.num_cells, (double)(rep.estimated_cells / rep.num_cells));
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, "estimate crop A %-6s %8.0f cells, made %8" PetscInt_FMT " (%.2f)\n", extra[k] ? extra[k] : "2-D", (double)rep.estimated_cells, rep.num_cells, (double)(rep.estimated_cells / rep.num_cells)));
        { /* the file is complete and nothing else is left in the folder */
          struct stat st;
          CHECK(!stat(msh, &st) && st.st_size > 1000, "crop A%s: no mesh written", extra[k] ? " extruded" : "");
        }
      }
    }
  }
  { /* the limits' own options: whole numbers from 1 */
    const char *crop = "data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png";
    const char *kv1[] = {"-mesh_image_file", crop, "-mesh_image_pixel_size", "0.012", "-mesh_max_cells", "1.5e3x", NULL};
    const char *kv2[] = {"-mesh_image_file", crop, "-mesh_image_pixel_size", "0.012", "-mesh_image_max_pixels", "0", NULL};
    const char *kv3[] = {"-mesh_image_file", crop, "-mesh_image_pixel_size", "0.012", "-mesh_image_max_pixels", "30000", NULL};
    const char *kv4[] = {"-mesh_image_file", crop, "-mesh_image_pixel_size", "0.012", "-mesh_max_cells", "5000", NULL};
    PetscCall(ExpectImageError(kv1, "option -mesh_max_cells: the largest cell count must be a whole number between 1 and 1e15, got '1.5e3x'"));
    PetscCall(ExpectImageError(kv2, "option -mesh_image_max_pixels: the largest pixel count must be a whole number between 1 and 1e15, got '0'"));
    PetscCall(PetscSNPrintf(expect, sizeof(expect), "image '%s' has 166 x 192 = 3.19e+04 pixels, more than -mesh_image_max_pixels allows (30000); crop it around the particle, or raise -mesh_image_max_pixels", crop));
    PetscCall(ExpectImageError(kv3, expect));
    PetscCall(SetImageOptions(kv4));
    { /* an estimate above the limit: refused before Gmsh runs, naming the option */
      MeshImageReport rep;
      char            msh[PETSC_MAX_PATH_LEN];
      PetscCall(TmpPath("guard_limit.msh", msh));
      PetscCall(PetscSNPrintf(expect, sizeof(expect), "the mesh of the particle of image '%s' (area 1.67 um^2; cells 0.0292 um, 0.0117 um at the surface) would have about 9.4e+03 cells, more than -mesh_max_cells allows (5000); use coarser cells, or raise -mesh_max_cells", crop));
      CHECK_USER_ERROR(MeshFromImage(PETSC_COMM_WORLD, msh, NULL, &rep), expect);
      CHECK(access(msh, F_OK), "a refused mesh left %s", msh);
    }
    PetscCall(PetscOptionsClearValue(NULL, "-mesh_max_cells"));
    PetscCall(PetscOptionsClearValue(NULL, "-mesh_image_max_pixels"));
  }
  PetscFunctionReturn(0);
}

/* A disc of radius 1e30 um: Gmsh's curve mesher asks for ever more points inside its OpenMP
   loop, and std::bad_alloc there cannot be caught by Gmsh's C API. The adapter turns it into
   an error; Gmsh then refuses every call; spot itself goes on (PETSc, files). */
static PetscErrorCode TestGmshGuard(void)
{
  int  gmsh_ierr_ = 0;
  char text[512], path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(GmshStart());
  gmshModelAdd("huge", GIERR);
  gmshModelOccAddDisk(0, 0, 0, 1e30, 1e30, -1, GIERR);
  gmshModelOccSynchronize(GIERR);
  CHECK(!gmsh_ierr_, "building the disc failed");
  gmshModelMeshGenerate(2, GIERR);
  GmshLastError(text, sizeof(text));
  CHECK(gmsh_ierr_ == 1 && !strcmp(text, "Gmsh stopped on a C++ exception it could not catch (std::bad_alloc): it asked for more memory than there is"), "meshing a disc of radius 1e30: ierr %d, '%s'", gmsh_ierr_, text);
  gmsh_ierr_ = 0;
  gmshClear(GIERR);
  CHECK(gmsh_ierr_ == 1, "Gmsh should refuse every call after an uncaught exception");
  { /* and through the shape mesher: one line, no file */
    const char *kv[] = {"-mesh_shape_type", "disc", "-mesh_shape_radius", "1", NULL};
    PetscCall(SetImageOptions(kv));
    PetscCall(TmpPath("after_guard.msh", path));
    CHECK_USER_ERROR(MeshShapeWrite(PETSC_COMM_WORLD, path), ": Gmsh stopped on a C++ exception it could not catch (std::bad_alloc): it asked for more memory than there is); try other -mesh_cell_size / -mesh_boundary_cell_size");
    CHECK(access(path, F_OK), "%s left behind", path);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", text));
  PetscFunctionReturn(0);
}

/* A TIFF stack written into dir (a small full disk): one line naming the file, nothing left */
static PetscErrorCode TestStackFull(const char dir[])
{
  char            path[PETSC_MAX_PATH_LEN], expect[PETSC_MAX_PATH_LEN + 128];
  MeshStackWriter w;
  PetscReal      *v;
  PetscErrorCode  ierr = 0;
  const char     *msg;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/stack.tif", dir));
  PetscCall(PetscMalloc1(256 * 256, &v));
  for (PetscInt i = 0; i < 256 * 256; ++i) v[i] = Uniform();
  InputClearUserError();
  ierr = MeshStackWriterOpen(path, 256, 256, 32, &w);
  for (int page = 0; page < 64 && !ierr; ++page) ierr = MeshStackWriterAdd(w, v, "page");
  if (!ierr) ierr = MeshStackWriterClose(&w, PETSC_TRUE);
  else PetscCall(MeshStackWriterClose(&w, PETSC_FALSE));
  PetscCall(InputLastUserError(&msg));
  PetscCall(PetscSNPrintf(expect, sizeof(expect), "cannot write '%s': the disk is full (No space left on device)", path));
  CHECK(ierr == PETSC_ERR_FILE_WRITE && msg && !strcmp(msg, expect), "a 16 MB stack on a full disk: code %d, '%s'", (int)ierr, msg ? msg : "(no message)");
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s\n", msg ? msg : "(no message)"));
  InputClearUserError();
  {
    DIR           *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
      CHECK(!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."), "%s/%s left behind", dir, e->d_name);
    if (d) closedir(d);
  }
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* test_mesh_image image KIND PATH: the images of the CLI tests */
static PetscErrorCode ToolImage(const char kind[], const char path[])
{
  PetscFunctionBeginUser;
  if (!strcmp(kind, "noise")) PetscCall(MakeGuardImage(IMG_NOISE, 200, 220, 0.5, 0.05, 0, 8, path));
  else if (!strcmp(kind, "noise_dark")) PetscCall(MakeGuardImage(IMG_NOISE, 200, 220, 0.1, 0.02, 0, 8, path));
  else if (!strcmp(kind, "noise_bright")) PetscCall(MakeGuardImage(IMG_NOISE, 200, 220, 0.9, 0.2, 0, 8, path));
  else if (!strcmp(kind, "noise16")) PetscCall(MakeGuardImage(IMG_NOISE, 200, 220, 0.5, 0.002, 0, 16, path));
  else if (!strcmp(kind, "ramp")) PetscCall(MakeGuardImage(IMG_RAMP, 200, 220, 0, 1, 0, 8, path));
  else if (!strcmp(kind, "ramp_noise")) PetscCall(MakeGuardImage(IMG_RAMP, 200, 220, 0.3, 0.7, 0.03, 8, path));
  else if (!strcmp(kind, "flat")) PetscCall(MakeGuardImage(IMG_LSB, 200, 220, 100 / 255.0, 0, 0, 8, path));
  else if (!strcmp(kind, "dark")) PetscCall(MakeGuardImage(IMG_DARK, 150, 160, 0, 0, 0, 8, path));
  else if (!strcmp(kind, "particle")) PetscCall(MakeGuardImage(IMG_PARTICLE, 120, 130, 40, 0.4, 0.02, 8, path));
  else if (!strcmp(kind, "huge")) { /* 20000 x 20000 black, 8-bit grey: 400 MB of pixels in a 400 kB file */
    FILE       *fp  = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop   info;
    png_bytep   row;
    PetscCheck(fp && png, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
    info = png_create_info_struct(png);
    png_init_io(png, fp);
    png_set_compression_level(png, 1);
    png_set_filter(png, 0, PNG_FILTER_NONE);
    png_set_IHDR(png, info, 20000, 20000, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    PetscCall(PetscCalloc1(20000, &row));
    for (int r = 0; r < 20000; ++r) png_write_row(png, row);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(fp);
    PetscCall(PetscFree(row));
  } else SETERRQ(PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "unknown image kind '%s'", kind);
  PetscFunctionReturn(0);
}

/* MeshImageDeblurredOutline (spot mesh --psf-sigma; compare may use it): a disc of radius R
   pixels (exact pixel coverage, 16 x 16 samples a pixel) blurred by a Gaussian of psf pixels,
   bright on dark and dark on bright, without noise: its deblurred area within 0.5 % of pi R^2,
   where Otsu's mask is more than 2 % too large; a disc of 1.5 psf across is refused */
static PetscErrorCode TestPsf(void)
{
  const PetscInt  n = 64;
  const PetscReal cx = 31.3, cy = 32.6, psf = 3;
  PetscReal      *grey;
  unsigned char  *mask;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n * n, &grey, n * n, &mask));
  for (int k = 0; k < 3; ++k) {
    const PetscReal R = k == 2 ? 2.2 : 12;
    const PetscBool dark = k == 1 ? PETSC_TRUE : PETSC_FALSE;
    PetscReal       area, levels[2], *xy, t;
    PetscInt        npts, pixels;
    for (PetscInt r = 0; r < n; ++r)
      for (PetscInt c = 0; c < n; ++c) {
        PetscInt in = 0;
        for (int i = 0; i < 16; ++i)
          for (int j = 0; j < 16; ++j) {
            const PetscReal x = c + (j + 0.5) / 16 - cx, y = r + (i + 0.5) / 16 - cy;
            in += x * x + y * y <= R * R;
          }
        grey[r * n + c] = 0.15 + 0.2 * in / 256.0;
      }
    PetscCall(ImageGaussianBlur(n, n, grey, psf, grey));
    if (dark)
      for (PetscInt i = 0; i < n * n; ++i) grey[i] = 1 - grey[i];
    if (k == 2) {
      CHECK_USER_ERROR(MeshImageDeblurredOutline(n, n, grey, "tiny disc", 0.05, 1, dark, psf * 0.05, &npts, &xy, &area, levels), "is too small for a PSF of sigma 0.15 um");
      continue;
    }
    PetscCall(MeshImageDeblurredOutline(n, n, grey, "blurred disc", 0.05, 1, dark, psf * 0.05, &npts, &xy, &area, levels));
    CHECK_CLOSE(area, PETSC_PI * R * R * 0.05 * 0.05, 0.005, dark ? "deblurred area of a dark disc, um^2" : "deblurred area of a bright disc, um^2");
    CHECK_CLOSE(levels[0], dark ? 0.85 : 0.15, 0.01, "background grey");
    CHECK_CLOSE(levels[1], dark ? 0.65 : 0.35, 0.01, "particle grey");
    CHECK(npts > 16 && xy, "outline points: %d", (int)npts);
    PetscCall(PetscFree(xy));
    PetscCall(MeshImageParticleMask(n, n, grey, "blurred disc", 1, dark, mask, &t, &pixels));
    CHECK(pixels > 1.02 * PETSC_PI * R * R, "Otsu's mask has %d pixels, not more than 2 %% above the disc's %.1f: the test could not fail", (int)pixels, (double)(PETSC_PI * R * R));
  }
  PetscCall(PetscFree2(grey, mask));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      which[64] = "";
  PetscBool flg;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  if (argc >= 4 && !strcmp(argv[1], "image")) { /* the image tool */
    PetscCall(ToolImage(argv[2], argv[3]));
    PetscCall(PetscFinalize());
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "stackfull")) {
    PetscCall(TestStackFull(argv[2]));
    PetscCall(PetscFinalize());
    return test_failures;
  }
  PetscCall(TestPart(argc, argv, "mesh_image", which, sizeof(which), tmpdir, sizeof(tmpdir)));
  PetscCall(PetscStrcmp(which, "readers", &flg));
  if (flg) PetscCall(TestReaders());
  PetscCall(PetscStrcmp(which, "synthetic", &flg));
  if (flg) PetscCall(TestSynthetic());
  PetscCall(PetscStrcmp(which, "select", &flg));
  if (flg) PetscCall(TestSelect());
  PetscCall(PetscStrcmp(which, "real", &flg));
  if (flg) PetscCall(TestReal());
  PetscCall(PetscStrcmp(which, "dmplex", &flg));
  if (flg) PetscCall(TestDMPlex());
  PetscCall(PetscStrcmp(which, "errors", &flg));
  if (flg) PetscCall(TestErrors());
  PetscCall(PetscStrcmp(which, "xml", &flg));
  if (flg) PetscCall(TestXML());
  PetscCall(PetscStrcmp(which, "outline", &flg));
  if (flg) PetscCall(TestOutline());
  PetscCall(PetscStrcmp(which, "guard", &flg));
  if (flg) PetscCall(TestGuard());
  PetscCall(PetscStrcmp(which, "psf", &flg));
  if (flg) PetscCall(TestPsf());
  PetscCall(PetscStrcmp(which, "gmsh_guard", &flg));
  if (flg) PetscCall(TestGmshGuard());
  PetscCall(TestEnd(0));
  PetscCall(PetscFinalize());
  return test_failures;
}
