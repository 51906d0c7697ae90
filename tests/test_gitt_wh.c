/* Weppner–Huggins arithmetic on synthetic GITT records from the exact constant-D solutions of a
   slab and a disc under piecewise-constant flux: the analysed D, θ, ΔE_s, τ and the IR step are
   checked against the truth; then long pulses, discharge, noise, unrelaxed rests and bad
   parameters.

   Constant outward flux q (θ·µm/s) from t = 0, surface value θ_s = θ0 + q g(t) with
     slab, half-thickness L (no flux at x = 0):
       g(t) = −t/L − (L/D) [1/3 − (2/π²) Σ_n exp(−n²π² D t/L²) / n²]
     disc, radius R (L = |Ω|/|∂Ω| = R/2), α_n the positive roots of J1:
       g(t) = −2t/R − (R/D) [1/4 − 2 Σ_n exp(−α_n² D t/R²) / α_n²]
   Both start at 0 and behave as −2 √(t/(π D)) for t ≪ L²/D (the √t law); a pulse train is a
   superposition of switched responses. Voltage E = U(θ_s) + R_s I with U = U0 − k θ. */
#define _DEFAULT_SOURCE /* j0, j1 */
#include "testing.h"
#include "postproc/gitt/gitt.h"
#include <math.h>

#define NBESSEL 4000

typedef struct {
  PetscBool disc;
  PetscReal size;     /* slab half-thickness or disc radius, µm */
  PetscReal D;        /* µm²/s */
  PetscReal current;  /* A during a pulse (sign: + charge) */
  PetscReal capacity; /* A·s: θ changes by I τ / capacity per pulse */
  PetscReal theta0, U0, k, resistance;
  PetscInt  npulses;
  PetscReal first_rest, tau, rest, h; /* s; samples every h, edges on samples (the last of each step) */
  PetscReal alpha[NBESSEL];
} Cell;

static PetscReal Length(const Cell *c)
{
  return c->disc ? c->size / 2 : c->size;
}

/* Surface response to a unit flux switched on at 0 (θ·s/µm units: θ_s change per unit q) */
static PetscReal Response(const Cell *c, PetscReal t)
{
  const PetscReal R = c->size, D = c->D, s = D * t / (R * R);
  PetscReal       sum = 0;

  if (t <= 0) return 0;
  if (!c->disc) {
    for (PetscInt n = 1;; ++n) {
      const PetscReal e = n * n * M_PI * M_PI * s;
      if (e > 60 && n > 3) break;
      sum += exp(-e) / (n * (PetscReal)n);
    }
    return -t / R - (R / D) * (1.0 / 3 - 2 / (M_PI * M_PI) * sum);
  }
  for (PetscInt n = 0; n < NBESSEL; ++n) {
    const PetscReal e = c->alpha[n] * c->alpha[n] * s;
    if (e > 60) break;
    sum += exp(-e) / (c->alpha[n] * c->alpha[n]);
  }
  return -2 * t / R - (R / D) * (0.25 - 2 * sum);
}

static void BesselRoots(Cell *c)
{
  for (PetscInt n = 0; n < NBESSEL; ++n) {
    const PetscReal beta = (n + 1.25) * M_PI;
    PetscReal       x    = beta - 3 / (8 * beta);
    for (int it = 0; it < 50; ++it) {
      const PetscReal f = j1(x), df = j0(x) - f / x, dx = f / df;
      x -= dx;
      if (fabs(dx) < 1e-15 * x) break;
    }
    c->alpha[n] = x;
  }
}

/* Pulse k is on over [on_k, on_k + τ]; flux per ampere: q = I · (θ per A·s) · L, since the mean θ
   falls at q/L (slab) or 2q/R (disc) = q/L_diff, and by coulomb counting at I/capacity */
static PetscReal PulseOn(const Cell *c, PetscInt k)
{
  return c->first_rest + k * (c->tau + c->rest);
}

