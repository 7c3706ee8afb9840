import React from 'react';

import { IMetricPoint, IRun } from '../../api/types';
import { IPanelContext } from '../context';
import { formatNumber, truncate } from '../../format';
import { sparkline } from './sparkline';

const SPARK_WIDTH = 64;
const SPARK_HEIGHT = 20;

/** Every metric: last value, min and max, and a sparkline of its steps when it has several. */
export function MetricsTable(props: {
  ctx: IPanelContext;
  run: IRun;
  histories: ReadonlyMap<string, readonly IMetricPoint[]>;
}): JSX.Element {
  const { ctx, run, histories } = props;
  const { trans } = ctx;
  const entries = Object.entries(run.metrics).sort(([a], [b]) =>
    a.localeCompare(b)
  );
  if (entries.length === 0) {
    return <p className="jp-RunsDetails-none">{trans.__('No metrics.')}</p>;
  }
  return (
    <table className="jp-RunsDetails-table jp-RunsDetails-metrics">
      <thead>
        <tr>
          <th scope="col">{trans.__('Metric')}</th>
          <th scope="col">{trans.__('Last')}</th>
          <th scope="col">{trans.__('Range')}</th>
          <th scope="col">{trans.__('Steps')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, metric]) => (
          <tr key={key} data-key={key}>
            <th scope="row" title={`${key} (${metric.source})`}>
              {truncate(key, 40)}
            </th>
            <td className="jp-RunsDetails-number">
              {formatNumber(metric.value)}
            </td>
            <td className="jp-RunsDetails-number jp-RunsDetails-range">
              {metric.count > 1
                ? `${formatNumber(metric.min)} – ${formatNumber(metric.max)}`
                : '—'}
            </td>
            <td>
              {histories.has(key) ? (
                <Sparkline
                  ctx={ctx}
                  metric={key}
                  history={histories.get(key)!}
                  last={metric.value}
                />
              ) : (
                <span className="jp-RunsDetails-steps">
                  {trans._n('%1 step', '%1 steps', metric.count)}
                </span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A metric's step history as an inline SVG line; its numbers are in the label, as text. */
function Sparkline(props: {
  ctx: IPanelContext;
  metric: string;
  history: readonly IMetricPoint[];
  last: number;
}): JSX.Element {
  const { ctx, metric, history, last } = props;
  const { trans } = ctx;
  const line = sparkline(history, SPARK_WIDTH, SPARK_HEIGHT);
  const label =
    line.points === 0
      ? trans.__('%1: no finite values', metric)
      : trans.__(
          '%1 over %2 steps: min %3, max %4, last %5',
          metric,
          history.length,
          formatNumber(line.min),
          formatNumber(line.max),
          formatNumber(last)
        );
  return (
    <svg
      className="jp-RunsDetails-sparkline"
      width={SPARK_WIDTH}
      height={SPARK_HEIGHT}
      viewBox={`0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {line.path && <path d={line.path} />}
      {line.last && <circle cx={line.last[0]} cy={line.last[1]} r={1.8} />}
    </svg>
  );
}
