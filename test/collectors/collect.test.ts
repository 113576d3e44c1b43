import { StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectSnapshot, type CollectOptions } from '../../src/collectors/index.js';
import { AwsGateway } from '../../src/collectors/gateway.js';
import { UnlistedOperationError } from '../../src/collectors/permissions.js';
import type { ProgressSink } from '../../src/collectors/progress.js';
import { inShard } from '../../src/collectors/shard.js';
import { AbortedError, UserError } from '../../src/errors.js';
import { isCollectionError, type Snapshot } from '../../src/snapshot/schema.js';
import { snapshotValidator } from '../../src/snapshot/validate.js';
import { awsError, mockAws, sessionKey, useCallerEnvironment, type Handlers, type Input, type MockAws } from './support/sdk-mock.js';

const MANAGEMENT = '111111111111';
const LOG_ARCHIVE = '222222222222';
const AUDIT = '333333333333';
const MEMBER = '444444444444';
const SUSPENDED = '666666666666';
const ROOT = 'r-a1b2';
const WORKLOADS_OU = 'ou-a1b2-workload1';
const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org-trail`;
const BUCKET = `org-trail-logs-${LOG_ARCHIVE}`;
const ACCESS_LOGS = `access-logs-${LOG_ARCHIVE}`;
const KEY = `arn:aws:kms:eu-west-1:${LOG_ARCHIVE}:key/0a1b2c3d-1111-4222-8333-444455556666`;

const orgTrailDescription = {
  Name: 'org-trail',
  S3BucketName: BUCKET,
  IncludeGlobalServiceEvents: true,
  IsMultiRegionTrail: true,
  HomeRegion: 'us-east-1',
  TrailARN: ORG_TRAIL,
  LogFileValidationEnabled: true,
  KmsKeyId: KEY,
  HasCustomEventSelectors: true,
  HasInsightSelectors: true,
  IsOrganizationTrail: true,
};

const trailInfo = { TrailARN: ORG_TRAIL, Name: 'org-trail', HomeRegion: 'us-east-1' };

function accountOfRole(input: Input): string {
  return /::(\d{12}):role\//.exec(String(input.RoleArn))?.[1] ?? '';
}

/**
 * An organization: management (the caller) owns a multi-region organization trail writing to a bucket
 * and key in log-archive; audit is CloudTrail's delegated administrator; member has no trail; one
 * account is suspended. Answers follow the AWS API reference; tests replace the ones their story changes.
 */
function organization(overrides: Handlers = {}, options: { partition?: string } = {}): Handlers {
  const partition = options.partition ?? 'aws';
  const ownerOnly = (site: { accountId: string }) => {
    if (site.accountId !== MANAGEMENT) throw awsError('CloudTrailARNInvalidException', 400, `AccountID in ARN is wrong, you can only access resources with AccountID ${site.accountId}.`);
  };
  const inLogArchive = (site: { accountId: string }) => {
    if (site.accountId !== LOG_ARCHIVE) throw awsError('AccessDenied', 403, 'Access Denied');
  };
  return {
    'sts:GetCallerIdentity': (_input, site) => ({ Account: site.accountId, Arn: `arn:${partition}:iam::${site.accountId}:user/scanner`, UserId: 'AIDAEXAMPLE' }),
    'sts:AssumeRole': (input) => {
      const accountId = accountOfRole(input);
      return { Credentials: { AccessKeyId: sessionKey(accountId), SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
    },
    'organizations:DescribeOrganization': () => ({ Organization: { Id: 'o-a1b2c3d4e5', MasterAccountId: MANAGEMENT } }),
    'organizations:ListDelegatedAdministrators': () => ({ DelegatedAdministrators: [{ Id: AUDIT }] }),
    'organizations:ListPolicies': () => ({ Policies: [] }),
    // The tree: management and log archive under the root (a page, then an empty one, as
    // Organizations may send), the other accounts in one OU.
    'organizations:ListRoots': () => ({ Roots: [{ Id: ROOT }] }),
    'organizations:ListOrganizationalUnitsForParent': (input) => ({ OrganizationalUnits: input.ParentId === ROOT ? [{ Id: WORKLOADS_OU }] : [] }),
    'organizations:ListAccountsForParent': (input) => {
      if (input.ParentId === ROOT) {
        if (input.NextToken === undefined) return { Accounts: [{ Id: MANAGEMENT, Name: 'management', State: 'ACTIVE' }, { Id: LOG_ARCHIVE, Name: 'log-archive', State: 'ACTIVE' }], NextToken: 'root-2' };
        return { Accounts: [] };
      }
      if (input.ParentId !== WORKLOADS_OU) throw awsError('ParentNotFoundException', 400, `parent ${String(input.ParentId)} not found`);
      return {
        Accounts: [
          { Id: AUDIT, Name: 'audit', State: 'ACTIVE' },
          { Id: MEMBER, Name: 'workload', State: 'ACTIVE' },
          { Id: SUSPENDED, Name: 'retired', Status: 'SUSPENDED' },
        ],
      };
    },
    'iam:GetAccountAuthorizationDetails': () => ({ UserDetailList: [], GroupDetailList: [], RoleDetailList: [], Policies: [], IsTruncated: false }),
    'organizations:ListAccounts': (input) => {
      // An empty page in the middle, as Organizations may send.
      if (input.NextToken === undefined) return { Accounts: [{ Id: MANAGEMENT, Name: 'management', State: 'ACTIVE' }, { Id: LOG_ARCHIVE, Name: 'log-archive', State: 'ACTIVE' }], NextToken: 'page-2' };
      if (input.NextToken === 'page-2') return { Accounts: [], NextToken: 'page-3' };
      return {
        Accounts: [
          { Id: AUDIT, Name: 'audit', State: 'ACTIVE' },
          { Id: MEMBER, Name: 'workload', State: 'ACTIVE' },
          { Id: SUSPENDED, Name: 'retired', Status: 'SUSPENDED' },
        ],
      };
    },
    'ec2:DescribeRegions': () => ({
      Regions: [
        { RegionName: 'us-east-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'eu-west-1', OptInStatus: 'opt-in-not-required' },
        { RegionName: 'af-south-1', OptInStatus: 'not-opted-in' },
      ],
    }),
    'cloudtrail:ListTrails': () => ({ Trails: [trailInfo] }),
    'cloudtrail:DescribeTrails': (input) => {
      const names = (input.trailNameList as string[] | undefined) ?? [];
      return { trailList: names.length === 0 || names.includes(ORG_TRAIL) ? [orgTrailDescription] : [] };
    },
    'cloudtrail:GetTrailStatus': (_input, site) => {
      ownerOnly(site);
      return { IsLogging: true, LatestDeliveryTime: new Date('2024-06-01T11:56:00Z') };
    },
    'cloudtrail:GetEventSelectors': (_input, site) => {
      ownerOnly(site);
      return { TrailARN: ORG_TRAIL, AdvancedEventSelectors: [{ Name: 'management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] };
    },
    'cloudtrail:GetInsightSelectors': (_input, site) => {
      ownerOnly(site);
      throw awsError('InsightNotEnabledException', 400, `Trail ${ORG_TRAIL} does not have Insights enabled.`);
    },
    'cloudtrail:ListTags': (_input, site) => {
      ownerOnly(site);
      return { ResourceTagList: [{ ResourceId: ORG_TRAIL, TagsList: [{ Key: 'team', Value: 'security' }] }] };
    },
    'cloudtrail:ListEventDataStores': () => ({ EventDataStores: [] }),
    's3:GetBucketLocation': (input, site) => {
      inLogArchive(site);
      if (input.ExpectedBucketOwner !== undefined && input.ExpectedBucketOwner !== LOG_ARCHIVE) throw awsError('AccessDenied', 403);
      if (input.Bucket !== BUCKET && input.Bucket !== ACCESS_LOGS) throw awsError('NoSuchBucket', 404);
      return { LocationConstraint: 'eu-west-1' };
    },
    's3:GetBucketPolicy': () => {
      throw awsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    },
    's3:GetBucketPolicyStatus': () => {
      throw awsError('NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    },
    's3:GetBucketAcl': () => {
      throw awsError('AccessDenied', 403, 'Access Denied');
    },
    's3:GetBucketOwnershipControls': () => {
      throw awsError('OwnershipControlsNotFoundError', 404);
    },
    's3:GetPublicAccessBlock': () => {
      throw awsError('NoSuchPublicAccessBlockConfiguration', 404);
    },
    's3:GetBucketVersioning': () => ({ Status: 'Enabled' }),
    's3:GetObjectLockConfiguration': () => {
      throw awsError('ObjectLockConfigurationNotFoundError', 404);
    },
    's3:GetBucketLifecycleConfiguration': () => {
      throw awsError('NoSuchLifecycleConfiguration', 404);
    },
    's3:GetBucketLogging': () => ({ LoggingEnabled: { TargetBucket: ACCESS_LOGS, TargetPrefix: '' } }),
    's3control:GetPublicAccessBlock': () => ({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } }),
    'kms:DescribeKey': (_input, site) => {
      inLogArchive(site);
      return { KeyMetadata: { KeyId: 'k', KeyState: 'Enabled', KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' } };
    },
    'kms:GetKeyRotationStatus': () => ({ KeyRotationEnabled: true }),
    'kms:GetKeyPolicy': () => ({ Policy: '{"Version":"2012-10-17","Statement":[]}' }),
    ...overrides,
  };
}

interface ProgressRecord {
  skipped: string[];
  done: string[];
  totals: Array<[number, boolean]>;
}

function recordingProgress(): ProgressSink & { record: ProgressRecord } {
  const record: ProgressRecord = { skipped: [], done: [], totals: [] };
  return {
    record,
    accountsFound: (total, final) => record.totals.push([total, final]),
    accountSkipped: (accountId, reason) => record.skipped.push(`${accountId}: ${reason}`),
    accountDone: (accountId) => record.done.push(accountId),
    stage: () => undefined,
    done: () => undefined,
  };
}

const NOW = () => new Date('2024-06-01T12:00:00Z');
const base: CollectOptions = { org: true, roleName: 'TrailwardenReadOnly', regions: 'all', now: NOW };

function expectValid(snapshot: Snapshot): void {
  const validate = snapshotValidator();
  expect(validate(snapshot), JSON.stringify(validate.errors)).toBe(true);
}

function account(snapshot: Snapshot, id: string) {
  const found = snapshot.accounts.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no account ${id} in the snapshot`);
  return found;
}

