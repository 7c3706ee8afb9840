import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const API = '/jupyterlab-runs/api';

/** Every run of the experiment named `name` (the notebook path by default). */
async function runsOf(page: IJupyterLabPageFixture, name: string) {
  const experiments = await (
    await page.request.get(`${API}/experiments`)
  ).json();
  const experiment = experiments.experiments.find(
    (e: { name: string }) => e.name === name
  );
  if (!experiment) {
    return [];
  }
  const page1 = await page.request.get(
    `${API}/runs?experiment_ids=${experiment.id}&order_by=version%20ASC`
  );
  return (await page1.json()).runs;
}

/** Run the first cell the normal way (the notebook's own run command, as Ctrl+Enter). */
async function runFirstCell(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    app.shell.currentWidget.content.activeCellIndex = 0;
    await app.commands.execute('notebook:run-cell');
  });
}

/** Path of the notebook in the main area. */
async function notebookPath(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.context.path
  );
}

test.describe('Capture in the browser', () => {
  test.beforeEach(async ({ page }) => {
    await page.notebook.createNew();
  });

  test('the shortcut logs a run with variable and explicit metrics; the badge opens it', async ({
    page
  }) => {
    await page.notebook.setCell(
      0,
      'code',
      'import jupyterlab_runs as jr\nlr = 0.01\nacc = 0.5 + 0.375\njr.log_metric("f1", 0.8)'
    );
    await page.notebook.leaveCellEditingMode(0);
    await page.keyboard.press('Control+Shift+Enter');

    const badge = page.locator('.jp-RunsCellBadge');
    await expect(badge).toHaveText(/^v1/, { timeout: 30000 });
    const [run] = await runsOf(page, await notebookPath(page));
    expect(run.params.lr).toEqual({
      value: '0.01',
      type: 'float',
      source: 'assign'
    });
    expect(run.metrics.acc).toMatchObject({ value: 0.875, source: 'variable' });
    expect(run.metrics.f1).toMatchObject({ value: 0.8, source: 'explicit' });
    // The explicit value came back as an output: no second run from the kernel.
    expect(await runsOf(page, await notebookPath(page))).toHaveLength(1);

    await badge.click();
    await expect(page.locator('#jupyterlab-runs-panel')).toBeVisible();
  });

  test('auto-track logs every normal execution while it is on', async ({
    page
  }) => {
    await page.notebook.setCell(0, 'code', 'epochs = 3\nprint("loss: 0.25")');
    await page.notebook.leaveCellEditingMode(0);
    await page.notebook.selectCells(0);
    // The switch is in the cell toolbar, shown pressed while on.
    const toggle = (await page.notebook.getCellLocator(0))!.locator(
      '[data-command="jupyterlab-runs:toggle-auto-track"]'
    );
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');

    const isToggled = () =>
      page.evaluate(() =>
        (window as any).jupyterapp.commands.isToggled(
          'jupyterlab-runs:toggle-auto-track'
        )
      );
    expect(await isToggled()).toBe(true);

    await runFirstCell(page);
    await expect(page.locator('.jp-RunsCellBadge')).toHaveText(/^v1/, {
      timeout: 30000
    });
    await runFirstCell(page);
    await expect(page.locator('.jp-RunsCellBadge')).toHaveText(/^v2/, {
      timeout: 30000
    });
    const runs = await runsOf(page, await notebookPath(page));
    expect(runs.map((r: { source: string }) => r.source)).toEqual([
      'auto',
      'auto'
    ]);
    expect(runs[1].metrics.loss.value).toBe(0.25);

    await page.notebook.selectCells(0);
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute(
        'jupyterlab-runs:toggle-auto-track'
      )
    );
    expect(await isToggled()).toBe(false);
    await runFirstCell(page);
    await page.waitForTimeout(1000);
    expect(await runsOf(page, await notebookPath(page))).toHaveLength(2);
  });

  test('the context menu and the Run menu offer Log run on code cells', async ({
    page
  }) => {
    await page.notebook.setCell(0, 'code', 'x = 1');
    await page.notebook.leaveCellEditingMode(0);
    const cell = await page.notebook.getCellLocator(0);
    await cell!.click({ button: 'right' });
    const menu = page.locator('.lm-Menu');
    await expect(menu.getByText('Log run', { exact: true })).toBeVisible();
    await expect(menu.getByText('Auto-track This Cell')).toBeVisible();
    await page.keyboard.press('Escape');
    await page.menu.open('Run');
    await expect(
      page.locator('.lm-Menu').getByText('Log run', { exact: true })
    ).toBeVisible();
  });
});
