/* Fuzz target: XML documents (input/xml.c, input/steps.c, input/units.c), as spot run, synth,
   gitt, compare and fit read them: InputLoadXML (libxml2's parser, the schema chosen by the root
   element, the mapping into PETSc options and the protocol's step table), then the protocol's
   steps as the solver asks for them (strings, and quantities converted from their units).

   Each input starts from an empty options database (PETSc's holds at most 512 entries) and no
   user error. Not covered: InputCheckOptions, which checks every option any document of the
   process set (input/xml.c keeps their sources for the life of the process), so that one bad
   document would fail every later one.

   Findings: a crash or sanitizer report, and an error that is not a clean one-line refusal
   (tests/fuzz/fuzz.h). */
#include "tests/fuzz/fuzz.h"
#include "input/input.h"
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc, (void)argv;
  return FuzzInitialize("fuzz_xml");
}

/* The values of step i that the protocol reads (solver/protocol.c), each refused cleanly or read */
static PetscErrorCode ReadStep(PetscInt i)
{
  static const char *const strings[] = {"type", "name", "cycle", "direction", NULL};
  static const struct {
    const char *key;
    UnitKind    kind;
  } quantities[] = {
      {"duration", UNIT_TIME},
      {"c_rate", UNIT_C_RATE},
      {"current", UNIT_CURRENT},
      {"current_density", UNIT_CURRENT_DENSITY},
      {"voltage", UNIT_POTENTIAL},
      {"voltage_above", UNIT_POTENTIAL},
      {"voltage_below", UNIT_POTENTIAL},
      {"theta_below", UNIT_NONE},
      {"theta_above", UNIT_NONE},
      {"capacity", UNIT_CAPACITY},
      {"dvdt_below", UNIT_VOLTAGE_RATE},
  };
  char      value[256], where[PETSC_MAX_PATH_LEN];
  PetscBool set;
  PetscReal q;

  PetscFunctionBeginUser;
  for (int k = 0; strings[k]; ++k) {
    (void)FuzzOutcome(InputStepGetString(i, strings[k], value, sizeof(value), &set), "InputStepGetString");
    (void)FuzzOutcome(InputStepWhere(i, strings[k], where, sizeof(where)), "InputStepWhere");
  }
  for (size_t k = 0; k < sizeof(quantities) / sizeof(quantities[0]); ++k)
    (void)FuzzOutcome(InputStepGetQuantity(i, quantities[k].key, quantities[k].kind, &q, &set), "InputStepGetQuantity");
  PetscFunctionReturn(0);
}

static PetscErrorCode FuzzXML(const char path[], PetscBool protocol)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  ierr = FuzzOutcome(InputLoadXML(PETSC_COMM_SELF, path), "InputLoadXML");
  if (!ierr && protocol) {
    PetscInt n = 0;
    (void)FuzzOutcome(InputStepCount(&n), "InputStepCount");
    if (n < 0 || n > 1000000) FuzzFinding("InputLoadXML made a protocol of %d steps", (int)n);
    for (PetscInt i = 0; i < n; ++i) {
      if (i == 8 && n > 16) i = n - 8; /* the first and the last few */
      PetscCall(ReadStep(i));
    }
  }
  PetscFunctionReturn(0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char      path[PETSC_MAX_PATH_LEN];
  PetscBool protocol = PETSC_FALSE;

  /* The step table is replaced only by a document with a <protocol>: ask it only then (an
     element's name cannot be escaped, so the bytes say) */
  for (size_t i = 0; i + 8 <= size && !protocol; ++i)
    if (!memcmp(data + i, "protocol", 8)) protocol = PETSC_TRUE;
  FuzzBegin("input.xml", data, size, path, sizeof(path));
  if (FuzzXML(path, protocol)) FuzzFinding("the harness's own calls failed");
  return 0;
}
