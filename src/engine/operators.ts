/**
 * The closed operator table (STYLE: Cloud Custodian's OPERATORS): every comparison a condition
 * can make. Values arrive already resolved: `actual` from the snapshot view, `expected` from the
 * rule (a literal or a parameter). `now` is the evaluation time, passed in (no clock here).
 */

interface OperatorContext {
  now: Date;
}

export interface OperatorSpec {
  /** Whether the operator needs a `value` in the condition. */
  needsValue: boolean;
  /**
   * For operators whose value is a structured argument (an object whose fields may be parameter
   * references): checks the resolved argument at load time and returns a problem, if any.
   */
  checkArgument?: (argument: unknown) => string | undefined;
  /**
   * For operators with a plain value: checks the resolved value (a literal, or a parameter's
   * value other than null, which means "unset") at load time and returns a problem, if any.
   */
  checkValue?: (value: unknown) => string | undefined;
  /** The kinds of snapshot value the operator is meaningful for (checked at load time). */
  accepts: ReadonlyArray<'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'any'>;
  /** True or false; a CollectionError when the comparison itself cannot be judged. */
  test(actual: unknown, expected: unknown, ctx: OperatorContext): boolean | CollectionError;
  /** Human phrase for messages and evidence, e.g. "is at least". */
  phrase: string;
}

import type { CollectionError } from '../snapshot/schema.js';
import { compileSafeRegex, regexProblem } from './safe-regex.js';
import { CIS_VERSIONS, MONITORING_CONTROLS, type CisVersion, type MonitoringControl } from './analysis/cis-controls.js';
import { checkMetricFilter } from './analysis/cis-monitoring.js';

const isAbsent = (v: unknown) => v === undefined || v === null;
const isEmpty = (v: unknown) => isAbsent(v) || v === '' || (Array.isArray(v) && v.length === 0);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : isAbsent(v) ? [] : [v]);
const bothNumbers = (a: unknown, b: unknown): a is number => typeof a === 'number' && typeof b === 'number';

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  return false;
}

function hoursSince(timestamp: unknown, now: Date): number | undefined {
  if (typeof timestamp !== 'string') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : (now.getTime() - t) / 3_600_000;
}

/** Load-time operand checks shared by several operators; each returns a problem, if any. */
const isPlain = (v: unknown) => v === null || typeof v !== 'object' || Array.isArray(v);
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? `the list ${JSON.stringify(v).slice(0, 80)}` : `${typeof v} ${JSON.stringify(v).slice(0, 80)}`);
const needNumber = (op: string) => (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `operator '${op}' compares with a number, not ${describe(v)}`);
const needScalar = (op: string) => (v: unknown) => (isPlain(v) && !Array.isArray(v) ? undefined : `operator '${op}' looks for one value (string, number, boolean or null), not ${describe(v)}`);
const needList = (op: string) => (v: unknown) => (Array.isArray(v) ? undefined : `operator '${op}' takes a list of values, not ${describe(v)}`);
const needString = (op: string) => (v: unknown) => (typeof v === 'string' ? undefined : `operator '${op}' takes a string, not ${describe(v)}`);
const anyPlain = (op: string) => (v: unknown) => (isPlain(v) ? undefined : `operator '${op}' takes a plain value or a list, not an object`);

function checkRegex(v: unknown): string | undefined {
  if (typeof v !== 'string') return `operator 'matches' takes a regular expression (string), not ${describe(v)}`;
  const problem = regexProblem(v);
  return problem ? `operator 'matches': ${JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)} is ${problem.startsWith('not ') ? problem : `refused: ${problem}`}` : undefined;
}

function testRegex(actual: unknown, source: unknown): boolean | CollectionError {
  if (typeof actual !== 'string' || typeof source !== 'string') return false;
  const compiled = compileSafeRegex(source);
  if (compiled.ok) return compiled.regex.test(actual);
  // Refused at load time; a pattern that still arrives here is reported, never guessed.
  return { $error: { action: 'trailwarden:matches', code: 'InvalidRegularExpression', message: compiled.message } };
}

/**
 * Filter-pattern verdicts by (pattern, control, version, strict). Organizations reuse a handful of
 * patterns across thousands of log groups; parsing each once keeps monitoring rules linear.
 */
const filterChecks = new Map<string, ReturnType<typeof checkMetricFilter>>();
function cachedFilterCheck(pattern: string, control: MonitoringControl, version: CisVersion, strict: boolean) {
  const key = `${control}|${version}|${strict}|${pattern}`;
  let result = filterChecks.get(key);
  if (!result) {
    if (filterChecks.size >= 20_000) filterChecks.clear();
    result = checkMetricFilter(pattern, control, version, { strict });
    filterChecks.set(key, result);
  }
  return result;
}

