/** CloudTrail answers -> snapshot values. Pure; malformed answers throw MalformedResponseError. */
import type {
  GetEventDataStoreResponse,
  GetInsightSelectorsResponse,
  GetTrailStatusResponse,
  ListTagsResponse,
  Trail as SdkTrail,
  TrailInfo,
} from '@aws-sdk/client-cloudtrail';
import type { EventDataStore, Trail, TrailStatus } from '../../snapshot/schema.js';
import { foldEventSelectors, type EventSelectorsResponse } from '../../snapshot/fold-event-selectors.js';
import { MalformedResponseError } from '../errors.js';
import { accountOfArn, isRegionName, parseArn } from './arn.js';
import { definedOnly } from '../../objects.js';
import { isoTime, nonEmpty, required } from './common.js';

/** A trail's configuration from DescribeTrails: everything in Trail but the facts read per ARN. */
export type TrailConfig = Omit<Trail, 'status' | 'eventSelectors' | 'insightSelectors' | 'tags'>;

/**
 * The flags that let the collector skip a call are kept apart from the snapshot's booleans: an answer
 * that omits them must lead to reading the selectors, never to assuming the default ones.
 */
export interface DescribedTrail {
  config: TrailConfig;
  hasCustomEventSelectors: boolean | undefined;
  hasInsightSelectors: boolean | undefined;
}

export interface TrailSighting {
  arn: string;
  name: string;
  homeRegion: string;
  ownerAccountId: string;
}

function trailIdentity(arn: string | undefined, name: string | undefined, homeRegion: string | undefined): TrailSighting {
  const trailArn = required(arn, 'TrailARN');
  const parsed = parseArn(trailArn);
  const ownerAccountId = accountOfArn(trailArn);
  if (parsed === undefined || parsed.service !== 'cloudtrail' || ownerAccountId === undefined) {
    throw new MalformedResponseError(`TrailARN ${trailArn} is not a CloudTrail trail ARN`);
  }
  const home = required(homeRegion, `HomeRegion of ${trailArn}`);
  if (!isRegionName(home)) throw new MalformedResponseError(`HomeRegion ${home} of ${trailArn} is not a region`);
  return { arn: trailArn, name: required(name, `Name of ${trailArn}`), homeRegion: home, ownerAccountId };
}

/** ListTrails.Trails[] */
export function mapTrailInfo(info: TrailInfo): TrailSighting {
  return trailIdentity(info.TrailARN, info.Name, info.HomeRegion);
}

/** DescribeTrails.trailList[] */
export function mapTrailDescription(raw: SdkTrail): DescribedTrail {
  const identity = trailIdentity(raw.TrailARN, raw.Name, raw.HomeRegion);
  const config: TrailConfig = definedOnly({
    arn: identity.arn,
    name: identity.name,
    ownerAccountId: identity.ownerAccountId,
    homeRegion: identity.homeRegion,
    isMultiRegion: raw.IsMultiRegionTrail === true,
    isOrganizationTrail: raw.IsOrganizationTrail === true,
    includeGlobalServiceEvents: raw.IncludeGlobalServiceEvents === true,
    logFileValidationEnabled: raw.LogFileValidationEnabled === true,
    s3BucketName: nonEmpty(raw.S3BucketName),
    s3KeyPrefix: nonEmpty(raw.S3KeyPrefix),
    kmsKeyId: nonEmpty(raw.KmsKeyId),
    snsTopicArn: nonEmpty(raw.SnsTopicARN),
    cloudWatchLogsLogGroupArn: nonEmpty(raw.CloudWatchLogsLogGroupArn),
    cloudWatchLogsRoleArn: nonEmpty(raw.CloudWatchLogsRoleArn),
    hasCustomEventSelectors: raw.HasCustomEventSelectors === true,
    hasInsightSelectors: raw.HasInsightSelectors === true,
  });
  return { config, hasCustomEventSelectors: raw.HasCustomEventSelectors, hasInsightSelectors: raw.HasInsightSelectors };
}

