/* D_GITT(θ): the diffusivity laws, chosen by name (-phys_diffusivity_law), all in this file.

   constant        D = D0                                         (-phys_diffusivity_value)
   exponential     D = D_ref exp(r (θ − θ_ref))                   (_D_ref, _rate, _theta_ref = 1)
   logistic        D = D_lith 10^(Δ / (1 + exp((θ − θc)/w)))       (_D_lithiated, _decades, _theta_c, _width)
   ni_rich_smooth  the logistic law of data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv:
                   D_lith = 1e-14/2.7 cm²/s, Δ = 2.3, θc = 0.88, w = 0.025 (each can be overridden)
   table           PCHIP of log10 D against θ (_file, _theta_column, _value_column, _unit),
                   clamped outside the table with one warning per run.
   Evaluation, exact derivatives and the table machinery are in physics/laws.c.

   Kirchhoff potential Φ(θ) = ∫_1^θ D_GITT (PhysKirchhoff): P1 with Φ(θ) interpolated takes the
   flux between two vertices as the mean of D over their θ interval, exact in 1-D steady flow however
   steeply D varies; it anchors at θ = 1, where D is smallest, so that differences of Φ near a
   lithiated state lose no digits. */
#include "physics/physimpl.h"
#include <string.h>

static PetscFunctionList laws = NULL;

void PhysDiffusivity(PetscReal theta, const PetscScalar law[], PetscReal *D, PetscReal *dD)
{
  PhysLaw(theta, law, D, dD);
}

/* ∫ D over [a, a + L] by three-point Gauss–Legendre, and its derivative in L */
static inline void GaussInterval(PetscReal a, PetscReal L, const PetscScalar law[], PetscReal *integral, PetscReal *dintegral)
{
  static const PetscReal xi[3] = {0.11270166537925831148, 0.5, 0.88729833462074168852}, w[3] = {5.0 / 18, 8.0 / 18, 5.0 / 18};
  PetscReal              sum = 0, dsum = 0;

  for (int q = 0; q < 3; ++q) {
    PetscReal D, dD;
    PhysLaw(a + xi[q] * L, law, &D, &dD);
    sum += w[q] * D;
    dsum += w[q] * xi[q] * dD;
  }
  *integral = L * sum;
  if (dintegral) *dintegral = sum + L * dsum;
}

/* Φ on [θ_k, θ_k + h] from the node values of Φ, D and dD/dθ at both ends: the quintic Hermite
   interpolant (exact at the nodes, C² across them), and its derivative. No law evaluation, so a
   vertex costs a few dozen flops instead of three evaluations of D (each an exp or two). */
static inline void QuinticHermite(PetscReal t, PetscReal h, const PetscReal P[2], const PetscReal D[2], const PetscReal dD[2], PetscReal *Phi, PetscReal *dPhi)
{
  const PetscReal t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t, h2 = h * h;
  const PetscReal b0 = 1 - 10 * t3 + 15 * t4 - 6 * t5, d0 = -30 * t2 + 60 * t3 - 30 * t4; /* Φ(0) */
  const PetscReal b1 = t - 6 * t3 + 8 * t4 - 3 * t5, d1 = 1 - 18 * t2 + 32 * t3 - 15 * t4;  /* h Φ'(0) */
  const PetscReal b2 = 0.5 * (t2 - 3 * t3 + 3 * t4 - t5), d2 = 0.5 * (2 * t - 9 * t2 + 12 * t3 - 5 * t4); /* h² Φ''(0) */
  const PetscReal b3 = 0.5 * (t3 - 2 * t4 + t5), d3 = 0.5 * (3 * t2 - 8 * t3 + 5 * t4);   /* h² Φ''(1) */
  const PetscReal b4 = -4 * t3 + 7 * t4 - 3 * t5, d4 = -12 * t2 + 28 * t3 - 15 * t4;      /* h Φ'(1) */

  *Phi  = b0 * P[0] + h * b1 * D[0] + h2 * b2 * dD[0] + h2 * b3 * dD[1] + h * b4 * D[1] + (1 - b0) * P[1];
  *dPhi = (d0 * (P[0] - P[1])) / h + d1 * D[0] + h * d2 * dD[0] + h * d3 * dD[1] + d4 * D[1];
}

