"""Runs logged by plain MLflow code through its fluent API, the way the primer does it:
``python write_mlflow_runs.py EXPERIMENT TRACKING_URI…`` writes one experiment to each store
(a training run with params, stepped metrics, a text file and an sklearn model logged with
``mlflow.sklearn.log_model``, and a nested child run). Run in a child process, so MLflow's
global state (tracking URI, active experiment) never leaks into other tests."""

from __future__ import annotations

import sys

import mlflow
import mlflow.sklearn
from sklearn.linear_model import LogisticRegression


def write(uri: str, experiment: str) -> None:
    """One primer experiment into the store at ``uri``."""
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)
    with mlflow.start_run(run_name="train"):
        mlflow.log_params({"C": 0.5, "max_iter": 200})
        for step, accuracy in enumerate([0.8, 0.81, 0.82]):
            mlflow.log_metric("accuracy", accuracy, step=step)
        model = LogisticRegression(C=0.5, max_iter=200).fit([[0.0], [1.0], [2.0]], [0, 1, 1])
        # Given requirements skip MLflow's inference, which loads the model in a subprocess.
        mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
        mlflow.log_text("trained on three points", "notes/readme.txt")
        with mlflow.start_run(run_name="child", nested=True):
            mlflow.log_metric("loss", 0.25)


if __name__ == "__main__":
    for tracking_uri in sys.argv[2:]:
        write(tracking_uri, sys.argv[1])
