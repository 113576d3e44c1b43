/**
 * Fake AWS worlds named by the story they tell (STYLE habit 10). Resources are named for the verdict
 * a trail/bucket/key rule should reach on them: `pass-*`, `fail-*`, and `error-*` where the honest
 * verdict is "could not be read". Every timestamp is relative to SCENARIO_TIME, the `now` a test
 * evaluates with.
 */
import { seededRandom } from '../support/random.js';
import {
  DEFAULT_REGIONS,
  emptyAccount,
  kmsKeyArn,
  managedPolicyArn,
  logGroupArn,
  OPT_IN_REGIONS,
  regionStates,
  roleArn,
  snsTopicArn,
  trailArn,
  type FakeAccount,
  type FakeAwsModel,
  type FakeBucket,
  type FakeKmsKey,
  type FakeLogGroup,
  type FakeOrganizationInfo,
  type FakeTrail,
  type RegionState,
  type StaticCredentials,
  type TrailStatusModel,
} from './model.js';

export const SCENARIO_TIME = '2024-06-01T12:00:00Z';
export const SCAN_ROLE_NAME = 'TrailwardenReadOnly';
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const CLOUDTRAIL_PRINCIPAL = 'cloudtrail.amazonaws.com';

/** The accounts of the example organization. */
export const ORG_ACCOUNTS = {
  management: '111111111111',
  logArchive: '222222222222',
  audit: '333333333333',
  workloadA: '444444444444',
  workloadB: '555555555555',
} as const;

export interface Scenario {
  name: string;
  story: string;
  model: FakeAwsModel;
  /** The long-term keys the scan signs with. */
  caller: StaticCredentials;
  /** The role the scan assumes in each account (none needed in the caller's own account). */
  scanRoleName: string;
  /** The accounts the scan is meant to cover. */
  scanAccountIds: string[];
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

function minutesBefore(minutes: number): string {
  return new Date(Date.parse(SCENARIO_TIME) - minutes * 60_000).toISOString();
}

export function callerKeys(accountId: string): StaticCredentials {
  return {
    accessKeyId: `AKIA${accountId}SCAN`,
    secretAccessKey: `fake-secret-key-for-${accountId}`,
    accountId,
    principal: 'user/trailwarden-scanner',
  };
}

function scanRole(trustedAccountIds: string[], externalId?: string) {
  return { name: SCAN_ROLE_NAME, trustedAccountIds, externalId, maxSessionDurationSeconds: 3600 };
}

function canonicalUserId(accountId: string): string {
  return accountId.repeat(6).slice(0, 64);
}

const BLOCK_ALL_PUBLIC_ACCESS = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };

function loggingStatus(): TrailStatusModel {
  return {
    isLogging: true,
    startLoggingTime: '2023-01-10T09:00:00Z',
    latestDeliveryTime: minutesBefore(4),
    latestDigestDeliveryTime: minutesBefore(35),
    latestCloudWatchLogsDeliveryTime: minutesBefore(2),
  };
}

/** A trail that every trail rule passes; scenarios override what their story changes. */
function wellConfiguredTrail(name: string, homeRegion: string, bucket: string, overrides: Partial<FakeTrail> = {}): FakeTrail {
  return {
    name,
    homeRegion,
    isMultiRegion: true,
    isOrganizationTrail: false,
    includeGlobalServiceEvents: true,
    logFileValidationEnabled: true,
    s3BucketName: bucket,
    status: loggingStatus(),
    eventSelectors: { kind: 'default' },
    insightTypes: ['ApiCallRateInsight', 'ApiErrorRateInsight'],
    tags: { team: 'security' },
    ...overrides,
  };
}

