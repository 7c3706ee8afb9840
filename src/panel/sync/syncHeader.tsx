import React from 'react';

import { ISyncStatus } from '../../api/types';
import { formatAge, formatTime } from '../../format';
import { IPanelContext } from '../context';

/**
 * Whether the header has something to say: runs waiting, or a delivery error newer than
 * the last delivery (an error the server recovered from since is history).
 */
export function syncHeaderShown(status: ISyncStatus | null): boolean {
  if (!status?.enabled) {
    return false;
  }
  return status.pending > 0 || currentError(status) !== null;
}

/** The last error, unless a delivery succeeded after it. */
function currentError(status: ISyncStatus): string | null {
  if (!status.last_error) {
    return null;
  }
  const failed = status.last_error_at ?? 0;
  const delivered = status.last_delivered_at ?? -1;
  return status.pending > 0 || failed > delivered ? status.last_error : null;
}

/**
 * The panel header of the outbox: "N runs waiting to sync", the writes the server refused,
 * and the last delivery error with its time, in a polite live region (screen readers hear the count change). The
 * region stays in the page while empty so that its first announcement is heard.
 */
export function SyncHeader(props: {
  ctx: IPanelContext;
  status: ISyncStatus | null;
}): JSX.Element {
  const { ctx, status } = props;
  const { trans } = ctx;
  const shown = status !== null && syncHeaderShown(status);
  const error = shown ? currentError(status) : null;
  const at = shown ? status.last_error_at : null;
  return (
    <div
      className={`jp-RunsSync${shown ? '' : ' jp-mod-hidden'}`}
      role="status"
      aria-live="polite"
      aria-atomic="true"
    >
      {shown && status.pending > 0 && (
        <div className="jp-RunsSync-pending">
          {trans._n(
            '%1 run waiting to sync',
            '%1 runs waiting to sync',
            status.pending
          )}
        </div>
      )}
      {shown && status.failed > 0 && (
        <div className="jp-RunsSync-failed">
          {trans._n(
            '%1 write was refused by the MLflow server',
            '%1 writes were refused by the MLflow server',
            status.failed
          )}
        </div>
      )}
      {error !== null && (
        <div className="jp-RunsSync-error">
          {/* The server's message, as text: it may quote anything the server said. */}
          <span className="jp-RunsSync-errorText">{error}</span>
          {at !== null && (
            <time
              className="jp-RunsSync-errorTime"
              dateTime={new Date(at).toISOString()}
              title={formatTime(at, true)}
            >
              {formatAge(at, trans)}
            </time>
          )}
        </div>
      )}
    </div>
  );
}
