import type { TopLevelSpec } from 'vega-lite';
import {
  CHART_HEIGHT,
  DESCRIBED_BY_ROW,
  describeRow,
  CHART_WIDTH,
  DEFAULT_LABELS,
  IResolvedOptions,
  safeTitle,
  tooltipOf,
  VEGALITE_SCHEMA
} from './common';
import {
  ChartBuild,
  IChartLabels,
  ICompareModel,
  IMissingRun,
  LIMITS
} from './types';

/** One vertex of a history line. */
export interface IHistoryRow {
  /** Run id (for clicks). */
  id: string;
  /** Run display label (colour). */
  label: string;
  /** The step. */
  step: number;
  /** The smoothed value (the raw value when smoothing is 0). */
  value: number;
  /** The value as logged. */
  raw: number;
  /** What a screen reader says of the vertex: label, step and values. */
  description: string;
}

/** Most line vertices drawn over all runs; longer histories are thinned evenly. */
export const MAX_LINE_POINTS = 20_000;

/** Most bytes an inserted comparison adds to a saved notebook (as `MAX_BUNDLE_BYTES` in Python). */
export const MAX_BUNDLE_BYTES = 1_000_000;

/** What one history point adds to a saved notebook: payload plus static spec, indented. */
const SAVED_BYTES_PER_POINT = 300;

/**
 * Points to ask the server for per history of a chart of `series` lines (`max_points` of
 * `POST runs/metrics`, which keeps each bucket's lowest and highest value): two per pixel
 * column, fewer when the inserted output would pass `MAX_BUNDLE_BYTES` or the static spec
 * would thin them again (`MAX_LINE_POINTS`). Mirrors `build_compare_bundle` in Python.
 */
export function historyPointBudget(series: number): number {
  const lines = Math.max(series, 1);
  return Math.max(
    2,
    Math.min(
      2 * CHART_WIDTH,
      Math.floor(MAX_LINE_POINTS / lines),
      Math.floor(MAX_BUNDLE_BYTES / SAVED_BYTES_PER_POINT / lines)
    )
  );
}

/**
 * Points per run a zoomed history chart asks the server for (`max_points` with a
 * `step_range`): two per pixel column, fewer when many lines would pass `MAX_LINE_POINTS`.
 * Nothing is saved, so the notebook's size bound plays no part; `historyRows` keeps them all.
 */
export function historyZoomBudget(series: number): number {
  return Math.max(
    2,
    Math.min(2 * CHART_WIDTH, Math.floor(MAX_LINE_POINTS / Math.max(series, 1)))
  );
}

/**
 * The interval selection of an interactive history chart, bound to its x scale: Ctrl+wheel
 * zooms and dragging pans the steps; its signal tells the renderer which steps are shown.
 */
export const HISTORY_ZOOM_PARAM = 'stepZoom';

/** The wheel zooms with Ctrl (⌘) held only, so scrolling a notebook past a chart still scrolls. */
const ZOOM_EVENTS = 'wheel![event.ctrlKey || event.metaKey]';

/** Runs with more lines than this get no legend (it would not fit). */
const MAX_LEGEND_RUNS = 20;

/**
 * Exponential moving average: `s[0] = v[0]`, `s[i] = w·s[i-1] + (1-w)·v[i]`, with the
 * weight clamped to 0..0.99 (0 returns the values unchanged).
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), LIMITS.maxSmoothing);
  const out: number[] = [];
  let last = values[0];
  for (const value of values) {
    last = w * last + (1 - w) * value;
    out.push(last);
  }
  return out;
}

/** Keep at most `max` evenly spaced indices of `length`, always the first and the last. */
export function thinIndices(length: number, max: number): number[] {
  if (length <= max) {
    return Array.from({ length }, (_, i) => i);
  }
  const count = Math.max(max, 2);
  const step = (length - 1) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(i * step));
}

