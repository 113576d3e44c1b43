/**
 * Pasteable fixes (issue 17): a failing finding carries the rule's commands and Terraform filled
 * with its own values; an error finding says how to collect the missing fact instead.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.js';
import { fillCommand, findingFix } from '../../src/engine/fix.js';
import { loadSources } from '../../src/policy/loader.js';
import { builtinSources } from '../../src/policy/builtin-sources.js';
import { parseSnapshot } from '../../src/snapshot/io.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');

describe('fixes filled with the finding’s values (demo)', async () => {
  const snapshot = parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);
  const { rules } = loadSources(await builtinSources());
  const findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
  const find = (ruleId: string, arnPart: string, status: string) => findings.find((f) => f.ruleId === ruleId && f.resource.arn.includes(arnPart) && f.status === status)!;

  it('a failing bucket gets its name in the commands and in the Terraform snippet', () => {
    const f = find('bucket/versioning', 'fail-payments-trail-logs', 'fail');
    expect(f.fix).toEqual({
      commands: 'aws s3api put-bucket-versioning --bucket fail-payments-trail-logs --versioning-configuration Status=Enabled',
      terraform: 'resource "aws_s3_bucket_versioning" "trail_logs" {\n  bucket = "fail-payments-trail-logs"\n  versioning_configuration {\n    status = "Enabled"\n  }\n}',
    });
    expect(find('bucket/not-public', 'fail-payments-trail-logs', 'fail').fix?.commands).toContain('aws s3control put-public-access-block --account-id 333333333333 ');
  });

  it('a failing trail gets its ARN and home region', () => {
    const f = find('trail/log-file-validation', 'fail-', 'fail');
    expect(f.fix?.commands).toBe(`aws cloudtrail update-trail --region ${f.resource.region} --name ${f.resource.arn} --enable-log-file-validation`);
  });

  it('an error finding says how to collect the fact, not how to fix the control; a pass has no fix', () => {
    const owner = find('bucket/not-public', 'partner-audit-logs-999999999999', 'error');
    expect(owner.fix).toEqual({ collect: ['Scan account 999999999999 as well (add it to --accounts, or scan its organization with --org): the resource belongs to it.'] });
    expect(findings.filter((f) => f.status === 'pass' || f.status === 'not_applicable').every((f) => f.fix === undefined)).toBe(true);
    expect(findings.filter((f) => f.status === 'error').every((f) => f.fix?.commands === undefined && (f.fix?.collect?.length ?? 0) > 0)).toBe(true);
  });
});

describe('fillCommand and findingFix', () => {
  const trail = { type: 'trail' as const, arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/t', accountId: '111111111111', region: 'eu-west-1', name: 't' };

  it('fills a trail rule’s bucket from its view, never a value that could end the command, and keeps unknown placeholders', () => {
    expect(fillCommand('aws s3api x --bucket <bucket> --name <trail-arn> --role <role>', trail, { trail: { s3BucketName: 'logs-1' } })).toBe(
      'aws s3api x --bucket logs-1 --name arn:aws:cloudtrail:eu-west-1:111111111111:trail/t --role <role>',
    );
    expect(fillCommand('--bucket <bucket>', trail, { trail: { s3BucketName: 'x; rm -rf ~' } })).toBe('--bucket <bucket>');
    expect(fillCommand('--bucket <bucket>', trail, { trail: { s3BucketName: { $error: { action: 'cloudtrail:DescribeTrails', code: 'AccessDenied' } } } })).toBe('--bucket <bucket>');
  });

  it('names the permission to add for a denial, and retries for anything else', () => {
    expect(findingFix('error', {}, trail, undefined, [{ action: 's3:GetBucketAcl', code: 'AccessDenied', accountId: '222222222222', region: 'us-east-1' }])).toEqual({
      collect: ['Allow s3:GetBucketAcl for the scanning role in account 222222222222 (us-east-1) (trailwarden permissions prints the whole policy), then scan again.'],
    });
    expect(findingFix('error', {}, trail, undefined, [{ action: 'kms:DescribeKey', code: 'ThrottlingException' }])).toEqual({ collect: ['Scan again: kms:DescribeKey failed with ThrottlingException.'] });
    expect(findingFix('fail', { console: 'prose only' }, trail, undefined)).toBeUndefined();
  });

  it('creates a missing bucket with a LocationConstraint outside us-east-1 only (us-east-1 refuses one)', async () => {
    const { allRules } = loadSources(await builtinSources());
    const exists = allRules.find((rule) => rule.id === 'bucket/exists')!;
    const bucket = (region: string) => ({ type: 'bucket' as const, arn: 'arn:aws:s3:::logs-1', accountId: '111111111111', region, name: 'logs-1' });
    expect(findingFix('fail', exists.remediation, bucket('us-east-1'), undefined)?.commands?.split('\n')[0]).toBe('aws s3api create-bucket --bucket logs-1 --region us-east-1');
    expect(findingFix('fail', exists.remediation, bucket('eu-west-1'), undefined)?.commands?.split('\n')[0]).toBe(
      'aws s3api create-bucket --bucket logs-1 --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1',
    );
    expect(findingFix('fail', exists.remediation, bucket('eu-west-1'), undefined)?.commands?.split('\n')[1]).toBe('aws s3api put-bucket-policy --bucket logs-1 --policy file://cloudtrail-bucket-policy.json');
  });
});

describe('built-in remediation commands are commands', async () => {
  const { allRules } = loadSources(await builtinSources());
  /** The commands of a cli text, quoted arguments blanked: each must be an `aws` command without prose. */
  const prose = (cli: string) =>
    cli
      .replace(/'[^']*'|"[^"]*"/g, 'Q')
      .split(/\n|&&|;/)
      .map((part) => part.trim())
      .filter((part) => part !== '' && (!part.startsWith('aws ') || /[([]/.test(part)));

  it('every rule has only aws commands in its cli, one per line, prose in the console text', () => {
    const offenders = allRules.filter((rule) => rule.remediation.cli !== undefined && prose(rule.remediation.cli).length > 0);
    expect(offenders.map((rule) => [rule.id, prose(rule.remediation.cli!)])).toEqual([]);
  });
});
