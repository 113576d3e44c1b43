import {
  GetBucketAclCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  NoSuchBucket,
  NotFound,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyAccount } from './model.js';
import { callerKeys, ORG_ACCOUNTS, orgTrailWithLogArchive } from './scenarios.js';
import { assumeScanRole, s3Config, s3ControlConfig, staticCredentials } from './sdk-config.js';
import { startFakeAws, type FakeAws } from './server.js';

const ORG_BUCKET = `pass-org-trail-logs-${ORG_ACCOUNTS.logArchive}`;
const ACCESS_LOG_BUCKET = `pass-access-logs-${ORG_ACCOUNTS.logArchive}`;

async function s3Failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('fake AWS: S3 bucket configuration over REST-XML', () => {
  const scenario = orgTrailWithLogArchive();
  // A bare bucket in the audit account: nothing configured, so every optional read is "not found".
  const bare = scenario.model.accounts.find((account) => account.id === ORG_ACCOUNTS.audit)!;
  bare.buckets.push({ name: 'fail-bare-bucket', region: 'eu-west-1', ownerCanonicalId: 'c'.repeat(64), aclGrants: [] });
  let fake: FakeAws;
  let logArchive: S3Client;

  beforeAll(async () => {
    fake = await startFakeAws(scenario.model);
    logArchive = new S3Client(s3Config(fake.url, await assumeScanRole(fake.url, staticCredentials(scenario.caller), ORG_ACCOUNTS.logArchive)));
  });
  afterAll(async () => {
    expect(fake.unexpectedErrors).toEqual([]);
    await fake.close();
  });

  it('answers every configuration read of a locked-down trail bucket', async () => {
    const Bucket = ORG_BUCKET;
    expect((await logArchive.send(new HeadBucketCommand({ Bucket }))).BucketRegion).toBe('us-east-1');
    expect((await logArchive.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBeUndefined();
    const policy = JSON.parse((await logArchive.send(new GetBucketPolicyCommand({ Bucket }))).Policy!) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual(['AWSCloudTrailAclCheck', 'AWSCloudTrailWrite', 'DenyInsecureTransport']);
    expect((await logArchive.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus).toEqual({ IsPublic: false });
    const acl = await logArchive.send(new GetBucketAclCommand({ Bucket }));
    expect(acl.Grants).toEqual([{ Grantee: { Type: 'CanonicalUser', ID: expect.stringMatching(/^2{64}$/) }, Permission: 'FULL_CONTROL' }]);
    expect((await logArchive.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect((await logArchive.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(await logArchive.send(new GetBucketVersioningCommand({ Bucket }))).toMatchObject({ Status: 'Enabled', MFADelete: 'Disabled' });
    expect((await logArchive.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
    });
    expect((await logArchive.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules).toEqual([
      { ID: 'expire-after-seven-years', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Days: 2557 }, NoncurrentVersionExpiration: { NoncurrentDays: 90 } },
    ]);
    expect((await logArchive.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toEqual({ TargetBucket: ACCESS_LOG_BUCKET, TargetPrefix: `${ORG_BUCKET}/` });
  });

  it('turns missing configuration into the error codes S3 uses', async () => {
    const audit = new S3Client(s3Config(fake.url, await assumeScanRole(fake.url, staticCredentials(scenario.caller), ORG_ACCOUNTS.audit), 'eu-west-1'));
    const Bucket = 'fail-bare-bucket';
    const failures = await Promise.all([
      s3Failure(audit.send(new GetBucketPolicyCommand({ Bucket }))),
      s3Failure(audit.send(new GetBucketPolicyStatusCommand({ Bucket }))),
      s3Failure(audit.send(new GetBucketOwnershipControlsCommand({ Bucket }))),
      s3Failure(audit.send(new GetPublicAccessBlockCommand({ Bucket }))),
      s3Failure(audit.send(new GetObjectLockConfigurationCommand({ Bucket }))),
      s3Failure(audit.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))),
    ]);
    expect(failures.map((failure) => [failure.name, failure.$metadata.httpStatusCode])).toEqual([
      ['NoSuchBucketPolicy', 404],
      ['NoSuchBucketPolicy', 404],
      ['OwnershipControlsNotFoundError', 404],
      ['NoSuchPublicAccessBlockConfiguration', 404],
      ['ObjectLockConfigurationNotFoundError', 404],
      ['NoSuchLifecycleConfiguration', 404],
    ]);
    expect((await audit.send(new GetBucketVersioningCommand({ Bucket }))).Status).toBeUndefined();
    expect((await audit.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled).toBeUndefined();
    expect((await audit.send(new GetBucketLocationCommand({ Bucket }))).LocationConstraint).toBe('eu-west-1');
  });

  it('answers a missing bucket 404, another account’s bucket 403 and a wrong region 301', async () => {
    const management = new S3Client(s3Config(fake.url, staticCredentials(scenario.caller)));
    const missingHead = await s3Failure(management.send(new HeadBucketCommand({ Bucket: 'fail-no-such-bucket' })));
    expect(missingHead).toBeInstanceOf(NotFound);
    expect(missingHead.$metadata.httpStatusCode).toBe(404);
    expect(await s3Failure(management.send(new GetBucketPolicyCommand({ Bucket: 'fail-no-such-bucket' })))).toBeInstanceOf(NoSuchBucket);

    const deniedHead = await s3Failure(management.send(new HeadBucketCommand({ Bucket: ORG_BUCKET })));
    expect(deniedHead.$metadata.httpStatusCode).toBe(403);
    expect(deniedHead.$response?.headers['x-amz-bucket-region']).toBe('us-east-1');
    const denied = await s3Failure(management.send(new GetBucketPolicyCommand({ Bucket: ORG_BUCKET })));
    expect([denied.name, denied.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(await s3Failure(management.send(new HeadBucketCommand({ Bucket: ORG_BUCKET, ExpectedBucketOwner: ORG_ACCOUNTS.management })))).toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });

    const auditCredentials = await assumeScanRole(fake.url, staticCredentials(scenario.caller), ORG_ACCOUNTS.audit);
    const wrongRegion = await s3Failure(new S3Client(s3Config(fake.url, auditCredentials, 'us-east-1')).send(new GetBucketAclCommand({ Bucket: 'fail-bare-bucket' })));
    expect([wrongRegion.name, wrongRegion.$metadata.httpStatusCode]).toEqual(['PermanentRedirect', 301]);
    const following = new S3Client({ ...s3Config(fake.url, auditCredentials, 'us-east-1'), followRegionRedirects: true });
    expect((await following.send(new HeadBucketCommand({ Bucket: 'fail-bare-bucket' }))).BucketRegion).toBe('eu-west-1');
  });

  it('refuses to read log objects and records the attempt', async () => {
    const failure = await s3Failure(logArchive.send(new GetObjectCommand({ Bucket: ORG_BUCKET, Key: 'AWSLogs/111111111111/CloudTrail/x.json.gz' })));
    expect([failure.name, failure.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
    expect(fake.calls.at(-1)).toMatchObject({ service: 's3', action: 'GetObject', accountId: ORG_ACCOUNTS.logArchive, status: 403, errorCode: 'AccessDenied' });
  });
});

describe('fake AWS: S3 Control account public access block', () => {
  it('answers the account-level block, or NoSuchPublicAccessBlockConfiguration, for the caller’s own account only', async () => {
    const scenario = orgTrailWithLogArchive();
    const unconfigured = emptyAccount('989898989898', 'no-account-block');
    scenario.model.accounts.push(unconfigured);
    scenario.model.callers.push(callerKeys(unconfigured.id));
    const fake = await startFakeAws(scenario.model);
    try {
      const client = (keys: AwsCredentialIdentity) => new S3ControlClient(s3ControlConfig(fake.url, keys, 'eu-west-1'));
      const management = client(staticCredentials(scenario.caller));
      const block = await management.send(new GetAccountPublicAccessBlockCommand({ AccountId: ORG_ACCOUNTS.management }));
      expect(block.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      await expect(management.send(new GetAccountPublicAccessBlockCommand({ AccountId: ORG_ACCOUNTS.audit }))).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(client(staticCredentials(callerKeys(unconfigured.id))).send(new GetAccountPublicAccessBlockCommand({ AccountId: unconfigured.id }))).rejects.toMatchObject({
        name: 'NoSuchPublicAccessBlockConfiguration',
        $metadata: { httpStatusCode: 404 },
      });
      expect(fake.calls.map((call) => call.service)).toEqual(['s3control', 's3control', 's3control']);
    } finally {
      await fake.close();
    }
  });
});
