#!/usr/bin/env python3
"""The reference side of `GlidepathBenchmarks optimizers` (Sources/GlidepathBenchmarks/OptimizerBenchmark.swift):
the median seconds per update of torch.optim.Adam and of the reference packages' learning-rate-free optimizers on
the cifar10-cnn parameter shapes (two groups: weights, biases), gradients fixed, each package at its own defaults
(schedulefree's foreach path, torch's single-tensor Adam on CPU). Prints one JSON object {name: seconds}.

Usage: python scripts/bench_optimizers_torch.py THREADS UPDATES
"""
import json
import math
import sys
import time

import torch

import dadaptation
import dog
import prodigyopt
import schedulefree

SHAPES = [(32, 3, 3, 3), (32,), (64, 32, 3, 3), (64,), (256, 4096), (256,), (10, 256), (10,)]


def tensors():
    result = []
    for index, shape in enumerate(SHAPES):
        count = math.prod(shape)
        data = torch.tensor([0.05 * math.sin(0.37 * i + index) for i in range(count)], dtype=torch.float32)
        grad = torch.tensor([0.01 * math.cos(0.11 * i + index) for i in range(count)], dtype=torch.float32)
        parameter = data.reshape(shape).requires_grad_(True)
        parameter.grad = grad.reshape(shape)
        result.append(parameter)
    return result


def make(name, parameters):
    groups = [dict(params=parameters[0::2], weight_decay=5e-4), dict(params=parameters[1::2], weight_decay=5e-4)]
    if name == "adam":
        return torch.optim.Adam(groups, lr=1e-3)
    if name == "scheduleFreeAdamW":
        optimizer = schedulefree.AdamWScheduleFree(groups)
        optimizer.train()
        return optimizer
    if name == "scheduleFreeSGD":
        optimizer = schedulefree.SGDScheduleFree(groups)
        optimizer.train()
        return optimizer
    if name == "prodigy":
        return prodigyopt.Prodigy(groups)
    if name == "dog":
        return dog.DoG(groups)
    if name == "ldog":
        return dog.LDoG(groups)
    if name == "dAdaptAdam":
        return dadaptation.DAdaptAdam(groups)
    return dadaptation.DAdaptSGD(groups)


def measure(name, updates):
    parameters = tensors()
    gradients = [p.grad.clone() for p in parameters]
    optimizer = make(name, parameters)

    def step():
        # Several references modify p.grad in place; restore it so every update sees the same gradient.
        for p, g in zip(parameters, gradients):
            p.grad.copy_(g)
        start = time.perf_counter()
        optimizer.step()
        return time.perf_counter() - start

    for _ in range(3):
        step()
    times = sorted(step() for _ in range(updates))
    return times[len(times) // 2]


def main():
    threads, updates = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    names = ["adam", "scheduleFreeAdamW", "scheduleFreeSGD", "prodigy", "dog", "ldog", "dAdaptAdam", "dAdaptSGD"]
    print(json.dumps({name: measure(name, updates) for name in names}))


if __name__ == "__main__":
    main()
