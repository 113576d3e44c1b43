/**
 * A hostile trail name (terminal escapes, bidi overrides and isolates, zero-width characters, a
 * BOM, a line break) in a snapshot, through every reporter and the Action's annotations: whatever
 * a person reads shows those characters as visible escapes; machine identity (fingerprints,
 * results.json) keeps the raw name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureAnnotations, incompleteAnnotation } from '../../src/action/publish.js';
import { findingFingerprint, FINGERPRINT_KEY } from '../../src/reporters/sarif.js';
import { displayData, displayText } from '../../src/reporters/text-safety.js';
import { runCli } from '../support/cli-runner.js';
import { parseResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'examples/demo/snapshot.json');
const HOSTILE = 'pay\u202Eliart\u202C-\u001b[31mred\u001b[0m\u200Bzero\uFEFF\u2066iso\u2069\u009b2J\u007f\nnext';
/** Any character that must never reach displayed text raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
// eslint-disable-next-line no-control-regex -- the same, for text where JSON or markup legitimately keeps line breaks
const RAW_INLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

describe('displayText', () => {
  it('makes controls, bidi, zero-width and format characters visible, and keeps one line', () => {
    expect(displayText(HOSTILE)).toBe('pay\\u202Eliart\\u202C-\\u001B[31mred\\u001B[0m\\u200Bzero\\uFEFF\\u2066iso\\u2069\\u009B2J\\u007F next');
    expect(displayText('a\u2028b\u2029c\td\r\ne')).toBe('a b c d  e');
    expect(displayText('Ünïcödé 日本語 العربية 🚨')).toBe('Ünïcödé 日本語 العربية 🚨');
    expect(displayText(displayText(HOSTILE))).toBe(displayText(HOSTILE)); // idempotent
  });

  it('displayData neutralizes strings and keys at any depth it walks, and returns untouched values as they are', () => {
    const clean = { a: [1, 'x', { b: null }] };
    expect(displayData(clean)).toBe(clean);
    expect(displayData({ ['k\u202E']: ['v\u200B', { deep: '\u001b' }] })).toEqual({ 'k\\u202E': ['v\\u200B', { deep: '\\u001B' }] });
    const proto = JSON.parse('{"__proto__":"\u202E"}') as unknown;
    const safe = displayData(proto) as Record<string, unknown>;
    expect(Object.hasOwn(safe, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
  });
});

describe('a hostile trail name through every report', () => {
  it('reaches no displayed text raw; fingerprints and results.json keep the raw identity', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-hostile-'));
    const snapshotFile = path.join(dir, 'snapshot.json');
    const escaped = JSON.stringify(HOSTILE).slice(1, -1);
    writeFileSync(snapshotFile, readFileSync(DEMO, 'utf8').replaceAll('fail-payments-local-trail', escaped));
    const out = path.join(dir, 'out');
    const r = await runCli(['scan', '--snapshot', snapshotFile, '--out-dir', out, '--format', 'console,json,sarif,html,summary', '--fail-on', 'none']);
    expect(r.code).toBe(3);

    // Console: the trail's findings are listed with the escapes.
    expect(r.stdout).not.toMatch(RAW_INLINE);

    const results = parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const hostileFindings = results.findings.filter((finding) => finding.resource.name === HOSTILE);
    expect(hostileFindings.length).toBeGreaterThan(0);
    const failing = hostileFindings.filter((finding) => finding.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);

    const sarif = JSON.parse(readFileSync(path.join(out, 'results.sarif'), 'utf8')) as {
      runs: [{ results: { message: { text: string }; locations: [{ logicalLocations: { name?: string; fullyQualifiedName: string }[] }]; partialFingerprints: Record<string, string>; properties: { arn: string } }[]; invocations: [{ toolExecutionNotifications: { message: { text: string } }[] }] }];
    };
    const run = sarif.runs[0];
    for (const result of run.results) {
      expect(result.message.text).not.toMatch(RAW);
      for (const location of result.locations[0].logicalLocations) {
        expect(location.fullyQualifiedName).not.toMatch(RAW);
        if (location.name !== undefined) expect(location.name).not.toMatch(RAW);
      }
    }
    for (const note of run.invocations[0].toolExecutionNotifications) expect(note.message.text).not.toMatch(RAW);
    const hostileResults = run.results.filter((result) => result.properties.arn.includes(HOSTILE));
    expect(hostileResults.length).toBe(failing.length + hostileFindings.filter((finding) => finding.status === 'error').length);
    expect(hostileResults[0]!.message.text).toContain('pay\\u202Eliart\\u202C-\\u001B[31mred');
    expect(hostileResults[0]!.locations[0].logicalLocations[0]!.name).toBe(displayText(HOSTILE));
    // Identity is the raw resource: the fingerprint of the raw finding, unchanged by the display.
    const fingerprints = new Set(hostileResults.map((result) => result.partialFingerprints[FINGERPRINT_KEY]));
    for (const finding of failing) expect(fingerprints.has(findingFingerprint(finding, results.partition))).toBe(true);

    const summary = readFileSync(path.join(out, 'summary.md'), 'utf8');
    expect(summary).not.toMatch(RAW_INLINE);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).not.toMatch(RAW_INLINE);
    expect(html).toContain('pay\\\\u202Eliart'); // inside the JSON payload the backslash is escaped

    // Action annotations (messages and titles), every one GitHub could show.
    for (const annotation of [...failureAnnotations(results, 1_000), incompleteAnnotation(results)!]) {
      expect(annotation.message).not.toMatch(RAW);
      expect(annotation.properties.title ?? '').not.toMatch(RAW);
    }
    expect(failureAnnotations(results, 1_000).some((annotation) => annotation.message.includes('pay\\u202Eliart'))).toBe(true);
  });
});
