/**
 * Builds complete, schema-valid snapshots from short story fragments: every resource starts fully
 * compliant and a fragment overrides only what its story is about. Used by `trailwarden test` (src/policy/cases.ts)
 * (policies/**\/*.cases.yaml) and the demo organization.
 *
 * Fragment rules: objects merge deeply; arrays replace; the string "$absent" removes an optional
 * field; `{ $error: { action, code } }` anywhere records a collection error (account and region are
 * filled in from the resource when omitted).
 */
import { TRAIL_TAMPER_ACTIONS } from '../aws-policy/tracked-actions.js';
import type { Account, Bucket, EventDataStore, KmsKey, LogGroup, ServiceControlPolicy, Snapshot, SnsTopic, Trail } from '../snapshot/schema.js';

export const ABSENT = '$absent';
export const DEFAULT_SCAN_TIME = '2026-11-01T12:00:00.000Z';
export const MANAGEMENT_ACCOUNT = '111111111111';
export const DEFAULT_REGIONS = [
  { name: 'us-east-1', optInStatus: 'opt-in-not-required' },
  { name: 'eu-west-1', optInStatus: 'opt-in-not-required' },
  { name: 'af-south-1', optInStatus: 'not-opted-in' },
];

type Fragment = Record<string, unknown>;
export interface SnapshotFragment {
  scanTime?: string;
  partition?: Snapshot['partition'];
  callerAccountId?: string;
  organization?: Fragment | null;
  accounts?: Fragment[];
  trails?: Fragment[];
  buckets?: Fragment[];
  kmsKeys?: Fragment[];
  logGroups?: Fragment[];
  eventDataStores?: Fragment[];
  snsTopics?: Fragment[];
  errors?: Fragment[];
  /**
   * The scan verified digest chains (--verify-integrity): every trail with validation on gets an
   * intact chain in its owner account and home region unless its fragment gives `integrity`; chain
   * fragments are completed from an intact chain.
   */
  integrity?: Fragment;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of a fragment onto defaults (see the file comment for the rules). */
export function merge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(base) || '$error' in patch) return patch as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === ABSENT) delete out[k];
    else out[k] = k in out && isPlainObject(out[k]) && !('$error' in (out[k] as object)) ? merge(out[k], v) : v;
  }
  return out as T;
}

/** Fill account/region of recorded errors from the resource they stand in. */
function fillErrors(value: unknown, accountId: string, region?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => fillErrors(v, accountId, region));
  if (!isPlainObject(value)) return value;
  if ('$error' in value && isPlainObject(value.$error)) {
    const e = value.$error;
    return { $error: { ...e, accountId: e.accountId ?? accountId, ...(region && !e.region ? { region } : {}) } };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillErrors(v, accountId, region)]));
}

export function parseArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } {
  const [, partition = 'aws', service = '', region = '', account = '', ...rest] = arn.split(':');
  return { partition, service, region, account, resource: rest.join(':') };
}

function hoursBefore(iso: string, hours: number): string {
  return new Date(Date.parse(iso) - hours * 3_600_000).toISOString();
}

export const DEFAULT_ROOT_ID = 'r-exam';

/** The Control Tower-style guardrail: deny trail tampering to all but one break-glass role, attached to the root. */
export function defaultTrailProtectionScp(): ServiceControlPolicy {
  return {
    id: 'p-protecttrail',
    name: 'protect-cloudtrail',
    awsManaged: false,
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyTrailTampering',
          Effect: 'Deny',
          Action: [...TRAIL_TAMPER_ACTIONS],
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/break-glass' } },
        },
      ],
    },
    targets: [{ id: DEFAULT_ROOT_ID, type: 'ROOT' }],
  };
}

