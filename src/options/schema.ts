/**
 * The options of a run, written once. Each option's value type (TypeBox), its flag, its help text,
 * the commands that take it, whether the config file and the Action accept it, and how a flag's or
 * an input's text becomes a value all live here. From this table come the RunOptions type,
 * schemas/config.schema.json, commander's options (cli/), the Action's inputs (action/, checked
 * against action.yml) and the README's flag table (checked by a test). Adding an option means an
 * entry here and the code that uses it.
 */
import { Type, type Static, type TSchema } from 'typebox';
import { parseIntegrityWindow } from '../collectors/map/integrity.js';
import { UserError } from '../errors.js';
import { FAIL_ON_INCOMPLETE_LEVELS, FAIL_ON_LEVELS, SEVERITIES, STATUSES } from '../results.js';
import { DEFAULT_FORMATS, FORMATS, type Format } from '../reporters/formats.js';

export type CommandName = 'scan' | 'merge' | 'validate' | 'rules';

export interface OptionSpec<S extends TSchema = TSchema> {
  schema: S;
  /** commander's flag syntax, e.g. `--role-name <name>`; absent for config-file-only options. */
  flag?: string;
  help: string;
  /** Shown as "(default …)" in help, the README and the Action's input descriptions. */
  defaultText?: string;
  commands: readonly CommandName[];
  /** Settable in trailwarden.config.yaml (default true). */
  config?: boolean;
  /** An input of the GitHub Action, named like the flag (default false). */
  input?: boolean;
  /** The input's description in action.yml, when the Action's user needs other words than the flag's help. */
  inputHelp?: string;
  /** Several flags accumulate (`--policies a --policies b`). */
  repeatable?: boolean;
  /** A flag's or an input's text -> the value; throws UserError with the reason. Absent for switches. */
  parse?: (text: string) => Static<S>;
}

const option = <S extends TSchema>(spec: OptionSpec<S>): OptionSpec<S> => spec;

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function parseAccounts(value: string): string[] {
  const ids = parseList(value);
  const bad = ids.filter((id) => !ACCOUNT_ID.test(id));
  if (bad.length) throw new UserError(`account ids are 12 digits; not: ${bad.join(', ')}`);
  return ids;
}

function parseRegions(value: string): 'all' | string[] {
  if (value === 'all') return 'all';
  const regions = parseList(value);
  const bad = regions.filter((region) => !REGION_NAME.test(region));
  if (bad.length) throw new UserError(`not region names: ${bad.join(', ')} (use 'all' or e.g. us-east-1,eu-west-1)`);
  return regions;
}

function parseFormats(value: string): Format[] {
  const formats = parseList(value.toLowerCase());
  if (formats.length === 0) throw new UserError(`lists no format; choose from ${FORMATS.join(', ')}`);
  const bad = formats.filter((format) => !(FORMATS as readonly string[]).includes(format));
  if (bad.length) throw new UserError(`unknown format ${bad.join(', ')}; choose from ${FORMATS.join(', ')}`);
  return formats as Format[];
}

/** Rule ids or globs (`*`, `?`): the characters of rule ids and nothing that could be mistaken for syntax. */
function parseRulePatterns(value: string): string[] {
  const patterns = parseList(value);
  if (patterns.length === 0) throw new UserError('lists no rule id');
  const bad = patterns.filter((pattern) => !/^[A-Za-z0-9_.*?/-]{1,200}$/.test(pattern));
  if (bad.length) throw new UserError(`not rule ids or globs (letters, digits, - _ . / and the wildcards * ?): ${bad.join(', ')}`);
  return patterns;
}

function parseChoices<T extends string>(choices: readonly T[], what: string): (value: string) => T[] {
  return (value) => {
    const items = parseList(value.toLowerCase());
    if (items.length === 0) throw new UserError(`lists no ${what}; choose from ${choices.join(', ')}`);
    const bad = items.filter((item) => !(choices as readonly string[]).includes(item));
    if (bad.length) throw new UserError(`unknown ${what} ${bad.join(', ')}; choose from ${choices.join(', ')}`);
    return [...new Set(items)] as T[];
  };
}

