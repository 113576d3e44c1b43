/**
 * What a rule sees, per scope, as JSON Schema: snapshot objects plus facts derived from them by
 * pure analyses (selector coverage, policy analysis, public exposure, lifecycle retention).
 * Policy paths are checked against these schemas when policies load, so a typo is an error.
 */
import { Type, type Static, type TSchema } from 'typebox';
import {
  AccountSchema,
  BucketSchema,
  CollectionErrorSchema,
  EventDataStoreSchema,
  IamAuthorizationSchema,
  KmsKeySchema,
  LogGroupSchema,
  OrganizationSchema,
  PublicAccessBlockSchema,
  MetricFilterSchema,
  AlarmSchema,
  SnsTopicSchema,
  RegionInfoSchema,
  TrailSchema,
} from '../snapshot/schema.js';
import type { Scope } from '../language/types.js';

const Derived = <T extends TSchema>(value: T, description: string) => Type.Union([value, CollectionErrorSchema], { description });

const SelectorCoverageSchema = Type.Object({
  management: Type.Object({
    read: Type.Boolean(),
    write: Type.Boolean(),
    excludedSources: Type.Array(Type.String()),
    narrowedBy: Type.Array(Type.String()),
  }),
  s3DataAllBuckets: Type.Object({ read: Type.Boolean(), write: Type.Boolean() }),
  lambdaDataAllFunctions: Type.Object({ read: Type.Boolean(), write: Type.Boolean() }),
  bedrockDataTypes: Type.Array(Type.String(), { description: 'AWS::Bedrock::* types whose read and write data events are recorded for every resource.' }),
});

export const PrincipalGrantSchema = Type.Object({
  type: Type.String({ description: 'user | role (identity policies); anyone | external | service (bucket policy grants).' }),
  name: Type.String(),
  arn: Type.String(),
  actions: Type.Array(Type.String(), { description: 'The tracked actions the principal is allowed.' }),
  grantedBy: Type.Array(Type.String(), { description: 'Each granting policy and statement.' }),
});

export const IamAnalysisSchema = Type.Object({
  fullCloudTrailAccess: Type.Array(Type.Object({ policy: Type.String(), statement: Type.String() }), {
    description: 'Customer managed and inline policy statements that allow cloudtrail:* (or every tamper action) on every trail.',
  }),
  counts: IamAuthorizationSchema.properties.counts,
});

export const ScpProtectionSchema = Type.Object({
  deniedActions: Type.Array(Type.String()),
  undeniedActions: Type.Array(Type.String(), { description: 'Tamper actions no SCP on the account, its OUs or the root denies.' }),
  protectingPolicies: Type.Array(Type.String()),
  exemptions: Type.Array(Type.String()),
});

export const EventDataStoreViewSchema = Type.Object({
  ...EventDataStoreSchema.properties,
  coverage: Derived(SelectorCoverageSchema, 'What the advanced event selectors of the store record.'),
});

const AlarmViewSchema = Type.Object({
  ...AlarmSchema.properties,
  topics: Type.Array(Type.Union([SnsTopicSchema, CollectionErrorSchema]), { description: 'The SNS topics among the alarm actions.' }),
});

const MetricFilterViewSchema = Type.Object({
  ...MetricFilterSchema.properties,
  alarms: Derived(Type.Array(AlarmViewSchema), "Alarms on one of the filter's metrics (same metric name and namespace)."),
});

const LogGroupViewSchema = Type.Object({
  arn: Type.String(),
  name: Type.String(),
  accountId: Type.String(),
  region: Type.String(),
  details: LogGroupSchema.properties.details,
  metricFilters: Derived(Type.Array(MetricFilterViewSchema), 'DescribeMetricFilters for the group, each with its alarms.'),
});

const TrailViewSchema = Type.Object({
  ...TrailSchema.properties,
  logGroup: Derived(Type.Union([LogGroupViewSchema, Type.Null()]), 'The CloudWatch Logs group the trail delivers to (null when none is configured).'),
  coverage: Derived(SelectorCoverageSchema, 'What the event selectors record (derived from eventSelectors).'),
  tamperPrincipals: Derived(Type.Array(PrincipalGrantSchema), "Principals of the owner account whose identity policies allow stopping, deleting or reconfiguring the trail."),
  ownerIsOrganizationAdmin: Derived(Type.Boolean(), 'Owner is the management account or a CloudTrail delegated administrator.'),
});

const Trails = (description: string) => Derived(Type.Array(Type.Union([TrailViewSchema, CollectionErrorSchema])), description);

