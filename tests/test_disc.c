#define _XOPEN_SOURCE 700 /* j0, j1 */
/* A disc of radius a with constant D and a constant outward flux q = N/c_max, against the
   analytic series (Crank, The Mathematics of Diffusion, §5.3.?, cylinder with constant surface
   flux; derived here for an outward flux):
     θ(r,t) = θ0 − 2qt/a − (q/(D a)) (r²/2 − a²/4)
              + (2q/(D a)) Σ_n exp(−D β_n² t) J0(β_n r) / (β_n² J0(β_n a)),   J1(β_n a) = 0.
   (the particular part has the right rate, flux and zero mean; the series carries the
   homogeneous Neumann remainder of the uniform start). θ at the centre (probe at the
   centroid) and the surface mean must match within 1e-4 at t = 0.05 … 1 s, with P1 (lumped)
   and P2. Uses the whole run path: shape meshing, C-rate to flux, observer, protocol.

   With -shape sphere: a sphere of radius a = 1 µm, the same D and flux, against its series
   (Crank, §6.3, sphere with constant surface flux; written here for an outward flux):
     θ(r,t) = θ0 − 3qt/a − (q/(2Da)) (r² − 3a²/5)
              + Σ_n c_n exp(−D λ_n² t) sin(λ_n r)/(λ_n r),   tan(λ_n a) = λ_n a,
     c_n = 2q / (D λ_n sin(λ_n a))   (a = 1; the projection of the uniform start's remainder).
   This checks the 3-D P1 scheme (the Kirchhoff flux along edges with the Voronoi dual's
   conductances and the lumped mass, solver/assemble.c), which is not P1's Galerkin stiffness: on
   meshes of 0.2 and 0.1 µm, θ at the centre must match the series within 6e-5 and 3e-5 and the
   surface mean within 1.5e-4 and 3e-5, the surface's error falling at least 2.5-fold (measured:
   centre 3.3e-5 and 2.1e-5, surface 1.0e-4 and 1.7e-5; 9.3e-6 at the centre with 0.07 µm cells). */
#include "testing.h"
#include "mesh/mesh.h"
#include "physics/physics.h"
#include "solver/solver.h"
#include "postproc/run/run.h"
#include <math.h>
#include <string.h>

#define A_RADIUS 1.0  /* µm */
#define D_CONST 1.0   /* µm²/s */
#define THETA0 0.9
#define C_RATE 72.0   /* mean θ falls by 0.02 per second: q = C a / 7200 = 0.01 µm/s */

/* zeros of J1 by Newton from McMahon's estimate; J1' = J0 − J1/x */
static double J1Zero(int n)
{
  const double beta = (n + 0.25) * PETSC_PI;
  double       x    = beta - 3.0 / (8 * beta);
  for (int it = 0; it < 50; ++it) x -= j1(x) / (j0(x) - j1(x) / x);
  return x;
}

static double ExactDisc(double r, double t)
{
  const double a = A_RADIUS, D = D_CONST, q = C_RATE * a / 7200.0;
  double       s = 0;
  for (int n = 1; n <= 200; ++n) {
    const double b = J1Zero(n) / a, e = exp(-D * b * b * t);
    if (e < 1e-18) break;
    s += e * j0(b * r) / (b * b * j0(b * a));
  }
  return THETA0 - 2 * q * t / a - q / (D * a) * (r * r / 2 - a * a / 4) + 2 * q / (D * a) * s;
}

/* the n-th root of tan λ = λ, in (nπ, nπ + π/2), by bisection on sin λ − λ cos λ */
static double Root(int n)
{
  double lo = n * PETSC_PI + 1e-9, hi = n * PETSC_PI + 0.5 * PETSC_PI - 1e-9;
  for (int it = 0; it < 100; ++it) {
    const double m = 0.5 * (lo + hi), f = sin(m) - m * cos(m), flo = sin(lo) - lo * cos(lo);
    if ((f < 0) == (flo < 0)) lo = m;
    else hi = m;
  }
  return 0.5 * (lo + hi);
}

