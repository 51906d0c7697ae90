/* Image stacks: what operando microscopes write, read frame by frame and written page by page.

   Reading (MeshStackOpen, MeshStackRead): a multi-page TIFF (one frame per page: 8- or 16-bit
   unsigned integer, or 32-bit IEEE float samples; grey BlackIsZero or WhiteIsZero; pages read in
   order without seeking from the first page each time), or a numbered series of single images
   given by a printf pattern ("frames/frame_%03d.png", numbered from `first` until a file is
   missing; PNG, TIFF or PGM through MeshRasterRead). Other TIFF layouts (colour, tiled, palette)
   go through MeshRasterRead too. Values are those of MeshRasterRead: integer samples divided by
   their full scale, so in [0, 1]; float samples are returned as stored (the intensity in
   whatever unit the camera software used). Every frame must have the size of the first.

   Writing (MeshStackWriterOpen/Add/Close): a multi-page grey TIFF, 16-bit unsigned (values in
   [0, 1] scaled to 0..65535, rounded and clamped) or 32-bit float (values as given), one strip
   per page, no compression, each page with an ImageDescription; written through files/files.h
   (libtiff writes into the descriptor of the exclusive temporary, never reopening it by name),
   every libtiff call checked, and published on MeshStackWriterClose(keep = true). A failed
   write (a full disk) is one line (PETSC_ERR_FILE_WRITE) and leaves no file; libtiff's own
   messages are kept for it, never printed.

   The particle of a frame (MeshImageParticleMask) reuses the segmentation of spot mesh.
   Nothing here is collective: call it on the rank that holds the images. Errors are user
   errors on PETSC_COMM_SELF naming the file and the frame. */
#include "mesh/meshimpl.h"
#include <tiffio.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

static char stack_tiff_message[256];

static void StackTiffError(const char *module, const char *fmt, va_list ap)
{
  (void)module;
  if (stack_tiff_message[0]) return;
  vsnprintf(stack_tiff_message, sizeof(stack_tiff_message), fmt, ap);
}

/* Run libtiff calls with our handlers: errors are kept in stack_tiff_message, warnings dropped */
typedef struct {
  TIFFErrorHandler error, warning;
} TiffHandlers;

static void TiffQuiet(TiffHandlers *saved)
{
  stack_tiff_message[0] = 0;
  saved->error          = TIFFSetErrorHandler(StackTiffError);
  saved->warning        = TIFFSetWarningHandler(NULL);
}

static void TiffRestore(const TiffHandlers *saved)
{
  TIFFSetErrorHandler(saved->error);
  TIFFSetWarningHandler(saved->warning);
}

/* ---------------------------------------------------------------- writer ---------------- */
struct _p_MeshStackWriter {
  char     path[PETSC_MAX_PATH_LEN];
  FileOut  out;
  TIFF    *tif;
  PetscInt rows, cols, bits, pages;
  void    *row;
};

