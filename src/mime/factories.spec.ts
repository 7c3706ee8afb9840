import { nullTranslator } from '@jupyterlab/translation';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { CompareRenderer } from './compareRenderer';
import { createRendererFactories } from './factories';
import { RunRenderer } from './runRenderer';
import { COMPARE_MIME, RUN_MIME } from './mimeTypes';

const rendererOptions = {
  mimeType: COMPARE_MIME,
  translator: nullTranslator
} as unknown as IRenderMime.IRendererOptions;

describe('createRendererFactories', () => {
  const factories = createRendererFactories();

  it('provides safe factories ranked before core vega (57)', () => {
    expect(factories.map(f => f.mimeTypes)).toEqual([
      [COMPARE_MIME],
      [RUN_MIME]
    ]);
    for (const factory of factories) {
      expect(factory.safe).toBe(true);
      expect(factory.defaultRank).toBe(40);
    }
  });

  it('creates the compare and run renderers', () => {
    const compare = factories[0].createRenderer(rendererOptions);
    const run = factories[1].createRenderer(rendererOptions);
    expect(compare).toBeInstanceOf(CompareRenderer);
    expect(run).toBeInstanceOf(RunRenderer);
    compare.dispose();
    run.dispose();
  });
});
