/** KMS, CloudWatch Logs, CloudWatch and SNS answers -> key, log group and topic facts. Pure. */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { LogGroup as SdkLogGroup, MetricFilter as SdkMetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { DescribeKeyResponse, GetKeyPolicyResponse, GetKeyRotationStatusResponse } from '@aws-sdk/client-kms';
import type { KmsKey, LogGroup } from '../../snapshot/schema.js';
import { MalformedResponseError } from '../errors.js';
import { definedOnly } from '../../objects.js';
import { isoTime, nonEmpty, parsePolicyDocument, required } from './common.js';

type Value<T> = Exclude<T, { $error: unknown } | undefined>;
export type KeyMetadataValue = NonNullable<Value<KmsKey['metadata']>>;
export type LogGroupDetails = NonNullable<Value<LogGroup['details']>>;
export type MetricFilterValue = Value<LogGroup['metricFilters']>[number];
export type AlarmValue = Value<LogGroup['alarms']>[number];

/** DescribeKey.KeyMetadata */
export function mapKeyMetadata(raw: DescribeKeyResponse): KeyMetadataValue {
  const metadata = raw.KeyMetadata;
  if (metadata === undefined) throw new MalformedResponseError('DescribeKey has no KeyMetadata');
  return definedOnly<KeyMetadataValue>({
    keyState: required(metadata.KeyState, 'KeyMetadata.KeyState'),
    keyManager: required(metadata.KeyManager, 'KeyMetadata.KeyManager'),
    keySpec: required(metadata.KeySpec ?? metadata.CustomerMasterKeySpec, 'KeyMetadata.KeySpec'),
    keyUsage: required(metadata.KeyUsage, 'KeyMetadata.KeyUsage'),
    multiRegion: metadata.MultiRegion,
    deletionDate: isoTime(metadata.DeletionDate, 'KeyMetadata.DeletionDate'),
  });
}

/** GetKeyRotationStatus.KeyRotationEnabled */
export function mapKeyRotation(raw: GetKeyRotationStatusResponse): boolean {
  if (typeof raw.KeyRotationEnabled !== 'boolean') throw new MalformedResponseError('GetKeyRotationStatus has no KeyRotationEnabled');
  return raw.KeyRotationEnabled;
}

/** GetKeyPolicy.Policy, parsed. */
export function mapKeyPolicy(raw: GetKeyPolicyResponse): unknown {
  return parsePolicyDocument(raw.Policy, 'key policy');
}

/**
 * The group named exactly `name` among DescribeLogGroups answers for that name as prefix; null when
 * it is not there (the group does not exist).
 */
export function findLogGroup(groups: readonly SdkLogGroup[], name: string): LogGroupDetails | null {
  const group = groups.find((candidate) => candidate.logGroupName === name);
  if (group === undefined) return null;
  const retention = group.retentionInDays;
  if (retention !== undefined && (!Number.isInteger(retention) || retention <= 0)) {
    throw new MalformedResponseError(`log group ${name} has retentionInDays ${retention}`);
  }
  return definedOnly<LogGroupDetails>({ retentionInDays: retention, kmsKeyId: nonEmpty(group.kmsKeyId) });
}

/** DescribeMetricFilters.metricFilters[] */
export function mapMetricFilters(filters: readonly SdkMetricFilter[]): MetricFilterValue[] {
  return filters.map((filter) => ({
    name: required(filter.filterName, 'MetricFilter.filterName'),
    // An empty pattern is legal in CloudWatch Logs: it matches every event.
    pattern: filter.filterPattern ?? '',
    metrics: (filter.metricTransformations ?? []).map((metric) => ({
      name: required(metric.metricName, 'MetricTransformation.metricName'),
      namespace: required(metric.metricNamespace, 'MetricTransformation.metricNamespace'),
    })),
  }));
}

/**
 * DescribeAlarms.MetricAlarms on the metrics the filters emit. Alarms on metric math (no MetricName)
 * cannot watch a filter's metric directly and are left out.
 */
export function mapAlarmsForMetrics(alarms: readonly MetricAlarm[], metrics: ReadonlyArray<{ name: string; namespace: string }>): AlarmValue[] {
  const wanted = new Set(metrics.map((metric) => `${metric.namespace}\u0000${metric.name}`));
  return alarms
    .filter((alarm) => alarm.MetricName !== undefined && wanted.has(`${alarm.Namespace ?? ''}\u0000${alarm.MetricName}`))
    .map((alarm) =>
      definedOnly<AlarmValue>({
        name: required(alarm.AlarmName, 'MetricAlarm.AlarmName'),
        arn: nonEmpty(alarm.AlarmArn),
        metricName: required(alarm.MetricName, 'MetricAlarm.MetricName'),
        namespace: required(alarm.Namespace, 'MetricAlarm.Namespace'),
        actionsEnabled: alarm.ActionsEnabled === true,
        alarmActions: [...(alarm.AlarmActions ?? [])],
      }),
    );
}

/** GetTopicAttributes.Attributes.SubscriptionsConfirmed (a decimal string). */
export function mapConfirmedSubscriptions(attributes: Record<string, string> | undefined): number {
  const raw = attributes?.SubscriptionsConfirmed;
  const count = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isInteger(count) || count < 0) throw new MalformedResponseError('GetTopicAttributes has no valid SubscriptionsConfirmed');
  return count;
}
