import { IRun } from '../../api/types';
import { DEFAULT_STATE } from '../state';
import { logRun, useServer, waitFor } from '../../testutils/server';
import { RunsListModel } from './listModel';

const server = useServer();

/** Versions of the rows shown. */
function versions(model: RunsListModel): number[] {
  return model.rows.map(run => run.version);
}

describe('RunsListModel against a real server', () => {
  let model: RunsListModel;
  const runs: IRun[] = [];

  beforeAll(async () => {
    const client = server.client();
    // list.ipynb: v1..v4 with accuracies 0.7, 0.9, 0.8, 0.6; other.ipynb: one run.
    for (const [n, accuracy] of [
      [10, 0.7],
      [20, 0.9],
      [30, 0.8],
      [40, 0.6]
    ]) {
      runs.push(await logRun(client, 'list.ipynb', n, accuracy));
    }
    await logRun(client, 'other.ipynb', 1, 0.5);
    await client.ensureExperiment('empty.ipynb');
  });

  beforeEach(() => {
    model = new RunsListModel({ client: server.client(), pageSize: 10 });
  });

  afterEach(() => {
    model.dispose();
  });

  it('follows the active notebook until an experiment is picked', async () => {
    model.experiments.setNotebook('list.ipynb');
    await model.refresh();
    expect(model.experiment?.name).toBe('list.ipynb');
    expect(versions(model)).toEqual([4, 3, 2, 1]);
    expect(model.total).toBe(4);

    model.experiments.setNotebook('other.ipynb');
    await model.refresh();
    expect(versions(model)).toEqual([1]);

    model.experiments.pin('list.ipynb');
    model.experiments.setNotebook('empty.ipynb');
    await model.refresh();
    expect(model.experiments.name).toBe('list.ipynb');
    expect(model.total).toBe(4);

    model.experiments.pin(null);
    await model.refresh();
    expect(model.experiments.name).toBe('empty.ipynb');
    expect(model.rows).toEqual([]);
  });

  it('lists every experiment with its run count', async () => {
    await model.refresh();
    const counts = Object.fromEntries(
      model.experiments.all.map(e => [e.name, e.run_count])
    );
    expect(counts['list.ipynb']).toBe(4);
    expect(counts['other.ipynb']).toBe(1);
    expect(counts['empty.ipynb']).toBe(0);
  });

  it('shows nothing, and asks for nothing, for a notebook without runs', async () => {
    model.experiments.setNotebook('never-logged.ipynb');
    await model.refresh();
    expect(model.experiment).toBeNull();
    expect(model.rows).toEqual([]);
    expect(model.error).toBeNull();
  });

  it('sorts server-side by metric, name and version', async () => {
    model.experiments.setNotebook('list.ipynb');
    await model.refresh();
    expect(model.metric).toBe('accuracy');

    model.toggleSort('metric');
    await waitFor(() => !model.loading && versions(model)[0] === 2);
    expect(model.rows.map(r => r.metrics['accuracy'].value)).toEqual([
      0.9, 0.8, 0.7, 0.6
    ]);
    model.toggleSort('metric');
    await waitFor(() => !model.loading && versions(model)[0] === 4);
    expect(versions(model)).toEqual([4, 1, 3, 2]);

    model.toggleSort('version');
    await waitFor(() => !model.loading && versions(model)[0] === 4);
    expect(model.sort).toEqual({ column: 'version', descending: true });
    model.toggleSort('version');
    await waitFor(() => !model.loading && versions(model)[0] === 1);
    expect(versions(model)).toEqual([1, 2, 3, 4]);
  });

  it('filters with the search syntax and reports where a filter is wrong', async () => {
    model.experiments.setNotebook('list.ipynb');
    await model.refresh();
    model.setFilter('metrics.accuracy >= 0.8 OR (params.n = 10)');
    await waitFor(() => !model.loading && model.total === 3);
    expect(versions(model)).toEqual([3, 2, 1]);

    model.setFilter('metrics.accuracy > > 1');
    await waitFor(() => model.filterError !== null);
    expect(model.filterError?.message).toMatch(/position/);
    expect(model.filterError?.position).toBe(19);
    expect(model.error).toBeNull();

    model.setFilter('');
    await waitFor(() => !model.loading && model.total === 4);
    expect(model.filterError).toBeNull();
  });

  it('selects with click, ctrl/cmd-click, shift-click and the keyboard', async () => {
    model.experiments.setNotebook('list.ipynb');
    await model.refresh();
    const { selection } = model;
    const idOf = (version: number) => runs[version - 1].id;

    selection.click(0);
    expect(selection.ids).toEqual([idOf(4)]);
    selection.click(2, { toggle: true });
    expect(model.selectedRuns.map(r => r.version)).toEqual([4, 2]);
    selection.click(3, { extend: true });
    expect(model.selectedRuns.map(r => r.version)).toEqual([2, 1]);

    selection.move('first');
    expect(selection.ids).toEqual([idOf(4)]);
    selection.move(1, { extend: true });
    selection.move(1, { extend: true });
    expect(model.selectedRuns.map(r => r.version)).toEqual([4, 3, 2]);
  });

  it('switches to the deleted view and back', async () => {
    const client = server.client();
    const doomed = await logRun(client, 'deleted.ipynb', 1, 0.1);
    await logRun(client, 'deleted.ipynb', 2, 0.2);
    await client.deleteRuns([doomed.id]);
    model.experiments.setNotebook('deleted.ipynb');
    await model.refresh();
    expect(versions(model)).toEqual([2]);

    model.selection.click(0);
    model.setView('deleted');
    expect(model.selection.size).toBe(0);
    await waitFor(() => !model.loading && versions(model)[0] === 1);
    expect(model.total).toBe(1);
    expect(model.rows[0].deleted_time).not.toBeNull();
  });

  it('emits its persisted state and restores it', async () => {
    const states: unknown[] = [];
    model.stateChanged.connect((_, state) => states.push(state));
    model.setFilter('params.n > 10');
    model.toggleSort('name');
    model.setMetric('accuracy');
    expect(model.state).toEqual({
      ...DEFAULT_STATE,
      filter: 'params.n > 10',
      sort: { column: 'name', descending: false },
      metric: 'accuracy'
    });
    expect(states).toHaveLength(3);

    const restored = new RunsListModel({ client: server.client() });
    restored.restore(model.state);
    restored.experiments.setNotebook('list.ipynb');
    await restored.refresh();
    expect(restored.state).toEqual(model.state);
    expect(versions(restored).sort()).toEqual([2, 3, 4]);
    restored.dispose();
  });

  it('pages with "load more"', async () => {
    const small = new RunsListModel({ client: server.client(), pageSize: 2 });
    small.experiments.setNotebook('list.ipynb');
    await small.refresh();
    expect(versions(small)).toEqual([4, 3]);
    expect(small.hasMore).toBe(true);
    await small.loadMore();
    expect(versions(small)).toEqual([4, 3, 2, 1]);
    expect(small.hasMore).toBe(false);
    small.dispose();
  });
});
