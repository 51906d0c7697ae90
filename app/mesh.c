/* spot mesh IMAGE --pixel-size P: the particle of an image to a mesh, a preview and a report.

   The double-dash arguments are translated into the -mesh_image_* (and -mesh_*_size) options,
   so that the options database stays the single source (-mesh_image_sigma 2 works as well as
   --sigma 2; an option given both ways keeps the PETSc one). Every argument is checked before
   any work: here the outputs (names, folders); in the mesh layer the options, the image's
   header and the size of the mesh. An interrupt removes the unfinished files. */
#include "app/app.h"
#include "files/files.h"
#include "input/input.h"
#include "mesh/mesh.h"
#include <string.h>
#include <sys/stat.h>

static const char mesh_help[] = "usage: [mpirun -n N] spot mesh IMAGE --pixel-size P [-o particle.msh] [options] [PETSc options]\n"
                                "       spot mesh --population N --radius-median R [--radius-spread S] [--seed K] [-o population.msh]\n"
                                "       spot mesh --population-file particles.csv [-o population.msh]\n"
                                "\n"
                                "Finds the particle in IMAGE (PNG, TIFF or PGM; grey or colour; 8 or 16 bit), traces its outline\n"
                                "at sub-pixel accuracy and meshes it with Gmsh, finer near the boundary where fronts start. Writes\n"
                                "  particle.msh          the mesh (msh 4.1; physical groups \"surface\" and \"particle\") for spot run\n"
                                "  particle_preview.png  the image with the outline (red) and the mesh edges (cyan) drawn over it\n"
                                "and prints the area, perimeter, equivalent diameter, centroid, cell count and smallest angle.\n"
                                "Coordinates are micrometres in the image frame: origin at the top-left corner of the top-left\n"
                                "pixel, x to the right along the columns, y down along the rows; pixel (row r, col c) covers\n"
                                "[c p, (c+1) p] x [r p, (r+1) p] for a pixel size p.\n"
                                "\n"
                                "options (each is also a PETSc option, given in brackets; an XML <mesh><image> sets the same):\n"
                                "  --pixel-size P      micrometres per pixel, units allowed (12nm); required   [-mesh_image_pixel_size]\n"
                                "  -o, --output FILE   the mesh (default particle.msh)\n"
                                "  --preview FILE      the preview (default: the mesh name with _preview.png)\n"
                                "  --invert            the particle is dark on a bright background             [-mesh_image_invert]\n"
                                "  --sigma S           Gaussian denoising, pixels (default 1)                  [-mesh_image_sigma]\n"
                                "  --threshold T       otsu (default) or a grey value in [0, 1] (0 black)      [-mesh_image_threshold]\n"
                                "  --open R            morphological opening radius, pixels (default 0)        [-mesh_image_open_radius]\n"
                                "  --close R           morphological closing radius, pixels (default 0)        [-mesh_image_close_radius]\n"
                                "  --smoothing S       outline smoothing, pixels (default 1)                   [-mesh_image_smoothing]\n"
                                "  --seed ROW,COL      mesh the particle holding this pixel (default: largest) [-mesh_image_seed]\n"
                                "  --page N            page of a multi-page TIFF, from 0                       [-mesh_image_page]\n"
                                "  --psf-sigma S       the image is blurred by a Gaussian PSF of std S, a length (0.2um):\n"
                                "                      outline at the deblurred edge, not Otsu's     [-mesh_image_psf_sigma]\n"
                                "  --extrude T         3-D platelet of thickness T (tetrahedra; groups surface, top, bottom)\n"
                                "                                                                          [-mesh_image_extrude]\n"
                                "  --cell-size H       cell size inside (default: equivalent diameter / 50)    [-mesh_cell_size]\n"
                                "  --boundary-cell-size H   cell size at the outline (default H / 2.5)     [-mesh_boundary_cell_size]\n"
                                "  --boundary-layer W  width over which cells grow (default 0.15 x diameter)  [-mesh_boundary_layer]\n"
                                "\n"
                                "every particle of a field of view (one mesh, one surface per particle):\n"
                                "  --all               mesh every particle, not only the largest             [-mesh_image_particles all]\n"
                                "  --min-area A        leave out smaller particles: um2 (default unit), nm2 or px\n"
                                "                      (default 16px; always at least 16 pixels)               [-mesh_image_min_area]\n"
                                "  --keep-border       mesh particles that touch the image border too          [-mesh_image_keep_border]\n"
                                "  --keep-touching     do not split touching particles (the watershed)         [-mesh_image_keep_touching]\n"
                                "  --split-depth H     split where a neck is H pixels narrower than both sides (default 2)\n"
                                "                                                                       [-mesh_image_split_depth]\n"
                                "  --labels            IMAGE holds labels: each nonzero value is particles, 0 background\n"
                                "                                                                          [-mesh_image_labels]\n"
                                "  --max-particles N   refuse more particles than N (default 10000)          [-mesh_image_max_particles]\n"
                                "  With --all the mesh has the groups particle_<k> and surface_<k> for each particle k = 1..N\n"
                                "  (numbered by centroid: top to bottom, then left to right) besides \"particle\" and \"surface\",\n"
                                "  and particle_particles.csv (the mesh name with _particles.csv) lists each particle's area,\n"
                                "  perimeter, equivalent diameter, centroid, pixel box, pixels, border contact and split.\n"
                                "  The preview colours each particle and writes its number; left out: blue (border), magenta (small).\n"
                                "\n"
                                "Holes (dark cracks inside the particle) are filled; a particle touching the image border is\n"
                                "meshed with a warning. An image where nothing stands out (noise, a smooth ramp) is refused.\n"
                                "Limits: -mesh_image_max_pixels N (default 100000000) for the image, read from its header;\n"
                                "-mesh_max_cells N (default 10000000) for the mesh, estimated before Gmsh runs.\n"
                                "-mesh_gmsh_verbose shows Gmsh's log.\n"
                                "\n"
                                "a population without an image (one mesh, groups as with --all; docs/populations.md):\n"
                                "  --population N      N discs drawn from a lognormal size distribution    [-mesh_population_count]\n"
                                "  --radius-median R   their median radius, a length (1um); required      [-mesh_population_radius_median]\n"
                                "  --radius-spread S   sigma of ln r, 0 to 1.5 (default 0: equal discs)   [-mesh_population_radius_spread]\n"
                                "  --seed K            seed of the draws (default 1)                       [-mesh_population_seed]\n"
                                "  --gap G             least distance between discs (default 0.1 R)        [-mesh_population_gap]\n"
                                "  --fraction F        packing fraction of the square box (default 0.4)    [-mesh_population_fraction]\n"
                                "  --population-file F particles listed by hand: CSV with x_um, y_um, radius_um (discs) or x_um,\n"
                                "                      y_um, semi_axis_a_um, semi_axis_b_um, angle_deg (ellipses) [-mesh_population_file]\n"
                                "  Writes population.msh (or -o) and population_particles.csv (the mesh name with _particles.csv);\n"
                                "  cells as for one disc of each particle's size unless --cell-size & co. are given.\n";

