import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IThemeManager } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { addPanelCommands, PanelCommandIDs } from '../panel/commands';
import { RunsPanelModel } from '../panel/panelModel';
import { parsePanelState, STATE_KEY, stateToJSON } from '../panel/state';
import { RunsPanel } from '../panel/view';
import {
  ILiveUpdates,
  IRunCapture,
  IRunsClient,
  ISyncMonitor
} from '../tokens';

const PLUGIN_ID = 'jupyterlab-runs:panel';

/** Panel commands offered in the palette. */
const PALETTE_COMMANDS = [
  PanelCommandIDs.openPanel,
  PanelCommandIDs.refresh,
  PanelCommandIDs.compareSelected,
  PanelCommandIDs.insertComparison,
  PanelCommandIDs.deleteRun,
  PanelCommandIDs.restoreRun,
  PanelCommandIDs.goToCell,
  PanelCommandIDs.restoreCode
];

/** The Runs panel in the right sidebar, following the active notebook's experiment. */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'The Runs panel: browse, filter, inspect, compare, delete and restore runs.',
  autoStart: true,
  requires: [IRunsClient, ILiveUpdates],
  optional: [
    IRunCapture,
    ITranslator,
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    IStateDB,
    IRenderMimeRegistry,
    IEditorLanguageRegistry,
    IThemeManager,
    INotebookTracker,
    ISyncMonitor
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IRunsClient,
    live: ILiveUpdates,
    capture: IRunCapture | null,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settings: ISettingRegistry | null,
    state: IStateDB | null,
    rendermime: IRenderMimeRegistry | null,
    languages: IEditorLanguageRegistry | null,
    themes: IThemeManager | null,
    tracker: INotebookTracker | null,
    sync: ISyncMonitor | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const model = new RunsPanelModel({ client, live, sync });
    const panel = new RunsPanel(model, {
      commands: app.commands,
      trans,
      client,
      rendermime,
      languages,
      themeChanged: themes?.themeChanged ?? null
    });
    app.shell.add(panel, 'right', { rank: 650 });
    restorer?.add(panel, 'jupyterlab-runs-panel');
    addPanelCommands(app, tracker, panel, trans);
    for (const command of PALETTE_COMMANDS) {
      palette?.addItem({ command, category: trans.__('Runs') });
    }
    if (tracker) {
      followNotebook(tracker, model, capture);
    }
    capture?.runLogged.connect((_, { run }) => void model.runLogged(run));

    void app.restored.then(async () => {
      if (state) {
        model.list.restore(parsePanelState(await state.fetch(STATE_KEY)));
        model.list.stateChanged.connect((_, current) => {
          void state.save(STATE_KEY, stateToJSON(current));
        });
      }
      if (settings) {
        const loaded = await settings.load(PLUGIN_ID);
        const apply = () => {
          const composite = loaded.composite;
          model.list.configure({
            pageSize: composite['pageSize'] as number,
            defaultMetric: composite['defaultMetric'] as string
          });
          model.liveRefresh = composite['liveRefresh'] as boolean;
        };
        apply();
        loaded.changed.connect(apply);
      }
      await model.refresh();
    });
  }
};

/** Keep the list on the active notebook's experiment (its metadata name, else its path). */
function followNotebook(
  tracker: INotebookTracker,
  model: RunsPanelModel,
  capture: IRunCapture | null
): void {
  const nameOf = (panel: NotebookPanel) =>
    capture ? capture.experimentName(panel) : panel.context.path;
  let watched: NotebookPanel | null = null;
  const follow = () => {
    const current = tracker.currentWidget;
    if (watched !== current) {
      watched?.context.pathChanged.disconnect(follow);
      current?.context.pathChanged.connect(follow);
      watched = current;
    }
    if (!current) {
      model.list.experiments.setNotebook(null);
      return;
    }
    void current.context.ready.then(() => {
      if (tracker.currentWidget === current) {
        model.list.experiments.setNotebook(nameOf(current));
      }
    });
  };
  tracker.currentChanged.connect(follow);
  follow();
}
