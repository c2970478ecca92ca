"""Seeded mutations of a Glidepath run store, for scripts/fuzz-store.sh.

    python3 store_mutations.py STORE SEED

Applies one to three mutations chosen by SEED (Python's `random.Random(SEED)`, so a finding is
reproduced by its seed) to the SQLite file STORE in place: a column of a random row set to a hostile
value (wrong type, NaN/inf, extreme integers, malformed or huge JSON, empty or long text, a blob),
a row deleted or duplicated, a table or column dropped, the schema version changed, or bytes of the
file flipped (page damage). Prints what it did, one line per mutation.
"""

import random
import sqlite3
import sys

HOSTILE = [
    None, "abc", b"\x00\xff\x10", -1, 0, 1, 2**63 - 1, -(2**63), 1e308, -1e308, float("inf"), float("-inf"),
    -0.0, "", "x" * 10000, "[1,2", "[]", "[1e999]", "[null]", '{"a":1}', "[" + ",".join(["1"] * 5000) + "]",
    "NaN", "2026-13-45T99:99:99Z", "../../../etc/passwd", "/dev/zero", "epoch", "interrupt", "running",
    "[" * 3000, '"' + "\\u0000" * 10 + '"', "\udcff".encode("utf-8", "surrogatepass"),
]


def tables(db):
    return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]


def columns(db, table):
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]


def mutate_value(db, rng):
    table = rng.choice([t for t in tables(db) if t != "grdb_migrations"] or ["runs"])
    cols = columns(db, table)
    if not cols:
        return "no columns"
    column = rng.choice(cols)
    value = rng.choice(HOSTILE)
    rows = db.execute(f'SELECT rowid FROM "{table}"').fetchall() if table not in ("steps", "epochs", "probes", "study_cells") else []
    try:
        if rows:
            rowid = rng.choice(rows)[0]
            db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (value, rowid))
        else:
            # WITHOUT ROWID tables: one row picked by its position.
            count = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            if count == 0:
                return f"{table} is empty"
            offset = rng.randrange(count)
            key = db.execute(f'SELECT * FROM "{table}" LIMIT 1 OFFSET {offset}').fetchone()
            names = columns(db, table)
            where = " AND ".join(f'"{n}" IS ?' for n in names)
            db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE {where}', (value, *key))
    except sqlite3.Error as error:
        return f"{table}.{column} = {str(value)[:40]!r}: refused by SQLite ({error})"
    return f"{table}.{column} = {str(value)[:40]!r}"


def mutate_rows(db, rng):
    table = rng.choice(["runs", "epochs", "steps", "checkpoints", "probes"])
    try:
        if rng.random() < 0.5:
            db.execute(f'DELETE FROM "{table}" WHERE rowid IN (SELECT rowid FROM "{table}" ORDER BY random() LIMIT 1)'
                       if table in ("runs", "checkpoints") else
                       f'DELETE FROM "{table}" WHERE step = (SELECT step FROM "{table}" ORDER BY random() LIMIT 1)'
                       if table in ("steps", "probes") else
                       f'DELETE FROM "{table}" WHERE epoch = (SELECT max(epoch) FROM "{table}")')
            return f"deleted a row of {table}"
        if table == "steps":
            db.execute("INSERT INTO steps SELECT run_id, step + 100000, epoch + ?, loss, gradient_norm, learning_rates, step_sizes "
                       "FROM steps LIMIT 1", (rng.choice([0, 1, 1000]),))
        elif table == "checkpoints":
            db.execute("INSERT INTO checkpoints (run_id, step, epoch, reason, path, checksum, byte_count, created_at) "
                       "SELECT run_id, step + 1, epoch, reason, ?, checksum, byte_count, created_at FROM checkpoints LIMIT 1",
                       (rng.choice(["/etc/hostname", "missing.gpck", "", "glidepath-checkpoints"]),))
        return f"duplicated a row of {table}"
    except sqlite3.Error as error:
        return f"rows of {table}: refused by SQLite ({error})"


def mutate_schema(db, rng):
    choice = rng.randrange(3)
    try:
        if choice == 0:
            table = rng.choice(["checkpoints", "probes", "epochs", "steps", "studies"])
            db.execute(f'DROP TABLE IF EXISTS "{table}"')
            return f"dropped {table}"
        if choice == 1:
            table, column = rng.choice([("steps", "gradient_norm"), ("steps", "step_sizes"), ("epochs", "validation_auc"),
                                        ("runs", "result"), ("checkpoints", "checksum")])
            db.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
            return f"dropped {table}.{column}"
        version = rng.choice([0, 1, 2, 3, 5, 99, -1])
        db.execute(f"PRAGMA user_version = {version}")
        return f"user_version = {version}"
    except sqlite3.Error as error:
        return f"schema: refused by SQLite ({error})"


def flip_bytes(path, rng):
    with open(path, "r+b") as handle:
        data = bytearray(handle.read())
        if len(data) < 200:
            return "file too small"
        start = rng.randrange(100, len(data))
        length = rng.choice([1, 4, 64, 512])
        for offset in range(start, min(len(data), start + length)):
            data[offset] ^= rng.randrange(1, 256)
        handle.seek(0)
        handle.write(data)
    return f"flipped {length} bytes at {start}"


def main():
    path, seed = sys.argv[1], int(sys.argv[2])
    rng = random.Random(seed)
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.random()
        if kind < 0.1:
            done.append(flip_bytes(path, rng))
            continue
        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode = DELETE")
        if kind < 0.7:
            done.append(mutate_value(db, rng))
        elif kind < 0.9:
            done.append(mutate_rows(db, rng))
        else:
            done.append(mutate_schema(db, rng))
        db.commit()
        db.close()
    print("; ".join(done))


if __name__ == "__main__":
    main()
