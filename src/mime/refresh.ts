import { ICompareBundlePayload } from '../charts';
import { comparePayload } from '../charts/fromRuns';
import { historyPointBudget } from '../charts/history';
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
