#!/usr/bin/env python3
"""Times one pytorch-dlrs 0.3.0.dev0 step on the input of Sources/GlidepathBenchmarks/DLRSBenchmark.swift.

Run by the Swift benchmark as `$PYTHON scripts/bench_dlrs.py` (the interpreter needs torch); prints one
JSON line: {"version", "ordinary_seconds", "exact_seconds"} (medians) and the rates after each step
("ordinary_rates", "exact_rates", float.hex), which the Swift side compares bit for bit. pytorch-dlrs is installed with
`pip install --no-deps --target .build/bench-python/<version>` on first use, so it never touches the
interpreter's own site-packages. Set DLRS_BENCH_VERSION to time another version (e.g. 0.2.1).
"""

import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings

VERSION = os.environ.get("DLRS_BENCH_VERSION", "0.3.0.dev0")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TARGET = os.path.join(ROOT, ".build", "bench-python", VERSION)
LOSS_COUNT = 100_000
GROUP_COUNT = 100


def ensure_package():
    if not os.path.isdir(os.path.join(TARGET, "dlrs")):
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", TARGET,
                        f"pytorch-dlrs=={VERSION}"], check=True, stdout=sys.stderr)
    sys.path.insert(0, TARGET)


def median_step_seconds(losses, repetitions):
    """Median seconds of one step, and the rates after it (hex) for a bit-parity check."""
    import torch
    from dlrs import DLRSScheduler
    times = []
    rates = []
    for _ in range(repetitions):
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(GROUP_COUNT)]
        groups = [{"params": [p], "lr": 1e-3 * (1 + g / 100)} for g, p in enumerate(params)]
        scheduler = DLRSScheduler(torch.optim.SGD(groups, lr=1e-3))
        start = time.perf_counter()
        scheduler.step(losses)
        times.append(time.perf_counter() - start)
        rates = [float(group["lr"]).hex() for group in scheduler.optimizer.param_groups]
    return statistics.median(times), rates


def main():
    ensure_package()
    warnings.simplefilter("ignore")
    import dlrs
    ordinary = [1 + 0.5 * math.sin(0.001 * k) + 1e-6 * k for k in range(LOSS_COUNT)]
    unit = [1.0] * LOSS_COUNT
    unit[0], unit[-1] = 0.5, 1.5
    median_step_seconds(ordinary, 2)  # warm-up
    ordinary_seconds, ordinary_rates = median_step_seconds(ordinary, 9)
    exact_seconds, exact_rates = median_step_seconds(unit, 5)
    result = {"version": dlrs.__version__, "ordinary_seconds": ordinary_seconds, "exact_seconds": exact_seconds,
              "ordinary_rates": ordinary_rates, "exact_rates": exact_rates}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