/** GetTrailStatus */
export function mapTrailStatus(raw: GetTrailStatusResponse): TrailStatus {
  if (typeof raw.IsLogging !== 'boolean') throw new MalformedResponseError('GetTrailStatus has no IsLogging');
  return definedOnly<TrailStatus>({
    isLogging: raw.IsLogging,
    latestDeliveryError: nonEmpty(raw.LatestDeliveryError),
    latestDeliveryTime: isoTime(raw.LatestDeliveryTime, 'LatestDeliveryTime'),
    latestDigestDeliveryError: nonEmpty(raw.LatestDigestDeliveryError),
    latestDigestDeliveryTime: isoTime(raw.LatestDigestDeliveryTime, 'LatestDigestDeliveryTime'),
    latestNotificationError: nonEmpty(raw.LatestNotificationError),
    latestCloudWatchLogsDeliveryError: nonEmpty(raw.LatestCloudWatchLogsDeliveryError),
    latestCloudWatchLogsDeliveryTime: isoTime(raw.LatestCloudWatchLogsDeliveryTime, 'LatestCloudWatchLogsDeliveryTime'),
    startLoggingTime: isoTime(raw.StartLoggingTime, 'StartLoggingTime'),
    stopLoggingTime: isoTime(raw.StopLoggingTime, 'StopLoggingTime'),
  });
}

/** GetInsightSelectors.InsightSelectors[].InsightType */
export function mapInsightSelectors(raw: GetInsightSelectorsResponse): string[] {
  return (raw.InsightSelectors ?? []).map((selector) => required(selector.InsightType, 'InsightSelector.InsightType'));
}

/** ListTags for one trail ARN. */
export function mapTrailTags(raw: ListTagsResponse, trailArn: string): Array<{ key: string; value: string }> {
  const entries = raw.ResourceTagList ?? [];
  const entry = entries.find((candidate) => candidate.ResourceId === trailArn);
  if (entry === undefined && entries.length > 0) throw new MalformedResponseError(`ListTags answered for other resources than ${trailArn}`);
  return (entry?.TagsList ?? []).map((tag) => ({ key: required(tag.Key, 'Tag.Key'), value: tag.Value ?? '' }));
}

/** GetEventDataStore */
export function mapEventDataStore(raw: GetEventDataStoreResponse): EventDataStore {
  const arn = required(raw.EventDataStoreArn, 'EventDataStoreArn');
  const parsed = parseArn(arn);
  const accountId = accountOfArn(arn);
  if (parsed === undefined || accountId === undefined || !isRegionName(parsed.region)) {
    throw new MalformedResponseError(`EventDataStoreArn ${arn} is not an event data store ARN`);
  }
  if (typeof raw.RetentionPeriod !== 'number' || !Number.isInteger(raw.RetentionPeriod)) {
    throw new MalformedResponseError(`event data store ${arn} has no RetentionPeriod`);
  }
  return definedOnly<EventDataStore>({
    arn,
    name: required(raw.Name, `Name of ${arn}`),
    accountId,
    region: parsed.region,
    status: required(raw.Status, `Status of ${arn}`),
    multiRegionEnabled: raw.MultiRegionEnabled === true,
    organizationEnabled: raw.OrganizationEnabled === true,
    retentionPeriodDays: raw.RetentionPeriod,
    terminationProtectionEnabled: raw.TerminationProtectionEnabled === true,
    kmsKeyId: nonEmpty(raw.KmsKeyId),
    // Event data stores have advanced selectors only; the partition plays no part in folding them.
    eventSelectors: foldEventSelectors({ AdvancedEventSelectors: (raw.AdvancedEventSelectors ?? []) as EventSelectorsResponse['AdvancedEventSelectors'] }, true, 'aws').selectors,
  });
}
