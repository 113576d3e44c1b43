/**
 * A CloudFormation template -> the planned resources a Terraform plan would list, so that one
 * conversion (plan-snapshot.ts) makes the snapshot of both. Each CloudFormation resource becomes
 * the Terraform resource(s) with the same meaning (an AWS::S3::Bucket's VersioningConfiguration
 * becomes an aws_s3_bucket_versioning, as the AWS provider splits it), keeping its logical id and,
 * per attribute, the property path it came from: findings point at the template's lines, and
 * messages name `LogicalId.Property`.
 *
 * Values come from the template parser (cloudformation.ts): literals, parameters with defaults,
 * mappings, conditions, `!Sub` / `!Ref` / `!GetAtt` where they resolve. What does not resolve (an
 * attribute only the deployed stack has, a pseudo parameter nobody gave) is known only after deploy.
 * Pure.
 */
import type { CloudFormationOptions } from './cloudformation.js';
import type { ParsedPlan, PlannedResource } from './plan-json.js';
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION } from './plan-snapshot.js';
import { isUnknown, type IacDefinition, type IacValue } from './types.js';

type Json = Record<string, unknown>;

/**
 * The pseudo parameters of a template scan: the same placeholder account and region the snapshot
 * places the stack in (plan-snapshot.ts), and the commercial partition the snapshot assumes, so
 * that `!Sub arn:${AWS::Partition}:s3:::${Bucket}/*` in a policy reads as the bucket it names
 * instead of leaving the whole policy unknown. AWS::StackName and the like stay unknown.
 */
export const TEMPLATE_SCAN_OPTIONS: CloudFormationOptions = {
  accountId: PLACEHOLDER_ACCOUNT,
  region: PLACEHOLDER_REGION,
  parameters: { 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' },
};

/** A Terraform attribute: the property path it comes from, and how its value is rewritten. */
interface AttributeMap {
  from: string;
  map?: (value: IacValue) => unknown;
}

/** Terraform's shape of a list of CloudFormation objects: each object's keys renamed. */
function objects(keys: Record<string, string | [string, (v: IacValue) => unknown]>): (value: IacValue) => unknown {
  return (value) =>
    (Array.isArray(value) ? value : []).map((item) => {
      const out: Json = {};
      if (typeof item !== 'object' || item === null || Array.isArray(item)) return out;
      for (const [cfn, target] of Object.entries(keys)) {
        if (!(cfn in item)) continue;
        const v = (item as Record<string, IacValue>)[cfn]!;
        if (typeof target === 'string') out[target] = v;
        else out[target[0]] = target[1](v);
      }
      return out;
    });
}

const asBlock = (value: unknown) => (value === null || value === undefined ? [] : [value]);
const isRecord = (v: IacValue): v is Record<string, IacValue> => typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);
const asJson = (value: IacValue) => (typeof value === 'string' ? value : JSON.stringify(value));
const tagsMap = (value: IacValue) =>
  Object.fromEntries(
    (Array.isArray(value) ? value : []).flatMap((t) =>
      isRecord(t) && typeof t.Key === 'string' && typeof t.Value === 'string' ? [[t.Key, t.Value]] : [],
    ),
  );
const CANNED_ACLS: Record<string, string> = {
  Private: 'private',
  PublicRead: 'public-read',
  PublicReadWrite: 'public-read-write',
  AuthenticatedRead: 'authenticated-read',
  LogDeliveryWrite: 'log-delivery-write',
  BucketOwnerRead: 'bucket-owner-read',
  BucketOwnerFullControl: 'bucket-owner-full-control',
};

