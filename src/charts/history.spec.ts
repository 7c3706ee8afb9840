import { compileWarnings } from '../testutils/compileCheck';
import {
  HISTORY_ZOOM_PARAM,
  historyPointBudget,
  historyRows,
  historyZoomBudget,
  smoothEma,
  thinIndices
} from './history';
import { buildSpec } from './spec';
import { testModel, testPayload, testRun } from '../testutils/charts';

describe('historyPointBudget', () => {
  it('gives two points per pixel column to a few lines, fewer as lines add up', () => {
    expect(historyPointBudget(1)).toBe(840);
    expect(historyPointBudget(0)).toBe(840);
    // 100 lines: 1 MB at 300 bytes a saved point leaves 33 a line
    expect(historyPointBudget(100)).toBe(33);
    expect(historyPointBudget(1_000_000)).toBe(2);
  });
});

describe('historyZoomBudget', () => {
  it('gives a zoomed chart two points per pixel column, bounded by the vertex cap', () => {
    expect(historyZoomBudget(1)).toBe(840);
    // nothing is saved: 100 lines get the vertex cap's share, not the notebook's 33
    expect(historyZoomBudget(100)).toBe(200);
    expect(historyZoomBudget(1_000_000)).toBe(2);
  });
});

describe('smoothEma', () => {
  it('returns the values unchanged with weight 0', () => {
    expect(smoothEma([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });

  it('computes s[i] = w·s[i-1] + (1-w)·v[i] starting from the first value', () => {
    const out = smoothEma([0, 10, 10], 0.5);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(5);
    expect(out[2]).toBeCloseTo(7.5);
  });

  it('clamps the weight to 0.99', () => {
    const clamped = smoothEma([0, 100], 5);
    expect(clamped[1]).toBeCloseTo(1);
    expect(smoothEma([0, 100], -1)).toEqual([0, 100]);
  });

  it('handles an empty series', () => {
    expect(smoothEma([], 0.5)).toEqual([]);
  });
});

describe('thinIndices', () => {
  it('keeps everything under the cap', () => {
    expect(thinIndices(3, 10)).toEqual([0, 1, 2]);
  });

  it('keeps first and last, evenly spaced', () => {
    expect(thinIndices(101, 5)).toEqual([0, 25, 50, 75, 100]);
  });
});

const model = testModel(
  testPayload(
    [
      testRun(1, {
        history: {
          loss: [
            [0, 1],
            [1, 0.5],
            [2, 'NaN'],
            [3, 0.25]
          ]
        }
      }),
      testRun(2, { history: { loss: [[0, 2]] } }),
      testRun(3, { metrics: { loss: 0.3 } })
    ],
    'line',
    'loss'
  )
);

describe('history', () => {
  it('draws one line per run with a history, NaN points excluded', () => {
    const { rows, missing } = historyRows(model, 'loss', 0);
    expect(rows.map(r => [r.label, r.step, r.value])).toEqual([
      ['v1', 0, 1],
      ['v1', 1, 0.5],
      ['v1', 3, 0.25],
      ['v2', 0, 2]
    ]);
    expect(missing).toEqual([{ id: 'run3', label: 'v3', key: 'loss' }]);
  });

  it('smooths in TypeScript before building data, keeping the raw value', () => {
    const { rows } = historyRows(model, 'loss', 0.5);
    expect(rows[1].value).toBeCloseTo(0.75);
    expect(rows[1].raw).toBe(0.5);
  });

  it('describes each vertex by run, step and value (and raw value when smoothed)', () => {
    expect(historyRows(model, 'loss', 0).rows[1].description).toBe(
      'v1 · Step: 1 · loss: 0.5'
    );
    expect(historyRows(model, 'loss', 0.5).rows[1].description).toBe(
      'v1 · Step: 1 · loss: 0.75 · Raw: 0.5'
    );
  });

  it('builds a line chart over steps coloured by run', () => {
    const build = buildSpec(model, {
      kind: 'line',
      metric: 'loss',
      params: [],
      dark: false
    });
    expect(build.status).toBe('ok');
    if (build.status !== 'ok') {
      return;
    }
    const spec = build.spec as unknown as {
      layer: Array<{ encoding: Record<string, { field: string }> }>;
    };
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].encoding.x.field).toBe('step');
    expect(spec.layer[0].encoding.color.field).toBe('label');
    expect(build.rowCount).toBe(4);
    expect(compileWarnings(build.spec)).toEqual([]);
    expect(JSON.stringify(build.spec)).not.toMatch(
      /"(calculate|window|filter)"/
    );
  });

  it('adds a faint raw layer under the smoothed lines', () => {
    const build = buildSpec(model, {
      kind: 'line',
      metric: 'loss',
      params: [],
      smoothing: 0.6,
      dark: false
    });
    if (build.status !== 'ok') {
      throw new Error('expected a chart');
    }
    const spec = build.spec as unknown as {
      layer: Array<{ encoding: Record<string, { field: string }> }>;
    };
    expect(spec.layer.map(l => l.encoding.y.field)).toEqual(['raw', 'value']);
    expect(compileWarnings(build.spec)).toEqual([]);
  });

  it('thins long histories to stay drawable', () => {
    const points: [number, number][] = Array.from(
      { length: 30_000 },
      (_, i) => [i, i]
    );
    const long = testModel(
      testPayload([testRun(1, { history: { loss: points } })])
    );
    const { rows } = historyRows(long, 'loss', 0);
    expect(rows).toHaveLength(20_000);
    expect(rows[rows.length - 1].step).toBe(29_999);
  });

  it('is empty when no run has a history of the metric', () => {
    const build = buildSpec(model, {
      kind: 'line',
      metric: 'accuracy',
      params: [],
      dark: false
    });
    expect(build).toMatchObject({ status: 'empty', reason: 'no-values' });
  });
});

describe('buildHistory zoom', () => {
  const payload = testPayload(
    [
      testRun(1, {
        history: {
          loss: [
            [0, 1],
            [5, 0.5],
            [9, 0.2]
          ]
        }
      })
    ],
    'line',
    'loss'
  );

  it('binds an x interval to the scales of an interactive chart (wheel zoom, drag pan)', () => {
    const build = buildSpec(testModel(payload), {
      kind: 'line',
      metric: 'loss',
      params: [],
      dark: false,
      stepRange: [2, 7]
    });
    if (build.status !== 'ok') {
      throw new Error('no chart');
    }
    expect(compileWarnings(build.spec)).toEqual([]);
    const parsed = JSON.parse(JSON.stringify(build.spec));
    expect(parsed.layer[0].params).toEqual([
      {
        name: HISTORY_ZOOM_PARAM,
        select: {
          type: 'interval',
          encodings: ['x'],
          zoom: 'wheel![event.ctrlKey || event.metaKey]'
        },
        bind: 'scales'
      }
    ]);
    expect(parsed.layer[0].encoding.x.scale).toEqual({
      domain: [2, 7],
      zero: false
    });
    expect(parsed.layer[0].mark.clip).toBe(true);
  });

  it('leaves the static spec without a zoom', () => {
    const build = buildSpec(testModel(payload), {
      kind: 'line',
      metric: 'loss',
      params: [],
      dark: false,
      interactive: false
    });
    const parsed = JSON.parse(
      JSON.stringify(build.status === 'ok' ? build.spec : null)
    );
    expect(parsed.layer[0].params).toBeUndefined();
    expect(parsed.layer[0].encoding.x.scale).toBeUndefined();
  });
});
