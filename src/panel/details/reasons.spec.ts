import { nullTranslator } from '@jupyterlab/translation';

import { IRun } from '../../api/types';
import { reasonText, verdictOf } from './reasons';

const trans = nullTranslator.load('jupyterlab_runs');

describe('reproducibility reasons', () => {
  const run = (reproducibility: unknown) =>
    ({ context: { reproducibility } }) as unknown as IRun;

  it('reads a stored verdict and words each reason with its cell', () => {
    const verdict = verdictOf(
      run({
        clean: false,
        reasons: [
          { kind: 'edited', cellId: 'c1', index: 2, executionCount: 3 },
          { kind: 'bogus', cellId: 'c2', index: 0, executionCount: 1 },
          {
            kind: 'missing-execution',
            cellId: null,
            index: null,
            executionCount: 4
          }
        ]
      })
    );
    expect(verdict?.reasons.map(r => reasonText(r, trans))).toEqual([
      'Cell 3 was edited after it ran',
      'Execution [4] came from a cell no longer in the notebook'
    ]);
    expect(verdictOf(run(undefined))).toBeNull();
    expect(verdictOf(run({ clean: 'yes', reasons: [] }))).toBeNull();
  });
});
