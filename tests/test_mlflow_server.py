"""``mlflow server --backend-store-uri jupyterlab-runs:///…`` serves the embedded store to a
real MlflowClient (started on 127.0.0.1 by the test, stopped by its process id)."""

from __future__ import annotations

import urllib.request

import pytest

mlflow = pytest.importorskip("mlflow")

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import MlflowProcess  # noqa: E402

from jupyterlab_runs.mlflow_plugin.locations import tracking_uri  # noqa: E402
from jupyterlab_runs.store import MetricInput, NewRun, ParamInput, SqliteStore  # noqa: E402


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two notebook runs in an embedded store, and an MLflow server over it."""
    folder = tmp_path_factory.mktemp("served")
    store = SqliteStore(folder / "runs.db")
    experiment = store.get_or_create_experiment("retrain.ipynb", "retrain.ipynb")
    runs = []
    for n_estimators in (100, 200):
        run = store.create_run(
            NewRun(
                experiment_id=experiment.id,
                source="toolbar",
                notebook_path="retrain.ipynb",
                cell_id="cell-7",
                code="n_estimators = ...",
                git_commit="abc123",
                note="tuned",
                params=[ParamInput("n_estimators", n_estimators)],
                metrics=[MetricInput("loss", 1 / (s + 1), step=s) for s in range(3)],
            )
        )
        store.log_artifact(run.id, "model/meta.json", b'{"ok": true}')
        runs.append(run)
    server = MlflowProcess(folder, backend=tracking_uri(folder / "runs.db"))
    try:
        server.start()
        yield server.url, store, experiment, runs
    finally:
        server.stop()
        store.close()


def test_client_lists_experiments_runs_params_metric_histories(served):
    base, _, experiment, runs = served
    client = mlflow.MlflowClient(base)
    assert [e.name for e in client.search_experiments()] == ["retrain.ipynb"]
    found = client.search_runs([experiment.id], order_by=["attributes.start_time ASC"])
    assert [r.info.run_name for r in found] == ["v1", "v2"]
    second = client.get_run(runs[1].id)
    assert second.data.params == {"n_estimators": "200"}
    tags = second.data.tags
    assert tags["jupyterlab_runs.version"] == "2" and tags["jupyterlab_runs.cell_id"] == "cell-7"
    assert tags["mlflow.source.name"] == "retrain.ipynb"
    assert tags["mlflow.source.git.commit"] == "abc123" and tags["mlflow.note.content"] == "tuned"
    history = client.get_metric_history(runs[1].id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    found = client.search_runs([experiment.id], filter_string="params.n_estimators = '100'")
    assert [r.info.run_name for r in found] == ["v1"]


def test_server_serves_run_artifacts(served):
    base, _, _, runs = served
    client = mlflow.MlflowClient(base)
    assert [(f.path, f.is_dir) for f in client.list_artifacts(runs[0].id)] == [("model", True)]
    # What MLflow's UI fetches: the file read through the server's artifact repository.
    url = f"{base}/get-artifact?path=model/meta.json&run_uuid={runs[0].id}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == b'{"ok": true}'


def test_runs_logged_through_the_server_are_our_next_versions(served):
    base, store, experiment, _ = served
    client = mlflow.MlflowClient(base)
    run = client.create_run(experiment.id)
    client.log_batch(
        run.info.run_id,
        metrics=[mlflow.entities.Metric("loss", 0.1, 0, 0)],
        params=[mlflow.entities.Param("n_estimators", "300")],
    )
    client.set_terminated(run.info.run_id)
    stored = store.get_run(run.info.run_id)
    assert (stored.version, stored.name, stored.status) == (3, "v3", "FINISHED")
    assert stored.params["n_estimators"].source == "mlflow"
