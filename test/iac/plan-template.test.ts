/**
 * scan --template: a CloudFormation template judged by the same rules as a plan, through the
 * Terraform resources its resources stand for, located on the template's own lines.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseResultsJson } from '../support/results-json.js';
import { parseCloudFormation } from '../../src/iac/cloudformation.js';
import { PlanLocator } from '../../src/iac/plan-locations.js';
import { planToSnapshot } from '../../src/iac/plan-snapshot.js';
import { TEMPLATE_SCAN_OPTIONS, templateToPlan } from '../../src/iac/template-plan.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import { runCli } from '../support/cli-runner.js';

const TEMPLATES = path.resolve(import.meta.dirname, '../fixtures/iac/cloudformation');
/** Kept apart from the --iac fixtures, whose folder scan counts its templates. */
const PULL_REQUEST = path.resolve(import.meta.dirname, '../fixtures/iac/pull-request');
const NOW = new Date('2026-12-04T12:00:00Z');

async function planned(name: string, folder = TEMPLATES) {
  const file = path.join(folder, name);
  const parsed = parseCloudFormation(await readFile(file, 'utf8'), name, TEMPLATE_SCAN_OPTIONS);
  const result = planToSnapshot(templateToPlan(parsed.definitions, name), NOW, 'cloudformation-template');
  return { ...result, locator: new PlanLocator(result.origins, parsed.definitions) };
}

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'tw-template-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function scanTemplate(file: string) {
  const r = await runCli(['scan', '--template', file, '--out-dir', out, '--format', 'json']);
  const results = parseResultsJson(await readFile(path.join(out, 'results.json'), 'utf8'));
  return { ...r, finding: (ruleId: string) => results.findings.find((f) => f.ruleId === ruleId)! };
}

describe('template -> snapshot', () => {
  it('turns a landing-zone template with !Sub, !Ref and !GetAtt into a valid snapshot, unknowns named by logical id and property', async () => {
    const { snapshot } = await planned('log-archive-trail.yaml');
    expect(snapshotValidator()(snapshot)).toBe(true);
    expect(snapshot.planned?.source).toBe('cloudformation-template');
    expect(snapshot.trails[0]).toMatchObject({ name: 'acme-org-trail', isOrganizationTrail: true, logFileValidationEnabled: false, s3BucketName: 'acme-log-archive-222222222222' });
    expect(snapshot.buckets[0]).toMatchObject({ name: 'acme-log-archive-222222222222', versioning: { status: 'Suspended' }, logging: { targetBucket: 'acme-access-logs-222222222222' } });
    expect(snapshot.planned?.unknown.find((u) => u.fact === 'kmsKeyId')?.error.$error.message).toBe(
      'OrganizationTrail.KMSKeyId is known only after deploy: CloudTrailKey.Arn is known when the stack is deployed',
    );
  });
});

describe('scan --template', () => {
  it('fails the bucket a template opens, on the policy of the bucket', async () => {
    const scan = await scanTemplate(path.join(PULL_REQUEST, 'open-log-bucket.yaml'));
    expect(scan.code).toBe(1);
    const finding = scan.finding('bucket/not-public');
    expect(finding.status).toBe('fail');
    const { locator } = await planned('open-log-bucket.yaml', PULL_REQUEST);
    expect(locator.locate(finding)).toMatchObject({ address: 'TrailBucketPolicy', attribute: 'PolicyDocument', span: { file: 'open-log-bucket.yaml', startLine: 28 } });
    // As results.json and SARIF carry it: relative to the repository (the current directory).
    expect(finding.iac).toMatchObject({ tool: 'cloudformation', file: 'test/fixtures/iac/pull-request/open-log-bucket.yaml', startLine: 28, address: 'TrailBucketPolicy', resourceType: 'AWS::S3::BucketPolicy' });
  });

  it('locates log file validation and the unknown KMS key on their property lines', async () => {
    const scan = await scanTemplate(path.join(TEMPLATES, 'log-archive-trail.yaml'));
    const { locator } = await planned('log-archive-trail.yaml');
    expect(locator.locate(scan.finding('trail/log-file-validation'))).toMatchObject({ attribute: 'EnableLogFileValidation', span: { startLine: 137 } });
    const kms = scan.finding('trail/kms-encryption');
    expect(kms).toMatchObject({ status: 'error', message: expect.stringContaining('unknown before apply (OrganizationTrail.KMSKeyId is known only after deploy') });
    expect(locator.locate(kms)).toMatchObject({ attribute: 'KMSKeyId', span: { startLine: 138 } });
  });

  it('refuses a file that is not a template, and broken YAML, with a location (exit 2)', async () => {
    const notTemplate = path.join(out, 'values.yaml');
    await writeFile(notTemplate, 'replicas: 3\n');
    const a = await runCli(['scan', '--template', notTemplate, '--out-dir', out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('template/not-a-template');
    const broken = path.join(out, 'broken.yaml');
    await writeFile(broken, 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A: [\n');
    const b = await runCli(['scan', '--template', broken, '--out-dir', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/broken\.yaml:\d+:\d+/);
  });
});
