import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IKeys, IRunSummary, RunView } from '../api/types';
import { RunsQuery } from '../models/runsQuery';
import { RunSelection } from '../models/selection';
import {
  allColumns,
  CellValue,
  cellValue,
  DEFAULT_COLUMNS,
  IColumn,
  isVisible,
  metricValue,
  MetricSummary
} from './columns';
import { ExportFormat, exportRuns } from './export';
import { higherIsBetter } from '../metricDirection';
import type { IRunsClient } from '../tokens';

/** What a runs table restores after a reload. */
export interface IRunsTableState {
  /** Experiments shown; empty means all. */
  experimentIds: string[];
  /** Filter text. */
  filter: string;
  /** `order_by` clauses. */
  orderBy: string[];
  /** Active, deleted or all runs. */
  view: RunView;
  /** Columns shown by hand. */
  shown: string[];
  /** Columns hidden by hand. */
  hidden: string[];
  /** Metric value shown. */
  summary: MetricSummary;
  /** Per-metric "higher is better" overrides. */
  higherIsBetter: Record<string, boolean>;
}

/** Progress of an export under way. */
export interface IExportProgress {
  /** File format. */
  format: ExportFormat;
  /** Runs written. */
  done: number;
  /** Runs to write. */
  total: number;
}

/**
 * State of one runs table: the query and its row cache, the selection, the columns and how
 * metric cells summarize their history. No DOM; views listen to the signals.
 */
export class RunsTableModel implements IDisposable {
  /** Create the model; rows, keys and experiment names start loading at once. */
  constructor(options: RunsTableModel.IOptions) {
    const state = options.state ?? {};
    this.client = options.client;
    this.query = new RunsQuery({
      client: options.client,
      experimentIds: state.experimentIds ?? [],
      filter: state.filter ?? '',
      orderBy: state.orderBy ?? [],
      view: state.view ?? 'active',
      pageSize: options.pageSize,
      // 2,000 rows at the default page size: enough to scroll back without refetching,
      // small enough that garbage collection stays short while scrolling far.
      maxCachedPages: 20
    });
    this.selection = new RunSelection(this.query);
    this._patterns = options.defaultColumns ?? DEFAULT_COLUMNS;
    this._shown = state.shown ?? [];
    this._hidden = state.hidden ?? [];
    this._summary = state.summary ?? options.metricSummary ?? 'last';
    this._higherIsBetter = { ...(state.higherIsBetter ?? {}) };
    this.query.changed.connect(this._onQueryChanged, this);
    void this.loadKeys();
    void this._loadExperiments();
  }

  /** REST client. */
  readonly client: IRunsClient;
  /** The search and its rows. */
  readonly query: RunsQuery;
  /** Selected runs. */
  readonly selection: RunSelection;

  /** Emitted when columns, summary, keys, names or export progress change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted when anything `toJSON` returns changes. */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /** Keys of the runs shown. */
  get keys(): IKeys {
    return this._keys;
  }

  /** Every column the keys allow. */
  get columns(): IColumn[] {
    return this._columns;
  }

  /** Columns shown, in order. */
  get visibleColumns(): IColumn[] {
    return this._visible;
  }

  /** Which metric value cells show. */
  get metricSummary(): MetricSummary {
    return this._summary;
  }

  /** Export under way, or null. */
  get exporting(): IExportProgress | null {
    return this._exporting;
  }

  /** Whether the column chooser is open. */
  get chooserOpen(): boolean {
    return this._chooserOpen;
  }

