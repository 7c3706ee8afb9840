import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IThemeManager } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator } from '@jupyterlab/translation';

import { createRendererFactories } from '../mime/factories';
import { refreshComparison, zoomComparison } from '../mime/refresh';
import { PanelCommandIDs } from '../panel/commandIds';
import { IRunsClient } from '../tokens';

/** Renders run cards and inline comparison charts in notebook outputs. */
export const renderersPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-runs:renderers',
  description:
    'Renders run cards and comparison charts (built from data, never from specs in outputs).',
  autoStart: true,
  requires: [IRenderMimeRegistry, IRunsClient],
  optional: [IThemeManager, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    client: IRunsClient,
    themes: IThemeManager | null,
    translator: ITranslator | null
  ) => {
    const openRun = (runId: string) =>
      void app.commands.execute(PanelCommandIDs.openRun, { runId });
    const factories = createRendererFactories({
      refresh: payload => refreshComparison(client, payload),
      zoom: (payload, steps) => zoomComparison(client, payload, steps),
      onSelectRun: openRun,
      openRun,
      themeChanged: themes?.themeChanged,
      translator: translator ?? undefined
    });
    for (const factory of factories) {
      rendermime.addFactory(factory, factory.defaultRank);
    }
  }
};
