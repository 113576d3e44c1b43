/**
 * The bundled demo organization (`trailwarden scan --demo`): Acme's AWS Organization, where each
 * account tells a different CloudTrail story, so the demo shows passes, failures, errors and
 * not-applicable findings. examples/demo/snapshot.json is generated from this (UPDATE_DEMO=1 npx
 * vitest run test/demo) and pinned by a test.
 */
import { TRAIL_TAMPER_ACTIONS } from '../../src/aws-policy/tracked-actions.js';
import type { SnapshotFragment } from '../support/snapshot-builder.js';
import { monitoring } from '../support/monitoring.js';

const MANAGEMENT = '111111111111';
const LOG_ARCHIVE = '222222222222';
const PAYMENTS = '333333333333';
const SANDBOX = '444444444444';
const LEGACY = '555555555555';
const ANALYTICS = '666666666666';
const ACQUIRED = '777777777777';
const SECURITY = '888888888888';
const PARTNER = '999999999999';

const REGIONS = [
  { name: 'us-east-1', optInStatus: 'opt-in-not-required' },
  { name: 'us-west-2', optInStatus: 'opt-in-not-required' },
  { name: 'eu-west-1', optInStatus: 'opt-in-not-required' },
  { name: 'eu-central-1', optInStatus: 'opt-in-not-required' },
  { name: 'ap-southeast-2', optInStatus: 'opt-in-not-required' },
  { name: 'ap-east-1', optInStatus: 'not-opted-in' },
  { name: 'me-central-1', optInStatus: 'not-opted-in' },
];
const PAYMENTS_REGIONS = REGIONS.map((r) => (r.name === 'ap-east-1' ? { ...r, optInStatus: 'opted-in' } : r));

