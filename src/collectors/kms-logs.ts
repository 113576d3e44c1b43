/**
 * Trail KMS keys and CloudWatch Logs groups (with the CIS monitoring chain: metric filters, the
 * alarms on their metrics, and the SNS topics those alarms notify). Each is read once per scan, in
 * the account and region its ARN names.
 */
import { compareIdentity } from '../snapshot/merge.js';
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeLogGroupsCommand, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { GetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { isCollectionError, type CollectionError, type KmsKey, type LogGroup, type SnsTopic } from '../snapshot/schema.js';
import { factOf, openOwner, ownerUnavailable, type ScanContext } from './context.js';
import { AwsCallError, MALFORMED_RESPONSE, collectionError } from './errors.js';
import type { Target } from './gateway.js';
import { accountOfArn, logGroupNameOfArn, parseArn, regionOfArn } from './map/arn.js';
import {
  findLogGroup,
  mapAlarmsForMetrics,
  mapConfirmedSubscriptions,
  mapKeyMetadata,
  mapKeyPolicy,
  mapKeyRotation,
  mapMetricFilters,
} from './map/kms-logs.js';

interface ArnLocation {
  accountId: string;
  region: string;
}

/** Account and region of a resource ARN, or an error in snapshot.errors when the ARN is unusable. */
function locate(context: ScanContext, arn: string, what: string, action: string): ArnLocation | undefined {
  const accountId = accountOfArn(arn);
  const region = regionOfArn(arn);
  if (accountId !== undefined && region !== undefined) return { accountId, region };
  context.errors.push(collectionError({ action, code: MALFORMED_RESPONSE, message: `${what} ${arn} is not an ARN with an account and a region` }));
  return undefined;
}

export async function collectKmsKey(context: ScanContext, arn: string): Promise<KmsKey | undefined> {
  const location = locate(context, arn, 'trail KmsKeyId', 'kms:DescribeKey');
  if (location === undefined) return undefined;
  const base = { arn, accountId: location.accountId, region: location.region };
  const owner = await openOwner(context, location.accountId);
  if (!owner.ok) {
    const unavailable = (action: string) => ownerUnavailable(action, location.accountId, location.region, owner);
    return { ...base, metadata: unavailable('kms:DescribeKey'), rotationEnabled: unavailable('kms:GetKeyRotationStatus'), policy: unavailable('kms:GetKeyPolicy') };
  }
  const target: Target = location;
  const gateway = context.gateway;
  const metadata = await factOf(gateway.read(target, 'kms', new DescribeKeyCommand({ KeyId: arn }), mapKeyMetadata), { codes: ['NotFoundException'], value: null });
  if (metadata === null) {
    // The key does not exist: its rotation and policy have no value, and asking would only repeat NotFoundException.
    const missing = (action: string) => collectionError({ action, code: 'NotFoundException', ...location, message: `key ${arn} does not exist` });
    return { ...base, metadata, rotationEnabled: missing('kms:GetKeyRotationStatus'), policy: missing('kms:GetKeyPolicy') };
  }
  const [rotationEnabled, policy] = await Promise.all([
    // Asymmetric, HMAC and imported-material keys cannot rotate automatically: rotation is off, not unknown.
    factOf(gateway.read(target, 'kms', new GetKeyRotationStatusCommand({ KeyId: arn }), mapKeyRotation), { codes: ['UnsupportedOperationException'], value: false }),
    factOf(gateway.read(target, 'kms', new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }), mapKeyPolicy)),
  ]);
  return { ...base, metadata, rotationEnabled, policy };
}

/**
 * Log groups, their monitoring alarms and the alarms' SNS topics. DescribeAlarms is read once per
 * (account, region) and shared by the log groups there.
 */
export class LogGroupCollector {
  private readonly alarmsByLocation = new Map<string, Promise<MetricAlarm[]>>();
  private readonly topics = new Map<string, Promise<SnsTopic | undefined>>();

  constructor(private readonly context: ScanContext) {}

  async snsTopics(): Promise<SnsTopic[]> {
    const topics = await Promise.all(this.topics.values());
    return topics.filter((topic): topic is SnsTopic => topic !== undefined).sort((a, b) => compareIdentity(a.arn, b.arn));
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
    const alarms = await this.alarmsFor(target, filters);
    if (!isCollectionError(alarms)) for (const alarm of alarms) for (const action of alarm.alarmActions) this.topic(action);
    return { ...base, details, metricFilters: filters, alarms };
  }

  private async alarmsFor(target: Target, filters: LogGroup['metricFilters']): Promise<NonNullable<LogGroup['alarms']>> {
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

  private topic(arn: string): void {
    const parsed = parseArn(arn);
    if (parsed?.service !== 'sns' || this.topics.has(arn)) return;
    this.topics.set(arn, this.context.tasks.spawn(() => this.readTopic(arn)));
  }

  private async readTopic(arn: string): Promise<SnsTopic | undefined> {
    const location = locate(this.context, arn, 'alarm action', 'sns:GetTopicAttributes');
    if (location === undefined) return undefined;
    const owner = await openOwner(this.context, location.accountId);
    const confirmedSubscriptions: number | CollectionError = owner.ok
      ? await factOf(
          this.context.gateway.read(location, 'sns', new GetTopicAttributesCommand({ TopicArn: arn }), (output) => mapConfirmedSubscriptions(output.Attributes)),
          // A deleted topic notifies nobody: zero confirmed subscriptions is the truth.
          { codes: ['NotFound', 'NotFoundException'], value: 0 },
        )
      : ownerUnavailable('sns:GetTopicAttributes', location.accountId, location.region, owner);
    return { arn, ...location, confirmedSubscriptions };
  }
}