void PhysKirchhoff(PetscReal theta, const PetscScalar law[], const PetscReal table[], PetscReal *Phi, PetscReal *dPhi)
{
  const PetscReal s = (theta - PHYS_KIRCHHOFF_LO) * PHYS_KIRCHHOFF_PER_UNIT;
  PetscInt        k = s > 0 ? (s < PHYS_KIRCHHOFF_N ? (PetscInt)s : PHYS_KIRCHHOFF_N - 1) : 0; /* NaN: 0, no wild index */
  const PetscReal a = PHYS_KIRCHHOFF_LO + (PetscReal)k / PHYS_KIRCHHOFF_PER_UNIT, h = 1.0 / PHYS_KIRCHHOFF_PER_UNIT;
  const PhysLawType type = (PhysLawType)(PetscInt)PetscRealPart(law[0]);
  PetscReal       part, dpart;

  if (theta > a + h) { /* above the table: from its top node */
    k = PHYS_KIRCHHOFF_N;
    GaussInterval(PHYS_KIRCHHOFF_LO + (PetscReal)k * h, theta - (PHYS_KIRCHHOFF_LO + (PetscReal)k * h), law, &part, &dpart);
  } else if (theta >= a && type != LAW_TABLE_LINEAR && type != LAW_TABLE_LOG) { /* smooth laws: between the nodes */
    const PetscReal *D = table + PHYS_KIRCHHOFF_N + 1, *dD = D + PHYS_KIRCHHOFF_N + 1;
    QuinticHermite((theta - a) / h, h, &table[k], &D[k], &dD[k], Phi, dPhi);
    return;
  } else GaussInterval(a, theta - a, law, &part, &dpart); /* tables (D only C¹) and below the table */
  *Phi  = table[k] + part;
  *dPhi = dpart;
}

/* table[k] = Φ(θ_k), k = 0..PHYS_KIRCHHOFF_N, by three-point Gauss–Legendre over each interval,
   summed outward from θ = 1 (a node), so that Φ is continuous at the nodes to round-off; then
   D(θ_k) and dD/dθ(θ_k) for the Hermite interpolation */
PetscErrorCode PhysicsKirchhoffTable(Physics phys, PetscReal **table)
{
  const PetscInt     one = (PetscInt)((1 - PHYS_KIRCHHOFF_LO) * PHYS_KIRCHHOFF_PER_UNIT);
  const PetscScalar *law = &phys->constants[PHYS_LAW];
  const PetscReal    h   = 1.0 / PHYS_KIRCHHOFF_PER_UNIT;
  PetscReal         *t, part;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(3 * (PHYS_KIRCHHOFF_N + 1), &t));
  for (PetscInt k = 0; k <= PHYS_KIRCHHOFF_N; ++k) PhysLaw(PHYS_KIRCHHOFF_LO + (PetscReal)k * h, law, &t[PHYS_KIRCHHOFF_N + 1 + k], &t[2 * (PHYS_KIRCHHOFF_N + 1) + k]);
  t[one] = 0;
  for (PetscInt k = one + 1; k <= PHYS_KIRCHHOFF_N; ++k) {
    GaussInterval(PHYS_KIRCHHOFF_LO + (PetscReal)(k - 1) * h, h, law, &part, NULL);
    t[k] = t[k - 1] + part;
  }
  for (PetscInt k = one - 1; k >= 0; --k) {
    GaussInterval(PHYS_KIRCHHOFF_LO + (PetscReal)k * h, h, law, &part, NULL);
    t[k] = t[k + 1] - part;
  }
  *table = t;
  PetscFunctionReturn(0);
}

