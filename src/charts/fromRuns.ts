import { encodeNumber } from '../api/numbers';
import { IExperiment, IMetricPoint, IRunSummary } from '../api/types';
import {
  IChartChoice,
  ICompareBundlePayload,
  ICompareRunPayload,
  WireNumber
} from './types';

/** Metric histories of some runs: run id → metric key → points. */
export type RunHistories = Map<string, Map<string, readonly IMetricPoint[]>>;

/** One stored run as the compare payload carries it. */
export function compareRun(
  run: IRunSummary,
  history?: Map<string, readonly IMetricPoint[]>
): ICompareRunPayload {
  // Object.fromEntries defines keys, so `__proto__` stays a key (assignment would not).
  const params: Record<string, string> = Object.fromEntries(
    Object.entries(run.params).map(([key, param]) => [key, param.value])
  );
  const metrics: Record<string, WireNumber> = Object.fromEntries(
    Object.entries(run.metrics).map(([key, metric]) => [
      key,
      encodeNumber(metric.value) as WireNumber
    ])
  );
  const payload: ICompareRunPayload = {
    id: run.id,
    version: run.version,
    name: run.name,
    status: run.status,
    params,
    metrics
  };
  if (history && history.size) {
    payload.history = Object.fromEntries(
      [...history].map(([key, points]) => [
        key,
        points.map(
          p =>
            [p.step, encodeNumber(p.value) as WireNumber] as [
              number,
              WireNumber
            ]
        )
      ])
    );
  }
  return payload;
}

/** A compare payload (data only, never a spec) for runs of one experiment. */
export function comparePayload(
  experiment: Pick<IExperiment, 'id' | 'name'>,
  runs: readonly IRunSummary[],
  chart: IChartChoice,
  histories?: RunHistories
): ICompareBundlePayload {
  return {
    version: 1,
    experiment: { id: experiment.id, name: experiment.name },
    chart,
    runs: runs.map(run => compareRun(run, histories?.get(run.id))),
    created: Date.now()
  };
}
