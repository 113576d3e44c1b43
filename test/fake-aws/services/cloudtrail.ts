/**
 * CloudTrail as an account sees it from one region: DescribeTrails returns the trails homed there
 * plus shadow copies (multi-region trails homed elsewhere, organization trails of another account)
 * with their real ARN and HomeRegion; per-trail reads answer only the owner, in the home region.
 */
import { AwsError, JSON_ERRORS } from '../errors.js';
import { eventDataStoreArn, type AdvancedEventSelector, type FakeAccount, type FakeEventDataStore, type FakeTrail, type TrailStatusModel } from '../model.js';
import { paginate } from '../pagination.js';
import { numberMember, stringListMember, stringMember, type CallContext, type ServiceDefinition } from '../service.js';
import type { Owned } from '../world.js';

const TRAIL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/;
const ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:([a-z0-9-]+):(\d{12}):(trail|eventdatastore)\/(.+)$/;
const LIST_TRAILS_PAGE_SIZE = 50;
const EVENT_DATA_STORE_PAGE_SIZE = 100;
const MAX_TAGGED_RESOURCES = 20;
const LIST_PUBLIC_KEYS_PAGE_SIZE = 50;
const INVALID_TRAIL_NAME_MESSAGE =
  'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).';

const errors = {
  trailNotFound: { code: 'TrailNotFoundException', status: 400 },
  invalidTrailName: { code: 'InvalidTrailNameException', status: 400 },
  arnInvalid: { code: 'CloudTrailARNInvalidException', status: 400 },
  insightNotEnabled: { code: 'InsightNotEnabledException', status: 400 },
  resourceNotFound: { code: 'ResourceNotFoundException', status: 400 },
  invalidNextToken: { code: 'InvalidNextTokenException', status: 400 },
  invalidParameter: { code: 'InvalidParameterException', status: 400 },
  eventDataStoreNotFound: { code: 'EventDataStoreNotFoundException', status: 400 },
};

function callerAccount(context: CallContext): FakeAccount | undefined {
  return context.world.account(context.caller.accountId);
}

function ownTrails(context: CallContext): Owned<FakeTrail>[] {
  const account = callerAccount(context);
  return account ? context.world.trailsOf(account) : [];
}

function organizationTrails(context: CallContext): Owned<FakeTrail>[] {
  const account = callerAccount(context);
  return account ? context.world.organizationTrailsApplyingTo(account) : [];
}

/** Whether a trail records events in `region` (and so has a copy there). */
function appliesIn(entry: Owned<FakeTrail>, region: string): boolean {
  return entry.item.homeRegion === region || entry.item.isMultiRegion;
}

function trailDocument(entry: Owned<FakeTrail>) {
  const trail = entry.item;
  return {
    Name: trail.name,
    S3BucketName: trail.s3BucketName,
    S3KeyPrefix: trail.s3KeyPrefix,
    SnsTopicName: trail.snsTopicArn?.split(':').pop(),
    SnsTopicARN: trail.snsTopicArn,
    IncludeGlobalServiceEvents: trail.includeGlobalServiceEvents,
    IsMultiRegionTrail: trail.isMultiRegion,
    HomeRegion: trail.homeRegion,
    TrailARN: entry.arn,
    LogFileValidationEnabled: trail.logFileValidationEnabled,
    CloudWatchLogsLogGroupArn: trail.cloudWatchLogsLogGroupArn,
    CloudWatchLogsRoleArn: trail.cloudWatchLogsRoleArn,
    KmsKeyId: trail.kmsKeyId,
    HasCustomEventSelectors: trail.eventSelectors.kind !== 'default',
    HasInsightSelectors: trail.insightTypes.length > 0,
    IsOrganizationTrail: trail.isOrganizationTrail,
  };
}

