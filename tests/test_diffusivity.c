/* Diffusivity laws: the smooth Ni-rich law against its published table, exact derivatives,
   PCHIP interpolation of tables (nodes, monotonicity, clamping), the Kirchhoff potential
   Φ = ∫_1^θ D (against the exact integral of the exponential law and a fine Simpson sum of the
   others; its derivative against D and a finite difference), and bad tables. */
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

/* Φ(θ) = ∫_1^θ D_GITT: Φ(1) = 0; dΦ = D; dΦ the derivative of Φ itself (also beyond the table,
   where the rule spans a long interval); Φ(b) − Φ(a) against a 20000-interval Simpson sum of D, or
   against exact(θ) when given */
static PetscErrorCode CheckKirchhoff(Physics phys, const char name[], PetscReal (*exact)(PetscReal))
{
  PetscReal         *table, Phi, dPhi, D, dD, Phi1, d1;
  const PetscScalar *c;
  PetscInt           nc;

  PetscFunctionBeginUser;
  PetscCall(PhysicsGetConstants(phys, &nc, &c));
  PetscCall(PhysicsKirchhoffTable(phys, &table));
  PhysKirchhoff(1.0, &c[PHYS_LAW], table, &Phi1, &d1);
  CHECK(Phi1 == 0, "%s: Phi(1) = %g, expected 0", name, (double)Phi1);
  for (PetscReal th = -0.47; th < 1.5; th += 0.0137) {
    const PetscReal h = 1e-7;
    PetscReal       Pp, Pm, dummy;
    PhysKirchhoff(th, &c[PHYS_LAW], table, &Phi, &dPhi);
    PhysDiffusivity(th, &c[PHYS_LAW], &D, &dD);
    PhysKirchhoff(th + h, &c[PHYS_LAW], table, &Pp, &dummy);
    PhysKirchhoff(th - h, &c[PHYS_LAW], table, &Pm, &dummy);
    CHECK(PetscAbsReal(dPhi - (Pp - Pm) / (2 * h)) <= 1e-6 * dPhi, "%s: dPhi/dtheta at %g: %.10g vs finite difference %.10g", name, (double)th, (double)dPhi, (double)((Pp - Pm) / (2 * h)));
    if (th >= PHYS_KIRCHHOFF_LO && th <= 1.25) CHECK(PetscAbsReal(dPhi - D) <= 1e-9 * D, "%s: dPhi/dtheta at %g is %.12g, D is %.12g", name, (double)th, (double)dPhi, (double)D);
    if (exact && th >= PHYS_KIRCHHOFF_LO && th <= 1.25) CHECK_CLOSE(Phi, exact(th), 1e-11, "Phi against the exact integral");
  }
  { /* Φ(0.97) − Φ(0.31) against Simpson */
    const PetscInt  n = 20000;
    const PetscReal a = 0.31, b = 0.97, h = (b - a) / n;
    PetscReal       sum = 0, Pa, Pb;
    for (PetscInt i = 0; i <= n; ++i) {
      PhysDiffusivity(a + i * h, &c[PHYS_LAW], &D, &dD);
      sum += D * (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2));
    }
    PhysKirchhoff(a, &c[PHYS_LAW], table, &Pa, &dPhi);
    PhysKirchhoff(b, &c[PHYS_LAW], table, &Pb, &dPhi);
    CHECK_CLOSE(Pb - Pa, sum * h / 3, 1e-9, "Phi(0.97) - Phi(0.31) against Simpson's rule");
  }
  PetscCall(PetscFree(table));
  PetscFunctionReturn(0);
}

static PetscReal ExponentialPhi(PetscReal th) /* D = 1e-4 e^{-8(θ − 1)} µm²/s (θ_ref = 1) */
{
  return 1e-4 / -8.0 * (PetscExpReal(-8.0 * (th - 1)) - 1);
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
    PetscCall(CheckKirchhoff(phys, "ni_rich_smooth", NULL));
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
    PetscCall(CheckKirchhoff(phys, "Ecker table", NULL));
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
    PetscCall(CheckKirchhoff(phys, "exponential", ExponentialPhi));
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