typedef struct {
  const char *arg, *option;
} ArgOption;

static const ArgOption arg_options[] = {
    {"--pixel-size", "-mesh_image_pixel_size"},
    {"--sigma", "-mesh_image_sigma"},
    {"--threshold", "-mesh_image_threshold"},
    {"--open", "-mesh_image_open_radius"},
    {"--close", "-mesh_image_close_radius"},
    {"--smoothing", "-mesh_image_smoothing"},
    {"--seed", "-mesh_image_seed"},
    {"--page", "-mesh_image_page"},
    {"--extrude", "-mesh_image_extrude"},
    {"--psf-sigma", "-mesh_image_psf_sigma"},
    {"--cell-size", "-mesh_cell_size"},
    {"--boundary-cell-size", "-mesh_boundary_cell_size"},
    {"--boundary-layer", "-mesh_boundary_layer"},
    {"--min-area", "-mesh_image_min_area"},
    {"--max-particles", "-mesh_image_max_particles"},
    {"--split-depth", "-mesh_image_split_depth"},
    {"--population", "-mesh_population_count"},
    {"--population-file", "-mesh_population_file"},
    {"--radius-median", "-mesh_population_radius_median"},
    {"--radius-spread", "-mesh_population_radius_spread"},
    {"--gap", "-mesh_population_gap"},
    {"--fraction", "-mesh_population_fraction"},
};

