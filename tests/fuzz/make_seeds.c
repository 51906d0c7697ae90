/* Seeds of the image fuzz target: small images in every layout mesh/image_io.c and
   mesh/image_stack.c read (and a few they refuse), written with libpng and libtiff.

     make fuzz-seeds      (runs: make_seeds tests/fuzz/corpus/image)

   Each image is 12 x 10 pixels (a few are larger or tiled), a bright disc on a dark ground, so
   that the fuzzer starts from files that decode to something. */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#define W 12
#define H 10

static const char *dir;

/* The disc: sample (r, c) in [0, 1] */
static double Disc(int r, int c)
{
  const double dx = c - W / 2.0 + 0.5, dy = r - H / 2.0 + 0.5;
  return sqrt(dx * dx + dy * dy) < 3.5 ? 0.9 : 0.1 + 0.01 * ((r * 7 + c * 3) % 5);
}

static FILE *Open(const char name[], char path[], size_t len)
{
  FILE *fp;
  snprintf(path, len, "%s/%s", dir, name);
  fp = fopen(path, "wb");
  if (!fp) {
    perror(path);
    exit(1);
  }
  return fp;
}

/* ---- PNG ---- */
static void Png(const char name[], int bits, int color, int interlace, int trns)
{
  char        path[4096];
  FILE       *fp       = Open(name, path, sizeof(path));
  png_structp png      = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop   info     = png_create_info_struct(png);
  const int   channels = color == PNG_COLOR_TYPE_RGB ? 3 : color == PNG_COLOR_TYPE_RGB_ALPHA ? 4
                                                       : color == PNG_COLOR_TYPE_GRAY_ALPHA  ? 2
                                                                                             : 1;
  const int   bytes    = (bits == 16 ? 2 : 1) * channels;
  png_byte    row[W * 8];

  if (setjmp(png_jmpbuf(png))) {
    fprintf(stderr, "libpng failed on %s\n", path);
    exit(1);
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, W, H, bits, color, interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (color == PNG_COLOR_TYPE_PALETTE) {
    png_color pal[16];
    for (int i = 0; i < 16; ++i)
      pal[i].red = pal[i].green = pal[i].blue = (png_byte)(i * 17);
    pal[15].red = 255, pal[15].green = 128, pal[15].blue = 0;
    png_set_PLTE(png, info, pal, 1 << (bits < 4 ? bits : 4));
    if (trns) {
      png_byte alpha[2] = {0, 128};
      png_set_tRNS(png, info, alpha, 2, NULL);
    }
  } else if (trns && (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_RGB)) {
    png_color_16 t = {0, 1, 1, 1, 1};
    png_set_tRNS(png, info, NULL, 0, &t);
  }
  png_write_info(png, info);
  {
    const int passes = interlace ? png_set_interlace_handling(png) : 1;
    for (int pass = 0; pass < passes; ++pass)
      for (int r = 0; r < H; ++r) {
        memset(row, 0, sizeof(row));
        for (int c = 0; c < W; ++c) {
          const double v = Disc(r, c);
          if (color == PNG_COLOR_TYPE_PALETTE || bits < 8) {
            const int max = color == PNG_COLOR_TYPE_PALETTE ? (1 << (bits < 4 ? bits : 4)) - 1 : (1 << bits) - 1;
            const int s = (int)lround(v * max), per = 8 / bits;
            row[c / per] |= (png_byte)(s << (8 - bits * (c % per + 1)));
          } else
            for (int k = 0; k < channels; ++k) {
              const double s = k == 3 || (k == 1 && channels == 2) ? 1.0 : v * (1.0 - 0.2 * k);
              if (bits == 16) {
                const unsigned u       = (unsigned)lround(s * 65535);
                row[c * bytes + 2 * k] = (png_byte)(u >> 8), row[c * bytes + 2 * k + 1] = (png_byte)u;
              } else
                row[c * bytes + k] = (png_byte)lround(s * 255);
            }
        }
        png_write_row(png, row);
      }
  }
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  fclose(fp);
}

/* ---- TIFF ---- */
typedef struct {
  const char *name, *mode;
  int         bits, spp, photometric, planar, format, compression, tiled, pages, width, height;
} TiffSpec;

static void Tiff(TiffSpec s)
{
  char  path[4096];
  TIFF *tif;
  FILE *fp = Open(s.name, path, sizeof(path));

  fclose(fp);
  tif = TIFFOpen(path, s.mode ? s.mode : "w");
  if (!tif) {
    fprintf(stderr, "libtiff cannot write %s\n", path);
    exit(1);
  }
  if (!s.width) s.width = W;
  if (!s.height) s.height = H;
  for (int page = 0; page < (s.pages ? s.pages : 1); ++page) {
    const int bytes = s.bits / 8, planes = s.planar == PLANARCONFIG_SEPARATE ? s.spp : 1, per = s.planar == PLANARCONFIG_SEPARATE ? 1 : s.spp;
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, (uint32_t)s.width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, (uint32_t)s.height);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)s.bits);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)s.spp);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, (uint16_t)s.photometric);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, (uint16_t)(s.planar ? s.planar : PLANARCONFIG_CONTIG));
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, (uint16_t)(s.format ? s.format : SAMPLEFORMAT_UINT));
    TIFFSetField(tif, TIFFTAG_COMPRESSION, (uint16_t)(s.compression ? s.compression : COMPRESSION_NONE));
    if (s.pages > 1) TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    if (s.photometric == PHOTOMETRIC_PALETTE) {
      const int n   = 1 << s.bits;
      uint16_t *map = (uint16_t *)calloc((size_t)3 * n, sizeof(uint16_t));
      for (int i = 0; i < n; ++i)
        map[i] = map[n + i] = map[2 * n + i] = (uint16_t)(i * 65535 / (n - 1));
      TIFFSetField(tif, TIFFTAG_COLORMAP, map, map + n, map + 2 * n);
      free(map);
    }
    if (s.tiled) {
      unsigned char *tile;
      TIFFSetField(tif, TIFFTAG_TILEWIDTH, (uint32_t)16);
      TIFFSetField(tif, TIFFTAG_TILELENGTH, (uint32_t)16);
      tile = (unsigned char *)calloc((size_t)TIFFTileSize(tif) + 16, 1);
      for (int p = 0; p < planes; ++p)
        for (int y = 0; y < s.height; y += 16)
          for (int x = 0; x < s.width; x += 16) {
            for (int ty = 0; ty < 16; ++ty)
              for (int tx = 0; tx < 16; ++tx)
                for (int k = 0; k < per; ++k) {
                  const double v  = (y + ty < s.height && x + tx < s.width) ? Disc((y + ty) % H, (x + tx) % W) : 0;
                  const size_t at = ((size_t)ty * 16 + tx) * per + k;
                  if (bytes == 2)
                    ((uint16_t *)tile)[at] = (uint16_t)lround(v * 65535);
                  else
                    tile[at] = (unsigned char)lround(v * 255);
                }
            TIFFWriteTile(tif, tile, (uint32_t)x, (uint32_t)y, 0, (uint16_t)p);
          }
      free(tile);
    } else {
      unsigned char *row = (unsigned char *)calloc((size_t)s.width * s.spp * 4 + 16, 1);
      TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, (uint32_t)4);
      for (int p = 0; p < planes; ++p)
        for (int r = 0; r < s.height; ++r) {
          for (int c = 0; c < s.width; ++c)
            for (int k = 0; k < per; ++k) {
              const double v  = Disc(r % H, c % W) * (1.0 - 0.1 * (k + p)) * (1.0 - 0.2 * page);
              const size_t at = (size_t)c * per + k;
              if (s.format == SAMPLEFORMAT_IEEEFP)
                ((float *)row)[at] = (float)(v * 1000);
              else if (s.photometric == PHOTOMETRIC_PALETTE)
                row[at] = (unsigned char)lround(v * ((1 << s.bits) - 1));
              else if (bytes == 2)
                ((uint16_t *)row)[at] = (uint16_t)lround(v * 65535);
              else
                row[at] = (unsigned char)lround(v * 255);
            }
          TIFFWriteScanline(tif, row, (uint32_t)r, (uint16_t)p);
        }
      free(row);
    }
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
}

