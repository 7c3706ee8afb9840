"""Headless tracking: the example notebook run by nbclient and papermill in real kernels."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import nbformat
import pytest
from kernel_support import ROOT, kernel_env, runs_of

from jupyterlab_runs.kernel.display import RUN_MIME

NOTEBOOK = ROOT / "examples" / "retrain_headless.ipynb"
RELATIVE = "examples/retrain_headless.ipynb"
PAPERMILL = textwrap.dedent(
    """
    import sys, papermill
    papermill.execute_notebook(
        sys.argv[1], sys.argv[2], parameters={"n_estimators": 50}, progress_bar=False
    )
    """
)


@pytest.fixture
def uri(tmp_path):
    """An empty store for one test."""
    return "sqlite:///" + str(tmp_path / "store" / "runs.db")


def store_at(uri):
    from jupyterlab_runs.store import open_store

    return open_store(uri)


def papermill_plugin_path(tmp_path) -> list[str]:
    """Where papermill finds our engine's entry point: nothing to add once the package is
    installed; from a source checkout, the dist-info an install would create."""
    from importlib.metadata import entry_points

    from jupyterlab_runs.kernel.papermill_engine import ENTRY_POINT

    if any(
        ep.value.startswith("jupyterlab_runs.") for ep in entry_points(group="papermill.engine")
    ):
        return []
    dist = tmp_path / "plugins" / "jupyterlab_runs-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: jupyterlab_runs\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(f"[papermill.engine]\n{ENTRY_POINT}\n")
    return [str(dist.parent)]


def outputs_of(nb, mime):
    return [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if mime in o.get("data", {})
    ]


def test_nbclient_then_papermill_log_versions_1_and_2(uri, tmp_path):
    from nbclient import NotebookClient

    # nbclient alone sends no path: the documented variable names the notebook.
    env = kernel_env(
        JUPYTERLAB_RUNS_URI=uri,
        JUPYTERLAB_RUNS_ROOT=str(ROOT),
        JUPYTERLAB_RUNS_NOTEBOOK=str(NOTEBOOK),
    )
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute(env=env)
    # papermill, zero-config: its engine passes the input path to the kernel.
    env = kernel_env(JUPYTERLAB_RUNS_URI=uri, JUPYTERLAB_RUNS_ROOT=str(ROOT))
    env["PYTHONPATH"] += "".join(":" + p for p in papermill_plugin_path(tmp_path))
    output = tmp_path / "papermill.ipynb"
    subprocess.run(
        [sys.executable, "-c", PAPERMILL, str(NOTEBOOK), str(output)],
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=300,
    )

    store = store_at(uri)
    first, second = runs_of(RELATIVE, store)
    assert (first.version, second.version) == (1, 2)
    for run in (first, second):
        assert (run.status, run.source, run.notebook_path) == ("FINISHED", "magic", RELATIVE)
        assert run.params["criterion"].value == "entropy"
        assert run.params["min_samples_leaf"].value == "2"
        assert run.tags == {"trigger": "scheduled"}
        assert 0.8 < run.metrics["accuracy"].value <= 1
        assert run.metrics["accuracy"].source == "variable"
        assert (run.metrics["f1"].source, run.metrics["test_accuracy"].source) == (
            "printed",
            "explicit",
        )
        assert {a.path for a in store.list_artifacts(run.id)} >= {"models/model/model.pkl"}
    assert "n_estimators" not in first.params
    assert (second.params["n_estimators"].value, second.params["n_estimators"].source) == (
        "50",
        "papermill",
    )
    steps = [p.step for p in store.metric_history(first.id, "test_accuracy")]
    assert steps == list(range(10, 101, 10))
    steps = [p.step for p in store.metric_history(second.id, "test_accuracy")]
    assert steps == [10, 20, 30, 40, 50]

    # The notebook keeps the run card and the final state of the live chart.
    executed = nbformat.read(output, as_version=4)
    (card,) = outputs_of(executed, RUN_MIME)
    assert card["data"][RUN_MIME]["run"]["version"] == 2
    (chart,) = outputs_of(executed, "image/svg+xml")
    assert "test_accuracy" in chart["data"]["image/svg+xml"]
    assert "step 50" in chart["data"]["image/svg+xml"]
    (listing,) = outputs_of(executed, "text/html")
    assert "2 run(s)" in listing["data"]["text/plain"]


def test_papermill_cli_without_its_engine_still_finds_the_notebook(uri, tmp_path):
    env = kernel_env(JUPYTERLAB_RUNS_URI=uri, JUPYTERLAB_RUNS_ROOT=str(ROOT))
    papermill = [sys.executable, "-m", "papermill", "--no-progress-bar", "--engine", "nbclient"]
    subprocess.run(
        [*papermill, str(NOTEBOOK), str(tmp_path / "out.ipynb"), "-p", "n_estimators", "20"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (run,) = runs_of(RELATIVE, store_at(uri))
    assert run.notebook_path == RELATIVE
    assert (run.params["n_estimators"].value, run.params["n_estimators"].source) == (
        "20",
        "papermill",
    )


FAILING = [
    nbformat.v4.new_code_cell("x = 1"),
    nbformat.v4.new_code_cell(
        "%%track -e failing\nscore = 0.25 * 2\nraise RuntimeError('data missing')"
    ),
    nbformat.v4.new_code_cell("never = True"),
]


def test_failing_tracked_cell_stops_the_notebook_and_is_logged(uri, tmp_path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=FAILING)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        extra_arguments=["--InteractiveShellApp.extensions=jupyterlab_runs"],
    )
    with pytest.raises(CellExecutionError, match="data missing"):
        client.execute(env=kernel_env(JUPYTERLAB_RUNS_URI=uri))
    (run,) = runs_of("failing", store_at(uri))
    assert (run.status, run.error["name"], run.metrics["score"].value) == (
        "FAILED",
        "RuntimeError",
        0.5,
    )
    assert run.kernel_name == "python3" and run.language == "python"
    assert run.execution_count == 2
    assert nb.cells[2].outputs == []  # the notebook stopped at the failing cell
