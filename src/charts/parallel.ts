import type { TopLevelSpec } from 'vega-lite';
import {
  CHART_HEIGHT,
  DESCRIBED_BY_ROW,
  describeRow,
  compareParamValues,
  IResolvedOptions,
  paramNumber,
  safeTitle,
  tooltipOf,
  VEGALITE_SCHEMA
} from './common';
import { formatNumber } from '../format';
import { ChartBuild, ICompareModel, IMissingRun, IRunPoint } from './types';

/** One vertex of a run's line: its value on one axis, normalised to 0..1. */
export interface IParallelRow {
  /** Run id (for clicks). */
  id: string;
  /** Run display label. */
  label: string;
  /** The axis title (a param or metric key). */
  axis: string;
  /** The value as text. */
  value: string;
  /** Position on the axis, 0 (bottom, min) .. 1 (top, max). */
  norm: number;
  /** The run's value of the chart metric (line colour). */
  metric: number;
  /** What a screen reader says of the mark: label and every axis value. */
  description: string;
}

/** A label on an axis: the real value at a normalised position. */
export interface IParallelTick {
  /** The axis title. */
  axis: string;
  /** Position on the axis. */
  norm: number;
  /** The value printed. */
  text: string;
}

/** One axis of the chart. */
interface IAxis {
  readonly title: string;
  readonly value: (run: IRunPoint) => string | number | undefined;
  readonly key: string;
}

/** Categorical axes with more categories than this label only the first and last. */
const MAX_CATEGORY_TICKS = 12;

/** Axes for the chosen params and the metric, with distinct titles (`params.k`, `metrics.k`). */
function axesFor(params: readonly string[], metric: string): IAxis[] {
  const clash = params.includes(metric);
  const axes: IAxis[] = params.map(key => ({
    key,
    title: clash && key === metric ? `params.${key}` : key,
    value: run => run.params[key]
  }));
  axes.push({
    key: metric,
    title: clash ? `metrics.${metric}` : metric,
    value: run => run.metrics[metric]
  });
  const used = new Set<string>();
  return axes.map(axis => {
    let title = axis.title;
    while (used.has(title)) {
      title = `${title}′`;
    }
    used.add(title);
    return { ...axis, title };
  });
}

/** Place one axis's values on 0..1 and label it with the real min and max (or categories). */
function normalise(
  axis: IAxis,
  values: ReadonlyArray<string | number>
): { norm: (v: string | number) => number; ticks: IParallelTick[] } {
  const numbers = values.map(v => (typeof v === 'number' ? v : paramNumber(v)));
  if (numbers.every((n): n is number => n !== null)) {
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    const toNumber = (v: string | number) =>
      typeof v === 'number' ? v : (paramNumber(v) as number);
    if (min === max) {
      const tick = { axis: axis.title, norm: 0.5, text: formatNumber(min) };
      return { norm: () => 0.5, ticks: [tick] };
    }
    return {
      norm: v => (toNumber(v) - min) / (max - min),
      ticks: [
        { axis: axis.title, norm: 0, text: formatNumber(min) },
        { axis: axis.title, norm: 1, text: formatNumber(max) }
      ]
    };
  }
  const categories = [...new Set(values.map(String))].sort(compareParamValues);
  const position = new Map(
    categories.map((c, i) => [
      c,
      categories.length === 1 ? 0.5 : i / (categories.length - 1)
    ])
  );
  const shown =
    categories.length > MAX_CATEGORY_TICKS
      ? [categories[0], categories[categories.length - 1]]
      : categories;
  return {
    norm: v => position.get(String(v)) ?? 0,
    ticks: shown.map(c => ({
      axis: axis.title,
      norm: position.get(c) ?? 0,
      text: c
    }))
  };
}

