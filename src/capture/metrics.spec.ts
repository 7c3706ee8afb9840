import { extractMetrics } from './metrics';

describe('extractMetrics', () => {
  it.each([
    ['1 MB of a:', 'a:'.repeat(500_000)],
    ['1 MB of name=number words', 'a=1 '.repeat(250_000)],
    ['a 1 MB number', `x: ${'1'.repeat(1_000_000)}`],
    ['1 MB of brackets', `${'('.repeat(500_000)}${')'.repeat(500_000)}`],
    [
      'unterminated escape sequences',
      `${'\x1b['.repeat(300_000)}${'0'.repeat(100_000)}`
    ],
    ['1 MB of separators', ', - | ; '.repeat(125_000)]
  ])('completes on a pathological line: %s', (_, text) => {
    expect(Array.isArray(extractMetrics(text))).toBe(true);
  });

  it('reads many lines', () => {
    const text = Array.from(
      { length: 10_000 },
      (_, i) => `step ${i} | loss=${1 / (i + 1)}`
    ).join('\n');
    expect(extractMetrics(text)).toEqual([{ key: 'loss', value: 1 / 10_000 }]);
  });
});
