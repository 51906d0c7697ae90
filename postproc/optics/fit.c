/* spot fit: the diffusivity scale α that makes a run match the optical movie.

   The misfit m(α) is spot compare's (the RMSE of the centre and periphery contrast series, or
   pixel by pixel), with k calibrated for every candidate (unless given) and, optionally, the PSF
   σ chosen in a range by golden-section search (σ only changes the post-processing, so the run
   is not repeated). The search works on x = ln α:
   1. a grid of max(5, G) points over the range (G candidates at a time, rounded up to a multiple);
   2. if the best point is at an end, G more points beyond it (up to 4 times): bracketing;
   3. with G = 1, golden section: a new point at 0.382 of the larger side of the bracket
      (x_best's neighbours); with G > 1, the middles of G equal parts of the bracket each round
      (the bracket shrinks to about 2/G of its width per round);
   4. stop when the bracket is within 2 ln(1 + tol) (tol = 2 %: every point of it within 2 % of
      the best), then the vertex of the parabola through the best point and its neighbours;
   5. α's 95 % interval from the curvature of the misfit there and the residual noise
      (SigmaLnAlpha);
   6. a population with -fit_alpha_per_particle: every particle's α refined side by side from
      there (RefinePerParticle); otherwise one α for all (times the run's particle factors).
   The candidates of a round run concurrently: the communicator is split into G groups of
   -fit_parallel_ranks_per_run ranks (default size/4, at least 1), each with its own Simulation
   (options are per process, so each group sets its own -phys_alpha). The mesh is made once and
   shared as a file; the candidates write nothing. Finally the comparison at the fitted α runs on
   all ranks and writes its outputs; fit_misfit.csv and fit_misfit.png hold the misfit curve,
   fit_particles.csv (and for a population fit_particles.png) every particle's α. The
   outputs and the mesh appear together at the end, or none (PostprocFiles). */
#include "postproc/optics/opticsimpl.h"
#include "input/input.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FIT_MAX_POINTS 256
#define FIT_MAX_GROUPS 32 /* candidates at a time; more ranks join the groups' runs */
#define FIT_ALPHA_MIN 1e-4
#define FIT_ALPHA_MAX 1e4

enum {
  R_MISFIT,
  R_K,
  R_SIGMA,
  R_RMSE_C,
  R_RMSE_P,
  R_FRAMES,
  R_COMPLETE,
  R_WALL,
  R_FAILED,
  R_GROUP,
  R_SAMPLES,
  R_DELAY_EXP,
  R_DELAY_SIM,
  NRESULT
};

typedef struct {
  PetscReal x; /* ln α */
  PetscReal r[NRESULT];
  PetscInt  round;
  PetscReal *pm; /* [np * NPRESULT] per particle */
} FitPoint;

typedef struct {
  MPI_Comm    comm, sub;
  PetscMPIInt rank, size, subrank;
  PetscInt    groups, rpr, group;
  Comparison  cmp;
  char        workdir[PETSC_MAX_PATH_LEN];
  PetscReal   sigma0, sigma_range[2];
  PetscBool   fit_sigma;
  FitPoint    pts[FIT_MAX_POINTS];
  PetscInt    npts, rounds, max_runs;
  PetscViewer viewer;
  /* a population: np particles; per_particle: each its own α, ln α_k = x + shift[k] */
  PetscInt    np;
  PetscBool   per_particle;
  PetscReal  *shift;       /* [np] (0 while one α is searched for all) */
  PetscReal  *sigma_shift; /* [np] standard error of ln α_k (per_particle) */
  PetscInt    runs2;       /* runs of the per-particle refinement */
} Fit;

enum {
  P_MISFIT,
  P_SAMPLES,
  P_K,
  P_RMSE_C,
  P_RMSE_P,
  P_DELAY_EXP,
  P_DELAY_SIM,
  NPRESULT
};

typedef struct {
  PetscErrorCode code;
  char           message[1024];
} FitCaptured;

static PetscErrorCode FitCapture(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  FitCaptured *e = (FitCaptured *)ctx;
  if (p == PETSC_ERROR_INITIAL && !e->message[0]) {
    e->code = n;
    snprintf(e->message, sizeof(e->message), "%s", mess ? mess : "error");
  }
  return n;
}

static PetscErrorCode SetAlpha(PetscReal alpha)
{
  char value[64];

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(value, sizeof(value), "%.17g", (double)alpha));
  PetscCall(PetscOptionsSetValue(NULL, "-phys_alpha", value));
  PetscFunctionReturn(0);
}

/* One candidate on the group's communicator: run, then the misfit (σ by golden section if asked) */
static PetscErrorCode RunCandidate(Fit *fit, PetscReal alpha, PetscReal r[], PetscReal pr[])
{
  Simulation     sim;
  Solver         solver;
  CompareSim     cs;
  CompareResult  res;
  PetscLogDouble t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(SetAlpha(fit->per_particle ? 1 : alpha));
  PetscCall(SimulationCreate(fit->sub, fit->workdir, NULL, &sim));
  PetscCall(SimulationGetSolver(sim, &solver));
  if (fit->per_particle) { /* α_k = α e^{shift_k}, the run's own factors replaced */
    PetscReal *a;
    PetscCall(PetscMalloc1(fit->np, &a));
    for (PetscInt k = 0; k < fit->np; ++k) a[k] = alpha * PetscExpReal(fit->shift[k]);
    PetscCall(SolverSetParticleAlpha(solver, a));
    PetscCall(PetscFree(a));
  }
  PetscCall(CompareSimCreate(fit->cmp, solver, &cs));
  PetscCall(SolverAddMonitor(solver, CompareSimMonitor, cs));
  PetscCall(SimulationRun(sim));
  if (!fit->fit_sigma) PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, fit->sigma0, &res));
  else { /* golden section on σ */
    const PetscReal g = 0.5 * (3 - PetscSqrtReal(5.0));
    PetscReal       a = fit->sigma_range[0], b = fit->sigma_range[1], c = a + g * (b - a), d = b - g * (b - a), fc, fd;
    PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, c, &res));
    fc = res.misfit;
    PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, d, &res));
    fd = res.misfit;
    while (b - a > 0.005) {
      if (fc < fd) {
        b  = d;
        d  = c;
        fd = fc;
        c  = a + g * (b - a);
        PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, c, &res));
        fc = res.misfit;
      } else {
        a  = c;
        c  = d;
        fc = fd;
        d  = b - g * (b - a);
        PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, d, &res));
        fd = res.misfit;
      }
    }
    PetscCall(ComparisonEvaluateMisfit(fit->cmp, cs, fc < fd ? c : d, &res));
  }
  {
    const CompareParticleResult *p;
    PetscCall(CompareSimGetParticleResults(cs, &p));
    for (PetscInt k = 0; k < fit->np; ++k) {
      PetscReal *q    = &pr[k * NPRESULT];
      q[P_MISFIT]     = res.complete ? p[k].misfit : 1e300;
      q[P_SAMPLES]    = p[k].samples;
      q[P_K]          = p[k].k;
      q[P_RMSE_C]     = p[k].rmse_centre;
      q[P_RMSE_P]     = p[k].rmse_periphery;
      q[P_DELAY_EXP]  = p[k].delay_exp;
      q[P_DELAY_SIM]  = p[k].delay_sim;
    }
  }
  PetscCall(CompareSimDestroy(&cs));
  PetscCall(SimulationDestroy(&sim));
  PetscCall(PetscTime(&t1));
  r[R_MISFIT]   = res.complete ? res.misfit : 1e300; /* a run that stopped before the movie did cannot match it */
  r[R_K]        = res.k;
  r[R_SIGMA]    = res.psf_sigma;
  r[R_RMSE_C]   = res.rmse_centre;
  r[R_RMSE_P]   = res.rmse_periphery;
  r[R_FRAMES]   = (PetscReal)res.frames_used;
  r[R_COMPLETE] = res.complete ? 1 : 0;
  r[R_WALL]     = t1 - t0;
  r[R_SAMPLES]  = res.samples;
  r[R_DELAY_EXP] = res.delay_exp;
  r[R_DELAY_SIM] = res.delay_sim;
  PetscFunctionReturn(0);
}