static double ExactSphere(double r, double t)
{
  const double q = C_RATE * A_RADIUS / 10800.0, D = D_CONST;
  double       s = 0;
  for (int n = 1; n <= 400; ++n) {
    const double l = Root(n), e = exp(-D * l * l * t);
    if (e < 1e-18) break;
    s += 2 * q / (D * l * sin(l)) * e * (r > 0 ? sin(l * r) / (l * r) : 1.0);
  }
  return THETA0 - 3 * q * t - q / (2 * D) * (r * r - 0.6) + s;
}
static PetscBool sphere; /* -shape sphere */

static double Exact(double r, double t)
{
  return sphere ? ExactSphere(r, t) : ExactDisc(r, t);
}

typedef struct {
  Observer  obs;
  PetscReal times[6];
  PetscInt  next;
  PetscReal worst_centre, worst_surface;
} Ctx;

static PetscErrorCode Compare(Solver s, SolverEvent e, const SolverState *st, Vec theta, void *ctx)
{
  Ctx        *c = (Ctx *)ctx;
  Observables v;
  TS          ts;
  Vec         u;

  PetscFunctionBeginUser;
  if (e != SOLVER_EVENT_TIMESTEP) PetscFunctionReturn(0);
  PetscCall(SolverGetTS(s, &ts));
  PetscCall(VecDuplicate(theta, &u));
  while (c->next < 6 && c->times[c->next] <= st->t * (1 + 1e-12)) {
    const PetscReal t = c->times[c->next++];
    PetscCall(TSInterpolate(ts, t, u));
    PetscCall(ObserverCompute(c->obs, u, &v));
    c->worst_centre  = PetscMax(c->worst_centre, PetscAbsReal(v.centroid - Exact(0, t)));
    c->worst_surface = PetscMax(c->worst_surface, PetscAbsReal(v.surface - Exact(A_RADIUS, t)));
    if (!sphere) CHECK(PetscAbsReal(v.centroid - Exact(0, t)) <= 1e-4, "t = %g s: centre theta %.8f, analytic %.8f", (double)t, (double)v.centroid, Exact(0, t));
    if (!sphere) CHECK(PetscAbsReal(v.surface - Exact(A_RADIUS, t)) <= 1e-4, "t = %g s: surface theta %.8f, analytic %.8f", (double)t, (double)v.surface, Exact(A_RADIUS, t));
  }
  PetscCall(VecDestroy(&u));
  PetscFunctionReturn(0);
}

/* one run: the disc with P`degree` elements, or the sphere (P1) with cells of h µm; worst[2]: the
   largest differences from the series at the centre and at the surface */