static PetscErrorCode LawConstant(Physics phys, PetscScalar law[], PetscInt *n)
{
  PhysLawParameter par[] = {
    {"-phys_diffusivity_value", UNIT_DIFFUSIVITY, 0, PETSC_TRUE, PETSC_TRUE, "a diffusivity value D"}
  };

  PetscFunctionBeginUser;
  PetscCall(PhysLawFromParameters(phys, LAW_CONSTANT, 1, par, law, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode LawExponential(Physics phys, PetscScalar law[], PetscInt *n)
{
  PhysLawParameter par[] = {
    {"-phys_diffusivity_D_ref",     UNIT_DIFFUSIVITY, 0, PETSC_TRUE,  PETSC_TRUE,  "D_ref"    },
    {"-phys_diffusivity_rate",      UNIT_NONE,        0, PETSC_FALSE, PETSC_FALSE, "rate"     },
    {"-phys_diffusivity_theta_ref", UNIT_NONE,        1, PETSC_FALSE, PETSC_FALSE, "theta_ref"}
  };

  PetscFunctionBeginUser;
  PetscCall(PhysLawFromParameters(phys, LAW_EXPONENTIAL, 3, par, law, n));
  PetscFunctionReturn(0);
}

static PetscErrorCode LogisticFill(Physics phys, PetscScalar law[], PetscInt *n, PetscReal D_lith, PetscReal decades, PetscReal theta_c, PetscReal width, PetscBool required)
{
  PetscFunctionBeginUser;
  PetscCall(PhysLawGetPositive(phys, "-phys_diffusivity_D_lithiated", UNIT_DIFFUSIVITY, &D_lith, required, "D_lithiated"));
  PetscCall(PhysLawGetReal(phys, "-phys_diffusivity_decades", UNIT_NONE, &decades, PETSC_FALSE, "decades"));
  PetscCall(PhysLawGetReal(phys, "-phys_diffusivity_theta_c", UNIT_NONE, &theta_c, PETSC_FALSE, "theta_c"));
  PetscCall(PhysLawGetPositive(phys, "-phys_diffusivity_width", UNIT_NONE, &width, PETSC_FALSE, "the width of the logistic step"));
  law[0] = LAW_LOG_LOGISTIC;
  law[2] = D_lith;
  law[3] = decades;
  law[4] = theta_c;
  law[5] = width;
  *n     = 4;
  PetscFunctionReturn(0);
}

static PetscErrorCode LawLogistic(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(LogisticFill(phys, law, n, 0, 2.0, 0.88, 0.025, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* 1e-14/2.7 cm²/s = 3.7037e-7 µm²/s */
static PetscErrorCode LawNiRichSmooth(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(LogisticFill(phys, law, n, 1e-14 * 1e8 / 2.7, 2.3, 0.88, 0.025, PETSC_FALSE));
  PetscFunctionReturn(0);
}

static PetscErrorCode LawTable(Physics phys, PetscScalar law[], PetscInt *n)
{
  PetscFunctionBeginUser;
  PetscCall(PhysLawTableFromOptions(phys, "-phys_diffusivity", "diffusivity", UNIT_DIFFUSIVITY, PETSC_TRUE, law, n, phys->D.range, phys->D.source, sizeof(phys->D.source)));
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsDiffusivityRegister(const char name[], PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *))
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListAdd(&laws, name, setup));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterAll(void)
{
  static PetscBool done = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (done) PetscFunctionReturn(0);
  done = PETSC_TRUE;
  PetscCall(PhysicsDiffusivityRegister("constant", LawConstant));
  PetscCall(PhysicsDiffusivityRegister("exponential", LawExponential));
  PetscCall(PhysicsDiffusivityRegister("logistic", LawLogistic));
  PetscCall(PhysicsDiffusivityRegister("ni_rich_smooth", LawNiRichSmooth));
  PetscCall(PhysicsDiffusivityRegister("table", LawTable));
  PetscFunctionReturn(0);
}

/* Reads -phys_diffusivity_law and fills phys->D */
PetscErrorCode PhysicsDiffusivitySetUp(Physics phys)
{
  PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *) = NULL;
  PetscBool set;
  PetscInt  n = 0;
  char      where[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCall(RegisterAll());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-phys_diffusivity_law", phys->D.name, sizeof(phys->D.name), &set));
  PetscCall(InputOptionWhere("-phys_diffusivity_law", where, sizeof(where)));
  PetscCheck(set, phys->comm, PETSC_ERR_USER_INPUT, "no diffusivity law: give <material><diffusivity law=...> or -phys_diffusivity_law (constant, exponential, logistic, ni_rich_smooth, table)");
  PetscCall(PetscFunctionListFind(laws, phys->D.name, &setup));
  PetscCheck(setup, phys->comm, PETSC_ERR_USER_INPUT, "%s: unknown diffusivity law '%s' (known: constant, exponential, logistic, ni_rich_smooth, table)", where, phys->D.name);
  PetscCall(PetscFree(phys->D.block));
  PetscCall(PetscCalloc1(2 + 3 * PHYS_MAX_TABLE, &phys->D.block));
  PetscCall((*setup)(phys, phys->D.block, &n));
  phys->D.block[1] = n;
  phys->D.n        = 2 + n;
  PetscFunctionReturn(0);
}
