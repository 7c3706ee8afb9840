/**
 * Browser half of bench/ui_table_bench.py (run by it; prints one JSON object on stdout).
 *
 * Drives Debian's Chromium (never a downloaded browser) against a running JupyterLab and
 * measures the runs table: open-table → first page painted, re-sort by a metric →
 * repainted, the scrollbar dragged to far rows → that row's data painted (and the DOM size),
 * and long tasks while scrolling through rows.
 *
 *   node bench/ui_table_browser.js '{"url": "...", "token": "...", "experimentId": "...", ...}'
 */
const path = require('path');
const { chromium } = require(
  path.join(__dirname, '..', 'ui-tests', 'node_modules', 'playwright')
);

const options = JSON.parse(process.argv[2]);

/** In the page: resolve with performance.now() once `ready()` holds and a frame was painted. */
const WAIT_PAINTED = `(ready, started) => new Promise(resolve => {
  const done = () => requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - started)));
  if (ready()) { done(); return; }
  const observer = new MutationObserver(() => {
    if (ready()) { observer.disconnect(); done(); }
  });
  observer.observe(document.body, { childList: true, subtree: true, attributes: true });
})`;

async function openTable(page) {
  return page.evaluate(
    async ({ experimentId, waitPainted }) => {
      const waitFor = eval(waitPainted);
      const app = window.jupyterapp;
      const started = performance.now();
      const opened = app.commands.execute('jupyterlab-runs:open-table', {
        experimentId
      });
      // Painted means rows and their metric columns (the keys arrive by a second request).
      const painted = await waitFor(() => {
        const table = document.querySelector(
          '.jp-RunsTable:not(.lm-mod-hidden)'
        );
        return (
          table?.querySelector('.jp-RunsGrid-row[data-version]') &&
          table.querySelector('[data-column^="metrics."]')
        );
      }, started);
      await opened;
      return painted;
    },
    { experimentId: options.experimentId, waitPainted: WAIT_PAINTED }
  );
}

async function closeTables(page) {
  await page.evaluate(() => {
    for (const widget of [...window.jupyterapp.shell.widgets('main')]) {
      if (widget.hasClass('jp-RunsTable')) {
        widget.dispose();
      }
    }
  });
}

/** Click a metric header; time until the first row shows another run and was painted. */
async function resort(page, column) {
  return page.evaluate(
    async ({ column, waitPainted }) => {
      const waitFor = eval(waitPainted);
      const table = document.querySelector('.jp-RunsTable:not(.lm-mod-hidden)');
      const firstRow = () =>
        table.querySelector('.jp-RunsGrid-row[aria-rowindex="2"]');
      const before = firstRow()?.getAttribute('data-run-id');
      const header = table.querySelector(`[data-column="${column}"]`);
      const started = performance.now();
      header.click();
      return waitFor(() => {
        const id = firstRow()?.getAttribute('data-run-id');
        return id && id !== before && header.getAttribute('aria-sort');
      }, started);
    },
    { column, waitPainted: WAIT_PAINTED }
  );
}

/** Scroll through `rows` rows, `step` rows per frame, recording long tasks. */
async function scroll(page, rows, step) {
  return page.evaluate(
    async ({ rows, step }) => {
      const grid = document.querySelector(
        '.jp-RunsTable:not(.lm-mod-hidden) .jp-RunsGrid'
      );
      const rowHeight = 28;
      const longTasks = [];
      const observer = new PerformanceObserver(list => {
        for (const entry of list.getEntries()) {
          longTasks.push(entry.duration);
        }
      });
      observer.observe({ type: 'longtask', buffered: false });
      const frames = [];
      let last = performance.now();
      const started = last;
      let placeholders = 0;
      let shown = 0;
      for (let top = 0; top <= rows * rowHeight; top += step * rowHeight) {
        grid.scrollTop = top;
        await new Promise(resolve => requestAnimationFrame(resolve));
        const now = performance.now();
        frames.push(now - last);
        last = now;
        const rendered = grid.querySelectorAll('.jp-RunsGrid-row');
        shown += rendered.length;
        placeholders += grid.querySelectorAll(
          '.jp-RunsGrid-row.jp-mod-placeholder'
        ).length;
      }
      // Let the pages still in flight arrive, then collect their long tasks too.
      await new Promise(resolve => setTimeout(resolve, 1500));
      observer.disconnect();
      frames.sort((a, b) => a - b);
      return {
        seconds: (last - started) / 1000,
        frames: frames.length,
        frameP95: frames[Math.floor(frames.length * 0.95)],
        frameMax: frames[frames.length - 1],
        longTasks: longTasks.length,
        longestTask: longTasks.length ? Math.max(...longTasks) : 0,
        placeholderShare: placeholders / Math.max(1, shown),
        domRows: grid.querySelectorAll('.jp-RunsGrid-row').length,
        domCells: grid.querySelectorAll('[role="gridcell"]').length
      };
    },
    { rows, step }
  );
}