/* Evaluate up to G points (ln α, the particles' shifts added) at once, one per group; every rank
   gets every result: into the misfit curve (out NULL, kept sorted by α) or into out[n] */
static PetscErrorCode EvaluateBatch(Fit *fit, PetscInt n, const PetscReal x[], FitPoint out[])
{
  const PetscInt row = NRESULT + fit->np * NPRESULT;
  PetscReal     *all;

  PetscFunctionBeginUser;
  PetscCheck(n <= fit->groups, fit->comm, PETSC_ERR_PLIB, "batch of %" PetscInt_FMT " for %" PetscInt_FMT " groups", n, fit->groups);
  PetscCall(PetscCalloc1(n * row, &all));
  if (fit->group < n) {
    PetscReal     *r = &all[fit->group * row];
    FitCaptured    cap = {0, ""};
    PetscErrorCode ierr;
    PetscCall(PetscPushErrorHandler(FitCapture, &cap));
    ierr = RunCandidate(fit, PetscExpReal(x[fit->group]), r, r + NRESULT);
    PetscCall(PetscPopErrorHandler());
    if (ierr) {
      PetscCall(PetscArrayzero(r, row));
      r[R_MISFIT] = 1e300;
      r[R_FAILED] = 1;
      for (PetscInt k = 0; k < fit->np; ++k) r[NRESULT + k * NPRESULT + P_MISFIT] = 1e300;
      if (fit->subrank == 0) PetscCall(PetscPrintf(PETSC_COMM_SELF, "fit: the run at alpha = %.5g failed: %s\n", (double)PetscExpReal(x[fit->group]), cap.message));
    }
    r[R_GROUP] = fit->group;
    if (fit->subrank != 0) PetscCall(PetscArrayzero(r, row));
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, all, (PetscMPIInt)(n * row), MPIU_REAL, MPIU_SUM, fit->comm));
  for (PetscInt i = 0; i < n; ++i) {
    FitPoint *p;
    if (out) p = &out[i];
    else {
      PetscInt at = fit->npts;
      PetscCheck(fit->npts < FIT_MAX_POINTS, fit->comm, PETSC_ERR_PLIB, "too many fit points");
      while (at > 0 && fit->pts[at - 1].x > x[i]) { /* keep the points sorted by α */
        fit->pts[at] = fit->pts[at - 1];
        --at;
      }
      p = &fit->pts[at];
      ++fit->npts;
      PetscCall(PetscMalloc1(fit->np * NPRESULT, &p->pm));
    }
    p->x     = x[i];
    p->round = fit->rounds;
    PetscCall(PetscArraycpy(p->r, &all[i * row], NRESULT));
    PetscCall(PetscArraycpy(p->pm, &all[i * row + NRESULT], fit->np * NPRESULT));
  }
  if (fit->viewer) {
    PetscCall(PetscViewerASCIIPrintf(fit->viewer, "fit: round %" PetscInt_FMT ":", fit->rounds));
    for (PetscInt i = 0; i < n; ++i) {
      const PetscReal *r = &all[i * row];
      if (r[R_MISFIT] >= 1e299) PetscCall(PetscViewerASCIIPrintf(fit->viewer, " alpha %.4g (%s)", (double)PetscExpReal(x[i]), r[R_FAILED] > 0 ? "failed" : "incomplete"));
      else PetscCall(PetscViewerASCIIPrintf(fit->viewer, " alpha %.4g misfit %.5g (k %.4g%s%.3g um);", (double)PetscExpReal(x[i]), (double)r[R_MISFIT], (double)r[R_K], fit->fit_sigma ? ", psf_sigma " : ", psf_sigma ", (double)r[R_SIGMA]));
    }
    PetscCall(PetscViewerASCIIPrintf(fit->viewer, "\n"));
  }
  ++fit->rounds;
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* Evaluate any number of points, G at a time */
static PetscErrorCode Evaluate(Fit *fit, PetscInt n, const PetscReal x[])
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i += fit->groups) PetscCall(EvaluateBatch(fit, PetscMin(fit->groups, n - i), &x[i], NULL));
  PetscFunctionReturn(0);
}

/* The vertex of the parabola through (xa, fa), (xb, fb), (xc, fc), xa < xb < xc, kept within
   [xa, xc]; xb when a neighbour failed (misfit 1e300) or the points are collinear */
static PetscReal ParabolaVertex(PetscReal xa, PetscReal xb, PetscReal xc, PetscReal fa, PetscReal fb, PetscReal fc)
{
  const PetscReal num = PetscSqr(xb - xa) * (fb - fc) - PetscSqr(xb - xc) * (fb - fa), den = (xb - xa) * (fb - fc) - (xb - xc) * (fb - fa);
  if (den == 0 || !(fa < 1e299) || !(fc < 1e299)) return xb;
  return PetscMin(xc, PetscMax(xa, xb - 0.5 * num / den));
}

static PetscInt Best(const Fit *fit)
{
  PetscInt b = 0;
  for (PetscInt i = 1; i < fit->npts; ++i)
    if (fit->pts[i].r[R_MISFIT] < fit->pts[b].r[R_MISFIT]) b = i;
  return b;
}

