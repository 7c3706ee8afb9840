import type { NotebookPanel } from '@jupyterlab/notebook';
import type { ServerConnection } from '@jupyterlab/services';
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';

import type {
  IArtifact,
  IBulkResult,
  IChange,
  IChanges,
  IExperiment,
  IExportRequest,
  IKeys,
  INewRun,
  IRun,
  IRunSummary,
  IRunsPage,
  IRunsQuery,
  IRunUpdate,
  IScan,
  IScanRequest,
  ISyncStatus,
  MetricHistories,
  PendingRun,
  RunView
} from './api/types';

/** The REST client of the runs API (`GET/POST …/jupyterlab-runs/api/…`, DESIGN §5). */
export interface IRunsClient {
  /** Settings used for every request. */
  readonly serverSettings: ServerConnection.ISettings;
  /** All experiments. */
  listExperiments(view?: RunView): Promise<IExperiment[]>;
  /** The experiment with this name, created if it does not exist. */
  ensureExperiment(
    name: string,
    notebookPath?: string | null
  ): Promise<IExperiment>;
  /** Rename or re-describe an experiment. */
  updateExperiment(
    id: string,
    change: { name?: string; description?: string }
  ): Promise<IExperiment>;
  /** One page of runs, with everything. */
  searchRuns(query: IRunsQuery): Promise<IRunsPage>;
  /** One page of run summaries (no code or capture context): for lists and tables. */
  searchRunSummaries(query: IRunsQuery): Promise<IRunsPage<IRunSummary>>;
  /** Save a whole run; the reply carries its version, or none while it waits in the outbox. */
  createRun(run: INewRun): Promise<IRun | PendingRun<IRun>>;
  /** One run. */
  getRun(id: string): Promise<IRun>;
  /** Rename, annotate or re-tag a run. */
  updateRun(id: string, change: IRunUpdate): Promise<IRun>;
  /** The server's scan of a cell's code (params and names, by CPython's parser). */
  scan(request: IScanRequest): Promise<IScan>;
  /** Soft-delete runs, in one request. */
  deleteRuns(ids: string[]): Promise<IBulkResult>;
  /** Undo the soft delete of runs, in one request. */
  restoreRuns(ids: string[]): Promise<IBulkResult>;
  /** Histories of some metrics of some runs, in one request (thinned, or a step range). */
  metricHistories(
    runIds: string[],
    keys: string[],
    maxPoints?: number,
    stepRange?: readonly [number, number]
  ): Promise<MetricHistories>;
  /** Every run of a search as a CSV or JSON file the server streams. */
  exportRuns(
    request: IExportRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void
  ): Promise<Blob>;
  /** Files stored with a run. */
  listArtifacts(id: string): Promise<IArtifact[]>;
  /** URL that downloads one artifact (authenticated by the session cookie). */
  artifactUrl(id: string, path: string): string;
  /** Param, metric and tag keys of some experiments. */
  keys(experimentIds: string[]): Promise<IKeys>;
  /** Changes after a cursor. */
  changes(since: number): Promise<IChanges>;
  /** The outbox of runs waiting for the MLflow server (`GET sync`). */
  sync(): Promise<ISyncStatus>;
}

/** The REST client of the runs API, shared by every plugin. */
export const IRunsClient = new Token<IRunsClient>(
  'jupyterlab-runs:IRunsClient',
  'The REST client of the jupyterlab-runs server extension.'
);

/** A run just saved by this front end, with the notebook it came from. */
export interface IRunLogged {
  /** The saved run (pending, without a version, while it waits for the MLflow server). */
  run: IRun | PendingRun<IRun>;
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

/** Follows the store's change feed and says which experiments changed. */
export interface ILiveUpdates extends IDisposable {
  /** Emitted with the experiments whose runs (or which themselves) changed. */
  readonly changed: ISignal<ILiveUpdates, ILiveUpdates.IChanged>;
  /** The cursor of the last change seen, or null before the first read. */
  readonly cursor: number | null;
  /** Whether any registered consumer is visible. */
  readonly active: boolean;
  /** Say whether a consumer is visible; polling runs only while one is. */
  setVisible(consumer: object, visible: boolean): void;
  /** Register a consumer; disposing the result unregisters it. */
  register(consumer: object, visible?: boolean): IDisposable;
  /** Poll now; resolves after that poll. */
  refresh(): Promise<void>;
}

/** A namespace for ILiveUpdates types. */
export namespace ILiveUpdates {
  /** What one poll found. */
  export interface IChanged {
    /** Experiments with changes (their runs or themselves). */
    experimentIds: ReadonlySet<string>;
    /** The changes, oldest first. */
    changes: IChange[];
  }
}

/** The one change-feed poll shared by the Runs panel and the runs tables. */
export const ILiveUpdates = new Token<ILiveUpdates>(
  'jupyterlab-runs:ILiveUpdates',
  'Polls the change feed while a runs view is visible and names the experiments that changed.'
);

/** Follows the outbox of runs waiting for the MLflow server (`GET sync`). */
export interface ISyncMonitor extends IDisposable {
  /** Emitted when the status changes. */
  readonly changed: ISignal<ISyncMonitor, ISyncStatus | null>;
  /** The last status read, or null before the first answer. */
  readonly status: ISyncStatus | null;
  /** Say whether a consumer shows the status; polling runs only while one does. */
  setVisible(consumer: object, visible: boolean): void;
  /** Poll now (after a run went to the outbox, say); resolves after that poll. */
  refresh(): Promise<void>;
}

/** The one poll of the outbox status, shared by the panel header and the cell badges. */
export const ISyncMonitor = new Token<ISyncMonitor>(
  'jupyterlab-runs:ISyncMonitor',
  'Polls the outbox of runs waiting for the MLflow server while a view shows it.'
);
