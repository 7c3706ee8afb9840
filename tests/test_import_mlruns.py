"""``jupyter-runs import`` of real MLflow stores moved from another machine: an MLflow 3 folder
and database written by MLflow's fluent API then moved, and an MLflow 1.x folder built here by
the documented layout; damaged runs, unreadable files and anything outside the folder."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import unique  # noqa: E402
from mlruns_layout import runs_by_name, write_experiment, write_run  # noqa: E402

from jupyterlab_runs.cli import main  # noqa: E402
from jupyterlab_runs.store import SqliteStore  # noqa: E402

pytest_plugins = ("mlflow_fixtures",)
pytest.importorskip("mlflow")
pytest.importorskip("sklearn")
transfer = pytest.importorskip("jupyterlab_runs.store.transfer")

WRITER = Path(__file__).with_name("write_mlflow_runs.py")
HISTORY = [{"run_id": "a" * 32, "artifact_path": "model", "flavors": {"sklearn": {}}}]
MLMODEL = {"flavors": {"python_function": {}, "sklearn": {}}, "model_uuid": "u" * 32}


@pytest.fixture(scope="module")
def primer(tmp_path_factory, mlflow_server):
    """One experiment written by MLflow's fluent API in a child process to an MLflow 3 file
    store and an SQLite database (with its ./mlruns artifacts folder), both then moved
    elsewhere, and to a tracking server."""
    origin = tmp_path_factory.mktemp("origin")
    (origin / "project").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_ALLOW_FILE_STORE"] = "true"
    name = unique("primer")
    uris = [(origin / "filestore" / "mlruns").as_uri(), "sqlite:///mlflow.db", mlflow_server]
    subprocess.run(
        [sys.executable, str(WRITER), name, *uris],
        cwd=origin / "project",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    there = tmp_path_factory.mktemp("moved") / "here"
    shutil.move(origin, there)
    return {
        "name": name,
        "folder": there / "filestore" / "mlruns",
        "sqlite": there / "project" / "mlflow.db",
        "server": mlflow_server,
    }


@pytest.mark.parametrize("kind", ["folder", "sqlite"])
def test_a_moved_mlflow3_store_imports_whole(primer, store, kind):
    report = transfer.import_runs(str(primer[kind]), store)
    assert (report.runs, report.artifacts, report.left_out, report.problems) == (2, 6, 0, [])
    runs = runs_by_name(store, primer["name"])
    train, child = runs["train"], runs["child"]
    assert {k: p.value for k, p in train.params.items()} == {"C": "0.5", "max_iter": "200"}
    history = store.metric_history(train.id, "accuracy")
    assert [(p.step, p.value) for p in history] == [(0, 0.8), (1, 0.81), (2, 0.82)]
    assert child.parent_run_id == train.id and child.metrics["loss"].value == 0.25
    # MLflow's own tags stay as tags; the parent link is the parent field.
    assert train.tags["mlflow.source.name"] == str(WRITER)
    assert train.tags["mlflow.source.type"] == "LOCAL"
    assert train.tags["mlflow.runName"] == "train" and train.tags["mlflow.user"]
    assert "mlflow.parentRunId" not in child.tags
    # The logged model (MLflow 3 keeps it apart, under models/<id>/) comes under the run.
    (mlmodel_file,) = primer[kind].parent.glob("**/models/m-*/artifacts/MLmodel")
    mlmodel = yaml.safe_load(mlmodel_file.read_text())
    pickled = mlmodel["flavors"]["sklearn"]["pickled_model"]
    names = ["MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt", pickled]
    paths = {a.path for a in store.list_artifacts(train.id)}
    assert paths == {"notes/readme.txt", *(f"model/{name}" for name in names)}
    assert store.read_artifact(train.id, "model/MLmodel") == mlmodel_file.read_bytes()
    record = json.loads(train.tags[f"jupyterlab_runs.mlflow.model.{mlmodel['model_id']}"])
    assert (record["name"], record["path"], record["status"]) == ("model", "model", "READY")
    again = transfer.import_runs(str(primer[kind]), store)
    assert (again.runs, again.skipped) == (0, 2)


def test_a_servers_logged_model_comes_with_its_run(primer, store):
    report = transfer.import_runs(primer["server"], store, experiments=[primer["name"]])
    assert (report.runs, report.artifacts, report.problems) == (2, 6, [])
    train = runs_by_name(store, primer["name"])["train"]
    paths = {a.path for a in store.list_artifacts(train.id)}
    assert {"notes/readme.txt", "model/MLmodel", "model/requirements.txt"} <= paths
    mlmodel = yaml.safe_load(store.read_artifact(train.id, "model/MLmodel"))
    assert f"model/{mlmodel['flavors']['sklearn']['pickled_model']}" in paths
    record = json.loads(train.tags[f"jupyterlab_runs.mlflow.model.{mlmodel['model_id']}"])
    assert (record["name"], record["path"], record["status"]) == ("model", "model", "READY")


def test_mlflow_over_the_store_finds_and_loads_an_imported_model(primer, tmp_path, monkeypatch):
    """MLflow 3's logged model is again a logged model of its run: MLflow, reading the embedded
    store through our plugin, lists it, downloads it and loads it."""
    import mlflow.sklearn
    from mlflow.tracking import MlflowClient

    database = tmp_path / "runs.db"
    # load_model opens MLflow's tracking store too: ours, not a default mlflow.db in the cwd.
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"jupyterlab-runs://{database}")
    store = SqliteStore(database)
    transfer.import_runs(str(primer["folder"]), store)
    train = runs_by_name(store, primer["name"])["train"]
    store.close()
    client = MlflowClient(tracking_uri=f"jupyterlab-runs://{database}")
    (model,) = client.search_logged_models([train.experiment_id])
    assert (model.name, model.source_run_id, str(model.status)) == ("model", train.id, "READY")
    local = client.download_artifacts(train.id, "model", str(tmp_path / "download"))
    loaded = mlflow.sklearn.load_model(local)
    assert (loaded.C, loaded.predict([[2.0]]).tolist()) == (0.5, [1])


@pytest.fixture
def mlruns_1x(tmp_path):
    """A 1.x ``mlruns/`` folder: one whole run with a model, two damaged runs, and one with
    files that are missing or unreadable."""
    name = unique("primer-1x")
    experiment = write_experiment(tmp_path / "mlruns", "1", name)
    write_run(
        experiment,
        "a" * 32,
        1000,
        params={"n_estimators": "100", "max_depth": "None"},
        tags={
            "mlflow.runName": "rf-100",
            "mlflow.user": "alice",
            "mlflow.source.name": "train.py",
            "mlflow.source.type": "LOCAL",
            "mlflow.log-model.history": json.dumps(HISTORY),
            "team": "ml",
        },
        metrics={
            "accuracy": ["1000 0.9 0", "1001 0.95 1"],
            "loss": ["1000 0.3"],  # MLflow 0.x wrote no step
            "val/loss": ["1000 nan 0"],  # a key with a slash is a subfolder
        },
        artifacts={
            "model/MLmodel": yaml.safe_dump(MLMODEL),
            "model/conda.yaml": "name: env\n",
            "model/requirements.txt": "scikit-learn\n",
            "model/model.pkl": b"\x80\x04N.",
        },
    )
    (write_run(experiment, "b" * 32, 2000) / "meta.yaml").write_text("artifact_uri: [oops\n")
    write_run(experiment, "c" * 32, 3000, metrics={"accuracy": ["1000 0.9 0", "1001 high 1"]})
    broken = write_run(
        experiment,
        "d" * 32,
        4000,
        params={"kept": "1"},
        tags={"team": b"\xff\xfe not utf-8"},
        artifacts={"ok.txt": "fine"},
    )
    (broken / "params" / "gone").symlink_to(broken / "params" / "nowhere")
    (broken / "artifacts" / "gone.txt").symlink_to(broken / "nowhere.txt")
    return tmp_path / "mlruns", name


def test_a_1x_folder_imports_minus_its_damaged_runs_with_a_report(mlruns_1x, store):
    folder, name = mlruns_1x
    report = transfer.import_runs(str(folder), store)
    assert (report.experiments, report.runs, report.left_out, report.artifacts) == (1, 2, 2, 5)
    problems = "\n".join(report.problems)
    assert f"run {'b' * 32} of {name!r} not imported: meta.yaml is not valid YAML" in problems
    assert (
        f"run {'c' * 32} of {name!r} not imported: metrics/accuracy has a line that is not "
        "'timestamp value step': '1001 high 1'" in problems
    )
    d = "d" * 32
    assert f"run {d}: params/gone is a broken symbolic link; skipped" in problems
    assert f"run {d}: tags/team cannot be read ('utf-8' codec can't decode" in problems
    assert f"run {d}: artifacts/gone.txt is a broken symbolic link; skipped" in problems
    assert len(report.problems) == 5
    assert str(report).startswith(
        "2 runs copied into 1 experiments (0 already there), 5 artifacts; "
        "2 runs left out\nwarning: "
    )

    runs = runs_by_name(store, name)
    whole, partial = runs["rf-100"], runs["v2"]
    assert (whole.status, whole.start_time, whole.end_time, whole.user) == (
        "FINISHED",
        1000,
        1500,
        "alice",
    )
    assert {k: (p.value, p.type) for k, p in whole.params.items()} == {
        "n_estimators": ("100", "int"),
        "max_depth": ("None", "none"),
    }
    assert [(p.step, p.value) for p in store.metric_history(whole.id, "accuracy")] == [
        (0, 0.9),
        (1, 0.95),
    ]
    assert (whole.metrics["loss"].step, whole.metrics["loss"].value) == (0, 0.3)
    assert math.isnan(whole.metrics["val/loss"].value)
    assert whole.tags["mlflow.log-model.history"] == json.dumps(HISTORY)
    assert whole.tags["mlflow.source.name"] == "train.py" and whole.tags["team"] == "ml"
    # The recorded artifact_uri is gone: the files beside the run are imported.
    assert {a.path for a in store.list_artifacts(whole.id)} == {
        "model/MLmodel",
        "model/conda.yaml",
        "model/requirements.txt",
        "model/model.pkl",
    }
    assert store.read_artifact(whole.id, "model/model.pkl") == b"\x80\x04N."
    assert (list(partial.params), "team" in partial.tags) == (["kept"], False)
    assert [a.path for a in store.list_artifacts(partial.id)] == ["ok.txt"]


DAMAGE = {
    "not a mapping": ("meta.yaml", "- a list\n", "meta.yaml is not a YAML mapping"),
    "no meta.yaml": ("meta.yaml", None, "meta.yaml cannot be read ("),
    "other run id": ("meta.yaml", "run_id: x\n", "meta.yaml names run 'x', not the folder's"),
    "bad status": ("status", "done", "meta.yaml: status 'done' is none of MLflow's run statuses"),
    "bad time": ("start_time", "noon", "meta.yaml: start_time is not a time in milliseconds"),
    "empty metric": ("metrics/loss", "", "metrics/loss holds no value"),
    "short line": ("metrics/loss", "1000\n", "metrics/loss has a line that is not 'timestamp"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_each_kind_of_damage_leaves_out_one_run_and_says_why(tmp_path, store, damage):
    file, content, why = DAMAGE[damage]
    experiment = write_experiment(tmp_path / "mlruns", "1", "damage")
    write_run(experiment, "a" * 32, 1000)
    run = write_run(experiment, "b" * 32, 2000)
    meta = yaml.safe_load((run / "meta.yaml").read_text())
    if file in meta:
        (run / "meta.yaml").write_text(yaml.safe_dump({**meta, file: content}))
    elif content is None:
        (run / file).unlink()
    else:
        (run / file).parent.mkdir(exist_ok=True)
        (run / file).write_text(content)
    report = transfer.import_runs(str(tmp_path / "mlruns"), store)
    assert (report.runs, report.left_out, len(report.problems)) == (1, 1, 1)
    assert report.problems[0].startswith(f"run {'b' * 32} of 'damage' not imported: {why}")


def test_a_damaged_experiment_is_named_and_the_others_imported(tmp_path, store):
    write_run(write_experiment(tmp_path / "mlruns", "1", "fine"), "a" * 32, 1000)
    (tmp_path / "mlruns" / "2").mkdir()
    (tmp_path / "mlruns" / "2" / "meta.yaml").write_text("experiment_id: '2'\n")
    report = transfer.import_runs(str(tmp_path / "mlruns"), store)
    assert (report.experiments, report.runs) == (1, 1)
    assert report.problems == ["experiment folder 2 not imported: meta.yaml has no experiment name"]


def test_a_run_the_store_refuses_is_left_out_and_the_rest_imported(tmp_path, store):
    experiment = write_experiment(tmp_path / "mlruns", "1", "steps")
    write_run(experiment, "a" * 32, 1000, metrics={"loss": [f"1000 0.5 {2**70}"]})
    write_run(experiment, "b" * 32, 2000, metrics={"loss": ["1000 0.5 3"]})
    report = transfer.import_runs(str(tmp_path / "mlruns"), store)
    assert (report.runs, report.left_out) == (1, 1)
    assert report.problems == [
        f"run {'a' * 32} of 'steps' not copied: step of metric 'loss' is out of range: "
        "it must fit in a signed 64-bit integer"
    ]
    assert list(runs_by_name(store, "steps")) == ["v1"]


def test_models_the_folder_cannot_bring_are_named(tmp_path, store):
    experiment = write_experiment(tmp_path / "mlruns", "1", "history")
    tags = {"mlflow.log-model.history": json.dumps(HISTORY)}
    write_run(experiment, "a" * 32, 1000, tags=tags)
    # The file store's model registry: a registered model and its version 1.
    registered = tmp_path / "mlruns" / "models" / "rf"
    (registered / "version-1").mkdir(parents=True)
    (registered / "meta.yaml").write_text("name: rf\n")
    report = transfer.import_runs(str(tmp_path / "mlruns"), store)
    assert report.runs == 1 and report.problems == [
        "models/ (MLflow's model registry) not imported: registered models have no place here; "
        "the runs' own models are imported with them",
        f"run {'a' * 32}: model 'model' (mlflow.log-model.history) has no MLmodel in the folder",
    ]


def test_an_imported_run_exports_its_mlflow_tags_and_model_back(mlruns_1x, store, mlflow_server):
    from mlflow.tracking import MlflowClient

    from jupyterlab_runs.store.mlflow.store import MlflowStore

    folder, name = mlruns_1x
    transfer.import_runs(str(folder), store)
    server = MlflowStore(mlflow_server)
    report = transfer.export_runs(store, server, experiments=[name])
    assert (report.runs, report.artifacts) == (2, 5)
    client = MlflowClient(tracking_uri=mlflow_server)
    experiment = client.get_experiment_by_name(name)
    (run,) = client.search_runs([experiment.experiment_id], "attributes.run_name = 'rf-100'")
    tags = run.data.tags
    assert tags["mlflow.log-model.history"] == json.dumps(HISTORY)
    assert (tags["mlflow.source.name"], tags["mlflow.source.type"]) == ("train.py", "LOCAL")
    assert (tags["mlflow.user"], tags["mlflow.runName"], tags["team"]) == ("alice", "rf-100", "ml")
    assert run.data.params == {"n_estimators": "100", "max_depth": "None"}
    listed = {item.path for item in client.list_artifacts(run.info.run_id, "model")}
    assert listed == {
        "model/MLmodel",
        "model/conda.yaml",
        "model/requirements.txt",
        "model/model.pkl",
    }


def test_the_command_prints_counts_and_each_problem(mlruns_1x, tmp_path, capsys):
    folder, name = mlruns_1x
    assert main(["import", str(folder), "--into", f"sqlite:///{tmp_path / 'cli.db'}"]) == 0
    out = capsys.readouterr().out
    assert f"{name}: 2 of 2 runs copied" in out
    assert "2 runs copied into 1 experiments (0 already there), 5 artifacts; 2 runs left out" in out
    assert f"warning: run {'b' * 32} of {name!r} not imported: meta.yaml" in out


def test_a_file_mlflow_cannot_read_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "notes.db").write_text("not a database")
    assert main(["import", str(tmp_path / "notes.db"), "--into", str(tmp_path / "r.db")]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"jupyter-runs: error: sqlite:///{tmp_path / 'notes.db'} cannot be read as an MLflow "
        "store (DatabaseError: (sqlite3.DatabaseError) file is not a database)\n"
    )
