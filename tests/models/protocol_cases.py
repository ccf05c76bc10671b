"""One list of scoring requests, valid and invalid, for stock `mlflow models serve` and ours side by side.

Each case is (name, body, content type, params it wants in `dataframe_split`); built from the
model's own feature table so every case is meaningful for any model of the test zoo.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd

JSON = "application/json"
CSV = "text/csv"
PARQUET = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    content_type: str | None


def _j(obj: object) -> bytes:
    return json.dumps(obj).encode()


def parquet(x: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    x.to_parquet(buf)  # pandas' index: a RangeIndex only described, another one as a column
    return buf.getvalue()


def cases(x: pd.DataFrame) -> list[Case]:
    """`x`: the model's feature columns (a few rows)."""
    cols = list(x.columns)
    rows = x.to_numpy().tolist()
    records = [dict(zip(cols, r)) for r in rows]
    split = {"columns": cols, "data": rows}
    first, second = cols[0], cols[1]
    ints = x.round().astype("int64")
    out: list[Case] = []

    def add(name: str, body: bytes | str, ctype: str | None = JSON) -> None:
        out.append(Case(name, body.encode() if isinstance(body, str) else body, ctype))

    # Every orientation and content type.
    add("split", _j({"dataframe_split": split}))
    add("split with index", _j({"dataframe_split": {**split, "index": list(range(len(rows)))}}))
    add("records", _j({"dataframe_records": records}))
    add("instances records", _j({"instances": records}))
    add("inputs records", _j({"inputs": records}))
    add("inputs columns", _j({"inputs": {c: x[c].tolist() for c in cols}}))
    add("instances columns", _j({"instances": {c: x[c].tolist() for c in cols}}))
    add("csv", x.to_csv(index=False), CSV)
    add("csv with index", x.to_csv(), CSV)
    add("parquet", parquet(x), PARQUET)
    add("parquet float32", parquet(x.astype("float32")), PARQUET)
    add("parquet ints", parquet(ints), PARQUET)
    add("parquet one row", parquet(x.head(1)), PARQUET)
    add("parquet extra column", parquet(x.assign(extra="z")), PARQUET)
    add("parquet missing column", parquet(x.drop(columns=[second])), PARQUET)
    add("parquet string column", parquet(x.astype({second: str})), PARQUET)
    add("parquet no rows", parquet(x.head(0)), PARQUET)
    add("parquet with an index", parquet(x.set_index(pd.Index([f"r{i}" for i in range(len(x))]))), PARQUET)
    add("parquet truncated", parquet(x)[:-10], PARQUET)
    add("parquet garbage", b"PAR1 not really", PARQUET)
    add("parquet empty body", b"", PARQUET)
    add("parquet as json", parquet(x), JSON)
    # Content types and their parameters.
    add("json charset utf-8", _j({"dataframe_split": split}), "application/json; charset=utf-8")
    add("json charset UTF-8", _j({"dataframe_split": split}), "application/json;charset=UTF-8")
    add("json charset latin-1", _j({"dataframe_split": split}), "application/json; charset=latin-1")
    add("json format param", _j({"dataframe_split": split}), "application/json; format=pandas-split")
    add("json trailing semicolon", _j({"dataframe_split": split}), "application/json;")
    add("json Charset key", _j({"dataframe_split": split}), "application/json; Charset=utf-8")
    add("csv charset", x.to_csv(index=False), "text/csv; charset=utf-8")
    add("parquet charset", parquet(x), PARQUET + "; charset=utf-8")
    add("upper-case type", _j({"dataframe_split": split}), "Application/JSON")
    add("spaces around type", _j({"dataframe_split": split}), "  application/json  ")
    add("text/plain", x.to_csv(index=False), "text/plain")
    add("x-parquet", parquet(x), "application/x-parquet")
    add("no content type", _j({"dataframe_split": split}), "")
    # params: a spark model's predict ignores them; a params schema validates them.
    add("params dict", _j({"dataframe_split": split, "params": {"alpha": 1.0}}))
    add("params int for double", _j({"dataframe_split": split, "params": {"alpha": 1}}))
    add("params wrong type", _j({"dataframe_split": split, "params": {"alpha": "high"}}))
    add("params unknown key", _j({"dataframe_split": split, "params": {"zzz": [1, 2]}}))
    add("params list", _j({"dataframe_split": split, "params": [1, 2]}))
    add("params string", _j({"dataframe_split": split, "params": "alpha"}))
    add("params null", _j({"dataframe_split": split, "params": None}))
    add("params empty", _j({"dataframe_split": split, "params": {}}))
    add("params array", _j({"dataframe_split": split, "params": {"ks": [3, 4]}}))
    add("params array scalar", _j({"dataframe_split": split, "params": {"ks": 3}}))
    add("params array floats", _j({"dataframe_split": split, "params": {"ks": [3.5]}}))
    add("params scalar list", _j({"dataframe_split": split, "params": {"mode": ["a"]}}))
    add("params bool for string", _j({"dataframe_split": split, "params": {"mode": True}}))
    add("params null value", _j({"dataframe_split": split, "params": {"mode": None}}))
    add("params with records", _j({"dataframe_records": records, "params": {"alpha": 2.5}}))
    # Malformed bodies.
    add("not json", "{not json")
    add("empty json body", "")
    add("json list", _j([records[0]]))
    add("json string", _j("dataframe_split"))
    add("json number", "3")
    add("json null", "null")
    add("no format key", _j({"columns": cols, "data": rows}))
    add("two format keys", _j({"dataframe_split": split, "dataframe_records": records}))
    add("extra top-level key", _j({"dataframe_split": split, "meta": 1}))
    add("llm key", _j({"dataframe_split": split, "prompt": "hi"}))
    add("split as list", _j({"dataframe_split": rows}))
    add("split no data", _j({"dataframe_split": {"columns": cols}}))
    add("split extra key", _j({"dataframe_split": {**split, "dtype": "x"}}))
    add("split ragged", _j({"dataframe_split": {"columns": cols, "data": [rows[0][:-1], *rows[1:]]}}))
    add("split no columns", _j({"dataframe_split": {"data": rows}}))
    add("split empty data", _j({"dataframe_split": {"columns": cols, "data": []}}))
    add("records as dict", _j({"dataframe_records": records[0]}))
    add("records of lists", _j({"dataframe_records": rows}))
    add("records empty", _j({"dataframe_records": []}))
    add("inputs scalar", _j({"inputs": 3}))
    add("inputs ragged columns", _j({"inputs": {first: [1.0, 2.0], second: [1.0]}}))
    add("inputs list of lists", _j({"inputs": rows}))
    add("invalid utf-8 json", b'{"dataframe_records": [{"' + first.encode() + b'": "\xff\xfe"}]}')
    add("invalid utf-8 csv", (",".join(cols) + "\n\xff\n").encode("latin-1"), CSV)
    add("csv header only", ",".join(cols) + "\n", CSV)
    add("csv empty", "", CSV)
    add("csv ragged row", ",".join(cols) + "\n" + ",".join(["1"] * (len(cols) + 2)) + "\n", CSV)
    add("csv repeated header", ",".join([first, *cols]) + "\n" + ",".join(["1.0"] * (len(cols) + 1)) + "\n", CSV)
    add("csv truncated", x.to_csv(index=False)[: len(x.to_csv(index=False)) // 2], CSV)
    # Wrong columns and values.
    add("missing column", _j({"dataframe_records": [{k: v for k, v in r.items() if k != second} for r in records]}))
    add("extra column", _j({"dataframe_records": [{**r, "extra": 1.0} for r in records]}))
    add("reordered columns", _j({"dataframe_split": {"columns": cols[::-1], "data": [r[::-1] for r in rows]}}))
    add("strings for numbers", _j({"dataframe_records": [{**r, second: str(r[second])} for r in records]}))
    add("ints for doubles", _j({"dataframe_split": {"columns": cols, "data": ints.to_numpy().tolist()}}))
    add("bools for a number", _j({"dataframe_records": [{**r, second: True} for r in records]}))
    add("null value", _j({"dataframe_records": [{**records[0], second: None}, *records[1:]]}))
    add("nan value", json.dumps({"dataframe_records": [{**records[0], second: float("nan")}]}))
    add("infinity value", json.dumps({"dataframe_records": [{**records[0], second: float("inf")}]}))
    add("huge number", _j({"dataframe_records": [{**records[0], second: 1e308}]}))
    add("huge integer", _j({"dataframe_records": [{**records[0], second: 10**30}]}))
    add("nested value", _j({"dataframe_records": [{**records[0], second: {"a": [1]}}]}))
    add("list value", _j({"dataframe_records": [{**records[0], second: [1.0, 2.0]}]}))
    add("duplicate columns", _j({"dataframe_split": {"columns": [first, *cols], "data": [[r[0], *r] for r in rows]}}))
    return out
