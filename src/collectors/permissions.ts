/**
 * Every AWS API operation the collectors may call, with the IAM action that authorises it. This
 * table is the single source: the gateway refuses any operation that is not in it, `trailwarden
 * permissions` prints the policy built from it, and a test proves every entry is read-only.
 */

export type ServiceId = 'sts' | 'organizations' | 'ec2' | 'cloudtrail' | 's3' | 's3control' | 'kms' | 'logs' | 'cloudwatch' | 'sns' | 'iam';

interface ApiOperation {
  service: ServiceId;
  /** The operation name in the service model (what the SDK command is called, minus "Command"). */
  operation: string;
  /** The IAM action that authorises it; errors name this action. */
  iamAction: string;
  /** Why the collectors call it (shown nowhere; keeps the list honest). */
  purpose: string;
  /**
   * Called only when the scan is asked to verify digest chains (--verify-integrity): left out of
   * the default policy and granted by its own, prefix-scoped statements.
   */
  optIn?: 'verify-integrity';
}

const op = (service: ServiceId, operation: string, iamAction: string, purpose: string, optIn?: ApiOperation['optIn']): ApiOperation => ({
  service,
  operation,
  iamAction,
  purpose,
  ...(optIn ? { optIn } : {}),
});

export const API_OPERATIONS: readonly ApiOperation[] = [
  op('sts', 'GetCallerIdentity', 'sts:GetCallerIdentity', 'caller account and partition'),
  op('sts', 'AssumeRole', 'sts:AssumeRole', 'one role session per scanned account'),
  op('organizations', 'DescribeOrganization', 'organizations:DescribeOrganization', 'organization id and management account'),
  op('organizations', 'ListAccounts', 'organizations:ListAccounts', 'accounts of the organization, when its tree cannot be walked'),
  op('organizations', 'ListDelegatedAdministrators', 'organizations:ListDelegatedAdministrators', 'CloudTrail delegated administrators'),
  op('organizations', 'ListPolicies', 'organizations:ListPolicies', 'service control policies of the organization'),
  op('organizations', 'DescribePolicy', 'organizations:DescribePolicy', 'the content of each service control policy'),
  op('organizations', 'ListTargetsForPolicy', 'organizations:ListTargetsForPolicy', 'where each service control policy is attached'),
  op('organizations', 'ListRoots', 'organizations:ListRoots', 'the root of the organization tree'),
  op('organizations', 'ListOrganizationalUnitsForParent', 'organizations:ListOrganizationalUnitsForParent', 'the OUs of the organization, walked to list its accounts'),
  op('organizations', 'ListAccountsForParent', 'organizations:ListAccountsForParent', 'the accounts of each root and OU, with their place in the tree'),
  op('ec2', 'DescribeRegions', 'ec2:DescribeRegions', 'regions and their opt-in status'),
  op('cloudtrail', 'ListTrails', 'cloudtrail:ListTrails', 'every trail of an account, with home regions'),
  op('cloudtrail', 'DescribeTrails', 'cloudtrail:DescribeTrails', 'trail configuration (shadow trails included)'),
  op('cloudtrail', 'GetTrailStatus', 'cloudtrail:GetTrailStatus', 'logging and delivery status'),
  op('cloudtrail', 'GetEventSelectors', 'cloudtrail:GetEventSelectors', 'management and data event selectors'),
  op('cloudtrail', 'GetInsightSelectors', 'cloudtrail:GetInsightSelectors', 'CloudTrail Insights'),
  op('cloudtrail', 'ListTags', 'cloudtrail:ListTags', 'trail tags'),
  op('cloudtrail', 'ListEventDataStores', 'cloudtrail:ListEventDataStores', 'CloudTrail Lake event data stores'),
  op('cloudtrail', 'GetEventDataStore', 'cloudtrail:GetEventDataStore', 'event data store settings'),
  op('s3', 'GetBucketLocation', 's3:GetBucketLocation', 'which scanned account owns a trail bucket (ExpectedBucketOwner), its region, whether it exists'),
  op('s3', 'GetBucketPolicy', 's3:GetBucketPolicy', 'bucket policy'),
  op('s3', 'GetBucketPolicyStatus', 's3:GetBucketPolicyStatus', 'whether the policy makes the bucket public'),
  op('s3', 'GetBucketAcl', 's3:GetBucketAcl', 'bucket ACL grants'),
  op('s3', 'GetBucketOwnershipControls', 's3:GetBucketOwnershipControls', 'object ownership'),
  op('s3', 'GetPublicAccessBlock', 's3:GetBucketPublicAccessBlock', 'bucket Block Public Access'),
  op('s3', 'GetBucketVersioning', 's3:GetBucketVersioning', 'versioning and MFA Delete'),
  op('s3', 'GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration', 'Object Lock'),
  op('s3', 'GetBucketLifecycleConfiguration', 's3:GetLifecycleConfiguration', 'lifecycle expiration'),
  op('s3', 'GetBucketLogging', 's3:GetBucketLogging', 'server access logging'),
  op('s3control', 'GetPublicAccessBlock', 's3:GetAccountPublicAccessBlock', 'account Block Public Access of bucket owners'),
  op('kms', 'DescribeKey', 'kms:DescribeKey', 'key state, manager and spec'),
  op('kms', 'GetKeyRotationStatus', 'kms:GetKeyRotationStatus', 'automatic key rotation'),
  op('kms', 'GetKeyPolicy', 'kms:GetKeyPolicy', 'key policy'),
  op('logs', 'DescribeLogGroups', 'logs:DescribeLogGroups', 'log group retention and encryption'),
  op('logs', 'DescribeMetricFilters', 'logs:DescribeMetricFilters', 'CIS monitoring metric filters'),
  op('cloudwatch', 'DescribeAlarms', 'cloudwatch:DescribeAlarms', 'alarms on the metric filters'),
  op('sns', 'GetTopicAttributes', 'sns:GetTopicAttributes', 'confirmed subscriptions of alarm topics'),
  op('iam', 'GetAccountAuthorizationDetails', 'iam:GetAccountAuthorizationDetails', 'users, groups, roles and their policies: who can tamper with trails or delete logs'),
  op('cloudtrail', 'ListPublicKeys', 'cloudtrail:ListPublicKeys', 'public keys that verify digest signatures', 'verify-integrity'),
  op('s3', 'ListObjectsV2', 's3:ListBucket', 'digest files of the window, by day prefix', 'verify-integrity'),
  op('s3', 'GetObject', 's3:GetObject', 'digest files (and, with --verify-integrity-files, the log files they name)', 'verify-integrity'),
];

