/* Private to input/: how xml.c fills the protocol's step table (steps.c). */
#ifndef SPOT_INPUTIMPL_H
#define SPOT_INPUTIMPL_H

#include "input/input.h"

#define INPUT_MAX_STEPS 1000000 /* a protocol expands to at most this many steps (about 400 bytes each) */

/* A new, empty table for the protocol of document doc (a <protocol> at line) */
PetscErrorCode InputStepsReset(const char doc[], PetscInt line);
/* A template: the values an element of the protocol gives every step it makes */
PetscErrorCode InputStepsNewTemplate(PetscInt *tmpl);
PetscErrorCode InputStepsTemplateAdd(PetscInt tmpl, const char key[], const char value[], PetscInt line, const char what[]);
/* A step: its template (-1: none), the line and kind of the element that made it ("step", "gitt
   pulse", ...), its type, cycle and name ("" for the template's or none), and one value of its
   own (extra_key NULL for none: a gitt pulse's duration, a pitt step's voltage) */
PetscErrorCode InputStepsAdd(PetscInt tmpl, PetscInt line, const char what[], const char type[], PetscInt cycle, const char name[], const char extra_key[], const char extra_value[]);

/* Did the command line give an option starting with prefix? (options.c) */
PetscBool InputCommandLineHas(const char prefix[]);

/* Names of PETSc options (input/petsc_names.c), NULL-terminated */
extern const char *const input_petsc_option_names[];

/* Calls check(command, name, value, PETSC_TRUE) for every option a document or a translated
   argument set (xml.c) */
PetscErrorCode InputCheckDocumentOptions(const char command[], PetscErrorCode (*check)(const char[], const char[], const char[], PetscBool));

#endif
