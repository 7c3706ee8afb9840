import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator, Request } from '@playwright/test';

import { notebookJson } from './notebook';

const COMPARE_MIME = 'application/vnd.jupyterlab-runs.compare+json';
const RUN_MIME = 'application/vnd.jupyterlab-runs.run+json';
const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=window.__pwned=1>';
const EVIL_URL = 'http://127.0.0.1:9/evil.json';

/** The output area of cell `index` of a notebook panel. */
function outputOf(panel: Locator, index: number): Locator {
  return panel.locator(
    `.jp-Cell[data-windowed-list-index="${index}"] .jp-OutputArea`
  );
}

/** The chart output of cell `index` of a notebook panel. */
function chartOf(panel: Locator, index: number): Locator {
  return outputOf(panel, index).locator('.jp-RunsChart');
}

/** Vega's SVG marks of one kind (`rect` bars, `symbol` points, `line` lines). */
function marks(chart: Locator, kind: 'rect' | 'symbol' | 'line'): Locator {
  return chart.locator(
    `.jp-RunsChart-canvas svg g.mark-${kind}.role-mark > path[role="graphics-symbol"]`
  );
}

/** A notebook whose code cells hold the given display_data bundles as outputs. */
function notebookWith(
  outputs: Record<string, unknown>[],
  outputMetadata: Record<string, unknown> = {}
): string {
  return notebookJson(
    outputs.map((data, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      execution_count: i + 1,
      source: `# output ${i}`,
      outputs: [{ output_type: 'display_data', data, metadata: outputMetadata }]
    }))
  );
}

/**
 * Open (or find) the notebook at `path`, make it current, and return its panel.
 * Through the command, not the file browser: after a reload it may sit in another folder.
 */
async function openPanel(
  page: IJupyterLabPageFixture,
  path: string
): Promise<Locator> {
  const id = await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    const widget = await app.commands.execute('docmanager:open', {
      path,
      factory: 'Notebook'
    });
    app.shell.activateById(widget.id);
    await widget.context.ready;
    return widget.id as string;
  }, path);
  return page.locator(`[id="${id}"]`);
}

/** Write `content` as `name` under the test's folder, open it and return its panel. */
async function openNotebook(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name: string,
  content: string
): Promise<Locator> {
  const path = `${tmpPath}/${name}`;
  expect(await page.contents.uploadContent(content, 'text', path)).toBe(true);
  return openPanel(page, path);
}

/** A compare payload of `runs` charting `metric` as bars. */
function payload(
  runs: Record<string, unknown>[],
  metric = 'acc',
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    version: 1,
    experiment: { id: 'e1', name: 'inline.ipynb' },
    chart: { kind: 'bar', metric, params: [] },
    runs,
    created: 1_700_000_000_000,
    ...extra
  };
}

/** A vega-lite spec that would fetch from `EVIL_URL` if anything rendered it. */
const HOSTILE_SPEC = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  data: { url: EVIL_URL },
  mark: 'bar',
  encoding: {
    x: { field: 'a', type: 'nominal' },
    y: { field: 'b', type: 'quantitative' }
  },
  usermeta: { embedOptions: { loader: { baseURL: 'http://127.0.0.1:9/' } } }
};

