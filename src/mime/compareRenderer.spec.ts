import { Signal } from '@lumino/signaling';
import { ICompareBundlePayload } from '../charts';
import { testPayload, testRun } from '../testutils/charts';
import { CompareRenderer } from './compareRenderer';
import { COMPARE_MIME } from './mimeTypes';
import { TestMimeModel } from '../testutils/mime';
import { waitFor } from '../testutils/server';

const XSS = '<img src=x onerror=alert(1)>';

function payload(): ICompareBundlePayload {
  return testPayload(
    [
      testRun(1, {
        params: { n: '100', model: 'rf' },
        metrics: { accuracy: 0.91 }
      }),
      testRun(2, {
        name: XSS,
        params: { n: '200', model: 'gb' },
        metrics: { accuracy: 0.964 }
      }),
      testRun(3, {
        name: '<script>alert(2)</script>',
        params: { n: '300', model: 'rf' },
        metrics: { accuracy: 0.93, loss: 'NaN' },
        history: {
          accuracy: [
            [0, 0.5],
            [1, 'Infinity']
          ]
        }
      }),
      testRun(4, { params: { n: '400', model: 'rf' }, metrics: { loss: 0.2 } })
    ],
    'bar',
    'accuracy',
    ['n']
  );
}

function bars(node: HTMLElement): Element[] {
  return [
    ...node.querySelectorAll(
      'path[role="graphics-symbol"][aria-roledescription="bar"]'
    )
  ];
}

async function rendered(
  data: unknown,
  options: ConstructorParameters<typeof CompareRenderer>[0] = {}
): Promise<{ renderer: CompareRenderer; model: TestMimeModel }> {
  const renderer = new CompareRenderer(options);
  const model = new TestMimeModel({ [COMPARE_MIME]: data });
  document.body.appendChild(renderer.node);
  await renderer.renderModel(model);
  return { renderer, model };
}

afterEach(() => {
  document.body.replaceChildren();
  delete document.body.dataset.jpThemeLight;
});

describe('CompareRenderer (real vega-embed render in jsdom)', () => {
  it('draws one bar mark per run having the metric', async () => {
    const { renderer } = await rendered(payload());
    expect(renderer.node.querySelector('svg')).not.toBeNull();
    expect(bars(renderer.node)).toHaveLength(3);
    renderer.dispose();
  });

  it('shows labels with markup as text and creates no element from them', async () => {
    const { renderer } = await rendered(payload());
    const node = renderer.node;
    expect(node.textContent).toContain(XSS);
    expect(node.textContent).toContain('<script>alert(2)</script>');
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(document.querySelectorAll('script')).toHaveLength(0);
    const axisLabels = [...node.querySelectorAll('.role-axis-label text')].map(
      t => t.textContent
    );
    expect(axisLabels).toContain(XSS);
    renderer.dispose();
  });

  it('notes excluded values and runs missing the metric', async () => {
    const { renderer } = await rendered(payload());
    const notes = [...renderer.node.querySelectorAll('.jp-RunsChart-note')].map(
      n => n.textContent
    );
    expect(notes).toContain('2 values excluded (NaN/Inf)');
    expect(notes).toContain('Missing accuracy: v4');
    renderer.dispose();
  });

  it('shows a diff table of the differing keys, labels as text', async () => {
    const { renderer } = await rendered(payload());
    const table = renderer.node.querySelector('.jp-RunsChart-diffTable');
    expect(table).not.toBeNull();
    const heads = [...(table as Element).querySelectorAll('thead th')].map(
      th => th.textContent
    );
    expect(heads).toEqual(['', 'v1', XSS, '<script>alert(2)</script>', 'v4']);
    const keys = [...(table as Element).querySelectorAll('tbody th')].map(
      th => th.textContent
    );
    expect(keys).toEqual(['model', 'n', 'accuracy', 'loss']);
    renderer.dispose();
  });

  it('re-renders locally when the kind picker changes', async () => {
    const { renderer } = await rendered(payload());
    const select = renderer.node.querySelector(
      'select.jp-RunsChart-kind'
    ) as HTMLSelectElement;
    select.value = 'scatter';
    select.dispatchEvent(new Event('change'));
    await waitFor(
      () =>
        renderer.node.querySelectorAll(
          'path[role="graphics-symbol"][aria-roledescription="point"]'
        ).length === 3
    );
    expect(bars(renderer.node)).toHaveLength(0);
    expect(
      renderer.node.querySelector('select.jp-RunsChart-param')
    ).not.toBeNull();
    renderer.dispose();
  });

  it('shows the empty state for 0 runs', async () => {
    const { renderer } = await rendered(testPayload([]));
    expect(renderer.node.textContent).toContain('No runs to compare.');
    expect(renderer.node.querySelector('svg')).toBeNull();
    renderer.dispose();
  });

  it('lists validation errors instead of a chart', async () => {
    const { renderer } = await rendered({ version: 9, runs: [] });
    expect(renderer.node.textContent).toContain(
      'Unsupported compare payload version: 9 (expected 1).'
    );
    renderer.dispose();
  });

  it('ignores a spec smuggled into the payload', async () => {
    const { renderer } = await rendered({
      ...payload(),
      spec: { data: { url: 'https://evil.example/data.json' }, mark: 'point' }
    });
    expect(bars(renderer.node)).toHaveLength(3);
    renderer.dispose();
  });
});

