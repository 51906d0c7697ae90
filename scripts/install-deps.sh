#!/usr/bin/env bash
# Installs the Debian packages spot needs, if any are missing, without questions.
# Prints what it installs; prints nothing else when everything is present.
set -euo pipefail
packages=(build-essential pkg-config petsc-dev libopenmpi-dev openmpi-bin
          libhdf5-openmpi-dev hdf5-tools libgmsh-dev gmsh libxml2-dev libxml2-utils libpng-dev libtiff-dev
          libcairo2-dev fonts-dejavu-core  # figures (postproc/figures/plot.c): PNG, PDF, SVG; DejaVu Sans for θ, µ, ²
          python3-numpy python3-h5py python3-matplotlib python3-meshio  # tests that read outputs as users would; figures of postproc/*.py
          clang libclang-rt-dev)        # make fuzz: clang, libFuzzer and the sanitizers' runtimes (tests/fuzz/)
# Not installed here (about 700 MB): paraview and python3-paraview; where pvpython is present,
# tests/cases.d/fields.sh also opens fields.xmf with ParaView's XDMF readers.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; please install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
