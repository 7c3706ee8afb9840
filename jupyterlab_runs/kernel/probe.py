"""What a claimed cell hands back to the front end's Log run in its ``execute_reply``.

The values of the numbers the cell assigned (the names the shared capture finds in its code)
and the cell's execution count travel as one payload of the cell's own reply
(``shell.payload_manager``), so Log run needs no kernel request after the cell and no
scan before it. Front ends ignore payload sources they do not know.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from ..capture import scan_assigned_names

PAYLOAD_SOURCE = "jupyterlab_runs"
MAX_NAMES = 200


def numeric_values(namespace: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``{name: float}`` for the names bound to real numbers (not bools); non-finite values
    as the strings the REST API uses. Only ``float()`` is called: no repr of user objects."""
    values: dict[str, Any] = {}
    for name in list(names)[:MAX_NAMES]:
        value = namespace.get(name)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            try:
                number = float(value)
            except Exception:  # a broken __float__ is the user's; skip the name
                continue
            if math.isnan(number):
                values[name] = "NaN"
            elif math.isinf(number):
                values[name] = "Infinity" if number > 0 else "-Infinity"
            else:
                values[name] = number
    return values


def write_payload(shell: Any, cell_id: str, code: str, execution_count: Any) -> None:
    """Attach the numbers ``code`` assigned, and its execution count, to the reply of the
    cell being executed."""
    shell.payload_manager.write_payload(
        {
            "source": PAYLOAD_SOURCE,
            "cell_id": cell_id,
            "execution_count": execution_count,
            "variables": numeric_values(shell.user_ns, scan_assigned_names(code)),
        }
    )
