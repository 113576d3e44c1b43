/**
 * argv -> options -> library -> exit code (STYLE habit 8). The bin calls `run` and sets
 * process.exitCode; nothing here exits the process.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AbortedError, UserError, formatDiagnostic } from '../errors.js';
import type { FailOn } from '../engine/results.js';
import { readConfig, type Config } from '../policy/config.js';
import { loadSources } from '../policy/loader.js';
import { DEFAULT_FORMATS, FORMATS, type Format } from '../reporters/index.js';
import { SEVERITY_RANK } from '../results.js';
import { loadRuleSet, readPolicySources, scan, type ScanIo, type ScanOutcome, type SnapshotSource } from '../scan.js';
import { toolVersion } from '../package-root.js';
import { mergeCommand } from './merge.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress bar) and stdout supports colour. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  columns: number;
  now: () => Date;
  signal?: AbortSignal;
}

export const FAIL_ON = ['none', 'low', 'medium', 'high', 'critical'] as const;
const DEFAULT_OUT_DIR = 'trailwarden-results';

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseAccounts(value: string): string[] {
  const ids = parseList(value);
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (bad.length) throw new InvalidArgumentError(`account ids are 12 digits; not: ${bad.join(', ')}`);
  return ids;
}

export function parseRegions(value: string): 'all' | string[] {
  if (value === 'all') return 'all';
  const regions = parseList(value);
  const bad = regions.filter((r) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r));
  if (bad.length) throw new InvalidArgumentError(`not region names: ${bad.join(', ')} (use 'all' or e.g. us-east-1,eu-west-1)`);
  return regions;
}

export function parseFormats(value: string): Format[] {
  const formats = parseList(value);
  const bad = formats.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length) throw new InvalidArgumentError(`unknown format ${bad.join(', ')}; choose from ${FORMATS.join(', ')}`);
  return formats as Format[];
}

export function parseShard(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new InvalidArgumentError(`expected I/N with 1 <= I <= N, e.g. 2/8; got '${value}'`);
  return { index, count };
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected a whole number from 1 to 256');
  return n;
}

export interface ScanFlags {
  profile?: string;
  org?: boolean;
  accounts?: string[];
  roleName?: string;
  externalId?: string;
  regions?: 'all' | string[];
  policies?: string[];
  pack?: string;
  snapshot?: string;
  saveSnapshot?: string;
  demo?: boolean;
  format?: Format[];
  outDir?: string;
  failOn?: FailOn;
  config?: string;
  shard?: { index: number; count: number };
  category?: string;
  concurrency?: number;
}

function collectOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function resolveSource(flags: ScanFlags, config: Config, io: CliIo): SnapshotSource {
  const collectFlags = (['org', 'accounts', 'roleName', 'externalId', 'profile', 'shard'] as const).filter((k) => flags[k] !== undefined);
  if (flags.demo && flags.snapshot) throw new UserError('--demo and --snapshot both name a snapshot; choose one');
  if ((flags.demo || flags.snapshot) && collectFlags.length) {
    throw new UserError(`--${flags.demo ? 'demo' : 'snapshot'} evaluates a saved snapshot; it cannot be combined with ${collectFlags.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`);
  }
  if (flags.demo) return { kind: 'demo' };
  if (flags.snapshot) return { kind: 'file', file: flags.snapshot };
  const accounts = flags.accounts ?? config.accounts;
  const org = flags.org ?? config.org ?? false;
  const roleName = flags.roleName ?? config.roleName;
  if (accounts?.length && !org && !roleName && accounts.length > 1) {
    throw new UserError('--accounts with more than one account needs --role-name (the role to assume in each)');
  }
  if (org && !roleName) throw new UserError('--org needs --role-name: the read-only role trailwarden assumes in each member account');
  return {
    kind: 'collect',
    collect: async (signal) => {
      const { collectSnapshot } = await import('../collectors/index.js');
      const { createProgress } = await import('../collectors/progress.js');
      const profile = flags.profile ?? config.profile;
      const externalId = flags.externalId ?? config.externalId;
      return collectSnapshot({
        org,
        regions: flags.regions ?? config.regions ?? 'all',
        ...(profile ? { profile } : {}),
        ...(accounts ? { accounts } : {}),
        ...(roleName ? { roleName } : {}),
        ...(externalId ? { externalId } : {}),
        ...(flags.shard ? { shard: flags.shard } : {}),
        ...(flags.concurrency ?? config.concurrency ? { concurrency: flags.concurrency ?? config.concurrency } : {}),
        ...(config.lakeAllAccounts ? { lakeAllAccounts: true } : {}),
        ...(signal ? { signal } : {}),
        progress: createProgress({ tty: io.isTTY, write: io.stderr }),
        now: io.now,
      });
    },
  };
}

/** Where reports go and when the run fails: flags over the config file over the defaults (SPEC §2). */
export interface ReportOptions {
  formats: Format[];
  outDir: string;
  failOn: FailOn;
  category?: string;
}

