import {
  expect,
  IJupyterLabPageFixture,
  test as base
} from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';
import * as path from 'path';

import { editCell, LOG_RUN, NOTEBOOK, TRAINING_CELL } from '../tests/notebook';

const PANEL = '#jupyterlab-runs-panel';
const AUTO_TRACK = '[data-command="jupyterlab-runs:toggle-auto-track"]';
/**
 * Notebook 7.6's own shortcuts plugin throws this while settings load, with or without this
 * extension (a page of `jupyter notebook` with jupyterlab-runs disabled shows it too).
 */
const UPSTREAM_ERROR = "Cannot read properties of undefined (reading 'schema')";

/** Galata's fixtures, ready when Notebook 7's shell is (it has no JupyterLab launcher). */
const test = base.extend({
  waitForApplication: async ({}, use) => {
    await use(async (page: Page) => {
      await page.locator('#main-panel').waitFor();
    });
  }
});
test.use({ autoGoto: false, appPath: '' });

/** Console errors and uncaught exceptions of the page from now on, but the known upstream one. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', message => {
    if (message.type() === 'error') {
      errors.push(`console.error: ${message.text()}`);
    }
  });
  page.on('pageerror', error => {
    const upstream =
      error.message === UPSTREAM_ERROR &&
      !(error.stack ?? '').includes('jupyterlab-runs');
    if (!upstream) {
      errors.push(`uncaught: ${error.stack ?? error.message}`);
    }
  });
  return errors;
}

/** Cell `index` of the notebook on the page. */
function cell(page: Page, index: number): Locator {
  return page.locator(
    `.jp-Notebook .jp-Cell[data-windowed-list-index="${index}"]`
  );
}

/** Make cell `index` the active cell (its toolbar shows) and scroll to it. */
async function activate(page: Page, index: number): Promise<void> {
  await page.evaluate(index => {
    const notebook = (window as any).jupyterapp.shell.currentWidget.content;
    notebook.activeCellIndex = index;
    notebook.mode = 'command';
  }, index);
  await cell(page, index).scrollIntoViewIfNeeded();
}

/** Run cells `0 .. end - 1` through Notebook 7's own run command, one after the other. */
async function runCells(page: Page, end: number): Promise<void> {
  for (let index = 0; index < end; index++) {
    await activate(page, index);
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('notebook:run-cell')
    );
  }
}

/** The Runs panel's list row of a version. */
function row(page: Page, version: number): Locator {
  return page.locator(`${PANEL} .jp-RunsList-row[data-version="${version}"]`);
}

/** Click the panel's button for one of our commands. */
function button(page: Page, command: string): Locator {
  return page.locator(`${PANEL} [data-command="jupyterlab-runs:${command}"]`);
}

/** Click Log run in the training cell's toolbar and wait for `version` in the panel. */
async function logRun(page: Page, version: number): Promise<void> {
  await activate(page, TRAINING_CELL);
  await cell(page, TRAINING_CELL).locator(LOG_RUN).click();
  await expect(row(page, version)).toBeVisible({ timeout: 30000 });
}

