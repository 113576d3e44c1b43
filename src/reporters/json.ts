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
            ['remediation', { fields: [['console'], ['cli']] }],
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
          ],
        },
      },
    ],
    ['expiredSuppressions', { each: { fields: [['ruleId'], ['resource'], ['reason'], ['expires']] } }],
  ],
};

/** Rebuilds `value` with its keys in canonical order; `undefined` fields vanish as in JSON. */
function canonical(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, shape?.each));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  // A null prototype keeps a data key named "__proto__" (a tag key, say) an ordinary field.
  const ordered = Object.create(null) as Record<string, unknown>;
  const listed = new Set<string>();
  for (const [key, fieldShape] of shape?.fields ?? []) {
    listed.add(key);
    if (Object.hasOwn(source, key)) ordered[key] = canonical(source[key], fieldShape);
  }
  for (const key of Object.keys(source).sort(compareText)) {
    if (!listed.has(key)) ordered[key] = canonical(source[key], undefined);
  }
  return ordered;
}

export function renderJson(results: Results): string {
  return `${JSON.stringify(canonical(results, resultsShape), null, 2)}\n`;
}

export const jsonReporter: Reporter = { fileName: 'results.json', render: renderJson };
