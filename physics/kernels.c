/* Pointwise kernels (PETSc 3.18 signatures) for ∂θ/∂t = ∇·(D_app(θ) K ∇θ).

   Weak form, for every test function v:
     ∫Ω v ∂θ/∂t + ∫Ω ∇v·D_app(θ) K ∇θ + ∮_surface v N/c_max = ∫Ω v S
   f0 = θ_t − S        ⇒ g0 = shift                      (consistent mass)
   f0 = −S             ⇒ g0 = none                       (mass lumped by the solver)
   f1 = D_app(θ) K ∇θ  ⇒ g2 = D_app'(θ) K ∇θ,  g3 = D_app(θ) K
   surface terms of runs (uniform or Butler–Volmer) are assembled by solver/surface.c;
   the kernel here serves manufactured solutions
   S = 0 in runs. In verification runs (PHYS_MMS = 1) θ* = a + b g(x) (1 − r t) with
   g = sin(kx+0.3) cos(ky−0.2) [cos(kz+0.1)], and
     S = θ*_t − D_app'(θ*) ∇θ*·K∇θ* − D_app(θ*) K:∇∇θ*,  surface f0 = −D_app(θ*) K∇θ*·n. */
#include "physics/physimpl.h"

#define MMS_A 0.55
#define MMS_B 0.25

static inline PetscReal Kdiag(PetscInt d, const PetscScalar c[])
{
  return d == 2 ? PetscRealPart(c[PHYS_EPS]) : 1.0;
}

static inline void DiffusivityApp(PetscReal theta, const PetscScalar c[], PetscReal *D, PetscReal *dD)
{
  const PetscReal alpha = PetscRealPart(c[PHYS_ALPHA]);
  PhysLaw(theta, &c[PHYS_LAW], D, dD);
  *D *= alpha;
  *dD *= alpha;
}

/* θ*, its time derivative, gradient and K:∇∇θ*. PHYS_MMS = 1: the trigonometric solution;
   PHYS_MMS = 2: g = x + y/2 − 3z/10, linear in space (exact in P1 and P2, for assembly checks) */
static void Manufactured(PetscInt dim, PetscReal t, const PetscReal x[], const PetscScalar c[], PetscReal *u, PetscReal *u_t, PetscReal grad[], PetscReal *KHess)
{
  const PetscReal k = PetscRealPart(c[PHYS_MMS_K]), r = PetscRealPart(c[PHYS_MMS_RATE]), h = 1 - r * t;
  if (PetscRealPart(c[PHYS_MMS]) == 2) {
    const PetscReal g = x[0] + 0.5 * x[1] - (dim == 3 ? 0.3 * x[2] : 0);
    *u   = MMS_A + MMS_B * g * h;
    *u_t = -MMS_B * g * r;
    if (grad) {
      grad[0] = MMS_B * h;
      grad[1] = 0.5 * MMS_B * h;
      if (dim == 3) grad[2] = -0.3 * MMS_B * h;
    }
    if (KHess) *KHess = 0;
    return;
  }
  const PetscReal sx = PetscSinReal(k * x[0] + 0.3), cx = PetscCosReal(k * x[0] + 0.3);
  const PetscReal sy = PetscSinReal(k * x[1] - 0.2), cy = PetscCosReal(k * x[1] - 0.2);
  const PetscReal sz = dim == 3 ? PetscSinReal(k * x[2] + 0.1) : 0, cz = dim == 3 ? PetscCosReal(k * x[2] + 0.1) : 1;
  const PetscReal g = sx * cy * cz;
  PetscReal       trace = 0;

  *u    = MMS_A + MMS_B * g * h;
  *u_t  = -MMS_B * g * r;
  if (grad) {
    grad[0] = MMS_B * h * k * cx * cy * cz;
    grad[1] = -MMS_B * h * k * sx * sy * cz;
    if (dim == 3) grad[2] = -MMS_B * h * k * sx * cy * sz;
  }
  for (PetscInt d = 0; d < dim; ++d) trace += Kdiag(d, c);
  if (KHess) *KHess = -MMS_B * h * k * k * g * trace;
}

