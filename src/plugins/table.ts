import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { PanelCommandIDs } from '../panel/commandIds';
import { MetricSummary } from '../table/columns';
import {
  addTableCommands,
  argsFromTable,
  TableCommandIDs
} from '../table/commands';
import { IRunsTableState, RunsTableModel } from '../table/model';
import { RunsTableWidget } from '../table/widget';
import { ILiveUpdates, IRunCapture, IRunsClient } from '../tokens';

const PLUGIN_ID = 'jupyterlab-runs:table';

/** Settings of the table plugin (schema/table.json). */
interface ITableSettings {
  pageSize: number;
  defaultColumns: string[];
  metricSummary: MetricSummary;
  liveRefresh: boolean;
}

/**
 * The runs table in the main area: every run of some experiments, sorted and filtered on
 * the server, reloaded from the shared live-update poll (ILiveUpdates) while visible.
 */
export const tablePlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'A virtualized, server-sorted runs table in the main area.',
  autoStart: true,
  requires: [IRunsClient, ILiveUpdates],
  optional: [
    ITranslator,
    ILayoutRestorer,
    ICommandPalette,
    ISettingRegistry,
    INotebookTracker,
    IRunCapture
  ],
  activate: (
    app: JupyterFrontEnd,
    client: IRunsClient,
    live: ILiveUpdates,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null,
    notebooks: INotebookTracker | null,
    capture: IRunCapture | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_runs');
    const tracker = new WidgetTracker<RunsTableWidget>({
      namespace: 'jupyterlab-runs-table'
    });
    let settings: ITableSettings | null = null;

    const create = (state: Partial<IRunsTableState>, tableId: string) => {
      const model = new RunsTableModel({
        client,
        state,
        pageSize: settings?.pageSize,
        defaultColumns: settings?.defaultColumns,
        metricSummary: settings?.metricSummary
      });
      const widget = new RunsTableWidget({
        model,
        tableId,
        trans,
        live,
        commands: { registry: app.commands, ids: TableCommandIDs },
        onOpenRun: runId => {
          if (app.commands.hasCommand(PanelCommandIDs.openRun)) {
            void app.commands.execute(PanelCommandIDs.openRun, { runId });
          }
        }
      });
      widget.liveRefresh = settings?.liveRefresh ?? true;
      model.stateChanged.connect(() => void tracker.save(widget));
      // The export buttons are disabled while an export runs.
      model.changed.connect(() => {
        app.commands.notifyCommandChanged(TableCommandIDs.exportCsv);
        app.commands.notifyCommandChanged(TableCommandIDs.exportJson);
      });
      return widget;
    };

    // The palette opens the active notebook's experiment, else every experiment.
    const defaultExperiments = async (): Promise<string[]> => {
      const panel = notebooks?.currentWidget;
      if (!panel) {
        return [];
      }
      await panel.context.ready;
      const name = capture ? capture.experimentName(panel) : panel.context.path;
      const experiments = await client.listExperiments();
      const found = experiments.find(e => e.name === name);
      return found ? [found.id] : [];
    };

    addTableCommands(app, tracker, create, trans, defaultExperiments);
    palette?.addItem({
      command: TableCommandIDs.openTable,
      category: trans.__('Runs')
    });
    tracker.currentChanged.connect(() => {
      for (const id of [
        TableCommandIDs.refresh,
        TableCommandIDs.columns,
        TableCommandIDs.exportCsv,
        TableCommandIDs.exportJson
      ]) {
        app.commands.notifyCommandChanged(id);
      }
    });
    void restorer?.restore(tracker, {
      command: TableCommandIDs.openTable,
      args: argsFromTable,
      name: widget => widget.tableId
    });

    if (settingRegistry) {
      void app.restored
        .then(() => settingRegistry.load(PLUGIN_ID))
        .then(loaded => {
          const apply = () => {
            settings = loaded.composite as unknown as ITableSettings;
            tracker.forEach(widget => {
              widget.model.configure(settings!);
              widget.liveRefresh = settings!.liveRefresh;
            });
          };
          apply();
          loaded.changed.connect(apply);
        });
    }
  }
};
