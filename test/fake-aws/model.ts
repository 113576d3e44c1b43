/**
 * The data a fake AWS serves: one organization (or one standalone account set) described as plain
 * objects. The server indexes it once and answers every read from it; nothing here talks HTTP.
 *
 * Timestamps are ISO 8601 strings so a model can be written as JSON. ARNs are derived from names with
 * the builders at the bottom, so a model never spells the same ARN twice.
 */

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export type OptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

export interface RegionState {
  name: string;
  optInStatus: OptInStatus;
}

/** Keys a caller signs with; they identify the calling account (SigV4 credential scope). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** The principal GetCallerIdentity names, e.g. `user/scanner` (the ARN is built from it). */
  principal: string;
}

/** An inline IAM policy (its document is served URL-encoded, as IAM does). */
export interface FakeIamPolicy {
  name: string;
  document: unknown;
}

export interface FakeManagedPolicy {
  name: string;
  path?: string;
  /** The default version's document. */
  document: unknown;
  attachmentCount?: number;
}

export interface FakeUser {
  name: string;
  path?: string;
  inlinePolicies?: FakeIamPolicy[];
  managedPolicyArns?: string[];
  groups?: string[];
}

export interface FakeGroup {
  name: string;
  path?: string;
  inlinePolicies?: FakeIamPolicy[];
  managedPolicyArns?: string[];
}

export interface FakeRole {
  name: string;
  path?: string;
  /** Served by GetAccountAuthorizationDetails. */
  inlinePolicies?: FakeIamPolicy[];
  managedPolicyArns?: string[];
  /** Accounts whose principals the trust policy lets call sts:AssumeRole; absent = nobody (service roles). */
  trustedAccountIds?: string[];
  /** Service principals the trust policy names (e.g. cloudtrail.amazonaws.com for a log delivery role). */
  trustedServices?: string[];
  externalId?: string | undefined;
  maxSessionDurationSeconds?: number;
  description?: string;
}

export interface TrailStatusModel {
  isLogging: boolean;
  latestDeliveryError?: string;
  latestDeliveryTime?: string;
  latestNotificationError?: string;
  latestNotificationTime?: string;
  latestDigestDeliveryError?: string;
  latestDigestDeliveryTime?: string;
  latestCloudWatchLogsDeliveryError?: string;
  latestCloudWatchLogsDeliveryTime?: string;
  startLoggingTime?: string;
  stopLoggingTime?: string;
}

export interface ClassicEventSelector {
  readWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  includeManagementEvents: boolean;
  dataResources?: { type: string; values: string[] }[];
  excludeManagementEventSources?: string[];
}

export interface AdvancedFieldSelector {
  field: string;
  equals?: string[];
  notEquals?: string[];
  startsWith?: string[];
  notStartsWith?: string[];
  endsWith?: string[];
  notEndsWith?: string[];
}

export interface AdvancedEventSelector {
  name?: string;
  fieldSelectors: AdvancedFieldSelector[];
}

/** What GetEventSelectors answers; `default` is a trail whose selectors were never changed. */
export type EventSelectorsModel =
  | { kind: 'default' }
  | { kind: 'classic'; selectors: ClassicEventSelector[] }
  | { kind: 'advanced'; selectors: AdvancedEventSelector[] };

export type InsightType = 'ApiCallRateInsight' | 'ApiErrorRateInsight';

export interface FakeTrail {
  name: string;
  homeRegion: string;
  isMultiRegion: boolean;
  isOrganizationTrail: boolean;
  includeGlobalServiceEvents: boolean;
  logFileValidationEnabled: boolean;
  s3BucketName: string;
  s3KeyPrefix?: string;
  snsTopicArn?: string;
  /** A key ARN (CloudTrail always reports the full ARN). */
  kmsKeyId?: string;
  cloudWatchLogsLogGroupArn?: string;
  cloudWatchLogsRoleArn?: string;
  status: TrailStatusModel;
  eventSelectors: EventSelectorsModel;
  /** Empty = GetInsightSelectors answers InsightNotEnabledException. */
  insightTypes: InsightType[];
  tags: Record<string, string>;
}

