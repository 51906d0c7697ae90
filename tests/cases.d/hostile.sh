# The generated hostile-input suite (tests/hostile/): hundreds of bad inputs to every command, each
# refused with one line "spot: error: ...", exit status 1, nothing left behind, no crash, no hang,
# bounded memory; cases that break this today are listed in tests/hostile/run.sh (expected_failures).
case_ hostile_suite 600 bash tests/hostile/run.sh
