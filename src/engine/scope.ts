/**
 * Scope completeness: the facts whose absence would hide whole resources from every rule.
 *
 * A rule can only judge the subjects the snapshot holds. When the account listing stopped early,
 * when an account's regions or trails could not be listed, or when a listed trail could not be
 * described, the resources behind that gap have no subject at all: no rule fails or errs on them,
 * and an upload of such results would close their alerts as if they had been fixed. Each gap is
 * therefore an `error` finding of the engine's own rule `trailwarden/scan-scope`, at the scope of
 * what could not be seen (organization, account, region or trail), and the Results say the scan
 * was incomplete (SPEC §1: missing data is never a pass).
 *
 * The rule is part of the engine, not a policy file: it is evaluated whatever `--pack` selects and
 * cannot be disabled or suppressed, because what it reports is the scan's own blind spot. Pure.
 */
import { isCollectionError, type CollectionError, type Snapshot } from '../snapshot/schema.js';
import type { Finding, ResourceRef, RuleMeta } from '../results.js';
import { isNotOffered } from '../snapshot/not-offered.js';
import { SHARD_MISSING } from '../snapshot/merge.js';
import { ACCOUNT_LISTING_ACTIONS } from '../snapshot/errors.js';

export const SCOPE_RULE_ID = 'trailwarden/scan-scope';

/** What the scan could not enumerate. */
export type ScopeGapKind = 'accounts' | 'regions' | 'trails';

export interface ScopeGap {
  kind: ScopeGapKind;
  /** The resource standing for what could not be seen. */
  resource: ResourceRef;
  /** One sentence: what is missing, which call failed with which code, and what was read. */
  message: string;
  error: CollectionError['$error'];
}

export const SCOPE_RULE: RuleMeta = {
  id: SCOPE_RULE_ID,
  title: 'The scan saw every account, region and trail in scope',
  severity: 'high',
  scope: 'organization',
  description:
    'trailwarden could not enumerate part of what it was asked to scan: the organization account list stopped early, an account could not be accessed, ' +
    "an account's regions or trails could not be listed, or a listed trail could not be described. Resources behind such a gap are judged by no rule, " +
    'so a report of this scan is not complete: an alert of a resource it could not see must not be closed on its evidence.',
  remediation: {
    console:
      'Grant the scanning role the action named in the finding (organizations:ListAccounts, ec2:DescribeRegions, cloudtrail:DescribeTrails, cloudtrail:ListTrails, sts:AssumeRole), or retry when the service is reachable, then scan again.',
    cli: 'trailwarden permissions  # prints the least-privilege policy the scan needs',
  },
  frameworks: {},
  source: { file: 'policies/scan-scope.md', line: 1, builtin: true },
};

