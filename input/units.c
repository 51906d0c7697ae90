/* Units: conversion of user quantities to spot's internal units.

   internal = value * factor + offset, with
   length µm, time s, diffusivity µm²/s, concentration mol/m³, current A, current density A/m²,
   potential V, temperature K, C-rate 1/h, resistance Ω, area resistance Ω·m², capacity A·s.
   Spellings are normalised first: spaces dropped, µ/μ → u, ² → 2, ³ → 3, ^ dropped, · → '.' */
#include "input/input.h"
#include <ctype.h>
#include <string.h>

const char *const UnitKindNames[] = {"dimensionless", "length", "time", "diffusivity", "concentration", "current", "current density", "potential", "temperature", "C-rate", "resistance", "area resistance", "capacity", "voltage rate", NULL};

typedef struct {
  const char *name;
  UnitKind    kind;
  PetscReal   factor, offset;
} UnitEntry;

static const UnitEntry units[] = {
  {"1", UNIT_NONE, 1, 0},
  {"m", UNIT_LENGTH, 1e6, 0},
  {"mm", UNIT_LENGTH, 1e3, 0},
  {"um", UNIT_LENGTH, 1, 0},
  {"micron", UNIT_LENGTH, 1, 0},
  {"nm", UNIT_LENGTH, 1e-3, 0},
  {"angstrom", UNIT_LENGTH, 1e-4, 0},
  {"pm", UNIT_LENGTH, 1e-6, 0},
  {"s", UNIT_TIME, 1, 0},
  {"ms", UNIT_TIME, 1e-3, 0},
  {"min", UNIT_TIME, 60, 0},
  {"h", UNIT_TIME, 3600, 0},
  {"m2/s", UNIT_DIFFUSIVITY, 1e12, 0},
  {"cm2/s", UNIT_DIFFUSIVITY, 1e8, 0},
  {"mm2/s", UNIT_DIFFUSIVITY, 1e6, 0},
  {"um2/s", UNIT_DIFFUSIVITY, 1, 0},
  {"mol/m3", UNIT_CONCENTRATION, 1, 0},
  {"mol/dm3", UNIT_CONCENTRATION, 1e3, 0},
  {"mol/L", UNIT_CONCENTRATION, 1e3, 0},
  {"mol/l", UNIT_CONCENTRATION, 1e3, 0},
  {"mol/cm3", UNIT_CONCENTRATION, 1e6, 0},
  {"A", UNIT_CURRENT, 1, 0},
  {"mA", UNIT_CURRENT, 1e-3, 0},
  {"uA", UNIT_CURRENT, 1e-6, 0},
  {"nA", UNIT_CURRENT, 1e-9, 0},
  {"pA", UNIT_CURRENT, 1e-12, 0},
  {"fA", UNIT_CURRENT, 1e-15, 0},
  {"A/m2", UNIT_CURRENT_DENSITY, 1, 0},
  {"A/cm2", UNIT_CURRENT_DENSITY, 1e4, 0},
  {"mA/cm2", UNIT_CURRENT_DENSITY, 10, 0},
  {"uA/cm2", UNIT_CURRENT_DENSITY, 1e-2, 0},
  {"V", UNIT_POTENTIAL, 1, 0},
  {"mV", UNIT_POTENTIAL, 1e-3, 0},
  {"K", UNIT_TEMPERATURE, 1, 0},
  {"degC", UNIT_TEMPERATURE, 1, 273.15},
  {"°C", UNIT_TEMPERATURE, 1, 273.15},
  {"C", UNIT_C_RATE, 1, 0},
  {"1/h", UNIT_C_RATE, 1, 0},
  {"ohm", UNIT_RESISTANCE, 1, 0},
  {"mohm", UNIT_RESISTANCE, 1e-3, 0},
  {"kohm", UNIT_RESISTANCE, 1e3, 0},
  {"ohm.m2", UNIT_AREA_RESISTANCE, 1, 0},
  {"ohm.cm2", UNIT_AREA_RESISTANCE, 1e-4, 0},
  {"As", UNIT_CAPACITY, 1, 0},
  {"V/s", UNIT_VOLTAGE_RATE, 1, 0},
  {"mV/s", UNIT_VOLTAGE_RATE, 1e-3, 0},
  {"uV/s", UNIT_VOLTAGE_RATE, 1e-6, 0},
  {"mV/min", UNIT_VOLTAGE_RATE, 1e-3 / 60, 0},
  {"mV/h", UNIT_VOLTAGE_RATE, 1e-3 / 3600, 0},
  {"Ah", UNIT_CAPACITY, 3600, 0},
  {"mAh", UNIT_CAPACITY, 3.6, 0},
};

