/**
 * Playwright configuration: Galata's defaults, Debian's Chromium (never a downloaded one),
 * and a JupyterLab server on 127.0.0.1 started and stopped by the test run.
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const port = process.env.JUPYTERLAB_RUNS_UI_PORT ?? '8899';

module.exports = {
  ...baseConfig,
  // Notebook 7's tests need their own server (playwright-notebook.config.js).
  testIgnore: 'notebook7/**',
  reporter: [
    ['list'],
    ['junit', { outputFile: process.env.PW_JUNIT ?? 'test-results/junit.xml' }]
  ],
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    video: 'off',
    launchOptions: {
      executablePath: process.env.PW_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic'
      ]
    }
  },
  webServer: {
    command: 'jupyter lab --config jupyter_server_test_config.py',
    url: `http://127.0.0.1:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
