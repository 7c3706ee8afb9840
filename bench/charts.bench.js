/**
 * Chart benchmark (issue 6): how fast the inline comparison renders, proof that vega is
 * loaded only when a chart is shown, and MLflow's cost of getting the same chart data.
 *
 * What is measured, all on this machine in this run:
 *
 * - Ours, in the browser (Debian's Chromium, a real `jupyter lab`, the built extension):
 *   the bundles `%runs compare` displays are built in Python by `build_compare_bundle`
 *   from runs seeded in a real embedded store (bench/charts_data.py), then inserted as a
 *   `display_data` output into a notebook cell through the notebook's own output model.
 *   The clock runs from `outputs.add(…)` until the chart's SVG holds every mark (one
 *   `path[role="graphics-symbol"]` per bar or point, one per history line), watched by a
 *   `MutationObserver`: rendermime picks our renderer, which validates the data, builds
 *   the vega-lite spec, compiles it and draws it with vega. Each repetition clears the
 *   output first, so every one is a new renderer and a new vega view (nothing cached but
 *   the loaded vega modules). The very first chart, which also loads the vega chunks,
 *   is reported apart.
 * - Lazy loading: every request for the extension's static chunks is recorded while
 *   JupyterLab opens a notebook without charts, then while the first chart is shown.
 *   Chunks are told apart by the packages their modules come from (read from the files).
 * - Data: ours is `search` + `build_compare_bundle` in Python (what the kernel does for
 *   `%runs compare`); MLflow's is `mlflow.search_runs` + taking the chart column from its
 *   DataFrame, and `MlflowClient.get_metric_history` per run for histories, on an MLflow
 *   SQLite store holding the same runs. MLflow's UI draws its charts in the browser with
 *   its own React/Plotly app, which cannot be driven headless here in a comparable way,
 *   so only MLflow's data side is timed. MLflow's UI charts show the 10 most recent runs
 *   by default ("By default, charts on this page show the most recent 10 runs.", MLflow
 *   run-comparison docs, Databricks), and its chart settings cap the runs shown at 500
 *   (mlflow/mlflow#10299).
 *
 * Prints the chunk list and ONE results table; exits 1 when a target is missed.
 *
 * Usage: node bench/charts.bench.js [--reps 7] [--steps 100000 (history length; default
 * 1,000)] [--json (rows for `python -m bench`)]
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const {
  ROOT,
  JSON_OUTPUT,
  startLab,
  codeCell,
  notebookJson,
  summarize,
  printTable,
  benchRow,
  printJsonRows
} = require('./lab_session');

const argValue = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const REPS = Math.max(5, argValue('--reps', 7));
const STEPS = argValue('--steps', 1000);
const LINES = `100 runs × ${STEPS.toLocaleString('en-US')} steps`;
/** Why MLflow has no whole-history figure past 10,000 steps (see charts_data.py). */
const MLFLOW_WHOLE_READ =
  'MLflow: get_metric_history of 10,000,000 points takes minutes; its UI samples instead';
const COMPARE_MIME = 'application/vnd.jupyterlab-runs.compare+json';
const STATIC_DIR = path.join(ROOT, 'jupyterlab_runs/labextension/static');
const STATIC_URL = '/lab/extensions/jupyterlab-runs/static/';

/** The charts timed in the browser: bundle name, marks expected, target (ms), label. */
const CHARTS = [
  { kind: 'bar', marks: 1000, target: 500, label: 'bar, 1,000 runs' },
  { kind: 'scatter', marks: 1000, target: 500, label: 'scatter, 1,000 runs' },
  {
    kind: 'line',
    marks: 100,
    target: 1000,
    label: `line, ${LINES}`
  }
];

/** The SVG marks of a chart: vega gives every bar, point and line this role. */
const MARKS =
  '.jp-RunsChart-canvas svg g.role-mark > path[role="graphics-symbol"]';

function loadAverage() {
  return os
    .loadavg()
    .map(x => x.toFixed(2))
    .join(', ');
}

/** Seed both stores, build the bundles and time the data side (bench/charts_data.py). */
function dataFigures(folder) {
  const out = execFileSync(
    path.join(ROOT, '.venv/bin/python'),
    [
      path.join(__dirname, 'charts_data.py'),
      folder,
      '--reps',
      String(REPS),
      '--steps',
      String(STEPS)
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 26
    }
  );
  return JSON.parse(out.trim().split('\n').pop());
}

