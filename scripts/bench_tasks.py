#!/usr/bin/env python3
"""Task-level benchmark (issue 13 item 2): every study task trained with `glidepath train` and with the same
recipe in PyTorch (scripts/reference/task_torch.py), interleaved in one run on this machine.

Standard library only (the PyTorch side runs in its own process under PYTHON). Per task, thread count and
repeat, three processes run back to back: ours (`glidepath train --scheduler fixed --epochs 1`, the task's
batch size and Adam 1e-3 / weight decay 5e-4 defaults), PyTorch at its defaults (only
`torch.set_num_threads(threads)`) and PyTorch with `OMP_WAIT_POLICY=passive` (OpenMP's idle threads sleep
instead of spinning: its best setting on a shared 2-core machine, scripts/bench-engine.sh; skipped at one
thread, where there is no idle worker and the two settings run the same program). The ratio is taken
against the faster PyTorch setting.

Measured the same way on both sides, from outside the process:
* time to first step: wall seconds from spawning the process to its "training starts" line on standard
  error (ours: the `run …: … epochs of N steps` header; PyTorch: `run started`) — reading, decoding,
  tokenising and building the model, plus interpreter start and `import torch` for PyTorch;
* training CPU seconds: utime + stime of the whole process (all threads, /proc/PID/stat) at the last update's
  line (ours: `epoch 1/1 step N/N`; PyTorch: `trained N updates`) minus the same at the first line;
* training wall seconds: the wall time between the same two lines (evaluation excluded);
* peak RSS: the process's ru_maxrss from wait4;
* validation accuracy after the updates (ours: the epoch line's `acc`; PyTorch: its RESULT line). The two
  validation sets are different random 10% of the official training split, of the same size.

With UPDATES_<task> > 0 a task trains that many updates (the first N·batch examples of its training part)
and the per-epoch seconds are extrapolated: seconds / updates × updates per full epoch (said so in the
table). Environment: see scripts/bench-tasks.sh. `bench_tasks.py --table LOG` prints the table again from a
LOG file (JSON lines) of an earlier or interrupted run.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

TASKS = {  # batch, official training examples (validation: round(0.1·N) of them, docs/tasks.md)
    "adult-mlp": (128, 32_561),
    "mnist-cnn": (64, 60_000),
    "cifar10-cnn": (64, 50_000),
    "imdb-bilstm": (32, 25_000),
    "sst2-bilstm": (32, 67_349),
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SIDES = ("ours", "torch-default", "torch-passive")


def full_epoch(task):
    batch, count = TASKS[task]
    training = count - round(0.1 * count)
    return math.ceil(training / batch), count - training


def process_cpu(pid):
    """utime + stime of every thread of `pid`, seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def run(command, environment, start_marker, end_marker):
    """Runs `command`; returns (stderr lines, stdout, first-step seconds, training wall and CPU seconds, peak
    RSS KiB)."""
    spawned = time.perf_counter()
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen(command, env=environment, stdout=stdout, stderr=subprocess.PIPE)
        lines, first_step, cpu_start, cpu, wall = [], None, None, None, None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if first_step is None and start_marker(line):
                cpu_start = process_cpu(process.pid)
                first_step = time.perf_counter() - spawned
            elif cpu is None and cpu_start is not None and end_marker(line):
                cpu = process_cpu(process.pid) - cpu_start
                wall = time.perf_counter() - spawned - first_step
            lines.append(line)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read().decode("utf-8", "replace")
    if process.returncode != 0 or cpu is None:
        sys.stderr.write("\n".join(lines[-20:]) + "\n")
        raise SystemExit(f"failed (exit {process.returncode}): {' '.join(command)}")
    return lines, output, first_step, wall, cpu, usage.ru_maxrss


