import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IExperiment } from '../../api/types';
import { IPanelError, panelError } from '../errors';
import type { IRunsClient } from '../../tokens';

/**
 * Which experiment the list shows: the active notebook's (followed), or one picked by
 * hand; and every experiment with its run count, for the picker.
 */
export class ExperimentChoice implements IDisposable {
  /** Create a choice reading the experiments through `client`. */
  constructor(client: IRunsClient) {
    this._client = client;
  }

  /** Emitted when the experiments, the loading state or the error change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when the notebook's experiment or the pick change; true if the name shown did. */
  get chosenChanged(): ISignal<this, boolean> {
    return this._chosenChanged;
  }

  /** Every experiment, with its run count. */
  get all(): readonly IExperiment[] {
    return this._experiments;
  }

  /** The active notebook's experiment name, or null without a notebook. */
  get notebook(): string | null {
    return this._notebook;
  }

  /** The experiment picked by hand, or null when following the notebook. */
  get pinned(): string | null {
    return this._pinned;
  }

  /** Name of the experiment shown. */
  get name(): string | null {
    return this._pinned ?? this._notebook;
  }

  /** The experiment shown; null when it has no runs yet (or none is chosen). */
  get current(): IExperiment | null {
    const name = this.name;
    return this._experiments.find(e => e.name === name) ?? null;
  }

  /** Whether the experiments are being loaded. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last load error, or null. */
  get error(): IPanelError | null {
    return this._error;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Follow the active notebook's experiment (null: no notebook). */
  setNotebook(name: string | null): void {
    if (name !== this._notebook) {
      const before = this.name;
      this._notebook = name;
      this._announce(before);
    }
  }

  /** Show an experiment by name; null goes back to following the notebook. */
  pin(name: string | null): void {
    if (name !== this._pinned) {
      const before = this.name;
      this._pinned = name;
      this._announce(before);
    }
  }

  /** Reload the experiments (run counts, new experiments). */
  async load(): Promise<void> {
    this._loading = true;
    this._changed.emit();
    try {
      this._experiments = await this._client.listExperiments();
      this._error = null;
    } catch (reason) {
      this._error = panelError(reason);
    } finally {
      this._loading = false;
      if (!this._isDisposed) {
        this._changed.emit();
      }
    }
  }

  /** Release listeners; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _announce(before: string | null): void {
    // A pin on the followed experiment changes what is remembered, not what is shown.
    this._chosenChanged.emit(this.name !== before);
  }

  private _client: IRunsClient;
  private _experiments: IExperiment[] = [];
  private _notebook: string | null = null;
  private _pinned: string | null = null;
  private _loading = false;
  private _error: IPanelError | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _chosenChanged = new Signal<this, boolean>(this);
}