/**
 * Drag the scrollbar to `row` (one scroll position, as a drag ends); time until that row
 * shows its run and was painted. Returns the run's version to check and the table's DOM size.
 */
async function jump(page, row) {
  return page.evaluate(
    async ({ row, waitPainted }) => {
      const waitFor = eval(waitPainted);
      const table = document.querySelector('.jp-RunsTable:not(.lm-mod-hidden)');
      const grid = table.querySelector('.jp-RunsGrid');
      const shown = `.jp-RunsGrid-row[aria-rowindex="${row + 2}"][data-version]`;
      const started = performance.now();
      grid.scrollTop = row * 28;
      const ms = await waitFor(() => table.querySelector(shown), started);
      return {
        row,
        ms,
        version: Number(
          table.querySelector(shown).getAttribute('data-version')
        ),
        domNodes: table.getElementsByTagName('*').length
      };
    },
    { row, waitPainted: WAIT_PAINTED }
  );
}

/** Jump to each row in turn, a pause between jumps. */
async function jumps(page, rows, label) {
  const found = [];
  for (const row of rows) {
    await page.waitForTimeout(300);
    found.push(await jump(page, row));
    log('jump', label, row, found[found.length - 1].ms);
  }
  return found;
}

/** Server time of the runs requests the page made (Resource Timing). */
async function requestTimes(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter(e => e.name.includes('/jupyterlab-runs/api/runs?'))
      .map(e => e.responseStart - e.requestStart)
  );
}

/** Progress on stderr (stdout carries the result). */
const log = (...parts) => process.stderr.write(parts.join(' ') + '\n');
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.PW_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  });
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 }
    });
    page.on('crash', () => log('page crashed'));
    page.on('pageerror', error => log('page error', error.message));
    await page.goto(`${options.url}/lab?token=${options.token}`);
    await page.waitForSelector('#jupyterlab-splash', {
      state: 'detached',
      timeout: 120000
    });
    await page.waitForFunction(() =>
      window.jupyterapp?.commands.hasCommand('jupyterlab-runs:open-table')
    );
    const open = [];
    for (let i = 0; i < options.repeat; i++) {
      await closeTables(page);
      await page.waitForTimeout(300);
      open.push(await openTable(page));
      log('open', open[open.length - 1]);
    }
    // Metric columns on screen (columns are virtualized too), each clicked once.
    const columns = await page.evaluate(
      count =>
        [
          ...document.querySelectorAll(
            '.jp-RunsTable:not(.lm-mod-hidden) [data-column^="metrics."]'
          )
        ]
          .slice(0, count)
          .map(header => header.getAttribute('data-column')),
      options.sorts
    );
    const sort = [];
    for (const column of columns) {
      await page.waitForTimeout(200);
      sort.push(await resort(page, column));
      log('sort', column, sort[sort.length - 1]);
    }
    // Back to the default order, at the top, for the scroll.
    await closeTables(page);
    await openTable(page);
    await page.waitForTimeout(500);
    const scrolled = await scroll(page, options.scrollRows, options.scrollStep);
    const requests = await requestTimes(page);
    // Far jumps in the default order (versions checkable), then sorted by a metric.
    const byVersion = await jumps(page, options.jumps, 'version DESC');
    await page.evaluate(() => {
      document.querySelector(
        '.jp-RunsTable:not(.lm-mod-hidden) .jp-RunsGrid'
      ).scrollTop = 0;
    });
    await page.waitForTimeout(300);
    await resort(page, columns[0]);
    const byMetric = await jumps(page, options.jumps, `${columns[0]} sorted`);
    const all = [...byVersion, ...byMetric];
    process.stdout.write(
      JSON.stringify({
        open,
        sort,
        scroll: scrolled,
        requests,
        jumps: {
          'version DESC': byVersion,
          [`${columns[0]} sorted`]: byMetric
        },
        domNodes: Math.max(...all.map(j => j.domNodes))
      })
    );
  } finally {
    await browser.close();
  }
})().catch(error => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