export function reportOptions(flags: Pick<ScanFlags, 'format' | 'outDir' | 'failOn' | 'category'>, config: Config): ReportOptions {
  const category = flags.category ?? config.category;
  return {
    formats: flags.format ?? (config.format as Format[] | undefined) ?? [...DEFAULT_FORMATS],
    outDir: flags.outDir ?? config.outDir ?? DEFAULT_OUT_DIR,
    failOn: (flags.failOn ?? config.failOn ?? 'high') as FailOn,
    ...(category ? { category } : {}),
  };
}

/** What the library may do with the terminal: colour only on a TTY that allows it. */
export function scanIo(io: CliIo): ScanIo {
  const color = io.isTTY && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '') && io.env.TERM !== 'dumb';
  return { stdout: io.stdout, stderr: io.stderr, color, width: io.columns, now: io.now, ...(io.signal ? { signal: io.signal } : {}) };
}

export interface ScanRun extends ScanOutcome {
  failOn: FailOn;
}

/**
 * `scan` with the config file and defaults resolved, for the CLI, `merge` and the Action alike.
 * `source` stands in for the snapshot the flags name (merge evaluates the union of shards).
 */
export async function runScan(flags: ScanFlags, io: CliIo, source?: SnapshotSource): Promise<ScanRun> {
  const loadedConfig = await readConfig(flags.config);
  const config = loadedConfig.config;
  const report = reportOptions(flags, config);
  const outcome = await scan(
    {
      source: source ?? resolveSource(flags, config, io),
      ...(flags.saveSnapshot ? { saveSnapshot: flags.saveSnapshot } : {}),
      policies: [...(config.policies ?? []), ...(flags.policies ?? [])],
      ...((flags.pack ?? config.pack) ? { pack: flags.pack ?? config.pack } : {}),
      ...report,
      config: loadedConfig,
    },
    scanIo(io),
  );
  return { ...outcome, failOn: report.failOn };
}

export function announceFiles(files: ScanOutcome['files'], io: CliIo): void {
  const written = Object.values(files);
  if (written.length) io.stderr(`trailwarden: wrote ${written.join(', ')}\n`);
}

async function scanAction(flags: ScanFlags, io: CliIo): Promise<number> {
  const outcome = await runScan(flags, io);
  announceFiles(outcome.files, io);
  return outcome.exitCode;
}

async function validateAction(paths: string[], flags: { config?: string }, io: CliIo): Promise<number> {
  const loadedConfig = await readConfig(flags.config);
  const sources = await readPolicySources(paths);
  const result = loadSources(sources, loadedConfig.config.rules ?? {});
  const { checkConfigAgainstRules } = await import('../policy/config.js');
  const diagnostics = [...result.diagnostics, ...checkConfigAgainstRules(loadedConfig, result.allRules)];
  for (const d of diagnostics) io.stdout(`${formatDiagnostic(d)}\n`);
  const { suppressionWarnings } = await import('../policy/suppressions.js');
  for (const warning of suppressionWarnings(loadedConfig.config.suppressions ?? [])) io.stderr(`warning: ${warning}\n`);
  if (diagnostics.length) {
    io.stderr(`trailwarden: ${diagnostics.length} problem(s)\n`);
    return 2;
  }
  io.stdout(`${result.rules.length} rules and ${result.packs.length} packs are valid.\n`);
  return 0;
}

