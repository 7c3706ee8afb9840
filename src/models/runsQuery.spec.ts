import { JupyterServer } from '@jupyterlab/testing';

import { RunsClient } from '../api/client';
import { IRunsPage, IRunSummary, IRunsQuery, INewRun } from '../api/types';
import { applyCompletion, completeFilter } from './filterCompletion';
import { RunsQuery } from './runsQuery';
import { RunSelection } from './selection';

// A real jupyter server with the jupyterlab_runs extension and a fresh store.
const server = new JupyterServer();

/** The real client, counting the pages it fetches. */
class CountingClient extends RunsClient {
  pages: IRunsQuery[] = [];

  searchRunSummaries(query: IRunsQuery): Promise<IRunsPage<IRunSummary>> {
    this.pages.push(query);
    return super.searchRunSummaries(query);
  }
}

let client: CountingClient;
let experimentId: string;
const RUNS = 23;

function newRun(experiment: string, i: number): INewRun {
  return {
    experiment_id: experiment,
    status: 'FINISHED',
    source: 'api',
    start_time: 1_700_000_000_000 + i * 1000,
    end_time: 1_700_000_000_500 + i * 1000,
    code: `n = ${i}`,
    params: [
      { key: 'n', value: String(i), type: 'int', source: 'assign' },
      {
        key: 'model',
        value: i % 2 ? 'rf' : 'gb',
        type: 'str',
        source: 'assign'
      }
    ],
    // Distinct accuracies in a scrambled order.
    metrics: [{ key: 'acc', value: ((i * 7) % RUNS) / RUNS, source: 'printed' }]
  };
}

beforeAll(async () => {
  // CI runs as root, which jupyter_server refuses without allow_root.
  await server.start({ configData: { ServerApp: { allow_root: true } } });
  client = new CountingClient();
  experimentId = (await client.ensureExperiment('query-spec.ipynb')).id;
  for (let i = 0; i < RUNS; i++) {
    await client.createRun(newRun(experimentId, i));
  }
}, 60000);

afterAll(async () => {
  await server.shutdown();
});

function versions(query: RunsQuery, start: number, end: number): number[] {
  const found: number[] = [];
  for (let i = start; i < end; i++) {
    found.push(query.peekRow(i)?.version ?? -1);
  }
  return found;
}

