/** CloudWatch answers -> the alarms on monitoring metrics. Pure. */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { LogGroup } from '../../snapshot/schema.js';
import { definedOnly } from '../../objects.js';
import { nonEmpty, required, type FactValue } from './common.js';

type AlarmValue = FactValue<LogGroup['alarms']>[number];

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
