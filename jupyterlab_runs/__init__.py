"""jupyterlab-runs: experiment tracking inside JupyterLab.

One package holds the store, the jupyter_server extension and the IPython extension;
the server and the kernel share the same store code.
"""

try:
    from ._version import __version__
except ImportError:  # pragma: no cover - only outside an install
    import warnings

    warnings.warn("Importing 'jupyterlab_runs' outside a proper installation.", stacklevel=2)
    __version__ = "dev"


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-runs"}]


def _jupyter_server_extension_points():
    from .server.app import JupyterLabRuns

    return [{"module": "jupyterlab_runs", "app": JupyterLabRuns}]


def load_ipython_extension(ipython):
    """``%load_ext jupyterlab_runs``: register the magics in this IPython shell."""
    from .kernel.extension import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython):
    """``%unload_ext jupyterlab_runs``: flush buffered metrics and drop the hooks."""
    from .kernel.extension import unload_ipython_extension as unload

    unload(ipython)
