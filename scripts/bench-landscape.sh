#!/usr/bin/env bash
# make bench-landscape: what landscape probes cost on each study task, and λ_max by our probe against PyHessian on
# the same weights and batch (issue 11, item 7). A benchmark, not a test: it prints measurements and ratios.
#
# Per task: EPOCHS epochs (default 2) of training on the first LIMIT training examples with --probe-every epoch
# (a probe after each epoch's last update: the first starts cold, the later ones warm from the previous probe's
# eigenvectors, as in a real run). From that run, for the first (cold) and the last (warm) probe: its cost in
# gradient evaluations, its CPU seconds (user + system of the process while it ran, recorded with the probe; wall
# seconds for builds that did not record CPU time) and the mean CPU seconds of one training update measured by the
# training loop before it. The overhead at one probe per full epoch is probe / (full-epoch updates × update); at
# --probe-every auto with budget B it is probe / (K × update) with K = min(full-epoch updates, ⌈c·evaluations/B⌉),
# the interval the runner chooses, c the cost of one probe evaluation in updates that the runner measured and
# recorded (1 for builds before it did). Then `glidepath probe --examples BATCH` at the run's checkpoint and
# PyHessian (defaults maxIter=100, tol=1e-3) on the same weights and examples, side by side (seconds: wall / CPU);
# for the tasks listed in TIGHT also both at 300 iterations and tolerance 1e-5.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/glidepath}
PYTHON=${PYTHON:-python3}
DATA_DIR=${GLIDEPATH_DATA_DIR:-../shared/data}
THREADS=${THREADS:-1}
EPOCHS=${EPOCHS:-2}
BUDGET=${BUDGET:-0.1}
TASKS=${TASKS:-adult-mlp mnist-cnn cifar10-cnn imdb-bilstm sst2-bilstm}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "uptime: $(uptime)"
echo "binary: $BIN, threads: $THREADS, epochs: $EPOCHS, auto budget: $BUDGET"
printf '%-12s %6s | %5s %5s %8s %8s | %5s %5s %8s %8s | %9s %5s | %7s %5s | %10s %10s %8s %13s %13s %8s %8s %8s\n' \
  task upd/ep ev_c it_c probe_c ovh_c ev_w it_w probe_w ovh_w update_ms c ovh_au unit \
  lambda_ours lambda_pyh ratio s_ours/cpu s_pyh/cpu trace_o trace_p loss_diff
# task, training limit, full-epoch updates (docs/tasks.md), probe examples (the batch size)
while read -r task limit full batch; do
  case " $TASKS " in *" $task "*) ;; *) continue ;; esac
  store="$WORK/$task.sqlite"
  "$BIN" train --task "$task" --scheduler fixed --epochs "$EPOCHS" --train-limit "$limit" --eval-limit 256 \
    --data-dir "$DATA_DIR" --store "$store" --threads "$THREADS" --probe-every epoch >/dev/null 2>"$WORK/$task.log"
  run=$(sqlite3 "$store" "SELECT id FROM runs LIMIT 1")
  sqlite3 -json "$store" "SELECT step, gradient_evaluations AS evals, seconds, measurement FROM probes
    WHERE run_id='$run' ORDER BY step" > "$WORK/$task.probes.json"
  sqlite3 -json "$store" "SELECT (SELECT COUNT(*) FROM steps WHERE run_id='$run') AS updates,
    (SELECT SUM(train_seconds) FROM epochs WHERE run_id='$run') AS train" > "$WORK/$task.train.json"
  "$BIN" probe --run "$run" --store "$store" --examples "$batch" --json --save-inputs "$WORK/$task.safetensors" \
    --power-iterations 100 --tolerance 1e-3 --trace-samples 10 > "$WORK/$task.json"
  THREADS=$THREADS "$PYTHON" scripts/bench_landscape_pyhessian.py "$WORK/$task.safetensors" 2>/dev/null > "$WORK/$task.pyh.json"
  if [[ " ${TIGHT:-} " == *" $task "* ]]; then
    # Both converged further (300 iterations, tolerance 1e-5): at the defaults both stop early where λ₁ and λ₂
    # are close, and both Rayleigh quotients are lower bounds of λ_max.
    "$BIN" probe --run "$run" --store "$store" --examples "$batch" --json --power-iterations 300 --tolerance 1e-5 \
      --trace-samples 2 > "$WORK/$task.tight.json"
    THREADS=$THREADS "$PYTHON" scripts/bench_landscape_pyhessian.py "$WORK/$task.safetensors" 300 1e-5 2>/dev/null \
      > "$WORK/$task.pyh.tight.json"
    "$PYTHON" -c 'import json, sys; o, p = (json.load(open(f))["lambdaMax"] for f in sys.argv[2:]); print(f"  {sys.argv[1]} converged (300 iterations, tol 1e-5): ours {o:.6g}, PyHessian {p:.6g}, ratio {o / p:.5f}")' \
      "$task" "$WORK/$task.tight.json" "$WORK/$task.pyh.tight.json" > "$WORK/$task.tight.txt"
  fi
  "$PYTHON" - "$task" "$full" "$BUDGET" "$WORK/$task.probes.json" "$WORK/$task.train.json" "$WORK/$task.json" \
    "$WORK/$task.pyh.json" <<'PY'