/** CloudTrail refuses any ARN of another account, organization trails included. */
function requireOwnAccount(context: CallContext, arnAccountId: string): void {
  if (arnAccountId !== context.caller.accountId) {
    throw new AwsError(errors.arnInvalid, `AccountID in ARN is wrong, you can only access resources with AccountID ${context.caller.accountId}.`);
  }
}

/**
 * The trail a per-trail read names: a name means the caller's trail homed in this region; an ARN
 * must be the caller's own and is found only in its home region.
 */
function ownTrailNamed(context: CallContext, nameOrArn: string | undefined): Owned<FakeTrail> {
  if (nameOrArn === undefined) throw new AwsError(errors.invalidTrailName, INVALID_TRAIL_NAME_MESSAGE);
  const notFound = new AwsError(errors.trailNotFound, `Unknown trail: ${nameOrArn} for the user: ${context.caller.accountId}`);
  if (nameOrArn.startsWith('arn:')) {
    const match = ARN_PATTERN.exec(nameOrArn);
    if (!match || match[4] !== 'trail') throw new AwsError(errors.arnInvalid, `Invalid trail ARN: ${nameOrArn}`);
    requireOwnAccount(context, match[3]!);
    const entry = context.world.trail(nameOrArn);
    if (!entry || entry.item.homeRegion !== context.region) throw notFound;
    return entry;
  }
  if (!TRAIL_NAME_PATTERN.test(nameOrArn)) {
    throw new AwsError(errors.invalidTrailName, INVALID_TRAIL_NAME_MESSAGE);
  }
  const entry = ownTrails(context).find((candidate) => candidate.item.name === nameOrArn && candidate.item.homeRegion === context.region);
  if (!entry) throw notFound;
  return entry;
}

function timestamp(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : new Date(value);
}