/** The organization's answers, with one Organizations operation failing for one parent (root or OU). */
function failingUnder(parentId: string, operation: 'organizations:ListAccountsForParent' | 'organizations:ListOrganizationalUnitsForParent', error: Error): Handlers {
  const handlers = organization();
  return {
    ...handlers,
    [operation]: (input: Input, site: { accountId: string; region: string }) => {
      if (input.ParentId === parentId) throw error;
      return handlers[operation]!(input, site);
    },
  };
}

describe('collectSnapshot over an organization (aws-sdk-client-mock)', () => {
  let aws: MockAws | undefined;
  let restoreEnvironment: () => void;
  beforeEach(() => {
    restoreEnvironment = useCallerEnvironment(MANAGEMENT);
  });
  afterEach(() => {
    aws?.restore();
    aws = undefined;
    restoreEnvironment();
  });

  it('reads an organization-trail-only member with DescribeRegions and ListTrails after one AssumeRole', async () => {
    aws = mockAws(organization());
    const progress = recordingProgress();
    const snapshot = await collectSnapshot({ ...base, progress });
    expectValid(snapshot);

    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT, LOG_ARCHIVE, AUDIT, MEMBER]);
    expect(progress.record.skipped).toEqual([`${SUSPENDED}: account is SUSPENDED`]);
    expect(progress.record.totals.at(-1)).toEqual([4, true]);
    expect(aws.callsBy(MEMBER).sort()).toEqual(['cloudtrail:ListTrails', 'ec2:DescribeRegions', 'iam:GetAccountAuthorizationDetails']);
    expect(aws.calls.filter((call) => call.operation === 'sts:AssumeRole').map(accountOfCall).sort()).toEqual([LOG_ARCHIVE, AUDIT, MEMBER]);
    expect(account(snapshot, MEMBER).trailArns).toEqual([ORG_TRAIL]);
    // The management account lists only its own trail, so one shadow DescribeTrails rules out organization trails it cannot list.
    expect(aws.callsBy(MANAGEMENT).filter((operation) => operation.startsWith('cloudtrail:DescribeTrails'))).toHaveLength(1);
    expect(snapshot.organization).toEqual({ id: 'o-a1b2c3d4e5', managementAccountId: MANAGEMENT, cloudTrailDelegatedAdministrators: [AUDIT], serviceControlPolicies: [] });
    // The walk down the tree named every account once, with its place: no ListAccounts, no second listing for paths.
    expect(account(snapshot, MEMBER).organizationPath).toEqual([ROOT, WORKLOADS_OU]);
    expect(account(snapshot, MANAGEMENT).organizationPath).toEqual([ROOT]);
    expect(aws.calls.filter((call) => call.operation === 'organizations:ListAccounts')).toEqual([]);
    expect(aws.calls.filter((call) => call.operation === 'organizations:ListAccountsForParent').map((call) => `${String(call.input.ParentId)} ${String(call.input.NextToken ?? '-')}`)).toEqual([`${ROOT} -`, `${ROOT} root-2`, `${WORKLOADS_OU} -`]);
  });

  it('reads each trail fact once, in the owner account and home region', async () => {
    aws = mockAws(organization());
    const snapshot = await collectSnapshot(base);
    const perTrail = ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors', 'cloudtrail:GetInsightSelectors', 'cloudtrail:ListTags'];
    for (const operation of perTrail) {
      expect(aws.calls.filter((call) => call.operation === operation).map((call) => `${call.accountId}/${call.region}`)).toEqual([`${MANAGEMENT}/us-east-1`]);
    }
    const [trail] = snapshot.trails;
    expect(snapshot.trails).toHaveLength(1);
    expect(trail).toMatchObject({
      arn: ORG_TRAIL,
      isOrganizationTrail: true,
      status: { isLogging: true, latestDeliveryTime: '2024-06-01T11:56:00.000Z' },
      eventSelectors: { source: 'advanced', selectors: [{ name: 'management', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }] },
      insightSelectors: [],
      tags: [{ key: 'team', value: 'security' }],
    });
  });

  it('finds the bucket owner in the account its name carries and records "not configured" answers as facts', async () => {
    aws = mockAws(organization());
    const snapshot = await collectSnapshot(base);
    const [bucket] = snapshot.buckets;
    expect(bucket).toMatchObject({
      name: BUCKET,
      ownerAccountId: LOG_ARCHIVE,
      region: 'eu-west-1',
      exists: true,
      policy: null,
      policyStatusIsPublic: null,
      objectOwnership: null,
      publicAccessBlock: null,
      versioning: { status: 'Enabled', mfaDelete: false },
      objectLock: { enabled: false },
      lifecycleRules: [],
      logging: { targetBucket: ACCESS_LOGS },
      loggingTargetRegion: 'eu-west-1',
    });
    expect(bucket?.acl).toEqual({ $error: { action: 's3:GetBucketAcl', code: 'AccessDenied', accountId: LOG_ARCHIVE, region: 'eu-west-1', message: 'Access Denied' } });
    // One probe: the account id in the bucket name owns it.
    expect(aws.calls.filter((call) => call.operation === 's3:GetBucketLocation' && call.input.Bucket === BUCKET).map((call) => call.accountId)).toEqual([LOG_ARCHIVE]);
    expect(aws.calls.filter((call) => call.operation.startsWith('s3:Get') && call.operation !== 's3:GetBucketLocation').every((call) => call.region === 'eu-west-1')).toBe(true);
    expect(account(snapshot, LOG_ARCHIVE).publicAccessBlock).toEqual({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true });
    // Read only where a trail bucket lives: a member without one carries no account-level block.
    expect(account(snapshot, MEMBER).publicAccessBlock).toBeUndefined();
    expect(snapshot.kmsKeys).toEqual([
      { arn: KEY, accountId: LOG_ARCHIVE, region: 'eu-west-1', metadata: { keyState: 'Enabled', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }, rotationEnabled: true, policy: { Version: '2012-10-17', Statement: [] } },
    ]);
  });

  it('records regions that are not opted in and never calls them; reads Lake only where organizations keep it', async () => {
    aws = mockAws(organization());
    const snapshot = await collectSnapshot(base);
    expect(account(snapshot, MEMBER).regions).toEqual([
      { name: 'af-south-1', optInStatus: 'not-opted-in' },
      { name: 'eu-west-1', optInStatus: 'opt-in-not-required' },
      { name: 'us-east-1', optInStatus: 'opt-in-not-required' },
    ]);
    expect(aws.calls.some((call) => call.region === 'af-south-1')).toBe(false);
    const lakeCalls = aws.calls.filter((call) => call.operation === 'cloudtrail:ListEventDataStores').map((call) => `${call.accountId}/${call.region}`);
    expect(lakeCalls.sort()).toEqual([`${MANAGEMENT}/eu-west-1`, `${MANAGEMENT}/us-east-1`, `${AUDIT}/eu-west-1`, `${AUDIT}/us-east-1`].sort());
    expect(account(snapshot, MEMBER)).not.toHaveProperty('eventDataStoreArns');
    expect(account(snapshot, AUDIT).eventDataStoreArns).toEqual([]);
  });

  it('turns an account whose role cannot be assumed into errors for that account and goes on', async () => {
    aws = mockAws(
      organization({
        'sts:AssumeRole': (input) => {
          if (accountOfRole(input) === MEMBER) throw awsError('AccessDenied', 403, `User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${MEMBER}:role/TrailwardenReadOnly`);
          return organization()['sts:AssumeRole']!(input, { accountId: MANAGEMENT, region: 'us-east-1' });
        },
      }),
    );
    const snapshot = await collectSnapshot(base);
    expectValid(snapshot);
    const member = account(snapshot, MEMBER);
    for (const fact of [member.regions, member.trailArns, member.publicAccessBlock]) {
      expect(fact).toMatchObject({ $error: { action: 'sts:AssumeRole', code: 'AccessDenied', accountId: MEMBER } });
    }
    expect(snapshot.errors?.some((error) => error.$error.accountId === MEMBER && error.$error.action === 'sts:AssumeRole')).toBe(true);
    expect(account(snapshot, AUDIT).trailArns).toEqual([ORG_TRAIL]);
    expect(aws.calls.filter((call) => call.operation === 'sts:AssumeRole' && accountOfRole(call.input) === MEMBER)).toHaveLength(1);
  });

  it('asks DescribeTrails with shadow trails when ListTrails leaves organization trails out', async () => {
    aws = mockAws(organization({ 'cloudtrail:ListTrails': (_input, site) => ({ Trails: site.accountId === MANAGEMENT ? [trailInfo] : [] }) }));
    const snapshot = await collectSnapshot(base);
    expect(account(snapshot, MEMBER).trailArns).toEqual([ORG_TRAIL]);
    const describe = aws.calls.find((call) => call.operation === 'cloudtrail:DescribeTrails' && call.accountId === MEMBER);
    expect(describe?.input).toEqual({ includeShadowTrails: true });
    expect(aws.callsBy(MEMBER).sort()).toEqual(['cloudtrail:DescribeTrails', 'cloudtrail:ListTrails', 'ec2:DescribeRegions', 'iam:GetAccountAuthorizationDetails']);
  });

  it('describes own single-region trails in their home region and skips those homed outside the scanned regions', async () => {
    const own = (region: string, multi: boolean) => ({ ...orgTrailDescription, IsOrganizationTrail: false, IsMultiRegionTrail: multi, HomeRegion: region, Name: `trail-${region}`, TrailARN: `arn:aws:cloudtrail:${region}:${MEMBER}:trail/trail-${region}` });
    const trails = [own('eu-west-1', false), own('ap-south-1', false)];
    aws = mockAws(
      organization({
        'cloudtrail:ListTrails': (_input, site) => ({
          Trails: [trailInfo, ...(site.accountId === MEMBER ? trails.map((trail) => ({ TrailARN: trail.TrailARN, Name: trail.Name, HomeRegion: trail.HomeRegion })) : [])],
        }),
        'cloudtrail:DescribeTrails': (input, site) => {
          const names = (input.trailNameList as string[] | undefined) ?? [];
          if (names.length === 0) return { trailList: [orgTrailDescription, ...(site.accountId === MEMBER ? trails.filter((trail) => trail.HomeRegion === site.region) : [])] };
          return { trailList: [orgTrailDescription, ...trails].filter((trail) => names.includes(trail.TrailARN) && (trail === orgTrailDescription || trail.HomeRegion === site.region)) };
        },
        'cloudtrail:GetTrailStatus': () => ({ IsLogging: true }),
        'cloudtrail:GetEventSelectors': () => ({ EventSelectors: [] }),
        'cloudtrail:GetInsightSelectors': () => ({ InsightSelectors: [] }),
        'cloudtrail:ListTags': (input) => ({ ResourceTagList: [{ ResourceId: (input.ResourceIdList as string[])[0], TagsList: [] }] }),
      }),
    );
    const snapshot = await collectSnapshot({ ...base, regions: ['us-east-1', 'eu-west-1'] });
    expectValid(snapshot);
    expect(account(snapshot, MEMBER).trailArns).toEqual([ORG_TRAIL, trails[0]!.TrailARN].sort());
    const describes = aws.calls.filter((call) => call.operation === 'cloudtrail:DescribeTrails' && call.accountId === MEMBER);
    // ap-south-1 is out of scope: the shadow view shows the trail there is single-region, so it is never described.
    expect(describes.map((call) => [call.region, call.input])).toEqual([
      ['us-east-1', { includeShadowTrails: true }],
      ['eu-west-1', { trailNameList: [trails[0]!.TrailARN] }],
    ]);
    expect(aws.calls.some((call) => call.region === 'ap-south-1')).toBe(false);
  });

  it('tries the member view when the owner is not in the scan, and says where to evaluate what it cannot read', async () => {
    restoreEnvironment();
    restoreEnvironment = useCallerEnvironment(AUDIT);
    aws = mockAws(
      organization({
        // The API reference lets a member account ask for an organization trail's status by ARN.
        'cloudtrail:GetTrailStatus': () => ({ IsLogging: true }),
      }),
    );
    const snapshot = await collectSnapshot({ ...base, accounts: [AUDIT, MEMBER] });
    expectValid(snapshot);
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([AUDIT, MEMBER]);
    const [trail] = snapshot.trails;
    expect(trail?.status).toEqual({ isLogging: true });
    expect(trail?.eventSelectors).toMatchObject({
      $error: { action: 'cloudtrail:GetEventSelectors', code: 'OwnerNotInScan', accountId: MANAGEMENT, region: 'us-east-1', message: expect.stringContaining(`evaluate in account ${MANAGEMENT}`) },
    });
    expect(trail?.eventSelectors).toMatchObject({ $error: { message: expect.stringContaining('CloudTrailARNInvalidException') } });
    const [bucket] = snapshot.buckets;
    expect(bucket?.ownerAccountId).toMatchObject({ $error: { code: 'OwnerNotInScan', accountId: LOG_ARCHIVE, message: expect.stringContaining(`evaluate in account ${LOG_ARCHIVE}`) } });
    expect(bucket?.policy).toMatchObject({ $error: { action: 's3:GetBucketPolicy', code: 'OwnerNotInScan' } });
    expect(bucket?.exists).toBe(true);
    expect(snapshot.kmsKeys[0]?.metadata).toMatchObject({ $error: { action: 'kms:DescribeKey', code: 'OwnerNotInScan', accountId: LOG_ARCHIVE, region: 'eu-west-1' } });
    expect(aws.calls.some((call) => call.operation === 'sts:AssumeRole' && [MANAGEMENT, LOG_ARCHIVE].includes(accountOfRole(call.input)))).toBe(false);
  });

  it('records malformed and throttled answers where the facts would have been', async () => {
    aws = mockAws(
      organization({
        'cloudtrail:GetTrailStatus': () => ({ LatestDeliveryError: 'AccessDenied' }),
        'kms:DescribeKey': () => {
          throw awsError('ThrottlingException', 400, 'Rate exceeded');
        },
        's3:GetBucketPolicy': () => ({ Policy: '{"Version": "2012-10-17", ' }),
      }),
    );
    const snapshot = await collectSnapshot(base);
    expectValid(snapshot);
    expect(snapshot.trails[0]?.status).toEqual({ $error: { action: 'cloudtrail:GetTrailStatus', code: 'MalformedResponse', accountId: MANAGEMENT, region: 'us-east-1', message: 'GetTrailStatus has no IsLogging' } });
    expect(snapshot.kmsKeys[0]?.metadata).toMatchObject({ $error: { action: 'kms:DescribeKey', code: 'ThrottlingException', accountId: LOG_ARCHIVE, region: 'eu-west-1' } });
    expect(snapshot.buckets[0]?.policy).toMatchObject({ $error: { action: 's3:GetBucketPolicy', code: 'MalformedResponse' } });
  });

  it('records "not offered here" answers: Insights as the error the engine reads as not applicable, Lake as no store', async () => {
    aws = mockAws(
      organization({
        'cloudtrail:GetInsightSelectors': () => {
          throw awsError('UnsupportedOperationException', 400, 'This operation is not supported in this region.');
        },
        'cloudtrail:ListEventDataStores': (_input, site) => {
          if (site.region === 'eu-west-1') throw awsError('UnsupportedOperationException', 400, 'This operation is not supported in this region.');
          return { EventDataStores: [] };
        },
      }),
    );
    const snapshot = await collectSnapshot(base);
    expectValid(snapshot);
    expect(snapshot.trails[0]?.insightSelectors).toEqual({
      $error: { action: 'cloudtrail:GetInsightSelectors', code: 'UnsupportedOperationException', accountId: MANAGEMENT, region: 'us-east-1', message: 'This operation is not supported in this region.' },
    });
    expect(account(snapshot, AUDIT).eventDataStoreArns).toEqual([]);
  });

  it('says a bucket that does not exist does not exist, without asking every account', async () => {
    aws = mockAws(
      organization({
        's3:GetBucketLocation': () => {
          throw awsError('NoSuchBucket', 404, 'The specified bucket does not exist');
        },
      }),
    );
    const snapshot = await collectSnapshot(base);
    expectValid(snapshot);
    expect(snapshot.buckets[0]).toMatchObject({ name: BUCKET, exists: false, ownerAccountId: { $error: { code: 'NoSuchBucket' } }, acl: { $error: { action: 's3:GetBucketAcl', code: 'NoSuchBucket' } } });
    expect(aws.calls.filter((call) => call.operation === 's3:GetBucketLocation')).toHaveLength(1);
  });

  it('keeps only the accounts of its shard but still reads the organization and owner-level facts', async () => {
    const ids = [MANAGEMENT, LOG_ARCHIVE, AUDIT, MEMBER];
    const shards = [2, 3, 4, 5, 6, 7, 8].flatMap((count) => Array.from({ length: count }, (_, index) => ({ index: index + 1, count })));
    const shard = shards.find((candidate) => inShard(MEMBER, candidate) && !inShard(MANAGEMENT, candidate));
    expect(shard).toBeDefined();
    aws = mockAws(organization());
    const snapshot = await collectSnapshot({ ...base, shard: shard! });
    expectValid(snapshot);
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual(ids.filter((id) => inShard(id, shard)));
    expect(snapshot.shard).toEqual(shard);
    expect(snapshot.organization).toMatchObject({ managementAccountId: MANAGEMENT });
    expect(snapshot.trails[0]?.status).toEqual({ isLogging: true, latestDeliveryTime: '2024-06-01T11:56:00.000Z' });
    expect(aws.callsBy(MANAGEMENT)).not.toContain('ec2:DescribeRegions');
  });

  it('scans only the caller account without --org, and no Organizations call is made', async () => {
    aws = mockAws(organization());
    const { roleName: _roleName, ...withoutRole } = base;
    const snapshot = await collectSnapshot({ ...withoutRole, org: false, regions: ['us-east-1'] });
    expectValid(snapshot);
    expect(snapshot.organization).toBeNull();
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT]);
    expect(aws.calls.some((call) => call.operation.startsWith('organizations:'))).toBe(false);
    expect(account(snapshot, MANAGEMENT).regions).toEqual([{ name: 'us-east-1', optInStatus: 'opt-in-not-required' }]);
    expect(account(snapshot, MANAGEMENT).eventDataStoreArns).toEqual([]);
  });

  it('records a requested account the organization does not have', async () => {
    aws = mockAws(organization());
    const progress = recordingProgress();
    const snapshot = await collectSnapshot({ ...base, accounts: [MEMBER, '999999999999'], progress });
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([MEMBER]);
    expect(snapshot.errors).toContainEqual({ $error: { action: 'organizations:ListAccounts', code: 'AccountNotInOrganization', accountId: '999999999999', message: 'account 999999999999 was requested but is not in the organization' } });
    expect(progress.record.skipped).toContain('999999999999: not an account of the organization');
  });

  it('builds ARNs in the caller partition and calls STS in its control region', async () => {
    aws = mockAws(organization({}, { partition: 'aws-us-gov' }));
    const snapshot = await collectSnapshot({ ...base, accounts: [MEMBER] });
    expect(snapshot.partition).toBe('aws-us-gov');
    const assume = aws.calls.find((call) => call.operation === 'sts:AssumeRole');
    expect(assume?.input.RoleArn).toBe(`arn:aws-us-gov:iam::${MEMBER}:role/TrailwardenReadOnly`);
    expect(assume?.region).toBe('us-gov-west-1');
  });

  it('fails with a usage error when the organization cannot be listed at all', async () => {
    const denied = () => {
      throw awsError('AccessDeniedException', 400, 'You don’t have permissions to access this resource.');
    };
    aws = mockAws(organization({ 'organizations:ListRoots': denied, 'organizations:ListAccounts': denied }));
    await expect(collectSnapshot(base)).rejects.toThrow(UserError);
  });

  it('lists with ListAccounts when the tree cannot be walked, and walks it for paths as before', async () => {
    const denied = () => {
      throw awsError('AccessDeniedException', 400, 'You don’t have permissions to access this resource.');
    };
    aws = mockAws(organization({ 'organizations:ListAccountsForParent': denied }));
    const snapshot = await collectSnapshot(base);
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT, LOG_ARCHIVE, AUDIT, MEMBER]);
    expect(aws.calls.filter((call) => call.operation === 'organizations:ListAccounts')).toHaveLength(3);
    // Only the paths are missing, recorded on each account; the account list is whole, so no scope gap.
    expect(account(snapshot, MEMBER).organizationPath).toMatchObject({ $error: { action: 'organizations:ListAccountsForParent', code: 'AccessDeniedException' } });
    expect(snapshot.errors?.filter((error) => error.$error.action === 'organizations:ListAccounts')).toEqual([]);
  });

  it('records a walk that breaks under one OU and scans what it got', async () => {
    aws = mockAws(failingUnder(WORKLOADS_OU, 'organizations:ListAccountsForParent', awsError('ServiceException', 500, 'internal')));
    const snapshot = await collectSnapshot({ ...base, accounts: [MANAGEMENT, MEMBER] });
    expect(snapshot.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT]);
    expect(snapshot.errors).toContainEqual(expect.objectContaining({ $error: expect.objectContaining({ action: 'organizations:ListAccountsForParent', code: 'ServiceException' }) }));
    // The member may sit where the listing failed: that is the gap, not "not in the organization".
    expect(snapshot.errors?.some((error) => error.$error.code === 'AccountNotInOrganization')).toBe(false);
  });

  it('records an OU whose sub-OUs cannot be listed, and a ListAccounts listing that breaks after some pages', async () => {
    const handlers = organization();
    aws = mockAws(failingUnder(WORKLOADS_OU, 'organizations:ListOrganizationalUnitsForParent', awsError('TooManyRequestsException', 400, 'AWS Organizations can’t complete your request because another request is already in progress.')));
    const walked = await collectSnapshot(base);
    expect(walked.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT, LOG_ARCHIVE]);
    expect(walked.errors).toContainEqual(expect.objectContaining({ $error: expect.objectContaining({ action: 'organizations:ListOrganizationalUnitsForParent', code: 'TooManyRequestsException' }) }));
    aws.restore();

    aws = mockAws({
      ...handlers,
      'organizations:ListRoots': () => {
        throw awsError('AccessDeniedException', 400, 'denied');
      },
      'organizations:ListAccounts': (input, site) => {
        if (input.NextToken === 'page-3') throw awsError('ServiceException', 500, 'internal');
        return handlers['organizations:ListAccounts']!(input, site);
      },
    });
    const listed = await collectSnapshot(base);
    expect(listed.accounts.map((entry) => entry.id)).toEqual([MANAGEMENT, LOG_ARCHIVE]);
    expect(listed.errors).toContainEqual(expect.objectContaining({ $error: expect.objectContaining({ action: 'organizations:ListAccounts', code: 'ServiceException' }) }));
  });

  it('stops promptly when aborted', async () => {
    const controller = new AbortController();
    const handlers = organization();
    aws = mockAws({
      ...handlers,
      'organizations:ListRoots': (input, site) => {
        controller.abort();
        return handlers['organizations:ListRoots']!(input, site);
      },
    });
    await expect(collectSnapshot({ ...base, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    const afterAbort = aws.calls.slice(aws.calls.findIndex((call) => call.operation === 'organizations:ListRoots') + 1);
    expect(afterAbort.length).toBeLessThanOrEqual(1);
    await expect(collectSnapshot({ ...base, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('AwsGateway', () => {
  it('refuses an operation that is not listed before sending anything', async () => {
    const aws = mockAws({});
    const gateway = new AwsGateway();
    gateway.setCredentials(MANAGEMENT, async () => ({ accessKeyId: 'AKIA111111111111TEST', secretAccessKey: 'secret' }));
    try {
      await expect(gateway.call({ accountId: MANAGEMENT, region: 'us-east-1' }, 'cloudtrail', new StopLoggingCommand({ Name: ORG_TRAIL }))).rejects.toBeInstanceOf(UnlistedOperationError);
      expect(aws.calls).toEqual([]);
    } finally {
      gateway.destroy();
      aws.restore();
    }
  });
});

function accountOfCall(call: { input: Input }): string {
  return accountOfRole(call.input);
}

describe('snapshot facts are values or errors, never undefined', () => {
  it('isCollectionError tells the two apart', () => {
    expect(isCollectionError({ $error: { action: 'a', code: 'b' } })).toBe(true);
    expect(isCollectionError(null)).toBe(false);
  });
});
