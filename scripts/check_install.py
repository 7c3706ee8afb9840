"""Check that JupyterLab sees the extension: front end enabled and OK, server extension
enabled and OK, every REST handler authenticated (the template's check_auth)."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings


def listed_ok(command: list[str], name: str, env: dict[str, str] | None = None) -> bool:
    """Whether ``command`` lists ``name`` as enabled and OK (on one line or two)."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    output = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    lines = [ln.strip() for ln in output.splitlines() if name in ln]
    # A pip-installed extension's line ends with its origin: "... enabled OK (python, pkg)".
    ok = any("enabled" in ln for ln in lines) and any(re.search(r"\bOK\b", ln) for ln in lines)
    print(f"{' '.join(command)}: {' | '.join(lines) or 'not listed'}")
    return ok


def handlers_authenticated() -> bool:
    from jupyter_server.serverapp import ServerApp
    from jupyter_server.utils import JupyterServerAuthWarning

    app = ServerApp(
        allow_unauthenticated_access=False,
        jpserver_extensions={"jupyterlab_runs": True},
        reraise_server_extension_failures=True,
    )
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        app.initialize(argv=[], find_extensions=False, new_httpserver=False)
    problems = [r for r in records if issubclass(r.category, JupyterServerAuthWarning)]
    for problem in problems:
        print(problem.message)
    print("all REST handlers authenticated" if not problems else "unauthenticated handlers")
    return not problems


def main() -> int:
    checks = [
        listed_ok([sys.executable, "-m", "jupyter", "labextension", "list"], "jupyterlab-runs"),
        listed_ok(
            [sys.executable, "-m", "jupyter", "server", "extension", "list"], "jupyterlab_runs"
        ),
        handlers_authenticated(),
    ]
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())