test.describe('Inline comparison output', () => {
  test('crafted outputs: data is charted, hostile text stays text, nothing is fetched', async ({
    page,
    tmpPath
  }) => {
    const remote: string[] = [];
    const watch = (request: Request) => {
      if (new URL(request.url()).host === '127.0.0.1:9') {
        remote.push(request.url());
      }
    };
    page.on('request', watch);
    const dialogs: string[] = [];
    page.on('dialog', dialog => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    const compare = payload(
      [
        {
          id: 'r1',
          version: 1,
          name: SCRIPT,
          status: 'FINISHED',
          params: { [IMG]: SCRIPT, lr: '0.1' },
          metrics: { acc: 0.8, [SCRIPT]: 1 }
        },
        {
          id: 'r2',
          version: 2,
          name: IMG,
          status: 'FINISHED',
          params: { [IMG]: IMG, lr: '0.2' },
          metrics: { acc: 0.9, [SCRIPT]: 2 }
        },
        {
          id: 'r3',
          version: 3,
          name: 'plain',
          params: { [IMG]: '<b>bold</b>', lr: '0.3' },
          metrics: { acc: 0.7, [SCRIPT]: 3 }
        }
      ],
      'acc',
      {
        spec: HOSTILE_SPEC,
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: { url: EVIL_URL },
        config: {
          background: 'red',
          loader: { baseURL: 'http://127.0.0.1:9/' }
        },
        usermeta: {
          embedOptions: { actions: true, loader: { baseURL: EVIL_URL } }
        },
        embed_options: {
          actions: true,
          ast: false,
          loader: { baseURL: EVIL_URL }
        }
      }
    );
    (compare.chart as Record<string, unknown>).spec = HOSTILE_SPEC;
    (compare.chart as Record<string, unknown>).embed_options = {
      actions: true
    };
    const card = {
      version: 1,
      run: {
        id: 'c0ffee',
        version: 4,
        name: IMG,
        experiment_name: SCRIPT,
        status: 'FINISHED',
        params: { [IMG]: SCRIPT },
        metrics: { acc: 0.91 }
      }
    };
    const panel = await openNotebook(
      page,
      tmpPath,
      'hostile.ipynb',
      notebookWith([
        {
          [COMPARE_MIME]: compare,
          [VEGALITE_MIME]: HOSTILE_SPEC,
          'text/plain': 'comparison'
        },
        { [RUN_MIME]: card, 'text/plain': 'run card' }
      ])
    );

    const chart = chartOf(panel, 0);
    await test.step('the chart is drawn from the payload data', async () => {
      await expect(marks(chart, 'rect')).toHaveCount(3, { timeout: 30000 });
      // Vega describes each bar with its datum: our values, not the injected spec's.
      const described = await marks(chart, 'rect').evaluateAll(nodes =>
        nodes.map(node => node.getAttribute('aria-label') ?? '')
      );
      for (const value of ['0.8', '0.9', '0.7']) {
        expect(described.join('\n')).toContain(value);
      }
      // No action menu although the payload asked for one.
      await expect(chart.locator('.vega-actions, details')).toHaveCount(0);
    });

    await test.step('hostile names and keys appear as text', async () => {
      const diff = chart.locator('.jp-RunsChart-diffTable');
      await expect(
        diff.locator('th', { hasText: SCRIPT }).first()
      ).toBeVisible();
      await expect(diff.locator('th', { hasText: IMG }).first()).toBeVisible();
      await expect(diff.locator('td', { hasText: '<b>bold</b>' })).toHaveCount(
        1
      );
      await expect(
        chart.locator('select.jp-RunsChart-metric option', { hasText: SCRIPT })
      ).toHaveCount(1);
      const cardNode = outputOf(panel, 1).locator('.jp-RunsCard');
      await expect(cardNode).toContainText(IMG);
      await expect(cardNode).toContainText(SCRIPT);
      await expect(cardNode).toContainText('v4 · FINISHED · acc 0.91');
    });

    await test.step('no element, script, dialog or request came from them', async () => {
      const outputs = panel.locator('.jp-OutputArea');
      await expect(outputs.locator('img')).toHaveCount(0);
      await expect(outputs.locator('script')).toHaveCount(0);
      await expect(outputs.locator('b')).toHaveCount(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
      expect(
        await page.evaluate(() => (window as any).__pwned)
      ).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(remote).toEqual([]);
    });
    page.off('request', watch);
  });

  test('runs without the metric are listed as missing; NaN and Inf are excluded with a note', async ({
    page,
    tmpPath
  }) => {
    const compare = payload([
      {
        id: 'a',
        version: 1,
        name: 'good-1',
        params: {},
        metrics: { acc: 0.8 }
      },
      {
        id: 'b',
        version: 2,
        name: 'no-acc',
        params: {},
        metrics: { loss: 0.3 }
      },
      {
        id: 'c',
        version: 3,
        name: 'nan-run',
        params: {},
        metrics: { acc: 'NaN' }
      },
      {
        id: 'd',
        version: 4,
        name: 'inf-run',
        params: {},
        metrics: { acc: 'Infinity' }
      },
      { id: 'e', version: 5, name: 'good-2', params: {}, metrics: { acc: 0.9 } }
    ]);
    const panel = await openNotebook(
      page,
      tmpPath,
      'gaps.ipynb',
      notebookWith([{ [COMPARE_MIME]: compare, 'text/plain': 'comparison' }])
    );
    const chart = chartOf(panel, 0);
    await expect(marks(chart, 'rect')).toHaveCount(2, { timeout: 30000 });
    const notes = chart.locator('.jp-RunsChart-notes .jp-RunsChart-note');
    await expect(
      notes.filter({ hasText: '2 values excluded (NaN/Inf)' })
    ).toHaveCount(1);
    await expect(notes.filter({ hasText: 'Missing acc:' })).toHaveText(
      'Missing acc: no-acc, nan-run, inf-run'
    );
  });

  test('follows the dark theme', async ({ page, tmpPath }) => {
    const compare = payload(
      [1, 2, 3].map(v => ({
        id: `r${v}`,
        version: v,
        name: `v${v}`,
        params: { lr: String(v / 10) },
        metrics: { acc: 0.6 + v / 10 }
      }))
    );
    const panel = await openNotebook(
      page,
      tmpPath,
      'themed.ipynb',
      notebookWith([{ [COMPARE_MIME]: compare, 'text/plain': 'comparison' }])
    );
    const chart = chartOf(panel, 0);
    await expect(marks(chart, 'rect')).toHaveCount(3, { timeout: 30000 });
    const labelFill = () =>
      chart
        .locator('.jp-RunsChart-canvas svg g.role-axis-label text')
        .first()
        .getAttribute('fill');
    const light = await labelFill();
    expect(light).toBeTruthy();
    await page.theme.setDarkTheme();
    try {
      await expect.poll(labelFill, { timeout: 20000 }).not.toBe(light);
      await expect(marks(chart, 'rect')).toHaveCount(3);
      await chart.screenshot({ path: 'test-results/inline-chart-dark.png' });
    } finally {
      await page.theme.setLightTheme();
    }
    await expect.poll(labelFill, { timeout: 20000 }).toBe(light);
  });

  test('%runs compare from a kernel: chart, kind picker, reload without a kernel, static fallback', async ({
    page,
    tmpPath
  }) => {
    // A kernel runs five cells, then a reload: slow on a loaded machine.
    test.setTimeout(180000);
    await page.notebook.createNew();
    const cells = [
      '%load_ext jupyterlab_runs',
      '%%track\nlr = 0.1\nacc = 0.5 + 0.2',
      '%%track\nlr = 0.2\nacc = 0.5 + 0.35',
      '%%track\nlr = 0.3\nacc = 0.5 + 0.1',
      '%runs compare v1 v2 v3 --metric acc --kind bar'
    ];
    await page.notebook.setCell(0, 'code', cells[0]);
    for (const source of cells.slice(1)) {
      await page.notebook.addCell('code', source);
    }
    for (let i = 0; i < cells.length; i++) {
      await page.notebook.runCell(i);
    }
    const path: string = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.context.path
    );
    const chart = chartOf(await openPanel(page, path), 4);

    await test.step('three bars, then three points after picking scatter', async () => {
      await expect(marks(chart, 'rect')).toHaveCount(3, { timeout: 30000 });
      await chart.locator('select.jp-RunsChart-kind').selectOption('scatter');
      await expect(marks(chart, 'symbol')).toHaveCount(3, { timeout: 20000 });
      await expect(marks(chart, 'rect')).toHaveCount(0);
      await expect(chart.locator('select.jp-RunsChart-param')).toHaveValue(
        'lr'
      );
    });

    let fallback: Record<string, unknown> = {};

    await test.step('saved with the static vega-lite spec and a text table', async () => {
      await page.notebook.save();
      const response = await page.request.get(
        `/api/contents/${path.split('/').map(encodeURIComponent).join('/')}?content=1`
      );
      expect(response.ok()).toBe(true);
      const saved = (await response.json()).content;
      const data = saved.cells[4].outputs[0].data;
      expect(Object.keys(data).sort()).toEqual(
        [COMPARE_MIME, VEGALITE_MIME, 'text/plain'].sort()
      );
      expect(data[VEGALITE_MIME].$schema).toContain('vega-lite/v5');
      expect(data[VEGALITE_MIME].data.values).toHaveLength(3);
      const text = Array.isArray(data['text/plain'])
        ? data['text/plain'].join('')
        : data['text/plain'];
      expect(text).toContain('3 runs compared: bar of acc');
      for (const version of ['v1', 'v2', 'v3']) {
        expect(text).toContain(version);
      }
      expect(data[COMPARE_MIME].runs).toHaveLength(3);
      expect(data[COMPARE_MIME].chart.kind).toBe('bar');
      fallback = {
        [VEGALITE_MIME]: data[VEGALITE_MIME],
        'text/plain': data['text/plain']
      };
    });

    await test.step('kernels shut down and the page reloaded: the output renders from the saved file', async () => {
      // Shut every kernel down: what the reloaded notebook shows comes from the file.
      const sessions = await (await page.request.get('/api/sessions')).json();
      for (const session of sessions) {
        await page.request.delete(`/api/sessions/${session.id}`);
      }
      await page.reload({ waitForIsReady: false });
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
      const panel = await openPanel(page, path);
      await expect(marks(chartOf(panel, 4), 'rect')).toHaveCount(3, {
        timeout: 30000
      });
    });

    await test.step('without our MIME type, JupyterLab’s own vega5 renderer draws the fallback', async () => {
      // The output as a front end without the extension sees it (SVG so marks can be counted).
      const content = notebookWith([fallback], {
        [VEGALITE_MIME]: { embed_options: { renderer: 'svg' } }
      });
      const panel = await openNotebook(
        page,
        tmpPath,
        'fallback.ipynb',
        content
      );
      const output = outputOf(panel, 0);
      await expect(
        output.locator(
          '.jp-RenderedVegaLite svg g.mark-rect.role-mark > path[role="graphics-symbol"]'
        )
      ).toHaveCount(3, { timeout: 30000 });
      await expect(output.locator('.jp-RunsChart')).toHaveCount(0);
    });
  });

  test('a history chart reads a zoomed step range from the store; the saved output stays small', async ({
    page,
    tmpPath
  }) => {
    const loss = Array.from({ length: 2000 }, (_, step) => ({
      key: 'loss',
      value: step === 1234 ? 50 : 1 / (step + 1),
      step
    }));
    const created = await page.request.post('/jupyterlab-runs/api/runs', {
      data: {
        experiment_name: `zoom ${Date.now()}`,
        status: 'FINISHED',
        source: 'api',
        metrics: loss
      }
    });
    expect(created.status()).toBe(201);
    const run = await created.json();
    const thinned = await page.request.post(
      '/jupyterlab-runs/api/runs/metrics',
      {
        data: { run_ids: [run.id], keys: ['loss'], max_points: 50 }
      }
    );
    const points: { step: number; value: number }[] = (await thinned.json())
      .histories[run.id].loss;
    const compare = payload(
      [
        {
          id: run.id,
          version: run.version,
          name: 'v1',
          params: {},
          metrics: { loss: 0.0005 },
          history: { loss: points.map(p => [p.step, p.value]) }
        }
      ],
      'loss',
      { chart: { kind: 'line', metric: 'loss', params: [] } }
    );
    const panel = await openNotebook(
      page,
      tmpPath,
      'zoom.ipynb',
      notebookWith([{ [COMPARE_MIME]: compare, 'text/plain': 'loss' }])
    );
    const chart = chartOf(panel, 0);
    await expect(marks(chart, 'symbol')).toHaveCount(50, { timeout: 30000 });

    await test.step('typed steps and Enter: every point of steps 1200-1299', async () => {
      await chart.getByLabel('From step').fill('1200');
      await chart.getByLabel('To step').fill('1299');
      await chart.getByLabel('To step').press('Enter');
      await expect(marks(chart, 'symbol')).toHaveCount(100, { timeout: 20000 });
      await expect(chart.locator('.jp-RunsChart-zoomStatus')).toHaveText(
        'Steps 1200–1299 from the store'
      );
    });

    await test.step('Ctrl+wheel zooms further in and the store is asked again', async () => {
      const box = (await chart
        .locator('.jp-RunsChart-canvas svg')
        .boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -400); // without Ctrl the wheel is the notebook's
      await expect(chart.getByLabel('From step')).toHaveValue('1200');
      await page.keyboard.down('Control');
      await page.mouse.wheel(0, -400);
      await page.keyboard.up('Control');
      const from = chart.getByLabel('From step');
      const to = chart.getByLabel('To step');
      await expect
        .poll(async () => Number(await from.inputValue()))
        .toBeGreaterThan(1200);
      await expect
        .poll(
          async () => {
            const [a, b] = [
              Number(await from.inputValue()),
              Number(await to.inputValue())
            ];
            return (await marks(chart, 'symbol').count()) === b - a + 1;
          },
          { timeout: 20000 }
        )
        .toBe(true);
    });

    await test.step('saved: the output keeps its 50 downsampled points', async () => {
      await page.notebook.save();
      const response = await page.request.get(
        `/api/contents/${tmpPath}/zoom.ipynb?content=1`
      );
      const data = (await response.json()).content.cells[0].outputs[0].data;
      expect(data[COMPARE_MIME].runs[0].history.loss).toHaveLength(50);
    });
  });
});
