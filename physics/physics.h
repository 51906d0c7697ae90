/* physics: material laws and pointwise finite-element kernels for lithium transport.

   Bulk:     ∂θ/∂t = ∇·(D_app(θ) K ∇θ),  D_app = α D_GITT(θ),  K = diag(1, 1, ε) (ε only in 3-D)
   Surface:  −D_app K∇θ·n = N / c_max  on the active surface (label "surface"), 0 elsewhere.
   θ is the lithium site fraction (1 = lithiated); N the outward lithium flux (mol m⁻² s⁻¹),
   so a positive N delithiates (charges). Internal units: µm, s, µm²/s, mol/m³, A/m², V, K.

   The surface flux is either uniform (N/c_max = PHYS_FLUX) or given by Butler–Volmer:
     i = i0(θ_s) [exp((1−β) f η) − exp(−β f η)],  η = V − U(θ_s),  f = F/(RT),  N = i/F,
   with U(θ) the open-circuit potential and i0(θ) the exchange current density (A/m²);
   positive i is anodic: delithiation, charge.

   Kernels see parameters only through constants[] (layout PhysConstant below); each law is
   a block [id, n, data...] (physics/laws.c): D at PHYS_LAW, U and i0 at the offsets stored in
   PHYS_OCP and PHYS_I0 (−1 when absent). With PHYS_MMS set the kernels add the source and
   boundary flux of a manufactured solution (verification). */
#ifndef SPOT_PHYSICS_H
#define SPOT_PHYSICS_H

#include <petscds.h>

typedef enum {
  PHYS_ALPHA,     /* α: D_app = α D_GITT */
  PHYS_FLUX,      /* uniform N / c_max on the active surface, µm/s (outward, > 0 delithiates) */
  PHYS_EPS,       /* ε: out-of-plane factor of the diffusivity tensor (3-D) */
  PHYS_MMS,       /* 0: physical run; 1, 2: manufactured solutions */
  PHYS_MMS_K,     /* wavenumber of the manufactured solution, 1/µm */
  PHYS_MMS_RATE,  /* its rate of change, 1/s */
  PHYS_BETA,      /* β, transfer coefficient of Butler–Volmer */
  PHYS_F_RT,      /* f = F/(R T), 1/V */
  PHYS_Q_SCALE,   /* N/c_max (µm/s) per current density (A/m²): 1e6 / (F c_max) */
  PHYS_OCP,       /* offset of the U(θ) block in constants[], or −1 */
  PHYS_I0,        /* offset of the i0(θ) block, or −1 */
  PHYS_LAW = 16,  /* the D(θ) block */
  PHYS_NUM_FIXED = PHYS_LAW
} PhysConstant;

typedef enum {
  LAW_CONSTANT,
  LAW_EXPONENTIAL,
  LAW_LOG_LOGISTIC,
  LAW_LOGISTIC,
  LAW_POWER,
  LAW_LINEAR,
  LAW_NERNST,
  LAW_TABLE_LINEAR,
  LAW_TABLE_LOG
} PhysLawType;

#define PHYS_MAX_TABLE 4096
/* i0(θ) is evaluated at θ clamped to [PHYS_THETA_EDGE, 1 − PHYS_THETA_EDGE] and switched off
   smoothly outside [0, 1] over PHYS_THETA_EDGE_WIDTH (PhysExchange): a saturating surface keeps a
   well-defined, rapidly falling exchange current, so the overpotential (and V) plunges and the
   voltage cut-off ends the step, instead of θ leaving [0, 1] or the solver stalling */
#define PHYS_THETA_EDGE 1e-12
#define PHYS_THETA_EDGE_WIDTH 1e-6
#define PHYS_R 8.314462618 /* J/(mol K) */
#define PHYS_F 96485.33212 /* C/mol */

typedef struct _p_Physics *Physics;

typedef enum {
  KINETICS_UNIFORM,      /* a uniform flux set by the step's current */
  KINETICS_BUTLER_VOLMER /* local Butler–Volmer with the electrode potential V */
} Kinetics;
extern const char *const KineticsTypes[];

typedef void (*PhysPointFunc)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
typedef void (*PhysPointJac)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
typedef void (*PhysBdFunc)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);

