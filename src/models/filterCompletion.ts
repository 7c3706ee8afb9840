import { IKeys } from '../api/types';
import { ATTRIBUTES, KeyEntity, quoteKey } from './keys';
import {
  ENTITY_WORDS,
  Expect,
  identTarget,
  ITarget,
  keyText,
  parseFilterPrefix
} from './filterGrammar';
import { IFilterToken, tokenizeFilter } from './filterTokens';

/** What a completion item stands for. */
export type FilterCompletionKind =
  'entity' | 'key' | 'attribute' | 'operator' | 'keyword' | 'value';

/** One suggestion. */
export interface IFilterCompletionItem {
  /** Text shown in the list. */
  label: string;
  /** Text that replaces the range. */
  insert: string;
  /** What it is. */
  kind: FilterCompletionKind;
  /** The entity of a key, for keys. */
  entity?: KeyEntity;
}

/** Suggestions and the range of the text they replace. */
export interface IFilterCompletion {
  /** Start of the replaced range. */
  from: number;
  /** End of the replaced range (exclusive). */
  to: number;
  /** Suggestions, best first. */
  items: IFilterCompletionItem[];
}

/** Most items returned at once. */
export const MAX_COMPLETIONS = 100;

const ENTITIES: KeyEntity[] = ['metrics', 'params', 'tags', 'attributes'];
const COMPARE = ['=', '!=', '>', '>=', '<', '<='];
const NULLS = ['IS NULL', 'IS NOT NULL'];
const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE', 'NOT LIKE', 'NOT ILIKE'];
const LISTS = ['IN', 'NOT IN'];
// Tokens after which a suggestion may follow without a space.
const SPACE_NOT_NEEDED = new Set([
  '(',
  ',',
  '=',
  '==',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>='
]);
const ATTRIBUTE_VALUES: Record<string, string[]> = {
  status: ['FINISHED', 'FAILED', 'KILLED', 'RUNNING'],
  source: ['toolbar', 'auto', 'magic', 'api', 'import']
};

/**
 * Completions for the filter box at `caret`: entity prefixes and keys where a key is
 * expected, operators after a key, known values for `status`/`source`, `AND`/`OR` after a
 * value. Null when there is nothing to suggest. Pure: `keys` comes from `client.keys`.
 */
export function completeFilter(
  text: string,
  caret: number,
  keys: IKeys
): IFilterCompletion | null {
  const before = text.slice(0, caret);
  const tokens = tokenizeFilter(before);
  const wordStart = currentWord(tokens, caret);
  const last = tokens[tokens.length - 1];
  if (
    wordStart === null &&
    last?.end === caret &&
    !SPACE_NOT_NEEDED.has(last.text)
  ) {
    // Right after a value or ')': a keyword typed here would stick to it.
    return null;
  }
  const from = wordStart === null ? caret : tokens[wordStart].start;
  const word = before.slice(from);
  const state = parseFilterPrefix(
    wordStart === null ? tokens : tokens.slice(0, wordStart)
  );
  if (state === null) {
    return null;
  }
  const after = /^[\p{L}\p{N}_.]*/u.exec(text.slice(caret))![0];
  const items = suggest(state.expect, state.target, word, keys);
  if (items.length === 0) {
    return null;
  }
  return {
    from,
    to: caret + after.length,
    items: items.slice(0, MAX_COMPLETIONS)
  };
}

/** Apply an item: the new text and the caret after the inserted text. */
export function applyCompletion(
  text: string,
  completion: IFilterCompletion,
  item: IFilterCompletionItem
): { text: string; caret: number } {
  return {
    text:
      text.slice(0, completion.from) + item.insert + text.slice(completion.to),
    caret: completion.from + item.insert.length
  };
}

/** Index of the first token of the word ending at the caret, or null after a space. */
function currentWord(tokens: IFilterToken[], caret: number): number | null {
  const last = tokens.length - 1;
  const token = tokens[last];
  if (!token || token.end !== caret) {
    return null;
  }
  const adjacent = (a: number, b: number) =>
    a >= 0 && tokens[a].end === tokens[b].start;
  const entityAt = (index: number) =>
    adjacent(index, index + 1) &&
    tokens[index].kind === 'ident' &&
    ENTITY_WORDS[tokens[index].text.toLowerCase()] !== undefined;
  if (token.kind === 'punct' && token.text === '.') {
    return entityAt(last - 1) ? last - 1 : null;
  }
  const keyLike = ['quoted', 'dquoted', 'partial', 'ident', 'keyword'];
  if (!keyLike.includes(token.kind)) {
    return null;
  }
  const dotted =
    last >= 2 &&
    tokens[last - 1].text === '.' &&
    adjacent(last - 1, last) &&
    entityAt(last - 2);
  return dotted ? last - 2 : last;
}