/* The standard error of ln α from the misfit curve: the sum of squared residuals
   S(x) = n m(x)² (n independent residuals, m the RMSE) is fitted by a parabola through the
   (up to 5) candidates nearest to the fitted x; with the residual variance s² = S_min / (n − p)
   (p = 4 fitted parameters: ln α, k and the two series offsets), var(ln α) = s² / c2, c2 the
   parabola's curvature (Gauss–Newton: S ≈ S_min + c2 (x − x̂)²). It treats the residuals as
   independent: a systematic misfit, correlated in time, makes the interval optimistic.
   Returns nan when fewer than 3 candidates are usable or the parabola does not open upward. */
static PetscReal SigmaLnAlpha(const Fit *fit, PetscReal xbest)
{
  PetscInt  idx[FIT_MAX_POINTS], n = 0, use;
  PetscReal A[3][3] = {{0}}, rhs[3] = {0}, c[3], det, s2, smin, nres = 0;

  for (PetscInt i = 0; i < fit->npts; ++i)
    if (fit->pts[i].r[R_MISFIT] < 1e299 && fit->pts[i].r[R_SAMPLES] > 0) idx[n++] = i;
  for (PetscInt i = 1; i < n; ++i) /* nearest first */
    for (PetscInt j = i; j > 0 && PetscAbsReal(fit->pts[idx[j]].x - xbest) < PetscAbsReal(fit->pts[idx[j - 1]].x - xbest); --j) {
      const PetscInt t = idx[j];
      idx[j]           = idx[j - 1];
      idx[j - 1]       = t;
    }
  use = PetscMin(n, 5);
  if (use < 3) return NAN;
  for (PetscInt k = 0; k < use; ++k) {
    const FitPoint *p = &fit->pts[idx[k]];
    const PetscReal d = p->x - xbest, v[3] = {1, d, d * d}, S = fit->pts[idx[0]].r[R_SAMPLES] * PetscSqr(p->r[R_MISFIT]); /* one n for all: the best's */
    for (PetscInt a = 0; a < 3; ++a) {
      rhs[a] += v[a] * S;
      for (PetscInt b = 0; b < 3; ++b) A[a][b] += v[a] * v[b];
    }
    if (k == 0) nres = p->r[R_SAMPLES];
  }
  det = A[0][0] * (A[1][1] * A[2][2] - A[1][2] * A[2][1]) - A[0][1] * (A[1][0] * A[2][2] - A[1][2] * A[2][0]) + A[0][2] * (A[1][0] * A[2][1] - A[1][1] * A[2][0]);
  if (!(PetscAbsReal(det) > 0)) return NAN;
  for (PetscInt col = 0; col < 3; ++col) { /* Cramer */
    PetscReal M[3][3];
    for (PetscInt a = 0; a < 3; ++a)
      for (PetscInt b = 0; b < 3; ++b) M[a][b] = b == col ? rhs[a] : A[a][b];
    c[col] = (M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0])) / det;
  }
  if (!(c[2] > 0) || nres <= 4) return NAN;
  smin = PetscMax(c[0] - c[1] * c[1] / (4 * c[2]), 0);
  s2   = smin / (nres - 4);
  return PetscSqrtReal(s2 / c[2]);
}

typedef struct {
  Fit         *fit;
  const char  *dir;
  PetscReal    alpha, misfit, interval[2], sigma_ln_alpha;
} CurveCtx;

