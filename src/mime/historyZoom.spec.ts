import { ServerConnection } from '@jupyterlab/services';
import { comparePayload } from '../charts/fromRuns';
import { HISTORY_ZOOM_PARAM } from '../charts';
import { TestMimeModel } from '../testutils/mime';
import { useServer, waitFor } from '../testutils/server';
import { CompareRenderer } from './compareRenderer';
import { COMPARE_MIME } from './mimeTypes';
import { zoomComparison } from './refresh';

const STEPS = 2000;
/** Points the saved output holds per run (as a downsampled inserted chart would). */
const SAVED = 50;
const SPIKE = 1234;

const server = useServer();

/** The steps of the drawn line's vertices, read from their screen-reader descriptions. */
function drawnSteps(node: HTMLElement): number[] {
  return [
    ...node.querySelectorAll(
      'path[role="graphics-symbol"][aria-roledescription="point"]'
    )
  ].map(mark => {
    const step = /Step: ([\d,]+)/.exec(mark.getAttribute('aria-label') ?? '');
    return Number(step?.[1].replace(/,/g, ''));
  });
}

/** A run of `STEPS` loss points with one spike, and its output as a saved comparison. */
async function savedComparison(): Promise<TestMimeModel> {
  const client = server.client();
  const run = await client.createRun({
    experiment_name: 'zoom.ipynb',
    notebook_path: 'zoom.ipynb',
    status: 'FINISHED',
    source: 'api',
    start_time: 1_700_000_000_000,
    end_time: 1_700_000_000_500,
    code: 'for step in range(2000): log_metric("loss", …, step=step)',
    params: [],
    metrics: Array.from({ length: STEPS }, (_, step) => ({
      key: 'loss',
      value: step === SPIKE ? 50 : 1 / (step + 1),
      step,
      source: 'api'
    }))
  });
  const [summary] = (
    await client.searchRunSummaries({ experimentIds: [run.experiment_id] })
  ).runs;
  const histories = await client.metricHistories([run.id], ['loss'], SAVED);
  const payload = comparePayload(
    { id: run.experiment_id, name: 'zoom.ipynb' },
    [summary],
    { kind: 'line', metric: 'loss', params: [] },
    histories
  );
  return new TestMimeModel({ [COMPARE_MIME]: payload });
}

async function rendered(): Promise<{
  renderer: CompareRenderer;
  model: TestMimeModel;
}> {
  const client = server.client();
  const renderer = new CompareRenderer({
    zoom: (payload, steps) => zoomComparison(client, payload, steps)
  });
  document.body.appendChild(renderer.node);
  const model = await savedComparison();
  await renderer.renderModel(model);
  return { renderer, model };
}

