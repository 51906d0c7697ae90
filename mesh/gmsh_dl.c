/* Gmsh loaded on first use: spot does not link libgmsh.

   Linking it made every start of spot (even `spot version`) load Gmsh and the ~65 libraries
   it needs (OpenCASCADE, FLTK, VTK, ...), about 0.2 s of CPU in the dynamic loader, although
   most runs read an existing .msh file. This file defines the functions of gmshc.h that spot
   calls (the header checks the signatures); the first call opens the library, each function
   looks up its real symbol once and forwards the call. The library stays open until exit.

   When the library or a symbol is missing, the call sets *ierr = 1 and returns 0, as a failing
   Gmsh call does, and gmshLoggerGetLastError returns the reason until Gmsh reports a newer
   error, so GmshCall (mesh/meshimpl.h) prints it like any Gmsh error.

   To call another Gmsh function, add a line to the table below: GMSH_VOID or GMSH_INT, the
   name, the parameter list copied from gmshc.h, and the argument names. Not thread-safe, like
   the rest of spot's Gmsh use (one thread of rank 0).

   Exceptions. Gmsh's C API catches the C++ exceptions of its calls and sets *ierr, except those
   thrown inside its OpenMP loops (meshing curves and surfaces), which cannot leave the loop:
   the C++ runtime calls std::terminate, and the default handler prints "terminate called after
   throwing an instance of 'std::bad_alloc'" and aborts (a huge curve mesh asked for more
   memory than exists). spot checks what it gives Gmsh so that this does not happen, and as a
   last guard every forwarded call runs under a terminate handler of ours (installed through
   std::set_terminate, looked up in the C++ runtime Gmsh loads): on the thread of the call it
   jumps back out of Gmsh, and the call fails like any Gmsh call, with the exception's type as
   the message. Gmsh's state is then unknown, so every later call fails with the same message.
   Gmsh runs on one thread (General.NumThreads 1, mesh/gmsh.c): a handler on another thread
   could not jump, and aborts as before. */
#include <dlfcn.h>
#include <gmshc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GMSH_STR_(x) #x
#define GMSH_STR(x) GMSH_STR_(x)

/* The soname of the Gmsh whose gmshc.h spot is compiled against (its ABI), then the
   development link as a fallback for builds with another soname */
static const char *const gmsh_names[] = {"libgmsh.so." GMSH_STR(GMSH_API_VERSION_MAJOR) "." GMSH_STR(GMSH_API_VERSION_MINOR), "libgmsh.so"};

static void       *gmsh_lib;             /* dlopen handle, NULL until loaded */
static const char *gmsh_lib_name;        /* which of gmsh_names was loaded */
static char        gmsh_load_error[512]; /* why the library cannot be loaded; set once */
static char        gmsh_error[512];      /* our last failure, "" once Gmsh reports a newer one */

/* The real function name, or NULL after recording in gmsh_error why not */
static void *GmshResolve(const char name[])
{
  const char *why;
  void       *fn;

  if (!gmsh_lib && !gmsh_load_error[0]) { /* first use: try each name once */
    for (size_t i = 0; i < sizeof(gmsh_names) / sizeof(gmsh_names[0]) && !gmsh_lib; ++i) {
      gmsh_lib_name = gmsh_names[i];
      gmsh_lib      = dlopen(gmsh_lib_name, RTLD_LAZY | RTLD_LOCAL);
      why           = gmsh_lib ? NULL : dlerror();
      if (!gmsh_lib && i == 0) /* the first failure says most, e.g. which dependency is missing */
        snprintf(gmsh_load_error, sizeof(gmsh_load_error), "cannot load the Gmsh library (%s): %s; install libgmsh-dev", gmsh_lib_name, why ? why : "dlopen failed");
    }
  }
  if (!gmsh_lib) {
    snprintf(gmsh_error, sizeof(gmsh_error), "%s", gmsh_load_error);
    return NULL;
  }
  (void)dlerror();
  fn = dlsym(gmsh_lib, name);
  if (!fn) {
    why = dlerror();
    snprintf(gmsh_error, sizeof(gmsh_error), "the Gmsh library %s has no function %s (%s); spot needs Gmsh %s", gmsh_lib_name, name, why ? why : "no such symbol", GMSH_API_VERSION);
  }
  return fn;
}

