import {
  ChartKind,
  ICompareBundlePayload,
  ICompareModel,
  ICompareRunPayload
} from '../charts/types';
import { validateCompare } from '../charts/validate';

/** A run for tests: `v<version>`, id `run<version>`, FINISHED, with the given maps. */
export function testRun(
  version: number,
  fields: Partial<ICompareRunPayload> = {}
): ICompareRunPayload {
  return {
    id: `run${version}`,
    version,
    name: `v${version}`,
    status: 'FINISHED',
    params: {},
    metrics: {},
    ...fields
  };
}

/** A compare payload for tests. */
export function testPayload(
  runs: ICompareRunPayload[],
  kind: ChartKind = 'bar',
  metric = 'accuracy',
  params: string[] = []
): ICompareBundlePayload {
  return {
    version: 1,
    experiment: { id: 'exp1', name: 'iris' },
    chart: { kind, metric, params },
    runs,
    created: 1_700_000_000_000
  };
}

/** Validate a payload that tests expect to be valid, failing loudly otherwise. */
export function testModel(payload: unknown): ICompareModel {
  const result = validateCompare(payload);
  if (!result.ok) {
    throw new Error(result.errors.map(e => e.message).join('; '));
  }
  return result.model;
}
