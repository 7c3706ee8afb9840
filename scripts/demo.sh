#!/usr/bin/env bash
# Install jupyterlab-runs from this checkout (the wheel builds and ships the prebuilt front
# end) into .venv-demo, then open the demo notebook in JupyterLab. Runs go to the embedded
# store examples/.jupyterlab-runs/runs.db; nothing else to set up.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-demo/bin/python ] || python3 -m venv .venv-demo
.venv-demo/bin/pip install -q --upgrade pip
.venv-demo/bin/pip install -q -c constraints.txt ".[demo]"
# Defaults of the demo's own JupyterLab (its venv's overrides.d), never the user's settings:
# no "get notified about official Jupyter news?" question over the demo's first toast.
install -D -m 644 scripts/demo_settings.json \
  .venv-demo/share/jupyter/lab/settings/overrides.d/jupyterlab-runs-demo.json
cd examples
# jupyter_server refuses to run as root unless told so (containers often are root).
[ "$(id -u)" != 0 ] || set -- --allow-root "$@"
exec ../.venv-demo/bin/jupyter lab --ServerApp.ip=127.0.0.1 retrain.ipynb "$@"