const AccountFacts = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  isManagementAccount: Derived(Type.Boolean(), 'The management account of the organization (unknown when DescribeOrganization failed).'),
  isDelegatedAdministrator: Derived(Type.Boolean(), 'A CloudTrail delegated administrator of the organization.'),
  regions: AccountSchema.properties.regions,
  publicAccessBlock: AccountSchema.properties.publicAccessBlock,
  inOrganization: Derived(Type.Boolean(), 'The scan is of an organization (unknown when DescribeOrganization failed).'),
  iamAnalysis: Derived(IamAnalysisSchema, "Analysis of the account's IAM policies (GetAccountAuthorizationDetails)."),
  scpProtection: Derived(ScpProtectionSchema, 'Service control policies on the account, its OUs and the root that deny trail tampering.'),
});

const PolicyWriteGrantSchema = Type.Object({
  present: Type.Boolean(),
  scoped: Type.Boolean(),
  unscopedStatements: Type.Array(Type.String()),
});

const BucketPolicyAnalysisSchema = Type.Object({
  publicStatements: Type.Array(Type.String()),
  deniesInsecureTransport: Type.Boolean(),
  cloudTrailWrite: PolicyWriteGrantSchema,
  otherWriters: Type.Array(Type.String()),
  malformed: Type.Optional(Type.String()),
});

const KeyPolicyAnalysisSchema = Type.Object({
  cloudTrailUse: PolicyWriteGrantSchema,
  publicStatements: Type.Array(Type.String()),
  malformed: Type.Optional(Type.String()),
});

const PublicExposureSchema = Type.Object({
  isPublic: Type.Boolean(),
  aclPublicGrants: Type.Array(Type.String()),
  policyPublicStatements: Type.Array(Type.String()),
  policyStatusIsPublic: Type.Union([Type.Boolean(), Type.Null()]),
  blockPublicAccess: PublicAccessBlockSchema,
  publicThrough: Type.Array(Type.String(), {
    description: 'What makes the bucket public, Block Public Access taken into account: "ACL grant AllUsers:READ", "bucket policy statement <Sid or Statement[i]>", "bucket policy (S3 policy status: public)". Empty when not public.',
  }),
});

const RetentionSchema = Type.Object({
  shortestExpirationDays: Type.Union([Type.Integer(), Type.Null()]),
  expiresByDate: Type.Array(Type.String()),
  applyingRules: Type.Array(Type.String()),
});

const AccessLoggingSchema = Type.Object({
  enabled: Type.Boolean(),
  targetBucket: Type.Union([Type.String(), Type.Null()]),
  targetIsSelf: Type.Boolean(),
  sameRegion: Derived(Type.Union([Type.Boolean(), Type.Null()]), 'The target bucket is in the same region (null when its region was not collected).'),
});

const BucketViewSchema = Type.Object({
  ...BucketSchema.properties,
  publicExposure: Derived(PublicExposureSchema, 'ACL, policy and Block Public Access combined (bucket and account).'),
  policyAnalysis: Derived(BucketPolicyAnalysisSchema, 'Analysis of the bucket policy.'),
  retention: Derived(RetentionSchema, "Lifecycle rules that expire the trails' log objects."),
  accessLogging: Derived(AccessLoggingSchema, 'Server access logging target.'),
  deletionPrincipals: Derived(Type.Array(PrincipalGrantSchema), "Principals that can delete or expire the bucket's logs or rewrite its policy (owner-account identity policies and the bucket policy)."),
});

const KeyViewSchema = Type.Object({
  ...KmsKeySchema.properties,
  policyAnalysis: Derived(KeyPolicyAnalysisSchema, 'Analysis of the key policy.'),
  inBucketRegion: Derived(Type.Boolean(), "The key is in the region of every bucket its trails deliver to."),
});

export const VIEW_SCHEMAS = {
  account: Type.Object({
    account: AccountFacts,
    trails: Trails('Every trail that applies to the account (own and organization trails).'),
    eventDataStores: Derived(Type.Array(EventDataStoreViewSchema), "The account's own event data stores (members are judged by their trails, organization trails included)."),
  }),
  region: Type.Object({
    account: AccountFacts,
    region: RegionInfoSchema,
    trails: Trails('Trails that record this region: multi-region trails and trails homed here.'),
  }),
  organization: Type.Object({
    organization: Type.Object({ ...OrganizationSchema.properties }),
    trails: Trails('Organization trails seen in any scanned account.'),
  }),
  trail: Type.Object({ trail: TrailViewSchema }),
  bucket: Type.Object({
    bucket: BucketViewSchema,
    trails: Trails('Trails that deliver to the bucket.'),
  }),
  'kms-key': Type.Object({ key: KeyViewSchema, trails: Trails('Trails encrypted with the key.') }),
  'log-group': Type.Object({ logGroup: Type.Object({ ...LogGroupSchema.properties }), trails: Trails('Trails that deliver to the log group.') }),
  'event-data-store': Type.Object({ eventDataStore: EventDataStoreSchema, account: AccountFacts }),
} satisfies Record<Scope, TSchema>;

export type TrailView = Static<typeof TrailViewSchema>;
export type AccountFactsView = Static<typeof AccountFacts>;
