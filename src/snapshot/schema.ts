/**
 * The snapshot contract: the one thing collectors produce and rules read (SPEC §1).
 *
 * Written once as JSON Schema with TypeBox; the TypeScript types are derived from it (`Static`), so
 * types and schema cannot drift. `schemas/snapshot.schema.json` is this schema written to disk
 * (`npm run schemas`); a test fails when the file is stale.
 *
 * Every fact read from an AWS API is a `Fact<T>`: either the value or a `CollectionError` standing
 * where the value would have been. Field docs name the API and field each value came from.
 */
import { Type, type Static, type TSchema } from 'typebox';

export const SNAPSHOT_SCHEMA_VERSION = '1.0';

const AccountId = Type.String({ pattern: '^[0-9]{12}$', description: 'AWS account id (12 digits).' });
const Region = Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'AWS region name, e.g. us-east-1.' });
const Arn = Type.String({ pattern: '^arn:', description: 'An Amazon Resource Name.' });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 timestamp (UTC).' });

export const CollectionErrorSchema = Type.Object(
  {
    $error: Type.Object(
      {
        action: Type.String({ description: 'The API action that failed, as IAM names it (e.g. cloudtrail:GetTrailStatus).' }),
        code: Type.String({ description: 'The AWS error code (AccessDenied, ThrottlingException, …) or a trailwarden code (OwnerNotInScan, MalformedResponse, AccountNotAccessible).' }),
        accountId: Type.Optional(AccountId),
        region: Type.Optional(Type.String()),
        message: Type.Optional(Type.String({ description: 'A short explanation; never a credential or signed URL.' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'A fact that could not be collected.' },
);
export type CollectionError = Static<typeof CollectionErrorSchema>;

/** A value observed from AWS, or the error recorded in its place. */
export const Fact = <T extends TSchema>(value: T, description: string) =>
  Type.Union([value, CollectionErrorSchema], { description });

const Tag = Type.Object({ key: Type.String(), value: Type.String() }, { additionalProperties: false });

// ---------------------------------------------------------------------------------------------
// Event selectors, folded into one model.
// Classic EventSelectors are translated to the advanced form (one field-selector list per
// selector), so rules reason about one shape. `source` says what the trail really had.
// ---------------------------------------------------------------------------------------------
const FieldSelectorSchema = Type.Object(
  {
    field: Type.String({ description: 'AdvancedFieldSelector.Field: eventCategory, readOnly, eventSource, eventName, resources.type, resources.ARN, …' }),
    equals: Type.Optional(Type.Array(Type.String())),
    notEquals: Type.Optional(Type.Array(Type.String())),
    startsWith: Type.Optional(Type.Array(Type.String())),
    notStartsWith: Type.Optional(Type.Array(Type.String())),
    endsWith: Type.Optional(Type.Array(Type.String())),
    notEndsWith: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
export type FieldSelector = Static<typeof FieldSelectorSchema>;

const EventSelectorSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'Advanced selector Name (never used for verdicts).' })),
    fieldSelectors: Type.Array(FieldSelectorSchema),
  },
  { additionalProperties: false },
);
export type EventSelector = Static<typeof EventSelectorSchema>;

export const EventSelectorsSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('default'), Type.Literal('classic'), Type.Literal('advanced')], {
      description:
        'default: HasCustomEventSelectors false (all management events, read and write); classic: EventSelectors translated; advanced: AdvancedEventSelectors.',
    }),
    selectors: Type.Array(EventSelectorSchema, { description: 'GetEventSelectors, folded into advanced form.' }),
  },
  { additionalProperties: false },
);
export type EventSelectors = Static<typeof EventSelectorsSchema>;

