import { formatNumber } from '../charts/format';
import { CellValue, IColumn } from './columns';

/** Longest text put in a cell; the full value goes in its title. */
export const MAX_CELL_CHARS = 200;

/** The text a cell shows and its tooltip (the full value, when shortened or exact). */
export function cellText(
  value: CellValue,
  column: IColumn
): { text: string; title: string } {
  if (value === null) {
    return { text: '', title: '' };
  }
  if (typeof value === 'number') {
    const text = formatCellNumber(value, column);
    return { text, title: column.entity === 'metrics' ? String(value) : text };
  }
  if (value.length > MAX_CELL_CHARS) {
    return { text: `${value.slice(0, MAX_CELL_CHARS - 1)}…`, title: value };
  }
  return { text: value, title: value };
}

function formatCellNumber(value: number, column: IColumn): string {
  if (column.entity === 'attributes') {
    switch (column.key) {
      case 'start_time':
      case 'end_time':
        return formatTime(value);
      case 'duration':
        return formatDuration(value);
      default:
        return String(value);
    }
  }
  return formatNumber(value);
}

/** Local date and time to the second, e.g. `2026-11-25 15:43:07`. */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** A duration as `850 ms`, `12.3 s`, `4 min 05 s` or `2 h 03 min`. */
export function formatDuration(ms: number): string {
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
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}
