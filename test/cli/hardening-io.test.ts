/**
 * Hostile inputs and failing outputs at the CLI (issue 10): nothing a file system or an input file
 * does may hang a run, crash it (exit 70), or leave a report set that mixes two runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXED_RUN_ID, runCli } from '../support/cli-runner.js';
import { scan, writeReports, type RunIo } from '../../src/run/scan.js';
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { writeSnapshot, readSnapshot } from '../../src/snapshot/io.js';
import { collectionErrors } from '../../src/snapshot/errors.js';
import { parsePolicyDocument as parseCollectedPolicy } from '../../src/collectors/map/common.js';
import { parsePolicyDocument } from '../../src/aws-policy/policy-document.js';
import { MAX_INPUT_BYTES } from '../../src/files.js';
import { renderJson } from '../../src/reporters/json.js';
import { smallOrgResults } from '../reporters/fixtures/small-org.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { parseResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'examples/demo/snapshot.json');
const POLICY = `id: custom/always
title: Always passes
severity: low
scope: account
description: A rule for tests.
remediation:
  console: Nothing to do.
frameworks: {}
messages:
  pass: fine
  fail: not fine
condition:
  path: account.id
  op: ne
  value: ""
`;

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trailwarden-hard-io-'));
}

function fifo(dir: string, name = 'pipe'): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

function demo(): Snapshot {
  return JSON.parse(readFileSync(DEMO, 'utf8')) as Snapshot;
}

function nested(depth: number, leaf: unknown = 'x'): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** The demo snapshot as text, with the first bucket policy's first Condition replaced by `deep` arrays. */
function deepConditionSnapshot(depth: number): string {
  const text = readFileSync(DEMO, 'utf8');
  const marker = '"Condition": {';
  // The first bucket policy's Condition (service control policies, earlier in the file, have them too).
  const at = text.indexOf(marker, text.indexOf('"buckets": ['));
  return `${text.slice(0, at)}"Condition": {"StringEquals": {"aws:SourceArn": ${'['.repeat(depth)}"x"${']'.repeat(depth)}}, "Ignored": {${text.slice(at + marker.length)}`;
}

const quoted = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('non-regular files are refused, never waited on (exit 2)', () => {
  it.each([
    ['--snapshot', (p: string, out: string) => ['scan', '--snapshot', p, '--out-dir', out]],
    ['--config', (p: string, out: string) => ['scan', '--demo', '--config', p, '--out-dir', out]],
    ['--policies', (p: string, out: string) => ['scan', '--demo', '--policies', p, '--out-dir', out]],
    ['validate PATH', (p: string) => ['validate', p]],
    ['merge input', (p: string, out: string) => ['merge', p, DEMO, '--out-dir', out]],
  ])('a FIFO as %s', { timeout: 15_000 }, async (_name, argv) => {
    const dir = tempDir();
    const pipe = fifo(dir);
    const r = await runCli(argv(pipe, path.join(dir, 'out')));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${quoted(pipe)}:0:0 \\w+/not-a-file a FIFO \\(named pipe\\), not a regular file`));
    expect(existsSync(path.join(dir, 'out', 'results.json'))).toBe(false);
  });

  it('a FIFO named .yaml inside a policy folder', { timeout: 15_000 }, async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'custom'));
    const pipe = fifo(path.join(dir, 'custom'), 'always.yaml');
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${pipe}:0:0 policy/not-a-file`);
  });

  it('a folder without snapshots as --snapshot and a character device as --snapshot and --config', async () => {
    const dir = tempDir();
    // A folder stands for the snapshots in it (the shards of a matrix); this one holds none.
    const folder = await runCli(['scan', '--snapshot', dir, '--out-dir', path.join(dir, 'out')]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`--snapshot names no snapshot file: ${dir}`);
    const device = await runCli(['scan', '--snapshot', '/dev/zero', '--out-dir', path.join(dir, 'out')]);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain('/dev/zero:0:0 snapshot/not-a-file a character device');
    const config = await runCli(['scan', '--demo', '--config', '/dev/zero', '--out-dir', path.join(dir, 'out')]);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('/dev/zero:0:0 config/not-a-file a character device');
  });
});

