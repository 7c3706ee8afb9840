// Screenshot of MLflow's own UI in Debian's Chromium: node scripts/mlflow-ui-screenshot.js URL OUT
// Waits until the runs table shows version names (v1, v2, …), then captures the page.
const { chromium } = require('../ui-tests/node_modules/playwright-core');

async function main() {
  const [url, out] = process.argv.slice(2);
  if (!url || !out) {
    throw new Error('usage: node scripts/mlflow-ui-screenshot.js URL OUT.png');
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium'
  });
  try {
    const page = await browser.newPage({
      viewport: { width: 1600, height: 640 }
    });
    await page.goto(url);
    await page
      .getByText('v1', { exact: true })
      .first()
      .waitFor({ timeout: 120000 });
    // The assistant side panel hides the param and metric columns; close it when shown.
    const assistant = page.locator('button[aria-label="Close"]').last();
    if (await assistant.isVisible()) {
      await assistant.click();
    }
    await page.waitForTimeout(1500); // let the table settle (column widths, charts)
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
