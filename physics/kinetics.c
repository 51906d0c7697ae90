/* Electrochemistry of the surface: open-circuit potential U(θ), exchange current i0(θ) and
   Butler–Volmer kinetics.

     i = i0(θ) [exp((1−β) f η) − exp(−β f η)],  η = V − U(θ),  f = F/(RT)       (A/m², > 0 anodic)
     ∂i/∂V = i0 f [(1−β) e_a + β e_c],   ∂i/∂θ = i0'(θ)(e_a − e_c) − U'(θ) ∂i/∂V
   (e_a, e_c the two exponentials; exponents are capped at ±300, far beyond any physical η).

   U laws (-phys_ocp_law): table (PCHIP of U against θ; unit from the header, e.g. ocp_V),
     linear (_value U0 at _theta_ref, _slope dU/dθ), nernst (U = U0 − (RT/F) ln(θ/(1−θ)), _value U0).
   i0 laws (-phys_exchange_current_law): constant (_value), power (k0 θ^a (1−θ)^b: _value k0,
     _a, _b), logistic (k0 / (1 + exp(s (θ − θc))): _value, _steepness s, _theta_c; with s > 0,
     i0 grows as the particle delithiates: electro-autocatalysis), table (PCHIP of log10 i0).
   Kinetics (-phys_kinetics): butler_volmer when U and i0 are given, uniform otherwise.
   Options -phys_transfer_coefficient β (0.5), -phys_series_resistance R (Ω, or Ω·m²). */
#include "physics/physimpl.h"
#include <string.h>

const char *const KineticsTypes[] = {"uniform", "butler_volmer", "Kinetics", "KINETICS_", NULL};

static PetscFunctionList ocp_laws = NULL, i0_laws = NULL;

/* i0 and di0/dθ at θ: the law at θ clamped to [PHYS_THETA_EDGE, 1 − PHYS_THETA_EDGE], times the
   smooth cut-off S(θ) = σ(θ/w) σ((1 − θ)/w), σ(u) = 1/(1 + e^−u), w = PHYS_THETA_EDGE_WIDTH: no
   reaction once θ leaves [0, 1] by more than a few w, whatever the law (S = 1 − 2e-9 at 20 w inside) */
void PhysExchange(PetscReal theta, const PetscScalar c[], PetscReal *i0, PetscReal *di0)
{
  const PetscReal w = PHYS_THETA_EDGE_WIDTH, th = PetscMin(PetscMax(theta, PHYS_THETA_EDGE), 1 - PHYS_THETA_EDGE);
  const PetscReal lo = 1 / (1 + PetscExpReal(PetscMin(-theta / w, 700.0))), hi = 1 / (1 + PetscExpReal(PetscMin((theta - 1) / w, 700.0)));
  PetscReal       y, dy;

  PhysLaw(th, &c[(PetscInt)PetscRealPart(c[PHYS_I0])], &y, &dy);
  if (th != theta) dy = 0;
  *i0  = y * lo * hi;
  *di0 = dy * lo * hi + y * (lo * (1 - lo) * hi - lo * hi * (1 - hi)) / w;
}

void PhysButlerVolmer(PetscReal theta, PetscReal V, const PetscScalar c[], PetscReal *i, PetscReal *di_dtheta, PetscReal *di_dV)
{
  const PetscReal beta = PetscRealPart(c[PHYS_BETA]), f = PetscRealPart(c[PHYS_F_RT]);
  PetscReal       U, dU, i0, di0, eta, xa, xc, ea, ec, didV;

  PhysLaw(theta, &c[(PetscInt)PetscRealPart(c[PHYS_OCP])], &U, &dU);
  PhysExchange(theta, c, &i0, &di0);
  eta  = V - U;
  xa   = PetscMin(PetscMax((1 - beta) * f * eta, -300.0), 300.0);
  xc   = PetscMin(PetscMax(-beta * f * eta, -300.0), 300.0);
  ea   = PetscExpReal(xa);
  ec   = PetscExpReal(xc);
  didV = i0 * f * ((1 - beta) * ea + beta * ec);
  *i   = i0 * (ea - ec);
  if (di_dV) *di_dV = didV;
  if (di_dtheta) *di_dtheta = di0 * (ea - ec) - dU * didV;
}

