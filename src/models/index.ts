/** Models shared by the Runs panel and the runs table: state and signals, no DOM. */
export * from './filterCompletion';
export * from './filterGrammar';
export * from './filterTokens';
export * from './keys';
export * from './liveUpdates';
export * from './runsQuery';
export * from './selection';
export * from './syncMonitor';
