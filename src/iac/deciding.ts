/**
 * Per rule, the attribute of the infrastructure code that decides its verdict, per tool: where an
 * alert about that rule points when the resource is defined in code. Candidates are tried in
 * order: the first whose resource is defined and sets the attribute gives the attribute's lines;
 * else the first whose resource is defined gives that resource's block (the attribute is absent,
 * so its default decides, and the block is where to add it); else the resource's own block.
 *
 * A rule without an entry (delivery health, digest chains: facts no code holds) points at the
 * resource's block. test/iac/deciding.test.ts checks every entry against real rules and fixtures.
 */

export interface DecidingCandidate {
  /** The definition's type: the resource itself or one of its satellites. */
  resourceType: string;
  /** Attribute path as IacDefinition.attributes keys it; absent: the definition's block. */
  attribute?: string;
  /** The attribute decides only with this value (one of several switches: the one that is off). */
  when?: string | number | boolean;
}

export interface DecidingEntry {
  terraform: DecidingCandidate[];
  cloudformation: DecidingCandidate[];
}

const tf = (resourceType: string, attribute?: string, when?: string | number | boolean): DecidingCandidate => ({
  resourceType,
  ...(attribute !== undefined ? { attribute } : {}),
  ...(when !== undefined ? { when } : {}),
});
const cfn = tf;

const TRAIL = 'AWS::CloudTrail::Trail';
const BUCKET = 'AWS::S3::Bucket';
const BUCKET_POLICY = 'AWS::S3::BucketPolicy';
const KEY = 'AWS::KMS::Key';
const LOG_GROUP = 'AWS::Logs::LogGroup';
const LAKE = 'AWS::CloudTrail::EventDataStore';

const bucketPolicy: DecidingEntry = {
  terraform: [tf('aws_s3_bucket_policy', 'policy'), tf('aws_s3_bucket', 'policy')],
  cloudformation: [cfn(BUCKET_POLICY, 'PolicyDocument')],
};

