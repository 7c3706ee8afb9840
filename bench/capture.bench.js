/**
 * Capture benchmark (issue 3): time from a cell's end to its run being saved, for a cell
 * with 50 params and 20 printed metrics, in a real browser against a real kernel and
 * server; and proof that an untracked cell pays nothing (the kernel messages a plain
 * Shift+Enter sends are counted on the websocket). Beside it, MLflow's cost of logging
 * the same 50 params and 20 metrics as a run (start_run → log_params → log_metrics →
 * end_run) into a local SQLite store, on this machine, in this run.
 *
 * Usage: node bench/capture.bench.js [--runs 30]
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const { ROOT, startLab, summarize, printTable } = require('./lab_session');

const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 30;
const PARAMS = 50;
const METRICS = 20;

function benchNotebook() {
  const params = Array.from({ length: PARAMS }, (_, i) =>
    i % 3 === 0
      ? `p${i} = ${i}`
      : i % 3 === 1
        ? `p${i} = ${i / 10}`
        : `p${i} = "v${i}"`
  );
  const prints = `for i in range(${METRICS}):\n    print(f"metric_{i}: {0.5 + i / 100}")`;
  const cell = (source, id) => ({
    cell_type: 'code',
    id,
    metadata: {},
    execution_count: null,
    outputs: [],
    source
  });
  return {
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
    cells: [
      cell('x = 1', 'setup'),
      cell(`${params.join('\n')}\n${prints}`, 'tracked')
    ]
  };
}

/** Run `command` on the tracked cell; resolve when the notebook is idle again. */
async function runOnTrackedCell(page, command) {
  await page.evaluate(async command => {
    const app = window.jupyterapp;
    const panel = app.shell.currentWidget;
    panel.content.activeCellIndex = 1;
    await app.commands.execute(command);
    await panel.sessionContext.session.kernel.requestKernelInfo();
  }, command);
}

async function browserFigures() {
  const lab = await startLab();
  try {
    fs.writeFileSync(
      path.join(lab.root, 'bench.ipynb'),
      JSON.stringify(benchNotebook())
    );
    await lab.open('bench.ipynb');
    const { page } = lab;
    await page.waitForFunction(
      () =>
        window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel
          ?.status === 'idle',
      null,
      { timeout: 60000 }
    );
    // Count execute_requests on the kernel websocket.
    let executes = 0;
    page.on('websocket', ws =>
      ws.on('framesent', frame => {
        const text =
          typeof frame.payload === 'string'
            ? frame.payload
            : frame.payload.toString('latin1');
        if (text.includes('"msg_type":"execute_request"')) {
          executes++;
        }
      })
    );
    await page.reload();
    await page.waitForFunction(
      () =>
        window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel
          ?.status === 'idle',
      null,
      { timeout: 60000 }
    );
    await runOnTrackedCell(page, 'jupyterlab-runs:log-run'); // warm-up
    await page.evaluate(() =>
      performance.clearMeasures('jupyterlab-runs:save')
    );

    executes = 0;
    await runOnTrackedCell(page, 'notebook:run-cell');
    const plainExecutes = executes;
    executes = 0;
    await runOnTrackedCell(page, 'jupyterlab-runs:log-run');
    const trackedExecutes = executes;

    const plain = [];
    for (let i = 0; i < RUNS; i++) {
      const started = Date.now();
      await runOnTrackedCell(page, 'notebook:run-cell');
      plain.push(Date.now() - started);
    }
    await page.evaluate(() => performance.clearMeasures());
    for (let i = 0; i < RUNS; i++) {
      await runOnTrackedCell(page, 'jupyterlab-runs:log-run');
    }
    const measures = name =>
      page.evaluate(
        name => performance.getEntriesByName(name).map(e => e.duration),
        name
      );
    const saves = await measures('jupyterlab-runs:save');
    const probes = await measures('jupyterlab-runs:probe');
    const posts = await measures('jupyterlab-runs:post');
    // Handler time of each POST runs, from the Server-Timing header.
    const server = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter(
          e =>
            /jupyterlab-runs\/api\/runs\?/.test(e.name) &&
            e.initiatorType === 'fetch'
        )
        .map(e => ({
          app: e.serverTiming.find(t => t.name === 'app')?.duration,
          network: e.responseEnd - e.startTime
        }))
        .filter(d => d.app !== undefined)
    );
    const saved = await page.evaluate(async () => {
      const app = window.jupyterapp;
      const panel = app.shell.currentWidget;
      const meta =
        panel.content.widgets[1].model.getMetadata('jupyterlab_runs');
      return meta?.last_run?.version ?? null;
    });
    return {
      saves,
      probes,
      posts,
      server,
      plain,
      plainExecutes,
      trackedExecutes,
      saved
    };
  } finally {
    await lab.close();
  }
}

