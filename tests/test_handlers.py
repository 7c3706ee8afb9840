"""The REST API through a real jupyter_server (pytest-jupyter's ``jp_fetch``)."""

import json
import math

import pytest
from tornado.httpclient import HTTPClientError

API = ("jupyterlab-runs", "api")


def run_payload(**overrides):
    """A run as the front end's capture posts it."""
    payload = {
        "experiment_name": "notebooks/train.ipynb",
        "notebook_path": "notebooks/train.ipynb",
        "status": "FINISHED",
        "source": "toolbar",
        "start_time": 1_700_000_000_000,
        "end_time": 1_700_000_001_500,
        "cell_id": "cell-1",
        "execution_count": 4,
        "kernel_name": "python3",
        "language": "python",
        "code": "n_estimators = 200\nprint('Accuracy: 0.964')",
        "params": [{"key": "n_estimators", "value": "200", "type": "int", "source": "assign"}],
        "metrics": [{"key": "accuracy", "value": 0.964, "source": "printed"}],
    }
    payload.update(overrides)
    return payload


async def call(jp_fetch, *path, method="GET", body=None, params=None, **kwargs):
    """One API call; returns (status, decoded JSON or None)."""
    if body is not None:
        kwargs["body"] = json.dumps(body)
    elif method in ("POST", "PATCH"):
        kwargs["body"] = ""
    response = await jp_fetch(*API, *path, method=method, params=params, **kwargs)
    text = response.body.decode() if response.body else ""
    return response.code, (json.loads(text) if text else None)


async def error_of(jp_fetch, *path, **kwargs):
    """(status, JSON body) of a call expected to fail."""
    with pytest.raises(HTTPClientError) as raised:
        await call(jp_fetch, *path, **kwargs)
    body = raised.value.response.body.decode()
    return raised.value.code, json.loads(body) if body else None


async def test_post_run_assigns_versions_and_creates_the_experiment(jp_fetch):
    status, first = await call(jp_fetch, "runs", method="POST", body=run_payload())
    assert status == 201
    assert first["version"] == 1 and first["name"] == "v1"
    assert first["params"]["n_estimators"] == {"value": "200", "type": "int", "source": "assign"}
    assert first["metrics"]["accuracy"]["value"] == pytest.approx(0.964)
    assert first["metrics"]["accuracy"]["source"] == "printed"
    assert first["duration_ms"] == 1500
    assert first["user"]  # the authenticated user, filled in by the server

    _, second = await call(jp_fetch, "runs", method="POST", body=run_payload())
    assert second["version"] == 2
    assert second["experiment_id"] == first["experiment_id"]

    _, listing = await call(jp_fetch, "experiments")
    names = [e["name"] for e in listing["experiments"]]
    assert names == ["notebooks/train.ipynb"]


async def test_get_runs_orders_and_pages(jp_fetch):
    for n in (50, 200, 100):
        body = run_payload(
            params=[{"key": "n_estimators", "value": str(n), "type": "int"}],
            metrics=[{"key": "accuracy", "value": n / 1000}],
        )
        _, run = await call(jp_fetch, "runs", method="POST", body=body)
    experiment_id = run["experiment_id"]

    _, page = await call(
        jp_fetch,
        "runs",
        params={
            "experiment_ids": experiment_id,
            "order_by": "metrics.accuracy DESC",
            "max_results": 2,
        },
    )
    assert page["total"] == 3
    assert [r["params"]["n_estimators"]["value"] for r in page["runs"]] == ["200", "100"]
    assert page["next_page_token"]

    _, rest = await call(
        jp_fetch,
        "runs",
        params={
            "experiment_ids": experiment_id,
            "order_by": "metrics.accuracy DESC",
            "max_results": 2,
            "page_token": page["next_page_token"],
        },
    )
    assert [r["params"]["n_estimators"]["value"] for r in rest["runs"]] == ["50"]
    assert rest["next_page_token"] is None

    _, filtered = await call(
        jp_fetch,
        "runs",
        params={"experiment_ids": experiment_id, "filter": "params.n_estimators >= 100"},
    )
    assert sorted(r["version"] for r in filtered["runs"]) == [2, 3]


