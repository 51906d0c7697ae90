/* gitt_roundtrip: a simulated GITT record, its Weppner–Huggins analysis and the truth (see
   gitt.h). Units inside: t s, I A, V V, L µm, D µm²/s (× 1e-8 for cm²/s). */
#include "postproc/gitt/gitt.h"
#include "postproc/figures/figures.h"
#include "input/input.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A pulse as the run saw it */
typedef struct {
  PetscReal t_start, t_end, theta_before, theta_after, theta_low, theta_high, current_density;
  PetscReal offset_before, offset_after; /* |θ_s − mean θ| at the end of the rests around it (NaN: none) */
} SimPulse;

struct _p_GittRoundTrip {
  MPI_Comm  comm;
  Solver    solver;
  Physics   phys;
  MeshInfo  info;
  char      source[PETSC_MAX_PATH_LEN];
  char      area_what[128];
  PetscReal area_m2, length, capacity, theta0, kappa, c_max;
  /* the record */
  PetscInt   n, ncap;
  PetscReal *t, *current, *voltage, *density, *mean;
  /* the pulses */
  PetscInt  npulses, pcap, last_pulse; /* last_pulse: the pulse whose end was the last step end, or −1 */
  SimPulse *sim;
  PetscReal low, high, last_rest_offset; /* θ range of the step under way; offset at the last step end if a rest (NaN otherwise) */
  /* the comparison */
  PetscReal           fit_window[2], max_ratio;
  PetscInt            nrows;
  GittRoundTripPulse *rows;
  PetscBool           compared;
  PostprocFiles       files; /* where the outputs go (NULL: each published when written) */
};

static const char *const flag_names[GITT_RT_NUM_FLAGS] = {"long pulse", "unrelaxed rest", "E(theta) nonlinear", "D varies", "poor sqrt(t) fit", "no D"};

static PetscErrorCode AppendSample(GittRoundTrip rt, PetscReal t, PetscReal current, PetscReal voltage, PetscReal density, PetscReal mean)
{
  PetscFunctionBeginUser;
  if (rt->n && t <= rt->t[rt->n - 1]) PetscFunctionReturn(0);
  if (rt->n == rt->ncap) {
    const PetscInt m = PetscMax(256, 2 * rt->ncap);
    PetscReal     *a[5];
    PetscCall(PetscMalloc5(m, &a[0], m, &a[1], m, &a[2], m, &a[3], m, &a[4]));
    if (rt->n) {
      PetscCall(PetscArraycpy(a[0], rt->t, rt->n));
      PetscCall(PetscArraycpy(a[1], rt->current, rt->n));
      PetscCall(PetscArraycpy(a[2], rt->voltage, rt->n));
      PetscCall(PetscArraycpy(a[3], rt->density, rt->n));
      PetscCall(PetscArraycpy(a[4], rt->mean, rt->n));
    }
    PetscCall(PetscFree5(rt->t, rt->current, rt->voltage, rt->density, rt->mean));
    rt->t       = a[0];
    rt->current = a[1];
    rt->voltage = a[2];
    rt->density = a[3];
    rt->mean    = a[4];
    rt->ncap    = m;
  }
  rt->t[rt->n]       = t;
  rt->current[rt->n] = current;
  rt->voltage[rt->n] = voltage;
  rt->density[rt->n] = density;
  rt->mean[rt->n]    = mean;
  ++rt->n;
  PetscFunctionReturn(0);
}

/* |θ_s − mean θ|: how far from relaxed the particle is, as the voltage sees it */
static PetscErrorCode SurfaceOffset(Solver s, Vec theta, PetscReal mean, PetscReal *offset)
{
  PetscReal V, i, theta_s, U_s;

  PetscFunctionBeginUser;
  PetscCall(SolverElectrochemistry(s, theta, &V, &i, &theta_s, &U_s));
  *offset = PetscAbsReal(theta_s - mean);
  PetscFunctionReturn(0);
}