function mlflowFigures() {
  const script = `
import json, os, sys, tempfile, time, warnings
warnings.filterwarnings("ignore")
import logging; logging.disable(logging.WARNING)
import mlflow
d = tempfile.mkdtemp()
mlflow.set_tracking_uri("sqlite:///" + os.path.join(d, "mlflow.db"))
mlflow.set_experiment("bench")
params = {f"p{i}": i for i in range(${PARAMS})}
metrics = {f"metric_{i}": 0.5 + i / 100 for i in range(${METRICS})}
def once():
    t = time.perf_counter()
    with mlflow.start_run():
        mlflow.log_params(params)
        mlflow.log_metrics(metrics)
    return (time.perf_counter() - t) * 1000
once()
print(json.dumps([once() for _ in range(${RUNS})]))
`;
  const out = execFileSync(
    path.join(ROOT, '.venv/bin/python'),
    ['-c', script],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }
  );
  return JSON.parse(out.trim().split('\n').pop());
}

(async () => {
  const ours = await browserFigures();
  const mlflow = mlflowFigures();
  const s = summarize(ours.saves);
  const p = summarize(ours.plain);
  const pr = summarize(ours.probes);
  const po = summarize(ours.posts);
  const sv = summarize(ours.server.slice(-RUNS).map(d => d.app));
  const nw = summarize(ours.server.slice(-RUNS).map(d => d.network));
  const m = summarize(mlflow);
  const ms = x => x.toFixed(1);
  console.log(
    `\nCapture: ${PARAMS} params + ${METRICS} metrics per run, ${RUNS} runs each (${ours.saved} runs saved in the store)\n`
  );
  printTable(
    ['measure', 'n', 'p50 ms', 'p95 ms', 'mean ms', 'target'],
    [
      [
        'jupyterlab-runs: cell end → run saved (browser, kernel probe + REST + SQLite)',
        s.n,
        ms(s.p50),
        ms(s.p95),
        ms(s.mean),
        'p50 ≤ 30'
      ],
      [
        '  of which: variable values (from the reply; a probe only without our package)',
        pr.n,
        ms(pr.p50),
        ms(pr.p95),
        ms(pr.mean),
        ''
      ],
      [
        '  of which: POST runs (browser → server → browser)',
        po.n,
        ms(po.p50),
        ms(po.p95),
        ms(po.mean),
        ''
      ],
      [
        '    of which: request sent → response received (resource timing)',
        nw.n,
        ms(nw.p50),
        ms(nw.p95),
        ms(nw.mean),
        ''
      ],
      [
        '      of which: server handler (validate, git HEAD, SQLite write)',
        sv.n,
        ms(sv.p50),
        ms(sv.p95),
        ms(sv.mean),
        ''
      ],
      [
        'MLflow: start_run + log_params + log_metrics + end_run (sqlite store)',
        m.n,
        ms(m.p50),
        ms(m.p95),
        ms(m.mean),
        '—'
      ],
      [
        'untracked cell, plain Shift+Enter round trip (for scale)',
        p.n,
        ms(p.p50),
        ms(p.p95),
        ms(p.mean),
        '—'
      ]
    ]
  );
  console.log('');
  printTable(
    ['kernel execute_requests per execution', 'count', 'expected'],
    [
      [
        'untracked cell (Shift+Enter)',
        ours.plainExecutes,
        '1 (the cell only: no hook, no probe)'
      ],
      [
        'Log run',
        ours.trackedExecutes,
        '2 (claim, the cell; values ride its reply)'
      ]
    ]
  );
  const failed = s.p50 > 30 || ours.plainExecutes !== 1;
  process.exit(failed ? 1 : 0);
})().catch(error => {
  console.error(error);
  process.exit(2);
});
