/* Protocol engine: steps from -proto_ options, run one after another on the same state.

   cc      constant current. Under uniform kinetics the outward flux is uniform:
             N/c_max = |Ω| C f_cap / (3600 |∂Ω|)   (µm/s, |Ω| and |∂Ω| of the actual mesh);
           under Butler–Volmer the electrode potential V is solved with θ so that the mean
           current density is the set one. A current density i gives N = i/F; a current I,
           i = I/A_surface (3-D, or 2-D with -mesh_thickness). Charge delithiates.
   cv      hold the electrode potential V (Butler–Volmer only; a nonlinear Robin condition).
   rest    N = 0; the reported voltage is the surface mean of U(θ).

   Each step ends at the first of its cut-offs: its duration (the final time of the solve,
   hit exactly) or one of the TSEvent indicators below, located where they cross zero
   (to -ts_event_tol, default 1e-9 in the indicator's unit, or to -ts_event_dt_min, default 1e-6 s, in time):
     0 mean θ − θ_below          4 V_cell − V_below           (V_cell = V + I R_s)
     1 θ_above − mean θ          5 |i|/i_below − 1            (mean current density)
     2 min(θ, 1 − θ), cc step   6 capacity − |Δ mean θ|
     3 V_above − V_cell          7 |dV/dt|/rate − 1           (V from the last accepted step)
   A step runs as TSSolve segments of at most -solver_segment_steps (200) accepted steps; each
   segment restarts the multistep history and the events, exactly as a restarted run does
   from a checkpoint written between segments (solver/checkpoint.c), so restarts are exact.
   The solver keeps the cumulative counts. */
#include "solver/solverimpl.h"
#include "input/input.h"
#include "files/files.h"
#include <math.h>
#include <string.h>

const char *const StepTypes[] = {"cc", "cv", "rest", "StepType", "STEP_", NULL};
const char *const StepEnds[]  = {"none", "duration", "theta", "theta_limit", "voltage", "current", "capacity", "dvdt", "StepEnd", "END_", NULL};

#define NEVENTS 8
#define POPULATION_THETA_SLACK 1e-2
#define BV_THETA_SLACK 1e-3 /* Butler–Volmer stops the reaction at θ = 0 and 1 (PhysExchange); this is a safety net */
#define STALL_DT 1e-9  /* a time step this short relative to the step's elapsed time (or 1 s) ... */
#define STALL_STEPS 500 /* ... this many times in a row means the run stalls */

static PetscErrorCode StepWhere(PetscInt i, const char key[], char where[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(InputStepWhere(i, key, where, len));
  PetscFunctionReturn(0);
}

/* The choice of step i's key among the NULL-terminated list (*set false when absent; unknown: an error) */
static PetscErrorCode StepChoice(Solver s, PetscInt i, const char key[], const char *const list[], PetscInt *choice, PetscBool *set)
{
  char value[64], where[PETSC_MAX_PATH_LEN], known[256] = "";

  PetscFunctionBeginUser;
  PetscCall(InputStepGetString(i, key, value, sizeof(value), set));
  if (!*set) PetscFunctionReturn(0);
  for (PetscInt k = 0; list[k]; ++k) {
    if (!strcmp(value, list[k])) {
      *choice = k;
      PetscFunctionReturn(0);
    }
    PetscCall(PetscStrlcat(known, k ? ", " : "", sizeof(known)));
    PetscCall(PetscStrlcat(known, list[k], sizeof(known)));
  }
  PetscCall(StepWhere(i, key, where, sizeof(where)));
  SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " has %s '%s'; expected one of %s", where, i + 1, key, value, known);
}

/* The out-of-plane thickness of a 2-D particle in µm, 0 if not given */
static PetscErrorCode Thickness(PetscReal *thickness)
{
  PetscBool set;

  PetscFunctionBeginUser;
  *thickness = 0;
  PetscCall(InputGetQuantity("-mesh_thickness", UNIT_LENGTH, thickness, &set));
  if (!set) *thickness = 0;
  PetscFunctionReturn(0);
}

/* Area of the active surface in m² (3-D, or 2-D with -mesh_thickness), 0 if unknown */
static PetscErrorCode SurfaceAreaM2(Solver s, PetscReal *area)
{
  PetscReal thickness;

  PetscFunctionBeginUser;
  PetscCall(Thickness(&thickness));
  *area = (s->info.dim == 3 ? s->info.surface : s->info.surface * thickness) * 1e-12;
  PetscFunctionReturn(0);
}

/* Particle volume in m³ (3-D, or 2-D with -mesh_thickness), 0 if unknown */
static PetscErrorCode VolumeM3(Solver s, PetscReal *volume)
{
  PetscReal thickness;

  PetscFunctionBeginUser;
  PetscCall(Thickness(&thickness));
  *volume = (s->info.dim == 3 ? s->info.volume : s->info.volume * thickness) * 1e-18;
  PetscFunctionReturn(0);
}

/* Mean current density (A/m²) that moves the mean θ by rate per second */
static PetscReal RateToCurrentDensity(Solver s, PetscReal rate, PetscReal c_max)
{
  return rate * s->info.volume / s->info.surface * 1e-6 * c_max * FARADAY;
}