/** Rows and axis labels of the chart; runs lacking any axis value are missing. */
export function parallelRows(
  model: ICompareModel,
  params: readonly string[],
  metric: string
): {
  rows: IParallelRow[];
  ticks: IParallelTick[];
  axes: string[];
  missing: IMissingRun[];
} {
  const axes = axesFor(params, metric);
  const missing: IMissingRun[] = [];
  const complete = model.runs.filter(run => {
    const lacking = axes.find(a => a.value(run) === undefined);
    if (lacking !== undefined) {
      missing.push({ id: run.id, label: run.label, key: lacking.key });
    }
    return lacking === undefined;
  });
  const rows: IParallelRow[] = [];
  const ticks: IParallelTick[] = [];
  if (complete.length > 0) {
    const columns = axes.map(axis =>
      complete.map(run => axis.value(run) as string | number)
    );
    // A run's line is described once, by all its axes (vega reads the first vertex).
    const descriptions = complete.map((run, i) =>
      describeRow(
        run.label,
        axes.map((axis, a) => [axis.title, columns[a][i]] as const)
      )
    );
    axes.forEach((axis, a) => {
      const values = columns[a];
      const scale = normalise(axis, values);
      ticks.push(...scale.ticks);
      complete.forEach((run, i) => {
        rows.push({
          id: run.id,
          label: run.label,
          axis: axis.title,
          value:
            typeof values[i] === 'number'
              ? formatNumber(values[i] as number, 6)
              : String(values[i]),
          norm: scale.norm(values[i]),
          metric: run.metrics[metric],
          description: descriptions[i]
        });
      });
    });
  }
  return { rows, ticks, axes: axes.map(a => a.title), missing };
}

/** Parallel coordinates over the chosen params and the metric, one line per run. */
export function buildParallel(
  model: ICompareModel,
  options: IResolvedOptions
): ChartBuild {
  const { metric, palette, labels, interactive } = options;
  const { rows, ticks, axes, missing } = parallelRows(
    model,
    options.params,
    metric
  );
  if (rows.length === 0) {
    return { status: 'empty', reason: 'no-values', missing };
  }
  const x = {
    field: 'axis',
    type: 'nominal' as const,
    scale: { domain: axes },
    axis: {
      title: null,
      labelAngle: 0,
      labelLimit: 120,
      domain: false,
      ticks: false,
      orient: 'bottom' as const
    }
  };
  const y = {
    field: 'norm',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    axis: null
  };
  const spec: TopLevelSpec = {
    $schema: VEGALITE_SCHEMA,
    width: Math.max(300, axes.length * 110),
    height: CHART_HEIGHT,
    layer: [
      {
        data: { values: axes.map(axis => ({ axis })) },
        mark: { type: 'rule', color: palette.grid },
        encoding: {
          x,
          y: { datum: 0, scale: { domain: [0, 1] }, axis: null },
          y2: { datum: 1 }
        }
      },
      {
        data: { values: rows },
        mark: {
          type: 'line',
          strokeWidth: 1.5,
          opacity: 0.8,
          ...(interactive ? { cursor: 'pointer' as const } : {})
        },
        encoding: {
          description: DESCRIBED_BY_ROW,
          x,
          y,
          detail: { field: 'id', type: 'nominal' },
          color: {
            field: 'metric',
            type: 'quantitative',
            title: safeTitle(metric),
            scale: { scheme: 'viridis', reverse: !options.higherIsBetter }
          },
          ...(interactive
            ? {
                tooltip: tooltipOf([
                  { field: 'label', type: 'nominal', title: labels.run },
                  {
                    field: 'metric',
                    type: 'quantitative',
                    title: metric,
                    format: '.6~g'
                  }
                ])
              }
            : {})
        }
      },
      {
        data: { values: ticks },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'middle',
          dx: 4,
          fontSize: 10,
          color: palette.muted
        },
        encoding: { x, y, text: { field: 'text', type: 'nominal' } }
      }
    ]
  };
  return { status: 'ok', spec, rowCount: rows.length, missing };
}