describe('--out-dir that cannot be written (exit 2, checked before the work)', () => {
  it('an existing file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'taken');
    writeFileSync(file, 'x');
    const snap = path.join(dir, 'saved', 'snap.json');
    const r = await runCli(['scan', '--demo', '--out-dir', file, '--save-snapshot', snap]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:0:0 output/not-a-folder a regular file is in the way`);
    expect(r.stderr).not.toMatch(/internal error/);
    // Checked before the snapshot was obtained: nothing was saved.
    expect(existsSync(snap)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a path under a file', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'file'), 'x');
    const out = path.join(dir, 'file', 'reports');
    const r = await runCli(['scan', '--demo', '--out-dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${out}:0:0 output/unwritable a part of the path is a file, not a folder`);
  });

  it('a path the kernel refuses (/proc)', async () => {
    const r = await runCli(['scan', '--demo', '--out-dir', '/proc/trailwarden-reports', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/proc\/trailwarden-reports:0:0 output\/unwritable/);
  });

  it('merge of results files checks the folder too', async () => {
    const dir = tempDir();
    const part = path.join(dir, 'part');
    expect((await runCli(['scan', '--demo', '--out-dir', part, '--format', 'json'])).code).toBe(1);
    writeFileSync(path.join(dir, 'file'), 'x');
    const r = await runCli(['merge', path.join(part, 'results.json'), '--out-dir', path.join(dir, 'file', 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('output/unwritable');
  });
});

describe('--save-snapshot', () => {
  it('creates a folder that does not exist and writes atomically', async () => {
    const dir = tempDir();
    const snap = path.join(dir, 'a', 'b', 'snap.json');
    const r = await runCli(['scan', '--demo', '--save-snapshot', snap, '--out-dir', path.join(dir, 'out'), '--format', 'json']);
    expect(r.code).toBe(1);
    expect((await readSnapshot(snap)).accounts.length).toBe(8);
    expect(readdirSync(path.dirname(snap))).toEqual(['snap.json']);
  });

  it('a folder as the target is refused before the work', async () => {
    const dir = tempDir();
    const r = await runCli(['scan', '--demo', '--save-snapshot', dir, '--out-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir}:0:0 output/not-a-file`);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('a failure to save never prevents the reports; it is a warning and exit 2', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'snapshots');
    const out = path.join(dir, 'out');
    let stderr = '';
    const io: RunIo = { stdout: () => undefined, stderr: (t) => void (stderr += t), color: false, progressBar: false, width: 80, now: () => new Date('2026-11-02T09:00:00Z') };
    const outcome = await scan(
      {
        // The folder is fine when checked and becomes a file while "collecting": the save fails late.
        source: {
          kind: 'loaded',
          // Read after the outputs were checked, as a collected snapshot would arrive.
          get snapshot() {
            rmSync(target, { recursive: true });
            writeFileSync(target, 'in the way');
            return demo();
          },
        },
        saveSnapshot: path.join(target, 'snap.json'),
        policies: [],
        report: { formats: ['json', 'sarif'], outDir: out, failOn: 'high' },
        policySettings: NO_POLICY_SETTINGS,
      },
      io,
    );
    expect(outcome.exitCode).toBe(2);
    expect(outcome.saveSnapshotError?.diagnostics[0]?.code).toBe('output/unwritable');
    expect(stderr).toMatch(/warning: cannot write --save-snapshot .*snap\.json; the reports are still written/);
    expect(readdirSync(out).sort()).toEqual(['results.json', 'results.sarif']);
  });

  it('replaces a saved snapshot by rename, never rewriting it in place', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'snap.json');
    writeFileSync(target, 'previous snapshot');
    writeFileSync(`${target}.${2 ** 22 + 7}.0badf00d.tmp`, 'left by a killed run');
    const before = statSync(target).ino;
    await writeSnapshot(target, demo());
    // A new inode: the old file was whole until the rename replaced it (a full disk cannot truncate it).
    expect(statSync(target).ino).not.toBe(before);
    expect((await readSnapshot(target)).accounts.length).toBe(8);
    expect(readdirSync(dir)).toEqual(['snap.json']);
  });

  it('a failed atomic write leaves neither a half file nor a temporary file', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'snap.json');
    mkdirSync(target); // renaming a file over a folder fails after the temporary file is written
    await expect(writeSnapshot(target, demo())).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['snap.json']);
    expect(statSync(target).isDirectory()).toBe(true);
  });
});