function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UserError(`expected I/N with 1 <= I <= N, e.g. 2/8; got '${value}'`);
  return { index, count };
}

function parseChoice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new UserError(`expected one of ${choices.join(', ')}, not '${value}'`);
    return value as T;
  };
}

function parseWholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max) throw new UserError(`expected a whole number from ${min} to ${max}, not '${value}'`);
    return n;
  };
}

const text = (value: string) => value;

const AccountIdSchema = Type.String({ pattern: '^[0-9]{12}$' });
const ShardSchema = Type.Object({ index: Type.Integer({ minimum: 1 }), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const FormatSchema = Type.Enum([...FORMATS]);
const FailOnSchema = Type.Enum([...FAIL_ON_LEVELS]);
const FailOnIncompleteSchema = Type.Enum([...FAIL_ON_INCOMPLETE_LEVELS]);
const RulePatternSchema = Type.String({ pattern: '^[A-Za-z0-9_.*?/-]{1,200}$' });

/** In the order of `trailwarden scan --help`, the README table and action.yml. */
export const OPTION_SPECS = {
  profile: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--profile <name>',
    help: 'AWS shared-config profile (SSO profiles included); default: the standard credential chain',
    commands: ['scan'],
    parse: text,
  }),
  org: option({
    schema: Type.Boolean(),
    flag: '--org',
    help: 'discover accounts with AWS Organizations (run from the management or a delegated-admin account)',
    commands: ['scan'],
    input: true,
    inputHelp: "'true' discovers the accounts with AWS Organizations (credentials of the management or a delegated-admin account).",
  }),
  accounts: option({
    schema: Type.Array(AccountIdSchema),
    flag: '--accounts <ids>',
    help: 'explicit account ids, comma separated (with --role-name); combine with --org to restrict',
    commands: ['scan'],
    input: true,
    inputHelp: 'Account ids to scan (with role-name); with org, only these accounts of the organization.',
    parse: parseAccounts,
  }),
  roleName: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--role-name <name>',
    help: 'role assumed in every account other than the caller’s',
    commands: ['scan'],
    input: true,
    inputHelp: "The read-only role assumed in every account other than the caller's (templates/member-role.yaml).",
    parse: text,
  }),
  externalId: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--external-id <id>',
    help: 'external id the role requires, if any',
    commands: ['scan'],
    input: true,
    inputHelp: 'External id the member role requires, if any.',
    parse: text,
  }),
  regions: option({
    schema: Type.Union([Type.Literal('all'), Type.Array(Type.String())]),
    flag: '--regions <list>',
    help: "'all' (every region enabled for each account) or R1,R2",
    defaultText: 'all',
    commands: ['scan'],
    input: true,
    inputHelp: "'all' (every region enabled for each account; the default) or a list such as us-east-1,eu-west-1.",
    parse: parseRegions,
  }),
  policies: option({
    schema: Type.Array(Type.String()),
    flag: '--policies <path>',
    help: 'extra policy file or folder (repeatable); a rule with a built-in’s id overrides it',
    commands: ['scan', 'merge', 'rules'],
    input: true,
    inputHelp: "Extra policy files or folders, one per line; a rule with a built-in's id overrides it.",
    repeatable: true,
    parse: (value) => [value],
  }),
  iac: option({
    schema: Type.Array(Type.String()),
    flag: '--iac <path>',
    help: 'Terraform or CloudFormation file or folder (repeatable): findings of resources defined there point at the defining lines',
    defaultText: 'in the Action: the repository, when it holds .tf files or CloudFormation templates',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp:
      "Terraform configurations or CloudFormation templates (files or folders), one per line: each finding of a resource defined there points at the line that decides it. Default: the checked-out repository when it holds .tf files or templates; 'none' turns this off.",
    repeatable: true,
    parse: (value) => [value],
  }),
  config: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--config <file>',
    help: 'configuration file (options, rule parameters, suppressions)',
    defaultText: './trailwarden.config.yaml when present',
    commands: ['scan', 'merge', 'validate'],
    config: false,
    input: true,
    inputHelp: 'Configuration file (options, rule parameters, suppressions); default ./trailwarden.config.yaml when present.',
    parse: text,
  }),
  pack: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--pack <name>',
    help: 'evaluate only the rules of a framework pack',
    commands: ['scan', 'merge', 'rules'],
    input: true,
    inputHelp: 'Evaluate only the rules of a framework pack, e.g. cis-aws-foundations-v5.0.',
    parse: text,
  }),
  // Not `rules`: the config file's `rules:` holds per-rule settings.
  onlyRules: option({
    schema: Type.Array(RulePatternSchema, { minItems: 1 }),
    flag: '--rules <ids>',
    help: 'evaluate only these rules: ids or globs (* ?), comma separated, e.g. bucket/*,trail/log-file-validation',
    commands: ['scan', 'merge', 'rules'],
    input: true,
    inputHelp: 'Evaluate only these rules: ids or globs (* ?), comma separated or one per line. A pattern that matches no rule is an error.',
    parse: parseRulePatterns,
  }),
  excludeRules: option({
    schema: Type.Array(RulePatternSchema, { minItems: 1 }),
    flag: '--exclude-rules <ids>',
    help: 'leave these rules out: ids or globs (* ?), comma separated',
    commands: ['scan', 'merge', 'rules'],
    input: true,
    inputHelp: 'Leave these rules out: ids or globs (* ?), comma separated or one per line. A pattern that matches no rule is an error.',
    parse: parseRulePatterns,
  }),
  severity: option({
    schema: Type.Array(Type.Enum([...SEVERITIES]), { minItems: 1 }),
    flag: '--severity <levels>',
    help: `evaluate only rules of these severities: ${SEVERITIES.join(',')}`,
    commands: ['scan', 'merge', 'rules'],
    input: true,
    inputHelp: `Evaluate only rules of these severities, e.g. critical,high (any of ${SEVERITIES.join(', ')}).`,
    parse: parseChoices(SEVERITIES, 'severity'),
  }),
  status: option({
    schema: Type.Array(Type.Enum([...STATUSES]), { minItems: 1 }),
    flag: '--status <list>',
    help: `list the findings of these statuses in the console and keep only them in results.csv: ${STATUSES.join(',')} (results.json, SARIF and HTML keep every finding)`,
    commands: ['scan', 'merge'],
    parse: parseChoices(STATUSES, 'status'),
  }),
  quiet: option({
    schema: Type.Boolean(),
    flag: '--quiet',
    help: 'console: only the failing findings and the verdict; results.csv: only the failing rows (with --status: only those statuses)',
    commands: ['scan', 'merge'],
  }),
  snapshot: option({
    schema: Type.Array(Type.String()),
    flag: '--snapshot <file>',
    help: 'evaluate a saved snapshot instead of calling AWS; several (or a folder of them) are evaluated as their union, like merge',
    commands: ['scan'],
    config: false,
    input: true,
    inputHelp: 'Evaluate a saved snapshot (save-snapshot) instead of calling AWS. Several files or folders, one per line (the shards of a matrix), are evaluated as their union, like trailwarden merge.',
    repeatable: true,
    parse: (value) => [value],
  }),
  saveSnapshot: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--save-snapshot <file>',
    help: 'also write the collected snapshot',
    commands: ['scan', 'merge'],
    config: false,
    input: true,
    inputHelp: 'Also write the collected snapshot to this file; the shards of a matrix merge their snapshots exactly (trailwarden merge).',
    parse: text,
  }),
  demo: option({
    schema: Type.Boolean(),
    flag: '--demo',
    help: 'evaluate the bundled demo organization (no AWS needed)',
    commands: ['scan'],
    config: false,
  }),
  plan: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--plan <file>',
    help: 'evaluate a Terraform plan before deploy: the JSON of terraform show -json PLAN (values known only after apply are reported as such)',
    commands: ['scan'],
    config: false,
    input: true,
    inputHelp:
      'Evaluate a Terraform plan before deploy instead of calling AWS: the JSON of `terraform show -json tfplan`. Findings point at the .tf lines of the planned resources (the plan file\'s folder, or iac).',
    parse: text,
  }),
  template: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--template <file>',
    help: 'evaluate a CloudFormation template (YAML or JSON) before deploy; findings point at its lines',
    commands: ['scan'],
    config: false,
    input: true,
    inputHelp: 'Evaluate a CloudFormation template (YAML with short-form tags, or JSON) before deploy instead of calling AWS; findings point at the template\'s lines.',
    parse: text,
  }),
  format: option({
    schema: Type.Array(FormatSchema),
    flag: '--format <list>',
    help: `any of ${FORMATS.join(',')}`,
    defaultText: DEFAULT_FORMATS.join(','),
    commands: ['scan', 'merge'],
    input: true,
    inputHelp: `Report files: any of ${FORMATS.join(',')} (default ${DEFAULT_FORMATS.join(',')}). The job summary is written whatever this says.`,
    parse: parseFormats,
  }),
  outDir: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--out-dir <dir>',
    help: 'where report files go',
    defaultText: 'trailwarden-results',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp: 'Where report files go (default trailwarden-results).',
    parse: text,
  }),
  failOn: option({
    schema: FailOnSchema,
    flag: '--fail-on <level>',
    help: `exit 1 when a finding fails at or above this severity: ${FAIL_ON_LEVELS.join('|')}`,
    defaultText: 'high',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp: 'Fail the step when a finding fails at or above none|low|medium|high|critical (default high). Reports and outputs are written first.',
    parse: parseChoice(FAIL_ON_LEVELS),
  }),
  failOnIncomplete: option({
    schema: FailOnIncompleteSchema,
    flag: '--fail-on-incomplete <what>',
    help: 'exit 3 (when nothing fails at --fail-on) for: any (a fact could not be collected, or part of the scope could not be listed), scope (only accounts, regions or trails not listed), none',
    defaultText: 'any',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp:
      "Fail the step (exit 3) when the scan is incomplete: any (a fact could not be collected, or part of the scope could not be listed; the default), scope (only accounts, regions or trails that could not be listed: uploading such a SARIF would close the alerts of resources the scan could not see), none. Always reported in the summary.",
    parse: parseChoice(FAIL_ON_INCOMPLETE_LEVELS),
  }),
  baseline: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--baseline <file>',
    help: 'a previous results.json or snapshot: findings become new, unchanged, updated or absent (fixed or removed); a missing file is a first run',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp:
      "A previous run's results.json (or a snapshot, evaluated with this run's rules): findings become new, unchanged, updated or absent, and the summary leads with what changed. A file that does not exist yet is a first run: every failure is new.",
    parse: text,
  }),
  failOnNew: option({
    schema: Type.Boolean(),
    flag: '--fail-on-new',
    help: 'with --baseline: the exit code counts only new failures at or above --fail-on',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp: "'true' fails the step only on failures new since the baseline, at or above fail-on: adopt trailwarden on a backlog and still block regressions.",
  }),
  category: option({
    schema: Type.String({ minLength: 1 }),
    flag: '--category <id>',
    help: 'SARIF automationDetails.id (keeps uploads of different scans apart)',
    commands: ['scan', 'merge'],
    input: true,
    inputHelp: 'SARIF automationDetails.id; keep it stable, or code scanning alerts never close. Leave empty when upload-sarif sets the category.',
    parse: text,
  }),
  shard: option({
    schema: ShardSchema,
    flag: '--shard <I/N>',
    help: 'scan only the I-th of N deterministic slices of the accounts',
    commands: ['scan'],
    config: false,
    input: true,
    inputHelp: 'Scan only the I-th of N deterministic slices of the accounts, e.g. ${{ matrix.shard }}/4; combine the parts with trailwarden merge.',
    parse: parseShard,
  }),
  verifyIntegrity: option({
    schema: Type.String({ pattern: '^\\s*[0-9]{1,5}\\s*[hHdD]\\s*$' }),
    flag: '--verify-integrity <window>',
    help: 'verify CloudTrail digest chains over the window (24h, 7d; 1h to 90d): signatures, links and gaps',
    commands: ['scan'],
    input: true,
    parse: (value) => {
      parseIntegrityWindow(value);
      return value.trim();
    },
  }),
  verifyIntegrityFiles: option({
    schema: Type.Boolean(),
    flag: '--verify-integrity-files',
    help: 'with --verify-integrity: also read every log file the digests name and compare its SHA-256 (needs kms:Decrypt for encrypted logs)',
    commands: ['scan'],
    input: true,
  }),
  concurrency: option({
    schema: Type.Integer({ minimum: 1, maximum: 256 }),
    flag: '--concurrency <n>',
    help: 'accounts collected at once',
    defaultText: '32',
    commands: ['scan'],
    parse: parseWholeNumber(1, 256),
  }),
  maxConcurrency: option({
    schema: Type.Integer({ minimum: 1, maximum: 1024 }),
    flag: '--max-concurrency <n>',
    help: 'upper bound on AWS calls in flight at once, across all accounts and regions',
    defaultText: 'no bound beyond the rate budgets',
    commands: ['scan'],
    input: true,
    parse: parseWholeNumber(1, 1024),
  }),
  lakeAllAccounts: option({
    schema: Type.Boolean(),
    help: 'read CloudTrail Lake in every account, not only the management and delegated-admin accounts',
    commands: ['scan'],
  }),
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/** Every option of a run, each optional: what flags, inputs or the config file say. */
export const RunOptionsSchema = Type.Object(
  Object.fromEntries(Object.entries(OPTION_SPECS).map(([name, spec]) => [name, Type.Optional(spec.schema)])) as {
    [K in OptionName]: ReturnType<typeof Type.Optional<(typeof OPTION_SPECS)[K]['schema']>>;
  },
  { additionalProperties: false },
);
export type RunOptions = Static<typeof RunOptionsSchema>;

