import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_OPERATIONS, findApiOperation, iamActionOf, permissionsPolicy, UnlistedOperationError } from '../../src/collectors/permissions.js';

const READ_ONLY = /^(Describe|Get|List|Head)[A-Z]/;
const COLLECTORS = path.resolve(import.meta.dirname, '../../src/collectors');

function collectorSources(): string {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : []));
  return files(COLLECTORS).map((file) => readFileSync(file, 'utf8')).join('\n');
}

describe('the list of AWS operations the collectors may call', () => {
  it('holds only read operations, AssumeRole and GetCallerIdentity, under read-only IAM actions', () => {
    for (const entry of API_OPERATIONS) {
      const special = ['AssumeRole', 'GetCallerIdentity'].includes(entry.operation);
      expect(special || READ_ONLY.test(entry.operation), `${entry.service}:${entry.operation}`).toBe(true);
      expect(special || READ_ONLY.test(entry.iamAction.split(':')[1] ?? ''), entry.iamAction).toBe(true);
    }
  });

  it('lists each operation once', () => {
    const keys = API_OPERATIONS.map((entry) => `${entry.service}:${entry.operation}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers every SDK command the collector sources import, and nothing they do not use', () => {
    const sdkImports = [...collectorSources().matchAll(/import\s*{([^}]*)}\s*from\s*'@aws-sdk\/client-[a-z0-9-]+'/g)].map((match) => match[1] ?? '');
    const imported = new Set(sdkImports.flatMap((names) => [...names.replace(/\bas\s+\w+/g, '').matchAll(/\b([A-Z][A-Za-z0-9]+)Command\b/g)].map((match) => match[1]!)));
    const listed = new Set(API_OPERATIONS.map((entry) => entry.operation));
    expect([...imported].filter((operation) => !listed.has(operation))).toEqual([]);
    expect([...listed].filter((operation) => !imported.has(operation))).toEqual([]);
  });

  it('names the IAM action of S3 operations as IAM does, and refuses unlisted ones', () => {
    expect(iamActionOf('s3', 'GetBucketLifecycleConfiguration')).toBe('s3:GetLifecycleConfiguration');
    expect(iamActionOf('s3', 'GetObjectLockConfiguration')).toBe('s3:GetBucketObjectLockConfiguration');
    expect(iamActionOf('s3control', 'GetPublicAccessBlock')).toBe('s3:GetAccountPublicAccessBlock');
    expect(findApiOperation('cloudtrail', 'StopLogging')).toBeUndefined();
    expect(() => iamActionOf('s3', 'PutObject')).toThrow(UnlistedOperationError);
    expect(iamActionOf('s3', 'ListObjectsV2')).toBe('s3:ListBucket');
  });
});

describe('permissionsPolicy', () => {
  it('allows the read actions on everything and AssumeRole on the scanning role only', () => {
    const policy = permissionsPolicy({ roleName: 'TrailwardenReadOnly', partition: 'aws-us-gov' });
    expect(policy.Version).toBe('2012-10-17');
    const [read, assume] = policy.Statement;
    expect(read?.Resource).toBe('*');
    expect(read?.Action).toContain('cloudtrail:GetTrailStatus');
    expect(read?.Action).toContain('s3:GetAccountPublicAccessBlock');
    expect(read?.Action).not.toContain('sts:AssumeRole');
    expect(read?.Action).toEqual([...(read?.Action ?? [])].sort());
    expect(assume).toEqual({ Sid: 'TrailwardenAssumeScanRole', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: 'arn:aws-us-gov:iam::*:role/TrailwardenReadOnly' });
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
  });

  it('lists the IAM and SCP reads, and nothing else of IAM or Organizations', () => {
    const [read] = permissionsPolicy().Statement;
    expect(read?.Action.filter((action) => action.startsWith('iam:') || action.startsWith('organizations:'))).toEqual([
      'iam:GetAccountAuthorizationDetails',
      'organizations:DescribeOrganization',
      'organizations:DescribePolicy',
      'organizations:ListAccounts',
      'organizations:ListAccountsForParent',
      'organizations:ListDelegatedAdministrators',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListPolicies',
      'organizations:ListRoots',
      'organizations:ListTargetsForPolicy',
    ]);
  });

  it('adds --verify-integrity reads only when asked, scoped to digest (and with files, log) prefixes', () => {
    const plain = permissionsPolicy();
    expect(plain.Statement.flatMap((statement) => statement.Action)).not.toContain('cloudtrail:ListPublicKeys');
    const digests = permissionsPolicy({ partition: 'aws-cn', verifyIntegrity: { files: false } });
    const extra = digests.Statement.slice(plain.Statement.length);
    expect(extra).toEqual([
      { Sid: 'TrailwardenVerifyIntegrityPublicKeys', Effect: 'Allow', Action: ['cloudtrail:ListPublicKeys'], Resource: '*' },
      { Sid: 'TrailwardenVerifyIntegrityList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws-cn:s3:::*', Condition: { StringLike: { 's3:prefix': ['*AWSLogs/*/CloudTrail-Digest/*'] } } },
      { Sid: 'TrailwardenVerifyIntegrityRead', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws-cn:s3:::*/*AWSLogs/*/CloudTrail-Digest/*'] },
    ]);
    const files = permissionsPolicy({ verifyIntegrity: { files: true } }).Statement;
    expect(files.find((statement) => statement.Sid === 'TrailwardenVerifyIntegrityRead')?.Resource).toEqual(['arn:aws:s3:::*/*AWSLogs/*/CloudTrail-Digest/*', 'arn:aws:s3:::*/*AWSLogs/*/CloudTrail/*']);
    expect(files.find((statement) => statement.Sid === 'TrailwardenVerifyIntegrityDecryptLogs')).toEqual({
      Sid: 'TrailwardenVerifyIntegrityDecryptLogs',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: 'arn:aws:kms:*:*:key/*',
      Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    });
  });

  it('grants no write, delete or object-data action', () => {
    const actions = permissionsPolicy().Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => !READ_ONLY.test(action.split(':')[1] ?? '') && action !== 'sts:AssumeRole')).toEqual([]);
    expect(actions.some((action) => /GetObject$|Put|Delete|Create|Update|Start|Stop/.test(action))).toBe(false);
  });
});
