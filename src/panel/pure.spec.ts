import { nullTranslator } from '@jupyterlab/translation';

import { IRun } from '../api/types';
import { reasonText, verdictOf } from './details/reasons';
import { sparkline } from './details/sparkline';
import { formatAge } from './format';
import { nextSort, orderByClause } from './list/query';
import { DEFAULT_STATE, parsePanelState, stateToJSON } from './state';

const trans = nullTranslator.load('jupyterlab_runs');

describe('sort', () => {
  it('maps columns to server-side order_by clauses, quoting odd metric keys', () => {
    expect(orderByClause({ column: 'version', descending: true }, null)).toBe(
      'version DESC'
    );
    expect(
      orderByClause({ column: 'start_time', descending: false }, 'x')
    ).toBe('start_time ASC');
    expect(orderByClause({ column: 'metric', descending: true }, 'acc')).toBe(
      'metrics.acc DESC'
    );
    expect(
      orderByClause({ column: 'metric', descending: false }, 'val loss')
    ).toBe('metrics.`val loss` ASC');
    expect(orderByClause({ column: 'metric', descending: true }, null)).toBe(
      'version DESC'
    );
  });

  it('flips the direction of the sorted column and starts others naturally', () => {
    const byVersion = { column: 'version', descending: true } as const;
    expect(nextSort(byVersion, 'version')).toEqual({
      column: 'version',
      descending: false
    });
    expect(nextSort(byVersion, 'name')).toEqual({
      column: 'name',
      descending: false
    });
    expect(nextSort(byVersion, 'metric')).toEqual({
      column: 'metric',
      descending: true
    });
  });
});

describe('panel state', () => {
  it('round-trips through JSON and rejects malformed values', () => {
    const state = {
      experiment: 'x.ipynb',
      filter: 'params.a = 1',
      sort: { column: 'metric', descending: false },
      metric: 'acc',
      view: 'deleted'
    } as const;
    expect(parsePanelState(stateToJSON(state))).toEqual(state);
    expect(parsePanelState(null)).toEqual(DEFAULT_STATE);
    expect(
      parsePanelState({ sort: { column: 'bogus' }, view: 'all', filter: 3 })
    ).toEqual(DEFAULT_STATE);
  });
});

describe('sparkline', () => {
  it('draws finite points left to right, higher values higher up', () => {
    const line = sparkline(
      [
        { step: 0, value: 1, timestamp: 0 },
        { step: 1, value: NaN, timestamp: 0 },
        { step: 2, value: 3, timestamp: 0 }
      ],
      100,
      20,
      0
    );
    expect(line.path).toBe('M0 20 L100 0');
    expect(line.skipped).toBe(1);
    expect([line.min, line.max]).toEqual([1, 3]);
    expect(line.last).toEqual([100, 0]);
  });

  it('draws a flat series in the middle and nothing without finite values', () => {
    const flat = sparkline(
      [
        { step: 0, value: 2, timestamp: 0 },
        { step: 5, value: 2, timestamp: 0 }
      ],
      10,
      10,
      0
    );
    expect(flat.path).toBe('M0 5 L10 5');
    expect(
      sparkline([{ step: 0, value: NaN, timestamp: 0 }], 10, 10).path
    ).toBe('');
  });
});

describe('reproducibility reasons', () => {
  const run = (reproducibility: unknown) =>
    ({ context: { reproducibility } }) as unknown as IRun;

  it('reads a stored verdict and words each reason with its cell', () => {
    const verdict = verdictOf(
      run({
        clean: false,
        reasons: [
          { kind: 'edited', cellId: 'c1', index: 2, executionCount: 3 },
          { kind: 'bogus', cellId: 'c2', index: 0, executionCount: 1 },
          {
            kind: 'missing-execution',
            cellId: null,
            index: null,
            executionCount: 4
          }
        ]
      })
    );
    expect(verdict?.reasons.map(r => reasonText(r, trans))).toEqual([
      'Cell 3 was edited after it ran',
      'Execution [4] came from a cell no longer in the notebook'
    ]);
    expect(verdictOf(run(undefined))).toBeNull();
    expect(verdictOf(run({ clean: 'yes', reasons: [] }))).toBeNull();
  });
});

describe('formatAge', () => {
  it('says how long ago, then the date', () => {
    const now = Date.UTC(2026, 10, 25, 12);
    expect(formatAge(now - 10_000, trans, now)).toBe('just now');
    expect(formatAge(now - 5 * 60_000, trans, now)).toBe('5 min ago');
    expect(formatAge(now - 3 * 3600_000, trans, now)).toBe('3 h ago');
    expect(formatAge(now - 2 * 86400_000, trans, now)).toBe('2 d ago');
    expect(formatAge(now - 90 * 86400_000, trans, now)).toMatch(
      /^\d{4}-\d\d-\d\d$/
    );
  });
});
