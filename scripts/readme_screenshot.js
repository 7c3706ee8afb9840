/**
 * Regenerate docs/runs-panel.png: the demo notebook with three logged versions and the
 * Runs panel showing one run's details. Usage: node scripts/readme_screenshot.js
 * (after the extension is built and linked, as scripts/test-all.sh does).
 */
const fs = require('fs');
const path = require('path');

const { ROOT, startLab } = require('../bench/lab_session');

const TRAINING_CELL = 8;

async function main() {
  const lab = await startLab();
  try {
    fs.copyFileSync(
      path.join(ROOT, 'examples/retrain.ipynb'),
      path.join(lab.root, 'retrain.ipynb')
    );
    await lab.open('retrain.ipynb');
    const { page } = lab;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.evaluate(async training => {
      const app = window.jupyterapp;
      const panel = app.shell.currentWidget;
      await panel.sessionContext.ready;
      const notebook = panel.content;
      for (let i = 0; i < training; i++) {
        notebook.activeCellIndex = i;
        await app.commands.execute('notebook:run-cell');
      }
      const cell = notebook.widgets[training];
      for (const n of [200, 50, 400]) {
        const source = cell.model.sharedModel.getSource();
        cell.model.sharedModel.setSource(
          source.replace(/n_estimators = \d+/, `n_estimators = ${n}`)
        );
        notebook.activeCellIndex = training;
        await app.commands.execute('jupyterlab-runs:log-run');
      }
      notebook.activeCellIndex = training;
      notebook.scrollToItem(training, 'start');
      await app.commands.execute('jupyterlab-runs:open-panel');
    }, TRAINING_CELL);
    await page
      .locator('#jupyterlab-runs-panel .jp-RunsList-row')
      .nth(2)
      .waitFor();
    await page
      .locator('#jupyterlab-runs-panel .jp-RunsList-row[data-version="2"]')
      .click();
    // Toasts (ours and JupyterLab's news question) would cover the panel.
    await page.evaluate(() =>
      document
        .querySelectorAll('.jp-Notification-Toast-Close')
        .forEach(button => button.click())
    );
    await page.waitForTimeout(1500);
    const out = path.join(ROOT, 'docs/runs-panel.png');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    console.log(`wrote ${out}`);
  } finally {
    await lab.close();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