/** The extension's JS chunks, each with its size and the packages its modules come from. */
function chunkCatalog() {
  return fs
    .readdirSync(STATIC_DIR)
    .filter(file => file.endsWith('.js'))
    .map(file => {
      const text = fs.readFileSync(path.join(STATIC_DIR, file), 'utf8');
      const counts = new Map();
      // Module definitions: `"./node_modules/<package>/…js"(…) {` (rspack) or `…": ` (webpack).
      const modules =
        /^\s*"(?:\.\.?\/)+node_modules\/((?:@[\w.-]+\/)?[\w.-]+)\/[^"]*"\s*[(:]/gm;
      for (const match of text.matchAll(modules)) {
        counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
      }
      // Production builds drop module paths: fall back to strings only that package holds.
      if (counts.size === 0) {
        for (const [name, marker] of [
          ['vega-embed', 'vega-embed-wrapper'],
          ['vega-lite', 'Invalid field type'],
          ['vega', 'Unrecognized data set'],
          ['vega-expression', 'Unrecognized function']
        ]) {
          if (text.includes(marker)) {
            counts.set(name, 1);
          }
        }
      }
      const packages = [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([name]) => name);
      const entry = file.startsWith('remoteEntry.') || file === 'style.js';
      const vega = !entry && packages.some(name => name.startsWith('vega'));
      // The package the chunk exists for: the vega package its name or content leads with.
      const main =
        packages.find(name =>
          file.includes(`node_modules_${name.replace(/[@/]/g, '_')}_`)
        ) ??
        packages.find(name => name.startsWith('vega')) ??
        packages[0] ??
        'extension code';
      return {
        file,
        bytes: Buffer.byteLength(text),
        packages,
        main,
        vega,
        entry
      };
    });
}

function notebook() {
  return notebookJson([
    codeCell('chart', '# chart'),
    {
      cell_type: 'markdown',
      id: 'text',
      metadata: {},
      source: 'No chart in this notebook.'
    }
  ]);
}

/**
 * Insert `bundle` as an output of the first cell and time it until `expected` marks exist.
 * Runs in the page; returns milliseconds (or an error text).
 */
async function renderInPage({ kind, expected, selector }) {
  const app = window.jupyterapp;
  const cell = app.shell.currentWidget.content.widgets[0];
  const outputs = cell.model.outputs;
  outputs.clear();
  // Let the cleared output leave the DOM and a frame pass before the clock starts.
  await new Promise(resolve =>
    requestAnimationFrame(() => setTimeout(resolve, 0))
  );
  const count = () => cell.node.querySelectorAll(selector).length;
  let observer;
  let timer;
  const drawn = new Promise((resolve, reject) => {
    observer = new MutationObserver(() => {
      if (count() >= expected) {
        resolve(performance.now());
      } else if (
        cell.node.querySelector('.jp-RunsChart-message, .jp-RunsChart-errors')
      ) {
        reject(new Error(cell.node.querySelector('.jp-RunsChart').textContent));
      }
    });
    observer.observe(cell.node, { childList: true, subtree: true });
    timer = setTimeout(
      () => reject(new Error(`timeout with ${count()} marks`)),
      60000
    );
  });
  const started = performance.now();
  outputs.add({
    output_type: 'display_data',
    data: window.__chartBundles[kind],
    metadata: {}
  });
  try {
    const ended = await drawn;
    performance.measure(`jupyterlab-runs:chart:${kind}`, {
      start: started,
      end: ended
    });
    return { ms: ended - started, marks: count() };
  } catch (error) {
    return { error: String(error) };
  } finally {
    observer.disconnect();
    clearTimeout(timer);
  }
}

/**
 * Our renderer alone: create it from the notebook's rendermime registry and time
 * `renderModel` (which resolves once vega has drawn) on a model of `bundle`. In the page.
 */
