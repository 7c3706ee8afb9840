import { IKeys } from '../api/types';
import {
  applyCompletion,
  completeFilter,
  IFilterCompletion
} from './filterCompletion';
import { tokenizeFilter } from './filterTokens';
import { keyExpression, parseSortClause, quoteKey } from './keys';

const KEYS: IKeys = {
  params: ['n_estimators', 'max_depth', 'batch size', 'cfg.lr', 'model'],
  metrics: ['accuracy', 'val-loss', 'loss', 'auc'],
  tags: ['team', 'mlflow.runName']
};

/** Complete with the caret at `|` (or at the end). */
function complete(textWithCaret: string): IFilterCompletion | null {
  const caret = textWithCaret.includes('|')
    ? textWithCaret.indexOf('|')
    : textWithCaret.length;
  return completeFilter(textWithCaret.replace('|', ''), caret, KEYS);
}

function labels(textWithCaret: string): string[] {
  return complete(textWithCaret)?.items.map(i => i.label) ?? [];
}

function inserts(textWithCaret: string): string[] {
  return complete(textWithCaret)?.items.map(i => i.insert) ?? [];
}

describe('quoting keys', () => {
  it('leaves identifiers bare and quotes the rest with backticks', () => {
    expect(quoteKey('accuracy')).toBe('accuracy');
    expect(quoteKey('_x1')).toBe('_x1');
    expect(quoteKey('batch size')).toBe('`batch size`');
    expect(quoteKey('cfg.lr')).toBe('`cfg.lr`');
    expect(quoteKey('val-loss')).toBe('`val-loss`');
    expect(quoteKey('1st')).toBe('`1st`');
    expect(quoteKey('a`b')).toBe('`a``b`');
    expect(keyExpression('metrics', 'val-loss')).toBe('metrics.`val-loss`');
    expect(keyExpression('attributes', 'version')).toBe('version');
  });

  it('splits order_by clauses', () => {
    expect(parseSortClause('metrics.`a b` DESC')).toEqual({
      expression: 'metrics.`a b`',
      descending: true
    });
    expect(parseSortClause('version asc')).toEqual({
      expression: 'version',
      descending: false
    });
    expect(parseSortClause('name')).toEqual({
      expression: 'name',
      descending: false
    });
  });
});

describe('tokenizeFilter', () => {
  it('mirrors the server tokenizer and survives unfinished text', () => {
    const tokens = tokenizeFilter(
      "metrics.acc >= -1.5e3 and params.`a b` = 'it''s"
    );
    expect(tokens.map(t => t.kind)).toEqual([
      'ident',
      'op',
      'number',
      'keyword',
      'ident',
      'punct',
      'quoted',
      'op',
      'string',
      'partial'
    ]);
    // Like the server: `'it'` is a string, `'s` an unterminated one.
    expect(tokens[9]).toMatchObject({ text: "'s", start: 45, end: 47 });
    expect(tokenizeFilter('a ~ b').map(t => t.kind)).toEqual([
      'ident',
      'other',
      'ident'
    ]);
  });
});

