"""Import from an mlruns/ folder, an MLflow SQLite database and a server; export to a server;
both idempotent, and a round trip through MLflow keeps every field."""

from __future__ import annotations

import math

import pytest

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import unique  # noqa: E402
from mlruns_layout import runs_by_name  # noqa: E402

from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402

pytest_plugins = ("mlflow_fixtures",)
pytest.importorskip("mlflow")
transfer = pytest.importorskip("jupyterlab_runs.store.transfer")


def log_plain_runs(uri: str, artifact_root=None) -> dict[str, str]:
    """Two experiments of runs logged by plain MLflow code (artifacts under ``artifact_root``,
    or where MLflow puts them by default); returns run ids by role."""
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    locations = {
        name: None if artifact_root is None else (artifact_root / name).as_uri()
        for name in ("train", "other")
    }
    train = client.create_experiment(
        "train", artifact_location=locations["train"], tags={"mlflow.note.content": "about"}
    )
    other = client.create_experiment("other", artifact_location=locations["other"])
    ids = {}
    for role, start, lr in (("first", 1000, 0.1), ("second", 2000, 0.01), ("failed", 3000, 1.0)):
        run = client.create_run(train, start_time=start, run_name=role, tags={"team": "ml"})
        run_id = ids[role] = run.info.run_id
        client.log_batch(
            run_id,
            metrics=[Metric("loss", 1.0 / (step + 1), 10 * step, step) for step in range(3)]
            + [Metric("nan", math.nan, 5, 0)],
            params=[Param("lr", str(lr)), Param("n", "200"), Param("model", "rf")],
            tags=[RunTag("mlflow.note.content", f"note {role}")],
        )
        client.set_terminated(run_id, "FAILED" if role == "failed" else "FINISHED", start + 500)
    client.log_text(ids["first"], "hello", "notes/a.txt")
    child = client.create_run(
        train, start_time=4000, run_name="child", tags={"mlflow.parentRunId": ids["first"]}
    )
    ids["child"] = child.info.run_id
    client.set_terminated(ids["child"], "FINISHED", 4100)
    gone = client.create_run(train, start_time=5000)
    client.delete_run(gone.info.run_id)
    ids["other"] = client.create_run(other, start_time=1500).info.run_id
    return ids


@pytest.fixture(scope="module")
def mlflow_sources(tmp_path_factory):
    """The same plain runs in an mlruns/ folder (artifacts inside it, where MLflow puts them:
    an import reads nothing outside the folder) and in an MLflow SQLite database."""
    root = tmp_path_factory.mktemp("sources")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
        folder = root / "mlruns"
        log_plain_runs(folder.as_uri())
    database = root / "mlflow.db"
    log_plain_runs(f"sqlite:///{database}", root / "db-artifacts")
    return {"folder": str(folder), "sqlite": f"sqlite:///{database}"}


@pytest.fixture
def target(tmp_path):
    opened = SqliteStore(tmp_path / "runs.db")
    yield opened
    opened.close()


@pytest.mark.parametrize("kind", ["folder", "sqlite"])
def test_an_mlflow_store_is_imported_with_everything(mlflow_sources, target, kind):
    report = transfer.import_runs(mlflow_sources[kind], target)
    assert (report.experiments, report.runs, report.skipped, report.artifacts) == (2, 5, 0, 1)
    assert str(report).startswith("5 runs copied into 2 experiments (0 already there), 1 artifacts")
    train = target.get_experiment_by_name("train")
    assert train.description == "about"
    runs = runs_by_name(target, "train")
    assert set(runs) == {"first", "second", "failed", "child"}  # not the deleted one
    first = runs["first"]
    assert [runs[name].version for name in ("first", "second", "failed", "child")] == [1, 2, 3, 4]
    assert (first.status, first.source, first.start_time, first.end_time) == (
        "FINISHED",
        "import",
        1000,
        1500,
    )
    assert runs["failed"].status == "FAILED"
    assert {k: (p.value, p.type) for k, p in first.params.items()} == {
        "lr": ("0.1", "float"),
        "n": ("200", "int"),
        "model": ("rf", "str"),
    }
    assert [(p.step, p.value) for p in target.metric_history(first.id, "loss")] == [
        (0, 1.0),
        (1, 0.5),
        (2, pytest.approx(1 / 3)),
    ]
    assert first.metrics["loss"].count == 3 and math.isnan(first.metrics["nan"].value)
    assert first.note == "note first"
    assert first.tags["team"] == "ml"
    assert runs["child"].parent_run_id == first.id
    assert target.read_artifact(first.id, "notes/a.txt") == b"hello"
    assert len(runs_by_name(target, "other")) == 1


