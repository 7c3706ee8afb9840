"""Normalization shared by every backend: param text and type, keys, metric numbers, limits."""

from __future__ import annotations

import hashlib
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from jupyterlab_runs.store.base import (
    MAX_KEY_LENGTH,
    MAX_PARAM_VALUE_LENGTH,
    MAX_TAG_VALUE_LENGTH,
    TRUNCATION_MARKER,
    VALUE_TYPES,
    InvalidArgument,
    MetricInput,
    NewRun,
    Param,
    ParamInput,
)
from jupyterlab_runs.store.values import (
    check_new_run,
    json_safe,
    metric_float,
    normalize_param,
    normalize_tags,
    numeric_param_value,
    param_text,
    summarize_metrics,
    truncate,
    unique_params,
    unique_points,
    validate_key,
)


class Opaque:
    def __repr__(self):
        return "<Opaque & <b>bold</b>>"


class BrokenRepr:
    def __repr__(self):
        raise RuntimeError("no")


@pytest.mark.parametrize(
    ("value", "text", "type_"),
    [
        (True, "True", "bool"),
        (False, "False", "bool"),
        (200, "200", "int"),
        (-3, "-3", "int"),
        (1e-3, "0.001", "float"),
        (0.1, "0.1", "float"),
        (float("nan"), "nan", "float"),
        (float("-inf"), "-inf", "float"),
        (None, "None", "none"),
        ("rf", "rf", "str"),
        ("", "", "str"),
        ([64, 32], "[64, 32]", "json"),
        ((1, "a"), '[1, "a"]', "json"),
        ({"lr": 0.1, "depth": 3}, '{"lr": 0.1, "depth": 3}', "json"),
        ({3, 1, 2}, "[1, 2, 3]", "json"),
        ({"b", "a"}, '["a", "b"]', "json"),
        ([float("nan")], '["NaN"]', "json"),
        (np.int64(7), "7", "int"),
        (np.float32(0.5), "0.5", "float"),
        (np.bool_(True), "True", "bool"),
        (Opaque(), "<Opaque & <b>bold</b>>", "repr"),
    ],
)
def test_param_text_keeps_the_original_type(value, text, type_):
    assert param_text(value) == (text, type_)
    assert type_ in VALUE_TYPES


def test_integers_too_long_to_print_do_not_crash():
    assert param_text(10**5000) == ("<int of 16610 bits>", "repr")
    assert json_safe([10**5000, 2**64]) == ["<int of 16610 bits>", 2**64]


def test_repr_params_are_bounded_and_survive_a_failing_repr():
    huge = param_text(type("Big", (), {"__repr__": lambda self: "x" * 100_000})())
    assert huge[1] == "repr" and len(huge[0]) == MAX_PARAM_VALUE_LENGTH
    assert huge[0].endswith(TRUNCATION_MARKER)
    text, type_ = param_text(BrokenRepr())
    assert type_ == "repr" and "BrokenRepr" in text and "repr failed" in text


def test_canonical_text_and_type_from_the_front_end_are_kept():
    assert normalize_param(ParamInput("lr", "1e-3", "float")) == Param("lr", "1e-3", "float")
    assert normalize_param(ParamInput("d", "None", "none", "literal")) == Param(
        "d", "None", "none", "literal"
    )
    # Without a type, a string is just a string.
    assert normalize_param(ParamInput("lr", "1e-3")).type == "str"
    # A typed non-string value is normalized from the value itself.
    assert normalize_param(ParamInput("n", 5, "str")) == Param("n", "5", "int")


def test_an_unknown_param_type_is_rejected():
    with pytest.raises(InvalidArgument, match="unknown type 'complex'"):
        normalize_param(ParamInput("x", "1j", "complex"))


def test_long_param_and_tag_values_are_truncated_with_the_marker_never_dropped():
    param = normalize_param(ParamInput("code", "x" * (MAX_PARAM_VALUE_LENGTH + 10)))
    assert len(param.value) == MAX_PARAM_VALUE_LENGTH
    assert param.value.endswith(TRUNCATION_MARKER)
    tags = normalize_tags({"t": "y" * (MAX_TAG_VALUE_LENGTH * 2)})
    assert len(tags["t"]) == MAX_TAG_VALUE_LENGTH and tags["t"].endswith(TRUNCATION_MARKER)
    assert truncate("short", 10) == "short"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("k" * (MAX_KEY_LENGTH + 1), f"the limit is {MAX_KEY_LENGTH}"),
        (5, "must be a string, got int"),
        (None, "must be a string, got NoneType"),
        ("a\x00b", "NUL"),
    ],
)
def test_invalid_keys_are_rejected_with_a_clear_message(key, message):
    with pytest.raises(InvalidArgument, match=message):
        validate_key(key, "param key")


