import { describe, expect, it } from 'vitest';
import {
  compactPatternText,
  conditionKey,
  formatCondition,
  parseFilterPattern,
  toDisjunctiveNormalForm,
  type Condition,
  type FilterExpr,
  type JsonExpr,
} from '../../src/engine/analysis/filter-pattern.js';

function jsonBody(text: string): JsonExpr {
  const result = parseFilterPattern(text);
  if (!result.ok) throw new Error(`${text}: ${result.error.message} at ${result.error.offset}`);
  if (result.ast.kind !== 'json') throw new Error(`${text} is not JSON`);
  return result.ast.body;
}

/** A compact rendering of the tree: junctions as and(...)/or(...), conditions in canonical text. */
function shape(expr: JsonExpr): string {
  if (expr.kind === 'and' || expr.kind === 'or') return `${expr.kind}(${expr.operands.map(shape).join(', ')})`;
  return formatCondition(expr);
}

function condition(text: string): Condition {
  const body = jsonBody(text);
  if (body.kind === 'and' || body.kind === 'or') throw new Error(`${text} is not a single condition`);
  return body;
}

describe('parseFilterPattern: JSON patterns', () => {
  it.each([
    ['{ $.eventName = "CreateTrail" }', '$.eventName = "CreateTrail"'],
    ['{$.eventName=CreateTrail}', '$.eventName = "CreateTrail"'],
    ['{ $.sourceIPAddress != 123.123.* }', '$.sourceIPAddress != "123.123.*"'],
    ['{ $.eventSource = kms.amazonaws.com }', '$.eventSource = "kms.amazonaws.com"'],
    ['{ $.errorCode = "*UnauthorizedOperation" }', '$.errorCode = "*UnauthorizedOperation"'],
    ['{ $.errorMessage = "Failed authentication" }', '$.errorMessage = "Failed authentication"'],
    ['{ $.message = "say \\"hi\\" \\\\ bye" }', '$.message = "say \\"hi\\" \\\\ bye"'],
    ['{ $.arrayKey[0] = "value" }', '$.arrayKey[0] = "value"'],
    ['{ $.objectList[1].id = 2 }', '$.objectList[1].id = 2'],
    ['{ $.coordinates[0][1] = nonmatch }', '$.coordinates[0][1] = "nonmatch"'],
    ['{ $.request-id_x = abc }', '$.request-id_x = "abc"'],
    ['{ $.SomeObject IS NULL }', '$.SomeObject IS NULL'],
    ['{ $.userIdentity.invokedBy NOT EXISTS }', '$.userIdentity.invokedBy NOT EXISTS'],
    ['{ $.ThisFlag IS TRUE }', '$.ThisFlag IS TRUE'],
    ['{ $.ThisFlag is false }', '$.ThisFlag IS FALSE'],
    ['{ $.latency >= 500 }', '$.latency >= 500'],
    ['{ $.numbers[0] < 10e3 }', '$.numbers[0] < 10e3'],
    ['{ $.numbers[0] < 10e-3 }', '$.numbers[0] < 10e-3'],
    ['{ $.processes[4].averageRuntime <= 55.5 }', '$.processes[4].averageRuntime <= 55.5'],
    ['{ $.latency > +1000 }', '$.latency > +1000'],
    ['{ $.errorCode != 500 }', '$.errorCode != 500'],
    ['{ $.message = %ERROR [0-9]+% }', '$.message = %ERROR [0-9]+%'],
  ])('%s', (text, expected) => {
    expect(shape(jsonBody(text))).toBe(expected);
  });

  it('keeps the value type: unquoted numbers are numbers, quoted ones are strings', () => {
    const numeric = condition('{ $.errorCode = 400 }');
    const quoted = condition('{ $.errorCode = "400" }');
    expect(numeric.kind === 'comparison' && numeric.value).toEqual({ kind: 'number', value: 400, text: '400' });
    expect(quoted.kind === 'comparison' && quoted.value).toEqual({ kind: 'string', text: '400', quoted: true });
  });

  it('records where each condition sits in the text', () => {
    const text = '{ $.a = 1 && $.b NOT EXISTS }';
    const body = jsonBody(text);
    if (body.kind !== 'and') throw new Error('expected and');
    expect(body.operands.map((operand) => text.slice(operand.span.start, operand.span.end))).toEqual(['$.a = 1', '$.b NOT EXISTS']);
  });

  it.each([
    ['&& binds tighter than ||', '{ $.a = 1 || $.b = 2 && $.c = 3 }', 'or($.a = 1, and($.b = 2, $.c = 3))'],
    ['&& binds tighter on the left too', '{ $.a = 1 && $.b = 2 || $.c = 3 }', 'or(and($.a = 1, $.b = 2), $.c = 3)'],
    ['parentheses override precedence', '{ ($.a = 1 || $.b = 2) && $.c = 3 }', 'and(or($.a = 1, $.b = 2), $.c = 3)'],
    ['redundant parentheses leave no trace', '{ ((($.a = 1))) || (($.b = 2)) }', 'or($.a = 1, $.b = 2)'],
    ['chains are n-ary', '{ $.a = 1 || $.b = 2 || $.c = 3 }', 'or($.a = 1, $.b = 2, $.c = 3)'],
    [
      'the AWS documentation example',
      '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
      'or($.user.email = "John.Stiles@example.com", and($.coordinates[0][1] = "nonmatch", $.actions[2] = "nomatch"))',
    ],
    [
      'CIS 2.0+ unauthorized API calls (exclusions bind to AccessDenied* only)',
      '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
      'or($.errorCode = "*UnauthorizedOperation", and($.errorCode = "AccessDenied*", $.sourceIPAddress != "delivery.logs.amazonaws.com", $.eventName != "HeadBucket"))',
    ],
  ])('%s', (_name, text, expected) => {
    expect(shape(jsonBody(text))).toBe(expected);
  });

  it('gives quoted and unquoted spellings of a condition the same key', () => {
    expect(conditionKey(condition('{ $.eventName = CreateTrail }'))).toBe(conditionKey(condition('{$.eventName="CreateTrail"}')));
    expect(conditionKey(condition('{ $.eventName = CreateTrail }'))).not.toBe(conditionKey(condition('{ $.eventName != CreateTrail }')));
    expect(conditionKey(condition('{ $.code = 400 }'))).not.toBe(conditionKey(condition('{ $.code = "400" }')));
  });
});

