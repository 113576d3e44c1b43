/**
 * The library behind `trailwarden scan`, `merge` and the Action: resolve the options, obtain a
 * snapshot, load policies, evaluate, suppress, write reports, and return the exit code. The CLI
 * and the Action are two thin doors onto `scanRun`. No process.exit here.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { evaluate, type CompiledRule } from '../engine/evaluate.js';
import { buildResults, exitCodeFor } from '../engine/build-results.js';
import type { Pack } from '../language/types.js';
import { readConfigFile, type ConfigFile } from '../options/config-file.js';
import { resolveRun, type OptionNamer, type ReportChoice, type SnapshotChoice } from '../options/resolve.js';
import type { RunOptions } from '../options/schema.js';
import { demoSnapshotPath, toolVersion } from '../package-root.js';
import { builtinSources } from '../policy/builtin-sources.js';
import { loadSources, packRuleIds, readPolicyPath, type SourceFile } from '../policy/loader.js';
import { checkSettingsAgainstRules, type PolicySettings } from '../policy/rule-settings.js';
import { applySuppressions } from '../policy/suppressions.js';
import { REPORTERS, type Format } from '../reporters/index.js';
import type { FailOn, Results } from '../results.js';
import type { Snapshot } from '../snapshot/schema.js';
import { readSnapshot, writeSnapshot } from '../snapshot/io.js';
import { mergeSnapshots } from '../snapshot/merge.js';

export interface RuleSet {
  /** Rules selected for evaluation (after --pack). */
  rules: CompiledRule[];
  /** Every loaded rule (built-in and extra). */
  allRules: CompiledRule[];
  packs: Pack[];
}

export async function readPolicySources(extraPaths: readonly string[]): Promise<SourceFile[]> {
  const sources = await builtinSources();
  for (const p of extraPaths) {
    try {
      sources.push(...(await readPolicyPath(p, { builtin: false })));
    } catch (err) {
      throw new UserError(`cannot read policies at ${p}`, [
        { file: p, line: 0, column: 0, code: 'policy/unreadable', message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : 'cannot read' },
      ]);
    }
  }
  return sources;
}

/** Built-in rules + extra policy paths + config overrides, narrowed to a pack. Every problem at once. */
export async function loadRuleSet(extraPaths: readonly string[], settings: PolicySettings, packId?: string): Promise<RuleSet> {
  const loaded = loadSources(await readPolicySources(extraPaths), settings.rules);
  const diagnostics = [...loaded.diagnostics, ...checkSettingsAgainstRules(settings, loaded.rules)];
  if (diagnostics.length) throw new UserError(`${diagnostics.length} problem(s) in policies or configuration`, diagnostics);
  let rules = loaded.rules;
  if (packId) {
    const pack = loaded.packs.find((p) => p.id === packId);
    if (!pack) throw new UserError(`unknown pack '${packId}'; available: ${loaded.packs.map((p) => p.id).sort().join(', ')}`);
    const ids = new Set(packRuleIds(pack));
    rules = rules.filter((r) => ids.has(r.id));
  }
  return { rules, allRules: loaded.rules, packs: loaded.packs };
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
}

export interface ScanOutcome {
  exitCode: 0 | 1 | 3;
  results: Results;
  files: Partial<Record<Format, string>>;
  failOn: FailOn;
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

async function obtainSnapshot(source: SnapshotSource, io: RunIo): Promise<Snapshot> {
  switch (source.kind) {
    case 'demo':
      return readSnapshot(demoSnapshotPath());
    case 'files': {
      const files = await snapshotFiles(source.paths, source.origin);
      return files.length === 1 ? readSnapshot(files[0]!) : mergeSnapshots(await Promise.all(files.map(readSnapshot)));
    }
    case 'loaded':
      return source.snapshot;
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
      return { ...snapshot, tool: { name: 'trailwarden', version: toolVersion() } };
    }
  }
}

/** Write via a temporary name and rename, so an interrupted run never leaves a half report. */
async function writeAtomically(file: string, content: string | Iterable<string>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  if (typeof content === 'string') await writeFile(tmp, content, 'utf8');
  else await pipeline(Readable.from(content), createWriteStream(tmp, 'utf8'));
  await rename(tmp, file);
}

export async function writeReports(results: Results, settings: ReportChoice, io: RunIo): Promise<Partial<Record<Format, string>>> {
  const files: Partial<Record<Format, string>> = {};
  const ctx = { color: io.color, width: io.width, onWarning: (m: string) => io.stderr(`warning: ${m}\n`), ...(settings.category ? { category: settings.category } : {}) };
  const fileFormats = settings.formats.filter((f) => REPORTERS[f].fileName);
  if (fileFormats.length) await mkdir(settings.outDir, { recursive: true });
  for (const format of fileFormats) {
    const file = path.join(settings.outDir, REPORTERS[format].fileName!);
    const reporter = REPORTERS[format];
    await writeAtomically(file, reporter.renderChunks ? reporter.renderChunks(results, ctx) : reporter.render(results, ctx));
    files[format] = file;
  }
  if (settings.formats.includes('console')) io.stdout(REPORTERS.console.render(results, ctx));
  return files;
}

export async function scan(settings: ScanSettings, io: RunIo): Promise<ScanOutcome> {
  const ruleSet = await loadRuleSet(settings.policies, settings.policySettings, settings.pack);
  const snapshot = await obtainSnapshot(settings.source, io);
  if (settings.saveSnapshot) await writeSnapshot(settings.saveSnapshot, snapshot);
  io.signal?.throwIfAborted();
  const evaluated = evaluate(snapshot, ruleSet.rules, { now: new Date(snapshot.scanTime) });
  const now = io.now();
  const suppressed = applySuppressions(evaluated, settings.policySettings.suppressions, now);
  for (const e of suppressed.expired) io.stderr(`warning: suppression of ${e.ruleId} for ${e.resource} expired on ${e.expires} and no longer applies\n`);
  const results = buildResults({
    snapshot,
    rules: ruleSet.rules,
    findings: suppressed.findings,
    toolVersion: toolVersion(),
    scanTime: now,
    expiredSuppressions: suppressed.expired,
    ...(settings.pack ? { pack: settings.pack } : {}),
  });
  const files = await writeReports(results, settings.report, io);
  return { exitCode: exitCodeFor(results, settings.report.failOn), results, files, failOn: settings.report.failOn };
}

/**
 * `scan` as both doors run it: the options given (flags or Action inputs) over the config file
 * over the defaults. `snapshot` stands in for the source the options name (merge evaluates the
 * union of shards it has read).
 */
export async function scanRun(given: RunOptions, io: RunIo, door: { snapshot?: Snapshot; nameOf?: OptionNamer } = {}): Promise<ScanOutcome> {
  const configFile = await readConfigFile(given.config);
  return scan(settingsFor(given, configFile, door.snapshot, door.nameOf), io);
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
  };
}
