/* The particles of a population: which cells and dofs belong to which particle, and what varies
   from particle to particle.

   The mesh's cells carry MESH_PARTICLE_LABEL = k + 1 for particle k = 0..N−1 (mesh/load.c); the
   particles are disjoint pieces of the mesh, so every dof belongs to exactly one of them. One
   particle is the population with N = 1.

   Per particle k, two factors multiply the material's laws:
     α_k   the diffusivity: D_app = α_k α D_GITT(θ)         (α from -phys_alpha)
     s_k   the exchange current: i0 → s_k i0(θ)              (Butler–Volmer)
   Options (a particle not named keeps 1):
     R_k   a contact resistance (Ω·m² of its active surface) between the particle and the
           current collector: the particle sits at φ_k = V − R_k ī_k, ī_k its mean current density
     -particles_table FILE   CSV with a header: particle (1..N) and any of alpha, i0_scale,
       contact_resistance_ohm_m2
     -particles_contact_resistance R: the same R for every particle (a table's value replaces it)
     -particles_alpha_spread σ, -particles_i0_spread σ: lognormal factors of median 1,
       ln α_k ~ N(0, σ²), drawn in particle order from -particles_seed (default 1), so every rank
       count draws the same population; a table's value replaces the draw
   All particles sit on one current collector at one electrode potential V (solver/surface.c). */
#include "solver/solverimpl.h"
#include "input/input.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_SPREAD 3.0 /* σ of ln α: e^3 = 20 times the median at one standard deviation */

