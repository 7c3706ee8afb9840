import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, showDialog, Dialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import {
  deleteIcon,
  refreshIcon,
  undoIcon,
  vegaIcon
} from '@jupyterlab/ui-components';

import { IBulkResult } from '../api/types';
import { runsIcon } from '../icons';
import { PanelCommandIDs } from './commandIds';
import { addNotebookCommands } from './notebookCommands';
import { RunsPanelModel } from './panelModel';
import { RunsPanel } from './view';

export { PanelCommandIDs } from './commandIds';

/** `describedBy` of commands taking an optional run id (default: the selection). */
export const RUN_ARGS = {
  args: {
    type: 'object',
    properties: {
      runId: {
        type: 'string',
        description:
          'Id of the run (default: the selected runs or the run shown)'
      }
    }
  }
};

/** The run ids a command acts on: `args.runId`, else the selection. */
export function targetRuns(
  model: RunsPanelModel,
  args: ReadonlyPartialJSONObject
): string[] {
  const runId = args['runId'];
  return typeof runId === 'string' ? [runId] : model.list.selection.ids;
}

/** Register the panel's commands (notebook-side ones in `addNotebookCommands`). */
export function addPanelCommands(
  app: JupyterFrontEnd,
  tracker: INotebookTracker | null,
  panel: RunsPanel,
  trans: TranslationBundle
): void {
  const { commands } = app;
  const model = panel.model;
  const show = () => app.shell.activateById(panel.id);
  commands.addCommand(PanelCommandIDs.openPanel, {
    label: trans.__('Show Runs Panel'),
    caption: trans.__('Show the experiments and runs of the active notebook'),
    icon: runsIcon,
    describedBy: { args: { type: 'object', properties: {} } },
    execute: show
  });
  commands.addCommand(PanelCommandIDs.refresh, {
    label: trans.__('Refresh Runs'),
    icon: refreshIcon,
    caption: trans.__('Reload the runs shown in the Runs panel'),
    describedBy: { args: { type: 'object', properties: {} } },
    execute: () => model.refresh()
  });
  commands.addCommand(PanelCommandIDs.openRun, {
    label: trans.__('Open Run in Runs Panel'),
    caption: trans.__('Select a run and show its details'),
    describedBy: {
      args: {
        type: 'object',
        properties: { runId: { type: 'string', description: 'Id of the run' } },
        required: ['runId']
      }
    },
    execute: async args => {
      show();
      const runId = args['runId'];
      if (typeof runId === 'string') {
        await model.openRun(runId);
      }
    }
  });
  commands.addCommand(PanelCommandIDs.compareSelected, {
    label: trans.__('Compare Selected Runs'),
    icon: vegaIcon,
    caption: trans.__(
      'Chart the selected runs side by side (select two or more)'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isEnabled: () => model.list.selection.size >= 2,
    execute: () => {
      show();
      model.compareSelected();
    }
  });
  commands.addCommand(PanelCommandIDs.deleteRun, {
    label: args =>
      targetRuns(model, args).length > 1
        ? trans.__('Delete %1 Runs', targetRuns(model, args).length)
        : trans.__('Delete Run'),
    caption: trans.__('Move runs to the deleted view (they can be restored)'),
    icon: deleteIcon,
    describedBy: RUN_ARGS,
    isEnabled: args => targetRuns(model, args).length > 0,
    isVisible: args =>
      typeof args['runId'] === 'string' || model.list.view === 'active',
    execute: async args => {
      const ids = targetRuns(model, args);
      const answer = await showDialog({
        title: trans._n('Delete %1 run?', 'Delete %1 runs?', ids.length),
        body: trans.__(
          'Deleted runs move to the "Deleted" view of the Runs panel, where they can be restored.'
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Cancel') }),
          Dialog.warnButton({ label: trans.__('Delete') })
        ]
      });
      if (answer.button.accept) {
        await changeRuns(
          model,
          ids,
          all => model.client.deleteRuns(all),
          trans
        );
      }
    }
  });
  commands.addCommand(PanelCommandIDs.restoreRun, {
    label: args =>
      targetRuns(model, args).length > 1
        ? trans.__('Restore %1 Runs', targetRuns(model, args).length)
        : trans.__('Restore Run'),
    caption: trans.__('Bring deleted runs back'),
    icon: undoIcon,
    describedBy: RUN_ARGS,
    isEnabled: args => targetRuns(model, args).length > 0,
    isVisible: args =>
      typeof args['runId'] === 'string' || model.list.view === 'deleted',
    execute: args =>
      changeRuns(
        model,
        targetRuns(model, args),
        all => model.client.restoreRuns(all),
        trans
      )
  });
  commands.addCommand(PanelCommandIDs.toggleDeleted, {
    label: trans.__('Deleted'),
    caption: trans.__('Show deleted runs (to restore them)'),
    icon: deleteIcon,
    className: 'jp-RunsList-deletedToggle',
    describedBy: { args: { type: 'object', properties: {} } },
    isToggled: () => model.list.view === 'deleted',
    execute: () =>
      model.list.setView(model.list.view === 'deleted' ? 'active' : 'deleted')
  });
  addNotebookCommands(app, tracker, model, trans);
  // Buttons re-read their state when what it depends on changes, and only those buttons.
  const notify = (ids: string[]) => () =>
    ids.forEach(id => commands.notifyCommandChanged(id));
  model.list.selection.changed.connect(
    notify([
      PanelCommandIDs.compareSelected,
      PanelCommandIDs.deleteRun,
      PanelCommandIDs.restoreRun
    ])
  );
  model.list.changed.connect(
    notify([
      PanelCommandIDs.deleteRun,
      PanelCommandIDs.restoreRun,
      PanelCommandIDs.toggleDeleted
    ])
  );
  const inspected = notify([
    PanelCommandIDs.insertComparison,
    PanelCommandIDs.goToCell,
    PanelCommandIDs.restoreCode
  ]);
  model.changed.connect(inspected);
  model.details.changed.connect(inspected);
  model.compare.changed.connect(inspected);
  tracker?.currentChanged.connect(inspected);
}

/** Delete or restore runs in one request, then reload; failures are reported once. */
async function changeRuns(
  model: RunsPanelModel,
  ids: string[],
  change: (ids: string[]) => Promise<IBulkResult>,
  trans: TranslationBundle
): Promise<void> {
  let failed: number;
  let reason: string;
  try {
    const { errors } = await change(ids);
    failed = errors.length;
    reason = errors[0]?.message ?? '';
  } catch (error) {
    failed = ids.length;
    reason = String(error);
  }
  if (failed > 0) {
    Notification.error(
      trans.__(
        '%1 of %2 runs could not be changed: %3',
        failed,
        ids.length,
        reason
      ),
      { autoClose: 8000 }
    );
  }
  model.list.selection.clear();
  await model.refresh();
}
