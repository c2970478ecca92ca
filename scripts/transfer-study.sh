#!/usr/bin/env bash
# MLR-SNet transfer study (issue 6 item 5): the published nets and our meta-trained net driving SGD on
# tasks they were not meta-trained on, against constant, step, exponential and cosine schedules at the
# same budget, over several seeds. Every run goes into one run store; scripts/transfer-table.py then
# writes the summary table (docs/transfer.md).
#
# Usage: scripts/transfer-study.sh            (settings from the environment, defaults below)
#   GLIDEPATH        the binary                       (default .build/release/glidepath, else .build/debug/glidepath)
#   DATA_DIR         data directory                   (default $GLIDEPATH_DATA_DIR, else ../shared/data)
#   OFFICIAL_DIR     the published nets               (default $GLIDEPATH_WEIGHTS_DIR/mlrsnet, else ../shared/weights/mlrsnet)
#   OUR_NET          our net                          (default weights/glidepath-mlrsnet-mnist-cnn.json)
#   TASKS            tasks                            (default "fashion-mnist-cnn adult-mlp sst2-bilstm")
#   SEEDS            seeds                            (default "0 1 2")
#   EPOCHS           epochs per run, every arm        (default 3)
#   TRAIN_LIMIT      train on the first N examples    (default empty: all)
#   EVAL_LIMIT       evaluate on the first N examples (default empty: all)
#   THREADS          compute threads per run          (default 1)
#   STORE            run store                        (default transfer-study.sqlite)
#   ARMS             arms to run                      (default "constant step exponential cosine mlrsnet-official mlrsnet-ours")
#
# Every arm uses `--optimizer sgd` (the lab's SGD: momentum 0.9, weight decay 5e-4, base rate 1e-2); the
# closed-form schedules scale that base rate, MLR-SNet overwrites it with γ·a_t every update
# (docs/mlrsnet.md). Runs that already completed in STORE (same task, arm and seed) are skipped, so the
# script can be stopped and restarted.
set -euo pipefail
cd "$(dirname "$0")/.."

GLIDEPATH=${GLIDEPATH:-}
if [[ -z "$GLIDEPATH" ]]; then
    if [[ -x .build/release/glidepath ]]; then GLIDEPATH=.build/release/glidepath; else GLIDEPATH=.build/debug/glidepath; fi
fi
DATA_DIR=${DATA_DIR:-${GLIDEPATH_DATA_DIR:-../shared/data}}
OFFICIAL_DIR=${OFFICIAL_DIR:-${GLIDEPATH_WEIGHTS_DIR:-../shared/weights}/mlrsnet}
OUR_NET=${OUR_NET:-weights/glidepath-mlrsnet-mnist-cnn.json}
TASKS=${TASKS:-"fashion-mnist-cnn adult-mlp sst2-bilstm"}
SEEDS=${SEEDS:-"0 1 2"}
EPOCHS=${EPOCHS:-3}
TRAIN_LIMIT=${TRAIN_LIMIT:-}
EVAL_LIMIT=${EVAL_LIMIT:-}
THREADS=${THREADS:-1}
STORE=${STORE:-transfer-study.sqlite}
ARMS=${ARMS:-"constant step exponential cosine mlrsnet-official mlrsnet-ours"}

configs=$(mktemp -d)
trap 'rm -rf "$configs"' EXIT

# Scheduler objects. step: ×0.1 at E/3 and 2E/3 (the reference's MultiStep shape at this budget);
# exponential: ×0.01 over the run, γ = 0.01^(1/E); cosine: tMax filled by `train` (= E epochs);
# constant: ConstantLR with factor 1 (the base rate throughout).
step_size=$(( EPOCHS / 3 > 0 ? EPOCHS / 3 : 1 ))
exp_gamma=$(awk -v e="$EPOCHS" 'BEGIN { printf "%.17g", exp(log(0.01) / e) }')
echo '{"name": "constant", "factor": 1, "totalIters": 1}' > "$configs/constant.json"
echo "{\"name\": \"step\", \"stepSize\": $step_size, \"gamma\": 0.1}" > "$configs/step.json"
echo "{\"name\": \"exponential\", \"gamma\": $exp_gamma}" > "$configs/exponential.json"
echo '{"name": "cosine"}' > "$configs/cosine.json"
official=$(cd "$OFFICIAL_DIR" && pwd)
echo "{\"name\": \"mlrsnet\", \"weights\": [\"$official/mlr_snet_1.json\", \"$official/mlr_snet_100.json\", \"$official/mlr_snet_200.json\"]}" \
    > "$configs/mlrsnet-official.json"
ours=$(cd "$(dirname "$OUR_NET")" && pwd)/$(basename "$OUR_NET")
echo "{\"name\": \"mlrsnet\", \"weights\": [\"$ours\"]}" > "$configs/mlrsnet-ours.json"

scheduler_name() { case "$1" in mlrsnet-*) echo mlrsnet ;; *) echo "$1" ;; esac; }

# Whether STORE already holds a completed run of task $1, arm $2, seed $3 at this budget.
completed() {
    [[ -f "$STORE" ]] || return 1
    local weights_pattern='%'
    case "$2" in
        mlrsnet-official) weights_pattern='%mlr_snet_1.json%' ;;
        mlrsnet-ours) weights_pattern="%$(basename "$OUR_NET")%" ;;
    esac
    local count
    count=$(sqlite3 "$STORE" "SELECT count(*) FROM runs WHERE task = '$1' AND scheduler = '$(scheduler_name "$2")' \
        AND seed = $3 AND status = 'completed' AND json_extract(configuration, '$.epochs') = $EPOCHS \
        AND json_extract(configuration, '$.schedulerConfiguration') LIKE '$weights_pattern'")
    [[ "$count" -gt 0 ]]
}

echo "transfer study: $GLIDEPATH, tasks [$TASKS], seeds [$SEEDS], $EPOCHS epochs, arms [$ARMS], store $STORE" >&2
for task in $TASKS; do
    for seed in $SEEDS; do
        for arm in $ARMS; do
            if completed "$task" "$arm" "$seed"; then
                echo "skip $task $arm seed $seed (completed in $STORE)" >&2
                continue
            fi
            args=(train --task "$task" --scheduler "$(scheduler_name "$arm")" --scheduler-config "$configs/$arm.json"
                  --optimizer sgd --epochs "$EPOCHS" --seed "$seed" --data-dir "$DATA_DIR" --store "$STORE"
                  --threads "$THREADS" --json)
            [[ -n "$TRAIN_LIMIT" ]] && args+=(--train-limit "$TRAIN_LIMIT")
            [[ -n "$EVAL_LIMIT" ]] && args+=(--eval-limit "$EVAL_LIMIT")
            echo "run $task $arm seed $seed" >&2
            "$GLIDEPATH" "${args[@]}" > /dev/null || echo "FAILED: $task $arm seed $seed (recorded in the store)" >&2
        done
    done
done
echo "done; summarise with: python3 scripts/transfer-table.py $STORE > docs/transfer.md" >&2
