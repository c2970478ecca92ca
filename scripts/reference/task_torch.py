#!/usr/bin/env python3
"""PyTorch reference of every study task's training recipe (docs/tasks.md), for `make bench-tasks`.

One process trains one task for a number of updates (default: one epoch) and evaluates the validation
split once, the way a typical PyTorch script does it:

* data: the same files as `glidepath train` (`$GLIDEPATH_DATA_DIR`: MNIST IDX gz, CIFAR-10 `data_batch_*.bin.gz`,
  IMDB JSON lines, SST-2 GLUE TSV, Adult `adult.data`), decoded once into tensors, a `TensorDataset` (images,
  features) or a list of token-id tensors (text) behind a `DataLoader(shuffle=True, batch_size=…)`;
  text batches are padded to their longest text by `pad_sequence` in the `collate_fn` and packed with
  `pack_padded_sequence(enforce_sorted=False)` in the model (dynamic padding, no bucketing);
* validation: 10% of the official training split, a seeded random permutation (not Glidepath's
  permutation: the validation sets differ, their sizes do not);
* models (scripts/fixtures/glidepath_models.py): the CNNs, the BiLSTM and the MLP of docs/tasks.md with
  PyTorch's default initialisation (the family Glidepath draws from), the text models' embedding
  U(−0.1, 0.1);
* text: Glidepath's tokenisation (scripts/reference/imdb_bilstm_torch.py's `tokens`), a vocabulary of 20,000
  (0 <pad>, 1 <unk>, then by frequency, ties by Unicode order) fitted on the texts trained on, the last 200
  (IMDB) or 64 (SST-2) tokens;
* Adult: the six numeric attributes standardised with the mean and population deviation of `adult.data`,
  one-hot blocks of the eight categorical attributes over the values of `adult.data` sorted by Unicode
  order, `?` a value of its own (108 features);
* optimizer: Adam, lr 1e-3, coupled L2 5e-4 (`torch.optim.Adam(weight_decay=5e-4)`); the text tasks exempt
  the embedding and the biases (Glidepath's `weights-only` default for them).

Standard error gets two markers for the harness (scripts/bench_tasks.py): `run started` right before the
first update and `trained N updates` right after the last one; standard output's last line is
`RESULT {json}` with the script's own wall and CPU seconds of the updates (getrusage, all threads), the
validation loss and accuracy and the update counts. Usage:

    python3 scripts/reference/task_torch.py --task mnist-cnn --data-dir DIR --threads 2 --updates 200
"""
import argparse
import collections
import csv
import gzip
import io
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
import glidepath_models  # noqa: E402
from imdb_bilstm_torch import tokens  # noqa: E402

BATCH = {"adult-mlp": 128, "mnist-cnn": 64, "cifar10-cnn": 64, "imdb-bilstm": 32, "sst2-bilstm": 32}
TEXT_LENGTH = {"imdb-bilstm": 200, "sst2-bilstm": 64}
ADULT_NUMERIC = [0, 2, 4, 10, 11, 12]
ADULT_CATEGORICAL = [1, 3, 5, 6, 7, 8, 9, 13]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def read_idx(path, header):
    with gzip.open(path, "rb") as handle:
        return np.frombuffer(handle.read(), dtype=np.uint8, offset=header)


