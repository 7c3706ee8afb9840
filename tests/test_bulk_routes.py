"""Bulk REST routes through a real jupyter_server: export, many histories, bulk delete/restore."""

import csv
import io
import json

import pytest
from jupyter_server.auth.authorizer import Authorizer
from test_handlers import API, call, error_of, run_payload
from tornado.httpclient import HTTPClientError

from jupyterlab_runs.server import bulk
from jupyterlab_runs.server.export import csv_line, csv_text


async def post_runs(jp_fetch, count, **overrides):
    """``count`` runs in one experiment: param n = version, metric accuracy = n / 100."""
    runs = []
    for n in range(1, count + 1):
        body = run_payload(
            params=[{"key": "n", "value": str(n), "type": "int"}],
            metrics=[{"key": "accuracy", "value": n / 100}],
            **overrides,
        )
        runs.append((await call(jp_fetch, "runs", method="POST", body=body))[1])
    return runs


async def export(jp_fetch, **body):
    """(response, text) of an export."""
    response = await jp_fetch(*API, "runs", "export", method="POST", body=json.dumps(body))
    return response, response.body.decode()


async def test_export_streams_every_matching_run_as_csv_page_by_page(jp_fetch, monkeypatch):
    monkeypatch.setattr(bulk, "EXPORT_PAGE", 3)  # 7 runs → 3 pages from the store
    runs = await post_runs(jp_fetch, 8)
    experiment_id = runs[0]["experiment_id"]
    await call(jp_fetch, "runs", runs[0]["id"], method="DELETE")
    response, text = await export(
        jp_fetch,
        format="csv",
        experiment_ids=[experiment_id],
        order_by=["version DESC"],
        columns=[
            "attributes.version",
            "attributes.start_time",
            "attributes.duration",
            "attributes.experiment_id",
            "metrics.accuracy",
            "params.n",
        ],
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["X-Total-Count"] == "7"
    lines = text.split("\r\n")
    assert lines[0] == (
        "run_id,version,start_time,duration,experiment_id,metrics.accuracy,params.n"
    )
    assert lines[-1] == "" and len(lines) == 9
    assert [int(line.split(",")[1]) for line in lines[1:-1]] == [8, 7, 6, 5, 4, 3, 2]
    assert lines[1] == (
        f"{runs[7]['id']},8,2023-11-14T22:13:20.000Z,1500,notebooks/train.ipynb,0.08,8"
    )


async def test_export_writes_the_chosen_metric_value_and_defuses_formulas(jp_fetch):
    metrics = [
        {"key": "loss", "value": 0.5, "step": 0},
        {"key": "loss", "value": 0.25, "step": 1},
        {"key": "loss", "value": 0.75, "step": 2},
        {"key": "rmse", "value": "NaN"},
    ]
    params = [
        {"key": "formula", "value": '=HYPERLINK("x")', "type": "str"},
        {"key": "neg", "value": "-0.5", "type": "str"},
    ]
    (run,) = await post_runs(jp_fetch, 1)
    body = run_payload(metrics=metrics, params=params, name="a, b")
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    _, text = await export(
        jp_fetch,
        format="csv",
        experiment_ids=[run["experiment_id"]],
        filter="attributes.version = 2",
        columns=["attributes.name", "metrics.loss", "metrics.rmse", "params.formula", "params.neg"],
        metric_values={"loss": "min"},
    )
    (header, row) = list(csv.reader(io.StringIO(text)))
    assert header == [
        "run_id",
        "name",
        "metrics.loss",
        "metrics.rmse",
        "params.formula",
        "params.neg",
    ]
    assert row == [run["id"], "a, b", "0.25", "NaN", '\'=HYPERLINK("x")', "-0.5"]


async def test_export_as_json_spells_non_finite_values_as_strings(jp_fetch):
    body = run_payload(metrics=[{"key": "upper", "value": "Infinity"}])
    _, run = await call(jp_fetch, "runs", method="POST", body=body)
    await post_runs(jp_fetch, 1)
    response, text = await export(
        jp_fetch,
        format="json",
        experiment_ids=[run["experiment_id"]],
        order_by=["version ASC"],
        columns=["attributes.version", "metrics.upper", "tags.missing"],
    )
    assert response.headers["Content-Type"] == "application/json"
    records = json.loads(text)
    assert records == [
        {"run_id": run["id"], "version": 1, "metrics.upper": "Infinity", "tags.missing": None},
        {"run_id": records[1]["run_id"], "version": 2, "metrics.upper": None, "tags.missing": None},
    ]


@pytest.mark.parametrize(
    "body,where",
    [
        ({"format": "xlsx", "columns": []}, "format"),
        ({"format": "csv", "columns": "metrics.a"}, "columns"),
        ({"format": "csv", "columns": ["accuracy"]}, "columns[0]"),
        ({"format": "csv", "columns": ["attributes.password"]}, "unknown attribute"),
        ({"format": "csv", "columns": [], "metric_values": {"a": "best"}}, "metric_values['a']"),
        ({"format": "csv", "columns": [], "order_by": "version"}, "order_by"),
        ({"format": "csv", "columns": [], "filter": "metrics.a >"}, "filter"),
    ],
)
async def test_export_refuses_bad_requests_with_a_400_that_says_why(jp_fetch, body, where):
    status, error = await error_of(jp_fetch, "runs", "export", method="POST", body=body)
    assert status == 400
    assert where in error["message"] or error["error"] == "invalid_filter"


async def test_one_request_returns_many_metric_histories(jp_fetch):
    steps = [{"key": "loss", "value": 1 / (s + 1), "step": s} for s in range(10)]
    runs = [
        (await call(jp_fetch, "runs", method="POST", body=run_payload(metrics=steps)))[1]
        for _ in range(3)
    ]
    ids = [r["id"] for r in runs]
    _, reply = await call(
        jp_fetch, "runs", "metrics", method="POST", body={"run_ids": ids, "keys": ["loss", "acc"]}
    )
    histories = reply["histories"]
    assert list(histories) == ids
    for run_id in ids:
        assert [p["step"] for p in histories[run_id]["loss"]] == list(range(10))
        assert histories[run_id]["acc"] == []

    _, thinned = await call(
        jp_fetch,
        "runs",
        "metrics",
        method="POST",
        body={"run_ids": ids[:1], "keys": ["loss"], "max_points": 4},
    )
    # first, last, and the one bucket's highest and lowest value (loss falls: steps 1 and 8)
    assert [p["step"] for p in thinned["histories"][ids[0]]["loss"]] == [0, 1, 8, 9]


@pytest.mark.parametrize(
    "body,message",
    [
        ({"keys": ["a"]}, "run_ids must be a non-empty list"),
        ({"run_ids": ["r"], "keys": []}, "keys must be a non-empty list"),
        ({"run_ids": ["r", 3], "keys": ["a"]}, "run_ids[1]"),
        ({"run_ids": ["r"], "keys": ["a"], "max_points": 1}, "max_points"),
        ({"run_ids": [f"r{i}" for i in range(200)], "keys": [f"k{i}" for i in range(60)]}, "×"),
    ],
)
async def test_history_requests_are_checked(jp_fetch, body, message):
    status, error = await error_of(jp_fetch, "runs", "metrics", method="POST", body=body)
    assert status == 400 and message in error["message"]


async def test_history_of_an_unknown_run_is_a_404(jp_fetch):
    status, error = await error_of(
        jp_fetch, "runs", "metrics", method="POST", body={"run_ids": ["0" * 32], "keys": ["a"]}
    )
    assert status == 404 and error["error"] == "not_found"


async def test_bulk_delete_and_restore_in_one_request_each(jp_fetch):
    runs = await post_runs(jp_fetch, 5)
    ids = [r["id"] for r in runs[:4]]
    params = {"experiment_ids": runs[0]["experiment_id"]}
    missing = "f" * 32
    _, deleted = await call(
        jp_fetch, "runs", "delete", method="POST", body={"run_ids": [*ids, missing]}
    )
    assert deleted["deleted"] == ids
    assert [e["run_id"] for e in deleted["errors"]] == [missing]
    assert deleted["errors"][0]["error"] == "not_found"
    _, active = await call(jp_fetch, "runs", params=params)
    assert [r["version"] for r in active["runs"]] == [5]

    _, restored = await call(jp_fetch, "runs", "restore", method="POST", body={"run_ids": ids[:2]})
    assert [r["id"] for r in restored["runs"]] == ids[:2]
    assert all(r["deleted_time"] is None and "code" not in r for r in restored["runs"])
    assert restored["errors"] == []
    _, active = await call(jp_fetch, "runs", params=params)
    assert active["total"] == 3


async def test_bulk_bodies_are_checked(jp_fetch):
    for path in ("delete", "restore"):
        status, error = await error_of(jp_fetch, "runs", path, method="POST", body={"run_ids": []})
        assert status == 400 and "run_ids" in error["message"]
    status, error = await error_of(
        jp_fetch,
        "runs",
        "delete",
        method="POST",
        body={"run_ids": ["x"] * (bulk.MAX_BULK_RUNS + 1)},
    )
    assert status == 400 and "at most" in error["message"]


@pytest.mark.parametrize("path", ["export", "metrics", "delete", "restore"])
async def test_bulk_routes_refuse_requests_without_a_token(jp_fetch, path):
    with pytest.raises(HTTPClientError) as raised:
        await jp_fetch(*API, "runs", path, method="POST", body="{}", headers={"Authorization": ""})
    assert raised.value.code in (401, 403)


class ReadOnly(Authorizer):
    """Lets a user read jupyterlab_runs but not change it."""

    def is_authorized(self, handler, user, action, resource):
        return action == "read"


@pytest.fixture
def read_only_config(jp_server_config):
    jp_server_config["ServerApp"]["authorizer_class"] = ReadOnly
    return jp_server_config


@pytest.mark.parametrize("path", ["export", "metrics", "delete", "restore"])
async def test_bulk_routes_need_write_permission_like_every_post(read_only_config, jp_fetch, path):
    status, _ = await error_of(jp_fetch, "runs", path, method="POST", body={})
    assert status == 403
    status, _ = await call(jp_fetch, "runs")  # reading is still allowed
    assert status == 200


@pytest.mark.parametrize(
    "value,text",
    [
        ("=1+2", "'=1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+x", "'+x"),
        ("-0.5", "-0.5"),
        ("+1e3", "+1e3"),
        ("-inf", "'-inf"),
        (-2, "-2"),
        (float("nan"), "NaN"),
        (2.0, "2"),
        (None, ""),
    ],
)
def test_csv_text_defuses_formulas_but_not_numbers(value, text):
    assert csv_text(value) == text


def test_csv_line_quotes_fields_that_need_it():
    assert csv_line(["a", "b,c", 'say "hi"', "two\nlines", " pad"]) == (
        'a,"b,c","say ""hi""","two\nlines"," pad"\r\n'
    )
