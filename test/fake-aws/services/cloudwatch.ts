/**
 * CloudWatch alarm reads. The installed client speaks awsJson1_0 with the awsQueryCompatible trait,
 * so errors carry their old query codes (InvalidNextToken, Throttling, …) in x-amzn-query-error.
 */
import { AwsError, JSON_ERRORS } from '../errors.js';
import { alarmArn, type FakeAlarm } from '../model.js';
import { paginate } from '../pagination.js';
import { numberMember, stringListMember, stringMember, type CallContext, type ServiceDefinition } from '../service.js';

const PAGE_SIZE = 50;
const MAX_RECORDS = 100;
const invalidNextToken = { code: 'InvalidNextToken', status: 400 };
const invalidParameterValue = { code: 'InvalidParameterValue', status: 400 };
const missingParameter = { code: 'MissingParameter', status: 400 };
const CONFIGURED = new Date('2023-03-01T00:00:00Z');

function alarmsHere(context: CallContext): FakeAlarm[] {
  return (context.world.account(context.caller.accountId)?.alarms ?? []).filter((alarm) => alarm.region === context.region);
}

function metricAlarmDocument(context: CallContext, alarm: FakeAlarm) {
  return {
    AlarmName: alarm.name,
    AlarmArn: alarmArn(context.world.partition, alarm.region, context.caller.accountId, alarm.name),
    AlarmConfigurationUpdatedTimestamp: CONFIGURED,
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: [],
    AlarmActions: alarm.alarmActions,
    InsufficientDataActions: [],
    StateValue: alarm.stateValue ?? 'OK',
    StateReason: 'Threshold Crossed: no datapoints were received.',
    StateUpdatedTimestamp: CONFIGURED,
    MetricName: alarm.metricName,
    Namespace: alarm.namespace,
    Statistic: 'Sum',
    Dimensions: [],
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: alarm.threshold ?? 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
  };
}

export const cloudwatch: ServiceDefinition = {
  name: 'cloudwatch',
  protocol: 'json',
  jsonVersion: '1.0',
  targetPrefix: 'GraniteServiceVersion20100801',
  queryCompatible: true,
  regional: true,
  errors: {
    ...JSON_ERRORS,
    throttling: { code: 'Throttling', status: 400 },
    accessDenied: { code: 'AccessDenied', status: 403 },
    regionDisabled: { code: 'InvalidClientTokenId', status: 403 },
    unknownAccessKey: { code: 'InvalidClientTokenId', status: 403 },
    badSignature: { code: 'SignatureDoesNotMatch', status: 403 },
    internal: { code: 'InternalServiceError', status: 500 },
    unknownOperation: { code: 'InvalidAction', status: 400 },
  },
  actions: {
    DescribeAlarms: (context, input) => {
      const names = stringListMember(input, 'AlarmNames');
      const namePrefix = stringMember(input, 'AlarmNamePrefix');
      const actionPrefix = stringMember(input, 'ActionPrefix');
      const state = stringMember(input, 'StateValue');
      const types = stringListMember(input, 'AlarmTypes');
      const maxRecords = numberMember(input, 'MaxRecords');
      if (names !== undefined && namePrefix !== undefined) {
        throw new AwsError(invalidParameterValue, 'AlarmNames and AlarmNamePrefix cannot be given together.');
      }
      if (maxRecords !== undefined && (maxRecords < 1 || maxRecords > MAX_RECORDS)) {
        throw new AwsError(invalidParameterValue, `MaxRecords must be between 1 and ${MAX_RECORDS}.`);
      }
      const wantsMetricAlarms = types === undefined || types.length === 0 || types.includes('MetricAlarm');
      const matching = wantsMetricAlarms
        ? alarmsHere(context).filter(
            (alarm) =>
              (names === undefined || names.includes(alarm.name)) &&
              (namePrefix === undefined || alarm.name.startsWith(namePrefix)) &&
              (actionPrefix === undefined || alarm.alarmActions.some((action) => action.startsWith(actionPrefix))) &&
              (state === undefined || (alarm.stateValue ?? 'OK') === state),
          )
        : [];
      const size = Math.min(maxRecords ?? PAGE_SIZE, context.pageSize('DescribeAlarms', PAGE_SIZE));
      const page = paginate(context, matching, stringMember(input, 'NextToken'), size, invalidNextToken);
      return { MetricAlarms: page.items.map((alarm) => metricAlarmDocument(context, alarm)), CompositeAlarms: [], NextToken: page.nextToken };
    },

    DescribeAlarmsForMetric: (context, input) => {
      const metricName = stringMember(input, 'MetricName');
      const namespace = stringMember(input, 'Namespace');
      if (metricName === undefined || namespace === undefined) {
        throw new AwsError(missingParameter, 'MetricName and Namespace are required.');
      }
      const matching = alarmsHere(context).filter((alarm) => alarm.metricName === metricName && alarm.namespace === namespace);
      return { MetricAlarms: matching.map((alarm) => metricAlarmDocument(context, alarm)) };
    },
  },
};
