/**
 * A JupyterLab server on 127.0.0.1 plus Debian's Chromium driven by Playwright, for the
 * browser benchmarks. The server gets a fresh root (hence a fresh embedded store) unless
 * `JUPYTERLAB_RUNS_URI` is given; both are stopped by `close()`.
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const { chromium } = require(
  path.join(ROOT, 'ui-tests/node_modules/playwright')
);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic'
];

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForServer(url, token, child) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`jupyter lab exited with ${child.exitCode}`);
    }
    try {
      const response = await fetch(`${url}/api/status`, {
        headers: { Authorization: `token ${token}` }
      });
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error('jupyter lab did not start within 60 s');
}

/** Start JupyterLab on `root` (default: a new temp dir) and open a headless browser page. */
async function startLab({ root, env = {} } = {}) {
  root =
    root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'jupyterlab-runs-bench-'));
  const port = await freePort();
  const token = crypto.randomBytes(16).toString('hex');
  const python = path.join(ROOT, '.venv/bin');
  const child = spawn(
    path.join(python, 'jupyter'),
    [
      'lab',
      '--no-browser',
      '--allow-root',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${root}`,
      '--LabApp.expose_app_in_browser=True'
    ],
    {
      env: { ...process.env, PATH: `${python}:${process.env.PATH}`, ...env },
      stdio: ['ignore', 'ignore', 'pipe']
    }
  );
  let log = '';
  child.stderr.on('data', chunk => {
    log = (log + chunk).slice(-20000);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForServer(url, token, child);
  } catch (error) {
    child.kill();
    throw new Error(`${error.message}\n${log}`);
  }
  const browser = await chromium.launch({
    executablePath: process.env.PW_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS
  });
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 }
  });
  return {
    root,
    url,
    token,
    page,
    serverLog: () => log,
    async open(pathInLab) {
      await page.goto(`${url}/lab/tree/${pathInLab}?token=${token}&reset`);
      await page.waitForFunction(
        () => window.jupyterapp?.shell?.currentWidget,
        null,
        {
          timeout: 60000
        }
      );
    },
    async close() {
      await browser.close();
      child.kill('SIGTERM');
      await new Promise(resolve => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
}

/** A code cell that has not run. */
function codeCell(id, source) {
  return {
    cell_type: 'code',
    id,
    metadata: {},
    execution_count: null,
    outputs: [],
    source
  };
}

/** The JSON of an nbformat 4.5 notebook of `cells`, on the Python 3 kernel. */
function notebookJson(cells) {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python' }
    },
    cells
  });
}

/** p50 / p95 / mean of a list of numbers. */
function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = q =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), mean };
}

/** Print rows as an aligned text table. */
function printTable(header, rows) {
  const all = [header, ...rows].map(row => row.map(String));
  const widths = header.map((_, i) =>
    Math.max(...all.map(row => row[i].length))
  );
  const line = row => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  console.log(line(all[0]));
  console.log(widths.map(w => '-'.repeat(w)).join('  '));
  all.slice(1).forEach(row => console.log(line(row)));
}

/** Whether the script was asked for `python -m bench`'s JSON instead of its tables. */
const JSON_OUTPUT = process.argv.includes('--json');

/**
 * One result row as `python -m bench` reads it (bench/results.py `Row`): our and MLflow's
 * [p50, p95] from `summarize`, and the target on our p50 (`met` is judged in Python).
 */
function benchRow(workload, operation, size, ours, mlflow, target, extra = {}) {
  const pair = s => (s && s.n > 0 ? [s.p50, s.p95] : null);
  return {
    workload,
    operation,
    size,
    ours: pair(ours),
    mlflow: pair(mlflow),
    unit: 'ms',
    target: target === null ? null : { stat: 'p50', limit: target, text: '' },
    note: '',
    met: null,
    ...extra
  };
}

/** Print the rows for `python -m bench` as one JSON line on stdout. */
function printJsonRows(rows) {
  console.log(JSON.stringify({ rows }));
}

module.exports = {
  ROOT,
  CHROMIUM_ARGS,
  JSON_OUTPUT,
  startLab,
  codeCell,
  notebookJson,
  summarize,
  printTable,
  benchRow,
  printJsonRows
};