/* After a forwarded call: an error Gmsh reports is newer than ours */
static void GmshForwarded(const int *ierr)
{
  if (ierr && *ierr) gmsh_error[0] = '\0';
}

/* ---- the terminate guard ---- */
static sigjmp_buf   gmsh_jump;
static volatile int gmsh_guarded;    /* a forwarded call is running on gmsh_thread */
static pthread_t    gmsh_thread;
static char         gmsh_broken[512]; /* why Gmsh cannot be used any more; "" while it can */

typedef void (*GmshTerminateHandler)(void);

/* The type of the exception being handled, demangled ("std::bad_alloc"), from the C++ ABI */
static void GmshExceptionName(char name[], size_t len)
{
  void *(*current)(void)                                       = NULL;
  char *(*demangle)(const char *, char *, size_t *, int *)     = NULL;
  const char *mangled                                          = NULL;
  char       *readable                                         = NULL;
  int         status                                           = -1;

  snprintf(name, len, "an unknown C++ exception");
  if (!gmsh_lib) return;
  current  = (void *(*)(void))dlsym(gmsh_lib, "__cxa_current_exception_type");
  demangle = (char *(*)(const char *, char *, size_t *, int *))dlsym(gmsh_lib, "__cxa_demangle");
  if (current) {
    void **info = (void **)current(); /* std::type_info: a vtable pointer, then the mangled name */
    if (info) mangled = (const char *)info[1];
  }
  if (mangled && demangle) readable = demangle(mangled, NULL, NULL, &status);
  if (readable && !status) snprintf(name, len, "%s", readable);
  else if (mangled) snprintf(name, len, "%s", mangled);
  free(readable);
}

static void GmshTerminate(void)
{
  if (gmsh_guarded && pthread_equal(pthread_self(), gmsh_thread)) {
    char what[256];
    GmshExceptionName(what, sizeof(what));
    snprintf(gmsh_broken, sizeof(gmsh_broken), "Gmsh stopped on a C++ exception it could not catch (%s)%s", what, strstr(what, "bad_alloc") ? ": it asked for more memory than there is" : "");
    gmsh_guarded = 0;
    siglongjmp(gmsh_jump, 1);
  }
  abort();
}

/* Once, when the library is loaded: our handler in place of the C++ runtime's */
static void GmshGuardInstall(void)
{
  static int           done;
  GmshTerminateHandler (*set_terminate)(GmshTerminateHandler);

  if (done || !gmsh_lib) return;
  done          = 1;
  set_terminate = (GmshTerminateHandler(*)(GmshTerminateHandler))dlsym(gmsh_lib, "_ZSt13set_terminatePFvvE"); /* std::set_terminate */
  if (set_terminate) set_terminate(GmshTerminate);
}

/* Before a call: 1 when Gmsh is broken (ierr set, gmsh_error says why) */
static int GmshBroken(int *ierr)
{
  if (!gmsh_broken[0]) return 0;
  snprintf(gmsh_error, sizeof(gmsh_error), "%s", gmsh_broken);
  if (ierr) *ierr = 1;
  return 1;
}

/* The call itself, between sigsetjmp (which must be in the caller's frame) and the guard's end */
#define GMSH_GUARDED(call, on_exception) \
  do { \
    GmshGuardInstall(); \
    if (sigsetjmp(gmsh_jump, 0)) { \
      snprintf(gmsh_error, sizeof(gmsh_error), "%s", gmsh_broken); \
      if (ierr) *ierr = 1; \
      on_exception; \
    } \
    gmsh_thread  = pthread_self(); \
    gmsh_guarded = 1; \
    call; \
    gmsh_guarded = 0; \
  } while (0)