/** A CloudTrail log bucket locked down the way the bucket rules want it. */
function trailLogBucket(options: { name: string; region: string; ownerAccountId: string; writerTrailArns: string[]; writerAccountIds: string[] }): FakeBucket {
  const bucketArn = `arn:aws:s3:::${options.name}`;
  return {
    name: options.name,
    region: options.region,
    ownerCanonicalId: canonicalUserId(options.ownerAccountId),
    aclGrants: [{ grantee: { type: 'CanonicalUser', id: canonicalUserId(options.ownerAccountId) }, permission: 'FULL_CONTROL' }],
    objectOwnership: 'BucketOwnerEnforced',
    publicAccessBlock: BLOCK_ALL_PUBLIC_ACCESS,
    versioning: { status: 'Enabled', mfaDelete: false },
    objectLock: { defaultRetention: { mode: 'GOVERNANCE', days: 365 } },
    lifecycleRules: [{ id: 'expire-after-seven-years', status: 'Enabled', prefix: '', expirationDays: 2557, noncurrentVersionExpirationDays: 90 }],
    logging: { targetBucket: `pass-access-logs-${options.ownerAccountId}`, targetPrefix: `${options.name}/` },
    policyIsPublic: false,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_PRINCIPAL },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: { StringEquals: { 'aws:SourceArn': options.writerTrailArns } },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_PRINCIPAL },
          Action: 's3:PutObject',
          Resource: options.writerAccountIds.map((accountId) => `${bucketArn}/AWSLogs/${accountId}/*`),
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': options.writerTrailArns } },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
  };
}

/** The bucket S3 server access logs of the trail buckets go to. */
function accessLogBucket(ownerAccountId: string, region: string): FakeBucket {
  return {
    name: `pass-access-logs-${ownerAccountId}`,
    region,
    ownerCanonicalId: canonicalUserId(ownerAccountId),
    aclGrants: [{ grantee: { type: 'CanonicalUser', id: canonicalUserId(ownerAccountId) }, permission: 'FULL_CONTROL' }],
    objectOwnership: 'BucketOwnerEnforced',
    publicAccessBlock: BLOCK_ALL_PUBLIC_ACCESS,
    versioning: { status: 'Enabled', mfaDelete: false },
    lifecycleRules: [{ id: 'expire-access-logs', status: 'Enabled', prefix: '', expirationDays: 365 }],
  };
}

/** A customer managed key whose policy lets CloudTrail encrypt only for the given trails' accounts. */
function trailKey(options: { keyId: string; alias: string; region: string; ownerAccountId: string; trailAccountIds: string[] }): FakeKmsKey {
  return {
    keyId: options.keyId,
    region: options.region,
    state: 'Enabled',
    manager: 'CUSTOMER',
    spec: 'SYMMETRIC_DEFAULT',
    usage: 'ENCRYPT_DECRYPT',
    rotationEnabled: true,
    aliases: [options.alias],
    creationDate: '2023-01-05T10:00:00Z',
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'EnableRootPermissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${options.ownerAccountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'AllowCloudTrailToEncryptLogs',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_PRINCIPAL },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: {
            StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': options.trailAccountIds.map((accountId) => `arn:aws:cloudtrail:*:${accountId}:trail/*`) },
            StringEquals: { 'aws:SourceAccount': options.trailAccountIds },
          },
        },
        {
          Sid: 'AllowCloudTrailToDescribeKey',
          Effect: 'Allow',
          Principal: { Service: CLOUDTRAIL_PRINCIPAL },
          Action: 'kms:DescribeKey',
          Resource: '*',
        },
      ],
    },
  };
}

