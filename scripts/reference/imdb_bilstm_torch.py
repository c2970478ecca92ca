#!/usr/bin/env python3
"""PyTorch reference run of the `imdb-bilstm` task (docs/tasks.md), for comparing learning curves.

Same recipe as the lab's task: tokens (lower-cased words and digits, contractions kept, markup removed,
every other symbol a token), vocabulary of 20,000 from the training part (0 <pad>, 1 <unk>, then by
frequency, ties by Unicode order), the last 200 tokens, a 90/10 train/validation split, batch 32,
Embedding(20000, 100) -> packed one-layer BiLSTM(128) -> [h_fwd, h_bwd] -> Linear(256, 2), Adam lr 1e-3
with coupled L2 5e-4 on the weights only (embedding and biases exempt; `--decay-all` decays everything,
the plain study setting), embedding initialised U(-0.1, 0.1) (`--embedding-init normal`: PyTorch's N(0, 1)),
constant rate or (`--cosine`) CosineAnnealingLR stepped every update over the whole run.

Not bit-comparable with Glidepath (different random streams and split); it answers "what does this
recipe reach in PyTorch in N epochs". Usage:

    python3 scripts/reference/imdb_bilstm_torch.py --data-dir ../shared/data --epochs 3 --threads 2
"""
import argparse
import collections
import gzip
import html
import json
import random
import re
import time

import torch
from torch import nn

TAG = re.compile(r"<[/a-zA-Z][^>]{0,198}>")
TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|\S")


def tokens(text):
    return TOKEN.findall(html.unescape(TAG.sub(" ", text)).lower())


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [tokens(row["text"]) for row in rows], [int(row["label"]) for row in rows]


class BiLSTM(nn.Module):
    def __init__(self, vocabulary=20_000, dimension=100, hidden=128):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, dimension)
        self.lstm = nn.LSTM(dimension, hidden, batch_first=True, bidirectional=True)
        self.classifier = nn.Linear(2 * hidden, 2)

    def forward(self, ids, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(ids), lengths, batch_first=True,
                                                   enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.classifier(torch.cat([h[0], h[1]], dim=1))


def encode(texts, index, length):
    ids = torch.zeros(len(texts), length, dtype=torch.long)
    lengths = torch.ones(len(texts), dtype=torch.long)
    for row, text in enumerate(texts):
        kept = [index.get(t, 1) for t in text][-length:]
        if kept:
            ids[row, :len(kept)] = torch.tensor(kept)
            lengths[row] = len(kept)
    return ids, lengths


def evaluate(model, ids, lengths, labels, batch=256):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            logits = model(ids[start:start + batch], lengths[start:start + batch])
            target = labels[start:start + batch]
            loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    model.train()
    return loss / len(labels), correct / len(labels)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="../shared/data")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--embedding-init", choices=["uniform", "normal"], default="uniform")
    parser.add_argument("--cosine", action="store_true")
    parser.add_argument("--decay-all", action="store_true")
    arguments = parser.parse_args()
    torch.manual_seed(arguments.seed)
    torch.set_num_threads(arguments.threads)

    train_texts, train_labels = read(f"{arguments.data_dir}/imdb/imdb_train.jsonl.gz")
    test_texts, test_labels = read(f"{arguments.data_dir}/imdb/imdb_test.jsonl.gz")
    order = list(range(len(train_texts)))
    random.Random(arguments.seed).shuffle(order)
    cut = len(order) // 10
    validation, training = order[:cut], order[cut:]
    counts = collections.Counter(t for i in training for t in train_texts[i])
    words = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:20_000 - 2]
    index = {word: position + 2 for position, (word, _) in enumerate(words)}

    def part(indices, texts, labels):
        ids, lengths = encode([texts[i] for i in indices], index, arguments.length)
        return ids, lengths, torch.tensor([labels[i] for i in indices])

    train = part(training, train_texts, train_labels)
    valid = part(validation, train_texts, train_labels)
    test = part(range(len(test_texts)), test_texts, test_labels)

    model = BiLSTM()
    if arguments.embedding_init == "uniform":
        nn.init.uniform_(model.embedding.weight, -0.1, 0.1)
    named = list(model.named_parameters())
    exempt = [p for n, p in named if n == "embedding.weight" or n.split(".")[-1].startswith("bias")]
    decayed = [p for n, p in named if not (n == "embedding.weight" or n.split(".")[-1].startswith("bias"))]
    if arguments.decay_all:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=5e-4)
    else:
        optimizer = torch.optim.Adam([{"params": decayed, "weight_decay": 5e-4},
                                      {"params": exempt, "weight_decay": 0.0}], lr=1e-3)
    updates = (len(train[2]) + 31) // 32
    scheduler = (torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=arguments.epochs * updates)
                 if arguments.cosine else None)
    generator = torch.Generator().manual_seed(arguments.seed)
    for epoch in range(1, arguments.epochs + 1):
        started = time.perf_counter()
        permutation = torch.randperm(len(train[2]), generator=generator)
        total = 0.0
        for start in range(0, len(permutation), 32):
            batch = permutation[start:start + 32]
            loss = nn.functional.cross_entropy(model(train[0][batch], train[1][batch]), train[2][batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
            total += loss.item() * len(batch)
        seconds = time.perf_counter() - started
        val_loss, val_accuracy = evaluate(model, *valid)
        print(json.dumps({"epoch": epoch, "trainLoss": total / len(permutation), "valLoss": val_loss,
                          "valAccuracy": val_accuracy, "trainSeconds": round(seconds, 1)}), flush=True)
    test_loss, test_accuracy = evaluate(model, *test)
    print(json.dumps({"testLoss": test_loss, "testAccuracy": test_accuracy, "embeddingInit": arguments.embedding_init,
                      "cosine": arguments.cosine, "decayAll": arguments.decay_all, "seed": arguments.seed}), flush=True)


if __name__ == "__main__":
    main()