  /** Names of the experiments shown, or an empty list for all experiments. */
  get experimentLabels(): string[] {
    return this.query.experimentIds.map(id => this.experimentName(id));
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Increases whenever what cells or headers show changes (columns, summary, names). */
  get revision(): number {
    return this._revision;
  }

  /** An experiment's name (its id until names are loaded). */
  experimentName(id: string): string {
    return this._names.get(id) ?? id;
  }

  /** Whether a metric improves upward (override, else guessed from its name). */
  higherIsBetter(key: string): boolean {
    return higherIsBetter(key, this._higherIsBetter);
  }

  /** The value a cell shows. */
  cellValue(run: IRunSummary, column: IColumn): CellValue {
    return cellValue(
      run,
      column,
      this._summary,
      key => this.higherIsBetter(key),
      id => this.experimentName(id)
    );
  }

  /** Show or hide columns by id. */
  setColumnsVisible(ids: string[], visible: boolean): void {
    const add = visible ? this._shown : this._hidden;
    const remove = visible ? this._hidden : this._shown;
    for (const id of ids) {
      if (!add.includes(id)) {
        add.push(id);
      }
      const at = remove.indexOf(id);
      if (at >= 0) {
        remove.splice(at, 1);
      }
    }
    this._update();
  }

  /** Choose the metric value shown: last, best of the history, min or max. */
  setMetricSummary(summary: MetricSummary): void {
    if (summary !== this._summary) {
      this._summary = summary;
      this._update();
    }
  }

  /** Override whether a metric improves upward (for the "best" summary). */
  setHigherIsBetter(key: string, value: boolean): void {
    this._higherIsBetter[key] = value;
    this._update();
  }

  /** Open or close the column chooser. */
  toggleChooser(open = !this._chooserOpen): void {
    this._chooserOpen = open;
    this._changed.emit();
  }

  /** Apply settings. */
  configure(settings: RunsTableModel.ISettings): void {
    if (settings.pageSize && settings.pageSize !== this.query.pageSize) {
      this.query.setQuery({ pageSize: settings.pageSize });
    }
    if (settings.defaultColumns) {
      this._patterns = settings.defaultColumns;
    }
    this._update();
  }

  /** Reload keys and the rows shown (after runs changed elsewhere). */
  async refresh(): Promise<void> {
    await Promise.all([this.query.refresh(), this.loadKeys()]);
  }

  /** Fetch the keys of the experiments shown. */
  async loadKeys(): Promise<void> {
    try {
      const keys = await this.client.keys([...this.query.experimentIds]);
      if (!this._isDisposed) {
        this._keys = keys;
        this._update(false);
      }
    } catch {
      // Columns stay as they were; the query reports connection errors.
    }
  }

  /** All runs matching the query, in the columns shown; null when cancelled. */
  async export(format: ExportFormat): Promise<Blob | null> {
    this._abort?.abort();
    const abort = new AbortController();
    this._abort = abort;
    this._exporting = { format, done: 0, total: this.query.total };
    this._changed.emit();
    try {
      return await exportRuns({
        client: this.client,
        query: this.query.toQuery(),
        columns: this._visible,
        metricValue: key =>
          metricValue(this._summary, this.higherIsBetter(key)),
        format,
        signal: abort.signal,
        onProgress: (done, total) => {
          if (this._abort === abort && !this._isDisposed) {
            this._exporting = { format, done, total };
            this._changed.emit();
          }
        }
      });
    } catch (reason) {
      if (abort.signal.aborted) {
        return null;
      }
      throw reason;
    } finally {
      if (this._abort === abort && !this._isDisposed) {
        this._abort = null;
        this._exporting = null;
        this._changed.emit();
      }
    }
  }

  /** Stop the export under way. */
  cancelExport(): void {
    this._abort?.abort();
  }

  /** The state to restore this table. */
  toJSON(): IRunsTableState {
    const { experimentIds, filter, orderBy, view } = this.query.state;
    return {
      experimentIds: [...experimentIds],
      filter,
      orderBy: [...orderBy],
      view,
      shown: [...this._shown],
      hidden: [...this._hidden],
      summary: this._summary,
      higherIsBetter: { ...this._higherIsBetter }
    };
  }

  /** Release the query and the selection; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._abort?.abort();
    this.query.dispose();
    this.selection.dispose();
    Signal.clearData(this);
  }

  private _onQueryChanged(_: RunsQuery, change: RunsQuery.Change): void {
    if (change === 'query') {
      this.selection.resetPositions();
      this._stateChanged.emit();
    } else if (change === 'rows') {
      this.selection.resolve();
    }
  }

  private async _loadExperiments(): Promise<void> {
    try {
      const experiments = await this.client.listExperiments('all');
      this._names = new Map(experiments.map(e => [e.id, e.name]));
      if (!this._isDisposed) {
        this._revision++;
        this._changed.emit();
      }
    } catch {
      // Ids stand in for names.
    }
  }

  private _update(stateChanged = true): void {
    this._columns = allColumns(this._keys);
    const choice = {
      patterns: this._patterns,
      shown: this._shown,
      hidden: this._hidden
    };
    this._visible = this._columns.filter(c => isVisible(c, choice));
    this._revision++;
    this._changed.emit();
    if (stateChanged) {
      this._stateChanged.emit();
    }
  }

  private _keys: IKeys = { params: [], metrics: [], tags: [] };
  private _columns: IColumn[] = allColumns(this._keys);
  private _visible: IColumn[] = [];
  private _patterns: string[];
  private _shown: string[];
  private _hidden: string[];
  private _summary: MetricSummary;
  private _higherIsBetter: Record<string, boolean>;
  private _names = new Map<string, string>();
  private _exporting: IExportProgress | null = null;
  private _abort: AbortController | null = null;
  private _chooserOpen = false;
  private _revision = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, void>(this);
}

/** A namespace for RunsTableModel statics. */
export namespace RunsTableModel {
  /** Settings of the table plugin the model follows. */
  export interface ISettings {
    /** Runs per page. */
    pageSize?: number;
    /** Columns shown unless hidden by hand (ids and `<entity>.*`). */
    defaultColumns?: string[];
  }

  /** Options of the model. */
  export interface IOptions extends ISettings {
    /** REST client. */
    client: IRunsClient;
    /** State to start from (restored, or from the open command). */
    state?: Partial<IRunsTableState>;
    /** Metric value shown unless the state says otherwise. */
    metricSummary?: MetricSummary;
  }
}
