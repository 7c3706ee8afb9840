import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IExperiment, IKeys, IRunSummary } from '../../api/types';
import { RunsQuery } from '../../models/runsQuery';
import { RunSelection } from '../../models/selection';
import { IPanelError, panelError } from '../errors';
import { DEFAULT_STATE, IPanelState, ListView } from '../state';
import { ExperimentChoice } from './experimentChoice';
import { ISortState, nextSort, orderByClause, SortColumn } from './query';
import type { IRunsClient } from '../../tokens';

const NO_KEYS: IKeys = { params: [], metrics: [], tags: [] };

/**
 * State of the compact run list: which experiment (the active notebook's, or one picked),
 * the experiments to pick from, the search (filter, sort, deleted view) run server-side by
 * a `RunsQuery`, the metric column, how many rows are shown, and the selection.
 */
export class RunsListModel implements IDisposable, RunSelection.ISource {
  /** Create a list reading through `client`. */
  constructor(options: RunsListModel.IOptions) {
    this._client = options.client;
    this._pageSize = options.pageSize ?? 100;
    this._shown = this._pageSize;
    this.selection = new RunSelection(this);
    this.selection.changed.connect(this._emit, this);
    this.experiments = new ExperimentChoice(options.client);
    this.experiments.changed.connect(this._emit, this);
    this.experiments.chosenChanged.connect(this._experimentChanged, this);
  }

  /** The selected runs (by id), with anchor and keyboard focus. */
  readonly selection: RunSelection;

  /** The experiment shown (followed or picked) and the experiments to pick from. */
  readonly experiments: ExperimentChoice;

  /** Emitted whenever anything the list shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when a persisted choice (experiment, filter, sort, metric, view) changes. */
  get stateChanged(): ISignal<this, IPanelState> {
    return this._stateChanged;
  }

  /** The persisted choices. */
  get state(): IPanelState {
    return {
      experiment: this.experiments.pinned,
      filter: this._filter,
      sort: this._sort,
      metric: this._metricChoice,
      view: this._view
    };
  }

  /** The experiment shown; null when it has no runs yet (or none is chosen). */
  get experiment(): IExperiment | null {
    return this.experiments.current;
  }

  /** Param, metric and tag keys of the experiment (columns, completion). */
  get keys(): IKeys {
    return this._keys;
  }

  /** The metric shown in the list: the one picked, else the default setting, else the first. */
  get metric(): string | null {
    const metrics = this._keys.metrics;
    for (const wanted of [this._metricChoice, this._defaultMetric]) {
      if (wanted && metrics.includes(wanted)) {
        return wanted;
      }
    }
    return metrics[0] ?? null;
  }

  /** The filter text. */
  get filter(): string {
    return this._filter;
  }

  /** The sort. */
  get sort(): ISortState {
    return this._sort;
  }

  /** Active or deleted runs. */
  get view(): ListView {
    return this._view;
  }

  /** The filter error the server reported (with its position), or null. */
  get filterError(): RunsQuery.IError | null {
    const error = this._active?.error;
    return error && this._filter.trim() ? error : null;
  }

  /** A failure other than a bad filter, or null. */
  get error(): IPanelError | null {
    const queryError = this._active?.error;
    if (queryError && !this.filterError) {
      return { kind: 'other', message: queryError.message };
    }
    return this.experiments.error ?? this._error;
  }

  /** Whether a request is under way. */
  get loading(): boolean {
    return this.experiments.loading || (this._active?.loading ?? false);
  }

  /** Runs matching the search. */
  get total(): number {
    return this._active?.total ?? 0;
  }

  /** Whether `total` is "at least" (see `RunsQuery.totalIsLowerBound`). */
  get totalIsLowerBound(): boolean {
    return this._active?.totalIsLowerBound ?? false;
  }

  /** The rows shown, in order (loaded ones only). */
  get rows(): readonly IRunSummary[] {
    const rows: IRunSummary[] = [];
    const count = Math.min(this._shown, this.total);
    for (let index = 0; index < count; index++) {
      const run = this._active?.peekRow(index);
      if (run) {
        rows.push(run);
      }
    }
    return rows;
  }

  /** Whether more rows match than are shown. */
  get hasMore(): boolean {
    return this._shown < this.total;
  }

  /** The run at a row, if loaded (`RunSelection.ISource`). */
  peekRow(index: number): IRunSummary | undefined {
    return this._active?.peekRow(index);
  }

  /** Loaded rows with their index (`RunSelection.ISource`). */
  loadedRows(): Array<[number, IRunSummary]> {
    return this._active?.loadedRows() ?? [];
  }

