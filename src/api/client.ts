import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { decodeNumber, encodeNumber } from './numbers';
import {
  IArtifact,
  IBulkResult,
  IChanges,
  IExportRequest,
  IExperiment,
  IKeys,
  IMetricPoint,
  IMetricSummary,
  IParam,
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
} from './types';
import type { IRunsClient } from '../tokens';

/** The REST namespace of the server extension. */
const API_PATH = 'jupyterlab-runs/api';

/**
 * The one REST client of the extension: every call goes through
 * `ServerConnection.makeRequest`, which adds the token and the XSRF header.
 */
export class RunsClient implements IRunsClient {
  /** Create a client; `serverSettings` defaults to the page's settings. */
  constructor(serverSettings?: ServerConnection.ISettings) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  /** Settings used for every request. */
  readonly serverSettings: ServerConnection.ISettings;

  /** All experiments. */
  async listExperiments(view: RunView = 'active'): Promise<IExperiment[]> {
    const reply = await this._request<{ experiments: IExperiment[] }>(
      'experiments',
      { view }
    );
    return reply.experiments;
  }

  /** The experiment with this name, created if it does not exist. */
  async ensureExperiment(
    name: string,
    notebookPath?: string | null
  ): Promise<IExperiment> {
    return this._request<IExperiment>('experiments', undefined, {
      method: 'POST',
      body: JSON.stringify({
        name,
        notebook_path: notebookPath ?? null,
        get_or_create: true
      })
    });
  }

  /** Rename or re-describe an experiment. */
  async updateExperiment(
    id: string,
    change: { name?: string; description?: string }
  ): Promise<IExperiment> {
    return this._request<IExperiment>(
      `experiments/${encodeURIComponent(id)}`,
      undefined,
      { method: 'PATCH', body: JSON.stringify(change) }
    );
  }

  /** One page of runs, with everything. */
  async searchRuns(query: IRunsQuery): Promise<IRunsPage> {
    return this._search<IRun>(query, 'all');
  }

  /** One page of run summaries (no code or capture context): for lists and tables. */
  async searchRunSummaries(query: IRunsQuery): Promise<IRunsPage<IRunSummary>> {
    return this._search<IRunSummary>(query, 'summary');
  }

  private async _search<T extends IRunSummary>(
    query: IRunsQuery,
    fields: 'all' | 'summary'
  ): Promise<IRunsPage<T>> {
    const params: Record<string, string | string[]> = {
      experiment_ids: query.experimentIds.join(','),
      fields
    };
    if (query.filter) {
      params.filter = query.filter;
    }
    if (query.orderBy?.length) {
      params.order_by = query.orderBy;
    }
    if (query.maxResults) {
      params.max_results = String(query.maxResults);
    }
    if (query.pageToken) {
      params.page_token = query.pageToken;
    }
    if (query.offset) {
      params.offset = String(query.offset);
    }
    if (query.view) {
      params.view = query.view;
    }
    const page = await this._request<IRunsPage<T>>('runs', params);
    page.runs.forEach(decodeRun);
    return page;
  }

  /**
   * Save a whole run; the reply carries its version, or none (`pending`) when the MLflow
   * server is unreachable and the run waits in the outbox (202).
   */
  async createRun(run: INewRun): Promise<IRun | PendingRun<IRun>> {
    const body = {
      ...run,
      metrics: run.metrics.map(m => ({ ...m, value: encodeNumber(m.value) }))
    };
    const saved = await this._request<IRun | PendingRun<IRun>>(
      'runs',
      undefined,
      {
        method: 'POST',
        body: JSON.stringify(body)
      }
    );
    return decodeRun(saved);
  }

  /** One run. */
  async getRun(id: string): Promise<IRun> {
    return decodeRun(await this._request<IRun>(runPath(id)));
  }

  /** Rename, annotate or re-tag a run. */
  async updateRun(id: string, change: IRunUpdate): Promise<IRun> {
    const run = await this._request<IRun>(runPath(id), undefined, {
      method: 'PATCH',
      body: JSON.stringify(change)
    });
    return decodeRun(run);
  }

  /** Scan a cell's code on the server (Log run's capture). */
  async scan(request: IScanRequest): Promise<IScan> {
    return this._post<IScan>('scan', request);
  }

  /** Soft-delete runs, in one request. */
  async deleteRuns(ids: string[]): Promise<IBulkResult> {
    const reply = await this._post<{
      deleted: string[];
      errors: IBulkResult['errors'];
    }>('runs/delete', { run_ids: ids });
    return { done: reply.deleted, errors: reply.errors };
  }

  /** Undo the soft delete of runs, in one request. */
  async restoreRuns(ids: string[]): Promise<IBulkResult> {
    const reply = await this._post<{
      runs: IRunSummary[];
      errors: IBulkResult['errors'];
    }>('runs/restore', { run_ids: ids });
    return { done: reply.runs.map(run => run.id), errors: reply.errors };
  }

