/* Private to physics/: the Physics object. */
#ifndef SPOT_PHYSIMPL_H
#define SPOT_PHYSIMPL_H

#include "physics/physics.h"

struct _p_Physics {
  MPI_Comm     comm;
  PetscReal    c_max;           /* mol/m³ */
  PetscReal    alpha;           /* D_app / D_GITT */
  PetscReal    capacity_factor; /* practical / theoretical capacity */
  PetscReal    temperature;     /* K */
  PetscReal    eps;             /* out-of-plane factor (3-D) */
  char         law_name[64];
  char         law_source[PETSC_MAX_PATH_LEN]; /* table file, or "" */
  PetscReal    table_range[2];  /* θ range of a table; clamped outside */
  PetscBool    range_warned;
  PetscInt     nconstants;
  PetscScalar *constants;
};

/* Law set-up functions fill law[] = [id, n, data...] and set *n to the block length */
PetscErrorCode PhysicsDiffusivitySetUp(Physics phys);

#endif
