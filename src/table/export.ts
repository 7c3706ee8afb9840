import { IRunsQuery, MetricValue } from '../api/types';
import { IColumn } from './columns';
import type { IRunsClient } from '../tokens';

/** File formats of an export. */
export type ExportFormat = 'csv' | 'json';

/** What to export and how to follow its progress. */
export interface IExportOptions {
  /** REST client. */
  client: IRunsClient;
  /** The search shown (its page token is ignored). */
  query: IRunsQuery;
  /** Columns shown, in order. */
  columns: IColumn[];
  /** Which value of its history each metric column shows. */
  metricValue: (key: string) => MetricValue;
  /** File format. */
  format: ExportFormat;
  /** Cancels the export. */
  signal?: AbortSignal;
  /** Called as records arrive with the runs received so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Every run matching the query as CSV or JSON (one row/object per run: `run_id`, then the
 * columns shown), written and streamed by the server (`POST runs/export`).
 */
export function exportRuns(options: IExportOptions): Promise<Blob> {
  const { columns, metricValue } = options;
  const metricValues: Record<string, MetricValue> = {};
  for (const column of columns) {
    if (column.entity === 'metrics') {
      metricValues[column.key] = metricValue(column.key);
    }
  }
  return options.client.exportRuns(
    {
      format: options.format,
      query: options.query,
      columns: columns.map(column => column.id),
      metricValues
    },
    options.signal,
    options.onProgress
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
