/* Image files: read PNG (libpng), TIFF (libtiff) and PGM/PPM into grey values; write PNG.

   Every reader returns the image as displayed: grey in [0, 1], 0 black and 1 white, row 0 at
   the top, grey[r * cols + c] for pixel (row r, column c). Colour becomes luma
   Y' = 0.299 R + 0.587 G + 0.114 B of the stored (gamma-encoded) values; alpha is ignored.
   Integer samples are divided by their full scale (255, 65535, or the PGM maxval).
   - PNG: 1 to 16 bits, grey, grey+alpha, RGB, RGBA, palette, interlaced or not.
   - TIFF: 8- or 16-bit unsigned samples, stripped or tiled, contiguous or planar; any page
     (directory, 0-based); PhotometricInterpretation BlackIsZero, WhiteIsZero (inverted here),
     RGB and Palette.
   - PGM/PPM: P2, P5 (grey), P3, P6 (colour); maxval up to 65535 (16-bit big-endian samples).
   The format is found from the first bytes, not from the name. The size is read from the
   header and checked against -mesh_image_max_pixels before any pixel is decoded or any memory
   allocated for them (MeshRasterReadHeader stops there). Errors are user errors
   (PETSC_ERR_USER_INPUT) naming the file; they are raised on PETSC_COMM_SELF, since images
   are read by one rank. libpng and libtiff never print: their errors become the message.

   The PNG writer goes through files/files.h: a failed write (a full disk) is one line
   (PETSC_ERR_FILE_WRITE) and leaves no file. */
#include "mesh/meshimpl.h"
#include <png.h>
#include <tiffio.h>
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#define LUMA(r, g, b) (0.299 * (r) + 0.587 * (g) + 0.114 * (b))
#define MAX_SIDE (1 << 24) /* pixels: keeps row and column indices far inside PetscInt */