/** CIS monitoring: metric filters on the trail's log group, each with an alarm to a subscribed topic. */
const CIS_METRIC_FILTERS = [
  {
    name: 'pass-unauthorized-api-calls',
    metricName: 'UnauthorizedAPICalls',
    pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  },
  {
    name: 'pass-root-account-usage',
    metricName: 'RootAccountUsage',
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  },
  {
    name: 'pass-cloudtrail-configuration-changes',
    metricName: 'CloudTrailConfigurationChanges',
    pattern:
      '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  },
];
const CIS_NAMESPACE = 'CISBenchmark';

/**
 * Gives `account` a log group the trail delivers to, with CIS metric filters and alarms notifying a
 * topic with a confirmed subscription; answers the trail fields that point at them.
 */
function addMonitoring(account: FakeAccount, region: string, groupName: string): Pick<FakeTrail, 'cloudWatchLogsLogGroupArn' | 'cloudWatchLogsRoleArn'> {
  const topicName = 'pass-security-alerts';
  const topic = snsTopicArn('aws', region, account.id, topicName);
  const group: FakeLogGroup = {
    name: groupName,
    region,
    retentionInDays: 365,
    creationTime: '2023-01-10T09:00:00Z',
    metricFilters: CIS_METRIC_FILTERS.map((filter) => ({ name: filter.name, pattern: filter.pattern, metricName: filter.metricName, metricNamespace: CIS_NAMESPACE })),
  };
  account.logGroups.push(group);
  account.snsTopics.push({ name: topicName, region, confirmedSubscriptions: 1 });
  for (const filter of CIS_METRIC_FILTERS) {
    account.alarms.push({ name: `pass-${filter.metricName}-alarm`, region, metricName: filter.metricName, namespace: CIS_NAMESPACE, actionsEnabled: true, alarmActions: [topic] });
  }
  const roleName = 'pass-cloudtrail-to-cloudwatch-logs';
  account.roles.push({ name: roleName, trustedServices: [CLOUDTRAIL_PRINCIPAL] });
  return { cloudWatchLogsLogGroupArn: logGroupArn('aws', region, account.id, groupName), cloudWatchLogsRoleArn: roleArn('aws', account.id, roleName) };
}

function organizationModel(accounts: FakeAccount[], caller: StaticCredentials, delegatedAdministrators: FakeOrganizationInfo['delegatedAdministrators'] = []): FakeAwsModel {
  for (const account of accounts) account.publicAccessBlock ??= BLOCK_ALL_PUBLIC_ACCESS;
  return {
    partition: 'aws',
    organization: { id: ORGANIZATION_ID, managementAccountId: accounts[0]!.id, delegatedAdministrators },
    accounts,
    callers: [caller],
  };
}

function standaloneScenario(name: string, story: string, account: FakeAccount): Scenario {
  account.publicAccessBlock ??= BLOCK_ALL_PUBLIC_ACCESS;
  account.roles.push(scanRole([account.id]));
  const caller = callerKeys(account.id);
  return { name, story, model: { partition: 'aws', organization: null, accounts: [account], callers: [caller] }, caller, scanRoleName: SCAN_ROLE_NAME, scanAccountIds: [account.id] };
}

/** A standalone account whose trails all write to one well-configured, encrypted bucket in `region`. */
function accountWithTrailBucket(accountId: string, name: string, region = 'us-east-1', regions: RegionState[] = regionStates()) {
  const account = emptyAccount(accountId, name, regions);
  const bucketName = `pass-trail-logs-${accountId}`;
  const key = trailKey({ keyId: `${accountId.slice(0, 8)}-0000-4000-8000-00000000000a`, alias: 'alias/pass-trail-key', region, ownerAccountId: accountId, trailAccountIds: [accountId] });
  account.kmsKeys.push(key);
  account.buckets.push(accessLogBucket(accountId, region));
  const addBucket = (writerTrailNames: { name: string; homeRegion: string }[]) =>
    account.buckets.push(
      trailLogBucket({
        name: bucketName,
        region,
        ownerAccountId: accountId,
        writerTrailArns: writerTrailNames.map((trail) => trailArn('aws', trail.homeRegion, accountId, trail.name)),
        writerAccountIds: [accountId],
      }),
    );
  return { account, bucketName, keyArn: kmsKeyArn('aws', region, accountId, key.keyId), addBucket };
}

// ---------------------------------------------------------------------------------------------
// The example organization
// ---------------------------------------------------------------------------------------------

const ORG_TRAIL_NAME = 'pass-org-trail';
const ORG_TRAIL_REGION = 'us-east-1';

interface OrganizationOptions {
  /** Accounts whose principals the scan role in each account trusts, by account id. */
  scanRoleTrust: (accountId: string) => string[];
  orgTrailBucketName: string;
  orgTrailKeyAlias: string;
}

/**
 * Management owns a multi-region organization trail (KMS, validation, CloudWatch Logs with CIS
 * alarms) writing to a bucket in the log-archive account; the other accounts have no trail of
 * their own. The audit account is CloudTrail's delegated administrator.
 */
function exampleOrganization(options: OrganizationOptions): FakeAccount[] {
  const ids = ORG_ACCOUNTS;
  const management = emptyAccount(ids.management, 'management');
  const logArchive = emptyAccount(ids.logArchive, 'log-archive');
  const audit = emptyAccount(ids.audit, 'audit');
  const workloadA = emptyAccount(ids.workloadA, 'workload-a', regionStates(['af-south-1']));
  const workloadB = emptyAccount(ids.workloadB, 'workload-b');
  const accounts = [management, logArchive, audit, workloadA, workloadB];
  for (const account of accounts) account.roles.push(scanRole(options.scanRoleTrust(account.id)));

  const orgTrailArn = trailArn('aws', ORG_TRAIL_REGION, ids.management, ORG_TRAIL_NAME);
  const key = trailKey({
    keyId: '0a1b2c3d-1111-4222-8333-444455556666',
    alias: options.orgTrailKeyAlias,
    region: ORG_TRAIL_REGION,
    ownerAccountId: ids.logArchive,
    trailAccountIds: [ids.management],
  });
  logArchive.kmsKeys.push(key);
  logArchive.buckets.push(
    trailLogBucket({
      name: options.orgTrailBucketName,
      region: ORG_TRAIL_REGION,
      ownerAccountId: ids.logArchive,
      writerTrailArns: [orgTrailArn],
      writerAccountIds: [ids.management, ORGANIZATION_ID],
    }),
    accessLogBucket(ids.logArchive, ORG_TRAIL_REGION),
  );
  const monitoring = addMonitoring(management, ORG_TRAIL_REGION, `aws-cloudtrail-logs-${ORG_TRAIL_NAME}`);
  management.trails.push(
    wellConfiguredTrail(ORG_TRAIL_NAME, ORG_TRAIL_REGION, options.orgTrailBucketName, {
      isOrganizationTrail: true,
      kmsKeyId: kmsKeyArn('aws', ORG_TRAIL_REGION, ids.logArchive, key.keyId),
      ...monitoring,
    }),
  );
  management.eventDataStores.push({
    id: '5e1f0c2a-7777-4888-9999-aaaabbbbcccc',
    name: 'pass-org-event-data-store',
    region: ORG_TRAIL_REGION,
    status: 'ENABLED',
    multiRegionEnabled: true,
    organizationEnabled: true,
    retentionPeriodDays: 2557,
    terminationProtectionEnabled: true,
    advancedEventSelectors: [{ name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }],
    createdTimestamp: '2023-02-01T00:00:00Z',
  });
  return accounts;
}

const CLOUDTRAIL_DELEGATION = [{ accountId: ORG_ACCOUNTS.audit, servicePrincipal: CLOUDTRAIL_PRINCIPAL, delegationEnabledDate: '2023-01-02T00:00:00Z' }];

export function orgTrailWithLogArchive(): Scenario {
  const caller = callerKeys(ORG_ACCOUNTS.management);
  const accounts = exampleOrganization({
    scanRoleTrust: () => [ORG_ACCOUNTS.management],
    orgTrailBucketName: `pass-org-trail-logs-${ORG_ACCOUNTS.logArchive}`,
    orgTrailKeyAlias: 'alias/pass-org-trail-key',
  });
  return {
    name: 'org-trail-with-log-archive',
    story:
      'The management account owns a multi-region organization trail (KMS, validation, CloudWatch Logs with CIS alarms) writing to a bucket in the log-archive account; members have no trails of their own and are covered by it.',
    model: organizationModel(accounts, caller, CLOUDTRAIL_DELEGATION),
    caller,
    scanRoleName: SCAN_ROLE_NAME,
    scanAccountIds: Object.values(ORG_ACCOUNTS),
  };
}

export function memberOnlyScan(): Scenario {
  const caller = callerKeys(ORG_ACCOUNTS.audit);
  const owners: string[] = [ORG_ACCOUNTS.management, ORG_ACCOUNTS.logArchive];
  const accounts = exampleOrganization({
    // Management and log-archive trust only the management account: the audit scan cannot enter them.
    scanRoleTrust: (accountId) => (owners.includes(accountId) ? [ORG_ACCOUNTS.management] : [ORG_ACCOUNTS.audit]),
    orgTrailBucketName: `error-org-trail-logs-${ORG_ACCOUNTS.logArchive}`,
    orgTrailKeyAlias: 'alias/error-org-trail-key',
  });
  return {
    name: 'member-only-scan',
    story:
      'The same organization scanned from the audit account, which reaches only member accounts: the organization trail, its bucket and key belong to accounts outside the scan, so their facts are errors naming the owner, never failures.',
    model: organizationModel(accounts, caller, CLOUDTRAIL_DELEGATION),
    caller,
    scanRoleName: SCAN_ROLE_NAME,
    scanAccountIds: [ORG_ACCOUNTS.audit, ORG_ACCOUNTS.workloadA, ORG_ACCOUNTS.workloadB],
  };
}

export function crossAccountBucketDenied(): Scenario {
  const caller = callerKeys(ORG_ACCOUNTS.management);
  const accounts = exampleOrganization({
    // The log-archive account has no role the scan may assume; its bucket and key answer 403 to others.
    scanRoleTrust: (accountId) => (accountId === ORG_ACCOUNTS.logArchive ? [] : [ORG_ACCOUNTS.management]),
    orgTrailBucketName: `error-denied-org-trail-logs-${ORG_ACCOUNTS.logArchive}`,
    orgTrailKeyAlias: 'alias/error-denied-org-trail-key',
  });
  return {
    name: 'cross-account-bucket-denied',
    story:
      'The organization trail writes to a bucket in the log-archive account, which the scan cannot enter; reading the bucket from the management account is denied (403), so bucket facts are errors, not failures.',
    model: organizationModel(accounts, caller, CLOUDTRAIL_DELEGATION),
    caller,
    scanRoleName: SCAN_ROLE_NAME,
    scanAccountIds: Object.values(ORG_ACCOUNTS),
  };
}

// ---------------------------------------------------------------------------------------------
// Standalone stories
// ---------------------------------------------------------------------------------------------

export function shadowCopies(): Scenario {
  const region = 'eu-west-1';
  const { account, bucketName, keyArn, addBucket } = accountWithTrailBucket('606060606060', 'shadow-copies', region);
  const trail = wellConfiguredTrail('pass-multi-region-trail', region, bucketName, { kmsKeyId: keyArn, ...addMonitoring(account, region, 'pass-multi-region-trail-logs') });
  account.trails.push(trail);
  addBucket([trail]);
  return standaloneScenario(
    'shadow-copies',
    'One multi-region trail homed in eu-west-1: DescribeTrails in every region returns a copy with the same ARN and HomeRegion. It is one trail, not seventeen.',
    account,
  );
}

export function stoppedAndSecondTrail(): Scenario {
  const { account, bucketName, keyArn, addBucket } = accountWithTrailBucket('707070707070', 'stopped-and-second-trail');
  const stopped = wellConfiguredTrail('fail-stopped-trail', 'us-east-1', bucketName, {
    kmsKeyId: keyArn,
    status: { isLogging: false, startLoggingTime: '2023-01-10T09:00:00Z', stopLoggingTime: '2024-05-20T08:00:00Z', latestDeliveryTime: '2024-05-20T07:58:00Z' },
  });
  const second = wellConfiguredTrail('pass-second-trail', 'us-west-2', bucketName, { kmsKeyId: keyArn });
  // Homed elsewhere and single-region: only ListTrails (or DescribeTrails in eu-west-1) reveals it.
  const singleRegion = wellConfiguredTrail('pass-single-region-trail', 'eu-west-1', bucketName, { kmsKeyId: keyArn, isMultiRegion: false, includeGlobalServiceEvents: false });
  account.trails.push(stopped, second, singleRegion);
  addBucket([stopped, second, singleRegion]);
  return standaloneScenario(
    'stopped-and-second-trail',
    'A stopped multi-region trail beside a second, logging multi-region trail and a single-region trail homed in eu-west-1: coverage rules pass thanks to the second trail; trail rules fail the stopped one only.',
    account,
  );
}

export function advancedSelectors(): Scenario {
  const { account, bucketName, keyArn, addBucket } = accountWithTrailBucket('808080808080', 'advanced-selectors');
  const management = (readOnly: string) => ({ field: 'readOnly', equals: [readOnly] });
  const trails = [
    wellConfiguredTrail('pass-split-read-write', 'us-east-1', bucketName, {
      kmsKeyId: keyArn,
      eventSelectors: {
        kind: 'advanced',
        selectors: [
          { name: 'reads', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, management('true')] },
          { name: 'writes', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, management('false')] },
          { name: 'all S3 objects', fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }, { field: 'resources.type', equals: ['AWS::S3::Object'] }] },
        ],
      },
    }),
    wellConfiguredTrail('fail-excludes-kms-events', 'us-east-1', bucketName, {
      kmsKeyId: keyArn,
      eventSelectors: {
        kind: 'advanced',
        selectors: [{ name: 'Log all management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, { field: 'eventSource', notEquals: ['kms.amazonaws.com'] }] }],
      },
    }),
    wellConfiguredTrail('fail-classic-excludes-kms', 'us-east-1', bucketName, {
      kmsKeyId: keyArn,
      eventSelectors: { kind: 'classic', selectors: [{ readWriteType: 'All', includeManagementEvents: true, excludeManagementEventSources: ['kms.amazonaws.com'] }] },
    }),
    wellConfiguredTrail('pass-classic-s3-data-events', 'us-east-1', bucketName, {
      kmsKeyId: keyArn,
      eventSelectors: {
        kind: 'classic',
        selectors: [{ readWriteType: 'All', includeManagementEvents: true, dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }],
      },
    }),
  ];
  account.trails.push(...trails);
  addBucket(trails);
  return standaloneScenario(
    'advanced-selectors',
    'Selector shapes side by side: advanced read-only + write-only management selectors that together cover both, an advanced selector narrowed by eventSource, a classic selector excluding KMS events, and classic S3 data events for all buckets.',
    account,
  );
}