#define GMSH_VOID(name, params, args)                     \
  void name params                                        \
  {                                                       \
    static void(*real) params;                            \
    if (GmshBroken(ierr)) return;                         \
    if (!real) real = (void(*) params)GmshResolve(#name); \
    if (!real) {                                          \
      if (ierr) *ierr = 1;                                \
      return;                                             \
    }                                                     \
    GMSH_GUARDED(real args, return);                      \
    GmshForwarded(ierr);                                  \
  }

#define GMSH_INT(name, params, args)                     \
  int name params                                        \
  {                                                      \
    static int(*real) params;                            \
    int result = 0;                                      \
    if (GmshBroken(ierr)) return 0;                      \
    if (!real) real = (int(*) params)GmshResolve(#name); \
    if (!real) {                                         \
      if (ierr) *ierr = 1;                               \
      return 0;                                          \
    }                                                    \
    GMSH_GUARDED(result = real args, return 0);          \
    GmshForwarded(ierr);                                 \
    return result;                                       \
  }

/* clang-format off */
GMSH_VOID(gmshInitialize, (int argc, char **argv, const int readConfigFiles, int *ierr), (argc, argv, readConfigFiles, ierr))
GMSH_VOID(gmshFinalize, (int *ierr), (ierr))
GMSH_VOID(gmshOpen, (const char *fileName, int *ierr), (fileName, ierr))
GMSH_VOID(gmshWrite, (const char *fileName, int *ierr), (fileName, ierr))
GMSH_VOID(gmshClear, (int *ierr), (ierr))
GMSH_VOID(gmshOptionSetNumber, (const char *name, const double value, int *ierr), (name, value, ierr))
GMSH_VOID(gmshLoggerStart, (int *ierr), (ierr))

GMSH_VOID(gmshModelAdd, (const char *name, int *ierr), (name, ierr))
GMSH_INT (gmshModelGetDimension, (int *ierr), (ierr))
GMSH_VOID(gmshModelGetEntities, (int **dimTags, size_t *dimTags_n, const int dim, int *ierr), (dimTags, dimTags_n, dim, ierr))
GMSH_VOID(gmshModelGetBoundary, (int *dimTags, size_t dimTags_n, int **outDimTags, size_t *outDimTags_n, const int combined, const int oriented, const int recursive, int *ierr),
          (dimTags, dimTags_n, outDimTags, outDimTags_n, combined, oriented, recursive, ierr))
GMSH_VOID(gmshModelGetBoundingBox, (const int dim, const int tag, double *xmin, double *ymin, double *zmin, double *xmax, double *ymax, double *zmax, int *ierr),
          (dim, tag, xmin, ymin, zmin, xmax, ymax, zmax, ierr))
GMSH_INT (gmshModelAddPhysicalGroup, (const int dim, int *tags, size_t tags_n, const int tag, int *ierr), (dim, tags, tags_n, tag, ierr))
GMSH_VOID(gmshModelSetPhysicalName, (const int dim, const int tag, const char *name, int *ierr), (dim, tag, name, ierr))
GMSH_VOID(gmshModelGetPhysicalGroups, (int **dimTags, size_t *dimTags_n, const int dim, int *ierr), (dimTags, dimTags_n, dim, ierr))
GMSH_VOID(gmshModelGetPhysicalName, (const int dim, const int tag, char **name, int *ierr), (dim, tag, name, ierr))
GMSH_VOID(gmshModelGetEntitiesForPhysicalGroup, (const int dim, const int tag, int **tags, size_t *tags_n, int *ierr), (dim, tag, tags, tags_n, ierr))
GMSH_INT (gmshModelAddDiscreteEntity, (const int dim, const int tag, int *boundary, size_t boundary_n, int *ierr), (dim, tag, boundary, boundary_n, ierr))

GMSH_INT (gmshModelGeoAddPoint, (const double x, const double y, const double z, const double meshSize, const int tag, int *ierr), (x, y, z, meshSize, tag, ierr))
GMSH_INT (gmshModelGeoAddSpline, (int *pointTags, size_t pointTags_n, const int tag, int *ierr), (pointTags, pointTags_n, tag, ierr))
GMSH_INT (gmshModelGeoAddCurveLoop, (int *curveTags, size_t curveTags_n, const int tag, const int reorient, int *ierr), (curveTags, curveTags_n, tag, reorient, ierr))
GMSH_INT (gmshModelGeoAddPlaneSurface, (int *wireTags, size_t wireTags_n, const int tag, int *ierr), (wireTags, wireTags_n, tag, ierr))
GMSH_VOID(gmshModelGeoExtrude, (int *dimTags, size_t dimTags_n, const double dx, const double dy, const double dz, int **outDimTags, size_t *outDimTags_n, int *numElements, size_t numElements_n, double *heights, size_t heights_n, const int recombine, int *ierr),
          (dimTags, dimTags_n, dx, dy, dz, outDimTags, outDimTags_n, numElements, numElements_n, heights, heights_n, recombine, ierr))
GMSH_VOID(gmshModelGeoSynchronize, (int *ierr), (ierr))

GMSH_INT (gmshModelOccAddDisk, (const double xc, const double yc, const double zc, const double rx, const double ry, const int tag, int *ierr), (xc, yc, zc, rx, ry, tag, ierr))
GMSH_INT (gmshModelOccAddRectangle, (const double x, const double y, const double z, const double dx, const double dy, const int tag, const double roundedRadius, int *ierr), (x, y, z, dx, dy, tag, roundedRadius, ierr))
GMSH_INT (gmshModelOccAddSphere, (const double xc, const double yc, const double zc, const double radius, const int tag, const double angle1, const double angle2, const double angle3, int *ierr),
          (xc, yc, zc, radius, tag, angle1, angle2, angle3, ierr))
GMSH_INT (gmshModelOccAddBox, (const double x, const double y, const double z, const double dx, const double dy, const double dz, const int tag, int *ierr), (x, y, z, dx, dy, dz, tag, ierr))
GMSH_VOID(gmshModelOccRotate, (int *dimTags, size_t dimTags_n, const double x, const double y, const double z, const double ax, const double ay, const double az, const double angle, int *ierr),
          (dimTags, dimTags_n, x, y, z, ax, ay, az, angle, ierr))
GMSH_VOID(gmshModelOccDilate, (int *dimTags, size_t dimTags_n, const double x, const double y, const double z, const double a, const double b, const double c, int *ierr),
          (dimTags, dimTags_n, x, y, z, a, b, c, ierr))
GMSH_VOID(gmshModelOccExtrude, (int *dimTags, size_t dimTags_n, const double dx, const double dy, const double dz, int **outDimTags, size_t *outDimTags_n, int *numElements, size_t numElements_n, double *heights, size_t heights_n, const int recombine, int *ierr),
          (dimTags, dimTags_n, dx, dy, dz, outDimTags, outDimTags_n, numElements, numElements_n, heights, heights_n, recombine, ierr))
GMSH_VOID(gmshModelOccSynchronize, (int *ierr), (ierr))

GMSH_INT (gmshModelMeshFieldAdd, (const char *fieldType, const int tag, int *ierr), (fieldType, tag, ierr))
GMSH_VOID(gmshModelMeshFieldSetNumber, (const int tag, const char *option, const double value, int *ierr), (tag, option, value, ierr))
GMSH_VOID(gmshModelMeshFieldSetNumbers, (const int tag, const char *option, double *value, size_t value_n, int *ierr), (tag, option, value, value_n, ierr))
GMSH_VOID(gmshModelMeshFieldSetString, (const int tag, const char *option, const char *value, int *ierr), (tag, option, value, ierr))
GMSH_VOID(gmshModelMeshFieldSetAsBackgroundMesh, (const int tag, int *ierr), (tag, ierr))
GMSH_VOID(gmshModelMeshSetTransfiniteAutomatic, (int *dimTags, size_t dimTags_n, const double cornerAngle, const int recombine, int *ierr), (dimTags, dimTags_n, cornerAngle, recombine, ierr))
GMSH_VOID(gmshModelMeshGenerate, (const int dim, int *ierr), (dim, ierr))
GMSH_VOID(gmshModelMeshSetSizeCallback, (double (*callback)(int dim, int tag, double x, double y, double z, void *data), void *callback_data, int *ierr), (callback, callback_data, ierr))
GMSH_VOID(gmshModelMeshRemoveSizeCallback, (int *ierr), (ierr))
GMSH_VOID(gmshModelMeshRefine, (int *ierr), (ierr))
GMSH_VOID(gmshModelMeshGetElementTypes, (int **elementTypes, size_t *elementTypes_n, const int dim, const int tag, int *ierr), (elementTypes, elementTypes_n, dim, tag, ierr))
GMSH_VOID(gmshModelMeshGetElementsByType, (const int elementType, size_t **elementTags, size_t *elementTags_n, size_t **nodeTags, size_t *nodeTags_n, const int tag, const size_t task, const size_t numTasks, int *ierr),
          (elementType, elementTags, elementTags_n, nodeTags, nodeTags_n, tag, task, numTasks, ierr))
GMSH_VOID(gmshModelMeshGetNodes, (size_t **nodeTags, size_t *nodeTags_n, double **coord, size_t *coord_n, double **parametricCoord, size_t *parametricCoord_n, const int dim, const int tag, const int includeBoundary, const int returnParametricCoord, int *ierr),
          (nodeTags, nodeTags_n, coord, coord_n, parametricCoord, parametricCoord_n, dim, tag, includeBoundary, returnParametricCoord, ierr))
GMSH_VOID(gmshModelMeshSetNode, (const size_t nodeTag, double *coord, size_t coord_n, double *parametricCoord, size_t parametricCoord_n, int *ierr), (nodeTag, coord, coord_n, parametricCoord, parametricCoord_n, ierr))
GMSH_VOID(gmshModelMeshAddNodes, (const int dim, const int tag, size_t *nodeTags, size_t nodeTags_n, double *coord, size_t coord_n, double *parametricCoord, size_t parametricCoord_n, int *ierr),
          (dim, tag, nodeTags, nodeTags_n, coord, coord_n, parametricCoord, parametricCoord_n, ierr))
GMSH_VOID(gmshModelMeshAddElementsByType, (const int tag, const int elementType, size_t *elementTags, size_t elementTags_n, size_t *nodeTags, size_t nodeTags_n, int *ierr),
          (tag, elementType, elementTags, elementTags_n, nodeTags, nodeTags_n, ierr))
/* clang-format on */

/* Our failure if it is the latest, else Gmsh's last error; free the text with gmshFree */
void gmshLoggerGetLastError(char **error, int *ierr)
{
  static void (*real)(char **, int *);

  if (!real && !gmsh_error[0]) real = (void (*)(char **, int *))GmshResolve("gmshLoggerGetLastError");
  if (!real || gmsh_error[0]) {
    char *text = strdup(gmsh_error);
    if (error)
      *error = text;
    else
      free(text);
    if (ierr) *ierr = text ? 0 : 1;
    return;
  }
  real(error, ierr);
}

/* Gmsh's memory, or the text above when Gmsh is not loaded (both come from malloc) */
void gmshFree(void *p)
{
  static void (*real)(void *);

  if (!p) return;
  if (!real && gmsh_lib) real = (void (*)(void *))dlsym(gmsh_lib, "gmshFree");
  if (real)
    real(p);
  else
    free(p);
}
