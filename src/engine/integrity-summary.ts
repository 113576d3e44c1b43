/**
 * The digest chains a --verify-integrity scan recorded, summed up per trail for the reports: how
 * many chains verified, broke or could not be read, and for each broken chain its first broken S3
 * key. Pure: a function of the snapshot; verdicts stay with the integrity rules.
 */
import { isCollectionError, type ChainVerification, type DigestProblem, type Snapshot } from '../snapshot/schema.js';
import type { IntegritySummary, IntegrityTrailSummary } from '../results.js';

/** yyyymmddThhmm[ss] in a CloudTrail digest or log file name: the order problems happened in. */
const KEY_TIME = /_([0-9]{8}T[0-9]{4}(?:[0-9]{2})?)Z/;

function timeOf(key: string): string {
  return KEY_TIME.exec(key)?.[1]?.padEnd(15, '0') ?? '99999999T999999';
}

/** Every problem of a chain that breaks it: bad signatures, broken links, unexplained gaps, changed or missing log files. */
function problemsOf(verification: ChainVerification): DigestProblem[] {
  const logFiles = verification.logFiles && !isCollectionError(verification.logFiles) ? verification.logFiles.failures : [];
  return [
    ...verification.signatureFailures,
    ...verification.linkBreaks,
    ...verification.gaps.filter((gap) => !gap.explained).map((gap) => ({ key: gap.beforeKey ?? gap.afterKey ?? `${gap.start}..${gap.end}`, reason: gap.reason })),
    ...logFiles,
  ];
}

export function integritySummary(snapshot: Snapshot): IntegritySummary | undefined {
  const run = snapshot.integrity;
  if (run === undefined) return undefined;
  const trails: IntegrityTrailSummary[] = [];
  for (const trail of snapshot.trails) {
    if (trail.integrity === undefined) continue;
    const summary: IntegrityTrailSummary = { trailArn: trail.arn, trailName: trail.name, chains: 0, verified: 0, broken: 0, unreadable: 0, explainedGaps: 0, brokenChains: [] };
    if (isCollectionError(trail.integrity)) {
      summary.unreadable = 1;
      trails.push(summary);
      continue;
    }
    for (const chain of trail.integrity.chains) {
      summary.chains++;
      const verification = chain.verification;
      if (isCollectionError(verification) || (verification.logFiles !== undefined && isCollectionError(verification.logFiles))) {
        summary.unreadable++;
        continue;
      }
      summary.explainedGaps += verification.gaps.filter((gap) => gap.explained).length;
      const problems = problemsOf(verification).sort((a, b) => timeOf(a.key).localeCompare(timeOf(b.key)) || (a.key < b.key ? -1 : 1));
      const first = problems[0];
      if (first === undefined) {
        summary.verified++;
        continue;
      }
      summary.broken++;
      summary.brokenChains.push({ chain: chain.name, accountId: chain.accountId, region: chain.region, problems: problems.length, firstBrokenKey: first.key, reason: first.reason });
    }
    trails.push(summary);
  }
  return {
    windowStart: run.windowStart,
    windowEnd: run.windowEnd,
    windowHours: run.windowHours,
    files: run.files,
    objectsRead: run.objectsRead,
    bytesRead: run.bytesRead,
    trails,
  };
}
