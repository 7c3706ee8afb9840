import { CodeCell } from '@jupyterlab/cells';
import { NotebookPanel } from '@jupyterlab/notebook';

import { ICellState } from './reproducibility';

/** Most characters of a notebook snapshot kept with a run. */
const MAX_SNAPSHOT_CHARS = 1_000_000;

/** Every cell's state as the reproducibility verdict needs it. */
export function cellStates(panel: NotebookPanel): ICellState[] {
  return panel.content.widgets.map(cell => {
    const model = cell.model;
    const code = model.type === 'code' ? (model as CodeCell['model']) : null;
    return {
      id: model.id,
      type: model.type,
      executionCount: code?.executionCount ?? null,
      edited: code?.isDirty ?? false,
      blank: model.sharedModel.getSource().trim() === ''
    };
  });
}

/** The notebook's code cells at the time of the run, capped in size. */
export function notebookSnapshot(panel: NotebookPanel): unknown[] {
  const cells: unknown[] = [];
  let size = 0;
  for (const cell of panel.content.widgets) {
    if (cell.model.type !== 'code') {
      continue;
    }
    const source = cell.model.sharedModel.getSource();
    size += source.length;
    if (size > MAX_SNAPSHOT_CHARS) {
      cells.push({ id: cell.model.id, truncated: true });
      break;
    }
    cells.push({
      id: cell.model.id,
      source,
      execution_count: (cell.model as CodeCell['model']).executionCount
    });
  }
  return cells;
}
