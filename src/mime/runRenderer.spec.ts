import { parseRunCard } from './runCard';
import { RunRenderer } from './runRenderer';
import { RUN_MIME } from './mimeTypes';
import { TestMimeModel } from '../testutils/mime';

const card = {
  version: 1,
  run: {
    id: 'abc123',
    experiment_id: 'e1',
    experiment_name: 'iris <b>exp</b>',
    version: 7,
    name: '<img src=x onerror=alert(1)>',
    status: 'FINISHED',
    params: {
      n_estimators: '200',
      max_depth: 'None',
      model: '<script>x</script>'
    },
    metrics: { accuracy: 0.96412, loss: 'NaN', f1: 'oops' },
    duration_ms: 1530
  }
};

async function render(data: unknown, openRun?: (id: string) => void) {
  const renderer = new RunRenderer({ openRun });
  document.body.appendChild(renderer.node);
  await renderer.renderModel(new TestMimeModel({ [RUN_MIME]: data }));
  return renderer;
}

afterEach(() => document.body.replaceChildren());

describe('parseRunCard', () => {
  it('reads the card and formats metrics, dropping non-numbers', () => {
    const parsed = parseRunCard(card);
    expect(parsed?.metrics).toEqual([
      ['accuracy', '0.9641'],
      ['loss', 'NaN']
    ]);
    expect(parsed?.status).toBe('FINISHED');
    expect(parsed?.durationMs).toBe(1530);
  });

  it.each([
    null,
    {},
    { version: 2, run: card.run },
    { version: 1, run: { id: 'x' } }
  ])('refuses %j', data => {
    expect(parseRunCard(data)).toBeNull();
  });
});

describe('RunRenderer', () => {
  it('shows a run waiting in the outbox (version 0 from the kernel) as "v? · waiting to sync"', async () => {
    for (const version of [0, null]) {
      const pending = {
        version: 1,
        run: { ...card.run, version, name: 'v?' }
      };
      expect(parseRunCard(pending)?.version).toBeNull();
      const renderer = await render(pending);
      expect(
        renderer.node.querySelector('.jp-RunsCard-version')?.textContent
      ).toBe('v? · waiting to sync');
      // "v?" is no name: the meta line starts with the experiment.
      expect(
        renderer.node.querySelector('.jp-RunsCard-meta')?.textContent
      ).toBe('iris <b>exp</b> · 1.5 s');
      renderer.dispose();
    }
    expect(
      parseRunCard({ version: 1, run: { ...card.run, version: -1 } })
    ).toBeNull();
  });

  it('shows "v7 · FINISHED · accuracy 0.9641 · loss NaN" as text', async () => {
    const renderer = await render(card);
    const title = renderer.node.querySelector('.jp-RunsCard-title');
    expect(title?.textContent).toBe(
      'v7 · FINISHED · accuracy 0.9641 · loss NaN'
    );
    renderer.dispose();
  });

  it('shows name, experiment, duration and params as text only', async () => {
    const renderer = await render(card);
    const text = renderer.node.textContent ?? '';
    expect(text).toContain(
      '<img src=x onerror=alert(1)> · iris <b>exp</b> · 1.5 s'
    );
    expect(text).toContain(
      'n_estimators=200, max_depth=None, model=<script>x</script>'
    );
    expect(document.querySelectorAll('img, script, b')).toHaveLength(0);
    renderer.dispose();
  });

  it('opens the run through the injected callback', async () => {
    const openRun = jest.fn();
    const renderer = await render(card, openRun);
    const button = renderer.node.querySelector('button') as HTMLButtonElement;
    expect(button.textContent).toBe('Open in Runs panel');
    button.click();
    expect(openRun).toHaveBeenCalledWith('abc123');
    renderer.dispose();
  });

  it('hides the button without a callback', async () => {
    const renderer = await render(card);
    expect(renderer.node.querySelector('button')).toBeNull();
    renderer.dispose();
  });

  it('says so when the data is not a run card', async () => {
    const renderer = await render({ version: 1 });
    expect(renderer.node.textContent).toContain(
      'This run card cannot be shown'
    );
    renderer.dispose();
  });
});