/* A libtiff write failed: keep its errno (or the disk's state) in the FileOut and raise it */
static PetscErrorCode StackWriteFailed(MeshStackWriter w, int errnum)
{
  PetscFunctionBeginUser;
  PetscCall(PetscInfo(NULL, "writing %s failed (errno %d; libtiff: %s)\n", w->path, errnum, stack_tiff_message[0] ? stack_tiff_message : "no message"));
  PetscCall(FileOutSetFailed(w->out, errnum));
  PetscCall(FileOutCheck(w->out));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshStackWriterOpen(const char path[], PetscInt rows, PetscInt cols, PetscInt bits, MeshStackWriter *out)
{
  MeshStackWriter w;
  TiffHandlers    saved;
  FILE           *fp;
  const char     *temporary;
  int             fd, e;

  PetscFunctionBeginUser;
  *out = NULL;
  PetscCheck(bits == 16 || bits == 32, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image stack '%s': spot writes 16-bit integer or 32-bit float TIFF stacks, not %" PetscInt_FMT "-bit", path, bits);
  PetscCheck(rows > 0 && cols > 0 && rows <= 65536 && cols <= 65536, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image stack '%s': unusable frame size %" PetscInt_FMT " x %" PetscInt_FMT, path, rows, cols);
  PetscCall(PetscNew(&w));
  PetscCall(PetscStrncpy(w->path, path, sizeof(w->path)));
  w->rows = rows;
  w->cols = cols;
  w->bits = bits;
  {
    PetscErrorCode ierr = FileOutCreate(path, &w->out);
    if (ierr) PetscCall(PetscFree(w));
    PetscCall(ierr);
  }
  PetscCall(PetscMalloc((size_t)cols * (bits / 8), &w->row));
  PetscCall(FileOutGetStream(w->out, &fp));
  PetscCall(FileOutGetPath(w->out, NULL, &temporary));
  TiffQuiet(&saved);
  /* libtiff reads back what it wrote (to link the pages): it needs the temporary open for reading
     and writing; the FileOut's descriptor is write-only. Reopened without following links, and
     it must be the very file FileOutCreate made. */
  errno = 0;
  fd    = open(temporary, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  e     = errno;
  if (fd >= 0) {
    struct stat mine, theirs;
    if (fstat(fd, &theirs) || fstat(fileno(fp), &mine) || mine.st_dev != theirs.st_dev || mine.st_ino != theirs.st_ino) {
      e = EEXIST;
      close(fd);
      fd = -1;
    }
  }
  if (fd >= 0) {
    w->tif = TIFFFdOpen(fd, temporary, "w"); /* TIFFClose closes fd; the FileOut keeps its own */
    e      = errno;
    if (!w->tif) close(fd);
  }
  TiffRestore(&saved);
  if (!w->tif) {
    PetscErrorCode ierr = StackWriteFailed(w, e);
    PetscCall(FileOutDiscard(&w->out));
    PetscCall(PetscFree(w->row));
    PetscCall(PetscFree(w));
    PetscCall(ierr);
  }
  *out = w;
  PetscFunctionReturn(0);
}

/* Append one page (values[r * cols + c]); description may be NULL */
PetscErrorCode MeshStackWriterAdd(MeshStackWriter w, const PetscReal values[], const char description[])
{
  TiffHandlers saved;
  int          ok = 1, e = 0;

  PetscFunctionBeginUser;
  PetscCall(FileOutCheck(w->out)); /* failed earlier: the same line again */
  TiffQuiet(&saved);
  TIFFSetField(w->tif, TIFFTAG_IMAGEWIDTH, (uint32_t)w->cols);
  TIFFSetField(w->tif, TIFFTAG_IMAGELENGTH, (uint32_t)w->rows);
  TIFFSetField(w->tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)w->bits);
  TIFFSetField(w->tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)1);
  TIFFSetField(w->tif, TIFFTAG_SAMPLEFORMAT, (uint16_t)(w->bits == 32 ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT));
  TIFFSetField(w->tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(w->tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(w->tif, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  TIFFSetField(w->tif, TIFFTAG_ROWSPERSTRIP, (uint32_t)w->rows);
  TIFFSetField(w->tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField(w->tif, TIFFTAG_SOFTWARE, "spot");
  if (description) TIFFSetField(w->tif, TIFFTAG_IMAGEDESCRIPTION, description);
  errno = 0;
  for (PetscInt r = 0; r < w->rows && ok; ++r) {
    const PetscReal *v = values + (size_t)r * w->cols;
    if (w->bits == 16) {
      uint16_t *row = (uint16_t *)w->row;
      for (PetscInt c = 0; c < w->cols; ++c) {
        const double s = PetscIsNanReal(v[c]) ? 0 : 65535.0 * v[c] + 0.5;
        row[c]         = (uint16_t)(s < 0 ? 0 : (s > 65535 ? 65535 : s));
      }
    } else {
      float *row = (float *)w->row;
      for (PetscInt c = 0; c < w->cols; ++c) row[c] = (float)v[c];
    }
    if (TIFFWriteScanline(w->tif, w->row, (uint32_t)r, 0) < 0) ok = 0;
  }
  if (ok && !TIFFWriteDirectory(w->tif)) ok = 0;
  e = errno;
  TiffRestore(&saved);
  if (!ok) PetscCall(StackWriteFailed(w, e));
  ++w->pages;
  PetscFunctionReturn(0);
}

/* Close; keep: publish the finished file, otherwise remove it. A failure to finish it is
   raised after the temporary is gone. */
PetscErrorCode MeshStackWriterClose(MeshStackWriter *pw, PetscBool keep)
{
  MeshStackWriter w = *pw;
  PetscErrorCode  ierr = 0;

  PetscFunctionBeginUser;
  if (!w) PetscFunctionReturn(0);
  *pw = NULL;
  if (w->tif) {
    TiffHandlers saved;
    int          ok;
    TiffQuiet(&saved);
    errno = 0;
    ok    = TIFFFlush(w->tif);
    if (!ok) PetscCall(FileOutSetFailed(w->out, errno));
    TIFFClose(w->tif);
    TiffRestore(&saved);
    w->tif = NULL;
  }
  if (keep && w->pages) ierr = FileOutPublish(&w->out); /* flush, sync, close, rename: each checked */
  PetscCall(FileOutDiscard(&w->out));
  PetscCall(PetscFree(w->row));
  PetscCall(PetscFree(w));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- reader ---------------- */
struct _p_MeshStack {
  char      path[PETSC_MAX_PATH_LEN]; /* the file, or the printf pattern of a series */
  PetscBool series;
  PetscInt  first, frames;
  PetscInt  rows, cols, bits;
  TIFF     *tif;
  PetscInt  dir; /* directory libtiff is on */
};

static PetscErrorCode SeriesName(const MeshStack s, PetscInt frame, char name[], size_t len)
{
  PetscFunctionBeginUser;
  if (snprintf(name, len, s->path, (int)(s->first + frame)) >= (int)len) name[len - 1] = 0;
  PetscFunctionReturn(0);
}

static PetscBool IsTIFF(const char path[])
{
  unsigned char h[4] = {0};
  FILE         *fp   = fopen(path, "rb");
  size_t        n;
  if (!fp) return PETSC_FALSE;
  n = fread(h, 1, 4, fp);
  fclose(fp);
  /* classic TIFF (42) and BigTIFF (43), either byte order */
  return (n == 4 && ((h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) || (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43)))) ? PETSC_TRUE : PETSC_FALSE;
}

/* A printf pattern with exactly one integer conversion (%d, %03d, %5d, %i) */
static PetscBool IsPattern(const char path[])
{
  const char *p = strchr(path, '%');
  if (!p) return PETSC_FALSE;
  ++p;
  while (*p >= '0' && *p <= '9') ++p;
  if (*p != 'd' && *p != 'i') return PETSC_FALSE;
  return strchr(p, '%') ? PETSC_FALSE : PETSC_TRUE;
}

/* Can this TIFF directory be decoded by the fast path? */
static PetscBool TiffFastPath(TIFF *tif, uint32_t *w, uint32_t *h, uint16_t *bits, uint16_t *format, uint16_t *photometric)
{
  uint16_t spp = 1, planar = PLANARCONFIG_CONTIG;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, w);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, h);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, format);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, photometric)) *photometric = PHOTOMETRIC_MINISBLACK;
  if (spp != 1 || TIFFIsTiled(tif)) return PETSC_FALSE;
  if (*photometric != PHOTOMETRIC_MINISBLACK && *photometric != PHOTOMETRIC_MINISWHITE) return PETSC_FALSE;
  if (*format == SAMPLEFORMAT_UINT && (*bits == 8 || *bits == 16)) return PETSC_TRUE;
  if (*format == SAMPLEFORMAT_IEEEFP && *bits == 32) return PETSC_TRUE;
  return PETSC_FALSE;
}

PetscErrorCode MeshStackOpen(const char path[], PetscInt first, MeshStack *out)
{
  MeshStack   s;
  struct stat st;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  PetscCall(PetscStrncpy(s->path, path, sizeof(s->path)));
  s->first  = first;
  s->series = IsPattern(path);
  if (s->series) {
    char name[PETSC_MAX_PATH_LEN];
    for (;;) {
      PetscCall(SeriesName(s, s->frames, name, sizeof(name)));
      if (stat(name, &st) || S_ISDIR(st.st_mode)) break;
      ++s->frames;
    }
    if (!s->frames) {
      PetscCall(SeriesName(s, 0, name, sizeof(name)));
      PetscCall(PetscFree(s));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image stack '%s' is empty: there is no file '%s' (the series is numbered from %" PetscInt_FMT ")", path, name, first);
    }
  } else {
    errno = 0;
    if (stat(path, &st) || S_ISDIR(st.st_mode)) {
      const char *why = errno ? strerror(errno) : "it is a directory";
      PetscCall(PetscFree(s));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image stack '%s': %s", path, why);
    }
    if (st.st_size == 0) {
      PetscCall(PetscFree(s));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "image stack '%s' is empty: the file has no frames (0 bytes)", path);
    }
    if (IsTIFF(path)) {
      TiffHandlers saved;
      TiffQuiet(&saved);
      s->tif = TIFFOpen(path, "r");
      if (s->tif) s->frames = (PetscInt)TIFFNumberOfDirectories(s->tif);
      if (s->tif) TIFFSetDirectory(s->tif, 0);
      TiffRestore(&saved);
      if (!s->tif || s->frames < 1) {
        if (s->tif) TIFFClose(s->tif);
        PetscCall(PetscFree(s));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read image stack '%s': the TIFF file is truncated or corrupt (libtiff: %s)", path, stack_tiff_message[0] ? stack_tiff_message : "no readable page");
      }
      s->dir = 0;
    } else s->frames = 1; /* a single PNG/PGM image: one frame */
  }
  s->rows = s->cols = -1;
  *out    = s;
  PetscFunctionReturn(0);
}