def ours(binary, task, threads, updates, data_dir, store, environment):
    batch, _ = TASKS[task]
    _, validation = full_epoch(task)
    command = [binary, "train", "--task", task, "--scheduler", "fixed", "--epochs", "1", "--seed", "0",
               "--threads", str(threads), "--eval-limit", str(validation), "--data-dir", data_dir,
               "--store", store]
    if updates:
        command += ["--train-limit", str(updates * batch)]
    lines, _, first_step, wall, cpu, rss = run(
        command, environment, lambda line: line.startswith("run ") and " epochs of " in line,
        lambda line: line.startswith("epoch 1/1 step ") and line.split()[3].split("/")[0] == line.split()[3].split("/")[1])
    header = next(line for line in lines if line.startswith("run ") and " epochs of " in line)
    steps = int(header.split(" epochs of ")[1].split()[0])
    summary = next(line for line in lines if line.startswith("epoch 1/1  train loss"))
    fields = summary.split()
    accuracy = float(fields[fields.index("acc") + 1])
    return {"updates": steps, "wall": wall, "cpu": cpu, "first_step": first_step, "rss_kb": rss,
            "accuracy": accuracy}


def torch(python, task, threads, updates, data_dir, environment):
    command = [python, "scripts/reference/task_torch.py", "--task", task, "--threads", str(threads),
               "--updates", str(updates), "--data-dir", data_dir]
    _, output, first_step, wall, cpu, rss = run(command, environment, lambda line: line == "run started",
                                          lambda line: line.startswith("trained "))
    result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    return {"updates": result["updates"], "wall": wall, "cpu": cpu, "first_step": first_step,
            "rss_kb": rss, "accuracy": result["val_accuracy"], "self_wall": result["train_wall_s"], "self_cpu": result["train_cpu_s"]}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--table":
        # The table again from a LOG file of an earlier (possibly interrupted) run.
        results = {}
        for line in open(sys.argv[2]):
            measured = json.loads(line)
            results.setdefault((measured["task"], measured["threads"], measured["side"]), []).append(measured)
        tasks = [task for task in TASKS if any(key[0] == task for key in results)]
        thread_counts = sorted({key[1] for key in results}, reverse=True)
        complete = {key[:2] for key in results if key[2] == "ours"
                    and any((key[0], key[1], side) in results for side in SIDES[1:])}
        table(results, [t for t in tasks if any(k[0] == t for k in complete)],
              [n for n in thread_counts if any(k[1] == n for k in complete)], complete)
        return
    binary, python, data_dir = os.environ["GLIDEPATH"], os.environ["PYTHON"], os.environ["DATA_DIR"]
    tasks = os.environ.get("TASKS", " ".join(TASKS)).split()
    thread_counts = [int(t) for t in os.environ.get("THREAD_COUNTS", "2 1").split()]
    repeats = int(os.environ.get("REPEATS", "2"))
    log = os.environ.get("LOG")
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT")}
    passive = dict(base, OMP_WAIT_POLICY="passive")
    sides = ["ours"] + [f"torch-{setting}" for setting in os.environ.get("TORCH_SETTINGS", "default passive").split()]
    results, done = {}, set()
    if log and os.path.exists(log):  # resume: the runs already in LOG are kept, not repeated
        for line in open(log):
            measured = json.loads(line)
            done.add((measured["task"], measured["threads"], measured["side"], measured["repeat"]))
            results.setdefault((measured["task"], measured["threads"], measured["side"]), []).append(measured)
    with tempfile.TemporaryDirectory() as scratch:
        store = os.path.join(scratch, "runs.sqlite")
        for repeat in range(1, repeats + 1):
            for threads in thread_counts:
                for task in tasks:
                    updates = int(os.environ.get(f"UPDATES_{task.replace('-', '_')}", "0"))
                    for side in sides:
                        # One thread: no idle OpenMP worker exists to spin or sleep, so the passive run
                        # would repeat the default one (skipped to save time on a busy machine).
                        if (task, threads, side, repeat) in done or (threads == 1 and side == "torch-passive"):
                            continue
                        if side == "ours":
                            measured = ours(binary, task, threads, updates, data_dir, store, base)
                        else:
                            measured = torch(python, task, threads, updates, data_dir,
                                             base if side == "torch-default" else passive)
                        measured.update(task=task, threads=threads, side=side, repeat=repeat,
                                        load=os.getloadavg()[0])
                        results.setdefault((task, threads, side), []).append(measured)
                        line = json.dumps(measured, sort_keys=True)
                        print("RUN " + line, flush=True)
                        if log:
                            with open(log, "a") as handle:
                                handle.write(line + "\n")
    table(results, tasks, thread_counts)