describe('the report set is one run', () => {
  const RUN_A = '11111111-1111-4111-8111-111111111111';
  const RUN_B = '22222222-2222-4222-8222-222222222222';

  function runIds(out: string): string[] {
    const json = parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const sarif = JSON.parse(readFileSync(path.join(out, 'results.sarif'), 'utf8')) as { runs: { properties: { runId: string } }[] };
    const html = /<meta name="trailwarden-run-id" content="([^"]+)">/.exec(readFileSync(path.join(out, 'report.html'), 'utf8'))?.[1];
    const summary = /^<!-- trailwarden run (\S+) -->/.exec(readFileSync(path.join(out, 'summary.md'), 'utf8'))?.[1];
    return [json.runId!, sarif.runs[0]!.properties.runId, html!, summary!];
  }

  it('every file carries the run id, and a second run replaces all of them', async () => {
    const out = tempDir();
    await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json,sarif,html,summary'], { runId: RUN_A });
    expect(runIds(out)).toEqual([RUN_A, RUN_A, RUN_A, RUN_A]);
    await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json,sarif,html,summary'], { runId: RUN_B });
    expect(runIds(out)).toEqual([RUN_B, RUN_B, RUN_B, RUN_B]);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.sarif', 'summary.md']);
  });

  it('two concurrent runs into one folder leave one whole set', { timeout: 60_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const out = tempDir();
      const formats = 'json,sarif,html,summary';
      const [a, b] = await Promise.all([
        runCli(['scan', '--demo', '--out-dir', out, '--format', formats], { runId: RUN_A }),
        runCli(['scan', '--demo', '--out-dir', out, '--format', formats], { runId: RUN_B }),
      ]);
      expect([a.code, b.code]).toEqual([1, 1]);
      const ids = runIds(out);
      expect(new Set(ids).size, `round ${round}: ${ids.join(', ')}`).toBe(1);
      expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.sarif', 'summary.md']);
    }
  });

  it('a run swaps its set in only when no other run is swapping', async () => {
    const out = tempDir();
    const lock = path.join(out, '.trailwarden-swap.lock');
    writeFileSync(lock, '1'); // pid 1 is alive: another run is renaming its files right now
    const pending = runCli(['scan', '--demo', '--out-dir', out, '--format', 'json']);
    let done = false;
    void pending.then(() => (done = true));
    for (let i = 0; i < 100 && !readdirSync(out).some((n) => n.startsWith('.trailwarden-staging-')); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(readdirSync(out)).not.toContain('results.json');
    rmSync(lock);
    expect((await pending).code).toBe(1);
    expect(readdirSync(out)).toEqual(['results.json']);
  });

  it('a swap lock left by a killed run is taken over', async () => {
    const out = tempDir();
    writeFileSync(path.join(out, '.trailwarden-swap.lock'), String(2 ** 22 + 7));
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(readdirSync(out)).toEqual(['results.json']);
  });

  it('a run id is random when none is fixed', async () => {
    const { run } = await import('../../src/cli/main.js');
    const out = tempDir();
    const io = { stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {}, columns: 80, now: () => new Date() };
    await run(['scan', '--demo', '--out-dir', out, '--format', 'json'], io);
    const first = (parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'))).runId;
    await run(['scan', '--demo', '--out-dir', out, '--format', 'json'], io);
    const second = (parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'))).runId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });

  it('an interrupted write leaves the previous set whole and no staging folder', async () => {
    const out = tempDir();
    await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json,sarif,html'], { runId: RUN_A });
    let checks = 0;
    // Interrupted after the first file is rendered, before the set is swapped in.
    const signal = {
      throwIfAborted: () => {
        if (++checks === 2) throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
      },
    } as unknown as AbortSignal;
    const io: RunIo = { stdout: () => undefined, stderr: () => undefined, color: false, progressBar: false, width: 80, now: () => new Date(), signal, runId: () => RUN_B };
    await expect(writeReports(smallOrgResults(), { formats: ['json', 'sarif', 'html'], outDir: out, failOn: 'high' }, io, { exitCode: 1, reasons: [] })).rejects.toThrow('interrupted');
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.sarif']);
    expect(runIds2(out)).toEqual([RUN_A, RUN_A]);
  });

  function runIds2(out: string): string[] {
    const json = parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'));
    const html = /<meta name="trailwarden-run-id" content="([^"]+)">/.exec(readFileSync(path.join(out, 'report.html'), 'utf8'))?.[1];
    return [json.runId!, html!];
  }

  it('leftovers of a killed run are removed by the next run; a live run’s are kept', async () => {
    const out = tempDir();
    const deadPid = 2 ** 22 + 7; // above Linux's pid_max: no such process
    writeFileSync(path.join(out, `results.json.${deadPid}.tmp`), 'half');
    writeFileSync(path.join(out, `report.html.${deadPid}.0a1b2c3d.tmp`), 'half');
    mkdirSync(path.join(out, `.trailwarden-staging-${deadPid}-${RUN_A}`));
    writeFileSync(path.join(out, `.trailwarden-staging-${deadPid}-${RUN_A}`, 'results.json'), 'half');
    mkdirSync(path.join(out, `.trailwarden-staging-1-${RUN_B}`)); // pid 1 is alive: a concurrent run
    writeFileSync(path.join(out, 'notes.tmp'), 'not ours');
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual([`.trailwarden-staging-1-${RUN_B}`, 'notes.tmp', 'results.json']);
    expect((parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'))).runId).toBe(FIXED_RUN_ID);
  });
});

describe('YAML resource exhaustion is a located problem (exit 2)', () => {
  const BOMB = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n';

  it('an alias bomb in the config file', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, `outDir: out\n${BOMB}`);
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}:3:8 yaml/resource-exhaustion aliases expand to too many nodes`);
  });

  it('an alias bomb in a policy', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'custom'));
    const file = path.join(dir, 'custom', 'always.yaml');
    writeFileSync(file, `${POLICY}${BOMB.replace(/^a:/, 'x-a:')}`);
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toMatch(new RegExp(`${quoted(file)}:\\d+:\\d+ yaml/resource-exhaustion`));
    const s = await runCli(['scan', '--demo', '--policies', dir, '--out-dir', dir]);
    expect(s.code).toBe(2);
  });

  it.each([200, 5_000, 100_000])('a policy condition nested %i levels deep', { timeout: 30_000 }, async (depth) => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'custom'));
    const file = path.join(dir, 'custom', 'always.yaml');
    writeFileSync(file, POLICY.replace(/condition:[^]*$/, `condition: ${'{not: '.repeat(depth)}{path: account.id, op: ne, value: ""}${'}'.repeat(depth)}\n`));
    const r = await runCli(['validate', dir]);
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toMatch(new RegExp(`${quoted(file)}:\\d+:\\d+ yaml/(too-deep|resource-exhaustion)`));
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('deeply nested snapshots end in exit 2 with a JSON path, or complete', () => {
  it.each([5_000, 100_000])('a bucket policy Condition %i arrays deep', { timeout: 30_000 }, async (depth) => {
    const dir = tempDir();
    const file = path.join(dir, 'deep.json');
    writeFileSync(file, deepConditionSnapshot(depth));
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out')]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${quoted(file)}:\\d+:\\d+ snapshot/too-deep nesting deeper than 64 levels at \\$\\.buckets\\[0\\]\\.policy\\.Statement\\[0\\]\\.Condition\\.StringEquals\\["aws:SourceArn"\\]\\[0\\]`));
  });

  it('a too-deep snapshot that is also invalid JSON names the depth, not a crash', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'deep.json');
    writeFileSync(file, `{"a": ${'['.repeat(100_000)}`);
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:70 snapshot/too-deep`);
  });

  it('invalid JSON with a broken escape in a key is located, not a crash', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'escape.json');
    writeFileSync(file, '{"\\x\u0001": 1');
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:1:`);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a bucket policy given as a JSON string 100,000 levels deep is a malformed policy, and the scan completes', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const snapshot = demo();
    snapshot.buckets[0]!.policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"k":${'['.repeat(100_000)}"x"${']'.repeat(100_000)}}}}]}`;
    const file = path.join(dir, 'deep-string.json');
    writeFileSync(file, JSON.stringify(snapshot));
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out'), '--format', 'json,sarif,html']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect([0, 1, 3]).toContain(r.code);
    const results = parseResultsJson(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    expect(JSON.stringify(results.findings)).toContain('nests deeper than 64 levels');
  });

  it('the collection-errors walk, the collectors and the JSON reporter take any depth', () => {
    const value = nested(100_000, { $error: { action: 's3:GetBucketPolicy', code: 'AccessDenied' } });
    expect(collectionErrors({ accounts: [], deep: value })).toEqual([{ action: 's3:GetBucketPolicy', code: 'AccessDenied' }]);
    const text = `{"Statement":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(() => parseCollectedPolicy(text, 'bucket policy')).toThrow(/bucket policy nests deeper than 48 levels/);
    expect(parsePolicyDocument(JSON.parse(text))).toEqual({ malformed: expect.stringMatching(/nests deeper than 64 levels/) as unknown });
    // Evidence values reach the reporters only from a depth-checked snapshot; within that bound they render.
    const results = smallOrgResults();
    results.findings[0]!.evidence = [{ path: 'policy', value: nested(60) }];
    expect(() => renderJson(results)).not.toThrow();
  });
});

