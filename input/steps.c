/* The protocol's steps, kept apart from the options database.

   PETSc 3.18's options database holds at most 512 entries, and a protocol can have thousands
   of steps (a 500-pulse GITT, 1000 cycles). So xml.c expands <cycle>, <gitt> and <pitt> into
   this table instead: each element of the document becomes one template (its attributes and
   leaves, shared by every step it makes), and each step a small record (its template, type,
   cycle, name and at most one value of its own). Memory and set-up time are linear in the
   number of steps, with a few hundred bytes a step.

   A value of step i is looked up as the option -proto_<i>_<key> first (the command line
   wins, and protocols given only as options still work), then in the step's own record, then
   in its template. */
#include "input/inputimpl.h"
#include <string.h>

typedef struct {
  char    *key, *value;
  PetscInt line;
  char     what[48];
} StepEntry;

typedef struct {
  StepEntry *entries;
  PetscInt   n, cap;
} StepTemplate;

typedef struct {
  PetscInt    tmpl, line, cycle;
  const char *what, *type, *extra_key; /* static strings */
  char        extra_value[40];
  char        name[48];
} StepRecord;

static PetscBool command_line_steps = PETSC_FALSE; /* the command line gave some -proto_ option */

static struct {
  char          doc[PETSC_MAX_PATH_LEN];
  PetscInt      line;
  StepTemplate *templates;
  PetscInt      ntemplates, cap_templates;
  StepRecord   *steps;
  PetscInt      nsteps, cap_steps;
} table;

/* the static copy of a what/type/key string (records keep pointers, not copies) */
static const char *Intern(const char s[])
{
  static const char *const known[] = {"step", "gitt pulse", "gitt relaxation", "pitt step", "cc", "cv", "rest", "duration", "voltage", NULL};
  for (int i = 0; known[i]; ++i)
    if (!strcmp(known[i], s)) return known[i];
  return NULL;
}

