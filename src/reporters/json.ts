/**
 * results.json: the Results object itself (SPEC §3) in a canonical form. Known objects keep the
 * field order of their declaration in src/results.ts; free-form data (evidence values, framework
 * maps) and any field added later are ordered by key. The same results always serialize to the
 * same bytes, whatever order the engine built its objects in, so diffs between scans stay small.
 *
 * Size (schema 2.0, docs/results-json.md): everything but the findings is indented by two spaces;
 * each finding is one line of compact JSON (grep and line-by-line readers see one finding per
 * line). What repeats is written once: a finding's evidence, framework controls and message (its
 * resource's name and account id taken out, see messageTemplate) are indexes into evidenceTable,
 * frameworkTable, messageTable and fixTable (a fix's JSON text, templated as a message is), written before the findings; a finding leaves out the
 * severity and resource type its rule states. readResultsDocument (src/results.ts) puts all of it
 * back. A table stops growing at TABLE_LIMIT entries or bytes; past that findings carry the value
 * itself, so writing holds at most the tables and an index per finding beside the results.
 */
import { RESULTS_TABLES, messageTemplate, type Finding, type Results, type RuleMeta } from '../results.js';
import type { Reporter } from './context.js';
import { REPORT_FILE_NAMES } from './formats.js';
import { compareText } from './model.js';

/** How to order one JSON value: listed fields first (with their own shapes), array items by `each`. */
interface Shape {
  readonly fields?: readonly (readonly [string, Shape?])[];
  readonly each?: Shape;
}

const FIX_SHAPE: Shape = { fields: [['commands'], ['terraform'], ['collect']] };

const collectionError: Shape = { fields: [['action'], ['code'], ['accountId'], ['region'], ['message']] };

const resultsShape: Shape = {
  fields: [
    ['schemaVersion'],
    ['tool', { fields: [['name'], ['version']] }],
    ['runId'],
    ['scanTime'],
    ['snapshotTime'],
    ['partition'],
    ['organizationId'],
    ['pack'],
    ['accounts', { each: { fields: [['id'], ['name']] } }],
    ['regions'],
    ['collectionErrors', { each: collectionError }],
    [
      'rules',
      {
        each: {
          fields: [
            ['id'],
            ['title'],
            ['severity'],
            ['scope'],
            ['description'],
            ['remediation', { fields: [['console'], ['cli'], ['terraform']] }],
            ['frameworks'],
            ['source', { fields: [['file'], ['line'], ['builtin']] }],
            ['helpUri'],
          ],
        },
      },
    ],
    [
      'findings',
      {
        each: {
          fields: [
            ['ruleId'],
            ['status'],
            ['severity'],
            ['resource', { fields: [['type'], ['arn'], ['accountId'], ['region'], ['name']] }],
            ['message'],
            ['evidence', { each: { fields: [['path'], ['value']] } }],
            ['frameworks'],
            ['errors', { each: collectionError }],
            ['suppression', { fields: [['reason'], ['expires']] }],
            ['fix', FIX_SHAPE],
            ['baselineState'],
            ['baselineStatus'],
            ['iac', { fields: [['file'], ['startLine'], ['startColumn'], ['endLine'], ['endColumn'], ['address'], ['attribute']] }],
          ],
        },
      },
    ],
    ['incomplete', { fields: [['summary'], ['gaps', { each: { fields: [['kind'], ['arn'], ['accountId'], ['action'], ['code'], ['message']] } }]] }],
    ['expiredSuppressions', { each: { fields: [['ruleId'], ['resource'], ['reason'], ['expires']] } }],
    ['shard', { fields: [['index'], ['count']] }],
    ['warnings', { each: { fields: [['file'], ['line'], ['column'], ['code'], ['message']] } }],
    [
      'baseline',
      {
        fields: [
          ['file'],
          ['kind'],
          ['time'],
          ['firstRun'],
          ['counts', { fields: [['new'], ['unchanged'], ['updated'], ['absent']] }],
          ['newFailures'],
          ['outsideScope', { fields: [['rules'], ['accounts'], ['findings']] }],
          ['absent', { each: { fields: [['ruleId'], ['status'], ['severity'], ['reason'], ['resource', { fields: [['type'], ['arn'], ['accountId'], ['region'], ['name']] }], ['message']] } }],
        ],
      },
    ],
  ],
};

const listedKeys = new WeakMap<Shape, ReadonlySet<string>>();
function listedOf(shape: Shape): ReadonlySet<string> {
  let listed = listedKeys.get(shape);
  if (!listed) {
    listed = new Set((shape.fields ?? []).map(([key]) => key));
    listedKeys.set(shape, listed);
  }
  return listed;
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Rebuilds `value` with its keys in canonical order; `undefined` fields vanish as in JSON. */
function canonical(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, shape?.each));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  // Ordinary objects keep V8's fast properties (JSON.stringify of null-prototype dictionaries is
  // several times slower); a data key named "__proto__" (a tag key, say) is defined, not assigned.
  const ordered: Record<string, unknown> = {};
  let unlisted: string[] | undefined;
  if (shape?.fields) {
    for (const [key, fieldShape] of shape.fields) {
      if (Object.hasOwn(source, key)) setField(ordered, key, canonical(source[key], fieldShape));
    }
    const listed = listedOf(shape);
    for (const key in source) if (Object.hasOwn(source, key) && !listed.has(key)) (unlisted ??= []).push(key);
  } else {
    unlisted = Object.keys(source);
  }
  if (unlisted) for (const key of unlisted.sort(compareText)) setField(ordered, key, canonical(source[key], undefined));
  return ordered;
}

