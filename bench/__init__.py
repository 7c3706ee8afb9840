"""Benchmarks of jupyterlab-runs beside MLflow; ``python -m bench`` runs them all."""
