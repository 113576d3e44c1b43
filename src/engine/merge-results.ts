/**
 * The union of the results.json files of the shards of one scan (`trailwarden merge`). Pure.
 *
 * A resource several shards judged (an organization trail, a shared bucket) keeps one finding: an
 * observed verdict beats an error, and of two observed verdicts the failing one stands. Findings
 * come out in the order one full scan writes them: rules by id, resources in snapshot order.
 *
 * Merging results is exact for what each shard saw whole (its accounts, their regions, their own
 * resources). A resource shared across shards was judged by each on part of the picture: a bucket
 * written to by trails of two shards is checked against the trails one shard saw. Shards that
 * disagree are reported; merging snapshots (`--save-snapshot`) is exact for every resource.
 */
import { controlRollup } from './control-rollup.js';
import { UserError } from '../errors.js';
import type { Finding, ResourceRef, Results, Status } from '../results.js';
import { collectionErrorKey, compareIdentity, missingShardIndexes, SHARD_MISSING } from '../snapshot/merge.js';
import { incompleteSummary, SCOPE_RULE, SCOPE_RULE_ID } from './scope.js';

/** Which of two findings of one resource stands: an observation over an error, a failure over a pass. */
const STATUS_WEIGHT: Record<Status, number> = { fail: 3, pass: 2, not_applicable: 1, error: 0 };

function findingKey(finding: Finding): string {
  return `${finding.ruleId}\u0000${finding.resource.arn}`;
}

/**
 * A rule's subjects follow the snapshot's lists (accounts by id, resources by ARN); the regions of
 * an account follow its region list, which only the shard that scanned the account has, so they
 * keep that shard's order.
 */
function subjectOrder(finding: Finding): string {
  return finding.resource.type === 'region' ? finding.resource.accountId : finding.resource.arn;
}

function earliest(times: readonly string[]): string {
  return times.reduce((min, time) => (Date.parse(time) < Date.parse(min) ? time : min));
}

function describeRuleSet(results: Results): string {
  // The scope rule is listed only by parts that had a gap.
  return results.rules
    .map((rule) => rule.id)
    .filter((id) => id !== SCOPE_RULE_ID)
    .sort()
    .join(',');
}

/** A shared resource the shards judged differently; the merged finding has the status that stood. */
interface Disagreement {
  ruleId: string;
  arn: string;
  statuses: Status[];
}

interface MergedResults {
  results: Results;
  disagreements: Disagreement[];
}

