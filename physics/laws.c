/* Scalar material laws y(θ) with exact derivatives: the one evaluator the kernels call.

   A law is a block [id, n, data(n)] inside constants[]:
     LAW_CONSTANT        y = a
     LAW_EXPONENTIAL     y = a exp(r (θ − θref))                                  dy = r y
     LAW_LOG_LOGISTIC    y = a 10^(Δ σ(u)), σ = 1/(1+e^u), u = (θ−θc)/w            dy = −y ln10 Δ σ(1−σ)/w
     LAW_LOGISTIC        y = a σ(s (θ − θc)) = a / (1 + exp(s (θ − θc)))           dy = −a s σ (1−σ)
     LAW_POWER           y = a θ^p (1 − θ)^q, 0 outside (0, 1)                  dy = y (p/θ − q/(1−θ))
     LAW_LINEAR          y = a + r (θ − θref)                                      dy = r
     LAW_NERNST          y = a − k ln(θ/(1−θ))   (k = RT/F)                         dy = −k/(θ(1−θ))
     LAW_TABLE_LINEAR    PCHIP of y against θ
     LAW_TABLE_LOG       PCHIP of log10 y against θ:  y = 10^p,  dy = y ln10 p'
   Tables store θ[m], values[m], slopes[m] (Fritsch–Butland slopes, shape preserving: monotone
   data give a monotone interpolant); outside the table the end value holds and dy = 0. */
#include "physics/physimpl.h"
#include "input/input.h"
#include <string.h>

#define LN10 2.302585092994045684

static inline PetscReal Sigmoid(PetscReal u) /* 1/(1+e^u) without overflow */
{
  if (u > 0) {
    const PetscReal e = PetscExpReal(-u);
    return e / (1 + e);
  }
  return 1 / (1 + PetscExpReal(u));
}

void PhysLaw(PetscReal x, const PetscScalar block[], PetscReal *y, PetscReal *dy)
{
  const PetscScalar *p = &block[2];

  switch ((PhysLawType)(PetscInt)PetscRealPart(block[0])) {
  case LAW_CONSTANT:
    *y  = PetscRealPart(p[0]);
    *dy = 0;
    break;
  case LAW_EXPONENTIAL:
    *y  = PetscRealPart(p[0]) * PetscExpReal(PetscRealPart(p[1]) * (x - PetscRealPart(p[2])));
    *dy = PetscRealPart(p[1]) * *y;
    break;
  case LAW_LOG_LOGISTIC: {
    const PetscReal a = PetscRealPart(p[0]), decades = PetscRealPart(p[1]), xc = PetscRealPart(p[2]), w = PetscRealPart(p[3]);
    const PetscReal s = Sigmoid((x - xc) / w);
    *y  = a * PetscExpReal(LN10 * decades * s);
    *dy = -(*y) * LN10 * decades * s * (1 - s) / w;
  } break;
  case LAW_LOGISTIC: {
    const PetscReal a = PetscRealPart(p[0]), steep = PetscRealPart(p[1]), xc = PetscRealPart(p[2]);
    const PetscReal s = Sigmoid(steep * (x - xc));
    *y  = a * s;
    *dy = -a * steep * s * (1 - s);
  } break;
  case LAW_POWER: { /* no lithium or no vacancies: no reaction (y = 0 outside (0, 1)) */
    const PetscReal a = PetscRealPart(p[0]), pa = PetscRealPart(p[1]), pb = PetscRealPart(p[2]);
    if (x <= 0 || x >= 1) {
      *y  = (x <= 0 && pa == 0) || (x >= 1 && pb == 0) ? a : 0;
      *dy = 0;
    } else {
      *y  = a * PetscPowReal(x, pa) * PetscPowReal(1 - x, pb);
      *dy = *y * (pa / x - pb / (1 - x));
    }
  } break;
  case LAW_LINEAR:
    *y  = PetscRealPart(p[0]) + PetscRealPart(p[1]) * (x - PetscRealPart(p[2]));
    *dy = PetscRealPart(p[1]);
    break;
  case LAW_NERNST: {
    const PetscReal t = PetscMin(PetscMax(x, 1e-12), 1 - 1e-12), k = PetscRealPart(p[1]);
    *y  = PetscRealPart(p[0]) - k * PetscLogReal(t / (1 - t));
    *dy = (x == t) ? -k / (t * (1 - t)) : 0;
  } break;
  case LAW_TABLE_LINEAR:
  case LAW_TABLE_LOG: {
    const PetscInt   m = (PetscInt)PetscRealPart(block[1]) / 3;
    const PetscReal *xs = (const PetscReal *)p, *ys = xs + m, *s = ys + m;
    PetscInt         lo = 0, hi = m - 1;
    PetscReal        v, dv;
    if (x <= xs[0]) {
      v  = ys[0];
      dv = 0;
    } else if (x >= xs[m - 1]) {
      v  = ys[m - 1];
      dv = 0;
    } else {
      while (hi - lo > 1) { /* xs[lo] <= x < xs[hi] */
        const PetscInt mid = (lo + hi) / 2;
        if (xs[mid] <= x) lo = mid;
        else hi = mid;
      }
      {
        const PetscReal h = xs[hi] - xs[lo], t = (x - xs[lo]) / h, t2 = t * t, t3 = t2 * t;
        v  = (2 * t3 - 3 * t2 + 1) * ys[lo] + (t3 - 2 * t2 + t) * h * s[lo] + (-2 * t3 + 3 * t2) * ys[hi] + (t3 - t2) * h * s[hi];
        dv = ((6 * t2 - 6 * t) * ys[lo] + (3 * t2 - 4 * t + 1) * h * s[lo] + (-6 * t2 + 6 * t) * ys[hi] + (3 * t2 - 2 * t) * h * s[hi]) / h;
      }
    }
    if ((PhysLawType)(PetscInt)PetscRealPart(block[0]) == LAW_TABLE_LOG) {
      *y  = PetscExpReal(LN10 * v);
      *dy = *y * LN10 * dv;
    } else {
      *y  = v;
      *dy = dv;
    }
  } break;
  default:
    *y  = 0;
    *dy = 0;
  }
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

/* A unit spelled in a column name: D_cm2_per_s, j0_A_per_m2, ocp_V, ... ("" if none) */
static void UnitFromColumn(const char name[], char unit[], size_t len)
{
  static const char *const suffix[][2] = {
    {"_cm2_per_s", "cm2/s"}, {"_m2_per_s", "m2/s"}, {"_mA_per_cm2", "mA/cm2"}, {"_A_per_m2", "A/m2"}, {"_mV", "mV"}, {"_V", "V"},
  };
  const size_t n = strlen(name);
  unit[0]        = 0;
  for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); ++i) {
    const size_t k = strlen(suffix[i][0]);
    if (n >= k && !strcmp(name + n - k, suffix[i][0])) {
      snprintf(unit, len, "%s", suffix[i][1]);
      return;
    }
  }
}