export function deletedBucket(): Scenario {
  const { account, keyArn } = accountWithTrailBucket('101010101010', 'deleted-bucket');
  account.trails.push(
    wellConfiguredTrail('fail-trail-to-deleted-bucket', 'us-east-1', 'fail-deleted-trail-bucket-101010101010', {
      kmsKeyId: keyArn,
      status: { ...loggingStatus(), latestDeliveryError: 'NoSuchBucket', latestDeliveryTime: '2024-04-30T23:55:00Z' },
    }),
  );
  return standaloneScenario(
    'deleted-bucket',
    'The trail still points at a bucket that no longer exists (HeadBucket 404, every bucket read NoSuchBucket): a real failure, not an error.',
    account,
  );
}

export function keyPendingDeletion(): Scenario {
  const { account, bucketName, keyArn, addBucket } = accountWithTrailBucket('121212121212', 'key-pending-deletion');
  const key = account.kmsKeys[0]!;
  key.state = 'PendingDeletion';
  key.deletionDate = '2024-06-20T00:00:00Z';
  key.aliases = ['alias/fail-key-pending-deletion'];
  const trail = wellConfiguredTrail('fail-trail-key-pending-deletion', 'us-east-1', bucketName, { kmsKeyId: keyArn });
  account.trails.push(trail);
  addBucket([trail]);
  return standaloneScenario(
    'key-pending-deletion',
    'The trail encrypts with a customer managed key scheduled for deletion (KeyState PendingDeletion, DeletionDate set); its rotation status reads false.',
    account,
  );
}

