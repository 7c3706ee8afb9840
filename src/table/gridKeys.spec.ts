import { gridAction, IGridKey } from './gridKeys';

function key(name: string, mods: Partial<IGridKey> = {}): IGridKey {
  return {
    key: name,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    ...mods
  };
}

const body = { inHeader: false, focusRow: 5, pageRows: 20 };
const header = { inHeader: true, focusRow: 5, pageRows: 20 };

describe('gridAction', () => {
  it('moves the focused row, extending with shift and only focusing with ctrl/cmd', () => {
    expect(gridAction(key('ArrowDown'), body)).toEqual({
      type: 'move',
      delta: 1,
      extend: false,
      toggle: false
    });
    expect(gridAction(key('ArrowUp', { shiftKey: true }), body)).toMatchObject({
      delta: -1,
      extend: true
    });
    expect(gridAction(key('ArrowDown', { metaKey: true }), body)).toMatchObject(
      {
        toggle: true
      }
    );
    expect(gridAction(key('PageDown'), body)).toMatchObject({ delta: 20 });
    expect(gridAction(key('PageUp'), { ...body, pageRows: 0 })).toMatchObject({
      delta: -1
    });
    expect(gridAction(key('Home'), body)).toMatchObject({ delta: 'first' });
    expect(gridAction(key('End', { shiftKey: true }), body)).toMatchObject({
      delta: 'last',
      extend: true
    });
  });

  it('moves between columns, and between the headers and the first row', () => {
    expect(gridAction(key('ArrowLeft'), body)).toEqual({
      type: 'column',
      delta: -1
    });
    expect(gridAction(key('ArrowRight'), header)).toEqual({
      type: 'column',
      delta: 1
    });
    expect(gridAction(key('Home'), header)).toEqual({
      type: 'column',
      delta: 'first'
    });
    expect(gridAction(key('End'), header)).toEqual({
      type: 'column',
      delta: 'last'
    });
    expect(gridAction(key('ArrowUp'), { ...body, focusRow: 0 })).toEqual({
      type: 'header'
    });
    expect(gridAction(key('ArrowUp'), { ...body, focusRow: null })).toEqual({
      type: 'header'
    });
    expect(gridAction(key('ArrowDown'), header)).toEqual({ type: 'body' });
    expect(gridAction(key('ArrowUp'), header)).toBeNull();
    expect(gridAction(key('PageDown'), header)).toBeNull();
  });

  it('opens, sorts, toggles, selects all and clears', () => {
    expect(gridAction(key('Enter'), body)).toEqual({ type: 'open' });
    expect(gridAction(key(' '), body)).toEqual({ type: 'open' });
    expect(gridAction(key('Enter'), header)).toEqual({ type: 'sort' });
    expect(gridAction(key(' '), header)).toEqual({ type: 'sort' });
    expect(gridAction(key(' ', { ctrlKey: true }), body)).toEqual({
      type: 'toggle'
    });
    expect(gridAction(key('a', { metaKey: true }), body)).toEqual({
      type: 'selectAll'
    });
    expect(gridAction(key('a'), body)).toBeNull();
    expect(gridAction(key('Escape'), body)).toEqual({ type: 'clear' });
    expect(gridAction(key('x'), body)).toBeNull();
  });
});
