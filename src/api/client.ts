import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { decodeNumber, encodeNumber } from './numbers';
import {
  IArtifact,
  IChanges,
  IExperiment,
  IKeys,
  IMetricPoint,
  IMetricSummary,
  INewRun,
  IRun,
  IRunSummary,
  IRunsPage,
  IRunsQuery,
  IRunUpdate,
  RunView
} from './types';

/** The REST namespace of the server extension. */
const API_PATH = 'jupyterlab-runs/api';

/**
 * The one REST client of the extension: every call goes through
 * `ServerConnection.makeRequest`, which adds the token and the XSRF header.
 */
export class RunsClient {
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
    if (query.view) {
      params.view = query.view;
    }
    const page = await this._request<IRunsPage<T>>('runs', params);
    page.runs.forEach(decodeRun);
    return page;
  }

  /** Save a whole run; the reply carries its version. */
  async createRun(run: INewRun): Promise<IRun> {
    const body = {
      ...run,
      metrics: run.metrics.map(m => ({ ...m, value: encodeNumber(m.value) }))
    };
    const saved = await this._request<IRun>('runs', undefined, {
      method: 'POST',
      body: JSON.stringify(body)
    });
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

  /** Soft-delete a run. */
  async deleteRun(id: string): Promise<void> {
    await this._request<void>(runPath(id), undefined, { method: 'DELETE' });
  }

  /** Undo a soft delete. */
  async restoreRun(id: string): Promise<IRun> {
    const run = await this._request<IRun>(`${runPath(id)}/restore`, undefined, {
      method: 'POST'
    });
    return decodeRun(run);
  }

  /** Full history of one metric of one run. */
  async metricHistory(id: string, key: string): Promise<IMetricPoint[]> {
    const reply = await this._request<{ history: IMetricPoint[] }>(
      `${runPath(id)}/metrics/${encodeURIComponent(key)}`
    );
    return reply.history.map(p => ({
      ...p,
      value: decodeNumber(p.value) ?? NaN
    }));
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

  private async _request<T>(
    path: string,
    query?: Record<string, string | string[]>,
    init: RequestInit = {}
  ): Promise<T> {
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
      throw new ServerConnection.NetworkError(error as TypeError);
    }
    const text = await response.text();
    let data: unknown = undefined;
    if (text.length > 0) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      const message =
        (data as { message?: string } | undefined)?.message ??
        (typeof data === 'string' && data ? data : response.statusText);
      throw new ServerConnection.ResponseError(response, message);
    }
    return data as T;
  }
}

function runPath(id: string): string {
  return `runs/${encodeURIComponent(id)}`;
}

/** Decode the string-encoded non-finite metric values of a run, in place. */
function decodeRun<T extends IRunSummary>(run: T): T {
  for (const metric of Object.values(run.metrics) as IMetricSummary[]) {
    metric.value = decodeNumber(metric.value) ?? NaN;
    metric.min = decodeNumber(metric.min) ?? NaN;
    metric.max = decodeNumber(metric.max) ?? NaN;
  }
  return run;
}