def load_images(task, directory):
    if task == "mnist-cnn":
        images = read_idx(f"{directory}/mnist/train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
        labels = read_idx(f"{directory}/mnist/train-labels-idx1-ubyte.gz", 8)
    else:
        records = np.concatenate([read_idx(f"{directory}/cifar10/data_batch_{k}.bin.gz", 0).reshape(-1, 3073)
                                  for k in range(1, 6)])
        labels, images = records[:, 0], records[:, 1:].reshape(-1, 3, 32, 32)
    # Kept as bytes, scaled to [0, 1] per batch (as torchvision's ToTensor does per image).
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def load_adult(directory):
    with open(f"{directory}/adult/adult.data", encoding="utf-8") as handle:
        rows = [[field.strip() for field in row] for row in csv.reader(handle) if len(row) == 15]
    numeric = np.array([[float(row[c]) for c in ADULT_NUMERIC] for row in rows])
    mean, deviation = numeric.mean(0), numeric.std(0)
    columns = [(numeric - mean) / np.where(deviation > 0, deviation, 1)]
    for c in ADULT_CATEGORICAL:
        values = sorted({row[c] for row in rows}, key=lambda v: [ord(ch) for ch in v])
        index = {value: i for i, value in enumerate(values)}
        block = np.zeros((len(rows), len(values)))
        block[np.arange(len(rows)), [index[row[c]] for row in rows]] = 1
        columns.append(block)
    features = torch.from_numpy(np.concatenate(columns, 1).astype(np.float32))
    labels = torch.tensor([1 if row[14].startswith(">50K") else 0 for row in rows])
    return features, labels


def load_texts(task, directory):
    if task == "imdb-bilstm":
        with gzip.open(f"{directory}/imdb/imdb_train.jsonl.gz", "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle]
        return [row["text"] for row in rows], [int(row["label"]) for row in rows]
    with gzip.open(f"{directory}/sst2/glue_sst2_train.tsv.gz", "rt", encoding="utf-8") as handle:
        reader = csv.reader(io.StringIO(handle.read()), delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        rows = list(reader)
    return [row[0] for row in rows], [int(row[1]) for row in rows]


class Texts(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.ids[index], self.labels[index]


def collate(batch):
    ids = [item[0] for item in batch]
    lengths = torch.tensor([len(item) for item in ids])
    padded = nn.utils.rnn.pad_sequence(ids, batch_first=True, padding_value=0)
    return padded, lengths, torch.tensor([item[1] for item in batch])


def datasets(task, directory, seed, train_limit):
    """(train dataset, validation dataset, collate_fn or None, model)."""
    generator = torch.Generator().manual_seed(seed)
    if task in TEXT_LENGTH:
        texts, labels = load_texts(task, directory)
    elif task == "adult-mlp":
        features, labels = load_adult(directory)
    else:
        features, labels = load_images(task, directory)
    count = len(labels)
    order = torch.randperm(count, generator=generator).tolist()
    cut = round(0.1 * count)
    validation, training = order[:cut], order[cut:]
    if train_limit:
        training = training[:train_limit]
    if task not in TEXT_LENGTH:
        part = lambda indices: torch.utils.data.TensorDataset(features[indices], labels[indices])  # noqa: E731
        if task == "adult-mlp":
            model = glidepath_models.mlp(features.shape[1], [256, 128], 2)
        elif task == "mnist-cnn":
            model = glidepath_models.cnn(1, 28, 28, [(32, 3, 1, 2), (64, 3, 1, 2)], [256], 10)
        else:
            model = glidepath_models.cnn(3, 32, 32, [(32, 3, 1, 2), (64, 3, 1, 2)], [256], 10)
        return part(torch.tensor(training)), part(torch.tensor(validation)), None, model
    tokenized = {i: tokens(texts[i]) for i in training + validation}
    counts = collections.Counter(t for i in training for t in tokenized[i])
    words = sorted(counts.items(), key=lambda item: (-item[1], [ord(ch) for ch in item[0]]))[:20_000 - 2]
    index = {word: position + 2 for position, (word, _) in enumerate(words)}
    length = TEXT_LENGTH[task]

    def part(indices):
        ids = []
        for i in indices:
            kept = [index.get(t, 1) for t in tokenized[i]][-length:]
            ids.append(torch.tensor(kept or [0], dtype=torch.long))  # no tokens: length 1, as Glidepath
        return Texts(ids, [labels[i] for i in indices])

    model = glidepath_models.BiLSTM(20_000, 100, 128, 2)
    nn.init.uniform_(model.embedding.weight, -0.1, 0.1)
    return part(training), part(validation), collate, model


def forward(model, batch):
    if len(batch) == 3:
        return model(batch[0], batch[1]), batch[2]
    inputs = batch[0].float().div_(255) if batch[0].dtype == torch.uint8 else batch[0]
    return model(inputs), batch[1]


def evaluate(model, loader):
    model.eval()
    correct, loss, count = 0, 0.0, 0
    with torch.inference_mode():
        for batch in loader:
            logits, target = forward(model, batch)
            loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
            count += len(target)
    model.train()
    return loss / count, correct / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", required=True, choices=sorted(BATCH))
    parser.add_argument("--data-dir", default=os.environ.get("GLIDEPATH_DATA_DIR", ""))
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's own)")
    parser.add_argument("--updates", type=int, default=0, help="updates to train (0: one epoch)")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    torch.manual_seed(arguments.seed)
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    batch = BATCH[arguments.task]
    limit = arguments.updates * batch if arguments.updates else 0
    train, validation, collate_fn, model = datasets(arguments.task, arguments.data_dir, arguments.seed, limit)
    loader = torch.utils.data.DataLoader(train, batch_size=batch, shuffle=True, collate_fn=collate_fn,
                                         generator=torch.Generator().manual_seed(arguments.seed))
    validation_loader = torch.utils.data.DataLoader(validation, batch_size=500, collate_fn=collate_fn)
    named = list(model.named_parameters())
    if arguments.task in TEXT_LENGTH:
        exempt = lambda name: name == "embedding.weight" or name.split(".")[-1].startswith("bias")  # noqa: E731
        optimizer = torch.optim.Adam([{"params": [p for n, p in named if not exempt(n)], "weight_decay": 5e-4},
                                      {"params": [p for n, p in named if exempt(n)], "weight_decay": 0.0}],
                                     lr=1e-3)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    print("run started", file=sys.stderr, flush=True)
    wall, cpu = time.perf_counter(), cpu_seconds()
    updates, total = 0, 0.0
    for batch_data in loader:
        logits, target = forward(model, batch_data)
        loss = nn.functional.cross_entropy(logits, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        updates += 1
    wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    print(f"trained {updates} updates", file=sys.stderr, flush=True)
    validation_loss, validation_accuracy = evaluate(model, validation_loader)
    full = len(train) if not limit else None
    print("RESULT " + json.dumps({
        "task": arguments.task, "threads": torch.get_num_threads(), "updates": updates,
        "examples": len(train), "full_epoch": full is not None, "train_wall_s": wall, "train_cpu_s": cpu,
        "train_loss": total / max(updates, 1), "val_loss": validation_loss, "val_accuracy": validation_accuracy,
        "validation": len(validation)}), flush=True)


if __name__ == "__main__":
    main()