def table(results, tasks, thread_counts, complete=None):
    """Median over repeats per (task, threads, side); per-epoch figures extrapolated from the updates run."""
    def median(task, threads, side, key):
        return statistics.median(run[key] for run in results[(task, threads, side)])

    print()
    print("seconds per epoch (median of the repeats; * = extrapolated from the updates run), ratio = torch/ours "
          "against the faster torch setting by CPU time; CPU = user+sys of all threads during the updates")
    header = (f"{'task':12} {'thr':>3} {'updates':>9} {'ours wall':>9} {'ours CPU':>8} {'torch wall':>10} "
              f"{'torch CPU':>9} {'torch':>7} {'ratio CPU':>9} {'ratio wall':>10} {'RSS ours':>8} {'RSS torch':>9} "
              f"{'acc ours':>8} {'acc torch':>9} {'1st step ours':>13} {'torch':>6}")
    print(header)
    for task in tasks:
        for threads in thread_counts:
            if complete is not None and (task, threads) not in complete:
                continue
            full, _ = full_epoch(task)
            updates = results[(task, threads, "ours")][0]["updates"]
            scale = full / updates
            mark = "*" if updates != full else " "
            ours_wall = median(task, threads, "ours", "wall") * scale
            ours_cpu = median(task, threads, "ours", "cpu") * scale
            settings = [s for s in ("torch-default", "torch-passive") if (task, threads, s) in results]
            best = min(settings, key=lambda s: median(task, threads, s, "cpu"))
            torch_wall = min(median(task, threads, s, "wall") for s in settings) * scale
            torch_cpu = median(task, threads, best, "cpu") * scale
            rss_ours = median(task, threads, "ours", "rss_kb") / 1024
            rss_torch = min(median(task, threads, s, "rss_kb") for s in settings) / 1024
            print(f"{task:12} {threads:3d} {updates:4d}/{full:<4d} {ours_wall:8.1f}{mark} {ours_cpu:7.1f}{mark} "
                  f"{torch_wall:9.1f}{mark} {torch_cpu:8.1f}{mark} {'passive' if best.endswith('passive') else 'default':>7} "
                  f"{torch_cpu / ours_cpu:8.2f}× {torch_wall / ours_wall:9.2f}× {rss_ours:7.0f}M {rss_torch:8.0f}M "
                  f"{median(task, threads, 'ours', 'accuracy'):8.3f} {median(task, threads, best, 'accuracy'):9.3f} "
                  f"{median(task, threads, 'ours', 'first_step'):12.1f}s {median(task, threads, best, 'first_step'):5.1f}s")
    print()
    print("spread (min–max over repeats) of training CPU seconds of the updates run:")
    for (task, threads, side), runs in sorted(results.items(), key=lambda item: (list(TASKS).index(item[0][0]),
                                                                                  -item[0][1], item[0][2])):
        values = [run["cpu"] for run in runs]
        print(f"  {task:12} {threads} {side:14} {min(values):7.2f}–{max(values):7.2f} s  "
              f"wall {min(r['wall'] for r in runs):7.2f}–{max(r['wall'] for r in runs):7.2f} s  "
              f"load {min(r['load'] for r in runs):.1f}–{max(r['load'] for r in runs):.1f}")


if __name__ == "__main__":
    main()
