/**
 * The library behind `trailwarden scan` (and the Action): obtain a snapshot, load policies,
 * evaluate, suppress, write reports, and return the exit code. No process.exit here.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { UserError } from './errors.js';
import { evaluate, type CompiledRule } from './engine/evaluate.js';
import { buildResults, exitCodeFor, type FailOn } from './engine/results.js';
import { checkConfigAgainstRules, type LoadedConfig } from './policy/config.js';
import { builtinSources } from './policy/builtin-sources.js';
import { loadSources, packRuleIds, readPolicyPath, type SourceFile } from './policy/loader.js';
import { applySuppressions, suppressionWarnings } from './policy/suppressions.js';
import type { Pack } from './policy/types.js';
import { demoSnapshotPath, toolVersion } from './package-root.js';
import { REPORTERS, type Format } from './reporters/index.js';
import type { Results } from './results.js';
import type { Snapshot } from './snapshot/schema.js';
import { readSnapshot, writeSnapshot } from './snapshot/io.js';

export interface RuleSet {
  /** Rules selected for evaluation (after --pack). */
  rules: CompiledRule[];
  /** Every loaded rule (built-in and extra), disabled ones included. */
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
export async function loadRuleSet(extraPaths: readonly string[], config: LoadedConfig, packId?: string): Promise<RuleSet> {
  const loaded = loadSources(await readPolicySources(extraPaths), config.config.rules ?? {});
  const diagnostics = [...loaded.diagnostics, ...checkConfigAgainstRules(config, loaded.allRules)];
  if (diagnostics.length) throw new UserError(`${diagnostics.length} problem(s) in policies or configuration`, diagnostics);
  let rules = loaded.rules;
  if (packId) {
    const pack = loaded.packs.find((p) => p.id === packId);
    if (!pack) throw new UserError(`unknown pack '${packId}'; available: ${loaded.packs.map((p) => p.id).sort().join(', ')}`);
    const ids = new Set(packRuleIds(pack));
    rules = rules.filter((r) => ids.has(r.id));
  }
  return { rules, allRules: loaded.allRules, packs: loaded.packs };
}

export type SnapshotSource =
  | { kind: 'demo' }
  | { kind: 'file'; file: string }
  /** A snapshot already in memory, e.g. the union of shards (`trailwarden merge`). */
  | { kind: 'loaded'; snapshot: Snapshot }
  | { kind: 'collect'; collect: (signal?: AbortSignal) => Promise<Snapshot> };

export interface ScanSettings {
  source: SnapshotSource;
  saveSnapshot?: string;
  policies: string[];
  pack?: string;
  formats: Format[];
  outDir: string;
  failOn: FailOn;
  category?: string;
  config: LoadedConfig;
}

export interface ScanIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
  width: number;
  now: () => Date;
  signal?: AbortSignal;
}

export interface ScanOutcome {
  exitCode: 0 | 1 | 3;
  results: Results;
  files: Partial<Record<Format, string>>;
}

export async function obtainSnapshot(source: SnapshotSource, signal?: AbortSignal): Promise<Snapshot> {
  switch (source.kind) {
    case 'demo':
      return readSnapshot(demoSnapshotPath());
    case 'file':
      return readSnapshot(source.file);
    case 'loaded':
      return source.snapshot;
    case 'collect':
      // A saved snapshot says which trailwarden wrote it.
      return { ...(await source.collect(signal)), tool: { name: 'trailwarden', version: toolVersion() } };
  }
}

/** Write via a temporary name and rename, so an interrupted run never leaves a half report. */
async function writeAtomically(file: string, content: string | Iterable<string>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  if (typeof content === 'string') await writeFile(tmp, content, 'utf8');
  else await pipeline(Readable.from(content), createWriteStream(tmp, 'utf8'));
  await rename(tmp, file);
}

export async function writeReports(results: Results, settings: Pick<ScanSettings, 'formats' | 'outDir' | 'category'>, io: ScanIo): Promise<Partial<Record<Format, string>>> {
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

export async function scan(settings: ScanSettings, io: ScanIo): Promise<ScanOutcome> {
  const ruleSet = await loadRuleSet(settings.policies, settings.config, settings.pack);
  for (const warning of suppressionWarnings(settings.config.config.suppressions ?? [])) io.stderr(`warning: ${warning}\n`);
  const snapshot = await obtainSnapshot(settings.source, io.signal);
  if (settings.saveSnapshot) await writeSnapshot(settings.saveSnapshot, snapshot);
  io.signal?.throwIfAborted();
  const evaluated = evaluate(snapshot, ruleSet.rules, { now: new Date(snapshot.scanTime) });
  const now = io.now();
  const suppressed = applySuppressions(evaluated, settings.config.config.suppressions ?? [], now);
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
  const files = await writeReports(results, settings, io);
  return { exitCode: exitCodeFor(results, settings.failOn), results, files };
}
