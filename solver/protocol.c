/* Protocol engine: steps from -proto_ options, run one after another on the same state.

   A cc step at C-rate C moves the mean θ at C·f_cap per hour; its uniform outward flux is
     N/c_max = |Ω| C f_cap / (3600 |∂Ω|)          (µm/s, |Ω| and |∂Ω| of the actual mesh),
   a current density i gives N = i/F, a current I gives i = I/A_surface (3-D, or 2-D with
   -mesh_thickness). Charge delithiates (N > 0), discharge lithiates. A rest step has N = 0.

   Each step runs as one TSSolve: its duration is the final time (hit exactly), and its
   cut-offs on mean θ are TSEvents that terminate the solve where the mean crosses the value
   (to -ts_event_tol, 1e-9 by default). A third event stops a step when θ anywhere leaves
   [0, 1], which a uniform flux cannot respect beyond saturation. The step counter of the TS is
   reset before each step, which restarts the multistep history at the flux change and
   initialises the events; the solver keeps the cumulative counts. */
#include "solver/solverimpl.h"
#include "input/input.h"
#include <math.h>
#include <string.h>

const char *const StepTypes[] = {"cc", "rest", "StepType", "STEP_", NULL};
const char *const StepEnds[]  = {"none", "duration", "theta", "theta_limit", "StepEnd", "END_", NULL};

static PetscErrorCode StepOption(PetscInt i, const char key[], char name[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, len, "-proto_%" PetscInt_FMT "_%s", i, key));
  PetscFunctionReturn(0);
}

static PetscErrorCode StepWhere(PetscInt i, const char key[], char where[], size_t len)
{
  char name[64];

  PetscFunctionBeginUser;
  PetscCall(StepOption(i, key, name, sizeof(name)));
  PetscCall(InputOptionWhere(name, where, len));
  PetscFunctionReturn(0);
}

