"""Notebook path and experiment resolution, papermill detection, the live chart."""

from __future__ import annotations

import json
import time
import xml.dom.minidom

import pytest
from kernel_support import TRACKING_ENV

from jupyterlab_runs.kernel import live_chart, notebook_path
from jupyterlab_runs.kernel.notebook_path import (
    _runner_notebook,
    default_experiment,
    relative_to_root,
)
from jupyterlab_runs.kernel.papermill import InjectedParams, is_injected_cell


@pytest.fixture
def clean_env(monkeypatch):
    for name in TRACKING_ENV:
        monkeypatch.delenv(name, raising=False)
    notebook_path.launcher_notebook.cache_clear()
    monkeypatch.setattr(notebook_path, "launcher_notebook", lambda: None)
    return monkeypatch


class Shell:
    """Just enough of a shell for the path rules: a namespace and an input history."""

    def __init__(self, ns=None, history=()):
        self.user_ns = ns or {}
        self.history_manager = type("History", (), {"input_hist_raw": ["", *history]})()


def test_relative_to_root(clean_env, tmp_path):
    clean_env.setenv("JUPYTERLAB_RUNS_ROOT", str(tmp_path))
    assert relative_to_root(str(tmp_path / "a" / "b.ipynb")) == "a/b.ipynb"
    assert relative_to_root("/elsewhere/c.ipynb") == "/elsewhere/c.ipynb"
    assert relative_to_root("already/relative.ipynb") == "already/relative.ipynb"
    assert relative_to_root("s3://bucket/x.ipynb") == "s3://bucket/x.ipynb"


def test_root_defaults_to_the_folder_of_the_default_store(clean_env, tmp_path):
    store = tmp_path / ".jupyterlab-runs" / "runs.db"
    clean_env.setenv("JUPYTERLAB_RUNS_URI", "sqlite:///" + str(store))
    assert relative_to_root(str(tmp_path / "sub" / "nb.ipynb")) == "sub/nb.ipynb"
    clean_env.setenv("JUPYTERLAB_RUNS_URI", "sqlite:///" + str(tmp_path / "elsewhere.db"))
    assert relative_to_root(str(tmp_path / "sub" / "nb.ipynb")) == str(tmp_path / "sub/nb.ipynb")


def test_notebook_path_order(clean_env, tmp_path):
    clean_env.setenv("JUPYTERLAB_RUNS_ROOT", str(tmp_path))
    shell = Shell({"__session__": str(tmp_path / "from_session.ipynb")})
    assert notebook_path.notebook_path(shell) == "from_session.ipynb"
    clean_env.setenv("JPY_SESSION_NAME", str(tmp_path / "dir" / "server.ipynb"))
    assert notebook_path.notebook_path(shell) == "dir/server.ipynb"
    clean_env.setenv("JUPYTERLAB_RUNS_NOTEBOOK", "explicit.ipynb")
    assert notebook_path.notebook_path(shell) == "explicit.ipynb"
    clean_env.setattr(notebook_path, "launcher_notebook", lambda: str(tmp_path / "pm.ipynb"))
    for name in ("JUPYTERLAB_RUNS_NOTEBOOK", "JPY_SESSION_NAME"):
        clean_env.delenv(name)
    assert notebook_path.notebook_path(Shell()) == "pm.ipynb"


def test_experiment_is_the_metadata_name_else_the_path_else_default(clean_env, tmp_path):
    assert default_experiment(Shell()) == "default"
    clean_env.setenv("JUPYTERLAB_RUNS_ROOT", str(tmp_path))
    clean_env.setenv("JUPYTERLAB_RUNS_NOTEBOOK", "nb.ipynb")
    assert default_experiment(Shell()) == "nb.ipynb"
    notebook = {"cells": [], "metadata": {"jupyterlab_runs": {"experiment": " churn "}}}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    assert default_experiment(Shell()) == "churn"


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (
            ["/venv/bin/python", "/venv/bin/papermill", "in.ipynb", "out.ipynb", "-p", "a", "1"],
            "in.ipynb",
        ),
        (["python", "-m", "papermill", "--cwd", "x", "sub/in.ipynb", "o.ipynb"], "sub/in.ipynb"),
        (["jupyter", "nbconvert", "--to", "notebook", "--execute", "a.ipynb"], "a.ipynb"),
        (["/usr/bin/jupyter-execute", "b.ipynb"], "b.ipynb"),
        (["jupyter", "lab", "c.ipynb"], None),
        (["python", "-m", "pytest", "tests/x.ipynb"], None),
    ],
)
def test_runner_command_lines(args, found):
    assert _runner_notebook(args) == found


