/* XML input: validate against the shipped schema, then feed the options database.

   The root element chooses the schema: <spot> (spot.xsd), <compare> and <fit> (compare.xsd).
   Mapping of <spot> (sections → option prefixes): mesh → -mesh_, material → -phys_, initial →
   -init_, protocol → -proto_, output → -out_, solver → -solver_. In other documents a section
   <s> of root <r> maps to -r_s_.
   - an attribute a of element e at path p:   -<prefix>_<p>_a value        (unit excluded)
   - a leaf element at path p with text t:     -<prefix>_<p> "t unit"       (converted when read)
   - protocol steps are numbered in document order, cycles and the gitt/pitt macros expanded,
     into the step table of input/steps.c (not options: PETSc's database holds 512 entries),
     where -proto_<i>_<key> options override them
   - no element's text may exceed INPUT_MAX_TEXT characters (nothing is cut silently)
   - <solver><petsc_options> is inserted as raw PETSc options, but none that makes PETSc read,
     run or write a file (a viewer destination such as ascii:/any/file): a document someone
     sends must not write outside the output directory.
   Paths (leaves or attributes named file, table, directory, image, stack, timestamps, checkpoint
   or ending in _file) are made relative to the working directory of the run.
   Options already set (the command line) are never overridden. */
#include "input/inputimpl.h"
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <math.h>

#define INPUT_MAX_TEXT (1 << 20) /* characters in one element */

extern const char *const spot_schema_names[]; /* the input/ schema files, compiled in */
extern const char *const spot_schema_texts[];

