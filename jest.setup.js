// jsdom lacks structuredClone, which vega-lite 6 uses.
if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = value => JSON.parse(JSON.stringify(value));
}
