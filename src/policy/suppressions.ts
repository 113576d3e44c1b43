/**
 * Suppressions (SPEC §4): rule id + resource (ARN, account id or glob) + reason + expiry. An expired
 * suppression stops applying and is reported. Pure: `now` is an argument.
 */
import { wildcardMatch } from '../engine/analysis/policy-document.js';
import type { Finding } from '../results.js';
import type { SuppressionEntry } from './config.js';

export interface ExpiredSuppression {
  ruleId: string;
  resource: string;
  reason: string;
  expires: string;
}

/**
 * `*` matches any run of characters, `/` and `:` included (ARNs are not file paths), `?` one
 * character; everything else is literal. Matched without backtracking (a glob library compiles to a
 * backtracking RegExp: `a*a*a*a*a*a*b` against a long ARN took seconds).
 */
function matcher(pattern: string): (value: string) => boolean {
  return (value) => wildcardMatch(pattern, value);
}

function expiredBy(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  // The suppression holds through the whole expiry day (UTC).
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

export function applySuppressions(findings: Finding[], entries: readonly SuppressionEntry[], now: Date): { findings: Finding[]; expired: ExpiredSuppression[] } {
  const active = entries
    .filter((e) => !expiredBy(e.expires, now))
    .map((e) => ({ entry: e, rule: matcher(e.rule), resource: matcher(e.resource) }));
  const expired = entries
    .filter((e) => expiredBy(e.expires, now))
    .map((e) => ({ ruleId: e.rule, resource: e.resource, reason: e.reason, expires: e.expires! }));
  const out = findings.map((f) => {
    if (f.status !== 'fail' && f.status !== 'error') return f;
    const hit = active.find((s) => s.rule(f.ruleId) && (s.resource(f.resource.arn) || s.resource(f.resource.accountId)));
    if (!hit) return f;
    return { ...f, suppression: { reason: hit.entry.reason, ...(hit.entry.expires ? { expires: hit.entry.expires } : {}) } };
  });
  return { findings: out, expired };
}
