"""SqliteStore with hostile data and hostile places: unicode, HTML, NaN, huge values, bad paths."""

from __future__ import annotations

import json
import math
import sqlite3

import pytest
from unprivileged import call_without_root

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore, StoreUnavailable
from jupyterlab_runs.store.base import MAX_CODE_LENGTH, MAX_PARAM_VALUE_LENGTH, TRUNCATION_MARKER
from jupyterlab_runs.store.serialize import run_to_json

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "précision ✓ 精度 🚀",
    "Robert'); DROP TABLE runs;--",
    'quote " and backslash \\',
    "right-to-left \u202e text",
    "tab\tnewline\n",
]


def test_unicode_and_html_are_stored_verbatim(store):
    experiment = store.create_experiment(HOSTILE[0])
    for index, text in enumerate(HOSTILE):
        run = store.create_run(
            NewRun(
                experiment.id,
                name=text,
                code=text,
                note=text,
                params=[ParamInput(text, text)],
                metrics=[MetricInput(text, index)],
                tags={text: text},
            )
        )
        got = store.get_run(run.id)
        assert (got.name, got.code, got.note) == (text, text, text)
        assert got.params[text].value == text and got.tags[text] == text
        assert got.metrics[text].value == index
    assert store.get_experiment_by_name(HOSTILE[0]).id == experiment.id
    keys = store.list_keys([experiment.id])
    assert sorted(keys.params) == sorted(HOSTILE)


def test_lone_surrogates_are_replaced_instead_of_crashing(store, experiment):
    run = store.create_run(NewRun(experiment.id, params=[ParamInput("p", "a\ud800b")]))
    assert store.get_run(run.id).params["p"].value == "a\ufffdb"


def test_nan_and_infinities_round_trip(store, experiment):
    values = {"nan": math.nan, "inf": math.inf, "ninf": -math.inf}
    run = store.create_run(
        NewRun(experiment.id, metrics=[MetricInput(k, v, timestamp=1) for k, v in values.items()])
    )
    store.log_batch(
        run.id,
        metrics=[MetricInput("series", v, step=i) for i, v in enumerate([1.0, math.nan, math.inf])],
    )
    got = store.get_run(run.id)
    assert math.isnan(got.metrics["nan"].value)
    assert math.isnan(got.metrics["nan"].min) and math.isnan(got.metrics["nan"].max)
    assert got.metrics["inf"].value == math.inf and got.metrics["ninf"].value == -math.inf
    series = got.metrics["series"]
    assert (series.value, series.min, series.max, series.count) == (math.inf, 1.0, math.inf, 3)
    history = store.metric_history(run.id, "series")
    assert history[0].value == 1.0 and math.isnan(history[1].value) and history[2].value == math.inf
    # SQLite turns NaN into NULL; the store must read NULL back as NaN, never as a missing value.
    with sqlite3.connect(store.db.path) as conn:
        stored = conn.execute(
            "SELECT m.value FROM latest_metrics m JOIN keys k ON k.id = m.key_id "
            "WHERE k.name = 'nan'"
        ).fetchone()
    assert stored == (None,)
    encoded = json.dumps(run_to_json(got), allow_nan=False)
    assert '"value": "NaN"' in encoded and '"value": "Infinity"' in encoded
    assert '"value": "-Infinity"' in encoded


def test_huge_values_are_truncated_with_the_marker(store, experiment):
    run = store.create_run(
        NewRun(
            experiment.id,
            code="x" * (MAX_CODE_LENGTH + 5),
            params=[
                ParamInput("big", "y" * (MAX_PARAM_VALUE_LENGTH * 3)),
                ParamInput("list", list(range(5000))),
            ],
        )
    )
    got = store.get_run(run.id)
    assert len(got.code) == MAX_CODE_LENGTH and got.code.endswith(TRUNCATION_MARKER)
    for key in ("big", "list"):
        assert len(got.params[key].value) == MAX_PARAM_VALUE_LENGTH
        assert got.params[key].value.endswith(TRUNCATION_MARKER)


def test_a_store_under_a_regular_file_is_unavailable_with_the_path_and_reason(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable) as caught:
        SqliteStore(blocker / ".jupyterlab-runs" / "runs.db")
    message = str(caught.value)
    assert str(blocker / ".jupyterlab-runs") in message
    assert "Not a directory" in message or "File exists" in message


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path):
    path = tmp_path / "runs.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match="not a database"):
        SqliteStore(path)


def test_a_store_in_a_read_only_folder_is_unavailable(locked_folder):
    path = locked_folder / "runs.db"

    def open_store() -> str:
        with pytest.raises(StoreUnavailable) as caught:
            SqliteStore(path)
        return str(caught.value)

    message = call_without_root(open_store)
    assert str(path) in message and "Permission denied" in message
    assert not path.exists()
