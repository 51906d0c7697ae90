/* Every option spot knows, and the checks that make a mistake in one stop spot before any work.

   The table below names each option, what its value must be, and the subcommands that read it.
   InputCheckOptions runs when a subcommand has its options (command line, translated
   arguments and documents) and before it does any work:
   - an option with one of spot's prefixes (-mesh_, -phys_, ...) that is not in the table is a
     misspelling: one line names the nearest known option;
   - its value must be what the table says: a finite number with an optional unit of the right
     kind, a whole number, true/false, one of a list, a path;
   - an option of another subcommand given on the command line (-synth_k to spot run) is an error.
   InputCheckUnusedOptions runs once a subcommand has set everything up: an option from the
   command line that nothing read (a PETSc option misspelt, a parameter of a law the input does
   not use) is an error naming what it is closest to.
   Values in documents were checked by the schema already; they are checked again here for what
   a schema admits (INF, NaN). */
#include "input/inputimpl.h"
#include <petscmat.h>
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

typedef enum {
  OPT_QUANTITY,      /* a finite number with an optional unit of kind */
  OPT_QUANTITY_LIST, /* comma-separated quantities */
  OPT_INT,
  OPT_INT_LIST,
  OPT_BOOL,
  OPT_CHOICE,        /* one of choices, separated by | */
  OPT_CHOICE_LIST,   /* comma-separated, each one of choices */
  OPT_STRING,
  OPT_PATH,
  OPT_CURRENT,       /* a C-rate, a current or a current density: the unit says which */
  OPT_CAPACITY,      /* Ah, mAh, As, or a bare fraction */
  OPT_RESISTANCE     /* ohm or ohm.m2 */
} OptionType;

enum {
  CMD_RUN     = 1,
  CMD_MESH    = 2,
  CMD_SYNTH   = 4,
  CMD_COMPARE = 8,
  CMD_FIT     = 16,
  CMD_GITT    = 32,
};
#define CMD_SIMULATIONS (CMD_RUN | CMD_SYNTH | CMD_COMPARE | CMD_FIT | CMD_GITT) /* every subcommand that runs a simulation */
#define CMD_MESHES      (CMD_SIMULATIONS | CMD_MESH)

typedef struct {
  const char *name; /* "-proto_#_" matches -proto_<i>_ */
  OptionType  type;
  UnitKind    kind;
  const char *choices;
  int         commands;
} OptionSpec;

#define OQ(n, k, c)   {n, OPT_QUANTITY, k, NULL, c}
#define OQL(n, k, c)  {n, OPT_QUANTITY_LIST, k, NULL, c}
#define OI(n, c)      {n, OPT_INT, UNIT_NONE, NULL, c}
#define OB(n, c)      {n, OPT_BOOL, UNIT_NONE, NULL, c}
#define OS(n, c)      {n, OPT_STRING, UNIT_NONE, NULL, c}
#define OP(n, c)      {n, OPT_PATH, UNIT_NONE, NULL, c}
#define OC(n, ch, c)  {n, OPT_CHOICE, UNIT_NONE, ch, c}