def test_keys_keep_unicode_html_and_spaces_verbatim():
    for key in ("accuracy (val)", "<script>alert(1)</script>", "précision ✓", "a.b.c", "k" * 250):
        assert validate_key(key) == key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1.0),
        (0.25, 0.25),
        (np.float64(0.5), 0.5),
        (np.int32(3), 3.0),
        (np.float16(2.0), 2.0),
        (Decimal("0.1"), 0.1),
        (Fraction(1, 4), 0.25),
        (float("inf"), math.inf),
        (float("-inf"), -math.inf),
    ],
)
def test_metric_values_accept_numbers_of_every_kind(value, expected):
    assert metric_float(value, "m") == expected


def test_nan_is_a_legal_metric_value():
    assert math.isnan(metric_float(float("nan"))) and math.isnan(metric_float(np.nan))


@pytest.mark.parametrize("value", ["0.5", b"1", True, np.bool_(False), None, [1], 1j, object()])
def test_non_numbers_are_not_metric_values(value):
    with pytest.raises(InvalidArgument, match="metric 'acc' must be a number"):
        metric_float(value, "acc")


def test_numeric_params_compare_as_numbers_but_others_do_not():
    assert numeric_param_value(Param("n", "200", "int")) == 200.0
    assert numeric_param_value(Param("lr", "1e-3", "float")) == 0.001
    assert numeric_param_value(Param("v", " 3 ", "str")) == 3.0
    assert numeric_param_value(Param("b", "True", "bool")) is None
    assert numeric_param_value(Param("s", "rf", "str")) is None
    assert numeric_param_value(Param("f", "nan", "float")) is None
    assert numeric_param_value(Param("j", "[1]", "json")) is None
    assert numeric_param_value(Param("big", "1e999", "float")) is None


def test_json_safe_makes_strict_json_of_anything():
    value = json_safe({"a": (1, float("nan")), 2: {3, 1}, "o": Opaque(), "n": np.int8(4)})
    assert value == {"a": [1, "NaN"], "2": [1, 3], "o": "<Opaque & <b>bold</b>>", "n": 4}


def test_the_same_param_twice_is_fine_but_two_values_are_not():
    assert unique_params([ParamInput("a", 1), ParamInput("a", 1)]) == [Param("a", "1", "int")]
    with pytest.raises(InvalidArgument, match="'a' is given twice with different values"):
        unique_params([ParamInput("a", 1), ParamInput("a", 2)])


def test_metric_summaries_take_the_latest_step_and_skip_nan_in_min_and_max():
    points = unique_points(
        [
            MetricInput("loss", 0.9, step=0, timestamp=10),
            MetricInput("loss", float("nan"), step=2, timestamp=5),
            MetricInput("loss", 0.3, step=1, timestamp=30),
            MetricInput("loss", 0.5, step=1, timestamp=30),  # replaces the point before
            MetricInput("acc", float("nan"), timestamp=1),
        ],
        default_timestamp=0,
    )
    summaries = summarize_metrics(points)
    loss = summaries["loss"]
    assert math.isnan(loss.value) and loss.step == 2
    assert (loss.min, loss.max, loss.count) == (0.5, 0.9, 3)
    assert math.isnan(summaries["acc"].min) and math.isnan(summaries["acc"].max)


def test_check_new_run_fills_defaults_and_hashes_the_code():
    checked = check_new_run(NewRun("e", code="x = 1\n", params=[ParamInput("x", 1)]))
    assert checked.code_hash == hashlib.sha256(b"x = 1\n").hexdigest()
    assert checked.run.start_time is not None and checked.run.end_time is not None
    assert checked.params == [Param("x", "1", "int")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "DONE"}, "status must be one of"),
        ({"source": "cli"}, "source must be one of"),
        ({"start_time": "now"}, "start_time must be an integer"),
        ({"execution_count": True}, "execution_count must be an integer"),
        ({"code": None}, "code must be a string"),
        ({"cell_id": 3}, "cell_id must be a string"),
        ({"error": "boom"}, "error must be a mapping"),
        ({"metrics": [MetricInput("m", "high")]}, "metric 'm' must be a number"),
    ],
)
def test_check_new_run_explains_what_is_wrong(change, message):
    with pytest.raises(InvalidArgument, match=message):
        check_new_run(NewRun("e", **change))
