/**
 * What the panel does to notebooks: find a run's cell (by id, even after cells moved;
 * by code as a fallback), reveal it, and insert new code cells with or without outputs.
 */

import { JupyterFrontEnd } from '@jupyterlab/application';
import * as nbformat from '@jupyterlab/nbformat';
import {
  INotebookTracker,
  Notebook,
  NotebookPanel
} from '@jupyterlab/notebook';

/** The notebook at `path`: the open one, else opened with `docmanager:open`. */
export async function openNotebook(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  path: string
): Promise<NotebookPanel | null> {
  let panel = tracker.find(p => p.context.path === path) ?? null;
  if (!panel) {
    const widget = await app.commands.execute('docmanager:open', {
      path,
      factory: 'Notebook'
    });
    panel = widget instanceof NotebookPanel ? widget : null;
  }
  if (!panel) {
    return null;
  }
  app.shell.activateById(panel.id);
  await panel.context.ready;
  return panel;
}

/**
 * Index of the cell that produced a run: the cell with `cellId`, else the only code cell
 * whose source is `code` (ids change when a notebook is copied or re-created), else -1.
 */
export function findCell(
  notebook: Notebook,
  cellId: string | null,
  code?: string
): number {
  const cells = notebook.widgets;
  if (cellId) {
    const byId = cells.findIndex(cell => cell.model.id === cellId);
    if (byId !== -1) {
      return byId;
    }
  }
  if (code === undefined) {
    return -1;
  }
  for (const normalise of [(s: string) => s, (s: string) => s.trim()]) {
    const wanted = normalise(code);
    const matches = cells
      .map((cell, index) => ({ cell, index }))
      .filter(
        ({ cell }) =>
          cell.model.type === 'code' &&
          normalise(cell.model.sharedModel.getSource()) === wanted
      );
    if (matches.length > 0) {
      // The last match: re-runs usually copy the cell further down.
      return matches[matches.length - 1].index;
    }
  }
  return -1;
}

/** Make cell `index` the only selected, active cell and scroll it into view. */
export async function revealCell(
  panel: NotebookPanel,
  index: number
): Promise<void> {
  const notebook = panel.content;
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  notebook.mode = 'command';
  const cell = notebook.widgets[index];
  if (cell) {
    await notebook.scrollToCell(cell, 'center');
    notebook.activate();
  }
}

/**
 * Insert a code cell below the active cell (at the end when there is none) and make it
 * active; `outputs` are stored with it, so they survive save and reload without a kernel.
 */
export function insertCodeCell(
  panel: NotebookPanel,
  source: string,
  outputs: nbformat.IOutput[] = []
): number {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    return -1;
  }
  const index =
    notebook.activeCellIndex >= 0
      ? notebook.activeCellIndex + 1
      : notebook.widgets.length;
  model.sharedModel.insertCell(index, {
    cell_type: 'code',
    source,
    metadata: {},
    outputs,
    execution_count: null
  });
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  void revealCell(panel, index);
  return index;
}
