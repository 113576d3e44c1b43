/**
 * One resolution for both doors (CLI and Action): the options given (flags or inputs) over the
 * config file over the defaults, checked together so that every problem is reported at once.
 */
import { definedOnly } from '../objects.js';
import { parseIntegrityWindow } from '../collectors/map/integrity.js';
import { UserError } from '../errors.js';
import type { FailOn, FailOnIncomplete, Status } from '../results.js';
import type { RuleSelection } from '../policy/rule-selection.js';
import { DEFAULT_FORMATS, type Format } from '../reporters/formats.js';
import type { ConfigFile } from './config-file.js';
import { OPTION_SPECS, longName, type OptionName, type OptionSpec, type RunOptions } from './schema.js';

const DEFAULT_OUT_DIR = 'trailwarden-results';

/** Where the snapshot comes from. */
export type SnapshotChoice =
  | { kind: 'demo' }
  /** Saved snapshots (files or folders of them); several are evaluated as their union. */
  | { kind: 'files'; paths: string[]; origin: string }
  | { kind: 'collect'; collect: CollectChoice }
  /** A planned configuration, evaluated before deploy: a Terraform plan's JSON or a CloudFormation template. */
  /** The .tf lines come from --iac, else from the plan file's folder. */
  | { kind: 'plan'; file: string }
  | { kind: 'template'; file: string };

interface CollectChoice {
  org: boolean;
  regions: 'all' | string[];
  profile?: string;
  accounts?: string[];
  roleName?: string;
  externalId?: string;
  shard?: { index: number; count: number };
  concurrency?: number;
  maxConcurrency?: number;
  lakeAllAccounts?: boolean;
  verifyIntegrity?: { windowHours: number; files: boolean };
}

export interface ReportChoice {
  formats: Format[];
  outDir: string;
  failOn: FailOn;
  /** --fail-on-incomplete: which incompleteness exits 3 (default any). */
  failOnIncomplete?: FailOnIncomplete;
  /** --fail-on-new: the exit code counts only failures new since the baseline. */
  failOnNew?: boolean;
  category?: string;
  /** --status (or --quiet's fail): the statuses the console lists finding by finding. */
  statuses?: Status[];
  /** --quiet: the console shows only those findings and the verdict. */
  quiet?: boolean;
}

interface ResolvedRun {
  snapshot: SnapshotChoice;
  report: ReportChoice;
  policies: string[];
  pack?: string;
  saveSnapshot?: string;
  /** --baseline: a previous results.json or snapshot. */
  baseline?: string;
  /** --iac: Terraform and CloudFormation paths whose definitions locate findings. */
  iac?: string[];
  /** --rules, --exclude-rules, --severity. */
  selection: RuleSelection;
}

/** The options that only mean something when trailwarden collects from AWS. */
const COLLECTING: readonly OptionName[] = [
  'org',
  'accounts',
  'roleName',
  'externalId',
  'profile',
  'regions',
  'shard',
  'concurrency',
  'maxConcurrency',
  'verifyIntegrity',
  'verifyIntegrityFiles',
];

export function flagOf(name: OptionName): string {
  return `--${longName(OPTION_SPECS[name] as OptionSpec) ?? name}`;
}

/** How a door names an option in its messages: `--role-name` on the command line, `input 'role-name'` in the Action. */
export type OptionNamer = (name: OptionName) => string;

/**
 * `given` holds what the command line or the Action's inputs said (absent = not said). Lists from
 * the config file and from `given` add up for `policies`; everything else given wins.
 */