async function renderModelInPage({ kind, expected, selector, mime }) {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  const host = document.createElement('div');
  host.style.width = `${notebook.node.clientWidth}px`;
  notebook.node.appendChild(host);
  await new Promise(resolve =>
    requestAnimationFrame(() => setTimeout(resolve, 0))
  );
  const started = performance.now();
  const renderer = notebook.rendermime.createRenderer(mime);
  host.appendChild(renderer.node);
  try {
    const model = notebook.rendermime.createModel({
      data: window.__chartBundles[kind]
    });
    await renderer.renderModel(model);
    const ended = performance.now();
    const marks = host.querySelectorAll(selector).length;
    if (marks < expected) {
      return { error: `${marks} marks after renderModel` };
    }
    performance.measure(`jupyterlab-runs:chart:renderModel:${kind}`, {
      start: started,
      end: ended
    });
    return { ms: ended - started, marks };
  } finally {
    renderer.dispose();
    host.remove();
  }
}

async function browserFigures(bundles) {
  const lab = await startLab();
  try {
    fs.writeFileSync(path.join(lab.root, 'plain.ipynb'), notebook());
    const { page } = lab;
    const requested = [];
    page.on('request', request => {
      const url = new URL(request.url());
      if (url.pathname.startsWith(STATIC_URL)) {
        requested.push(path.basename(url.pathname));
      }
    });
    await lab.open('plain.ipynb');
    await page.waitForFunction(
      () => window.jupyterapp.shell.currentWidget?.context?.isReady,
      null,
      { timeout: 60000 }
    );
    await page.waitForLoadState('networkidle');
    const beforeChart = [...requested];

    // Collect our measures through a PerformanceObserver, as a profiler would.
    await page.evaluate(() => {
      window.__chartMeasures = [];
      new PerformanceObserver(list => {
        for (const entry of list.getEntries()) {
          if (entry.name.startsWith('jupyterlab-runs:chart:')) {
            window.__chartMeasures.push({
              name: entry.name,
              duration: entry.duration
            });
          }
        }
      }).observe({ type: 'measure' });
    });
    for (const { kind } of CHARTS) {
      await page.evaluate(
        ({ kind, data }) => {
          window.__chartBundles = window.__chartBundles ?? {};
          window.__chartBundles[kind] = data;
        },
        { kind, data: bundles[kind] }
      );
    }
    const render = chart =>
      page.evaluate(renderInPage, {
        kind: chart.kind,
        expected: chart.marks,
        selector: MARKS
      });

    const cold = await render(CHARTS[0]);
    await page.waitForLoadState('networkidle');
    const afterChart = requested.filter(file => !beforeChart.includes(file));
    const renderOnly = chart =>
      page.evaluate(renderModelInPage, {
        kind: chart.kind,
        expected: chart.marks,
        selector: MARKS,
        mime: COMPARE_MIME
      });
    const repeat = async measure => {
      const times = [];
      const errors = [];
      for (let i = 0; i < REPS; i++) {
        const result = await measure();
        if (result.error) {
          errors.push(result.error);
        } else {
          times.push(result.ms);
        }
      }
      return { times, errors };
    };
    const results = {};
    const renderer = {};
    for (const chart of CHARTS) {
      results[chart.kind] = await repeat(() => render(chart));
      renderer[chart.kind] = await repeat(() => renderOnly(chart));
    }
    const observed = await page.evaluate(() => window.__chartMeasures);
    return { cold, results, renderer, observed, beforeChart, afterChart };
  } finally {
    await lab.close();
  }
}

const ms = x => (x === undefined ? '—' : x.toFixed(0));
const kb = bytes => `${(bytes / 1024).toFixed(0)} KiB`;

/**
 * The rows `python -m bench` shows: each chart drawn in the browser (MLflow's UI cannot be
 * timed here), the data side beside MLflow's, and the size of each inserted output.
 */
