/**
 * Property test: random and adversarial filter patterns and policies never crash or hang the
 * parser, the CIS matcher, the policy loader or the engine. The only failures allowed are the
 * project's own: an `unparseable` verdict, a located diagnostic, an `error` finding.
 *
 * Seeded: set FUZZ_SEED to replay a run; the seed is printed, and every failure message names it
 * along with the case. The per-case budget is generous on purpose (shared CI machines): it catches
 * hangs and super-linear blow-ups, not slowness.
 */
import { seededRandom } from '../support/random.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFilterPattern } from '../../src/engine/analysis/filter-pattern.js';
import { CIS_VERSIONS, MONITORING_CONTROLS } from '../../src/engine/analysis/cis-controls.js';
import { checkMetricFilter, cisControlPattern } from '../../src/engine/analysis/cis-monitoring.js';
import { OPERATOR_NAMES } from '../../src/engine/operators.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRule } from '../../src/policy/loader.js';
import { STATUSES as FINDING_STATUSES } from '../../src/results.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { buildSnapshot } from '../support/snapshot-builder.js';
import { builtinFragments } from '../support/fragments.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x7a11) >>> 0;
const CASE_BUDGET_MS = 2000;
console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);

function prng(seed: number) {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

function timed<T>(label: string, run: () => T): T {
  const start = performance.now();
  let result: T;
  try {
    result = run();
  } catch (error) {
    throw new Error(`seed ${SEED}: ${label} threw ${error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)}`);
  }
  const elapsed = performance.now() - start;
  if (elapsed > CASE_BUDGET_MS) throw new Error(`seed ${SEED}: ${label} took ${elapsed.toFixed(0)} ms (budget ${CASE_BUDGET_MS} ms)`);
  return result;
}

const shorten = (text: string) => JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}… (${text.length} chars)` : text);

// ---------------------------------------------------------------------------------------------
// Filter patterns
// ---------------------------------------------------------------------------------------------

const SELECTORS = ['$.eventName', '$.eventSource', '$.errorCode', '$.userIdentity.type', '$.a[0].b', '$.x-y_z', '$', '$.', '$[', '$.a[x]'];
const OPERATORS_TEXT = ['=', '!=', '<', '<=', '>', '>=', '==', ' IS NULL', ' NOT EXISTS', ' IS TRUE', ' is false', ' IS MAYBE', ''];
const REGEXES = ['%^Create%', '%Trail$%', '%((\\w+)+)+!%', '%(a+)+$%', '%(a|aa)*b%', '%[A-Z]+%', '%\\d{1,3}%', '%a{1000}%', '%.*.*.*.*.*=%', '%%', '%unterminated', '%é%', '%a\\%', '%x|y|z%'];
const VALUES = ['CreateTrail', '"DeleteTrail"', '"*Unauthorized*"', '*', '"*"', '42', '-1e3', '"unterminated', '"esc\\"aped"', '', 'kms.amazonaws.com', '"a b"', ...REGEXES];

const CIS_TEXTS = [...new Set(MONITORING_CONTROLS.flatMap((control) => CIS_VERSIONS.flatMap((version) => cisControlPattern(control, version)?.exact ?? [])))];

function randomExpr(rng: Rng, depth: number): string {
  if (depth <= 0 || rng.chance(0.4)) {
    const op = rng.pick(OPERATORS_TEXT);
    const needsValue = !op.startsWith(' ');
    return `${rng.pick(SELECTORS)}${rng.chance(0.5) ? ' ' : ''}${op}${needsValue ? ` ${rng.pick(VALUES)}` : ''}`;
  }
  const parts = Array.from({ length: 1 + rng.int(4) }, () => randomExpr(rng, depth - 1));
  const joined = parts.join(rng.pick([' && ', ' || ', '&&', '||', ' & ', ' ']));
  return rng.chance(0.6) ? `(${joined})` : joined;
}

const NOISE = ['(', ')', '{', '}', '"', '%', '&&', '||', '!', '=', '$', '.', '*', '\\', ' ', '[0]', 'é', '\u202e', '\n'];

function mutate(rng: Rng, text: string): string {
  let out = text;
  for (let i = 0, n = 1 + rng.int(6); i < n; i++) {
    const at = rng.int(out.length + 1);
    const kind = rng.int(4);
    if (kind === 0) out = out.slice(0, at) + rng.pick(NOISE) + out.slice(at);
    else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1 + rng.int(8));
    else if (kind === 2) out = out.slice(0, at) + rng.pick(REGEXES) + out.slice(at);
    else out = out.slice(0, at) + out.slice(at, at + 1 + rng.int(20)).repeat(1 + rng.int(4)) + out.slice(at);
  }
  return out;
}

const ADVERSARIAL_PATTERNS = [
  `{ ${'('.repeat(100_000)}$.eventName = X${')'.repeat(100_000)} }`,
  `{ ${'('.repeat(100_000)} }`,
  `{ ${')'.repeat(50_000)} }`,
  `{ ${Array.from({ length: 5000 }, (_, i) => `$.eventName = E${i}`).join(' || ')} }`,
  `{ ${Array.from({ length: 24 }, (_, i) => `($.a = ${i} || $.b = ${i})`).join(' && ')} }`,
  `{ ${Array.from({ length: 11 }, (_, i) => `($.eventName = CreateTrail || $.x${i} = ${i})`).join(' && ')} && ${Array.from({ length: 490 }, (_, i) => `$.eventSource = s${i}`).join(' && ')} }`,
  `{ ${Array.from({ length: 10 }, (_, i) => `(${Array.from({ length: 50 }, (_, j) => `$.eventName = E${j}`).join(' && ')} && $.k = ${i})`).join(' || ')} }`,
  `{ $.eventName = %${'(a+)+'.repeat(200)}% }`,
  `{ $.eventName = %${'a|'.repeat(2000)}b% }`,
  `{ $.eventName = %${'[a-z]{1000}'.repeat(50)}% }`,
  `{ $.eventName = %${'a*'.repeat(3000)}b% }`,
  `{ $.eventName = "${'\\"'.repeat(10_000)}`,
  `{ $.eventName = "${'x'.repeat(200_000)}" }`,
  '{'.repeat(50_000),
  '}'.repeat(50_000),
  `{ $${'.a'.repeat(50_000)} = 1 }`,
  `{ $${'[0]'.repeat(50_000)} = 1 }`,
  '{ $.eventName = %((\\w+)+)+!% }',
  `%${'(a+)+'.repeat(100)}%`,
  `[${'a,'.repeat(10_000)}]`,
  '\u0000\u0001{ $.a = 1 }',
];

