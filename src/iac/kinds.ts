/**
 * The resource types that feed the snapshot, per tool: what kind of thing each defines, which
 * attribute names it, and, for satellites (a bucket's versioning, a key's policy, an alias), which
 * attribute points at the resource it belongs to. Data, read by the parsers and the matcher.
 */
import type { IacKind, IacTool } from './types.js';

export interface ResourceTypeInfo {
  tool: IacTool;
  kind: IacKind;
  /** The attribute (Terraform) or property (CloudFormation) that holds the name, when there is one. */
  nameAttribute?: string;
  /** Satellites and dependants: the attribute that refers to the resource this one belongs to. */
  parentAttribute?: string;
  /** A satellite describes its parent (identity.kind is the parent's kind); a dependant (alias, filter) is a thing of its own. */
  satellite?: boolean;
}

const tf = (kind: IacKind, extra: Omit<ResourceTypeInfo, 'tool' | 'kind'> = {}): ResourceTypeInfo => ({ tool: 'terraform', kind, ...extra });
const cfn = (kind: IacKind, extra: Omit<ResourceTypeInfo, 'tool' | 'kind'> = {}): ResourceTypeInfo => ({ tool: 'cloudformation', kind, ...extra });
const bucketSatellite = tf('bucket', { parentAttribute: 'bucket', satellite: true });

export const RESOURCE_TYPES: Readonly<Record<string, ResourceTypeInfo>> = {
  aws_cloudtrail: tf('trail', { nameAttribute: 'name' }),
  aws_cloudtrail_event_data_store: tf('event-data-store', { nameAttribute: 'name' }),
  aws_s3_bucket: tf('bucket', { nameAttribute: 'bucket' }),
  aws_s3_bucket_policy: bucketSatellite,
  aws_s3_bucket_acl: bucketSatellite,
  aws_s3_bucket_public_access_block: bucketSatellite,
  aws_s3_bucket_versioning: bucketSatellite,
  aws_s3_bucket_logging: bucketSatellite,
  aws_s3_bucket_lifecycle_configuration: bucketSatellite,
  aws_s3_bucket_object_lock_configuration: bucketSatellite,
  aws_s3_bucket_server_side_encryption_configuration: bucketSatellite,
  aws_kms_key: tf('kms-key'),
  aws_kms_key_policy: tf('kms-key', { parentAttribute: 'key_id', satellite: true }),
  aws_kms_alias: tf('kms-alias', { nameAttribute: 'name', parentAttribute: 'target_key_id' }),
  aws_cloudwatch_log_group: tf('log-group', { nameAttribute: 'name' }),
  aws_cloudwatch_log_metric_filter: tf('metric-filter', { nameAttribute: 'name', parentAttribute: 'log_group_name' }),
  aws_cloudwatch_metric_alarm: tf('alarm', { nameAttribute: 'alarm_name' }),
  aws_sns_topic: tf('sns-topic', { nameAttribute: 'name' }),
  aws_sns_topic_subscription: tf('sns-subscription', { parentAttribute: 'topic_arn' }),

  'AWS::CloudTrail::Trail': cfn('trail', { nameAttribute: 'TrailName' }),
  'AWS::CloudTrail::EventDataStore': cfn('event-data-store', { nameAttribute: 'Name' }),
  'AWS::S3::Bucket': cfn('bucket', { nameAttribute: 'BucketName' }),
  'AWS::S3::BucketPolicy': cfn('bucket', { parentAttribute: 'Bucket', satellite: true }),
  'AWS::KMS::Key': cfn('kms-key'),
  'AWS::KMS::Alias': cfn('kms-alias', { nameAttribute: 'AliasName', parentAttribute: 'TargetKeyId' }),
  'AWS::Logs::LogGroup': cfn('log-group', { nameAttribute: 'LogGroupName' }),
  'AWS::Logs::MetricFilter': cfn('metric-filter', { nameAttribute: 'FilterName', parentAttribute: 'LogGroupName' }),
  'AWS::CloudWatch::Alarm': cfn('alarm', { nameAttribute: 'AlarmName' }),
  'AWS::SNS::Topic': cfn('sns-topic', { nameAttribute: 'TopicName' }),
  'AWS::SNS::Subscription': cfn('sns-subscription', { parentAttribute: 'TopicArn' }),
};

export function resourceTypeInfo(type: string): ResourceTypeInfo | undefined {
  return Object.hasOwn(RESOURCE_TYPES, type) ? RESOURCE_TYPES[type] : undefined;
}