/* Resolve the step's rate against the mesh and material */
static PetscErrorCode StepResolveRate(Solver s, StepSpec *st, PetscInt i)
{
  const PetscReal vol = s->info.volume, surf = s->info.surface;
  PetscReal       c_max, f_cap, value, thickness = 0, area_m2 = 0;
  PetscBool       has_rate, has_current, has_density, has_thickness;
  PetscInt        dir = 0, nset;
  char            name[64], where[PETSC_MAX_PATH_LEN];
  const char     *dirs[] = {"charge", "discharge"};
  PetscReal       sign;

  PetscFunctionBeginUser;
  PetscCall(PhysicsGetCMax(s->phys, &c_max));
  PetscCall(PhysicsGetCapacityFactor(s->phys, &f_cap));
  PetscCall(InputGetQuantity("-mesh_thickness", UNIT_LENGTH, &thickness, &has_thickness));
  area_m2 = s->info.dim == 3 ? surf * 1e-12 : (has_thickness ? surf * thickness * 1e-12 : 0);
  st->flux = 0;
  if (st->type == STEP_REST) {
    st->c_rate = st->current_density = st->theta_rate = st->current = 0;
    PetscFunctionReturn(0);
  }
  PetscCall(StepOption(i, "direction", name, sizeof(name)));
  PetscCall(StepWhere(i, "type", where, sizeof(where)));
  {
    PetscBool set;
    PetscCall(PetscOptionsGetEList(NULL, NULL, name, dirs, 2, &dir, &set));
    PetscCheck(set, s->comm, PETSC_ERR_USER_INPUT, "%s: a cc step needs direction=\"charge\" or \"discharge\" (%s)", where, name);
  }
  sign = dir == 0 ? 1.0 : -1.0;
  PetscCall(StepOption(i, "c_rate", name, sizeof(name)));
  PetscCall(InputGetQuantity(name, UNIT_C_RATE, &value, &has_rate));
  if (has_rate) st->theta_rate = value * f_cap / 3600.0;
  PetscCall(StepOption(i, "current_density", name, sizeof(name)));
  PetscCall(InputGetQuantity(name, UNIT_CURRENT_DENSITY, &value, &has_density));
  if (has_density) st->theta_rate = value / FARADAY / c_max * 1e6 * surf / vol;
  PetscCall(StepOption(i, "current", name, sizeof(name)));
  PetscCall(InputGetQuantity(name, UNIT_CURRENT, &value, &has_current));
  if (has_current) {
    PetscCall(StepWhere(i, "current", where, sizeof(where)));
    PetscCheck(area_m2 > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: a current in A needs the particle's thickness in 2-D (<mesh><thickness> or -mesh_thickness); or give c_rate or current_density", where);
    st->theta_rate = value / area_m2 / FARADAY / c_max * 1e6 * surf / vol;
  }
  nset = (PetscInt)has_rate + (PetscInt)has_density + (PetscInt)has_current;
  PetscCheck(nset == 1, s->comm, PETSC_ERR_USER_INPUT, "%s: a cc step needs exactly one of c_rate, current, current_density (found %" PetscInt_FMT ")", where, nset);
  {
    PetscCall(StepWhere(i, has_rate ? "c_rate" : (has_density ? "current_density" : "current"), where, sizeof(where)));
    PetscCheck(st->theta_rate > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the current of a cc step must be positive (the direction sets its sign), got %g", where, (double)value);
  }
  st->theta_rate *= sign;
  st->flux            = st->theta_rate * vol / surf;
  st->c_rate          = st->theta_rate * 3600.0 / f_cap;
  st->current_density = st->flux * 1e-6 * c_max * FARADAY;
  st->current         = area_m2 > 0 ? st->current_density * area_m2 : NAN;
  PetscFunctionReturn(0);
}

PetscErrorCode ProtocolCreateFromOptions(Solver s, Protocol *out)
{
  Protocol p;
  PetscInt n = 0;
  char     where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-proto_nsteps", &n, NULL));
  PetscCall(InputOptionWhere("-proto_nsteps", where, sizeof(where)));
  PetscCheck(n > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the protocol has no steps", where);
  PetscCheck(n <= 100000, s->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " steps is more than the 100000 spot accepts", where, n);
  PetscCall(PetscNew(&p));
  p->nsteps = n;
  PetscCall(PetscCalloc1(n, &p->steps));
  for (PetscInt i = 0; i < n; ++i) {
    StepSpec *st = &p->steps[i];
    char      name[64];
    PetscInt  type = 0;
    PetscBool set, has_duration, has_below, has_above;

    st->index = i;
    PetscCall(StepOption(i, "type", name, sizeof(name)));
    PetscCall(StepWhere(i, "type", where, sizeof(where)));
    PetscCall(PetscOptionsGetEList(NULL, NULL, name, StepTypes, 2, &type, &set));
    PetscCheck(set, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " has no type (%s cc|rest)", where, i, name);
    st->type = (StepType)type;
    PetscCall(StepOption(i, "cycle", name, sizeof(name)));
    PetscCall(PetscOptionsGetInt(NULL, NULL, name, &st->cycle, NULL));
    PetscCall(StepResolveRate(s, st, i));
    PetscCall(StepOption(i, "name", name, sizeof(name)));
    PetscCall(PetscOptionsGetString(NULL, NULL, name, st->name, sizeof(st->name), &set));
    if (!set) PetscCall(PetscSNPrintf(st->name, sizeof(st->name), "%s%s", StepTypes[st->type], st->type == STEP_CC ? (st->theta_rate > 0 ? " charge" : " discharge") : ""));

    st->duration    = PETSC_MAX_REAL;
    st->theta_below = -1;
    st->theta_above = 2;
    PetscCall(StepOption(i, "duration", name, sizeof(name)));
    PetscCall(InputGetQuantity(name, UNIT_TIME, &st->duration, &has_duration));
    PetscCall(StepWhere(i, "duration", where, sizeof(where)));
    PetscCheck(!has_duration || st->duration > 0, s->comm, PETSC_ERR_USER_INPUT, "%s: duration must be positive, got %g s", where, (double)st->duration);
    PetscCall(StepOption(i, "theta_below", name, sizeof(name)));
    PetscCall(InputGetQuantity(name, UNIT_NONE, &st->theta_below, &has_below));
    PetscCall(StepWhere(i, "theta_below", where, sizeof(where)));
    PetscCheck(!has_below || (st->theta_below >= 0 && st->theta_below <= 1), s->comm, PETSC_ERR_USER_INPUT, "%s: theta_below must be in [0, 1], got %g", where, (double)st->theta_below);
    PetscCall(StepOption(i, "theta_above", name, sizeof(name)));
    PetscCall(InputGetQuantity(name, UNIT_NONE, &st->theta_above, &has_above));
    PetscCall(StepWhere(i, "theta_above", where, sizeof(where)));
    PetscCheck(!has_above || (st->theta_above >= 0 && st->theta_above <= 1), s->comm, PETSC_ERR_USER_INPUT, "%s: theta_above must be in [0, 1], got %g", where, (double)st->theta_above);

    /* a step must be able to end */
    PetscCall(StepWhere(i, "type", where, sizeof(where)));
    if (!has_duration) {
      PetscCheck(st->type != STEP_REST, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: a rest keeps the mean theta constant, so it needs a duration", where, i + 1, st->name);
      PetscCheck(has_below || has_above, s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: give a duration or a cut-off (theta_below, theta_above)", where, i + 1, st->name);
      PetscCheck((st->theta_rate > 0 && has_below) || (st->theta_rate < 0 && has_above), s->comm, PETSC_ERR_USER_INPUT, "%s: step %" PetscInt_FMT " (%s) can never end: a %s moves the mean theta %s, so it needs theta_%s or a duration", where, i + 1, st->name, st->theta_rate > 0 ? "charge" : "discharge", st->theta_rate > 0 ? "down" : "up", st->theta_rate > 0 ? "below" : "above");
    }
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

PetscErrorCode ProtocolView(Protocol p, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "protocol: %" PetscInt_FMT " step%s\n", p->nsteps, p->nsteps == 1 ? "" : "s"));
  for (PetscInt i = 0; i < p->nsteps && i < 20; ++i) {
    const StepSpec *st = &p->steps[i];
    char            ends[160] = "";
    if (st->duration < PETSC_MAX_REAL) PetscCall(PetscSNPrintf(ends, sizeof(ends), "after %g s", (double)st->duration));
    if (st->theta_below >= 0) PetscCall(PetscSNPrintf(ends + strlen(ends), sizeof(ends) - strlen(ends), "%smean theta <= %g", ends[0] ? " or " : "at ", (double)st->theta_below));
    if (st->theta_above <= 1) PetscCall(PetscSNPrintf(ends + strlen(ends), sizeof(ends) - strlen(ends), "%smean theta >= %g", ends[0] ? " or " : "at ", (double)st->theta_above));
    if (st->type == STEP_CC) PetscCall(PetscViewerASCIIPrintf(viewer, "  %2" PetscInt_FMT ". %-14s C-rate %.4g (%.4g A/m^2, flux N/c_max %.4g um/s), ends %s\n", i + 1, st->name, (double)PetscAbsReal(st->c_rate), (double)PetscAbsReal(st->current_density), (double)st->flux, ends));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "  %2" PetscInt_FMT ". %-14s ends %s\n", i + 1, st->name, ends));
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

/* Fill the state's mean θ and inventory error for the current solution */
static PetscErrorCode UpdateState(Solver s, PetscReal t, Vec U)
{
  const StepSpec *st = s->state.step;
  PetscReal       expected;

  PetscFunctionBeginUser;
  s->state.t = t;
  PetscCall(SolverMeanTheta(s, U, &s->state.mean_theta));
  expected                   = s->expected_mean - (st ? st->theta_rate * (t - s->state.t_step_start) : 0);
  s->state.inventory_error = (s->state.mean_theta - expected) / s->mean_theta0;
  PetscFunctionReturn(0);
}

static PetscErrorCode Monitor(TS ts, PetscInt stepnum, PetscReal t, Vec U, void *ctx)
{
  Solver s = (Solver)ctx;

  PetscFunctionBeginUser;
  if (t <= s->last_monitor_t) PetscFunctionReturn(0); /* start of a solve, or after a rollback */
  s->state.dt = t - s->last_monitor_t; /* the step just taken */
  s->state.ts_steps++;
  s->last_monitor_t = t;
  PetscCall(UpdateState(s, t, U));
  s->state.progress = PetscMin(1.0, (s->progress_done + t - s->state.t_step_start) / PetscMax(s->progress_done + s->progress_remaining, 1e-30));
  PetscCall(SolverNotify(s, SOLVER_EVENT_TIMESTEP));
  PetscFunctionReturn(0);
}

static PetscErrorCode EventIndicators(TS ts, PetscReal t, Vec U, PetscScalar f[], void *ctx)
{
  Solver          s  = (Solver)ctx;
  const StepSpec *st = s->state.step;
  PetscReal       mean, lo, hi;

  PetscFunctionBeginUser;
  PetscCall(SolverMeanTheta(s, U, &mean));
  PetscCall(VecMin(U, NULL, &lo));
  PetscCall(VecMax(U, NULL, &hi));
  f[0] = st->theta_below >= 0 ? mean - st->theta_below : 1.0;
  f[1] = st->theta_above <= 1 ? st->theta_above - mean : 1.0;
  f[2] = st->type == STEP_CC ? PetscMin(lo, 1 - hi) : 1.0;
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
  if (st->theta_rate > 0 && st->theta_below >= 0) d = PetscMin(d, (mean - st->theta_below) / st->theta_rate);
  if (st->theta_rate < 0 && st->theta_above <= 1) d = PetscMin(d, (st->theta_above - mean) / -st->theta_rate);
  return PetscMax(d, 0);
}

PetscErrorCode SolverRunProtocol(Solver s, Protocol p)
{
  PetscInt  dir[3]  = {-1, -1, -1};
  PetscBool term[3] = {PETSC_TRUE, PETSC_TRUE, PETSC_TRUE};
  PetscReal t, done = 0;
  PetscBool has_tol;

  PetscFunctionBeginUser;
  PetscCall(TSMonitorSet(s->ts, Monitor, s, NULL));
  PetscCall(PetscOptionsHasName(NULL, NULL, "-ts_event_tol", &has_tol));
  if (!has_tol) PetscCall(PetscOptionsSetValue(NULL, "-ts_event_tol", "1e-9"));
  PetscCall(TSGetTime(s->ts, &t));
  PetscCall(SolverMeanTheta(s, s->theta, &s->mean_theta0)); /* the inventory every step must account for */
  s->expected_mean      = s->mean_theta0;
  s->state.nsteps       = p->nsteps;
  s->state.step         = &p->steps[0];
  s->state.t_step_start = t;
  PetscCall(UpdateState(s, t, s->theta));
  s->last_monitor_t = t;
  PetscCall(SolverNotify(s, SOLVER_EVENT_INITIAL));

  for (PetscInt k = 0; k < p->nsteps; ++k) {
    const StepSpec *st = &p->steps[k];
    TSConvergedReason reason;
    PetscReal         mean, remaining = 0;
    PetscInt          nsteps, nrej;

    PetscCall(SolverMeanTheta(s, s->theta, &mean));
    s->state.step         = st;
    s->state.t_step_start = t;
    s->event_fired        = -1;
    for (PetscInt j = k; j < p->nsteps; ++j) remaining += StepEstimate(&p->steps[j], mean);
    s->progress_done      = done;
    s->progress_remaining = remaining;
    s->state.progress     = done / PetscMax(done + remaining, 1e-30);
    PetscCall(SolverSetFlux(s, st->flux));

    if ((st->theta_below >= 0 && mean <= st->theta_below) || (st->theta_above <= 1 && mean >= st->theta_above)) {
      s->state.ended = END_THETA; /* already there: the step ends at once */
      PetscCall(UpdateState(s, t, s->theta));
      PetscCall(SolverNotify(s, SOLVER_EVENT_STEP_END));
      continue;
    }
    PetscCall(TSSetStepNumber(s->ts, 0));
    PetscCall(TSSetTime(s->ts, t));
    PetscCall(TSSetTimeStep(s->ts, st->duration < PETSC_MAX_REAL ? PetscMin(s->dt_initial, st->duration) : s->dt_initial));
    PetscCall(TSSetMaxTime(s->ts, st->duration < PETSC_MAX_REAL ? t + st->duration : PETSC_MAX_REAL / 2));
    PetscCall(TSSetEventHandler(s->ts, 3, dir, term, EventIndicators, EventFired, s));
    PetscCall(TSSolve(s->ts, s->theta));
    PetscCall(TSGetConvergedReason(s->ts, &reason));
    PetscCall(TSGetStepRejections(s->ts, &nrej));
    PetscCall(TSGetStepNumber(s->ts, &nsteps));
    s->rejected += nrej;
    {
      PetscInt its;
      PetscCall(TSGetSNESIterations(s->ts, &its));
      s->newton += its;
      PetscCall(TSGetKSPIterations(s->ts, &its));
      s->linear += its;
    }
    PetscCall(TSGetTime(s->ts, &t));
    PetscCheck(reason >= 0, s->comm, PETSC_ERR_NOT_CONVERGED, "the time integration failed in step %" PetscInt_FMT " (%s) at t = %g s: %s; try a smaller -solver_dt_max or looser -solver_rtol", k + 1, st->name, (double)t, TSConvergedReasons[reason]);
    if (reason == TS_CONVERGED_EVENT) s->state.ended = s->event_fired == 2 ? END_THETA_LIMIT : END_THETA;
    else s->state.ended = END_DURATION;
    PetscCall(UpdateState(s, t, s->theta));
    done += t - s->state.t_step_start;
    s->state.progress = (k + 1 == p->nsteps) ? 1.0 : s->state.progress;
    PetscCall(SolverNotify(s, SOLVER_EVENT_STEP_END));
    s->expected_mean -= st->theta_rate * (t - s->state.t_step_start);
    if (s->state.ended == END_THETA_LIMIT) {
      PetscCall(PetscPrintf(s->comm, "warning: step %" PetscInt_FMT " (%s) stopped at t = %g s because theta reached 0 or 1 somewhere: the surface is saturated at this rate\n", k + 1, st->name, (double)t));
    }
  }
  PetscFunctionReturn(0);
}