export function optInRegionDisabled(): Scenario {
  const { account, bucketName, keyArn, addBucket } = accountWithTrailBucket('131313131313', 'opt-in-region-disabled', 'us-east-1', regionStates(['me-south-1']));
  const trail = wellConfiguredTrail('pass-multi-region-trail', 'us-east-1', bucketName, { kmsKeyId: keyArn });
  account.trails.push(trail);
  addBucket([trail]);
  return standaloneScenario(
    'opt-in-region-disabled',
    'The account opted in to me-south-1 but not to the other opt-in regions (af-south-1, …): DescribeRegions(AllRegions) lists them as not-opted-in and their endpoints refuse the account; they are not applicable, not failures.',
    account,
  );
}

export const SCENARIOS: Record<string, () => Scenario> = {
  'org-trail-with-log-archive': orgTrailWithLogArchive,
  'member-only-scan': memberOnlyScan,
  'shadow-copies': shadowCopies,
  'stopped-and-second-trail': stoppedAndSecondTrail,
  'advanced-selectors': advancedSelectors,
  'cross-account-bucket-denied': crossAccountBucketDenied,
  'deleted-bucket': deletedBucket,
  'key-pending-deletion': keyPendingDeletion,
  'opt-in-region-disabled': optInRegionDisabled,
};