static PetscErrorCode WriteCurveCSV(PostprocFiles files, void *ctx)
{
  CurveCtx *c   = (CurveCtx *)ctx;
  Fit      *fit = c->fit;
  char      path[PETSC_MAX_PATH_LEN];
  FileOut   f;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/fit_misfit.csv", c->dir));
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(FileOutPrintf(f, "# spot fit: alpha = %.8g (misfit %.8g at the fitted alpha); every candidate run below, sorted by alpha\n", (double)c->alpha, (double)c->misfit));
  PetscCall(FileOutPrintf(f, "# 95 %% interval of alpha: %.6g to %.6g (standard error of ln alpha %.4g; nan: the misfit is flat near the best)\n", (double)c->interval[0], (double)c->interval[1], (double)c->sigma_ln_alpha));
  PetscCall(FileOutPrintf(f, "alpha,log10_alpha,misfit,k,psf_sigma_um,rmse_centre,rmse_periphery,frames,complete,failed,round,group,run_wall_s\n"));
  for (PetscInt i = 0; i < fit->npts; ++i) {
    const PetscReal *r = fit->pts[i].r;
    PetscCall(FileOutPrintf(f, "%.10g,%.10g,%.10g,%.10g,%.6g,%.8g,%.8g,%d,%d,%d,%d,%d,%.4g\n", (double)PetscExpReal(fit->pts[i].x), (double)(fit->pts[i].x / PetscLogReal(10.0)), r[R_MISFIT] >= 1e299 ? NAN : (double)r[R_MISFIT], (double)r[R_K], (double)r[R_SIGMA], (double)r[R_RMSE_C], (double)r[R_RMSE_P], (int)r[R_FRAMES], (int)r[R_COMPLETE], (int)r[R_FAILED], (int)fit->pts[i].round, (int)r[R_GROUP], (double)r[R_WALL]));
  }
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadOptions(Fit *fit, PetscReal range[2], PetscReal *tol)
{
  char      where[PETSC_MAX_PATH_LEN];
  PetscInt  n = 2;
  PetscBool set;

  PetscFunctionBeginUser;
  range[0] = 0.3;
  range[1] = 30;
  PetscCall(InputGetQuantityArray("-fit_alpha_range", UNIT_NONE, range, &n, &set));
  PetscCall(InputOptionWhere("-fit_alpha_range", where, sizeof(where)));
  PetscCheck(!set || (n == 2 && range[0] > 0 && range[1] > range[0]), fit->comm, PETSC_ERR_USER_INPUT, "%s: the alpha range needs two increasing positive numbers (min max)", where);
  PetscCheck(range[0] >= FIT_ALPHA_MIN && range[1] <= FIT_ALPHA_MAX, fit->comm, PETSC_ERR_USER_INPUT, "%s: the alpha range %.6g to %.6g reaches beyond %.6g to %.6g: alpha scales D_GITT, and a run that far from it does not describe the particle", where, (double)range[0], (double)range[1], (double)FIT_ALPHA_MIN, (double)FIT_ALPHA_MAX);
  *tol = 0.02;
  PetscCall(InputGetQuantity("-fit_alpha_tolerance", UNIT_NONE, tol, NULL));
  PetscCall(InputOptionWhere("-fit_alpha_tolerance", where, sizeof(where)));
  PetscCheck(*tol >= 1e-4 && *tol <= 0.5, fit->comm, PETSC_ERR_USER_INPUT, "%s: the tolerance on alpha (relative) must be between 1e-4 and 0.5, got %.6g", where, (double)*tol);
  n = 2;
  PetscCall(InputGetQuantityArray("-fit_psf_sigma_range", UNIT_LENGTH, fit->sigma_range, &n, &fit->fit_sigma));
  PetscCall(InputOptionWhere("-fit_psf_sigma_range", where, sizeof(where)));
  PetscCheck(!fit->fit_sigma || (n == 2 && fit->sigma_range[0] >= 0 && fit->sigma_range[1] > fit->sigma_range[0]), fit->comm, PETSC_ERR_USER_INPUT, "%s: the psf_sigma range needs two increasing lengths (min max)", where);
  PetscCheck(!fit->fit_sigma || fit->sigma_range[1] < 50, fit->comm, PETSC_ERR_USER_INPUT, "%s: psf_sigma must stay below 50 um (as <optics><psf_sigma>), got up to %.6g um", where, (double)fit->sigma_range[1]);
  fit->per_particle = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-fit_alpha_per_particle", &fit->per_particle, NULL));
  fit->rpr = PetscMax(1, fit->size / 4);
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-fit_parallel_ranks_per_run", &fit->rpr, NULL));
  PetscCall(InputOptionWhere("-fit_parallel_ranks_per_run", where, sizeof(where)));
  PetscCheck(fit->rpr >= 1 && fit->rpr <= fit->size, fit->comm, PETSC_ERR_USER_INPUT, "%s: ranks_per_run must be between 1 and the %d ranks of the job, got %" PetscInt_FMT, where, (int)fit->size, fit->rpr);
  fit->groups   = PetscMin(FIT_MAX_GROUPS, PetscMax(1, fit->size / fit->rpr));
  fit->max_runs = 80;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-fit_max_runs", &fit->max_runs, NULL));
  PetscCall(InputOptionWhere("-fit_max_runs", where, sizeof(where)));
  { /* the first grid is evaluated whole, and a round may overshoot by a batch */
    const PetscInt grid = ((PetscMax(5, fit->groups) + fit->groups - 1) / fit->groups) * fit->groups, most = FIT_MAX_POINTS - fit->groups;
    PetscCheck(fit->max_runs >= grid && fit->max_runs <= most, fit->comm, PETSC_ERR_USER_INPUT, "%s: max_runs must be between %" PetscInt_FMT " (the first grid of alpha) and %" PetscInt_FMT ", got %" PetscInt_FMT, where, grid, most, fit->max_runs);
  }
  PetscFunctionReturn(0);
}

/* After a round: runs so far, the bracket, and an estimate of what is left. The bracket of a
   minimum shrinks by 0.618 per golden-section run (one group), to about 0.55 per round of two
   candidates and 2/G per round of G > 2; one more run (the comparison at the fitted α) follows the search. */
static PetscErrorCode Progress(Fit *fit, PetscLogDouble t0, PetscReal tol)
{
  const PetscInt b = Best(fit);
  PetscLogDouble t;
  PetscReal      per_round, left;

  PetscFunctionBeginUser;
  if (!fit->viewer || fit->rounds < 1) PetscFunctionReturn(0);
  PetscCall(PetscTime(&t));
  per_round = (PetscReal)(t - t0) / fit->rounds;
  if (b == 0 || b == fit->npts - 1) {
    PetscCall(PetscViewerASCIIPrintf(fit->viewer, "fit: %" PetscInt_FMT " runs in %.3g s; the best alpha %.4g lies at the edge so far: extending the search (about %.2g s a round)\n", fit->npts, (double)(t - t0), (double)PetscExpReal(fit->pts[b].x), (double)per_round));
  } else {
    const PetscReal width = fit->pts[b + 1].x - fit->pts[b - 1].x, target = 2 * PetscLogReal(1 + tol);
    const PetscReal shrink = fit->groups == 1 ? 0.618 : fit->groups == 2 ? 0.55 : 2.0 / fit->groups;
    const PetscReal rounds = width > target ? PetscCeilReal(PetscLogReal(width / target) / PetscLogReal(1 / shrink)) : 0;
    left                   = (rounds + 1) * per_round; /* + the final comparison */
    PetscCall(PetscViewerASCIIPrintf(fit->viewer, "fit: %" PetscInt_FMT " runs in %.3g s; alpha between %.4g and %.4g (best %.4g); about %d more round%s, ETA %.2g s\n", fit->npts, (double)(t - t0), (double)PetscExpReal(fit->pts[b - 1].x), (double)PetscExpReal(fit->pts[b + 1].x), (double)PetscExpReal(fit->pts[b].x), (int)rounds, rounds == 1 ? "" : "s", (double)left));
  }
  PetscFunctionReturn(0);
}

/* One α per particle, after the search for one α for all (x): each particle starts at the best of
   its own misfits over that search's candidates (the vertex of a parabola through its best and
   neighbours), then rounds of three runs move every particle at once by −h, 0, +h in ln α; each
   particle takes the vertex of its own parabola (within ±2h) and h halves, down to ln(1 + tol).
   A particle's misfit depends on its own α far more than on the others' (they share only the
   electrode's potential), so the particles are fitted side by side in the same runs, and the
   coupling is honoured because every run has all particles at their current values. The
   standard error of ln α_k comes from the last round's parabola, as for one α (SigmaLnAlpha). */
static PetscErrorCode RefinePerParticle(Fit *fit, PetscReal x, PetscReal tol)
{
  const PetscReal hmin = PetscLogReal(1 + tol);
  PetscReal       h    = PetscMax(4 * hmin, 0.08);
  FitPoint        trio[3];

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < fit->np; ++k) { /* each particle's best over the first search */
    PetscInt b = -1;
    for (PetscInt i = 0; i < fit->npts; ++i)
      if (fit->pts[i].pm[k * NPRESULT + P_MISFIT] < 1e299 && (b < 0 || fit->pts[i].pm[k * NPRESULT + P_MISFIT] < fit->pts[b].pm[k * NPRESULT + P_MISFIT])) b = i;
    if (b < 0) continue;
    fit->shift[k] = fit->pts[b].x - x;
    if (b > 0 && b < fit->npts - 1) {
      const PetscReal xa = fit->pts[b - 1].x, xb = fit->pts[b].x, xc = fit->pts[b + 1].x;
      const PetscReal fa = fit->pts[b - 1].pm[k * NPRESULT + P_MISFIT], fb = fit->pts[b].pm[k * NPRESULT + P_MISFIT], fc = fit->pts[b + 1].pm[k * NPRESULT + P_MISFIT];
      fit->shift[k] = ParabolaVertex(xa, xb, xc, fa, fb, fc) - x;
    }
  }
  for (PetscInt i = 0; i < 3; ++i) PetscCall(PetscMalloc1(fit->np * NPRESULT, &trio[i].pm));
  for (PetscInt round = 0; round < 12; ++round) {
    const PetscReal xs[3] = {x - h, x, x + h};
    PetscReal       moved = 0;
    for (PetscInt i = 0; i < 3; i += fit->groups) PetscCall(EvaluateBatch(fit, PetscMin(fit->groups, 3 - i), &xs[i], &trio[i]));
    fit->runs2 += 3;
    for (PetscInt k = 0; k < fit->np; ++k) {
      PetscReal S[3], d, c2;
      for (PetscInt i = 0; i < 3; ++i) S[i] = trio[1].pm[k * NPRESULT + P_SAMPLES] * PetscSqr(trio[i].pm[k * NPRESULT + P_MISFIT]); /* one n: the centre run's */
      if (!(S[0] < 1e299 && S[1] < 1e299 && S[2] < 1e299)) continue;
      c2 = (S[0] - 2 * S[1] + S[2]) / (2 * h * h);
      d  = c2 > 0 ? -(S[2] - S[0]) / (4 * h * c2) : (S[2] < S[0] ? 2 * h : -2 * h);
      d  = PetscMax(-2 * h, PetscMin(2 * h, d));
      fit->shift[k] += d;
      moved = PetscMax(moved, PetscAbsReal(d));
      if (c2 > 0) {
        const PetscReal n = trio[1].pm[k * NPRESULT + P_SAMPLES], smin = PetscMax(S[1] - c2 * d * d, 0);
        fit->sigma_shift[k] = n > 4 ? PetscSqrtReal(smin / (n - 4) / c2) : NAN;
      } else fit->sigma_shift[k] = NAN;
    }
    if (fit->viewer) PetscCall(PetscViewerASCIIPrintf(fit->viewer, "fit: per particle, round %" PetscInt_FMT ": step %.3g in ln alpha, the largest move %.3g; %" PetscInt_FMT " runs so far\n", round + 1, (double)h, (double)moved, fit->npts + fit->runs2));
    if (h <= hmin * (1 + 1e-9) && moved <= h) break;
    h = PetscMax(hmin, 0.5 * h);
  }
  for (PetscInt i = 0; i < 3; ++i) PetscCall(PetscFree(trio[i].pm));
  PetscFunctionReturn(0);
}

