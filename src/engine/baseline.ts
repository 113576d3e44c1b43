/**
 * --baseline: each failing or error finding of this run compared with the baseline run's, matched
 * on the identity SARIF's partialFingerprints carry (rule, partition, account, region, resource id),
 * so nothing a user renames or edits in a policy file changes which finding is which. Pure.
 *
 * Only the scope both runs cover is compared: a rule evaluated by one run alone, or an account
 * scanned by one run alone, says nothing about change, so its findings are neither new nor fixed
 * (they carry no state and are counted under `outsideScope`).
 */
import {
  findingIdentity,
  withFields,
  type AbsentFinding,
  type BaselineComparison,
  type BaselineState,
  type Finding,
  type Results,
} from '../results.js';
import { SCOPE_RULE } from './scope.js';

/** What a baseline contributes: a previous Results (read from results.json, or evaluated from a snapshot). */
export type BaselineRun = Pick<Results, 'partition' | 'snapshotTime' | 'accounts' | 'rules' | 'findings'>;

const compared = (f: Finding): boolean => !f.suppression && (f.status === 'fail' || f.status === 'error');

/** Evidence and errors in a canonical text (object keys sorted, as JSON writes them), so key order never reads as change. */
function canonicalText(value: unknown, depth = 0): string {
  if (depth > 64) return '…';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalText(item, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // As JSON: a key holding undefined is no key (a baseline read from results.json has none).
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalText(item, depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function sameOutcome(a: Finding, b: Finding): boolean {
  return a.status === b.status && canonicalText(a.evidence) === canonicalText(b.evidence) && canonicalText((a.errors ?? []).map((e) => e.code)) === canonicalText((b.errors ?? []).map((e) => e.code));
}

/** A first run: the baseline file does not exist yet, so every failure and error is new. */
export function firstRunComparison(current: Pick<Results, 'findings'>, file: string): { findings: Finding[]; comparison: BaselineComparison } {
  const counts: Record<BaselineState, number> = { new: 0, unchanged: 0, updated: 0, absent: 0 };
  let newFailures = 0;
  const findings = current.findings.map((f) => {
    if (!compared(f)) return f;
    counts.new++;
    if (f.status === 'fail') newFailures++;
    return withFields(f, { baselineState: 'new' });
  });
  return { findings, comparison: { file, kind: 'none', counts, newFailures, absent: [], firstRun: true } };
}

/**
 * The findings of `current` with their baseline state, and the comparison results.json keeps.
 * `file` and `kind` only label the comparison.
 */
export function compareWithBaseline(
  current: Pick<Results, 'partition' | 'accounts' | 'rules' | 'findings'>,
  baseline: BaselineRun,
  label: { file: string; kind: 'results' | 'snapshot' },
): { findings: Finding[]; comparison: BaselineComparison } {
  const rulesNow = new Set(current.rules.map((r) => r.id));
  const rulesBefore = new Set(baseline.rules.map((r) => r.id));
  // The scope rule appears only in runs that had gaps; it is always part of both runs.
  rulesNow.add(SCOPE_RULE.id);
  rulesBefore.add(SCOPE_RULE.id);
  const accountsNow = new Set(current.accounts.map((a) => a.id));
  const accountsBefore = new Set(baseline.accounts.map((a) => a.id));
  // An account one run scanned and the other did not is outside the comparison; resources of
  // accounts neither run scanned (a partner's bucket a trail writes to) were judged by both.
  const shared = (f: Finding): boolean => rulesNow.has(f.ruleId) && rulesBefore.has(f.ruleId) && accountsNow.has(f.resource.accountId) === accountsBefore.has(f.resource.accountId);

  const before = new Map<string, Finding>();
  for (const f of baseline.findings) if (compared(f) && shared(f)) before.set(findingIdentity(f, baseline.partition), f);

  const counts: Record<BaselineState, number> = { new: 0, unchanged: 0, updated: 0, absent: 0 };
  let newFailures = 0;
  let outside = 0;
  /** Identities of this run's findings (any status, suppressed too), and the resources it saw. */
  const seenNow = new Set<string>();
  const resourcesNow = new Set<string>();
  const findings = current.findings.map((f): Finding => {
    const identity = findingIdentity(f, current.partition);
    seenNow.add(identity);
    resourcesNow.add(f.resource.arn);
    if (!compared(f)) return f;
    if (!shared(f)) {
      outside++;
      return f;
    }
    const old = before.get(identity);
    let state: BaselineState;
    if (!old) state = 'new';
    else state = sameOutcome(f, old) ? 'unchanged' : 'updated';
    counts[state]++;
    const classified = withFields(f, { baselineState: state, ...(state === 'updated' && old!.status !== f.status ? { baselineStatus: old!.status } : {}) });
    if (f.status === 'fail' && (state === 'new' || (state === 'updated' && old!.status !== 'fail'))) newFailures++;
    return classified;
  });

  const absent: AbsentFinding[] = [];
  const stillFailing = new Set(current.findings.filter((f) => compared(f) || f.suppression).map((f) => findingIdentity(f, current.partition)));
  for (const [identity, old] of before) {
    if (stillFailing.has(identity)) continue;
    absent.push({
      ruleId: old.ruleId,
      status: old.status,
      severity: old.severity,
      resource: old.resource,
      message: old.message,
      reason: seenNow.has(identity) || resourcesNow.has(old.resource.arn) ? 'fixed' : 'removed',
    });
  }
  counts.absent = absent.length;
  for (const f of baseline.findings) if (compared(f) && !shared(f)) outside++;

  const onlyOneRules = [...new Set([...rulesNow, ...rulesBefore])].filter((id) => !(rulesNow.has(id) && rulesBefore.has(id))).sort();
  const onlyOneAccounts = [...new Set([...accountsNow, ...accountsBefore])].filter((id) => !(accountsNow.has(id) && accountsBefore.has(id))).sort();
  const comparison: BaselineComparison = {
    file: label.file,
    kind: label.kind,
    time: baseline.snapshotTime,
    counts,
    newFailures,
    absent,
    ...(onlyOneRules.length || onlyOneAccounts.length ? { outsideScope: { rules: onlyOneRules, accounts: onlyOneAccounts, findings: outside } } : {}),
  };
  return { findings, comparison };
}
