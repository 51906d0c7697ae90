/* spot's own check of a Gmsh .msh file, made on rank 0 before PETSc's reader sees it.

   PETSc 3.18's reader trusts its input: counts size its allocations, node and entity tags
   index tables unchecked, words go into 4096-byte stack buffers, a physical name into 130
   bytes. A bad file then smashes the stack, crashes, or hangs. This file reads msh 2.2 and 4.1,
   ASCII and binary, exactly as PETSc's reader will (the same words, the same bytes), and
   refuses, in one line naming the file and line (or byte), anything PETSc could not read safely
   or spot could not use:
   - structure: $MeshFormat first, then $PhysicalNames, $Entities (4.1), $Nodes, $Elements in
     PETSc's order ($Comments anywhere); every section closed by its $End...; sections after
     $Elements skipped; $Periodic refused; no control bytes in text, no word over 4000 bytes;
   - numbers: every count checked against the bytes left before anything is allocated, every
     integer in range, every coordinate finite; node tags unique and within a table PETSc can
     allocate; every node an element names defined; every entity a block names defined;
   - content: first-order triangles (2-D) or tetrahedra (3-D) with lines/triangles and points
     below them; physical names PETSc parses as written; a "surface" group of dimension dim-1;
     no FILE.info beside a binary file (PETSc's binary viewer would read it as options);
     at most -mesh_max_cells cells (default 10 000 000) and a file of at most 256 bytes a cell;
   - the mesh as a mesh: no cell with a repeated node or zero area/volume; one orientation for
     all cells (all clockwise is fine for the lean assembly; a mix means a fold); every face in
     at most two cells, on opposite sides of it; no duplicate cells; lower-dimensional elements
     are sides of cells, and "surface" faces lie on the boundary; the boundary does not cross or
     touch itself, and the mesh covers the inside of each piece of its boundary once (2-D: edges
     tested pairwise on a hashed grid, loops; 3-D: boundary edges in two faces, triangles tested
     pairwise on a hashed grid, a vertical ray; and the divergence theorem: the cells' volume is
     the volume the boundary encloses).
   All of it runs in time linear in the file (plus sorting the boundary): 0.2 to 0.9 s a million
   cells (binary to ASCII; tests/test_msh_check speed), a fraction of PETSc's reading. */
#include "mesh/meshimpl.h"
#include "input/input.h"
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MSH_DEFAULT_MAX_CELLS 10000000
#define MSH_BYTES_PER_CELL    256      /* the file cap: a mesh file of max_cells cells in ASCII, with room to spare */
#define MSH_MAX_WORD          4000     /* PETSc reads a word into a 4096-byte buffer */
#define MSH_MAX_NAME          127      /* Gmsh's limit on a physical name; PETSc copies at most 129 bytes */
#define MSH_MAX_PHYSICALS     16       /* PETSc keeps at most 16 physical tags of an entity */
#define MSH_MAX_ELEMENT_TAGS  100      /* msh 2.2: PETSc reads an element's tags and nodes into 1005 ints */
#define MSH_MAX_COORDINATE    1e30     /* so that products of coordinate differences stay finite */

enum {
  MSH_SURFACE = 1 /* one of the element's physical tags is a group named "surface" of its dimension */
};

typedef struct {
  int    dim, tag;
  size_t offset;
  char   name[MSH_MAX_NAME + 1];
} MshPhysical;

typedef struct {
  int           tag;
  unsigned char flags;
  size_t        offset;
} MshEntity;

typedef struct {
  /* the file, mapped into memory (or read, where it cannot be mapped) */
  const char          *path, *where;
  const unsigned char *buf;
  void                *mapped;
  size_t               size, pos;
  PetscBool            binary, swap;
  int                  version;    /* 22 or 41 */
  int                  size_bytes; /* width of a size_t field in binary 4.1: 4 or 8 */
  PetscInt             max_cells;
  /* $PhysicalNames */
  PetscInt     nphysicals;
  MshPhysical *physicals;
  PetscInt     nsurface_tags[4];
  int         *surface_tags[4]; /* tags of the groups named "surface", sorted, by dimension */
  /* $Entities (4.1), sorted by tag within each dimension */
  PetscInt   nentities[4];
  MshEntity *entities[4];
  /* $Nodes */
  PetscInt nnodes;
  int     *node_tags;
  double  *xyz;
  size_t   nodes_offset;
  int      tag_min;
  PetscInt tag_span;
  int     *node_index; /* [tag - tag_min]: index of the node, or -1 */
  /* $Elements that spot can use: points, lines, triangles, tetrahedra (first order) */
  PetscInt       nelements;
  int           *element_nodes; /* 4 per element: node indices, -1 past the element's own */
  unsigned char *element_dim, *element_flags;
  size_t        *element_offset;
  int            max_dim;       /* of any element, usable or not */
  int            bad_type[4];   /* first element of another type, by dimension (0: none) */
  size_t         bad_offset[4];
} MshFile;

/* ------------------------------------------------------------------------------------------
   Messages: "[where: ]file.msh:LINE: text" (ASCII) or "file.msh:byte N: text" (binary) */

static void MshLocation(const MshFile *f, size_t offset, char loc[], size_t len)
{
  if (f->binary) snprintf(loc, len, "%s:byte %zu", f->path, offset);
  else {
    size_t line = 1;
    for (const unsigned char *p = f->buf, *end = f->buf + PetscMin(offset, f->size); (p = memchr(p, '\n', (size_t)(end - p))); ++p) ++line;
    snprintf(loc, len, "%s:%zu", f->path, line);
  }
}