PetscErrorCode MeshStackGetInfo(MeshStack s, PetscInt *frames, PetscBool *series)
{
  PetscFunctionBeginUser;
  if (frames) *frames = s->frames;
  if (series) *series = s->series;
  PetscFunctionReturn(0);
}

/* The file holding a frame (the stack itself for a TIFF), for messages */
PetscErrorCode MeshStackFrameName(MeshStack s, PetscInt frame, char name[], size_t len)
{
  PetscFunctionBeginUser;
  if (s->series) PetscCall(SeriesName(s, frame, name, len));
  else PetscCall(PetscStrncpy(name, s->path, len));
  PetscFunctionReturn(0);
}

/* Decode the current TIFF directory by scanlines into img (fast path) */
static int TiffDecodeDirectory(TIFF *tif, uint32_t w, uint32_t h, uint16_t bits, uint16_t format, uint16_t photometric, PetscReal grey[])
{
  tmsize_t size = TIFFScanlineSize(tif);
  void    *buf  = malloc((size_t)size + 16);
  int      ok   = buf ? 1 : 0;
  for (uint32_t y = 0; y < h && ok; ++y) {
    PetscReal *g = grey + (size_t)y * w;
    if (TIFFReadScanline(tif, buf, y, 0) < 0) {
      ok = 0;
      break;
    }
    if (format == SAMPLEFORMAT_IEEEFP)
      for (uint32_t x = 0; x < w; ++x) g[x] = (PetscReal)((const float *)buf)[x];
    else if (bits == 16)
      for (uint32_t x = 0; x < w; ++x) g[x] = ((const uint16_t *)buf)[x] / 65535.0;
    else
      for (uint32_t x = 0; x < w; ++x) g[x] = ((const unsigned char *)buf)[x] / 255.0;
    if (photometric == PHOTOMETRIC_MINISWHITE) {
      if (format == SAMPLEFORMAT_IEEEFP)
        for (uint32_t x = 0; x < w; ++x) g[x] = -g[x];
      else
        for (uint32_t x = 0; x < w; ++x) g[x] = 1 - g[x];
    }
  }
  free(buf);
  return ok;
}

