import { IKeys, IRunSummary, MetricValue } from '../api/types';
import { keyExpression, KeyEntity } from '../models/keys';

/** Which value of a metric's history a cell shows. */
export type MetricSummary = 'last' | 'best' | 'min' | 'max';

/** A column of the runs table. */
export interface IColumn {
  /** Stable id: `<entity>.<key>`, e.g. `metrics.accuracy`, `attributes.version`. */
  id: string;
  /** What the column reads from a run. */
  entity: KeyEntity;
  /** Key (or attribute name). */
  key: string;
  /** Expression the server sorts on. */
  sort: string;
  /** Width in pixels. */
  width: number;
  /** Whether values are numbers (right-aligned). */
  numeric: boolean;
}

/** A cell's value: text, a number (metrics), or null when the run has none. */
export type CellValue = string | number | null;

/** Run attributes offered as columns, in display order. */
export const ATTRIBUTE_COLUMNS: ReadonlyArray<{
  key: string;
  width: number;
  numeric: boolean;
}> = [
  { key: 'version', width: 72, numeric: true },
  { key: 'name', width: 120, numeric: false },
  { key: 'status', width: 96, numeric: false },
  { key: 'start_time', width: 168, numeric: true },
  { key: 'duration', width: 96, numeric: true },
  { key: 'source', width: 84, numeric: false },
  { key: 'user', width: 100, numeric: false },
  { key: 'notebook_path', width: 180, numeric: false },
  { key: 'experiment_id', width: 160, numeric: false },
  { key: 'note', width: 180, numeric: false },
  { key: 'id', width: 120, numeric: false }
];

/** Default visible columns: a few attributes and every metric and param. */
export const DEFAULT_COLUMNS = [
  'attributes.version',
  'attributes.name',
  'attributes.status',
  'attributes.start_time',
  'attributes.duration',
  'metrics.*',
  'params.*'
];

/** Every column the keys allow: attributes, then metrics, params and tags. */
export function allColumns(keys: IKeys): IColumn[] {
  const columns: IColumn[] = ATTRIBUTE_COLUMNS.map(a => ({
    id: `attributes.${a.key}`,
    entity: 'attributes',
    key: a.key,
    sort: a.key === 'experiment_id' ? 'experiment_id' : a.key,
    width: a.width,
    numeric: a.numeric
  }));
  const keyed: Array<[KeyEntity, string[], number, boolean]> = [
    ['metrics', keys.metrics, 110, true],
    ['params', keys.params, 120, false],
    ['tags', keys.tags, 120, false]
  ];
  for (const [entity, names, width, numeric] of keyed) {
    for (const key of names) {
      columns.push({
        id: `${entity}.${key}`,
        entity,
        key,
        sort: keyExpression(entity, key),
        width,
        numeric
      });
    }
  }
  return columns;
}

/** Which columns are shown: matching a pattern (`metrics.*` or an id), or shown by hand. */
export interface IColumnChoice {
  /** Ids and `<entity>.*` wildcards, from the settings. */
  patterns: string[];
  /** Ids shown by hand. */
  shown: string[];
  /** Ids hidden by hand. */
  hidden: string[];
}

/** Whether a column is visible under a choice. */
export function isVisible(column: IColumn, choice: IColumnChoice): boolean {
  if (choice.hidden.includes(column.id)) {
    return false;
  }
  return (
    choice.shown.includes(column.id) ||
    choice.patterns.some(p => p === column.id || p === `${column.entity}.*`)
  );
}

/** Which stored value a metric column shows: `best` is the max or the min by direction. */
export function metricValue(
  summary: MetricSummary,
  higherIsBetter: boolean
): MetricValue {
  return summary === 'best' ? (higherIsBetter ? 'max' : 'min') : summary;
}

/** The raw value of a cell, before formatting. */
export function cellValue(
  run: IRunSummary,
  column: IColumn,
  summary: MetricSummary,
  higherIsBetter: (key: string) => boolean,
  experimentName: (id: string) => string
): CellValue {
  switch (column.entity) {
    case 'metrics': {
      const metric = own(run.metrics, column.key);
      if (!metric) {
        return null;
      }
      const pick = metricValue(summary, higherIsBetter(column.key));
      return pick === 'last' ? metric.value : metric[pick];
    }
    case 'params':
      return own(run.params, column.key)?.value ?? null;
    case 'tags':
      return own(run.tags, column.key) ?? null;
    default:
      return attributeValue(run, column.key, experimentName);
  }
}

/**
 * `record[key]` only when the record itself holds the key: keys are whatever users logged,
 * and one named `constructor` or `toString` must not read Object.prototype's member.
 */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key)
    ? record[key]
    : undefined;
}

function attributeValue(
  run: IRunSummary,
  key: string,
  experimentName: (id: string) => string
): CellValue {
  switch (key) {
    case 'duration':
      return run.duration_ms;
    case 'experiment_id':
      return experimentName(run.experiment_id);
    default: {
      const value = (run as unknown as Record<string, unknown>)[key];
      return typeof value === 'string' || typeof value === 'number'
        ? value
        : null;
    }
  }
}