export interface PublicAccessBlockModel {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export interface AclGrantModel {
  grantee:
    | { type: 'CanonicalUser'; id: string; displayName?: string }
    | { type: 'Group'; uri: string }
    | { type: 'AmazonCustomerByEmail'; emailAddress: string };
  permission: 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';
}

export interface LifecycleRuleModel {
  id?: string;
  status: 'Enabled' | 'Disabled';
  /** Filter.Prefix; absent with no tag = the whole bucket. */
  prefix?: string;
  tag?: { key: string; value: string };
  expirationDays?: number;
  expirationDate?: string;
  noncurrentVersionExpirationDays?: number;
  transitions?: { days: number; storageClass: string }[];
}

/** An S3 object: CloudTrail digests carry their signature in user metadata (x-amz-meta-*). */
export interface FakeObject {
  body: Buffer;
  metadata?: Record<string, string>;
  lastModified?: string;
}

export interface FakeBucket {
  name: string;
  region: string;
  /** Objects by key, readable (GetObject, ListObjectsV2) by the owner only. */
  objects?: Map<string, FakeObject>;
  /** The bucket policy document; absent = NoSuchBucketPolicy. */
  policy?: unknown;
  /** GetBucketPolicyStatus.IsPublic (only answered when a policy exists). */
  policyIsPublic?: boolean;
  /** Canonical user id of the owner; the ACL's owner grant. */
  ownerCanonicalId: string;
  aclGrants: AclGrantModel[];
  objectOwnership?: 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
  publicAccessBlock?: PublicAccessBlockModel;
  versioning?: { status: 'Enabled' | 'Suspended'; mfaDelete: boolean };
  objectLock?: { defaultRetention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; days?: number; years?: number } };
  lifecycleRules?: LifecycleRuleModel[];
  logging?: { targetBucket: string; targetPrefix?: string };
  /** Other accounts the bucket policy lets read the bucket's configuration (default: only the owner). */
  configurationReadableBy?: string[];
}

export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';

export interface FakeKmsKey {
  keyId: string;
  region: string;
  state: KmsKeyState;
  manager: 'CUSTOMER' | 'AWS';
  spec: string;
  usage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';
  rotationEnabled: boolean;
  policy: unknown;
  description?: string;
  multiRegion?: boolean;
  creationDate?: string;
  /** Set for PendingDeletion keys. */
  deletionDate?: string;
  aliases?: string[];
  /** Accounts the key policy lets call DescribeKey / GetKeyRotationStatus cross-account. */
  describableBy?: string[];
}

export interface FakeMetricFilter {
  name: string;
  pattern: string;
  metricName: string;
  metricNamespace: string;
  metricValue?: string;
}

export interface FakeLogGroup {
  name: string;
  region: string;
  retentionInDays?: number;
  kmsKeyId?: string;
  creationTime?: string;
  metricFilters: FakeMetricFilter[];
}

export interface FakeAlarm {
  name: string;
  region: string;
  metricName: string;
  namespace: string;
  actionsEnabled: boolean;
  alarmActions: string[];
  stateValue?: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  threshold?: number;
}

export interface FakeSnsTopic {
  name: string;
  region: string;
  confirmedSubscriptions: number;
  pendingSubscriptions?: number;
  kmsMasterKeyId?: string;
}

export interface FakeEventDataStore {
  id: string;
  name: string;
  region: string;
  status: 'CREATED' | 'ENABLED' | 'PENDING_DELETION' | 'STARTING_INGESTION' | 'STOPPING_INGESTION' | 'STOPPED_INGESTION';
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  retentionPeriodDays: number;
  terminationProtectionEnabled: boolean;
  kmsKeyId?: string;
  advancedEventSelectors: AdvancedEventSelector[];
  createdTimestamp?: string;
}

export interface FakeAccount {
  id: string;
  name: string;
  email?: string;
  status: 'ACTIVE' | 'SUSPENDED';
  joinedMethod?: 'CREATED' | 'INVITED';
  joinedTimestamp?: string;
  /** Every region DescribeRegions(AllRegions) lists, with its opt-in state; calls elsewhere are refused. */
  regions: RegionState[];
  roles: FakeRole[];
  trails: FakeTrail[];
  buckets: FakeBucket[];
  /** s3control GetPublicAccessBlock for the account; absent = NoSuchPublicAccessBlockConfiguration. */
  publicAccessBlock?: PublicAccessBlockModel;
  kmsKeys: FakeKmsKey[];
  logGroups: FakeLogGroup[];
  alarms: FakeAlarm[];
  snsTopics: FakeSnsTopic[];
  eventDataStores: FakeEventDataStore[];
  /** IAM users, groups and customer managed policies (roles are `roles`). */
  users?: FakeUser[];
  groups?: FakeGroup[];
  managedPolicies?: FakeManagedPolicy[];
}

