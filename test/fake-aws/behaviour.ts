/**
 * How the fake misbehaves on purpose: AWS-like throttling (a token bucket per account × region ×
 * API family) and injected faults matched by service, action, account and region.
 */
import type { ServiceName } from './service.js';

export interface RateLimit {
  /** Sustained requests per second (the bucket's refill rate). */
  ratePerSecond: number;
  /** Requests allowed back to back (the bucket's size). */
  burst: number;
}

/**
 * Rate limits by API family: a key `service:Action` limits that action alone, a key `service` every
 * action of the service together; a call whose family has no entry is never throttled.
 */
export type RateLimitTable = Partial<Record<string, RateLimit>>;

/** Published per-account, per-region quotas of the APIs a scan calls (rounded down where shared). */
export const AWS_LIKE_RATE_LIMITS: RateLimitTable = {
  // CloudTrail read APIs share 10 TPS per account per region.
  cloudtrail: { ratePerSecond: 10, burst: 10 },
  organizations: { ratePerSecond: 20, burst: 20 },
  sts: { ratePerSecond: 600, burst: 600 },
  // EC2 non-mutating actions: a bucket of 100 refilled at 20 per second.
  ec2: { ratePerSecond: 20, burst: 100 },
  s3: { ratePerSecond: 5500, burst: 5500 },
  s3control: { ratePerSecond: 20, burst: 20 },
  kms: { ratePerSecond: 2000, burst: 2000 },
  'logs:DescribeLogGroups': { ratePerSecond: 10, burst: 10 },
  'logs:DescribeMetricFilters': { ratePerSecond: 10, burst: 10 },
  'cloudwatch:DescribeAlarms': { ratePerSecond: 9, burst: 9 },
  'cloudwatch:DescribeAlarmsForMetric': { ratePerSecond: 9, burst: 9 },
  'sns:GetTopicAttributes': { ratePerSecond: 30, burst: 30 },
  iam: { ratePerSecond: 20, burst: 20 },
};

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class Throttler {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: RateLimitTable,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes a token for the call, or answers false when the caller must be throttled. */
  admit(service: ServiceName, action: string, accountId: string, region: string): boolean {
    const family = this.limits[`${service}:${action}`] ? `${service}:${action}` : this.limits[service] ? service : undefined;
    if (family === undefined) return true;
    const limit = this.limits[family]!;
    const key = `${family}|${accountId}|${region}`;
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: limit.burst, refilledAt: now };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * limit.ratePerSecond);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export type Fault =
  /** An HTTP 5xx in the service's dialect (InternalFailure, ServiceUnavailable, …). */
  | { kind: 'serverError'; status?: 500 | 503 }
  /** The TCP connection is destroyed before any answer. */
  | { kind: 'connectionReset' }
  /** The answer comes this much later than the latency option alone would make it. */
  | { kind: 'slowResponse'; delayMs: number }
  /** A 200 whose body cannot be parsed. */
  | { kind: 'malformedBody' }
  /** The body stops halfway through its announced Content-Length and the connection closes. */
  | { kind: 'truncatedBody' }
  | { kind: 'accessDenied' }
  /** The region's endpoint refuses the caller as if the account had not opted in. */
  | { kind: 'regionDisabled' }
  /** A paginated answer comes back with no items and a NextToken for the same position. */
  | { kind: 'emptyPage' };

export type FaultKind = Fault['kind'];

export interface FaultMatch {
  service?: ServiceName;
  action?: string;
  accountId?: string;
  region?: string;
}

export interface FaultRule {
  match: FaultMatch;
  fault: Fault;
  /** How many matching calls the fault hits; absent = every one. */
  times?: number;
  /** How many matching calls pass untouched before the fault starts (e.g. 1 = a listing cut after its first page). */
  skip?: number;
}

export interface CallIdentity {
  service: ServiceName;
  action: string;
  accountId: string;
  region: string;
}

interface ArmedRule {
  rule: FaultRule;
  remaining: number;
  skipping: number;
}

/** The fault rules of a running fake; the first armed rule that matches a call fires. */
export class FaultInjector {
  private armed: ArmedRule[] = [];

  constructor(rules: FaultRule[] = []) {
    for (const rule of rules) this.add(rule);
  }

  add(rule: FaultRule): void {
    this.armed.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY, skipping: rule.skip ?? 0 });
  }

  clear(): void {
    this.armed = [];
  }

  take(call: CallIdentity): Fault | undefined {
    const hit = this.armed.find(({ rule, remaining }) => remaining > 0 && matches(rule.match, call));
    if (!hit) return undefined;
    if (hit.skipping > 0) {
      hit.skipping -= 1;
      return undefined;
    }
    hit.remaining -= 1;
    return hit.rule.fault;
  }
}

function matches(match: FaultMatch, call: CallIdentity): boolean {
  return (
    (match.service === undefined || match.service === call.service) &&
    (match.action === undefined || match.action === call.action) &&
    (match.accountId === undefined || match.accountId === call.accountId) &&
    (match.region === undefined || match.region === call.region)
  );
}
