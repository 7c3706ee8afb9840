import { IRun } from '../../api/types';
import { historyPointBudget, MAX_BUNDLE_BYTES } from '../../charts/history';
import { buildCompareBundle } from '../../mime/bundle';
import { COMPARE_MIME } from '../../mime/mimeTypes';
import { logRun, useServer, waitFor } from '../../testutils/server';
import { CompareModel } from './compareModel';

const server = useServer();

describe('CompareModel against a real server', () => {
  let model: CompareModel;
  const runs: IRun[] = [];
  const experiment = { id: '', name: 'compare.ipynb' };

  beforeAll(async () => {
    const client = server.client();
    for (const [n, accuracy] of [
      [10, 0.7],
      [20, 0.9],
      [30, NaN]
    ]) {
      runs.push(
        await logRun(client, 'compare.ipynb', n, accuracy, {
          params: [
            { key: 'n', value: String(n), type: 'int', source: 'assign' },
            { key: 'model', value: 'rf', type: 'str', source: 'assign' }
          ],
          metrics: [
            { key: 'accuracy', value: accuracy, source: 'printed' },
            { key: 'loss', value: 1, step: 0, source: 'explicit' },
            { key: 'loss', value: 1 / n, step: 1, source: 'explicit' }
          ]
        })
      );
    }
    experiment.id = runs[0].experiment_id;
  });

  beforeEach(() => {
    model = new CompareModel({ client: server.client() });
  });

  afterEach(() => model.dispose());

  it('defaults to the list metric and to the params that differ', () => {
    model.setRuns(experiment, runs, 'accuracy');
    expect(model.choice).toEqual({
      kind: 'bar',
      metric: 'accuracy',
      params: ['n'],
      smoothing: 0
    });
    model.setRuns(experiment, runs, 'not-a-metric');
    expect(model.choice.metric).toBe('accuracy');
  });

  it('notes the NaN metric instead of dropping it silently', () => {
    model.setRuns(experiment, runs, 'accuracy');
    const result = model.validated;
    expect(result?.ok).toBe(true);
    if (result?.ok) {
      expect(result.model.notes.nonFinite).toBe(1);
      expect(result.model.runs.map(r => r.version)).toEqual([1, 2, 3]);
    }
  });

  it('fetches metric histories for line charts and puts them in the payload', async () => {
    model.setRuns(experiment, runs, 'loss');
    expect(model.payload().runs[0].history).toBeUndefined();
    model.setKind('line');
    model.setSmoothing(2);
    expect(model.choice.smoothing).toBe(0.99);
    await waitFor(() => !model.loading);
    const payload = model.payload();
    expect(payload.chart.kind).toBe('line');
    expect(payload.runs.map(r => r.history?.['loss']?.length)).toEqual([
      2, 2, 2
    ]);
  });

  it('asks for histories thinned to its budget, each spike and dip kept', async () => {
    const values = Array.from({ length: 3000 }, (_, step) => 1 / (step + 1));
    values[1234] = 50; // between the points an even thinning would keep
    values[1235] = -50;
    const long = await logRun(server.client(), 'long-history.ipynb', 1, 0.5, {
      metrics: values.map((value, step) => ({
        key: 'loss',
        value,
        step,
        source: 'explicit' as const
      }))
    });
    const where = { id: long.experiment_id, name: 'long-history.ipynb' };
    model.setRuns(where, [long], 'loss');
    model.setKind('line');
    await waitFor(() => !model.loading);
    const points = model.payload().runs[0].history?.['loss'] ?? [];
    expect(points.length).toBeGreaterThan(2);
    expect(points.length).toBeLessThanOrEqual(historyPointBudget(1));
    expect(points.map(([step]) => step)).toEqual(
      expect.arrayContaining([0, 1234, 1235, 2999])
    );
    const bundle = buildCompareBundle(model.payload());
    expect(JSON.stringify(bundle, null, 1).length).toBeLessThan(
      MAX_BUNDLE_BYTES
    );
  });

  it('builds the notebook output bundle from its payload', () => {
    model.setRuns(experiment, runs.slice(0, 2), 'accuracy');
    model.setKind('scatter');
    model.setParams(['n']);
    const bundle = buildCompareBundle(model.payload());
    expect(bundle[COMPARE_MIME].chart).toMatchObject({
      kind: 'scatter',
      metric: 'accuracy',
      params: ['n']
    });
    expect(bundle['text/plain']).toContain('2 runs compared');
  });
});
