#!/usr/bin/env python3
"""Writes the committed tar fixtures of the GlidepathData tests with Python's own `tarfile`, an
implementation independent of the tar writer in Tests/GlidepathDataTests/Fixtures.swift.

    python3 scripts/make-data-fixtures.py

Outputs (deterministic: fixed mtimes, gzip mtime 0):
  Tests/Fixtures/data/cifar-10-binary-pax.tar.gz  PAX format, gzip
  Tests/Fixtures/data/cifar-10-binary-gnu.tar     GNU format, uncompressed
Both hold cifar-10-batches-bin/{batches.meta.txt, data_batch_1..5.bin, test_batch.bin} plus one
member whose path is longer than 100 bytes (forcing a pax `path` record or a GNU ././@LongLink).
Record i of a batch whose first image is F has label (F + i) % 10 and pixel o = ((F + i)·31 + o·7)
% 256, the formula of `Fixtures.pixel(image:offset:)`. Batch k holds images 2(k−1), 2(k−1)+1; the
test batch holds images 100, 101, 102.
"""
import gzip
import io
import os
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "data")


def records(first, count):
    out = bytearray()
    for image in range(first, first + count):
        out.append(image % 10)
        out.extend(((image * 31 + offset * 7) % 256) for offset in range(3072))
    return bytes(out)


def members():
    folder = "cifar-10-batches-bin"
    names = "airplane automobile bird cat deer dog frog horse ship truck".split()
    yield f"{folder}/batches.meta.txt", ("\n".join(names) + "\n\n").encode()
    for batch in range(1, 6):
        yield f"{folder}/data_batch_{batch}.bin", records(2 * (batch - 1), 2)
    yield f"{folder}/test_batch.bin", records(100, 3)
    yield f"{folder}/" + "a-very-long-member-name-" * 5 + ".txt", b"long name\n"


def write(fileobj, fmt):
    with tarfile.open(fileobj=fileobj, mode="w", format=fmt) as archive:
        directory = tarfile.TarInfo("cifar-10-batches-bin")
        directory.type = tarfile.DIRTYPE
        directory.mtime = 1_262_304_000
        archive.addfile(directory)
        for name, data in members():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_262_304_000
            archive.addfile(info, io.BytesIO(data))


def main():
    os.makedirs(ROOT, exist_ok=True)
    pax = io.BytesIO()
    write(pax, tarfile.PAX_FORMAT)
    with open(os.path.join(ROOT, "cifar-10-binary-pax.tar.gz"), "wb") as out:
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as compressed:
            compressed.write(pax.getvalue())
    with open(os.path.join(ROOT, "cifar-10-binary-gnu.tar"), "wb") as out:
        write(out, tarfile.GNU_FORMAT)


if __name__ == "__main__":
    main()
