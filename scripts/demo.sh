#!/usr/bin/env bash
# `make demo`: a short tour of actc on the standard library and a custom file.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
actc="$build/bin/actc"
out="$build/demo"
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Compile the standard library: dsl/std.act -> $out/std.a + std.h"
"$actc" "$root/dsl/std.act" -o "$out/std"
ls -l "$out/std.a" "$out/std.h" | awk '{print "  " $5 " bytes  " $9}'
printf '  %s kernels, e.g.\n' "$(grep -c '^int actc_' "$out/std.h")"
grep '^int actc_\(gelu\|elu\|softplus\)_' "$out/std.h" | sed 's/^/    /'

step "MLIR for mish, as generated (calls into softplus) and optimised (inlined)"
"$actc" "$root/dsl/std.act" --emit=mlir --act=mish
"$actc" "$root/dsl/std.act" --emit=mlir-opt --act=mish

step "Evaluate activations through the generated kernels (JIT)"
inputs="-inf -3 -1 -0 0 1 3 inf nan"
printf '  %-10s' x; for v in $inputs; do printf '%12s' "$v"; done; echo
for name in relu gelu silu mish softplus elu tanh; do
  printf '  %-10s' "$name"
  echo "$inputs" | "$actc" "$root/dsl/std.act" --eval=$name | while read -r v; do printf '%12.6g' "$v" 2>/dev/null || printf '%12s' "$v"; done
  echo
done

step "A custom activation from C: examples/custom_activation"
"$actc" "$root/examples/custom_activation/squareplus.act" -o "$out/squareplus"
cc -std=c99 -O2 -I "$out" "$root/examples/custom_activation/main.c" "$out/squareplus.a" \
   -L"$build/lib" -lactc_rt -lpthread -ldl -lm -o "$out/squareplus_demo"
"$out/squareplus_demo" | sed 's/^/  /'

fmnist="$build/bin/fmnist"
step "Train Fashion-MNIST's MLP (784-256-128-10, relu, Adam, 3 epochs) on the generated kernels"
"$fmnist" train --out "$out/fmnist" | sed 's/^/  /'
printf '  kept: %s/{metrics.csv,checkpoint.bin}\n' "$out/fmnist"

step "Evaluate the checkpoint: the same test accuracy and loss"
"$fmnist" eval --checkpoint "$out/fmnist/checkpoint.bin" | sed 's/^/  /'

step "Train with squareplus, compiled from its .act file by fmnist itself"
"$fmnist" train --act-lib "$root/examples/custom_activation/squareplus.act" \
  --act squareplus --epochs 1 | sed 's/^/  /'
