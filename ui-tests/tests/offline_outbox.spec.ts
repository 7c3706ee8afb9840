/**
 * The offline outbox end to end: JupyterLab on a real `mlflow server` that goes away. Runs
 * logged meanwhile — with Log run in the browser and by a headless notebook (nbclient) —
 * wait in the outbox, shown as "v? · waiting to sync" and counted in the panel header; they
 * survive a JupyterLab restart, and reach MLflow exactly once, with versions, when the
 * server is back on the same port and backend. The spec runs its own `mlflow server` and
 * `jupyter lab` on free ports of 127.0.0.1 (not the shared Galata server), so that it can
 * stop and start them, each by process id.
 */
import { expect, Page, test } from '@playwright/test';
import { ChildProcess, execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

import { LOG_RUN, notebookJson } from './notebook';
import { answers, freePort, kill, start, startLab } from './servers';

const TOKEN = 'offline-outbox-spec-token';
const PANEL = '#jupyterlab-runs-panel';
const NOTEBOOK = 'offline.ipynb';
const SCREENSHOT = path.resolve(
  __dirname,
  '../../docs/screenshots/offline-outbox.png'
);

/** A notebook of code cells, not run yet. */
function notebook(cells: string[]): string {
  return notebookJson(
    cells.map((source, index) => ({
      id: `cell-${index}`,
      cell_type: 'code',
      metadata: {},
      execution_count: null,
      outputs: [],
      source
    }))
  );
}

// The headless job: two runs through the Python API, into the notebook's experiment.
const HEADLESS = `import jupyterlab_runs as jr
jr.set_experiment("${NOTEBOOK}")
for i in (1, 2):
    with jr.start_run():
        jr.log_param("headless", i)
        jr.log_metric("accuracy", 0.8 + i / 100)
print("logged")`;

// Each run of the experiment as MLflow's own client finds it.
const MLFLOW_RUNS = `import json, sys
from mlflow.tracking import MlflowClient
client = MlflowClient(sys.argv[1])
experiment = client.get_experiment_by_name(sys.argv[2])
runs = client.search_runs([experiment.experiment_id], max_results=1000)
print(json.dumps([
    {"id": r.info.run_id, "outbox": r.data.tags.get("jupyterlab_runs.outbox_id"),
     "params": r.data.params} for r in runs]))`;

/** The Runs panel header and list, opened on the notebook. */
async function openNotebook(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/lab/tree/${NOTEBOOK}?token=${TOKEN}`);
  await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
  await page
    .locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')
    .waitFor({ timeout: 60000 });
  const tab = page.locator('.jp-SideBar [data-id="jupyterlab-runs-panel"]');
  if ((await tab.getAttribute('aria-selected')) !== 'true') {
    await tab.click();
  }
}

test('runs logged while MLflow is down wait in the outbox and arrive exactly once', async ({
  page
}) => {
  test.setTimeout(420000);
  const root = fs.mkdtempSync(
    path.join(os.tmpdir(), 'jupyterlab-runs-outbox-')
  );
  const work = path.join(root, 'lab');
  const mlflowDir = path.join(root, 'mlflow');
  fs.mkdirSync(work);
  fs.mkdirSync(mlflowDir);
  const log = fs.createWriteStream(
    path.join(root, '..', `${path.basename(root)}.log`)
  );
  const [mlflowPort, labPort] = [await freePort(), await freePort()];
  const tracking = `http://127.0.0.1:${mlflowPort}`;
  const base = `http://127.0.0.1:${labPort}`;
  const env = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('MLFLOW_'))
    ),
    JUPYTERLAB_RUNS_URI: tracking,
    // The outbox lives under the Jupyter data directory: this test's own.
    JUPYTER_DATA_DIR: path.join(root, 'data')
  };
  fs.writeFileSync(
    path.join(work, NOTEBOOK),
    notebook(['n = 3\nprint("accuracy: 0.91")'])
  );
  fs.writeFileSync(path.join(work, 'headless.ipynb'), notebook([HEADLESS]));
  // No "get notified about news?" toast over the panel in the screenshot.
  const settings = path.join(
    root,
    'settings',
    '@jupyterlab',
    'apputils-extension'
  );
  fs.mkdirSync(settings, { recursive: true });
  fs.writeFileSync(
    path.join(settings, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false' })
  );

  const startMlflow = () =>
    start(
      'python',
      [
        '-m',
        'mlflow',
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        String(mlflowPort),
        '--backend-store-uri',
        `sqlite:///${path.join(mlflowDir, 'mlflow.db')}`,
        '--artifacts-destination',
        path.join(mlflowDir, 'artifacts'),
        '--workers',
        '1'
      ],
      log,
      { env, cwd: mlflowDir }
    );
  const startJupyter = () =>
    startLab(labPort, work, TOKEN, log, { state: root, env });
  let mlflow: ChildProcess | undefined = startMlflow();
  let lab: ChildProcess | undefined;
  const header = page.locator(`${PANEL} .jp-RunsSync`);
  const pendingRows = page.locator(`${PANEL} .jp-RunsList-pendingRow`);
  try {
    await test.step('start mlflow server and jupyter lab, open the notebook', async () => {
      await answers(`${tracking}/health`, 'mlflow server');
      lab = startJupyter();
      await answers(`${base}/api/status?token=${TOKEN}`, 'jupyter lab');
      await openNotebook(page, base);
    });

    await test.step('stop the MLflow server; Log run waits in the outbox', async () => {
      await kill(mlflow);
      mlflow = undefined;
      await page.locator('.jp-Notebook .jp-Cell').first().click();
      await page.locator(`.jp-Cell ${LOG_RUN}`).first().click();
      const badge = page.locator('.jp-RunsCellBadge');
      await expect(badge).toHaveText('v? · waiting to sync', {
        timeout: 30000
      });
      await expect(
        page.locator('.Toastify__toast', {
          hasText: 'v? · waiting to sync'
        })
      ).toBeVisible();
      await expect(header.locator('.jp-RunsSync-pending')).toHaveText(
        '1 run waiting to sync',
        { timeout: 30000 }
      );
      await expect(header).toHaveAttribute('aria-live', 'polite');
      await expect(header.locator('.jp-RunsSync-errorText')).toContainText(
        `127.0.0.1:${mlflowPort}`
      );
      await expect(pendingRows).toHaveCount(1);
      await expect(pendingRows.first()).toContainText('v? · waiting to sync');
      // Not selectable: the pending row is no option of the run listbox.
      await expect(
        page.locator(`${PANEL} [role="option"][data-run-id]`)
      ).toHaveCount(0);
    });

    await test.step('a headless notebook (nbclient) logs two runs: 3 waiting', async () => {
      const run = promisify(execFile);
      const { stdout } = await run(
        'jupyter',
        ['execute', '--kernel_name=python3', 'headless.ipynb'],
        { cwd: work, env, timeout: 120000 }
      );
      expect(stdout).toBeDefined();
      await expect(header.locator('.jp-RunsSync-pending')).toHaveText(
        '3 runs waiting to sync',
        { timeout: 30000 }
      );
      await expect(pendingRows).toHaveCount(3);
      await header.locator('.jp-RunsSync-errorText').waitFor();
      // A wider sidebar for the screenshot: drag the handle left of it.
      const handle = page
        .locator(
          '#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)'
        )
        .last();
      const box = (await handle.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x - 150, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page
        .locator(`${PANEL} .jp-RunsPanel-listSection`)
        .screenshot({ path: SCREENSHOT });
    });

    await test.step('restart JupyterLab (kill -9, same port and root): still 3 waiting', async () => {
      // Saved first: the cell's link to its pending run is in the notebook's metadata.
      await page.keyboard.press('Control+s');
      await expect(page.locator('.lm-TabBar-tab.jp-mod-dirty')).toHaveCount(0);
      await kill(lab);
      lab = startJupyter();
      await answers(`${base}/api/status?token=${TOKEN}`, 'jupyter lab');
      await openNotebook(page, base);
      await expect(header.locator('.jp-RunsSync-pending')).toHaveText(
        '3 runs waiting to sync',
        { timeout: 30000 }
      );
      await page.locator('.jp-Notebook .jp-Cell').first().click();
      await expect(page.locator('.jp-RunsCellBadge')).toHaveText(
        'v? · waiting to sync'
      );
    });

    await test.step('start MLflow again: the header goes away, the runs have versions', async () => {
      mlflow = startMlflow();
      await answers(`${tracking}/health`, 'mlflow server');
      await expect(header).toBeHidden({ timeout: 90000 });
      await expect(pendingRows).toHaveCount(0);
      const rows = page.locator(`${PANEL} .jp-RunsList-row[data-version]`);
      await expect(rows).toHaveCount(3, { timeout: 30000 });
      const shown = await rows.evaluateAll(nodes =>
        nodes.map(node => Number(node.getAttribute('data-version')))
      );
      expect(new Set(shown).size).toBe(3);
      // Versions are gapless counting deleted runs: a delivery whose create timed out on
      // the (loaded) server deletes that run, which keeps its number, and creates again.
      const api = (what: string) =>
        fetch(`${base}/jupyterlab-runs/api/${what}&token=${TOKEN}`).then(
          reply => reply.json()
        );
      const experiment = (
        (await api('experiments?view=all')).experiments as {
          id: string;
          name: string;
        }[]
      ).find(e => e.name === NOTEBOOK)!;
      const all = (
        await api(
          `runs?experiment_ids=${experiment.id}&view=all&fields=summary&max_results=100`
        )
      ).runs as {
        version: number;
        deleted_time: number | null;
        params: Record<string, { value: string }>;
      }[];
      const versions = all.map(run => run.version).sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      const active = all.filter(run => run.deleted_time === null);
      expect(active.map(run => run.version).sort()).toEqual(shown.sort());
      // Delivered in the order they were logged: the toolbar's run, then the job's two.
      const version = (key: string, value: string) =>
        active.find(run => run.params[key]?.value === value)!.version;
      const first = version('n', '3');
      expect(first).toBeLessThan(version('headless', '1'));
      expect(version('headless', '1')).toBeLessThan(version('headless', '2'));
      // The cell's badge shows the final version of its run.
      await expect(page.locator('.jp-RunsCellBadge')).toHaveText(
        new RegExp(`^v${first} · accuracy 0\\.91`),
        { timeout: 30000 }
      );
    });

    await test.step('MLflow’s own client finds each run exactly once', async () => {
      const { stdout } = await promisify(execFile)(
        'python',
        ['-c', MLFLOW_RUNS, tracking, NOTEBOOK],
        { env, timeout: 60000 }
      );
      const runs = JSON.parse(stdout) as {
        id: string;
        outbox: string | null;
        params: Record<string, string>;
      }[];
      expect(runs).toHaveLength(3);
      expect(new Set(runs.map(r => r.outbox)).size).toBe(3);
      expect(runs.every(r => r.outbox)).toBe(true);
      const params = runs
        .map(r => r.params.n ?? `headless ${r.params.headless}`)
        .sort();
      expect(params).toEqual(['3', 'headless 1', 'headless 2']);
    });
  } finally {
    await kill(lab);
    await kill(mlflow);
    log.end();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
