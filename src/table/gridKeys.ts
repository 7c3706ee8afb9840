/** What a key press in the runs grid does. */
export type GridAction =
  | {
      type: 'move';
      delta: number | 'first' | 'last';
      extend: boolean;
      toggle: boolean;
    }
  | { type: 'column'; delta: number | 'first' | 'last' }
  | { type: 'header' }
  | { type: 'body' }
  | { type: 'open' }
  | { type: 'sort' }
  | { type: 'toggle' }
  | { type: 'selectAll' }
  | { type: 'clear' };

/** The parts of a keyboard event the grid reads. */
export interface IGridKey {
  /** `KeyboardEvent.key`. */
  key: string;
  /** Shift held. */
  shiftKey: boolean;
  /** Ctrl held. */
  ctrlKey: boolean;
  /** Cmd held. */
  metaKey: boolean;
}

/**
 * The action of a key: arrows move the focused cell (rows select as they go; shift extends,
 * ctrl/cmd moves without selecting), Home/End and PageUp/PageDown jump, Enter/Space open
 * the focused run (or sort from a header), ctrl/cmd+Space toggles, ctrl/cmd+A selects the
 * loaded rows, Escape clears. Null for keys the grid leaves alone.
 */
export function gridAction(
  event: IGridKey,
  where: { inHeader: boolean; focusRow: number | null; pageRows: number }
): GridAction | null {
  const accel = event.ctrlKey || event.metaKey;
  const move = (delta: number | 'first' | 'last'): GridAction => ({
    type: 'move',
    delta,
    extend: event.shiftKey,
    toggle: accel && !event.shiftKey
  });
  switch (event.key) {
    case 'ArrowDown':
      return where.inHeader ? { type: 'body' } : move(1);
    case 'ArrowUp':
      if (where.inHeader) {
        return null;
      }
      return (where.focusRow ?? 0) === 0 && !event.shiftKey
        ? { type: 'header' }
        : move(-1);
    case 'ArrowLeft':
      return { type: 'column', delta: -1 };
    case 'ArrowRight':
      return { type: 'column', delta: 1 };
    case 'Home':
      return where.inHeader
        ? { type: 'column', delta: 'first' }
        : move('first');
    case 'End':
      return where.inHeader ? { type: 'column', delta: 'last' } : move('last');
    case 'PageDown':
      return where.inHeader ? null : move(Math.max(1, where.pageRows));
    case 'PageUp':
      return where.inHeader ? null : move(-Math.max(1, where.pageRows));
    case 'Enter':
      return where.inHeader ? { type: 'sort' } : { type: 'open' };
    case ' ':
      if (where.inHeader) {
        return { type: 'sort' };
      }
      return accel ? { type: 'toggle' } : { type: 'open' };
    case 'a':
    case 'A':
      return accel ? { type: 'selectAll' } : null;
    case 'Escape':
      return { type: 'clear' };
    default:
      return null;
  }
}
