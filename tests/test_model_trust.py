"""``load_model`` unpickles only models this user logged here, or trusted explicitly."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat

import pytest
from kernel_support import open_store

import jupyterlab_runs as jr
from jupyterlab_runs.kernel.model_trust import UntrustedModel, trust_dir

pytest_plugins = ("kernel_fixtures",)


class Payload:
    """Unpickling it creates a file: the proof that someone else's pickle ran code."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def plant_model(run_id: str, obj, name: str = "model") -> None:
    """Write a model and a matching meta.json straight into the store, as anyone with write
    access to it (a shared server, an imported mlruns/, a cloned .jupyterlab-runs/) can."""
    data = pickle.dumps(obj)
    meta = {"name": name, "format": "pickle", "sha256": hashlib.sha256(data).hexdigest()}
    store = open_store()
    store.log_artifact(run_id, f"models/{name}/model.pkl", data)
    store.log_artifact(run_id, f"models/{name}/meta.json", json.dumps(meta).encode())


def test_own_models_load_and_the_key_is_private(tracking):
    with jr.start_run(experiment="m"):
        jr.log_model({"weights": [1, 2, 3]})
    assert jr.load_model("m", version=1) == {"weights": [1, 2, 3]}
    key = trust_dir() / "model-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


def test_a_planted_model_is_refused_without_running_it(tracking, tmp_path):
    marker = tmp_path / "pwned"
    with jr.start_run(experiment="m") as run:
        pass
    plant_model(run.run_id, Payload(str(marker)))
    with pytest.raises(UntrustedModel) as refused:
        jr.load_model("m", version=1)
    message = str(refused.value)
    assert "not logged by you on this machine" in message
    assert f"trust_model(run_id={run.run_id!r}, name='model')" in message
    assert "trust=True" in message
    assert not marker.exists()


def test_a_model_signed_by_another_users_key_is_refused(tracking, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "someone-else"))
    with jr.start_run(experiment="m"):
        jr.log_model([1, 2], "shared")
    assert jr.load_model("m", version=1, name="shared") == [1, 2]
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "me"))
    with pytest.raises(UntrustedModel):
        jr.load_model("m", version=1, name="shared")


def test_replaced_bytes_with_a_fixed_sha256_are_refused(tracking):
    with jr.start_run(experiment="m") as run:
        jr.log_model("original")
    meta = json.loads(open_store().read_artifact(run.run_id, "models/model/meta.json"))
    data = pickle.dumps("replaced")
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    store = open_store()
    store.log_artifact(run.run_id, "models/model/model.pkl", data)
    store.log_artifact(run.run_id, "models/model/meta.json", json.dumps(meta).encode())
    with pytest.raises(UntrustedModel):
        jr.load_model(run_id=run.run_id)


def test_explicit_trust_is_remembered_privately(tracking, tmp_path):
    with jr.start_run(experiment="m") as first:
        pass
    with jr.start_run(experiment="m") as second:
        pass
    plant_model(first.run_id, {"a": 1})
    plant_model(second.run_id, {"b": 2})
    assert jr.load_model("m", version=1, trust=True) == {"a": 1}
    assert jr.load_model("m", version=1) == {"a": 1}  # remembered
    with pytest.raises(UntrustedModel):
        jr.load_model("m", version=2)
    digest = jr.trust_model("m", version=2)
    assert jr.load_model("m", version=2) == {"b": 2}
    trusted = trust_dir() / "trusted-models"
    assert digest in trusted.read_text().split()
    assert stat.S_IMODE(os.stat(trusted).st_mode) == 0o600
