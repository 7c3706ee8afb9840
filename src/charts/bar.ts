import type { TopLevelSpec } from 'vega-lite';
import {
  CHART_HEIGHT,
  DESCRIBED_BY_ROW,
  describeRow,
  IResolvedOptions,
  safeTitle,
  splitByMetric,
  perRunEncoding,
  VEGALITE_SCHEMA
} from './common';
import { ChartBuild, ICompareModel, RunStatus } from './types';

/** One bar: a run's value of the chosen metric. */
export interface IBarRow {
  /** Run id (for clicks). */
  id: string;
  /** Run display label (x axis). */
  label: string;
  /** Run version. */
  version: number;
  /** Run status, or '' when unknown. */
  status: RunStatus | '';
  /** The metric value. */
  value: number;
  /** Position on the x axis, 0 for the best run. */
  order: number;
  /** Whether this run has the best value (ties are all best). */
  best: boolean;
  /** What a screen reader says of the mark: label and plotted values. */
  description: string;
}

/** Rows of the bar chart, best first; runs lacking the metric are not rows. */
export function barRows(
  model: ICompareModel,
  metric: string,
  higherIsBetter: boolean
): { rows: IBarRow[]; missing: ChartBuild['missing'] } {
  const { present, missing } = splitByMetric(model.runs, metric);
  const sign = higherIsBetter ? -1 : 1;
  const sorted = [...present].sort(
    (a, b) => sign * (a.value - b.value) || a.run.version - b.run.version
  );
  const bestValue = sorted[0]?.value;
  const rows = sorted.map(({ run, value }, order): IBarRow => ({
    id: run.id,
    label: run.label,
    version: run.version,
    status: run.status ?? '',
    value,
    order,
    best: value === bestValue,
    description: describeRow(run.label, [[metric, value]])
  }));
  return { rows, missing };
}

/** A bar of one metric per run, sorted best first, the best run highlighted. */
export function buildBar(
  model: ICompareModel,
  options: IResolvedOptions
): ChartBuild {
  const { metric, labels, interactive } = options;
  const { rows, missing } = barRows(model, metric, options.higherIsBetter);
  if (rows.length === 0) {
    return { status: 'empty', reason: 'no-values', missing };
  }
  const spec: TopLevelSpec = {
    $schema: VEGALITE_SCHEMA,
    data: { values: rows },
    width: rows.length <= 40 ? { step: 28 } : Math.min(1200, rows.length * 4),
    height: CHART_HEIGHT,
    mark: interactive ? { type: 'bar', cursor: 'pointer' } : { type: 'bar' },
    encoding: {
      description: DESCRIBED_BY_ROW,
      x: {
        field: 'label',
        type: 'nominal',
        title: labels.run,
        sort: { field: 'order', op: 'min', order: 'ascending' },
        axis: { labelAngle: rows.length > 8 ? -45 : 0, labelLimit: 120 }
      },
      y: { field: 'value', type: 'quantitative', title: safeTitle(metric) },
      ...perRunEncoding(options, [
        { field: 'value', type: 'quantitative', title: metric, format: '.6~g' }
      ])
    }
  };
  return { status: 'ok', spec, rowCount: rows.length, missing };
}
