import { JupyterServer } from '@jupyterlab/testing';

import { RunsClient } from '../api/client';
import { INewRun, IRunsPage, IRunSummary, IRunsQuery } from '../api/types';
import { RunsTableModel } from './model';
import { readText } from '../testutils/blob';

// A real jupyter server with the jupyterlab_runs extension and a fresh store.
const server = new JupyterServer();

/** The real client, counting the pages and the exports it fetches. */
class CountingClient extends RunsClient {
  pages: IRunsQuery[] = [];
  exports = 0;

  searchRunSummaries(query: IRunsQuery): Promise<IRunsPage<IRunSummary>> {
    this.pages.push(query);
    return super.searchRunSummaries(query);
  }

  exportRuns(...args: Parameters<RunsClient['exportRuns']>): Promise<Blob> {
    this.exports++;
    return super.exportRuns(...args);
  }
}

let client: CountingClient;
let experimentId: string;

function newRun(i: number): INewRun {
  return {
    experiment_name: 'table-model.ipynb',
    status: 'FINISHED',
    source: 'api',
    start_time: 1_700_000_000_000 + i * 1000,
    end_time: 1_700_000_000_000 + i * 1000 + 250,
    code: '',
    params: [
      {
        key: 'model',
        value: i === 0 ? '=HYPERLINK("x")' : `m,"${i}"`,
        type: 'str',
        source: 'assign'
      },
      { key: 'lr', value: String(-i / 10), type: 'float', source: 'assign' }
    ],
    metrics: [
      { key: 'val_loss', value: 0.5, step: 0, source: 'explicit' },
      { key: 'val_loss', value: 0.2, step: 1, source: 'explicit' },
      { key: 'val_loss', value: 0.3 + i, step: 2, source: 'explicit' },
      { key: 'accuracy', value: i === 1 ? NaN : i / 10, source: 'printed' }
    ],
    tags: { team: 'a' }
  };
}

beforeAll(async () => {
  await server.start({ configData: { ServerApp: { allow_root: true } } });
  client = new CountingClient();
  for (let i = 0; i < 5; i++) {
    experimentId = (await client.createRun(newRun(i))).experiment_id;
  }
}, 60000);

afterAll(async () => {
  await server.shutdown();
});

/** A model whose keys have loaded. */
async function loadedModel(
  options: Partial<RunsTableModel.IOptions> = {}
): Promise<RunsTableModel> {
  const model = new RunsTableModel({
    client,
    state: { experimentIds: [experimentId] },
    ...options
  });
  await model.loadKeys();
  await model.query.requestRange(0, 10);
  return model;
}

describe('RunsTableModel against a real server', () => {
  it('offers every key as a column and shows the default patterns', async () => {
    const model = await loadedModel();
    expect(model.columns.map(c => c.id)).toEqual(
      expect.arrayContaining([
        'attributes.version',
        'metrics.accuracy',
        'metrics.val_loss',
        'params.lr',
        'params.model',
        'tags.team'
      ])
    );
    expect(model.visibleColumns.map(c => c.id)).toEqual([
      'attributes.version',
      'attributes.name',
      'attributes.status',
      'attributes.start_time',
      'attributes.duration',
      'metrics.accuracy',
      'metrics.val_loss',
      'params.lr',
      'params.model'
    ]);
    const states: unknown[] = [];
    model.stateChanged.connect(() => states.push(model.toJSON()));
    model.setColumnsVisible(['tags.team'], true);
    model.setColumnsVisible(['params.lr', 'attributes.name'], false);
    expect(model.visibleColumns.map(c => c.id)).toContain('tags.team');
    expect(model.visibleColumns.map(c => c.id)).not.toContain('params.lr');
    expect(model.toJSON()).toMatchObject({
      experimentIds: [experimentId],
      shown: ['tags.team'],
      hidden: ['params.lr', 'attributes.name']
    });
    expect(states).toHaveLength(2);
    model.configure({ defaultColumns: ['metrics.*'] });
    expect(model.visibleColumns.map(c => c.id)).toEqual([
      'metrics.accuracy',
      'metrics.val_loss',
      'tags.team'
    ]);
    model.dispose();
  });

  it('shows the last, min, max or best value of metric histories', async () => {
    const model = await loadedModel({ metricSummary: 'best' });
    const run = model.query.peekRow(4)!; // v1: val_loss steps 0.5, 0.2, 0.3
    const loss = model.columns.find(c => c.id === 'metrics.val_loss')!;
    // A loss improves downward: its best is its minimum.
    expect(model.cellValue(run, loss)).toBe(0.2);
    model.setHigherIsBetter('val_loss', true);
    expect(model.cellValue(run, loss)).toBe(0.5);
    model.setMetricSummary('last');
    expect(model.cellValue(run, loss)).toBeCloseTo(0.3);
    model.setMetricSummary('min');
    expect(model.cellValue(run, loss)).toBe(0.2);
    model.setMetricSummary('max');
    expect(model.cellValue(run, loss)).toBe(0.5);
    expect(model.toJSON()).toMatchObject({
      summary: 'max',
      higherIsBetter: { val_loss: true }
    });
    const restored = new RunsTableModel({ client, state: model.toJSON() });
    expect(restored.metricSummary).toBe('max');
    expect(restored.higherIsBetter('val_loss')).toBe(true);
    expect(restored.higherIsBetter('accuracy')).toBe(true);
    expect(restored.higherIsBetter('rmse')).toBe(false);
    restored.dispose();
    model.dispose();
  });

  it('exports every matching run in one request the server streams, as CSV and JSON', async () => {
    const model = await loadedModel();
    model.setColumnsVisible(['attributes.name', 'attributes.status'], false);
    const progress: Array<[number, number]> = [];
    model.changed.connect(() => {
      if (model.exporting) {
        progress.push([model.exporting.done, model.exporting.total]);
      }
    });
    const fetched = client.pages.length;
    const csvBlob = (await model.export('csv'))!;
    // The browser pages through nothing: one export request, written by the server.
    expect(client.pages.length - fetched).toBe(0);
    expect(client.exports).toBe(1);
    expect(model.exporting).toBeNull();
    const csv = (await readText(csvBlob)).split('\r\n');
    expect(csv[0]).toBe(
      'run_id,version,start_time,duration,metrics.accuracy,metrics.val_loss,params.lr,params.model'
    );
    expect(csv).toHaveLength(7); // header, 5 runs, final line break
    // v1: a formula is defused, negative numbers are not; v2: NaN; quotes doubled.
    expect(csv[5]).toMatch(
      /^[0-9a-f]{32},1,2023-11-14T22:13:20\.000Z,250,0,0\.3,0,"'=HYPERLINK\(""x""\)"$/
    );
    expect(csv[4]).toMatch(/,2,.*,NaN,1\.3,-0\.1,"m,""1"""$/);
    expect(progress).toContainEqual([5, 5]);

    const json = JSON.parse(await readText((await model.export('json'))!));
    expect(json).toHaveLength(5);
    expect(json[3]).toMatchObject({
      version: 2,
      'metrics.accuracy': 'NaN',
      'params.lr': '-0.1',
      'params.model': 'm,"1"'
    });
    model.dispose();
  });

  it('cancels an export under way', async () => {
    const model = await loadedModel();
    const exporting = model.export('csv');
    model.cancelExport();
    expect(await exporting).toBeNull();
    expect(model.exporting).toBeNull();
    model.dispose();
    model.dispose();
    expect(model.isDisposed).toBe(true);
  });
});
