import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

const NOTEBOOK = 'retrain.ipynb';
const TRAINING_CELL = 8;
const LOG_RUN = '[data-command="jupyterlab-runs:log-run"]';

/** Replace text in a cell's source through the shared model (no typing). */
async function editCell(
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

/** Messages of the notifications shown so far. */
async function notificationText(page: IJupyterLabPageFixture): Promise<string> {
  return (await page.notifications).map(n => n.message).join('\n');
}

/** Click the Log run button in the toolbar of cell `index`. */
async function logRun(
  page: IJupyterLabPageFixture,
  index: number
): Promise<void> {
  await page.notebook.selectCells(index);
  const cell = await page.notebook.getCellLocator(index);
  await cell!.locator(LOG_RUN).click();
}

test.describe('Log run on the demo notebook', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadFile(
      path.resolve(__dirname, '../../examples', NOTEBOOK),
      `${tmpPath}/${NOTEBOOK}`
    );
    await page.notebook.openByPath(`${tmpPath}/${NOTEBOOK}`);
    await page.notebook.activate(NOTEBOOK);
  });

  test('logs v1 then v2 and shows both in the Runs panel', async ({ page }) => {
    // Run the preparation cells (everything but the training cell).
    for (let i = 0; i < TRAINING_CELL; i++) {
      await page.notebook.runCell(i);
    }
    await page.sidebar.openTab('jupyterlab-runs-panel');
    const panel = page.locator('#jupyterlab-runs-panel');
    await expect(panel.locator('.jp-RunsPanel-empty')).toBeVisible();

    await logRun(page, TRAINING_CELL);
    const v1 = panel.locator('.jp-RunsList-row[data-version="1"]');
    await expect(v1).toBeVisible({ timeout: 30000 });
    await expect(v1).toContainText('FINISHED');
    await expect(v1).toContainText('n_estimators=200');
    await expect.poll(() => notificationText(page)).toContain('Logged run v1');
    // The row summarises the params; the metric column shows the metric picked.
    for (const param of ['n_estimators', 'max_depth', 'min_samples_split']) {
      await expect(v1.locator('.jp-RunsList-params')).toContainText(param);
    }
    await expect(panel.locator('.jp-RunsList-metricPicker')).toHaveValue(
      'accuracy'
    );
    const accuracy = await v1.locator('.jp-RunsList-metric').textContent();
    expect(Number(accuracy)).toBeGreaterThan(0.8);

    await editCell(
      page,
      TRAINING_CELL,
      'n_estimators = 200',
      'n_estimators = 50'
    );
    await logRun(page, TRAINING_CELL);
    const v2 = panel.locator('.jp-RunsList-row[data-version="2"]');
    await expect(v2).toBeVisible({ timeout: 30000 });
    await expect(v2).toContainText('n_estimators=50');
    await expect(panel.locator('.jp-RunsList-row')).toHaveCount(2);
    await panel.screenshot({ path: 'test-results/runs-panel.png' });
  });

  test('a failing cell is logged as FAILED with the error name', async ({
    page
  }) => {
    await page.notebook.addCell(
      'code',
      'lr = 0.1\nraise ValueError("bad data")'
    );
    const index = (await page.notebook.getCellCount()) - 1;
    await page.sidebar.openTab('jupyterlab-runs-panel');
    await logRun(page, index);
    const row = page.locator(
      '#jupyterlab-runs-panel .jp-RunsList-row[data-version="1"]'
    );
    await expect(row).toBeVisible({ timeout: 30000 });
    await expect(row.locator('.jp-RunsList-status')).toHaveText('FAILED');
    await expect(row.locator('.jp-RunsList-status')).toHaveAttribute(
      'title',
      /ValueError/
    );
  });

  test('Log run without a kernel says so', async ({ page }) => {
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      await app.shell.currentWidget.sessionContext.shutdown();
    });
    await page.notebook.selectCells(TRAINING_CELL);
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('jupyterlab-runs:log-run')
    );
    await expect.poll(() => notificationText(page)).toContain('no kernel');
  });
});