static PetscErrorCode MshError(const MshFile *f, size_t offset, const char text[])
{
  char loc[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  MshLocation(f, offset, loc, sizeof(loc));
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%s%s: %s", f->where ? f->where : "", f->where ? ": " : "", loc, text);
}

/* A fault of the whole mesh: "[where: ]mesh 'file.msh' text" */
static PetscErrorCode MshMeshError(const MshFile *f, const char text[])
{
  PetscFunctionBeginUser;
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%smesh '%s' %s", f->where ? f->where : "", f->where ? ": " : "", f->path, text);
}

#define MshCheck(f, offset, cond, ...) \
  do { \
    if (PetscUnlikely(!(cond))) { \
      char msh_text_[768]; /* snprintf: PetscSNPrintf writes 0 as "0." */ \
      snprintf(msh_text_, sizeof(msh_text_), __VA_ARGS__); \
      PetscCall(MshError(f, offset, msh_text_)); \
    } \
  } while (0)

#define MshMeshCheck(f, cond, ...) \
  do { \
    if (PetscUnlikely(!(cond))) { \
      char msh_text_[768]; \
      snprintf(msh_text_, sizeof(msh_text_), __VA_ARGS__); \
      PetscCall(MshMeshError(f, msh_text_)); \
    } \
  } while (0)

/* A word of the file for a message: quoted, at most 24 bytes, non-printable bytes as '?' */
static void MshQuote(const unsigned char *w, size_t len, char out[32])
{
  size_t n = PetscMin(len, 24), k = 0;
  out[k++] = '\'';
  for (size_t i = 0; i < n; ++i) out[k++] = (w[i] >= 0x20 && w[i] < 0x7f) ? (char)w[i] : '?';
  if (len > n) out[k++] = '.', out[k++] = '.', out[k++] = '.';
  out[k++] = '\'';
  out[k]   = 0;
}

/* The tag of the element that starts at offset (for messages; the tag was read and checked before) */
static PetscInt64 MshTagAt(const MshFile *f, size_t offset)
{
  if (f->binary) {
    const size_t  n = (f->version == 41 && f->size_bytes == 8) ? 8 : 4;
    unsigned char b[8];
    uint64_t      u = 0;
    if (offset + n > f->size) return 0;
    for (size_t i = 0; i < n; ++i) b[i] = f->buf[offset + (f->swap ? n - 1 - i : i)];
    if (n == 8) memcpy(&u, b, 8);
    else {
      uint32_t u4;
      memcpy(&u4, b, 4);
      u = u4;
    }
    return (PetscInt64)u;
  }
  {
    PetscInt64 v = 0;
    for (size_t i = offset; i < f->size && i < offset + 18 && f->buf[i] >= '0' && f->buf[i] <= '9'; ++i) v = 10 * v + (f->buf[i] - '0');
    return v;
  }
}

static PetscInt64 MshElementTag(const MshFile *f, PetscInt e)
{
  return MshTagAt(f, f->element_offset[e]);
}

/* ------------------------------------------------------------------------------------------
   Reading: words of text as PETSc's reader takes them, or bytes of binary data */

static inline PetscBool MshSpace(unsigned char c)
{
  return (c == ' ' || c == '\n' || c == '\r' || c == '\t') ? PETSC_TRUE : PETSC_FALSE;
}

/* Skip white space; any other control byte means this is not text */
static PetscErrorCode MshSkipSpace(MshFile *f)
{
  PetscFunctionBeginUser;
  while (f->pos < f->size && MshSpace(f->buf[f->pos])) ++f->pos;
  if (f->pos < f->size) {
    const unsigned char c = f->buf[f->pos];
    MshCheck(f, f->pos, c >= 0x20 && c != 0x7f, "byte 0x%02x where text was expected%s", c, !f->version ? ": this is not a Gmsh mesh, which starts with the line $MeshFormat" : f->binary ? "" : " (a binary mesh has file-type 1 in $MeshFormat)");
  }
  PetscFunctionReturn(0);
}

/* Before an item of data: in an ASCII file, skip to its first byte (for its offset); a binary
   item starts where the last one ended */
static PetscErrorCode MshSkipToItem(MshFile *f)
{
  PetscFunctionBeginUser;
  if (!f->binary) PetscCall(MshSkipSpace(f));
  PetscFunctionReturn(0);
}

/* The next word, and the one white-space byte after it, which PETSc's reader takes with it (in a
   binary file the binary data starts right after that byte) */
static PetscErrorCode MshWord(MshFile *f, const char what[], const unsigned char **word, size_t *len)
{
  size_t start;

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  MshCheck(f, f->pos, f->pos < f->size, "the file ends where %s was expected; is it truncated?", what);
  start = f->pos;
  while (f->pos < f->size && !MshSpace(f->buf[f->pos])) {
    const unsigned char c = f->buf[f->pos];
    MshCheck(f, f->pos, c >= 0x20 && c != 0x7f, "byte 0x%02x inside a word where %s was expected%s", c, what, !f->version ? ": this is not a Gmsh mesh, which starts with the line $MeshFormat" : f->binary ? "" : " (a binary mesh has file-type 1 in $MeshFormat)");
    MshCheck(f, start, f->pos - start < MSH_MAX_WORD, "a word of more than %d bytes where %s was expected (PETSc's reader takes words of at most 4095 bytes)", MSH_MAX_WORD, what);
    ++f->pos;
  }
  *word = f->buf + start;
  *len  = f->pos - start;
  if (f->pos < f->size) ++f->pos;
  PetscFunctionReturn(0);
}

static PetscBool MshWordIs(const unsigned char *w, size_t len, const char s[])
{
  return (len == strlen(s) && !memcmp(w, s, len)) ? PETSC_TRUE : PETSC_FALSE;
}

static PetscErrorCode MshParseInteger(MshFile *f, size_t at, const unsigned char *w, size_t len, const char what[], PetscInt64 lo, PetscInt64 hi, PetscInt64 *value)
{
  size_t     i  = (w[0] == '+' || w[0] == '-') ? 1 : 0;
  PetscBool  ok = (i < len && len - i <= 18) ? PETSC_TRUE : PETSC_FALSE;
  PetscInt64 v  = 0;

  PetscFunctionBeginUser;
  for (size_t k = i; ok && k < len; ++k) {
    if (w[k] < '0' || w[k] > '9') ok = PETSC_FALSE;
    else v = 10 * v + (w[k] - '0');
  }
  if (!ok) {
    char      q[32];
    PetscBool digits = i < len ? PETSC_TRUE : PETSC_FALSE;
    for (size_t k = i; k < len; ++k)
      if (w[k] < '0' || w[k] > '9') digits = PETSC_FALSE;
    MshQuote(w, len, q);
    MshCheck(f, at, !digits, "%s is %s, out of range: expected %" PetscInt64_FMT " to %" PetscInt64_FMT, what, q, lo, hi);
    MshCheck(f, at, PETSC_FALSE, "expected %s (an integer), found %s", what, q);
  }
  if (w[0] == '-') v = -v;
  MshCheck(f, at, v >= lo && v <= hi, "%s is %" PetscInt64_FMT ", out of range: expected %" PetscInt64_FMT " to %" PetscInt64_FMT, what, v, lo, hi);
  *value = v;
  PetscFunctionReturn(0);
}

/* strtod of a word, which ends in white space or at the end of the file (no 0 after a mapping) */
static double MshStrtod(const unsigned char *w, size_t len, PetscBool *whole)
{
  char        copy[MSH_MAX_WORD + 1], *end;
  const size_t n = PetscMin(len, (size_t)MSH_MAX_WORD);
  double       v;
  memcpy(copy, w, n);
  copy[n] = 0;
  v       = strtod(copy, &end);
  *whole  = (end == copy + n && n == len) ? PETSC_TRUE : PETSC_FALSE;
  return v;
}

static PetscErrorCode MshCheckReal(MshFile *f, size_t at, double v, double limit, const char what[])
{
  PetscFunctionBeginUser;
  MshCheck(f, at, isfinite(v), "%s is not a finite number (%g)", what, v);
  MshCheck(f, at, fabs(v) <= limit, "%s is %g, out of range: spot reads coordinates up to %g in size", what, v, limit);
  PetscFunctionReturn(0);
}

/* An integer written as text, also in a binary file (counts of msh 2.2, the format line) */
static PetscErrorCode MshTextInteger(MshFile *f, const char what[], PetscInt64 lo, PetscInt64 hi, PetscInt64 *value)
{
  const unsigned char *w;
  size_t               len;

  PetscFunctionBeginUser;
  PetscCall(MshWord(f, what, &w, &len));
  PetscCall(MshParseInteger(f, (size_t)(w - f->buf), w, len, what, lo, hi, value));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshBytes(MshFile *f, size_t n, const char what[], void *out)
{
  unsigned char *o = (unsigned char *)out;

  PetscFunctionBeginUser;
  MshCheck(f, f->pos, f->size - f->pos >= n, "the file ends inside the binary data where %s was expected; is it truncated?", what);
  if (f->swap)
    for (size_t i = 0; i < n; ++i) o[i] = f->buf[f->pos + n - 1 - i];
  else memcpy(o, f->buf + f->pos, n);
  f->pos += n;
  PetscFunctionReturn(0);
}

/* An int field: a word of text, or 4 bytes */
static PetscErrorCode MshReadInt(MshFile *f, const char what[], PetscInt64 lo, PetscInt64 hi, int *value)
{
  PetscInt64 v;

  PetscFunctionBeginUser;
  if (f->binary) {
    const size_t at = f->pos;
    int32_t      i;
    PetscCall(MshBytes(f, 4, what, &i));
    v = i;
    MshCheck(f, at, v >= lo && v <= hi, "%s is %" PetscInt64_FMT ", out of range: expected %" PetscInt64_FMT " to %" PetscInt64_FMT, what, v, lo, hi);
  } else PetscCall(MshTextInteger(f, what, lo, hi, &v));
  *value = (int)v;
  PetscFunctionReturn(0);
}

/* A size_t field of msh 4.1: a word of text, or 4 or 8 bytes; PETSc keeps it in a 32-bit int */
static PetscErrorCode MshReadSize(MshFile *f, const char what[], PetscInt64 lo, PetscInt64 hi, PetscInt64 *value)
{
  PetscFunctionBeginUser;
  if (f->binary) {
    const size_t at = f->pos;
    uint64_t     u;
    if (f->size_bytes == 4) {
      uint32_t u4;
      PetscCall(MshBytes(f, 4, what, &u4));
      u = u4;
    } else PetscCall(MshBytes(f, 8, what, &u));
    MshCheck(f, at, u <= (uint64_t)hi && (PetscInt64)u >= lo, "%s is %llu, out of range: expected %" PetscInt64_FMT " to %" PetscInt64_FMT, what, (unsigned long long)u, lo, hi);
    *value = (PetscInt64)u;
  } else PetscCall(MshTextInteger(f, what, lo, hi, value));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshReadReal(MshFile *f, const char what[], double limit, double *value)
{
  size_t at = f->pos;

  PetscFunctionBeginUser;
  if (f->binary) PetscCall(MshBytes(f, 8, what, value));
  else {
    const unsigned char *w;
    size_t               len;
    PetscBool            whole;
    PetscCall(MshWord(f, what, &w, &len));
    at     = (size_t)(w - f->buf);
    *value = MshStrtod(w, len, &whole);
    if (!whole) {
      char q[32];
      MshQuote(w, len, q);
      MshCheck(f, at, PETSC_FALSE, "expected %s (a number), found %s", what, q);
    }
  }
  PetscCall(MshCheckReal(f, at, *value, limit, what));
  PetscFunctionReturn(0);
}

/* A count the rest of the file must be able to hold: each item takes at least text_bytes of
   text or binary_bytes of binary data */
static PetscErrorCode MshCheckCount(MshFile *f, size_t at, PetscInt64 count, size_t text_bytes, size_t binary_bytes, const char what[])
{
  const size_t left = f->size - f->pos, each = f->binary ? binary_bytes : text_bytes;

  PetscFunctionBeginUser;
  MshCheck(f, at, count >= 0 && (uint64_t)count <= left / each, "%" PetscInt64_FMT " %s announced, but the %zu bytes left in the file hold at most %zu; is it truncated?", count, what, left, left / each);
  PetscFunctionReturn(0);
}

static PetscErrorCode MshExpectEnd(MshFile *f, const char end[])
{
  const unsigned char *w;
  size_t               len, at;
  char                 q[32];

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  at = f->pos;
  PetscCall(MshWord(f, end, &w, &len));
  MshQuote(w, len, q);
  MshCheck(f, at, MshWordIs(w, len, end), "expected %s, found %s: the section holds more or less data than it announces", end, q);
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------
   Gmsh element types: dimension and number of nodes (the types PETSc's reader knows, and the
   incomplete ones it does not) */

static PetscBool MshElementShape(int type, int *dim, int *nodes)
{
  static const int table[][3] = {
    {15, 0, 1},  {1, 1, 2},   {8, 1, 3},   {26, 1, 4},  {27, 1, 5},  {28, 1, 6},  {62, 1, 7},   {63, 1, 8},   {64, 1, 9},   {65, 1, 10},  {66, 1, 11},
    {2, 2, 3},   {9, 2, 6},   {20, 2, 9},  {21, 2, 10}, {22, 2, 12}, {23, 2, 15}, {24, 2, 15},  {25, 2, 21},  {42, 2, 28},  {43, 2, 36},  {44, 2, 45},
    {45, 2, 55}, {46, 2, 66}, {3, 2, 4},   {10, 2, 9},  {16, 2, 8},  {36, 2, 16}, {37, 2, 25},  {38, 2, 36},  {47, 2, 49},  {48, 2, 64},  {49, 2, 81},
    {50, 2, 100}, {51, 2, 121}, {4, 3, 4}, {11, 3, 10}, {29, 3, 20}, {30, 3, 35}, {31, 3, 56},  {71, 3, 84},  {72, 3, 120}, {73, 3, 165}, {74, 3, 220},
    {75, 3, 286}, {5, 3, 8},  {12, 3, 27}, {17, 3, 20}, {92, 3, 64}, {93, 3, 125}, {94, 3, 216}, {95, 3, 343}, {96, 3, 512}, {97, 3, 729}, {98, 3, 1000},
    {6, 3, 6},   {13, 3, 18}, {18, 3, 15}, {90, 3, 40}, {91, 3, 75}, {106, 3, 126}, {107, 3, 196}, {108, 3, 288}, {109, 3, 405}, {110, 3, 550}, {7, 3, 5},
    {14, 3, 14}, {19, 3, 13}, {118, 3, 30}, {119, 3, 55}, {120, 3, 91}, {121, 3, 140}, {122, 3, 204}, {123, 3, 285}, {124, 3, 385},
  };
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); ++i)
    if (table[i][0] == type) {
      *dim   = table[i][1];
      *nodes = table[i][2];
      return PETSC_TRUE;
    }
  return PETSC_FALSE;
}

/* The first-order type of each dimension, which spot uses */
static const int msh_usable_type[4] = {15, 1, 2, 4};
static const char *const msh_shape_name[4] = {"point", "line", "triangle", "tetrahedron"};

/* ------------------------------------------------------------------------------------------
   Sections */

static PetscErrorCode MshReadMeshFormat(MshFile *f)
{
  const unsigned char *w;
  size_t               len, at;
  double               version;
  char                 q[32];
  PetscBool            whole;
  PetscInt64           type, data_size;

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  at = f->pos;
  PetscCall(MshWord(f, "the format version (4.1 or 2.2)", &w, &len));
  MshQuote(w, len, q);
  version = MshStrtod(w, len, &whole);
  MshCheck(f, at, whole && isfinite(version), "expected the format version (4.1 or 2.2), found %s", q);
  if (fabs(version - 4.1) < 1e-9) f->version = 41;
  else if (fabs(version - 2.2) < 1e-9) f->version = 22;
  else MshCheck(f, at, PETSC_FALSE, "msh format version %s; spot reads versions 4.1 and 2.2, ASCII or binary: save the mesh again from Gmsh as version 4.1", q);
  PetscCall(MshTextInteger(f, "the file type (0: ASCII, 1: binary)", 0, 1, &type));
  at = f->pos;
  PetscCall(MshTextInteger(f, "the data size", 0, 64, &data_size));
  if (f->version == 22) MshCheck(f, at, data_size == 8, "data size %" PetscInt64_FMT ": msh 2.2 needs 8 (the size of a double)", data_size);
  else MshCheck(f, at, data_size == 4 || data_size == 8, "data size %" PetscInt64_FMT ": msh 4.1 needs 4 or 8 (the size of a size_t)", data_size);
  f->size_bytes = (int)data_size;
  if (type == 1) { /* the integer 1, written in the writer's byte order */
    uint32_t one;
    at        = f->pos;
    f->binary = PETSC_TRUE;
    PetscCall(MshBytes(f, 4, "the integer 1 that gives the byte order", &one));
    if (one == 0x01000000u) f->swap = PETSC_TRUE;
    else MshCheck(f, at, one == 1, "the integer 1 that gives the byte order of a binary mesh reads as %u", (unsigned)one);
  }
  PetscCall(MshExpectEnd(f, "$EndMeshFormat"));
  PetscFunctionReturn(0);
}

static int MshCompareInt(const void *a, const void *b)
{
  const int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

/* dim tag "name" lines, read as PETSc does: two words, then the rest of the line, in which the
   name is cut at the last ':' and copied into 130 bytes: so the rest must be just "name" */
static PetscErrorCode MshReadPhysicalNames(MshFile *f)
{
  PetscInt64 n;

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  {
    const size_t at = f->pos;
    PetscCall(MshTextInteger(f, "the number of physical names", 0, PETSC_MAX_INT, &n));
    PetscCall(MshCheckCount(f, at, n, 8, 8, "physical names"));
  }
  PetscCall(PetscCalloc1(n + 1, &f->physicals));
  for (PetscInt i = 0; i < n; ++i) {
    MshPhysical *p = &f->physicals[i];
    PetscInt64   v;
    size_t       at, end, close, nlen;
    PetscCall(MshSkipSpace(f));
    p->offset = at = f->pos;
    PetscCall(MshTextInteger(f, "the dimension of a physical group", 0, 3, &v));
    p->dim = (int)v;
    PetscCall(MshTextInteger(f, "the tag of a physical group", 1, PETSC_MAX_INT, &v));
    p->tag = (int)v;
    for (end = f->pos; end < f->size && f->buf[end] != '\n'; ++end) MshCheck(f, at, end - f->pos < MSH_MAX_WORD, "a physical name line of more than %d bytes", MSH_MAX_WORD);
    MshCheck(f, at, end > f->pos && f->buf[f->pos] == '"', "expected a line dim tag \"name\" with one space before the quoted name (PETSc's reader misreads anything else)");
    for (close = end; close > f->pos + 1 && f->buf[close - 1] != '"'; --close) MshCheck(f, at, MshSpace(f->buf[close - 1]), "expected a line dim tag \"name\" with nothing after the closing quote");
    MshCheck(f, at, close > f->pos + 1, "the physical name has no closing quote");
    nlen = close - f->pos - 2;
    MshCheck(f, at, nlen >= 1 && nlen <= MSH_MAX_NAME, "a physical name must have 1 to %d characters, this one has %zu", MSH_MAX_NAME, nlen);
    for (size_t k = 0; k < nlen; ++k) {
      const unsigned char c = f->buf[f->pos + 1 + k];
      MshCheck(f, at, c >= 0x20 && c != 0x7f && c != '"' && c != ':', "a physical name may not hold %s (PETSc's reader cuts a name at ':')", c == '"' ? "a quote" : c == ':' ? "':'" : "control bytes");
    }
    PetscCall(PetscMemcpy(p->name, f->buf + f->pos + 1, nlen));
    p->name[nlen] = 0;
    MshCheck(f, at, strcmp(p->name, "depth") && strcmp(p->name, "celltype"), "a physical group may not be called \"%s\": PETSc keeps its own label of that name", p->name);
    for (PetscInt j = 0; j < i; ++j) MshCheck(f, at, f->physicals[j].dim != p->dim || f->physicals[j].tag != p->tag, "physical group %d of dimension %d is named twice", p->tag, p->dim);
    f->pos = end < f->size ? end + 1 : end;
    f->nphysicals = i + 1;
  }
  PetscCall(MshExpectEnd(f, "$EndPhysicalNames"));
  for (int d = 0; d < 4; ++d) {
    PetscCall(PetscMalloc1(f->nphysicals + 1, &f->surface_tags[d]));
    for (PetscInt i = 0; i < f->nphysicals; ++i)
      if (f->physicals[i].dim == d && !strcmp(f->physicals[i].name, MESH_SURFACE_LABEL)) f->surface_tags[d][f->nsurface_tags[d]++] = f->physicals[i].tag;
    qsort(f->surface_tags[d], (size_t)f->nsurface_tags[d], sizeof(int), MshCompareInt);
  }
  PetscFunctionReturn(0);
}

/* Does a physical tag of dimension dim belong to a group named "surface"? */
static PetscBool MshIsSurfaceTag(const MshFile *f, int dim, int tag)
{
  if (dim < 0 || dim > 3 || !f->nsurface_tags[dim]) return PETSC_FALSE;
  return bsearch(&tag, f->surface_tags[dim], (size_t)f->nsurface_tags[dim], sizeof(int), MshCompareInt) ? PETSC_TRUE : PETSC_FALSE;
}

static int MshCompareEntity(const void *a, const void *b)
{
  const MshEntity *x = (const MshEntity *)a, *y = (const MshEntity *)b;
  return (x->tag > y->tag) - (x->tag < y->tag);
}

static const MshEntity *MshFindEntity(const MshFile *f, int dim, int tag)
{
  MshEntity key;
  key.tag = tag;
  if (dim < 0 || dim > 3 || !f->nentities[dim]) return NULL;
  return (const MshEntity *)bsearch(&key, f->entities[dim], (size_t)f->nentities[dim], sizeof(MshEntity), MshCompareEntity);
}

static PetscErrorCode MshReadEntities(MshFile *f)
{
  static const char *const kinds[4] = {"points", "curves", "surfaces", "volumes"};
  PetscInt64               count[4];

  PetscFunctionBeginUser;
  for (int d = 0; d < 4; ++d) {
    char what[64];
    PetscCall(PetscSNPrintf(what, sizeof(what), "the number of %s", kinds[d]));
    PetscCall(MshReadSize(f, what, 0, PETSC_MAX_INT, &count[d]));
  }
  for (int d = 0; d < 4; ++d) {
    PetscCall(MshCheckCount(f, f->pos, count[d], d ? 18 : 10, d ? 52 + 2 * (size_t)f->size_bytes : 28 + (size_t)f->size_bytes, kinds[d]));
    PetscCall(PetscCalloc1(count[d] + 1, &f->entities[d]));
  }
  for (int d = 0; d < 4; ++d) {
    for (PetscInt i = 0; i < count[d]; ++i) {
      MshEntity *e = &f->entities[d][i];
      PetscInt64 nphys, nbound;
      int        tag;
      double     box;
      PetscCall(MshSkipToItem(f));
      e->offset = f->pos;
      PetscCall(MshReadInt(f, "an entity tag", 1, PETSC_MAX_INT, &e->tag));
      for (int k = 0; k < (d ? 6 : 3); ++k) PetscCall(MshReadReal(f, d ? "a bounding-box coordinate" : "a point coordinate", PETSC_MAX_REAL, &box));
      PetscCall(MshReadSize(f, "the number of physical tags of an entity", 0, PETSC_MAX_INT, &nphys));
      MshCheck(f, e->offset, nphys <= MSH_MAX_PHYSICALS, "entity %d of dimension %d is in %" PetscInt64_FMT " physical groups; PETSc's reader takes at most %d", e->tag, d, nphys, MSH_MAX_PHYSICALS);
      for (PetscInt k = 0; k < nphys; ++k) {
        PetscCall(MshReadInt(f, "a physical tag", PETSC_MIN_INT, PETSC_MAX_INT, &tag));
        if (MshIsSurfaceTag(f, d, tag)) e->flags |= MSH_SURFACE;
      }
      if (d == 0) continue;
      PetscCall(MshReadSize(f, "the number of bounding entities", 0, PETSC_MAX_INT, &nbound));
      PetscCall(MshCheckCount(f, f->pos, nbound, 2, 4, "bounding entities"));
      for (PetscInt k = 0; k < nbound; ++k) PetscCall(MshReadInt(f, "a bounding entity tag", PETSC_MIN_INT, PETSC_MAX_INT, &tag));
    }
    f->nentities[d] = (PetscInt)count[d];
    qsort(f->entities[d], (size_t)count[d], sizeof(MshEntity), MshCompareEntity);
    for (PetscInt i = 1; i < count[d]; ++i) {
      const MshEntity *a = &f->entities[d][i - 1], *b = &f->entities[d][i];
      MshCheck(f, PetscMax(a->offset, b->offset), a->tag != b->tag, "entity %d of dimension %d is defined twice in $Entities", b->tag, d);
    }
  }
  PetscCall(MshExpectEnd(f, "$EndEntities"));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshAllocateNodes(MshFile *f, PetscInt64 n)
{
  PetscFunctionBeginUser;
  f->nnodes = (PetscInt)n;
  PetscCall(PetscMalloc2(n + 1, &f->node_tags, 3 * n + 3, &f->xyz));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshReadNodes41(MshFile *f)
{
  PetscInt64 nblocks, n, tmin, tmax, done = 0;
  size_t     at = f->pos;

  PetscFunctionBeginUser;
  PetscCall(MshReadSize(f, "the number of node blocks", 0, PETSC_MAX_INT, &nblocks));
  PetscCall(MshCheckCount(f, at, nblocks, 8, 12 + (size_t)f->size_bytes, "node blocks"));
  at = f->pos;
  PetscCall(MshReadSize(f, "the number of nodes", 0, PETSC_MAX_INT, &n));
  PetscCall(MshCheckCount(f, at, n, 8, 24 + (size_t)f->size_bytes, "nodes"));
  PetscCall(MshReadSize(f, "the smallest node tag", 0, PETSC_MAX_INT, &tmin));
  PetscCall(MshReadSize(f, "the largest node tag", 0, PETSC_MAX_INT, &tmax));
  MshCheck(f, at, n == 0 || (tmin >= 1 && tmin <= tmax), "node tags from %" PetscInt64_FMT " to %" PetscInt64_FMT ": tags start at 1 and the largest is not below the smallest", tmin, tmax);
  PetscCall(MshAllocateNodes(f, n));
  for (PetscInt64 b = 0; b < nblocks; ++b) {
    int        dim, tag, parametric;
    PetscInt64 m;
    PetscCall(MshSkipToItem(f));
    at = f->pos;
    PetscCall(MshReadInt(f, "the dimension of a node block's entity", 0, 3, &dim));
    PetscCall(MshReadInt(f, "the entity tag of a node block", PETSC_MIN_INT, PETSC_MAX_INT, &tag));
    MshCheck(f, at, MshFindEntity(f, dim, tag) != NULL, "node block %" PetscInt64_FMT " belongs to entity %d of dimension %d, which $Entities does not define", b + 1, tag, dim);
    PetscCall(MshReadInt(f, "the parametric flag of a node block", 0, 1, &parametric));
    MshCheck(f, at, !parametric, "node block %" PetscInt64_FMT " has parametric coordinates, which PETSc's reader does not take: save the mesh without them (Mesh.SaveParametric = 0)", b + 1);
    PetscCall(MshReadSize(f, "the number of nodes in a block", 0, PETSC_MAX_INT, &m));
    MshCheck(f, at, m <= n - done, "node block %" PetscInt64_FMT " announces %" PetscInt64_FMT " nodes, but $Nodes announced %" PetscInt64_FMT " in all and %" PetscInt64_FMT " are already read", b + 1, m, n, done);
    PetscCall(MshCheckCount(f, at, m, 8, 24 + (size_t)f->size_bytes, "nodes in a block"));
    for (PetscInt64 i = 0; i < m; ++i) {
      PetscInt64 t;
      PetscCall(MshReadSize(f, "a node tag", tmin, tmax, &t));
      f->node_tags[done + i] = (int)t;
    }
    for (PetscInt64 i = 0; i < 3 * m; ++i) PetscCall(MshReadReal(f, "a node coordinate", MSH_MAX_COORDINATE, &f->xyz[3 * done + i]));
    done += m;
  }
  MshCheck(f, f->pos, done == n, "the node blocks hold %" PetscInt64_FMT " nodes, but $Nodes announced %" PetscInt64_FMT, done, n);
  PetscCall(MshExpectEnd(f, "$EndNodes"));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshReadNodes22(MshFile *f)
{
  PetscInt64 n;
  size_t     at;

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  at = f->pos;
  PetscCall(MshTextInteger(f, "the number of nodes", 0, PETSC_MAX_INT, &n));
  PetscCall(MshCheckCount(f, at, n, 8, 28, "nodes"));
  PetscCall(MshAllocateNodes(f, n));
  for (PetscInt64 i = 0; i < n; ++i) {
    PetscCall(MshReadInt(f, "a node tag", 1, PETSC_MAX_INT, &f->node_tags[i]));
    for (int d = 0; d < 3; ++d) PetscCall(MshReadReal(f, "a node coordinate", MSH_MAX_COORDINATE, &f->xyz[3 * i + d]));
  }
  PetscCall(MshExpectEnd(f, "$EndNodes"));
  PetscFunctionReturn(0);
}

/* The table from node tag to node, as PETSc builds it: over the whole range of tags */
static PetscErrorCode MshIndexNodes(MshFile *f)
{
  int tmin = PETSC_MAX_INT, tmax = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < f->nnodes; ++i) {
    tmin = PetscMin(tmin, f->node_tags[i]);
    tmax = PetscMax(tmax, f->node_tags[i]);
  }
  if (!f->nnodes) tmin = tmax = 1;
  f->tag_min  = tmin;
  f->tag_span = (PetscInt)((PetscInt64)tmax - tmin + 1);
  MshCheck(f, f->nodes_offset, f->tag_span <= 8 * (PetscInt64)f->nnodes + 1000000, "node tags run from %d to %d for %" PetscInt_FMT " nodes; PETSc's reader makes a table over that whole range: number the nodes from 1 without large gaps", tmin, tmax, f->nnodes);
  PetscCall(PetscMalloc1(f->tag_span, &f->node_index));
  for (PetscInt t = 0; t < f->tag_span; ++t) f->node_index[t] = -1;
  for (PetscInt i = 0; i < f->nnodes; ++i) {
    int *slot = &f->node_index[f->node_tags[i] - tmin];
    MshCheck(f, f->nodes_offset, *slot < 0, "node tag %d appears twice in $Nodes", f->node_tags[i]);
    *slot = (int)i;
  }
  PetscFunctionReturn(0);
}

/* Node index of a tag an element names */
static PetscErrorCode MshNodeOfTag(MshFile *f, size_t at, PetscInt64 tag, int *node)
{
  const PetscInt64 k = tag - f->tag_min;

  PetscFunctionBeginUser;
  *node = (k >= 0 && k < f->tag_span) ? f->node_index[k] : -1;
  MshCheck(f, at, *node >= 0, "element %" PetscInt64_FMT " names node %" PetscInt64_FMT ", which $Nodes does not define", MshTagAt(f, at), tag);
  PetscFunctionReturn(0);
}

/* Memory to check the mesh, from the counts, before allocating it */
static PetscErrorCode MshCheckMemory(MshFile *f, size_t at, PetscInt64 nelements)
{
  const double need = (double)f->size + 28.0 * f->nnodes + 4.0 * f->tag_span + 26.0 * nelements + 48.0 * nelements + 8.0 * f->nnodes;
  const long   pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const double have  = (pages > 0 && page > 0) ? (double)pages * (double)page : 0;

  PetscFunctionBeginUser;
  MshCheck(f, at, have == 0 || need < 0.8 * have, "checking %" PetscInt64_FMT " elements needs about %.3g GB, more than this machine's %.3g GB allow", nelements, need / 1e9, have / 1e9);
  PetscFunctionReturn(0);
}

static PetscErrorCode MshAllocateElements(MshFile *f, size_t at, PetscInt64 n)
{
  PetscFunctionBeginUser;
  MshCheck(f, at, n <= 2 * (PetscInt64)f->max_cells + 1000000, "%" PetscInt64_FMT " elements announced: more than a mesh of at most %" PetscInt_FMT " cells has (raise -mesh_max_cells to read bigger meshes)", n, f->max_cells);
  PetscCall(MshCheckMemory(f, at, n));
  PetscCall(PetscMalloc4(4 * n + 4, &f->element_nodes, n + 1, &f->element_dim, n + 1, &f->element_flags, n + 1, &f->element_offset));
  PetscFunctionReturn(0);
}

/* One element read: keep it if spot can use its type, else remember the first of its dimension */
static PetscErrorCode MshAddElement(MshFile *f, size_t at, int type, int dim, int nnodes, const int nodes[], unsigned char flags)
{
  PetscFunctionBeginUser;
  f->max_dim = PetscMax(f->max_dim, dim);
  if (type != msh_usable_type[dim]) {
    if (!f->bad_type[dim]) {
      f->bad_type[dim]   = type;
      f->bad_offset[dim] = at;
    }
    PetscFunctionReturn(0);
  }
  {
    const PetscInt e = f->nelements++;
    for (int k = 0; k < 4; ++k) f->element_nodes[4 * e + k] = k < nnodes ? nodes[k] : -1;
    f->element_dim[e]    = (unsigned char)dim;
    f->element_flags[e]  = flags;
    f->element_offset[e] = at;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MshReadElements41(MshFile *f)
{
  PetscInt64 nblocks, n, tmin, tmax, done = 0;
  size_t     at = f->pos;

  PetscFunctionBeginUser;
  PetscCall(MshReadSize(f, "the number of element blocks", 0, PETSC_MAX_INT, &nblocks));
  PetscCall(MshCheckCount(f, at, nblocks, 8, 12 + (size_t)f->size_bytes, "element blocks"));
  at = f->pos;
  PetscCall(MshReadSize(f, "the number of elements", 0, PETSC_MAX_INT, &n));
  PetscCall(MshCheckCount(f, at, n, 4, 2 * (size_t)f->size_bytes, "elements"));
  PetscCall(MshReadSize(f, "the smallest element tag", 0, PETSC_MAX_INT, &tmin));
  PetscCall(MshReadSize(f, "the largest element tag", 0, PETSC_MAX_INT, &tmax));
  MshCheck(f, at, n == 0 || (tmin >= 1 && tmin <= tmax), "element tags from %" PetscInt64_FMT " to %" PetscInt64_FMT ": tags start at 1 and the largest is not below the smallest", tmin, tmax);
  PetscCall(MshAllocateElements(f, at, n));
  for (PetscInt64 b = 0; b < nblocks; ++b) {
    int              dim, tag, type, tdim = 0, nn = 0, nodes[4] = {-1, -1, -1, -1};
    PetscInt64       m;
    const MshEntity *entity;
    PetscCall(MshSkipToItem(f));
    at = f->pos;
    PetscCall(MshReadInt(f, "the dimension of an element block's entity", 0, 3, &dim));
    PetscCall(MshReadInt(f, "the entity tag of an element block", PETSC_MIN_INT, PETSC_MAX_INT, &tag));
    entity = MshFindEntity(f, dim, tag);
    MshCheck(f, at, entity != NULL, "element block %" PetscInt64_FMT " belongs to entity %d of dimension %d, which $Entities does not define", b + 1, tag, dim);
    PetscCall(MshReadInt(f, "an element type", PETSC_MIN_INT, PETSC_MAX_INT, &type));
    MshCheck(f, at, MshElementShape(type, &tdim, &nn), "element block %" PetscInt64_FMT " has element type %d, which is not a Gmsh element type PETSc reads", b + 1, type);
    MshCheck(f, at, tdim == dim, "element block %" PetscInt64_FMT " puts %d-D elements (type %d) in an entity of dimension %d", b + 1, tdim, type, dim);
    PetscCall(MshReadSize(f, "the number of elements in a block", 0, PETSC_MAX_INT, &m));
    MshCheck(f, at, m <= n - done, "element block %" PetscInt64_FMT " announces %" PetscInt64_FMT " elements, but $Elements announced %" PetscInt64_FMT " in all and %" PetscInt64_FMT " are already read", b + 1, m, n, done);
    PetscCall(MshCheckCount(f, at, m, 2 * (1 + (size_t)nn), (1 + (size_t)nn) * (size_t)f->size_bytes, "elements in a block"));
    for (PetscInt64 i = 0; i < m; ++i) {
      PetscInt64 t;
      size_t     start;
      PetscCall(MshSkipToItem(f));
      start = f->pos;
      PetscCall(MshReadSize(f, "an element tag", PetscMax(tmin, 1), tmax, &t));
      for (int k = 0; k < nn; ++k) {
        int node;
        PetscCall(MshReadSize(f, "a node tag of an element", 1, PETSC_MAX_INT, &t));
        PetscCall(MshNodeOfTag(f, start, t, &node));
        if (k < 4) nodes[k] = node;
      }
      PetscCall(MshAddElement(f, start, type, dim, nn, nodes, entity->flags));
    }
    done += m;
  }
  MshCheck(f, f->pos, done == n, "the element blocks hold %" PetscInt64_FMT " elements, but $Elements announced %" PetscInt64_FMT, done, n);
  PetscCall(MshExpectEnd(f, "$EndElements"));
  PetscFunctionReturn(0);
}

/* Tags of a msh 2.2 element: PETSc keeps the first 16 and labels the element with each */
static unsigned char MshFlagsOfTags(const MshFile *f, int dim, PetscInt ntags, const int tags[])
{
  unsigned char flags = 0;
  for (PetscInt k = 0; k < PetscMin(ntags, MSH_MAX_PHYSICALS); ++k)
    if (MshIsSurfaceTag(f, dim, tags[k])) flags |= MSH_SURFACE;
  return flags;
}

/* A msh 2.2 element's other tags (the elementary entity, partitions) that equal the tag of a group
   spot reads ("surface", particle_<k>) of the element's dimension which the element is not in:
   PETSc's reader would put the element in that group too. The group's name, or NULL. */
static const char *MshForeignGroupTag(const MshFile *f, int dim, PetscInt ntags, const int tags[], int *tag)
{
  for (PetscInt k = 1; k < PetscMin(ntags, MSH_MAX_PHYSICALS); ++k) {
    if (tags[k] == tags[0]) continue;
    for (PetscInt i = 0; i < f->nphysicals; ++i) {
      const MshPhysical *p = &f->physicals[i];
      if (p->dim != dim || p->tag != tags[k]) continue;
      if (strcmp(p->name, MESH_SURFACE_LABEL) && strncmp(p->name, "particle_", 9)) continue;
      *tag = tags[k];
      return p->name;
    }
  }
  return NULL;
}

static PetscErrorCode MshReadElements22(MshFile *f)
{
  PetscInt64 n, done = 0;
  size_t     at;
  int        tags[MSH_MAX_ELEMENT_TAGS], nodes[4];

  PetscFunctionBeginUser;
  PetscCall(MshSkipSpace(f));
  at = f->pos;
  PetscCall(MshTextInteger(f, "the number of elements", 0, PETSC_MAX_INT, &n));
  PetscCall(MshCheckCount(f, at, n, 8, 8, "elements"));
  PetscCall(MshAllocateElements(f, at, n));
  while (done < n) {
    int        type, ntags, dim = 0, nn = 0, id, m = 1;
    PetscInt64 t;
    size_t     start;
    PetscCall(MshSkipToItem(f));
    start = at = f->pos;
    if (f->binary) { /* a header: type, number of elements, number of tags */
      PetscCall(MshReadInt(f, "an element type", PETSC_MIN_INT, PETSC_MAX_INT, &type));
      PetscCall(MshReadInt(f, "the number of elements after a header", 1, PETSC_MAX_INT, &m));
      MshCheck(f, at, m <= n - done, "an element header announces %d elements, but $Elements announced %" PetscInt64_FMT " in all and %" PetscInt64_FMT " are already read", m, n, done);
      PetscCall(MshReadInt(f, "the number of tags of an element", 0, MSH_MAX_ELEMENT_TAGS, &ntags));
      MshCheck(f, at, MshElementShape(type, &dim, &nn), "element type %d is not a Gmsh element type PETSc reads", type);
      PetscCall(MshCheckCount(f, at, m, 1, 4 * (1 + (size_t)ntags + (size_t)nn), "elements after a header"));
    } else {
      PetscCall(MshReadInt(f, "an element tag", 1, PETSC_MAX_INT, &id));
      PetscCall(MshReadInt(f, "an element type", PETSC_MIN_INT, PETSC_MAX_INT, &type));
      MshCheck(f, at, MshElementShape(type, &dim, &nn), "element %d has type %d, which is not a Gmsh element type PETSc reads", id, type);
      PetscCall(MshReadInt(f, "the number of tags of an element", 0, MSH_MAX_ELEMENT_TAGS, &ntags));
    }
    for (int i = 0; i < m; ++i) {
      if (f->binary) {
        start = f->pos;
        PetscCall(MshReadInt(f, "an element tag", 1, PETSC_MAX_INT, &id));
      }
      for (int k = 0; k < ntags; ++k) PetscCall(MshReadInt(f, "an element's tag", PETSC_MIN_INT, PETSC_MAX_INT, &tags[k]));
      for (int k = 0; k < nn; ++k) {
        int tag, node;
        PetscCall(MshReadInt(f, "a node tag of an element", 1, PETSC_MAX_INT, &tag));
        t = tag;
        PetscCall(MshNodeOfTag(f, start, t, &node));
        if (k < 4) nodes[k] = node;
      }
      {
        int         other = 0;
        const char *group = MshForeignGroupTag(f, dim, ntags, tags, &other);
        MshCheck(f, start, !group, "element %d (msh 2.2) has the tag %d of the group '%s' among its other tags but is not in that group; PETSc's reader would put it there too: give it another elementary tag, or save the mesh as msh 4.1", id, other, group);
      }
      PetscCall(MshAddElement(f, start, type, dim, nn, nodes, MshFlagsOfTags(f, dim, ntags, tags)));
    }
    done += m;
  }
  PetscCall(MshExpectEnd(f, "$EndElements"));
  PetscFunctionReturn(0);
}

/* $Comments: PETSc's reader takes it word by word until $EndComments */
static PetscErrorCode MshSkipComments(MshFile *f, size_t at)
{
  PetscFunctionBeginUser;
  for (;;) {
    const unsigned char *w;
    size_t               len;
    PetscCall(MshSkipSpace(f));
    MshCheck(f, at, f->pos < f->size, "$Comments is not closed by $EndComments");
    PetscCall(MshWord(f, "a comment", &w, &len));
    if (MshWordIs(w, len, "$EndComments")) break;
  }
  PetscFunctionReturn(0);
}

/* A section PETSc does not read (after $Elements): skipped up to the line $End<name> */
static PetscErrorCode MshSkipSection(MshFile *f, size_t at, const unsigned char *name, size_t len)
{
  char q[32];

  PetscFunctionBeginUser;
  MshQuote(name, len, q);
  for (;;) {
    const unsigned char *line = f->buf + f->pos, *nl;
    size_t               k = 0;
    MshCheck(f, at, f->pos < f->size, "section %s is not closed by $End%.*s", q, (int)PetscMin(len - 1, 40), (const char *)name + 1);
    nl     = memchr(line, '\n', f->size - f->pos);
    f->pos = nl ? (size_t)(nl - f->buf) + 1 : f->size;
    while (line + k < f->buf + f->pos && (line[k] == ' ' || line[k] == '\t')) ++k;
    if ((size_t)(f->buf + f->pos - line) >= k + 4 + len - 1 && !memcmp(line + k, "$End", 4) && !memcmp(line + k + 4, name + 1, len - 1)) {
      const unsigned char *after = line + k + 3 + len;
      if (after >= f->buf + f->pos || MshSpace(*after)) break;
    }
  }
  PetscFunctionReturn(0);
}

/* The sections, in the order PETSc's reader takes them */
static PetscErrorCode MshReadSections(MshFile *f)
{
  enum { NOTHING, FORMAT, NAMES, ENTITIES, NODES, ELEMENTS } stage = NOTHING;

  PetscFunctionBeginUser;
  for (;;) {
    const unsigned char *w;
    size_t               len, at;
    char                 q[32];
    PetscCall(MshSkipSpace(f));
    if (f->pos >= f->size) break;
    at = f->pos;
    PetscCall(MshWord(f, "a section", &w, &len));
    MshQuote(w, len, q);
    if (MshWordIs(w, len, "$Comments")) {
      PetscCall(MshSkipComments(f, at));
      continue;
    }
    if (stage == NOTHING) {
      MshCheck(f, at, MshWordIs(w, len, "$MeshFormat"), "expected $MeshFormat, with which a Gmsh mesh starts; found %s", q);
      PetscCall(MshReadMeshFormat(f));
      stage = FORMAT;
      continue;
    }
    MshCheck(f, at, w[0] == '$' && len > 1, "expected a section such as $Nodes, found %s", q);
    MshCheck(f, at, len < 4 || memcmp(w, "$End", 4), "%s without the section it ends", q);
    if (stage == ELEMENTS) {
      MshCheck(f, at, !MshWordIs(w, len, "$Periodic"), "a $Periodic section: spot does not use periodic meshes; save the mesh without periodicity");
      PetscCall(MshSkipSection(f, at, w, len));
    } else if (MshWordIs(w, len, "$PhysicalNames")) {
      MshCheck(f, at, stage == FORMAT, "$PhysicalNames must come right after $MeshFormat (PETSc's reader takes it only there)");
      PetscCall(MshReadPhysicalNames(f));
      stage = NAMES;
    } else if (MshWordIs(w, len, "$Entities")) {
      MshCheck(f, at, f->version == 41, "$Entities in a msh 2.2 file");
      MshCheck(f, at, stage <= NAMES, "$Entities must come before $Nodes and $Elements");
      PetscCall(MshReadEntities(f));
      stage = ENTITIES;
    } else if (MshWordIs(w, len, "$Nodes")) {
      if (f->version == 41) MshCheck(f, at, stage == ENTITIES, "$Nodes %s: a msh 4.1 file defines its entities ($Entities) before $Nodes", stage < ENTITIES ? "before $Entities" : "twice");
      else MshCheck(f, at, stage <= NAMES, "$Nodes twice");
      f->nodes_offset = at;
      PetscCall(f->version == 41 ? MshReadNodes41(f) : MshReadNodes22(f));
      PetscCall(MshIndexNodes(f));
      stage = NODES;
    } else if (MshWordIs(w, len, "$Elements")) {
      MshCheck(f, at, stage == NODES, "$Elements before $Nodes");
      PetscCall(f->version == 41 ? MshReadElements41(f) : MshReadElements22(f));
      stage = ELEMENTS;
    } else MshCheck(f, at, PETSC_FALSE, "section %s before $Elements: PETSc's reader takes only $PhysicalNames, $Entities, $Nodes and $Elements (and $Comments) there", q);
  }
  MshCheck(f, f->size, stage != NOTHING, "the file is empty; expected a Gmsh mesh, which starts with $MeshFormat");
  MshCheck(f, f->size, stage == ELEMENTS, "the file ends before %s; is it truncated?", stage < NODES ? "$Nodes" : "$Elements");
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------
   The mesh as a mesh */

typedef struct {
  int         dim;         /* of the cells */
  PetscInt    ncells;
  int        *cell;        /* element of each cell */
  signed char orientation; /* +1: all cells counter-clockwise / right-handed; -1: all the other way */
  /* faces of the cells, grouped by their smallest node: CSR over nodes, sorted by the others */
  PetscInt *face_start;
  struct MshFace {
    int      a, b;      /* the other nodes, a < b (b = -1 in 2-D) */
    uint32_t cell_side; /* cell * 2 + parity of the cell's order of the face against the sorted one */
  } *faces;
  /* boundary faces (in one cell), in the order their cell gives them */
  PetscInt nboundary;
  int     *boundary;       /* dim nodes each */
  int     *boundary_cell;
} MshTopology;

typedef struct MshFace MshFace;

static inline const int *MshCellNodes(const MshFile *f, const MshTopology *t, PetscInt c)
{
  return &f->element_nodes[4 * t->cell[c]];
}

static const double *MshX(const MshFile *f, int node)
{
  return &f->xyz[3 * node];
}

/* 2 × the signed area of (a, b, c) in the plane, or 6 × the signed volume of (a, b, c, d) */
static double MshMeasure(int dim, const double *a, const double *b, const double *c, const double *d)
{
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
  if (dim == 2) return u[0] * v[1] - u[1] * v[0];
  {
    const double w[3] = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
    return u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) + u[2] * (v[0] * w[1] - v[1] * w[0]);
  }
}

static double MshDistance2(const double *a, const double *b)
{
  return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]);
}

/* Face k of a cell, in the order that makes it outward for a positively oriented cell */
static void MshCellFace(int dim, const int *n, int k, int face[3])
{
  static const int tri[3][2] = {{0, 1}, {1, 2}, {2, 0}};
  static const int tet[4][3] = {{1, 2, 3}, {0, 3, 2}, {0, 1, 3}, {0, 2, 1}};
  if (dim == 2) {
    face[0] = n[tri[k][0]];
    face[1] = n[tri[k][1]];
    face[2] = -1;
  } else
    for (int i = 0; i < 3; ++i) face[i] = n[tet[k][i]];
}

/* Sorted face, and the parity of the permutation that sorts it */
static void MshFaceKey(int dim, const int face[3], int key[3], int *parity)
{
  int p = 0;
  key[0] = face[0];
  key[1] = face[1];
  key[2] = face[2];
  for (int i = 0; i < dim; ++i)
    for (int j = dim - 1; j > i; --j)
      if (key[j - 1] > key[j]) {
        const int s = key[j - 1];
        key[j - 1]  = key[j];
        key[j]      = s;
        p ^= 1;
      }
  *parity = p;
}

static int MshCompareFace(const void *x, const void *y)
{
  const MshFace *a = (const MshFace *)x, *b = (const MshFace *)y;
  if (a->a != b->a) return (a->a > b->a) - (a->a < b->a);
  if (a->b != b->b) return (a->b > b->b) - (a->b < b->b);
  return (a->cell_side > b->cell_side) - (a->cell_side < b->cell_side);
}

static void MshSortFaces(MshFace *x, PetscInt n)
{
  if (n > 16) qsort(x, (size_t)n, sizeof(MshFace), MshCompareFace);
  else
    for (PetscInt i = 1; i < n; ++i) {
      const MshFace v = x[i];
      PetscInt      j = i;
      for (; j > 0 && MshCompareFace(&x[j - 1], &v) > 0; --j) x[j] = x[j - 1];
      x[j] = v;
    }
}

/* The cells' faces that match face key (sorted), as a range of t->faces */
static void MshFindFace(const MshTopology *t, const int key[3], PetscInt *first, PetscInt *count)
{
  PetscInt lo = t->face_start[key[0]], hi = t->face_start[key[0] + 1];
  MshFace  probe;
  probe.a         = key[1];
  probe.b         = t->dim == 3 ? key[2] : -1;
  probe.cell_side = 0;
  while (lo < hi) { /* first entry not below the probe */
    const PetscInt mid = (lo + hi) / 2;
    if (MshCompareFace(&t->faces[mid], &probe) < 0) lo = mid + 1;
    else hi = mid;
  }
  *first = lo;
  for (hi = lo; hi < t->face_start[key[0] + 1] && t->faces[hi].a == probe.a && t->faces[hi].b == probe.b; ++hi) {}
  *count = hi - lo;
}

/* The node of cell c not in the face key */
static int MshOppositeNode(const MshFile *f, const MshTopology *t, PetscInt c, int v, const MshFace *face)
{
  const int *n = MshCellNodes(f, t, c);
  for (int k = 0; k <= t->dim; ++k)
    if (n[k] != v && n[k] != face->a && n[k] != face->b) return n[k];
  return -1;
}

/* Dimension, element types, the "surface" group, the cell limit */
static PetscErrorCode MshCheckContent(MshFile *f, MshTopology *t)
{
  const int dim = f->max_dim;
  PetscInt  nsurface = 0;

  PetscFunctionBeginUser;
  MshMeshCheck(f, f->max_dim >= 0, "has no elements; spot needs triangles (2-D) or tetrahedra (3-D)");
  MshMeshCheck(f, dim >= 2, "has dimension %d, expected a 2-D (triangles) or 3-D (tetrahedra) mesh", dim);
  MshMeshCheck(f, !f->bad_type[dim], "holds Gmsh element type %d; spot needs first-order %s", f->bad_type[dim], dim == 2 ? "triangles (type 2)" : "tetrahedra (type 4)");
  for (int d = dim - 1; d >= 0; --d) {
    if (!f->bad_type[d]) continue;
    MshCheck(f, f->bad_offset[d], PETSC_FALSE, "an element of Gmsh type %d; with first-order %s spot takes only %s", f->bad_type[d], dim == 2 ? "triangles" : "tetrahedra", dim == 2 ? "lines (type 1) and points (type 15)" : "triangles (type 2), lines (type 1) and points (type 15)");
  }
  t->dim = dim;
  for (PetscInt e = 0; e < f->nelements; ++e) {
    if (f->element_dim[e] == dim) ++t->ncells;
    else if (f->element_dim[e] == dim - 1 && (f->element_flags[e] & MSH_SURFACE)) ++nsurface;
  }
  { /* a group named "surface" of dimension dim - 1, holding faces */
    PetscBool has = PETSC_FALSE;
    char      names[512] = "";
    for (PetscInt i = 0; i < f->nphysicals; ++i) {
      const MshPhysical *p = &f->physicals[i];
      if (p->dim != dim - 1) continue;
      if (!strcmp(p->name, MESH_SURFACE_LABEL)) has = PETSC_TRUE;
      if (strlen(names) + strlen(p->name) + 4 < sizeof(names)) {
        if (names[0]) PetscCall(PetscStrlcat(names, ", ", sizeof(names)));
        PetscCall(PetscStrlcat(names, p->name, sizeof(names)));
      }
    }
    MshMeshCheck(f, has, "has no physical group \"" MESH_SURFACE_LABEL "\" of dimension %d (its boundary groups: %s); name the particle's boundary \"" MESH_SURFACE_LABEL "\" in Gmsh", dim - 1, names[0] ? names : "none");
    MshMeshCheck(f, nsurface > 0, "has a physical group \"" MESH_SURFACE_LABEL "\" of dimension %d without any %s in it; put the particle's boundary %s in it", dim - 1, dim == 2 ? "lines" : "triangles", dim == 2 ? "curves" : "surfaces");
  }
  MshMeshCheck(f, t->ncells <= f->max_cells, "has %" PetscInt_FMT " cells, more than the %" PetscInt_FMT " spot reads (-mesh_max_cells); raise -mesh_max_cells if the machine has the memory", t->ncells, f->max_cells);
  PetscCall(PetscMalloc1(t->ncells + 1, &t->cell));
  t->ncells = 0;
  for (PetscInt e = 0; e < f->nelements; ++e)
    if (f->element_dim[e] == dim) t->cell[t->ncells++] = (int)e;
  PetscFunctionReturn(0);
}

/* Every cell: distinct nodes, a measure clearly apart from 0, the same orientation as the rest */
static PetscErrorCode MshCheckCells(MshFile *f, MshTopology *t, signed char *sign)
{
  const int dim = t->dim;

  PetscFunctionBeginUser;
  if (dim == 2) { /* a 2-D mesh lies in a plane z = const: PETSc keeps x and y */
    double zmin = PETSC_MAX_REAL, zmax = -PETSC_MAX_REAL, extent = 0;
    int    low = -1, high = -1;
    for (PetscInt c = 0; c < t->ncells; ++c)
      for (int k = 0; k < 3; ++k) {
        const double *x = MshX(f, MshCellNodes(f, t, c)[k]);
        if (x[2] < zmin) zmin = x[2], low = MshCellNodes(f, t, c)[k];
        if (x[2] > zmax) zmax = x[2], high = MshCellNodes(f, t, c)[k];
        extent = PetscMax(extent, PetscMax(PetscAbsReal(x[0] - MshX(f, MshCellNodes(f, t, 0)[0])[0]), PetscAbsReal(x[1] - MshX(f, MshCellNodes(f, t, 0)[0])[1])));
      }
    MshMeshCheck(f, zmax - zmin <= 1e-8 * extent, "is a 2-D mesh off a plane z = const: node %d has z = %g, node %d has z = %g; spot reads the x, y of a 2-D mesh", f->node_tags[low], zmin, f->node_tags[high], zmax);
  }
  for (PetscInt c = 0; c < t->ncells; ++c) {
    const int *n = MshCellNodes(f, t, c);
    double     m, longest = 0;
    for (int i = 0; i <= dim; ++i)
      for (int j = i + 1; j <= dim; ++j) {
        MshCheck(f, f->element_offset[t->cell[c]], n[i] != n[j], "element %" PetscInt64_FMT " names node %d twice", MshElementTag(f, t->cell[c]), f->node_tags[n[i]]);
        longest = PetscMax(longest, MshDistance2(MshX(f, n[i]), MshX(f, n[j])));
      }
    m = MshMeasure(dim, MshX(f, n[0]), MshX(f, n[1]), MshX(f, n[2]), dim == 3 ? MshX(f, n[3]) : NULL);
    MshCheck(f, f->element_offset[t->cell[c]], PetscAbsReal(m) > 1e-10 * (dim == 2 ? longest : longest * PetscSqrtReal(longest)), "element %" PetscInt64_FMT " is degenerate: its %s is %s%g (its longest edge is %g)", MshElementTag(f, t->cell[c]), dim == 2 ? "area" : "volume", m == 0 ? "" : "only ", PetscAbsReal(m) / (dim == 2 ? 2 : 6), PetscSqrtReal(longest));
    sign[c] = m > 0 ? 1 : -1;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MshReportOrientation(MshFile *f, MshTopology *t, const signed char *sign)
{
  PetscInt npos = 0;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < t->ncells; ++c) npos += sign[c] > 0;
  t->orientation = 2 * npos >= t->ncells ? 1 : -1;
  if (npos == 0 || npos == t->ncells) PetscFunctionReturn(0);
  for (PetscInt c = 0; c < t->ncells; ++c) {
    if (sign[c] == t->orientation) continue;
    {
      const char *what  = t->dim == 2 ? (sign[c] > 0 ? "counter-clockwise" : "clockwise") : (sign[c] > 0 ? "right-handed" : "left-handed");
      const char *other = t->dim == 2 ? (sign[c] > 0 ? "clockwise" : "counter-clockwise") : (sign[c] > 0 ? "left-handed" : "right-handed");
      MshCheck(f, f->element_offset[t->cell[c]], PETSC_FALSE, "element %" PetscInt64_FMT " is %s, but %" PetscInt_FMT " of the %" PetscInt_FMT " cells are %s: the mesh folds over itself or its cells overlap", MshElementTag(f, t->cell[c]), what, t->orientation > 0 ? npos : t->ncells - npos, t->ncells, other);
    }
  }
  PetscFunctionReturn(0);
}

/* Faces: each in one cell (boundary) or two on opposite sides; no duplicate cells */
static PetscErrorCode MshCheckFaces(MshFile *f, MshTopology *t, const signed char *sign)
{
  const int      dim = t->dim, nf = dim + 1;
  const PetscInt nn  = f->nnodes;
  PetscInt       duplicate[2] = {-1, -1}, crowded = -1, same_side[2] = {-1, -1}, nb = 0;
  int            crowded_node = -1;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(nn + 1, &t->face_start));
  PetscCall(PetscMalloc1((size_t)nf * t->ncells + 1, &t->faces));
  for (PetscInt c = 0; c < t->ncells; ++c)
    for (int k = 0; k < nf; ++k) {
      int face[3], key[3], parity;
      MshCellFace(dim, MshCellNodes(f, t, c), k, face);
      MshFaceKey(dim, face, key, &parity);
      ++t->face_start[key[0] + 1];
    }
  for (PetscInt v = 0; v < nn; ++v) t->face_start[v + 1] += t->face_start[v];
  {
    PetscInt *fill;
    PetscCall(PetscMalloc1(nn + 1, &fill));
    PetscCall(PetscArraycpy(fill, t->face_start, nn + 1));
    for (PetscInt c = 0; c < t->ncells; ++c)
      for (int k = 0; k < nf; ++k) {
        int      face[3], key[3], parity;
        MshFace *e;
        MshCellFace(dim, MshCellNodes(f, t, c), k, face);
        MshFaceKey(dim, face, key, &parity);
        e            = &t->faces[fill[key[0]]++];
        e->a         = key[1];
        e->b         = dim == 3 ? key[2] : -1;
        e->cell_side = (uint32_t)c * 2u + (uint32_t)parity;
      }
    PetscCall(PetscFree(fill));
  }
  for (PetscInt v = 0; v < nn; ++v) {
    const PetscInt start = t->face_start[v], end = t->face_start[v + 1];
    MshSortFaces(&t->faces[start], end - start);
    for (PetscInt i = start, j; i < end; i = j) {
      for (j = i + 1; j < end && t->faces[j].a == t->faces[i].a && t->faces[j].b == t->faces[i].b; ++j) {}
      if (j - i == 1) {
        ++nb;
        continue;
      }
      for (PetscInt p = i; p < j; ++p)
        for (PetscInt q = p + 1; q < j; ++q) {
          const PetscInt cp = (PetscInt)(t->faces[p].cell_side / 2), cq = (PetscInt)(t->faces[q].cell_side / 2);
          if (duplicate[0] < 0 && MshOppositeNode(f, t, cp, (int)v, &t->faces[p]) == MshOppositeNode(f, t, cq, (int)v, &t->faces[q])) {
            duplicate[0] = PetscMin(cp, cq);
            duplicate[1] = PetscMax(cp, cq);
          }
        }
      if (j - i > 2 && crowded < 0) {
        crowded      = i;
        crowded_node = (int)v;
      }
      if (j - i == 2 && same_side[0] < 0 && sign[t->faces[i].cell_side / 2] == sign[t->faces[i + 1].cell_side / 2] && (t->faces[i].cell_side & 1) == (t->faces[i + 1].cell_side & 1)) {
        same_side[0] = (PetscInt)(t->faces[i].cell_side / 2);
        same_side[1] = (PetscInt)(t->faces[i + 1].cell_side / 2);
      }
    }
  }
  if (duplicate[0] >= 0) MshCheck(f, f->element_offset[t->cell[duplicate[1]]], PETSC_FALSE, "element %" PetscInt64_FMT " has the nodes of element %" PetscInt64_FMT ": a duplicate cell", MshElementTag(f, t->cell[duplicate[1]]), MshElementTag(f, t->cell[duplicate[0]]));
  PetscCall(MshReportOrientation(f, t, sign));
  if (crowded >= 0) {
    const MshFace *e = &t->faces[crowded];
    PetscInt       n = 0;
    for (PetscInt p = crowded; p < t->face_start[crowded_node + 1] && t->faces[p].a == e->a && t->faces[p].b == e->b; ++p) ++n;
    if (dim == 2) MshCheck(f, f->element_offset[t->cell[e->cell_side / 2]], PETSC_FALSE, "the edge from node %d to node %d is a side of %" PetscInt_FMT " triangles (element %" PetscInt64_FMT " and others); an edge is a side of one or two", f->node_tags[crowded_node], f->node_tags[e->a], n, MshElementTag(f, t->cell[e->cell_side / 2]));
    else MshCheck(f, f->element_offset[t->cell[e->cell_side / 2]], PETSC_FALSE, "the triangle of nodes %d, %d, %d is a face of %" PetscInt_FMT " tetrahedra (element %" PetscInt64_FMT " and others); a face is in one or two", f->node_tags[crowded_node], f->node_tags[e->a], f->node_tags[e->b], n, MshElementTag(f, t->cell[e->cell_side / 2]));
  }
  if (same_side[0] >= 0) MshCheck(f, f->element_offset[t->cell[same_side[1]]], PETSC_FALSE, "elements %" PetscInt64_FMT " and %" PetscInt64_FMT " lie on the same side of their common %s: the cells overlap", MshElementTag(f, t->cell[same_side[0]]), MshElementTag(f, t->cell[same_side[1]]), dim == 2 ? "edge" : "face");
  /* the boundary: faces of one cell, ordered as their cell orders them */
  t->nboundary = nb;
  PetscCall(PetscMalloc2((size_t)dim * nb + 1, &t->boundary, nb + 1, &t->boundary_cell));
  nb = 0;
  for (PetscInt v = 0; v < nn; ++v) {
    const PetscInt start = t->face_start[v], end = t->face_start[v + 1];
    for (PetscInt i = start; i < end; ++i) {
      const MshFace *e = &t->faces[i];
      if ((i > start && e->a == e[-1].a && e->b == e[-1].b) || (i + 1 < end && e->a == e[1].a && e->b == e[1].b)) continue;
      {
        int *b = &t->boundary[dim * nb];
        b[0]   = (int)v;
        if (dim == 2) {
          b[1] = e->a;
          if (e->cell_side & 1) b[0] = e->a, b[1] = (int)v;
        } else {
          b[1] = (e->cell_side & 1) ? e->b : e->a;
          b[2] = (e->cell_side & 1) ? e->a : e->b;
        }
        t->boundary_cell[nb++] = (int)(e->cell_side / 2);
      }
    }
  }
  PetscFunctionReturn(0);
}

/* Lines, triangles and points below the cells: sides of cells, and "surface" faces on the boundary */
static PetscErrorCode MshCheckLowerElements(MshFile *f, MshTopology *t)
{
  const int      dim = t->dim;
  unsigned char *used;
  PetscInt       nlines = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(f->nnodes + 1, &used));
  for (PetscInt c = 0; c < t->ncells; ++c)
    for (int k = 0; k <= dim; ++k) used[MshCellNodes(f, t, c)[k]] = 1;
  for (PetscInt e = 0; e < f->nelements; ++e) {
    const int  edim = f->element_dim[e];
    const int *n    = &f->element_nodes[4 * e];
    if (edim == dim) continue;
    for (int k = 0; k <= edim; ++k) MshCheck(f, f->element_offset[e], used[n[k]], "element %" PetscInt64_FMT " (a %s) names node %d, which is in no %s", MshElementTag(f, e), msh_shape_name[edim], f->node_tags[n[k]], dim == 2 ? "triangle" : "tetrahedron");
    for (int i = 0; i <= edim; ++i)
      for (int j = i + 1; j <= edim; ++j) MshCheck(f, f->element_offset[e], n[i] != n[j], "element %" PetscInt64_FMT " names node %d twice", MshElementTag(f, e), f->node_tags[n[i]]);
    if (edim == dim - 1) {
      int      key[3], parity;
      PetscInt first, count;
      MshFaceKey(dim, n, key, &parity);
      MshFindFace(t, key, &first, &count);
      MshCheck(f, f->element_offset[e], count > 0, "element %" PetscInt64_FMT " (a %s) is not a side of any %s", MshElementTag(f, e), msh_shape_name[edim], dim == 2 ? "triangle" : "tetrahedron");
      MshCheck(f, f->element_offset[e], count == 1 || !(f->element_flags[e] & MSH_SURFACE), "element %" PetscInt64_FMT " of the \"" MESH_SURFACE_LABEL "\" group lies inside the mesh (between elements %" PetscInt64_FMT " and %" PetscInt64_FMT "), not on its boundary", MshElementTag(f, e), MshElementTag(f, t->cell[t->faces[first].cell_side / 2]), MshElementTag(f, t->cell[t->faces[first + 1].cell_side / 2]));
    } else if (edim == 1) ++nlines;
  }
  if (nlines) { /* lines in a 3-D mesh: edges of tetrahedra (an open-addressed set of the lines) */
    PetscInt  cap = 1;
    int      *slots;
    PetscBool *found;
    while (cap < 2 * nlines) cap *= 2;
    PetscCall(PetscMalloc2(2 * cap, &slots, cap, &found));
    for (PetscInt s = 0; s < 2 * cap; ++s) slots[s] = -1;
    for (PetscInt s = 0; s < cap; ++s) found[s] = PETSC_FALSE;
    for (PetscInt e = 0; e < f->nelements; ++e) {
      if (f->element_dim[e] != 1) continue;
      {
        const int a = PetscMin(f->element_nodes[4 * e], f->element_nodes[4 * e + 1]), b = PetscMax(f->element_nodes[4 * e], f->element_nodes[4 * e + 1]);
        PetscInt  s = (PetscInt)(((uint32_t)a * 2654435761u ^ (uint32_t)b * 2246822519u) & (uint32_t)(cap - 1));
        while (slots[2 * s] >= 0 && (slots[2 * s] != a || slots[2 * s + 1] != b)) s = (s + 1) & (cap - 1);
        slots[2 * s]     = a;
        slots[2 * s + 1] = b;
      }
    }
    for (PetscInt c = 0; c < t->ncells; ++c) {
      const int *n = MshCellNodes(f, t, c);
      for (int i = 0; i < 4; ++i)
        for (int j = i + 1; j < 4; ++j) {
          const int a = PetscMin(n[i], n[j]), b = PetscMax(n[i], n[j]);
          PetscInt  s = (PetscInt)(((uint32_t)a * 2654435761u ^ (uint32_t)b * 2246822519u) & (uint32_t)(cap - 1));
          while (slots[2 * s] >= 0 && (slots[2 * s] != a || slots[2 * s + 1] != b)) s = (s + 1) & (cap - 1);
          if (slots[2 * s] >= 0) found[s] = PETSC_TRUE;
        }
    }
    for (PetscInt e = 0; e < f->nelements; ++e) {
      if (f->element_dim[e] != 1) continue;
      {
        const int a = PetscMin(f->element_nodes[4 * e], f->element_nodes[4 * e + 1]), b = PetscMax(f->element_nodes[4 * e], f->element_nodes[4 * e + 1]);
        PetscInt  s = (PetscInt)(((uint32_t)a * 2654435761u ^ (uint32_t)b * 2246822519u) & (uint32_t)(cap - 1));
        while (slots[2 * s] != a || slots[2 * s + 1] != b) s = (s + 1) & (cap - 1);
        MshCheck(f, f->element_offset[e], found[s], "element %" PetscInt64_FMT " (a line) is not an edge of any tetrahedron", MshElementTag(f, e));
      }
    }
    PetscCall(PetscFree2(slots, found));
  }
  PetscCall(PetscFree(used));
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------
   The boundary: pairs of boundary faces near each other, found on a hashed grid */

typedef struct {
  uint64_t cell;
  int      item;
} MshGridEntry;

static int MshCompareGridEntry(const void *x, const void *y)
{
  const MshGridEntry *a = (const MshGridEntry *)x, *b = (const MshGridEntry *)y;
  if (a->cell != b->cell) return (a->cell > b->cell) - (a->cell < b->cell);
  return (a->item > b->item) - (a->item < b->item);
}

typedef PetscErrorCode (*MshPairTest)(MshFile *, MshTopology *, PetscInt, PetscInt);

/* Calls test(i, j) once for each pair of boundary faces whose bounding boxes meet. Grid cells
   about the size of a face; if faces of very different sizes would fill too many cells, the
   cells grow. Each pair is tested in the grid cell of the lower corner of the boxes' overlap. */
static PetscErrorCode MshBoundaryPairs(MshFile *f, MshTopology *t, MshPairTest test)
{
  const int      dim = t->dim;
  const PetscInt n   = t->nboundary;
  double        *lo, *hi, glo[3] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, ghi[3] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL, -PETSC_MAX_REAL}, h = 0;
  MshGridEntry  *grid;
  PetscInt64     total;

  PetscFunctionBeginUser;
  if (n < 2) PetscFunctionReturn(0);
  PetscCall(PetscMalloc2(3 * n, &lo, 3 * n, &hi));
  for (PetscInt i = 0; i < n; ++i) {
    double size = 0;
    for (int d = 0; d < 3; ++d) {
      lo[3 * i + d] = PETSC_MAX_REAL;
      hi[3 * i + d] = -PETSC_MAX_REAL;
      for (int k = 0; k < dim; ++k) {
        const double x = MshX(f, t->boundary[dim * i + k])[d];
        lo[3 * i + d]  = PetscMin(lo[3 * i + d], x);
        hi[3 * i + d]  = PetscMax(hi[3 * i + d], x);
      }
      glo[d] = PetscMin(glo[d], lo[3 * i + d]);
      ghi[d] = PetscMax(ghi[d], hi[3 * i + d]);
      size   = PetscMax(size, hi[3 * i + d] - lo[3 * i + d]);
    }
    h += size / n;
  }
  for (int d = 0; d < 3; ++d) h = PetscMax(h, (ghi[d] - glo[d]) / 1048576.0); /* 21 bits a coordinate */
  if (!(h > 0)) h = 1;
  for (;;) { /* cells each face touches, in all */
    total = 0;
    for (PetscInt i = 0; i < n; ++i) {
      PetscInt64 cells = 1;
      for (int d = 0; d < 3; ++d) cells *= (PetscInt64)floor((hi[3 * i + d] - glo[d]) / h) - (PetscInt64)floor((lo[3 * i + d] - glo[d]) / h) + 1;
      total += cells;
    }
    if (total <= 16 * (PetscInt64)n + 1024) break;
    h *= 2;
  }
  PetscCall(PetscMalloc1(total, &grid));
  total = 0;
  for (PetscInt i = 0; i < n; ++i) {
    PetscInt64 a[3], b[3];
    for (int d = 0; d < 3; ++d) {
      a[d] = (PetscInt64)floor((lo[3 * i + d] - glo[d]) / h);
      b[d] = (PetscInt64)floor((hi[3 * i + d] - glo[d]) / h);
    }
    for (PetscInt64 x = a[0]; x <= b[0]; ++x)
      for (PetscInt64 y = a[1]; y <= b[1]; ++y)
        for (PetscInt64 z = a[2]; z <= b[2]; ++z) {
          grid[total].cell   = (uint64_t)x << 42 | (uint64_t)y << 21 | (uint64_t)z;
          grid[total++].item = (int)i;
        }
  }
  qsort(grid, (size_t)total, sizeof(MshGridEntry), MshCompareGridEntry);
  for (PetscInt64 g = 0, k; g < total; g = k) {
    for (k = g + 1; k < total && grid[k].cell == grid[g].cell; ++k) {}
    for (PetscInt64 p = g; p < k; ++p)
      for (PetscInt64 q = p + 1; q < k; ++q) {
        const PetscInt i = grid[p].item, j = grid[q].item;
        uint64_t       cell = 0;
        PetscBool      meet = PETSC_TRUE;
        for (int d = 0; d < 3; ++d) {
          const double low = PetscMax(lo[3 * i + d], lo[3 * j + d]);
          if (low > PetscMin(hi[3 * i + d], hi[3 * j + d])) meet = PETSC_FALSE;
          cell = cell << 21 | (uint64_t)(PetscInt64)floor((low - glo[d]) / h);
        }
        if (meet && cell == grid[g].cell) PetscCall(test(f, t, i, j));
      }
  }
  PetscCall(PetscFree(grid));
  PetscCall(PetscFree2(lo, hi));
  PetscFunctionReturn(0);
}

/* Sign of an orientation with a bound on its rounding error: 0 when too close to tell */
static int MshSign(double value, double scale)
{
  const double tol = 1e-13 * scale;
  return value > tol ? 1 : value < -tol ? -1 : 0;
}

/* Orientation of c against the line a→b in the plane of axes (u, v) */
static int MshOrient2d(const double *a, const double *b, const double *c, int u, int v)
{
  const double p = (b[u] - a[u]) * (c[v] - a[v]), q = (b[v] - a[v]) * (c[u] - a[u]);
  return MshSign(p - q, PetscAbsReal(p) + PetscAbsReal(q));
}

/* Do segments ab and cd meet (touching counts)? In the plane of axes (u, v) */
static PetscBool MshSegmentsMeet(const double *a, const double *b, const double *c, const double *d, int u, int v)
{
  const int o1 = MshOrient2d(a, b, c, u, v), o2 = MshOrient2d(a, b, d, u, v), o3 = MshOrient2d(c, d, a, u, v), o4 = MshOrient2d(c, d, b, u, v);
  if (o1 * o2 > 0 || o3 * o4 > 0) return PETSC_FALSE;
  if (o1 || o2 || o3 || o4) return PETSC_TRUE; /* proper crossing, or an end on the other segment */
  for (int w = 0; w < 2; ++w) {                /* collinear: do the projections overlap? */
    const int    x  = w ? v : u;
    const double l1 = PetscMin(a[x], b[x]), h1 = PetscMax(a[x], b[x]), l2 = PetscMin(c[x], d[x]), h2 = PetscMax(c[x], d[x]);
    if (l1 > h2 || l2 > h1) return PETSC_FALSE;
  }
  return PETSC_TRUE;
}

/* 2-D: boundary edges i and j must not cross, touch, or fold back on each other */
static PetscErrorCode MshTestEdges(MshFile *f, MshTopology *t, PetscInt i, PetscInt j)
{
  const int    *p = &t->boundary[2 * i], *q = &t->boundary[2 * j];
  const double *a = MshX(f, p[0]), *b = MshX(f, p[1]), *c = MshX(f, q[0]), *d = MshX(f, q[1]);
  const int     shared = (p[0] == q[0]) + (p[0] == q[1]) + (p[1] == q[0]) + (p[1] == q[1]);
  PetscBool     meet;

  PetscFunctionBeginUser;
  if (shared == 1) { /* a common end v: the other ends must not lie on one ray from v */
    const int     v = (p[0] == q[0] || p[0] == q[1]) ? p[0] : p[1];
    const double *x = MshX(f, v), *y = MshX(f, p[0] == v ? p[1] : p[0]), *z = MshX(f, q[0] == v ? q[1] : q[0]);
    meet = (MshOrient2d(x, y, z, 0, 1) == 0 && (y[0] - x[0]) * (z[0] - x[0]) + (y[1] - x[1]) * (z[1] - x[1]) > 0) ? PETSC_TRUE : PETSC_FALSE;
  } else meet = MshSegmentsMeet(a, b, c, d, 0, 1);
  MshCheck(f, f->element_offset[t->cell[t->boundary_cell[j]]], !meet, "the boundary %s itself: its edge from node %d to node %d (a side of element %" PetscInt64_FMT ") meets its edge from node %d to node %d (a side of element %" PetscInt64_FMT ")", shared ? "folds back on" : "crosses or touches", f->node_tags[p[0]], f->node_tags[p[1]], MshElementTag(f, t->cell[t->boundary_cell[i]]), f->node_tags[q[0]], f->node_tags[q[1]], MshElementTag(f, t->cell[t->boundary_cell[j]]));
  PetscFunctionReturn(0);
}

/* 6 × signed volume of (a, b, c, d), with the sum of the magnitudes of its terms */
static double MshOrient3d(const double *a, const double *b, const double *c, const double *d, double *scale)
{
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]}, w[3] = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
  *scale = PetscAbsReal(u[0]) * (PetscAbsReal(v[1] * w[2]) + PetscAbsReal(v[2] * w[1])) + PetscAbsReal(u[1]) * (PetscAbsReal(v[0] * w[2]) + PetscAbsReal(v[2] * w[0])) + PetscAbsReal(u[2]) * (PetscAbsReal(v[0] * w[1]) + PetscAbsReal(v[1] * w[0]));
  return u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) + u[2] * (v[0] * w[1] - v[1] * w[0]);
}

static int MshOrient3dSign(const double *a, const double *b, const double *c, const double *d)
{
  double       scale;
  const double o = MshOrient3d(a, b, c, d, &scale);
  return MshSign(o, scale);
}

/* Does segment pq meet triangle abc (closed)? */
static PetscBool MshSegmentMeetsTriangle(const double *p, const double *q, const double *a, const double *b, const double *c)
{
  const int sp = MshOrient3dSign(a, b, c, p), sq = MshOrient3dSign(a, b, c, q);
  if (sp * sq > 0) return PETSC_FALSE;
  if (sp == 0 && sq == 0) { /* in the plane of the triangle: 2-D in the plane that shows it largest */
    const double n[3] = {(b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1]), (b[2] - a[2]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[2] - a[2]), (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])};
    const int    drop = (PetscAbsReal(n[0]) >= PetscAbsReal(n[1]) && PetscAbsReal(n[0]) >= PetscAbsReal(n[2])) ? 0 : PetscAbsReal(n[1]) >= PetscAbsReal(n[2]) ? 1 : 2;
    const int    u = (drop + 1) % 3, v = (drop + 2) % 3;
    const int    o1 = MshOrient2d(a, b, p, u, v), o2 = MshOrient2d(b, c, p, u, v), o3 = MshOrient2d(c, a, p, u, v);
    if ((o1 >= 0 && o2 >= 0 && o3 >= 0) || (o1 <= 0 && o2 <= 0 && o3 <= 0)) return PETSC_TRUE;
    return (MshSegmentsMeet(p, q, a, b, u, v) || MshSegmentsMeet(p, q, b, c, u, v) || MshSegmentsMeet(p, q, c, a, u, v)) ? PETSC_TRUE : PETSC_FALSE;
  }
  if (sp == 0 || sq == 0) { /* one end in the plane, the other off it: they meet there or not at all. (The test
                               below would see three zero volumes for a segment lying one rounding off the plane,
                               as on the flat faces of an extruded platelet, and call any such pair a meeting.) */
    const double *e = sp == 0 ? p : q;
    const double  n[3] = {(b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1]), (b[2] - a[2]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[2] - a[2]), (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])};
    const int     drop = (PetscAbsReal(n[0]) >= PetscAbsReal(n[1]) && PetscAbsReal(n[0]) >= PetscAbsReal(n[2])) ? 0 : PetscAbsReal(n[1]) >= PetscAbsReal(n[2]) ? 1 : 2;
    const int     u = (drop + 1) % 3, v = (drop + 2) % 3;
    const int     o1 = MshOrient2d(a, b, e, u, v), o2 = MshOrient2d(b, c, e, u, v), o3 = MshOrient2d(c, a, e, u, v);
    return ((o1 >= 0 && o2 >= 0 && o3 >= 0) || (o1 <= 0 && o2 <= 0 && o3 <= 0)) ? PETSC_TRUE : PETSC_FALSE;
  }
  {
    const int s1 = MshOrient3dSign(p, q, a, b), s2 = MshOrient3dSign(p, q, b, c), s3 = MshOrient3dSign(p, q, c, a);
    return ((s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0)) ? PETSC_TRUE : PETSC_FALSE;
  }
}

