/**
 * CloudWatch Logs filter patterns (metric filters): a parser for the JSON form into a syntax tree,
 * and its expansion into disjunctive normal form for semantic comparison.
 *
 * Grammar followed (AWS "Filter pattern syntax for metric filters", "Matching terms in JSON log
 * events", and the aws-cdk `FilterPattern` renderer as a cross-check):
 *
 *   pattern    := '{' or '}'
 *   or         := and ('||' and)*              -- '&&' binds tighter than '||'
 *   and        := primary ('&&' primary)*
 *   primary    := '(' or ')' | condition
 *   condition  := selector op value           -- op: = != < <= > >=
 *               | selector 'IS' ('NULL' | 'TRUE' | 'FALSE')
 *               | selector 'NOT' 'EXISTS'
 *   selector   := '$' ('.' name | '[' digits ']')+   -- name: letters, digits, '-', '_'
 *   value      := "quoted" | %regex% | bare         -- '*' at the start/end of a string is a wildcard
 *
 * The language has no general negation: `!=` and `NOT EXISTS` are atomic conditions, so the normal
 * form never has to push a NOT inward.
 *
 * A `%regex%` value must stay within the regular-expression subset CloudWatch accepts and compile
 * in RE2 (safe-regex.ts); parentheses may nest at most MAX_NESTING_DEPTH deep and a pattern holds
 * at most MAX_CONDITIONS conditions. Anything else is a
 * syntax error with an offset, so no pattern read from a snapshot can make analysis super-linear
 * or exhaust the stack.
 *
 * Non-JSON patterns (empty = every event, term patterns such as `ERROR -Exiting`, space-delimited
 * `[ip, user, ...]`, standalone `%regex%`) parse successfully into a `non-json` node: they are valid
 * CloudWatch patterns, but they match raw text rather than CloudTrail fields, so they can never be
 * shown to select a CIS event set. Callers report them as "not a JSON pattern", not as errors.
 */

import { cloudWatchRegexProblem } from '../safe-regex.js';

/** Deepest parenthesis nesting analysed (a 1024-character pattern nests at most 512 deep). */
export const MAX_NESTING_DEPTH = 512;
/** Most conditions analysed in one pattern (a 1024-character pattern holds fewer than 150). */
export const MAX_CONDITIONS = 512;

interface SourceSpan {
  /** Offset of the first character in the pattern text. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

export interface Selector {
  /** Canonical text, e.g. `$.requestParameters.instanceId`, `$.users[0].id`. */
  readonly text: string;
  readonly path: readonly (string | number)[];
}

