/**
 * The library behind `trailwarden scan`, `merge` and the Action: resolve the options, obtain a
 * snapshot, load policies, evaluate, suppress, write reports, and return the exit code. The CLI
 * and the Action are two thin doors onto `scanRun`. No process.exit here.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { UserError, formatDiagnostic } from '../errors.js';
import { describeFsError, ensureWritableDir, makeDirs, outputError, processAlive, readTextInput } from '../files.js';
import { evaluate, type CompiledRule } from '../engine/evaluate.js';
import { buildResults } from '../engine/build-results.js';
import { gateOf, type Gate } from './gate.js';
import { loadBaseline, withBaseline } from './baseline.js';
import type { Pack } from '../language/types.js';
import { readConfigFile, type ConfigFile } from '../options/config-file.js';
import { flagOf, resolveRun, type OptionNamer, type ReportChoice, type SnapshotChoice } from '../options/resolve.js';
import type { RunOptions } from '../options/schema.js';
import { demoSnapshotPath, toolVersion } from '../package-root.js';
import { builtinSources } from '../policy/builtin-sources.js';
import { isCasesFile, loadSources, packRuleIds, readPolicyPath, type SourceFile } from '../policy/loader.js';
import { checkSettingsAgainstRules, type PolicySettings } from '../policy/rule-settings.js';
import { selectRules, type RuleSelection } from '../policy/rule-selection.js';
import { applySuppressions, suppressionWarnings, unusedSuppressionWarnings } from '../policy/suppressions.js';
import { REPORT_FILE_NAMES, type Format } from '../reporters/formats.js';
import { loadReporters } from '../reporters/load.js';
import { isRunId, type FailOn, type Finding, type IacSummary, type Results } from '../results.js';
import type { Snapshot } from '../snapshot/schema.js';
import { readSnapshot, writeSnapshot } from '../snapshot/io.js';
import { releaseGarbage } from '../memory.js';
import { withIac } from './iac.js';
import { mergeShardSnapshots, shardWarnings } from '../snapshot/merge.js';

export interface RuleSet {
  /** Rules selected for evaluation (after --pack). */
  rules: CompiledRule[];
  /** Every loaded rule (built-in and extra), disabled ones included. */
  allRules: CompiledRule[];
  packs: Pack[];
}

/**
 * The built-in policy files and those under each extra path. A path that holds no policy file
 * is almost always a mistake (a wrong folder, a link not followed), so `warn` hears of it.
 */
