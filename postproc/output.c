/* Run outputs: timeseries.csv, fields.h5 + fields.xmf, the step log and the progress line.

   timeseries.csv has one row per accepted time step (and the initial state); units are in
   the column names. Snapshots of θ go to fields.h5 at the times of -out_times (interpolated
   within the time step by the integrator, so no step is shortened for output) and at the end
   of every protocol step when no times are given; fields.xmf describes them for ParaView.
   Everything is written under "<name>.part" and renamed by OutputFinish; OutputDiscard
   removes the partial files after a failure. The CSV is flushed at least every 10 s so a
   long run can be watched. */
#include "postproc/postproc.h"
#include "input/input.h"
#include <petscviewerhdf5.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* θ beyond its physical bounds by more than this is reported: the elements oscillate */
#define THETA_OSCILLATION 1e-3
#define OSCILLATION_HINT  "the elements oscillate next to a front thinner than the cells (a consistent mass does: P2, or P1 without mass lumping); refine the mesh there or use P1 with mass lumping"

#define MAX_OUTPUT_TIMES 4096

struct _p_Output {
  Solver         solver;
  Observer       obs;
  MPI_Comm       comm;
  PetscMPIInt    rank;
  char           dir[PETSC_MAX_PATH_LEN], input[PETSC_MAX_PATH_LEN];
  char           csv_path[PETSC_MAX_PATH_LEN], h5_path[PETSC_MAX_PATH_LEN], xmf_path[PETSC_MAX_PATH_LEN], probe_path[PETSC_MAX_PATH_LEN];
  FILE          *csv, *probe_csv;
  Probe          probes;
  PetscInt       nprobes;
  PetscReal     *probe_values;
  PetscViewer    h5;
  PetscBool      fields, progress, tty, finished;
  PetscReal     *times;
  PetscInt       ntimes, next_time;
  PetscReal     *snap_times;
  PetscInt       nsnap, snap_cap;
  Vec            snapshot;
  PetscReal      t_prev;
  PetscLogDouble wall_start, last_progress, last_flush;
  PetscReal      theta0_max, theta0_min, overshoot, undershoot, max_inventory_error, max_cv_mismatch, run_min, run_max;
  PetscBool      only_delithiation; /* every step is a cc charge or a rest: the maximum principle bounds θ */
  PetscInt       nrows;
  PetscInt       progress_len;
};

