/**
 * Rate budgets per (account, region, service), kept well under AWS's published request quotas so
 * that a scan of a thousand accounts loses no call to throttling; the SDK's adaptive retry is only
 * the backstop. A budget is a GCRA token bucket: `burst` calls at once, then one per 1/rate s.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceId } from './permissions.js';

interface Budget {
  /** Sustained calls per second. */
  rate: number;
  /** Calls allowed back to back before the rate applies. */
  burst: number;
}

/**
 * About half of each published quota (per account and region; global services per account):
 * CloudTrail read APIs 10 TPS, Organizations 20, STS 600, EC2 Describe* 20 (burst 100), S3 Control
 * 20, CloudWatch Logs Describe* 10, CloudWatch DescribeAlarms 9, SNS GetTopicAttributes 30, IAM
 * (account-wide, undocumented per API) about 20 for reads. S3 and
 * KMS allow thousands; theirs only keep a scan polite. Organizations and STS calls all come from the
 * caller account, so theirs are the budgets that pace a large organization.
 */
export const DEFAULT_BUDGETS: Record<ServiceId, Budget> = {
  cloudtrail: { rate: 5, burst: 5 },
  organizations: { rate: 10, burst: 10 },
  sts: { rate: 300, burst: 100 },
  ec2: { rate: 10, burst: 20 },
  // Digest verification reads thousands of objects from one log-archive bucket; S3 serves 5,500 GET/s per prefix.
  s3: { rate: 1000, burst: 100 },
  s3control: { rate: 10, burst: 10 },
  kms: { rate: 50, burst: 25 },
  logs: { rate: 5, burst: 5 },
  cloudwatch: { rate: 4, burst: 4 },
  sns: { rate: 15, burst: 15 },
  iam: { rate: 10, burst: 10 },
};

export class RateBudgets {
  private readonly theoreticalArrival = new Map<string, number>();

  constructor(
    private readonly budgets: Record<ServiceId, Budget> = DEFAULT_BUDGETS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Milliseconds to wait before the next call under this key's budget; reserves that slot. */
  reserve(accountId: string, region: string, service: ServiceId): number {
    const { rate, burst } = this.budgets[service];
    const key = `${accountId}|${region}|${service}`;
    const interval = 1000 / rate;
    const tolerance = (burst - 1) * interval;
    const now = this.clock();
    const tat = this.theoreticalArrival.get(key) ?? now;
    const allowedAt = Math.max(now, tat - tolerance);
    this.theoreticalArrival.set(key, Math.max(tat, now) + interval);
    return allowedAt - now;
  }

  /** Waits for this key's next slot; rejects with AbortError when the signal fires first. */
  async take(accountId: string, region: string, service: ServiceId, signal?: AbortSignal): Promise<void> {
    const delay = this.reserve(accountId, region, service);
    if (delay > 0) await sleep(delay, undefined, signal ? { signal } : undefined);
  }
}
