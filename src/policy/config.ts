/**
 * trailwarden.config.yaml: scan options, per-rule settings (parameters, severity, enabled) and
 * suppressions. Flags win over the file (SPEC §2).
 */
import { readFile } from 'node:fs/promises';
import { UserError, type Diagnostic } from '../errors.js';
import type { Severity } from '../results.js';
import type { ParamValue } from './types.js';
import type { CompiledRule } from '../engine/evaluate.js';
import { configSchema } from './policy-schema.js';
import { SCOPE_RULE_ID } from '../engine/scope.js';
import { isGlob, suppressionMatcher } from './suppressions.js';
import { compileSchema, diagnosticAt, parseYaml, schemaDiagnostics, type YamlSource } from './yaml-source.js';

export const DEFAULT_CONFIG_FILE = 'trailwarden.config.yaml';

export interface RuleSettings {
  enabled?: boolean;
  severity?: Severity;
  params?: Record<string, ParamValue>;
}

export interface SuppressionEntry {
  rule: string;
  resource: string;
  reason: string;
  expires?: string;
}

export interface Config {
  profile?: string;
  org?: boolean;
  accounts?: string[];
  roleName?: string;
  externalId?: string;
  regions?: 'all' | string[];
  policies?: string[];
  pack?: string;
  format?: string[];
  outDir?: string;
  failOn?: string;
  category?: string;
  concurrency?: number;
  lakeAllAccounts?: boolean;
  rules?: Record<string, RuleSettings>;
  suppressions?: SuppressionEntry[];
}

export interface LoadedConfig {
  config: Config;
  source?: YamlSource;
}

export function parseConfig(text: string, file: string): LoadedConfig {
  const source = parseYaml(text, file);
  if (source.diagnostics.length) throw new UserError(`configuration ${file} is not valid YAML`, source.diagnostics);
  if (source.data === null || source.data === undefined) return { config: {}, source };
  const diagnostics = schemaDiagnostics(source, compileSchema(configSchema));
  if (diagnostics.length) throw new UserError(`configuration ${file} has ${diagnostics.length} problem(s)`, diagnostics);
  return { config: source.data as Config, source };
}

/** Read the config file: an explicit path must exist; the default one is optional. */
export async function readConfig(file: string | undefined): Promise<LoadedConfig> {
  const target = file ?? DEFAULT_CONFIG_FILE;
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (err) {
    if (!file && (err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {} };
    throw new UserError(`cannot read configuration ${target}`, [
      { file: target, line: 0, column: 0, code: 'config/unreadable', message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read file' },
    ]);
  }
  return parseConfig(text, target);
}

/** Config entries that name rules or parameters that do not exist are mistakes, not no-ops. */
export function checkConfigAgainstRules(loaded: LoadedConfig, allRules: readonly CompiledRule[]): Diagnostic[] {
  const { config, source } = loaded;
  if (!source) return [];
  const byId = new Map(allRules.map((r) => [r.id, r]));
  const out: Diagnostic[] = [];
  for (const [id, settings] of Object.entries(config.rules ?? {})) {
    const rule = byId.get(id);
    if (!rule) {
      out.push(diagnosticAt(source, ['rules'], 'config/unknown-rule', `rule '${id}' does not exist`, id));
      continue;
    }
    for (const [name, value] of Object.entries(settings.params ?? {})) {
      const spec = rule.params[name];
      if (!spec) {
        const known = Object.keys(rule.params);
        out.push(diagnosticAt(source, ['rules', id, 'params'], 'config/unknown-param', `rule '${id}' has no parameter '${name}'${known.length ? ` (it has: ${known.join(', ')})` : ' (it takes none)'}`, name));
      } else if (rule.paramValues[name] !== value) {
        out.push(diagnosticAt(source, ['rules', id, 'params', name], 'config/param-type', `parameter '${name}' of '${id}' must be ${spec.type}`));
      }
    }
  }
  (config.suppressions ?? []).forEach((entry, index) => {
    const known = isGlob(entry.rule) ? allRules.some((r) => suppressionMatcher(entry.rule)(r.id)) : byId.has(entry.rule);
    if (entry.rule === SCOPE_RULE_ID) {
      out.push(diagnosticAt(source, ['suppressions', index, 'rule'], 'config/unsuppressible-rule', `${SCOPE_RULE_ID} cannot be suppressed: it reports what the scan could not see`));
    } else if (!known) {
      out.push(
        diagnosticAt(
          source,
          ['suppressions', index, 'rule'],
          'config/unknown-rule',
          isGlob(entry.rule) ? `suppression pattern '${entry.rule}' matches no rule` : `suppression names rule '${entry.rule}', which does not exist`,
        ),
      );
    }
  });
  return out;
}
