/* GITT analysis of the real records in data/gitt/:
   - the 18650 full-cell charge record (Wassiliadis et al. 2022): the pulses found are those of
     the record (one per relaxed-OCV point of the authors), the end-of-rest voltages agree with the
     authors' relaxed-OCV points within 2 mV, the charge with their coulomb counting, the CC-CV last
     pulse is excluded, the outputs are written and the D(θ) table is read by spot run's table law;
   - the 2C pulse record (short rests): its first rest after a pulse has not relaxed (an error), and
     with -gitt_allow_unrelaxed its 13 discharge pulses of 120 s are found (the header's "110 s"
     is the nominal time; the charge column gives 120 s), plus a 14th cut by the end of the record. */
#include "testing.h"
#include "postproc/gitt/gitt.h"
#include "physics/physics.h"
#include <math.h>

static const char vtc5a[]  = "data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv";
static const char points[] = "data/gitt/vtc5a_fullcell_GITT_20C_charge_relaxed_OCV_points_TUMFTM.csv";
static const char tran[]   = "data/gitt/fullcell_2C_pulse_relaxation_Tran_cell43_PyBaMM_PR3293.csv";

/* A Gitt on columns (time, current × sign, voltage) of a CSV */
static PetscErrorCode Load(const char path[], const char tname[], const char iname[], const char vname[], PetscReal sign, Gitt *gitt)
{
  InputTable t;
  PetscInt   ct, ci, cv;
  PetscReal *tt, *ii, *vv;

  PetscFunctionBeginUser;
  PetscCall(InputTableRead(PETSC_COMM_WORLD, path, &t));
  PetscCall(InputTableColumn(&t, path, tname, &ct));
  PetscCall(InputTableColumn(&t, path, iname, &ci));
  PetscCall(InputTableColumn(&t, path, vname, &cv));
  PetscCall(PetscMalloc3(t.nrows, &tt, t.nrows, &ii, t.nrows, &vv));
  for (PetscInt r = 0; r < t.nrows; ++r) {
    tt[r] = t.values[r * t.ncols + ct];
    ii[r] = sign * t.values[r * t.ncols + ci];
    vv[r] = t.values[r * t.ncols + cv];
  }
  PetscCall(GittCreate(PETSC_COMM_WORLD, gitt));
  PetscCall(GittSetRecord(*gitt, path, t.nrows, tt, ii, vv, t.lines));
  PetscCall(PetscFree3(tt, ii, vv));
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Gitt             gitt;
  InputTable       ocv, table;
  const GittPulse *p;
  PetscInt         np, ntable, ct, cv, cq;
  const PetscReal *theta, *D, *t;
  const char      *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";
  char             dpath[PETSC_MAX_PATH_LEN], ppath[PETSC_MAX_PATH_LEN], gpath[PETSC_MAX_PATH_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());

  /* the 18650 charge record against the authors' relaxed-OCV points */
  PetscCall(Load(vtc5a, "time_s", "current_A", "voltage_V", 1, &gitt));
  PetscCall(GittSetLength(gitt, 5.0, "test"));
  PetscCall(GittSetCapacity(gitt, 2.6 * 3600, "test"));
  PetscCall(GittSetThetaStart(gitt, 1.0, "test"));
  PetscCall(GittAnalyse(gitt));
  PetscCall(GittGetPulses(gitt, &np, &p));
  PetscCall(GittGetRecord(gitt, NULL, &t, NULL, NULL));
  PetscCall(InputTableRead(PETSC_COMM_WORLD, points, &ocv));
  PetscCall(InputTableColumn(&ocv, points, "time_s", &ct));
  PetscCall(InputTableColumn(&ocv, points, "ocv_V", &cv));
  PetscCall(InputTableColumn(&ocv, points, "charge_Ah", &cq));
  CHECK(ocv.nrows == 60, "the authors' file has %" PetscInt_FMT " relaxed-OCV points, expected 60", ocv.nrows);
  CHECK(np == ocv.nrows, "found %" PetscInt_FMT " pulses, the record has %" PetscInt_FMT, np, ocv.nrows);
  {
    PetscReal q = 0, worst = 0;
    for (PetscInt k = 0; k < PetscMin(np, ocv.nrows); ++k) {
      const PetscReal V = ocv.values[k * ocv.ncols + cv], when = ocv.values[k * ocv.ncols + ct], charge = ocv.values[k * ocv.ncols + cq];
      const PetscReal rest_end = t[p[k].rest_last];
      q += p[k].charge / 3600;
      worst = PetscMax(worst, PetscAbsReal(p[k].relaxed_voltage_after - V));
      CHECK(PetscAbsReal(p[k].relaxed_voltage_after - V) <= 2e-3, "pulse %" PetscInt_FMT ": relaxed voltage %.6f V after it, the authors have %.6f V", k + 1, (double)p[k].relaxed_voltage_after, (double)V);
      CHECK(PetscAbsReal(rest_end - when) <= 0.5, "pulse %" PetscInt_FMT ": the rest after it ends at %.3f s, the authors' point is at %.3f s", k + 1, (double)rest_end, (double)when);
      CHECK(PetscAbsReal(q - charge) <= 5e-4, "pulse %" PetscInt_FMT ": charge %.6f Ah after it, the authors counted %.6f Ah", k + 1, (double)q, (double)charge);
      CHECK(PetscAbsReal(p[k].theta_after - (1 - charge / 2.6)) <= 2e-4, "pulse %" PetscInt_FMT ": theta %.6f after it, the authors' charge gives %.6f", k + 1, (double)p[k].theta_after, (double)(1 - charge / 2.6));
      if (k < np - 1) CHECK(PetscAbsReal(p[k].tau - 600) < 0.5, "pulse %" PetscInt_FMT ": tau = %g s, expected 600 s", k + 1, (double)p[k].tau);
      if (k) CHECK_CLOSE(p[k].relaxed_voltage_before, p[k - 1].relaxed_voltage_after, 0, "rests are shared by neighbouring pulses");
    }
    CHECK(worst > 0, "relaxed voltages identical to the authors' to the last digit: the comparison is suspicious");
  }
  if (np == 60) {
    CHECK(p[59].flags & GITT_FLAG_CURRENT, "the CC-CV last pulse should be flagged 'current not constant' (flags %" PetscInt_FMT ")", p[59].flags);
    for (PetscInt k = 0; k < 59; ++k)
      CHECK(!(p[k].flags & GITT_FLAG_EXCLUDED), "pulse %" PetscInt_FMT " excluded (flags %" PetscInt_FMT ")", k + 1, p[k].flags);
    for (PetscInt k = 0; k < 60; ++k) {
      const PetscReal ratio = p[k].relaxed_change / p[k].transient_change;
      CHECK_CLOSE(p[k].D * PETSC_PI * p[k].tau / (4 * 25.0), ratio * ratio, 1e-12, "D = 4/(pi tau) L^2 (dE_s/dE_t)^2");
      CHECK_CLOSE(p[k].transient_change, p[k].sqrt_slope * sqrt(p[k].tau), 1e-12, "dE_t = m sqrt(tau)");
      CHECK_CLOSE(p[k].tau_D_over_L2, p[k].tau * p[k].D / 25.0, 1e-12, "tau D/L^2");
    }
    CHECK_CLOSE(p[1].relaxed_change, 3.17969470486946 - 3.04564220846627, 2e-3, "dE_s of pulse 2 from the authors' points");
    CHECK_CLOSE(p[1].D * 1e-8, 1.9947e-10, 0.02, "D of pulse 2 at L = 5 um (regression)");
  }
  PetscCall(GittGetDiffusivity(gitt, &ntable, &theta, &D));
  CHECK(ntable == 59, "D table has %" PetscInt_FMT " rows, expected 59", ntable);
  for (PetscInt i = 0; i < ntable; ++i) {
    CHECK(isfinite(D[i]) && D[i] > 0, "D table row %" PetscInt_FMT ": D = %g", i, (double)D[i]);
    if (i) CHECK(theta[i] > theta[i - 1], "D table row %" PetscInt_FMT ": theta %g after %g", i, (double)theta[i], (double)theta[i - 1]);
  }

  /* outputs: the per-pulse CSV has every pulse; spot run's table law reads the D(θ) CSV as it is */
  PetscCall(PetscSNPrintf(dpath, sizeof(dpath), "%s/gitt_record_diffusivity.csv", tmp));
  PetscCall(PetscSNPrintf(ppath, sizeof(ppath), "%s/gitt_record_pulses.csv", tmp));
  PetscCall(PetscSNPrintf(gpath, sizeof(gpath), "%s/gitt_record.png", tmp));
  PetscCall(GittWriteDiffusivity(gitt, dpath));
  PetscCall(GittWritePulses(gitt, ppath));
  PetscCall(GittWritePlot(gitt, gpath));
  PetscCall(InputTableRead(PETSC_COMM_WORLD, ppath, &table));
  CHECK(table.nrows == 60 && table.ncols == 29, "pulses.csv: %" PetscInt_FMT " rows x %" PetscInt_FMT " columns, expected 60 x 29", table.nrows, table.ncols);
  {
    PetscInt cu, cd, used = 0;
    PetscCall(InputTableColumn(&table, ppath, "used", &cu));
    PetscCall(InputTableColumn(&table, ppath, "D_cm2_per_s", &cd));
    for (PetscInt r = 0; r < table.nrows; ++r)
      used += (PetscInt)table.values[r * table.ncols + cu];
    CHECK(used == 59, "pulses.csv: %" PetscInt_FMT " pulses used, expected 59", used);
    if (np == 60) CHECK_CLOSE(table.values[1 * table.ncols + cd], p[1].D * 1e-8, 1e-6, "pulses.csv: D of pulse 2");
  }
  PetscCall(InputTableDestroy(&table));
  {
    Physics   phys;
    PetscReal Dnode;
    PetscCall(PetscOptionsSetValue(NULL, "-phys_diffusivity_law", "table"));
    PetscCall(PetscOptionsSetValue(NULL, "-phys_diffusivity_file", dpath));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    for (PetscInt i = 0; i < ntable; ++i) {
      PetscCall(PhysicsDiffusivity(phys, theta[i], &Dnode, NULL)); /* alpha = 1 */
      CHECK_CLOSE(Dnode, D[i], 1e-6, "spot run's table law at a node of the written table");
    }
    PetscCall(PhysicsDestroy(&phys));
  }
  PetscCall(InputTableDestroy(&ocv));
  PetscCall(GittDestroy(&gitt));

  /* the 2C pulse record: 300 s rests do not relax */
  PetscCall(Load(tran, "time_s", "I_A", "Ecell_V", -1, &gitt));
  PetscCall(GittSetLength(gitt, 5.0, NULL));
  CHECK_USER_ERROR(GittAnalyse(gitt), "fullcell_2C_pulse_relaxation_Tran_cell43_PyBaMM_PR3293.csv: the rest after pulse 1 (t = 190.068 to 490.158 s, 300.1 s) has not relaxed: the voltage still drifts by 20.8 +- 9.1 mV/h at its end (limit 10 mV/h, -gitt_max_drift)");
  PetscCall(PetscOptionsSetValue(NULL, "-gitt_allow_unrelaxed", NULL));
  PetscCall(GittSetFromOptions(gitt));
  PetscCall(GittAnalyse(gitt));
  PetscCall(GittGetPulses(gitt, &np, &p));
  CHECK(np == 14, "2C record: %" PetscInt_FMT " pulses found, expected 13 and the one cut by the end of the record", np);
  for (PetscInt k = 0; k < PetscMin(np, 13); ++k) {
    CHECK(p[k].current < 0, "2C record: pulse %" PetscInt_FMT " should be a discharge", k + 1);
    CHECK(PetscAbsReal(p[k].tau - 120) < 0.5, "2C record: pulse %" PetscInt_FMT ": tau = %g s, expected 120 s", k + 1, (double)p[k].tau);
    CHECK_CLOSE(p[k].charge, -8.9973 * 120, 2e-3, "2C record: charge of a pulse");
    if (k) CHECK(p[k].theta > p[k - 1].theta, "2C record: theta should rise on discharge");
    CHECK(p[k].flags & GITT_FLAG_UNRELAXED, "2C record: pulse %" PetscInt_FMT " not flagged unrelaxed", k + 1);
    CHECK(!(p[k].flags & GITT_FLAG_EXCLUDED), "2C record: pulse %" PetscInt_FMT " excluded (flags %" PetscInt_FMT ")", k + 1, p[k].flags);
  }
  if (np == 14) CHECK(p[13].flags & GITT_FLAG_NO_REST, "2C record: the last pulse, cut by the end of the record, should be excluded for 'no rest' (flags %" PetscInt_FMT ")", p[13].flags);
  PetscCall(PetscOptionsClearValue(NULL, "-gitt_allow_unrelaxed"));
  PetscCall(GittDestroy(&gitt));
  PetscCall(PetscFinalize());
  return test_failures;
}
