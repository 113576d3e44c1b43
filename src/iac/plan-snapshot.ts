/**
 * A Terraform plan -> the snapshot every rule reads, so that the same policies judge a planned
 * configuration before deploy. Pure.
 *
 * - Planned values become the facts the collectors would read after deploy, in the same shapes.
 * - A value Terraform knows only after apply is an UnknownBeforeApply error in the fact's place
 *   (scalar facts of trails and event data stores through `planned.unknown`): the rule says so.
 * - Facts no configuration holds (trail status and deliveries, the account's IAM, the organization,
 *   the regions enabled for the account, S3's own policy status) are NotKnowableBeforeDeploy: the
 *   verdicts resting on them are not_applicable.
 * - Resources the plan deletes are not planned (plan-json drops them).
 * - A bucket this plan creates without a public access block or ownership controls resource gets
 *   S3's documented defaults for new buckets (since April 2023: all four Block Public Access
 *   settings on, ObjectOwnership BucketOwnerEnforced, versioning off, no policy); for a bucket that
 *   already exists, such a setting not in the configuration is not knowable from the plan.
 * - The account and region come from the provider configuration (region, allowed_account_ids) or
 *   from ARNs already known; otherwise they are the placeholders PLACEHOLDER_ACCOUNT and
 *   PLACEHOLDER_REGION, named as such in the account's name.
 * - The account's Block Public Access is the configuration's aws_s3_account_public_access_block,
 *   or none: the plan is judged as written (a block set outside it is not seen).
 */
import type {
  AclGrant,
  Bucket,
  CollectionError,
  EventDataStore,
  EventSelectors,
  FactOf,
  KmsKey,
  LifecycleRule,
  LogGroup,
  Planned,
  PlannedFact,
  PublicAccessBlock,
  Snapshot,
  SnsTopic,
  Trail,
} from '../snapshot/schema.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../snapshot/schema.js';
import { findStructureProblem } from '../snapshot/structure.js';
import { NOT_KNOWABLE_BEFORE_DEPLOY, UNKNOWN_BEFORE_APPLY } from '../snapshot/not-offered.js';
import { foldEventSelectors, type ClassicSelector, type AdvancedFieldSelector, type EventSelectorsResponse } from '../snapshot/fold-event-selectors.js';
import type { ParsedPlan, PlannedResource } from './plan-json.js';

export const PLACEHOLDER_ACCOUNT = '000000000000';
const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
export const PLACEHOLDER_REGION = 'us-east-1';

/** Where a snapshot resource comes from: its plan address and, per fact, the attribute that sets it. */
export interface PlannedOrigin {
  /** The resource's ARN as findings carry it. */
  arn: string;
  address: string;
  configAddress: string;
  type: string;
  /** snapshot fact (e.g. logFileValidationEnabled) -> Terraform attribute (enable_log_file_validation). */
  attributes: Record<string, string>;
}

