import * as nbformat from '@jupyterlab/nbformat';

/** Text of a multiline nbformat string. */
function joined(text: nbformat.MultilineString | undefined): string {
  if (text === undefined) {
    return '';
  }
  return Array.isArray(text) ? text.join('') : text;
}

/**
 * The printed text of a cell's outputs, in order: stdout/stderr streams and the
 * `text/plain` of results and displays (where printed metrics are found).
 */
export function outputTexts(outputs: readonly nbformat.IOutput[]): string[] {
  const texts: string[] = [];
  for (const output of outputs) {
    if (nbformat.isStream(output)) {
      texts.push(joined(output.text));
    } else if (
      nbformat.isExecuteResult(output) ||
      nbformat.isDisplayData(output)
    ) {
      const plain = output.data['text/plain'];
      if (typeof plain === 'string' || Array.isArray(plain)) {
        texts.push(joined(plain as nbformat.MultilineString));
      }
    }
  }
  return texts;
}
