/**
 * scan --plan: a Terraform plan's JSON judged by the same rules, its unknowns reported as such,
 * its runtime-only facts not applicable, and each finding located on the .tf line that decides it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseResultsJson } from '../support/results-json.js';
import { readIac } from '../../src/iac/index.js';
import { parsePlan, readPlan, withoutInstanceKeys } from '../../src/iac/plan-json.js';
import { PlanLocator } from '../../src/iac/plan-locations.js';
import { PLACEHOLDER_ACCOUNT, planToSnapshot } from '../../src/iac/plan-snapshot.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { UserError } from '../../src/errors.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import { runCli } from '../support/cli-runner.js';
import { seededRandom } from '../support/random.js';
import { githubUploadProblems, schemaErrors } from '../reporters/sarif-checks.js';

const PLANS = path.resolve(import.meta.dirname, '../fixtures/iac/plans');
const NOW = new Date('2026-12-04T12:00:00Z');

async function scanPlan(story: string, out: string) {
  const r = await runCli(['scan', '--plan', path.join(PLANS, story, 'tfplan.json'), '--out-dir', out, '--format', 'json,sarif']);
  const results = parseResultsJson(await readFile(path.join(out, 'results.json'), 'utf8'));
  return { ...r, results, finding: (ruleId: string) => results.findings.find((f) => f.ruleId === ruleId)! };
}

async function locatorFor(story: string) {
  const planned = planToSnapshot(await readPlan(path.join(PLANS, story, 'tfplan.json')), NOW);
  const index = await readIac([path.join(PLANS, story)], { base: PLANS });
  return { planned, locator: new PlanLocator(planned.origins, index.definitions) };
}

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'tw-plan-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('plan -> snapshot', () => {
  it('makes a snapshot the snapshot schema accepts, with the account and region of the provider', async () => {
    const { snapshot, origins } = planToSnapshot(await readPlan(path.join(PLANS, 'log-validation-disabled', 'tfplan.json')), NOW);
    expect(snapshotValidator()(snapshot)).toBe(true);
    expect(snapshot.trails[0]).toMatchObject({ name: 'acme-trail', ownerAccountId: '222233334444', homeRegion: 'eu-west-1', logFileValidationEnabled: false, s3BucketName: 'acme-cloudtrail-logs' });
    expect(snapshot.buckets[0]).toMatchObject({ name: 'acme-cloudtrail-logs', versioning: { status: 'Enabled', mfaDelete: false } });
    expect(snapshot.planned?.source).toBe('terraform-plan');
    expect(origins.find((o) => o.type === 'aws_cloudtrail')?.attributes.logFileValidationEnabled).toBe('enable_log_file_validation');
  });

  it('records an attribute known only after apply in the fact it sets, and uses a named placeholder account', async () => {
    const { snapshot, warnings } = planToSnapshot(await readPlan(path.join(PLANS, 'unknown-kms-key', 'tfplan.json')), NOW);
    expect(snapshot.trails[0]!.kmsKeyId).toBeUndefined();
    expect(snapshot.planned?.unknown).toEqual([
      expect.objectContaining({ fact: 'kmsKeyId', error: { $error: expect.objectContaining({ code: 'UnknownBeforeApply', message: expect.stringContaining('aws_cloudtrail.main.kms_key_id is known only after apply: it is aws_kms_key.trail.arn') }) } }),
    ]);
    expect(snapshot.accounts[0]!.id).toBe(PLACEHOLDER_ACCOUNT);
    expect(warnings.join('\n')).toContain('does not say which AWS account');
    // The planned key the trail references is judged by the key rules.
    expect(snapshot.kmsKeys).toHaveLength(1);
    expect(snapshot.kmsKeys[0]!.rotationEnabled).toBe(false);
  });

  it('finds resources in modules by their address without instance keys', async () => {
    const { snapshot, origins } = planToSnapshot(await readPlan(path.join(PLANS, 'module-org-trail', 'tfplan.json')), NOW);
    expect(snapshot.trails[0]).toMatchObject({ name: 'acme-org-trail', isOrganizationTrail: true, s3BucketName: 'acme-org-trail-logs' });
    expect(origins.map((o) => o.configAddress)).toContain('module.org_trail.aws_cloudtrail.this');
    expect(withoutInstanceKeys('module.a["x.y]"].module.b[0]')).toBe('module.a.module.b');
  });

  it('turns values of the wrong shape into errors or defaults, never a crash or an invalid snapshot', () => {
    const change = (address: string, type: string, after: unknown, unknown: unknown = {}) => ({ address, mode: 'managed', type, name: address.split('.')[1], change: { actions: ['create'], before: null, after, after_unknown: unknown } });
    const plan = {
      format_version: '1.2',
      resource_changes: [
        change('aws_cloudtrail.odd', 'aws_cloudtrail', { name: 5, s3_bucket_name: 'b', event_selector: 'x', advanced_event_selector: [{ field_selector: [{ field: null, equals: [1] }] }], tags: [1], kms_key_id: {} }, { tags_all: 'yes' }),
        change('aws_s3_bucket.b', 'aws_s3_bucket', { bucket: 'b' }),
        change('aws_s3_bucket_policy.b', 'aws_s3_bucket_policy', { bucket: 'b', policy: `{"Statement":${'['.repeat(200)}${']'.repeat(200)}}` }),
        change('aws_s3_bucket_lifecycle_configuration.b', 'aws_s3_bucket_lifecycle_configuration', { bucket: 'b', rule: [{ expiration: [{ days: 1.5, date: 'not a date' }], filter: 'x', noncurrent_version_expiration: [{ noncurrent_days: 'x' }] }] }),
        change('aws_s3_bucket_versioning.b', 'aws_s3_bucket_versioning', { bucket: 'b', versioning_configuration: 'on' }, { versioning_configuration: [true] }),
      ],
    };
    const { snapshot } = planToSnapshot(parsePlan(JSON.stringify(plan), 'odd.json'), NOW);
    expect(snapshotValidator()(snapshot), JSON.stringify(snapshotValidator().errors)).toBe(true);
    expect(snapshot.trails[0]!.eventSelectors).toMatchObject({ $error: { code: 'MalformedConfiguration' } });
    expect(snapshot.buckets[0]!.policy).toMatchObject({ $error: { code: 'MalformedPolicy' } });
  });

  it('survives mutated plans: every value of the fixtures swapped for another kind still gives a valid snapshot or a located error', async () => {
    const random = seededRandom(16);
    const replacements: unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], [null], {}, { a: [true] }, '{"Statement":"*"}'];
    for (const story of ['log-validation-disabled', 'unknown-kms-key', 'module-org-trail']) {
      const original = await readFile(path.join(PLANS, story, 'tfplan.json'), 'utf8');
      for (let round = 0; round < 60; round++) {
        const plan = JSON.parse(original) as unknown;
        // Swap a handful of values anywhere in the document (an explicit stack: no recursion).
        const stack: unknown[] = [plan];
        while (stack.length) {
          const node = stack.pop();
          if (typeof node !== 'object' || node === null) continue;
          for (const key of Object.keys(node)) {
            const record = node as Record<string, unknown>;
            if (random() < 0.04) record[key] = replacements[Math.floor(random() * replacements.length)];
            else stack.push(record[key]);
          }
        }
        let snapshot: Snapshot | undefined;
        try {
          snapshot = planToSnapshot(parsePlan(JSON.stringify(plan), 'mutated.json'), NOW).snapshot;
        } catch (err) {
          expect(err, `${story} round ${round}`).toBeInstanceOf(UserError);
        }
        if (snapshot) {
          const validate = snapshotValidator();
          expect(validate(snapshot), `${story} round ${round}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(true);
        }
      }
    }
  });

  it('leaves out what the plan deletes', () => {
    const plan = {
      format_version: '1.2',
      resource_changes: [
        { address: 'aws_cloudtrail.old', mode: 'managed', type: 'aws_cloudtrail', name: 'old', change: { actions: ['delete'], before: { name: 'old' }, after: null, after_unknown: {} } },
      ],
    };
    expect(planToSnapshot(parsePlan(JSON.stringify(plan), 'p.json'), NOW).snapshot.trails).toEqual([]);
  });
});

describe('reading plan JSON', () => {
  const located = (text: string) => {
    try {
      parsePlan(text, 'tfplan.json');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return (err as UserError).diagnostics[0]!;
    }
    throw new Error('accepted');
  };
  it('refuses another major format_version, a state, truncated JSON and deep nesting, located', () => {
    expect(located('{\n  "format_version": "2.0", "resource_changes": []}')).toMatchObject({ file: 'tfplan.json', line: 2, code: 'plan/format-version' });
    expect(located('{"format_version": "1.0", "values": {}}')).toMatchObject({ code: 'plan/not-a-plan', message: expect.stringContaining('this is a state') });
    expect(located('{"format_version": "1.0", "resource_changes": [')).toMatchObject({ code: 'plan/json' });
    expect(located('[]')).toMatchObject({ code: 'plan/not-a-plan' });
    expect(located(`{"format_version":"1.0","resource_changes":${'['.repeat(5000)}${']'.repeat(5000)}}`).code).toBe('plan/too-deep');
  });
});

interface SarifLog {
  runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
}

describe('scan --plan', () => {
  it('writes SARIF that passes the schema and upload rules, with each result on the .tf line of its resource', async () => {
    const scan = await scanPlan('log-validation-disabled', out);
    const text = await readFile(path.join(out, 'results.sarif'), 'utf8');
    const sarif = JSON.parse(text) as SarifLog;
    expect(schemaErrors(sarif)).toEqual([]);
    expect(githubUploadProblems(text)).toEqual([]);
    const validation = sarif.runs[0]!.results.find((r) => r.ruleId === 'trail/log-file-validation')!;
    expect(validation.locations[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: 'test/fixtures/iac/plans/log-validation-disabled/main.tf' }, region: { startLine: 39 } });
    expect(scan.finding('trail/log-file-validation').iac).toMatchObject({ address: 'aws_cloudtrail.main', attribute: 'enable_log_file_validation', startLine: 39 });
    // Account rules have no definition: they keep the policy file's location.
    const account = sarif.runs[0]!.results.find((r) => r.ruleId === 'coverage/security-trail-baseline')!;
    expect(account.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^policies\//);
  });


  it('fails log file validation of a plan that turns it off, on the line that does it', async () => {
    const scan = await scanPlan('log-validation-disabled', out);
    expect(scan.code).toBe(1);
    const finding = scan.finding('trail/log-file-validation');
    expect(finding.status).toBe('fail');
    const { locator } = await locatorFor('log-validation-disabled');
    expect(locator.locate(finding)).toMatchObject({ address: 'aws_cloudtrail.main', attribute: 'enable_log_file_validation', span: { file: 'log-validation-disabled/main.tf', startLine: 39 } });
  });

  it('says "unknown before apply" for the encryption rule when the KMS key is created by the same plan', async () => {
    const scan = await scanPlan('unknown-kms-key', out);
    const finding = scan.finding('trail/kms-encryption');
    expect(finding.status).toBe('error');
    expect(finding.message).toMatch(/unknown before apply \(aws_cloudtrail\.main\.kms_key_id is known only after apply/);
    const { locator } = await locatorFor('unknown-kms-key');
    expect(locator.locate(finding)).toMatchObject({ attribute: 'kms_key_id', span: { file: 'unknown-kms-key/main.tf', startLine: 15 } });
    // Facts no plan holds are not applicable, never a pass or a fail.
    expect(scan.finding('trail/delivery-healthy')).toMatchObject({ status: 'not_applicable', message: expect.stringContaining('cannot be known before deploy') });
    expect(scan.finding('coverage/trail-logging').status).toBe('not_applicable');
    expect(scan.finding('iam/trail-tamper-principals').status).toBe('not_applicable');
    expect(scan.results.findings.some((f) => f.ruleId === 'trailwarden/scan-scope')).toBe(false);
    expect(scan.code).toBe(3);
  });

  it('the console and the job summary say "known only after apply" for planned values, never "could not be collected"', async () => {
    const r = await runCli(['scan', '--plan', path.join(PLANS, 'unknown-kms-key', 'tfplan.json'), '--out-dir', out, '--format', 'console,summary,html']);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Known only after apply: 2 planned values; rules that need them report error until the deployed resources are scanned\.\n {2}aws_kms_key\.trail\.policy is known only after apply\n {2}aws_cloudtrail\.main\.kms_key_id is known only after apply: it is aws_kms_key\.trail\.arn\n/);
    expect(r.stdout).not.toContain('could not be collected');
    expect(r.stdout).not.toContain('Collection errors');
    // As GitHub renders it: Markdown escapes taken off.
    const summary = (await readFile(path.join(out, 'summary.md'), 'utf8')).replace(/\\(.)/g, '$1');
    expect(summary).toMatch(/### Known only after apply \(2\)\n\nPlanned values [^\n]*\n\n- aws_kms_key\.trail\.policy is known only after apply\n- aws_cloudtrail\.main\.kms_key_id is known only after apply: it is aws_kms_key\.trail\.arn\n/);
    expect(summary).not.toContain('Collection errors');
    const html = await readFile(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('Facts that could not be read, and planned values known only after apply.');
    expect(html.match(/Known only after apply: nothing failed/g)).toHaveLength(2);
  });

  it('fails the bucket a module opens, on the policy line', async () => {
    const scan = await scanPlan('module-org-trail', out);
    const finding = scan.finding('bucket/not-public');
    expect(finding.status).toBe('fail');
    const { locator } = await locatorFor('module-org-trail');
    expect(locator.locate(finding)).toMatchObject({ address: 'module.org_trail.aws_s3_bucket_policy.this', attribute: 'policy', span: { file: 'module-org-trail/modules/org-trail/main.tf', startLine: 15 } });
  });

  it('with --iac over several roots that share an address, takes the definition in the plan\'s own folder', async () => {
    const r = await runCli(['scan', '--plan', path.join(PLANS, 'log-validation-disabled', 'tfplan.json'), '--iac', PLANS, '--out-dir', out, '--format', 'json']);
    expect(r.code).toBe(1);
    const results = parseResultsJson(await readFile(path.join(out, 'results.json'), 'utf8'));
    expect(results.findings.find((f) => f.ruleId === 'trail/log-file-validation')!.iac).toMatchObject({ file: 'test/fixtures/iac/plans/log-validation-disabled/main.tf', startLine: 39 });
    // The trails of the other roots were not planned here: listed, not matched.
    expect(results.iac?.unmatched.map((d) => d.address)).toEqual(expect.arrayContaining(['module.org_trail.aws_cloudtrail.this']));
    expect(results.iac?.locatedFindings).toBeGreaterThan(0);
  });

  it('refuses --plan with --demo or collection options (exit 2), and a file that is not a plan', async () => {
    const plan = path.join(PLANS, 'unknown-kms-key', 'tfplan.json');
    const both = await runCli(['scan', '--plan', plan, '--demo', '--out-dir', out]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--demo and --plan');
    const collecting = await runCli(['scan', '--plan', plan, '--org', '--role-name', 'r', '--out-dir', out]);
    expect(collecting.code).toBe(2);
    const bad = path.join(out, 'state.json');
    await writeFile(bad, '{"format_version":"1.0","values":{}}');
    const notPlan = await runCli(['scan', '--plan', bad, '--out-dir', out]);
    expect(notPlan.code).toBe(2);
    expect(notPlan.stderr).toContain('plan/not-a-plan');
  });
});
