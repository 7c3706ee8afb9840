"""The same MLflow calls through our store (``jupyterlab-runs:`` plugin) and MLflow's own
SQLite store, on one machine, in one process: median wall time of each case after a warm-up.

Cases: 100 ``mlflow.log_metric`` calls in a run; one ``log_batch`` of 100 params + 100
metrics; an autologged scikit-learn RandomForest fit (params, metrics, model, dataset).
Each backend writes to a fresh file in a temporary directory.

    python bench/bench_mlflow_dropin.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def log_metrics_100(mlflow) -> float:
    """100 synchronous ``log_metric`` calls, run start and end included."""
    start = time.perf_counter()
    with mlflow.start_run():
        for step in range(100):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    return time.perf_counter() - start


def log_batch_200(mlflow) -> float:
    """One ``log_batch`` of 100 params and 100 metrics, run start and end included."""
    from mlflow.entities import Metric, Param

    client = mlflow.MlflowClient()
    now = int(time.time() * 1000)
    start = time.perf_counter()
    with mlflow.start_run() as run:
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(f"m{i}", i / 100, now, 0) for i in range(100)],
            params=[Param(f"p{i}", str(i)) for i in range(100)],
        )
    return time.perf_counter() - start


def autolog_fit(mlflow, log_models: bool = True) -> float:
    """``mlflow.sklearn.autolog()`` around a RandomForest fit on iris. Logging the model
    spends most of its time in MLflow's requirements inference (a subprocess), the same
    for both stores; without it the row shows the tracking calls themselves."""
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier

    X, y = load_iris(return_X_y=True)
    mlflow.sklearn.autolog(serialization_format="cloudpickle", silent=True, log_models=log_models)
    try:
        start = time.perf_counter()
        RandomForestClassifier(n_estimators=20, max_depth=4, random_state=0).fit(X, y)
        return time.perf_counter() - start
    finally:
        mlflow.sklearn.autolog(disable=True)


CASES = [
    ("100 × log_metric", log_metrics_100),
    ("log_batch 100 params + 100 metrics", log_batch_200),
    ("autologged RandomForest fit", autolog_fit),
    ("  the same, log_models=False", lambda mlflow: autolog_fit(mlflow, log_models=False)),
]


def measure(mlflow, uris: list[str], repeats: int) -> list[list[float]]:
    """Median seconds per case and backend; backends alternate within each repeat so a
    change of machine load weighs on both alike."""
    experiments = {}
    for uri in uris:
        mlflow.set_tracking_uri(uri)
        experiments[uri] = mlflow.set_experiment("bench").experiment_id
    medians = []
    for _, case in CASES:
        times: dict[str, list[float]] = {uri: [] for uri in uris}
        for round_ in range(repeats + 1):
            for uri in uris:
                mlflow.set_tracking_uri(uri)
                mlflow.set_experiment(experiment_id=experiments[uri])
                elapsed = case(mlflow)
                if round_:  # the first round warms up schema, imports and caches
                    times[uri].append(elapsed)
        medians.append([statistics.median(times[uri]) for uri in uris])
    return medians


def main() -> None:
    """Run every case on both backends and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats per case")
    repeats = parser.parse_args().repeats
    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "ERROR")
    import mlflow

    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # MLflow's SQLite store puts artifacts under ./mlruns
        uris = [f"jupyterlab-runs://{folder}/runs.db", f"sqlite:///{folder}/mlflow.db"]
        medians = measure(mlflow, uris, repeats)
    print(f"median of {repeats} after a warm-up, ms")
    print(f"{'case':<36} {'jupyterlab-runs':>16} {'MLflow SQLite':>14} {'ratio':>6}")
    for (label, _), (ours, theirs) in zip(CASES, medians, strict=True):
        print(f"{label:<36} {ours * 1000:>16.1f} {theirs * 1000:>14.1f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
