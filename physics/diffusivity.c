/* D_GITT(θ): the diffusivity laws, chosen by name (-phys_diffusivity_law), all in this file.

   constant      D = D0
   exponential   D = D_ref exp(r (θ − θ_ref))                         dD/dθ = r D
   logistic      D = D_lith 10^(Δ σ(u)),  σ = 1/(1+e^u),  u = (θ−θc)/w
                 dD/dθ = −D ln10 Δ σ (1−σ) / w
   ni_rich_smooth  the logistic law of data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv:
                 D_lith = 1e-14/2.7 cm²/s, Δ = 2.3, θc = 0.88, w = 0.025
   table         monotone cubic Hermite (PCHIP, Fritsch–Butland slopes) of log10 D against θ,
                 p(θ) on [θk, θk+1];  D = 10^p,  dD/dθ = D ln10 p'(θ)  (exact for the interpolant);
                 clamped (D constant, dD/dθ = 0) outside the table, with one warning per run.

   The law block in constants[] is [id, n, data(n)]; tables store θ[m], log10 D[m], slope[m]. */
#include "physics/physimpl.h"
#include "input/input.h"
#include <string.h>

#define LN10 2.302585092994045684

static PetscFunctionList laws = NULL;

/* ---- pure evaluation (called from the kernels) ---- */
void PhysDiffusivity(PetscReal theta, const PetscScalar law[], PetscReal *D, PetscReal *dD)
{
  const PetscScalar *p = &law[2];

  switch ((DiffusivityLawType)(PetscInt)PetscRealPart(law[0])) {
  case LAW_CONSTANT:
    *D  = PetscRealPart(p[0]);
    *dD = 0;
    break;
  case LAW_EXPONENTIAL: {
    const PetscReal D_ref = PetscRealPart(p[0]), r = PetscRealPart(p[1]), theta_ref = PetscRealPart(p[2]);
    *D  = D_ref * PetscExpReal(r * (theta - theta_ref));
    *dD = r * *D;
  } break;
  case LAW_LOGISTIC: {
    const PetscReal D_lith = PetscRealPart(p[0]), decades = PetscRealPart(p[1]), theta_c = PetscRealPart(p[2]), w = PetscRealPart(p[3]);
    const PetscReal u = (theta - theta_c) / w;
    PetscReal       sigma;
    if (u > 0) {
      const PetscReal e = PetscExpReal(-u);
      sigma             = e / (1 + e);
    } else sigma = 1 / (1 + PetscExpReal(u));
    *D  = D_lith * PetscExpReal(LN10 * (decades * sigma));
    *dD = -(*D) * LN10 * decades * sigma * (1 - sigma) / w;
  } break;
  case LAW_TABLE: {
    const PetscInt   m = (PetscInt)PetscRealPart(law[1]) / 3;
    const PetscReal *x = (const PetscReal *)p, *y = x + m, *s = y + m;
    PetscInt         lo = 0, hi = m - 1;
    if (theta <= x[0]) {
      *D  = PetscExpReal(LN10 * (y[0]));
      *dD = 0;
      break;
    }
    if (theta >= x[m - 1]) {
      *D  = PetscExpReal(LN10 * (y[m - 1]));
      *dD = 0;
      break;
    }
    while (hi - lo > 1) { /* x[lo] <= theta < x[hi] */
      const PetscInt mid = (lo + hi) / 2;
      if (x[mid] <= theta) lo = mid;
      else hi = mid;
    }
    {
      const PetscReal h = x[hi] - x[lo], t = (theta - x[lo]) / h, t2 = t * t, t3 = t2 * t;
      const PetscReal pv  = (2 * t3 - 3 * t2 + 1) * y[lo] + (t3 - 2 * t2 + t) * h * s[lo] + (-2 * t3 + 3 * t2) * y[hi] + (t3 - t2) * h * s[hi];
      const PetscReal dpv = ((6 * t2 - 6 * t) * y[lo] + (3 * t2 - 4 * t + 1) * h * s[lo] + (-6 * t2 + 6 * t) * y[hi] + (3 * t2 - 2 * t) * h * s[hi]) / h;
      *D                  = PetscExpReal(LN10 * (pv));
      *dD                 = *D * LN10 * dpv;
    }
  } break;
  default:
    *D  = 0;
    *dD = 0;
  }
}