export function resolveRun(given: RunOptions, file: ConfigFile, nameOf: OptionNamer = flagOf): ResolvedRun {
  const fromFile = file.options;
  const pick = <K extends OptionName>(name: K): RunOptions[K] => (given[name] !== undefined ? given[name] : fromFile[name]);
  const problems: string[] = [];

  const sources = (['demo', 'snapshot', 'plan', 'template'] as const).filter((name) => (name === 'snapshot' ? given.snapshot?.length : given[name] !== undefined && given[name] !== false));
  const savedSource = sources[0];
  if (sources.length > 1) {
    const saved = sources.every((name) => name === 'demo' || name === 'snapshot');
    problems.push(`${sources.map(nameOf).join(' and ')} ${saved ? 'both name a snapshot' : 'each name what to evaluate'}; choose one`);
  }
  const collecting = COLLECTING.filter((name) => given[name] !== undefined && !(name === 'org' && given.org === false));
  if (savedSource && collecting.length) {
    problems.push(`${nameOf(savedSource)} evaluates ${savedSource === 'plan' || savedSource === 'template' ? 'a planned configuration' : 'a saved snapshot'}; it cannot be combined with ${collecting.map(nameOf).join(', ')}`);
  }

  let snapshot: SnapshotChoice;
  if (given.demo) snapshot = { kind: 'demo' };
  else if (given.plan !== undefined) snapshot = { kind: 'plan', file: given.plan };
  else if (given.template !== undefined) snapshot = { kind: 'template', file: given.template };
  else if (given.snapshot?.length) snapshot = { kind: 'files', paths: given.snapshot, origin: nameOf('snapshot') };
  else {
    const accounts = pick('accounts');
    const org = pick('org') ?? false;
    const roleName = pick('roleName');
    if (accounts?.length && !org && !roleName && accounts.length > 1) problems.push(`${nameOf('accounts')} with more than one account needs ${nameOf('roleName')} (the role to assume in each)`);
    if (org && !roleName) problems.push(`${nameOf('org')} needs ${nameOf('roleName')}: the read-only role trailwarden assumes in each member account`);
    const window = pick('verifyIntegrity');
    const verifyFiles = pick('verifyIntegrityFiles') ?? false;
    let windowHours: number | undefined;
    if (window !== undefined) {
      try {
        windowHours = parseIntegrityWindow(window);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        problems.push(err.message);
      }
    } else if (verifyFiles) problems.push(`${nameOf('verifyIntegrityFiles')} needs ${nameOf('verifyIntegrity')} WINDOW (e.g. 24h)`);
    const optional = {
      profile: pick('profile'),
      accounts,
      roleName,
      externalId: pick('externalId'),
      shard: given.shard,
      concurrency: pick('concurrency'),
      maxConcurrency: pick('maxConcurrency'),
      lakeAllAccounts: pick('lakeAllAccounts') || undefined,
      verifyIntegrity: windowHours !== undefined ? { windowHours, files: verifyFiles } : undefined,
    };
    snapshot = {
      kind: 'collect',
      collect: {
        org,
        regions: pick('regions') ?? 'all',
        ...definedOnly<Omit<CollectChoice, 'org' | 'regions'>>(optional),
      },
    };
  }

  if (pick('failOnNew') && pick('baseline') === undefined) problems.push(`${nameOf('failOnNew')} needs ${nameOf('baseline')} FILE (the previous run's results.json or snapshot)`);

  if (problems.length === 1) throw new UserError(problems[0]!);
  if (problems.length > 1) throw new UserError(`${problems.length} problems with the options:\n  ${problems.join('\n  ')}`);

  const category = pick('category');
  const pack = pick('pack');
  const saveSnapshot = given.saveSnapshot;
  const baseline = pick('baseline');
  // 'none' turns off the Action's default (the checked-out repository).
  const iacPaths = pick('iac');
  const iac = iacPaths?.length === 1 && iacPaths[0] === 'none' ? undefined : iacPaths;
  const quiet = pick('quiet') ?? false;
  const statuses = pick('status') ?? (quiet ? ['fail' as const] : undefined);
  const selection = definedOnly<RuleSelection>({ rules: pick('onlyRules'), excludeRules: pick('excludeRules'), severities: pick('severity') });
  return {
    selection,
    snapshot,
    report: {
      formats: pick('format') ?? [...DEFAULT_FORMATS],
      outDir: pick('outDir') ?? DEFAULT_OUT_DIR,
      failOn: pick('failOn') ?? 'high',
      failOnIncomplete: pick('failOnIncomplete') ?? 'any',
      ...(pick('failOnNew') ? { failOnNew: true } : {}),
      ...(category !== undefined ? { category } : {}),
      ...(statuses !== undefined ? { statuses } : {}),
      ...(quiet ? { quiet } : {}),
    },
    policies: [...(fromFile.policies ?? []), ...(given.policies ?? [])],
    ...(pack !== undefined ? { pack } : {}),
    ...(saveSnapshot !== undefined ? { saveSnapshot } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(iac?.length ? { iac } : {}),
  };
}