/* Options that belong to one source of the mesh only */
static const char *const image_only[]      = {"-mesh_image_pixel_size", "-mesh_image_invert", "-mesh_image_sigma", "-mesh_image_threshold", "-mesh_image_open_radius", "-mesh_image_close_radius", "-mesh_image_smoothing", "-mesh_image_seed", "-mesh_image_page", "-mesh_image_extrude", "-mesh_image_psf_sigma", "-mesh_image_particles", "-mesh_image_labels", "-mesh_image_keep_border", "-mesh_image_keep_touching", "-mesh_image_min_area", "-mesh_image_max_particles", "-mesh_image_split_depth", "-mesh_image_max_pixels"};
static const char *const population_only[] = {"-mesh_population_count", "-mesh_population_file", "-mesh_population_radius_median", "-mesh_population_radius_spread", "-mesh_population_seed", "-mesh_population_gap", "-mesh_population_fraction"};

/* None of the n options is set, or one line names it and says what it is for */
static PetscErrorCode RefuseOptions(MPI_Comm comm, PetscInt n, const char *const names[], const char why[])
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < n; ++k) {
    PetscBool set;
    char      where[PETSC_MAX_PATH_LEN];
    PetscCall(PetscOptionsHasName(NULL, NULL, names[k], &set));
    PetscCall(InputOptionWhere(names[k], where, sizeof(where)));
    PetscCheck(!set, comm, PETSC_ERR_USER_INPUT, "%s: %s", where, why);
  }
  PetscFunctionReturn(0);
}

/* spot mesh --population N | --population-file F: the outputs checked, then the population */
static PetscErrorCode SpotMeshPopulation(MPI_Comm comm, const char output[], const char preview_arg[])
{
  char                 table[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN], list[PETSC_MAX_PATH_LEN];
  const char          *slash = strrchr(output, '/');
  PetscBool            listed;
  PetscMPIInt          rank;
  MeshPopulationReport report;

  PetscFunctionBeginUser;
  PetscCall(RefuseOptions(comm, sizeof(image_only) / sizeof(image_only[0]), image_only, "only for a mesh made from an image; a population (--population, --population-file) has none"));
  PetscCheck(!preview_arg, comm, PETSC_ERR_USER_INPUT, "argument --preview: a population (--population, --population-file) has no image to preview");
  PetscCall(InputCheckOptions(comm, "mesh"));
  PetscCall(InputCheckNoSolverOptions(comm, "mesh"));
  PetscCheck(output[0] && (!slash || slash[1]), comm, PETSC_ERR_USER_INPUT, "spot mesh: -o needs a file name, got '%s'", output);
  PetscCall(MeshPopulationTableBeside(output, table, sizeof(table)));
  PetscCheck(strcmp(output, table), comm, PETSC_ERR_USER_INPUT, "argument -o: the table would overwrite the mesh '%s'; give the mesh a name ending in .msh", output);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  {
    char message[PETSC_MAX_PATH_LEN + 128] = "";
    if (rank == 0) {
      struct stat st;
      if (!stat(output, &st) && S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "argument -o: '%s' is a directory; give the mesh a file name, e.g. -o %s/population.msh", output, output));
      else if (!stat(table, &st) && S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "argument -o: the table '%s' would replace a directory; give the mesh another name", table));
    }
    PetscCall(InputCollectiveError(comm, message[0] ? PETSC_TRUE : PETSC_FALSE, message));
  }
  if (slash) {
    PetscCall(PetscSNPrintf(dir, sizeof(dir), "%.*s", (int)(slash - output), output));
    if (dir[0]) PetscCall(InputCheckWritableDirectory(comm, dir, "argument -o"));
  }
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mesh_population_file", list, sizeof(list), &listed));
  if (listed && list[0]) {
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-mesh_population_file", where, sizeof(where)));
    PetscCall(InputCheckInputAndOutputs(comm, list, where, 0, 2, (const char *[]){output, table}, (const char *[]){"argument -o", "argument -o (its table)"}));
  } else {
    PetscCall(InputCheckOutputFile(comm, output, "argument -o"));
    PetscCall(InputCheckOutputFile(comm, table, "argument -o (its table)"));
  }
  PetscCall(MeshPopulationCreate(comm, output, table, &report));
  PetscCall(MeshPopulationReportView(&report, output, PETSC_VIEWER_STDOUT_(comm)));
  PetscFunctionReturn(0);
}

