import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, WidgetTracker } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  jsonIcon,
  LabIcon,
  refreshIcon,
  spreadsheetIcon,
  tableRowsIcon
} from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject, UUID } from '@lumino/coreutils';

import { RunView } from '../api/types';
import { runsIcon } from '../icons';
import { MetricSummary } from './columns';
import { ExportFormat, exportFileName, download } from './export';
import { IRunsTableState } from './model';
import { RunsTableWidget } from './widget';

/** Command ids of the runs table. */
export namespace TableCommandIDs {
  /** Open a runs table (`experimentId` or `experimentIds`, optional `filter`, …). */
  export const openTable = 'jupyterlab-runs:open-table';
  /** Reload a table (`widgetId`, else the current one). */
  export const refresh = 'jupyterlab-runs:table-refresh';
  /** Open the column chooser of a table. */
  export const columns = 'jupyterlab-runs:table-columns';
  /** Download the rows of a table as CSV. */
  export const exportCsv = 'jupyterlab-runs:table-export-csv';
  /** Download the rows of a table as JSON. */
  export const exportJson = 'jupyterlab-runs:table-export-json';
}

const TABLE_ARGS = {
  args: {
    type: 'object',
    properties: {
      widgetId: {
        type: 'string',
        description:
          'Id of the runs table (its toolbar passes it); else the current one'
      }
    }
  }
};

const STRINGS = { type: 'array', items: { type: 'string' } };

const OPEN_ARGS = {
  args: {
    type: 'object',
    properties: {
      experimentId: { type: 'string', description: 'Experiment to show' },
      experimentIds: { ...STRINGS, description: 'Experiments to show' },
      filter: { type: 'string', description: 'Filter in the search syntax' },
      orderBy: { ...STRINGS, description: "e.g. ['metrics.accuracy DESC']" },
      view: { type: 'string', enum: ['active', 'deleted', 'all'] },
      shown: { ...STRINGS, description: 'Column ids shown by hand' },
      hidden: { ...STRINGS, description: 'Column ids hidden by hand' },
      summary: { type: 'string', enum: ['last', 'best', 'min', 'max'] },
      higherIsBetter: {
        type: 'object',
        description: 'Per-metric direction of "best of steps"'
      },
      tableId: { type: 'string', description: 'Set when restoring a table' }
    }
  }
};

/** Creates a table widget from a state and a table id. */
export type TableFactory = (
  state: Partial<IRunsTableState>,
  tableId: string
) => RunsTableWidget;

/** Register the table's commands. */
export function addTableCommands(
  app: JupyterFrontEnd,
  tracker: WidgetTracker<RunsTableWidget>,
  create: TableFactory,
  trans: TranslationBundle,
  defaultExperiments: () => Promise<string[]> = async () => []
): void {
  const target = (args: ReadonlyPartialJSONObject) =>
    tracker.find(w => w.id === args['widgetId']) ?? tracker.currentWidget;

  app.commands.addCommand(TableCommandIDs.openTable, {
    label: trans.__('Open Runs Table'),
    caption: trans.__(
      'Show runs in a sortable, filterable table in the main area'
    ),
    icon: runsIcon,
    describedBy: OPEN_ARGS,
    execute: async args => {
      const state = stateFromArgs(args);
      const restoring = typeof args['tableId'] === 'string';
      if (!restoring && !('experimentId' in args || 'experimentIds' in args)) {
        state.experimentIds = await defaultExperiments();
      }
      const same = (w: RunsTableWidget) =>
        JSON.stringify([...w.model.query.experimentIds].sort()) ===
        JSON.stringify([...(state.experimentIds ?? [])].sort());
      const existing = restoring ? undefined : tracker.find(same);
      if (
        existing &&
        Object.keys(args).every(key => key.startsWith('experimentId'))
      ) {
        if (!existing.isAttached) {
          // Restored from the state but left out of the restored layout.
          addToShell(app, existing);
        }
        app.shell.activateById(existing.id);
        return existing;
      }
      const widget = create(
        state,
        restoring ? (args['tableId'] as string) : UUID.uuid4()
      );
      addToShell(app, widget);
      await tracker.add(widget);
      if (!restoring) {
        app.shell.activateById(widget.id);
      }
      return widget;
    }
  });
  app.commands.addCommand(TableCommandIDs.refresh, {
    label: trans.__('Refresh Runs Table'),
    caption: trans.__('Reload the runs shown'),
    icon: refreshIcon,
    describedBy: TABLE_ARGS,
    isEnabled: args => !!target(args),
    execute: args => target(args)?.model.refresh()
  });
  app.commands.addCommand(TableCommandIDs.columns, {
    label: trans.__('Choose Columns…'),
    caption: trans.__('Show or hide params, metrics, tags and attributes'),
    icon: tableRowsIcon,
    describedBy: TABLE_ARGS,
    isEnabled: args => !!target(args),
    execute: args => target(args)?.model.toggleChooser()
  });
  const addExport = (
    id: string,
    format: ExportFormat,
    label: string,
    icon: LabIcon
  ) =>
    app.commands.addCommand(id, {
      label,
      icon,
      describedBy: TABLE_ARGS,
      caption: trans.__(
        'Download every run matching the filter, in the columns shown'
      ),
      isEnabled: args => !!target(args) && !target(args)!.model.exporting,
      execute: args => exportTable(target(args), format, trans)
    });
  addExport(
    TableCommandIDs.exportCsv,
    'csv',
    trans.__('Export Runs as CSV'),
    spreadsheetIcon
  );
  addExport(
    TableCommandIDs.exportJson,
    'json',
    trans.__('Export Runs as JSON'),
    jsonIcon
  );
}

