import { NotebookPanel } from '@jupyterlab/notebook';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { RunsClient } from './api/client';
import type { LiveUpdates } from './models/liveUpdates';
import { IRun } from './api/types';

/** The REST client of the runs API, shared by every plugin. */
export const IRunsClient = new Token<RunsClient>(
  'jupyterlab-runs:IRunsClient',
  'The REST client of the jupyterlab-runs server extension.'
);

/** A run just saved by this front end, with the notebook it came from. */
export interface IRunLogged {
  /** The saved run. */
  run: IRun;
  /** The notebook whose cell produced it. */
  panel: NotebookPanel;
}

/** Logs runs from notebook cells. */
export interface IRunCapture {
  /** Emitted after a run has been saved. */
  readonly runLogged: ISignal<IRunCapture, IRunLogged>;
  /** The experiment name a notebook's runs go to. */
  experimentName(panel: NotebookPanel): string;
}

/** The cell capture service ("Log run"). */
export const IRunCapture = new Token<IRunCapture>(
  'jupyterlab-runs:IRunCapture',
  'Runs notebook cells and saves what they produced as versioned runs.'
);

/** The one change-feed poll shared by the Runs panel and the runs tables. */
export const ILiveUpdates = new Token<LiveUpdates>(
  'jupyterlab-runs:ILiveUpdates',
  'Polls the change feed while a runs view is visible and names the experiments that changed.'
);
