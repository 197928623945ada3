#!/usr/bin/env bash
# Writes bench/ACCURACY.md: every std activation's error against double
# precision, forward and backward, and its special values.
# Usage: bench/accuracy.sh [BUILD_DIR] [--exhaustive]
set -euo pipefail
build=${1:-build}
mode=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$build/bin/actc-accuracy"
out="$root/bench/ACCURACY.md"
inputs="2^21 float32 bit patterns spread evenly, plus boundaries and specials"
[ "$mode" = "--exhaustive" ] && inputs="all 2^32 float32 inputs"

{
  echo "# Accuracy of the std.act kernels"
  echo
  echo "Made by \`bench/accuracy.sh $build $mode\` on $(date -u +%Y-%m-%d) ($(uname -m))."
  echo "Inputs: $inputs. Reference: the same optimised IR interpreted in double"
  echo "precision with the C library's math (\`actc-accuracy\`). Bounds: forward"
  echo "|computed - exact| <= 2 ulp(max(|exact|, 2^-126)); backward <= 4 ulp(|exact|) + 2^-24."
  echo "\"bound\" is the share of the bound used at the worst input (<= 100% passes)."
  for direction in forward backward; do
    echo
    echo "## ${direction^}"
    echo
    echo '```'
    flag=""; [ "$direction" = backward ] && flag="--grad"
    "$tool" "$root/dsl/std.act" $flag $mode | sed 's/  */ /g'
    echo '```'
  done
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
} > "$out"
echo "wrote $out"
