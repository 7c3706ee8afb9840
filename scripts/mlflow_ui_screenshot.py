"""MLflow's own UI over the embedded store, screenshotted in Chromium (docs/screenshots).

Logs four primer-style runs with plain ``mlflow`` code into a fresh store through the
``jupyterlab-runs:`` plugin, serves it with ``mlflow server --backend-store-uri …`` on
127.0.0.1 and captures the experiment's runs table: ``python scripts/mlflow_ui_screenshot.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots" / "mlflow-ui.png"


def log_runs(uri: str) -> str:
    """Four versions of a random forest on iris, as the MLflow primer logs them."""
    import mlflow
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    mlflow.set_tracking_uri(uri)
    experiment = mlflow.set_experiment("retrain.ipynb")
    X_train, X_test, y_train, y_test = train_test_split(
        *load_iris(return_X_y=True), test_size=0.4, random_state=0
    )
    for n_estimators, max_depth in ((10, 2), (50, 3), (100, 4), (200, None)):
        with mlflow.start_run():
            rf = RandomForestClassifier(
                n_estimators=n_estimators, max_depth=max_depth, random_state=0
            ).fit(X_train, y_train)
            mlflow.log_params({"n_estimators": n_estimators, "max_depth": max_depth})
            mlflow.log_metric("accuracy", accuracy_score(y_test, rf.predict(X_test)))
    return experiment.experiment_id


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    """Log, serve, capture, stop."""
    with tempfile.TemporaryDirectory() as folder:
        uri = f"jupyterlab-runs://{folder}/runs.db"
        experiment_id = log_runs(uri)
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlflow",
                "server",
                "--backend-store-uri",
                uri,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(base + "/health", timeout=5)
                    break
                except OSError:
                    time.sleep(1)
            url = f"{base}/#/experiments/{experiment_id}/runs"
            subprocess.run(
                ["node", str(ROOT / "scripts" / "mlflow-ui-screenshot.js"), url, str(OUT)],
                check=True,
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
