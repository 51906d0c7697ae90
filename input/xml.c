/* XML input: validate against the shipped schema, then feed the options database.

   The root element chooses the schema: <spot> (spot.xsd), <compare> and <fit> (compare.xsd).
   Mapping of <spot> (sections → option prefixes): mesh → -mesh_, material → -phys_, initial →
   -init_, protocol → -proto_, output → -out_, solver → -solver_. In other documents a section
   <s> of root <r> maps to -r_s_.
   - an attribute a of element e at path p:   -<prefix>_<p>_a value        (unit excluded)
   - a leaf element at path p with text t:     -<prefix>_<p> "t unit"       (converted when read)
   - protocol steps are numbered in document order, cycles and the gitt/pitt macros expanded:
         -proto_nsteps N, -proto_<i>_type cc|cv|rest, -proto_<i>_cycle k, -proto_<i>_<leaf> ...
   - <solver><petsc_options> is inserted as raw PETSc options.
   Paths (leaves or attributes named file, table, directory, image, stack, timestamps, checkpoint
   or ending in _file) are made relative to the working directory of the run.
   Options already set (the command line) are never overridden. */
#include "input/input.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <string.h>
#include <ctype.h>

extern const char *const spot_schema_names[]; /* the input/ schema files, compiled in */
extern const char *const spot_schema_texts[];

typedef struct {
  char name[128];
  char where[PETSC_MAX_PATH_LEN];
  int  load; /* which InputLoadXML call set it (a process may load the same document again) */
} OptionSource;

static OptionSource *sources     = NULL;
static PetscInt      num_sources = 0, max_sources = 0;
static int           current_load = 0;
static char          doc_dir[PETSC_MAX_PATH_LEN] = ".";
static char          doc_name[PETSC_MAX_PATH_LEN] = "";

/* The text of a compiled-in schema, by file name ("spot.xsd", "compare.xsd", ...) */
PetscErrorCode InputSchemaText(const char name[], const char **xsd)
{
  PetscFunctionBeginUser;
  *xsd = NULL;
  for (int i = 0; spot_schema_names[i]; ++i)
    if (!strcmp(spot_schema_names[i], name)) *xsd = spot_schema_texts[i];
  PetscCheck(*xsd, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONG, "no compiled-in schema %s", name);
  PetscFunctionReturn(0);
}

/* The schema of a document, by its root element: <spot> → spot.xsd, <compare>/<fit> → compare.xsd */
static const char *SchemaForRoot(const char root[])
{
  if (!strcmp(root, "spot")) return "spot.xsd";
  if (!strcmp(root, "compare") || !strcmp(root, "fit")) return "compare.xsd";
  return NULL;
}

PetscErrorCode InputGetDocumentDirectory(const char **dir)
{
  PetscFunctionBeginUser;
  *dir = doc_dir;
  PetscFunctionReturn(0);
}

static PetscErrorCode RecordSource(const char name[], const char where[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < num_sources; ++i) {
    if (!strcmp(sources[i].name, name)) {
      PetscCall(PetscStrncpy(sources[i].where, where, sizeof(sources[i].where)));
      sources[i].load = current_load;
      PetscFunctionReturn(0);
    }
  }
  if (num_sources == max_sources) {
    OptionSource *more;
    max_sources = max_sources ? 2 * max_sources : 64;
    PetscCall(PetscMalloc1(max_sources, &more));
    if (num_sources) PetscCall(PetscArraycpy(more, sources, num_sources));
    PetscCall(PetscFree(sources));
    sources = more;
  }
  PetscCall(PetscStrncpy(sources[num_sources].name, name, sizeof(sources[num_sources].name)));
  PetscCall(PetscStrncpy(sources[num_sources].where, where, sizeof(sources[num_sources].where)));
  sources[num_sources].load = current_load;
  ++num_sources;
  PetscFunctionReturn(0);
}

/* "in.xml:12 (<alpha>)" for options from the document, "option -phys_alpha" otherwise */
PetscErrorCode InputOptionWhere(const char name[], char where[], size_t len)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < num_sources; ++i) {
    if (!strcmp(sources[i].name, name)) {
      PetscCall(PetscStrncpy(where, sources[i].where, len));
      PetscFunctionReturn(0);
    }
  }
  PetscCall(PetscSNPrintf(where, len, "option %s", name));
  PetscFunctionReturn(0);
}