describe('snapshot and config text', () => {
  it('a UTF-8 byte-order mark is accepted (snapshot and config)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(DEMO, 'utf8')}`);
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, '\uFEFFfailOn: none\n');
    const r = await runCli(['scan', '--snapshot', file, '--config', config, '--out-dir', path.join(dir, 'out'), '--format', 'json']);
    expect(r.stderr).not.toMatch(/InvalidSymbol|snapshot\/json/);
    expect(r.code).toBe(3); // fail-on none from the config: only the missing facts remain
  });

  it('a duplicate key is rejected with its line and column', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'dup.json');
    writeFileSync(file, readFileSync(DEMO, 'utf8').replace('{\n', '{\n  "schemaVersion": "2.0",\n'));
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${quoted(file)}:3:3 snapshot/duplicate-key duplicate key "schemaVersion" in \\$`));
    const nestedDup = path.join(dir, 'nested-dup.json');
    writeFileSync(nestedDup, readFileSync(DEMO, 'utf8').replace('"Sid": "AWSCloudTrailAclCheck",', '"Sid": "AWSCloudTrailAclCheck", "\\u0053id": "again",'));
    const n = await runCli(['scan', '--snapshot', nestedDup, '--out-dir', path.join(dir, 'out')]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/snapshot\/duplicate-key duplicate key "Sid" in \$\.buckets\[0\]\.policy\.Statement\[0\]/);
  });

  it('a snapshot too large to read names its size and the limit', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_INPUT_BYTES + 1024 * 1024); // sparse: no disk used
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${quoted(file)}:0:0 snapshot/too-large the file is 513\\.0 MiB; the largest file trailwarden can read is 512\\.0 MiB \\(${MAX_INPUT_BYTES} bytes`));
  });
});

