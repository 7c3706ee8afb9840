/** Failures as the panel shows them: what kind, and the server's own words. */

import { ServerConnection } from '@jupyterlab/services';

/** A failed request, classified so the view can say what to do about it. */
export interface IPanelError {
  /** `network`: no answer; `unavailable`: the store is down (503); `other`: anything else. */
  kind: 'network' | 'unavailable' | 'other';
  /** The server's (or the browser's) message. */
  message: string;
}

/** Classify a thrown value. */
export function panelError(reason: unknown): IPanelError {
  if (reason instanceof ServerConnection.NetworkError) {
    return { kind: 'network', message: reason.message };
  }
  if (reason instanceof ServerConnection.ResponseError) {
    return {
      kind: reason.response.status === 503 ? 'unavailable' : 'other',
      message: reason.message
    };
  }
  return {
    kind: 'other',
    message: reason instanceof Error ? reason.message : String(reason)
  };
}
