/**
 * Engine benchmark: evaluate every built-in rule on a generated organization of N accounts.
 */
import { NO_POLICY_SETTINGS } from '../src/policy/rule-settings.js';
import { performance } from 'node:perf_hooks';
import { buildSnapshot, type SnapshotFragment } from '../test/support/snapshot-builder.js';
import { monitoring } from '../test/support/monitoring.js';
import { evaluate } from '../src/engine/evaluate.js';
import { loadRuleSet } from '../src/run/scan.js';
import { REPORTERS } from '../src/reporters/index.js';
import { buildResults } from '../src/engine/build-results.js';

/**
 * An organization trail for all (with a complete CIS alarm setup on its log group), and every tenth
 * member with a trail (and bucket, key, log group) of its own.
 */
export function generatedOrganization(accounts: number): SnapshotFragment {
  const ids = Array.from({ length: accounts }, (_, i) => String(100000000000 + i));
  const orgTrail = `arn:aws:cloudtrail:us-east-1:${ids[0]}:trail/org-trail`;
  const regions = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1'].map((name) => ({
    name,
    optInStatus: 'opt-in-not-required',
  }));
  const topic = `arn:aws:sns:us-east-1:${ids[0]}:security-alerts`;
  return {
    organization: { id: 'o-bench', managementAccountId: ids[0]! },
    logGroups: [monitoring(`arn:aws:logs:us-east-1:${ids[0]}:log-group:org-trail-log-group`, topic)],
    snsTopics: [{ arn: topic, confirmedSubscriptions: 2 }],
    callerAccountId: ids[0]!,
    accounts: ids.map((id) => ({ id, regions })),
    trails: [
      { arn: orgTrail, isOrganizationTrail: true },
      ...ids
        .filter((_, i) => i % 10 === 5)
        .map((id, i) => ({ arn: `arn:aws:cloudtrail:eu-west-1:${id}:trail/own-trail`, isMultiRegion: i % 2 === 0, logFileValidationEnabled: i % 3 !== 0 })),
    ],
  };
}

export interface EngineMeasurement {
  name: string;
  accounts: number;
  rules: number;
  findings: number;
  evaluateSeconds: number;
  resultsJsonSeconds: number;
  resultsJsonMb: number;
  peakRssMb: number;
}

export async function benchEngine(accounts: number): Promise<EngineMeasurement> {
  const snapshot = buildSnapshot(generatedOrganization(accounts));
  const { rules } = await loadRuleSet([], NO_POLICY_SETTINGS);
  evaluate(buildSnapshot(generatedOrganization(50)), rules, { now: new Date(snapshot.scanTime) }); // warm-up (JIT)
  // Best of three: this machine is small and shared, and the minimum is the least noisy estimate.
  let findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
  let evaluateSeconds = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    findings = evaluate(snapshot, rules, { now: new Date(snapshot.scanTime) });
    evaluateSeconds = Math.min(evaluateSeconds, (performance.now() - start) / 1000);
  }
  const t1 = performance.now();
  const results = buildResults({ snapshot, rules, findings, toolVersion: 'bench', scanTime: new Date(snapshot.scanTime) });
  let jsonBytes = 0;
  for (const chunk of REPORTERS.json.renderChunks!(results, { color: false, width: 100 })) jsonBytes += Buffer.byteLength(chunk);
  const t2 = performance.now();
  return {
    name: `engine-${accounts}-accounts`,
    accounts,
    rules: rules.length,
    findings: findings.length,
    evaluateSeconds,
    resultsJsonSeconds: (t2 - t1) / 1000,
    resultsJsonMb: jsonBytes / 1048576,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
