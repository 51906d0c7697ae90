/* The Physics object: material parameters from -phys_ options, and the constants[] array
   the kernels read.

   Options: -phys_c_max (mol/m³, default 51765: NMC811 of LG M50, Chen 2020), -phys_alpha (1),
   -phys_capacity_factor (practical/theoretical capacity, 1), -phys_temperature (298.15 K),
   -phys_out_of_plane_factor ε (1; 3-D only), -phys_diffusivity_law and its parameters
   (physics/diffusivity.c), the kinetics (physics/kinetics.c). */
#include "physics/physimpl.h"
#include "input/input.h"

PetscErrorCode PhysicsCreate(MPI_Comm comm, Physics *phys)
{
  Physics p;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&p));
  p->comm            = comm;
  p->c_max           = 51765.0;
  p->alpha           = 1.0;
  p->capacity_factor = 1.0;
  p->temperature     = 298.15;
  p->eps             = 1.0;
  p->beta            = 0.5;
  p->D.range[0]      = -PETSC_MAX_REAL;
  p->D.range[1]      = PETSC_MAX_REAL;
  *phys              = p;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsDestroy(Physics *phys)
{
  PetscFunctionBeginUser;
  if (!*phys) PetscFunctionReturn(0);
  PetscCall(PetscFree((*phys)->constants));
  PetscCall(PetscFree((*phys)->D.block));
  PetscCall(PetscFree((*phys)->U.block));
  PetscCall(PetscFree((*phys)->i0.block));
  PetscCall(PetscFree(*phys));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckPositive(Physics phys, const char name[], PetscReal v, const char what[])
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputOptionWhere(name, where, sizeof(where)));
  PetscCheck(v > 0, phys->comm, PETSC_ERR_USER_INPUT, "%s: %s must be positive, got %g", where, what, (double)v);
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsSetFromOptions(Physics phys)
{
  char where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(InputGetQuantity("-phys_c_max", UNIT_CONCENTRATION, &phys->c_max, NULL));
  PetscCall(CheckPositive(phys, "-phys_c_max", phys->c_max, "c_max"));
  PetscCall(InputGetQuantity("-phys_alpha", UNIT_NONE, &phys->alpha, NULL));
  PetscCall(CheckPositive(phys, "-phys_alpha", phys->alpha, "alpha (the diffusivity scale factor)"));
  PetscCall(InputGetQuantity("-phys_capacity_factor", UNIT_NONE, &phys->capacity_factor, NULL));
  PetscCall(InputOptionWhere("-phys_capacity_factor", where, sizeof(where)));
  PetscCheck(phys->capacity_factor > 0 && phys->capacity_factor <= 1, phys->comm, PETSC_ERR_USER_INPUT, "%s: capacity_factor must be in (0, 1], got %g", where, (double)phys->capacity_factor);
  PetscCall(InputGetQuantity("-phys_temperature", UNIT_TEMPERATURE, &phys->temperature, NULL));
  PetscCall(CheckPositive(phys, "-phys_temperature", phys->temperature, "the temperature (K)"));
  PetscCall(InputGetQuantity("-phys_out_of_plane_factor", UNIT_NONE, &phys->eps, NULL));
  PetscCall(CheckPositive(phys, "-phys_out_of_plane_factor", phys->eps, "out_of_plane_factor"));

  PetscCall(PhysicsDiffusivitySetUp(phys));
  PetscCall(PhysicsKineticsSetUp(phys));
  /* a parameter the chosen law does not have would be ignored: refuse it */
  PetscCall(InputCheckUnreadParameters(phys->comm, "-phys_diffusivity_", "-phys_diffusivity_law", "diffusivity law"));
  PetscCall(InputCheckUnreadParameters(phys->comm, "-phys_ocp_", "-phys_ocp_law", "open-circuit potential law"));
  PetscCall(InputCheckUnreadParameters(phys->comm, "-phys_exchange_current_", "-phys_exchange_current_law", "exchange-current law"));
  PetscCall(PetscFree(phys->constants)); /* fixed slots, then the D, U and i0 blocks */
  phys->nconstants = PHYS_LAW + phys->D.n + phys->U.n + phys->i0.n;
  PetscCall(PetscCalloc1(phys->nconstants, &phys->constants));
  PetscCall(PetscArraycpy(&phys->constants[PHYS_LAW], phys->D.block, phys->D.n));
  if (phys->U.n) PetscCall(PetscArraycpy(&phys->constants[PHYS_LAW + phys->D.n], phys->U.block, phys->U.n));
  if (phys->i0.n) PetscCall(PetscArraycpy(&phys->constants[PHYS_LAW + phys->D.n + phys->U.n], phys->i0.block, phys->i0.n));
  phys->constants[PHYS_ALPHA]   = phys->alpha;
  phys->constants[PHYS_FLUX]    = 0;
  phys->constants[PHYS_EPS]     = phys->eps;
  phys->constants[PHYS_MMS]     = 0;
  phys->constants[PHYS_BETA]    = phys->beta;
  phys->constants[PHYS_F_RT]    = PHYS_F / (PHYS_R * phys->temperature);
  phys->constants[PHYS_Q_SCALE] = 1e6 / (PHYS_F * phys->c_max);
  phys->constants[PHYS_OCP]     = phys->U.n ? PHYS_LAW + phys->D.n : -1;
  phys->constants[PHYS_I0]      = phys->i0.n ? PHYS_LAW + phys->D.n + phys->U.n : -1;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsGetConstants(Physics phys, PetscInt *n, const PetscScalar **constants)
{
  PetscFunctionBeginUser;
  *n         = phys->nconstants;
  *constants = phys->constants;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsSetFlux(Physics phys, PetscReal flux)
{
  PetscFunctionBeginUser;
  phys->constants[PHYS_FLUX] = flux;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsDiffusivity(Physics phys, PetscReal theta, PetscReal *D_app, PetscReal *dD_app)
{
  PetscReal D, dD;

  PetscFunctionBeginUser;
  PhysLaw(theta, &phys->constants[PHYS_LAW], &D, &dD);
  *D_app = phys->alpha * D;
  if (dD_app) *dD_app = phys->alpha * dD;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsGetCMax(Physics phys, PetscReal *c_max)
{
  PetscFunctionBeginUser;
  *c_max = phys->c_max;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsGetCapacityFactor(Physics phys, PetscReal *f_cap)
{
  PetscFunctionBeginUser;
  *f_cap = phys->capacity_factor;
  PetscFunctionReturn(0);
}

/* One warning per run when θ leaves the table (D is clamped there) */
PetscErrorCode PhysicsCheckTableRange(Physics phys, PetscReal theta_min, PetscReal theta_max)
{
  PetscFunctionBeginUser;
  PhysLawSpec *laws[3] = {&phys->D, &phys->U, &phys->i0};
  const char  *what[3] = {"diffusivity", "open-circuit potential", "exchange current"};

  for (int l = 0; l < 3; ++l) {
    PhysLawSpec *s = laws[l];
    if (s->warned || !s->source[0]) continue;
    if (theta_min < s->range[0] - 1e-12 || theta_max > s->range[1] + 1e-12) {
      s->warned = PETSC_TRUE;
      PetscCall(PetscPrintf(phys->comm, "warning: theta reached [%.4f, %.4f], outside the %s table %s (theta %.4f to %.4f); the end values hold there\n", (double)theta_min, (double)theta_max, what[l], s->source, (double)s->range[0], (double)s->range[1]));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsView(Physics phys, PetscViewer viewer)
{
  PetscReal D1, D08, D05;

  PetscFunctionBeginUser;
  PetscCall(PhysicsDiffusivity(phys, 1.0, &D1, NULL));
  PetscCall(PhysicsDiffusivity(phys, 0.8, &D08, NULL));
  PetscCall(PhysicsDiffusivity(phys, 0.5, &D05, NULL));
  PetscCall(PetscViewerASCIIPrintf(viewer, "material: D law %s%s%s, alpha %g, c_max %g mol/m^3, capacity factor %g, T %g K\n", phys->D.name, phys->D.source[0] ? " " : "", phys->D.source, (double)phys->alpha, (double)phys->c_max, (double)phys->capacity_factor, (double)phys->temperature));
  PetscCall(PetscViewerASCIIPrintf(viewer, "          D_app(theta) = %.3g, %.3g, %.3g cm^2/s at theta = 1, 0.8, 0.5\n", (double)(D1 * 1e-8), (double)(D08 * 1e-8), (double)(D05 * 1e-8)));
  if (phys->U.n || phys->i0.n) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "          kinetics %s", KineticsTypes[phys->kinetics]));
    if (phys->U.n) PetscCall(PetscViewerASCIIPrintf(viewer, ", U law %s%s%s", phys->U.name, phys->U.source[0] ? " " : "", phys->U.source));
    if (phys->i0.n) PetscCall(PetscViewerASCIIPrintf(viewer, ", i0 law %s%s%s", phys->i0.name, phys->i0.source[0] ? " " : "", phys->i0.source));
    PetscCall(PetscViewerASCIIPrintf(viewer, ", beta %g", (double)phys->beta));
    if (phys->series_resistance > 0) PetscCall(PetscViewerASCIIPrintf(viewer, ", series resistance %g %s", (double)phys->series_resistance, phys->series_area_specific ? "ohm m^2" : "ohm"));
    PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  }
  PetscFunctionReturn(0);
}
