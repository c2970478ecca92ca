#!/usr/bin/env bash
# Engine benchmark: the three peer workloads of docs/engine.md ("Design measurements") with Glidepath's engine and
# with PyTorch on the same machine, in one run. Each workload runs in its own process on each side, so
# peak RSS (VmHWM) is per workload. `make bench-engine` builds GlidepathBenchmarks with the release
# flags first and then runs this script.
#
# Environment: PYTHON (an interpreter with torch; default: a scratch venv .venv-bench with torch
# installed by pip), THREADS (default 2), SECONDS_PER_WORKLOAD (calibration budget, default 6),
# WORKLOADS (default "mlp cnn bilstm"), BENCH_BINARY (default .build/release/GlidepathBenchmarks),
# OPENBLAS_THREAD_TIMEOUT for our side (default 4).
#
# Fair to PyTorch (issue 13 item 4): PyTorch runs twice per workload, once at its defaults (the
# environment a PyTorch user has: no OMP_WAIT_POLICY, no OPENBLAS_THREAD_TIMEOUT) and once with
# OMP_WAIT_POLICY=passive, and the ratio is taken against the FASTER of the two (both are printed). The
# torch build (CPU or CUDA wheel) and the ISA its CPU kernels dispatch to
# (torch.backends.cpu.get_cpu_capability()) are printed with the results.
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${THREADS:-2}"
SECONDS_PER_WORKLOAD="${SECONDS_PER_WORKLOAD:-6}"
WORKLOADS="${WORKLOADS:-mlp cnn bilstm}"
BINARY="${BENCH_BINARY:-.build/release/GlidepathBenchmarks}"
if [ ! -x "$BINARY" ]; then
  echo "missing $BINARY: build it with 'make release' (or run 'make bench-engine')" >&2
  exit 1
fi
if [ -z "${PYTHON:-}" ]; then
  if [ ! -x .venv-bench/bin/python ]; then
    echo "creating scratch venv .venv-bench with torch (set PYTHON to skip)" >&2
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet torch
  fi
  PYTHON=.venv-bench/bin/python
fi
# Our side: OpenBLAS's idle workers sleep after 2^4 cycles instead of its default 2^28 (about 0.1 s of spinning, which
# on 2 busy cores steals the core the engine's own worker needs; docs/engine.md, "Design measurements"). PyTorch runs
# at its defaults and with OMP_WAIT_POLICY=passive (OpenMP's idle threads wait passively); read at library load.
OUR_OPENBLAS_THREAD_TIMEOUT="${OPENBLAS_THREAD_TIMEOUT:-4}"
unset OMP_WAIT_POLICY OPENBLAS_THREAD_TIMEOUT

echo "== engine benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "uptime: $(uptime)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cpus"
echo "threads: $THREADS   window budget: ${SECONDS_PER_WORKLOAD}s   ours: OPENBLAS_THREAD_TIMEOUT=$OUR_OPENBLAS_THREAD_TIMEOUT   torch: defaults and OMP_WAIT_POLICY=passive"
TORCH_INFO=$("$PYTHON" -c '
import torch
cuda = torch.version.cuda
build = f"CUDA {cuda} wheel (run on CPU)" if cuda else "CPU-only build"
isa = torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends.cpu, "get_cpu_capability") else "unknown"
print(f"{torch.__version__}; {build}; CPU kernels: {isa}; MKL {torch.backends.mkl.is_available()}; oneDNN {torch.backends.mkldnn.is_available()}")
')
echo "torch: $TORCH_INFO ($PYTHON)"
PEAK_LINE=$(OPENBLAS_THREAD_TIMEOUT=$OUR_OPENBLAS_THREAD_TIMEOUT "$BINARY" engine --threads "$THREADS" --peak --workload none | grep '^PEAK' || true)
PEAK=$(echo "$PEAK_LINE" | sed 's/.*"gflops": \([0-9.]*\).*/\1/')
echo "measured FMA peak at $THREADS threads: ${PEAK:-?} GFLOP/s (docs/engine.md: 211–229 at 2 threads)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for workload in $WORKLOADS; do
  OPENBLAS_THREAD_TIMEOUT=$OUR_OPENBLAS_THREAD_TIMEOUT "$BINARY" engine --workload "$workload" --threads "$THREADS" \
    --seconds "$SECONDS_PER_WORKLOAD" | grep '^RESULT' | sed 's/^RESULT //' > "$TMP/glidepath-$workload.json"
  "$PYTHON" scripts/bench_engine_torch.py --workload "$workload" --threads "$THREADS" --seconds "$SECONDS_PER_WORKLOAD" \
    | grep '^RESULT' | sed 's/^RESULT //' > "$TMP/torch-default-$workload.json"
  OMP_WAIT_POLICY=passive "$PYTHON" scripts/bench_engine_torch.py --workload "$workload" --threads "$THREADS" \
    --seconds "$SECONDS_PER_WORKLOAD" | grep '^RESULT' | sed 's/^RESULT //' > "$TMP/torch-passive-$workload.json"
