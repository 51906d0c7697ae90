/* Checkpoints and restarts.

   A checkpoint is an HDF5 file (PETSc's HDF5 viewer) holding the state θ with the coordinates of
   every degree of freedom (/theta, /dof_x, /dof_y[, /dof_z], in one global order), the mesh's
   size (unknowns, |Ω|, |∂Ω|) and the protocol position: the time, the step to run and whether
   it is under way, the integrator's proposed time step and the bookkeeping of the monitors
   (attributes of /). Checkpoints are written at every step end and between the TSSolve segments
   of a step once -out_checkpoint_interval minutes of wall time (15) have passed since the last
   one: to DIR/checkpoint.h5 (through checkpoint.h5.part and a rename, so a killed run leaves the
   previous complete checkpoint), and with -out_checkpoint_keep also as DIR/checkpoint_NNNN.h5.

   A restart (<initial><checkpoint file="..."/>, -init_checkpoint_file) rebuilds the mesh from
   the same input, matches the degrees of freedom by their coordinates (so it may use another
   number of ranks), and continues the protocol where it stopped. Each segment of a step starts
   the BDF history afresh in the uninterrupted run as well, so the restarted run repeats it to
   round-off. A checkpoint written at the end of a protocol can start a different protocol. */
#include "solver/solverimpl.h"
#include "input/input.h"
#include "files/files.h"
#include <hdf5.h>
#include <stdio.h>
#include <sys/stat.h>

#define NSCALARS 17 /* the scalars of the run state (scalar_names) */

struct _p_Checkpointer {
  char           dir[PETSC_MAX_PATH_LEN];
  PetscReal      interval;   /* s of wall time between checkpoints inside a step */
  PetscBool      keep;       /* keep every checkpoint as checkpoint_NNNN.h5 */
  PetscLogDouble last;       /* wall time of the last checkpoint */
  PetscInt       count;
  Vec            X[3]; /* the dof coordinates, computed at the first checkpoint */
  /* the state at the start of the running segment: the last point a restart repeats exactly,
     written when the run is interrupted */
  Vec            mark_theta;
  PetscReal      mark_x[NSCALARS];
  PetscInt       mark_step;
  PetscBool      mark_valid;
  PetscBool      wrote; /* this run wrote checkpoint.h5 */
};

/* the scalars of the run state, in file order */
static const char *const scalar_names[NSCALARS] = {"t", "dt_next", "t_step_start", "expected_mean", "mean_theta0", "mean_at_step_start", "i_prev", "V_prev", "t_prev", "last_monitor_t", "progress_done", "V", "ts_steps", "rejected", "newton", "linear", "tiny_steps"};

static void Scalars(Solver s, PetscReal t, PetscReal done, PetscReal v[NSCALARS])
{
  const PetscReal x[NSCALARS] = {t, s->dt_next, s->state.t_step_start, s->expected_mean, s->mean_theta0, s->mean_at_step_start, s->i_prev, s->V_prev, s->t_prev, s->last_monitor_t, done, s->V, (PetscReal)s->state.ts_steps, (PetscReal)s->rejected, (PetscReal)s->newton, (PetscReal)s->linear, (PetscReal)s->tiny_steps};
  for (PetscInt i = 0; i < NSCALARS; ++i) v[i] = x[i];
}

/* A fingerprint of the protocol: a checkpoint resumes only the protocol that wrote it */
static PetscInt ProtocolSignature(Protocol p)
{
  unsigned long h = 5381;
  for (PetscInt k = 0; k < p->nsteps; ++k) {
    const StepSpec *st = &p->steps[k];
    const double    x[] = {(double)st->type, st->current_density, st->voltage, st->duration, st->theta_below, st->theta_above, st->voltage_above, st->voltage_below, st->current_below, st->capacity, st->dvdt_below};
    for (const char *c = st->name; *c; ++c) h = h * 33 + (unsigned char)*c;
    for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); ++i) {
      char buf[32];
      snprintf(buf, sizeof(buf), "%.12g", x[i]);
      for (const char *c = buf; *c; ++c) h = h * 33 + (unsigned char)*c;
    }
  }
  return (PetscInt)(h & 0x3fffffff);
}

