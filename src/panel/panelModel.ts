import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IRun, isPending, ISyncStatus, PendingRun } from '../api/types';
import { CompareModel } from './compare/compareModel';
import { RunDetailsModel } from './details/detailsModel';
import { RunsListModel } from './list/listModel';
import type { ILiveUpdates, IRunsClient, ISyncMonitor } from '../tokens';

/** What the lower section of the panel shows. */
export type Inspector = 'details' | 'compare';

/**
 * The Runs panel's state: the run list, the details of one run and the comparison of
 * several, kept in step with the selection and with the store's change feed.
 *
 * One selected run shows its details; Compare shows the selected runs side by side and
 * follows the selection while it holds two or more. Clicking a chart mark selects that
 * run (details), and `backToComparison()` returns to the runs compared before.
 */
export class RunsPanelModel implements IDisposable {
  /** Create the panel state; `live` is the change feed it follows while visible. */
  constructor(options: RunsPanelModel.IOptions) {
    this.client = options.client;
    this.list = new RunsListModel({
      client: options.client,
      pageSize: options.pageSize
    });
    this.details = new RunDetailsModel({ client: options.client });
    this.compare = new CompareModel({ client: options.client });
    this._live = options.live;
    this.sync = options.sync ?? null;
    this.sync?.changed.connect(this._onSyncChanged, this);
    this._live.changed.connect(this._onLiveChanged, this);
    this.list.selection.changed.connect(this._onSelectionChanged, this);
    this.details.runUpdated.connect(this._onRunUpdated, this);
  }

  /** The REST client. */
  readonly client: IRunsClient;

  /** The run list. */
  readonly list: RunsListModel;

  /** The details section. */
  readonly details: RunDetailsModel;

  /** The compare section. */
  readonly compare: CompareModel;

  /** The outbox status (runs waiting for the MLflow server), when there is a monitor. */
  readonly sync: ISyncMonitor | null;

  /** Emitted when the inspector (details or compare) changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** What the lower section shows. */
  get inspector(): Inspector {
    return this._inspector;
  }

