import { compileWarnings } from '../testutils/compileCheck';
import { buildSpec, defaultBuildOptions, resolveOptions } from './spec';
import { testModel, testPayload, testRun } from '../testutils/charts';
import { CHART_KINDS } from './types';

const hostileMetric = "datum.x || alert('m')";
const hostileParam = '"]);alert(1)//';
const model = testModel(
  testPayload(
    [1, 2, 3].map(v =>
      testRun(v, {
        name: `<img src=x onerror=alert(${v})>`,
        params: { [hostileParam]: String(v * 10), other: `o${v % 2}` },
        metrics: { [hostileMetric]: v / 10 },
        history: {
          [hostileMetric]: [
            [0, 1],
            [1, v / 10]
          ]
        }
      })
    ),
    'bar',
    hostileMetric,
    [hostileParam]
  )
);

/** Every string under one of these keys anywhere in a spec. */
function stringsUnder(
  value: unknown,
  keys: Set<string>,
  out: string[] = []
): string[] {
  if (Array.isArray(value)) {
    value.forEach(v => stringsUnder(v, keys, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (keys.has(k) && typeof v === 'string') {
        out.push(v);
      }
      stringsUnder(v, keys, out);
    }
  }
  return out;
}

const CONSTANT_FIELDS = new Set([
  'label',
  'value',
  'version',
  'order',
  'x',
  'xText',
  'y',
  'step',
  'raw',
  'axis',
  'norm',
  'id',
  'description',
  'metric',
  'text'
]);

describe.each(CHART_KINDS)(
  'buildSpec %s with hostile keys and labels',
  kind => {
    const build = buildSpec(model, {
      ...defaultBuildOptions(model, false),
      kind
    });

    it('draws a chart', () => {
      expect(build.status).toBe('ok');
    });

    it('uses only constant field names', () => {
      if (build.status !== 'ok') {
        return;
      }
      for (const field of stringsUnder(build.spec, new Set(['field']))) {
        expect(CONSTANT_FIELDS.has(field)).toBe(true);
      }
    });

    it('puts user strings in no expression, signal or URL', () => {
      if (build.status !== 'ok') {
        return;
      }
      const code = stringsUnder(
        build.spec,
        new Set([
          'test',
          'expr',
          'calculate',
          'filter',
          'signal',
          'labelExpr',
          'url',
          'href'
        ])
      );
      expect(code.every(c => c === 'datum.best')).toBe(true);
    });

    it('compiles without warnings', () => {
      if (build.status === 'ok') {
        expect(compileWarnings(build.spec)).toEqual([]);
      }
    });
  }
);

describe('resolveOptions', () => {
  it('guesses the direction from the metric name unless given', () => {
    const base = { kind: 'bar' as const, params: [], dark: false };
    expect(
      resolveOptions(model, { ...base, metric: 'val_loss' }).higherIsBetter
    ).toBe(false);
    expect(
      resolveOptions(model, {
        ...base,
        metric: 'val_loss',
        higherIsBetter: true
      }).higherIsBetter
    ).toBe(true);
  });

  it('keeps one param for scatter and dedupes parallel axes', () => {
    const base = { metric: 'm', dark: false };
    expect(
      resolveOptions(model, { ...base, kind: 'scatter', params: ['a', 'b'] })
        .params
    ).toEqual(['a']);
    expect(
      resolveOptions(model, {
        ...base,
        kind: 'parallel',
        params: ['a', 'a', 'b']
      }).params
    ).toEqual(['a', 'b']);
  });

  it('clamps smoothing and translates labels', () => {
    const resolved = resolveOptions(model, {
      kind: 'line',
      metric: 'm',
      params: [],
      dark: false,
      smoothing: 3,
      labels: { run: 'Lauf' }
    });
    expect(resolved.smoothing).toBe(0.99);
    expect(resolved.labels.run).toBe('Lauf');
    expect(resolved.labels.step).toBe('Step');
  });
});
