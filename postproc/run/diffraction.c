/* A synthetic (003) diffraction peak of the whole field of view: the observable in which Park et
   al. (Nature Materials 2021) saw a population of layered-oxide particles split.

   Every bit of material at lithium fraction θ has the c lattice parameter c(θ) of a given law, and
   reflects (003) at the Bragg angle 2θ_B = 2 asin(λ / (2 d)), d = c/3. The peak is the
   volume-weighted distribution of 2θ_B over every particle's interior (each dof's weight w_i =
   ∫φ_i), broadened by the instrument's Gaussian of full width at half maximum Γ:
     I(2θ) = Σ_i w_i G_Γ(2θ − 2θ_B(θ_i)) / Σ_i w_i          (1/degree: ∫ I d(2θ) = 1)
   The weights are binned on a grid 8 times finer than the output's (one reduction of that grid
   per output time, whatever the number of particles), then convolved; each output value is the
   mean of I over its bin, so the profile has unit area whatever the FWHM and the spacing.
   Options (-out_diffraction_ prefix; no law, no peak):
     _c_lithiated c1, _c_delithiated c0   a linear law c(θ) = c0 + (c1 − c0) θ (lengths: 14.2angstrom)
     _c_file F                            a table of columns theta and c_angstrom (linear between rows)
     _wavelength λ (Cu Kα1, 1.5406 Å), _fwhm Γ (degrees of 2θ, 0.05), _points n (400) */
#include "postproc/run/runimpl.h"
#include "input/input.h"
#include <math.h>

#define FINE 8

struct _p_Diffraction {
  MPI_Comm   comm;
  Solver     solver;
  PetscReal  c0, c1;         /* linear law, µm */
  PetscInt   ntable;         /* > 0: the table instead */
  PetscReal *table_theta, *table_c;
  PetscReal  lambda;         /* µm */
  PetscReal  fwhm;           /* degrees */
  PetscInt   npoints;
  PetscReal  lo, hi;         /* the 2θ range of the output, degrees */
  PetscReal *fine, *profile; /* [FINE npoints], [npoints] */
};

static PetscReal LatticeC(Diffraction d, PetscReal theta)
{
  PetscInt k;
  if (!d->ntable) return d->c0 + (d->c1 - d->c0) * theta;
  if (theta <= d->table_theta[0]) return d->table_c[0];
  if (theta >= d->table_theta[d->ntable - 1]) return d->table_c[d->ntable - 1];
  for (k = 1; k < d->ntable - 1 && d->table_theta[k] < theta; ++k) {}
  return d->table_c[k - 1] + (d->table_c[k] - d->table_c[k - 1]) * (theta - d->table_theta[k - 1]) / (d->table_theta[k] - d->table_theta[k - 1]);
}

/* 2θ_B of (003), degrees; NaN when λ > 2d (no reflection) */
static PetscReal BraggAngle(Diffraction d, PetscReal c)
{
  const PetscReal s = d->lambda / (2 * c / 3);
  return s < 1 ? 2 * PetscAsinReal(s) * 180 / PETSC_PI : NAN;
}

