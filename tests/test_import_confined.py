"""The importer reads nothing outside the folder it is given and sends no request: artifact
locations elsewhere, symbolic links out of the folder (files, folders, a whole run) and
remote URIs (one with credentials, which the report must not show)."""

from __future__ import annotations

import http.server
import threading

import pytest
from mlruns_layout import runs_by_name, write_experiment, write_run

transfer = pytest.importorskip("jupyterlab_runs.store.transfer")


class Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request; an import must send none."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()

    do_HEAD = do_POST = do_PUT = do_GET

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def listening():
    """A real HTTP server on 127.0.0.1 that records the requests it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.seen = []
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_nothing_outside_the_folder_is_read_or_requested(tmp_path, store, listening):
    e, f, g, h, j = (c * 32 for c in "ef987")
    outside = tmp_path / "outside"
    (outside / "1" / e / "artifacts").mkdir(parents=True)
    secret = outside / "secret.txt"
    secret.write_text("SECRET")
    (outside / "1" / e / "artifacts" / "loot.txt").write_text("SECRET")
    root = tmp_path / "mlruns"
    experiment = write_experiment(root, "1", "confined")
    # An artifact location elsewhere on this machine, with nothing beside the run.
    uri = (outside / "1" / e / "artifacts").as_uri()
    (write_run(experiment, e, 1000, artifact_uri=uri) / "artifacts").rmdir()
    # Links out of the folder among the run's files.
    linked = write_run(experiment, f, 2000, artifacts={"ok.txt": "ok"}, params={"p": "1"})
    (linked / "artifacts" / "leak.txt").symlink_to(secret)
    (linked / "artifacts" / "leakdir").symlink_to(outside)
    (linked / "params" / "stolen").symlink_to(secret)
    # Remote locations, one with credentials in it.
    remote = {
        g: f"http://alice:hunter2@{listening}/1/{g}/a?t=x",
        h: f"s3://bucket/mlruns/1/{h}/artifacts",
    }
    for start, (run_id, uri) in enumerate(remote.items(), 3):
        (write_run(experiment, run_id, start * 1000, artifact_uri=uri) / "artifacts").rmdir()
    # A whole run folder that is a link to a run outside.
    elsewhere = write_run(outside, j, 5000, params={"p": "SECRET"})
    (experiment / j).symlink_to(elsewhere)

    report = transfer.import_runs(str(root), store)
    assert (report.runs, report.artifacts, report.left_out) == (4, 1, 0)
    assert Recorder.seen == []
    resolved = root.resolve()
    out = f"is a symbolic link that leads out of {resolved}; skipped"
    assert sorted(report.problems) == sorted([
        f"run {e}: artifacts at {outside / '1' / e / 'artifacts'} not imported: "
        f"it is outside {resolved}",
        f"run {f}: params/stolen {out}",
        f"run {f}: artifacts/leak.txt {out}",
        f"run {f}: artifacts/leakdir {out}",
        f"run {g}: artifacts at http://***@{listening}/1/{g}/a not imported: a remote location "
        f"(the import reads only files inside {resolved} and sends no request)",
        f"run {h}: artifacts at s3://bucket/mlruns/1/{h}/artifacts not imported: a remote "
        f"location (the import reads only files inside {resolved} and sends no request)",
        f"{resolved / '1' / j} {out}",
    ])  # fmt: skip
    assert not any(secret in str(report) for secret in ("alice", "hunter2", "t=x"))
    for run in runs_by_name(store, "confined").values():
        values = [*(p.value for p in run.params.values()), *run.tags.values()]
        values += [store.read_artifact(run.id, a.path) for a in store.list_artifacts(run.id)]
        assert not any("SECRET" in str(value) for value in values)
