/**
 * `trailwarden explain`: the condition tree of one rule for one resource, each node with its value
 * (true / false / unknown) and the facts it read. A walk over the condition data with the same
 * paths, operators and Kleene logic as the compiled evaluators (compile.ts); a test holds the two
 * to the same verdict over the built-in cases. Pure; bounded by the rule (checked when it loaded)
 * and by MAX_ELEMENTS shown per quantifier.
 */
import type { Condition, Operand, ParamValue } from '../language/types.js';
import type { CollectionError, Snapshot } from '../snapshot/schema.js';
import { COUNT_TESTS, elementLabel, type FragmentTable } from './compile.js';
import type { CompiledRule } from './evaluate.js';
import { OPERATORS, isOperatorName, type Truth } from './operators.js';
import { parsePath, resolvePath } from './paths.js';
import { SnapshotViews, type Subject } from './views.js';

/** Elements of an array shown under a quantifier; the rest are counted, not drawn. */
export const MAX_ELEMENTS = 25;

export interface ExplainNode {
  label: string;
  value: Truth;
  facts: { path: string; value: unknown }[];
  errors: string[];
  children: ExplainNode[];
  /** Elements of a quantifier left out of `children`. */
  omitted?: number;
}

interface Ctx {
  params: Record<string, ParamValue>;
  fragments: FragmentTable;
  now: Date;
  depth: number;
}

const MAX_FRAGMENT_DEPTH = 32;

function resolveOperand(value: Operand | undefined, params: Record<string, ParamValue>): ParamValue | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if ('param' in value && typeof value.param === 'string' && Object.keys(value).length === 1) return params[value.param];
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveOperand(v as Operand, params)])) as unknown as ParamValue;
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeError(e: CollectionError): string {
  return `${e.$error.action} failed with ${e.$error.code}`;
}

function node(label: string, value: Truth, children: ExplainNode[] = [], facts: ExplainNode['facts'] = [], errors: string[] = []): ExplainNode {
  return { label, value, facts, errors, children };
}

function kleene(children: ExplainNode[], decisive: boolean): Truth {
  let unknown = false;
  for (const c of children) {
    if (c.value === decisive) return decisive;
    if (c.value === 'unknown') unknown = true;
  }
  return unknown ? 'unknown' : !decisive;
}