// ---------------------------------------------------------------------------------------------
// Large organizations for the benchmark
// ---------------------------------------------------------------------------------------------

export interface GeneratedOrganizationOptions {
  /** Accounts in total, management, log-archive and audit included (at least 3). */
  accounts: number;
  /** Enabled regions per account: the first N default regions, then opt-in regions (opted in). */
  regions: number;
  /** The share of member accounts with a trail of their own besides the organization trail. */
  ownTrailShare: number;
  seed: number;
  externalId?: string;
  /** IAM roles per account besides the scan role (a few administrators, the rest workload roles), for the IAM collection benchmark. */
  rolesPerAccount?: number;
  /**
   * OUs to spread the accounts over, nested as landing zones nest them (one in ten under the root,
   * the others under those); log archive and audit in the first, members round-robin, management
   * under the root. Absent or 0: every account under the root.
   */
  organizationalUnits?: number;
}

/** OU `index` of `count` and its parent (the root for the first tenth, else one of those). */
function generatedUnit(rootId: string, index: number, count: number): { id: string; parentId: string; name: string } {
  const topLevel = Math.max(1, Math.ceil(count / 10));
  const id = (n: number) => `ou-${rootId.slice(2)}-${String(n).padStart(8, '0')}`;
  return { id: id(index), parentId: index < topLevel ? rootId : id(index % topLevel), name: index === 0 ? 'security' : `workloads-${index}` };
}

