import { DEFAULT_STATE, parsePanelState, stateToJSON } from './state';

describe('panel state', () => {
  it('round-trips through JSON and rejects malformed values', () => {
    const state = {
      experiment: 'x.ipynb',
      filter: 'params.a = 1',
      sort: { column: 'metric', descending: false },
      metric: 'acc',
      view: 'deleted'
    } as const;
    expect(parsePanelState(stateToJSON(state))).toEqual(state);
    expect(parsePanelState(null)).toEqual(DEFAULT_STATE);
    expect(
      parsePanelState({ sort: { column: 'bogus' }, view: 'all', filter: 3 })
    ).toEqual(DEFAULT_STATE);
  });
});
