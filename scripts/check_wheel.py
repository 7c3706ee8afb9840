"""Check what a user of ``pip install jupyterlab-runs`` gets, with no Node.js anywhere.

Builds the sdist and, from it, the wheel (``python -m build``), and a wheel straight from
the checkout that must hold the same files. Installs the wheel with JupyterLab into a fresh
virtual environment whose PATH has no ``node``, then checks there: ``jupyter labextension
list`` and ``jupyter server extension list`` show the extension enabled and OK, the REST API
answers (and refuses requests without the token), and JupyterLab loads the front end in
Chromium with no error in the browser console (scripts/browser_check.js).

Usage: python scripts/check_wheel.py [--keep]   (--keep leaves the temporary folder)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from check_install import listed_ok

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
LAB_REQUIREMENT = "jupyterlab>=4.6,<4.7"
API = "jupyterlab-runs/api"


def step(message: str) -> None:
    print(f"--- {message}", flush=True)


def run(command: list[str | Path], env: dict[str, str] | None = None) -> None:
    """Run a command, echoing it and how long it took; raise when it fails."""
    started = time.monotonic()
    print("$ " + " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], check=True, env=env)
    print(f"  ({time.monotonic() - started:.0f} s)", flush=True)


def only(folder: Path, pattern: str) -> Path:
    """The one file in ``folder`` matching ``pattern``."""
    found = sorted(folder.glob(pattern))
    if len(found) != 1:
        raise SystemExit(f"expected one {pattern} in {folder}, found {found}")
    return found[0]


def nodeless_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """An environment with only ``bin_dir`` on PATH and Jupyter's folders under ``home``,
    so nothing from this checkout's environment or the user's Jupyter set-up leaks in."""
    env = {key: os.environ[key] for key in ("LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    env.update(
        PATH=str(bin_dir),
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        PIP_CONSTRAINT=str(CONSTRAINTS),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    if shutil.which("node", path=env["PATH"]):
        raise SystemExit(f"node is on the PATH {env['PATH']}")
    return env


def build(out: Path) -> Path:
    """Build sdist + wheel (the wheel from the sdist) and a wheel from the checkout; check
    that both wheels hold the same files; return the wheel built from the sdist."""
    python_bin = Path(sys.executable).parent
    env = {**nodeless_env(python_bin, out / "home"), "HOME": os.environ.get("HOME", "/")}
    run([sys.executable, "-m", "build", "--outdir", out / "sdist", ROOT], env=env)
    only(out / "sdist", "*.tar.gz")
    from_sdist = only(out / "sdist", "*.whl")
    run([sys.executable, "-m", "build", "--wheel", "--outdir", out / "checkout", ROOT], env=env)
    from_checkout = only(out / "checkout", "*.whl")
    a, b = wheel_files(from_sdist), wheel_files(from_checkout)
    if a != b:
        differ = sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))
        raise SystemExit(f"the wheels from the sdist and the checkout differ: {differ[:20]}")
    print(f"the wheel from the sdist and the one from the checkout hold the same {len(a)} files")
    return from_sdist


def wheel_files(wheel: Path) -> dict[str, str]:
    """sha256 of every file in a wheel but its RECORD (which lists those same hashes)."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if not name.endswith(".dist-info/RECORD")
        }


def fresh_venv(wheel: Path, folder: Path) -> dict[str, str]:
    """A new virtual environment with the wheel and JupyterLab; returns its environment."""
    run([sys.executable, "-m", "venv", folder / "venv"])
    env = nodeless_env(folder / "venv" / "bin", folder / "home")
    pip = [folder / "venv" / "bin" / "python", "-m", "pip", "install", "-q"]
    run([*pip, wheel, LAB_REQUIREMENT], env=env)
    shipped = folder / "venv/share/jupyter/labextensions/jupyterlab-runs/package.json"
    if not shipped.is_file():
        raise SystemExit(f"the wheel did not install the front end ({shipped} is missing)")
    return env


@contextmanager
def lab_server(env: dict[str, str], root: Path) -> Iterator[tuple[str, str]]:
    """``jupyter lab`` from the fresh environment on 127.0.0.1; yields (url, token)."""
    token = secrets.token_hex(16)
    command = [
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    root.mkdir(parents=True, exist_ok=True)
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    log_path = root.parent / "lab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = server_url(server, runtime)
            if url is None:
                log.flush()
                print(log_path.read_text()[-4000:])
                raise SystemExit("jupyter lab did not start")
            wait_until_up(url, token, server)
            yield url, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_url(server: subprocess.Popen, runtime: Path) -> str | None:
    """The URL the server writes in its runtime file (it picked a free port), or None."""
    deadline = time.monotonic() + 90
    while server.poll() is None and time.monotonic() < deadline:
        for info in runtime.glob("jpserver-*.json"):
            return json.loads(info.read_text())["url"].rstrip("/")
        time.sleep(0.25)
    return None


def wait_until_up(url: str, token: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            request(f"{url}/api/status", token)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.25)
    raise SystemExit("jupyter lab does not answer")


def request(url: str, token: str | None, payload: dict | None = None) -> tuple[int, dict]:
    """(status, JSON body) of a GET, or of a POST when ``payload`` is given."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}


def rest_api_ok(url: str, token: str) -> bool:
    """The API creates and lists an experiment with the token, and refuses without it."""
    created, body = request(f"{url}/{API}/experiments", token, {"name": "wheel-check"})
    listed, listing = request(f"{url}/{API}/experiments", token)
    names = [e.get("name") for e in listing.get("experiments", [])]
    anonymous, _ = request(f"{url}/{API}/experiments", None)
    print(f"REST: POST experiments {created}; GET {listed} {names}; without token {anonymous}")
    return created == 201 and listed == 200 and names == ["wheel-check"] and anonymous == 403


def browser_ok(url: str, token: str) -> bool:
    """JupyterLab loads the extension in Chromium with a clean console."""
    checker = ROOT / "scripts" / "browser_check.js"
    done = subprocess.run(["node", str(checker), "--url", f"{url}/lab?token={token}"])
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jupyterlab-runs-wheel-"))
    started = time.monotonic()
    try:
        step("build the sdist, a wheel from it, and a wheel from the checkout")
        wheel = build(folder / "dist")
        step(f"install {wheel.name} and JupyterLab into a fresh venv, no node on PATH")
        env = fresh_venv(wheel, folder)
        step("check the fresh venv")
        checks = {
            "labextension": listed_ok(["jupyter", "labextension", "list"], "jupyterlab-runs", env),
            "server extension": listed_ok(
                ["jupyter", "server", "extension", "list"], "jupyterlab_runs", env
            ),
        }
        with lab_server(env, folder / "root") as (url, token):
            checks["REST API"] = rest_api_ok(url, token)
            checks["browser"] = browser_ok(url, token)
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    failed = [name for name, ok in checks.items() if not ok]
    print(f"wheel check: {len(checks) - len(failed)} of {len(checks)} passed", end="")
    print(f" in {time.monotonic() - started:.0f} s" + (f"; FAILED: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
