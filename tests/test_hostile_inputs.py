"""Every input of tests/data/hostile_inputs.json through the REST API (a real jupyter_server)
and the Python API: stored as sent (or cut with the marker), or refused with a message —
never a 5xx, a crash, a hang or a file outside its folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hostile import (
    INPUTS,
    body_of,
    of_kind,
    read_back_matches,
    status_allowed,
    value_of,
)
from kernel_support import open_store

import jupyterlab_runs as jr
from jupyterlab_runs.kernel.api import log_bytes
from jupyterlab_runs.store import InvalidArgument, MetricInput, StoreError
from jupyterlab_runs.store.transfer import import_runs

pytest_plugins = ("kernel_fixtures",)
API = "jupyterlab-runs/api/"
SECRET = "hostile-inputs-secret-outside-the-store"


def test_the_list_holds_at_least_fifty_inputs_of_every_kind():
    kinds = {entry["kind"] for entry in INPUTS}
    assert len(INPUTS) >= 50 and len({e["id"] for e in INPUTS}) == len(INPUTS)
    assert kinds == {"text", "key", "filter", "artifact_path", "import", "body", "query"}


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_auth_header, jp_base_url):
    """``await api(method, path_and_query, body)`` → (status, JSON or None); never raises on
    an HTTP status, so every reply can be judged."""

    async def fetch(method: str, path: str, body: object = None, raw: str | None = None):
        if raw is None and body is not None:
            raw = json.dumps(body)
        started = time.monotonic()
        reply = await http_server_client.fetch(
            jp_base_url + API + path,
            method=method,
            body=raw if raw is not None else (None if method in ("GET", "DELETE") else "{}"),
            headers=jp_auth_header,
            raise_error=False,
            request_timeout=60,
        )
        fetch.elapsed = time.monotonic() - started
        text = reply.body.decode() if reply.body else ""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = text
        return reply.code, data

    return fetch


def refusal_explained(status: int, data: object) -> bool:
    """A 4xx of ours carries the JSON ``{error, message}`` the panel shows (a 404 of a URL
    that matches no route is Jupyter's own page)."""
    if status < 400 or (status == 404 and isinstance(data, str)):
        return True
    return isinstance(data, dict) and bool(data.get("message"))


def report(problems: list[str]) -> None:
    assert not problems, f"{len(problems)} hostile input(s) mishandled:\n" + "\n".join(problems)


# -- text: run name, note, param value, tag value, experiment name -----------------------------


def _text_fields(run: dict, sent: str, expect: str, with_name: bool) -> list[str]:
    fields = {
        "note": run["note"],
        "param": run["params"]["p"]["value"],
        "tag": run["tags"]["t"],
    }
    if with_name:
        fields["name"] = run["name"]
    return [name for name, value in fields.items() if not read_back_matches(value, sent, expect)]


async def test_rest_text_is_stored_as_sent_and_edits_too(api):
    problems = []
    for entry in of_kind("text"):
        sent = value_of(entry)
        with_name = len(sent) <= 500 and bool(sent.strip())
        body = {
            "experiment_name": "hostile-text",
            "note": sent,
            "params": [{"key": "p", "value": sent, "type": "str"}],
            "tags": {"t": sent},
            **({"name": sent} if with_name else {}),
        }
        status, run = await api("POST", "runs", body)
        if status != 201:
            problems.append(f"{entry['id']}: POST runs gave {status} {run}")
            continue
        status, run = await api("GET", f"runs/{run['id']}")
        wrong = _text_fields(run, sent, entry["expect"], with_name)
        status, edited = await api(
            "PATCH", f"runs/{run['id']}", {"note": sent, "set_tags": {"t": sent}}
        )
        if status != 200:
            wrong.append(f"PATCH {status}")
        else:
            wrong += _text_fields(edited, sent, entry["expect"], with_name)
        status, exp = await api("POST", "experiments", {"name": sent})
        if not (status in (201, 400, 409) and refusal_explained(status, exp)):
            wrong.append(f"POST experiments {status}")
        elif status == 201 and not read_back_matches(exp["name"], sent.strip(), entry["expect"]):
            if exp["name"] != sent:
                wrong.append("experiment name")
        if wrong:
            problems.append(f"{entry['id']}: {wrong}")
    report(problems)


def test_python_api_text_is_stored_as_sent(tracking):
    store = open_store()
    problems = []
    for entry in of_kind("text"):
        sent = value_of(entry)
        with_name = len(sent) <= 500 and bool(sent.strip())
        with jr.start_run(experiment="hostile-text", name=sent if with_name else None) as run:
            jr.log_param("p", sent)
            jr.set_tag("t", sent)
        store.update_run(run.run_id, note=sent)
        stored = store.get_run(run.run_id)
        values = {"note": stored.note, "param": stored.params["p"].value, "tag": stored.tags["t"]}
        if with_name:
            values["name"] = stored.name
        wrong = [k for k, v in values.items() if not read_back_matches(v, sent, entry["expect"])]
        if wrong:
            problems.append(f"{entry['id']}: {wrong}")
    report(problems)


# -- keys: params, metrics and tags (and so table columns, chart fields, URLs) ---------------


async def test_rest_keys_are_kept_verbatim_or_refused(api):
    problems = []
    for entry in of_kind("key"):
        key = value_of(entry)
        body = {
            "experiment_name": "hostile-keys",
            "params": [{"key": key, "value": "1", "type": "int"}],
            "metrics": [{"key": key, "value": 0.5, "step": 1}],
            "tags": {key: "v"},
        }
        status, run = await api("POST", "runs", body)
        if not (status_allowed(status, entry["expect"]) and refusal_explained(status, run)):
            problems.append(f"{entry['id']}: POST runs gave {status} {run}")
            continue
        if status != 201:
            continue
        stored_ok = key in run["params"] and key in run["metrics"] and key in run["tags"]
        status, history = await api("GET", f"runs/{run['id']}/metrics/{quote(key, safe='')}")
        if status != 200 or [p["step"] for p in history["history"]] != [1]:
            problems.append(f"{entry['id']}: metric history gave {status} {history}")
        status, keys = await api("GET", "keys")
        if not stored_ok or key not in keys["params"] or key not in keys["metrics"]:
            problems.append(f"{entry['id']}: key not kept verbatim")
    report(problems)


def test_python_api_keys_are_kept_verbatim_or_refused(tracking):
    store = open_store()
    problems = []
    for entry in of_kind("key"):
        key = value_of(entry)
        try:
            with jr.start_run(experiment="hostile-keys") as run:
                jr.log_param(key, 1)
                jr.log_metric(key, 0.5, step=1)
                jr.set_tag(key, "v")
        except InvalidArgument as error:
            if entry["expect"] != "rejected" or not str(error):
                problems.append(f"{entry['id']}: refused ({error})")
            continue
        stored = store.get_run(run.run_id)
        if entry["expect"] == "rejected":
            problems.append(f"{entry['id']}: accepted")
        elif not (key in stored.params and key in stored.metrics and key in stored.tags):
            problems.append(f"{entry['id']}: not kept verbatim: {stored.params}")
        elif [p.step for p in store.metric_history(run.run_id, key)] != [1]:
            problems.append(f"{entry['id']}: history")
    report(problems)


# -- filters -----------------------------------------------------------------------------------


async def test_rest_filters_answer_or_refuse_with_where_and_why_in_time(api):
    status, seeded = await api(
        "POST",
        "runs",
        {"experiment_name": "hostile-filter", "params": [{"key": "p", "value": "a" * 1500}]},
    )
    assert status == 201
    problems = []
    for entry in of_kind("filter"):
        query = urlencode({"filter": value_of(entry), "experiment_ids": seeded["experiment_id"]})
        status, data = await api("GET", f"runs?{query}")
        limit = entry.get("within", 10)
        if not (status_allowed(status, entry["expect"]) and refusal_explained(status, data)):
            problems.append(f"{entry['id']}: {status} {str(data)[:200]}")
        elif api.elapsed > limit:
            problems.append(f"{entry['id']}: took {api.elapsed:.1f} s")
    report(problems)


def test_python_api_filters_answer_or_raise_the_filter_error(tracking):
    jr.set_experiment("hostile-filter")
    with jr.start_run():
        jr.log_param("p", "a" * 1500)
    problems = []
    for entry in of_kind("filter"):
        started = time.monotonic()
        try:
            jr.search_runs(filter=value_of(entry))
            outcome = "ok"
        except InvalidArgument as error:
            outcome = "rejected" if str(error) else "rejected without a message"
        if entry["expect"] in ("ok", "rejected") and outcome != entry["expect"]:
            problems.append(f"{entry['id']}: {outcome}")
        elif outcome.endswith("message"):
            problems.append(f"{entry['id']}: {outcome}")
        elif time.monotonic() - started > entry.get("within", 10):
            problems.append(f"{entry['id']}: took {time.monotonic() - started:.1f} s")
    report(problems)


# -- artifact paths --------------------------------------------------------------------------------


def _artifact_folder(runs_uri: str, run_id: str) -> Path:
    return Path(runs_uri.removeprefix("sqlite:///")).parent / "artifacts" / run_id


def _outside_secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "passwd").write_text(SECRET)
    return outside


