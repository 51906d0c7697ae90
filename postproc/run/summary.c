/* summary.png: what a run did, at a glance. Stacked panels sharing the time axis: the electrode
   potential V (when there is an OCP), the current density, and θ (mean, centre, periphery,
   surface), with the ends of the protocol steps as dashed lines (up to 60 steps; more would hide
   the curves). The rows are kept on rank 0 as
   timeseries.csv is written; past SUMMARY_MAX_ROWS every other row is dropped (the figure has
   fewer pixels than that). */
#include "postproc/run/runimpl.h"
#include "postproc/figures/figures.h"

#define SUMMARY_MAX_ROWS 20000
#define SUMMARY_SERIES   7 /* t, V, i, mean, centre, periphery, surface */

struct _p_Summary {
  PetscReal *row[SUMMARY_SERIES];
  PetscInt   n, stride, skipped; /* rows kept; every stride-th row is kept */
  PetscReal *step_end;
  PetscInt   nsteps, steps_cap;
};

PetscErrorCode SummaryCreate(Summary *out)
{
  Summary s;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&s));
  for (PetscInt k = 0; k < SUMMARY_SERIES; ++k) PetscCall(PetscMalloc1(SUMMARY_MAX_ROWS, &s->row[k]));
  s->stride = 1;
  *out      = s;
  PetscFunctionReturn(0);
}

/* t (s), V (V, NaN without an OCP), i (A/m²), θ: mean, centre, periphery, surface */
PetscErrorCode SummaryAddRow(Summary s, const PetscReal values[SUMMARY_SERIES])
{
  PetscFunctionBeginUser;
  if (s->skipped++ % s->stride) PetscFunctionReturn(0);
  if (s->n == SUMMARY_MAX_ROWS) { /* thin out: keep every other row from now and before */
    for (PetscInt k = 0; k < SUMMARY_SERIES; ++k)
      for (PetscInt i = 0; 2 * i < s->n; ++i) s->row[k][i] = s->row[k][2 * i];
    s->n = (s->n + 1) / 2;
    s->stride *= 2;
  }
  for (PetscInt k = 0; k < SUMMARY_SERIES; ++k) s->row[k][s->n] = values[k];
  s->n++;
  PetscFunctionReturn(0);
}

PetscErrorCode SummaryAddStepEnd(Summary s, PetscReal t)
{
  PetscFunctionBeginUser;
  if (s->nsteps == s->steps_cap) {
    PetscReal *more;
    s->steps_cap = s->steps_cap ? 2 * s->steps_cap : 16;
    PetscCall(PetscMalloc1(s->steps_cap, &more));
    if (s->nsteps) PetscCall(PetscArraycpy(more, s->step_end, s->nsteps));
    PetscCall(PetscFree(s->step_end));
    s->step_end = more;
  }
  s->step_end[s->nsteps++] = t;
  PetscFunctionReturn(0);
}

/* Collective (the figure's communicator); the data are rank 0's */
PetscErrorCode SummaryWrite(Summary s, MPI_Comm comm, PostprocFiles files, const char path[])
{
  PlotFigure  fig;
  PlotAxes    ax[3];
  PetscInt    npanels = 0, nv = 0;
  PetscReal  *t, scale = 1, t_end;
  const char *unit = "s";
  char        xlabel[32];
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  t_end = rank == 0 && s->n ? s->row[0][s->n - 1] : 0;
  PetscCallMPI(MPI_Bcast(&t_end, 1, MPIU_REAL, 0, comm));
  PetscCall(PlotTimeUnit(t_end, &scale, &unit));
  PetscCall(PetscSNPrintf(xlabel, sizeof(xlabel), "time (%s)", unit));
  for (PetscInt i = 0; i < s->n; ++i) nv += !PetscIsNanReal(s->row[1][i]);
  PetscCallMPI(MPI_Bcast(&nv, 1, MPIU_INT, 0, comm));
  PetscCall(PetscMalloc1(s->n + 1, &t));
  for (PetscInt i = 0; i < s->n; ++i) t[i] = s->row[0][i] * scale;
  PetscCall(PlotFigureCreate(comm, 900, nv ? 820 : 600, &fig));
  PetscCall(PlotFigureSetOutputFiles(fig, files));
  if (nv) {
    PetscCall(PlotFigureAddAxes(fig, 0, 0, 1, 0.33, &ax[npanels]));
    PetscCall(PlotAxesSetLabels(ax[npanels], "electrode potential", "", "V vs Li/Li⁺ (V)"));
    PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[1], PlotColorCycle(0), 2.0, PLOT_MARKER_NONE, 0, NULL));
    ++npanels;
  }
  PetscCall(PlotFigureAddAxes(fig, 0, nv ? 0.33 : 0, 1, nv ? 0.58 : 0.4, &ax[npanels]));
  PetscCall(PlotAxesSetLabels(ax[npanels], "current density (> 0 charges)", "", "i (A/m²)"));
  PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[2], PlotColorCycle(1), 2.0, PLOT_MARKER_NONE, 0, NULL));
  ++npanels;
  PetscCall(PlotFigureAddAxes(fig, 0, nv ? 0.58 : 0.4, 1, 1, &ax[npanels]));
  PetscCall(PlotAxesSetLabels(ax[npanels], "", xlabel, "θ (Li site fraction)"));
  PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[3], PlotColorRGB(0, 0, 0), 2.5, PLOT_MARKER_NONE, 0, "mean"));
  PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[4], PlotColorCycle(0), 2.0, PLOT_MARKER_NONE, 0, "centre"));
  PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[5], PlotColorCycle(3), 2.0, PLOT_MARKER_NONE, 0, "periphery"));
  PetscCall(PlotAxesAddSeries(ax[npanels], s->n, t, s->row[6], PlotColorCycle(2), 1.5, PLOT_MARKER_NONE, 0, "surface"));
  PetscCall(PlotAxesSetLegend(ax[npanels], PLOT_LEGEND_UPPER_RIGHT));
  ++npanels;
  for (PetscInt p = 0; p < npanels - 1; ++p) PetscCall(PlotAxesShareX(ax[p], ax[npanels - 1]));
  for (PetscInt p = 0; p < npanels; ++p) {
    PetscCall(PlotAxesSetXLimits(ax[p], 0, t_end * scale > 0 ? t_end * scale : 1));
    for (PetscInt k = 0; k + 1 < s->nsteps && s->nsteps <= 60; ++k) PetscCall(PlotAxesAddVLine(ax[p], s->step_end[k] * scale, PlotColorRGB(150, 150, 150), 1.0, PETSC_TRUE));
  }
  PetscCall(PlotFigureWritePNG(fig, path));
  PetscCall(PlotFigureDestroy(&fig));
  PetscCall(PetscFree(t));
  PetscFunctionReturn(0);
}

PetscErrorCode SummaryDestroy(Summary *s)
{
  PetscFunctionBeginUser;
  if (!*s) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < SUMMARY_SERIES; ++k) PetscCall(PetscFree((*s)->row[k]));
  PetscCall(PetscFree((*s)->step_end));
  PetscCall(PetscFree(*s));
  PetscFunctionReturn(0);
}