static PetscReal ManufacturedSource(PetscInt dim, PetscReal t, const PetscReal x[], const PetscScalar c[])
{
  PetscReal u, u_t, grad[3], KHess, D, dD, gKg = 0;

  Manufactured(dim, t, x, c, &u, &u_t, grad, &KHess);
  DiffusivityApp(u, c, &D, &dD);
  for (PetscInt d = 0; d < dim; ++d) gKg += grad[d] * Kdiag(d, c) * grad[d];
  return u_t - dD * gKg - D * KHess;
}

static void f0_theta(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f0[])
{
  f0[0] = u_t[0];
  if (PetscRealPart(constants[PHYS_MMS]) != 0) f0[0] -= ManufacturedSource(dim, t, x, constants);
}

static void f0_theta_lumped(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f0[])
{
  f0[0] = 0;
  if (PetscRealPart(constants[PHYS_MMS]) != 0) f0[0] -= ManufacturedSource(dim, t, x, constants);
}

static void f1_theta(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f1[])
{
  PetscReal D, dD;

  DiffusivityApp(PetscRealPart(u[0]), constants, &D, &dD);
  for (PetscInt d = 0; d < dim; ++d) f1[d] = D * Kdiag(d, constants) * u_x[d];
}

static void g0_theta(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal u_tShift, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar g0[])
{
  g0[0] = u_tShift;
}

static void g2_theta(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal u_tShift, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar g2[])
{
  PetscReal D, dD;

  DiffusivityApp(PetscRealPart(u[0]), constants, &D, &dD);
  for (PetscInt d = 0; d < dim; ++d) g2[d] = dD * Kdiag(d, constants) * u_x[d];
}

static void g3_theta(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, PetscReal u_tShift, const PetscReal x[], PetscInt numConstants, const PetscScalar constants[], PetscScalar g3[])
{
  PetscReal D, dD;

  DiffusivityApp(PetscRealPart(u[0]), constants, &D, &dD);
  for (PetscInt d = 0; d < dim; ++d) g3[d * dim + d] = D * Kdiag(d, constants);
}

static void f0_manufactured_flux(PetscInt dim, PetscInt Nf, PetscInt NfAux, const PetscInt uOff[], const PetscInt uOff_x[], const PetscScalar u[], const PetscScalar u_t[], const PetscScalar u_x[], const PetscInt aOff[], const PetscInt aOff_x[], const PetscScalar a[], const PetscScalar a_t[], const PetscScalar a_x[], PetscReal t, const PetscReal x[], const PetscReal n[], PetscInt numConstants, const PetscScalar constants[], PetscScalar f0[])
{
  PetscReal us, us_t, grad[3], D, dD, flux = 0;

  Manufactured(dim, t, x, constants, &us, &us_t, grad, NULL);
  DiffusivityApp(us, constants, &D, &dD);
  for (PetscInt d = 0; d < dim; ++d) flux -= D * Kdiag(d, constants) * grad[d] * n[d];
  f0[0] = flux;
}

PetscErrorCode PhysicsGetKernels(Physics phys, PetscBool lumped, PhysKernels *k)
{
  PetscFunctionBeginUser;
  k->f0    = lumped ? f0_theta_lumped : f0_theta;
  k->f1    = f1_theta;
  k->g0    = lumped ? NULL : g0_theta;
  k->g2    = g2_theta;
  k->g3    = g3_theta;
  k->bd_f0 = f0_manufactured_flux;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsManufacturedSolution(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx)
{
  Physics   phys = (Physics)ctx;
  PetscReal v, v_t;

  Manufactured(dim, t, x, phys->constants, &v, &v_t, NULL, NULL);
  u[0] = v;
  return 0;
}

PetscErrorCode PhysicsSetManufactured(Physics phys, PetscReal wavenumber, PetscReal rate)
{
  PetscInt kind = 1;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-phys_mms_kind", &kind, NULL)); /* 2: linear in space */
  phys->constants[PHYS_MMS]      = kind;
  phys->constants[PHYS_MMS_K]    = wavenumber;
  phys->constants[PHYS_MMS_RATE] = rate;
  PetscFunctionReturn(0);
}

PetscErrorCode PhysicsIsManufactured(Physics phys, PetscBool *mms)
{
  PetscFunctionBeginUser;
  *mms = PetscRealPart(phys->constants[PHYS_MMS]) != 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