async def test_rest_artifact_downloads_stay_inside_the_run(api, runs_uri, tmp_path):
    outside = _outside_secret(tmp_path)
    status, run = await api("POST", "runs", {"experiment_name": "hostile-artifacts"})
    assert status == 201
    store = open_store_at(runs_uri)
    folder = _artifact_folder(runs_uri, run["id"])
    problems = []
    for entry in of_kind("artifact_path"):
        path = value_of(entry)
        if entry.get("symlink"):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / entry["symlink"]).symlink_to(outside)
        elif entry["expect"] == "ok":
            store.log_artifact(run["id"], path, b"inside")
        status, data = await api("GET", f"runs/{run['id']}/artifacts/{quote(path, safe='/')}")
        served = data if isinstance(data, str) else json.dumps(data)
        if SECRET in served or status >= 500 or not refusal_explained(status, data):
            problems.append(f"{entry['id']}: {status} {served[:120]}")
        elif entry["expect"] == "ok" and (status, data) != (200, "inside"):
            problems.append(f"{entry['id']}: {status} {served[:120]}")
        elif entry["expect"] == "rejected" and status not in (400, 404):
            problems.append(f"{entry['id']}: {status}")
    store.close()
    report(problems)


def open_store_at(uri: str):
    """A second handle on the server's store, as a kernel would open it."""
    from jupyterlab_runs.store import open_store as open_uri

    return open_uri(uri)


