import * as nbformat from '@jupyterlab/nbformat';

import { outputTexts, printedTail, printedText } from './outputs';

/** A stdout stream output holding `text`. */
const stream = (text: string): nbformat.IOutput => ({
  output_type: 'stream',
  name: 'stdout',
  text
});

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

describe('printedTail', () => {
  it('keeps every text that fits', () => {
    const outputs = [stream('a: 1\n'), stream('b: 2\n')];
    expect(printedTail(outputs, 10)).toEqual(['a: 1\n', 'b: 2\n']);
  });

  it('keeps the last characters from the start of a line, never a cut line', () => {
    const outputs = [
      stream('old: 1\n'),
      stream('accuracy: 0.5\nrecall: 0.25\n'),
      stream('f1: 0.1\n')
    ];
    // 24 characters reach into "accuracy…": its line is dropped whole, not cut to "0.5".
    expect(printedTail(outputs, 24)).toEqual(['recall: 0.25\n', 'f1: 0.1\n']);
    // A progress bar's carriage return starts a line too.
    expect(printedTail([stream('10%\r100% loss: 0.3\n')], 16)).toEqual([
      '100% loss: 0.3\n'
    ]);
  });
});

describe('printedText', () => {
  it('is the printed tail, or nothing when no line can be a metric', () => {
    expect(printedText([stream('done\n'), stream('epoch 3')])).toBeUndefined();
    expect(printedText([stream('done\n'), stream('loss=0.2')])).toEqual([
      'done\n',
      'loss=0.2'
    ]);
    expect(printedText([])).toBeUndefined();
  });
});