/* 3-D: boundary triangles i and j meet only where they share nodes */
static PetscErrorCode MshTestTriangles(MshFile *f, MshTopology *t, PetscInt i, PetscInt j)
{
  const int *p = &t->boundary[3 * i], *q = &t->boundary[3 * j];
  int        shared = 0, ps = -1, qs = -1;
  PetscBool  meet   = PETSC_FALSE;

  PetscFunctionBeginUser;
  for (int k = 0; k < 3; ++k)
    for (int l = 0; l < 3; ++l)
      if (p[k] == q[l]) ++shared, ps = k, qs = l;
  if (shared == 0) {
    for (int k = 0; k < 3 && !meet; ++k) meet = MshSegmentMeetsTriangle(MshX(f, p[k]), MshX(f, p[(k + 1) % 3]), MshX(f, q[0]), MshX(f, q[1]), MshX(f, q[2]));
    for (int k = 0; k < 3 && !meet; ++k) meet = MshSegmentMeetsTriangle(MshX(f, q[k]), MshX(f, q[(k + 1) % 3]), MshX(f, p[0]), MshX(f, p[1]), MshX(f, p[2]));
  } else if (shared == 1) { /* the sides opposite the common node must stay off the other triangle */
    meet = MshSegmentMeetsTriangle(MshX(f, p[(ps + 1) % 3]), MshX(f, p[(ps + 2) % 3]), MshX(f, q[0]), MshX(f, q[1]), MshX(f, q[2]));
    if (!meet) meet = MshSegmentMeetsTriangle(MshX(f, q[(qs + 1) % 3]), MshX(f, q[(qs + 2) % 3]), MshX(f, p[0]), MshX(f, p[1]), MshX(f, p[2]));
  } else if (shared == 2) { /* a common edge: folded flat onto each other? */
    int          r = -1, s = -1;
    const double *a, *b, *c, *d;
    for (int k = 0; k < 3; ++k) {
      if (p[k] != q[0] && p[k] != q[1] && p[k] != q[2]) r = k;
      if (q[k] != p[0] && q[k] != p[1] && q[k] != p[2]) s = k;
    }
    a = MshX(f, p[(r + 1) % 3]);
    b = MshX(f, p[(r + 2) % 3]);
    c = MshX(f, p[r]);
    d = MshX(f, q[s]);
    if (MshOrient3dSign(a, b, c, d) == 0) { /* coplanar: on the same side of the common edge? */
      const double n[3] = {(b[1] - a[1]) * (c[2] - a[2]) - (b[2] - a[2]) * (c[1] - a[1]), (b[2] - a[2]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[2] - a[2]), (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])};
      double       side;
      {
        const double e[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, g[3] = {d[0] - a[0], d[1] - a[1], d[2] - a[2]};
        const double m[3] = {e[1] * g[2] - e[2] * g[1], e[2] * g[0] - e[0] * g[2], e[0] * g[1] - e[1] * g[0]};
        side              = m[0] * n[0] + m[1] * n[1] + m[2] * n[2];
      }
      meet = side > 0 ? PETSC_TRUE : PETSC_FALSE;
    }
  }
  MshCheck(f, f->element_offset[t->cell[t->boundary_cell[j]]], !meet, "the boundary %s itself: its triangle of nodes %d, %d, %d (a face of element %" PetscInt64_FMT ") meets its triangle of nodes %d, %d, %d (a face of element %" PetscInt64_FMT ")", shared == 2 ? "folds onto" : "intersects", f->node_tags[p[0]], f->node_tags[p[1]], f->node_tags[p[2]], MshElementTag(f, t->cell[t->boundary_cell[i]]), f->node_tags[q[0]], f->node_tags[q[1]], f->node_tags[q[2]], MshElementTag(f, t->cell[t->boundary_cell[j]]));
  PetscFunctionReturn(0);
}

