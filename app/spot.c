/* spot: Single-Particle Operando Transport.

   spot <command> [arguments] [PETSc options]; `spot --help` lists the commands. User mistakes
   end the program with one line "spot: error: ..." and exit status 1; PETSc options (-ts_monitor,
   -log_view, ...) pass through to PETSc, after the command's own arguments. */
#include "app/app.h"
#include "input/input.h"
#include "files/files.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <ctype.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

static const char usage[] = "spot " SPOT_VERSION ": lithium transport in single battery-cathode particles\n"
                            "\n"
                            "usage: [mpirun -n N] spot <command> [arguments] [PETSc options]\n"
                            "\n"
                            "commands:\n"
                            "  run INPUT.xml   solve a protocol on a particle; writes timeseries.csv, fields.h5/.xmf\n"
                            "  mesh IMAGE      mesh the particle of an SEM image (PNG, TIFF, PGM) for run\n"
                            "  gitt RECORD.csv derive D(theta) from a GITT record (Weppner-Huggins)\n"
                            "  synth RUN.xml   film a run as an operando optical microscope would (multi-page TIFF)\n"
                            "  compare CMP.xml compare a run with an optical movie: contrast, regions, profiles, metrics\n"
                            "  fit FIT.xml     find the diffusivity scale alpha that matches an optical movie best\n"
                            "  schema          print the XML schema of the input file\n"
                            "  version         print the version\n"
                            "\n"
                            "`spot <command> --help` describes a command; `-help` after it lists PETSc's options.\n";

/* Where a mistake on the top-level command line is told to look */
#define SEE_USAGE "usage: spot <command> [arguments] [PETSc options]; spot help lists the commands"

typedef struct {
  const char *name;
  PetscErrorCode (*fn)(MPI_Comm, int, char **, PetscBool);
} Command;

/* spot version: no arguments, no options */
static PetscErrorCode SpotVersion(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "usage: spot version\nPrints the version of spot and of the PETSc it runs on.\n"));
    PetscFunctionReturn(0);
  }
  PetscCheck(argc == 0, comm, PETSC_ERR_USER_INPUT, "spot version takes no arguments or options, got '%.60s%s'", argv[0], strlen(argv[0]) > 60 ? "..." : "");
  PetscCall(PetscPrintf(comm, "spot %s (PETSc %d.%d.%d)\n", SPOT_VERSION, PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR, PETSC_VERSION_SUBMINOR));
  PetscFunctionReturn(0);
}

static const Command commands[] = {
  {"run",     SpotRun    },
  {"mesh",    SpotMesh   },
  {"gitt",    SpotGitt   },
  {"synth",   SpotSynth  },
  {"compare", SpotCompare},
  {"fit",     SpotFit    },
  {"schema",  SpotSchema },
  {"version", SpotVersion},
};

/* ---- before PETSc: the options files PetscInitialize would read ----
   PetscInitialize reads -options_file (and -options_file_yaml) itself, before spot checks anything:
   a FIFO hangs it, /dev/zero crashes it, a missing or malformed file gets PETSc's 12-line error. So
   main checks them first, with POSIX only (there is no PETSc yet): a regular file (stat, which opens
   nothing), readable, at most 1 MB, text without NUL or control bytes, and for -options_file
   PETSc's syntax: one option per line ("-name" or "-name value"), "alias -a -b", '#' comments. */
#define OPTIONS_FILE_MAX_BYTES (1 << 20)

