"""Crash trials: ``kill -9`` a real Jupyter server while HTTP clients post and edit runs.

Each trial starts writers against the server, kills it at a random moment, starts it
again on the same port and root, and checks that every write that got a 2xx reply is
there, that versions stay gapless, that SQLite's ``integrity_check`` is ok, and that the
runs the dead server left RUNNING are KILLED. CI runs a few trials (tests/test_server_crash.py);
the soak runs many: ``.venv/bin/python tests/server_crash.py --trials 100``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = "crash-trials-token"
WRITERS = 3
EXPERIMENT = "crash-trials"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A ``jupyter server`` subprocess with only jupyterlab_runs, on loopback, killable."""

    ready_path = "changes?since=0"  # answered once the server is up (the store open)

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.base = f"http://127.0.0.1:{port}/jupyterlab-runs/api"
        self.proc: subprocess.Popen | None = None
        self.log = open(root.parent / "server.log", "ab")  # noqa: SIM115 - closed in close()

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until the REST API answers."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERLAB_RUNS_")}
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={self.root}",
                f"--IdentityProvider.token={TOKEN}",
                "--ServerApp.open_browser=False",
                "--ServerApp.allow_root=True",
                f"--config={self.config()}",
            ],
            stdout=self.log,
            stderr=self.log,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                request("GET", f"{self.base}/{self.ready_path}", timeout=2)
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("the server did not answer")

    def config(self) -> Path:
        """A config file that loads only our extension (faster restarts, nothing else runs)."""
        path = self.root.parent / "crash_server_config.py"
        extensions = dict.fromkeys(
            ["jupyterlab", "notebook", "jupyter_lsp", "jupyter_server_terminals", "notebook_shim"],
            False,
        )
        extensions["jupyterlab_runs"] = True
        path.write_text(f"c.ServerApp.jpserver_extensions = {extensions!r}\n")
        return path

    def kill(self) -> None:
        """``kill -9`` the server and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def stop(self) -> None:
        """Stop the server politely (SIGTERM), then reap it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def request(method: str, url: str, body: object = None, timeout: float = 10.0) -> object:
    """One authenticated JSON request; HTTP errors raise, connection errors raise OSError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"token {TOKEN}")
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as reply:
        payload = reply.read()
    return json.loads(payload) if payload else None


@dataclass
class Acked:
    """What the server acknowledged (2xx) during one trial."""

    runs: dict[str, dict] = field(default_factory=dict)  # id -> run as posted and answered
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> tags patched
    running: set[str] = field(default_factory=set)  # posted RUNNING
    errors: list[str] = field(default_factory=list)  # replies that were neither 2xx nor 4xx
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(base: str, trial: int, number: int, acked: Acked, stop: threading.Event) -> None:
    """Post runs and patch them until the server dies."""
    rng = random.Random(trial * 100 + number)
    count = 0
    while not stop.is_set():
        count += 1
        status = "RUNNING" if rng.random() < 0.3 else "FINISHED"
        body = {
            "experiment_name": EXPERIMENT,
            "status": status,
            "source": "api",
            "params": [{"key": "writer", "value": f"{trial}-{number}-{count}", "type": "str"}],
            "metrics": [{"key": "loss", "value": rng.random(), "step": count}],
        }
        try:
            run = request("POST", f"{base}/runs", body)
            with acked.lock:
                acked.runs[run["id"]] = run
                if status == "RUNNING":
                    acked.running.add(run["id"])
            tag = {f"t{count}": f"{trial}-{number}"}
            request("PATCH", f"{base}/runs/{run['id']}", {"set_tags": tag, "note": "edited"})
            with acked.lock:
                acked.tags.setdefault(run["id"], {}).update(tag)
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                acked.errors.append(f"{error.code} {error.read()[:200]!r}")
            return
        except (OSError, ValueError):
            return  # the server died mid-request: that write was never acknowledged


def all_runs(base: str) -> list[dict]:
    """Every run the server lists, page by page."""
    runs, token = [], ""
    while True:
        url = f"{base}/runs?fields=summary&view=all&max_results=1000"
        page = request("GET", url + (f"&page_token={urllib.parse.quote(token)}" if token else ""))
        runs.extend(page["runs"])
        token = page.get("next_page_token")
        if not token:
            return runs


def _values(run: dict) -> dict[str, tuple[str, str]]:
    return {key: (p["value"], p["type"]) for key, p in run["params"].items()}


def check(server: Server, acked: Acked) -> dict[str, int]:
    """Everything acknowledged is there; returns counts (runs, patches, killed, lost)."""
    stored = {run["id"]: run for run in all_runs(server.base)}
    lost = [run_id for run_id in acked.runs if run_id not in stored]
    for run_id, posted in acked.runs.items():
        run = stored.get(run_id)
        if run is None:
            continue
        # A summary leaves out a param's default source: compare values and types.
        if run["version"] != posted["version"] or _values(run) != _values(posted):
            lost.append(run_id)
        missing = set(acked.tags.get(run_id, {}).items()) - set(run["tags"].items())
        if missing:
            lost.append(run_id)
    by_experiment: dict[str, list[int]] = {}
    for run in stored.values():
        by_experiment.setdefault(run["experiment_id"], []).append(run["version"])
    for versions in by_experiment.values():
        assert sorted(versions) == list(range(1, len(versions) + 1)), "versions have gaps"
    still_running = [r for r in acked.running if stored.get(r, {}).get("status") != "KILLED"]
    assert not still_running, f"runs of the dead server not KILLED: {still_running[:3]}"
    assert not lost, f"acknowledged writes lost: {lost[:5]}"
    assert not acked.errors, f"5xx replies: {acked.errors[:3]}"
    return {
        "runs": len(acked.runs),
        "patches": sum(len(t) for t in acked.tags.values()),
        "killed": len(acked.running),
        "lost": len(lost),
    }


def integrity(db: Path) -> str:
    """SQLite's own verdict on the file (read-only, beside the running server)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def run_trials(root: Path, trials: int, seed: int = 0) -> dict[str, int]:
    """Run ``trials`` kill -9 trials on one server root; returns totals of what was checked."""
    rng = random.Random(seed)
    server = Server(root, free_port())
    totals = {"trials": 0, "runs": 0, "patches": 0, "killed": 0, "lost": 0}
    server.start()
    try:
        for trial in range(trials):
            acked, stop = Acked(), threading.Event()
            threads = [
                threading.Thread(target=writer, args=(server.base, trial, n, acked, stop))
                for n in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(0.2, 1.2))  # a random moment in the middle of writes
            server.kill()
            stop.set()
            for thread in threads:
                thread.join()
            server.start()
            counts = check(server, acked)
            verdict = integrity(root / ".jupyterlab-runs" / "runs.db")
            assert verdict == "ok", f"integrity_check: {verdict}"
            totals["trials"] += 1
            for key, value in counts.items():
                totals[key] += value
    finally:
        server.kill()
        server.stop()
    return totals


def main() -> None:
    """The soak command: ``python tests/server_crash.py --trials 100``."""
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jupyterlab-runs-crash-") as folder:
        root = Path(folder) / "root"
        root.mkdir()
        started = time.monotonic()
        totals = run_trials(root, args.trials, args.seed)
    print(
        f"server kill -9: {totals['trials']} trials, {totals['runs']} acknowledged runs, "
        f"{totals['patches']} acknowledged edits, {totals['killed']} RUNNING runs now KILLED, "
        f"integrity_check ok, lost: {totals['lost']} ({time.monotonic() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