const TrailStatusSchema = Type.Object(
  {
    isLogging: Type.Boolean({ description: 'GetTrailStatus.IsLogging' }),
    latestDeliveryError: Type.Optional(Type.String({ description: 'GetTrailStatus.LatestDeliveryError' })),
    latestDeliveryTime: Type.Optional(Timestamp),
    latestDigestDeliveryError: Type.Optional(Type.String({ description: 'GetTrailStatus.LatestDigestDeliveryError' })),
    latestDigestDeliveryTime: Type.Optional(Timestamp),
    latestNotificationError: Type.Optional(Type.String({ description: 'GetTrailStatus.LatestNotificationError' })),
    latestCloudWatchLogsDeliveryError: Type.Optional(Type.String({ description: 'GetTrailStatus.LatestCloudWatchLogsDeliveryError' })),
    latestCloudWatchLogsDeliveryTime: Type.Optional(Timestamp),
    startLoggingTime: Type.Optional(Timestamp),
    stopLoggingTime: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type TrailStatus = Static<typeof TrailStatusSchema>;

const InsightSelectorsSchema = Type.Array(Type.String({ description: 'InsightType: ApiCallRateInsight | ApiErrorRateInsight' }), {
  description: 'GetInsightSelectors.InsightSelectors[].InsightType; [] when InsightNotEnabledException.',
});

// ---------------------------------------------------------------------------------------------
// Log file integrity (opt-in: --verify-integrity). The digest chains a trail delivers, as read from
// its bucket in the bucket owner's account and verified against cloudtrail:ListPublicKeys.
// ---------------------------------------------------------------------------------------------
const DigestProblemSchema = Type.Object(
  {
    key: Type.String({ description: 'The S3 key of the digest (or log file) at fault.' }),
    reason: Type.String({ description: 'Why it fails, in one clause.' }),
  },
  { additionalProperties: false },
);
export type DigestProblem = Static<typeof DigestProblemSchema>;

const DigestRefSchema = Type.Object(
  {
    key: Type.String({ description: 'S3 key of the digest file.' }),
    endTime: Timestamp,
  },
  { additionalProperties: false },
);

export const ChainGapSchema = Type.Object(
  {
    start: Timestamp,
    end: Timestamp,
    explained: Type.Boolean({ description: 'true when the trail status or documented AWS behaviour accounts for it (logging stopped, chain restarted by AWS, validation just enabled).' }),
    reason: Type.String(),
    afterKey: Type.Optional(Type.String({ description: 'The last digest before the gap.' })),
    beforeKey: Type.Optional(Type.String({ description: 'The first digest after the gap.' })),
  },
  { additionalProperties: false },
);
export type ChainGap = Static<typeof ChainGapSchema>;

export const ChainVerificationSchema = Type.Object(
  {
    digests: Type.Integer({ description: 'Digest files of the window read and checked (backfill digests included).' }),
    backfillDigests: Type.Integer({ description: 'Of those, backfill digests (…_backfill.json.gz): signature-checked, outside the chain.' }),
    firstDigest: Type.Optional(DigestRefSchema),
    lastDigest: Type.Optional(DigestRefSchema),
    signatureFailures: Type.Array(DigestProblemSchema, {
      description: 'Digests whose x-amz-meta-signature does not verify (RSA SHA-256 over the documented signing string) with the ListPublicKeys key of their fingerprint, or that were moved or are unreadable.',
    }),
    linkBreaks: Type.Array(DigestProblemSchema, {
      description: 'Links that do not hold: a previousDigestS3Object that is missing (deleted) or is not the digest before, a previousDigestSignature or previousDigestS3Bucket that does not match it.',
    }),
    gaps: Type.Array(ChainGapSchema, { description: 'Hours of the window no digest covers.' }),
    logFiles: Type.Optional(
      Fact(
        Type.Object(
          {
            checked: Type.Integer({ description: 'Log files named by the digests and read.' }),
            failures: Type.Array(DigestProblemSchema, { description: 'Log files missing or whose SHA-256 differs from the digest hashValue.' }),
          },
          { additionalProperties: false },
        ),
        'With --verify-integrity-files: every log file the digests name, read with s3:GetObject and hashed.',
      ),
    ),
  },
  { additionalProperties: false },
);
export type ChainVerification = Static<typeof ChainVerificationSchema>;

export const DigestChainSchema = Type.Object(
  {
    name: Type.String({ description: '<account>/<region>: the chain, as findings and reports name it.' }),
    accountId: AccountId,
    region: Region,
    bucket: Type.String(),
    prefix: Type.String({ description: 'The digest prefix: <S3KeyPrefix/>AWSLogs/<org-id/><account>/CloudTrail-Digest/<region>/' }),
    verification: Fact(ChainVerificationSchema, 's3:ListBucket + s3:GetObject of the digests of the window, cloudtrail:ListPublicKeys.'),
  },
  { additionalProperties: false },
);
export type DigestChain = Static<typeof DigestChainSchema>;

export const TrailIntegritySchema = Type.Object(
  {
    chains: Type.Array(DigestChainSchema, { description: 'One chain per account and region whose digests the trail delivers.' }),
  },
  { additionalProperties: false },
);
export type TrailIntegrity = Static<typeof TrailIntegritySchema>;

export const IntegrityRunSchema = Type.Object(
  {
    windowStart: Timestamp,
    windowEnd: Timestamp,
    windowHours: Type.Integer({ minimum: 1 }),
    files: Type.Boolean({ description: 'Whether log files were read and hashed (--verify-integrity-files).' }),
    objectsRead: Type.Integer({ description: 'Digest and log objects read with s3:GetObject.' }),
    bytesRead: Type.Integer({ description: 'Bytes transferred by those reads.' }),
    listCalls: Type.Integer({ description: 's3:ListBucket (ListObjectsV2) pages read.' }),
  },
  { additionalProperties: false, description: 'Present only when the scan was asked to verify digest chains.' },
);
export type IntegrityRun = Static<typeof IntegrityRunSchema>;

export const TrailSchema = Type.Object(
  {
    arn: Arn,
    name: Type.String({ description: 'Trail.Name' }),
    ownerAccountId: AccountId,
    homeRegion: Region,
    isMultiRegion: Type.Boolean({ description: 'Trail.IsMultiRegionTrail' }),
    isOrganizationTrail: Type.Boolean({ description: 'Trail.IsOrganizationTrail' }),
    includeGlobalServiceEvents: Type.Boolean({ description: 'Trail.IncludeGlobalServiceEvents' }),
    logFileValidationEnabled: Type.Boolean({ description: 'Trail.LogFileValidationEnabled' }),
    s3BucketName: Type.Optional(Type.String({ description: 'Trail.S3BucketName' })),
    s3KeyPrefix: Type.Optional(Type.String({ description: 'Trail.S3KeyPrefix' })),
    kmsKeyId: Type.Optional(Type.String({ description: 'Trail.KmsKeyId (a key ARN)' })),
    snsTopicArn: Type.Optional(Type.String({ description: 'Trail.SnsTopicARN' })),
    cloudWatchLogsLogGroupArn: Type.Optional(Type.String({ description: 'Trail.CloudWatchLogsLogGroupArn' })),
    cloudWatchLogsRoleArn: Type.Optional(Type.String({ description: 'Trail.CloudWatchLogsRoleArn' })),
    hasCustomEventSelectors: Type.Boolean({ description: 'Trail.HasCustomEventSelectors' }),
    hasInsightSelectors: Type.Boolean({ description: 'Trail.HasInsightSelectors' }),
    status: Fact(TrailStatusSchema, 'GetTrailStatus in the home region, by ARN.'),
    eventSelectors: Fact(EventSelectorsSchema, 'GetEventSelectors in the home region, by ARN.'),
    insightSelectors: Fact(InsightSelectorsSchema, 'GetInsightSelectors in the home region, by ARN.'),
    tags: Fact(Type.Array(Tag), 'ListTags in the home region, by ARN.'),
    integrity: Type.Optional(
      Fact(TrailIntegritySchema, 'Digest chains verified with --verify-integrity; absent when not asked or when log file validation is off.'),
    ),
  },
  { additionalProperties: false },
);
export type Trail = Static<typeof TrailSchema>;

export const PublicAccessBlockSchema = Type.Object(
  {
    blockPublicAcls: Type.Boolean(),
    ignorePublicAcls: Type.Boolean(),
    blockPublicPolicy: Type.Boolean(),
    restrictPublicBuckets: Type.Boolean(),
  },
  { additionalProperties: false, description: 'PublicAccessBlockConfiguration; null when none is set.' },
);
export type PublicAccessBlock = Static<typeof PublicAccessBlockSchema>;

const AclGrantSchema = Type.Object(
  {
    granteeType: Type.String({ description: 'Grant.Grantee.Type: CanonicalUser | Group | AmazonCustomerByEmail' }),
    granteeId: Type.Optional(Type.String()),
    granteeUri: Type.Optional(Type.String({ description: 'Group URI, e.g. http://acs.amazonaws.com/groups/global/AllUsers' })),
    permission: Type.String({ description: 'FULL_CONTROL | WRITE | WRITE_ACP | READ | READ_ACP' }),
  },
  { additionalProperties: false },
);
export type AclGrant = Static<typeof AclGrantSchema>;

const LifecycleRuleSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    status: Type.String({ description: 'Enabled | Disabled' }),
    prefix: Type.Optional(Type.String({ description: 'Filter.Prefix, Filter.And.Prefix or the legacy Rule.Prefix; absent = whole bucket.' })),
    hasTagFilter: Type.Boolean({ description: 'Filter.Tag or Filter.And.Tags present (CloudTrail objects carry no tags).' }),
    expirationDays: Type.Optional(Type.Integer()),
    expirationDate: Type.Optional(Timestamp),
    noncurrentVersionExpirationDays: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type LifecycleRule = Static<typeof LifecycleRuleSchema>;

export const BucketSchema = Type.Object(
  {
    name: Type.String(),
    ownerAccountId: Fact(AccountId, 'The owning account, found among the scanned accounts; OwnerNotInScan when it is not.'),
    region: Fact(Type.String(), 'GetBucketLocation / HeadBucket x-amz-bucket-region.'),
    exists: Fact(Type.Boolean(), 'HeadBucket: false on 404 NotFound / NoSuchBucket.'),
    policy: Fact(Type.Union([Type.Unknown(), Type.Null()]), 'GetBucketPolicy, parsed JSON; null on NoSuchBucketPolicy.'),
    policyStatusIsPublic: Fact(Type.Union([Type.Boolean(), Type.Null()]), 'GetBucketPolicyStatus.PolicyStatus.IsPublic; null without a policy.'),
    acl: Fact(Type.Array(AclGrantSchema), 'GetBucketAcl.Grants'),
    objectOwnership: Fact(Type.Union([Type.String(), Type.Null()]), 'GetBucketOwnershipControls rule ObjectOwnership; null when not set.'),
    publicAccessBlock: Fact(Type.Union([PublicAccessBlockSchema, Type.Null()]), 'GetPublicAccessBlock on the bucket; null on NoSuchPublicAccessBlockConfiguration.'),
    versioning: Fact(
      Type.Object(
        {
          status: Type.Union([Type.Literal('Enabled'), Type.Literal('Suspended'), Type.Literal('Off')]),
          mfaDelete: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      'GetBucketVersioning (Status absent = Off; MFADelete Enabled = true).',
    ),
    objectLock: Fact(
      Type.Object(
        {
          enabled: Type.Boolean(),
          defaultMode: Type.Optional(Type.String({ description: 'GOVERNANCE | COMPLIANCE' })),
          defaultDays: Type.Optional(Type.Integer({ description: 'Default retention in days (Years converted at 365).' })),
        },
        { additionalProperties: false },
      ),
      'GetObjectLockConfiguration; enabled false on ObjectLockConfigurationNotFoundError.',
    ),
    lifecycleRules: Fact(Type.Array(LifecycleRuleSchema), 'GetBucketLifecycleConfiguration.Rules; [] on NoSuchLifecycleConfiguration.'),
    logging: Fact(
      Type.Union([
        Type.Object({ targetBucket: Type.String(), targetPrefix: Type.Optional(Type.String()) }, { additionalProperties: false }),
        Type.Null(),
      ]),
      'GetBucketLogging.LoggingEnabled; null when off.',
    ),
    loggingTargetRegion: Type.Optional(Fact(Type.String(), 'Region of the access-log target bucket.')),
  },
  { additionalProperties: false },
);
export type Bucket = Static<typeof BucketSchema>;

export const KmsKeySchema = Type.Object(
  {
    arn: Arn,
    accountId: AccountId,
    region: Region,
    metadata: Fact(
      Type.Union([
        Type.Object(
          {
            keyState: Type.String({ description: 'KeyMetadata.KeyState' }),
            keyManager: Type.String({ description: 'KeyMetadata.KeyManager: AWS | CUSTOMER' }),
            keySpec: Type.String({ description: 'KeyMetadata.KeySpec, e.g. SYMMETRIC_DEFAULT' }),
            keyUsage: Type.String({ description: 'KeyMetadata.KeyUsage' }),
            multiRegion: Type.Optional(Type.Boolean()),
            deletionDate: Type.Optional(Timestamp),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
      'DescribeKey; null when NotFoundException.',
    ),
    rotationEnabled: Fact(Type.Boolean(), 'GetKeyRotationStatus.KeyRotationEnabled'),
    policy: Fact(Type.Unknown(), 'GetKeyPolicy (policy name default), parsed JSON.'),
  },
  { additionalProperties: false },
);
export type KmsKey = Static<typeof KmsKeySchema>;

export const MetricFilterSchema = Type.Object(
  {
    name: Type.String({ description: 'MetricFilter.filterName' }),
    pattern: Type.String({ description: 'MetricFilter.filterPattern' }),
    metrics: Type.Array(
      Type.Object({ name: Type.String(), namespace: Type.String() }, { additionalProperties: false }),
      { description: 'MetricFilter.metricTransformations (metricName, metricNamespace).' },
    ),
  },
  { additionalProperties: false },
);

export const AlarmSchema = Type.Object(
  {
    name: Type.String({ description: 'MetricAlarm.AlarmName' }),
    arn: Type.Optional(Type.String()),
    metricName: Type.String(),
    namespace: Type.String(),
    actionsEnabled: Type.Boolean(),
    alarmActions: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

export const LogGroupSchema = Type.Object(
  {
    arn: Arn,
    name: Type.String(),
    accountId: AccountId,
    region: Region,
    details: Fact(
      Type.Union([
        Type.Object(
          {
            retentionInDays: Type.Optional(Type.Integer({ description: 'LogGroup.retentionInDays; absent = never expire.' })),
            kmsKeyId: Type.Optional(Type.String({ description: 'LogGroup.kmsKeyId' })),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
      'DescribeLogGroups (logGroupNamePrefix = name, exact match); null when the group does not exist.',
    ),
    metricFilters: Type.Optional(Fact(Type.Array(MetricFilterSchema), 'DescribeMetricFilters for the group.')),
    alarms: Type.Optional(Fact(Type.Array(AlarmSchema), 'DescribeAlarms for the metrics the filters emit.')),
  },
  { additionalProperties: false },
);
export type LogGroup = Static<typeof LogGroupSchema>;

export const SnsTopicSchema = Type.Object(
  {
    arn: Arn,
    accountId: AccountId,
    region: Region,
    confirmedSubscriptions: Fact(Type.Integer(), 'GetTopicAttributes.SubscriptionsConfirmed'),
  },
  { additionalProperties: false },
);
export type SnsTopic = Static<typeof SnsTopicSchema>;

export const EventDataStoreSchema = Type.Object(
  {
    eventSelectors: Type.Optional(
      Type.Array(EventSelectorSchema, { description: 'GetEventDataStore.AdvancedEventSelectors (absent in snapshots taken before they were collected).' }),
    ),
    arn: Arn,
    name: Type.String(),
    accountId: AccountId,
    region: Region,
    status: Type.String({ description: 'EventDataStore.Status: ENABLED | CREATED | STOPPED_INGESTION | PENDING_DELETION …' }),
    multiRegionEnabled: Type.Boolean(),
    organizationEnabled: Type.Boolean(),
    retentionPeriodDays: Type.Integer(),
    terminationProtectionEnabled: Type.Boolean(),
    kmsKeyId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type EventDataStore = Static<typeof EventDataStoreSchema>;

// ---------------------------------------------------------------------------------------------
// IAM: who could blind the trail. One GetAccountAuthorizationDetails listing per account, reduced
// to what the tamper and deletion rules read: policy statements that can apply to one of the
// tracked actions (TRACKED_IAM_ACTIONS), and the principals those policies reach.
// ---------------------------------------------------------------------------------------------
const IamPolicyDocument = Type.Unknown({
  description:
    'A policy document (parsed JSON) keeping only the statements whose Action/NotAction can match a tracked action; other statements were dropped when collected.',
});

export const IamInlinePolicySchema = Type.Object({ name: Type.String(), document: IamPolicyDocument }, { additionalProperties: false });
export type IamInlinePolicy = Static<typeof IamInlinePolicySchema>;

export const IamPrincipalSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('user'), Type.Literal('role'), Type.Literal('group')]),
    name: Type.String({ description: 'UserName / RoleName / GroupName' }),
    arn: Arn,
    inlinePolicies: Type.Array(IamInlinePolicySchema, { description: 'UserPolicyList / RolePolicyList / GroupPolicyList, relevant statements only.' }),
    managedPolicyArns: Type.Array(Type.String(), {
      description:
        'AttachedManagedPolicies[].PolicyArn, only those that can grant a tracked action: customer managed policies kept in managedPolicies, and AWS managed policies whose documents trailwarden ships.',
    }),
    groups: Type.Optional(Type.Array(Type.String(), { description: 'UserDetail.GroupList (group names, only groups kept in principals), users only.' })),
    permissionsBoundaryArn: Type.Optional(Type.String({ description: 'PermissionsBoundary.PermissionsBoundaryArn (recorded, not applied: analyses over-report rather than miss).' })),
  },
  { additionalProperties: false },
);
export type IamPrincipal = Static<typeof IamPrincipalSchema>;

export const IamManagedPolicySchema = Type.Object(
  {
    arn: Arn,
    name: Type.String(),
    attachmentCount: Type.Integer({ description: 'ManagedPolicyDetail.AttachmentCount' }),
    document: IamPolicyDocument,
  },
  { additionalProperties: false, description: 'A customer managed policy: its default version (PolicyVersionList[IsDefaultVersion]).' },
);
export type IamManagedPolicy = Static<typeof IamManagedPolicySchema>;

export const IamAuthorizationSchema = Type.Object(
  {
    principals: Type.Array(IamPrincipalSchema, {
      description: 'Users, roles and groups that have at least one relevant inline policy, an attached managed policy, or (users) a group; others are counted only.',
    }),
    managedPolicies: Type.Array(IamManagedPolicySchema, { description: 'Customer managed policies (Policies, LocalManagedPolicy) with at least one relevant statement.' }),
    counts: Type.Object(
      { users: Type.Integer(), roles: Type.Integer(), groups: Type.Integer(), managedPolicies: Type.Integer() },
      { additionalProperties: false, description: 'How many of each the listing returned, before reduction.' },
    ),
  },
  { additionalProperties: false },
);
export type IamAuthorization = Static<typeof IamAuthorizationSchema>;

export const ServiceControlPolicySchema = Type.Object(
  {
    id: Type.String({ description: 'PolicySummary.Id (p-…)' }),
    name: Type.String(),
    awsManaged: Type.Boolean({ description: 'PolicySummary.AwsManaged (FullAWSAccess)' }),
    document: Type.Unknown({ description: 'DescribePolicy.Policy.Content, parsed JSON (SCPs are small; kept whole).' }),
    targets: Type.Array(
      Type.Object(
        { id: Type.String({ description: 'TargetId: r-…, ou-… or an account id' }), type: Type.String({ description: 'ROOT | ORGANIZATIONAL_UNIT | ACCOUNT' }) },
        { additionalProperties: false },
      ),
      { description: 'ListTargetsForPolicy' },
    ),
  },
  { additionalProperties: false },
);
export type ServiceControlPolicy = Static<typeof ServiceControlPolicySchema>;

export const RegionInfoSchema = Type.Object(
  {
    name: Region,
    optInStatus: Type.String({ description: 'EC2 DescribeRegions OptInStatus: opt-in-not-required | opted-in | not-opted-in' }),
  },
  { additionalProperties: false },
);
export type RegionInfo = Static<typeof RegionInfoSchema>;

export const AccountSchema = Type.Object(
  {
    id: AccountId,
    name: Type.Optional(Type.String({ description: 'Organizations Account.Name' })),
    regions: Fact(Type.Array(RegionInfoSchema), 'ec2:DescribeRegions (AllRegions), restricted to --regions.'),
    trailArns: Fact(
      Type.Array(Arn, { uniqueItems: true }),
      'Every trail that applies to the account: DescribeTrails (shadow trails included) plus ListTrails; deduplicated by ARN.',
    ),
    eventDataStoreArns: Type.Optional(Fact(Type.Array(Arn), 'cloudtrail:ListEventDataStores in each enabled region.')),
    publicAccessBlock: Type.Optional(
      Fact(
        Type.Union([PublicAccessBlockSchema, Type.Null()]),
        's3control:GetPublicAccessBlock for the account; null on NoSuchPublicAccessBlockConfiguration. Read only for accounts that own a trail bucket.',
      ),
    ),
    iam: Type.Optional(Fact(IamAuthorizationSchema, 'iam:GetAccountAuthorizationDetails (every page), reduced to what the IAM rules read.')),
    organizationPath: Type.Optional(
      Fact(
        Type.Array(Type.String()),
        'Where the account sits in the organization, root first (r-…, ou-…, …): organizations:ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent.',
      ),
    ),
  },
  { additionalProperties: false },
);
export type Account = Static<typeof AccountSchema>;

export const OrganizationSchema = Type.Object(
  {
    id: Type.String({ description: 'Organization.Id (o-…)' }),
    managementAccountId: AccountId,
    cloudTrailDelegatedAdministrators: Fact(
      Type.Array(AccountId),
      'organizations:ListDelegatedAdministrators (ServicePrincipal cloudtrail.amazonaws.com).',
    ),
    serviceControlPolicies: Type.Optional(
      Fact(
        Type.Array(ServiceControlPolicySchema),
        'organizations:ListPolicies (SERVICE_CONTROL_POLICY), DescribePolicy and ListTargetsForPolicy; [] when SCPs are not enabled.',
      ),
    ),
  },
  { additionalProperties: false },
);
export type Organization = Static<typeof OrganizationSchema>;

/** `--shard I/N` of the scan that collected a snapshot: `trailwarden merge` checks that every slice is there once. */
export const ShardSchema = Type.Object(
  {
    index: Type.Integer({ minimum: 1, description: 'I of --shard I/N (1-based).' }),
    count: Type.Integer({ minimum: 1, description: 'N of --shard I/N.' }),
  },
  { additionalProperties: false, description: 'The slice of the accounts this scan collected (--shard I/N); absent for a whole scan and for a merged one.' },
);
export type ShardRef = Static<typeof ShardSchema>;

/** The scalar facts of trails and event data stores a planned configuration may leave unknown. */
export const PLANNED_SCALAR_FACTS = [
  'isMultiRegion',
  'isOrganizationTrail',
  'includeGlobalServiceEvents',
  'logFileValidationEnabled',
  's3BucketName',
  's3KeyPrefix',
  'kmsKeyId',
  'snsTopicArn',
  'cloudWatchLogsLogGroupArn',
  'cloudWatchLogsRoleArn',
  'multiRegionEnabled',
  'organizationEnabled',
  'retentionPeriodDays',
  'terminationProtectionEnabled',
] as const;

export const PlannedSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('terraform-plan'), Type.Literal('cloudformation-template')], {
      description: 'terraform-plan: the JSON of `terraform show -json PLAN`; cloudformation-template: a CloudFormation template.',
    }),
    file: Type.String({ description: 'The plan or template the snapshot was made from, as given.' }),
    unknown: Type.Array(
      Type.Object(
        {
          arn: Type.String({ description: 'The trail or event data store.' }),
          fact: Type.Enum([...PLANNED_SCALAR_FACTS]),
          error: CollectionErrorSchema,
        },
        { additionalProperties: false },
      ),
      {
        description:
          'Scalar facts of trails and event data stores that are known only after deploy: the engine reads the error in their place (facts that can hold an error hold it themselves).',
      },
    ),
  },
  { additionalProperties: false, description: 'Present when the snapshot describes a planned configuration (scan --plan / --template), not a collected one.' },
);
export type Planned = Static<typeof PlannedSchema>;
export type PlannedFact = (typeof PLANNED_SCALAR_FACTS)[number];

export const SnapshotSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    schemaVersion: Type.Literal(SNAPSHOT_SCHEMA_VERSION),
    scanTime: Timestamp,
    tool: Type.Optional(Type.Object({ name: Type.String(), version: Type.String() }, { additionalProperties: false })),
    partition: Type.Union([Type.Literal('aws'), Type.Literal('aws-cn'), Type.Literal('aws-us-gov')], {
      description: 'From sts:GetCallerIdentity; every ARN is built with it.',
    }),
    callerAccountId: Type.Optional(AccountId),
    shard: Type.Optional(ShardSchema),
    organization: Type.Union([OrganizationSchema, Type.Null(), CollectionErrorSchema], {
      description: 'organizations:DescribeOrganization; null when the scan is not of an organization.',
    }),
    accounts: Type.Array(AccountSchema),
    trails: Type.Array(TrailSchema, { description: 'Every trail seen in any scanned account, once per ARN.' }),
    buckets: Type.Array(BucketSchema, { description: 'Every trail bucket, once per name.' }),
    kmsKeys: Type.Array(KmsKeySchema, { description: 'Every trail KMS key, once per ARN.' }),
    logGroups: Type.Array(LogGroupSchema, { description: 'Every trail log group, once per ARN.' }),
    snsTopics: Type.Optional(Type.Array(SnsTopicSchema, { description: 'SNS topics of monitoring alarms.' })),
    eventDataStores: Type.Array(EventDataStoreSchema),
    integrity: Type.Optional(IntegrityRunSchema),
    errors: Type.Optional(
      Type.Array(CollectionErrorSchema, { description: 'Errors that stand for no single fact (e.g. an account whose role could not be assumed).' }),
    ),
    planned: Type.Optional(PlannedSchema),
  },
  {
    additionalProperties: false,
    $id: 'https://trailwarden.dev/schemas/snapshot.schema.json',
    title: 'trailwarden snapshot',
  },
);

export type Snapshot = Static<typeof SnapshotSchema>;

export type FactOf<T> = T | CollectionError;

export function isCollectionError(value: unknown): value is CollectionError {
  return typeof value === 'object' && value !== null && '$error' in value;
}