async function rulesAction(flags: { pack?: string; json?: boolean; policies?: string[] }, io: CliIo): Promise<number> {
  const ruleSet = await loadRuleSet(flags.policies ?? [], { config: {} }, flags.pack);
  const pack = flags.pack ? ruleSet.packs.find((p) => p.id === flags.pack) : undefined;
  const controlsOf = (id: string) =>
    pack ? (pack.controls ?? []).filter((c) => c.rules.includes(id)).map((c) => c.id) : Object.entries(ruleSet.rules.find((r) => r.id === id)!.frameworks).flatMap(([k, v]) => v.map((c) => `${k}:${c}`));
  const rows = [...ruleSet.rules]
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.id < b.id ? -1 : 1))
    .map((r) => ({ id: r.id, severity: r.severity, scope: r.scope, title: r.title, controls: controlsOf(r.id) }));
  if (flags.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...rows.map((r) => r.id.length), 4);
  io.stdout(`${'RULE'.padEnd(idWidth)}  SEVERITY  SCOPE             ${pack ? `${pack.id} CONTROLS` : 'FRAMEWORK CONTROLS'}\n`);
  for (const r of rows) io.stdout(`${r.id.padEnd(idWidth)}  ${r.severity.padEnd(8)}  ${r.scope.padEnd(16)}  ${r.controls.join(', ') || '-'}\n`);
  io.stdout(`\n${rows.length} rules${pack ? ` in pack ${pack.id}` : ''}; packs: ${ruleSet.packs.map((p) => p.id).sort().join(', ')}\n`);
  return 0;
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('trailwarden')
    .description('Policy-as-code compliance scanner for AWS CloudTrail across an AWS Organization.')
    .version(toolVersion(), '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  program
    .command('scan')
    .description('collect (or load --snapshot / --demo), evaluate the policies and write reports')
    .option('--profile <name>', 'AWS shared-config profile (SSO profiles included)')
    .option('--org', 'discover accounts with AWS Organizations')
    .option('--accounts <ids>', 'explicit account ids, comma separated', parseAccounts)
    .option('--role-name <name>', 'role assumed in every account other than the caller’s')
    .option('--external-id <id>', 'external id for the role')
    .option('--regions <list>', "'all' (every enabled region) or R1,R2", parseRegions)
    .option('--policies <path>', 'extra policy file or folder (repeatable)', collectOption)
    .option('--pack <name>', 'evaluate only the rules of a framework pack')
    .option('--snapshot <file>', 'evaluate a saved snapshot instead of calling AWS')
    .option('--save-snapshot <file>', 'also write the collected snapshot')
    .option('--demo', 'evaluate the bundled demo organization (no AWS needed)')
    .option('--format <list>', `any of ${FORMATS.join(',')} (default ${DEFAULT_FORMATS.join(',')})`, parseFormats)
    .option('--out-dir <dir>', `where report files go (default ${DEFAULT_OUT_DIR})`)
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding fails at or above this severity (default high)').choices(FAIL_ON))
    .option('--config <file>', 'configuration file (default ./trailwarden.config.yaml when present)')
    .option('--shard <I/N>', 'scan only the I-th of N deterministic slices of the accounts', parseShard)
    .option('--category <id>', 'SARIF automationDetails.id (keeps uploads of different scans apart)')
    .option('--concurrency <n>', 'accounts collected at once', parsePositiveInt)
    .action(async (flags: ScanFlags) => setExit(await scanAction(flags, io)));

  program
    .command('validate')
    .description('lint policy files; every problem as file:line:col code message')
    .argument('[paths...]', 'policy files or folders (default: the built-in policies)')
    .option('--config <file>', 'also check a configuration file against the rules')
    .action(async (paths: string[], flags: { config?: string }) => setExit(await validateAction(paths, flags, io)));

  program
    .command('rules')
    .description('list rules with severity and framework controls')
    .option('--pack <name>', 'only the rules of a pack, with its control ids')
    .option('--policies <path>', 'include extra policies (repeatable)', collectOption)
    .option('--json', 'print JSON')
    .action(async (flags: { pack?: string; json?: boolean; policies?: string[] }) => setExit(await rulesAction(flags, io)));

  program
    .command('permissions')
    .description('print the least-privilege IAM policy the collectors need')
    .action(async () => {
      const { permissionsPolicy } = await import('../collectors/permissions.js');
      io.stdout(`${JSON.stringify(permissionsPolicy(), null, 2)}\n`);
      setExit(0);
    });

  program.addCommand(mergeCommand(io, setExit).copyInheritedSettings(program));

  return program;
}

/** Run the CLI; returns the exit code (SPEC §2). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; every other parse problem is a usage error.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    if (err instanceof UserError) {
      io.stderr(`trailwarden: ${err.message}\n`);
      for (const d of err.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      return 2;
    }
    if (err instanceof AbortedError || (err instanceof Error && err.name === 'AbortError')) {
      io.stderr('trailwarden: interrupted; no report was written for this run\n');
      return 130;
    }
    io.stderr(`trailwarden: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 70;
  }
}
