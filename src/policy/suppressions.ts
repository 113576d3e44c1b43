/**
 * Suppressions (SPEC §4): rule id + resource (ARN, account id or glob) + reason + expiry. An expired
 * suppression stops applying and is reported. Pure: `now` is an argument.
 */
import { wildcardMatch } from '../aws-policy/policy-document.js';
import type { Diagnostic } from '../errors.js';
import { withFields, type ExpiredSuppression, type Finding } from '../results.js';
import { diagnosticAt, type YamlSource } from './yaml-source.js';

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

/** Where a suppression entry is: its place in the config file, or the entry's index without one. */
function entryAt(source: YamlSource | undefined, index: number, code: string, message: string): Diagnostic {
  return source ? diagnosticAt(source, ['suppressions', index], code, message) : { file: '(configuration)', line: 0, column: 0, code, message: `suppressions[${index}] ${message}` };
}

/** Suppressions that silence every failing finding of every rule: almost always a mistake. */
export function suppressionWarnings(entries: readonly SuppressionEntry[], source?: YamlSource): Diagnostic[] {
  return entries.flatMap((e, index) =>
    matchesEverything(e.rule) && matchesEverything(e.resource)
      ? [entryAt(source, index, 'suppression/catch-all', `rule '${e.rule}' and resource '${e.resource}' (${e.reason}) silences every failing finding of every rule`)]
      : [],
  );
}

/**
 * Entries in force that suppressed nothing in this scan: a resource that is gone or fixed, or a
 * typo in the resource pattern. (A rule id that does not exist is a config error, caught at load.)
 */
export function unusedSuppressionWarnings(entries: readonly SuppressionEntry[], unused: readonly number[], source?: YamlSource): Diagnostic[] {
  return unused.map((index) => {
    const e = entries[index]!;
    return entryAt(source, index, 'suppression/unused', `rule '${e.rule}' and resource '${e.resource}' match no failing or unevaluated finding of this scan; remove the entry if the finding is fixed or gone`);
  });
}

function expiredBy(expires: string | undefined, now: Date): boolean {
  if (!expires) return false;
  // The suppression holds through the whole expiry day (UTC).
  return now.getTime() >= Date.parse(`${expires}T00:00:00Z`) + 86_400_000;
}

/**
 * Marks the failing and unevaluated findings an entry in force matches. `unused` are the indexes
 * of entries in force that matched none of them.
 */
export function applySuppressions(findings: Finding[], entries: readonly SuppressionEntry[], now: Date): { findings: Finding[]; expired: ExpiredSuppression[]; unused: number[] } {
  const active = entries
    .map((e, index) => ({ entry: e, index, rule: suppressionMatcher(e.rule), resource: suppressionMatcher(e.resource) }))
    .filter((s) => !expiredBy(s.entry.expires, now));
  const used = new Set<number>();
  const expired = entries
    .filter((e) => expiredBy(e.expires, now))
    .map((e) => ({ ruleId: e.rule, resource: e.resource, reason: e.reason, expires: e.expires! }));
  const out = findings.map((f) => {
    if (f.status !== 'fail' && f.status !== 'error') return f;
    const matches = (s: (typeof active)[number]) => s.rule(f.ruleId) && (s.resource(f.resource.arn) || s.resource(f.resource.accountId));
    const hit = active.find(matches);
    if (!hit) return f;
    // Every matching entry is in use, not only the first: a narrower duplicate is not "unused".
    for (const s of active) if (s === hit || matches(s)) used.add(s.index);
    return withFields(f, { suppression: { reason: hit.entry.reason, ...(hit.entry.expires ? { expires: hit.entry.expires } : {}) } });
  });
  return { findings: out, expired, unused: active.filter((s) => !used.has(s.index)).map((s) => s.index) };
}
