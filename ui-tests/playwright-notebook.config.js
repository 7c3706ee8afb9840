/**
 * Playwright configuration of the Notebook 7 tests (notebook7/): the browser and options of
 * playwright.config.js, against `jupyter notebook` on 127.0.0.1 with the same test server
 * configuration (fresh root and store, loopback only).
 */
const labConfig = require('./playwright.config');

const port = process.env.JUPYTERLAB_RUNS_NB_PORT ?? '8897';

module.exports = {
  ...labConfig,
  testDir: 'notebook7',
  testIgnore: [],
  // Apart from the JupyterLab run's output folder, which Playwright empties at start.
  outputDir: 'test-results/notebook7',
  reporter: [
    ['list'],
    [
      'junit',
      { outputFile: process.env.PW_JUNIT ?? 'test-results/notebook7/junit.xml' }
    ]
  ],
  use: { ...labConfig.use, baseURL: `http://127.0.0.1:${port}` },
  webServer: {
    command:
      'jupyter notebook --config jupyter_server_test_config.py --JupyterNotebookApp.expose_app_in_browser=True',
    env: { ...process.env, JUPYTERLAB_RUNS_UI_PORT: port },
    url: `http://127.0.0.1:${port}/tree`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