describe('parseFilterPattern: patterns that are not JSON', () => {
  it.each<[string, Extract<FilterExpr, { kind: 'non-json' }>['form']]>([
    ['', 'match-all'],
    ['   ', 'match-all'],
    ['ERROR', 'terms'],
    ['"ERROR" -"Exiting"', 'terms'],
    ['?ERROR ?WARN', 'terms'],
    ['ConsoleLogin', 'terms'],
    ['[ip, user, username, timestamp, request, status_code = 4*, bytes]', 'space-delimited'],
    ['%ERROR%', 'regex'],
  ])('%j is a %s pattern', (text, form) => {
    expect(parseFilterPattern(text)).toEqual({ ok: true, ast: { kind: 'non-json', form } });
  });
});

describe('parseFilterPattern: errors', () => {
  it.each([
    ['{ $.eventName = }', 16, 'expected a value'],
    ['{ ($.a = 1 }', 11, "expected ')' to close the '(' at offset 2"],
    ['{ $.a = "unterminated }', 8, 'unterminated quoted string'],
    ['{ $eventName = X }', 3, "expected '.' or '[' after '$'"],
    ['{ $. = 1 }', 4, "expected a property name after '.'"],
    ['{ $.a[x] = 1 }', 6, 'expected an array index'],
    ['{ $.a >= abc }', 9, "the numeric comparison '>=' needs a number"],
    ['{ $.a == 1 }', 6, "'==' is not a filter pattern operator"],
    ['{ $.a = 1 } extra', 12, "unexpected 'extra' after the closing '}'"],
    ['{ $.a = 1', 9, "expected '}' to close the JSON pattern"],
    ['{ $.a = 1 $.b = 2 }', 10, "expected '&&', '||' or '}'"],
    ['{}', 1, 'expected a condition'],
    ['{ () }', 3, 'empty parentheses'],
    ['{ $.a IS MAYBE }', 6, 'expected one of IS NULL, NOT EXISTS, IS TRUE, IS FALSE after $.a'],
    ['{ $.a = 1 && }', 13, 'expected a condition'],
    ['{ $.a = 1 || || $.b = 2 }', 13, "expected '(' or a selector"],
    ['{ $.a = %abc }', 8, "unterminated regular expression"],
    ['{ $.userIdentity.invokedByNOT EXISTS }', 30, 'expected a comparison operator'],
    ['{ eventName = X }', 2, "expected '(' or a selector starting with '$'"],
  ])('%s fails at offset %i', (text, offset, message) => {
    const result = parseFilterPattern(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.offset).toBe(offset);
    expect(result.error.message).toContain(message);
  });

  it('rejects the CIS 6.0 organizations text as printed (its first name lacks an opening quote)', () => {
    const printed = '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake") || ($.eventName = "AttachPolicy")) }';
    const result = parseFilterPattern(printed);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.offset).toBe(printed.indexOf('AcceptHandshake"') + 'AcceptHandshake'.length);
  });
});

