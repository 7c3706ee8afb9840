import { RunsClient } from '../api/client';
import { IRunSummary, IRunsQuery } from '../api/types';
import { CellValue, IColumn } from './columns';

/** File formats of an export. */
export type ExportFormat = 'csv' | 'json';

/** What to export and how to follow its progress. */
export interface IExportOptions {
  /** REST client. */
  client: RunsClient;
  /** The search shown (its page token is ignored). */
  query: IRunsQuery;
  /** Columns shown, in order. */
  columns: IColumn[];
  /** The value of a cell, as the table computes it. */
  value: (run: IRunSummary, column: IColumn) => CellValue;
  /** File format. */
  format: ExportFormat;
  /** Runs per request (default 1000). */
  pageSize?: number;
  /** Cancels the export between pages. */
  signal?: AbortSignal;
  /** Called after each page with the runs written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Media types of the formats. */
export const MEDIA_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json'
};

/**
 * Every run matching the query, fetched page by page and written as CSV or JSON
 * (one row/object per run: `run_id`, then the columns shown).
 */
export async function exportRuns(options: IExportOptions): Promise<Blob> {
  const { client, columns, format, signal } = options;
  const names = ['run_id', ...columns.map(exportName)];
  const parts: string[] = [];
  if (format === 'csv') {
    parts.push(csvLine(names));
  } else {
    parts.push('[');
  }
  let token: string | null = null;
  let done = 0;
  do {
    const page = await client.searchRunSummaries({
      ...options.query,
      maxResults: options.pageSize ?? 1000,
      pageToken: token
    });
    if (signal?.aborted) {
      throw new DOMException('The export was cancelled.', 'AbortError');
    }
    for (const run of page.runs) {
      const values = [
        run.id,
        ...columns.map(c => exportValue(options.value(run, c), c))
      ];
      if (format === 'csv') {
        parts.push(csvLine(values.map(csvText)));
      } else {
        const record: Record<string, string | number | null> = {};
        names.forEach((name, i) => (record[name] = jsonValue(values[i])));
        parts.push(`${done > 0 ? ',' : ''}\n${JSON.stringify(record)}`);
      }
      done++;
    }
    token = page.next_page_token;
    options.onProgress?.(done, page.total);
  } while (token);
  if (format === 'json') {
    parts.push('\n]\n');
  }
  return new Blob(parts, { type: MEDIA_TYPES[format] });
}

/** Header of a column in an export: attribute names bare, others with their entity. */
export function exportName(column: IColumn): string {
  return column.entity === 'attributes' ? column.key : column.id;
}

/** Times as ISO 8601; everything else as it is. */
function exportValue(value: CellValue, column: IColumn): CellValue {
  const isTime =
    column.entity === 'attributes' &&
    (column.key === 'start_time' || column.key === 'end_time');
  return isTime && typeof value === 'number'
    ? new Date(value).toISOString()
    : value;
}

/** JSON has no NaN or infinities: they are written as strings, as the REST API does. */
function jsonValue(value: CellValue): string | number | null {
  return typeof value === 'number' && !Number.isFinite(value)
    ? String(value)
    : value;
}

/** A value as CSV text; text that a spreadsheet would run as a formula is defused. */
export function csvText(value: CellValue): string {
  if (value === null) {
    return '';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  const looksNumeric = value.trim() !== '' && !Number.isNaN(Number(value));
  return /^[=+\-@\t\r]/.test(value) && !looksNumeric ? `'${value}` : value;
}

/** One CSV record (RFC 4180): fields quoted when they hold a comma, quote or line break. */
export function csvLine(fields: string[]): string {
  return (
    fields
      .map(field =>
        /[",\r\n]|^\s|\s$/.test(field)
          ? `"${field.replace(/"/g, '""')}"`
          : field
      )
      .join(',') + '\r\n'
  );
}

/** Save a blob through the browser's download. */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** A file name such as `runs-train_ipynb-20261125-154307.csv`. */
export function exportFileName(
  label: string,
  format: ExportFormat,
  now = new Date()
): string {
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `runs-${safe || 'all'}-${stamp}.${format}`;
}
