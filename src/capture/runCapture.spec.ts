import { CodeCell } from '@jupyterlab/cells';
import { Context } from '@jupyterlab/docregistry';
import {
  INotebookModel,
  NotebookActions,
  NotebookPanel,
  NotebookTracker
} from '@jupyterlab/notebook';
import { Kernel } from '@jupyterlab/services';
import { nullTranslator } from '@jupyterlab/translation';
import {
  initNotebookContext,
  NBTestUtils
} from '@jupyterlab/notebook/lib/testutils';
import { JupyterServer } from '@jupyterlab/testing';

import { RunsClient } from '../api/client';
import { IRun, IScanRequest } from '../api/types';
import { AutoTrack } from './autoTrack';
import { CellMeta } from './metadata';
import { RunCapture } from './runCapture';
import { saved } from '../testutils/server';

// A real server with jupyterlab_runs and a real IPython kernel (the venv's Python).
const server = new JupyterServer();

/** A Python kernel for which `import jupyterlab_runs` fails, as in an env without it. */
const BARE_PYTHON = {
  argv: [
    'python',
    '-c',
    "import sys; sys.modules['jupyterlab_runs'] = None; " +
      'from ipykernel import kernelapp; kernelapp.launch_new_instance()',
    '-f',
    '{connection_file}'
  ],
  display_name: 'Python without jupyterlab_runs',
  language: 'python'
};

beforeAll(async () => {
  await server.start({
    configData: {
      // The 10 MB output test measures our capture, not the server's output rate limit.
      ServerApp: { allow_root: true, iopub_data_rate_limit: 1e10 },
      MultiKernelManager: { default_kernel_name: 'ipython' }
    },
    additionalKernelSpecs: { bare: BARE_PYTHON }
  });
}, 120000);

afterAll(async () => {
  await server.shutdown();
});