async def test_get_run_and_not_found_is_json(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    status, fetched = await call(jp_fetch, "runs", run["id"])
    assert status == 200 and fetched["id"] == run["id"]
    assert fetched["code"].startswith("n_estimators = 200")

    status, error = await error_of(jp_fetch, "runs", "0" * 32)
    assert status == 404
    assert error["error"] == "not_found" and error["message"]


async def test_bad_filter_is_a_400_that_says_where(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    status, error = await error_of(
        jp_fetch,
        "runs",
        params={"experiment_ids": run["experiment_id"], "filter": "metrics.accuracy >"},
    )
    assert status == 400
    assert error["error"] == "invalid_filter"
    assert "position" in error["message"]


async def test_injection_attempts_in_filter_are_harmless(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    params = {"experiment_ids": run["experiment_id"]}
    # A quote inside a string literal is data, not SQL: it matches nothing.
    status, page = await call(
        jp_fetch, "runs", params={**params, "filter": "params.n_estimators = \"x' OR '1'='1\""}
    )
    assert status == 200 and page["runs"] == []
    # A second statement is a syntax error with a clear message, not a server error.
    status, error = await error_of(
        jp_fetch, "runs", params={**params, "filter": "params.n_estimators = '1'; DROP TABLE runs"}
    )
    assert status == 400 and error["error"] == "invalid_filter"
    _, again = await call(jp_fetch, "runs", run["id"])
    assert again["id"] == run["id"]


async def test_invalid_run_bodies_are_rejected_clearly(jp_fetch):
    status, error = await error_of(jp_fetch, "runs", method="POST", body=["not", "an", "object"])
    assert status == 400 and "JSON object" in error["message"]
    status, error = await error_of(jp_fetch, "runs", method="POST", body=run_payload(status="DONE"))
    assert status == 400 and "status" in error["message"]
    bad_metric = run_payload(metrics=[{"key": "accuracy", "value": "high"}])
    status, error = await error_of(jp_fetch, "runs", method="POST", body=bad_metric)
    assert status == 400 and "metrics[0].value" in error["message"]
    # Nothing half-saved: the experiment has no run.
    _, listing = await call(jp_fetch, "experiments")
    for experiment in listing["experiments"]:
        _, page = await call(jp_fetch, "runs", params={"experiment_ids": experiment["id"]})
        assert page["total"] == 0


async def test_non_finite_metrics_round_trip_as_strings(jp_fetch):
    body = run_payload(
        metrics=[
            {"key": "loss", "value": "NaN"},
            {"key": "upper", "value": "Infinity"},
            {"key": "lower", "value": "-Infinity"},
        ]
    )
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    _, fetched = await call(jp_fetch, "runs", run["id"])
    assert fetched["metrics"]["loss"]["value"] == "NaN"
    assert fetched["metrics"]["upper"]["value"] == "Infinity"
    assert fetched["metrics"]["lower"]["value"] == "-Infinity"
    _, history = await call(jp_fetch, "runs", run["id"], "metrics", "loss")
    assert history["history"][0]["value"] == "NaN"
    assert not math.isnan(float(history["history"][0]["step"]))


async def test_unicode_and_html_are_stored_verbatim(jp_fetch):
    html = "<img src=x onerror=alert(1)>"
    body = run_payload(
        experiment_name="实验 <b>α</b>",
        params=[{"key": "标题", "value": html, "type": "str"}],
    )
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    _, fetched = await call(jp_fetch, "runs", run["id"])
    assert fetched["params"]["标题"]["value"] == html
    _, listing = await call(jp_fetch, "experiments")
    assert "实验 <b>α</b>" in [e["name"] for e in listing["experiments"]]


async def test_patch_delete_restore_and_views(jp_fetch):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    _, patched = await call(
        jp_fetch,
        "runs",
        run["id"],
        method="PATCH",
        body={"name": "baseline", "note": "**first** try", "set_tags": {"team": "ml"}},
    )
    assert patched["name"] == "baseline" and patched["note"] == "**first** try"
    assert patched["tags"]["team"] == "ml"

    status, _ = await call(jp_fetch, "runs", run["id"], method="DELETE")
    assert status == 204
    params = {"experiment_ids": run["experiment_id"]}
    _, active = await call(jp_fetch, "runs", params=params)
    _, deleted = await call(jp_fetch, "runs", params={**params, "view": "deleted"})
    assert active["total"] == 0 and deleted["total"] == 1

    _, restored = await call(jp_fetch, "runs", run["id"], "restore", method="POST")
    assert restored["deleted_time"] is None
    _, active = await call(jp_fetch, "runs", params=params)
    assert active["total"] == 1


async def test_keys_and_changes(jp_fetch):
    _, cursor0 = await call(jp_fetch, "changes", params={"since": 0})
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload())
    _, keys = await call(jp_fetch, "keys", params={"experiment_ids": run["experiment_id"]})
    assert keys["params"] == ["n_estimators"] and keys["metrics"] == ["accuracy"]

    _, changes = await call(jp_fetch, "changes", params={"since": cursor0["cursor"]})
    assert changes["cursor"] > cursor0["cursor"]
    assert any(c["kind"] == "run" and c["id"] == run["id"] for c in changes["changes"])
    _, none = await call(jp_fetch, "changes", params={"since": changes["cursor"]})
    assert none["changes"] == []


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", ("experiments",)),
        ("POST", ("experiments",)),
        ("GET", ("runs",)),
        ("POST", ("runs",)),
        ("GET", ("changes",)),
        ("GET", ("keys",)),
        ("DELETE", ("runs", "0" * 32)),
    ],
)
async def test_requests_without_a_token_are_refused(jp_fetch, method, path):
    body = json.dumps(run_payload()) if method == "POST" else None
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch(*API, *path, method=method, body=body, headers={"Authorization": ""})
    assert raised.value.code in (401, 403)


