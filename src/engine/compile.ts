/**
 * Conditions (data) -> evaluators (closures), checked against the scope's view schema on the way.
 *
 * Evaluation is three-valued (Kleene): a comparison over a fact that was not collected is
 * `unknown`; `all` is false as soon as one observed conjunct is false, `any` is true as soon as one
 * observed disjunct is true, and otherwise unknown stays unknown. That is how "missing data is
 * never a pass" and "never a fail for a fact nobody observed" hold at once.
 */
import type { CollectionError } from '../snapshot/schema.js';
import type { Evidence } from '../results.js';
import type { Condition, CountOperator, FragmentDefinition, FragmentUse, Operand, ParamSpec, ParamValue } from '../language/types.js';
import { OPERATORS, isOperatorName, type OperatorName, type OperatorSpec, type Truth } from './operators.js';
import { checkPath, parsePath, resolvePath, type ValueKind } from './paths.js';
import { closestName } from '../objects.js';

const MAX_EVIDENCE = 40;

export interface EvalState {
  now: Date;
  evidence: Evidence[];
  errors: CollectionError[];
  /** Prefix of evidence paths inside quantifiers, e.g. `trails[arn:…].` */
  prefix: string;
}

export type Evaluator = (subject: unknown, state: EvalState) => Truth;

/** A problem found while compiling, located by its path inside the rule document. */
export interface CompileProblem {
  docPath: (string | number)[];
  code: string;
  message: string;
}

type JsonSchema = Record<string, unknown>;

/** A loaded fragment, and how to name a place inside its file (`file:line:col`) in a problem. */
export interface CompiledFragment {
  definition: FragmentDefinition;
  where: (docPath: readonly (string | number)[]) => string;
}
export type FragmentTable = ReadonlyMap<string, CompiledFragment>;

interface CompileContext {
  params: Record<string, ParamValue>;
  problems: CompileProblem[];
  fragments: FragmentTable;
  /** The fragments being expanded, outermost first: a fragment met again is a cycle. */
  using: readonly string[];
}

/** Whether a value fits a parameter type; null means "unset" for strings and numbers. */
export const PARAM_CHECKS: Record<ParamSpec['type'], (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string' || v === null,
  number: (v) => typeof v === 'number' || v === null,
  integer: (v) => Number.isInteger(v) || v === null,
  boolean: (v) => typeof v === 'boolean',
  'string-array': (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
};

export const COUNT_TESTS: Record<CountOperator, (a: number, b: number) => boolean> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};

function isParamRef(value: unknown): value is { param: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'param' in value;
}

function kindOfLiteral(value: unknown): ValueKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as ValueKind;
}

/**
 * Evidence is the justification of the verdict: when one part decides a combinator or quantifier
 * (a false conjunct, a true disjunct, the element that satisfies `some`), the evidence recorded by
 * the parts evaluated before it says nothing about the outcome and is dropped.
 */
function keepDecisive(state: EvalState, start: number, mark: number, truth: boolean): boolean {
  if (mark > start) state.evidence.splice(start, mark - start);
  return truth;
}

function recordEvidence(state: EvalState, path: string, value: unknown): void {
  if (state.evidence.length < MAX_EVIDENCE) state.evidence.push({ path: state.prefix + path, value });
}

/** A readable id for an array element in evidence paths: its ARN, name or index. */
export function elementLabel(element: unknown, index: number): string {
  if (element && typeof element === 'object') {
    const e = element as Record<string, unknown>;
    if (typeof e.arn === 'string') return e.arn;
    if (typeof e.name === 'string') return e.name;
  }
  return String(index);
}

export function compileCondition(
  condition: Condition,
  schema: JsonSchema,
  params: Record<string, ParamValue>,
  docPath: (string | number)[],
  fragments: FragmentTable = new Map(),
): {
  evaluate: Evaluator;
  problems: CompileProblem[];
} {
  const ctx: CompileContext = { params, problems: [], fragments, using: [] };
  const evaluate = compile(condition, schema, ctx, docPath);
  return { evaluate, problems: ctx.problems };
}

function compile(condition: Condition, schema: JsonSchema, ctx: CompileContext, at: (string | number)[]): Evaluator {
  if ('all' in condition) return combine(condition.all.map((c, i) => compile(c, schema, ctx, [...at, 'all', i])), false);
  if ('any' in condition) return combine(condition.any.map((c, i) => compile(c, schema, ctx, [...at, 'any', i])), true);
  if ('not' in condition) {
    const inner = compile(condition.not, schema, ctx, [...at, 'not']);
    return (subject, state) => {
      const t = inner(subject, state);
      return t === 'unknown' ? t : !t;
    };
  }
  if ('some' in condition || 'every' in condition || 'none' in condition || 'count' in condition) {
    return compileQuantifier(condition as QuantifierCondition, schema, ctx, at);
  }
  if ('path' in condition) return compileLeaf(condition, schema, ctx, at);
  if ('param' in condition) return compileParamLeaf(condition, ctx, at);
  if ('use' in condition) return compileUse(condition.use, schema, ctx, at);
  ctx.problems.push({ docPath: at, code: 'policy/condition', message: 'is not a condition (expected all, any, not, some, every, none, count, path or param)' });
  return () => 'unknown';
}