/**
 * Add a table to the main area. A shell whose main area holds a single document
 * (Notebook 7) leaves it out; there it opens as a tab of the down area.
 */
function addToShell(app: JupyterFrontEnd, widget: RunsTableWidget): void {
  app.shell.add(widget, 'main');
  if (!widget.parent) {
    app.shell.add(widget, 'down');
  }
}

async function exportTable(
  widget: RunsTableWidget | null,
  format: ExportFormat,
  trans: TranslationBundle
): Promise<void> {
  if (!widget) {
    return;
  }
  const { model } = widget;
  try {
    const blob = await model.export(format);
    if (blob) {
      const label = model.experimentLabels.join('_');
      download(blob, exportFileName(label, format));
    }
  } catch (reason) {
    const message = reason instanceof Error ? reason.message : String(reason);
    Notification.error(trans.__('Export failed: %1', message));
  }
}

/** The table state carried by command arguments (from the restorer or a caller). */
function stateFromArgs(
  args: ReadonlyPartialJSONObject
): Partial<IRunsTableState> {
  const strings = (value: unknown): string[] | undefined =>
    Array.isArray(value)
      ? value.filter((v): v is string => typeof v === 'string')
      : undefined;
  const state: Partial<IRunsTableState> = {};
  const single = args['experimentId'];
  state.experimentIds =
    strings(args['experimentIds']) ??
    (typeof single === 'string' && single ? [single] : []);
  if (typeof args['filter'] === 'string') {
    state.filter = args['filter'];
  }
  state.orderBy = strings(args['orderBy']);
  state.shown = strings(args['shown']);
  state.hidden = strings(args['hidden']);
  if (['active', 'deleted', 'all'].includes(args['view'] as string)) {
    state.view = args['view'] as RunView;
  }
  if (['last', 'best', 'min', 'max'].includes(args['summary'] as string)) {
    state.summary = args['summary'] as MetricSummary;
  }
  const overrides = args['higherIsBetter'];
  if (overrides && typeof overrides === 'object' && !Array.isArray(overrides)) {
    state.higherIsBetter = Object.fromEntries(
      Object.entries(overrides).filter(([, v]) => typeof v === 'boolean')
    ) as Record<string, boolean>;
  }
  return state;
}

/** Command arguments that reopen a table as it is. */
export function argsFromTable(
  widget: RunsTableWidget
): ReadonlyPartialJSONObject {
  const state = widget.model.toJSON();
  return {
    tableId: widget.tableId,
    experimentIds: state.experimentIds,
    filter: state.filter,
    orderBy: state.orderBy,
    view: state.view,
    shown: state.shown,
    hidden: state.hidden,
    summary: state.summary,
    higherIsBetter: state.higherIsBetter
  };
}