static PetscErrorCode Run(PetscInt degree, PetscReal h, PetscReal worst[2])
{
  DM          dm;
  Physics     phys;
  Solver      solver;
  Protocol    protocol;
  Ctx         c = {NULL, {0.05, 0.1, 0.2, 0.4, 0.7, 1.0}, 0, 0, 0};
  char        buf[64];
  const char *tmp = getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp";

  PetscFunctionBeginUser;
  if (sphere) {
    PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type sphere -mesh_shape_radius 1"));
    PetscCall(PetscSNPrintf(buf, sizeof(buf), "%g", (double)h));
    PetscCall(PetscOptionsSetValue(NULL, "-mesh_cell_size", buf));
    PetscCall(PetscOptionsSetValue(NULL, "-mesh_boundary_cell_size", buf));
  } else PetscCall(PetscOptionsInsertString(NULL, "-mesh_shape_type disc -mesh_shape_radius 1 -mesh_cell_size 0.1 -mesh_boundary_cell_size 0.03 -mesh_boundary_layer 0.3"));
  PetscCall(PetscOptionsInsertString(NULL, "-phys_diffusivity_law constant -phys_diffusivity_value 1 -solver_rtol 1e-6 -solver_atol 1e-8 -solver_dt_initial 1e-5"));
  PetscCall(PetscOptionsInsertString(NULL, "-proto_nsteps 1 -proto_0_type cc -proto_0_direction charge -proto_0_c_rate 72 -proto_0_duration 1"));
  PetscCall(PetscSNPrintf(buf, sizeof(buf), "%" PetscInt_FMT, degree));
  PetscCall(PetscOptionsSetValue(NULL, "-solver_degree", buf));
  PetscCall(MeshCreateFromOptions(PETSC_COMM_WORLD, tmp, &dm));
  PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
  PetscCall(PhysicsSetFromOptions(phys));
  PetscCall(SolverCreate(dm, phys, &solver));
  PetscCall(DMDestroy(&dm));
  PetscCall(SolverSetInitialUniform(solver, THETA0));
  PetscCall(ObserverCreate(solver, &c.obs));
  PetscCall(ProtocolCreateFromOptions(solver, &protocol));
  PetscCall(SolverAddMonitor(solver, Compare, &c));
  PetscCall(SolverRunProtocol(solver, protocol));
  CHECK(c.next == 6, "only %" PetscInt_FMT " of 6 comparison times reached", c.next);
  if (sphere) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "sphere, cells of %g um: largest difference from the series: centre %.2e, surface %.2e\n", (double)h, (double)c.worst_centre, (double)c.worst_surface));
  else PetscCall(PetscPrintf(PETSC_COMM_WORLD, "disc, P%" PetscInt_FMT ": largest difference from the series: centre %.2e, surface %.2e\n", degree, (double)c.worst_centre, (double)c.worst_surface));
  worst[0] = c.worst_centre;
  worst[1] = c.worst_surface;
  PetscCall(ObserverDestroy(&c.obs));
  PetscCall(ProtocolDestroy(&protocol));
  PetscCall(SolverDestroy(&solver));
  PetscCall(PhysicsDestroy(&phys));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  char      shape[16] = "disc";
  PetscReal coarse[2], fine[2];

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-shape", shape, sizeof(shape), NULL));
  sphere = !strcmp(shape, "sphere") ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(PetscOptionsClearValue(NULL, "-shape"));
  if (!sphere) {
    /* the series itself: at large t the profile is the parabola, and the mean is exact */
    CHECK(PetscAbsReal(Exact(0, 50) - (THETA0 - 1.0 + 0.01 * 0.25)) < 1e-12, "series at large t");
    PetscCall(Run(1, 0, coarse));
    PetscCall(Run(2, 0, fine));
  } else {
    CHECK(PetscAbsReal(Exact(0, 50) - (THETA0 - 3 * 0.02 / 3 * 50 + 0.02 / 3 * 0.3)) < 1e-12, "series at large t: %.15g", Exact(0, 50));
    CHECK(PetscAbsReal(Exact(1, 0) - THETA0) < 2e-4 && PetscAbsReal(Exact(0.5, 0) - THETA0) < 1e-6, "series at t = 0: %.8f %.8f", Exact(1, 0), Exact(0.5, 0));
    PetscCall(Run(1, 0.2, coarse));
    PetscCall(Run(1, 0.1, fine));
    CHECK(coarse[0] <= 6e-5 && coarse[1] <= 1.5e-4, "cells of 0.2 um: centre error %.2e, surface %.2e, expected at most 6e-5 and 1.5e-4", (double)coarse[0], (double)coarse[1]);
    CHECK(fine[0] <= 3e-5 && fine[1] <= 3e-5, "cells of 0.1 um: centre error %.2e, surface %.2e, expected at most 3e-5 and 3e-5", (double)fine[0], (double)fine[1]);
    CHECK(coarse[1] >= 2.5 * fine[1], "the surface's error fell only %.2f-fold from 0.2 to 0.1 um cells (second order: 4)", (double)(coarse[1] / fine[1]));
  }
  PetscCall(PetscFinalize());
  return test_failures;
}
