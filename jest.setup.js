// jsdom lacks structuredClone, which vega-lite 6 uses.
if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = value => JSON.parse(JSON.stringify(value));
}

// jsdom's performance has no User Timing marks; the capture records some for bench/.
if (typeof globalThis.performance.mark !== 'function') {
  globalThis.performance.mark = () => undefined;
  globalThis.performance.measure = () => undefined;
}
