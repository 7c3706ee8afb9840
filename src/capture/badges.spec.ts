import { CodeCellModel } from '@jupyterlab/cells';
import { nullTranslator } from '@jupyterlab/translation';

import { RunBadge } from './badges';
import { METADATA_KEY } from './metadata';

const trans = nullTranslator.load('jupyterlab_runs');

function lastRun(version: number, status = 'FINISHED') {
  return {
    last_run: {
      id: `run${version}`,
      version,
      experiment_id: 'e1',
      status,
      metric: ['accuracy', 0.96412]
    }
  };
}

describe('RunBadge', () => {
  it('shows the cell’s last run from its metadata and follows it', () => {
    const model = new CodeCellModel();
    const opened: Array<string | null> = [];
    const badge = new RunBadge(model, id => opened.push(id), trans);
    expect(badge.isHidden).toBe(true);

    model.setMetadata(METADATA_KEY, lastRun(7));
    expect(badge.isHidden).toBe(false);
    expect(badge.node.textContent).toBe('v7 · accuracy 0.9641');
    badge.node.click();
    expect(opened).toEqual(['run7']);

    model.setMetadata(METADATA_KEY, lastRun(8, 'FAILED'));
    expect(badge.node.textContent).toBe('v8 · accuracy 0.9641 · FAILED');
    badge.dispose();
    model.dispose();
  });

  it('says "v? · waiting to sync" while the run waits in the outbox, then the version', () => {
    const model = new CodeCellModel();
    const opened: Array<string | null> = [];
    const waiting: unknown[] = [];
    const badge = new RunBadge(
      model,
      id => opened.push(id),
      trans,
      cell => waiting.push(cell)
    );
    model.setMetadata(METADATA_KEY, {
      last_run: { ...lastRun(1).last_run, id: 'pending-1', version: null }
    });
    expect(badge.isHidden).toBe(false);
    expect(badge.node.textContent).toBe('v? · waiting to sync');
    expect(badge.hasClass('jp-mod-pending')).toBe(true);
    expect(waiting).toEqual([model]);
    // No details yet: a click opens the panel, where the run is listed on top.
    badge.node.click();
    expect(opened).toEqual([null]);

    model.setMetadata(METADATA_KEY, lastRun(12));
    expect(badge.node.textContent).toBe('v12 · accuracy 0.9641');
    expect(badge.hasClass('jp-mod-pending')).toBe(false);
    badge.node.click();
    expect(opened).toEqual([null, 'run12']);
    badge.dispose();
    model.dispose();
  });

  it('disconnects from the cell when disposed', () => {
    const model = new CodeCellModel();
    const badge = new RunBadge(model, () => undefined, trans);
    model.setMetadata(METADATA_KEY, lastRun(1));
    badge.dispose();
    badge.dispose();
    model.setMetadata(METADATA_KEY, lastRun(2));
    expect(badge.node.textContent).toBe('v1 · accuracy 0.9641');
    model.dispose();
  });
});