describe(`filter patterns (seed ${SEED})`, () => {
  const check = (pattern: string) => {
    const parsed = timed(`parseFilterPattern(${shorten(pattern)})`, () => parseFilterPattern(pattern));
    if (!parsed.ok) expect(typeof parsed.error.offset).toBe('number');
    for (const control of [MONITORING_CONTROLS[0], MONITORING_CONTROLS[4], MONITORING_CONTROLS[14]]) {
      for (const strict of [false, true]) {
        const result = timed(`checkMetricFilter(${shorten(pattern)}, ${control}, strict=${strict})`, () => checkMetricFilter(pattern, control, '5.0', { strict }));
        expect(typeof result.detail).toBe('string');
      }
    }
  };

  it('adversarial patterns: deep nesting, huge alternations, nested quantifiers, unbalanced quotes and braces', () => {
    for (const pattern of ADVERSARIAL_PATTERNS) check(pattern);
  });

  it('patterns from the grammar', () => {
    const rng = prng(SEED);
    for (let i = 0; i < 600; i++) check(`${rng.chance(0.9) ? '{ ' : ''}${randomExpr(rng, 4)}${rng.chance(0.9) ? ' }' : ''}`);
  });

  it('mutations of the CIS patterns', () => {
    const rng = prng(SEED ^ 0x5eed);
    for (let i = 0; i < 600; i++) check(mutate(rng, rng.pick(CIS_TEXTS)));
  });
});

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