function jsonRows(browser, data) {
  const rows = CHARTS.map(chart => {
    const { times, errors } = browser.results[chart.kind];
    const extra = errors.length > 0 ? { note: errors[0], met: false } : {};
    const drawn = times.length > 0 ? summarize(times) : null;
    return benchRow(
      'B8 charts',
      `browser: ${chart.label}, inserted → drawn`,
      chart.label,
      drawn,
      null,
      chart.target,
      extra
    );
  });
  for (const n of [10, 100, 1000]) {
    const key = `bar ${n}`;
    rows.push(
      benchRow(
        'B8 charts',
        'data: search + bundle (bar)',
        `${n} runs`,
        summarize(data.ours[key]),
        summarize(data.mlflow[key]),
        null
      )
    );
  }
  rows.push(
    benchRow(
      'B8 charts',
      'data: search + histories + bundle',
      LINES,
      summarize(data.ours.line),
      data.mlflow.line ? summarize(data.mlflow.line) : null,
      null,
      data.mlflow.line ? {} : { note: MLFLOW_WHOLE_READ }
    ),
    benchRow(
      'B8 charts',
      'data: chart read, 33 points a run (MLflow: bulk-interval)',
      LINES,
      summarize(data.ours['chart read']),
      summarize(data.mlflow['chart read']),
      null,
      {
        note: 'POST runs/metrics max_points: what the panel charts and inserts'
      }
    ),
    benchRow(
      'B8 charts',
      'data: zoom to 1,000 steps, 200 points a run (MLflow: bulk-interval)',
      LINES,
      summarize(data.ours.zoom),
      summarize(data.mlflow.zoom),
      null,
      {
        note: `points returned: ours ${data.ours['zoom points']}, MLflow ${data.mlflow['zoom points']}`
      }
    )
  );
  for (const chart of CHARTS) {
    const kb = data.bundle_bytes[chart.kind] / 1024;
    rows.push(
      benchRow(
        'B8 charts',
        'inserted output in the .ipynb',
        chart.label,
        null,
        null,
        null,
        {
          ours: [kb, kb],
          unit: 'KB',
          target: { stat: 'p50', limit: 1024, text: '≤ 1 MB' }
        }
      )
    );
  }
  return rows;
}

