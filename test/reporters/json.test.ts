import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { RESULTS_TABLES, readResultsDocument, type Results } from '../../src/results.js';
import { TABLE_LIMIT, renderJson } from '../../src/reporters/json.js';
import { parseResultsJson } from '../support/results-json.js';
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
    expect(parseResultsJson(renderJson(results))).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('writes one finding per line, each repeated evidence, control list and message once in its table', () => {
    const results = createResults({ seed: 3, findings: 2000 });
    const text = renderJson(results);
    const lines = text.split('\n');
    const start = lines.indexOf('  "findings": [');
    const findingLines = lines.slice(start + 1, start + 1 + results.findings.length);
    expect(findingLines.every((line) => line.startsWith('    {"ruleId":'))).toBe(true);
    expect(lines[start + 1 + results.findings.length]).toMatch(/^ {2}\],?$/);
    const data = JSON.parse(text) as Record<string, unknown[]>;
    expect(Object.keys(data).slice(Object.keys(data).indexOf('rules') + 1, Object.keys(data).indexOf('findings'))).toEqual([...RESULTS_TABLES]);
    const distinct = (values: unknown[]) => new Set(values.map((v) => JSON.stringify(v))).size;
    expect(data.evidenceTable!.length).toBeLessThan(results.findings.length);
    expect(distinct(data.evidenceTable!)).toBe(data.evidenceTable!.length);
    expect(distinct(data.frameworkTable!)).toBe(data.frameworkTable!.length);
    expect(distinct(data.messageTable!)).toBe(data.messageTable!.length);
    for (const finding of data.findings as Record<string, unknown>[]) {
      expect(typeof finding.evidence).toBe('number');
      expect(typeof finding.message).toBe('number');
    }
  });

  it('writes a pasteable fix once per template: the resource name and account it repeats are taken out, and hostile text survives', () => {
    const results = createResults({ seed: 5, findings: 300, hostile: true });
    results.findings.forEach((finding, i) => {
      const name = finding.resource.name ?? 'unnamed';
      finding.fix =
        i % 3 === 0
          ? { collect: [`allow the scanning role in account ${finding.resource.accountId} to call s3:GetBucketPolicy`] }
          : { commands: `aws s3api put-bucket-versioning --bucket ${name} --versioning-configuration Status=Enabled --expected-bucket-owner ${finding.resource.accountId}`, terraform: `resource "aws_s3_bucket_versioning" "x" {\n  bucket = "${name}"\n}` };
    });
    const text = renderJson(results);
    const data = JSON.parse(text) as { fixTable: unknown[]; findings: { fix?: unknown }[] };
    expect(data.findings.every((finding) => typeof finding.fix === 'number')).toBe(true);
    // A template per kind of fix, not per resource: only names JSON must escape stay whole.
    expect(data.fixTable.length).toBeLessThan(results.findings.length / 4);
    expect(parseResultsJson(text)).toEqual(JSON.parse(JSON.stringify(results)));
  });

  it('refuses a fix template that does not give a fix, with its JSON path', () => {
    const results = createResults({ seed: 6, findings: 3 });
    results.findings[0]!.fix = { commands: 'aws cloudtrail update-trail --name x' };
    const data = JSON.parse(renderJson(results)) as { fixTable: string[][][] };
    data.fixTable[0] = [['{"commands": ']];
    expect(() => readResultsDocument(data as unknown as Record<string, unknown>, 'r.json')).toThrow(/\$\.fixTable\[0\] must give a fix as JSON text/);
  });

  it('writes values inline once a table is full, and still reads back the same Results', () => {
    const results = createResults({ seed: 4, findings: 300, hostile: true });
    const saved = { ...TABLE_LIMIT };
    try {
      TABLE_LIMIT.entries = 5;
      const text = renderJson(results);
      const data = JSON.parse(text) as { evidenceTable: unknown[]; findings: Record<string, unknown>[] };
      expect(data.evidenceTable).toHaveLength(5);
      expect(data.findings.some((f) => Array.isArray(f.evidence))).toBe(true);
      expect(data.findings.some((f) => typeof f.message === 'string')).toBe(true);
      expect(parseResultsJson(text)).toEqual(JSON.parse(JSON.stringify(results)));
      TABLE_LIMIT.entries = saved.entries;
      TABLE_LIMIT.chars = 10;
      expect(parseResultsJson(renderJson(results))).toEqual(JSON.parse(JSON.stringify(results)));
    } finally {
      Object.assign(TABLE_LIMIT, saved);
    }
  });

  it('passes fields it does not know through, on the document and on findings', () => {
    const results = smallOrgResults();
    const extended = { ...results, rollup: [{ control: 'x', pass: 1 }], findings: results.findings.map((f, i) => (i === 0 ? { ...f, iac: { file: 'main.tf', line: 3 } } : f)) };
    const read = parseResultsJson(renderJson(extended as Results)) as unknown as typeof extended;
    expect(read.rollup).toEqual(extended.rollup);
    expect(read.findings[0]).toEqual(JSON.parse(JSON.stringify(extended.findings[0])));
  });

  it('refuses another version, and an index that is not in its table, with the JSON path', () => {
    const data = JSON.parse(renderJson(smallOrgResults())) as Record<string, unknown> & { findings: Record<string, unknown>[] };
    expect(() => readResultsDocument({ ...data, schemaVersion: '3.0' }, 'r.json')).toThrow(new UserError('r.json is results.json version "3.0"; this trailwarden reads versions 1.0 and 2.0'));
    data.findings[2]!.evidence = 9999;
    expect(() => readResultsDocument(data, 'r.json')).toThrow(/^r\.json is not a usable results\.json: \$\.findings\[2\]\.evidence is 9999, not an index of \$\.evidenceTable/);
    data.findings[2]!.evidence = [];
    data.findings[1]!.ruleId = 'no/such-rule';
    expect(() => readResultsDocument(data, 'r.json')).toThrow(/\$\.findings\[1\] has no severity and \$\.rules has no rule "no\/such-rule"/);
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
      'evidenceTable',
      'frameworkTable',
      'messageTable',
      'fixTable',
      'findings',
      'expiredSuppressions',
    ]);
    // The severity and resource type its rule states are left out.
    const finding = JSON.parse(text).findings[3];
    expect(Object.keys(finding)).toEqual(['ruleId', 'status', 'resource', 'message', 'evidence', 'frameworks', 'errors']);
    expect(Object.keys(finding.resource)).toEqual(['arn', 'accountId', 'region']);
    expect(Object.keys(finding.errors[0])).toEqual(['action', 'code', 'accountId', 'region', 'message']);
    expect(text.startsWith('{\n  "schemaVersion": "2.0",\n  "tool": {\n    "name": "trailwarden",')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('sorts the keys of free-form evidence and keeps a "__proto__" key as data', () => {
    const results = smallOrgResults();
    results.findings[0]!.evidence = [{ path: 'trail.tags', value: JSON.parse('{"zeta":1,"__proto__":{"polluted":true},"alpha":2}') }];
    const text = renderJson(results);
    expect(text).toContain('[{"path":"trail.tags","value":{"__proto__":{"polluted":true},"alpha":2,"zeta":1}}]');
    expect(parseResultsJson(text).findings[0]!.evidence[0]!.value).toEqual(JSON.parse('{"__proto__":{"polluted":true},"alpha":2,"zeta":1}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
