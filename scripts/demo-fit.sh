#!/usr/bin/env bash
# make demo-fit: synthesise an optical movie from a run at alpha = 2.7, then fit alpha back
# (examples/fit_alpha/run.sh; about a minute on 2 cores). Prints the recovered alpha.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}
exec bash examples/fit_alpha/run.sh "$BIN/spot"