/* Coordinates of every degree of freedom. Lagrange P1 and P2 dofs sit at the vertices and
   the edge midpoints, so they are read from the mesh coordinates (no projection: it would
   leave PETSc's geometry cache on the DM, as much memory as the mesh itself) */
PetscErrorCode SolverDofCoordinates(Solver s, Vec X[3])
{
  PetscSection    section, csection;
  DM              cdm;
  Vec             coords, loc[3];
  const PetscScalar *xc;
  PetscScalar    *xl[3];
  PetscInt        dim, pStart, pEnd;

  PetscFunctionBeginUser;
  PetscCall(DMGetDimension(s->dm, &dim));
  PetscCall(DMGetLocalSection(s->dm, &section));
  PetscCall(DMGetCoordinatesLocal(s->dm, &coords));
  PetscCall(DMGetCoordinateDM(s->dm, &cdm));
  PetscCall(DMGetLocalSection(cdm, &csection));
  PetscCall(VecGetArrayRead(coords, &xc));
  for (PetscInt d = 0; d < 3; ++d) X[d] = loc[d] = NULL;
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCall(DMCreateLocalVector(s->dm, &loc[d]));
    PetscCall(VecGetArray(loc[d], &xl[d]));
  }
  PetscCall(PetscSectionGetChart(section, &pStart, &pEnd));
  for (PetscInt p = pStart; p < pEnd; ++p) {
    PetscInt ndof, off, depth, ncone = 1, cv;
    const PetscInt *cone = NULL;
    PetscCall(PetscSectionGetDof(section, p, &ndof));
    if (!ndof) continue;
    PetscCall(PetscSectionGetOffset(section, p, &off));
    PetscCall(DMPlexGetPointDepth(s->dm, p, &depth));
    PetscCheck(ndof == 1 && depth <= 1, PETSC_COMM_SELF, PETSC_ERR_SUP, "dof coordinates for P1 and P2 only (point %" PetscInt_FMT " has %" PetscInt_FMT " dofs at depth %" PetscInt_FMT ")", p, ndof, depth);
    if (depth == 1) {
      PetscCall(DMPlexGetConeSize(s->dm, p, &ncone));
      PetscCall(DMPlexGetCone(s->dm, p, &cone));
    }
    for (PetscInt d = 0; d < dim; ++d) xl[d][off] = 0;
    for (PetscInt k = 0; k < ncone; ++k) { /* a vertex, or the mean of an edge's two */
      PetscCall(PetscSectionGetOffset(csection, depth == 1 ? cone[k] : p, &cv));
      for (PetscInt d = 0; d < dim; ++d) xl[d][off] += xc[cv + d] / ncone;
    }
  }
  PetscCall(VecRestoreArrayRead(coords, &xc));
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCall(VecRestoreArray(loc[d], &xl[d]));
    PetscCall(DMCreateGlobalVector(s->dm, &X[d]));
    PetscCall(DMLocalToGlobal(s->dm, loc[d], INSERT_VALUES, X[d]));
    PetscCall(VecDestroy(&loc[d]));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SolverSetCheckpointDirectory(Solver s, const char dir[])
{
  PetscBool on = PETSC_TRUE;
  PetscReal interval = 900;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_checkpoints", &on, NULL));
  if (!on || !dir) PetscFunctionReturn(0);
  PetscCall(InputGetQuantity("-out_checkpoint_interval", UNIT_TIME, &interval, NULL));
  PetscCall(InputOptionWhere("-out_checkpoint_interval", where, sizeof(where)));
  PetscCheck(interval >= 0, s->comm, PETSC_ERR_USER_INPUT, "%s: the checkpoint interval must be >= 0 (minutes of wall time; 0 = between every segment), got %g s", where, (double)interval);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* HDF5's own error stack is not for users: a failure is one line */
  PetscCall(PetscNew(&s->checkpointer));
  PetscCall(PetscStrncpy(s->checkpointer->dir, dir, sizeof(s->checkpointer->dir)));
  s->checkpointer->interval = interval;
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-out_checkpoint_keep", &s->checkpointer->keep, NULL));
  PetscCall(PetscTime(&s->checkpointer->last));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverCheckpointDestroy(Solver s)
{
  PetscFunctionBeginUser;
  if (s->checkpointer) {
    for (PetscInt d = 0; d < 3; ++d) PetscCall(VecDestroy(&s->checkpointer->X[d]));
    PetscCall(VecDestroy(&s->checkpointer->mark_theta));
  }
  PetscCall(PetscFree(s->checkpointer));
  PetscFunctionReturn(0);
}

/* Rank 0 writes the gathered state seq[] (theta, dof_x, dof_y[, dof_z]) to path through the
   temporary *f (a full disk or a kill leaves the previous checkpoint whole); on failure the caller
   discards *h and *f */
static PetscErrorCode WriteFile(Solver s, Protocol p, Vec seq[], PetscInt dim, const PetscReal x[NSCALARS], PetscInt next_step, PetscBool step_end, const char path[], FileOut *f, FileH5 *h)
{
  static const char *const names[4] = {"/theta", "/dof_x", "/dof_y", "/dof_z"};
  PetscInt                 n;
  const PetscReal          pos[5] = {(PetscReal)next_step, step_end ? 0 : 1, (PetscReal)p->nsteps, (PetscReal)ProtocolSignature(p), (PetscReal)dim};

  PetscFunctionBeginUser;
  PetscCall(VecGetSize(seq[0], &n));
  PetscCall(FileOutCreate(path, f));
  PetscCall(FileH5Create(*f, h));
  for (PetscInt d = 0; d <= dim; ++d) {
    const PetscScalar *a;
    PetscCall(VecGetArrayRead(seq[d], &a));
    PetscCall(FileH5WriteReals(*h, names[d], 1, &n, (const PetscReal *)a, d ? "um" : NULL));
    PetscCall(VecRestoreArrayRead(seq[d], &a));
  }
  for (PetscInt i = 0; i < NSCALARS; ++i) PetscCall(FileH5SetAttribute(*h, scalar_names[i], x[i]));
  PetscCall(FileH5SetAttribute(*h, "next_step", pos[0]));
  PetscCall(FileH5SetAttribute(*h, "inside_step", pos[1]));
  PetscCall(FileH5SetAttribute(*h, "protocol_steps", pos[2]));
  PetscCall(FileH5SetAttribute(*h, "protocol_signature", pos[3]));
  PetscCall(FileH5SetAttribute(*h, "mesh_volume_um", s->info.volume));
  PetscCall(FileH5SetAttribute(*h, "mesh_surface_um", s->info.surface));
  PetscCall(FileH5SetAttribute(*h, "unknowns", (PetscReal)n));
  PetscCall(FileH5SetAttribute(*h, "dimension", pos[4]));
  PetscCall(FileH5Close(h));
  PetscCall(FileOutPublish(f));
  PetscFunctionReturn(0);
}

/* Write theta and the scalars x as the checkpoint (and its numbered copy with -out_checkpoint_keep).
   Collective; a failed write (a full disk) fails on every rank with one line and leaves the
   previous checkpoint as it was. */
static PetscErrorCode WriteCheckpoint(Solver s, Protocol p, Vec theta, const PetscReal x[NSCALARS], PetscInt next_step, PetscBool step_end)
{
  Checkpointer cp = s->checkpointer;
  Vec          seq[4] = {NULL, NULL, NULL, NULL}, all[4];
  VecScatter   sc;
  PetscMPIInt  rank;
  PetscInt     dim;
  char         path[PETSC_MAX_PATH_LEN + 32], copy[PETSC_MAX_PATH_LEN + 32], message[PETSC_MAX_PATH_LEN + 256] = "";
  PetscBool    failed = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->comm, &rank));
  PetscCall(DMGetDimension(s->dm, &dim));
  if (!cp->X[0]) PetscCall(SolverDofCoordinates(s, cp->X));
  all[0] = theta;
  for (PetscInt d = 0; d < dim; ++d) all[d + 1] = cp->X[d];
  for (PetscInt d = 0; d <= dim; ++d) {
    PetscCall(VecScatterCreateToZero(all[d], &sc, &seq[d]));
    PetscCall(VecScatterBegin(sc, all[d], seq[d], INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(sc, all[d], seq[d], INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterDestroy(&sc));
  }
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/checkpoint.h5", cp->dir));
  PetscCall(PetscSNPrintf(copy, sizeof(copy), "%s/checkpoint_%04" PetscInt_FMT ".h5", cp->dir, cp->count));
  if (rank == 0) { /* errors here are rank 0's alone: caught, cleaned up, then raised on every rank */
    for (int k = 0; k < (cp->keep ? 2 : 1) && !failed; ++k) {
      PetscErrorCode ierr;
      FileOut        f = NULL;
      FileH5         h = NULL;
      PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
      ierr = WriteFile(s, p, seq, dim, x, next_step, step_end, k ? copy : path, &f, &h);
      if (ierr) {
        const char *text;
        char       *specific = NULL;
        failed = PETSC_TRUE;
        PetscCall(PetscErrorMessage(ierr, &text, &specific));
        if (ierr == PETSC_ERR_FILE_WRITE && specific && specific[0]) PetscCall(PetscStrncpy(message, specific, sizeof(message)));
        else PetscCall(FileWriteFailure(k ? copy : path, 0, message, sizeof(message)));
        (void)FileH5Close(&h);
        (void)FileOutDiscard(&f);
      }
      PetscCall(PetscPopErrorHandler());
    }
  }
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(VecDestroy(&seq[d]));
  PetscCall(InputCollectiveError(s->comm, failed, message));
  cp->wrote = PETSC_TRUE;
  if (cp->keep) PetscCall(PetscPrintf(s->comm, "checkpoint %s at t = %.9g s, %s step %" PetscInt_FMT "\n", copy, (double)x[0], step_end ? "before" : "inside", next_step + 1));
  cp->count++;
  PetscCall(PetscTime(&cp->last));
  PetscFunctionReturn(0);
}

/* Write the state at t before step next_step (step_end) or inside it (!step_end): inside a step
   once the interval of wall time has passed, at a step's end too, and always at the protocol's end */
PetscErrorCode SolverCheckpoint(Solver s, Protocol p, PetscInt next_step, PetscReal t, PetscReal done, PetscBool step_end)
{
  Checkpointer   cp = s->checkpointer;
  PetscLogDouble now;
  PetscReal      x[NSCALARS];

  PetscFunctionBeginUser;
  if (!cp) PetscFunctionReturn(0);
  PetscCall(PetscTime(&now));
  if (now - cp->last < cp->interval && !(step_end && next_step == p->nsteps)) PetscFunctionReturn(0);
  Scalars(s, t, done, x);
  PetscCall(WriteCheckpoint(s, p, s->theta, x, next_step, step_end));
  PetscFunctionReturn(0);
}

/* After a failed run: the checkpoints it wrote go with its other outputs */
PetscErrorCode SolverRemoveCheckpoints(Solver s)
{
  Checkpointer cp = s->checkpointer;
  PetscMPIInt  rank;
  char         path[PETSC_MAX_PATH_LEN + 32];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(s->comm, &rank));
  if (!cp || rank) PetscFunctionReturn(0);
  if (cp->wrote) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/checkpoint.h5", cp->dir));
    remove(path);
  }
  for (PetscInt k = 0; cp->keep && k < cp->count; ++k) {
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/checkpoint_%04" PetscInt_FMT ".h5", cp->dir, k));
    remove(path);
  }
  cp->wrote = PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The start of a segment of step k at t: remembered, to be written if the run is interrupted */
