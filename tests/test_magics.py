"""The magics in a real IPython shell, writing to a real store."""

from __future__ import annotations

import math

import pytest
from IPython.core.error import UsageError
from kernel_support import open_store, run_cell, runs_of

from jupyterlab_runs.kernel.compare import COMPARE_MIME, history_limit
from jupyterlab_runs.kernel.display import LOG_MIME, RUN_MIME
from jupyterlab_runs.store.sqlite import block_extremes

TRAIN = """\
%%track -e exp --tag stage=dev --tag note="two words"
n_estimators = 200
lr = 1e-3
accuracy = 0.5 + 0.25
loss = accuracy / 3
print("Accuracy: 0.1")
print("f1: 0.8")
import jupyterlab_runs as jr
jr.log_metric("loss", 0.01)
accuracy
"""

pytest_plugins = ("kernel_fixtures",)


def test_load_ext_registers_the_magics_with_docstring_help(ip):
    magics = ip.magics_manager.magics
    assert {"log_param", "log_params", "log_metric", "log_metrics", "runs"} <= set(magics["line"])
    assert "track" in magics["cell"]
    help_text = magics["line"]["runs"].__doc__
    assert "%runs compare v3 v5 v7" in help_text and "--filter" in help_text
    assert "--no-output" in magics["cell"]["track"].__doc__


def test_track_logs_one_run_with_the_capture_rules_and_precedence(ip):
    result, out, _, outputs = run_cell(ip, TRAIN)
    assert result.success
    assert "Accuracy: 0.1" in out and "f1: 0.8" in out  # the user still sees the prints
    assert ip.user_ns["accuracy"] == 0.75
    (run,) = runs_of("exp")
    assert (run.version, run.status, run.source) == (1, "FINISHED", "magic")
    assert {k: (p.value, p.type) for k, p in run.params.items()} == {
        "n_estimators": ("200", "int"),
        "lr": ("0.001", "float"),
    }
    metrics = {k: (m.value, m.source) for k, m in run.metrics.items()}
    assert metrics["accuracy"] == (0.75, "variable")  # variable beats printed
    assert metrics["loss"] == (0.01, "explicit")  # explicit beats variable
    assert metrics["f1"] == (0.8, "printed")
    assert run.tags == {"stage": "dev", "note": "two words"}
    assert run.code.startswith("n_estimators = 200") and run.code_hash
    assert run.notebook_path == "work/notebook.ipynb"
    assert run.execution_count == result.execution_count
    assert run.end_time >= run.start_time
    # The last expression is displayed as usual, then the run card.
    assert result.result == 0.75
    cards = [o for o in outputs if RUN_MIME in o]
    assert len(cards) == 1
    card = cards[0][RUN_MIME]["run"]
    assert (card["version"], card["experiment_name"], card["metrics"]["f1"]) == (1, "exp", 0.8)
    assert cards[0]["text/plain"].startswith("Logged run v1 · ")


def test_track_no_output_hides_prints_but_still_reads_them(ip):
    _, out, _, _ = run_cell(ip, '%%track -e quiet --no-output\nprint("score = 3.5")\n')
    assert "score" not in out
    (run,) = runs_of("quiet")
    assert run.metrics["score"].value == 3.5


def test_track_failure_propagates_and_is_logged_failed(ip):
    result, _, _, _ = run_cell(ip, "%%track -e fail\nx = 41 + 1\nraise ValueError('bad <data>')\n")
    assert isinstance(result.error_in_exec, ValueError)
    assert ip.user_ns["x"] == 42
    (run,) = runs_of("fail")
    assert run.status == "FAILED"
    assert dict(run.error) == {"name": "ValueError", "message": "bad <data>"}
    assert run.metrics["x"].value == 42


def test_track_interrupt_is_killed_and_keeps_every_step(ip):
    cell = (
        "%%track -e stop\nimport jupyterlab_runs as jr\nfor i in range(10_000):\n"
        "    jr.log_metric('loss', 1 / (i + 1), step=i)\n"
        "    if i == 6_999:\n        raise KeyboardInterrupt\n"
    )
    result, _, _, _ = run_cell(ip, cell)
    assert isinstance(result.error_in_exec, KeyboardInterrupt)
    (run,) = runs_of("stop")
    assert run.status == "KILLED" and run.error["name"] == "KeyboardInterrupt"
    history = open_store().metric_history(run.id, "loss")
    assert [p.step for p in history] == list(range(7000))


def test_track_uses_papermill_injected_parameters(ip):
    run_cell(ip, "n_estimators = 100\nmax_depth = 3\n")
    run_cell(ip, "# Parameters\nn_estimators = 50\n")
    run_cell(ip, "%%track -e pm\nn_estimators = 100\nscore = 0.5\n")
    (run,) = runs_of("pm")
    assert run.params["n_estimators"].value == "50"
    assert run.params["n_estimators"].source == "papermill"
    assert "max_depth" not in run.params  # only the injected cell counts