  /** Whether a comparison can be returned to (after a chart click opened one run). */
  get canGoBack(): boolean {
    return this._inspector === 'details' && this._compared !== null;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Whether runs logged anywhere show up without a manual refresh (setting `liveRefresh`). */
  get liveRefresh(): boolean {
    return this._liveRefresh;
  }
  set liveRefresh(value: boolean) {
    this._liveRefresh = value;
    this._live.setVisible(this, this._visible && value);
    this.sync?.setVisible(this, this._visible && value);
  }

  /** Poll the change feed and the outbox only while the panel is visible. */
  setVisible(visible: boolean): void {
    this._visible = visible;
    this._live.setVisible(this, visible && this._liveRefresh);
    this.sync?.setVisible(this, visible && this._liveRefresh);
  }

  /** Reload everything shown. */
  async refresh(): Promise<void> {
    await Promise.all([this.list.refresh(), this.details.reload()]);
  }

  /**
   * Select one run and show its details, switching to its experiment (and to the
   * deleted view for a deleted run) when the list shows another.
   */
  async openRun(runId: string): Promise<void> {
    this._compared = null;
    this._setInspector('details');
    await this.details.load(runId);
    const run = this.details.run;
    if (!run) {
      return;
    }
    if (this.list.experiment?.id !== run.experiment_id) {
      await this._showExperimentOf(run);
    }
    this.list.setView(run.deleted_time === null ? 'active' : 'deleted');
    this.list.selection.setIds([run.id]);
  }

  /** Compare the selected runs. */
  compareSelected(): void {
    if (this.list.selection.size < 2) {
      return;
    }
    this._compared = null;
    this._setInspector('compare');
    this._updateComparison();
  }

  /** A chart mark was clicked: select that run and show it, remembering the comparison. */
  selectFromChart(runId: string): void {
    const compared = this.list.selection.ids;
    this._setInspector('details');
    this.list.selection.setIds([runId]);
    this._compared = compared;
    this._changed.emit();
  }

  /** Return to the comparison a chart click left. */
  backToComparison(): void {
    const compared = this._compared;
    if (compared) {
      this._compared = null;
      this._setInspector('compare');
      this.list.selection.setIds(compared);
    }
  }

  /** A run just logged by this front end: show it at once (atop the list while pending). */
  async runLogged(run: IRun | PendingRun<IRun>): Promise<void> {
    if (isPending(run)) {
      await Promise.all([this.sync?.refresh(), this.list.reloadExperiments()]);
      return;
    }
    await this.list.refresh();
    if (
      run.experiment_id === this.list.experiment?.id &&
      this._inspector === 'details'
    ) {
      this.list.selection.setIds([run.id]);
    }
  }

  /** Release the models and the feed connection; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._live.setVisible(this, false);
    this.sync?.setVisible(this, false);
    this._live.changed.disconnect(this._onLiveChanged, this);
    this.sync?.changed.disconnect(this._onSyncChanged, this);
    this.list.dispose();
    this.details.dispose();
    this.compare.dispose();
    Signal.clearData(this);
  }

  private _setInspector(inspector: Inspector): void {
    if (inspector !== this._inspector) {
      this._inspector = inspector;
      this._changed.emit();
    }
  }

  private _onSelectionChanged(): void {
    const selection = this.list.selection;
    const ids = selection.ids;
    if (ids.length === 1) {
      if (this._inspector === 'compare') {
        this._setInspector('details');
      }
      void this.details.load(ids[0]);
    } else if (ids.length > 1 && this._inspector === 'compare') {
      this._updateComparison();
    } else if (ids.length > 1 && selection.focus !== null) {
      const focused = this.list.peekRow(selection.focus);
      if (focused && selection.has(focused.id)) {
        void this.details.load(focused.id);
      }
    }
    if (this._compared && ids.length !== 1) {
      this._compared = null;
    }
    this._changed.emit();
  }

  private _updateComparison(): void {
    const experiment = this.list.experiment;
    if (experiment) {
      this.compare.setRuns(
        experiment,
        this.list.selectedRuns,
        this.list.metric
      );
    }
  }

  /** Point the list at the experiment of `run` (following the notebook if it is that one). */
  private async _showExperimentOf(run: IRun): Promise<void> {
    let experiment = this.list.experiments.all.find(
      e => e.id === run.experiment_id
    );
    if (!experiment) {
      await this.list.refresh();
      experiment = this.list.experiments.all.find(
        e => e.id === run.experiment_id
      );
    }
    if (experiment) {
      this.list.experiments.pin(
        experiment.name === this.list.experiments.notebook
          ? null
          : experiment.name
      );
    }
  }

  private _onRunUpdated(): void {
    void this.list.refresh();
  }

  /**
   * Runs were delivered from the outbox: reload, whatever the change feed says (a feed
   * whose cursor was read while the server was down starts after the deliveries).
   */
  private _onSyncChanged(_: ISyncMonitor, status: ISyncStatus | null): void {
    const delivered = status?.last_delivered_at ?? null;
    if (this._delivered !== undefined && delivered !== this._delivered) {
      void this.list.refresh();
    }
    this._delivered = delivered;
  }

  private _onLiveChanged(_: ILiveUpdates, change: ILiveUpdates.IChanged): void {
    const shown = this.list.experiment?.id;
    if (shown && change.experimentIds.has(shown)) {
      void this.list.refresh();
    } else {
      // Other experiments changed: their run counts, or the one followed now exists.
      void this.list.reloadExperiments();
    }
    const runId = this.details.runId;
    if (runId && change.changes.some(c => c.id === runId)) {
      void this.details.reload();
    }
  }

  private _live: ILiveUpdates;
  /** When runs were last delivered, as last seen; undefined before the first status. */
  private _delivered: number | null | undefined = undefined;
  private _liveRefresh = true;
  private _visible = false;
  private _inspector: Inspector = 'details';
  private _compared: string[] | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** A namespace for RunsPanelModel statics. */
export namespace RunsPanelModel {
  /** Options of the model. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
    /** The store's change feed. */
    live: ILiveUpdates;
    /** The outbox status poll. */
    sync?: ISyncMonitor | null;
    /** Runs per page. */
    pageSize?: number;
  }
}
