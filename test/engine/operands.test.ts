/**
 * Every operator's operand is checked when the rule loads: a bad operand is a located diagnostic
 * (file:line:col code message, exit 2 from `validate`), never a crash or a silent "false" at scan
 * time. One table row per operator: a valid operand loads; each kind of invalid operand is refused
 * at the line of the condition.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPERATOR_NAMES, OPERATORS, type OperatorName } from '../../src/engine/operators.js';
import { loadRule } from '../../src/policy/loader.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { runCli } from '../support/cli-runner.js';

const FILE = 'policies/custom/operand.yaml';

/** A log-group rule (condition on line 8, or lower by the params block); `params` are declared with their defaults. */
function ruleText(condition: string, params: Record<string, { type: string; default: string }> = {}): string {
  const declared = Object.entries(params).map(([name, p]) => `  ${name}: { type: ${p.type}, default: ${p.default}, description: d }`);
  return [
    'id: custom/operand',
    'title: T',
    'severity: low',
    'scope: log-group',
    'description: d',
    'remediation: { console: c }',
    'frameworks: {}',
    ...(declared.length ? ['params:', ...declared] : []),
    `condition: ${condition}`,
    'messages: { pass: p, fail: f }',
    '',
  ].join('\n');
}

function load(condition: string, params?: Record<string, { type: string; default: string }>) {
  return loadRule({ file: FILE, text: ruleText(condition, params), builtin: false });
}

/** Line of `condition:` in ruleText's output. */
const conditionLine = (params: Record<string, unknown> = {}) => 8 + (Object.keys(params).length ? 1 + Object.keys(params).length : 0);

const STRING = 'logGroup.name';
const NUMBER = 'logGroup.details.retentionInDays';
const ARRAY = 'logGroup.alarms[].alarmActions';
const PATTERN = 'logGroup.metricFilters[].pattern';

interface Row {
  op: OperatorName;
  path: string;
  valid: string[];
  /** [operand YAML, expected message fragment] */
  invalid: [string, RegExp][];
}

