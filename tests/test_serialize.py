"""JSON shapes of the REST API, and posted runs turned into NewRun with clear errors."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from jupyterlab_runs.store import InvalidArgument, MetricInput, NewRun, ParamInput, Run
from jupyterlab_runs.store.serialize import (
    create_run_from_json,
    new_run_from_json,
    page_to_json,
    run_to_json,
    to_json,
)

POSTED = {
    "experiment_name": "work/train.ipynb",
    "notebook_path": "work/train.ipynb",
    "status": "FINISHED",
    "source": "toolbar",
    "start_time": 1000,
    "end_time": 1500.0,
    "cell_id": "c1",
    "execution_count": 3,
    "kernel_name": "python3",
    "language": "python",
    "code": "lr = 1e-3\nprint('acc: 0.9')",
    "git_commit": None,
    "error": None,
    "context": {"cells": ["lr = 1e-3"]},
    "params": [
        {"key": "lr", "value": "1e-3", "type": "float", "source": "literal"},
        {"key": "layers", "value": [64, 32]},
    ],
    "metrics": [
        {"key": "acc", "value": 0.9, "source": "printed"},
        {"key": "loss", "value": "NaN", "step": 2, "timestamp": 5},
        {"key": "gain", "value": "-Infinity"},
    ],
    "tags": {"<b>": "<i>x</i>"},
}


def test_run_json_has_every_field_and_keyed_params_metrics_tags(store, experiment):
    run = store.create_run(
        NewRun(
            experiment.id,
            start_time=10,
            end_time=30,
            error={"name": "E", "message": "m"},
            params=[ParamInput("n", 5)],
            metrics=[MetricInput("acc", 0.5, step=1, timestamp=7)],
            tags={"t": "v"},
        )
    )
    data = run_to_json(run)
    expected_keys = {f.name for f in dataclasses.fields(Run)} | {"duration_ms"}
    assert set(data) == expected_keys
    assert data["duration_ms"] == 20 and data["version"] == 1 and data["error"]["name"] == "E"
    assert data["params"] == {"n": {"value": "5", "type": "int", "source": "explicit"}}
    assert data["metrics"] == {
        "acc": {
            "value": 0.5,
            "step": 1,
            "timestamp": 7,
            "min": 0.5,
            "max": 0.5,
            "count": 1,
            "source": "explicit",
        }
    }
    assert data["tags"] == {"t": "v"}
    assert json.loads(json.dumps(data, allow_nan=False)) == data


def test_non_finite_metrics_become_strings_strict_json_can_hold(store, experiment):
    run = store.create_run(
        NewRun(
            experiment.id,
            metrics=[
                MetricInput("nan", math.nan),
                MetricInput("inf", math.inf),
                MetricInput("ninf", -math.inf),
            ],
        )
    )
    metrics = run_to_json(store.get_run(run.id))["metrics"]
    assert (metrics["nan"]["value"], metrics["nan"]["min"]) == ("NaN", "NaN")
    assert metrics["inf"]["value"] == "Infinity" and metrics["ninf"]["max"] == "-Infinity"
    history = to_json(store.metric_history(run.id, "nan"))
    assert history[0]["value"] == "NaN"


def test_other_shapes(store, experiment):
    run = store.create_run(NewRun(experiment.id, params=[ParamInput("p", 1)]))
    artifact = store.log_artifact(run.id, "a.txt", b"hi")
    assert to_json(artifact) == {
        "path": "a.txt",
        "size": 2,
        "sha256": artifact.sha256,
        "media_type": "text/plain",
    }
    assert to_json(store.get_experiment(experiment.id)) == {
        "id": experiment.id,
        "name": "experiment",
        "created": experiment.created,
        "notebook_path": None,
        "description": "",
        "deleted_time": None,
        "run_count": 1,
    }
    change = to_json(store.changes()[1][0])
    assert set(change) == {"cursor", "kind", "op", "id", "experiment_id", "time"}
    assert to_json(store.list_keys([experiment.id])) == {"params": ["p"], "metrics": [], "tags": []}
    page = page_to_json(store.search_runs([experiment.id], max_results=1))
    assert set(page) == {"runs", "next_page_token", "total", "total_is_lower_bound"}
    assert page["total"] == 1 and page["total_is_lower_bound"] is False  # SQLite counts all
    assert page["runs"][0]["id"] == run.id
    with pytest.raises(TypeError):
        to_json(object())


def test_a_posted_run_becomes_a_new_run_and_an_experiment_name():
    run, experiment_name = new_run_from_json(POSTED)
    assert experiment_name == "work/train.ipynb" and run.experiment_id == ""
    assert (run.status, run.source, run.start_time, run.end_time) == (
        "FINISHED",
        "toolbar",
        1000,
        1500,
    )
    assert run.params[0] == ParamInput("lr", "1e-3", "float", "literal")
    assert run.params[1] == ParamInput("layers", [64, 32], None, "explicit")
    loss = run.metrics[1]
    assert math.isnan(loss.value) and (loss.step, loss.timestamp) == (2, 5)
    assert run.metrics[2].value == -math.inf and run.metrics[0].source == "printed"
    assert run.tags == {"<b>": "<i>x</i>"}


def test_the_experiment_id_wins_and_the_notebook_path_is_the_default_name():
    run, name = new_run_from_json({**POSTED, "experiment_id": "abc"})
    assert (run.experiment_id, name) == ("abc", None)
    run, name = new_run_from_json({"notebook_path": "x.ipynb"})
    assert name == "x.ipynb" and run.params == [] and run.status == "FINISHED"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "a run must be a JSON object"),
        ({"status": "FINISHED"}, "needs experiment_id, experiment_name or notebook_path"),
        ({**POSTED, "experiment_name": 5}, "experiment_name must be a string"),
        ({**POSTED, "status": "DONE"}, "status must be one of"),
        ({**POSTED, "source": "cli"}, "source must be one of"),
        ({**POSTED, "start_time": "now"}, "start_time must be an integer"),
        ({**POSTED, "execution_count": 1.5}, "execution_count must be an integer"),
        ({**POSTED, "code": 5}, "code must be a string"),
        ({**POSTED, "context": []}, "context must be an object"),
        ({**POSTED, "error": "boom"}, "error must be an object"),
        ({**POSTED, "tags": ["a"]}, "tags must be an object"),
        ({**POSTED, "params": {"a": 1}}, "params must be a list"),
        ({**POSTED, "params": [{"key": "a"}]}, "params[0].value is missing"),
        ({**POSTED, "params": [{"key": "a", "value": 1}, {"value": 1}]}, "params[1].key must be"),
        ({**POSTED, "params": ["a"]}, "params[0] must be an object"),
        ({**POSTED, "params": [{"key": "a", "value": "1", "type": 3}]}, "params[0].type must be"),
        (
            {**POSTED, "metrics": [{"key": "m", "value": "abc"}]},
            "metrics[0].value must be a number",
        ),
        ({**POSTED, "metrics": [{"key": "m", "value": True}]}, "metrics[0].value must be a number"),
        ({**POSTED, "metrics": [{"key": "m"}]}, "metrics[0].value must be a number"),
        ({**POSTED, "metrics": [{"key": "m", "value": 1, "step": "1"}]}, "metrics[0].step must be"),
    ],
)
def test_bad_payloads_are_explained(payload, message):
    with pytest.raises(InvalidArgument, match=message.replace("[", r"\[").replace("]", r"\]")):
        new_run_from_json(payload)


def test_create_run_from_json_resolves_the_experiment_by_name(store):
    first = create_run_from_json(store, POSTED)
    second = create_run_from_json(store, POSTED)
    experiment = store.get_experiment_by_name("work/train.ipynb")
    assert first.experiment_id == second.experiment_id == experiment.id
    assert (first.version, second.version) == (1, 2)
    assert experiment.notebook_path == "work/train.ipynb"
    data = run_to_json(store.get_run(first.id))
    assert data["params"]["lr"] == {"value": "1e-3", "type": "float", "source": "literal"}
    assert data["params"]["layers"] == {"value": "[64, 32]", "type": "json", "source": "explicit"}
    assert data["metrics"]["loss"]["value"] == "NaN"
    assert data["duration_ms"] == 500
    with pytest.raises(InvalidArgument, match="param key must not be empty"):
        create_run_from_json(store, {**POSTED, "params": [{"key": "", "value": 1}]})
    assert store.get_experiment(experiment.id).run_count == 2


def test_summaries_leave_out_the_fields_that_hold_their_defaults(store, experiment):
    run = store.create_run(
        NewRun(
            experiment.id,
            params=[ParamInput("lr", 0.1), ParamInput("depth", 8, source="kwarg")],
            metrics=[
                MetricInput("once", 0.5, timestamp=1),
                MetricInput("nan", math.nan, timestamp=1),
                MetricInput("loss", 0.9, step=0, timestamp=1),
                MetricInput("loss", 0.4, step=3, timestamp=2),
                MetricInput("loss", 0.6, step=7, timestamp=3),
                MetricInput("acc", 0.7, step=2, timestamp=4, source="printed"),
            ],
        )
    )
    page = store.search_runs([experiment.id], summary=True)
    (short,) = page_to_json(page, summary=True)["runs"]
    assert short["params"] == {
        "lr": {"value": "0.1", "type": "float"},
        "depth": {"value": "8", "type": "int", "source": "kwarg"},
    }
    assert short["metrics"] == {
        "once": {"value": 0.5, "timestamp": 1},
        "nan": {"value": "NaN", "timestamp": 1},
        "loss": {"value": 0.6, "timestamp": 3, "step": 7, "count": 3, "min": 0.4, "max": 0.9},
        "acc": {"value": 0.7, "timestamp": 4, "step": 2, "source": "printed"},
    }
    # Full runs keep every field.
    full = run_to_json(store.get_run(run.id))
    assert full["params"]["lr"]["source"] == "explicit"
    assert full["metrics"]["once"] == {
        "value": 0.5,
        "step": 0,
        "timestamp": 1,
        "min": 0.5,
        "max": 0.5,
        "count": 1,
        "source": "explicit",
    }