/**
 * A fragment is expanded where it is used: its condition compiles against the schema at the use
 * (so its paths are checked for that scope), with its parameters bound from `with` (literals, or
 * the including rule's parameters) and their defaults. A problem inside the fragment is reported at
 * the use, naming the place in the fragment's file.
 */
function compileUse(use: FragmentUse, schema: JsonSchema, ctx: CompileContext, at: (string | number)[]): Evaluator {
  const here = [...at, 'use'];
  const fragment = ctx.fragments.get(use.fragment);
  if (!fragment) {
    const known = [...ctx.fragments.keys()].sort().join(', ') || 'none';
    ctx.problems.push({ docPath: [...here, 'fragment'], code: 'policy/unknown-fragment', message: `no fragment '${use.fragment}'; known fragments: ${known}` });
    return () => 'unknown';
  }
  if (ctx.using.includes(use.fragment)) {
    ctx.problems.push({ docPath: [...here, 'fragment'], code: 'policy/fragment-cycle', message: `fragment cycle: ${[...ctx.using, use.fragment].join(' -> ')}` });
    return () => 'unknown';
  }
  const specs = fragment.definition.params ?? {};
  const given = use.with ?? {};
  const bound: Record<string, ParamValue> = {};
  let ok = true;
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(specs, name)) {
      ctx.problems.push({ docPath: [...here, 'with', name], code: 'policy/unknown-param', message: `fragment '${use.fragment}' has no parameter '${name}'; it has ${Object.keys(specs).join(', ') || 'none'}` });
      ok = false;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (Object.hasOwn(given, name)) {
      const value = resolveOperand(given[name], ctx, [...here, 'with', name]);
      if (value === undefined) ok = false;
      else if (!PARAM_CHECKS[spec.type](value)) {
        const from = isParamRef(given[name]) ? ` (the value of parameter '${given[name].param}')` : '';
        ctx.problems.push({ docPath: [...here, 'with', name], code: 'policy/param-type', message: `parameter '${name}' of fragment '${use.fragment}' must be ${spec.type}, not ${JSON.stringify(value)}${from}` });
        ok = false;
      } else bound[name] = value;
    } else if (spec.default !== undefined) bound[name] = spec.default;
    else {
      ctx.problems.push({ docPath: [...here, 'with'], code: 'policy/missing-param', message: `fragment '${use.fragment}' needs parameter '${name}' (${spec.type}: ${spec.description})` });
      ok = false;
    }
  }
  if (!ok) return () => 'unknown';
  const inner: CompileContext = { params: bound, problems: [], fragments: ctx.fragments, using: [...ctx.using, use.fragment] };
  const evaluate = compile(fragment.definition.condition, schema, inner, ['condition']);
  for (const p of inner.problems) {
    ctx.problems.push({ docPath: here, code: p.code, message: `in fragment '${use.fragment}' at ${fragment.where(p.docPath)}: ${p.message}` });
  }
  return evaluate;
}

/**
 * `all` (decided by the first false part) and `any` (decided by the first true part) in Kleene
 * logic: without a decisive part, one unknown part makes the whole unknown.
 */
function combine(parts: Evaluator[], decisive: boolean): Evaluator {
  return (subject, state) => {
    const start = state.evidence.length;
    let unknown = false;
    for (const part of parts) {
      const mark = state.evidence.length;
      const t = part(subject, state);
      if (t === decisive) return keepDecisive(state, start, mark, decisive);
      if (t === 'unknown') unknown = true;
    }
    return unknown ? 'unknown' : !decisive;
  };
}

type QuantifierCondition = Extract<Condition, { some: string } | { every: string } | { none: string } | { count: string }>;