describe('toDisjunctiveNormalForm', () => {
  const terms = (text: string, max = 100): string[][] => {
    const normal = toDisjunctiveNormalForm(jsonBody(text), max);
    if (!normal.ok) throw new Error(`too many terms: ${normal.termCount}`);
    return normal.terms.map((term) => term.map(formatCondition));
  };

  it('distributes && over ||', () => {
    expect(terms('{ ($.a = 1 || $.b = 2) && ($.c = 3 || $.d = 4) }')).toEqual([
      ['$.a = 1', '$.c = 3'],
      ['$.a = 1', '$.d = 4'],
      ['$.b = 2', '$.c = 3'],
      ['$.b = 2', '$.d = 4'],
    ]);
  });

  it('keeps a condition once per term however it is spelled', () => {
    expect(terms('{ $.a = x && ($.a = "x" && $.b IS NULL) }')).toEqual([['$.a = "x"', '$.b IS NULL']]);
  });

  it('expands a CIS pattern with an event-source conjunct into one term per event', () => {
    expect(terms('{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }')).toEqual([
      ['$.eventSource = "kms.amazonaws.com"', '$.eventName = "DisableKey"'],
      ['$.eventSource = "kms.amazonaws.com"', '$.eventName = "ScheduleKeyDeletion"'],
    ]);
  });

  it('stops once the expansion would exceed the cap', () => {
    const pairs = Array.from({ length: 12 }, (_, i) => `($.a${i} = 1 || $.b${i} = 2)`).join(' && ');
    const normal = toDisjunctiveNormalForm(jsonBody(`{ ${pairs} }`), 2048);
    expect(normal).toEqual({ ok: false, termCount: 4096 });
    expect(toDisjunctiveNormalForm(jsonBody(`{ ${pairs} }`), 4096).ok).toBe(true);
  });
});

describe('compactPatternText', () => {
  it('drops whitespace outside quotes only', () => {
    expect(compactPatternText('{ ($.errorMessage = "Failed  authentication") }')).toBe('{($.errorMessage="Failed  authentication")}');
    expect(compactPatternText('{ $.a = "x \\" y" && $.b = z }')).toBe('{$.a="x \\" y"&&$.b=z}');
  });
});