PetscErrorCode SpotMesh(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  const char     *image = NULL, *output = NULL, *preview_arg = NULL;
  char            preview[PETSC_MAX_PATH_LEN], dir[PETSC_MAX_PATH_LEN], where[64];
  MeshImageReport report;
  PetscBool       population = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", mesh_help));
    PetscFunctionReturn(0);
  }
  PetscCall(FileSignalsSet(FILE_SIGNALS_EXIT));
  for (int i = 0; i < argc; ++i) /* a population: --seed is the draws' */
    if (!strcmp(argv[i], "--population") || !strcmp(argv[i], "--population-file")) population = PETSC_TRUE;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') {
      const char *option = NULL;
      if (!strcmp(a, "--invert")) {
        PetscCall(InputSetOption("-mesh_image_invert", "true", "argument --invert"));
        continue;
      }
      if (!strcmp(a, "--all")) {
        PetscCall(InputSetOption("-mesh_image_particles", "all", "argument --all"));
        continue;
      }
      {
        const ArgOption flags[] = {{"--labels", "-mesh_image_labels"}, {"--keep-border", "-mesh_image_keep_border"}, {"--keep-touching", "-mesh_image_keep_touching"}};
        PetscBool       flag    = PETSC_FALSE;
        for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]) && !flag; ++k)
          if (!strcmp(a, flags[k].arg)) {
            PetscCall(PetscSNPrintf(where, sizeof(where), "argument %s", a));
            PetscCall(InputSetOption(flags[k].option, "true", where));
            flag = PETSC_TRUE;
          }
        if (flag) continue;
      }
      if (!strcmp(a, "--output") || !strcmp(a, "--preview")) option = a;
      for (size_t k = 0; k < sizeof(arg_options) / sizeof(arg_options[0]); ++k)
        if (!strcmp(a, arg_options[k].arg)) option = arg_options[k].option;
      if (population && !strcmp(a, "--seed")) option = "-mesh_population_seed";
      PetscCheck(option, comm, PETSC_ERR_USER_INPUT, "spot mesh: unknown argument '%s' (spot mesh --help lists them)", a);
      PetscCheck(i + 1 < argc, comm, PETSC_ERR_USER_INPUT, "spot mesh: %s needs a value", a);
      if (!strcmp(a, "--output"))
        output = argv[++i];
      else if (!strcmp(a, "--preview"))
        preview_arg = argv[++i];
      else {
        PetscCall(PetscSNPrintf(where, sizeof(where), "argument %s", a));
        PetscCall(InputSetOption(option, argv[++i], where));
      }
    } else if (!strcmp(a, "-o")) {
      PetscCheck(i + 1 < argc, comm, PETSC_ERR_USER_INPUT, "spot mesh: -o needs a file name");
      output = argv[++i];
    } else if (a[0] == '-' && a[1]) { /* a PETSc option, with its value if one follows */
      if (i + 1 < argc && argv[i + 1][0] != '-') ++i;
    } else {
      PetscCheck(!image, comm, PETSC_ERR_USER_INPUT, "spot mesh: one image at a time ('%s' and '%s' given)", image, a);
      image = a;
    }
  }
  if (!population) {
    PetscBool count, file;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_population_count", &count));
    PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_population_file", &file));
    population = count || file ? PETSC_TRUE : PETSC_FALSE;
  }
  if (population) {
    PetscCheck(!image, comm, PETSC_ERR_USER_INPUT, "spot mesh: an image ('%s') or a population (--population, --population-file), not both", image);
    PetscCall(SpotMeshPopulation(comm, output ? output : "population.msh", preview_arg));
    PetscFunctionReturn(0);
  }
  if (!output) output = "particle.msh";
  PetscCall(RefuseOptions(comm, sizeof(population_only) / sizeof(population_only[0]), population_only, "only for a population (--population N or --population-file F), not for a mesh made from an image"));
  PetscCheck(image, comm, PETSC_ERR_USER_INPUT, "usage: spot mesh IMAGE --pixel-size P [-o particle.msh] (PETSc options go after the image; see spot mesh --help)");
  PetscCall(InputSetOption("-mesh_image_file", image, "argument IMAGE"));
  PetscCall(InputCheckOptions(comm, "mesh")); /* names and values of every option, before any work */
  PetscCall(InputCheckNoSolverOptions(comm, "mesh"));
  {
    PetscBool set;
    PetscCall(PetscOptionsHasName(NULL, NULL, "-mesh_image_pixel_size", &set));
    PetscCheck(set, comm, PETSC_ERR_USER_INPUT, "spot mesh: --pixel-size P is required (micrometres per pixel of '%s', e.g. --pixel-size 0.012 or --pixel-size 12nm)", image);
  }

  /* the preview: FILE_preview.png beside the mesh, unless given */
  if (preview_arg)
    PetscCall(PetscStrncpy(preview, preview_arg, sizeof(preview)));
  else {
    size_t n = strlen(output);
    if (n > 4 && !strcmp(output + n - 4, ".msh")) n -= 4;
    PetscCall(PetscSNPrintf(preview, sizeof(preview), "%.*s_preview.png", (int)n, output));
  }
  { /* the outputs must be files in writable folders before the work starts */
    const char *slash = strrchr(output, '/');
    PetscMPIInt rank;
    char        message[PETSC_MAX_PATH_LEN + 128] = "";
    PetscCheck(output[0] && (!slash || slash[1]), comm, PETSC_ERR_USER_INPUT, "spot mesh: -o needs a file name, got '%s'", output);
    PetscCheck(!preview_arg || (preview_arg[0] && preview_arg[strlen(preview_arg) - 1] != '/'), comm, PETSC_ERR_USER_INPUT, "spot mesh: --preview needs a file name, got '%s'", preview_arg);
    PetscCheck(strcmp(output, preview), comm, PETSC_ERR_USER_INPUT, "argument --preview: the preview would overwrite the mesh '%s'; give it another name", output);
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    if (rank == 0) {
      struct stat st;
      if (!stat(output, &st) && S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "argument -o: '%s' is a directory; give the mesh a file name, e.g. -o %s/particle.msh", output, output));
      else if (!stat(preview, &st) && S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(message, sizeof(message), "argument --preview: '%s' is a directory; give the preview a file name, e.g. --preview %s/preview.png", preview, preview));
    }
    PetscCall(InputCollectiveError(comm, message[0] ? PETSC_TRUE : PETSC_FALSE, message));
    if (slash) {
      PetscCall(PetscSNPrintf(dir, sizeof(dir), "%.*s", (int)(slash - output), output));
      if (dir[0]) PetscCall(InputCheckWritableDirectory(comm, dir, "argument -o"));
    }
    slash = strrchr(preview, '/');
    if (slash) {
      PetscCall(PetscSNPrintf(dir, sizeof(dir), "%.*s", (int)(slash - preview), preview));
      if (dir[0]) PetscCall(InputCheckWritableDirectory(comm, dir, "argument --preview"));
    }
  }

  PetscCall(InputCheckInputAndOutputs(comm, image, "image", 0, 2, (const char *[]){output, preview}, (const char *[]){"argument -o", "argument --preview"}));
  PetscCall(MeshFromImage(comm, output, preview, &report));
  PetscCall(MeshImageReportView(&report, output, preview, PETSC_VIEWER_STDOUT_(comm)));
  PetscFunctionReturn(0);
}
