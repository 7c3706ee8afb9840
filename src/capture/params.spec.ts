import { scanAssignedNames, scanParams } from './params';

/** A small deterministic generator, so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('scanParams', () => {
  it('returns fresh objects on every call', () => {
    const first = scanParams('lr = 0.1');
    first[0].value = 'changed';
    expect(scanParams('lr = 0.1')).toEqual([
      { key: 'lr', value: '0.1', type: 'float', source: 'assign' }
    ]);
  });

  it('never throws on arbitrary text', () => {
    const next = random(7);
    const alphabet = 'ab1 =:()[]{}\'"#\\\n\t,;.%!@*-+fjxe_é\0';
    for (let i = 0; i < 500; i++) {
      let source = '';
      const length = Math.floor(next() * 80);
      for (let j = 0; j < length; j++) {
        source += alphabet[Math.floor(next() * alphabet.length)];
      }
      expect(() => scanParams(source)).not.toThrow();
      expect(() => scanAssignedNames(source)).not.toThrow();
    }
  });

  it('scans a 500-line cell with 50 params', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      lines.push(`param_${i} = ${i % 2 ? i / 4 : `"value ${i}"`}`);
    }
    for (let i = 0; lines.length < 500; i++) {
      lines.push(
        `def step_${i}(x, lr=0.1):`,
        `    y = model.fit(x, epochs=${i}, verbose=False)  # comment`,
        '    return {"loss": y.loss}',
        `result_${i} = step_${i}(data[${i}:], lr=param_${i % 50})`,
        `print(f"loss: {result_${i}['loss']:.3f}")`
      );
    }
    const params = scanParams(lines.join('\n'));
    expect(params.filter(p => p.source === 'assign')).toHaveLength(50);
    expect(params.filter(p => p.source === 'kwarg').map(p => p.key)).toEqual([
      'epochs',
      'verbose'
    ]);
  });

  it.each([
    ['a 1 MB list literal', `x = [${'1, '.repeat(350_000)}]`],
    ['a 1 MB string', `x = "${'a'.repeat(1_000_000)}"`],
    ['1 MB of brackets', `x = ${'('.repeat(500_000)}${')'.repeat(500_000)}`],
    ['1 MB of quotes', '"'.repeat(1_000_000)],
    ['100k unary minus signs', `x = ${'-'.repeat(100_000)}1`],
    ['30k chained powers', `x = ${'2**'.repeat(30_000)}1`],
    ['100k f-string fields', `x = f"${'{a}'.repeat(100_000)}"`]
  ])('completes on %s', (_, source) => {
    expect(Array.isArray(scanParams(source))).toBe(true);
  });
});
