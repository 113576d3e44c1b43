/**
 * The per-control rollup of a framework pack (issue 17: "the view an auditor asks for"): for each
 * control, how many of the scanned accounts pass it, fail it, could not be evaluated on it, or
 * have nothing it applies to. Computed once here, from the findings; every reporter renders it.
 *
 * An account's verdict on a control is the worst of the findings of the control's rules on the
 * account's resources: fail over error over pass; no finding, or only not-applicable ones, is
 * not applicable. Suppressed findings are accepted by configuration and count as passing.
 * Findings on resources of accounts outside the scan (a partner's log bucket) have no scanned
 * account to count against and are left out. Pure.
 */
import type { ControlRollup, Finding, Results } from '../results.js';

export interface ControlDefinition {
  id: string;
  title: string;
  rules: readonly string[];
}

type Verdict = 'pass' | 'fail' | 'error' | 'not_applicable';
const WORSE: Record<Verdict, number> = { fail: 3, error: 2, pass: 1, not_applicable: 0 };

function verdictOf(finding: Finding): Verdict {
  return finding.suppression ? 'pass' : finding.status;
}

/** Dotted control ids in numeric order: 1.10 after 1.9. */
function compareControlIds(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const d = x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d;
  }
  return 0;
}

export function controlRollup(results: Pick<Results, 'accounts' | 'findings'>, pack: { id: string; title: string; controls: readonly ControlDefinition[] }): ControlRollup {
  const accountIds = results.accounts.map((account) => account.id);
  const scanned = new Set(accountIds);
  // rule id -> account id -> worst verdict
  const byRule = new Map<string, Map<string, Verdict>>();
  for (const finding of results.findings) {
    const accountId = finding.resource.accountId;
    if (!scanned.has(accountId)) continue;
    let perAccount = byRule.get(finding.ruleId);
    if (!perAccount) byRule.set(finding.ruleId, (perAccount = new Map()));
    const verdict = verdictOf(finding);
    const before = perAccount.get(accountId);
    if (before === undefined || WORSE[verdict] > WORSE[before]) perAccount.set(accountId, verdict);
  }
  const controls = [...pack.controls].sort((a, b) => compareControlIds(a.id, b.id)).map((control) => {
    const counts = { pass: 0, fail: 0, error: 0, not_applicable: 0 };
    const failing: string[] = [];
    const unevaluated: string[] = [];
    for (const accountId of accountIds) {
      let verdict: Verdict = 'not_applicable';
      for (const ruleId of control.rules) {
        const v = byRule.get(ruleId)?.get(accountId);
        if (v !== undefined && WORSE[v] > WORSE[verdict]) verdict = v;
      }
      counts[verdict] += 1;
      if (verdict === 'fail') failing.push(accountId);
      if (verdict === 'error') unevaluated.push(accountId);
    }
    return {
      id: control.id,
      title: control.title,
      rules: [...control.rules],
      passing: counts.pass,
      failing: counts.fail,
      unevaluated: counts.error,
      notApplicable: counts.not_applicable,
      failingAccounts: failing.sort(),
      unevaluatedAccounts: unevaluated.sort(),
    };
  });
  return { pack: pack.id, title: pack.title, accounts: accountIds.length, controls };
}

/** "62%" of the scanned accounts; "–" when there are none. Floored, so 99.9% never reads as 100%. */
export function accountShare(count: number, accounts: number): string {
  return accounts === 0 ? '–' : `${Math.floor((count / accounts) * 100)}%`;
}
