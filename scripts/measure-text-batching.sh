#!/usr/bin/env bash
# Text batching before/after (issue 13 item 1): training seconds per epoch and validation accuracy of
# the text tasks with a baseline binary (BEFORE, e.g. a `make release` build of the commit before
# bucketing) and this checkout's binary with --text-batching padded and bucketed, interleaved
# (A B C A B C …) because the machine is shared: report the spread, not one number.
#
# Usage: BEFORE=/path/to/old/glidepath scripts/measure-text-batching.sh
#   GLIDEPATH    this checkout's binary          (default .build/release/glidepath)
#   BEFORE       the baseline binary             (default: none; only the two modes of GLIDEPATH run)
#   DATA_DIR     data directory                  (default $GLIDEPATH_DATA_DIR)
#   TASKS        tasks                           (default "sst2-bilstm imdb-bilstm")
#   SEEDS        seeds                           (default "0")
#   REPEATS      interleaved rounds              (default 2)
#   THREADS      compute threads                 (default 2)
#   TRAIN_LIMIT  training examples (one epoch)   (default 6400 = 200 updates of 32; 0 = the whole training part)
#   EVAL_LIMIT   validation and test examples    (default 100000: all)
#   ARMS         this binary's modes             (default "padded bucketed")
# Prints one line per run: task, arm, seed, train seconds of the epoch, evaluation seconds (validation),
# validation accuracy, the rest of the process's wall time (start-up — reading, tokenising, building —
# plus the test evaluation and the store's writes: an upper bound on the time to the first step), the
# process's CPU seconds (user + system, all threads: less disturbed by other jobs than wall time on a
# shared machine) and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
GLIDEPATH=${GLIDEPATH:-.build/release/glidepath}
BEFORE=${BEFORE:-}
DATA_DIR=${DATA_DIR:-${GLIDEPATH_DATA_DIR:-}}
TASKS=${TASKS:-"sst2-bilstm imdb-bilstm"}
SEEDS=${SEEDS:-0}
REPEATS=${REPEATS:-2}
THREADS=${THREADS:-2}
TRAIN_LIMIT=${TRAIN_LIMIT:-6400}
EVAL_LIMIT=${EVAL_LIMIT:-100000}
[[ -n "$DATA_DIR" ]] || { echo "set DATA_DIR or GLIDEPATH_DATA_DIR" >&2; exit 64; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== text batching: $(date -u +%Y-%m-%dT%H:%M:%SZ)  threads $THREADS  train-limit $TRAIN_LIMIT  eval-limit $EVAL_LIMIT"
echo "uptime: $(uptime)"
printf '%-12s %-9s %4s %3s %9s %8s %8s %9s %8s %9s\n' task arm seed rep train_s eval_s val_acc other_s cpu_s rss_MiB
run() {  # task arm seed repeat binary [options…]
    local task=$1 arm=$2 seed=$3 repeat=$4 binary=$5
    shift 5
    local log="$TMP/$task-$arm-$seed-$repeat"
    local limit=()
    if [[ "$TRAIN_LIMIT" != 0 ]]; then limit=(--train-limit "$TRAIN_LIMIT"); fi
    /usr/bin/time -f '%e %M %U %S' -o "$log.time" "$binary" train --task "$task" --scheduler fixed --epochs 1 \
        --seed "$seed" --threads "$THREADS" "${limit[@]}" --eval-limit "$EVAL_LIMIT" \
        --data-dir "$DATA_DIR" --store "$TMP/runs.sqlite" "$@" > /dev/null 2> "$log.err"
    # "epoch 1/1  train loss …  acc 0.812 …  train 12.3 s  eval 1.2 s"
    local line train eval acc wall rss user system
    line=$(grep -a 'epoch 1/1 ' "$log.err" | tail -1 | tr -d '\r')
    train=$(sed -E 's/.* train ([0-9.]+) ?(ms|s).*/\1 \2/' <<< "$line" | awk '{print ($2 == "ms") ? $1 / 1000 : $1}')
    eval=$(sed -E 's/.* eval ([0-9.]+) ?(ms|s).*/\1 \2/' <<< "$line" | awk '{print ($2 == "ms") ? $1 / 1000 : $1}')
    acc=$(sed -E 's/.* acc ([0-9.]+) .*/\1/' <<< "$line")
    read -r wall rss user system < <(tail -1 "$log.time")
    printf '%-12s %-9s %4s %3s %9.2f %8.2f %8s %9.2f %8.1f %9.0f\n' "$task" "$arm" "$seed" "$repeat" "$train" "$eval" "$acc" \
        "$(awk -v w="$wall" -v t="$train" -v e="$eval" 'BEGIN { print w - t - e }')" \
        "$(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }')" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
ARMS=${ARMS:-"padded bucketed"}
for task in $TASKS; do
    for seed in $SEEDS; do
        for repeat in $(seq 1 "$REPEATS"); do
            if [[ -n "$BEFORE" ]]; then run "$task" before "$seed" "$repeat" "$BEFORE"; fi
            for arm in $ARMS; do run "$task" "$arm" "$seed" "$repeat" "$GLIDEPATH" --text-batching "$arm"; done
        done
    done
done
echo "uptime after: $(uptime)"
