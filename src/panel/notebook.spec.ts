import { Context } from '@jupyterlab/docregistry';
import * as nbformat from '@jupyterlab/nbformat';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import {
  initNotebookContext,
  NBTestUtils
} from '@jupyterlab/notebook/lib/testutils';
import { JupyterServer } from '@jupyterlab/testing';

import { findCell, insertCodeCell } from './notebook';

// A real server: the inserted output must survive a save and a reload from disk.
const server = new JupyterServer();

beforeAll(async () => {
  await server.start({ configData: { ServerApp: { allow_root: true } } });
}, 60000);

afterAll(async () => {
  await server.shutdown();
});

describe('notebook helpers', () => {
  let context: Context<INotebookModel>;
  let panel: NotebookPanel;

  beforeEach(async () => {
    context = await initNotebookContext();
    panel = NBTestUtils.createNotebookPanel(context);
    const shared = panel.model!.sharedModel;
    shared.transact(() => {
      shared.deleteCellRange(0, shared.cells.length);
      shared.insertCells(0, [
        { cell_type: 'markdown', source: '# title' },
        { cell_type: 'code', source: 'a = 1' },
        { cell_type: 'code', source: 'b = 2\n' },
        { cell_type: 'code', source: 'c = 3' }
      ]);
    });
  });

  afterEach(() => {
    panel.dispose();
    context.dispose();
  });

  it('finds a cell by id even after it moved', () => {
    const id = panel.content.widgets[3].model.id;
    panel.model!.sharedModel.moveCell(3, 0);
    expect(findCell(panel.content, id)).toBe(0);
  });

  it('falls back to the code when the id is unknown', () => {
    expect(findCell(panel.content, 'gone', 'a = 1')).toBe(1);
    expect(findCell(panel.content, 'gone', 'b = 2')).toBe(2);
    expect(findCell(panel.content, 'gone', '# title')).toBe(-1);
    expect(findCell(panel.content, null, 'zzz')).toBe(-1);
  });

  it('inserts a cell with outputs below the active cell; they survive save and reload', async () => {
    panel.content.activeCellIndex = 1;
    const index = insertCodeCell(panel, '# comparison', [
      {
        output_type: 'display_data',
        data: { 'text/plain': 'a table', 'application/json': { a: 1 } },
        metadata: {}
      }
    ]);
    expect(index).toBe(2);
    expect(panel.content.activeCellIndex).toBe(2);

    await context.save();
    await context.revert();
    // revert() re-read the file from disk.
    const saved = context.model.toJSON() as nbformat.INotebookContent;
    const cell = saved.cells[2];
    expect(cell.source).toBe('# comparison');
    expect(cell.outputs).toEqual([
      {
        output_type: 'display_data',
        data: { 'text/plain': 'a table', 'application/json': { a: 1 } },
        metadata: {}
      }
    ]);
  });
});
