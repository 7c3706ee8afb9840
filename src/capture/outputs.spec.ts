import * as nbformat from '@jupyterlab/nbformat';

import { outputTexts } from './outputs';

describe('outputTexts', () => {
  it('keeps streams and plain text of results and displays, in order', () => {
    const outputs: nbformat.IOutput[] = [
      { output_type: 'stream', name: 'stdout', text: ['Accuracy: ', '0.9\n'] },
      {
        output_type: 'execute_result',
        execution_count: 1,
        data: { 'text/plain': 'loss = 0.1', 'text/html': '<b>x</b>' },
        metadata: {}
      },
      {
        output_type: 'display_data',
        data: { 'image/png': 'AAAA' },
        metadata: {}
      },
      {
        output_type: 'error',
        ename: 'ValueError',
        evalue: 'x: 1',
        traceback: []
      }
    ];
    expect(outputTexts(outputs)).toEqual(['Accuracy: 0.9\n', 'loss = 0.1']);
  });
});
