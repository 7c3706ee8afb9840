import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, ISessionContextDialogs } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { RunsClient } from '../api/client';
import { addCaptureCommands, CaptureCommandIDs } from '../capture/commands';
import { RunCapture } from '../capture/runCapture';
import { IRunCapture, IRunsClient } from '../tokens';
import { PanelCommandIDs } from '../panel/commands';

/** The "Log run" command on code cells; provides the capture service. */
export const capturePlugin: JupyterFrontEndPlugin<IRunCapture> = {
  id: 'jupyterlab-runs:capture',
  description: 'Runs a notebook cell and saves it as a versioned run.',
  autoStart: true,
  requires: [INotebookTracker, IRunsClient],
  optional: [ITranslator, ICommandPalette, ISessionContextDialogs],
  provides: IRunCapture,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    client: RunsClient,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    sessionDialogs: ISessionContextDialogs | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyterlab_runs');
    const capture = new RunCapture({
      client,
      translator,
      sessionDialogs: sessionDialogs ?? undefined
    });
    addCaptureCommands(app, tracker, capture, trans, run =>
      app.commands.execute(PanelCommandIDs.openRun, { runId: run.id })
    );
    // Cell toolbar buttons re-evaluate isVisible when the active cell changes.
    tracker.activeCellChanged.connect(() =>
      app.commands.notifyCommandChanged(CaptureCommandIDs.logRun)
    );
    palette?.addItem({
      command: CaptureCommandIDs.logRun,
      category: trans.__('Runs')
    });
    return capture;
  }
};
