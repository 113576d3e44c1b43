/**
 * The CIS monitoring chain as views.ts joins it: trail -> log group (by ARN) -> metric filters ->
 * alarms (same metric name and namespace) -> SNS topics among the ALARM actions. Every link that
 * was not collected must stay an explicit error, so that the rules report `error`, never `fail`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotViews } from '../../src/engine/views.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { loadRule } from '../../src/policy/loader.js';
import { MONITORING_CONTROLS } from '../../src/engine/analysis/cis-controls.js';
import { cisControlPattern } from '../../src/engine/analysis/cis-monitoring.js';
import { isCollectionError, type Snapshot } from '../../src/snapshot/schema.js';
import type { TrailView } from '../../src/engine/view-schema.js';
import { buildSnapshot, type SnapshotFragment } from '../support/snapshot-builder.js';
import { builtinFragments } from '../support/fragments.js';

const OWNER = '111111111111';
const MEMBER = '333333333333';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/audit`;
const GROUP = `arn:aws:logs:us-east-1:${OWNER}:log-group:audit-log-group`;
const TOPIC = `arn:aws:sns:us-east-1:${OWNER}:security-alarms`;
const ROOT_PATTERN = '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }';

const rootMetric = { name: 'RootAccountUsage', namespace: 'CISBenchmark' };
const alarm = (name: string, metricName: string, namespace: string, alarmActions: string[] = [TOPIC]) => ({ name, metricName, namespace, actionsEnabled: true, alarmActions });

function trailView(snapshot: Snapshot, arn = TRAIL): TrailView {
  const subject = new SnapshotViews(snapshot).subjects('trail').find((s) => s.resource.arn === arn);
  if (!subject) throw new Error(`no trail subject ${arn}`);
  return subject.view.trail as TrailView;
}

function joinedGroup(view: TrailView) {
  const group = view.logGroup;
  if (group === null || isCollectionError(group)) throw new Error(`log group not joined: ${JSON.stringify(group)}`);
  return group;
}

function joinedFilters(view: TrailView) {
  const filters = joinedGroup(view).metricFilters;
  if (isCollectionError(filters)) throw new Error(`metric filters not joined: ${JSON.stringify(filters)}`);
  return filters;
}

function joinedAlarms(view: TrailView, filterIndex = 0) {
  const alarms = joinedFilters(view)[filterIndex]?.alarms;
  if (alarms === undefined || isCollectionError(alarms)) throw new Error(`alarms not joined: ${JSON.stringify(alarms)}`);
  return alarms;
}

function monitored(group: Record<string, unknown>, rest: Partial<SnapshotFragment> = {}): Snapshot {
  return buildSnapshot({ trails: [{ arn: TRAIL }], logGroups: [{ arn: GROUP, ...group }], snsTopics: [{ arn: TOPIC }], ...rest });
}

describe('log group join', () => {
  it('finds the log group by ARN, ignoring the :* suffix CloudTrail reports', () => {
    const snapshot = monitored({ metricFilters: [], alarms: [] });
    expect(snapshot.trails[0]?.cloudWatchLogsLogGroupArn).toBe(`${GROUP}:*`);
    expect(joinedGroup(trailView(snapshot))).toMatchObject({ arn: GROUP, name: 'audit-log-group', accountId: OWNER, region: 'us-east-1' });

    const storedWithSuffix = { ...snapshot, logGroups: snapshot.logGroups.map((g) => ({ ...g, arn: `${g.arn}:*` })) };
    expect(joinedGroup(trailView(storedWithSuffix)).arn).toBe(GROUP);
  });

  it('follows the ARN to a log group in another region than the trail', () => {
    const otherRegion = `arn:aws:logs:eu-west-1:${OWNER}:log-group:audit-log-group`;
    const snapshot = buildSnapshot({
      trails: [{ arn: TRAIL, cloudWatchLogsLogGroupArn: `${otherRegion}:*` }],
      logGroups: [{ arn: otherRegion, metricFilters: [], alarms: [] }],
    });
    expect(joinedGroup(trailView(snapshot))).toMatchObject({ arn: otherRegion, region: 'eu-west-1' });
  });

  it('is null for a trail without CloudWatch Logs delivery', () => {
    const snapshot = buildSnapshot({ trails: [{ arn: TRAIL, cloudWatchLogsLogGroupArn: '$absent' }] });
    expect(trailView(snapshot).logGroup).toBeNull();
  });

  it('names the owner account when the log group is absent from the snapshot', () => {
    const built = monitored({ metricFilters: [], alarms: [] });
    const snapshot = { ...built, logGroups: [] };
    expect(trailView(snapshot).logGroup).toEqual({
      $error: {
        action: 'logs:DescribeLogGroups',
        code: 'LogGroupNotCollected',
        accountId: OWNER,
        message: `log group ${GROUP} was not collected (is account ${OWNER} in the scan?)`,
      },
    });
  });

  it('gives a member account the same error for an organization trail whose log group is missing', () => {
    const built = buildSnapshot({ accounts: [{ id: MEMBER }], trails: [{ arn: TRAIL, isOrganizationTrail: true }] });
    const snapshot = { ...built, logGroups: [] };
    const member = new SnapshotViews(snapshot).subjects('account').find((s) => s.resource.accountId === MEMBER);
    const trails = member?.view.trails as TrailView[];
    expect(trails.map((t) => t.arn)).toEqual([TRAIL]);
    expect(trails[0]?.logGroup).toMatchObject({ $error: { code: 'LogGroupNotCollected', accountId: OWNER } });
  });

  it('reports metric filters that were not collected as an error in the group account and region', () => {
    const snapshot = buildSnapshot({ trails: [{ arn: TRAIL }] });
    expect(joinedGroup(trailView(snapshot)).metricFilters).toEqual({
      $error: { action: 'logs:DescribeMetricFilters', code: 'NotCollected', accountId: OWNER, region: 'us-east-1', message: 'not collected for audit-log-group' },
    });
  });
});

describe('metric filter -> alarm join', () => {
  it('joins an alarm only when metric name and namespace both match one metric of the filter', () => {
    const snapshot = monitored({
      metricFilters: [
        { name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric, { name: 'RootUse', namespace: 'Security' }] },
        { name: 'other', pattern: '{ $.eventName = "StopLogging" }', metrics: [{ name: 'StopLogging', namespace: 'CISBenchmark' }] },
      ],
      alarms: [
        alarm('same-name-and-namespace', 'RootAccountUsage', 'CISBenchmark'),
        alarm('same-name-other-namespace', 'RootAccountUsage', 'CloudTrailMetrics'),
        alarm('name-of-one-metric-namespace-of-another', 'RootUse', 'CISBenchmark'),
        alarm('second-metric-of-the-filter', 'RootUse', 'Security'),
        alarm('other-name-same-namespace', 'ConsoleSigninFailures', 'CISBenchmark'),
        alarm('other-filter', 'StopLogging', 'CISBenchmark'),
      ],
    });
    const view = trailView(snapshot);
    expect(joinedAlarms(view, 0).map((a) => a.name)).toEqual(['same-name-and-namespace', 'second-metric-of-the-filter']);
    expect(joinedAlarms(view, 1).map((a) => a.name)).toEqual(['other-filter']);
  });

  it('lists no alarm for a filter whose metric nobody alarms on', () => {
    const snapshot = monitored({ metricFilters: [{ name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric] }], alarms: [] });
    expect(joinedAlarms(trailView(snapshot))).toEqual([]);
  });

  it('gives every filter the alarms error when alarms were not collected, keeping the filters', () => {
    const denied = { $error: { action: 'cloudwatch:DescribeAlarms', code: 'AccessDenied' } };
    const snapshot = monitored({ metricFilters: [{ name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric] }], alarms: denied });
    const [filter] = joinedFilters(trailView(snapshot));
    expect(filter).toMatchObject({ name: 'root', pattern: ROOT_PATTERN });
    expect(filter?.alarms).toEqual({ $error: { ...denied.$error, accountId: OWNER, region: 'us-east-1' } });

    const notRecorded = monitored({ metricFilters: [{ name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric] }] });
    expect(joinedFilters(trailView(notRecorded))[0]?.alarms).toMatchObject({ $error: { action: 'cloudwatch:DescribeAlarms', code: 'NotCollected' } });
  });
});

describe('alarm -> SNS topic join', () => {
  const rootFilter = { name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric] };

  it('keeps only the SNS topics among the ALARM actions', () => {
    const snapshot = monitored({
      metricFilters: [rootFilter],
      alarms: [
        alarm('mixed-actions', 'RootAccountUsage', 'CISBenchmark', [
          `arn:aws:ssm:us-east-1:${OWNER}:opsitem:3#CATEGORY=Security`,
          `arn:aws:swf:us-east-1:${OWNER}:action/actions/AWS_EC2.InstanceId.Stop/1.0`,
          `arn:aws:lambda:us-east-1:${OWNER}:function:page-on-call`,
          TOPIC,
        ]),
        alarm('no-sns-action', 'RootAccountUsage', 'CISBenchmark', [`arn:aws:autoscaling:us-east-1:${OWNER}:scalingPolicy:abc:autoScalingGroupName/web:policyName/out`]),
      ],
    });
    const [mixed, noSns] = joinedAlarms(trailView(snapshot));
    expect(mixed?.topics).toEqual([{ arn: TOPIC, accountId: OWNER, region: 'us-east-1', confirmedSubscriptions: 1 }]);
    expect(noSns?.topics).toEqual([]);
  });

  it('stands an error element in for a topic that is not in the snapshot', () => {
    const elsewhere = 'arn:aws:sns:us-east-1:444444444444:central-alarms';
    const snapshot = monitored({ metricFilters: [rootFilter], alarms: [alarm('two-topics', 'RootAccountUsage', 'CISBenchmark', [TOPIC, elsewhere])] });
    expect(joinedAlarms(trailView(snapshot))[0]?.topics).toEqual([
      { arn: TOPIC, accountId: OWNER, region: 'us-east-1', confirmedSubscriptions: 1 },
      { $error: { action: 'sns:GetTopicAttributes', code: 'TopicNotCollected', accountId: '444444444444', message: `SNS topic ${elsewhere} was not collected` } },
    ]);
  });

  it('treats every topic as not collected when the snapshot has no topic list', () => {
    const snapshot = buildSnapshot({
      trails: [{ arn: TRAIL }],
      logGroups: [{ arn: GROUP, metricFilters: [rootFilter], alarms: [alarm('root', 'RootAccountUsage', 'CISBenchmark')] }],
    });
    expect(snapshot.snsTopics).toBeUndefined();
    expect(joinedAlarms(trailView(snapshot))[0]?.topics).toEqual([expect.objectContaining({ $error: expect.objectContaining({ code: 'TopicNotCollected' }) })]);
  });
});

describe('monitoring rules over the join', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const rule = (control: string) => {
    const file = `policies/monitoring/${control}.yaml`;
    const { rule: loaded, diagnostics } = loadRule({ file, text: readFileSync(path.join(root, file), 'utf8'), builtin: true }, undefined, builtinFragments());
    expect(diagnostics).toEqual([]);
    return loaded!;
  };
  const verdict = (control: string, snapshot: Snapshot, accountId = OWNER) => {
    const findings = evaluate(snapshot, [rule(control)], { now: new Date(snapshot.scanTime) });
    const finding = findings.find((f) => f.resource.accountId === accountId);
    if (!finding) throw new Error(`no finding for ${accountId}`);
    return finding;
  };
  /** The control's CIS 5.0 text with a dangling && before the closing brace. */
  const brokenPattern = (control: (typeof MONITORING_CONTROLS)[number]) => cisControlPattern(control, '5.0')!.exact[0]!.replace(/\s*\}\s*$/, ' && }');

  // Lives here rather than in the cases files: the cases harness rejects any message containing
  // '{', and this error message quotes the filter pattern.
  it.each(MONITORING_CONTROLS)('%s: an unparseable filter that is the only alarmed one gives error UnparseableFilterPattern', (control) => {
    const metric = { name: 'Monitored', namespace: 'CISBenchmark' };
    const snapshot = monitored({
      metricFilters: [{ name: 'draft', pattern: brokenPattern(control), metrics: [metric] }],
      alarms: [alarm('draft', metric.name, metric.namespace)],
    });
    const finding = verdict(control, snapshot);
    expect(finding.status).toBe('error');
    expect(finding.errors).toEqual([expect.objectContaining({ action: 'logs:DescribeMetricFilters', code: 'UnparseableFilterPattern' })]);
  });

  it('reports a member under an organization trail whose log group was not collected as an error naming the owner account', () => {
    const built = buildSnapshot({ accounts: [{ id: MEMBER }], trails: [{ arn: TRAIL, isOrganizationTrail: true }] });
    const finding = verdict('root-account-usage', { ...built, logGroups: [] }, MEMBER);
    expect(finding.status).toBe('error');
    expect(finding.message).toContain(`LogGroupNotCollected in account ${OWNER}`);
  });

  it('reports an alarm whose topic is missing from the snapshot as an error, not a fail', () => {
    const snapshot = buildSnapshot({
      trails: [{ arn: TRAIL }],
      logGroups: [{ arn: GROUP, metricFilters: [{ name: 'root', pattern: ROOT_PATTERN, metrics: [rootMetric] }], alarms: [alarm('root', 'RootAccountUsage', 'CISBenchmark')] }],
    });
    const finding = verdict('root-account-usage', snapshot);
    expect(finding.status).toBe('error');
    expect(finding.errors).toEqual([expect.objectContaining({ action: 'sns:GetTopicAttributes', code: 'TopicNotCollected' })]);
  });
});
