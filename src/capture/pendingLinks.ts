import { ICellModel } from '@jupyterlab/cells';
import { IDisposable } from '@lumino/disposable';

import { ISyncStatus } from '../api/types';
import type { IRunsClient, ISyncMonitor } from '../tokens';
import { CellMeta } from './metadata';

/**
 * Links cells whose last run waits in the outbox to that run once the MLflow server has
 * it: when the run leaves the outbox, the cell's metadata (and so its badge) gets the run
 * with its final version. While a cell waits it keeps the outbox poll going, since its
 * badge shows the state.
 */
export class PendingLinks implements IDisposable {
  /** Follow `sync` and read delivered runs through `client`. */
  constructor(
    private readonly _client: IRunsClient,
    private readonly _sync: ISyncMonitor
  ) {
    this._sync.changed.connect(this._onStatus, this);
  }

  /** Whether the links are disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow a cell whose last run is waiting to sync. */
  watch(cell: ICellModel): void {
    if (this._isDisposed || CellMeta.lastRun(cell)?.version !== null) {
      return;
    }
    this._cells.add(cell);
    this._sync.setVisible(this, true);
    void this._sync.refresh();
  }

  /** Stop following; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._sync.changed.disconnect(this._onStatus, this);
    this._sync.setVisible(this, false);
    this._cells.clear();
  }

  private _onStatus(_: ISyncMonitor, status: ISyncStatus | null): void {
    if (!status) {
      return;
    }
    const waiting = new Set(status.runs.map(run => run.id));
    for (const cell of [...this._cells]) {
      const last = CellMeta.lastRun(cell);
      if (cell.isDisposed || !last || last.version !== null) {
        this._forget(cell);
      } else if (!waiting.has(last.id)) {
        void this._resolve(cell, last.id);
      }
    }
  }

  /** Ask for the run a pending one became; it keeps waiting while it has no version. */
  private async _resolve(cell: ICellModel, pendingId: string): Promise<void> {
    if (this._resolving.has(pendingId)) {
      return;
    }
    this._resolving.add(pendingId);
    try {
      const run = await this._client.getRun(pendingId);
      if (
        run.version !== null &&
        !cell.isDisposed &&
        CellMeta.lastRun(cell)?.id === pendingId
      ) {
        CellMeta.setLastRun(cell, run);
        this._forget(cell);
      }
    } catch {
      // Not there yet (or the server is busy): the next status tries again.
    } finally {
      this._resolving.delete(pendingId);
    }
  }

  private _forget(cell: ICellModel): void {
    this._cells.delete(cell);
    if (this._cells.size === 0) {
      this._sync.setVisible(this, false);
    }
  }

  private _cells = new Set<ICellModel>();
  private _resolving = new Set<string>();
  private _isDisposed = false;
}
