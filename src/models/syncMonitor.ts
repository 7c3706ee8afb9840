import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { ISyncStatus } from '../api/types';
import { ConsumerPoll } from './consumerPoll';
import { LiveUpdates } from './liveUpdates';
import type { ILiveUpdates, IRunsClient, ISyncMonitor } from '../tokens';

/** What a server without an outbox (the embedded store, an older server) amounts to. */
const DISABLED: ISyncStatus = {
  enabled: false,
  pending: 0,
  failed: 0,
  last_error: null,
  last_error_at: null,
  last_delivered_at: null,
  runs: []
};

/**
 * Follows `GET sync` (the runs waiting for the MLflow server) on the change feed's cadence:
 * it polls only while a consumer shows the status and the page is visible, backs off on
 * errors, and stops for good once the server says it has no outbox (the store is fixed for
 * the server's lifetime). A change in the feed (a run delivered) polls at once.
 */
export class SyncMonitor implements ISyncMonitor {
  /** Create the poll; `live` is the change feed whose changes trigger a poll. */
  constructor(options: SyncMonitor.IOptions) {
    this._client = options.client;
    this._poll = new ConsumerPoll({
      name: 'jupyterlab-runs:sync',
      factory: () => this._tick(),
      interval: options.interval ?? LiveUpdates.INTERVAL,
      maxInterval: options.maxInterval
    });
    this._live = options.live ?? null;
    this._live?.changed.connect(this._onLiveChanged, this);
  }

  /** Emitted when the status changes. */
  get changed(): ISignal<this, ISyncStatus | null> {
    return this._changed;
  }

  /** The last status read, or null before the first answer. */
  get status(): ISyncStatus | null {
    return this._status;
  }

  /** Whether the monitor is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Say whether a consumer shows the status; one becoming visible polls at once. */
  setVisible(consumer: object, visible: boolean): void {
    if (this._poll.setVisible(consumer, visible)) {
      void this.refresh();
    }
  }

  /** Poll now; resolves after that poll (at once when the server has no outbox). */
  async refresh(): Promise<void> {
    if (this._isDisposed || this._status?.enabled === false) {
      return;
    }
    await this._poll.refresh();
  }

  /** Stop polling; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._live?.changed.disconnect(this._onLiveChanged, this);
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _onLiveChanged(): void {
    if (this._status?.enabled) {
      void this.refresh();
    }
  }

  private async _tick(): Promise<void> {
    let status: ISyncStatus;
    try {
      status = await this._client.sync();
    } catch (error) {
      if (
        error instanceof ServerConnection.ResponseError &&
        error.response.status === 404
      ) {
        status = DISABLED;
      } else {
        throw error;
      }
    }
    if (this._isDisposed) {
      return;
    }
    const text = JSON.stringify(status);
    if (text !== this._last) {
      this._last = text;
      this._status = status;
      this._changed.emit(status);
    }
    if (!status.enabled) {
      // No outbox on this server: nothing will ever wait, so nothing more to ask.
      this._poll.dispose();
    }
  }

  private _client: IRunsClient;
  private _live: ILiveUpdates | null;
  private _poll: ConsumerPoll;
  private _status: ISyncStatus | null = null;
  private _last = '';
  private _isDisposed = false;
  private _changed = new Signal<this, ISyncStatus | null>(this);
}

/** A namespace for SyncMonitor statics. */
export namespace SyncMonitor {
  /** Options of the monitor. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
    /** The change feed: its changes (a run delivered) trigger a poll. */
    live?: ILiveUpdates;
    /** Milliseconds between polls (default: the change feed's). */
    interval?: number;
    /** Longest interval when backing off after errors (default 30 × interval). */
    maxInterval?: number;
  }
}
