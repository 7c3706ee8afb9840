import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { CompareRenderer } from './compareRenderer';
import { RunRenderer } from './runRenderer';
import { COMPARE_MIME, RENDERER_RANK, RUN_MIME } from './mimeTypes';
import { IRunsRendererOptions } from './types';

/**
 * The renderer factories for our MIME types, to register with
 * `IRenderMimeRegistry.addFactory(factory, factory.defaultRank)`.
 *
 * `safe: true` because the chart spec is always built here from validated data (nothing in
 * an output can inject a spec, an expression or a URL), and cards are text only.
 */
export function createRendererFactories(
  options: IRunsRendererOptions = {}
): IRenderMime.IRendererFactory[] {
  const { refresh, zoom, onSelectRun, openRun, themeChanged } = options;
  return [
    {
      safe: true,
      mimeTypes: [COMPARE_MIME],
      defaultRank: RENDERER_RANK,
      createRenderer: rendererOptions =>
        new CompareRenderer({
          refresh,
          zoom,
          onSelectRun,
          themeChanged,
          translator: options.translator ?? rendererOptions.translator
        })
    },
    {
      safe: true,
      mimeTypes: [RUN_MIME],
      defaultRank: RENDERER_RANK,
      createRenderer: rendererOptions =>
        new RunRenderer({
          openRun,
          translator: options.translator ?? rendererOptions.translator
        })
    }
  ];
}
