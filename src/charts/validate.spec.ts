import { testModel, testPayload, testRun } from '../testutils/charts';
import { LIMITS } from './types';
import { decodeNumber, formatIssue } from './json';
import { validateCompare } from './validate';

function errorsOf(payload: unknown): string[] {
  const result = validateCompare(payload);
  return result.ok ? [] : result.errors.map(formatIssue);
}

describe('decodeNumber', () => {
  it('accepts finite numbers', () => {
    expect(decodeNumber(0.5)).toEqual({ kind: 'finite', value: 0.5 });
  });

  it('reads the non-finite spellings of our REST JSON', () => {
    expect(decodeNumber('NaN')).toEqual({ kind: 'nonFinite', token: 'NaN' });
    expect(decodeNumber('Infinity')).toEqual({
      kind: 'nonFinite',
      token: 'Infinity'
    });
    expect(decodeNumber('-Infinity')).toEqual({
      kind: 'nonFinite',
      token: '-Infinity'
    });
    expect(decodeNumber(Number.NaN)).toEqual({
      kind: 'nonFinite',
      token: 'NaN'
    });
  });

  it('refuses numeric-looking text and other types', () => {
    expect(decodeNumber('0.9')).toEqual({ kind: 'invalid' });
    expect(decodeNumber(null)).toEqual({ kind: 'invalid' });
    expect(decodeNumber(true)).toEqual({ kind: 'invalid' });
  });
});

describe('validateCompare structure', () => {
  it.each([
    [null, 'The compare payload is not a JSON object.'],
    [[], 'The compare payload is not a JSON object.'],
    [
      { version: 2, runs: [] },
      'Unsupported compare payload version: 2 (expected 1).'
    ],
    [{ version: 1 }, 'The compare payload has no list of runs.'],
    [{ version: 1, runs: [42] }, 'Run #1 is not an object.'],
    [{ version: 1, runs: [{ version: 1 }] }, 'Run #1 has no valid id.'],
    [
      { version: 1, runs: [{ id: 'a', version: 1.5 }] },
      'Run #1 has no valid version.'
    ],
    [
      { version: 1, runs: [{ id: 'a', version: 1, params: [] }] },
      'Run #1: "params" is not an object.'
    ],
    [{ version: 1, runs: [testRun(1), testRun(1)] }, 'Run run1 appears twice.'],
    [
      { version: 1, chart: { kind: 'pie' }, runs: [] },
      'Unknown chart kind: pie.'
    ]
  ])('rejects %j', (payload, message) => {
    expect(errorsOf(payload)).toEqual([message]);
  });

  it('accepts an empty list of runs', () => {
    const model = testModel(testPayload([]));
    expect(model.runs).toHaveLength(0);
    expect(model.chart.kind).toBe('bar');
  });

  it('fills chart defaults: bar of the first metric, no smoothing', () => {
    const model = testModel({
      version: 1,
      runs: [testRun(1, { metrics: { loss: 1, acc: 0.5 } })]
    });
    expect(model.chart).toEqual({
      kind: 'bar',
      metric: 'acc',
      params: [],
      smoothing: 0
    });
    expect(model.experiment).toEqual({ id: '', name: '' });
  });

  it('clamps smoothing to 0..0.99', () => {
    const payload = testPayload([testRun(1)]);
    const model = testModel({
      ...payload,
      chart: { ...payload.chart, smoothing: 5 }
    });
    expect(model.chart.smoothing).toBe(0.99);
  });
});

describe('validateCompare caps', () => {
  it('refuses more than 5,000 runs', () => {
    const runs = Array.from({ length: LIMITS.maxRuns + 1 }, (_, i) =>
      testRun(i)
    );
    expect(errorsOf(testPayload(runs))).toEqual([
      'Too many runs: 5001 (at most 5000).'
    ]);
  });

  it('accepts exactly 5,000 runs', () => {
    const runs = Array.from({ length: LIMITS.maxRuns }, (_, i) => testRun(i));
    expect(testModel(testPayload(runs)).runs).toHaveLength(5000);
  });

  it('refuses more than 200 keys per run', () => {
    const params: Record<string, string> = {};
    for (let i = 0; i <= LIMITS.maxKeysPerRun; i++) {
      params[`p${i}`] = 'x';
    }
    expect(errorsOf(testPayload([testRun(1, { params })]))).toEqual([
      'Run #1 has 201 keys in "params" (at most 200).'
    ]);
  });

  it('refuses keys longer than 200 characters', () => {
    const metrics = { ['k'.repeat(201)]: 1 };
    expect(errorsOf(testPayload([testRun(1, { metrics })]))).toEqual([
      'Run #1 has an empty key or a key longer than 200 characters.'
    ]);
  });

  it('refuses more than 1,000,000 history points in total', () => {
    const points: [number, number][] = Array.from(
      { length: 400_000 },
      (_, i) => [i, i]
    );
    const runs = [1, 2, 3].map(v => testRun(v, { history: { loss: points } }));
    expect(errorsOf(testPayload(runs))).toEqual([
      'Too many history points: more than 1000000.'
    ]);
  });

  it('shortens names longer than 200 characters and counts them', () => {
    const model = testModel(
      testPayload([testRun(1, { name: 'n'.repeat(500) })])
    );
    expect(model.runs[0].name).toHaveLength(200);
    expect(model.runs[0].name.endsWith('…')).toBe(true);
    expect(model.notes.shortened).toBe(1);
  });
});