def test_python_api_artifacts_are_confined_to_the_run(tracking, tmp_path):
    outside = _outside_secret(tmp_path)
    store = open_store()
    problems = []
    for entry in of_kind("artifact_path"):
        path = value_of(entry)
        with jr.start_run(experiment="hostile-artifacts") as run:
            if entry.get("symlink"):
                folder = store.artifact_root / run.run_id
                folder.mkdir(parents=True, exist_ok=True)
                (folder / entry["symlink"]).symlink_to(outside)
            try:
                log_bytes(path, b"inside")
                outcome = "ok"
            except InvalidArgument as error:
                outcome = "rejected" if str(error) else "no message"
        if outcome != entry["expect"]:
            problems.append(f"{entry['id']}: {outcome}")
        elif outcome == "ok" and store.read_artifact(run.run_id, path) != b"inside":
            problems.append(f"{entry['id']}: read back")
    if (outside / "passwd").read_text() != SECRET or len(list(outside.iterdir())) != 1:
        problems.append("a file outside the store was written")
    report(problems)


# -- import paths: an mlruns/ folder that points outside itself ------------------------------------

RUN_ID = "0123456789abcdef0123456789abcdef"


def _mlruns(tmp_path: Path, case: str, outside: Path) -> Path:
    root = tmp_path / f"mlruns-{case}"
    run = root / "1" / RUN_ID
    (run / "artifacts").mkdir(parents=True)
    (run / "params").mkdir()
    (run / "params" / "p").write_text("1")
    (root / "1" / "meta.yaml").write_text(
        "experiment_id: '1'\nname: hostile-import\nlifecycle_stage: active\n"
        "artifact_location: file://" + str(root / "1") + "\n"
    )
    artifact_uri = f"file://{run / 'artifacts'}"
    run_id = RUN_ID
    if case == "artifact_uri":
        artifact_uri = f"file://{outside}"
    elif case == "symlink":
        (run / "artifacts" / "link.txt").symlink_to(outside / "passwd")
    elif case == "run_id":
        run_id = "../../../outside"
    (run / "meta.yaml").write_text(
        f"run_id: '{run_id}'\nrun_uuid: '{run_id}'\nexperiment_id: '1'\nstatus: 3\n"
        f"start_time: 1700000000000\nend_time: 1700000001000\nlifecycle_stage: active\n"
        f"artifact_uri: {artifact_uri}\nrun_name: imported\nuser_id: someone\n"
    )
    return root


def _imported_secrets(store) -> list[str]:
    found = []
    for run in store.search_runs([], max_results=1000).items:
        for artifact in store.list_artifacts(run.id):
            if SECRET.encode() in store.read_artifact(run.id, artifact.path):
                found.append(f"{run.id}/{artifact.path}")
    return found


