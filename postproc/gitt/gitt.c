/* gitt: pulse finder and Weppner–Huggins analysis of a GITT record (see gitt.h for the method).

   Units inside: t s, I A (positive = charge), V V, Q A·s, L µm, D µm²/s; the CSV writers
   convert D to cm²/s (× 1e-8) and charge to Ah. */
#include "postproc/gitt/gitt.h"
#include "input/input.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GITT_MIN_REST_SAMPLES 3
#define GITT_MAX_LENGTH 1e4   /* um */
#define GITT_THETA_SLACK 0.25 /* θ by coulomb counting may leave [0, 1] by this much (a rough capacity) */

typedef enum {
  GITT_EDGES_PREVIOUS,
  GITT_EDGES_MIDPOINT
} GittEdges;
static const char *const GittEdgesNames[] = {"previous", "midpoint", "GittEdges", "GITT_EDGES_", NULL};

struct _p_Gitt {
  MPI_Comm   comm;
  char       source[PETSC_MAX_PATH_LEN];
  char       description[1024];
  PetscInt   n;
  PetscReal *t, *current, *voltage;
  PetscInt  *lines; /* NULL: messages name samples */

  PetscReal length, theta_start, capacity;
  PetscBool length_set, theta_start_set, capacity_set;
  char      length_what[PETSC_MAX_PATH_LEN], theta_start_what[PETSC_MAX_PATH_LEN], capacity_what[PETSC_MAX_PATH_LEN];
  PetscReal threshold, fit_window[2], relax_window, max_drift, max_ratio, min_r2, current_tolerance;
  PetscBool allow_unrelaxed;
  GittEdges edges;

  PetscBool  found, analysed;
  PetscReal  pulse_current, noise;
  PetscInt   npulses, nused;
  GittPulse *pulses;
  PetscInt   ntable;
  PetscReal *table_theta, *table_D;
  PetscReal  capacity_used, theta_start_used;
  PostprocFiles files; /* where the outputs go (NULL: each published when written) */
};

PetscErrorCode GittCreate(MPI_Comm comm, Gitt *gitt)
{
  Gitt g;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&g));
  g->comm              = comm;
  g->threshold         = 0.05;
  g->fit_window[0]     = 0.1;
  g->fit_window[1]     = 1.0;
  g->relax_window      = 0.1;
  g->max_drift         = 10e-3 / 3600; /* 10 mV/h */
  g->max_ratio         = 0.1;
  g->min_r2            = 0.98;
  g->current_tolerance = 0.05;
  PetscCall(PetscStrncpy(g->source, "record", sizeof(g->source)));
  *gitt = g;
  PetscFunctionReturn(0);
}

static PetscErrorCode GittReset(Gitt g)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(g->pulses));
  PetscCall(PetscFree2(g->table_theta, g->table_D));
  g->npulses = g->nused = g->ntable = 0;
  g->found = g->analysed = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode GittDestroy(Gitt *gitt)
{
  Gitt g = *gitt;

  PetscFunctionBeginUser;
  if (!g) PetscFunctionReturn(0);
  PetscCall(GittReset(g));
  PetscCall(PetscFree3(g->t, g->current, g->voltage));
  PetscCall(PetscFree(g->lines));
  PetscCall(PetscFree(g));
  *gitt = NULL;
  PetscFunctionReturn(0);
}

/* "record.csv:123" or "simulated record: sample 123" */
static void SampleWhere(Gitt g, PetscInt i, char buf[], size_t len)
{
  if (g->lines)
    snprintf(buf, len, "%s:%d", g->source, (int)g->lines[i]);
  else
    snprintf(buf, len, "%s: sample %d", g->source, (int)(i + 1));
}

static void SampleName(Gitt g, PetscInt i, char buf[], size_t len)
{
  if (g->lines)
    snprintf(buf, len, "line %d", (int)g->lines[i]);
  else
    snprintf(buf, len, "sample %d", (int)(i + 1));
}

