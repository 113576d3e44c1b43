/**
 * --baseline FILE: read the run to compare with — a previous results.json as it is, or a snapshot
 * evaluated with this run's rules and suppressions — and classify this run's findings against it
 * (engine/baseline.ts). A file that does not exist yet is the first run of a scheduled workflow
 * (the cache or artifact it is restored from is empty): every failure is new, and the run says so.
 * Anything else wrong with the file is exit 2 with its location.
 */
import { stat } from 'node:fs/promises';
import { UserError, type Diagnostic } from '../errors.js';
import { readTextInput } from '../files.js';
import { compareWithBaseline, firstRunComparison, type BaselineRun } from '../engine/baseline.js';
import { SEVERITIES, STATUSES, readResultsDocument, type Results } from '../results.js';
import { parseSnapshot, structureDiagnostic } from '../snapshot/io.js';
import { MAX_JSON_DEPTH, findStructureProblem } from '../snapshot/structure.js';
import type { Snapshot } from '../snapshot/schema.js';

export type LoadedBaseline = { kind: 'none' } | { kind: 'results'; run: BaselineRun } | { kind: 'snapshot'; run: BaselineRun };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of a results.json a comparison reads, checked with their JSON paths; at most 20 problems named. */
function resultsProblems(data: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, path: string, what: string) => {
    if (!ok && problems.length < 20) problems.push(`${path} ${what}`);
  };
  need(typeof data.partition === 'string', '$.partition', 'must be a string');
  need(typeof data.snapshotTime === 'string', '$.snapshotTime', 'must be a string');
  need(Array.isArray(data.accounts) && data.accounts.every((a) => isObject(a) && typeof a.id === 'string'), '$.accounts', 'must be a list of { id }');
  need(Array.isArray(data.rules) && data.rules.every((r) => isObject(r) && typeof r.id === 'string'), '$.rules', 'must be a list of { id }');
  const findings = data.findings as unknown[];
  for (let i = 0; i < findings.length && problems.length < 20; i++) {
    const f = findings[i];
    const at = `$.findings[${i}]`;
    if (!isObject(f)) {
      need(false, at, 'must be an object');
      continue;
    }
    need(typeof f.ruleId === 'string', `${at}.ruleId`, 'must be a string');
    need((STATUSES as readonly unknown[]).includes(f.status), `${at}.status`, `must be one of ${STATUSES.join(', ')}`);
    need((SEVERITIES as readonly unknown[]).includes(f.severity), `${at}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
    const r = f.resource;
    need(isObject(r) && typeof r.arn === 'string' && typeof r.accountId === 'string' && (r.region === undefined || typeof r.region === 'string'), `${at}.resource`, 'must hold arn, accountId and an optional region as strings');
    need(Array.isArray(f.evidence), `${at}.evidence`, 'must be a list');
  }
  return problems;
}

/**
 * Reads the baseline. `evaluateSnapshot` turns a snapshot baseline into results with the same rules,
 * parameters and suppressions as the current run.
 */
export async function loadBaseline(file: string, evaluateSnapshot: (snapshot: Snapshot) => Results): Promise<LoadedBaseline> {
  const exists = await stat(file).then(
    () => true,
    (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
  );
  if (!exists) return { kind: 'none' };
  const text = await readTextInput(file, { code: 'baseline', what: 'baseline' });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Not JSON: the snapshot reader names the line and column of the problem.
    return { kind: 'snapshot', run: evaluateSnapshot(parseSnapshot(text, file)) };
  }
  if (!(isObject(data) && Array.isArray(data.findings))) return { kind: 'snapshot', run: evaluateSnapshot(parseSnapshot(text, file)) };
  const problem = findStructureProblem(text, MAX_JSON_DEPTH + 16);
  if (problem) throw new UserError(`${file} is not a well-formed results.json`, [structureDiagnostic(text, file, problem, 'baseline', MAX_JSON_DEPTH + 16)]);
  // 1.0 (a baseline from the previous release) and 2.0 both read as the same Results.
  const upgraded = readResultsDocument(data, `--baseline ${file}`) as unknown as Record<string, unknown>;
  const problems = resultsProblems(upgraded);
  if (problems.length) {
    const diagnostics: Diagnostic[] = problems.map((message) => ({ file, line: 0, column: 0, code: 'baseline/results', message }));
    throw new UserError(`--baseline ${file} is not a usable results.json`, diagnostics);
  }
  return { kind: 'results', run: upgraded as unknown as BaselineRun };
}

/** This run's results with each finding's baseline state and `results.baseline`. */
export function withBaseline(results: Results, file: string, baseline: LoadedBaseline): Results {
  const { findings, comparison } = baseline.kind === 'none' ? firstRunComparison(results, file) : compareWithBaseline(results, baseline.run, { file, kind: baseline.kind });
  return { ...results, findings, baseline: comparison };
}
