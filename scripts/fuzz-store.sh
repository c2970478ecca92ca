#!/usr/bin/env bash
# Fuzzes every reader of the run store through the built `glidepath` with seeded store mutations
# (a mutation driver rather than libFuzzer: the readers sit on GRDB and SQLite, which are not built
# with the fuzzer's instrumentation).
#
#   scripts/fuzz-store.sh [SECONDS] [FIRST_SEED]       (default 60 s, seed 1)
#
# Each iteration copies a seed store (a small completed and an interrupted adult-mlp run, made once
# with the binary under .build/fuzz-store/seed), applies the mutations of one seed
# (scripts/fuzz/store_mutations.py SEED), and runs `runs list`, `runs show`, `runs export` (steps
# csv/jsonl, epochs, probes) and, every tenth seed, `train --resume` on it. Exit status 0 or 1 (a typed error) is
# expected; a signal (a crash or trap, status >= 128) or a hang (30 s) is a finding: the seed and the
# command go to .build/fuzz-store/findings.txt and the mutated store is kept beside it. A finding is
# reproduced with `python3 scripts/fuzz/store_mutations.py COPY SEED`; turn it into a case of
# Tests/GlidepathCLITests/HostileInputTests.swift.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
seed="${2:-1}"
work="$root/.build/fuzz-store"
binary="${GLIDEPATH_BINARY:-$root/.build/debug/glidepath}"
data="${GLIDEPATH_DATA_DIR:-$root/../shared/data}"
mkdir -p "$work/seed" "$work/case"
test -x "$binary" || { echo "build glidepath first (swift build)"; exit 2; }
if [ ! -f "$work/seed/glidepath-runs.sqlite" ]; then
    (cd "$work/seed" && "$binary" train --task adult-mlp --scheduler cosine --epochs 2 --train-limit 256 \
        --eval-limit 64 --data-dir "$data" > /dev/null 2>&1)
    (cd "$work/seed" && timeout -s INT 4 "$binary" train --task adult-mlp --scheduler cosine --epochs 3 \
        --train-limit 512 --eval-limit 64 --data-dir "$data" --step-delay-ms 400 > /dev/null 2>&1) || true
fi
runs=$(sqlite3 "$work/seed/glidepath-runs.sqlite" "SELECT id FROM runs ORDER BY id")
: > "$work/findings.txt"
end=$(( $(date +%s) + seconds ))
iterations=0 execs=0 findings=0 refusals=0
while [ "$(date +%s)" -lt "$end" ]; do
    rm -rf "$work/case" && cp -a "$work/seed" "$work/case"
    note=$(python3 "$root/scripts/fuzz/store_mutations.py" "$work/case/glidepath-runs.sqlite" "$seed" 2>&1 || true)
    for run in $runs; do
        for command in "runs list" "runs show $run" "runs export $run" "runs export $run --format jsonl" \
            "runs export $run --table epochs" "runs export $run --table probes" "train --resume $run"; do
            # A resume trains the rest of its run: every tenth seed only.
            if [[ $command == train* ]] && [ $((seed % 10)) -ne 0 ]; then continue; fi
            limit=30 extra=()
            # A resume trains the rest of the run (seconds); only it reads the data.
            if [[ $command == train* ]]; then limit=120 extra=(--data-dir "$data"); fi
            set +e
            (cd "$work/case" && timeout "$limit" "$binary" $command "${extra[@]}" > /dev/null 2> "$work/stderr.txt")
            status=$?
            set -e
            execs=$((execs + 1))
            if [ $status -ge 124 ]; then
                findings=$((findings + 1))
                echo "seed $seed status $status: glidepath $command | $note | $(head -c 300 "$work/stderr.txt")" \
                    >> "$work/findings.txt"
                cp "$work/case/glidepath-runs.sqlite" "$work/finding-$seed.sqlite"
            elif [ $status -ne 0 ]; then
                refusals=$((refusals + 1))
            fi
        done
    done
    iterations=$((iterations + 1))
    seed=$((seed + 1))
done
echo "store fuzzing: $iterations stores (seeds up to $((seed - 1))), $execs commands, $refusals typed refusals, $findings findings"
[ $findings -eq 0 ] || { cat "$work/findings.txt"; exit 1; }
