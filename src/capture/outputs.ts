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

/** Most printed characters the server reads (`MAX_PRINTED_CHARS` in server/printed.py). */
export const MAX_PRINTED_CHARS = 1_000_000;

/**
 * The printed texts to scan for metrics: all of them, or their last `limit` characters
 * from the start of a line (a long log prints its metrics last, and a line cut in two
 * would read as another key).
 */
export function printedTail(
  outputs: readonly nbformat.IOutput[],
  limit = MAX_PRINTED_CHARS
): string[] {
  const texts = outputTexts(outputs);
  let room = limit;
  for (let i = texts.length - 1; i >= 0; i--) {
    const text = texts[i];
    if (text.length <= room) {
      room -= text.length;
      continue;
    }
    let start = text.length - room;
    while (start < text.length && !isLineBreak(text[start - 1])) {
      start++;
    }
    return [text.slice(start), ...texts.slice(i + 1)];
  }
  return texts;
}

/**
 * What a posted run carries for the server to read printed metrics from: the printed tail,
 * or nothing when no text has a `:` or `=` (no line of it can be a metric).
 */
export function printedText(
  outputs: readonly nbformat.IOutput[]
): string[] | undefined {
  const texts = printedTail(outputs);
  return texts.some(text => text.includes(':') || text.includes('='))
    ? texts
    : undefined;
}

function isLineBreak(char: string): boolean {
  return char === '\n' || char === '\r';
}
