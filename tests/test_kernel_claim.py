"""The claim protocol of the front end's Log run, spoken to a real kernel over ZMQ."""

from __future__ import annotations

import pytest
from kernel_support import kernel_env

from jupyterlab_runs.kernel.display import LOG_MIME, RUN_MIME

CLAIM = "__import__('jupyterlab_runs.kernel.frontend', fromlist=['claim']).claim({cell!r})"
CELL = (
    "import jupyterlab_runs as jr\n"
    "jr.log_param('lr', 0.1)\n"
    "for i in range(3):\n"
    "    jr.log_metric('loss', 1 / (i + 1), step=i)\n"
)


@pytest.fixture
def kernel(tmp_path):
    """A python3 kernel whose store is in tmp_path (no %load_ext: the claim works without)."""
    from jupyter_client.manager import start_new_kernel

    uri = "sqlite:///" + str(tmp_path / "runs.db")
    manager, client = start_new_kernel(
        kernel_name="python3", env=kernel_env(JUPYTERLAB_RUNS_URI=uri), cwd=str(tmp_path)
    )
    yield client, uri
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def shell_reply(client) -> dict:
    """The next shell reply, past late answers to the readiness check of ``start_new_kernel``
    (it repeats kernel_info until IOPub is connected, so a busy machine leaves one behind)."""
    reply = client.get_shell_msg(timeout=30)
    while reply["msg_type"] == "kernel_info_reply":
        reply = client.get_shell_msg(timeout=30)
    return reply


def claim(client, cell_id: str) -> dict:
    """Send the claim exactly as the front end does: a silent request's user expression."""
    msg_id = client.execute(
        "", silent=True, store_history=False, user_expressions={"claim": CLAIM.format(cell=cell_id)}
    )
    reply = shell_reply(client)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply["content"]["user_expressions"]["claim"]


def execute(client, code: str, cell_id: str, replies: list | None = None) -> list[dict]:
    """Run a cell as JupyterLab does (``cellId`` in the metadata); returns its outputs and
    appends its execute_reply content to ``replies``."""
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}}
    msg = client.session.msg("execute_request", content, metadata={"cellId": cell_id})
    client.shell_channel.send(msg)
    outputs = []
    while True:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        if message["msg_type"] in ("display_data", "execute_result"):
            outputs.append(message["content"]["data"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    reply = shell_reply(client)["content"]
    assert reply["status"] == "ok"
    if replies is not None:
        replies.append(reply)
    return outputs


def test_claimed_cell_answers_with_one_log_output_and_writes_nothing(kernel):
    client, uri = kernel
    assert claim(client, "cell-a") == {
        "status": "ok",
        "data": {"text/plain": "'ok'"},
        "metadata": {},
    }
    outputs = execute(client, CELL, "cell-a")
    logs = [o for o in outputs if LOG_MIME in o]
    assert len(logs) == 1 and not [o for o in outputs if RUN_MIME in o]
    payload = logs[0][LOG_MIME]
    assert payload["params"] == [
        {"key": "lr", "value": "0.1", "type": "float", "source": "explicit"}
    ]
    assert [(m["key"], m["step"]) for m in payload["metrics"]] == [
        ("loss", 0),
        ("loss", 1),
        ("loss", 2),
    ]
    from jupyterlab_runs.store import open_store

    assert open_store(uri).search_runs([]).total == 0


def test_unclaimed_cell_logs_an_implicit_run_with_its_cell_id(kernel):
    client, uri = kernel
    claim(client, "cell-a")
    outputs = execute(client, CELL, "cell-b")  # another cell ran: the claim lapsed
    assert not [o for o in outputs if LOG_MIME in o]
    assert [o for o in outputs if RUN_MIME in o]
    from jupyterlab_runs.store import open_store

    (run,) = open_store(uri).search_runs([]).items
    assert (run.source, run.cell_id, run.kernel_name) == ("api", "cell-b", "python3")
    assert run.params["lr"].value == "0.1" and run.metrics["loss"].count == 3


def test_claimed_cell_returns_its_numbers_in_its_own_reply(kernel):
    client, _ = kernel
    claim(client, "cell-v")
    replies: list = []
    # The kernel reads the names the shared capture finds (non-literal assignments): the
    # numbers among them come back; bools, strings and names never bound do not.
    execute(
        client,
        "acc = 0.5 + 0.25\nn = int('3')\nflag = not False\nname = 'r' + 'f'\n"
        "loss = float('nan')\nlr = 0.1\nif acc > 1:\n    missing = acc * 2",
        "cell-v",
        replies,
    )
    (payload,) = [p for p in replies[0]["payload"] if p.get("source") == "jupyterlab_runs"]
    assert payload["cell_id"] == "cell-v"
    assert payload["variables"] == {"acc": 0.75, "n": 3.0, "loss": "NaN"}
    assert payload["execution_count"] == replies[0]["execution_count"]


def test_unclaimed_cells_carry_no_payload(kernel):
    client, _ = kernel
    replies: list = []
    execute(client, "acc = 0.9", "cell-x", replies)
    assert not [p for p in replies[0]["payload"] if p.get("source") == "jupyterlab_runs"]


def test_claimed_cell_scans_its_own_code_through_a_python_cell_magic(kernel):
    client, _ = kernel
    claim(client, "cell-t")
    replies: list = []
    execute(client, "%%time\nloss = 1 / 8\nepochs = 3", "cell-t", replies)
    (payload,) = [p for p in replies[0]["payload"] if p.get("source") == "jupyterlab_runs"]
    # `epochs = 3` is a param (a literal), not a name to read back.
    assert payload["variables"] == {"loss": 0.125}