describe('RunsQuery against a real server', () => {
  it('loads the first page at once and later pages through their tokens', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      pageSize: 5
    });
    expect(query.ready).toBe(false);
    await query.requestRange(0, 5);
    expect(query.ready).toBe(true);
    expect(query.total).toBe(RUNS);
    expect(versions(query, 0, 5)).toEqual([23, 22, 21, 20, 19]);
    // Row 12 is on page 2: asking for it loads pages 1 and 2, in order.
    expect(query.getRow(12)).toBeUndefined();
    await query.requestRange(12, 13);
    expect(query.peekRow(12)?.version).toBe(11);
    expect(query.isLoaded(7)).toBe(true);
    expect(query.isLoaded(15)).toBe(false);
    await query.requestRange(20, 23);
    expect(versions(query, 20, 23)).toEqual([3, 2, 1]);
    expect(query.loadedRows().map(([index]) => index)).toEqual(
      Array.from({ length: RUNS }, (_, i) => i)
    );
    query.dispose();
  });

  it('fetches a smaller first page, then full pages, with rows in one sequence', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      pageSize: 10,
      firstPageSize: 3
    });
    const fetched = client.pages.length;
    await query.requestRange(0, RUNS);
    expect(client.pages.slice(fetched).map(p => p.maxResults)).toEqual([
      3, 10, 10
    ]);
    expect(versions(query, 0, RUNS)).toEqual(
      Array.from({ length: RUNS }, (_, i) => RUNS - i)
    );
    expect(query.loadedRows().map(([index]) => index)).toEqual(
      Array.from({ length: RUNS }, (_, i) => i)
    );
    query.dispose();
  });

  it('stops walking towards rows the view has moved away from', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      pageSize: 2,
      firstPageSize: 2
    });
    const fetched = client.pages.length;
    // Row 20 needs ten pages fetched one after another; the view is back at the top first.
    const far = query.requestRange(20, 22);
    await query.requestRange(0, 2);
    await far;
    expect(client.pages.length - fetched).toBe(1);
    expect(query.isLoaded(20)).toBe(false);
    query.dispose();
  });

  it('jumps to a far row by its offset, then goes on by token', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      orderBy: ['metrics.acc DESC'],
      pageSize: 2,
      firstPageSize: 2
    });
    await query.requestRange(0, 2);
    const fetched = client.pages.length;
    // Row 18 is on page 9: one request at its offset, not nine pages walked by token.
    await query.requestRange(18, 20);
    const jump = client.pages.slice(fetched);
    expect(jump.map(p => [p.offset, p.pageToken, p.maxResults])).toEqual([
      [18, undefined, 2]
    ]);
    // Both rows hold the runs walking from the top finds there (acc = (7i mod 23) / 23).
    const walked = Array.from({ length: RUNS }, (_, i) => i)
      .sort((a, b) => ((b * 7) % RUNS) - ((a * 7) % RUNS))
      .map(i => i + 1);
    expect(versions(query, 18, 20)).toEqual(walked.slice(18, 20));
    // The next rows come by the token the jumped-to page returned.
    await query.requestRange(20, 23);
    const after = client.pages.slice(fetched + 1);
    expect(after.map(p => [p.offset, typeof p.pageToken])).toEqual([
      [undefined, 'string'],
      [undefined, 'string']
    ]);
    expect(versions(query, 18, 23)).toEqual(walked.slice(18, 23));
    expect(query.isLoaded(10)).toBe(false);
    query.dispose();
  });

  it('sorts on the server and toggles the direction', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      pageSize: 50
    });
    const kinds: RunsQuery.Change[] = [];
    query.changed.connect((_, kind) => kinds.push(kind));
    query.toggleSort('metrics.acc');
    expect(query.orderBy).toEqual(['metrics.acc ASC']);
    expect(kinds[0]).toBe('query');
    await query.requestRange(0, RUNS);
    const ascending = versions(query, 0, RUNS).map(
      v =>
        query.loadedRows().find(([, r]) => r.version === v)![1].metrics.acc
          .value
    );
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    query.toggleSort('metrics.acc');
    expect(query.sort).toEqual({ expression: 'metrics.acc', descending: true });
    await query.requestRange(0, RUNS);
    expect(query.peekRow(0)?.metrics.acc.value).toBe(Math.max(...ascending));
    query.toggleSort('params.n');
    expect(query.sort).toEqual({ expression: 'params.n', descending: false });
    await query.requestRange(0, 3);
    expect(versions(query, 0, 3)).toEqual([1, 2, 3]);
    query.dispose();
  });

  it('reports where a filter is wrong, then recovers', async () => {
    const query = new RunsQuery({ client, experimentIds: [experimentId] });
    await query.requestRange(0, 1);
    query.setQuery({ filter: "params.model = 'rf' AND metrics.acc >" });
    await query.requestRange(0, 1);
    expect(query.error?.position).toBe(37);
    expect(query.error?.message).toMatch(
      /expected a value after '>' at position 37/
    );
    expect(query.loading).toBe(false);
    // Nothing is retried while the filter stays wrong.
    const before = client.pages.length;
    await query.requestRange(0, 10);
    expect(client.pages.length).toBe(before);
    query.setQuery({ filter: "params.model = 'rf' AND metrics.acc > 0.5" });
    await query.requestRange(0, 1);
    expect(query.error).toBeNull();
    const expected = Array.from({ length: RUNS }, (_, i) => i).filter(
      i => i % 2 === 1 && ((i * 7) % RUNS) / RUNS > 0.5
    ).length;
    expect(query.total).toBe(expected);
    expect(RunsQuery.parseError(new Error('boom'))).toEqual({
      message: 'boom',
      position: null
    });
    query.dispose();
  });

  it('drops replies to a query that was replaced', async () => {
    const query = new RunsQuery({ client, experimentIds: [experimentId] });
    // The first filter's request is in flight when the second replaces it.
    query.setQuery({ filter: "params.model = 'gb'" });
    const first = query.requestRange(0, 1);
    query.setQuery({ filter: "params.model = 'rf'" });
    const seen: string[] = [];
    query.changed.connect(() => {
      for (const [, run] of query.loadedRows()) {
        seen.push(run.params.model.value);
      }
    });
    await first;
    await query.requestRange(0, 50);
    expect(query.total).toBe(11);
    expect(new Set(seen)).toEqual(new Set(['rf']));
    query.dispose();
  });

  it('refreshes in place: rows stay until replaced, deep pages reuse their tokens', async () => {
    const experiment = await client.ensureExperiment('refresh-spec.ipynb');
    for (let i = 0; i < 30; i++) {
      await client.createRun(newRun(experiment.id, i));
    }
    const query = new RunsQuery({
      client,
      experimentIds: [experiment.id],
      pageSize: 5,
      maxCachedPages: 3
    });
    // Scrolled down a page at a time, so every page's token is known.
    for (let row = 0; row < 30; row += 5) {
      await query.requestRange(row, row + 5);
    }
    // Only three pages stay cached: the ones nearest the rows shown.
    expect(query.loadedRows().length).toBe(15);
    expect(query.isLoaded(0)).toBe(false);
    expect(query.peekRow(29)?.version).toBe(1);

    await client.createRun(newRun(experiment.id, 30));
    const fetched = client.pages.length;
    const refreshing = query.refresh();
    expect(query.peekRow(29)?.version).toBe(1); // still shown while it reloads
    expect(query.isLoaded(29)).toBe(false);
    await refreshing;
    expect(query.total).toBe(31);
    // The first page (for the total) and the visible page: no walk through pages 1-4.
    expect(client.pages.length - fetched).toBe(2);
    expect(query.isLoaded(29)).toBe(true);
    expect(query.peekRow(0)?.version).toBe(31);
    query.dispose();
  });

  it('switches between active, deleted and all runs', async () => {
    const experiment = await client.ensureExperiment('view-spec.ipynb');
    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push(await client.createRun(newRun(experiment.id, i)));
    }
    await client.deleteRuns([runs[1].id]);
    const query = new RunsQuery({ client, experimentIds: [experiment.id] });
    await query.requestRange(0, 10);
    expect(query.total).toBe(2);
    query.setQuery({ view: 'deleted' });
    await query.requestRange(0, 10);
    expect(query.peekRow(0)?.id).toBe(runs[1].id);
    expect(query.total).toBe(1);
    query.setQuery({ view: 'all' });
    await query.requestRange(0, 10);
    expect(query.total).toBe(3);
    expect(query.affectedBy(new Set([experiment.id]))).toBe(true);
    expect(query.affectedBy(new Set(['other']))).toBe(false);
    query.dispose();
  });

  it('selects shift-ranges of loaded rows and focused rows once they load', async () => {
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      pageSize: 5
    });
    const selection = new RunSelection(query);
    await query.requestRange(0, 5);
    selection.click(1);
    selection.click(3, { extend: true });
    expect(
      selection.ids.map(
        id => query.loadedRows().find(([, r]) => r.id === id)![0]
      )
    ).toEqual([1, 2, 3]);
    selection.move(4);
    selection.move(1); // row 8 is on a page not loaded yet
    expect(selection.focus).toBe(8);
    expect(selection.size).toBe(0);
    query.changed.connect(() => selection.resolve());
    await query.requestRange(5, 10);
    expect(selection.ids).toEqual([query.peekRow(8)!.id]);
    selection.dispose();
    query.dispose();
  });

  it('builds filters from completions that the server accepts', async () => {
    const keys = await client.keys([experimentId]);
    expect(keys.metrics).toEqual(['acc']);
    let text = '';
    const pick = (label: string) => {
      const completion = completeFilter(text, text.length, keys)!;
      const item = completion.items.find(i => i.label === label)!;
      text = applyCompletion(text, completion, item).text;
    };
    pick('params.');
    pick('model');
    text += ' ';
    pick('IN');
    text += "'rf') ";
    pick('AND');
    pick('metrics.');
    pick('acc');
    text += ' ';
    pick('>=');
    text += '0.5 ';
    pick('OR');
    text += 'stat';
    pick('status');
    text += ' ';
    pick('=');
    pick('FINISHED');
    expect(text).toBe(
      "params.model IN ('rf') AND metrics.acc >= 0.5 OR status = 'FINISHED'"
    );
    const query = new RunsQuery({
      client,
      experimentIds: [experimentId],
      filter: text
    });
    await query.requestRange(0, 1);
    expect(query.error).toBeNull();
    expect(query.total).toBe(RUNS);
    query.dispose();
  });

  it('stops loading and emitting once disposed', async () => {
    const query = new RunsQuery({ client, experimentIds: [experimentId] });
    let emitted = 0;
    query.changed.connect(() => emitted++);
    const loading = query.requestRange(0, 5);
    query.dispose();
    query.dispose();
    await loading;
    expect(emitted).toBe(0);
    expect(query.isDisposed).toBe(true);
    expect(query.peekRow(0)).toBeUndefined();
  });
});
