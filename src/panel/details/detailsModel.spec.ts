import { IRun } from '../../api/types';
import { logRun, useServer } from '../../testutils/server';
import { RunDetailsModel } from './detailsModel';
import { MAX_SPARK_POINTS } from './sparkline';

const server = useServer();

describe('RunDetailsModel against a real server', () => {
  let model: RunDetailsModel;
  let v1: IRun;
  let v2: IRun;

  beforeAll(async () => {
    const client = server.client();
    v1 = await logRun(client, 'details.ipynb', 1, 0.5);
    v2 = await logRun(client, 'details.ipynb', 2, 0.75, {
      metrics: [
        { key: 'accuracy', value: 0.75, source: 'printed' },
        { key: 'loss', value: 0.9, step: 0, source: 'explicit' },
        { key: 'loss', value: 0.5, step: 1, source: 'explicit' },
        { key: 'loss', value: NaN, step: 2, source: 'explicit' },
        { key: 'loss', value: 0.25, step: 3, source: 'explicit' }
      ]
    });
  });

  beforeEach(() => {
    model = new RunDetailsModel({ client: server.client() });
  });

  afterEach(() => model.dispose());

  it('loads a run with its step histories, artifacts and other versions', async () => {
    await model.load(v2.id);
    expect(model.run?.version).toBe(2);
    expect(model.loading).toBe(false);
    // Only metrics with several points get a history (for the sparkline).
    expect([...model.histories.keys()]).toEqual(['loss']);
    expect(model.histories.get('loss')?.map(p => p.step)).toEqual([0, 1, 2, 3]);
    expect(model.histories.get('loss')?.[2].value).toBeNaN();
    expect(model.artifacts).toEqual([]);
    expect(model.versions.map(run => run.version)).toEqual([1]);
  });

  it('fetches a long history thinned to the sparkline, its spike kept', async () => {
    const steps = Array.from({ length: 5_000 }, (_, step) => ({
      key: 'loss',
      value: step === 3_217 ? 9 : 1 / (step + 1),
      step,
      source: 'explicit' as const
    }));
    const long = await logRun(server.client(), 'details.ipynb', 3, 0.8, {
      metrics: steps
    });
    await model.load(long.id);
    const history = model.histories.get('loss') ?? [];
    expect(history.length).toBeGreaterThan(MAX_SPARK_POINTS / 2);
    expect(history.length).toBeLessThanOrEqual(MAX_SPARK_POINTS);
    expect(history[0].step).toBe(0);
    expect(history[history.length - 1].step).toBe(4_999);
    expect(history.find(p => p.value === 9)?.step).toBe(3_217);
  });

  it('diffs against another version by id', async () => {
    await model.load(v2.id);
    expect(model.diffWith).toBeNull();
    model.setDiffWith(v1.id);
    expect(model.diffWith?.code).toBe(v1.code);
    model.setDiffWith(null);
    expect(model.diffWith).toBeNull();
  });

  it('renames, annotates and tags, announcing each saved change', async () => {
    await model.load(v1.id);
    const updates: IRun[] = [];
    model.runUpdated.connect((_, run) => updates.push(run));

    expect(await model.rename('baseline')).toBe(true);
    expect(await model.setNote('**first** try')).toBe(true);
    expect(await model.setTag('team', 'ml')).toBe(true);
    expect(await model.setTag('owner', 'ada', 'team')).toBe(true);
    expect(model.run?.tags).toEqual({ owner: 'ada' });
    expect(await model.deleteTag('owner')).toBe(true);

    expect(updates.map(run => run.name)).toEqual(Array(5).fill('baseline'));
    const stored = await server.client().getRun(v1.id);
    expect(stored.name).toBe('baseline');
    expect(stored.note).toBe('**first** try');
    expect(stored.tags).toEqual({});
  });

  it('shows the server error for a run that does not exist', async () => {
    await model.load('0'.repeat(32));
    expect(model.run).toBeNull();
    expect(model.error?.kind).toBe('other');
    expect(model.error?.message).toBeTruthy();
  });

  it('ignores a load superseded by a newer one', async () => {
    const first = model.load(v1.id);
    const second = model.load(v2.id);
    await Promise.all([first, second]);
    expect(model.run?.id).toBe(v2.id);
  });
});
