"""MLflow 1.x's file-store layout written by hand (the documented layout, not fetched files),
and imported runs read back by name: helpers of the import tests."""

from __future__ import annotations

from pathlib import Path

import yaml

# Where the 1.x runs were logged: a path of another machine, absent here.
OLD_ROOT = "/home/alice/project/mlruns"


def write_run(experiment: Path, run_id: str, start: int, **parts) -> Path:
    """One run folder in MLflow 1.x's file-store layout: meta.yaml, then ``params``, ``tags``
    (file content is the value), ``metrics`` (one line of text per point) and ``artifacts``
    (bytes), each a dict by relative path."""
    folder = experiment / run_id
    (folder / "artifacts").mkdir(parents=True)
    meta = {
        "artifact_uri": parts.pop(
            "artifact_uri", f"file://{OLD_ROOT}/{experiment.name}/{run_id}/artifacts"
        ),
        "end_time": start + 500,
        "entry_point_name": "",
        "experiment_id": experiment.name,
        "lifecycle_stage": "active",
        "name": "",
        "run_id": run_id,
        "run_uuid": run_id,
        "source_name": "",
        "source_type": 4,
        "source_version": "",
        "start_time": start,
        "status": 3,
        "tags": [],
        "user_id": "alice",
    }
    (folder / "meta.yaml").write_text(yaml.safe_dump(meta))
    for kind, entries in parts.items():
        for key, content in entries.items():
            path = folder / kind / key
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "metrics":
                content = "".join(f"{line}\n" for line in content)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
    return folder


def write_experiment(root: Path, experiment_id: str, name: str) -> Path:
    """An experiment folder of the 1.x layout (and MLflow's empty Default beside it)."""
    for number, title in (("0", "Default"), (experiment_id, name)):
        folder = root / number
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "artifact_location": f"file://{OLD_ROOT}/{number}",
            "experiment_id": number,
            "lifecycle_stage": "active",
            "name": title,
        }
        (folder / "meta.yaml").write_text(yaml.safe_dump(meta))
    return root / experiment_id


def runs_by_name(store, experiment_name: str) -> dict:
    """The runs of an experiment by name, each in full."""
    experiment = store.get_experiment_by_name(experiment_name)
    return {r.name: store.get_run(r.id) for r in store.search_runs([experiment.id]).items}