/** The options the config file may set, as JSON Schema properties. */
export function configFileOptionSchemas(): Record<string, TSchema> {
  return Object.fromEntries(
    Object.entries(OPTION_SPECS)
      .filter(([, spec]) => (spec as OptionSpec).config !== false)
      .map(([name, spec]) => [name, { ...spec.schema, description: spec.help }]),
  );
}

/** `--role-name <name>` -> `role-name` (the Action's input name and the flag's long name). */
export function longName(spec: OptionSpec): string | undefined {
  return spec.flag ? /^--([a-z-]+)/.exec(spec.flag)?.[1] : undefined;
}

/** The Action's name of an option: its flag's long name, or the option's name in kebab case when it has no flag. */
export function inputName(name: OptionName): string {
  return longName(OPTION_SPECS[name] as OptionSpec) ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function optionsFor(command: CommandName): Array<[OptionName, OptionSpec]> {
  return (Object.entries(OPTION_SPECS) as Array<[OptionName, OptionSpec]>).filter(([, spec]) => spec.commands.includes(command));
}

/** The Action's inputs, in action.yml's order. */
export const ACTION_INPUTS: ReadonlyArray<{ name: string; option: OptionName }> = (Object.entries(OPTION_SPECS) as Array<[OptionName, OptionSpec]>)
  .filter(([, spec]) => spec.input === true)
  .map(([name]) => ({ name: inputName(name), option: name }));
