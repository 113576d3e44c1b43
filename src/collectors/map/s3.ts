/** S3 and S3 Control answers -> bucket and account facts. Pure. */
import type {
  GetBucketAclOutput,
  GetBucketLifecycleConfigurationOutput,
  GetBucketLocationOutput,
  GetBucketLoggingOutput,
  GetBucketOwnershipControlsOutput,
  GetBucketPolicyOutput,
  GetBucketPolicyStatusOutput,
  GetBucketVersioningOutput,
  GetObjectLockConfigurationOutput,
  LifecycleRule as SdkLifecycleRule,
  PublicAccessBlockConfiguration,
} from '@aws-sdk/client-s3';
import type { AclGrant, Bucket, LifecycleRule, PublicAccessBlock } from '../../snapshot/schema.js';
import { MalformedResponseError } from '../errors.js';
import { definedOnly } from '../../objects.js';
import { isoTime, nonEmpty, parsePolicyDocument, required } from './common.js';

type FactValue<K extends keyof Bucket> = Exclude<Bucket[K], { $error: unknown }>;

/**
 * GetBucketLocation.LocationConstraint: empty means us-east-1, and the legacy `EU` means eu-west-1
 * (S3 API reference, GetBucketLocation).
 */
export function regionOfLocationConstraint(raw: GetBucketLocationOutput): string {
  const constraint = raw.LocationConstraint as string | undefined;
  if (constraint === undefined || constraint === null || constraint === '') return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/** GetBucketPolicy.Policy, parsed. */
export function mapBucketPolicy(raw: GetBucketPolicyOutput): unknown {
  return parsePolicyDocument(raw.Policy, 'bucket policy');
}

/** GetBucketPolicyStatus.PolicyStatus.IsPublic */
export function mapPolicyStatus(raw: GetBucketPolicyStatusOutput): boolean {
  const isPublic = raw.PolicyStatus?.IsPublic;
  if (typeof isPublic !== 'boolean') throw new MalformedResponseError('GetBucketPolicyStatus has no PolicyStatus.IsPublic');
  return isPublic;
}

/** GetBucketAcl.Grants */
export function mapAcl(raw: GetBucketAclOutput): AclGrant[] {
  return (raw.Grants ?? []).map((grant) =>
    definedOnly<AclGrant>({
      granteeType: required(grant.Grantee?.Type, 'Grant.Grantee.Type'),
      granteeId: nonEmpty(grant.Grantee?.ID),
      granteeUri: nonEmpty(grant.Grantee?.URI),
      permission: required(grant.Permission, 'Grant.Permission'),
    }),
  );
}

/** GetBucketOwnershipControls: the one rule's ObjectOwnership. */
export function mapOwnershipControls(raw: GetBucketOwnershipControlsOutput): string | null {
  const rules = raw.OwnershipControls?.Rules ?? [];
  if (rules.length === 0) return null;
  return required(rules[0]?.ObjectOwnership, 'OwnershipControls.Rules[0].ObjectOwnership');
}

/** GetPublicAccessBlock (bucket or account): absent settings are off. */
export function mapPublicAccessBlock(raw: { PublicAccessBlockConfiguration?: PublicAccessBlockConfiguration | undefined }): PublicAccessBlock {
  const configuration = raw.PublicAccessBlockConfiguration;
  if (configuration === undefined) throw new MalformedResponseError('GetPublicAccessBlock has no PublicAccessBlockConfiguration');
  return {
    blockPublicAcls: configuration.BlockPublicAcls === true,
    ignorePublicAcls: configuration.IgnorePublicAcls === true,
    blockPublicPolicy: configuration.BlockPublicPolicy === true,
    restrictPublicBuckets: configuration.RestrictPublicBuckets === true,
  };
}

/** GetBucketVersioning: no Status means versioning was never enabled. */
export function mapVersioning(raw: GetBucketVersioningOutput): FactValue<'versioning'> {
  const status = raw.Status ?? 'Off';
  if (status !== 'Enabled' && status !== 'Suspended' && status !== 'Off') {
    throw new MalformedResponseError(`unknown versioning status ${String(status)}`);
  }
  return { status, mfaDelete: raw.MFADelete === 'Enabled' };
}

const DAYS_PER_YEAR = 365;

/** GetObjectLockConfiguration */
export function mapObjectLock(raw: GetObjectLockConfigurationOutput): FactValue<'objectLock'> {
  const configuration = raw.ObjectLockConfiguration;
  const retention = configuration?.Rule?.DefaultRetention;
  const days = retention?.Days ?? (retention?.Years !== undefined ? retention.Years * DAYS_PER_YEAR : undefined);
  return definedOnly({
    enabled: configuration?.ObjectLockEnabled === 'Enabled',
    defaultMode: nonEmpty(retention?.Mode),
    defaultDays: days,
  });
}

/** GetBucketLifecycleConfiguration.Rules */
export function mapLifecycleRules(raw: GetBucketLifecycleConfigurationOutput): LifecycleRule[] {
  return (raw.Rules ?? []).map(mapLifecycleRule);
}

function mapLifecycleRule(rule: SdkLifecycleRule): LifecycleRule {
  const filter = rule.Filter;
  const prefix = filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix;
  return definedOnly<LifecycleRule>({
    id: nonEmpty(rule.ID),
    status: required(rule.Status, 'LifecycleRule.Status'),
    prefix: nonEmpty(prefix),
    hasTagFilter: filter?.Tag !== undefined || (filter?.And?.Tags?.length ?? 0) > 0,
    expirationDays: rule.Expiration?.Days,
    expirationDate: isoTime(rule.Expiration?.Date, 'LifecycleRule.Expiration.Date'),
    noncurrentVersionExpirationDays: rule.NoncurrentVersionExpiration?.NoncurrentDays,
  });
}

/** GetBucketLogging.LoggingEnabled */
export function mapLogging(raw: GetBucketLoggingOutput): FactValue<'logging'> {
  const logging = raw.LoggingEnabled;
  if (logging === undefined) return null;
  return definedOnly({ targetBucket: required(logging.TargetBucket, 'LoggingEnabled.TargetBucket'), targetPrefix: nonEmpty(logging.TargetPrefix) });
}