(async () => {
  const folder = fs.mkdtempSync(
    path.join(os.tmpdir(), 'jupyterlab-runs-charts-')
  );
  const loadBefore = loadAverage();
  const data = dataFigures(folder);
  const bundles = JSON.parse(
    fs.readFileSync(path.join(folder, 'bundles.json'), 'utf8')
  );
  for (const chart of CHARTS) {
    const runs = bundles[chart.kind][COMPARE_MIME].runs.length;
    // One bar or point per run; one line per run for histories.
    if (runs !== chart.marks) {
      throw new Error(
        `the ${chart.kind} bundle has ${runs} runs, not ${chart.marks}`
      );
    }
  }
  const loadMiddle = loadAverage();
  // Read the chunks before the browser loads them (a rebuild renames them).
  const chunks = chunkCatalog();
  const browser = await browserFigures(bundles);
  const loadAfter = loadAverage();
  fs.rmSync(folder, { recursive: true, force: true });

  const vegaChunks = chunks.filter(c => c.vega);
  const vegaBefore = vegaChunks.filter(c =>
    browser.beforeChart.includes(c.file)
  );
  const vegaAfter = vegaChunks.filter(c => browser.afterChart.includes(c.file));
  const startup = chunks.filter(c => browser.beforeChart.includes(c.file));

  console.log(`\nExtension chunks (${path.relative(ROOT, STATIC_DIR)}):`);
  for (const c of chunks) {
    const when = browser.beforeChart.includes(c.file)
      ? 'loaded at startup'
      : browser.afterChart.includes(c.file)
        ? 'loaded with the first chart'
        : 'not requested';
    const extra =
      c.packages.length > 1
        ? ` (+ ${c.packages
            .filter(p => p !== c.main)
            .slice(0, 4)
            .join(', ')})`
        : '';
    console.log(
      `  ${c.vega ? 'vega ' : '     '} ${kb(c.bytes).padStart(9)}  ${when.padEnd(27)}  ${c.main}${extra}  ${c.file}`
    );
  }
  console.log(
    `\nLoad average (1, 5, 15 min): ${loadBefore} before, ${loadMiddle} after the data side, ` +
      `${loadAfter} after the browser side; ${os.cpus().length} CPUs; MLflow ${data.mlflow.version}; ` +
      `bundles ${Object.entries(data.bundle_bytes)
        .map(([k, v]) => `${k} ${kb(v)}`)
        .join(', ')}.\n`
  );

  if (JSON_OUTPUT) {
    printJsonRows(jsonRows(browser, data));
    return;
  }
  const rows = [];
  let failed = false;
  for (const chart of CHARTS) {
    const { times, errors } = browser.results[chart.kind];
    const s = times.length > 0 ? summarize(times) : { n: 0 };
    const met = errors.length === 0 && s.n >= 5 && s.p50 <= chart.target;
    failed ||= !met;
    rows.push([
      'ours',
      `browser: ${chart.label}: output inserted → all SVG marks drawn`,
      s.n,
      ms(s.p50),
      ms(s.p95),
      `p50 ≤ ${chart.target}`,
      errors.length > 0
        ? `NO (${errors[0]})`
        : `${met ? 'yes' : 'NO'}${s.p95 > chart.target ? ' (p95 over)' : ''}`
    ]);
    const only = browser.renderer[chart.kind];
    const r = only.times.length > 0 ? summarize(only.times) : { n: 0 };
    failed ||= only.errors.length > 0;
    rows.push([
      'ours',
      '  same chart, our renderer alone: renderModel → drawn (measured apart)',
      r.n,
      ms(r.p50),
      ms(r.p95),
      '',
      only.errors.length > 0 ? `NO (${only.errors[0]})` : ''
    ]);
  }
  rows.push([
    'ours',
    'browser: first chart of the session (bar, 1,000 runs), includes loading the vega chunks',
    1,
    browser.cold.error ? 'error' : ms(browser.cold.ms),
    '',
    '—',
    browser.cold.error ?? ''
  ]);
  const lazyOk = vegaBefore.length === 0 && vegaAfter.length > 0;
  failed ||= !lazyOk || Boolean(browser.cold.error);
  rows.push([
    'ours',
    `vega chunks requested opening JupyterLab + a notebook without charts (of ${vegaChunks.length}; ${startup.length} chunks, ${kb(startup.reduce((a, c) => a + c.bytes, 0))} in all)`,
    '',
    String(vegaBefore.length),
    '',
    '0',
    vegaBefore.length === 0 ? 'yes' : 'NO'
  ]);
  rows.push([
    'ours',
    `vega chunks requested when the first chart is shown (${kb(vegaAfter.reduce((a, c) => a + c.bytes, 0))})`,
    '',
    String(vegaAfter.length),
    '',
    '≥ 1',
    vegaAfter.length > 0 ? 'yes' : 'NO'
  ]);
  const dataRow = (who, label, values) => {
    const s = summarize(values);
    return [who, label, s.n, ms(s.p50), ms(s.p95), '—', ''];
  };
  for (const n of [10, 100, 1000]) {
    rows.push(
      dataRow(
        'ours',
        `kernel: search + build_compare_bundle, ${n} runs (bar)`,
        data.ours[`bar ${n}`]
      )
    );
  }
  rows.push(
    dataRow(
      'ours',
      `kernel: search + history + build_compare_bundle, ${LINES}`,
      data.ours.line
    )
  );
  for (const n of [10, 100, 1000]) {
    rows.push(
      dataRow(
        'MLflow',
        `mlflow.search_runs + chart column, ${n} runs${n === 10 ? ' (UI default)' : ''}`,
        data.mlflow[`bar ${n}`]
      )
    );
  }
  rows.push(
    ...(data.mlflow.line
      ? [
          dataRow(
            'MLflow',
            `search_runs + get_metric_history per run, ${LINES}`,
            data.mlflow.line
          )
        ]
      : []),
    dataRow(
      'ours',
      `chart read: POST runs/metrics' work, 33 points a run, ${LINES}`,
      data.ours['chart read']
    ),
    dataRow(
      'MLflow',
      `chart read: get_metric_history_bulk_interval, 33 points a run, ${LINES}`,
      data.mlflow['chart read']
    ),
    dataRow(
      'ours',
      `zoom: POST runs/metrics' work for 1,000 steps of ${LINES}, 200 points a run`,
      data.ours.zoom
    ),
    dataRow(
      'MLflow',
      `zoom: get_metric_history_bulk_interval, same steps and points, ${LINES}`,
      data.mlflow.zoom
    )
  );
  const measured = browser.observed.length;
  printTable(
    ['whose', 'measure', 'n', 'p50 ms', 'p95 ms', 'target', 'met'],
    rows
  );
  console.log(
    `\n(${measured} renders recorded through PerformanceObserver; "n" counts timed repetitions, ` +
      'with n < 20 the p95 is the slowest one. ' +
      'MLflow UI chart drawing is not timed: see the header of this file.)'
  );
  process.exit(failed ? 1 : 0);
})().catch(error => {
  console.error(error);
  process.exit(2);
});
