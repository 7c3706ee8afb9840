import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IRun, isPending, PendingRun } from '../api/types';
import { autoTrackIcon, runsIcon } from '../icons';
import { formatNumber } from '../format';
import { AutoTrack } from './autoTrack';
import { CellMeta, NotebookMeta } from './metadata';
import { CaptureError, RunCapture } from './runCapture';

/** Command ids of the capture feature. */
export namespace CaptureCommandIDs {
  /** Run the cell and log it as a run. */
  export const logRun = 'jupyterlab-runs:log-run';
  /** Switch auto-track on the active cell. */
  export const toggleAutoTrack = 'jupyterlab-runs:toggle-auto-track';
  /** Switch auto-track of cells tagged `track` in the notebook. */
  export const toggleTrackTagged = 'jupyterlab-runs:toggle-track-tagged';
}

/** Arguments every capture command takes (the cell toolbar passes `widgetId`). */
const TARGET_ARGS = {
  args: {
    type: 'object',
    properties: {
      widgetId: {
        type: 'string',
        description: 'Id of the notebook panel (the cell toolbar passes it)'
      }
    }
  }
};

/** The notebook a command targets: the cell toolbar passes its `widgetId`. */
export function targetNotebook(
  tracker: INotebookTracker,
  args: ReadonlyPartialJSONObject
): NotebookPanel | null {
  const widgetId = args['widgetId'];
  if (typeof widgetId === 'string') {
    return tracker.find(panel => panel.id === widgetId) ?? null;
  }
  return tracker.currentWidget;
}

/** Register the Log run command (cell toolbar, palette, context menu, shortcut). */
export function addCaptureCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  capture: RunCapture,
  autoTrack: AutoTrack,
  trans: TranslationBundle,
  openRun: (run: IRun | PendingRun<IRun>) => void
): void {
  const activeCodeCell = (args: ReadonlyPartialJSONObject) => {
    const cell = targetNotebook(tracker, args)?.content.activeCell;
    return cell instanceof CodeCell ? cell : null;
  };

  app.commands.addCommand(CaptureCommandIDs.logRun, {
    label: trans.__('Log run'),
    caption: trans.__(
      'Run this cell and save its parameters and metrics as a new version'
    ),
    icon: runsIcon,
    describedBy: TARGET_ARGS,
    isVisible: args => activeCodeCell(args) !== null,
    isEnabled: args => {
      const cell = activeCodeCell(args);
      return cell !== null && !capture.isLogging(cell);
    },
    execute: async args => {
      const panel = targetNotebook(tracker, args);
      const cell = activeCodeCell(args);
      if (!panel || !cell) {
        return;
      }
      app.commands.notifyCommandChanged(CaptureCommandIDs.logRun);
      try {
        const run = await capture.logCell(panel, cell, 'toolbar');
        if (run) {
          notifyLogged(run, trans, openRun);
        }
      } catch (reason) {
        const message =
          reason instanceof CaptureError
            ? reason.message
            : trans.__('Could not log the run: %1', errorMessage(reason));
        Notification.error(message, { autoClose: 8000 });
      } finally {
        app.commands.notifyCommandChanged(CaptureCommandIDs.logRun);
      }
    }
  });

  app.commands.addCommand(CaptureCommandIDs.toggleAutoTrack, {
    label: trans.__('Auto-track This Cell'),
    caption: trans.__('Log a run every time this cell is executed'),
    icon: autoTrackIcon,
    describedBy: TARGET_ARGS,
    isVisible: args => activeCodeCell(args) !== null,
    isToggled: args => {
      const cell = activeCodeCell(args);
      return cell !== null && CellMeta.autoTrack(cell.model);
    },
    execute: args => {
      const cell = activeCodeCell(args);
      if (cell) {
        CellMeta.setAutoTrack(cell.model, !CellMeta.autoTrack(cell.model));
        autoTrack.refresh();
        app.commands.notifyCommandChanged(CaptureCommandIDs.toggleAutoTrack);
      }
    }
  });

  app.commands.addCommand(CaptureCommandIDs.toggleTrackTagged, {
    label: trans.__("Auto-track Cells Tagged 'track' in This Notebook"),
    describedBy: TARGET_ARGS,
    isEnabled: args => targetNotebook(tracker, args) !== null,
    isToggled: args => {
      const panel = targetNotebook(tracker, args);
      return (
        panel !== null &&
        (NotebookMeta.trackTagged(panel) ?? autoTrack.trackTaggedByDefault)
      );
    },
    execute: args => {
      const panel = targetNotebook(tracker, args);
      if (panel) {
        const on =
          NotebookMeta.trackTagged(panel) ?? autoTrack.trackTaggedByDefault;
        NotebookMeta.setTrackTagged(panel, !on);
        autoTrack.refresh();
        app.commands.notifyCommandChanged(CaptureCommandIDs.toggleTrackTagged);
      }
    }
  });
}

/**
 * "Logged run v7 · accuracy 0.964" with a button that opens the run; "v? · waiting to sync"
 * for a run the MLflow server could not take yet (it waits in the outbox).
 */
function notifyLogged(
  run: IRun | PendingRun<IRun>,
  trans: TranslationBundle,
  openRun: (run: IRun | PendingRun<IRun>) => void
): void {
  const show = [{ label: trans.__('Show'), callback: () => openRun(run) }];
  if (isPending(run)) {
    Notification.info(
      trans.__(
        'Logged run v? · waiting to sync: the MLflow server cannot be reached; the run is kept here and saved there, with its version, when it is back'
      ),
      { autoClose: 8000, actions: show }
    );
    return;
  }
  const first = Object.entries(run.metrics)[0];
  const summary = first ? ` · ${first[0]} ${formatNumber(first[1].value)}` : '';
  const text =
    run.status === 'FINISHED'
      ? trans.__('Logged run v%1%2', run.version, summary)
      : trans.__(
          'Logged run v%1 (%2: %3)',
          run.version,
          run.status,
          run.error?.name ?? ''
        );
  const notify =
    run.status === 'FINISHED' ? Notification.success : Notification.warning;
  notify(text, { autoClose: 5000, actions: show });
}

function errorMessage(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
