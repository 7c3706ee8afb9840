#!/usr/bin/env bash
# Install everything the tests need, then run all of them: lint, jest, pytest, Galata.
# Works on a fresh Debian machine with Python 3.11, Node 20 and npm; ends with
# "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS=$ROOT/.test-results
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n==> %s\n' "$*"; }
die() { echo "error: $*" >&2; exit 2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "System packages (Debian's Chromium for the browser tests)"
if [ ! -x /usr/bin/chromium ] || ! command -v git >/dev/null; then
  as_root apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium git >/dev/null \
    || die "apt-get install chromium failed"
fi

step "Python environment (.venv) with the extension installed editable"
[ -x .venv/bin/python ] || python3 -m venv .venv || die "cannot create .venv"
.venv/bin/pip install -q --upgrade pip || die "pip upgrade failed"
npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
.venv/bin/pip install -q -c constraints.txt -e ".[dev,test,mlflow]" || die "pip install failed"
export PATH=$ROOT/.venv/bin:$PATH

step "Build the extension and link it into JupyterLab"
npm run build || die "front-end build failed"
jupyter-builder develop --overwrite . >/dev/null || die "jupyter-builder develop failed"
(cd ui-tests && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci (ui-tests) failed"

step "Checks: extension enabled, lint, the wheel in a fresh venv"
python scripts/check_install.py > "$RESULTS/checks.log" 2>&1
echo "install $?" > "$RESULTS/checks.txt"
npm run --silent lint:check >> "$RESULTS/checks.log" 2>&1
echo "eslint-prettier-stylelint $?" >> "$RESULTS/checks.txt"
{ ruff check . && ruff format --check .; } >> "$RESULTS/checks.log" 2>&1
echo "ruff $?" >> "$RESULTS/checks.txt"
# The built wheel and sdist in a fresh venv without Node.js: listed, REST API, browser.
python scripts/check_wheel.py >> "$RESULTS/checks.log" 2>&1
echo "wheel-in-fresh-venv $?" >> "$RESULTS/checks.txt"
cat "$RESULTS/checks.log"

step "TypeScript unit tests (jest)"
npx jest --ci --json --outputFile="$RESULTS/jest.json" 2>&1 | tail -n 40

step "Python tests (pytest)"
python -m pytest -q -p no:cacheprovider --junitxml="$RESULTS/pytest.xml" 2>&1 | tail -n 40

step "Browser tests (Galata, Debian's Chromium)"
(cd ui-tests && PW_JUNIT="$RESULTS/galata.xml" npx playwright test) 2>&1 | tail -n 60

step "Browser tests in Jupyter Notebook 7 (Galata, Debian's Chromium)"
(cd ui-tests && PW_JUNIT="$RESULTS/galata-notebook7.xml" npx playwright test \
  -c playwright-notebook.config.js) 2>&1 | tail -n 30

step "Summary"
python scripts/summarize_tests.py "$RESULTS"
