/** CloudWatch Logs groups and their metric filters, each read once per scan in its owner account and region. */
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { isCollectionError, type LogGroup } from '../snapshot/schema.js';
import { AlarmReader } from './cloudwatch.js';
import { factOf, openOwner, ownerUnavailable, type ScanContext } from './context.js';
import { MALFORMED_RESPONSE, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import { locate } from './locate.js';
import { logGroupNameOfArn } from './map/arn.js';
import { findLogGroup, mapMetricFilters } from './map/logs.js';
import { TopicCollector } from './sns.js';

/**
 * Log groups, their monitoring alarms and the alarms' SNS topics. DescribeAlarms is read once per
 * (account, region) and shared by the log groups there.
 */
export class LogGroupCollector {
  private readonly alarms: AlarmReader;
  readonly topics: TopicCollector;

  constructor(private readonly context: ScanContext) {
    this.alarms = new AlarmReader(context);
    this.topics = new TopicCollector(context);
  }

  async collect(arn: string): Promise<LogGroup | undefined> {
    const location = locate(this.context, arn, 'trail CloudWatchLogsLogGroupArn', 'logs:DescribeLogGroups');
    const name = logGroupNameOfArn(arn);
    if (location === undefined) return undefined;
    if (name === undefined) {
      this.context.errors.push(collectionError({ action: 'logs:DescribeLogGroups', code: MALFORMED_RESPONSE, message: `${arn} is not a log group ARN` }));
      return undefined;
    }
    const base = { arn, name, ...location };
    const owner = await openOwner(this.context, location.accountId);
    if (!owner.ok) {
      const unavailable = (action: string) => ownerUnavailable(action, location.accountId, location.region, owner);
      return { ...base, details: unavailable('logs:DescribeLogGroups'), metricFilters: unavailable('logs:DescribeMetricFilters'), alarms: unavailable('cloudwatch:DescribeAlarms') };
    }
    const target: Target = location;
    const gateway = this.context.gateway;
    const [details, filters] = await Promise.all([
      factOf(
        gateway
          .readPages(target, 'logs', (token) => new DescribeLogGroupsCommand({ logGroupNamePrefix: name, ...(token ? { nextToken: token } : {}) }), (output) => output.logGroups ?? [], (output) => output.nextToken)
          .then((groups) => findLogGroup(groups, name)),
      ),
      factOf(
        gateway.readPages(target, 'logs', (token) => new DescribeMetricFiltersCommand({ logGroupName: name, ...(token ? { nextToken: token } : {}) }), (output) => mapMetricFilters(output.metricFilters ?? []), (output) => output.nextToken),
        { codes: ['ResourceNotFoundException'], value: [] },
      ),
    ]);
    const alarms = await this.alarms.alarmsFor(target, filters);
    if (!isCollectionError(alarms)) for (const alarm of alarms) for (const action of alarm.alarmActions) this.topics.notify(action);
    return { ...base, details, metricFilters: filters, alarms };
  }
}
