#!/usr/bin/env bash
# fmnist against PyTorch 1.13 (CPU) on the same MLP, batch, optimiser, data
# and threads, one after the other in one run; prints a Markdown table.
#
#   bench/fmnist_vs_torch.sh [--epochs N] [--threads T] [--acts relu,gelu]
#
# Defaults: 1 epoch, 2 threads, relu and gelu (the issue's target). Honours
# FMNIST_DATA (both programs read it), FMNIST_BIN (default build/bin/fmnist)
# and PYTHON (default /usr/bin/python3, the one Debian's python3-torch serves).
# Exit status 1 if fmnist is missing or any run failed, 2 for bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=1
threads=2
acts=relu,gelu
fmnist=${FMNIST_BIN:-build/bin/fmnist}
python=${PYTHON:-/usr/bin/python3}

usage() {
  echo "usage: $0 [--epochs N] [--threads T] [--acts NAME,NAME,...]" >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --epochs=* | --threads=* | --acts=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
  esac
  case "$1" in
    --epochs | --threads | --acts)
      [ $# -ge 2 ] || { echo "error: $1 needs a value" >&2; usage; }
      declare "${1#--}=$2"
      shift 2
      ;;
    -h | --help) usage ;;
    *) echo "error: unknown argument '$1'" >&2; usage ;;
  esac
done
[[ $epochs =~ ^[1-9][0-9]*$ ]] || { echo "error: --epochs: expected a positive integer, got '$epochs'" >&2; exit 2; }
[[ $threads =~ ^[1-9][0-9]*$ ]] || { echo "error: --threads: expected a positive integer, got '$threads'" >&2; exit 2; }
[[ $acts =~ ^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$ ]] || { echo "error: --acts: expected names like relu,gelu, got '$acts'" >&2; exit 2; }

if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "PyTorch is missing for $python: installing python3-torch" >&2
  scripts/install-deps.sh python3-torch
fi
torch_version=$("$python" -c 'import torch; print(torch.__version__)')

status=0
if [ ! -x "$fmnist" ]; then
  echo "note: $fmnist is not built (cmake --build build --target fmnist); measuring PyTorch only" >&2
  fmnist=
  status=1
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Runs one trainer, its output in $logs/NAME.log; prints "accuracy loss
# seconds" from its last line, or nothing when it failed.
train() {
  local name=$1
  shift
  echo "running: $*" >&2
  if ! "$@" >"$logs/$name.log" 2>&1; then
    echo "error: $name failed; its last lines:" >&2
    tail -n 3 "$logs/$name.log" | sed 's/^/  /' >&2
    return 0
  fi
  sed -n 's/^test_accuracy=\([^ ]*\) test_loss=\([^ ]*\) train_seconds=\([^ ]*\)$/\1 \2 \3/p' \
    "$logs/$name.log" | tail -n 1
}

# One row of the table: fmnist's and torch's results, or "-" for a missing one.
row() {
  awk -v act="$1" -v f="$2" -v t="$3" -v epochs="$epochs" 'BEGIN {
    nf = split(f, fr, " "); nt = split(t, tr, " ")
    fs = nf ? sprintf("%.2f", fr[3] / epochs) : "-"
    ts = nt ? sprintf("%.2f", tr[3] / epochs) : "-"
    # awk pads by bytes, so the two-byte "×" goes after the padded number.
    speedup = (nf && nt && fr[3] > 0) ? sprintf("%6.1f×", tr[3] / fr[3]) : sprintf("%7s", "-")
    fa = nf ? sprintf("%.4f", fr[1]) : "-"
    ta = nt ? sprintf("%.4f", tr[1]) : "-"
    delta = (nf && nt) ? sprintf("%+.2f", (fr[1] - tr[1]) * 100) : "-"
    printf "| %-12s | %14s | %13s | %s | %10s | %9s | %8s |\n", act, fs, ts, speedup, fa, ta, delta
  }'
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
rows=()
for act in ${acts//,/ }; do
  fmnist_result=
  if [ -n "$fmnist" ]; then
    fmnist_result=$(train "fmnist-$act" "$fmnist" train --act "$act" --epochs "$epochs" --threads "$threads")
    [ -n "$fmnist_result" ] || status=1
  fi
  torch_result=$(train "torch-$act" "$python" bench/fmnist_torch.py --act "$act" --epochs "$epochs" --threads "$threads")
  [ -n "$torch_result" ] || status=1
  rows+=("$(row "$act" "$fmnist_result" "$torch_result")")
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "MLP 784-256-128-10, batch 128, Adam lr 1e-3, $epochs epoch(s), $threads thread(s);" \
  "PyTorch $torch_version; ${cpu:-unknown CPU}, $(nproc) CPUs; load average $load_before before, $load_after after."
if awk -v load="$load_before" -v cpus="$(nproc)" -v threads="$threads" \
  'BEGIN { exit !(load > cpus - threads + 0.5) }'; then
  echo "Warning: the machine was busy before the run. PyTorch's OpenMP threads spin while they wait, so"
  echo "its multi-threaded timings are inflated many times (2 vCPUs, load 6: 66 s instead of 2.7 s an epoch);"
  echo "rerun on an idle machine, or export OMP_WAIT_POLICY=PASSIVE to see PyTorch at its best under load."
fi
echo
printf "| %-12s | %14s | %13s | %7s | %10s | %9s | %8s |\n" activation "fmnist s/epoch" "torch s/epoch" \
  speedup "fmnist acc" "torch acc" "Δ points"
echo "|--------------|---------------:|--------------:|--------:|-----------:|----------:|---------:|"
printf '%s\n' "${rows[@]}"
exit $status
