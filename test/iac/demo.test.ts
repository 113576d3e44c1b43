/**
 * `trailwarden scan --demo --iac examples/demo/iac`: each finding of a resource defined in the
 * demo's infrastructure code carries the file and line that decide it (per rule with a deciding
 * attribute), SARIF uses them as physical locations and still passes the 2.1.0 schema and GitHub's
 * upload rules, fingerprints do not move, and ambiguous and unmatched definitions are listed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResultsJson } from '../support/results-json.js';
import type { Finding, Results } from '../../src/results.js';
import { runCli } from '../support/cli-runner.js';
import { githubUploadProblems, schemaErrors } from '../reporters/sarif-checks.js';
import { lineOf } from './deciding.test.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const IAC = 'examples/demo/iac';

interface SarifResult {
  ruleId: string;
  partialFingerprints: Record<string, string>;
  properties: { arn: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine: number; startColumn?: number } } }[];
}

let withIac: { code: number; stdout: string; results: Results; sarifText: string; html: string };
let withoutIac: { code: number; results: Results; sarifText: string };

async function scan(extra: string[]) {
  const out = mkdtempSync(path.join(tmpdir(), 'tw-iac-demo-'));
  const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'console,json,sarif,html', '--fail-on', 'none', ...extra], { cwd: ROOT });
  return {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    results: readResultsJson(path.join(out, 'results.json')),
    sarifText: readFileSync(path.join(out, 'results.sarif'), 'utf8'),
    html: readFileSync(path.join(out, 'report.html'), 'utf8'),
  };
}

beforeAll(async () => {
  withIac = await scan(['--iac', IAC]);
  withoutIac = await scan([]);
}, 120_000);

const finding = (ruleId: string, name: string): Finding => {
  const found = withIac.results.findings.find((f) => f.ruleId === ruleId && (f.resource.name === name || f.resource.arn.endsWith(name)));
  if (!found) throw new Error(`no ${ruleId} finding for ${name}`);
  return found;
};

describe('scan --demo --iac examples/demo/iac', () => {
  it('runs as without --iac (same exit code) and says what it located', () => {
    expect(withIac.code).toBe(withoutIac.code);
    expect(withIac.code).toBe(3); // the demo organization has a part the scan could not enumerate
    expect(withIac.stdout).toMatch(/Infrastructure code: 26 definitions in 9 files; \d+ findings located, 1 unmatched, 1 ambiguous/);
    expect(withIac.stdout).toContain('AMBIGUOUS fail-startup-trail');
    expect(withIac.stdout).toContain('UNMATCHED aws_cloudtrail.staging');
  });

  const payments = `${IAC}/payments/main.tf`;
  const sandbox = `${IAC}/sandbox/sandbox-trail.yaml`;
  it.each([
    // Terraform, a root module with locals.
    ['trail/log-file-validation', 'fail-payments-local-trail', payments, 'enable_log_file_validation    = false', 'enable_log_file_validation'],
    ['trail/digest-delivery-healthy', 'fail-payments-local-trail', payments, 'enable_log_file_validation    = false', 'enable_log_file_validation'],
    ['trail/kms-encryption', 'fail-payments-local-trail', payments, 'resource "aws_cloudtrail" "local"', undefined],
    ['trail/cloudwatch-logs-integration', 'fail-payments-local-trail', payments, 'resource "aws_cloudtrail" "local"', undefined],
    ['trail/sns-notification', 'fail-payments-local-trail', payments, 'resource "aws_cloudtrail" "local"', undefined],
    ['trail/insights-enabled', 'fail-payments-local-trail', payments, 'resource "aws_cloudtrail" "local"', undefined],
    ['trail/tagged', 'fail-payments-local-trail', payments, 'resource "aws_cloudtrail" "local"', undefined],
    ['bucket/versioning', 'fail-payments-trail-logs', payments, 'status = "Suspended"', 'versioning_configuration.status'],
    ['bucket/mfa-delete', 'fail-payments-trail-logs', payments, 'resource "aws_s3_bucket_versioning" "trail_logs"', undefined],
    ['bucket/not-public', 'fail-payments-trail-logs', payments, 'acl    = "public-read"', 'acl'],
    ['bucket/access-logging', 'fail-payments-trail-logs', payments, 'resource "aws_s3_bucket" "trail_logs"', undefined],
    ['bucket/object-lock', 'fail-payments-trail-logs', payments, 'resource "aws_s3_bucket" "trail_logs"', undefined],
    ['bucket/retention', 'fail-payments-trail-logs', payments, 'rule {', 'rule'],
    ['bucket/secure-transport', 'fail-payments-trail-logs', payments, 'policy = jsonencode', 'policy'],
    ['bucket/policy-scoped', 'fail-payments-trail-logs', payments, 'policy = jsonencode', 'policy'],
    ['bucket/log-deletion-principals', 'fail-payments-trail-logs', payments, 'policy = jsonencode', 'policy'],
    // CloudFormation with short-form intrinsics; the key is found through the trail that uses it.
    ['trail/delivery-healthy', 'fail-sandbox-trail', sandbox, '  SandboxTrail:', undefined],
    ['bucket/exists', 'fail-sandbox-deleted-bucket', sandbox, '  SandboxTrailBucket:', undefined],
    ['kms/key-rotation', 'key/9a8b7c6d-sandbox-pending-deletion', sandbox, 'EnableKeyRotation: false', 'EnableKeyRotation'],
    ['kms/key-policy-scoped', 'key/9a8b7c6d-sandbox-pending-deletion', sandbox, 'KeyPolicy:', 'KeyPolicy'],
    ['kms/key-usable', 'key/9a8b7c6d-sandbox-pending-deletion', sandbox, '  SandboxTrailKey:', undefined],
    ['logs/retention', 'fail-sandbox-trail-log-group', sandbox, '  SandboxTrailLogGroup:', undefined],
    ['logs/kms-encryption', 'fail-sandbox-trail-log-group', sandbox, '  SandboxTrailLogGroup:', undefined],
    ['lake/kms-encryption', 'fail-sandbox-event-store', sandbox, '  SandboxEventStore:', undefined],
    ['lake/hardening', 'fail-sandbox-event-store', sandbox, 'TerminationProtectionEnabled: false', 'TerminationProtectionEnabled'],
  ])('%s on %s -> %s at "%s"', (ruleId, name, file, marker, attribute) => {
    const f = finding(ruleId, name);
    expect(f.status).toBe('fail');
    const line = marker === 'rule {' ? lineOf(file, marker, 'aws_s3_bucket_lifecycle_configuration') : lineOf(file, marker);
    expect(f.iac).toMatchObject({ file, startLine: line });
    expect(f.iac?.attribute).toBe(attribute);
  });

  it('locates the organization trail in the module the management root calls', () => {
    const f = finding('iam/trail-tamper-principals', 'acme-org-trail');
    expect(f.iac).toMatchObject({ file: `${IAC}/modules/org-trail/main.tf`, address: 'module.org_trail.aws_cloudtrail.org', startLine: lineOf(`${IAC}/modules/org-trail/main.tf`, 'resource "aws_cloudtrail" "org"') });
    expect(finding('lake/hardening', 'pass-org-event-store').iac?.file).toBe(`${IAC}/management/main.tf`);
  });

  it('lists the trail defined in two folders as ambiguous and gives its findings no location', () => {
    expect(withIac.results.iac?.ambiguous).toEqual([
      {
        resource: { type: 'trail', arn: 'arn:aws:cloudtrail:us-east-1:777777777777:trail/fail-startup-trail', name: 'fail-startup-trail' },
        definitions: [
          expect.objectContaining({ file: `${IAC}/startup/main.tf`, address: 'aws_cloudtrail.main', tool: 'terraform' }),
          expect.objectContaining({ file: `${IAC}/legacy/startup-trail.json`, address: 'StartupTrail', tool: 'cloudformation' }),
        ],
      },
    ]);
    expect(finding('trail/delivery-healthy', 'fail-startup-trail').iac).toBeUndefined();
  });

  it('lists the definition that matches no scanned resource', () => {
    expect(withIac.results.iac?.unmatched).toEqual([expect.objectContaining({ address: 'aws_cloudtrail.staging', name: 'acme-staging-trail', file: `${IAC}/staging/main.tf` })]);
    expect(withIac.results.iac?.diagnostics).toEqual([]);
  });

  it('leaves findings of resources no code defines as they were', () => {
    const partner = withIac.results.findings.filter((f) => f.resource.name === 'partner-audit-logs-999999999999');
    expect(partner.length).toBeGreaterThan(0);
    expect(partner.every((f) => f.iac === undefined)).toBe(true);
    expect(withoutIac.results.iac).toBeUndefined();
    expect(withoutIac.results.findings.every((f) => f.iac === undefined)).toBe(true);
  });
});

describe('SARIF with --iac', () => {
  it('passes the SARIF 2.1.0 schema and GitHub’s upload rules', () => {
    expect(schemaErrors(JSON.parse(withIac.sarifText))).toEqual([]);
    expect(githubUploadProblems(withIac.sarifText)).toEqual([]);
  });

  it('points located results at the repository file and line, the others at the policy file', () => {
    const results = (JSON.parse(withIac.sarifText) as { runs: { results: SarifResult[] }[] }).runs[0]!.results;
    const validation = results.find((r) => r.ruleId === 'trail/log-file-validation' && r.properties.arn.endsWith('fail-payments-local-trail'));
    const line = lineOf(`${IAC}/payments/main.tf`, 'enable_log_file_validation    = false');
    expect(validation?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: `${IAC}/payments/main.tf` },
      // The attribute, from its name to the end of its value (the end column is exclusive).
      region: { startLine: line, endLine: line, startColumn: 3, endColumn: readFileSync(path.join(ROOT, IAC, 'payments/main.tf'), 'utf8').split('\n')[line - 1]!.trimEnd().length + 1 },
    });
    const unlocated = results.find((r) => r.properties.arn.endsWith('fail-startup-trail'));
    expect(unlocated?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/^policies\//);
  });

  it('keeps every fingerprint: the alert follows the resource, not the line', () => {
    const prints = (text: string) =>
      new Map((JSON.parse(text) as { runs: { results: SarifResult[] }[] }).runs[0]!.results.map((r) => [`${r.ruleId} ${r.properties.arn}`, r.partialFingerprints]));
    const before = prints(withoutIac.sarifText);
    const after = prints(withIac.sarifText);
    expect(after.size).toBe(before.size);
    for (const [key, value] of before) expect(after.get(key), key).toEqual(value);
  });
});

describe('the HTML report with --iac', () => {
  it('shows the IaC location beside the ARN and lists ambiguous and unmatched definitions', () => {
    expect(withIac.html).toContain('id="iac"');
    expect(withIac.html).toContain('acme-staging-trail');
    expect(withIac.html).toContain(`${IAC}/legacy/startup-trail.json:5`);
    expect(withIac.html).toContain(`${IAC}/payments/main.tf:${lineOf(`${IAC}/payments/main.tf`, 'enable_log_file_validation    = false')} · aws_cloudtrail.local.enable_log_file_validation`);
    expect(withoutIac.results.iac).toBeUndefined();
  });
});

describe('--iac from the config file and in merge', () => {
  it('takes the paths from the config file key', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tw-iac-config-'));
    const config = path.join(out, 'trailwarden.config.yaml');
    writeFileSync(config, `iac:\n  - ${IAC}/payments\n`);
    const r = await runCli(['scan', '--demo', '--config', config, '--out-dir', out, '--format', 'json', '--fail-on', 'none'], { cwd: ROOT });
    expect(r.code).toBe(3);
    const results = readResultsJson(path.join(out, 'results.json'));
    expect(results.iac?.paths).toEqual([`${IAC}/payments`]);
    expect(results.findings.find((f) => f.ruleId === 'trail/log-file-validation' && f.resource.name === 'fail-payments-local-trail')?.iac?.file).toBe(`${IAC}/payments/main.tf`);
  });

  it('locates the findings of merged shards too', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tw-iac-merge-'));
    const r = await runCli(['merge', '--out-dir', out, '--format', 'json', '--fail-on', 'none', '--iac', IAC, 'examples/demo/snapshot.json'], { cwd: ROOT });
    expect(r.stderr).not.toContain('internal error');
    const results = readResultsJson(path.join(out, 'results.json'));
    expect(results.iac?.locatedFindings).toBe(withIac.results.iac?.locatedFindings);
  });
});

describe('--iac errors', () => {
  it('exits 2 naming a path that does not exist', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tw-iac-missing-'));
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--iac', 'no/such/folder'], { cwd: ROOT });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no/such/folder:0:0 iac/not-found file not found');
  });

  it('reports an unparseable file as a located warning and still writes the reports', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'tw-iac-broken-'));
    const r = await runCli(['scan', '--demo', '--out-dir', out, '--format', 'json', '--fail-on', 'none', '--iac', 'test/fixtures/iac/broken'], { cwd: ROOT });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/warning: test\/fixtures\/iac\/broken\/main\.tf:\d+:\d+ iac\/parse HCL syntax error/);
    const results = readResultsJson(path.join(out, 'results.json'));
    expect(results.iac?.diagnostics[0]).toMatchObject({ file: 'test/fixtures/iac/broken/main.tf', code: 'iac/parse' });
  });
});
