/** CloudWatch Logs answers -> log group and metric filter facts. Pure. */
import type { LogGroup as SdkLogGroup, MetricFilter as SdkMetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import type { LogGroup } from '../../snapshot/schema.js';
import { definedOnly } from '../../objects.js';
import { MalformedResponseError } from '../errors.js';
import { nonEmpty, required, type FactValue } from './common.js';

type LogGroupDetails = NonNullable<FactValue<LogGroup['details']>>;
type MetricFilterValue = FactValue<LogGroup['metricFilters']>[number];

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