  /**
   * Histories of some metrics of some runs, in one request. `maxPoints` lets the server
   * thin long histories (first, last, and each bucket's lowest and highest value);
   * `stepRange` keeps only the steps from its first to its last (a zoomed chart).
   */
  async metricHistories(
    runIds: string[],
    keys: string[],
    maxPoints?: number,
    stepRange?: readonly [number, number]
  ): Promise<MetricHistories> {
    if (runIds.length === 0 || keys.length === 0) {
      return new Map();
    }
    const reply = await this._post<{
      histories: Record<string, Record<string, IMetricPoint[]>>;
    }>('runs/metrics', {
      run_ids: runIds,
      keys,
      max_points: maxPoints,
      ...(stepRange ? { step_range: [...stepRange] } : {})
    });
    return new Map(
      Object.entries(reply.histories).map(([id, byKey]) => [
        id,
        new Map(
          Object.entries(byKey).map(([key, points]) => [
            key,
            points.map(p => ({ ...p, value: decodeNumber(p.value) ?? NaN }))
          ])
        )
      ])
    );
  }

  /**
   * Every run of a search as a CSV or JSON file, written by the server as it streams.
   * `onProgress` gets the records received so far and the total the server announced.
   */
  async exportRuns(
    request: IExportRequest,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void
  ): Promise<Blob> {
    const { query } = request;
    const response = await this._fetch('runs/export', undefined, {
      method: 'POST',
      signal,
      body: JSON.stringify({
        format: request.format,
        experiment_ids: query.experimentIds,
        filter: query.filter ?? '',
        order_by: query.orderBy ?? [],
        view: query.view ?? 'active',
        columns: request.columns,
        metric_values: request.metricValues
      })
    });
    const total = Number(response.headers.get('X-Total-Count') ?? 0);
    const type = response.headers.get('Content-Type') ?? '';
    if (!response.body) {
      return new Blob([await response.arrayBuffer()], { type });
    }
    const chunks: Uint8Array[] = [];
    let lines = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      chunks.push(value);
      // One record per line in both formats (give or take line breaks inside CSV values):
      // close enough for a progress bar.
      lines += value.reduce((n, byte) => (byte === 10 ? n + 1 : n), 0);
      onProgress?.(Math.min(total, Math.max(0, lines - 1)), total);
    }
    return new Blob(chunks as BlobPart[], { type });
  }

  /** Files stored with a run. */
  async listArtifacts(id: string): Promise<IArtifact[]> {
    const reply = await this._request<{ artifacts: IArtifact[] }>(
      `${runPath(id)}/artifacts`
    );
    return reply.artifacts;
  }

  /** URL that downloads one artifact (authenticated by the session cookie). */
  artifactUrl(id: string, path: string): string {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    return URLExt.join(
      this.serverSettings.baseUrl,
      API_PATH,
      runPath(id),
      'artifacts',
      encoded
    );
  }

  /** Param, metric and tag keys of some experiments. */
  async keys(experimentIds: string[]): Promise<IKeys> {
    return this._request<IKeys>('keys', {
      experiment_ids: experimentIds.join(',')
    });
  }

  /** Changes after a cursor. */
  async changes(since: number): Promise<IChanges> {
    return this._request<IChanges>('changes', { since: String(since) });
  }

  /** The outbox of runs waiting for the MLflow server. */
  async sync(): Promise<ISyncStatus> {
    const status = await this._request<ISyncStatus>('sync');
    status.runs.forEach(decodeRun);
    return status;
  }

  private async _post<T>(path: string, body: unknown): Promise<T> {
    return this._request<T>(path, undefined, {
      method: 'POST',
      body: JSON.stringify(body)
    });
  }

  private async _request<T>(
    path: string,
    query?: Record<string, string | string[]>,
    init: RequestInit = {}
  ): Promise<T> {
    const text = await (await this._fetch(path, query, init)).text();
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /** The server's response; a ResponseError with the server's message if it is not OK. */
  private async _fetch(
    path: string,
    query?: Record<string, string | string[]>,
    init: RequestInit = {}
  ): Promise<Response> {
    let url = URLExt.join(this.serverSettings.baseUrl, API_PATH, path);
    if (query) {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        for (const item of Array.isArray(value) ? value : [value]) {
          search.append(key, item);
        }
      }
      url += `?${search.toString()}`;
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        init,
        this.serverSettings
      );
    } catch (error) {
      if (init.signal?.aborted) {
        throw error;
      }
      throw new ServerConnection.NetworkError(error as TypeError);
    }
    if (!response.ok) {
      const text = await response.text();
      let message = response.statusText;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // Not JSON (a proxy's error page, say): its text is the message.
        message = text || message;
      }
      throw new ServerConnection.ResponseError(response, message);
    }
    return response;
  }
}

function runPath(id: string): string {
  return `runs/${encodeURIComponent(id)}`;
}

/** A param or metric source of a value logged by name: what a summary leaves out. */
const EXPLICIT = 'explicit';

/**
 * Decode a run in place: non-finite metric values arrive as strings, and a summary leaves
 * out the fields that hold their defaults (source 'explicit'; a metric's step 0, count 1,
 * min and max equal to its value), which are filled in here.
 */
function decodeRun<T extends Pick<IRunSummary, 'metrics' | 'params'>>(
  run: T
): T {
  for (const param of Object.values(run.params) as IParam[]) {
    param.source ??= EXPLICIT;
  }
  for (const metric of Object.values(run.metrics) as IMetricSummary[]) {
    metric.value = decodeNumber(metric.value) ?? NaN;
    metric.min =
      metric.min === undefined
        ? metric.value
        : (decodeNumber(metric.min) ?? NaN);
    metric.max =
      metric.max === undefined
        ? metric.value
        : (decodeNumber(metric.max) ?? NaN);
    metric.step ??= 0;
    metric.count ??= 1;
    metric.source ??= EXPLICIT;
  }
  return run;
}