export function defaultTrail(arn: string, scanTime: string): Trail {
  const { partition, region, account, resource } = parseArn(arn);
  const name = resource.replace(/^trail\//, '');
  return {
    arn,
    name,
    ownerAccountId: account,
    homeRegion: region,
    isMultiRegion: true,
    isOrganizationTrail: false,
    includeGlobalServiceEvents: true,
    logFileValidationEnabled: true,
    s3BucketName: `${name}-logs-${account}`,
    kmsKeyId: `arn:${partition}:kms:${region}:${account}:key/${name}-key`,
    snsTopicArn: `arn:${partition}:sns:${region}:${account}:${name}-notifications`,
    cloudWatchLogsLogGroupArn: `arn:${partition}:logs:${region}:${account}:log-group:${name}-log-group:*`,
    cloudWatchLogsRoleArn: `arn:${partition}:iam::${account}:role/${name}-cloudwatch-delivery`,
    hasCustomEventSelectors: false,
    hasInsightSelectors: true,
    status: {
      isLogging: true,
      latestDeliveryTime: hoursBefore(scanTime, 0.1),
      latestDigestDeliveryTime: hoursBefore(scanTime, 0.5),
      latestCloudWatchLogsDeliveryTime: hoursBefore(scanTime, 0.1),
      startLoggingTime: '2025-01-01T00:00:00.000Z',
    },
    eventSelectors: { source: 'default', selectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }] },
    insightSelectors: ['ApiCallRateInsight', 'ApiErrorRateInsight'],
    tags: [{ key: 'owner', value: 'security' }],
  };
}

