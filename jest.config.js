const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

const baseConfig = jestJupyterLab(__dirname);

// The base allow-list must be kept (it covers JupyterLab's own ESM deps); vega 6 and d3
// ship ESM only, so they are added to the packages jest transforms.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@marijn',
  '@microsoft',
  'color',
  'exenv-es6',
  'lib0',
  'marked',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs',
  'vega',
  'vega-[a-z-]+',
  'd3-[a-z-]+',
  'delaunator',
  'robust-predicates',
  'internmap',
  'json-stringify-pretty-compact',
  'fast-json-patch'
].join('|');

module.exports = {
  ...baseConfig,
  automock: false,
  setupFiles: [
    ...(baseConfig.setupFiles ?? []),
    'jest-canvas-mock',
    '<rootDir>/jest.setup.js'
  ],
  transform: {
    ...baseConfig.transform,
    '^.+\\.mjs$': 'babel-jest'
  },
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/*.d.ts'],
  coverageReporters: ['lcov', 'text'],
  modulePathIgnorePatterns: [
    '<rootDir>/.venv',
    '<rootDir>/jupyterlab_runs/labextension',
    '<rootDir>/ui-tests'
  ],
  testRegex: 'src/.*/.*\\.spec\\.tsx?$',
  transformIgnorePatterns: [`/node_modules/(?!(${esModules})).+`]
};
