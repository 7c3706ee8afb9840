import {
  decodeNumber,
  isRecord,
  LIMITS,
  RUN_STATUSES,
  RunStatus,
  shorten
} from '../charts';
import { formatNumber } from '../format';

/** A validated run card: text and finite-or-token numbers only. */
export interface IRunCard {
  /** Run id. */
  readonly id: string;
  /** Experiment name ('' when absent). */
  readonly experimentName: string;
  /**
   * Version within the experiment; null while the run waits in the outbox for the MLflow
   * server (the kernel's card says 0: versions start at 1).
   */
  readonly version: number | null;
  /** Run name ('' when absent). */
  readonly name: string;
  /** Run status, or null when absent or unknown. */
  readonly status: RunStatus | null;
  /** Params as `[key, text]`, in payload order. */
  readonly params: ReadonlyArray<readonly [string, string]>;
  /** Metrics as `[key, formatted value]`; NaN/±Infinity spelled out. */
  readonly metrics: ReadonlyArray<readonly [string, string]>;
  /** Wall time in ms, or null. */
  readonly durationMs: number | null;
}

/** Read a run card payload (`{version: 1, run: {…}}`); null when it is not one. */
export function parseRunCard(data: unknown): IRunCard | null {
  if (!isRecord(data) || data.version !== 1 || !isRecord(data.run)) {
    return null;
  }
  const run = data.run;
  if (
    typeof run.id !== 'string' ||
    run.id === '' ||
    !(
      run.version === null ||
      (typeof run.version === 'number' &&
        Number.isInteger(run.version) &&
        run.version >= 0)
    )
  ) {
    return null;
  }
  const text = (value: unknown) =>
    typeof value === 'string' ? shorten(value, LIMITS.maxTextLength) : '';
  const pairs = (value: unknown) =>
    isRecord(value) ? Object.entries(value).slice(0, LIMITS.maxKeysPerRun) : [];
  const params = pairs(run.params)
    .filter(
      ([, v]) =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    )
    .map(
      ([k, v]) => [text(k), shorten(String(v), LIMITS.maxValueLength)] as const
    );
  const metrics = pairs(run.metrics).flatMap(([k, v]) => {
    const decoded = decodeNumber(v);
    if (decoded.kind === 'invalid') {
      return [];
    }
    const shown =
      decoded.kind === 'finite' ? formatNumber(decoded.value) : decoded.token;
    return [[text(k), shown] as const];
  });
  const duration = decodeNumber(run.duration_ms);
  return {
    id: shorten(run.id, LIMITS.maxTextLength),
    experimentName: text(run.experiment_name),
    version: run.version === 0 ? null : run.version,
    name: text(run.name),
    status: RUN_STATUSES.includes(run.status as RunStatus)
      ? (run.status as RunStatus)
      : null,
    params,
    metrics,
    durationMs:
      duration.kind === 'finite' && duration.value >= 0 ? duration.value : null
  };
}
