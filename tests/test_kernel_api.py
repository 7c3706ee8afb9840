"""The Python API (``import jupyterlab_runs as jr``) against a real store."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from kernel_support import ROOT, kernel_env, open_store, run_cell, runs_of
from unprivileged import call_without_root

import jupyterlab_runs as jr
from jupyterlab_runs.kernel import flusher as flusher_module
from jupyterlab_runs.kernel import runs as runs_module
from jupyterlab_runs.kernel import session as session_module
from jupyterlab_runs.store.base import (
    MAX_PARAM_VALUE_LENGTH,
    TRUNCATION_MARKER,
    Conflict,
    InvalidArgument,
    NotFound,
)
from jupyterlab_runs.store.sqlite import SqliteStore

pytest_plugins = ("kernel_fixtures",)


def test_package_import_stays_cheap():
    code = (
        "import sys, jupyterlab_runs as jr\n"
        "heavy = {'pandas', 'mlflow', 'sklearn', 'numpy', 'IPython', 'jupyterlab_runs.store'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "jr.log_metric\n"
        "print(sorted({'pandas', 'mlflow', 'sklearn'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=kernel_env(), capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:2] == ["[]", "[]"]


def test_a_scripts_first_log_loads_no_ipython_store_or_capture_yet_its_run_is_saved(tmp_path):
    # No shell can exist before IPython is imported, and an implicit run is written when it
    # ends: the first log needs neither, so a script's first call does not pay for them.
    # Live charts and the Log-run scanner serve front ends only, even for a run written now.
    env = kernel_env(JUPYTERLAB_RUNS_URI=f"sqlite:///{tmp_path}/runs.db")
    check = "print(sorted({} & set(sys.modules)))\n"
    scripts = [
        "import sys, jupyterlab_runs as jr\njr.log_metric('acc', 0.5)\n"
        + check.format({"IPython", "jupyterlab_runs.store.sqlite"}),
        "import sys, jupyterlab_runs as jr\n"
        "with jr.start_run(experiment='written'):\n    jr.log_metric('loss', 0.1)\n"
        + check.format({"IPython", "jupyterlab_runs.capture", "jupyterlab_runs.kernel.live_chart"}),
    ]
    for code in scripts:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
        )
        assert (done.returncode, done.stdout.splitlines()[:1]) == (0, ["[]"]), done.stderr
    store = SqliteStore(tmp_path / "runs.db")
    implicit = store.get_experiment_by_name("default")
    [run] = store.search_runs([implicit.id]).items
    assert (run.status, run.metrics["acc"].value) == ("FINISHED", 0.5)
    store.close()


def test_start_run_is_a_context_manager_and_a_function(tracking):
    with jr.start_run(experiment="api", name="first", tags={"team": "ml"}) as run:
        assert jr.active_run() is run
        assert open_store().get_run(run.run_id).status == "RUNNING"  # the row exists at once
        jr.log_param("lr", 0.1)
        jr.log_params({"layers": [64, 32], "model": "rf"})
        jr.log_metrics({"acc": 0.9, "loss": 0.3}, step=1)
        jr.set_tags({"stage": "dev"})
    assert jr.active_run() is None
    stored = open_store().get_run(run.run_id)
    assert (stored.name, stored.status, stored.version, stored.source) == (
        "first",
        "FINISHED",
        1,
        "api",
    )
    assert stored.tags == {"team": "ml", "stage": "dev"}
    assert {k: p.value for k, p in stored.params.items()} == {
        "lr": "0.1",
        "layers": "[64, 32]",
        "model": "rf",
    }
    second = jr.start_run(experiment="api")
    jr.log_metric("acc", 0.95)
    ended = jr.end_run(status="FAILED")
    assert (ended.version, ended.status) == (2, "FAILED")
    assert second.version == 2 and jr.end_run() is None


def test_nested_runs_are_parent_and_children(tracking):
    with jr.start_run(experiment="sweep") as parent:
        with pytest.raises(RuntimeError, match="nested=True"):
            jr.start_run()
        for depth in (2, 4):
            with jr.start_run(nested=True, name=f"depth-{depth}") as child:
                jr.log_param("depth", depth)
    runs = runs_of("sweep")
    assert [r.version for r in runs] == [1, 2, 3]
    assert runs[0].id == parent.run_id
    assert [r.parent_run_id for r in runs[1:]] == [parent.run_id] * 2
    assert child.run_id == runs[2].id


def test_nested_runs_inside_track_are_saved_after_their_parent(ip):
    cell = (
        "%%track -e grid\nimport jupyterlab_runs as jr\nfor d in (1, 2):\n"
        "    with jr.start_run(nested=True):\n        jr.log_metric('score', d / 10)\n"
    )
    result, _, _, _ = run_cell(ip, cell)
    assert result.success
    parent, *children = runs_of("grid")
    assert parent.source == "magic"
    assert [(c.version, c.parent_run_id, c.metrics["score"].value) for c in children] == [
        (2, parent.id, 0.1),
        (3, parent.id, 0.2),
    ]


def test_step_metrics_are_flushed_in_batches_while_the_run_is_open(tracking, monkeypatch):
    monkeypatch.setattr(runs_module, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(flusher_module, "FLUSH_INTERVAL", 3600.0)  # only size triggers here
    store = open_store()
    with jr.start_run(experiment="steps") as run:
        for step in range(runs_module.FLUSH_POINTS + 10):
            jr.log_metric("loss", 1 / (step + 1), step=step)
        # Written by the writer thread, woken by the full buffer (not after its interval).
        deadline = time.monotonic() + 10
        while not store.metric_history(run.run_id, "loss") and time.monotonic() < deadline:
            time.sleep(0.01)
        flushed = store.metric_history(run.run_id, "loss")
        assert runs_module.FLUSH_POINTS <= len(flushed) <= runs_module.FLUSH_POINTS + 10
    assert len(store.metric_history(run.run_id, "loss")) == runs_module.FLUSH_POINTS + 10
    monkeypatch.setattr(runs_module, "FLUSH_SECONDS", 0.0)
    with jr.start_run(experiment="steps") as run:
        jr.log_metric("slow", 1.0, step=0)
        jr.log_metric("slow", 2.0, step=1)
        deadline = time.monotonic() + 10  # flushed on time, by the writer thread
        while len(store.metric_history(run.run_id, "slow")) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(store.metric_history(run.run_id, "slow")) == 2


def test_a_full_buffer_is_written_by_the_writer_thread_not_the_logging_one(tracking, monkeypatch):
    writers: list[int] = []
    log_batch = SqliteStore.log_batch

    def counted(self, *args, **kwargs):
        writers.append(threading.get_ident())
        return log_batch(self, *args, **kwargs)

    monkeypatch.setattr(SqliteStore, "log_batch", counted)
    with jr.start_run(experiment="writer") as run:
        for step in range(3 * runs_module.FLUSH_POINTS):
            jr.log_metric("loss", 1 / (step + 1), step=step)
        during = list(writers)
    assert threading.get_ident() not in during  # no size-triggered write in the loop
    history = open_store().metric_history(run.run_id, "loss")
    assert len(history) == 3 * runs_module.FLUSH_POINTS  # everything stored at the end


def test_a_run_ends_with_its_last_write_in_the_same_transaction(tracking, monkeypatch):
    monkeypatch.setattr(runs_module, "FLUSH_POINTS", 10**6)  # nothing written before the end
    monkeypatch.setattr(runs_module, "FLUSH_SECONDS", 3600.0)
    monkeypatch.setattr(flusher_module, "FLUSH_INTERVAL", 3600.0)
    monkeypatch.setattr(session_module, "WRITE_POINTS", 50)
    store = open_store()
    for count, writes in [(30, 1), (120, 3)]:  # beyond one write's worth: 50 + 50, then 20
        with jr.start_run(experiment="ending") as run:
            jr.log_params({"lr": 0.1})
            for step in range(count):
                jr.log_metric("loss", step, step=step)
        stored = store.get_run(run.run_id)
        assert stored.status == "FINISHED" and stored.params["lr"].value == "0.1"
        assert [p.value for p in store.metric_history(run.run_id, "loss")] == list(range(count))
        ops = [c.op for c in store.changes()[1] if c.id == run.run_id]
        assert ops == ["created"] + ["updated"] * writes  # the last write also ended the run


def test_interrupt_in_a_with_block_keeps_every_step(tracking):
    with pytest.raises(KeyboardInterrupt):
        with jr.start_run(experiment="intr") as run:
            for step in range(10_000):
                jr.log_metric("loss", step, step=step)
                if step == 7_777:
                    raise KeyboardInterrupt
    stored = open_store().get_run(run.run_id)
    assert stored.status == "KILLED"
    assert len(open_store().metric_history(run.run_id, "loss")) == 7_778


def test_interrupt_in_an_open_run_is_flushed_when_the_cell_ends(ip):
    cell = (
        "import jupyterlab_runs as jr\nrun = jr.start_run(experiment='open')\n"
        "for i in range(3000):\n    jr.log_metric('loss', i, step=i)\n"
        "    if i == 2_500:\n        raise KeyboardInterrupt\n"
    )
    result, _, _, _ = run_cell(ip, cell)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    run = ip.user_ns["run"]
    assert len(open_store().metric_history(run.run_id, "loss")) == 2_501
    assert open_store().get_run(run.run_id).status == "RUNNING"
    run_cell(ip, "jr.end_run()")
    assert open_store().get_run(run.run_id).status == "FINISHED"


def test_implicit_run_per_cell(ip):
    result, _, _, outputs = run_cell(ip, "import jupyterlab_runs as jr\njr.log_metric('m', 1.5)\n1")
    assert result.success
    (run,) = runs_of("work/notebook.ipynb")
    assert (run.source, run.status, run.metrics["m"].value) == ("api", "FINISHED", 1.5)
    assert run.code.startswith("import jupyterlab_runs")
    card = next(o for o in outputs if "application/vnd.jupyterlab-runs.run+json" in o)
    assert card["text/plain"].startswith("Logged run v1 · m 1.5")
    run_cell(ip, "jr.log_param('p', 1)\nraise ValueError('boom')")
    assert [r.status for r in runs_of("work/notebook.ipynb")] == ["FINISHED", "FAILED"]


def test_runs_left_open_by_a_script_are_saved_at_exit(tmp_path):
    uri = "sqlite:///" + str(tmp_path / "runs.db")
    script = (
        "import jupyterlab_runs as jr\n"
        "jr.start_run(experiment='open')\n"
        "for i in range(300):\n    jr.log_metric('y', i, step=i)\n"
        "jr.end_run()\n"
        "jr.start_run(experiment='open')\n"
        "for i in range(3):\n    jr.log_metric('x', i, step=i)\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env=kernel_env(JUPYTERLAB_RUNS_URI=uri),
        cwd=tmp_path,
        check=True,
    )
    first, second = runs_of("open", open_store_at(uri))
    assert (first.status, first.metrics["y"].count) == ("FINISHED", 300)
    assert (second.status, second.metrics["x"].count) == ("FINISHED", 3)
    script = "import jupyterlab_runs as jr\njr.log_metric('z', 1.0)\n"
    subprocess.run(
        [sys.executable, "-c", script], env=kernel_env(JUPYTERLAB_RUNS_URI=uri), check=True
    )
    (implicit,) = runs_of("default", open_store_at(uri))
    assert (implicit.source, implicit.metrics["z"].value) == ("api", 1.0)


def test_bad_input(tracking):
    class Opaque:
        def __repr__(self):
            return "<Opaque " + "x" * 10_000 + ">"

    with jr.start_run(experiment="bad") as run:
        jr.log_param("opaque", Opaque())
        jr.log_param("long", "y" * (MAX_PARAM_VALUE_LENGTH + 100))
        jr.log_metric("nan", math.nan)
        jr.log_metric("inf", math.inf)
        jr.log_metric("ninf", -math.inf)
        with pytest.raises(InvalidArgument, match="must not be empty"):
            jr.log_metric("", 1)
        with pytest.raises(InvalidArgument, match="the limit is 250"):
            jr.log_param("k" * 251, 1)
        with pytest.raises(InvalidArgument, match="must be a number"):
            jr.log_metric("text", "high")
        with pytest.raises(InvalidArgument, match="integer"):
            jr.log_metric("m", 1.0, step=1.5)
        with pytest.raises(Conflict, match="cannot change"):
            jr.log_param("opaque", 3)
    stored = open_store().get_run(run.run_id)
    opaque = stored.params["opaque"]
    assert opaque.type == "repr" and opaque.value.startswith("<Opaque xxx")
    assert len(opaque.value) == MAX_PARAM_VALUE_LENGTH
    long = stored.params["long"]
    assert long.value.endswith(TRUNCATION_MARKER) and len(long.value) == MAX_PARAM_VALUE_LENGTH
    assert math.isnan(stored.metrics["nan"].value)
    assert (stored.metrics["inf"].value, stored.metrics["ninf"].value) == (math.inf, -math.inf)


def test_artifacts_and_models(tracking, tmp_path):
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_iris(return_X_y=True)
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with jr.start_run(experiment="models"):
        assert jr.log_artifact(notes, artifact_path="docs") == "docs/notes.txt"
        assert jr.log_model(model, "tree") == "models/tree/model.pkl"
    with jr.start_run(experiment="models"):
        jr.log_model(DecisionTreeClassifier(max_depth=1).fit(X, y), "tree")
    first = jr.load_model("models", version=1, name="tree")
    assert (first.max_depth, first.predict(X[:3]).tolist()) == (2, model.predict(X[:3]).tolist())
    second = jr.get_run("v2", experiment="models")
    assert jr.load_model(run_id=second.id, name="tree").max_depth == 1
    store = open_store()
    run = jr.get_run(1, experiment="models")
    assert {a.path for a in store.list_artifacts(run.id)} == {
        "docs/notes.txt",
        "models/tree/model.pkl",
        "models/tree/meta.json",
    }
    with pytest.raises(NotFound, match="no model named 'forest'"):
        jr.load_model("models", version=1, name="forest")
    with pytest.raises(InvalidArgument):
        jr.log_model(model, "../escape")
    with pytest.raises(FileNotFoundError):
        jr.log_artifact(tmp_path / "missing.txt")


def test_artifacts_of_a_tracked_cell_are_written_with_its_run(ip, tmp_path):
    (tmp_path / "plot.svg").write_text("<svg/>")
    run_cell(
        ip,
        "%%track -e art\nimport jupyterlab_runs as jr\n"
        f"jr.log_artifact({str(tmp_path / 'plot.svg')!r})",
    )
    (run,) = runs_of("art")
    assert [a.path for a in open_store().list_artifacts(run.id)] == ["plot.svg"]


def test_search_runs_is_a_data_frame_like_mlflow(tracking):
    for lr, acc in ((0.1, 0.8), (0.01, 0.9)):
        with jr.start_run(experiment="search"):
            jr.log_param("lr", lr)
            jr.log_metric("acc", acc)
            jr.set_tag("t", "x")
    frame = jr.search_runs("metrics.acc > 0.5", order_by="metrics.acc DESC", experiment="search")
    assert list(frame["version"]) == [2, 1]
    assert {"run_id", "status", "start_time", "params.lr", "metrics.acc", "tags.t"} <= set(frame)
    assert str(frame["start_time"].dtype).startswith("datetime64")
    assert jr.search_runs(experiment="nope").empty


def test_set_experiment(tracking):
    experiment = jr.set_experiment("named")
    assert experiment.name == "named"
    with jr.start_run():
        jr.log_metric("m", 1)
    assert [r.version for r in runs_of("named")] == [1]


def test_store_that_cannot_be_opened_never_breaks_the_cell(ip, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", "sqlite:///" + str(blocker / "sub" / "runs.db"))
    result, out, err, _ = run_cell(ip, "%%track\nvalue = 6 * 7\nprint('done')\nvalue")
    assert result.success and result.result == 42 and ip.user_ns["value"] == 42
    assert "done" in out
    assert "jupyterlab-runs: the run was not saved" in err
    result, _, err, _ = run_cell(ip, "%%track\nraise KeyError('mine')")
    assert isinstance(result.error_in_exec, KeyError)  # the user's error, not the store's
    assert "the run was not saved" in err
    result, _, err, _ = run_cell(ip, "import jupyterlab_runs as jr\njr.log_metric('m', 1)\nz = 1")
    assert result.success and ip.user_ns["z"] == 1 and "the run was not saved" in err
    from jupyterlab_runs.store.base import StoreUnavailable

    with pytest.raises(StoreUnavailable):
        jr.start_run()


def test_read_only_store_directory_warns(ip, locked_folder, monkeypatch):
    run_cell(ip, "%%track\nv = 0")  # loads what tracking needs while Python's files are readable
    monkeypatch.setenv("JUPYTERLAB_RUNS_URI", "sqlite:///" + str(locked_folder / "runs.db"))

    def track() -> tuple[bool, object, str]:
        result, _, err, _ = run_cell(ip, "%%track\nv = 1")
        return result.success, ip.user_ns["v"], err

    success, value, err = call_without_root(track)
    assert success and value == 1 and "the run was not saved" in err
    assert not (locked_folder / "runs.db").exists()


WRITER = textwrap.dedent(
    """
    import sys
    import jupyterlab_runs as jr
    worker = int(sys.argv[1])
    for i in range(250):
        with jr.start_run(experiment="shared"):
            jr.log_param("worker", worker)
            jr.log_metric("i", i)
    """
)


def test_many_writers_get_gapless_versions(tmp_path):
    uri = "sqlite:///" + str(tmp_path / "runs.db")
    env = kernel_env(JUPYTERLAB_RUNS_URI=uri)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(worker)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(4)
    ]
    errors = [writer.communicate(timeout=300)[1] for writer in writers]
    assert [w.returncode for w in writers] == [0] * 4, errors
    assert not any("locked" in e for e in errors), errors
    runs = runs_of("shared", open_store_at(uri))
    assert sorted(r.version for r in runs) == list(range(1, 1001))
    assert {r.status for r in runs} == {"FINISHED"}


def open_store_at(uri):
    from jupyterlab_runs.store import open_store as open_

    return open_(uri)
