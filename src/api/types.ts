/**
 * REST payloads of `/jupyterlab-runs/api/…` (DESIGN §4–§5), mirrored from the Python
 * serializer. Metric values arrive as numbers or as 'NaN' / 'Infinity' / '-Infinity'
 * (plain JSON cannot hold them); the client decodes them to numbers.
 */

/** Lifecycle status of a run. */
export type RunStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

/** What created a run. */
export type RunSource = 'toolbar' | 'auto' | 'magic' | 'api' | 'import';

/** The original Python type of a param value. */
export type ParamType =
  'int' | 'float' | 'bool' | 'none' | 'str' | 'json' | 'repr';

/** Which runs a search returns. */
export type RunView = 'active' | 'deleted' | 'all';

/** A named group of runs; versions are numbered within it. */
export interface IExperiment {
  /** Store id. */
  id: string;
  /** Unique name (the notebook path by default). */
  name: string;
  /** Creation time, ms since the epoch. */
  created: number;
  /** Notebook the experiment came from, if any. */
  notebook_path: string | null;
  /** Free text. */
  description: string;
  /** Soft-delete time, or null. */
  deleted_time: number | null;
  /** Number of active runs. */
  run_count: number;
}

/** One param of a run. */
export interface IParam {
  /** Value as text. */
  value: string;
  /** Original type of the value. */
  type: ParamType;
  /** Where the value was captured ('assign', 'kwarg', 'explicit', 'papermill', …). */
  source: string;
}

/** A metric as tables show it: last value plus summary of its history. */
export interface IMetricSummary {
  /** Latest value (may be NaN or ±Infinity). */
  value: number;
  /** Step of the latest value. */
  step: number;
  /** Time of the latest value, ms. */
  timestamp: number;
  /** Minimum over the history. */
  min: number;
  /** Maximum over the history. */
  max: number;
  /** Number of points in the history. */
  count: number;
  /** Where the value came from ('printed', 'variable', 'explicit', …). */
  source: string;
}

/** One point of a metric's history. */
export interface IMetricPoint {
  /** Value (may be NaN or ±Infinity). */
  value: number;
  /** Step. */
  step: number;
  /** Time, ms. */
  timestamp: number;
}

/** The error a FAILED run ended with. */
export interface IRunError {
  /** Exception class name, e.g. ValueError. */
  name: string;
  /** Exception message. */
  message: string;
}

/**
 * A stored run as lists and tables get it (`fields=summary`): everything but the code and
 * the capture context, which can be large. On the wire a summary's params and metrics also
 * leave out the fields that hold their defaults; the client fills them in.
 */
export interface IRunSummary {
  /** 32-hex id. */
  id: string;
  /** Experiment id. */
  experiment_id: string;
  /** 1, 2, 3 … within the experiment. */
  version: number;
  /** Display name, `v<version>` by default. */
  name: string;
  /** Lifecycle status. */
  status: RunStatus;
  /** What created the run. */
  source: RunSource;
  /** Start, ms since the epoch. */
  start_time: number;
  /** End, ms since the epoch, or null while running. */
  end_time: number | null;
  /** Wall time in ms, or null while running. */
  duration_ms: number | null;
  /** Notebook path relative to the server root. */
  notebook_path: string | null;
  /** JupyterLab cell id. */
  cell_id: string | null;
  /** Execution count of the cell. */
  execution_count: number | null;
  /** Kernel spec name. */
  kernel_name: string | null;
  /** Kernel language. */
  language: string | null;
  /** sha256 of the code. */
  code_hash: string;
  /** Git commit of the notebook's repository. */
  git_commit: string | null;
  /** Who logged it. */
  user: string | null;
  /** Markdown note. */
  note: string;
  /** Parent run for nested runs. */
  parent_run_id: string | null;
  /** Soft-delete time, or null. */
  deleted_time: number | null;
  /** Error of a FAILED run. */
  error: IRunError | null;
  /** Params by key. */
  params: Record<string, IParam>;
  /** Latest metrics by key. */
  metrics: Record<string, IMetricSummary>;
  /** Tags by key. */
  tags: Record<string, string>;
}

/** A stored run with everything. */
export interface IRun extends IRunSummary {
  /** The code that produced the run. */
  code: string;
  /** Extra capture context (notebook snapshot, reproducibility, …). */
  context: Record<string, unknown>;
}

/** One page of runs (summaries when asked for `fields=summary`). */
export interface IRunsPage<T extends IRunSummary = IRun> {
  /** The runs of this page. */
  runs: T[];
  /** Token for the next page, or null on the last one. */
  next_page_token: string | null;
  /** Number of runs matching the query. */
  total: number;
  /** Whether `total` only says "at least" (the MLflow back end cannot count every match). */
  total_is_lower_bound?: boolean;
}

/** A param as the capture submits it. */
export interface INewParam {
  /** Key. */
  key: string;
  /** Canonical text value. */
  value: string;
  /** Original type. */
  type: ParamType;
  /** Where it was captured. */
  source: string;
}

/** A metric point as the capture submits it. */
export interface INewMetric {
  /** Key. */
  key: string;
  /** Value (NaN/±Infinity are encoded by the client). */
  value: number;
  /** Step, 0 by default. */
  step?: number;
  /** Time, ms. */
  timestamp?: number;
  /** Where it came from. */
  source: string;
}

/** What `POST scan` reads: a cell's code. */
export interface IScanRequest {
  /** The cell's source. */
  code: string;
  /** The kernel's language (only a Python kernel gets names to read back). */
  language: string;
}

