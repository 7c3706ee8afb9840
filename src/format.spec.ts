import { nullTranslator } from '@jupyterlab/translation';

import { formatAge, formatDuration, formatNumber } from './format';

const trans = nullTranslator.load('jupyterlab_runs');

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

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [1530, '1.5 s'],
    [245_000, '4 min 05 s'],
    [7_380_000, '2 h 03 min']
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows a dash for a run still running', () => {
    expect(formatDuration(null)).toBe('—');
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [42, '42'],
    [-7, '-7'],
    [0.964, '0.964'],
    [0.96412345, '0.9641'],
    [1234.5678, '1235'],
    [0.001, '0.001'],
    [0.00012346, '1.235e-4'],
    [1e-7, '1e-7'],
    [12345678.9, '1.235e7'],
    [1e6, '1e6'],
    [1234.5, '1235'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity']
  ])('%p → %s', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it('takes the number of significant digits', () => {
    expect(formatNumber(0.96412345, 6)).toBe('0.964123');
  });
});