PetscErrorCode SolverCheckpointMark(Solver s, PetscInt k, PetscReal t, PetscReal done)
{
  Checkpointer cp = s->checkpointer;

  PetscFunctionBeginUser;
  if (!cp) PetscFunctionReturn(0);
  if (!cp->mark_theta) PetscCall(VecDuplicate(s->theta, &cp->mark_theta));
  PetscCall(VecCopy(s->theta, cp->mark_theta));
  Scalars(s, t, done, cp->mark_x);
  cp->mark_step  = k;
  cp->mark_valid = PETSC_TRUE;
  PetscFunctionReturn(0);
}

/* After an interrupt: the last exact restart point as the checkpoint; *t its time (NAN: none written) */
PetscErrorCode SolverCheckpointInterrupted(Solver s, Protocol p, PetscReal *t)
{
  Checkpointer cp = s->checkpointer;

  PetscFunctionBeginUser;
  *t = NAN;
  if (!cp || !cp->mark_valid) PetscFunctionReturn(0);
  PetscCall(WriteCheckpoint(s, p, cp->mark_theta, cp->mark_x, cp->mark_step, PETSC_FALSE));
  *t = cp->mark_x[0];
  PetscFunctionReturn(0);
}

typedef struct {
  PetscReal x[3];
  PetscInt  index;
} DofPoint;