/* 2-D: boundary loops, and how often the mesh covers the side of each loop its cells are on */
static PetscErrorCode MshCheckLoops2d(MshFile *f, MshTopology *t)
{
  const PetscInt nb = t->nboundary;
  int           *out, *next;
  PetscInt      *row_start, *rows = NULL, nrows;
  double         ymin = PETSC_MAX_REAL, ymax = -PETSC_MAX_REAL, hr;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(f->nnodes + 1, &out, nb + 1, &next));
  for (PetscInt v = 0; v < f->nnodes; ++v) out[v] = -1;
  for (PetscInt i = 0; i < nb; ++i) {
    const int v = t->boundary[2 * i];
    MshCheck(f, f->element_offset[t->cell[t->boundary_cell[i]]], out[v] < 0, "the boundary touches itself at node %d: more than two boundary edges meet there", f->node_tags[v]);
    out[v] = (int)i;
    ymin   = PetscMin(ymin, MshX(f, v)[1]);
    ymax   = PetscMax(ymax, MshX(f, v)[1]);
  }
  for (PetscInt i = 0; i < nb; ++i) next[i] = out[t->boundary[2 * i + 1]];
  /* rows of boundary edges by y, for the winding number of a point */
  nrows = PetscMax(1, nb / 2);
  hr    = (ymax - ymin) / nrows;
  if (!(hr > 0)) hr = 1, nrows = 1;
  PetscCall(PetscCalloc1(nrows + 1, &row_start));
  for (int pass = 0; pass < 2; ++pass) {
    if (pass) {
      for (PetscInt r = 0; r < nrows; ++r) row_start[r + 1] += row_start[r];
      PetscCall(PetscMalloc1(row_start[nrows] + 1, &rows));
    }
    for (PetscInt i = 0; i < nb; ++i) {
      const double y0 = MshX(f, t->boundary[2 * i])[1], y1 = MshX(f, t->boundary[2 * i + 1])[1];
      const PetscInt r0 = PetscMin(nrows - 1, (PetscInt)((PetscMin(y0, y1) - ymin) / hr)), r1 = PetscMin(nrows - 1, (PetscInt)((PetscMax(y0, y1) - ymin) / hr));
      for (PetscInt r = r0; r <= r1; ++r) {
        if (pass) rows[row_start[r]++] = i;
        else ++row_start[r + 1];
      }
    }
  }
  for (PetscInt r = nrows; r > 0; --r) row_start[r] = row_start[r - 1];
  row_start[0] = 0;
  { /* each loop: a point just inside the cell of its first edge is covered once */
    PetscBool *seen;
    PetscCall(PetscCalloc1(nb + 1, &seen));
    for (PetscInt i = 0; i < nb; ++i) {
      double        p[2];
      PetscInt      w = 0, r;
      const double *a = MshX(f, t->boundary[2 * i]), *b = MshX(f, t->boundary[2 * i + 1]);
      if (seen[i]) continue;
      for (PetscInt k = i; k >= 0 && !seen[k]; k = next[k]) seen[k] = PETSC_TRUE;
      {
        const int    *n = MshCellNodes(f, t, t->boundary_cell[i]);
        const double *c = NULL;
        for (int k = 0; k < 3; ++k)
          if (n[k] != t->boundary[2 * i] && n[k] != t->boundary[2 * i + 1]) c = MshX(f, n[k]);
        for (int d = 0; d < 2; ++d) p[d] = 0.5 * (a[d] + b[d]) + 1.0e-3 * (c[d] - 0.5 * (a[d] + b[d]));
      }
      r = PetscMax(0, PetscMin(nrows - 1, (PetscInt)((p[1] - ymin) / hr)));
      for (PetscInt k = row_start[r]; k < row_start[r + 1]; ++k) {
        const double *u = MshX(f, t->boundary[2 * rows[k]]), *v = MshX(f, t->boundary[2 * rows[k] + 1]);
        const double  side = (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
        if (u[1] <= p[1] && v[1] > p[1] && side > 0) ++w;
        else if (v[1] <= p[1] && u[1] > p[1] && side < 0) --w;
      }
      MshCheck(f, f->element_offset[t->cell[t->boundary_cell[i]]], w == t->orientation, "the mesh covers the inside of its boundary edge from node %d to node %d %" PetscInt_FMT " times: cells lie on top of other cells", f->node_tags[t->boundary[2 * i]], f->node_tags[t->boundary[2 * i + 1]], w * t->orientation);
    }
    PetscCall(PetscFree(seen));
  }
  PetscCall(PetscFree(rows));
  PetscCall(PetscFree(row_start));
  PetscCall(PetscFree2(out, next));
  PetscFunctionReturn(0);
}