PetscErrorCode GittSetRecord(Gitt g, const char source[], PetscInt n, const PetscReal t[], const PetscReal current[], const PetscReal voltage[], const PetscInt lines[])
{
  char where[PETSC_MAX_PATH_LEN + 32], prev[64];

  PetscFunctionBeginUser;
  PetscCall(GittReset(g));
  PetscCall(PetscFree3(g->t, g->current, g->voltage));
  PetscCall(PetscFree(g->lines));
  PetscCall(PetscStrncpy(g->source, source && source[0] ? source : "record", sizeof(g->source)));
  PetscCheck(n >= 2, g->comm, PETSC_ERR_USER_INPUT, "%s: the record has %" PetscInt_FMT " sample(s); a GITT record needs pulses and the rests between them", g->source, n);
  g->n = n;
  PetscCall(PetscMalloc3(n, &g->t, n, &g->current, n, &g->voltage));
  PetscCall(PetscArraycpy(g->t, t, n));
  PetscCall(PetscArraycpy(g->current, current, n));
  PetscCall(PetscArraycpy(g->voltage, voltage, n));
  if (lines) {
    PetscCall(PetscMalloc1(n, &g->lines));
    PetscCall(PetscArraycpy(g->lines, lines, n));
  }
  for (PetscInt i = 0; i < n; ++i) {
    SampleWhere(g, i, where, sizeof(where));
    PetscCheck(isfinite(t[i]) && isfinite(current[i]) && isfinite(voltage[i]), g->comm, PETSC_ERR_USER_INPUT, "%s: time, current and voltage must be finite numbers, got %.6g s, %.6g A, %.6g V", where, (double)t[i], (double)current[i], (double)voltage[i]);
    if (i) {
      SampleName(g, i - 1, prev, sizeof(prev));
      PetscCheck(t[i] > t[i - 1], g->comm, PETSC_ERR_USER_INPUT, "%s: time must increase strictly, but %.10g s follows %.10g s (%s)", where, (double)t[i], (double)t[i - 1], prev);
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GittSetRecordDescription(Gitt g, const char description[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(g->description, description ? description : "", sizeof(g->description)));
  PetscFunctionReturn(0);
}

PetscErrorCode GittSetLength(Gitt g, PetscReal length, const char what[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(g->length_what, what ? what : "option -gitt_length", sizeof(g->length_what)));
  PetscCheck(isfinite(length) && length > 0, g->comm, PETSC_ERR_USER_INPUT, "%s: the diffusion length L must be positive, got %.6g um", g->length_what, (double)length);
  PetscCheck(length <= GITT_MAX_LENGTH, g->comm, PETSC_ERR_USER_INPUT, "%s: a diffusion length of %.6g um is not that of a particle or an electrode (at most %.6g um = 1 cm); check its unit", g->length_what, (double)length, (double)GITT_MAX_LENGTH);
  g->length     = length;
  g->length_set = PETSC_TRUE;
  g->analysed   = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode GittSetThetaStart(Gitt g, PetscReal theta_start, const char what[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(g->theta_start_what, what ? what : "option -gitt_theta_start", sizeof(g->theta_start_what)));
  PetscCheck(theta_start >= 0 && theta_start <= 1, g->comm, PETSC_ERR_USER_INPUT, "%s: the initial theta must be in [0, 1], got %.6g", g->theta_start_what, (double)theta_start);
  g->theta_start     = theta_start;
  g->theta_start_set = PETSC_TRUE;
  g->analysed        = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode GittSetCapacity(Gitt g, PetscReal capacity, const char what[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(g->capacity_what, what ? what : "option -gitt_capacity", sizeof(g->capacity_what)));
  PetscCheck(isfinite(capacity) && capacity > 0, g->comm, PETSC_ERR_USER_INPUT, "%s: the capacity must be positive, got %.6g As", g->capacity_what, (double)capacity);
  g->capacity     = capacity;
  g->capacity_set = PETSC_TRUE;
  g->analysed     = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* A dimensionless option in (lo, hi] (or [lo, hi] when closed) */
static PetscErrorCode GetFraction(Gitt g, const char name[], PetscReal lo, PetscReal hi, PetscBool closed, const char what[], PetscReal *value)
{
  PetscReal v;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, UNIT_NONE, &v, &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck((closed ? v >= lo : v > lo) && v <= hi, g->comm, PETSC_ERR_USER_INPUT, "%s: %s must be in %s%.6g, %.6g], got %.6g", where, what, closed ? "[" : "(", (double)lo, (double)hi, (double)v);
  *value = v;
  PetscFunctionReturn(0);
}

PetscErrorCode GittSetFromOptions(Gitt g)
{
  PetscReal v, window[2];
  PetscInt  nw = 2;
  PetscBool set;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity("-gitt_length", UNIT_LENGTH, &v, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_length", where, sizeof(where)));
    PetscCall(GittSetLength(g, v, where));
  }
  PetscCall(InputGetQuantity("-gitt_theta_start", UNIT_NONE, &v, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_theta_start", where, sizeof(where)));
    PetscCall(GittSetThetaStart(g, v, where));
  }
  PetscCall(InputGetQuantity("-gitt_capacity", UNIT_CAPACITY, &v, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_capacity", where, sizeof(where)));
    PetscCall(GittSetCapacity(g, v, where));
  }
  PetscCall(GetFraction(g, "-gitt_current_threshold", 0, 0.5, PETSC_FALSE, "the current threshold (a fraction of the pulse current)", &g->threshold));
  PetscCall(GetFraction(g, "-gitt_relax_window", 0, 1, PETSC_FALSE, "the relaxation window (a fraction of the rest)", &g->relax_window));
  PetscCall(GetFraction(g, "-gitt_min_r2", 0, 1, PETSC_TRUE, "the minimum R^2 of the sqrt(t) fit", &g->min_r2));
  PetscCall(GetFraction(g, "-gitt_current_tolerance", 0, 1, PETSC_FALSE, "the current tolerance (a fraction of the pulse current)", &g->current_tolerance));
  PetscCall(InputGetQuantityArray("-gitt_fit_window", UNIT_NONE, window, &nw, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_fit_window", where, sizeof(where)));
    PetscCheck(nw == 2 && window[0] >= 0 && window[0] < window[1] && window[1] <= 1, g->comm, PETSC_ERR_USER_INPUT, "%s: the fit window must be two fractions of the pulse time a,b with 0 <= a < b <= 1, e.g. 0.1,1", where);
    g->fit_window[0] = window[0];
    g->fit_window[1] = window[1];
  }
  PetscCall(InputGetQuantity("-gitt_max_drift", UNIT_NONE, &v, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_max_drift", where, sizeof(where)));
    PetscCheck(v > 0, g->comm, PETSC_ERR_USER_INPUT, "%s: the largest voltage drift at the end of a rest must be positive (mV/h), got %.6g", where, (double)v);
    g->max_drift = v * 1e-3 / 3600;
  }
  PetscCall(InputGetQuantity("-gitt_max_ratio", UNIT_NONE, &v, &set));
  if (set) {
    PetscCall(InputOptionWhere("-gitt_max_ratio", where, sizeof(where)));
    PetscCheck(v > 0, g->comm, PETSC_ERR_USER_INPUT, "%s: the largest tau D/L^2 must be positive, got %.6g", where, (double)v);
    g->max_ratio = v;
  }
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-gitt_allow_unrelaxed", &g->allow_unrelaxed, NULL));
  {
    char      name[64];
    PetscBool found = PETSC_FALSE;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-gitt_edges", name, sizeof(name), &set));
    if (set) {
      for (PetscInt e = 0; e < 2; ++e)
        if (!strcmp(name, GittEdgesNames[e])) {
          g->edges = (GittEdges)e;
          found    = PETSC_TRUE;
        }
      PetscCall(InputOptionWhere("-gitt_edges", where, sizeof(where)));
      PetscCheck(found, g->comm, PETSC_ERR_USER_INPUT, "%s: expected previous or midpoint, got '%s'", where, name);
    }
  }
  g->found = g->analysed = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- pulse finder */
static PetscReal Median3(PetscReal a, PetscReal b, PetscReal c)
{
  if (a > b) {
    const PetscReal s = a;
    a                 = b;
    b                 = s;
  }
  return c < a ? a : (c > b ? b : c);
}

static int CompareReal(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/* The rest between pulse j-1 and pulse j (j = 0: before the first; j = npulses: after the last) */
static void RestSamples(Gitt g, PetscInt j, PetscInt *a, PetscInt *b)
{
  *a = j ? g->pulses[j - 1].last + 1 : 0;
  *b = j < g->npulses ? g->pulses[j].first - 1 : g->n - 1;
}

PetscErrorCode GittFindPulses(Gitt g)
{
  const PetscInt n = g->n;
  PetscReal     *f, *d, hi, lo;
  PetscInt       cap = 16, in_rests = 0;

  PetscFunctionBeginUser;
  PetscCheck(n >= 2, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittSetRecord() first");
  PetscCall(GittReset(g));
  PetscCall(PetscMalloc2(n, &f, n, &d));
  for (PetscInt i = 0; i < n; ++i)
    f[i] = Median3(g->current[i ? i - 1 : 0], g->current[i], g->current[i + 1 < n ? i + 1 : n - 1]);
  g->pulse_current = 0;
  for (PetscInt i = 0; i < n; ++i)
    g->pulse_current = PetscMax(g->pulse_current, PetscAbsReal(f[i]));
  for (PetscInt i = 0; i + 1 < n; ++i)
    d[i] = PetscAbsReal(g->current[i + 1] - g->current[i]);
  qsort(d, (size_t)(n - 1), sizeof(PetscReal), CompareReal);
  g->noise = 1.4826 * d[(n - 1) / 2] / PetscSqrtReal(2.0); /* σ of white noise from the median step */
  if (!(g->pulse_current > 20 * g->noise)) PetscCall(PetscFree2(f, d));
  PetscCheck(g->pulse_current > 0, g->comm, PETSC_ERR_USER_INPUT, "no current pulses in %s: the current is zero throughout", g->source);
  PetscCheck(g->pulse_current > 20 * g->noise, g->comm, PETSC_ERR_USER_INPUT, "no current pulses in %s: the current never rises above its noise (largest |I| %.3g A, noise %.3g A)", g->source, (double)g->pulse_current, (double)g->noise);
  hi = PetscMin(PetscMax(0.2, 2 * g->threshold), 0.95) * g->pulse_current;
  lo = g->threshold * g->pulse_current;

  PetscCall(PetscMalloc1(cap, &g->pulses));
  for (PetscInt i = 0; i < n; ++i) {
    const PetscInt floor_ = g->npulses ? g->pulses[g->npulses - 1].last + 1 : 0;
    PetscReal      sign;
    PetscInt       a = i, b = i;
    GittPulse     *p;
    if (PetscAbsReal(f[i]) <= hi) continue;
    sign = f[i] > 0 ? 1 : -1;
    while (a > floor_ && sign * f[a - 1] > lo)
      --a;
    while (b + 1 < n && sign * f[b + 1] > lo)
      ++b;
    if (g->npulses == cap) {
      GittPulse *more;
      cap *= 2;
      PetscCall(PetscMalloc1(cap, &more));
      PetscCall(PetscArraycpy(more, g->pulses, g->npulses));
      PetscCall(PetscFree(g->pulses));
      g->pulses = more;
    }
    p = &g->pulses[g->npulses++];
    PetscCall(PetscMemzero(p, sizeof(*p)));
    p->first = a;
    p->last  = b;
    i        = b;
  }
  PetscCall(PetscFree2(f, d));
  PetscCheck(g->npulses > 0, g->comm, PETSC_ERR_USER_INPUT, "no current pulses in %s: no sample rises above %.3g A (%.3g of the largest current %.3g A)", g->source, (double)hi, (double)(hi / g->pulse_current), (double)g->pulse_current);
  for (PetscInt j = 0; j <= g->npulses; ++j) {
    PetscInt a, b;
    RestSamples(g, j, &a, &b);
    in_rests += PetscMax(0, b - a + 1);
  }
  PetscCheck(in_rests > 0, g->comm, PETSC_ERR_USER_INPUT, "no rests in %s: the current never falls below %.3g A (%.6g of the pulse current %.3g A)", g->source, (double)lo, (double)g->threshold, (double)g->pulse_current);

  /* edges and charge: "previous" (cyclers log a sample at the end of every step): the pulse runs
     from its rest's last sample to its own last sample, and sample i carries the current over
     (t_i−1, t_i]; "midpoint": edges midway between samples, sample i carries its share of time */
  for (PetscInt k = 0; k < g->npulses; ++k) {
    GittPulse       *p = &g->pulses[k];
    const PetscReal *t = g->t;
    if (g->edges == GITT_EDGES_PREVIOUS) {
      p->t_start = p->first > 0 ? t[p->first - 1] : t[p->first];
      p->t_end   = t[p->last];
    } else {
      p->t_start = p->first > 0 ? 0.5 * (t[p->first - 1] + t[p->first]) : t[p->first];
      p->t_end   = p->last < n - 1 ? 0.5 * (t[p->last] + t[p->last + 1]) : t[p->last];
    }
    p->tau    = p->t_end - p->t_start;
    p->charge = 0;
    for (PetscInt i = p->first; i <= p->last; ++i) {
      PetscReal left, right;
      if (g->edges == GITT_EDGES_PREVIOUS) {
        left  = i > 0 ? t[i - 1] : t[i];
        right = t[i];
      } else {
        left  = i == p->first ? p->t_start : 0.5 * (t[i - 1] + t[i]);
        right = i == p->last ? p->t_end : 0.5 * (t[i] + t[i + 1]);
      }
      p->charge += g->current[i] * (right - left);
    }
    p->current = p->tau > 0 ? p->charge / p->tau : g->current[p->first];
    RestSamples(g, k + 1, &p->rest_first, &p->rest_last);
  }
  g->found = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- analysis */
/* Least-squares line y = c + m x; r2 = 1 − SS_res/SS_tot; se: standard error of m (0 if n ≤ 2) */
static void FitLine(PetscInt n, const PetscReal x[], const PetscReal y[], PetscReal *m, PetscReal *c, PetscReal *r2, PetscReal *se)
{
  PetscReal mx = 0, my = 0, sxx = 0, sxy = 0, syy = 0, res = 0;

  for (PetscInt i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  for (PetscInt i = 0; i < n; ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  *m = sxx > 0 ? sxy / sxx : 0;
  *c = my - *m * mx;
  for (PetscInt i = 0; i < n; ++i) {
    const PetscReal e = y[i] - (*c + *m * x[i]);
    res += e * e;
  }
  *r2 = syy > 0 ? 1 - res / syy : 1;
  if (se) *se = n > 2 && sxx > 0 ? PetscSqrtReal(res / (n - 2) / sxx) : 0;
}

typedef struct {
  PetscInt  a, b, count; /* samples; count = 0: no rest */
  PetscReal t0, t1;      /* from the previous pulse's end (or the record start) to the next pulse's start (or the record end) */
  PetscReal E, drift;    /* relaxed voltage at its end, dE/dt there (NaN if unknown) */
  PetscReal drift_se;    /* standard error of the drift */
  PetscBool relaxed;
} Rest;

static PetscErrorCode RelaxedVoltage(Gitt g, PetscInt j, PetscReal *x, PetscReal *y, Rest *r)
{
  PetscFunctionBeginUser;
  RestSamples(g, j, &r->a, &r->b);
  r->count = PetscMax(0, r->b - r->a + 1);
  r->t0    = j ? g->pulses[j - 1].t_end : g->t[0];
  r->t1    = j < g->npulses ? g->pulses[j].t_start : g->t[g->n - 1];
  r->E = r->drift = NAN;
  r->drift_se     = 0;
  r->relaxed      = PETSC_FALSE;
  if (!r->count) PetscFunctionReturn(0);
  if (r->count < GITT_MIN_REST_SAMPLES) {
    r->E       = g->voltage[r->b];
    r->relaxed = j == 0 ? PETSC_TRUE : PETSC_FALSE; /* the initial state, taken as relaxed */
  } else {
    const PetscReal from = g->t[r->b] - g->relax_window * (r->t1 - r->t0);
    PetscInt        a = r->b, m = 0;
    PetscReal       slope, c, r2, se;
    while (a > r->a && (g->t[a - 1] >= from || r->b - a + 1 < GITT_MIN_REST_SAMPLES))
      --a;
    for (PetscInt i = a; i <= r->b; ++i, ++m) {
      x[m] = g->t[i] - g->t[r->b];
      y[m] = g->voltage[i];
    }
    FitLine(m, x, y, &slope, &c, &r2, &se);
    r->E        = c; /* the line at the rest's last sample */
    r->drift    = slope;
    r->drift_se = se;
    r->relaxed  = PetscAbsReal(slope) - 2 * se <= g->max_drift ? PETSC_TRUE : PETSC_FALSE; /* noise alone does not make a rest unrelaxed */
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode UnrelaxedError(Gitt g, PetscInt j, const Rest *r)
{
  char which[64];

  PetscFunctionBeginUser;
  if (j == 0)
    PetscCall(PetscSNPrintf(which, sizeof(which), "the rest before pulse 1"));
  else
    PetscCall(PetscSNPrintf(which, sizeof(which), "the rest after pulse %" PetscInt_FMT, j));
  if (r->count < GITT_MIN_REST_SAMPLES)
    SETERRQ(g->comm, PETSC_ERR_USER_INPUT, "%s: %s (t = %.6g to %.6g s) has only %" PetscInt_FMT " sample(s), too short to relax; make the rests longer, or accept it with -gitt_allow_unrelaxed", g->source, which, (double)r->t0, (double)r->t1, r->count);
  SETERRQ(g->comm, PETSC_ERR_USER_INPUT, "%s: %s (t = %.6g to %.6g s, %.4g s) has not relaxed: the voltage still drifts by %.3g +- %.2g mV/h at its end (limit %.3g mV/h, -gitt_max_drift); make the rests longer, or accept it with -gitt_allow_unrelaxed", g->source, which, (double)r->t0, (double)r->t1, (double)(r->t1 - r->t0), (double)(r->drift * 3.6e6), (double)(2 * r->drift_se * 3.6e6), (double)(g->max_drift * 3.6e6));
}

/* Flag the pulses that cannot give a D, then build the table: sort by θ, merge equal θ */
static PetscErrorCode BuildTable(Gitt g)
{
  PetscReal *key;
  PetscInt   m = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscFree2(g->table_theta, g->table_D));
  PetscCall(PetscMalloc2(g->npulses, &g->table_theta, g->npulses, &g->table_D));
  PetscCall(PetscMalloc1(2 * g->npulses, &key));
  g->nused = 0;
  for (PetscInt k = 0; k < g->npulses; ++k) {
    const GittPulse *p = &g->pulses[k];
    if ((p->flags & GITT_FLAG_EXCLUDED) || !(p->D > 0) || !isfinite(p->D)) continue;
    key[2 * m]     = p->theta;
    key[2 * m + 1] = p->D;
    ++m;
  }
  g->nused = m;
  qsort(key, (size_t)m, 2 * sizeof(PetscReal), CompareReal); /* by θ (the first of each pair) */
  g->ntable = 0;
  for (PetscInt i = 0; i < m;) {
    PetscInt  j  = i;
    PetscReal th = 0, logD = 0;
    while (j < m && key[2 * j] - key[2 * i] <= 1e-9) {
      th += key[2 * j];
      logD += PetscLogReal(key[2 * j + 1]);
      ++j;
    }
    g->table_theta[g->ntable] = th / (j - i);
    g->table_D[g->ntable]     = PetscExpReal(logD / (j - i));
    ++g->ntable;
    i = j;
  }
  PetscCall(PetscFree(key));
  PetscFunctionReturn(0);
}

PetscErrorCode GittAnalyse(Gitt g)
{
  Rest           *rests;
  PetscReal      *x, *y, total = 0, net = 0, q = 0;
  const PetscReal L = g->length;

  PetscFunctionBeginUser;
  if (!g->found) PetscCall(GittFindPulses(g));
  PetscCheck(g->length_set, g->comm, PETSC_ERR_USER_INPUT, "no diffusion length L for %s: give --length (e.g. 1.2um) or --mesh particle.msh (option -gitt_length)", g->source);
  PetscCall(PetscMalloc3(g->npulses + 1, &rests, g->n, &x, g->n, &y));

  /* rests: relaxed voltages, and the first one that has not relaxed stops the analysis */
  for (PetscInt j = 0; j <= g->npulses; ++j) {
    PetscCall(RelaxedVoltage(g, j, x, y, &rests[j]));
    if (rests[j].count && !rests[j].relaxed && !g->allow_unrelaxed) {
      const Rest r = rests[j];
      PetscCall(PetscFree3(rests, x, y));
      PetscCall(UnrelaxedError(g, j, &r));
    }
  }

  /* θ by coulomb counting over the pulses */
  for (PetscInt k = 0; k < g->npulses; ++k) {
    total += PetscAbsReal(g->pulses[k].charge);
    net += g->pulses[k].charge;
  }
  g->capacity_used    = g->capacity_set ? g->capacity : total;
  g->theta_start_used = g->theta_start_set ? g->theta_start : (net >= 0 ? 1 : 0);

  for (PetscInt k = 0; k < g->npulses; ++k) {
    GittPulse      *p      = &g->pulses[k];
    const Rest     *before = &rests[k], *after = &rests[k + 1];
    const PetscReal a = g->fit_window[0] * p->tau, b = g->fit_window[1] * p->tau;
    PetscInt        m = 0, off = 0, count = 0;
    PetscReal      *cur;

    p->flags        = 0;
    p->theta_before = g->theta_start_used - q / g->capacity_used;
    q += p->charge;
    p->theta_after = g->theta_start_used - q / g->capacity_used;
    p->theta       = 0.5 * (p->theta_before + p->theta_after);

    p->rest_before            = before->t1 - before->t0;
    p->rest_after             = after->t1 - after->t0;
    p->relaxed_voltage_before = before->E;
    p->relaxed_voltage_after  = after->E;
    p->drift_before           = before->drift;
    p->drift_after            = after->drift;
    p->relaxed_change         = after->E - before->E;
    if (!before->count || !after->count) p->flags |= GITT_FLAG_NO_REST;
    if ((before->count && !before->relaxed) || (after->count && !after->relaxed)) p->flags |= GITT_FLAG_UNRELAXED;

    /* constant current? */
    PetscCall(PetscMalloc1(p->last - p->first + 1, &cur));
    for (PetscInt i = p->first; i <= p->last; ++i)
      cur[i - p->first] = g->current[i];
    qsort(cur, (size_t)(p->last - p->first + 1), sizeof(PetscReal), CompareReal);
    {
      const PetscReal med = cur[(p->last - p->first) / 2];
      for (PetscInt i = p->first; i <= p->last; ++i)
        if (PetscAbsReal(g->current[i] - med) > g->current_tolerance * PetscAbsReal(med)) ++off;
    }
    PetscCall(PetscFree(cur));
    if (off > 0.1 * (p->last - p->first + 1)) p->flags |= GITT_FLAG_CURRENT;

    /* E against √(t − t_start) over the fit window */
    for (PetscInt i = p->first; i <= p->last; ++i) {
      const PetscReal s = g->t[i] - p->t_start;
      if (s < a * (1 - 1e-12) || s > b * (1 + 1e-12)) continue;
      x[m] = PetscSqrtReal(s);
      y[m] = g->voltage[i];
      if (!count) p->fit_start = s;
      p->fit_end = s;
      ++m;
      ++count;
    }
    p->fit_points = m;
    p->sqrt_slope = p->sqrt_intercept = p->fit_r2 = p->ir_step = p->transient_change = NAN;
    p->D = p->tau_D_over_L2 = NAN;
    if (m < 3) {
      p->flags |= GITT_FLAG_FEW_POINTS;
      if (!m) p->fit_start = p->fit_end = NAN;
      continue;
    }
    FitLine(m, x, y, &p->sqrt_slope, &p->sqrt_intercept, &p->fit_r2, NULL);
    p->ir_step          = p->sqrt_intercept - p->relaxed_voltage_before;
    p->transient_change = p->sqrt_slope * PetscSqrtReal(p->tau);
    if (p->fit_r2 < g->min_r2) p->flags |= GITT_FLAG_POOR_FIT;
    if (p->flags & GITT_FLAG_NO_REST) continue;
    if (!(p->relaxed_change * p->transient_change > 0)) {
      p->flags |= GITT_FLAG_SIGN;
      continue;
    }
    {
      const PetscReal ratio = p->relaxed_change / p->transient_change;
      p->D                  = 4 / (PETSC_PI * p->tau) * L * L * ratio * ratio;
      p->tau_D_over_L2      = p->tau * p->D / (L * L);
      if (p->tau_D_over_L2 > g->max_ratio) p->flags |= GITT_FLAG_LONG_PULSE;
    }
  }
  PetscCall(PetscFree3(rests, x, y));
  { /* θ by coulomb counting stays near [0, 1], or the capacity or θ_start cannot be right */
    PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
    for (PetscInt k = 0; k < g->npulses; ++k) {
      lo = PetscMin(lo, PetscMin(g->pulses[k].theta_before, g->pulses[k].theta_after));
      hi = PetscMax(hi, PetscMax(g->pulses[k].theta_before, g->pulses[k].theta_after));
    }
    PetscCheck(lo >= -GITT_THETA_SLACK && hi <= 1 + GITT_THETA_SLACK, g->comm, PETSC_ERR_USER_INPUT, "%s: theta by coulomb counting would run from %.4g to %.4g, more than %.6g outside [0, 1]: the pulses pass %.4g Ah of net charge against a capacity of %.4g Ah (%s) from theta_start %.4g (%s); check the capacity and theta_start", g->source, (double)lo, (double)hi, (double)GITT_THETA_SLACK, (double)(net / 3600), (double)(g->capacity_used / 3600), g->capacity_set ? g->capacity_what : "default: the charge of all pulses", (double)g->theta_start_used, g->theta_start_set ? g->theta_start_what : "default");
  }
  PetscCall(BuildTable(g));
  g->analysed = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- results */
PetscErrorCode GittGetPulses(Gitt g, PetscInt *npulses, const GittPulse **pulses)
{
  PetscFunctionBeginUser;
  PetscCheck(g->found, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittFindPulses() or GittAnalyse() first");
  if (npulses) *npulses = g->npulses;
  if (pulses) *pulses = g->pulses;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetDiffusivity(Gitt g, PetscInt *n, const PetscReal **theta, const PetscReal **D)
{
  PetscFunctionBeginUser;
  PetscCheck(g->analysed, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittAnalyse() first");
  if (n) *n = g->ntable;
  if (theta) *theta = g->table_theta;
  if (D) *D = g->table_D;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetRecord(Gitt g, PetscInt *n, const PetscReal **t, const PetscReal **current, const PetscReal **voltage)
{
  PetscFunctionBeginUser;
  if (n) *n = g->n;
  if (t) *t = g->t;
  if (current) *current = g->current;
  if (voltage) *voltage = g->voltage;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetComm(Gitt g, MPI_Comm *comm)
{
  PetscFunctionBeginUser;
  *comm = g->comm;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetSource(Gitt g, const char **source)
{
  PetscFunctionBeginUser;
  *source = g->source;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetParameters(Gitt g, PetscReal *length, PetscReal *theta_start, PetscReal *capacity)
{
  PetscFunctionBeginUser;
  PetscCheck(g->analysed, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittAnalyse() first");
  if (length) *length = g->length;
  if (theta_start) *theta_start = g->theta_start_used;
  if (capacity) *capacity = g->capacity_used;
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetSettings(Gitt g, PetscReal fit_window[2], PetscReal *max_ratio)
{
  PetscFunctionBeginUser;
  if (fit_window) {
    fit_window[0] = g->fit_window[0];
    fit_window[1] = g->fit_window[1];
  }
  if (max_ratio) *max_ratio = g->max_ratio;
  PetscFunctionReturn(0);
}

PetscErrorCode GittFlagsToString(PetscInt flags, char text[], size_t len)
{
  static const char *const names[] = {"long pulse (tau D/L^2 large)", "poor sqrt(t) fit", "unrelaxed rest", "no rest", "current not constant", "too few points in the fit window", "dE_s and dE_t of opposite sign"};

  PetscFunctionBeginUser;
  text[0] = 0;
  for (int b = 0; b < 7; ++b) {
    if (!(flags & (1 << b))) continue;
    if (text[0]) PetscCall(PetscStrlcat(text, ", ", len));
    PetscCall(PetscStrlcat(text, names[b], len));
  }
  PetscFunctionReturn(0);
}

/* "3, 7, 12" (1-based) of the pulses with any of the bits, at most 12 listed */
static PetscErrorCode PulseList(Gitt g, PetscInt bits, PetscBool exact_excluded, char text[], size_t len, PetscInt *count)
{
  PetscInt listed = 0;

  PetscFunctionBeginUser;
  text[0] = 0;
  *count  = 0;
  for (PetscInt k = 0; k < g->npulses; ++k) {
    char item[32];
    if (!(g->pulses[k].flags & bits)) continue;
    if (exact_excluded && !(g->pulses[k].flags & GITT_FLAG_EXCLUDED)) continue;
    ++*count;
    if (listed == 12) {
      PetscCall(PetscStrlcat(text, ", ...", len));
      ++listed;
    }
    if (listed > 12) continue;
    PetscCall(PetscSNPrintf(item, sizeof(item), "%s%" PetscInt_FMT, listed ? ", " : "", k + 1));
    PetscCall(PetscStrlcat(text, item, len));
    ++listed;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GittView(Gitt g, PetscViewer viewer)
{
  PetscReal Dmin = PETSC_MAX_REAL, Dmax = 0, rmax = 0;
  char      list[512];
  PetscInt  count;

  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "GITT record %s: %" PetscInt_FMT " samples, t = %.6g to %.6g s\n", g->source, g->n, (double)g->t[0], (double)g->t[g->n - 1]));
  if (!g->found) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  pulses: %" PetscInt_FMT " found (pulse current %.4g A)", g->npulses, (double)g->pulse_current));
  if (!g->analysed) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " used for D(theta)\n", g->nused));
  for (int b = 0; b < 7; ++b) {
    char what[128];
    PetscCall(PulseList(g, 1 << b, PETSC_FALSE, list, sizeof(list), &count));
    if (!count) continue;
    PetscCall(GittFlagsToString(1 << b, what, sizeof(what)));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %s%s: pulse%s %s\n", (1 << b) & GITT_FLAG_EXCLUDED ? "excluded, " : "flagged, ", what, count > 1 ? "s" : "", list));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "  L = %.6g um (%s), theta_start = %.6g (%s), capacity = %.6g Ah (%s)\n", (double)g->length, g->length_what, (double)g->theta_start_used, g->theta_start_set ? g->theta_start_what : "default: 1 for a net charge, 0 for a net discharge", (double)(g->capacity_used / 3600), g->capacity_set ? g->capacity_what : "default: the charge of all pulses"));
  for (PetscInt k = 0; k < g->npulses; ++k) {
    const GittPulse *p = &g->pulses[k];
    if ((p->flags & GITT_FLAG_EXCLUDED) || !isfinite(p->D)) continue;
    rmax = PetscMax(rmax, p->tau_D_over_L2);
  }
  for (PetscInt i = 0; i < g->ntable; ++i) {
    Dmin = PetscMin(Dmin, g->table_D[i]);
    Dmax = PetscMax(Dmax, g->table_D[i]);
  }
  {
    PetscReal lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL;
    for (PetscInt k = 0; k < g->npulses; ++k) {
      lo = PetscMin(lo, PetscMin(g->pulses[k].theta_before, g->pulses[k].theta_after));
      hi = PetscMax(hi, PetscMax(g->pulses[k].theta_before, g->pulses[k].theta_after));
    }
    if (lo < -1e-9 || hi > 1 + 1e-9) PetscCall(PetscViewerASCIIPrintf(viewer, "  warning: theta runs from %.4g to %.4g, outside [0, 1]: check the capacity and theta_start\n", (double)lo, (double)hi));
  }
  if (g->ntable)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  D(theta): %" PetscInt_FMT " points, theta %.4g to %.4g, D = %.3g to %.3g cm2/s, tau D/L^2 up to %.3g\n", g->ntable, (double)g->table_theta[0], (double)g->table_theta[g->ntable - 1], (double)(Dmin * 1e-8), (double)(Dmax * 1e-8), (double)rmax));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- outputs */
PetscErrorCode GittSetOutputFiles(Gitt g, PostprocFiles files)
{
  PetscFunctionBeginUser;
  g->files = files;
  PetscFunctionReturn(0);
}

static PetscErrorCode Provenance(Gitt g, FileOut f)
{
  char      date[64] = "", list[512];
  time_t    now      = time(NULL);
  struct tm tm;
  PetscInt  count;

  PetscFunctionBeginUser;
  if (localtime_r(&now, &tm)) strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z", &tm);
  PetscCall(FileOutPrintf(f, "# Made by spot gitt on %s: Weppner-Huggins analysis, D = 4/(pi tau) (L dE_s/dE_t)^2, valid for tau << L^2/D\n", date));
  PetscCall(FileOutPrintf(f, "# Source: %s%s%s\n", g->source, g->description[0] ? ": " : "", g->description));
  PetscCall(FileOutPrintf(f, "# L = %.6g um (%s); theta_start = %.6g (%s); capacity = %.6g Ah (%s)\n", (double)g->length, g->length_what, (double)g->theta_start_used, g->theta_start_set ? g->theta_start_what : "default", (double)(g->capacity_used / 3600), g->capacity_set ? g->capacity_what : "default: the charge of all pulses"));
  PetscCall(FileOutPrintf(f, "# Pulse edges: %s\n", g->edges == GITT_EDGES_PREVIOUS ? "a pulse starts at the last sample of the rest before it and ends at its own last sample (cyclers log the end of every step; -gitt_edges)" : "midway between the last rest sample and the first pulse sample, and between the last pulse sample and the first rest sample (-gitt_edges)"));
  PetscCall(FileOutPrintf(f, "# theta: Li site fraction at mid-pulse by coulomb counting over the pulses, theta = theta_start - Q/capacity (Q > 0 on charge)\n"));
  PetscCall(FileOutPrintf(f, "# dE_s: change of the relaxed voltage (end of rest, line through its last %.6g %%); dE_t = m sqrt(tau), m the slope of E against sqrt(t) over t in [%.6g, %.6g] tau (IR step excluded)\n", (double)(100 * g->relax_window), (double)g->fit_window[0], (double)g->fit_window[1]));
  PetscCall(PulseList(g, GITT_FLAG_EXCLUDED, PETSC_FALSE, list, sizeof(list), &count));
  PetscCall(FileOutPrintf(f, "# Pulses: %d found, %d in the table%s%s%s\n", (int)g->npulses, (int)g->nused, count ? "; excluded: " : "", list, count ? " (see the per-pulse CSV)" : ""));
  PetscCall(PulseList(g, GITT_FLAG_LONG_PULSE | GITT_FLAG_POOR_FIT | GITT_FLAG_UNRELAXED, PETSC_FALSE, list, sizeof(list), &count));
  if (count) PetscCall(FileOutPrintf(f, "# Flagged (tau D/L^2 > %.6g, sqrt(t) fit R^2 < %.6g, or unrelaxed rest; kept unless excluded): pulses %s\n", (double)g->max_ratio, (double)g->min_r2, list));
  PetscFunctionReturn(0);
}

/* Why a D(θ) table cannot be made: fewer than 2 pulses gave a D; the others named by reason */
PetscErrorCode GittCheckTable(Gitt g)
{
  char     why[2048] = "";
  PetscInt count;

  PetscFunctionBeginUser;
  PetscCheck(g->analysed, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittAnalyse() first");
  if (g->ntable >= 2) PetscFunctionReturn(0);
  for (int b = 0; b < 7; ++b) {
    char what[128], list[512], item[700];
    if (!((1 << b) & GITT_FLAG_EXCLUDED)) continue;
    PetscCall(PulseList(g, 1 << b, PETSC_FALSE, list, sizeof(list), &count));
    if (!count) continue;
    PetscCall(GittFlagsToString(1 << b, what, sizeof(what)));
    PetscCall(PetscSNPrintf(item, sizeof(item), "%s%s: pulse%s %s", why[0] ? "; " : "", what, count > 1 ? "s" : "", list));
    PetscCall(PetscStrlcat(why, item, sizeof(why)));
  }
  SETERRQ(g->comm, PETSC_ERR_USER_INPUT, "%s: only %" PetscInt_FMT " of %" PetscInt_FMT " pulse(s) gave a diffusivity; a D(theta) table needs at least 2%s%s%s", g->source, g->ntable, g->npulses, why[0] ? " (excluded: " : "", why, why[0] ? ")" : "");
}

typedef struct {
  Gitt        g;
  const char *path;
} GittFile;

static PetscErrorCode WriteDiffusivity(PostprocFiles files, void *ctx)
{
  const Gitt  g    = ((GittFile *)ctx)->g;
  const char *path = ((GittFile *)ctx)->path;
  FileOut     f;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(Provenance(g, f));
  PetscCall(FileOutPrintf(f, "# Columns: theta (Li site fraction, 1 = lithiated), D_GITT in cm^2/s; for spot run: <diffusivity law=\"table\" file=\"...\"/>\n"));
  PetscCall(FileOutPrintf(f, "theta,D_cm2_per_s\n"));
  for (PetscInt i = 0; i < g->ntable; ++i)
    PetscCall(FileOutPrintf(f, "%.10g,%.6e\n", (double)g->table_theta[i], (double)(g->table_D[i] * 1e-8)));
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

PetscErrorCode GittWriteDiffusivity(Gitt g, const char path[])
{
  GittFile job = {g, path};

  PetscFunctionBeginUser;
  PetscCall(GittCheckTable(g));
  PetscCall(PostprocWrite(g->comm, g->files, WriteDiffusivity, &job));
  PetscFunctionReturn(0);
}

static PetscErrorCode WritePulses(PostprocFiles files, void *ctx)
{
  const Gitt  g    = ((GittFile *)ctx)->g;
  const char *path = ((GittFile *)ctx)->path;
  FileOut     f;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(Provenance(g, f));
  PetscCall(FileOutPrintf(f, "# One row per pulse. rest_before/after: durations of the rests around the pulse; drift: dE/dt at the end of those rests;\n"));
  PetscCall(FileOutPrintf(f, "# ir_step = E_0 - E_s(before), E_0 the sqrt(t) line at the pulse start; resistance = ir_step / current; nan = not available\n"));
  PetscCall(FileOutPrintf(f, "# flags (sum of): 1 tau D/L^2 > %.6g, 2 sqrt(t) fit R^2 < %.6g, 4 unrelaxed rest, 8 no rest (excluded), 16 current not constant (excluded),\n", (double)g->max_ratio, (double)g->min_r2));
  PetscCall(FileOutPrintf(f, "#   32 fewer than 3 points in the fit window (excluded), 64 dE_s and dE_t of opposite sign (excluded); used = 1: in the D(theta) table\n"));
  PetscCall(FileOutPrintf(f, "pulse,t_start_s,t_end_s,tau_s,current_A,charge_Ah,theta_before,theta_after,theta,rest_before_s,rest_after_s,"
                             "relaxed_voltage_before_V,relaxed_voltage_after_V,drift_before_mV_per_h,drift_after_mV_per_h,relaxed_change_V,"
                             "ir_step_V,resistance_ohm,sqrt_slope_V_per_sqrt_s,fit_start_s,fit_end_s,fit_points,fit_r2,transient_change_V,"
                             "L_um,D_cm2_per_s,tau_D_over_L2,flags,used\n"));
  for (PetscInt k = 0; k < g->npulses; ++k) {
    const GittPulse *p    = &g->pulses[k];
    const PetscBool  used = !(p->flags & GITT_FLAG_EXCLUDED) && p->D > 0 && isfinite(p->D);
    PetscCall(FileOutPrintf(f, "%d,%.10g,%.10g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,%.8g,", (int)(k + 1), (double)p->t_start, (double)p->t_end, (double)p->tau, (double)p->current, (double)(p->charge / 3600), (double)p->theta_before, (double)p->theta_after, (double)p->theta, (double)p->rest_before, (double)p->rest_after));
    PetscCall(FileOutPrintf(f, "%.8g,%.8g,%.6g,%.6g,%.8g,", (double)p->relaxed_voltage_before, (double)p->relaxed_voltage_after, (double)(p->drift_before * 3.6e6), (double)(p->drift_after * 3.6e6), (double)p->relaxed_change));
    PetscCall(FileOutPrintf(f, "%.8g,%.8g,%.8g,%.8g,%.8g,%d,%.8g,%.8g,", (double)p->ir_step, (double)(p->ir_step / p->current), (double)p->sqrt_slope, (double)p->fit_start, (double)p->fit_end, (int)p->fit_points, (double)p->fit_r2, (double)p->transient_change));
    PetscCall(FileOutPrintf(f, "%.6g,%.6e,%.6g,%d,%d\n", (double)g->length, (double)(p->D * 1e-8), (double)p->tau_D_over_L2, (int)p->flags, used ? 1 : 0));
  }
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

PetscErrorCode GittWritePulses(Gitt g, const char path[])
{
  GittFile job = {g, path};

  PetscFunctionBeginUser;
  PetscCheck(g->analysed, g->comm, PETSC_ERR_ARG_WRONGSTATE, "GittAnalyse() first");
  PetscCall(PostprocWrite(g->comm, g->files, WritePulses, &job));
  PetscFunctionReturn(0);
}

PetscErrorCode GittGetOutputFiles(Gitt g, PostprocFiles *files)
{
  PetscFunctionBeginUser;
  *files = g->files;
  PetscFunctionReturn(0);
}
