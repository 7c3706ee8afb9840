"""Hostile or oversized requests get a 400 (or 413) that says what is wrong, never a 500."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import pytest
from test_handlers import call, error_of, run_payload
from tornado.httpclient import HTTPClientError

from jupyterlab_runs.server import inputs


async def posted_run(jp_fetch, **overrides):
    _, run = await call(jp_fetch, "runs", method="POST", body=run_payload(**overrides))
    return run


def token_of(value) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NESTED = "[" * 1500 + "]" * 1500  # within the length cap, beyond json's recursion


@pytest.mark.parametrize(
    ("filter_text", "where"),
    [
        ("not " * 500 + "params.a = '1'", "nest"),
        ("(" * 500 + "params.a = '1'" + ")" * 500, "nest"),
        ("metrics.acc > " + "9" * 5000, "number"),
        ("metrics.acc > 0." + "1" * 5000, "number"),
        (" or ".join(f"params.p{i} = '{i}'" for i in range(600)), "conditions"),
    ],
)
async def test_pathological_filters_are_400(jp_fetch, filter_text, where):
    run = await posted_run(jp_fetch)
    params = {"experiment_ids": run["experiment_id"], "filter": filter_text}
    status, body = await error_of(jp_fetch, "runs", params=params)
    assert status == 400 and body["error"] == "invalid_filter"
    assert where in body["message"]


@pytest.mark.parametrize(
    "token",
    [
        token_of(["x", 10**4000, 1, 2, "a" * 32]),
        token_of([[1] * 3, 1e308 * 10, 1, 2, 3]),
        base64.urlsafe_b64encode(NESTED.encode()).decode(),
        "A" * 40_000,
    ],
)
async def test_forged_page_tokens_are_400(jp_fetch, token):
    run = await posted_run(jp_fetch)
    params = {"experiment_ids": run["experiment_id"], "page_token": token}
    status, body = await error_of(jp_fetch, "runs", params=params)
    assert status == 400 and "page_token" in body["message"]


@pytest.mark.parametrize("since", [str(10**20), "-" + str(10**20), "9" * 5000])
async def test_changes_since_out_of_range_is_400(jp_fetch, since):
    status, body = await error_of(jp_fetch, "changes", params={"since": since})
    assert status == 400 and "since" in body["message"]


async def test_huge_integer_arguments_are_400(jp_fetch):
    status, body = await error_of(jp_fetch, "runs", params={"max_results": "9" * 5000})
    assert status == 400 and "max_results" in body["message"]


async def test_tens_of_thousands_of_experiment_ids_are_400(jp_fetch):
    ids = ",".join(["1"] * 12_000)  # what fits in a URL (commas travel as %2C)
    for route in ("runs", "keys"):
        status, body = await error_of(jp_fetch, route, params={"experiment_ids": ids})
        assert status == 400 and "experiment_ids" in body["message"]


async def test_a_stored_media_type_with_cr_lf_downloads_safely(jp_fetch, jp_serverapp):
    run = await posted_run(jp_fetch)
    store = jp_serverapp.web_app.settings["jupyterlab_runs_store"].get()
    # What an older version, an import or another writer may have stored.
    store.log_artifact(run["id"], "evil.txt", b"hi", "text/plain\r\nSet-Cookie: a=b")
    response = await jp_fetch("jupyterlab-runs", "api", "runs", run["id"], "artifacts", "evil.txt")
    assert response.code == 200 and response.body == b"hi"
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert not any(c.startswith("a=b") for c in response.headers.get_list("Set-Cookie"))


async def test_post_run_refuses_a_notebook_path_outside_the_root(jp_fetch):
    for path in ("/etc/passwd.ipynb", "../outside.ipynb", "a/../../b.ipynb", "C:\\x.ipynb"):
        status, body = await error_of(
            jp_fetch, "runs", method="POST", body=run_payload(notebook_path=path)
        )
        assert status == 400 and "notebook_path" in body["message"], path
    run = await posted_run(jp_fetch, notebook_path="a/b/../c.ipynb")
    assert run["notebook_path"] == "a/b/../c.ipynb"


async def test_artifact_downloads_stream_in_chunks_with_their_media_type(jp_fetch, jp_serverapp):
    run = await posted_run(jp_fetch)
    store = jp_serverapp.web_app.settings["jupyterlab_runs_store"].get()
    data = bytes(range(256)) * 12_000  # 3 MB, a dozen chunks
    store.log_artifact(run["id"], "data/blob.bin", data, "application/x-blob")
    response = await jp_fetch(
        "jupyterlab-runs", "api", "runs", run["id"], "artifacts", "data/blob.bin"
    )
    assert response.body == data
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.headers["Content-Type"] == "application/x-blob"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_huge_context_is_capped_and_the_run_kept(jp_fetch):
    snapshot = [{"id": f"c{i}", "source": "x" * 1000} for i in range(3000)]  # 3 MB
    run = await posted_run(jp_fetch, context={"notebook": snapshot, "kernel": "python3"})
    _, stored = await call(jp_fetch, "runs", run["id"])
    assert stored["context"]["kernel"] == "python3"
    assert "over the context limit" in stored["context"]["notebook"]
    assert len(json.dumps(stored["context"])) < 2_100_000


async def test_full_runs_are_paged_in_bounded_pages(jp_fetch):
    run = await posted_run(jp_fetch)
    params = {"experiment_ids": run["experiment_id"], "max_results": "5000"}
    status, body = await error_of(jp_fetch, "runs", params=params)
    assert status == 400 and "fields=summary" in body["message"]
    _, page = await call(jp_fetch, "runs", params={**params, "fields": "summary"})
    assert [r["id"] for r in page["runs"]] == [run["id"]]


async def test_metric_history_pages(jp_fetch):
    points = [{"key": "loss", "value": 1 / (s + 1), "step": s} for s in range(25)]
    run = await posted_run(jp_fetch, metrics=points)
    steps, token, pages = [], None, 0
    while True:
        params = {"max_results": "10", **({"page_token": token} if token else {})}
        _, page = await call(jp_fetch, "runs", run["id"], "metrics", "loss", params=params)
        steps += [p["step"] for p in page["history"]]
        pages += 1
        token = page["next_page_token"]
        if token is None:
            break
    assert (steps, pages) == (list(range(25)), 3)
    for bad in ({"page_token": "1:2:3"}, {"page_token": "9" * 40 + ":1"}, {"max_results": "0"}):
        status, body = await error_of(jp_fetch, "runs", run["id"], "metrics", "loss", params=bad)
        assert status == 400 and body["message"], bad


@pytest.mark.parametrize("route", [("runs",), ("experiments",)])
async def test_deeply_nested_or_broken_bodies_are_400(jp_fetch, route):
    for raw, reason in (("[" * 100_000, "nested too deeply"), ("{'a': 1}", "not JSON")):
        with pytest.raises(HTTPClientError) as raised:
            await jp_fetch("jupyterlab-runs", "api", *route, method="POST", body=raw)
        body = json.loads(raised.value.response.body)
        assert raised.value.code == 400 and reason in body["message"]


async def longest_stall(work) -> tuple[float, float]:
    """The longest the event loop went without a turn while ``work`` ran, and how long it ran."""
    gaps, done = [0.0], asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    watch = asyncio.ensure_future(ticker())
    await asyncio.sleep(0.01)
    del gaps[:]
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    done.set()
    await watch
    return max(gaps, default=took), took


async def test_large_bodies_are_parsed_without_stalling_the_event_loop():
    points = [{"key": f"m{i % 20}", "value": i / 7, "step": i} for i in range(80_000)]
    raw = json.dumps(run_payload(metrics=points)).encode()  # 4 MB: a long training loop
    assert len(raw) > inputs.INLINE_JSON_BYTES

    async def parse_here():
        json.loads(raw)

    parsed = {}

    async def parse_for_a_request():
        parsed.update(await inputs.parse_json_body(raw))

    # Each stall is compared with its own parse's duration, so a loaded machine slows both
    # alike: a parse that holds the GIL stalls the loop for all of it (also in a thread with
    # the C decoder), one that yields lets the loop turn every few milliseconds.
    blocking, blocking_took = await longest_stall(parse_here)
    yielding, yielding_took = await longest_stall(parse_for_a_request)
    print(f"4 MB body in place: the loop stalled {blocking:.3f} s of {blocking_took:.3f};")
    print(
        f"through parse_json_body: at most {yielding * 1000:.0f} ms of {yielding_took * 1000:.0f}"
    )
    assert parsed == json.loads(raw)
    assert blocking >= 0.9 * blocking_took
    assert yielding < 0.25 * yielding_took
