/**
 * What is physically possible for a scan of a generated organization against the fake AWS, so that
 * a wall time reads as a ratio: the longest chain of round trips that must follow one another
 * (each costs the configured latency, however much runs in parallel), and the time the fake's
 * AWS-like rate limits need to admit the calls made under each key. The larger of the two bounds
 * any scan, whatever its concurrency.
 */
import type { RateLimit, RateLimitTable } from '../test/fake-aws/behaviour.js';
import type { FakeAccount, FakeAwsModel } from '../test/fake-aws/model.js';
import type { CallRecord } from '../test/fake-aws/server.js';
import { DEFAULT_BUDGETS } from '../src/collectors/rate-budget.js';
import type { ServiceId } from '../src/collectors/permissions.js';

/** Organizations answers ListAccounts 20 accounts at a time (MaxResults caps at 20). */
export const LIST_ACCOUNTS_PAGE_SIZE = 20;

/**
 * Round trips an account needs once it is listed, each depending on the one before:
 * - the caller's own account needs no AssumeRole; every other account one;
 * - DescribeRegions and ListTrails go out together (1);
 * - a trail of the account's own is described by ARN (1), then its status, its bucket's owner probe
 *   followed by the bucket's reads, and its key's DescribeKey followed by rotation and policy
 *   (2 deep); a CloudWatch Logs group adds metric filters → alarms → topics (3 deep).
 * An account covered only by the organization trail is done after AssumeRole and one round trip.
 */
function roundTripsAfterListing(account: FakeAccount, callerAccountId: string): number {
  const assumeRole = account.id === callerAccountId ? 0 : 1;
  if (account.trails.length === 0) return assumeRole + 1;
  const deepestResource = Math.max(...account.trails.map((trail) => (trail.cloudWatchLogsLogGroupArn !== undefined ? 3 : 2)));
  return assumeRole + 1 + 1 + deepestResource;
}

export interface LowerBound {
  seconds: number;
  /** Dependent round trips on the longest path: GetCallerIdentity, the listing (ListAccounts pages, or the walk down the tree), an account's chain. */
  criticalPathRoundTrips: number;
  /** Time the fake's rate limits need to admit the calls of the busiest key. */
  rateLimitSeconds: number;
  /** The key that needs it, e.g. `organizations 100000000000 us-east-1`. */
  rateLimitKey: string;
  /** Seconds of the critical path alone (its round trips × the latency). */
  criticalPathSeconds: number;
  /**
   * Which term is the bound: `latency` (the chain of dependent round trips) or `rate <key>` (the
   * calls one rate-limit key must admit).
   */
  binding: string;
}

/** The rate limit a call falls under: its `service:Action` entry, else its service's (as the fake's Throttler decides). */
function limitOf(limits: RateLimitTable, call: CallRecord): { family: string; limit: RateLimit } | undefined {
  const family = limits[`${call.service}:${call.action}`] ? `${call.service}:${call.action}` : call.service;
  const limit = limits[family];
  return limit === undefined ? undefined : { family, limit };
}

/**
 * Round trips until each account is named, the fewer of the two ways Organizations offers: its
 * ListAccounts page (pages follow one another), or walking the tree (ListRoots, one
 * ListOrganizationalUnitsForParent per level down to its parent, then its page of that parent's
 * ListAccountsForParent; the parents are listed side by side).
 */
function roundTripsUntilListed(model: FakeAwsModel): Map<string, number> {
  const organization = model.organization;
  const parents = organization?.accountParents ?? {};
  const unitParent = new Map((organization?.organizationalUnits ?? []).map((unit) => [unit.id, unit.parentId]));
  const depthOf = (parentId: string | undefined): number => {
    let depth = 0;
    for (let at = parentId; at !== undefined && unitParent.has(at) && depth < 10; at = unitParent.get(at)) depth++;
    return depth;
  };
  const positionInParent = new Map<string, number>();
  const rounds = new Map<string, number>();
  model.accounts.forEach((account, index) => {
    const parent = parents[account.id] ?? 'root';
    const position = positionInParent.get(parent) ?? 0;
    positionInParent.set(parent, position + 1);
    const byListAccounts = Math.floor(index / LIST_ACCOUNTS_PAGE_SIZE) + 1;
    const byWalk = 1 + depthOf(parents[account.id]) + Math.floor(position / LIST_ACCOUNTS_PAGE_SIZE) + 1;
    rounds.set(account.id, Math.min(byListAccounts, byWalk));
  });
  return rounds;
}

export function lowerBound(model: FakeAwsModel, callerAccountId: string, latencyMs: number, limits: RateLimitTable, calls: readonly CallRecord[]): LowerBound {
  let longestChain = 0;
  const untilListed = roundTripsUntilListed(model);
  for (const account of model.accounts) {
    longestChain = Math.max(longestChain, untilListed.get(account.id)! + roundTripsAfterListing(account, callerAccountId));
  }
  const criticalPathRoundTrips = 1 + longestChain;

  const perKey = new Map<string, { count: number; limit: RateLimit }>();
  for (const call of calls) {
    const found = limitOf(limits, call);
    if (found === undefined || call.accountId === undefined) continue;
    const key = `${found.family} ${call.accountId} ${call.region}`;
    const entry = perKey.get(key) ?? { count: 0, limit: found.limit };
    entry.count++;
    perKey.set(key, entry);
  }
  let rateLimitSeconds = 0;
  let rateLimitKey = '-';
  for (const [key, { count, limit }] of perKey) {
    const seconds = Math.max(0, count - limit.burst) / limit.ratePerSecond;
    if (seconds > rateLimitSeconds) {
      rateLimitSeconds = seconds;
      rateLimitKey = key;
    }
  }
  const criticalPathSeconds = (criticalPathRoundTrips * latencyMs) / 1000;
  return {
    seconds: Math.max(criticalPathSeconds, rateLimitSeconds),
    criticalPathRoundTrips,
    criticalPathSeconds,
    rateLimitSeconds,
    rateLimitKey,
    binding: rateLimitSeconds > criticalPathSeconds ? `rate ${rateLimitKey}` : `latency (${criticalPathRoundTrips} round trips)`,
  };
}

/**
 * Not a physical bound: the seconds trailwarden's own rate budgets (DEFAULT_BUDGETS, per account,
 * region and service) need to admit the calls the scan made under its busiest key. When this is
 * above the lower bound, the scan is paced by its own politeness, not by AWS.
 */
export function ownBudgetTime(calls: readonly CallRecord[]): { seconds: number; key: string } {
  const perKey = new Map<string, { count: number; service: ServiceId }>();
  for (const call of calls) {
    if (!Object.hasOwn(DEFAULT_BUDGETS, call.service) || call.accountId === undefined) continue;
    const service = call.service as ServiceId;
    const key = `${service} ${call.accountId} ${call.region}`;
    const entry = perKey.get(key) ?? { count: 0, service };
    entry.count++;
    perKey.set(key, entry);
  }
  let best = { seconds: 0, key: '-' };
  for (const [key, { count, service }] of perKey) {
    const { rate, burst } = DEFAULT_BUDGETS[service];
    const seconds = Math.max(0, count - burst) / rate;
    if (seconds > best.seconds) best = { seconds, key };
  }
  return best;
}
