/**
 * `trailwarden merge`: the parts of a sharded scan (`--shard I/N`) become one set of reports.
 * Snapshots are united and evaluated exactly as `scan` evaluates one; results.json files are
 * united finding by finding. The kind of each file is read from its content.
 */
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { mergeResults } from '../engine/merge-results.js';
import { exitCodeFor } from '../engine/results.js';
import { readConfig } from '../policy/config.js';
import { FORMATS } from '../reporters/index.js';
import { RESULTS_SCHEMA_VERSION, type Results } from '../results.js';
import { writeReports } from '../scan.js';
import { parseSnapshot, structureDiagnostic } from '../snapshot/io.js';
import { MAX_JSON_DEPTH, findStructureProblem } from '../snapshot/structure.js';
import { readTextInput } from '../files.js';
import { mergeSnapshots } from '../snapshot/merge.js';
import type { Snapshot } from '../snapshot/schema.js';
import { FAIL_ON, announceFiles, parseFormats, reportOptions, runScan, scanIo, type CliIo, type ScanFlags } from './main.js';

type MergeFlags = Pick<ScanFlags, 'format' | 'outDir' | 'failOn' | 'category' | 'config' | 'policies' | 'pack' | 'saveSnapshot'>;

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
  if (data.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new UserError(`${file} is results.json version ${JSON.stringify(data.schemaVersion)}; this trailwarden merges version ${RESULTS_SCHEMA_VERSION}`);
  }
  return { kind: 'results', file, results: data };
}

async function mergeAction(files: string[], flags: MergeFlags, io: CliIo): Promise<number> {
  const parts = await Promise.all(files.map(readPart));
  const snapshots = parts.flatMap((part) => (part.kind === 'snapshot' ? [part.snapshot] : []));
  const results = parts.flatMap((part) => (part.kind === 'results' ? [part.results] : []));
  if (snapshots.length > 0 && results.length > 0) {
    const example = (kind: Part['kind']) => parts.find((part) => part.kind === kind)!.file;
    throw new UserError(`merge takes snapshots or results.json files, not both: ${example('snapshot')} is a snapshot, ${example('results')} is results`);
  }
  if (snapshots.length > 0) {
    const outcome = await runScan(flags, io, { kind: 'loaded', snapshot: mergeSnapshots(snapshots) });
    announceFiles(outcome.files, io);
    return outcome.exitCode;
  }
  // Results carry their rules, verdicts and suppressions; only where reports go comes from here.
  const ignored = (['policies', 'pack', 'saveSnapshot'] as const).filter((key) => flags[key] !== undefined);
  if (ignored.length > 0) throw new UserError(`${ignored.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} apply to snapshots; results.json files are already evaluated`);
  const report = reportOptions(flags, (await readConfig(flags.config)).config);
  const { results: merged, disagreements } = mergeResults(results);
  if (disagreements.length > 0) {
    const examples = disagreements.slice(0, 5).map((d) => `  ${d.ruleId} ${d.arn}: ${d.statuses.join(' / ')}`);
    io.stderr(
      `warning: the shards judged ${disagreements.length} shared resource(s) differently, each on the part it saw; the failing verdict stands:\n${examples.join('\n')}${disagreements.length > 5 ? `\n  and ${disagreements.length - 5} more` : ''}\n` +
        'warning: merge the shards\' snapshots (scan --save-snapshot) for exact verdicts on shared resources\n',
    );
  }
  const written = await writeReports(merged, report, scanIo(io));
  announceFiles(written, io);
  return exitCodeFor(merged, report.failOn);
}

function collectOption(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function mergeCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('merge')
    .description('combine the snapshots (or results.json files) of the shards of a scan into one set of reports')
    .argument('<files...>', 'snapshots (--save-snapshot) or results.json files of the shards, all of one kind')
    .option('--format <list>', `any of ${FORMATS.join(',')} (default console,json,sarif,html)`, parseFormats)
    .option('--out-dir <dir>', 'where report files go (default trailwarden-results)')
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding fails at or above this severity (default high)').choices(FAIL_ON))
    .option('--category <id>', 'SARIF automationDetails.id')
    .option('--config <file>', 'configuration file the shards were scanned with (rule settings, suppressions)')
    .option('--policies <path>', 'extra policy file or folder the shards were scanned with (repeatable; snapshots only)', collectOption)
    .option('--pack <name>', 'evaluate only the rules of a framework pack (snapshots only)')
    .option('--save-snapshot <file>', 'also write the merged snapshot (snapshots only)')
    .action(async (files: string[], flags: MergeFlags) => setExit(await mergeAction(files, flags, io)));
}
