/**
 * Browser half of bench/bench_team_server.py (run by it; prints one JSON line on stdout).
 *
 * Starts JupyterLab with JUPYTERLAB_RUNS_URI pointing at a running `mlflow server` and, in
 * Debian's Chromium, times opening the Runs panel on an experiment of that server: the
 * experiment chosen in the panel's picker → its first row visible. The first time is the
 * Jupyter server's first search of that experiment; the others switch to it again from
 * another experiment (each one a first page, nothing cached in the browser).
 *
 *   node bench/team_panel.bench.js '{"uri": "http://127.0.0.1:5000", "experiment": "bench",
 *                                     "other": "Default", "repeat": 5}'
 */
const { startLab } = require('./lab_session');

const PANEL = '#jupyterlab-runs-panel';
const PICKER = `${PANEL} .jp-RunsList-experimentPicker`;
const FIRST_ROW = `${PANEL} .jp-RunsList-row[data-version]`;

const options = JSON.parse(process.argv[2]);

/** The picker's value for the experiment named `name` (shown as "name (N runs)"). */
async function optionOf(page, name) {
  const options = await page
    .locator(`${PICKER} option`)
    .evaluateAll(found => found.map(o => [o.value, o.textContent]));
  const match = options.find(
    ([, text]) => text === name || text.startsWith(`${name} (`)
  );
  if (!match) {
    throw new Error(`no experiment ${name} in the picker: ${options}`);
  }
  return match[0];
}

/** Choose experiment `name` in the picker; ms until a run row of it is visible (null: `empty`). */
async function choose(page, name, rows) {
  const value = await optionOf(page, name);
  const started = Date.now();
  await page.locator(PICKER).selectOption({ value });
  if (!rows) {
    await page.waitForSelector(FIRST_ROW, { state: 'detached' });
    return null;
  }
  await page.waitForSelector(FIRST_ROW, { state: 'visible', timeout: 60000 });
  // Painted, not only in the DOM: the next frame after the row appeared.
  await page.evaluate(
    () => new Promise(resolve => requestAnimationFrame(() => resolve()))
  );
  return Date.now() - started;
}

async function main() {
  const lab = await startLab({ env: { JUPYTERLAB_RUNS_URI: options.uri } });
  try {
    const { page } = lab;
    await page.goto(`${lab.url}/lab?token=${lab.token}&reset`);
    await page.waitForFunction(
      () =>
        window.jupyterapp?.commands.hasCommand('jupyterlab-runs:open-panel'),
      null,
      { timeout: 60000 }
    );
    await page.evaluate(() =>
      window.jupyterapp.commands.execute('jupyterlab-runs:open-panel')
    );
    await page
      .waitForSelector(
        `${PICKER} option:text-matches("^${options.experiment} ")`,
        {
          state: 'attached',
          timeout: 60000
        }
      )
      .catch(async error => {
        const shown = await page.locator(PANEL).innerText();
        throw new Error(`${error.message}\nthe panel shows: ${shown}`);
      });
    const first = await choose(page, options.experiment, true);
    const again = [];
    for (let i = 0; i < options.repeat; i++) {
      await choose(page, options.other, false);
      again.push(await choose(page, options.experiment, true));
    }
    console.log(JSON.stringify({ first, again }));
  } finally {
    await lab.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
