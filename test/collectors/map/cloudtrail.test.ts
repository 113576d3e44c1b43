import type {
  DescribeTrailsResponse,
  GetEventDataStoreResponse,
  GetInsightSelectorsResponse,
  GetTrailStatusResponse,
  ListTagsResponse,
  ListTrailsResponse,
} from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../../src/collectors/errors.js';
import {
  mapEventDataStore,
  mapInsightSelectors,
  mapTrailDescription,
  mapTrailInfo,
  mapTrailStatus,
  mapTrailTags,
} from '../../../src/collectors/map/cloudtrail.js';
import { loadFixture } from '../support/fixtures.js';

const ORG_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/pass-org-trail';

describe('CloudTrail mappers: org-trail-seen-from-management', () => {
  const fixture = loadFixture('org-trail-seen-from-management');

  it('reads ListTrails entries with their owner from the ARN', () => {
    const [info] = fixture.answer<ListTrailsResponse>('ListTrails').Trails ?? [];
    expect(mapTrailInfo(info!)).toEqual({ arn: ORG_TRAIL, name: 'pass-org-trail', homeRegion: 'us-east-1', ownerAccountId: '111111111111' });
  });

  it('maps the description, dropping empty strings and keeping the call-skipping flags apart', () => {
    const [raw] = fixture.answer<DescribeTrailsResponse>('DescribeTrails').trailList ?? [];
    const described = mapTrailDescription(raw!);
    expect(described.config).toEqual({
      arn: ORG_TRAIL,
      name: 'pass-org-trail',
      ownerAccountId: '111111111111',
      homeRegion: 'us-east-1',
      isMultiRegion: true,
      isOrganizationTrail: true,
      includeGlobalServiceEvents: true,
      logFileValidationEnabled: true,
      s3BucketName: 'pass-org-trail-logs-222222222222',
      kmsKeyId: 'arn:aws:kms:us-east-1:222222222222:key/0a1b2c3d-1111-4222-8333-444455556666',
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:111111111111:log-group:aws-cloudtrail-logs-pass-org-trail:*',
      cloudWatchLogsRoleArn: 'arn:aws:iam::111111111111:role/pass-cloudtrail-to-cloudwatch-logs',
      hasCustomEventSelectors: true,
      hasInsightSelectors: true,
    });
    expect(described.config).not.toHaveProperty('s3KeyPrefix');
    expect(described).toMatchObject({ hasCustomEventSelectors: true, hasInsightSelectors: true });
  });

  it('maps the status timestamps to ISO strings and leaves out the string twins', () => {
    expect(mapTrailStatus(fixture.answer<GetTrailStatusResponse>('GetTrailStatus'))).toEqual({
      isLogging: true,
      latestDeliveryTime: '2024-06-01T11:56:00.000Z',
      latestDigestDeliveryTime: '2024-06-01T11:25:00.000Z',
      latestCloudWatchLogsDeliveryTime: '2024-06-01T11:58:00.000Z',
      startLoggingTime: '2023-01-10T09:00:00.000Z',
    });
  });

  it('lists insight types and tags (a tag without value has the empty value)', () => {
    expect(mapInsightSelectors(fixture.answer<GetInsightSelectorsResponse>('GetInsightSelectors'))).toEqual(['ApiCallRateInsight', 'ApiErrorRateInsight']);
    expect(mapTrailTags(fixture.answer<ListTagsResponse>('ListTags'), ORG_TRAIL)).toEqual([
      { key: 'team', value: 'security' },
      { key: 'cost-centre', value: '' },
    ]);
  });
});