const BY_SERVICE_OPERATION = new Map(API_OPERATIONS.map((entry) => [`${entry.service}:${entry.operation}`, entry]));

/** The listed operation, or undefined when the collectors are not allowed to call it. */
export function findApiOperation(service: ServiceId, operation: string): ApiOperation | undefined {
  return BY_SERVICE_OPERATION.get(`${service}:${operation}`);
}

/** The IAM action of a listed operation; throws for an unlisted one (a programming error). */
export function iamActionOf(service: ServiceId, operation: string): string {
  const entry = findApiOperation(service, operation);
  if (entry === undefined) throw new UnlistedOperationError(service, operation);
  return entry.iamAction;
}

export class UnlistedOperationError extends Error {
  constructor(service: string, operation: string) {
    super(`${service}:${operation} is not in src/collectors/permissions.ts; the collectors may only call listed read-only operations`);
    this.name = 'UnlistedOperationError';
  }
}

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

interface PermissionsPolicyOptions {
  /** The role assumed in every scanned account; without it the policy allows assuming any role name. */
  roleName?: string;
  /** Partition of the role ARNs; default `aws`. */
  partition?: string;
  /** Add what --verify-integrity reads (`files`: --verify-integrity-files too). */
  verifyIntegrity?: { files: boolean };
}

/**
 * Where CloudTrail writes, in any bucket, with or without a trail key prefix and an organization
 * id: <prefix/>AWSLogs/<o-id/><account>/CloudTrail-Digest/… (and …/CloudTrail/… for log files).
 * IAM's `*` matches across `/`, so one pattern covers every prefix depth.
 */
const DIGEST_KEYS = '*AWSLogs/*/CloudTrail-Digest/*';
const LOG_KEYS = '*AWSLogs/*/CloudTrail/*';

/**
 * The statements --verify-integrity needs in the account that owns each trail bucket (and
 * ListPublicKeys wherever a chain's account is): object reads limited to the digest prefixes (log
 * prefixes with `files`), listing limited by an s3:prefix condition, and kms:Decrypt only for the
 * log files of SSE-KMS trails, only through S3 (digests are SSE-S3 encrypted whatever the trail key).
 */
export function integrityStatements(partition: string, files: boolean): IamStatement[] {
  const keyPatterns = files ? [DIGEST_KEYS, LOG_KEYS] : [DIGEST_KEYS];
  const statements: IamStatement[] = [
    { Sid: 'TrailwardenVerifyIntegrityPublicKeys', Effect: 'Allow', Action: ['cloudtrail:ListPublicKeys'], Resource: '*' },
    { Sid: 'TrailwardenVerifyIntegrityList', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:${partition}:s3:::*`, Condition: { StringLike: { 's3:prefix': keyPatterns } } },
    { Sid: 'TrailwardenVerifyIntegrityRead', Effect: 'Allow', Action: ['s3:GetObject'], Resource: keyPatterns.map((pattern) => `arn:${partition}:s3:::*/${pattern}`) },
  ];
  if (files) {
    statements.push({
      Sid: 'TrailwardenVerifyIntegrityDecryptLogs',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: `arn:${partition}:kms:*:*:key/*`,
      Condition: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
    });
  }
  return statements;
}

/**
 * The least-privilege IAM policy of a scan: the read actions (for the scanning role in every account
 * and for the caller) and sts:AssumeRole on the scanning role in any account.
 */
export function permissionsPolicy(options: PermissionsPolicyOptions = {}): IamPolicyDocument {
  const readActions = [...new Set(API_OPERATIONS.filter((entry) => entry.optIn === undefined).map((entry) => entry.iamAction))]
    .filter((action) => action !== 'sts:AssumeRole' && action !== 'sts:GetCallerIdentity')
    .sort();
  const partition = options.partition ?? 'aws';
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'TrailwardenReadCloudTrailConfiguration', Effect: 'Allow', Action: readActions, Resource: '*' },
      {
        Sid: 'TrailwardenAssumeScanRole',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: `arn:${partition}:iam::*:role/${options.roleName ?? '*'}`,
      },
      ...(options.verifyIntegrity ? integrityStatements(partition, options.verifyIntegrity.files) : []),
    ],
  };
}
