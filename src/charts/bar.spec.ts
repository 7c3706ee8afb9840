import { barRows } from './bar';
import { buildSpec } from './spec';
import { testModel, testPayload, testRun } from '../testutils/charts';
import { compileWarnings } from '../testutils/compileCheck';

const runs = [
  testRun(1, { metrics: { accuracy: 0.91, loss: 0.3 } }),
  testRun(2, { metrics: { accuracy: 0.964, loss: 0.1 } }),
  testRun(3, { metrics: { accuracy: 0.93, loss: 0.2 } }),
  testRun(4, { name: 'tuned', metrics: { accuracy: 0.964, loss: 'NaN' } }),
  testRun(5, { metrics: { loss: 0.4 } })
];
const model = testModel(testPayload(runs));

describe('barRows', () => {
  it('sorts best first (descending when higher is better)', () => {
    const { rows } = barRows(model, 'accuracy', true);
    expect(rows.map(r => r.label)).toEqual(['v2', 'tuned', 'v3', 'v1']);
    expect(rows.map(r => r.order)).toEqual([0, 1, 2, 3]);
  });

  it('sorts ascending when lower is better', () => {
    const { rows } = barRows(model, 'loss', false);
    expect(rows.map(r => r.label)).toEqual(['v2', 'v3', 'v1', 'v5']);
    expect(rows.filter(r => r.best).map(r => r.label)).toEqual(['v2']);
  });

  it('highlights every run tied for best', () => {
    const { rows } = barRows(model, 'accuracy', true);
    expect(rows.filter(r => r.best).map(r => r.label)).toEqual(['v2', 'tuned']);
  });

  it('leaves out runs missing the metric (not zero) and lists them', () => {
    const { rows, missing } = barRows(model, 'accuracy', true);
    expect(rows.map(r => r.value)).not.toContain(0);
    expect(missing).toEqual([{ id: 'run5', label: 'v5', key: 'accuracy' }]);
  });

  it('describes each bar by its run and value, for screen readers', () => {
    const { rows } = barRows(model, 'accuracy', true);
    expect(rows.map(r => r.description)).toEqual([
      'v2 · accuracy: 0.964',
      'tuned · accuracy: 0.964',
      'v3 · accuracy: 0.93',
      'v1 · accuracy: 0.91'
    ]);
  });

  it('treats a NaN metric as missing', () => {
    const { missing } = barRows(model, 'loss', false);
    expect(missing.map(m => m.label)).toEqual(['tuned']);
  });
});

describe('buildSpec bar', () => {
  const build = buildSpec(model, {
    kind: 'bar',
    metric: 'accuracy',
    params: [],
    dark: false
  });
  if (build.status !== 'ok') {
    throw new Error('expected a chart');
  }
  const spec = build.spec as unknown as {
    mark: { type: string };
    data: { values: Array<Record<string, unknown>> };
    encoding: Record<string, Record<string, unknown>>;
  };

  it('draws one bar per run having the metric', () => {
    expect(spec.mark.type).toBe('bar');
    expect(build.rowCount).toBe(4);
    expect(spec.data.values).toHaveLength(4);
  });

  it('puts run labels on x, sorted by their order, and the metric on y', () => {
    expect(spec.encoding.x).toMatchObject({
      field: 'label',
      type: 'nominal',
      sort: { field: 'order', op: 'min', order: 'ascending' }
    });
    expect(spec.encoding.y).toMatchObject({
      field: 'value',
      type: 'quantitative',
      title: 'accuracy'
    });
  });

  it('takes each mark ARIA description from its row, not from titles', () => {
    expect(spec.encoding.description).toEqual({
      field: 'description',
      type: 'nominal'
    });
  });

  it('colours the best run with the accent colour', () => {
    expect(spec.encoding.color).toEqual({
      condition: { test: 'datum.best', value: '#f57c00' },
      value: '#1976d2'
    });
  });

  it('uses the dark palette in dark mode', () => {
    const dark = buildSpec(model, {
      kind: 'bar',
      metric: 'accuracy',
      params: [],
      dark: true
    });
    expect(JSON.stringify(dark)).toContain('#ffb74d');
  });

  it('lets the caller override the direction', () => {
    const lower = buildSpec(model, {
      kind: 'bar',
      metric: 'accuracy',
      params: [],
      dark: false,
      higherIsBetter: false
    });
    const values =
      lower.status === 'ok'
        ? (lower.spec as unknown as typeof spec).data.values
        : [];
    expect(values[0].label).toBe('v1');
  });

  it('has tooltips when interactive and none when static', () => {
    expect(spec.encoding.tooltip).toBeDefined();
    const still = buildSpec(model, {
      kind: 'bar',
      metric: 'accuracy',
      params: [],
      dark: false,
      interactive: false
    });
    expect(JSON.stringify(still)).not.toContain('tooltip');
    expect(JSON.stringify(still)).not.toContain('cursor');
  });

  it('compiles without vega-lite warnings', () => {
    expect(compileWarnings(build.spec)).toEqual([]);
  });

  it('reports the runs left out', () => {
    expect(build.missing.map(m => m.label)).toEqual(['v5']);
  });
});

describe('buildSpec bar edge cases', () => {
  it('returns the empty state for 0 runs', () => {
    const empty = testModel(testPayload([]));
    expect(
      buildSpec(empty, {
        kind: 'bar',
        metric: 'accuracy',
        params: [],
        dark: false
      })
    ).toEqual({ status: 'empty', reason: 'no-runs', missing: [] });
  });

  it('still draws a valid chart for 1 run', () => {
    const one = testModel(
      testPayload([testRun(1, { metrics: { accuracy: 0.5 } })])
    );
    const build = buildSpec(one, {
      kind: 'bar',
      metric: 'accuracy',
      params: [],
      dark: false
    });
    expect(build.status).toBe('ok');
    if (build.status === 'ok') {
      expect(build.rowCount).toBe(1);
      expect(compileWarnings(build.spec)).toEqual([]);
    }
  });

  it('returns no-values when no run has the metric', () => {
    const build = buildSpec(model, {
      kind: 'bar',
      metric: 'f1',
      params: [],
      dark: false
    });
    expect(build.status).toBe('empty');
    expect(build.missing).toHaveLength(5);
  });
});