def test_importing_again_copies_nothing_new(mlflow_sources, target):
    transfer.import_runs(mlflow_sources["sqlite"], target)
    again = transfer.import_runs(mlflow_sources["sqlite"], target)
    assert (again.runs, again.skipped) == (0, 5)
    train = target.get_experiment_by_name("train")
    assert target.search_runs([train.id]).total == 4


def test_only_the_named_experiments_are_imported(mlflow_sources, target):
    report = transfer.import_runs(mlflow_sources["sqlite"], target, experiments=["other"])
    assert (report.experiments, report.runs) == (1, 1)
    assert [e.name for e in target.list_experiments()] == ["other"]
    with pytest.raises(transfer.NotFound, match="'nope'"):
        transfer.import_runs(mlflow_sources["sqlite"], target, experiments=["nope"])


def test_an_unknown_source_is_explained(tmp_path):
    with pytest.raises(transfer.InvalidArgument, match="not an mlruns/ folder"):
        transfer.tracking_uri(str(tmp_path / "missing"))


def embedded_runs(store) -> str:
    """An experiment of three runs with everything our runs carry; returns its name."""
    name = unique("exported")
    experiment = store.create_experiment(name, notebook_path="nb.ipynb", description="d")
    for i in range(1, 4):
        run = store.create_run(
            NewRun(
                experiment.id,
                source="toolbar",
                start_time=1000 * i,
                end_time=1000 * i + 10,
                notebook_path="nb.ipynb",
                cell_id=f"c{i}",
                execution_count=i,
                kernel_name="python3",
                language="python",
                code=f"n = {i}\n" + "# long\n" * 2000,
                note=f"try {i}",
                context={"cells": [f"c{i}"]},
                params=[ParamInput("n", i, source="assign"), ParamInput("s", "5", type="str")],
                metrics=[MetricInput("acc", i / 10, step=s, timestamp=s) for s in range(3)],
                tags={"k": str(i)},
            )
        )
        store.log_artifact(run.id, "model.pkl", bytes([i]))
    return name


def test_export_to_mlflow_round_trips_and_is_idempotent(mlflow_server, target, tmp_path):
    from mlflow.tracking import MlflowClient

    from jupyterlab_runs.store.mlflow.store import MlflowStore

    name = embedded_runs(target)
    server = MlflowStore(mlflow_server)
    report = transfer.export_runs(target, server, experiments=[name])
    assert (report.experiments, report.runs, report.artifacts) == (1, 3, 3)
    assert transfer.export_runs(target, server, experiments=[name]).skipped == 3

    client = MlflowClient(tracking_uri=mlflow_server)
    experiment = client.get_experiment_by_name(name)
    seen = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time"])
    assert [r.info.run_name for r in seen] == ["v1", "v2", "v3"]
    assert [r.data.tags["jupyterlab_runs.version"] for r in seen] == ["1", "2", "3"]
    assert seen[0].data.params == {"n": "1", "s": "5"}
    assert [m.value for m in client.get_metric_history(seen[2].info.run_id, "acc")] == [0.3] * 3

    # Back into a fresh store: every field survives the trip through MLflow.
    fresh = SqliteStore(tmp_path / "fresh.db")
    assert transfer.import_runs(mlflow_server, fresh, experiments=[name]).runs == 3
    before, after = runs_by_name(target, name), runs_by_name(fresh, name)
    for key, run in before.items():
        back = after[key]
        for field in ("version", "source", "start_time", "end_time", "cell_id", "code", "note"):
            assert getattr(back, field) == getattr(run, field), field
        assert back.context == run.context and back.tags["k"] == run.tags["k"]
        assert {k: (p.value, p.type, p.source) for k, p in back.params.items()} == {
            k: (p.value, p.type, p.source) for k, p in run.params.items()
        }
        assert back.metrics["acc"].count == 3
        assert fresh.read_artifact(back.id, "model.pkl") == target.read_artifact(
            run.id, "model.pkl"
        )
    # …and the runs that came from this store are recognised on the way back in.
    assert transfer.import_runs(mlflow_server, target, experiments=[name]).skipped == 3
    fresh.close()