/* splitmix64: a small, fixed generator, the same sequence on every platform and rank */
static uint64_t NextRandom(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z          = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z          = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* A standard normal number (Box–Muller, one of the pair) */
static PetscReal Normal(uint64_t *state)
{
  const double u1 = ((double)(NextRandom(state) >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
  const double u2 = ((double)(NextRandom(state) >> 11) + 0.5) / 9007199254740992.0;
  return (PetscReal)(sqrt(-2 * log(u1)) * cos(2 * PETSC_PI * u2));
}

static PetscErrorCode Spread(Solver s, const char name[], const char what[], uint64_t stream, PetscReal factor[])
{
  PetscReal sigma = 0, seed = 1;
  PetscBool set, seed_set;
  char      where[PETSC_MAX_PATH_LEN];
  uint64_t  state;

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity(name, UNIT_NONE, &sigma, &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(sigma >= 0 && sigma <= MAX_SPREAD, s->comm, PETSC_ERR_USER_INPUT, "%s: the spread of ln(%s) over the particles must lie in [0, %g], got %g", where, what, (double)MAX_SPREAD, (double)sigma);
  PetscCall(InputGetQuantity("-particles_seed", UNIT_NONE, &seed, &seed_set));
  PetscCall(InputOptionWhere("-particles_seed", where, sizeof(where)));
  PetscCheck(seed >= 0 && seed <= 4294967295.0 && seed == PetscFloorReal(seed), s->comm, PETSC_ERR_USER_INPUT, "%s: the seed must be a whole number in [0, 4294967295], got %g", where, (double)seed);
  /* each quantity its own stream: the α of a population does not change when i0 also spreads */
  state = (uint64_t)seed * 0x100000001B3ULL + stream;
  for (PetscInt k = 0; k < s->particles.n; ++k) factor[k] = PetscExpReal(sigma * Normal(&state));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadTable(Solver s, PetscReal alpha[], PetscReal i0_scale[], PetscReal R[])
{
  char        path[PETSC_MAX_PATH_LEN];
  PetscBool   set;
  InputTable  t;
  PetscInt    cp, ca = -1, ci = -1, cr = -1;
  PetscBool  *seen;
  const char *known[] = {"particle", "alpha", "i0_scale", "contact_resistance_ohm_m2"};

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-particles_table", path, sizeof(path), &set));
  if (!set) PetscFunctionReturn(0);
  PetscCall(InputTableRead(s->comm, path, &t));
  PetscCall(InputTableColumn(&t, path, "particle", &cp));
  for (PetscInt j = 0; j < t.ncols; ++j) {
    PetscBool ok = PETSC_FALSE;
    for (int m = 0; m < 4; ++m) ok = ok || !strcmp(t.names[j], known[m]);
    PetscCheck(ok, s->comm, PETSC_ERR_USER_INPUT, "%s: unknown column '%s'; a particle table has the columns particle, alpha, i0_scale, contact_resistance_ohm_m2", path, t.names[j]);
    if (!strcmp(t.names[j], "alpha")) ca = j;
    if (!strcmp(t.names[j], "i0_scale")) ci = j;
    if (!strcmp(t.names[j], "contact_resistance_ohm_m2")) cr = j;
  }
  PetscCheck(ca >= 0 || ci >= 0 || cr >= 0, s->comm, PETSC_ERR_USER_INPUT, "%s: no column alpha, i0_scale or contact_resistance_ohm_m2: the table sets nothing", path);
  PetscCall(PetscCalloc1(s->particles.n, &seen));
  for (PetscInt r = 0; r < t.nrows; ++r) {
    const PetscReal *row = &t.values[r * t.ncols];
    const PetscReal  id   = row[cp];
    const PetscInt   line = t.lines[r];
    PetscInt         k;
    if (!(id >= 1 && id <= s->particles.n && id == PetscFloorReal(id))) {
      PetscCall(PetscFree(seen));
      PetscCall(InputTableDestroy(&t));
      char text[64];
      snprintf(text, sizeof(text), "%.10g", (double)id); /* as written: 5, 5.5 */
      SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": particle %s does not exist: the mesh has particles 1 to %" PetscInt_FMT, path, line, text, s->particles.n);
    }
    k = (PetscInt)id - 1;
    if (seen[k]) {
      PetscCall(PetscFree(seen));
      PetscCall(InputTableDestroy(&t));
      SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": particle %" PetscInt_FMT " is listed twice", path, line, k + 1);
    }
    seen[k] = PETSC_TRUE;
    if (cr >= 0) {
      const PetscReal v = row[cr];
      if (!(v >= 0 && v < PETSC_MAX_REAL)) {
        char text[64];
        snprintf(text, sizeof(text), "%.10g", (double)v);
        PetscCall(PetscFree(seen));
        PetscCall(InputTableDestroy(&t));
        SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": contact_resistance_ohm_m2 of particle %" PetscInt_FMT " must be a number >= 0, got %s", path, line, k + 1, text);
      }
      R[k] = v;
    }
    for (int m = 0; m < 2; ++m) {
      const PetscInt col = m ? ci : ca;
      if (col < 0) continue;
      if (!(row[col] > 0 && row[col] < PETSC_MAX_REAL)) {
        const PetscReal v = row[col];
        PetscCall(PetscFree(seen));
        PetscCall(InputTableDestroy(&t));
        char            text[64];
        snprintf(text, sizeof(text), "%.10g", (double)v);
        SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": %s of particle %" PetscInt_FMT " must be a positive number, got %s", path, line, m ? "i0_scale" : "alpha", k + 1, text);
      }
      (m ? i0_scale : alpha)[k] = row[col];
    }
  }
  PetscCall(PetscFree(seen));
  PetscCall(InputTableDestroy(&t));
  PetscFunctionReturn(0);
}

/* After the discretisation: particle of every local cell and owned dof, the factors, and the
   particles' volumes (the active areas come from the surface, SolverParticlesSetAreas) */
PetscErrorCode SolverParticlesSetUp(Solver s)
{
  SolverParticles *p = &s->particles;
  DMLabel          label;
  PetscInt         cStart, cEnd, n, nloc;
  Vec              loc, owner;
  PetscReal       *elem, *vol;
  const PetscScalar *a, *w;
  PetscFE          fe;
  PetscInt         Nb;
  const SolverCells *cells;

  PetscFunctionBeginUser;
  p->n = PetscMax(1, s->info.num_particles);
  PetscCall(PetscMalloc5(p->n, &p->alpha, p->n, &p->i0_scale, p->n, &p->volume, p->n, &p->area, p->n, &p->contact_resistance));
  {
    PetscReal R = 0;
    PetscBool set;
    char      where[PETSC_MAX_PATH_LEN];
    PetscCall(InputGetQuantity("-particles_contact_resistance", UNIT_AREA_RESISTANCE, &R, &set));
    PetscCall(InputOptionWhere("-particles_contact_resistance", where, sizeof(where)));
    PetscCheck(R >= 0 && R < PETSC_MAX_REAL, s->comm, PETSC_ERR_USER_INPUT, "%s: a contact resistance must be a finite number >= 0 (ohm.m2), got %g", where, (double)R);
    for (PetscInt k = 0; k < p->n; ++k) p->contact_resistance[k] = R;
  }
  for (PetscInt k = 0; k < p->n; ++k) p->alpha[k] = p->i0_scale[k] = 1;
  PetscCall(Spread(s, "-particles_alpha_spread", "alpha", 1, p->alpha));
  PetscCall(Spread(s, "-particles_i0_spread", "i0", 2, p->i0_scale));
  PetscCall(ReadTable(s, p->alpha, p->i0_scale, p->contact_resistance));
  p->resistive = PETSC_FALSE;
  for (PetscInt k = 0; k < p->n; ++k) p->resistive = p->resistive || p->contact_resistance[k] > 0;
  p->uniform_alpha = PETSC_TRUE;
  for (PetscInt k = 0; k < p->n; ++k) p->uniform_alpha = p->uniform_alpha && p->alpha[k] == 1;

  /* cells */
  PetscCall(DMPlexGetHeightStratum(s->dm, 0, &cStart, &cEnd));
  PetscCall(PetscMalloc1(cEnd - cStart + 1, &p->cell));
  PetscCall(DMGetLabel(s->dm, MESH_PARTICLE_LABEL, &label));
  for (PetscInt c = cStart; c < cEnd; ++c) p->cell[c - cStart] = p->n == 1 ? 0 : -1;
  for (PetscInt k = 1; k <= p->n && label && p->n > 1; ++k) { /* stratum by stratum: DMLabelGetValue is O(N) per point */
    IS              points;
    const PetscInt *pts;
    PetscInt        npts;
    PetscCall(DMLabelGetStratumIS(label, k, &points));
    if (!points) continue;
    PetscCall(ISGetLocalSize(points, &npts));
    PetscCall(ISGetIndices(points, &pts));
    for (PetscInt j = 0; j < npts; ++j)
      if (pts[j] >= cStart && pts[j] < cEnd) p->cell[pts[j] - cStart] = k - 1;
    PetscCall(ISRestoreIndices(points, &pts));
    PetscCall(ISDestroy(&points));
  }
  for (PetscInt c = cStart; c < cEnd; ++c) PetscCheck(p->cell[c - cStart] >= 0, PETSC_COMM_SELF, PETSC_ERR_PLIB, "cell %" PetscInt_FMT " belongs to no particle", c);
  /* dofs: the particle (+1) of a cell set on its closure, then the owned values */
  PetscCall(DMGetField(s->dm, 0, NULL, (PetscObject *)&fe));
  PetscCall(PetscFEGetDimension(fe, &Nb));
  PetscCall(PetscMalloc1(Nb, &elem));
  PetscCall(DMGetLocalVector(s->dm, &loc));
  PetscCall(VecGetLocalSize(loc, &nloc));
  PetscCall(VecZeroEntries(loc));
  PetscCall(SolverCellsGet(s->dm, &cells));
  if (cells && cells->Nb != Nb) cells = NULL;
  if (cells) { /* the table: no closure per cell */
    PetscScalar *l;
    PetscCall(VecGetArray(loc, &l));
    for (PetscInt c = cStart; c < cEnd; ++c)
      for (PetscInt b = 0; b < Nb; ++b) l[cells->idx[(c - cStart) * Nb + b]] = p->cell[c - cStart] + 1;
    PetscCall(VecRestoreArray(loc, &l));
  } else
    for (PetscInt c = cStart; c < cEnd; ++c) {
      for (PetscInt b = 0; b < Nb; ++b) elem[b] = p->cell[c - cStart] + 1;
      PetscCall(DMPlexVecSetClosure(s->dm, NULL, loc, c, elem, INSERT_VALUES));
    }
  PetscCall(VecDuplicate(s->theta, &owner));
  PetscCall(DMLocalToGlobal(s->dm, loc, INSERT_VALUES, owner));
  PetscCall(DMGlobalToLocal(s->dm, owner, INSERT_VALUES, loc)); /* every rank sees the owner's particle */
  PetscCall(PetscMalloc1(nloc + 1, &p->local_dof));
  PetscCall(VecGetArrayRead(loc, &a));
  for (PetscInt i = 0; i < nloc; ++i) p->local_dof[i] = (PetscInt)PetscRealPart(a[i]) - 1;
  PetscCall(VecRestoreArrayRead(loc, &a));
  { /* particles are disjoint pieces: a node two particles share would belong to one of them only */
    PetscInt pair = PETSC_MAX_INT;
    const PetscScalar *l = NULL;
    if (cells) PetscCall(VecGetArrayRead(loc, &l));
    for (PetscInt c = cStart; c < cEnd && p->n > 1; ++c) {
      PetscScalar *x = NULL;
      PetscInt     nx;
      if (cells) nx = Nb;
      else PetscCall(DMPlexVecGetClosure(s->dm, NULL, loc, c, &nx, &x));
      for (PetscInt b = 0; b < nx; ++b) {
        const PetscInt other = (PetscInt)PetscRealPart(cells ? l[cells->idx[(c - cStart) * Nb + b]] : x[b]) - 1, mine = p->cell[c - cStart];
        if (other != mine) pair = PetscMin(pair, PetscMin(mine, other) * p->n + PetscMax(mine, other));
      }
      if (!cells) PetscCall(DMPlexVecRestoreClosure(s->dm, NULL, loc, c, &nx, &x));
    }
    if (cells) PetscCall(VecRestoreArrayRead(loc, &l));
    PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &pair, 1, MPIU_INT, MPI_MIN, s->comm));
    if (pair != PETSC_MAX_INT) {
      PetscCall(DMRestoreLocalVector(s->dm, &loc));
      PetscCall(VecDestroy(&owner));
      PetscCall(PetscFree(elem));
      SETERRQ(s->comm, PETSC_ERR_USER_INPUT, "particles %" PetscInt_FMT " and %" PetscInt_FMT " of the mesh share nodes: the particles of a population must be separate pieces of mesh, with a gap between them (or one particle: merge their groups)", pair / p->n + 1, pair % p->n + 1);
    }
  }
  PetscCall(DMRestoreLocalVector(s->dm, &loc));
  PetscCall(PetscFree(elem));
  PetscCall(VecGetLocalSize(owner, &n));
  PetscCall(PetscMalloc1(n + 1, &p->dof));
  PetscCall(PetscCalloc1(p->n, &vol));
  PetscCall(VecGetArrayRead(owner, &a));
  PetscCall(VecGetArrayRead(s->weights, &w));
  for (PetscInt i = 0; i < n; ++i) {
    p->dof[i] = (PetscInt)PetscRealPart(a[i]) - 1;
    PetscCheck(p->dof[i] >= 0 && p->dof[i] < p->n, PETSC_COMM_SELF, PETSC_ERR_PLIB, "dof %" PetscInt_FMT " belongs to no particle", i);
    vol[p->dof[i]] += PetscRealPart(w[i]);
  }
  PetscCall(VecRestoreArrayRead(s->weights, &w));
  PetscCall(VecRestoreArrayRead(owner, &a));
  PetscCall(VecDestroy(&owner));
  PetscCall(MPIU_Allreduce(vol, p->volume, p->n, MPIU_REAL, MPIU_SUM, s->comm));
  PetscCall(PetscFree(vol));
  p->nown = n;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverParticlesDestroy(Solver s)
{
  SolverParticles *p = &s->particles;

  PetscFunctionBeginUser;
  PetscCall(PetscFree5(p->alpha, p->i0_scale, p->volume, p->area, p->contact_resistance));
  PetscCall(PetscFree(p->cell));
  PetscCall(PetscFree(p->dof));
  PetscCall(PetscFree(p->local_dof));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverGetParticles(Solver s, const SolverParticles **p)
{
  PetscFunctionBeginUser;
  *p = &s->particles;
  PetscFunctionReturn(0);
}

PetscErrorCode SolverSetParticleAlpha(Solver s, const PetscReal alpha[])
{
  SolverParticles *p = &s->particles;
  Vec              loc;
  PetscInt         nlocal;

  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < p->n; ++k) PetscCheck(alpha[k] > 0 && PetscIsNormalReal(alpha[k]), s->comm, PETSC_ERR_ARG_OUTOFRANGE, "the alpha factor of particle %" PetscInt_FMT " must be positive, got %g", k + 1, (double)alpha[k]);
  PetscCheck(s->lean, s->comm, PETSC_ERR_USER_INPUT, "particles with their own alpha need the lean assembly (-solver_assembly lean)");
  p->uniform_alpha = PETSC_TRUE;
  for (PetscInt k = 0; k < p->n; ++k) {
    p->alpha[k]      = alpha[k];
    p->uniform_alpha = p->uniform_alpha && alpha[k] == 1;
  }
  PetscCall(DMGetLocalVector(s->dm, &loc));
  PetscCall(VecGetLocalSize(loc, &nlocal));
  PetscCall(DMRestoreLocalVector(s->dm, &loc));
  PetscCall(LeanAssemblySetParticles(s->lean, p, nlocal));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverParticlesView(Solver s, PetscViewer viewer)
{
  const SolverParticles *p = &s->particles;
  PetscReal              lo[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}, hi[2] = {0, 0}, vlo = PETSC_MAX_REAL, vhi = 0;

  PetscFunctionBeginUser;
  if (p->n == 1 && p->alpha[0] == 1 && p->i0_scale[0] == 1 && !p->resistive) PetscFunctionReturn(0);
  for (PetscInt k = 0; k < p->n; ++k) {
    lo[0] = PetscMin(lo[0], p->alpha[k]);
    hi[0] = PetscMax(hi[0], p->alpha[k]);
    lo[1] = PetscMin(lo[1], p->i0_scale[k]);
    hi[1] = PetscMax(hi[1], p->i0_scale[k]);
    vlo   = PetscMin(vlo, p->volume[k]);
    vhi   = PetscMax(vhi, p->volume[k]);
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "particles: %" PetscInt_FMT " on one current collector, %s %.4g to %.4g %s; alpha factor %.4g to %.4g, i0 factor %.4g to %.4g", p->n, s->info.dim == 2 ? "areas" : "volumes", (double)vlo, (double)vhi, s->info.dim == 2 ? "um^2" : "um^3", (double)lo[0], (double)hi[0], (double)lo[1], (double)hi[1]));
  if (p->resistive) {
    PetscReal rlo = PETSC_MAX_REAL, rhi = 0;
    for (PetscInt k = 0; k < p->n; ++k) {
      rlo = PetscMin(rlo, p->contact_resistance[k]);
      rhi = PetscMax(rhi, p->contact_resistance[k]);
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "; contact resistance %.4g to %.4g ohm.m2", (double)rlo, (double)rhi));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscFunctionReturn(0);
}
