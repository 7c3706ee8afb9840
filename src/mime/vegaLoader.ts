import type { Loader, View } from 'vega';
import type * as VegaEmbed from 'vega-embed';
import type * as VegaInterpreter from 'vega-interpreter';
import type { TopLevelSpec } from 'vega-lite';
import {
  chartPalette,
  IChartPalette,
  PALETTE_CSS_VARIABLES,
  themeConfig
} from '../charts';
import { TextTooltip } from './tooltip';

/** A chart drawn by `embedChart`; call `finalize` before drawing again or disposing. */
export interface IEmbeddedChart {
  /** The vega view. */
  readonly view: View;
  /** Release the view's timers and listeners and remove its tooltip. */
  finalize(): void;
}

/** Options of `embedChart`. */
export interface IEmbedOptions {
  /** Whether the JupyterLab theme is dark. */
  dark: boolean;
  /** Called with the datum of a clicked mark. */
  onClick?: (datum: unknown) => void;
}

/** Whether the current JupyterLab theme is dark. */
export function isDarkTheme(): boolean {
  return document.body.dataset.jpThemeLight === 'false';
}

/** The chart palette of the current theme, read from its `--jp-*` variables when set. */
export function themePalette(dark: boolean): IChartPalette {
  const style = getComputedStyle(document.body);
  const overrides: Partial<IChartPalette> = {};
  for (const [key, variable] of Object.entries(PALETTE_CSS_VARIABLES)) {
    overrides[key as keyof IChartPalette] = style.getPropertyValue(variable);
  }
  return chartPalette(dark, overrides);
}

/**
 * Draw a vega-lite spec into `host` with vega-embed, loaded on first use.
 *
 * SVG renderer, no action menu, expressions evaluated by the CSP-safe interpreter (no
 * `Function()`), a loader that refuses every URL, a text-only tooltip, and a config
 * matching the JupyterLab theme.
 */
export async function embedChart(
  host: HTMLElement,
  spec: TopLevelSpec,
  options: IEmbedOptions
): Promise<IEmbeddedChart> {
  const { embed, vega, expressionInterpreter } = await Private.ensureVega();
  const tooltip = new TextTooltip();
  const font = getComputedStyle(document.body)
    .getPropertyValue('--jp-ui-font-family')
    .trim();
  const result = await embed(host, spec, {
    mode: 'vega-lite',
    renderer: 'svg',
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    loader: Private.refusingLoader(vega),
    tooltip: tooltip.handler,
    config: themeConfig(themePalette(options.dark), font || undefined)
  });
  const { onClick } = options;
  if (onClick) {
    result.view.addEventListener('click', (_event, item) => {
      if (item) {
        onClick(item.datum);
      }
    });
  }
  return {
    view: result.view,
    finalize: () => {
      tooltip.dispose();
      result.finalize();
    }
  };
}

/** Module-private state: the lazily loaded vega modules. */
namespace Private {
  /** The modules `embedChart` needs. */
  export interface IVegaModules {
    embed: typeof VegaEmbed.default;
    vega: typeof VegaEmbed.vega;
    expressionInterpreter: typeof VegaInterpreter.expressionInterpreter;
  }

  let modules: Promise<IVegaModules> | null = null;

  /** Load vega-embed and vega-interpreter once, on first use (a separate chunk). */
  export function ensureVega(): Promise<IVegaModules> {
    if (modules === null) {
      modules = Promise.all([
        import('vega-embed'),
        import('vega-interpreter')
      ]).then(
        ([embed, interpreter]) => ({
          embed: embed.default,
          vega: embed.vega,
          expressionInterpreter: interpreter.expressionInterpreter
        }),
        (reason: unknown) => {
          modules = null;
          throw reason;
        }
      );
    }
    return modules;
  }

  /** A vega loader whose every way of fetching data is refused. */
  export function refusingLoader(vega: IVegaModules['vega']): Loader {
    const refuse = (uri: string): Promise<never> =>
      Promise.reject(new Error(`Loading data is disabled here: ${uri}`));
    return {
      ...vega.loader(),
      load: refuse,
      sanitize: refuse,
      http: refuse,
      file: refuse
    };
  }
}
