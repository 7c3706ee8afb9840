import { ICellState, reproducibilityVerdict } from './reproducibility';

function code(
  id: string,
  executionCount: number | null,
  edited = false
): ICellState {
  return { id, type: 'code', executionCount, edited, blank: false };
}

const markdown: ICellState = {
  id: 'md',
  type: 'markdown',
  executionCount: null,
  edited: false,
  blank: false
};

describe('reproducibilityVerdict', () => {
  it('is clean for an in-order run from a fresh kernel', () => {
    const cells = [code('a', 1), markdown, code('b', 2), code('train', 3)];
    expect(reproducibilityVerdict(cells, 'train', 3)).toEqual({
      clean: true,
      reasons: []
    });
  });

  it('allows re-running the logged cell itself (v2 after a parameter change)', () => {
    const cells = [code('a', 1), code('train', 3)];
    expect(reproducibilityVerdict(cells, 'train', 3, [2]).clean).toBe(true);
    // Without knowing that execution 2 was the cell itself, it is a gap.
    const verdict = reproducibilityVerdict(cells, 'train', 3);
    expect(verdict.clean).toBe(false);
    expect(verdict.reasons).toEqual([
      {
        kind: 'missing-execution',
        cellId: null,
        index: null,
        executionCount: 2
      }
    ]);
  });

  it('names cells run out of order', () => {
    const cells = [code('a', 2), code('b', 1), code('train', 3)];
    const verdict = reproducibilityVerdict(cells, 'train', 3);
    expect(verdict.clean).toBe(false);
    expect(verdict.reasons).toEqual([
      { kind: 'out-of-order', cellId: 'b', index: 1, executionCount: 1 }
    ]);
  });

  it('names cells edited after they ran and cells never run', () => {
    const blank: ICellState = { ...code('blank', null), blank: true };
    const cells = [
      code('a', 1, true),
      code('b', null),
      blank,
      code('train', 2)
    ];
    const verdict = reproducibilityVerdict(cells, 'train', 2);
    expect(verdict.reasons.map(r => [r.kind, r.cellId])).toEqual([
      ['edited', 'a'],
      ['not-run', 'b']
    ]);
  });

  it('names cells below that ran before the logged cell', () => {
    const cells = [code('a', 1), code('train', 3), code('later', 2)];
    const verdict = reproducibilityVerdict(cells, 'train', 3);
    expect(verdict.reasons).toEqual([
      { kind: 'ran-after', cellId: 'later', index: 2, executionCount: 2 }
    ]);
  });

  it('reports executions whose cell is gone (deleted cells, other clients)', () => {
    const cells = [code('a', 1), code('train', 4)];
    const verdict = reproducibilityVerdict(cells, 'train', 4);
    expect(verdict.reasons.map(r => r.executionCount)).toEqual([2, 3]);
    expect(verdict.reasons.every(r => r.kind === 'missing-execution')).toBe(
      true
    );
  });
});