export async function readPolicySources(extraPaths: readonly string[], warn?: (message: string) => void): Promise<SourceFile[]> {
  const sources = await builtinSources();
  for (const p of extraPaths) {
    let found: SourceFile[];
    try {
      found = await readPolicyPath(p, { builtin: false });
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot read policies at ${p}`, [
        { file: p, line: 0, column: 0, code: 'policy/unreadable', message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : describeFsError(err) },
      ]);
    }
    if (!found.some((f) => !isCasesFile(f.file))) warn?.(`--policies ${p} contributed no rule: it holds no .yaml or .yml policy file`);
    sources.push(...found);
  }
  return sources;
}

/**
 * Built-in rules + extra policy paths + config overrides, narrowed to a pack and to --rules,
 * --exclude-rules and --severity. Every problem at once.
 */
export async function loadRuleSet(extraPaths: readonly string[], settings: PolicySettings, packId?: string, warn?: (message: string) => void, selection: RuleSelection = {}): Promise<RuleSet> {
  const loaded = loadSources(await readPolicySources(extraPaths, warn), settings.rules);
  const diagnostics = [...loaded.diagnostics, ...checkSettingsAgainstRules(settings, loaded.allRules)];
  if (diagnostics.length) throw new UserError(`${diagnostics.length} problem(s) in policies or configuration`, diagnostics);
  let rules = loaded.rules;
  if (packId) {
    const pack = loaded.packs.find((p) => p.id === packId);
    if (!pack) throw new UserError(`unknown pack '${packId}'; available: ${loaded.packs.map((p) => p.id).sort().join(', ')}`);
    const ids = new Set(packRuleIds(pack));
    rules = rules.filter((r) => ids.has(r.id));
  }
  if (selection.rules || selection.excludeRules || selection.severities) {
    rules = selectRules(rules, loaded.allRules.map((r) => r.id), selection);
    if (rules.length === 0) throw new UserError(`no rule left to evaluate: ${describeSelection(selection, packId)} select nothing together`);
  }
  return { rules, allRules: loaded.allRules, packs: loaded.packs };
}

function describeSelection(selection: RuleSelection, packId: string | undefined): string {
  return [
    packId ? `--pack ${packId}` : undefined,
    selection.rules ? `--rules ${selection.rules.join(',')}` : undefined,
    selection.excludeRules ? `--exclude-rules ${selection.excludeRules.join(',')}` : undefined,
    selection.severities ? `--severity ${selection.severities.join(',')}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The snapshot of a run: what the options chose, or one already in memory (the union of shards). */
type SnapshotSource = SnapshotChoice | { kind: 'loaded'; snapshot: Snapshot };

interface ScanSettings {
  source: SnapshotSource;
  saveSnapshot?: string;
  policies: string[];
  pack?: string;
  report: ReportChoice;
  policySettings: PolicySettings;
  /** --baseline: a previous results.json or snapshot to compare with. */
  baseline?: string;
  /** --iac: infrastructure code whose definitions locate the findings. */
  iac?: string[];
  /** How the door names options in the gate's reasons. */
  nameOf?: OptionNamer;
  selection?: RuleSelection;
}

/** What the library may do with the process's streams and clock; the doors fill it in. */
export interface RunIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Colour in the console report. */
  color: boolean;
  /** Whether stderr is a terminal (a progress bar rather than plain lines). */
  progressBar: boolean;
  width: number;
  now: () => Date;
  signal?: AbortSignal;
  /** The run id every report carries (tests fix it); a random UUID by default. */
  runId?: () => string;
}

export interface ScanOutcome {
  /** 2 only when the reports were written but `--save-snapshot` could not be. */
  exitCode: 0 | 1 | 2 | 3;
  /** Why `--save-snapshot` was not written, when it was not. */
  saveSnapshotError?: UserError;
  results: Results;
  files: Partial<Record<Format, string>>;
  failOn: FailOn;
  /** --fail-on-new: the exit code counted only failures new since the baseline. */
  failOnNew?: boolean;
  /** What --fail-on and --fail-on-incomplete decided, and why. */
  gate: Gate;
}

/** A folder given as a snapshot stands for its .json files, in name order. */
async function snapshotFiles(paths: readonly string[], origin: string): Promise<string[]> {
  const files: string[] = [];
  for (const target of paths) {
    const isFolder = await stat(target).then(
      (info) => info.isDirectory(),
      () => false, // a missing file is reported by readSnapshot, with its name
    );
    if (!isFolder) files.push(target);
    else files.push(...(await readdir(target)).filter((name) => name.endsWith('.json')).sort().map((name) => path.join(target, name)));
  }
  if (files.length === 0) throw new UserError(`${origin} names no snapshot file: ${paths.join(', ')}`);
  return files;
}

/** A snapshot, and for a planned configuration where each finding's resource is defined. */
interface Obtained {
  snapshot: Snapshot;
  locate?: (findings: readonly Finding[]) => { findings: Finding[]; summary: IacSummary };
}

/** A file name as reports give it: relative to the current directory (the repository root in CI). */
function repositoryPath(file: string): string {
  return path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
}

async function obtainSnapshot(source: SnapshotSource, io: RunIo, iac: readonly string[] | undefined): Promise<Obtained> {
  const loaded = async (snapshot: Promise<Snapshot> | Snapshot): Promise<Obtained> => ({ snapshot: await snapshot });
  switch (source.kind) {
    case 'demo':
      return loaded(readSnapshot(demoSnapshotPath()));
    case 'files': {
      const files = await snapshotFiles(source.paths, source.origin);
      if (files.length === 1) return loaded(readSnapshot(files[0]!));
      const snapshots = await Promise.all(files.map(readSnapshot));
      for (const warning of shardWarnings(snapshots.map((snapshot, i) => ({ file: files[i]!, shard: snapshot.shard })))) io.stderr(`warning: ${warning}\n`);
      return loaded(mergeShardSnapshots(snapshots));
    }
    case 'loaded':
      return loaded(source.snapshot);
    case 'plan': {
      const [{ readPlan }, { planToSnapshot }, { readIac }, { PlanLocator, locateFindings }] = await Promise.all([
        import('../iac/plan-json.js'),
        import('../iac/plan-snapshot.js'),
        import('../iac/index.js'),
        import('../iac/plan-locations.js'),
      ]);
      const planned = planToSnapshot(await readPlan(source.file), io.now());
      for (const warning of planned.warnings) io.stderr(`warning: ${warning}\n`);
      // The configuration the plan was made from: --iac, or the .tf files of the plan's folder (and its local modules).
      const folder = repositoryPath(path.dirname(source.file)) || '.';
      const paths = iac?.length ? [...iac] : [folder];
      const index = await readIac(paths);
      for (const d of index.diagnostics) io.stderr(`warning: ${formatDiagnostic(d)}\n`);
      return {
        snapshot: { ...planned.snapshot, tool: { name: 'trailwarden', version: toolVersion() } },
        locate: locateFindings(new PlanLocator(planned.origins, index.definitions, folder), { paths, files: index.files, definitions: index.definitions.length, diagnostics: index.diagnostics }),
      };
    }
    case 'template': {
      const [{ parseCloudFormation }, { TEMPLATE_SCAN_OPTIONS, templateToPlan }, { planToSnapshot }, { PlanLocator, locateFindings }] = await Promise.all([
        import('../iac/cloudformation.js'),
        import('../iac/template-plan.js'),
        import('../iac/plan-snapshot.js'),
        import('../iac/plan-locations.js'),
      ]);
      const parsed = parseCloudFormation(await readTextInput(source.file, { code: 'template', what: 'CloudFormation template' }), repositoryPath(source.file), TEMPLATE_SCAN_OPTIONS);
      if (parsed.diagnostics.some((d) => d.code === 'iac/parse' || d.code === 'iac/too-deep')) throw new UserError(`${source.file} cannot be read as a CloudFormation template`, parsed.diagnostics);
      if (!parsed.template) {
        throw new UserError(`${source.file} is not a CloudFormation template`, [
          { file: source.file, line: 1, column: 1, code: 'template/not-a-template', message: 'no AWSTemplateFormatVersion and no Resources of AWS:: types' },
        ]);
      }
      for (const d of parsed.diagnostics) io.stderr(`warning: ${formatDiagnostic(d)}\n`);
      const planned = planToSnapshot(templateToPlan(parsed.definitions, source.file), io.now(), 'cloudformation-template');
      for (const warning of planned.warnings) io.stderr(`warning: ${warning}\n`);
      return {
        snapshot: { ...planned.snapshot, tool: { name: 'trailwarden', version: toolVersion() } },
        locate: locateFindings(new PlanLocator(planned.origins, parsed.definitions), { paths: [source.file], files: 1, definitions: parsed.definitions.length, diagnostics: parsed.diagnostics }),
      };
    }
    case 'collect': {
      // The AWS SDK is loaded only by runs that call AWS.
      const [{ collectSnapshot }, { createProgress }] = await Promise.all([import('../collectors/index.js'), import('../collectors/progress.js')]);
      const snapshot = await collectSnapshot({
        ...source.collect,
        ...(io.signal ? { signal: io.signal } : {}),
        progress: createProgress({ tty: io.progressBar, write: io.stderr }),
        now: io.now,
      });
      // A saved snapshot says which trailwarden wrote it.
      return { snapshot: { ...snapshot, tool: { name: 'trailwarden', version: toolVersion() } } };
    }
  }
}

/** The staging folders and temporary files a run leaves only when it is killed. */
const STAGING_PREFIX = '.trailwarden-staging-';
const LEFTOVER = new RegExp(
  `^(?:${STAGING_PREFIX.replace(/\./g, '\\.')}(\\d+)-.*|\\.trailwarden-probe\\.(\\d+)\\..*\\.tmp|(?:${Object.values(REPORT_FILE_NAMES)
    .flatMap((name) => (name ? [name.replace(/\./g, '\\.')] : []))
    .join('|')})\\.(\\d+)(?:\\.[0-9a-f]+)?\\.tmp)$`,
);

/**
 * Removes what killed runs left in the report folder: staging folders and `*.tmp` report files
 * whose process is gone. A live run's leftovers (a concurrent run) are not touched.
 */
export async function removeLeftovers(outDir: string, io: Pick<RunIo, 'stderr'>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m) continue;
    const pid = Number(m[1] ?? m[2] ?? m[3]);
    if (processAlive(pid)) continue;
    try {
      await rm(path.join(outDir, name), { recursive: true, force: true });
    } catch (err) {
      io.stderr(`warning: cannot remove ${path.join(outDir, name)} left by an interrupted run: ${describeFsError(err)}\n`);
    }
  }
}

