/** The demo notebook and the cell actions the browser tests share. */

import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'path';

export const NOTEBOOK = 'retrain.ipynb';
/** The demo's training cell, where its params are assigned and its metrics printed. */
export const TRAINING_CELL = 8;
export const LOG_RUN = '[data-command="jupyterlab-runs:log-run"]';

/** Replace text in a cell's source through the shared model (no typing). */
export async function editCell(
  page: IJupyterLabPageFixture,
  index: number,
  from: string,
  to: string
): Promise<void> {
  await page.evaluate(
    ({ index, from, to }) => {
      const app = (window as any).jupyterapp;
      const cell = app.shell.currentWidget.content.widgets[index];
      const source: string = cell.model.sharedModel.getSource();
      cell.model.sharedModel.setSource(source.replace(from, to));
    },
    { index, from, to }
  );
}

/** Click Log run in the toolbar of cell `index`. */
export async function clickLogRun(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.notebook.selectCells(index);
  const cell = await page.notebook.getCellLocator(index);
  await cell!.locator(LOG_RUN).click();
}

/** Upload the demo notebook into the test's folder, open it and make it current. */
export async function openDemo(
  page: IJupyterLabPageFixture,
  tmpPath: string
): Promise<void> {
  await page.contents.uploadFile(
    path.resolve(__dirname, '../../examples', NOTEBOOK),
    `${tmpPath}/${NOTEBOOK}`
  );
  await page.notebook.openByPath(`${tmpPath}/${NOTEBOOK}`);
  await page.notebook.activate(NOTEBOOK);
}

/** The JSON of an nbformat 4.5 notebook of `cells`, on the Python 3 kernel. */
export function notebookJson(cells: Record<string, unknown>[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python' }
    },
    cells
  });
}
