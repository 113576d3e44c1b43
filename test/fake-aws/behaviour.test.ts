import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand, paginateListTrails, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListAccountsCommand, OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { GetBucketPolicyCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { Throttler } from './behaviour.js';
import { optInRegionDisabled, ORG_ACCOUNTS, orgTrailWithLogArchive } from './scenarios.js';
import { assumeScanRole, clientConfig, s3Config, staticCredentials } from './sdk-config.js';
import { isReadOnlyAction, startFakeAws, type FakeAws, type FakeAwsOptions } from './server.js';

const scenario = orgTrailWithLogArchive();
const caller = staticCredentials(scenario.caller);
const ORG_TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ORG_ACCOUNTS.management}:trail/pass-org-trail`;

describe('throttling token buckets', () => {
  it('keeps one token bucket per account, region and API family', () => {
    let now = 0;
    const throttler = new Throttler({ cloudtrail: { ratePerSecond: 10, burst: 1 }, 'logs:DescribeLogGroups': { ratePerSecond: 1, burst: 1 } }, () => now);
    expect(throttler.admit('cloudtrail', 'DescribeTrails', '111111111111', 'us-east-1')).toBe(true);
    expect(throttler.admit('cloudtrail', 'GetTrailStatus', '111111111111', 'us-east-1')).toBe(false);
    expect(throttler.admit('cloudtrail', 'GetTrailStatus', '111111111111', 'eu-west-1')).toBe(true);
    expect(throttler.admit('cloudtrail', 'GetTrailStatus', '222222222222', 'us-east-1')).toBe(true);
    expect(throttler.admit('logs', 'DescribeLogGroups', '111111111111', 'us-east-1')).toBe(true);
    expect(throttler.admit('logs', 'DescribeMetricFilters', '111111111111', 'us-east-1')).toBe(true);
    expect(throttler.admit('logs', 'DescribeMetricFilters', '111111111111', 'us-east-1')).toBe(true);
    now = 100;
    expect(throttler.admit('cloudtrail', 'DescribeTrails', '111111111111', 'us-east-1')).toBe(true);
    expect(throttler.admit('logs', 'DescribeLogGroups', '111111111111', 'us-east-1')).toBe(false);
  });
});

describe('fake AWS: misbehaving on purpose', () => {
  // Each test starts its own server with the knobs it exercises.
  let fake: FakeAws;
  const start = async (options: FakeAwsOptions = {}) => {
    fake = await startFakeAws(scenario.model, options);
  };
  const cloudtrail = (region = 'us-east-1', maxAttempts = 3) => new CloudTrailClient({ ...clientConfig(fake.url, caller, region), maxAttempts });

  afterEach(async () => {
    expect(fake.unexpectedErrors).toEqual([]);
    await fake.close();
  });

  it('throttles a burst above the rate and the SDK retries it through', async () => {
    await start({ throttling: { cloudtrail: { ratePerSecond: 20, burst: 2 } } });
    const client = cloudtrail('us-east-1', 8);
    const answers = await Promise.all(Array.from({ length: 6 }, () => client.send(new DescribeTrailsCommand({}))));
    expect(answers.every((answer) => answer.trailList?.length === 1)).toBe(true);
    const throttled = fake.calls.filter((call) => call.throttled);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((call) => call.status === 400 && call.errorCode === 'ThrottlingException')).toBe(true);
    expect(fake.calls.filter((call) => call.status === 200)).toHaveLength(6);
  });

  it('answers S3 throttling as 503 SlowDown', async () => {
    await start({ throttling: { s3: { ratePerSecond: 1, burst: 1 } } });
    const logArchive = new S3Client({ ...s3Config(fake.url, await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.logArchive)), maxAttempts: 1 });
    const Bucket = `pass-org-trail-logs-${ORG_ACCOUNTS.logArchive}`;
    await logArchive.send(new GetBucketPolicyCommand({ Bucket }));
    await expect(logArchive.send(new GetBucketPolicyCommand({ Bucket }))).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  });

  it('retries an injected burst of 5xx answers and connection resets', async () => {
    await start({
      faults: [
        { match: { service: 'cloudtrail', action: 'GetTrailStatus' }, fault: { kind: 'serverError' }, times: 2 },
        { match: { service: 'sts' }, fault: { kind: 'connectionReset' }, times: 1 },
      ],
    });
    const status = await cloudtrail().send(new GetTrailStatusCommand({ Name: ORG_TRAIL_ARN }));
    expect(status.IsLogging).toBe(true);
    expect(fake.calls.map((call) => [call.action, call.status, call.errorCode])).toEqual([
      ['GetTrailStatus', 500, 'InternalFailure'],
      ['GetTrailStatus', 500, 'InternalFailure'],
      ['GetTrailStatus', 200, undefined],
    ]);
    const identity = await new STSClient(clientConfig(fake.url, caller)).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(ORG_ACCOUNTS.management);
    expect(fake.calls.slice(3).map((call) => [call.action, call.status, call.fault])).toEqual([
      ['GetCallerIdentity', 0, 'connectionReset'],
      ['GetCallerIdentity', 200, undefined],
    ]);
  });

  it('gives up after the last attempt when the 5xx burst outlasts the retries', async () => {
    await start({ faults: [{ match: { service: 'ec2' }, fault: { kind: 'serverError', status: 503 } }] });
    const ec2 = new EC2Client({ ...clientConfig(fake.url, caller), maxAttempts: 2 });
    await expect(ec2.send(new DescribeRegionsCommand({}))).rejects.toMatchObject({ name: 'Unavailable', $metadata: { httpStatusCode: 503 } });
    expect(fake.calls).toHaveLength(2);
  });

  it('sends malformed and truncated bodies that the SDK cannot read', async () => {
    await start({
      faults: [
        { match: { action: 'DescribeTrails', region: 'us-east-1' }, fault: { kind: 'malformedBody' } },
        { match: { action: 'DescribeTrails', region: 'eu-west-1' }, fault: { kind: 'truncatedBody' } },
      ],
    });
    // A body that does not parse is not retried; a connection dropped mid-body is.
    await expect(cloudtrail('us-east-1').send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'SyntaxError', $metadata: { attempts: 1 } });
    await expect(cloudtrail('eu-west-1').send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ code: 'ECONNRESET', $metadata: { attempts: 3 } });
    expect(fake.calls.map((call) => [call.region, call.status, call.fault])).toEqual([
      ['us-east-1', 200, 'malformedBody'],
      ['eu-west-1', 200, 'truncatedBody'],
      ['eu-west-1', 200, 'truncatedBody'],
      ['eu-west-1', 200, 'truncatedBody'],
    ]);
  });

  it('adds latency to every answer and more to a slow one', async () => {
    await start({ latencyMs: 40, faults: [{ match: { region: 'eu-west-1' }, fault: { kind: 'slowResponse', delayMs: 150 } }] });
    await cloudtrail('us-east-1').send(new DescribeTrailsCommand({}));
    await cloudtrail('eu-west-1').send(new DescribeTrailsCommand({}));
    const [fast, slow] = fake.calls;
    expect(fast).toMatchObject({ region: 'us-east-1' });
    expect(fast!.fault).toBeUndefined();
    expect(fast!.timeMs).toBeGreaterThanOrEqual(39);
    expect(slow).toMatchObject({ region: 'eu-west-1', fault: 'slowResponse' });
    expect(slow!.timeMs).toBeGreaterThanOrEqual(189);
  });

  it('injects AccessDenied and disabled regions for one account', async () => {
    await start({
      faults: [
        { match: { accountId: ORG_ACCOUNTS.management, service: 'cloudtrail', region: 'us-east-1' }, fault: { kind: 'accessDenied' } },
        { match: { accountId: ORG_ACCOUNTS.management, region: 'ap-south-1' }, fault: { kind: 'regionDisabled' } },
      ],
    });
    await expect(cloudtrail('us-east-1', 1).send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    await expect(cloudtrail('ap-south-1', 1).send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(new EC2Client({ ...clientConfig(fake.url, caller, 'ap-south-1'), maxAttempts: 1 }).send(new DescribeRegionsCommand({}))).rejects.toMatchObject({
      name: 'AuthFailure',
      $metadata: { httpStatusCode: 401 },
    });
    expect((await cloudtrail('eu-west-1').send(new DescribeTrailsCommand({}))).trailList).toHaveLength(1);
  });

  it('lets paginators walk through injected empty pages', async () => {
    await start({
      pageSizes: { 'organizations:ListAccounts': 2 },
      faults: [{ match: { action: 'ListAccounts' }, fault: { kind: 'emptyPage' }, times: 2 }],
    });
    const client = new OrganizationsClient(clientConfig(fake.url, caller));
    const pages = [];
    for await (const page of paginateListAccounts({ client }, {})) pages.push(page.Accounts?.length);
    expect(pages).toEqual([0, 0, 2, 2, 1]);
    await expect(client.send(new ListAccountsCommand({ NextToken: 'forged' }))).rejects.toMatchObject({ name: 'InvalidInputException' });

    const trailPages = [];
    fake.faults.add({ match: { action: 'ListTrails' }, fault: { kind: 'emptyPage' }, times: 1 });
    for await (const page of paginateListTrails({ client: cloudtrail() }, {})) trailPages.push(page.Trails?.length);
    expect(trailPages).toEqual([0, 1]);
  });

  it('refuses and records a mutating call', async () => {
    await start();
    const refused = cloudtrail('us-east-1', 1).send(new StopLoggingCommand({ Name: ORG_TRAIL_ARN }));
    await expect(refused).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(fake.calls).toEqual([expect.objectContaining({ service: 'cloudtrail', action: 'StopLogging', accountId: ORG_ACCOUNTS.management, status: 400 })]);
    expect(fake.calls.filter((call) => !isReadOnlyAction(call.action)).map((call) => call.action)).toEqual(['StopLogging']);
    expect(['DescribeTrails', 'GetBucketPolicy', 'ListAccounts', 'HeadBucket', 'AssumeRole', 'GetCallerIdentity'].every(isReadOnlyAction)).toBe(true);
    expect(['StopLogging', 'PutBucketPolicy', 'GetObject', 'ListObjectsV2', 'DeleteTrail', 'Getaway'].some(isReadOnlyAction)).toBe(false);
  });

  it('rejects unknown keys, wrong secrets and missing session tokens', async () => {
    await start();
    const sts = (credentials: AwsCredentialIdentity) => new STSClient({ ...clientConfig(fake.url, caller), credentials, maxAttempts: 1 });
    await expect(sts({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
    await expect(sts({ ...caller, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    const session = await assumeScanRole(fake.url, caller, ORG_ACCOUNTS.audit);
    await expect(sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    const s3 = new S3Client({ ...s3Config(fake.url, { ...caller, secretAccessKey: 'wrong' }), maxAttempts: 1 });
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: 'any' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'any' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
  });
});

describe('fake AWS: regions an account has not opted in to', () => {
  it('refuses their endpoints service by service', async () => {
    const optIn = optInRegionDisabled();
    const fake = await startFakeAws(optIn.model);
    try {
      const credentials = staticCredentials(optIn.caller);
      const refusedIn = (region: string) => ({ ...clientConfig(fake.url, credentials, region), maxAttempts: 1 });
      await expect(new CloudTrailClient(refusedIn('af-south-1')).send(new DescribeTrailsCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
      await expect(new STSClient(refusedIn('af-south-1')).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'RegionDisabledException', $metadata: { httpStatusCode: 403 } });
      expect((await new CloudTrailClient(refusedIn('me-south-1')).send(new DescribeTrailsCommand({}))).trailList).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('is reached through AWS_ENDPOINT_URL like any real endpoint', async () => {
    const fake = await startFakeAws(scenario.model);
    const previous = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = fake.url;
    try {
      const identity = await new STSClient({ region: 'eu-west-1', credentials: caller }).send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(ORG_ACCOUNTS.management);
      expect(fake.calls).toEqual([expect.objectContaining({ service: 'sts', region: 'eu-west-1', status: 200 })]);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = previous;
      await fake.close();
    }
  });
});
