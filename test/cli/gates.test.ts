/**
 * The gate and the triage flags of `scan` (issue 17): findings gate through --fail-on,
 * incompleteness through --fail-on-incomplete, and what is incomplete is always said.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/results.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { readInputs } from '../../src/action/inputs.js';
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

function readResults(dir: string): Results {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as Results;
}

const policyRules = (results: Results) => results.rules.map((rule) => rule.id).filter((id) => id !== 'trailwarden/scan-scope');

describe('scan --rules, --exclude-rules, --severity', () => {
  it('--rules takes ids and globs and evaluates only those rules', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--rules', 'bucket/*,trail/log-file-validation']);
    expect(r.stderr).not.toMatch(/internal error/);
    const ids = policyRules(readResults(out));
    expect(ids).toContain('trail/log-file-validation');
    expect(ids.length).toBeGreaterThan(2);
    expect(ids.every((id) => id.startsWith('bucket/') || id === 'trail/log-file-validation')).toBe(true);
    // The engine's scope rule is no policy rule: what the scan could not see is reported whatever is selected.
    expect(readResults(out).rules.map((rule) => rule.id)).toContain('trailwarden/scan-scope');
  });

  it('--exclude-rules and --severity narrow what is left, as in `rules`', async () => {
    const out = tempDir();
    await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--exclude-rules', 'bucket/*,monitoring/*', '--severity', 'critical,high']);
    const results = readResults(out);
    const ids = policyRules(results);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.some((id) => id.startsWith('bucket/') || id.startsWith('monitoring/'))).toBe(false);
    expect(results.rules.filter((rule) => rule.id !== 'trailwarden/scan-scope').every((rule) => rule.severity === 'critical' || rule.severity === 'high')).toBe(true);
    const listed = await runCli(['rules', '--json', '--exclude-rules', 'bucket/*,monitoring/*', '--severity', 'critical,high']);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((rule) => rule.id).sort()).toEqual([...ids].sort());
  });

  it('a pattern that matches no rule is a usage error that suggests the nearest ids', async () => {
    const r = await runCli(['scan', '--demo', '--out-dir', tempDir(), '--rules', 'bucket/not-pubic', '--exclude-rules', 'trial/*']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--rules 'bucket/not-pubic' matches no rule; did you mean bucket/not-public?");
    expect(r.stderr).toContain("--exclude-rules 'trial/*' matches no rule");
    const nothingLeft = await runCli(['scan', '--demo', '--out-dir', tempDir(), '--rules', 'bucket/*', '--severity', 'info']);
    expect(nothingLeft.code).toBe(2);
    expect(nothingLeft.stderr).toMatch(/no rule left to evaluate: --rules bucket\/\*, --severity info select nothing together/);
    const bad = await runCli(['scan', '--demo', '--severity', 'urgent']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown severity urgent; choose from critical, high, medium, low, info/);
  });

  it('is one option for the config file (onlyRules, excludeRules, severity) and the Action (inputs rules, exclude-rules, severity)', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'trailwarden.config.yaml'), 'onlyRules: ["trail/*"]\nexcludeRules: [trail/tagged]\n');
    await runCli(['scan', '--demo', '--out-dir', dir, '--format', 'json'], { cwd: dir });
    const ids = policyRules(readResults(dir));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('trail/') && id !== 'trail/tagged')).toBe(true);
    const inputs: Record<string, string> = { rules: 'bucket/*\ntrail/log-file-validation', 'exclude-rules': 'bucket/exists', severity: 'critical, high' };
    expect(readInputs({ getInput: (name) => inputs[name] ?? '' })).toEqual({ onlyRules: ['bucket/*', 'trail/log-file-validation'], excludeRules: ['bucket/exists'], severity: ['critical', 'high'] });
  });

  it('matches hostile patterns in linear time (no backtracking blow-up)', async () => {
    const pattern = `${'*a'.repeat(99)}b`;
    const started = Date.now();
    const r = await runCli(['rules', '--rules', pattern]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('matches no rule');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('scan --status and --quiet (what the console shows)', () => {
  it('--status lists findings of those statuses only, while results.json keeps every finding', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'console,json', '--status', 'error']);
    const listed = r.stdout.split('\n').filter((line) => /^ {2}(FAIL|ERROR|PASS|N\/A)\b/.test(line));
    const results = readResults(out);
    const errors = results.findings.filter((f) => f.status === 'error' && !f.suppression);
    expect(r.stdout).toContain(`Findings: error (${errors.length})`);
    expect(listed).toHaveLength(errors.length);
    expect(listed.every((line) => line.startsWith('  ERROR'))).toBe(true);
    expect(results.findings.some((f) => f.status === 'pass')).toBe(true);
  });

  it('--quiet prints only the failing findings and the verdict, and still says the scan is incomplete', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'console,json', '--quiet']);
    const failing = readResults(out).findings.filter((f) => f.status === 'fail' && !f.suppression);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('  FAIL'))).toHaveLength(failing.length);
    expect(r.stdout).not.toMatch(/Critical +High/);
    expect(r.stdout).not.toMatch(/^ {2}ERROR/m);
    expect(lines.at(-2)).toMatch(/^\d+ failing findings · /);
    expect(lines.at(-1)).toMatch(/^Incomplete scan: /);
  });
});

describe('rules --packs', () => {
  it('lists every framework pack with its controls and rules, as text and JSON', async () => {
    const text = await runCli(['rules', '--packs']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^cis-aws-foundations-v5\.0 +24 +24 +CIS Amazon Web Services Foundations Benchmark v5\.0\.0$/m);
    const json = JSON.parse((await runCli(['rules', '--packs', '--json'])).stdout) as { id: string; controls: number; rules: number }[];
    expect(json.map((pack) => pack.id)).toEqual(readdirSync(path.join(ROOT, 'policies/packs')).map((file) => file.replace(/\.yaml$/, '')).sort());
    expect(json.every((pack) => pack.rules > 0)).toBe(true);
  });
});

describe('scan --pack: the per-control rollup', () => {
  it('is in results.json (additive), the console and the job summary, computed once', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'console,json,summary', '--pack', 'cis-aws-foundations-v5.0']);
    const results = readResults(out);
    const rollup = results.controls!;
    expect(rollup.pack).toBe('cis-aws-foundations-v5.0');
    expect(rollup.accounts).toBe(results.accounts.length);
    expect(rollup.controls.map((control) => control.id)).toContain('3.1');
    for (const control of rollup.controls) {
      expect(control.passing + control.failing + control.unevaluated + control.notApplicable).toBe(results.accounts.length);
      expect(control.failingAccounts).toHaveLength(control.failing);
      // An account fails a control exactly when one of the control's rules fails (unsuppressed) on its resources.
      const failingAccounts = new Set(results.findings.filter((f) => control.rules.includes(f.ruleId) && f.status === 'fail' && !f.suppression && results.accounts.some((a) => a.id === f.resource.accountId)).map((f) => f.resource.accountId));
      expect(control.failingAccounts).toEqual([...failingAccounts].sort());
    }
    expect(r.stdout).toContain('Controls of CIS Amazon Web Services Foundations Benchmark v5.0.0 (8 accounts each)');
    expect(readFileSync(path.join(out, 'summary.md'), 'utf8')).toContain('### Controls of CIS Amazon Web Services Foundations Benchmark v5.0.0');
    const plain = tempDir();
    await runCli(['scan', '--demo', '--out-dir', plain, '--format', 'json']);
    expect(readResults(plain).controls).toBeUndefined();
  });
});