function compileQuantifier(condition: QuantifierCondition, schema: JsonSchema, ctx: CompileContext, at: (string | number)[]): Evaluator {
  const kind = 'some' in condition ? 'some' : 'every' in condition ? 'every' : 'none' in condition ? 'none' : 'count';
  const path = (condition as Record<string, unknown>)[kind] as string;
  const segments = parsePath(path);
  const check = checkPath(schema, segments);
  if (!check.ok) {
    pushUnknownPath(ctx, [...at, kind], path, check.badSegment, check.available);
    return () => 'unknown';
  }
  if (!check.kinds.has('array') && !check.kinds.has('any')) {
    ctx.problems.push({ docPath: [...at, kind], code: 'policy/not-an-array', message: `'${path}' is not an array; ${kind} needs one` });
    return () => 'unknown';
  }
  const elementSchema: JsonSchema = check.elementSchemas.length === 1 ? check.elementSchemas[0]! : { anyOf: check.elementSchemas };
  const where = condition.where ? compile(condition.where, elementSchema, ctx, [...at, 'where']) : () => true as Truth;

  // The same element (an organization trail, say) is judged by the same compiled `where` for
  // thousands of accounts. That judgement is a pure function of (element, prefix): remember it per
  // element object, so the views of one run share verdicts and immutable evidence objects.
  const memo = new WeakMap<object, Map<string, { truth: Truth; evidence: Evidence[]; errors: CollectionError[] }>>();
  const evaluateElement = (element: unknown, state: EvalState): Truth => {
    if (element === null || typeof element !== 'object') return where(element, state);
    let byPrefix = memo.get(element);
    let hit = byPrefix?.get(state.prefix);
    if (!hit) {
      const sub: EvalState = { now: state.now, evidence: [], errors: [], prefix: state.prefix };
      hit = { truth: where(element, sub), evidence: sub.evidence, errors: sub.errors };
      if (!byPrefix) memo.set(element, (byPrefix = new Map()));
      byPrefix.set(state.prefix, hit);
    }
    for (const e of hit.evidence) {
      if (state.evidence.length >= MAX_EVIDENCE) break;
      state.evidence.push(e);
    }
    for (const e of hit.errors) state.errors.push(e);
    return hit.truth;
  };

  let countTest: ((n: number) => boolean) | undefined;
  if (kind === 'count') {
    const c = condition as Extract<Condition, { count: string }>;
    const target = resolveOperand(c.value, ctx, [...at, 'value']);
    const op = COUNT_TESTS[c.op];
    countTest = (n) => typeof target === 'number' && op(n, target);
  }

  return (subject, state) => {
    const r = resolvePath(subject, segments);
    if (!r.ok) {
      state.errors.push(r.error);
      return 'unknown';
    }
    const elements = Array.isArray(r.value) ? r.value : [];
    recordEvidence(state, `${path}.length`, elements.length);
    const outerPrefix = state.prefix;
    let trues = 0;
    let unknowns = 0;
    let falses = 0;
    try {
      const start = state.evidence.length;
      for (let i = 0; i < elements.length; i++) {
        state.prefix = `${outerPrefix}${path}[${elementLabel(elements[i], i)}].`;
        const mark = state.evidence.length;
        const t = evaluateElement(elements[i], state);
        if (t === true) trues++;
        else if (t === false) falses++;
        else unknowns++;
        if (kind === 'some' && t === true) return keepDecisive(state, start, mark, true);
        if (kind === 'none' && t === true) return keepDecisive(state, start, mark, false);
        if (kind === 'every' && t === false) return keepDecisive(state, start, mark, false);
      }
    } finally {
      state.prefix = outerPrefix;
    }
    if (kind === 'count') {
      // With unknown elements the count lies in [trues, trues + unknowns]; decide only if every
      // possible count gives the same answer.
      const first = countTest!(trues);
      for (let n = trues + 1; n <= trues + unknowns; n++) if (countTest!(n) !== first) return 'unknown';
      return first;
    }
    if (unknowns > 0) return 'unknown';
    if (kind === 'some') return false;
    if (kind === 'none') return true;
    return falses === 0;
  };
}

function pushUnknownPath(ctx: CompileContext, docPath: (string | number)[], path: string, bad?: string, available?: string[]): void {
  const meant = bad === undefined ? undefined : closestName(bad, available ?? []);
  const hint = available && available.length ? `; available here: ${available.slice(0, 30).join(', ')}` : '';
  ctx.problems.push({ docPath, code: 'policy/unknown-path', message: `'${path}' is not in the snapshot schema for this scope: no '${bad}'${meant ? ` (did you mean '${meant}'?)` : ''}${hint}` });
}

function resolveOperand(value: Operand | undefined, ctx: CompileContext, at: (string | number)[]): ParamValue | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isParamRef(value)) {
    // A structured operator argument: resolve the parameter references inside it.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveOperand(v as Operand, ctx, [...at, k])])) as unknown as ParamValue;
  }
  if (!isParamRef(value)) return value;
  if (!Object.hasOwn(ctx.params, value.param)) {
    ctx.problems.push({ docPath: [...at, 'param'], code: 'policy/unknown-param', message: `parameter '${value.param}' is not declared in params` });
    return undefined;
  }
  return ctx.params[value.param];
}

