/**
 * What to do about one finding. A failure gets the rule's commands with the finding's own values
 * filled in (bucket, trail ARN, home region, account, key, log group), ready to paste; an error
 * finding gets, instead, how to obtain the fact that was missing (the permission to grant, the
 * account to add to the scan), since fixing the control may not be needed at all.
 */
import type { CollectionError } from '../snapshot/schema.js';
import type { FindingFix, Remediation, ResourceRef } from '../results.js';
import { isCollectionError } from '../snapshot/schema.js';

/**
 * The placeholders remediation commands are written with, and where each finding's value comes
 * from: its resource, or a fact of its view (a trail's bucket and key). A placeholder with no
 * value here (`<new-key-arn>`, `<role>`) stays for the reader to fill.
 */
const FROM_RESOURCE: Record<string, (resource: ResourceRef) => string | undefined> = {
  '<account-id>': (r) => r.accountId,
  '<trail-arn>': (r) => (r.type === 'trail' ? r.arn : undefined),
  '<home-region>': (r) => (r.type === 'trail' ? r.region : undefined),
  '<bucket>': (r) => (r.type === 'bucket' ? r.name : undefined),
  '<region>': (r) => (r.type === 'bucket' ? r.region : undefined),
  '<key-arn>': (r) => (r.type === 'kms-key' ? r.arn : undefined),
  '<log-group>': (r) => (r.type === 'log-group' ? r.name : undefined),
  '<log-group-arn>': (r) => (r.type === 'log-group' ? r.arn : undefined),
  '<log-group-region>': (r) => (r.type === 'log-group' ? r.region : undefined),
  '<event-data-store-arn>': (r) => (r.type === 'event-data-store' ? r.arn : undefined),
  '<store-region>': (r) => (r.type === 'event-data-store' ? r.region : undefined),
};

/** A trail's bucket and key, for trail rules whose commands name them. */
function fromTrailView(view: unknown, token: string): string | undefined {
  const trail = (view as { trail?: Record<string, unknown> } | undefined)?.trail;
  if (!trail) return undefined;
  const value = token === '<bucket>' ? trail.s3BucketName : token === '<key-arn>' ? trail.kmsKeyId : undefined;
  return typeof value === 'string' && !isCollectionError(value) ? value : undefined;
}

/** Values pasted into a shell command must not end it: only the characters AWS names are made of. */
const SAFE_VALUE = /^[A-Za-z0-9:/._@+=,*-]+$/;

/** us-east-1 refuses `create-bucket --create-bucket-configuration LocationConstraint=us-east-1`: there the option is left out. */
const US_EAST_1_CONSTRAINT = / --create-bucket-configuration LocationConstraint=us-east-1(?=\s|$)/g;

export function fillCommand(template: string, resource: ResourceRef, view?: unknown): string {
  return template
    .replace(/<[a-z][a-z0-9-]*>/g, (token) => {
      const value = FROM_RESOURCE[token]?.(resource) ?? (resource.type === 'trail' ? fromTrailView(view, token) : undefined);
      return value !== undefined && SAFE_VALUE.test(value) ? value : token;
    })
    .replace(US_EAST_1_CONSTRAINT, '');
}

const ACCESS_DENIED = /AccessDenied|Unauthorized|AuthorizationError|Forbidden|NotAuthorized/i;

/** How to get one missing fact. */
function collectStep(error: CollectionError['$error']): string {
  const account = error.accountId ? ` in account ${error.accountId}` : '';
  const where = `${account}${error.region ? ` (${error.region})` : ''}`;
  if (error.code === 'OwnerNotInScan') return `Scan account ${error.accountId ?? 'that owns the resource'} as well (add it to --accounts, or scan its organization with --org): the resource belongs to it.`;
  if (error.code === 'NoRoleName') return `Give --role-name: the role trailwarden assumes${account}.`;
  if (error.action === 'sts:AssumeRole') {
    return `Let the scan assume its role${account}: deploy templates/member-role.yaml there, and allow sts:AssumeRole on it for the scanning identity (trailwarden permissions --role-name NAME).`;
  }
  if (ACCESS_DENIED.test(error.code)) return `Allow ${error.action} for the scanning role${where} (trailwarden permissions prints the whole policy), then scan again.`;
  return `Scan again: ${error.action} failed with ${error.code}${where}.`;
}

/** The fix of a failing finding (commands filled in), or of an error finding (how to collect). */
export function findingFix(status: 'fail' | 'error', remediation: Remediation, resource: ResourceRef, view: unknown, errors: readonly CollectionError['$error'][] = []): FindingFix | undefined {
  if (status === 'error') {
    const steps = [...new Set(errors.map(collectStep))];
    return steps.length > 0 ? { collect: steps } : undefined;
  }
  const fix: FindingFix = {
    ...(remediation.cli ? { commands: fillCommand(remediation.cli.trim(), resource, view) } : {}),
    ...(remediation.terraform ? { terraform: fillCommand(remediation.terraform.trim(), resource, view) } : {}),
  };
  return Object.keys(fix).length > 0 ? fix : undefined;
}
