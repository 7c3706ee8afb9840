"""Kernel capture: behaviour beyond the shared vectors (tests/test_capture_vectors.py)."""

import dataclasses
import json
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyterlab_runs.capture import (
    ScannedParam,
    extract_metrics,
    scan_assigned_names,
    scan_params,
)

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True).filter(
    lambda name: name not in {"and", "as", "def", "del", "for", "if", "in", "is", "not", "or"}
)
SCALARS = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.booleans(),
    st.none(),
)


def test_scanned_params_are_frozen():
    (param,) = scan_params("lr = 0.1")
    assert param == ScannedParam("lr", "0.1", "float", "assign")
    with pytest.raises(dataclasses.FrozenInstanceError):
        param.value = "0.2"


def test_results_are_fresh_lists():
    scan_params("lr = 0.1").clear()
    scan_assigned_names("acc = score()").clear()
    assert [p.key for p in scan_params("lr = 0.1")] == ["lr"]
    assert scan_assigned_names("acc = score()") == ["acc"]


def test_invalid_escapes_do_not_warn_into_the_cell():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert scan_params('pattern = "\\d+"\nbad = "\\x4"')[0].value == "\\d+"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scanners_never_raise(text):
    scan_params(text)
    scan_assigned_names(text)
    extract_metrics(text)


@settings(max_examples=300, deadline=None)
@given(NAMES, SCALARS)
def test_a_literal_assignment_reads_back_its_value(name, value):
    (param,) = scan_params(f"{name} = {value!r}")
    expected = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}
    assert param.key == name
    assert param.type == expected[type(value)]
    assert param.value == (value if isinstance(value, str) else repr(value))


@settings(max_examples=200, deadline=None)
@given(NAMES, st.lists(st.one_of(st.integers(), st.text(), st.booleans())))
def test_a_list_literal_is_canonical_json(name, items):
    (param,) = scan_params(f"{name} = {items!r}")
    assert (param.type, json.loads(param.value)) == ("json", items)
    assert param.value == json.dumps(items, ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(NAMES, st.floats(allow_nan=False))
def test_a_printed_number_reads_back_exactly(name, value):
    assert extract_metrics(f"  {name}: {value!r}\n") == [(name.rstrip("_"), value)]


@pytest.mark.parametrize(
    "text",
    [
        "a:" * 500_000,
        "a=1 " * 250_000,
        "x: " + "1" * 1_000_000,
        "(" * 500_000 + ")" * 500_000,
        "\x1b[" * 300_000 + "0" * 100_000,
        ", - | ; " * 125_000,
    ],
    ids=["colons", "words", "long number", "brackets", "escapes", "separators"],
)
def test_extract_metrics_completes_on_pathological_lines(text):
    assert isinstance(extract_metrics(text), list)


@pytest.mark.parametrize(
    "source",
    [
        "x = [" + "1, " * 350_000 + "]",
        'x = "' + "a" * 1_000_000 + '"',
        "x = " + "(" * 500_000 + ")" * 500_000,
        '"' * 1_000_000,
        "x = " + "-" * 3_000 + "1",
        "x = " + "-" * 100_000 + "1",
        "x = " + "2**" * 30_000 + "1",
    ],
    ids=["list", "string", "brackets", "quotes", "3k unary", "100k unary", "powers"],
)
def test_scan_params_completes_on_pathological_cells(source):
    assert isinstance(scan_params(source), list)


def test_metrics_keep_non_finite_values():
    found = dict(extract_metrics("loss: nan\nbest: -inf"))
    assert math.isnan(found["loss"]) and found["best"] == -math.inf
