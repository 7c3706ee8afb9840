"""MLflow's own client, fluent API and autolog onto the embedded store (the tracking plugin)."""

from __future__ import annotations

import math

import pytest

mlflow = pytest.importorskip("mlflow")

from mlflow.exceptions import MlflowException  # noqa: E402

from jupyterlab_runs.mlflow_plugin.locations import tracking_uri  # noqa: E402
from jupyterlab_runs.store import SqliteStore  # noqa: E402


@pytest.fixture
def uri(tmp_path, monkeypatch):
    """MLflow pointed at a fresh embedded store; the active run and experiment reset after."""
    # Set, then removed: monkeypatch then also removes what MLflow sets during the test
    # (set_experiment exports MLFLOW_EXPERIMENT_ID), so later tests and kernels never see it.
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    # Outside a notebook: no kernel hooks, even when an IPython shell exists in this process.
    monkeypatch.setenv("JUPYTERLAB_RUNS_MLFLOW", "0")
    monkeypatch.chdir(tmp_path)
    uri = tracking_uri(tmp_path / "runs.db")
    mlflow.set_tracking_uri(uri)
    yield uri
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.tracking.fluent._active_experiment_id = None
    mlflow.set_tracking_uri(None)


@pytest.fixture
def ours(tmp_path, uri):
    """Our own view of the same store file."""
    store = SqliteStore(tmp_path / "runs.db")
    yield store
    store.close()


def test_fluent_runs_are_versions_with_params_metrics_tags_and_history(uri, ours):
    mlflow.set_experiment("primer")
    for n_estimators in (100, 200):
        with mlflow.start_run() as run:
            mlflow.log_param("n_estimators", n_estimators)
            for step in range(3):
                mlflow.log_metric("loss", 1 / (step + 1) / n_estimators, step=step)
            mlflow.log_metrics({"accuracy": n_estimators / 250})
            mlflow.set_tag("model", "rf")
    client = mlflow.MlflowClient()
    fetched = client.get_run(run.info.run_id)
    assert fetched.info.run_name == "v2" and fetched.info.status == "FINISHED"
    assert fetched.data.params == {"n_estimators": "200"}
    assert fetched.data.metrics["accuracy"] == 0.8
    assert fetched.data.tags["model"] == "rf"
    assert fetched.data.tags["jupyterlab_runs.version"] == "2"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2]
    assert history[-1].value == pytest.approx(1 / 3 / 200)

    stored = ours.get_run(run.info.run_id)
    assert stored.version == 2 and stored.name == "v2" and stored.end_time is not None
    assert stored.params["n_estimators"].source == "mlflow"
    assert stored.metrics["loss"].count == 3 and stored.metrics["loss"].source == "mlflow"

    found = mlflow.search_runs(
        filter_string="metrics.accuracy > 0.5", order_by=["params.n_estimators DESC"]
    )
    assert list(found["tags.mlflow.runName"]) == ["v2"]
    experiment = mlflow.get_experiment_by_name("primer")
    first = client.search_runs(
        [experiment.experiment_id], order_by=["attributes.start_time"], max_results=1
    )
    assert [r.info.run_name for r in first] == ["v1"] and first.token
    second = client.search_runs(
        [experiment.experiment_id],
        order_by=["attributes.start_time"],
        max_results=1,
        page_token=first.token,
    )
    assert [r.info.run_name for r in second] == ["v2"]
    paged = client.get_metric_history(run.info.run_id, "loss")
    assert len(paged) == 3


def test_client_experiments_create_find_rename_delete_restore(uri, ours):
    client = mlflow.MlflowClient()
    experiment_id = client.create_experiment("a", tags={"mlflow.note.content": "about a"})
    assert ours.get_experiment(experiment_id).description == "about a"
    assert client.get_experiment_by_name("a").experiment_id == experiment_id
    assert client.get_experiment_by_name("missing") is None
    client.rename_experiment(experiment_id, "b")
    assert [e.name for e in client.search_experiments(filter_string="name = 'b'")] == ["b"]
    client.delete_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert client.search_experiments(filter_string="name = 'b'") == []
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"
    # MLflow's default experiment "0" is ours named Default outside a notebook.
    with mlflow.start_run() as run:
        pass
    assert client.get_experiment(run.info.experiment_id).name == "Default"
    assert client.get_experiment("0").name == "Default"