export const COMPARISON_OPERATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export type FilterValue =
  /** `text` is the value after unquoting; a leading and/or trailing `*` is a wildcard. */
  | { readonly kind: 'string'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  /** `%...%`: the text between the percent signs. */
  | { readonly kind: 'regex'; readonly source: string };

const VALUE_TESTS = ['IS NULL', 'NOT EXISTS', 'IS TRUE', 'IS FALSE'] as const;
type ValueTest = (typeof VALUE_TESTS)[number];

export interface ComparisonCondition {
  readonly kind: 'comparison';
  readonly selector: Selector;
  readonly operator: ComparisonOperator;
  readonly value: FilterValue;
  readonly span: SourceSpan;
}

interface TestCondition {
  readonly kind: 'test';
  readonly selector: Selector;
  readonly test: ValueTest;
  readonly span: SourceSpan;
}

export type Condition = ComparisonCondition | TestCondition;

interface JunctionOf<Kind extends 'and' | 'or'> {
  readonly kind: Kind;
  /** At least two operands; parentheses leave no node of their own. */
  readonly operands: readonly JsonExpr[];
  readonly span: SourceSpan;
}

type Junction = JunctionOf<'and'> | JunctionOf<'or'>;

export type JsonExpr = Condition | Junction;

export const NON_JSON_FORMS = ['match-all', 'terms', 'space-delimited', 'regex'] as const;
type NonJsonForm = (typeof NON_JSON_FORMS)[number];

export type FilterExpr =
  | { readonly kind: 'json'; readonly body: JsonExpr }
  | { readonly kind: 'non-json'; readonly form: NonJsonForm };

interface FilterParseError {
  readonly message: string;
  /** Offset into the pattern text where parsing stopped. */
  readonly offset: number;
}

type FilterParseResult = { ok: true; ast: FilterExpr } | { ok: false; error: FilterParseError };

export function parseFilterPattern(text: string): FilterParseResult {
  const start = skipWhitespace(text, 0);
  if (text[start] !== '{') return { ok: true, ast: { kind: 'non-json', form: nonJsonForm(text.slice(start)) } };
  try {
    const parser = new JsonPatternParser(text, start + 1);
    const body = parser.parseOr();
    parser.expectClosingBrace();
    return { ok: true, ast: { kind: 'json', body } };
  } catch (error) {
    if (error instanceof PatternSyntaxError) return { ok: false, error: { message: error.message, offset: error.offset } };
    throw error;
  }
}

function nonJsonForm(trimmedStart: string): NonJsonForm {
  if (trimmedStart.trim() === '') return 'match-all';
  if (trimmedStart.startsWith('[')) return 'space-delimited';
  if (trimmedStart.startsWith('%')) return 'regex';
  return 'terms';
}

class PatternSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NAME_CHAR = /[A-Za-z0-9_-]/;
const KEYWORD_CHAR = /[A-Za-z]/;
/** Characters that end a bare (unquoted) value: whitespace and the pattern's own punctuation. */
const BARE_VALUE_STOP = /[\s(){}&|"=!<>%]/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

class JsonPatternParser {
  private pos: number;
  private depth = 0;
  private conditions = 0;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.pos = start;
  }

  parseOr(): JsonExpr {
    return this.parseJunction('or', '||', () => this.parseAnd());
  }

  expectClosingBrace(): void {
    this.skip();
    if (this.pos >= this.text.length) this.fail("expected '}' to close the JSON pattern");
    if (this.text[this.pos] !== '}') this.fail(`expected '&&', '||' or '}' but found ${this.describeHere()}`);
    this.pos += 1;
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the closing '}'`);
  }

  private parseAnd(): JsonExpr {
    return this.parseJunction('and', '&&', () => this.parsePrimary());
  }

  private parseJunction(kind: Junction['kind'], symbol: string, operand: () => JsonExpr): JsonExpr {
    this.skip();
    const start = this.pos;
    const operands = [operand()];
    for (;;) {
      this.skip();
      if (!this.text.startsWith(symbol, this.pos)) break;
      this.pos += symbol.length;
      operands.push(operand());
    }
    const [only] = operands;
    if (operands.length === 1 && only) return only;
    return { kind, operands, span: { start, end: this.pos } };
  }

  private parsePrimary(): JsonExpr {
    this.skip();
    const char = this.text[this.pos];
    if (char === '(') {
      const open = this.pos;
      if (this.depth >= MAX_NESTING_DEPTH) this.fail(`parentheses nest more than ${MAX_NESTING_DEPTH} deep`);
      this.pos += 1;
      this.skip();
      if (this.text[this.pos] === ')') this.fail('empty parentheses');
      this.depth += 1;
      const inner = this.parseOr();
      this.depth -= 1;
      this.skip();
      if (this.text[this.pos] !== ')') {
        this.fail(`expected ')' to close the '(' at offset ${open} but found ${this.describeHere()}`);
      }
      this.pos += 1;
      return inner;
    }
    if (char === '$') return this.parseCondition();
    if (char === '}' || char === undefined) this.fail('expected a condition such as $.eventName = "X"');
    return this.fail(`expected '(' or a selector starting with '$' but found ${this.describeHere()}`);
  }

  private parseCondition(): Condition {
    const start = this.pos;
    if (++this.conditions > MAX_CONDITIONS) this.fail(`more than ${MAX_CONDITIONS} conditions`);
    const selector = this.parseSelector();
    this.skip();
    const operator = this.readOperator();
    if (operator) {
      this.skip();
      const value = this.parseValue(operator);
      return { kind: 'comparison', selector, operator, value, span: { start, end: this.pos } };
    }
    const keywordStart = this.pos;
    const first = this.readKeyword();
    if (first === 'IS' || first === 'NOT') {
      this.skip();
      const second = this.readKeyword();
      const test = `${first} ${second}`;
      if (isValueTest(test)) return { kind: 'test', selector, test, span: { start, end: this.pos } };
      this.pos = keywordStart;
      this.fail(`expected one of ${VALUE_TESTS.join(', ')} after ${selector.text}`);
    }
    this.pos = keywordStart;
    return this.fail(`expected a comparison operator (=, !=, <, <=, >, >=), IS or NOT after ${selector.text} but found ${this.describeHere()}`);
  }

  private parseSelector(): Selector {
    const path: (string | number)[] = [];
    let text = '$';
    this.pos += 1;
    for (;;) {
      const char = this.text[this.pos];
      if (char === '.') {
        this.pos += 1;
        const name = this.readWhile(NAME_CHAR);
        if (name === '') this.fail("expected a property name after '.' in the selector");
        path.push(name);
        text += `.${name}`;
      } else if (char === '[') {
        this.pos += 1;
        const digits = this.readWhile(/[0-9]/);
        if (digits === '' || this.text[this.pos] !== ']') this.fail("expected an array index such as [0] in the selector");
        this.pos += 1;
        const index = Number(digits);
        path.push(index);
        text += `[${index}]`;
      } else {
        break;
      }
    }
    if (path.length === 0) this.fail("expected '.' or '[' after '$' in the selector");
    return { text, path };
  }

  private readOperator(): ComparisonOperator | undefined {
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two === '==') this.fail("'==' is not a filter pattern operator; use '='");
    if (two === '!=' || two === '<=' || two === '>=') {
      this.pos += 2;
      return two;
    }
    const one = this.text[this.pos];
    if (one === '=' || one === '<' || one === '>') {
      this.pos += 1;
      return one;
    }
    return undefined;
  }

  private readKeyword(): string {
    return this.readWhile(KEYWORD_CHAR).toUpperCase();
  }

  private parseValue(operator: ComparisonOperator): FilterValue {
    const start = this.pos;
    const value = this.readValue();
    if (operator !== '=' && operator !== '!=' && value.kind !== 'number') {
      this.pos = start;
      this.fail(`the numeric comparison '${operator}' needs a number`);
    }
    return value;
  }

  private readValue(): FilterValue {
    const char = this.text[this.pos];
    if (char === '"') return { kind: 'string', text: this.readQuoted(), quoted: true };
    if (char === '%') {
      const close = this.text.indexOf('%', this.pos + 1);
      if (close < 0) this.fail("unterminated regular expression: expected a closing '%'");
      const source = this.text.slice(this.pos + 1, close);
      if (source === '') this.fail('empty regular expression');
      const problem = cloudWatchRegexProblem(source);
      if (problem) {
        this.pos += 1 + problem.offset;
        this.fail(`unsupported regular expression %${source.length > 60 ? `${source.slice(0, 60)}…` : source}%: ${problem.message}`);
      }
      this.pos = close + 1;
      return { kind: 'regex', source };
    }
    const bare = this.readUntil(BARE_VALUE_STOP);
    if (bare === '') this.fail(`expected a value but found ${this.describeHere()}`);
    if (NUMBER.test(bare)) return { kind: 'number', value: Number(bare), text: bare };
    return { kind: 'string', text: bare, quoted: false };
  }

  private readQuoted(): string {
    const open = this.pos;
    let value = '';
    this.pos += 1;
    while (this.pos < this.text.length) {
      const char = this.text[this.pos];
      if (char === '"') {
        this.pos += 1;
        return value;
      }
      const next = this.text[this.pos + 1];
      if (char === '\\' && (next === '"' || next === '\\')) {
        value += next;
        this.pos += 2;
      } else {
        value += char;
        this.pos += 1;
      }
    }
    this.pos = open;
    return this.fail('unterminated quoted string');
  }

  private readWhile(allowed: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && allowed.test(this.text[this.pos] ?? '')) this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  private readUntil(stop: RegExp): string {
    const start = this.pos;
    while (this.pos < this.text.length && !stop.test(this.text[this.pos] ?? '')) this.pos += 1;
    return this.text.slice(start, this.pos);
  }

  private skip(): void {
    this.pos = skipWhitespace(this.text, this.pos);
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return 'the end of the pattern';
    return `'${this.text.slice(this.pos, this.pos + 12)}'`;
  }

  private fail(message: string): never {
    throw new PatternSyntaxError(message, this.pos);
  }
}

function isValueTest(text: string): text is ValueTest {
  return (VALUE_TESTS as readonly string[]).includes(text);
}

function skipWhitespace(text: string, from: number): number {
  let pos = from;
  while (pos < text.length && /\s/.test(text[pos] ?? '')) pos += 1;
  return pos;
}

/** A conjunction of conditions; a normal form is a disjunction of these. */
export type Conjunction = readonly Condition[];

export type NormalFormResult =
  | { ok: true; terms: readonly Conjunction[] }
  /** The expansion would exceed `maxTerms`; `termCount` is the size at which it stopped. */
  | { ok: false; termCount: number; conditionCount?: number };

/** Conditions written into conjunctions while expanding, per allowed term: bounds the work. */
export const NORMAL_FORM_CONDITIONS_PER_TERM = 32;

/**
 * Expands an expression into a disjunction of conjunctions. `&&` distributes over `||`, so the
 * size can grow as a product of the operand sizes: the expansion stops once it would exceed
 * `maxTerms`, or once it has written more than `maxTerms × NORMAL_FORM_CONDITIONS_PER_TERM`
 * conditions (many alternatives times many conjuncts; `conditionCount` then says so). Conditions
 * repeated within a conjunction are kept once (compared by `conditionKey`).
 */
export function toDisjunctiveNormalForm(expr: JsonExpr, maxTerms: number): NormalFormResult {
  const budget = { written: 0, max: maxTerms * NORMAL_FORM_CONDITIONS_PER_TERM };
  const expanded = expand(expr, maxTerms, budget);
  if (typeof expanded !== 'number') return { ok: true, terms: expanded };
  return budget.written > budget.max ? { ok: false, termCount: expanded, conditionCount: budget.written } : { ok: false, termCount: expanded };
}

function expand(expr: JsonExpr, maxTerms: number, budget: { written: number; max: number }): Conjunction[] | number {
  if (expr.kind === 'comparison' || expr.kind === 'test') return [[expr]];
  const parts: Conjunction[][] = [];
  for (const operand of expr.operands) {
    const part = expand(operand, maxTerms, budget);
    if (typeof part === 'number') return part;
    parts.push(part);
  }
  if (expr.kind === 'or') {
    const terms = parts.flat();
    return terms.length > maxTerms ? terms.length : terms;
  }
  let product: Conjunction[] = [[]];
  for (const part of parts) {
    const size = product.length * part.length;
    if (size > maxTerms) return size;
    for (const left of product) for (const right of part) budget.written += left.length + right.length;
    if (budget.written > budget.max) return size;
    product = product.flatMap((left) => part.map((right) => mergeConjunctions(left, right)));
  }
  return product;
}

function mergeConjunctions(left: Conjunction, right: Conjunction): Conjunction {
  const seen = new Set(left.map(conditionKey));
  return [...left, ...right.filter((condition) => !seen.has(conditionKey(condition)))];
}

/**
 * Identity of a condition regardless of quoting and spacing: `$.eventName = CreateTrail` and
 * `$.eventName="CreateTrail"` have the same key.
 */
export function conditionKey(condition: Condition): string {
  if (condition.kind === 'test') return `${condition.selector.text} ${condition.test}`;
  return `${condition.selector.text} ${condition.operator} ${valueKey(condition.value)}`;
}

function valueKey(value: FilterValue): string {
  switch (value.kind) {
    case 'string':
      return `s:${value.text}`;
    case 'number':
      return `n:${value.value}`;
    case 'regex':
      return `r:${value.source}`;
  }
}

/** Readable, canonical text of a condition, e.g. `$.eventName = "CreateTrail"`. */
export function formatCondition(condition: Condition): string {
  if (condition.kind === 'test') return `${condition.selector.text} ${condition.test}`;
  return `${condition.selector.text} ${condition.operator} ${formatValue(condition.value)}`;
}

function formatValue(value: FilterValue): string {
  switch (value.kind) {
    case 'string':
      return `"${value.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    case 'number':
      return value.text;
    case 'regex':
      return `%${value.source}%`;
  }
}

/**
 * The pattern text without insignificant whitespace (whitespace inside quoted strings is kept).
 * Two patterns with the same compact text are the same pattern as typed.
 */
export function compactPatternText(text: string): string {
  let compact = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (quoted && char === '\\') {
      compact += char + (text[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (quoted || !/\s/.test(char)) compact += char;
  }
  return compact;
}