typedef struct {
  Fit                         *fit;
  const char                  *dir;
  const CompareParticleResult *results;
  PetscReal                   *alpha, *sigma; /* [np] α_k and the standard error of ln α_k */
} ParticlesCtx;

static PetscErrorCode WriteParticlesCSV(PostprocFiles files, void *ctx)
{
  ParticlesCtx    *pc = (ParticlesCtx *)ctx;
  const PetscReal *area, *centroid;
  PetscInt         n;
  char             path[PETSC_MAX_PATH_LEN];
  FileOut          f;

  PetscFunctionBeginUser;
  PetscCall(ComparisonGetParticles(pc->fit->cmp, &n, &area, &centroid));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/fit_particles.csv", pc->dir));
  PetscCall(PostprocFilesOpen(files, path, NULL, &f));
  PetscCall(FileOutPrintf(f, "# spot fit: %s; 95 %% interval alpha exp(+-1.96 s), s the standard error of ln alpha (nan: the misfit is flat); k, misfit and onsets from the comparison at the fitted alpha\n", pc->fit->per_particle ? "one alpha per particle" : "one alpha for all particles (times the run's own factors)"));
  PetscCall(FileOutPrintf(f, "particle,area_um2,equivalent_diameter_um,centroid_x_um,centroid_y_um,alpha,alpha_low95,alpha_high95,sigma_ln_alpha,k,misfit,rmse_centre,rmse_periphery,centre_delay_experiment_s,centre_delay_simulation_s\n"));
  for (PetscInt k = 0; k < n; ++k) {
    const CompareParticleResult *r = &pc->results[k];
    PetscCall(FileOutPrintf(f, "%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4g,%.6g,%.6g,%.6g,%.6g,%.5g,%.5g\n", (int)(k + 1), (double)area[k], (double)(2 * PetscSqrtReal(area[k] / PETSC_PI)), (double)centroid[2 * k], (double)centroid[2 * k + 1], (double)pc->alpha[k], (double)(pc->alpha[k] * PetscExpReal(-1.96 * pc->sigma[k])), (double)(pc->alpha[k] * PetscExpReal(1.96 * pc->sigma[k])), (double)pc->sigma[k], (double)r->k, (double)r->misfit, (double)r->rmse_centre, (double)r->rmse_periphery, (double)r->delay_exp, (double)r->delay_sim));
  }
  PetscCall(PostprocFilesComplete(files, f));
  PetscFunctionReturn(0);
}

/* α (with its interval) against the particle's equivalent diameter */
static PetscErrorCode PlotParticles(Fit *fit, const ParticlesCtx *pc, PostprocFiles files, const char dir[])
{
  const PetscReal *area;
  PetscInt         n;
  PlotFigure       fig;
  PlotAxes         ax;
  PetscReal       *xs, *ys;
  char             path[PETSC_MAX_PATH_LEN], title[160];

  PetscFunctionBeginUser;
  PetscCall(ComparisonGetParticles(fit->cmp, &n, &area, NULL));
  PetscCall(PetscMalloc2(n, &xs, n, &ys));
  for (PetscInt k = 0; k < n; ++k) xs[k] = 2 * PetscSqrtReal(area[k] / PETSC_PI), ys[k] = pc->alpha[k];
  PetscCall(PlotFigureCreate(fit->comm, 900, 560, &fig));
  PetscCall(PlotFigureSetOutputFiles(fig, files));
  PetscCall(PlotFigureAddAxes(fig, 0, 0, 1, 1, &ax));
  PetscCall(PetscSNPrintf(title, sizeof(title), "spot fit: %s, %" PetscInt_FMT " particles", fit->per_particle ? "one α per particle" : "one α for all", n));
  PetscCall(PlotAxesSetLabels(ax, title, "equivalent diameter (µm)", "α (diffusivity scale, 1)"));
  PetscCall(PlotAxesSetLog(ax, PETSC_FALSE, PETSC_TRUE));
  {
    PetscReal lo = PETSC_MAX_REAL, hi = 0;
    for (PetscInt k = 0; k < n; ++k) lo = PetscMin(lo, xs[k]), hi = PetscMax(hi, xs[k]);
    PetscCall(PlotAxesSetXLimits(ax, lo - 0.08 * (hi - lo + 0.1 * hi), hi + 0.08 * (hi - lo + 0.1 * hi)));
  }
  for (PetscInt k = 0; k < n; ++k)
    if (!PetscIsNanReal(pc->sigma[k])) {
      const PetscReal bx[2] = {xs[k], xs[k]}, by[2] = {pc->alpha[k] * PetscExpReal(-1.96 * pc->sigma[k]), pc->alpha[k] * PetscExpReal(1.96 * pc->sigma[k])};
      PetscCall(PlotAxesAddSeries(ax, 2, bx, by, PlotColorCycle(0), 1.5, PLOT_MARKER_NONE, 0, k == 0 ? "95 % interval" : NULL));
    }
  PetscCall(PlotAxesAddSeries(ax, n, xs, ys, PlotColorCycle(0), 0, PLOT_MARKER_CIRCLE, 8, "fitted α"));
  PetscCall(PlotAxesSetLegend(ax, PLOT_LEGEND_UPPER_RIGHT));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/fit_particles.png", dir));
  PetscCall(PlotFigureWritePNG(fig, path));
  PetscCall(PlotFigureDestroy(&fig));
  PetscCall(PetscFree2(xs, ys));
  PetscFunctionReturn(0);
}

