import type { Config } from 'vega-lite';
import { IChartPalette } from './types';

/** Colours of JupyterLab's default light and dark themes, used when CSS gives none. */
const PALETTES: Readonly<Record<'light' | 'dark', IChartPalette>> = {
  light: {
    accent: '#f57c00',
    mark: '#1976d2',
    text: 'rgba(0, 0, 0, 0.87)',
    muted: 'rgba(0, 0, 0, 0.54)',
    grid: '#e0e0e0'
  },
  dark: {
    accent: '#ffb74d',
    mark: '#64b5f6',
    text: 'rgba(255, 255, 255, 1)',
    muted: 'rgba(255, 255, 255, 0.54)',
    grid: '#424242'
  }
};

/** The CSS variable each palette colour is read from when the page defines it. */
export const PALETTE_CSS_VARIABLES: Readonly<
  Record<keyof IChartPalette, string>
> = {
  accent: '--jp-warn-color1',
  mark: '--jp-brand-color1',
  text: '--jp-ui-font-color1',
  muted: '--jp-ui-font-color2',
  grid: '--jp-border-color2'
};

/** The palette for a theme, with overrides (e.g. read from `--jp-*` variables) applied. */
export function chartPalette(
  dark: boolean,
  overrides: Partial<IChartPalette> = {}
): IChartPalette {
  const base = PALETTES[dark ? 'dark' : 'light'];
  const palette = { ...base };
  for (const key of Object.keys(base) as Array<keyof IChartPalette>) {
    const value = overrides[key];
    if (typeof value === 'string' && value.trim() !== '') {
      palette[key] = value.trim();
    }
  }
  return palette;
}

/** A vega-lite config matching the JupyterLab theme (transparent background). */
export function themeConfig(palette: IChartPalette, font?: string): Config {
  const text = { labelColor: palette.text, titleColor: palette.text };
  return {
    background: 'transparent',
    ...(font ? { font } : {}),
    view: { stroke: null },
    axis: {
      ...text,
      domainColor: palette.muted,
      tickColor: palette.muted,
      gridColor: palette.grid
    },
    legend: text,
    title: { color: palette.text },
    mark: { color: palette.mark },
    text: { color: palette.text }
  };
}