describe('policy paths', () => {
  function policyFolder(): string {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'real', 'custom'), { recursive: true });
    writeFileSync(path.join(dir, 'real', 'custom', 'always.yaml'), POLICY);
    return dir;
  }

  it('a symlinked policy folder and a symlinked policy file are followed', async () => {
    const dir = policyFolder();
    mkdirSync(path.join(dir, 'linked'));
    symlinkSync(path.join(dir, 'real', 'custom'), path.join(dir, 'linked', 'custom'));
    const folder = await runCli(['rules', '--policies', path.join(dir, 'linked'), '--json']);
    expect(folder.stdout).toContain('custom/always');
    mkdirSync(path.join(dir, 'files', 'custom'), { recursive: true });
    symlinkSync(path.join(dir, 'real', 'custom', 'always.yaml'), path.join(dir, 'files', 'custom', 'always.yaml'));
    const file = await runCli(['rules', '--policies', path.join(dir, 'files'), '--json']);
    expect(file.stdout).toContain('custom/always');
  });

  it('a symlink loop is read once, not forever', { timeout: 15_000 }, async () => {
    const dir = policyFolder();
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'real', 'custom', 'loop'));
    const r = await runCli(['validate', path.join(dir, 'real')]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rules and \d+ packs are valid/);
  });

  it('an empty --policies folder is named in a warning (scan and validate)', async () => {
    const dir = tempDir();
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const s = await runCli(['scan', '--demo', '--policies', empty, '--out-dir', path.join(dir, 'out'), '--format', 'json']);
    expect(s.code).toBe(1);
    expect(s.stderr).toContain(`warning: --policies ${empty} contributed no rule`);
    const v = await runCli(['validate', empty]);
    expect(v.code).toBe(0);
    expect(v.stderr).toContain(`warning: ${empty} contributed no rule`);
  });
});