describe('completeFilter: where a key is expected', () => {
  it('offers the entity prefixes on an empty filter', () => {
    const completion = complete('');
    expect(completion).toMatchObject({ from: 0, to: 0 });
    expect(labels('')).toEqual(['metrics.', 'params.', 'tags.', 'attributes.']);
  });

  it('narrows the prefixes and adds matching keys and attributes', () => {
    expect(labels('me')).toEqual(['metrics.']);
    expect(labels('pa')).toEqual(['params.']);
    const items = complete('acc')!.items;
    expect(items.map(i => [i.label, i.insert])).toEqual([
      ['metrics.accuracy', 'metrics.accuracy']
    ]);
    expect(labels('sta')).toEqual(['status', 'start_time']);
    expect(labels('no')).toEqual(['notebook_path', 'note', 'NOT']);
  });

  it('lists the keys of an entity after its dot, quoting where needed', () => {
    const completion = complete('metrics.');
    expect(completion).toMatchObject({ from: 0, to: 8 });
    expect(inserts('metrics.')).toEqual([
      'metrics.accuracy',
      'metrics.`val-loss`',
      'metrics.loss',
      'metrics.auc'
    ]);
    expect(inserts('params.b')).toEqual(['params.`batch size`']);
    expect(inserts('params.cfg')).toEqual(['params.`cfg.lr`']);
    expect(inserts('tags.mlflow.run')).toEqual(['tags.`mlflow.runName`']);
  });

  it('ranks prefix matches before substring matches', () => {
    expect(labels('metrics.loss')).toEqual(['loss', 'val-loss']);
  });

  it('completes inside backticks and keeps the entity word typed', () => {
    const completion = complete('metric.`batch');
    expect(completion).toBeNull();
    expect(inserts('params.`batch s')).toEqual(['params.`batch size`']);
    expect(inserts('param.`batch s')).toEqual(['param.`batch size`']);
  });

  it('lists attributes after attributes.', () => {
    expect(inserts('attributes.st')).toEqual([
      'attributes.status',
      'attributes.start_time'
    ]);
  });

  it('replaces the whole word around the caret', () => {
    const completion = complete('metrics.ac|curacy > 1')!;
    expect(completion).toMatchObject({ from: 0, to: 16 });
    const applied = applyCompletion(
      'metrics.accuracy > 1',
      completion,
      completion.items[0]
    );
    expect(applied).toEqual({ text: 'metrics.accuracy > 1', caret: 16 });
  });

  it('suggests keys after AND, OR, NOT and an opening parenthesis', () => {
    expect(labels("params.model = 'rf' and ")).toContain('metrics.');
    expect(labels('metrics.auc > 0.5 OR (')).toContain('params.');
    expect(labels('NOT pa')).toEqual(['params.']);
    const completion = complete("params.model = 'rf' AND (metrics.a")!;
    expect(completion.from).toBe(25);
    expect(completion.items.map(i => i.label)).toEqual([
      'accuracy',
      'auc',
      'val-loss'
    ]);
  });
});

describe('completeFilter: operators, values and connectors', () => {
  it('offers operators after a metric, a param, a tag and an attribute', () => {
    expect(labels('metrics.accuracy ')).toEqual([
      '=',
      '!=',
      '>',
      '>=',
      '<',
      '<=',
      'IN',
      'NOT IN',
      'IS NULL',
      'IS NOT NULL'
    ]);
    expect(labels('params.model ')).toContain('LIKE');
    expect(labels('tags.team ')).not.toContain('>');
    expect(labels('version ')).toContain('>=');
    expect(labels('status ')).toContain('ILIKE');
    expect(labels('metrics.`val-loss` ')).toContain('<=');
  });

  it('filters operators by the word typed and opens IN lists', () => {
    expect(labels('params.model LI')).toEqual(['LIKE']);
    expect(inserts('params.model i')).toEqual([
      'ILIKE ',
      'IN (',
      'IS NULL ',
      'IS NOT NULL '
    ]);
    expect(labels('metrics.auc IS ')).toEqual(['NULL', 'NOT NULL']);
    expect(labels('params.model NOT ')).toEqual(['IN', 'LIKE', 'ILIKE']);
  });

  it('offers the known values of status and source', () => {
    expect(inserts('status = ')).toEqual([
      "'FINISHED'",
      "'FAILED'",
      "'KILLED'",
      "'RUNNING'"
    ]);
    expect(inserts("status = 'F")).toEqual(["'FINISHED'", "'FAILED'"]);
    expect(inserts("source IN ('")).toContain("'toolbar'");
    expect(complete('metrics.auc > ')).toBeNull();
  });

  it('offers AND and OR after a complete comparison', () => {
    expect(inserts('metrics.auc > 0.5 ')).toEqual(['AND ', 'OR ']);
    expect(labels("params.model = 'rf' o")).toEqual(['OR']);
    expect(labels('metrics.auc IS NOT NULL ')).toEqual(['AND', 'OR']);
    expect(labels("params.model IN ('a', 'b') ")).toEqual(['AND', 'OR']);
    expect(labels('(metrics.auc > 1) ')).toEqual(['AND', 'OR']);
  });

  it('says nothing where a keyword would stick to a value or the text is broken', () => {
    expect(complete('metrics.auc > 0.5')).toBeNull();
    expect(complete("params.model = 'rf'")).toBeNull();
    expect(complete('metrics.auc 0.5 ')).toBeNull();
    expect(complete('foo.bar ')).not.toBeNull();
    expect(complete('metrics.auc > 1) ')).toBeNull();
  });
});
