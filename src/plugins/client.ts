import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { RunsClient } from '../api/client';
import { IRunsClient } from '../tokens';

/** Provides the REST client of the runs API. */
export const clientPlugin: JupyterFrontEndPlugin<RunsClient> = {
  id: 'jupyterlab-runs:client',
  description: 'The REST client of the jupyterlab-runs server extension.',
  autoStart: true,
  provides: IRunsClient,
  activate: (app: JupyterFrontEnd) =>
    new RunsClient(app.serviceManager.serverSettings)
};
