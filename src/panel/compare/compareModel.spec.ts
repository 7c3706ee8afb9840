import { IRun } from '../../api/types';
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
