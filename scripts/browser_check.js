/**
 * Open a running JupyterLab in Debian's Chromium and check that jupyterlab-runs loaded:
 * its Runs tab is in the sidebar and the browser console shows no error and no uncaught
 * exception. With --no-news, also check that JupyterLab did not ask about Jupyter news.
 *
 * Usage: node scripts/browser_check.js --url http://127.0.0.1:PORT/lab?token=T
 *          [--no-news] [--screenshot out.png]
 * Prints what it found; exits 1 when a check fails.
 */
const path = require('path');
const { parseArgs } = require('util');

const ROOT = path.resolve(__dirname, '..');
const { chromium } = require(
  path.join(ROOT, 'ui-tests/node_modules/playwright-core')
);
const { CHROMIUM_ARGS } = require('../bench/lab_session');

const RUNS_TAB = '.jp-SideBar .lm-TabBar-tab[data-id="jupyterlab-runs-panel"]';
const NEWS_PROMPT = 'get notified about official Jupyter news';
/** JupyterLab asks about news once the app is restored; give it this long to show. */
const NEWS_GRACE_MS = 5000;

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'no-news': { type: 'boolean', default: false },
      screenshot: { type: 'string' }
    }
  });
  if (!values.url) {
    throw new Error('--url is required');
  }
  const browser = await chromium.launch({
    executablePath: process.env.PW_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS
  });
  const failures = [];
  try {
    const page = await browser.newPage({
      viewport: { width: 1440, height: 900 }
    });
    page.on('console', message => {
      if (message.type() === 'error') {
        const { url } = message.location();
        failures.push(
          `console error: ${message.text()}${url ? ` (${url})` : ''}`
        );
      }
    });
    page.on('pageerror', error => {
      failures.push(`uncaught exception: ${error.stack ?? error.message}`);
    });
    await page.goto(values.url);
    await page.locator(RUNS_TAB).waitFor({ timeout: 90000 });
    console.log('browser: the Runs tab is in the sidebar');
    if (values['no-news']) {
      await page.waitForTimeout(NEWS_GRACE_MS);
      if ((await page.getByText(NEWS_PROMPT).count()) > 0) {
        failures.push('JupyterLab asks about Jupyter news');
      } else {
        console.log('browser: no news prompt');
      }
    }
    if (values.screenshot) {
      await page.screenshot({ path: values.screenshot });
      console.log(`browser: screenshot ${values.screenshot}`);
    }
  } finally {
    await browser.close();
  }
  for (const failure of failures) {
    console.log(`browser: FAILED ${failure}`);
  }
  console.log(
    failures.length ? 'browser: FAILED' : 'browser: no console errors'
  );
  return failures.length ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    console.error(`browser: FAILED ${error.stack ?? error}`);
    process.exit(1);
  }
);