import json, math, sys
task, full, budget = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
probes = json.load(open(sys.argv[4]))
train = json.load(open(sys.argv[5]))[0]
ours, pyh = json.load(open(sys.argv[6])), json.load(open(sys.argv[7]))
rows = [(p, json.loads(p["measurement"])) for p in probes]
# CPU time when the build records it (cost.cpuSeconds, cost.updateCPUSeconds), else wall time.
cpu = all(m["cost"].get("cpuSeconds") is not None and m["cost"].get("updateCPUSeconds") is not None for _, m in rows)
wall_update = (train["train"] - sum(p["seconds"] for p, _ in rows)) / train["updates"]
def cost(p, m):
    return (m["cost"]["cpuSeconds"], m["cost"]["updateCPUSeconds"]) if cpu else (p["seconds"], wall_update)
def iterations(m):
    return sum((m.get(k) or {}).get("iterations", 0) for k in ("lambdaMax", "preconditionedLambdaMax"))
def overhead(p, m):
    seconds, update = cost(p, m)
    factor = m["cost"].get("costFactor") or 1.0  # the task's constant c that `auto` uses
    k = min(full, max(1, math.ceil(factor * p["evals"] / budget)))
    measured = m["cost"].get("measuredCostFactor") or factor  # this probe's own CPU ratio
    return seconds, update, 100 * seconds / (full * update), 100 * seconds / (k * update), measured
cold, warm = rows[0], rows[-1]
cs, cu, ce, ca, _ = overhead(*cold)
ws, wu, we, wa, factor = overhead(*warm)
m = ours["measurement"]["lambdaMax"]
print(f"{task:<12} {full:6d} | {cold[0]['evals']:5d} {iterations(cold[1]):5d} {cs:8.3f} {ce:7.2f}% | "
      f"{warm[0]['evals']:5d} {iterations(warm[1]):5d} {ws:8.3f} {we:7.2f}% | {1000*wu:9.2f} {factor:5.2f} | "
      f"{wa:6.2f}% {'cpu' if cpu else 'wall':>5} | "
      f"{ours['lambdaMax']:10.5g} {pyh['lambdaMax']:10.5g} {ours['lambdaMax']/pyh['lambdaMax']:8.5f} "
      f"{m['seconds']:6.3f}/{(m.get('cpuSeconds') or float('nan')):6.3f} "
      f"{pyh['lambdaSeconds']:6.3f}/{pyh.get('lambdaCPUSeconds', float('nan')):6.3f} "
      f"{ours['trace']:8.4g} {pyh['trace']:8.4g} {abs(ours['loss']-pyh['loss']):8.1e}")
PY
  cat "$WORK/$task.tight.txt" 2>/dev/null || true
done <<'TASKS'
adult-mlp 40000 229 128
mnist-cnn 6400 844 64
cifar10-cnn 3200 704 64
imdb-bilstm 1600 704 32
sst2-bilstm 3200 1895 32
TASKS
echo "uptime: $(uptime)"
