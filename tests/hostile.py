"""The hostile inputs of tests/data/hostile_inputs.json, expanded, and how to judge replies."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from jupyterlab_runs.store.base import TRUNCATION_MARKER

DATA = Path(__file__).parent / "data" / "hostile_inputs.json"
INPUTS: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))["inputs"]


def of_kind(kind: str) -> list[dict[str, Any]]:
    """The entries of one kind."""
    return [entry for entry in INPUTS if entry["kind"] == kind]


def nested(depth: int) -> list:
    """A list nested ``depth`` deep, built without recursion."""
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def value_of(entry: dict[str, Any]) -> Any:
    """The entry's value for the Python API (generated ones built here)."""
    spec = entry.get("generate")
    if spec is None:
        return entry["value"]
    if "nest" in spec or "nest_param" in spec:
        return nested(spec.get("nest") or spec["nest_param"])
    if "digits" in spec:
        return 10 ** spec["digits"]
    if "experiment_ids" in spec:
        return [f"{i:032x}" for i in range(spec["experiment_ids"])]
    if "page_token_nest" in spec:
        raw = "[" * spec["page_token_nest"] + "]" * spec["page_token_nest"]
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return spec.get("prefix", "") + spec.get("repeat", "") * spec["times"] + spec.get("suffix", "")


def body_of(entry: dict[str, Any], experiment: str) -> str:
    """The entry as the raw JSON body of ``POST runs`` (generated ones written as text, since
    ``json.dumps`` itself cannot nest 100,000 deep)."""
    spec = entry.get("generate") or {}
    head = json.dumps({"experiment_name": experiment})[:-1]
    if "nest" in spec or "nest_param" in spec:
        depth = spec.get("nest") or spec["nest_param"]
        return (
            head
            + ',"params":[{"key":"p","type":"json","value":'
            + "[" * depth
            + "]" * depth
            + "}]}"
        )
    if "digits" in spec:
        return head + ',"params":[{"key":"p","type":"int","value":1' + "0" * spec["digits"] + "}]}"
    return json.dumps({"experiment_name": experiment, **entry["value"]})


def read_back_matches(stored: Any, sent: str, expect: str) -> bool:
    """Whether a stored text is what was sent, as ``expect`` allows."""
    if expect == "replaced":
        return stored == sent.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if stored == sent:
        return True
    if expect == "truncated" and isinstance(stored, str) and stored.endswith(TRUNCATION_MARKER):
        return sent.startswith(stored[: -len(TRUNCATION_MARKER)])
    return False


def status_allowed(status: int, expect: str) -> bool:
    """Whether an HTTP status is what ``expect`` asks for (never a 5xx)."""
    if status >= 500:
        return False
    if expect == "rejected":
        return status == 400
    if expect in ("any", "any_not_5xx"):
        return True
    return 200 <= status < 300