static PetscErrorCode RoundTripMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  GittRoundTrip rt = (GittRoundTrip)ctx;
  PetscReal     lo, hi;

  PetscFunctionBeginUser;
  PetscCall(VecMin(theta, NULL, &lo));
  PetscCall(VecMax(theta, NULL, &hi));
  switch (e) {
  case SOLVER_EVENT_INITIAL: { /* the relaxed start: no current, the open-circuit voltage */
    PetscReal V, i, theta_s, U_s;
    PetscCall(SolverElectrochemistry(s, theta, &V, &i, &theta_s, &U_s));
    rt->theta0           = st->mean_theta;
    rt->last_rest_offset = PetscAbsReal(theta_s - st->mean_theta);
    rt->low              = lo;
    rt->high             = hi;
    PetscCall(AppendSample(rt, st->t, 0, U_s, 0, st->mean_theta));
  } break;
  case SOLVER_EVENT_TIMESTEP:
    rt->low  = PetscMin(rt->low, lo);
    rt->high = PetscMax(rt->high, hi);
    PetscCall(AppendSample(rt, st->t, st->current_density * rt->area_m2, st->cell_voltage, st->current_density, st->mean_theta));
    break;
  case SOLVER_EVENT_STEP_END:
    if (st->step->type == STEP_CC && st->step->current_density != 0) {
      SimPulse *p;
      if (rt->npulses == rt->pcap) {
        SimPulse *more;
        rt->pcap = PetscMax(16, 2 * rt->pcap);
        PetscCall(PetscMalloc1(rt->pcap, &more));
        if (rt->npulses) PetscCall(PetscArraycpy(more, rt->sim, rt->npulses));
        PetscCall(PetscFree(rt->sim));
        rt->sim = more;
      }
      p                    = &rt->sim[rt->npulses];
      p->t_start           = st->t_step_start;
      p->t_end             = st->t;
      p->theta_after       = st->mean_theta;
      p->theta_before      = st->mean_theta + st->capacity_step;
      p->theta_low         = PetscMin(rt->low, PetscMin(p->theta_before, p->theta_after));
      p->theta_high        = PetscMax(rt->high, PetscMax(p->theta_before, p->theta_after));
      p->current_density   = st->step->current_density;
      p->offset_before     = rt->last_rest_offset;
      p->offset_after      = NAN;
      rt->last_pulse       = rt->npulses++;
      rt->last_rest_offset = NAN;
    } else if (st->step->type == STEP_REST) {
      PetscReal offset = NAN;
      PetscCall(SurfaceOffset(s, theta, st->mean_theta, &offset));
      if (rt->last_pulse >= 0) rt->sim[rt->last_pulse].offset_after = offset;
      rt->last_pulse       = -1;
      rt->last_rest_offset = offset;
    } else {
      rt->last_pulse       = -1;
      rt->last_rest_offset = NAN;
    }
    rt->low  = lo;
    rt->high = hi;
    break;
  default:
    SETERRQ(rt->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown solver event %d", (int)e);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripCreate(Solver solver, const char source[], GittRoundTrip *out)
{
  GittRoundTrip   rt;
  const MeshInfo *info;
  DM              dm;
  PetscReal       thickness = 1;
  PetscBool       set       = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&rt));
  PetscCall(SolverGetDM(solver, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &rt->comm));
  rt->solver     = solver;
  rt->last_pulse = -1;
  PetscCall(SolverGetPhysics(solver, &rt->phys));
  PetscCall(PhysicsGetCMax(rt->phys, &rt->c_max));
  PetscCall(SolverGetMeshInfo(solver, &info));
  rt->info = *info;
  PetscCall(PetscStrncpy(rt->source, source && source[0] ? source : "simulated record", sizeof(rt->source)));
  rt->length = info->volume / info->surface;
  if (info->dim == 3) {
    rt->area_m2 = info->surface * 1e-12;
    PetscCall(PetscStrncpy(rt->area_what, "", sizeof(rt->area_what)));
  } else {
    PetscCall(InputGetQuantity("-mesh_thickness", UNIT_LENGTH, &thickness, &set));
    if (!set) thickness = 1;
    rt->area_m2 = info->surface * thickness * 1e-12;
    PetscCall(PetscSNPrintf(rt->area_what, sizeof(rt->area_what), set ? ", the 2-D outline times the thickness %g um" : ", per um of thickness (2-D)", (double)thickness));
  }
  /* the whole particle, θ from 1 to 0: F c_max × volume, volume = area × L */
  rt->capacity = FARADAY * rt->c_max * rt->area_m2 * rt->length * 1e-6;
  /* mean curvature of the active surface, for the short-time estimate (gitt.h) */
  if (PetscAbsReal(info->boundary - info->surface) > 1e-9 * info->boundary)
    rt->kappa = NAN;
  else
    rt->kappa = info->dim == 2 ? 2 * PETSC_PI / info->surface : 2 / (3 * rt->length);
  PetscCall(SolverAddMonitor(solver, RoundTripMonitor, rt));
  *out = rt;
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripDestroy(GittRoundTrip *rt)
{
  PetscFunctionBeginUser;
  if (!*rt) PetscFunctionReturn(0);
  PetscCall(PetscFree5((*rt)->t, (*rt)->current, (*rt)->voltage, (*rt)->density, (*rt)->mean));
  PetscCall(PetscFree((*rt)->sim));
  PetscCall(PetscFree((*rt)->rows));
  PetscCall(PetscFree(*rt));
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripSetUp(GittRoundTrip rt, Gitt gitt)
{
  char what[512], description[512];

  PetscFunctionBeginUser;
  PetscCheck(rt->npulses > 0, rt->comm, PETSC_ERR_USER_INPUT, "%s: the run had no current pulses to analyse", rt->source);
  PetscCall(GittSetRecord(gitt, rt->source, rt->n, rt->t, rt->current, rt->voltage, NULL));
  PetscCall(PetscSNPrintf(description, sizeof(description), "t [s], current = current density x active area [A%s, positive = charge], cell voltage [V]", rt->area_what));
  PetscCall(GittSetRecordDescription(gitt, description));
  if (rt->info.dim == 2)
    PetscCall(PetscSNPrintf(what, sizeof(what), "the run's mesh: |Omega|/|dOmega| = %.6g um2 / %.6g um", (double)rt->info.volume, (double)rt->info.surface));
  else
    PetscCall(PetscSNPrintf(what, sizeof(what), "the run's mesh: V/A = %.6g um3 / %.6g um2", (double)rt->info.volume, (double)rt->info.surface));
  PetscCall(GittSetLength(gitt, rt->length, what));
  PetscCall(GittSetThetaStart(gitt, rt->theta0, "the run's initial mean theta"));
  PetscCall(PetscSNPrintf(what, sizeof(what), "the particle: F c_max |Omega| = %.6g As%s", (double)rt->capacity, rt->info.dim == 2 ? " per um of thickness" : ""));
  if (rt->info.dim == 2 && strstr(rt->area_what, "times the thickness")) PetscCall(PetscSNPrintf(what, sizeof(what), "the particle: F c_max |Omega| thickness = %.6g As", (double)rt->capacity));
  PetscCall(GittSetCapacity(gitt, rt->capacity, what));
  PetscFunctionReturn(0);
}

/* E(θ) = U(θ) + η(θ, i) during a pulse at current density i (η = 0 without an exchange current) */
static PetscErrorCode PulseVoltage(GittRoundTrip rt, PetscReal theta, PetscReal i, PetscReal *E)
{
  PetscInt           nc;
  const PetscScalar *c;
  PetscReal          U, eta = 0;

  PetscFunctionBeginUser;
  PetscCall(PhysicsOCP(rt->phys, theta, &U, NULL));
  PetscCall(PhysicsGetConstants(rt->phys, &nc, &c));
  if (PetscRealPart(c[PHYS_I0]) >= 0) PetscCall(PhysicsOverpotential(rt->phys, theta, i, &eta));
  *E = U + eta;
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripCompare(GittRoundTrip rt, Gitt gitt)
{
  const GittPulse *pulses;
  PetscInt         np;
  const PetscInt   nsample = 41;

  PetscFunctionBeginUser;
  PetscCall(GittGetPulses(gitt, &np, &pulses));
  PetscCall(GittGetSettings(gitt, rt->fit_window, &rt->max_ratio));
  PetscCall(PetscFree(rt->rows));
  PetscCall(PetscCalloc1(PetscMax(np, 1), &rt->rows));
  rt->nrows = np;
  for (PetscInt k = 0; k < np; ++k) {
    const GittPulse    *p   = &pulses[k];
    GittRoundTripPulse *r   = &rt->rows[k];
    const PetscReal     mid = 0.5 * (p->t_start + p->t_end);
    const SimPulse     *q   = NULL;
    PetscReal           dtheta, Dmin = PETSC_MAX_REAL, Dmax = 0, slope, Ub, Ua, L2 = rt->length * rt->length;

    r->pulse          = k + 1;
    r->theta_analysed = p->theta;
    r->tau            = p->tau;
    for (PetscInt j = 0; j < rt->npulses; ++j)
      if (mid >= rt->sim[j].t_start && mid <= rt->sim[j].t_end) q = &rt->sim[j];
    PetscCheck(q, rt->comm, PETSC_ERR_PLIB, "pulse %" PetscInt_FMT " of the analysis (t = %g to %g s) is not a current step of the run", k + 1, (double)p->t_start, (double)p->t_end);
    r->theta      = 0.5 * (q->theta_before + q->theta_after);
    r->theta_low  = q->theta_low;
    r->theta_high = q->theta_high;
    PetscCall(PhysicsDiffusivity(rt->phys, r->theta, &r->D_true, NULL));
    r->tau_D_over_L2  = r->tau * r->D_true / L2;
    r->D_analysed     = (!(p->flags & GITT_FLAG_EXCLUDED) && p->D > 0 && isfinite(p->D)) ? p->D : NAN;
    r->ratio          = r->D_analysed / r->D_true;
    r->apparent_alpha = r->D_true / r->D_analysed;
    /* the short-time expansion holds for short pulses only */
    if (r->tau_D_over_L2 <= rt->max_ratio)
      r->expected_ratio = 1 / PetscSqr(1 + rt->kappa * PetscSqrtReal(PETSC_PI * r->D_true * r->tau) * (PetscSqrtReal(rt->fit_window[0]) + PetscSqrtReal(rt->fit_window[1])) / 4);
    else
      r->expected_ratio = NAN;

    /* how much D and dE/dθ change over the θ the pulse touches */
    dtheta = q->theta_after - q->theta_before;
    PetscCall(PhysicsOCP(rt->phys, q->theta_before, &Ub, NULL));
    PetscCall(PhysicsOCP(rt->phys, q->theta_after, &Ua, NULL));
    slope           = dtheta != 0 ? (Ua - Ub) / dtheta : NAN;
    r->nonlinearity = 0;
    for (PetscInt m = 0; m < nsample; ++m) {
      const PetscReal x = r->theta_low + (r->theta_high - r->theta_low) * m / (nsample - 1.0);
      const PetscReal h = 1e-6, xl = PetscMax(0, x - h), xr = PetscMin(1, x + h);
      PetscReal       D, El, Er;
      PetscCall(PhysicsDiffusivity(rt->phys, x, &D, NULL));
      Dmin = PetscMin(Dmin, D);
      Dmax = PetscMax(Dmax, D);
      PetscCall(PulseVoltage(rt, xl, q->current_density, &El));
      PetscCall(PulseVoltage(rt, xr, q->current_density, &Er));
      r->nonlinearity = PetscMax(r->nonlinearity, PetscAbsReal((Er - El) / (xr - xl) / slope - 1));
    }
    r->D_variation = Dmax / Dmin;
    r->rest_offset = NAN;
    if (dtheta != 0) {
      const PetscReal before = isfinite(q->offset_before) ? q->offset_before : 0, after = isfinite(q->offset_after) ? q->offset_after : 0;
      r->rest_offset = PetscMax(before, after) / PetscAbsReal(dtheta);
    }

    r->flags = 0;
    if (r->tau_D_over_L2 > rt->max_ratio) r->flags |= GITT_RT_LONG_PULSE;
    if ((p->flags & GITT_FLAG_UNRELAXED) || r->rest_offset > GITT_RT_MAX_REST_OFFSET) r->flags |= GITT_RT_UNRELAXED;
    if (!(r->nonlinearity <= GITT_RT_MAX_NONLINEARITY)) r->flags |= GITT_RT_NONLINEAR;
    if (r->D_variation > GITT_RT_MAX_D_VARIATION) r->flags |= GITT_RT_D_VARIES;
    if (p->flags & GITT_FLAG_POOR_FIT) r->flags |= GITT_RT_POOR_FIT;
    if (!isfinite(r->D_analysed)) r->flags |= GITT_RT_NO_D;
  }
  rt->compared = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripGetPulses(GittRoundTrip rt, PetscInt *n, const GittRoundTripPulse **pulses)
{
  PetscFunctionBeginUser;
  PetscCheck(rt->compared, rt->comm, PETSC_ERR_ARG_WRONGSTATE, "GittRoundTripCompare() first");
  if (n) *n = rt->nrows;
  if (pulses) *pulses = rt->rows;
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripFlagsToString(PetscInt flags, char text[], size_t len)
{
  PetscFunctionBeginUser;
  text[0] = 0;
  for (int b = 0; b < GITT_RT_NUM_FLAGS; ++b) {
    if (!(flags & (1 << b))) continue;
    if (text[0]) PetscCall(PetscStrlcat(text, "; ", len));
    PetscCall(PetscStrlcat(text, flag_names[b], len));
  }
  PetscFunctionReturn(0);
}

static int CompareReal(const void *a, const void *b)
{
  const PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Range and median of the analysed/true ratio over the pulses with a D and none of the bits in mask */
static PetscErrorCode RatioSummary(GittRoundTrip rt, PetscInt mask, PetscInt *count, PetscReal *lo, PetscReal *hi, PetscReal *median)
{
  PetscReal *v;
  PetscInt   m = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(PetscMax(rt->nrows, 1), &v));
  for (PetscInt k = 0; k < rt->nrows; ++k)
    if (isfinite(rt->rows[k].ratio) && !(rt->rows[k].flags & mask)) v[m++] = rt->rows[k].ratio;
  qsort(v, (size_t)m, sizeof(PetscReal), CompareReal);
  *count  = m;
  *lo     = m ? v[0] : NAN;
  *hi     = m ? v[m - 1] : NAN;
  *median = m ? (m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2])) : NAN;
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripView(GittRoundTrip rt, PetscViewer viewer)
{
  PetscInt  count;
  PetscReal lo, hi, med;

  PetscFunctionBeginUser;
  PetscCheck(rt->compared, rt->comm, PETSC_ERR_ARG_WRONGSTATE, "GittRoundTripCompare() first");
  PetscCall(PetscViewerASCIIPrintf(viewer, "round trip: D_true = alpha D_GITT of the input at the pulse's mean theta; D_analysed by Weppner-Huggins from the simulated record\n"));
  if (isfinite(rt->kappa))
    PetscCall(PetscViewerASCIIPrintf(viewer, "  expected analysed/true at short times, from the curvature of the surface (%s): 1/(1 + kappa sqrt(pi D tau) (sqrt(a) + sqrt(b))/4)^2, kappa = %.4g 1/um\n", rt->info.dim == 2 ? "2 pi/|dOmega|" : "a sphere of the same V/A, 2/(3L)", (double)rt->kappa));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  pulse   theta  tau_s    tauD/L2  D_true_cm2/s  D_analysed    analysed/true  expected  apparent_alpha  flags\n"));
  for (PetscInt k = 0; k < rt->nrows; ++k) {
    const GittRoundTripPulse *r = &rt->rows[k];
    char                      flags[256];
    PetscCall(GittRoundTripFlagsToString(r->flags, flags, sizeof(flags)));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %5" PetscInt_FMT "  %6.4f  %-8.4g %-8.3g %-13.4e %-13.4e %-14.4f %-9.4f %-15.4f %s\n", r->pulse, (double)r->theta, (double)r->tau, (double)r->tau_D_over_L2, (double)(r->D_true * 1e-8), (double)(r->D_analysed * 1e-8), (double)r->ratio, (double)r->expected_ratio, (double)r->apparent_alpha, flags[0] ? flags : "-"));
  }
  PetscCall(RatioSummary(rt, ~0, &count, &lo, &hi, &med));
  if (count)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %" PetscInt_FMT " of %" PetscInt_FMT " pulses unflagged: analysed/true %.4f to %.4f (median %.4f), apparent alpha %.4f to %.4f\n", count, rt->nrows, (double)lo, (double)hi, (double)med, (double)(1 / hi), (double)(1 / lo)));
  else
    PetscCall(PetscViewerASCIIPrintf(viewer, "  no pulse is free of flags: the analysis' assumptions do not hold for this protocol and particle\n"));
  PetscCall(RatioSummary(rt, GITT_RT_NO_D, &count, &lo, &hi, &med));
  if (count) PetscCall(PetscViewerASCIIPrintf(viewer, "  all %" PetscInt_FMT " pulses with a D: analysed/true %.4f to %.4f (median %.4f)\n", count, (double)lo, (double)hi, (double)med));
  PetscFunctionReturn(0);
}

/* ---------------------------------------------------------------- outputs */
PetscErrorCode GittRoundTripSetOutputFiles(GittRoundTrip rt, PostprocFiles files)
{
  PetscFunctionBeginUser;
  rt->files = files;
  PetscFunctionReturn(0);
}

static PetscErrorCode Stamp(FileOut f, const char what[], const char source[])
{
  char      date[64] = "";
  time_t    now      = time(NULL);
  struct tm tm;

  PetscFunctionBeginUser;
  if (localtime_r(&now, &tm)) strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z", &tm);
  PetscCall(FileOutPrintf(f, "# Made by spot gitt --simulate on %s: %s\n", date, what));
  PetscCall(FileOutPrintf(f, "# Source: %s\n", source));
  PetscFunctionReturn(0);
}

typedef struct {
  GittRoundTrip rt;
  const char   *path;
} RoundTripFile;

static PetscErrorCode WriteRecord(PostprocFiles files, void *ctx)
{
  const GittRoundTrip rt   = ((RoundTripFile *)ctx)->rt;
  const char         *path = ((RoundTripFile *)ctx)->path;
  FileOut             f;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(Stamp(f, "the GITT record of a spot run (one row per time step)", rt->source));
  PetscCall(FileOutPrintf(f, "# current_A = current density x active area%s (positive = charge); voltage_V: the cell voltage\n", rt->area_what));
  PetscCall(FileOutPrintf(f, "# The particle: L = %.10g um, initial mean theta %.10g, capacity %.10g As; analyse with\n", (double)rt->length, (double)rt->theta0, (double)rt->capacity));
  PetscCall(FileOutPrintf(f, "#   spot gitt THIS.csv --length %.10gum --theta-start %.10g --capacity %.10gAs\n", (double)rt->length, (double)rt->theta0, (double)rt->capacity));
  PetscCall(FileOutPrintf(f, "t_s,current_A,voltage_V,current_density_A_per_m2,mean_theta\n"));
  for (PetscInt i = 0; i < rt->n; ++i)
    PetscCall(FileOutPrintf(f, "%.12g,%.10g,%.12g,%.10g,%.12g\n", (double)rt->t[i], (double)rt->current[i], (double)rt->voltage[i], (double)rt->density[i], (double)rt->mean[i]));
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripWriteRecord(GittRoundTrip rt, const char path[])
{
  RoundTripFile job = {rt, path};

  PetscFunctionBeginUser;
  PetscCall(PostprocWrite(rt->comm, rt->files, WriteRecord, &job));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteComparison(PostprocFiles files, void *ctx)
{
  const GittRoundTrip rt   = ((RoundTripFile *)ctx)->rt;
  const char         *path = ((RoundTripFile *)ctx)->path;
  FileOut             f;

  PetscFunctionBeginUser;
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(Stamp(f, "Weppner-Huggins on a simulated record against the D the run used", rt->source));
  PetscCall(FileOutPrintf(f, "# L = %.6g um (the run's mesh), fit window [%.6g, %.6g] tau; D_true = alpha D_GITT of the input at theta (mid-pulse mean theta of the run)\n", (double)rt->length, (double)rt->fit_window[0], (double)rt->fit_window[1]));
  PetscCall(FileOutPrintf(f, "# ratio = D_analysed/D_true; apparent_alpha = D_true/D_analysed: the alpha an FE model of this particle needs on a D measured this way\n"));
  if (isfinite(rt->kappa))
    PetscCall(FileOutPrintf(f, "# expected_ratio: short-time curvature estimate 1/(1 + kappa sqrt(pi D_true tau) (sqrt(a) + sqrt(b))/4)^2, kappa = %.6g 1/um (%s); nan for long pulses\n", (double)rt->kappa, rt->info.dim == 2 ? "2 pi/|dOmega|" : "a sphere of the same V/A"));
  else
    PetscCall(FileOutPrintf(f, "# expected_ratio: nan (part of the boundary has no flux: no curvature estimate)\n"));
  PetscCall(FileOutPrintf(f, "# theta_low/high: lowest/highest theta anywhere in the particle during the pulse; D_variation = max/min D_true there;\n"));
  PetscCall(FileOutPrintf(f, "# nonlinearity = max |dE/dtheta / (dU/dtheta over the pulse) - 1| there (E = U + overpotential at the pulse current);\n"));
  PetscCall(FileOutPrintf(f, "# rest_offset = |surface theta - mean theta| at the end of the rests beside the pulse, over its |d theta|\n"));
  PetscCall(FileOutPrintf(f, "# flags (sum of): 1 tau D_true/L^2 > %.6g, 2 unrelaxed rest (analysis, or rest_offset > %g), 4 nonlinearity > %g, 8 D_variation > %g, 16 poor sqrt(t) fit, 32 no D\n", (double)rt->max_ratio, (double)GITT_RT_MAX_REST_OFFSET, (double)GITT_RT_MAX_NONLINEARITY, (double)GITT_RT_MAX_D_VARIATION));
  PetscCall(FileOutPrintf(f, "pulse,theta,theta_analysed,theta_low,theta_high,tau_s,tau_D_over_L2,D_true_cm2_per_s,D_analysed_cm2_per_s,ratio,apparent_alpha,expected_ratio,D_variation,nonlinearity,rest_offset,flags,notes\n"));
  for (PetscInt k = 0; k < rt->nrows; ++k) {
    const GittRoundTripPulse *r = &rt->rows[k];
    char                      notes[256];
    PetscCall(GittRoundTripFlagsToString(r->flags, notes, sizeof(notes)));
    PetscCall(FileOutPrintf(f, "%d,%.8g,%.8g,%.8g,%.8g,%.8g,%.6g,%.6e,%.6e,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%s\n", (int)r->pulse, (double)r->theta, (double)r->theta_analysed, (double)r->theta_low, (double)r->theta_high, (double)r->tau, (double)r->tau_D_over_L2, (double)(r->D_true * 1e-8), (double)(r->D_analysed * 1e-8), (double)r->ratio, (double)r->apparent_alpha, (double)r->expected_ratio, (double)r->D_variation, (double)r->nonlinearity, (double)r->rest_offset, (int)r->flags, notes));
  }
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

PetscErrorCode GittRoundTripWrite(GittRoundTrip rt, const char path[])
{
  RoundTripFile job = {rt, path};

  PetscFunctionBeginUser;
  PetscCheck(rt->compared, rt->comm, PETSC_ERR_ARG_WRONGSTATE, "GittRoundTripCompare() first");
  PetscCall(PostprocWrite(rt->comm, rt->files, WriteComparison, &job));
  PetscFunctionReturn(0);
}

/* Left: D_true(θ) of the input and the analysed D per pulse; right: the apparent α per pulse */
PetscErrorCode GittRoundTripWritePlot(GittRoundTrip rt, const char path[])
{
  const PetscInt nline = 200;
  PetscReal     *lx, *ly, *ax, *ay, *fx, *fy, *ex, *ey, *bx, *by, lo = PETSC_MAX_REAL, hi = -PETSC_MAX_REAL, one[2] = {1, 1}, span[2];
  PetscInt       na = 0, nf = 0, ne = 0, n = rt->nrows;
  PlotFigure     fig;
  PlotAxes       left, right;
  char           title[PETSC_MAX_PATH_LEN + 64];

  PetscFunctionBeginUser;
  PetscCheck(rt->compared, rt->comm, PETSC_ERR_ARG_WRONGSTATE, "GittRoundTripCompare() first");
  PetscCall(PetscMalloc6(nline, &lx, nline, &ly, PetscMax(n, 1), &ax, PetscMax(n, 1), &ay, PetscMax(n, 1), &fx, PetscMax(n, 1), &fy));
  PetscCall(PetscMalloc4(PetscMax(n, 1), &ex, PetscMax(n, 1), &ey, PetscMax(n, 1), &bx, PetscMax(n, 1), &by));
  for (PetscInt k = 0; k < n; ++k) {
    lo = PetscMin(lo, rt->rows[k].theta_low);
    hi = PetscMax(hi, rt->rows[k].theta_high);
  }
  if (!(hi > lo)) {
    lo = 0;
    hi = 1;
  }
  for (PetscInt m = 0; m < nline; ++m) {
    lx[m] = lo + (hi - lo) * m / (nline - 1.0);
    PetscCall(PhysicsDiffusivity(rt->phys, lx[m], &ly[m], NULL));
    ly[m] *= 1e-8;
  }
  PetscCall(PlotFigureCreate(rt->comm, 1600, 760, &fig));
  PetscCall(PlotFigureSetOutputFiles(fig, rt->files));
  PetscCall(PlotFigureSetFontScale(fig, 2));
  PetscCall(PlotFigureAddAxes(fig, 0.0, 0.06, 0.5, 0.92, &left));
  PetscCall(PlotFigureAddAxes(fig, 0.5, 0.06, 1.0, 0.92, &right));
  PetscCall(PetscSNPrintf(title, sizeof(title), "spot gitt --simulate: %s", rt->source));
  PetscCall(PlotFigureAddText(fig, 0.01, 0.012, title, PlotColorRGB(0, 0, 0)));
  PetscCall(PlotFigureAddText(fig, 0.01, 0.94, "filled: pulses without flags; open: flagged (roundtrip.csv says why)", PlotColorRGB(60, 60, 60)));

  /* D against θ */
  for (PetscInt k = 0; k < n; ++k) {
    const GittRoundTripPulse *r = &rt->rows[k];
    if (!isfinite(r->D_analysed)) continue;
    if (r->flags) {
      fx[nf]   = r->theta;
      fy[nf++] = r->D_analysed * 1e-8;
    } else {
      ax[na]   = r->theta;
      ay[na++] = r->D_analysed * 1e-8;
    }
  }
  PetscCall(PlotAxesSetLabels(left, "D: the run's law and Weppner-Huggins", "θ (Li site fraction)", "D (cm²/s)"));
  PetscCall(PlotAxesSetLog(left, PETSC_FALSE, PETSC_TRUE));
  PetscCall(PlotAxesSetLegend(left, PLOT_LEGEND_LOWER_LEFT));
  PetscCall(PlotAxesAddSeries(left, nline, lx, ly, PlotColorCycle(0), 2.0, PLOT_MARKER_NONE, 0, "D_true = α D_GITT (input)"));
  if (na) PetscCall(PlotAxesAddSeries(left, na, ax, ay, PlotColorCycle(1), 0, PLOT_MARKER_CIRCLE, 9.0, "D analysed"));
  if (nf) PetscCall(PlotAxesAddSeries(left, nf, fx, fy, PlotColorCycle(1), 0, PLOT_MARKER_OPEN_CIRCLE, 12.0, "D analysed, flagged"));

  /* apparent α against θ, with the curvature estimate */
  na = nf = 0;
  for (PetscInt k = 0; k < n; ++k) {
    const GittRoundTripPulse *r = &rt->rows[k];
    if (isfinite(r->expected_ratio)) {
      ex[ne]   = r->theta;
      ey[ne++] = 1 / r->expected_ratio;
    }
    if (!isfinite(r->apparent_alpha)) continue;
    if (r->flags) {
      fx[nf]   = r->theta;
      fy[nf++] = r->apparent_alpha;
    } else {
      bx[na]   = r->theta;
      by[na++] = r->apparent_alpha;
    }
  }
  span[0] = lo;
  span[1] = hi;
  { /* room above the points for the legend */
    PetscReal top = 1;
    for (PetscInt k = 0; k < na; ++k)
      top = PetscMax(top, by[k]);
    for (PetscInt k = 0; k < nf; ++k)
      top = PetscMax(top, fy[k]);
    for (PetscInt k = 0; k < ne; ++k)
      top = PetscMax(top, ey[k]);
    PetscCall(PlotAxesSetYLimits(right, 0, 1.3 * top));
  }
  PetscCall(PlotAxesSetLabels(right, "apparent α = D_true / D_analysed", "θ (Li site fraction)", "apparent α"));
  PetscCall(PlotAxesSetLegend(right, PLOT_LEGEND_UPPER_RIGHT));
  PetscCall(PlotAxesAddSeries(right, 2, span, one, PlotColorRGB(150, 150, 150), 1.0, PLOT_MARKER_NONE, 0, NULL));
  if (ne) PetscCall(PlotAxesAddSeries(right, ne, ex, ey, PlotColorCycle(4), 0, PLOT_MARKER_CROSS, 11.0, "curvature estimate"));
  if (na) PetscCall(PlotAxesAddSeries(right, na, bx, by, PlotColorCycle(2), 0, PLOT_MARKER_CIRCLE, 9.0, "apparent α"));
  if (nf) PetscCall(PlotAxesAddSeries(right, nf, fx, fy, PlotColorCycle(2), 0, PLOT_MARKER_OPEN_CIRCLE, 12.0, "apparent α, flagged"));
  {
    PetscErrorCode ierr = PlotFigureWritePNG(fig, path);
    PetscCall(PlotFigureDestroy(&fig));
    PetscCall(PetscFree6(lx, ly, ax, ay, fx, fy));
    PetscCall(PetscFree4(ex, ey, bx, by));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}
