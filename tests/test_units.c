/* Units and quantities: conversions to internal units, options with units, bad units. */
#include "testing.h"

static PetscErrorCode Convert(const char unit[], UnitKind kind, PetscReal v, PetscReal expect)
{
  PetscReal out;
  PetscBool ok;

  PetscFunctionBeginUser;
  PetscCall(UnitToInternal(unit, kind, v, &out, &ok));
  CHECK(ok, "unit '%s' not accepted as %s", unit, UnitKindNames[kind]);
  CHECK_CLOSE(out, expect, 1e-14, unit);
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscReal v, arr[8];
  PetscInt  n;
  PetscBool ok, set;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(InputPushErrorHandler());
  PetscCall(Convert("um", UNIT_LENGTH, 2, 2));
  PetscCall(Convert("µm", UNIT_LENGTH, 2, 2));
  PetscCall(Convert("μm", UNIT_LENGTH, 2, 2));
  PetscCall(Convert("nm", UNIT_LENGTH, 500, 0.5));
  PetscCall(Convert("m", UNIT_LENGTH, 1e-6, 1));
  PetscCall(Convert("min", UNIT_TIME, 2, 120));
  PetscCall(Convert("h", UNIT_TIME, 1, 3600));
  PetscCall(Convert("cm2/s", UNIT_DIFFUSIVITY, 1e-14, 1e-6));
  PetscCall(Convert("cm^2/s", UNIT_DIFFUSIVITY, 1e-14, 1e-6));
  PetscCall(Convert("cm²/s", UNIT_DIFFUSIVITY, 1e-14, 1e-6));
  PetscCall(Convert("m2/s", UNIT_DIFFUSIVITY, 1e-18, 1e-6));
  PetscCall(Convert("mol/L", UNIT_CONCENTRATION, 49, 49000));
  PetscCall(Convert("mA/cm2", UNIT_CURRENT_DENSITY, 1, 10));
  PetscCall(Convert("degC", UNIT_TEMPERATURE, 25, 298.15));
  PetscCall(Convert("mV", UNIT_POTENTIAL, 3, 0.003));
  PetscCall(Convert("C", UNIT_C_RATE, 0.5, 0.5));
  PetscCall(Convert("", UNIT_TIME, 7, 7)); /* a bare number is internal */

  PetscCall(UnitToInternal("furlong", UNIT_LENGTH, 1, &v, &ok));
  CHECK(!ok, "furlong accepted as a length");
  PetscCall(UnitToInternal("s", UNIT_LENGTH, 1, &v, &ok));
  CHECK(!ok, "a time unit accepted as a length");

  PetscCall(PetscOptionsSetValue(NULL, "-t_a", "60min"));
  PetscCall(InputGetQuantity("-t_a", UNIT_TIME, &v, &set));
  CHECK(set && v == 3600, "-t_a 60min gave %g", (double)v);
  PetscCall(PetscOptionsSetValue(NULL, "-t_b", "1e-14 cm2/s"));
  PetscCall(InputGetQuantity("-t_b", UNIT_DIFFUSIVITY, &v, &set));
  CHECK_CLOSE(v, 1e-6, 1e-14, "-t_b 1e-14 cm2/s");
  PetscCall(PetscOptionsSetValue(NULL, "-t_c", "0,5,10min"));
  n = 8;
  PetscCall(InputGetQuantityArray("-t_c", UNIT_TIME, arr, &n, &set));
  CHECK(n == 3 && arr[0] == 0 && arr[1] == 300 && arr[2] == 600, "-t_c 0,5,10min gave %" PetscInt_FMT " values", n);
  PetscCall(InputGetQuantity("-t_missing", UNIT_TIME, &v, &set));
  CHECK(!set, "an absent option reported as set");

  PetscCall(PetscOptionsSetValue(NULL, "-t_d", "5 parsecs"));
  CHECK_USER_ERROR(InputGetQuantity("-t_d", UNIT_LENGTH, &v, &set), "option -t_d: unknown unit 'parsecs' for -t_d, expected a unit of length such as um");
  PetscCall(PetscOptionsSetValue(NULL, "-t_e", "fast"));
  CHECK_USER_ERROR(InputGetQuantity("-t_e", UNIT_TIME, &v, &set), "option -t_e: expected a number");

  PetscCall(PetscFinalize());
  return test_failures;
}
