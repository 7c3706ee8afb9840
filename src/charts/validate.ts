import { decodeNumber, isRecord, shorten } from './json';
import {
  CHART_KINDS,
  ChartKind,
  ICompareModel,
  IIssue,
  IRunPoint,
  LIMITS,
  NonFiniteToken,
  RUN_STATUSES,
  RunStatus,
  ValidationResult
} from './types';

/**
 * Validate and sanitize a compare payload (see `types.ts`).
 *
 * Unknown fields (`spec`, `$schema`, `config`, `usermeta`, …) are dropped; non-finite and
 * wrongly typed numbers are left out and counted; the result is deeply frozen.
 */
export function validateCompare(input: unknown): ValidationResult {
  if (!isRecord(input)) {
    return fail('The compare payload is not a JSON object.');
  }
  if (input.version !== 1) {
    return fail(
      'Unsupported compare payload version: %1 (expected 1).',
      String(input.version)
    );
  }
  if (!Array.isArray(input.runs)) {
    return fail('The compare payload has no list of runs.');
  }
  if (input.runs.length > LIMITS.maxRuns) {
    return fail(
      'Too many runs: %1 (at most %2).',
      input.runs.length,
      LIMITS.maxRuns
    );
  }
  const state = new State();
  const drafts: IRunDraft[] = [];
  const ids = new Set<string>();
  for (let i = 0; i < input.runs.length && !state.fatal; i++) {
    const draft = readRun(input.runs[i], i, state);
    if (draft === null) {
      continue;
    }
    if (ids.has(draft.id)) {
      state.error('Run %1 appears twice.', draft.id);
    }
    ids.add(draft.id);
    drafts.push(draft);
  }
  const kind = readKind(input.chart, state);
  if (state.errors.length > 0) {
    return { ok: false, errors: state.errors };
  }
  const runs = withLabels(drafts);
  const paramKeys = sortedKeys(runs.map(r => r.params));
  const metricKeys = sortedKeys(
    runs.flatMap(r => [r.metrics, r.nonFinite, r.history, r.excludedHistory])
  );
  const model: ICompareModel = {
    experiment: readExperiment(input.experiment, state),
    chart: {
      kind,
      ...readChart(input.chart, metricKeys)
    },
    runs,
    created: finiteOr(input.created, 0),
    paramKeys,
    metricKeys,
    notes: {
      nonFinite: state.nonFinite,
      invalid: state.invalid,
      shortened: state.shortened
    }
  };
  return { ok: true, model: deepFreeze(model) };
}

function fail(
  message: string,
  ...args: Array<string | number>
): ValidationResult {
  return { ok: false, errors: [{ message, args }] };
}

/** Counters and errors gathered while reading a payload. */
class State {
  errors: IIssue[] = [];
  nonFinite = 0;
  invalid = 0;
  shortened = 0;
  historyPoints = 0;
  /** Set once reading further is pointless (a cap was exceeded). */
  fatal = false;

  error(message: string, ...args: Array<string | number>): void {
    this.errors.push({ message, args });
  }

  text(value: string, max: number): string {
    if (value.length > max) {
      this.shortened++;
      return shorten(value, max);
    }
    return value;
  }
}

/** A run read from the payload, before its unique label is assigned. */
type IRunDraft = Omit<IRunPoint, 'label'>;

function readRun(raw: unknown, index: number, state: State): IRunDraft | null {
  const where = `#${index + 1}`;
  if (!isRecord(raw)) {
    state.error('Run %1 is not an object.', where);
    return null;
  }
  const { id, version } = raw;
  if (typeof id !== 'string' || id === '' || id.length > LIMITS.maxTextLength) {
    state.error('Run %1 has no valid id.', where);
    return null;
  }
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 0
  ) {
    state.error('Run %1 has no valid version.', where);
    return null;
  }
  const params = nullMap<string>();
  for (const [key, value] of entries(raw.params, 'params', where, state)) {
    if (typeof value === 'string') {
      params[key] = state.text(value, LIMITS.maxValueLength);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      params[key] = String(value);
    } else {
      state.invalid++;
    }
  }
  const metrics = nullMap<number>();
  const nonFinite = nullMap<NonFiniteToken>();
  for (const [key, value] of entries(raw.metrics, 'metrics', where, state)) {
    const decoded = decodeNumber(value);
    if (decoded.kind === 'finite') {
      metrics[key] = decoded.value;
    } else if (decoded.kind === 'nonFinite') {
      nonFinite[key] = decoded.token;
      state.nonFinite++;
    } else {
      state.invalid++;
    }
  }
  const history = nullMap<ReadonlyArray<readonly [number, number]>>();
  const excludedHistory =
    nullMap<ReadonlyArray<readonly [number, NonFiniteToken]>>();
  for (const [key, value] of entries(raw.history, 'history', where, state)) {
    const { finite, excluded } = readHistory(value, state);
    history[key] = finite;
    if (excluded.length > 0) {
      excludedHistory[key] = excluded;
    }
  }
  const name =
    typeof raw.name === 'string' && raw.name.trim() !== ''
      ? state.text(raw.name, LIMITS.maxTextLength)
      : `v${version}`;
  const status = RUN_STATUSES.includes(raw.status as RunStatus)
    ? (raw.status as RunStatus)
    : null;
  return {
    id,
    version,
    name,
    status,
    params,
    metrics,
    nonFinite,
    history,
    excludedHistory
  };
}

