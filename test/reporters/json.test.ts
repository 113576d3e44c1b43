import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/results.js';
import { renderJson } from '../../src/reporters/json.js';
import { createResults } from '../fixtures/results-factory.js';
import { smallOrgResults } from './fixtures/small-org.js';

/** The same data with every object's keys inserted in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  const reversed = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).reverse()) reversed[key] = reversedKeys((value as Record<string, unknown>)[key]);
  return reversed;
}

describe('results.json', () => {
  it('holds the Results object unchanged', () => {
    const results = createResults({ seed: 2, findings: 500, hostile: true });
    expect(JSON.parse(renderJson(results))).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('has the same bytes whatever order the engine built its objects in', () => {
    const results = createResults({ seed: 2, findings: 500, hostile: true });
    expect(renderJson(reversedKeys(results) as Results)).toBe(renderJson(results));
  });

  it('orders known fields as declared, then unknown ones by name, indented by two spaces', () => {
    const text = renderJson(smallOrgResults());
    expect(Object.keys(JSON.parse(text))).toEqual([
      'schemaVersion',
      'tool',
      'scanTime',
      'snapshotTime',
      'partition',
      'organizationId',
      'pack',
      'accounts',
      'regions',
      'collectionErrors',
      'rules',
      'findings',
      'expiredSuppressions',
    ]);
    const finding = JSON.parse(text).findings[3];
    expect(Object.keys(finding)).toEqual(['ruleId', 'status', 'severity', 'resource', 'message', 'evidence', 'frameworks', 'errors']);
    expect(Object.keys(finding.errors[0])).toEqual(['action', 'code', 'accountId', 'region', 'message']);
    expect(text.startsWith('{\n  "schemaVersion": "1.0",\n  "tool": {\n    "name": "trailwarden",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('sorts the keys of free-form evidence and keeps a "__proto__" key as data', () => {
    const results = smallOrgResults();
    results.findings[0]!.evidence = [{ path: 'trail.tags', value: JSON.parse('{"zeta":1,"__proto__":{"polluted":true},"alpha":2}') }];
    const text = renderJson(results);
    expect(text).toContain('"value": {\n            "__proto__": {\n              "polluted": true\n            },\n            "alpha": 2,\n            "zeta": 1\n          }');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
