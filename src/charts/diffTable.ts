import { formatNumber } from '../format';
import { ICompareModel, IRunPoint } from './types';

/** One cell of the diff table. */
export interface IDiffCell {
  /** The value as text ('' when the run lacks the key). */
  readonly text: string;
  /** Whether the run lacks the key. */
  readonly missing: boolean;
}

/** One row of the diff table: a param or metric key across the runs. */
export interface IDiffRow {
  /** Whether the key is a param or a metric. */
  readonly section: 'param' | 'metric';
  /** The key. */
  readonly key: string;
  /** One cell per column. */
  readonly cells: ReadonlyArray<IDiffCell>;
  /** Whether the runs do not all have the same value (a missing value counts as one). */
  readonly differs: boolean;
}

/** A compact diff of runs' params and metrics as plain data: rows = keys, columns = runs. */
export interface IDiffTable {
  /** The runs shown, as columns. */
  readonly columns: ReadonlyArray<{
    readonly id: string;
    readonly label: string;
  }>;
  /** Params first, then metrics, each sorted by key. */
  readonly rows: ReadonlyArray<IDiffRow>;
  /** Runs not shown because of `maxRuns`. */
  readonly hiddenRuns: number;
  /** Rows left out because every run has the same value (with `onlyDiffering`). */
  readonly sameRows: number;
}

/** Options of `buildDiffTable`. */
export interface IDiffOptions {
  /** Most runs shown as columns (default 12). */
  maxRuns?: number;
  /** Leave out rows where every run has the same value (default false). */
  onlyDiffering?: boolean;
}

/** The text of a metric: formatted finite value, `NaN`/`±Infinity`, or undefined. */
function metricText(run: IRunPoint, key: string): string | undefined {
  const value = run.metrics[key];
  if (value !== undefined) {
    return formatNumber(value, 6);
  }
  return run.nonFinite[key];
}

/** Build the diff of a model's runs (the first `maxRuns` of them). */
export function buildDiffTable(
  model: ICompareModel,
  options: IDiffOptions = {}
): IDiffTable {
  const maxRuns = options.maxRuns ?? 12;
  const runs = model.runs.slice(0, maxRuns);
  const sections: Array<{
    section: IDiffRow['section'];
    keys: readonly string[];
    read: (run: IRunPoint, key: string) => string | undefined;
  }> = [
    { section: 'param', keys: model.paramKeys, read: (r, k) => r.params[k] },
    { section: 'metric', keys: model.metricKeys, read: metricText }
  ];
  const rows: IDiffRow[] = [];
  let sameRows = 0;
  for (const { section, keys, read } of sections) {
    for (const key of keys) {
      const values = runs.map(run => read(run, key));
      if (values.every(v => v === undefined)) {
        continue;
      }
      const differs = new Set(values).size > 1;
      if (!differs && options.onlyDiffering) {
        sameRows++;
        continue;
      }
      const cells = values.map(v => ({
        text: v ?? '',
        missing: v === undefined
      }));
      rows.push({ section, key, cells, differs });
    }
  }
  return {
    columns: runs.map(r => ({ id: r.id, label: r.label })),
    rows,
    hiddenRuns: model.runs.length - runs.length,
    sameRows
  };
}
