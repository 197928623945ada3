#!/usr/bin/env bash
# Writes bench/ACCURACY.md: every std activation's error against double
# precision, forward and backward, and its special values.
# Usage: bench/accuracy.sh [BUILD_DIR] [--exhaustive]
# --exhaustive sweeps all 2^32 float32 inputs, forward and backward (about
# 40 minutes each on two idle cores). The table is written to a
# temporary file and moved into place at the end, so that an interrupted run
# leaves the previous one intact; progress goes to stderr.
set -euo pipefail
build=${1:-build}
mode=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$build/bin/actc-accuracy"
out="$root/bench/ACCURACY.md"
sampled="2^24 float32 bit patterns spread evenly, plus boundaries and specials"
inputs=$sampled
[ "$mode" = "--exhaustive" ] && inputs="all 2^32 float32 inputs"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT

# One direction's table, each line also echoed to stderr as it completes.
sweep() {
  "$tool" "$root/dsl/std.act" "$@" | sed -u 's/  */ /g' | tee /dev/stderr
}

{
  echo "# Accuracy of the std.act kernels"
  echo
  echo "Made by \`bench/accuracy.sh $build${mode:+ $mode}\` on $(date -u +%Y-%m-%d) ($(uname -m))."
  echo "Reference: the same optimised IR interpreted in double precision with the"
  echo "C library's math (\`actc-accuracy\`). Bounds: forward"
  echo "|computed - exact| <= 2 ulp(max(|exact|, 2^-126)); backward <= 4 ulp(|exact|) + 2^-24."
  echo "\"bound\" is the share of the bound used at the worst input (<= 100% passes)."
  echo
  echo "## Forward"
  echo
  echo "Inputs: $inputs."
  echo
  echo '```'
  sweep $mode
  echo '```'
  echo
  echo "## Backward"
  echo
  echo "Inputs: $inputs."
  echo
  echo '```'
  sweep --grad $mode
  echo '```'
  echo
  echo "## Derived derivatives against central differences (double precision)"
  echo
  echo '```'
  "$tool" "$root/dsl/std.act" --gradcheck
  echo '```'
  echo
  echo "## Special values (forward, through \`actc --eval\`)"
  echo
  specials="-inf -3.40282347e+38 -1 -1.17549435e-38 -0 0 1.17549435e-38 1 3.40282347e+38 inf nan"
  echo "| activation | $(echo $specials | sed 's/ / | /g') |"
  echo "|---$(printf '|---%.0s' $specials)|"
  for name in $("$build/bin/actc" "$root/dsl/std.act" --emit=mlir | sed -n 's/^  act.activation @\([a-z0-9_]*\)(.*/\1/p'); do
    values=$(echo "$specials" | "$build/bin/actc" "$root/dsl/std.act" --eval="$name" | tr '\n' ' ')
    echo "| $name | $(echo $values | sed 's/ / | /g') |"
  done
} > "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "wrote $out"