/* The search and its outputs into files (the caller publishes them) */
static PetscErrorCode FitInDirectory(Fit *fit, const char dir[], PetscBool made, PostprocFiles files, FitReport *rep)
{
  const MPI_Comm    comm   = fit->comm;
  const PetscViewer viewer = fit->viewer;
  PetscReal         range[2], tol, lo, hi, xbest;
  PetscInt          expansions = 0, runs;
  PetscBool         at_edge    = PETSC_FALSE;
  PetscLogDouble    t0, t1;

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&t0));
  PetscCall(ReadOptions(fit, range, &tol));
  lo = PetscLogReal(range[0]);
  hi = PetscLogReal(range[1]);

  { /* the experiment, registered once against the run's particle; the mesh made once, loaded
       by every candidate, and adopted as an output at the end (a temporary of the set is not a
       .msh file the candidates could load) */
    Simulation sim;
    char       generated[PETSC_MAX_PATH_LEN];
    PetscInt   exists = 0;
    PetscCall(ComparisonCreate(comm, &fit->cmp));
    PetscCall(SimulationCreate(comm, dir, viewer, &sim));
    {
      const SolverParticles *particles;
      Solver                 solver;
      char                   where[PETSC_MAX_PATH_LEN];
      PetscCall(SimulationGetSolver(sim, &solver));
      PetscCall(SolverGetParticles(solver, &particles));
      fit->np = particles->n;
      PetscCall(InputOptionWhere("-fit_alpha_per_particle", where, sizeof(where)));
      PetscCheck(!fit->per_particle || fit->np > 1, comm, PETSC_ERR_USER_INPUT, "%s: one alpha per particle needs a population, and the run's mesh has one particle", where);
      PetscCheck(!fit->per_particle || fit->np <= 1000, comm, PETSC_ERR_USER_INPUT, "%s: one alpha per particle is fitted for at most 1000 particles, and the run's mesh has %" PetscInt_FMT, where, fit->np);
      if (fit->per_particle) {
        PetscBool lean;
        PetscCall(SolverUsesLeanAssembly(solver, &lean));
        PetscCheck(lean, comm, PETSC_ERR_USER_INPUT, "%s: particles with their own alpha need spot's own assembly (-solver_assembly lean, the default)", where);
      }
    }
    PetscCall(PetscCalloc2(fit->np, &fit->shift, fit->np, &fit->sigma_shift));
    PetscCall(ComparisonSetUp(fit->cmp, sim, fit->fit_sigma ? fit->sigma_range[1] : 0, viewer));
    PetscCall(ComparisonGetPSFSigma(fit->cmp, &fit->sigma0));
    PetscCall(SimulationDestroy(&sim));
    PetscCall(PetscSNPrintf(generated, sizeof(generated), "%s/" MESH_GENERATED_NAME, dir));
    if (fit->rank == 0 && made) exists = access(generated, F_OK) ? 0 : 1;
    PetscCallMPI(MPI_Bcast(&exists, 1, MPIU_INT, 0, comm));
    if (exists) {
      PetscCall(PetscOptionsClearValue(NULL, "-mesh_shape_type"));
      PetscCall(PetscOptionsClearValue(NULL, "-mesh_image_file"));
      PetscCall(PetscOptionsClearValue(NULL, "-mesh_refine"));
      PetscCall(PetscOptionsClearValue(NULL, "-mesh_population_count"));
      PetscCall(PetscOptionsClearValue(NULL, "-mesh_population_file"));
      PetscCall(PetscOptionsSetValue(NULL, "-mesh_file", generated));
    }
  }

  /* groups */
  fit->group = PetscMin(fit->rank / fit->rpr, fit->groups - 1);
  PetscCallMPI(MPI_Comm_split(comm, (int)fit->group, fit->rank, &fit->sub));
  PetscCallMPI(MPI_Comm_rank(fit->sub, &fit->subrank));
  /* the candidates load the mesh made (or given) once, so they write nothing of their own: no
     working directories, which an interrupt would leave behind */
  PetscCall(PetscStrncpy(fit->workdir, dir, sizeof(fit->workdir)));
  if (viewer) PetscCall(PetscViewerASCIIPrintf(viewer, "fit: alpha in [%.6g, %.6g] (tolerance %.6g %%), %" PetscInt_FMT " candidate%s at a time on %" PetscInt_FMT " rank%s each%s\n", (double)range[0], (double)range[1], (double)(100 * tol), fit->groups, fit->groups == 1 ? "" : "s", fit->rpr, fit->rpr == 1 ? "" : "s", fit->fit_sigma ? "; psf_sigma fitted too" : ""));

  { /* 1. the grid */
    const PetscInt n0 = ((PetscMax(5, fit->groups) + fit->groups - 1) / fit->groups) * fit->groups;
    PetscReal      x[FIT_MAX_POINTS];
    for (PetscInt i = 0; i < n0; ++i) x[i] = lo + (hi - lo) * i / (n0 - 1);
    PetscCall(Evaluate(fit, n0, x));
    PetscCall(Progress(fit, t0, tol));
  }
  for (;;) {
    PetscInt  b = Best(fit), n = 0;
    PetscReal x[FIT_MAX_POINTS], a, c;
    runs = fit->npts;
    if (runs >= fit->max_runs) break;
    if (b == 0 || b == fit->npts - 1) { /* 2. bracketing beyond the edge */
      const PetscReal step = fit->npts > 1 ? PetscAbsReal(fit->pts[b == 0 ? 1 : b].x - fit->pts[b == 0 ? 0 : b - 1].x) : 1;
      if (expansions >= 4) {
        at_edge = PETSC_TRUE;
        break;
      }
      for (PetscInt k = 1; k <= fit->groups; ++k) x[n++] = fit->pts[b].x + (b == 0 ? -1 : 1) * k * step;
      ++expansions;
      PetscCall(Evaluate(fit, n, x));
      PetscCall(Progress(fit, t0, tol));
      continue;
    }
    a = fit->pts[b - 1].x;
    c = fit->pts[b + 1].x;
    if (c - a <= 2 * PetscLogReal(1 + tol)) break; /* 4. done */
    if (fit->groups == 1) {                        /* 3. golden section */
      const PetscReal g = 0.5 * (3 - PetscSqrtReal(5.0)), xb = fit->pts[b].x;
      x[n++]            = (c - xb > xb - a) ? xb + g * (c - xb) : xb - g * (xb - a);
    } else /* the middles of G equal parts of the bracket (never the best point, at its middle) */
      for (PetscInt k = 1; k <= fit->groups; ++k) {
        const PetscReal xk = a + (c - a) * (k - 0.5) / fit->groups;
        if (PetscAbsReal(xk - fit->pts[b].x) > 1e-3 * (c - a)) x[n++] = xk;
      }
    PetscCall(Evaluate(fit, n, x));
    PetscCall(Progress(fit, t0, tol));
  }
  runs = fit->npts;
  { /* the vertex of the parabola through the best point and its neighbours */
    const PetscInt b = Best(fit);
    PetscCheck(fit->pts[b].r[R_MISFIT] < 1e299, comm, PETSC_ERR_USER_INPUT, "no run of the fit matched the movie: every candidate failed or stopped before the last frame (alpha %.6g to %.6g); check the protocol against the movie's timestamps", (double)PetscExpReal(fit->pts[0].x), (double)PetscExpReal(fit->pts[fit->npts - 1].x));
    xbest = fit->pts[b].x;
    if (b > 0 && b < fit->npts - 1 && !at_edge) {
      const PetscReal xa = fit->pts[b - 1].x, xc = fit->pts[b + 1].x, fa = fit->pts[b - 1].r[R_MISFIT], fb = fit->pts[b].r[R_MISFIT], fc = fit->pts[b + 1].r[R_MISFIT];
      xbest = ParabolaVertex(xa, xbest, xc, fa, fb, fc);
    }
  }

  if (fit->per_particle) PetscCall(RefinePerParticle(fit, xbest, tol));

  { /* the comparison at the fitted α, on every rank, with its outputs */
    Simulation    sim;
    Solver        solver;
    CompareSim    cs;
    CompareResult res;
    const PetscInt b = Best(fit);
    PetscCall(SetAlpha(fit->per_particle ? 1 : PetscExpReal(xbest)));
    PetscCall(SimulationCreate(comm, fit->workdir, NULL, &sim));
    PetscCall(SimulationGetSolver(sim, &solver));
    if (fit->per_particle) {
      PetscReal *a;
      PetscCall(PetscMalloc1(fit->np, &a));
      for (PetscInt k = 0; k < fit->np; ++k) a[k] = PetscExpReal(xbest + fit->shift[k]);
      PetscCall(SolverSetParticleAlpha(solver, a));
      PetscCall(PetscFree(a));
    }
    PetscCall(CompareSimCreate(fit->cmp, solver, &cs));
    PetscCall(SolverAddMonitor(solver, CompareSimMonitor, cs));
    PetscCall(SimulationRun(sim));
    PetscCall(ComparisonEvaluate(fit->cmp, cs, fit->fit_sigma ? fit->pts[b].r[R_SIGMA] : fit->sigma0, &res));
    PetscCall(ComparisonWrite(fit->cmp, cs, &res, dir, files));
    if (made) PetscCall(PostprocFilesAdoptMesh(files, dir, NULL, 0));
    { /* fit_particles.csv and, for a population, fit_particles.png */
      const SolverParticles       *particles;
      const CompareParticleResult *pr;
      ParticlesCtx                 pc;
      PetscReal                    sig = at_edge ? NAN : SigmaLnAlpha(fit, xbest);
      PetscCall(SolverGetParticles(solver, &particles));
      PetscCall(CompareSimGetParticleResults(cs, &pr));
      PetscCall(PetscMalloc2(fit->np, &pc.alpha, fit->np, &pc.sigma));
      for (PetscInt k = 0; k < fit->np; ++k) {
        pc.alpha[k] = fit->per_particle ? PetscExpReal(xbest + fit->shift[k]) : PetscExpReal(xbest) * particles->alpha[k];
        pc.sigma[k] = fit->per_particle ? fit->sigma_shift[k] : sig;
      }
      pc.fit     = fit;
      pc.dir     = dir;
      pc.results = pr;
      PetscCall(PostprocWrite(comm, files, WriteParticlesCSV, &pc));
      if (fit->np > 1) PetscCall(PlotParticles(fit, &pc, files, dir));
      PetscCall(PetscFree2(pc.alpha, pc.sigma));
    }
    PetscCall(PetscTime(&t1));
    rep->alpha         = PetscExpReal(xbest);
    rep->sigma_ln_alpha = at_edge ? NAN : SigmaLnAlpha(fit, xbest);
    rep->alpha_interval[0] = rep->alpha * PetscExpReal(-1.96 * rep->sigma_ln_alpha);
    rep->alpha_interval[1] = rep->alpha * PetscExpReal(1.96 * rep->sigma_ln_alpha);
    rep->misfit        = res.misfit;
    rep->k             = res.k;
    rep->psf_sigma     = res.psf_sigma;
    rep->runs          = runs + fit->runs2 + 1;
    rep->rounds        = fit->rounds;
    rep->groups        = fit->groups;
    rep->ranks_per_run = fit->rpr;
    rep->wall          = t1 - t0;
    rep->at_edge       = at_edge;
    PetscCall(ComparisonGetRegistration(fit->cmp, NULL, rep->centroid_px, &rep->rotation_deg, NULL));
    if (viewer) PetscCall(CompareResultView(&res, viewer));
    PetscCall(CompareSimDestroy(&cs));
    PetscCall(SimulationDestroy(&sim));
  }

  { /* the misfit curve */
    CurveCtx   cc = {fit, dir, rep->alpha, rep->misfit, {rep->alpha_interval[0], rep->alpha_interval[1]}, rep->sigma_ln_alpha};
    PlotFigure fig;
    PlotAxes   ax;
    PetscReal  xs[FIT_MAX_POINTS], ys[FIT_MAX_POINTS], lims[2] = {PETSC_MAX_REAL, -PETSC_MAX_REAL};
    const char *ylabel;
    PetscInt   n = 0;
    char       path[PETSC_MAX_PATH_LEN], title[160];
    PetscCall(PostprocWrite(comm, files, WriteCurveCSV, &cc));
    for (PetscInt i = 0; i < fit->npts; ++i)
      if (fit->pts[i].r[R_MISFIT] < 1e299) {
        xs[n] = PetscExpReal(fit->pts[i].x);
        ys[n] = fit->pts[i].r[R_MISFIT];
        lims[0] = PetscMin(lims[0], ys[n]);
        lims[1] = PetscMax(lims[1], ys[n]);
        ++n;
      }
    PetscCall(PlotFigureCreate(comm, 900, 560, &fig));
    PetscCall(PlotFigureSetOutputFiles(fig, files));
    PetscCall(PlotFigureAddAxes(fig, 0, 0, 1, 1, &ax));
    if (PetscIsNanReal(rep->sigma_ln_alpha)) PetscCall(PetscSNPrintf(title, sizeof(title), "spot fit: α = %.4g (misfit %.3g, k = %.3g), %" PetscInt_FMT " runs", (double)rep->alpha, (double)rep->misfit, (double)rep->k, rep->runs));
    else PetscCall(PetscSNPrintf(title, sizeof(title), "spot fit: α = %.4g (95 %% interval %.3g to %.3g; misfit %.3g, k = %.3g), %" PetscInt_FMT " runs", (double)rep->alpha, (double)rep->alpha_interval[0], (double)rep->alpha_interval[1], (double)rep->misfit, (double)rep->k, rep->runs));
    PetscCall(ComparisonGetMisfitLabel(fit->cmp, &ylabel));
    PetscCall(PlotAxesSetLabels(ax, title, "α (diffusivity scale, 1)", ylabel));
    PetscCall(PlotAxesSetLog(ax, PETSC_TRUE, PETSC_FALSE));
    PetscCall(PlotAxesAddSeries(ax, n, xs, ys, PlotColorCycle(0), 1.5, PLOT_MARKER_CIRCLE, 7, "candidate runs"));
    {
      const PetscReal vx[2] = {rep->alpha, rep->alpha}, vy[2] = {lims[0], lims[1]};
      PetscCall(PlotAxesAddSeries(ax, 2, vx, vy, PlotColorCycle(7), 1.5, PLOT_MARKER_NONE, 0, "fitted α"));
    }
    if (!PetscIsNanReal(rep->sigma_ln_alpha)) { /* a bar just below the least misfit */
      const PetscReal y = lims[0] - 0.04 * (lims[1] - lims[0]), bx[2] = {rep->alpha_interval[0], rep->alpha_interval[1]}, by[2] = {y, y};
      PetscCall(PlotAxesAddSeries(ax, 2, bx, by, PlotColorCycle(2), 4, PLOT_MARKER_NONE, 0, "95 % interval of α"));
    }
    PetscCall(PlotAxesSetLegend(ax, PLOT_LEGEND_UPPER_RIGHT));
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/fit_misfit.png", dir));
    PetscCall(PlotFigureWritePNG(fig, path));
    PetscCall(PlotFigureDestroy(&fig));
  }
  if (viewer) {
    char interval[128] = "interval undetermined: the misfit is flat or too few runs near the best";
    if (!PetscIsNanReal(rep->sigma_ln_alpha)) PetscCall(PetscSNPrintf(interval, sizeof(interval), "95 %% interval %.4g to %.4g", (double)rep->alpha_interval[0], (double)rep->alpha_interval[1]));
    PetscCall(PetscViewerASCIIPrintf(viewer, "fit: alpha = %.5g (%s; misfit %.5g, k = %.5g, psf_sigma %.4g um) after %" PetscInt_FMT " runs in %" PetscInt_FMT " rounds on %" PetscInt_FMT " group%s of %" PetscInt_FMT " rank%s, %.3g s wall%s\n", (double)rep->alpha, interval, (double)rep->misfit, (double)rep->k, (double)rep->psf_sigma, rep->runs, rep->rounds, rep->groups, rep->groups == 1 ? "" : "s", rep->ranks_per_run, rep->ranks_per_run == 1 ? "" : "s", (double)rep->wall, at_edge ? "; WARNING: the best alpha lies at the edge of the search, widen <alpha><range>" : ""));
  }
  PetscFunctionReturn(0);
}