/* ---- U(θ) laws ---- */
static PetscErrorCode OCPTable(Physics phys, PetscScalar b[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(PhysLawTableFromOptions(phys, "-phys_ocp", "open-circuit potential", UNIT_POTENTIAL, PETSC_FALSE, b, n, phys->U.range, phys->U.source, sizeof(phys->U.source)));
  PetscFunctionReturn(0);
}

static PetscErrorCode OCPLinear(Physics phys, PetscScalar b[], PetscInt *n)
{
  PetscReal U0 = 0, slope = 0, ref = 0.5;

  PetscFunctionBeginUser;
  PetscCall(PhysLawGetReal(phys, "-phys_ocp_value", UNIT_POTENTIAL, &U0, PETSC_TRUE, "the potential U0 at theta_ref"));
  PetscCall(PhysLawGetReal(phys, "-phys_ocp_slope", UNIT_POTENTIAL, &slope, PETSC_TRUE, "the slope dU/dtheta"));
  PetscCall(PhysLawGetReal(phys, "-phys_ocp_theta_ref", UNIT_NONE, &ref, PETSC_FALSE, "theta_ref"));
  b[0] = LAW_LINEAR;
  b[2] = U0;
  b[3] = slope;
  b[4] = ref;
  *n   = 3;
  PetscFunctionReturn(0);
}

static PetscErrorCode OCPNernst(Physics phys, PetscScalar b[], PetscInt *n)
{
  PetscReal U0 = 0;

  PetscFunctionBeginUser;
  PetscCall(PhysLawGetReal(phys, "-phys_ocp_value", UNIT_POTENTIAL, &U0, PETSC_TRUE, "the potential U0 at theta = 0.5"));
  b[0] = LAW_NERNST;
  b[2] = U0;
  b[3] = PHYS_R * phys->temperature / PHYS_F;
  *n   = 2;
  PetscFunctionReturn(0);
}

/* ---- i0(θ) laws ---- */
static PetscErrorCode I0Constant(Physics phys, PetscScalar b[], PetscInt *n)
{
  PhysLawParameter par[] = {
    {"-phys_exchange_current_value", UNIT_CURRENT_DENSITY, 0, PETSC_TRUE, PETSC_TRUE, "the exchange current density i0"}
  };

  PetscFunctionBeginUser;
  PetscCall(PhysLawFromParameters(phys, LAW_CONSTANT, 1, par, b, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode I0Power(Physics phys, PetscScalar b[], PetscInt *n)
{
  PhysLawParameter par[] = {
    {"-phys_exchange_current_value", UNIT_CURRENT_DENSITY, 0,   PETSC_TRUE,  PETSC_TRUE,  "the prefactor k0 of the exchange current"},
    {"-phys_exchange_current_a",     UNIT_NONE,            0.5, PETSC_FALSE, PETSC_FALSE, "the exponent a"                          },
    {"-phys_exchange_current_b",     UNIT_NONE,            0.5, PETSC_FALSE, PETSC_FALSE, "the exponent b"                          }
  };

  PetscFunctionBeginUser;
  PetscCall(PhysLawFromParameters(phys, LAW_POWER, 3, par, b, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode I0Logistic(Physics phys, PetscScalar b[], PetscInt *n)
{
  PhysLawParameter par[] = {
    {"-phys_exchange_current_value",     UNIT_CURRENT_DENSITY, 0,   PETSC_TRUE,  PETSC_TRUE,  "the prefactor k0 of the exchange current"},
    {"-phys_exchange_current_steepness", UNIT_NONE,            25,  PETSC_FALSE, PETSC_FALSE, "the steepness s"                         },
    {"-phys_exchange_current_theta_c",   UNIT_NONE,            0.6, PETSC_FALSE, PETSC_FALSE, "theta_c"                                 }
  };

  PetscFunctionBeginUser;
  PetscCall(PhysLawFromParameters(phys, LAW_LOGISTIC, 3, par, b, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode I0Table(Physics phys, PetscScalar b[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(PhysLawTableFromOptions(phys, "-phys_exchange_current", "exchange current", UNIT_CURRENT_DENSITY, PETSC_TRUE, b, n, phys->i0.range, phys->i0.source, sizeof(phys->i0.source)));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterAll(void)
{
  static PetscBool done = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(PetscFunctionListAdd(&ocp_laws, "table", OCPTable));
  PetscCall(PetscFunctionListAdd(&ocp_laws, "linear", OCPLinear));
  PetscCall(PetscFunctionListAdd(&ocp_laws, "nernst", OCPNernst));
  PetscCall(PetscFunctionListAdd(&i0_laws, "constant", I0Constant));
  PetscCall(PetscFunctionListAdd(&i0_laws, "power", I0Power));
  PetscCall(PetscFunctionListAdd(&i0_laws, "logistic", I0Logistic));
  PetscCall(PetscFunctionListAdd(&i0_laws, "table", I0Table));
  PetscFunctionReturn(0);
}

/* An optional law: fills spec when -<option> is set */
static PetscErrorCode OptionalLaw(Physics phys, PetscFunctionList list, const char option[], const char what[], const char known[], PhysLawSpec *spec)
{
  PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *) = NULL;
  PetscBool set;
  PetscInt  n = 0;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, option, spec->name, sizeof(spec->name), &set));
  spec->n = 0;
  if (!set) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(option, where, sizeof(where)));
  PetscCall(PetscFunctionListFind(list, spec->name, &setup));
  PetscCheck(setup, phys->comm, PETSC_ERR_USER_INPUT, "%s: unknown %s law '%s' (known: %s)", where, what, spec->name, known);
  PetscCall(PetscFree(spec->block));
  PetscCall(PetscCalloc1(2 + 3 * PHYS_MAX_TABLE, &spec->block));
  spec->range[0] = -PETSC_MAX_REAL;
  spec->range[1] = PETSC_MAX_REAL;
  PetscCall((*setup)(phys, spec->block, &n));
  spec->block[1] = n;
  spec->n        = 2 + n;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsKineticsSetUp(Physics phys)
{
  PetscInt  k = -1;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(RegisterAll());
  PetscCall(OptionalLaw(phys, ocp_laws, "-phys_ocp_law", "open-circuit potential", "table, linear, nernst", &phys->U));
  PetscCall(OptionalLaw(phys, i0_laws, "-phys_exchange_current_law", "exchange current", "constant, power, logistic, table", &phys->i0));
  if (phys->U.n && !strcmp(phys->U.name, "table")) { /* a U(θ) table must be monotone to be inverted */
    const PetscInt   m  = (phys->U.n - 2) / 3;
    const PetscReal *ys = (const PetscReal *)&phys->U.block[2] + m;
    for (PetscInt r = 1; r < m; ++r)
      PetscCheck((ys[r] - ys[r - 1]) * (ys[m - 1] - ys[0]) >= 0, phys->comm, PETSC_ERR_USER_INPUT, "%s: the open-circuit potential must change monotonically with theta, but it turns back near theta = %g", phys->U.source, (double)((const PetscReal *)&phys->U.block[2])[r]);
  }
  phys->beta = 0.5;
  PetscCall(InputGetQuantity("-phys_transfer_coefficient", UNIT_NONE, &phys->beta, NULL));
  PetscCall(InputOptionWhere("-phys_transfer_coefficient", where, sizeof(where)));
  PetscCheck(phys->beta > 0 && phys->beta < 1, phys->comm, PETSC_ERR_USER_INPUT, "%s: the transfer coefficient must be in (0, 1), got %g", where, (double)phys->beta);
  { /* series resistance: a total (Ω, with a current in A) or area specific (Ω·m², with A/m²) */
    char      text[64], *unit;
    PetscReal R;
    PetscBool ok, known;
    UnitKind  kind;
    phys->series_resistance    = 0;
    phys->series_area_specific = PETSC_TRUE;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_series_resistance", text, sizeof(text), &set));
    if (set) {
      PetscCall(InputOptionWhere("-phys_series_resistance", where, sizeof(where)));
      R = strtod(text, &unit);
      while (*unit == ' ') ++unit;
      PetscCall(UnitParse(unit, &kind, &known));
      PetscCheck(unit != text && *unit && known && (kind == UNIT_RESISTANCE || kind == UNIT_AREA_RESISTANCE), phys->comm, PETSC_ERR_USER_INPUT, "%s: series_resistance needs a value in ohm (total) or ohm.cm2 / ohm.m2 (area specific), got '%s'", where, text);
      PetscCall(UnitToInternal(unit, kind, R, &phys->series_resistance, &ok));
      phys->series_area_specific = kind == UNIT_AREA_RESISTANCE ? PETSC_TRUE : PETSC_FALSE;
      PetscCheck(phys->series_resistance >= 0, phys->comm, PETSC_ERR_USER_INPUT, "%s: series_resistance must not be negative, got %s", where, text);
    }
  }
  phys->kinetics = (phys->U.n && phys->i0.n) ? KINETICS_BUTLER_VOLMER : KINETICS_UNIFORM;
  PetscCall(PetscOptionsGetEList(NULL, NULL, "-phys_kinetics", KineticsTypes, 2, &k, &set));
  PetscCall(InputOptionWhere("-phys_kinetics", where, sizeof(where)));
  if (set) phys->kinetics = (Kinetics)k;
  PetscCheck(phys->kinetics != KINETICS_BUTLER_VOLMER || (phys->U.n && phys->i0.n), phys->comm, PETSC_ERR_USER_INPUT, "%s: Butler-Volmer kinetics need an open-circuit potential (<ocp>) and an exchange current (<exchange_current>)", where);
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsGetKinetics(Physics phys, Kinetics *k)
{
  PetscFunctionBeginUser;
  *k = phys->kinetics;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsHasOCP(Physics phys, PetscBool *has)
{
  PetscFunctionBeginUser;
  *has = phys->U.n ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsOCP(Physics phys, PetscReal theta, PetscReal *U, PetscReal *dU)
{
  PetscReal d;

  PetscFunctionBeginUser;
  PetscCheck(phys->U.n, phys->comm, PETSC_ERR_ARG_WRONGSTATE, "no open-circuit potential given");
  PhysLaw(theta, phys->U.block, U, &d);
  if (dU) *dU = d;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsExchangeCurrent(Physics phys, PetscReal theta, PetscReal *i0, PetscReal *di0)
{
  PetscReal d;

  PetscFunctionBeginUser;
  PetscCheck(phys->i0.n, phys->comm, PETSC_ERR_ARG_WRONGSTATE, "no exchange current given");
  PhysExchange(theta, phys->constants, i0, &d);
  if (di0) *di0 = d;
  PetscFunctionReturn(0);
}

/* η such that i0(θ)[e^{(1−β)fη} − e^{−βfη}] = i: Newton from the symmetric (β = 1/2) solution */
PetscErrorCode PhysicsOverpotential(Physics phys, PetscReal theta, PetscReal i, PetscReal *eta)
{
  const PetscReal f = PHYS_F / (PHYS_R * phys->temperature), b = phys->beta;
  PetscReal       i0, x;

  PetscFunctionBeginUser;
  PetscCall(PhysicsExchangeCurrent(phys, theta, &i0, NULL));
  x = 2.0 / f * PetscAsinhReal(i / (2 * i0));
  for (int it = 0; it < 100; ++it) {
    const PetscReal ea = PetscExpReal((1 - b) * f * x), ec = PetscExpReal(-b * f * x);
    const PetscReal g = i0 * (ea - ec) - i, dg = i0 * f * ((1 - b) * ea + b * ec), dx = g / dg;
    x -= dx;
    if (PetscAbsReal(dx) < 1e-15 * (1 + PetscAbsReal(x))) break;
  }
  *eta = x;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsOCPRange(Physics phys, PetscReal theta[2], PetscReal U[2])
{
  PetscFunctionBeginUser;
  theta[0] = phys->U.range[0] > -1 ? phys->U.range[0] : 1e-6;
  theta[1] = phys->U.range[1] < 2 ? phys->U.range[1] : 1 - 1e-6;
  PetscCall(PhysicsOCP(phys, theta[0], &U[0], NULL));
  PetscCall(PhysicsOCP(phys, theta[1], &U[1], NULL));
  PetscFunctionReturn(0);
}

/* θ with U(θ) = V (U monotone), by bisection; where names the input for the message */
PetscErrorCode PhysicsInvertOCP(Physics phys, PetscReal V, const char where[], PetscReal *theta)
{
  PetscReal th[2], U[2], lo, hi;

  PetscFunctionBeginUser;
  PetscCheck(phys->U.n, phys->comm, PETSC_ERR_USER_INPUT, "%s: a voltage needs an open-circuit potential (<material><ocp>)", where);
  PetscCall(PhysicsOCPRange(phys, th, U));
  PetscCheck((V - U[0]) * (V - U[1]) <= 0, phys->comm, PETSC_ERR_USER_INPUT, "%s: %g V lies outside the open-circuit potential%s%s (%g V to %g V over theta %g to %g)", where, (double)V, phys->U.source[0] ? " table " : "", phys->U.source, (double)PetscMin(U[0], U[1]), (double)PetscMax(U[0], U[1]), (double)th[0], (double)th[1]);
  lo = th[0];
  hi = th[1];
  for (int it = 0; it < 200 && hi - lo > 1e-15; ++it) {
    const PetscReal mid = 0.5 * (lo + hi);
    PetscReal       Um;
    PetscCall(PhysicsOCP(phys, mid, &Um, NULL));
    if ((Um - V) * (U[0] - V) > 0) lo = mid;
    else hi = mid;
  }
  *theta = 0.5 * (lo + hi);
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsSeriesResistance(Physics phys, PetscReal *R, PetscBool *area_specific)
{
  PetscFunctionBeginUser;
  *R = phys->series_resistance;
  if (area_specific) *area_specific = phys->series_area_specific;
  PetscFunctionReturn(0);
}

/* Current density i (A/m², > 0 anodic) to the outward N/c_max (µm/s) */
PetscErrorCode PhysicsCurrentToFlux(Physics phys, PetscReal i, PetscReal *flux)
{
  PetscFunctionBeginUser;
  *flux = i / (PHYS_F * phys->c_max) * 1e6;
  PetscFunctionReturn(0);
}
