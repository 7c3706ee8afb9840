/**
 * The renderable entries of tests/data/hostile_inputs.json (the same file the pytest suite
 * drives through REST and Python) seeded through REST, then every view that shows them
 * opened once in Chromium: panel list, details, comparison chart, runs table, the Log run
 * notification and the inline outputs of %runs. Nothing may open a dialog, add an element
 * from the data, fetch a URL the data names, or get a 5xx.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const PANEL = '#jupyterlab-runs-panel';

interface IHostileInput {
  id: string;
  kind: string;
  value?: string;
  render?: boolean;
  generate?: {
    repeat?: string;
    times: number;
    prefix?: string;
    suffix?: string;
  };
}

const INPUTS: IHostileInput[] = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../tests/data/hostile_inputs.json'),
    'utf-8'
  )
).inputs.filter((input: IHostileInput) => input.render);

/** An entry's value, built when the file describes it instead of listing it. */
function valueOf(input: IHostileInput): string {
  const spec = input.generate;
  if (!spec) {
    return input.value ?? '';
  }
  return (
    (spec.prefix ?? '') +
    (spec.repeat ?? '').repeat(spec.times) +
    (spec.suffix ?? '')
  );
}

const TEXTS = INPUTS.filter(input => input.kind === 'text').map(valueOf);
const KEYS = INPUTS.filter(input => input.kind === 'key').map(valueOf);

/** Everything the page did that hostile data must never cause. */
interface IIncidents {
  dialogs: string[];
  requests: string[];
  errors: string[];
}

function watch(page: IJupyterLabPageFixture, baseURL: string): IIncidents {
  const incidents: IIncidents = { dialogs: [], requests: [], errors: [] };
  const origin = new URL(baseURL).origin;
  page.on('dialog', dialog => {
    incidents.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', request => {
    const url = request.url();
    if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) {
      incidents.requests.push(url);
    } else if (/\/hostile[/.-]/.test(decodeURIComponent(url))) {
      // The URLs the data names (the test's own folder is tests-hostile_inputs-…).
      incidents.requests.push(url);
    }
  });
  page.on('pageerror', error => incidents.errors.push(`${error}`));
  page.on('console', message => {
    if (message.type() === 'error') {
      incidents.errors.push(message.text().slice(0, 300));
    }
  });
  page.on('response', response => {
    if (response.status() >= 500) {
      incidents.errors.push(`${response.status()} ${response.url()}`);
    }
  });
  return incidents;
}

/** Elements or effects the data would have made had it been interpreted as markup. */
async function injected(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    document
      .querySelectorAll('[data-hostile]')
      .forEach(node => found.push(node.outerHTML.slice(0, 120)));
    document
      .querySelectorAll('iframe[src^="javascript"], svg[onload], [onerror]')
      .forEach(node => found.push(node.outerHTML.slice(0, 120)));
    if ((window as any).__hostile !== undefined) {
      found.push(`window.__hostile = ${(window as any).__hostile}`);
    }
    return found;
  });
}

/** POST one run; returns its JSON. */
async function post(
  page: IJupyterLabPageFixture,
  data: Record<string, unknown>
): Promise<{ id: string; experiment_id: string; version: number }> {
  const response = await page.request.post('/jupyterlab-runs/api/runs', {
    data: { status: 'FINISHED', source: 'api', ...data }
  });
  expect(response.status()).toBe(201);
  return response.json();
}

