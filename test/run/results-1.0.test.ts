/**
 * results.json 1.0, as the previous release wrote it (test/fixtures/results-1.0/demo-results.json:
 * `scan --demo --format json --fail-on none`), still works where results.json is read: merge and
 * --baseline read it as the same Results as its 2.0 form, and a 1.0 shard merges with a 2.0 one.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../src/reporters/json.js';
import { RESULTS_SCHEMA_VERSION, readResultsDocument, type Results } from '../../src/results.js';
import { runCli } from '../support/cli-runner.js';
import { readResultsJson } from '../support/results-json.js';

const V1 = path.resolve(import.meta.dirname, '../fixtures/results-1.0/demo-results.json');
const FORMATS = 'json,sarif,html,summary,csv';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'trailwarden-results-1.0-'));
const readReports = (dir: string, baseline?: string) => Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), 'utf8').replaceAll(JSON.stringify(baseline ?? '\u0000').slice(1, -1), 'BASELINE')]));
/** Merge orders findings its own way: compare them as a set. */
const sorted = (findings: readonly unknown[]) => findings.map((f) => JSON.stringify(f, Object.keys(f as object).sort())).sort();

let dir: string;
let v1: Record<string, unknown> & { schemaVersion: string; findings: unknown[] };
/** The fixture rewritten by this release's writer: 2.0. */
let v2File: string;
beforeAll(() => {
  dir = tempDir();
  v1 = JSON.parse(readFileSync(V1, 'utf8')) as typeof v1;
  v2File = path.join(dir, 'v2.json');
  writeFileSync(v2File, renderJson(readResultsDocument(v1, V1)));
});

describe('results.json 1.0 from the previous release', () => {
  it('is a 1.0 file whose findings carry what 2.0 moves into tables', () => {
    expect(v1.schemaVersion).toBe('1.0');
    expect(v1.findings.length).toBeGreaterThan(100);
    expect(RESULTS_SCHEMA_VERSION).toBe('2.0');
    expect((JSON.parse(readFileSync(v2File, 'utf8')) as { schemaVersion: string }).schemaVersion).toBe('2.0');
    expect(readFileSync(v2File, 'utf8').length).toBeLessThan(readFileSync(V1, 'utf8').length * 0.7);
  });

  it('reads as the same Results as its 2.0 form, finding for finding', () => {
    const fromV1 = readResultsDocument(v1, V1);
    const fromV2 = readResultsJson(v2File);
    expect(fromV2).toEqual(fromV1);
    expect(fromV1.findings).toEqual(v1.findings);
  });

  it('merges into the same reports as its 2.0 form, every finding with its evidence', async () => {
    const a = await runCli(['merge', V1, '--out-dir', path.join(dir, 'merged-v1'), '--format', FORMATS, '--fail-on', 'none']);
    const b = await runCli(['merge', v2File, '--out-dir', path.join(dir, 'merged-v2'), '--format', FORMATS, '--fail-on', 'none']);
    expect(a.stderr).not.toMatch(/error/);
    expect(a.code).toBe(b.code);
    expect(readReports(path.join(dir, 'merged-v1'))).toEqual(readReports(path.join(dir, 'merged-v2')));
    const merged = readResultsJson(path.join(dir, 'merged-v1', 'results.json'));
    expect(merged.findings).toHaveLength(v1.findings.length);
    expect(sorted(merged.findings.map((f) => JSON.parse(JSON.stringify(f)) as unknown))).toEqual(sorted(v1.findings));
  });

  it('merges with a 2.0 shard', async () => {
    await runCli(['merge', V1, '--out-dir', path.join(dir, 'merged-v1'), '--format', 'json', '--fail-on', 'none']);
    // The same run twice: every finding is shared, so the union is the run itself.
    const r = await runCli(['merge', V1, v2File, '--out-dir', path.join(dir, 'mixed'), '--format', 'json', '--fail-on', 'none']);
    expect(r.stderr).not.toMatch(/error|warning/);
    expect(readFileSync(path.join(dir, 'mixed', 'results.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'merged-v1', 'results.json'), 'utf8'));
  });

  it('is a --baseline as good as its 2.0 form', async () => {
    const a = await runCli(['scan', '--demo', '--baseline', V1, '--out-dir', path.join(dir, 'base-v1'), '--format', 'json,sarif', '--fail-on-new']);
    const b = await runCli(['scan', '--demo', '--baseline', v2File, '--out-dir', path.join(dir, 'base-v2'), '--format', 'json,sarif', '--fail-on-new']);
    expect(a.code).toBe(b.code);
    expect(readReports(path.join(dir, 'base-v1'), V1)).toEqual(readReports(path.join(dir, 'base-v2'), v2File));
    const results: Results = readResultsJson(path.join(dir, 'base-v1', 'results.json'));
    expect(results.baseline?.kind).toBe('results');
    expect(results.baseline?.counts.unchanged).toBeGreaterThan(0);
  });
});

describe('a results.json that does not read', () => {
  it('is exit 2 for merge and --baseline, naming the file and the JSON path or the versions read', async () => {
    const data = JSON.parse(readFileSync(v2File, 'utf8')) as { findings: Record<string, unknown>[] };
    data.findings[7]!.evidence = 100000;
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify(data));
    const merged = await runCli(['merge', broken, '--out-dir', path.join(dir, 'broken-out'), '--format', 'json']);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toContain(`${broken} is not a usable results.json: $.findings[7].evidence is 100000, not an index of $.evidenceTable`);
    const future = path.join(dir, 'future.json');
    writeFileSync(future, JSON.stringify({ ...data, schemaVersion: '3.0' }));
    const compared = await runCli(['scan', '--demo', '--baseline', future, '--out-dir', path.join(dir, 'future-out'), '--format', 'json']);
    expect(compared.code).toBe(2);
    expect(compared.stderr).toContain(`--baseline ${future} is results.json version "3.0"; this trailwarden reads versions 1.0 and 2.0`);
  });
});
