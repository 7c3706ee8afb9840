import { buildDiffTable } from './diffTable';
import { testModel, testPayload, testRun } from '../testutils/charts';

const model = testModel(
  testPayload([
    testRun(1, {
      params: { n: '100', seed: '0' },
      metrics: { acc: 0.9, loss: 'NaN' }
    }),
    testRun(2, { params: { n: '200', seed: '0' }, metrics: { acc: 0.9 } }),
    testRun(3, {
      name: '<b>bold</b>',
      params: { seed: '0' },
      metrics: { acc: 0.95 }
    })
  ])
);

describe('buildDiffTable', () => {
  const table = buildDiffTable(model);

  it('has one column per run and one row per key, params first', () => {
    expect(table.columns.map(c => c.label)).toEqual([
      'v1',
      'v2',
      '<b>bold</b>'
    ]);
    expect(table.rows.map(r => `${r.section}:${r.key}`)).toEqual([
      'param:n',
      'param:seed',
      'metric:acc',
      'metric:loss'
    ]);
  });

  it('flags rows whose values differ, a missing value counting as different', () => {
    expect(table.rows.map(r => r.differs)).toEqual([true, false, true, true]);
  });

  it('shows missing values as empty and NaN as text', () => {
    const n = table.rows[0];
    expect(n.cells.map(c => [c.text, c.missing])).toEqual([
      ['100', false],
      ['200', false],
      ['', true]
    ]);
    expect(table.rows[3].cells.map(c => c.text)).toEqual(['NaN', '', '']);
  });

  it('can keep only differing rows and cap the columns', () => {
    const compact = buildDiffTable(model, { onlyDiffering: true, maxRuns: 2 });
    expect(compact.columns).toHaveLength(2);
    expect(compact.hiddenRuns).toBe(1);
    expect(compact.rows.map(r => r.key)).toEqual(['n', 'loss']);
    expect(compact.sameRows).toBe(2);
  });
});
