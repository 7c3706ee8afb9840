/**
 * The reproducibility verdict of a run: could "restart the kernel and run all cells up
 * to this one" give the same state? It is read from the notebook itself — execution
 * counts, edited-since-run flags — and the kernel's execution counter, so untracked
 * cells pay nothing (no hook on their execution path).
 */

/** What the verdict needs to know about one cell, in notebook order. */
export interface ICellState {
  /** Cell id. */
  id: string;
  /** Cell type. */
  type: string;
  /** Execution count, or null if never executed in this kernel. */
  executionCount: number | null;
  /** Whether the code was edited after it last ran. */
  edited: boolean;
  /** Whether the code is blank (blank cells need not run). */
  blank: boolean;
}

/** Why a run's state is not clean. */
export type ReasonKind =
  'not-run' | 'out-of-order' | 'edited' | 'missing-execution' | 'ran-after';

/** One reason, pointing at a cell when there is one. */
export interface IReason {
  /** What is wrong. */
  kind: ReasonKind;
  /** The cell at fault, or null (an execution whose cell is gone). */
  cellId: string | null;
  /** 0-based index of that cell, or null. */
  index: number | null;
  /** Execution count involved, if any. */
  executionCount: number | null;
}

/** The verdict stored with a run (`context.reproducibility`). */
export interface IVerdict {
  /** True when the state came from an in-order run of a fresh kernel. */
  clean: boolean;
  /** The reasons it is not, in notebook order. */
  reasons: IReason[];
}

/**
 * Judge the state in which `targetId` just ran with execution count
 * `kernelCount`. `ownCounts` are earlier execution counts of the target cell
 * itself (previous Log runs of it), which are not held against the run: re-running
 * the logged cell after changing its parameters is the normal workflow.
 */
export function reproducibilityVerdict(
  cells: readonly ICellState[],
  targetId: string,
  kernelCount: number,
  ownCounts: readonly number[] = []
): IVerdict {
  const reasons: IReason[] = [];
  const targetIndex = cells.findIndex(cell => cell.id === targetId);
  const seen = new Set<number>(ownCounts);
  let previous = 0;
  cells.forEach((cell, index) => {
    if (cell.type !== 'code') {
      return;
    }
    const count = cell.executionCount;
    if (count !== null) {
      seen.add(count);
    }
    const reason = (kind: ReasonKind): void => {
      reasons.push({ kind, cellId: cell.id, index, executionCount: count });
    };
    if (index > targetIndex) {
      if (count !== null && count < kernelCount) {
        reason('ran-after');
      }
      return;
    }
    if (cell.edited) {
      reason('edited');
    }
    if (count === null) {
      if (!cell.blank) {
        reason('not-run');
      }
      return;
    }
    if (count <= previous) {
      reason('out-of-order');
    }
    previous = Math.max(previous, count);
  });
  for (let count = 1; count <= kernelCount; count++) {
    if (!seen.has(count)) {
      reasons.push({
        kind: 'missing-execution',
        cellId: null,
        index: null,
        executionCount: count
      });
    }
  }
  return { clean: reasons.length === 0, reasons };
}
