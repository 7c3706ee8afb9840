import { buildSpec, CHART_KINDS, defaultBuildOptions } from '../charts';
import { testModel, testPayload, testRun } from '../testutils/charts';
import { embedChart } from './vegaLoader';

// Keys a user can log: vega-lite escapes `"` in the expressions it generates from titles
// (tooltips), but not `\`, so such keys used to break the chart.
const KEYS = ['acc\\', 'a"b', 'back\\slash "both"\\', '\\"', 'x\\nnewline'];
// vega's expression parser reads a string literal naming an Object.prototype member (or
// `if`) as an identifier: such titles are shown with a zero-width space after them.
const RESERVED = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'if'
];

/** Every tooltip object in a rendered scenegraph. */
function tooltips(node: unknown, out: Record<string, unknown>[] = []) {
  if (typeof node !== 'object' || node === null) {
    return out;
  }
  const { tooltip, items } = node as { tooltip?: unknown; items?: unknown[] };
  if (typeof tooltip === 'object' && tooltip !== null) {
    out.push(tooltip as Record<string, unknown>);
  }
  (items ?? []).forEach(item => tooltips(item, out));
  return out;
}

/** Every text drawn in a rendered scenegraph (axis and legend titles among them). */
function texts(node: unknown, out: string[] = []) {
  if (typeof node !== 'object' || node === null) {
    return out;
  }
  const { text, items } = node as { text?: unknown; items?: unknown[] };
  if (typeof text === 'string') {
    out.push(text);
  }
  (items ?? []).forEach(item => texts(item, out));
  return out;
}

/** Every mark's ARIA description in a rendered scenegraph. */
function descriptions(node: unknown, out: string[] = []) {
  if (typeof node !== 'object' || node === null) {
    return out;
  }
  const { description, items } = node as {
    description?: unknown;
    items?: unknown[];
  };
  if (typeof description === 'string') {
    out.push(description);
  }
  (items ?? []).forEach(item => descriptions(item, out));
  return out;
}

afterEach(() => {
  document.body.replaceChildren();
});

describe.each(CHART_KINDS)('a %s chart of keys with \\ and "', kind => {
  it.each([...KEYS, ...RESERVED])('renders with the key %s', async key => {
    const model = testModel(
      testPayload(
        [1, 2, 3].map(v =>
          testRun(v, {
            params: { [key]: String(v * 10) },
            metrics: { [key]: v / 10 },
            history: {
              [key]: [
                [0, 1],
                [1, v / 10]
              ]
            }
          })
        ),
        kind,
        key,
        [key]
      )
    );
    const build = buildSpec(model, defaultBuildOptions(model, false));
    expect(build.status).toBe('ok');
    if (build.status !== 'ok') {
      return;
    }
    const host = document.createElement('div');
    document.body.appendChild(host);
    const errors = jest
      .spyOn(console, 'error')
      .mockImplementation(() => undefined);
    try {
      const chart = await embedChart(host, build.spec, { dark: false });
      await chart.view.runAsync();
      const svg = await chart.view.toSVG();
      expect(svg).toContain('<svg');
      // The tooltips name the key exactly as it was logged.
      const scene = (chart.view.scenegraph() as unknown as { root: unknown })
        .root;
      const shown = RESERVED.includes(key) ? `${key}\u200b` : key;
      const titles = tooltips(scene).flatMap(t => Object.keys(t));
      expect(titles).toContain(shown);
      // The metric's axis (or legend) title is drawn, not looked up as a signal.
      expect(texts(scene)).toContain(shown);
      // Screen readers hear the key as logged, with its value (v3's is 0.3).
      expect(descriptions(scene).join('\n')).toContain(`${key}: 0.3`);
      chart.finalize();
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});