/* Fill block = [LAW_TABLE_*, 3m, θ[m], y[m], slopes[m]] from the table named by the options
   <prefix>_file, _theta_column, _value_column, _unit (values converted to internal units of
   kind; y > 0 required for log tables). what names the law in messages. */
PetscErrorCode PhysLawTableFromOptions(Physics phys, const char prefix[], const char what[], UnitKind kind, PetscBool logscale, PetscScalar block[], PetscInt *n, PetscReal range[2], char source[], size_t len)
{
  char       file[PETSC_MAX_PATH_LEN], tcol[128] = "", vcol[128] = "", unit[64] = "", where[PETSC_MAX_PATH_LEN], opt[128];
  PetscBool  set, tset, vset, uset;
  InputTable t;
  PetscInt   it = 0, iv = 1, m, sign;
  PetscReal *x, *y, factor = 1, offset = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s_law", prefix));
  PetscCall(InputOptionWhere(opt, where, sizeof(where)));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s_file", prefix));
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, file, sizeof(file), &set));
  PetscCheck(set, phys->comm, PETSC_ERR_USER_INPUT, "%s: a %s table needs a file (attribute file= or %s)", where, what, opt);
  {
    char label[96];
    PetscCall(PetscSNPrintf(label, sizeof(label), "%s table", what));
    PetscCall(InputCheckReadable(phys->comm, file, label));
  }
  PetscCall(InputTableRead(phys->comm, file, &t));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s_theta_column", prefix));
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, tcol, sizeof(tcol), &tset));
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s_value_column", prefix));
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, vcol, sizeof(vcol), &vset));
  if (tset) PetscCall(InputTableColumn(&t, file, tcol, &it));
  if (vset) PetscCall(InputTableColumn(&t, file, vcol, &iv));
  PetscCheck(t.ncols >= 2, phys->comm, PETSC_ERR_USER_INPUT, "%s: a %s table needs two columns (theta and the value), found %" PetscInt_FMT, file, what, t.ncols);
  PetscCall(PetscSNPrintf(opt, sizeof(opt), "%s_unit", prefix));
  PetscCall(PetscOptionsGetString(NULL, NULL, opt, unit, sizeof(unit), &uset));
  if (!uset) { /* the shipped tables name their unit in the header */
    UnitFromColumn(t.names[iv], unit, sizeof(unit));
    PetscCheck(unit[0], phys->comm, PETSC_ERR_USER_INPUT, "%s: the unit of column '%s' of %s is not known; give unit=\"...\" (a unit of %s)", where, t.names[iv], file, UnitKindNames[kind]);
  }
  {
    PetscBool ok;
    PetscReal zero;
    PetscCall(UnitToInternal(unit, kind, 1.0, &factor, &ok));
    PetscCall(UnitToInternal(unit, kind, 0.0, &zero, &ok));
    PetscCheck(ok && unit[0], phys->comm, PETSC_ERR_USER_INPUT, "%s: '%s' is not a unit of %s", where, unit, UnitKindNames[kind]);
    offset = zero;
    factor -= zero;
  }
  m = t.nrows;
  PetscCheck(m >= 2, phys->comm, PETSC_ERR_USER_INPUT, "%s: a %s table needs at least 2 rows, found %" PetscInt_FMT, file, what, m);
  PetscCheck(m <= PHYS_MAX_TABLE, phys->comm, PETSC_ERR_USER_INPUT, "%s: at most %d rows, found %" PetscInt_FMT, file, PHYS_MAX_TABLE, m);
  sign = t.values[it + t.ncols] > t.values[it] ? 1 : -1;
  for (PetscInt r = 0; r < m; ++r) {
    const PetscReal th = t.values[r * t.ncols + it], v = t.values[r * t.ncols + iv];
    PetscCheck(!PetscIsInfOrNanReal(th) && !PetscIsInfOrNanReal(v), phys->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": expected finite numbers, got %g and %g", file, t.lines[r], (double)th, (double)v);
    if (logscale) PetscCheck(v > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": %s must be positive, got %g", file, t.lines[r], what, (double)v);
    if (r) {
      const PetscReal prev = t.values[(r - 1) * t.ncols + it];
      PetscCheck(sign * (th - prev) > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": column '%s' must be strictly monotone, but %g follows %g (line %" PetscInt_FMT ")", file, t.lines[r], t.names[it], (double)th, (double)prev, t.lines[r - 1]);
    }
  }
  x = (PetscReal *)&block[2];
  y = x + m;
  for (PetscInt r = 0; r < m; ++r) { /* stored with θ increasing */
    const PetscInt  row = sign > 0 ? r : m - 1 - r;
    const PetscReal v   = t.values[row * t.ncols + iv] * factor + offset;
    x[r]                = t.values[row * t.ncols + it];
    y[r]                = logscale ? PetscLog10Real(v) : v;
  }
  PchipSlopes(m, x, y, y + m);
  block[0] = logscale ? LAW_TABLE_LOG : LAW_TABLE_LINEAR;
  *n       = 3 * m;
  range[0] = x[0];
  range[1] = x[m - 1];
  PetscCall(PetscStrncpy(source, file, len));
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