describe('validateCompare values', () => {
  const model = testModel(
    testPayload([
      testRun(1, {
        params: { n: '10', ok: true as unknown as string, bad: {} as string },
        metrics: {
          acc: 0.9,
          loss: 'NaN',
          rmse: 'Infinity',
          f1: '0.5' as 'NaN'
        },
        history: {
          loss: [
            [2, 0.5],
            [0, 'NaN'],
            [1, 0.7],
            ['x' as unknown as number, 1]
          ]
        }
      })
    ])
  );
  const run = model.runs[0];

  it('keeps finite metrics and records non-finite ones apart', () => {
    expect(run.metrics).toEqual({ acc: 0.9 });
    expect(run.nonFinite).toEqual({ loss: 'NaN', rmse: 'Infinity' });
  });

  it('counts excluded NaN/Inf values, in metrics and history', () => {
    expect(model.notes.nonFinite).toBe(3);
  });

  it('treats text where a number is expected as missing and counts it', () => {
    expect(run.metrics.f1).toBeUndefined();
    expect(model.notes.invalid).toBe(3);
  });

  it('keeps params as text, stringifying numbers and booleans', () => {
    expect(run.params).toEqual({ n: '10', ok: 'true' });
  });

  it('keeps NaN history points apart so the payload can be re-serialised', () => {
    expect(run.excludedHistory).toEqual({ loss: [[0, 'NaN']] });
  });

  it('sorts history by step and drops bad points', () => {
    expect(run.history.loss).toEqual([
      [1, 0.7],
      [2, 0.5]
    ]);
  });

  it('lists keys over all runs', () => {
    expect(model.paramKeys).toEqual(['n', 'ok']);
    expect(model.metricKeys).toEqual(['acc', 'loss', 'rmse']);
  });

  it('returns a deeply frozen model', () => {
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model.runs)).toBe(true);
    expect(Object.isFrozen(run.params)).toBe(true);
    expect(Object.isFrozen(run.history.loss)).toBe(true);
  });
});

describe('validateCompare safety', () => {
  it('ignores spec, $schema, config, embed_options and usermeta fields', () => {
    const payload = {
      ...testPayload([testRun(1, { metrics: { accuracy: 1 } })]),
      spec: { mark: 'bar', data: { url: 'https://evil.example/x.json' } },
      $schema: 'https://vega.github.io/schema/vega/v5.json',
      config: { background: 'red' },
      embed_options: { actions: true },
      usermeta: { embedOptions: { actions: true } }
    };
    const model = testModel(payload);
    const json = JSON.stringify(model);
    for (const field of [
      'spec',
      '$schema',
      'config',
      'embed_options',
      'usermeta'
    ]) {
      expect(model).not.toHaveProperty(field);
      expect(json).not.toContain(field);
    }
    expect(json).not.toContain('evil.example');
  });

  it('drops unknown fields of runs and chart', () => {
    const payload = testPayload([
      { ...testRun(1), spec: { mark: 'bar' } } as ReturnType<typeof testRun>
    ]);
    const model = testModel({
      ...payload,
      chart: { ...payload.chart, spec: {}, vconcat: [] }
    });
    expect(Object.keys(model.runs[0]).sort()).toEqual(
      [
        'excludedHistory',
        'history',
        'id',
        'label',
        'metrics',
        'name',
        'nonFinite',
        'params',
        'status',
        'version'
      ].sort()
    );
    expect(Object.keys(model.chart).sort()).toEqual([
      'kind',
      'metric',
      'params',
      'smoothing'
    ]);
  });

  it('keeps markup in labels as inert text', () => {
    const name = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const model = testModel(testPayload([testRun(1, { name })]));
    expect(model.runs[0].label).toBe(name);
  });

  it('keeps __proto__ and constructor keys as plain data', () => {
    const params = JSON.parse('{"__proto__": "polluted", "constructor": "c"}');
    const model = testModel(testPayload([testRun(1, { params })]));
    expect(model.runs[0].params['__proto__']).toBe('polluted');
    expect(model.paramKeys).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('run labels', () => {
  it('uses the name, or v<version> when the name is empty', () => {
    const model = testModel(
      testPayload([testRun(1, { name: 'baseline' }), testRun(2, { name: '' })])
    );
    expect(model.runs.map(r => r.label)).toEqual(['baseline', 'v2']);
  });

  it('makes repeated names unique with the version', () => {
    const model = testModel(
      testPayload([testRun(1, { name: 'rf' }), testRun(2, { name: 'rf' })])
    );
    expect(model.runs.map(r => r.label)).toEqual(['rf (v1)', 'rf (v2)']);
  });

  it('makes repeated default names unique with the id', () => {
    const model = testModel(
      testPayload([
        testRun(3, { id: 'aaaaaaaa1111' }),
        testRun(3, { id: 'bbbbbbbb2222' })
      ])
    );
    expect(model.runs.map(r => r.label)).toEqual([
      'v3 (aaaaaaaa)',
      'v3 (bbbbbbbb)'
    ]);
  });
});
