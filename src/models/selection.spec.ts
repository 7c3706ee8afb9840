import { RunSelection } from './selection';

/** Rows 0..total-1 whose ids are `r<index>`; rows in `missing` are not loaded yet. */
class Rows implements RunSelection.ISource {
  constructor(
    public total: number,
    public missing = new Set<number>()
  ) {}

  peekRow(index: number): { id: string } | undefined {
    return index < this.total && !this.missing.has(index)
      ? { id: `r${index}` }
      : undefined;
  }

  loadedRows(): Array<[number, { id: string }]> {
    const rows: Array<[number, { id: string }]> = [];
    for (let i = 0; i < this.total; i++) {
      const row = this.peekRow(i);
      if (row) {
        rows.push([i, row]);
      }
    }
    return rows;
  }
}

describe('RunSelection', () => {
  it('selects one row on a plain click and emits', () => {
    const selection = new RunSelection(new Rows(10));
    let emitted = 0;
    selection.changed.connect(() => emitted++);
    selection.click(3);
    expect(selection.ids).toEqual(['r3']);
    expect(selection.anchor).toBe(3);
    expect(selection.focus).toBe(3);
    expect(selection.isRowSelected(3)).toBe(true);
    selection.click(5);
    expect(selection.ids).toEqual(['r5']);
    expect(emitted).toBe(2);
    selection.dispose();
  });

  it('toggles with ctrl/cmd and extends ranges with shift from the anchor', () => {
    const selection = new RunSelection(new Rows(10));
    selection.click(2);
    selection.click(5, { extend: true });
    expect(selection.ids.sort()).toEqual(['r2', 'r3', 'r4', 'r5']);
    // Shift again re-ranges from the same anchor, upwards this time.
    selection.click(0, { extend: true });
    expect(selection.ids.sort()).toEqual(['r0', 'r1', 'r2']);
    selection.click(7, { toggle: true });
    expect(selection.has('r7')).toBe(true);
    expect(selection.anchor).toBe(7);
    // Ctrl+shift adds a range to what is selected.
    selection.click(8, { extend: true, toggle: true });
    expect(selection.ids.sort()).toEqual(['r0', 'r1', 'r2', 'r7', 'r8']);
    selection.click(7, { toggle: true });
    expect(selection.has('r7')).toBe(false);
    selection.dispose();
  });

  it('moves the focus with the keyboard, selecting, extending or not', () => {
    const selection = new RunSelection(new Rows(100));
    selection.move(1);
    expect(selection.focus).toBe(0);
    expect(selection.ids).toEqual(['r0']);
    selection.move(1);
    selection.move(2, { extend: true });
    expect(selection.ids.sort()).toEqual(['r1', 'r2', 'r3']);
    selection.move(10, { toggle: true });
    expect(selection.focus).toBe(13);
    expect(selection.ids.sort()).toEqual(['r1', 'r2', 'r3']);
    selection.toggleFocused();
    expect(selection.has('r13')).toBe(true);
    selection.move('last');
    expect(selection.focus).toBe(99);
    expect(selection.ids).toEqual(['r99']);
    selection.move(50);
    expect(selection.focus).toBe(99);
    selection.move('first', { extend: true });
    expect(selection.size).toBe(100);
    selection.move(-5);
    expect(selection.focus).toBe(0);
    selection.dispose();
  });

  it('selects all loaded rows and skips rows without ids in ranges', () => {
    const rows = new Rows(6, new Set([2, 3]));
    const selection = new RunSelection(rows);
    selection.selectAll();
    expect(selection.ids.sort()).toEqual(['r0', 'r1', 'r4', 'r5']);
    selection.clear();
    expect(selection.size).toBe(0);
    selection.click(1);
    selection.click(4, { extend: true });
    expect(selection.ids.sort()).toEqual(['r1', 'r4']);
    selection.dispose();
  });

  it('selects a focused row once it loads', () => {
    const rows = new Rows(10, new Set([6]));
    const selection = new RunSelection(rows);
    selection.click(5);
    selection.move(1);
    expect(selection.focus).toBe(6);
    expect(selection.size).toBe(0);
    rows.missing.clear();
    selection.resolve();
    expect(selection.ids).toEqual(['r6']);
    selection.dispose();
  });

  it('keeps ids but forgets positions when the order changes; ignores empty sources', () => {
    const rows = new Rows(0);
    const selection = new RunSelection(rows);
    selection.click(0);
    selection.move(1);
    expect(selection.focus).toBeNull();
    rows.total = 3;
    selection.setIds(['r1', 'x']);
    selection.resetPositions();
    expect(selection.ids).toEqual(['r1', 'x']);
    expect(selection.anchor).toBeNull();
    selection.dispose();
    selection.dispose();
    expect(selection.isDisposed).toBe(true);
  });
});
