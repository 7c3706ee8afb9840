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


# The Python API (``import jupyterlab_runs as jr; jr.log_metric(...)``), imported on first use
# so that importing the package stays cheap for the server and for untracked kernels.
_API = {
    "start_run": "kernel.api",
    "end_run": "kernel.api",
    "active_run": "kernel.api",
    "set_experiment": "kernel.api",
    "log_param": "kernel.api",
    "log_params": "kernel.api",
    "log_metric": "kernel.api",
    "log_metrics": "kernel.api",
    "set_tag": "kernel.api",
    "set_tags": "kernel.api",
    "log_artifact": "kernel.api",
    "search_runs": "kernel.api",
    "get_run": "kernel.api",
    "log_model": "kernel.models",
    "load_model": "kernel.models",
    "trust_model": "kernel.models",
}

__all__ = ["__version__", *_API]


def __getattr__(name):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_API})