PetscErrorCode DiffractionCreate(Solver s, Diffraction *out)
{
  Diffraction d;
  PetscBool   set0, set1, setf;
  char        where[PETSC_MAX_PATH_LEN], file[PETSC_MAX_PATH_LEN];
  MPI_Comm    comm;
  PetscReal   cmin = PETSC_MAX_REAL, cmax = 0, a, b;
  DM          dm;

  PetscFunctionBeginUser;
  *out = NULL;
  PetscCall(SolverGetDM(s, &dm));
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscNew(&d));
  d->comm    = comm;
  d->solver  = s;
  d->lambda  = 1.5406e-4;
  d->fwhm    = 0.05;
  d->npoints = 400;
  PetscCall(InputGetQuantity("-out_diffraction_c_lithiated", UNIT_LENGTH, &d->c1, &set1));
  PetscCall(InputGetQuantity("-out_diffraction_c_delithiated", UNIT_LENGTH, &d->c0, &set0));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-out_diffraction_c_file", file, sizeof(file), &setf));
  if (!set0 && !set1 && !setf) {
    PetscCall(PetscFree(d));
    PetscFunctionReturn(0);
  }
  PetscCall(InputOptionWhere(setf ? "-out_diffraction_c_file" : "-out_diffraction_c_lithiated", where, sizeof(where)));
  PetscCheck(!(setf && (set0 || set1)), comm, PETSC_ERR_USER_INPUT, "%s: give the lattice law as a table or as c_lithiated and c_delithiated, not both", where);
  PetscCheck(setf || (set0 && set1), comm, PETSC_ERR_USER_INPUT, "%s: a linear lattice law needs both c_lithiated and c_delithiated", where);
  if (setf) {
    InputTable t;
    PetscInt   ct, cc;
    PetscCall(InputTableRead(comm, file, &t));
    PetscCall(InputTableColumn(&t, file, "theta", &ct));
    PetscCall(InputTableColumn(&t, file, "c_angstrom", &cc));
    d->ntable = t.nrows;
    PetscCall(PetscMalloc2(t.nrows, &d->table_theta, t.nrows, &d->table_c));
    for (PetscInt r = 0; r < t.nrows; ++r) {
      d->table_theta[r] = t.values[r * t.ncols + ct];
      d->table_c[r]     = t.values[r * t.ncols + cc] * 1e-4;
    }
    {
      PetscBool ok = t.nrows >= 2 ? PETSC_TRUE : PETSC_FALSE;
      PetscInt  bad = -1;
      for (PetscInt r = 0; r < t.nrows && ok; ++r) {
        if (!(d->table_c[r] > 0 && d->table_c[r] < 1e-2) || (r && !(d->table_theta[r] > d->table_theta[r - 1]))) {
          ok  = PETSC_FALSE;
          bad = t.lines[r];
        }
      }
      PetscCall(InputTableDestroy(&t));
      PetscCheck(bad < 0, comm, PETSC_ERR_USER_INPUT, "%s:%" PetscInt_FMT ": theta must increase from row to row and c_angstrom lie in (0, 100)", file, bad);
      PetscCheck(ok, comm, PETSC_ERR_USER_INPUT, "%s: a lattice table needs at least two rows", file);
    }
  } else {
    PetscCall(InputOptionWhere("-out_diffraction_c_lithiated", where, sizeof(where)));
    PetscCheck(d->c1 > 0 && d->c1 < 1e-2, comm, PETSC_ERR_USER_INPUT, "%s: the c lattice parameter must lie in (0, 100) angstrom, got %g angstrom", where, (double)(d->c1 * 1e4));
    PetscCall(InputOptionWhere("-out_diffraction_c_delithiated", where, sizeof(where)));
    PetscCheck(d->c0 > 0 && d->c0 < 1e-2, comm, PETSC_ERR_USER_INPUT, "%s: the c lattice parameter must lie in (0, 100) angstrom, got %g angstrom", where, (double)(d->c0 * 1e4));
  }
  PetscCall(InputGetQuantity("-out_diffraction_wavelength", UNIT_LENGTH, &d->lambda, NULL));
  PetscCall(InputOptionWhere("-out_diffraction_wavelength", where, sizeof(where)));
  PetscCheck(d->lambda > 0 && d->lambda < 1e-3, comm, PETSC_ERR_USER_INPUT, "%s: an X-ray wavelength must lie in (0, 10) angstrom, got %g angstrom", where, (double)(d->lambda * 1e4));
  PetscCall(InputGetQuantity("-out_diffraction_fwhm", UNIT_NONE, &d->fwhm, NULL));
  PetscCall(InputOptionWhere("-out_diffraction_fwhm", where, sizeof(where)));
  PetscCheck(d->fwhm > 0 && d->fwhm <= 5, comm, PETSC_ERR_USER_INPUT, "%s: the instrument's full width at half maximum must lie in (0, 5] degrees of 2theta, got %g", where, (double)d->fwhm);
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-out_diffraction_points", &d->npoints, NULL));
  PetscCall(InputOptionWhere("-out_diffraction_points", where, sizeof(where)));
  PetscCheck(d->npoints >= 10 && d->npoints <= 10000, comm, PETSC_ERR_USER_INPUT, "%s: the peak takes 10 to 10000 points, got %" PetscInt_FMT, where, d->npoints);
  for (PetscInt k = 0; k <= 100; ++k) { /* the range of c over θ in [0, 1] */
    const PetscReal c = LatticeC(d, k / 100.0);
    cmin = PetscMin(cmin, c);
    cmax = PetscMax(cmax, c);
  }
  if (d->ntable)
    for (PetscInt r = 0; r < d->ntable; ++r) {
      cmin = PetscMin(cmin, d->table_c[r]);
      cmax = PetscMax(cmax, d->table_c[r]);
    }
  a = BraggAngle(d, cmax); /* a larger c reflects at a smaller angle */
  b = BraggAngle(d, cmin);
  PetscCall(InputOptionWhere("-out_diffraction_wavelength", where, sizeof(where)));
  PetscCheck(a == a && b == b, comm, PETSC_ERR_USER_INPUT, "%s: no (003) reflection: the wavelength %g angstrom exceeds twice the (003) spacing %g angstrom", where, (double)(d->lambda * 1e4), (double)(2 * cmin / 3 * 1e4));
  d->lo = a - 4 * d->fwhm;
  d->hi = b + 4 * d->fwhm;
  PetscCall(PetscMalloc2(FINE * d->npoints, &d->fine, d->npoints, &d->profile));
  *out = d;
  PetscFunctionReturn(0);
}