/* Frame `frame` (0-based) into values[rows * cols]; *rows, *cols: its size. values may be NULL
   to learn the size (then the frame is still decoded, to check it). Frames in increasing
   order read fastest. */
PetscErrorCode MeshStackRead(MeshStack s, PetscInt frame, PetscInt *rows, PetscInt *cols, PetscReal **values)
{
  MeshRaster img;
  char       name[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(frame >= 0 && frame < s->frames, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "frame %" PetscInt_FMT " of image stack '%s' does not exist (%" PetscInt_FMT " frames)", frame, s->path, s->frames);
  PetscCall(PetscMemzero(&img, sizeof(img)));
  if (s->tif) {
    TiffHandlers saved;
    uint32_t     w = 0, h = 0;
    uint16_t     bits = 0, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
    int          ok = 1, fast;
    TiffQuiet(&saved);
    if (frame != s->dir) {
      if (frame == s->dir + 1) ok = TIFFReadDirectory(s->tif);
      else ok = TIFFSetDirectory(s->tif, (tdir_t)frame);
      s->dir = ok ? frame : -1;
    }
    fast = ok ? TiffFastPath(s->tif, &w, &h, &bits, &format, &photometric) : 0;
    if (ok && fast) {
      PetscReal max_pixels;
      PetscCall(MeshGetMaxPixels(&max_pixels));
      if (!(w > 0 && h > 0 && w <= 65536 && h <= 65536)) ok = 0;
      else if ((double)w * h > max_pixels) {
        TiffRestore(&saved);
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "frame %" PetscInt_FMT " of image stack '%s' has %u x %u = %.3g pixels, more than -mesh_image_max_pixels allows (%.0f)", frame, s->path, (unsigned)w, (unsigned)h, (double)w * h, (double)max_pixels);
      }
      if (ok) {
        img.rows = (PetscInt)h;
        img.cols = (PetscInt)w;
        img.bits = bits;
        if (PetscMalloc1((size_t)w * h, &img.grey)) ok = 0;
        else ok = TiffDecodeDirectory(s->tif, w, h, bits, format, photometric, img.grey);
      }
    }
    TiffRestore(&saved);
    if (!ok) {
      PetscCall(PetscFree(img.grey));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read frame %" PetscInt_FMT " of image stack '%s': the page is truncated or corrupt (libtiff: %s)", frame, s->path, stack_tiff_message[0] ? stack_tiff_message : "read error");
    }
    if (!fast) { /* colour, palette, tiled: the general reader */
      MeshCaptured  captured = {0, ""};
      PetscErrorCode ierr;
      PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
      ierr = MeshRasterRead(s->path, frame, &img);
      PetscCall(PetscPopErrorHandler());
      if (ierr) {
        PetscCall(MeshRasterDestroy(&img));
        SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read frame %" PetscInt_FMT " of image stack '%s': %s", frame, s->path, captured.message);
      }
    }
  } else {
    MeshCaptured  captured = {0, ""};
    PetscErrorCode ierr;
    PetscCall(MeshStackFrameName(s, frame, name, sizeof(name)));
    PetscCall(PetscPushErrorHandler(MeshCaptureError, &captured));
    ierr = MeshRasterRead(name, 0, &img);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(MeshRasterDestroy(&img));
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "cannot read frame %" PetscInt_FMT " of image stack '%s': %s", frame, s->path, captured.message);
    }
  }
  if (s->rows < 0) {
    s->rows = img.rows;
    s->cols = img.cols;
    s->bits = img.bits;
  } else if (img.rows != s->rows || img.cols != s->cols) {
    const PetscInt r = img.rows, c = img.cols;
    PetscCall(MeshRasterDestroy(&img));
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "frame %" PetscInt_FMT " of image stack '%s' has %" PetscInt_FMT " x %" PetscInt_FMT " pixels, but the first frame read has %" PetscInt_FMT " x %" PetscInt_FMT ": every frame must have the same size", frame, s->path, r, c, s->rows, s->cols);
  }
  if (rows) *rows = img.rows;
  if (cols) *cols = img.cols;
  if (values) *values = img.grey;
  else PetscCall(MeshRasterDestroy(&img));
  PetscFunctionReturn(0);
}

