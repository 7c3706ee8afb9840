import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import {
  clickLogRun,
  editCell,
  NOTEBOOK,
  openDemo,
  TRAINING_CELL
} from './notebook';

const PANEL = '#jupyterlab-runs-panel';

/** Click Log run in the toolbar of cell `index` and wait for version `version` in the list. */
async function logRun(
  page: IJupyterLabPageFixture,
  index: number,
  version: number
): Promise<void> {
  await clickLogRun(page, index);
  await expect(row(page, version)).toBeVisible({ timeout: 30000 });
}

/** The list row of a version. */
function row(page: IJupyterLabPageFixture, version: number): Locator {
  return page.locator(`${PANEL} .jp-RunsList-row[data-version="${version}"]`);
}

/** Versions of the rows shown, top to bottom. */
async function shownVersions(page: IJupyterLabPageFixture): Promise<number[]> {
  const rows = page.locator(`${PANEL} .jp-RunsList-row`);
  return (await rows.evaluateAll(nodes =>
    nodes.map(node => Number((node as HTMLElement).dataset.version))
  )) as number[];
}

/** The metric column of the rows shown, as numbers. */
async function shownMetric(page: IJupyterLabPageFixture): Promise<number[]> {
  const cells = page.locator(`${PANEL} .jp-RunsList-row .jp-RunsList-metric`);
  return (await cells.allTextContents()).map(Number);
}

/** Index and id of the active cell of the current notebook. */
async function activeCell(
  page: IJupyterLabPageFixture
): Promise<{ index: number; id: string; source: string }> {
  return page.evaluate(() => {
    const notebook = (window as any).jupyterapp.shell.currentWidget.content;
    const cell = notebook.activeCell;
    return {
      index: notebook.activeCellIndex,
      id: cell.model.id,
      source: cell.model.sharedModel.getSource()
    };
  });
}

/** Set the filter and apply it (Enter). */
async function filter(page: IJupyterLabPageFixture, text: string) {
  const input = page.locator(`${PANEL} .jp-RunsFilter-input`);
  await input.fill(text);
  await input.press('Enter');
}

/** Click a panel command button. */
function button(page: IJupyterLabPageFixture, command: string): Locator {
  return page.locator(`${PANEL} [data-command="jupyterlab-runs:${command}"]`);
}

