import { compareText, formatPythonFloat, PyValue, toJson } from './pyrepr';

describe('formatPythonFloat', () => {
  it.each([
    [0.001, '0.001'],
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [0.1, '0.1'],
    [200, '200.0'],
    [0.0001, '0.0001'],
    [123.456, '123.456'],
    [-0.5, '-0.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
    [2.5e-7, '2.5e-07'],
    [1e22, '1e+22'],
    [-1e-100, '-1e-100'],
    [0, '0.0'],
    [-0, '-0.0'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf']
  ])('%p → %s', (x, text) => {
    expect(formatPythonFloat(x)).toBe(text);
  });
});

describe('toJson', () => {
  const int = (value: number): PyValue => ({
    type: 'int',
    value: BigInt(value)
  });
  const str = (value: string): PyValue => ({ type: 'str', value });

  it('writes containers with Python json.dumps separators', () => {
    const value: PyValue = {
      type: 'dict',
      entries: [
        [str('a'), { type: 'tuple', items: [int(1), { type: 'none' }] }],
        [int(2), { type: 'float', value: 0.5 }]
      ]
    };
    expect(toJson(value)).toBe('{"a": [1, null], "2": 0.5}');
  });

  it('sorts sets by type then value and drops duplicates', () => {
    const value: PyValue = {
      type: 'set',
      items: [
        str('b'),
        int(10),
        { type: 'bool', value: true },
        int(9),
        str('a'),
        int(10)
      ]
    };
    expect(toJson(value)).toBe('[true, 9, 10, "a", "b"]');
  });

  it('keeps every digit of big ints and writes infinities as JSON does', () => {
    const value: PyValue = {
      type: 'list',
      items: [
        { type: 'int', value: 2n ** 80n },
        { type: 'float', value: Infinity }
      ]
    };
    expect(toJson(value)).toBe('[1208925819614629174706176, Infinity]');
  });
});

describe('compareText', () => {
  it('orders by code point like Python, not by UTF-16 unit', () => {
    expect(compareText('\uffff', '\u{10000}')).toBeLessThan(0);
    expect(compareText('\u{1F600}', '\uff00')).toBeGreaterThan(0);
    expect(compareText('ab', 'a')).toBeGreaterThan(0);
    expect(compareText('x', 'x')).toBe(0);
  });
});
