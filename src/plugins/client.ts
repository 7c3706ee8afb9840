import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { RunsClient } from '../api/client';
import { LiveUpdates } from '../models/liveUpdates';
import { SyncMonitor } from '../models/syncMonitor';
import { ILiveUpdates, IRunsClient, ISyncMonitor } from '../tokens';

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

/** Provides the poll of the outbox status (runs waiting for the MLflow server). */
export const syncMonitorPlugin: JupyterFrontEndPlugin<ISyncMonitor> = {
  id: 'jupyterlab-runs:sync-monitor',
  description:
    'Polls the outbox of runs waiting for the MLflow server while the Runs panel or a waiting cell shows it.',
  autoStart: true,
  requires: [IRunsClient, ILiveUpdates],
  provides: ISyncMonitor,
  activate: (_: JupyterFrontEnd, client: IRunsClient, live: ILiveUpdates) =>
    new SyncMonitor({ client, live })
};
