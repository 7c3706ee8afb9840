/** Helpers for jest specs that talk to a real Jupyter server (nothing mocked). */

import { JupyterServer } from '@jupyterlab/testing';
import type { JSONObject } from '@lumino/coreutils';

import { RunsClient } from '../api/client';
import { INewRun, IRun, isPending, PendingRun } from '../api/types';

/**
 * Start a real jupyter server with the jupyterlab_runs extension and a fresh store (or the
 * `JupyterLabRuns` options given, a tracking URI say).
 */
export function useServer(runsOptions: JSONObject = {}): {
  client: () => RunsClient;
} {
  const server = new JupyterServer();
  let client: RunsClient;
  beforeAll(async () => {
    // CI runs as root, which jupyter_server refuses without allow_root.
    await server.start({
      configData: {
        ServerApp: { allow_root: true },
        JupyterLabRuns: runsOptions
      }
    });
    client = new RunsClient();
  }, 60000);
  afterAll(async () => {
    await server.shutdown();
  });
  return { client: () => client };
}

/** Save a run of `experiment` with one param `n` and the metric `accuracy` (plus extras). */
export async function logRun(
  client: RunsClient,
  experiment: string,
  n: number,
  accuracy: number,
  extra: Partial<INewRun> = {}
): Promise<IRun> {
  const run = await client.createRun({
    experiment_name: experiment,
    notebook_path: experiment,
    status: 'FINISHED',
    source: 'toolbar',
    start_time: 1_700_000_000_000 + n,
    end_time: 1_700_000_000_500 + n,
    cell_id: 'cell-1',
    code: `n = ${n}\nprint(f"accuracy: {${accuracy}}")`,
    params: [{ key: 'n', value: String(n), type: 'int', source: 'assign' }],
    metrics: [{ key: 'accuracy', value: accuracy, source: 'printed' }],
    ...extra
  });
  return saved(run);
}

/** A run the store saved with its version (the embedded store never queues one). */
export function saved<T extends IRun>(run: T | PendingRun<T>): T {
  if (isPending(run)) {
    throw new Error('the run was queued in the outbox, not saved');
  }
  return run;
}

/** Wait until `condition` holds (polling every 20 ms), failing after `timeout` ms. */
export async function waitFor(
  condition: () => boolean,
  timeout = 5000
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeout) {
      throw new Error(`condition not met within ${timeout} ms`);
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
