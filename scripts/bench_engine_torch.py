#!/usr/bin/env python3
"""PyTorch CPU peer of Glidepath's engine benchmark (docs/engine.md, "Design measurements").

One training step = forward, mean cross-entropy, backward, Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8),
on fixed synthetic batches from a generator seeded with 0 (inputs N(0, 1), uniform labels). Timing:
5 warm-up steps, a step count calibrated to last seconds/4, then the best of 3 windows of that count —
the protocol of Sources/GlidepathBenchmarks/EngineBenchmark.swift. Prints one `RESULT {json}` line.

Usage: python bench_engine_torch.py --workload mlp|cnn|bilstm [--threads 2] [--seconds 6]
"""
import argparse
import json
import resource
import time

import torch
import torch.nn as nn


def peak_rss_kb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds():
    """User + system CPU time of this process (the work done; robust to a busy shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BiLSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(20000, 100)
        self.lstm = nn.LSTM(100, 128, batch_first=True, bidirectional=True)
        self.head = nn.Linear(256, 2)

    def forward(self, tokens):
        _, (h_n, _) = self.lstm(self.embedding(tokens))
        return self.head(torch.cat([h_n[-2], h_n[-1]], dim=1))


def build(workload, generator):
    if workload == "mlp":
        model = nn.Sequential(nn.Linear(108, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 2))
        x = torch.randn(128, 108, generator=generator)
        y = torch.randint(0, 2, (128,), generator=generator)
    elif workload == "cnn":
        model = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(4096, 256), nn.ReLU(), nn.Linear(256, 10))
        x = torch.randn(64, 3, 32, 32, generator=generator)
        y = torch.randint(0, 10, (64,), generator=generator)
    else:
        model = BiLSTMClassifier()
        x = torch.randint(0, 20000, (32, 200), generator=generator)
        y = torch.randint(0, 2, (32,), generator=generator)
    return model, x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["mlp", "cnn", "bilstm"], required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model, x, y = build(args.workload, generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_function = nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_function(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    first = step()
    for _ in range(4):
        step()
    start = time.perf_counter()
    calibration = 0
    last = first
    while time.perf_counter() - start < args.seconds / 4:
        last = step()
        calibration += 1
    window = max(1, calibration)
    best = 0.0
    cpu_before = cpu_seconds()
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(window):
            last = step()
        best = max(best, window / (time.perf_counter() - start))
    cpu_per_step = (cpu_seconds() - cpu_before) / (3 * window)
    print("RESULT " + json.dumps({
        "side": "torch", "workload": args.workload, "steps_per_second": round(best, 3),
        "threads": torch.get_num_threads(), "loss_first": first, "loss_last": last,
        "peak_rss_kb": peak_rss_kb(), "torch": torch.__version__,
        "parameters": sum(p.numel() for p in model.parameters()),
        "cpu_ms_per_step": round(cpu_per_step * 1e3, 3),
    }))


if __name__ == "__main__":
    main()