/* ---- options helpers ---- */
static PetscErrorCode GetPositive(const char name[], UnitKind kind, PetscReal *v, PetscBool required, const char what[])
{
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, kind, v, &set));
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(set || !required, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: the diffusivity law needs %s (%s)", where, what, name);
  PetscCheck(*v > 0, PETSC_COMM_WORLD, PETSC_ERR_USER_INPUT, "%s: %s must be positive, got %g", where, what, (double)*v);
  PetscFunctionReturn(0);
}

static PetscErrorCode GetReal(const char name[], PetscReal *v)
{
  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, UNIT_NONE, v, NULL));
  PetscFunctionReturn(0);
}

/* ---- set-up functions: fill law = [id, n, data] ---- */
static PetscErrorCode LawConstant(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscReal D = 0;

  PetscFunctionBeginUser;
  PetscCall(GetPositive("-phys_diffusivity_value", UNIT_DIFFUSIVITY, &D, PETSC_TRUE, "a diffusivity value D"));
  law[0] = LAW_CONSTANT;
  law[2] = D;
  *n     = 1;
  PetscFunctionReturn(0);
}

static PetscErrorCode LawExponential(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscReal D_ref = 0, rate = 0, theta_ref = 1;

  PetscFunctionBeginUser;
  PetscCall(GetPositive("-phys_diffusivity_D_ref", UNIT_DIFFUSIVITY, &D_ref, PETSC_TRUE, "D_ref"));
  PetscCall(GetReal("-phys_diffusivity_rate", &rate));
  PetscCall(GetReal("-phys_diffusivity_theta_ref", &theta_ref));
  law[0] = LAW_EXPONENTIAL;
  law[2] = D_ref;
  law[3] = rate;
  law[4] = theta_ref;
  *n     = 3;
  PetscFunctionReturn(0);
}

static PetscErrorCode LogisticFill(PetscScalar law[], PetscInt *n, PetscReal D_lith, PetscReal decades, PetscReal theta_c, PetscReal width, PetscBool required)
{
  PetscFunctionBeginUser;
  PetscCall(GetPositive("-phys_diffusivity_D_lithiated", UNIT_DIFFUSIVITY, &D_lith, required, "D_lithiated"));
  PetscCall(GetReal("-phys_diffusivity_decades", &decades));
  PetscCall(GetReal("-phys_diffusivity_theta_c", &theta_c));
  PetscCall(GetPositive("-phys_diffusivity_width", UNIT_NONE, &width, PETSC_FALSE, "the width of the logistic step"));
  law[0] = LAW_LOGISTIC;
  law[2] = D_lith;
  law[3] = decades;
  law[4] = theta_c;
  law[5] = width;
  *n     = 4;
  PetscFunctionReturn(0);
}

