"""Log run's one capture, done by the server, through a real jupyter_server: ``POST scan``
(the code) and the ``printed`` text a posted run carries (its printed metrics)."""

import json
import threading

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyterlab_runs.server import scan as scan_module
from jupyterlab_runs.server.printed import MAX_PRINTED_CHARS
from jupyterlab_runs.server.scan import MAX_CODE_CHARS

SCAN = ("jupyterlab-runs", "api", "scan")
CELL = (
    "%%time\n"
    "n_estimators = 200\n"
    'cfg = {"lr": 0.1, "depth": None}\n'
    "model = RandomForest(max_depth=8)\n"
    "acc = model.score(X, y)\n"
    "best = 0\n"
    "for x in range(3):\n"
    "    best = max(best, x)\n"
)


async def scan(jp_fetch, body, **kwargs):
    response = await jp_fetch(*SCAN, method="POST", body=json.dumps(body), **kwargs)
    return json.loads(response.body)


async def scan_error(jp_fetch, body):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch(*SCAN, method="POST", body=json.dumps(body))
    return raised.value.code, json.loads(raised.value.response.body)


async def test_scan_gives_params_and_names(jp_fetch):
    result = await scan(jp_fetch, {"code": CELL, "language": "python"})
    assert result == {
        "params": [
            {"key": "n_estimators", "value": "200", "type": "int", "source": "assign"},
            {"key": "cfg.lr", "value": "0.1", "type": "float", "source": "assign"},
            {"key": "cfg.depth", "value": "None", "type": "none", "source": "assign"},
            {"key": "max_depth", "value": "8", "type": "int", "source": "kwarg"},
        ],
        "names": ["model", "acc", "best"],
    }


async def test_scan_reads_python_syntax_for_any_language_but_names_only_for_python(jp_fetch):
    result = await scan(
        jp_fetch, {"code": "n_layers = 3\nscore = f(n_layers)", "language": "julia"}
    )
    assert result == {
        "params": [{"key": "n_layers", "value": "3", "type": "int", "source": "assign"}],
        "names": [],
    }


async def test_scan_of_a_non_python_cell_magic_is_empty(jp_fetch):
    bash = await scan(jp_fetch, {"code": "%%bash\nx=5\necho $x", "language": "python"})
    assert bash == {"params": [], "names": []}


@pytest.mark.parametrize(
    "body,message",
    [
        ({"code": 5}, "code must be a string"),
        ({"language": ["python"]}, "language must be a string"),
        (
            {"code": "x = 1\n" * (MAX_CODE_CHARS // 6 + 1)},
            f"code has 2,000,004 characters; the scan takes at most {MAX_CODE_CHARS:,}",
        ),
    ],
    ids=["code type", "language type", "code size"],
)
async def test_bad_scan_requests_are_400s_that_say_why(jp_fetch, body, message):
    status, error = await scan_error(jp_fetch, body)
    assert status == 400
    assert error["message"] == message


async def test_a_body_that_is_not_an_object_is_refused(jp_fetch):
    status, error = await scan_error(jp_fetch, ["x = 1"])
    assert (status, error["error"]) == (400, "invalid_json")


async def test_scan_needs_a_token(jp_fetch):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch(*SCAN, method="POST", body="{}", headers={"Authorization": ""})
    assert raised.value.code in (401, 403)


class DenyRuns(Authorizer):
    """Lets the user do anything but use jupyterlab_runs."""

    def is_authorized(self, handler, user, action, resource):
        return resource != "jupyterlab_runs"


async def test_scan_is_authorized_on_the_jupyterlab_runs_resource(jp_fetch, jp_serverapp):
    settings = jp_serverapp.web_app.settings
    allowed = settings["authorizer"]
    settings["authorizer"] = DenyRuns(
        parent=jp_serverapp, identity_provider=allowed.identity_provider
    )
    try:
        with pytest.raises(HTTPClientError) as raised:
            await jp_fetch(*SCAN, method="POST", body=json.dumps({"code": "x = 1"}))
        assert raised.value.code == 403
    finally:
        settings["authorizer"] = allowed


async def test_the_parse_runs_off_the_event_loop(jp_fetch, monkeypatch):
    threads = []
    real = scan_module.scan_cell

    def recording(*args):
        threads.append(threading.current_thread())
        return real(*args)

    monkeypatch.setattr(scan_module, "scan_cell", recording)
    result = await scan(jp_fetch, {"code": "lr = 0.1"})
    assert [p["key"] for p in result["params"]] == ["lr"]
    assert threads and threads[0] is not threading.main_thread()


def posted_run(**overrides):
    """A run as Log run posts it, with the printed text of its outputs."""
    return {
        "experiment_name": "scan.ipynb",
        "status": "FINISHED",
        "source": "toolbar",
        "start_time": 1_700_000_000_000,
        "end_time": 1_700_000_000_400,
        "code": "print(...)",
        **overrides,
    }


async def post_run(jp_fetch, body):
    response = await jp_fetch(
        "jupyterlab-runs", "api", "runs", method="POST", body=json.dumps(body)
    )
    return json.loads(response.body)


async def test_a_posted_runs_printed_text_gives_its_printed_metrics(jp_fetch):
    run = await post_run(
        jp_fetch,
        posted_run(
            printed=["Accuracy: 0.5\nloss = nan\n", "  Accuracy: 0.964\nbest: -inf\nf1: 0.1\n"],
            metrics=[
                {"key": "f1", "value": 0.25, "source": "variable"},
                {"key": "recall", "value": 0.5, "source": "explicit"},
            ],
        ),
    )
    metrics = {key: (m["value"], m["source"]) for key, m in run["metrics"].items()}
    # Across outputs a key's last value wins; a value the capture posted beats a printed one.
    assert metrics == {
        "accuracy": (0.964, "printed"),
        "loss": ("NaN", "printed"),
        "best": ("-Infinity", "printed"),
        "f1": (0.25, "variable"),
        "recall": (0.5, "explicit"),
    }
    assert run["metrics"]["accuracy"]["timestamp"] == 1_700_000_000_400


@pytest.mark.parametrize(
    "printed,message",
    [
        ("Accuracy: 0.9", "printed must be a list of strings"),
        (["a", 3], "printed must be a list of strings"),
        (
            ["a" * MAX_PRINTED_CHARS, "b"],
            f"printed has 1,000,001 characters; the server reads at most {MAX_PRINTED_CHARS:,}",
        ),
    ],
    ids=["not a list", "not strings", "too long"],
)
async def test_bad_printed_text_is_a_400_that_says_why(jp_fetch, printed, message):
    with pytest.raises(HTTPClientError) as raised:
        await post_run(jp_fetch, posted_run(printed=printed))
    assert raised.value.code == 400
    assert json.loads(raised.value.response.body)["message"] == message
