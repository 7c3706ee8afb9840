import { compileWarnings } from '../testutils/compileCheck';
import { parallelRows } from './parallel';
import { buildSpec } from './spec';
import { testModel, testPayload, testRun } from '../testutils/charts';

const model = testModel(
  testPayload(
    [
      testRun(1, {
        params: { lr: '0.1', model: 'rf' },
        metrics: { accuracy: 0.9 }
      }),
      testRun(2, {
        params: { lr: '0.3', model: 'gb' },
        metrics: { accuracy: 0.95 }
      }),
      testRun(3, {
        params: { lr: '0.2', model: 'rf' },
        metrics: { accuracy: 0.8 }
      }),
      testRun(4, { params: { model: 'rf' }, metrics: { accuracy: 0.7 } })
    ],
    'parallel',
    'accuracy',
    ['lr', 'model']
  )
);

describe('parallel', () => {
  const { rows, ticks, axes, missing } = parallelRows(
    model,
    ['lr', 'model'],
    'accuracy'
  );

  it('folds each run into one row per axis (params, then the metric)', () => {
    expect(axes).toEqual(['lr', 'model', 'accuracy']);
    expect(rows).toHaveLength(9);
    expect(rows.filter(r => r.id === 'run1').map(r => r.axis)).toEqual(axes);
  });

  it('normalises each axis to 0..1 on its own', () => {
    const lr = rows.filter(r => r.axis === 'lr').map(r => r.norm);
    expect(lr[0]).toBeCloseTo(0);
    expect(lr[1]).toBeCloseTo(1);
    expect(lr[2]).toBeCloseTo(0.5);
    const acc = rows.filter(r => r.axis === 'accuracy').map(r => r.norm);
    expect(acc[1]).toBeCloseTo(1);
    expect(acc[2]).toBeCloseTo(0);
  });

  it('labels numeric axes with the real min and max', () => {
    expect(ticks.filter(t => t.axis === 'lr')).toEqual([
      { axis: 'lr', norm: 0, text: '0.1' },
      { axis: 'lr', norm: 1, text: '0.3' }
    ]);
    expect(ticks.filter(t => t.axis === 'accuracy').map(t => t.text)).toEqual([
      '0.8',
      '0.95'
    ]);
  });

  it('spreads categories evenly and labels each', () => {
    expect(ticks.filter(t => t.axis === 'model')).toEqual([
      { axis: 'model', norm: 0, text: 'gb' },
      { axis: 'model', norm: 1, text: 'rf' }
    ]);
  });

  it('describes every vertex of a run by its value on each axis', () => {
    expect(rows.filter(r => r.id === 'run1').map(r => r.description)).toEqual(
      Array(3).fill('v1 · lr: 0.1 · model: rf · accuracy: 0.9')
    );
  });

  it('leaves out runs lacking an axis value', () => {
    expect(missing).toEqual([{ id: 'run4', label: 'v4', key: 'lr' }]);
  });

  it('keeps param and metric axes apart when they share a key', () => {
    const clash = testModel(
      testPayload([testRun(1, { params: { acc: 'x' }, metrics: { acc: 1 } })])
    );
    expect(parallelRows(clash, ['acc'], 'acc').axes).toEqual([
      'params.acc',
      'metrics.acc'
    ]);
  });

  it('builds a layered spec with constant field names that compiles cleanly', () => {
    const build = buildSpec(model, {
      kind: 'parallel',
      metric: 'accuracy',
      params: ['lr', 'model'],
      dark: false
    });
    if (build.status !== 'ok') {
      throw new Error('expected a chart');
    }
    expect(build.rowCount).toBe(9);
    expect(compileWarnings(build.spec)).toEqual([]);
    const fields = JSON.stringify(build.spec).match(/"field":"[^"]*"/g) ?? [];
    expect(new Set(fields)).toEqual(
      new Set([
        '"field":"axis"',
        '"field":"norm"',
        '"field":"id"',
        '"field":"metric"',
        '"field":"label"',
        '"field":"text"',
        '"field":"description"'
      ])
    );
  });

  it('picks the differing params when none are chosen', () => {
    const build = buildSpec(model, {
      kind: 'parallel',
      metric: 'accuracy',
      params: [],
      dark: false
    });
    expect(build.status).toBe('ok');
    expect(build.missing).toHaveLength(1);
  });
});