typedef struct {
  char  name[128];
  char  where[PETSC_MAX_PATH_LEN];
  char *value; /* as set (NULL: a flag) */
  int   load;  /* which InputLoadXML call set it (a process may load the same document again) */
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
  PetscCheck(*xsd, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "no compiled-in schema %s (spot schema prints spot.xsd or compare.xsd)", name);
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

static PetscErrorCode RecordSource(const char name[], const char value[], const char where[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < num_sources; ++i) {
    if (!strcmp(sources[i].name, name)) {
      PetscCall(PetscStrncpy(sources[i].where, where, sizeof(sources[i].where)));
      PetscCall(PetscFree(sources[i].value));
      if (value) PetscCall(PetscStrallocpy(value, &sources[i].value));
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
  sources[num_sources].value = NULL;
  if (value) PetscCall(PetscStrallocpy(value, &sources[num_sources].value));
  sources[num_sources].load = current_load;
  ++num_sources;
  PetscFunctionReturn(0);
}

PetscErrorCode InputCheckDocumentOptions(const char command[], PetscErrorCode (*check)(const char[], const char[], const char[], PetscBool))
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < num_sources; ++i) PetscCall((*check)(command, sources[i].name, sources[i].value, PETSC_TRUE));
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

/* Is the option set? Asked without marking it used (PETSc marks every option it is asked about),
   so that an option nothing reads is still found unused */
static PetscErrorCode IsSet(const char name[], PetscBool *has)
{
  PetscBool   was_used;
  const char *value;
  char       *copy = NULL;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsUsed(NULL, name + 1, &was_used));
  PetscCall(PetscOptionsFindPair(NULL, NULL, name, &value, has));
  if (*has && !was_used) { /* set it again, unused */
    if (value) PetscCall(PetscStrallocpy(value, &copy));
    PetscCall(PetscOptionsClearValue(NULL, name));
    PetscCall(PetscOptionsSetValue(NULL, name, copy));
    PetscCall(PetscFree(copy));
  }
  PetscFunctionReturn(0);
}

/* Set an option unless it is already set (the command line wins) */
PetscErrorCode InputSetOption(const char name[], const char value[], const char where[])
{
  PetscBool has;

  PetscFunctionBeginUser;
  PetscCall(IsSet(name, &has));
  if (has) PetscFunctionReturn(0);
  PetscCall(PetscOptionsSetValue(NULL, name, value));
  if (where) PetscCall(RecordSource(name, value, where));
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
  for (size_t i = 0; i < n; ++i) /* libxml2 quotes bytes and values across lines: one line, printable */
    if ((unsigned char)errors->message[i] < 0x20 || errors->message[i] == 0x7f) errors->message[i] = ' ';
}

static int IsPathName(const char name[])
{
  static const char *const paths[] = {"file", "table", "directory", "image", "stack", "timestamps", "checkpoint", "c_file", NULL};
  const size_t             n       = strlen(name);

  for (int i = 0; paths[i]; ++i)
    if (!strcmp(name, paths[i])) return 1;
  return n > 5 && !strcmp(name + n - 5, "_file");
}

/* Relative paths in the document are relative to the document's folder */
static PetscErrorCode ResolvePath(const char value[], char out[], size_t len)
{
  PetscFunctionBeginUser;
  const PetscBool absolute = (value[0] == '/' || !strcmp(doc_dir, ".")) ? PETSC_TRUE : PETSC_FALSE;

  PetscCheck(strlen(value) + (absolute ? 0 : strlen(doc_dir) + 1) < len, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: a path of %zu characters is longer than the %zu spot accepts", doc_name, strlen(value), len - 1);
  if (absolute) PetscCall(PetscStrncpy(out, value, len));
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

/* The trimmed text of an element, allocated (PetscFree it); longer than INPUT_MAX_TEXT is an error */
static PetscErrorCode NodeText(xmlNodePtr node, char **text)
{
  xmlChar *content = xmlNodeGetContent(node);
  size_t   n       = content ? strlen((const char *)content) : 0;

  PetscFunctionBeginUser;
  if (n > INPUT_MAX_TEXT) {
    const long line = (long)xmlGetLineNo(node);
    xmlFree(content);
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld (<%s>): its text is %zu characters long, more than the %d spot reads in one element", doc_name, line, (const char *)node->name, n, INPUT_MAX_TEXT);
  }
  PetscCall(PetscMalloc1(n + 1, text));
  memcpy(*text, content ? (const char *)content : "", n + 1);
  if (content) xmlFree(content);
  Trim(*text);
  PetscFunctionReturn(0);
}

/* Convert the text of a leaf to internal units: each number of a list is converted */
static PetscErrorCode ConvertLeaf(xmlNodePtr node, const char text[], char out[], size_t len, const char where[])
{
  xmlChar *unit;
  char    *buf, *tok, *save = NULL;
  size_t   used = 0;
  UnitKind kind;

  PetscFunctionBeginUser;
  PetscCall(LeafUnit(node, where, &unit, &kind));
  if (!unit) {
    PetscCheck(strlen(text) < len, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> is too long (at most %zu characters)", where, (const char *)node->name, len - 1);
    PetscCall(PetscStrncpy(out, text, len));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrallocpy(text, &buf));
  out[0] = 0;
  for (tok = strtok_r(buf, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) {
    char     *end;
    PetscReal v = strtod(tok, &end), internal;
    PetscBool ok, bad = (end == tok || *end || PetscIsInfOrNanReal(v)) ? PETSC_TRUE : PETSC_FALSE;
    if (bad) {
      char t[64];
      PetscCall(PetscStrncpy(t, tok, sizeof(t)));
      PetscCall(PetscFree(buf));
      xmlFree(unit);
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> expects finite numbers, got '%s'", where, (const char *)node->name, t);
    }
    PetscCall(UnitToInternal((const char *)unit, kind, v, &internal, &ok));
    used += (size_t)snprintf(out + used, len - used, "%s%.17g", used ? "," : "", (double)internal);
    if (used >= len) {
      PetscCall(PetscFree(buf));
      xmlFree(unit);
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: <%s> has too many values", where, (const char *)node->name);
    }
  }
  PetscCall(PetscFree(buf));
  xmlFree(unit);
  PetscFunctionReturn(0);
}

/* The text of a leaf as an option value (allocated): its numbers, comma separated, then its unit,
   which the reader of the option converts (so "0.02 C" stays a C-rate, "0.5 A/m2" a current density) */
static PetscErrorCode LeafWithUnit(xmlNodePtr node, const char text[], char **out, const char where[])
{
  xmlChar *unit;
  char    *buf, *tok, *save = NULL;
  size_t   used = 0, len;
  UnitKind kind;

  PetscFunctionBeginUser;
  PetscCall(LeafUnit(node, where, &unit, &kind));
  if (!unit) {
    PetscCall(PetscStrallocpy(text, out));
    PetscFunctionReturn(0);
  }
  len = strlen(text) + strlen((const char *)unit) + 2;
  PetscCall(PetscMalloc1(len, out));
  PetscCall(PetscStrallocpy(text, &buf));
  (*out)[0] = 0;
  for (tok = strtok_r(buf, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) used += (size_t)snprintf(*out + used, len - used, "%s%s", used ? "," : "", tok);
  snprintf(*out + used, len - used, " %s", (const char *)unit);
  xmlFree(unit);
  PetscCall(PetscFree(buf));
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

/* Where the values of an element go: options -<prefix>_<key>, or a template of the step table */
typedef struct {
  const char *prefix; /* NULL: the template */
  PetscInt    tmpl;
} Sink;

static PetscErrorCode Emit(const Sink *sink, const char key[], const char value[], xmlNodePtr node, const char what[])
{
  PetscFunctionBeginUser;
  if (sink->prefix) {
    char option[320];
    PetscCall(PetscSNPrintf(option, sizeof(option), "-%s_%s", sink->prefix, key));
    PetscCall(SetFromXML(option, value, node, what));
  } else PetscCall(InputStepsTemplateAdd(sink->tmpl, key, value, (PetscInt)xmlGetLineNo(node), what));
  PetscFunctionReturn(0);
}

static PetscBool Skipped(const char *const skip[], const xmlChar *name)
{
  for (int i = 0; skip && skip[i]; ++i)
    if (!strcmp(skip[i], (const char *)name)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Walk an element: its attributes and leaves (but those named in skip) go to the sink under their
   path below the element (rel: the path so far, "" at the top) */
static PetscErrorCode MapElementSkipping(xmlNodePtr node, const Sink *sink, const char rel[], const char *const skip[])
{
  PetscFunctionBeginUser;
  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    char     key[256], *value, what[160];
    xmlChar *v;
    if (Skipped(skip, a->name)) continue;
    v = xmlNodeGetContent((xmlNodePtr)a);
    PetscCall(PetscSNPrintf(key, sizeof(key), "%s%s%s", rel, rel[0] ? "_" : "", (const char *)a->name));
    PetscCall(PetscSNPrintf(what, sizeof(what), "attribute %s of <%s>", (const char *)a->name, (const char *)node->name));
    PetscCall(PetscMalloc1(PETSC_MAX_PATH_LEN, &value));
    if (IsPathName((const char *)a->name)) PetscCall(ResolvePath((const char *)v, value, PETSC_MAX_PATH_LEN));
    else PetscCall(PetscStrncpy(value, (const char *)v, PETSC_MAX_PATH_LEN));
    xmlFree(v);
    Trim(value);
    PetscCall(Emit(sink, key, value, node, what));
    PetscCall(PetscFree(value));
  }
  for (xmlNodePtr c = node->children; c; c = c->next) {
    char  sub[256], *text;
    if (c->type != XML_ELEMENT_NODE || Skipped(skip, c->name)) continue;
    PetscCall(PetscSNPrintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "_" : "", (const char *)c->name));
    PetscCall(NodeText(c, &text));
    if (HasElementChildren(c) || (!text[0] && c->properties)) {
      PetscCall(MapElementSkipping(c, sink, sub, NULL)); /* a container: its attributes (unit included) become options */
    } else {
      char  where[PETSC_MAX_PATH_LEN], what[160], *value;
      PetscCall(PetscSNPrintf(what, sizeof(what), "<%s>", (const char *)c->name));
      PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (%s)", doc_name, (long)xmlGetLineNo(c), what));
      if (IsPathName((const char *)c->name)) {
        PetscCall(PetscMalloc1(PETSC_MAX_PATH_LEN, &value));
        PetscCall(ResolvePath(text, value, PETSC_MAX_PATH_LEN));
      } else PetscCall(LeafWithUnit(c, text, &value, where));
      PetscCall(Emit(sink, sub, value, c, what));
      PetscCall(PetscFree(value));
      for (xmlAttrPtr a = c->properties; a; a = a->next) { /* attributes of a leaf other than unit: <sub>_<attr> */
        char     akey[320];
        xmlChar *v;
        if (!strcmp((const char *)a->name, "unit")) continue;
        v = xmlNodeGetContent((xmlNodePtr)a);
        PetscCall(PetscSNPrintf(akey, sizeof(akey), "%s_%s", sub, (const char *)a->name));
        PetscCall(Emit(sink, akey, (const char *)v, c, what));
        xmlFree(v);
      }
    }
    PetscCall(PetscFree(text));
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode MapElement(xmlNodePtr node, const char prefix[])
{
  Sink sink = {prefix, -1};

  PetscFunctionBeginUser;
  PetscCall(MapElementSkipping(node, &sink, "", NULL));
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
  char      *text, where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCheck(c, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld: <%s> needs <%s>", doc_name, (long)xmlGetLineNo(node), (const char *)node->name, name);
  PetscCall(NodeText(c, &text));
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (<%s>)", doc_name, (long)xmlGetLineNo(c), name));
  PetscCall(ConvertLeaf(c, text, value, len, where));
  PetscCall(PetscFree(text));
  PetscFunctionReturn(0);
}

/* ---- the protocol: steps into the step table (input/steps.c), never into the options ---- */

/* One element of <protocol> or <cycle>, read once and expanded as often as its cycle repeats:
   a step, <gitt> (pulses x (cc pulse, rest)) or <pitt> (steps cv holds) */
typedef struct {
  xmlNodePtr node;
  PetscInt   tmpl, line, count; /* its template, line, and how many steps one pass makes */
  char       a[40], b[40];      /* gitt: pulse and relaxation durations (s); pitt: start voltage and step (V) */
} ProtocolItem;

static PetscErrorCode PositiveCount(xmlNodePtr node, const char text[], const char what[], PetscInt *count)
{
  char  *end;
  double v = strtod(text, &end);

  PetscFunctionBeginUser;
  PetscCheck(end != text && !*end && v >= 1 && v == floor(v), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld (%s): expected a positive whole number, got '%s'", doc_name, (long)xmlGetLineNo(node), what, text);
  PetscCheck(v <= INPUT_MAX_STEPS, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld (%s): %s is more than the %d steps spot runs", doc_name, (long)xmlGetLineNo(node), what, text, INPUT_MAX_STEPS);
  *count = (PetscInt)v;
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadItem(xmlNodePtr c, ProtocolItem *item)
{
  static const char *const skip_gitt[] = {"pulses", "pulse", "relaxation", "name", NULL};
  static const char *const skip_pitt[] = {"start_voltage", "voltage_step", "steps", "name", NULL};
  const char              *kind        = (const char *)c->name;
  Sink                     sink        = {NULL, -1};

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(item, sizeof(*item)));
  item->node  = c;
  item->line  = (PetscInt)xmlGetLineNo(c);
  item->count = 1;
  PetscCall(InputStepsNewTemplate(&sink.tmpl));
  item->tmpl = sink.tmpl;
  if (!strcmp(kind, "gitt")) {
    xmlChar *np = xmlGetProp(c, (const xmlChar *)"pulses");
    char     text[64];
    PetscCall(PetscStrncpy(text, np ? (const char *)np : "", sizeof(text)));
    if (np) xmlFree(np);
    PetscCall(PositiveCount(c, text, "attribute pulses of <gitt>", &item->count));
    item->count *= 2;
    PetscCall(ChildValue(c, "pulse", item->a, sizeof(item->a)));
    PetscCall(ChildValue(c, "relaxation", item->b, sizeof(item->b)));
    PetscCall(MapElementSkipping(c, &sink, "", skip_gitt));
  } else if (!strcmp(kind, "pitt")) {
    char n[64];
    PetscCall(ChildValue(c, "start_voltage", item->a, sizeof(item->a)));
    PetscCall(ChildValue(c, "voltage_step", item->b, sizeof(item->b)));
    PetscCall(ChildValue(c, "steps", n, sizeof(n)));
    PetscCall(PositiveCount(Child(c, "steps"), n, "<steps>", &item->count));
    PetscCall(MapElementSkipping(c, &sink, "", skip_pitt));
  } else PetscCall(MapElementSkipping(c, &sink, "", NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExpandItem(const ProtocolItem *item, PetscInt cycle)
{
  const char *kind = (const char *)item->node->name;
  char        name[48], value[40];

  PetscFunctionBeginUser;
  if (!strcmp(kind, "gitt")) {
    for (PetscInt k = 1; 2 * k <= item->count; ++k) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "gitt pulse %" PetscInt_FMT, k));
      PetscCall(InputStepsAdd(item->tmpl, item->line, "gitt pulse", "cc", cycle, name, "duration", item->a));
      PetscCall(PetscSNPrintf(name, sizeof(name), "gitt rest %" PetscInt_FMT, k));
      PetscCall(InputStepsAdd(-1, item->line, "gitt relaxation", "rest", cycle, name, "duration", item->b));
    }
  } else if (!strcmp(kind, "pitt")) {
    for (PetscInt k = 0; k < item->count; ++k) {
      PetscCall(PetscSNPrintf(name, sizeof(name), "pitt %" PetscInt_FMT, k + 1));
      PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", strtod(item->a, NULL) + (double)k * strtod(item->b, NULL)));
      PetscCall(InputStepsAdd(item->tmpl, item->line, "pitt step", "cv", cycle, name, "voltage", value));
    }
  } else PetscCall(InputStepsAdd(item->tmpl, item->line, "step", kind, cycle, NULL, NULL, NULL));
  PetscFunctionReturn(0);
}

static PetscErrorCode MapProtocol(xmlNodePtr protocol)
{
  PetscInt ncycles = 0;
  double   total   = 0; /* steps, counted before any is made */

  PetscFunctionBeginUser;
  PetscCall(InputStepsReset(doc_name, (PetscInt)xmlGetLineNo(protocol)));
  for (xmlNodePtr c = protocol->children; c; c = c->next) {
    ProtocolItem *items = NULL;
    PetscInt      nitems = 0, repeat = 1;
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!strcmp((const char *)c->name, "cycle")) {
      xmlChar *r = xmlGetProp(c, (const xmlChar *)"repeat");
      char     text[64];
      PetscCall(PetscStrncpy(text, r ? (const char *)r : "", sizeof(text)));
      if (r) xmlFree(r);
      PetscCall(PositiveCount(c, text, "attribute repeat of <cycle>", &repeat));
      for (xmlNodePtr s = c->children; s; s = s->next) nitems += s->type == XML_ELEMENT_NODE;
      PetscCall(PetscCalloc1(nitems, &items));
      nitems = 0;
      for (xmlNodePtr s = c->children; s; s = s->next)
        if (s->type == XML_ELEMENT_NODE) PetscCall(ReadItem(s, &items[nitems++]));
    } else {
      PetscCall(PetscCalloc1(1, &items));
      PetscCall(ReadItem(c, &items[nitems++]));
      repeat = 0; /* not a cycle: cycle number 0 */
    }
    for (PetscInt i = 0; i < nitems; ++i) total += (double)PetscMax(repeat, 1) * (double)items[i].count;
    if (total > INPUT_MAX_STEPS) {
      const long line = (long)xmlGetLineNo(c);
      PetscCall(PetscFree(items));
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s:%ld (<%s>): the protocol expands to %.0f steps or more, more than the %d spot runs", doc_name, line, (const char *)c->name, total, INPUT_MAX_STEPS);
    }
    for (PetscInt k = 0; k < PetscMax(repeat, 1); ++k) {
      if (repeat) ++ncycles;
      for (PetscInt i = 0; i < nitems; ++i) PetscCall(ExpandItem(&items[i], repeat ? ncycles : 0));
    }
    PetscCall(PetscFree(items));
  }
  PetscFunctionReturn(0);
}

/* Options a document may not give PETSc: they read or run other programs or files, or write
   files of their own (the command line keeps them: the user typed it) */
static const char *const forbidden_options[] = {"-options_file", "-python", "-start_in_debugger", "-on_error_attach_debugger", "-on_error_emacs", "-debugger", "-stop_for_debugger", "-display", "-history", "-log_trace", "-info", "-viewer_", "-saws", "-malloc_dump", "-malloc_view", "-memory_view", "-objects_dump", "-log_mpe", "-log_perfstubs", "-petsc_ci", "-check_pointer_intensity", "-dlopen", "-mpi_linear_solver_server", NULL};

/* Words in the name of a PETSc option that writes (monitors, viewers, logs, dumps, trajectories
   write where they are told, and some, '-ts_monitor binary', into the working directory by
   default) or reads and runs something: a document may not give any such option */
static const char *const writing_words[] = {"monitor", "view", "draw", "trajectory", "save", "vtk", "output", "dump", "log", "history", "info", "debug", "options", "python", "viewer", NULL};

/* A PETSc viewer destination "type:file:format:mode" may name a file; "-a ascii:/x" or "-b :x" may not appear in a document */
static PetscErrorCode CheckDocumentOption(const char name[], const char value[], const char where[])
{
  char shown[80];

  PetscFunctionBeginUser;
  if (strlen(name) > 60) name = (snprintf(shown, sizeof(shown), "%.60s...", name), shown);
  for (int i = 0; forbidden_options[i]; ++i)
    PetscCheck(strncasecmp(name, forbidden_options[i], strlen(forbidden_options[i])), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s reads, runs or writes files outside spot's control, which a document may not ask for; give it on the command line", where, name);
  if (value) {
    const char *colon = strchr(value, ':');
    PetscBool   names_file = (strchr(value, '/') || (colon && colon[1] && colon[1] != ':')) ? PETSC_TRUE : PETSC_FALSE;
    PetscCheck(!names_file, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: '%s %.60s' names a file for PETSc to write, which a document may not do (spot writes only into its output directory); give it on the command line", where, name, value);
  }
  for (int i = 0; writing_words[i]; ++i) {
    char lower[80];
    for (size_t k = 0; k < sizeof(lower); ++k)
      if (!(lower[k] = (char)tolower((unsigned char)name[k]))) break;
    lower[sizeof(lower) - 1] = 0;
    PetscCheck(!strstr(lower, writing_words[i]), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s may write files (PETSc's monitors, viewers, logs and dumps write where they are told, some into the working directory), which a document may not ask for; give it on the command line", where, name);
  }
  PetscFunctionReturn(0);
}

/* <petsc_options>: "-a 1 -b -c x" → options, without overriding the command line */
static PetscErrorCode MapPetscOptions(xmlNodePtr node)
{
  char    *text, *tok, *save = NULL, *pending = NULL, where[PETSC_MAX_PATH_LEN];
  PetscInt count = 0;

  PetscFunctionBeginUser;
  PetscCall(NodeText(node, &text));
  PetscCall(PetscSNPrintf(where, sizeof(where), "%s:%ld (<petsc_options>)", doc_name, (long)xmlGetLineNo(node)));
  for (tok = strtok_r(text, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
    PetscBool is_name = (tok[0] == '-' && (isalpha((unsigned char)tok[1]) || tok[1] == '_')) ? PETSC_TRUE : PETSC_FALSE;
    if (is_name && ++count > 100) { /* PETSc's database holds 512 options in all */
      PetscCall(PetscFree(text));
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: more than 100 options; spot takes at most 100 from a document", where);
    }
    if (is_name) {
      if (pending) {
        PetscCall(CheckDocumentOption(pending, NULL, where));
        PetscCall(InputSetOption(pending, NULL, where));
      }
      pending = tok;
    } else {
      PetscCheck(pending, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: '%s' is not a PETSc option name (options start with '-')", where, tok);
      PetscCall(CheckDocumentOption(pending, tok, where));
      PetscCall(InputSetOption(pending, tok, where));
      pending = NULL;
    }
  }
  if (pending) {
    PetscCall(CheckDocumentOption(pending, NULL, where));
    PetscCall(InputSetOption(pending, NULL, where));
  }
  PetscCall(PetscFree(text));
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
    {"particles", "particles"},
  };
  for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); ++i)
    if (!strcmp(name, map[i][0])) return map[i][1];
  return NULL;
}

/* The document's bytes, whole (InputCheckFile bounded its size): a NUL byte is not XML, and libxml2
   reading a file stopped at one, running what came before it and ignoring the rest */
static PetscErrorCode ReadDocumentBytes(MPI_Comm comm, const char path[], char **bytes, size_t *n)
{
  FILE  *fp = fopen(path, "rb");
  long   size;
  char  *nul;

  PetscFunctionBeginUser;
  PetscCheck(fp, comm, PETSC_ERR_USER_INPUT, "cannot read input file '%s'", path);
  if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
    fclose(fp);
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "cannot read input file '%s'", path);
  }
  PetscCall(PetscMalloc1((size_t)size + 1, bytes));
  *n = fread(*bytes, 1, (size_t)size, fp);
  fclose(fp);
  (*bytes)[*n] = 0;
  nul = memchr(*bytes, 0, *n);
  if (nul) {
    const size_t offset = (size_t)(nul - *bytes);
    long         line   = 1;
    for (size_t i = 0; i < offset; ++i) line += (*bytes)[i] == '\n';
    PetscCall(PetscFree(*bytes));
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s:%ld: a NUL byte (at byte %zu): the document is not text; an XML document has none", path, line, offset);
  }
  PetscFunctionReturn(0);
}

/* version="N" of the root: this spot reads version 1 (a document without it is version 1); the
   document is freed when it is refused */
static PetscErrorCode CheckVersion(MPI_Comm comm, xmlDocPtr doc)
{
  xmlNodePtr root = xmlDocGetRootElement(doc);
  xmlChar   *v    = xmlGetProp(root, (const xmlChar *)"version");
  char       text[64], *end;
  long       version;
  const long line = (long)xmlGetLineNo(root);

  PetscFunctionBeginUser;
  if (!v) PetscFunctionReturn(0);
  PetscCall(PetscStrncpy(text, (const char *)v, sizeof(text)));
  xmlFree(v);
  Trim(text);
  version = strtol(text, &end, 10);
  if (end != text && !*end && version == 1) PetscFunctionReturn(0);
  {
    char msg[512];
    PetscCall(PetscSNPrintf(msg, sizeof(msg), "%s:%ld: <%s version=\"%.20s%s\">: this spot reads version 1 documents (spot schema prints their schema)", doc_name, line, (const char *)root->name, text, strlen(text) > 20 ? "..." : ""));
    xmlFreeDoc(doc);
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s", msg);
  }
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
  char                  *bytes;
  size_t                 nbytes = 0;

  PetscFunctionBeginUser;
  PetscCall(InputCheckFile(comm, path, "input file", (size_t)64 << 20)); /* 64 MB: far more than any input */
  ++current_load;
  PetscCall(PetscStrncpy(doc_name, path, sizeof(doc_name)));
  slash = strrchr(path, '/');
  if (slash) {
    PetscCall(PetscStrncpy(doc_dir, path, PetscMin((size_t)(slash - path) + 1, sizeof(doc_dir))));
    if (!doc_dir[0]) PetscCall(PetscStrncpy(doc_dir, "/", sizeof(doc_dir)));
  } else PetscCall(PetscStrncpy(doc_dir, ".", sizeof(doc_dir)));

  PetscCall(ReadDocumentBytes(comm, path, &bytes, &nbytes));
  xmlSetStructuredErrorFunc(&errors, CollectXMLError);
  doc = xmlReadMemory(bytes, (int)nbytes, path, NULL, XML_PARSE_NONET); /* the whole file: content after the root is an error */
  xmlSetStructuredErrorFunc(NULL, NULL);
  PetscCall(PetscFree(bytes));
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
    PetscCall(CheckVersion(comm, doc));
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