export interface PlanSnapshot {
  snapshot: Snapshot;
  origins: PlannedOrigin[];
  warnings: string[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether an after_unknown marker says the value, or something inside it, is known only after apply. */
function containsUnknown(marker: unknown): boolean {
  const stack = [marker];
  while (stack.length) {
    const v = stack.pop();
    if (v === true) return true;
    if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (isObject(v)) stack.push(...Object.values(v));
  }
  return false;
}

const TRAIL_FACTS = {
  isMultiRegion: 'is_multi_region_trail',
  isOrganizationTrail: 'is_organization_trail',
  includeGlobalServiceEvents: 'include_global_service_events',
  logFileValidationEnabled: 'enable_log_file_validation',
  s3BucketName: 's3_bucket_name',
  s3KeyPrefix: 's3_key_prefix',
  kmsKeyId: 'kms_key_id',
  snsTopicArn: 'sns_topic_name',
  cloudWatchLogsLogGroupArn: 'cloud_watch_logs_group_arn',
  cloudWatchLogsRoleArn: 'cloud_watch_logs_role_arn',
  status: 'enable_logging',
  eventSelectors: 'advanced_event_selector',
  insightSelectors: 'insight_selector',
  tags: 'tags',
} as const;

class Converter {
  readonly warnings: string[] = [];
  readonly origins: PlannedOrigin[] = [];
  readonly unknown: Planned['unknown'] = [];
  readonly partition: string;
  readonly accountId: string;
  readonly accountKnown: boolean;
  private readonly byConfig = new Map<string, PlannedResource[]>();

  constructor(readonly plan: ParsedPlan) {
    for (const r of plan.resources) this.byConfig.set(r.configAddress, [...(this.byConfig.get(r.configAddress) ?? []), r]);
    const arns = plan.resources.map((r) => r.values.arn).filter((a): a is string => typeof a === 'string' && a.startsWith('arn:'));
    const partition = arns[0]?.split(':')[1];
    this.partition = partition === 'aws-cn' || partition === 'aws-us-gov' ? partition : 'aws';
    const pinned = [...plan.providers.values()].map((p) => p.accountId).find((a) => a !== undefined && ACCOUNT_ID.test(a));
    const fromArn = arns.map((a) => a.split(':')[4]).find((a) => a !== undefined && /^[0-9]{12}$/.test(a));
    this.accountId = pinned ?? fromArn ?? PLACEHOLDER_ACCOUNT;
    this.accountKnown = this.accountId !== PLACEHOLDER_ACCOUNT;
    if (!this.accountKnown) this.warnings.push(`the plan or template does not say which AWS account it deploys to (no allowed_account_ids, no known ARN): resources are placed in account ${PLACEHOLDER_ACCOUNT}`);
  }

  ofType(type: string): PlannedResource[] {
    return this.plan.resources.filter((r) => r.type === type);
  }

  regionOf(r: PlannedResource): string {
    const key = r.providerKey;
    const settings = key === undefined ? this.plan.providers.get('aws') : (this.plan.providers.get(key) ?? this.plan.providers.get(key.slice(key.lastIndexOf(':') + 1)));
    const candidates = [r.values.region, settings?.region, typeof r.values.arn === 'string' ? r.values.arn.split(':')[3] : undefined, this.plan.providers.get('aws')?.region];
    return candidates.find((c): c is string => typeof c === 'string' && REGION_NAME.test(c)) ?? PLACEHOLDER_REGION;
  }

  isUnknown(r: PlannedResource, attribute: string): boolean {
    return isObject(r.unknown) && containsUnknown(r.unknown[attribute]);
  }

  unknownError(r: PlannedResource, attribute: string): CollectionError {
    const refs = r.references[attribute]?.filter((ref) => ref.split('.').length > 2) ?? [];
    const label = r.label;
    const reason = label?.reasons[attribute];
    return {
      $error: {
        action: label ? `cloudformation:${r.type}` : `terraform:${r.type}`,
        code: UNKNOWN_BEFORE_APPLY,
        accountId: this.accountId,
        region: this.regionOf(r),
        message: label
          ? `${label.address}.${label.attributes[attribute] ?? attribute} is known only after deploy${reason ? `: ${reason}` : ''}`
          : `${r.address}.${attribute} is known only after apply${refs.length ? `: it is ${refs.slice(0, 2).join(', ')}` : ''}`,
      },
    };
  }

  notKnowable(action: string, what: string, r?: PlannedResource): CollectionError {
    return { $error: { action, code: NOT_KNOWABLE_BEFORE_DEPLOY, accountId: this.accountId, ...(r ? { region: this.regionOf(r) } : {}), message: what } };
  }

  /** An attribute's planned value, or the error standing for it when it is known only after apply. */
  fact<T>(r: PlannedResource, attribute: string, map: (value: unknown) => T): FactOf<T> {
    if (this.isUnknown(r, attribute)) return this.unknownError(r, attribute);
    return map(r.values[attribute]);
  }

  /** The planned resource an attribute's expression references (in the same module), when exactly one. */
  referenced(r: PlannedResource, attribute: string, type: string): PlannedResource | undefined {
    for (const ref of r.references[attribute] ?? []) {
      const parts = ref.split('.');
      if (parts[0] !== type || parts.length < 2) continue;
      const target = r.modulePath ? `${r.modulePath}.${type}.${parts[1]}` : `${type}.${parts[1]}`;
      const found = this.byConfig.get(target);
      if (found?.length === 1) return found[0];
    }
    return undefined;
  }

  origin(arn: string, r: PlannedResource, attributes: Record<string, string>): void {
    const label = r.label;
    if (!label) {
      this.origins.push({ arn, address: r.address, configAddress: r.configAddress, type: r.type, attributes });
      return;
    }
    const renamed = Object.fromEntries(Object.entries(attributes).map(([fact, attribute]) => [fact, label.attributes[attribute] ?? attribute]));
    this.origins.push({ arn, address: label.address, configAddress: label.address, type: r.type, attributes: renamed });
  }
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');
const first = (v: unknown): Json | undefined => list(v).find(isObject);

function tagsOf(v: unknown): Array<{ key: string; value: string }> {
  return isObject(v) ? Object.entries(v).flatMap(([key, value]) => (typeof value === 'string' ? [{ key, value }] : [])) : [];
}

function parsePolicy(c: Converter, r: PlannedResource, attribute: string): FactOf<unknown> {
  return c.fact(r, attribute, (v) => {
    if (typeof v !== 'string' || v.trim() === '') return null;
    // The analyses walk policy documents; a document nested deeper than any snapshot may be is refused like one.
    const problem = findStructureProblem(v);
    if (problem) return { $error: { action: `terraform:${r.type}`, code: 'MalformedPolicy', accountId: c.accountId, message: `${r.address}.${attribute}: ${problem.kind === 'too-deep' ? 'nested too deeply' : `duplicate key ${problem.key}`}` } };
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return { $error: { action: `terraform:${r.type}`, code: 'MalformedPolicy', accountId: c.accountId, message: `${r.address}.${attribute} is not a JSON policy document` } };
    }
  });
}

function eventSelectorsOf(c: Converter, trail: PlannedResource): FactOf<EventSelectors> {
  for (const attribute of ['advanced_event_selector', 'event_selector']) if (c.isUnknown(trail, attribute)) return c.unknownError(trail, attribute);
  const advanced = list(trail.values.advanced_event_selector).filter(isObject);
  const classic = list(trail.values.event_selector).filter(isObject);
  const response: EventSelectorsResponse = {};
  if (advanced.length) {
    response.AdvancedEventSelectors = advanced.map((s) => ({
      ...(str(s.name) ? { Name: str(s.name) } : {}),
      FieldSelectors: list(s.field_selector)
        .filter(isObject)
        .map(
          (f): AdvancedFieldSelector => ({
            Field: str(f.field),
            Equals: strings(f.equals),
            NotEquals: strings(f.not_equals),
            StartsWith: strings(f.starts_with),
            NotStartsWith: strings(f.not_starts_with),
            EndsWith: strings(f.ends_with),
            NotEndsWith: strings(f.not_ends_with),
          }),
        ),
    }));
  } else if (classic.length) {
    response.EventSelectors = classic.map(
      (s): ClassicSelector => ({
        ReadWriteType: str(s.read_write_type) ?? 'All',
        IncludeManagementEvents: bool(s.include_management_events, true),
        ExcludeManagementEventSources: strings(s.exclude_management_event_sources),
        DataResources: list(s.data_resource)
          .filter(isObject)
          .map((d) => ({ Type: str(d.type), Values: strings(d.values) })),
      }),
    );
  }
  try {
    return foldEventSelectors(response, advanced.length > 0 || classic.length > 0, c.partition);
  } catch (err) {
    return { $error: { action: `terraform:${trail.type}`, code: 'MalformedConfiguration', accountId: c.accountId, message: `${trail.address}: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

/** The bucket name a trail or bucket setting names: its value, or the planned bucket its expression references. */
function bucketNameOf(c: Converter, r: PlannedResource, attribute: string): string | undefined {
  const value = str(r.values[attribute]);
  if (value !== undefined && !c.isUnknown(r, attribute)) return value;
  // aws_s3_bucket.x.id and .bucket are the bucket's name, which the plan knows when it is configured.
  const bucket = c.referenced(r, attribute, 'aws_s3_bucket');
  const referencesName = (r.references[attribute] ?? []).some((ref) => /^aws_s3_bucket\.[^.]+\.(id|bucket)$/.test(ref));
  return bucket && referencesName && !c.isUnknown(bucket, 'bucket') ? str(bucket.values.bucket) : undefined;
}

function convertTrail(c: Converter, r: PlannedResource): { trail: Trail; kmsKey?: PlannedResource; logGroup?: PlannedResource } {
  const region = c.regionOf(r);
  const name = str(r.values.name) ?? r.name;
  const arn = (!c.isUnknown(r, 'arn') && str(r.values.arn)) || `arn:${c.partition}:cloudtrail:${region}:${c.accountId}:trail/${name}`;
  const scalar = <K extends keyof Trail>(fact: K & PlannedFact, attribute: string, value: Trail[K]): Partial<Trail> => {
    if (c.isUnknown(r, attribute)) {
      c.unknown.push({ arn, fact, error: c.unknownError(r, attribute) });
      return {};
    }
    return value === undefined ? {} : ({ [fact]: value } as Partial<Trail>);
  };
  const bucketName = bucketNameOf(c, r, 's3_bucket_name');
  const snsTopic = str(r.values.sns_topic_name);
  const logging = r.values.enable_logging;
  const eventSelectors = eventSelectorsOf(c, r);
  const insights = c.fact(r, 'insight_selector', (v) => list(v).filter(isObject).flatMap((s) => (str(s.insight_type) ? [str(s.insight_type)!] : [])));
  const trail: Trail = {
    arn,
    name,
    ownerAccountId: c.accountId,
    homeRegion: region,
    isMultiRegion: false,
    isOrganizationTrail: false,
    includeGlobalServiceEvents: true,
    logFileValidationEnabled: false,
    hasCustomEventSelectors: list(r.values.advanced_event_selector).length > 0 || list(r.values.event_selector).length > 0,
    hasInsightSelectors: Array.isArray(insights) && insights.length > 0,
    ...scalar('isMultiRegion', 'is_multi_region_trail', bool(r.values.is_multi_region_trail, false)),
    ...scalar('isOrganizationTrail', 'is_organization_trail', bool(r.values.is_organization_trail, false)),
    ...scalar('includeGlobalServiceEvents', 'include_global_service_events', bool(r.values.include_global_service_events, true)),
    ...scalar('logFileValidationEnabled', 'enable_log_file_validation', bool(r.values.enable_log_file_validation, false)),
    ...(bucketName !== undefined ? { s3BucketName: bucketName } : scalar('s3BucketName', 's3_bucket_name', undefined)),
    ...scalar('s3KeyPrefix', 's3_key_prefix', str(r.values.s3_key_prefix)),
    ...scalar('kmsKeyId', 'kms_key_id', str(r.values.kms_key_id)),
    // sns_topic_name takes a name or an ARN; the trail reports the ARN.
    ...scalar('snsTopicArn', 'sns_topic_name', snsTopic === undefined || snsTopic.startsWith('arn:') ? snsTopic : `arn:${c.partition}:sns:${region}:${c.accountId}:${snsTopic}`),
    ...scalar('cloudWatchLogsLogGroupArn', 'cloud_watch_logs_group_arn', str(r.values.cloud_watch_logs_group_arn)),
    ...scalar('cloudWatchLogsRoleArn', 'cloud_watch_logs_role_arn', str(r.values.cloud_watch_logs_role_arn)),
    status:
      logging === false && !c.isUnknown(r, 'enable_logging')
        ? { isLogging: false }
        : c.isUnknown(r, 'enable_logging')
          ? c.unknownError(r, 'enable_logging')
          : c.notKnowable('cloudtrail:GetTrailStatus', `whether trail ${name} delivers its logs, digests and notifications`, r),
    eventSelectors,
    insightSelectors: insights,
    tags: c.isUnknown(r, 'tags_all') ? c.fact(r, 'tags', tagsOf) : tagsOf(r.values.tags_all ?? r.values.tags),
  };
  c.origin(arn, r, {
    ...TRAIL_FACTS,
    eventSelectors: list(r.values.advanced_event_selector).length ? 'advanced_event_selector' : 'event_selector',
  });
  const kmsKey = c.referenced(r, 'kms_key_id', 'aws_kms_key');
  const logGroup = c.referenced(r, 'cloud_watch_logs_group_arn', 'aws_cloudwatch_log_group');
  return { trail, ...(kmsKey ? { kmsKey } : {}), ...(logGroup ? { logGroup } : {}) };
}

/** The planned settings resource of a bucket (aws_s3_bucket_policy, _versioning, …), by the bucket it names. */
function settingOf(c: Converter, type: string, bucket: string): PlannedResource | undefined {
  return c.ofType(type).find((s) => bucketNameOf(c, s, 'bucket') === bucket);
}

function convertBucket(c: Converter, r: PlannedResource, name: string, buckets: ReadonlyMap<string, PlannedResource>): Bucket {
  const created = r.action === 'create' || r.action === 'replace';
  const region = c.regionOf(r);
  const outside = (action: string, what: string) => c.notKnowable(action, `${what} of existing bucket ${name}, set outside this configuration,`, r);
  const attributes: Record<string, string> = { name: 'bucket' };
  // The bucket's own origin first: it stands for the bucket when no fact decides.
  c.origin(`arn:${c.partition}:s3:::${name}`, r, { ...attributes, objectLock: 'object_lock_enabled' });
  const setting = (type: string, fact: string, attribute: string) => {
    const found = settingOf(c, type, name);
    if (found) c.origin(`arn:${c.partition}:s3:::${name}`, found, { [fact]: attribute });
    return found;
  };

  // publicExposure and policyAnalysis are derived from the policy and the block: the policy's line decides first.
  const policyResource = setting('aws_s3_bucket_policy', 'policy', 'policy');
  if (policyResource) c.origin(`arn:${c.partition}:s3:::${name}`, policyResource, { publicExposure: 'policy', policyAnalysis: 'policy', deletionPrincipals: 'policy' });
  const block = setting('aws_s3_bucket_public_access_block', 'publicAccessBlock', 'block_public_policy');
  if (block) c.origin(`arn:${c.partition}:s3:::${name}`, block, { publicExposure: 'restrict_public_buckets' });
  const ownership = setting('aws_s3_bucket_ownership_controls', 'objectOwnership', 'rule');
  const acl = setting('aws_s3_bucket_acl', 'acl', 'acl');
  const versioning = setting('aws_s3_bucket_versioning', 'versioning', 'versioning_configuration');
  const lock = setting('aws_s3_bucket_object_lock_configuration', 'objectLock', 'rule');
  const lifecycle = setting('aws_s3_bucket_lifecycle_configuration', 'lifecycleRules', 'rule');
  if (lifecycle) c.origin(`arn:${c.partition}:s3:::${name}`, lifecycle, { retention: 'rule' });
  const logging = setting('aws_s3_bucket_logging', 'logging', 'target_bucket');
  if (logging) c.origin(`arn:${c.partition}:s3:::${name}`, logging, { accessLogging: 'target_bucket' });

  const publicAccessBlock: FactOf<PublicAccessBlock | null> = block
    ? c.fact(block, 'block_public_acls', () => ({
        blockPublicAcls: bool(block.values.block_public_acls, false),
        ignorePublicAcls: bool(block.values.ignore_public_acls, false),
        blockPublicPolicy: bool(block.values.block_public_policy, false),
        restrictPublicBuckets: bool(block.values.restrict_public_buckets, false),
      }))
    : created
      ? { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true }
      : outside('s3:GetPublicAccessBlock', 'the Block Public Access settings');

  const grants = (): FactOf<AclGrant[]> => {
    if (!acl) return created ? [] : outside('s3:GetBucketAcl', 'the ACL');
    if (c.isUnknown(acl, 'access_control_policy') || c.isUnknown(acl, 'acl')) return c.unknownError(acl, 'acl');
    const canned = str(acl.values.acl);
    const everyone = 'http://acs.amazonaws.com/groups/global/AllUsers';
    const authenticated = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
    if (canned === 'public-read') return [{ granteeType: 'Group', granteeUri: everyone, permission: 'READ' }];
    if (canned === 'public-read-write') return [{ granteeType: 'Group', granteeUri: everyone, permission: 'READ' }, { granteeType: 'Group', granteeUri: everyone, permission: 'WRITE' }];
    if (canned === 'authenticated-read') return [{ granteeType: 'Group', granteeUri: authenticated, permission: 'READ' }];
    const policy = first(acl.values.access_control_policy);
    return list(policy?.grant)
      .filter(isObject)
      .map((g) => {
        const grantee = first(g.grantee) ?? {};
        return {
          granteeType: str(grantee.type) ?? 'CanonicalUser',
          ...(str(grantee.id) ? { granteeId: str(grantee.id)! } : {}),
          ...(str(grantee.uri) ? { granteeUri: str(grantee.uri)! } : {}),
          permission: str(g.permission) ?? 'READ',
        };
      });
  };

  const lifecycleRules = (): FactOf<LifecycleRule[]> => {
    if (!lifecycle) return created ? [] : outside('s3:GetLifecycleConfiguration', 'the lifecycle rules');
    return c.fact(lifecycle, 'rule', (rules) =>
      list(rules)
        .filter(isObject)
        .map((rule) => {
          const filter = first(rule.filter);
          const and = first(filter?.and);
          const prefix = str(filter?.prefix) ?? str(and?.prefix) ?? str(rule.prefix);
          const expiration = first(rule.expiration);
          const noncurrent = first(rule.noncurrent_version_expiration);
          const days = (int(expiration?.days) ?? 0) > 0 ? int(expiration?.days) : undefined;
          const expirationDate = Date.parse(str(expiration?.date) ?? '');
          const noncurrentDays = int(noncurrent?.noncurrent_days);
          return {
            ...(str(rule.id) ? { id: str(rule.id)! } : {}),
            status: str(rule.status) ?? 'Enabled',
            ...(prefix !== undefined ? { prefix } : {}),
            hasTagFilter: list(filter?.tag).length > 0 || isObject(and?.tags),
            ...(days !== undefined ? { expirationDays: days } : {}),
            ...(Number.isFinite(expirationDate) ? { expirationDate: new Date(expirationDate).toISOString() } : {}),
            ...(noncurrentDays !== undefined ? { noncurrentVersionExpirationDays: noncurrentDays } : {}),
          };
        }),
    );
  };

  const targetBucket = logging ? bucketNameOf(c, logging, 'target_bucket') : undefined;
  const targetResource = targetBucket ? buckets.get(targetBucket) : undefined;
  return {
    name,
    ownerAccountId: c.accountId,
    region,
    exists: true,
    policy: policyResource ? parsePolicy(c, policyResource, 'policy') : created ? null : outside('s3:GetBucketPolicy', 'the policy'),
    // GetBucketPolicyStatus is S3's verdict on a stored policy; before deploy only trailwarden's own analysis of the planned policy speaks.
    policyStatusIsPublic: null,
    acl: grants(),
    objectOwnership: ownership
      ? c.fact(ownership, 'rule', (rules) => str(first(rules)?.object_ownership) ?? null)
      : created
        ? 'BucketOwnerEnforced'
        : outside('s3:GetBucketOwnershipControls', 'the object ownership'),
    publicAccessBlock,
    // mfa_delete is computed when not configured; without `mfa` no apply can turn MFA Delete on, so only the status decides.
    versioning: versioning
      ? c.fact({ ...versioning, unknown: { versioning_configuration: list(isObject(versioning.unknown) ? versioning.unknown.versioning_configuration : undefined).map((u) => (isObject(u) ? { status: u.status } : u)) } }, 'versioning_configuration', (v) => {
          const config = first(v);
          const status = str(config?.status);
          return { status: status === 'Enabled' ? 'Enabled' : status === 'Suspended' ? 'Suspended' : 'Off', mfaDelete: str(config?.mfa_delete) === 'Enabled' } as const;
        })
      : created
        ? { status: 'Off', mfaDelete: false }
        : outside('s3:GetBucketVersioning', 'the versioning'),
    objectLock: (() => {
      const enabled = bool(r.values.object_lock_enabled, false) || (lock !== undefined && str(lock.values.object_lock_enabled) === 'Enabled');
      if (!lock) return { enabled };
      return c.fact(lock, 'rule', (rules) => {
        const retention = first(first(rules)?.default_retention);
        const years = int(retention?.years);
        const days = int(retention?.days) ?? (years !== undefined ? years * 365 : undefined);
        return { enabled, ...(str(retention?.mode) ? { defaultMode: str(retention?.mode)! } : {}), ...(days !== undefined ? { defaultDays: days } : {}) };
      });
    })(),
    lifecycleRules: lifecycleRules(),
    logging: logging
      ? targetBucket
        ? { targetBucket, ...(str(logging.values.target_prefix) ? { targetPrefix: str(logging.values.target_prefix)! } : {}) }
        : c.unknownError(logging, 'target_bucket')
      : created
        ? null
        : outside('s3:GetBucketLogging', 'the access logging'),
    ...(targetResource ? { loggingTargetRegion: c.regionOf(targetResource) } : {}),
  };
}

function placeholderArn(c: Converter, r: PlannedResource, service: string, resource: string): string {
  return `arn:${c.partition}:${service}:${c.regionOf(r)}:${c.accountId}:${resource}/known-after-apply/${r.label?.address ?? r.address}`;
}

function convertKey(c: Converter, r: PlannedResource): KmsKey {
  const arn = (!c.isUnknown(r, 'arn') && str(r.values.arn)) || placeholderArn(c, r, 'kms', 'key');
  const keyPolicy = c.ofType('aws_kms_key_policy').find((p) => c.referenced(p, 'key_id', 'aws_kms_key') === r || (str(p.values.key_id) !== undefined && [r.values.key_id, r.values.arn].includes(p.values.key_id)));
  c.origin(arn, r, { rotationEnabled: 'enable_key_rotation', policy: 'policy', policyAnalysis: 'policy', metadata: 'is_enabled' });
  if (keyPolicy) c.origin(arn, keyPolicy, { policy: 'policy' });
  return {
    arn,
    accountId: c.accountId,
    region: c.regionOf(r),
    metadata: {
      keyState: r.values.is_enabled === false ? 'Disabled' : 'Enabled',
      keyManager: 'CUSTOMER',
      keySpec: str(r.values.customer_master_key_spec) ?? 'SYMMETRIC_DEFAULT',
      keyUsage: str(r.values.key_usage) ?? 'ENCRYPT_DECRYPT',
      ...(typeof r.values.multi_region === 'boolean' ? { multiRegion: r.values.multi_region } : {}),
    },
    rotationEnabled: c.fact(r, 'enable_key_rotation', (v) => bool(v, false)),
    policy: keyPolicy ? parsePolicy(c, keyPolicy, 'policy') : parsePolicy(c, r, 'policy'),
  };
}

function convertLogGroup(c: Converter, r: PlannedResource, arnGiven: string | undefined): LogGroup {
  const name = str(r.values.name) ?? r.name;
  const region = c.regionOf(r);
  const arn = arnGiven ?? ((!c.isUnknown(r, 'arn') && str(r.values.arn)) || `arn:${c.partition}:logs:${region}:${c.accountId}:log-group:${name}`);
  c.origin(arn.replace(/:\*$/, ''), r, { details: 'retention_in_days', retentionInDays: 'retention_in_days', kmsKeyId: 'kms_key_id' });
  const filters = c.ofType('aws_cloudwatch_log_metric_filter').filter((f) => str(f.values.log_group_name) === name || c.referenced(f, 'log_group_name', 'aws_cloudwatch_log_group') === r);
  const metrics = filters.flatMap((f) => list(f.values.metric_transformation).filter(isObject).map((m) => ({ name: str(m.name) ?? '', namespace: str(m.namespace) ?? '' })));
  const alarms = c
    .ofType('aws_cloudwatch_metric_alarm')
    .filter((a) => metrics.some((m) => m.name === a.values.metric_name && m.namespace === a.values.namespace));
  for (const f of filters) c.origin(arn.replace(/:\*$/, ''), f, { metricFilters: 'pattern' });
  for (const a of alarms) c.origin(arn.replace(/:\*$/, ''), a, { alarms: 'alarm_actions' });
  const unknownFilter = filters.find((f) => c.isUnknown(f, 'pattern') || c.isUnknown(f, 'metric_transformation'));
  const unknownAlarm = alarms.find((a) => c.isUnknown(a, 'alarm_actions'));
  return {
    arn,
    name,
    accountId: c.accountId,
    region,
    details: c.fact(r, 'retention_in_days', (days) => ({
      ...((int(days) ?? 0) > 0 ? { retentionInDays: int(days)! } : {}),
      ...(str(r.values.kms_key_id) ? { kmsKeyId: str(r.values.kms_key_id)! } : {}),
    })),
    metricFilters: unknownFilter
      ? c.unknownError(unknownFilter, 'pattern')
      : filters.map((f) => ({ name: str(f.values.name) ?? f.name, pattern: str(f.values.pattern) ?? '', metrics: list(f.values.metric_transformation).filter(isObject).map((m) => ({ name: str(m.name) ?? '', namespace: str(m.namespace) ?? '' })) })),
    alarms: unknownAlarm
      ? c.unknownError(unknownAlarm, 'alarm_actions')
      : alarms.map((a) => ({
          name: str(a.values.alarm_name) ?? a.name,
          ...(str(a.values.arn) ? { arn: str(a.values.arn)! } : {}),
          metricName: str(a.values.metric_name) ?? '',
          namespace: str(a.values.namespace) ?? '',
          actionsEnabled: bool(a.values.actions_enabled, true),
          alarmActions: strings(a.values.alarm_actions),
        })),
  };
}

function convertTopics(c: Converter): SnsTopic[] {
  return c.ofType('aws_sns_topic').flatMap((t) => {
    if (c.isUnknown(t, 'arn') || !str(t.values.arn)) return [];
    const arn = str(t.values.arn)!;
    const subscriptions = c.ofType('aws_sns_topic_subscription').filter((s) => s.values.topic_arn === arn);
    // Subscriptions of these protocols are confirmed when created in the topic's account; others wait for the endpoint.
    const confirmed = subscriptions.filter((s) => ['lambda', 'sqs', 'firehose'].includes(str(s.values.protocol) ?? '')).length;
    c.origin(arn, t, {});
    return [
      {
        arn,
        accountId: c.accountId,
        region: c.regionOf(t),
        confirmedSubscriptions: confirmed > 0 ? confirmed : c.notKnowable('sns:GetTopicAttributes', `whether the subscriptions of topic ${arn} are confirmed`, t),
      },
    ];
  });
}

function convertDataStore(c: Converter, r: PlannedResource): EventDataStore {
  const name = str(r.values.name) ?? r.name;
  const arn = (!c.isUnknown(r, 'arn') && str(r.values.arn)) || placeholderArn(c, r, 'cloudtrail', 'eventdatastore');
  const scalar = (fact: 'multiRegionEnabled' | 'organizationEnabled' | 'retentionPeriodDays' | 'terminationProtectionEnabled' | 'kmsKeyId', attribute: string) => {
    if (c.isUnknown(r, attribute)) c.unknown.push({ arn, fact, error: c.unknownError(r, attribute) });
  };
  scalar('multiRegionEnabled', 'multi_region_enabled');
  scalar('organizationEnabled', 'organization_enabled');
  scalar('retentionPeriodDays', 'retention_period');
  scalar('terminationProtectionEnabled', 'termination_protection_enabled');
  scalar('kmsKeyId', 'kms_key_id');
  c.origin(arn, r, {
    multiRegionEnabled: 'multi_region_enabled',
    organizationEnabled: 'organization_enabled',
    retentionPeriodDays: 'retention_period',
    terminationProtectionEnabled: 'termination_protection_enabled',
    kmsKeyId: 'kms_key_id',
  });
  const selectors = eventSelectorsOf(c, { ...r, values: { advanced_event_selector: r.values.advanced_event_selector } });
  return {
    arn,
    name,
    accountId: c.accountId,
    region: c.regionOf(r),
    status: 'ENABLED',
    multiRegionEnabled: bool(r.values.multi_region_enabled, true),
    organizationEnabled: bool(r.values.organization_enabled, false),
    retentionPeriodDays: int(r.values.retention_period) ?? 2557,
    terminationProtectionEnabled: bool(r.values.termination_protection_enabled, true),
    ...(str(r.values.kms_key_id) ? { kmsKeyId: str(r.values.kms_key_id)! } : {}),
    ...(list(r.values.advanced_event_selector).length && !('$error' in selectors) ? { eventSelectors: selectors.selectors } : {}),
  };
}

/** The snapshot of what the plan will make, with each resource's plan address. */
export function planToSnapshot(plan: ParsedPlan, scanTime: Date, source: Planned['source'] = 'terraform-plan'): PlanSnapshot {
  const c = new Converter(plan);
  const trails: Trail[] = [];
  const keys = new Map<string, KmsKey>();
  const groups = new Map<string, LogGroup>();
  const plannedKeys = new Set<PlannedResource>();
  const plannedGroups = new Set<PlannedResource>();
  for (const r of c.ofType('aws_cloudtrail')) {
    const { trail, kmsKey, logGroup } = convertTrail(c, r);
    trails.push(trail);
    if (kmsKey) plannedKeys.add(kmsKey);
    if (logGroup) plannedGroups.add(logGroup);
  }
  // Keys and log groups the trails name by a known ARN (existing resources in the plan).
  for (const k of c.ofType('aws_kms_key')) if (trails.some((t) => t.kmsKeyId !== undefined && t.kmsKeyId === k.values.arn)) plannedKeys.add(k);
  for (const k of plannedKeys) {
    const key = convertKey(c, k);
    keys.set(key.arn, key);
  }
  for (const g of c.ofType('aws_cloudwatch_log_group')) {
    const trail = trails.find((t) => typeof t.cloudWatchLogsLogGroupArn === 'string' && t.cloudWatchLogsLogGroupArn.replace(/:\*$/, '') === str(g.values.arn)?.replace(/:\*$/, ''));
    if (trail) plannedGroups.add(g);
  }
  for (const g of plannedGroups) {
    const group = convertLogGroup(c, g, undefined);
    groups.set(group.arn, group);
  }
  const bucketResources = new Map<string, PlannedResource>();
  for (const b of c.ofType('aws_s3_bucket')) {
    const name = str(b.values.bucket);
    if (name && !c.isUnknown(b, 'bucket')) bucketResources.set(name, b);
  }
  const buckets: Bucket[] = [];
  for (const name of new Set(trails.flatMap((t) => (typeof t.s3BucketName === 'string' ? [t.s3BucketName] : [])))) {
    const r = bucketResources.get(name);
    if (r) buckets.push(convertBucket(c, r, name, bucketResources));
    else c.warnings.push(`bucket ${name} of a planned trail is not in the plan: its settings are not checked`);
  }
  const accountBlock = c.ofType('aws_s3_account_public_access_block')[0];
  const regions = c.notKnowable('ec2:DescribeRegions', `which regions are enabled for account ${c.accountId}`);
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    scanTime: scanTime.toISOString(),
    partition: c.partition === 'aws-cn' || c.partition === 'aws-us-gov' ? c.partition : 'aws',
    callerAccountId: c.accountId,
    organization: c.notKnowable('organizations:DescribeOrganization', 'the organization the account belongs to'),
    accounts: [
      {
        id: c.accountId,
        ...(c.accountKnown ? {} : { name: 'placeholder account (not known before deploy)' }),
        regions,
        trailArns: trails.map((t) => t.arn),
        eventDataStoreArns: [],
        publicAccessBlock: accountBlock
          ? c.fact(accountBlock, 'block_public_acls', () => ({
              blockPublicAcls: bool(accountBlock.values.block_public_acls, false),
              ignorePublicAcls: bool(accountBlock.values.ignore_public_acls, false),
              blockPublicPolicy: bool(accountBlock.values.block_public_policy, false),
              restrictPublicBuckets: bool(accountBlock.values.restrict_public_buckets, false),
            }))
          : null,
        iam: c.notKnowable('iam:GetAccountAuthorizationDetails', `who in account ${c.accountId} may change the trail or its logs`),
      },
    ],
    trails,
    buckets,
    kmsKeys: [...keys.values()],
    logGroups: [...groups.values()],
    snsTopics: convertTopics(c),
    eventDataStores: c.ofType('aws_cloudtrail_event_data_store').map((r) => convertDataStore(c, r)),
    planned: { source, file: plan.file, unknown: c.unknown },
  };
  const account = snapshot.accounts[0]!;
  account.eventDataStoreArns = snapshot.eventDataStores.map((e) => e.arn);
  return { snapshot, origins: c.origins, warnings: c.warnings };
}
