import { JupyterServer } from '@jupyterlab/testing';
import { PromiseDelegate } from '@lumino/coreutils';

import { RunsClient } from '../api/client';
import { INewRun } from '../api/types';
import { ILiveUpdates } from '../tokens';
import { LiveUpdates } from './liveUpdates';
import { RunsQuery } from './runsQuery';

// A real jupyter server with the jupyterlab_runs extension and a fresh store.
const server = new JupyterServer();
let ours: RunsClient;
// Stands for a kernel or another browser tab logging runs.
let other: RunsClient;

beforeAll(async () => {
  await server.start({ configData: { ServerApp: { allow_root: true } } });
  ours = new RunsClient();
  other = new RunsClient();
}, 60000);

afterAll(async () => {
  await server.shutdown();
});

function newRun(experiment: string): INewRun {
  return {
    experiment_name: experiment,
    status: 'FINISHED',
    source: 'api',
    start_time: Date.now(),
    end_time: Date.now(),
    code: '',
    params: [],
    metrics: [{ key: 'acc', value: 0.5, source: 'explicit' }]
  };
}

/** The next emission of `live`, with the time it took. */
function nextChange(
  live: LiveUpdates
): Promise<{ changed: ILiveUpdates.IChanged; after: number }> {
  const started = performance.now();
  const done = new PromiseDelegate<{
    changed: ILiveUpdates.IChanged;
    after: number;
  }>();
  const listener = (_: LiveUpdates, changed: ILiveUpdates.IChanged) => {
    live.changed.disconnect(listener);
    done.resolve({ changed, after: performance.now() - started });
  };
  live.changed.connect(listener);
  return done.promise;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('LiveUpdates against a real server', () => {
  it('reports a run logged by another client within 2 s, with its experiment', async () => {
    const live = new LiveUpdates({ client: ours });
    const table = {};
    live.setVisible(table, true);
    await live.refresh();
    const start = live.cursor!;
    const change = nextChange(live);
    const run = await other.createRun(newRun('live-a.ipynb'));
    const { changed, after } = await change;
    expect(after).toBeLessThan(2000);
    expect([...changed.experimentIds]).toEqual([run.experiment_id]);
    expect(changed.changes.map(c => c.id)).toContain(run.id);
    expect(live.cursor).toBeGreaterThan(start);
    live.dispose();
  });

  it('names only the experiments that changed, so other views need not reload', async () => {
    const a = await ours.ensureExperiment('live-b.ipynb');
    const b = await ours.ensureExperiment('live-c.ipynb');
    const live = new LiveUpdates({ client: ours, interval: 100 });
    const viewA = new RunsQuery({ client: ours, experimentIds: [a.id] });
    const viewB = new RunsQuery({ client: ours, experimentIds: [b.id] });
    await viewB.requestRange(0, 10);
    let reloadedA = 0;
    live.changed.connect((_, { experimentIds }) => {
      if (viewA.affectedBy(experimentIds)) {
        reloadedA++;
        void viewA.refresh();
      }
      if (viewB.affectedBy(experimentIds)) {
        void viewB.refresh();
      }
    });
    const disposable = live.register(viewB, true);
    await live.refresh();
    const change = nextChange(live);
    await other.createRun(newRun('live-c.ipynb'));
    await change;
    await viewB.requestRange(0, 10);
    expect(viewB.total).toBe(1);
    expect(reloadedA).toBe(0);
    disposable.dispose();
    expect(live.active).toBe(false);
    viewA.dispose();
    viewB.dispose();
    live.dispose();
  });

  it('stands by while no consumer is visible, then catches up at once', async () => {
    const live = new LiveUpdates({ client: ours, interval: 100 });
    await live.refresh();
    const seen: string[] = [];
    live.changed.connect((_, { changes }) => {
      seen.push(...changes.map(c => c.id));
    });
    const run = await other.createRun(newRun('live-d.ipynb'));
    await sleep(500);
    expect(seen).toEqual([]);
    const change = nextChange(live);
    const panel = {};
    live.setVisible(panel, true);
    const { after } = await change;
    // Becoming visible polls immediately instead of waiting for the next interval.
    expect(after).toBeLessThan(100);
    expect(seen).toContain(run.id);
    live.setVisible(panel, false);
    live.dispose();
    live.dispose();
    expect(live.isDisposed).toBe(true);
  });
});