def test_log_magics_parse_literals_and_report_misuse(ip):
    cell = """\
%%track -e logs
%log_param layers [64, 32]
%log_param model "random forest"
%log_param plain rf
%log_params lr=0.1 name='a b' flags=[1, 2] word=text
%log_metric acc 0.93 --step 5
%log_metric bad nan
%log_metrics p=0.5 r=-1e-3 --step 2
"""
    result, _, _, _ = run_cell(ip, cell)
    assert result.success
    (run,) = runs_of("logs")
    params = {k: (p.value, p.type) for k, p in run.params.items()}
    assert params == {
        "layers": ("[64, 32]", "json"),
        "model": ("random forest", "str"),
        "plain": ("rf", "str"),
        "lr": ("0.1", "float"),
        "name": ("a b", "str"),
        "flags": ("[1, 2]", "json"),
        "word": ("text", "str"),
    }
    assert (run.metrics["acc"].value, run.metrics["acc"].step) == (0.93, 5)
    assert math.isnan(run.metrics["bad"].value)
    assert run.metrics["r"].value == -1e-3 and run.metrics["p"].step == 2
    with pytest.raises(UsageError, match="must be a number"):
        ip.run_line_magic("log_metric", "acc high")
    with pytest.raises(UsageError, match="KEY=VALUE"):
        ip.run_line_magic("log_params", "novalue")
    with pytest.raises(UsageError, match="must not be empty"):
        ip.run_line_magic("log_param", "'' 1")
    with pytest.raises(UsageError, match="the limit is 250"):
        ip.run_line_magic("log_metric", "k" * 300 + " 1")
    with pytest.raises(UsageError):
        ip.run_line_magic("runs", "bogus")


def _three_runs(ip):
    for n, acc in ((10, 0.8), (20, 0.9), (30, 0.85)):
        run_cell(ip, f"%%track -e cmp\nn = {n}\nmodel = '<b>rf</b>'\naccuracy = {acc} + 0\n")


def test_runs_list_show_diff_escape_user_strings(ip):
    _three_runs(ip)
    _, _, _, (listing,) = run_cell(ip, "%runs list -e cmp --order-by 'metrics.accuracy DESC'")
    html = listing["text/html"]
    assert "&lt;b&gt;rf&lt;/b&gt;" in html and "<b>rf" not in html
    assert html.index("v2") < html.index("v3") < html.index("v1")
    _, _, _, (filtered,) = run_cell(ip, '%runs list -e cmp --filter "params.n > 15" --top 1')
    assert "1 run(s)" in filtered["text/plain"] and "v3" in filtered["text/plain"]
    _, _, _, (shown,) = run_cell(ip, "%runs show v2 -e cmp")
    assert "accuracy" in shown["text/plain"] and "&lt;b&gt;" in shown["text/html"]
    _, _, _, (diff,) = run_cell(ip, "%runs diff v1 v3 -e cmp")
    assert "-n = 10" in diff["text/plain"] and "+n = 30" in diff["text/plain"]
    assert "0.05" in diff["text/plain"]  # the accuracy change


def test_runs_bad_filter_is_a_usage_error(ip):
    _three_runs(ip)
    with pytest.raises(UsageError, match="position"):
        ip.run_line_magic("runs", 'list -e cmp --filter "metrics.accuracy >>> 1"')
    with pytest.raises(UsageError, match="quote the filter"):
        ip.run_line_magic("runs", "list -e cmp --filter metrics.accuracy > 0.5")
    with pytest.raises(UsageError, match="no run v9"):
        ip.run_line_magic("runs", "show v9 -e cmp")


def test_runs_compare_displays_the_compare_bundle(ip):
    _three_runs(ip)
    _, _, _, outputs = run_cell(ip, "%runs compare v1 v2 v3 -e cmp --metric accuracy --by n")
    (bundle,) = outputs
    payload = bundle["application/vnd.jupyterlab-runs.compare+json"]
    assert payload["chart"]["kind"] == "scatter" and payload["chart"]["metric"] == "accuracy"
    assert [r["version"] for r in payload["runs"]] == [1, 2, 3]
    assert "application/vnd.vegalite.v5+json" in bundle and "text/plain" in bundle
    _, _, _, (lines,) = run_cell(ip, "%runs compare v1 v2 -e cmp --kind line --metric accuracy")
    payload = lines["application/vnd.jupyterlab-runs.compare+json"]
    assert payload["chart"]["kind"] == "line"
    with pytest.raises(UsageError, match="invalid choice"):
        ip.run_line_magic("runs", "compare v1 v2 -e cmp --kind pie")


