import type { IRun } from '../api/types';
import { compareRun } from './fromRuns';
import { validateCompare } from './validate';

/** A stored run as the REST client hands it over: parsed JSON, so `__proto__` is an own key. */
function restRun(): IRun {
  const param = (value: string) => ({ value, type: 'str', source: 'explicit' });
  const metric = (value: number) => ({
    value,
    step: 0,
    timestamp: 0,
    min: value,
    max: value,
    count: 1,
    source: 'explicit'
  });
  return JSON.parse(
    `{"id": "${'a'.repeat(32)}", "version": 7, "name": "v7", "status": "FINISHED",` +
      `"params": {"__proto__": ${JSON.stringify(param('polluted'))},` +
      ` "lr": ${JSON.stringify(param('0.1'))}},` +
      `"metrics": {"__proto__": ${JSON.stringify(metric(0.5))},` +
      ` "constructor": ${JSON.stringify(metric(0.25))}}}`
  ) as IRun;
}

describe('compareRun', () => {
  it('keeps __proto__ and constructor keys as plain data', () => {
    const history = new Map([
      ['__proto__', [{ value: 0.5, step: 1, timestamp: 0 }]],
      ['acc', [{ value: NaN, step: 2, timestamp: 0 }]]
    ]);
    const run = compareRun(restRun(), history);
    expect(Object.keys(run.params).sort()).toEqual(['__proto__', 'lr']);
    expect(run.params['__proto__']).toBe('polluted');
    expect(Object.keys(run.metrics).sort()).toEqual([
      '__proto__',
      'constructor'
    ]);
    expect(Object.keys(run.history ?? {}).sort()).toEqual(['__proto__', 'acc']);
    expect(Object.getPrototypeOf(run.history)).toBe(Object.prototype);
    expect(run.history?.acc).toEqual([[2, 'NaN']]);

    // The payload travels as JSON: the keys survive it and validation.
    const result = validateCompare({
      version: 1,
      experiment: { id: 'e1', name: 'x' },
      chart: { kind: 'line', metric: '__proto__', params: [] },
      runs: [JSON.parse(JSON.stringify(run))],
      created: 0
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.model.paramKeys).toEqual(['__proto__', 'lr']);
      expect(result.model.runs[0].history['__proto__']).toEqual([[1, 0.5]]);
    }
  });
});