static PetscErrorCode MakeRecord(const Cell *c, PetscInt *n, PetscReal **t, PetscReal **Icur, PetscReal **V)
{
  const PetscReal end = PulseOn(c, c->npulses);
  const PetscInt  m   = (PetscInt)(end / c->h + 0.5) + 1;
  const PetscReal q   = c->current / c->capacity * Length(c); /* θ·µm/s */

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(m, t, m, Icur, m, V));
  for (PetscInt i = 0; i < m; ++i) {
    const PetscReal ti     = i * c->h;
    PetscReal       dtheta = 0, cur = 0;
    for (PetscInt k = 0; k < c->npulses; ++k) {
      const PetscReal on = PulseOn(c, k), off = on + c->tau;
      if (ti <= on) break;
      dtheta += q * (Response(c, ti - on) - Response(c, ti - off));
      if (ti <= off) cur = c->current; /* the last pulse sample is at the switch-off (cyclers log step ends) */
    }
    (*t)[i]    = ti;
    (*Icur)[i] = cur;
    (*V)[i]    = c->U0 - c->k * (c->theta0 + dtheta) + c->resistance * cur;
  }
  *n = m;
  PetscFunctionReturn(0);
}

static PetscErrorCode Analyse(const Cell *c, PetscInt n, const PetscReal t[], const PetscReal Icur[], const PetscReal V[], Gitt *gitt)
{
  PetscFunctionBeginUser;
  PetscCall(GittCreate(PETSC_COMM_WORLD, gitt));
  PetscCall(GittSetRecord(*gitt, c->disc ? "disc" : "slab", n, t, Icur, V, NULL));
  PetscCall(GittSetFromOptions(*gitt));
  PetscCall(GittSetLength(*gitt, Length(c), "test"));
  PetscCall(GittSetThetaStart(*gitt, c->theta0, "test"));
  PetscCall(GittSetCapacity(*gitt, c->capacity, "test"));
  PetscCall(GittAnalyse(*gitt));
  PetscFunctionReturn(0);
}

/* Every pulse: τ, θ, ΔE_s, IR step exact; D within tol */
static PetscErrorCode CheckExact(const Cell *c, Gitt gitt, PetscReal tol_D, PetscReal tol_ir, const char what[])
{
  const GittPulse *p;
  PetscInt         np, ntable;
  const PetscReal  dtheta = c->current * c->tau / c->capacity;
  const PetscReal *theta, *D;

  PetscFunctionBeginUser;
  PetscCall(GittGetPulses(gitt, &np, &p));
  PetscCall(GittGetDiffusivity(gitt, &ntable, &theta, &D));
  CHECK(np == c->npulses, "%s: %" PetscInt_FMT " pulses found, expected %" PetscInt_FMT, what, np, c->npulses);
  CHECK(ntable == c->npulses, "%s: %" PetscInt_FMT " rows in the D table, expected %" PetscInt_FMT, what, ntable, c->npulses);
  for (PetscInt k = 0; k < PetscMin(np, c->npulses); ++k) {
    CHECK_CLOSE(p[k].t_start, PulseOn(c, k), 1e-12, "pulse start");
    CHECK_CLOSE(p[k].tau, c->tau, 1e-9, "tau");
    CHECK_CLOSE(p[k].theta, c->theta0 - (k + 0.5) * dtheta, 1e-9, "mid-pulse theta");
    CHECK_CLOSE(p[k].relaxed_change, -c->k * (-dtheta), 1e-4, "relaxed-voltage change dE_s = k dtheta");
    CHECK_CLOSE(p[k].relaxed_voltage_after, c->U0 - c->k * (c->theta0 - (k + 1) * dtheta), 1e-7, "relaxed voltage");
    CHECK_CLOSE(p[k].ir_step, c->resistance * c->current, tol_ir, "IR step from the sqrt(t) intercept");
    CHECK_CLOSE(p[k].D, c->D, tol_D, what);
    CHECK_CLOSE(p[k].tau_D_over_L2, c->tau * c->D / (Length(c) * Length(c)), tol_D, "tau D/L^2");
    CHECK(p[k].flags == 0, "%s: pulse %" PetscInt_FMT " has flags %" PetscInt_FMT, what, k + 1, p[k].flags);
  }
  for (PetscInt i = 0; i < ntable; ++i)
    CHECK_CLOSE(D[i], c->D, tol_D, "table D");
  for (PetscInt i = 1; i < ntable; ++i)
    CHECK(theta[i] > theta[i - 1], "%s: table theta not increasing at row %" PetscInt_FMT, what, i);
  PetscFunctionReturn(0);
}

