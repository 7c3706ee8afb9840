import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import type { ILiveUpdates, IRunsClient } from '../tokens';
import { ConsumerPoll } from './consumerPoll';

/**
 * Follows the store's change feed (`GET changes?since=`) and says which experiments changed,
 * so each view reloads only when its own experiments did. Polls about once a second, backs
 * off on errors, and stands by unless a registered consumer is visible and the page is too.
 */
export class LiveUpdates implements ILiveUpdates {
  /** Create the poll; the current cursor is read at once so no later change is missed. */
  constructor(options: LiveUpdates.IOptions) {
    this._client = options.client;
    this._poll = new ConsumerPoll({
      name: 'jupyterlab-runs:live-updates',
      factory: () => this._tick(),
      interval: options.interval ?? LiveUpdates.INTERVAL,
      maxInterval: options.maxInterval
    });
    this._start = this._readCursor();
  }

  /** Emitted with the experiments whose runs (or which themselves) changed. */
  get changed(): ISignal<this, ILiveUpdates.IChanged> {
    return this._changed;
  }

  /** The cursor of the last change seen, or null before the first read. */
  get cursor(): number | null {
    return this._cursor;
  }

  /** Whether any registered consumer is visible. */
  get active(): boolean {
    return this._poll.active;
  }

  /** Whether the poll is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Say whether a consumer (a panel, a table) is visible; polling runs only while one is.
   * A consumer becoming visible triggers an immediate poll.
   */
  setVisible(consumer: object, visible: boolean): void {
    if (this._poll.setVisible(consumer, visible)) {
      void this.refresh();
    }
  }

  /** Register a consumer; disposing the result unregisters it. */
  register(consumer: object, visible = false): IDisposable {
    this.setVisible(consumer, visible);
    return new DisposableDelegate(() => this.setVisible(consumer, false));
  }

  /** Poll now (after logging a run here, for instance); resolves after that poll. */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    await this._start;
    await this._poll.refresh();
  }

  /** Stop polling; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _readCursor(): Promise<void> {
    try {
      // A cursor beyond the newest change answers with the newest cursor and no changes.
      const reply = await this._client.changes(Number.MAX_SAFE_INTEGER);
      this._cursor = this._cursor ?? reply.cursor;
    } catch {
      // The first successful tick reads it instead.
    }
  }

  private async _tick(): Promise<void> {
    await this._start;
    if (this._cursor === null) {
      await this._readCursor();
      if (this._cursor === null) {
        throw new Error('the change feed is unreachable');
      }
      return;
    }
    const reply = await this._client.changes(this._cursor);
    if (this._isDisposed) {
      return;
    }
    this._cursor = reply.cursor;
    if (reply.changes.length === 0) {
      return;
    }
    const experimentIds = new Set<string>();
    for (const change of reply.changes) {
      if (change.experiment_id) {
        experimentIds.add(change.experiment_id);
      }
      if (change.kind === 'experiment') {
        experimentIds.add(change.id);
      }
    }
    this._changed.emit({ experimentIds, changes: reply.changes });
    if (reply.changes.length >= LiveUpdates.FEED_PAGE) {
      // More changes are waiting behind this batch.
      this._poll.again();
    }
  }

  private _client: IRunsClient;
  private _poll: ConsumerPoll;
  private _start: Promise<void>;
  private _cursor: number | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, ILiveUpdates.IChanged>(this);
}

/** A namespace for LiveUpdates statics. */
export namespace LiveUpdates {
  /** Options of the poll. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
    /** Milliseconds between polls (default 1000). */
    interval?: number;
    /** Longest interval when backing off after errors (default 30 × interval). */
    maxInterval?: number;
  }

  /** Changes the server returns per request at most. */
  export const FEED_PAGE = 1000;

  /** Default milliseconds between polls (the runs views' live-update cadence). */
  export const INTERVAL = 1000;
}