static int ComparePoints(const void *a, const void *b)
{
  const DofPoint *p = (const DofPoint *)a, *q = (const DofPoint *)b;
  return p->x[0] < q->x[0] ? -1 : (p->x[0] > q->x[0] ? 1 : 0);
}

/* Load θ and the protocol position from a checkpoint; *first is the step to run, *fresh whether
   the protocol starts anew (a finished run's checkpoint with another protocol) */
/* What a checkpoint holds; read by every rank with errors caught (ReadHeader, ReadData) */
typedef struct {
  PetscReal  x[NSCALARS], pos[4], info[3], dim;
  PetscReal *data[4]; /* theta, dof_x, dof_y, dof_z */
} CheckpointData;

static PetscErrorCode ReadHeader(const char path[], CheckpointData *c)
{
  static const char *const pos_names[4]  = {"next_step", "inside_step", "protocol_steps", "protocol_signature"};
  static const char *const info_names[3] = {"mesh_volume_um", "mesh_surface_um", "unknowns"};
  FileH5                   h;
  PetscBool                has, all = PETSC_TRUE;

  PetscFunctionBeginUser;
  PetscCall(FileH5Open(path, &h));
  for (PetscInt i = 0; i < NSCALARS; ++i) {
    PetscCall(FileH5GetAttribute(h, scalar_names[i], &c->x[i], &has));
    all = (all && has) ? PETSC_TRUE : PETSC_FALSE;
  }
  for (PetscInt i = 0; i < 4; ++i) {
    PetscCall(FileH5GetAttribute(h, pos_names[i], &c->pos[i], &has));
    all = (all && has) ? PETSC_TRUE : PETSC_FALSE;
  }
  for (PetscInt i = 0; i < 3; ++i) {
    PetscCall(FileH5GetAttribute(h, info_names[i], &c->info[i], &has));
    all = (all && has) ? PETSC_TRUE : PETSC_FALSE;
  }
  PetscCall(FileH5GetAttribute(h, "dimension", &c->dim, &has));
  all = (all && has) ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(FileH5Close(&h));
  PetscCheck(all, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "no protocol position in it");
  for (PetscInt i = 0; i < NSCALARS; ++i) PetscCheck(!PetscIsInfOrNanReal(c->x[i]) || i == 7 || i == 11, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "its %s is not a number", scalar_names[i]);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadData(const char path[], PetscInt dim, PetscInt n, CheckpointData *c)
{
  static const char *const names[4] = {"/theta", "/dof_x", "/dof_y", "/dof_z"};
  FileH5                   h;

  PetscFunctionBeginUser;
  PetscCall(FileH5Open(path, &h));
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(FileH5ReadReals(h, names[d], n, c->data[d]));
  PetscCall(FileH5Close(&h));
  for (PetscInt d = 0; d <= dim; ++d)
    for (PetscInt i = 0; i < n; ++i) PetscCheck(!PetscIsInfOrNanReal(c->data[d][i]), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s holds a value that is not a number", names[d] + 1);
  PetscFunctionReturn(0);
}

/* Every rank runs read(path, ...) with its errors caught; a failure on any rank fails all with
   one line (a damaged file gives the same error on every rank, but not necessarily) */
static PetscErrorCode ReadCollectively(Solver s, const char path[], const char where[], PetscBool data, PetscInt dim, PetscInt n, CheckpointData *c)
{
  PetscErrorCode ierr;
  char           message[PETSC_MAX_PATH_LEN + 512] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
  ierr = data ? ReadData(path, dim, n, c) : ReadHeader(path, c);
  PetscCall(PetscPopErrorHandler());
  if (ierr) {
    const char *text;
    char       *specific = NULL;
    PetscCall(PetscErrorMessage(ierr, &text, &specific));
    PetscCall(PetscSNPrintf(message, sizeof(message), "%s: %s is not a spot checkpoint, or it is damaged (%s)", where, path, specific && specific[0] ? specific : text));
  }
  PetscCall(InputCollectiveError(s->comm, ierr ? PETSC_TRUE : PETSC_FALSE, message));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverLoadCheckpoint(Solver s, Protocol p, const char path[], const char where[], PetscInt *first, PetscBool *fresh)
{
  Vec            seq[4] = {NULL, NULL, NULL, NULL}, X[3];
  PetscInt       dim, fdim, n, nf, pos[4];
  PetscReal      x[NSCALARS], info[3], tol, lo[3] = {PETSC_MAX_REAL, PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[3] = {PETSC_MIN_REAL, PETSC_MIN_REAL, PETSC_MIN_REAL};
  DofPoint      *pts;
  PetscBool      exists;
  CheckpointData c;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  {
    struct stat st;
    PetscBool   special = (!stat(path, &st) && !S_ISREG(st.st_mode)) ? PETSC_TRUE : PETSC_FALSE;
    PetscCheck(!special, s->comm, PETSC_ERR_USER_INPUT, "%s: the checkpoint %s is not a regular file (%s)", where, path, S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a device or socket");
  }
  PetscCall(PetscTestFile(path, 'r', &exists));
  PetscCheck(exists, s->comm, PETSC_ERR_USER_INPUT, "%s: cannot read the checkpoint %s", where, path);
  {
    PetscMPIInt rank;
    PetscInt    is_hdf5 = 0;
    PetscCallMPI(MPI_Comm_rank(s->comm, &rank));
    if (rank == 0) is_hdf5 = H5Fis_hdf5(path) > 0;
    PetscCallMPI(MPI_Bcast(&is_hdf5, 1, MPIU_INT, 0, s->comm));
    PetscCheck(is_hdf5, s->comm, PETSC_ERR_USER_INPUT, "%s: %s is not a spot checkpoint (not an HDF5 file)", where, path);
  }
  PetscCall(DMGetDimension(s->dm, &dim));
  PetscCall(VecGetSize(s->theta, &n));
  PetscCall(ReadCollectively(s, path, where, PETSC_FALSE, dim, n, &c));
  fdim = (PetscInt)c.dim;
  for (PetscInt i = 0; i < 3; ++i) info[i] = c.info[i];
  for (PetscInt i = 0; i < 4; ++i) pos[i] = (PetscInt)c.pos[i];
  for (PetscInt i = 0; i < NSCALARS; ++i) x[i] = c.x[i];
  nf = (PetscInt)info[2];
  PetscCheck(fdim == dim && nf == n && PetscAbsReal(info[0] - s->info.volume) <= 1e-9 * s->info.volume, s->comm, PETSC_ERR_USER_INPUT, "%s: the checkpoint %s is of another mesh (%" PetscInt_FMT "-D, %" PetscInt_FMT " unknowns, volume %g um^%" PetscInt_FMT "; this run: %" PetscInt_FMT "-D, %" PetscInt_FMT " unknowns, %g um^%" PetscInt_FMT "): restart with the input (mesh, element degree) that wrote it", where, path, fdim, nf, (double)info[0], fdim, dim, n, (double)s->info.volume, dim);
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(PetscMalloc1(n, &c.data[d]));
  PetscCall(ReadCollectively(s, path, where, PETSC_TRUE, dim, n, &c));
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(VecCreateSeqWithArray(PETSC_COMM_SELF, 1, n, c.data[d], &seq[d]));

  /* match this rank's degrees of freedom to the file's by coordinates */
  PetscCall(PetscMalloc1(n, &pts));
  {
    const PetscScalar *c[3] = {NULL, NULL, NULL};
    for (PetscInt d = 0; d < dim; ++d) PetscCall(VecGetArrayRead(seq[d + 1], &c[d]));
    for (PetscInt i = 0; i < n; ++i) {
      for (PetscInt d = 0; d < 3; ++d) pts[i].x[d] = d < dim ? PetscRealPart(c[d][i]) : 0;
      for (PetscInt d = 0; d < dim; ++d) {
        lo[d] = PetscMin(lo[d], pts[i].x[d]);
        hi[d] = PetscMax(hi[d], pts[i].x[d]);
      }
      pts[i].index = i;
    }
    for (PetscInt d = 0; d < dim; ++d) PetscCall(VecRestoreArrayRead(seq[d + 1], &c[d]));
  }
  qsort(pts, (size_t)n, sizeof(DofPoint), ComparePoints);
  tol = 0;
  for (PetscInt d = 0; d < dim; ++d) tol = PetscMax(tol, hi[d] - lo[d]);
  tol *= 1e-9;
  PetscCall(SolverDofCoordinates(s, X));
  {
    const PetscScalar *c[3] = {NULL, NULL, NULL}, *th;
    PetscScalar       *u;
    PetscInt           nlocal, missing = 0;
    PetscCall(VecGetLocalSize(s->theta, &nlocal));
    for (PetscInt d = 0; d < dim; ++d) PetscCall(VecGetArrayRead(X[d], &c[d]));
    PetscCall(VecGetArrayRead(seq[0], &th));
    PetscCall(VecGetArray(s->theta, &u));
    for (PetscInt i = 0; i < nlocal; ++i) {
      PetscReal y[3] = {0, 0, 0};
      PetscInt  a = 0, b = n, found = -1;
      for (PetscInt d = 0; d < dim; ++d) y[d] = PetscRealPart(c[d][i]);
      while (a < b) { /* first point with x >= y[0] − tol */
        const PetscInt m = (a + b) / 2;
        if (pts[m].x[0] < y[0] - tol) a = m + 1;
        else b = m;
      }
      for (PetscInt k = a; k < n && pts[k].x[0] <= y[0] + tol; ++k) {
        PetscBool same = PETSC_TRUE;
        for (PetscInt d = 1; d < dim; ++d) same = (same && PetscAbsReal(pts[k].x[d] - y[d]) <= tol) ? PETSC_TRUE : PETSC_FALSE;
        if (same) {
          found = pts[k].index;
          break;
        }
      }
      if (found < 0) missing++;
      else u[i] = th[found];
    }
    PetscCall(VecRestoreArray(s->theta, &u));
    PetscCall(VecRestoreArrayRead(seq[0], &th));
    for (PetscInt d = 0; d < dim; ++d) PetscCall(VecRestoreArrayRead(X[d], &c[d]));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &missing, 1, MPIU_INT, MPI_SUM, s->comm));
    PetscCheck(!missing, s->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " nodes of this mesh are not in the checkpoint %s: restart with the input (mesh, element degree) that wrote it, or the checkpoint is damaged", where, missing, path);
  }
  PetscCall(PetscFree(pts));
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(VecDestroy(&seq[d]));
  for (PetscInt d = 0; d <= dim; ++d) PetscCall(PetscFree(c.data[d]));
  for (PetscInt d = 0; d < dim; ++d) PetscCall(VecDestroy(&X[d]));

  PetscCall(TSSetTime(s->ts, x[0]));
  if (pos[2] == p->nsteps && pos[3] == ProtocolSignature(p)) { /* the same protocol: go on where it stopped */
    PetscCheck(pos[0] < p->nsteps, s->comm, PETSC_ERR_USER_INPUT, "%s: the checkpoint %s was written at the end of this protocol; nothing is left to run (give another protocol to continue from it)", where, path);
    *first                   = pos[0];
    *fresh                   = PETSC_FALSE;
    s->resume_mid_step       = pos[1] ? PETSC_TRUE : PETSC_FALSE;
    s->dt_next               = x[1];
    s->state.t_step_start    = x[2];
    s->expected_mean         = x[3];
    s->mean_theta0           = x[4];
    s->mean_at_step_start    = x[5];
    s->i_prev                = x[6];
    s->V_prev                = x[7];
    s->t_prev                = x[8];
    s->last_monitor_t        = x[9];
    s->progress_done_restart = x[10];
    s->V                     = x[11];
    s->state.ts_steps        = (PetscInt)x[12];
    s->rejected              = (PetscInt)x[13];
    s->newton                = (PetscInt)x[14];
    s->linear                = (PetscInt)x[15];
    s->tiny_steps            = (PetscInt)x[16];
  } else { /* another protocol: only from the end of a finished one */
    PetscCheck(pos[0] == pos[2] && !pos[1], s->comm, PETSC_ERR_USER_INPUT, "%s: the checkpoint %s was written inside step %" PetscInt_FMT " of a different protocol; restart with the protocol that wrote it, or use a checkpoint from the end of a run", where, path, pos[0] + 1);
    *first = 0;
    *fresh = PETSC_TRUE;
  }
  PetscFunctionReturn(0);
}