/** The union of shard results. Throws a UserError when they cannot be parts of one scan. */
export function mergeResults(parts: readonly Results[]): MergedResults {
  const first = parts[0];
  if (first === undefined) throw new UserError('nothing to merge: no results given');
  for (const part of parts) {
    if (part.partition !== first.partition) throw new UserError(`the results come from different partitions (${first.partition}, ${part.partition})`);
    if ((part.pack ?? '') !== (first.pack ?? '')) throw new UserError(`the results were evaluated with different packs (${first.pack ?? 'none'}, ${part.pack ?? 'none'}); merge shards of one scan`);
    if (describeRuleSet(part) !== describeRuleSet(first)) throw new UserError('the results were evaluated with different rules; merge shards of one scan (same version, policies and configuration)');
  }

  const chosen = new Map<string, Finding>();
  const verdicts = new Map<string, Set<Status>>();
  for (const finding of parts.flatMap((part) => part.findings)) {
    const key = findingKey(finding);
    const seen = chosen.get(key);
    if (seen === undefined || STATUS_WEIGHT[finding.status] > STATUS_WEIGHT[seen.status]) chosen.set(key, finding);
    if (finding.status !== 'error') verdicts.set(key, (verdicts.get(key) ?? new Set()).add(finding.status));
  }
  const ruleIndex = new Map([...first.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((rule, index) => [rule.id, index]));
  // Array.prototype.sort is stable: ties (the regions of one account) keep their shard's order.
  const findings = [...chosen.values()].sort(
    (a, b) => (ruleIndex.get(a.ruleId) ?? Infinity) - (ruleIndex.get(b.ruleId) ?? Infinity) || compareIdentity(subjectOrder(a), subjectOrder(b)),
  );

  const accounts = new Map<string, Results['accounts'][number]>();
  for (const account of parts.flatMap((part) => part.accounts)) accounts.set(account.id, { ...account, ...accounts.get(account.id) });
  const collectionErrors = new Map<string, Results['collectionErrors'][number]>();
  for (const error of parts.flatMap((part) => part.collectionErrors)) if (!collectionErrors.has(collectionErrorKey(error))) collectionErrors.set(collectionErrorKey(error), error);
  const expired = new Map<string, NonNullable<Results['expiredSuppressions']>[number]>();
  for (const entry of parts.flatMap((part) => part.expiredSuppressions ?? [])) expired.set(`${entry.ruleId}\u0000${entry.resource}\u0000${entry.expires}`, entry);
  const gaps = new Map<string, NonNullable<Results['incomplete']>['gaps'][number]>();
  for (const gap of parts.flatMap((part) => part.incomplete?.gaps ?? [])) gaps.set(gapKey(gap), gap);
  // A slice of the --shard split that is not among the parts: its accounts were judged by no part,
  // so the merged results are incomplete in scope, as a merge of the snapshots says (mergeShardSnapshots).
  const shards = parts.flatMap((part) => (part.shard ? [part.shard] : []));
  const missingSlices = shards.length > 0 ? missingShardIndexes(shards) : [];
  if (missingSlices.length > 0) {
    const organization = organizationOf(parts, findings);
    for (const index of missingSlices) {
      const message = `The scan of organization ${organization.name ?? organization.arn} is incomplete: shard ${index}/${shards[0]!.count} was not merged: the accounts of that slice were scanned by no part.`;
      const gap = { kind: 'accounts' as const, arn: organization.arn, accountId: organization.accountId, action: 'organizations:ListAccounts', code: SHARD_MISSING, message };
      gaps.set(gapKey(gap), gap);
      findings.push({ ruleId: SCOPE_RULE_ID, status: 'error', severity: SCOPE_RULE.severity, resource: organization, message, evidence: [], frameworks: [], errors: [{ action: gap.action, code: gap.code, message }] });
    }
  }
  const summary = incompleteSummary([...gaps.values()]);
  const scopeRule = parts.flatMap((part) => part.rules).find((rule) => rule.id === SCOPE_RULE_ID) ?? (missingSlices.length > 0 ? SCOPE_RULE : undefined);
  const rules = scopeRule && !first.rules.includes(scopeRule) ? [...first.rules.filter((rule) => rule.id !== SCOPE_RULE_ID), scopeRule] : first.rules;
  const organizationId = parts.find((part) => part.organizationId !== undefined)?.organizationId;

  const disagreements = findings
    .filter((finding) => (verdicts.get(findingKey(finding))?.size ?? 0) > 1)
    .map((finding) => ({ ruleId: finding.ruleId, arn: finding.resource.arn, statuses: [...verdicts.get(findingKey(finding))!].sort() }));
  const results: Results = {
    schemaVersion: first.schemaVersion,
    tool: first.tool,
    scanTime: earliest(parts.map((part) => part.scanTime)),
    snapshotTime: earliest(parts.map((part) => part.snapshotTime)),
    partition: first.partition,
    ...(organizationId !== undefined ? { organizationId } : {}),
    accounts: [...accounts.values()].sort((a, b) => compareIdentity(a.id, b.id)),
    regions: [...new Set(parts.flatMap((part) => part.regions))].sort(),
    collectionErrors: [...collectionErrors.values()],
    rules,
    findings,
    ...(summary ? { incomplete: { summary, gaps: [...gaps.values()] } } : {}),
    ...(expired.size > 0 ? { expiredSuppressions: [...expired.values()] } : {}),
    ...(first.pack !== undefined ? { pack: first.pack } : {}),
  };
  // The rollup counts the union's accounts: recomputed from the controls the parts carry.
  const withRollup = first.controls && first.pack !== undefined ? { ...results, controls: controlRollup(results, { id: first.pack, title: first.controls.title, controls: first.controls.controls }) } : results;
  return { results: withRollup, disagreements };
}

/** One scope gap's identity: the same gap reported by two parts is one gap. */
function gapKey(gap: NonNullable<Results['incomplete']>['gaps'][number]): string {
  return `${gap.kind}\u0000${gap.arn}\u0000${gap.action}\u0000${gap.code}\u0000${gap.message}`;
}

/** The organization the parts judged, as their organization findings name it, or built from the organization id. */
function organizationOf(parts: readonly Results[], findings: readonly Finding[]): ResourceRef {
  const named = findings.find((finding) => finding.resource.type === 'organization');
  if (named) return named.resource;
  const first = parts[0]!;
  const management = first.accounts[0]?.id ?? '000000000000';
  const id = parts.find((part) => part.organizationId !== undefined)?.organizationId;
  return { type: 'organization', arn: `arn:${first.partition}:organizations::${management}:organization/${id ?? 'unknown'}`, accountId: management, ...(id ? { name: id } : {}) };
}
