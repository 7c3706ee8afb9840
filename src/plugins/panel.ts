import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { RunsClient } from '../api/client';
import { addPanelCommands, PanelCommandIDs } from '../panel/commands';
import { RunsModel } from '../panel/model';
import { RunsPanel } from '../panel/view';
import { IRunCapture, IRunsClient } from '../tokens';

const PLUGIN_ID = 'jupyterlab-runs:panel';

/** The Runs panel in the right sidebar, following the active notebook. */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Runs panel: experiments and runs of the active notebook.',
  autoStart: true,
  requires: [IRunsClient, INotebookTracker],
  optional: [
    IRunCapture,
    ITranslator,
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    client: RunsClient,
    tracker: INotebookTracker,
    capture: IRunCapture | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const model = new RunsModel({ client });
    const panel = new RunsPanel(model, trans);
    app.shell.add(panel, 'right', { rank: 650 });
    restorer?.add(panel, 'jupyterlab-runs-panel');
    addPanelCommands(app, panel, model, trans);
    palette?.addItem({
      command: PanelCommandIDs.openPanel,
      category: trans.__('Runs')
    });
    palette?.addItem({
      command: PanelCommandIDs.refresh,
      category: trans.__('Runs')
    });

    const follow = () => {
      const current = tracker.currentWidget;
      if (current && capture) {
        void current.context.ready.then(() =>
          model.setExperimentName(capture.experimentName(current))
        );
      } else if (current) {
        void model.setExperimentName(current.context.path);
      }
    };
    tracker.currentChanged.connect(follow);
    follow();
    capture?.runLogged.connect((_, { run, panel: source }) => {
      if (source === tracker.currentWidget) {
        void model.refresh().then(() => model.select(run.id));
      }
    });

    if (settings) {
      void app.restored
        .then(() => settings.load(PLUGIN_ID))
        .then(loaded => {
          const apply = () =>
            model.configure({
              pageSize: loaded.composite['pageSize'] as number
            });
          apply();
          loaded.changed.connect(apply);
        });
    }
  }
};
