/**
 * The table of deciding attributes: every entry names a real rule and real resource types, and for
 * the Terraform module and the CloudFormation templates each rule's alert lands on the line of the
 * attribute that decides it, or on the block where the missing attribute belongs.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECIDING_ATTRIBUTES, IacMatcher, RESOURCE_TYPES, readIac, type IacDefinition, type IacIndex } from '../../src/iac/index.js';
import type { Snapshot } from '../../src/snapshot/schema.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TF = 'test/fixtures/iac/terraform-org-trail/modules/org-cloudtrail';
const CFN = 'test/fixtures/iac/cloudformation';

/** The 1-based line of the only line of a file that contains `marker` (after `after`, when given). */
export function lineOf(file: string, marker: string, after?: string): number {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const start = after === undefined ? 0 : lines.findIndex((l) => l.includes(after));
  if (start < 0) throw new Error(`${after} not in ${file}`);
  const index = lines.findIndex((l, i) => i >= start && l.includes(marker));
  if (index < 0) throw new Error(`${marker} not in ${file}`);
  return index + 1;
}

const EMPTY_SNAPSHOT = { trails: [], buckets: [], kmsKeys: [], logGroups: [], eventDataStores: [], partition: 'aws' } as unknown as Snapshot;

function locator(index: IacIndex) {
  const matcher = new IacMatcher(index, EMPTY_SNAPSHOT);
  return (ruleId: string, def: IacDefinition) => {
    const location = matcher.locate(ruleId, def);
    return `${location.file}:${location.startLine}${location.attribute !== undefined ? ` ${location.attribute}` : ''}`;
  };
}

describe('the deciding-attribute table', () => {
  it('names real rules, and resource types of its own tool that describe the rule’s scope', () => {
    const scopeKinds: Record<string, string> = { trail: 'trail', bucket: 'bucket', kms: 'kms-key', logs: 'log-group', lake: 'event-data-store' };
    for (const [ruleId, entry] of Object.entries(DECIDING_ATTRIBUTES)) {
      expect(existsSync(path.join(ROOT, 'policies', `${ruleId}.yaml`)), ruleId).toBe(true);
      const scope = /^scope: (\S+)$/m.exec(readFileSync(path.join(ROOT, 'policies', `${ruleId}.yaml`), 'utf8'))?.[1];
      const kind = scopeKinds[ruleId.split('/')[0] as string];
      expect(scope, ruleId).toBe(kind);
      for (const tool of ['terraform', 'cloudformation'] as const) {
        expect(entry[tool].length, `${ruleId} ${tool}`).toBeGreaterThan(0);
        for (const candidate of entry[tool]) {
          expect(RESOURCE_TYPES[candidate.resourceType]?.tool, `${ruleId}: ${candidate.resourceType}`).toBe(tool);
          expect(RESOURCE_TYPES[candidate.resourceType]?.kind, `${ruleId}: ${candidate.resourceType}`).toBe(kind);
        }
      }
    }
  });
});