async def test_unopenable_store_gives_a_clear_error(jp_fetch, jp_serverapp, tmp_path, caplog):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a directory should be")
    holder = jp_serverapp.web_app.settings["jupyterlab_runs_store"]
    holder.close()
    holder.uri = "sqlite:///" + str(blocker / "store" / "runs.db")
    status, error = await error_of(jp_fetch, "experiments")
    assert status == 503
    assert error["error"] == "store_unavailable"
    assert str(blocker) in error["message"]
    assert any("cannot open the store" in r.getMessage() for r in caplog.records)


async def test_summary_pages_leave_out_code_and_context(jp_fetch):
    body = run_payload(context={"notebook": [{"id": "c", "source": "x" * 10_000}]})
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    params = {"experiment_ids": run["experiment_id"]}
    _, full = await call(jp_fetch, "runs", params=params)
    _, summary = await call(jp_fetch, "runs", params={**params, "fields": "summary"})
    assert full["runs"][0]["code"] and full["runs"][0]["context"]["notebook"]
    (short,) = summary["runs"]
    assert "code" not in short and "context" not in short
    assert short["params"] == full["runs"][0]["params"] and short["version"] == run["version"]
    status, error = await error_of(jp_fetch, "runs", params={**params, "fields": "some"})
    assert status == 400 and "fields" in error["message"]


async def test_replies_carry_what_orjson_cannot_encode(jp_fetch):
    # A capture context may hold any JSON: integers past 64 bits go through the stdlib.
    body = run_payload(context={"seed": 2**70, "nested": {"n": -(2**65)}})
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    _, fetched = await call(jp_fetch, "runs", run["id"])
    assert fetched["context"]["seed"] == 2**70 and fetched["context"]["nested"]["n"] == -(2**65)
