import { expect, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

const PANEL_TAB = '.jp-SideBar .lm-TabBar-tab[data-id="jupyterlab-runs-panel"]';
const NOTEBOOK_TRACKER = '@jupyterlab/notebook-extension:tracker';

/**
 * Load JupyterLab with `pluginId` in the page config's disabledExtensions, as a server
 * configured to disable it would (the application then has no such token). The config is
 * edited in the page once it is parsed, before the deferred application bundle reads it; no
 * request is intercepted, so Galata's settings and workspace mocks still answer.
 */
async function disablePlugin(page: Page, pluginId: string): Promise<void> {
  await page.addInitScript(id => {
    document.addEventListener('readystatechange', () => {
      const element = document.getElementById('jupyter-config-data');
      if (document.readyState !== 'interactive' || !element) {
        return;
      }
      const config = JSON.parse(element.textContent ?? '{}');
      config.disabledExtensions = [...(config.disabledExtensions ?? []), id];
      element.textContent = JSON.stringify(config);
    });
  }, pluginId);
}

test.describe('A JupyterLab without notebooks (no INotebookTracker)', () => {
  test.use({
    autoGoto: false,
    // Galata's default readiness waits for a Launcher tab; at /lab/ (no /tree/ route) the
    // launcher opens only if the layout changes after the file browser has restored, a race
    // this page can lose. The test needs the application restored, nothing more.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.waitForFunction(async () => {
          const app = (window as any).jupyterapp;
          if (typeof app !== 'object') {
            return false;
          }
          await app.restored;
          return true;
        });
      });
    }
  });

  test('activates what it can, logs one line, no error or stack of ours', async ({
    page
  }) => {
    const ours: { type: string; text: string }[] = [];
    page.on('console', message => {
      if (message.text().includes('jupyterlab-runs')) {
        ours.push({ type: message.type(), text: message.text() });
      }
    });
    const uncaught: string[] = [];
    page.on('pageerror', error => {
      if ((error.stack ?? error.message).includes('jupyterlab-runs')) {
        uncaught.push(error.stack ?? error.message);
      }
    });
    await disablePlugin(page, NOTEBOOK_TRACKER);
    await page.goto();

    const activated = await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      return app
        .listPlugins()
        .filter((id: string) => id.startsWith('jupyterlab-runs:'))
        .map((id: string) => [id, app.isPluginActivated(id)]);
    });
    expect(Object.fromEntries(activated)).toEqual({
      'jupyterlab-runs:client': true,
      'jupyterlab-runs:live-updates': true,
      'jupyterlab-runs:capture': true,
      'jupyterlab-runs:panel': true,
      'jupyterlab-runs:renderers': true,
      'jupyterlab-runs:sync-monitor': true,
      'jupyterlab-runs:table': true
    });

    // The panel works (it lists experiments); what needs a notebook is hidden.
    await page.locator(PANEL_TAB).click();
    await expect(page.locator('#jupyterlab-runs-panel')).toBeVisible();
    const visible = await page.evaluate(() => {
      const { commands } = (window as any).jupyterapp;
      return [
        'jupyterlab-runs:log-run',
        'jupyterlab-runs:insert-comparison',
        'jupyterlab-runs:go-to-cell',
        'jupyterlab-runs:restore-code'
      ].map(id => commands.isVisible(id));
    });
    expect(visible).toEqual([false, false, false, false]);

    expect(uncaught).toEqual([]);
    expect(ours).toHaveLength(1);
    expect(ours[0].type).toBe('warning');
    expect(ours[0].text).toContain('no notebooks');
    expect(ours[0].text).not.toContain('\n');
  });
});
