/**
 * results.json: the Results object itself (SPEC §3) in a canonical form. Known objects keep the
 * field order of their declaration in src/results.ts; free-form data (evidence values, framework
 * maps) and any field added later are ordered by key. The same results always serialize to the
 * same bytes, whatever order the engine built its objects in, so diffs between scans stay small.
 */
import type { Results } from '../results.js';
import type { Reporter } from './context.js';
import { compareText } from './model.js';

/** How to order one JSON value: listed fields first (with their own shapes), array items by `each`. */
interface Shape {
  readonly fields?: readonly (readonly [string, Shape?])[];
  readonly each?: Shape;
}

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
            ['fix', { fields: [['commands'], ['terraform'], ['collect']] }],
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

/**
 * results.json in pieces: everything but the findings in one piece, then one piece per finding,
 * formatted exactly as JSON.stringify(…, null, 2) formats the whole document.
 */
function* renderJsonChunks(results: Results): Generator<string> {
  const head = JSON.stringify(canonical({ ...results, findings: FINDINGS_SLOT }, resultsShape), null, 2);
  const slot = JSON.stringify(FINDINGS_SLOT);
  const at = head.indexOf(slot);
  yield head.slice(0, at);
  if (results.findings.length === 0) {
    yield '[]';
  } else {
    yield '[\n';
    for (let i = 0; i < results.findings.length; i++) {
      const text = JSON.stringify(canonical(results.findings[i], findingsShape), null, 2).replace(/\n/g, '\n    ');
      yield `    ${text}${i + 1 < results.findings.length ? ',\n' : '\n'}`;
    }
    yield '  ]';
  }
  yield `${head.slice(at + slot.length)}\n`;
}

export function renderJson(results: Results): string {
  return [...renderJsonChunks(results)].join('');
}

export const jsonReporter: Reporter = { fileName: 'results.json', render: renderJson, renderChunks: renderJsonChunks };