static PetscInt MshRoot(PetscInt *parent, PetscInt i)
{
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

/* 3-D: every boundary edge in exactly two boundary triangles, once each way; the triangles joined
   by edges into the pieces of the boundary (component: a triangle of each piece's, per triangle) */
static PetscErrorCode MshCheckBoundaryEdges3d(MshFile *f, MshTopology *t, PetscInt component[])
{
  const PetscInt nb = t->nboundary;
  PetscInt      *start;
  MshFace       *edges;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(f->nnodes + 1, &start));
  PetscCall(PetscMalloc1(3 * nb + 1, &edges));
  for (PetscInt i = 0; i < nb; ++i) component[i] = i;
  for (PetscInt i = 0; i < nb; ++i)
    for (int k = 0; k < 3; ++k) ++start[PetscMin(t->boundary[3 * i + k], t->boundary[3 * i + (k + 1) % 3]) + 1];
  for (PetscInt v = 0; v < f->nnodes; ++v) start[v + 1] += start[v];
  for (PetscInt i = 0; i < nb; ++i)
    for (int k = 0; k < 3; ++k) {
      const int a = t->boundary[3 * i + k], b = t->boundary[3 * i + (k + 1) % 3];
      MshFace  *e = &edges[start[PetscMin(a, b)]++];
      e->a         = PetscMax(a, b);
      e->b         = -1;
      e->cell_side = (uint32_t)i * 2u + (a > b ? 1u : 0u);
    }
  for (PetscInt v = f->nnodes; v > 0; --v) start[v] = start[v - 1];
  start[0] = 0;
  for (PetscInt v = 0; v < f->nnodes; ++v) {
    MshSortFaces(&edges[start[v]], start[v + 1] - start[v]);
    for (PetscInt i = start[v], j; i < start[v + 1]; i = j) {
      for (j = i + 1; j < start[v + 1] && edges[j].a == edges[i].a; ++j) {}
      MshCheck(f, f->element_offset[t->cell[t->boundary_cell[edges[i].cell_side / 2]]], j - i == 2 && (edges[i].cell_side & 1) != (edges[i + 1].cell_side & 1), "the boundary %s at the edge from node %d to node %d: %" PetscInt_FMT " boundary triangles meet there", j - i == 2 ? "folds over" : "touches itself", f->node_tags[v], f->node_tags[edges[i].a], j - i);
      component[MshRoot(component, (PetscInt)(edges[i].cell_side / 2))] = MshRoot(component, (PetscInt)(edges[i + 1].cell_side / 2));
    }
  }
  for (PetscInt i = 0; i < nb; ++i) component[i] = MshRoot(component, i);
  PetscCall(PetscFree(edges));
  PetscCall(PetscFree(start));
  PetscFunctionReturn(0);
}

