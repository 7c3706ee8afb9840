import { sparkline } from './sparkline';

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
