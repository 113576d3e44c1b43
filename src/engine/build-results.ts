/**
 * Findings + snapshot + rules -> the Results document every reporter renders (SPEC §3), and the
 * exit code it implies (SPEC §2). Pure.
 */
import { integritySummary } from './integrity-summary.js';
import { isCollectionError, type Snapshot } from '../snapshot/schema.js';
import { collectionErrors } from '../snapshot/errors.js';
import { isNotOffered } from '../snapshot/not-offered.js';
import { RESULTS_SCHEMA_VERSION, SEVERITY_RANK, isNewFailure, type ExpiredSuppression, type RunWarning, type FailOn, type Finding, type Results, type RuleMeta } from '../results.js';
import type { LoadedRule } from '../language/types.js';
import { incompleteSummary, SCOPE_RULE, scopeFindings, scopeGaps } from './scope.js';

export function ruleMeta(rule: LoadedRule): RuleMeta {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    scope: rule.scope,
    description: rule.description,
    remediation: rule.remediation,
    frameworks: rule.frameworks,
    source: rule.source,
    ...(rule.helpUri ? { helpUri: rule.helpUri } : {}),
  };
}

export function buildResults(input: {
  snapshot: Snapshot;
  rules: readonly LoadedRule[];
  findings: Finding[];
  toolVersion: string;
  runId?: string;
  scanTime: Date;
  expiredSuppressions?: ExpiredSuppression[];
  warnings?: RunWarning[];
  pack?: string;
}): Results {
  const { snapshot } = input;
  // The scope gaps come after suppressions and whatever rules were selected: they cannot be hidden.
  const gaps = scopeGaps(snapshot);
  const findings = gaps.length > 0 ? [...input.findings, ...scopeFindings(snapshot)] : input.findings;
  const rules = gaps.length > 0 && !input.rules.some((rule) => rule.id === SCOPE_RULE.id) ? [...input.rules.map(ruleMeta), SCOPE_RULE] : input.rules.map(ruleMeta);
  const summary = incompleteSummary(gaps);
  const org = snapshot.organization;
  const regions = new Set<string>();
  for (const a of snapshot.accounts) {
    if (isCollectionError(a.regions)) continue;
    for (const r of a.regions) if (r.optInStatus !== 'not-opted-in') regions.add(r.name);
  }
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'trailwarden', version: input.toolVersion },
    ...(input.runId ? { runId: input.runId } : {}),
    scanTime: input.scanTime.toISOString(),
    snapshotTime: snapshot.scanTime,
    partition: snapshot.partition,
    ...(org && !isCollectionError(org) ? { organizationId: org.id } : {}),
    accounts: snapshot.accounts.map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}) })),
    regions: [...regions].sort(),
    // A "not offered here" answer is a fact (SPEC §1), not a gap in the scan: the findings say it.
    collectionErrors: collectionErrors(snapshot).filter((error) => !isNotOffered(error)),
    rules,
    findings,
    ...(summary
      ? {
          incomplete: {
            summary,
            gaps: gaps.map((gap) => ({ kind: gap.kind, arn: gap.resource.arn, accountId: gap.resource.accountId, action: gap.error.action, code: gap.error.code, message: gap.message })),
          },
        }
      : {}),
    ...(input.expiredSuppressions?.length ? { expiredSuppressions: input.expiredSuppressions } : {}),
    ...(snapshot.shard ? { shard: snapshot.shard } : {}),
    ...(input.warnings?.length ? { warnings: input.warnings } : {}),
    ...(input.pack ? { pack: input.pack } : {}),
    ...(snapshot.integrity ? { integrity: integritySummary(snapshot)! } : {}),
  };
}

/**
 * 0 clean, 1 failing at/above the threshold (with `newOnly`, failing and new since the baseline), 3 facts missing (and nothing failing at/above it).
 * Missing facts are error findings and also collection errors that no finding stands for: accounts
 * an interrupted ListAccounts never named have no findings at all, yet the scan is incomplete.
 */
export function exitCodeFor(results: Pick<Results, 'findings' | 'collectionErrors'>, failOn: FailOn, options: { newOnly?: boolean | undefined } = {}): 0 | 1 | 3 {
  const live = results.findings.filter((f) => !f.suppression);
  // --fail-on-new: only failures the baseline did not have count (results.ts isNewFailure).
  const counted = options.newOnly ? live.filter(isNewFailure) : live;
  if (failOn !== 'none' && counted.some((f) => f.status === 'fail' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return 1;
  if (live.some((f) => f.status === 'error') || results.collectionErrors.length > 0) return 3;
  return 0;
}