static const char *const internal_names[] = {"1", "um", "s", "um2/s", "mol/m3", "A", "A/m2", "V", "K", "1/h", "ohm", "ohm.m2", "As", "V/s"};

/* Normalise a unit spelling into buf: drop blanks and '^', µ/μ → u, ²/³ → 2/3, '·', '*' → '.' */
static void UnitNormalise(const char in[], char buf[], size_t len)
{
  size_t j = 0;
  for (size_t i = 0; in[i] && j + 1 < len; ++i) {
    const unsigned char c = (unsigned char)in[i];
    if (isspace(c) || c == '^') continue;
    if (c == 0xC2 && (unsigned char)in[i + 1] == 0xB5) { buf[j++] = 'u'; ++i; continue; }                  /* µ micro sign */
    if (c == 0xCE && (unsigned char)in[i + 1] == 0xBC) { buf[j++] = 'u'; ++i; continue; }                  /* μ Greek mu */
    if (c == 0xC2 && (unsigned char)in[i + 1] == 0xB2) { buf[j++] = '2'; ++i; continue; }                  /* ² */
    if (c == 0xC2 && (unsigned char)in[i + 1] == 0xB3) { buf[j++] = '3'; ++i; continue; }                  /* ³ */
    if (c == 0xC2 && (unsigned char)in[i + 1] == 0xB7) { buf[j++] = '.'; ++i; continue; }                  /* · */
    if (c == 0xCE && (unsigned char)in[i + 1] == 0xA9) { memcpy(buf + j, "ohm", 3); j += 3; ++i; continue; } /* Ω */
    buf[j++] = (c == '*') ? '.' : (char)c;
  }
  buf[j] = 0;
}

static const UnitEntry *UnitLookup(const char unit[])
{
  char buf[64];
  UnitNormalise(unit, buf, sizeof(buf));
  if (!buf[0]) return &units[0];
  for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); ++i)
    if (!strcmp(buf, units[i].name)) return &units[i];
  return NULL;
}

PetscErrorCode UnitParse(const char unit[], UnitKind *kind, PetscBool *known)
{
  const UnitEntry *e = UnitLookup(unit);

  PetscFunctionBeginUser;
  *known = e ? PETSC_TRUE : PETSC_FALSE;
  *kind  = e ? e->kind : UNIT_NONE;
  PetscFunctionReturn(0);
}

/* ok is false when the unit is unknown or of another kind than expected */
PetscErrorCode UnitToInternal(const char unit[], UnitKind expected, PetscReal value, PetscReal *internal, PetscBool *ok)
{
  const UnitEntry *e = UnitLookup(unit ? unit : "");

  PetscFunctionBeginUser;
  *ok = (e && e->kind == expected) ? PETSC_TRUE : PETSC_FALSE;
  /* a bare number is already in internal units, whatever the kind */
  if (e == &units[0]) *ok = PETSC_TRUE;
  *internal = *ok ? (e == &units[0] ? value : value * e->factor + e->offset) : value;
  PetscFunctionReturn(0);
}

PetscErrorCode UnitInternalName(UnitKind kind, const char **name)
{
  PetscFunctionBeginUser;
  PetscCheck(kind >= 0 && kind < UNIT_NUM_KINDS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "Unknown unit kind %d", (int)kind);
  *name = internal_names[kind];
  PetscFunctionReturn(0);
}

