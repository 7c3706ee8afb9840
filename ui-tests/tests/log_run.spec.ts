import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { clickLogRun, editCell, openDemo, TRAINING_CELL } from './notebook';

/** Messages of the notifications shown so far. */
async function notificationText(page: IJupyterLabPageFixture): Promise<string> {
  return (await page.notifications).map(n => n.message).join('\n');
}

test.describe('Log run on the demo notebook', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await openDemo(page, tmpPath);
  });

  test('logs v1 then v2 and shows both in the Runs panel', async ({ page }) => {
    // Run the preparation cells (everything but the training cell).
    for (let i = 0; i < TRAINING_CELL; i++) {
      await page.notebook.runCell(i);
    }
    await page.sidebar.openTab('jupyterlab-runs-panel');
    const panel = page.locator('#jupyterlab-runs-panel');
    await expect(panel.locator('.jp-RunsPanel-empty')).toBeVisible();

    await clickLogRun(page, TRAINING_CELL);
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
    await clickLogRun(page, TRAINING_CELL);
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
    await clickLogRun(page, index);
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
