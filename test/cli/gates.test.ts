/**
 * The gate and the triage flags of `scan` (issue 17): findings gate through --fail-on,
 * incompleteness through --fail-on-incomplete, and what is incomplete is always said.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { runCli } from '../support/cli-runner.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'examples/demo/snapshot.json');

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trailwarden-gates-'));
}

/** The demo without its inaccessible account: a complete scope that still misses some facts. */
function completeScopeSnapshot(dir: string): string {
  const snapshot = parseSnapshot(readFileSync(DEMO, 'utf8'), DEMO);
  const complete = { ...snapshot, accounts: snapshot.accounts.filter((account) => account.id !== '555555555555'), errors: (snapshot.errors ?? []).filter((e) => e.$error.accountId !== '555555555555') };
  const file = path.join(dir, 'complete.json');
  writeFileSync(file, JSON.stringify(complete));
  return file;
}

describe('scan --fail-on-incomplete', () => {
  it('by default (any) exits 3 with --fail-on none when facts are missing, and says why and how to accept it', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--fail-on', 'none']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/trailwarden: exit 3: the scan is incomplete \(1 part of the scope could not be enumerated\)/);
    expect(r.stderr).toMatch(/\d+ findings could not be evaluated, \d+ facts could not be collected \(--fail-on-incomplete is any; none would accept it\)/);
  });

  it('scope: exits 0 when only facts inside a complete scope are missing, and still says so', async () => {
    const dir = tempDir();
    const snapshot = completeScopeSnapshot(dir);
    const r = await runCli(['scan', '--snapshot', snapshot, '--out-dir', dir, '--format', 'console', '--fail-on', 'none', '--fail-on-incomplete', 'scope']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/trailwarden: note: \d+ findings could not be evaluated, \d+ facts could not be collected; accepted because --fail-on-incomplete is scope/);
    expect(r.stdout).toMatch(/\d+ could not be evaluated/);
    const strict = await runCli(['scan', '--snapshot', snapshot, '--out-dir', dir, '--format', 'json', '--fail-on', 'none']);
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/\(--fail-on-incomplete is any; scope or none would accept it\)/);
  });

  it('scope: an incomplete scope still exits 3', async () => {
    const r = await runCli(['scan', '--demo', '--out-dir', tempDir(), '--format', 'json', '--fail-on', 'none', '--fail-on-incomplete', 'scope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/exit 3: the scan is incomplete/);
    expect(r.stderr).toMatch(/note: \d+ findings could not be evaluated.*accepted because --fail-on-incomplete is scope/);
  });

  it('none: exits 0, yet the incomplete scope is never silent (console line and stderr note)', async () => {
    const r = await runCli(['scan', '--demo', '--out-dir', tempDir(), '--format', 'console', '--fail-on', 'none', '--fail-on-incomplete', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Incomplete scan: 1 part of the scope \(accounts\) could not be enumerated/);
    expect(r.stderr).toMatch(/trailwarden: note: the scan is incomplete .*; accepted because --fail-on-incomplete is none/);
    expect(r.stderr).not.toMatch(/exit \d/);
  });

  it('failures still exit 1 whatever it says, and the reason names the threshold', async () => {
    const r = await runCli(['scan', '--demo', '--out-dir', tempDir(), '--format', 'json', '--fail-on-incomplete', 'none']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('trailwarden: exit 1: findings fail at or above --fail-on (high)');
  });

  it('is read from the config file, and a bad value is a usage error', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'trailwarden.config.yaml'), 'failOn: none\nfailOnIncomplete: none\n');
    const r = await runCli(['scan', '--demo', '--out-dir', dir, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(0);
    const bad = await runCli(['scan', '--demo', '--out-dir', dir, '--fail-on-incomplete', 'sometimes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected one of any, scope, none, not 'sometimes'/);
  });
});
