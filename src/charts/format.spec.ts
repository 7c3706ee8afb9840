import { formatNumber } from './format';

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
