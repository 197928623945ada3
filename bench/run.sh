#!/usr/bin/env bash
# Runs the CPU benchmarks and rewrites their tables in bench/README.md, each
# between its <!-- NAME:begin --> and <!-- NAME:end --> markers, with the
# command, the machine, the date and the load it ran under.
#
# Usage: bench/run.sh [BUILD_DIR] [Google Benchmark flags...]
#   e.g. bench/run.sh build --benchmark_filter='gelu|memcpy'
# A filter leaves the other rows as "—": use it to explore, not to publish.
# BENCH_ONLY=linear (or elementwise) runs one of the two.
#
# Each benchmark is repeated (interleaved with the others, so that a burst of
# load hits one repetition, not every repetition of one kernel) and the
# fastest repetition is kept. On a shared machine, run it when the load
# average is low: the tables record it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift || true
readme="$root/bench/README.md"

repetitions=${BENCH_REPETITIONS:-5}
min_time=${BENCH_MIN_TIME:-0.05}
extra="" # the caller's flags, quoted for the tables' command line
for flag in "$@"; do extra+=" $(printf '%q' "$flag")"; done
flags=(--benchmark_repetitions="$repetitions" --benchmark_min_time="$min_time"
       --benchmark_enable_random_interleaving=true "$@")

only=${BENCH_ONLY:-}
# The anchor should be the best OpenBLAS does here: 0.3.21 does not
# recognise Zen 5 and falls back to its AVX2 (Haswell) kernels, and this
# environment exports OPENBLAS_CORETYPE=Haswell as well. On AVX-512 machines
# the benchmark runs with its AVX-512 kernels (BENCH_OPENBLAS_CORETYPE to
# choose others); the linear table names the kernels used.
if grep -q -m1 -w avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=${BENCH_OPENBLAS_CORETYPE:-SkylakeX}
fi
cmake --build "$build" --target bench_elementwise bench_linear >/dev/null

machine() {
  local model cpus isa
  model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
  model+=" (family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1))"
  cpus=$(nproc)
  isa=$(grep -o -m1 -w 'avx512f' /proc/cpuinfo || grep -o -m1 -w 'avx2' /proc/cpuinfo || echo sse)
  echo "$model, $cpus CPUs, ${isa/avx512f/AVX-512}, $(uname -m)"
}

# splice NAME FILE: replaces README's NAME block by FILE's text.
splice() {
  local name=$1 body=$2 tmp
  grep -q "<!-- $name:begin -->" "$readme" || {
    echo "run.sh: no <!-- $name:begin --> marker in $readme" >&2; exit 1; }
  tmp=$(mktemp)
  awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" -v body="$body" '
    $0 == begin { print; while ((getline line < body) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }' "$readme" >"$tmp"
  mv "$tmp" "$readme"
}

run() {
  local name=$1 binary=$2 tables log load_before load_after
  tables=$(mktemp)
  log="$build/bench/$name.log"
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  echo "run.sh: $binary (log: $log)" >&2
  "$build/bin/$binary" "${flags[@]}" --markdown="$tables.md" >"$log" 2>&1
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  {
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $(machine); load average $load_before" \
         "before and $load_after after. Command: \`bench/run.sh $build${extra}\`" \
         "(\`$binary$(printf ' %s' "${flags[@]}")\`)."
    cat "$tables.md"
    echo
  } >"$tables"
  splice "$name" "$tables"
  rm -f "$tables" "$tables.md"
}

[ -z "$only" ] || [ "$only" = elementwise ] && run elementwise bench_elementwise
[ -z "$only" ] || [ "$only" = linear ] && run linear bench_linear
echo "run.sh: tables written to $readme" >&2
