import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { APIRequestContext, Locator } from '@playwright/test';
import * as fs from 'fs';

const HTML = '<img src=x onerror=alert(1)>';
const GRID_ROW = '.jp-RunsGrid-row[data-version]';

interface ISeed {
  model: string;
  accuracy: number;
  n: number;
  note?: string;
}

/** Runs v1…vN in a new experiment, through the REST API; returns the experiment id. */
async function seed(
  request: APIRequestContext,
  experiment: string,
  runs: ISeed[]
): Promise<string> {
  let experimentId = '';
  for (const [i, run] of runs.entries()) {
    const params = [
      { key: 'model', value: run.model, type: 'str', source: 'assign' },
      { key: 'n', value: String(run.n), type: 'int', source: 'assign' }
    ];
    if (run.note !== undefined) {
      params.push({
        key: 'note',
        value: run.note,
        type: 'str',
        source: 'assign'
      });
    }
    const response = await request.post('/jupyterlab-runs/api/runs', {
      data: {
        experiment_name: experiment,
        status: 'FINISHED',
        source: 'api',
        start_time: 1_700_000_000_000 + i * 60_000,
        end_time: 1_700_000_000_000 + i * 60_000 + 1500,
        code: `n = ${run.n}`,
        params,
        metrics: [{ key: 'accuracy', value: run.accuracy, source: 'printed' }]
      }
    });
    expect(response.status()).toBe(201);
    experimentId = (await response.json()).experiment_id;
  }
  return experimentId;
}

/** 30 runs: model alternates gb/rf, accuracies distinct and shuffled. */
function thirtyRuns(): ISeed[] {
  return Array.from({ length: 30 }, (_, i) => ({
    model: i % 2 ? 'rf' : 'gb',
    accuracy: ((i * 7) % 30) / 30,
    n: i
  }));
}

/** Open the runs table of an experiment through the command; returns the table. */
async function openTable(
  page: IJupyterLabPageFixture,
  experimentId: string
): Promise<Locator> {
  await page.evaluate(
    id =>
      (window as any).jupyterapp.commands
        .execute('jupyterlab-runs:open-table', { experimentId: id })
        .then(() => undefined),
    experimentId
  );
  const table = page.locator('.jp-RunsTable').filter({ visible: true });
  await expect(table.locator(GRID_ROW).first()).toBeVisible();
  return table;
}

/** Texts of one column in the rows on screen, in row order. */
async function columnTexts(
  table: Locator,
  columnId: string
): Promise<string[]> {
  const index = await table
    .locator(`[data-column="${columnId}"]`)
    .getAttribute('data-header-col');
  const rows = await table.locator(GRID_ROW).evaluateAll(
    (elements, col) =>
      elements
        .map(row => ({
          index: Number(row.getAttribute('aria-rowindex')),
          text: row.querySelector(`[data-col="${col}"]`)?.textContent ?? ''
        }))
        .sort((a, b) => a.index - b.index)
        .map(row => row.text),
    index
  );
  return rows;
}

async function applyFilter(table: Locator, filter: string): Promise<void> {
  const input = table.getByRole('combobox', { name: 'Filter runs' });
  await input.fill(filter);
  await input.press('Enter');
}

