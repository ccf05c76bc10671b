"""Seeded hostile request bodies for `/invocations`: generated and mutated, repeatable from the seed.

Each generator takes a `random.Random` and the model's feature table and returns
(content type, body). The mix keeps most bodies cheap (refused while parsing) and some valid
enough to reach the model, so the fuzz test stays within its time while covering every layer.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable, Iterator

import pandas as pd

JSON = "application/json"
CSV = "text/csv"
PARQUET = "application/vnd.apache.parquet"
TYPES = [JSON, CSV, PARQUET, JSON + "; charset=utf-8", CSV + "; charset=UTF-8", "text/plain", "application/x-parquet",
         "", "application/json; charset=latin-1", "application/json; format=records", "application/json;", "*/*",
         "multipart/form-data; boundary=x", "application/json; charset", "text/csv;;", "\tapplication/json\t"]  # fmt: skip
KEYS = ["dataframe_split", "dataframe_records", "instances", "inputs", "params", "columns", "data", "index", "prompt", ""]
WEIRD_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
                 "-0", "0.0000000000000000000001", "1" * 900, "9223372036854775808", "-9223372036854775809", "1E+2"]  # fmt: skip
WEIRD_TEXT = ["", " ", "nan", "inf", "1,5", "\u0000", "\ud7ff", "é", "🙂", "a" * 5000, "\\", '"', "\n", "null", "true"]


def _scalar(rng: random.Random) -> object:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.randint(-(2**70), 2**70)
    if kind == 2:
        return rng.choice([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, rng.uniform(-1e6, 1e6)])
    if kind == 3:
        return rng.choice(WEIRD_TEXT)
    return rng.uniform(-10, 10)


def random_json(rng: random.Random, depth: int = 0) -> object:
    """A random JSON value, keys drawn from the protocol's own words so structure is sometimes nearly right."""
    if depth > 4 or rng.random() < 0.35:
        return _scalar(rng)
    if rng.random() < 0.5:
        return [random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS + WEIRD_TEXT[:5]): random_json(rng, depth + 1) for _ in range(rng.randrange(4))}


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, allow_nan=True).encode("utf-8", "surrogatepass")


def _valid(rng: random.Random, x: pd.DataFrame) -> dict:
    rows = x.sample(n=rng.randint(1, 3), random_state=rng.randrange(2**31))
    cols = list(rows.columns)
    data = rows.to_numpy().tolist()
    form = rng.choice(["split", "records", "inputs", "instances"])
    if form == "split":
        return {"dataframe_split": {"columns": cols, "data": data}}
    records = [dict(zip(cols, r)) for r in data]
    if form == "records":
        return {"dataframe_records": records}
    if form == "inputs":
        return {"inputs": {c: rows[c].tolist() for c in cols}}
    return {"instances": records}


