import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IArtifact, IMetricPoint, IRun, IRunUpdate } from '../../api/types';
import { IPanelError, panelError } from '../errors';
import type { IRunsClient } from '../../tokens';
import { MAX_SPARK_POINTS } from './sparkline';

/** Most metric histories fetched for sparklines. */
const MAX_HISTORIES = 24;

/** Most versions offered in the diff picker. */
const MAX_VERSIONS = 500;

/**
 * State of the run details section: one run, its metric histories (for sparklines),
 * artifacts and the other versions its code can be diffed against. Edits go through
 * the REST client and are announced on `runUpdated`.
 */
export class RunDetailsModel implements IDisposable {
  /** Create a model reading through `client`. */
  constructor(options: RunDetailsModel.IOptions) {
    this._client = options.client;
  }

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with the run after an edit saved (rename, note, tags) or a restore. */
  get runUpdated(): ISignal<this, IRun> {
    return this._runUpdated;
  }

  /** Id of the run shown, or null. */
  get runId(): string | null {
    return this._runId;
  }

  /** The run, once loaded. */
  get run(): IRun | null {
    return this._run;
  }

  /** Whether the run is being loaded. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last load or save error, or null. */
  get error(): IPanelError | null {
    return this._error;
  }

  /** Histories of the run's metrics that have more than one point. */
  get histories(): ReadonlyMap<string, readonly IMetricPoint[]> {
    return this._histories;
  }

  /** The run's artifacts, or null until loaded. */
  get artifacts(): readonly IArtifact[] | null {
    return this._artifacts;
  }

  /** Other versions of the experiment (newest first), for the diff picker. */
  get versions(): readonly IRun[] {
    return this._versions;
  }

  /** The run whose code the diff compares with, or null for no diff. */
  get diffWith(): IRun | null {
    return this._versions.find(run => run.id === this._diffWithId) ?? null;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Show a run (null clears); loads it with its histories, artifacts and versions. */
  async load(runId: string | null): Promise<void> {
    if (runId === this._runId && (this._run || this._loading)) {
      return;
    }
    this._runId = runId;
    this._run = null;
    this._histories = new Map();
    this._artifacts = null;
    this._versions = [];
    this._diffWithId = null;
    this._error = null;
    await this.reload();
  }

  /** Load the shown run again (after a change elsewhere). */
  async reload(): Promise<void> {
    const runId = this._runId;
    const ticket = ++this._ticket;
    if (runId === null) {
      this._loading = false;
      this._changed.emit();
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      const run = await this._client.getRun(runId);
      const [histories, artifacts, versions] = await Promise.all([
        this._loadHistories(run),
        this._client.listArtifacts(runId),
        this._client.searchRuns({
          experimentIds: [run.experiment_id],
          orderBy: ['attributes.version DESC'],
          maxResults: MAX_VERSIONS,
          view: 'all'
        })
      ]);
      if (ticket !== this._ticket || this._isDisposed) {
        return;
      }
      this._run = run;
      this._histories = histories;
      this._artifacts = artifacts;
      this._versions = versions.runs.filter(other => other.id !== run.id);
      this._error = null;
    } catch (reason) {
      if (ticket === this._ticket && !this._isDisposed) {
        this._error = panelError(reason);
      }
    } finally {
      if (ticket === this._ticket && !this._isDisposed) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  /** Diff the code against another version (null: no diff). */
  setDiffWith(runId: string | null): void {
    if (runId !== this._diffWithId) {
      this._diffWithId = runId;
      this._changed.emit();
    }
  }

  /** Rename the run. */
  rename(name: string): Promise<boolean> {
    return this._update({ name });
  }

  /** Replace the run's markdown note. */
  setNote(note: string): Promise<boolean> {
    return this._update({ note });
  }

  /** Set a tag; `previousKey` is removed in the same request when the key was renamed. */
  setTag(key: string, value: string, previousKey?: string): Promise<boolean> {
    const change: IRunUpdate = { set_tags: { [key]: value } };
    if (previousKey !== undefined && previousKey !== key) {
      change.delete_tags = [previousKey];
    }
    return this._update(change);
  }

  /** Remove a tag. */
  deleteTag(key: string): Promise<boolean> {
    return this._update({ delete_tags: [key] });
  }

  /** Release the model; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  /** Save a change; true when it was saved (the error is shown otherwise). */
  private async _update(change: IRunUpdate): Promise<boolean> {
    const run = this._run;
    if (!run) {
      return false;
    }
    try {
      const updated = await this._client.updateRun(run.id, change);
      if (this._run?.id === updated.id && !this._isDisposed) {
        this._run = updated;
        this._error = null;
        this._changed.emit();
        this._runUpdated.emit(updated);
      }
      return true;
    } catch (reason) {
      if (!this._isDisposed) {
        this._error = panelError(reason);
        this._changed.emit();
      }
      return false;
    }
  }

  private async _loadHistories(
    run: IRun
  ): Promise<Map<string, readonly IMetricPoint[]>> {
    const keys = Object.entries(run.metrics)
      .filter(([, metric]) => metric.count > 1)
      .map(([key]) => key)
      .slice(0, MAX_HISTORIES);
    // The server thins each history to the sparkline's points, keeping each bucket's lowest
    // and highest value: a 100,000-step history arrives as 200 points, its spikes in them.
    const histories = await this._client.metricHistories(
      [run.id],
      keys,
      MAX_SPARK_POINTS
    );
    return histories.get(run.id) ?? new Map();
  }

  private _client: IRunsClient;
  private _runId: string | null = null;
  private _run: IRun | null = null;
  private _loading = false;
  private _error: IPanelError | null = null;
  private _histories: Map<string, readonly IMetricPoint[]> = new Map();
  private _artifacts: IArtifact[] | null = null;
  private _versions: IRun[] = [];
  private _diffWithId: string | null = null;
  private _ticket = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _runUpdated = new Signal<this, IRun>(this);
}

/** A namespace for RunDetailsModel statics. */
export namespace RunDetailsModel {
  /** Options of the model. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
  }
}