function suggest(
  expect: Expect,
  target: ITarget | null,
  word: string,
  keys: IKeys
): IFilterCompletionItem[] {
  switch (expect) {
    case 'target':
      return targetItems(word, keys);
    case 'operator':
      return operatorItems(target!, word);
    case 'value':
    case 'list-value':
      return valueItems(target!, word);
    case 'connector':
      return keywordItems(['AND', 'OR'], word);
    case 'null':
      return keywordItems(['NULL', 'NOT NULL'], word);
    case 'not-op':
      return keywordItems(['IN', 'LIKE', 'ILIKE'], word);
    default:
      return [];
  }
}

function keywordItems(words: string[], typed: string): IFilterCompletionItem[] {
  return words
    .filter(w => startsWith(w, typed))
    .map(w => ({
      label: w,
      insert: w === 'IN' ? 'IN (' : `${w} `,
      kind: 'keyword'
    }));
}

function keysOf(entity: KeyEntity, keys: IKeys): string[] {
  return entity === 'attributes' ? ATTRIBUTES.map(a => a.name) : keys[entity];
}

function targetItems(word: string, keys: IKeys): IFilterCompletionItem[] {
  const tokens = tokenizeFilter(word);
  const head = tokens[0];
  const entity = head && ENTITY_WORDS[head.text.toLowerCase()];
  if (entity && tokens[1]?.text === '.') {
    // `metrics.acc`, `metrics.`, ``metrics.`val l``: keys of that entity.
    const typed = tokens[2] ? keyText(tokens[2]) : '';
    return ranked(keysOf(entity, keys), typed).map(key => ({
      label: key,
      insert: `${head.text}.${quoteKey(key)}`,
      kind: entity === 'attributes' ? 'attribute' : 'key',
      entity
    }));
  }
  if (head && head.kind === 'ident' && head.text.includes('.')) {
    const { entity: dotted, key } = identTarget(head.text);
    const prefix = head.text.slice(0, head.text.indexOf('.'));
    return ranked(keysOf(dotted, keys), key).map(k => ({
      label: k,
      insert: `${prefix}.${quoteKey(k)}`,
      kind: dotted === 'attributes' ? 'attribute' : 'key',
      entity: dotted
    }));
  }
  const items: IFilterCompletionItem[] = ENTITIES.filter(e =>
    startsWith(e, word)
  ).map(e => ({ label: `${e}.`, insert: `${e}.`, kind: 'entity' }));
  if (word) {
    for (const e of ENTITIES) {
      for (const key of keysOf(e, keys).filter(k => startsWith(k, word))) {
        items.push({
          label: e === 'attributes' ? key : `${e}.${key}`,
          insert: e === 'attributes' ? key : `${e}.${quoteKey(key)}`,
          kind: e === 'attributes' ? 'attribute' : 'key',
          entity: e
        });
      }
    }
    items.push(...keywordItems(['NOT'], word));
  }
  return items;
}

function operatorItems(target: ITarget, word: string): IFilterCompletionItem[] {
  let operators: string[];
  if (target.entity === 'metrics') {
    operators = [...COMPARE, ...LISTS, ...NULLS];
  } else if (target.entity === 'params') {
    operators = [
      ...COMPARE,
      'LIKE',
      'ILIKE',
      'NOT LIKE',
      'NOT ILIKE',
      ...LISTS,
      ...NULLS
    ];
  } else if (target.entity === 'tags') {
    operators = [...STRING_OPS, ...LISTS, ...NULLS];
  } else {
    const numeric = ATTRIBUTES.find(a => a.name === target.key)?.numeric;
    operators = numeric ? [...COMPARE, ...LISTS] : [...STRING_OPS, ...LISTS];
    operators.push(...NULLS);
  }
  return operators
    .filter(op => startsWith(op, word))
    .map(op => ({
      label: op,
      insert: op.endsWith('IN') ? `${op} (` : `${op} `,
      kind: 'operator'
    }));
}

function valueItems(target: ITarget, word: string): IFilterCompletionItem[] {
  const values =
    target.entity === 'attributes' ? ATTRIBUTE_VALUES[target.key] : undefined;
  if (!values) {
    return [];
  }
  const typed = word.replace(/^['"]/, '');
  return values
    .filter(value => startsWith(value, typed))
    .map(value => ({ label: value, insert: `'${value}'`, kind: 'value' }));
}

/** Case-insensitive prefix matches first, then other substring matches. */
function ranked(candidates: readonly string[], typed: string): string[] {
  const lower = typed.toLowerCase();
  const prefix = candidates.filter(c => c.toLowerCase().startsWith(lower));
  const inner = candidates.filter(
    c => !c.toLowerCase().startsWith(lower) && c.toLowerCase().includes(lower)
  );
  return [...prefix, ...inner];
}

function startsWith(candidate: string, typed: string): boolean {
  return candidate.toLowerCase().startsWith(typed.toLowerCase());
}