def mutated_json(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """A valid request with one to three structural or value mutations."""
    body = _valid(rng, x)
    for _ in range(rng.randint(1, 3)):
        key = next(iter(body))
        inner = body[key]
        op = rng.randrange(9)
        if op == 0:
            body["params"] = random_json(rng)
        elif op == 1 and isinstance(inner, dict) and isinstance(inner.get("data"), list) and inner["data"]:
            row = inner["data"][rng.randrange(len(inner["data"]))]
            if isinstance(row, list) and row:
                row[rng.randrange(len(row))] = _scalar(rng) if rng.random() < 0.8 else random_json(rng)
        elif op == 2 and isinstance(inner, list) and inner and isinstance(inner[0], dict):
            rec = inner[rng.randrange(len(inner))]
            if isinstance(rec, dict):
                rec[rng.choice(list(rec) or ["a"])] = _scalar(rng)
        elif op == 3 and isinstance(inner, dict) and isinstance(inner.get("columns"), list) and inner["columns"]:
            cols = inner["columns"]
            cols[rng.randrange(len(cols))] = rng.choice([cols[0], "", "a.b", "`x`", "é", None, 1, "prediction"])
        elif op == 4 and isinstance(inner, dict) and "data" in inner:
            inner["data"] = rng.choice([[], [[]], [[1]], None, "x", [None], (inner["data"] * 2 if isinstance(inner["data"], list) else None)])
        elif op == 5:
            body[rng.choice(KEYS)] = random_json(rng)
        elif op == 6 and isinstance(inner, dict):
            inner.pop(rng.choice(list(inner) or ["x"]), None)
        elif op == 7 and isinstance(inner, list):
            inner.append(random_json(rng))
        else:
            body = {rng.choice(KEYS): body} if rng.random() < 0.5 else body
    return rng.choice([JSON, JSON, JSON + "; charset=utf-8", rng.choice(TYPES)]), _dumps(body)


def weird_number_json(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """A valid split body whose one cell is a number literal Python and Jackson read differently (or not at all)."""
    cols = list(x.columns)
    row = [repr(float(v)) for v in x.iloc[rng.randrange(len(x))]]
    row[rng.randrange(len(row))] = rng.choice(WEIRD_NUMBERS)
    return JSON, ('{"dataframe_split": {"columns": ' + json.dumps(cols) + ', "data": [[' + ", ".join(row) + "]]}}").encode()


def deep(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """Deep nesting, inside a format key or bare, closed or not."""
    n = rng.choice([100, 1000, 1001, 5000, 50000, 200000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    inner = opener * n + "1" + (closer * n if rng.random() < 0.7 else "")
    return JSON, (rng.choice(['{"dataframe_records": %s}', '{"inputs": %s}', "%s"]) % inner).encode()


def random_bytes(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """Noise, invalid UTF-8 included, under any content type."""
    return rng.choice(TYPES), bytes(rng.randrange(256) for _ in range(rng.randrange(200)))


def _valid_bytes(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    rows = x.sample(n=rng.randint(1, 4), random_state=rng.randrange(2**31))
    which = rng.choice([0, 1, 1, 2, 2])
    if which == 0:
        return CSV, rows.to_csv(index=rng.random() < 0.3).encode()
    if which == 1:
        buf = io.BytesIO()
        rows.to_parquet(buf, index=False)
        return PARQUET, buf.getvalue()
    return JSON, _dumps(_valid(rng, x))


def byte_mutated(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """A valid JSON, CSV or Parquet body truncated, bit-flipped, spliced or given invalid UTF-8."""
    ctype, body = _valid_bytes(rng, x)
    b = bytearray(body)
    op = rng.randrange(5)
    if op == 0:
        b = b[: rng.randrange(len(b) + 1)]
    elif op == 1:
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif op == 2:
        i = rng.randrange(len(b) + 1)
        b[i:i] = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b",", b"\n", b'"', b"PAR1"])
    elif op == 3:
        i, j = sorted(rng.randrange(len(b) + 1) for _ in range(2))
        b[i:j] = b[i:j] * rng.randint(2, 5)
    else:
        ctype = rng.choice(TYPES)
    return ctype, bytes(b)


def csv_shapes(rng: random.Random, x: pd.DataFrame) -> tuple[str, bytes]:
    """Ragged, quoted, headerless and odd CSV."""
    cols = list(x.columns)
    lines = [",".join(rng.choice([cols, cols[::-1], cols + [""], cols[:2], [cols[0]] * 2, ['"a,b"'], []]))]
    for _ in range(rng.randrange(4)):
        n = len(cols) + rng.choice([-2, -1, 0, 0, 0, 1, 3])
        lines.append(",".join(rng.choice(["1.5", "", "x", '"', '"1"', "nan", "1e400", "-", " 2 "]) for _ in range(max(n, 0))))
    sep = rng.choice(["\n", "\r\n", "\r"])
    return rng.choice([CSV, CSV, CSV + "; charset=utf-8"]), sep.join(lines).encode()


# Bodies that reach Spark with a null or NaN the assembler refuses cost a failed Spark job each
# (about 100x a parse error): they are kept to a few percent so 5,000 bodies fit the CI minute.
GENERATORS: list[tuple[float, Callable[[random.Random, pd.DataFrame], tuple[str, bytes]]]] = [
    (0.28, mutated_json),
    (0.17, lambda rng, x: (rng.choice([JSON, JSON, rng.choice(TYPES)]), _dumps(random_json(rng)))),
    (0.04, weird_number_json),
    (0.04, deep),
    (0.20, random_bytes),
    (0.22, byte_mutated),
    (0.05, csv_shapes),
]


def bodies(seed: int, n: int, x: pd.DataFrame) -> Iterator[tuple[str, bytes]]:
    """`n` (content type, body) pairs, the same for the same seed and table."""
    rng = random.Random(seed)
    weights = [w for w, _ in GENERATORS]
    for _ in range(n):
        gen = rng.choices([g for _, g in GENERATORS], weights)[0]
        yield gen(rng, x)
