/** CloudWatch alarms on the metrics of monitoring filters. DescribeAlarms is read once per (account, region). */
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { isCollectionError, type LogGroup } from '../snapshot/schema.js';
import type { ScanContext } from './context.js';
import { AwsCallError, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import { mapAlarmsForMetrics } from './map/cloudwatch.js';

export class AlarmReader {
  private readonly alarmsByLocation = new Map<string, Promise<MetricAlarm[]>>();

  constructor(private readonly context: ScanContext) {}

  async alarmsFor(target: Target, filters: LogGroup['metricFilters']): Promise<NonNullable<LogGroup['alarms']>> {
    if (filters === undefined) return [];
    // Alarms are matched to the filters' metrics; unknown filters leave nothing to match against.
    if (isCollectionError(filters)) return filters;
    const metrics = filters.flatMap((filter) => filter.metrics);
    if (metrics.length === 0) return [];
    const key = `${target.accountId}|${target.region}`;
    let all = this.alarmsByLocation.get(key);
    if (all === undefined) {
      all = this.context.gateway.readPages(
        target,
        'cloudwatch',
        (token) => new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], ...(token ? { NextToken: token } : {}) }),
        (output) => output.MetricAlarms ?? [],
        (output) => output.NextToken,
      );
      this.alarmsByLocation.set(key, all);
    }
    try {
      return mapAlarmsForMetrics(await all, metrics);
    } catch (error) {
      if (error instanceof AwsCallError) return collectionError(error.detail);
      throw error;
    }
  }
}
