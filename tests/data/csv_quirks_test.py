"""CSV files as people write them: each quirk is read right or refused by name.

A property-based test writes random small tables with a byte-order mark,
another delimiter, repeated names, an infinite cell, an empty label, no
rows or only a header, and checks that every load either gives back the
written table (names, values, labels) or raises a `ValueError` that names
the quirk; never another exception, never a silent misread.
"""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from nnrecipes import data

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ ", min_size=1, max_size=6).map(
    str.strip).filter(bool)


def _write(path, lines, bom):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode() + b"\n")


@st.composite
def tables(draw):
    width = draw(st.integers(2, 5))  # features and the label, last
    names = draw(st.lists(NAMES, min_size=width, max_size=width))
    rows = draw(st.integers(12, 30))
    values = np.arange(rows * (width - 1), dtype=float).reshape(rows, width - 1) / 4 - 3
    labels = ["yes", "no"] * (rows // 2) + ["yes"] * (rows % 2)
    quirk = draw(st.sampled_from(["none", "inf", "empty_label", "header_only", "empty"]))
    return {"names": names, "values": values, "labels": labels, "quirk": quirk,
            "bom": draw(st.booleans()), "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
            "row": draw(st.integers(0, rows - 1)), "column": draw(st.integers(0, width - 2))}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables())
def test_random_tables_with_quirks_load_right_or_are_refused_by_name(tmp_path, table):
    names, values, labels, d = table["names"], table["values"], table["labels"], table["delimiter"]
    cells = [[f"{v:g}" for v in row] + [y] for row, y in zip(values, labels)]
    if table["quirk"] == "inf":
        cells[table["row"]][table["column"]] = "inf"
    if table["quirk"] == "empty_label":
        cells[table["row"]][-1] = ""
    lines = [d.join(names)] + [d.join(row) for row in cells]
    lines = {"header_only": lines[:1], "empty": []}.get(table["quirk"], lines)
    path = tmp_path / "table.csv"
    _write(path, lines, table["bom"])
    twice = len(set(names)) < len(names)
    expected = {  # the words the error must hold, or None for a good load
        "empty": "is empty", "header_only": "only a header row",
        "inf": f"line {table['row'] + 2}, column {names[table['column']]!r} holds an "
               "infinite number",
        "empty_label": f"label column {names[-1]!r} of .* on line(s) [{table['row'] + 2}]",
        "none": None}[table["quirk"]]
    if twice and table["quirk"] not in ("empty", "header_only"):
        expected = "more than once"
    if expected is not None:
        pattern = ".*".join(re.escape(part) for part in expected.split(" .* "))
        with pytest.raises(ValueError, match=pattern):
            data.load(f"csv:{path}")
        return
    splits = data.load(f"csv:{path}")
    assert splits.table_columns() == {"names": names[:-1], "types": ["number"] * len(names[:-1]),
                                      "generated": False}
    x = np.concatenate([splits.x_train, splits.x_val, splits.x_test])
    y = np.concatenate([splits.y_train, splits.y_val, splits.y_test])
    order = np.argsort(x[:, 0])
    np.testing.assert_allclose(x[order], values, rtol=1e-6)
    assert [splits.class_names[i] for i in y[order]] == labels


def test_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    _write(tmp_path / "t.csv", ["x1,x2,y"] + [f"{i},{i % 3},{i % 2}" for i in range(40)],
           bom=True)
    splits = data.load(f"csv:{tmp_path / 't.csv'}")
    assert splits.info["columns"] == ["x1", "x2"]


def test_one_column_read_names_the_delimiter(tmp_path):
    _write(tmp_path / "t.csv", ["a;b;y"] + [f"{i};{i};{i % 2}" for i in range(40)], bom=False)
    assert data.load(f"csv:{tmp_path / 't.csv'}").info["columns"] == ["a", "b"]  # detected
    with pytest.raises(ValueError, match=r"single column with delimiter ','.*pass "
                                         r"delimiter=';'"):
        data.load(f"csv:{tmp_path / 't.csv'}", delimiter=",")


def test_other_spellings_of_nan_are_missing_and_inf_is_refused(tmp_path):
    lines = ["a,b,y"] + [f"{i},{i % 5},{i % 2}" for i in range(40)]
    lines[3] = "NAN,1,0"
    _write(tmp_path / "t.csv", lines, bom=False)
    splits = data.load(f"csv:{tmp_path / 't.csv'}")
    assert splits.info["categorical"] == []  # still a number column, with a gap
    lines[3] = "-Infinity,1,0"
    _write(tmp_path / "t.csv", lines, bom=False)
    with pytest.raises(ValueError, match=r"line 4, column 'a' holds an infinite number "
                                         r"\('-Infinity'\)"):
        data.load(f"csv:{tmp_path / 't.csv'}")


@pytest.mark.parametrize("name, first, generated", [
    ("breast_cancer", "mean radius", False), ("wine", "alcohol", False),
])
def test_catalog_tables_record_their_column_names(name, first, generated):
    columns = data.load(name).summary()["columns"]
    assert columns["names"][0] == first and columns["generated"] is generated
    assert len(columns["names"]) == len(columns["types"]) == len(set(columns["names"]))


def test_from_arrays_records_given_or_generated_names():
    x, y = np.random.RandomState(0).rand(30, 2), np.arange(30) % 2
    named = data.from_arrays(x, y, columns=["height", "weight"])
    assert named.table_columns() == {"names": ["height", "weight"],
                                     "types": ["number", "number"], "generated": False}
    assert data.from_arrays(x, y).table_columns()["generated"] is True
    with pytest.raises(ValueError, match=r"each of the 2 columns a name of its own"):
        data.from_arrays(x, y, columns=["a", "a"])
    rows = np.array([[str(i), ["red", "blue"][i % 2]] for i in range(30)], dtype=object)
    assert data.from_arrays(rows, y, kind="tabular").table_columns()["types"] == [
        "number", "category"]
