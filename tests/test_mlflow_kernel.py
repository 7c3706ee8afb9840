"""Plain MLflow code in a kernel where jupyterlab-runs is active: zero set-up, one run per
tracked cell, MLflow's values marked with their source, the off switch."""

from __future__ import annotations

import os
import time

import pytest
from kernel_support import kernel_env, run_cell, runs_of

mlflow = pytest.importorskip("mlflow")

pytest_plugins = ("kernel_fixtures",)

NOTEBOOK = "work/notebook.ipynb"
PRIMER = """%%track
import mlflow
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, precision_score, recall_score

n_estimators = 20
max_depth = 3
min_samples_split = 2
X, y = load_iris(return_X_y=True)
with mlflow.start_run():
    rf = RandomForestClassifier(
        n_estimators=n_estimators, max_depth=max_depth,
        min_samples_split=min_samples_split, random_state=0,
    ).fit(X, y)
    predicted = rf.predict(X)
    accuracy = accuracy_score(y, predicted)
    print(f"Accuracy: {accuracy:.3f}")
    print(f"Precision: {precision_score(y, predicted, average='macro'):.3f}")
    print(f"Recall: {recall_score(y, predicted, average='macro'):.3f}")
    mlflow.log_param("n_estimators", n_estimators)
    mlflow.log_metric("accuracy", accuracy)
    mlflow.sklearn.log_model(rf, name="model", serialization_format="cloudpickle")
"""


@pytest.fixture
def shell(tracking, monkeypatch):
    """The IPython test shell after ``%load_ext jupyterlab_runs`` with MLflow unconfigured."""
    from IPython.testing.globalipapp import get_ipython

    from jupyterlab_runs.mlflow_plugin import binding

    for name in ("MLFLOW_TRACKING_URI", "JUPYTERLAB_RUNS_MLFLOW", "MLFLOW_EXPERIMENT_ID"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    mlflow.set_tracking_uri(None)
    ip = get_ipython()
    ip.reset(new_session=True)
    ip.run_line_magic("reload_ext", "jupyterlab_runs")
    yield ip
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.tracking.fluent._active_experiment_id = None
    binding.register(None)


def test_load_ext_points_mlflow_at_the_panel_store_with_notebook_context(shell):
    assert os.environ["MLFLOW_TRACKING_URI"] == "jupyterlab-runs:"
    result, *_ = run_cell(
        shell,
        "import mlflow\nwith mlflow.start_run():\n    mlflow.log_metric('loss', 0.5)\n",
    )
    result.raise_error()
    [run] = runs_of(NOTEBOOK)
    assert run.version == 1 and run.name == "v1" and run.status == "FINISHED"
    assert run.notebook_path == NOTEBOOK and run.execution_count is not None
    assert "mlflow.log_metric('loss', 0.5)" in run.code
    assert run.metrics["loss"].source == "mlflow"


def test_a_tracked_primer_cell_is_one_run_with_mlflow_values_marked(shell):
    result, out, _, _ = run_cell(shell, PRIMER, cell_id="primer")
    result.raise_error()
    assert "Accuracy: " in out
    [run] = runs_of(NOTEBOOK)
    assert run.version == 1 and run.source == "magic"
    params = {k: (p.value, p.source) for k, p in run.params.items()}
    assert params["n_estimators"] == ("20", "mlflow")
    assert params["max_depth"][0] == "3" and params["min_samples_split"][0] == "2"
    assert params["max_depth"][1] != "mlflow"
    assert {"accuracy", "precision", "recall"} <= set(run.metrics)
    assert run.metrics["precision"].source == "printed"
    # Explicit (MLflow) beats the printed line and the variable of the same name.
    assert run.metrics["accuracy"].source == "mlflow"
    from kernel_support import open_store

    paths = {a.path for a in open_store().list_artifacts(run.id)}
    assert {"model/MLmodel", "model/model.pkl"} <= paths
    # MLflow's own view of the run it started is the saved version.
    seen = mlflow.last_active_run()
    assert seen.info.run_name == "v1" and seen.data.params["n_estimators"] == "20"


def test_a_nested_mlflow_run_in_a_tracked_cell_is_a_child_run(shell):
    cell = (
        "%%track\nimport mlflow\nwith mlflow.start_run():\n"
        "    mlflow.log_param('folds', 2)\n"
        "    for fold in range(2):\n"
        "        with mlflow.start_run(nested=True):\n"
        "            mlflow.log_metric('fold_score', fold / 2)\n"
    )
    result, *_ = run_cell(shell, cell, cell_id="sweep")
    result.raise_error()
    parent, first, second = runs_of(NOTEBOOK)
    assert parent.params["folds"].value == "2" and parent.parent_run_id is None
    assert first.parent_run_id == parent.id and second.parent_run_id == parent.id
    assert [first.metrics["fold_score"].value, second.metrics["fold_score"].value] == [0, 0.5]


def test_autolog_in_a_tracked_cell_is_that_cells_run(shell):
    cell = (
        "%%track\nimport mlflow\nfrom sklearn.datasets import load_iris\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "mlflow.sklearn.autolog(serialization_format='cloudpickle', silent=True)\n"
        "n_estimators = 5\n"
        "RandomForestClassifier(n_estimators=n_estimators, random_state=0).fit("
        "*load_iris(return_X_y=True))\n"
        "mlflow.sklearn.autolog(disable=True)\n"
    )
    result, *_ = run_cell(shell, cell, cell_id="auto")
    result.raise_error()
    [run] = runs_of(NOTEBOOK)
    assert run.params["n_estimators"].source == "mlflow"
    assert run.params["criterion"].value == "gini"
    assert "training_accuracy_score" in run.metrics


def test_user_choice_and_the_off_switch_are_kept(tracking, monkeypatch):
    from jupyterlab_runs.kernel.mlflow_bridge import activate
    from jupyterlab_runs.mlflow_plugin import binding

    monkeypatch.setattr(binding, "_provider", None)  # what activate() registers is undone

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "file:///somewhere/mlruns")
    activate()
    assert os.environ["MLFLOW_TRACKING_URI"] == "file:///somewhere/mlruns"
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    monkeypatch.setenv("JUPYTERLAB_RUNS_MLFLOW", "0")
    activate()
    assert "MLFLOW_TRACKING_URI" not in os.environ
    monkeypatch.delenv("JUPYTERLAB_RUNS_MLFLOW")
    mlflow.set_tracking_uri("file:///chosen/in/code")
    try:
        activate()
        assert mlflow.get_tracking_uri() == "file:///chosen/in/code"
    finally:
        mlflow.set_tracking_uri(None)


