import { formatDuration, formatNumber, formatTime } from '../format';
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
        return formatTime(value, true);
      case 'duration':
        return formatDuration(value);
      default:
        return String(value);
    }
  }
  return formatNumber(value);
}