static PetscErrorCode LawLogistic(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(LogisticFill(law, n, 0, 2.0, 0.88, 0.025, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* 1e-14/2.7 cm²/s = 3.7037e-7 µm²/s */
static PetscErrorCode LawNiRichSmooth(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(LogisticFill(law, n, 1e-14 * 1e8 / 2.7, 2.3, 0.88, 0.025, PETSC_FALSE));
  PetscFunctionReturn(0);
}

/* PCHIP slopes (Fritsch–Butland interior, shape-preserving three-point ends) */
static void PchipSlopes(PetscInt m, const PetscReal x[], const PetscReal y[], PetscReal s[])
{
  if (m == 2) {
    s[0] = s[1] = (y[1] - y[0]) / (x[1] - x[0]);
    return;
  }
  for (PetscInt k = 1; k < m - 1; ++k) {
    const PetscReal h0 = x[k] - x[k - 1], h1 = x[k + 1] - x[k];
    const PetscReal d0 = (y[k] - y[k - 1]) / h0, d1 = (y[k + 1] - y[k]) / h1;
    if (d0 * d1 <= 0) s[k] = 0;
    else {
      const PetscReal w1 = 2 * h1 + h0, w2 = h1 + 2 * h0;
      s[k] = (w1 + w2) / (w1 / d0 + w2 / d1);
    }
  }
  for (int end = 0; end < 2; ++end) {
    const PetscInt  k0 = end ? m - 1 : 0, k1 = end ? m - 2 : 1, k2 = end ? m - 3 : 2;
    const PetscReal h0 = PetscAbsReal(x[k1] - x[k0]), h1 = PetscAbsReal(x[k2] - x[k1]);
    const PetscReal d0 = (y[k1] - y[k0]) / (x[k1] - x[k0]), d1 = (y[k2] - y[k1]) / (x[k2] - x[k1]);
    PetscReal       e  = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
    if (e * d0 <= 0) e = 0;
    else if (d0 * d1 <= 0 && PetscAbsReal(e) > 3 * PetscAbsReal(d0)) e = 3 * d0;
    s[k0] = e;
  }
}

static PetscErrorCode LawTable(Physics phys, PetscScalar law[], PetscInt *n)
{
  char        file[PETSC_MAX_PATH_LEN], tcol[128] = "", vcol[128] = "", unit[64] = "", where[PETSC_MAX_PATH_LEN];
  PetscBool   set, tset, vset, uset;
  InputTable  t;
  PetscInt    it = 0, iv = 1, m, sign;
  PetscReal  *x, *y, factor = 1;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_file", file, sizeof(file), &set));
  PetscCall(InputOptionWhere("-phys_diffusivity_law", where, sizeof(where)));
  PetscCheck(set, phys->comm, PETSC_ERR_USER_INPUT, "%s: a diffusivity table needs a file (attribute file= or -phys_diffusivity_file)", where);
  PetscCall(InputCheckReadable(phys->comm, file, "diffusivity table"));
  PetscCall(InputTableRead(phys->comm, file, &t));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_theta_column", tcol, sizeof(tcol), &tset));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_value_column", vcol, sizeof(vcol), &vset));
  if (tset) PetscCall(InputTableColumn(&t, file, tcol, &it));
  if (vset) PetscCall(InputTableColumn(&t, file, vcol, &iv));
  PetscCheck(t.ncols >= 2, phys->comm, PETSC_ERR_USER_INPUT, "%s: a diffusivity table needs two columns (theta, D), found %" PetscInt_FMT, file, t.ncols);
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_unit", unit, sizeof(unit), &uset));
  if (!uset) { /* the shipped tables name their unit in the header */
    const char *name = t.names[iv];
    if (strstr(name, "cm2_per_s")) PetscCall(PetscStrncpy(unit, "cm2/s", sizeof(unit)));
    else if (strstr(name, "m2_per_s")) PetscCall(PetscStrncpy(unit, "m2/s", sizeof(unit)));
    PetscCheck(unit[0], phys->comm, PETSC_ERR_USER_INPUT, "%s: the unit of column '%s' of %s is not known; give unit=\"cm2/s\" (or m2/s) on <diffusivity>", where, name, file);
  }
  {
    PetscBool ok;
    PetscCall(UnitToInternal(unit, UNIT_DIFFUSIVITY, 1.0, &factor, &ok));
    PetscCheck(ok && unit[0], phys->comm, PETSC_ERR_USER_INPUT, "%s: '%s' is not a unit of diffusivity (use m2/s or cm2/s)", where, unit);
  }
  m = t.nrows;
  PetscCheck(m >= 2, phys->comm, PETSC_ERR_USER_INPUT, "%s: a diffusivity table needs at least 2 rows, found %" PetscInt_FMT, file, m);
  PetscCheck(m <= PHYS_MAX_TABLE, phys->comm, PETSC_ERR_USER_INPUT, "%s: at most %d rows, found %" PetscInt_FMT, file, PHYS_MAX_TABLE, m);
  sign = t.values[it + t.ncols] > t.values[it] ? 1 : -1;
  for (PetscInt r = 0; r < m; ++r) {
    const PetscReal th = t.values[r * t.ncols + it], D = t.values[r * t.ncols + iv];
    PetscCheck(D > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": D must be positive, got %g", file, t.lines[r], (double)D);
    if (r) {
      const PetscReal prev = t.values[(r - 1) * t.ncols + it];
      PetscCheck(sign * (th - prev) > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": column '%s' must be strictly monotone, but %g follows %g (line %" PetscInt_FMT ")", file, t.lines[r], t.names[it], (double)th, (double)prev, t.lines[r - 1]);
    }
  }
  x = (PetscReal *)&law[2];
  y = x + m;
  for (PetscInt r = 0; r < m; ++r) { /* stored with θ increasing */
    const PetscInt row = sign > 0 ? r : m - 1 - r;
    x[r]               = t.values[row * t.ncols + it];
    y[r]               = PetscLog10Real(t.values[row * t.ncols + iv] * factor);
  }
  PchipSlopes(m, x, y, y + m);
  law[0]                = LAW_TABLE;
  *n                    = 3 * m;
  phys->table_range[0] = x[0];
  phys->table_range[1] = x[m - 1];
  PetscCall(PetscStrncpy(phys->law_source, file, sizeof(phys->law_source)));
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsDiffusivityRegister(const char name[], PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *))
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&laws, name, setup));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterAll(void)
{
  static PetscBool done = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(PhysicsDiffusivityRegister("constant", LawConstant));
  PetscCall(PhysicsDiffusivityRegister("exponential", LawExponential));
  PetscCall(PhysicsDiffusivityRegister("logistic", LawLogistic));
  PetscCall(PhysicsDiffusivityRegister("ni_rich_smooth", LawNiRichSmooth));
  PetscCall(PhysicsDiffusivityRegister("table", LawTable));
  PetscFunctionReturn(0);
}