test.describe('Jupyter Notebook 7', () => {
  test.setTimeout(240000);

  test('the demo: Log run twice, auto-track, Runs panel, compare, insert, runs table', async ({
    page,
    tmpPath
  }) => {
    const errors = collectErrors(page);
    await page.contents.uploadFile(
      path.resolve(__dirname, '../../examples', NOTEBOOK),
      `${tmpPath}/${NOTEBOOK}`
    );
    await (page as IJupyterLabPageFixture).goto(
      `notebooks/${tmpPath}/${NOTEBOOK}`
    );
    expect(await page.evaluate(() => (window as any).jupyterapp.name)).toBe(
      'Jupyter Notebook'
    );
    await page.evaluate(() =>
      (window as any).jupyterapp.shell.currentWidget.sessionContext.ready.then(
        () => undefined
      )
    );
    await runCells(page, TRAINING_CELL);

    await test.step('View ▸ Right Sidebar ▸ Show Runs opens the panel', async () => {
      await page.locator('.lm-MenuBar-itemLabel', { hasText: 'View' }).click();
      await page
        .locator('.lm-Menu-itemLabel', { hasText: 'Right Sidebar' })
        .click();
      await page
        .locator('.lm-Menu-itemLabel', { hasText: 'Show Runs' })
        .click();
      await expect(page.locator(PANEL)).toBeVisible();
      await expect(page.locator(`${PANEL} .jp-RunsPanel-empty`)).toBeVisible();
    });

    await test.step('Log run gives v1, then v2 after an edit; the cell badge follows', async () => {
      await logRun(page, 1);
      await expect(row(page, 1)).toContainText('FINISHED');
      await expect(row(page, 1)).toContainText('n_estimators=200');
      const badge = cell(page, TRAINING_CELL).locator('.jp-RunsCellBadge');
      await expect(badge).toHaveText(/^v1 · accuracy 0\.9/);
      await editCell(
        page as IJupyterLabPageFixture,
        TRAINING_CELL,
        'n_estimators = 200',
        'n_estimators = 50'
      );
      await logRun(page, 2);
      await expect(row(page, 2)).toContainText('n_estimators=50');
      await expect(badge).toHaveText(/^v2 · accuracy 0\.9/);
    });

    await test.step('auto-track: a plain run of the cell logs v3', async () => {
      await activate(page, TRAINING_CELL);
      const toggle = cell(page, TRAINING_CELL).locator(AUTO_TRACK);
      await toggle.click();
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      await editCell(
        page as IJupyterLabPageFixture,
        TRAINING_CELL,
        'n_estimators = 50',
        'n_estimators = 20'
      );
      await activate(page, TRAINING_CELL);
      await page.keyboard.press('Shift+Enter');
      await expect(row(page, 3)).toBeVisible({ timeout: 30000 });
      await expect(row(page, 3)).toContainText('n_estimators=20');
      await expect(page.locator(`${PANEL} .jp-RunsList-row`)).toHaveCount(3);
    });

    await test.step('compare v1..v3 in the panel and insert the chart into the notebook', async () => {
      await row(page, 1).click();
      await row(page, 2).click({ modifiers: ['ControlOrMeta'] });
      await row(page, 3).click({ modifiers: ['ControlOrMeta'] });
      await button(page, 'compare-selected').click();
      const chart = page.locator(`${PANEL} .jp-RunsCompare-chart`);
      await expect(chart.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
      await activate(page, 0);
      await button(page, 'insert-comparison').click();
      const inline = page.locator('.jp-Notebook .jp-OutputArea .jp-RunsChart');
      await expect(inline.locator('.mark-rect path')).toHaveCount(3, {
        timeout: 20000
      });
    });

    await test.step('the runs table opens in a tab of its own, below the notebook', async () => {
      // Notebook 7's main area holds the notebook alone; the table goes to the down area.
      await button(page, 'open-table').click();
      const table = page.locator('#jp-down-stack .jp-RunsTable');
      await expect(table).toBeVisible();
      await expect(
        page.locator('#jp-down-stack .lm-TabBar-tab.lm-mod-current')
      ).toBeVisible();
      await expect(table.getByRole('grid')).toHaveAttribute(
        'aria-rowcount',
        '4'
      );
      const rows = table.locator('.jp-RunsGrid-row[data-version]');
      await expect(rows).toHaveCount(3);
      for (const version of ['1', '2', '3']) {
        await expect(
          rows.and(page.locator(`[data-version="${version}"]`))
        ).toBeInViewport();
      }
      await page
        .locator('.jp-Notebook .jp-OutputArea .jp-RunsChart')
        .scrollIntoViewIfNeeded();
      await page.screenshot({ path: 'test-results/notebook7.png' });
    });

    expect(errors).toEqual([]);
  });
});
