import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';

import { runsIcon } from '../icons';
import { RunsModel } from './model';
import { RunsPanel } from './view';

/** Command ids of the Runs panel. */
export namespace PanelCommandIDs {
  /** Show the Runs panel. */
  export const openPanel = 'jupyterlab-runs:open-panel';
  /** Reload the runs shown. */
  export const refresh = 'jupyterlab-runs:refresh';
  /** Show the panel with one run selected (`args.runId`). */
  export const openRun = 'jupyterlab-runs:open-run';
}

/** Register the panel's commands. */
export function addPanelCommands(
  app: JupyterFrontEnd,
  panel: RunsPanel,
  model: RunsModel,
  trans: TranslationBundle
): void {
  app.commands.addCommand(PanelCommandIDs.openPanel, {
    label: trans.__('Show Runs Panel'),
    caption: trans.__('Show the experiments and runs of the active notebook'),
    icon: runsIcon,
    execute: () => app.shell.activateById(panel.id)
  });
  app.commands.addCommand(PanelCommandIDs.refresh, {
    label: trans.__('Refresh Runs'),
    execute: () => model.refresh()
  });
  app.commands.addCommand(PanelCommandIDs.openRun, {
    label: trans.__('Open Run in Runs Panel'),
    execute: args => {
      app.shell.activateById(panel.id);
      const runId = args['runId'];
      if (typeof runId === 'string') {
        model.select(runId);
      }
    }
  });
}