def test_the_server_exports_mlflow_uri_to_its_kernels(runs_uri, jp_serverapp):
    assert os.environ["MLFLOW_TRACKING_URI"] == "jupyterlab-runs:"


@pytest.fixture
def switched_off(runs_uri, monkeypatch):
    """``JUPYTERLAB_RUNS_MLFLOW=0`` in the server's environment."""
    monkeypatch.setenv("JUPYTERLAB_RUNS_MLFLOW", "0")


def test_the_server_leaves_mlflow_alone_when_switched_off(switched_off, jp_serverapp):
    assert "MLFLOW_TRACKING_URI" not in os.environ


@pytest.fixture
def kernel(tmp_path):
    """A kernel as the server starts it (store and MLflow URI in its environment)."""
    from jupyter_client.manager import start_new_kernel

    env = kernel_env(
        JUPYTERLAB_RUNS_URI="sqlite:///" + str(tmp_path / "runs.db"),
        MLFLOW_TRACKING_URI="jupyterlab-runs:",
        JPY_SESSION_NAME=str(tmp_path / "primer.ipynb"),
    )
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    yield client, tmp_path
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_log_run_cell_mlflow_values_come_back_to_the_front_end_not_as_a_second_run(kernel):
    from test_kernel_claim import claim, execute

    from jupyterlab_runs.kernel.display import LOG_MIME
    from jupyterlab_runs.store import NewRun, SqliteStore

    client, folder = kernel
    assert claim(client, "cell-a")["status"] == "ok"
    replies: list[dict] = []
    outputs = execute(
        client,
        "import mlflow\nwith mlflow.start_run():\n"
        "    mlflow.log_param('n_estimators', 100)\n    mlflow.log_metric('accuracy', 0.9)\n"
        "    mlflow.log_text('fine', 'notes/report.txt')\n",
        "cell-a",
        replies,
    )
    [payload] = [o[LOG_MIME] for o in outputs if LOG_MIME in o]
    assert payload["params"] == [
        {"key": "n_estimators", "value": "100", "type": "str", "source": "mlflow"}
    ]
    assert [(m["key"], m["value"], m["source"]) for m in payload["metrics"]] == [
        ("accuracy", 0.9, "mlflow")
    ]
    store = SqliteStore(folder / "runs.db")
    assert store.search_runs([]).items == []  # the front end saves the one run
    # The front end posts it (as Log run does); the cell's MLflow artifacts join it.
    experiment = store.get_or_create_experiment("primer.ipynb")
    posted = store.create_run(
        NewRun(experiment.id, cell_id="cell-a", execution_count=replies[0]["execution_count"])
    )
    deadline = time.monotonic() + 30
    while not store.list_artifacts(posted.id) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.read_artifact(posted.id, "notes/report.txt") == b"fine"
    store.delete_run(posted.id)
    # Shift+Enter on plain MLflow code (no claim, no %load_ext): a run with its cell.
    execute(client, "mlflow.log_metric('loss', 0.25)\nmlflow.end_run()\n", "cell-b")
    [run] = store.search_runs([]).items
    assert (run.name, run.status, run.cell_id) == ("v1", "FINISHED", "cell-b")
    assert run.notebook_path.endswith("primer.ipynb") and run.kernel_name == "python3"
    assert run.metrics["loss"].value == 0.25
    store.close()


def test_headless_nbclient_notebook_with_load_ext_tracks_plain_mlflow(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from jupyterlab_runs.store import SqliteStore

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext jupyterlab_runs"),
        nbformat.v4.new_code_cell(
            "import mlflow\nwith mlflow.start_run():\n    mlflow.log_metric('accuracy', 0.9)"
        ),
        nbformat.v4.new_code_cell("%%track\nlr = 0.1\nmlflow.log_param('layers', 3)"),
    ]
    env = kernel_env(
        JUPYTERLAB_RUNS_URI="sqlite:///" + str(tmp_path / "runs.db"),
        JUPYTERLAB_RUNS_NOTEBOOK="jobs/retrain.ipynb",
    )
    env.pop("MLFLOW_TRACKING_URI", None)  # nobody chose one: %load_ext points MLflow at ours
    NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env=env)
    store = SqliteStore(tmp_path / "runs.db")
    plain, tracked = runs_of("jobs/retrain.ipynb", store)
    assert (plain.name, plain.source, plain.notebook_path) == ("v1", "api", "jobs/retrain.ipynb")
    assert plain.metrics["accuracy"].source == "mlflow"
    assert (tracked.name, tracked.source) == ("v2", "magic")
    assert tracked.params["layers"].source == "mlflow" and tracked.params["lr"].value == "0.1"
    store.close()
