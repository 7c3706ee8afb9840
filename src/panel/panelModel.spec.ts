import { RunsClient } from '../api/client';
import { IRun } from '../api/types';
import { LiveUpdates } from '../models/liveUpdates';
import { RunsPanelModel } from './panelModel';
import { logRun, useServer, waitFor } from '../testutils/server';

const server = useServer();

describe('RunsPanelModel against a real server', () => {
  let live: LiveUpdates;
  let model: RunsPanelModel;
  const runs: IRun[] = [];

  beforeAll(async () => {
    const client = server.client();
    for (const [n, accuracy] of [
      [1, 0.6],
      [2, 0.8],
      [3, 0.7]
    ]) {
      runs.push(await logRun(client, 'panel.ipynb', n, accuracy));
    }
    await logRun(client, 'elsewhere.ipynb', 9, 0.1);
  });

  beforeEach(async () => {
    live = new LiveUpdates({ client: server.client(), interval: 100 });
    model = new RunsPanelModel({ client: server.client(), live });
    model.list.experiments.setNotebook('panel.ipynb');
    await model.refresh();
  });

  afterEach(() => {
    model.dispose();
    live.dispose();
  });

  it('shows runs logged elsewhere within two seconds while visible', async () => {
    model.setVisible(true);
    await live.refresh();
    const before = model.list.total;
    const client = server.client();
    const logged = await logRun(client, 'panel.ipynb', 4, 0.9);
    const start = Date.now();
    await waitFor(() => model.list.rows.some(r => r.id === logged.id), 2000);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(model.list.total).toBe(before + 1);
    const count = () =>
      model.list.experiments.all.find(e => e.name === 'panel.ipynb')?.run_count;
    expect(count()).toBe(before + 1);
    await client.deleteRuns([logged.id]);
    await waitFor(() => !model.list.rows.some(r => r.id === logged.id), 2000);
  });

  it('does not poll while hidden', async () => {
    model.setVisible(false);
    const logged = await logRun(server.client(), 'panel.ipynb', 5, 0.5);
    await new Promise(resolve => setTimeout(resolve, 600));
    expect(model.list.rows.some(r => r.id === logged.id)).toBe(false);
    model.setVisible(true);
    await waitFor(() => model.list.rows.some(r => r.id === logged.id), 2000);
    await server.client().deleteRuns([logged.id]);
  });

  it('shows the details of a single selected run', async () => {
    model.list.selection.click(1);
    const selected = model.list.selection.ids[0];
    await waitFor(() => model.details.run?.id === selected);
    expect(model.inspector).toBe('details');
  });

  it('compares the selected runs and follows the selection', async () => {
    model.list.selection.click(0);
    model.list.selection.click(1, { toggle: true });
    expect(model.inspector).toBe('details');
    model.compareSelected();
    expect(model.inspector).toBe('compare');
    expect(model.compare.runs).toHaveLength(2);
    model.list.selection.click(2, { toggle: true });
    expect(model.compare.runs).toHaveLength(3);

    // A chart click shows that run; "back" returns to the same comparison.
    model.selectFromChart(runs[0].id);
    expect(model.inspector).toBe('details');
    expect(model.canGoBack).toBe(true);
    await waitFor(() => model.details.run?.id === runs[0].id);
    model.backToComparison();
    expect(model.inspector).toBe('compare');
    expect(model.compare.runs).toHaveLength(3);

    // A plain click on one run leaves the comparison.
    model.list.selection.click(0);
    expect(model.inspector).toBe('details');
  });

  it('opens a run of another experiment by switching to it', async () => {
    const other = (
      await server.client().searchRuns({
        experimentIds: [
          model.list.experiments.all.find(e => e.name === 'elsewhere.ipynb')!.id
        ]
      })
    ).runs[0];
    await model.openRun(other.id);
    expect(model.list.experiments.name).toBe('elsewhere.ipynb');
    expect(model.list.experiments.pinned).toBe('elsewhere.ipynb');
    expect(model.details.run?.id).toBe(other.id);
    expect(model.list.selection.ids).toEqual([other.id]);
    await waitFor(() => model.list.rows.some(r => r.id === other.id));

    await model.openRun(runs[1].id);
    // Back on the notebook's own experiment: following it again.
    expect(model.list.experiments.pinned).toBeNull();
    expect(model.list.experiments.name).toBe('panel.ipynb');
  });

  it('opens a deleted run in the deleted view', async () => {
    const doomed = await logRun(server.client(), 'panel.ipynb', 6, 0.2);
    await server.client().deleteRuns([doomed.id]);
    await model.openRun(doomed.id);
    expect(model.list.view).toBe('deleted');
    await waitFor(() => model.list.rows.some(r => r.id === doomed.id));
  });

  it('selects a run this front end just logged', async () => {
    const logged = await logRun(server.client(), 'panel.ipynb', 7, 0.3);
    await model.runLogged(logged);
    expect(model.list.rows.some(r => r.id === logged.id)).toBe(true);
    expect(model.list.selection.ids).toEqual([logged.id]);
    await server.client().deleteRuns([logged.id]);
  });

  it('reports an unreachable store instead of failing silently', async () => {
    const broken = new RunsPanelModel({
      client: new RunsClient({
        ...server.client().serverSettings,
        baseUrl: 'http://127.0.0.1:9/'
      }),
      live
    });
    broken.list.experiments.setNotebook('panel.ipynb');
    await broken.refresh();
    expect(broken.list.error?.kind).toBe('network');
    broken.dispose();
  });
});
