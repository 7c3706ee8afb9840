/**
 * The Jupyter server killed (kill -9) and restarted while the Runs panel is open and a
 * headless job keeps logging: the panel recovers by itself, without a reload, and every run
 * the job logged is there. The spec runs its own `jupyter lab` (not the shared Galata
 * server) on a free port of 127.0.0.1, so that it can kill it and start it again on the same
 * port and root.
 */
import { expect, test } from '@playwright/test';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { answers, exited, freePort, kill, startLab } from './servers';

const TOKEN = 'restart-spec-token';
const PANEL = '#jupyterlab-runs-panel';

// A job as papermill would run it: it writes straight to the store, one run every 300 ms.
const JOB = `
import sys, time
import jupyterlab_runs as jr
jr.set_experiment("restart")
for i in range(int(sys.argv[1])):
    with jr.start_run():
        jr.log_param("i", i)
        jr.log_metric("loss", 1 / (i + 1))
    print(i, flush=True)
    time.sleep(0.3)
`;

test('the panel recovers by itself after a server restart, nothing is lost', async ({
  page
}) => {
  test.setTimeout(240000);
  const root = fs.mkdtempSync(
    path.join(os.tmpdir(), 'jupyterlab-runs-restart-')
  );
  const log = fs.createWriteStream(
    path.join(root, '..', `${path.basename(root)}.log`)
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const runs = 100;
  const state = fs.mkdtempSync(
    path.join(os.tmpdir(), 'jupyterlab-runs-restart-lab-')
  );
  let lab = startLab(port, root, TOKEN, log, { state });
  let job: ChildProcess | undefined;
  try {
    await answers(`${base}/api/status?token=${TOKEN}`, 'jupyter lab');
    await page.goto(`${base}/lab?token=${TOKEN}`);
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });

    // The headless job writes to the store of the server's root, like a kernel it starts.
    job = spawn('python', ['-c', JOB, `${runs}`], {
      env: {
        ...process.env,
        JUPYTERLAB_RUNS_URI: `sqlite:///${root}/.jupyterlab-runs/runs.db`
      },
      stdio: ['ignore', 'pipe', 'inherit']
    });
    let logged = 0;
    job.stdout!.on('data', (chunk: Buffer) => {
      logged += chunk.toString().split('\n').filter(Boolean).length;
    });

    await page.locator('.jp-SideBar [data-id="jupyterlab-runs-panel"]').click();
    const picker = page.locator(`${PANEL} .jp-RunsList-experiment select`);
    await expect(picker.locator('option', { hasText: 'restart' })).toHaveCount(
      1,
      {
        timeout: 30000
      }
    );
    await picker.selectOption('restart');
    const row = (version: number) =>
      page.locator(`${PANEL} .jp-RunsList-row[data-version="${version}"]`);
    await expect(row(3)).toBeVisible({ timeout: 30000 });

    await test.step('kill -9 the server, start it again on the same port and root', async () => {
      await kill(lab);
      await new Promise(resolve => setTimeout(resolve, 2000)); // the job logs on meanwhile
      lab = startLab(port, root, TOKEN, log, { state });
      await answers(`${base}/api/status?token=${TOKEN}`, 'jupyter lab');
    });

    await test.step('the panel shows runs logged after the restart, no reload', async () => {
      // Runs the job logs after the restart (the job may end first on a slow machine).
      const after = Math.min(logged + 3, runs);
      await expect(row(after)).toBeVisible({ timeout: 60000 });
    });

    await test.step('every run the job logged is there', async () => {
      await exited(job!); // it may have ended already on a slow machine
      expect(logged).toBe(runs);
      await expect(row(runs)).toBeVisible({ timeout: 30000 });
      const reply = await fetch(
        `${base}/jupyterlab-runs/api/runs?fields=summary&max_results=1000&token=${TOKEN}`
      );
      const versions = ((await reply.json()).runs as { version: number }[])
        .map(run => run.version)
        .sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: runs }, (_, i) => i + 1));
    });
  } finally {
    await kill(job);
    await kill(lab);
    log.end();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(state, { recursive: true, force: true });
  }
});