static PetscErrorCode PartName(const char path[], char part[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(part, len, "%s.part", path));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputCreate(Solver s, const char directory[], const char input_name[], Output *out)
{
  Output    o;
  PetscBool set;
  char      part[PETSC_MAX_PATH_LEN];
  DM        dm;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&o));
  o->solver = s;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &o->comm));
  PetscCallMPI(MPI_Comm_rank(o->comm, &o->rank));
  PetscCall(PetscStrncpy(o->dir, directory, sizeof(o->dir)));
  PetscCall(PetscStrncpy(o->input, input_name ? input_name : "", sizeof(o->input)));
  o->fields            = PETSC_TRUE;
  o->progress          = PETSC_TRUE;
  o->only_delithiation = PETSC_TRUE;
  o->run_min           = PETSC_MAX_REAL;
  o->run_max           = PETSC_MIN_REAL;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_fields", &o->fields, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_progress", &o->progress, NULL));
  o->tty = isatty(fileno(stderr)) ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscMalloc1(MAX_OUTPUT_TIMES, &o->times));
  o->ntimes = MAX_OUTPUT_TIMES;
  PetscCall(InputGetQuantityArray("-out_times", UNIT_TIME, o->times, &o->ntimes, &set));
  for (PetscInt i = 1; i < o->ntimes; ++i) {
    char where[PETSC_MAX_PATH_LEN];
    PetscCall(InputOptionWhere("-out_times", where, sizeof(where)));
    PetscCheck(o->times[i] > o->times[i - 1], o->comm, PETSC_ERR_USER_INPUT, "%s: output times must increase, but %g s follows %g s", where, (double)o->times[i], (double)o->times[i - 1]);
  }
  PetscCall(ObserverCreate(s, &o->obs));
  PetscCall(ObserverView(o->obs, PETSC_VIEWER_STDOUT_(o->comm)));
  { /* point probes: x1,y1[,z1],x2,... (µm) */
    PetscReal pts[3 * 64];
    PetscInt  n = 3 * 64, dim;
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(InputGetQuantityArray("-out_probes", UNIT_LENGTH, pts, &n, &set));
    if (set) {
      char where[PETSC_MAX_PATH_LEN];
      PetscCall(InputOptionWhere("-out_probes", where, sizeof(where)));
      PetscCheck(n % dim == 0 && n > 0, o->comm, PETSC_ERR_USER_INPUT, "%s: probes need %" PetscInt_FMT " coordinates each, got %" PetscInt_FMT " numbers", where, dim, n);
      o->nprobes = n / dim;
      PetscCall(PetscMalloc1(o->nprobes, &o->probe_values));
      {
        PetscBool *found;
        PetscCall(PetscMalloc1(o->nprobes, &found));
        PetscCall(ProbeCreate(dm, o->nprobes, pts, found, &o->probes));
        for (PetscInt i = 0; i < o->nprobes; ++i) {
          char at[96];
          if (dim == 2) PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g)", (double)pts[i * dim], (double)pts[i * dim + 1]));
          else PetscCall(PetscSNPrintf(at, sizeof(at), "(%g, %g, %g)", (double)pts[i * dim], (double)pts[i * dim + 1], (double)pts[i * dim + 2]));
          PetscCheck(found[i], o->comm, PETSC_ERR_USER_INPUT, "%s: probe %" PetscInt_FMT " at %s um lies outside the particle", where, i + 1, at);
        }
        PetscCall(PetscFree(found));
      }
    }
  }

  PetscCall(PetscSNPrintf(o->csv_path, sizeof(o->csv_path), "%s/timeseries.csv", o->dir));
  PetscCall(PetscSNPrintf(o->h5_path, sizeof(o->h5_path), "%s/fields.h5", o->dir));
  PetscCall(PetscSNPrintf(o->xmf_path, sizeof(o->xmf_path), "%s/fields.xmf", o->dir));
  PetscCall(PetscSNPrintf(o->probe_path, sizeof(o->probe_path), "%s/probes.csv", o->dir));
  if (o->rank == 0) {
    PetscCall(PartName(o->csv_path, part, sizeof(part)));
    o->csv = fopen(part, "w");
    PetscCheck(o->csv, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", part);
    if (o->nprobes) {
      const PetscReal *pts;
      PetscInt         dim;
      PetscCall(PartName(o->probe_path, part, sizeof(part)));
      o->probe_csv = fopen(part, "w");
      PetscCheck(o->probe_csv, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", part);
      PetscCall(ProbeGetPoints(o->probes, NULL, &dim, &pts));
      fprintf(o->probe_csv, "t_s");
      for (PetscInt i = 0; i < o->nprobes; ++i) {
        fprintf(o->probe_csv, ",theta_at_x%g_y%g", (double)pts[i * dim], (double)pts[i * dim + 1]);
        if (dim == 3) fprintf(o->probe_csv, "_z%g", (double)pts[i * dim + 2]);
        fprintf(o->probe_csv, "_um");
      }
      fprintf(o->probe_csv, "\n");
    }
  }
  if (o->fields) {
    PetscCall(PartName(o->h5_path, part, sizeof(part)));
    PetscCall(PetscViewerHDF5Open(o->comm, part, FILE_MODE_WRITE, &o->h5));
    PetscCall(PetscViewerPushFormat(o->h5, PETSC_VIEWER_HDF5_VIZ));
    PetscCall(DMView(dm, o->h5));
  }
  PetscCall(SolverGetSolution(s, &o->snapshot));
  PetscCall(VecDuplicate(o->snapshot, &o->snapshot)); /* θ at output times between steps */
  PetscCall(PetscObjectSetName((PetscObject)o->snapshot, "theta"));
  PetscCall(PetscTime(&o->wall_start));
  o->last_flush = o->last_progress = o->wall_start;
  *out          = o;
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteHeader(Output o)
{
  PetscFunctionBeginUser;
  if (o->rank) PetscFunctionReturn(0);
  fprintf(o->csv, "t_s,step,cycle,step_type,voltage_V,cell_voltage_V,current_density_A_per_m2,current_A,c_rate_1_per_h,mean_theta,centroid_theta,centre_mean_theta,periphery_mean_theta,surface_mean_theta,min_theta,max_theta,inventory_error,dt_s\n");
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteRow(Output o, const SolverState *st, const Observables *v)
{
  const StepSpec *step = st->step;
  PetscLogDouble  now;

  PetscFunctionBeginUser;
  ++o->nrows;
  if (o->rank) PetscFunctionReturn(0);
  fprintf(o->csv, "%.12g,%" PetscInt_FMT ",%" PetscInt_FMT ",%s,%.12g,%.12g,%.10g,%.10g,%.10g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.12g,%.6e,%.6g\n", (double)st->t, step->index + 1, step->cycle, StepTypes[step->type], (double)st->voltage, (double)st->cell_voltage, (double)st->current_density, (double)st->current, (double)st->c_rate, (double)v->mean, (double)v->centroid, (double)v->centre, (double)v->periphery, (double)v->surface, (double)v->min, (double)v->max, (double)st->inventory_error, (double)st->dt);
  PetscCall(PetscTime(&now));
  if (now - o->last_flush > 10) {
    fflush(o->csv);
    o->last_flush = now;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteProbes(Output o, PetscReal t, Vec theta)
{
  PetscFunctionBeginUser;
  if (!o->nprobes) PetscFunctionReturn(0);
  PetscCall(ProbeEvaluate(o->probes, theta, o->probe_values));
  if (o->rank) PetscFunctionReturn(0);
  fprintf(o->probe_csv, "%.12g", (double)t);
  for (PetscInt i = 0; i < o->nprobes; ++i) fprintf(o->probe_csv, ",%.12g", (double)o->probe_values[i]);
  fprintf(o->probe_csv, "\n");
  PetscFunctionReturn(0);
}

/* Everything written at an output time: the θ snapshot and the probes */
static PetscErrorCode WriteSnapshot(Output o, PetscReal t, Vec theta)
{
  DM dm;

  PetscFunctionBeginUser;
  PetscCall(WriteProbes(o, t, theta));
  if (!o->fields) PetscFunctionReturn(0);
  PetscCall(SolverGetDM(o->solver, &dm));
  if (theta != o->snapshot) PetscCall(VecCopy(theta, o->snapshot));
  PetscCall(DMSetOutputSequenceNumber(dm, o->nsnap, t));
  PetscCall(VecView(o->snapshot, o->h5));
  if (o->nsnap == o->snap_cap) {
    PetscReal *more;
    o->snap_cap = o->snap_cap ? 2 * o->snap_cap : 64;
    PetscCall(PetscMalloc1(o->snap_cap, &more));
    if (o->nsnap) PetscCall(PetscArraycpy(more, o->snap_times, o->nsnap));
    PetscCall(PetscFree(o->snap_times));
    o->snap_times = more;
  }
  o->snap_times[o->nsnap++] = t;
  PetscFunctionReturn(0);
}

/* Snapshots at every requested time in (t_prev, t], interpolated by the integrator */
static PetscErrorCode WriteDueSnapshots(Output o, PetscReal t, Vec theta)
{
  TS ts;

  PetscFunctionBeginUser;
  PetscCall(SolverGetTS(o->solver, &ts));
  while (o->next_time < o->ntimes && o->times[o->next_time] <= t * (1 + 1e-12)) {
    const PetscReal tout = o->times[o->next_time++];
    if (PetscAbsReal(tout - t) <= 1e-12 * PetscMax(1, PetscAbsReal(t))) PetscCall(WriteSnapshot(o, t, theta));
    else {
      PetscCall(TSInterpolate(ts, tout, o->snapshot));
      PetscCall(WriteSnapshot(o, tout, o->snapshot));
    }
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode FormatDuration(PetscReal seconds, char buf[], size_t len)
{
  PetscFunctionBeginUser;
  if (seconds < 120) PetscCall(PetscSNPrintf(buf, len, "%.3g s", (double)seconds));
  else if (seconds < 7200) PetscCall(PetscSNPrintf(buf, len, "%.4g min", (double)(seconds / 60)));
  else PetscCall(PetscSNPrintf(buf, len, "%.4g h", (double)(seconds / 3600)));
  PetscFunctionReturn(0);
}

static PetscErrorCode ShowProgress(Output o, const SolverState *st, PetscBool final)
{
  PetscLogDouble now;
  char           line[256], tbuf[32], eta[32] = "?";

  PetscFunctionBeginUser;
  if (!o->progress || o->rank) PetscFunctionReturn(0);
  PetscCall(PetscTime(&now));
  if (!final && now - o->last_progress < (o->tty ? 0.25 : 30)) PetscFunctionReturn(0);
  o->last_progress = now;
  if (st->progress > 1e-3) PetscCall(FormatDuration((now - o->wall_start) * (1 - st->progress) / st->progress, eta, sizeof(eta)));
  PetscCall(FormatDuration(st->t, tbuf, sizeof(tbuf)));
  PetscCall(PetscSNPrintf(line, sizeof(line), "step %" PetscInt_FMT "/%" PetscInt_FMT " %s, t = %s, mean theta %.4f, V %.4f, %3.0f%% of the protocol, ETA %s", st->step->index + 1, st->nsteps, st->step->name, tbuf, (double)st->mean_theta, (double)st->cell_voltage, (double)(100 * st->progress), final ? "0 s" : eta));
  if (o->tty) {
    fprintf(stderr, "\r%-*s", (int)PetscMax(o->progress_len, (PetscInt)strlen(line)), line);
    o->progress_len = (PetscInt)strlen(line);
    if (final) fprintf(stderr, "\n");
  } else fprintf(stderr, "%s\n", line);
  fflush(stderr);
  PetscFunctionReturn(0);
}

static PetscErrorCode ClearProgress(Output o)
{
  PetscFunctionBeginUser;
  if (o->progress && o->tty && o->rank == 0 && o->progress_len) {
    fprintf(stderr, "\r%*s\r", (int)o->progress_len, "");
    o->progress_len = 0;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode LogStepEnd(Output o, const SolverState *st, const Observables *v)
{
  char when[32];
  static const char *const why[] = {"-", "its duration", "its mean-theta cut-off", "theta reaching 0 or 1", "its voltage cut-off", "its current cut-off", "its capacity cut-off", "its dV/dt cut-off"};

  PetscFunctionBeginUser;
  PetscCall(ClearProgress(o));
  PetscCall(FormatDuration(st->t, when, sizeof(when)));
  PetscCall(PetscPrintf(o->comm, "step %" PetscInt_FMT "/%" PetscInt_FMT " %-14s ended by %s at t = %s (%.6g s): mean theta %.5f (step change %+.5f), centre %.5f, periphery %.5f, surface %.5f, V %.4f V, I %.4g A/m^2 (C-rate %.3g)\n", st->step->index + 1, st->nsteps, st->step->name, why[st->ended], when, (double)st->t, (double)v->mean, (double)-st->capacity_step, (double)v->centre, (double)v->periphery, (double)v->surface, (double)st->cell_voltage, (double)st->current_density, (double)st->c_rate));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputMonitor(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Output      o = (Output)ctx;
  Observables v;
  Physics     phys;

  PetscFunctionBeginUser;
  PetscCall(ObserverCompute(o->obs, theta, &v));
  PetscCall(SolverGetPhysics(s, &phys));
  PetscCall(PhysicsCheckTableRange(phys, v.min, v.max));
  if (st->step->type == STEP_CV) o->max_cv_mismatch = PetscMax(o->max_cv_mismatch, PetscAbsReal(st->inventory_error));
  else o->max_inventory_error = PetscMax(o->max_inventory_error, PetscAbsReal(st->inventory_error));
  if (st->step->type == STEP_CV || st->step->theta_rate < 0) o->only_delithiation = PETSC_FALSE;
  o->run_min = PetscMin(o->run_min, v.min);
  o->run_max = PetscMax(o->run_max, v.max);
  switch (e) {
  case SOLVER_EVENT_INITIAL:
    o->theta0_max = v.max;
    o->theta0_min = v.min;
    PetscCall(WriteHeader(o));
    PetscCall(WriteRow(o, st, &v));
    if (o->ntimes == 0 || o->times[0] <= st->t) PetscCall(WriteSnapshot(o, st->t, theta));
    while (o->next_time < o->ntimes && o->times[o->next_time] <= st->t * (1 + 1e-12)) o->next_time++; /* a restart starts later */
    break;
  case SOLVER_EVENT_TIMESTEP:
    PetscCall(WriteRow(o, st, &v));
    PetscCall(WriteDueSnapshots(o, st->t, theta));
    PetscCall(ShowProgress(o, st, PETSC_FALSE));
    /* bounds: nothing above the initial maximum, nothing below the surface minimum (charge) */
    o->overshoot = PetscMax(o->overshoot, v.max - o->theta0_max);
    if (st->step->theta_rate > 0) o->undershoot = PetscMax(o->undershoot, v.surface_min - v.min); /* a charge empties the surface first */
    break;
  case SOLVER_EVENT_STEP_END:
    if (o->ntimes == 0) PetscCall(WriteSnapshot(o, st->t, theta));
    PetscCall(LogStepEnd(o, st, &v));
    break;
  default:
    SETERRQ(o->comm, PETSC_ERR_ARG_OUTOFRANGE, "unknown solver event %d", (int)e);
  }
  PetscFunctionReturn(0);
}

/* fields.xmf: a temporal collection of the snapshots in fields.h5 */
static PetscErrorCode WriteXDMF(Output o, const char path[])
{
  DM          dm;
  PetscInt    dim, ncells, nvert, corners;
  const char *topo;
  FILE       *fp;

  PetscFunctionBeginUser;
  PetscCall(SolverGetDM(o->solver, &dm));
  PetscCall(DMGetDimension(dm, &dim));
  {
    const MeshInfo *info;
    PetscCall(SolverGetMeshInfo(o->solver, &info));
    ncells = info->num_cells;
    nvert  = info->num_vertices;
  }
  corners = dim + 1;
  topo    = dim == 2 ? "Triangle" : "Tetrahedron";
  if (o->rank) PetscFunctionReturn(0);
  fp = fopen(path, "w");
  PetscCheck(fp, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  fprintf(fp, "<?xml version=\"1.0\" ?>\n<!-- theta (Li site fraction, 1 = lithiated) of a spot run; coordinates in um, time in s -->\n");
  fprintf(fp, "<Xdmf xmlns:xi=\"http://www.w3.org/2001/XInclude\" Version=\"2.0\">\n <Domain Name=\"spot\">\n");
  fprintf(fp, "  <DataItem Name=\"cells\" ItemType=\"Uniform\" Format=\"HDF\" NumberType=\"Float\" Precision=\"8\" Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT "\">fields.h5:/viz/topology/cells</DataItem>\n", ncells, corners);
  fprintf(fp, "  <DataItem Name=\"vertices\" Format=\"HDF\" Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT "\">fields.h5:/geometry/vertices</DataItem>\n", nvert, dim);
  fprintf(fp, "  <Grid Name=\"theta\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  for (PetscInt i = 0; i < o->nsnap; ++i) {
    fprintf(fp, "   <Grid Name=\"particle\" GridType=\"Uniform\">\n");
    fprintf(fp, "    <Time Value=\"%.12g\"/>\n", (double)o->snap_times[i]);
    fprintf(fp, "    <Topology TopologyType=\"%s\" NumberOfElements=\"%" PetscInt_FMT "\"><DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"cells\"]</DataItem></Topology>\n", topo, ncells);
    fprintf(fp, "    <Geometry GeometryType=\"%s\"><DataItem Reference=\"XML\">/Xdmf/Domain/DataItem[@Name=\"vertices\"]</DataItem></Geometry>\n", dim == 2 ? "XY" : "XYZ");
    fprintf(fp, "    <Attribute Name=\"theta\" AttributeType=\"Scalar\" Center=\"Node\">\n");
    fprintf(fp, "     <DataItem ItemType=\"HyperSlab\" Dimensions=\"1 %" PetscInt_FMT " 1\" Type=\"HyperSlab\">\n", nvert);
    fprintf(fp, "      <DataItem Dimensions=\"3 3\" Format=\"XML\">%" PetscInt_FMT " 0 0 1 1 1 1 %" PetscInt_FMT " 1</DataItem>\n", i, nvert);
    fprintf(fp, "      <DataItem Dimensions=\"%" PetscInt_FMT " %" PetscInt_FMT " 1\" Format=\"HDF\">fields.h5:/vertex_fields/theta_theta</DataItem>\n", o->nsnap, nvert);
    fprintf(fp, "     </DataItem>\n    </Attribute>\n   </Grid>\n");
  }
  fprintf(fp, "  </Grid>\n </Domain>\n</Xdmf>\n");
  fclose(fp);
  PetscFunctionReturn(0);
}

static PetscErrorCode Promote(Output o, const char path[])
{
  char part[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (o->rank) PetscFunctionReturn(0);
  PetscCall(PartName(path, part, sizeof(part)));
  PetscCheck(!rename(part, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", part, path);
  PetscFunctionReturn(0);
}

PetscErrorCode OutputFinish(Output o)
{
  char part[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(ClearProgress(o));
  if (o->rank == 0 && o->csv) {
    fclose(o->csv);
    o->csv = NULL;
  }
  PetscCall(Promote(o, o->csv_path));
  if (o->rank == 0 && o->probe_csv) {
    fclose(o->probe_csv);
    o->probe_csv = NULL;
    PetscCall(Promote(o, o->probe_path));
  }
  if (o->fields) {
    PetscCall(PetscViewerPopFormat(o->h5));
    PetscCall(PetscViewerDestroy(&o->h5));
    PetscCall(PartName(o->xmf_path, part, sizeof(part)));
    PetscCall(WriteXDMF(o, part));
    PetscCall(Promote(o, o->h5_path));
    PetscCall(Promote(o, o->xmf_path));
  }
  o->finished = PETSC_TRUE;
  {
    PetscLogDouble now;
    PetscInt       steps, rejected, newton, linear;
    char           buf[128];
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "; cv holds: the current integrated in time (trapezoid) matches the inventory change to %.2e", (double)o->max_cv_mismatch));
    PetscCall(PetscTime(&now));
    PetscCall(SolverGetStats(o->solver, &steps, &rejected, &newton, &linear));
    PetscCall(PetscPrintf(o->comm, "done in %.3g s wall: %" PetscInt_FMT " time steps (%" PetscInt_FMT " rejected), %" PetscInt_FMT " Newton and %" PetscInt_FMT " linear iterations\n", (double)(now - o->wall_start), steps, rejected, newton, linear));
    if (o->only_delithiation) {
      PetscCall(PetscPrintf(o->comm, "checks: largest |inventory error| %.2e; theta above its initial maximum by at most %.2e, below the surface minimum by at most %.2e\n", (double)o->max_inventory_error, (double)o->overshoot, (double)o->undershoot));
      /* a delithiation cannot raise θ above its initial maximum */
      if (o->overshoot > THETA_OSCILLATION) PetscCall(PetscPrintf(o->comm, "warning: theta rose %.2e above its initial maximum: %s\n", (double)o->overshoot, OSCILLATION_HINT));
    } else {
      PetscCall(PetscPrintf(o->comm, "checks: largest |inventory error| %.2e (cc and rest steps)%s; theta stayed in [%.6f, %.6f]\n", (double)o->max_inventory_error, o->max_cv_mismatch > 0 ? buf : "", (double)o->run_min, (double)o->run_max));
      if (o->run_min < -THETA_OSCILLATION || o->run_max > 1 + THETA_OSCILLATION) PetscCall(PetscPrintf(o->comm, "warning: theta left [0, 1]: %s\n", OSCILLATION_HINT));
    }
    PetscCall(PetscPrintf(o->comm, "outputs: %s (%" PetscInt_FMT " rows)%s%s%s%s%s%s\n", o->csv_path, o->nrows, o->fields ? ", " : "", o->fields ? o->h5_path : "", o->fields ? " + " : "", o->fields ? o->xmf_path : "", o->nprobes ? ", " : "", o->nprobes ? o->probe_path : ""));
  }
  PetscFunctionReturn(0);
}

/* After a failure: close and remove every partial file */
PetscErrorCode OutputDiscard(Output o)
{
  char part[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  if (!o || o->finished) PetscFunctionReturn(0);
  PetscCall(ClearProgress(o));
  if (o->rank == 0 && o->csv) {
    fclose(o->csv);
    o->csv = NULL;
  }
  if (o->h5) PetscCall(PetscViewerDestroy(&o->h5));
  if (o->rank == 0 && o->probe_csv) {
    fclose(o->probe_csv);
    o->probe_csv = NULL;
  }
  if (o->rank == 0) {
    PetscCall(PartName(o->probe_path, part, sizeof(part)));
    remove(part);
    PetscCall(PartName(o->csv_path, part, sizeof(part)));
    remove(part);
    PetscCall(PartName(o->h5_path, part, sizeof(part)));
    remove(part);
    PetscCall(PartName(o->xmf_path, part, sizeof(part)));
    remove(part);
  }
  o->finished = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode OutputDestroy(Output *o)
{
  PetscFunctionBeginUser;
  if (!*o) PetscFunctionReturn(0);
  PetscCall(OutputDiscard(*o));
  PetscCall(ObserverDestroy(&(*o)->obs));
  PetscCall(ProbeDestroy(&(*o)->probes));
  PetscCall(PetscFree((*o)->probe_values));
  PetscCall(VecDestroy(&(*o)->snapshot));
  PetscCall(PetscFree((*o)->times));
  PetscCall(PetscFree((*o)->snap_times));
  PetscCall(PetscFree(*o));
  PetscFunctionReturn(0);
}
