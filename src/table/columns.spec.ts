import { IRunSummary } from '../api/types';
import { cellValue, IColumn } from './columns';

// Keys named after Object.prototype members, as a user may log them.
const KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

/** A run that logged none of KEYS, and one that logged all of them. */
function run(withKeys: boolean): IRunSummary {
  const params: Record<string, unknown> = {};
  const metrics: Record<string, unknown> = {};
  const tags: Record<string, unknown> = {};
  for (const key of withKeys ? KEYS : []) {
    Object.defineProperty(params, key, {
      value: { value: `p-${key}`, type: 'str', source: 'explicit' },
      enumerable: true
    });
    Object.defineProperty(metrics, key, {
      value: {
        value: 0.5,
        step: 0,
        timestamp: 0,
        min: 0.5,
        max: 0.5,
        count: 1
      },
      enumerable: true
    });
    Object.defineProperty(tags, key, { value: `t-${key}`, enumerable: true });
  }
  return { params, metrics, tags } as unknown as IRunSummary;
}

function value(withKeys: boolean, entity: IColumn['entity'], key: string) {
  const column = { entity, key } as IColumn;
  return cellValue(
    run(withKeys),
    column,
    'last',
    () => true,
    id => id
  );
}

describe('cellValue of keys named after Object.prototype members', () => {
  it.each(KEYS)('%s is empty where the run did not log it', key => {
    expect(value(false, 'params', key)).toBeNull();
    expect(value(false, 'metrics', key)).toBeNull();
    expect(value(false, 'tags', key)).toBeNull();
  });

  it.each(KEYS)('%s is the logged value where the run did', key => {
    expect(value(true, 'params', key)).toBe(`p-${key}`);
    expect(value(true, 'metrics', key)).toBe(0.5);
    expect(value(true, 'tags', key)).toBe(`t-${key}`);
  });
});
