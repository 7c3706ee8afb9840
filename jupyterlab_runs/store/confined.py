"""Files inside one folder only: what an import reads never leaves the folder it was given.

MLflow records where a run's artifacts are as a URI (``artifact_uri``), usually an absolute
path on the machine that logged them. A folder moved elsewhere keeps those files beside each
run, so a location that is not inside the folder is looked for again inside it by its tail
(``…/<experiment>/<run>/artifacts``). What stays outside — another absolute path, a symbolic
link that leads out, a remote URI (``http(s)://``, ``s3://``, ``mlflow-artifacts:``) — is never
opened and never requested; each one is reported instead.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .artifact_files import check_artifact_path
from .base import Artifact, InvalidArgument, NotFound
from .redact import redact

# Where MLflow puts artifacts beside a database: the client's ./mlruns, the server's ./mlartifacts.
_ARTIFACT_FOLDERS = ("mlruns", "mlartifacts")


def shown(uri: str) -> str:
    """``uri`` for a report: credentials masked (``redact``), query and fragment (where a
    token or signature may sit) left out."""
    return redact(uri.split("#", 1)[0].split("?", 1)[0])


class Folder:
    """The folder an import was given; reads through it stay inside it."""

    def __init__(self, root: Path, problems: list[str]):
        self.root = root.resolve()
        self.problems = problems

    def inside(self, path: Path) -> Path | None:
        """``path`` with its links resolved, when it exists and is inside the folder."""
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a loop of links
            return None
        return resolved if resolved.is_relative_to(self.root) else None

    def why_not(self, path: Path) -> str:
        """Why ``inside(path)`` gave nothing, in words for a report."""
        if not os.path.lexists(path):
            return "is missing"
        if path.is_symlink() and not path.exists():
            return "is a broken symbolic link"
        if path.is_symlink():
            return f"is a symbolic link that leads out of {self.root}"
        return f"is outside {self.root}"

    def read(self, path: Path) -> bytes:
        """The bytes of a file inside the folder (OSError when it cannot be read)."""
        resolved = self.inside(path)
        if resolved is None:
            raise PermissionError(f"{path} {self.why_not(path)}")
        return resolved.read_bytes()

    def files(self, top: Path, where: str, named: str = "") -> dict[str, Path]:
        """Regular files under ``top`` by relative POSIX path; links out of the folder, broken
        links and unreadable folders are reported (``where``, then ``named`` + the path) and
        left out."""
        found: dict[str, Path] = {}
        seen: set[Path] = set()
        pending = [(top, "")]
        while pending:
            directory, prefix = pending.pop()
            if directory in seen:  # a link back to a folder already read
                continue
            seen.add(directory)
            try:
                entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
            except OSError as error:
                self.problems.append(f"{where}: cannot read {named}{prefix} ({error.strerror})")
                continue
            for entry in entries:
                relative, path = prefix + entry.name, Path(entry.path)
                target = self.inside(path)
                if target is None:
                    problem = f"{named}{relative} {self.why_not(path)}"
                    self.problems.append(f"{where}: {problem}; skipped")
                elif target.is_dir():
                    pending.append((target, relative + "/"))
                elif target.is_file():
                    found[relative] = target
        return found

    def locate(self, uri: str, key: str, where: str) -> Path | None:
        """The directory inside the folder that holds what MLflow recorded at ``uri``: the
        recorded place, or the same tail from ``key`` on (``<run id>/artifacts``) found again
        inside the folder; else None, reported when the files are elsewhere."""
        parts = urlsplit(uri)
        local = parts.scheme in ("", "file")
        path = PurePosixPath(unquote(parts.path))
        if local and (found := self.inside(Path(path))) and found.is_dir():
            return found
        names = path.parts[1:] if path.is_absolute() else path.parts
        # The key must not end the tail: ``<run id>`` alone would be the run's own folder.
        if key in names[:-1]:
            last = len(names) - 2 - names[-2::-1].index(key)
            bases = [self.root, *(self.root / name for name in _ARTIFACT_FOLDERS)]
            for start in range(last + 1):
                for base in bases:
                    found = self.inside(base.joinpath(*names[start:]))
                    if found is not None and found.is_dir():
                        return found
        if not local:
            self.problems.append(
                f"{where}: artifacts at {shown(uri)} not imported: a remote location "
                f"(the import reads only files inside {self.root} and sends no request)"
            )
        elif os.path.lexists(path):
            self.problems.append(
                f"{where}: artifacts at {path} not imported: it {self.why_not(Path(path))}"
            )
        return None


class LocalArtifacts:
    """Each run's artifact files found inside the folder — its own and its logged models' —
    by artifact path."""

    def __init__(self, folder: Folder):
        self.folder = folder
        self._files: dict[str, dict[str, Path]] = {}

    def add_run(self, run_id: str, uri: str) -> None:
        """The files of the run's artifact location (call before ``add_model``)."""
        where = f"run {run_id}"
        directory = self.folder.locate(uri, run_id, where)
        if directory is not None:
            found = self.folder.files(directory, where, "artifacts/")
            self._files.setdefault(run_id, {}).update(found)

    def add_model(self, run_id: str, model_id: str, name: str, uri: str) -> str | None:
        """Put a logged model's files under the run, at ``<name>/`` as MLflow 1.x and 2.x kept
        them (so ``runs:/<run>/<name>`` paths stay the same), or ``models/<model id>/`` when
        the run already has a folder of that name; returns that folder (None: no files)."""
        where = f"run {run_id}: model {model_id}"
        directory = self.folder.locate(uri, model_id, where)
        if directory is None:
            return None
        files = self._files.setdefault(run_id, {})
        prefix = f"models/{model_id}"
        try:
            if not any(p.startswith(check_artifact_path(name) + "/") for p in files):
                prefix = name
        except InvalidArgument:
            pass  # a name that is no artifact path keeps the model id's folder
        found = self.folder.files(directory, where, "artifacts/")
        files.update({f"{prefix}/{path}": file for path, file in found.items()})
        return prefix

    def artifacts(self, run_id: str) -> list[Artifact]:
        """The run's files as artifacts (size from the file system)."""
        listed = []
        for path, file in sorted(self._files.get(run_id, {}).items()):
            try:
                listed.append(Artifact(path, file.stat().st_size, "", ""))
            except OSError as error:
                self.folder.problems.append(f"run {run_id}: {path} ({error.strerror}); skipped")
        return listed

    def read(self, run_id: str, path: str) -> bytes:
        """The bytes of one of the run's files."""
        file = self._files.get(run_id, {}).get(path)
        if file is None:
            raise NotFound(f"run {run_id} has no artifact {path!r} in {self.folder.root}")
        return self.folder.read(file)
