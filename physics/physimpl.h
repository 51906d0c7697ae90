/* Private to physics/: the Physics object and the law set-up helpers. */
#ifndef SPOT_PHYSIMPL_H
#define SPOT_PHYSIMPL_H

#include "physics/physics.h"
#include "input/input.h"

typedef struct {
  char      name[64];                   /* law name as chosen by the user */
  char      source[PETSC_MAX_PATH_LEN]; /* table file, or "" */
  PetscReal range[2];                   /* θ range of a table (clamped outside) */
  PetscBool warned;
  PetscInt  n;                          /* block length, 0 when absent */
  PetscScalar *block;                   /* [id, n, data] */
} PhysLawSpec;

struct _p_Physics {
  MPI_Comm     comm;
  PetscReal    c_max;           /* mol/m³ */
  PetscReal    alpha;           /* D_app / D_GITT */
  PetscReal    capacity_factor; /* practical / theoretical capacity */
  PetscReal    temperature;     /* K */
  PetscReal    eps;             /* out-of-plane factor (3-D) */
  PetscReal    beta;            /* transfer coefficient */
  PetscReal    series_resistance;          /* Ω, or Ω·m² when area specific */
  PetscBool    series_area_specific;
  Kinetics     kinetics;
  PhysLawSpec  D, U, i0;
  PetscInt     nconstants;
  PetscScalar *constants;
};

/* physics/laws.c */
PetscErrorCode PhysLawTableFromOptions(Physics phys, const char prefix[], const char what[], UnitKind kind, PetscBool logscale, PetscScalar block[], PetscInt *n, PetscReal range[2], char source[], size_t len);
PetscErrorCode PhysLawGetPositive(Physics phys, const char name[], UnitKind kind, PetscReal *v, PetscBool required, const char what[]);
PetscErrorCode PhysLawGetReal(Physics phys, const char name[], UnitKind kind, PetscReal *v, PetscBool required, const char what[]);

/* One parameter of an analytic law: its option, unit, default (or the value read), whether it
   must be given and be positive, and what it is (for messages) */
typedef struct {
  const char *option;
  UnitKind    unit;
  PetscReal   value;
  PetscBool   required, positive;
  const char *what;
} PhysLawParameter;
PetscErrorCode PhysLawFromParameters(Physics phys, PhysLawType type, PetscInt np, PhysLawParameter par[], PetscScalar block[], PetscInt *n);

/* Each law kind reads its option -<prefix>_law and fills its PhysLawSpec (required or not) */
PetscErrorCode PhysicsDiffusivitySetUp(Physics phys);
PetscErrorCode PhysicsKineticsSetUp(Physics phys);

#endif