/* 3-D: the mesh covers the inside of each piece of its boundary once. The number of cells over a
   point just inside a piece's first triangle is the winding number of the boundary around it:
   the signed count of boundary triangles a ray straight up from the point passes (+1 where the
   triangle's outward normal points up). Triangles are bucketed by x, y on a hashed grid. A ray
   through an edge or a corner exactly is moved and cast again. */
static PetscErrorCode MshCheckCover3d(MshFile *f, MshTopology *t, const PetscInt component[])
{
  const PetscInt nb = t->nboundary;
  double         lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {-PETSC_MAX_REAL, -PETSC_MAX_REAL}, h = 0;
  PetscInt       nx, ny, *column_start, *columns, total = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nb; ++i) {
    double size = 0;
    for (int d = 0; d < 2; ++d) {
      double a = PETSC_MAX_REAL, b = -PETSC_MAX_REAL;
      for (int k = 0; k < 3; ++k) a = PetscMin(a, MshX(f, t->boundary[3 * i + k])[d]), b = PetscMax(b, MshX(f, t->boundary[3 * i + k])[d]);
      lo[d] = PetscMin(lo[d], a);
      hi[d] = PetscMax(hi[d], b);
      size  = PetscMax(size, b - a);
    }
    h += size / nb;
  }
  h = PetscMax(h, PetscMax(hi[0] - lo[0], hi[1] - lo[1]) / 4096);
  if (!(h > 0)) h = 1;
  for (;;) { /* at most a few columns a triangle */
    nx = (PetscInt)((hi[0] - lo[0]) / h) + 1;
    ny = (PetscInt)((hi[1] - lo[1]) / h) + 1;
    if (nx * ny <= 4 * nb + 1024) break;
    h *= 2;
  }
  for (;;) { /* the columns a triangle's box covers, in all; coarser if too many */
    total = 0;
    for (PetscInt i = 0; i < nb; ++i) {
      PetscInt c[4];
      for (int d = 0; d < 2; ++d) {
        double a = PETSC_MAX_REAL, b = -PETSC_MAX_REAL;
        for (int k = 0; k < 3; ++k) a = PetscMin(a, MshX(f, t->boundary[3 * i + k])[d]), b = PetscMax(b, MshX(f, t->boundary[3 * i + k])[d]);
        c[2 * d]     = (PetscInt)((a - lo[d]) / h);
        c[2 * d + 1] = (PetscInt)((b - lo[d]) / h);
      }
      total += (c[1] - c[0] + 1) * (c[3] - c[2] + 1);
    }
    if (total <= 16 * nb + 1024) break;
    h *= 2;
    nx = (PetscInt)((hi[0] - lo[0]) / h) + 1;
    ny = (PetscInt)((hi[1] - lo[1]) / h) + 1;
  }
  PetscCall(PetscCalloc1(nx * ny + 1, &column_start));
  PetscCall(PetscMalloc1(total + 1, &columns));
  for (int pass = 0; pass < 2; ++pass) {
    if (pass)
      for (PetscInt c = 0; c < nx * ny; ++c) column_start[c + 1] += column_start[c];
    for (PetscInt i = 0; i < nb; ++i) {
      PetscInt c[4];
      for (int d = 0; d < 2; ++d) {
        double a = PETSC_MAX_REAL, b = -PETSC_MAX_REAL;
        for (int k = 0; k < 3; ++k) a = PetscMin(a, MshX(f, t->boundary[3 * i + k])[d]), b = PetscMax(b, MshX(f, t->boundary[3 * i + k])[d]);
        c[2 * d]     = (PetscInt)((a - lo[d]) / h);
        c[2 * d + 1] = (PetscInt)((b - lo[d]) / h);
      }
      for (PetscInt x = c[0]; x <= c[1]; ++x)
        for (PetscInt y = c[2]; y <= c[3]; ++y) {
          if (pass) columns[column_start[x * ny + y]++] = i;
          else ++column_start[x * ny + y + 1];
        }
    }
  }
  for (PetscInt c = nx * ny; c > 0; --c) column_start[c] = column_start[c - 1];
  column_start[0] = 0;
  for (PetscInt i = 0; i < nb; ++i) {
    const int *b = &t->boundary[3 * i], *n = MshCellNodes(f, t, t->boundary_cell[i]);
    PetscInt   w = 0;
    if (component[i] != i) continue; /* one triangle a piece */
    for (int attempt = 0; attempt < 8; ++attempt) {
      /* a point inside the triangle's cell, near the triangle, moved a little on each attempt */
      const double weight[3] = {0.31 + 0.037 * attempt, 0.33 - 0.011 * attempt, 0.36 - 0.026 * attempt};
      double       p[3]      = {0, 0, 0};
      PetscBool    exact     = PETSC_FALSE;
      const double *c        = NULL;
      for (int k = 0; k < 4; ++k)
        if (n[k] != b[0] && n[k] != b[1] && n[k] != b[2]) c = MshX(f, n[k]);
      for (int d = 0; d < 3; ++d) {
        for (int k = 0; k < 3; ++k) p[d] += weight[k] * MshX(f, b[k])[d];
        p[d] += 1.0e-3 * (c[d] - p[d]);
      }
      {
        const PetscInt x = PetscMax(0, PetscMin(nx - 1, (PetscInt)((p[0] - lo[0]) / h))), y = PetscMax(0, PetscMin(ny - 1, (PetscInt)((p[1] - lo[1]) / h)));
        w = 0;
        for (PetscInt k = column_start[x * ny + y]; k < column_start[x * ny + y + 1] && !exact; ++k) {
          const double *u = MshX(f, t->boundary[3 * columns[k]]), *v = MshX(f, t->boundary[3 * columns[k] + 1]), *q = MshX(f, t->boundary[3 * columns[k] + 2]);
          const double  nz = (v[0] - u[0]) * (q[1] - u[1]) - (v[1] - u[1]) * (q[0] - u[0]); /* 2 x the signed area of its shadow */
          const double  s1 = (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0]);
          const double  s2 = (q[0] - v[0]) * (p[1] - v[1]) - (q[1] - v[1]) * (p[0] - v[0]);
          const double  s3 = (u[0] - q[0]) * (p[1] - q[1]) - (u[1] - q[1]) * (p[0] - q[0]);
          if (nz == 0) continue; /* upright: the ray runs along it */
          if ((s1 > 0 && s2 > 0 && s3 > 0) || (s1 < 0 && s2 < 0 && s3 < 0)) {
            /* the triangle's height over the point, from the plane through it */
            const double z = u[2] + (s3 * (v[2] - u[2]) + s1 * (q[2] - u[2])) / nz; /* s2, s3, s1: u's, v's, q's weights */
            if (z > p[2]) w += nz > 0 ? 1 : -1;
          } else if ((s1 == 0 && s2 * s3 >= 0) || (s2 == 0 && s1 * s3 >= 0) || (s3 == 0 && s1 * s2 >= 0)) exact = PETSC_TRUE; /* on a side */
        }
      }
      if (!exact) break;
    }
    MshCheck(f, f->element_offset[t->cell[t->boundary_cell[i]]], w == t->orientation, "the mesh covers the inside of its boundary triangle of nodes %d, %d, %d %" PetscInt_FMT " times: cells lie on top of other cells", f->node_tags[b[0]], f->node_tags[b[1]], f->node_tags[b[2]], w * t->orientation);
  }
  PetscCall(PetscFree(columns));
  PetscCall(PetscFree(column_start));
  PetscFunctionReturn(0);
}