test.describe('Runs panel on the demo notebook', () => {
  test.setTimeout(240000);

  test.beforeEach(async ({ page, tmpPath }) => {
    await openDemo(page, tmpPath);
  });

  test('browse, filter, sort, inspect, diff, restore, compare and insert', async ({
    page,
    tmpPath
  }) => {
    await test.step('log three runs', async () => {
      for (let i = 0; i < TRAINING_CELL; i++) {
        await page.notebook.runCell(i);
      }
      await page.sidebar.openTab('jupyterlab-runs-panel');
      await logRun(page, TRAINING_CELL, 1);
      await editCell(
        page,
        TRAINING_CELL,
        'n_estimators = 200',
        'n_estimators = 5'
      );
      await logRun(page, TRAINING_CELL, 2);
      await editCell(
        page,
        TRAINING_CELL,
        'n_estimators = 5',
        'n_estimators = 100'
      );
      await logRun(page, TRAINING_CELL, 3);
      expect(await shownVersions(page)).toEqual([3, 2, 1]);
      await expect(row(page, 2)).toContainText('n_estimators=5');
      await expect(row(page, 2)).toContainText('FINISHED');
    });

    await test.step('filter, then a bad filter says where', async () => {
      await filter(page, 'params.n_estimators > 50 and metrics.accuracy > 0');
      await expect.poll(() => shownVersions(page)).toEqual([3, 1]);
      await filter(page, 'params.n_estimators >> 50');
      const error = page.locator(`${PANEL} .jp-RunsFilter-error`);
      await expect(error).toContainText('position');
      await expect(error.locator('mark')).toHaveText('>');
      await filter(page, '');
      await expect.poll(() => shownVersions(page)).toEqual([3, 2, 1]);
    });

    await test.step('sort by the metric, both ways', async () => {
      const sortByMetric = page.locator(
        `${PANEL} .jp-RunsList-sort[data-column="metric"]`
      );
      await sortByMetric.click();
      await expect
        .poll(async () => {
          const values = await shownMetric(page);
          return values.every((v, i) => i === 0 || values[i - 1] >= v);
        })
        .toBe(true);
      await sortByMetric.click();
      await expect
        .poll(async () => {
          const values = await shownMetric(page);
          return values.every((v, i) => i === 0 || values[i - 1] <= v);
        })
        .toBe(true);
      await page
        .locator(`${PANEL} .jp-RunsList-sort[data-column="version"]`)
        .click();
      await expect.poll(() => shownVersions(page)).toEqual([3, 2, 1]);
    });

    const details = page.locator(`${PANEL} .jp-RunsDetails`);
    await test.step('details: params with sources, metrics, reproducibility', async () => {
      await row(page, 2).click();
      await expect(details).toHaveAttribute('data-version', '2');
      const param = details.locator(
        '.jp-RunsDetails-params tr[data-key="n_estimators"]'
      );
      await expect(param).toContainText('5');
      await expect(param).toContainText('int');
      await expect(param).toContainText('assign');
      const metric = details.locator(
        '.jp-RunsDetails-metrics tr[data-key="accuracy"]'
      );
      await expect(metric).toBeVisible();
      expect(
        Number(await metric.locator('td').first().textContent())
      ).toBeGreaterThan(0.8);
      await expect(details.locator('.jp-RunsDetails-reproBadge')).toHaveText(
        /Reproducible|Not reproducible/
      );
    });

    await test.step('diff v2 against v1 shows the changed line', async () => {
      await details
        .locator('.jp-RunsDetails-diffPicker')
        .selectOption({ label: 'v1' });
      const editor = details.locator('.jp-RunsDetails-editor');
      await expect(editor.locator('.cm-deletedChunk')).toContainText(
        'n_estimators = 200'
      );
      await expect(editor.locator('.cm-changedLine')).toContainText(
        'n_estimators = 5'
      );
    });

    await test.step('restore the code into a new cell', async () => {
      await page.notebook.selectCells(2);
      const before = await page.notebook.getCellCount();
      await button(page, 'restore-code').click();
      await expect.poll(() => page.notebook.getCellCount()).toBe(before + 1);
      const inserted = await activeCell(page);
      expect(inserted.index).toBe(3);
      expect(inserted.source).toContain('n_estimators = 5\n');
    });

    await test.step('go to cell finds the cell after it moved', async () => {
      const trainingId = await page.evaluate(
        index =>
          (window as any).jupyterapp.shell.currentWidget.content.widgets[index]
            .model.id,
        TRAINING_CELL + 1
      );
      await page.evaluate(from => {
        const notebook = (window as any).jupyterapp.shell.currentWidget.content;
        notebook.model.sharedModel.moveCell(from, 1);
      }, TRAINING_CELL + 1);
      await page.notebook.selectCells(5);
      await button(page, 'go-to-cell').click();
      await expect
        .poll(async () => (await activeCell(page)).id)
        .toBe(trainingId);
      expect((await activeCell(page)).index).toBe(1);
    });

    await test.step('delete, then restore from the deleted view', async () => {
      await row(page, 3).click();
      await expect(details).toHaveAttribute('data-version', '3');
      await button(page, 'delete-run').click();
      await page.locator('.jp-Dialog .jp-mod-warn').click();
      await expect(row(page, 3)).toHaveCount(0);
      await expect.poll(() => shownVersions(page)).toEqual([2, 1]);

      await page.locator(`${PANEL} .jp-RunsList-deletedToggle`).click();
      await expect.poll(() => shownVersions(page)).toEqual([3]);
      await row(page, 3).click();
      await button(page, 'restore-run').click();
      await expect(row(page, 3)).toHaveCount(0);
      await page.locator(`${PANEL} .jp-RunsList-deletedToggle`).click();
      await expect.poll(() => shownVersions(page)).toEqual([3, 2, 1]);
    });

    await test.step('light-theme screenshot with details open', async () => {
      await row(page, 2).click();
      await expect(details).toHaveAttribute('data-version', '2');
      await page
        .locator(PANEL)
        .screenshot({ path: 'test-results/panel-light.png' });
    });

    const chart = page.locator(`${PANEL} .jp-RunsCompare-chart`);
    await test.step('compare three runs: one mark per run', async () => {
      await row(page, 1).click();
      await row(page, 2).click({ modifiers: ['ControlOrMeta'] });
      await row(page, 3).click({ modifiers: ['ControlOrMeta'] });
      await expect(
        page.locator(`${PANEL} .jp-RunsList-row[aria-selected="true"]`)
      ).toHaveCount(3);
      await button(page, 'compare-selected').click();
      await expect(chart.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
    });

    await test.step('clicking a mark selects that run', async () => {
      await chart.locator('.mark-rect path').first().click();
      await expect(
        page.locator(`${PANEL} .jp-RunsList-row[aria-selected="true"]`)
      ).toHaveCount(1);
      await expect(details).toBeVisible();
      await page.locator(`${PANEL} .jp-RunsPanel-back`).click();
      await expect(chart.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
    });

    await test.step('dark-theme screenshot of the comparison', async () => {
      await page.theme.setDarkTheme();
      await expect(chart.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
      await page
        .locator(PANEL)
        .screenshot({ path: 'test-results/panel-dark.png' });
      await page.theme.setLightTheme();
    });

    await test.step('insert into the notebook; the output survives save and reload', async () => {
      await page.notebook.activate(NOTEBOOK);
      await page.notebook.selectCells(0);
      await button(page, 'insert-comparison').click();
      const output = page.locator('.jp-Notebook .jp-OutputArea .jp-RunsChart');
      await expect(output.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
      const source = (await activeCell(page)).source;
      expect(source).toBe('# jupyterlab-runs comparison (v1, v2, v3)');
      await page.notebook.save();
      // The restored layout has no Launcher, which galata's readiness check waits for.
      await page.reload({ waitForIsReady: false });
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
      if (!(await page.notebook.isOpen(NOTEBOOK))) {
        await page.notebook.openByPath(`${tmpPath}/${NOTEBOOK}`);
      }
      await page.notebook.activate(NOTEBOOK);
      await expect(
        page.locator(
          '.jp-Notebook .jp-OutputArea .jp-RunsChart .mark-rect path'
        )
      ).toHaveCount(3, { timeout: 30000 });
    });
  });
});

test.describe('Runs panel with seeded runs', () => {
  /** POST a run through the REST API. */
  async function seed(
    page: IJupyterLabPageFixture,
    experiment: string,
    params: Record<string, string>,
    accuracy: number | string
  ): Promise<void> {
    const response = await page.request.post('/jupyterlab-runs/api/runs', {
      data: {
        experiment_name: experiment,
        status: 'FINISHED',
        source: 'api',
        start_time: Date.now(),
        end_time: Date.now() + 100,
        code: 'x = 1',
        params: Object.entries(params).map(([key, value]) => ({
          key,
          value,
          type: 'str',
          source: 'explicit'
        })),
        metrics: [
          { key: 'accuracy', value: accuracy, source: 'explicit' },
          ...[0.9, 0.6, 0.45, 0.3].map((value, step) => ({
            key: 'loss',
            value,
            step,
            source: 'explicit'
          }))
        ]
      }
    });
    expect(response.ok()).toBe(true);
  }

  test('user data is text, and runs logged elsewhere show up live', async ({
    page
  }) => {
    const experiment = `seeded-${Date.now()}`;
    const xss = '<img src=x onerror=alert(1)>';
    let alerted = false;
    page.on('dialog', dialog => {
      alerted = true;
      void dialog.dismiss();
    });
    await seed(page, experiment, { model: xss }, 0.5);
    await page.sidebar.openTab('jupyterlab-runs-panel');
    const picker = page.locator(`${PANEL} .jp-RunsList-experimentPicker`);
    await expect(picker.locator('option', { hasText: experiment })).toHaveCount(
      1,
      {
        timeout: 10000
      }
    );
    await picker.selectOption(experiment);
    // The row summary shortens long values; the details show them whole.
    await expect(row(page, 1)).toContainText('model=<img src=x');
    await row(page, 1).click();
    await expect(
      page
        .locator(`${PANEL} .jp-RunsDetails-params tr[data-key="model"] td`)
        .first()
    ).toHaveText(xss);
    await expect(page.locator(`${PANEL} img`)).toHaveCount(0);

    // Logged by "someone else" (REST): visible within two seconds, no reload.
    await seed(page, experiment, { model: 'rf' }, 'NaN');
    await expect(row(page, 2)).toBeVisible({ timeout: 2000 });

    // A NaN metric is noted in the comparison, not silently dropped.
    await row(page, 1).click();
    await row(page, 2).click({ modifiers: ['Shift'] });
    await button(page, 'compare-selected').click();
    await expect(page.locator(`${PANEL} .jp-RunsCompare-notes`)).toContainText(
      'NaN'
    );

    // History lines of a stepped metric, one per run.
    const chart = page.locator(`${PANEL} .jp-RunsCompare-chart`);
    await page.locator(`${PANEL} .jp-RunsCompare-kind`).selectOption('line');
    await page.locator(`${PANEL} .jp-RunsCompare-metric`).selectOption('loss');
    await expect(
      page.locator(`${PANEL} .jp-RunsCompare-smoothing`)
    ).toBeVisible();
    await expect(chart.locator('.mark-line path')).toHaveCount(2, {
      timeout: 20000
    });
    expect(alerted).toBe(false);
  });

  test('rename, tag, annotate in markdown (sanitized), keyboard selection', async ({
    page
  }) => {
    const experiment = `edits-${Date.now()}`;
    await seed(page, experiment, { model: 'rf' }, 0.7);
    await seed(page, experiment, { model: 'gb' }, 0.8);
    await page.sidebar.openTab('jupyterlab-runs-panel');
    const picker = page.locator(`${PANEL} .jp-RunsList-experimentPicker`);
    await expect(picker.locator('option', { hasText: experiment })).toHaveCount(
      1,
      { timeout: 10000 }
    );
    await picker.selectOption(experiment);

    // Keyboard: focus the list, move down, the second row is selected and shown.
    const list = page.locator(`${PANEL} .jp-RunsList-rows`);
    await list.focus();
    await list.press('ArrowDown');
    await list.press('ArrowDown');
    await expect(row(page, 1)).toHaveAttribute('aria-selected', 'true');
    const details = page.locator(`${PANEL} .jp-RunsDetails`);
    await expect(details).toHaveAttribute('data-version', '1');
    await list.press('Shift+ArrowUp');
    await expect(
      page.locator(`${PANEL} .jp-RunsList-row[aria-selected="true"]`)
    ).toHaveCount(2);
    await row(page, 1).click();

    // The loss history is drawn as a sparkline, its numbers in the label.
    await expect(
      details.locator('tr[data-key="loss"] svg.jp-RunsDetails-sparkline')
    ).toHaveAttribute('aria-label', /min 0\.3, max 0\.9, last 0\.3/);

    await details.locator('.jp-RunsDetails-rename').click();
    await details.locator('.jp-RunsDetails-nameInput').fill('baseline');
    await details.locator('.jp-RunsDetails-nameInput').press('Enter');
    await expect(row(page, 1)).toContainText('baseline');

    const tagForm = details.locator('.jp-RunsDetails-tagForm');
    await tagForm.locator('input').first().fill('team');
    await tagForm.locator('input').nth(1).fill('<b>ml</b>');
    await tagForm.locator('button').click();
    await expect(
      details.locator('.jp-RunsDetails-tag[data-key="team"]')
    ).toContainText('<b>ml</b>');

    await details.getByRole('button', { name: 'Add a note' }).click();
    await details
      .locator('.jp-RunsDetails-noteInput')
      .fill('**good** run <img src=x onerror="window.__noted = 1">');
    await details.getByRole('button', { name: 'Save note' }).click();
    const note = details.locator('.jp-RunsDetails-noteRendered');
    await expect(note.locator('strong')).toHaveText('good');
    await expect(note.locator('[onerror]')).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).__noted)).toBeUndefined();
  });
});
