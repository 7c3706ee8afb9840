import { encodeNumber } from '../api/numbers';
import { ICompareBundlePayload, WireNumber } from '../charts';
import { comparePayload } from '../charts/fromRuns';
import { historyPointBudget, historyZoomBudget } from '../charts/history';
import type { IRunsClient } from '../tokens';

/** Most runs a refreshed comparison holds. */
const MAX_REFRESHED_RUNS = 1000;

/**
 * "Refresh from store": the runs already compared, with their current values, plus
 * every newer run of the same experiment. Deleted runs drop out.
 */
export async function refreshComparison(
  client: IRunsClient,
  payload: ICompareBundlePayload
): Promise<ICompareBundlePayload> {
  const versions = payload.runs.map(run => run.version);
  const newest = Math.max(0, ...versions);
  const filter = versions.length
    ? `version IN (${versions.join(', ')}) OR version > ${newest}`
    : '';
  const page = await client.searchRunSummaries({
    experimentIds: [payload.experiment.id],
    filter,
    orderBy: ['version ASC'],
    maxResults: MAX_REFRESHED_RUNS
  });
  // A line chart needs every run's history of its metric: one request for all of them.
  const histories =
    payload.chart.kind === 'line'
      ? await client.metricHistories(
          page.runs.map(run => run.id),
          [payload.chart.metric],
          historyPointBudget(page.runs.length)
        )
      : undefined;
  return comparePayload(
    payload.experiment,
    page.runs,
    payload.chart,
    histories
  );
}

/**
 * A zoomed history chart's data: the same runs with their history of the chart's metric
 * replaced by the points of `steps` (first to last), read from the store and thinned to the
 * chart's pixels keeping each bucket's extremes, so a narrow zoom shows every point.
 */
export async function zoomComparison(
  client: IRunsClient,
  payload: ICompareBundlePayload,
  steps: readonly [number, number]
): Promise<ICompareBundlePayload> {
  const { metric } = payload.chart;
  const histories = await client.metricHistories(
    payload.runs.map(run => run.id),
    [metric],
    historyZoomBudget(payload.runs.length),
    steps
  );
  return {
    ...payload,
    runs: payload.runs.map(run => {
      const points = histories.get(run.id)?.get(metric) ?? [];
      // Object.fromEntries defines keys, so a metric named `__proto__` stays a key.
      const shown = points.map(
        p =>
          [p.step, encodeNumber(p.value) as WireNumber] as [number, WireNumber]
      );
      const history = Object.fromEntries([
        ...Object.entries(run.history ?? {}).filter(([key]) => key !== metric),
        [metric, shown]
      ]);
      return { ...run, history };
    })
  };
}
