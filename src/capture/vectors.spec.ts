/**
 * The shared vectors (tests/vectors/*.json): cell source → params and assigned
 * names, printed output → metrics. `tests/test_capture_vectors.py` runs the same
 * cases against the kernel's capture.
 */
import { extractMetrics } from './metrics';
import { IScannedParam, scanAssignedNames, scanParams } from './params';

interface IParamsCase {
  name: string;
  source: string;
  params: IScannedParam[];
  assigned: string[];
}

interface IMetricsCase {
  name: string;
  text: string;
  metrics: Array<{
    key: string;
    value: number | 'NaN' | 'Infinity' | '-Infinity';
  }>;
}

// Loaded at run time: the vectors live outside src/, beyond the compiler's rootDir.
const paramsCases = jest.requireActual<IParamsCase[]>(
  '../../tests/vectors/params.json'
);
const metricsCases = jest.requireActual<IMetricsCase[]>(
  '../../tests/vectors/metrics.json'
);

describe('params vectors', () => {
  it('has at least 90 cases with unique names', () => {
    expect(paramsCases.length).toBeGreaterThanOrEqual(90);
    expect(new Set(paramsCases.map(c => c.name)).size).toBe(paramsCases.length);
  });

  it.each(paramsCases)('$name', ({ source, params, assigned }) => {
    expect(scanParams(source)).toEqual(params);
    expect(scanAssignedNames(source)).toEqual(assigned);
  });
});

describe('metrics vectors', () => {
  it('has at least 45 cases with unique names', () => {
    expect(metricsCases.length).toBeGreaterThanOrEqual(45);
    expect(new Set(metricsCases.map(c => c.name)).size).toBe(
      metricsCases.length
    );
  });

  it.each(metricsCases)('$name', ({ text, metrics }) => {
    const expected = metrics.map(({ key, value }) => ({
      key,
      value: Number(value)
    }));
    expect(extractMetrics(text)).toEqual(expected);
  });
});