/** Entries of one of a run's maps, after the per-run key caps. */
function entries(
  value: unknown,
  field: 'params' | 'metrics' | 'history',
  where: string,
  state: State
): Array<[string, unknown]> {
  if (value === undefined) {
    return [];
  }
  if (!isRecord(value)) {
    state.error('Run %1: "%2" is not an object.', where, field);
    return [];
  }
  const items = Object.entries(value);
  if (items.length > LIMITS.maxKeysPerRun) {
    state.error(
      'Run %1 has %2 keys in "%3" (at most %4).',
      where,
      items.length,
      field,
      LIMITS.maxKeysPerRun
    );
    return [];
  }
  if (items.some(([key]) => key === '' || key.length > LIMITS.maxTextLength)) {
    state.error(
      'Run %1 has an empty key or a key longer than %2 characters.',
      where,
      LIMITS.maxTextLength
    );
    return [];
  }
  return items;
}

function readHistory(
  value: unknown,
  state: State
): {
  finite: Array<readonly [number, number]>;
  excluded: Array<readonly [number, NonFiniteToken]>;
} {
  const finite: Array<readonly [number, number]> = [];
  const excluded: Array<readonly [number, NonFiniteToken]> = [];
  if (!Array.isArray(value)) {
    state.invalid++;
    return { finite, excluded };
  }
  state.historyPoints += value.length;
  if (state.historyPoints > LIMITS.maxHistoryPoints) {
    state.error(
      'Too many history points: more than %1.',
      LIMITS.maxHistoryPoints
    );
    state.fatal = true;
    return { finite, excluded };
  }
  for (const point of value) {
    if (
      !Array.isArray(point) ||
      point.length !== 2 ||
      typeof point[0] !== 'number' ||
      !Number.isFinite(point[0])
    ) {
      state.invalid++;
      continue;
    }
    const decoded = decodeNumber(point[1]);
    if (decoded.kind === 'finite') {
      finite.push(Object.freeze([point[0], decoded.value] as const));
    } else if (decoded.kind === 'nonFinite') {
      excluded.push(Object.freeze([point[0], decoded.token] as const));
      state.nonFinite++;
    } else {
      state.invalid++;
    }
  }
  finite.sort((a, b) => a[0] - b[0]);
  return { finite, excluded };
}

function readKind(chart: unknown, state: State): ChartKind {
  const kind = isRecord(chart) ? chart.kind : undefined;
  if (kind === undefined) {
    return 'bar';
  }
  if (CHART_KINDS.includes(kind as ChartKind)) {
    return kind as ChartKind;
  }
  state.error('Unknown chart kind: %1.', shorten(String(kind), 40));
  return 'bar';
}

function readChart(
  chart: unknown,
  metricKeys: readonly string[]
): { metric: string; params: string[]; smoothing: number } {
  const raw = isRecord(chart) ? chart : {};
  const metric =
    typeof raw.metric === 'string' &&
    raw.metric !== '' &&
    raw.metric.length <= LIMITS.maxTextLength
      ? raw.metric
      : (metricKeys[0] ?? '');
  const params = Array.isArray(raw.params)
    ? raw.params
        .filter(
          (p): p is string =>
            typeof p === 'string' &&
            p !== '' &&
            p.length <= LIMITS.maxTextLength
        )
        .slice(0, LIMITS.maxKeysPerRun)
    : [];
  const smoothing = Math.min(
    Math.max(finiteOr(raw.smoothing, 0), 0),
    LIMITS.maxSmoothing
  );
  return { metric, params: [...new Set(params)], smoothing };
}

function readExperiment(
  value: unknown,
  state: State
): { id: string; name: string } {
  const raw = isRecord(value) ? value : {};
  const text = (v: unknown) =>
    typeof v === 'string' ? state.text(v, LIMITS.maxTextLength) : '';
  return { id: text(raw.id), name: text(raw.name) };
}

/** Give every run a display label (its name, else `v<version>`), unique in the model. */
function withLabels(drafts: IRunDraft[]): IRunPoint[] {
  const counts = new Map<string, number>();
  for (const d of drafts) {
    counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  }
  const used = new Set<string>();
  return drafts.map((d, i) => {
    const short = d.id.slice(0, 8);
    const candidates =
      counts.get(d.name) === 1
        ? [d.name]
        : d.name === `v${d.version}`
          ? [`${d.name} (${short})`]
          : [
              `${d.name} (v${d.version})`,
              `${d.name} (v${d.version}, ${short})`
            ];
    let label = candidates.find(c => !used.has(c)) ?? `${d.name} (#${i + 1})`;
    while (used.has(label)) {
      label = `${label}′`;
    }
    used.add(label);
    return { ...d, label };
  });
}

function sortedKeys(
  maps: ReadonlyArray<Readonly<Record<string, unknown>>>
): string[] {
  const keys = new Set<string>();
  for (const map of maps) {
    for (const key of Object.keys(map)) {
      keys.add(key);
    }
  }
  return [...keys].sort();
}

function finiteOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** An object without a prototype, so keys such as `__proto__` stay plain data. */
function nullMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}
