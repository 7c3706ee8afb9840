"""MLflow's plugin API onto our store: ``jupyterlab-runs:`` tracking and artifact URIs.

Registered in pyproject.toml as the ``mlflow.tracking_store`` and
``mlflow.artifact_repository`` entry points, so plain ``mlflow`` code, ``mlflow.autolog()``,
``mlflow server --backend-store-uri jupyterlab-runs:///abs/runs.db`` and ``mlflow ui`` read and
write the embedded store the Runs panel shows. Needs the ``[mlflow]`` extra; importing this
package does not import MLflow (the kernel registers its cell hooks through ``binding``).
"""
