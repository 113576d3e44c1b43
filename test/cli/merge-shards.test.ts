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
    const merged = await runCli(['merge', ...resultFiles.slice(1), '--out-dir', path.join(dir, 'merged'), '--format', 'json']);
    expect(merged.stderr).toContain(`warning: shard 1/${count} is missing`);
    expect(JSON.parse(readFileSync(path.join(dir, 'merged/results.json'), 'utf8'))).not.toHaveProperty('shard');
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