done

"$PYTHON" - "$TMP" "${PEAK:-0}" $WORKLOADS <<'PY'
import json, sys
directory, peak, workloads = sys.argv[1], float(sys.argv[2] or 0), sys.argv[3:]
forward_flops = {"mlp": 2 * 128 * (108 * 256 + 256 * 128 + 128 * 2),
                 "cnn": 2 * 64 * (32 * 32 * 32 * 27 + 16 * 16 * 64 * 288 + 4096 * 256 + 256 * 10),
                 "bilstm": 2 * 2 * 32 * 200 * (100 * 512 + 128 * 512) + 2 * 32 * 256 * 2}
targets = {"mlp": 3.0, "cnn": 1.5, "bilstm": 1.5}
# "% peak" is against the FMA peak measured in this run (it drops when other jobs share the cores);
# "% of 220" against the idle 2-thread peak of docs/engine.md (211–229 GFLOP/s).
print()
print(f"{'workload':8} {'glidepath/s':>12} {'torch/s':>10} {'ratio':>7} {'target':>7} "
      f"{'RSS ours MiB':>13} {'RSS torch MiB':>14} {'GFLOP/s ours':>13} {'torch':>7} {'% peak':>7} {'% of 220':>8}")
for workload in workloads:
    ours = json.load(open(f"{directory}/glidepath-{workload}.json"))
    default = json.load(open(f"{directory}/torch-default-{workload}.json"))
    passive = json.load(open(f"{directory}/torch-passive-{workload}.json"))
    # The ratio is against the faster PyTorch configuration (issue 13 item 4).
    theirs, setting = (default, "defaults") if default["steps_per_second"] >= passive["steps_per_second"] \
        else (passive, "OMP_WAIT_POLICY=passive")
    ratio = ours["steps_per_second"] / theirs["steps_per_second"]
    flops = 3 * forward_flops[workload]  # forward + backward (≈ 2× forward)
    ours_gflops = flops * ours["steps_per_second"] / 1e9
    theirs_gflops = flops * theirs["steps_per_second"] / 1e9
    percent = 100 * ours_gflops / peak if peak else float("nan")
    verdict = "met" if ratio >= targets[workload] else "MISSED"
    rss_verdict = "≤" if ours["peak_rss_kb"] <= theirs["peak_rss_kb"] else ">"
    print(f"{workload:8} {ours['steps_per_second']:12.2f} {theirs['steps_per_second']:10.2f} {ratio:6.2f}× "
          f"{targets[workload]:5.1f}×{verdict[0]} {ours['peak_rss_kb']/1024:13.1f} {rss_verdict}"
          f"{theirs['peak_rss_kb']/1024:13.1f} {ours_gflops:13.1f} {theirs_gflops:7.1f} {percent:6.1f}% {100 * ours_gflops / 220:7.1f}%")
    print(f"         threads ours={ours['threads']} torch={theirs['threads']}  params ours={ours['parameters']} "
          f"torch={theirs['parameters']}  loss ours {ours['loss_first']:.4f}→{ours['loss_last']:.4f} "
          f"torch {theirs['loss_first']:.4f}→{theirs['loss_last']:.4f}  speed target {verdict}")
    print(f"         torch steps/s at defaults {default['steps_per_second']:.2f}, with OMP_WAIT_POLICY=passive "
          f"{passive['steps_per_second']:.2f}: ratio against the faster ({setting})")
    print(f"         CPU time per step (user+sys, all threads): ours {ours['cpu_ms_per_step']:.2f} ms, "
          f"torch {theirs['cpu_ms_per_step']:.2f} ms, ratio {theirs['cpu_ms_per_step'] / ours['cpu_ms_per_step']:.2f}×")
PY
echo "uptime after: $(uptime)"
echo "(steps/s is wall clock, best of 3 windows; on a busy shared machine compare the CPU-time ratio too)"