const ROWS: Row[] = [
  { op: 'eq', path: STRING, valid: ['x'], invalid: [['{ a: 1 }', /takes a plain value, not an object/]] },
  { op: 'ne', path: STRING, valid: ['x'], invalid: [['{ a: 1 }', /takes a plain value, not an object/]] },
  { op: 'in', path: STRING, valid: ['[a, b]', 'a'], invalid: [['{ a: 1 }', /takes a plain value, not an object/]] },
  { op: 'notIn', path: STRING, valid: ['[a, b]'], invalid: [['{ a: 1 }', /takes a plain value, not an object/]] },
  { op: 'gt', path: NUMBER, valid: ['1', '0.5'], invalid: [['"7"', /'gt' compares with a number, not string "7"/], ['[1]', /'gt' compares with a number, not the list/], ['null', /'gt' compares with a number, not null/], ['true', /not boolean/]] },
  { op: 'gte', path: NUMBER, valid: ['365'], invalid: [['"365"', /'gte' compares with a number/], ['[365]', /'gte' compares with a number, not the list/]] },
  { op: 'lt', path: NUMBER, valid: ['3'], invalid: [['x', /'lt' compares with a number, not string "x"/], ['null', /not null/]] },
  { op: 'lte', path: NUMBER, valid: ['3'], invalid: [['false', /'lte' compares with a number, not boolean false/]] },
  { op: 'exists', path: STRING, valid: [], invalid: [['1', /operator 'exists' takes no value/]] },
  { op: 'absent', path: STRING, valid: [], invalid: [['x', /operator 'absent' takes no value/]] },
  { op: 'empty', path: STRING, valid: [], invalid: [['[]', /operator 'empty' takes no value/]] },
  { op: 'notEmpty', path: STRING, valid: [], invalid: [['x', /operator 'notEmpty' takes no value/]] },
  { op: 'contains', path: STRING, valid: ['abc', '3'], invalid: [['[a, b]', /'contains' looks for one value .* not the list/], ['{ a: 1 }', /not an object/]] },
  { op: 'notContains', path: ARRAY, valid: ['abc'], invalid: [['[a]', /'notContains' looks for one value/]] },
  { op: 'containsAll', path: ARRAY, valid: ['[a, b]'], invalid: [['a', /'containsAll' takes a list of values, not string "a"/], ['7', /not number 7/]] },
  { op: 'containsAny', path: ARRAY, valid: ['[a]'], invalid: [['null', /'containsAny' takes a list of values, not null/]] },
  { op: 'startsWith', path: STRING, valid: ['"aws:"'], invalid: [['3', /'startsWith' takes a string, not number 3/], ['[a]', /not the list/]] },
  {
    op: 'matches',
    path: STRING,
    valid: ['"^(a+)+$"', '"^[a-z0-9-]+$"', '"(?i)^prod-"'],
    invalid: [
      ['"(unclosed"', /'matches': "\(unclosed" is not a valid RE2 regular expression \(missing closing \)/],
      ['"(a)\\\\1"', /not a valid RE2 regular expression \(invalid escape sequence/],
      ['"a(?=b)"', /not a valid RE2 regular expression \(invalid or unsupported Perl syntax/],
      ['"a{1001}"', /invalid repeat count/],
      [`"${'x'.repeat(5000)}"`, /refused: the regular expression is 5000 characters long; at most 4096/],
      ['3', /'matches' takes a regular expression \(string\), not number 3/],
    ],
  },
  { op: 'withinHours', path: STRING, valid: ['24', '0.5'], invalid: [['"24"', /'withinHours' takes a number of hours/], ['-1', /\(0 or more\), not number -1/]] },
  {
    op: 'coversCis',
    path: PATTERN,
    valid: ['{ control: root-account-usage, version: "5.0" }', '{ control: root-account-usage, version: "1.2", strict: true }'],
    invalid: [
      ['{ control: nope, version: "5.0" }', /unknown CIS monitoring control "nope"/],
      ['{ control: root-account-usage, version: "9.9" }', /unknown CIS version "9.9"/],
      ['{ control: root-account-usage, version: "5.0", strict: 1 }', /strict must be true or false/],
      ['"root-account-usage"', /coversCis takes \{ control, version, strict \}/],
    ],
  },
];

describe('operator operands are checked at load time', () => {
  it('covers every operator of the table', () => {
    expect(ROWS.map((r) => r.op).sort()).toEqual([...OPERATOR_NAMES].sort());
  });

  describe.each(ROWS)('$op', ({ op, path: p, valid, invalid }) => {
    const leaf = (value?: string) => (value === undefined ? `{ path: "${p}", op: ${op} }` : `{ path: "${p}", op: ${op}, value: ${value} }`);
    const quantified = (value?: string) => (p === PATTERN ? `{ some: logGroup.metricFilters, where: ${leaf(value).replace('logGroup.metricFilters[].', '')} }` : leaf(value));

    it.each(OPERATORS[op].needsValue ? valid : [undefined as unknown as string])('loads with operand %s', (value) => {
      const r = load(quantified(value));
      expect(r.diagnostics).toEqual([]);
      expect(r.rule).toBeDefined();
    });

    it.each(invalid)('refuses operand %s with a located diagnostic', (value, message) => {
      const r = load(quantified(value));
      expect(r.rule).toBeUndefined();
      expect(r.diagnostics).toHaveLength(1);
      const [d] = r.diagnostics;
      expect(d).toMatchObject({ file: FILE, line: conditionLine() });
      expect(d!.column).toBeGreaterThan(1);
      expect(d!.message).toMatch(message);
    });
  });

  it('checks a parameter value used as operand, and lets null mean "unset"', () => {
    const bad = load('{ path: logGroup.name, op: matches, value: { param: pattern } }', { pattern: { type: 'string', default: '"(x"' } });
    expect(bad.diagnostics).toEqual([
      expect.objectContaining({ line: conditionLine({ pattern: 1 }), code: 'policy/operand', message: expect.stringMatching(/not a valid RE2 regular expression .*\(the value of parameter 'pattern'\)/) }),
    ]);
    expect(load('{ path: logGroup.name, op: matches, value: { param: pattern } }', { pattern: { type: 'string', default: 'null' } }).diagnostics).toEqual([]);
    const numeric = load('{ path: logGroup.details.retentionInDays, op: gte, value: { param: days } }', { days: { type: 'string', default: '"365"' } });
    expect(numeric.diagnostics).toEqual([expect.objectContaining({ code: 'policy/operand', message: expect.stringMatching(/'gte' compares with a number, not string "365" \(the value of parameter 'days'\)/) })]);
  });

  it('checks the operand of a comparison on a parameter (param: …, op: …) too', () => {
    const r = load('{ param: name, op: matches, value: "[z-a]" }', { name: { type: 'string', default: 'x' } });
    expect(r.diagnostics).toEqual([expect.objectContaining({ line: conditionLine({ name: 1 }), code: 'policy/operand', message: expect.stringMatching(/invalid character class range/) })]);
  });

  it('reports every bad operand of a rule at once', () => {
    const r = load('{ all: [ { path: logGroup.name, op: matches, value: "(" }, { path: logGroup.details.retentionInDays, op: gt, value: "1" }, { path: logGroup.name, op: startsWith, value: 1 } ] }');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['policy/operand', 'policy/operand', 'policy/operand']);
  });
});

describe('matches at scan time', () => {
  it('keeps its meaning for ordinary patterns (unanchored search, anchors, classes, alternation)', () => {
    const snapshot = buildSnapshot({ logGroups: [{ arn: 'arn:aws:logs:us-east-1:111111111111:log-group:prod-audit-2024' }] });
    const verdict = (pattern: string) => {
      const { rule, diagnostics } = load(`{ path: logGroup.name, op: matches, value: ${JSON.stringify(pattern)} }`);
      expect(diagnostics).toEqual([]);
      return evaluate(snapshot, [rule!], { now: new Date(snapshot.scanTime) }).map((f) => f.status);
    };
    for (const [pattern, status] of [
      ['audit', 'pass'],
      ['^prod-', 'pass'],
      ['^audit', 'fail'],
      ['-\\d{4}$', 'pass'],
      ['^(prod|stage)-[a-z]+-[0-9]+$', 'pass'],
      ['^(dev|stage)-', 'fail'],
      ['(?i)PROD', 'pass'],
      ['PROD', 'fail'],
    ] as const) {
      expect([pattern, verdict(pattern)]).toEqual([pattern, [status]]);
    }
  });

  it('runs ^(a+)+$ against a long name in linear time (JavaScript RegExp took 11 s at 29 characters)', () => {
    const name = `${'a'.repeat(5000)}!`;
    const snapshot = buildSnapshot({ logGroups: [{ arn: `arn:aws:logs:us-east-1:111111111111:log-group:${name}` }] });
    const { rule } = load('{ path: logGroup.name, op: matches, value: "^(a+)+$" }');
    const findings = evaluate(snapshot, [rule!], { now: new Date(snapshot.scanTime) });
    expect(findings.map((f) => f.status)).toEqual(['fail']);
  });
});

describe('validate', () => {
  it('exits 2 with file:line:col for a matches operand RE2 cannot compile (scan crashed with SyntaxError before)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-operand-'));
    mkdirSync(path.join(dir, 'custom'));
    writeFileSync(path.join(dir, 'custom', 'operand.yaml'), ruleText('{ path: logGroup.name, op: matches, value: "(unclosed" }'));
    const r = await runCli(['validate', path.join(dir, 'custom')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/operand\.yaml:8:\d+ policy\/operand operator 'matches': "\(unclosed" is not a valid RE2 regular expression/);
  });
});
