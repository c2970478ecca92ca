#!/usr/bin/env python3
"""PyHessian's λ_max and trace on the weights and examples that `glidepath probe --save-inputs FILE` wrote, for
`make bench-landscape` (never a test dependency). Loads the weights into the PyTorch twin of the task's model with
load_state_dict(strict=True) (so it also checks the safetensors export), then runs PyHessian
(Yao et al. 2020, github.com/amirgholami/PyHessian) with its defaults: eigenvalues(maxIter=100, tol=1e-3, top_n=1)
and trace(maxIter=100, tol=1e-3); optional arguments MAXITER TOL change the eigenvalue's. Prints one JSON object
(seconds are wall time, CPU seconds this process's user + system time)."""
import json
import os
import sys
import time

import torch
import torch.nn as nn
from pyhessian import hessian
from safetensors.torch import load_file
from safetensors import safe_open

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
import glidepath_models as gm  # noqa: E402


def build(architecture):
    (kind, body), = architecture.items()
    spec = body["_0"]
    if kind == "perceptron":
        return gm.mlp(spec["inputFeatures"], spec["hiddenUnits"], spec["classCount"])
    if kind == "convolutional":
        blocks = [(b["outputChannels"], b["kernelSize"], b["padding"], b["poolSize"]) for b in spec["blocks"]]
        return gm.cnn(spec["inputChannels"], spec["inputHeight"], spec["inputWidth"], blocks, spec["hiddenUnits"],
                      spec["classCount"])
    return gm.BiLSTM(spec["vocabularySize"], spec["embeddingDimension"], spec["hiddenSize"], spec["classCount"])


class Packed(nn.Module):
    """PyHessian calls model(inputs) with one tensor: tokens and lengths travel as one [N, T+1] tensor."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, packed):
        return self.inner(packed[:, :-1], packed[:, -1])


def main(path, max_iter=100, tol=1e-3):
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    torch.manual_seed(0)  # PyHessian's random start vectors: the same on every run
    with safe_open(path, "pt") as handle:
        metadata = handle.metadata()
    tensors = load_file(path)
    model = build(json.loads(metadata["architecture"]))
    weights = {k: v for k, v in tensors.items() if not k.startswith("batch.")}
    model.load_state_dict(weights, strict=True)
    model.eval()
    labels = tensors["batch.labels"].long()
    if "batch.tokens" in tensors:
        inputs = torch.cat([tensors["batch.tokens"].long(), tensors["batch.lengths"].long()[:, None]], dim=1)
        model = Packed(model)
    else:
        inputs = tensors["batch.images"] if "batch.images" in tensors else tensors["batch.features"]
    criterion = nn.CrossEntropyLoss()
    with torch.no_grad():
        loss = criterion(model(inputs), labels).item()
    h = hessian(model, criterion, data=(inputs, labels), cuda=False)
    start, cpu = time.perf_counter(), time.process_time()
    eigenvalues, _ = h.eigenvalues(maxIter=max_iter, tol=tol, top_n=1)
    eigen_seconds, eigen_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    trace = h.trace(maxIter=100, tol=1e-3)
    trace_seconds = time.perf_counter() - start
    print(json.dumps({"loss": loss, "lambdaMax": float(eigenvalues[0]), "lambdaSeconds": eigen_seconds,
                      "lambdaCPUSeconds": eigen_cpu,
                      "trace": float(sum(trace) / len(trace)), "traceSamples": len(trace),
                      "traceSeconds": trace_seconds, "torch": torch.__version__}))


if __name__ == "__main__":
    if len(sys.argv) > 3:
        main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
    else:
        main(sys.argv[1])