def test_runs_rename_delete_restore_and_tags(uri, ours):
    client = mlflow.MlflowClient()
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.set_tag("keep", "1")
        mlflow.set_tag("drop", "2")
        mlflow.set_tag("mlflow.note.content", "a note")
    run_id = run.info.run_id
    client.delete_tag(run_id, "drop")
    client.update_run(run_id, name="renamed")
    stored = ours.get_run(run_id)
    assert stored.name == "renamed" and stored.note == "a note" and stored.version == 1
    assert "drop" not in stored.tags and stored.tags["keep"] == "1"
    client.delete_run(run_id)
    assert ours.get_run(run_id).deleted_time is not None
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    client.restore_run(run_id)
    assert ours.get_run(run_id).deleted_time is None
    with pytest.raises(MlflowException) as missing:
        client.delete_tag(run_id, "never-set")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_artifacts_are_store_artifacts_both_ways(uri, ours, tmp_path):
    folder = tmp_path / "outputs"
    (folder / "plots").mkdir(parents=True)
    (folder / "plots" / "loss.txt").write_text("0.1")
    (folder / "summary.json").write_text("{}")
    (tmp_path / "notes.md").write_text("# notes")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(tmp_path / "notes.md"))
        mlflow.log_artifacts(str(folder), artifact_path="out")
        mlflow.log_text("hello", "texts/hello.txt")
    paths = [a.path for a in ours.list_artifacts(run.info.run_id)]
    assert paths == ["notes.md", "out/plots/loss.txt", "out/summary.json", "texts/hello.txt"]
    client = mlflow.MlflowClient()
    top = client.list_artifacts(run.info.run_id)
    assert [(f.path, f.is_dir) for f in top] == [
        ("notes.md", False),
        ("out", True),
        ("texts", True),
    ]
    assert [f.path for f in client.list_artifacts(run.info.run_id, "out")] == [
        "out/plots",
        "out/summary.json",
    ]
    local = client.download_artifacts(run.info.run_id, "out", str(tmp_path / "back"))
    assert (tmp_path / "back" / "out" / "plots" / "loss.txt").read_text() == "0.1"
    assert local.endswith("out")
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/texts/hello.txt") == "hello"
    with pytest.raises(MlflowException, match="delete .*the run") as refused:
        mlflow.artifacts.get_artifact_repository(run.info.artifact_uri).delete_artifacts()
    assert refused.value.error_code == "FEATURE_DISABLED"


def test_log_model_files_are_run_artifacts_and_load_back(uri, ours):
    from sklearn.linear_model import LogisticRegression

    from jupyterlab_runs.mlflow_plugin.tracking_store import JupyterLabRunsStore

    model = LogisticRegression(max_iter=200).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", serialization_format="cloudpickle")
    paths = {a.path for a in ours.list_artifacts(run.info.run_id)}
    assert {"model/MLmodel", "model/model.pkl", "model/requirements.txt"} <= paths
    assert mlflow.sklearn.load_model(info.model_uri).predict([[3.0]]).tolist() == [1]
    assert mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model").predict(
        [[0.0]]
    ).tolist() == [0]
    # Another process (a fresh plugin) finds the model through its run's tag.
    fresh = JupyterLabRunsStore(uri).get_logged_model(info.model_id)
    assert fresh.source_run_id == run.info.run_id and fresh.name == "model"
    outputs = mlflow.get_run(run.info.run_id).outputs.model_outputs
    assert [o.model_id for o in outputs] == [info.model_id]
    with pytest.raises(MlflowException) as refused:
        mlflow.MlflowClient().create_logged_model(experiment_id=run.info.experiment_id)
    assert (
        refused.value.error_code == "FEATURE_DISABLED" and "without a run" in refused.value.message
    )


