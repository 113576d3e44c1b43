/**
 * `trailwarden merge`: the parts of a sharded scan (`--shard I/N`) become one set of reports.
 * Snapshots are united and evaluated exactly as `scan` evaluates one; results.json files are
 * united finding by finding. The kind of each file is read from its content.
 */
import { UserError } from '../errors.js';
import { mergeResults } from '../engine/merge-results.js';
import { readConfigFile } from '../options/config-file.js';
import { flagOf, resolveRun } from '../options/resolve.js';
import type { RunOptions } from '../options/schema.js';
import { readResultsDocument, type Results } from '../results.js';
import { readTextInput } from '../files.js';
import { parseSnapshot, structureDiagnostic } from '../snapshot/io.js';
import { MAX_JSON_DEPTH, findStructureProblem } from '../snapshot/structure.js';
import { mergeShardSnapshots, shardWarnings } from '../snapshot/merge.js';
import type { Snapshot } from '../snapshot/schema.js';
import { loadBaseline, withBaseline } from './baseline.js';
import { gateOf } from './gate.js';
import { scanRun, writeReports, type RunIo, type ScanOutcome } from './scan.js';

type Part = { kind: 'snapshot'; file: string; snapshot: Snapshot } | { kind: 'results'; file: string; results: Results };

function isResultsDocument(data: unknown): data is Results {
  return typeof data === 'object' && data !== null && Array.isArray((data as Results).findings) && (data as Results).tool?.name === 'trailwarden';
}

async function readPart(file: string): Promise<Part> {
  // A FIFO, folder or device is refused before it is opened; a byte-order mark is dropped.
  const text = await readTextInput(file, { code: 'merge', what: '' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: the snapshot reader names the line and column of the problem.
    return { kind: 'snapshot', file, snapshot: parseSnapshot(text, file) };
  }
  if (!isResultsDocument(data)) return { kind: 'snapshot', file, snapshot: parseSnapshot(text, file) };
  // Evidence sits a few levels below the snapshot values it quotes.
  const problem = findStructureProblem(text, MAX_JSON_DEPTH + 16);
  if (problem) throw new UserError(`${file} is not a well-formed results.json`, [structureDiagnostic(text, file, problem, 'merge', MAX_JSON_DEPTH + 16)]);
  // 1.0 (the previous release's shards) and 2.0 both read as the same Results.
  return { kind: 'results', file, results: readResultsDocument(data as unknown as Record<string, unknown>, file) };
}

export async function mergeRun(files: readonly string[], given: RunOptions, io: RunIo): Promise<ScanOutcome> {
  const parts = await Promise.all(files.map(readPart));
  const snapshots = parts.flatMap((part) => (part.kind === 'snapshot' ? [part.snapshot] : []));
  const results = parts.flatMap((part) => (part.kind === 'results' ? [part.results] : []));
  if (snapshots.length > 0 && results.length > 0) {
    const example = (kind: Part['kind']) => parts.find((part) => part.kind === kind)!.file;
    throw new UserError(`merge takes snapshots or results.json files, not both: ${example('snapshot')} is a snapshot, ${example('results')} is results`);
  }
  const shardOf = (part: Part) => (part.kind === 'snapshot' ? part.snapshot.shard : part.results.shard);
  for (const warning of shardWarnings(parts.map((part) => ({ file: part.file, shard: shardOf(part) })))) io.stderr(`warning: ${warning}\n`);
  if (snapshots.length > 0) return scanRun(given, io, { snapshot: mergeShardSnapshots(snapshots) });
  // Results carry their rules, verdicts and suppressions; only where reports go comes from here.
  const ignored = (['policies', 'pack', 'saveSnapshot', 'onlyRules', 'excludeRules', 'severity'] as const).filter((key) => given[key] !== undefined);
  if (ignored.length > 0) throw new UserError(`${ignored.map(flagOf).join(', ')} apply to snapshots; results.json files are already evaluated`);
  const { report, baseline } = resolveRun(given, await readConfigFile(given.config));
  const { results: united, disagreements } = mergeResults(results);
  if (disagreements.length > 0) {
    const examples = disagreements.slice(0, 5).map((d) => `  ${d.ruleId} ${d.arn}: ${d.statuses.join(' / ')}`);
    io.stderr(
      `warning: the shards judged ${disagreements.length} shared resource(s) differently, each on the part it saw; the failing verdict stands:\n${examples.join('\n')}${disagreements.length > 5 ? `\n  and ${disagreements.length - 5} more` : ''}\n` +
        'warning: merge the shards\' snapshots (scan --save-snapshot) for exact verdicts on shared resources\n',
    );
  }
  let merged = united;
  if (baseline !== undefined) {
    const loaded = await loadBaseline(baseline, () => {
      throw new UserError(`${flagOf('baseline')} ${baseline} is a snapshot; merging results.json files compares only with a results.json (merge the shards' snapshots to compare with a snapshot)`);
    });
    if (loaded.kind === 'none') io.stderr(`warning: ${flagOf('baseline')} ${baseline} does not exist yet: treating this as the first run, every failure is new\n`);
    merged = withBaseline(united, baseline, loaded);
  }
  const gate = gateOf(merged, report);
  const written = await writeReports(merged, report, io, gate);
  return { exitCode: gate.exitCode, gate, results: merged, files: written, failOn: report.failOn, ...(report.failOnNew ? { failOnNew: true } : {}) };
}
