/**
 * The library behind `trailwarden diff OLD NEW`: read two snapshots, evaluate both with the same
 * rules (built-ins, --policies, the config file's parameters and suppressions, --pack), and
 * compute the drift with the verdicts it changed (engine/drift.ts).
 */
import { evaluate } from '../engine/evaluate.js';
import { snapshotDrift } from '../engine/drift.js';
import { readConfigFile } from '../options/config-file.js';
import { applySuppressions } from '../policy/suppressions.js';
import { DRIFT_RENDERERS } from '../reporters/drift.js';
import type { DriftFormat } from '../reporters/formats.js';
import type { SnapshotDrift } from '../results.js';
import { readSnapshot } from '../snapshot/io.js';
import { loadRuleSet, type RunIo } from './scan.js';

export interface DiffOptions {
  policies?: string[];
  pack?: string;
  config?: string;
  format: DriftFormat;
}

export async function diffRun(oldFile: string, newFile: string, options: DiffOptions, io: Pick<RunIo, 'stdout' | 'stderr' | 'now'>): Promise<{ exitCode: 0; drift: SnapshotDrift }> {
  const configFile = await readConfigFile(options.config);
  const ruleSet = await loadRuleSet([...(configFile.options.policies ?? []), ...(options.policies ?? [])], configFile.policy, options.pack ?? configFile.options.pack, (m) => io.stderr(`warning: ${m}\n`));
  const [before, after] = await Promise.all([readSnapshot(oldFile), readSnapshot(newFile)]);
  const now = io.now();
  const findingsOf = (snapshot: typeof before) => applySuppressions(evaluate(snapshot, ruleSet.rules, { now: new Date(snapshot.scanTime) }), configFile.policy.suppressions, now).findings;
  const drift = snapshotDrift(before, after, { before: findingsOf(before), after: findingsOf(after) });
  io.stdout(DRIFT_RENDERERS[options.format](drift));
  return { exitCode: 0, drift };
}
