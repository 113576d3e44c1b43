import type {
  GetBucketAclOutput,
  GetBucketLifecycleConfigurationOutput,
  GetBucketLocationOutput,
  GetBucketLoggingOutput,
  GetBucketOwnershipControlsOutput,
  GetBucketPolicyOutput,
  GetBucketPolicyStatusOutput,
  GetBucketVersioningOutput,
  GetObjectLockConfigurationOutput,
  GetPublicAccessBlockOutput,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../src/collectors/errors.js';
import {
  mapAcl,
  mapBucketPolicy,
  mapLifecycleRules,
  mapLogging,
  mapObjectLock,
  mapOwnershipControls,
  mapPolicyStatus,
  mapPublicAccessBlock,
  mapVersioning,
  regionOfLocationConstraint,
} from '../../../src/collectors/map/s3.js';
import { loadFixture } from '../support/fixtures.js';

describe('S3 mappers: hardened-log-archive-bucket', () => {
  const fixture = loadFixture('hardened-log-archive-bucket');

  it('parses the policy document and reads its public status', () => {
    const policy = mapBucketPolicy(fixture.answer<GetBucketPolicyOutput>('GetBucketPolicy')) as { Statement: Array<{ Sid: string }> };
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual(['AWSCloudTrailWrite', 'DenyInsecureTransport']);
    expect(mapPolicyStatus(fixture.answer<GetBucketPolicyStatusOutput>('GetBucketPolicyStatus'))).toBe(false);
  });

  it('maps owner-only ACL, enforced ownership and full Block Public Access', () => {
    expect(mapAcl(fixture.answer<GetBucketAclOutput>('GetBucketAcl'))).toEqual([
      { granteeType: 'CanonicalUser', granteeId: '2222222222222222222222222222222222222222222222222222222222222222', permission: 'FULL_CONTROL' },
    ]);
    expect(mapOwnershipControls(fixture.answer<GetBucketOwnershipControlsOutput>('GetBucketOwnershipControls'))).toBe('BucketOwnerEnforced');
    expect(mapPublicAccessBlock(fixture.answer<GetPublicAccessBlockOutput>('GetPublicAccessBlock'))).toEqual({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
  });

  it('reads versioning with MFA Delete and converts Object Lock years to days', () => {
    expect(mapVersioning(fixture.answer<GetBucketVersioningOutput>('GetBucketVersioning'))).toEqual({ status: 'Enabled', mfaDelete: true });
    expect(mapObjectLock(fixture.answer<GetObjectLockConfigurationOutput>('GetObjectLockConfiguration'))).toEqual({ enabled: true, defaultMode: 'COMPLIANCE', defaultDays: 365 });
  });

  it('keeps lifecycle rules with their prefix and expirations, and the access-log target', () => {
    expect(mapLifecycleRules(fixture.answer<GetBucketLifecycleConfigurationOutput>('GetBucketLifecycleConfiguration'))).toEqual([
      { id: 'expire-after-seven-years', status: 'Enabled', prefix: 'AWSLogs/', hasTagFilter: false, expirationDays: 2557, noncurrentVersionExpirationDays: 90 },
    ]);
    expect(mapLogging(fixture.answer<GetBucketLoggingOutput>('GetBucketLogging'))).toEqual({
      targetBucket: 'pass-access-logs-222222222222',
      targetPrefix: 'pass-org-trail-logs-222222222222/',
    });
    expect(regionOfLocationConstraint(fixture.answer<GetBucketLocationOutput>('GetBucketLocation'))).toBe('eu-west-1');
  });
});

describe('S3 mappers: public-bucket-with-loose-lifecycle', () => {
  const fixture = loadFixture('public-bucket-with-loose-lifecycle');

  it('keeps the AllUsers and AuthenticatedUsers grants for the rules to judge', () => {
    expect(mapAcl(fixture.answer<GetBucketAclOutput>('GetBucketAcl'))).toEqual([
      { granteeType: 'CanonicalUser', granteeId: '9999999999999999999999999999999999999999999999999999999999999999', permission: 'FULL_CONTROL' },
      { granteeType: 'Group', granteeUri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
      { granteeType: 'Group', granteeUri: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers', permission: 'WRITE' },
    ]);
  });

  it('reads unset Block Public Access settings as off and suspended versioning as such', () => {
    expect(mapPublicAccessBlock(fixture.answer<GetPublicAccessBlockOutput>('GetPublicAccessBlock'))).toEqual({
      blockPublicAcls: false,
      ignorePublicAcls: false,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
    expect(mapVersioning(fixture.answer<GetBucketVersioningOutput>('GetBucketVersioning'))).toEqual({ status: 'Suspended', mfaDelete: false });
    expect(mapOwnershipControls(fixture.answer<GetBucketOwnershipControlsOutput>('GetBucketOwnershipControls'))).toBe('ObjectWriter');
  });

  it('reports Object Lock without a default retention rule, and no access logging as null', () => {
    expect(mapObjectLock(fixture.answer<GetObjectLockConfigurationOutput>('GetObjectLockConfiguration'))).toEqual({ enabled: true });
    expect(mapLogging(fixture.answer<GetBucketLoggingOutput>('GetBucketLogging'))).toBeNull();
  });

  it('finds prefixes in Filter.And, the legacy Rule.Prefix, and reads an empty prefix as the whole bucket', () => {
    expect(mapLifecycleRules(fixture.answer<GetBucketLifecycleConfigurationOutput>('GetBucketLifecycleConfiguration'))).toEqual([
      { id: 'expire-tagged', status: 'Enabled', prefix: 'AWSLogs/', hasTagFilter: true, expirationDays: 7 },
      { id: 'legacy-prefix', status: 'Enabled', prefix: 'AWSLogs/', hasTagFilter: false, expirationDays: 30 },
      { status: 'Disabled', hasTagFilter: false, expirationDate: '2025-01-01T00:00:00.000Z' },
      { id: 'single-tag', status: 'Enabled', hasTagFilter: true, expirationDays: 1 },
    ]);
  });

  it('reads the empty location constraint as us-east-1 and the legacy EU as eu-west-1', () => {
    expect(regionOfLocationConstraint(fixture.answer<GetBucketLocationOutput>('GetBucketLocation'))).toBe('us-east-1');
    expect(regionOfLocationConstraint({})).toBe('us-east-1');
    expect(regionOfLocationConstraint({ LocationConstraint: 'EU' })).toBe('eu-west-1');
  });
});

describe('S3 mappers: malformed answers', () => {
  it('refuses a policy that is not JSON and a policy status without IsPublic', () => {
    expect(() => mapBucketPolicy({ Policy: '{"Version":' })).toThrow(MalformedResponseError);
    expect(() => mapBucketPolicy({})).toThrow(MalformedResponseError);
    expect(() => mapPolicyStatus({ PolicyStatus: {} })).toThrow(MalformedResponseError);
  });

  it('refuses grants without grantee type, unknown versioning states and empty Block Public Access answers', () => {
    expect(() => mapAcl({ Grants: [{ Permission: 'READ' }] })).toThrow(/Grantee.Type/);
    expect(() => mapVersioning({ Status: 'Paused' as never })).toThrow(MalformedResponseError);
    expect(() => mapPublicAccessBlock({})).toThrow(MalformedResponseError);
    expect(() => mapLogging({ LoggingEnabled: { TargetBucket: undefined, TargetPrefix: 'x' } })).toThrow(MalformedResponseError);
  });
});
