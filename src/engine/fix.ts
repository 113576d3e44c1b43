/**
 * What to do about one finding. A failure gets the rule's commands with the finding's own values
 * filled in (bucket, trail ARN, home region, account, key, log group), ready to paste; an error
 * finding gets, instead, how to obtain the fact that was missing (the permission to grant, the
 * account to add to the scan), since fixing the control may not be needed at all.
 */
import type { CollectionError } from '../snapshot/schema.js';
import type { Finding, FindingFix, FixSource, Remediation, ResourceRef } from '../results.js';
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

/** The facts of a trail's view its commands name: its bucket and key. */
export interface TrailFacts {
  bucket?: string;
  keyArn?: string;
}

const NO_TRAIL_FACTS: TrailFacts = Object.freeze({});

function factOf(value: unknown): string | undefined {
  return typeof value === 'string' && !isCollectionError(value) ? value : undefined;
}

/**
 * A trail's bucket and key, for trail rules whose commands name them: the two strings, taken out of
 * the view so that what keeps them (a deferred fix) does not keep the view.
 */
export function trailFacts(view: unknown): TrailFacts {
  const trail = (view as { trail?: Record<string, unknown> } | undefined)?.trail;
  if (!trail) return NO_TRAIL_FACTS;
  const bucket = factOf(trail.s3BucketName);
  const keyArn = factOf(trail.kmsKeyId);
  return bucket === undefined && keyArn === undefined ? NO_TRAIL_FACTS : { ...(bucket !== undefined ? { bucket } : {}), ...(keyArn !== undefined ? { keyArn } : {}) };
}

function fromTrail(facts: TrailFacts, token: string): string | undefined {
  return token === '<bucket>' ? facts.bucket : token === '<key-arn>' ? facts.keyArn : undefined;
}

/** Values pasted into a shell command must not end it: only the characters AWS names are made of. */
const SAFE_VALUE = /^[A-Za-z0-9:/._@+=,*-]+$/;

/** us-east-1 refuses `create-bucket --create-bucket-configuration LocationConstraint=us-east-1`: there the option is left out. */
const US_EAST_1_CONSTRAINT = / --create-bucket-configuration LocationConstraint=us-east-1(?=\s|$)/g;

export function fillCommand(template: string, resource: ResourceRef, view?: unknown): string {
  return fillWith(template, resource, resource.type === 'trail' ? trailFacts(view) : NO_TRAIL_FACTS);
}

function fillWith(template: string, resource: ResourceRef, facts: TrailFacts): string {
  return template
    .replace(/<[a-z][a-z0-9-]*>/g, (token) => {
      const value = FROM_RESOURCE[token]?.(resource) ?? (resource.type === 'trail' ? fromTrail(facts, token) : undefined);
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

/** Whether a finding of this status has a fix: commands or Terraform to fill in, or facts to collect. */
function hasFix(status: 'fail' | 'error', remediation: Remediation, errors: readonly unknown[]): boolean {
  return status === 'error' ? errors.length > 0 : Boolean(remediation.cli || remediation.terraform);
}

function collectFix(errors: readonly CollectionError['$error'][]): FindingFix {
  return { collect: [...new Set(errors.map(collectStep))] };
}

function commandFix(remediation: Remediation, resource: ResourceRef, facts: TrailFacts): FindingFix {
  return {
    ...(remediation.cli ? { commands: fillWith(remediation.cli.trim(), resource, facts) } : {}),
    ...(remediation.terraform ? { terraform: fillWith(remediation.terraform.trim(), resource, facts) } : {}),
  };
}

/** The fix of a failing finding (commands filled in), or of an error finding (how to collect). */
export function findingFix(status: 'fail' | 'error', remediation: Remediation, resource: ResourceRef, view: unknown, errors: readonly CollectionError['$error'][] = []): FindingFix | undefined {
  if (!hasFix(status, remediation, errors)) return undefined;
  return status === 'error' ? collectFix(errors) : commandFix(remediation, resource, resource.type === 'trail' ? trailFacts(view) : NO_TRAIL_FACTS);
}

/** An error finding's fix, from its own errors: one source for every error finding. */
const COLLECT_FIX: FixSource = { fixOf: (finding) => collectFix(finding.errors ?? []) };

/** A failing finding's fix, from its rule's remediation, its resource and (a trail's) bucket and key. */
class CommandFix implements FixSource {
  constructor(
    private readonly remediation: Remediation,
    private readonly facts: TrailFacts,
  ) {}

  fixOf(finding: Finding): FindingFix {
    return commandFix(this.remediation, finding.resource, this.facts);
  }
}

/** The source of the rules' failing findings outside trails, one per rule (its remediation). */
const commandFixOf = new WeakMap<Remediation, CommandFix>();

/**
 * What findingFix would give, as a source that computes it when `fix` is read (results.ts
 * deferFix), or undefined when findingFix gives nothing. Keeps the remediation (shared by the
 * rule's findings) and a trail's bucket and key, never the view; the resource and errors are the
 * finding's own.
 */
export function deferredFix(status: 'fail' | 'error', remediation: Remediation, resource: ResourceRef, view: unknown, errors: readonly CollectionError['$error'][] = []): FixSource | undefined {
  if (!hasFix(status, remediation, errors)) return undefined;
  if (status === 'error') return COLLECT_FIX;
  const facts = resource.type === 'trail' ? trailFacts(view) : NO_TRAIL_FACTS;
  if (facts !== NO_TRAIL_FACTS) return new CommandFix(remediation, facts);
  let shared = commandFixOf.get(remediation);
  if (!shared) {
    shared = new CommandFix(remediation, NO_TRAIL_FACTS);
    commandFixOf.set(remediation, shared);
  }
  return shared;
}