/** The string twins of the status timestamps, which CloudTrail sends as "" when unset. */
function attemptText(value: string | undefined): string {
  return value === undefined ? '' : new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function statusDocument(status: TrailStatusModel) {
  return {
    IsLogging: status.isLogging,
    LatestDeliveryError: status.latestDeliveryError,
    LatestNotificationError: status.latestNotificationError,
    LatestDeliveryTime: timestamp(status.latestDeliveryTime),
    LatestNotificationTime: timestamp(status.latestNotificationTime),
    StartLoggingTime: timestamp(status.startLoggingTime),
    StopLoggingTime: timestamp(status.stopLoggingTime),
    LatestCloudWatchLogsDeliveryError: status.latestCloudWatchLogsDeliveryError,
    LatestCloudWatchLogsDeliveryTime: timestamp(status.latestCloudWatchLogsDeliveryTime),
    LatestDigestDeliveryTime: timestamp(status.latestDigestDeliveryTime),
    LatestDigestDeliveryError: status.latestDigestDeliveryError,
    LatestDeliveryAttemptTime: attemptText(status.latestDeliveryTime),
    LatestNotificationAttemptTime: attemptText(status.latestNotificationTime),
    LatestNotificationAttemptSucceeded: status.latestNotificationError ? '' : attemptText(status.latestNotificationTime),
    LatestDeliveryAttemptSucceeded: status.latestDeliveryError ? '' : attemptText(status.latestDeliveryTime),
    TimeLoggingStarted: attemptText(status.startLoggingTime),
    TimeLoggingStopped: attemptText(status.stopLoggingTime),
  };
}

function advancedSelectorDocument(selector: AdvancedEventSelector) {
  return {
    Name: selector.name,
    FieldSelectors: selector.fieldSelectors.map((field) => ({
      Field: field.field,
      Equals: field.equals,
      NotEquals: field.notEquals,
      StartsWith: field.startsWith,
      NotStartsWith: field.notStartsWith,
      EndsWith: field.endsWith,
      NotEndsWith: field.notEndsWith,
    })),
  };
}

function eventSelectorsDocument(entry: Owned<FakeTrail>) {
  const selectors = entry.item.eventSelectors;
  switch (selectors.kind) {
    case 'default':
      return {
        TrailARN: entry.arn,
        EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
      };
    case 'classic':
      return {
        TrailARN: entry.arn,
        EventSelectors: selectors.selectors.map((selector) => ({
          ReadWriteType: selector.readWriteType,
          IncludeManagementEvents: selector.includeManagementEvents,
          DataResources: (selector.dataResources ?? []).map((resource) => ({ Type: resource.type, Values: resource.values })),
          ExcludeManagementEventSources: selector.excludeManagementEventSources ?? [],
        })),
      };
    case 'advanced':
      return { TrailARN: entry.arn, AdvancedEventSelectors: selectors.selectors.map(advancedSelectorDocument) };
  }
}

function ownEventDataStoresHere(context: CallContext): Owned<FakeEventDataStore>[] {
  const account = callerAccount(context);
  if (!account) return [];
  return account.eventDataStores
    .filter((store) => store.region === context.region)
    .map((store) => context.world.eventDataStore(eventDataStoreArn(context.world.partition, store.region, account.id, store.id))!);
}

function eventDataStoreDocument(entry: Owned<FakeEventDataStore>) {
  const store = entry.item;
  const created = new Date(store.createdTimestamp ?? '2023-01-01T00:00:00Z');
  return {
    EventDataStoreArn: entry.arn,
    Name: store.name,
    Status: store.status,
    AdvancedEventSelectors: store.advancedEventSelectors.map(advancedSelectorDocument),
    MultiRegionEnabled: store.multiRegionEnabled,
    OrganizationEnabled: store.organizationEnabled,
    RetentionPeriod: store.retentionPeriodDays,
    TerminationProtectionEnabled: store.terminationProtectionEnabled,
    CreatedTimestamp: created,
    UpdatedTimestamp: created,
  };
}

function ownEventDataStoreNamed(context: CallContext, nameOrArn: string | undefined): Owned<FakeEventDataStore> {
  const notFound = new AwsError(errors.eventDataStoreNotFound, `The specified event data store ${nameOrArn ?? ''} was not found.`);
  if (nameOrArn === undefined) throw notFound;
  const match = ARN_PATTERN.exec(nameOrArn);
  if (match) requireOwnAccount(context, match[3]!);
  const id = match ? match[5] : nameOrArn;
  const entry = ownEventDataStoresHere(context).find((candidate) => candidate.item.id === id);
  if (!entry) throw notFound;
  return entry;
}

export const cloudtrail: ServiceDefinition = {
  name: 'cloudtrail',
  protocol: 'json',
  jsonVersion: '1.1',
  targetPrefix: 'CloudTrail_20131101',
  queryCompatible: false,
  regional: true,
  errors: JSON_ERRORS,
  actions: {
    DescribeTrails: (context, input) => {
      const includeShadowTrails = input.includeShadowTrails !== false;
      const visible = [
        ...ownTrails(context).filter((entry) => entry.item.homeRegion === context.region || (includeShadowTrails && entry.item.isMultiRegion)),
        ...(includeShadowTrails ? organizationTrails(context).filter((entry) => appliesIn(entry, context.region)) : []),
      ];
      const requested = stringListMember(input, 'trailNameList');
      const listed =
        requested === undefined || requested.length === 0
          ? visible
          : visible.filter((entry) =>
              requested.some((wanted) => wanted === entry.arn || (wanted === entry.item.name && entry.item.homeRegion === context.region && entry.owner.id === context.caller.accountId)),
            );
      return { trailList: listed.map(trailDocument) };
    },

    ListTrails: (context, input) => {
      const all = [...ownTrails(context), ...organizationTrails(context)];
      const page = paginate(context, all, stringMember(input, 'NextToken'), context.pageSize('ListTrails', LIST_TRAILS_PAGE_SIZE), errors.invalidNextToken);
      return {
        Trails: page.items.map((entry) => ({ TrailARN: entry.arn, Name: entry.item.name, HomeRegion: entry.item.homeRegion })),
        NextToken: page.nextToken,
      };
    },

    GetTrail: (context, input) => ({ Trail: trailDocument(ownTrailNamed(context, stringMember(input, 'Name'))) }),

    GetTrailStatus: (context, input) => statusDocument(ownTrailNamed(context, stringMember(input, 'Name')).item.status),

    GetEventSelectors: (context, input) => eventSelectorsDocument(ownTrailNamed(context, stringMember(input, 'TrailName'))),

    GetInsightSelectors: (context, input) => {
      const entry = ownTrailNamed(context, stringMember(input, 'TrailName'));
      if (entry.item.insightTypes.length === 0) {
        throw new AwsError(
          errors.insightNotEnabled,
          `Trail ${entry.arn} does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.`,
        );
      }
      return { TrailARN: entry.arn, InsightSelectors: entry.item.insightTypes.map((type) => ({ InsightType: type })) };
    },

    ListTags: (context, input) => {
      const resourceIds = stringListMember(input, 'ResourceIdList') ?? [];
      if (resourceIds.length === 0 || resourceIds.length > MAX_TAGGED_RESOURCES) {
        throw new AwsError(errors.invalidParameter, `ResourceIdList must name between 1 and ${MAX_TAGGED_RESOURCES} resources.`);
      }
      return {
        ResourceTagList: resourceIds.map((resourceId) => {
          const match = ARN_PATTERN.exec(resourceId);
          if (!match) throw new AwsError(errors.arnInvalid, `Invalid ARN: ${resourceId}`);
          requireOwnAccount(context, match[3]!);
          if (match[4] === 'eventdatastore') return { ResourceId: resourceId, TagsList: [] };
          const entry = context.world.trail(resourceId);
          if (!entry || entry.item.homeRegion !== context.region) throw new AwsError(errors.resourceNotFound, `Resource not found: ${resourceId}`);
          return { ResourceId: resourceId, TagsList: Object.entries(entry.item.tags).map(([Key, Value]) => ({ Key, Value })) };
        }),
      };
    },

    ListPublicKeys: (context, input) => {
      // Keys whose validity overlaps [StartTime, EndTime] (epoch seconds), in this region.
      const start = numberMember(input, 'StartTime');
      const end = numberMember(input, 'EndTime');
      const keys = (context.world.model.digestPublicKeys ?? []).filter(
        (key) =>
          key.region === context.region &&
          (end === undefined || Date.parse(key.validityStart) <= end * 1000) &&
          (start === undefined || Date.parse(key.validityEnd) >= start * 1000),
      );
      const page = paginate(context, keys, stringMember(input, 'NextToken'), context.pageSize('ListPublicKeys', LIST_PUBLIC_KEYS_PAGE_SIZE), errors.invalidNextToken);
      return {
        PublicKeyList: page.items.map((key) => ({
          Value: key.value.toString('base64'),
          ValidityStartTime: new Date(key.validityStart),
          ValidityEndTime: new Date(key.validityEnd),
          Fingerprint: key.fingerprint,
        })),
        NextToken: page.nextToken,
      };
    },

    ListEventDataStores: (context, input) => {
      const size = Math.min(numberMember(input, 'MaxResults') ?? EVENT_DATA_STORE_PAGE_SIZE, context.pageSize('ListEventDataStores', EVENT_DATA_STORE_PAGE_SIZE));
      const page = paginate(context, ownEventDataStoresHere(context), stringMember(input, 'NextToken'), size, errors.invalidNextToken);
      return { EventDataStores: page.items.map(eventDataStoreDocument), NextToken: page.nextToken };
    },

    GetEventDataStore: (context, input) => {
      const entry = ownEventDataStoreNamed(context, stringMember(input, 'EventDataStore'));
      return { ...eventDataStoreDocument(entry), KmsKeyId: entry.item.kmsKeyId, BillingMode: 'EXTENDABLE_RETENTION_PRICING' };
    },
  },
};
