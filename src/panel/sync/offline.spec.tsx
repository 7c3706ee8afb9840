import { CodeCellModel } from '@jupyterlab/cells';
import React from 'react';

import { isPending } from '../../api/types';
import { PendingLinks } from '../../capture/pendingLinks';
import { CellMeta } from '../../capture/metadata';
import { SyncMonitor } from '../../models/syncMonitor';
import { panelContext, render } from '../../testutils/react';
import { logRun, useServer, waitFor } from '../../testutils/server';
import { RunDetailsModel } from '../details/detailsModel';
import { RunHeader } from '../details/runHeader';
import { ListView } from '../list/listView';
import { RunsListModel } from '../list/listModel';

// A real jupyter server whose store is an MLflow server that cannot be reached (nothing
// listens on port 9 of the loopback): runs wait in its outbox.
const server = useServer({
  tracking_uri: 'http://alice:s3cret@127.0.0.1:9'
});

describe('the outbox of a real server whose MLflow server is down', () => {
  it('answers Log run with a pending run, listed by GET sync with a redacted error', async () => {
    const client = server.client();
    await expect(logRun(client, 'offline.ipynb', 1, 0.9)).rejects.toThrow(
      'queued'
    );
    const run = await client.createRun({
      experiment_name: 'offline.ipynb',
      notebook_path: 'offline.ipynb',
      status: 'FINISHED',
      source: 'toolbar',
      start_time: Date.now(),
      end_time: Date.now(),
      code: 'n = 2',
      params: [{ key: 'n', value: '2', type: 'int', source: 'assign' }],
      metrics: [{ key: 'accuracy', value: 0.75, source: 'printed' }]
    });
    expect(isPending(run)).toBe(true);
    expect(run.version).toBeNull();

    const monitor = new SyncMonitor({ client, interval: 100 });
    const panel = {};
    monitor.setVisible(panel, true);
    await monitor.refresh();
    const status = monitor.status!;
    expect(status.enabled).toBe(true);
    expect(status.pending).toBe(2);
    expect(status.runs.map(r => r.id)).toContain(run.id);
    expect(status.runs.every(r => r.version === null && r.pending)).toBe(true);
    expect(status.last_error).toBeTruthy();
    expect(status.last_error).not.toContain('s3cret');

    // The cell of a pending run stays "waiting": the server has no version for it yet.
    const cell = new CodeCellModel();
    CellMeta.setLastRun(cell, run);
    const links = new PendingLinks(client, monitor);
    links.watch(cell);
    await monitor.refresh();
    expect(CellMeta.lastRun(cell)?.version).toBeNull();
    links.dispose();
    cell.dispose();
    monitor.dispose();
  });

  it('shows the header and the pending rows in the panel’s run list', async () => {
    const client = server.client();
    const monitor = new SyncMonitor({ client, interval: 100 });
    const list = new RunsListModel({ client });
    list.experiments.setNotebook('offline.ipynb');
    monitor.setVisible(list, true);
    await monitor.refresh();
    const view = render(
      <ListView ctx={panelContext()} model={list} sync={monitor} />
    );
    await waitFor(
      () => view.node.querySelectorAll('.jp-RunsList-pendingRow').length === 2
    );
    expect(view.node.querySelector('.jp-RunsSync-pending')?.textContent).toBe(
      '2 runs waiting to sync'
    );
    const versions = [
      ...view.node.querySelectorAll(
        '.jp-RunsList-pendingRow .jp-RunsList-version'
      )
    ].map(node => node.textContent);
    expect(versions).toEqual(['v? · waiting to sync', 'v? · waiting to sync']);
    expect(view.node.textContent).not.toContain('s3cret');
    view.unmount();
    list.dispose();
    monitor.dispose();
  });

  it('names a pending run in its details header as its row does: "v? · waiting to sync"', async () => {
    const client = server.client();
    await expect(logRun(client, 'offline.ipynb', 4, 0.5)).rejects.toThrow(
      'queued'
    );
    const [newest] = (await client.sync()).runs;
    const run = await client.getRun(newest.id);
    expect(run.version).toBeNull();
    const model = new RunDetailsModel({ client });
    const view = render(
      <RunHeader ctx={panelContext()} model={model} run={run} />
    );
    expect(
      view.node.querySelector('.jp-RunsDetails-version')?.textContent
    ).toBe('v? · waiting to sync');
    // Its default name ("v?") is no name of its own.
    expect(view.node.querySelector('.jp-RunsDetails-name')).toBeNull();
    view.unmount();
    model.dispose();
  });
});