describe('locations in the Terraform org-trail module', () => {
  it.each([
    ['trail/log-file-validation', 'main.tf', 'enable_log_file_validation    =', 'enable_log_file_validation'],
    ['trail/digest-delivery-healthy', 'main.tf', 'enable_log_file_validation    =', 'enable_log_file_validation'],
    ['trail/kms-encryption', 'main.tf', 'kms_key_id                    =', 'kms_key_id'],
    ['trail/cloudwatch-logs-integration', 'main.tf', 'cloud_watch_logs_group_arn', 'cloud_watch_logs_group_arn'],
    ['trail/tagged', 'main.tf', 'tags = var.tags', 'tags'],
    // No sns_topic_name, no insight_selector: the trail's block is where they go.
    ['trail/sns-notification', 'main.tf', 'resource "aws_cloudtrail" "this"', undefined],
    ['trail/insights-enabled', 'main.tf', 'resource "aws_cloudtrail" "this"', undefined],
    ['trail/delivery-healthy', 'main.tf', 'resource "aws_cloudtrail" "this"', undefined],
  ])('%s -> %s at "%s"', async (ruleId, file, marker, attribute) => {
    const index = await readIac([path.dirname(path.dirname(TF))], { base: ROOT });
    const trail = index.definitions.find((d) => d.resourceType === 'aws_cloudtrail') as IacDefinition;
    const line = marker === 'tags = var.tags' ? lineOf(`${TF}/${file}`, 'tags', 'resource "aws_cloudtrail"') : lineOf(`${TF}/${file}`, marker);
    expect(locator(index)(ruleId, trail)).toBe(`${TF}/${file}:${line}${attribute !== undefined ? ` ${attribute}` : ''}`);
  });

  it.each([
    ['bucket/versioning', 's3.tf', 'status = "Suspended"', 'versioning_configuration.status'],
    // Versioning is set, MFA delete is not: the versioning resource is where it goes.
    ['bucket/mfa-delete', 's3.tf', 'resource "aws_s3_bucket_versioning" "logs"', undefined],
    // restrict_public_buckets = false is the switch that is off.
    ['bucket/not-public', 's3.tf', 'restrict_public_buckets = false', 'restrict_public_buckets'],
    ['bucket/access-logging', 's3.tf', 'resource "aws_s3_bucket" "logs"', undefined],
    ['bucket/object-lock', 's3.tf', 'resource "aws_s3_bucket" "logs"', undefined],
    ['bucket/retention', 's3.tf', 'rule {', 'rule'],
    ['bucket/secure-transport', 's3.tf', 'policy = data.aws_iam_policy_document.logs.json', 'policy'],
    ['bucket/policy-scoped', 's3.tf', 'policy = data.aws_iam_policy_document.logs.json', 'policy'],
    ['bucket/log-deletion-principals', 's3.tf', 'policy = data.aws_iam_policy_document.logs.json', 'policy'],
    ['bucket/exists', 's3.tf', 'resource "aws_s3_bucket" "logs"', undefined],
  ])('%s -> %s at "%s"', async (ruleId, file, marker, attribute) => {
    const index = await readIac([path.dirname(path.dirname(TF))], { base: ROOT });
    const bucket = index.definitions.find((d) => d.resourceType === 'aws_s3_bucket') as IacDefinition;
    const line = marker === 'rule {' ? lineOf(`${TF}/${file}`, marker, 'aws_s3_bucket_lifecycle_configuration') : lineOf(`${TF}/${file}`, marker);
    expect(locator(index)(ruleId, bucket)).toBe(`${TF}/${file}:${line}${attribute !== undefined ? ` ${attribute}` : ''}`);
  });

  it.each([
    ['kms/key-rotation', 'kms.tf', 'enable_key_rotation', 'enable_key_rotation'],
    ['kms/key-policy-scoped', 'kms.tf', 'policy = jsonencode', 'policy'],
    ['kms/key-usable', 'kms.tf', 'resource "aws_kms_key" "cloudtrail"', undefined],
    ['logs/retention', 'main.tf', 'retention_in_days', 'retention_in_days'],
    ['logs/kms-encryption', 'main.tf', 'kms_key_id        = aws_kms_key', 'kms_key_id'],
  ])('%s -> %s at "%s"', async (ruleId, file, marker, attribute) => {
    const index = await readIac([path.dirname(path.dirname(TF))], { base: ROOT });
    const type = ruleId.startsWith('kms/') ? 'aws_kms_key' : 'aws_cloudwatch_log_group';
    const def = index.definitions.find((d) => d.resourceType === type) as IacDefinition;
    expect(locator(index)(ruleId, def)).toBe(`${TF}/${file}:${lineOf(`${TF}/${file}`, marker)}${attribute !== undefined ? ` ${attribute}` : ''}`);
  });
});

describe('locations in the CloudFormation templates', () => {
  const yaml = `${CFN}/log-archive-trail.yaml`;
  const json = `${CFN}/event-data-store.json`;
  it.each([
    ['trail/log-file-validation', 'OrganizationTrail', yaml, 'EnableLogFileValidation: !If', 'EnableLogFileValidation'],
    ['trail/kms-encryption', 'OrganizationTrail', yaml, 'KMSKeyId:', 'KMSKeyId'],
    ['trail/cloudwatch-logs-integration', 'OrganizationTrail', yaml, 'CloudWatchLogsLogGroupArn:', 'CloudWatchLogsLogGroupArn'],
    ['trail/sns-notification', 'OrganizationTrail', yaml, '  OrganizationTrail:', undefined],
    ['bucket/versioning', 'LogArchiveBucket', yaml, 'Status: Suspended', 'VersioningConfiguration.Status'],
    ['bucket/access-logging', 'LogArchiveBucket', yaml, 'LoggingConfiguration:', 'LoggingConfiguration'],
    // Every public access switch is on and there is no ACL: the bucket policy decides.
    ['bucket/not-public', 'LogArchiveBucket', yaml, 'PolicyDocument:', 'PolicyDocument'],
    ['bucket/secure-transport', 'LogArchiveBucket', yaml, 'PolicyDocument:', 'PolicyDocument'],
    ['bucket/object-lock', 'LogArchiveBucket', yaml, '  LogArchiveBucket:', undefined],
    ['bucket/retention', 'LogArchiveBucket', yaml, '  LogArchiveBucket:', undefined],
    ['kms/key-rotation', 'CloudTrailKey', yaml, 'EnableKeyRotation: false', 'EnableKeyRotation'],
    ['kms/key-policy-scoped', 'CloudTrailKey', yaml, 'KeyPolicy:', 'KeyPolicy'],
    ['logs/retention', 'CloudTrailLogGroup', yaml, 'RetentionInDays:', 'RetentionInDays'],
    ['logs/kms-encryption', 'CloudTrailLogGroup', yaml, '  CloudTrailLogGroup:', undefined],
    ['lake/kms-encryption', 'OrgEventDataStore', json, '"KmsKeyId"', 'KmsKeyId'],
    ['lake/hardening', 'OrgEventDataStore', json, '"TerminationProtectionEnabled"', 'TerminationProtectionEnabled'],
    ['kms/key-rotation', 'LakeKey', json, '"EnableKeyRotation"', 'EnableKeyRotation'],
  ])('%s on %s -> %s at "%s"', async (ruleId, id, file, marker, attribute) => {
    const index = await readIac([CFN], { base: ROOT });
    const def = index.definitions.find((d) => d.address === id && d.block.file === file) as IacDefinition;
    expect(locator(index)(ruleId, def)).toBe(`${file}:${lineOf(file, marker)}${attribute !== undefined ? ` ${attribute}` : ''}`);
  });
});