/* A current given as a C-rate, a current (A) or a current density (A/m²), as A/m² (> 0) */
static PetscErrorCode CurrentLike(Solver s, PetscInt step, const char key[], PetscReal *i, PetscBool *set)
{
  char      text[128], *unit, where[PETSC_MAX_PATH_LEN];
  PetscReal v, c_max, f_cap, area;
  UnitKind  kind;
  PetscBool known, ok;

  PetscFunctionBeginUser;
  PetscCall(InputStepGetString(step, key, text, sizeof(text), set));
  if (!*set) PetscFunctionReturn(0);
  PetscCall(StepWhere(step, key, where, sizeof(where)));
  v = strtod(text, &unit);
  while (*unit == ' ') ++unit;
  PetscCall(UnitParse(unit, &kind, &known));
  PetscCheck(unit != text && *unit && known && (kind == UNIT_C_RATE || kind == UNIT_CURRENT || kind == UNIT_CURRENT_DENSITY) && !PetscIsInfOrNanReal(v), s->comm, PETSC_ERR_USER_INPUT, "%s: expected a finite current as a C-rate (C), a current (A, mA, ...) or a current density (A/m2, mA/cm2, ...), got '%s'", where, text);
  PetscCall(UnitToInternal(unit, kind, v, &v, &ok));
  PetscCheck(v > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the current must be positive, got '%s'", where, text);
  PetscCall(PhysicsGetCMax(s->phys, &c_max));
  PetscCall(PhysicsGetCapacityFactor(s->phys, &f_cap));
  switch (kind) {
  case UNIT_C_RATE:
    *i = RateToCurrentDensity(s, v * f_cap / 3600.0, c_max);
    break;
  case UNIT_CURRENT:
    PetscCall(SurfaceAreaM2(s, &area));
    PetscCheck(area > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: a current in A needs the particle's thickness in 2-D (<mesh><thickness> or -mesh_thickness); or give a C-rate or a current density", where);
    *i = v / area;
    break;
  default:
    *i = v;
  }
  PetscFunctionReturn(0);
}

/* Reads step i's cut-offs */
static PetscErrorCode StepCutoffs(Solver s, StepSpec *st, PetscInt i)
{
  char      where[PETSC_MAX_PATH_LEN], text[64];
  PetscBool set;

  PetscFunctionBeginUser;
  st->duration      = PETSC_MAX_REAL;
  st->theta_below   = NAN;
  st->theta_above   = NAN;
  st->voltage_above = NAN;
  st->voltage_below = NAN;
  st->current_below = NAN;
  st->capacity      = NAN;
  st->dvdt_below    = NAN;
  PetscCall(InputStepGetQuantity(i, "duration", UNIT_TIME, &st->duration, &set));
  PetscCall(StepWhere(i, "duration", where, sizeof(where)));
  PetscCheck(!set || st->duration > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: duration must be positive, got %g s", where, (double)st->duration);
  if (!set) st->duration = PETSC_MAX_REAL;
  PetscCall(InputStepGetQuantity(i, "theta_below", UNIT_NONE, &st->theta_below, &set));
  PetscCall(StepWhere(i, "theta_below", where, sizeof(where)));
  PetscCheck(!set || (st->theta_below >= 0 && st->theta_below <= 1), s->comm, PETSC_ERR_USER_INPUT, "%s: theta_below must be in [0, 1], got %g", where, (double)st->theta_below);
  PetscCall(InputStepGetQuantity(i, "theta_above", UNIT_NONE, &st->theta_above, &set));
  PetscCall(StepWhere(i, "theta_above", where, sizeof(where)));
  PetscCheck(!set || (st->theta_above >= 0 && st->theta_above <= 1), s->comm, PETSC_ERR_USER_INPUT, "%s: theta_above must be in [0, 1], got %g", where, (double)st->theta_above);
  PetscCall(InputStepGetQuantity(i, "voltage_above", UNIT_POTENTIAL, &st->voltage_above, NULL));
  PetscCall(InputStepGetQuantity(i, "voltage_below", UNIT_POTENTIAL, &st->voltage_below, NULL));
  PetscCall(CurrentLike(s, i, "current_below", &st->current_below, &set));
  PetscCall(InputStepGetString(i, "capacity", text, sizeof(text), &set));
  if (set) { /* Ah, mAh, As (needs the particle's volume); a bare number is a fraction of the capacity */
    char     *unit;
    PetscReal v = strtod(text, &unit), volume = 0, c_max, f_cap;
    UnitKind  kind;
    PetscBool known, ok;
    PetscCall(StepWhere(i, "capacity", where, sizeof(where)));
    while (*unit == ' ') ++unit;
    PetscCall(UnitParse(unit, &kind, &known));
    PetscCheck(unit != text && (!*unit || (known && kind == UNIT_CAPACITY)), s->comm, PETSC_ERR_USER_INPUT, "%s: capacity needs a unit of charge (Ah, mAh, As) or no unit (a fraction of the capacity), got '%s'", where, text);
    PetscCheck(v > 0 && !PetscIsInfOrNanReal(v), s->comm, PETSC_ERR_USER_INPUT, "%s: capacity must be positive and finite, got '%s'", where, text);
    PetscCall(PhysicsGetCMax(s->phys, &c_max));
    PetscCall(PhysicsGetCapacityFactor(s->phys, &f_cap));
    if (*unit) {
      PetscCall(UnitToInternal(unit, kind, v, &v, &ok));
      PetscCall(VolumeM3(s, &volume));
      PetscCheck(volume > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: a capacity in Ah needs the particle's thickness in 2-D (<mesh><thickness>); or give it as a fraction", where);
      st->capacity = v / (FARADAY * c_max * volume);
    } else st->capacity = v * f_cap;
  }
  PetscCall(InputStepGetQuantity(i, "dvdt_below", UNIT_VOLTAGE_RATE, &st->dvdt_below, &set));
  PetscCall(StepWhere(i, "dvdt_below", where, sizeof(where)));
  PetscCheck(!set || st->dvdt_below > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: dvdt_below must be positive, got %g V/s", where, (double)st->dvdt_below);
  PetscFunctionReturn(0);
}

/* A step must be able to end: with what it does, at least one cut-off must be reachable */
static PetscErrorCode StepCheckEnds(Solver s, StepSpec *st, PetscInt i)
{
  char      where[PETSC_MAX_PATH_LEN];
  PetscBool ocp;

  PetscFunctionBeginUser;
  PetscCall(StepWhere(i, "type", where, sizeof(where)));
  PetscCall(PhysicsHasOCP(s->phys, &ocp));
  if (!PetscIsNanReal(st->voltage_above) || !PetscIsNanReal(st->voltage_below) || !PetscIsNanReal(st->dvdt_below)) PetscCheck(ocp, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) has a voltage cut-off, which needs an open-circuit potential (<material><ocp>)", where, i + 1, st->name);
  if (st->duration < PETSC_MAX_REAL) PetscFunctionReturn(0);
  switch (st->type) {
  case STEP_REST:
    PetscCheck(!PetscIsNanReal(st->dvdt_below), s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: a rest keeps the mean theta constant, so it needs a duration or dvdt_below", where, i + 1, st->name);
    break;
  case STEP_CV:
    PetscCheck(!PetscIsNanReal(st->current_below) || !PetscIsNanReal(st->capacity) || !PetscIsNanReal(st->theta_below) || !PetscIsNanReal(st->theta_above), s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: give a duration or a cut-off (current_below, capacity, theta_below, theta_above)", where, i + 1, st->name);
    break;
  case STEP_CC: {
    const PetscBool down = st->theta_rate > 0 ? PETSC_TRUE : PETSC_FALSE;
    const PetscBool any  = !PetscIsNanReal(st->capacity) || (down && !PetscIsNanReal(st->theta_below)) || (!down && !PetscIsNanReal(st->theta_above)) || (down && !PetscIsNanReal(st->voltage_above)) || (!down && !PetscIsNanReal(st->voltage_below));
    PetscCheck(any, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: a %s moves the mean theta %s and the voltage %s, so it needs a duration, capacity, theta_%s or voltage_%s", where, i + 1, st->name, down ? "charge" : "discharge", down ? "down" : "up", down ? "up" : "down", down ? "below" : "above", down ? "above" : "below");
  } break;
  default:
    SETERRQ(s->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown step type");
  }
  PetscFunctionReturn(0);
}

/* What step i does: its current (cc) or voltage (cv) */
static PetscErrorCode StepAction(Solver s, StepSpec *st, PetscInt i)
{
  const PetscReal vol = s->info.volume, surf = s->info.surface;
  PetscReal       c_max, f_cap, area_m2, i_set = 0, value;
  PetscBool       has_rate, has_current, has_density, set;
  PetscInt        dir = 0, nset;
  char            where[PETSC_MAX_PATH_LEN];
  const char     *dirs[] = {"charge", "discharge", NULL};
  Kinetics        kin;

  PetscFunctionBeginUser;
  PetscCall(PhysicsGetCMax(s->phys, &c_max));
  PetscCall(PhysicsGetCapacityFactor(s->phys, &f_cap));
  PetscCall(PhysicsGetKinetics(s->phys, &kin));
  PetscCall(SurfaceAreaM2(s, &area_m2));
  st->c_rate = st->current_density = st->theta_rate = st->flux = st->current = 0;
  st->voltage = NAN;
  PetscCall(StepWhere(i, "type", where, sizeof(where)));
  if (st->type == STEP_REST) PetscFunctionReturn(0);
  if (st->type == STEP_CV) {
    PetscReal R;
    PetscCall(InputStepGetQuantity(i, "voltage", UNIT_POTENTIAL, &st->voltage, &set));
    PetscCheck(set, s->comm, PETSC_ERR_USER_INPUT, "%s: a cv step needs the voltage to hold (<voltage unit=\"V\">)", where);
    PetscCheck(kin == KINETICS_BUTLER_VOLMER, s->comm, PETSC_ERR_USER_INPUT, "%s: a cv step needs Butler-Volmer kinetics: give <material><ocp> and <material><exchange_current>", where);
    PetscCall(PhysicsSeriesResistance(s->phys, &R, NULL));
    PetscCheck(R == 0, s->comm, PETSC_ERR_USER_INPUT, "%s: a cv step with a series resistance is not supported (the held voltage would depend on the current); remove <series_resistance>", where);
    PetscFunctionReturn(0); /* a hold beyond the OCP range is allowed: it saturates the surface */
  }
  PetscCall(StepChoice(s, i, "direction", dirs, &dir, &set));
  PetscCheck(set, s->comm, PETSC_ERR_USER_INPUT, "%s: a cc step needs direction=\"charge\" or \"discharge\" (-proto_%" PetscInt_FMT "_direction)", where, i);
  PetscCall(InputStepGetQuantity(i, "c_rate", UNIT_C_RATE, &value, &has_rate));
  if (has_rate) i_set = RateToCurrentDensity(s, value * f_cap / 3600.0, c_max);
  PetscCall(InputStepGetQuantity(i, "current_density", UNIT_CURRENT_DENSITY, &value, &has_density));
  if (has_density) i_set = value;
  PetscCall(InputStepGetQuantity(i, "current", UNIT_CURRENT, &value, &has_current));
  if (has_current) {
    PetscCall(StepWhere(i, "current", where, sizeof(where)));
    PetscCheck(area_m2 > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: a current in A needs the particle's thickness in 2-D (<mesh><thickness> or -mesh_thickness); or give c_rate or current_density", where);
    i_set = value / area_m2;
  }
  nset = (PetscInt)has_rate + (PetscInt)has_density + (PetscInt)has_current;
  PetscCheck(nset == 1, s->comm, PETSC_ERR_USER_INPUT, "%s: a cc step needs exactly one of c_rate, current, current_density (found %" PetscInt_FMT ")", where, nset);
  PetscCall(StepWhere(i, has_rate ? "c_rate" : (has_density ? "current_density" : "current"), where, sizeof(where)));
  PetscCheck(i_set > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the current of a cc step must be positive (the direction sets its sign), got %g", where, (double)value);
  if (dir == 1) i_set = -i_set;
  st->current_density = i_set;
  st->flux            = i_set / FARADAY / c_max * 1e6;
  st->theta_rate      = st->flux * surf / vol;
  st->c_rate          = st->theta_rate * 3600.0 / f_cap;
  st->current         = area_m2 > 0 ? i_set * area_m2 : NAN;
  st->butler_volmer   = kin == KINETICS_BUTLER_VOLMER ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode ProtocolCreateFromOptions(Solver s, Protocol *out)
{
  Protocol p;
  PetscInt n = 0;
  char     where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputStepCount(&n));
  PetscCall(InputOptionWhere("-proto_nsteps", where, sizeof(where)));
  PetscCheck(n > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the protocol has no steps", where);
  PetscCheck(n <= 1000000, s->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " steps is more than the 1000000 spot runs", where, n);
  PetscCall(PetscNew(&p));
  p->nsteps = n;
  PetscCall(PetscCalloc1(n, &p->steps));
  for (PetscInt i = 0; i < n; ++i) {
    StepSpec               *st      = &p->steps[i];
    static const char *const types[] = {"cc", "cv", "rest", NULL};
    char                     text[64];
    PetscInt                 type = 0;
    PetscBool                set;

    st->index = i;
    PetscCall(StepWhere(i, "type", where, sizeof(where)));
    PetscCall(StepChoice(s, i, "type", types, &type, &set));
    PetscCheck(set, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " has no type (-proto_%" PetscInt_FMT "_type cc|cv|rest)", where, i + 1, i);
    st->type = (StepType)type;
    PetscCall(InputStepGetString(i, "cycle", text, sizeof(text), &set));
    if (set) {
      char *end;
      st->cycle = (PetscInt)strtol(text, &end, 10);
      PetscCall(StepWhere(i, "cycle", where, sizeof(where)));
      PetscCheck(end != text && !*end && st->cycle >= 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the cycle of step %" PetscInt_FMT " must be a whole number >= 0, got '%s'", where, i + 1, text);
    }
    PetscCall(InputStepGetString(i, "name", st->name, sizeof(st->name), &set));
    PetscCall(StepAction(s, st, i));
    if (!set) {
      if (st->type == STEP_CV) PetscCall(PetscSNPrintf(st->name, sizeof(st->name), "cv %.4g V", (double)st->voltage));
      else PetscCall(PetscSNPrintf(st->name, sizeof(st->name), "%s%s", StepTypes[st->type], st->type == STEP_CC ? (st->theta_rate > 0 ? " charge" : " discharge") : ""));
    }
    PetscCall(StepCutoffs(s, st, i));
    PetscCall(StepCheckEnds(s, st, i));
  }
  *out = p;
  PetscFunctionReturn(0);
}

PetscErrorCode ProtocolDestroy(Protocol *p)
{
  PetscFunctionBeginUser;
  if (!*p) PetscFunctionReturn(0);
  PetscCall(PetscFree((*p)->steps));
  PetscCall(PetscFree(*p));
  PetscFunctionReturn(0);
}

PetscErrorCode ProtocolGetSteps(Protocol p, PetscInt *n, const StepSpec **steps)
{
  PetscFunctionBeginUser;
  *n     = p->nsteps;
  *steps = p->steps;
  PetscFunctionReturn(0);
}

static PetscErrorCode AppendEnd(char ends[], size_t len, const char fmt[], double v)
{
  size_t n = strlen(ends);

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(ends + n, len - n, "%s", n ? " or " : "at "));
  n = strlen(ends);
  PetscCall(PetscSNPrintf(ends + n, len - n, fmt, v));
  PetscFunctionReturn(0);
}

PetscErrorCode ProtocolView(Protocol p, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "protocol: %" PetscInt_FMT " step%s\n", p->nsteps, p->nsteps == 1 ? "" : "s"));
  for (PetscInt i = 0; i < p->nsteps && i < 20; ++i) {
    const StepSpec *st = &p->steps[i];
    char            ends[256] = "";
    if (st->duration < PETSC_MAX_REAL) PetscCall(PetscSNPrintf(ends, sizeof(ends), "after %g s", (double)st->duration));
    if (!PetscIsNanReal(st->theta_below)) PetscCall(AppendEnd(ends, sizeof(ends), "mean theta <= %g", st->theta_below));
    if (!PetscIsNanReal(st->theta_above)) PetscCall(AppendEnd(ends, sizeof(ends), "mean theta >= %g", st->theta_above));
    if (!PetscIsNanReal(st->voltage_above)) PetscCall(AppendEnd(ends, sizeof(ends), "V >= %g V", st->voltage_above));
    if (!PetscIsNanReal(st->voltage_below)) PetscCall(AppendEnd(ends, sizeof(ends), "V <= %g V", st->voltage_below));
    if (!PetscIsNanReal(st->current_below)) PetscCall(AppendEnd(ends, sizeof(ends), "|i| <= %g A/m^2", st->current_below));
    if (!PetscIsNanReal(st->capacity)) PetscCall(AppendEnd(ends, sizeof(ends), "|d theta| >= %g", st->capacity));
    if (!PetscIsNanReal(st->dvdt_below)) PetscCall(AppendEnd(ends, sizeof(ends), "|dV/dt| <= %g V/s", st->dvdt_below));
    if (st->type == STEP_CC) PetscCall(PetscViewerASCIIPrintf(viewer, "  %2" PetscInt_FMT ". %-16s C-rate %.4g (%.4g A/m^2%s), ends %s\n", i + 1, st->name, (double)PetscAbsReal(st->c_rate), (double)PetscAbsReal(st->current_density), st->butler_volmer ? ", Butler-Volmer" : ", uniform flux", ends));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "  %2" PetscInt_FMT ". %-16s ends %s\n", i + 1, st->name, ends));
  }
  if (p->nsteps > 20) PetscCall(PetscViewerASCIIPrintf(viewer, "  ... %" PetscInt_FMT " more\n", p->nsteps - 20));
  PetscFunctionReturn(0);
}

/* ---- running ---- */

PetscErrorCode SolverNotify(Solver s, SolverEvent e)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < s->nmonitors; ++i) PetscCall((*s->monitor[i])(s, e, &s->state, s->theta, s->monitor_ctx[i]));
  PetscFunctionReturn(0);
}

/* Set the surface for the step */
static PetscErrorCode StepApply(Solver s, const StepSpec *st)
{
  PetscFunctionBeginUser;
  switch (st->type) {
  case STEP_CC:
    if (st->butler_volmer) PetscCall(SolverSetGalvanostatic(s, st->current_density));
    else PetscCall(SolverSetFlux(s, st->flux));
    break;
  case STEP_CV:
    PetscCall(SolverSetPotentiostatic(s, st->voltage));
    break;
  case STEP_REST: { /* at open circuit the particles of a population still trade lithium through the
                      current collector: no net current, each particle at the one potential */
    Kinetics kin;
    PetscCall(PhysicsGetKinetics(s->phys, &kin));
    if (s->particles.n > 1 && kin == KINETICS_BUTLER_VOLMER && s->surface) PetscCall(SolverSetGalvanostatic(s, 0));
    else PetscCall(SolverSetFlux(s, 0));
  } break;
  default:
    SETERRQ(s->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown step type");
  }
  PetscFunctionReturn(0);
}

/* Voltage, current and cell voltage of the state U */
static PetscErrorCode Electro(Solver s, Vec U, PetscReal *V, PetscReal *i, PetscReal *Vcell)
{
  PetscReal R, area_m2;
  PetscBool specific;

  PetscFunctionBeginUser;
  PetscCall(SolverElectrochemistry(s, U, V, i, NULL, NULL));
  PetscCall(PhysicsSeriesResistance(s->phys, &R, &specific));
  if (R == 0) *Vcell = *V;
  else if (specific) *Vcell = *V + *i * R;
  else {
    PetscCall(SurfaceAreaM2(s, &area_m2));
    *Vcell = area_m2 > 0 ? *V + *i * area_m2 * R : NAN;
  }
  PetscFunctionReturn(0);
}

/* Fill the state for the current solution U at t */
static PetscErrorCode UpdateState(Solver s, PetscReal t, Vec U)
{
  PetscReal area_m2, f_cap;

  PetscFunctionBeginUser;
  s->state.t = t;
  PetscCall(SolverMeanTheta(s, U, &s->state.mean_theta));
  PetscCall(Electro(s, U, &s->state.voltage, &s->state.current_density, &s->state.cell_voltage));
  PetscCall(SurfaceAreaM2(s, &area_m2));
  PetscCall(PhysicsGetCapacityFactor(s->phys, &f_cap));
  s->state.current         = area_m2 > 0 ? s->state.current_density * area_m2 : NAN;
  s->state.c_rate          = s->state.current_density * s->info.surface / s->info.volume * 1e6 / (FARADAY * s->c_max_cached) * 3600.0 / f_cap;
  s->state.capacity_step   = s->mean_at_step_start - s->state.mean_theta;
  s->state.inventory_error = (s->state.mean_theta - s->expected_mean) / s->mean_theta0;
  PetscFunctionReturn(0);
}

/* Has any rank received SIGINT or SIGTERM? (every rank learns it at the same time step) */
static PetscErrorCode CheckInterrupt(Solver s)
{
  PetscInt sig = FileSignalReceived();

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sig, 1, MPIU_INT, MPI_MAX, s->comm));
  if (sig && !s->interrupted) s->interrupted = sig;
  PetscFunctionReturn(0);
}

static PetscErrorCode Monitor(TS ts, PetscInt stepnum, PetscReal t, Vec U, void *ctx)
{
  Solver          s  = (Solver)ctx;
  const StepSpec *st = s->state.step;
  PetscReal       dt;

  PetscFunctionBeginUser;
  if (t <= s->last_monitor_t) PetscFunctionReturn(0); /* start of a solve, or after a rollback */
  dt          = t - s->last_monitor_t;
  s->state.dt = dt;
  /* a run that only creeps forward would never end: stop it with the reason */
  s->tiny_steps = dt < STALL_DT * PetscMax(1.0, t - s->state.t_step_start) ? s->tiny_steps + 1 : 0;
  if (s->tiny_steps >= STALL_STEPS) {
    PetscReal lo, hi;
    PetscCall(VecMin(U, NULL, &lo));
    PetscCall(VecMax(U, NULL, &hi));
    SETERRQ(s->comm, PETSC_ERR_NOT_CONVERGED, "step %" PetscInt_FMT " (%s) stalled at t = %g s: %d time steps in a row shorter than %g s (V = %.4f V, theta in [%.6f, %.6f])%s", s->current_step + 1, st->name, (double)t, STALL_STEPS, (double)(STALL_DT * PetscMax(1.0, t - s->state.t_step_start)), (double)s->state.voltage, (double)lo, (double)hi,
            (lo <= 0 || hi >= 1) ? "; theta reached 0 or 1 (a saturated surface: add a voltage cut-off or lower the rate; or the oscillation of a consistent mass next to a front: refine the mesh there or use P1 with mass lumping)" : "; try looser -solver_rtol/-solver_atol");
  }
  s->state.ts_steps++;
  s->last_monitor_t = t;
  { /* the inventory the protocol accounts for: exact for cc and rest, trapezoidal in the measured current for cv */
    PetscReal V, i, Vcell, rate;
    PetscCall(Electro(s, U, &V, &i, &Vcell));
    if (st->type == STEP_CV) rate = 0.5 * (i + s->i_prev) * s->info.surface / s->info.volume * 1e6 / (FARADAY * s->c_max_cached);
    else rate = st->theta_rate;
    s->expected_mean -= rate * dt;
    s->i_prev = i;
  }
  PetscCall(UpdateState(s, t, U));
  s->state.progress = PetscMin(1.0, (s->progress_done + t - s->state.t_step_start) / PetscMax(s->progress_done + s->progress_remaining, 1e-30));
  PetscCall(SolverNotify(s, SOLVER_EVENT_TIMESTEP));
  s->V_prev = s->state.cell_voltage;
  s->t_prev = t;
  PetscCall(CheckInterrupt(s));
  if (s->interrupted) PetscCall(TSSetConvergedReason(ts, TS_CONVERGED_USER)); /* TSSolve returns after this step */
  PetscFunctionReturn(0);
}

static PetscErrorCode EventIndicators(TS ts, PetscReal t, Vec U, PetscScalar f[], void *ctx)
{
  Solver          s  = (Solver)ctx;
  const StepSpec *st = s->state.step;
  PetscReal       mean, lo, hi, V = NAN, i = 0, Vcell = NAN;
  const PetscBool need_electro = !PetscIsNanReal(st->voltage_above) || !PetscIsNanReal(st->voltage_below) || !PetscIsNanReal(st->current_below) || !PetscIsNanReal(st->dvdt_below);

  PetscFunctionBeginUser;
  PetscCall(SolverMeanTheta(s, U, &mean));
  PetscCall(VecMin(U, NULL, &lo));
  PetscCall(VecMax(U, NULL, &hi));
  if (need_electro) PetscCall(Electro(s, U, &V, &i, &Vcell));
  for (PetscInt k = 0; k < NEVENTS; ++k) f[k] = 1.0;
  if (!PetscIsNanReal(st->theta_below)) f[0] = mean - st->theta_below;
  if (!PetscIsNanReal(st->theta_above)) f[1] = st->theta_above - mean;
  /* a current saturates the surface in its own direction: θ → 0 in a charge, 1 in a discharge; θ
     beyond the other end is the discretisation's overshoot (a consistent mass next to a steep front), which the
     output's final checks report. Butler–Volmer stops the reaction at θ = 0 and 1 itself. */
  /* In a population under Butler–Volmer a particle that saturates stops reacting and the others
     carry the current: the step goes on to its cut-offs (the voltage falls away once none can),
     unless a saturated particle's θ runs POPULATION_THETA_SLACK past its bound (the discretisation
     no longer follows a surface that has filled) */
  if (st->type == STEP_CC) f[2] = (st->theta_rate > 0 ? lo : 1 - hi) + (st->butler_volmer ? (s->particles.n > 1 ? POPULATION_THETA_SLACK : BV_THETA_SLACK) : 0);
  if (!PetscIsNanReal(st->voltage_above)) f[3] = st->voltage_above - Vcell;
  if (!PetscIsNanReal(st->voltage_below)) f[4] = Vcell - st->voltage_below;
  if (!PetscIsNanReal(st->current_below)) f[5] = PetscAbsReal(i) / st->current_below - 1; /* relative: currents span decades */
  if (!PetscIsNanReal(st->capacity)) f[6] = st->capacity - PetscAbsReal(s->mean_at_step_start - mean);
  if (!PetscIsNanReal(st->dvdt_below) && t > s->t_prev && s->t_prev > s->state.t_step_start) f[7] = PetscAbsReal(Vcell - s->V_prev) / (t - s->t_prev) / st->dvdt_below - 1;
  PetscFunctionReturn(0);
}

static PetscErrorCode EventFired(TS ts, PetscInt n, PetscInt which[], PetscReal t, Vec U, PetscBool forward, void *ctx)
{
  Solver s = (Solver)ctx;

  PetscFunctionBeginUser;
  if (n > 0) s->event_fired = which[0];
  PetscFunctionReturn(0);
}

/* Estimated duration of a step that starts with mean θ = mean */
static PetscReal StepEstimate(const StepSpec *st, PetscReal mean)
{
  PetscReal d = st->duration;
  if (st->theta_rate > 0 && !PetscIsNanReal(st->theta_below)) d = PetscMin(d, (mean - st->theta_below) / st->theta_rate);
  if (st->theta_rate < 0 && !PetscIsNanReal(st->theta_above)) d = PetscMin(d, (st->theta_above - mean) / -st->theta_rate);
  if (st->theta_rate != 0 && !PetscIsNanReal(st->capacity)) d = PetscMin(d, st->capacity / PetscAbsReal(st->theta_rate));
  if (d >= PETSC_MAX_REAL) d = 3600; /* unknown (voltage or current cut-offs): guess an hour */
  return PetscMax(d, 0);
}

static StepEnd EventReason(PetscInt which)
{
  static const StepEnd map[NEVENTS] = {END_THETA, END_THETA, END_THETA_LIMIT, END_VOLTAGE, END_VOLTAGE, END_CURRENT, END_CAPACITY, END_DVDT};
  return (which >= 0 && which < NEVENTS) ? map[which] : END_NONE;
}

/* Does a cut-off already hold at the start of the step? */
static PetscErrorCode AlreadyThere(Solver s, const StepSpec *st, PetscBool *there)
{
  PetscScalar f[NEVENTS];

  PetscFunctionBeginUser;
  *there = PETSC_FALSE;
  PetscCall(EventIndicators(s->ts, s->state.t, s->theta, f, s));
  for (PetscInt k = 0; k < NEVENTS; ++k) {
    if (k == 2 || k == 5 || k == 7) continue; /* limits and rates are judged while the step runs */
    if (PetscRealPart(f[k]) <= 0) {
      *there          = PETSC_TRUE;
      s->state.ended  = EventReason(k);
    }
  }
  PetscFunctionReturn(0);
}

/* Run the remaining part of protocol step k from time t in segments (shared with restarts) */
static PetscErrorCode RunStep(Solver s, Protocol p, PetscInt k, PetscReal *t)
{
  const StepSpec   *st      = &p->steps[k];
  PetscInt          dir[NEVENTS];
  PetscBool         term[NEVENTS];
  TSConvergedReason reason = TS_CONVERGED_ITERATING;

  PetscFunctionBeginUser;
  for (PetscInt e = 0; e < NEVENTS; ++e) {
    dir[e]  = -1;
    term[e] = PETSC_TRUE;
  }
  while (PETSC_TRUE) {
    PetscInt nsteps, nrej, its;
    PetscCall(SolverCheckpointMark(s, k, *t, s->progress_done + (*t - s->state.t_step_start))); /* an interrupt restarts here */
    PetscCall(TSSetStepNumber(s->ts, 0));
    PetscCall(TSSetTime(s->ts, *t));
    PetscCall(TSSetTimeStep(s->ts, s->dt_next)); /* TSSolve shortens it to reach the step's end exactly */
    PetscCall(TSSetMaxTime(s->ts, st->duration < PETSC_MAX_REAL ? s->state.t_step_start + st->duration : PETSC_MAX_REAL / 2));
    PetscCall(TSSetMaxSteps(s->ts, s->segment_steps));
    s->event_fired = -1;
    PetscCall(TSSetEventHandler(s->ts, NEVENTS, dir, term, EventIndicators, EventFired, s));
    PetscCall(TSSolve(s->ts, s->theta));
    PetscCall(TSGetConvergedReason(s->ts, &reason));
    PetscCall(TSGetStepRejections(s->ts, &nrej));
    PetscCall(TSGetStepNumber(s->ts, &nsteps));
    s->rejected += nrej;
    PetscCall(TSGetSNESIterations(s->ts, &its));
    s->newton += its;
    PetscCall(TSGetKSPIterations(s->ts, &its));
    s->linear += its;
    PetscCall(TSGetTime(s->ts, t));
    PetscCall(TSGetTimeStep(s->ts, &s->dt_next));
    PetscCheck(reason >= 0, s->comm, PETSC_ERR_NOT_CONVERGED, "the time integration failed in step %" PetscInt_FMT " (%s) at t = %g s: %s; try a smaller -solver_dt_max or looser -solver_rtol", k + 1, st->name, (double)*t, TSConvergedReasons[reason]);
    if (s->interrupted) PetscFunctionReturn(0);
    if (reason != TS_CONVERGED_ITS) break;
    PetscCall(SolverCheckpoint(s, p, k, *t, s->progress_done + (*t - s->state.t_step_start), PETSC_FALSE)); /* between segments: maybe, by wall time */
  }
  s->state.ended = reason == TS_CONVERGED_EVENT ? EventReason(s->event_fired) : END_DURATION;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverRunProtocolFrom(Solver s, Protocol p, PetscInt first, PetscBool fresh)
{
  PetscReal t, done = s->progress_done_restart, *later, mean0;
  PetscBool has_tol;

  PetscFunctionBeginUser;
  PetscCall(TSMonitorSet(s->ts, Monitor, s, NULL));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_event_tol", &has_tol));
  if (!has_tol) PetscCall(PetscOptionsSetValue(NULL, "-ts_event_tol", "1e-9"));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_event_dt_min", &has_tol));
  if (!has_tol) PetscCall(PetscOptionsSetValue(NULL, "-ts_event_dt_min", "1e-6")); /* s: a steep V (saturating surface) is bracketed to 1 µs */
  PetscCall(PhysicsGetCMax(s->phys, &s->c_max_cached));
  PetscCall(TSGetTime(s->ts, &t));
  s->state.nsteps = p->nsteps;
  /* later[k]: the estimated duration of steps k, k+1, ... (linear in the number of steps) */
  PetscCall(PetscMalloc1(p->nsteps + 1, &later));
  PetscCall(SolverMeanTheta(s, s->theta, &mean0));
  later[p->nsteps] = 0;
  for (PetscInt j = p->nsteps - 1; j >= 0; --j) later[j] = later[j + 1] + StepEstimate(&p->steps[j], mean0);
  if (fresh) {
    PetscReal V, i, Vcell;
    PetscCall(SolverMeanTheta(s, s->theta, &s->mean_theta0)); /* the inventory every step must account for */
    s->expected_mean      = s->mean_theta0;
    s->mean_at_step_start = s->mean_theta0;
    s->state.step         = &p->steps[first];
    s->state.t_step_start = t;
    s->dt_next            = s->dt_initial;
    PetscCall(SolverSetFlux(s, 0)); /* the initial row: before any current flows (open circuit) */
    PetscCall(Electro(s, s->theta, &V, &i, &Vcell));
    s->i_prev = i;
    PetscCall(UpdateState(s, t, s->theta));
    s->last_monitor_t = t;
    s->V_prev         = s->state.cell_voltage;
    s->t_prev         = t;
    PetscCall(SolverNotify(s, SOLVER_EVENT_INITIAL));
  } else { /* a restart: the monitors start from the checkpoint's state */
    s->state.step = &p->steps[first];
    PetscCall(StepApply(s, s->state.step));
    PetscCall(UpdateState(s, t, s->theta));
    PetscCall(SolverNotify(s, SOLVER_EVENT_INITIAL));
  }
  for (PetscInt k = first; k < p->nsteps; ++k) {
    const StepSpec *st = &p->steps[k];
    PetscReal       mean, remaining = 0;
    PetscBool       there;
    const PetscBool resume = (k == first && !fresh && s->resume_mid_step) ? PETSC_TRUE : PETSC_FALSE;

    PetscCall(SolverMeanTheta(s, s->theta, &mean));
    s->state.step = st;
    if (!resume) {
      s->state.t_step_start = t;
      s->mean_at_step_start = mean;
      s->dt_next            = s->dt_initial; /* the surface changes: start small again */
    }
    remaining = StepEstimate(st, mean) + later[k + 1]; /* this step from the mean now, the later ones from the start's */
    s->progress_done      = done;
    s->progress_remaining = remaining + (t - s->state.t_step_start);
    s->state.progress     = done / PetscMax(done + remaining, 1e-30);
    PetscCall(StepApply(s, st));
    if (!resume) {
      PetscReal V, i, Vcell;
      PetscCall(Electro(s, s->theta, &V, &i, &Vcell));
      s->i_prev = i;
      s->V_prev = Vcell;
      s->t_prev = t;
      PetscCall(AlreadyThere(s, st, &there));
      if (there) { /* the step ends at once */
        PetscCall(UpdateState(s, t, s->theta));
        PetscCall(SolverNotify(s, SOLVER_EVENT_STEP_END));
        continue;
      }
    }
    s->current_step = k;
    PetscCall(CheckInterrupt(s));
    if (!s->interrupted) PetscCall(RunStep(s, p, k, &t));
    if (s->interrupted) { /* stopped by a signal: the outputs end here; the checkpoint is the last exact restart point */
      PetscCall(UpdateState(s, t, s->theta));
      s->t_interrupted = t;
      PetscCall(SolverCheckpointInterrupted(s, p, &s->t_restart));
      break;
    }
    PetscCall(UpdateState(s, t, s->theta));
    done += t - s->state.t_step_start;
    if (st->type == STEP_CV) s->expected_mean = s->state.mean_theta; /* the trapezoid in time is an estimate; later steps are checked exactly again */
    if (k + 1 == p->nsteps) s->state.progress = 1.0;
    PetscCall(SolverNotify(s, SOLVER_EVENT_STEP_END));
    if (s->state.ended == END_THETA_LIMIT) PetscCall(PetscPrintf(s->comm, "warning: step %" PetscInt_FMT " (%s) stopped at t = %g s because theta reached 0 or 1 somewhere: the surface is saturated at this rate\n", k + 1, st->name, (double)t));
    PetscCall(SolverCheckpoint(s, p, k + 1, t, done, PETSC_TRUE)); /* after every step */
  }
  PetscCall(PetscFree(later));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverRunProtocol(Solver s, Protocol p)
{
  PetscFunctionBeginUser;
  PetscCall(SolverRunProtocolFrom(s, p, 0, PETSC_TRUE));
  PetscFunctionReturn(0);
}