describe('RunCapture with a real kernel', () => {
  let context: Context<INotebookModel>;
  let panel: NotebookPanel;
  let capture: RunCapture;
  let client: RunsClient;

  beforeEach(async () => {
    context = await initNotebookContext({ startKernel: true });
    panel = NBTestUtils.createNotebookPanel(context);
    client = new RunsClient();
    capture = new RunCapture({ client });
  }, 60000);

  afterEach(async () => {
    panel.dispose();
    await context.sessionContext.shutdown();
    context.dispose();
  });

  /** Replace the notebook's cells with trusted code cells holding `sources`. */
  function setCells(...sources: string[]): CodeCell[] {
    const shared = panel.model!.sharedModel;
    shared.transact(() => {
      shared.deleteCellRange(0, shared.cells.length);
      shared.insertCells(
        0,
        // Trusted, as cells typed in JupyterLab are (NotebookActions marks new cells so).
        sources.map(source => ({
          cell_type: 'code',
          source,
          metadata: { trusted: true }
        }))
      );
    });
    return panel.content.widgets as CodeCell[];
  }

  async function logCell(cell: CodeCell): Promise<IRun> {
    panel.content.activeCellIndex = panel.content.widgets.indexOf(cell);
    const run = await capture.logCell(panel, cell);
    expect(run).not.toBeNull();
    return saved(run!);
  }

  /** Every execute_request sent to `kernel`, in order: whether silent, and when. */
  function watchExecutes(
    kernel: Kernel.IKernelConnection
  ): { silent: boolean; at: number }[] {
    const sent: { silent: boolean; at: number }[] = [];
    kernel.anyMessage.connect((_, { msg, direction }) => {
      if (direction === 'send' && msg.header.msg_type === 'execute_request') {
        const content = msg.content as { silent?: boolean };
        sent.push({ silent: !!content.silent, at: performance.now() });
      }
    });
    return sent;
  }

  /** Record the scans the capture asks the (real) server for, and when. */
  function recordScans(): { request: IScanRequest; at: number }[] {
    const scans: { request: IScanRequest; at: number }[] = [];
    const scan = client.scan.bind(client);
    client.scan = request => {
      scans.push({ request, at: performance.now() });
      return scan(request);
    };
    return scans;
  }

  it('captures params, printed, variable and explicit metrics with their sources', async () => {
    const [cell] = setCells(
      [
        'import jupyterlab_runs as jr',
        'n_estimators = 200',
        'cfg = {"lr": 0.1}',
        'acc = 0.5 + 0.25',
        'print("  Accuracy: 0.964")',
        'print("recall: 0.9")',
        'jr.log_metric("recall", 0.91)',
        'jr.log_param("kind", "rf")'
      ].join('\n')
    );
    const run = await logCell(cell);
    expect(run.status).toBe('FINISHED');
    expect(run.version).toBe(1);
    expect(run.params['n_estimators']).toEqual({
      value: '200',
      type: 'int',
      source: 'assign'
    });
    expect(run.params['cfg.lr'].value).toBe('0.1');
    expect(run.params['kind']).toEqual({
      value: 'rf',
      type: 'str',
      source: 'explicit'
    });
    expect(run.metrics['accuracy'].source).toBe('printed');
    expect(run.metrics['acc']).toMatchObject({
      value: 0.75,
      source: 'variable'
    });
    expect(run.metrics['recall']).toMatchObject({
      value: 0.91,
      source: 'explicit'
    });
    expect(run.cell_id).toBe(cell.model.id);
    expect(run.language).toBe('python');
    expect(run.code).toContain('n_estimators = 200');
    // The cell links to its run.
    expect(CellMeta.lastRun(cell.model)?.id).toBe(run.id);
    // Nothing was logged twice: the kernel saved no implicit run of its own.
    const page = await client.searchRuns({
      experimentIds: [run.experiment_id]
    });
    expect(page.total).toBe(1);
  }, 60000);

  it('numbers versions and judges reproducibility', async () => {
    const [setup, train] = setCells('x = 1', 'lr = 0.1\ny = x + 1');
    panel.content.activeCellIndex = 0;
    await capture.logCell(panel, setup);
    const first = await logCell(train);
    expect(first.context['reproducibility']).toEqual({
      clean: true,
      reasons: []
    });
    train.model.sharedModel.setSource('lr = 0.2\ny = x + 2');
    const second = await logCell(train);
    expect(second.version).toBe(first.version + 1);
    expect(second.context['reproducibility']).toEqual({
      clean: true,
      reasons: []
    });
    // Edit the first cell without running it: the next run is not clean.
    setup.model.sharedModel.setSource('x = 100');
    const third = await logCell(train);
    const verdict = third.context['reproducibility'] as {
      clean: boolean;
      reasons: { kind: string; cellId: string }[];
    };
    expect(verdict.clean).toBe(false);
    expect(verdict.reasons).toContainEqual(
      expect.objectContaining({ kind: 'edited', cellId: setup.model.id })
    );
  }, 60000);

  it('saves a failing cell as FAILED with the error', async () => {
    const [cell] = setCells('lr = 0.1\nraise ValueError("bad data")');
    const run = await logCell(cell);
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({ name: 'ValueError', message: 'bad data' });
    expect(run.params['lr'].value).toBe('0.1');
  }, 60000);

  it('ignores a second click while the cell is being logged', async () => {
    const [cell] = setCells('import time\ntime.sleep(0.5)\nlr = 0.1');
    panel.content.activeCellIndex = 0;
    const first = capture.logCell(panel, cell);
    expect(capture.isLogging(cell)).toBe(true);
    expect(await capture.logCell(panel, cell)).toBeNull();
    const run = await first;
    const page = await client.searchRuns({
      experimentIds: [run!.experiment_id]
    });
    expect(page.total).toBe(1);
  }, 60000);

  it('marks an interrupted cell KILLED', async () => {
    const [cell] = setCells('import time\nlr = 0.1\ntime.sleep(30)');
    panel.content.activeCellIndex = 0;
    const pending = capture.logCell(panel, cell);
    await new Promise(resolve => setTimeout(resolve, 1500));
    await panel.sessionContext.session!.kernel!.interrupt();
    const run = await pending;
    expect(run!.status).toBe('KILLED');
    expect(run!.error?.name).toBe('KeyboardInterrupt');
  }, 60000);

  it('links to the run a %%track cell saved instead of saving another', async () => {
    const [cell] = setCells(
      '%load_ext jupyterlab_runs',
      '%%track\nlr = 0.3\nprint("loss: 0.2")'
    );
    panel.content.activeCellIndex = 0;
    await panel.sessionContext.session!.kernel!.requestExecute({
      code: '%load_ext jupyterlab_runs'
    }).done;
    const tracked = panel.content.widgets[1] as CodeCell;
    const run = await logCell(tracked);
    expect(run.source).toBe('magic');
    expect(run.params['lr'].value).toBe('0.3');
    const page = await client.searchRuns({
      experimentIds: [run.experiment_id]
    });
    expect(page.total).toBe(1);
    expect(CellMeta.lastRun(tracked.model)?.id).toBe(run.id);
    void cell;
  }, 60000);

  it('saves a KILLED run with its params when the notebook is closed mid-cell', async () => {
    const [cell] = setCells(
      'import time\ntime.sleep(1)\nlr = 0.5\nprint("acc: 0.8")'
    );
    panel.content.activeCellIndex = 0;
    const pending = capture.logCell(panel, cell);
    await new Promise(resolve => setTimeout(resolve, 200));
    panel.dispose();
    const run = await pending;
    const saved = await client.getRun(run!.id);
    expect(saved.status).toBe('KILLED');
    expect(saved.error?.name).toBe('Cancelled');
    expect(saved.params['lr'].value).toBe('0.5');
    expect(saved.code).toContain('time.sleep(1)');
  }, 60000);

  it('handles a 10 MB output and still finds the metric printed after it', async () => {
    const [cell] = setCells(
      'import sys\nsys.stdout.write("x" * 10_000_000 + "\\n")\nprint("accuracy: 0.93")'
    );
    const run = await logCell(cell);
    expect(run.status).toBe('FINISHED');
    expect(run.metrics['accuracy'].value).toBeCloseTo(0.93);
  }, 120000);

  it('auto-tracks a cell executed the normal way, and only while switched on', async () => {
    const tracker = new NotebookTracker({ namespace: 'auto-track-spec' });
    await tracker.add(panel);
    const auto = new AutoTrack(tracker, capture, nullTranslator.load('x'));
    try {
      const [cell] = setCells('lr = 0.7\nscore = lr * 2\nprint("acc: 0.5")');
      CellMeta.setAutoTrack(cell.model, true);
      auto.refresh();
      const logged = new Promise<IRun>(resolve =>
        capture.runLogged.connect((_, args) => resolve(saved(args.run)))
      );
      panel.content.activeCellIndex = 0;
      await NotebookActions.run(panel.content, panel.sessionContext);
      const run = await logged;
      expect(run.source).toBe('auto');
      expect(run.params['lr'].value).toBe('0.7');
      expect(run.metrics['acc'].source).toBe('printed');
      expect(run.metrics['score']).toMatchObject({
        value: 1.4,
        source: 'variable'
      });

      CellMeta.setAutoTrack(cell.model, false);
      auto.refresh();
      await NotebookActions.run(panel.content, panel.sessionContext);
      await panel.sessionContext.session!.kernel!.requestKernelInfo();
      await new Promise(resolve => setTimeout(resolve, 500));
      const page = await client.searchRuns({
        experimentIds: [run.experiment_id]
      });
      expect(page.total).toBe(1);
    } finally {
      auto.dispose();
      tracker.dispose();
    }
  }, 60000);

  it('ignores auto-track metadata of an untrusted notebook until the cell is run here', async () => {
    const tracker = new NotebookTracker({ namespace: 'auto-track-trust-spec' });
    await tracker.add(panel);
    const auto = new AutoTrack(tracker, capture, nullTranslator.load('x'));
    try {
      const [cell] = setCells('lr = 0.3');
      CellMeta.setAutoTrack(cell.model, true);
      cell.model.trusted = false; // as a notebook from someone else opens
      auto.refresh();
      expect(auto.isTracked(panel, cell)).toBe(false);
      let logged = 0;
      capture.runLogged.connect(() => logged++);
      panel.content.activeCellIndex = 0;
      await NotebookActions.run(panel.content, panel.sessionContext);
      await panel.sessionContext.session!.kernel!.requestKernelInfo();
      await new Promise(resolve => setTimeout(resolve, 500));
      expect(logged).toBe(0);
      // Running it in this session trusted it (JupyterLab's rule): from now on it is tracked.
      expect(cell.model.trusted).toBe(true);
      expect(auto.isTracked(panel, cell)).toBe(true);
    } finally {
      auto.dispose();
      tracker.dispose();
    }
  }, 60000);

  it('keeps the notebook snapshot only while the setting allows it', async () => {
    const [, cell] = setCells('token = "s3cret"', 'lr = 0.2');
    const withSnapshot = await logCell(cell);
    const sources = (
      withSnapshot.context['notebook'] as { source: string }[]
    ).map(c => c.source);
    expect(sources).toEqual(['token = "s3cret"', 'lr = 0.2']);
    capture.keepNotebookSnapshot = false;
    const without = await logCell(cell);
    expect(without.context).not.toHaveProperty('notebook');
    expect(JSON.stringify(without)).not.toContain('s3cret');
    expect(without.code).toBe('lr = 0.2');
  }, 60000);

  it('keeps the experiment when the notebook is renamed after its first run', async () => {
    const [cell] = setCells('lr = 0.1');
    const first = await logCell(cell);
    await context.rename(`renamed-${Date.now()}.ipynb`);
    const second = await logCell(cell);
    expect(second.experiment_id).toBe(first.experiment_id);
    expect(second.version).toBe(first.version + 1);
  }, 60000);

  it('gives other kernels scanned params and printed metrics', async () => {
    await panel.sessionContext.changeKernel({ name: 'echo' });
    await panel.sessionContext.session!.kernel!.info;
    // The echo kernel prints the code back, so the metric line is in the output.
    const [cell] = setCells('n_layers = 3\naccuracy: 0.875');
    const run = await logCell(cell);
    expect(run.language).toBe('echo');
    expect(run.params['n_layers']).toMatchObject({ value: '3', type: 'int' });
    expect(run.metrics['accuracy']).toMatchObject({
      value: 0.875,
      source: 'printed'
    });
  }, 60000);

  it('never reads a repr: objects whose repr raises and huge values are skipped', async () => {
    const [cell] = setCells(
      [
        'class Bad:',
        '    def __repr__(self):',
        '        raise RuntimeError("no repr")',
        'bad = Bad()',
        'big = list(range(1_000_000))',
        'acc = 0.25 * 2'
      ].join('\n')
    );
    const run = await logCell(cell);
    expect(run.status).toBe('FINISHED');
    expect(Object.keys(run.metrics)).toEqual(['acc']);
  }, 60000);

  it('asks for the scan before the cell runs, and the kernel for no more than the claim', async () => {
    const kernel = panel.sessionContext.session!.kernel!;
    const scans = recordScans();
    const executes = watchExecutes(kernel);
    const [cell] = setCells(
      'import time\nlr = 0.05\ntime.sleep(0.3)\nacc = 0.5 + 0.25\nprint("loss: 0.125")'
    );
    const run = await logCell(cell);
    // The claim, then the cell: the variable values ride the cell's own reply.
    expect(executes.map(e => e.silent)).toEqual([true, false]);
    // One scan, of the code, sent before the cell's request; the printed text rides the POST.
    expect(scans.map(s => s.request)).toEqual([
      { code: cell.model.sharedModel.getSource(), language: 'python' }
    ]);
    expect(scans[0].at).toBeLessThan(executes[1].at);
    expect(run.params['lr']).toEqual({
      value: '0.05',
      type: 'float',
      source: 'assign'
    });
    expect(run.metrics).toMatchObject({
      acc: { value: 0.75, source: 'variable' },
      loss: { value: 0.125, source: 'printed' }
    });
  }, 60000);

  it('captures a kernel whose Python lacks jupyterlab_runs: names from the server, values by a probe', async () => {
    await panel.sessionContext.changeKernel({ name: 'bare' });
    const kernel = panel.sessionContext.session!.kernel!;
    const check = await kernel.requestExecute({
      code: 'import jupyterlab_runs'
    }).done;
    expect(check.content.status).toBe('error');
    const executes = watchExecutes(kernel);
    const [cell] = setCells(
      'n_trees = 40\nscore = n_trees / 50\nflag = not True\nprint("Accuracy: 0.9")'
    );
    const run = await logCell(cell);
    expect(run.status).toBe('FINISHED');
    // Claim (refused: no package), the cell, then the probe for the values.
    expect(executes.map(e => e.silent)).toEqual([true, false, true]);
    expect(run.params['n_trees'].value).toBe('40');
    expect(Object.keys(run.metrics).sort()).toEqual(['accuracy', 'score']);
    expect(run.metrics).toMatchObject({
      score: { value: 0.8, source: 'variable' },
      accuracy: { value: 0.9, source: 'printed' }
    });
    expect(run.context['probed_names']).toBe(2);
  }, 60000);
});
