/* input: everything spot reads from the user, turned into the PETSc options database.

   The XML document is validated against the shipped schema, converted to internal units
   and inserted as options (`-mesh_...`, `-phys_...`, `-proto_...`, `-out_...`, `-solver_...`)
   without overriding options already given on the command line: the command line wins.
   Every option remembers where it came from, so later modules can name the file and
   line of a bad value.

   Internal units: length µm, time s, diffusivity µm²/s, concentration mol/m³, current A,
   current density A/m², potential V, temperature K, C-rate 1/h, resistance Ω·m² (area
   specific) or Ω, capacity A·s, voltage rate V/s; dimensionless otherwise. */
#ifndef SPOT_INPUT_H
#define SPOT_INPUT_H

#include <petscsys.h>

typedef enum {
  UNIT_NONE,
  UNIT_LENGTH,
  UNIT_TIME,
  UNIT_DIFFUSIVITY,
  UNIT_CONCENTRATION,
  UNIT_CURRENT,
  UNIT_CURRENT_DENSITY,
  UNIT_POTENTIAL,
  UNIT_TEMPERATURE,
  UNIT_C_RATE,
  UNIT_RESISTANCE,
  UNIT_AREA_RESISTANCE,
  UNIT_CAPACITY,
  UNIT_VOLTAGE_RATE,
  UNIT_NUM_KINDS
} UnitKind;

extern const char *const UnitKindNames[];

/* Units */
PetscErrorCode UnitParse(const char unit[], UnitKind *kind, PetscBool *known);
PetscErrorCode UnitToInternal(const char unit[], UnitKind expected, PetscReal value, PetscReal *internal, PetscBool *ok);
PetscErrorCode UnitInternalName(UnitKind kind, const char **name);

/* Options carrying quantities: a bare number is in internal units, "60min" or "1 h" is converted. */
PetscErrorCode InputGetQuantity(const char name[], UnitKind kind, PetscReal *value, PetscBool *set);
PetscErrorCode InputParseQuantity(const char name[], const char where[], const char text[], UnitKind kind, PetscReal *value);
/* A list "0,5,10 min" into values[*n] (*n: room on entry, count on exit; values NULL: check only) */
PetscErrorCode InputParseQuantityList(const char name[], const char where[], const char text[], UnitKind kind, PetscReal values[], PetscInt *n);
PetscErrorCode InputGetQuantityArray(const char name[], UnitKind kind, PetscReal values[], PetscInt *n, PetscBool *set);
PetscErrorCode InputOptionWhere(const char name[], char where[], size_t len);
PetscErrorCode InputSetOption(const char name[], const char value[], const char where[]);

/* An XML document: validate (schema by root element), convert, insert as options. Collective;
   every rank reads. */
PetscErrorCode InputLoadXML(MPI_Comm comm, const char path[]);
PetscErrorCode InputGetDocumentDirectory(const char **dir);

/* The protocol of the <spot> document: its steps, cycles and gitt/pitt expanded, kept apart from
   the options database (which holds at most 512 entries), a few hundred bytes a step. An option
   -proto_<i>_<key> overrides the document's value of step i (the command line wins);
   -proto_nsteps N and -proto_<i>_... options alone make a protocol too. Keys: type, name, cycle,
   direction, c_rate, current, current_density, voltage and the cut-offs. */
PetscErrorCode InputStepCount(PetscInt *nsteps);
PetscErrorCode InputStepGetString(PetscInt step, const char key[], char value[], size_t len, PetscBool *set);
PetscErrorCode InputStepGetQuantity(PetscInt step, const char key[], UnitKind kind, PetscReal *value, PetscBool *set);
PetscErrorCode InputStepWhere(PetscInt step, const char key[], char where[], size_t len);
PetscErrorCode InputSchemaText(const char name[], const char **xsd);

/* Tables: numeric CSV with '#' comment lines and one header row. Read on rank 0, broadcast. */
typedef struct {
  PetscInt   nrows, ncols;
  char     **names;  /* [ncols] header names */
  PetscReal *values; /* [nrows*ncols], row-major */
  PetscInt  *lines;  /* [nrows] line of each row in the file, for messages */
} InputTable;

PetscErrorCode InputTableRead(MPI_Comm comm, const char path[], InputTable *table);
PetscErrorCode InputTableColumn(const InputTable *table, const char path[], const char name[], PetscInt *column);
PetscErrorCode InputTableDestroy(InputTable *table);

/* Checks that hold on every rank or fail on every rank with the same one-line message. */
/* A file about to be read: a regular file (not a directory, FIFO or device), readable, and at
   most max_bytes long (0: any length); InputCheckReadable has no length limit */
PetscErrorCode InputCheckFile(MPI_Comm comm, const char path[], const char what[], size_t max_bytes);
PetscErrorCode InputCheckReadable(MPI_Comm comm, const char path[], const char what[]);
PetscErrorCode InputCheckWritableDirectory(MPI_Comm comm, const char dir[], const char where[]);
/* An output that would replace a file the command reads (InputCheckFile registers each) is refused:
   "argument -o: 'p.png' would overwrite the image 'p.png' that spot reads; give the output another name".
   InputCheckInputAndOutputs: InputCheckFile(input), then each of the n outputs (where: its argument) */
PetscErrorCode InputCheckOutputFile(MPI_Comm comm, const char path[], const char where[]);
PetscErrorCode InputCheckInputAndOutputs(MPI_Comm comm, const char input[], const char what[], size_t max_bytes, PetscInt n, const char *const outputs[], const char *const wheres[]);
PetscErrorCode InputCollectiveError(MPI_Comm comm, PetscBool failed_here, const char message[]);

/* Options (input/options.c): InputRecordCommandLine(argc, argv) before anything sets an option;
   InputCheckOptions(comm, "run") before a subcommand does any work (every option spot knows,
   named right and of the right kind; misspellings named with the nearest known option);
   InputCheckUnusedOptions once it has set everything up (an option of spot from the command line
   that nothing read does not apply to this input). */
PetscErrorCode InputRecordCommandLine(int argc, char **argv);
PetscErrorCode InputCheckOptions(MPI_Comm comm, const char command[]);
PetscErrorCode InputCheckUnusedOptions(MPI_Comm comm, const char command[]);
PetscErrorCode InputCheckNoSolverOptions(MPI_Comm comm, const char command[]); /* spot mesh, spot gitt RECORD */
/* After a law is set up: an option under prefix that it did not read (from a document too) is
   an error: "in.xml:14 (<value>): the diffusivity law 'ni_rich_smooth' has no parameter value" */
PetscErrorCode InputCheckUnreadParameters(MPI_Comm comm, const char prefix[], const char choice[], const char what[]);

/* Error reporting: user errors become one line; see app/spot.c. */
PetscErrorCode InputPushErrorHandler(void);
PetscErrorCode InputLastUserError(const char **message);
void           InputClearUserError(void);

#endif
