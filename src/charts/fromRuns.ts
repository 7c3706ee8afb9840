import { encodeNumber } from '../api/numbers';
import { IExperiment, IMetricPoint, IRun } from '../api/types';
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
  run: IRun,
  history?: Map<string, readonly IMetricPoint[]>
): ICompareRunPayload {
  const params: Record<string, string> = {};
  for (const [key, param] of Object.entries(run.params)) {
    params[key] = param.value;
  }
  const metrics: Record<string, WireNumber> = {};
  for (const [key, metric] of Object.entries(run.metrics)) {
    metrics[key] = encodeNumber(metric.value) as WireNumber;
  }
  const payload: ICompareRunPayload = {
    id: run.id,
    version: run.version,
    name: run.name,
    status: run.status,
    params,
    metrics
  };
  if (history && history.size) {
    payload.history = {};
    for (const [key, points] of history) {
      payload.history[key] = points.map(
        p =>
          [p.step, encodeNumber(p.value) as WireNumber] as [number, WireNumber]
      );
    }
  }
  return payload;
}

/** A compare payload (data only, never a spec) for runs of one experiment. */
export function comparePayload(
  experiment: Pick<IExperiment, 'id' | 'name'>,
  runs: readonly IRun[],
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
