import type { DescribeAlarmsOutput } from '@aws-sdk/client-cloudwatch';
import type { DescribeLogGroupsResponse, DescribeMetricFiltersResponse } from '@aws-sdk/client-cloudwatch-logs';
import type { DescribeKeyResponse, GetKeyPolicyResponse, GetKeyRotationStatusResponse } from '@aws-sdk/client-kms';
import type { GetTopicAttributesResponse } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../src/collectors/errors.js';
import { mapAlarmsForMetrics } from '../../../src/collectors/map/cloudwatch.js';
import { mapKeyMetadata, mapKeyPolicy, mapKeyRotation } from '../../../src/collectors/map/kms.js';
import { findLogGroup, mapMetricFilters } from '../../../src/collectors/map/logs.js';
import { mapConfirmedSubscriptions } from '../../../src/collectors/map/sns.js';
import { loadFixture } from '../support/fixtures.js';

describe('KMS mappers: key-pending-deletion', () => {
  const fixture = loadFixture('key-pending-deletion');

  it('keeps the state, manager, spec and deletion date', () => {
    expect(mapKeyMetadata(fixture.answer<DescribeKeyResponse>('DescribeKey'))).toEqual({
      keyState: 'PendingDeletion',
      keyManager: 'CUSTOMER',
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      multiRegion: false,
      deletionDate: '2024-06-20T00:00:00.000Z',
    });
  });

  it('reads rotation off and parses the pretty-printed default policy', () => {
    expect(mapKeyRotation(fixture.answer<GetKeyRotationStatusResponse>('GetKeyRotationStatus'))).toBe(false);
    expect(mapKeyPolicy(fixture.answer<GetKeyPolicyResponse>('GetKeyPolicy'))).toMatchObject({ Statement: [{ Sid: 'Enable IAM User Permissions', Action: 'kms:*' }] });
  });

  it('falls back to the deprecated CustomerMasterKeySpec and refuses answers missing what rules need', () => {
    const { KeyMetadata } = fixture.answer<DescribeKeyResponse>('DescribeKey');
    expect(mapKeyMetadata({ KeyMetadata: { ...KeyMetadata!, KeySpec: undefined } }).keySpec).toBe('SYMMETRIC_DEFAULT');
    expect(() => mapKeyMetadata({ KeyMetadata: { ...KeyMetadata!, KeyState: undefined } })).toThrow(MalformedResponseError);
    expect(() => mapKeyMetadata({})).toThrow(MalformedResponseError);
    expect(() => mapKeyRotation({})).toThrow(MalformedResponseError);
  });
});

describe('CloudWatch Logs, CloudWatch and SNS mappers: log-group-with-cis-alarms', () => {
  const fixture = loadFixture('log-group-with-cis-alarms');
  const name = 'aws-cloudtrail-logs-pass-org-trail';

  it('picks the group with the exact name out of the prefix matches', () => {
    const groups = fixture.answer<DescribeLogGroupsResponse>('DescribeLogGroups').logGroups ?? [];
    expect(findLogGroup(groups, name)).toEqual({ retentionInDays: 365, kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/9f8e7d6c-1111-4222-8333-444455556666' });
    expect(findLogGroup(groups, 'aws-cloudtrail-logs-pass-org')).toBeNull();
    expect(findLogGroup([{ logGroupName: name }], name)).toEqual({});
  });

  it('maps metric filters; an absent pattern is the empty pattern', () => {
    const filters = mapMetricFilters(fixture.answer<DescribeMetricFiltersResponse>('DescribeMetricFilters').metricFilters ?? []);
    expect(filters).toEqual([
      {
        name: 'pass-unauthorized-api-calls',
        pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
        metrics: [{ name: 'UnauthorizedAPICalls', namespace: 'CISBenchmark' }],
      },
      { name: 'every-event', pattern: '', metrics: [{ name: 'AllEvents', namespace: 'Custom' }] },
    ]);
  });

  it('keeps only alarms on the filters metrics, by name and namespace', () => {
    const alarms = fixture.answer<DescribeAlarmsOutput>('DescribeAlarms').MetricAlarms ?? [];
    expect(mapAlarmsForMetrics(alarms, [{ name: 'UnauthorizedAPICalls', namespace: 'CISBenchmark' }])).toEqual([
      {
        name: 'pass-UnauthorizedAPICalls-alarm',
        arn: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:pass-UnauthorizedAPICalls-alarm',
        metricName: 'UnauthorizedAPICalls',
        namespace: 'CISBenchmark',
        actionsEnabled: true,
        alarmActions: ['arn:aws:sns:us-east-1:111111111111:pass-cis-alarms'],
      },
    ]);
    expect(mapAlarmsForMetrics(alarms, [])).toEqual([]);
  });

  it('counts confirmed subscriptions and refuses a count that is not one', () => {
    expect(mapConfirmedSubscriptions(fixture.answer<GetTopicAttributesResponse>('GetTopicAttributes').Attributes)).toBe(2);
    expect(() => mapConfirmedSubscriptions({ SubscriptionsConfirmed: 'two' })).toThrow(MalformedResponseError);
    expect(() => mapConfirmedSubscriptions(undefined)).toThrow(MalformedResponseError);
  });

  it('refuses a retention that CloudWatch Logs cannot have', () => {
    expect(() => findLogGroup([{ logGroupName: name, retentionInDays: 0 }], name)).toThrow(MalformedResponseError);
  });
});