/** Roles of a workload account: mostly narrow workload roles, one administrator in fifty, and two customer managed policies. */
function addWorkloadRoles(account: FakeAccount, count: number): void {
  const partition = 'aws';
  account.managedPolicies = [
    { name: 'app-data-access', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 'dynamodb:Query'], Resource: '*' }] }, attachmentCount: count },
    { name: 'trail-operators', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['cloudtrail:StopLogging', 'cloudtrail:StartLogging'], Resource: '*' }] }, attachmentCount: 1 },
  ];
  for (let index = 0; index < count; index += 1) {
    const name = `workload-${String(index).padStart(4, '0')}`;
    const admin = index % 50 === 0;
    account.roles.push({
      name,
      path: '/service-role/',
      trustedServices: ['lambda.amazonaws.com'],
      managedPolicyArns: admin
        ? ['arn:aws:iam::aws:policy/AdministratorAccess']
        : [managedPolicyArn(partition, account.id, 'app-data-access'), 'arn:aws:iam::aws:policy/ReadOnlyAccess', ...(index === 1 ? [managedPolicyArn(partition, account.id, 'trail-operators')] : [])],
      inlinePolicies: [
        {
          name: 'logs',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:*:${account.id}:log-group:/aws/lambda/${name}:*` }] },
        },
      ],
    });
  }
}


function generatedRegionStates(count: number): RegionState[] {
  const all = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];
  if (count < 1 || count > all.length) throw new Error(`regions must be between 1 and ${all.length}`);
  return all.map((name, index): RegionState => ({
    name,
    optInStatus: index >= count ? 'not-opted-in' : index < DEFAULT_REGIONS.length ? 'opt-in-not-required' : 'opted-in',
  }));
}

/**
 * An organization of `accounts` accounts: management (the caller) owns a multi-region organization
 * trail writing to log-archive; a share of members also own a trail (random home region, half of
 * them multi-region, most logging) with its bucket and key in log-archive.
 */
export function generateOrganization(options: GeneratedOrganizationOptions): Scenario {
  if (options.accounts < 3) throw new Error('a generated organization has at least 3 accounts');
  const random = seededRandom(options.seed);
  const regions = generatedRegionStates(options.regions);
  const enabledRegions = regions.filter((state) => state.optInStatus !== 'not-opted-in').map((state) => state.name);
  const managementId = '100000000000';
  const accountId = (index: number) => String(100000000000 + index);
  const accounts: FakeAccount[] = [];
  for (let index = 0; index < options.accounts; index += 1) {
    const name = index === 0 ? 'management' : index === 1 ? 'log-archive' : index === 2 ? 'audit' : `member-${String(index).padStart(5, '0')}`;
    const account = emptyAccount(accountId(index), name, regions);
    account.roles.push(scanRole([managementId], options.externalId));
    account.publicAccessBlock = BLOCK_ALL_PUBLIC_ACCESS;
    if (options.rolesPerAccount) addWorkloadRoles(account, options.rolesPerAccount);
    accounts.push(account);
  }
  const [management, logArchive] = accounts as [FakeAccount, FakeAccount];
  logArchive.buckets.push(accessLogBucket(logArchive.id, ORG_TRAIL_REGION));

  const addTrailStorage = (owner: FakeAccount, trail: { name: string; homeRegion: string }, serial: number): { bucket: string; keyArn: string } => {
    const bucket = `pass-trail-logs-${owner.id}-${trail.name}`;
    const keyId = `${String(serial).padStart(8, '0')}-0000-4000-8000-${owner.id}`;
    logArchive.kmsKeys.push(trailKey({ keyId, alias: `alias/trail-key-${serial}`, region: trail.homeRegion, ownerAccountId: logArchive.id, trailAccountIds: [owner.id] }));
    logArchive.buckets.push(
      trailLogBucket({
        name: bucket,
        region: trail.homeRegion,
        ownerAccountId: logArchive.id,
        writerTrailArns: [trailArn('aws', trail.homeRegion, owner.id, trail.name)],
        writerAccountIds: [owner.id],
      }),
    );
    return { bucket, keyArn: kmsKeyArn('aws', trail.homeRegion, logArchive.id, keyId) };
  };

  const orgStorage = addTrailStorage(management, { name: ORG_TRAIL_NAME, homeRegion: ORG_TRAIL_REGION }, 0);
  management.trails.push(
    wellConfiguredTrail(ORG_TRAIL_NAME, ORG_TRAIL_REGION, orgStorage.bucket, {
      isOrganizationTrail: true,
      kmsKeyId: orgStorage.keyArn,
      ...addMonitoring(management, ORG_TRAIL_REGION, `aws-cloudtrail-logs-${ORG_TRAIL_NAME}`),
    }),
  );
  for (let index = 3; index < accounts.length; index += 1) {
    const member = accounts[index]!;
    if (random() >= options.ownTrailShare) continue;
    const homeRegion = enabledRegions[Math.floor(random() * enabledRegions.length)]!;
    const isMultiRegion = random() < 0.5;
    const logging = random() < 0.9;
    const name = `${logging ? 'pass' : 'fail'}-member-trail`;
    const storage = addTrailStorage(member, { name, homeRegion }, index);
    member.trails.push(
      wellConfiguredTrail(name, homeRegion, storage.bucket, {
        isMultiRegion,
        includeGlobalServiceEvents: isMultiRegion,
        kmsKeyId: storage.keyArn,
        status: logging ? loggingStatus() : { isLogging: false, stopLoggingTime: minutesBefore(60 * 24 * 3) },
      }),
    );
  }
  const caller = callerKeys(managementId);
  const model = organizationModel(accounts, caller, [{ accountId: accountId(2), servicePrincipal: CLOUDTRAIL_PRINCIPAL }]);
  const unitCount = options.organizationalUnits ?? 0;
  if (unitCount > 0) {
    const organization = model.organization!;
    const rootId = 'r-gen0';
    const units = Array.from({ length: unitCount }, (_, index) => generatedUnit(rootId, index, unitCount));
    organization.rootId = rootId;
    organization.organizationalUnits = units;
    organization.accountParents = Object.fromEntries(accounts.slice(1).map((account, offset) => [account.id, units[offset < 2 ? 0 : (offset - 2) % unitCount]!.id]));
  }
  return {
    name: `generated-organization-${options.accounts}x${options.regions}-seed-${options.seed}${unitCount > 0 ? `-${unitCount}-ous` : ''}`,
    story: `${options.accounts} accounts × ${options.regions} regions under one organization trail${unitCount > 0 ? `, in ${unitCount} OUs` : ''}; about ${Math.round(options.ownTrailShare * 100)}% of members own a trail too.`,
    model,
    caller,
    scanRoleName: SCAN_ROLE_NAME,
    scanAccountIds: accounts.map((account) => account.id),
  };
}