def test_papermill_injected_cell_shape():
    assert is_injected_cell('# Parameters\nn = 50\nname = "x"\n')
    assert not is_injected_cell("# Parameters\nn = 50\nprint(n)\n")
    assert not is_injected_cell("n = 50\n")
    assert not is_injected_cell("# Parameters of the model\nn = 50\n")


def test_injected_params_are_ignored_in_server_kernels(clean_env):
    shell = Shell(history=["n = 1", "# Parameters\nn = 50\n"])
    assert [(p.key, p.value, p.source) for p in InjectedParams().current(shell)] == [
        ("n", "50", "papermill")
    ]
    clean_env.setenv("JPY_SESSION_NAME", "/root/nb.ipynb")
    assert InjectedParams().current(shell) == []


def test_papermill_engine_input_path(tmp_path, monkeypatch):
    from jupyterlab_runs.kernel.papermill_engine import input_notebook

    (tmp_path / "in.ipynb").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert input_notebook("in.ipynb") == str(tmp_path / "in.ipynb")
    assert input_notebook("s3://b/in.ipynb") == "s3://b/in.ipynb"
    assert input_notebook("missing.ipynb") == "missing.ipynb"
    assert input_notebook(None) is None and input_notebook("-") is None


def test_sparkline_escapes_user_strings_and_is_valid_svg():
    chart = live_chart.LiveChart()
    line = live_chart._Series()
    for step in range(3000):
        line.add(step, float("nan") if step == 5 else step * 0.5)
    chart._series = {"<script>alert(1)</script>": line}
    svg = chart.bundle()["image/svg+xml"]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    xml.dom.minidom.parseString(svg)
    assert len(line.steps) <= live_chart.MAX_POINTS and line.last == (2999, 1499.5)
    assert "step 2999" in chart.bundle()["text/plain"]
    assert ":" not in chart.bundle()["text/plain"] and "=" not in chart.bundle()["text/plain"]


def test_live_chart_updates_in_place_at_most_every_interval():
    from IPython.testing.globalipapp import get_ipython
    from IPython.utils.capture import capture_output

    get_ipython()
    chart = live_chart.LiveChart()
    start = time.monotonic()
    with capture_output() as captured:
        for step in range(20_000):
            chart.add("loss", 1 / (step + 1), step)
        time.sleep(live_chart.UPDATE_INTERVAL_S)
        chart.add("loss", 0.0, 20_000)
        chart.close()
    intervals = (time.monotonic() - start) / live_chart.UPDATE_INTERVAL_S
    outputs = captured.outputs
    # The first draw, at most one redraw per interval, and the final state.
    assert 3 <= len(outputs) <= 2 + intervals + 1
    assert "step 20000" in outputs[-1].data["text/plain"]


def test_claimed_histories_are_thinned_keeping_first_and_last():
    from jupyterlab_runs.kernel.runs import MAX_CLAIM_POINTS, _thinned

    points = [("a", float(i), i, 0) for i in range(5000)] + [("b", 1.0, 0, 0)]
    kept = _thinned(points, MAX_CLAIM_POINTS)
    steps = [p[2] for p in kept if p[0] == "a"]
    assert len(steps) == MAX_CLAIM_POINTS and steps[0] == 0 and steps[-1] == 4999
    assert ("b", 1.0, 0, 0) in kept