/* Parse "60min", "60 min", "1e-14 cm2/s" or "0.5" (internal units); where and name for messages */
PetscErrorCode InputParseQuantity(const char name[], const char where[], const char text[], UnitKind kind, PetscReal *value)
{
  char       *end;
  const char *unit;
  PetscReal   v;
  PetscBool   ok;

  PetscFunctionBeginUser;
  v = strtod(text, &end);
  PetscCheck(end != text, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: expected a number%s%s for %s, got '%s'", where, kind ? " with an optional unit of " : "", kind ? UnitKindNames[kind] : "", name, text);
  PetscCheck(!PetscIsInfOrNanReal(v), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: expected a finite number for %s, got '%s'", where, name, text);
  unit = end;
  while (*unit == ' ' || *unit == '\t') ++unit;
  PetscCall(UnitToInternal(unit, kind, v, value, &ok));
  if (!ok) {
    const char *internal = NULL;
    PetscCall(UnitInternalName(kind, &internal));
    SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: unknown unit '%s' for %s, expected a unit of %s such as %s", where, unit, name, UnitKindNames[kind], internal);
  }
  PetscCheck(!PetscIsInfOrNanReal(*value), PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s is out of range in internal units for %s", where, text, name);
  PetscFunctionReturn(0);
}

static PetscErrorCode ParseQuantity(const char name[], const char text[], UnitKind kind, PetscReal *value)
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCall(InputParseQuantity(name, where, text, kind, value));
  PetscFunctionReturn(0);
}

PetscErrorCode InputGetQuantity(const char name[], UnitKind kind, PetscReal *value, PetscBool *set)
{
  char      text[256];
  PetscBool flg;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, name, text, sizeof(text), &flg));
  if (set) *set = flg;
  if (!flg) PetscFunctionReturn(0);
  PetscCall(ParseQuantity(name, text, kind, value));
  PetscFunctionReturn(0);
}

/* Comma-separated list; a unit after the last number applies to all ("0,5,10 min"), or each has its own */
PetscErrorCode InputParseQuantityList(const char name[], const char where[], const char text_in[], UnitKind kind, PetscReal values[], PetscInt *n)
{
  char    *text, *tok, *save = NULL, trailing[64] = "";
  PetscInt count = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscStrallocpy(text_in, &text));
  { /* a unit after the last number ("0,5,10 min") applies to every entry that has none */
    char *sp = strrchr(text, ' ');
    if (sp && !isdigit((unsigned char)sp[1]) && sp[1] != '-' && sp[1] != '.' && sp[1] != '+') {
      PetscCall(PetscStrncpy(trailing, sp + 1, sizeof(trailing)));
      *sp = 0;
    } else {
      char *p = text + strlen(text);
      while (p > text && !(isdigit((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == ',')) --p;
      PetscCall(PetscStrncpy(trailing, p, sizeof(trailing)));
      *p = 0;
    }
  }
  for (tok = strtok_r(text, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
    char      item[320];
    PetscReal v;
    if (values && count >= *n) {
      PetscCall(PetscFree(text));
      SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: too many values for %s (at most %" PetscInt_FMT ")", where, name, *n);
    }
    PetscCall(PetscSNPrintf(item, sizeof(item), "%s%s", tok, (isalpha((unsigned char)tok[strlen(tok) - 1]) ? "" : trailing)));
    PetscCall(InputParseQuantity(name, where, item, kind, &v));
    if (values) values[count] = v;
    ++count;
  }
  PetscCall(PetscFree(text));
  *n = count;
  PetscFunctionReturn(0);
}

PetscErrorCode InputGetQuantityArray(const char name[], UnitKind kind, PetscReal values[], PetscInt *n, PetscBool *set)
{
  const char *text;
  char        where[PETSC_MAX_PATH_LEN];
  PetscBool   flg;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsFindPair(NULL, NULL, name, &text, &flg));
  if (set) *set = flg;
  if (!flg) {
    *n = 0;
    PetscFunctionReturn(0);
  }
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(text && text[0], PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s needs a value", where, name);
  PetscCall(InputParseQuantityList(name, where, text, kind, values, n));
  PetscFunctionReturn(0);
}
