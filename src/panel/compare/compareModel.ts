import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IExperiment, IMetricPoint, IRunSummary } from '../../api/types';
import {
  ChartKind,
  IChartChoice,
  ICompareBundlePayload,
  ValidationResult,
  validateCompare
} from '../../charts';
import { comparePayload, RunHistories } from '../../charts/fromRuns';
import { historyPointBudget } from '../../charts/history';
import { IPanelError, panelError } from '../errors';
import type { IRunsClient } from '../../tokens';

/** Most param axes chosen by default for parallel coordinates. */
const DEFAULT_PARAMS = 4;

/** Most runs whose histories a line chart fetches. */
const MAX_LINE_RUNS = 100;

/**
 * State of the compare section: the compared runs and the chart choice. Line charts
 * need metric histories, fetched on demand and cached. The payload it builds is the one
 * the inline renderer and "Insert into notebook" use.
 */
export class CompareModel implements IDisposable {
  /** Create a model reading through `client`. */
  constructor(options: CompareModel.IOptions) {
    this._client = options.client;
  }

  /** Emitted whenever anything the view shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The experiment of the compared runs, or null. */
  get experiment(): Pick<IExperiment, 'id' | 'name'> | null {
    return this._experiment;
  }

  /** The compared runs, in list order. */
  get runs(): readonly IRunSummary[] {
    return this._runs;
  }

  /** The chart choice. */
  get choice(): Readonly<Required<IChartChoice>> {
    return this._choice;
  }

  /** Whether histories are being fetched. */
  get loading(): boolean {
    return this._loading;
  }

  /** The last history fetch error, or null. */
  get error(): IPanelError | null {
    return this._error;
  }

  /** The payload validated (notes, keys), rebuilt when runs, choice or histories change. */
  get validated(): ValidationResult | null {
    if (this._validated === null && this._experiment) {
      this._validated = validateCompare(this.payload());
    }
    return this._validated;
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Compare `runs`; keeps the chart choice where it still applies. `metric` is the one to
   * chart when the current choice has none (the list's metric column).
   */
  setRuns(
    experiment: Pick<IExperiment, 'id' | 'name'>,
    runs: readonly IRunSummary[],
    metric: string | null
  ): void {
    this._experiment = { id: experiment.id, name: experiment.name };
    this._runs = [...runs];
    const metrics = keysOf(runs, run => run.metrics);
    const params = keysOf(runs, run => run.params);
    const choice = { ...this._choice };
    if (!metrics.includes(choice.metric)) {
      choice.metric =
        metric && metrics.includes(metric) ? metric : (metrics[0] ?? '');
    }
    choice.params = choice.params.filter(key => params.includes(key));
    if (choice.params.length === 0) {
      choice.params = defaultParams(runs, params);
    }
    this._choice = choice;
    this._invalidate();
    void this._ensureHistories();
  }

  /** Change the chart kind. */
  setKind(kind: ChartKind): void {
    this._setChoice({ kind });
  }

  /** Change the charted metric. */
  setMetric(metric: string): void {
    this._setChoice({ metric });
  }

  /** Change the params (scatter uses the first, parallel all). */
  setParams(params: string[]): void {
    this._setChoice({ params });
  }

  /** Change the smoothing of history lines (0..0.99). */
  setSmoothing(smoothing: number): void {
    this._setChoice({ smoothing: Math.min(0.99, Math.max(0, smoothing)) });
  }

  /** The compare payload of the current runs and choice (histories only for line charts). */
  payload(): ICompareBundlePayload {
    const experiment = this._experiment ?? { id: '', name: '' };
    const histories: RunHistories = new Map();
    if (this._choice.kind === 'line') {
      const key = this._choice.metric;
      const budget = this._historyBudget();
      for (const run of this._runs) {
        const points = this._histories.get(historyKey(run.id, key, budget));
        if (points) {
          histories.set(run.id, new Map([[key, points]]));
        }
      }
    }
    return comparePayload(
      experiment,
      this._runs,
      { ...this._choice, params: [...this._choice.params] },
      histories
    );
  }

  /** Release the model; idempotent. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private _setChoice(change: Partial<IChartChoice>): void {
    this._choice = { ...this._choice, ...change };
    this._invalidate();
    void this._ensureHistories();
  }

  private _invalidate(): void {
    this._validated = null;
    this._changed.emit();
  }

  /** Fetch the histories a line chart of the chosen metric needs. */
  private async _ensureHistories(): Promise<void> {
    const key = this._choice.metric;
    if (this._choice.kind !== 'line' || !key) {
      return;
    }
    const budget = this._historyBudget();
    const missing = this._runs
      .slice(0, MAX_LINE_RUNS)
      .filter(
        run =>
          run.metrics[key] !== undefined &&
          !this._histories.has(historyKey(run.id, key, budget))
      );
    if (missing.length === 0) {
      return;
    }
    const ticket = ++this._ticket;
    this._loading = true;
    this._changed.emit();
    try {
      const fetched = await this._client.metricHistories(
        missing.map(run => run.id),
        [key],
        budget
      );
      missing.forEach(run =>
        this._histories.set(
          historyKey(run.id, key, budget),
          fetched.get(run.id)?.get(key) ?? []
        )
      );
      this._error = null;
    } catch (reason) {
      this._error = panelError(reason);
    } finally {
      if (ticket === this._ticket && !this._isDisposed) {
        this._loading = false;
        this._invalidate();
      }
    }
  }

  /** Points per history for the current runs: the inserted chart stays under 1 MB. */
  private _historyBudget(): number {
    return historyPointBudget(Math.min(this._runs.length, MAX_LINE_RUNS));
  }

  private _client: IRunsClient;
  private _experiment: Pick<IExperiment, 'id' | 'name'> | null = null;
  private _runs: IRunSummary[] = [];
  private _choice: Required<IChartChoice> = {
    kind: 'bar',
    metric: '',
    params: [],
    smoothing: 0
  };
  private _histories = new Map<string, readonly IMetricPoint[]>();
  private _validated: ValidationResult | null = null;
  private _loading = false;
  private _error: IPanelError | null = null;
  private _ticket = 0;
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/** A namespace for CompareModel statics. */
export namespace CompareModel {
  /** Options of the model. */
  export interface IOptions {
    /** REST client. */
    client: IRunsClient;
  }
}

// The budget is part of the key: a history fetched for fewer runs holds more points.
function historyKey(runId: string, key: string, budget: number): string {
  return `${runId}\u0000${key}\u0000${budget}`;
}

function keysOf(
  runs: readonly IRunSummary[],
  pick: (run: IRunSummary) => Record<string, unknown>
): string[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(pick(run)).forEach(key => keys.add(key)));
  return [...keys].sort();
}

/** Params whose values differ between the runs (the interesting axes), else the first ones. */
function defaultParams(runs: readonly IRunSummary[], keys: string[]): string[] {
  const varying = keys.filter(
    key => new Set(runs.map(run => run.params[key]?.value ?? '')).size > 1
  );
  return (varying.length ? varying : keys).slice(0, DEFAULT_PARAMS);
}
