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
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

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

/** A TCP port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `jupyter lab` on `port` serving `root`, with this spec's token. */
function startLab(
  port: number,
  root: string,
  log: fs.WriteStream
): ChildProcess {
  const child = spawn(
    'jupyter',
    [
      'lab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.root_dir=${root}`,
      `--IdentityProvider.token=${TOKEN}`,
      '--ServerApp.allow_root=True',
      '--LabApp.news_url=',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  return child;
}

/** Wait until the server answers its status API. */
async function ready(base: string): Promise<void> {
  const deadline = Date.now() + 90000;
  while (Date.now() < deadline) {
    try {
      const reply = await fetch(`${base}/api/status?token=${TOKEN}`);
      if (reply.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error('jupyter lab did not start');
}

/** Resolves when the process has exited (at once if it already has). */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise(resolve => child.once('exit', () => resolve()));
}

/** Kill a process (-9) and wait until it is gone. */
async function kill(child: ChildProcess): Promise<void> {
  const gone = exited(child);
  child.kill('SIGKILL');
  await gone;
}

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
  let lab = startLab(port, root, log);
  let job: ChildProcess | undefined;
  try {
    await ready(base);
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
      lab = startLab(port, root, log);
      await ready(base);
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
    if (job) {
      await kill(job);
    }
    await kill(lab);
    log.end();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
