/* physics: material laws and pointwise finite-element kernels for lithium transport.

   Bulk:     ∂θ/∂t = ∇·(D_app(θ) K ∇θ),  D_app = α D_GITT(θ),  K = diag(1, 1, ε) (ε only in 3-D)
   Surface:  −D_app K∇θ·n = N / c_max  on the active surface (label "surface"), 0 elsewhere.
   θ is the lithium site fraction (1 = lithiated); N the outward lithium flux (mol m⁻² s⁻¹),
   so a positive N delithiates (charges). Internal units: µm, s, µm²/s, mol/m³.

   Kernels see parameters only through constants[] (layout PhysConstant below): the law's
   data (parameters, or a PCHIP table) sits at PHYS_LAW. The same kernels serve runs and
   verification: with PHYS_MMS set they add the source and boundary flux of a manufactured
   solution. */
#ifndef SPOT_PHYSICS_H
#define SPOT_PHYSICS_H

#include <petscds.h>

typedef enum {
  PHYS_ALPHA,     /* α: D_app = α D_GITT */
  PHYS_FLUX,      /* N / c_max on the active surface, µm/s (outward, > 0 delithiates) */
  PHYS_EPS,       /* ε: out-of-plane factor of the diffusivity tensor (3-D) */
  PHYS_MMS,       /* 0: physical run; 1: manufactured solution */
  PHYS_MMS_K,     /* wavenumber of the manufactured solution, 1/µm */
  PHYS_MMS_RATE,  /* its rate of change, 1/s */
  PHYS_LAW = 16,  /* law data: [id, n, data...] */
  PHYS_NUM_FIXED = PHYS_LAW
} PhysConstant;

typedef enum {
  LAW_CONSTANT,
  LAW_EXPONENTIAL,
  LAW_LOGISTIC,
  LAW_TABLE
} DiffusivityLawType;

#define PHYS_MAX_TABLE 4096

typedef struct _p_Physics *Physics;

typedef void (*PhysPointFunc)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
typedef void (*PhysPointJac)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
typedef void (*PhysBdFunc)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
typedef void (*PhysBdJac)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);

typedef struct {
  PhysPointFunc f0, f1;     /* bulk residual */
  PhysPointJac  g0, g2, g3; /* bulk Jacobian */
  PhysBdFunc    bd_f0;      /* surface residual */
  PhysBdJac     bd_g0;      /* surface Jacobian (NULL when the flux does not depend on θ) */
} PhysKernels;

/* Pure law evaluation: D_GITT (µm²/s) and dD/dθ from the law block constants[PHYS_LAW...] */
void PhysDiffusivity(PetscReal theta, const PetscScalar law[], PetscReal *D, PetscReal *dD);

PetscErrorCode PhysicsCreate(MPI_Comm comm, Physics *phys);
PetscErrorCode PhysicsSetFromOptions(Physics phys);
PetscErrorCode PhysicsDestroy(Physics *phys);
PetscErrorCode PhysicsView(Physics phys, PetscViewer viewer);
PetscErrorCode PhysicsGetConstants(Physics phys, PetscInt *n, const PetscScalar **constants);
PetscErrorCode PhysicsSetFlux(Physics phys, PetscReal flux);
PetscErrorCode PhysicsGetKernels(Physics phys, PetscBool lumped, PhysKernels *k);
PetscErrorCode PhysicsDiffusivity(Physics phys, PetscReal theta, PetscReal *D_app, PetscReal *dD_app);
PetscErrorCode PhysicsGetCMax(Physics phys, PetscReal *c_max);
PetscErrorCode PhysicsGetCapacityFactor(Physics phys, PetscReal *f_cap);
PetscErrorCode PhysicsCheckTableRange(Physics phys, PetscReal theta_min, PetscReal theta_max);
PetscErrorCode PhysicsDiffusivityRegister(const char name[], PetscErrorCode (*setup)(Physics, PetscScalar[], PetscInt *));

/* Manufactured solutions (verification): exact θ for DMComputeL2Diff, ctx = the Physics */
PetscErrorCode PhysicsSetManufactured(Physics phys, PetscReal wavenumber, PetscReal rate);
PetscErrorCode PhysicsIsManufactured(Physics phys, PetscBool *mms);
PetscErrorCode PhysicsManufacturedSolution(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx);

#endif