/* A printable copy of at most 60 characters of s (n bytes), "..." when cut */
static void Excerpt(const char *s, size_t n, char out[], size_t len)
{
  size_t k = 0;
  for (size_t i = 0; i < n && k + 4 < len && i < 60; ++i) out[k++] = (s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
  if (n > 60 && k + 4 < len) k += (size_t)snprintf(out + k, len - k, "...");
  out[k] = 0;
}

/* The next token of a line ('"' quotes a value with blanks), or NULL; *p moves past it */
static const char *NextToken(const char **p, const char *end, size_t *n, int *unbalanced)
{
  const char *s = *p, *t;
  while (s < end && (*s == ' ' || *s == '\t' || *s == '\r')) ++s;
  if (s == end) return NULL;
  t = s;
  if (*s == '"') {
    for (++s; s < end && *s != '"'; ++s) {}
    if (s == end) *unbalanced = 1;
    else ++s;
  } else
    while (s < end && *s != ' ' && *s != '\t' && *s != '\r') ++s;
  *n = (size_t)(s - t);
  *p = s;
  return t;
}

static int IsOptionToken(const char *t, size_t n)
{
  return n >= 2 && t[0] == '-' && (isalpha((unsigned char)t[1]) || t[1] == '_');
}

/* PETSc's plain options format, line by line; 0 if it parses, else the message */
static int CheckOptionsSyntax(const char *option, const char *path, const char *text, size_t size, char msg[], size_t len)
{
  const char *line = text, *end = text + size;
  long        number = 0;

  while (line < end) {
    const char *eol = memchr(line, '\n', (size_t)(end - line)), *stop, *p = line, *tok[4];
    size_t      n[4] = {0}, ntok = 0;
    int         unbalanced = 0;
    char        shown[80];
    if (!eol) eol = end;
    ++number;
    stop = memchr(line, '#', (size_t)(eol - line));
    if (!stop) stop = eol;
    while (ntok < 4 && (tok[ntok] = NextToken(&p, stop, &n[ntok], &unbalanced))) ++ntok;
    Excerpt(line, (size_t)(eol - line), shown, sizeof(shown));
    if (eol - line > 4000) {
      snprintf(msg, len, "option %s: %s:%ld: a line longer than 4000 characters", option, path, number);
      return 1;
    }
    if (unbalanced) {
      snprintf(msg, len, "option %s: %s:%ld: a '\"' without its closing '\"' in '%s'", option, path, number, shown);
      return 1;
    }
    if (ntok && tok[0][0] == '-') {
      if (!IsOptionToken(tok[0], n[0])) {
        snprintf(msg, len, "option %s: %s:%ld: '%.*s' is not an option name (expected -name or -name value), in '%s'", option, path, number, (int)PetscMin(n[0], 40), tok[0], shown);
        return 1;
      }
      if (ntok > 2 || (ntok == 2 && IsOptionToken(tok[1], n[1]))) {
        snprintf(msg, len, "option %s: %s:%ld: one option per line (-name or -name value), got '%s'", option, path, number, shown);
        return 1;
      }
    } else if (ntok) {
      if (!(n[0] == 5 && !strncasecmp(tok[0], "alias", 5) && ntok == 3 && IsOptionToken(tok[1], n[1]) && IsOptionToken(tok[2], n[2]))) {
        snprintf(msg, len, "option %s: %s:%ld: expected an option (-name or -name value), 'alias -new -old' or a '#' comment, got '%s'", option, path, number, shown);
        return 1;
      }
    }
    line = eol + 1;
  }
  return 0;
}

/* One file given to -options_file or -options_file_yaml; 0 if PETSc may read it, else the message */
static int CheckOptionsFile(const char *option, const char *path, char msg[], size_t len)
{
  struct stat st;
  char       *text;
  FILE       *fp;
  size_t      size;
  int         bad = 0;

  if (!path) return snprintf(msg, len, "option %s needs a file name", option), 1;
  if (!path[0]) return snprintf(msg, len, "option %s: the file name is empty", option), 1;
  if (stat(path, &st)) return snprintf(msg, len, "option %s: cannot read options file '%s': %s", option, path, strerror(errno)), 1;
  if (S_ISDIR(st.st_mode)) return snprintf(msg, len, "option %s: cannot read options file '%s': is a directory", option, path), 1;
  if (!S_ISREG(st.st_mode)) return snprintf(msg, len, "option %s: cannot read options file '%s': not a regular file (%s)", option, path, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device"), 1;
  if (st.st_size > OPTIONS_FILE_MAX_BYTES) return snprintf(msg, len, "option %s: options file '%s' is %lld bytes, more than the %d spot reads as an options file", option, path, (long long)st.st_size, OPTIONS_FILE_MAX_BYTES), 1;
  if (access(path, R_OK) || !(fp = fopen(path, "r"))) return snprintf(msg, len, "option %s: cannot read options file '%s': %s", option, path, strerror(errno)), 1;
  text = (char *)malloc((size_t)st.st_size + 1);
  size = text ? fread(text, 1, (size_t)st.st_size, fp) : 0;
  fclose(fp);
  if (!text) return snprintf(msg, len, "option %s: out of memory reading '%s'", option, path), 1;
  for (size_t i = 0, line = 1; i < size && !bad; ++i) {
    const unsigned char c = (unsigned char)text[i];
    if (c == '\n') ++line;
    if (!c) snprintf(msg, len, "option %s: options file '%s' is not text: a NUL byte at offset %zu (line %zu)", option, path, i, line);
    else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) snprintf(msg, len, "option %s: options file '%s' is not text: byte 0x%02x at offset %zu (line %zu)", option, path, c, i, line);
    bad = msg[0] != 0;
  }
  if (!bad && strcasecmp(option, "-options_file_yaml")) bad = CheckOptionsSyntax(option, path, text, size, msg, len);
  free(text);
  return bad;
}

/* Is this process rank 0 of its job (or alone)? Asked before MPI starts, from the launcher's environment */
static int FirstRank(void)
{
  const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); ++i)
    if (getenv(vars[i])) return atoi(getenv(vars[i])) == 0;
  return 1;
}

