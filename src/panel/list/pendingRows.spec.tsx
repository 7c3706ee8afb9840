import React from 'react';

import { IExperiment, ISyncStatus, PendingRun } from '../../api/types';
import { panelContext, render } from '../../testutils/react';
import { PendingRows, pendingOf } from './pendingRows';

const ctx = panelContext();

/** A run as `GET sync` lists it (the response shape only). */
function pendingRun(id: string, change: Partial<PendingRun> = {}): PendingRun {
  return {
    id,
    experiment_id: 'local-experiment',
    version: null,
    pending: true,
    name: 'v?',
    status: 'FINISHED',
    source: 'toolbar',
    start_time: Date.now(),
    end_time: Date.now(),
    duration_ms: 12,
    notebook_path: 'offline.ipynb',
    cell_id: 'cell-1',
    execution_count: 1,
    kernel_name: 'python3',
    language: 'python',
    code_hash: 'abc',
    git_commit: null,
    user: null,
    note: '',
    parent_run_id: null,
    deleted_time: null,
    error: null,
    params: { n: { value: '3', type: 'int', source: 'assign' } },
    metrics: {
      accuracy: {
        value: 0.9125,
        step: 0,
        timestamp: 0,
        min: 0.9125,
        max: 0.9125,
        count: 1,
        source: 'printed'
      }
    },
    tags: {},
    ...change
  };
}

const experiment: IExperiment = {
  id: '7',
  name: 'offline.ipynb',
  created: 0,
  notebook_path: 'offline.ipynb',
  description: '',
  deleted_time: null,
  run_count: 2
};

describe('PendingRows', () => {
  it('shows each waiting run as "v? · waiting to sync", outside the selectable list', () => {
    const runs = [
      pendingRun('p2', { name: 'tuned' }),
      pendingRun('p1', { name: 'v?' })
    ];
    const view = render(
      <PendingRows ctx={ctx} runs={runs} metric="accuracy" />
    );
    const list = view.node.querySelector('ul.jp-RunsList-pendingRows')!;
    expect(list.getAttribute('aria-label')).toBe('Runs waiting to sync');
    const rows = [...list.querySelectorAll('li.jp-RunsList-pendingRow')];
    expect(rows.map(row => row.getAttribute('data-run-id'))).toEqual([
      'p2',
      'p1'
    ]);
    for (const row of rows) {
      expect(row.querySelector('.jp-RunsList-version')?.textContent).toBe(
        'v? · waiting to sync'
      );
      expect(row.getAttribute('role')).toBeNull();
      expect(row.getAttribute('aria-selected')).toBeNull();
      expect(row.querySelector('.jp-RunsList-metric')?.textContent).toBe(
        '0.9125'
      );
      expect(row.querySelector('.jp-RunsList-params')?.textContent).toBe('n=3');
    }
    // A name the user gave is shown; the default ("v?") would only repeat the version.
    expect(rows[0].querySelector('.jp-RunsList-name')?.textContent).toBe(
      'tuned'
    );
    expect(rows[1].querySelector('.jp-RunsList-name')).toBeNull();
    expect(view.node.querySelector('[role="option"], [role="listbox"]')).toBe(
      null
    );
    view.unmount();
  });

  it('takes the outbox runs of the experiment shown, by id or through its notebook', () => {
    const sync: ISyncStatus = {
      enabled: true,
      pending: 4,
      failed: 0,
      last_error: null,
      last_error_at: null,
      last_delivered_at: null,
      runs: [
        pendingRun('a'),
        pendingRun('b', { experiment_id: '7', notebook_path: 'x.ipynb' }),
        pendingRun('c', { experiment_id: 'local-other', notebook_path: null }),
        // A headless job's run: no notebook path, the experiment's outbox id.
        pendingRun('d', { notebook_path: null })
      ]
    };
    const ids = (runs: PendingRun[]) => runs.map(run => run.id);
    expect(ids(pendingOf(sync, 'offline.ipynb', experiment))).toEqual([
      'a',
      'b',
      'd'
    ]);
    // Not on the server yet: the notebook's runs name the experiment's outbox id.
    expect(ids(pendingOf(sync, 'offline.ipynb', null))).toEqual(['a', 'd']);
    expect(pendingOf(sync, 'elsewhere.ipynb', null)).toEqual([]);
    expect(pendingOf(sync, null, null)).toEqual([]);
    expect(
      pendingOf({ ...sync, enabled: false }, 'offline.ipynb', null)
    ).toEqual([]);
    expect(pendingOf(null, 'offline.ipynb', experiment)).toEqual([]);
  });
});
