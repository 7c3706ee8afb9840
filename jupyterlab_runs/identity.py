"""Who a run belongs to, named as a person expects: the identity the server authenticated, or
the OS login (what MLflow records) when that identity was made up for a shared token."""

from __future__ import annotations

import functools
import getpass
import re
from typing import Any

# jupyter_server names a token-authenticated request's user with a random uuid4().hex.
_GENERATED = re.compile(r"[0-9a-f]{32}")


@functools.cache
def os_login() -> str | None:
    """The login name of whoever runs this process."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return None


def person(identity: Any) -> str | None:
    """The user to record for a jupyter_server ``User``: its display name, or the server's OS
    login when the identity is an anonymous one generated for a shared token."""
    username = getattr(identity, "username", None)
    if not isinstance(username, str) or not username or _GENERATED.fullmatch(username):
        return os_login()
    return getattr(identity, "display_name", None) or getattr(identity, "name", None) or username