const SWAP_LOCK = '.trailwarden-swap.lock';
/** How long a run waits for another run's swap (a few renames) before giving up. */
const SWAP_LOCK_WAIT_MS = 30_000;
/** A lock file still empty after this long belongs to a process killed while taking it. */
const EMPTY_LOCK_STALE_MS = 5_000;

/**
 * Runs `swap` holding `DIR/.trailwarden-swap.lock` (created exclusively, holding our pid), so two
 * runs into one folder swap their sets in one after the other. A lock whose process is gone is
 * taken over.
 */
async function withSwapLock(dir: string, swap: () => Promise<void>): Promise<void> {
  const lock = path.join(dir, SWAP_LOCK);
  const deadline = Date.now() + SWAP_LOCK_WAIT_MS;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readFile(lock, 'utf8').catch(() => undefined);
    const pid = Number(holder);
    const stale = holder === undefined ? false : holder === '' ? Date.now() - (await stat(lock).then((i) => i.mtimeMs, () => Date.now())) > EMPTY_LOCK_STALE_MS : !Number.isInteger(pid) || !processAlive(pid);
    if (stale) {
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError(`cannot write reports to ${dir}`, [
        { file: lock, line: 0, column: 0, code: 'output/locked', message: `another trailwarden run (pid ${holder}) has been writing reports here for ${SWAP_LOCK_WAIT_MS / 1000} s; remove the file if no run is active` },
      ]);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  try {
    await swap();
  } finally {
    await unlink(lock).catch(() => undefined);
  }
}

/** Characters of a streamed report between two garbage-release hints (see releasingGarbage). */
const RELEASE_EVERY_CHARS = 32 << 20;

/**
 * A streamed report's chunks, with a full collection after each RELEASE_EVERY_CHARS written (a
 * results.json of 10,000 accounts, 140 MB: four). Writing one promotes garbage at a rate that let
 * V8 grow the heap from 450 MB live to 920 MB before its next collection (peak RSS 1,055 MB for a
 * scan of a 10,000-account snapshot); with the hints it is ~900 MB, for ~0.3 s per collection.
 * Reports of up to a few thousand accounts never reach the threshold.
 */
function* releasingGarbage(chunks: Iterable<string>): Generator<string> {
  let written = 0;
  for (const chunk of chunks) {
    yield chunk;
    written += chunk.length;
    if (written >= RELEASE_EVERY_CHARS) {
      written = 0;
      releaseGarbage();
    }
  }
}

/**
 * Writes the report files as one set: each is rendered into a staging folder inside the report
 * folder, and only when all are complete are they renamed into place, one rename each. A failure
 * or an interrupt before that leaves the previous set untouched and removes the staging folder.
 * Every file carries the run id, so a set mixed by two concurrent runs can still be told apart.
 * `gate` is the run's, decided once by its caller: the reports state it (report.html leads with it).
 */
export async function writeReports(results: Results, settings: ReportChoice, io: RunIo, gate: Gate): Promise<Partial<Record<Format, string>>> {
  const stamped: Results = isRunId(results.runId) ? results : { ...results, runId: io.runId?.() ?? randomUUID() };
  const files: Partial<Record<Format, string>> = {};
  const fileFormats = settings.formats.filter((f) => REPORT_FILE_NAMES[f]);
  const reporters = await loadReporters(settings.formats);
  const ctx = {
    color: io.color,
    width: io.width,
    files: fileFormats.map((f) => REPORT_FILE_NAMES[f]!),
    onWarning: (m: string) => io.stderr(`warning: ${m}\n`),
    // The reports state the verdict the run's exit code gives (report.html leads with it).
    gate: { exitCode: gate.exitCode, failOn: settings.failOn, ...(settings.failOnNew ? { newOnly: true } : {}) },
    ...(settings.category ? { category: settings.category } : {}),
    ...(settings.statuses ? { statuses: settings.statuses } : {}),
    ...(settings.quiet ? { quiet: true } : {}),
  };
  if (fileFormats.length) {
    await ensureWritableDir(settings.outDir, '--out-dir');
    await removeLeftovers(settings.outDir, io);
    const staging = path.join(settings.outDir, `${STAGING_PREFIX}${process.pid}-${stamped.runId}`);
    try {
      await mkdir(staging);
      for (const format of fileFormats) {
        io.signal?.throwIfAborted();
        const reporter = reporters[format]!;
        const content = reporter.renderChunks ? reporter.renderChunks(stamped, ctx) : reporter.render(stamped, ctx);
        const staged = path.join(staging, reporter.fileName!);
        if (typeof content === 'string') await writeFile(staged, content, 'utf8');
        else await pipeline(Readable.from(releasingGarbage(content)), createWriteStream(staged, 'utf8'));
      }
      io.signal?.throwIfAborted();
      // Renames of one set never interleave with another run's: the swap holds a lock file.
      await withSwapLock(settings.outDir, async () => {
        for (const format of fileFormats) {
          const name = REPORT_FILE_NAMES[format]!;
          const file = path.join(settings.outDir, name);
          await rename(path.join(staging, name), file);
          files[format] = file;
        }
      });
    } catch (err) {
      if (err instanceof UserError || (err instanceof Error && (err.name === 'AbortError' || err.name === 'AbortedError'))) throw err;
      if (typeof (err as NodeJS.ErrnoException).code === 'string') throw outputError(settings.outDir, 'reports to', err);
      throw err;
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  if (reporters.console) io.stdout(reporters.console.render(stamped, ctx));
  return files;
}

/**
 * Saves the snapshot atomically. A failure is returned, not thrown: the snapshot is a by-product
 * and must never cost the reports of the scan it came from.
 */
async function saveSnapshot(file: string, snapshot: Snapshot): Promise<UserError | undefined> {
  try {
    await makeDirs(path.dirname(file));
    await writeSnapshot(file, snapshot);
    return undefined;
  } catch (err) {
    return err instanceof UserError ? err : outputError(file, '--save-snapshot', err);
  }
}

/** Checks, before any long work, that the places results go to can be written. */
async function checkOutputs(settings: ScanSettings): Promise<void> {
  if (settings.saveSnapshot) {
    const target = await stat(settings.saveSnapshot).catch(() => undefined);
    if (target?.isDirectory()) {
      throw new UserError(`cannot write --save-snapshot ${settings.saveSnapshot}`, [
        { file: settings.saveSnapshot, line: 0, column: 0, code: 'output/not-a-file', message: 'is a folder; name the snapshot file to write' },
      ]);
    }
    await ensureWritableDir(path.dirname(settings.saveSnapshot), '--save-snapshot into');
  }
  if (settings.report.formats.some((f) => REPORT_FILE_NAMES[f])) await ensureWritableDir(settings.report.outDir, '--out-dir');
}

export async function scan(settings: ScanSettings, io: RunIo): Promise<ScanOutcome> {
  const ruleSet = await loadRuleSet(settings.policies, settings.policySettings, settings.pack, (m) => io.stderr(`warning: ${m}\n`), settings.selection);
  await checkOutputs(settings);
  const { snapshot, locate } = await obtainSnapshot(settings.source, io, settings.iac);
  const saveFailure = settings.saveSnapshot ? await saveSnapshot(settings.saveSnapshot, snapshot) : undefined;
  if (saveFailure) {
    io.stderr(`warning: ${saveFailure.message}; the reports are still written, but the snapshot is not saved\n`);
    for (const d of saveFailure.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  }
  io.signal?.throwIfAborted();
  const now = io.now();
  const pack = settings.pack ? ruleSet.packs.find((p) => p.id === settings.pack) : undefined;
  const evaluateSnapshot = (source: Snapshot, warn: boolean): Results => {
    const evaluated = evaluate(source, ruleSet.rules, { now: new Date(source.scanTime) });
    const { suppressions, source: configSource } = settings.policySettings;
    const suppressed = applySuppressions(evaluated, suppressions, now);
    // A shard sees a slice of the accounts: an entry for another slice's resource is not unused.
    const sliced = source.shard !== undefined && source.shard.count > 1;
    const warnings = [...suppressionWarnings(suppressions, configSource), ...(sliced ? [] : unusedSuppressionWarnings(suppressions, suppressed.unused, configSource))];
    if (warn) {
      for (const e of suppressed.expired) io.stderr(`warning: suppression of ${e.ruleId} for ${e.resource} expired on ${e.expires} and no longer applies\n`);
      for (const w of warnings) io.stderr(`warning: ${formatDiagnostic(w)}\n`);
    }
    return buildResults({
      snapshot: source,
      rules: ruleSet.rules,
      findings: suppressed.findings,
      toolVersion: toolVersion(),
      runId: io.runId?.() ?? randomUUID(),
      scanTime: now,
      expiredSuppressions: suppressed.expired,
      warnings,
      ...(settings.pack ? { pack: settings.pack } : {}),
      ...(pack?.controls?.length ? { packControls: { title: pack.title, controls: pack.controls } } : {}),
    });
  };
  let results = evaluateSnapshot(snapshot, true);
  if (settings.baseline !== undefined) {
    const baseline = await loadBaseline(settings.baseline, (source) => evaluateSnapshot(source, false));
    if (baseline.kind === 'none') io.stderr(`warning: --baseline ${settings.baseline} does not exist yet: treating this as the first run, every failure is new\n`);
    results = withBaseline(results, settings.baseline, baseline);
  }
  if (locate) {
    // A plan or template locates its own findings, by resource address.
    const { findings, summary } = locate(results.findings);
    results = { ...results, findings, iac: summary };
  } else if (settings.iac) results = await withIac(results, snapshot, settings.iac, io);
  const gate = gateOf(results, settings.report, settings.nameOf);
  const files = await writeReports(results, settings.report, io, gate);
  // A snapshot that was asked for and not saved fails the run (exit 2, as an unwritable --out-dir
  // does) even though the reports are written: a CI job must not pass with its artifact missing.
  return {
    exitCode: saveFailure ? 2 : gate.exitCode,
    gate,
    results,
    files,
    failOn: settings.report.failOn,
    ...(settings.report.failOnNew ? { failOnNew: true } : {}),
    ...(saveFailure ? { saveSnapshotError: saveFailure } : {}),
  };
}

/**
 * `scan` as both doors run it: the options given (flags or Action inputs) over the config file
 * over the defaults. `snapshot` stands in for the source the options name (merge evaluates the
 * union of shards it has read).
 */
export async function scanRun(given: RunOptions, io: RunIo, door: { snapshot?: Snapshot; nameOf?: OptionNamer; defaultIac?: () => Promise<string[] | undefined> } = {}): Promise<ScanOutcome> {
  const configFile = await readConfigFile(given.config);
  const settings = settingsFor(given, configFile, door.snapshot, door.nameOf);
  // The door's default for --iac (the Action: the checked-out repository) applies when neither the
  // options nor the config file say anything, not even 'none'.
  if (settings.iac === undefined && given.iac === undefined && configFile.options.iac === undefined && door.defaultIac) {
    const iac = await door.defaultIac();
    if (iac?.length) settings.iac = iac;
  }
  return scan(settings, io);
}

function settingsFor(given: RunOptions, configFile: ConfigFile, snapshot: Snapshot | undefined, nameOf: OptionNamer | undefined): ScanSettings {
  const run = resolveRun(given, configFile, nameOf);
  return {
    source: snapshot ? { kind: 'loaded', snapshot } : run.snapshot,
    policies: run.policies,
    report: run.report,
    policySettings: configFile.policy,
    ...(run.pack !== undefined ? { pack: run.pack } : {}),
    ...(run.saveSnapshot !== undefined ? { saveSnapshot: run.saveSnapshot } : {}),
    ...(run.baseline !== undefined ? { baseline: run.baseline } : {}),
    ...(run.iac !== undefined ? { iac: run.iac } : {}),
    nameOf: nameOf ?? flagOf,
    selection: run.selection,
  };
}
