import { allColumns, isVisible } from './columns';
import { exportFileName } from './export';
import { cellText, MAX_CELL_CHARS } from './format';

const columns = allColumns({ params: ['p'], metrics: ['m'], tags: ['t'] });
const column = (id: string) => columns.find(c => c.id === id)!;

describe('cell text', () => {
  it('cuts long text and keeps the full value in the title', () => {
    const long = 'y'.repeat(MAX_CELL_CHARS + 50);
    const { text, title } = cellText(long, column('params.p'));
    expect(text).toHaveLength(MAX_CELL_CHARS);
    expect(text.endsWith('…')).toBe(true);
    expect(title).toBe(long);
    expect(cellText(null, column('params.p'))).toEqual({ text: '', title: '' });
  });

  it('formats metrics with the exact value in the title, durations and times', () => {
    expect(cellText(0.123456789, column('metrics.m'))).toEqual({
      text: '0.1235',
      title: '0.123456789'
    });
    expect(cellText(NaN, column('metrics.m')).text).toBe('NaN');
    expect(cellText(42, column('attributes.version')).text).toBe('42');
    expect(cellText(1500, column('attributes.duration')).text).toBe('1.5 s');
    expect(cellText(245_000, column('attributes.duration')).text).toBe(
      '4 min 05 s'
    );
    expect(cellText(0, column('attributes.start_time')).text).toMatch(
      /^19(69|70)-\d\d-\d\d \d\d:\d\d:\d\d$/
    );
  });
});

describe('column choice', () => {
  it('shows patterns and hand-picked columns, minus hand-hidden ones', () => {
    const choice = {
      patterns: ['metrics.*', 'attributes.version'],
      shown: ['tags.t'],
      hidden: ['metrics.m']
    };
    expect(columns.filter(c => isVisible(c, choice)).map(c => c.id)).toEqual([
      'attributes.version',
      'tags.t'
    ]);
  });
});

describe('export file name', () => {
  it('names files after the experiment and the time', () => {
    const when = new Date(2026, 10, 25, 15, 43, 7);
    expect(exportFileName('nb/train.ipynb', 'csv', when)).toBe(
      'runs-nb_train_ipynb-20261125-154307.csv'
    );
    expect(exportFileName('', 'json', when)).toBe(
      'runs-all-20261125-154307.json'
    );
  });
});
