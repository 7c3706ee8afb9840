import React from 'react';

import { ISyncStatus } from '../../api/types';
import { panelContext, render } from '../../testutils/react';
import { SyncHeader, syncHeaderShown } from './syncHeader';

const ctx = panelContext();

/** A `GET sync` reply (the response shape only: the header renders what it is given). */
function status(change: Partial<ISyncStatus>): ISyncStatus {
  return {
    enabled: true,
    pending: 0,
    failed: 0,
    last_error: null,
    last_error_at: null,
    last_delivered_at: null,
    runs: [],
    ...change
  };
}

function header(node: HTMLElement): HTMLElement {
  return node.querySelector('.jp-RunsSync') as HTMLElement;
}

describe('SyncHeader', () => {
  it('says how many runs wait, with the last error and its time, in a polite live region', () => {
    const at = Date.now() - 5 * 60_000;
    const view = render(
      <SyncHeader
        ctx={ctx}
        status={status({
          pending: 1,
          last_error: 'cannot reach http://127.0.0.1:5999: connection refused',
          last_error_at: at
        })}
      />
    );
    const node = header(view.node);
    expect(node.getAttribute('role')).toBe('status');
    expect(node.getAttribute('aria-live')).toBe('polite');
    expect(node.classList.contains('jp-mod-hidden')).toBe(false);
    expect(node.querySelector('.jp-RunsSync-pending')?.textContent).toBe(
      '1 run waiting to sync'
    );
    expect(node.querySelector('.jp-RunsSync-errorText')?.textContent).toBe(
      'cannot reach http://127.0.0.1:5999: connection refused'
    );
    const time = node.querySelector('time')!;
    expect(time.textContent).toBe('5 min ago');
    expect(time.getAttribute('datetime')).toBe(new Date(at).toISOString());

    view.unmount();

    const three = render(
      <SyncHeader
        ctx={ctx}
        status={status({ pending: 3, failed: 2, last_error: null })}
      />
    );
    expect(header(three.node).textContent).toBe(
      '3 runs waiting to sync2 writes were refused by the MLflow server'
    );
    three.unmount();
  });

  it('shows the server’s error as text, never as HTML', () => {
    const hostile = '<img src=x onerror="alert(1)"><b>refused</b>';
    const view = render(
      <SyncHeader
        ctx={ctx}
        status={status({
          pending: 2,
          last_error: hostile,
          last_error_at: Date.now()
        })}
      />
    );
    const node = header(view.node);
    expect(node.querySelector('img, b')).toBeNull();
    expect(node.querySelector('.jp-RunsSync-errorText')?.textContent).toBe(
      hostile
    );
    view.unmount();
  });

  it('is hidden with nothing waiting and no current error, and on the embedded store', () => {
    const now = Date.now();
    const quiet = [
      null,
      status({}),
      // The last error came before the last delivery: the server recovered.
      status({
        last_error: 'connection refused',
        last_error_at: now - 60_000,
        last_delivered_at: now
      }),
      status({ enabled: false, pending: 4, last_error: 'x' })
    ];
    for (const reply of quiet) {
      expect(syncHeaderShown(reply)).toBe(false);
      const view = render(<SyncHeader ctx={ctx} status={reply} />);
      const node = header(view.node);
      expect(node.classList.contains('jp-mod-hidden')).toBe(true);
      expect(node.textContent).toBe('');
      view.unmount();
    }
    // An error after the last delivery is news even with nothing waiting.
    const failing = status({
      last_error: 'HTTP 503 from the server',
      last_error_at: now,
      last_delivered_at: now - 60_000
    });
    expect(syncHeaderShown(failing)).toBe(true);
    const view = render(<SyncHeader ctx={ctx} status={failing} />);
    expect(header(view.node).querySelector('.jp-RunsSync-pending')).toBeNull();
    expect(header(view.node).textContent).toContain('HTTP 503 from the server');
    view.unmount();
  });
});
