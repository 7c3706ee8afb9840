import { ServerConnection } from '@jupyterlab/services';

import { RunsClient } from './client';
import { INewRun } from './types';
import { readText } from '../testutils/blob';
import { saved, useServer } from '../testutils/server';

// A real jupyter server with the jupyterlab_runs extension and a fresh store.
const server = useServer();
let client: RunsClient;

beforeAll(() => {
  client = server.client();
});

function newRun(overrides: Partial<INewRun> = {}): INewRun {
  return {
    experiment_name: 'client-spec.ipynb',
    notebook_path: 'client-spec.ipynb',
    status: 'FINISHED',
    source: 'toolbar',
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_000_250,
    code: 'lr = 0.1',
    params: [{ key: 'lr', value: '0.1', type: 'float', source: 'assign' }],
    metrics: [{ key: 'accuracy', value: 0.9, source: 'printed' }],
    ...overrides
  };
}

describe('RunsClient against a real server', () => {
  it('creates runs with consecutive versions and reads them back', async () => {
    const first = saved(await client.createRun(newRun()));
    const second = saved(await client.createRun(newRun({ code: 'lr = 0.2' })));
    expect(second.version).toBe(first.version + 1);
    expect(second.experiment_id).toBe(first.experiment_id);

    const fetched = await client.getRun(first.id);
    expect(fetched.params['lr']).toEqual({
      value: '0.1',
      type: 'float',
      source: 'assign'
    });
    expect(fetched.metrics['accuracy'].value).toBeCloseTo(0.9);
    expect(fetched.duration_ms).toBe(250);
  });

  it('sends and decodes NaN and infinities', async () => {
    const run = await client.createRun(
      newRun({
        metrics: [
          { key: 'loss', value: NaN, source: 'explicit' },
          { key: 'upper', value: Infinity, source: 'explicit' },
          { key: 'lower', value: -Infinity, source: 'explicit' }
        ]
      })
    );
    expect(run.metrics['loss'].value).toBeNaN();
    expect(run.metrics['upper'].value).toBe(Infinity);
    expect(run.metrics['lower'].value).toBe(-Infinity);
    const history = (await client.metricHistories([run.id], ['loss']))
      .get(run.id)!
      .get('loss')!;
    expect(history).toHaveLength(1);
    expect(history[0].value).toBeNaN();
  });

  it('searches with order, paging and a filter', async () => {
    const experiment = await client.ensureExperiment('paging.ipynb');
    for (const acc of [0.5, 0.9, 0.7]) {
      await client.createRun(
        newRun({
          experiment_id: experiment.id,
          experiment_name: undefined,
          metrics: [{ key: 'accuracy', value: acc, source: 'printed' }]
        })
      );
    }
    const first = await client.searchRuns({
      experimentIds: [experiment.id],
      orderBy: ['metrics.accuracy DESC'],
      maxResults: 2
    });
    expect(first.total).toBe(3);
    expect(first.runs.map(r => r.metrics['accuracy'].value)).toEqual([
      0.9, 0.7
    ]);
    const rest = await client.searchRuns({
      experimentIds: [experiment.id],
      orderBy: ['metrics.accuracy DESC'],
      maxResults: 2,
      pageToken: first.next_page_token
    });
    expect(rest.runs.map(r => r.metrics['accuracy'].value)).toEqual([0.5]);
    expect(rest.next_page_token).toBeNull();

    const filtered = await client.searchRuns({
      experimentIds: [experiment.id],
      filter:
        'metrics.accuracy > 0.6 AND (status = "FINISHED" OR status = "FAILED")'
    });
    expect(filtered.total).toBe(2);
  });

  it('throws ResponseError with the server message', async () => {
    const experiment = await client.ensureExperiment('errors.ipynb');
    const error = await client
      .searchRuns({ experimentIds: [experiment.id], filter: 'metrics.acc >' })
      .catch(reason => reason);
    expect(error).toBeInstanceOf(ServerConnection.ResponseError);
    expect(error.response.status).toBe(400);
    expect(error.message).toMatch(/position/);

    const missing = await client.getRun('0'.repeat(32)).catch(reason => reason);
    expect(missing.response.status).toBe(404);
  });

  it('updates, deletes and restores runs; lists keys and changes', async () => {
    const since = (await client.changes(0)).cursor;
    const run = await client.createRun(newRun());
    const updated = await client.updateRun(run.id, {
      name: 'baseline',
      note: 'first',
      set_tags: { team: 'ml' }
    });
    expect(updated.name).toBe('baseline');
    expect(updated.tags).toEqual({ team: 'ml' });

    expect((await client.deleteRuns([run.id])).done).toEqual([run.id]);
    const deleted = await client.searchRuns({
      experimentIds: [run.experiment_id],
      view: 'deleted'
    });
    expect(deleted.runs.map(r => r.id)).toContain(run.id);
    const restored = await client.restoreRuns([run.id]);
    expect(restored).toEqual({ done: [run.id], errors: [] });
    expect((await client.getRun(run.id)).deleted_time).toBeNull();

    const keys = await client.keys([run.experiment_id]);
    expect(keys.params).toContain('lr');
    expect(keys.metrics).toContain('accuracy');
    expect(keys.tags).toContain('team');

    const changes = await client.changes(since);
    expect(changes.cursor).toBeGreaterThan(since);
    expect(changes.changes.some(c => c.id === run.id)).toBe(true);
  });

  it('builds artifact download URLs under the API', () => {
    const url = client.artifactUrl('abc', 'models/model one/model.pkl');
    expect(url).toMatch(
      /jupyterlab-runs\/api\/runs\/abc\/artifacts\/models\/model%20one\/model\.pkl$/
    );
  });

  it('lists summaries without the code and the capture context', async () => {
    const run = await client.createRun(
      newRun({ context: { notebook: [{ id: 'c', source: 'x = 1' }] } })
    );
    const page = await client.searchRunSummaries({
      experimentIds: [run.experiment_id]
    });
    const summary = page.runs.find(r => r.id === run.id)!;
    expect(summary.params['lr'].value).toBe('0.1');
    expect('code' in summary).toBe(false);
    expect('context' in summary).toBe(false);
    const full = await client.searchRuns({
      experimentIds: [run.experiment_id]
    });
    expect(full.runs.find(r => r.id === run.id)!.code).toBe('lr = 0.1');
  });

  it('fills in what a summary leaves out: summaries read like the full runs', async () => {
    const run = await client.createRun(
      newRun({
        experiment_name: 'summary-defaults.ipynb',
        params: [
          { key: 'lr', value: '0.1', type: 'float', source: 'explicit' },
          { key: 'depth', value: '8', type: 'int', source: 'kwarg' }
        ],
        metrics: [
          { key: 'once', value: 0.5, source: 'explicit' },
          { key: 'nan', value: NaN, source: 'explicit' },
          { key: 'loss', value: 0.9, step: 0, source: 'explicit' },
          { key: 'loss', value: 0.4, step: 3, source: 'explicit' },
          { key: 'loss', value: 0.6, step: 7, source: 'explicit' },
          { key: 'acc', value: 0.7, step: 2, source: 'printed' }
        ]
      })
    );
    const query = { experimentIds: [run.experiment_id] };
    const [summary] = (await client.searchRunSummaries(query)).runs;
    const [full] = (await client.searchRuns(query)).runs;
    expect(summary.params).toEqual(full.params);
    expect(summary.params['lr'].source).toBe('explicit');
    expect(summary.metrics).toEqual(full.metrics);
    expect(summary.metrics['loss']).toMatchObject({
      value: 0.6,
      step: 7,
      min: 0.4,
      max: 0.9,
      count: 3,
      source: 'explicit'
    });
    expect(summary.metrics['once']).toMatchObject({
      min: 0.5,
      max: 0.5,
      count: 1,
      step: 0
    });
    expect(summary.metrics['nan'].min).toBeNaN();
  });
  it('reads many histories, deletes and restores many runs in one request each', async () => {
    const steps = [0, 1, 2].map(step => ({
      key: 'loss',
      value: 1 / (step + 1),
      step,
      source: 'explicit' as const
    }));
    const runs = [
      await client.createRun(
        newRun({ experiment_name: 'bulk.ipynb', metrics: steps })
      ),
      await client.createRun(
        newRun({ experiment_name: 'bulk.ipynb', metrics: steps })
      )
    ];
    const ids = runs.map(run => run.id);
    const requests = jest.spyOn(ServerConnection, 'makeRequest');
    try {
      const histories = await client.metricHistories(ids, ['loss']);
      expect(requests).toHaveBeenCalledTimes(1);
      expect(
        ids.map(id =>
          histories
            .get(id)!
            .get('loss')!
            .map(p => p.step)
        )
      ).toEqual([
        [0, 1, 2],
        [0, 1, 2]
      ]);
      requests.mockClear();
      const missing = 'f'.repeat(32);
      const deleted = await client.deleteRuns([...ids, missing]);
      expect(requests).toHaveBeenCalledTimes(1);
      expect(deleted.done).toEqual(ids);
      expect(deleted.errors.map(e => e.run_id)).toEqual([missing]);
    } finally {
      requests.mockRestore();
    }
    const active = await client.searchRunSummaries({
      experimentIds: [runs[0].experiment_id]
    });
    expect(active.total).toBe(0);
    expect((await client.restoreRuns(ids)).done).toEqual(ids);
  });

  it('exports a search as CSV streamed by the server, with progress', async () => {
    const run = await client.createRun(
      newRun({ experiment_name: 'export.ipynb', params: [] })
    );
    const progress: Array<[number, number]> = [];
    const blob = await client.exportRuns(
      {
        format: 'csv',
        query: { experimentIds: [run.experiment_id] },
        columns: ['attributes.version', 'metrics.accuracy'],
        metricValues: { accuracy: 'max' }
      },
      undefined,
      (done, total) => progress.push([done, total])
    );
    expect(blob.type).toMatch(/^text\/csv/);
    expect(await readText(blob)).toBe(
      `run_id,version,metrics.accuracy\r\n${run.id},1,0.9\r\n`
    );
    expect(progress[progress.length - 1]).toEqual([1, 1]);
  });

  it('reports a bad export request with the server message', async () => {
    await expect(
      client.exportRuns({
        format: 'csv',
        query: { experimentIds: [] },
        columns: ['accuracy'],
        metricValues: {}
      })
    ).rejects.toThrow(/columns\[0\]/);
  });

  it('scans a cell on the server: params and names', async () => {
    const scan = await client.scan({
      code: 'n_estimators = 200\nacc = model.score(X, y)\nfit(max_depth=8)',
      language: 'python'
    });
    expect(scan).toEqual({
      params: [
        { key: 'n_estimators', value: '200', type: 'int', source: 'assign' },
        { key: 'max_depth', value: '8', type: 'int', source: 'kwarg' }
      ],
      names: ['acc']
    });
  });

  it('posts printed text that the server reads metrics from', async () => {
    const run = await client.createRun(
      newRun({
        metrics: [],
        printed: ['loss: nan\n', 'Accuracy: 0.964\nbest = -inf\n']
      })
    );
    expect(run.metrics['accuracy']).toMatchObject({
      value: 0.964,
      source: 'printed'
    });
    expect(run.metrics['loss'].value).toBeNaN();
    expect(run.metrics['best'].value).toBe(-Infinity);
  });

  it("rejects an oversized cell with the server's reason", async () => {
    await expect(
      client.scan({ code: '#'.repeat(2_000_001), language: 'python' })
    ).rejects.toThrow(
      'code has 2,000,001 characters; the scan takes at most 2,000,000'
    );
  });
});
