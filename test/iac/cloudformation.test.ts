/**
 * CloudFormation templates: the short-form intrinsic tags keep positions, intrinsics resolve with
 * parameter defaults, mappings and conditions, pseudo parameters stay unknown unless given, JSON
 * templates read like YAML, and broken or hostile files give located diagnostics.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCloudFormation, readIac, type IacDefinition } from '../../src/iac/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const YAML_FILE = 'test/fixtures/iac/cloudformation/log-archive-trail.yaml';
const JSON_FILE = 'test/fixtures/iac/cloudformation/event-data-store.json';

function template(file: string, options = {}) {
  return parseCloudFormation(readFileSync(path.join(ROOT, file), 'utf8'), file, options);
}
const byId = (defs: IacDefinition[], id: string): IacDefinition => {
  const found = defs.find((d) => d.address === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe('the landing-zone YAML template', () => {
  it('reads every resource that feeds the snapshot, with its block lines', () => {
    const result = template(YAML_FILE);
    expect(result.template).toBe(true);
    expect(result.diagnostics).toEqual([]);
    // The IAM role is not a resource the snapshot has.
    expect(result.definitions.map((d) => d.address)).not.toContain('CloudTrailLogsRole');
    expect(byId(result.definitions, 'OrganizationTrail').block).toMatchObject({ file: YAML_FILE, startLine: 127, startColumn: 3, endLine: 140 });
    expect(byId(result.definitions, 'LogArchiveBucket').block).toMatchObject({ startLine: 61, endLine: 80 });
  });

  it('keeps positions through intrinsic functions (!If, !GetAtt, !Sub, !FindInMap)', () => {
    const trail = byId(template(YAML_FILE).definitions, 'OrganizationTrail');
    expect(trail.attributes.EnableLogFileValidation).toMatchObject({ value: false, span: { startLine: 137, startColumn: 7, endLine: 137 } });
    expect(trail.attributes.KMSKeyId).toMatchObject({ value: { $unknown: 'CloudTrailKey.Arn is known when the stack is deployed' }, refs: ['CloudTrailKey'], span: { startLine: 138 } });
    expect(trail.attributes.TrailName).toMatchObject({ value: 'acme-org-trail', span: { startLine: 131 } });
    const logGroup = byId(template(YAML_FILE).definitions, 'CloudTrailLogGroup');
    expect(logGroup.attributes.RetentionInDays).toMatchObject({ value: 400, span: { startLine: 114 } });
    const bucket = byId(template(YAML_FILE).definitions, 'LogArchiveBucket');
    expect(bucket.attributes['VersioningConfiguration.Status']).toMatchObject({ value: 'Suspended', span: { startLine: 67 } });
    expect(bucket.attributes['BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm']).toMatchObject({ value: 'aws:kms', span: { startLine: 76 } });
  });

  it('resolves !Sub, !Ref, !Join and conditions with parameter defaults; names follow', () => {
    const defs = template(YAML_FILE).definitions;
    expect(byId(defs, 'OrganizationTrail').identity).toEqual({ kind: 'trail', name: 'acme-org-trail' });
    expect(byId(defs, 'LogArchiveBucket').identity).toMatchObject({ name: 'acme-log-archive-222222222222', arn: 'arn:aws:s3:::acme-log-archive-222222222222' });
    expect(byId(defs, 'AccessLogsBucket').identity.name).toBe('acme-access-logs-222222222222');
    // !Ref of a bucket is its name: the trail's S3BucketName is known.
    expect(byId(defs, 'OrganizationTrail').attributes.S3BucketName?.value).toBe('acme-log-archive-222222222222');
    expect(byId(defs, 'CloudTrailKey').identity.aliases).toEqual(['alias/acme-cloudtrail']);
    expect(byId(defs, 'LogArchiveBucketPolicy')).toMatchObject({ parent: 'LogArchiveBucket', identity: { kind: 'bucket', name: 'acme-log-archive-222222222222' } });
    expect(byId(defs, 'CloudTrailChangesFilter').parent).toBe('CloudTrailLogGroup');
    // ${LogArchiveBucket.Arn} in a !Sub: a bucket's ARN follows from its name.
    const policy = byId(defs, 'LogArchiveBucketPolicy').attributes['PolicyDocument.Statement[1].Resource'];
    expect(policy?.value).toBe('arn:aws:s3:::acme-log-archive-222222222222/AWSLogs/*');
  });

  it('leaves pseudo parameters unknown unless given, and uses given parameters and pseudo parameters', () => {
    const unknownKey = byId(template(YAML_FILE).definitions, 'CloudTrailKey').attributes['KeyPolicy.Statement[0].Principal.AWS'];
    expect(unknownKey?.value).toMatchObject({ $unknown: expect.stringContaining('AWS::Partition') });
    const given = template(YAML_FILE, { parameters: { EnableLogFileValidation: 'true', OrganizationName: 'other' }, accountId: '111111111111', region: 'eu-west-1' });
    const trail = byId(given.definitions, 'OrganizationTrail');
    expect(trail.attributes.EnableLogFileValidation?.value).toBe(true);
    expect(trail.identity).toEqual({ kind: 'trail', name: 'other-org-trail', region: 'eu-west-1', accountId: '111111111111', arn: 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/other-org-trail' });
  });
});

describe('the JSON template', () => {
  it('reads long-form intrinsics with positions', () => {
    const result = template(JSON_FILE);
    expect(result.diagnostics).toEqual([]);
    const store = byId(result.definitions, 'OrgEventDataStore');
    expect(store.identity).toEqual({ kind: 'event-data-store', name: 'acme-org-events' });
    expect(store.attributes.TerminationProtectionEnabled).toMatchObject({ value: false, span: { file: JSON_FILE, startLine: 15 } });
    expect(store.attributes.KmsKeyId).toMatchObject({ refs: ['LakeKey'], span: { startLine: 16 } });
    expect(byId(result.definitions, 'LakeKey').attributes.Description?.value).toBe('acme CloudTrail Lake key');
  });
});

describe('finding templates among other files', () => {
  it('reads templates in a folder and ignores YAML and JSON that are not templates', async () => {
    const index = await readIac(['test/fixtures/iac/cloudformation', '.github', 'tsconfig.json'], { base: ROOT });
    expect(index.files).toBe(2);
    expect(index.diagnostics).toEqual([]);
  });

  it('reports a broken template at its line and column', () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {\n      TrailName: x\n';
    const result = parseCloudFormation(text, 'broken.yaml');
    expect(result.template).toBe(true);
    expect(result.definitions).toEqual([]);
    expect(result.diagnostics[0]).toMatchObject({ file: 'broken.yaml', code: 'iac/parse' });
    expect(result.diagnostics[0]?.line).toBeGreaterThan(0);
  });

  it('is not fooled by YAML that merely mentions Resources', () => {
    expect(parseCloudFormation('Resources:\n  - one\n', 'x.yaml').template).toBe(false);
    expect(parseCloudFormation('name: build\non: push\n', 'workflow.yml').template).toBe(false);
  });

  it('survives deep nesting, self-referencing conditions and aliases', { timeout: 20_000 }, () => {
    const deep = `${'['.repeat(3_000)}1${']'.repeat(3_000)}`;
    const text = [
      'AWSTemplateFormatVersion: "2010-09-09"',
      'Conditions:',
      '  Loop: !Condition Loop',
      'Resources:',
      '  Trail:',
      '    Type: AWS::CloudTrail::Trail',
      '    Properties:',
      '      TrailName: &name my-trail',
      '      S3BucketName: *name',
      '      EnableLogFileValidation: !If [Loop, true, false]',
      `      Tags: ${deep}`,
    ].join('\n');
    const result = parseCloudFormation(text, 'hostile.yaml');
    if (result.definitions.length > 0) {
      const trail = byId(result.definitions, 'Trail');
      expect(trail.attributes.EnableLogFileValidation?.value).toMatchObject({ $unknown: expect.any(String) });
      expect(trail.attributes.S3BucketName?.value).toMatchObject({ $unknown: expect.any(String) });
    } else {
      expect(result.diagnostics[0]).toMatchObject({ file: 'hostile.yaml' });
    }
  });
});