/* The cells' signed measure is the measure the boundary encloses (divergence theorem) */
static PetscErrorCode MshCheckEnclosed(MshFile *f, MshTopology *t)
{
  const int     dim = t->dim;
  const double *o   = MshX(f, MshCellNodes(f, t, 0)[0]);
  double        cells = 0, magnitude = 0, enclosed = 0;

  PetscFunctionBeginUser;
  for (PetscInt c = 0; c < t->ncells; ++c) {
    const int   *n = MshCellNodes(f, t, c);
    const double m = MshMeasure(dim, MshX(f, n[0]), MshX(f, n[1]), MshX(f, n[2]), dim == 3 ? MshX(f, n[3]) : NULL);
    cells += m;
    magnitude += PetscAbsReal(m);
  }
  for (PetscInt i = 0; i < t->nboundary; ++i) {
    const int *b = &t->boundary[dim * i];
    enclosed += MshMeasure(dim, o, MshX(f, b[0]), MshX(f, b[1]), dim == 3 ? MshX(f, b[2]) : NULL);
  }
  MshMeshCheck(f, PetscAbsReal(cells - enclosed) <= 1e-8 * magnitude && PetscAbsReal(PetscAbsReal(cells) - magnitude) <= 1e-8 * magnitude, "folds over itself: its cells measure %g but its boundary encloses %g", cells / (dim == 2 ? 2 : 6), enclosed / (dim == 2 ? 2 : 6));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshCheckMesh(MshFile *f)
{
  MshTopology  t;
  signed char *sign;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&t, sizeof(t)));
  PetscCall(MshCheckContent(f, &t));
  PetscCall(PetscMalloc1(t.ncells + 1, &sign));
  PetscCall(MshCheckCells(f, &t, sign));
  PetscCall(MshCheckFaces(f, &t, sign));
  PetscCall(PetscFree(sign));
  PetscCall(MshCheckLowerElements(f, &t));
  PetscCall(PetscFree(t.faces));
  PetscCall(PetscFree(t.face_start));
  if (t.dim == 2) { /* crossings first: the loops' test assumes none */
    PetscCall(MshBoundaryPairs(f, &t, MshTestEdges));
    PetscCall(MshCheckLoops2d(f, &t));
  } else {
    PetscInt *component;
    PetscCall(PetscMalloc1(t.nboundary + 1, &component));
    PetscCall(MshCheckBoundaryEdges3d(f, &t, component));
    PetscCall(MshBoundaryPairs(f, &t, MshTestTriangles));
    PetscCall(MshCheckCover3d(f, &t, component));
    PetscCall(PetscFree(component));
  }
  PetscCall(MshCheckEnclosed(f, &t));
  PetscCall(PetscFree2(t.boundary, t.boundary_cell));
  PetscCall(PetscFree(t.cell));
  PetscFunctionReturn(0);
}

