"""The offline outbox end to end: a real MLflow server stopped and started again (same port,
same database), a real Jupyter server killed (-9) and restarted, real kernels killed.

Runs are logged while MLflow is down through POST runs (Log run) and from kernels
(``%%track`` and the Python API); after every restart they are still waiting; once MLflow is
back the Jupyter server's delivery thread sends them: each arrives once, in the order it was
logged, with its params and metrics, and the panel's feed says so.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("mlflow", reason="the outbox tests need a real `mlflow server`")

DELIVERY_TIMEOUT = 60  # seconds: the server's backoff is at most 10 s between attempts


def send(method: str, url: str, body: object = None) -> tuple[int, dict]:
    """One authenticated JSON request: (status, payload), HTTP errors included."""
    from server_crash import TOKEN

    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {TOKEN}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def tracking_server(root, port, uri):
    """server_crash's Jupyter server with the MLflow tracking URI in its config."""
    from server_crash import Server

    class TrackingServer(Server):
        ready_path = "sync"  # changes need MLflow, which may be down

        def config(self):
            path = super().config()
            path.write_text(path.read_text() + f"c.JupyterLabRuns.tracking_uri = {uri!r}\n")
            return path

    return TrackingServer(root, port)


def run_in_kernel(env, root, cells: list[str]) -> str:
    """Run cells in a new kernel, then kill it (-9); what the cells printed."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(root))
    printed: list[str] = []

    def keep(message):
        content = message["content"]
        printed.append(content.get("text") or content.get("data", {}).get("text/plain", ""))

    try:
        for cell in cells:
            reply = client.execute_interactive(cell, timeout=60, output_hook=keep)
            assert reply["content"]["status"] == "ok", (cell, reply["content"])
    finally:
        client.stop_channels()
        manager.signal_kernel(signal.SIGKILL)
        manager.shutdown_kernel(now=True)
    return "".join(printed)


def test_runs_logged_while_mlflow_is_down_survive_restarts_and_arrive_once_in_order(
    tmp_path, monkeypatch
):
    from kernel_support import kernel_env
    from mlflow_fixtures import MlflowProcess, free_port

    from jupyterlab_runs.store.mlflow.store import MlflowStore

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    (tmp_path / "mlflow").mkdir()
    (tmp_path / "root").mkdir()
    mlflow = MlflowProcess(tmp_path / "mlflow")
    uri = f"http://alice:s3cret@127.0.0.1:{mlflow.port}"
    server = tracking_server(tmp_path / "root", free_port(), uri)
    env = kernel_env(JUPYTERLAB_RUNS_URI=uri, JUPYTERLAB_RUNS_NOTEBOOK="offline.ipynb")
    load = "%load_ext jupyterlab_runs\n%runs experiment offline"
    track = "%%track\norder = {}\nprint('acc: 0.75')\n"
    try:
        mlflow.start()
        server.start()
        status, experiment = send(
            "POST", f"{server.base}/experiments", {"name": "offline", "get_or_create": True}
        )
        assert status == 200
        mlflow.stop()

        # Log run while MLflow is down: 202, no version yet, an id the other routes take.
        body = {
            "experiment_name": "offline",
            "params": [{"key": "order", "value": 1}],
            "tags": {"team": "vision"},
        }
        status, first = send("POST", f"{server.base}/runs", body)
        assert (status, first["version"], first["pending"]) == (202, None, True)
        assert first["experiment_id"] == experiment["id"]
        status, noted = send("PATCH", f"{server.base}/runs/{first['id']}", {"note": "later"})
        assert (status, noted["note"], noted["pending"]) == (200, "later", True)
        status, shown = send("GET", f"{server.base}/runs/{first['id']}")
        assert (status, shown["version"], shown["pending"]) == (200, None, True)

        # A kernel logs with %%track and the Python API, and is killed.
        printed = run_in_kernel(
            env,
            tmp_path / "root",
            [
                load,
                track.format(2),
                "import jupyterlab_runs as jr\nwith jr.start_run(experiment='offline'):\n"
                "    jr.log_param('order', 3)\n    jr.log_metric('loss', 0.5, step=1)\n"
                "    jr.log_metric('loss', 0.25, step=2)",
            ],
        )
        assert "Logged run v? · waiting to sync" in printed
        body["params"] = [{"key": "order", "value": 4}]
        assert send("POST", f"{server.base}/runs", body)[0] == 202

        # The Jupyter server is killed and restarted; a new kernel logs one more run.
        server.kill()
        server.start()
        status, sync = send("GET", f"{server.base}/sync")
        assert (status, sync["enabled"], sync["pending"], len(sync["runs"])) == (200, True, 4, 4)
        assert {run["version"] for run in sync["runs"]} == {None}
        assert sync["runs"][-1]["id"] == first["id"]  # newest first
        assert "s3cret" not in sync["last_error"] and "***@127.0.0.1" in sync["last_error"]
        run_in_kernel(env, tmp_path / "root", [load, track.format(5)])
        assert send("GET", f"{server.base}/sync")[1]["pending"] == 5

        # MLflow is back on the same port and database: the server's thread delivers.
        mlflow.start()
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while (sync := send("GET", f"{server.base}/sync")[1])["pending"]:
            assert time.monotonic() < deadline, sync
            time.sleep(0.5)
        assert sync["last_delivered_at"] is not None and sync["runs"] == []

        store = MlflowStore(mlflow.url)
        runs = sorted(
            store.search_runs([experiment["id"]], view="all").items, key=lambda r: r.version
        )
        assert [(r.version, r.params["order"].value) for r in runs] == [
            (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5"),
        ]  # fmt: skip
        assert runs[0].note == "later"
        assert runs[0].tags == runs[3].tags == {"team": "vision"}
        assert runs[1].metrics["acc"].value == 0.75
        assert runs[2].status == "FINISHED"
        assert [p.value for p in store.metric_history(runs[2].id, "loss")] == [0.5, 0.25]
        status, delivered = send("GET", f"{server.base}/runs/{first['id']}")
        assert (status, delivered["version"], "pending" in delivered) == (200, 1, False)
        status, feed = send("GET", f"{server.base}/changes?since=0")
        created = {c["id"] for c in feed["changes"] if c["op"] == "created"}
        assert {r.id for r in runs} <= created
    finally:
        server.kill()
        server.stop()
        mlflow.stop()
