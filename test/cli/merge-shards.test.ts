/**
 * Snapshots and results record their shard (`--shard I/N`), and `merge` warns about a slice that
 * is missing or given twice (issue 17): a merged report that silently lacks a slice of the
 * accounts would read as a whole organization.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { shardWarnings } from '../../src/snapshot/merge.js';
import { runCli } from '../support/cli-runner.js';
import { readResultsJson } from '../support/results-json.js';
import { shardsOfSnapshot, smallestSplittingShardCount } from '../support/shards.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');

function demoShardFiles(): { dir: string; files: string[]; count: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailwarden-shards-'));
  const full = parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);
  const count = smallestSplittingShardCount(full);
  const files = shardsOfSnapshot(full, count).map((shard, i) => {
    const file = path.join(dir, `shard-${i + 1}.json`);
    writeFileSync(file, `${JSON.stringify(shard, null, 2)}\n`);
    return file;
  });
  return { dir, files, count };
}

describe('merge checks the shards it is given', () => {
  it('every slice once: no warning; a missing slice and a duplicate one are named', async () => {
    const { dir, files, count } = demoShardFiles();
    const whole = await runCli(['merge', ...files, '--out-dir', path.join(dir, 'whole'), '--format', 'json']);
    expect(whole.stderr).not.toContain('warning');
    const gap = await runCli(['merge', files[0]!, files[0]!, ...files.slice(2), '--out-dir', path.join(dir, 'gap'), '--format', 'json']);
    expect(gap.stderr).toContain(`warning: shard 1/${count} is given 2 times (${files[0]}, ${files[0]}); each slice should be merged once\n`);
    expect(gap.stderr).toContain(`warning: shard 2/${count} is missing: the accounts of that slice are in no report\n`);
    expect(gap.code).not.toBe(2); // a warning: the reports are still written
  });

  it('a missing slice makes the merged scan incomplete in scope, so its SARIF is not uploaded to close alerts', async () => {
    const { dir, files, count } = demoShardFiles();
    await runCli(['merge', ...files, '--out-dir', path.join(dir, 'whole'), '--format', 'json']);
    const wholeGaps = readResultsJson(path.join(dir, 'whole/results.json')).incomplete?.gaps ?? [];
    expect(wholeGaps.some((gap) => gap.code === 'ShardMissing')).toBe(false);
    const partial = await runCli(['merge', ...files.slice(1), '--out-dir', path.join(dir, 'partial'), '--format', 'json,sarif', '--fail-on', 'none', '--fail-on-incomplete', 'scope']);
    expect(partial.code).toBe(3);
    const results = readResultsJson(path.join(dir, 'partial/results.json'));
    const gap = results.incomplete?.gaps.find((g) => g.code === 'ShardMissing');
    expect(gap).toMatchObject({ kind: 'accounts', action: 'organizations:ListAccounts' });
    expect(gap?.message).toContain(`shard 1/${count} was not merged`);
    expect(results.findings.some((f) => f.ruleId === 'trailwarden/scan-scope' && f.status === 'error' && f.message.includes(`shard 1/${count}`))).toBe(true);
    const sarif = JSON.parse(readFileSync(path.join(dir, 'partial/results.sarif'), 'utf8')) as { runs: { invocations: { executionSuccessful: boolean }[] }[] };
    expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
  });

  it('scan --snapshot with several files checks the shards the same way', async () => {
    const { dir, files, count } = demoShardFiles();
    const r = await runCli(['scan', '--snapshot', files[1]!, '--snapshot', files[1]!, '--out-dir', dir, '--format', 'json']);
    expect(r.stderr).toContain(`warning: shard 2/${count} is given 2 times`);
    expect(r.stderr).toContain(`warning: shard 1/${count} is missing`);
  });

  it('results.json of a shard scan records the shard, and merging results checks it too', async () => {
    const { dir, files, count } = demoShardFiles();
    const resultFiles: string[] = [];
    for (const [i, file] of files.entries()) {
      const out = path.join(dir, `results-${i + 1}`);
      await runCli(['scan', '--snapshot', file, '--out-dir', out, '--format', 'json']);
      const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as { shard?: unknown };
      expect(results.shard).toEqual({ index: i + 1, count });
      resultFiles.push(path.join(out, 'results.json'));
    }
    const merged = await runCli(['merge', ...resultFiles.slice(1), '--out-dir', path.join(dir, 'merged'), '--format', 'json', '--fail-on', 'none']);
    expect(merged.stderr).toContain(`warning: shard 1/${count} is missing`);
    expect(JSON.parse(readFileSync(path.join(dir, 'merged/results.json'), 'utf8'))).not.toHaveProperty('shard');
    // As with snapshots, the missing slice is a gap in scope, not only a warning.
    const unitedResults = readResultsJson(path.join(dir, 'merged/results.json'));
    expect(unitedResults.incomplete?.gaps.filter((gap) => gap.code === 'ShardMissing').map((gap) => gap.message)).toEqual([expect.stringContaining(`shard 1/${count} was not merged`)]);
    expect(unitedResults.findings.filter((f) => f.ruleId === 'trailwarden/scan-scope' && f.errors?.[0]?.code === 'ShardMissing')).toHaveLength(1);
    expect(merged.code).toBe(3);
    const all = await runCli(['merge', ...resultFiles, '--out-dir', path.join(dir, 'all'), '--format', 'json']);
    expect(readResultsJson(path.join(dir, 'all/results.json')).incomplete?.gaps.some((gap) => gap.code === 'ShardMissing') ?? false).toBe(false);
    expect(all.stderr).not.toContain('is missing');
  });

  it('names parts of different splits, a shard beyond its count, and a whole scan among shards', () => {
    expect(shardWarnings([{ file: 'a.json' }, { file: 'b.json' }])).toEqual([]);
    expect(shardWarnings([{ file: 'a.json', shard: { index: 1, count: 2 } }, { file: 'b.json', shard: { index: 2, count: 3 } }])).toEqual([
      'the parts come from different splits (a.json is 1/2, b.json is 2/3); merge the shards of one scan',
    ]);
    expect(shardWarnings([{ file: 'a.json', shard: { index: 1, count: 2 } }, { file: 'b.json', shard: { index: 3, count: 2 } }, { file: 'c.json' }])).toEqual([
      'c.json records no shard, unlike the other parts (a whole scan merged with shards counts its accounts twice)',
      'b.json records shard 3/2, which does not exist',
      'shard 2/2 is missing: the accounts of that slice are in no report',
    ]);
    const many = shardWarnings([{ file: 'a.json', shard: { index: 1, count: 20 } }]);
    expect(many).toEqual(['shards 2/20, 3/20, 4/20, 5/20, 6/20, 7/20, 8/20, 9/20, 10/20, 11/20 and 9 more are missing: the accounts of those slices are in no report']);
  });
});
