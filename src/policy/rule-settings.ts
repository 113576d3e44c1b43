/**
 * The policy half of trailwarden.config.yaml: per-rule settings (parameters, severity, enabled)
 * and suppressions, and the check that they name rules and parameters that exist. The run-option
 * half, and reading the file, belong to options/.
 */
import type { Diagnostic } from '../errors.js';
import { closestName } from '../objects.js';
import type { CompiledRule } from '../engine/evaluate.js';
import type { ParamValue } from '../language/types.js';
import { SCOPE_RULE_ID } from '../engine/scope.js';
import type { Severity } from '../results.js';
import { isGlob, suppressionMatcher, type SuppressionEntry } from './suppressions.js';
import { diagnosticAt, type YamlSource } from './yaml-source.js';

export interface RuleSettings {
  enabled?: boolean;
  severity?: Severity;
  params?: Record<string, ParamValue>;
}

export interface PolicySettings {
  rules: Record<string, RuleSettings>;
  suppressions: SuppressionEntry[];
  /** The config file they came from, for located diagnostics; absent when there is none. */
  source?: YamlSource;
}

export const NO_POLICY_SETTINGS: PolicySettings = { rules: {}, suppressions: [] };

function didYouMean(ruleId: string, allRules: readonly CompiledRule[]): string {
  const meant = closestName(ruleId, allRules.map((r) => r.id));
  return meant ? ` (did you mean '${meant}'?)` : '';
}

/**
 * Config entries that name rules or parameters that do not exist are mistakes, not no-ops.
 * `allRules` includes rules the configuration disables: they are known, only not evaluated.
 */
export function checkSettingsAgainstRules(settings: PolicySettings, allRules: readonly CompiledRule[]): Diagnostic[] {
  const { source } = settings;
  if (!source) return [];
  const byId = new Map(allRules.map((r) => [r.id, r]));
  const out: Diagnostic[] = [];
  for (const [id, ruleSettings] of Object.entries(settings.rules)) {
    const rule = byId.get(id);
    if (!rule) {
      out.push(diagnosticAt(source, ['rules'], 'config/unknown-rule', `rule '${id}' does not exist`, id));
      continue;
    }
    for (const [name, value] of Object.entries(ruleSettings.params ?? {})) {
      const spec = rule.params[name];
      if (!spec) {
        const known = Object.keys(rule.params);
        out.push(diagnosticAt(source, ['rules', id, 'params'], 'config/unknown-param', `rule '${id}' has no parameter '${name}'${known.length ? ` (it has: ${known.join(', ')})` : ' (it takes none)'}`, name));
      } else if (rule.paramValues[name] !== value) {
        out.push(diagnosticAt(source, ['rules', id, 'params', name], 'config/param-type', `parameter '${name}' of '${id}' must be ${spec.type}`));
      }
    }
  }
  settings.suppressions.forEach((entry, index) => {
    const known = isGlob(entry.rule) ? allRules.some((r) => suppressionMatcher(entry.rule)(r.id)) : byId.has(entry.rule);
    if (entry.rule === SCOPE_RULE_ID) {
      out.push(diagnosticAt(source, ['suppressions', index, 'rule'], 'config/unsuppressible-rule', `${SCOPE_RULE_ID} cannot be suppressed: it reports what the scan could not see`));
    } else if (!known) {
      out.push(
        diagnosticAt(
          source,
          ['suppressions', index, 'rule'],
          'config/unknown-rule',
          isGlob(entry.rule) ? `suppression pattern '${entry.rule}' matches no rule` : `suppression names rule '${entry.rule}', which does not exist${didYouMean(entry.rule, allRules)}`,
        ),
      );
    }
  });
  return out;
}
