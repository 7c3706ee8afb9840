import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { RunsClient } from '../api/client';
import { LiveUpdates } from '../models/liveUpdates';
import { ILiveUpdates, IRunsClient } from '../tokens';

/** Provides the REST client of the runs API. */
export const clientPlugin: JupyterFrontEndPlugin<IRunsClient> = {
  id: 'jupyterlab-runs:client',
  description: 'The REST client of the jupyterlab-runs server extension.',
  autoStart: true,
  provides: IRunsClient,
  activate: (app: JupyterFrontEnd) =>
    new RunsClient(app.serviceManager.serverSettings)
};

/** Provides the change-feed poll every runs view shares (it polls only while one is visible). */
export const liveUpdatesPlugin: JupyterFrontEndPlugin<ILiveUpdates> = {
  id: 'jupyterlab-runs:live-updates',
  description: 'The shared poll of the runs change feed.',
  autoStart: true,
  requires: [IRunsClient],
  provides: ILiveUpdates,
  activate: (_: JupyterFrontEnd, client: IRunsClient) =>
    new LiveUpdates({ client })
};
