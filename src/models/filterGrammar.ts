import { KeyEntity } from './keys';
import { IFilterToken, unquote } from './filterTokens';

/**
 * Just enough of the filter grammar (`jupyterlab_runs/store/filter.py`) to know what may come
 * next at the end of some tokens: a key, an operator, a value or a connector.
 */

/** Words that name an entity before `.key`, as the server accepts them. */
export const ENTITY_WORDS: Record<string, KeyEntity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes'
};

/** What the grammar expects next. */
export type Expect =
  | 'target'
  | 'operator'
  | 'not-op'
  | 'null'
  | 'value'
  | 'list-open'
  | 'list-value'
  | 'list-next'
  | 'connector';

/** The key a comparison is about. */
export interface ITarget {
  /** Entity of the key compared. */
  entity: KeyEntity;
  /** The key (or attribute name). */
  key: string;
}

/** What the grammar expects after these tokens; null when they do not parse. */
export function parseFilterPrefix(
  tokens: IFilterToken[]
): { expect: Expect; target: ITarget | null } | null {
  let expect: Expect = 'target';
  let target: ITarget | null = null;
  let depth = 0;
  const word = (t: IFilterToken, ...words: string[]) =>
    t.kind === 'keyword' && words.includes(t.text.toUpperCase());
  const isValue = (t: IFilterToken) =>
    t.kind === 'number' || t.kind === 'string' || t.kind === 'dquoted';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    switch (expect) {
      case 'target':
        if (word(t, 'NOT')) {
          continue;
        }
        if (t.text === '(' && t.kind === 'punct') {
          depth++;
          continue;
        }
        if (t.kind === 'ident' && tokens[i + 1]?.text === '.') {
          const entity = ENTITY_WORDS[t.text.toLowerCase()];
          const key = tokens[i + 2];
          if (!entity || !key) {
            return null;
          }
          target = { entity, key: keyText(key) };
          i += 2;
        } else if (t.kind === 'ident') {
          target = identTarget(t.text);
        } else if (t.kind === 'quoted' || t.kind === 'dquoted') {
          target = { entity: 'attributes', key: unquote(t) };
        } else {
          return null;
        }
        expect = 'operator';
        break;
      case 'operator':
        if (t.kind === 'op') {
          expect = 'value';
        } else if (word(t, 'IS')) {
          expect = 'null';
        } else if (word(t, 'NOT')) {
          expect = 'not-op';
        } else if (word(t, 'IN')) {
          expect = 'list-open';
        } else if (word(t, 'LIKE', 'ILIKE')) {
          expect = 'value';
        } else {
          return null;
        }
        break;
      case 'not-op':
        if (word(t, 'IN')) {
          expect = 'list-open';
        } else if (word(t, 'LIKE', 'ILIKE')) {
          expect = 'value';
        } else {
          return null;
        }
        break;
      case 'null':
        if (word(t, 'NULL')) {
          expect = 'connector';
        } else if (!word(t, 'NOT')) {
          return null;
        }
        break;
      case 'value':
        if (!isValue(t)) {
          return null;
        }
        expect = 'connector';
        break;
      case 'list-open':
        if (t.text !== '(') {
          return null;
        }
        expect = 'list-value';
        break;
      case 'list-value':
        if (!isValue(t)) {
          return null;
        }
        expect = 'list-next';
        break;
      case 'list-next':
        if (t.text === ',') {
          expect = 'list-value';
        } else if (t.text === ')') {
          expect = 'connector';
        } else {
          return null;
        }
        break;
      case 'connector':
        if (word(t, 'AND', 'OR')) {
          expect = 'target';
        } else if (t.text === ')' && depth > 0) {
          depth--;
        } else {
          return null;
        }
        break;
    }
  }
  return { expect, target };
}

/** The key a token names (quotes removed). */
export function keyText(token: IFilterToken): string {
  return ['quoted', 'dquoted', 'partial'].includes(token.kind)
    ? unquote(token)
    : token.text;
}

/** The target an identifier such as `metrics.acc` or `status` names. */
export function identTarget(text: string): ITarget {
  const dot = text.indexOf('.');
  const entity =
    dot > 0 ? ENTITY_WORDS[text.slice(0, dot).toLowerCase()] : undefined;
  return entity
    ? { entity, key: text.slice(dot + 1) }
    : { entity: 'attributes', key: text };
}
