/**
 * `--rules`, `--exclude-rules` and `--severity`: which of the loaded rules a run evaluates. Rule
 * patterns are ids or globs (`*`, `?`), matched by the suppressions' linear-time matcher, so a
 * hostile pattern cannot make matching slow. A pattern that names no loaded rule is a mistake
 * (a typo would otherwise select nothing, or exclude nothing, silently): a usage error that
 * suggests the nearest ids.
 */
import { UserError } from '../errors.js';
import type { Severity } from '../results.js';
import { suppressionMatcher } from './suppressions.js';

export interface RuleSelection {
  rules?: readonly string[];
  excludeRules?: readonly string[];
  severities?: readonly Severity[];
}

/** How a door names the options in its messages (`--rules`, `input 'rules'`). */
type Namer = (name: 'onlyRules' | 'excludeRules' | 'severity') => string;

const defaultNamer: Namer = (name) => ({ onlyRules: '--rules', excludeRules: '--exclude-rules', severity: '--severity' })[name];

/** Levenshtein distance, bounded: ids are short, and only the nearest few matter. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The ids nearest to a pattern that matched nothing: same name in another group, or a few edits away. */
export function nearestIds(pattern: string, ids: readonly string[], limit = 3): string[] {
  const bare = pattern.replace(/[*?]/g, '');
  const name = bare.split('/').at(-1) ?? bare;
  return ids
    .map((id) => ({ id, score: id.split('/').at(-1) === name && name !== '' ? 0 : distance(bare, id) }))
    .filter(({ id, score }) => score <= Math.max(2, Math.floor(id.length / 4)))
    .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map(({ id }) => id);
}

function unmatched(patterns: readonly string[] | undefined, ids: readonly string[]): string[] {
  return (patterns ?? []).filter((pattern) => {
    const matches = suppressionMatcher(pattern);
    return !ids.some((id) => matches(id));
  });
}

/**
 * The rules to evaluate. `known` are every loaded rule's ids (disabled ones and those outside
 * `--pack` included): a pattern is checked against them, so naming a rule the pack leaves out is
 * not a typo. Throws a UserError naming every pattern that matches nothing, with suggestions.
 */
export function selectRules<R extends { id: string; severity: Severity }>(rules: readonly R[], known: readonly string[], selection: RuleSelection, nameOf: Namer = defaultNamer): R[] {
  const problems = [
    ...unmatched(selection.rules, known).map((pattern) => ({ option: nameOf('onlyRules'), pattern })),
    ...unmatched(selection.excludeRules, known).map((pattern) => ({ option: nameOf('excludeRules'), pattern })),
  ].map(({ option, pattern }) => {
    const near = nearestIds(pattern, known);
    return `${option} '${pattern}' matches no rule${near.length ? `; did you mean ${near.join(', ')}?` : ' (trailwarden rules lists them)'}`;
  });
  if (problems.length === 1) throw new UserError(problems[0]!);
  if (problems.length > 1) throw new UserError(`${problems.length} rule patterns match no rule:\n  ${problems.join('\n  ')}`);
  const included = selection.rules?.length ? selection.rules.map(suppressionMatcher) : undefined;
  const excluded = (selection.excludeRules ?? []).map(suppressionMatcher);
  const severities = selection.severities?.length ? new Set(selection.severities) : undefined;
  return rules.filter((rule) => (!included || included.some((m) => m(rule.id))) && !excluded.some((m) => m(rule.id)) && (!severities || severities.has(rule.severity)));
}