export const OPERATORS = {
  eq: { needsValue: true, checkValue: anyPlain('eq'), accepts: ['any'], phrase: 'equals', test: (a, e) => deepEqual(a, e) },
  ne: { needsValue: true, checkValue: anyPlain('ne'), accepts: ['any'], phrase: 'does not equal', test: (a, e) => !deepEqual(a, e) },
  in: { needsValue: true, checkValue: anyPlain('in'), accepts: ['string', 'number', 'boolean', 'null'], phrase: 'is one of', test: (a, e) => asArray(e).some((x) => deepEqual(a, x)) },
  notIn: { needsValue: true, checkValue: anyPlain('notIn'), accepts: ['string', 'number', 'boolean', 'null'], phrase: 'is none of', test: (a, e) => !asArray(e).some((x) => deepEqual(a, x)) },
  gt: { needsValue: true, checkValue: needNumber('gt'), accepts: ['number'], phrase: 'is greater than', test: (a, e) => bothNumbers(a, e) && a > (e as number) },
  gte: { needsValue: true, checkValue: needNumber('gte'), accepts: ['number'], phrase: 'is at least', test: (a, e) => bothNumbers(a, e) && a >= (e as number) },
  lt: { needsValue: true, checkValue: needNumber('lt'), accepts: ['number'], phrase: 'is less than', test: (a, e) => bothNumbers(a, e) && a < (e as number) },
  lte: { needsValue: true, checkValue: needNumber('lte'), accepts: ['number'], phrase: 'is at most', test: (a, e) => bothNumbers(a, e) && a <= (e as number) },
  exists: { needsValue: false, accepts: ['any'], phrase: 'is set', test: (a) => !isAbsent(a) },
  absent: { needsValue: false, accepts: ['any'], phrase: 'is not set', test: (a) => isAbsent(a) },
  empty: { needsValue: false, accepts: ['string', 'array', 'null'], phrase: 'is empty', test: (a) => isEmpty(a) },
  notEmpty: { needsValue: false, accepts: ['string', 'array', 'null'], phrase: 'is not empty', test: (a) => !isEmpty(a) },
  contains: { needsValue: true, checkValue: needScalar('contains'), accepts: ['array', 'string'], phrase: 'contains', test: (a, e) => (typeof a === 'string' ? typeof e === 'string' && a.includes(e) : asArray(a).some((x) => deepEqual(x, e))) },
  notContains: { needsValue: true, checkValue: needScalar('notContains'), accepts: ['array', 'string'], phrase: 'does not contain', test: (a, e) => !(typeof a === 'string' ? typeof e === 'string' && a.includes(e) : asArray(a).some((x) => deepEqual(x, e))) },
  containsAll: { needsValue: true, checkValue: needList('containsAll'), accepts: ['array'], phrase: 'contains all of', test: (a, e) => asArray(e).every((x) => asArray(a).some((y) => deepEqual(x, y))) },
  containsAny: { needsValue: true, checkValue: needList('containsAny'), accepts: ['array'], phrase: 'contains any of', test: (a, e) => asArray(e).some((x) => asArray(a).some((y) => deepEqual(x, y))) },
  startsWith: { needsValue: true, checkValue: needString('startsWith'), accepts: ['string'], phrase: 'starts with', test: (a, e) => typeof a === 'string' && typeof e === 'string' && a.startsWith(e) },
  /** RE2 syntax, linear time (safe-regex.ts): no backreferences, no lookaround. */
  matches: { needsValue: true, checkValue: checkRegex, accepts: ['string'], phrase: 'matches', test: testRegex },
  withinHours: {
    needsValue: true,
    checkValue: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : `operator 'withinHours' takes a number of hours (0 or more), not ${describe(v)}`),
    accepts: ['string'],
    phrase: 'is within the last N hours of',
    test: (a, e, ctx) => {
      const h = hoursSince(a, ctx.now);
      return h !== undefined && typeof e === 'number' && h <= e;
    },
  },
  coversCis: {
    needsValue: true,
    accepts: ['string'],
    phrase: 'selects at least the CIS event set of',
    checkArgument: (argument) => {
      const a = argument as { control?: unknown; version?: unknown; strict?: unknown } | null;
      if (!a || typeof a !== 'object') return 'coversCis takes { control, version, strict }';
      if (!(MONITORING_CONTROLS as readonly unknown[]).includes(a.control)) return `unknown CIS monitoring control ${JSON.stringify(a.control)}; one of ${MONITORING_CONTROLS.join(', ')}`;
      if (!(CIS_VERSIONS as readonly unknown[]).includes(a.version)) return `unknown CIS version ${JSON.stringify(a.version)}; one of ${CIS_VERSIONS.join(', ')}`;
      if (a.strict !== undefined && typeof a.strict !== 'boolean') return 'strict must be true or false';
      return undefined;
    },
    test: (actual, argument) => {
      if (typeof actual !== 'string') return false;
      const a = argument as { control: MonitoringControl; version: CisVersion; strict?: boolean };
      const result = cachedFilterCheck(actual, a.control, a.version, a.strict ?? false);
      if (result.verdict === 'covers') return true;
      // A filter we cannot parse is not evidence either way: report it instead of guessing.
      if (result.verdict === 'unparseable') {
        return { $error: { action: 'logs:DescribeMetricFilters', code: 'UnparseableFilterPattern', message: `${result.detail} (pattern: ${actual.slice(0, 200)})` } };
      }
      return false;
    },
  },
} satisfies Record<string, OperatorSpec>;

export type OperatorName = keyof typeof OPERATORS;
export const OPERATOR_NAMES = Object.keys(OPERATORS) as OperatorName[];

export function isOperatorName(name: string): name is OperatorName {
  return Object.hasOwn(OPERATORS, name);
}

/** Three-valued truth: a condition over a fact nobody observed is neither true nor false. */
export type Truth = true | false | 'unknown';
