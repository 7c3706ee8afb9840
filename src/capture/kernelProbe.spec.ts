import {
  claimExpression,
  MAX_PROBED_NAMES,
  numericValuesExpression,
  parseNumericValues
} from './kernelProbe';

describe('numericValuesExpression', () => {
  it('quotes every name as a Python string and caps their number', () => {
    const names = Array.from(
      { length: MAX_PROBED_NAMES + 5 },
      (_, i) => `n${i}`
    );
    const expr = numericValuesExpression(names);
    expect(expr).toContain('"n0"');
    expect(expr).toContain(`"n${MAX_PROBED_NAMES - 1}"`);
    expect(expr).not.toContain(`"n${MAX_PROBED_NAMES}"`);
  });

  it('cannot be broken out of by a crafted name', () => {
    const expr = numericValuesExpression(['a"]; import os; x=["']);
    expect(expr).toContain('"a\\"]; import os; x=[\\""');
  });
});

describe('claimExpression', () => {
  it('passes the cell id as a string literal', () => {
    expect(claimExpression('c"1')).toContain('.claim("c\\"1")');
  });
});

describe('parseNumericValues', () => {
  it('reads the repr of the JSON string the kernel returns', () => {
    const values = parseNumericValues(
      `'{"acc": 0.93, "n": 5.0, "loss": NaN, "hi": Infinity, "lo": -Infinity}'`
    );
    expect(values.get('acc')).toBe(0.93);
    expect(values.get('n')).toBe(5);
    expect(values.get('loss')).toBeNaN();
    expect(values.get('hi')).toBe(Infinity);
    expect(values.get('lo')).toBe(-Infinity);
  });

  it('decodes escaped non-ASCII names', () => {
    const values = parseNumericValues(`'{"\\\\u5b66\\\\u4e60\\\\u7387": 0.1}'`);
    expect(values.get('学习率')).toBe(0.1);
  });

  it('returns nothing for anything else', () => {
    expect(parseNumericValues('None').size).toBe(0);
    expect(parseNumericValues(`'not json'`).size).toBe(0);
    expect(parseNumericValues(`'{"a": "text"}'`).size).toBe(0);
  });
});
