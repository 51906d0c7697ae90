#!/usr/bin/env bash
# make demo-fit: synthesise an optical movie from a run at alpha = 2.7, then fit alpha back
# (examples/fit_alpha). Placeholder until spot synth / spot fit land.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x examples/fit_alpha/run.sh ]; then exec bash examples/fit_alpha/run.sh; fi
echo "demo-fit: spot synth and spot fit are not available yet (issue 5)" >&2
exit 1
