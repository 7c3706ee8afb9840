/**
 * The vector shared with pytest (`tests/vectors/compare_bundle.json`, built by
 * `jupyterlab_runs/kernel/compare.py`): our validation accepts every payload the kernel
 * produces, and both languages build the same static spec, text table and chart rows.
 */
import {
  buildSpec,
  defaultBuildOptions,
  ICompareModel,
  validateCompare
} from '../charts';
import { buildCompareBundle, staticSpec, textTable, toPayload } from './bundle';
import { COMPARE_MIME, VEGALITE_MIME } from './mimeTypes';

interface IVectorCase {
  name: string;
  bundle: Record<string, unknown>;
  rows: number;
}

// Loaded through jest's module loader: the file lies outside tsc's rootDir.
const cases = jest.requireActual<IVectorCase[]>(
  '../../tests/vectors/compare_bundle.json'
);

function modelOf(c: IVectorCase): ICompareModel {
  const result = validateCompare(c.bundle[COMPARE_MIME]);
  if (!result.ok) {
    throw new Error(JSON.stringify(result.errors));
  }
  return result.model;
}

describe('compare bundle vectors from Python', () => {
  it('has the cases', () => {
    expect(cases.map(c => c.name)).toContain('line-smoothed');
  });

  describe.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    it('validates, with nothing dropped or shortened', () => {
      const model = modelOf(c);
      expect(model.notes.invalid).toBe(0);
      expect(model.notes.shortened).toBe(0);
    });

    it('builds a chart with the same number of data rows', () => {
      const model = modelOf(c);
      const build = buildSpec(model, defaultBuildOptions(model, false));
      expect(build.status === 'ok' ? build.rowCount : 0).toBe(c.rows);
    });

    it('builds the same static vega-lite 5 spec', () => {
      expect(staticSpec(modelOf(c))).toEqual(c.bundle[VEGALITE_MIME]);
    });

    it('writes the same text table', () => {
      expect(textTable(modelOf(c))).toBe(c.bundle['text/plain']);
    });

    it('round-trips the payload', () => {
      expect(toPayload(modelOf(c))).toEqual(c.bundle[COMPARE_MIME]);
      expect(buildCompareBundle(c.bundle[COMPARE_MIME])).toEqual(c.bundle);
    });
  });
});
