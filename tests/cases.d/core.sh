# Input, physics and solver of spot run (issue 2)
case_ unit_units 60 "$TESTS/test_units"
case_ unit_diffusivity 60 "$TESTS/test_diffusivity"