def test_runs_compare_line_reads_only_the_points_its_chart_keeps(ip, monkeypatch):
    steps = 20_000
    value = "9.0 if s == 12_345 else 1 / (s + 1)"
    loop = f"for s in range({steps}):\n    jr.log_metric('loss', {value}, s)"
    run_cell(ip, f"%%track -e long\nimport jupyterlab_runs as jr\n{loop}\n")
    limits, read = [], block_extremes.read
    monkeypatch.setattr(  # the store's downsampled read, counted
        block_extremes, "read", lambda *args: limits.append(args[3]) or read(*args)
    )
    _, _, _, (bundle,) = run_cell(ip, "%runs compare v1 -e long --kind line --metric loss")
    (run,) = bundle[COMPARE_MIME]["runs"]
    history = run["history"]["loss"]
    assert limits == [history_limit(1)] and 2 < len(history) <= history_limit(1)
    assert history[0] == [0, 1.0] and history[-1][0] == steps - 1 and [12_345, 9.0] in history


def test_runs_experiment_delete_restore(ip, tracking):
    run_cell(ip, "%runs experiment chosen one")
    assert tracking.experiment == "chosen one"
    run_cell(ip, "%%track\nscore = 1.5\n")
    (run,) = runs_of("chosen one")
    _, out, _, _ = run_cell(ip, "%runs delete v1")
    assert "Deleted run v1" in out
    assert runs_of("chosen one") == []
    _, _, _, (deleted,) = run_cell(ip, "%runs list --deleted")
    assert "1 run(s)" in deleted["text/plain"]
    run_cell(ip, "%runs restore v1")
    assert [r.id for r in runs_of("chosen one")] == [run.id]


def test_claimed_cell_returns_explicit_values_as_one_output(ip):
    from jupyterlab_runs.kernel.frontend import claim

    assert claim("cell-1") == "ok"
    code = (
        "import jupyterlab_runs as jr, math\njr.log_param('lr', 0.1)\n"
        "jr.log_metric('loss', math.nan, step=1)\njr.log_metric('loss', 0.5, step=2)\n"
        "jr.set_tag('who', 'me')\n"
    )
    _, _, _, outputs = run_cell(ip, code, cell_id="cell-1")
    (bundle,) = [o for o in outputs if LOG_MIME in o]
    payload = bundle[LOG_MIME]
    assert payload["version"] == 1
    assert payload["params"] == [
        {"key": "lr", "value": "0.1", "type": "float", "source": "explicit"}
    ]
    assert [(m["key"], m["value"], m["step"]) for m in payload["metrics"]] == [
        ("loss", "NaN", 1),
        ("loss", 0.5, 2),
    ]
    assert payload["tags"] == {"who": "me"}
    assert ":" not in bundle["text/plain"]  # never read back as a printed metric
    with pytest.raises(Exception, match="no experiment"):
        runs_of("work/notebook.ipynb")  # nothing written by the kernel


def test_claim_of_another_cell_leaves_an_implicit_run(ip):
    from jupyterlab_runs.kernel.frontend import claim

    claim("cell-1")
    _, _, _, outputs = run_cell(ip, "import jupyterlab_runs as jr\njr.log_metric('m', 2)", "cell-2")
    assert not [o for o in outputs if LOG_MIME in o]
    (run,) = runs_of("work/notebook.ipynb")
    assert (run.source, run.metrics["m"].value) == ("api", 2)
    assert [o for o in outputs if RUN_MIME in o]


def test_hooks_only_while_tracking(ip):
    from jupyterlab_runs.kernel.session import get_session

    session = get_session()

    def ours():
        return [
            cb
            for event in ("pre_run_cell", "post_run_cell")
            for cb in ip.events.callbacks[event]
            if getattr(cb, "__self__", None) is session
        ]

    run_cell(ip, "x = 1")
    assert ours() == []
    run_cell(ip, "import jupyterlab_runs as jr\njr.log_metric('m', 1)")
    assert ours() == []  # the implicit run ended with its cell and the hook went away
    run_cell(ip, "%%track -e h\ny = 2")
    assert ours() == []
    run_cell(ip, "run = jr.start_run(experiment='h')")
    assert len(ours()) == 1  # flushes the open run at the end of each cell
    run_cell(ip, "jr.end_run()")
    assert ours() == []


def test_unload_removes_the_magics(ip):
    ip.run_line_magic("unload_ext", "jupyterlab_runs")
    try:
        assert "track" not in ip.magics_manager.magics["cell"]
        assert "runs" not in ip.magics_manager.magics["line"]
    finally:
        ip.run_line_magic("load_ext", "jupyterlab_runs")