/* Set an option unless it is already set (the command line wins) */
PetscErrorCode InputSetOption(const char name[], const char value[], const char where[])
{
  PetscBool has;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsHasName(NULL, NULL, name, &has));
  if (has) PetscFunctionReturn(0);
  PetscCall(PetscOptionsSetValue(NULL, name, value));
  if (where) PetscCall(RecordSource(name, where));
  PetscFunctionReturn(0);
}

/* ---- libxml2 adapter: the first error, with its line, becomes a PETSc user error ---- */
typedef struct {
  char message[1024];
  int  count;
} XMLErrors;

static void CollectXMLError(void *ctx, xmlErrorPtr err)
{
  XMLErrors *errors = (XMLErrors *)ctx;
  size_t     n;

  if (!err || err->level < XML_ERR_ERROR || errors->count++) return;
  if (snprintf(errors->message, sizeof(errors->message), "%s:%d: %s", doc_name, err->line, err->message ? err->message : "invalid XML") >= (int)sizeof(errors->message)) errors->message[sizeof(errors->message) - 1] = 0;
  n = strlen(errors->message);
  while (n && (errors->message[n - 1] == '\n' || errors->message[n - 1] == ' ')) errors->message[--n] = 0;
}

static int IsPathName(const char name[])
{
  static const char *const paths[] = {"file", "table", "directory", "image", "stack", "timestamps", "checkpoint", NULL};
  const size_t             n       = strlen(name);

  for (int i = 0; paths[i]; ++i)
    if (!strcmp(name, paths[i])) return 1;
  return n > 5 && !strcmp(name + n - 5, "_file");
}

/* Relative paths in the document are relative to the document's folder */
static PetscErrorCode ResolvePath(const char value[], char out[], size_t len)
{
  PetscFunctionBeginUser;
  if (value[0] == '/' || !strcmp(doc_dir, ".")) PetscCall(PetscStrncpy(out, value, len));
  else PetscCall(PetscSNPrintf(out, len, "%s/%s", doc_dir, value));
  PetscFunctionReturn(0);
}

static void Trim(char s[])
{
  size_t n = strlen(s), i = 0;
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = 0;
  while (s[i] && isspace((unsigned char)s[i])) ++i;
  if (i) memmove(s, s + i, n - i + 1);
}

/* The unit= of a leaf, checked (NULL when it has none; free it with xmlFree) */
static PetscErrorCode LeafUnit(xmlNodePtr node, const char where[], xmlChar **unit, UnitKind *kind)
{
  PetscBool known;

  PetscFunctionBeginUser;
  *unit = xmlGetProp(node, (const xmlChar *)"unit");
  if (!*unit) PetscFunctionReturn(0);
  PetscCall(UnitParse((const char *)*unit, kind, &known));
  if (!known) {
    char msg[512];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s: unknown unit '%s' on <%s>", where, (const char *)*unit, (const char *)node->name));
    xmlFree(*unit);
    *unit = NULL;
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s", msg);
  }
  PetscFunctionReturn(0);
}

