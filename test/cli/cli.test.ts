/**
 * The CLI end to end, in process: argv -> exit code, files and messages (SPEC §2).
 */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { parseResultsJson } from '../support/results-json.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trailwarden-cli-'));
}

describe('scan --demo', () => {
  it('writes results.json with passes and failures and exits 1 on high failures', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const results = parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.tool.name).toBe('trailwarden');
    expect(results.findings.some((f) => f.status === 'pass')).toBe(true);
    expect(results.findings.some((f) => f.status === 'fail')).toBe(true);
    expect(results.findings.some((f) => f.status === 'error')).toBe(true);
    expect(results.collectionErrors.some((e) => e.action === 'sts:AssumeRole')).toBe(true);
    expect(results.accounts.length).toBe(8);
  });

  it('exits 3 when nothing fails at the threshold but facts are missing', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--fail-on', 'none']);
    expect(r.code).toBe(3);
  });

  it('prints the console report to stdout and names the files on stderr', async () => {
    const out = tempDir();
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'console,json']);
    expect(r.stdout).toMatch(/fail/i);
    expect(r.stdout).not.toContain('\u001b['); // no colour when not a TTY
    expect(r.stderr).toContain('results.json');
  });

  it('writes every default format', async () => {
    const out = tempDir();
    await runCli(['scan', '--demo', '--out-dir', out]);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.json', 'results.sarif']);
  });

  it('saves and re-evaluates a snapshot to the same findings', async () => {
    const dir = tempDir();
    const snap = path.join(dir, 'snap.json');
    const a = await runCli(['scan', '--demo', '--save-snapshot', snap, '--out-dir', path.join(dir, 'a'), '--format', 'json']);
    const b = await runCli(['scan', '--snapshot', snap, '--out-dir', path.join(dir, 'b'), '--format', 'json']);
    expect(a.code).toBe(b.code);
    const fa = (parseResultsJson(readFileSync(path.join(dir, 'a', 'results.json'), 'utf8'))).findings;
    const fb = (parseResultsJson(readFileSync(path.join(dir, 'b', 'results.json'), 'utf8'))).findings;
    expect(fb).toEqual(fa);
  });

  it('narrows to a pack', async () => {
    const out = tempDir();
    await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--pack', 'cis-aws-foundations-v5.0']);
    const results = parseResultsJson(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.pack).toBe('cis-aws-foundations-v5.0');
    // The engine's own scope rule reports what the scan could not see (the demo's inaccessible account), whatever the pack.
    expect(results.rules.filter((r) => r.id !== 'trailwarden/scan-scope').every((r) => Object.hasOwn(r.frameworks, 'cis-aws-foundations-v5.0'))).toBe(true);
    expect(results.rules.map((r) => r.id)).toContain('trailwarden/scan-scope');
  });
});

