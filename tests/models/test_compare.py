"""`compare` on hand-made Arrow tables: what counts as agreement for each kind of column."""

from __future__ import annotations

import math

import pyarrow as pa

from bridge.models.compare import compare

NAN = math.nan


def tables(**columns: tuple[list, list]) -> tuple[pa.Table, pa.Table]:
    rows = len(next(iter(columns.values()))[0])
    a = {"_row": list(range(rows))} | {k: v[0] for k, v in columns.items()}
    b = {"_row": list(range(rows))[::-1]} | {k: v[1][::-1] for k, v in columns.items()}  # other order: aligned by _row
    return pa.table(a), pa.table(b)


def by_name(cmp):
    return {c.name: c for c in cmp.columns}


def test_nan_equals_nan_and_null_equals_null_counted_not_disagreeing():
    a, b = tables(prediction=([1.0, NAN, None, 2.0], [1.0, NAN, None, 2.0 + 1e-12]))
    cmp = compare(a, b, ["prediction"], 1e-9)
    c = by_name(cmp)["prediction"]
    assert cmp.ok and (c.nans, c.nulls, c.mismatches) == (1, 1, 0)
    assert c.how == "number, |difference|" and 0 < c.max_abs_diff < 1e-11


def test_nan_against_a_number_or_null_against_a_value_disagrees():
    a, b = tables(prediction=([NAN, None, 3.0], [1.0, 2.0, 3.0]))
    cmp = compare(a, b, ["prediction"], 1e-9)
    assert not cmp.ok and by_name(cmp)["prediction"].mismatches == 2


def test_numbers_beyond_the_tolerance_disagree_and_are_the_worst_row():
    a, b = tables(prediction=([1.0, 2.0, 3.0], [1.0, 2.5, 3.0]))
    cmp = compare(a, b, ["prediction"], 1e-9)
    assert not cmp.ok and by_name(cmp)["prediction"].max_abs_diff == 0.5
    assert cmp.worst_rows["_row"].iloc[0] == 1
    assert "DISAGREE" in cmp.render()


def test_text_and_arrays_of_text_by_value():
    a, b = tables(label=(["a", None, "c"], ["a", None, "c"]), items=([["x", "y"], [], None], [["x", "y"], [], None]))
    cmp = compare(a, b, ["label", "items"], 1e-9)
    assert cmp.ok
    assert by_name(cmp)["label"].how == "text, by value" and by_name(cmp)["label"].max_abs_diff is None
    assert by_name(cmp)["items"].how == "array of text, by value"
    a2, b2 = tables(items=([["x", "y"], ["z"]], [["y", "x"], ["z"]]))
    assert by_name(compare(a2, b2, ["items"], 1e-9))["items"].mismatches == 1


def test_vectors_elementwise_with_nan_inside_and_length_differences():
    a, b = tables(probability=([[0.2, 0.8], [NAN, 1.0], [0.5]], [[0.2, 0.8 + 1e-12], [NAN, 1.0], [0.5, 0.5]]))
    cmp = compare(a, b, ["probability"], 1e-9)
    c = by_name(cmp)["probability"]
    assert c.how == "numbers elementwise, |difference|"
    assert (c.mismatches, c.nans) == (1, 1)


def test_structs_and_maps_field_by_field():
    a, b = tables(
        hashes=([[{"size": 1, "values": [1.0]}], [{"size": 1, "values": [2.0]}]], [[{"size": 1, "values": [1.0]}], [{"size": 1, "values": [2.5]}]])
    )
    c = by_name(compare(a, b, ["hashes"], 1e-9))["hashes"]
    assert c.how == "array of arrays/structs, elementwise" and c.mismatches == 1 and c.max_abs_diff == 0.5
    maps = pa.map_(pa.string(), pa.float64())
    s1 = pa.table({"_row": [0, 1], "m": pa.array([[("k", 1.0), ("j", 2.0)], [("k", 1.0)]], type=maps)})
    s2 = pa.table({"_row": [0, 1], "m": pa.array([[("j", 2.0), ("k", 1.0)], [("k", 3.0)]], type=maps)})
    m = by_name(compare(s1, s2, ["m"], 1e-9))["m"]
    assert m.how == "map/struct, field by field" and m.mismatches == 1 and m.max_abs_diff == 2.0
    point = pa.struct([("x", pa.float64()), ("tag", pa.string())])
    t1 = pa.table({"_row": [0, 1], "p": pa.array([{"x": NAN, "tag": "a"}, {"x": 1.0, "tag": "b"}], type=point)})
    t2 = pa.table({"_row": [0, 1], "p": pa.array([{"x": NAN, "tag": "a"}, {"x": 1.0, "tag": "c"}], type=point)})
    p = by_name(compare(t1, t2, ["p"], 1e-9))["p"]
    assert (p.mismatches, p.nans) == (1, 1)


def test_render_names_every_column_and_how_it_was_compared():
    a, b = tables(prediction=([1.0, NAN], [1.0, NAN]), label=(["x", "y"], ["x", "y"]))
    text = compare(a, b, ["prediction", "label"], 1e-9).render()
    assert "verdict: AGREE" in text
    assert "prediction" in text and "number, |difference|" in text
    assert "label" in text and "text, by value" in text


def test_nothing_compared_is_not_agreement():
    a, b = tables(prediction=([1.0, 2.0], [1.0, 2.0]))
    cmp = compare(a, b, [], 1e-9)
    assert not cmp.ok and cmp.columns == [] and "DISAGREE" in cmp.render()