/* The outputs, all or nothing: fit_misfit.csv and .png, the comparison at the fitted α and the
   mesh spot made */
PetscErrorCode FitRun(MPI_Comm comm, const char dir[], PetscViewer viewer, FitReport *rep)
{
  Fit           *fit;
  PostprocFiles  files;
  PetscErrorCode ierr;
  PetscBool      made;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&fit));
  fit->comm   = comm;
  fit->viewer = viewer;
  fit->sub    = MPI_COMM_NULL;
  PetscCallMPI(MPI_Comm_rank(comm, &fit->rank));
  PetscCallMPI(MPI_Comm_size(comm, &fit->size));
  PetscCall(PostprocMeshGenerated(&made));
  PetscCall(PostprocFilesCreate(comm, &files));
  PetscCall(PostprocMeshRemoveOnSignal(dir, PETSC_TRUE)); /* until it is adopted at the end */
  ierr = FitInDirectory(fit, dir, made, files, rep);
  if (!ierr) ierr = PostprocFilesPublish(files);
  PetscCall(PostprocFilesDestroy(&files)); /* after a failure: none of them, nor the mesh */
  PetscCall(PostprocMeshRemoveOnSignal(dir, PETSC_FALSE));
  if (fit->sub != MPI_COMM_NULL) PetscCallMPI(MPI_Comm_free(&fit->sub));
  if (fit->rank == 0 && ierr && made) PetscCall(PostprocMeshRemove(dir)); /* a mesh made before the failure, not yet adopted */
  PetscCall(ComparisonDestroy(&fit->cmp));
  for (PetscInt i = 0; i < fit->npts; ++i) PetscCall(PetscFree(fit->pts[i].pm));
  PetscCall(PetscFree2(fit->shift, fit->sigma_shift));
  PetscCall(PetscFree(fit));
  PetscCall(ierr);
  if (viewer) PetscCall(PetscViewerASCIIPrintf(viewer, "outputs: %s/fit_misfit.csv, fit_misfit.png and the comparison at the fitted alpha (compare_*.csv, compare_*.png)\n", dir));
  PetscFunctionReturn(0);
}
