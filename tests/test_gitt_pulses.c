/* The GITT pulse finder on synthetic records: irregular sampling, missing samples and a long
   gap, current noise, a drifting current offset in the rests, a spike in a rest, a dropout in a
   pulse, a CV-like tail, pulses of both signs and different amplitudes. Each found pulse must
   be bracketed by the samples around the true edges (the best a sampled record allows), with
   its edges where -gitt_edges puts them and its charge right. Then records that are not GITT records. */
#include "testing.h"
#include "postproc/gitt/gitt.h"
#include <math.h>

typedef struct {
  PetscReal start, duration, current, tail; /* tail: length of a CV-like decay after the CC part, s */
} TruePulse;

static const TruePulse truth[] = {
    {1000, 600, 1.0, 0},
    {4000, 300, 1.0, 0},
    {7000, 900, -0.5, 0},
    {11000, 600, 0.3, 0},
    {14000, 600, 1.0, 400},
    {18000, 450, -1.0, 0},
    {21000, 600, 0.6, 0},
    {24000, 120, 1.0, 0},
};
#define NTRUE ((PetscInt)(sizeof(truth) / sizeof(truth[0])))

static unsigned long long state = 2024;
static PetscReal          Uniform(void)
{
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (PetscReal)((state >> 11) * (1.0 / 9007199254740992.0));
}
static PetscReal Gauss(void)
{
  return sqrt(-2 * log(Uniform() + 1e-300)) * cos(2 * PETSC_PI * Uniform());
}

/* The true current at t (without noise): CC, then an exponential tail from I to 7 % of I */
static PetscReal TrueCurrent(PetscReal t, PetscInt *which)
{
  *which = -1;
  for (PetscInt k = 0; k < NTRUE; ++k) {
    const TruePulse *p = &truth[k];
    if (t > p->start && t < p->start + p->duration + p->tail) {
      *which = k;
      if (t < p->start + p->duration) return p->current;
      return p->current * exp(log(0.07) * (t - p->start - p->duration) / p->tail);
    }
  }
  return 0;
}

static PetscReal TrueCharge(PetscInt k)
{
  const TruePulse *p = &truth[k];
  return p->current * (p->duration + (p->tail > 0 ? p->tail * (1 - 0.07) / -log(0.07) : 0));
}

