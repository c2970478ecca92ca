#!/usr/bin/env bash
# Task benchmark (issue 13 item 2): every study task trained with `glidepath train` (release build) and with the
# same recipe in PyTorch (scripts/reference/task_torch.py), interleaved in one run on this machine, at 2 and 1
# threads, each PyTorch run at its defaults and with OMP_WAIT_POLICY=passive (ratio against the faster). Prints
# per task seconds per epoch (wall and CPU), the ratio, peak RSS, validation accuracy and time to the first step;
# scripts/bench_tasks.py says how each is measured. `make bench-tasks` builds the release binary first.
#
# Environment:
#   PYTHON         an interpreter with torch (default: the scratch venv .venv-bench, made with pip on first use)
#   GLIDEPATH      our binary                                    (default .build/release/glidepath)
#   DATA_DIR       the data directory                            (default $GLIDEPATH_DATA_DIR)
#   TASKS          tasks                                         (default: all five study tasks)
#   THREAD_COUNTS  thread counts                                 (default "2 1")
#   REPEATS        interleaved rounds                            (default 2)
#   UPDATES_<task> updates per run, 0 = one whole epoch; `-` in the task's name as `_`. The defaults keep a run of
#                  everything near 25 minutes on a 2-core machine shared with other jobs (load average 10–15,
#                  where PyTorch's spinning OpenMP threads at 2 threads take 3–8× the CPU of the passive
#                  setting): adult-mlp 0 (one epoch, 229 updates), mnist-cnn 60 of 844, cifar10-cnn 50 of 704,
#                  imdb-bilstm 40 of 704, sst2-bilstm 100 of 1,895; the per-epoch seconds are extrapolated from
#                  them (marked * in the table), and the accuracy is the one after those updates.
#   TORCH_SETTINGS the PyTorch settings to run                    (default "default passive")
#   LOG            also append every run's measurements as JSON lines to this file; the runs already in it are
#                  not repeated, so an interrupted benchmark continues where it stopped with the same LOG
set -euo pipefail
cd "$(dirname "$0")/.."
export GLIDEPATH=${GLIDEPATH:-.build/release/glidepath}
export DATA_DIR=${DATA_DIR:-${GLIDEPATH_DATA_DIR:-}}
[[ -n "$DATA_DIR" ]] || { echo "set DATA_DIR or GLIDEPATH_DATA_DIR" >&2; exit 64; }
[[ -x "$GLIDEPATH" ]] || { echo "missing $GLIDEPATH: build it with 'make release' (or run 'make bench-tasks')" >&2; exit 1; }
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x .venv-bench/bin/python ]; then
    echo "creating scratch venv .venv-bench with torch (set PYTHON to skip)" >&2
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet torch numpy
  fi
  PYTHON=.venv-bench/bin/python
fi
export PYTHON
export UPDATES_adult_mlp=${UPDATES_adult_mlp:-0} UPDATES_mnist_cnn=${UPDATES_mnist_cnn:-60}
export UPDATES_cifar10_cnn=${UPDATES_cifar10_cnn:-50} UPDATES_imdb_bilstm=${UPDATES_imdb_bilstm:-40}
export UPDATES_sst2_bilstm=${UPDATES_sst2_bilstm:-100}

echo "== task benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "uptime: $(uptime)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus"
echo "ours: $GLIDEPATH ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))   torch: $("$PYTHON" -c '
import torch
cuda = torch.version.cuda
build = f"CUDA {cuda} wheel (run on CPU)" if cuda else "CPU-only build"
print(f"{torch.__version__}; {build}; CPU kernels: {torch.backends.cpu.get_cpu_capability()}")')"
echo "updates per run: adult-mlp $UPDATES_adult_mlp, mnist-cnn $UPDATES_mnist_cnn, cifar10-cnn $UPDATES_cifar10_cnn," \
  "imdb-bilstm $UPDATES_imdb_bilstm, sst2-bilstm $UPDATES_sst2_bilstm (0 = one epoch)"
"$PYTHON" scripts/bench_tasks.py
echo "uptime after: $(uptime)"
