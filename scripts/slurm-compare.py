#!/usr/bin/env python3
"""Compares the cells of a study in two run stores bit for bit (scripts/slurm-test.sh).

For every cell of study NAME in store A, the cell's run in store B must have the same steps (every column),
epochs and probes (every column but the wall-clock seconds), and the same result fields (all but timings and
the run id). Floats are compared by their exact bits (float.hex). Exit status 0 when equal, 1 with the first
differences listed otherwise.

usage: slurm-compare.py A.sqlite B.sqlite NAME
"""
import sqlite3
import json
import sys

TIMING = {"train_seconds", "evaluation_seconds", "seconds", "trainSeconds", "evaluationSeconds", "secondsToTarget",
          "runId", "run_id"}


def exact(value):
    return value.hex() if isinstance(value, float) else value


def rows(db, table, run):
    cursor = db.execute(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY 2", (run,))
    names = [column[0] for column in cursor.description]
    return [{name: exact(value) for name, value in zip(names, row) if name not in TIMING} for row in cursor]


def cells(path, study):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = {}
    for cell, run in db.execute("SELECT cell_id, run_id FROM study_cells WHERE study = ?", (study,)):
        status, result = db.execute("SELECT status, result FROM runs WHERE id = ?", (run,)).fetchone()
        fields = {key: exact(value) for key, value in json.loads(result or "{}").items() if key not in TIMING}
        found[cell] = {"status": status, "result": fields,
                       **{table: rows(db, table, run) for table in ("steps", "epochs", "probes")}}
    return found


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    a, b, study = sys.argv[1:]
    left, right = cells(a, study), cells(b, study)
    problems = []
    if not left:
        problems.append(f"{a} has no cells of study {study}")
    if set(left) != set(right):
        problems.append(f"cells differ: only in {a}: {sorted(set(left) - set(right))}, "
                        f"only in {b}: {sorted(set(right) - set(left))}")
    for cell in sorted(set(left) & set(right)):
        for part in ("status", "result", "steps", "epochs", "probes"):
            if left[cell][part] != right[cell][part]:
                problems.append(f"cell {cell}: {part} differ")
    for problem in problems[:20]:
        print("slurm-compare:", problem)
    if problems:
        sys.exit(1)
    steps = sum(len(cell["steps"]) for cell in left.values())
    print(f"slurm-compare: {len(left)} cells, {steps} steps, identical bit for bit "
          f"(test loss of each: {sorted(cell['result'].get('testLoss') for cell in left.values())})")


main()
