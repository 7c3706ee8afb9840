import { compileWarnings } from '../testutils/compileCheck';
import { scatterRows } from './scatter';
import { buildSpec } from './spec';
import { testModel, testPayload, testRun } from '../testutils/charts';

const model = testModel(
  testPayload([
    testRun(1, {
      params: { n: '100', model: 'rf' },
      metrics: { accuracy: 0.91 }
    }),
    testRun(2, {
      params: { n: '200', model: 'gb' },
      metrics: { accuracy: 0.964 }
    }),
    testRun(3, {
      params: { n: '1e3', model: 'rf' },
      metrics: { accuracy: 0.93 }
    }),
    testRun(4, { params: { model: 'lr' }, metrics: { accuracy: 0.8 } }),
    testRun(5, {
      params: { n: '50', model: 'lr' },
      metrics: { accuracy: 'NaN' }
    })
  ])
);

type Spec = {
  data: { values: Array<Record<string, unknown>> };
  encoding: Record<string, Record<string, unknown> & { field?: string }>;
};

function scatter(params: string[]): Spec & { rowCount: number } {
  const build = buildSpec(model, {
    kind: 'scatter',
    metric: 'accuracy',
    params,
    dark: false
  });
  if (build.status !== 'ok') {
    throw new Error('expected a chart');
  }
  expect(compileWarnings(build.spec)).toEqual([]);
  return { ...(build.spec as unknown as Spec), rowCount: build.rowCount };
}

describe('scatter', () => {
  it('uses a quantitative x for a numeric param', () => {
    const spec = scatter(['n']);
    expect(spec.encoding.x).toMatchObject({
      field: 'x',
      type: 'quantitative',
      title: 'n'
    });
    expect(spec.data.values.map(v => v.x)).toEqual([100, 200, 1000]);
  });

  it('uses a nominal x for a categorical param, categories sorted, no jitter', () => {
    const spec = scatter(['model']);
    expect(spec.encoding.x).toMatchObject({
      field: 'x',
      type: 'nominal',
      scale: { domain: ['gb', 'lr', 'rf'] }
    });
    expect(spec.encoding.xOffset).toBeUndefined();
    expect(JSON.stringify(spec)).not.toContain('random');
    expect(spec.rowCount).toBe(4);
  });

  it('puts the metric on y and a tooltip with version and values', () => {
    const spec = scatter(['n']);
    expect(spec.encoding.y).toMatchObject({ field: 'y', title: 'accuracy' });
    const tooltip = spec.encoding.tooltip as unknown as Array<{
      field: string;
    }>;
    expect(tooltip.map(t => t.field)).toEqual([
      'label',
      'version',
      'xText',
      'y'
    ]);
  });

  it('lists runs missing the param or the metric', () => {
    const { missing } = scatterRows(model, 'n', 'accuracy', true);
    expect(missing).toEqual([
      { id: 'run4', label: 'v4', key: 'n' },
      { id: 'run5', label: 'v5', key: 'accuracy' }
    ]);
  });

  it('guesses the first differing numeric param when none is chosen', () => {
    expect(scatter([]).encoding.x.title).toBe('n');
  });

  it('describes each point by its run, param and metric', () => {
    const { rows } = scatterRows(model, 'n', 'accuracy', true);
    expect(rows.map(r => r.description)).toEqual([
      'v1 · n: 100 · accuracy: 0.91',
      'v2 · n: 200 · accuracy: 0.964',
      'v3 · n: 1e3 · accuracy: 0.93'
    ]);
  });

  it('highlights the best run', () => {
    const { rows } = scatterRows(model, 'model', 'accuracy', true);
    expect(rows.filter(r => r.best).map(r => r.label)).toEqual(['v2']);
  });

  it('is empty when the model has no params', () => {
    const bare = testModel(
      testPayload([testRun(1, { metrics: { accuracy: 1 } })])
    );
    expect(
      buildSpec(bare, {
        kind: 'scatter',
        metric: 'accuracy',
        params: [],
        dark: false
      }).status
    ).toBe('empty');
  });
});
