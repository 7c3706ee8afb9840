import type { TopLevelSpec } from 'vega-lite';
import { embedChart, isDarkTheme, themePalette } from './vegaLoader';

afterEach(() => {
  document.body.replaceChildren();
  delete document.body.dataset.jpThemeLight;
});

describe('vegaLoader', () => {
  it('reads the dark theme from the body dataset', () => {
    expect(isDarkTheme()).toBe(false);
    document.body.dataset.jpThemeLight = 'false';
    expect(isDarkTheme()).toBe(true);
  });

  it('takes palette colours from --jp-* variables when the page sets them', () => {
    document.body.style.setProperty('--jp-brand-color1', '#123456');
    expect(themePalette(false).mark).toBe('#123456');
    document.body.style.removeProperty('--jp-brand-color1');
    expect(themePalette(false).mark).toBe('#1976d2');
  });

  it('refuses to load data from any URL', async () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    const spec = {
      data: { url: 'https://example.com/data.json' },
      mark: 'point'
    } as TopLevelSpec;
    const warn = jest
      .spyOn(console, 'warn')
      .mockImplementation(() => undefined);
    const chart = await embedChart(host, spec, { dark: false });
    await chart.view.runAsync();
    expect(chart.view.data('source_0')).toEqual([]);
    expect(String(warn.mock.calls[0])).toContain(
      'Loading data is disabled here: https://example.com/data.json'
    );
    warn.mockRestore();
    chart.finalize();
  });
});