function control<T extends HTMLElement>(
  node: HTMLElement,
  selector: string
): T {
  const found = node.querySelector<T>(selector);
  if (found === null) {
    throw new Error(`no ${selector}`);
  }
  return found;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('History chart: full resolution a zoom or a click away (real server, real vega)', () => {
  it('reads a typed step range from the store and draws every point of it', async () => {
    const { renderer, model } = await rendered();
    const node = renderer.node;
    expect(drawnSteps(node)).toHaveLength(SAVED);
    expect(drawnSteps(node)).toContain(SPIKE); // the saved points kept the spike
    const requests = jest.spyOn(ServerConnection, 'makeRequest');
    try {
      control<HTMLInputElement>(node, '.jp-RunsChart-step').value = '1200';
      node.querySelectorAll<HTMLInputElement>('.jp-RunsChart-step')[1].value =
        '1299';
      const to =
        node.querySelectorAll<HTMLInputElement>('.jp-RunsChart-step')[1];
      to.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })
      );
      await waitFor(() => drawnSteps(node).length === 100, 20000);
      const sent = requests.mock.calls.map(([url, init]) => ({
        url: String(url),
        body: JSON.parse(String(init?.body ?? '{}'))
      }));
      expect(sent).toHaveLength(1);
      expect(sent[0].url).toMatch(/\/jupyterlab-runs\/api\/runs\/metrics$/);
      expect(sent[0].body).toEqual({
        run_ids: [
          (model.data[COMPARE_MIME] as { runs: { id: string }[] }).runs[0].id
        ],
        keys: ['loss'],
        max_points: 840,
        step_range: [1200, 1299]
      });
    } finally {
      requests.mockRestore();
    }
    expect(drawnSteps(node)).toEqual(
      Array.from({ length: 100 }, (_, i) => 1200 + i)
    );
    expect(control(node, '.jp-RunsChart-zoomStatus').textContent).toBe(
      'Steps 1200–1299 from the store'
    );
    // The saved output keeps its downsampled points: the notebook does not grow.
    expect(model.setDataCalls).toBe(0);
    const saved = model.data[COMPARE_MIME] as {
      runs: { history: { loss: unknown[] } }[];
    };
    expect(saved.runs[0].history.loss).toHaveLength(SAVED);

    const reset = control<HTMLButtonElement>(node, '.jp-RunsChart-zoomReset');
    expect(reset.disabled).toBe(false);
    reset.click();
    await waitFor(() => drawnSteps(node).length === SAVED, 20000);
    expect(reset.disabled).toBe(true);
    renderer.dispose();
  });

  it('follows a wheel or drag zoom of the chart and fetches the steps it settles on', async () => {
    const { renderer } = await rendered();
    const node = renderer.node;
    const view = renderer['_chart']?.view;
    expect(view).toBeDefined();
    // What the wheel does: vega-lite's scale-bound interval sets the shown steps.
    await view!
      .signal(`${HISTORY_ZOOM_PARAM}_step`, [1230.4, 1239.6])
      .runAsync();
    const inputs =
      node.querySelectorAll<HTMLInputElement>('.jp-RunsChart-step');
    expect([inputs[0].value, inputs[1].value]).toEqual(['1230', '1240']);
    await waitFor(() => drawnSteps(node).length === 11, 20000);
    expect(drawnSteps(node)).toEqual(
      Array.from({ length: 11 }, (_, i) => 1230 + i)
    );
    renderer.dispose();
  });

  it('refuses a backwards or fractional range without asking the server', async () => {
    const { renderer } = await rendered();
    const node = renderer.node;
    const requests = jest.spyOn(ServerConnection, 'makeRequest');
    try {
      const [from, to] =
        node.querySelectorAll<HTMLInputElement>('.jp-RunsChart-step');
      for (const [a, b] of [
        ['500', '100'],
        ['1.5', '9']
      ]) {
        from.value = a;
        to.value = b;
        control<HTMLButtonElement>(node, '.jp-RunsChart-zoomApply').click();
        await new Promise(resolve => setTimeout(resolve, 50));
        expect(control(node, '.jp-RunsChart-zoomStatus').textContent).toBe(
          'Enter two whole steps, the first not after the last.'
        );
      }
      expect(requests).not.toHaveBeenCalled();
    } finally {
      requests.mockRestore();
    }
    expect(drawnSteps(node)).toHaveLength(SAVED);
    renderer.dispose();
  });

  it('offers the step range only for history charts, as a labelled form', async () => {
    const { renderer } = await rendered();
    const form = control<HTMLFormElement>(renderer.node, '.jp-RunsChart-zoom');
    expect(form.hidden).toBe(false);
    expect(form.hasAttribute('data-lm-suppress-shortcuts')).toBe(true);
    expect(
      [...form.querySelectorAll('label')].map(label => label.textContent)
    ).toEqual(['From step', 'To step']);
    const kind = control<HTMLSelectElement>(
      renderer.node,
      '.jp-RunsChart-kind'
    );
    kind.value = 'bar';
    kind.dispatchEvent(new Event('change'));
    await waitFor(() => form.hidden);
    renderer.dispose();
  });
});
