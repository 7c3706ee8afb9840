"""Run artifacts through the tracking server's artifact proxy (``mlflow-artifacts:`` URIs).

A server started with ``--serve-artifacts`` (the default since MLflow 2) gives new runs an
``mlflow-artifacts:/<experiment>/<run>/artifacts`` URI and stores the files wherever its
``--artifacts-destination`` says; we upload, list and download through
``/api/2.0/mlflow-artifacts/artifacts/…`` and ``/api/2.0/mlflow/artifacts/list``. MLflow keeps
no checksums, so listed artifacts carry an empty sha256 (``log_artifact`` returns the real one).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from ..artifact_files import check_artifact_path, media_type_of
from ..base import Artifact, StoreUnavailable
from .rest import RestClient

# Files that hold run fields (code, context): shown as fields, so not listed as artifacts.
INTERNAL_FOLDER = "jupyterlab_runs/"


def proxy_location(artifact_uri: str, path: str) -> str:
    """Where ``path`` of a run with this artifact root lives behind the artifact proxy."""
    parts = urlsplit(artifact_uri)
    if parts.scheme != "mlflow-artifacts":
        raise StoreUnavailable(
            f"the run's artifacts live at {artifact_uri!r}, which the tracking server does not "
            "proxy; start it with --serve-artifacts (and --artifacts-destination) so "
            "jupyterlab-runs can store and read files through it"
        )
    return f"{parts.path.strip('/')}/{check_artifact_path(path)}"


def upload(
    rest: RestClient, artifact_uri: str, path: str, data: bytes, media_type: str | None
) -> Artifact:
    """Store ``data`` as ``path`` under the run."""
    rest.put_artifact(proxy_location(artifact_uri, path), data)
    media_type = media_type or media_type_of(path)
    return Artifact(path, len(data), hashlib.sha256(data).hexdigest(), media_type)


def download(rest: RestClient, artifact_uri: str, path: str) -> bytes:
    """The bytes of one artifact (``NotFound`` if absent)."""
    return rest.get_artifact(proxy_location(artifact_uri, path))


def listing(rest: RestClient, run_id: str) -> list[Artifact]:
    """Every file of the run (folders walked), by path, without our internal folder."""
    found, folders = [], [""]
    while folders:
        folder = folders.pop()
        query = {"run_id": run_id, **({"path": folder} if folder else {})}
        while True:
            reply = rest.get("artifacts/list", **query)
            for item in reply.get("files", []):
                if item.get("is_dir"):
                    folders.append(item["path"])
                else:
                    size = int(item.get("file_size", 0))
                    found.append(Artifact(item["path"], size, "", media_type_of(item["path"])))
            if not reply.get("next_page_token"):
                break
            query["page_token"] = reply["next_page_token"]
    return sorted(
        (a for a in found if not a.path.startswith(INTERNAL_FOLDER)), key=lambda a: a.path
    )