/* Reads -phys_diffusivity_law and fills the law block of the constants */
PetscErrorCode PhysicsDiffusivitySetUp(Physics phys)
{
  PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *) = NULL;
  PetscScalar *law;
  PetscInt     n = 0;
  PetscBool    set;
  char         where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(RegisterAll());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_law", phys->law_name, sizeof(phys->law_name), &set));
  PetscCall(InputOptionWhere("-phys_diffusivity_law", where, sizeof(where)));
  PetscCheck(set, phys->comm, PETSC_ERR_USER_INPUT, "no diffusivity law: give <material><diffusivity law=...> or -phys_diffusivity_law (constant, exponential, logistic, ni_rich_smooth, table)");
  PetscCall(PetscFunctionListFind(laws, phys->law_name, &setup));
  PetscCheck(setup, phys->comm, PETSC_ERR_USER_INPUT, "%s: unknown diffusivity law '%s' (known: constant, exponential, logistic, ni_rich_smooth, table)", where, phys->law_name);
  PetscCall(PetscCalloc1(2 + 3 * PHYS_MAX_TABLE, &law));
  PetscCall((*setup)(phys, law, &n));
  law[1] = n;
  PetscCall(PetscFree(phys->constants));
  phys->nconstants = PHYS_LAW + 2 + n;
  PetscCall(PetscCalloc1(phys->nconstants, &phys->constants));
  PetscCall(PetscArraycpy(&phys->constants[PHYS_LAW], law, 2 + n));
  PetscCall(PetscFree(law));
  PetscFunctionReturn(0);
}
