import { Notification } from '@jupyterlab/apputils';
import { Cell, CodeCell, ICellModel } from '@jupyterlab/cells';
import {
  INotebookTracker,
  Notebook,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { ReplyPayloadWatcher } from './kernelProbe';
import { CellMeta, METADATA_KEY, NotebookMeta } from './metadata';
import { ICaptureTarget, IExecuted, outcomeOf, RunCapture } from './runCapture';

/** A tracked execution under way. */
interface IStarted {
  /** When it was scheduled, ms. */
  start: number;
  /** The cell and notebook, as read at the start. */
  target: ICaptureTarget;
  /** Watcher of the reply's payload, once the claim is sent. */
  watcher: ReplyPayloadWatcher | null;
}

/**
 * Auto-track: every execution of a tracked cell (its own switch, or the `track` tag
 * when the notebook or the settings say so) logs a run, through the normal Shift+Enter
 * path. The execution hooks are connected only while some open notebook has a tracked
 * cell, so notebooks that track nothing pay nothing.
 */
export class AutoTrack implements IDisposable {
  /** Watch the notebooks of `tracker`. */
  constructor(
    private readonly _tracker: INotebookTracker,
    private readonly _capture: RunCapture,
    private readonly _trans: TranslationBundle
  ) {
    _tracker.widgetAdded.connect(this._watch, this);
    _tracker.forEach(panel => this._watch(null, panel));
  }

  /** Whether executions of tagged cells are tracked when a notebook does not say. */
  get trackTaggedByDefault(): boolean {
    return this._trackTaggedDefault;
  }
  set trackTaggedByDefault(on: boolean) {
    this._trackTaggedDefault = on;
    this.refresh();
  }

  /** Whether `cell` of `panel` is auto-tracked. */
  isTracked(panel: NotebookPanel, cell: Cell): boolean {
    // The switch, the tag and the notebook's choice all come with the file: a notebook
    // from someone else (untrusted) must not log runs, and send its code, on its own.
    if (cell.model.type !== 'code' || !cell.model.trusted) {
      return false;
    }
    if (CellMeta.autoTrack(cell.model)) {
      return true;
    }
    const tagged = NotebookMeta.trackTagged(panel) ?? this._trackTaggedDefault;
    return tagged && CellMeta.taggedTrack(cell.model);
  }

  /** Re-check whether any open notebook tracks a cell; (dis)connect the hooks. */
  refresh(): void {
    let any = false;
    this._tracker.forEach(panel => {
      any =
        any || panel.content.widgets.some(cell => this.isTracked(panel, cell));
    });
    if (any !== this._connected) {
      this._connected = any;
      if (any) {
        NotebookActions.executionScheduled.connect(this._onScheduled, this);
        NotebookActions.executed.connect(this._onExecuted, this);
      } else {
        NotebookActions.executionScheduled.disconnect(this._onScheduled, this);
        NotebookActions.executed.disconnect(this._onExecuted, this);
      }
    }
  }

  /** Whether the object is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Disconnect everything; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._tracker.widgetAdded.disconnect(this._watch, this);
    NotebookActions.executionScheduled.disconnect(this._onScheduled, this);
    NotebookActions.executed.disconnect(this._onExecuted, this);
  }

  private _watch(_: unknown, panel: NotebookPanel): void {
    void panel.context.ready.then(() => {
      const model = panel.model;
      if (!model) {
        return;
      }
      const watchCell = (cell: ICellModel) =>
        cell.metadataChanged.connect((_, change) => {
          if (change.key === 'tags' || change.key === METADATA_KEY) {
            this.refresh();
          }
        });
      for (const cell of model.cells) {
        watchCell(cell);
      }
      model.cells.changed.connect((_, change) => {
        change.newValues.forEach(watchCell);
        this.refresh();
      });
      model.metadataChanged.connect(() => this.refresh());
      this.refresh();
    });
    panel.disposed.connect(() => this.refresh());
  }

  private _panelOf(notebook: Notebook): NotebookPanel | null {
    return this._tracker.find(panel => panel.content === notebook) ?? null;
  }

  private _onScheduled(
    _: unknown,
    args: { notebook: Notebook; cell: Cell }
  ): void {
    const panel = this._panelOf(args.notebook);
    const cell = args.cell;
    if (
      !panel ||
      !(cell instanceof CodeCell) ||
      !this.isTracked(panel, cell) ||
      this._capture.isLogging(cell)
    ) {
      return;
    }
    if (!panel.sessionContext.session?.kernel) {
      return;
    }
    const started: IStarted = {
      start: Date.now(),
      target: this._capture.target(panel, cell),
      watcher: null
    };
    this._started.set(cell, started);
    // The claim must reach the kernel before the cell's own request, and the executor
    // sends that right after this signal: no await here, so the language comes from
    // the notebook's metadata rather than from the kernel's info reply.
    if (panel.model?.defaultKernelLanguage === 'python') {
      started.watcher = this._capture.claim(started.target);
    }
  }

  private _onExecuted(
    _: unknown,
    args: { notebook: Notebook; cell: Cell } & IExecuted
  ): void {
    const started = this._started.get(args.cell);
    if (!started) {
      return;
    }
    this._started.delete(args.cell);
    const reply = started.watcher?.result ?? null;
    started.watcher?.dispose();
    this._capture
      .save(started.target, outcomeOf(args), started.start, 'auto', reply)
      .catch(reason =>
        Notification.error(
          this._trans.__(
            'Auto-track could not log the run: %1',
            reason instanceof Error ? reason.message : String(reason)
          ),
          { autoClose: 8000 }
        )
      );
  }

  private _trackTaggedDefault = false;
  private _connected = false;
  private _isDisposed = false;
  private _started = new WeakMap<Cell, IStarted>();
}
