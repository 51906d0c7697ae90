/* Protocol engine and conservation, on an ellipse (2-D) and a sphere (3-D) with the steep
   smooth Ni-rich law:
   - at every accepted time step the mean θ equals θ0 − Σ r_k Δt_k to 1e-10 relative, with
     r_k computed here independently from each step's C-rate or current density;
   - steps with a duration end exactly on time; steps with a mean-θ cut-off end where the
     mean crosses it, to the event tolerance (1e-9);
   - a step whose cut-off already holds ends at once; a current density and the C-rate it is
     equivalent to give the same flux;
   - a lithiation too fast for the slow diffusion near θ = 1 stops when the surface saturates. */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"
#include <math.h>

typedef struct {
  PetscReal vol_over_surf, c_max;
  PetscReal rates[8];   /* expected d(mean θ)/dt of each step (negative = falling) */
  PetscReal ends[8];    /* end times */
  PetscReal end_mean[8];
  StepEnd   why[8];
  PetscReal expected0, t0; /* expected mean at the start of the current step, and its start */
  PetscInt  step;
  PetscReal worst;
  PetscInt  nsteps_seen;
} Ctx;

static PetscErrorCode Watch(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Ctx      *c = (Ctx *)ctx;
  PetscReal expected;

  PetscFunctionBeginUser;
  if (e == SOLVER_EVENT_INITIAL) {
    c->expected0 = st->mean_theta;
    c->t0        = st->t;
    c->step      = 0;
    PetscFunctionReturn(0);
  }
  expected = c->expected0 + c->rates[st->step->index] * (st->t - c->t0);
  if (c->worst <= 1e-10) { /* report the first violation only */
    CHECK(PetscAbsReal(st->mean_theta - expected) <= 1e-10 * expected, "step %" PetscInt_FMT " t = %g: mean theta %.14f, conservation says %.14f", st->step->index + 1, (double)st->t, (double)st->mean_theta, (double)expected);
    CHECK(PetscAbsReal(st->inventory_error) <= 1e-10, "step %" PetscInt_FMT " t = %g: reported inventory error %g", st->step->index + 1, (double)st->t, (double)st->inventory_error);
  }
  c->worst = PetscMax(c->worst, PetscAbsReal(st->mean_theta - expected) / expected);
  if (e == SOLVER_EVENT_STEP_END) {
    const PetscInt k = st->step->index;
    c->ends[k]     = st->t;
    c->end_mean[k] = st->mean_theta;
    c->why[k]      = st->ended;
    c->expected0   = expected;
    c->t0          = st->t;
    c->nsteps_seen++;
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode Run(PetscInt dim)
{
  DM              dm;
  Physics         phys;
  Solver          solver;
  Protocol        protocol;
  const MeshInfo *info;
  const StepSpec *steps;
  PetscInt        n;
  Ctx             c;
  const char     *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";
  const PetscReal i_density = 0.6; /* A/m² for step 4 */

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&c, sizeof(c)));
  if (dim == 2) PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type ellipse -mesh_shape_semi_axes 1.0,0.6 -mesh_cell_size 0.1 -mesh_boundary_cell_size 0.04"));
  else PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type sphere -mesh_shape_radius 0.8 -mesh_cell_size 0.25 -mesh_boundary_cell_size 0.15"));
  PetscCall(PetscOptionsInsertString(NULL, "-phys_diffusivity_law ni_rich_smooth -phys_alpha 2.7 -phys_c_max 49000 -phys_capacity_factor 0.9"));
  PetscCall(PetscOptionsInsertString(NULL, "-proto_nsteps 7"
                                           " -proto_0_type cc -proto_0_direction charge -proto_0_c_rate 0.5C -proto_0_duration 10min"
                                           " -proto_1_type rest -proto_1_duration 5min"
                                           " -proto_2_type cc -proto_2_direction discharge -proto_2_c_rate 0.25 -proto_2_theta_above 0.85"
                                           " -proto_3_type cc -proto_3_direction charge -proto_3_c_rate 2 -proto_3_theta_below 0.95 -proto_3_duration 1h"
                                           " -proto_4_type cc -proto_4_direction charge -proto_4_current_density 0.6A/m2 -proto_4_theta_below 0.8"
                                           " -proto_5_type rest -proto_5_duration 120"
                                           " -proto_6_type cc -proto_6_direction discharge -proto_6_c_rate 5 -proto_6_theta_above 0.99"));
  PetscCall(MeshCreateFromOptions(PETSC_COMM_WORLD, tmp, &dm));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverSetInitialUniform(solver, 0.9));
  PetscCall(ProtocolCreateFromOptions(solver, &protocol));
  PetscCall(SolverGetMeshInfo(solver, &info));
  c.vol_over_surf = info->volume / info->surface;
  /* expected rates, independently: C-rate C moves the mean by C f_cap per hour */
  c.rates[0] = -0.5 * 0.9 / 3600;
  c.rates[1] = 0;
  c.rates[2] = +0.25 * 0.9 / 3600;
  c.rates[3] = -2.0 * 0.9 / 3600;
  c.rates[4] = -(i_density / FARADAY) / 49000.0 * 1e6 / c.vol_over_surf; /* N/c_max (µm/s) · |∂Ω|/|Ω| */
  c.rates[5] = 0;
  c.rates[6] = +5.0 * 0.9 / 3600;
  PetscCall(ProtocolGetSteps(protocol, &n, &steps));
  for (PetscInt k = 0; k < n; ++k) CHECK_CLOSE(-steps[k].theta_rate, c.rates[k], 1e-13, "step rate from the protocol");
  CHECK_CLOSE(steps[4].current_density, i_density, 1e-13, "current density round trip");
  CHECK_CLOSE(steps[0].c_rate, 0.5, 1e-13, "C-rate round trip");
  PetscCall(SolverAddMonitor(solver, Watch, &c));
  PetscCall(SolverRunProtocol(solver, protocol));

  CHECK(c.nsteps_seen == 7, "%" PetscInt_FMT " of 7 steps ended", c.nsteps_seen);
  CHECK(c.why[0] == END_DURATION && PetscAbsReal(c.ends[0] - 600) <= 1e-9, "step 1 ended at %.12g s (%s), expected 600 s by duration", (double)c.ends[0], StepEnds[c.why[0]]);
  CHECK(c.why[1] == END_DURATION && PetscAbsReal(c.ends[1] - 900) <= 1e-9, "step 2 ended at %.12g s, expected 900 s", (double)c.ends[1]);
  { /* the discharge runs until the mean reaches 0.85: located in time to 1e-9 in theta */
    const PetscReal mean_900 = 0.9 - 0.5 * 0.9 / 6, t_exact = 900 + (0.85 - mean_900) / c.rates[2];
    CHECK(c.why[2] == END_THETA, "step 3 ended by %s, expected its theta cut-off", StepEnds[c.why[2]]);
    CHECK(PetscAbsReal(c.end_mean[2] - 0.85) <= 1e-9, "step 3 ended at mean theta %.12f, cut-off 0.85", (double)c.end_mean[2]);
    CHECK(PetscAbsReal(c.ends[2] - t_exact) <= 1e-9 / c.rates[2] * 1.01, "step 3 ended at %.9f s, exactly %.9f s", (double)c.ends[2], (double)t_exact);
  }
  CHECK(c.why[3] == END_THETA && c.ends[3] == c.ends[2], "step 4 (cut-off 0.95 above the start) must end at once: %s at %g s", StepEnds[c.why[3]], (double)c.ends[3]);
  CHECK(c.why[4] == END_THETA && PetscAbsReal(c.end_mean[4] - 0.8) <= 1e-9, "step 5 ended at mean %.12f by %s, expected 0.8 by its cut-off", (double)c.end_mean[4], StepEnds[c.why[4]]);
  CHECK(PetscAbsReal(c.ends[5] - c.ends[4] - 120) <= 1e-9, "the rest lasted %.12g s, expected 120 s", (double)(c.ends[5] - c.ends[4]));
  { /* 5C lithiation saturates the surface long before the mean reaches 0.99 */
    Vec       theta;
    PetscReal hi;
    PetscCall(SolverGetSolution(solver, &theta));
    PetscCall(VecMax(theta, NULL, &hi));
    CHECK(c.why[6] == END_THETA_LIMIT, "step 7 ended by %s, expected theta_limit (surface saturated)", StepEnds[c.why[6]]);
    CHECK(PetscAbsReal(hi - 1) <= 1e-8 && c.end_mean[6] < 0.99, "step 7 ended with max theta %.12f, mean %.6f", (double)hi, (double)c.end_mean[6]);
  }
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%" PetscInt_FMT "-D: largest relative conservation error %.2e; step ends at %g, %g, %.6f, %.6f, %.6f, %.6f, %.6f s\n", dim, (double)c.worst, (double)c.ends[0], (double)c.ends[1], (double)c.ends[2], (double)c.ends[3], (double)c.ends[4], (double)c.ends[5], (double)c.ends[6]));
  PetscCall(ProtocolDestroy(&protocol));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscInt dim = 2;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-dim", &dim, NULL));
  PetscCall(Run(dim));
  PetscCall(PetscFinalize());
  return test_failures;
}