const orgTrail = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/acme-org-trail`;
const orgBucket = 'acme-org-cloudtrail-logs';
const denied = (action: string) => ({ $error: { action, code: 'AccessDenied', message: 'not authorized to perform this action' } });
const assumeRoleDenied = {
  $error: { action: 'sts:AssumeRole', code: 'AccessDenied', accountId: LEGACY, message: `role trailwarden-readonly cannot be assumed in ${LEGACY}` },
};
const ownerNotInScan = (action: string) => ({
  $error: { action, code: 'OwnerNotInScan', accountId: PARTNER, message: `bucket belongs to account ${PARTNER}, which is not in the scan: evaluate in account ${PARTNER}` },
});

const orgLogGroup = `arn:aws:logs:us-east-1:${MANAGEMENT}:log-group:aws-cloudtrail-logs-acme-org`;
const securityLogGroup = `arn:aws:logs:us-east-1:${SECURITY}:log-group:pass-security-trail-log-group`;
const alertsTopic = `arn:aws:sns:us-east-1:${MANAGEMENT}:acme-security-alerts`;
const unconfirmedTopic = `arn:aws:sns:us-east-1:${MANAGEMENT}:acme-unconfirmed-alerts`;
const securityTopic = `arn:aws:sns:us-east-1:${SECURITY}:security-tooling-alerts`;

/** A digest chain of the organization trail as --verify-integrity 24h found it, intact unless `damage` says otherwise. */
function orgChain(accountId: string, region: string, damage: Record<string, unknown> = {}) {
  const prefix = `org/AWSLogs/o-acme0example/${accountId}/CloudTrail-Digest/${region}/`;
  const digest = (day: string, time: string) => `${prefix}2026/${day}/${accountId}_CloudTrail-Digest_${region}_acme-org-trail_us-east-1_2026${day.replace('/', '')}T${time}Z.json.gz`;
  return {
    name: `${accountId}/${region}`,
    accountId,
    region,
    bucket: orgBucket,
    prefix,
    verification: {
      digests: 24,
      backfillDigests: 0,
      firstDigest: { key: digest('10/31', '123107'), endTime: '2026-10-31T12:31:07.000Z' },
      lastDigest: { key: digest('11/01', '113107'), endTime: '2026-11-01T11:31:07.000Z' },
      signatureFailures: [],
      linkBreaks: [],
      gaps: [],
      logFiles: { checked: 96, failures: [] },
      ...damage,
    },
  };
}
const paymentsDigest = (time: string) => `org/AWSLogs/o-acme0example/${PAYMENTS}/CloudTrail-Digest/eu-west-1/2026/11/01/${PAYMENTS}_CloudTrail-Digest_eu-west-1_acme-org-trail_us-east-1_20261101T${time}Z.json.gz`;

export const DEMO_ORGANIZATION: SnapshotFragment = {
  scanTime: '2026-11-01T12:00:00.000Z',
  // The demo scan verified digest chains over 24 hours, log files included (--verify-integrity 24h --verify-integrity-files).
  integrity: { windowStart: '2026-10-31T12:00:00.000Z', windowEnd: '2026-11-01T12:00:00.000Z', windowHours: 24, files: true, objectsRead: 1037, bytesRead: 48_213_442, listCalls: 28 },
  callerAccountId: MANAGEMENT,
  organization: { id: 'o-acme0example', managementAccountId: MANAGEMENT, cloudTrailDelegatedAdministrators: [] },
  accounts: [
    { id: MANAGEMENT, name: 'acme-management', regions: REGIONS },
    { id: LOG_ARCHIVE, name: 'acme-log-archive', regions: REGIONS },
    // Payments turned account-level Block Public Access off for a legacy static site.
    { id: PAYMENTS, name: 'acme-payments-prod', regions: PAYMENTS_REGIONS, publicAccessBlock: null },
    { id: SANDBOX, name: 'acme-dev-sandbox', regions: REGIONS, publicAccessBlock: null },
    // The read-only role was never deployed here: every fact is an error, never a pass.
    { id: LEGACY, name: 'acme-legacy-erp', regions: assumeRoleDenied, trailArns: assumeRoleDenied, publicAccessBlock: assumeRoleDenied },
    { id: ANALYTICS, name: 'acme-analytics', regions: REGIONS },
    // Security tooling runs its own multi-region trail with every CIS alarm wired to on-call.
    { id: SECURITY, name: 'acme-security-tooling', regions: REGIONS },
    // Scanned with --accounts while it still lives in its own organization: no org trail applies.
    {
      id: ACQUIRED,
      name: 'acquired-startup',
      regions: REGIONS,
      trailArns: [`arn:aws:cloudtrail:us-east-1:${ACQUIRED}:trail/fail-startup-trail`],
    },
  ],
  trails: [
    // The organization trail: multi-region, validated, KMS-encrypted, delivered to the log archive.
    {
      arn: orgTrail,
      isOrganizationTrail: true,
      s3BucketName: orgBucket,
      s3KeyPrefix: 'org',
      kmsKeyId: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/0f1e2d3c-acme-org-trail`,
      snsTopicArn: `arn:aws:sns:us-east-1:${MANAGEMENT}:acme-cloudtrail-notifications`,
      cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${MANAGEMENT}:log-group:aws-cloudtrail-logs-acme-org:*`,
      cloudWatchLogsRoleArn: `arn:aws:iam::${MANAGEMENT}:role/CloudTrailCloudWatchLogs`,
      tags: [
        { key: 'owner', value: 'security-engineering' },
        { key: 'data-classification', value: 'audit' },
      ],
      // Every member chain verifies, except payments in eu-west-1: at 04:31 a digest was deleted,
      // the 07:31 digest was edited, and a log file it names was changed after delivery.
      integrity: {
        chains: [
          orgChain(MANAGEMENT, 'us-east-1'),
          orgChain(MANAGEMENT, 'eu-west-1'),
          orgChain(LOG_ARCHIVE, 'us-east-1'),
          orgChain(PAYMENTS, 'us-east-1'),
          orgChain(PAYMENTS, 'eu-west-1', {
            signatureFailures: [{ key: paymentsDigest('073107'), reason: 'signature does not verify with public key 31e8b5433410dfb61a9dc45cc65b22ff' }],
            linkBreaks: [{ key: paymentsDigest('043107'), reason: `missing: deleted or moved (${paymentsDigest('053107')} names it as the previous digest)` }],
            gaps: [
              {
                start: '2026-11-01T03:31:07.000Z',
                end: '2026-11-01T04:31:07.000Z',
                explained: false,
                reason: `no digest covers 2026-11-01T03:31:07.000Z to 2026-11-01T04:31:07.000Z between ${paymentsDigest('033107')} and ${paymentsDigest('053107')} (${paymentsDigest('053107')} names ${paymentsDigest('043107')})`,
                afterKey: paymentsDigest('033107'),
                beforeKey: paymentsDigest('053107'),
              },
            ],
            logFiles: {
              checked: 94,
              failures: [
                {
                  key: `org/AWSLogs/o-acme0example/${PAYMENTS}/CloudTrail/eu-west-1/2026/11/01/${PAYMENTS}_CloudTrail_eu-west-1_20261101T0655Z_x8UqE1pDf3vKaL0m.json.gz`,
                  reason: `SHA-256 9b1c… differs from 4f0e… in ${paymentsDigest('073107')}: the log file was changed`,
                },
              ],
            },
          }),
          orgChain(SANDBOX, 'us-east-1'),
          orgChain(ANALYTICS, 'us-east-1'),
        ],
      },
    },
    // Payments keeps a local single-region trail from before the organization trail existed.
    {
      arn: `arn:aws:cloudtrail:eu-west-1:${PAYMENTS}:trail/fail-payments-local-trail`,
      isMultiRegion: false,
      includeGlobalServiceEvents: false,
      logFileValidationEnabled: false,
      s3BucketName: 'fail-payments-trail-logs',
      kmsKeyId: '$absent',
      snsTopicArn: '$absent',
      cloudWatchLogsLogGroupArn: '$absent',
      cloudWatchLogsRoleArn: '$absent',
      hasInsightSelectors: false,
      insightSelectors: [],
      tags: [],
      status: { latestDigestDeliveryTime: '$absent' },
    },
    // The sandbox trail was stopped, excludes KMS events and lost its bucket and key.
    {
      arn: `arn:aws:cloudtrail:us-east-1:${SANDBOX}:trail/fail-sandbox-trail`,
      // Its bucket is gone, and its digests with it: nothing to verify is an error, never a pass.
      integrity: { chains: [{ verification: { $error: { action: 's3:ListBucket', code: 'NoSuchBucket', accountId: SANDBOX, message: 'bucket fail-sandbox-deleted-bucket does not exist' } } }] },
      s3BucketName: 'fail-sandbox-deleted-bucket',
      kmsKeyId: `arn:aws:kms:us-east-1:${SANDBOX}:key/9a8b7c6d-sandbox-pending-deletion`,
      hasCustomEventSelectors: true,
      eventSelectors: {
        source: 'advanced',
        selectors: [
          {
            name: 'management-events-all',
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Management'] },
              { field: 'eventSource', notEquals: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] },
            ],
          },
        ],
      },
      status: {
        isLogging: false,
        stopLoggingTime: '2026-09-14T08:30:00.000Z',
        latestDeliveryError: 'NoSuchBucket',
        latestDigestDeliveryTime: '2026-09-14T08:00:00.000Z',
        latestCloudWatchLogsDeliveryTime: '2026-09-14T08:00:00.000Z',
        latestNotificationError: 'AuthorizationError',
      },
      insightSelectors: [],
    },
    // Analytics records S3 and Lambda data events for everything, to a partner-owned bucket.
    {
      arn: `arn:aws:cloudtrail:eu-central-1:${ANALYTICS}:trail/pass-analytics-data-events`,
      integrity: { chains: [{ verification: ownerNotInScan('s3:ListBucket') }] },
      s3BucketName: `partner-audit-logs-${PARTNER}`,
      kmsKeyId: `arn:aws:kms:eu-central-1:${ANALYTICS}:key/analytics-trail-key`,
      hasCustomEventSelectors: true,
      eventSelectors: {
        source: 'advanced',
        selectors: [
          { name: 'management', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] },
          {
            name: 's3-objects',
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::S3::Object'] },
            ],
          },
          {
            name: 'lambda-invocations',
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::Lambda::Function'] },
            ],
          },
        ],
      },
      insightSelectors: denied('cloudtrail:GetInsightSelectors'),
    },
    {
      arn: `arn:aws:cloudtrail:us-east-1:${SECURITY}:trail/pass-security-trail`,
      s3BucketName: orgBucket,
      kmsKeyId: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/0f1e2d3c-acme-org-trail`,
      includeGlobalServiceEvents: false,
    },
    // The acquired startup's only trail: single-region and stopped.
    {
      arn: `arn:aws:cloudtrail:us-east-1:${ACQUIRED}:trail/fail-startup-trail`,
      isMultiRegion: false,
      status: { isLogging: false, stopLoggingTime: '2026-06-01T00:00:00.000Z' },
      // Stopped months ago: no digest in the window, and the trail status explains why.
      integrity: {
        chains: [
          {
            verification: {
              digests: 0,
              firstDigest: '$absent',
              lastDigest: '$absent',
              gaps: [{ start: '2026-10-31T12:00:00.000Z', end: '2026-11-01T12:00:00.000Z', explained: true, reason: 'logging stopped at 2026-06-01T00:00:00.000Z (GetTrailStatus)' }],
              logFiles: { checked: 0, failures: [] },
            },
          },
        ],
      },
    },
  ],
  buckets: [
    { name: orgBucket, ownerAccountId: LOG_ARCHIVE, lifecycleRules: [{ id: 'expire-after-7-years', status: 'Enabled', prefix: 'org/AWSLogs/', hasTagFilter: false, expirationDays: 2557 }] },
    {
      name: 'fail-payments-trail-logs',
      region: 'eu-west-1',
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AWSCloudTrailWrite', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::fail-payments-trail-logs/*' },
          { Sid: 'LegacyPublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::fail-payments-trail-logs/*' },
        ],
      },
      policyStatusIsPublic: true,
      acl: [
        { granteeType: 'CanonicalUser', granteeId: 'payments-owner', permission: 'FULL_CONTROL' },
        { granteeType: 'Group', granteeUri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
      ],
      publicAccessBlock: null,
      versioning: { status: 'Suspended', mfaDelete: false },
      objectLock: { enabled: false, defaultMode: '$absent', defaultDays: '$absent' },
      lifecycleRules: [{ id: 'save-money', status: 'Enabled', hasTagFilter: false, expirationDays: 30 }],
      logging: null,
      loggingTargetRegion: '$absent',
    },
    { name: 'fail-sandbox-deleted-bucket', exists: false },
    {
      name: `partner-audit-logs-${PARTNER}`,
      ownerAccountId: ownerNotInScan('s3:GetBucketAcl'),
      region: ownerNotInScan('s3:GetBucketLocation'),
      exists: ownerNotInScan('s3:HeadBucket'),
      policy: ownerNotInScan('s3:GetBucketPolicy'),
      policyStatusIsPublic: ownerNotInScan('s3:GetBucketPolicyStatus'),
      acl: ownerNotInScan('s3:GetBucketAcl'),
      objectOwnership: ownerNotInScan('s3:GetBucketOwnershipControls'),
      publicAccessBlock: ownerNotInScan('s3:GetBucketPublicAccessBlock'),
      versioning: ownerNotInScan('s3:GetBucketVersioning'),
      objectLock: ownerNotInScan('s3:GetBucketObjectLockConfiguration'),
      lifecycleRules: ownerNotInScan('s3:GetLifecycleConfiguration'),
      logging: ownerNotInScan('s3:GetBucketLogging'),
      loggingTargetRegion: '$absent',
    },
  ],
  kmsKeys: [
    {
      arn: `arn:aws:kms:us-east-1:${SANDBOX}:key/9a8b7c6d-sandbox-pending-deletion`,
      metadata: { keyState: 'PendingDeletion', deletionDate: '2026-11-20T00:00:00.000Z' },
      rotationEnabled: false,
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'EnableRoot', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SANDBOX}:root` }, Action: 'kms:*', Resource: '*' },
          { Sid: 'AllowCloudTrail', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*' },
          { Sid: 'AnyoneMayDecrypt', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
        ],
      },
    },
    { arn: `arn:aws:kms:eu-central-1:${ANALYTICS}:key/analytics-trail-key`, rotationEnabled: denied('kms:GetKeyRotationStatus') },
  ],
  snsTopics: [
    { arn: alertsTopic, confirmedSubscriptions: 3 },
    // Subscribed by e-mail, never confirmed: alarms to it reach nobody.
    { arn: unconfirmedTopic, confirmedSubscriptions: 0 },
    { arn: securityTopic, confirmedSubscriptions: 1 },
  ],
  logGroups: [
    // The organization's alarms: route-table changes were set up from an old runbook that watches
    // CreateRoute but not CreateRouteTable, and the root-usage alarm notifies an unconfirmed topic.
    monitoring(orgLogGroup, alertsTopic, {
      'route-table-changes': {
        pattern:
          '{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }',
      },
      'root-account-usage': { topic: unconfirmedTopic },
    }),
    monitoring(securityLogGroup, securityTopic),
    { arn: `arn:aws:logs:us-east-1:${SANDBOX}:log-group:fail-sandbox-trail-log-group`, details: { retentionInDays: 7, kmsKeyId: '$absent' } },
    { arn: `arn:aws:logs:eu-central-1:${ANALYTICS}:log-group:pass-analytics-data-events-log-group`, details: denied('logs:DescribeLogGroups') },
  ],
  eventDataStores: [
    { arn: `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:eventdatastore/pass-org-event-store` },
    {
      arn: `arn:aws:cloudtrail:us-east-1:${SANDBOX}:eventdatastore/fail-sandbox-event-store`,
      name: 'fail-sandbox-event-store',
      kmsKeyId: '$absent',
      terminationProtectionEnabled: false,
      retentionPeriodDays: 90,
      multiRegionEnabled: false,
      organizationEnabled: false,
      status: 'STOPPED_INGESTION',
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Who can blind the trail (issue 19): IAM principals, service control policies, log deletion
// rights and Bedrock data events. Kept as one additive block merged into the stories above.
// ---------------------------------------------------------------------------------------------
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
const ROOT = 'r-acme';
const TAMPER_ACTIONS = [...TRAIL_TAMPER_ACTIONS];
const noPolicies = { principals: [], managedPolicies: [], counts: { users: 0, roles: 0, groups: 0, managedPolicies: 0 } };
const role = (accountId: string, name: string, extra: Record<string, unknown> = {}) => ({
  type: 'role',
  name,
  arn: `arn:aws:iam::${accountId}:role/${name}`,
  inlinePolicies: [],
  managedPolicyArns: [],
  ...extra,
});

const IAM_STORIES: Record<string, Record<string, unknown>> = {
  // The management account: a break-glass role and the pipeline that manages the organization
  // trail can both reconfigure it; SCPs never bind this account.
  [MANAGEMENT]: {
    organizationPath: [ROOT],
    iam: {
      ...noPolicies,
      counts: { users: 2, roles: 41, groups: 3, managedPolicies: 12 },
      principals: [
        role(MANAGEMENT, 'acme-break-glass', { managedPolicyArns: [ADMINISTRATOR_ACCESS] }),
        role(MANAGEMENT, 'acme-trail-pipeline', {
          inlinePolicies: [
            { name: 'manage-organization-trail', document: { Version: '2012-10-17', Statement: [{ Sid: 'ManageTrail', Effect: 'Allow', Action: ['cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors', 'cloudtrail:PutInsightSelectors'], Resource: orgTrail }] } },
          ],
        }),
      ],
    },
  },
  [LOG_ARCHIVE]: { organizationPath: [ROOT, 'ou-acme-security'] },
  // Payments: the deployment role got an inline Action "*" "to unblock a release", and the
  // developers' role may clean up any *-logs bucket, the local trail's bucket included.
  [PAYMENTS]: {
    organizationPath: [ROOT, 'ou-acme-workloads'],
    iam: {
      ...noPolicies,
      counts: { users: 0, roles: 57, groups: 0, managedPolicies: 8 },
      principals: [
        role(PAYMENTS, 'fail-payments-deployer', {
          inlinePolicies: [{ name: 'unblock-release', document: { Version: '2012-10-17', Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' }] } }],
        }),
        role(PAYMENTS, 'fail-payments-developer', {
          inlinePolicies: [{ name: 'log-cleanup', document: { Version: '2012-10-17', Statement: [{ Sid: 'CleanUpLogs', Effect: 'Allow', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'], Resource: 'arn:aws:s3:::*-logs/*' }] } }],
        }),
      ],
    },
  },
  // Sandbox sits in an OU no SCP protects yet: its administrator can stop its trail.
  [SANDBOX]: {
    organizationPath: [ROOT, 'ou-acme-sandbox'],
    iam: { ...noPolicies, counts: { users: 4, roles: 12, groups: 1, managedPolicies: 0 }, principals: [role(SANDBOX, 'fail-sandbox-admin', { managedPolicyArns: [ADMINISTRATOR_ACCESS] })] },
  },
  [LEGACY]: { organizationPath: [ROOT, 'ou-acme-workloads'], iam: assumeRoleDenied },
  [ANALYTICS]: { organizationPath: [ROOT, 'ou-acme-workloads'] },
  // Security tooling still runs the previous read-only role, without iam:GetAccountAuthorizationDetails.
  [SECURITY]: { organizationPath: [ROOT, 'ou-acme-security'], iam: denied('iam:GetAccountAuthorizationDetails') },
  // Still in its own organization: it is in no OU of Acme's.
  [ACQUIRED]: {
    organizationPath: { $error: { action: 'organizations:ListAccountsForParent', code: 'AccountNotInOrganizationTree', accountId: MANAGEMENT, message: `account ${ACQUIRED} was not found under any OU or root` } },
  },
};

function addIamStories(demo: SnapshotFragment): void {
  demo.organization = {
    ...demo.organization,
    serviceControlPolicies: [
      { id: 'p-FullAWSAccess', name: 'FullAWSAccess', awsManaged: true, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, targets: [{ id: ROOT, type: 'ROOT' }] },
      // The guardrail was attached to the workloads and security OUs; the sandbox OU was forgotten.
      {
        id: 'p-acmeprotecttrail',
        name: 'acme-protect-cloudtrail',
        awsManaged: false,
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyTrailTampering',
              Effect: 'Deny',
              Action: TAMPER_ACTIONS,
              Resource: '*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/acme-break-glass', 'arn:aws:iam::*:role/acme-trail-pipeline'] } },
            },
          ],
        },
        targets: [
          { id: 'ou-acme-workloads', type: 'ORGANIZATIONAL_UNIT' },
          { id: 'ou-acme-security', type: 'ORGANIZATIONAL_UNIT' },
        ],
      },
    ],
  };
  for (const account of demo.accounts ?? []) Object.assign(account, IAM_STORIES[String(account.id)] ?? {});
  // Analytics records Bedrock agent and knowledge-base events; no other account records Bedrock use.
  const analytics = demo.trails?.find((trail) => String(trail.arn).includes(`:${ANALYTICS}:`));
  const selectors = (analytics?.eventSelectors as { selectors: unknown[] } | undefined)?.selectors;
  selectors?.push({
    name: 'bedrock-agents-and-knowledge-bases',
    fieldSelectors: [
      { field: 'eventCategory', equals: ['Data'] },
      { field: 'resources.type', equals: ['AWS::Bedrock::AgentAlias', 'AWS::Bedrock::KnowledgeBase'] },
    ],
  });
}

addIamStories(DEMO_ORGANIZATION);