function checkOperator(op: string, hasValue: boolean, ctx: CompileContext, at: (string | number)[]): OperatorName | undefined {
  if (!isOperatorName(op)) {
    ctx.problems.push({ docPath: [...at, 'op'], code: 'policy/unknown-operator', message: `unknown operator '${op}'` });
    return undefined;
  }
  const spec = OPERATORS[op];
  if (spec.needsValue && !hasValue) ctx.problems.push({ docPath: [...at, 'op'], code: 'policy/missing-value', message: `operator '${op}' needs a value` });
  if (!spec.needsValue && hasValue) ctx.problems.push({ docPath: [...at, 'value'], code: 'policy/unexpected-value', message: `operator '${op}' takes no value` });
  return op;
}

/**
 * The operand fits the operator: a structured argument is checked by the operator's
 * `checkArgument`, a plain value by its `checkValue` (a `matches` pattern must compile, `gte` needs
 * a number, …). A parameter's value null means "unset" and is not checked.
 */
function checkOperand(op: OperatorName, raw: Operand | undefined, expected: ParamValue | undefined, ctx: CompileContext, at: (string | number)[]): boolean {
  const spec: OperatorSpec = OPERATORS[op];
  const argumentIsObject = expected !== null && typeof expected === 'object' && !Array.isArray(expected);
  if (spec.checkArgument) {
    const problem = spec.checkArgument(expected);
    if (problem) ctx.problems.push({ docPath: [...at, 'value'], code: 'policy/argument', message: problem });
    return !problem;
  }
  if (argumentIsObject) {
    ctx.problems.push({ docPath: [...at, 'value'], code: 'policy/value-type', message: `operator '${op}' takes a plain value, not an object` });
    return false;
  }
  if (expected === undefined || !spec.checkValue) return true;
  const fromParam = isParamRef(raw);
  if (fromParam && expected === null) return true;
  const problem = spec.checkValue(expected);
  if (problem) {
    ctx.problems.push({ docPath: [...at, 'value'], code: 'policy/operand', message: fromParam ? `${problem} (the value of parameter '${raw.param}')` : problem });
  }
  return !problem;
}

function compileLeaf(condition: { path: string; op: string; value?: Operand }, schema: JsonSchema, ctx: CompileContext, at: (string | number)[]): Evaluator {
  const segments = parsePath(condition.path);
  const check = checkPath(schema, segments);
  const op = checkOperator(condition.op, 'value' in condition, ctx, at);
  if (!check.ok) {
    pushUnknownPath(ctx, [...at, 'path'], condition.path, check.badSegment, check.available);
    return () => 'unknown';
  }
  const expected = resolveOperand(condition.value, ctx, [...at, 'value']);
  if (!op) return () => 'unknown';
  const spec = OPERATORS[op];
  const kinds = check.kinds;
  const accepts: readonly string[] = spec.accepts;
  if (!kinds.has('any') && !accepts.includes('any') && ![...kinds].some((k) => accepts.includes(k))) {
    ctx.problems.push({ docPath: [...at, 'op'], code: 'policy/operator-type', message: `operator '${op}' does not apply to '${condition.path}' (${[...kinds].join(' | ')})` });
  }
  const operandOk = checkOperand(op, condition.value, expected, ctx, at);
  // Literals are checked against the path's type; parameter values are not (null means "unset").
  if (operandOk && (op === 'eq' || op === 'ne') && expected !== undefined && !isParamRef(condition.value) && !kinds.has('any')) {
    const literalKind = kindOfLiteral(expected);
    if (!kinds.has(literalKind)) {
      ctx.problems.push({ docPath: [...at, 'value'], code: 'policy/value-type', message: `'${condition.path}' holds ${[...kinds].join(' | ')}, never ${literalKind} ${JSON.stringify(expected)}` });
    }
  }
  const path = condition.path;
  return (subject, state) => {
    const r = resolvePath(subject, segments);
    if (!r.ok) {
      state.errors.push(r.error);
      return 'unknown';
    }
    recordEvidence(state, path, r.value);
    const verdict = spec.test(r.value, expected, state);
    if (typeof verdict === 'boolean') return verdict;
    state.errors.push(verdict);
    return 'unknown';
  };
}

function compileParamLeaf(condition: { param: string; op: string; value?: Operand }, ctx: CompileContext, at: (string | number)[]): Evaluator {
  const actual = resolveOperand({ param: condition.param }, ctx, at);
  const expected = resolveOperand(condition.value, ctx, [...at, 'value']);
  const op = checkOperator(condition.op, 'value' in condition, ctx, at);
  if (!op) return () => 'unknown';
  checkOperand(op, condition.value, expected, ctx, at);
  const spec = OPERATORS[op];
  // Parameters are fixed when the rule loads, so the comparison is too.
  return (_subject, state) => spec.test(actual, expected, state) === true;
}