describe('CloudTrail mappers: stopped-trail-with-delivery-errors', () => {
  const fixture = loadFixture('stopped-trail-with-delivery-errors');

  it('keeps a stopped trail stopped, with its errors and stop time', () => {
    expect(mapTrailStatus(fixture.answer<GetTrailStatusResponse>('GetTrailStatus'))).toEqual({
      isLogging: false,
      latestDeliveryError: 'AccessDenied',
      latestNotificationError: 'AuthorizationError',
      latestDeliveryTime: '2024-05-20T07:58:00.000Z',
      startLoggingTime: '2023-01-10T09:00:00.000Z',
      stopLoggingTime: '2024-05-20T08:00:00.000Z',
    });
  });

  it('maps a single-region trail without encryption or CloudWatch Logs', () => {
    const [raw] = fixture.answer<DescribeTrailsResponse>('DescribeTrails').trailList ?? [];
    const { config } = mapTrailDescription(raw!);
    expect(config).toMatchObject({ homeRegion: 'eu-west-1', isMultiRegion: false, includeGlobalServiceEvents: false, snsTopicArn: 'arn:aws:sns:eu-west-1:707070707070:trail-notifications' });
    expect(config).not.toHaveProperty('kmsKeyId');
    expect(config).not.toHaveProperty('cloudWatchLogsLogGroupArn');
  });
});

describe('CloudTrail mappers: lake-organization-store', () => {
  it('maps GetEventDataStore, region and account from the ARN', () => {
    const store = mapEventDataStore(loadFixture('lake-organization-store').answer<GetEventDataStoreResponse>('GetEventDataStore'));
    expect(store).toEqual({
      arn: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/5e1f0c2a-7777-4888-9999-aaaabbbbcccc',
      name: 'pass-org-event-data-store',
      accountId: '111111111111',
      region: 'us-east-1',
      status: 'ENABLED',
      multiRegionEnabled: true,
      organizationEnabled: true,
      retentionPeriodDays: 2557,
      terminationProtectionEnabled: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/9f8e7d6c-1111-4222-8333-444455556666',
      eventSelectors: [{ name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }],
    });
  });
});

describe('CloudTrail mappers: malformed answers', () => {
  const trail = { Name: 'x-trail', HomeRegion: 'us-east-1', TrailARN: ORG_TRAIL };

  it.each([
    ['no ARN', { ...trail, TrailARN: undefined }],
    ['an ARN of another service', { ...trail, TrailARN: 'arn:aws:s3:::bucket' }],
    ['no home region', { ...trail, HomeRegion: undefined }],
    ['a home region that is not one', { ...trail, HomeRegion: 'Ohio' }],
    ['no name', { ...trail, Name: '' }],
  ])('refuses a trail with %s', (_story, raw) => {
    expect(() => mapTrailDescription(raw)).toThrow(MalformedResponseError);
  });

  it('treats absent booleans as false but keeps the selector flags unknown', () => {
    const described = mapTrailDescription(trail);
    expect(described.config).toMatchObject({ isMultiRegion: false, hasCustomEventSelectors: false, hasInsightSelectors: false });
    expect(described.hasCustomEventSelectors).toBeUndefined();
    expect(described.hasInsightSelectors).toBeUndefined();
  });

  it('refuses a status without IsLogging, a bad timestamp and tags for another resource', () => {
    expect(() => mapTrailStatus({})).toThrow(MalformedResponseError);
    expect(() => mapTrailStatus({ IsLogging: true, LatestDeliveryTime: new Date('not a time') })).toThrow(/LatestDeliveryTime/);
    expect(() => mapTrailTags({ ResourceTagList: [{ ResourceId: 'arn:aws:cloudtrail:us-east-1:111111111111:trail/other', TagsList: [] }] }, ORG_TRAIL)).toThrow(MalformedResponseError);
    expect(mapTrailTags({}, ORG_TRAIL)).toEqual([]);
  });

  it('refuses an event data store without retention or with a foreign ARN', () => {
    const store = { EventDataStoreArn: 'arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/abc', Name: 'lake', Status: 'ENABLED' as const };
    expect(() => mapEventDataStore(store)).toThrow(/RetentionPeriod/);
    expect(() => mapEventDataStore({ ...store, RetentionPeriod: 7, EventDataStoreArn: 'lake' })).toThrow(MalformedResponseError);
  });
});