PetscErrorCode InputStepsReset(const char doc[], PetscInt line)
{
  PetscFunctionBeginUser;
  command_line_steps = InputCommandLineHas("-proto_");
  for (PetscInt t = 0; t < table.ntemplates; ++t) {
    for (PetscInt e = 0; e < table.templates[t].n; ++e) {
      PetscCall(PetscFree(table.templates[t].entries[e].key));
      PetscCall(PetscFree(table.templates[t].entries[e].value));
    }
    PetscCall(PetscFree(table.templates[t].entries));
  }
  PetscCall(PetscFree(table.templates));
  PetscCall(PetscFree(table.steps));
  PetscCall(PetscMemzero(&table, sizeof(table)));
  PetscCall(PetscStrncpy(table.doc, doc, sizeof(table.doc)));
  table.line = line;
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepsNewTemplate(PetscInt *tmpl)
{
  PetscFunctionBeginUser;
  if (table.ntemplates == table.cap_templates) {
    table.cap_templates = table.cap_templates ? 2 * table.cap_templates : 16;
    PetscCall(PetscRealloc(sizeof(StepTemplate) * table.cap_templates, &table.templates));
  }
  PetscCall(PetscMemzero(&table.templates[table.ntemplates], sizeof(StepTemplate)));
  *tmpl = table.ntemplates++;
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepsTemplateAdd(PetscInt tmpl, const char key[], const char value[], PetscInt line, const char what[])
{
  StepTemplate *t = &table.templates[tmpl];
  StepEntry    *e;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < t->n; ++i)
    PetscCheck(strcmp(t->entries[i].key, key), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT " (%s): %s is given twice (also at %s:%" PetscInt_FMT " (%s))", table.doc, line, what, what, table.doc, t->entries[i].line, t->entries[i].what);
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 8;
    PetscCall(PetscRealloc(sizeof(StepEntry) * t->cap, &t->entries));
  }
  e = &t->entries[t->n++];
  PetscCall(PetscStrallocpy(key, &e->key));
  PetscCall(PetscStrallocpy(value, &e->value));
  e->line = line;
  PetscCall(PetscStrncpy(e->what, what, sizeof(e->what)));
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepsAdd(PetscInt tmpl, PetscInt line, const char what[], const char type[], PetscInt cycle, const char name[], const char extra_key[], const char extra_value[])
{
  StepRecord *s;

  PetscFunctionBeginUser;
  PetscCheck(table.nsteps < INPUT_MAX_STEPS, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT " (<protocol>): the protocol expands to more than the %d steps spot runs", table.doc, table.line, INPUT_MAX_STEPS);
  if (table.nsteps == table.cap_steps) {
    table.cap_steps = table.cap_steps ? 2 * table.cap_steps : 64;
    PetscCall(PetscRealloc(sizeof(StepRecord) * table.cap_steps, &table.steps));
  }
  s            = &table.steps[table.nsteps++];
  s->tmpl      = tmpl;
  s->line      = line;
  s->cycle     = cycle;
  s->what      = Intern(what);
  s->type      = Intern(type);
  s->extra_key = extra_key ? Intern(extra_key) : NULL;
  PetscCheck(s->what && s->type && (!extra_key || s->extra_key), PETSC_COMM_SELF, PETSC_ERR_PLIB, "step strings must be known to Intern()");
  PetscCall(PetscStrncpy(s->extra_value, extra_value ? extra_value : "", sizeof(s->extra_value)));
  PetscCall(PetscStrncpy(s->name, name ? name : "", sizeof(s->name)));
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepCount(PetscInt *n)
{
  PetscBool set;

  PetscFunctionBeginUser;
  *n = table.nsteps;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-proto_nsteps", n, &set)); /* the command line may cut a protocol short, or make one */
  PetscFunctionReturn(0);
}

/* The value of step i's key in the table (not the options): *value NULL when absent, *line and
   *what where it comes from */
static void Lookup(PetscInt i, const char key[], const char **value, PetscInt *line, const char **what, char cycle[], size_t len)
{
  const StepRecord *s;

  *value = NULL;
  if (i < 0 || i >= table.nsteps) return;
  s     = &table.steps[i];
  *line = s->line;
  *what = s->what;
  if (!strcmp(key, "type")) *value = s->type;
  else if (!strcmp(key, "cycle")) {
    snprintf(cycle, len, "%" PetscInt_FMT, s->cycle);
    *value = cycle;
  } else if (!strcmp(key, "name") && s->name[0]) *value = s->name;
  else if (s->extra_key && !strcmp(key, s->extra_key)) *value = s->extra_value;
  if (*value || s->tmpl < 0) return;
  for (PetscInt e = 0; e < table.templates[s->tmpl].n; ++e) {
    const StepEntry *entry = &table.templates[s->tmpl].entries[e];
    if (strcmp(entry->key, key)) continue;
    *value = entry->value;
    *line  = entry->line;
    *what  = entry->what;
    return;
  }
}

PetscErrorCode InputStepGetString(PetscInt i, const char key[], char value[], size_t len, PetscBool *set)
{
  char        option[96], cycle[32];
  const char *v, *what;
  PetscInt    line;

  PetscFunctionBeginUser;
  *set = PETSC_FALSE;
  if (!table.nsteps || command_line_steps) { /* a long protocol from a document skips 15 lookups a step */
    PetscCall(PetscSNPrintf(option, sizeof(option), "-proto_%" PetscInt_FMT "_%s", i, key));
    PetscCall(PetscOptionsGetString(NULL, NULL, option, value, len, set));
    if (*set) PetscFunctionReturn(0);
  }
  Lookup(i, key, &v, &line, &what, cycle, sizeof(cycle));
  if (!v) PetscFunctionReturn(0);
  /* cut, "999...9 min" (400 digits) would lose its unit and read as a finite number of seconds */
  PetscCheck(strlen(v) < len, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT " (%s): the %s of step %" PetscInt_FMT " is %zu characters long, more than the %zu spot reads ('%.20s...')", table.doc, line, what, key, i, strlen(v), len - 1, v);
  PetscCall(PetscStrncpy(value, v, len));
  *set = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepWhere(PetscInt i, const char key[], char where[], size_t len)
{
  char        option[96], cycle[32];
  const char *v, *what = "step";
  PetscInt    line = table.line;
  PetscBool   set;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(option, sizeof(option), "-proto_%" PetscInt_FMT "_%s", i, key));
  set = PETSC_FALSE;
  if (!table.nsteps || command_line_steps) PetscCall(PetscOptionsHasName(NULL, NULL, option, &set));
  if (set || i >= table.nsteps) {
    PetscCall(InputOptionWhere(option, where, len));
    PetscFunctionReturn(0);
  }
  Lookup(i, key, &v, &line, &what, cycle, sizeof(cycle));
  PetscCall(PetscSNPrintf(where, len, "%s:%" PetscInt_FMT " (%s)", table.doc, line, what));
  PetscFunctionReturn(0);
}

PetscErrorCode InputStepGetQuantity(PetscInt i, const char key[], UnitKind kind, PetscReal *value, PetscBool *set)
{
  char      text[256], name[96], where[PETSC_MAX_PATH_LEN];
  PetscBool flg;

  PetscFunctionBeginUser;
  PetscCall(InputStepGetString(i, key, text, sizeof(text), &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(name, sizeof(name), "-proto_%" PetscInt_FMT "_%s", i, key));
  PetscCall(InputStepWhere(i, key, where, sizeof(where)));
  PetscCall(InputParseQuantity(name, where, text, kind, value));
  PetscFunctionReturn(0);
}
