/**
 * The closed operator table (STYLE: Cloud Custodian's OPERATORS): every comparison a condition
 * can make. Values arrive already resolved: `actual` from the snapshot view, `expected` from the
 * rule (a literal or a parameter). `now` is the evaluation time, passed in (no clock here).
 */

export interface OperatorContext {
  now: Date;
}

export interface OperatorSpec {
  /** Whether the operator needs a `value` in the condition. */
  needsValue: boolean;
  /** The kinds of snapshot value the operator is meaningful for (checked at load time). */
  accepts: ReadonlyArray<'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'any'>;
  test(actual: unknown, expected: unknown, ctx: OperatorContext): boolean;
  /** Human phrase for messages and evidence, e.g. "is at least". */
  phrase: string;
}

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

const regexCache = new Map<string, RegExp>();
function cachedRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(source);
    regexCache.set(source, re);
  }
  return re;
}

export const OPERATORS = {
  eq: { needsValue: true, accepts: ['any'], phrase: 'equals', test: (a, e) => deepEqual(a, e) },
  ne: { needsValue: true, accepts: ['any'], phrase: 'does not equal', test: (a, e) => !deepEqual(a, e) },
  in: { needsValue: true, accepts: ['string', 'number', 'boolean', 'null'], phrase: 'is one of', test: (a, e) => asArray(e).some((x) => deepEqual(a, x)) },
  notIn: { needsValue: true, accepts: ['string', 'number', 'boolean', 'null'], phrase: 'is none of', test: (a, e) => !asArray(e).some((x) => deepEqual(a, x)) },
  gt: { needsValue: true, accepts: ['number'], phrase: 'is greater than', test: (a, e) => bothNumbers(a, e) && a > (e as number) },
  gte: { needsValue: true, accepts: ['number'], phrase: 'is at least', test: (a, e) => bothNumbers(a, e) && a >= (e as number) },
  lt: { needsValue: true, accepts: ['number'], phrase: 'is less than', test: (a, e) => bothNumbers(a, e) && a < (e as number) },
  lte: { needsValue: true, accepts: ['number'], phrase: 'is at most', test: (a, e) => bothNumbers(a, e) && a <= (e as number) },
  exists: { needsValue: false, accepts: ['any'], phrase: 'is set', test: (a) => !isAbsent(a) },
  absent: { needsValue: false, accepts: ['any'], phrase: 'is not set', test: (a) => isAbsent(a) },
  empty: { needsValue: false, accepts: ['string', 'array', 'null'], phrase: 'is empty', test: (a) => isEmpty(a) },
  notEmpty: { needsValue: false, accepts: ['string', 'array', 'null'], phrase: 'is not empty', test: (a) => !isEmpty(a) },
  contains: { needsValue: true, accepts: ['array', 'string'], phrase: 'contains', test: (a, e) => (typeof a === 'string' ? typeof e === 'string' && a.includes(e) : asArray(a).some((x) => deepEqual(x, e))) },
  notContains: { needsValue: true, accepts: ['array', 'string'], phrase: 'does not contain', test: (a, e) => !(typeof a === 'string' ? typeof e === 'string' && a.includes(e) : asArray(a).some((x) => deepEqual(x, e))) },
  containsAll: { needsValue: true, accepts: ['array'], phrase: 'contains all of', test: (a, e) => asArray(e).every((x) => asArray(a).some((y) => deepEqual(x, y))) },
  containsAny: { needsValue: true, accepts: ['array'], phrase: 'contains any of', test: (a, e) => asArray(e).some((x) => asArray(a).some((y) => deepEqual(x, y))) },
  startsWith: { needsValue: true, accepts: ['string'], phrase: 'starts with', test: (a, e) => typeof a === 'string' && typeof e === 'string' && a.startsWith(e) },
  matches: { needsValue: true, accepts: ['string'], phrase: 'matches', test: (a, e) => typeof a === 'string' && typeof e === 'string' && cachedRegex(e).test(a) },
  withinHours: {
    needsValue: true,
    accepts: ['string'],
    phrase: 'is within the last N hours of',
    test: (a, e, ctx) => {
      const h = hoursSince(a, ctx.now);
      return h !== undefined && typeof e === 'number' && h <= e;
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
