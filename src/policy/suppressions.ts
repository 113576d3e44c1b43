/**
 * Suppressions (SPEC §4): rule id + resource (ARN, account id or glob) + reason + expiry. An expired
 * suppression stops applying and is reported. Pure: `now` is an argument.
 */
import { wildcardMatch } from '../aws-policy/policy-document.js';
import type { ExpiredSuppression, Finding } from '../results.js';

/** One entry of the config file's `suppressions:`. */
export interface SuppressionEntry {
  rule: string;
  resource: string;
  reason: string;
  expires?: string;
}

/**
 * `*` matches any run of characters, `/` and `:` included (ARNs are not file paths), `?` one
 * character; everything else is literal: a leading `!` does not negate (a glob library would, so
 * `!arn:...` would suppress every other resource), and braces, brackets and groups mean what they
 * read as. Matched without backtracking (a glob library compiles to a backtracking RegExp:
 * `a*a*a*a*a*a*b` against a long ARN took seconds).
 */
export function suppressionMatcher(pattern: string): (value: string) => boolean {
  return (value) => wildcardMatch(pattern, value);
}

/** True when a suppression pattern contains a wildcard (`*`, `?`). */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** A pattern made only of `*` matches everything. */
function matchesEverything(pattern: string): boolean {
  return /^\**$/.test(pattern) && pattern.length > 0;
}

/** Suppressions that silence every failing finding of every rule: almost always a mistake. */
export function suppressionWarnings(entries: readonly SuppressionEntry[]): string[] {
  return entries
    .filter((e) => matchesEverything(e.rule) && matchesEverything(e.resource))
    .map((e) => `suppression with rule '${e.rule}' and resource '${e.resource}' (${e.reason}) silences every failing finding of every rule`);
}

function expiredBy(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  // The suppression holds through the whole expiry day (UTC).
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

export function applySuppressions(findings: Finding[], entries: readonly SuppressionEntry[], now: Date): { findings: Finding[]; expired: ExpiredSuppression[] } {
  const active = entries
    .filter((e) => !expiredBy(e.expires, now))
    .map((e) => ({ entry: e, rule: suppressionMatcher(e.rule), resource: suppressionMatcher(e.resource) }));
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
