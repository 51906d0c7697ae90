/* gitt: the figure of an analysis (gitt.h), from the public results only.

   Left: D(θ) on a log scale: the table (line and filled circles), flagged pulses that are kept
   (open circles) and excluded pulses that still gave a number (crosses).
   Right: E − E_s(before) against √(t − t_start) for up to four pulses spread over the table, one
   panel each: samples as points, the √t line over its fit window (thick) and extended to the
   pulse start (thin: its intercept is the IR step), and the relaxed voltage before (square). */
#include "postproc/gitt/gitt.h"
#include "postproc/figures/figures.h"
#include <math.h>
#include <string.h>

PetscErrorCode GittWritePlot(Gitt g, const char path[])
{
  const GittPulse *pulses;
  const PetscReal *t, *V, *theta, *D;
  PetscInt         np, n, m, nflag = 0, nexcl = 0, nused = 0, shown[4], nshown = 0;
  PetscReal       *x, *y, *xf, *yf, *xe, *ye;
  PlotFigure       fig;
  PlotAxes         left;
  char             label[128], title[PETSC_MAX_PATH_LEN + 32];
  const char      *base;
  MPI_Comm         comm;

  PetscFunctionBeginUser;
  PetscCall(GittGetPulses(g, &np, &pulses));
  PetscCall(GittGetDiffusivity(g, &m, &theta, &D));
  PetscCall(GittGetRecord(g, &n, &t, NULL, &V));
  PetscCall(GittGetComm(g, &comm));
  PetscCall(PetscMalloc6(PetscMax(m, 1), &x, PetscMax(m, 1), &y, np, &xf, np, &yf, np, &xe, np, &ye));

  PetscCall(PlotFigureCreate(comm, 1600, 840, &fig));
  {
    PostprocFiles files;
    PetscCall(GittGetOutputFiles(g, &files));
    PetscCall(PlotFigureSetOutputFiles(fig, files));
  }
  PetscCall(PlotFigureSetFontScale(fig, 2));
  PetscCall(PlotFigureAddAxes(fig, 0.0, 0.06, 0.5, 0.94, &left));
  PetscCall(GittGetSource(g, &base));
  PetscCall(PetscSNPrintf(title, sizeof(title), "spot gitt: %s", base));
  PetscCall(PlotFigureAddText(fig, 0.01, 0.012, title, PlotColorRGB(0, 0, 0)));

  /* left: D(θ) */
  for (PetscInt i = 0; i < m; ++i) {
    x[i] = theta[i];
    y[i] = D[i] * 1e-8;
  }
  for (PetscInt k = 0; k < np; ++k) {
    const GittPulse *p = &pulses[k];
    if (!(p->D > 0) || !isfinite(p->D)) continue;
    if (p->flags & GITT_FLAG_EXCLUDED) {
      xe[nexcl]   = p->theta;
      ye[nexcl++] = p->D * 1e-8;
    } else if (p->flags) {
      xf[nflag]   = p->theta;
      yf[nflag++] = p->D * 1e-8;
    }
  }
  PetscCall(PlotAxesSetLabels(left, "D_GITT by Weppner-Huggins", "θ (Li site fraction)", "D (cm²/s)"));
  PetscCall(PlotAxesSetLog(left, PETSC_FALSE, PETSC_TRUE));
  PetscCall(PlotAxesSetLegend(left, PLOT_LEGEND_LOWER_LEFT));
  PetscCall(PetscSNPrintf(label, sizeof(label), "D(θ) table (%" PetscInt_FMT " points)", m));
  PetscCall(PlotAxesAddSeries(left, m, x, y, PlotColorCycle(0), 2.0, PLOT_MARKER_CIRCLE, 7.0, label));
  if (nflag) PetscCall(PlotAxesAddSeries(left, nflag, xf, yf, PlotColorCycle(1), 0, PLOT_MARKER_OPEN_CIRCLE, 13.0, "flagged: τD/L², fit or rest"));
  if (nexcl) PetscCall(PlotAxesAddSeries(left, nexcl, xe, ye, PlotColorCycle(4), 0, PLOT_MARKER_CROSS, 11.0, "excluded"));

  /* right: the √t fits of up to four pulses spread over those in the table, one panel each */
  for (PetscInt k = 0; k < np; ++k)
    if (!(pulses[k].flags & GITT_FLAG_EXCLUDED) && isfinite(pulses[k].D)) ++nused;
  for (PetscInt j = 0, want = PetscMin(4, nused); j < want; ++j) {
    const PetscInt target = want > 1 ? (PetscInt)PetscFloorReal(j * (nused - 1.0) / (want - 1) + 0.5) : 0;
    for (PetscInt k = 0, u = 0; k < np; ++k) {
      if ((pulses[k].flags & GITT_FLAG_EXCLUDED) || !isfinite(pulses[k].D)) continue;
      if (u++ == target) {
        if (!nshown || shown[nshown - 1] != k) shown[nshown++] = k;
        break;
      }
    }
  }
  for (PetscInt j = 0; j < nshown; ++j) {
    const GittPulse *p     = &pulses[shown[j]];
    const PetscInt   count = p->last - p->first + 1, row = j / 2, col = j % 2;
    PetscReal       *xs, *ys, xl[2], yl[2], xw[2], yw[2], x0 = 0, y0 = 0;
    PlotAxes         ax;
    PetscCall(PlotFigureAddAxes(fig, 0.5 + 0.25 * col, 0.06 + 0.44 * row, 0.75 + 0.25 * col, 0.06 + 0.44 * (row + 1), &ax));
    PetscCall(PetscSNPrintf(label, sizeof(label), "pulse %" PetscInt_FMT ", θ = %.3f", shown[j] + 1, (double)p->theta));
    PetscCall(PlotAxesSetLabels(ax, label, "√(t − t_start) (√s)", "E − E_s (mV)"));
    PetscCall(PlotAxesSetLegend(ax, PLOT_LEGEND_NONE));
    PetscCall(PetscMalloc2(count, &xs, count, &ys));
    for (PetscInt i = p->first; i <= p->last; ++i) {
      xs[i - p->first] = PetscSqrtReal(PetscMax(0, t[i] - p->t_start));
      ys[i - p->first] = 1e3 * (V[i] - p->relaxed_voltage_before);
    }
    xl[0] = 0; /* the line extended to the pulse start: its intercept is the IR step */
    xl[1] = PetscSqrtReal(p->tau);
    xw[0] = PetscSqrtReal(p->fit_start);
    xw[1] = PetscSqrtReal(p->fit_end);
    for (PetscInt e = 0; e < 2; ++e) {
      yl[e] = 1e3 * (p->sqrt_intercept + p->sqrt_slope * xl[e] - p->relaxed_voltage_before);
      yw[e] = 1e3 * (p->sqrt_intercept + p->sqrt_slope * xw[e] - p->relaxed_voltage_before);
    }
    PetscCall(PlotAxesAddSeries(ax, 2, xl, yl, PlotColorCycle(1), 1.0, PLOT_MARKER_NONE, 0, NULL));
    PetscCall(PlotAxesAddSeries(ax, 2, xw, yw, PlotColorCycle(1), 3.0, PLOT_MARKER_NONE, 0, NULL));
    PetscCall(PlotAxesAddSeries(ax, count, xs, ys, PlotColorCycle(0), 0, PLOT_MARKER_CIRCLE, 5.0, NULL));
    PetscCall(PlotAxesAddSeries(ax, 1, &x0, &y0, PlotColorRGB(0, 0, 0), 0, PLOT_MARKER_SQUARE, 8.0, NULL));
    PetscCall(PetscFree2(xs, ys));
  }
  if (nshown) {
    PetscCall(PlotFigureAddText(fig, 0.505, 0.945, "points: samples; square: E_s at the end of the rest before", PlotColorRGB(60, 60, 60)));
    PetscCall(PlotFigureAddText(fig, 0.505, 0.972, "thick line: √t fit over its window; thin: extended to t_start", PlotColorRGB(60, 60, 60)));
  }
  {
    PetscErrorCode ierr = PlotFigureWritePNG(fig, path);
    PetscCall(PlotFigureDestroy(&fig));
    PetscCall(PetscFree6(x, y, xf, yf, xe, ye));
    PetscCall(ierr);
  }
  PetscFunctionReturn(0);
}
