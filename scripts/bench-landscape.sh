#!/usr/bin/env bash
# make bench-landscape: what landscape probes cost on each study task, and λ_max by our probe against PyHessian on
# the same weights and batch (issue 11, item 7). A benchmark, not a test: it prints measurements and ratios.
#
# Per task: one epoch of training on the first LIMIT training examples with --probe-every epoch (the
# probe runs after the epoch's last update). From that run: the probe's wall time, its cost in gradient
# evaluations, and the mean update time without probes; the overhead at one probe per full epoch is
# probe seconds / (full-epoch updates × update seconds), and at --probe-every auto with budget B it is
# probe seconds / (K × update seconds) with K = ⌈evaluations/B⌉ (capped at one epoch), the interval the
# runner chooses. Then `glidepath probe --examples BATCH` at the run's checkpoint and PyHessian
# (defaults maxIter=100, tol=1e-3) on the same weights and examples, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/glidepath}
PYTHON=${PYTHON:-python3}
DATA_DIR=${GLIDEPATH_DATA_DIR:-../shared/data}
THREADS=${THREADS:-1}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "uptime: $(uptime)"
echo "threads: $THREADS"
printf '%-12s %6s %6s %8s %9s %8s %8s %10s %10s | %10s %10s %7s %8s %8s %8s\n' task upd/ep evals probe_s update_ms \
  ovh_epoch ovh_auto lambda_ours lambda_pyh ratio s_ours s_pyh trace_ours trace_pyh loss_diff
# task, training limit, full-epoch updates (docs/tasks.md), probe examples (the batch size)
while read -r task limit full batch; do
  store="$WORK/$task.sqlite"
  "$BIN" train --task "$task" --scheduler fixed --epochs 1 --train-limit "$limit" --eval-limit 256 \
    --data-dir "$DATA_DIR" --store "$store" --threads "$THREADS" --probe-every epoch >/dev/null 2>"$WORK/$task.log"
  run=$(sqlite3 "$store" "SELECT id FROM runs LIMIT 1")
  read -r updates train_seconds < <(sqlite3 -separator ' ' "$store" \
    "SELECT (SELECT COUNT(*) FROM steps WHERE run_id='$run'), train_seconds FROM epochs WHERE run_id='$run'")
  read -r evals probe_seconds < <(sqlite3 -separator ' ' "$store" \
    "SELECT gradient_evaluations, seconds FROM probes WHERE run_id='$run'")
  "$BIN" probe --run "$run" --store "$store" --examples "$batch" --json --save-inputs "$WORK/$task.safetensors" \
    --power-iterations 100 --tolerance 1e-3 --trace-samples 10 > "$WORK/$task.json"
  THREADS=$THREADS "$PYTHON" scripts/bench_landscape_pyhessian.py "$WORK/$task.safetensors" 2>/dev/null > "$WORK/$task.pyh.json"
  "$PYTHON" - "$task" "$updates" "$train_seconds" "$evals" "$probe_seconds" "$full" "$WORK/$task.json" "$WORK/$task.pyh.json" <<'PY'
import json, math, sys
task, updates, train, evals, probe, full = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
ours, pyh = json.load(open(sys.argv[7])), json.load(open(sys.argv[8]))
update = (train - probe) / updates
k = min(full, max(1, math.ceil(evals / 0.1)))
m = ours["measurement"]
print(f"{task:<12} {full:6d} {evals:6d} {probe:8.3f} {1000*update:9.2f} {100*probe/(full*update):7.2f}% {100*probe/(k*update):7.2f}% "
      f"{ours['lambdaMax']:10.5g} {pyh['lambdaMax']:10.5g} | {ours['lambdaMax']/pyh['lambdaMax']:10.5f} "
      f"{m['lambdaMax']['seconds']:10.3f} {pyh['lambdaSeconds']:7.3f} {ours['trace']:8.4g} {pyh['trace']:8.4g} {abs(ours['loss']-pyh['loss']):8.1e}")
PY
done <<'TASKS'
adult-mlp 40000 229 128
mnist-cnn 6400 844 64
cifar10-cnn 3200 704 64
imdb-bilstm 1600 704 32
sst2-bilstm 3200 1895 32
TASKS