describe('CompareRenderer injected behaviour', () => {
  it('hides the refresh button without a refresh callback', async () => {
    const { renderer } = await rendered(payload());
    expect(renderer.node.querySelector('.jp-RunsChart-refresh')).toBeNull();
    renderer.dispose();
  });

  it('refreshes from the injected callback and stores the new bundle', async () => {
    const refresh = jest.fn(async (p: ICompareBundlePayload) => ({
      ...p,
      runs: [...p.runs, testRun(5, { metrics: { accuracy: 0.99 } })]
    }));
    const { renderer, model } = await rendered(payload(), { refresh });
    const button = renderer.node.querySelector(
      '.jp-RunsChart-refresh'
    ) as HTMLButtonElement;
    button.click();
    await waitFor(() => bars(renderer.node).length === 4);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh.mock.calls[0][0].chart.kind).toBe('bar');
    expect(model.setDataCalls).toBe(1);
    expect(Object.keys(model.data)).toContain('text/plain');
    renderer.dispose();
  });

  it('reports a failed refresh', async () => {
    const refresh = jest.fn(async () => {
      throw new Error('server down');
    });
    const { renderer } = await rendered(payload(), { refresh });
    (
      renderer.node.querySelector('.jp-RunsChart-refresh') as HTMLButtonElement
    ).click();
    await waitFor(() =>
      (renderer.node.textContent ?? '').includes('Refresh failed: server down')
    );
    renderer.dispose();
  });

  it('calls onSelectRun with the id of a clicked bar', async () => {
    const onSelectRun = jest.fn();
    const { renderer } = await rendered(payload(), { onSelectRun });
    const best = bars(renderer.node)[0];
    best.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onSelectRun).toHaveBeenCalledWith('run2');
    renderer.dispose();
  });

  it('re-renders with the dark palette when the theme changes', async () => {
    const themeChanged = new Signal<unknown, unknown>({});
    const { renderer } = await rendered(payload(), { themeChanged });
    const before = renderer.node.querySelector('svg');
    document.body.dataset.jpThemeLight = 'false';
    themeChanged.emit(undefined);
    await waitFor(() => renderer.node.querySelector('svg') !== before);
    await waitFor(() =>
      bars(renderer.node).some(b => b.getAttribute('fill') === '#ffb74d')
    );
    renderer.dispose();
    themeChanged.emit(undefined);
  });
});
