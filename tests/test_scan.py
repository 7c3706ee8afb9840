"""``POST scan`` through a real jupyter_server: Log run's one capture, done by the server."""

import json
import threading

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from jupyterlab_runs.server import scan as scan_module
from jupyterlab_runs.server.scan import MAX_CODE_CHARS, MAX_OUTPUT_CHARS

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


async def test_scan_gives_params_names_and_printed_metrics(jp_fetch):
    result = await scan(
        jp_fetch,
        {
            "code": CELL,
            "language": "python",
            "outputs": ["Accuracy: 0.5\nloss = nan\n", "  Accuracy: 0.964\nbest: -inf\n"],
        },
    )
    assert result["params"] == [
        {"key": "n_estimators", "value": "200", "type": "int", "source": "assign"},
        {"key": "cfg.lr", "value": "0.1", "type": "float", "source": "assign"},
        {"key": "cfg.depth", "value": "None", "type": "none", "source": "assign"},
        {"key": "max_depth", "value": "8", "type": "int", "source": "kwarg"},
    ]
    assert result["names"] == ["model", "acc", "best"]
    # Across outputs a key's last value wins; non-finite values as the REST API spells them.
    assert result["metrics"] == [
        {"key": "loss", "value": "NaN"},
        {"key": "accuracy", "value": 0.964},
        {"key": "best", "value": "-Infinity"},
    ]


async def test_scan_reads_python_syntax_for_any_language_but_names_only_for_python(jp_fetch):
    result = await scan(
        jp_fetch, {"code": "n_layers = 3\nscore = f(n_layers)", "language": "julia"}
    )
    assert [p["key"] for p in result["params"]] == ["n_layers"]
    assert result["names"] == []
    assert result["metrics"] == []


async def test_scan_of_outputs_alone_and_of_non_python_cell_magics(jp_fetch):
    assert await scan(jp_fetch, {"outputs": ["epoch 3 loss=0.25 acc=0.9"]}) == {
        "params": [],
        "names": [],
        "metrics": [{"key": "loss", "value": 0.25}, {"key": "acc", "value": 0.9}],
    }
    bash = await scan(jp_fetch, {"code": "%%bash\nx=5\necho $x", "language": "python"})
    assert bash == {"params": [], "names": [], "metrics": []}


@pytest.mark.parametrize(
    "body,message",
    [
        ({"code": 5}, "code must be a string"),
        ({"language": ["python"]}, "language must be a string"),
        ({"outputs": "Accuracy: 0.9"}, "outputs must be a list of strings"),
        ({"outputs": ["a", 3]}, "outputs must be a list of strings"),
        (
            {"code": "x = 1\n" * (MAX_CODE_CHARS // 6 + 1)},
            f"code has 2,000,004 characters; the scan takes at most {MAX_CODE_CHARS:,}",
        ),
        (
            {"outputs": ["a" * MAX_OUTPUT_CHARS, "b"]},
            f"outputs has 1,000,001 characters; the scan takes at most {MAX_OUTPUT_CHARS:,}",
        ),
    ],
    ids=["code type", "language type", "outputs type", "output item type", "code", "outputs"],
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
