/**
 * The formats other tools ingest, written by `scan --demo` through the report-set writer, byte
 * for byte against golden files and valid against their schemas.
 *
 * After an intended change to the demo, a rule or one of these reporters, regenerate and review:
 *
 *     UPDATE_GOLDEN=1 npx vitest run test/demo/formats.test.ts
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { asffErrors, junitSchemaErrors, ocsfErrors, records } from '../reporters/interchange-support.js';

const GOLDEN_DIR = path.join(import.meta.dirname, '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FILES = ['results.csv', 'results.junit.xml', 'results.ocsf.json', 'results.asff.json'];

describe('scan --demo --format csv,junit,ocsf,asff', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-formats-'));
  let run: Awaited<ReturnType<typeof runCli>>;
  const written = (name: string) => readFileSync(path.join(dir, name), 'utf8');

  beforeAll(async () => {
    run = await runCli(['scan', '--demo', '--format', 'json,csv,junit,ocsf,asff', '--out-dir', dir]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the four files as one set beside results.json, and nothing else', () => {
    // The demo has failures on purpose.
    expect(run.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['results.asff.json', 'results.csv', 'results.json', 'results.junit.xml', 'results.ocsf.json']);
    for (const name of FILES) expect(run.stderr).toContain(path.join(dir, name));
  });

  it.each(FILES)('%s matches its golden file', (name) => {
    const golden = path.join(GOLDEN_DIR, name);
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(golden, written(name));
    }
    if (!existsSync(golden)) throw new Error(`Missing golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run test/demo/formats.test.ts`);
    expect(written(name)).toBe(readFileSync(golden, 'utf8'));
  });

  it('every file is valid against its schema and holds every finding of results.json', async () => {
    const findings = (JSON.parse(written('results.json')) as { findings: unknown[] }).findings.length;
    expect(await junitSchemaErrors(written('results.junit.xml'))).toEqual([]);
    expect(ocsfErrors(written('results.ocsf.json'))).toEqual([]);
    expect(asffErrors(written('results.asff.json'))).toEqual([]);
    expect(records(written('results.ocsf.json'))).toHaveLength(findings);
    expect(records(written('results.asff.json'))).toHaveLength(findings);
    expect(written('results.csv').split('\r\n').filter(Boolean).length).toBeGreaterThanOrEqual(findings + 1);
    expect(written('results.junit.xml').match(/<testcase /g)).toHaveLength(findings);
  });

  it('carries each finding\'s state since a baseline', async () => {
    const out = path.join(dir, 'with-baseline');
    const earlier = path.join(import.meta.dirname, '../../examples/demo/snapshot-earlier.json');
    const r = await runCli(['scan', '--demo', '--baseline', earlier, '--format', 'json,csv,ocsf,asff', '--out-dir', out]);
    expect(r.code).toBe(1);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { findings: { baselineState?: string }[] };
    const states = results.findings.flatMap((finding) => (finding.baselineState ? [finding.baselineState] : [])).sort();
    expect(states).toContain('new');
    const [header, ...rows] = parse(readFileSync(path.join(out, 'results.csv'), 'utf8')) as string[][];
    const column = header!.indexOf('baseline_state');
    expect(rows.flatMap((row) => row[column] || []).sort()).toEqual(states);
    const ocsf = records(readFileSync(path.join(out, 'results.ocsf.json'), 'utf8')) as { unmapped?: { baseline_state: string } }[];
    expect(ocsf.flatMap((event) => (event.unmapped ? [event.unmapped.baseline_state] : [])).sort()).toEqual(states);
    const asff = records(readFileSync(path.join(out, 'results.asff.json'), 'utf8')) as { ProductFields: Record<string, string> }[];
    expect(asff.flatMap((finding) => finding.ProductFields['trailwarden/BaselineState'] ?? []).sort()).toEqual(states);
    expect(ocsfErrors(readFileSync(path.join(out, 'results.ocsf.json'), 'utf8'))).toEqual([]);
    expect(asffErrors(readFileSync(path.join(out, 'results.asff.json'), 'utf8'))).toEqual([]);
  });
});