describe('bad input exits 2 with a located message', () => {
  it('a snapshot that is not JSON', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{\n  "schemaVersion": "1.0",\n  "accounts": [,]\n}\n');
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+ snapshot/json`));
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(path.join(dir, 'results.json'))).toBe(false);
  });

  it('a snapshot that does not match the schema names the JSON path', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.json');
    const demo = JSON.parse(readFileSync(path.join(ROOT, 'examples/demo/snapshot.json'), 'utf8'));
    demo.trails[0].isMultiRegion = 'yes';
    delete demo.accounts[1].trailArns;
    writeFileSync(file, JSON.stringify(demo));
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$.trails[0].isMultiRegion');
    expect(r.stderr).toContain('$.accounts[1]');
    expect(r.stderr).toContain('snapshot/schema');
  });

  it('a snapshot of an unknown schema version', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'future.json');
    const demo = JSON.parse(readFileSync(path.join(ROOT, 'examples/demo/snapshot.json'), 'utf8'));
    demo.schemaVersion = '9.0';
    writeFileSync(file, JSON.stringify(demo));
    const r = await runCli(['scan', '--snapshot', file, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('schemaVersion "9.0" is not supported');
  });

  it('a missing snapshot file', async () => {
    const r = await runCli(['scan', '--snapshot', '/nonexistent/snap.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/snap.json:0:0 snapshot/unreadable file not found');
  });

  it.each([
    [['scan', '--fail-on', 'extreme', '--demo'], /fail-on/],
    [['scan', '--format', 'pdf', '--demo'], /unknown format pdf/],
    [['scan', '--regions', 'Mars', '--demo'], /not region names: Mars/],
    [['scan', '--accounts', '12345', '--role-name', 'r'], /12 digits/],
    [['scan', '--shard', '3/2', '--demo'], /I\/N/],
    [['scan', '--bogus'], /unknown option/],
    [['scan', '--demo', '--snapshot', 'x.json'], /choose one/],
    [['scan', '--demo', '--org'], /cannot be combined with --org/],
    [['scan', '--org'], /--org needs --role-name/],
    [['nonsense'], /unknown command/],
  ])('%j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('an unknown pack lists the available ones', async () => {
    const r = await runCli(['scan', '--demo', '--pack', 'cis-aws-foundations-v5', '--out-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown pack 'cis-aws-foundations-v5'; available: .*cis-aws-foundations-v5\.0/);
  });
});

describe('validate', () => {
  it('accepts the built-in policies', async () => {
    const r = await runCli(['validate']);
    expect(r.stdout + r.stderr).toMatch(/rules and \d+ packs are valid/);
    expect(r.code).toBe(0);
  });

  it('reports every mistake of a policy file with file:line:col code', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'custom'));
    const file = path.join(dir, 'custom', 'broken-rule.yaml');
    writeFileSync(
      file,
      [
        'id: custom/broken-rule',
        'title: A rule with mistakes',
        'severity: high',
        'scope: trail',
        'description: Several mistakes at once, each reported with its own location.',
        'remediation: { console: "x", cli: "y" }',
        'frameworks: {}',
        'condition:',
        '  all:',
        '    - { path: trail.logFileValidatonEnabled, op: eq, value: true }',
        '    - { path: trail.isMultiRegion, op: gte, value: 3 }',
        '    - { path: trail.status.isLogging, op: eq, value: "true" }',
        '    - { path: trail.kmsKeyId, op: exists }',
        '    - { path: trail.name, op: startsWith, value: { param: prefix } }',
        'messages: { pass: "ok {resource}", fail: "bad {resource} {param.nope}" }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/broken-rule\.yaml:10:\d+ policy\/unknown-path 'trail\.logFileValidatonEnabled'.*available here: .*logFileValidationEnabled/),
        expect.stringMatching(/broken-rule\.yaml:11:\d+ policy\/operator-type operator 'gte' does not apply to 'trail\.isMultiRegion'/),
        expect.stringMatching(/broken-rule\.yaml:12:\d+ policy\/value-type .*never string "true"/),
        expect.stringMatching(/broken-rule\.yaml:14:\d+ policy\/unknown-param parameter 'prefix'/),
        expect.stringMatching(/broken-rule\.yaml:15:\d+ policy\/unknown-param .*\{param\.nope\}/),
      ]),
    );
    expect(lines.length).toBe(5);
  });

  it('reports YAML and schema problems with positions, all at once', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'custom'));
    const bad = path.join(dir, 'custom', 'schema-mistakes.yaml');
    writeFileSync(
      bad,
      ['id: custom/wrong-name', 'title: T', 'severity: urgent', 'scope: trail', 'description: d', 'remediation: { console: c }', 'frameworks: {}', 'condition: { path: trail.name, op: like, value: x }', 'messages: { pass: p, fail: f }', 'colour: blue', ''].join('\n'),
    );
    const broken = path.join(dir, 'custom', 'not-yaml.yaml');
    writeFileSync(broken, 'id: custom/not-yaml\ntitle: [unclosed\n');
    const r = await runCli(['validate', path.join(dir, 'custom')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/schema-mistakes\.yaml:3:11 schema\/enum severity is "urgent"; expected one of: critical/);
    expect(r.stdout).toMatch(/schema-mistakes\.yaml:8:\d+ schema\/enum condition\.op is "like"/);
    expect(r.stdout).toMatch(/schema-mistakes\.yaml:10:1 schema\/unknown-property \(document\) has unknown property 'colour'/);
    expect(r.stdout).toMatch(/not-yaml\.yaml:\d+:\d+ yaml\//);
  });

  it('reports a config that names unknown rules and parameters', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, ['rules:', '  bucket/retenton:', '    params: { minDays: 400 }', '  trail/log-file-validation:', '    params: { minDays: 3 }', ''].join('\n'));
    const r = await runCli(['validate', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/trailwarden\.config\.yaml:2:3 config\/unknown-rule rule 'bucket\/retenton' does not exist/);
    expect(r.stdout).toMatch(/trailwarden\.config\.yaml:5:\d+ config\/unknown-param rule 'trail\/log-file-validation' has no parameter 'minDays'/);
  });
});

describe('config: parameters and suppressions', () => {
  it('suppresses a failing finding, keeps it marked in JSON, and reports expired suppressions', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'trailwarden.config.yaml');
    writeFileSync(
      config,
      [
        'suppressions:',
        '  - rule: trail/log-file-validation',
        '    resource: "arn:aws:cloudtrail:*:333333333333:trail/*"',
        '    reason: Payments local trail is being decommissioned (CHG-1234).',
        '    expires: 2026-12-31',
        '  - rule: trail/kms-encryption',
        '    resource: "333333333333"',
        '    reason: Expired exception.',
        '    expires: 2026-10-01',
        '',
      ].join('\n'),
    );
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir, '--format', 'json']);
    const results = parseResultsJson(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    const suppressed = results.findings.filter((f) => f.suppression);
    expect(suppressed.map((f) => f.ruleId)).toEqual(['trail/log-file-validation']);
    expect(suppressed[0]!.suppression!.reason).toContain('CHG-1234');
    expect(results.expiredSuppressions).toEqual([expect.objectContaining({ ruleId: 'trail/kms-encryption', expires: '2026-10-01' })]);
    expect(r.stderr).toMatch(/suppression of trail\/kms-encryption for 333333333333 expired on 2026-10-01/);
  });

  it('rejects suppressions that name an unknown rule, with the location; disabled and out-of-pack rules stay known', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'trailwarden.config.yaml');
    writeFileSync(
      config,
      [
        'rules:',
        '  trail/tagged:',
        '    enabled: false',
        'suppressions:',
        '  - rule: trail/log-file-validaton',
        '    resource: "*"',
        '    reason: typo in the rule id',
        '  - rule: nosuch/*',
        '    resource: "111111111111"',
        '    reason: glob that matches nothing',
        '  - rule: trail/tagged',
        '    resource: "*"',
        '    reason: disabled but known',
        '  - rule: trailwarden/scan-scope',
        '    resource: "*"',
        '    reason: hide what the scan could not see',
        '',
      ].join('\n'),
    );
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir, '--format', 'json']);
    expect(r.stderr).toMatch(/trailwarden\.config\.yaml:14:\d+ config\/unsuppressible-rule trailwarden\/scan-scope cannot be suppressed/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trailwarden\.config\.yaml:5:\d+ config\/unknown-rule suppression names rule 'trail\/log-file-validaton', which does not exist/);
    expect(r.stderr).toMatch(/trailwarden\.config\.yaml:8:\d+ config\/unknown-rule suppression pattern 'nosuch\/\*' matches no rule/);
    expect(r.stderr).not.toMatch(/trail\/tagged/);
    const v = await runCli(['validate', '--config', config]);
    expect(v.code).toBe(2);
    expect(v.stdout).toMatch(/:5:\d+ config\/unknown-rule/);

    // A disabled rule and a rule outside the selected pack are known rules: no error.
    writeFileSync(
      config,
      ['rules:', '  trail/tagged:', '    enabled: false', 'suppressions:', '  - rule: trail/tagged', '    resource: "*"', '    reason: disabled but known', ''].join('\n'),
    );
    const ok = await runCli(['scan', '--demo', '--config', config, '--pack', 'cis-aws-foundations-v5.0', '--out-dir', dir, '--format', 'json', '--fail-on', 'none']);
    expect(ok.stderr).not.toMatch(/unknown-rule/);
    expect([0, 3]).toContain(ok.code);
    expect((await runCli(['validate', '--config', config])).code).toBe(0);
  });

  it('warns about a catch-all suppression', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'trailwarden.config.yaml');
    writeFileSync(config, ['suppressions:', '  - rule: "*"', '    resource: "*"', '    reason: make it green', ''].join('\n'));
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir, '--format', 'json']);
    expect(r.stderr).toMatch(/warning: \S*trailwarden\.config\.yaml:2:5 suppression\/catch-all rule '\*' and resource '\*' \(make it green\) silences every failing finding of every rule/);
  });

  it('reads rule parameters from the default config file in the working folder', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'trailwarden.config.yaml'), 'rules:\n  logs/retention:\n    params: { minDays: 3650 }\n');
    await runCli(['scan', '--demo', '--out-dir', 'out', '--format', 'json'], { cwd: dir });
    const results = parseResultsJson(readFileSync(path.join(dir, 'out', 'results.json'), 'utf8'));
    const retention = results.findings.filter((f) => f.ruleId === 'logs/retention');
    expect(retention.some((f) => f.status === 'fail' && f.message.includes('3650'))).toBe(true);
  });

  it('a config that is not valid YAML exits 2 with its location', async () => {
    const dir = tempDir();
    const config = path.join(dir, 'c.yaml');
    writeFileSync(config, 'failOn: high\nformat: [json\n');
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/c\.yaml:\d+:\d+ yaml\//);
  });
});

describe('rules', () => {
  it('lists rules of a pack with its control ids', async () => {
    const r = await runCli(['rules', '--pack', 'cis-aws-foundations-v1.2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trail\/log-file-validation\s+medium\s+trail\s+2\.2/);
  });

  it('prints JSON', async () => {
    const r = await runCli(['rules', '--json']);
    const rows = JSON.parse(r.stdout) as { id: string }[];
    expect(rows.some((x) => x.id === 'bucket/not-public')).toBe(true);
  });
});