const GOOD_PATHS = ['logGroup.name', 'logGroup.arn', 'logGroup.details.retentionInDays', 'logGroup.details.kmsKeyId', 'logGroup.alarms[].name', 'trails[].name'];
const BAD_PATHS = ['logGroup.nope', 'logGroup..name', '', '$', 'logGroup.name.'];
const ARRAY_PATHS = ['logGroup.metricFilters', 'logGroup.alarms', 'trails', 'logGroup.name'];
const FIELD_PATHS = ['name', 'pattern', 'metrics', 'actionsEnabled', 'isMultiRegion', 'nope'];
const OPS = [...OPERATOR_NAMES, 'like', 'EQ', '', 'constructor', '__proto__'];
const OPERANDS: unknown[] = [
  'x',
  '',
  '^(a+)+$',
  '((\\w+)+)+!',
  '(unclosed',
  '(a)\\1',
  '(?=x)',
  '[z-a]',
  'a{1001}',
  'x'.repeat(5000),
  0,
  -1,
  365,
  1.5,
  true,
  null,
  [],
  ['a', 'b'],
  [1, 2],
  { param: 'p' },
  { param: 'missing' },
  { control: 'root-account-usage', version: '5.0' },
  { control: 'nope' },
  { a: { b: 1 } },
];

function randomCondition(rng: Rng, depth: number, scopePaths: readonly string[]): unknown {
  const leaf = () => {
    const condition: Record<string, unknown> = { path: rng.chance(0.85) ? rng.pick(scopePaths) : rng.pick(BAD_PATHS), op: rng.pick(OPS) };
    if (rng.chance(0.8)) condition.value = rng.pick(OPERANDS);
    return condition;
  };
  if (depth <= 0 || rng.chance(0.3)) return rng.chance(0.1) ? { param: 'p', op: rng.pick(OPS), value: rng.pick(OPERANDS) } : leaf();
  switch (rng.int(6)) {
    case 0:
      return { all: Array.from({ length: 1 + rng.int(3) }, () => randomCondition(rng, depth - 1, scopePaths)) };
    case 1:
      return { any: Array.from({ length: 1 + rng.int(3) }, () => randomCondition(rng, depth - 1, scopePaths)) };
    case 2:
      return { not: randomCondition(rng, depth - 1, scopePaths) };
    case 3:
      return { [rng.pick(['some', 'every', 'none'])]: rng.pick(ARRAY_PATHS), where: randomCondition(rng, depth - 1, FIELD_PATHS) };
    case 4:
      return { count: rng.pick(ARRAY_PATHS), op: rng.pick(['eq', 'gte', 'like']), value: rng.pick([0, 2, -1, 'x']) };
    default:
      return rng.chance(0.05) ? { bogus: true } : leaf();
  }
}

function ruleText(condition: unknown, paramDefault: unknown): string {
  return [
    'id: custom/fuzz',
    'title: T',
    'severity: low',
    'scope: log-group',
    'description: d',
    'remediation: { console: c }',
    'frameworks: {}',
    `params: { p: { type: string, default: ${JSON.stringify(paramDefault)}, description: d } }`,
    // JSON is YAML: the condition tree is written as one flow mapping.
    `condition: ${JSON.stringify(condition)}`,
    'messages: { pass: p, fail: f }',
    '',
  ].join('\n');
}