/* The size from the header: some pixels, at most -mesh_image_max_pixels */
static PetscErrorCode CheckSize(const char path[], double width, double height)
{
  PetscReal max_pixels;

  PetscFunctionBeginUser;
  PetscCall(MeshGetMaxPixels(&max_pixels));
  PetscCheck(width > 0 && height > 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has no pixels (%.0f x %.0f)", path, width, height);
  PetscCheck(width * height <= max_pixels && width <= MAX_SIDE && height <= MAX_SIDE, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' has %.0f x %.0f = %.3g pixels, more than -mesh_image_max_pixels allows (%.0f); crop it around the particle, or raise -mesh_image_max_pixels", path, width, height, width * height, (double)max_pixels);
  PetscFunctionReturn(0);
}

static PetscErrorCode RasterAllocate(MeshRaster *img, PetscInt rows, PetscInt cols)
{
  PetscFunctionBeginUser;
  img->rows = rows;
  img->cols = cols;
  PetscCall(PetscMalloc1((size_t)rows * (size_t)cols, &img->grey));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- PNG (libpng) ---------- */
typedef struct {
  jmp_buf jump;
  char    message[256];
} PngFailure;

static void PngError(png_structp png, png_const_charp msg)
{
  PngFailure *f = (PngFailure *)png_get_error_ptr(png);
  snprintf(f->message, sizeof(f->message), "%s", msg ? msg : "libpng error");
  longjmp(f->jump, 1);
}

static void PngWarning(png_structp png, png_const_charp msg)
{
  (void)png;
  (void)msg;
}

/* The libpng part: libpng reports errors by longjmp, so nothing here may return early through
   PetscCall; buffers live in volatile pointers and are freed on the way out. Stops after the
   header (returns 2, nothing allocated) when header_only or when the image has more than
   max_pixels pixels. */
static int PngDecode(FILE *fp, PngFailure *failure, PetscBool header_only, double max_pixels, unsigned char **pixels, png_uint_32 *width, png_uint_32 *height, int *depth, int *channels, int *source_bits)
{
  png_structp png;
  png_infop   info                = NULL;
  unsigned char *volatile data    = NULL;
  png_bytep *volatile row_pointer = NULL;

  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, failure, PngError, PngWarning);
  if (!png) {
    snprintf(failure->message, sizeof(failure->message), "out of memory");
    return 1;
  }
  info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    snprintf(failure->message, sizeof(failure->message), "out of memory");
    return 1;
  }
  if (setjmp(failure->jump)) { /* PngError's message is in failure */
    png_destroy_read_struct(&png, &info, NULL);
    if (data) (void)PetscFree(data);
    if (row_pointer) (void)PetscFree(row_pointer);
    return 1;
  }
  png_init_io(png, fp);
  png_set_user_limits(png, MAX_SIDE, MAX_SIDE);
  png_read_info(png, info);
  *width       = png_get_image_width(png, info);
  *height      = png_get_image_height(png, info);
  *source_bits = png_get_bit_depth(png, info);
  if (header_only || (double)*width * (double)*height > max_pixels) {
    png_destroy_read_struct(&png, &info, NULL);
    return 2;
  }
  {
    const int color = png_get_color_type(png, info);
    *source_bits    = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && *source_bits < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
  }
  *width    = png_get_image_width(png, info);
  *height   = png_get_image_height(png, info);
  *depth    = png_get_bit_depth(png, info);
  *channels = png_get_channels(png, info);
  {
    const size_t   rowbytes = png_get_rowbytes(png, info);
    unsigned char *d        = NULL;
    png_bytep     *rp       = NULL;
    if (PetscMalloc1(rowbytes * *height, &d)) png_error(png, "out of memory");
    data = d;
    if (PetscMalloc1(*height, &rp)) png_error(png, "out of memory");
    row_pointer = rp;
    for (png_uint_32 r = 0; r < *height; ++r)
      row_pointer[r] = data + r * rowbytes;
    png_read_image(png, row_pointer);
    png_read_end(png, NULL);
  }
  png_destroy_read_struct(&png, &info, NULL);
  {
    png_bytep *rp = row_pointer;
    (void)PetscFree(rp);
  }
  *pixels = data;
  return 0;
}

static PetscErrorCode ReadPNG(const char path[], FILE *fp, PetscBool header_only, MeshRaster *img)
{
  PngFailure     failure = {.message = ""};
  unsigned char *data    = NULL;
  png_uint_32    width = 0, height = 0;
  int            depth = 8, channels = 1, bits = 8, status;
  PetscReal      max_pixels;

  PetscFunctionBeginUser;
  PetscCall(MeshGetMaxPixels(&max_pixels));
  status = PngDecode(fp, &failure, header_only, max_pixels, &data, &width, &height, &depth, &channels, &bits);
  PetscCheck(status != 1, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PNG image '%s': the file is truncated or corrupt (libpng: %s)", path, failure.message);
  img->bits = bits;
  img->rows = (PetscInt)height;
  img->cols = (PetscInt)width;
  PetscCall(CheckSize(path, (double)width, (double)height));
  if (status == 2) PetscFunctionReturn(0); /* the header only */
  PetscCall(RasterAllocate(img, (PetscInt)height, (PetscInt)width));
  {
    const double   full = depth == 16 ? 65535.0 : 255.0;
    const size_t   n    = (size_t)width * height;
    PetscReal     *g    = img->grey;
    unsigned char *p    = data;
    for (size_t i = 0; i < n; ++i) {
      double v[3];
      for (int k = 0; k < channels; ++k) { /* every sample, so an alpha channel (a palette's tRNS) keeps pixels aligned */
        if (k < 3) v[k] = depth == 16 ? (double)((p[0] << 8) | p[1]) : (double)p[0];
        p += depth == 16 ? 2 : 1;
      }
      g[i] = (channels >= 3 ? LUMA(v[0], v[1], v[2]) : v[0]) / full;
    }
  }
  PetscCall(PetscFree(data));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- TIFF (libtiff) -------- */
static char tiff_message[256];

static void TiffError(const char *module, const char *fmt, va_list ap)
{
  if (tiff_message[0]) return; /* keep the first */
  vsnprintf(tiff_message, sizeof(tiff_message), fmt, ap);
}

/* One sample of a decoded buffer as a number */
static inline double TiffSample(const unsigned char *buf, size_t index, int bits)
{
  return bits == 16 ? (double)((const uint16_t *)buf)[index] : (double)buf[index];
}

static PetscErrorCode ReadTIFF(const char path[], PetscInt page, PetscBool header_only, MeshRaster *img)
{
  TIFF            *tif;
  TIFFErrorHandler old_error, old_warning;
  uint32_t         width = 0, height = 0;
  uint16_t         bits = 0, spp = 1, photometric = PHOTOMETRIC_MINISBLACK, planar = PLANARCONFIG_CONTIG, format = SAMPLEFORMAT_UINT;
  uint16_t        *cmap[3] = {NULL, NULL, NULL};
  int              pages, nchan, ok = 1;
  unsigned char   *buf          = NULL;
  double          *chan[3]      = {NULL, NULL, NULL};
  char             message[512] = "";

  PetscFunctionBeginUser;
  tiff_message[0] = 0;
  old_error       = TIFFSetErrorHandler(TiffError);
  old_warning     = TIFFSetWarningHandler(NULL); /* ImageJ and friends write tags libtiff warns about */
  tif             = TIFFOpen(path, "r");
  if (!tif) {
    TIFFSetErrorHandler(old_error);
    TIFFSetWarningHandler(old_warning);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read TIFF image '%s': the file is truncated or corrupt (libtiff: %s)", path, tiff_message[0] ? tiff_message : "cannot open");
  }
  pages      = (int)TIFFNumberOfDirectories(tif);
  img->pages = pages;
  if (page >= pages || !TIFFSetDirectory(tif, (tdir_t)page)) {
    if (page >= pages)
      PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' has %d page%s; page %" PetscInt_FMT " does not exist (pages count from 0)", path, pages, pages == 1 ? "" : "s", page));
    else
      PetscCall(PetscSNPrintf(message, sizeof(message), "cannot read page %" PetscInt_FMT " of TIFF image '%s' (libtiff: %s)", page, path, tiff_message));
    ok = 0;
  }
  if (ok) {
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric)) photometric = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    img->bits = bits;
    if ((bits != 8 && bits != 16) || format != SAMPLEFORMAT_UINT) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' page %" PetscInt_FMT " has %u-bit %s samples; spot reads 8- and 16-bit unsigned integer images (convert it, e.g. to a 16-bit TIFF)", path, page, (unsigned)bits, format == SAMPLEFORMAT_IEEEFP ? "floating-point" : (format == SAMPLEFORMAT_INT ? "signed" : "unsigned")));
      ok = 0;
    } else if (spp < 1 || spp > 4 || (photometric == PHOTOMETRIC_PALETTE && spp != 1)) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' page %" PetscInt_FMT " has %u samples per pixel; spot reads grey or colour images (1 to 4 samples, 1 for a palette)", path, page, (unsigned)spp));
      ok = 0;
    } else if (photometric == PHOTOMETRIC_PALETTE) {
      uint16_t *map[3];
      if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &map[0], &map[1], &map[2])) {
        PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' is a palette image without a colour map", path));
        ok = 0;
      } else { /* a copy: libtiff frees its own with the file */
        const size_t entries = (size_t)1 << bits;
        for (int k = 0; k < 3; ++k) {
          PetscCall(PetscMalloc1(entries, &cmap[k]));
          PetscCall(PetscArraycpy(cmap[k], map[k], entries));
        }
      }
    } else if (photometric == PHOTOMETRIC_RGB) {
      if (spp < 3) {
        PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' says RGB but has %u sample(s) per pixel", path, (unsigned)spp));
        ok = 0;
      }
    } else if (photometric != PHOTOMETRIC_MINISBLACK && photometric != PHOTOMETRIC_MINISWHITE) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' has PhotometricInterpretation %u; spot reads BlackIsZero, WhiteIsZero, RGB and Palette images", path, (unsigned)photometric));
      ok = 0;
    }
  }
  if (ok) {
    PetscReal max_pixels;
    PetscCall(MeshGetMaxPixels(&max_pixels));
    if (width == 0 || height == 0) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "TIFF image '%s' page %" PetscInt_FMT " has no pixels (%u x %u)", path, page, (unsigned)width, (unsigned)height));
      ok = 0;
    } else if ((double)width * height > max_pixels || width > MAX_SIDE || height > MAX_SIDE) {
      PetscCall(PetscSNPrintf(message, sizeof(message), "image '%s' has %u x %u = %.3g pixels, more than -mesh_image_max_pixels allows (%.0f); crop it around the particle, or raise -mesh_image_max_pixels", path, (unsigned)width, (unsigned)height, (double)width * height, (double)max_pixels));
      ok = 0;
    }
  }
  if (!ok || header_only) {
    TIFFClose(tif);
    TIFFSetErrorHandler(old_error);
    TIFFSetWarningHandler(old_warning);
    for (int k = 0; k < 3; ++k) PetscCall(PetscFree(cmap[k]));
    PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s", message);
    img->rows = (PetscInt)height;
    img->cols = (PetscInt)width;
    PetscFunctionReturn(0);
  }

  /* decode into up to three channel planes of doubles (full-scale units) */
  nchan = photometric == PHOTOMETRIC_RGB ? 3 : 1;
  PetscCall(RasterAllocate(img, (PetscInt)height, (PetscInt)width));
  for (int k = 0; k < nchan; ++k)
    PetscCall(PetscMalloc1((size_t)width * height, &chan[k]));
  {
    const int    per_pixel = planar == PLANARCONFIG_CONTIG ? spp : 1; /* samples interleaved in a buffer */
    const int    planes    = planar == PLANARCONFIG_CONTIG ? 1 : nchan;
    const size_t bps       = bits / 8;
    if (TIFFIsTiled(tif)) {
      uint32_t tw = 0, th = 0;
      TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
      TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
      if (tw == 0 || th == 0 || (double)tw * th > 1 << 26) { /* a tile of no size would never advance */
        TIFFClose(tif);
        TIFFSetErrorHandler(old_error);
        TIFFSetWarningHandler(old_warning);
        for (int k = 0; k < 3; ++k) PetscCall(PetscFree(cmap[k]));
        for (int k = 0; k < nchan; ++k) PetscCall(PetscFree(chan[k]));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "TIFF image '%s' has tiles of %u x %u pixels: the file is corrupt", path, (unsigned)tw, (unsigned)th);
      }
      PetscCall(PetscMalloc1((size_t)TIFFTileSize(tif) + 16, &buf));
      for (int s = 0; s < planes && ok; ++s)
        for (uint32_t y = 0; y < height && ok; y += th)
          for (uint32_t x = 0; x < width && ok; x += tw) {
            if (TIFFReadTile(tif, buf, x, y, 0, (uint16_t)s) < 0) {
              ok = 0;
              break;
            }
            for (uint32_t ty = 0; ty < th && y + ty < height; ++ty)
              for (uint32_t tx = 0; tx < tw && x + tx < width; ++tx) {
                const size_t at = (size_t)(y + ty) * width + (x + tx), base = ((size_t)ty * tw + tx) * per_pixel;
                if (planes == 1)
                  for (int k = 0; k < nchan; ++k)
                    chan[k][at] = TiffSample(buf, base + k, bits);
                else
                  chan[s][at] = TiffSample(buf, base, bits);
              }
          }
    } else {
      PetscCall(PetscMalloc1((size_t)TIFFScanlineSize(tif) + (size_t)width * spp * bps + 16, &buf));
      for (int s = 0; s < planes && ok; ++s)
        for (uint32_t y = 0; y < height; ++y) {
          if (TIFFReadScanline(tif, buf, y, (uint16_t)s) < 0) {
            ok = 0;
            break;
          }
          for (uint32_t x = 0; x < width; ++x) {
            const size_t at = (size_t)y * width + x, base = (size_t)x * per_pixel;
            if (planes == 1)
              for (int k = 0; k < nchan; ++k)
                chan[k][at] = TiffSample(buf, base + k, bits);
            else
              chan[s][at] = TiffSample(buf, base, bits);
          }
        }
    }
  }
  TIFFClose(tif);
  TIFFSetErrorHandler(old_error);
  TIFFSetWarningHandler(old_warning);
  PetscCall(PetscFree(buf));
  if (ok) {
    const double full = bits == 16 ? 65535.0 : 255.0;
    const size_t n    = (size_t)width * height;
    for (size_t i = 0; i < n; ++i) {
      double v;
      if (photometric == PHOTOMETRIC_RGB)
        v = LUMA(chan[0][i], chan[1][i], chan[2][i]) / full;
      else if (photometric == PHOTOMETRIC_PALETTE) {
        const size_t e = (size_t)chan[0][i];
        v              = LUMA(cmap[0][e], cmap[1][e], cmap[2][e]) / 65535.0;
      } else
        v = chan[0][i] / full;
      img->grey[i] = photometric == PHOTOMETRIC_MINISWHITE ? 1.0 - v : v;
    }
  }
  for (int k = 0; k < nchan; ++k)
    PetscCall(PetscFree(chan[k]));
  for (int k = 0; k < 3; ++k) PetscCall(PetscFree(cmap[k]));
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read TIFF image '%s' page %" PetscInt_FMT ": the file is truncated or corrupt (libtiff: %s)", path, page, tiff_message[0] ? tiff_message : "read error");
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- PGM / PPM ------------- */
/* Next header integer, skipping white space and # comments; -1 at end of file or on garbage */
static long NetpbmHeaderInt(FILE *fp)
{
  int  ch;
  long v = 0, digits = 0;

  for (;;) {
    ch = fgetc(fp);
    if (ch == '#')
      while (ch != '\n' && ch != EOF)
        ch = fgetc(fp);
    if (ch == EOF) return -1;
    if (ch >= '0' && ch <= '9') break;
    if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\v' && ch != '\f') return -1;
  }
  while (ch >= '0' && ch <= '9') {
    if (v < 100000000) v = 10 * v + (ch - '0');
    ++digits;
    ch = fgetc(fp);
  }
  if (ch != EOF && !(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f')) return -1;
  return digits ? v : -1;
}

static PetscErrorCode ReadNetpbm(const char path[], FILE *fp, PetscBool header_only, MeshRaster *img)
{
  char   magic[2];
  long   width, height, maxval;
  int    channels, ascii;
  size_t n;

  PetscFunctionBeginUser;
  PetscCheck(fread(magic, 1, 2, fp) == 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': the file is truncated", path);
  channels = (magic[1] == '3' || magic[1] == '6') ? 3 : 1;
  ascii    = (magic[1] == '2' || magic[1] == '3') ? 1 : 0;
  width    = NetpbmHeaderInt(fp);
  height   = width < 0 ? -1 : NetpbmHeaderInt(fp);
  maxval   = height < 0 ? -1 : NetpbmHeaderInt(fp);
  PetscCheck(width >= 0 && height >= 0 && maxval >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': the header (width, height, maxval) is truncated or corrupt", path);
  PetscCheck(maxval >= 1 && maxval <= 65535, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': maxval %ld is not between 1 and 65535", path, maxval);
  PetscCall(CheckSize(path, (double)width, (double)height));
  img->bits = maxval > 255 ? 16 : 8;
  img->rows = (PetscInt)height;
  img->cols = (PetscInt)width;
  if (header_only) PetscFunctionReturn(0);
  PetscCall(RasterAllocate(img, (PetscInt)height, (PetscInt)width));
  n = (size_t)width * (size_t)height;
  if (ascii) {
    for (size_t i = 0; i < n; ++i) {
      double v[3];
      for (int k = 0; k < channels; ++k) {
        const long s = NetpbmHeaderInt(fp);
        PetscCheck(s >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': the file is truncated or corrupt after %zu of %zu pixels", path, i, n);
        PetscCheck(s <= maxval, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': sample %ld exceeds maxval %ld", path, s, maxval);
        v[k] = (double)s;
      }
      img->grey[i] = (channels == 3 ? LUMA(v[0], v[1], v[2]) : v[0]) / (double)maxval;
    }
  } else {
    const size_t   bytes = (maxval > 255 ? 2 : 1) * (size_t)channels * n;
    unsigned char *data;
    size_t         got;
    PetscCall(PetscMalloc1(bytes, &data));
    got = fread(data, 1, bytes, fp);
    if (got != bytes) {
      PetscCall(PetscFree(data));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read PGM image '%s': the file is truncated (%zu of %zu bytes of pixel data)", path, got, bytes);
    }
    for (size_t i = 0; i < n; ++i) {
      double v[3];
      for (int k = 0; k < channels; ++k) {
        const size_t at = (size_t)channels * i + k;
        v[k]            = maxval > 255 ? (double)((data[2 * at] << 8) | data[2 * at + 1]) : (double)data[at];
      }
      img->grey[i] = PetscMin(1.0, (channels == 3 ? LUMA(v[0], v[1], v[2]) : v[0]) / (double)maxval);
    }
    PetscCall(PetscFree(data));
  }
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- dispatch -------------- */
static PetscErrorCode RasterRead(const char path[], PetscInt page, PetscBool header_only, MeshRaster *img)
{
  unsigned char head[8] = {0};
  size_t        nhead;
  FILE         *fp;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(img, sizeof(*img)));
  img->page  = page;
  img->pages = 1;
  PetscCheck(page >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s': page %" PetscInt_FMT " does not exist (pages count from 0)", path, page);
  { /* a regular file: a FIFO is opened without waiting for a writer (O_NONBLOCK), then refused */
    struct stat st;
    int         fd;
    errno = 0;
    PetscCheck(!stat(path, &st), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': %s", path, strerror(errno));
    PetscCheck(!S_ISDIR(st.st_mode), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': it is a directory", path);
    PetscCheck(S_ISREG(st.st_mode), PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': not a regular file (%s)", path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    PetscCheck(fd >= 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) { /* replaced since the stat */
      close(fd);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': not a regular file", path);
    }
    errno = 0;
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) || !(fp = fdopen(fd, "rb"))) {
      const int e = errno;
      close(fd);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image '%s': %s", path, e ? strerror(e) : "cannot open");
    }
  }
  PetscCall(FileRegisterInput(path, "image")); /* no output of this run may replace it */
  nhead = fread(head, 1, sizeof(head), fp);
  rewind(fp);
  if (nhead >= 4 && !png_sig_cmp(head, 0, nhead)) { /* a short file with the start of the signature: a truncated PNG */
    PetscErrorCode ierr = ReadPNG(path, fp, header_only, img);
    fclose(fp);
    PetscCall(ierr);
    PetscCheck(page == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "PNG image '%s' has 1 page; page %" PetscInt_FMT " does not exist (pages count from 0)", path, page);
  } else if (nhead >= 4 && ((head[0] == 'I' && head[1] == 'I' && (head[2] == 42 || head[2] == 43) && head[3] == 0) || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && (head[3] == 42 || head[3] == 43)))) {
    fclose(fp);
    PetscCall(ReadTIFF(path, page, header_only, img));
  } else if (nhead >= 2 && head[0] == 'P' && head[1] >= '2' && head[1] <= '6' && head[1] != '4') {
    PetscErrorCode ierr = ReadNetpbm(path, fp, header_only, img);
    fclose(fp);
    PetscCall(ierr);
    PetscCheck(page == 0, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "PGM image '%s' has 1 page; page %" PetscInt_FMT " does not exist (pages count from 0)", path, page);
  } else {
    const char *what = "an unknown kind of file";
    fclose(fp);
    if (nhead == 0)
      what = "empty";
    else if (nhead >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
      what = "a JPEG image";
    else if (nhead >= 2 && head[0] == 'B' && head[1] == 'M')
      what = "a BMP image";
    else if (nhead >= 4 && !memcmp(head, "GIF8", 4))
      what = "a GIF image";
    else if (nhead >= 2 && head[0] == 'P' && (head[1] == '1' || head[1] == '4'))
      what = "a 1-bit PBM image";
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image '%s' is %s: unsupported format (spot reads PNG, TIFF and PGM images)", path, what);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode MeshRasterRead(const char path[], PetscInt page, MeshRaster *img)
{
  PetscFunctionBeginUser;
  PetscCall(RasterRead(path, page, PETSC_FALSE, img));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshRasterReadHeader(const char path[], PetscInt page, MeshRaster *img)
{
  PetscFunctionBeginUser;
  PetscCall(RasterRead(path, page, PETSC_TRUE, img));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshRasterDestroy(MeshRaster *img)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(img->grey));
  img->rows = img->cols = 0;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- PNG writer ------------ */
/* libpng writes through FileOut: the first failed write is kept there (with its errno) and
   stops the encoder */
static void PngWriteData(png_structp png, png_bytep data, size_t length)
{
  FileOut   f = (FileOut)png_get_io_ptr(png);
  PetscBool failed;
  (void)FileOutWrite(f, data, length);
  (void)FileOutFailed(f, &failed, NULL, 0);
  if (failed) png_error(png, "write failed");
}

static void PngFlushData(png_structp png)
{
  (void)FileOutFlush((FileOut)png_get_io_ptr(png));
}

static int PngEncode(FileOut f, PngFailure *failure, PetscInt rows, PetscInt cols, PetscInt channels, const unsigned char data[])
{
  png_structp png  = png_create_write_struct(PNG_LIBPNG_VER_STRING, failure, PngError, PngWarning);
  png_infop   info = NULL;

  if (!png) {
    snprintf(failure->message, sizeof(failure->message), "out of memory");
    return 1;
  }
  info = png_create_info_struct(png);
  if (!info || setjmp(failure->jump)) {
    png_destroy_write_struct(&png, info ? &info : NULL);
    if (!failure->message[0]) snprintf(failure->message, sizeof(failure->message), "out of memory");
    return 1;
  }
  png_set_write_fn(png, f, PngWriteData, PngFlushData);
  png_set_compression_level(png, 2); /* previews are big and looked at once: speed over size */
  png_set_filter(png, 0, PNG_FILTER_SUB | PNG_FILTER_UP);
  png_set_IHDR(png, info, (png_uint_32)cols, (png_uint_32)rows, 8, channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (PetscInt r = 0; r < rows; ++r)
    png_write_row(png, (png_const_bytep)(data + (size_t)r * cols * channels));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return 0;
}

/* 8-bit grey (channels 1) or RGB (channels 3) PNG, row 0 at the top; written under a temporary
   name and published when complete (files/files.h) */
PetscErrorCode MeshPNGWrite(const char path[], PetscInt rows, PetscInt cols, PetscInt channels, const unsigned char data[])
{
  PngFailure failure = {.message = ""};
  FileOut    f;
  PetscBool  write_failed;

  PetscFunctionBeginUser;
  PetscCheck(channels == 1 || channels == 3, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "PNG output needs 1 or 3 channels, not %" PetscInt_FMT, channels);
  PetscCall(FileOutCreate(path, &f));
  if (PngEncode(f, &failure, rows, cols, channels, data)) {
    PetscCall(FileOutFailed(f, &write_failed, NULL, 0));
    if (write_failed) PetscCall(FileOutPublish(&f)); /* raises the write's failure, and removes the temporary */
    PetscCall(FileOutDiscard(&f));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot write image '%s': libpng: %s", path, failure.message);
  }
  PetscCall(FileOutPublish(&f));
  PetscFunctionReturn(0);
}
