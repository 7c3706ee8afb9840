import type { TopLevelSpec } from 'vega-lite';
import {
  CHART_HEIGHT,
  DESCRIBED_BY_ROW,
  describeRow,
  CHART_WIDTH,
  compareParamValues,
  IResolvedOptions,
  paramNumber,
  safeTitle,
  perRunEncoding,
  VEGALITE_SCHEMA
} from './common';
import { ChartBuild, ICompareModel, IMissingRun } from './types';

/** One point: a run's param value against its metric value. */
export interface IScatterRow {
  /** Run id (for clicks). */
  id: string;
  /** Run display label. */
  label: string;
  /** Run version. */
  version: number;
  /** The param value: a number on a numeric axis, else its text. */
  x: number | string;
  /** The param value as logged. */
  xText: string;
  /** The metric value. */
  y: number;
  /** Whether this run has the best metric value. */
  best: boolean;
  /** What a screen reader says of the mark: label and plotted values. */
  description: string;
}

/** Rows of the scatter, and whether the param is numeric for every run that has it. */
export function scatterRows(
  model: ICompareModel,
  param: string,
  metric: string,
  higherIsBetter: boolean
): { rows: IScatterRow[]; numeric: boolean; missing: IMissingRun[] } {
  const missing: IMissingRun[] = [];
  const present = [];
  for (const run of model.runs) {
    const text = run.params[param];
    const y = run.metrics[metric];
    if (text === undefined || y === undefined) {
      const key = text === undefined ? param : metric;
      missing.push({ id: run.id, label: run.label, key });
    } else {
      present.push({ run, text, y });
    }
  }
  const numeric = present.every(p => paramNumber(p.text) !== null);
  const ys = present.map(p => p.y);
  const bestValue = higherIsBetter ? Math.max(...ys) : Math.min(...ys);
  const rows = present.map(({ run, text, y }): IScatterRow => ({
    id: run.id,
    label: run.label,
    version: run.version,
    x: numeric ? (paramNumber(text) as number) : text,
    xText: text,
    y,
    best: y === bestValue,
    description: describeRow(run.label, [
      [param, text],
      [metric, y]
    ])
  }));
  return { rows, numeric, missing };
}

/** A param against a metric: quantitative x for numeric params, nominal x otherwise. */
export function buildScatter(
  model: ICompareModel,
  options: IResolvedOptions
): ChartBuild {
  const { metric, interactive } = options;
  const param = options.params[0];
  if (param === undefined) {
    return { status: 'empty', reason: 'no-values', missing: [] };
  }
  const { rows, numeric, missing } = scatterRows(
    model,
    param,
    metric,
    options.higherIsBetter
  );
  if (rows.length === 0) {
    return { status: 'empty', reason: 'no-values', missing };
  }
  const categories = [...new Set(rows.map(r => r.xText))].sort(
    compareParamValues
  );
  const x = numeric
    ? {
        field: 'x',
        type: 'quantitative' as const,
        title: safeTitle(param),
        scale: { zero: false }
      }
    : {
        field: 'x',
        type: 'nominal' as const,
        title: safeTitle(param),
        scale: { domain: categories },
        axis: { labelAngle: 0, labelLimit: 120 }
      };
  const spec: TopLevelSpec = {
    $schema: VEGALITE_SCHEMA,
    data: { values: rows },
    width: numeric ? CHART_WIDTH : { step: 48 },
    height: CHART_HEIGHT,
    mark: {
      type: 'point',
      filled: true,
      size: 90,
      opacity: 0.85,
      ...(interactive ? { cursor: 'pointer' as const } : {})
    },
    encoding: {
      description: DESCRIBED_BY_ROW,
      x,
      y: {
        field: 'y',
        type: 'quantitative',
        title: safeTitle(metric),
        scale: { zero: false }
      },
      ...perRunEncoding(options, [
        { field: 'xText', type: 'nominal', title: param },
        { field: 'y', type: 'quantitative', title: metric, format: '.6~g' }
      ])
    }
  };
  return { status: 'ok', spec, rowCount: rows.length, missing };
}