/* ------------------------------------------------------------------------------------------
   Rank 0: read the file into memory and check it */

static PetscErrorCode MshFileDestroy(MshFile *f)
{
  PetscFunctionBeginUser;
  if (f->mapped) munmap(f->mapped, f->size);
  else PetscCall(PetscFree(f->buf));
  PetscCall(PetscFree(f->physicals));
  for (int d = 0; d < 4; ++d) PetscCall(PetscFree(f->surface_tags[d]));
  for (int d = 0; d < 4; ++d) PetscCall(PetscFree(f->entities[d]));
  PetscCall(PetscFree2(f->node_tags, f->xyz));
  PetscCall(PetscFree(f->node_index));
  PetscCall(PetscFree4(f->element_nodes, f->element_dim, f->element_flags, f->element_offset));
  PetscFunctionReturn(0);
}

/* The file in memory: mapped (no copy; the reading never goes past its end), else read */
static PetscErrorCode MshFileLoad(MshFile *f, size_t max_bytes)
{
  FILE       *fp;
  struct stat st;
  size_t      got = 0;

  PetscFunctionBeginUser;
  fp = fopen(f->path, "rb");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%scannot read mesh '%s': %s", f->where ? f->where : "", f->where ? ": " : "", f->path, strerror(errno));
  if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max_bytes) {
    fclose(fp);
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%scannot read mesh '%s': not a regular file of at most %zu bytes", f->where ? f->where : "", f->where ? ": " : "", f->path, max_bytes);
  }
  f->size = (size_t)st.st_size;
  if (f->size) {
    void *map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fileno(fp), 0);
    if (map != MAP_FAILED) {
      (void)posix_madvise(map, f->size, POSIX_MADV_SEQUENTIAL | POSIX_MADV_WILLNEED);
      f->mapped = map;
      f->buf    = (const unsigned char *)map;
      fclose(fp);
      PetscFunctionReturn(0);
    }
  }
  {
    unsigned char *buf;
    if (PetscMalloc1(f->size + 1, &buf)) {
      fclose(fp);
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_MEM, "cannot hold the %zu bytes of mesh '%s' in memory", f->size, f->path);
    }
    f->buf = buf;
    while (got < f->size) {
      const size_t n = fread(buf + got, 1, f->size - got, fp);
      if (!n) break;
      got += n;
    }
  }
  fclose(fp);
  PetscCheck(got == f->size, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "%s%scannot read mesh '%s': read %zu of its %zu bytes", f->where ? f->where : "", f->where ? ": " : "", f->path, got, f->size);
  PetscFunctionReturn(0);
}

static PetscErrorCode MshCheckFileHere(MshFile *f, size_t max_bytes)
{
  PetscFunctionBeginUser;
  PetscCall(MshFileLoad(f, max_bytes));
  PetscCall(MshReadSections(f));
  if (f->binary) { /* PETSc's binary viewer reads FILE.info, if there is one, as PETSc options */
    char        info[PETSC_MAX_PATH_LEN];
    struct stat st;
    PetscCall(PetscSNPrintf(info, sizeof(info), "%s.info", f->path));
    MshMeshCheck(f, stat(info, &st) != 0, "is binary and has a file '%.512s' beside it, which PETSc's reader would read as options: remove or rename it", info);
  }
  PetscCall(MshCheckMesh(f));
  PetscFunctionReturn(0);
}

static PetscErrorCode MshCaptureError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  char *buf = (char *)ctx;
  (void)comm, (void)line, (void)func, (void)file;
  if (p == PETSC_ERROR_INITIAL && !buf[0]) snprintf(buf, 1024, "%s", mess ? mess : "error");
  return n;
}

static PetscLogEvent msh_check_event = -1;

/* Collective: rank 0 checks the file; every rank fails with its message, or none does */
PetscErrorCode MeshCheckMshFile(MPI_Comm comm, const char path[], const char where[])
{
  PetscInt    max_cells = MSH_DEFAULT_MAX_CELLS;
  size_t      max_bytes;
  PetscMPIInt rank;
  PetscBool   failed = PETSC_FALSE;
  char        message[1024] = "", option[PETSC_MAX_PATH_LEN];
  const char *prefix = where ? where : "", *colon = where ? ": " : "";

  PetscFunctionBeginUser;
  if (msh_check_event < 0) PetscCall(PetscLogEventRegister("MeshCheckMsh", DM_CLASSID, &msh_check_event));
  PetscCall(PetscLogEventBegin(msh_check_event, 0, 0, 0, 0));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-mesh_max_cells", &max_cells, NULL));
  PetscCall(InputOptionWhere("-mesh_max_cells", option, sizeof(option)));
  PetscCheck(max_cells > 0, comm, PETSC_ERR_USER_INPUT, "%s: max_cells must be positive, got %" PetscInt_FMT, option, max_cells);
  max_bytes = (size_t)max_cells * MSH_BYTES_PER_CELL + ((size_t)64 << 20);
  {
    size_t    len;
    PetscBool msh, msh2, msh4;
    PetscCall(PetscStrlen(path, &len));
    PetscCall(PetscStrendswith(path, ".msh", &msh));
    PetscCall(PetscStrendswith(path, ".msh2", &msh2));
    PetscCall(PetscStrendswith(path, ".msh4", &msh4));
    PetscCheck(len && (msh || msh2 || msh4), comm, PETSC_ERR_USER_INPUT, "%s%smesh '%s': spot reads Gmsh meshes, whose file names end in .msh", prefix, colon, path);
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) { /* a file too big gets a message that names the option */
    struct stat st;
    if (!stat(path, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size > max_bytes) {
      failed = PETSC_TRUE;
      snprintf(message, sizeof(message), "%s%smesh '%s' is %.3g MB, more than the %.3g MB a mesh of at most %" PetscInt_FMT " cells (-mesh_max_cells) takes; raise -mesh_max_cells to read it", prefix, colon, path, (double)st.st_size / 1e6, (double)max_bytes / 1e6, max_cells);
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  { /* a regular file, readable: InputCheckFile's message, after where */
    PetscErrorCode ierr;
    char           text[1024] = "";
    PetscCall(PetscPushErrorHandler(MshCaptureError, text));
    ierr = InputCheckFile(comm, path, "mesh", max_bytes);
    PetscCall(PetscPopErrorHandler());
    PetscCheck(!ierr, comm, PETSC_ERR_USER_INPUT, "%s%s%s", prefix, colon, text);
  }
  if (rank == 0) {
    MshFile        f;
    PetscErrorCode ierr;
    char           text[1024] = "";
    PetscCall(PetscMemzero(&f, sizeof(f)));
    f.path      = path;
    f.where     = where;
    f.max_cells = max_cells;
    f.max_dim   = -1;
    PetscCall(PetscPushErrorHandler(MshCaptureError, text));
    ierr = MshCheckFileHere(&f, max_bytes);
    PetscCall(PetscPopErrorHandler());
    PetscCall(MshFileDestroy(&f));
    if (ierr) {
      failed = PETSC_TRUE;
      if (ierr == PETSC_ERR_USER_INPUT) PetscCall(PetscStrncpy(message, text, sizeof(message)));
      else PetscCall(PetscSNPrintf(message, sizeof(message), "%s%scannot check mesh '%s': %s", prefix, colon, path, text));
    }
  }
  PetscCall(InputCollectiveError(comm, failed, message));
  PetscCall(PetscLogEventEnd(msh_check_event, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
