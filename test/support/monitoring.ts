import { MONITORING_CONTROLS, type MonitoringControl } from '../../src/engine/analysis/cis-controls.js';
import { cisControlPattern } from '../../src/engine/analysis/cis-monitoring.js';

/**
 * CIS monitoring: a metric filter with the CIS 5.0 pattern per control, an alarm on its metric and
 * an SNS topic. `overrides` breaks single controls to tell a story.
 */
export function monitoring(
  logGroupArn: string,
  topicArn: string,
  overrides: Partial<Record<MonitoringControl, { pattern?: string; topic?: string; actionsEnabled?: boolean }>> = {},
) {
  const metricFilters = MONITORING_CONTROLS.map((control) => ({
    name: `cis-${control}`,
    pattern: overrides[control]?.pattern ?? cisControlPattern(control, '5.0')!.exact[0]!,
    metrics: [{ name: `cis-${control}`, namespace: 'CISBenchmark' }],
  }));
  const alarms = MONITORING_CONTROLS.map((control) => ({
    name: `cis-${control}-alarm`,
    metricName: `cis-${control}`,
    namespace: 'CISBenchmark',
    actionsEnabled: overrides[control]?.actionsEnabled ?? true,
    alarmActions: [overrides[control]?.topic ?? topicArn],
  }));
  return { arn: logGroupArn, metricFilters, alarms };
}