export interface FakeOrganizationInfo {
  id: string;
  managementAccountId: string;
  /** ListDelegatedAdministrators, per service principal (cloudtrail.amazonaws.com, …). */
  delegatedAdministrators: { accountId: string; servicePrincipal: string; delegationEnabledDate?: string }[];
  /** The root's id; default `r-` and four characters of the organization id. */
  rootId?: string;
  /** OUs, each under the root or another OU. */
  organizationalUnits?: { id: string; parentId: string; name: string }[];
  /** The OU holding each account; accounts not listed sit under the root. */
  accountParents?: Record<string, string>;
  /** Service control policies; targets are root, OU or account ids. */
  serviceControlPolicies?: { id: string; name: string; document: unknown; targets: string[]; awsManaged?: boolean }[];
}

/** A CloudTrail digest-signing key as cloudtrail:ListPublicKeys gives it in one region. */
export interface FakeDigestPublicKey {
  region: string;
  fingerprint: string;
  /** DER PKCS#1 RSAPublicKey. */
  value: Buffer;
  validityStart: string;
  validityEnd: string;
}

export interface FakeAwsModel {
  partition: Partition;
  /** cloudtrail:ListPublicKeys answers, per region; none when absent. */
  digestPublicKeys?: FakeDigestPublicKey[];
  /** null = the accounts are standalone (DescribeOrganization answers AWSOrganizationsNotInUseException). */
  organization: FakeOrganizationInfo | null;
  accounts: FakeAccount[];
  /** The long-term keys callers sign with. */
  callers: StaticCredentials[];
}

// ---------------------------------------------------------------------------------------------
// Regions
// ---------------------------------------------------------------------------------------------

/** The regions enabled in every account (opt-in-not-required): the 17 a default scan covers. */
export const DEFAULT_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2',
  'ca-central-1', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'sa-east-1',
];

/** Regions an account must opt in to. */
export const OPT_IN_REGIONS: readonly string[] = [
  'af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ca-west-1',
  'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1',
];

/** The region list DescribeRegions(AllRegions) gives an account that opted in to `optedIn`. */
export function regionStates(optedIn: readonly string[] = []): RegionState[] {
  return [
    ...DEFAULT_REGIONS.map((name): RegionState => ({ name, optInStatus: 'opt-in-not-required' })),
    ...OPT_IN_REGIONS.map((name): RegionState => ({ name, optInStatus: optedIn.includes(name) ? 'opted-in' : 'not-opted-in' })),
  ];
}

export function isRegionEnabled(state: RegionState): boolean {
  return state.optInStatus !== 'not-opted-in';
}

// ---------------------------------------------------------------------------------------------
// ARNs
// ---------------------------------------------------------------------------------------------

export function trailArn(partition: Partition, region: string, accountId: string, name: string): string {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${name}`;
}

export function eventDataStoreArn(partition: Partition, region: string, accountId: string, id: string): string {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:eventdatastore/${id}`;
}

export function kmsKeyArn(partition: Partition, region: string, accountId: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`;
}

export function logGroupArn(partition: Partition, region: string, accountId: string, name: string): string {
  return `arn:${partition}:logs:${region}:${accountId}:log-group:${name}:*`;
}

export function snsTopicArn(partition: Partition, region: string, accountId: string, name: string): string {
  return `arn:${partition}:sns:${region}:${accountId}:${name}`;
}

export function alarmArn(partition: Partition, region: string, accountId: string, name: string): string {
  return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${name}`;
}

export function roleArn(partition: Partition, accountId: string, name: string, path = '/'): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

export function managedPolicyArn(partition: Partition, accountId: string, name: string, path = '/'): string {
  return `arn:${partition}:iam::${accountId}:policy${path}${name}`;
}

export function emptyAccount(id: string, name: string, regions: RegionState[] = regionStates()): FakeAccount {
  return {
    id,
    name,
    status: 'ACTIVE',
    regions,
    roles: [],
    trails: [],
    buckets: [],
    kmsKeys: [],
    logGroups: [],
    alarms: [],
    snsTopics: [],
    eventDataStores: [],
  };
}