/** Per CloudFormation type: the Terraform resources it stands for, each with its attributes. */
const MAPPINGS: Record<string, Array<{ type: string; when?: string; attributes: Record<string, AttributeMap> }>> = {
  'AWS::CloudTrail::Trail': [
    {
      type: 'aws_cloudtrail',
      attributes: {
        name: { from: 'TrailName' },
        s3_bucket_name: { from: 'S3BucketName' },
        s3_key_prefix: { from: 'S3KeyPrefix' },
        is_multi_region_trail: { from: 'IsMultiRegionTrail' },
        is_organization_trail: { from: 'IsOrganizationTrail' },
        include_global_service_events: { from: 'IncludeGlobalServiceEvents' },
        enable_log_file_validation: { from: 'EnableLogFileValidation' },
        enable_logging: { from: 'IsLogging' },
        kms_key_id: { from: 'KMSKeyId' },
        sns_topic_name: { from: 'SnsTopicName' },
        cloud_watch_logs_group_arn: { from: 'CloudWatchLogsLogGroupArn' },
        cloud_watch_logs_role_arn: { from: 'CloudWatchLogsRoleArn' },
        event_selector: {
          from: 'EventSelectors',
          map: objects({
            ReadWriteType: 'read_write_type',
            IncludeManagementEvents: 'include_management_events',
            ExcludeManagementEventSources: 'exclude_management_event_sources',
            DataResources: ['data_resource', objects({ Type: 'type', Values: 'values' })],
          }),
        },
        advanced_event_selector: {
          from: 'AdvancedEventSelectors',
          map: objects({
            Name: 'name',
            FieldSelectors: [
              'field_selector',
              objects({ Field: 'field', Equals: 'equals', NotEquals: 'not_equals', StartsWith: 'starts_with', NotStartsWith: 'not_starts_with', EndsWith: 'ends_with', NotEndsWith: 'not_ends_with' }),
            ],
          }),
        },
        insight_selector: { from: 'InsightSelectors', map: objects({ InsightType: 'insight_type' }) },
        tags: { from: 'Tags', map: tagsMap },
      },
    },
  ],
  'AWS::S3::Bucket': [
    { type: 'aws_s3_bucket', attributes: { bucket: { from: 'BucketName' }, object_lock_enabled: { from: 'ObjectLockEnabled' } } },
    {
      type: 'aws_s3_bucket_public_access_block',
      when: 'PublicAccessBlockConfiguration',
      attributes: {
        block_public_acls: { from: 'PublicAccessBlockConfiguration.BlockPublicAcls' },
        block_public_policy: { from: 'PublicAccessBlockConfiguration.BlockPublicPolicy' },
        ignore_public_acls: { from: 'PublicAccessBlockConfiguration.IgnorePublicAcls' },
        restrict_public_buckets: { from: 'PublicAccessBlockConfiguration.RestrictPublicBuckets' },
      },
    },
    {
      type: 'aws_s3_bucket_versioning',
      when: 'VersioningConfiguration',
      attributes: { versioning_configuration: { from: 'VersioningConfiguration', map: (v) => asBlock(typeof v === 'object' && v !== null && !Array.isArray(v) ? { status: (v as Json).Status } : null) } },
    },
    {
      type: 'aws_s3_bucket_logging',
      when: 'LoggingConfiguration',
      attributes: { target_bucket: { from: 'LoggingConfiguration.DestinationBucketName' }, target_prefix: { from: 'LoggingConfiguration.LogFilePrefix' } },
    },
    {
      type: 'aws_s3_bucket_ownership_controls',
      when: 'OwnershipControls',
      attributes: { rule: { from: 'OwnershipControls.Rules', map: objects({ ObjectOwnership: 'object_ownership' }) } },
    },
    { type: 'aws_s3_bucket_acl', when: 'AccessControl', attributes: { acl: { from: 'AccessControl', map: (v) => (typeof v === 'string' ? (CANNED_ACLS[v] ?? v) : v) } } },
    {
      type: 'aws_s3_bucket_lifecycle_configuration',
      when: 'LifecycleConfiguration',
      attributes: {
        rule: {
          from: 'LifecycleConfiguration.Rules',
          map: objects({
            Id: 'id',
            Status: 'status',
            Prefix: 'prefix',
            TagFilters: ['filter', (v) => (Array.isArray(v) && v.length ? [{ tag: v }] : [])],
            ExpirationInDays: ['expiration', (v) => [{ days: v }]],
            NoncurrentVersionExpiration: ['noncurrent_version_expiration', (v) => [{ noncurrent_days: typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json).NoncurrentDays : null }]],
          }),
        },
      },
    },
    {
      type: 'aws_s3_bucket_object_lock_configuration',
      when: 'ObjectLockConfiguration',
      attributes: {
        object_lock_enabled: { from: 'ObjectLockConfiguration.ObjectLockEnabled' },
        rule: {
          from: 'ObjectLockConfiguration.Rule.DefaultRetention',
          map: (v) => [{ default_retention: asBlock(typeof v === 'object' && v !== null && !Array.isArray(v) ? { mode: (v as Json).Mode, days: (v as Json).Days, years: (v as Json).Years } : null) }],
        },
      },
    },
  ],
  'AWS::S3::BucketPolicy': [{ type: 'aws_s3_bucket_policy', attributes: { bucket: { from: 'Bucket' }, policy: { from: 'PolicyDocument', map: asJson } } }],
  'AWS::KMS::Key': [
    {
      type: 'aws_kms_key',
      attributes: {
        enable_key_rotation: { from: 'EnableKeyRotation' },
        is_enabled: { from: 'Enabled' },
        key_usage: { from: 'KeyUsage' },
        customer_master_key_spec: { from: 'KeySpec' },
        multi_region: { from: 'MultiRegion' },
        policy: { from: 'KeyPolicy', map: asJson },
      },
    },
  ],
  'AWS::Logs::LogGroup': [{ type: 'aws_cloudwatch_log_group', attributes: { name: { from: 'LogGroupName' }, retention_in_days: { from: 'RetentionInDays' }, kms_key_id: { from: 'KmsKeyId' } } }],
  'AWS::Logs::MetricFilter': [
    {
      type: 'aws_cloudwatch_log_metric_filter',
      attributes: {
        name: { from: 'FilterName' },
        log_group_name: { from: 'LogGroupName' },
        pattern: { from: 'FilterPattern' },
        metric_transformation: { from: 'MetricTransformations', map: objects({ MetricName: 'name', MetricNamespace: 'namespace', MetricValue: 'value' }) },
      },
    },
  ],
  'AWS::CloudWatch::Alarm': [
    {
      type: 'aws_cloudwatch_metric_alarm',
      attributes: {
        alarm_name: { from: 'AlarmName' },
        metric_name: { from: 'MetricName' },
        namespace: { from: 'Namespace' },
        actions_enabled: { from: 'ActionsEnabled' },
        alarm_actions: { from: 'AlarmActions' },
      },
    },
  ],
  'AWS::SNS::Topic': [{ type: 'aws_sns_topic', attributes: { name: { from: 'TopicName' } } }],
  'AWS::SNS::Subscription': [{ type: 'aws_sns_topic_subscription', attributes: { topic_arn: { from: 'TopicArn' }, protocol: { from: 'Protocol' } } }],
  'AWS::CloudTrail::EventDataStore': [
    {
      type: 'aws_cloudtrail_event_data_store',
      attributes: {
        name: { from: 'Name' },
        multi_region_enabled: { from: 'MultiRegionEnabled' },
        organization_enabled: { from: 'OrganizationEnabled' },
        retention_period: { from: 'RetentionPeriod' },
        termination_protection_enabled: { from: 'TerminationProtectionEnabled' },
        kms_key_id: { from: 'KmsKeyId' },
      },
    },
  ],
};