def test_python_api_import_never_reads_outside_the_folder(tracking, tmp_path):
    outside = _outside_secret(tmp_path)
    store = open_store()
    problems = []
    for entry in of_kind("import"):
        folder = _mlruns(tmp_path, entry["value"], outside)
        try:
            result = import_runs(str(folder), store)
        except StoreError as error:
            result = str(error)
        if _imported_secrets(store):
            problems.append(f"{entry['id']}: imported {_imported_secrets(store)}")
        elif not str(result):
            problems.append(f"{entry['id']}: nothing reported")
    report(problems)


def test_cli_import_never_reads_outside_the_folder(tmp_path):
    outside = _outside_secret(tmp_path)
    uri = "sqlite:///" + str(tmp_path / "cli" / "runs.db")
    env = {**os.environ, "JUPYTERLAB_RUNS_URI": uri}
    problems = []
    for entry in of_kind("import"):
        folder = _mlruns(tmp_path, entry["value"], outside)
        done = subprocess.run(
            [sys.executable, "-m", "jupyterlab_runs.cli", "import", str(folder)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if "Traceback" in done.stderr or SECRET in done.stdout + done.stderr:
            problems.append(f"{entry['id']}: {done.returncode} {done.stderr[-300:]}")
    store = open_store_at(uri)
    if _imported_secrets(store):
        problems.append(f"imported {_imported_secrets(store)}")
    store.close()
    report(problems)


# -- request bodies --------------------------------------------------------------------------------


async def test_rest_hostile_bodies_are_refused_with_a_message_or_stored(api):
    problems = []
    for entry in of_kind("body"):
        status, data = await api("POST", "runs", raw=body_of(entry, "hostile-body"))
        if not (status_allowed(status, entry["expect"]) and refusal_explained(status, data)):
            problems.append(f"{entry['id']}: {status} {str(data)[:200]}")
    report(problems)


def test_python_api_hostile_values_are_refused_with_a_message_or_stored(tracking):
    store = open_store()
    problems = []
    for entry in of_kind("body"):
        spec = entry["python"]
        try:
            with jr.start_run(experiment="hostile-body") as run:
                if spec["call"] == "log_batch":
                    metrics = [MetricInput(**m) for m in spec["metrics"]]
                    store.log_batch(run.run_id, metrics=metrics)
                else:
                    args = [value_of(entry) if a == "$value" else a for a in spec["args"]]
                    getattr(jr, spec["call"])(*args, **spec.get("kwargs", {}))
            outcome = "stored"
        except InvalidArgument as error:
            outcome = "rejected" if str(error) else "no message"
        expect = entry.get("python_expect", entry["expect"])
        if expect != "any" and outcome != expect:
            problems.append(f"{entry['id']}: {outcome}")
    report(problems)


# -- query strings and URL paths -------------------------------------------------------------------


def _query_path(entry: dict, run_id: str) -> str:
    spec = entry.get("generate") or {}
    if "experiment_ids" in spec:
        return "runs?experiment_ids=" + ",".join(value_of(entry))
    if "page_token_nest" in spec:
        return "runs?page_token=" + value_of(entry)
    return entry["value"].replace("RUN", run_id)


async def test_rest_hostile_queries_are_answered_or_refused_never_5xx(api):
    status, run = await api("POST", "runs", {"experiment_name": "hostile-query"})
    problems = []
    for entry in of_kind("query"):
        status, data = await api("GET", _query_path(entry, run["id"]))
        if not (status_allowed(status, entry["expect"]) and refusal_explained(status, data)):
            problems.append(f"{entry['id']}: {status} {str(data)[:200]}")
    report(problems)


def test_python_api_hostile_queries_are_answered_or_refused(tracking):
    store = open_store()
    problems = []
    for entry in of_kind("query"):
        spec = entry["python"]
        args = [value_of(entry) if a == "$value" else a for a in spec.get("args", [])]
        kwargs = {
            k: value_of(entry) if v == "$value" else v for k, v in spec.get("kwargs", {}).items()
        }
        try:
            getattr(store, spec["call"])(*args, **kwargs)
            outcome = "ok"
        except StoreError as error:
            outcome = "rejected" if str(error) else "no message"
        if entry["expect"] == "rejected" and outcome != "rejected" or outcome == "no message":
            problems.append(f"{entry['id']}: {outcome}")
    report(problems)