/** What a cell means for a run, as CPython's parser on the server reads it. */
export interface IScan {
  /** Literal assignments and keyword arguments. */
  params: INewParam[];
  /** Names bound from computed values: the kernel is asked for the numbers among them. */
  names: string[];
}

/** A whole run as `POST runs` takes it. */
export interface INewRun {
  /** Experiment id; or give experiment_name. */
  experiment_id?: string;
  /** Experiment name, created if absent. */
  experiment_name?: string;
  /** Notebook path relative to the server root. */
  notebook_path?: string | null;
  /** Final status. */
  status: RunStatus;
  /** What created the run. */
  source: RunSource;
  /** Optional display name. */
  name?: string;
  /** Start, ms. */
  start_time: number;
  /** End, ms. */
  end_time: number;
  /** JupyterLab cell id. */
  cell_id?: string | null;
  /** Execution count. */
  execution_count?: number | null;
  /** Kernel spec name. */
  kernel_name?: string | null;
  /** Kernel language. */
  language?: string | null;
  /** The cell's code. */
  code: string;
  /** Error of a failed cell. */
  error?: IRunError | null;
  /** Extra capture context. */
  context?: Record<string, unknown>;
  /** Params. */
  params: INewParam[];
  /** Metrics. */
  metrics: INewMetric[];
  /**
   * The printed text of the cell's outputs (its tail): the server adds the `name: number`
   * lines in it as `printed` metrics, for keys `metrics` does not hold.
   */
  printed?: string[];
  /** Tags. */
  tags?: Record<string, string>;
}

/** Query of `GET runs`. */
export interface IRunsQuery {
  /** Experiments to search. */
  experimentIds: string[];
  /** Filter in the search syntax. */
  filter?: string;
  /** e.g. ['metrics.accuracy DESC']. */
  orderBy?: string[];
  /** Page size. */
  maxResults?: number;
  /** Token from the previous page. */
  pageToken?: string | null;
  /** Row of the whole result the page starts at (a far jump; never with `pageToken`). */
  offset?: number;
  /** Active, deleted or all runs. */
  view?: RunView;
}

/** Which value of a metric's history an exported column holds. */
export type MetricValue = 'last' | 'min' | 'max';

/** What `POST runs/export` writes: every run of a search, in some columns. */
export interface IExportRequest {
  /** File format. */
  format: 'csv' | 'json';
  /** The search (its page size and token are ignored). */
  query: IRunsQuery;
  /** Column ids in order, e.g. `attributes.version`, `metrics.accuracy`. */
  columns: string[];
  /** Value written for each metric column (default `last`). */
  metricValues: Record<string, MetricValue>;
}

/** Histories of some metrics of some runs: run id → key → points. */
export type MetricHistories = Map<string, Map<string, IMetricPoint[]>>;

/** Outcome of a bulk delete or restore: the runs changed and those that failed. */
export interface IBulkResult {
  /** Ids of the runs changed. */
  done: string[];
  /** Runs that could not be changed, with the server's reason. */
  errors: Array<{ run_id: string; error: string; message: string }>;
}

/** Changes to a run or run metadata; `PATCH runs/{id}`. */
export interface IRunUpdate {
  /** New display name. */
  name?: string;
  /** New markdown note. */
  note?: string;
  /** Tags to set. */
  set_tags?: Record<string, string>;
  /** Tags to remove. */
  delete_tags?: string[];
}

/** An artifact stored with a run. */
export interface IArtifact {
  /** Relative path. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** sha256 of the content. */
  sha256: string;
  /** Media type. */
  media_type: string;
}

/**
 * A run waiting in the local outbox for the MLflow server (`POST runs` answered 202, or
 * `GET sync`): the server assigns its version when it is delivered.
 */
export type PendingRun<T extends IRunSummary = IRunSummary> = Omit<
  T,
  'version'
> & {
  /** No version until the MLflow server has the run. */
  version: null;
  /** Always true: the run is in the outbox. */
  pending: true;
};

/** Whether a saved run is still waiting in the outbox (no version yet). */
export function isPending<T extends IRunSummary>(
  run: T | PendingRun<T>
): run is PendingRun<T> {
  return run.version === null;
}

/** Reply of `GET sync`: the local outbox of runs waiting for the MLflow server. */
export interface ISyncStatus {
  /** Whether the store has an outbox (false on the embedded store). */
  enabled: boolean;
  /** Runs waiting to be delivered. */
  pending: number;
  /** Queued writes the MLflow server refused at delivery (kept, not retried). */
  failed: number;
  /** The last delivery error (credentials redacted by the server), or null. */
  last_error: string | null;
  /** When the last error happened, ms, or null. */
  last_error_at: number | null;
  /** When a run was last delivered, ms, or null. */
  last_delivered_at: number | null;
  /** The pending runs, newest first (at most 100). */
  runs: PendingRun[];
}

/** Keys used in some experiments. */
export interface IKeys {
  /** Param keys. */
  params: string[];
  /** Metric keys. */
  metrics: string[];
  /** Tag keys. */
  tags: string[];
}

/** One entry of the change feed. */
export interface IChange {
  /** Cursor of this change. */
  cursor: number;
  /** 'run' or 'experiment'. */
  kind: string;
  /** 'created', 'updated' or 'deleted'. */
  op: string;
  /** Id of the changed object. */
  id: string;
  /** Experiment of the changed object. */
  experiment_id: string | null;
  /** When, ms. */
  time: number;
}

/** Reply of `GET changes`. */
export interface IChanges {
  /** Cursor to pass next time. */
  cursor: number;
  /** Changes after the given cursor. */
  changes: IChange[];
}