PetscErrorCode MeshStackClose(MeshStack *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  if ((*s)->tif) {
    TiffHandlers saved;
    TiffQuiet(&saved);
    TIFFClose((*s)->tif);
    TiffRestore(&saved);
  }
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- the particle of a frame */
/* The particle of a grey image, as spot mesh finds it: Gaussian denoising (sigma px), Otsu's
   threshold, the largest region brighter than it (darker with invert), holes filled. mask[i]
   is 1 on the particle. The segmentation's user errors ("... has no particle: ...") pass
   through, naming the image `name`. */
PetscErrorCode ImageFrameSpec(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal pixel_size, PetscReal sigma, PetscBool invert, MeshRaster *img, ImageSpec *spec)
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(img, sizeof(*img)));
  PetscCall(PetscMemzero(spec, sizeof(*spec)));
  img->rows  = rows;
  img->cols  = cols;
  img->pages = 1;
  img->bits  = 16;
  img->grey  = (PetscReal *)grey; /* read only */
  PetscCall(PetscStrncpy(spec->file, name, sizeof(spec->file)));
  spec->pixel_size = pixel_size;
  spec->invert     = invert;
  spec->sigma      = sigma;
  spec->threshold  = -1;
  spec->smoothing  = 1;
  PetscFunctionReturn(0);
}

PetscErrorCode MeshImageParticleMask(PetscInt rows, PetscInt cols, const PetscReal grey[], const char name[], PetscReal sigma, PetscBool invert, unsigned char mask[], PetscReal *threshold, PetscInt *pixels)
{
  MeshRaster        img;
  ImageSpec         spec;
  ImageSegmentation seg;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&seg, sizeof(seg)));
  PetscCall(ImageFrameSpec(rows, cols, grey, name, 1, sigma, invert, &img, &spec));
  PetscCall(ImageSegment(&img, &spec, &seg));
  for (size_t i = 0; i < (size_t)rows * cols; ++i) mask[i] = seg.mask[i] ? 1 : 0;
  if (threshold) *threshold = spec.invert ? 1 - seg.threshold : seg.threshold;
  if (pixels) *pixels = seg.pixels;
  PetscCall(ImageSegmentationDestroy(&seg));
  PetscFunctionReturn(0);
}