/* ---- PGM/PPM ---- */
static void Netpbm(const char name[], char magic, int maxval)
{
  char      path[4096];
  FILE     *fp       = Open(name, path, sizeof(path));
  const int channels = (magic == '3' || magic == '6') ? 3 : 1, ascii = magic == '2' || magic == '3';
  fprintf(fp, "P%c\n# spot fuzz seed\n%d %d\n%d\n", magic, W, H, maxval);
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c)
      for (int k = 0; k < channels; ++k) {
        const unsigned s = (unsigned)lround(Disc(r, c) * (1.0 - 0.2 * k) * maxval);
        if (ascii)
          fprintf(fp, "%u%c", s, c == W - 1 && k == channels - 1 ? '\n' : ' ');
        else if (maxval > 255)
          fputc((int)(s >> 8), fp), fputc((int)(s & 255), fp);
        else
          fputc((int)s, fp);
      }
  fclose(fp);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: make_seeds FOLDER\n");
    return 1;
  }
  dir = argv[1];
  TIFFSetWarningHandler(NULL);
  Png("grey1.png", 1, PNG_COLOR_TYPE_GRAY, 0, 0);
  Png("grey4.png", 4, PNG_COLOR_TYPE_GRAY, 0, 0);
  Png("grey8.png", 8, PNG_COLOR_TYPE_GRAY, 0, 0);
  Png("grey8_trns.png", 8, PNG_COLOR_TYPE_GRAY, 0, 1);
  Png("grey16_adam7.png", 16, PNG_COLOR_TYPE_GRAY, 1, 0);
  Png("grey_alpha8.png", 8, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 0);
  Png("rgb8.png", 8, PNG_COLOR_TYPE_RGB, 0, 0);
  Png("rgb16.png", 16, PNG_COLOR_TYPE_RGB, 0, 0);
  Png("rgba8_adam7.png", 8, PNG_COLOR_TYPE_RGB_ALPHA, 1, 0);
  Png("palette4.png", 4, PNG_COLOR_TYPE_PALETTE, 0, 0);
  Png("palette8_trns.png", 8, PNG_COLOR_TYPE_PALETTE, 0, 1);
  Tiff((TiffSpec){"grey8.tif", NULL, 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"grey16_big_endian.tif", "wb", 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"white_is_zero8.tif", NULL, 8, 1, PHOTOMETRIC_MINISWHITE, 0, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"rgb8.tif", NULL, 8, 3, PHOTOMETRIC_RGB, PLANARCONFIG_CONTIG, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"rgb16_planar.tif", NULL, 16, 3, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"palette8.tif", NULL, 8, 1, PHOTOMETRIC_PALETTE, 0, 0, 0, 0, 0, 0, 0});
  Tiff((TiffSpec){"grey8_tiled.tif", NULL, 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 1, 0, 20, 18});
  Tiff((TiffSpec){"rgb16_tiled_planar.tif", NULL, 16, 3, PHOTOMETRIC_RGB, PLANARCONFIG_SEPARATE, 0, 0, 1, 0, 0, 0});
  Tiff((TiffSpec){"grey8_lzw.tif", NULL, 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, COMPRESSION_LZW, 0, 0, 0, 0});
  Tiff((TiffSpec){"grey16_deflate.tif", NULL, 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, COMPRESSION_ADOBE_DEFLATE, 0, 0, 0, 0});
  Tiff((TiffSpec){"grey8_packbits.tif", NULL, 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, COMPRESSION_PACKBITS, 0, 0, 0, 0});
  Tiff((TiffSpec){"stack16_3pages.tif", NULL, 16, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 3, 0, 0});
  Tiff((TiffSpec){"stack_float32_3pages.tif", NULL, 32, 1, PHOTOMETRIC_MINISBLACK, 0, SAMPLEFORMAT_IEEEFP, 0, 0, 3, 0, 0});
  Tiff((TiffSpec){"stack8_bigtiff_2pages.tif", "w8", 8, 1, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 2, 0, 0});
  Tiff((TiffSpec){"grey_alpha8.tif", NULL, 8, 2, PHOTOMETRIC_MINISBLACK, 0, 0, 0, 0, 0, 0, 0});
  Netpbm("grey8_ascii.pgm", '2', 255);
  Netpbm("grey8.pgm", '5', 255);
  Netpbm("grey16.pgm", '5', 65535);
  Netpbm("rgb_ascii.ppm", '3', 1000);
  Netpbm("rgb8.ppm", '6', 255);
  return 0;
}