test.describe('Runs table', () => {
  test('filters on the server, says where a filter is wrong, sorts by a metric', async ({
    page
  }) => {
    const experimentId = await seed(
      page.request,
      'table-sort.ipynb',
      thirtyRuns()
    );
    const table = await openTable(page, experimentId);
    const grid = table.getByRole('grid');
    await expect(grid).toHaveAttribute('aria-rowcount', '31');
    await expect(table.locator('.jp-RunsTableView-status')).toContainText(
      '30 runs'
    );

    await applyFilter(table, "params.model = 'rf'");
    await expect(grid).toHaveAttribute('aria-rowcount', '16');
    expect(new Set(await columnTexts(table, 'params.model'))).toEqual(
      new Set(['rf'])
    );

    await applyFilter(table, "params.model = 'rf' and metrics.accuracy >");
    const error = table.locator('.jp-RunsFilter-error');
    await expect(error).toContainText('at position 42');
    await expect(error.locator('mark')).toHaveCount(1);
    await applyFilter(table, "params.model = 'rf' and metrics.accuracy > 0.5");
    await expect(error).toHaveCount(0);
    await expect(grid).toHaveAttribute('aria-rowcount', '8');

    await applyFilter(table, '');
    await expect(grid).toHaveAttribute('aria-rowcount', '31');
    const header = table.locator('[data-column="metrics.accuracy"]');
    await header.click();
    // Accuracy improves upward: the first click puts the best runs first.
    await expect(header).toHaveAttribute('aria-sort', 'descending');
    await expect
      .poll(async () => (await columnTexts(table, 'metrics.accuracy'))[0])
      .toBe('0.9667');
    const descending = (await columnTexts(table, 'metrics.accuracy')).map(
      Number
    );
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await header.click();
    await expect(header).toHaveAttribute('aria-sort', 'ascending');
    await expect
      .poll(async () => (await columnTexts(table, 'metrics.accuracy'))[0])
      .toBe('0');
  });

  test('selects with shift-click and the keyboard; Enter opens the focused run', async ({
    page
  }) => {
    const experimentId = await seed(
      page.request,
      'table-select.ipynb',
      thirtyRuns()
    );
    const table = await openTable(page, experimentId);
    await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      (window as any).openedRuns = [];
      app.commands.commandExecuted.connect((_: unknown, call: any) => {
        if (call.id === 'jupyterlab-runs:open-run') {
          (window as any).openedRuns.push(call.args.runId);
        }
      });
    });
    const row = (version: number) =>
      table.locator(`${GRID_ROW}[data-version="${version}"]`);
    await row(29).click();
    await row(26).click({ modifiers: ['Shift'] });
    for (const version of [29, 28, 27, 26]) {
      await expect(row(version)).toHaveAttribute('aria-selected', 'true');
    }
    await expect(row(30)).toHaveAttribute('aria-selected', 'false');
    await expect(table.locator('.jp-RunsTableView-status')).toContainText(
      '4 selected'
    );

    // The clicked cell holds the focus; arrows move it and select as they go.
    await page.keyboard.press('ArrowDown');
    await expect(row(25)).toHaveAttribute('aria-selected', 'true');
    await expect(row(26)).toHaveAttribute('aria-selected', 'false');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect(
      table.locator(`${GRID_ROW}[aria-selected="true"]`)
    ).toHaveCount(3);
    const focusedRow = () =>
      page.evaluate(() =>
        document.activeElement
          ?.closest('[role="row"]')
          ?.getAttribute('data-version')
      );
    await expect.poll(focusedRow).toBe('23');
    await page.keyboard.press('End');
    await expect.poll(focusedRow).toBe('1');
    await page.keyboard.press('Home');
    await expect.poll(focusedRow).toBe('30');
    await page.keyboard.press('PageDown');
    await expect.poll(async () => Number(await focusedRow())).toBeLessThan(30);
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    const opened = await page.evaluate(() => (window as any).openedRuns);
    expect(opened).toEqual([await row(30).getAttribute('data-run-id')]);
    // Up from the first row reaches the headers, where Enter sorts.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect(table.locator('[role="columnheader"][aria-sort]')).toHaveCount(
      1
    );
  });

  test('shows runs logged elsewhere within 2 s', async ({ page }) => {
    const experimentId = await seed(
      page.request,
      'table-live.ipynb',
      thirtyRuns().slice(0, 3)
    );
    const table = await openTable(page, experimentId);
    await expect(table.getByRole('grid')).toHaveAttribute('aria-rowcount', '4');
    await seed(page.request, 'table-live.ipynb', [
      { model: 'rf', accuracy: 1, n: 99 }
    ]);
    await expect(table.locator(`${GRID_ROW}[data-version="4"]`)).toBeVisible({
      timeout: 2000
    });
    await expect(table.getByRole('grid')).toHaveAttribute('aria-rowcount', '5');
  });

  test('shows HTML in values as text', async ({ page }) => {
    let alerted = false;
    page.on('dialog', dialog => {
      alerted = true;
      void dialog.dismiss();
    });
    const experimentId = await seed(page.request, 'table-html.ipynb', [
      { model: 'rf', accuracy: 0.5, n: 1, note: HTML },
      { model: 'rf', accuracy: 0.6, n: 2, note: 'x'.repeat(1000) }
    ]);
    const table = await openTable(page, experimentId);
    const grid = table.getByRole('grid');
    await expect(
      grid.getByRole('gridcell', { name: HTML, exact: true })
    ).toHaveCount(1);
    await expect(grid.locator('img')).toHaveCount(0);
    // Long values are cut in the cell; the full value is in the tooltip.
    const long = grid.locator(`[title="${'x'.repeat(1000)}"]`);
    await expect(long).toHaveCount(1);
    expect((await long.textContent())!.length).toBeLessThan(1000);
    expect(alerted).toBe(false);
  });

  test('exports every run matching the filter as CSV', async ({ page }) => {
    const experimentId = await seed(
      page.request,
      'table-export.ipynb',
      thirtyRuns()
    );
    const table = await openTable(page, experimentId);
    await applyFilter(table, "params.model = 'gb'");
    await expect(table.getByRole('grid')).toHaveAttribute(
      'aria-rowcount',
      '16'
    );
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      table.locator('[data-command="jupyterlab-runs:table-export-csv"]').click()
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^runs-table-export_ipynb-\d{8}-\d{6}\.csv$/
    );
    const csv = fs.readFileSync((await download.path())!, 'utf-8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'run_id,version,name,status,start_time,duration,metrics.accuracy,params.model,params.n'
    );
    expect(lines).toHaveLength(16);
    const versions = lines.slice(1).map(line => Number(line.split(',')[1]));
    expect(versions).toEqual([
      29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1
    ]);
    expect(lines[1]).toMatch(
      /^[0-9a-f]{32},29,v29,FINISHED,2023-11-14T22:41:20\.000Z,1500,0\.5333333333333333,gb,28$/
    );
  });

  test('follows the dark theme', async ({ page }) => {
    const experimentId = await seed(
      page.request,
      'table-dark.ipynb',
      thirtyRuns()
    );
    await page.theme.setDarkTheme();
    const table = await openTable(page, experimentId);
    await table.locator('[data-column="metrics.accuracy"]').click();
    await expect(table.locator('[aria-sort="descending"]')).toHaveCount(1);
    const luminance = (color: string) => {
      const [r, g, b] = color.match(/\d+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const head = await table
      .locator('.jp-RunsGrid-head')
      .evaluate(e => getComputedStyle(e).backgroundColor);
    const text = await table
      .locator('.jp-RunsGrid-cell')
      .first()
      .evaluate(e => getComputedStyle(e).color);
    expect(luminance(head)).toBeLessThan(0.3);
    expect(luminance(text)).toBeGreaterThan(0.6);
    await table.screenshot({ path: 'test-results/runs-table-dark.png' });
  });

  test('comes back after a reload with its filter, sort and columns', async ({
    page
  }) => {
    const experimentId = await seed(
      page.request,
      'table-restore.ipynb',
      thirtyRuns()
    );
    const table = await openTable(page, experimentId);
    await applyFilter(table, 'metrics.accuracy >= 0.5');
    await table.locator('[data-column="params.n"]').click();
    await expect(table.locator('[data-column="params.n"]')).toHaveAttribute(
      'aria-sort',
      'ascending'
    );
    await table
      .locator('[data-command="jupyterlab-runs:table-columns"]')
      .click();
    // The workspace is saved a moment after the last change; reload once it is.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/lab/api/workspaces')
    );
    await table
      .getByRole('dialog', { name: 'Choose columns' })
      .getByRole('checkbox', { name: 'Name', exact: true })
      .uncheck();
    await expect(table.locator('[data-column="attributes.name"]')).toHaveCount(
      0
    );
    await saved;

    // The restored table, not the launcher, fills the main area: do not wait for the launcher.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    const restored = page.locator('.jp-RunsTable').filter({ visible: true });
    await expect(restored.locator(GRID_ROW).first()).toBeVisible();
    await expect(
      page.getByRole('tab', { name: /Runs · table-restore\.ipynb/ })
    ).toBeVisible();
    await expect(
      restored.getByRole('combobox', { name: 'Filter runs' })
    ).toHaveValue('metrics.accuracy >= 0.5');
    await expect(restored.locator('[data-column="params.n"]')).toHaveAttribute(
      'aria-sort',
      'ascending'
    );
    await expect(
      restored.locator('[data-column="attributes.name"]')
    ).toHaveCount(0);
    await expect(restored.getByRole('grid')).toHaveAttribute(
      'aria-rowcount',
      '16'
    );
  });
});
