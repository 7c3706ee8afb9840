"""Jupyter server for the Galata tests: loopback only, a fresh root and store per run.

Never use this configuration in production: it disables authentication.
"""

import os
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ.get("JUPYTERLAB_RUNS_UI_PORT", "8899"))  # noqa: F821
# Each server start gets its own root, so the embedded store starts empty.
c.ServerApp.root_dir = os.environ.get(  # noqa: F821
    "JUPYTERLAB_GALATA_ROOT_DIR", mkdtemp(prefix="jupyterlab-runs-ui-")
)
# CI runs as root.
c.ServerApp.allow_root = True  # noqa: F821
