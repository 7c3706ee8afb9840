import { CodeCell } from '@jupyterlab/cells';
import { Context } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import {
  initNotebookContext,
  NBTestUtils
} from '@jupyterlab/notebook/lib/testutils';
import { Kernel } from '@jupyterlab/services';
import { JupyterServer } from '@jupyterlab/testing';

import { RunsClient } from '../api/client';
import { IScanRequest } from '../api/types';
import { RunCapture } from './runCapture';

/**
 * Log run's one capture is the server's: a real jupyter_server with jupyterlab_runs, the
 * REST client, and real kernels — one with our package, one whose Python cannot import it.
 */
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
      ServerApp: { allow_root: true },
      MultiKernelManager: { default_kernel_name: 'ipython' }
    },
    additionalKernelSpecs: { bare: BARE_PYTHON }
  });
}, 120000);

afterAll(async () => {
  await server.shutdown();
});

describe('RunsClient.scan', () => {
  it("returns the server's params, names and printed metrics", async () => {
    const scan = await new RunsClient().scan({
      code: 'n_estimators = 200\nacc = model.score(X, y)\nfit(max_depth=8)',
      language: 'python',
      outputs: ['loss: nan\n', 'Accuracy: 0.964\nbest = -inf\n']
    });
    expect(scan.params).toEqual([
      { key: 'n_estimators', value: '200', type: 'int', source: 'assign' },
      { key: 'max_depth', value: '8', type: 'int', source: 'kwarg' }
    ]);
    expect(scan.names).toEqual(['acc']);
    expect(scan.metrics.map(m => m.key)).toEqual(['loss', 'accuracy', 'best']);
    expect(scan.metrics[0].value).toBeNaN();
    expect(scan.metrics[1].value).toBe(0.964);
    expect(scan.metrics[2].value).toBe(-Infinity);
  });

  it("rejects an oversized cell with the server's reason", async () => {
    const request: IScanRequest = {
      code: '#'.repeat(2_000_001),
      language: 'python'
    };
    await expect(new RunsClient().scan(request)).rejects.toThrow(
      'code has 2,000,001 characters; the scan takes at most 2,000,000'
    );
  });
});

describe('Log run with the server scan', () => {
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

  /** Make the notebook one code cell holding `source`, and make it active. */
  function onlyCell(source: string): CodeCell {
    const shared = panel.model!.sharedModel;
    shared.transact(() => {
      shared.deleteCellRange(0, shared.cells.length);
      shared.insertCells(0, [{ cell_type: 'code', source }]);
    });
    panel.content.activeCellIndex = 0;
    return panel.content.widgets[0] as CodeCell;
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

  it('asks for the scan before the cell runs, and the kernel for no more than the claim', async () => {
    const kernel = panel.sessionContext.session!.kernel!;
    const scans: { request: IScanRequest; at: number }[] = [];
    const scan = client.scan.bind(client);
    client.scan = request => {
      scans.push({ request, at: performance.now() });
      return scan(request);
    };
    const executes = watchExecutes(kernel);
    const cell = onlyCell(
      'import time\nlr = 0.05\ntime.sleep(0.3)\nacc = 0.5 + 0.25\nprint("loss: 0.125")'
    );
    const run = await capture.logCell(panel, cell);
    // The claim, then the cell: the variable values ride the cell's own reply.
    expect(executes.map(e => e.silent)).toEqual([true, false]);
    // The code's scan went out before the cell's request; the outputs' after it.
    expect(scans.map(s => Object.keys(s.request).sort())).toEqual([
      ['code', 'language'],
      ['language', 'outputs']
    ]);
    expect(scans[0].at).toBeLessThan(executes[1].at);
    expect(run!.params['lr']).toEqual({
      value: '0.05',
      type: 'float',
      source: 'assign'
    });
    expect(run!.metrics['acc']).toMatchObject({
      value: 0.75,
      source: 'variable'
    });
    expect(run!.metrics['loss']).toMatchObject({
      value: 0.125,
      source: 'printed'
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
    const cell = onlyCell(
      'n_trees = 40\nscore = n_trees / 50\nflag = not True\nprint("Accuracy: 0.9")'
    );
    const run = await capture.logCell(panel, cell);
    expect(run!.status).toBe('FINISHED');
    // Claim (refused: no package), the cell, then the probe for the values.
    expect(executes.map(e => e.silent)).toEqual([true, false, true]);
    expect(run!.params['n_trees'].value).toBe('40');
    expect(run!.metrics['score']).toMatchObject({
      value: 0.8,
      source: 'variable'
    });
    expect(run!.metrics['accuracy']).toMatchObject({
      value: 0.9,
      source: 'printed'
    });
    expect(Object.keys(run!.metrics).sort()).toEqual(['accuracy', 'score']);
    expect(run!.context['probed_names']).toBe(2);
  }, 60000);

  it('sends no output scan for a cell that printed nothing like a metric', async () => {
    const scans: IScanRequest[] = [];
    const scan = client.scan.bind(client);
    client.scan = request => {
      scans.push(request);
      return scan(request);
    };
    const cell = onlyCell('depth = 4\nprint("done")');
    const run = await capture.logCell(panel, cell);
    expect(scans).toHaveLength(1);
    expect(run!.params['depth'].value).toBe('4');
    expect(run!.metrics).toEqual({});
  }, 60000);
});
