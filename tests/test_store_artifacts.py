"""Artifacts: stored beside the database, checksummed, typed, and confined to their run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from jupyterlab_runs.store import InvalidArgument, NewRun, NotFound


@pytest.fixture
def run(store, experiment):
    return store.create_run(NewRun(experiment.id))


def test_artifacts_are_files_under_the_run_with_checksum_and_media_type(store, run):
    data = b'{"a": 1}'
    artifact = store.log_artifact(run.id, "model/meta.json", data)
    assert artifact.size == len(data) and artifact.sha256 == hashlib.sha256(data).hexdigest()
    assert artifact.media_type == "application/json"
    on_disk = store.artifact_root / run.id / "model" / "meta.json"
    assert on_disk.read_bytes() == data
    assert store.artifact_root == Path(store.db.path).parent / "artifacts"
    assert store.read_artifact(run.id, "model/meta.json") == data
    store.log_artifact(run.id, "model.pkl", b"\x80\x04", media_type="application/x-pickle")
    store.log_artifact(run.id, "weird.zzz-unknown", b"?")
    listed = {a.path: a.media_type for a in store.list_artifacts(run.id)}
    assert listed == {
        "model.pkl": "application/x-pickle",
        "model/meta.json": "application/json",
        "weird.zzz-unknown": "application/octet-stream",
    }


def test_logging_the_same_path_again_replaces_the_file(store, run):
    store.log_artifact(run.id, "a.txt", b"one")
    second = store.log_artifact(run.id, "a.txt", b"second")
    assert store.read_artifact(run.id, "a.txt") == b"second"
    assert store.list_artifacts(run.id) == [second]
    assert [p.name for p in (store.artifact_root / run.id).iterdir()] == ["a.txt"]


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        "a//b",
        "a/",
        "C:/x",
        "a\\b",
        "a\x00b",
        "..",
        ".",
        5,
        None,
    ],
)
def test_unconfined_paths_are_refused(store, run, path):
    with pytest.raises(InvalidArgument, match="artifact path"):
        store.log_artifact(run.id, path, b"x")
    with pytest.raises(InvalidArgument, match="artifact path"):
        store.read_artifact(run.id, path)


@pytest.mark.parametrize("run_id", ["..", "../x", "a/b", ""])
def test_a_run_id_cannot_move_the_artifact_folder(store, run_id):
    with pytest.raises(InvalidArgument, match="cannot name an artifact folder"):
        store.read_artifact(run_id, "a.txt")


def test_a_symlink_cannot_lead_outside_the_run(store, run, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (store.artifact_root / run.id).mkdir(parents=True)
    (store.artifact_root / run.id / "link").symlink_to(outside)
    with pytest.raises(InvalidArgument, match="leaves the run's artifact folder"):
        store.log_artifact(run.id, "link/x.txt", b"x")
    assert list(outside.iterdir()) == []


def test_missing_runs_and_artifacts_are_not_found(store, run):
    with pytest.raises(NotFound):
        store.log_artifact("0" * 32, "a.txt", b"x")
    with pytest.raises(NotFound):
        store.read_artifact(run.id, "never.txt")
    with pytest.raises(NotFound):
        store.list_artifacts("0" * 32)
    store.log_artifact(run.id, "gone.txt", b"x")
    (store.artifact_root / run.id / "gone.txt").unlink()
    with pytest.raises(NotFound, match="file is missing"):
        store.read_artifact(run.id, "gone.txt")


def test_artifact_data_must_be_bytes(store, run):
    with pytest.raises(InvalidArgument, match="must be bytes"):
        store.log_artifact(run.id, "a.txt", "text")