def test_autolog_random_forest_is_one_version_with_params_metrics_model(uri, ours):
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True)
    mlflow.set_experiment("autolog")
    mlflow.sklearn.autolog(serialization_format="cloudpickle", silent=True)
    try:
        RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    runs = ours.search_runs([ours.get_experiment_by_name("autolog").id]).items
    assert [r.version for r in runs] == [1]
    run = runs[0]
    assert run.status == "FINISHED" and run.name == "v1"
    assert run.params["n_estimators"].value == "5" and run.params["max_depth"].value == "3"
    assert 0.8 < run.metrics["training_accuracy_score"].value <= 1.0
    assert "model/MLmodel" in {a.path for a in ours.list_artifacts(run.id)}
    datasets = mlflow.get_run(run.id).inputs.dataset_inputs
    assert [d.dataset.name for d in datasets] == ["dataset"]


def test_a_model_logged_before_its_runs_params_keeps_its_own(uri, ours):
    # sklearn autolog writes the run's params in the background while it logs the model, so
    # the model may arrive first: it keeps the params it was logged with.
    client = mlflow.MlflowClient()
    with mlflow.start_run() as run:
        mlflow.log_param("seed", "0")
        model = client.create_logged_model(
            run.info.experiment_id,
            name="model",
            source_run_id=run.info.run_id,
            params={"n_estimators": "5", "seed": "0"},
        )
    assert client.get_logged_model(model.model_id).params == {"n_estimators": "5", "seed": "0"}
    assert ours.get_run(run.info.run_id).status == "FINISHED"


def test_values_mlflow_accepts_are_accepted(uri, ours):
    key = "k" * 250
    with mlflow.start_run() as run:
        mlflow.log_param(key, "v" * 6000)
        mlflow.log_metric("nan", math.nan)
        mlflow.log_metric("inf", math.inf)
        mlflow.log_metric("neg", -math.inf, step=-5)
        mlflow.set_tag("big", "t" * 8000)
        mlflow.log_metric("a/b.c-d e:f", 1.0)
    metrics = mlflow.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"]) and metrics["inf"] == math.inf and metrics["neg"] == -math.inf
    stored = ours.get_run(run.info.run_id)
    assert stored.params[key].value == "v" * 6000 and stored.tags["big"] == "t" * 8000
    assert stored.metrics["neg"].step == -5 and "a/b.c-d e:f" in stored.metrics


def test_what_the_store_cannot_honour_raises_mlflow_errors(uri):
    client = mlflow.MlflowClient()
    with mlflow.start_run() as run:
        mlflow.log_param("lr", 0.1)
        with pytest.raises(MlflowException) as changed:
            mlflow.log_param("lr", 0.2)
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "cannot change" in changed.value.message
    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as tags:
        client.set_experiment_tag(run.info.experiment_id, "team", "x")
    assert tags.value.error_code == "FEATURE_DISABLED" and "experiment tags" in tags.value.message
    with pytest.raises(MlflowException) as location:
        client.create_experiment("elsewhere", artifact_location="/tmp/elsewhere")
    assert location.value.error_code == "FEATURE_DISABLED"
    with pytest.raises(MlflowException) as bad_filter:
        client.search_runs([run.info.experiment_id], filter_string="metrics.x >")
    assert bad_filter.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as relative:
        mlflow.MlflowClient("jupyterlab-runs:relative/runs.db").search_experiments()
    assert relative.value.error_code == "INVALID_PARAMETER_VALUE"


def test_bare_uri_follows_the_usual_store_resolution(tmp_path, monkeypatch, uri):
    other = tmp_path / "elsewhere" / "runs.db"
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", "sqlite:///" + str(other))
    client = mlflow.MlflowClient("jupyterlab-runs:")
    client.create_experiment("here")
    store = SqliteStore(other)
    assert store.get_experiment_by_name("here").name == "here"
    store.close()