static PetscReal Uniform(unsigned long long *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return (PetscReal)((*state >> 11) * (1.0 / 9007199254740992.0));
}

int main(int argc, char **argv)
{
  Cell      *c;
  Gitt       gitt;
  PetscInt   n;
  PetscReal *t, *Icur, *V;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscNew(&c));
  BesselRoots(c);
  CHECK_CLOSE(c->alpha[0], 3.8317059702075123, 1e-12, "first root of J1");
  CHECK_CLOSE(c->alpha[1], 7.0155866698156188, 1e-12, "second root of J1");

  /* slab, τ D/L² = 0.01: the √t law holds, D exact to the sampling */
  c->disc       = PETSC_FALSE;
  c->size       = 1.0;
  c->D          = 1e-3; /* 1e-11 cm²/s */
  c->current    = 0.1;
  c->capacity   = 100; /* Δθ = 0.01 per pulse */
  c->theta0     = 0.9;
  c->U0         = 4.5;
  c->k          = 1.0;
  c->resistance = 0.2;
  c->npulses    = 5;
  c->first_rest = 100;
  c->tau        = 10;
  c->rest       = 4000; /* 4 L²/D: relaxed to e^-40 */
  c->h          = 0.5;
  PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
  PetscCall(Analyse(c, n, t, Icur, V, &gitt));
  PetscCall(CheckExact(c, gitt, 0.01, 0.01, "slab D"));
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFree3(t, Icur, V));

  /* disc of radius 2 (L = 1): curvature makes the surface respond faster than √t, by a relative
     O(√(Dτ)/R); WH underestimates D by some %, less for shorter pulses */
  c->disc = PETSC_TRUE;
  c->size = 2.0;
  {
    PetscReal err[2];
    for (int shorter = 0; shorter < 2; ++shorter) {
      const GittPulse *p;
      PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
      PetscCall(Analyse(c, n, t, Icur, V, &gitt));
      PetscCall(CheckExact(c, gitt, shorter ? 0.04 : 0.08, 0.1, shorter ? "disc D, tau D/L^2 = 0.0025" : "disc D, tau D/L^2 = 0.01"));
      PetscCall(GittGetPulses(gitt, NULL, &p));
      err[shorter] = PetscAbsReal(p[2].D / c->D - 1);
      PetscCall(GittDestroy(&gitt));
      PetscCall(PetscFree3(t, Icur, V));
      c->tau        = 2.5;
      c->current    = 0.4; /* same dtheta */
      c->h          = 0.125;
      c->first_rest = 100;
    }
    CHECK(err[1] < 0.6 * err[0], "disc: the WH error should fall with the pulse time: %g at tau D/L^2 = 0.01, %g at 0.0025", (double)err[0], (double)err[1]);
    c->tau        = 10;
    c->current    = 0.1;
    c->h          = 0.5;
    c->first_rest = 100;
  }

  /* discharge (negative current): θ rises, D the same */
  c->disc    = PETSC_FALSE;
  c->size    = 1.0;
  c->current = -0.1;
  c->theta0  = 0.3;
  PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
  PetscCall(Analyse(c, n, t, Icur, V, &gitt));
  PetscCall(CheckExact(c, gitt, 0.01, 0.01, "slab D, discharge"));
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFree3(t, Icur, V));
  c->current = 0.1;
  c->theta0  = 0.9;

  /* noise (50 µV on V, 0.2 % on Icur), irregular sampling and missing samples: D to a few % */
  {
    unsigned long long state = 12345;
    PetscInt           m     = 0;
    PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
    for (PetscInt i = 0; i < n; ++i) {
      const PetscReal u = Uniform(&state), g = sqrt(-2 * log(Uniform(&state) + 1e-300)) * cos(2 * M_PI * Uniform(&state));
      if (u < 0.15 && i > 0 && i + 1 < n && Icur[i] == Icur[i - 1] && Icur[i] == Icur[i + 1]) continue; /* drop 15 % of the samples, not beside an edge (a gap there makes τ uncertain by half of it) */
      t[m]    = t[i] + 0.1 * c->h * (Uniform(&state) - 0.5);                                            /* jitter */
      Icur[m] = Icur[i] * (1 + 0.002 * g);
      V[m]    = V[i] + 5e-5 * sqrt(-2 * log(Uniform(&state) + 1e-300)) * cos(2 * M_PI * Uniform(&state));
      ++m;
    }
    PetscCall(Analyse(c, m, t, Icur, V, &gitt));
    {
      const GittPulse *p;
      PetscInt         np;
      PetscCall(GittGetPulses(gitt, &np, &p));
      CHECK(np == c->npulses, "noisy slab: %" PetscInt_FMT " pulses found, expected %" PetscInt_FMT, np, c->npulses);
      for (PetscInt k = 0; k < PetscMin(np, c->npulses); ++k) {
        CHECK_CLOSE(p[k].tau, c->tau, 0.06, "noisy slab: tau within the sample spacing");
        CHECK_CLOSE(p[k].D, c->D, 0.05, "noisy slab: D");
        CHECK(!(p[k].flags & GITT_FLAG_EXCLUDED), "noisy slab: pulse %" PetscInt_FMT " excluded (flags %" PetscInt_FMT ")", k + 1, p[k].flags);
      }
    }
    PetscCall(GittDestroy(&gitt));
    PetscCall(PetscFree3(t, Icur, V));
  }

  /* a long pulse (τ D/L² = 0.5) is flagged, and WH no longer holds */
  c->tau        = 500;
  c->current    = 0.002; /* keep Δθ = 0.01 */
  c->h          = 5;
  c->first_rest = 100;
  PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
  PetscCall(Analyse(c, n, t, Icur, V, &gitt));
  {
    const GittPulse *p;
    PetscInt         np;
    PetscCall(GittGetPulses(gitt, &np, &p));
    CHECK(np == c->npulses, "long pulses: %" PetscInt_FMT " found", np);
    for (PetscInt k = 0; k < np; ++k) {
      CHECK(p[k].flags == GITT_FLAG_LONG_PULSE, "long pulse %" PetscInt_FMT ": flags %" PetscInt_FMT ", expected %d", k + 1, p[k].flags, GITT_FLAG_LONG_PULSE);
      CHECK(p[k].tau_D_over_L2 > 0.1, "long pulse %" PetscInt_FMT ": tau D/L^2 = %g", k + 1, (double)p[k].tau_D_over_L2);
    }
  }
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFree3(t, Icur, V));
  c->tau        = 10;
  c->current    = 0.1;
  c->h          = 0.5;
  c->first_rest = 100;

  /* a rest too short to relax stops the analysis, or flags the pulses beside it */
  c->rest    = 20;
  c->npulses = 2;
  PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
  PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
  PetscCall(GittSetRecord(gitt, "short rests", n, t, Icur, V, NULL));
  PetscCall(GittSetLength(gitt, 1.0, NULL));
  CHECK_USER_ERROR(GittAnalyse(gitt), "short rests: the rest after pulse 1 (t = 110 to 130 s, 20 s) has not relaxed: the voltage still drifts by ");
  CHECK_USER_ERROR(GittAnalyse(gitt), "mV/h at its end (limit 10 mV/h, -gitt_max_drift); make the rests longer, or accept it with -gitt_allow_unrelaxed");
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_allow_unrelaxed", NULL));
  PetscCall(GittSetFromOptions(gitt));
  PetscCall(GittAnalyse(gitt));
  {
    const GittPulse *p;
    PetscInt         np;
    PetscCall(GittGetPulses(gitt, &np, &p));
    CHECK(np == 2, "short rests: %" PetscInt_FMT " pulses", np);
    for (PetscInt k = 0; k < np; ++k)
      CHECK(p[k].flags & GITT_FLAG_UNRELAXED, "short rests: pulse %" PetscInt_FMT " not flagged unrelaxed (flags %" PetscInt_FMT ")", k + 1, p[k].flags);
  }
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_allow_unrelaxed"));
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFree3(t, Icur, V));
  c->rest    = 4000;
  c->npulses = 5;

  /* a rest with too few samples between two pulses (a single zero sample inside a pulse is a dropout) */
  {
    PetscReal tt[14] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, ii[14] = {0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0};
    PetscReal vv[14] = {3, 3, 3, 3.1, 3.2, 3.3, 3.2, 3.2, 3.3, 3.4, 3.5, 3.4, 3.4, 3.4};
    PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
    PetscCall(GittSetRecord(gitt, "two-sample rest", 14, tt, ii, vv, NULL));
    PetscCall(GittSetLength(gitt, 1.0, NULL));
    CHECK_USER_ERROR(GittAnalyse(gitt), "two-sample rest: the rest after pulse 1 (t = 5 to 7 s) has only 2 sample(s), too short to relax; make the rests longer, or accept it with -gitt_allow_unrelaxed");
    PetscCall(GittDestroy(&gitt));
  }

  /* bad parameters */
  PetscCall(MakeRecord(c, &n, &t, &Icur, &V));
  PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
  PetscCall(GittSetRecord(gitt, "slab", n, t, Icur, V, NULL));
  CHECK_USER_ERROR(GittAnalyse(gitt), "no diffusion length L for slab: give --length (e.g. 1.2um) or --mesh particle.msh (option -gitt_length)");
  CHECK_USER_ERROR(GittSetLength(gitt, -1, "argument --length"), "argument --length: the diffusion length L must be positive, got -1 um");
  CHECK_USER_ERROR(GittSetLength(gitt, 0, NULL), "option -gitt_length: the diffusion length L must be positive, got 0 um");
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_length", "-2nm"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_length: the diffusion length L must be positive, got -0.002 um");
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_length", "1.2um"));
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_theta_start", "1.5"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_theta_start: the initial theta must be in [0, 1], got 1.5");
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_theta_start"));
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_capacity", "-1Ah"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_capacity: the capacity must be positive, got -3600 As");
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_capacity"));
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_fit_window", "0.5,0.2"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_fit_window: the fit window must be two fractions of the pulse time a,b with 0 <= a < b <= 1, e.g. 0.1,1");
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_fit_window"));
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_current_threshold", "0.7"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_current_threshold: the current threshold (a fraction of the pulse current) must be in (0, 0.5], got 0.7");
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_current_threshold"));
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_max_drift", "0"));
  CHECK_USER_ERROR(GittSetFromOptions(gitt), "option -gitt_max_drift: the largest voltage drift at the end of a rest must be positive (mV/h), got 0");
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_max_drift"));
  PetscCall(GittSetFromOptions(gitt));
  PetscCall(GittAnalyse(gitt));
  {
    PetscReal L, th0, cap;
    PetscCall(GittGetParameters(gitt, &L, &th0, &cap));
    CHECK_CLOSE(L, 1.2, 1e-15, "L from -gitt_length 1.2um");
    CHECK_CLOSE(th0, 1.0, 0, "default theta_start for a charge");
    CHECK_CLOSE(cap, c->npulses * c->current * c->tau, 1e-9, "default capacity: the charge of all pulses");
  }
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_length"));
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFree3(t, Icur, V));

  PetscCall(PetscFree(c));
  PetscCall(PetscFinalize());
  return test_failures;
}
