"""``jupyter-runs import|export|info`` end to end: an MLflow database in, a server out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.register_assert_rewrite("mlflow_fixtures")
from mlflow_fixtures import unique  # noqa: E402

from jupyterlab_runs.cli import main  # noqa: E402
from jupyterlab_runs.store import open_store  # noqa: E402

pytest_plugins = ("mlflow_fixtures",)
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def mlflow_db(tmp_path_factory):
    """An MLflow SQLite database with one experiment of two runs, logged by plain mlflow."""
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    root = tmp_path_factory.mktemp("cli")
    client = MlflowClient(tracking_uri=f"sqlite:///{root / 'mlflow.db'}")
    name = unique("cli")
    experiment = client.create_experiment(name, artifact_location=(root / "art").as_uri())
    for lr in (0.1, 0.2):
        run = client.create_run(experiment)
        client.log_param(run.info.run_id, "lr", lr)
        client.log_metric(run.info.run_id, "acc", 1 - lr)
        client.set_terminated(run.info.run_id)
    return root / "mlflow.db", name


@pytest.fixture
def store_uri(tmp_path, monkeypatch):
    """The embedded store the commands use by default."""
    uri = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", uri)
    return uri


def test_import_info_and_export(mlflow_db, store_uri, mlflow_server, capsys):
    database, name = mlflow_db
    assert main(["import", str(database)]) == 0
    out = capsys.readouterr().out
    assert f"importing {database} into {store_uri}" in out
    assert f"{name}: 2 of 2 runs copied" in out
    assert "2 runs copied into 1 experiments (0 already there)" in out

    assert main(["import", f"sqlite:///{database}", "--into", store_uri]) == 0
    assert "0 runs copied into 1 experiments (2 already there)" in capsys.readouterr().out

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"store: {store_uri} (SqliteStore)" in out
    assert f"  {name}: 2 runs" in out

    assert main(["export", "--to", mlflow_server, "--experiment", name]) == 0
    assert "2 runs copied into 1 experiments" in capsys.readouterr().out
    server = open_store(mlflow_server)
    experiment = server.get_experiment_by_name(name)
    runs = server.search_runs([experiment.id]).items
    assert sorted(run.params["lr"].value for run in runs) == ["0.1", "0.2"]


def test_errors_are_one_line_and_exit_1(tmp_path, store_uri, capsys):
    assert main(["import", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("jupyter-runs: error: ") and "not an mlruns/ folder" in err
    assert main(["export", "--to", "http://127.0.0.1:1", "--experiment", "x"]) == 1
    assert "no experiment named 'x'" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="--to names the store being exported"):
        main(["export", "--to", store_uri])
    with pytest.raises(SystemExit):
        main(["frobnicate"])


@pytest.mark.skipif(not (BIN / "jupyter-runs").exists(), reason="the package is not installed")
def test_the_console_script_and_the_jupyter_subcommand(store_uri):
    for command in ([str(BIN / "jupyter-runs")], [str(BIN / "jupyter"), "runs"]):
        done = subprocess.run(
            [*command, "info"], capture_output=True, text=True, timeout=120, check=True
        )
        assert f"store: {store_uri} (SqliteStore)" in done.stdout
        assert "experiments: 0" in done.stdout
