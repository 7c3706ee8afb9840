import { formatTotal } from './runsQuery';

describe('formatTotal', () => {
  it('shows an exact count as a number', () => {
    expect(formatTotal(1234, false)).toBe((1234).toLocaleString());
  });

  it('says "at least" when the server could only bound the count', () => {
    expect(formatTotal(1025, true)).toBe(`≥ ${(1025).toLocaleString()}`);
  });
});
