import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';

/**
 * A `Poll` that runs only while one of its consumers (a panel, a table) is visible and the
 * page is too, and backs off on errors: the polite polling both the change feed and the
 * sync status follow.
 */
export class ConsumerPoll implements IDisposable {
  /** Create the poll (standing by until a consumer becomes visible). */
  constructor(options: ConsumerPoll.IOptions) {
    const interval = options.interval;
    this._poll = new Poll({
      name: options.name,
      factory: options.factory,
      frequency: {
        interval,
        backoff: true,
        max: options.maxInterval ?? 30 * interval
      },
      standby: () => (this._visible.size === 0 ? true : 'when-hidden')
    });
  }

  /** Whether any consumer is visible. */
  get active(): boolean {
    return this._visible.size > 0;
  }

  /** Whether the poll is disposed. */
  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Say whether a consumer is visible; true when it is the first visible one. */
  setVisible(consumer: object, visible: boolean): boolean {
    const was = this._visible.size;
    if (visible) {
      this._visible.add(consumer);
    } else {
      this._visible.delete(consumer);
    }
    return was === 0 && this._visible.size > 0;
  }

  /** Poll now; resolves after that poll. */
  async refresh(): Promise<void> {
    try {
      await this._poll.refresh();
      await this._poll.tick;
    } catch {
      // Disposed while waiting: the tick promise rejects, and nothing is left to do.
    }
  }

  /** Poll again as soon as this poll ends (more is waiting). */
  again(): void {
    void this._poll.schedule({ interval: 0, phase: 'refreshed' });
  }

  /** Stop polling; idempotent. */
  dispose(): void {
    this._poll.dispose();
    this._visible.clear();
  }

  private _poll: Poll;
  private _visible = new Set<object>();
}

/** A namespace for ConsumerPoll statics. */
export namespace ConsumerPoll {
  /** Options of the poll. */
  export interface IOptions {
    /** The poll's name (for debugging). */
    name: string;
    /** One poll; a rejection backs off. */
    factory: () => Promise<void>;
    /** Milliseconds between polls. */
    interval: number;
    /** Longest interval when backing off after errors (default 30 × interval). */
    maxInterval?: number;
  }
}