/* Options helpers for the law set-up functions */
PetscErrorCode PhysLawGetReal(Physics phys, const char name[], UnitKind kind, PetscReal *v, PetscBool required, const char what[])
{
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, kind, v, &set));
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(set || !required, phys->comm, PETSC_ERR_USER_INPUT, "%s: the law needs %s (%s)", where, what, name);
  PetscFunctionReturn(0);
}

PetscErrorCode PhysLawGetPositive(Physics phys, const char name[], UnitKind kind, PetscReal *v, PetscBool required, const char what[])
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PhysLawGetReal(phys, name, kind, v, required, what));
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(*v > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s: %s must be positive, got %g", where, what, (double)*v);
  PetscFunctionReturn(0);
}

/* A law block [type, n, p0, p1, ...] from its parameters' options */
PetscErrorCode PhysLawFromParameters(Physics phys, PhysLawType type, PetscInt np, PhysLawParameter par[], PetscScalar block[], PetscInt *n)
{
  PetscFunctionBeginUser;
  block[0] = type;
  for (PetscInt i = 0; i < np; ++i) {
    if (par[i].positive) PetscCall(PhysLawGetPositive(phys, par[i].option, par[i].unit, &par[i].value, par[i].required, par[i].what));
    else PetscCall(PhysLawGetReal(phys, par[i].option, par[i].unit, &par[i].value, par[i].required, par[i].what));
    block[2 + i] = par[i].value;
  }
  *n = np;
  PetscFunctionReturn(0);
}
