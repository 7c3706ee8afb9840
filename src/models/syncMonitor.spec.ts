import { RunsClient } from '../api/client';
import { ISyncStatus } from '../api/types';
import { useServer } from '../testutils/server';
import { SyncMonitor } from './syncMonitor';

const server = useServer();

/** A real client that counts its `GET sync` requests. */
class CountingClient extends RunsClient {
  calls = 0;
  async sync(): Promise<ISyncStatus> {
    this.calls++;
    return super.sync();
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('SyncMonitor against a real server (embedded store)', () => {
  it('asks nothing until a view shows it', async () => {
    server.client();
    const client = new CountingClient();
    const monitor = new SyncMonitor({ client, interval: 50 });
    await sleep(300);
    expect(client.calls).toBe(0);
    expect(monitor.status).toBeNull();
    monitor.dispose();
  });

  it('learns that the embedded store has no outbox, then stops polling', async () => {
    const client = new CountingClient();
    const monitor = new SyncMonitor({ client, interval: 50 });
    const seen: Array<ISyncStatus | null> = [];
    monitor.changed.connect((_, status) => seen.push(status));
    const panel = {};
    monitor.setVisible(panel, true);
    await monitor.refresh();
    expect(monitor.status).toEqual({
      enabled: false,
      pending: 0,
      failed: 0,
      last_error: null,
      last_error_at: null,
      last_delivered_at: null,
      runs: []
    });
    expect(seen).toHaveLength(1);
    const calls = client.calls;
    await sleep(400);
    await monitor.refresh();
    // Eight intervals later: no more requests (the store is fixed for the server's life).
    expect(client.calls).toBe(calls);
    monitor.setVisible(panel, false);
    monitor.dispose();
    monitor.dispose();
    expect(monitor.isDisposed).toBe(true);
  });
});