export function defaultBucket(name: string, ownerAccountId: string, region: string, partition: string, trailArns: string[]): Bucket {
  return {
    name,
    ownerAccountId,
    region,
    exists: true,
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: `arn:${partition}:s3:::${name}`,
          Condition: { StringEquals: { 'aws:SourceArn': trailArns } },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:${partition}:s3:::${name}/AWSLogs/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArns } },
        },
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [`arn:${partition}:s3:::${name}`, `arn:${partition}:s3:::${name}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    },
    policyStatusIsPublic: false,
    acl: [{ granteeType: 'CanonicalUser', granteeId: 'owner-canonical-id', permission: 'FULL_CONTROL' }],
    objectOwnership: 'BucketOwnerEnforced',
    publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
    versioning: { status: 'Enabled', mfaDelete: true },
    objectLock: { enabled: true, defaultMode: 'COMPLIANCE', defaultDays: 400 },
    lifecycleRules: [{ id: 'archive-after-400-days', status: 'Enabled', prefix: 'AWSLogs/', hasTagFilter: false, expirationDays: 400 }],
    logging: { targetBucket: `${name}-access-logs`, targetPrefix: 'access/' },
    loggingTargetRegion: region,
  };
}

export function defaultKey(arn: string, partition: string, trailArns: string[]): KmsKey {
  const { region, account } = parseArn(arn);
  return {
    arn,
    accountId: account,
    region,
    metadata: { keyState: 'Enabled', keyManager: 'CUSTOMER', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' },
    rotationEnabled: true,
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'EnableRoot', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'AllowCloudTrailEncrypt',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 'kms:GenerateDataKey*',
          Resource: '*',
          Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArns }, StringEquals: { 'aws:SourceArn': trailArns } },
        },
      ],
    },
  };
}

export function defaultLogGroup(arn: string): LogGroup {
  const clean = arn.replace(/:\*$/, '');
  const { region, account, resource } = parseArn(clean);
  const { partition } = parseArn(clean);
  return { arn: clean, name: resource.replace(/^log-group:/, ''), accountId: account, region, details: { retentionInDays: 400, kmsKeyId: `arn:${partition}:kms:${region}:${account}:key/log-group-key` } };
}

export function defaultEventDataStore(arn: string): EventDataStore {
  const { region, account, resource } = parseArn(arn);
  return {
    arn,
    name: resource.replace(/^eventdatastore\//, ''),
    accountId: account,
    region,
    status: 'ENABLED',
    multiRegionEnabled: true,
    organizationEnabled: true,
    retentionPeriodDays: 2557,
    terminationProtectionEnabled: true,
    kmsKeyId: `arn:aws:kms:${region}:${account}:key/lake-key`,
    eventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] }],
  };
}

export function defaultTopic(arn: string): SnsTopic {
  const { region, account } = parseArn(arn);
  return { arn, accountId: account, region, confirmedSubscriptions: 1 };
}

function byKey<T>(items: T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map((i) => [key(i), i]));
}

/** Build a complete snapshot from a story fragment. */
export function defaultChain(trail: Trail, accountId: string, region: string, files: boolean): Record<string, unknown> {
  const prefix = `AWSLogs/${accountId}/CloudTrail-Digest/${region}/`;
  const name = trail.name;
  return {
    name: `${accountId}/${region}`,
    accountId,
    region,
    bucket: trail.s3BucketName ?? 'no-bucket',
    prefix,
    verification: {
      digests: 24,
      backfillDigests: 0,
      firstDigest: { key: `${prefix}2026/10/31/${accountId}_CloudTrail-Digest_${region}_${name}_${trail.homeRegion}_20261031T123107Z.json.gz`, endTime: '2026-10-31T12:31:07.000Z' },
      lastDigest: { key: `${prefix}2026/11/01/${accountId}_CloudTrail-Digest_${region}_${name}_${trail.homeRegion}_20261101T113107Z.json.gz`, endTime: '2026-11-01T11:31:07.000Z' },
      signatureFailures: [],
      linkBreaks: [],
      gaps: [],
      ...(files ? { logFiles: { checked: 48, failures: [] } } : {}),
    },
  };
}

function withIntegrity(trail: Trail, files: boolean): Trail {
  if (!trail.logFileValidationEnabled) return trail;
  const given = trail.integrity as unknown;
  if (given === undefined) return { ...trail, integrity: { chains: [defaultChain(trail, trail.ownerAccountId, trail.homeRegion, files)] } } as Trail;
  if (typeof given !== 'object' || given === null || '$error' in given) return trail;
  const chains = ((given as { chains?: Fragment[] }).chains ?? []).map((chain) => {
    const accountId = String(chain.accountId ?? trail.ownerAccountId);
    const region = String(chain.region ?? trail.homeRegion);
    const base = defaultChain(trail, accountId, region, files);
    const verification = chain.verification as Fragment | undefined;
    if (verification && '$error' in verification) return { ...base, ...chain, verification };
    return merge(base, chain);
  });
  return { ...trail, integrity: { chains } } as Trail;
}

export function buildSnapshot(fragment: SnapshotFragment = {}): Snapshot {
  const scanTime = fragment.scanTime ?? DEFAULT_SCAN_TIME;
  const partition = fragment.partition ?? 'aws';
  const organization =
    fragment.organization === null
      ? null
      : '$error' in (fragment.organization ?? {})
        ? (fragment.organization as Snapshot['organization'])
        : merge(
            {
              id: 'o-exampleorg1',
              managementAccountId: MANAGEMENT_ACCOUNT,
              cloudTrailDelegatedAdministrators: [] as string[],
              serviceControlPolicies: [defaultTrailProtectionScp()],
            },
            fragment.organization ?? {},
          );

  const integrity = fragment.integrity
    ? merge(
        { windowStart: hoursBefore(scanTime, 24), windowEnd: scanTime, windowHours: 24, files: false, objectsRead: 24, bytesRead: 24_000, listCalls: 2 },
        fragment.integrity,
      )
    : undefined;
  const trails: Trail[] = (fragment.trails ?? []).map((t) => {
    const arn = String(t.arn);
    const { account, region } = parseArn(arn);
    const trail = fillErrors(merge(defaultTrail(arn, scanTime), t), account, region) as Trail;
    return integrity || trail.integrity !== undefined ? (fillErrors(withIntegrity(trail, integrity?.files === true), account, region) as Trail) : trail;
  });
  const orgTrails = trails.filter((t) => t.isOrganizationTrail).map((t) => t.arn);

  const accountIds = new Set<string>([
    ...(fragment.accounts ?? []).map((a) => String(a.id)),
    ...(fragment.accounts ? [] : [MANAGEMENT_ACCOUNT, ...trails.map((t) => t.ownerAccountId)]),
  ]);
  const accountFragments = byKey(fragment.accounts ?? [], (a) => String(a.id));
  const accounts: Account[] = [...accountIds].map((id) => {
    const base: Account = {
      id,
      regions: DEFAULT_REGIONS,
      trailArns: [...new Set([...trails.filter((t) => t.ownerAccountId === id).map((t) => t.arn), ...(organization ? orgTrails : [])])],
      publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      // Nobody but the defaults' own story: no principal holds a tracked action, the account sits under the root.
      iam: { principals: [], managedPolicies: [], counts: { users: 0, roles: 0, groups: 0, managedPolicies: 0 } },
      ...(organization ? { organizationPath: [DEFAULT_ROOT_ID] } : {}),
    };
    return fillErrors(merge(base, accountFragments.get(id) ?? {}), id) as Account;
  });

  const trailsUsing = (pred: (t: Trail) => boolean) => trails.filter(pred).map((t) => t.arn);

  const bucketFragments = byKey(fragment.buckets ?? [], (b) => String(b.name));
  const bucketNames = new Set([...trails.flatMap((t) => (t.s3BucketName ? [t.s3BucketName] : [])), ...bucketFragments.keys()]);
  const buckets: Bucket[] = [...bucketNames].map((name) => {
    const first = trails.find((t) => t.s3BucketName === name);
    const owner = first?.ownerAccountId ?? MANAGEMENT_ACCOUNT;
    const region = first?.homeRegion ?? 'us-east-1';
    return fillErrors(merge(defaultBucket(name, owner, region, partition, trailsUsing((t) => t.s3BucketName === name)), bucketFragments.get(name) ?? {}), owner, region) as Bucket;
  });

  const keyFragments = byKey(fragment.kmsKeys ?? [], (k) => String(k.arn));
  const keyArns = new Set([...trails.flatMap((t) => (t.kmsKeyId ? [t.kmsKeyId] : [])), ...keyFragments.keys()]);
  const kmsKeys: KmsKey[] = [...keyArns].map((arn) => {
    const { account, region } = parseArn(arn);
    return fillErrors(merge(defaultKey(arn, partition, trailsUsing((t) => t.kmsKeyId === arn)), keyFragments.get(arn) ?? {}), account, region) as KmsKey;
  });

  const groupFragments = byKey(fragment.logGroups ?? [], (g) => String(g.arn).replace(/:\*$/, ''));
  const groupArns = new Set([...trails.flatMap((t) => (t.cloudWatchLogsLogGroupArn ? [t.cloudWatchLogsLogGroupArn.replace(/:\*$/, '')] : [])), ...groupFragments.keys()]);
  const logGroups: LogGroup[] = [...groupArns].map((arn) => {
    const { account, region } = parseArn(arn);
    return fillErrors(merge(defaultLogGroup(arn), groupFragments.get(arn) ?? {}), account, region) as LogGroup;
  });

  const eventDataStores: EventDataStore[] = (fragment.eventDataStores ?? []).map((e) => merge(defaultEventDataStore(String(e.arn)), e));

  return {
    schemaVersion: '1.0',
    scanTime,
    partition,
    callerAccountId: fragment.callerAccountId ?? MANAGEMENT_ACCOUNT,
    organization,
    accounts,
    trails,
    buckets,
    kmsKeys,
    logGroups,
    eventDataStores,
    ...(integrity ? { integrity: integrity as NonNullable<Snapshot['integrity']> } : {}),
    ...(fragment.snsTopics
      ? {
          snsTopics: fragment.snsTopics.map((t) => {
            const { account, region } = parseArn(String(t.arn));
            return fillErrors(merge(defaultTopic(String(t.arn)), t), account, region) as SnsTopic;
          }),
        }
      : {}),
    ...(fragment.errors ? { errors: fragment.errors as unknown as NonNullable<Snapshot['errors']> } : {}),
  };
}
