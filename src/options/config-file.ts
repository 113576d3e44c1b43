/**
 * trailwarden.config.yaml: every run option the config file may set (options/schema.ts), per-rule
 * settings and suppressions (policy/rule-settings.ts). Its JSON Schema is derived from those two
 * and published as schemas/config.schema.json.
 */
import { stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { readTextInput } from '../files.js';
import { ruleSettingsSchema, suppressionsSchema } from '../policy/policy-schema.js';
import { NO_POLICY_SETTINGS, type PolicySettings, type RuleSettings } from '../policy/rule-settings.js';
import type { SuppressionEntry } from '../policy/suppressions.js';
import { compileSchema, parseYaml, schemaDiagnostics } from '../policy/yaml-source.js';
import { configFileOptionSchemas, type RunOptions } from './schema.js';

const DEFAULT_CONFIG_FILE = 'trailwarden.config.yaml';

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://trailwarden.dev/schemas/config.schema.json',
  title: 'trailwarden.config.yaml',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    ...configFileOptionSchemas(),
    rules: ruleSettingsSchema,
    suppressions: suppressionsSchema,
  },
};

export interface ConfigFile {
  /** The file read, or undefined when there is none (the default file is optional). */
  file?: string;
  options: RunOptions;
  policy: PolicySettings;
}

export const NO_CONFIG_FILE: ConfigFile = { options: {}, policy: NO_POLICY_SETTINGS };

export function parseConfigFile(text: string, file: string): ConfigFile {
  const source = parseYaml(text, file);
  if (source.diagnostics.length) throw new UserError(`configuration ${file} is not valid YAML`, source.diagnostics);
  if (source.data === null || source.data === undefined) return { file, options: {}, policy: { ...NO_POLICY_SETTINGS, source } };
  const diagnostics = schemaDiagnostics(source, compileSchema('config', configSchema));
  if (diagnostics.length) throw new UserError(`configuration ${file} has ${diagnostics.length} problem(s)`, diagnostics);
  const { $schema: _schema, rules, suppressions, ...options } = source.data as RunOptions & {
    $schema?: string;
    rules?: Record<string, RuleSettings>;
    suppressions?: SuppressionEntry[];
  };
  return { file, options, policy: { rules: rules ?? {}, suppressions: suppressions ?? [], source } };
}

/** Read the config file: an explicit path must exist; the default one is optional. */
export async function readConfigFile(file: string | undefined): Promise<ConfigFile> {
  const target = file ?? DEFAULT_CONFIG_FILE;
  if (!file) {
    const present = await stat(target).then(
      () => true,
      (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
    );
    if (!present) return NO_CONFIG_FILE;
  }
  // A FIFO, folder or device is refused before it is opened (opening a FIFO would block).
  return parseConfigFile(await readTextInput(target, { code: 'config', what: 'configuration' }), target);
}
