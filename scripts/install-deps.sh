#!/usr/bin/env bash
# Installs the Debian packages actc needs, only those missing (idempotent).
# Run as root (CI and fresh machines are); otherwise sudo is used if present.
# Extra packages may be named as arguments (`make fuzz` adds clang's).
set -euo pipefail

packages=(
  # Build
  cmake ninja-build g++ python3 pkg-config
  # Compiler: MLIR/LLVM 14 and Halide 14 (which links the same libLLVM-14)
  llvm-14-dev libmlir-14-dev mlir-14-tools libhalide14-0-dev
  # Libraries
  libfmt-dev zlib1g-dev
  # Runtime: the GEMMs of the network, and the data set fmnist trains on
  libopenblas-dev dataset-fashion-mnist
  # Tests: lit, FileCheck, not (llvm-14-tools), GoogleTest, a C compiler
  llvm-14-tools googletest libgtest-dev gcc
  # The report test renders fmnist's report.html in headless Chromium
  chromium
  # Benchmarks (bench/): Google Benchmark, and the anchors the kernels are
  # timed against: oneDNN's eltwise primitive, PyTorch's aten kernels
  # (libtorch) and OpenBLAS's sgemm
  libbenchmark-dev libdnnl-dev libtorch-dev libopenblas-dev
  "$@"
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "error: need root to install ${missing[*]}; run as root or install them" >&2; exit 1; fi; }
export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
run apt-get install -y -qq --no-install-recommends "${missing[@]}"