/* Convert the text of a leaf to internal units: each number of a list is converted */
static PetscErrorCode ConvertLeaf(xmlNodePtr node, const char text[], char out[], size_t len, const char where[])
{
  xmlChar *unit;
  char     buf[4096], *tok, *save = NULL;
  size_t   used = 0;
  UnitKind kind;

  PetscFunctionBeginUser;
  PetscCall(LeafUnit(node, where, &unit, &kind));
  if (!unit) {
    PetscCall(PetscStrncpy(out, text, len));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrncpy(buf, text, sizeof(buf)));
  out[0] = 0;
  for (tok = strtok_r(buf, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) {
    char     *end;
    PetscReal v = strtod(tok, &end), internal;
    PetscBool ok;
    PetscCheck(end != tok && !*end, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> expects numbers, got '%s'", where, (const char *)node->name, tok);
    PetscCall(UnitToInternal((const char *)unit, kind, v, &internal, &ok));
    used += (size_t)snprintf(out + used, len - used, "%s%.17g", used ? "," : "", (double)internal);
    PetscCheck(used < len, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> has too many values", where, (const char *)node->name);
  }
  xmlFree(unit);
  PetscFunctionReturn(0);
}

/* The text of a leaf as an option value: its numbers, comma separated, then its unit, which
   the reader of the option converts (so "0.02 C" stays a C-rate, "0.5 A/m2" a current density) */
static PetscErrorCode LeafWithUnit(xmlNodePtr node, const char text[], char out[], size_t len, const char where[])
{
  xmlChar *unit;
  char     buf[4096], *tok, *save = NULL;
  size_t   used = 0;
  UnitKind kind;

  PetscFunctionBeginUser;
  PetscCall(LeafUnit(node, where, &unit, &kind));
  if (!unit) {
    PetscCall(PetscStrncpy(out, text, len));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrncpy(buf, text, sizeof(buf)));
  out[0] = 0;
  for (tok = strtok_r(buf, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) used += (size_t)snprintf(out + used, len > used ? len - used : 0, "%s%s", used ? "," : "", tok);
  used += (size_t)snprintf(out + used, len > used ? len - used : 0, " %s", (const char *)unit);
  xmlFree(unit);
  PetscCheck(used < len, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> has too many values", where, (const char *)node->name);
  PetscFunctionReturn(0);
}

static PetscBool HasElementChildren(xmlNodePtr node)
{
  for (xmlNodePtr c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return PETSC_TRUE;
  return PETSC_FALSE;
}

static PetscErrorCode SetFromXML(const char option[], const char value[], xmlNodePtr node, const char what[])
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (%s)", doc_name, (long)xmlGetLineNo(node), what));
  for (PetscInt i = 0; i < num_sources; ++i) /* one value per option and document */
    if (sources[i].load == current_load && !strcmp(sources[i].name, option) && !strncmp(sources[i].where, doc_name, strlen(doc_name)) && sources[i].where[strlen(doc_name)] == ':')
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s is given twice (also at %s)", where, what, sources[i].where);
  PetscCall(InputSetOption(option, value, where));
  PetscFunctionReturn(0);
}

static PetscBool Skipped(const char *const skip[], const xmlChar *name)
{
  for (int i = 0; skip && skip[i]; ++i)
    if (!strcmp(skip[i], (const char *)name)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Walk an element: its attributes and leaves (but those named in skip) become options under prefix */
static PetscErrorCode MapElementSkipping(xmlNodePtr node, const char prefix[], const char *const skip[])
{
  PetscFunctionBeginUser;
  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    char     option[256], value[PETSC_MAX_PATH_LEN], what[160];
    xmlChar *v;
    if (Skipped(skip, a->name)) continue;
    v = xmlNodeGetContent((xmlNodePtr)a);
    PetscCall(PetscSNPrintf(option, sizeof(option), "-%s_%s", prefix, (const char *)a->name));
    PetscCall(PetscSNPrintf(what, sizeof(what), "attribute %s of <%s>", (const char *)a->name, (const char *)node->name));
    if (IsPathName((const char *)a->name)) PetscCall(ResolvePath((const char *)v, value, sizeof(value)));
    else PetscCall(PetscStrncpy(value, (const char *)v, sizeof(value)));
    xmlFree(v);
    Trim(value);
    PetscCall(SetFromXML(option, value, node, what));
  }
  for (xmlNodePtr c = node->children; c; c = c->next) {
    char sub[256];
    if (c->type != XML_ELEMENT_NODE || Skipped(skip, c->name)) continue;
    PetscCall(PetscSNPrintf(sub, sizeof(sub), "%s_%s", prefix, (const char *)c->name));
    char     text[4096];
    xmlChar *content = xmlNodeGetContent(c);
    PetscCall(PetscStrncpy(text, content ? (const char *)content : "", sizeof(text)));
    if (content) xmlFree(content);
    Trim(text);
    if (HasElementChildren(c) || (!text[0] && c->properties)) {
      PetscCall(MapElementSkipping(c, sub, NULL)); /* a container: its attributes (unit included) become options */
    } else {
      char option[300], value[4096], where[PETSC_MAX_PATH_LEN], what[160];
      PetscCall(PetscSNPrintf(option, sizeof(option), "-%s", sub));
      PetscCall(PetscSNPrintf(what, sizeof(what), "<%s>", (const char *)c->name));
      PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (%s)", doc_name, (long)xmlGetLineNo(c), what));
      if (IsPathName((const char *)c->name)) PetscCall(ResolvePath(text, value, sizeof(value)));
      else PetscCall(LeafWithUnit(c, text, value, sizeof(value), where));
      PetscCall(SetFromXML(option, value, c, what));
      if (c->properties) { /* attributes of a leaf other than unit: -<sub>_<attr> */
        for (xmlAttrPtr a = c->properties; a; a = a->next) {
          char     aopt[320];
          xmlChar *v;
          if (!strcmp((const char *)a->name, "unit")) continue;
          v = xmlNodeGetContent((xmlNodePtr)a);
          PetscCall(PetscSNPrintf(aopt, sizeof(aopt), "-%s_%s", sub, (const char *)a->name));
          PetscCall(SetFromXML(aopt, (const char *)v, c, what));
          xmlFree(v);
        }
      }
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MapElement(xmlNodePtr node, const char prefix[])
{
  PetscFunctionBeginUser;
  PetscCall(MapElementSkipping(node, prefix, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode MapStep(xmlNodePtr step, PetscInt index, PetscInt cycle)
{
  char prefix[64], option[96], value[32];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "proto_%" PetscInt_FMT, index));
  PetscCall(PetscSNPrintf(option, sizeof(option), "-%s_type", prefix));
  PetscCall(SetFromXML(option, (const char *)step->name, step, "step"));
  PetscCall(PetscSNPrintf(option, sizeof(option), "-%s_cycle", prefix));
  PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, cycle));
  PetscCall(SetFromXML(option, value, step, "step"));
  PetscCall(MapElement(step, prefix));
  PetscFunctionReturn(0);
}

static xmlNodePtr Child(xmlNodePtr node, const char name[])
{
  for (xmlNodePtr c = node->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name)) return c;
  return NULL;
}

/* The text of leaf child name in internal units (its unit= converted) */
static PetscErrorCode ChildValue(xmlNodePtr node, const char name[], char value[], size_t len)
{
  xmlNodePtr c = Child(node, name);
  xmlChar   *content;
  char       text[256], where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(c, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld: <%s> needs <%s>", doc_name, (long)xmlGetLineNo(node), (const char *)node->name, name);
  content = xmlNodeGetContent(c);
  PetscCall(PetscStrncpy(text, content ? (const char *)content : "", sizeof(text)));
  if (content) xmlFree(content);
  Trim(text);
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (<%s>)", doc_name, (long)xmlGetLineNo(c), name));
  PetscCall(ConvertLeaf(c, text, value, len, where));
  PetscFunctionReturn(0);
}

static PetscErrorCode SetStepOption(PetscInt index, const char key[], const char value[], xmlNodePtr node, const char what[])
{
  char option[96];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(option, sizeof(option), "-proto_%" PetscInt_FMT "_%s", index, key));
  PetscCall(SetFromXML(option, value, node, what));
  PetscFunctionReturn(0);
}

/* <gitt pulses="N" direction=...>: N × (cc for <pulse>, rest for <relaxation>); the current
   and any cut-offs of <gitt> go to every pulse */
static PetscErrorCode MapGitt(xmlNodePtr g, PetscInt *nsteps, PetscInt cycle)
{
  static const char *const skip[] = {"pulses", "pulse", "relaxation", "name", NULL};
  xmlChar                 *np     = xmlGetProp(g, (const xmlChar *)"pulses");
  long                     n      = np ? strtol((const char *)np, NULL, 10) : 0;
  char                     pulse[64], relax[64], value[96];

  PetscFunctionBeginUser;
  if (np) xmlFree(np);
  PetscCall(ChildValue(g, "pulse", pulse, sizeof(pulse)));
  PetscCall(ChildValue(g, "relaxation", relax, sizeof(relax)));
  for (long k = 1; k <= n; ++k) {
    char prefix[64];
    PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "proto_%" PetscInt_FMT, *nsteps));
    PetscCall(SetStepOption(*nsteps, "type", "cc", g, "gitt pulse"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, cycle));
    PetscCall(SetStepOption(*nsteps, "cycle", value, g, "gitt pulse"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "gitt pulse %ld", k));
    PetscCall(SetStepOption(*nsteps, "name", value, g, "gitt pulse"));
    PetscCall(SetStepOption(*nsteps, "duration", pulse, g, "gitt pulse"));
    PetscCall(MapElementSkipping(g, prefix, skip));
    ++*nsteps;
    PetscCall(SetStepOption(*nsteps, "type", "rest", g, "gitt relaxation"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, cycle));
    PetscCall(SetStepOption(*nsteps, "cycle", value, g, "gitt relaxation"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "gitt rest %ld", k));
    PetscCall(SetStepOption(*nsteps, "name", value, g, "gitt relaxation"));
    PetscCall(SetStepOption(*nsteps, "duration", relax, g, "gitt relaxation"));
    ++*nsteps;
  }
  PetscFunctionReturn(0);
}

/* <pitt>: <steps> N cv holds at start_voltage + k voltage_step, k = 0 … N−1, each ending at the
   cut-offs of <pitt> */
static PetscErrorCode MapPitt(xmlNodePtr g, PetscInt *nsteps, PetscInt cycle)
{
  static const char *const skip[] = {"start_voltage", "voltage_step", "steps", "name", NULL};
  char                     v0[64], dv[64], n[64], value[96];

  PetscFunctionBeginUser;
  PetscCall(ChildValue(g, "start_voltage", v0, sizeof(v0)));
  PetscCall(ChildValue(g, "voltage_step", dv, sizeof(dv)));
  PetscCall(ChildValue(g, "steps", n, sizeof(n)));
  for (long k = 0; k < strtol(n, NULL, 10); ++k) {
    char prefix[64];
    PetscCall(PetscSNPrintf(prefix, sizeof(prefix), "proto_%" PetscInt_FMT, *nsteps));
    PetscCall(SetStepOption(*nsteps, "type", "cv", g, "pitt step"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, cycle));
    PetscCall(SetStepOption(*nsteps, "cycle", value, g, "pitt step"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "pitt %ld", k + 1));
    PetscCall(SetStepOption(*nsteps, "name", value, g, "pitt step"));
    PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", strtod(v0, NULL) + (double)k * strtod(dv, NULL)));
    PetscCall(SetStepOption(*nsteps, "voltage", value, g, "pitt step"));
    PetscCall(MapElementSkipping(g, prefix, skip));
    ++*nsteps;
  }
  PetscFunctionReturn(0);
}

/* One element of <protocol> or <cycle>: a step or a macro */
static PetscErrorCode MapProtocolItem(xmlNodePtr c, PetscInt *nsteps, PetscInt cycle)
{
  PetscFunctionBeginUser;
  if (!strcmp((const char *)c->name, "gitt")) PetscCall(MapGitt(c, nsteps, cycle));
  else if (!strcmp((const char *)c->name, "pitt")) PetscCall(MapPitt(c, nsteps, cycle));
  else PetscCall(MapStep(c, (*nsteps)++, cycle));
  PetscFunctionReturn(0);
}

static PetscErrorCode MapProtocol(xmlNodePtr protocol)
{
  PetscInt nsteps = 0, ncycles = 0;
  char     value[32];

  PetscFunctionBeginUser;
  for (xmlNodePtr c = protocol->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!strcmp((const char *)c->name, "cycle")) {
      xmlChar *r      = xmlGetProp(c, (const xmlChar *)"repeat");
      long     repeat = r ? strtol((const char *)r, NULL, 10) : 1;
      if (r) xmlFree(r);
      for (long k = 0; k < repeat; ++k) {
        ++ncycles;
        for (xmlNodePtr s = c->children; s; s = s->next)
          if (s->type == XML_ELEMENT_NODE) PetscCall(MapProtocolItem(s, &nsteps, ncycles));
      }
    } else PetscCall(MapProtocolItem(c, &nsteps, 0));
  }
  PetscCall(PetscSNPrintf(value, sizeof(value), "%" PetscInt_FMT, nsteps));
  PetscCall(SetFromXML("-proto_nsteps", value, protocol, "<protocol>"));
  PetscFunctionReturn(0);
}

/* <petsc_options>: "-a 1 -b -c x" → options, without overriding the command line */
static PetscErrorCode MapPetscOptions(xmlNodePtr node)
{
  xmlChar *content = xmlNodeGetContent(node);
  char     text[4096], *tok, *save = NULL, *pending = NULL, where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(text, content ? (const char *)content : "", sizeof(text)));
  if (content) xmlFree(content);
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (<petsc_options>)", doc_name, (long)xmlGetLineNo(node)));
  for (tok = strtok_r(text, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    PetscBool is_name = (tok[0] == '-' && (isalpha((unsigned char)tok[1]) || tok[1] == '_')) ? PETSC_TRUE : PETSC_FALSE;
    if (is_name) {
      if (pending) PetscCall(InputSetOption(pending, NULL, where));
      pending = tok;
    } else {
      PetscCheck(pending, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: '%s' is not a PETSc option name (options start with '-')", where, tok);
      PetscCall(InputSetOption(pending, tok, where));
      pending = NULL;
    }
  }
  if (pending) PetscCall(InputSetOption(pending, NULL, where));
  PetscFunctionReturn(0);
}

static const char *SectionPrefix(const char name[])
{
  static const char *const map[][2] = {
    {"mesh",     "mesh"  },
    {"material", "phys"  },
    {"initial",  "init"  },
    {"protocol", "proto" },
    {"output",   "out"   },
    {"solver",   "solver"},
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); ++i)
    if (!strcmp(name, map[i][0])) return map[i][1];
  return NULL;
}

PetscErrorCode InputLoadXML(MPI_Comm comm, const char path[])
{
  XMLErrors              errors = {{0}, 0};
  xmlDocPtr              doc;
  xmlSchemaParserCtxtPtr pctx;
  xmlSchemaPtr           schema;
  xmlSchemaValidCtxtPtr  vctx;
  const char            *slash, *xsd;
  int                    invalid;

  PetscFunctionBeginUser;
  PetscCall(InputCheckReadable(comm, path, "input file"));
  ++current_load;
  PetscCall(PetscStrncpy(doc_name, path, sizeof(doc_name)));
  slash = strrchr(path, '/');
  if (slash) {
    PetscCall(PetscStrncpy(doc_dir, path, PetscMin((size_t)(slash - path) + 1, sizeof(doc_dir))));
    if (!doc_dir[0]) PetscCall(PetscStrncpy(doc_dir, "/", sizeof(doc_dir)));
  } else PetscCall(PetscStrncpy(doc_dir, ".", sizeof(doc_dir)));

  xmlSetStructuredErrorFunc(&errors, CollectXMLError);
  doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
  xmlSetStructuredErrorFunc(NULL, NULL);
  if (!doc || errors.count) {
    char msg[1024];
    PetscCall(PetscStrncpy(msg, errors.count ? errors.message : "not a readable XML document", sizeof(msg)));
    if (doc) xmlFreeDoc(doc);
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }

  {
    const char *root = (const char *)xmlDocGetRootElement(doc)->name, *schema_name = SchemaForRoot(root);
    if (!schema_name) {
      char msg[512];
      PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s:%ld: the document is a <%s>; spot reads <spot> (spot run) and <compare> or <fit> documents", doc_name, (long)xmlGetLineNo(xmlDocGetRootElement(doc)), root));
      xmlFreeDoc(doc);
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
    }
    PetscCall(InputSchemaText(schema_name, &xsd));
  }
  pctx = xmlSchemaNewMemParserCtxt(xsd, (int)strlen(xsd));
  PetscCheck(pctx, comm, PETSC_ERR_LIB, "libxml2 could not create a schema parser");
  schema = xmlSchemaParse(pctx);
  xmlSchemaFreeParserCtxt(pctx);
  PetscCheck(schema, comm, PETSC_ERR_LIB, "a built-in schema (input/*.xsd) does not parse");
  vctx = xmlSchemaNewValidCtxt(schema);
  xmlSchemaSetValidStructuredErrors(vctx, CollectXMLError, &errors);
  invalid = xmlSchemaValidateDoc(vctx, doc);
  xmlSchemaFreeValidCtxt(vctx);
  xmlSchemaFree(schema);
  if (invalid) {
    char msg[1024];
    PetscCall(PetscStrncpy(msg, errors.count ? errors.message : "document does not follow the schema", sizeof(msg)));
    xmlFreeDoc(doc);
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }

  for (xmlNodePtr s = xmlDocGetRootElement(doc)->children; s; s = s->next) {
    const char    *prefix;
    char           other[128];
    PetscErrorCode ierr;
    if (s->type != XML_ELEMENT_NODE) continue;
    if (!strcmp((const char *)xmlDocGetRootElement(doc)->name, "spot")) prefix = SectionPrefix((const char *)s->name);
    else { /* <compare> and <fit>: -<root>_<section>_... */
      PetscCall(PetscSNPrintf(other, sizeof(other), "%s_%s", (const char *)xmlDocGetRootElement(doc)->name, (const char *)s->name));
      prefix = other;
    }
    if (!prefix) continue; /* the schema admits only known sections */
    if (!strcmp(prefix, "proto")) ierr = MapProtocol(s);
    else {
      ierr = 0;
      for (xmlNodePtr c = s->children; c && !ierr; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "petsc_options")) ierr = MapPetscOptions(c);
      if (!ierr) {
        /* petsc_options is not mapped as a leaf */
        xmlNodePtr po = NULL;
        for (xmlNodePtr c = s->children; c; c = c->next)
          if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "petsc_options")) po = c;
        if (po) xmlUnlinkNode(po);
        ierr = MapElement(s, prefix);
        if (po) xmlFreeNode(po);
      }
    }
    if (ierr) {
      xmlFreeDoc(doc);
      PetscCall(ierr);
    }
  }
  xmlFreeDoc(doc);
  PetscFunctionReturn(0);
}
