import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { RunsClient } from '../api/client';
import { IExperiment, IRun } from '../api/types';

/**
 * State of the Runs panel: the experiment shown and its runs. No DOM here;
 * views listen to `changed`.
 */
export class RunsModel implements IDisposable {
  /** Create a model reading through `client`. */
  constructor(options: RunsModel.IOptions) {
    this._client = options.client;
    this._pageSize = options.pageSize ?? 100;
  }

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Name of the experiment shown (the active notebook's), or null. */
  get experimentName(): string | null {
    return this._experimentName;
  }

  /** The experiment shown, once found; null when it has no runs yet. */
  get experiment(): IExperiment | null {
    return this._experiment;
  }

  /** Runs of the experiment, newest version first. */
  get runs(): readonly IRun[] {
    return this._runs;
  }

  /** Number of runs in the experiment. */
  get total(): number {
    return this._total;
  }

  /** Whether a request is under way. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last error message, or null. */
  get error(): string | null {
    return this._error;
  }

  /** Param keys present in the shown runs, sorted. */
  get paramKeys(): string[] {
    return unionKeys(this._runs.map(run => run.params));
  }

  /** Metric keys present in the shown runs, sorted. */
  get metricKeys(): string[] {
    return unionKeys(this._runs.map(run => run.metrics));
  }

  /** Id of the selected run, or null. */
  get selectedId(): string | null {
    return this._selectedId;
  }

  /** Select one run (null clears the selection). */
  select(runId: string | null): void {
    if (runId !== this._selectedId) {
      this._selectedId = runId;
      this._changed.emit();
    }
  }

  /** Apply settings; reloads when the page size changes. */
  configure(options: { pageSize?: number }): void {
    if (options.pageSize && options.pageSize !== this._pageSize) {
      this._pageSize = options.pageSize;
      void this.refresh();
    }
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Show another experiment (by name) and load its runs. */
  async setExperimentName(name: string | null): Promise<void> {
    if (name === this._experimentName) {
      return;
    }
    this._experimentName = name;
    this._experiment = null;
    this._runs = [];
    this._total = 0;
    this._changed.emit();
    await this.refresh();
  }

  /** Reload the shown experiment's runs. */
  async refresh(): Promise<void> {
    const name = this._experimentName;
    if (name === null) {
      return;
    }
    const ticket = ++this._ticket;
    this._loading = true;
    this._changed.emit();
    try {
      const experiments = await this._client.listExperiments();
      const experiment = experiments.find(e => e.name === name) ?? null;
      const page = experiment
        ? await this._client.searchRuns({
            experimentIds: [experiment.id],
            orderBy: ['version DESC'],
            maxResults: this._pageSize
          })
        : { runs: [], total: 0, next_page_token: null };
      if (ticket !== this._ticket || this._isDisposed) {
        return; // a newer request superseded this one
      }
      this._experiment = experiment;
      this._runs = page.runs;
      this._total = page.total;
      this._error = null;
    } catch (reason) {
      if (ticket !== this._ticket || this._isDisposed) {
        return;
      }
      this._error = reason instanceof Error ? reason.message : String(reason);
    } finally {
      if (ticket === this._ticket && !this._isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  /** Release the model; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _client: RunsClient;
  private _pageSize: number;
  private _experimentName: string | null = null;
  private _experiment: IExperiment | null = null;
  private _runs: IRun[] = [];
  private _total = 0;
  private _loading = false;
  private _error: string | null = null;
  private _selectedId: string | null = null;
  private _ticket = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** A namespace for RunsModel statics. */
export namespace RunsModel {
  /** Options of the model. */
  export interface IOptions {
    /** REST client. */
    client: RunsClient;
    /** Runs per page. */
    pageSize?: number;
  }
}

function unionKeys(records: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const record of records) {
    Object.keys(record).forEach(key => keys.add(key));
  }
  return [...keys].sort();
}
