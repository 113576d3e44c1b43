/**
 * Findings + snapshot + rules -> the Results document every reporter renders (SPEC §3), and the
 * exit code it implies (SPEC §2). Pure.
 */
import { integritySummary } from './integrity-summary.js';
import { isCollectionError, type Snapshot } from '../snapshot/schema.js';
import { collectionErrors } from '../snapshot/errors.js';
import { isNotOffered } from '../snapshot/not-offered.js';
import { RESULTS_SCHEMA_VERSION, SEVERITY_RANK, isNewFailure, type ExpiredSuppression, type FailOn, type FailOnIncomplete, type Finding, type Results, type RuleMeta, type RunWarning } from '../results.js';
import type { LoadedRule } from '../language/types.js';
import { incompleteSummary, SCOPE_RULE, scopeFindings, scopeGaps } from './scope.js';
import { controlRollup, type ControlDefinition } from './control-rollup.js';

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
  /** The pack's controls, for the per-control rollup. */
  packControls?: { title: string; controls: readonly ControlDefinition[] };
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
  const accounts = snapshot.accounts.map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}) }));
  const rollup = input.pack && input.packControls?.controls.length ? controlRollup({ accounts, findings }, { id: input.pack, ...input.packControls }) : undefined;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'trailwarden', version: input.toolVersion },
    ...(input.runId ? { runId: input.runId } : {}),
    scanTime: input.scanTime.toISOString(),
    snapshotTime: snapshot.scanTime,
    partition: snapshot.partition,
    ...(org && !isCollectionError(org) ? { organizationId: org.id } : {}),
    accounts,
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
    ...(rollup ? { controls: rollup } : {}),
    ...(snapshot.integrity ? { integrity: integritySummary(snapshot)! } : {}),
  };
}

/** Missing facts: error findings, and collection errors no finding stands for (accounts an interrupted ListAccounts never named). */
export function isPartial(results: Pick<Results, 'findings' | 'collectionErrors' | 'incomplete'>): boolean {
  return results.incomplete !== undefined || results.collectionErrors.length > 0 || results.findings.some((f) => !f.suppression && f.status === 'error');
}

/**
 * The gate, the same for both doors: 1 failing at/above `failOn` (with `newOnly`, failing and new
 * since the baseline); else 3 when the scan is incomplete in a way `failOnIncomplete` counts
 * (`any`: a missing fact, `scope`: a part of the scope not enumerated, `none`: never); else 0.
 */
export function exitCodeFor(
  results: Pick<Results, 'findings' | 'collectionErrors' | 'incomplete'>,
  failOn: FailOn,
  options: { newOnly?: boolean | undefined; failOnIncomplete?: FailOnIncomplete | undefined } = {},
): 0 | 1 | 3 {
  const live = results.findings.filter((f) => !f.suppression);
  // --fail-on-new: only failures the baseline did not have count (results.ts isNewFailure).
  const counted = options.newOnly ? live.filter(isNewFailure) : live;
  if (failOn !== 'none' && counted.some((f) => f.status === 'fail' && SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return 1;
  switch (options.failOnIncomplete ?? 'any') {
    case 'any':
      return isPartial(results) ? 3 : 0;
    case 'scope':
      return results.incomplete ? 3 : 0;
    case 'none':
      return 0;
  }
}
