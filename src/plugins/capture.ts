import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  ISessionContextDialogs,
  IToolbarWidgetRegistry
} from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { isPending } from '../api/types';
import { AutoTrack } from '../capture/autoTrack';
import { BADGE_TOOLBAR_ITEM, runBadgeFactory } from '../capture/badges';
import { addCaptureCommands, CaptureCommandIDs } from '../capture/commands';
import { PendingLinks } from '../capture/pendingLinks';
import { RunCapture } from '../capture/runCapture';
import { IRunCapture, IRunsClient, ISyncMonitor } from '../tokens';
import { PanelCommandIDs } from '../panel/commandIds';

/** The "Log run" command on code cells; provides the capture service. */
export const capturePlugin: JupyterFrontEndPlugin<IRunCapture> = {
  id: 'jupyterlab-runs:capture',
  description: 'Runs a notebook cell and saves it as a versioned run.',
  autoStart: true,
  requires: [IRunsClient],
  optional: [
    ITranslator,
    ICommandPalette,
    ISessionContextDialogs,
    ISettingRegistry,
    IToolbarWidgetRegistry,
    INotebookTracker,
    ISyncMonitor
  ],
  provides: IRunCapture,
  activate: (
    app: JupyterFrontEnd,
    client: IRunsClient,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    sessionDialogs: ISessionContextDialogs | null,
    settings: ISettingRegistry | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    tracker: INotebookTracker | null,
    sync: ISyncMonitor | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_runs');
    const capture = new RunCapture({
      client,
      translator,
      sessionDialogs: sessionDialogs ?? undefined
    });
    if (!tracker) {
      // A host without notebooks: the service still serves the other plugins, and one line
      // says what is off (a missing required token would print a stack per plugin instead).
      console.warn(
        'jupyterlab-runs: this application has no notebooks (no INotebookTracker); Log run, auto-track and cell badges are off.'
      );
      return capture;
    }
    const autoTrack = new AutoTrack(tracker, capture, trans);
    // A run waiting to sync has no details yet: the panel lists it on top.
    const openRun = (runId: string | null) =>
      runId === null
        ? app.commands.execute(PanelCommandIDs.openPanel)
        : app.commands.execute(PanelCommandIDs.openRun, { runId });
    addCaptureCommands(app, tracker, capture, autoTrack, trans, run =>
      openRun(isPending(run) ? null : run.id)
    );
    const links = sync ? new PendingLinks(client, sync) : null;
    toolbarRegistry?.addFactory(
      'Cell',
      BADGE_TOOLBAR_ITEM,
      runBadgeFactory(openRun, trans, cell => links?.watch(cell))
    );
    // Cell toolbar buttons re-evaluate isVisible when the active cell changes.
    tracker.activeCellChanged.connect(() => {
      app.commands.notifyCommandChanged(CaptureCommandIDs.logRun);
      app.commands.notifyCommandChanged(CaptureCommandIDs.toggleAutoTrack);
    });
    for (const command of [
      CaptureCommandIDs.logRun,
      CaptureCommandIDs.toggleAutoTrack,
      CaptureCommandIDs.toggleTrackTagged
    ]) {
      palette?.addItem({ command, category: trans.__('Runs') });
    }
    if (settings) {
      void app.restored
        .then(() => settings.load(capturePlugin.id))
        .then(loaded => {
          const apply = () => {
            autoTrack.trackTaggedByDefault = loaded.composite[
              'autoTrackTagged'
            ] as boolean;
            capture.keepNotebookSnapshot = loaded.composite[
              'notebookSnapshot'
            ] as boolean;
          };
          apply();
          loaded.changed.connect(apply);
        });
    }
    return capture;
  }
};