// A string JSON.stringify can never produce from real data, standing in for the findings array.
const FINDINGS_SLOT = '\u0000trailwarden:findings\u0000';
const findingsShape = resultsShape.fields!.find(([key]) => key === 'findings')![1]!.each!;

const evidenceShape = findingsShape.fields!.find(([key]) => key === 'evidence')![1]!;

/** A table stops taking new entries past this many entries or characters (see the header). */
export const TABLE_LIMIT = { entries: 1 << 20, chars: 64 << 20 };

/** Distinct values as JSON text, each with its index; NO_ENTRY once the table is full. */
class Table {
  readonly entries: string[] = [];
  private readonly index = new Map<string, number>();
  private chars = 0;
  add(json: string): number {
    let at = this.index.get(json);
    if (at === undefined) {
      if (this.entries.length >= TABLE_LIMIT.entries || this.chars + json.length > TABLE_LIMIT.chars) return NO_ENTRY;
      at = this.entries.length;
      this.entries.push(json);
      this.index.set(json, at);
      this.chars += json.length;
    }
    return at;
  }
}
const NO_ENTRY = -1;

/**
 * One finding as compact canonical JSON, its fields in `written` replacing its own (undefined: left
 * out). Written field by field rather than through a rebuilt copy: at 455,000 findings the copies'
 * garbage is what the writer's memory would grow by.
 */
function findingLine(finding: Finding, written: Partial<Record<keyof Finding, unknown>>): string {
  const source = finding as unknown as Record<string, unknown>;
  const replaced = written as Record<string, unknown>;
  let line = '';
  const put = (key: string, value: unknown, shape: Shape | undefined) => {
    if (value === undefined) return;
    line += `${line === '' ? '{' : ','}${JSON.stringify(key)}:${JSON.stringify(canonical(value, shape))}`;
  };
  for (const [key, shape] of findingsShape.fields!) put(key, Object.hasOwn(replaced, key) ? replaced[key] : source[key], shape);
  const listed = listedOf(findingsShape);
  let unlisted: string[] | undefined;
  for (const key in source) if (Object.hasOwn(source, key) && !listed.has(key)) (unlisted ??= []).push(key);
  if (unlisted) for (const key of unlisted.sort(compareText)) put(key, source[key], undefined);
  return `${line}}`;
}

/**
 * results.json in pieces: everything but the findings in one piece (as JSON.stringify(…, null, 2)
 * formats it, with the tables before `findings`), then one line per finding.
 */
function* renderJsonChunks(results: Results): Generator<string> {
  const rules = new Map<string, RuleMeta>();
  for (const rule of results.rules) if (!rules.has(rule.id)) rules.set(rule.id, rule);
  // First pass: each finding's entry in each table (its evidence, controls and message template).
  const count = results.findings.length;
  const tables = { evidenceTable: new Table(), frameworkTable: new Table(), messageTable: new Table(), fixTable: new Table() };
  const evidenceAt = new Int32Array(count);
  const frameworksAt = new Int32Array(count);
  const messageAt = new Int32Array(count);
  const fixAt = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const finding = results.findings[i]!;
    evidenceAt[i] = tables.evidenceTable.add(JSON.stringify(canonical(finding.evidence, evidenceShape)));
    frameworksAt[i] = tables.frameworkTable.add(JSON.stringify(finding.frameworks));
    messageAt[i] = tables.messageTable.add(JSON.stringify(messageTemplate(finding.message, finding.resource)));
    // A fix repeats the resource's values in its commands: templated as its JSON text, as a message is.
    // Read once: an evaluated finding's fix is computed when read (results.ts deferFix).
    const fix = finding.fix;
    fixAt[i] = fix ? tables.fixTable.add(JSON.stringify(messageTemplate(JSON.stringify(canonical(fix, FIX_SHAPE)), finding.resource))) : NO_ENTRY;
  }
  const head = JSON.stringify(canonical({ ...results, findings: FINDINGS_SLOT }, resultsShape), null, 2);
  const slot = `  "findings": ${JSON.stringify(FINDINGS_SLOT)}`;
  const at = head.indexOf(slot);
  yield head.slice(0, at);
  for (const name of RESULTS_TABLES) {
    const { entries } = tables[name];
    yield entries.length === 0 ? `  ${JSON.stringify(name)}: [],\n` : `  ${JSON.stringify(name)}: [\n    ${entries.join(',\n    ')}\n  ],\n`;
  }
  if (count === 0) {
    yield '  "findings": []';
  } else {
    yield '  "findings": [\n';
    for (let i = 0; i < count; i++) {
      const finding = results.findings[i]!;
      const rule = rules.get(finding.ruleId);
      const written: Partial<Record<keyof Finding, unknown>> = {
        severity: rule?.severity === finding.severity ? undefined : finding.severity,
        resource: rule?.scope === finding.resource.type ? { ...finding.resource, type: undefined } : finding.resource,
        message: messageAt[i] === NO_ENTRY ? finding.message : messageAt[i],
        evidence: evidenceAt[i] === NO_ENTRY ? finding.evidence : evidenceAt[i],
        frameworks: frameworksAt[i] === NO_ENTRY ? finding.frameworks : frameworksAt[i],
        fix: fixAt[i] === NO_ENTRY ? finding.fix : fixAt[i],
      };
      yield `    ${findingLine(finding, written)}${i + 1 < count ? ',\n' : '\n'}`;
    }
    yield '  ]';
  }
  yield `${head.slice(at + slot.length)}\n`;
}

export function renderJson(results: Results): string {
  return [...renderJsonChunks(results)].join('');
}

export const jsonReporter: Reporter = { fileName: REPORT_FILE_NAMES.json, render: renderJson, renderChunks: renderJsonChunks };