function describe(e: CollectionError['$error']): string {
  return `${e.action} failed with ${e.code}${e.message ? ` (${e.message})` : ''}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The organization's resource, as the organization-scope rules name it. */
function organizationResource(snapshot: Snapshot): ResourceRef {
  const org = snapshot.organization;
  if (org && !isCollectionError(org)) {
    return { type: 'organization', arn: `arn:${snapshot.partition}:organizations::${org.managementAccountId}:organization/${org.id}`, accountId: org.managementAccountId, name: org.id };
  }
  const caller = snapshot.callerAccountId ?? snapshot.accounts[0]?.id ?? '000000000000';
  return { type: 'organization', arn: `arn:${snapshot.partition}:organizations::${caller}:organization/unknown`, accountId: caller };
}

function accountResource(snapshot: Snapshot, id: string, name?: string): ResourceRef {
  return { type: 'account', arn: `arn:${snapshot.partition}:iam::${id}:root`, accountId: id, ...(name ? { name } : {}) };
}

/** Every gap in what the snapshot could enumerate, in snapshot order. */
export function scopeGaps(snapshot: Snapshot): ScopeGap[] {
  const gaps: ScopeGap[] = [];
  const accountCount = snapshot.accounts.length;
  for (const { $error: error } of snapshot.errors ?? []) {
    if (!ACCOUNT_LISTING_ACTIONS.has(error.action)) continue;
    if (error.code === 'AccountNotInOrganization' && error.accountId) {
      gaps.push({
        kind: 'accounts',
        resource: accountResource(snapshot, error.accountId),
        message: `Account ${error.accountId} was requested but not scanned: ${describe(error)}.`,
        error,
      });
      continue;
    }
    const org = organizationResource(snapshot);
    if (error.code === SHARD_MISSING) {
      gaps.push({ kind: 'accounts', resource: org, message: `The scan of organization ${org.name ?? org.arn} is incomplete: ${error.message ?? 'a shard was not merged'}.`, error });
      continue;
    }
    gaps.push({
      kind: 'accounts',
      resource: org,
      message: `The account list of organization ${org.name ?? org.arn} is incomplete: ${describe(error)}; ${plural(accountCount, 'account')} ${accountCount === 1 ? 'was' : 'were'} read and scanned, ${
        error.action === 'organizations:ListAccounts' ? 'the accounts after them were not' : 'the accounts where the listing failed were not'
      }.`,
      error,
    });
  }
  const described = new Set(snapshot.trails.map((trail) => trail.arn));
  for (const account of snapshot.accounts) {
    const { regions, trailArns } = account;
    const label = `account ${account.id}${account.name ? ` (${account.name})` : ''}`;
    if (isCollectionError(regions) && isCollectionError(trailArns) && regions.$error.action === trailArns.$error.action && regions.$error.code === trailArns.$error.code) {
      // One failure (typically the role could not be assumed) hid the whole account.
      gaps.push({ kind: 'accounts', resource: accountResource(snapshot, account.id, account.name), message: `Nothing in ${label} could be scanned: ${describe(regions.$error)}.`, error: regions.$error });
      continue;
    }
    // A planned configuration cannot list the regions enabled for an account: not a gap in the scan.
    if (isCollectionError(regions) && !isNotOffered(regions.$error)) {
      gaps.push({
        kind: 'regions',
        resource: { type: 'region', arn: `arn:${snapshot.partition}:cloudtrail:*:${account.id}:trail/*`, accountId: account.id, name: '*' },
        message: `The regions of ${label} could not be listed, so none of them was checked region by region: ${describe(regions.$error)}.`,
        error: regions.$error,
      });
    }
    if (isCollectionError(trailArns)) {
      gaps.push({
        kind: 'trails',
        resource: accountResource(snapshot, account.id, account.name),
        message: `The trails of ${label} could not be listed, so none of them was checked: ${describe(trailArns.$error)}.`,
        error: trailArns.$error,
      });
      continue;
    }
    for (const arn of new Set(trailArns)) {
      if (described.has(arn)) continue;
      const recorded = (snapshot.errors ?? []).find((e) => e.$error.message?.includes(arn))?.$error;
      const error = recorded ?? { action: 'cloudtrail:DescribeTrails', code: 'TrailNotCollected', accountId: account.id, message: `trail ${arn} was listed but its configuration was not collected` };
      const [, , , region, owner] = arn.split(':');
      gaps.push({
        kind: 'trails',
        resource: { type: 'trail', arn, accountId: owner && /^[0-9]{12}$/.test(owner) ? owner : account.id, ...(region ? { region } : {}), name: arn.slice(arn.indexOf(':trail/') + 7) || arn },
        message: `Trail ${arn}, listed by ${label}, could not be described, so no rule checked it: ${describe(error)}.`,
        error,
      });
      described.add(arn); // one gap per trail, however many accounts list it
    }
  }
  return gaps;
}

/** One `error` finding per gap, for the engine's own scope rule. */
export function scopeFindings(snapshot: Snapshot): Finding[] {
  return scopeGaps(snapshot).map((gap) => ({
    ruleId: SCOPE_RULE_ID,
    status: 'error',
    severity: SCOPE_RULE.severity,
    resource: gap.resource,
    message: gap.message,
    evidence: [],
    frameworks: [],
    errors: [gap.error],
  }));
}

const KIND_LABEL: Record<ScopeGapKind, string> = { accounts: 'accounts', regions: 'regions', trails: 'trails' };

/** A one-line statement that the scan is incomplete, or undefined when it saw its whole scope. */
export function incompleteSummary(gaps: readonly Pick<ScopeGap, 'kind'>[]): string | undefined {
  if (gaps.length === 0) return undefined;
  const kinds = (['accounts', 'regions', 'trails'] as const).filter((kind) => gaps.some((gap) => gap.kind === kind)).map((kind) => KIND_LABEL[kind]);
  return `Incomplete scan: ${plural(gaps.length, 'part')} of the scope (${kinds.join(', ')}) could not be enumerated; resources there were not checked, and alerts missing from this scan are not fixed.`;
}
