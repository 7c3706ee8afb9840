import type { TranslationBundle } from '@jupyterlab/translation';

/** Display formatting shared by every view (panel, table, run cards, badges). */

/**
 * A number as every view shows it (panel, table, badges, chart labels, diff table).
 *
 * Rules (mirrored by `jupyterlab_runs/kernel/compare_spec.py` for the text/plain
 * fallback): integers below 1e6 print as integers; other magnitudes in [1e-3, 1e6) print
 * with `digits` significant digits and no trailing zeros; anything else in exponent form
 * (`1.5e-7`); NaN and ±Infinity spelled out as the REST API spells them.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1e6) {
    return String(value);
  }
  if (abs >= 1e-3 && abs < 1e6) {
    return String(Number(value.toPrecision(digits)));
  }
  const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
  const trimmed = mantissa.includes('.')
    ? mantissa.replace(/0+$/, '').replace(/\.$/, '')
    : mantissa;
  return `${trimmed}e${exponent.replace('+', '')}`;
}

/** A duration in ms as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 03 min`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  }
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A timestamp as local date and time, `2026-11-25 15:43` (or `…15:43:07` with seconds). */
export function formatTime(ms: number, seconds = false): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` +
    (seconds ? `:${pad(d.getSeconds())}` : '')
  );
}

/** Text shortened to `max` characters with an ellipsis (full text goes in a title). */
export function truncate(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Time since `ms` as `just now`, `5 min ago`, `3 h ago`, `2 d ago`, or the date when older. */
export function formatAge(
  ms: number,
  trans: TranslationBundle,
  now = Date.now()
): string {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 45) {
    return trans.__('just now');
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return trans.__('%1 min ago', minutes);
  }
  const hours = Math.round(minutes / 60);
  if (hours < 24) {
    return trans.__('%1 h ago', hours);
  }
  const days = Math.round(hours / 24);
  return days < 30 ? trans.__('%1 d ago', days) : formatTime(ms).slice(0, 10);
}
