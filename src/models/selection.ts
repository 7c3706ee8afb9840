import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * Which runs are selected in a list of rows, with the anchor and focus that shift-ranges
 * and keyboard moves need. Rows are addressed by index; the selection keeps run ids, so it
 * survives reloads. Rows not loaded yet have no id: a range covers the loaded rows, and a
 * focus moved onto an unloaded row selects it once its id is known (`resolve()`).
 */
export class RunSelection implements IDisposable {
  /** Create a selection over `source` (a `RunsQuery` fits). */
  constructor(source: RunSelection.ISource) {
    this._source = source;
  }

  /** Emitted when the selected ids, the anchor or the focus change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Selected run ids, in selection order. */
  get ids(): string[] {
    return [...this._ids];
  }

  /** Number of selected runs. */
  get size(): number {
    return this._ids.size;
  }

  /** Row the next shift-range starts from, or null. */
  get anchor(): number | null {
    return this._anchor;
  }

  /** Row with the keyboard focus, or null. */
  get focus(): number | null {
    return this._focus;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether a run is selected. */
  has(id: string): boolean {
    return this._ids.has(id);
  }

  /** Whether the row at `index` is selected. */
  isRowSelected(index: number): boolean {
    const id = this._source.peekRow(index)?.id;
    return id !== undefined && this._ids.has(id);
  }

  /**
   * A click on a row: alone it selects only that row; `toggle` (ctrl/cmd) adds or removes
   * it; `extend` (shift) selects the range from the anchor, added to the selection with
   * `toggle`.
   */
  click(index: number, modifiers: RunSelection.IModifiers = {}): void {
    const row = this._clamp(index);
    if (row === null) {
      return;
    }
    if (modifiers.extend && this._anchor !== null) {
      if (!modifiers.toggle) {
        this._ids.clear();
      }
      this._addRange(this._anchor, row);
    } else if (modifiers.toggle) {
      const id = this._idAt(row);
      if (id !== undefined && this._ids.has(id)) {
        this._ids.delete(id);
      } else if (id !== undefined) {
        this._ids.add(id);
      }
      this._anchor = row;
    } else {
      this._ids.clear();
      this._addRange(row, row);
      this._anchor = row;
    }
    this._pending = null;
    this._focus = row;
    this._changed.emit();
  }

  /**
   * Move the focus by `delta` rows, or to the first/last row. Plain moves select the new row;
   * `extend` selects the range from the anchor; `toggle` moves the focus only.
   */
  move(
    delta: number | 'first' | 'last',
    modifiers: RunSelection.IModifiers = {}
  ): void {
    const last = this._source.total - 1;
    if (last < 0) {
      return;
    }
    const from = this._focus ?? -1;
    const target =
      delta === 'first' ? 0 : delta === 'last' ? last : from + delta;
    const index = Math.min(last, Math.max(0, target));
    this._focus = index;
    if (modifiers.extend) {
      this._anchor = this._anchor ?? Math.max(0, from);
      this._ids.clear();
      this._addRange(this._anchor, index);
      this._pending = this._idAt(index) === undefined ? 'extend' : null;
    } else if (!modifiers.toggle) {
      this._anchor = index;
      this._ids.clear();
      this._addRange(index, index);
      this._pending = this._idAt(index) === undefined ? 'single' : null;
    }
    this._changed.emit();
  }

  /** Add or remove the focused row (ctrl/cmd + space). */
  toggleFocused(): void {
    if (this._focus !== null) {
      this.click(this._focus, { toggle: true });
    }
  }

  /** Select every loaded row. */
  selectAll(): void {
    for (const [, run] of this._source.loadedRows()) {
      this._ids.add(run.id);
    }
    this._changed.emit();
  }

  /** Select exactly these runs (e.g. restoring state). */
  setIds(ids: Iterable<string>): void {
    this._ids = new Set(ids);
    this._changed.emit();
  }

  /** Deselect everything; the focus stays. */
  clear(): void {
    if (this._ids.size || this._anchor !== null) {
      this._ids.clear();
      this._anchor = null;
      this._pending = null;
      this._changed.emit();
    }
  }

  /** Forget rows positions (the row order changed); selected ids stay. */
  resetPositions(): void {
    this._anchor = null;
    this._focus = null;
    this._pending = null;
    this._changed.emit();
  }

  /** Complete a keyboard selection that waited for its rows to load. */
  resolve(): void {
    if (this._pending === null || this._focus === null) {
      return;
    }
    if (this._idAt(this._focus) === undefined) {
      return;
    }
    if (this._pending === 'single') {
      this._ids.clear();
      this._addRange(this._focus, this._focus);
    } else if (this._anchor !== null) {
      this._addRange(this._anchor, this._focus);
    }
    this._pending = null;
    this._changed.emit();
  }

  /** Release listeners; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _idAt(index: number): string | undefined {
    return this._source.peekRow(index)?.id;
  }

  private _clamp(index: number): number | null {
    const last = this._source.total - 1;
    return last < 0 ? null : Math.min(last, Math.max(0, index));
  }

  private _addRange(a: number, b: number): void {
    const [from, to] = a <= b ? [a, b] : [b, a];
    for (let index = from; index <= to; index++) {
      const id = this._idAt(index);
      if (id !== undefined) {
        this._ids.add(id);
      }
    }
  }

  private _source: RunSelection.ISource;
  private _ids = new Set<string>();
  private _anchor: number | null = null;
  private _focus: number | null = null;
  private _pending: 'single' | 'extend' | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** A namespace for RunSelection statics. */
export namespace RunSelection {
  /** The rows a selection addresses; `RunsQuery` is one. */
  export interface ISource {
    /** Number of rows. */
    readonly total: number;
    /** The run at a row if it is loaded, without loading it. */
    peekRow(index: number): { id: string } | undefined;
    /** Every loaded row with its index. */
    loadedRows(): Array<[number, { id: string }]>;
  }

  /** Modifier keys of a click or key press. */
  export interface IModifiers {
    /** Shift: extend from the anchor. */
    extend?: boolean;
    /** Ctrl/Cmd: toggle one row, or move the focus only. */
    toggle?: boolean;
  }
}