function explain(condition: Condition, subject: unknown, ctx: Ctx): ExplainNode {
  if ('all' in condition || 'any' in condition) {
    const isAll = 'all' in condition;
    const children = (isAll ? condition.all : condition.any).map((c) => explain(c, subject, ctx));
    return node(isAll ? 'all' : 'any', kleene(children, !isAll), children);
  }
  if ('not' in condition) {
    const inner = explain(condition.not, subject, ctx);
    return node('not', inner.value === 'unknown' ? 'unknown' : !inner.value, [inner]);
  }
  if ('use' in condition) {
    const fragment = ctx.fragments.get(condition.use.fragment);
    const label = `use ${condition.use.fragment}`;
    if (!fragment || ctx.depth >= MAX_FRAGMENT_DEPTH) return node(label, 'unknown', [], [], ['fragment not loaded']);
    const bound: Record<string, ParamValue> = {};
    for (const [name, spec] of Object.entries(fragment.definition.params ?? {})) {
      const given = condition.use.with?.[name];
      const value = given !== undefined ? resolveOperand(given, ctx.params) : spec.default;
      if (value !== undefined) bound[name] = value;
    }
    const inner = explain(fragment.definition.condition, subject, { ...ctx, params: bound, depth: ctx.depth + 1 });
    const args = Object.entries(bound).map(([k, v]) => `${k}=${show(v)}`).join(', ');
    return node(`${label} (${args})`, inner.value, [inner]);
  }
  if ('some' in condition || 'every' in condition || 'none' in condition || 'count' in condition) {
    const kind = 'some' in condition ? 'some' : 'every' in condition ? 'every' : 'none' in condition ? 'none' : 'count';
    const path = (condition as Record<string, unknown>)[kind] as string;
    const r = resolvePath(subject, parsePath(path));
    if (!r.ok) return node(`${kind} ${path}`, 'unknown', [], [], [describeError(r.error)]);
    const elements = Array.isArray(r.value) ? r.value : [];
    const where = (condition as { where?: Condition }).where;
    const children = elements.map((e, i) => {
      const child = where ? explain(where, e, ctx) : node('(any element)', true);
      return { ...child, label: `[${elementLabel(e, i)}] ${child.label}` };
    });
    const trues = children.filter((c) => c.value === true).length;
    const unknowns = children.filter((c) => c.value === 'unknown').length;
    const falses = children.length - trues - unknowns;
    let value: Truth;
    let label = `${kind} ${path}`;
    if (kind === 'count') {
      const c = condition as Extract<Condition, { count: string }>;
      const target = resolveOperand(c.value, ctx.params);
      const test = (n: number) => typeof target === 'number' && COUNT_TESTS[c.op](n, target);
      value = test(trues);
      for (let n = trues + 1; n <= trues + unknowns; n++) if (test(n) !== value) value = 'unknown';
      label = `count ${path} ${c.op} ${show(target)}`;
    } else if (kind === 'some') value = trues ? true : unknowns ? 'unknown' : false;
    else if (kind === 'none') value = trues ? false : unknowns ? 'unknown' : true;
    else value = falses ? false : unknowns ? 'unknown' : true;
    const shown = children.slice(0, MAX_ELEMENTS);
    const out = node(label, value, shown, [{ path: `${path}.length`, value: elements.length }]);
    if (children.length > shown.length) out.omitted = children.length - shown.length;
    return out;
  }
  if ('path' in condition || 'param' in condition) {
    const expected = resolveOperand(condition.value, ctx.params);
    const valuePart = 'value' in condition ? ` ${show(expected)}` : '';
    const isPath = 'path' in condition;
    const name = isPath ? condition.path : `param ${condition.param}`;
    const label = `${name} ${condition.op}${valuePart}`;
    if (!isOperatorName(condition.op)) return node(label, 'unknown', [], [], [`unknown operator '${condition.op}'`]);
    const spec = OPERATORS[condition.op];
    const errors: CollectionError[] = [];
    const state = { now: ctx.now, evidence: [], errors, prefix: '' };
    if (!isPath) {
      const actual = ctx.params[condition.param];
      return node(label, spec.test(actual, expected, state) === true, [], [{ path: `param.${condition.param}`, value: actual }]);
    }
    const r = resolvePath(subject, parsePath(condition.path));
    if (!r.ok) return node(label, 'unknown', [], [], [describeError(r.error)]);
    const verdict = spec.test(r.value, expected, state);
    if (typeof verdict === 'boolean') return node(label, verdict, [], [{ path: condition.path, value: r.value }]);
    return node(label, 'unknown', [], [{ path: condition.path, value: r.value }], [describeError(verdict)]);
  }
  return node('(not a condition)', 'unknown');
}

export interface Explanation {
  resource: Subject['resource'];
  applies?: ExplainNode;
  condition?: ExplainNode;
}

/** Explain a rule for every subject of its scope (or the ones `select` keeps). */
export function explainRule(snapshot: Snapshot, rule: CompiledRule, fragments: FragmentTable, now: Date, select: (s: Subject) => boolean = () => true): Explanation[] {
  const views = new SnapshotViews(snapshot);
  const ctx: Ctx = { params: rule.paramValues, fragments, now, depth: 0 };
  return views
    .subjects(rule.scope)
    .filter(select)
    .map((subject) => {
      const applies = rule.applies ? explain(rule.applies, subject.view, ctx) : undefined;
      return { resource: subject.resource, ...(applies ? { applies } : {}), ...(applies?.value === false ? {} : { condition: explain(rule.condition, subject.view, ctx) }) };
    });
}

/** The tree as indented lines: `[true] label   facts`, errors as `! …`. */
export function renderExplanation(tree: ExplainNode, indent = ''): string[] {
  const facts = tree.facts.map((f) => `${f.path} = ${show(f.value)}`).join(', ');
  const lines = [`${indent}[${String(tree.value)}] ${tree.label}${facts ? `    (${facts})` : ''}`];
  for (const e of tree.errors) lines.push(`${indent}    ! ${e}`);
  for (const c of tree.children) lines.push(...renderExplanation(c, `${indent}  `));
  if (tree.omitted) lines.push(`${indent}  ... ${tree.omitted} more element(s)`);
  return lines;
}
