/* Diffusivity laws: the smooth Ni-rich law against its published table, exact derivatives,
   PCHIP interpolation of tables (nodes, monotonicity, clamping), and bad tables. */
#include "testing.h"
#include "physics/physics.h"

static PetscErrorCode SetLaw(const char *const kv[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsClearValue(NULL, "-phys_diffusivity_law"));
  PetscCall(PetscOptionsClearValue(NULL, "-phys_diffusivity_file"));
  PetscCall(PetscOptionsClearValue(NULL, "-phys_diffusivity_unit"));
  for (int i = 0; kv[i]; i += 2) PetscCall(PetscOptionsSetValue(NULL, kv[i], kv[i + 1]));
  PetscFunctionReturn(0);
}

/* dD/dθ against a central difference at many θ */
static PetscErrorCode CheckDerivative(Physics phys, const char name[])
{
  PetscFunctionBeginUser;
  for (PetscReal th = 0.31; th < 1.05; th += 0.0173) {
    const PetscReal h = 1e-6;
    PetscReal       D, dD, Dp, Dm, fd;
    PetscCall(PhysicsDiffusivity(phys, th, &D, &dD));
    PetscCall(PhysicsDiffusivity(phys, th + h, &Dp, NULL));
    PetscCall(PhysicsDiffusivity(phys, th - h, &Dm, NULL));
    fd = (Dp - Dm) / (2 * h);
    CHECK(D > 0, "%s: D(%g) = %g is not positive", name, (double)th, (double)D);
    CHECK(PetscAbsReal(dD - fd) <= 1e-5 * PetscMax(PetscAbsReal(fd), 1e-3 * D), "%s: dD/dtheta at %g: %g vs finite difference %g", name, (double)th, (double)dD, (double)fd);
  }
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Physics    phys;
  InputTable t;
  PetscReal  D, dD;
  char       path[PETSC_MAX_PATH_LEN];
  FILE      *fp;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());

  /* the smooth Ni-rich law reproduces its published table (7 significant digits) */
  {
    const char *kv[] = {"-phys_diffusivity_law", "ni_rich_smooth", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    PetscCall(InputTableRead(PETSC_COMM_WORLD, "data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv", &t));
    CHECK(t.nrows == 51, "expected 51 rows in the smooth-law table, got %" PetscInt_FMT, t.nrows);
    for (PetscInt r = 0; r < t.nrows; ++r) {
      PetscCall(PhysicsDiffusivity(phys, t.values[2 * r], &D, NULL)); /* alpha = 1: D_GITT */
      CHECK_CLOSE(D * 1e-8, t.values[2 * r + 1], 2e-6, "ni_rich_smooth vs its table");
    }
    PetscCall(PhysicsDiffusivity(phys, 1.0, &D, NULL));
    CHECK_CLOSE(D * 2.7 * 1e-8, 1.0e-14 * PetscPowReal(10, 2.3 / (1 + PetscExpReal(0.12 / 0.025))), 1e-12, "D_app(1) at alpha 2.7");
    PetscCall(CheckDerivative(phys, "ni_rich_smooth"));
    PetscCall(PhysicsDestroy(&phys));
  }
  /* the same table through PCHIP: nodes exact, derivative exact, clamped outside */
  {
    const char *kv[] = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    for (PetscInt r = 0; r < t.nrows; ++r) {
      PetscCall(PhysicsDiffusivity(phys, t.values[2 * r], &D, NULL));
      CHECK_CLOSE(D * 1e-8, t.values[2 * r + 1], 1e-12, "table node");
    }
    PetscCall(CheckDerivative(phys, "table"));
    { /* data monotone decreasing in theta: the interpolant too */
      PetscReal prev = PETSC_MAX_REAL;
      for (PetscReal th = 0.5; th <= 1.0; th += 1e-3) {
        PetscCall(PhysicsDiffusivity(phys, th, &D, NULL));
        CHECK(D <= prev * (1 + 1e-12), "PCHIP not monotone at %g", (double)th);
        prev = D;
      }
    }
    PetscCall(PhysicsDiffusivity(phys, 0.2, &D, &dD));
    CHECK_CLOSE(D * 1e-8, t.values[1], 1e-12, "clamped below the table");
    CHECK(dD == 0, "derivative outside the table is %g", (double)dD);
    PetscCall(PhysicsDestroy(&phys));
  }
  PetscCall(InputTableDestroy(&t));
  /* a measured, non-monotone table (Ecker 2015 GITT, m2/s from its header) */
  {
    const char *kv[] = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", "data/diffusivity/nco_diffusivity_Ecker2015_GITT.csv", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    PetscCall(PhysicsDiffusivity(phys, 0.2, &D, NULL));
    CHECK_CLOSE(D, 3.329858559514642e-13 * 1e12, 1e-12, "Ecker node at 0.2 (m2/s to um2/s)");
    PetscCall(CheckDerivative(phys, "Ecker table"));
    PetscCall(PhysicsDestroy(&phys));
  }
  /* other laws */
  {
    const char *kv[] = {"-phys_diffusivity_law", "exponential", "-phys_diffusivity_D_ref", "1e-12cm2/s", "-phys_diffusivity_rate", "-8", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    PetscCall(PhysicsSetFromOptions(phys));
    PetscCall(PhysicsDiffusivity(phys, 0.5, &D, &dD));
    CHECK_CLOSE(D, 1e-4 * PetscExpReal(4.0), 1e-13, "exponential law");
    CHECK_CLOSE(dD, -8e-4 * PetscExpReal(4.0), 1e-13, "exponential law derivative");
    PetscCall(CheckDerivative(phys, "exponential"));
    PetscCall(PhysicsDestroy(&phys));
  }
  /* bad tables and laws, with their messages */
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/bad_theta.csv", getenv("TMPROOT") ? getenv("TMPROOT") : "/tmp"));
  fp = fopen(path, "w");
  fprintf(fp, "# a table whose theta column turns back\ntheta,D_cm2_per_s\n0.5,1e-12\n0.6,1e-12\n0.55,1e-13\n0.7,1e-14\n");
  fclose(fp);
  {
    const char *kv[] = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", path, NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    CHECK_USER_ERROR(PhysicsSetFromOptions(phys), "bad_theta.csv:5: column 'theta' must be strictly monotone, but 0.55 follows 0.6 (line 4)");
    PetscCall(PhysicsDestroy(&phys));
  }
  fp = fopen(path, "w");
  fprintf(fp, "theta,D_cm2_per_s\n0.5,1e-12\n0.6,0\n0.7,1e-14\n");
  fclose(fp);
  {
    const char *kv[] = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", path, NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    CHECK_USER_ERROR(PhysicsSetFromOptions(phys), "bad_theta.csv:3: diffusivity must be positive, got 0.");
    PetscCall(PhysicsDestroy(&phys));
  }
  fp = fopen(path, "w");
  fprintf(fp, "theta,D\n0.5,1e-12\n0.6,1e-13\n");
  fclose(fp);
  {
    const char *kv[] = {"-phys_diffusivity_law", "table", "-phys_diffusivity_file", path, NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    CHECK_USER_ERROR(PhysicsSetFromOptions(phys), "the unit of column 'D' of");
    PetscCall(PhysicsDestroy(&phys));
  }
  {
    const char *kv[] = {"-phys_diffusivity_law", "constant", "-phys_diffusivity_value", "-1e-14cm2/s", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    CHECK_USER_ERROR(PhysicsSetFromOptions(phys), "a diffusivity value D must be positive, got -1e-06");
    PetscCall(PhysicsDestroy(&phys));
  }
  {
    const char *kv[] = {"-phys_diffusivity_law", "ni_rich_smooth", "-phys_alpha", "-2", NULL};
    PetscCall(SetLaw(kv));
    PetscCall(PhysicsCreate(PETSC_COMM_WORLD, &phys));
    CHECK_USER_ERROR(PhysicsSetFromOptions(phys), "option -phys_alpha: alpha (the diffusivity scale factor) must be positive, got -2");
    PetscCall(PhysicsDestroy(&phys));
  }
  PetscCall(PetscFinalize());
  return test_failures;
}