static const OptionSpec specs[] = {
  /* mesh/ */
  OP("-mesh_file", CMD_MESHES),
  OC("-mesh_shape_type", "disc|ellipse|rectangle|sphere|ellipsoid|box|platelet", CMD_MESHES),
  OQ("-mesh_shape_radius", UNIT_LENGTH, CMD_MESHES),
  OQL("-mesh_shape_semi_axes", UNIT_LENGTH, CMD_MESHES),
  OQL("-mesh_shape_sides", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_shape_corner_radius", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_shape_thickness", UNIT_LENGTH, CMD_MESHES),
  OQL("-mesh_shape_center", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_cell_size", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_boundary_cell_size", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_boundary_layer", UNIT_LENGTH, CMD_MESHES),
  OI("-mesh_refine", CMD_MESHES),
  OB("-mesh_structured", CMD_MESHES),
  OQ("-mesh_thickness", UNIT_LENGTH, CMD_MESHES),
  OB("-mesh_gmsh_verbose", CMD_MESHES),
  OP("-mesh_cache_dir", CMD_SIMULATIONS),
  OQ("-mesh_max_cells", UNIT_NONE, CMD_MESHES),
  OP("-mesh_image_file", CMD_MESHES),
  OQ("-mesh_image_pixel_size", UNIT_LENGTH, CMD_MESHES),
  OB("-mesh_image_invert", CMD_MESHES),
  OQ("-mesh_image_sigma", UNIT_NONE, CMD_MESHES),
  OS("-mesh_image_threshold", CMD_MESHES),
  OQ("-mesh_image_open_radius", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_image_close_radius", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_image_smoothing", UNIT_NONE, CMD_MESHES),
  OS("-mesh_image_seed", CMD_MESHES),
  OQ("-mesh_image_page", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_image_extrude", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_image_psf_sigma", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_image_max_pixels", UNIT_NONE, CMD_MESHES),
  OC("-mesh_image_particles", "one|all", CMD_MESHES),
  OB("-mesh_image_labels", CMD_MESHES),
  OB("-mesh_image_keep_border", CMD_MESHES),
  OB("-mesh_image_keep_touching", CMD_MESHES),
  OS("-mesh_image_min_area", CMD_MESHES),
  OQ("-mesh_image_split_depth", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_image_max_particles", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_population_count", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_population_radius_median", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_population_radius_spread", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_population_seed", UNIT_NONE, CMD_MESHES),
  OQ("-mesh_population_gap", UNIT_LENGTH, CMD_MESHES),
  OQ("-mesh_population_fraction", UNIT_NONE, CMD_MESHES),
  OP("-mesh_population_file", CMD_MESHES),
  /* physics/ */
  OQ("-phys_c_max", UNIT_CONCENTRATION, CMD_SIMULATIONS),
  OQ("-phys_alpha", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_capacity_factor", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_temperature", UNIT_TEMPERATURE, CMD_SIMULATIONS),
  OQ("-phys_out_of_plane_factor", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_transfer_coefficient", UNIT_NONE, CMD_SIMULATIONS),
  {"-phys_series_resistance", OPT_RESISTANCE, UNIT_NONE, NULL, CMD_SIMULATIONS},
  OC("-phys_kinetics", "uniform|butler_volmer", CMD_SIMULATIONS),
  OS("-phys_diffusivity_law", CMD_SIMULATIONS),
  OP("-phys_diffusivity_file", CMD_SIMULATIONS),
  OS("-phys_diffusivity_theta_column", CMD_SIMULATIONS),
  OS("-phys_diffusivity_value_column", CMD_SIMULATIONS),
  OS("-phys_diffusivity_unit", CMD_SIMULATIONS),
  OQ("-phys_diffusivity_value", UNIT_DIFFUSIVITY, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_D_ref", UNIT_DIFFUSIVITY, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_rate", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_theta_ref", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_D_lithiated", UNIT_DIFFUSIVITY, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_decades", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_theta_c", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_diffusivity_width", UNIT_NONE, CMD_SIMULATIONS),
  OS("-phys_ocp_law", CMD_SIMULATIONS),
  OP("-phys_ocp_file", CMD_SIMULATIONS),
  OS("-phys_ocp_theta_column", CMD_SIMULATIONS),
  OS("-phys_ocp_value_column", CMD_SIMULATIONS),
  OS("-phys_ocp_unit", CMD_SIMULATIONS),
  OQ("-phys_ocp_value", UNIT_POTENTIAL, CMD_SIMULATIONS),
  OQ("-phys_ocp_slope", UNIT_POTENTIAL, CMD_SIMULATIONS),
  OQ("-phys_ocp_theta_ref", UNIT_NONE, CMD_SIMULATIONS),
  OS("-phys_exchange_current_law", CMD_SIMULATIONS),
  OP("-phys_exchange_current_file", CMD_SIMULATIONS),
  OS("-phys_exchange_current_theta_column", CMD_SIMULATIONS),
  OS("-phys_exchange_current_value_column", CMD_SIMULATIONS),
  OS("-phys_exchange_current_unit", CMD_SIMULATIONS),
  OQ("-phys_exchange_current_value", UNIT_CURRENT_DENSITY, CMD_SIMULATIONS),
  OQ("-phys_exchange_current_a", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_exchange_current_b", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_exchange_current_steepness", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-phys_exchange_current_theta_c", UNIT_NONE, CMD_SIMULATIONS),
  OI("-phys_mms_kind", CMD_SIMULATIONS),
  /* the initial state */
  OQ("-init_theta", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-init_voltage", UNIT_POTENTIAL, CMD_SIMULATIONS),
  OP("-init_checkpoint_file", CMD_SIMULATIONS),
  /* the protocol (steps from the document are in the step table, not options) */
  OI("-proto_nsteps", CMD_SIMULATIONS),
  OC("-proto_#_type", "cc|cv|rest", CMD_SIMULATIONS),
  OS("-proto_#_name", CMD_SIMULATIONS),
  OI("-proto_#_cycle", CMD_SIMULATIONS),
  OC("-proto_#_direction", "charge|discharge", CMD_SIMULATIONS),
  OQ("-proto_#_c_rate", UNIT_C_RATE, CMD_SIMULATIONS),
  OQ("-proto_#_current", UNIT_CURRENT, CMD_SIMULATIONS),
  OQ("-proto_#_current_density", UNIT_CURRENT_DENSITY, CMD_SIMULATIONS),
  OQ("-proto_#_voltage", UNIT_POTENTIAL, CMD_SIMULATIONS),
  OQ("-proto_#_duration", UNIT_TIME, CMD_SIMULATIONS),
  OQ("-proto_#_theta_below", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-proto_#_theta_above", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-proto_#_voltage_above", UNIT_POTENTIAL, CMD_SIMULATIONS),
  OQ("-proto_#_voltage_below", UNIT_POTENTIAL, CMD_SIMULATIONS),
  {"-proto_#_current_below", OPT_CURRENT, UNIT_NONE, NULL, CMD_SIMULATIONS},
  {"-proto_#_capacity", OPT_CAPACITY, UNIT_NONE, NULL, CMD_SIMULATIONS},
  OQ("-proto_#_dvdt_below", UNIT_VOLTAGE_RATE, CMD_SIMULATIONS),
  /* solver/population.c: what varies from particle to particle */
  OP("-particles_table", CMD_SIMULATIONS),
  OQ("-particles_alpha_spread", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-particles_i0_spread", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-particles_seed", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-particles_contact_resistance", UNIT_AREA_RESISTANCE, CMD_SIMULATIONS),
  OQ("-out_reacted_theta", UNIT_NONE, CMD_SIMULATIONS),
  OI("-out_histogram_bins", CMD_SIMULATIONS),
  OQ("-out_diffraction_c_lithiated", UNIT_LENGTH, CMD_RUN),
  OQ("-out_diffraction_c_delithiated", UNIT_LENGTH, CMD_RUN),
  OP("-out_diffraction_c_file", CMD_RUN),
  OQ("-out_diffraction_wavelength", UNIT_LENGTH, CMD_RUN),
  OQ("-out_diffraction_fwhm", UNIT_NONE, CMD_RUN),
  OI("-out_diffraction_points", CMD_RUN),
  /* what spot run writes */
  OP("-out_directory", CMD_RUN | CMD_GITT),
  OQL("-out_times", UNIT_TIME, CMD_RUN | CMD_GITT),
  OQL("-out_probes", UNIT_LENGTH, CMD_RUN | CMD_GITT),
  OQL("-out_profiles_directions_deg", UNIT_NONE, CMD_RUN | CMD_GITT),
  OQL("-out_profiles_lines", UNIT_LENGTH, CMD_RUN | CMD_GITT),
  OI("-out_profiles_points", CMD_RUN | CMD_GITT),
  OB("-out_profiles_every_step", CMD_RUN | CMD_GITT),
  OQ("-out_centre_fraction", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-out_periphery_width", UNIT_LENGTH, CMD_SIMULATIONS),
  OB("-out_fields", CMD_RUN | CMD_GITT),
  OB("-out_progress", CMD_RUN | CMD_GITT),
  OB("-out_checkpoints", CMD_RUN | CMD_GITT),
  OQ("-out_checkpoint_interval", UNIT_TIME, CMD_RUN | CMD_GITT),
  OB("-out_checkpoint_keep", CMD_RUN | CMD_GITT),
  OB("-out_maps", CMD_RUN),
  OQL("-out_map_times", UNIT_TIME, CMD_RUN),
  OC("-out_map_quantity", "theta|delithiation", CMD_RUN),
  OQ("-out_map_pixel_size", UNIT_LENGTH, CMD_RUN),
  OQL("-out_map_range", UNIT_NONE, CMD_RUN),
  OI("-out_map_supersample", CMD_RUN),
  {"-out_figure_formats", OPT_CHOICE_LIST, UNIT_NONE, "png|pdf|svg", CMD_RUN | CMD_COMPARE | CMD_FIT | CMD_GITT}, /* postproc/figures/plot.c */
  /* solver/ */
  OI("-solver_degree", CMD_SIMULATIONS),
  OC("-solver_quadrature", "kirchhoff|vertex|gauss", CMD_SIMULATIONS),
  OB("-solver_mass_lumping", CMD_SIMULATIONS),
  OQ("-solver_rtol", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-solver_atol", UNIT_NONE, CMD_SIMULATIONS),
  OQ("-solver_newton_tol", UNIT_NONE, CMD_SIMULATIONS),
  OC("-solver_error_control", "proportional|classic", CMD_SIMULATIONS),
  OQ("-solver_dt_initial", UNIT_TIME, CMD_SIMULATIONS),
  OQ("-solver_dt_max", UNIT_TIME, CMD_SIMULATIONS),
  OC("-solver_assembly", "lean|plexfem", CMD_SIMULATIONS),
  OI("-solver_segment_steps", CMD_SIMULATIONS),
  /* spot synth */
  OP("-synth_output", CMD_SYNTH),
  OP("-synth_timestamps", CMD_SYNTH),
  OQ("-synth_pixel_size", UNIT_LENGTH, CMD_SYNTH),
  OQ("-synth_frame_interval", UNIT_TIME, CMD_SYNTH),
  OQL("-synth_frame_times", UNIT_TIME, CMD_SYNTH),
  OQ("-synth_time_offset", UNIT_TIME, CMD_SYNTH),
  OQ("-synth_psf_sigma", UNIT_LENGTH, CMD_SYNTH),
  OQ("-synth_k", UNIT_NONE, CMD_SYNTH),
  OQ("-synth_intensity", UNIT_NONE, CMD_SYNTH),
  OQ("-synth_background", UNIT_NONE, CMD_SYNTH),
  OQ("-synth_noise", UNIT_NONE, CMD_SYNTH),
  OQ("-synth_drift", UNIT_NONE, CMD_SYNTH),
  OQL("-synth_shift", UNIT_NONE, CMD_SYNTH),
  OQL("-synth_particle_shift", UNIT_NONE, CMD_SYNTH),
  OQ("-synth_rotation", UNIT_NONE, CMD_SYNTH),
  {"-synth_size", OPT_INT_LIST, UNIT_NONE, NULL, CMD_SYNTH},
  OI("-synth_bits", CMD_SYNTH),
  OI("-synth_seed", CMD_SYNTH),
  /* spot compare (and the comparison inside spot fit) */
  OP("-compare_simulation_file", CMD_COMPARE | CMD_FIT),
  OP("-compare_experiment_stack_file", CMD_COMPARE | CMD_FIT),
  OI("-compare_experiment_stack_first", CMD_COMPARE | CMD_FIT),
  OP("-compare_experiment_timestamps_file", CMD_COMPARE | CMD_FIT),
  OS("-compare_experiment_timestamps_column", CMD_COMPARE | CMD_FIT),
  OS("-compare_experiment_timestamps_unit", CMD_COMPARE | CMD_FIT),
  OQ("-compare_experiment_pixel_size", UNIT_LENGTH, CMD_COMPARE | CMD_FIT),
  OQ("-compare_experiment_current_start", UNIT_TIME, CMD_COMPARE | CMD_FIT),
  OI("-compare_experiment_reference_frame", CMD_COMPARE | CMD_FIT),
  OB("-compare_experiment_invert", CMD_COMPARE | CMD_FIT),
  OC("-compare_experiment_drift_correction", "background|none", CMD_COMPARE | CMD_FIT),
  OS("-compare_registration_method", CMD_COMPARE | CMD_FIT),
  OB("-compare_registration_rotation", CMD_COMPARE | CMD_FIT),
  OB("-compare_registration_free_scale", CMD_COMPARE | CMD_FIT),
  OQ("-compare_registration_particle_shift_max", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OI("-compare_registration_max_iterations", CMD_COMPARE | CMD_FIT),
  OQ("-compare_registration_min_match", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OQL("-compare_registration_matrix", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OQL("-compare_registration_offset", UNIT_LENGTH, CMD_COMPARE | CMD_FIT),
  OQ("-compare_optics_psf_sigma", UNIT_LENGTH, CMD_COMPARE | CMD_FIT),
  OQ("-compare_optics_contrast_factor", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OQ("-compare_regions_centre_fraction", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OQ("-compare_regions_periphery_width", UNIT_LENGTH, CMD_COMPARE | CMD_FIT),
  OQL("-compare_profiles_directions_deg", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OQ("-compare_metrics_onset_fraction", UNIT_NONE, CMD_COMPARE | CMD_FIT),
  OS("-compare_metrics_misfit", CMD_COMPARE | CMD_FIT),
  OQL("-compare_metrics_window", UNIT_TIME, CMD_COMPARE | CMD_FIT),
  OQL("-compare_figures_times", UNIT_TIME, CMD_COMPARE | CMD_FIT),
  OP("-compare_output_directory", CMD_COMPARE | CMD_FIT),
  /* spot fit */
  OP("-fit_compare_file", CMD_FIT),
  OQL("-fit_alpha_range", UNIT_NONE, CMD_FIT),
  OQ("-fit_alpha_tolerance", UNIT_NONE, CMD_FIT),
  OB("-fit_alpha_per_particle", CMD_FIT),
  OQL("-fit_psf_sigma_range", UNIT_LENGTH, CMD_FIT),
  OI("-fit_parallel_ranks_per_run", CMD_FIT),
  OI("-fit_max_runs", CMD_FIT),
  OP("-fit_output_directory", CMD_FIT),
  /* spot gitt */
  OS("-gitt_time_column", CMD_GITT),
  OS("-gitt_current_column", CMD_GITT),
  OS("-gitt_voltage_column", CMD_GITT),
  OS("-gitt_time_unit", CMD_GITT),
  OS("-gitt_current_unit", CMD_GITT),
  OS("-gitt_voltage_unit", CMD_GITT),
  OC("-gitt_positive", "charge|discharge", CMD_GITT),
  OQ("-gitt_theta_start", UNIT_NONE, CMD_GITT),
  OQ("-gitt_capacity", UNIT_CAPACITY, CMD_GITT),
  OQ("-gitt_length", UNIT_LENGTH, CMD_GITT),
  OP("-gitt_mesh", CMD_GITT),
  OQ("-gitt_current_threshold", UNIT_NONE, CMD_GITT),
  OQ("-gitt_relax_window", UNIT_NONE, CMD_GITT),
  OQ("-gitt_min_r2", UNIT_NONE, CMD_GITT),
  OQ("-gitt_current_tolerance", UNIT_NONE, CMD_GITT),
  OQL("-gitt_fit_window", UNIT_NONE, CMD_GITT),
  OS("-gitt_edges", CMD_GITT),
  OQ("-gitt_max_drift", UNIT_NONE, CMD_GITT),
  OB("-gitt_allow_unrelaxed", CMD_GITT),
  OQ("-gitt_max_ratio", UNIT_NONE, CMD_GITT),
  OP("-gitt_output_directory", CMD_GITT),
  OP("-gitt_simulate", CMD_GITT),
};

static const char *const spot_prefixes[] = {"-mesh_", "-phys_", "-init_", "-proto_", "-out_", "-solver_", "-synth_", "-compare_", "-fit_", "-gitt_", "-particles_", NULL};

/* PETSc options every subcommand accepts (logging, memory, the options database itself) */
static const char *const global_petsc[] = {"-log_view", "-log_summary", "-log_all", "-log_exclude", "-malloc", "-malloc_debug", "-malloc_test", "-malloc_coalesce", "-memory_view", "-options_left", "-options_view", "-options_monitor", "-no_signal_handler", "-help", "-version", "-fp_trap", "-checkstack", "-v", "-use_gpu_aware_mpi", "-mpi_linear_solver_server", "-options_file", "-options_file_yaml", NULL};

/* ---- what the user gave: the command line, recorded before anything else sets an option ---- */
typedef struct {
  char     *name, *value; /* value NULL: a flag */
  PetscBool from_file;    /* from an options file (-options_file, -options_file_yaml) */
} GivenOption;

static GivenOption *given  = NULL;
static PetscInt     ngiven = 0, maxgiven = 0;
static int          cl_argc = 0; /* the command's arguments, for InputCheckOptions */
static char       **cl_argv = NULL;

static PetscBool IsOptionName(const char s[])
{
  if (s[0] != '-' || !s[1]) return PETSC_FALSE;
  if (isdigit((unsigned char)s[1]) || s[1] == '.') return PETSC_FALSE; /* a negative number */
  if (!strcasecmp(s + 1, "inf") || !strcasecmp(s + 1, "infinity") || !strcasecmp(s + 1, "nan")) return PETSC_FALSE; /* a value the checks refuse */
  return PETSC_TRUE;
}

/* A name as messages show it: at most 60 characters, "..." when cut */
static const char *Shown(const char name[], char buf[], size_t len)
{
  if (strlen(name) <= 60) return name;
  snprintf(buf, len, "%.60s...", name);
  return buf;
}

static PetscErrorCode AddGiven(const char name[], const char value[], PetscBool from_file)
{
  PetscFunctionBeginUser;
  if (ngiven == maxgiven) {
    GivenOption *more;
    maxgiven = maxgiven ? 2 * maxgiven : 64;
    PetscCall(PetscMalloc1(maxgiven, &more));
    if (ngiven) PetscCall(PetscArraycpy(more, given, ngiven));
    PetscCall(PetscFree(given));
    given = more;
  }
  PetscCall(PetscStrallocpy(name, &given[ngiven].name));
  given[ngiven].value = NULL;
  if (value) PetscCall(PetscStrallocpy(value, &given[ngiven].value));
  given[ngiven].from_file = from_file;
  ++ngiven;
  PetscFunctionReturn(0);
}

/* The options of an options file PETSc has read (-options_file: main checked its syntax before
   PETSc started), so that they are checked like the command line's */
static PetscErrorCode RecordOptionsFile(const char path[])
{
  FILE *fp = fopen(path, "r");
  char  line[4096 + 2];

  PetscFunctionBeginUser;
  PetscCheck(fp, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -options_file: cannot read options file '%s'", path);
  while (fgets(line, sizeof(line), fp)) {
    char *hash = strchr(line, '#'), *name, *value, *save = NULL;
    if (hash) *hash = 0;
    name = strtok_r(line, " \t\r\n", &save);
    if (!name || name[0] != '-') continue; /* a blank line, a comment, an alias */
    value = strtok_r(NULL, "\r\n", &save);
    if (value) {
      size_t n;
      while (*value == ' ' || *value == '\t') ++value;
      n = strlen(value);
      while (n && (value[n - 1] == ' ' || value[n - 1] == '\t')) value[--n] = 0;
      if (n >= 2 && value[0] == '"' && value[n - 1] == '"') {
        value[n - 1] = 0;
        ++value;
      }
      if (!value[0]) value = NULL;
    }
    PetscCall(AddGiven(name, value, PETSC_TRUE));
  }
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscBool IsGlobalPetsc(const char name[]);

/* PETSc's YAML reader reports a bad file with a traceback: spot reads it itself, under a handler
   that keeps the first message */
static char yaml_error[512] = "";

static PetscErrorCode KeepYAMLError(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL && !yaml_error[0]) {
    snprintf(yaml_error, sizeof(yaml_error), "%s", mess ? mess : "not YAML");
    for (char *c = yaml_error; *c; ++c)
      if ((unsigned char)*c < 0x20) *c = ' ';
  }
  return n;
}

/* -options_file_yaml FILE (main kept it from PETSc): its options, under the command line's */
static PetscErrorCode LoadOptionsYAML(const char path[])
{
  PetscOptions   yaml;
  PetscErrorCode ierr;
  PetscInt       n;
  char         **names, **values;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsCreate(&yaml));
  yaml_error[0] = 0;
  PetscCall(PetscPushErrorHandler(KeepYAMLError, NULL));
  ierr = PetscOptionsInsertFileYAML(PETSC_COMM_WORLD, yaml, path, PETSC_TRUE);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    PetscCall(PetscOptionsDestroy(&yaml));
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -options_file_yaml: '%s' is not YAML that PETSc reads as options (a mapping of option names to values): %s", path, yaml_error);
  }
  PetscCall(PetscOptionsLeftGet(yaml, &n, &names, &values));
  for (PetscInt i = 0; i < n; ++i) {
    char name[512];
    PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", names[i]));
    if (IsGlobalPetsc(name)) { /* read while PETSc starts, before spot reads the file: it would be ignored */
      PetscCall(PetscOptionsLeftRestore(yaml, &n, &names, &values));
      PetscCall(PetscOptionsDestroy(&yaml));
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option -options_file_yaml: '%s' gives %s, which PETSc reads as it starts, before spot reads YAML files; give it on the command line or in an -options_file", path, name);
    }
    PetscCall(InputSetOption(name, values[i], NULL));
    PetscCall(AddGiven(name, values[i], PETSC_TRUE));
  }
  PetscCall(PetscOptionsLeftRestore(yaml, &n, &names, &values));
  PetscCall(PetscOptionsDestroy(&yaml));
  PetscFunctionReturn(0);
}

/* The options of argv, as PETSc reads them ("-name value" or "-name"), and those of the options
   files it names; spot's own arguments ("--pixel-size", "-o") are the subcommand's to check, but
   none may be given twice: the last would win without a word */
PetscErrorCode InputRecordCommandLine(int argc, char **argv)
{
  char shown[80];

  PetscFunctionBeginUser;
  cl_argc = argc;
  cl_argv = argv;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    if (a[0] == '-' && (a[1] == '-' || !strcmp(a, "-o"))) { /* an argument of spot's: --name, --name=value, -o */
      const char *name = strcmp(a, "-o") ? a : "--output";
      size_t      n    = strcspn(name, "=");
      for (int j = 0; j < i; ++j) {
        const char *b = strcmp(argv[j], "-o") ? argv[j] : "--output";
        PetscCheck(!(b[0] == '-' && b[1] == '-' && strcspn(b, "=") == n && !strncmp(b, name, n)), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "argument %.*s is given twice; give it once", (int)PetscMin(n, 60), name);
      }
      continue;
    }
    if (!IsOptionName(a) || !strcmp(a, "-h")) continue;
    if (strcasecmp(a, "-options_file") && strcasecmp(a, "-options_file_yaml") && strcasecmp(a, "-prefix_push") && strcasecmp(a, "-prefix_pop"))
      for (PetscInt k = 0; k < ngiven; ++k)
        PetscCheck(given[k].from_file || strcasecmp(given[k].name, a), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "option %s is given twice on the command line (the last would silently win); give it once", Shown(a, shown, sizeof(shown)));
    PetscCall(AddGiven(a, i + 1 < argc && !IsOptionName(argv[i + 1]) ? argv[i + 1] : NULL, PETSC_FALSE));
    if (i + 1 < argc && !IsOptionName(argv[i + 1])) ++i;
    if (!strcasecmp(a, "-options_file") && given[ngiven - 1].value) PetscCall(RecordOptionsFile(given[ngiven - 1].value));
    if (!strcasecmp(a, "-options_file_yaml") && given[ngiven - 1].value) PetscCall(LoadOptionsYAML(given[ngiven - 1].value));
  }
  PetscFunctionReturn(0);
}

/* spot run, compare and fit take their document, then PETSc options only: an argument of another
   command (--pixel-size), a lone '-', or a word that follows no option is a mistake */
static PetscErrorCode CheckDocumentCommandArguments(const char command[])
{
  char shown[80];

  PetscFunctionBeginUser;
  for (int i = 1; i < cl_argc; ++i) {
    const char *a = cl_argv[i];
    PetscCheck(strncmp(a, "--", 2), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "spot %s has no argument %s: it takes its document and PETSc options (-name value; spot %s --help)", command, Shown(a, shown, sizeof(shown)), command);
    PetscCheck(strcmp(a, "-"), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "a lone '-' is not an option: spot %s takes its document and options -name [value] (spot %s --help)", command, command);
    PetscCheck(strcmp(a, "-o"), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "spot %s has no argument -o: its output directory is %s DIR", command, !strcmp(command, "run") ? "-out_directory" : !strcmp(command, "fit") ? "-fit_output_directory" : "-compare_output_directory");
    PetscCheck(IsOptionName(a), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "unexpected argument '%s': spot %s takes one document, then options -name [value] (spot %s --help)", Shown(a, shown, sizeof(shown)), command, command);
    if (i + 1 < cl_argc && !IsOptionName(cl_argv[i + 1]) && strcmp(cl_argv[i + 1], "-")) ++i;
  }
  PetscFunctionReturn(0);
}

/* Did the command line give an option starting with prefix? */
PetscBool InputCommandLineHas(const char prefix[])
{
  for (PetscInt i = 0; i < ngiven; ++i)
    if (!strncmp(given[i].name, prefix, strlen(prefix))) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* ---- nearest names ---- */
/* Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps */
static PetscInt Distance(const char a[], const char b[])
{
  const size_t n = strlen(a), m = strlen(b);
  PetscInt     row[3][256], *prev2 = row[0], *prev = row[1], *cur = row[2];

  if (n > 250 || m > 250) return 1000;
  for (size_t j = 0; j <= m; ++j) prev[j] = (PetscInt)j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = (PetscInt)i;
    for (size_t j = 1; j <= m; ++j) {
      PetscInt c = PetscMin(prev[j] + 1, cur[j - 1] + 1);
      c          = PetscMin(c, prev[j - 1] + (a[i - 1] != b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) c = PetscMin(c, prev2[j - 2] + 1);
      cur[j] = c;
    }
    {
      PetscInt *t = prev2;
      prev2       = prev;
      prev        = cur;
      cur         = t;
    }
  }
  return prev[m];
}

/* The spec's name for option name (-proto_#_ for -proto_<i>_), in buf */
static void Canonical(const char name[], char buf[], size_t len)
{
  if (!strncmp(name, "-proto_", 7) && isdigit((unsigned char)name[7])) {
    const char *p = name + 7;
    while (isdigit((unsigned char)*p)) ++p;
    if (*p == '_') {
      snprintf(buf, len, "-proto_#%s", p);
      return;
    }
  }
  snprintf(buf, len, "%s", name);
}

static const OptionSpec *FindSpec(const char name[])
{
  char canon[256];
  Canonical(name, canon, sizeof(canon));
  for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); ++i)
    if (!strcmp(specs[i].name, canon)) return &specs[i];
  return NULL;
}

/* The known option nearest to name (NULL if none is close): spot's, then PETSc's */
static void Nearest(const char name[], char best[], size_t len)
{
  char     canon[256], index[32] = "";
  PetscInt d_best = 1000, limit = PetscMax(2, (PetscInt)strlen(name) / 5);

  best[0] = 0;
  Canonical(name, canon, sizeof(canon));
  if (strcmp(canon, name)) snprintf(index, sizeof(index), "%.*s", (int)(strchr(name + 7, '_') - (name + 7)), name + 7);
  for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); ++i) {
    const PetscInt d = Distance(canon, specs[i].name);
    if (d < d_best) {
      d_best = d;
      if (!strncmp(specs[i].name, "-proto_#_", 9)) snprintf(best, len, "-proto_%s_%s", index[0] ? index : "0", specs[i].name + 9);
      else snprintf(best, len, "%s", specs[i].name);
    }
  }
  for (int i = 0; input_petsc_option_names[i]; ++i) {
    const PetscInt d = Distance(name, input_petsc_option_names[i]);
    if (d < d_best) {
      d_best = d;
      snprintf(best, len, "%s", input_petsc_option_names[i]);
    }
  }
  if (d_best > limit) best[0] = 0;
}

static PetscBool IsGlobalPetsc(const char name[])
{
  for (int i = 0; global_petsc[i]; ++i)
    if (!strcmp(name, global_petsc[i])) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscBool HasSpotPrefix(const char name[])
{
  for (int i = 0; spot_prefixes[i]; ++i)
    if (!strncmp(name, spot_prefixes[i], strlen(spot_prefixes[i]))) return PETSC_TRUE;
  return PETSC_FALSE;
}

static int CommandBit(const char command[])
{
  static const struct {
    const char *name;
    int         bit;
  } map[] = {
    {"run",     CMD_RUN    },
    {"mesh",    CMD_MESH   },
    {"synth",   CMD_SYNTH  },
    {"compare", CMD_COMPARE},
    {"fit",     CMD_FIT    },
    {"gitt",    CMD_GITT   },
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); ++i)
    if (!strcmp(map[i].name, command)) return map[i].bit;
  return 0;
}

static const char *CommandsOf(int bits, char buf[], size_t len)
{
  static const char *const names[] = {"run", "mesh", "synth", "compare", "fit", "gitt"};
  buf[0]                           = 0;
  for (int k = 0; k < 6; ++k)
    if (bits & (1 << k)) snprintf(buf + strlen(buf), len - strlen(buf), "%sspot %s", buf[0] ? ", " : "", names[k]);
  return buf;
}

/* ---- values ---- */
static PetscErrorCode CheckTimesNotNegative(const char name[], const char where[], const char value[]);
static PetscErrorCode CheckValue(const OptionSpec *spec, const char name[], const char where[], const char value[])
{
  PetscFunctionBeginUser;
  if (spec->type != OPT_BOOL) PetscCheck(value && value[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s needs a value", where, name);
  switch (spec->type) {
  case OPT_QUANTITY: {
    PetscReal v;
    PetscCall(InputParseQuantity(name, where, value, spec->kind, &v));
  } break;
  case OPT_QUANTITY_LIST: {
    PetscInt n = -1;
    PetscCall(InputParseQuantityList(name, where, value, spec->kind, NULL, &n));
    if (!strcmp(name, "-out_times") || !strcmp(name, "-out_map_times") || !strcmp(name, "-compare_figures_times")) PetscCall(CheckTimesNotNegative(name, where, value));
  } break;
  case OPT_INT:
  case OPT_INT_LIST: {
    const char *p = value;
    do {
      char *end;
      long  v = strtol(p, &end, 10);
      PetscCheck(end != p && (*end == 0 || (spec->type == OPT_INT_LIST && *end == ',')) && v > PETSC_MIN_INT && v < PETSC_MAX_INT, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s expects %s, got '%s'", where, name, spec->type == OPT_INT ? "a whole number" : "whole numbers separated by commas", value);
      p = *end == ',' ? end + 1 : end;
    } while (*p);
  } break;
  case OPT_BOOL: {
    static const char *const words[] = {"true", "false", "yes", "no", "1", "0", "on", "off", NULL};
    PetscBool                ok      = value ? PETSC_FALSE : PETSC_TRUE;
    for (int k = 0; value && words[k]; ++k) ok = (ok || !strcasecmp(value, words[k])) ? PETSC_TRUE : PETSC_FALSE;
    PetscCheck(ok, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s expects true or false, got '%s'", where, name, value);
  } break;
  case OPT_CHOICE:
  case OPT_CHOICE_LIST: {
    const char *item = value;
    do { /* each comma-separated item of a list; the whole value otherwise */
      const char *comma = spec->type == OPT_CHOICE_LIST ? strchr(item, ',') : NULL;
      const char *c     = spec->choices;
      size_t      n     = comma ? (size_t)(comma - item) : strlen(item);
      PetscBool   ok    = PETSC_FALSE;
      while (c && *c && !ok) {
        const char *bar = strchr(c, '|');
        size_t      k   = bar ? (size_t)(bar - c) : strlen(c);
        ok              = (k == n && !strncmp(c, item, n)) ? PETSC_TRUE : PETSC_FALSE;
        c               = bar ? bar + 1 : NULL;
      }
      if (!ok) {
        char list[256];
        PetscCall(PetscStrncpy(list, spec->choices, sizeof(list)));
        for (char *q = list; *q; ++q)
          if (*q == '|') *q = spec->type == OPT_CHOICE_LIST ? ',' : '/';
        if (spec->type == OPT_CHOICE_LIST) SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s is a comma-separated list of %s, got '%.*s' in '%s'", where, name, list, (int)n, item, value);
        SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s is one of %s, got '%s'", where, name, list, value);
      }
      item = comma ? comma + 1 : NULL;
    } while (item);
  } break;
  case OPT_PATH:
    PetscCheck(strlen(value) < PETSC_MAX_PATH_LEN, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the path given to %s is longer than %d characters", where, name, PETSC_MAX_PATH_LEN - 1);
    break;
  case OPT_STRING:
    PetscCheck(strlen(value) < 256, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the value of %s is longer than 255 characters", where, name);
    break;
  case OPT_CURRENT:
  case OPT_CAPACITY:
  case OPT_RESISTANCE: { /* a finite number; its unit is checked where it is read */
    char     *end;
    PetscReal v = strtod(value, &end);
    PetscCheck(end != value && !PetscIsInfOrNanReal(v), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s expects a finite number with a unit, got '%s'", where, name, value);
  } break;
  default:
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "unknown option type %d", (int)spec->type);
  }
  PetscFunctionReturn(0);
}

/* Is name one of PETSc's options (perhaps under a prefix such as -sub_ or -mg_levels_1_)? */
static PetscBool IsPetscName(const char name[])
{
  const size_t n = strlen(name);
  for (int i = 0; global_petsc[i]; ++i)
    if (!strcasecmp(name, global_petsc[i])) return PETSC_TRUE;
  for (int i = 0; input_petsc_option_names[i]; ++i) {
    const char  *e = input_petsc_option_names[i] + 1; /* without its dash */
    const size_t m = strlen(e);
    if (!strcasecmp(name + 1, e) || (n > m + 1 && !strcasecmp(name + n - m, e) && name[n - m - 1] == '_')) return PETSC_TRUE;
  }
  return PETSC_FALSE;
}

/* Could name be an option of a PETSc object that the list (taken from one run's -help) does not
   show, -pc_hypre_type or -mg_levels_ksp_chebyshev_esteig? One of its words must open a PETSc
   option (pc, ksp, snes, ts, dm, mat, ...); -zzz_top is nobody's */
static PetscBool HasPetscWord(const char name[])
{
  const char *w = name + 1;
  while (*w) {
    size_t k = strcspn(w, "_");
    for (int i = 0; k && input_petsc_option_names[i]; ++i) {
      const char *e = input_petsc_option_names[i] + 1;
      if (!strncasecmp(e, w, k) && (e[k] == '_' || !e[k])) return PETSC_TRUE;
    }
    w += k;
    if (*w) ++w;
  }
  return PETSC_FALSE;
}

/* -pc_factor_mat_solver_type NAME (under any prefix): a package this PETSc has. One it lacks
   stopped the first linear solve, deep in the run, with PETSc's 25-line error */
static PetscErrorCode CheckSolverPackage(const char name[], const char where[], const char value[])
{
  static const char *const packages[] = {"petsc", "mumps", "superlu", "superlu_dist", "umfpack", "cholmod", "klu", "spqr", "strumpack", "mkl_pardiso", "mkl_cpardiso", "pastix", "elemental", "scalapack", "essl", "lusol", "bas", "cusparse", "kokkos", "matlab", NULL};
  PetscBool                found = PETSC_FALSE, foundm;
  char                     have[256] = "", shown[80];
  const size_t             n = strlen(name), m = strlen("pc_factor_mat_solver_type");

  PetscFunctionBeginUser;
  if (n < m || strcasecmp(name + n - m, "pc_factor_mat_solver_type")) PetscFunctionReturn(0);
  PetscCheck(value && value[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s needs the name of a solver package", where, name);
  PetscCall(MatInitializePackage());
  PetscCall(MatSolverTypeGet(value, MATSEQAIJ, MAT_FACTOR_LU, &found, &foundm, NULL));
  if (found) PetscFunctionReturn(0);
  for (int i = 0; packages[i]; ++i) {
    PetscBool f = PETSC_FALSE;
    PetscCall(MatSolverTypeGet(packages[i], MATSEQAIJ, MAT_FACTOR_LU, &f, &foundm, NULL));
    if (f) PetscCall(PetscSNPrintf(have + strlen(have), sizeof(have) - strlen(have), "%s%s", have[0] ? ", " : "", packages[i]));
  }
  SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: this PETSc has no solver package '%s' for %s (it has %s)", where, Shown(value, shown, sizeof(shown)), name, have[0] ? have : "none it names");
}

/* One option the user gave (on the command line, or in a document when from_document) */
static PetscErrorCode CheckOne(const char command[], const char name[], const char value[], PetscBool from_document)
{
  const OptionSpec *spec;
  char              where[PETSC_MAX_PATH_LEN], near[256], list[128], shown[80];

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  if (!strncmp(where, "option ", 7)) PetscCall(PetscSNPrintf(where, sizeof(where), "option %s", Shown(name, shown, sizeof(shown))));
  /* PETSc's refinement of spot's mesh: no bound on the mesh it makes, and spot's own checks skipped */
  PetscCheck(!strstr(name, "dm_refine"), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s refines the mesh behind spot's back (nothing bounds its size); use spot's -mesh_refine N (<mesh><refine> in a document)", where, Shown(name, shown, sizeof(shown)));
  if (!HasSpotPrefix(name)) { /* PETSc's: a name PETSc does not know is a typo, or nobody's */
    if (IsPetscName(name)) {
      PetscCall(CheckSolverPackage(name, where, value));
      PetscFunctionReturn(0);
    }
    Nearest(name, near, sizeof(near));
    PetscCheck(!near[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: neither spot nor PETSc has an option %s (did you mean %s?)", where, Shown(name, shown, sizeof(shown)), near);
    PetscCheck(HasPetscWord(name), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: neither spot nor PETSc has an option %s", where, Shown(name, shown, sizeof(shown)));
    PetscFunctionReturn(0);
  }
  spec = FindSpec(name);
  if (!spec) {
    Nearest(name, near, sizeof(near));
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: spot has no option %s%s%s%s", where, Shown(name, shown, sizeof(shown)), near[0] ? " (did you mean " : "", near, near[0] ? "?)" : "");
  }
  PetscCheck(from_document || (spec->commands & CommandBit(command)), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s is not an option of spot %s (it is one of %s)", where, name, command, CommandsOf(spec->commands, list, sizeof(list)));
  PetscCall(CheckValue(spec, name, where, value));
  PetscFunctionReturn(0);
}

static PetscBool GivenOnCommandLine(const char name[])
{
  for (PetscInt i = 0; i < ngiven; ++i)
    if (!strcasecmp(given[i].name, name)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* One initial state from each source: the command line may replace a document's (a restart from a
   checkpoint of a document that starts from theta), but two from the same place contradict */
static PetscErrorCode CheckInitialState(void)
{
  static const char *const states[] = {"-init_checkpoint_file", "-init_theta", "-init_voltage"};
  char                     a[PETSC_MAX_PATH_LEN], b[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  for (int i = 0; i < 3; ++i)
    for (int j = i + 1; j < 3; ++j) {
      PetscCheck(!(GivenOnCommandLine(states[i]) && GivenOnCommandLine(states[j])), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "options %s and %s: both give the initial state; give one", states[i], states[j]);
      PetscCall(InputOptionWhere(states[i], a, sizeof(a)));
      PetscCall(InputOptionWhere(states[j], b, sizeof(b)));
      PetscCheck(!strncmp(a, "option ", 7) || !strncmp(b, "option ", 7), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the document gives two initial states (%s, and %s at %s); give one", b, states[j], states[i], a);
    }
  PetscFunctionReturn(0);
}

/* Output times: at or after the start, as the schema says of <output><times> */
static PetscErrorCode CheckTimesNotNegative(const char name[], const char where[], const char value[])
{
  PetscInt   n = 1;
  PetscReal *t;

  PetscFunctionBeginUser;
  for (const char *c = value; *c; ++c) n += *c == ',' || *c == ' ';
  PetscCall(PetscMalloc1(n, &t));
  PetscCall(InputParseQuantityList(name, where, value, UNIT_TIME, t, &n));
  for (PetscInt i = 0; i < n; ++i)
    if (t[i] < 0) {
      PetscCall(PetscFree(t));
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s are times from the start of the run, at least 0, got '%.60s'", where, name, value);
    }
  PetscCall(PetscFree(t));
  PetscFunctionReturn(0);
}

PetscErrorCode InputCheckOptions(MPI_Comm comm, const char command[])
{
  PetscFunctionBeginUser;
  PetscCall(CheckInitialState());
  if (!strcmp(command, "run") || !strcmp(command, "compare") || !strcmp(command, "fit")) PetscCall(CheckDocumentCommandArguments(command));
  for (PetscInt i = 0; i < ngiven; ++i) PetscCall(CheckOne(command, given[i].name, given[i].value, PETSC_FALSE));
  PetscCall(InputCheckDocumentOptions(command, CheckOne));
  PetscFunctionReturn(0);
}

/* A subcommand that solves nothing (spot mesh, the analysis of a GITT record) reads no PETSc
   option but the global ones (-log_view, -help, ...): any other is a mistake, said before any work */
PetscErrorCode InputCheckNoSolverOptions(MPI_Comm comm, const char command[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ngiven; ++i) {
    const char *name = given[i].name;
    char        shown[80];
    /* the analysis of a GITT record reads its -gitt_ options (and the figures' formats) only:
       -phys_alpha is the simulation's */
    PetscCheck(strncmp(command, "gitt", 4) || !HasSpotPrefix(name) || !strncmp(name, "-gitt_", 6) || !strcmp(name, "-out_figure_formats"), comm, PETSC_ERR_USER_INPUT, "option %s: spot %s analyses a record and simulates nothing, so only its -gitt_ options apply (%s is for spot run, synth, compare, fit and gitt --simulate)", Shown(name, shown, sizeof(shown)), command, Shown(name, shown, sizeof(shown)));
    if (HasSpotPrefix(name) || IsGlobalPetsc(name)) continue;
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "option %s: spot %s solves nothing, so no PETSc solver or viewer option applies (they go to spot run, synth, compare, fit and gitt --simulate)", name, command);
  }
  PetscFunctionReturn(0);
}

/* ---- after set-up: what nobody read ---- */
/* Why an option of this prefix can go unread: the choice it depends on */
static PetscErrorCode WhyUnused(const char name[], char why[], size_t len)
{
  static const struct {
    const char *prefix, *choice, *what;
  } laws[] = {
    {"-phys_diffusivity_",      "-phys_diffusivity_law",      "the diffusivity law"    },
    {"-phys_ocp_",              "-phys_ocp_law",              "the open-circuit potential law"},
    {"-phys_exchange_current_", "-phys_exchange_current_law", "the exchange-current law"},
    {"-mesh_shape_",            "-mesh_shape_type",           "the shape"              },
  };
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(why, len, "nothing in this run reads it"));
  for (size_t i = 0; i < sizeof(laws) / sizeof(laws[0]); ++i) {
    char      value[128];
    PetscBool set;
    if (strncmp(name, laws[i].prefix, strlen(laws[i].prefix))) continue;
    PetscCall(PetscOptionsGetString(NULL, NULL, laws[i].choice, value, sizeof(value), &set));
    if (set) PetscCall(PetscSNPrintf(why, len, "%s '%s' has no parameter %s", laws[i].what, value, name + strlen(laws[i].prefix)));
    else PetscCall(PetscSNPrintf(why, len, "this run has no %s (%s)", laws[i].what + 4, laws[i].choice));
  }
  if (!strncmp(name, "-mesh_image_", 12)) PetscCall(PetscSNPrintf(why, len, "the mesh is not made from an image"));
  if (!strncmp(name, "-proto_", 7) && isdigit((unsigned char)name[7])) {
    PetscInt step = (PetscInt)strtol(name + 7, NULL, 10), n;
    PetscCall(InputStepCount(&n));
    if (step >= n) PetscCall(PetscSNPrintf(why, len, "the protocol has %" PetscInt_FMT " step%s, numbered from 0", n, n == 1 ? "" : "s"));
    else PetscCall(PetscSNPrintf(why, len, "step %" PetscInt_FMT " (numbered from 0) is of a type that does not use it", step));
  }
  PetscFunctionReturn(0);
}

/* Options under prefix that nothing read, from the command line or a document: parameters of a
   law (choice: its option, what: its name) that the chosen law does not have */
PetscErrorCode InputCheckUnreadParameters(MPI_Comm comm, const char prefix[], const char choice[], const char what[])
{
  PetscInt N;
  char   **names, **values;
  char     message[PETSC_MAX_PATH_LEN + 512] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsLeftGet(NULL, &N, &names, &values));
  for (PetscInt i = 0; i < N && !message[0]; ++i) {
    char      name[256], where[PETSC_MAX_PATH_LEN], law[64];
    PetscBool set;
    PetscCall(PetscSNPrintf(name, sizeof(name), "-%s", names[i]));
    if (strncmp(name, prefix, strlen(prefix)) || !strcmp(name, choice)) continue;
    PetscCall(InputOptionWhere(name, where, sizeof(where)));
    PetscCall(PetscOptionsGetString(NULL, NULL, choice, law, sizeof(law), &set));
    if (set) PetscCall(PetscSNPrintf(message, sizeof(message), "%s: the %s '%s' has no parameter %s", where, what, law, name + strlen(prefix)));
    else PetscCall(PetscSNPrintf(message, sizeof(message), "%s: this run has no %s (%s), so %s does not apply", where, what, choice, name));
  }
  PetscCall(PetscOptionsLeftRestore(NULL, &N, &names, &values));
  PetscCheck(!message[0], comm, PETSC_ERR_USER_INPUT, "%s", message);
  PetscFunctionReturn(0);
}

PetscErrorCode InputCheckUnusedOptions(MPI_Comm comm, const char command[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ngiven; ++i) {
    const char *name = given[i].name;
    PetscBool   used;
    char        why[256];
    if (!HasSpotPrefix(name)) continue; /* PETSc reads some of its options only once solving starts */
    PetscCall(PetscOptionsUsed(NULL, name + 1, &used)); /* the database keeps names without their dash */
    if (used) continue;
    PetscCall(WhyUnused(name, why, sizeof(why)));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "option %s does not apply to this spot %s: %s", name, command, why);
  }
  PetscFunctionReturn(0);
}
