"""The git commit of the repository holding a notebook, if any."""

from __future__ import annotations

import os
import subprocess


def head_commit(directory: str) -> str | None:
    """``HEAD``'s sha of the git work tree containing ``directory``; None outside one."""
    if not os.path.isdir(directory):
        return None
    try:
        done = subprocess.run(
            ["git", "-C", directory, "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and len(sha) >= 40 else None