export const DECIDING_ATTRIBUTES: Readonly<Record<string, DecidingEntry>> = {
  'trail/log-file-validation': { terraform: [tf('aws_cloudtrail', 'enable_log_file_validation')], cloudformation: [cfn(TRAIL, 'EnableLogFileValidation')] },
  'trail/kms-encryption': { terraform: [tf('aws_cloudtrail', 'kms_key_id')], cloudformation: [cfn(TRAIL, 'KMSKeyId')] },
  'trail/cloudwatch-logs-integration': {
    terraform: [tf('aws_cloudtrail', 'cloud_watch_logs_group_arn'), tf('aws_cloudtrail', 'cloud_watch_logs_role_arn')],
    cloudformation: [cfn(TRAIL, 'CloudWatchLogsLogGroupArn'), cfn(TRAIL, 'CloudWatchLogsRoleArn')],
  },
  'trail/sns-notification': { terraform: [tf('aws_cloudtrail', 'sns_topic_name')], cloudformation: [cfn(TRAIL, 'SnsTopicName')] },
  'trail/insights-enabled': { terraform: [tf('aws_cloudtrail', 'insight_selector')], cloudformation: [cfn(TRAIL, 'InsightSelectors')] },
  'trail/tagged': { terraform: [tf('aws_cloudtrail', 'tags')], cloudformation: [cfn(TRAIL, 'Tags')] },
  'trail/digest-delivery-healthy': { terraform: [tf('aws_cloudtrail', 'enable_log_file_validation')], cloudformation: [cfn(TRAIL, 'EnableLogFileValidation')] },

  'bucket/versioning': {
    terraform: [tf('aws_s3_bucket_versioning', 'versioning_configuration.status'), tf('aws_s3_bucket', 'versioning.enabled')],
    cloudformation: [cfn(BUCKET, 'VersioningConfiguration.Status')],
  },
  'bucket/mfa-delete': {
    terraform: [tf('aws_s3_bucket_versioning', 'versioning_configuration.mfa_delete'), tf('aws_s3_bucket', 'versioning.mfa_delete')],
    cloudformation: [cfn(BUCKET, 'VersioningConfiguration')],
  },
  'bucket/access-logging': {
    terraform: [tf('aws_s3_bucket_logging', 'target_bucket'), tf('aws_s3_bucket', 'logging')],
    cloudformation: [cfn(BUCKET, 'LoggingConfiguration')],
  },
  'bucket/not-public': {
    terraform: [
      ...['block_public_acls', 'ignore_public_acls', 'block_public_policy', 'restrict_public_buckets'].map((flag) => tf('aws_s3_bucket_public_access_block', flag, false)),
      tf('aws_s3_bucket_acl', 'acl'),
      tf('aws_s3_bucket_policy', 'policy'),
      tf('aws_s3_bucket_public_access_block'),
    ],
    cloudformation: [
      ...['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((flag) => cfn(BUCKET, `PublicAccessBlockConfiguration.${flag}`, false)),
      cfn(BUCKET, 'AccessControl'),
      cfn(BUCKET_POLICY, 'PolicyDocument'),
      cfn(BUCKET, 'PublicAccessBlockConfiguration'),
    ],
  },
  'bucket/object-lock': {
    terraform: [tf('aws_s3_bucket_object_lock_configuration', 'rule'), tf('aws_s3_bucket', 'object_lock_enabled')],
    cloudformation: [cfn(BUCKET, 'ObjectLockConfiguration'), cfn(BUCKET, 'ObjectLockEnabled')],
  },
  'bucket/retention': {
    terraform: [tf('aws_s3_bucket_lifecycle_configuration', 'rule'), tf('aws_s3_bucket_object_lock_configuration', 'rule')],
    cloudformation: [cfn(BUCKET, 'LifecycleConfiguration'), cfn(BUCKET, 'ObjectLockConfiguration')],
  },
  'bucket/secure-transport': bucketPolicy,
  'bucket/policy-scoped': bucketPolicy,
  'bucket/log-deletion-principals': bucketPolicy,

  'kms/key-rotation': { terraform: [tf('aws_kms_key', 'enable_key_rotation')], cloudformation: [cfn(KEY, 'EnableKeyRotation')] },
  'kms/key-policy-scoped': {
    terraform: [tf('aws_kms_key_policy', 'policy'), tf('aws_kms_key', 'policy')],
    cloudformation: [cfn(KEY, 'KeyPolicy')],
  },
  'kms/key-usable': {
    terraform: [tf('aws_kms_key', 'is_enabled'), tf('aws_kms_key', 'customer_master_key_spec')],
    cloudformation: [cfn(KEY, 'Enabled'), cfn(KEY, 'KeySpec')],
  },

  'logs/retention': { terraform: [tf('aws_cloudwatch_log_group', 'retention_in_days')], cloudformation: [cfn(LOG_GROUP, 'RetentionInDays')] },
  'logs/kms-encryption': { terraform: [tf('aws_cloudwatch_log_group', 'kms_key_id')], cloudformation: [cfn(LOG_GROUP, 'KmsKeyId')] },

  'lake/kms-encryption': { terraform: [tf('aws_cloudtrail_event_data_store', 'kms_key_id')], cloudformation: [cfn(LAKE, 'KmsKeyId')] },
  'lake/hardening': {
    terraform: [
      tf('aws_cloudtrail_event_data_store', 'termination_protection_enabled', false),
      tf('aws_cloudtrail_event_data_store', 'multi_region_enabled', false),
      tf('aws_cloudtrail_event_data_store', 'retention_period'),
    ],
    cloudformation: [cfn(LAKE, 'TerminationProtectionEnabled', false), cfn(LAKE, 'MultiRegionEnabled', false), cfn(LAKE, 'RetentionPeriod')],
  },
};

export function decidingCandidates(ruleId: string, tool: 'terraform' | 'cloudformation'): readonly DecidingCandidate[] {
  return Object.hasOwn(DECIDING_ATTRIBUTES, ruleId) ? (DECIDING_ATTRIBUTES[ruleId] as DecidingEntry)[tool] : [];
}
