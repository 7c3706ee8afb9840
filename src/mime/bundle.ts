import {
  barRows,
  buildSpec,
  defaultBuildOptions,
  formatIssue,
  ICompareBundlePayload,
  ICompareModel,
  ICompareRunPayload,
  IRunPoint,
  shorten,
  validateCompare,
  WireNumber
} from '../charts';
import { formatNumber } from '../format';
import { guessHigherIsBetter } from '../metricDirection';
import { COMPARE_MIME, VEGALITE_MIME, VEGALITE_V5_SCHEMA } from './mimeTypes';
import { ICompareBundle } from './types';

/** Most runs listed in the text table. */
const TEXT_MAX_ROWS = 50;

/** Most params shown as text-table columns. */
const TEXT_MAX_PARAMS = 5;

/** Widest text-table cell. */
const TEXT_MAX_CELL = 30;

/**
 * The output bundle of a comparison: the payload for our renderer, a static vega-lite 5
 * spec (inline data, no interactivity) for other front ends, and a text table.
 *
 * The payload is re-serialised from the validated model, so unknown fields are dropped
 * and non-finite numbers are spelled `"NaN"`/`"Infinity"`/`"-Infinity"`. Throws an
 * `Error` listing the problems when the payload is invalid.
 */
export function buildCompareBundle(payload: unknown): ICompareBundle {
  const result = validateCompare(payload);
  if (!result.ok) {
    throw new Error(result.errors.map(formatIssue).join('\n'));
  }
  const model = result.model;
  return {
    [COMPARE_MIME]: toPayload(model),
    [VEGALITE_MIME]: staticSpec(model),
    'text/plain': textTable(model)
  };
}

/** The compare payload of a validated model, optionally with another chart choice. */
export function toPayload(
  model: ICompareModel,
  chart: Partial<ICompareBundlePayload['chart']> = {}
): ICompareBundlePayload {
  return {
    version: 1,
    experiment: { ...model.experiment },
    chart: { ...model.chart, params: [...model.chart.params], ...chart },
    runs: model.runs.map(runPayload),
    created: model.created
  };
}

function runPayload(run: IRunPoint): ICompareRunPayload {
  const metrics: Record<string, WireNumber> = {
    ...run.metrics,
    ...run.nonFinite
  };
  const out: ICompareRunPayload = {
    id: run.id,
    version: run.version,
    name: run.name,
    params: { ...run.params },
    metrics
  };
  if (run.status !== null) {
    out.status = run.status;
  }
  const keys = new Set([
    ...Object.keys(run.history),
    ...Object.keys(run.excludedHistory)
  ]);
  if (keys.size > 0) {
    // Object.fromEntries defines keys, so a `__proto__` series stays a key.
    out.history = Object.fromEntries(
      [...keys].map(key => {
        const points: [number, WireNumber][] = [
          ...(run.history[key] ?? []),
          ...(run.excludedHistory[key] ?? [])
        ].map(([step, value]) => [step, value]);
        return [key, points.sort((a, b) => a[0] - b[0])];
      })
    );
  }
  return out;
}

/** The static vega-lite 5 spec of a model's chart choice (a text mark when empty). */
export function staticSpec(model: ICompareModel): { [key: string]: unknown } {
  const build = buildSpec(model, {
    ...defaultBuildOptions(model, false),
    interactive: false
  });
  if (build.status === 'ok') {
    return { ...build.spec, $schema: VEGALITE_V5_SCHEMA };
  }
  const text =
    build.reason === 'no-runs'
      ? 'No runs to compare.'
      : `No run has the values this chart needs (${model.chart.metric}).`;
  return {
    $schema: VEGALITE_V5_SCHEMA,
    data: { values: [{ text }] },
    mark: { type: 'text', align: 'left' },
    encoding: { text: { field: 'text', type: 'nominal' } }
  };
}

/**
 * A plain-text table of the runs: best first by the chart metric, runs lacking it last.
 * Mirrors `text_table` in `jupyterlab_runs/kernel/compare.py` (kept in step by a shared
 * test vector).
 */
export function textTable(model: ICompareModel): string {
  const { metric, kind } = model.chart;
  const higher = guessHigherIsBetter(metric);
  const { rows } = barRows(model, metric, higher);
  const byId = new Map(model.runs.map(r => [r.id, r]));
  const ranked = rows.map(r => byId.get(r.id) as IRunPoint);
  const rankedIds = new Set(rows.map(r => r.id));
  const order = [...ranked, ...model.runs.filter(r => !rankedIds.has(r.id))];
  const params = model.chart.params.slice(0, TEXT_MAX_PARAMS);
  const cell = (text: string) => shorten(text, TEXT_MAX_CELL);
  const table = [
    ['run', 'status', metric, ...params].map(cell),
    ...order
      .slice(0, TEXT_MAX_ROWS)
      .map(run =>
        [
          run.label,
          run.status ?? '',
          metricText(run, metric),
          ...params.map(p => run.params[p] ?? '')
        ].map(cell)
      )
  ];
  const widths = table[0].map((_, i) =>
    Math.max(...table.map(row => row[i].length))
  );
  const lines = [
    `${model.runs.length} run${model.runs.length === 1 ? '' : 's'} compared: ` +
      `${kind} of ${metric} ` +
      `(${higher ? 'higher' : 'lower'} is better)` +
      (model.experiment.name ? ` in ${model.experiment.name}` : ''),
    ...table.map(row =>
      row
        .map((text, i) => text.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
  ];
  if (order.length > TEXT_MAX_ROWS) {
    lines.push(`… ${order.length - TEXT_MAX_ROWS} more runs`);
  }
  if (model.notes.nonFinite > 0) {
    const n = model.notes.nonFinite;
    lines.push(`${n} value${n === 1 ? '' : 's'} excluded (NaN/Inf)`);
  }
  return lines.join('\n');
}

function metricText(run: IRunPoint, metric: string): string {
  const value = run.metrics[metric];
  if (value !== undefined) {
    return formatNumber(value, 6);
  }
  return run.nonFinite[metric] ?? '—';
}