/** The first $unknown reason inside a value, when there is one. */
function unknownReason(value: IacValue | undefined): string | undefined {
  const stack: (IacValue | undefined)[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (isUnknown(v)) return v.$unknown;
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
  }
  return undefined;
}

/** The resources of one template, as a plan of the Terraform resources they stand for. */
export function templateToPlan(definitions: readonly IacDefinition[], file: string): ParsedPlan {
  const typeOf = new Map<string, string>();
  for (const d of definitions) {
    const main = MAPPINGS[d.resourceType]?.[0];
    if (main) typeOf.set(d.address, main.type);
  }
  const resources: PlannedResource[] = [];
  for (const d of definitions) {
    for (const mapping of MAPPINGS[d.resourceType] ?? []) {
      if (mapping.when !== undefined && d.attributes[mapping.when] === undefined) continue;
      const values: Json = {};
      const unknown: Json = {};
      const references: Record<string, string[]> = {};
      const labels: Record<string, string> = {};
      const reasons: Record<string, string> = {};
      for (const [attribute, { from, map }] of Object.entries(mapping.attributes)) {
        const source = d.attributes[from];
        labels[attribute] = from;
        if (source === undefined) continue;
        // Logical ids referenced, written as Terraform references (aws_kms_key.CloudTrailKey.arn).
        references[attribute] = (source.refs ?? []).flatMap((id) => (typeOf.has(id) ? [`${typeOf.get(id)!}.${id}.arn`] : []));
        const reason = unknownReason(source.value);
        if (reason !== undefined) {
          unknown[attribute] = true;
          reasons[attribute] = reason;
          values[attribute] = null;
        } else values[attribute] = map ? map(source.value) : source.value;
      }
      // A bucket's setting names its bucket the way Terraform's satellites do.
      if (d.resourceType === 'AWS::S3::Bucket' && mapping.type !== 'aws_s3_bucket') {
        values.bucket = values.bucket ?? (typeof d.attributes.BucketName?.value === 'string' ? d.attributes.BucketName.value : null);
        references.bucket = [`aws_s3_bucket.${d.address}.id`];
        labels.bucket = 'BucketName';
      }
      resources.push({
        address: `${mapping.type}.${d.address}`,
        configAddress: `${mapping.type}.${d.address}`,
        modulePath: '',
        type: mapping.type,
        name: d.address,
        action: 'create',
        values,
        unknown,
        references,
        label: { address: d.address, attributes: labels, reasons },
      });
    }
  }
  return { file, resources, providers: new Map() };
}
