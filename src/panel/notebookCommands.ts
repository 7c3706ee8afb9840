import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import * as nbformat from '@jupyterlab/nbformat';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { addBelowIcon, jumpForwardIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IRun } from '../api/types';
import { buildCompareBundle } from '../mime/bundle';
import { PanelCommandIDs } from './commandIds';
import { findCell, insertCodeCell, openNotebook, revealCell } from './notebook';
import { RunsPanelModel } from './panelModel';

const RUN_ID_ARG = {
  type: 'string',
  description: 'Id of the run (default: the run shown in the details)'
};

const NOTEBOOK_COMMANDS = [
  PanelCommandIDs.goToCell,
  PanelCommandIDs.restoreCode,
  PanelCommandIDs.insertComparison
];

/** Register the commands that act on notebooks: go to cell, restore code, insert comparison. */
export function addNotebookCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  model: RunsPanelModel,
  trans: TranslationBundle
): void {
  const { commands } = app;
  if (!tracker) {
    // No notebooks in this application: the commands exist (panel buttons name them)
    // but stay hidden.
    for (const id of NOTEBOOK_COMMANDS) {
      commands.addCommand(id, {
        describedBy: { args: { type: 'object', properties: {} } },
        isVisible: () => false,
        execute: () => undefined
      });
    }
    return;
  }
  /** The run a command targets: `args.runId`, else the one in the details. */
  const runOf = async (
    args: ReadonlyPartialJSONObject
  ): Promise<IRun | null> => {
    const runId = args['runId'];
    if (typeof runId !== 'string' || runId === model.details.run?.id) {
      return model.details.run;
    }
    return model.client.getRun(runId);
  };
  const hasRun = (args: ReadonlyPartialJSONObject) =>
    typeof args['runId'] === 'string' || model.details.run !== null;

  commands.addCommand(PanelCommandIDs.goToCell, {
    label: trans.__('Go to Cell'),
    icon: jumpForwardIcon,
    caption: trans.__(
      'Open the notebook and select the cell that produced the run'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          runId: RUN_ID_ARG,
          cellId: {
            type: 'string',
            description:
              "Another cell of the run's notebook (reproducibility reasons)"
          }
        }
      }
    },
    isEnabled: hasRun,
    execute: async args => {
      const run = await runOf(args);
      if (!run?.notebook_path) {
        return;
      }
      const panel = await openNotebook(app, tracker, run.notebook_path);
      const cellId =
        typeof args['cellId'] === 'string' ? args['cellId'] : run.cell_id;
      const index = panel
        ? findCell(panel.content, cellId, sourceOf(run, cellId))
        : -1;
      if (!panel || index === -1) {
        Notification.warning(
          trans.__(
            'The cell of run v%1 is no longer in %2.',
            run.version,
            run.notebook_path
          ),
          { autoClose: 5000 }
        );
        return;
      }
      await revealCell(panel, index);
    }
  });

  commands.addCommand(PanelCommandIDs.restoreCode, {
    label: trans.__('Restore Code into a New Cell'),
    icon: addBelowIcon,
    caption: trans.__(
      "Insert this run's code as a new cell below the active cell"
    ),
    describedBy: {
      args: { type: 'object', properties: { runId: RUN_ID_ARG } }
    },
    isEnabled: hasRun,
    execute: async args => {
      const run = await runOf(args);
      const panel = await targetNotebook(app, tracker, run?.notebook_path);
      if (run && panel) {
        insertCodeCell(panel, run.code);
      }
    }
  });

  commands.addCommand(PanelCommandIDs.insertComparison, {
    label: trans.__('Insert into Notebook'),
    icon: addBelowIcon,
    caption: trans.__(
      'Add the comparison as the output of a new cell below the active cell of the current notebook'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isEnabled: () =>
      model.inspector === 'compare' &&
      model.compare.runs.length > 0 &&
      tracker.currentWidget !== null,
    execute: () => {
      const panel = tracker.currentWidget;
      if (!panel) {
        return;
      }
      const bundle = buildCompareBundle(model.compare.payload());
      const versions = model.compare.runs
        .map(run => run.version)
        .sort((a, b) => a - b)
        .map(version => `v${version}`);
      const output: nbformat.IDisplayData = {
        output_type: 'display_data',
        // Plain JSON; the bundle's interfaces only lack index signatures.
        data: bundle as unknown as nbformat.IMimeBundle,
        metadata: {}
      };
      insertCodeCell(
        panel,
        `# jupyterlab-runs comparison (${versions.join(', ')})`,
        [output]
      );
      app.shell.activateById(panel.id);
    }
  });
}

/** The notebook new cells go to: the current one, else the run's notebook. */
async function targetNotebook(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  fallbackPath: string | null | undefined
): Promise<NotebookPanel | null> {
  const current = tracker.currentWidget;
  if (current) {
    app.shell.activateById(current.id);
    return current;
  }
  return fallbackPath ? openNotebook(app, tracker, fallbackPath) : null;
}

/** The source of a cell when the run was logged: its own code, or the notebook snapshot. */
function sourceOf(run: IRun, cellId: string | null): string | undefined {
  if (cellId === run.cell_id) {
    return run.code;
  }
  const snapshot = run.context['notebook'];
  if (!Array.isArray(snapshot)) {
    return undefined;
  }
  const cell = snapshot.find(
    (c: unknown): c is { id: string; source: string } =>
      !!c &&
      typeof c === 'object' &&
      (c as { id?: unknown }).id === cellId &&
      typeof (c as { source?: unknown }).source === 'string'
  );
  return cell?.source;
}