static char session_dir[4096] = "";

/* The singleton's session directory, once Open MPI has removed what it put in it */
static void RemoveSessionDir(void)
{
  if (session_dir[0]) rmdir(session_dir);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  PetscBool      help = PETSC_FALSE;
  const char    *command = NULL, *message;
  int            pargc = 0, cargc = 0, status = 0;
  char         **pargv, **cargv, problem[1024] = "";
  PetscMPIInt    rank, size;

  /* The command comes first (or --help, -h, --version); then its arguments and PETSc options */
  for (int i = 1; i < argc && !command && !problem[0]; ++i) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) help = PETSC_TRUE;
    else if (!strcmp(a, "--version")) command = "version";
    else if (a[0] == '-') {
      char shown[80];
      Excerpt(a, strlen(a), shown, sizeof(shown));
      if (a[1] == '-') snprintf(problem, sizeof(problem), "unknown option '%s' (%s)", shown, SEE_USAGE);
      else snprintf(problem, sizeof(problem), "%s '%s' before the command (%s)", a[1] ? "option" : "argument", shown, SEE_USAGE);
    } else command = a;
  }
  if (!command && !help && !problem[0]) snprintf(problem, sizeof(problem), "no command given (%s)", SEE_USAGE);
  /* The options files PetscInitialize reads, checked before it does */
  for (int i = 1; i < argc && !problem[0]; ++i)
    if (!strcasecmp(argv[i], "-options_file") || !strcasecmp(argv[i], "-options_file_yaml")) CheckOptionsFile(argv[i], i + 1 < argc && !(argv[i + 1][0] == '-' && isalpha((unsigned char)argv[i + 1][1])) ? argv[i + 1] : NULL, problem, sizeof(problem));
  if (problem[0]) {
    if (FirstRank()) fprintf(stderr, "spot: error: %s\n", problem);
    return 1;
  }

  /* --help and -h belong to spot; everything else also goes to PETSc, but a YAML options file,
     which spot reads itself once PETSc runs (PETSc's YAML errors would be a 12-line traceback) */
  pargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  cargv = (char **)malloc((size_t)(argc + 1) * sizeof(char *));
  if (!pargv || !cargv) return 1;
  for (int i = 0, seen = 0; i < argc; ++i) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      help = PETSC_TRUE;
      continue;
    }
    if (i > 0 && !seen) { /* the command (or --version) */
      seen = !strcmp(argv[i], "--version") || argv[i][0] != '-';
      if (!strcmp(argv[i], "--version")) continue;
      pargv[pargc++] = argv[i];
      continue;
    }
    if (i > 0) cargv[cargc++] = argv[i];
    if (!strcasecmp(argv[i], "-options_file_yaml") && i + 1 < argc) {
      cargv[cargc++] = argv[++i];
      continue;
    }
    pargv[pargc++] = argv[i];
  }
  pargv[pargc] = NULL;
  cargv[cargc] = NULL;

  /* Started without mpirun: Open MPI would launch a helper daemon for the singleton (0.1 s of CPU,
     0.2 s of wall time per run); spot never spawns processes, so it does without (the user's
     own setting wins) */
  if (!getenv("OMPI_COMM_WORLD_SIZE")) {
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
    /* Isolated singletons share one session directory (/tmp/ompi.<host>.<uid>/jf.0/1), which the
       first to exit removes: a spot started as another ended failed in MPI_Init ("orte_init
       failed", seen in the hostile-input suite). Each gets a directory of its own, removed at exit */
    if (!getenv("OMPI_MCA_orte_tmpdir_base")) {
      const char *tmp = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
      snprintf(session_dir, sizeof(session_dir), "%s/spot-mpi-XXXXXX", tmp);
      if (mkdtemp(session_dir)) setenv("OMPI_MCA_orte_tmpdir_base", session_dir, 1);
      else session_dir[0] = 0;
    }
  }
  /* Such singletons share one session directory (/tmp/ompi.<host>.<uid>/jf.0/1), which the first to
     exit removes; a concurrent run (an alpha sweep) then printed "mca_sharedfp_sm_component_file_query:
     Error, unable to open file for mmap" on opening its HDF5 checkpoint. spot's files use no shared
     file pointers, so that component is not needed */
  setenv("OMPI_MCA_sharedfp", "^sm", 0);
  /* PT-Scotch partitions with several threads by default, and their race makes the partition,
     and so the round-off of every parallel run, differ from one run to the next: with one thread
     two identical runs give identical results */
  setenv("SCOTCH_PTHREAD_NUMBER", "1", 0);
  ierr = PetscInitialize(&pargc, &pargv, NULL, NULL);
  if (ierr) return 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  ierr = InputPushErrorHandler();
  if (!ierr) ierr = FileSignalsSet(FILE_SIGNALS_EXIT); /* an interrupt removes unfinished files */
  if (!command || !strcmp(command, "help")) {
    if (!rank) fputs(usage, stdout);
  } else {
    const Command *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); ++i)
      if (!strcmp(command, commands[i].name)) c = &commands[i];
    if (!c) {
      char shown[80];
      Excerpt(command, strlen(command), shown, sizeof(shown));
      if (!rank) fprintf(stderr, "spot: error: unknown command '%s' (try spot --help)\n", shown);
      status = 1;
    } else {
      if (!ierr) ierr = InputRecordCommandLine(cargc, cargv); /* and the options files */
      if (!ierr) ierr = c->fn(PETSC_COMM_WORLD, cargc, cargv, help);
      if (ierr) {
        status = 1;
        InputLastUserError(&message);
        if (message && !rank) fprintf(stderr, "spot: error: %s\n", message);
        if (!message && size > 1) MPI_Abort(PETSC_COMM_WORLD, 1); /* an internal error may not be collective */
      }
    }
  }
  PetscFinalize();
  RemoveSessionDir();
  free(pargv);
  free(cargv);
  return status;
}
