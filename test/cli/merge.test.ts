/**
 * `trailwarden merge` end to end: the shards of the demo organization, saved as snapshots or as
 * results.json, become the reports of one full scan.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeResults } from '../../src/engine/merge-results.js';
import type { Results } from '../../src/results.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { mergeSnapshots } from '../../src/snapshot/merge.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { runCli } from '../support/cli-runner.js';
import { shardsOfSnapshot, smallestSplittingShardCount } from '../support/shards.js';
import { parseResultsJson } from '../support/results-json.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');
const ALL_FORMATS = 'json,sarif,html,summary,csv,junit,ocsf,asff';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trailwarden-merge-'));
}

function writeJson(file: string, value: unknown): string {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
}

/** The demo split into shard snapshots, and the full demo in the order a collector writes it. */
function demoShards(dir: string): { shardFiles: string[]; fullFile: string } {
  const full = parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);
  const shards = shardsOfSnapshot(full, smallestSplittingShardCount(full));
  return {
    shardFiles: shards.map((shard, i) => writeJson(path.join(dir, `shard-${i + 1}.json`), shard)),
    fullFile: writeJson(path.join(dir, 'full.json'), mergeSnapshots([full])),
  };
}

function readReports(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]));
}

describe('trailwarden merge', () => {
  it('merges shard snapshots into reports identical to one full scan, every format', async () => {
    const dir = tempDir();
    const { shardFiles, fullFile } = demoShards(dir);
    const full = await runCli(['scan', '--snapshot', fullFile, '--out-dir', path.join(dir, 'full'), '--format', ALL_FORMATS, '--category', 'trailwarden']);
    const merged = await runCli(['merge', ...shardFiles, '--out-dir', path.join(dir, 'merged'), '--format', ALL_FORMATS, '--category', 'trailwarden']);
    expect(merged.stderr).not.toMatch(/warning|error/);
    expect(merged.code).toBe(full.code);
    const reports = readReports(path.join(dir, 'merged'));
    expect(Object.keys(reports).sort()).toEqual(['report.html', 'results.asff.json', 'results.csv', 'results.json', 'results.junit.xml', 'results.ocsf.json', 'results.sarif', 'summary.md']);
    expect(reports).toEqual(readReports(path.join(dir, 'full')));
  });

  it('saves the merged snapshot: the full snapshot, in the collectors’ order', async () => {
    const dir = tempDir();
    const { shardFiles, fullFile } = demoShards(dir);
    const saved = path.join(dir, 'merged-snapshot.json');
    const r = await runCli(['merge', ...shardFiles.reverse(), '--save-snapshot', saved, '--out-dir', path.join(dir, 'out'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(saved, 'utf8')) as Snapshot).toEqual(JSON.parse(readFileSync(fullFile, 'utf8')));
  });

  it('merges shard results.json files, warning about shared resources the shards judged apart', async () => {
    const dir = tempDir();
    const { shardFiles, fullFile } = demoShards(dir);
    const shardResults: string[] = [];
    for (const [i, file] of shardFiles.entries()) {
      const out = path.join(dir, `results-${i + 1}`);
      await runCli(['scan', '--snapshot', file, '--out-dir', out, '--format', 'json', '--fail-on', 'none']);
      shardResults.push(path.join(out, 'results.json'));
    }
    await runCli(['scan', '--snapshot', fullFile, '--out-dir', path.join(dir, 'full'), '--format', 'json']);
    const r = await runCli(['merge', ...shardResults, '--out-dir', path.join(dir, 'merged'), '--format', 'json,sarif', '--fail-on', 'critical']);
    expect(r.code).toBe(1);
    const { disagreements } = mergeResults(shardResults.map((file) => parseResultsJson(readFileSync(file, 'utf8'))));
    expect(disagreements.length).toBeGreaterThan(0); // the organization trail's bucket serves several shards
    expect(r.stderr).toContain(`warning: the shards judged ${disagreements.length} shared resource(s) differently`);
    expect(r.stderr).toContain(`${disagreements[0]!.ruleId} ${disagreements[0]!.arn}: ${disagreements[0]!.statuses.join(' / ')}`);
    expect(r.stderr).toContain('scan --save-snapshot');
    const merged = parseResultsJson(readFileSync(path.join(dir, 'merged', 'results.json'), 'utf8'));
    const full = parseResultsJson(readFileSync(path.join(dir, 'full', 'results.json'), 'utf8'));
    const keys = (results: Results) => results.findings.map((finding) => `${finding.ruleId} ${finding.resource.arn}`);
    expect(keys(merged)).toEqual(keys(full));
    expect(merged.accounts).toEqual(full.accounts);
    expect(readdirSync(path.join(dir, 'merged')).sort()).toEqual(['results.json', 'results.sarif']);
  });

  it('refuses a mix of snapshots and results, snapshot options on results, and unreadable files, with exit code 2', async () => {
    const dir = tempDir();
    const { shardFiles, fullFile } = demoShards(dir);
    await runCli(['scan', '--snapshot', fullFile, '--out-dir', dir, '--format', 'json']);
    const results = path.join(dir, 'results.json');

    const mixed = await runCli(['merge', shardFiles[0]!, results, '--out-dir', path.join(dir, 'x')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`not both: ${shardFiles[0]} is a snapshot, ${results} is results`);

    const withPack = await runCli(['merge', results, results, '--pack', 'pci-dss-v4', '--out-dir', path.join(dir, 'x')]);
    expect(withPack.code).toBe(2);
    expect(withPack.stderr).toContain('--pack apply to snapshots; results.json files are already evaluated');

    writeFileSync(path.join(dir, 'broken.json'), '{\n  "schemaVersion": "1.0",\n  oops\n}\n');
    const broken = await runCli(['merge', path.join(dir, 'broken.json'), '--out-dir', path.join(dir, 'x')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${path.join(dir, 'broken.json')}:3:3 snapshot/json`);

    const missing = await runCli(['merge', path.join(dir, 'nope.json'), '--out-dir', path.join(dir, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json:0:0 merge/unreadable file not found');

    const none = await runCli(['merge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing required argument 'files'");
  });
});