typedef struct {
  PhysPointFunc f0, f1;     /* bulk residual */
  PhysPointJac  g0, g2, g3; /* bulk Jacobian */
  PhysBdFunc    bd_f0;      /* surface residual of manufactured solutions (runs assemble theirs in solver/surface.c) */
} PhysKernels;

/* Pure law evaluation (no allocation, no I/O): y(θ) and dy/dθ of a law block */
void PhysLaw(PetscReal theta, const PetscScalar block[], PetscReal *y, PetscReal *dy);
/* D_GITT (µm²/s) and dD/dθ from the D block */
void PhysDiffusivity(PetscReal theta, const PetscScalar law[], PetscReal *D, PetscReal *dD);
/* The Kirchhoff potential of D_GITT, Φ(θ) = ∫_1^θ D_GITT(s) ds (µm²/s), so that D∇θ = ∇Φ(θ):
   tabulated at θ_k = PHYS_KIRCHHOFF_LO + k/PHYS_KIRCHHOFF_PER_UNIT, k = 0..PHYS_KIRCHHOFF_N
   (PhysicsKirchhoffTable: Φ by three-point Gauss–Legendre per interval, and D, dD/dθ; the table
   holds the three in turn, each N + 1 long). Between nodes: for the analytic laws the quintic
   Hermite interpolant of Φ, D, dD/dθ (no law evaluation; dΦ = D_GITT to about 1e-12 relative);
   for tabulated laws (D only C¹) three-point Gauss–Legendre from the node below. dΦ is the exact
   derivative of that Φ. Outside the table the Gauss rule spans the whole distance from the end
   node: still exact in its derivative, only less accurate. */
#define PHYS_KIRCHHOFF_LO       (-0.25)
#define PHYS_KIRCHHOFF_PER_UNIT 4096
#define PHYS_KIRCHHOFF_N        6144 /* up to θ = 1.25 */
void           PhysKirchhoff(PetscReal theta, const PetscScalar law[], const PetscReal table[], PetscReal *Phi, PetscReal *dPhi);
PetscErrorCode PhysicsKirchhoffTable(Physics phys, PetscReal **table);
/* Butler–Volmer current density i (A/m², > 0 anodic) at surface θ and electrode potential V,
   and its derivatives (needs PHYS_OCP and PHYS_I0) */
void PhysExchange(PetscReal theta, const PetscScalar c[], PetscReal *i0, PetscReal *di0);
void PhysButlerVolmer(PetscReal theta, PetscReal V, const PetscScalar c[], PetscReal *i, PetscReal *di_dtheta, PetscReal *di_dV);

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

/* Electrochemistry */
PetscErrorCode PhysicsGetKinetics(Physics phys, Kinetics *k);
PetscErrorCode PhysicsHasOCP(Physics phys, PetscBool *has);
PetscErrorCode PhysicsOCP(Physics phys, PetscReal theta, PetscReal *U, PetscReal *dU);
PetscErrorCode PhysicsExchangeCurrent(Physics phys, PetscReal theta, PetscReal *i0, PetscReal *di0);
PetscErrorCode PhysicsOverpotential(Physics phys, PetscReal theta, PetscReal i, PetscReal *eta);
PetscErrorCode PhysicsInvertOCP(Physics phys, PetscReal V, const char where[], PetscReal *theta);
PetscErrorCode PhysicsOCPRange(Physics phys, PetscReal theta[2], PetscReal U[2]);
PetscErrorCode PhysicsSeriesResistance(Physics phys, PetscReal *R, PetscBool *area_specific);
PetscErrorCode PhysicsCurrentToFlux(Physics phys, PetscReal i, PetscReal *flux);

/* Manufactured solutions (verification): exact θ for DMComputeL2Diff, ctx = the Physics */
PetscErrorCode PhysicsSetManufactured(Physics phys, PetscReal wavenumber, PetscReal rate);
PetscErrorCode PhysicsIsManufactured(Physics phys, PetscBool *mms);
PetscErrorCode PhysicsManufacturedSolution(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt Nc, PetscScalar *u, void *ctx);

#endif