  /** The selected runs that are loaded, in list order. */
  get selectedRuns(): IRunSummary[] {
    return this.loadedRows()
      .map(([, run]) => run)
      .filter(run => this.selection.has(run.id));
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Restore persisted choices (before the first load). */
  restore(state: IPanelState): void {
    this.experiments.pin(state.experiment);
    this._filter = state.filter;
    this._sort = state.sort;
    this._metricChoice = state.metric;
    this._view = state.view;
    this._search();
  }

  /** Apply settings. */
  configure(options: { pageSize?: number; defaultMetric?: string }): void {
    if (options.defaultMetric !== undefined) {
      this._defaultMetric = options.defaultMetric || null;
      this._applySort();
    }
    if (options.pageSize && options.pageSize !== this._pageSize) {
      this._pageSize = options.pageSize;
      this._shown = Math.max(this._shown, options.pageSize);
      this._query?.setQuery({ pageSize: options.pageSize });
    }
    this._emit();
  }

  /** Search with another filter. */
  setFilter(filter: string): void {
    if (filter !== this._filter) {
      this._filter = filter;
      this._search();
      this._stateChanged.emit(this.state);
    }
  }

  /** Sort by a column; the same column again flips the direction. */
  toggleSort(column: SortColumn): void {
    this._sort = nextSort(this._sort, column);
    this._applySort();
    this._stateChanged.emit(this.state);
  }

  /** Show another metric in the list (and sort by it when sorting by metric). */
  setMetric(metric: string): void {
    this._metricChoice = metric;
    this._applySort();
    this._stateChanged.emit(this.state);
    this._emit();
  }

  /** Show active or deleted runs; the selection is cleared. */
  setView(view: ListView): void {
    if (view !== this._view) {
      this._view = view;
      this.selection.clear();
      this._search();
      this._stateChanged.emit(this.state);
    }
  }

  /** Show another page of rows. */
  loadMore(): Promise<void> {
    this._shown += this._pageSize;
    this._emit();
    return this._requestShown();
  }

  /** Reload experiments, keys and the rows shown; resolves when all have arrived. */
  async refresh(): Promise<void> {
    await this.experiments.load();
    await Promise.all([this._loadKeys(), this._refreshQuery()]);
    await this._settled();
  }

  /** Reload the experiment list (run counts); search when the experiment shown appears. */
  async reloadExperiments(): Promise<void> {
    await this.experiments.load();
    if (this.experiment && !this._active) {
      await Promise.all([this._loadKeys(), this._refreshQuery()]);
    }
  }

  /** Release the query and the selection; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._query?.dispose();
    this.selection.dispose();
    this.experiments.dispose();
    Signal.clearData(this);
  }

  /** The query, when it searches the experiment shown (else its rows are another's). */
  private get _active(): RunsQuery | null {
    const experiment = this.experiment;
    return experiment && this._query?.experimentIds[0] === experiment.id
      ? this._query
      : null;
  }

  private _experimentChanged(_: ExperimentChoice, nameChanged: boolean): void {
    if (!nameChanged) {
      this._stateChanged.emit(this.state);
      this._emit();
      return;
    }
    this.selection.clear();
    this.selection.resetPositions();
    this._keys = NO_KEYS;
    this._shown = this._pageSize;
    this._stateChanged.emit(this.state);
    this._emit();
    void this.refresh();
  }

  /** Point the query at the current experiment and search (no request without one). */
  private _search(): void {
    const experiment = this.experiment;
    this._shown = this._pageSize;
    this.selection.resetPositions();
    if (!experiment) {
      this._emit();
      return;
    }
    const search: Partial<RunsQuery.IState> = {
      experimentIds: [experiment.id],
      filter: this._filter.trim(),
      orderBy: [orderByClause(this._sort, this.metric)],
      view: this._view,
      pageSize: this._pageSize
    };
    if (this._query) {
      this._query.setQuery(search);
    } else {
      this._query = new RunsQuery({ client: this._client, ...search });
      this._query.changed.connect(this._onQueryChanged, this);
    }
    this._emit();
  }

  private _applySort(): void {
    this._active?.setQuery({
      orderBy: [orderByClause(this._sort, this.metric)]
    });
  }

  private _onQueryChanged(_: RunsQuery, change: RunsQuery.Change): void {
    if (change === 'rows') {
      this.selection.resolve();
    }
    this._emit();
  }

  private async _refreshQuery(): Promise<void> {
    const experiment = this.experiment;
    if (!experiment) {
      return;
    }
    const active = this._active;
    if (active) {
      await active.refresh();
    } else {
      this._search();
    }
    await this._requestShown();
  }

  /**
   * Resolves once the query has no request under way: a concurrent refresh (another
   * notebook, a live update) may have replaced the load this one started.
   */
  private _settled(): Promise<void> {
    const query = this._active;
    if (!query?.loading) {
      return Promise.resolve();
    }
    return new Promise(resolve => {
      const onChange = () => {
        if (!query.loading) {
          query.changed.disconnect(onChange);
          resolve();
        }
      };
      query.changed.connect(onChange);
    });
  }

  private _requestShown(): Promise<void> {
    return this._active?.requestRange(0, this._shown) ?? Promise.resolve();
  }

  private async _loadKeys(): Promise<void> {
    const experiment = this.experiment;
    if (!experiment) {
      return;
    }
    const metricBefore = this.metric;
    try {
      const keys = await this._client.keys([experiment.id]);
      if (this.experiment?.id !== experiment.id) {
        return;
      }
      this._keys = keys;
      // A failure of an earlier load (the server was down) is over.
      this._error = null;
      if (this.metric !== metricBefore && this._sort.column === 'metric') {
        this._applySort();
      }
      this._emit();
    } catch (reason) {
      this._error = panelError(reason);
      this._emit();
    }
  }

  private _emit(): void {
    if (!this._isDisposed) {
      this._changed.emit();
    }
  }

  private _client: IRunsClient;
  private _pageSize: number;
  private _shown: number;
  private _query: RunsQuery | null = null;
  private _keys: IKeys = NO_KEYS;
  private _filter = DEFAULT_STATE.filter;
  private _sort: ISortState = DEFAULT_STATE.sort;
  private _metricChoice: string | null = DEFAULT_STATE.metric;
  private _defaultMetric: string | null = null;
  private _view: ListView = DEFAULT_STATE.view;
  private _error: IPanelError | null = null;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, IPanelState>(this);
}

/** A namespace for RunsListModel statics. */
export namespace RunsListModel {
  /** Options of the model. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
    /** Runs per page. */
    pageSize?: number;
  }
}