PetscErrorCode DiffractionDestroy(Diffraction *d)
{
  PetscFunctionBeginUser;
  if (!*d) PetscFunctionReturn(0);
  if ((*d)->ntable) PetscCall(PetscFree2((*d)->table_theta, (*d)->table_c));
  PetscCall(PetscFree2((*d)->fine, (*d)->profile));
  PetscCall(PetscFree(*d));
  PetscFunctionReturn(0);
}

PetscErrorCode DiffractionView(Diffraction d, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (!d) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "diffraction: (003) at wavelength %.5g angstrom, c from %.5g to %.5g angstrom (theta 0 to 1), 2theta %.4g to %.4g deg, instrument FWHM %.3g deg\n", (double)(d->lambda * 1e4), (double)(LatticeC(d, 0) * 1e4), (double)(LatticeC(d, 1) * 1e4), (double)d->lo, (double)d->hi, (double)d->fwhm));
  PetscFunctionReturn(0);
}

/* The profile at the state θ, on every rank (collective) */
PetscErrorCode DiffractionCompute(Diffraction d, Vec theta)
{
  const PetscScalar *t, *w;
  Vec                weights;
  PetscInt           n;
  const PetscInt     M = FINE * d->npoints;
  const PetscReal    h = (d->hi - d->lo) / M, sigma = d->fwhm / (2 * PetscSqrtReal(2 * PetscLogReal(2.0)));
  PetscReal          total = 0;

  PetscFunctionBeginUser;
  PetscCall(SolverGetVolumeWeights(d->solver, &weights));
  for (PetscInt m = 0; m < M; ++m) d->fine[m] = 0;
  PetscCall(VecGetLocalSize(theta, &n));
  PetscCall(VecGetArrayRead(theta, &t));
  PetscCall(VecGetArrayRead(weights, &w));
  for (PetscInt i = 0; i < n; ++i) { /* deposit w_i between the two nearest fine points */
    const PetscReal x = (BraggAngle(d, LatticeC(d, PetscRealPart(t[i]))) - d->lo) / h - 0.5, wi = PetscRealPart(w[i]);
    PetscInt        m;
    PetscReal       f;
    if (!(x == x)) continue;
    m = (PetscInt)PetscFloorReal(x);
    f = x - m;
    if (m >= 0 && m < M) d->fine[m] += (1 - f) * wi;
    if (m + 1 >= 0 && m + 1 < M) d->fine[m + 1] += f * wi;
    total += wi;
  }
  PetscCall(VecRestoreArrayRead(weights, &w));
  PetscCall(VecRestoreArrayRead(theta, &t));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, d->fine, M, MPIU_REAL, MPIU_SUM, d->comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &total, 1, MPIU_REAL, MPIU_SUM, d->comm));
  for (PetscInt j = 0; j < d->npoints; ++j) { /* the Gaussian convolution averaged over output bin j (erf differences): unit area at any FWHM */
    const PetscReal width = (d->hi - d->lo) / d->npoints, a = d->lo + j * width, b = a + width;
    const PetscInt  m0 = PetscMax(0, (PetscInt)((a - 6 * sigma - d->lo) / h)), m1 = PetscMin(M - 1, (PetscInt)((b + 6 * sigma - d->lo) / h) + 1);
    PetscReal       v = 0;
    for (PetscInt m = m0; m <= m1; ++m) {
      const PetscReal mu = d->lo + (m + 0.5) * h;
      v += d->fine[m] * 0.5 * (erf((b - mu) / (sigma * PETSC_SQRT2)) - erf((a - mu) / (sigma * PETSC_SQRT2)));
    }
    d->profile[j] = v / (total * width);
  }
  PetscFunctionReturn(0);
}

/* Intensity normalised to unit area over 2θ in degrees */
PetscErrorCode DiffractionWriteHeader(Diffraction d, FileOut f)
{
  PetscFunctionBeginUser;
  PetscCall(FileOutPrintf(f, "t_s,two_theta_deg,intensity_per_deg\n"));
  PetscFunctionReturn(0);
}

/* Rank 0: the rows of the last DiffractionCompute */
PetscErrorCode DiffractionWriteRows(Diffraction d, PetscReal t, FileOut f)
{
  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < d->npoints; ++j) PetscCall(FileOutPrintf(f, "%.12g,%.8f,%.8e\n", (double)t, (double)(d->lo + (j + 0.5) * (d->hi - d->lo) / d->npoints), (double)d->profile[j]));
  PetscFunctionReturn(0);
}
