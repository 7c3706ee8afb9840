import { nextSort, orderByClause } from './query';

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
