import { testPayload, testRun } from '../testutils/charts';
import { validateCompare } from '../charts';
import { buildCompareBundle, textTable } from './bundle';
import { COMPARE_MIME, VEGALITE_MIME } from './mimeTypes';
import { compileWarnings } from '../testutils/compileCheck';
import type { TopLevelSpec } from 'vega-lite';

const payload = testPayload(
  [
    testRun(1, { params: { n: '100' }, metrics: { accuracy: 0.91 } }),
    testRun(2, { params: { n: '200' }, metrics: { accuracy: 0.964 } }),
    testRun(3, {
      name: 'nan run',
      params: { n: '300' },
      metrics: { accuracy: 'NaN' }
    })
  ],
  'scatter',
  'accuracy',
  ['n']
);

describe('buildCompareBundle', () => {
  const bundle = buildCompareBundle({ ...payload, spec: { mark: 'bar' } });

  it('has exactly the three MIME keys', () => {
    expect(Object.keys(bundle).sort()).toEqual(
      [COMPARE_MIME, VEGALITE_MIME, 'text/plain'].sort()
    );
  });

  it('re-serialises the payload without unknown fields and with NaN as a string', () => {
    const data = bundle[COMPARE_MIME];
    expect(data).not.toHaveProperty('spec');
    expect(data.runs[2].metrics.accuracy).toBe('NaN');
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(validateCompare(data).ok).toBe(true);
  });

  it('carries a static vega-lite 5 spec with inline data and no interactivity', () => {
    const spec = bundle[VEGALITE_MIME] as Record<string, unknown>;
    expect(spec.$schema).toBe(
      'https://vega.github.io/schema/vega-lite/v5.json'
    );
    expect((spec.data as { values: unknown[] }).values).toHaveLength(2);
    const json = JSON.stringify(spec);
    for (const word of ['tooltip', 'params', 'selection', 'cursor', '"url"']) {
      expect(json).not.toContain(word);
    }
    expect(compileWarnings(spec as unknown as TopLevelSpec)).toEqual([]);
  });

  it('writes a text table, best first, NaN spelled out and noted', () => {
    expect(bundle['text/plain']).toBe(
      [
        '3 runs compared: scatter of accuracy (higher is better) in iris',
        'run      status    accuracy  n',
        'v2       FINISHED  0.964     200',
        'v1       FINISHED  0.91      100',
        'nan run  FINISHED  NaN       300',
        '1 value excluded (NaN/Inf)'
      ].join('\n')
    );
  });

  it('throws with the problems of an invalid payload', () => {
    expect(() => buildCompareBundle({ version: 2 })).toThrow(
      'Unsupported compare payload version: 2 (expected 1).'
    );
  });

  it('shows a text mark when there is nothing to chart', () => {
    const empty = buildCompareBundle(testPayload([]));
    expect(JSON.stringify(empty[VEGALITE_MIME])).toContain(
      'No runs to compare.'
    );
    expect(empty['text/plain'].split('\n')[0]).toBe(
      '0 runs compared: bar of accuracy (higher is better) in iris'
    );
  });
});

describe('textTable', () => {
  it('lists at most 50 runs', () => {
    const runs = Array.from({ length: 60 }, (_, i) =>
      testRun(i + 1, { metrics: { accuracy: i } })
    );
    const result = validateCompare(testPayload(runs));
    if (!result.ok) {
      throw new Error('invalid');
    }
    const lines = textTable(result.model).split('\n');
    expect(lines).toHaveLength(53);
    expect(lines[52]).toBe('… 10 more runs');
  });
});

describe('buildCompareBundle with keys named like Object members', () => {
  it('keeps a __proto__ history when it re-serialises the payload', () => {
    const input = JSON.parse(
      JSON.stringify(
        testPayload([testRun(1), testRun(2)], 'line', '__proto__')
      ).replace(
        /"metrics":\{\}/g,
        '"metrics":{},"history":{"__proto__":[[0,1],[1,"NaN"]],"loss":[[0,2]]}'
      )
    );
    const data = buildCompareBundle(input)[COMPARE_MIME];
    const history = data.runs[0].history ?? {};
    expect(Object.getPrototypeOf(history)).toBe(Object.prototype);
    expect(Object.keys(history).sort()).toEqual(['__proto__', 'loss']);
    expect(JSON.parse(JSON.stringify(history))['__proto__']).toEqual([
      [0, 1],
      [1, 'NaN']
    ]);
  });
});
