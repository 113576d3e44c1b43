/**
 * The union of shard results (trailwarden merge on results.json files): one finding per resource
 * and rule, observed verdicts over errors, the order of a full scan, consistency checks.
 */
import { NO_POLICY_SETTINGS } from '../../src/policy/rule-settings.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { mergeResults } from '../../src/engine/merge-results.js';
import { buildResults } from '../../src/engine/build-results.js';
import type { Finding, Results, Status } from '../../src/results.js';
import { loadRuleSet, type RuleSet } from '../../src/run/scan.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { mergeSnapshots } from '../../src/snapshot/merge.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { shardsOfSnapshot, smallestSplittingShardCount } from '../support/shards.js';

const DEMO_FILE = path.resolve(import.meta.dirname, '../../examples/demo/snapshot.json');
const demo = (): Snapshot => parseSnapshot(readFileSync(DEMO_FILE, 'utf8'), DEMO_FILE);

function resultsOf(snapshot: Snapshot, ruleSet: RuleSet, scanTime = '2026-11-02T09:00:00.000Z'): Results {
  const findings = evaluate(snapshot, ruleSet.rules, { now: new Date(snapshot.scanTime) });
  return buildResults({ snapshot, rules: ruleSet.rules, findings, toolVersion: '0.0.0-test', scanTime: new Date(scanTime) });
}

function withStatus(results: Results, ruleId: string, arn: string, status: Status): Results {
  return { ...results, findings: results.findings.map((finding): Finding => (finding.ruleId === ruleId && finding.resource.arn === arn ? { ...finding, status } : finding)) };
}

describe('mergeResults', () => {
  it('keeps one finding per rule and resource: an observation over an error, a failure over a pass', async () => {
    const ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
    const full = resultsOf(mergeSnapshots([demo()]), ruleSet);
    const shared = full.findings.find((finding) => finding.resource.type === 'trail')!;
    const key = [shared.ruleId, shared.resource.arn] as const;
    const merge = (a: Status, b: Status) => mergeResults([withStatus(full, ...key, a), withStatus(full, ...key, b)]);
    const pick = (a: Status, b: Status) => merge(a, b).results.findings.filter((f) => f.ruleId === key[0] && f.resource.arn === key[1]);
    expect(pick('error', 'pass').map((f) => f.status)).toEqual(['pass']);
    expect(pick('not_applicable', 'error').map((f) => f.status)).toEqual(['not_applicable']);
    expect(pick('pass', 'fail').map((f) => f.status)).toEqual(['fail']);
    expect(pick('fail', 'pass').map((f) => f.status)).toEqual(['fail']);
    expect(mergeResults([full, full]).results.findings).toEqual(full.findings);
    // Two verdicts on one resource are reported; an error beside a verdict is not a disagreement.
    expect(merge('pass', 'fail').disagreements).toEqual([{ ruleId: key[0], arn: key[1], statuses: ['fail', 'pass'] }]);
    expect(merge('error', 'pass').disagreements).toEqual([]);
  });

  it('unites accounts, regions, collection errors and expired suppressions, and takes the earliest times', async () => {
    const ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
    const [a, b] = shardsOfSnapshot(demo(), smallestSplittingShardCount(demo())).map((shard, i) => resultsOf(shard, ruleSet, `2026-11-02T09:0${5 - i}:00.000Z`));
    const expired = { ruleId: 'trail/tagged', resource: '*', reason: 'old', expires: '2026-01-01' };
    const { results: merged } = mergeResults([{ ...a!, expiredSuppressions: [expired] }, { ...b!, expiredSuppressions: [expired] }]);
    expect(merged.accounts.map((account) => account.id)).toEqual([...a!.accounts, ...b!.accounts].map((account) => account.id).sort());
    expect(merged.regions).toEqual([...new Set([...a!.regions, ...b!.regions])].sort());
    const errorKeys = (results: Results) => new Set(results.collectionErrors.map((error) => JSON.stringify(error)));
    expect(errorKeys(merged)).toEqual(new Set([...errorKeys(a!), ...errorKeys(b!)]));
    expect(merged.collectionErrors.length).toBe(errorKeys(merged).size);
    expect(merged.expiredSuppressions).toEqual([expired]);
    expect(merged.scanTime).toBe('2026-11-02T09:04:00.000Z');
  });

  it('refuses results of different rules, packs or partitions', async () => {
    const ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
    const full = resultsOf(demo(), ruleSet);
    expect(() => mergeResults([full, { ...full, rules: full.rules.slice(1), findings: full.findings.filter((f) => f.ruleId !== full.rules[0]!.id) }])).toThrow(/different rules/);
    expect(() => mergeResults([full, { ...full, pack: 'pci-dss-v4' }])).toThrow(/different packs/);
    expect(() => mergeResults([full, { ...full, partition: 'aws-cn' }])).toThrow(/different partitions/);
    expect(() => mergeResults([])).toThrow(UserError);
  });

  it('merges the demo organization’s shards into the full scan’s findings, except shared resources, which it names', async () => {
    const full = demo();
    const ruleSet = await loadRuleSet([], NO_POLICY_SETTINGS);
    const shardSnapshots = shardsOfSnapshot(full, smallestSplittingShardCount(full));
    const { results: merged, disagreements } = mergeResults(shardSnapshots.map((shard) => resultsOf(shard, ruleSet)));
    const expected = resultsOf(mergeSnapshots([full]), ruleSet);
    expect(merged.accounts).toEqual(expected.accounts);
    expect(merged.regions).toEqual(expected.regions);
    expect(merged.rules).toEqual(expected.rules);

    // The organization trail's bucket and key serve trails of several shards; each shard judged
    // them against the trails it saw, so results cannot agree there and the merge says so.
    const named = new Set(disagreements.map((d) => `${d.ruleId} ${d.arn}`));
    expect(disagreements.length).toBeGreaterThan(0);
    const sharedArns = new Set(
      [...new Set(shardSnapshots.flatMap((shard) => [...shard.buckets.map((b) => `arn:aws:s3:::${b.name}`), ...shard.kmsKeys.map((k) => k.arn)]))].filter(
        (arn) => shardSnapshots.filter((shard) => shard.buckets.some((b) => `arn:aws:s3:::${b.name}` === arn) || shard.kmsKeys.some((k) => k.arn === arn)).length > 1,
      ),
    );
    for (const d of disagreements) expect(sharedArns).toContain(d.arn);

    // Everything else is the full scan's finding, in the full scan's order.
    const undisputed = (findings: Finding[]) => findings.filter((f) => !named.has(`${f.ruleId} ${f.resource.arn}`));
    expect(undisputed(merged.findings)).toEqual(undisputed(expected.findings));
    expect(merged.findings.map((f) => `${f.ruleId} ${f.resource.arn}`)).toEqual(expected.findings.map((f) => `${f.ruleId} ${f.resource.arn}`));
  });
});
