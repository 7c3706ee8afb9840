"""The MLflow backend: the store contract over an MLflow tracking server (see ``store``)."""
