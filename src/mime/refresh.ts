import { RunsClient } from '../api/client';
import { comparePayload, RunHistories } from './fromRuns';
import { ICompareBundlePayload } from './types';

/** Most runs a refreshed comparison holds. */
const MAX_REFRESHED_RUNS = 1000;

/**
 * "Refresh from store": the runs already compared, with their current values, plus
 * every newer run of the same experiment. Deleted runs drop out.
 */
export async function refreshComparison(
  client: RunsClient,
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
  let histories: RunHistories | undefined;
  if (payload.chart.kind === 'line') {
    const metric = payload.chart.metric;
    histories = new Map();
    await Promise.all(
      page.runs.map(async run => {
        const points = await client.metricHistory(run.id, metric);
        histories!.set(run.id, new Map([[metric, points]]));
      })
    );
  }
  return comparePayload(
    payload.experiment,
    page.runs,
    payload.chart,
    histories
  );
}