test.describe('Hostile inputs in Chromium', () => {
  test.setTimeout(240000);

  test('every view shows hostile data as text and fetches nothing', async ({
    page,
    baseURL
  }) => {
    const incidents = watch(page, baseURL!);
    const stamp = `${Date.now()}`;
    const experiment = `<img src=x onerror="window.__hostile='exp'" data-hostile="exp"> ${stamp}`;
    let experimentId = '';
    const keyRuns: string[] = [];

    await test.step(`seed ${TEXTS.length} text runs and 2 runs of ${KEYS.length} keys`, async () => {
      for (const [index, text] of TEXTS.entries()) {
        const run = await post(page, {
          experiment_name: experiment,
          name: text.length <= 500 && text.trim() ? text : undefined,
          note: text,
          params: [{ key: 'p', value: text, type: 'str' }],
          metrics: [{ key: 'accuracy', value: index / 100 }],
          tags: { t: text }
        });
        experimentId = run.experiment_id;
      }
      for (const offset of [0, 1]) {
        const run = await post(page, {
          experiment_name: experiment,
          params: KEYS.map(key => ({ key, value: `${offset}`, type: 'int' })),
          metrics: KEYS.flatMap(key => [
            { key, value: 0.5 + offset / 10, step: 0 },
            { key, value: 0.6 + offset / 10, step: 1 }
          ]),
          tags: Object.fromEntries(KEYS.map(key => [key, `tag ${offset}`]))
        });
        keyRuns.push(run.id);
      }
    });

    const rows = page.locator(`${PANEL} .jp-RunsList-row`);
    const details = page.locator(`${PANEL} .jp-RunsDetails`);
    await test.step('panel list and the details of every run', async () => {
      await page.sidebar.openTab('jupyterlab-runs-panel');
      const picker = page.locator(`${PANEL} .jp-RunsList-experiment select`);
      await expect(picker.locator('option', { hasText: stamp })).toHaveCount(
        1,
        { timeout: 15000 }
      );
      await picker.selectOption(experiment);
      const total = TEXTS.length + 2;
      await expect(rows).toHaveCount(total, { timeout: 15000 });
      // The keyboard walks the whole (virtualized) list, newest first.
      const list = page.locator(`${PANEL} .jp-RunsList-rows`);
      await list.focus();
      await list.press('Home');
      await expect(details).toHaveAttribute('data-version', `${total}`);
      for (let version = total - 1; version >= 1; version--) {
        await list.press('ArrowDown');
        await expect(details).toHaveAttribute('data-version', `${version}`);
      }
      expect(await injected(page)).toEqual([]);
      await list.press('Home');
      await expect(details).toHaveAttribute('data-version', `${total}`);
      await expect(
        details.locator('.jp-RunsDetails-params tr[data-key]')
      ).toHaveCount(KEYS.length);
      expect(await injected(page)).toEqual([]);
    });

    await test.step('runs table with every key as a column', async () => {
      await page.evaluate(
        id =>
          (window as any).jupyterapp.commands
            .execute('jupyterlab-runs:open-table', { experimentId: id })
            .then(() => undefined),
        experimentId
      );
      const table = page.locator('.jp-RunsTable').filter({ visible: true });
      await expect(
        table.locator('.jp-RunsGrid-row[data-version]').first()
      ).toBeVisible({ timeout: 15000 });
      expect(await injected(page)).toEqual([]);
    });

    await test.step('Log run notification and %runs outputs in a notebook', async () => {
      const logs = KEYS.slice(0, 4)
        .map(key => `jr.log_metric(${JSON.stringify(key)}, 0.5)`)
        .join('\n');
      await page.notebook.createNew();
      await page.notebook.setCell(
        0,
        'code',
        '%load_ext jupyterlab_runs\nimport jupyterlab_runs as jr'
      );
      await page.notebook.runCell(0);
      const cells = [
        // A short first line: the cell toolbar hides over a long one.
        `x = 1\njr.log_param("p", ${JSON.stringify(TEXTS[1])})\n${logs}`,
        '%runs show v2',
        '%runs compare v1 v2'
      ];
      for (const source of cells) {
        await page.notebook.addCell('code', source);
      }
      const index = async (source: string) =>
        page.evaluate(
          text =>
            (
              window as any
            ).jupyterapp.shell.currentWidget.content.widgets.findIndex(
              (cell: any) => cell.model.sharedModel.getSource() === text
            ),
          source
        );
      for (const version of [1, 2]) {
        // The command behind the toolbar button (the button hides while the cell toolbar
        // would cover code), on the selected cell.
        await page.notebook.selectCells(await index(cells[0]));
        await page.evaluate(() =>
          (window as any).jupyterapp.commands.execute('jupyterlab-runs:log-run')
        );
        await expect
          .poll(
            async () =>
              (await page.notifications).map(n => n.message).join('\n'),
            { timeout: 60000 }
          )
          .toContain(`Logged run v${version}`);
      }
      expect(await injected(page)).toEqual([]);
      await page.notebook.runCell(await index(cells[1]));
      await page.notebook.runCell(await index(cells[2]));
      const outputs = page.locator('.jp-Notebook .jp-OutputArea-output');
      await expect(outputs.locator('.mark-rect path').first()).toBeVisible({
        timeout: 30000
      });
      expect(await injected(page)).toEqual([]);
    });

    await test.step('compare the key runs: every hostile key charts', async () => {
      const last = TEXTS.length + 2;
      await page
        .locator(`${PANEL} .jp-RunsList-row[data-version="${last - 1}"]`)
        .click();
      await page
        .locator(`${PANEL} .jp-RunsList-row[data-version="${last}"]`)
        .click({ modifiers: ['Shift'] });
      await page
        .locator(`${PANEL} [data-command="jupyterlab-runs:compare-selected"]`)
        .click();
      const chart = page.locator(`${PANEL} .jp-RunsCompare-chart`);
      const metric = page.locator(`${PANEL} .jp-RunsCompare-metric`);
      for (const key of KEYS) {
        await metric.selectOption({ label: key });
        await expect(chart.locator('.mark-rect path')).toHaveCount(2, {
          timeout: 20000
        });
        // Drawn, not refused: `constructor` used to be refused with this message.
        await expect(
          page
            .locator(`${PANEL} .jp-RunsCompare`)
            .getByText('could not be drawn')
        ).toHaveCount(0);
      }
      expect(await injected(page)).toEqual([]);
    });

    expect(incidents).toEqual({ dialogs: [], requests: [], errors: [] });
  });
});