function fuzzSnapshot(): Snapshot {
  const patterns = ['{ ($.eventName = %((\\w+)+)+!%) }', `{ ${'('.repeat(5000)}$.a = 1${')'.repeat(5000)} }`, cisControlPattern('root-account-usage', '5.0')!.exact[0]!, '%a%'];
  return buildSnapshot({
    logGroups: [
      {
        arn: `arn:aws:logs:us-east-1:111111111111:log-group:${'a'.repeat(3000)}`,
        metricFilters: patterns.map((pattern, i) => ({ name: `f${i}`, pattern, metrics: [{ name: `m${i}`, namespace: 'n' }] })),
      },
      { arn: 'arn:aws:logs:us-east-1:111111111111:log-group:short' },
    ],
  });
}

describe(`policies (seed ${SEED})`, () => {
  const snapshot = fuzzSnapshot();
  const now = new Date(snapshot.scanTime);

  const check = (label: string, text: string) => {
    const loaded = timed(`loadRule(${label})`, () => loadRule({ file: 'policies/custom/fuzz.yaml', text, builtin: false }));
    for (const d of loaded.diagnostics) {
      expect(d).toMatchObject({ file: 'policies/custom/fuzz.yaml', line: expect.any(Number), column: expect.any(Number), code: expect.stringMatching(/^[a-z]+\/[A-Za-z-]+$/) });
    }
    if (!loaded.rule) {
      expect(loaded.diagnostics.length).toBeGreaterThan(0);
      return loaded;
    }
    const findings = timed(`evaluate(${label})`, () => evaluate(snapshot, [loaded.rule!], { now }));
    for (const f of findings) expect(FINDING_STATUSES).toContain(f.status);
    return loaded;
  };
  const tooDeep = (loaded: ReturnType<typeof check>) => expect(loaded.diagnostics.map((d) => d.code)).toEqual([expect.stringMatching(/^(policy\/too-deep|yaml\/too-deep|yaml\/resource-exhaustion)$/)]);

  it('random condition trees with bad operators, operands and regular expressions', () => {
    const rng = prng(SEED ^ 0xc0de);
    for (let i = 0; i < 400; i++) {
      const condition = randomCondition(rng, 5, GOOD_PATHS);
      const paramDefault = rng.pick(['x', null, '(unclosed', '^(a+)+$', 3]);
      check(`case ${i}: ${shorten(JSON.stringify(condition))}, p=${JSON.stringify(paramDefault)}`, ruleText(condition, paramDefault));
    }
  });

  it('deep nesting is a located error, not a stack overflow', () => {
    for (const depth of [60, 200, 600, 2000, 20_000]) {
      // Written as text: JSON.stringify itself would run out of stack on the deepest tree.
      const open = Array.from({ length: depth }, (_, i) => (i % 2 ? '{"not": ' : '{"all": [')).join('');
      const close = Array.from({ length: depth }, (_, i) => (i % 2 ? '}' : ']}')).reverse().join('');
      const flow = `${open}{"path": "logGroup.name", "op": "matches", "value": "^(a+)+$"}${close}`;
      const flowLoaded = check(`nested ${depth} deep`, ruleText({}, 'x').replace('condition: {}', `condition: ${flow}`));
      if (depth >= 200) tooDeep(flowLoaded);
      const levels = Math.min(depth, 3000);
      const nots = Array.from({ length: levels }, (_, i) => `${'  '.repeat(i + 1)}not:`).join('\n');
      const blockStyle = ruleText({}, 'x').replace('condition: {}', `condition:\n${nots}\n${'  '.repeat(levels + 1)}{ path: logGroup.name, op: exists }`);
      const blockLoaded = check(`block-style nested ${depth} deep`, blockStyle);
      if (depth >= 200) tooDeep(blockLoaded);
    }
  });

  it('the hostile monitoring filters give error findings through the built-in rules', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    for (const control of MONITORING_CONTROLS) {
      const file = `policies/monitoring/${control}.yaml`;
      const { rule } = loadRule({ file, text: readFileSync(path.join(root, file), 'utf8'), builtin: true }, undefined, builtinFragments());
      timed(`monitoring/${control}`, () => evaluate(snapshot, [rule!], { now }));
    }
  });
});