/** Rows of the history chart; runs without a history of `metric` are missing. */
export function historyRows(
  model: ICompareModel,
  metric: string,
  smoothing: number,
  labels: IChartLabels = DEFAULT_LABELS
): { rows: IHistoryRow[]; missing: IMissingRun[] } {
  const missing: IMissingRun[] = [];
  const series = model.runs.filter(run => {
    const has = (run.history[metric]?.length ?? 0) > 0;
    if (!has) {
      missing.push({ id: run.id, label: run.label, key: metric });
    }
    return has;
  });
  const perRun = Math.max(
    50,
    Math.floor(MAX_LINE_POINTS / Math.max(series.length, 1))
  );
  const rows: IHistoryRow[] = [];
  for (const run of series) {
    const points = run.history[metric];
    const smoothed = smoothEma(
      points.map(p => p[1]),
      smoothing
    );
    for (const i of thinIndices(points.length, perRun)) {
      const [step, raw] = points[i];
      const fields: [string, number][] = [
        [labels.step, step],
        [metric, smoothed[i]]
      ];
      rows.push({
        id: run.id,
        label: run.label,
        step,
        value: smoothed[i],
        raw,
        description: describeRow(
          run.label,
          smoothing > 0 ? [...fields, [labels.raw, raw]] : fields
        )
      });
    }
  }
  return { rows, missing };
}

/** Metric history over steps, one line per run, optionally EMA-smoothed. */
export function buildHistory(
  model: ICompareModel,
  options: IResolvedOptions
): ChartBuild {
  const { metric, labels, interactive, smoothing, stepRange } = options;
  const { rows, missing } = historyRows(model, metric, smoothing, labels);
  if (rows.length === 0) {
    return { status: 'empty', reason: 'no-values', missing };
  }
  const lines = model.runs.length - missing.length;
  const x = {
    field: 'step',
    type: 'quantitative' as const,
    title: labels.step,
    ...(stepRange ? { scale: { domain: [...stepRange], zero: false } } : {})
  };
  const color = {
    field: 'label',
    type: 'nominal' as const,
    title: labels.run,
    ...(lines > MAX_LEGEND_RUNS ? { legend: null } : {})
  };
  const tooltip = tooltipOf([
    { field: 'label', type: 'nominal' as const, title: labels.run },
    { field: 'step', type: 'quantitative' as const, title: labels.step },
    {
      field: 'value',
      type: 'quantitative' as const,
      title: metric,
      format: '.6~g'
    },
    ...(smoothing > 0
      ? [
          {
            field: 'raw',
            type: 'quantitative' as const,
            title: labels.raw,
            format: '.6~g'
          }
        ]
      : [])
  ]);
  const main = {
    ...(interactive
      ? {
          params: [
            {
              name: HISTORY_ZOOM_PARAM,
              select: {
                type: 'interval' as const,
                encodings: ['x' as const],
                zoom: ZOOM_EVENTS
              },
              bind: 'scales' as const
            }
          ]
        }
      : {}),
    mark: {
      type: 'line' as const,
      point: rows.length <= 500,
      // Zoomed or panned, lines stop at the plot's edge instead of crossing the axes.
      ...(interactive ? { cursor: 'pointer' as const, clip: true } : {})
    },
    encoding: {
      description: DESCRIBED_BY_ROW,
      x,
      y: {
        field: 'value',
        type: 'quantitative' as const,
        title: safeTitle(metric),
        scale: { zero: false }
      },
      color,
      ...(interactive ? { tooltip } : {})
    }
  };
  const raw = {
    mark: {
      type: 'line' as const,
      opacity: 0.25,
      ...(interactive ? { clip: true } : {})
    },
    encoding: {
      description: DESCRIBED_BY_ROW,
      x,
      y: {
        field: 'raw',
        type: 'quantitative' as const,
        title: safeTitle(metric),
        scale: { zero: false }
      },
      color
    }
  };
  const spec: TopLevelSpec = {
    $schema: VEGALITE_SCHEMA,
    data: { values: rows },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    layer: smoothing > 0 ? [raw, main] : [main]
  };
  return { status: 'ok', spec, rowCount: rows.length, missing };
}
