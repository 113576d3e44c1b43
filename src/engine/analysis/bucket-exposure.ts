/**
 * Bucket facts other than the policy: public ACL grants, the Block Public Access settings in force,
 * and which lifecycle rules cut the life of CloudTrail's log objects short.
 */
import type { AclGrant, LifecycleRule, PublicAccessBlock } from '../../snapshot/schema.js';

/** The two predefined groups S3 calls public ("The meaning of public", ACLs). */
const PUBLIC_GROUPS: ReadonlyMap<string, string> = new Map([
  ['acs.amazonaws.com/groups/global/allusers', 'AllUsers'],
  ['acs.amazonaws.com/groups/global/authenticatedusers', 'AuthenticatedUsers'],
]);

/** Grants to AllUsers or AuthenticatedUsers, as `AllUsers:READ`. The URI scheme and case are not significant. */
export function publicAclGrants(grants: AclGrant[]): string[] {
  return grants.flatMap((grant) => {
    const uri = grant.granteeUri?.toLowerCase().replace(/^https?:\/\//, '');
    const group = uri === undefined ? undefined : PUBLIC_GROUPS.get(uri);
    return group ? [`${group}:${grant.permission}`] : [];
  });
}

/**
 * The settings S3 enforces: it applies the most restrictive combination of the bucket's and the
 * account's configuration, so each flag is on when either level turns it on. A missing
 * configuration (`null`) blocks nothing.
 */
export function effectiveBlockPublicAccess(bucket: PublicAccessBlock | null, account: PublicAccessBlock | null): PublicAccessBlock {
  const either = (flag: keyof PublicAccessBlock) => (bucket?.[flag] ?? false) || (account?.[flag] ?? false);
  return {
    blockPublicAcls: either('blockPublicAcls'),
    ignorePublicAcls: either('ignorePublicAcls'),
    blockPublicPolicy: either('blockPublicPolicy'),
    restrictPublicBuckets: either('restrictPublicBuckets'),
  };
}

/**
 * The key prefix under which CloudTrail writes a trail's objects: `<S3KeyPrefix>/AWSLogs/`, or
 * `AWSLogs/` without a prefix. Log files and digest files both live below it
 * (`AWSLogs/<account-or-org-id>/CloudTrail/…`, `…/CloudTrail-Digest/…`). The prefix is joined
 * with `/` exactly as written, as CloudTrail's documented paths and bucket-policy resources show.
 */
export function cloudTrailObjectPrefix(s3KeyPrefix: string | undefined): string {
  return s3KeyPrefix ? `${s3KeyPrefix}/AWSLogs/` : 'AWSLogs/';
}

interface ExpiringRule {
  rule: string;
  days?: number;
  date?: string;
}

interface LifecycleRetention {
  /** The fewest days after which an applying rule expires current objects; null when none does. */
  shortestExpirationDays: number | null;
  /** Dates on which an applying rule expires every current object it covers. */
  expiresByDate: string[];
  /** Every enabled rule that applies to the trail's objects, by ID (or `Rules[i]`). */
  applyingRules: string[];
  /** The applying rules that expire current objects, with their days or date. */
  expiringRules: ExpiringRule[];
}

function ruleLabel(rule: LifecycleRule, index: number): string {
  return rule.id !== undefined && rule.id !== '' ? rule.id : `Rules[${index}]`;
}

/**
 * A rule applies to CloudTrail's objects when:
 * - it is Enabled (a Disabled rule acts on nothing);
 * - it has no tag filter: CloudTrail writes untagged objects and S3 only matches a tag filter
 *   against object tags, so such a rule never selects a log file;
 * - its prefix (absent = whole bucket) is a prefix of one of `objectPrefixes`, so it covers all of
 *   the trail's objects, or one of `objectPrefixes` is a prefix of it, so it covers some of them
 *   (e.g. one account's or one region's logs), which still deletes logs the trail wrote.
 *
 * Only current-version expiration (Expiration Days / Date) shortens retention. Noncurrent-version
 * expiration removes versions already overwritten or deleted, and CloudTrail never overwrites a
 * log object; transitions change the storage class, not the lifetime.
 */
export function lifecycleRetention(rules: LifecycleRule[], objectPrefixes: string[]): LifecycleRetention {
  const overlaps = (rulePrefix: string) =>
    objectPrefixes.some((objectPrefix) => objectPrefix.startsWith(rulePrefix) || rulePrefix.startsWith(objectPrefix));
  const applying = rules
    .map((rule, index) => ({ rule, label: ruleLabel(rule, index) }))
    .filter(({ rule }) => rule.status.toLowerCase() === 'enabled' && !rule.hasTagFilter && overlaps(rule.prefix ?? ''));

  const expiringRules: ExpiringRule[] = applying
    .filter(({ rule }) => rule.expirationDays !== undefined || rule.expirationDate !== undefined)
    .map(({ rule, label }) => ({
      rule: label,
      ...(rule.expirationDays !== undefined ? { days: rule.expirationDays } : {}),
      ...(rule.expirationDate !== undefined ? { date: rule.expirationDate } : {}),
    }));
  const days = expiringRules.flatMap((expiring) => (expiring.days === undefined ? [] : [expiring.days]));
  const dates = expiringRules.flatMap((expiring) => (expiring.date === undefined ? [] : [expiring.date]));

  return {
    shortestExpirationDays: days.length > 0 ? Math.min(...days) : null,
    expiresByDate: [...new Set(dates)],
    applyingRules: applying.map(({ label }) => label),
    expiringRules,
  };
}