int main(int argc, char **argv)
{
  const PetscReal  end = 27000;
  PetscInt         n = 0, cap = 8000, np, spike = -1, dropout = -1;
  PetscReal       *t, *I_, *V;
  Gitt             gitt;
  const GittPulse *p;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscMalloc3(cap, &t, cap, &I_, cap, &V));
  for (PetscReal s = 3 * Uniform(); s < end && n < cap; s += 2 + 16 * Uniform()) {
    PetscInt  which;
    PetscReal cur;
    if (Uniform() < 0.1) continue;      /* 10 % of the samples missing */
    if (s > 8500 && s < 8800) continue; /* a 300 s gap in a rest */
    cur   = TrueCurrent(s, &which);
    t[n]  = s;
    I_[n] = which >= 0 ? cur * (1 + 0.005 * Gauss()) : 0.01 * s / end + 0.003 * Gauss(); /* rests: offset drifting to 1 % */
    V[n]  = 3.7 + 0.1 * sin(s / 3000) + 1e-4 * Gauss();
    if (spike < 0 && s > 2500 && which < 0) spike = n;                  /* one sample spikes to 80 % in a rest */
    if (dropout < 0 && s > 7300 && s < 7600 && which == 2) dropout = n; /* one sample drops out in a pulse */
    ++n;
  }
  I_[spike]   = 0.8;
  I_[dropout] = 0;

  for (int midpoint = 0; midpoint < 2; ++midpoint) {
    PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
    PetscCall(GittSetRecord(gitt, "synthetic", n, t, I_, V, NULL));
    if (midpoint) PetscCall(PetscOptionsSetValue(NULL, "-gitt_edges", "midpoint"));
    PetscCall(GittSetFromOptions(gitt));
    PetscCall(PetscOptionsClearValue(NULL, "-gitt_edges"));
    PetscCall(GittFindPulses(gitt));
    PetscCall(GittGetPulses(gitt, &np, &p));
    CHECK(np == NTRUE, "found %" PetscInt_FMT " pulses, expected %" PetscInt_FMT, np, NTRUE);
    for (PetscInt k = 0; k < PetscMin(np, NTRUE); ++k) {
      const PetscReal start = truth[k].start, stop = truth[k].start + truth[k].duration + truth[k].tail;
      const PetscInt  a = p[k].first, b = p[k].last;
      CHECK(a > 0 && t[a - 1] < start && start < t[a], "pulse %" PetscInt_FMT ": starts at %g s, but its first sample is at %g s (previous %g s)", k + 1, (double)start, (double)t[a], (double)t[a > 0 ? a - 1 : 0]);
      CHECK(b + 1 < n && t[b] < stop && stop < t[b + 1], "pulse %" PetscInt_FMT ": ends at %g s, but its last sample is at %g s (next %g s)", k + 1, (double)stop, (double)t[b], (double)t[b + 1 < n ? b + 1 : b]);
      if (a > 0) CHECK_CLOSE(p[k].t_start, midpoint ? 0.5 * (t[a - 1] + t[a]) : t[a - 1], 1e-14, midpoint ? "start midway between samples" : "start at the last rest sample");
      if (b + 1 < n) CHECK_CLOSE(p[k].t_end, midpoint ? 0.5 * (t[b] + t[b + 1]) : t[b], 1e-14, midpoint ? "end midway between samples" : "end at the last pulse sample");
      if (a > 0 && b + 1 < n) { /* τ and Q are uncertain by the sample gaps at the two edges */
        const PetscReal gaps = (t[a] - t[a - 1]) + (t[b + 1] - t[b]);
        CHECK(PetscAbsReal(p[k].tau - (stop - start)) <= gaps, "pulse %" PetscInt_FMT ": tau %g s, true %g s", k + 1, (double)p[k].tau, (double)(stop - start));
        CHECK(PetscAbsReal(p[k].charge - TrueCharge(k)) <= 0.02 * PetscAbsReal(TrueCharge(k)) + gaps * PetscAbsReal(truth[k].current), "pulse %" PetscInt_FMT ": charge %g As, true %g As", k + 1, (double)p[k].charge, (double)TrueCharge(k));
      }
      CHECK(p[k].current * truth[k].current > 0, "pulse %" PetscInt_FMT ": wrong sign of the current", k + 1);
      CHECK(p[k].rest_first == b + 1, "pulse %" PetscInt_FMT ": the rest after it starts at sample %" PetscInt_FMT, k + 1, p[k].rest_first);
    }
    PetscCall(GittDestroy(&gitt));
  }
  PetscCall(PetscFree3(t, I_, V));

  /* a charge pulse followed directly by a discharge pulse: two pulses, no rest between */
  {
    PetscReal tt[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, ii[12] = {0, 0, 0, 1, 1, 1, -1, -1, -1, 0, 0, 0}, vv[12] = {0};
    PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
    PetscCall(GittSetRecord(gitt, "switch", 12, tt, ii, vv, NULL));
    PetscCall(GittFindPulses(gitt));
    PetscCall(GittGetPulses(gitt, &np, &p));
    CHECK(np == 2, "charge then discharge: %" PetscInt_FMT " pulses, expected 2", np);
    if (np == 2) {
      CHECK(p[0].first == 3 && p[0].last == 5 && p[1].first == 6 && p[1].last == 8, "charge then discharge: pulses [%" PetscInt_FMT ", %" PetscInt_FMT "] and [%" PetscInt_FMT ", %" PetscInt_FMT "]", p[0].first, p[0].last, p[1].first, p[1].last);
      CHECK(p[0].rest_last < p[0].rest_first, "charge then discharge: a rest between the pulses");
      CHECK_CLOSE(p[0].charge, 3, 1e-14, "charge of the charge pulse");
      CHECK_CLOSE(p[1].charge, -3, 1e-14, "charge of the discharge pulse");
    }
    PetscCall(GittSetLength(gitt, 1, NULL));
    PetscCall(GittAnalyse(gitt));
    PetscCall(GittGetPulses(gitt, &np, &p));
    CHECK(np == 2 && (p[0].flags & GITT_FLAG_NO_REST) && (p[1].flags & GITT_FLAG_NO_REST), "charge then discharge: both pulses should be flagged 'no rest'");
    PetscCall(GittDestroy(&gitt));
  }

  /* records that are not GITT records */
  {
    PetscReal tt[6] = {0, 1, 2, 1.5, 3, 4}, ii[6] = {0, 1, 1, 0, 0, 0}, vv[6] = {3, 3, 3, 3, 3, 3};
    PetscInt  lines[6] = {10, 11, 12, 13, 14, 15};
    PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
    CHECK_USER_ERROR(GittSetRecord(gitt, "rec.csv", 6, tt, ii, vv, lines), "rec.csv:13: time must increase strictly, but 1.5 s follows 2 s (line 12)");
    tt[3] = 2;
    CHECK_USER_ERROR(GittSetRecord(gitt, "test", 6, tt, ii, vv, NULL), "test: sample 4: time must increase strictly, but 2 s follows 2 s (sample 3)");
    tt[3] = 2.5;
    vv[2] = NAN;
    CHECK_USER_ERROR(GittSetRecord(gitt, "rec.csv", 6, tt, ii, vv, lines), "rec.csv:12: time, current and voltage must be finite numbers, got 2 s, 1 A, nan V");
    vv[2] = 3;
    CHECK_USER_ERROR(GittSetRecord(gitt, "single", 1, tt, ii, vv, NULL), "single: the record has 1 sample(s); a GITT record needs pulses and the rests between them");
    for (PetscInt i = 0; i < 6; ++i)
      ii[i] = 0;
    PetscCall(GittSetRecord(gitt, "flat", 6, tt, ii, vv, NULL));
    CHECK_USER_ERROR(GittFindPulses(gitt), "no current pulses in flat: the current is zero throughout");
    for (PetscInt i = 0; i < 6; ++i)
      ii[i] = 2.0;
    PetscCall(GittSetRecord(gitt, "cc", 6, tt, ii, vv, NULL));
    CHECK_USER_ERROR(GittFindPulses(gitt), "no rests in cc: the current never falls below 0.1 A (0.05 of the pulse current 2 A)");
    PetscCall(GittDestroy(&gitt));
  }
  { /* only noise: no pulse stands out */
    const PetscInt m = 400;
    PetscCall(PetscMalloc3(m, &t, m, &I_, m, &V));
    for (PetscInt i = 0; i < m; ++i) {
      t[i]  = i;
      I_[i] = 1e-3 * Gauss();
      V[i]  = 3.7;
    }
    PetscCall(GittCreate(PETSC_COMM_WORLD, &gitt));
    PetscCall(GittSetRecord(gitt, "noise", m, t, I_, V, NULL));
    CHECK_USER_ERROR(GittFindPulses(gitt), "no current pulses in noise: the current never rises above its noise (largest |I| ");
    PetscCall(GittDestroy(&gitt));
    PetscCall(PetscFree3(t, I_, V));
  }
  PetscCall(PetscFinalize());
  return test_failures;
}
